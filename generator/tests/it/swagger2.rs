//! Swagger 2.0 against the reference converter: for every 2.0 spec of
//! `specs/`, the API uniapi makes of the 2.0 file (converted on load) is
//! the API it makes of swagger2openapi's conversion of that file (trait
//! methods, request fields, bodies, response variants and their headers,
//! types, security schemes), but for the differences listed in
//! [`INTENDED`], each with its reason.
//!
//! swagger2openapi (pinned, [`PACKAGE`]) is installed by `npm` into
//! `$HOME/.cache/uniapi-swagger2openapi` the first time (or set
//! `UNIAPI_SWAGGER2OPENAPI` to its binary). Without npm the test fails;
//! `UNIAPI_SKIP_SWAGGER2OPENAPI=1` skips it on purpose.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use uniapi::ir::{self, Ty, TypeKind};

use crate::root;

const PACKAGE: &str = "swagger2openapi@7.0.8";

/// Lines of the API description that only one side has, on purpose:
/// (spec file name, `ours` or `theirs`, the line, why).
const INTENDED: &[(&str, &str, &str, &str)] = &[
    // `x-isnullable` is AutoRest's spelling of `x-nullable` (Azure's specs
    // use both); swagger2openapi knows only `x-nullable`, so its `weight`
    // cannot be null and a `null` from the server fails to decode.
    (
        "swagger-2.0.yaml",
        "ours",
        "type Animal: struct {id(`id`): I64, name(`name`): AnimalName, kind(`kind`): String, species(`species`): AnimalSpecies optional, chip_id(`chipId`): String? optional, weight(`weight`): F64? optional, born(`born`): Date optional}",
        "x-isnullable is nullable",
    ),
    (
        "swagger-2.0.yaml",
        "theirs",
        "type Animal: struct {id(`id`): I64, name(`name`): AnimalName, kind(`kind`): String, species(`species`): AnimalSpecies optional, chip_id(`chipId`): String? optional, weight(`weight`): F64 optional, born(`born`): Date optional}",
        "x-isnullable is nullable",
    ),
    (
        "swagger-2.0.yaml",
        "ours",
        "type Cat: struct {id(`id`): I64, name(`name`): AnimalName, kind(`kind`): String, species(`species`): AnimalSpecies optional, chip_id(`chipId`): String? optional, weight(`weight`): F64? optional, born(`born`): Date optional, indoor(`indoor`): Bool optional}",
        "x-isnullable is nullable (in Animal, which Cat extends)",
    ),
    (
        "swagger-2.0.yaml",
        "theirs",
        "type Cat: struct {id(`id`): I64, name(`name`): AnimalName, kind(`kind`): String, species(`species`): AnimalSpecies optional, chip_id(`chipId`): String? optional, weight(`weight`): F64 optional, born(`born`): Date optional, indoor(`indoor`): Bool optional}",
        "x-isnullable is nullable (in Animal, which Cat extends)",
    ),
    (
        "swagger-2.0.yaml",
        "ours",
        "type Dog: struct {id(`id`): I64, name(`name`): AnimalName, kind(`kind`): String, species(`species`): AnimalSpecies optional, chip_id(`chipId`): String? optional, weight(`weight`): F64? optional, born(`born`): Date optional, breed(`breed`): String optional}",
        "x-isnullable is nullable (in Animal, which Dog extends)",
    ),
    (
        "swagger-2.0.yaml",
        "theirs",
        "type Dog: struct {id(`id`): I64, name(`name`): AnimalName, kind(`kind`): String, species(`species`): AnimalSpecies optional, chip_id(`chipId`): String? optional, weight(`weight`): F64 optional, born(`born`): Date optional, breed(`breed`): String optional}",
        "x-isnullable is nullable (in Animal, which Dog extends)",
    ),
    // A form field's `x-nullable`: swagger2openapi copies the extension
    // onto the field's schema but does not read it there (it fixes up
    // the schemas of body parameters only), so its `notes` cannot be null.
    (
        "swagger-2.0.yaml",
        "ours",
        "type AdoptBody: struct {animal_id(`animalId`): I64, adopter(`adopter`): String, notes(`notes`): String? optional}",
        "x-nullable of a formData parameter is nullable",
    ),
    (
        "swagger-2.0.yaml",
        "theirs",
        "type AdoptBody: struct {animal_id(`animalId`): I64, adopter(`adopter`): String, notes(`notes`): String optional}",
        "x-nullable of a formData parameter is nullable",
    ),
];

/// The 2.0 specs compared: the feature specs of `specs/features/2.0/` and
/// uniapi's own torture spec.
fn specs() -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(root().join("specs/features/2.0"))
        .expect("specs/features/2.0 exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    specs.sort();
    specs.push(root().join("specs/features/uniapi/swagger-2.0.yaml"));
    specs
}

/// The `swagger2openapi` binary; `None` only when
/// `UNIAPI_SKIP_SWAGGER2OPENAPI=1`.
fn swagger2openapi() -> Option<PathBuf> {
    if std::env::var_os("UNIAPI_SKIP_SWAGGER2OPENAPI").is_some_and(|v| v == "1") {
        eprintln!("UNIAPI_SKIP_SWAGGER2OPENAPI=1: the comparison with swagger2openapi is skipped");
        return None;
    }
    if let Some(path) = std::env::var_os("UNIAPI_SWAGGER2OPENAPI") {
        return Some(PathBuf::from(path));
    }
    let installed = (|| -> Result<PathBuf, String> {
        let home = std::env::var_os("HOME").ok_or("HOME is not set")?;
        let cache = PathBuf::from(home).join(".cache/uniapi-swagger2openapi");
        let bin = cache.join("node_modules/.bin/swagger2openapi");
        let marker = cache.join(format!("installed-{}", PACKAGE.replace(['@', '/'], "_")));
        if bin.is_file() && marker.is_file() {
            return Ok(bin);
        }
        std::fs::create_dir_all(&cache).map_err(|e| e.to_string())?;
        eprintln!("installing {PACKAGE} into {}", cache.display());
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(&cache)
            .arg(PACKAGE)
            .stdin(Stdio::null())
            .status()
            .map_err(|e| format!("cannot run npm (is Node.js installed?): {e}"))?;
        if !status.success() || !bin.is_file() {
            return Err(format!("`npm install {PACKAGE}` failed ({status})"));
        }
        std::fs::write(&marker, "").map_err(|e| e.to_string())?;
        Ok(bin)
    })();
    match installed {
        Ok(bin) => Some(bin),
        Err(e) => panic!(
            "swagger2openapi is needed for this test: {e}. Install Node.js and npm, set \
             UNIAPI_SWAGGER2OPENAPI, or set UNIAPI_SKIP_SWAGGER2OPENAPI=1 to skip it locally"
        ),
    }
}

/// swagger2openapi's conversion of `spec`, written into `out`.
fn convert(bin: &Path, spec: &Path, out: &Path) {
    // `--patch` mends what it can, `--warnOnly` goes on past what it
    // refuses (tsv) with a warning extension instead of failing.
    let output = Command::new(bin)
        .args(["--patch", "--warnOnly", "--outfile"])
        .arg(out)
        .arg(spec)
        .stdin(Stdio::null())
        .output()
        .expect("swagger2openapi runs");
    assert!(
        output.status.success() && out.is_file(),
        "swagger2openapi failed on {}:\n{}",
        spec.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The API uniapi makes of `spec`, one line per fact.
fn api_of(spec: &Path) -> Vec<String> {
    let loaded = uniapi::load::load(spec)
        .unwrap_or_else(|d| panic!("{} does not load:\n{d}", spec.display()));
    let (api, _) = uniapi::lower::lower(&loaded)
        .unwrap_or_else(|d| panic!("{} does not lower:\n{d}", spec.display()));
    describe(&api)
}

fn describe(api: &ir::Api) -> Vec<String> {
    let ty = |t: &Ty| show(api, t);
    let mut lines = Vec::new();
    for op in &api.operations {
        let at = format!("op {}", op.name);
        lines.push(format!(
            "{at}: {:?} {} -> {} / {}",
            op.method, op.path, op.request_type, op.response_type
        ));
        for p in &op.params {
            lines.push(format!(
                "{at} param {} ({:?} `{}`): {} required={} style={:?} explode={}",
                p.name,
                p.location,
                p.wire,
                ty(&p.ty),
                p.required,
                p.style,
                p.explode
            ));
        }
        for b in &op.bodies {
            let parts: Vec<String> = b
                .parts
                .iter()
                .map(|p| format!("{}:{:?}", p.wire, p.kind))
                .collect();
            lines.push(format!(
                "{at} body {} `{}` {:?}: {} required={} parts=[{}]",
                b.variant,
                b.content_type,
                b.media,
                ty(&b.ty),
                b.required,
                parts.join(", ")
            ));
        }
        for r in &op.responses {
            let bodies: Vec<String> = r
                .bodies
                .iter()
                .map(|b| format!("`{}` {:?} {}", b.content_type, b.media, ty(&b.ty)))
                .collect();
            lines.push(format!(
                "{at} response {} {:?}: [{}]",
                r.variant,
                r.status,
                bodies.join(", ")
            ));
            for h in &r.headers {
                lines.push(format!(
                    "{at} response {} header {} (`{}`): {} required={}",
                    r.variant,
                    h.name,
                    h.wire,
                    ty(&h.ty),
                    h.required
                ));
            }
        }
        let security = match &op.security {
            None => "none".to_owned(),
            Some(reqs) => format!("{reqs:?}"),
        };
        lines.push(format!("{at} security {security}"));
    }
    for t in &api.types {
        let mut line = format!("type {}: ", t.name);
        match &t.kind {
            TypeKind::Struct(s) => {
                let fields: Vec<String> = s
                    .fields
                    .iter()
                    .map(|f| {
                        format!(
                            "{}(`{}`): {}{}",
                            f.name,
                            f.wire,
                            ty(&f.ty),
                            if f.required { "" } else { " optional" }
                        )
                    })
                    .collect();
                let _ = write!(line, "struct {{{}}}", fields.join(", "));
                if let Some(extra) = &s.additional {
                    let _ = write!(line, " + {}", ty(extra));
                }
            }
            TypeKind::Enum(e) => {
                let variants: Vec<String> = e
                    .variants
                    .iter()
                    .map(|v| format!("{}(`{}`)", v.name, v.wire))
                    .collect();
                let _ = write!(line, "enum [{}]", variants.join(", "));
            }
            TypeKind::Union(u) => {
                let variants: Vec<String> = u
                    .variants
                    .iter()
                    .map(|v| format!("{}: {} {:?}", v.name, ty(&v.ty), v.tags))
                    .collect();
                let _ = write!(line, "union {:?} [{}]", u.tag, variants.join(", "));
            }
            TypeKind::Alias(t) => {
                let _ = write!(line, "= {}", ty(t));
            }
            TypeKind::Newtype(t) => {
                let _ = write!(line, "newtype {}", ty(t));
            }
            TypeKind::Constrained(t, rules) => {
                let _ = write!(line, "constrained {} {rules:?}", ty(t));
            }
        }
        lines.push(line);
    }
    for s in &api.security_schemes {
        lines.push(format!("scheme {} ({}): {:?}", s.key, s.variant, s.kind));
    }
    lines
}

fn show(api: &ir::Api, t: &Ty) -> String {
    match t {
        Ty::Prim(p) => format!("{p:?}"),
        Ty::Named(id) => api.types[id.0].name.clone(),
        Ty::List(inner) => format!("[{}]", show(api, inner)),
        Ty::Map(inner) => format!("{{{}}}", show(api, inner)),
        Ty::Nullable(inner) => format!("{}?", show(api, inner)),
        Ty::Any => "any".to_owned(),
    }
}

#[test]
fn swagger_2_generates_the_api_of_swagger2openapis_conversion() {
    let Some(bin) = swagger2openapi() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("uniapi-swagger2openapi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let mut problems = Vec::new();
    let mut used = vec![false; INTENDED.len()];
    for spec in specs() {
        let name = spec
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 name")
            .to_owned();
        let converted = dir.join(format!("{name}.json"));
        convert(&bin, &spec, &converted);
        let ours = api_of(&spec);
        let theirs = api_of(&converted);
        for (side, lines, other) in [("ours", &ours, &theirs), ("theirs", &theirs, &ours)] {
            for line in lines.iter().filter(|l| !other.contains(l)) {
                match INTENDED
                    .iter()
                    .position(|(s, w, l, _)| *s == name && *w == side && l == line)
                {
                    Some(i) => used[i] = true,
                    None => problems.push(format!("{name}: only {side}: {line}")),
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    for (i, (spec, side, line, _)) in INTENDED.iter().enumerate() {
        if !used[i] {
            problems.push(format!(
                "{spec}: the intended difference is gone ({side}): {line}"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "the API of a 2.0 spec differs from that of swagger2openapi's conversion:\n{}",
        problems.join("\n")
    );
}

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
        "type AdoptBody: struct {notes(`notes`): String? optional, animal_id(`animalId`): I64, adopter(`adopter`): String}",
        "x-nullable of a formData parameter is nullable",
    ),
    (
        "swagger-2.0.yaml",
        "theirs",
        "type AdoptBody: struct {notes(`notes`): String optional, animal_id(`animalId`): I64, adopter(`adopter`): String}",
        "x-nullable of a formData parameter is nullable",
    ),
    // A form whose first field is optional and a later one required:
    // swagger2openapi takes the body's `required` from the first field
    // only; a body with a required field is required.
    (
        "swagger-2.0.yaml",
        "ours",
        "op adopt body Form `application/x-www-form-urlencoded` Form: AdoptBody required=true parts=[]",
        "a form body with a required field is required",
    ),
    (
        "swagger-2.0.yaml",
        "theirs",
        "op adopt body Form `application/x-www-form-urlencoded` Form: AdoptBody required=false parts=[]",
        "a form body with a required field is required",
    ),
    // A form field that is an array of `type: file`: swagger2openapi
    // leaves the items `type: file`, which OpenAPI 3 does not have, so
    // they are any JSON; they are files (repeated file parts). Azure's
    // body-formdata.json (AutoRest test server) has one.
    (
        "swagger-2.0.yaml",
        "ours",
        "op upload_photo body Multipart `multipart/form-data` Multipart: UploadPhotoBody required=true parts=[photo:File, caption:Text { quoted: true }, tags:Text { quoted: true }, attachments:File]",
        "an array of type: file is files",
    ),
    (
        "swagger-2.0.yaml",
        "theirs",
        "op upload_photo body Multipart `multipart/form-data` Multipart: UploadPhotoBody required=true parts=[photo:File, caption:Text { quoted: true }, tags:Text { quoted: true }, attachments:Json]",
        "an array of type: file is files",
    ),
    (
        "swagger-2.0.yaml",
        "ours",
        "type UploadPhotoBody: struct {photo(`photo`): File, caption(`caption`): UploadPhotoBodyCaption optional, tags(`tags`): [String] optional, attachments(`attachments`): [File] optional}",
        "an array of type: file is files",
    ),
    (
        "swagger-2.0.yaml",
        "theirs",
        "type UploadPhotoBody: struct {photo(`photo`): File, caption(`caption`): UploadPhotoBodyCaption optional, tags(`tags`): [String] optional, attachments(`attachments`): [any] optional}",
        "an array of type: file is files",
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

/// More specs, to look for differences: every 2.0 `*.json` and `*.yaml`
/// below the folder `UNIAPI_SWAGGER2_MORE` names (the corpus's
/// `CACHE/swagger2`, say). Their differences are printed, not failed.
fn more_specs() -> Vec<PathBuf> {
    let Some(dir) = std::env::var_os("UNIAPI_SWAGGER2_MORE") else {
        return Vec::new();
    };
    let mut more = Vec::new();
    let mut folders = vec![PathBuf::from(dir)];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "json" || e == "yaml")
                && std::fs::read_to_string(&path).is_ok_and(|t| t.contains("\"swagger\""))
            {
                more.push(path);
            }
        }
    }
    more.sort();
    more
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
fn convert(bin: &Path, spec: &Path, out: &Path) -> Result<(), String> {
    // `--patch` mends what it can, `--warnOnly` goes on past what it
    // refuses (tsv) with a warning extension instead of failing.
    let output = Command::new(bin)
        .args(["--patch", "--warnOnly", "--outfile"])
        .arg(out)
        .arg(spec)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("swagger2openapi does not run: {e}"))?;
    if output.status.success() && out.is_file() {
        Ok(())
    } else {
        Err(format!(
            "swagger2openapi failed on {}:\n{}",
            spec.display(),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// The API uniapi makes of `spec`, one line per fact (on a large stack:
/// real specs nest deeply).
fn api_of(spec: &Path) -> Result<Vec<String>, String> {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn_scoped(s, || {
                let loaded = uniapi::load::load(spec)
                    .map_err(|d| format!("{} does not load:\n{d}", spec.display()))?;
                let (api, _) = uniapi::lower::lower(&loaded)
                    .map_err(|d| format!("{} does not lower:\n{d}", spec.display()))?;
                Ok(describe(&api))
            })
            .expect("a thread")
            .join()
            .expect("no panic")
    })
}

/// The lines of the API only one side has: (`ours` or `theirs`, line).
fn differences(bin: &Path, spec: &Path, dir: &Path) -> Result<Vec<(&'static str, String)>, String> {
    let converted = dir.join(format!(
        "{}.json",
        spec.file_name().and_then(|n| n.to_str()).unwrap_or("spec")
    ));
    convert(bin, spec, &converted)?;
    let ours = api_of(spec)?;
    let theirs = api_of(&converted)?;
    let mut out = Vec::new();
    for (side, lines, other) in [("ours", &ours, &theirs), ("theirs", &theirs, &ours)] {
        let other: std::collections::HashSet<&String> = other.iter().collect();
        for line in lines.iter().filter(|l| !other.contains(l)) {
            out.push((side, line.clone()));
        }
    }
    Ok(out)
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
    let own = specs();
    let more = more_specs();
    for (i, spec) in own.iter().chain(&more).enumerate() {
        let extra = i >= own.len();
        let name = spec
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 name")
            .to_owned();
        let found = match differences(&bin, spec, &dir) {
            Ok(found) => found,
            Err(e) if extra => {
                eprintln!("{}: {e}", spec.display());
                continue;
            }
            Err(e) => panic!("{e}"),
        };
        for (side, line) in found {
            match INTENDED
                .iter()
                .position(|(s, w, l, _)| *s == name && *w == side && *l == line)
            {
                Some(i) => used[i] = true,
                None if extra => eprintln!("{}: only {side}: {line}", spec.display()),
                None => problems.push(format!("{name}: only {side}: {line}")),
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

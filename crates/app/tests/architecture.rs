//! The app crate's seams, checked on its source: everything OS-specific goes through the
//! platform crate, so that the app builds wherever a platform backend does (`unsafe` is
//! forbidden by the compiler; this covers what the compiler allows).

use std::path::Path;

fn rust_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn the_app_crate_uses_no_unix_only_api_outside_its_tests() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 20, "the walk must see the sources");
    let mut offenders = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests at the end of a file may use the OS directly.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        // (tokio's Unix signals are allowed behind `#[cfg(unix)]`, with a fallback.)
        for needle in ["std::os::unix", "rustix::", "libc::"] {
            if code.contains(needle) {
                offenders.push(format!("{} uses {needle}", file.display()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "use a platform helper instead:\n{}",
        offenders.join("\n")
    );
}

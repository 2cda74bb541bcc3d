//! The application catalog from XDG desktop entries (Desktop Entry Specification 1.5).
//!
//! Each `<data dir>/applications` is walked in priority order; the desktop file ID is the path
//! below `applications/` with `/` turned into `-`. The first file found for an ID wins, whatever
//! it says: `Hidden=true` there deletes the ID, and so does a file that cannot be read or
//! parsed (its lower-priority copies are not used either: a broken override hides the app
//! rather than silently bringing back the version it overrides).
//!
//! Files are parsed by `freedesktop-desktop-entry` (without its `gettext` feature, which
//! compiles C). Its parser rejects a whole file for a few things GLib only rejects a key for:
//! an unknown escape (`\$`, or `\;` inside a list) and a localized key without its default
//! (`Comment[fr]` but no `Comment`, only when that locale is wanted). Such files are skipped.
//! Localized values are looked up here rather than with the crate's helpers so that the spec's
//! order (`fr_FR@euro`, `fr_FR`, `fr@euro`, `fr`) holds.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use freedesktop_desktop_entry::{DesktopEntry, Group};

use super::exec::find_in_path;
use crate::app::{AppEntry, Catalog, CatalogOptions};

/// Desktop files are small; anything bigger than this is not one.
const MAX_FILE_BYTES: u64 = 1 << 20;
/// `applications/` may hold vendor subdirectories; this deep is plenty and stops loops.
const MAX_DEPTH: usize = 8;

pub fn load_catalog(options: &CatalogOptions) -> Catalog {
    let locales = super::xdg_session::locale_candidates(options);
    let mut claimed: HashSet<String> = HashSet::new();
    let mut entries = Vec::new();
    for data_dir in &options.data_dirs {
        let mut files = Vec::new();
        let mut visited = HashSet::new();
        collect_desktop_files(
            &data_dir.join("applications"),
            "",
            0,
            &mut visited,
            &mut files,
        );
        for (id, file) in files {
            if !claimed.insert(id.clone()) {
                continue; // a higher-priority directory has this ID
            }
            if let Some(entry) = read_entry(id, &file, &locales, options) {
                entries.push(entry);
            }
        }
    }
    Catalog::from_entries(entries)
}

/// Every `*.desktop` file below `dir`, with its desktop file ID (`prefix` holds the ID parts of
/// the subdirectories walked so far), in name order so that the result is deterministic.
fn collect_desktop_files(
    dir: &Path,
    prefix: &str,
    depth: usize,
    visited: &mut HashSet<PathBuf>,
    out: &mut Vec<(String, PathBuf)>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    // Symbolic links to directories are followed, but each real directory is walked once.
    if !fs::canonicalize(dir).is_ok_and(|real| visited.insert(real)) {
        return;
    }
    let Ok(read) = fs::read_dir(dir) else {
        return;
    };
    let mut children: Vec<_> = read.flatten().map(|e| e.path()).collect();
    children.sort();
    for path in children {
        // Names that are not UTF-8 cannot make an ID that the API can carry.
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let Ok(meta) = fs::metadata(&path) else {
            continue; // a dangling link
        };
        if meta.is_dir() {
            let prefix = format!("{prefix}{name}-");
            collect_desktop_files(&path, &prefix, depth + 1, visited, out);
        } else if meta.is_file()
            && let Some(stem) = name.strip_suffix(".desktop")
            && !stem.is_empty()
        {
            out.push((format!("{prefix}{stem}"), path));
        }
    }
}

/// The catalog entry of one file, or `None` if the file is unusable or says not to show it.
fn read_entry(
    id: String,
    file: &Path,
    locales: &[String],
    options: &CatalogOptions,
) -> Option<AppEntry> {
    let meta = fs::metadata(file).ok()?;
    if meta.len() > MAX_FILE_BYTES {
        return None;
    }
    let text = fs::read_to_string(file).ok()?;
    // The parser is third-party code fed with files anyone with a home directory can write;
    // a panic in it must cost one entry, not the catalog.
    let parsed = std::panic::catch_unwind(|| {
        DesktopEntry::from_str(file.to_path_buf(), &text, Some(locales))
    });
    let parsed = parsed.ok()?.ok()?;
    let group = parsed.groups.desktop_entry()?;

    let flag = |key: &str| {
        group
            .entry(key)
            .is_some_and(|v| matches!(v.trim(), "true" | "1"))
    };
    let text_of = |key: &str| {
        group
            .entry(key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let localized = |key: &str| {
        localized_value(group, key, locales)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };

    if flag("Hidden") || flag("NoDisplay") {
        return None;
    }
    // Link and Directory entries are not applications; a missing Type is invalid.
    if group.entry("Type").map(str::trim) != Some("Application") {
        return None;
    }
    if !shown_in(
        group.entry("OnlyShowIn"),
        group.entry("NotShowIn"),
        &options.current_desktops,
    ) {
        return None;
    }
    if let Some(try_exec) = text_of("TryExec")
        && !program_exists(&try_exec)
    {
        return None;
    }
    let name = localized("Name")?;
    // Without Exec there is nothing to launch (D-Bus activation alone is not supported).
    let exec = group
        .entry("Exec")
        .filter(|e| !e.trim().is_empty())?
        .to_string();

    Some(AppEntry {
        id,
        name,
        generic_name: localized("GenericName"),
        comment: localized("Comment"),
        keywords: list(localized_value(group, "Keywords", locales)),
        categories: list(group.entry("Categories")),
        icon: text_of("Icon"),
        exec,
        terminal: flag("Terminal"),
        path: text_of("Path"),
        startup_wm_class: text_of("StartupWMClass"),
        file: file.to_path_buf(),
    })
}

/// The value of `key` for the first of `locales` that has one, else the unlocalized value.
fn localized_value<'a>(group: &'a Group, key: &str, locales: &[String]) -> Option<&'a str> {
    let (default, by_locale) = group.0.get(key)?;
    let value = locales
        .iter()
        .find_map(|l| by_locale.get(l))
        .unwrap_or(default);
    Some(value.as_str())
}

/// A `;`-separated list, without empty items.
fn list(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or("")
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// `OnlyShowIn` and `NotShowIn` against the session's desktops. Desktop names are compared
/// ignoring ASCII case (`GNOME` and `Gnome` are both seen in the wild). With `OnlyShowIn` and no
/// known desktop the entry is hidden, as GLib does.
fn shown_in(only: Option<&str>, not: Option<&str>, current: &[String]) -> bool {
    let is_current = |name: &String| current.iter().any(|c| c.eq_ignore_ascii_case(name));
    let only = list(only);
    if !only.is_empty() && !only.iter().any(is_current) {
        return false;
    }
    !list(not).iter().any(is_current)
}

/// `TryExec`: an absolute path must be an executable file; a bare name must be one in `PATH`.
fn program_exists(program: &str) -> bool {
    let path = Path::new(program);
    if path.is_absolute() {
        super::exec::is_executable_file(path)
    } else {
        find_in_path(program, std::env::var_os("PATH").as_deref()).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_in_rules() {
        let gnome = vec!["ubuntu".to_string(), "GNOME".to_string()];
        assert!(shown_in(None, None, &gnome));
        assert!(shown_in(Some("GNOME;"), None, &gnome));
        assert!(shown_in(Some("gnome;"), None, &gnome));
        assert!(!shown_in(Some("KDE;"), None, &gnome));
        assert!(!shown_in(None, Some("KDE;ubuntu;"), &gnome));
        assert!(shown_in(None, Some("KDE;"), &gnome));
        assert!(!shown_in(Some("KDE;"), None, &[]));
        assert!(shown_in(None, Some("KDE;"), &[]));
        assert!(shown_in(Some(""), None, &[]));
    }

    #[test]
    fn lists_drop_empty_items() {
        assert_eq!(list(Some("A;B;;C;")), ["A", "B", "C"]);
        assert!(list(None).is_empty());
    }
}

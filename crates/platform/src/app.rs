//! Applications: the catalog of installed applications and launching programs detached.
//!
//! The records here are portable; the Linux backend fills the catalog from XDG desktop entries
//! (`linux/desktop.rs`), finds icons in XDG icon themes (`linux/icons.rs`), expands `Exec`
//! values (`linux/exec.rs`) and starts programs in their own session (`linux/launch.rs`). Other
//! systems get an empty catalog and [`Error::Unsupported`](crate::Error::Unsupported).

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::PathBuf;

use serde::Serialize;

use crate::error::Result;

/// One installed application, as its desktop entry describes it.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct AppEntry {
    /// The desktop file ID: the path below `applications/` with `/` turned into `-`, without
    /// `.desktop` (`org.gnome.Calculator`, `kde-foo`).
    pub id: String,
    /// `Name`, localized for the catalog's locale.
    pub name: String,
    pub generic_name: Option<String>,
    /// `Comment`, localized.
    pub comment: Option<String>,
    /// `Keywords`, localized.
    pub keywords: Vec<String>,
    pub categories: Vec<String>,
    /// The `Icon` value: a theme icon name or an absolute path; see [`find_icon`].
    pub icon: Option<String>,
    /// The `Exec` value with the key-file escapes (`\s`, `\\`, ...) undone, so as GLib's
    /// `g_key_file_get_string` returns it; quoting and field codes are still in place
    /// ([`exec_argv`] handles those).
    pub exec: String,
    /// `Terminal=true`: the program wants a terminal emulator around it.
    pub terminal: bool,
    /// The working directory (`Path`).
    pub path: Option<String>,
    pub startup_wm_class: Option<String>,
    /// The `.desktop` file the entry was read from.
    pub file: PathBuf,
}

/// The installed applications, sorted by name (case-insensitive).
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    entries: Vec<AppEntry>,
    by_id: HashMap<String, usize>,
}

impl Catalog {
    /// A catalog of these entries: sorted by name (case-insensitive, then by ID); of several
    /// entries with one ID the first is kept.
    pub fn from_entries(entries: Vec<AppEntry>) -> Catalog {
        let mut seen = std::collections::HashSet::new();
        let mut entries: Vec<AppEntry> = entries
            .into_iter()
            .filter(|e| seen.insert(e.id.clone()))
            .collect();
        entries.sort_by_cached_key(|e| (e.name.to_lowercase(), e.id.clone()));
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        Catalog { entries, by_id }
    }

    pub fn entries(&self) -> &[AppEntry] {
        &self.entries
    }

    /// The entry with this desktop file ID.
    pub fn get(&self, id: &str) -> Option<&AppEntry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Where and for whom to read the catalog.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CatalogOptions {
    /// Data directories in priority order: `$XDG_DATA_HOME`, then each of `$XDG_DATA_DIRS`.
    /// Entries are read from `<dir>/applications`, icons from `<dir>/icons` and
    /// `<dir>/pixmaps`.
    pub data_dirs: Vec<PathBuf>,
    /// The desktops of the session (`$XDG_CURRENT_DESKTOP`), for `OnlyShowIn` and `NotShowIn`.
    pub current_desktops: Vec<String>,
    /// The messages locale, e.g. `fr_FR.UTF-8`: `Name[fr_FR]`, then `Name[fr]`, then `Name`.
    /// `None`, `C` and `POSIX` read the unlocalized values.
    pub locale: Option<String>,
    /// The user's icon theme; `None` searches `hicolor` only (every theme inherits from it).
    pub icon_theme: Option<String>,
    /// Icon base directories searched before each `<data dir>/icons` (`$HOME/.icons`).
    pub icon_dirs: Vec<PathBuf>,
}

impl CatalogOptions {
    /// The options of the session Boss runs in (on Linux: the XDG base directories, the
    /// current desktop, the messages locale and the user's icon theme; see
    /// `linux/xdg_session.rs`). Elsewhere: none.
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var_os(name))
    }

    /// [`from_env`](Self::from_env) with the variables from `var` (for tests).
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Self {
        crate::native::catalog_options(var)
    }
}

/// What to start: an argument vector (no shell), where, and with which extra environment.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchSpec {
    /// The program and its arguments; a program without `/` is looked up in `PATH` (the one
    /// in `env` if given, else Boss's).
    pub argv: Vec<String>,
    /// The working directory; `None` is `$HOME` (or `/` without one).
    pub cwd: Option<PathBuf>,
    /// Added to (or replacing in) Boss's own environment.
    pub env: Vec<(String, String)>,
    /// Standard output and error are appended here; created with mode 0600.
    pub log_file: PathBuf,
}

impl LaunchSpec {
    /// The spec for starting a catalog entry with optional file or URL arguments: the argv
    /// from [`exec_argv`], the entry's `Path` as working directory, and
    /// `GIO_LAUNCHED_DESKTOP_FILE` set to its file (as GLib does) so its windows can be traced
    /// back to it.
    pub fn for_entry(entry: &AppEntry, args: &[String], log_file: PathBuf) -> Result<LaunchSpec> {
        Ok(LaunchSpec {
            argv: exec_argv(entry, args)?,
            cwd: entry
                .path
                .as_deref()
                .filter(|p| !p.trim().is_empty())
                .map(PathBuf::from),
            env: vec![(
                "GIO_LAUNCHED_DESKTOP_FILE".to_string(),
                entry.file.to_string_lossy().into_owned(),
            )],
            log_file,
        })
    }
}

/// A started program. Keep `child` and wait on it, or it stays a zombie after it ends.
#[derive(Debug)]
pub struct Launched {
    pub pid: u32,
    /// Its start time in clock ticks since boot (as in [`ProcessRef`](crate::ProcessRef)); 0
    /// if it could not be read.
    pub start_ticks: u64,
    pub child: std::process::Child,
}

impl Launched {
    /// The identity of the started process, for signalling it safely later.
    pub fn identity(&self) -> crate::ProcessRef {
        crate::ProcessRef {
            pid: self.pid,
            start_ticks: self.start_ticks,
        }
    }
}

/// Reads the installed applications. Never fails: unreadable directories and bad files are
/// skipped. Linux: the XDG desktop entries in `<data dir>/applications` (the first file per ID
/// wins; `Hidden`, `NoDisplay`, `OnlyShowIn`/`NotShowIn`, `TryExec` and `Type` are honoured).
/// Elsewhere: empty.
pub fn load_catalog(options: &CatalogOptions) -> Catalog {
    crate::native::load_catalog(options)
}

/// The icon file for an entry's `Icon` value: an absolute path as it is (if it is a PNG, SVG,
/// SVGZ or XPM file); otherwise, with a stray image extension stripped, the theme from
/// `options` and the themes it inherits, then `hicolor`, then the bare icon directories and
/// `<data dir>/pixmaps`, preferring the size nearest `size` px. The result may be `.png`,
/// `.svg`, `.svgz` or `.xpm`; it is canonical (symbolic links resolved) and lies below an
/// icon base directory, a `<data dir>/icons` or `<data dir>/pixmaps`, or `/usr/share/pixmaps`,
/// else there is no icon.
pub fn find_icon(icon: &str, size: u16, options: &CatalogOptions) -> Option<PathBuf> {
    crate::native::find_icon(icon, size, options)
}

/// An image format an icon file may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconFormat {
    Png,
    Svg,
    /// A gzip-compressed SVG.
    Svgz,
    Xpm,
}

/// An icon's bytes, checked to look like its format.
#[derive(Debug, Clone)]
pub struct IconImage {
    pub format: IconFormat,
    pub bytes: Vec<u8>,
}

/// The icon of `entry`, read: found as [`find_icon`] does, where an absolute `Icon=` path may
/// also lie in the entry's own directory; the bytes must look like the format the extension
/// claims (a PNG signature, SVG text with `<svg`, gzip for SVGZ, `/* XPM */`) and be at most
/// 4 MiB. `None` when there is no such icon. Elsewhere than Linux: always `None`.
pub fn load_icon(entry: &AppEntry, size: u16, options: &CatalogOptions) -> Option<IconImage> {
    crate::native::load_icon(entry, size, options)
}

/// The argument vector that starts `entry` with the given files or URLs, per the Desktop
/// Entry spec: quoting and escapes undone, `%f`/`%u` replaced by the first argument, `%F`/`%U`
/// by all of them (one argument each), `%i` by `--icon <Icon>`, `%c` by the name, `%k` by the
/// desktop file, `%%` by `%`; unused and deprecated codes vanish. `Terminal=true` puts a
/// terminal emulator from `PATH` in front (`xdg-terminal-exec`, `x-terminal-emulator -e` or
/// `xterm -e`).
///
/// Errors: [`Error::Invalid`](crate::Error::Invalid) for an empty `Exec` or an unterminated
/// quote, [`Error::NotFound`](crate::Error::NotFound) for `Terminal=true` without a terminal.
pub fn exec_argv(entry: &AppEntry, args: &[String]) -> Result<Vec<String>> {
    crate::native::exec_argv(entry, args)
}

/// Starts a program detached from Boss: no shell; a new session (`setsid`), so it survives
/// Boss and gets no signals meant for Boss's terminal; stdin from `/dev/null`; stdout and
/// stderr appended to `log_file`; signal dispositions reset to the defaults (signals Boss
/// ignores would otherwise stay ignored); Boss's environment plus `spec.env`.
///
/// A program that does not exist or cannot be executed is reported before anything is
/// started: [`Error::NotFound`](crate::Error::NotFound) or
/// [`Error::PermissionDenied`](crate::Error::PermissionDenied) naming it; so is a missing
/// working directory.
pub fn launch(spec: &LaunchSpec) -> Result<Launched> {
    crate::native::launch(spec, None)
}

/// A program that takes a launched program's output on its standard input and keeps the log
/// files (`boss log-writer ...`): started in a session of its own, so it outlives Boss as the
/// program does, and the program's output never depends on Boss being alive.
#[derive(Debug, Clone, PartialEq)]
pub struct LogWriter {
    pub program: PathBuf,
    pub args: Vec<String>,
}

/// As [`launch`], but stdout and stderr go into a pipe read by `writer` (`spec.log_file` is
/// then not opened by the platform: the writer owns the files). The writer is reaped on a
/// thread of its own; it ends when the program and every descendant holding the pipe have.
pub fn launch_logged(spec: &LaunchSpec, writer: &LogWriter) -> Result<Launched> {
    crate::native::launch(spec, Some(writer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, name: &str) -> AppEntry {
        AppEntry {
            id: id.into(),
            name: name.into(),
            generic_name: None,
            comment: None,
            keywords: vec![],
            categories: vec![],
            icon: None,
            exec: "true".into(),
            terminal: false,
            path: None,
            startup_wm_class: None,
            file: PathBuf::new(),
        }
    }

    #[test]
    fn catalog_sorts_by_name_ignoring_case_and_keeps_the_first_of_an_id() {
        let catalog = Catalog::from_entries(vec![
            entry("b", "beta"),
            entry("a", "Alpha"),
            entry("c", "Charlie"),
            entry("a", "Second a"),
        ]);
        let names: Vec<&str> = catalog.entries().iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Alpha", "beta", "Charlie"]);
        assert_eq!(catalog.get("b").unwrap().name, "beta");
        assert_eq!(catalog.get("a").unwrap().name, "Alpha");
        assert!(catalog.get("zzz").is_none());
        assert_eq!(catalog.len(), 3);
    }
}

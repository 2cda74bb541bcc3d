//! Finding icon files in XDG icon themes (Icon Theme Specification 0.13, "Icon Lookup").
//!
//! Written here rather than with `freedesktop-icons`: that crate reads its base directories
//! once per process from the environment into a global (`$XDG_DATA_DIRS`, `$HOME`), so it
//! cannot search the directories a [`CatalogOptions`] names (nor a test's temporary tree),
//! and it would add `dirs`, `xdg` 2, `once_cell` and a second `thiserror`.
//!
//! Lookup for a name: the chosen theme, then each theme it `Inherits` (depth first, each once),
//! then `hicolor`; in a theme, a directory whose size matches wins, else the nearest size;
//! then `<base>/<name>.<ext>` in each icon base directory and `<data dir>/pixmaps`. Only
//! scale 1 is asked for. Icon names with `/` (and theme or directory names with `..`) are
//! refused, so a desktop file cannot point the icon server elsewhere.
//!
//! Whatever the lookup finds must, with every symbolic link resolved, lie below an icon or
//! pixmap directory (or, for [`load_icon`], the desktop entry's own directory), and its first
//! bytes must match its extension: an `Icon=/etc/passwd.png` or a theme icon linked to a
//! private file is no icon. Any user can install a desktop entry, and viewers see icons.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::app::{AppEntry, CatalogOptions, IconFormat, IconImage};

/// Extensions tried, in order of preference (the spec lists png, svg, xpm; `.svgz` is seen in
/// the wild).
const EXTENSIONS: [&str; 4] = ["png", "svg", "svgz", "xpm"];
/// Inheritance chains longer than this are broken files (or loops).
const MAX_THEME_DEPTH: usize = 10;

/// Icon files larger than this are not icons (and not read into memory).
const MAX_ICON_BYTES: u64 = 4 * 1024 * 1024;

pub fn find_icon(icon: &str, size: u16, options: &CatalogOptions) -> Option<PathBuf> {
    find_confined_icon(icon, size, options, None)
}

pub fn load_icon(entry: &AppEntry, size: u16, options: &CatalogOptions) -> Option<IconImage> {
    let icon = entry.icon.as_deref()?;
    let path = find_confined_icon(icon, size, options, entry.file.parent())?;
    let format = match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "png" => IconFormat::Png,
        "svg" => IconFormat::Svg,
        "svgz" => IconFormat::Svgz,
        "xpm" => IconFormat::Xpm,
        _ => return None,
    };
    // The path is canonical (no symbolic link in it): O_NOFOLLOW keeps a link swapped in
    // since the check from being followed now.
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_ICON_BYTES + 1).read_to_end(&mut bytes).ok()?;
    if bytes.len() as u64 > MAX_ICON_BYTES || !looks_like(format, &bytes) {
        return None;
    }
    Some(IconImage { format, bytes })
}

/// Whether `bytes` start the way a file of `format` does, so that a text file renamed (or
/// linked) as `.png` is not served as an icon.
fn looks_like(format: IconFormat, bytes: &[u8]) -> bool {
    match format {
        IconFormat::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        IconFormat::Svgz => bytes.starts_with(&[0x1f, 0x8b]),
        IconFormat::Xpm => bytes.starts_with(b"/* XPM */"),
        IconFormat::Svg => {
            let Ok(text) = std::str::from_utf8(bytes) else {
                return false;
            };
            let text = text.trim_start_matches('\u{feff}').trim_start();
            text.starts_with('<') && text.contains("<svg")
        }
    }
}

/// The directories icons may come from: every icon base directory, each data directory's
/// `icons` and `pixmaps`, `/usr/share/pixmaps`, and `extra` (the desktop entry's own
/// directory), canonicalized.
fn icon_roots(options: &CatalogOptions, extra: Option<&Path>) -> Vec<PathBuf> {
    options
        .icon_dirs
        .iter()
        .cloned()
        .chain(
            options
                .data_dirs
                .iter()
                .flat_map(|d| [d.join("icons"), d.join("pixmaps")]),
        )
        .chain([PathBuf::from("/usr/share/pixmaps")])
        .chain(extra.map(Path::to_path_buf))
        .filter_map(|root| root.canonicalize().ok())
        .collect()
}

/// The icon for `icon`, as a canonical path (every symbolic link resolved) that lies below
/// one of [`icon_roots`]: an `Icon=` path, or a theme file linked, outside them is no icon.
fn find_confined_icon(
    icon: &str,
    size: u16,
    options: &CatalogOptions,
    entry_dir: Option<&Path>,
) -> Option<PathBuf> {
    let found = find_icon_path(icon, size, options)?.canonicalize().ok()?;
    let roots = icon_roots(options, entry_dir);
    (found.is_file() && has_icon_extension(&found) && roots.iter().any(|r| found.starts_with(r)))
        .then_some(found)
}

fn find_icon_path(icon: &str, size: u16, options: &CatalogOptions) -> Option<PathBuf> {
    let icon = icon.trim();
    if icon.is_empty() {
        return None;
    }
    let as_path = Path::new(icon);
    if as_path.is_absolute() {
        return (has_icon_extension(as_path) && as_path.is_file()).then(|| as_path.to_path_buf());
    }
    if icon.contains('/') || icon.starts_with('.') {
        return None; // a relative path is not an icon name
    }
    let name = strip_icon_extension(icon);
    let bases: Vec<PathBuf> = options
        .icon_dirs
        .iter()
        .cloned()
        .chain(options.data_dirs.iter().map(|d| d.join("icons")))
        .collect();

    let mut searched = HashSet::new();
    let theme = options
        .icon_theme
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or("hicolor");
    if let Some(found) = find_in_theme(name, size, theme, &bases, &mut searched, 0) {
        return Some(found);
    }
    if let Some(found) = find_in_theme(name, size, "hicolor", &bases, &mut searched, 0) {
        return Some(found);
    }
    let pixmaps: Vec<PathBuf> = options
        .data_dirs
        .iter()
        .map(|d| d.join("pixmaps"))
        .collect();
    bases.iter().chain(&pixmaps).find_map(|dir| {
        EXTENSIONS
            .iter()
            .map(|ext| dir.join(format!("{name}.{ext}")))
            .find(|p| p.is_file())
    })
}

fn has_icon_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// `Icon=foo.png` should be `Icon=foo`, but such values exist; names like
/// `org.gnome.Calculator` keep their dots.
fn strip_icon_extension(icon: &str) -> &str {
    match icon.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty() && EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(ext)) =>
        {
            stem
        }
        _ => icon,
    }
}

/// A name that stays one path component below a base directory.
fn safe_component(name: &str) -> bool {
    !name.is_empty() && !name.contains('/') && name != "." && name != ".."
}

/// A relative directory path (`48x48/apps`) that stays below the theme directory.
fn safe_subdir(dir: &str) -> bool {
    !dir.is_empty()
        && Path::new(dir)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// The spec's `FindIconHelper`: the theme, then its parents.
fn find_in_theme(
    name: &str,
    size: u16,
    theme_name: &str,
    bases: &[PathBuf],
    searched: &mut HashSet<String>,
    depth: usize,
) -> Option<PathBuf> {
    if depth > MAX_THEME_DEPTH
        || !safe_component(theme_name)
        || !searched.insert(theme_name.to_string())
    {
        return None;
    }
    let theme = Theme::load(theme_name, bases)?;
    if let Some(found) = theme.lookup(name, size) {
        return Some(found);
    }
    for parent in &theme.index.inherits {
        if let Some(found) = find_in_theme(name, size, parent, bases, searched, depth + 1) {
            return Some(found);
        }
    }
    None
}

/// One theme: its directories in every base directory that has it, and its index.
struct Theme {
    roots: Vec<PathBuf>,
    index: Arc<ThemeIndex>,
}

/// What an `index.theme` says.
#[derive(Debug, Default)]
struct ThemeIndex {
    dirs: Vec<ThemeDir>,
    inherits: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct ThemeDir {
    path: String,
    size: u32,
    scale: u32,
    kind: SizeKind,
    min: u32,
    max: u32,
    threshold: u32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum SizeKind {
    Fixed,
    Scalable,
    Threshold,
}

impl Theme {
    /// The theme named `name`: its `index.theme` from the first base directory that has one;
    /// its icons from all of them.
    fn load(name: &str, bases: &[PathBuf]) -> Option<Theme> {
        let roots: Vec<PathBuf> = bases
            .iter()
            .map(|b| b.join(name))
            .filter(|r| r.is_dir())
            .collect();
        let index = roots
            .iter()
            .find_map(|r| cached_index(&r.join("index.theme")))?;
        Some(Theme { roots, index })
    }

    /// The spec's `LookupIcon`, in its two passes: the first file in a directory matching the
    /// size (a few dozen of hicolor's 650 directories, so the usual case is cheap), else the
    /// one in the directory nearest in size.
    fn lookup(&self, name: &str, size: u16) -> Option<PathBuf> {
        let size = u32::from(size);
        let matching = self.index.dirs.iter().filter(|d| d.matches(size));
        if let Some((_, file)) = self.files(name, matching).next() {
            return Some(file);
        }
        let others = self.index.dirs.iter().filter(|d| !d.matches(size));
        self.files(name, others)
            .min_by_key(|(dir, _)| dir.distance(size))
            .map(|(_, file)| file)
    }

    /// The files for `name` in these directories, in every root, in order.
    fn files<'a>(
        &'a self,
        name: &'a str,
        dirs: impl Iterator<Item = &'a ThemeDir> + 'a,
    ) -> impl Iterator<Item = (&'a ThemeDir, PathBuf)> + 'a {
        dirs.flat_map(move |dir| {
            self.roots
                .iter()
                .map(move |root| root.join(&dir.path))
                // Half of hicolor's listed directories do not exist: one stat, not four.
                .filter(|base| base.is_dir())
                .flat_map(move |base| {
                    EXTENSIONS
                        .iter()
                        .map(move |ext| base.join(format!("{name}.{ext}")))
                })
                .filter(|file| file.is_file())
                .map(move |file| (dir, file))
        })
    }
}

impl ThemeDir {
    /// The spec's `DirectoryMatchesSize`, for scale 1.
    fn matches(&self, size: u32) -> bool {
        if self.scale != 1 {
            return false;
        }
        match self.kind {
            SizeKind::Fixed => self.size == size,
            SizeKind::Scalable => (self.min..=self.max).contains(&size),
            SizeKind::Threshold => (self.size.saturating_sub(self.threshold)
                ..=self.size + self.threshold)
                .contains(&size),
        }
    }

    /// The spec's `DirectorySizeDistance`, for scale 1: how far `size` lies outside the
    /// directory's (scaled) size range.
    fn distance(&self, size: u32) -> u32 {
        let (low, high) = match self.kind {
            SizeKind::Fixed => (self.size, self.size),
            SizeKind::Scalable => (self.min, self.max),
            SizeKind::Threshold => (
                self.size.saturating_sub(self.threshold),
                self.size + self.threshold,
            ),
        };
        let (low, high) = (
            low.saturating_mul(self.scale),
            high.saturating_mul(self.scale),
        );
        low.saturating_sub(size) + size.saturating_sub(high)
    }
}

/// Parsed `index.theme` files by path, with the modification time and length they were read
/// at. hicolor's is 55 kB with 650 directories (several milliseconds to parse in a debug
/// build), and every lookup needs it.
static INDEX_CACHE: Mutex<Option<HashMap<PathBuf, CachedIndex>>> = Mutex::new(None);

/// (modification time, length, index).
type CachedIndex = (SystemTime, u64, Arc<ThemeIndex>);

/// The parsed index at `path`, from the cache while the file is unchanged.
fn cached_index(path: &Path) -> Option<Arc<ThemeIndex>> {
    let meta = fs::metadata(path).ok().filter(|m| m.is_file())?;
    let stamp = (meta.modified().ok()?, meta.len());
    let lock = || {
        INDEX_CACHE
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    if let Some((modified, len, index)) = lock().get_or_insert_default().get(path)
        && (*modified, *len) == stamp
    {
        return Some(index.clone());
    }
    let index = Arc::new(parse_index(&fs::read_to_string(path).ok()?));
    lock()
        .get_or_insert_default()
        .insert(path.to_path_buf(), (stamp.0, stamp.1, index.clone()));
    Some(index)
}

/// Reads an `index.theme`: `Directories` (and `ScaledDirectories`), `Inherits`, and each
/// directory's group. Directories without a valid `Size` are left out, as the spec says.
fn parse_index(text: &str) -> ThemeIndex {
    // hicolor's index has some 650 groups: look them up by name, not by scanning.
    let mut groups: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    let mut current: Option<&str> = None;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(name);
            groups.entry(name).or_default();
        } else if let (Some((key, value)), Some(group)) = (line.split_once('='), current) {
            groups
                .entry(group)
                .or_default()
                .push((key.trim(), value.trim()));
        }
    }
    let group = |name: &str| groups.get(name).map(Vec::as_slice).unwrap_or(&[]);
    let get = |keys: &[(&str, &str)], key: &str| {
        keys.iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string())
    };
    let split = |value: Option<String>| -> Vec<String> {
        value
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let header = group("Icon Theme");
    let mut dir_names = split(get(header, "Directories"));
    dir_names.extend(split(get(header, "ScaledDirectories")));
    let inherits = split(get(header, "Inherits"))
        .into_iter()
        .filter(|t| safe_component(t))
        .collect();

    let mut dirs = Vec::new();
    let mut seen = HashSet::new();
    for path in dir_names {
        if !safe_subdir(&path) || !seen.insert(path.clone()) {
            continue;
        }
        let keys = group(&path);
        let number = |key: &str| get(keys, key).and_then(|v| v.parse::<u32>().ok());
        let Some(size) = number("Size").filter(|&s| s > 0) else {
            continue;
        };
        let kind = match get(keys, "Type").as_deref() {
            Some("Fixed") => SizeKind::Fixed,
            Some("Scalable") => SizeKind::Scalable,
            _ => SizeKind::Threshold,
        };
        dirs.push(ThemeDir {
            path,
            size,
            scale: number("Scale").filter(|&s| s > 0).unwrap_or(1),
            kind,
            min: number("MinSize").unwrap_or(size),
            max: number("MaxSize").unwrap_or(size),
            threshold: number("Threshold").unwrap_or(2),
        });
    }
    ThemeIndex { dirs, inherits }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stray_extensions_are_stripped_but_dotted_names_kept() {
        assert_eq!(strip_icon_extension("foo.png"), "foo");
        assert_eq!(strip_icon_extension("foo.SVG"), "foo");
        assert_eq!(
            strip_icon_extension("org.gnome.Calculator"),
            "org.gnome.Calculator"
        );
        assert_eq!(strip_icon_extension(".png"), ".png");
    }

    #[test]
    fn index_parsing_and_size_rules() {
        let theme = parse_index(
            "[Icon Theme]\nName=Test\nInherits=Parent, ../evil ,hicolor\n\
             Directories=16x16/apps,48x48/apps,scalable/apps,../../etc,nosize\n\
             ScaledDirectories=48x48@2/apps\n\
             [16x16/apps]\nSize=16\nType=Fixed\n\
             [48x48/apps]\nSize=48\n\
             [scalable/apps]\nSize=128\nType=Scalable\nMinSize=8\nMaxSize=512\n\
             [../../etc]\nSize=48\n\
             [48x48@2/apps]\nSize=48\nScale=2\nType=Fixed\n",
        );
        assert_eq!(theme.inherits, ["Parent", "hicolor"]);
        let paths: Vec<&str> = theme.dirs.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            ["16x16/apps", "48x48/apps", "scalable/apps", "48x48@2/apps"]
        );
        let [fixed16, thr48, scalable, fixed48x2] = &theme.dirs[..] else {
            panic!("four directories")
        };
        assert!(fixed16.matches(16) && !fixed16.matches(17));
        assert_eq!(fixed16.distance(48), 32);
        assert!(thr48.matches(46) && thr48.matches(50) && !thr48.matches(51));
        assert_eq!(thr48.distance(64), 14);
        assert!(scalable.matches(8) && scalable.matches(512) && !scalable.matches(600));
        assert_eq!(scalable.distance(600), 88);
        assert!(!fixed48x2.matches(48));
        assert_eq!(fixed48x2.distance(96), 0);
    }
}

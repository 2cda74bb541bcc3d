//! The XDG session Boss runs in, as the application catalog needs it: the base directories
//! (`XDG_DATA_HOME`, `XDG_DATA_DIRS`), the current desktop, the messages locale (and the
//! Desktop Entry spec's order of locale names) and the user's icon theme.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::app::CatalogOptions;

/// Reads the session from the variables `var` gives (see [`CatalogOptions::from_env`]).
pub fn catalog_options(var: impl Fn(&str) -> Option<OsString>) -> CatalogOptions {
    // The spec says relative paths in these variables are invalid and must be ignored.
    let absolute = |value: OsString| Some(PathBuf::from(value)).filter(|p| p.is_absolute());
    let home = var("HOME").and_then(absolute);
    let data_home = var("XDG_DATA_HOME")
        .and_then(absolute)
        .or_else(|| home.as_ref().map(|h| h.join(".local/share")));
    let mut system: Vec<PathBuf> = var("XDG_DATA_DIRS")
        .map(|dirs| {
            std::env::split_paths(&dirs)
                .filter(|p| p.is_absolute())
                .collect()
        })
        .unwrap_or_default();
    if system.is_empty() {
        system = vec!["/usr/local/share".into(), "/usr/share".into()];
    }
    let mut data_dirs: Vec<PathBuf> = Vec::new();
    for dir in data_home.into_iter().chain(system) {
        if !data_dirs.contains(&dir) {
            data_dirs.push(dir);
        }
    }
    let current_desktops = var("XDG_CURRENT_DESKTOP")
        .map(|v| {
            v.to_string_lossy()
                .split(':')
                .filter(|d| !d.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(&var)
        .map(|v| v.to_string_lossy().into_owned())
        .find(|v| !v.is_empty());
    let config_home = var("XDG_CONFIG_HOME")
        .and_then(absolute)
        .or_else(|| home.as_ref().map(|h| h.join(".config")));
    let icon_theme = config_home.as_deref().and_then(icon_theme_setting);
    CatalogOptions {
        data_dirs,
        current_desktops,
        locale,
        icon_theme,
        icon_dirs: home.map(|h| h.join(".icons")).into_iter().collect(),
    }
}

/// The locale names to try for a localized key, best first, per the Desktop Entry spec:
/// `lang_COUNTRY@MODIFIER`, `lang_COUNTRY`, `lang@MODIFIER`, `lang` (the encoding is
/// dropped). Empty for no locale, `C` and `POSIX`.
pub fn locale_candidates(options: &CatalogOptions) -> Vec<String> {
    let Some(locale) = options.locale.as_deref().map(str::trim) else {
        return Vec::new();
    };
    let (rest, modifier) = match locale.split_once('@') {
        Some((rest, modifier)) => (rest, Some(modifier)),
        None => (locale, None),
    };
    let rest = rest
        .split_once('.')
        .map_or(rest, |(before, _encoding)| before);
    let (lang, country) = match rest.split_once('_') {
        Some((lang, country)) => (lang, Some(country)),
        None => (rest, None),
    };
    if lang.is_empty() || lang == "C" || lang == "POSIX" {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let (Some(country), Some(modifier)) = (country, modifier) {
        out.push(format!("{lang}_{country}@{modifier}"));
    }
    if let Some(country) = country {
        out.push(format!("{lang}_{country}"));
    }
    if let Some(modifier) = modifier {
        out.push(format!("{lang}@{modifier}"));
    }
    out.push(lang.to_string());
    out
}

/// The icon theme the user chose, from the GTK 3/4 `settings.ini` or KDE's `kdeglobals`.
/// (GNOME keeps it in dconf, which is not read: there `hicolor` is used.)
fn icon_theme_setting(config_home: &Path) -> Option<String> {
    let sources = [
        ("gtk-3.0/settings.ini", "Settings", "gtk-icon-theme-name"),
        ("gtk-4.0/settings.ini", "Settings", "gtk-icon-theme-name"),
        ("kdeglobals", "Icons", "Theme"),
    ];
    sources.into_iter().find_map(|(file, group, key)| {
        let text = std::fs::read_to_string(config_home.join(file)).ok()?;
        ini_value(&text, group, key)
    })
}

/// The value of `key` in `[group]` of an INI-style file, unquoted; `None` if absent or empty.
fn ini_value(text: &str, group: &str, key: &str) -> Option<String> {
    let mut in_group = false;
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_group = name == group;
        } else if in_group
            && let Some((k, v)) = line.split_once('=')
            && k.trim() == key
        {
            let v = v.trim().trim_matches('"').trim();
            return (!v.is_empty()).then(|| v.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn options_for(locale: &str) -> CatalogOptions {
        CatalogOptions {
            locale: Some(locale.to_string()),
            ..Default::default()
        }
    }

    #[test]
    fn locale_candidates_follow_the_spec_order() {
        assert_eq!(
            locale_candidates(&options_for("fr_FR.UTF-8")),
            ["fr_FR", "fr"]
        );
        assert_eq!(
            locale_candidates(&options_for("sr_RS.UTF-8@latin")),
            ["sr_RS@latin", "sr_RS", "sr@latin", "sr"]
        );
        assert_eq!(locale_candidates(&options_for("de")), ["de"]);
        assert!(locale_candidates(&options_for("C")).is_empty());
        assert!(locale_candidates(&options_for("C.UTF-8")).is_empty());
        assert!(locale_candidates(&options_for("POSIX")).is_empty());
        assert!(locale_candidates(&CatalogOptions::default()).is_empty());
    }

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let map: HashMap<String, OsString> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn options_from_variables() {
        let o = catalog_options(vars(&[
            ("HOME", "/home/ann"),
            (
                "XDG_DATA_DIRS",
                "/usr/share:relative/ignored:/var/lib/flatpak/exports/share",
            ),
            ("XDG_CURRENT_DESKTOP", "ubuntu:GNOME"),
            ("LC_MESSAGES", "fr_FR.UTF-8"),
            ("LANG", "de_DE.UTF-8"),
        ]));
        assert_eq!(
            o.data_dirs,
            [
                PathBuf::from("/home/ann/.local/share"),
                "/usr/share".into(),
                "/var/lib/flatpak/exports/share".into()
            ]
        );
        assert_eq!(o.current_desktops, ["ubuntu", "GNOME"]);
        assert_eq!(o.locale.as_deref(), Some("fr_FR.UTF-8"));
        assert_eq!(o.icon_dirs, [PathBuf::from("/home/ann/.icons")]);
    }

    #[test]
    fn options_without_home_or_variables_use_the_defaults_and_do_not_panic() {
        let o = catalog_options(vars(&[("LC_ALL", ""), ("LANG", "C")]));
        assert_eq!(
            o.data_dirs,
            [PathBuf::from("/usr/local/share"), "/usr/share".into()]
        );
        assert!(o.current_desktops.is_empty());
        assert_eq!(o.locale.as_deref(), Some("C"));
        assert_eq!(o.icon_theme, None);
        assert!(o.icon_dirs.is_empty());
    }

    #[test]
    fn explicit_data_home_comes_first_and_duplicates_go() {
        let o = catalog_options(vars(&[
            ("HOME", "/home/ann"),
            ("XDG_DATA_HOME", "/data"),
            ("XDG_DATA_DIRS", "/usr/share:/data:/usr/share"),
        ]));
        assert_eq!(o.data_dirs, [PathBuf::from("/data"), "/usr/share".into()]);
    }

    #[test]
    fn icon_theme_from_the_gtk_or_kde_settings() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_str().unwrap();
        std::fs::create_dir_all(dir.path().join(".config")).unwrap();
        std::fs::write(
            dir.path().join(".config/kdeglobals"),
            "[General]\nTheme=nope\n[Icons]\nTheme=breeze\n",
        )
        .unwrap();
        let o = catalog_options(vars(&[("HOME", home)]));
        assert_eq!(o.icon_theme.as_deref(), Some("breeze"));

        std::fs::create_dir_all(dir.path().join(".config/gtk-3.0")).unwrap();
        std::fs::write(
            dir.path().join(".config/gtk-3.0/settings.ini"),
            "[Settings]\ngtk-theme-name=Adwaita\ngtk-icon-theme-name = \"Papirus\"\n",
        )
        .unwrap();
        let o = catalog_options(vars(&[("HOME", home)]));
        assert_eq!(o.icon_theme.as_deref(), Some("Papirus"));
    }
}

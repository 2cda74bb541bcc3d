//! How a running program could be started again: what a session snapshot records about the
//! process behind a window.
//!
//! Linux reads `/proc/PID/{cmdline,cwd,exe,cgroup}`; elsewhere the call answers
//! [`Error::Unsupported`](crate::Error::Unsupported).

use serde::Serialize;

/// The command line, directory and application identity of a running process.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct ProcessCommand {
    pub pid: u32,
    /// The full argument vector, empty arguments kept (`/proc/PID/cmdline`).
    pub argv: Vec<String>,
    /// The working directory, when readable.
    pub cwd: Option<String>,
    /// The executable's path, when readable (without the kernel's ` (deleted)` mark).
    pub exe: Option<String>,
    /// The executable was deleted or replaced since the process started: running the same
    /// command again would not start the same program, if any.
    pub exe_deleted: bool,
    /// The desktop file ID the session's launcher put in the process's cgroup name
    /// (`app-<launcher>-<id>-<random>.scope` or `app-<launcher>-<id>@<random>.service`, the
    /// convention of systemd's desktop-environment integration that GNOME, KDE and Flatpak
    /// follow), without `.desktop`.
    pub app_id: Option<String>,
}

/// The desktop file ID in a cgroup unit name, by the XDG/systemd application unit convention:
/// `app[-<launcher>]-<ApplicationID>[@<RANDOM>].service` or
/// `app[-<launcher>]-<ApplicationID>-<RANDOM>.scope`. Dashes inside the ID are escaped as
/// `\x2d`, so the dash-separated parts are unambiguous. `None` for any other unit.
pub fn app_id_from_unit(unit: &str) -> Option<String> {
    let rest = unit.strip_prefix("app-")?;
    let body = if let Some(service) = rest.strip_suffix(".service") {
        // `@<RANDOM>` is optional for services.
        service.split_once('@').map_or(service, |(name, _)| name)
    } else {
        let scope = rest.strip_suffix(".scope")?;
        // The last part is the random suffix.
        scope.rsplit_once('-')?.0
    };
    let parts: Vec<&str> = body.split('-').collect();
    let id = match parts.as_slice() {
        [id] => *id,
        [_launcher, id] => *id,
        // More dashes than the convention allows: not one of ours to interpret.
        _ => return None,
    };
    let id = id.replace("\\x2d", "-");
    let id = id.strip_suffix(".desktop").unwrap_or(&id).to_string();
    (!id.is_empty()).then_some(id)
}

/// The unit name (the last path component) of a process's cgroup, from the text of
/// `/proc/PID/cgroup` (cgroup v2's `0::/path` line, else the systemd v1 hierarchy).
pub fn cgroup_unit(cgroup: &str) -> Option<&str> {
    let path = cgroup
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .or_else(|| {
            cgroup
                .lines()
                .find_map(|l| l.split_once(":name=systemd:").map(|(_, p)| p))
        })?;
    path.rsplit('/').find(|part| !part.is_empty())
}

#[cfg(test)]
mod tests {
    use super::{app_id_from_unit, cgroup_unit};

    #[test]
    fn app_ids_come_from_scopes_and_services_of_the_application_convention() {
        let cases = [
            (
                "app-gnome-org.gnome.Terminal-4242.scope",
                Some("org.gnome.Terminal"),
            ),
            (
                "app-flatpak-org.mozilla.firefox-12345.scope",
                Some("org.mozilla.firefox"),
            ),
            (
                "app-kde-org.kde.konsole@a1b2.service",
                Some("org.kde.konsole"),
            ),
            (
                "app-org.gnome.Calculator.service",
                Some("org.gnome.Calculator"),
            ),
            ("app-gnome-xterm\\x2dcopy-77.scope", Some("xterm-copy")),
            ("app-gnome-firefox.desktop-3.scope", Some("firefox")),
            ("session-3.scope", None),
            ("boss.service", None),
            ("app.slice", None),
        ];
        for (unit, id) in cases {
            assert_eq!(app_id_from_unit(unit).as_deref(), id, "{unit}");
        }
    }

    #[test]
    fn the_unit_is_the_last_part_of_the_unified_hierarchy_path() {
        let v2 = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-org.gnome.Terminal-4242.scope\n";
        assert_eq!(
            cgroup_unit(v2),
            Some("app-gnome-org.gnome.Terminal-4242.scope")
        );
        let v1 = "12:cpu:/\n1:name=systemd:/user.slice/app-kde-org.kde.konsole@a1.service\n";
        assert_eq!(cgroup_unit(v1), Some("app-kde-org.kde.konsole@a1.service"));
        assert_eq!(cgroup_unit("0::/\n"), None);
    }
}

//! The GNOME Shell window backend (Mutter on Wayland), through Boss's own shell extension.
//!
//! GNOME offers no window protocol and has disabled `org.gnome.Shell.Eval` since GNOME 41, so
//! Boss ships a small extension (`extension/`, built into the binary) that exports
//! `org.boss.Windows` at `/org/boss/Windows` on the shell's session-bus connection: `List`
//! (JSON), `Close` (`MetaWindow.delete`, the close button's polite request), `Activate` and
//! `Minimize`, and for sessions `Layout` (JSON: `get_frame_rect`, the client's size, maximized,
//! the place in `sort_windows_by_stacking`), `Place` (`move_resize_frame`,
//! `change_workspace_by_index`, `maximize`, `minimize`) and `Restack` (`raise`, no focus). [`install_extension`] writes it where GNOME Shell looks for user extensions and
//! [`enable_extension`] turns it on; the shell loads new extensions only at log-in on Wayland.
//!
//! GNOME Shell 45 loads extensions only as ES modules, and 43/44 only as scripts with
//! `imports.*`: the window logic is written once (`extension/windows.js`) and wrapped in
//! either form (`legacy.js`, `module.js`) when installed, the form chosen by the shell's
//! version ([`GnomeExtensionForm`]).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Laid, Seen, close_answer, distinct_locals, io_error, outcomes_in_order, watch_closes};
use crate::error::{Error, Result};
use crate::window::{
    CloseOutcome, GnomeExtensionEnabled, GnomeExtensionForm, GnomeExtensionInstalled,
    GnomeShellFound, Placement, SessionEnv, WindowId, WindowInfo, WindowLayout, WindowList,
    WindowSystem,
};

pub const BACKEND: &str = "gnome";
const LABEL: &str = "GNOME Shell (Wayland)";
/// The compositor, as messages and the window list name it.
const SHELL_NAME: &str = "GNOME Shell";
const SHELL: &str = "org.gnome.Shell";
const PATH: &str = "/org/boss/Windows";
const INTERFACE: &str = "org.boss.Windows";

/// The extension's id, its folder's name.
pub const EXTENSION_UUID: &str = "windows@boss-of-apps";

/// The window logic, shared by both forms.
const WINDOWS_JS: &str = include_str!("extension/windows.js");

/// Where a wrapper takes [`WINDOWS_JS`].
const WINDOWS_MARK: &str = "// @@WINDOWS@@\n";

/// `metadata.json`, its shell versions left empty (filled per form).
const METADATA: &str = include_str!("extension/metadata.json");
const NO_VERSIONS: &str = "\"shell-version\": []";

/// The extension's files in `form`, by name, for a GNOME Shell of `shell_version` when known
/// (see [`GnomeExtensionForm::declared_versions`]).
pub fn extension_files(
    form: GnomeExtensionForm,
    shell_version: Option<&str>,
) -> [(&'static str, String); 2] {
    let wrapper = match form {
        GnomeExtensionForm::Legacy => include_str!("extension/legacy.js"),
        GnomeExtensionForm::Module => include_str!("extension/module.js"),
    };
    let versions: Vec<String> = form
        .declared_versions(shell_version)
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect();
    let metadata = METADATA.replace(
        NO_VERSIONS,
        &format!("\"shell-version\": [{}]", versions.join(", ")),
    );
    let script = wrapper.replacen(WINDOWS_MARK, WINDOWS_JS, 1);
    [("metadata.json", metadata), ("extension.js", script)]
}

/// Writes the extension in `form` into `data_home` (`$XDG_DATA_HOME`, usually
/// `~/.local/share`): `gnome-shell/extensions/<uuid>/`. Returns that folder.
pub fn install_extension(
    data_home: &Path,
    form: GnomeExtensionForm,
    shell_version: Option<&str>,
) -> Result<PathBuf> {
    let dir = data_home
        .join("gnome-shell/extensions")
        .join(EXTENSION_UUID);
    let io = |what: String| {
        move |source| Error::Io {
            context: what,
            source,
        }
    };
    std::fs::create_dir_all(&dir).map_err(io(format!("cannot create '{}'", dir.display())))?;
    for (name, contents) in extension_files(form, shell_version) {
        let path = dir.join(name);
        std::fs::write(&path, contents)
            .map_err(io(format!("cannot write '{}'", path.display())))?;
    }
    Ok(dir)
}

/// Writes the extension in the form that fits the GNOME Shell of `session`: the running
/// shell's version (its `ShellVersion` on the session bus), else the installed one's
/// (`gnome-shell --version`), else the form for current shells (45 and later).
pub fn install_extension_for(
    data_home: &Path,
    session: &SessionEnv,
) -> Result<GnomeExtensionInstalled> {
    let shell_version = running_shell_version(session)
        .map(|v| (v, GnomeShellFound::Running))
        .or_else(|| installed_shell_version().map(|v| (v, GnomeShellFound::Installed)));
    let form = shell_version
        .as_ref()
        .and_then(|(v, _)| GnomeExtensionForm::for_shell_version(v))
        .unwrap_or(GnomeExtensionForm::Module);
    Ok(GnomeExtensionInstalled {
        dir: install_extension(
            data_home,
            form,
            shell_version.as_ref().map(|(v, _)| v.as_str()),
        )?,
        form,
        shell_version,
    })
}

/// The version of the GNOME Shell running in `session` (`org.gnome.Shell`'s `ShellVersion`
/// property, e.g. "48.7"); `None` when none answers.
pub fn running_shell_version(session: &SessionEnv) -> Option<String> {
    let conn = bus(session)?;
    let reply = zbus::block_on(conn.call_method(
        Some(SHELL),
        "/org/gnome/Shell",
        Some("org.freedesktop.DBus.Properties"),
        "Get",
        &(SHELL, "ShellVersion"),
    ))
    .ok()?;
    let value: zbus::OwnedVariant = reply.body().deserialize().ok()?;
    String::try_from(value).ok().filter(|v| !v.is_empty())
}

/// The version of the `gnome-shell` on `PATH` ("GNOME Shell 48.7" gives "48.7").
fn installed_shell_version() -> Option<String> {
    let out = Command::new("gnome-shell")
        .arg("--version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let version = text.trim().strip_prefix("GNOME Shell ")?.trim();
    (out.status.success() && !version.is_empty()).then(|| version.to_string())
}

/// Enables the extension: through the running shell when it knows the extension, else in
/// the `org.gnome.shell enabled-extensions` setting (added to what is there). Runs
/// `gnome-extensions` and `gsettings` with this process's environment (its session bus).
pub fn enable_extension() -> Result<GnomeExtensionEnabled> {
    let quiet = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
    };
    if quiet("gnome-extensions", &["enable", EXTENSION_UUID]).is_ok_and(|out| out.status.success())
    {
        return Ok(GnomeExtensionEnabled::Running);
    }
    let failed = |what: &str, e: String| {
        super::io_error(
            format!("cannot {what} the GNOME setting org.gnome.shell enabled-extensions"),
            e,
        )
    };
    let key = ["org.gnome.shell", "enabled-extensions"];
    let out =
        quiet("gsettings", &["get", key[0], key[1]]).map_err(|e| failed("read", e.to_string()))?;
    if !out.status.success() {
        return Err(failed("read", "gsettings failed".into()));
    }
    let current = String::from_utf8_lossy(&out.stdout);
    let value = with_uuid(current.trim());
    let out = quiet("gsettings", &["set", key[0], key[1], &value])
        .map_err(|e| failed("change", e.to_string()))?;
    if !out.status.success() {
        return Err(failed("change", "gsettings failed".into()));
    }
    Ok(GnomeExtensionEnabled::AtNextLogin)
}

/// The GVariant string list `current` (as `gsettings get` prints it) with the extension added.
fn with_uuid(current: &str) -> String {
    let inner = current
        .trim_start_matches("@as ")
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim();
    let mut items: Vec<String> = inner
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let quoted = format!("'{EXTENSION_UUID}'");
    if !items.contains(&quoted) {
        items.push(quoted);
    }
    format!("[{}]", items.join(", "))
}

/// The windows of a GNOME Shell session, through Boss's extension.
pub struct GnomeWindows {
    conn: zbus::Connection,
}

/// Mutter's id of a window (digits), if `id` is a GNOME one.
fn local_id(id: &WindowId) -> Option<&str> {
    let local = id.local(BACKEND)?;
    (local.len() <= 20 && local.bytes().all(|b| b.is_ascii_digit())).then_some(local)
}

/// Why calling `method` of the extension failed, from the D-Bus error's name (`error_name`)
/// and the error: an extension older than Boss (installed before `method` was added, until the
/// next log-in after installing the new one) lacks the method, and that says what to do.
fn call_failed(method: &str, error_name: Option<&str>, e: &dyn std::fmt::Display) -> Error {
    if error_name == Some("org.freedesktop.DBus.Error.UnknownMethod") {
        return Error::Unsupported(format!(
            "GNOME Shell windows: Boss's extension is older than Boss and has no {method}: run \
             `boss desktop gnome-extension install`, then log out and in again"
        ));
    }
    Error::Unsupported(format!(
        "GNOME Shell windows: Boss's extension does not answer ({e})"
    ))
}

/// Connects to the session bus of `session`; `None` without one.
fn bus(session: &SessionEnv) -> Option<zbus::Connection> {
    let address = super::session_bus_address(session)?;
    zbus::block_on(zbus::connection::Builder::address(address.as_str()).build()).ok()
}

impl GnomeWindows {
    /// Connects to the session bus of `session` and checks that Boss's extension answers
    /// there; `None` when it does not (see [`GnomeWindows::missing_extension`]).
    pub fn connect(session: &SessionEnv) -> Option<GnomeWindows> {
        let windows = GnomeWindows {
            conn: bus(session)?,
        };
        windows.seen().ok()?;
        Some(windows)
    }

    /// Why there are no GNOME windows although GNOME Shell runs in `session`: the extension is
    /// not installed, not enabled, or not loaded yet. `None` when no GNOME Shell is on the
    /// bus, or the extension answers.
    pub fn missing_extension(session: &SessionEnv) -> Option<String> {
        let conn = bus(session)?;
        let shell_runs = zbus::block_on(conn.call_method(
            Some("org.freedesktop.DBus"),
            "/org/freedesktop/DBus",
            Some("org.freedesktop.DBus"),
            "NameHasOwner",
            &(SHELL,),
        ))
        .ok()
        .and_then(|reply| reply.body().deserialize::<bool>().ok())
        .unwrap_or(false);
        if !shell_runs || (GnomeWindows { conn }).seen().is_ok() {
            return None;
        }
        Some(format!(
            "GNOME Shell runs, but Boss's extension ({EXTENSION_UUID}) does not answer: run \
             `boss desktop gnome-extension install`, then log out and in again"
        ))
    }

    fn call(&self, method: &str, arg: Option<&str>) -> Result<String> {
        match arg {
            Some(arg) => self.call_with(method, &(arg,)),
            None => self.call_with(method, &()),
        }
    }

    /// Calls `method` of the extension with `body`; its answer is one string.
    fn call_with<B>(&self, method: &str, body: &B) -> Result<String>
    where
        B: serde::Serialize + zbus::zvariant::DynamicType,
    {
        let reply = zbus::block_on(self.conn.call_method(
            Some(SHELL),
            PATH,
            Some(INTERFACE),
            method,
            body,
        ))
        .map_err(|e| {
            // zbus gives the standard D-Bus errors as `FDO`, others by name.
            let name = match &e {
                zbus::Error::FDO(fdo) if matches!(**fdo, zbus::fdo::Error::UnknownMethod(_)) => {
                    Some("org.freedesktop.DBus.Error.UnknownMethod")
                }
                zbus::Error::MethodError(name, _, _) => Some(name.as_str()),
                _ => None,
            };
            call_failed(method, name, &e)
        })?;
        reply
            .body()
            .deserialize::<String>()
            .map_err(|e| io_error("the GNOME extension's answer", e))
    }

    fn seen(&self) -> Result<Vec<Seen>> {
        let json = self.call("List", None)?;
        serde_json::from_str(&json).map_err(|e| io_error("the GNOME extension's window list", e))
    }

    fn act(&self, method: &str, id: &WindowId) -> Result<()> {
        let not_found = || Error::NotFound(format!("window {id}"));
        let local = local_id(id).ok_or_else(not_found)?;
        self.answered(id, &self.call(method, Some(local))?)
    }

    /// The result of an action on window `id` as the extension answered it.
    fn answered(&self, id: &WindowId, answer: &str) -> Result<()> {
        let not_found = || Error::NotFound(format!("window {id}"));
        match answer {
            "done" => Ok(()),
            "unsupported" => Err(Error::Unsupported(format!(
                "GNOME Shell does not allow that for window {id}"
            ))),
            _ => Err(not_found()),
        }
    }

    fn close_all(
        &self,
        ids: &[WindowId],
        timeout: Duration,
    ) -> Result<std::collections::HashMap<String, CloseOutcome>> {
        let started = Instant::now();
        let targets = distinct_locals(ids, local_id);
        let mut outcomes = std::collections::HashMap::new();
        if targets.is_empty() {
            return Ok(outcomes);
        }
        let before = self.seen()?;
        let mut sent = Vec::new();
        for &local in &targets {
            match close_answer(Some(&self.call("Close", Some(local))?)) {
                None => sent.push(local),
                Some(outcome) => {
                    outcomes.insert(local.to_string(), outcome);
                }
            }
        }
        outcomes.extend(watch_closes(&before, &sent, started + timeout, || {
            self.seen()
        })?);
        Ok(outcomes)
    }
}

impl WindowSystem for GnomeWindows {
    fn list(&self) -> WindowList {
        match self.seen() {
            Ok(seen) => WindowList::answered(
                BACKEND,
                LABEL,
                SHELL_NAME,
                seen.iter().map(|w| w.info(BACKEND)).collect(),
            ),
            Err(e) => {
                let mut list = WindowList::unavailable(BACKEND, e.to_string());
                list.label = LABEL.to_string();
                list
            }
        }
    }

    fn close_many(
        &self,
        ids: &[WindowId],
        timeout: Duration,
    ) -> Vec<(WindowId, Result<CloseOutcome>)> {
        outcomes_in_order(ids, self.close_all(ids, timeout), local_id, SHELL_NAME)
    }

    fn activate(&self, id: &WindowId) -> Result<()> {
        self.act("Activate", id)
    }

    fn minimize(&self, id: &WindowId) -> Result<()> {
        self.act("Minimize", id)
    }

    fn layout(&self, window: &WindowInfo) -> Result<WindowLayout> {
        let id = &window.id;
        let not_found = || Error::NotFound(format!("window {id}"));
        let local = local_id(id).ok_or_else(not_found)?;
        let answer = self.call("Layout", Some(local))?;
        if answer == "gone" {
            return Err(not_found());
        }
        let laid: Laid = serde_json::from_str(&answer)
            .map_err(|e| io_error("the GNOME extension's window layout", e))?;
        Ok(laid.into())
    }

    fn place(&self, window: &WindowInfo, placement: &Placement) -> Result<()> {
        let id = &window.id;
        let local = local_id(id).ok_or_else(|| Error::NotFound(format!("window {id}")))?;
        let place = |p: &Placement| {
            let json = serde_json::to_string(p)
                .map_err(|e| io_error("the placement for the GNOME extension", e))?;
            self.answered(id, &self.call_with("Place", &(local, json.as_str()))?)
        };
        super::place_in_steps(placement, place, || Ok(self.layout(window)?.geometry))
    }

    fn restack(&self, windows: &[WindowInfo]) -> Result<()> {
        let ids: Vec<&str> = windows.iter().filter_map(|w| local_id(&w.id)).collect();
        if ids.is_empty() {
            return Ok(());
        }
        self.call_with("Restack", &(ids,)).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enabling_adds_the_extension_to_the_setting_once() {
        let uuid = format!("'{EXTENSION_UUID}'");
        assert_eq!(with_uuid("@as []"), format!("[{uuid}]"));
        assert_eq!(with_uuid("['a@b']"), format!("['a@b', {uuid}]"));
        assert_eq!(
            with_uuid(&format!("['a@b', {uuid}]")),
            format!("['a@b', {uuid}]")
        );
    }

    #[test]
    fn an_extension_older_than_boss_is_told_apart_from_one_that_does_not_answer() {
        let message = |name| match call_failed("Place", name, &"no reply") {
            Error::Unsupported(m) => m,
            other => panic!("expected Unsupported, got {other:?}"),
        };
        let old = message(Some("org.freedesktop.DBus.Error.UnknownMethod"));
        assert!(old.contains("older than Boss and has no Place"), "{old}");
        assert!(
            old.contains("boss desktop gnome-extension install"),
            "{old}"
        );
        let silent = message(Some("org.freedesktop.DBus.Error.ServiceUnknown"));
        assert!(silent.contains("does not answer (no reply)"), "{silent}");
        assert_eq!(message(None), silent);
    }

    #[test]
    fn only_numeric_gnome_ids_are_sent_to_the_shell() {
        assert_eq!(
            local_id(&WindowId::new(BACKEND, 1256976951)),
            Some("1256976951")
        );
        for bad in ["gnome:12a", "gnome:'1'", "kwin:1"] {
            assert_eq!(local_id(&WindowId::parse(bad).unwrap()), None, "{bad}");
        }
    }

    #[test]
    fn each_form_of_the_extension_declares_its_shell_versions_and_holds_the_window_logic() {
        for (form, versions, entry) in [
            (
                GnomeExtensionForm::Legacy,
                "[\"43\", \"44\"]",
                "function init()",
            ),
            (
                GnomeExtensionForm::Module,
                "[\"45\", \"46\", \"47\", \"48\", \"49\"]",
                "export default class",
            ),
        ] {
            let [(_, metadata), (_, script)] = extension_files(form, None);
            let parsed: serde_json::Value = serde_json::from_str(&metadata).unwrap();
            assert_eq!(parsed["uuid"], EXTENSION_UUID);
            assert!(
                metadata.contains(&format!("\"shell-version\": {versions}")),
                "{metadata}"
            );
            assert!(script.contains(entry), "{form:?}");
            assert!(script.contains("class BossWindows"), "{form:?}");
            assert!(!script.contains("@@WINDOWS@@"), "{form:?}");
        }
        // Only the module form uses ES-module syntax, which GNOME Shell 43 cannot parse.
        let [_, (_, legacy)] = extension_files(GnomeExtensionForm::Legacy, None);
        assert!(!legacy.contains("import ") && !legacy.contains("export "));
    }

    #[test]
    fn a_shell_newer_than_the_declared_versions_is_named_in_the_module_metadata() {
        use GnomeExtensionForm::{Legacy, Module};
        let declared = |form: GnomeExtensionForm, version| {
            let [(_, metadata), _] = extension_files(form, version);
            let parsed: serde_json::Value = serde_json::from_str(&metadata).unwrap();
            parsed["shell-version"].as_array().unwrap().len()
        };
        assert_eq!(declared(Module, Some("51.2")), 6);
        assert_eq!(declared(Module, Some("GNOME Shell 48.7")), 5);
        assert_eq!(declared(Module, None), 5);
        assert_eq!(declared(Legacy, Some("44.1")), 2);
    }

    #[test]
    fn the_form_follows_the_shell_version() {
        use GnomeExtensionForm::{Legacy, Module};
        for (version, form) in [
            ("43.9", Some(Legacy)),
            ("44.beta", Some(Legacy)),
            ("45.0", Some(Module)),
            ("GNOME Shell 48.7", Some(Module)),
            ("50", Some(Module)),
            ("", None),
            ("unknown", None),
        ] {
            assert_eq!(
                GnomeExtensionForm::for_shell_version(version),
                form,
                "{version}"
            );
        }
    }
}

//! Saved desks ("sessions"): what a snapshot of the open apps and windows holds, and taking
//! one. Restoring lives in `actions::sessions`, as it changes the machine.
//!
//! A snapshot groups the top-level windows by the process behind them: one app per process,
//! with how to start it again (best source first: Boss's own launch record, the desktop entry,
//! X11 `WM_COMMAND`, `/proc/PID/cmdline`) and where each of its windows was. Window ids are
//! not kept: they mean nothing after the windows closed.

use std::collections::HashMap;

use platform::{AppEntry, Catalog, Placement, ProcessCommand, WindowInfo, WindowLayout};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::store::Launch;

/// Where the command that starts an app again came from, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommandSource {
    /// Boss launched it: the exact argv, directory and desktop id it used.
    Launch,
    /// The desktop entry (found from the cgroup's app id, `StartupWMClass` or the file name).
    DesktopEntry,
    /// The client's X11 `WM_COMMAND`.
    WmCommand,
    /// The process's command line and working directory.
    Cmdline,
}

/// How sure Boss is that the command starts the same thing again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    High,
    Medium,
    Low,
}

/// One window of a saved app: where it was and how it was shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SessionWindow {
    pub title: String,
    pub class: String,
    #[serde(default)]
    pub instance: String,
    /// Counted from 0; -1: on all desktops.
    pub desktop: Option<i64>,
    /// The outer frame's left edge.
    pub x: i32,
    /// The outer frame's top edge.
    pub y: i32,
    /// The client area's size.
    pub width: u32,
    pub height: u32,
    pub maximized: bool,
    pub minimized: bool,
    /// Placed by a tiling layout (sway): its geometry is the layout's, not its own.
    #[serde(default)]
    pub tiled: bool,
    /// Its place among all the session's windows in the stacking order, 0 the bottom-most
    /// (on sway: the focus history of its workspace); the order they were listed in where
    /// the window system tells no stacking. A restore raises the windows in this order.
    #[serde(default)]
    pub order: u32,
}

impl SessionWindow {
    /// What to ask the window system to put a window back like this one.
    pub fn placement(&self) -> Placement {
        Placement {
            desktop: self.desktop,
            geometry: Some(platform::Geometry {
                x: self.x,
                y: self.y,
                width: self.width,
                height: self.height,
            }),
            maximized: self.maximized,
            minimized: self.minimized,
            tiled: Some(self.tiled),
        }
    }

    /// Whether a window now at `layout` on `desktop` (minimized or not) already sits here,
    /// within what managers change when they place a window (edge snapping, size increments).
    pub fn matches(&self, desktop: Option<i64>, minimized: bool, layout: &WindowLayout) -> bool {
        const TOLERANCE: i64 = 16;
        let near = |a: i64, b: i64| (a - b).abs() <= TOLERANCE;
        let g = layout.geometry;
        // A tiled window's geometry is its layout's: no use comparing it.
        let geometry_ok = self.maximized
            || self.tiled
            || (near(g.x.into(), self.x.into())
                && near(g.y.into(), self.y.into())
                && near(g.width.into(), self.width.into())
                && near(g.height.into(), self.height.into()));
        (self.desktop.is_none() || desktop == self.desktop)
            && minimized == self.minimized
            && layout.maximized == self.maximized
            && layout.tiled == self.tiled
            && geometry_ok
    }
}

/// One saved app: a process and its windows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SessionApp {
    /// Unique within the session (`xterm-2`).
    pub key: String,
    pub name: String,
    /// The desktop file id, when one matched.
    pub desktop_id: Option<String>,
    /// The command that starts it again (empty when unrestorable).
    pub argv: Vec<String>,
    pub cwd: Option<String>,
    pub source: Option<CommandSource>,
    pub confidence: Option<Confidence>,
    pub restorable: bool,
    /// Why it cannot be restored.
    pub reason: Option<String>,
    /// The executable that ran, to recognise it running again.
    #[serde(default)]
    pub exe: Option<String>,
    pub windows: Vec<SessionWindow>,
}

/// The stored contents of a session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub apps: Vec<SessionApp>,
}

impl Snapshot {
    pub fn window_count(&self) -> usize {
        self.apps.iter().map(|a| a.windows.len()).sum()
    }
}

/// What the snapshot needs to know about one window, read from the system (blocking). No
/// window id: it means nothing once the window has closed.
pub struct SeenWindow {
    pub title: String,
    pub class: String,
    pub instance: String,
    pub pid: Option<u32>,
    pub desktop: Option<i64>,
    pub minimized: bool,
    pub layout: Option<WindowLayout>,
}

impl SeenWindow {
    pub fn new(info: &WindowInfo, layout: Option<WindowLayout>) -> Self {
        Self {
            title: info.title.clone(),
            class: info.class.clone(),
            instance: info.instance.clone(),
            pid: info.pid,
            desktop: info.desktop,
            minimized: info.minimized,
            layout,
        }
    }
}

/// The process behind windows, read from the system (blocking).
pub struct SeenProcess {
    pub command: Option<ProcessCommand>,
    /// The process's start time, to tell a launch record's PID from a reused one.
    pub start_ticks: Option<u64>,
}

/// Builds the snapshot from what was read: windows (in the list's order), their processes,
/// Boss's running launches and the app catalog. Pure, so the rules can be tested alone.
pub fn build(
    windows: Vec<SeenWindow>,
    processes: &HashMap<u32, SeenProcess>,
    launches: &[Launch],
    catalog: &Catalog,
) -> Snapshot {
    // Each window's place in the stacking order, bottom first (the list's order breaks ties
    // and stands in where the window system tells no stacking).
    let mut by_stacking: Vec<usize> = (0..windows.len()).collect();
    by_stacking.sort_by_key(|&i| {
        let stacking = windows[i].layout.as_ref().and_then(|l| l.stacking);
        (stacking.unwrap_or(u32::MAX), i)
    });
    let mut orders = vec![0u32; windows.len()];
    for (order, &i) in (0u32..).zip(&by_stacking) {
        orders[i] = order;
    }
    // Group by process, in the order the first window of each appears.
    type Group = (Option<u32>, Vec<SeenWindow>, Vec<u32>);
    let mut groups: Vec<Group> = Vec::new();
    for (order, window) in orders.into_iter().zip(windows) {
        let pid = window.pid;
        match groups
            .iter_mut()
            .find(|(p, _, _)| pid.is_some() && *p == pid)
        {
            Some((_, list, orders)) => {
                list.push(window);
                orders.push(order);
            }
            None => groups.push((pid, vec![window], vec![order])),
        }
    }
    let mut apps = Vec::new();
    let mut keys: HashMap<String, usize> = HashMap::new();
    for (pid, windows, orders) in groups {
        let process = pid.and_then(|p| processes.get(&p));
        let mut app = describe(pid, process, &windows, launches, catalog);
        let base = slug(&app.name);
        let n = keys.entry(base.clone()).or_default();
        *n += 1;
        app.key = format!("{base}-{n}");
        app.windows = windows
            .iter()
            .zip(orders)
            .map(|(w, order)| saved_window(w, order))
            .collect();
        apps.push(app);
    }
    Snapshot { apps }
}

fn saved_window(w: &SeenWindow, order: u32) -> SessionWindow {
    let layout = w.layout.clone().unwrap_or_default();
    SessionWindow {
        title: w.title.clone(),
        class: w.class.clone(),
        instance: w.instance.clone(),
        desktop: w.desktop,
        x: layout.geometry.x,
        y: layout.geometry.y,
        width: layout.geometry.width,
        height: layout.geometry.height,
        maximized: layout.maximized,
        minimized: w.minimized,
        tiled: layout.tiled,
        order,
    }
}

/// A key-friendly version of a name: lowercase letters, digits and dashes.
fn slug(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_matches('-').to_string();
    if slug.is_empty() { "app".into() } else { slug }
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The catalog entry this process or its windows belong to: the cgroup's app id, else a
/// window's class against `StartupWMClass`, else the class or instance as a desktop file name.
fn find_entry<'c>(
    command: Option<&ProcessCommand>,
    windows: &[SeenWindow],
    catalog: &'c Catalog,
) -> Option<(&'c AppEntry, bool)> {
    if let Some(entry) = command
        .and_then(|c| c.app_id.as_deref())
        .and_then(|id| catalog.get(id))
    {
        return Some((entry, true));
    }
    let entries = catalog.entries();
    windows.iter().find_map(|w| {
        let class = &w.class;
        let instance = &w.instance;
        entries
            .iter()
            .find(|e| {
                e.startup_wm_class
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(class))
            })
            .or_else(|| {
                entries.iter().find(|e| {
                    (!class.is_empty() && e.id.eq_ignore_ascii_case(class))
                        || (!instance.is_empty() && e.id.eq_ignore_ascii_case(instance))
                })
            })
            .map(|e| (e, false))
    })
}

fn unrestorable(name: String, reason: impl Into<String>) -> SessionApp {
    SessionApp {
        key: String::new(),
        name,
        desktop_id: None,
        argv: Vec::new(),
        cwd: None,
        source: None,
        confidence: None,
        restorable: false,
        reason: Some(reason.into()),
        exe: None,
        windows: Vec::new(),
    }
}

/// How to start one process's app again.
fn describe(
    pid: Option<u32>,
    process: Option<&SeenProcess>,
    windows: &[SeenWindow],
    launches: &[Launch],
    catalog: &Catalog,
) -> SessionApp {
    let first = &windows[0];
    let fallback_name = if first.class.is_empty() {
        first.title.clone()
    } else {
        first.class.clone()
    };
    let Some(pid) = pid else {
        return unrestorable(
            fallback_name,
            "the window does not say which process owns it (a remote client?)",
        );
    };
    let command = process.and_then(|p| p.command.as_ref());
    let entry = find_entry(command, windows, catalog);
    let name = entry
        .map(|(e, _)| e.name.clone())
        .or_else(|| {
            command
                .and_then(|c| c.exe.as_deref().or(c.argv.first().map(String::as_str)))
                .map(|exe| basename(exe).to_string())
        })
        .unwrap_or(fallback_name);
    let Some(command) = command else {
        return unrestorable(name, format!("process {pid} could not be read"));
    };
    let mut app = SessionApp {
        key: String::new(),
        name,
        desktop_id: entry.map(|(e, _)| e.id.clone()),
        argv: Vec::new(),
        cwd: command.cwd.clone(),
        source: None,
        confidence: None,
        restorable: true,
        reason: None,
        exe: command.exe.clone(),
        windows: Vec::new(),
    };
    if command.exe_deleted {
        app.restorable = false;
        app.reason = Some(format!(
            "its program {} was deleted or replaced since it started",
            command.exe.as_deref().unwrap_or("(unknown)")
        ));
        app.argv = command.argv.clone();
        return app;
    }

    // 1. Boss launched it (the same process: PID and start time).
    let launched = launches.iter().find(|l| {
        l.record.pid == Some(pid)
            && l.record.start_ticks.is_some()
            && l.record.start_ticks == process.and_then(|p| p.start_ticks)
    });
    if let Some(launch) = launched {
        app.argv = launch.record.argv.clone();
        app.cwd = launch.record.cwd.clone();
        app.desktop_id = launch.record.app_id.clone().or(app.desktop_id);
        app.source = Some(CommandSource::Launch);
        app.confidence = Some(Confidence::High);
        return app;
    }

    // What the program says (WM_COMMAND), else what the kernel says.
    let wm_command = windows
        .iter()
        .find_map(|w| w.layout.as_ref().and_then(|l| l.command.clone()));
    let (argv, source) = match wm_command {
        Some(argv) => (argv, CommandSource::WmCommand),
        None => (command.argv.clone(), CommandSource::Cmdline),
    };

    // 2. The desktop entry, unless the process ran with arguments of its own: an
    // `xterm -T notes -e vim` is restored with them, not as a bare `xterm`.
    if let Some((entry, from_cgroup)) = entry {
        let entry_argv = platform::exec_argv(entry, &[]).unwrap_or_default();
        let own_arguments = argv.len() > 1 && argv.get(1..) != entry_argv.get(1..);
        if !own_arguments && !entry_argv.is_empty() {
            app.argv = entry_argv;
            app.cwd = entry.path.clone().or(app.cwd);
            app.source = Some(CommandSource::DesktopEntry);
            app.confidence = Some(if from_cgroup {
                Confidence::High
            } else {
                Confidence::Medium
            });
            return app;
        }
    }

    // 3. and 4.
    if argv.is_empty() {
        app.restorable = false;
        app.reason = Some(format!("process {pid} has no command line to run again"));
        return app;
    }
    app.confidence = Some(match source {
        CommandSource::WmCommand => Confidence::Medium,
        _ => Confidence::Low,
    });
    app.argv = argv;
    app.source = Some(source);
    app
}

/// Whether the running process `command` is `app` by its command line (the program compared
/// by name, so `/usr/bin/xterm` is `xterm`).
pub fn same_command(app: &SessionApp, command: &ProcessCommand) -> bool {
    !app.argv.is_empty()
        && app.argv.len() == command.argv.len()
        && basename(&app.argv[0]) == basename(&command.argv[0])
        && app.argv[1..] == command.argv[1..]
}

/// Whether the running process `command` is an instance of `app`, an app restored from its
/// bare desktop entry, by desktop id or executable: such apps usually run as one instance
/// with a command line of their own (`firefox` runs as `firefox-esr`). Apps saved with
/// arguments of their own (`xterm -T notes`) are only ever matched by [`same_command`].
pub fn same_program(app: &SessionApp, command: &ProcessCommand) -> bool {
    let bare_entry = app.source == Some(CommandSource::DesktopEntry)
        || (app.source == Some(CommandSource::Launch) && app.argv.len() <= 1);
    bare_entry
        && (app
            .desktop_id
            .as_ref()
            .is_some_and(|id| command.app_id.as_ref() == Some(id))
            || app
                .exe
                .as_ref()
                .is_some_and(|exe| command.exe.as_ref() == Some(exe)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(pid: Option<u32>, title: &str, class: &str, command: Option<&[&str]>) -> SeenWindow {
        SeenWindow {
            title: title.into(),
            class: class.into(),
            instance: class.to_lowercase(),
            pid,
            desktop: Some(1),
            minimized: false,
            layout: Some(WindowLayout {
                geometry: platform::Geometry {
                    x: 10,
                    y: 20,
                    width: 300,
                    height: 200,
                },
                maximized: false,
                tiled: false,
                stacking: None,
                command: command.map(|c| c.iter().map(|s| s.to_string()).collect()),
            }),
        }
    }

    fn process(argv: &[&str], exe: &str, deleted: bool) -> SeenProcess {
        SeenProcess {
            command: Some(ProcessCommand {
                pid: 0,
                argv: argv.iter().map(|s| s.to_string()).collect(),
                cwd: Some("/home/me".into()),
                exe: Some(exe.into()),
                exe_deleted: deleted,
                app_id: None,
            }),
            start_ticks: Some(7),
        }
    }

    fn xterm_entry() -> AppEntry {
        AppEntry {
            id: "debian-xterm".into(),
            name: "XTerm".into(),
            generic_name: None,
            comment: None,
            keywords: vec![],
            categories: vec![],
            icon: None,
            exec: "xterm".into(),
            terminal: false,
            path: None,
            startup_wm_class: Some("XTerm".into()),
            file: "/usr/share/applications/debian-xterm.desktop".into(),
        }
    }

    #[test]
    fn a_desktop_entry_never_replaces_a_fuller_command() {
        let catalog = Catalog::from_entries(vec![xterm_entry()]);
        let argv = ["xterm", "-T", "notes", "-e", "vim"];
        let processes = HashMap::from([
            (10, process(&argv, "/usr/bin/xterm", false)),
            (11, process(&["xterm"], "/usr/bin/xterm", false)),
        ]);
        let snapshot = build(
            vec![
                window(Some(10), "notes", "XTerm", None),
                window(Some(11), "bare", "XTerm", None),
            ],
            &processes,
            &[],
            &catalog,
        );
        let [full, bare] = &snapshot.apps[..] else {
            panic!("{snapshot:?}")
        };
        assert_eq!(full.argv, argv);
        assert_eq!(full.source, Some(CommandSource::Cmdline));
        assert_eq!(full.desktop_id.as_deref(), Some("debian-xterm"));
        assert_eq!(bare.argv, ["xterm"]);
        assert_eq!(bare.source, Some(CommandSource::DesktopEntry));
        assert_eq!(
            (full.key.as_str(), bare.key.as_str()),
            ("xterm-1", "xterm-2")
        );
        assert_eq!((full.windows[0].order, bare.windows[0].order), (0, 1));
    }

    #[test]
    fn windows_keep_their_stacking_order_bottom_first_whatever_the_list_order() {
        let processes = HashMap::from([
            (10, process(&["tool"], "/usr/bin/tool", false)),
            (11, process(&["tool"], "/usr/bin/tool", false)),
        ]);
        let stacked = |pid, title, stacking| {
            let mut w = window(Some(pid), title, "Tool", None);
            w.layout.as_mut().unwrap().stacking = Some(stacking);
            w
        };
        let snapshot = build(
            vec![stacked(10, "front", 7), stacked(11, "back", 2)],
            &processes,
            &[],
            &Catalog::default(),
        );
        let orders: Vec<(&str, u32)> = snapshot
            .apps
            .iter()
            .flat_map(|a| &a.windows)
            .map(|w| (w.title.as_str(), w.order))
            .collect();
        assert_eq!(orders, [("front", 1), ("back", 0)]);
    }

    #[test]
    fn a_deleted_program_and_an_unknown_owner_are_unrestorable() {
        let processes = HashMap::from([(10, process(&["/tmp/x/tool"], "/tmp/x/tool", true))]);
        let snapshot = build(
            vec![
                window(Some(10), "tool", "Tool", None),
                window(None, "remote", "Remote", None),
            ],
            &processes,
            &[],
            &Catalog::default(),
        );
        assert!(
            snapshot
                .apps
                .iter()
                .all(|a| !a.restorable && a.reason.is_some())
        );
    }

    #[test]
    fn wm_command_is_preferred_to_the_kernel_command_line() {
        let processes = HashMap::from([(10, process(&["tool", "--x"], "/usr/bin/tool", false))]);
        let snapshot = build(
            vec![window(Some(10), "t", "Tool", Some(&["tool", "--restore"]))],
            &processes,
            &[],
            &Catalog::default(),
        );
        assert_eq!(snapshot.apps[0].argv, ["tool", "--restore"]);
        assert_eq!(snapshot.apps[0].source, Some(CommandSource::WmCommand));
        assert_eq!(snapshot.window_count(), 1);
    }

    #[test]
    fn a_running_process_is_the_app_by_command_line_or_for_bare_entries_by_program() {
        let mut app = unrestorable("x".into(), "");
        app.argv = vec!["/usr/bin/xterm".into(), "-T".into(), "a".into()];
        app.source = Some(CommandSource::Cmdline);
        app.exe = Some("/usr/bin/xterm".into());
        let running = |argv: &[&str]| ProcessCommand {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            exe: Some("/usr/bin/xterm".into()),
            ..ProcessCommand::default()
        };
        assert!(same_command(&app, &running(&["xterm", "-T", "a"])));
        assert!(!same_command(&app, &running(&["xterm", "-T", "b"])));
        assert!(!same_program(&app, &running(&["xterm", "-T", "b"])));
        app.source = Some(CommandSource::DesktopEntry);
        assert!(same_program(&app, &running(&["xterm", "-T", "b"])));
    }
}

//! A private KWin Wayland session: `kwin_wayland --virtual` (no GPU, no seat) on a D-Bus
//! session bus of its own, with its own runtime directory. Ended by PID on drop.
//!
//! Debian's `/usr/bin/kwin_wayland` carries a file capability (`cap_sys_resource`) that a
//! container may not grant ("Operation not permitted"): the fixture runs a plain copy, which
//! has none, under the same file name (KWin's built-in Qt platform plugin is found by it).
//!
//! [`Kwin::start`] runs this machine's KWin (5.27 on Debian 12); [`Kwin::start_in`] the one of
//! another [`Distro`] (KWin 6, Plasma 6's, from the Debian 13 root).

use std::path::PathBuf;
use std::time::Instant;

use platform::{SessionEnv, WindowInfo, WindowSystem};

use crate::desktop::{PATIENCE, eventually};
use crate::distro::Distro;
use crate::gtk::{
    GtkWindow, PYTHON, WaylandSession, bus_and_pid, end_compositor, start_compositor,
};
use crate::process::Process;

const KWIN: &str = "/usr/bin/kwin_wayland";
const SOCKET: &str = "wayland-boss";

/// KWin on its own bus, in a temporary directory.
pub struct Kwin {
    /// The bus (`dbus-run-session`, whose child KWin is).
    session: Option<Process>,
    kwin_pid: u32,
    pub bus: String,
    pub runtime_dir: PathBuf,
    dir: tempfile::TempDir,
}

impl Kwin {
    /// Starts this machine's KWin. `None`: skipped (prerequisites missing, not in CI).
    pub fn start() -> Option<Kwin> {
        Kwin::start_in(Distro::Host)
    }

    /// Starts the KWin of `distro`. `None`: skipped (prerequisites missing, not in CI).
    pub fn start_in(distro: Distro) -> Option<Kwin> {
        // The test runs these here: GTK windows and xterm (on KWin's Xwayland).
        let host_programs = ["xterm", PYTHON];
        let programs = ["dbus-run-session", "kwin_wayland", "Xwayland"];
        let needed: &[&str] = match distro {
            Distro::Host => &[&programs[..], &host_programs[..]].concat(),
            Distro::Trixie(_) => &host_programs,
        };
        if !crate::require(needed, "KWin tests") {
            return None;
        }
        // In /tmp, which a chrooted KWin sees at the same path (see [`Distro`]).
        let dir = tempfile::tempdir_in("/tmp").expect("a temporary directory");
        // A plain copy (not `cp -a`, which keeps the capability), same name.
        let kwin = dir.path().join("kwin_wayland");
        let original = distro.file(KWIN);
        std::fs::write(&kwin, std::fs::read(&original).expect("read kwin_wayland")).expect("copy");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&kwin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let runtime_dir = dir.path().join("runtime");
        std::fs::create_dir(&runtime_dir).expect("runtime dir");
        std::fs::set_permissions(&runtime_dir, std::fs::Permissions::from_mode(0o700))
            .expect("chmod");
        let bus_file = dir.path().join("bus");
        let log = std::fs::File::create(dir.path().join("kwin.log")).expect("log");
        // dbus-run-session closes inherited descriptors: the bus address and KWin's PID come
        // back through a file (written whole, then renamed). `exec` keeps the PID.
        let script = r#"printf '%s\n%s\n' "$DBUS_SESSION_BUS_ADDRESS" "$$" > "$1.new" &&
            mv "$1.new" "$1" && exec "$2" --virtual --socket "$3" --width 1280 --height 800 \
            --no-lockscreen --no-global-shortcuts --no-kactivities --xwayland"#;
        let session = start_compositor(
            distro
                .command("dbus-run-session")
                .args(["--", "sh", "-c", script, "sh"])
                .arg(&bus_file)
                .arg(&kwin)
                .arg(SOCKET),
            &runtime_dir,
            log,
        );
        let (bus, kwin_pid) =
            eventually("KWin's bus address is written", || bus_and_pid(&bus_file));
        let fixture = Kwin {
            session: Some(session),
            kwin_pid,
            bus,
            runtime_dir,
            dir,
        };
        fixture
            .wayland()
            .wait_for_socket("KWin", Instant::now() + PATIENCE, || fixture.log());
        Some(fixture)
    }

    /// What KWin printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("kwin.log")).unwrap_or_default()
    }

    /// The session as Boss would find it in its environment.
    pub fn session_env(&self) -> SessionEnv {
        self.wayland().env("KDE")
    }

    /// The window backend under test, once KWin answers on its bus.
    pub fn windows(&self) -> Box<dyn WindowSystem> {
        let session = self.session_env();
        Box::new(eventually("KWin answers on its bus", || {
            platform::linux::wayland::kwin::KwinWindows::connect(&session)
        }))
    }

    /// What GTK windows need to find this KWin.
    pub fn wayland(&self) -> WaylandSession<'_> {
        WaylandSession {
            runtime_dir: &self.runtime_dir,
            wayland_display: SOCKET,
            session_bus: &self.bus,
        }
    }

    /// An xterm titled `title` on this KWin's Xwayland (which admits local clients without a
    /// cookie), and the X display.
    pub fn xterm(&self, title: &str) -> (Process, String) {
        let display = crate::gtk::xwayland_display(self.kwin_pid);
        (self.wayland().xterm(&display, None, title), display)
    }

    /// Adds desktops, as a user would (through KWin's own `VirtualDesktopManager` on D-Bus),
    /// until KWin has at least `count`; `kwin_wayland --virtual` starts with one.
    pub fn ensure_desktops(&self, count: u32) {
        let conn = zbus::block_on(zbus::connection::Builder::address(self.bus.as_str()).build())
            .expect("KWin's bus");
        let path = "/VirtualDesktopManager";
        let manager = "org.kde.KWin.VirtualDesktopManager";
        // `None` until KWin has taken its name on the bus.
        let now = || -> Option<u32> {
            let reply = zbus::block_on(conn.call_method(
                Some("org.kde.KWin"),
                path,
                Some("org.freedesktop.DBus.Properties"),
                "Get",
                &(manager, "count"),
            ))
            .ok()?;
            let value: zbus::OwnedVariant = reply.body().deserialize().ok()?;
            u32::try_from(value).ok()
        };
        let had = eventually("KWin tells its desktop count", now);
        for position in had..count {
            zbus::block_on(conn.call_method(
                Some("org.kde.KWin"),
                path,
                Some(manager),
                "createDesktop",
                &(position, format!("Boss {}", position + 1)),
            ))
            .expect("a new desktop");
        }
        eventually("KWin has its desktops", || {
            now().filter(|&n| n >= count).map(drop)
        });
    }

    /// A GTK window on this KWin and its entry in `windows`' list.
    pub fn gtk_window(
        &self,
        windows: &dyn WindowSystem,
        title: &str,
        refuse: bool,
        connect: Option<u16>,
    ) -> (GtkWindow, WindowInfo) {
        self.wayland().gtk_window(windows, title, refuse, connect)
    }
}

impl Drop for Kwin {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            end_compositor(session, self.kwin_pid);
        }
    }
}

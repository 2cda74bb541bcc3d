//! A private GNOME Shell session: `gnome-shell --headless --wayland` (no GPU, no seat) with
//! Boss's extension installed and enabled before it starts, on buses of its own, with its own
//! home and runtime directory. Everything it started is ended on drop.
//!
//! GNOME Shell takes the logind path when `/run/systemd/seats` exists, which kills it at
//! start-up where no logind runs (containers), and it needs a system bus. So it runs in a
//! private mount namespace (`unshare --mount`) with empty tmpfs over `/run/systemd` and
//! `/run/dbus` and a system bus of its own there; the machine's stay untouched.
//!
//! It re-parents Xwayland, the system bus and D-Bus-activated services away from itself. The
//! test process becomes a child subreaper (`PR_SET_CHILD_SUBREAPER`), so they stay its
//! descendants, and at the end every process whose environment names this session's own
//! runtime directory is ended and reaped: only processes this fixture started carry it.
//!
//! [`GnomeShell::start`] runs this machine's shell (43 on Debian 12); [`GnomeShell::start_in`]
//! the one of another [`Distro`] (48 from the Debian 13 root). The extension is installed in
//! the form for that shell's version (`gnome-shell --version`), as `boss desktop
//! gnome-extension install` would.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use platform::linux::wayland::gnome::{self, GnomeWindows};
use platform::{SessionEnv, WindowInfo, WindowSystem};
use rustix::process::{Pid, Signal, WaitOptions};

use crate::desktop::{PATIENCE, eventually};
use crate::distro::Distro;
use crate::gtk::{
    GtkWindow, PYTHON, WaylandSession, bus_and_pid, end_compositor, start_compositor,
};
use crate::process::Process;

const SOCKET: &str = "wayland-boss";

/// GNOME Shell on its own buses, in a temporary directory.
pub struct GnomeShell {
    /// `unshare`, which became `dbus-run-session` (the shell's parent).
    session: Option<Process>,
    shell_pid: u32,
    pub bus: String,
    pub runtime_dir: PathBuf,
    /// What `gnome-shell --version` said ("GNOME Shell 48.7").
    pub version: String,
    dir: tempfile::TempDir,
}

impl GnomeShell {
    /// Starts GNOME Shell with Boss's extension. `None`: skipped (prerequisites missing, not
    /// in CI).
    pub fn start() -> Option<GnomeShell> {
        Self::start_in(Distro::Host)
    }

    /// Starts the GNOME Shell of `distro` with Boss's extension. `None`: skipped
    /// (prerequisites missing, not in CI).
    pub fn start_in(distro: Distro) -> Option<GnomeShell> {
        // The test runs these here, on the shell's bus; GTK windows run on this machine.
        let host_programs = ["gsettings", "gnome-extensions", PYTHON];
        let programs = ["unshare", "dbus-daemon", "dbus-run-session", "gnome-shell"];
        // This machine's programs, or only those the test itself runs here.
        let needed: &[&str] = match distro {
            Distro::Host => &[&programs[..], &host_programs[..]].concat(),
            Distro::Trixie(_) => &host_programs,
        };
        if !crate::require(needed, "GNOME Shell tests") {
            return None;
        }
        let version = distro
            .command("gnome-shell")
            .arg("--version")
            .output()
            .expect("run gnome-shell --version");
        let version = String::from_utf8_lossy(&version.stdout).trim().to_string();
        let form = platform::GnomeExtensionForm::for_shell_version(&version)
            .unwrap_or_else(|| panic!("no GNOME Shell version in {version:?}"));
        // Orphans of the shell (Xwayland, the system bus...) come back to this process.
        rustix::process::set_child_subreaper(Some(rustix::process::getpid()))
            .expect("become a child subreaper");
        // In /tmp, which a chrooted shell sees at the same path (see [`Distro`]).
        let dir = tempfile::tempdir_in("/tmp").expect("a temporary directory");
        let home = dir.path().join("home");
        let runtime_dir = dir.path().join("runtime");
        use std::os::unix::fs::PermissionsExt;
        for d in [&home, &runtime_dir] {
            std::fs::create_dir_all(d).expect("a directory");
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        }
        let data_home = home.join(".local/share");
        gnome::install_extension(&data_home, form, None).expect("install Boss's GNOME extension");
        let bus_file = dir.path().join("bus");
        let log = std::fs::File::create(dir.path().join("gnome-shell.log")).expect("log");
        // Inside the namespace: empty /run/systemd and /run/dbus, a system bus there, then the
        // session bus with the extension enabled (gsettings, through dconf on that bus) and
        // the shell. The bus address and the shell's PID come back through a file.
        let script = r#"
            [ -d /run/systemd ] && { mount -t tmpfs none /run/systemd || exit 1; }
            [ -d /run/dbus ] && { mount -t tmpfs none /run/dbus || exit 1; }
            dbus-daemon --system --fork --nopidfile || exit 1
            exec dbus-run-session -- sh -c '
                gsettings set org.gnome.shell enabled-extensions "[\"$3\"]" || exit 1
                printf "%s\n%s\n" "$DBUS_SESSION_BUS_ADDRESS" "$$" > "$1.new" && mv "$1.new" "$1" &&
                exec gnome-shell --headless --wayland --virtual-monitor 1280x800 \
                    --wayland-display "$2"' sh "$1" "$2" "$3""#;
        // A private mount namespace: the root's own (see [`Distro`]), or one for this.
        let mut command = match &distro {
            Distro::Host => {
                let mut unshare = Command::new("unshare");
                unshare.args(["--mount", "sh"]);
                unshare
            }
            Distro::Trixie(_) => distro.command("sh"),
        };
        command
            .args(["-c", script, "sh"])
            .arg(&bus_file)
            .arg(SOCKET)
            .arg(gnome::EXTENSION_UUID)
            .env("HOME", &home)
            .env("XDG_DATA_HOME", &data_home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("NO_AT_BRIDGE", "1")
            .env_remove("GSETTINGS_BACKEND");
        let session = start_compositor(&mut command, &runtime_dir, log);
        let mut fixture = GnomeShell {
            session: Some(session),
            shell_pid: 0,
            version,
            bus: String::new(),
            runtime_dir,
            dir,
        };
        let deadline = Instant::now() + PATIENCE * 2;
        let (bus, shell_pid) = loop {
            if let Some(found) = bus_and_pid(&bus_file) {
                break found;
            }
            assert!(
                Instant::now() < deadline,
                "GNOME Shell did not start; it said:\n{}",
                fixture.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        fixture.bus = bus;
        fixture.shell_pid = shell_pid;
        fixture
            .wayland()
            .wait_for_socket("GNOME Shell", deadline, || fixture.log());
        Some(fixture)
    }

    /// What GNOME Shell printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("gnome-shell.log")).unwrap_or_default()
    }

    /// The session as Boss would find it in its environment.
    pub fn session_env(&self) -> SessionEnv {
        self.wayland().env("GNOME")
    }

    /// What GTK windows need to find this shell.
    pub fn wayland(&self) -> WaylandSession<'_> {
        WaylandSession {
            runtime_dir: &self.runtime_dir,
            wayland_display: SOCKET,
            session_bus: &self.bus,
        }
    }

    /// The window backend under test, once the extension answers.
    pub fn windows(&self) -> Box<dyn WindowSystem> {
        let session = self.session_env();
        Box::new(eventually("Boss's GNOME extension answers", || {
            GnomeWindows::connect(&session)
        }))
    }

    /// A GTK window on this shell and its entry in `windows`' list.
    pub fn gtk_window(
        &self,
        windows: &dyn WindowSystem,
        title: &str,
        refuse: bool,
        connect: Option<u16>,
    ) -> (GtkWindow, WindowInfo) {
        self.wayland().gtk_window(windows, title, refuse, connect)
    }

    /// An xterm titled `title` on this shell's Xwayland (with Mutter's cookie file, in the
    /// runtime directory), and the X display.
    pub fn xterm(&self, title: &str) -> (Process, String) {
        let display = crate::gtk::xwayland_display(self.shell_pid);
        let cookie = eventually("Mutter's Xwayland cookie file", || {
            std::fs::read_dir(&self.runtime_dir)
                .ok()?
                .flatten()
                .find_map(|e| {
                    let name = e.file_name();
                    name.to_str()?
                        .starts_with(".mutter-Xwaylandauth.")
                        .then(|| e.path())
                })
        });
        (
            self.wayland().xterm(&display, Some(&cookie), title),
            display,
        )
    }

    /// The processes this session started that are still running (found by their
    /// environment, which names this session's own runtime directory).
    fn leftovers(&self) -> Vec<i32> {
        let needle = format!("XDG_RUNTIME_DIR={}", self.runtime_dir.display());
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
            .filter(|&pid| pid != std::process::id() as i32)
            .filter(|pid| {
                std::fs::read(format!("/proc/{pid}/environ"))
                    .is_ok_and(|env| env.split(|&b| b == 0).any(|var| var == needle.as_bytes()))
            })
            .collect()
    }
}

impl Drop for GnomeShell {
    fn drop(&mut self) {
        // Noted while they run (a zombie's environment cannot be read): they end with the
        // shell or below, and are then reaped here, being this process's children by now.
        let mut started = self.leftovers();
        // The shell first (it ends its Xwayland), then the session bus with it.
        if let Some(session) = self.session.take() {
            end_compositor(session, self.shell_pid);
        }
        // Then what it re-parented: TERM, a moment, KILL; reaped, as their subreaper.
        for signal in [Signal::TERM, Signal::KILL] {
            // Signalled only while they still carry this session's environment (a PID noted
            // earlier may have been reaped by its parent and reused since); reaped all.
            let running = self.leftovers();
            let mut left = std::mem::take(&mut started);
            left.extend(&running);
            left.sort_unstable();
            left.dedup();
            if left.is_empty() {
                break;
            }
            for &pid in &running {
                if let Some(pid) = Pid::from_raw(pid) {
                    let _ = rustix::process::kill_process(pid, signal);
                }
            }
            // Until each is reaped (it is our child now) or gone elsewhere (not our child).
            let deadline = Instant::now() + Duration::from_secs(3);
            let mut waiting = left;
            while !waiting.is_empty() && Instant::now() < deadline {
                waiting.retain(|&pid| {
                    matches!(
                        rustix::process::waitpid(Pid::from_raw(pid), WaitOptions::NOHANG),
                        Ok(None)
                    )
                });
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

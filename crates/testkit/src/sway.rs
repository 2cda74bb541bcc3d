//! A private sway session, headless: the compositor runs as an unprivileged system user made
//! for the tests (sway refuses to run as root), with a runtime directory of its own in a
//! temporary directory; clients (foot, the GTK window of `fixtures/gtk_window.py`) run as the
//! test's own user and connect to it. Everything is ended by PID on drop. Without the
//! programs the tests skip, except under `CI`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use platform::{SessionEnv, WindowInfo, WindowSystem};

use crate::client::ClientWindow;
use crate::desktop::{PATIENCE, eventually};
use crate::process::Process;

/// The system user the compositor runs as (made once, kept: it has no home and no login).
pub const SWAY_USER: &str = "boss-test-sway";

/// The GTK 3 window (see the script's header).
pub const GTK_WINDOW_SCRIPT: &str = include_str!("../fixtures/gtk_window.py");

/// `python3 -c SCRIPT SOCKET`: connects to an X server without credentials (it must admit
/// the caller) and inserts `SI:localuser:root` into its access list (ChangeHosts), then waits
/// for the answer to a GetInputFocus to know it was taken.
const ALLOW_ROOT_SCRIPT: &str = r#"
import socket, struct, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(struct.pack("<BxHHHHxx", 0x6c, 11, 0, 0, 0))
def read(n):
    b = b""
    while len(b) < n:
        chunk = s.recv(n - len(b))
        if not chunk: sys.exit("X server closed the connection")
        b += chunk
    return b
head = read(8)
if head[0] != 1: sys.exit("X server refused the connection")
read(struct.unpack("<H", head[6:8])[0] * 4)
addr = b"localuser\0root"; pad = (4 - len(addr) % 4) % 4
s.sendall(struct.pack("<BBHBxH", 109, 0, 2 + (len(addr) + pad) // 4, 5, len(addr)) + addr + b"\0" * pad)
s.sendall(struct.pack("<BxH", 43, 1))
reply = read(32)
if reply[0] != 1: sys.exit("X server refused ChangeHosts: error %d" % reply[1])
"#;

/// Debian's Python, which has `gi` (the first `python3` on `PATH` may be another build).
const SYSTEM_PYTHON: &str = "/usr/bin/python3";

/// A headless sway and its sockets.
pub struct Sway {
    /// The Wayland socket's name in `runtime_dir` (e.g. `wayland-1`).
    pub wayland_display: String,
    /// sway's IPC socket.
    pub swaysock: PathBuf,
    /// The compositor, once launched.
    sway: Option<Process>,
    uid: u32,
    gid: u32,
    /// The runtime directory (and sway's config and log beside it); removed last.
    dir: tempfile::TempDir,
}

impl Sway {
    /// Starts sway headless; `clients` are the programs the test will run on it. `None`:
    /// skipped (prerequisites missing, not in CI).
    pub fn start(clients: &[&str]) -> Option<Sway> {
        let mut sway = Sway::prepare(clients)?;
        sway.launch();
        Some(sway)
    }

    /// The session's runtime directory, without the compositor yet (for a Boss that starts
    /// first): [`Sway::launch`] starts it.
    pub fn prepare(clients: &[&str]) -> Option<Sway> {
        let mut needed = vec!["sway", "useradd", "setpriv"];
        needed.extend_from_slice(clients);
        if !crate::require(
            &needed,
            "sway tests (Debian: sway foot python3-gi gir1.2-gtk-3.0)",
        ) {
            return None;
        }
        let (uid, gid) = sway_user();
        let dir = tempfile::Builder::new()
            .prefix("boss-sway-")
            .tempdir()
            .expect("temporary directory");
        let runtime = dir.path().join("runtime");
        std::fs::create_dir(&runtime).expect("runtime directory");
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700))
            .expect("runtime directory mode");
        // The temporary directory itself must let the user through to its runtime directory.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o711))
            .expect("temporary directory mode");
        std::os::unix::fs::chown(&runtime, Some(uid), Some(gid)).expect("runtime directory owner");
        let config = dir.path().join("config");
        std::fs::write(&config, "output HEADLESS-1 resolution 1280x800\n").expect("sway config");
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644))
            .expect("config mode");
        Some(Sway {
            wayland_display: String::new(),
            swaysock: PathBuf::new(),
            sway: None,
            uid,
            gid,
            dir,
        })
    }

    /// Starts the compositor and waits for its sockets.
    pub fn launch(&mut self) {
        let (uid, gid) = (self.uid, self.gid);
        let runtime = self.runtime_dir();
        let config = self.dir.path().join("config");
        let log = std::fs::File::create(self.dir.path().join("sway.log")).expect("sway log");
        let mut sway = Process(
            // setpriv execs sway as the user, groups cleared (the PID stays sway's own).
            Command::new("setpriv")
                .arg(format!("--reuid={uid}"))
                .arg(format!("--regid={gid}"))
                .args(["--clear-groups", "sway", "-c"])
                .arg(&config)
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", &runtime)
                .env("XDG_RUNTIME_DIR", &runtime)
                .env("WLR_BACKENDS", "headless")
                .env("WLR_RENDERER", "pixman")
                .env("WLR_LIBINPUT_NO_DEVICES", "1")
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("sway log"))
                .stderr(log)
                .spawn()
                .expect("start sway"),
        );
        let deadline = Instant::now() + PATIENCE;
        loop {
            let names: Vec<String> = std::fs::read_dir(&runtime)
                .map(|d| {
                    d.flatten()
                        .filter_map(|e| e.file_name().into_string().ok())
                        .collect()
                })
                .unwrap_or_default();
            let wayland = names
                .iter()
                .find(|n| n.starts_with("wayland-") && !n.ends_with(".lock"));
            let ipc = names
                .iter()
                .find(|n| n.starts_with("sway-ipc.") && n.ends_with(".sock"));
            if let (Some(wayland), Some(ipc)) = (wayland, ipc)
                && std::os::unix::net::UnixStream::connect(runtime.join(ipc)).is_ok()
            {
                self.wayland_display = wayland.clone();
                self.swaysock = runtime.join(ipc);
                self.sway = Some(sway);
                return;
            }
            if Instant::now() > deadline || sway.has_exited() {
                let said =
                    std::fs::read_to_string(self.dir.path().join("sway.log")).unwrap_or_default();
                panic!("sway did not start; it said:\n{said}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The runtime directory (`XDG_RUNTIME_DIR` of the session).
    pub fn runtime_dir(&self) -> PathBuf {
        self.dir.path().join("runtime")
    }

    /// The session as Boss would find it in its environment inside sway (no X display:
    /// sway starts Xwayland only when a client needs it).
    pub fn session(&self) -> SessionEnv {
        SessionEnv {
            wayland_display: Some(self.wayland_display.clone()),
            swaysock: Some(self.swaysock.display().to_string()),
            current_desktop: vec!["sway".into()],
            runtime_dir: Some(self.runtime_dir().display().to_string()),
            ..SessionEnv::default()
        }
    }

    /// The session with `BOSS_WINDOW_BACKEND` set to `backend` (e.g. `wlr`, to test the
    /// wlr-foreign-toplevel backend against sway).
    pub fn session_forcing(&self, backend: &str) -> SessionEnv {
        SessionEnv {
            forced_backend: Some(backend.to_string()),
            ..self.session()
        }
    }

    /// The window backend under test, chosen for this session.
    pub fn windows(&self) -> Box<dyn WindowSystem> {
        platform::window_system(&self.session())
    }

    /// Runs `program` as a client of this session (as the test's own user).
    pub fn spawn(&self, program: &str, args: &[&str], stdout: Stdio) -> Process {
        Process(
            self.client(program)
                .args(args)
                .stdin(Stdio::null())
                .stdout(stdout)
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("start {program}: {e}")),
        )
    }

    fn client(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env_remove("DISPLAY")
            .env("XDG_RUNTIME_DIR", self.runtime_dir())
            .env("WAYLAND_DISPLAY", &self.wayland_display)
            .env("GDK_BACKEND", "wayland")
            // Keep GTK from starting accessibility and settings services.
            .env("NO_AT_BRIDGE", "1")
            .env("GSETTINGS_BACKEND", "memory");
        command
    }

    /// The X display of sway's Xwayland (e.g. `:3`), once it has one: wlroots takes the
    /// display by writing sway's PID into `/tmp/.X<n>-lock` (it starts Xwayland itself only
    /// when the first X client connects).
    pub fn xwayland_display(&self) -> String {
        let pid = self.sway.as_ref().expect("sway runs").pid();
        let display = crate::gtk::xwayland_display(pid);
        self.allow_root_on(&display);
        display
    }

    /// Lets the test's own user (root) on the Xwayland, which only admits the user that
    /// runs sway: as that user, adds `SI:localuser:root` to the server's access list (what
    /// `xhost +si:localuser:root` does, in a few lines of raw X11 protocol, so that no more
    /// packages are needed). In a real session Boss and sway run as the same user.
    fn allow_root_on(&self, display: &str) {
        let number = display.trim_start_matches(':');
        let status = Command::new("setpriv")
            .arg(format!("--reuid={}", self.uid))
            .arg(format!("--regid={}", self.gid))
            .args(["--clear-groups", SYSTEM_PYTHON, "-c", ALLOW_ROOT_SCRIPT])
            .arg(format!("/tmp/.X11-unix/X{number}"))
            .stdin(Stdio::null())
            .status()
            .expect("run python3");
        assert!(status.success(), "could not let root on Xwayland {display}");
    }

    /// Runs an X11 program on sway's Xwayland (`display`, from [`Sway::xwayland_display`]).
    pub fn spawn_x11(&self, display: &str, program: &str, args: &[&str]) -> Process {
        Process(
            Command::new(program)
                .args(args)
                .env("DISPLAY", display)
                .env_remove("WAYLAND_DISPLAY")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("start {program}: {e}")),
        )
    }

    /// A foot terminal titled `title` and its window, once listed.
    pub fn foot(&self, windows: &dyn WindowSystem, title: &str) -> (Process, WindowInfo) {
        let process = self.spawn(
            "foot",
            &["-T", title, "--app-id", "boss-foot", "sleep", "600"],
            Stdio::null(),
        );
        let window = crate::desktop::wait_for_window(windows, title);
        (process, window)
    }

    /// The GTK window titled `title` once it said `ready`; with `refuse` it answers close
    /// requests with a "Save changes?" dialog; with `connect` it holds a TCP connection to
    /// 127.0.0.1:`connect` (as a browser showing Boss).
    pub fn gtk_window(
        &self,
        windows: &dyn WindowSystem,
        title: &str,
        refuse: bool,
        connect: Option<u16>,
    ) -> GtkWindow {
        let port = connect.map(|p| p.to_string());
        let mut options = Vec::new();
        if refuse {
            options.push("--refuse");
        }
        if let Some(port) = &port {
            options.extend(["--connect", port]);
        }
        self.gtk_window_with(windows, title, &options)
    }

    /// The GTK window with the script's `options` (`--refuse`, `--connect PORT`, `--app-id
    /// ID`).
    pub fn gtk_window_with(
        &self,
        windows: &dyn WindowSystem,
        title: &str,
        options: &[&str],
    ) -> GtkWindow {
        let mut args = vec!["-c", GTK_WINDOW_SCRIPT, title];
        args.extend_from_slice(options);
        let process = self.spawn(SYSTEM_PYTHON, &args, Stdio::piped());
        ClientWindow::ready(process, "the GTK window", windows, title)
    }
}

/// The GTK window's process, what it said, and its window.
pub type GtkWindow = ClientWindow;

/// The uid and gid of [`SWAY_USER`], made on first use. Idempotent, and safe when test
/// binaries run at the same time (useradd locks the user database; a lost race is retried).
fn sway_user() -> (u32, u32) {
    eventually("the sway test user exists", || {
        if let Some(ids) = lookup(SWAY_USER) {
            return Some(ids);
        }
        let _ = Command::new("useradd")
            .args([
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
            ])
            .arg(SWAY_USER)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        lookup(SWAY_USER)
    })
}

/// A user's uid and gid from `/etc/passwd`.
fn lookup(user: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string(Path::new("/etc/passwd")).ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.first() == Some(&user)).then_some(())?;
        Some((fields.get(2)?.parse().ok()?, fields.get(3)?.parse().ok()?))
    })
}

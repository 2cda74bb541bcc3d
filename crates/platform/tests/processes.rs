//! The process backend against the real proc filesystem, with children this test spawns
//! itself (and kills itself: nothing else is ever signalled).
#![cfg(target_os = "linux")]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use platform::{ProcessRef, ProcessState, Signal};

/// A child that is killed and reaped when dropped.
struct Spawned(Child);

impl Spawned {
    /// Spawns and waits until the program runs (its command line is in place).
    fn new(program: &str, args: &[&str]) -> Self {
        let child = Spawned(
            Command::new(program)
                .args(args)
                .stdin(Stdio::null())
                .spawn()
                .expect("spawn"),
        );
        let cmdline = format!("/proc/{}/cmdline", child.pid());
        eventually("the child has exec'd", || {
            std::fs::read(&cmdline).is_ok_and(|c| c.starts_with(program.as_bytes()))
        });
        child
    }
    fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let patience = Duration::from_secs(5);
    testkit::desktop::eventually_within(what, patience, || check().then_some(()));
}

#[test]
fn a_spawned_process_is_listed_with_its_fields() {
    let child = Spawned::new("sleep", &["301"]);
    let mut source = platform::process_source().unwrap();
    let snapshot = source.refresh().unwrap();
    let row = snapshot
        .processes
        .iter()
        .find(|p| p.pid == child.pid())
        .expect("listed");
    assert_eq!(&*row.name, "sleep");
    assert_eq!(&*row.cmdline, "sleep 301");
    assert_eq!(row.ppid, std::process::id());
    assert_eq!(row.threads, 1);
    assert!(row.memory_bytes > 0);
    assert!(!row.kernel_thread);
    let age_ms = platform::now_ms() - row.started_at;
    assert!(
        (-1000..10_000).contains(&age_ms),
        "started just now, not {age_ms} ms ago"
    );
    let me = rustix::process::getuid().as_raw();
    assert_eq!(row.uid, me);
    if me == 0 {
        assert_eq!(&*row.user, "root");
    }
    // Threads are not processes: this test binary runs several threads and is listed once.
    let mine = snapshot
        .processes
        .iter()
        .filter(|p| p.pid == std::process::id())
        .count();
    assert_eq!(mine, 1);
    assert!(
        snapshot.processes.iter().any(|p| p.kernel_thread),
        "kernel threads are flagged"
    );
    assert!(
        snapshot.processes.windows(2).all(|w| w[0].pid < w[1].pid),
        "sorted by PID"
    );
    assert_eq!(
        snapshot.system.process_count as usize,
        snapshot.processes.len()
    );
}

#[test]
fn a_busy_loop_shows_high_cpu() {
    let child = Spawned::new("sh", &["-c", "while :; do :; done"]);
    let mut source = platform::process_source().unwrap();
    source.refresh().unwrap();
    // The machine may be busy with other tests (ten runnable processes on two cores leave a
    // spinning shell about 20%): take the best of a few half-second windows; an idle process
    // measures 0.
    let mut best = 0.0f32;
    for _ in 0..8 {
        std::thread::sleep(Duration::from_millis(500));
        let snapshot = source.refresh().unwrap();
        let row = snapshot
            .processes
            .iter()
            .find(|p| p.pid == child.pid())
            .unwrap();
        best = best.max(row.cpu_percent);
        if best > 10.0 {
            assert!(snapshot.system.cpu_percent > 0.0);
            return;
        }
    }
    panic!("a spinning shell should use a good part of a core, measured {best}%");
}

#[test]
fn stop_and_continue_change_the_state() {
    let child = Spawned::new("sleep", &["302"]);
    let target = platform::identify_process(child.pid()).unwrap();
    let state = || platform::process_detail(child.pid()).unwrap().info.state;
    platform::send_signal(target, Signal::Stop).unwrap();
    eventually("stopped", || state() == ProcessState::Stopped);
    platform::send_signal(target, Signal::Cont).unwrap();
    eventually("sleeping again", || state() == ProcessState::Sleeping);
}

#[test]
fn renice_shows_in_the_detail() {
    let child = Spawned::new("sleep", &["303"]);
    let target = platform::identify_process(child.pid()).unwrap();
    platform::set_nice(target, 7).unwrap();
    let detail = platform::process_detail(child.pid()).unwrap();
    assert_eq!(detail.nice, 7);
    assert_eq!(detail.argv, vec!["sleep", "303"]);
    assert!(detail.exe.unwrap().ends_with("sleep"));
}

#[test]
fn a_reused_pid_is_never_signalled() {
    let child = Spawned::new("sleep", &["304"]);
    let real = platform::identify_process(child.pid()).unwrap();
    let stale = ProcessRef {
        pid: real.pid,
        start_ticks: real.start_ticks + 1,
    };
    let err = platform::send_signal(stale, Signal::Kill).unwrap_err();
    assert!(matches!(err, platform::Error::Changed(_)), "{err:?}");
    assert!(
        platform::process_running(real),
        "the real process was not touched"
    );
    assert!(!platform::process_running(stale));
}

#[test]
fn an_ended_process_is_not_found() {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    let err = platform::identify_process(pid).unwrap_err();
    assert!(matches!(err, platform::Error::NotFound(_)), "{err:?}");
    assert!(matches!(
        platform::process_detail(pid),
        Err(platform::Error::NotFound(_))
    ));
}

#[test]
fn term_ends_a_process_and_it_stops_running() {
    let mut child = Spawned::new("sleep", &["305"]);
    let target = platform::identify_process(child.pid()).unwrap();
    platform::send_signal(target, Signal::Term).unwrap();
    // Until reaped it is a zombie, which already counts as not running.
    eventually("not running", || !platform::process_running(target));
    let status = child.0.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(15));
}

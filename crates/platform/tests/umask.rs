//! The private umask: Boss's own files become private, launched programs keep the umask Boss
//! was started with. Its own test binary, since the umask belongs to the whole process.
#![cfg(target_os = "linux")]

use std::fs;
use std::os::unix::fs::PermissionsExt;

#[test]
fn boss_files_are_private_but_launched_programs_keep_the_umask_boss_started_with() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o022));
    platform::set_private_umask();
    let dir = tempfile::tempdir().unwrap();
    let own = dir.path().join("own.txt");
    fs::write(&own, "boss").unwrap();
    assert_eq!(
        fs::metadata(&own).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let log = dir.path().join("umask.log");
    let spec = platform::LaunchSpec {
        argv: vec!["sh".into(), "-c".into(), "umask".into()],
        cwd: None,
        env: vec![],
        log_file: log.clone(),
    };
    let mut launched = platform::launch(&spec).unwrap();
    assert!(launched.child.wait().unwrap().success());
    assert_eq!(fs::read_to_string(&log).unwrap().trim(), "0022");
}

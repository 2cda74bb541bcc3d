//! A throwaway PostgreSQL cluster from Debian's binaries, for tests: initdb + pg_ctl in a
//! temporary directory, listening on a Unix socket only (so parallel clusters never clash on a
//! port), removed on drop. As root the server runs as the `postgres` user (initdb refuses root).
//!
//! Without PostgreSQL binaries the tests that need it skip, except under CI where that fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

pub struct TempPostgres {
    dir: tempfile::TempDir,
    as_postgres: bool,
}

fn bin(name: &str) -> PathBuf {
    let dir = std::env::var("BOSS_TEST_PG_BIN").unwrap_or_else(|_| PG_BIN.to_string());
    Path::new(&dir).join(name)
}

impl TempPostgres {
    /// Starts a cluster, or returns `None` (with a message) when PostgreSQL is not installed
    /// and `CI` is not set.
    pub fn start() -> Option<Self> {
        if !crate::require(&[&bin("initdb").to_string_lossy()], "PostgreSQL tests") {
            return None;
        }
        let as_postgres = rustix::process::geteuid().is_root();
        let dir = tempfile::Builder::new()
            .prefix("boss-pg-")
            .tempdir()
            .expect("temp dir");
        if as_postgres {
            let status = Command::new("chown")
                .arg("postgres:")
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(status.success(), "chown the cluster directory");
        }
        let cluster = Self { dir, as_postgres };
        cluster.run(
            "initdb",
            &[
                "-D",
                &cluster.data(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        cluster.start_server();
        Some(cluster)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn run(&self, tool: &str, args: &[&str]) -> Output {
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(bin(tool));
            c
        } else {
            Command::new(bin(tool))
        };
        let output = command.args(args).output().expect("run a PostgreSQL tool");
        assert!(
            output.status.success(),
            "{tool} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// Starts (or restarts) the server.
    pub fn start_server(&self) {
        let socket_dir = self.dir.path().display().to_string();
        let options =
            format!("-c listen_addresses='' -k {socket_dir} -c fsync=off -c full_page_writes=off");
        let log = self.dir.path().join("log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-l",
                &log,
                "-w",
                "-o",
                &options,
                "start",
            ],
        );
    }

    /// Stops the server at once (as a crash or an outage would look to clients).
    pub fn stop_server(&self) {
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        );
    }

    /// A URL for `database` (created on first use of [`TempPostgres::create_database`]).
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres@localhost/{database}?host={}",
            self.dir.path().display()
        )
    }

    pub fn create_database(&self, name: &str) -> String {
        let host = self.dir.path().display().to_string();
        self.run(
            "psql",
            &[
                "-h",
                &host,
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-qc",
                &format!("CREATE DATABASE {name}"),
            ],
        );
        self.url(name)
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let data = self.data();
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(bin("pg_ctl"));
            c
        } else {
            Command::new(bin("pg_ctl"))
        };
        let _ = command
            .args(["-D", &data, "-m", "immediate", "-w", "stop"])
            .output();
    }
}

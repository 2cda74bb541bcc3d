//! The server's settings, from defaults, `BOSS_*` environment variables and flags (clap reads
//! the last two; see `cli.rs`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::auth::throttle::ThrottleLimits;
use crate::server::connections::ConnectionLimits;

pub const DEFAULT_BIND: &str = "127.0.0.1:8350";

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    /// Where the SQLite database, launch logs and the spool live.
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`.
    pub database_url: String,
    /// Host names accepted in the `Host` header besides IP literals, `localhost` and this
    /// machine's name (a defence against DNS rebinding).
    pub allowed_hosts: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the real client (for throttling and the
    /// audit log); nobody else's is believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Mark the session cookie `Secure` (only when Boss is served over HTTPS, for instance
    /// behind a TLS proxy: browsers drop such cookies over plain HTTP).
    pub secure_cookies: bool,
    pub session_ttl: Duration,
    pub throttle: ThrottleLimits,
    /// Header read timeout and connection caps.
    pub connections: ConnectionLimits,
    /// The largest request body accepted.
    pub max_body_bytes: usize,
    /// How often the process table is sampled while someone watches.
    pub sample_interval: Duration,
    /// The X display whose windows Boss shows (`None`: `$DISPLAY`).
    pub display: Option<String>,
    /// The graphical session whose windows Boss shows, when not its own environment's (with
    /// `display`): for embedding and tests, which cannot change the process's environment.
    pub window_session: Option<platform::SessionEnv>,
    /// Where installed applications are found (the session's XDG directories).
    pub catalog: platform::CatalogOptions,
    /// The `boss` binary that keeps launched programs' logs (`boss log-writer`), capped and
    /// rotated. `None` (embedding, unit tests): logs are appended to one file without a cap.
    pub log_writer: Option<PathBuf>,
    /// This host's name in a fleet (`None`: the machine's name).
    pub host_name: Option<String>,
}

impl Config {
    /// Settings for tests and embedding: everything default but the data directory.
    pub fn for_data_dir(data_dir: PathBuf) -> Self {
        let database_url = crate::store::SqlStore::sqlite_url(&data_dir);
        Self {
            bind: DEFAULT_BIND.parse().expect("valid default address"),
            data_dir,
            database_url,
            allowed_hosts: Vec::new(),
            trusted_proxies: Vec::new(),
            secure_cookies: false,
            session_ttl: Duration::from_secs(7 * 24 * 3600),
            throttle: ThrottleLimits::default(),
            connections: ConnectionLimits::default(),
            max_body_bytes: 64 * 1024,
            sample_interval: Duration::from_secs(1),
            display: None,
            window_session: None,
            catalog: platform::CatalogOptions::from_env(),
            log_writer: None,
            host_name: None,
        }
    }

    /// The default data directory: `$XDG_DATA_HOME/boss` (`~/.local/share/boss`).
    pub fn default_data_dir() -> PathBuf {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("boss")
    }
}

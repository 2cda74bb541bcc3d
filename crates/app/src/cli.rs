//! The command line: `boss serve` runs the server, `boss db ...` tends its database, and the
//! client commands (`boss ps`, `boss kill`, ...) talk to a running server.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, DEFAULT_BIND};

#[derive(Debug, Parser)]
#[command(
    name = "boss",
    version,
    about = "Boss of Apps: see and control the apps, windows and \
    processes of this computer from a browser"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub connection: crate::client::Connection,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Boss server (web UI and API).
    Serve(ServeArgs),
    /// Database chores: migrate, check, copy between SQLite and PostgreSQL.
    #[command(subcommand)]
    Db(DbCommand),
    #[command(flatten)]
    Client(crate::client::ClientCommand),
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create or update the schema.
    Migrate(DatabaseArgs),
    /// Connect and report the backend, schema version and number of accounts.
    Check(DatabaseArgs),
    /// Copy accounts, API tokens, the audit log and settings into another, empty database,
    /// e.g. from the SQLite default into PostgreSQL.
    Copy {
        /// Source: a database URL or a SQLite file path.
        #[arg(long)]
        from: String,
        /// Destination: a database URL or a SQLite file path (must hold no accounts).
        #[arg(long)]
        to: String,
    },
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// [default: $XDG_DATA_HOME/boss]
    #[arg(long, env = "BOSS_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// [default: the SQLite file in the data directory]
    #[arg(long, env = "BOSS_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

impl DatabaseArgs {
    pub fn url(&self) -> String {
        match self.database_url.as_deref().filter(|u| !u.is_empty()) {
            Some(url) => crate::db_admin::database_url(url),
            None => {
                let dir = self
                    .data_dir
                    .clone()
                    .unwrap_or_else(Config::default_data_dir);
                crate::store::SqlStore::sqlite_url(&dir)
            }
        }
    }
}

impl DbCommand {
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            DbCommand::Migrate(args) => crate::db_admin::migrate(&args.url()).await,
            DbCommand::Check(args) => crate::db_admin::check(&args.url()).await,
            DbCommand::Copy { from, to } => {
                let (from, to) = (
                    crate::db_admin::database_url(&from),
                    crate::db_admin::database_url(&to),
                );
                crate::db_admin::copy(&from, &to).await
            }
        }
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on. Anything but loopback exposes Boss to the network.
    #[arg(long, env = "BOSS_BIND", default_value = DEFAULT_BIND)]
    pub bind: SocketAddr,
    /// Directory for the database and logs [default: $XDG_DATA_HOME/boss]
    #[arg(long, env = "BOSS_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB
    /// [default: a SQLite file in the data directory]
    #[arg(long, env = "BOSS_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Also accept this host name in requests (repeat, or comma-separate in the environment);
    /// IP addresses, localhost and this machine's name are always accepted.
    #[arg(
        long = "allowed-host",
        env = "BOSS_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,
    /// A reverse proxy in front of Boss (repeat, or comma-separate in the environment): its
    /// X-Forwarded-For header names the real client, for login throttling and the audit log.
    #[arg(
        long = "trusted-proxy",
        env = "BOSS_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Mark the session cookie Secure: set this when Boss is reached over HTTPS (a TLS proxy).
    #[arg(long, env = "BOSS_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// How often, in milliseconds, the process table is refreshed while someone watches.
    #[arg(long, env = "BOSS_SAMPLE_INTERVAL_MS", default_value_t = 1000,
        value_parser = clap::value_parser!(u64).range(100..=60_000))]
    pub sample_interval_ms: u64,
    /// The X display whose windows to show [default: $DISPLAY]
    #[arg(long, env = "BOSS_DISPLAY")]
    pub display: Option<String>,
    /// Seconds a client may take to send a request's headers; also how long an idle
    /// kept-alive connection stays open.
    #[arg(long, env = "BOSS_HEADER_TIMEOUT_SECS", default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout_secs: u64,
    /// Connections open at once from all clients; more are refused with 503.
    #[arg(long, env = "BOSS_MAX_CONNECTIONS", default_value_t = 512,
        value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
    /// Connections open at once from one client address (an IPv6 /64 counts as one).
    #[arg(long, env = "BOSS_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 64,
        value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections_per_address: u64,
}

impl ServeArgs {
    pub fn into_config(self) -> Config {
        let data_dir = self.data_dir.unwrap_or_else(Config::default_data_dir);
        let mut config = Config::for_data_dir(data_dir);
        config.bind = self.bind;
        if let Some(url) = self.database_url.filter(|u| !u.is_empty()) {
            config.database_url = url;
        }
        config.allowed_hosts = self
            .allowed_hosts
            .into_iter()
            .filter(|h| !h.is_empty())
            .collect();
        if let Some(name) = platform::hostname() {
            config.allowed_hosts.push(name.clone());
            config.allowed_hosts.push(format!("{name}.local"));
        }
        config.trusted_proxies = self.trusted_proxies;
        config.secure_cookies = self.secure_cookies;
        config.sample_interval = std::time::Duration::from_millis(self.sample_interval_ms);
        config.display = self.display.filter(|d| !d.is_empty());
        config.connections = crate::server::connections::ConnectionLimits {
            header_read_timeout: std::time::Duration::from_secs(self.header_timeout_secs),
            max_connections: self.max_connections as usize,
            max_connections_per_address: self.max_connections_per_address as usize,
        };
        config
    }
}

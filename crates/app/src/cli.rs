//! The command line: `boss serve` runs the server, `boss db ...` tends its database, and the
//! client commands (`boss ps`, `boss kill`, ...) talk to a running server.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
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
    pub client: crate::client::ClientArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Boss server (web UI and API).
    Serve(ServeArgs),
    /// Database chores: migrate, check, copy between SQLite and PostgreSQL.
    #[command(subcommand)]
    Db(DbCommand),
    /// Set up the desktop session for Boss (e.g. the GNOME Shell extension).
    #[command(subcommand)]
    Desktop(crate::desktop_setup::DesktopCommand),
    #[command(flatten)]
    Client(crate::client::ClientCommand),
    /// Internal: keeps a launched program's output in capped, rotated files (Boss starts it
    /// with the program's output on its standard input).
    #[command(hide = true)]
    LogWriter(LogWriterArgs),
}

/// Where `boss log-writer` keeps a log and how big it may grow.
#[derive(Debug, Args)]
pub struct LogWriterArgs {
    #[arg(long)]
    pub file: PathBuf,
    #[arg(long)]
    pub max_bytes: u64,
    #[arg(long)]
    pub keep: u32,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create or update the schema.
    Migrate(DatabaseArgs),
    /// Connect and report the backend, schema version and number of accounts.
    Check(DatabaseArgs),
    /// Create (or reset) the PostgreSQL role of one fleet host: it may use Boss's tables, but
    /// row-level security lets it write only its own row among the hosts and see, claim and
    /// answer only its own commands. Prints the role's new password once. Run as the tables'
    /// owner, with a role that may create roles.
    FleetHost {
        /// The host's name (its --host-name).
        name: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Copy accounts, API tokens, the audit log, launches, settings and saved sessions into
    /// another, empty database, e.g. from the SQLite default into PostgreSQL.
    Copy {
        /// Source: a database URL (without a password) or a SQLite file path.
        #[arg(long, required_unless_present = "from_file")]
        from: Option<String>,
        /// A file holding the source URL (for one with a password).
        #[arg(long, value_name = "PATH", conflicts_with = "from")]
        from_file: Option<PathBuf>,
        /// Destination: a database URL (without a password) or a SQLite file path (must hold
        /// no accounts).
        #[arg(long, required_unless_present = "to_file")]
        to: Option<String>,
        /// A file holding the destination URL (for one with a password).
        #[arg(long, value_name = "PATH", conflicts_with = "to")]
        to_file: Option<PathBuf>,
    },
}

/// Where the database is. A password never comes from a flag: every local user (and every
/// Boss viewer) can read command lines.
#[derive(Debug, Args)]
pub struct DatabaseUrlArgs {
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB, WITHOUT a password (command
    /// lines are visible to every local user). For a password use BOSS_DATABASE_URL,
    /// --database-url-file, or a pgpass file (~/.pgpass or $PGPASSFILE, which PostgreSQL
    /// connections read when the URL has no password) [env: BOSS_DATABASE_URL]
    /// [default: a SQLite file in the data directory]
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Read the database URL from this file (keep it readable by Boss's user only).
    #[arg(long, value_name = "PATH", conflicts_with = "database_url")]
    pub database_url_file: Option<PathBuf>,
    /// `BOSS_DATABASE_URL`, from the environment only (so that it may hold a password).
    #[arg(skip = std::env::var("BOSS_DATABASE_URL").ok().filter(|u| !u.is_empty()))]
    pub database_url_env: Option<String>,
}

impl DatabaseUrlArgs {
    /// The URL given by the flag, the file or the environment (in that order), if any.
    pub fn url(&self) -> anyhow::Result<Option<String>> {
        if let Some(url) = self.database_url.as_deref().filter(|u| !u.is_empty()) {
            refuse_password_in_flag("--database-url", url)?;
            return Ok(Some(url.to_string()));
        }
        if let Some(path) = &self.database_url_file {
            return read_url_file(path).map(Some);
        }
        Ok(self.database_url_env.clone())
    }
}

/// Refuses a URL with a password (user-info or a `password=` parameter) given as a flag.
fn refuse_password_in_flag(flag: &str, url: &str) -> anyhow::Result<()> {
    if let Some(shown) = crate::redact::redact_cmdline(url) {
        bail!(
            "'{flag} {shown}' holds a password, and command lines are readable by every local \
             user: put the URL in BOSS_DATABASE_URL or in a file passed with {flag}-file PATH, \
             or keep the password in ~/.pgpass (or the file PGPASSFILE names), which is used \
             when the URL has none"
        );
    }
    Ok(())
}

/// The database URL in `path` (surrounding whitespace removed).
fn read_url_file(path: &std::path::Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the database URL file '{}'", path.display()))?;
    let url = text.trim();
    if url.is_empty() {
        bail!(
            "the database URL file '{}' is empty: it should hold a URL such as \
             postgres://USER:PASSWORD@HOST/DB",
            path.display()
        );
    }
    Ok(url.to_string())
}

/// A `db copy` end: the flag (refused with a password) or the file.
fn copy_end(flag: &str, value: Option<String>, file: Option<PathBuf>) -> anyhow::Result<String> {
    let url = match (value, file) {
        (Some(value), _) => {
            refuse_password_in_flag(flag, &value)?;
            value
        }
        (None, Some(path)) => read_url_file(&path)?,
        (None, None) => bail!("give {flag} or {flag}-file"),
    };
    Ok(crate::db_admin::database_url(&url))
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// [default: $XDG_DATA_HOME/boss]
    #[arg(long, env = "BOSS_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(flatten)]
    pub database: DatabaseUrlArgs,
}

impl DatabaseArgs {
    pub fn url(&self) -> anyhow::Result<String> {
        Ok(match self.database.url()? {
            Some(url) => crate::db_admin::database_url(&url),
            None => {
                let dir = self
                    .data_dir
                    .clone()
                    .unwrap_or_else(Config::default_data_dir);
                crate::store::SqlStore::sqlite_url(&dir)
            }
        })
    }
}

impl DbCommand {
    pub async fn run(self) -> anyhow::Result<()> {
        match self {
            DbCommand::Migrate(args) => crate::db_admin::migrate(&args.url()?).await,
            DbCommand::Check(args) => crate::db_admin::check(&args.url()?).await,
            DbCommand::FleetHost { name, database } => {
                crate::db_admin::fleet_host(&database.url()?, &name).await
            }
            DbCommand::Copy {
                from,
                from_file,
                to,
                to_file,
            } => {
                let from = copy_end("--from", from, from_file)?;
                let to = copy_end("--to", to, to_file)?;
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
    #[command(flatten)]
    pub database: DatabaseUrlArgs,
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
    /// This machine's name among the hosts sharing a PostgreSQL database [default: the
    /// machine's host name]
    #[arg(long, env = "BOSS_HOST_NAME")]
    pub host_name: Option<String>,
}

impl ServeArgs {
    /// The configuration; refuses a password given on the command line.
    pub fn into_config(self) -> anyhow::Result<Config> {
        let database_url = self.database.url()?;
        let data_dir = self.data_dir.unwrap_or_else(Config::default_data_dir);
        let mut config = Config::for_data_dir(data_dir);
        config.bind = self.bind;
        if let Some(url) = database_url {
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
        // This very binary keeps the logs of what it launches (`boss log-writer`).
        config.log_writer = std::env::current_exe().ok();
        config.host_name = self.host_name.filter(|n| !n.trim().is_empty());
        config.connections = crate::server::connections::ConnectionLimits {
            header_read_timeout: std::time::Duration::from_secs(self.header_timeout_secs),
            max_connections: self.max_connections as usize,
            max_connections_per_address: self.max_connections_per_address as usize,
        };
        Ok(config)
    }
}

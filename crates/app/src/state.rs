//! What every request handler can reach.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::apps::AppCatalog;
use crate::auth::cache::AuthCache;
use crate::auth::password::PasswordWork;
use crate::auth::setup::SetupCode;
use crate::auth::throttle::LoginThrottle;
use crate::config::Config;
use crate::launches::LaunchSupervisor;
use crate::live::ProcessMonitor;
use crate::managed::ManagedSupervisor;
use crate::settings::Settings;
use crate::spool::Spool;
use crate::store::Store;
use crate::windows::WindowMonitor;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub throttle: Arc<LoginThrottle>,
    /// Password hashing, bounded in how much runs at once.
    pub passwords: Arc<PasswordWork>,
    /// The code the first registration needs (see `auth::setup`).
    pub setup: Arc<SetupCode>,
    pub processes: Arc<ProcessMonitor>,
    pub windows: Arc<WindowMonitor>,
    pub apps: Arc<AppCatalog>,
    pub launches: Arc<LaunchSupervisor>,
    /// The runners of the managed apps.
    pub managed: Arc<ManagedSupervisor>,
    /// Records kept on disk while the database is down.
    pub spool: Arc<Spool>,
    /// Recently confirmed sessions and tokens, so that logged-in users can still act while the
    /// database is briefly unreachable.
    pub auth_cache: Arc<AuthCache>,
    /// The port the server listens on, once bound (to recognise the browser showing Boss).
    pub listen_port: Arc<OnceLock<u16>>,
    /// Figures for `GET /metrics` kept between scrapes.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The previous network and disk counters of the Glances-compatible API (for rates).
    pub glances: Arc<crate::glances::Counters>,
    /// This host among the others on the same PostgreSQL database.
    pub fleet: Arc<crate::fleet::Fleet>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        let throttle = Arc::new(LoginThrottle::new(config.throttle));
        let processes = ProcessMonitor::new(config.sample_interval);
        let session = config
            .window_session
            .clone()
            .unwrap_or_else(|| platform::SessionEnv::from_env(config.display.as_deref()));
        let windows = WindowMonitor::new(&session, config.sample_interval);
        let spool = Arc::new(Spool::new(&config.data_dir));
        let setup = Arc::new(SetupCode::new(&config.data_dir));
        let apps = Arc::new(AppCatalog::new(config.catalog.clone()));
        let me = crate::fleet::HostIdentity::load(&config.data_dir, config.host_name.as_deref())
            .unwrap_or_else(|err| {
                tracing::warn!("cannot keep this host's id in the data directory: {err}");
                crate::fleet::HostIdentity::ephemeral(config.host_name.as_deref())
            });
        Self {
            store,
            config: Arc::new(config),
            throttle,
            passwords: Arc::new(PasswordWork::default()),
            setup,
            processes,
            windows,
            apps,
            launches: Arc::new(LaunchSupervisor::default()),
            managed: Arc::new(ManagedSupervisor::default()),
            spool,
            auth_cache: Arc::new(AuthCache::default()),
            listen_port: Arc::new(OnceLock::new()),
            metrics: Arc::default(),
            glances: Arc::default(),
            fleet: Arc::new(crate::fleet::Fleet::new(me)),
        }
    }

    /// Starts the housekeeping tasks: the spool drainer and the expired-session sweeper.
    pub fn spawn_background_tasks(&self) {
        tokio::spawn(
            self.spool
                .clone()
                .run_drainer(self.store.clone(), Duration::from_secs(1)),
        );
        let store = self.store.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(3600));
            loop {
                tick.tick().await;
                if let Err(err) = store.delete_expired_sessions(crate::clock::now_ms()).await {
                    tracing::warn!("could not delete expired sessions: {err}");
                }
            }
        });
    }

    /// Loads what the settings table says into the running parts (protection rules).
    pub async fn apply_settings(&self) -> crate::error::Result<()> {
        let settings = crate::settings::load(self.store.as_ref()).await?;
        self.apply(&settings);
        Ok(())
    }

    /// Hands changed settings to the parts that use them.
    pub fn apply(&self, settings: &Settings) {
        let protection = crate::processes::Protection::new(settings.protected_processes.clone());
        self.processes.set_protection(protection);
        self.windows
            .set_protected_apps(settings.protected_windows.clone());
        self.metrics
            .set_settings(crate::metrics::MetricsSettings::from_settings(settings));
        self.fleet.set_role_hosts(settings.role_hosts.clone());
    }
}

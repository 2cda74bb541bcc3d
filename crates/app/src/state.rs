//! What every request handler can reach.

use std::sync::Arc;

use crate::auth::cache::AuthCache;
use crate::auth::throttle::LoginThrottle;
use crate::config::Config;
use crate::live::ProcessMonitor;
use crate::spool::Spool;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub throttle: Arc<LoginThrottle>,
    pub processes: Arc<ProcessMonitor>,
    /// Records kept on disk while the database is down.
    pub spool: Arc<Spool>,
    /// Recently confirmed sessions and tokens, so that logged-in users can still act while the
    /// database is briefly unreachable.
    pub auth_cache: Arc<AuthCache>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        let throttle = Arc::new(LoginThrottle::new(config.throttle));
        let processes = ProcessMonitor::new(config.sample_interval);
        let spool = Arc::new(Spool::new(&config.data_dir));
        let auth_cache = Arc::new(AuthCache::default());
        Self {
            store,
            config: Arc::new(config),
            throttle,
            processes,
            spool,
            auth_cache,
        }
    }

    /// Starts the housekeeping tasks: the spool drainer and the expired-session sweeper.
    pub fn spawn_background_tasks(&self) {
        tokio::spawn(
            self.spool
                .clone()
                .run_drainer(self.store.clone(), std::time::Duration::from_secs(1)),
        );
        let store = self.store.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                tick.tick().await;
                if let Err(err) = store.delete_expired_sessions(crate::clock::now_ms()).await {
                    tracing::warn!("could not delete expired sessions: {err}");
                }
            }
        });
    }

    /// Loads what the settings table says into the running parts (process protection).
    pub async fn apply_settings(&self) -> crate::error::Result<()> {
        let settings = crate::actions::settings::load(self).await?;
        self.processes
            .set_protection(crate::processes::Protection::new(
                settings.protected_processes,
            ));
        Ok(())
    }
}

//! What every request handler can reach.

use std::sync::Arc;

use crate::auth::throttle::LoginThrottle;
use crate::config::Config;
use crate::live::ProcessMonitor;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub throttle: Arc<LoginThrottle>,
    pub processes: Arc<ProcessMonitor>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        let throttle = Arc::new(LoginThrottle::new(config.throttle));
        let processes = ProcessMonitor::new(config.sample_interval);
        Self {
            store,
            config: Arc::new(config),
            throttle,
            processes,
        }
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

//! What every request handler can reach.

use std::sync::Arc;

use crate::auth::throttle::LoginThrottle;
use crate::config::Config;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub throttle: Arc<LoginThrottle>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        let throttle = Arc::new(LoginThrottle::new(config.throttle));
        Self {
            store,
            config: Arc::new(config),
            throttle,
        }
    }
}

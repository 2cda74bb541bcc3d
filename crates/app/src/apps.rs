//! The catalog of installed applications, cached: reading every desktop entry takes a few
//! milliseconds, so it is re-read at most every [`REFRESH`] (new installs show up by then).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use platform::{Catalog, CatalogOptions};

const REFRESH: Duration = Duration::from_secs(30);

pub struct AppCatalog {
    options: CatalogOptions,
    cached: Mutex<Option<(Instant, Arc<Catalog>)>>,
}

impl AppCatalog {
    pub fn new(options: CatalogOptions) -> Self {
        Self {
            options,
            cached: Mutex::new(None),
        }
    }

    pub fn options(&self) -> &CatalogOptions {
        &self.options
    }

    /// The catalog, read again when older than [`REFRESH`].
    pub async fn get(self: &Arc<Self>) -> Arc<Catalog> {
        if let Some((at, catalog)) = self
            .cached
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            && at.elapsed() < REFRESH
        {
            return catalog.clone();
        }
        let this = Arc::clone(self);
        let catalog = tokio::task::spawn_blocking(move || platform::load_catalog(&this.options))
            .await
            .map(Arc::new)
            .unwrap_or_default();
        *self.cached.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((Instant::now(), catalog.clone()));
        catalog
    }
}

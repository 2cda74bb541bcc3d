//! Starting and stopping the server.

pub mod connections;
mod data_dir;

use std::sync::Arc;

use anyhow::Context;

use crate::config::Config;
use crate::state::AppState;
use crate::store::{SqlStore, Store};

/// Makes the data directory private, opens the store, binds the address and serves until
/// SIGINT or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    // Before anything is created: the database, spool and logs are for Boss's user alone.
    platform::set_private_umask();
    data_dir::prepare(&config.data_dir)?;
    let store = SqlStore::open(&config.database_url)
        .await
        .with_context(|| {
            format!(
                "cannot open the database {}",
                crate::store::redact_url(&config.database_url)
            )
        })?;
    let store = Arc::new(store);
    tracing::info!(backend = store.backend(), "database ready");

    if !config.bind.ip().is_loopback() {
        tracing::warn!(
            "!!! Boss is listening on {}, reachable from the network. Anyone who can log in \
             can start and end programs on this machine. Use strong passwords, and put Boss \
             behind HTTPS (then pass --secure-cookies). !!!",
            config.bind
        );
    }
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let address = listener.local_addr()?;
    let state = AppState::new(store.clone(), config);
    let _ = state.listen_port.set(address.port());
    state
        .apply_settings()
        .await
        .context("cannot read the settings")?;
    crate::actions::launches::reconcile(&state)
        .await
        .context("cannot reconcile the launches that were running")?;
    state.spawn_background_tasks();

    let shutdown = shutdown_signal()?;
    tracing::info!("Boss of Apps is ready at http://{address}/");
    let limits = state.config.connections.clone();
    connections::serve(listener, crate::http::app(state), limits, shutdown).await;
    store.close().await;
    tracing::info!("Boss of Apps stopped");
    Ok(())
}

/// Completes on SIGINT or SIGTERM. The handlers are installed here, before Boss says it is
/// ready, so that a signal sent right after "ready" stops it cleanly rather than killing it.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
    let mut term = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = term.recv() => {}
        }
        tracing::info!("shutting down");
    })
}

//! Starting and stopping the server.

pub mod connections;

use std::sync::Arc;

use anyhow::Context;

use crate::config::Config;
use crate::state::AppState;
use crate::store::{SqlStore, Store};

/// Opens the store, binds the address and serves until SIGINT or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    create_private_dir(&config.data_dir)?;
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

    tracing::info!("Boss of Apps is ready at http://{address}/");
    let limits = state.config.connections.clone();
    connections::serve(listener, crate::http::app(state), limits, shutdown_signal()).await;
    store.close().await;
    tracing::info!("Boss of Apps stopped");
    Ok(())
}

fn create_private_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create the data directory '{}'", dir.display()))
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    tracing::info!("shutting down");
}

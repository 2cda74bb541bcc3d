//! Starting and stopping the server.

pub mod connections;
pub mod data_dir;

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
    crate::managed::resume(&state)
        .await
        .context("cannot resume the managed apps")?;
    crate::actions::launches::reconcile(&state)
        .await
        .context("cannot reconcile the launches that were running")?;
    state.spawn_background_tasks();
    crate::actions::sessions::spawn_restore_on_start(&state);
    if store.backend() == "postgres" {
        let url = state.config.database_url.clone();
        crate::fleet::Fleet::join(&state, &url)
            .await
            .context("cannot join the fleet of hosts on this database")?;
    }
    crate::actions::accounts::spawn_denial_auditor(&state);

    let shutdown = shutdown_signal()?;
    // Before "ready", so that whoever waits for that line finds the setup code in place.
    offer_setup(&state, address).await?;
    tracing::info!("Boss of Apps is ready at http://{address}/");
    let limits = state.config.connections.clone();
    let at_exit = state.clone();
    connections::serve(listener, crate::http::app(state), limits, shutdown).await;
    // Refusals counted in the last minute are written before the database closes.
    crate::actions::accounts::audit_folded_denials(&at_exit, true).await;
    // Others stop sending requests here at once rather than after the heartbeat goes stale.
    at_exit.fleet.leave().await;
    store.close().await;
    tracing::info!("Boss of Apps stopped");
    Ok(())
}

/// While no account exists, makes the setup code and prints the link that creates the
/// administrator with it.
async fn offer_setup(state: &AppState, address: std::net::SocketAddr) -> anyhow::Result<()> {
    if state.store.count_users().await? > 0 {
        return Ok(());
    }
    let code = state.setup.issue()?;
    // A wildcard address is no place to point a browser at; this machine is.
    let host = match address.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_string(),
        std::net::IpAddr::V6(v6) => format!("[{v6}]"),
        ip => ip.to_string(),
    };
    let file = state.config.data_dir.join(crate::auth::setup::FILE_NAME);
    tracing::warn!(
        "No account exists yet. Create the administrator at \
         http://{host}:{port}/#/register?code={code} (the setup code is also in '{file}')",
        port = address.port(),
        file = file.display(),
    );
    Ok(())
}

/// Completes on SIGINT or SIGTERM. The handlers are installed here, before Boss says it is
/// ready, so that a signal sent right after "ready" stops it cleanly rather than killing it.
#[cfg(unix)]
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

/// Where there is no SIGTERM: Ctrl+C.
#[cfg(not(unix))]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
}

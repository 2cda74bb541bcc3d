//! `GET /metrics`: Prometheus's scrape target. Read with an API token of any role, or without
//! one from an address an admin allowed (Settings, `metrics_scrapers`).

use axum::extract::FromRequestParts;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ErrorBody;
use super::extract::Query;
use crate::auth::{Caller, ClientAddr, Permission};
use crate::error::{Error, Result};
use crate::metrics::{Format, Scrape};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(metrics))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct MetricsQuery {
    /// Name the application groups as process-exporter does (`namedprocess_namegroup_*`,
    /// label `groupname`); when absent, the `metrics_process_exporter_names` setting decides.
    process_exporter: Option<bool>,
}

/// Metrics in the Prometheus text format, or OpenMetrics when `Accept` asks for
/// `application/openmetrics-text`. Processes are grouped by application (desktop entry of a
/// launch, else executable name). Needs an API token (any role) unless the caller's address is
/// in the `metrics_scrapers` setting.
#[utoipa::path(get, path = "/metrics", tag = "metrics", params(MetricsQuery),
    responses(
        (status = 200, content_type = "text/plain", body = String,
            description = "Prometheus text format 0.0.4 (or OpenMetrics 1.0 on request)"),
        (status = 401, body = ErrorBody), (status = 503, body = ErrorBody)))]
async fn metrics(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Query(query): Query<MetricsQuery>,
    request: Request,
) -> Result<Response> {
    let (mut parts, _) = request.into_parts();
    // Held in memory (applied with the other settings): a scrape reads no setting from the
    // database, and the allow-list works while the database is unreachable.
    let settings = state.metrics.settings();
    if parts.headers.contains_key(header::AUTHORIZATION) {
        Caller::from_request_parts(&mut parts, &state)
            .await?
            .require(Permission::View)?;
    } else if !client.is_some_and(|ip| settings.scraper_allowed(ip)) {
        return Err(Error::unauthorized(
            "send an API token ('Authorization: Bearer <token>'), or have an admin add this \
             address to the metrics scrapers in Settings",
        ));
    }
    let format = Format::from_accept(
        parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
    );
    let process_exporter_names = query
        .process_exporter
        .unwrap_or(settings.process_exporter_names);
    // The latest sample: a scrape scans only when the sample is older than the interval.
    let sample = state.processes.latest().await?;
    let (running, launches, windows) = tokio::join!(
        state.store.running_launches(),
        state.store.launch_counts(),
        state.windows.count(),
    );
    // Without the database, launches are missing from the scrape rather than failing it: the
    // groups fall back on executable names and the launch counters are left out.
    let running = running.unwrap_or_else(|err| {
        tracing::warn!("metrics: could not read the running launches: {err}");
        Vec::new()
    });
    let launches = launches.unwrap_or_else(|err| {
        tracing::warn!("metrics: could not count the launches: {err}");
        Vec::new()
    });
    let scrape = Scrape::gather(
        &state,
        &sample,
        &running,
        launches,
        windows,
        process_exporter_names,
    )
    .await;
    let body = scrape.encode(&state, format);
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(format.content_type()),
        )],
        body,
    )
        .into_response())
}

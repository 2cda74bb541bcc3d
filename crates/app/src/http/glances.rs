//! The Glances-compatible read API under `/api/4/` and `/api/3/` (see `crate::glances`), for
//! Home Assistant's Glances integration and dashboards that speak Glances.
//!
//! Authentication as those clients send it: HTTP Basic with a Boss user name and one of that
//! user's API tokens as the password (any role: everything here is read-only). A Bearer token
//! or a session cookie works too.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ErrorBody;
use super::extract::{Json, Path};
use crate::auth::{Caller, Permission, client_address, peer_address};
use crate::error::{Error, Result};
use crate::glances::{ApiVersion, PLUGINS, Reading, View};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(status_v4))
        .routes(routes!(plugins_v4))
        .routes(routes!(all_v4))
        .routes(routes!(plugin_v4))
        .routes(routes!(status_v3))
        .routes(routes!(plugins_v3))
        .routes(routes!(all_v3))
        .routes(routes!(plugin_v3))
}

/// Proof that a request comes from someone allowed to read the Glances API: HTTP Basic (user
/// name and API token), or Boss's usual credentials. Refusals carry a Basic challenge, as
/// Glances sends. Everything behind it is read-only, so who it is matters no further.
pub struct GlancesCaller;

impl FromRequestParts<AppState> for GlancesCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let basic = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .map(|v| v.trim().to_string());
        let caller = match basic {
            Some(encoded) => basic_caller(parts, state, &encoded).await,
            None => Caller::from_request_parts(parts, state).await,
        };
        caller
            .and_then(|caller| caller.require(Permission::View).map(|()| caller))
            .map(|_| GlancesCaller)
            .map_err(challenge)
    }
}

async fn basic_caller(parts: &mut Parts, state: &AppState, encoded: &str) -> Result<Caller> {
    let malformed =
        || Error::unauthorized("HTTP Basic credentials must be 'user:API token' in base64");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (username, token) = decoded.split_once(':').ok_or_else(malformed)?;
    let peer = peer_address(parts).await;
    let client = client_address(parts, peer, &state.config.trusted_proxies);
    let caller = Caller::from_token(state, token, client, peer).await?;
    // The token must be this user's: a token alone would do, but a client that names the wrong
    // user is misconfigured, and saying so now beats acting as someone else.
    if caller.user.username != username {
        return Err(Error::unauthorized(
            "the API token does not belong to that user name",
        ));
    }
    Ok(caller)
}

fn challenge(err: Error) -> Response {
    let mut response = err.into_response();
    if response.status() == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"Boss of Apps\", charset=\"UTF-8\""),
        );
    }
    response
}

/// Reads the machine once and answers with `build`'s view of it.
async fn answer(
    state: &AppState,
    version: ApiVersion,
    build: impl FnOnce(&View) -> Option<Value>,
) -> Result<Option<Value>> {
    // The latest sample: no scan of its own unless the sample is older than the interval.
    let sample = state.processes.latest().await?;
    let reading = tokio::task::spawn_blocking(move || Reading::read(sample))
        .await
        .map_err(|e| Error::Internal(e.into()))?;
    let view = View::new(&reading, &state.glances, version);
    Ok(build(&view))
}

fn status() -> Value {
    json!({ "version": env!("CARGO_PKG_VERSION"), "server": "Boss of Apps (Glances-compatible API)" })
}

async fn plugin(state: &AppState, version: ApiVersion, name: &str) -> Result<Json<Value>> {
    if !PLUGINS.contains(&name) {
        return Err(Error::NotFound(format!(
            "the Glances plugin '{}' is not available here; GET pluginslist names those that are",
            name.chars().take(60).collect::<String>()
        )));
    }
    let value = answer(state, version, |view| view.plugin(name)).await?;
    Ok(Json(value.unwrap_or(Value::Null)))
}

async fn all(state: &AppState, version: ApiVersion) -> Result<Json<Value>> {
    let value = answer(state, version, |view| Some(view.all())).await?;
    Ok(Json(value.unwrap_or(Value::Null)))
}

/// Whether the API answers (Glances 4).
#[utoipa::path(get, path = "/api/4/status", tag = "glances",
    security(("basic" = []), ("token" = []), ("session" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody)))]
async fn status_v4(_caller: GlancesCaller) -> Json<Value> {
    Json(status())
}

/// The plugins Boss fills (Glances 4).
#[utoipa::path(get, path = "/api/4/pluginslist", tag = "glances",
    security(("basic" = []), ("token" = []), ("session" = [])),
    responses((status = 200, body = Vec<String>), (status = 401, body = ErrorBody)))]
async fn plugins_v4(_caller: GlancesCaller) -> Json<Vec<&'static str>> {
    Json(PLUGINS.to_vec())
}

/// Every plugin at once, keyed by plugin name (Glances 4 shapes).
#[utoipa::path(get, path = "/api/4/all", tag = "glances",
    security(("basic" = []), ("token" = []), ("session" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
async fn all_v4(State(state): State<AppState>, _caller: GlancesCaller) -> Result<Json<Value>> {
    all(&state, ApiVersion::V4).await
}

/// One plugin (Glances 4 shapes): an object or a list, as Glances returns it.
#[utoipa::path(get, path = "/api/4/{plugin}", tag = "glances",
    security(("basic" = []), ("token" = []), ("session" = [])),
    params(("plugin" = String, Path, example = "mem",
        description = "A name from pluginslist, e.g. cpu, mem, fs")),
    responses((status = 200, body = Value), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
async fn plugin_v4(
    State(state): State<AppState>,
    _caller: GlancesCaller,
    Path(name): Path<String>,
) -> Result<Json<Value>> {
    plugin(&state, ApiVersion::V4, &name).await
}

/// Whether the API answers (Glances 3).
#[utoipa::path(get, path = "/api/3/status", tag = "glances",
    security(("basic" = []), ("token" = []), ("session" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody)))]
async fn status_v3(_caller: GlancesCaller) -> Json<Value> {
    Json(status())
}

/// The plugins Boss fills (Glances 3).
#[utoipa::path(get, path = "/api/3/pluginslist", tag = "glances",
    security(("basic" = []), ("token" = []), ("session" = [])),
    responses((status = 200, body = Vec<String>), (status = 401, body = ErrorBody)))]
async fn plugins_v3(_caller: GlancesCaller) -> Json<Vec<&'static str>> {
    Json(PLUGINS.to_vec())
}

/// Every plugin at once (Glances 3 shapes: the network plugin has `rx`, `tx`, `cx`).
#[utoipa::path(get, path = "/api/3/all", tag = "glances",
    security(("basic" = []), ("token" = []), ("session" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
async fn all_v3(State(state): State<AppState>, _caller: GlancesCaller) -> Result<Json<Value>> {
    all(&state, ApiVersion::V3).await
}

/// One plugin (Glances 3 shapes).
#[utoipa::path(get, path = "/api/3/{plugin}", tag = "glances",
    security(("basic" = []), ("token" = []), ("session" = [])),
    params(("plugin" = String, Path, example = "mem",
        description = "A name from pluginslist, e.g. cpu, mem, fs")),
    responses((status = 200, body = Value), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
async fn plugin_v3(
    State(state): State<AppState>,
    _caller: GlancesCaller,
    Path(name): Path<String>,
) -> Result<Json<Value>> {
    plugin(&state, ApiVersion::V3, &name).await
}

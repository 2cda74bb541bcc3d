//! The catalog of installed applications, their icons, and launching them.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ErrorBody;
use super::extract::{Json, OptionalJson, Path, Query};
use super::launches::{LaunchCreated, LaunchView};
use crate::actions::launches;
use crate::auth::{Caller, Permission};
use crate::error::{Error, Result};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_apps))
        .routes(routes!(app_icon))
        .routes(routes!(launch_app))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AppQuery {
    /// Matches name, generic name, comment, keywords and id (case-insensitive).
    q: Option<String>,
    /// A category, e.g. `Utility`.
    category: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AppView {
    pub id: String,
    pub name: String,
    pub generic_name: Option<String>,
    pub comment: Option<String>,
    pub keywords: Vec<String>,
    pub categories: Vec<String>,
    /// Where to fetch its icon; null when it has none.
    pub icon_url: Option<String>,
    pub terminal: bool,
    /// Launches of it running now.
    pub running: usize,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AppList {
    pub apps: Vec<AppView>,
    /// Every category used by the listed applications, sorted.
    pub categories: Vec<String>,
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct LaunchAppRequest {
    /// Files or URLs to open with it (for `%f`, `%F`, `%u`, `%U`).
    #[serde(default)]
    pub args: Vec<String>,
}

/// The installed applications, sorted by name.
#[utoipa::path(get, path = "/api/v1/apps", tag = "apps", params(AppQuery),
    responses((status = 200, body = AppList), (status = 401, body = ErrorBody)))]
async fn list_apps(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<AppQuery>,
) -> Result<Json<AppList>> {
    caller.require(Permission::View)?;
    let catalog = state.apps.get().await;
    let running = state.store.running_launches().await.unwrap_or_default();
    let needle = query
        .q
        .as_deref()
        .map(str::to_lowercase)
        .filter(|q| !q.is_empty());
    let category = query.category.filter(|c| !c.is_empty());
    let mut categories: Vec<String> = Vec::new();
    let apps = catalog
        .entries()
        .iter()
        .filter(|e| {
            category
                .as_ref()
                .is_none_or(|c| e.categories.iter().any(|ec| ec.eq_ignore_ascii_case(c)))
        })
        .filter(|e| {
            needle.as_ref().is_none_or(|q| {
                [
                    Some(&e.name),
                    e.generic_name.as_ref(),
                    e.comment.as_ref(),
                    Some(&e.id),
                ]
                .into_iter()
                .flatten()
                .chain(e.keywords.iter())
                .any(|text| text.to_lowercase().contains(q.as_str()))
            })
        })
        .map(|e| {
            categories.extend(e.categories.iter().cloned());
            AppView {
                id: e.id.clone(),
                name: e.name.clone(),
                generic_name: e.generic_name.clone(),
                comment: e.comment.clone(),
                keywords: e.keywords.clone(),
                categories: e.categories.clone(),
                icon_url: e
                    .icon
                    .as_ref()
                    .map(|_| format!("/api/v1/apps/{}/icon", e.id)),
                terminal: e.terminal,
                running: running
                    .iter()
                    .filter(|l| l.record.app_id.as_deref() == Some(e.id.as_str()))
                    .count(),
            }
        })
        .collect();
    categories.sort();
    categories.dedup();
    Ok(Json(AppList { apps, categories }))
}

/// The application's icon (PNG or SVG).
#[utoipa::path(get, path = "/api/v1/apps/{id}/icon", tag = "apps",
    params(("id" = String, Path, description = "Desktop entry id")),
    responses((status = 200, content_type = "image/png", description = "PNG or SVG bytes"),
        (status = 404, body = ErrorBody)))]
async fn app_icon(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response> {
    caller.require(Permission::View)?;
    let catalog = state.apps.get().await;
    let entry = catalog
        .get(&id)
        .ok_or_else(|| Error::NotFound(format!("no application '{id}'")))?;
    if entry.icon.is_none() {
        return Err(Error::NotFound(format!("'{id}' has no icon")));
    }
    let entry = entry.clone();
    let apps = state.apps.clone();
    // An icon outside the icon directories, or whose bytes are not the image its name says,
    // is a missing icon: the same 404, whatever the reason.
    let image =
        tokio::task::spawn_blocking(move || platform::load_icon(&entry, 64, apps.options()))
            .await
            .map_err(|e| Error::Internal(e.into()))?
            .ok_or_else(|| Error::NotFound(format!("the icon of '{id}' was not found")))?;
    // Browsers show PNG and SVG; a gzipped SVG is an SVG sent with gzip encoding.
    let (mime, encoding) = match image.format {
        platform::IconFormat::Png => ("image/png", None),
        platform::IconFormat::Svg => ("image/svg+xml", None),
        platform::IconFormat::Svgz => ("image/svg+xml", Some("gzip")),
        platform::IconFormat::Xpm => {
            return Err(Error::NotFound(format!(
                "the icon of '{id}' is in a format browsers cannot show"
            )));
        }
    };
    let bytes = image.bytes;
    let mut response = (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        bytes,
    )
        .into_response();
    if let Some(encoding) = encoding {
        response.headers_mut().insert(
            header::CONTENT_ENCODING,
            header::HeaderValue::from_static(encoding),
        );
    }
    // SVG may hold scripts: never let it run as a document.
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
    );
    Ok(response)
}

/// Starts an installed application.
#[utoipa::path(post, path = "/api/v1/apps/{id}/launch", tag = "apps",
    params(("id" = String, Path, description = "Desktop entry id")),
    request_body(content = LaunchAppRequest, description = "Optional"),
    responses((status = 201, body = LaunchCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn launch_app(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    OptionalJson(body): OptionalJson<LaunchAppRequest>,
) -> Result<(StatusCode, Json<LaunchCreated>)> {
    let body = body.unwrap_or_default();
    let launch = launches::launch_app(&state, &caller, &id, body.args).await?;
    Ok((
        StatusCode::CREATED,
        Json(LaunchCreated {
            launch: LaunchView::from(&launch),
        }),
    ))
}

//! The HTTP interface: one module per resource, each owning its routes, merged into one router
//! whose OpenAPI document is generated from the same route list.

pub mod apps;
mod audit;
pub mod auth;
pub mod error;
mod events;
mod extract;
mod files;
mod glances;
pub mod guard;
mod health;
pub mod hosts;
pub mod launches;
pub mod managed;
mod metrics;
mod params;
pub mod processes;
pub mod sessions;
mod settings;
pub mod tokens;
mod users;
pub mod windows;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::auth::{Caller, SESSION_COOKIE};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Boss of Apps",
        description = "See and control the processes, windows and applications of this computer."
    ),
    modifiers(&SecuritySchemes),
    security(("session" = []), ("token" = [])),
    components(schemas(error::ErrorBody)),
    tags(
        (name = "system", description = "Health and documents"),
        (name = "auth", description = "Registration, login, sessions, passwords"),
        (name = "tokens", description = "API tokens for scripts and the CLI"),
        (name = "users", description = "Account administration (admins)"),
        (name = "settings", description = "Server settings"),
        (name = "audit", description = "The audit log (admins)"),
        (name = "processes", description = "Processes, the system summary and live events"),
        (name = "windows", description = "The desktop's windows: close gracefully, activate, minimize"),
        (name = "apps", description = "Installed applications and launching them"),
        (name = "launches", description = "Launch history, running any program, the file browser"),
        (name = "sessions", description = "Saved desks: snapshot the open apps and windows, restore them"),
        (name = "managed", description = "Managed apps: kept running with restart policies and capped logs"),
        (name = "metrics", description = "Prometheus metrics"),
        (name = "glances", description = "Glances-compatible read API (v4 and v3 shapes) for Home Assistant and dashboards"),
        (name = "hosts", description = "The fleet: every Boss on one PostgreSQL database, any host's routes, actions on many hosts"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(SESSION_COOKIE))),
        );
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
        );
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API routes with their OpenAPI description, before state and middleware.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::routes())
        .merge(auth::routes())
        .merge(tokens::routes())
        .merge(users::routes())
        .merge(settings::routes())
        .merge(audit::routes())
        .merge(processes::routes())
        .merge(windows::routes())
        .merge(apps::routes())
        .merge(launches::routes())
        .merge(sessions::routes())
        .merge(managed::routes())
        .merge(files::routes())
        .merge(events::routes())
        .merge(metrics::routes())
        .merge(glances::routes())
        .merge(hosts::routes())
}

/// The OpenAPI document of the whole API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = api_routes().split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc
}

/// The complete application: API, OpenAPI document, embedded UI and every guard.
pub fn app(state: AppState) -> Router {
    let (api, _) = api_routes().split_for_parts();
    let document = Arc::new(openapi());
    let max_body = state.config.max_body_bytes;
    Router::new()
        .merge(api)
        .route(
            "/api/openapi.json",
            get(move |_caller: Caller| {
                let document = Arc::clone(&document);
                async move { axum::Json(document.as_ref().clone()) }
            }),
        )
        .merge(api_viewer())
        .fallback(crate::web::serve)
        // Innermost, so that each request is counted under the route it matched.
        .layer(from_fn_with_state(
            state.clone(),
            crate::metrics::count_requests,
        ))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(RequestBodyLimitLayer::new(max_body))
        .layer(from_fn(guard::json_errors))
        .layer(CatchPanicLayer::custom(guard::panic_response))
        .layer(from_fn(guard::refuse_cross_site))
        .layer(from_fn_with_state(state.clone(), guard::check_host))
        .layer(from_fn(guard::security_headers))
        // The UI's scripts and the process list shrink to a fifth (event streams are left alone).
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Swagger UI at `/api/docs/`, from files built into the binary. The viewer itself is public
/// (static files); the document it shows, `/api/openapi.json`, needs a login like the rest.
fn api_viewer() -> Router<AppState> {
    use axum::http::{HeaderValue, header};
    use tower_http::set_header::SetResponseHeaderLayer;
    // Swagger UI styles elements inline; nothing else is relaxed.
    const VIEWER_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' \
        'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
        base-uri 'none'; frame-ancestors 'none'";
    let viewer = utoipa_swagger_ui::SwaggerUi::new("/api/docs")
        .config(utoipa_swagger_ui::Config::new(["/api/openapi.json"]));
    Router::from(viewer).layer(SetResponseHeaderLayer::overriding(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(VIEWER_POLICY),
    ))
}

//! Liveness, and what the login page needs to know before anyone is logged in.

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::Json;
use crate::error::Result;
use crate::settings;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the server and its database answer.
    status: String,
    version: String,
    /// No account exists yet: the first registration creates the administrator.
    setup_required: bool,
    /// Whether `POST /api/v1/auth/register` currently accepts new accounts.
    registration_open: bool,
}

/// Liveness and set-up state; needs no login.
#[utoipa::path(get, path = "/api/v1/health", tag = "system", security(()),
    responses((status = 200, body = Health), (status = 503, body = super::error::ErrorBody)))]
async fn health(State(state): State<AppState>) -> Result<Json<Health>> {
    let setup_required = state.store.count_users().await? == 0;
    let registration_open = setup_required
        || settings::load(state.store.as_ref())
            .await?
            .registration_open;
    Ok(Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        setup_required,
        registration_open,
    }))
}

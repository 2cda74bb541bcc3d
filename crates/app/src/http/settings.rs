//! Server settings: everyone reads them, admins change them.

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ErrorBody;
use super::extract::Json;
use crate::actions::settings as settings_actions;
use crate::auth::{Caller, Permission};
use crate::error::Result;
use crate::settings::{self, Settings, SettingsPatch};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_settings, update_settings))
}

/// The current settings.
#[utoipa::path(get, path = "/api/v1/settings", tag = "settings",
    responses((status = 200, body = Settings), (status = 401, body = ErrorBody)))]
async fn get_settings(State(state): State<AppState>, caller: Caller) -> Result<Json<Settings>> {
    caller.require(Permission::View)?;
    Ok(Json(settings::load(state.store.as_ref()).await?))
}

/// Changes settings (admins); absent fields stay as they are.
#[utoipa::path(patch, path = "/api/v1/settings", tag = "settings", request_body = SettingsPatch,
    responses((status = 200, body = Settings), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_settings(
    State(state): State<AppState>,
    caller: Caller,
    Json(patch): Json<SettingsPatch>,
) -> Result<Json<Settings>> {
    Ok(Json(
        settings_actions::update(&state, &caller, patch).await?,
    ))
}

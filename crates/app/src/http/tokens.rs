//! API tokens of the logged-in user, for scripts and the CLI (`Authorization: Bearer`).

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{STEP_UP_FORBIDDEN, STEP_UP_THROTTLED};
use super::error::ErrorBody;
use super::extract::{Json, Path};
use crate::actions::accounts;
use crate::auth::Caller;
use crate::clock::{now_ms, to_rfc3339};
use crate::error::Result;
use crate::state::AppState;
use crate::store::ApiToken;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(delete_token))
}

/// An API token as the API shows it (never its secret).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    /// RFC 3339; null when the token never expires.
    pub expires_at: Option<String>,
    /// Whether the token has expired (it is then refused, like a revoked one).
    pub expired: bool,
}

impl TokenView {
    /// The token as seen at `now` (epoch milliseconds), which decides `expired`.
    pub(super) fn at(token: &ApiToken, now: i64) -> Self {
        Self {
            id: token.id,
            name: token.name.clone(),
            created_at: to_rfc3339(token.created_at),
            last_used_at: token.last_used_at.map(to_rfc3339),
            expires_at: token.expires_at.map(to_rfc3339),
            expired: token.is_expired(now),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub(super) struct TokenList {
    tokens: Vec<TokenView>,
}

impl TokenList {
    pub(super) fn now(tokens: &[ApiToken]) -> Self {
        let now = now_ms();
        Self {
            tokens: tokens.iter().map(|t| TokenView::at(t, now)).collect(),
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. "backup script".
    pub name: String,
    /// Your current password: a session alone may not mint tokens.
    pub password: String,
    /// Days until the token expires (1 to 3650); absent or null: it never expires.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_in_days: Option<i64>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct CreatedToken {
    pub token: TokenView,
    /// The secret to send as `Authorization: Bearer <secret>`. Shown only this once.
    pub secret: String,
}

/// Your API tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses((status = 200, body = TokenList), (status = 401, body = ErrorBody)))]
async fn list_tokens(State(state): State<AppState>, caller: Caller) -> Result<Json<TokenList>> {
    let tokens = accounts::list_tokens(&state, &caller).await?;
    Ok(Json(TokenList::now(&tokens)))
}

/// Creates an API token acting as you. Needs your current password and a logged-in session
/// (not an API token).
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = STEP_UP_FORBIDDEN),
        (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = STEP_UP_THROTTLED)))]
async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>)> {
    let (token, secret) = accounts::create_token(
        &state,
        &caller,
        &body.name,
        &body.password,
        body.expires_in_days,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: TokenView::at(&token, now_ms()),
            secret,
        }),
    ))
}

/// Revokes one of your API tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = i64, Path, description = "Token id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    accounts::delete_token(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

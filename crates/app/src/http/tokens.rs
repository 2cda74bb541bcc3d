//! API tokens of the logged-in user, for scripts and the CLI (`Authorization: Bearer`).

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ErrorBody;
use super::extract::{Json, Path};
use crate::actions::accounts;
use crate::auth::Caller;
use crate::clock::to_rfc3339;
use crate::error::Result;
use crate::state::AppState;
use crate::store::ApiToken;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(delete_token))
}

#[derive(Serialize, ToSchema)]
struct TokenView {
    id: i64,
    name: String,
    created_at: String,
    last_used_at: Option<String>,
}

impl From<&ApiToken> for TokenView {
    fn from(token: &ApiToken) -> Self {
        Self {
            id: token.id,
            name: token.name.clone(),
            created_at: to_rfc3339(token.created_at),
            last_used_at: token.last_used_at.map(to_rfc3339),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct TokenList {
    tokens: Vec<TokenView>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewToken {
    /// What the token is for, e.g. "backup script".
    name: String,
}

#[derive(Serialize, ToSchema)]
struct CreatedToken {
    token: TokenView,
    /// The secret to send as `Authorization: Bearer <secret>`. Shown only this once.
    secret: String,
}

/// Your API tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses((status = 200, body = TokenList), (status = 401, body = ErrorBody)))]
async fn list_tokens(State(state): State<AppState>, caller: Caller) -> Result<Json<TokenList>> {
    let tokens = accounts::list_tokens(&state, &caller).await?;
    Ok(Json(TokenList {
        tokens: tokens.iter().map(TokenView::from).collect(),
    }))
}

/// Creates an API token acting as you.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 422, body = ErrorBody)))]
async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>)> {
    let (token, secret) = accounts::create_token(&state, &caller, &body.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: TokenView::from(&token),
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

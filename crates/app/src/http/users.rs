//! Account administration, for admins.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ErrorBody;
use super::extract::{Json, Path};
use super::tokens::TokenList;
use crate::actions::accounts;
use crate::auth::{Caller, Role};
use crate::clock::to_rfc3339;
use crate::error::Result;
use crate::state::AppState;
use crate::store::User;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(update_user, delete_user))
        .routes(routes!(list_user_tokens))
        .routes(routes!(delete_user_token))
}

/// An account as the API shows it (never its password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub role: Role,
    /// RFC 3339.
    pub created_at: String,
}

impl From<&User> for UserView {
    fn from(user: &User) -> Self {
        Self {
            id: user.id,
            username: user.username.clone(),
            role: user.role,
            created_at: to_rfc3339(user.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct UserList {
    users: Vec<UserView>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewUser {
    username: String,
    password: String,
    role: Role,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct UserPatch {
    role: Option<Role>,
    /// A new password; ends the account's sessions and revokes its API tokens.
    password: Option<String>,
}

/// Every account.
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = UserList), (status = 403, body = ErrorBody)))]
async fn list_users(State(state): State<AppState>, caller: Caller) -> Result<Json<UserList>> {
    let users = accounts::list_users(&state, &caller).await?;
    Ok(Json(UserList {
        users: users.iter().map(UserView::from).collect(),
    }))
}

/// Creates an account with any role.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = UserView), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewUser>,
) -> Result<(StatusCode, Json<UserView>)> {
    let user =
        accounts::create_user(&state, &caller, &body.username, &body.password, body.role).await?;
    Ok((StatusCode::CREATED, Json(UserView::from(&user))))
}

/// Changes an account's role or resets its password (which ends the account's sessions and
/// revokes its API tokens).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = UserPatch,
    params(("id" = i64, Path, description = "Account id")),
    responses((status = 200, body = UserView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<UserPatch>,
) -> Result<Json<UserView>> {
    let user =
        accounts::update_user(&state, &caller, id, body.role, body.password.as_deref()).await?;
    Ok(Json(UserView::from(&user)))
}

/// Deletes an account with its sessions and tokens; its audit history stays.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = i64, Path, description = "Account id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn delete_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    accounts::delete_user(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An account's API tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/users/{id}/tokens", tag = "users",
    params(("id" = i64, Path, description = "Account id")),
    responses((status = 200, body = TokenList), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn list_user_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<TokenList>> {
    let (_, tokens) = accounts::list_user_tokens(&state, &caller, id).await?;
    Ok(Json(TokenList::now(&tokens)))
}

/// Revokes one API token of an account.
#[utoipa::path(delete, path = "/api/v1/users/{id}/tokens/{token_id}", tag = "users",
    params(("id" = i64, Path, description = "Account id"),
        ("token_id" = i64, Path, description = "Token id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_user_token(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, token_id)): Path<(i64, i64)>,
) -> Result<StatusCode> {
    accounts::delete_user_token(&state, &caller, id, token_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

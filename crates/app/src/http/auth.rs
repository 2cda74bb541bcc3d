//! Registration, login, logout, the current user and password changes.

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ErrorBody;
use super::extract::Json;
use super::users::UserView;
use crate::actions::accounts;
use crate::auth::{AuthMethod, Caller, ClientAddr, SESSION_COOKIE};
use crate::error::Result;
use crate::state::AppState;

/// The 403 of a route that asks for the current password again (a step-up, see
/// `accounts::step_up`), as its OpenAPI response says it.
pub(super) const STEP_UP_FORBIDDEN: &str =
    "`wrong_password`, or `session_required` when called with a token";
/// The 429 of a step-up route: wrong current passwords are throttled like logins.
pub(super) const STEP_UP_THROTTLED: &str = "Too many wrong passwords";

/// The largest body the `/auth` routes take: a username, passwords and a setup code fit in
/// far less, and nobody unauthenticated gets to send more.
pub const AUTH_BODY_LIMIT: usize = 8 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
        .layer(DefaultBodyLimit::max(AUTH_BODY_LIMIT))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Registration {
    username: String,
    password: String,
    /// Needed for the first account only: the code Boss printed at start-up (also in the file
    /// `setup-code` in its data directory).
    setup_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct LoginResponse {
    user: UserView,
}

#[derive(Serialize, ToSchema)]
struct Me {
    user: UserView,
    /// How this request was authenticated: `session` or `token`.
    auth: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    current_password: String,
    new_password: String,
    /// Also delete every API token of yours (default: keep them).
    #[serde(default)]
    revoke_tokens: bool,
}

#[derive(Serialize, ToSchema)]
struct PasswordChanged {
    /// How many of your other sessions were ended.
    other_sessions_revoked: u64,
    /// How many of your API tokens were deleted (0 unless `revoke_tokens` was set).
    tokens_revoked: u64,
}

fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.secure_cookies)
        .path("/")
        .max_age(time::Duration::seconds(
            state.config.session_ttl.as_secs() as i64
        ))
        .build()
}

/// Creates an account and logs it in. The first account becomes admin and needs the setup
/// code; afterwards only while an admin has opened registration.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = Registration,
    security(()),
    responses((status = 201, body = UserView, description = "Created and logged in (cookie set)"),
        (status = 403, body = ErrorBody,
            description = "Registration is closed, or the setup code is missing (setup_code_required) or wrong"),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn register(
    State(state): State<AppState>,
    client: ClientAddr,
    jar: CookieJar,
    Json(body): Json<Registration>,
) -> Result<(StatusCode, CookieJar, Json<UserView>)> {
    let opened = accounts::register(
        &state,
        client.0,
        &body.username,
        &body.password,
        body.setup_code.as_deref(),
    )
    .await?;
    let jar = jar.add(session_cookie(&state, opened.cookie_value));
    Ok((StatusCode::CREATED, jar, Json(UserView::from(&opened.user))))
}

/// Logs in with a username and password; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = Credentials,
    security(()),
    responses((status = 200, body = LoginResponse),
        (status = 401, body = ErrorBody, description = "Wrong username or password"),
        (status = 429, body = ErrorBody, description = "Too many failed attempts"),
        (status = 503, body = ErrorBody, description = "Too many password checks at once (busy)")))]
async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    jar: CookieJar,
    Json(body): Json<Credentials>,
) -> Result<(CookieJar, Json<LoginResponse>)> {
    let opened = accounts::login(&state, client.0, &body.username, &body.password).await?;
    let jar = jar.add(session_cookie(&state, opened.cookie_value));
    Ok((
        jar,
        Json(LoginResponse {
            user: UserView::from(&opened.user),
        }),
    ))
}

/// Ends the session: the cookie stops working on the server, not only in this browser.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = ErrorBody)))]
async fn logout(
    State(state): State<AppState>,
    caller: Caller,
    jar: CookieJar,
) -> Result<(StatusCode, CookieJar)> {
    accounts::logout(&state, &caller).await?;
    let jar = jar.remove(Cookie::build((SESSION_COOKIE, "")).path("/").build());
    Ok((StatusCode::NO_CONTENT, jar))
}

/// The logged-in user.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(caller: Caller) -> Json<Me> {
    let auth = match caller.method {
        AuthMethod::Session { .. } => "session",
        AuthMethod::Token { .. } => "token",
        AuthMethod::Startup => "startup",
        AuthMethod::Relayed { .. } => "relayed",
    };
    Json(Me {
        user: UserView::from(&caller.user),
        auth: auth.into(),
    })
}

/// Changes your own password; your other sessions are ended, and with `revoke_tokens` your
/// API tokens are deleted. Only from a logged-in session (not with an API token).
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange,
    responses((status = 200, body = PasswordChanged), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = STEP_UP_FORBIDDEN),
        (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = STEP_UP_THROTTLED)))]
async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<PasswordChange>,
) -> Result<Json<PasswordChanged>> {
    let changed = accounts::change_password(
        &state,
        &caller,
        &body.current_password,
        &body.new_password,
        body.revoke_tokens,
    )
    .await?;
    Ok(Json(PasswordChanged {
        other_sessions_revoked: changed.other_sessions_revoked,
        tokens_revoked: changed.tokens_revoked,
    }))
}

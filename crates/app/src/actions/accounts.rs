//! Accounts: registration, login and logout, passwords, API tokens and user administration.

use std::net::IpAddr;

use serde_json::json;

use super::{AuditAction, AuditEntry, Outcome, audit, by, require};
use crate::auth::{AuthMethod, Caller, Permission, Role, password, secret};
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{ApiToken, NewSession, User};

/// A session just opened: the cookie value to hand to the browser.
pub struct OpenedSession {
    pub user: User,
    pub cookie_value: String,
}

/// Checks a username: 1 to 64 letters, digits, `.`, `_` or `-`.
pub fn validate_username(name: &str) -> Result<()> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if name.is_empty() || name.len() > 64 || !ok_chars {
        return Err(Error::Invalid(format!(
            "the username '{}' is not valid: use 1 to 64 letters, digits, '.', '_' or '-'",
            name.chars().take(80).collect::<String>()
        )));
    }
    Ok(())
}

/// Self-service registration. The first account becomes admin and needs the setup code (see
/// `auth::setup`); later ones are viewers, and only while an admin has opened registration.
pub async fn register(
    state: &AppState,
    client: Option<IpAddr>,
    username: &str,
    new_password: &str,
    setup_code: Option<&str>,
) -> Result<OpenedSession> {
    validate_username(username)?;
    password::validate(new_password)?;
    let refused = |reason: &str| AuditEntry {
        actor: None,
        actor_name: Some(username),
        client,
        action: AuditAction::Register,
        target: Some(username.to_string()),
        outcome: Outcome::Denied,
        detail: Some(json!({ "reason": reason })),
    };
    let first = state.store.count_users().await? == 0;
    if first {
        if let Err(err) = state.setup.check(setup_code) {
            audit_refusal(state, client, refused(&err.to_string())).await;
            return Err(err);
        }
    } else if !crate::settings::load(state.store.as_ref())
        .await?
        .registration_open
    {
        audit_refusal(state, client, refused("registration is closed")).await;
        return Err(Error::Forbidden {
            code: "registration_closed",
            message: "registration is closed; ask an administrator for an account".into(),
        });
    }
    let hash = state.passwords.hash(new_password.to_string()).await?;
    let role = if first { Role::Admin } else { Role::Viewer };
    let user = match state.store.create_user(username, &hash, role, first).await {
        Ok(Some(user)) => user,
        // Someone else created the first account in the meantime: this one is not first.
        Ok(None) => return Box::pin(register(state, client, username, new_password, None)).await,
        Err(err) => {
            let err = Error::from(err);
            audit(state, refused(&err.to_string())).await;
            return Err(err);
        }
    };
    if first {
        state.setup.consume();
    }
    signed_in(&user, client, AuditAction::Register)
        .with_detail(json!({ "role": user.role, "first_account": first }))
        .write(state)
        .await;
    open_session(state, user, client).await
}

/// A name as it may be kept in the audit log and the throttle: names longer than any account's
/// are cut, so that a 60 KB "username" never becomes a 60 KB row.
fn clip_name(name: &str) -> String {
    name.chars().take(64).collect()
}

/// Checks a username and password and opens a session.
pub async fn login(
    state: &AppState,
    client: Option<IpAddr>,
    username: &str,
    given_password: &str,
) -> Result<OpenedSession> {
    let name = clip_name(username);
    let failed = |reason: &str, outcome| AuditEntry {
        actor: None,
        actor_name: Some(&name),
        client,
        action: AuditAction::LoginFailed,
        target: Some(name.clone()),
        outcome,
        detail: Some(json!({ "reason": reason })),
    };
    let attempt = match state.throttle.reserve(client, &name) {
        Ok(attempt) => attempt,
        Err(retry_after_secs) => {
            let entry = failed("too many failed attempts", Outcome::Denied);
            audit_refusal(state, client, entry).await;
            return Err(Error::RateLimited { retry_after_secs });
        }
    };
    // A name no account can have is not looked up (its first 64 characters might be one).
    let user = match validate_username(username) {
        Ok(()) => state.store.user_by_name(username).await?,
        Err(_) => None,
    };
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let matches = state
        .passwords
        .verify(given_password.to_string(), stored)
        .await?;
    let Some(user) = user.filter(|_| matches) else {
        attempt.failed();
        audit(
            state,
            failed("wrong username or password", Outcome::Failure),
        )
        .await;
        return Err(Error::Unauthorized {
            code: "invalid_credentials",
            message: "wrong username or password".into(),
        });
    };
    attempt.succeeded();
    audit(state, signed_in(&user, client, AuditAction::Login)).await;
    open_session(state, user, client).await
}

/// Audits a refusal made before any work (throttled, registration closed), folding a flood
/// from one address into one row per minute with a count (see [`audit_folded_denials`]).
async fn audit_refusal(state: &AppState, client: Option<IpAddr>, entry: AuditEntry<'_>) {
    if state.throttle.note_denial(client, now_ms()) {
        audit(state, entry).await;
    }
}

/// Writes the rows of folded refusals as their windows end, for as long as Boss runs.
pub fn spawn_denial_auditor(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(crate::auth::throttle::DENIAL_FOLD / 4);
        loop {
            tick.tick().await;
            audit_folded_denials(&state, false).await;
        }
    });
}

/// Writes one audit row per address for the refusals folded since its last row (those of
/// windows that have ended, or all with `flush_all`).
pub async fn audit_folded_denials(state: &AppState, flush_all: bool) {
    for folded in state.throttle.take_folded(flush_all) {
        let entry = AuditEntry {
            actor: None,
            actor_name: None,
            client: folded.client,
            action: AuditAction::Refused,
            target: None,
            outcome: Outcome::Denied,
            detail: Some(json!({
                "reason": "repeated refusals from one address, counted in one row",
                "count": folded.count,
                "since": crate::clock::to_rfc3339(folded.since_ms),
                "address": folded.address.trim_start_matches("ip:"),
            })),
        };
        audit(state, entry).await;
    }
}

/// The audit entry of a user who just registered or logged in (not yet a caller).
fn signed_in(user: &User, client: Option<IpAddr>, action: AuditAction) -> AuditEntry<'_> {
    AuditEntry {
        actor: Some(user),
        actor_name: None,
        client,
        action,
        target: Some(user.username.clone()),
        outcome: Outcome::Success,
        detail: None,
    }
}

async fn open_session(
    state: &AppState,
    user: User,
    client: Option<IpAddr>,
) -> Result<OpenedSession> {
    let cookie_value = secret::random_hex();
    let now = now_ms();
    state
        .store
        .create_session(NewSession {
            id_hash: secret::digest(&cookie_value),
            user_id: user.id,
            created_at: now,
            expires_at: now + state.config.session_ttl.as_millis() as i64,
            client: client.map(|ip| ip.to_string()),
        })
        .await?;
    Ok(OpenedSession { user, cookie_value })
}

/// Ends the caller's session (for a token caller there is nothing to end).
pub async fn logout(state: &AppState, caller: &Caller) -> Result<()> {
    if let Some(id_hash) = caller.session_hash() {
        state.store.delete_session(id_hash).await?;
        // After the delete, so that streams checking their session again find it gone (this
        // also drops the session's cache entry).
        state.auth_cache.forget_user(caller.user.id);
    }
    let target = Some(caller.user.username.clone());
    audit(
        state,
        by(caller, AuditAction::Logout, target, Outcome::Success),
    )
    .await;
    Ok(())
}

/// Refuses a caller who came with an API token: the work is for a logged-in person only
/// (minting tokens, changing the password), so that a leaked token cannot extend itself.
fn require_session(caller: &Caller, what: &str) -> Result<()> {
    match caller.method {
        AuthMethod::Session { .. } => Ok(()),
        AuthMethod::Token { .. } | AuthMethod::Startup => Err(Error::Forbidden {
            code: "session_required",
            message: format!("only a logged-in session may {what}, not an API token"),
        }),
        AuthMethod::Relayed { .. } => Err(Error::Forbidden {
            code: "session_required",
            message: format!("only a logged-in session may {what}, not a relayed request"),
        }),
    }
}

/// Step-up: confirms that the caller knows their current password before a sensitive change,
/// so that a stolen session cookie alone is not enough. Guesses are throttled like logins (per
/// address and per account, attempts in flight counted).
async fn check_current_password(
    state: &AppState,
    caller: &Caller,
    given_password: &str,
) -> Result<()> {
    let attempt = state
        .throttle
        .reserve(caller.client, &caller.user.username)
        .map_err(|retry_after_secs| Error::RateLimited { retry_after_secs })?;
    let stored = Some(caller.user.password_hash.clone());
    if !state
        .passwords
        .verify(given_password.to_string(), stored)
        .await?
    {
        attempt.failed();
        return Err(Error::Forbidden {
            code: "wrong_password",
            message: "the current password is not right".into(),
        });
    }
    attempt.succeeded();
    Ok(())
}

/// The gate of sensitive account changes: a logged-in session (not a token) that knows the
/// current password; refusals are audited under `action`.
async fn step_up(
    state: &AppState,
    caller: &Caller,
    action: AuditAction,
    what: &str,
    given_password: &str,
) -> Result<()> {
    let checked = match require_session(caller, what) {
        Ok(()) => check_current_password(state, caller, given_password).await,
        Err(err) => Err(err),
    };
    if let Err(err) = &checked {
        audit_step_up_refusal(state, caller, action, err).await;
    }
    checked
}

/// Audits a refused step-up or session check: throttling and token callers are `denied` (a
/// flood of throttled ones folded into one row), a wrong password a `failure`.
async fn audit_step_up_refusal(
    state: &AppState,
    caller: &Caller,
    action: AuditAction,
    err: &Error,
) {
    let outcome = match err {
        Error::Forbidden {
            code: "wrong_password",
            ..
        } => Outcome::Failure,
        _ => Outcome::Denied,
    };
    let entry = by(caller, action, Some(caller.user.username.clone()), outcome).with_reason(err);
    if matches!(err, Error::RateLimited { .. }) {
        audit_refusal(state, caller.client, entry).await;
    } else {
        audit(state, entry).await;
    }
}

/// What a password change revoked.
#[derive(Debug, Clone, Copy)]
pub struct PasswordChanged {
    pub other_sessions_revoked: u64,
    pub tokens_revoked: u64,
}

/// Changes the caller's own password and ends their other sessions; with `revoke_tokens` it
/// also deletes every API token of theirs. Only from a logged-in session; wrong current
/// passwords are throttled like logins.
pub async fn change_password(
    state: &AppState,
    caller: &Caller,
    current: &str,
    new: &str,
    revoke_tokens: bool,
) -> Result<PasswordChanged> {
    const ACTION: AuditAction = AuditAction::PasswordChange;
    let target = Some(caller.user.username.clone());
    password::validate(new)?;
    step_up(state, caller, ACTION, "change the password", current).await?;
    let hash = state.passwords.hash(new.to_string()).await?;
    state.store.set_user_password(caller.user.id, &hash).await?;
    let other_sessions_revoked = state
        .store
        .delete_user_sessions(caller.user.id, caller.session_hash())
        .await?;
    let tokens_revoked = if revoke_tokens {
        state.store.delete_user_tokens(caller.user.id).await?
    } else {
        0
    };
    // After the deletions, so that no request in between can put a revoked entry back.
    state.auth_cache.forget_user(caller.user.id);
    by(caller, ACTION, target, Outcome::Success)
        .with_detail(json!({
            "other_sessions_revoked": other_sessions_revoked,
            "tokens_revoked": tokens_revoked,
        }))
        .write(state)
        .await;
    Ok(PasswordChanged {
        other_sessions_revoked,
        tokens_revoked,
    })
}

pub async fn list_tokens(state: &AppState, caller: &Caller) -> Result<Vec<ApiToken>> {
    Ok(state.store.list_tokens(caller.user.id).await?)
}

/// The longest expiry a token may be given, in days (about ten years).
pub const MAX_TOKEN_DAYS: i64 = 3650;

/// Creates an API token for the caller; the secret is returned this once only. Needs a
/// logged-in session and the caller's current password (step-up); `expires_in_days` `None`
/// makes a token that never expires.
pub async fn create_token(
    state: &AppState,
    caller: &Caller,
    name: &str,
    current_password: &str,
    expires_in_days: Option<i64>,
) -> Result<(ApiToken, String)> {
    const ACTION: AuditAction = AuditAction::TokenCreate;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::Invalid(
            "the token name must have 1 to 100 characters".into(),
        ));
    }
    if let Some(days) = expires_in_days
        && !(1..=MAX_TOKEN_DAYS).contains(&days)
    {
        return Err(Error::Invalid(format!(
            "expires_in_days '{days}' is out of range: give 1 to {MAX_TOKEN_DAYS}, or null for never"
        )));
    }
    step_up(state, caller, ACTION, "create API tokens", current_password).await?;
    let now = now_ms();
    let expires_at = expires_in_days.map(|days| now + days * 24 * 60 * 60 * 1000);
    let secret = secret::new_token();
    let token = state
        .store
        .create_token(
            caller.user.id,
            name,
            &secret::digest(&secret),
            now,
            expires_at,
        )
        .await?;
    by(
        caller,
        ACTION,
        Some(format!("token {}", token.id)),
        Outcome::Success,
    )
    .with_detail(json!({ "name": token.name, "expires_in_days": expires_in_days }))
    .write(state)
    .await;
    Ok((token, secret))
}

pub async fn delete_token(state: &AppState, caller: &Caller, token_id: i64) -> Result<()> {
    let target = Some(format!("token {token_id}"));
    let deleted = state.store.delete_token(caller.user.id, token_id).await?;
    // The cache is keyed by secret, which the server no longer knows: forget the user's
    // entries (they are re-confirmed on their next request). After the delete, so that event
    // streams checking again find the token gone.
    state.auth_cache.forget_user(caller.user.id);
    if !deleted {
        audit(
            state,
            by(caller, AuditAction::TokenDelete, target, Outcome::Failure),
        )
        .await;
        return Err(Error::NotFound(format!(
            "you have no API token with id {token_id}"
        )));
    }
    audit(
        state,
        by(caller, AuditAction::TokenDelete, target, Outcome::Success),
    )
    .await;
    Ok(())
}

/// An administrator lists another account's API tokens (never their secrets).
pub async fn list_user_tokens(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
) -> Result<(User, Vec<ApiToken>)> {
    let owner = gated_user(state, caller, AuditAction::TokenList, user_id).await?;
    let tokens = state.store.list_tokens(user_id).await?;
    Ok((owner, tokens))
}

/// An administrator revokes one API token of any account.
pub async fn delete_user_token(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
    token_id: i64,
) -> Result<()> {
    const ACTION: AuditAction = AuditAction::TokenDelete;
    let target = Some(format!("token {token_id}"));
    require(
        state,
        caller,
        Permission::ManageUsers,
        ACTION,
        target.clone(),
    )
    .await?;
    let owner = find_user(state, user_id).await?;
    let deleted = state.store.delete_token(user_id, token_id).await?;
    state.auth_cache.forget_user(user_id);
    by(caller, ACTION, target, Outcome::of(deleted))
        .with_detail(json!({ "owner": owner.username, "owner_id": owner.id }))
        .write(state)
        .await;
    if !deleted {
        return Err(Error::NotFound(format!(
            "'{}' has no API token with id {token_id}",
            owner.username
        )));
    }
    Ok(())
}

pub async fn list_users(state: &AppState, caller: &Caller) -> Result<Vec<User>> {
    caller.require(Permission::ManageUsers)?;
    Ok(state.store.list_users().await?)
}

/// An administrator creates an account with any role.
pub async fn create_user(
    state: &AppState,
    caller: &Caller,
    username: &str,
    new_password: &str,
    role: Role,
) -> Result<User> {
    const ACTION: AuditAction = AuditAction::UserCreate;
    require(
        state,
        caller,
        Permission::ManageUsers,
        ACTION,
        Some(username.to_string()),
    )
    .await?;
    validate_username(username)?;
    password::validate(new_password)?;
    let hash = state.passwords.hash(new_password.to_string()).await?;
    let user = state
        .store
        .create_user(username, &hash, role, false)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("user insert returned no row")))?;
    by(
        caller,
        ACTION,
        Some(user.username.clone()),
        Outcome::Success,
    )
    .with_detail(json!({ "id": user.id, "role": role }))
    .write(state)
    .await;
    Ok(user)
}

/// An administrator changes an account's role and/or password. A password reset also ends
/// that account's sessions and revokes all its API tokens.
pub async fn update_user(
    state: &AppState,
    caller: &Caller,
    id: i64,
    role: Option<Role>,
    new_password: Option<&str>,
) -> Result<User> {
    const ACTION: AuditAction = AuditAction::UserUpdate;
    let user = gated_user(state, caller, ACTION, id).await?;
    if let Some(new_password) = new_password {
        password::validate(new_password)?;
    }
    if let Some(role) = role
        && user.role == Role::Admin
        && role != Role::Admin
        && state.store.count_admins().await? <= 1
    {
        return Err(Error::Conflict(format!(
            "'{}' is the last administrator; make someone else admin first",
            user.username
        )));
    }
    if let Some(role) = role {
        state.store.set_user_role(id, role).await?;
    }
    let mut tokens_revoked = 0;
    if let Some(new_password) = new_password {
        let hash = state.passwords.hash(new_password.to_string()).await?;
        state.store.set_user_password(id, &hash).await?;
        let keep = if id == caller.user.id {
            caller.session_hash()
        } else {
            None
        };
        state.store.delete_user_sessions(id, keep).await?;
        // Whoever may have known the old password may also have made tokens with it.
        tokens_revoked = state.store.delete_user_tokens(id).await?;
    }
    // After the changes, so that event streams checking again see them.
    state.auth_cache.forget_user(id);
    by(
        caller,
        ACTION,
        Some(user.username.clone()),
        Outcome::Success,
    )
    .with_detail(json!({
        "id": id,
        "role": role,
        "password_reset": new_password.is_some(),
        "tokens_revoked": tokens_revoked,
    }))
    .write(state)
    .await;
    find_user(state, id).await
}

pub async fn delete_user(state: &AppState, caller: &Caller, id: i64) -> Result<()> {
    const ACTION: AuditAction = AuditAction::UserDelete;
    let user = gated_user(state, caller, ACTION, id).await?;
    if id == caller.user.id {
        return Err(Error::Conflict("you cannot delete your own account".into()));
    }
    if user.role == Role::Admin && state.store.count_admins().await? <= 1 {
        return Err(Error::Conflict(format!(
            "'{}' is the last administrator",
            user.username
        )));
    }
    state.store.delete_user(id).await?;
    state.auth_cache.forget_user(id);
    by(
        caller,
        ACTION,
        Some(user.username.clone()),
        Outcome::Success,
    )
    .with_detail(json!({ "id": id }))
    .write(state)
    .await;
    Ok(())
}

/// The permission gate of account administration on account `id` (audited under `action` when
/// refused), then the account.
async fn gated_user(
    state: &AppState,
    caller: &Caller,
    action: AuditAction,
    id: i64,
) -> Result<User> {
    let target = Some(format!("user {id}"));
    require(state, caller, Permission::ManageUsers, action, target).await?;
    find_user(state, id).await
}

async fn find_user(state: &AppState, id: i64) -> Result<User> {
    state
        .store
        .user_by_id(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no account with id {id}")))
}

#[cfg(test)]
mod tests {
    use super::validate_username;

    #[test]
    fn usernames() {
        assert!(validate_username("alice").is_ok());
        assert!(validate_username("a.b-c_d9").is_ok());
        assert!(validate_username("").is_err());
        assert!(validate_username("with space").is_err());
        assert!(validate_username("ünï").is_err());
        assert!(validate_username(&"a".repeat(65)).is_err());
    }
}

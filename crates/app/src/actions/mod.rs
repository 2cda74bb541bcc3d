//! The only way anything changes: accounts, settings and (in later modules) the machine itself.
//!
//! Each action checks the caller's permission through [`Caller::require`](crate::auth::Caller),
//! does the work, and writes one audit row, for failures and refusals too.

pub mod accounts;
mod audit_action;
pub mod hosts;
pub mod launches;
pub mod managed;
pub mod processes;
pub mod sessions;
pub mod settings;
pub mod windows;

use std::net::IpAddr;

use serde_json::Value;

pub use audit_action::AuditAction;

use crate::auth::{Caller, Permission};
use crate::clock::now_ms;
use crate::error::Result;
use crate::state::AppState;
use crate::store::{NewAuditEvent, User};

/// How an audited action went.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Success,
    /// Attempted and failed (wrong password, the OS refused).
    Failure,
    /// Refused before trying (no permission, protected target, rate limited).
    Denied,
}

impl Outcome {
    /// `Success` when the attempt succeeded, else `Failure`.
    pub fn of(succeeded: bool) -> Self {
        if succeeded {
            Outcome::Success
        } else {
            Outcome::Failure
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }
}

/// One audit row about to be written.
pub struct AuditEntry<'a> {
    pub actor: Option<&'a User>,
    /// The name tried, when there is no authenticated actor (a failed login).
    pub actor_name: Option<&'a str>,
    pub client: Option<IpAddr>,
    pub action: AuditAction,
    pub target: Option<String>,
    pub outcome: Outcome,
    pub detail: Option<Value>,
}

impl AuditEntry<'_> {
    /// The entry with `detail`: a JSON object with whatever else is worth keeping.
    #[must_use]
    pub fn with_detail(mut self, detail: Value) -> Self {
        self.detail = Some(detail);
        self
    }

    /// The entry of a failed attempt, with the error that ended it (`{"error": …}`).
    #[must_use]
    pub fn with_error(self, err: impl std::fmt::Display) -> Self {
        self.with_detail(serde_json::json!({ "error": err.to_string() }))
    }

    /// The entry of a refusal, with its reason (`{"reason": …}`).
    #[must_use]
    pub fn with_reason(self, reason: impl std::fmt::Display) -> Self {
        self.with_detail(serde_json::json!({ "reason": reason.to_string() }))
    }

    /// Writes the row: see [`audit`].
    pub async fn write(self, state: &AppState) {
        audit(state, self).await;
    }
}

/// Writes an audit row. While the database is unreachable (or older rows still wait in the
/// spool) the row is spooled instead, to be written when it is back; an action that already
/// happened never fails for want of its audit row.
pub async fn audit(state: &AppState, entry: AuditEntry<'_>) {
    let event = NewAuditEvent {
        uid: crate::auth::secret::random_hex(),
        at: now_ms(),
        actor_id: entry.actor.map(|u| u.id),
        actor: entry
            .actor
            .map(|u| u.username.clone())
            .or_else(|| entry.actor_name.map(str::to_string)),
        action: entry.action.as_str().to_string(),
        target: entry.target,
        outcome: entry.outcome.as_str().to_string(),
        detail: crate::fleet::audit_detail(state, entry.detail),
        client: entry.client.map(|ip| ip.to_string()),
    };
    let record = crate::spool::SpooledRecord::Audit(event);
    state.spool.record(state.store.as_ref(), record).await;
}

/// The permission gate for actions: refusals are audited as `denied` under `action`.
pub async fn require(
    state: &AppState,
    caller: &Caller,
    permission: Permission,
    action: AuditAction,
    target: Option<String>,
) -> Result<()> {
    if let Err(err) = caller.require(permission) {
        by(caller, action, target, Outcome::Denied)
            .with_reason(&err)
            .write(state)
            .await;
        return Err(err);
    }
    Ok(())
}

/// Refuses an action on a protected target before touching anything: a `denied` audit row
/// naming the reason, and 403 `protected`. Every action on the machine refuses through here.
pub(super) async fn refuse_protected(
    state: &AppState,
    caller: &Caller,
    action: AuditAction,
    target: String,
    message: String,
    reason: &str,
) -> crate::error::Error {
    by(caller, action, Some(target), Outcome::Denied)
        .with_reason(reason)
        .write(state)
        .await;
    crate::error::Error::Forbidden {
        code: "protected",
        message,
    }
}

/// An audit entry for an authenticated caller.
pub fn by<'a>(
    caller: &'a Caller,
    action: AuditAction,
    target: Option<String>,
    outcome: Outcome,
) -> AuditEntry<'a> {
    AuditEntry {
        actor: Some(&caller.user),
        actor_name: None,
        client: caller.client,
        action,
        target,
        outcome,
        detail: None,
    }
}

/// Who does something: a signed-in caller, or Boss itself (a managed app restarted by its
/// policy). Boss's own rows in the audit log and the launch history carry the name "boss".
#[derive(Clone, Copy)]
pub enum Actor<'a> {
    Caller(&'a Caller),
    Boss,
}

impl<'a> Actor<'a> {
    /// The name Boss's own actions are recorded under.
    pub const BOSS: &'static str = "boss";

    pub fn user_id(self) -> Option<i64> {
        match self {
            Actor::Caller(caller) => Some(caller.user.id),
            Actor::Boss => None,
        }
    }

    pub fn name(self) -> String {
        match self {
            Actor::Caller(caller) => caller.user.username.clone(),
            Actor::Boss => Self::BOSS.to_string(),
        }
    }

    /// An audit entry by this actor.
    pub fn entry(
        self,
        action: AuditAction,
        target: Option<String>,
        outcome: Outcome,
    ) -> AuditEntry<'a> {
        match self {
            Actor::Caller(caller) => by(caller, action, target, outcome),
            Actor::Boss => AuditEntry {
                actor: None,
                actor_name: Some(Self::BOSS),
                client: None,
                action,
                target,
                outcome,
                detail: None,
            },
        }
    }
}

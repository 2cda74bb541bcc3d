//! The hosts of a fleet (admins): removing a host gone for good.
//!
//! A careful tool refuses to remove a host that is online, without a `force` to override it:
//! an online host registers itself again at its next heartbeat (5 s), so its removal could
//! only lose the commands waiting for it, and a name that comes back at once would look like
//! a failed removal. A host that is really gone is offline 15 s after its last heartbeat; one
//! that is only being stopped can be stopped first.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{AuditAction, Outcome, by};
use crate::auth::{Caller, Permission};
use crate::error::{Error, Result};
use crate::fleet::relay::HostRemoval;
use crate::state::AppState;

const ACTION: AuditAction = AuditAction::HostRemove;

/// A host removed from the fleet's list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HostRemoved {
    pub id: String,
    pub name: String,
    /// Relayed requests to or from the host removed with it (pending and answered).
    pub commands_removed: u64,
}

/// Removes the offline host `host` (name or id) from the list, with its commands; its
/// launches and audit rows stay. 404 for an unknown host, 409 `host_online` for an online one
/// (this host included; audited as denied).
pub async fn remove(state: &AppState, caller: &Caller, host: &str) -> Result<HostRemoved> {
    let target = Some(format!("host {host}"));
    super::require(
        state,
        caller,
        Permission::ManageSettings,
        ACTION,
        target.clone(),
    )
    .await?;
    let Some(db) = state.fleet.db() else {
        let me = &state.fleet.me;
        if me.is(host) {
            return Err(refuse_online(state, caller, target, &me.name).await);
        }
        return Err(state.fleet.unknown_host(host));
    };
    match db.remove_host(host).await? {
        HostRemoval::Removed { id, name, commands } => {
            by(
                caller,
                ACTION,
                Some(format!("host {name}")),
                Outcome::Success,
            )
            .with_detail(json!({ "id": id, "commands_removed": commands }))
            .write(state)
            .await;
            Ok(HostRemoved {
                id,
                name,
                commands_removed: commands,
            })
        }
        HostRemoval::Unknown => Err(state.fleet.unknown_host(host)),
        HostRemoval::Online(record) => {
            Err(refuse_online(state, caller, target, &record.name).await)
        }
        HostRemoval::NotAllowed(record) => {
            let message = format!(
                "this host's database role may not remove host '{}': run Boss's database \
                 migrations (`boss db migrate`) as the tables' owner",
                record.name
            );
            by(caller, ACTION, target, Outcome::Failure)
                .with_error(&message)
                .write(state)
                .await;
            Err(Error::Forbidden {
                code: "permission_denied",
                message,
            })
        }
    }
}

/// The refusal of an online host, audited as denied.
async fn refuse_online(
    state: &AppState,
    caller: &Caller,
    target: Option<String>,
    name: &str,
) -> Error {
    let message = format!(
        "host '{name}' is online: it would register again at its next heartbeat; stop Boss \
         there first (it is offline 15 s after its last heartbeat)"
    );
    by(caller, ACTION, target, Outcome::Denied)
        .with_reason(&message)
        .write(state)
        .await;
    Error::HostOnline(message)
}

//! The audit log, newest first, with filters and cursor paging (admins).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ErrorBody;
use super::extract::{Json, Query};
use super::params;
use crate::actions::{AuditAction, Outcome};
use crate::auth::{Caller, Permission};
use crate::clock::to_rfc3339;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{AuditEvent, AuditFilter};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1000;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// Username of the actor.
    actor: Option<String>,
    /// Action name, e.g. `auth.login`.
    #[param(value_type = Option<AuditAction>)]
    action: Option<String>,
    #[param(value_type = Option<Outcome>)]
    outcome: Option<String>,
    /// RFC 3339; events at or after.
    since: Option<String>,
    /// RFC 3339; events before.
    until: Option<String>,
    /// At most this many events (1 to 1000, default 100).
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct AuditEventView {
    id: i64,
    at: String,
    actor: Option<String>,
    #[schema(value_type = AuditAction)]
    action: String,
    target: Option<String>,
    #[schema(value_type = Outcome)]
    outcome: String,
    detail: Option<serde_json::Value>,
    client: Option<String>,
}

impl From<AuditEvent> for AuditEventView {
    fn from(row: AuditEvent) -> Self {
        let e = row.event;
        Self {
            id: row.id,
            at: to_rfc3339(e.at),
            actor: e.actor,
            action: e.action,
            target: e.target,
            outcome: e.outcome,
            detail: e.detail,
            client: e.client,
        }
    }
}

#[derive(Serialize, ToSchema)]
struct AuditPage {
    events: Vec<AuditEventView>,
    /// Pass as `cursor` for the next (older) page; null on the last page.
    next_cursor: Option<String>,
}

/// Audit events, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn list_audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<AuditQuery>,
) -> Result<Json<AuditPage>> {
    caller.require(Permission::ReadAudit)?;
    let limit = params::count("limit", query.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    if let Some(outcome) = query.outcome.as_deref()
        && !matches!(outcome, "success" | "failure" | "denied")
    {
        return Err(Error::Invalid(format!(
            "'outcome' must be success, failure or denied, not '{outcome}'"
        )));
    }
    let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty());
    let filter = AuditFilter {
        actor: non_empty(query.actor),
        action: non_empty(query.action),
        outcome: non_empty(query.outcome),
        since: params::time("since", query.since.as_deref())?,
        until: params::time("until", query.until.as_deref())?,
        before_id: params::cursor(query.cursor.as_deref())?,
        // One more than asked tells whether there is a next page.
        limit: limit + 1,
    };
    let mut events = state.store.list_audit(&filter).await?;
    let next_cursor = params::next_cursor(&mut events, limit, |e| e.id);
    Ok(Json(AuditPage {
        events: events.into_iter().map(AuditEventView::from).collect(),
        next_cursor,
    }))
}

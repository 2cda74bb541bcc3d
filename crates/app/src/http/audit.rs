//! The audit log, newest first, with filters and cursor paging (admins).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ErrorBody;
use super::extract::{Json, Query};
use crate::actions::{AuditAction, Outcome};
use crate::auth::{Caller, Permission};
use crate::clock::{parse_rfc3339, to_rfc3339};
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

fn time_param(name: &str, value: Option<&str>) -> Result<Option<i64>> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| {
            parse_rfc3339(v).ok_or_else(|| {
                Error::Invalid(format!(
                    "'{name}' must be an RFC 3339 time such as 2026-01-31T12:00:00Z, not '{v}'"
                ))
            })
        })
        .transpose()
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
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(Error::Invalid(format!(
            "'limit' must be between 1 and {MAX_LIMIT}"
        )));
    }
    if let Some(outcome) = query.outcome.as_deref()
        && !matches!(outcome, "success" | "failure" | "denied")
    {
        return Err(Error::Invalid(format!(
            "'outcome' must be success, failure or denied, not '{outcome}'"
        )));
    }
    let before_id = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(cursor) => Some(cursor.parse::<i64>().map_err(|_| {
            Error::Invalid(format!(
                "'cursor' '{cursor}' is not one this server gave out"
            ))
        })?),
        None => None,
    };
    let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty());
    let filter = AuditFilter {
        actor: non_empty(query.actor),
        action: non_empty(query.action),
        outcome: non_empty(query.outcome),
        since: time_param("since", query.since.as_deref())?,
        until: time_param("until", query.until.as_deref())?,
        before_id,
        // One more than asked tells whether there is a next page.
        limit: limit + 1,
    };
    let mut events = state.store.list_audit(&filter).await?;
    let next_cursor = if events.len() as i64 > limit {
        events.truncate(limit as usize);
        events.last().map(|e| e.id.to_string())
    } else {
        None
    };
    Ok(Json(AuditPage {
        events: events.into_iter().map(AuditEventView::from).collect(),
        next_cursor,
    }))
}

//! Requests relayed between hosts through PostgreSQL.
//!
//! A request for another host is the HTTP request itself (method, the path below `/api/v1/`,
//! query, JSON body), written to the `commands` table with the actor's user id, the host it
//! came through and a deadline, and signalled with `NOTIFY` on the target's channel. The
//! target `LISTEN`s, claims pending rows with `FOR UPDATE SKIP LOCKED` (so a row is run once,
//! whoever else looks), refuses those past their deadline, and runs each through its own
//! router as a [`RelayedCall`]; the answer (status, content type, body) is written back and
//! `NOTIFY`ed on the origin's channel. Notifications are a speed-up, not the protocol: the
//! runner also polls every [`POLL`] and a waiting caller re-reads its row every second, so a
//! notification lost while PostgreSQL restarts delays a command, never loses it.
//!
//! Times are the database's clock, so hosts whose clocks disagree agree on deadlines.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sqlx::Row;
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use tokio::sync::Notify;
use tower::ServiceExt;

use super::{FRESH, HostIdentity, HostSummary};
use crate::error::Error;
use crate::http::error::{ErrorBody, ErrorDetail};
use crate::state::AppState;
use crate::store::StoreError;

/// The database's clock in epoch milliseconds.
const NOW_MS: &str = "(extract(epoch from clock_timestamp()) * 1000)::bigint";
/// The runner looks for commands at least this often, in case a notification was lost.
const POLL: Duration = Duration::from_secs(2);
/// How long a relayed request may take unless it asks for a longer `timeout_ms`.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(20);
/// The largest answer relayed back (an icon, a long process list).
pub const MAX_ANSWER_BYTES: usize = 8 << 20;
/// A successful relayed read is answered again from memory for this long (pages of several
/// browser tabs polling the same host cost one round trip); any other request to that host
/// forgets its reads.
const READ_CACHE: Duration = Duration::from_secs(1);
/// Answered commands are kept this long (for diagnosis), then removed.
const KEEP_COMMANDS_MS: i64 = 3600 * 1000;

/// Marks a request that the command runner made for a relayed one: its caller is the actor
/// named here (see `auth::caller`). Only this module inserts it into a request's extensions,
/// which nothing from the network can reach.
#[derive(Debug, Clone)]
pub struct RelayedCall {
    pub user_id: i64,
    /// The name of the host the request came through.
    pub origin: String,
}

/// A request for another host.
#[derive(Debug, Clone)]
pub struct RelayRequest {
    pub method: Method,
    /// Below `/api/v1/`, as it came (percent-encoded), e.g. `processes/42/terminate`.
    pub path: String,
    pub query: Option<String>,
    /// JSON, or empty.
    pub body: Bytes,
    pub user_id: i64,
}

impl RelayRequest {
    /// A POST of `payload` as JSON to `path` (below `/api/v1/`) on behalf of account `user_id`.
    pub fn post_json(path: String, payload: &serde_json::Value, user_id: i64) -> Self {
        Self {
            method: Method::POST,
            path,
            query: None,
            body: serde_json::to_vec(payload).unwrap_or_default().into(),
            user_id,
        }
    }

    /// How long to wait for the answer: the default, or longer when the request itself asks
    /// to watch for longer (`timeout_ms` of a close).
    pub fn deadline(&self) -> Duration {
        let asked = serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v.get("timeout_ms").and_then(serde_json::Value::as_u64))
            .map(|ms| Duration::from_millis(ms.min(60_000)) + Duration::from_secs(10));
        asked.map_or(DEFAULT_DEADLINE, |d| d.max(DEFAULT_DEADLINE))
    }
}

/// The target's answer to a relayed request.
#[derive(Debug, Clone)]
pub struct RelayAnswer {
    pub status: StatusCode,
    /// The headers of [`KEPT_HEADERS`] that the answer had.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

/// The answer headers that travel back: what the body is and how to treat it.
const KEPT_HEADERS: [header::HeaderName; 4] = [
    header::CONTENT_TYPE,
    header::CONTENT_ENCODING,
    header::CONTENT_DISPOSITION,
    header::CONTENT_SECURITY_POLICY,
];

impl RelayAnswer {
    fn error(status: StatusCode, code: &str, message: String) -> RelayAnswer {
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_string(),
                message,
            },
        };
        RelayAnswer {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(&body).unwrap_or_default().into(),
        }
    }

    /// The body as JSON (`null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

impl IntoResponse for RelayAnswer {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        for (name, value) in self.headers {
            let kept = KEPT_HEADERS.iter().find(|kept| kept.as_str() == name);
            if let (Some(name), Ok(value)) = (kept, HeaderValue::from_str(&value)) {
                response.headers_mut().insert(name.clone(), value);
            }
        }
        response
    }
}

/// Refuses what is not a machine route: accounts and sessions are shared by every host
/// already, and a relay of a relay or an endless event stream has no place in a command.
fn relayable(path: &str) -> Result<(), String> {
    let first = path.split('/').next().unwrap_or("");
    let last = path.rsplit('/').next().unwrap_or("");
    if matches!(first, "hosts" | "fleet" | "auth" | "tokens" | "users") || last == "events" {
        return Err(format!(
            "'/api/v1/{path}' is not relayed to other hosts: accounts are shared, and \
             `/api/v1/hosts/{{host}}/events` follows another host by reading its lists"
        ));
    }
    Ok(())
}

/// Runs a request through this host's own router as `request.user_id`, relayed from
/// `origin`: the same permission checks, protections, validation and audit as a request over
/// this host's own API, with the audit naming the origin.
pub async fn run_here(
    state: &AppState,
    origin: &str,
    request: RelayRequest,
    limit: Duration,
) -> RelayAnswer {
    if let Err(message) = relayable(&request.path) {
        return RelayAnswer::error(StatusCode::BAD_REQUEST, "not_relayable", message);
    }
    let uri = match &request.query {
        Some(query) => format!("/api/v1/{}?{query}", request.path),
        None => format!("/api/v1/{}", request.path),
    };
    let mut builder = Request::builder().method(request.method).uri(uri);
    if !request.body.is_empty() {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
    }
    let mut http = match builder.body(Body::from(request.body)) {
        Ok(http) => http,
        Err(err) => {
            return RelayAnswer::error(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("the relayed request is malformed: {err}"),
            );
        }
    };
    http.extensions_mut().insert(RelayedCall {
        user_id: request.user_id,
        origin: origin.to_string(),
    });
    let router = state.fleet.router(state);
    let run = super::RELAYED_FROM.scope(origin.to_string(), async move {
        let response = match router.oneshot(http).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let (parts, body) = response.into_parts();
        let headers = KEPT_HEADERS
            .iter()
            .filter_map(|name| {
                let value = parts.headers.get(name)?.to_str().ok()?;
                Some((name.as_str().to_string(), value.to_string()))
            })
            .collect();
        match axum::body::to_bytes(body, MAX_ANSWER_BYTES).await {
            Ok(body) => RelayAnswer {
                status: parts.status,
                headers,
                body,
            },
            Err(_) => RelayAnswer::error(
                StatusCode::BAD_GATEWAY,
                "answer_too_large",
                format!("the answer is larger than {MAX_ANSWER_BYTES} bytes and is not relayed"),
            ),
        }
    });
    match tokio::time::timeout(limit, run).await {
        Ok(answer) => answer,
        Err(_) => RelayAnswer::error(
            StatusCode::GATEWAY_TIMEOUT,
            "host_timeout",
            "the host did not finish the request before its deadline".into(),
        ),
    }
}

/// A host as listed in the `hosts` table.
#[derive(Debug, Clone)]
pub struct HostRecord {
    pub id: String,
    pub name: String,
    pub os: String,
    pub version: String,
    pub capabilities: serde_json::Value,
    pub summary: Option<HostSummary>,
    pub last_seen: i64,
    pub online: bool,
}

/// What [`FleetDb::remove_host`] did.
#[derive(Debug)]
pub enum HostRemoval {
    /// The row is gone, and `commands` commands to or from the host with it.
    Removed {
        id: String,
        name: String,
        commands: u64,
    },
    /// No host has that name or id.
    Unknown,
    /// The host is online (or is this one): it would register again within a heartbeat.
    Online(HostRecord),
    /// Offline, but this host's database role may not delete the row.
    NotAllowed(HostRecord),
}

/// A command claimed by this host.
struct Claimed {
    id: i64,
    origin_id: String,
    origin_name: String,
    request: RelayRequest,
    remaining_ms: i64,
}

/// The fleet's tables, for this host.
pub struct FleetDb {
    pool: PgPool,
    me: HostIdentity,
    /// Callers waiting for the answer to a command, woken by its `done` notification.
    waiters: Mutex<HashMap<i64, Arc<Notify>>>,
    /// Recent successful reads: (host id, user id, path, query) -> when, answer.
    reads: Mutex<HashMap<ReadKey, (Instant, RelayAnswer)>>,
}

type ReadKey = (String, i64, String, Option<String>);

fn db_error(err: sqlx::Error) -> Error {
    StoreError::Database(err).into()
}

/// The channel a host listens on (ids are hex, so the name is a plain identifier).
fn channel(host_id: &str) -> String {
    format!("boss_host_{host_id}")
}

impl FleetDb {
    pub async fn connect(url: &str, me: HostIdentity) -> anyhow::Result<FleetDb> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(3))
            .connect(url)
            .await?;
        Ok(FleetDb {
            pool,
            me,
            waiters: Mutex::new(HashMap::new()),
            reads: Mutex::new(HashMap::new()),
        })
    }

    /// Adds or updates this host's row. A name held by another host that is offline is taken
    /// over (a machine reinstalled with a fresh data directory); one held by an online host is
    /// refused.
    pub async fn register(
        &self,
        os: &str,
        capabilities: &serde_json::Value,
        summary: Option<&HostSummary>,
    ) -> anyhow::Result<()> {
        let fresh = FRESH.as_millis() as i64;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM hosts WHERE name = $1 AND id <> $2 AND last_seen < {NOW_MS} - $3"
        )))
        .bind(&self.me.name)
        .bind(&self.me.id)
        .bind(fresh)
        .execute(&self.pool)
        .await?;
        let result = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO hosts (id, name, os, version, capabilities, summary, started_at, \
             last_seen) VALUES ($1, $2, $3, $4, $5, $6, {NOW_MS}, {NOW_MS}) \
             ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, os = EXCLUDED.os, \
             version = EXCLUDED.version, capabilities = EXCLUDED.capabilities, \
             summary = EXCLUDED.summary, started_at = EXCLUDED.started_at, \
             last_seen = EXCLUDED.last_seen"
        )))
        .bind(&self.me.id)
        .bind(&self.me.name)
        .bind(os)
        .bind(env!("CARGO_PKG_VERSION"))
        .bind(capabilities.to_string())
        .bind(summary.and_then(|s| serde_json::to_string(s).ok()))
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => anyhow::bail!(
                "another online host is already named '{}': give this one another name with \
                 --host-name",
                self.me.name
            ),
            Err(err) => Err(err.into()),
        }
    }

    /// One heartbeat; re-registers when the row is gone (removed while this host was away).
    async fn beat(
        &self,
        os: &str,
        capabilities: &serde_json::Value,
        summary: Option<&HostSummary>,
    ) -> anyhow::Result<()> {
        let updated = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE hosts SET last_seen = {NOW_MS}, capabilities = $2, summary = $3 WHERE id = $1"
        )))
        .bind(&self.me.id)
        .bind(capabilities.to_string())
        .bind(summary.and_then(|s| serde_json::to_string(s).ok()))
        .execute(&self.pool)
        .await?
        .rows_affected();
        if updated == 0 {
            self.register(os, capabilities, summary).await?;
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM commands WHERE created_at < {NOW_MS} - $1 AND origin_id = $2"
        )))
        .bind(KEEP_COMMANDS_MS)
        .bind(&self.me.id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Says goodbye: the host is offline from now on (until its next heartbeat).
    pub async fn leave(&self) {
        let result = sqlx::query("UPDATE hosts SET last_seen = 0 WHERE id = $1")
            .bind(&self.me.id)
            .execute(&self.pool)
            .await;
        if let Err(err) = result {
            tracing::warn!("could not mark this host offline: {err}");
        }
    }

    /// Removes the host `name` (or id) gone for good, with every command to or from it,
    /// when it is offline; its launches and audit rows stay (they name it as text). Removal
    /// and the offline check are one statement, so a host that beats in between is kept. A
    /// host that comes back later registers itself again (see [`FleetDb::beat`]).
    pub async fn remove_host(&self, name: &str) -> crate::error::Result<HostRemoval> {
        let mut tx = self.pool.begin().await.map_err(db_error)?;
        let removed = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM hosts WHERE (name = $1 OR id = $1) AND id <> $2 \
             AND last_seen <= {NOW_MS} - $3 RETURNING id, name"
        )))
        .bind(name)
        .bind(&self.me.id)
        .bind(FRESH.as_millis() as i64)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        let Some(removed) = removed else {
            drop(tx);
            return Ok(match self.host(name).await? {
                None => HostRemoval::Unknown,
                Some(host) if host.online || host.id == self.me.id => HostRemoval::Online(host),
                // Offline, yet not removed: a database role that may not delete its row.
                Some(host) => HostRemoval::NotAllowed(host),
            });
        };
        let id: String = removed.try_get("id").map_err(db_error)?;
        // Nobody waits for these: the host is offline, its own callers are gone, and requests
        // for it are refused. Only their origin would clean them up, so they would stay.
        let commands = sqlx::query("DELETE FROM commands WHERE host_id = $1 OR origin_id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?
            .rows_affected();
        tx.commit().await.map_err(db_error)?;
        Ok(HostRemoval::Removed {
            name: removed.try_get("name").map_err(db_error)?,
            id,
            commands,
        })
    }

    /// Every host, by name.
    pub async fn hosts(&self) -> crate::error::Result<Vec<HostRecord>> {
        self.select_hosts("", None).await
    }

    /// The host with this name (or id).
    pub async fn host(&self, name: &str) -> crate::error::Result<Option<HostRecord>> {
        Ok(self
            .select_hosts("WHERE name = $2 OR id = $2", Some(name))
            .await?
            .into_iter()
            .next())
    }

    async fn select_hosts(
        &self,
        filter: &str,
        name: Option<&str>,
    ) -> crate::error::Result<Vec<HostRecord>> {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, name, os, version, capabilities, summary, last_seen, \
             last_seen > {NOW_MS} - $1 AS online FROM hosts {filter} ORDER BY name"
        )))
        .bind(FRESH.as_millis() as i64);
        if let Some(name) = name {
            query = query.bind(name);
        }
        let rows = query.fetch_all(&self.pool).await.map_err(db_error)?;
        rows.iter()
            .map(|row| {
                let capabilities: String = row.try_get("capabilities")?;
                let summary: Option<String> = row.try_get("summary")?;
                Ok(HostRecord {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    os: row.try_get("os")?,
                    version: row.try_get("version")?,
                    capabilities: serde_json::from_str(&capabilities).unwrap_or_default(),
                    summary: summary.and_then(|s| serde_json::from_str(&s).ok()),
                    last_seen: row.try_get("last_seen")?,
                    online: row.try_get("online")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db_error)
    }

    /// Relays `request` to `target` and waits for its answer until the deadline: 503
    /// `host_unreachable` when the target is offline, 504 `host_timeout` when it does not
    /// answer in time (then the command is withdrawn, so it is never run late).
    pub async fn send(
        &self,
        target: &HostRecord,
        request: RelayRequest,
    ) -> crate::error::Result<RelayAnswer> {
        if !target.online {
            return Err(Error::HostUnreachable(format!(
                "host '{}' is offline (last heard of {})",
                target.name,
                if target.last_seen > 0 {
                    crate::clock::to_rfc3339(target.last_seen)
                } else {
                    "when it stopped".to_string()
                }
            )));
        }
        // Reads per user: what a read shows depends on the reader's role.
        let key: ReadKey = (
            target.id.clone(),
            request.user_id,
            request.path.clone(),
            request.query.clone(),
        );
        // `fresh=true` asks for a new sample: never from memory.
        let is_read = request.method == Method::GET
            && !request
                .query
                .as_deref()
                .unwrap_or("")
                .contains("fresh=true");
        {
            let mut reads = self.reads.lock().unwrap_or_else(PoisonError::into_inner);
            reads.retain(|_, (at, _)| at.elapsed() < READ_CACHE);
            if !is_read {
                reads.retain(|(host, ..), _| *host != target.id);
            } else if let Some((_, answer)) = reads.get(&key) {
                return Ok(answer.clone());
            }
        }
        let answer = self.round_trip(target, request).await?;
        if is_read && answer.status.is_success() {
            let mut reads = self.reads.lock().unwrap_or_else(PoisonError::into_inner);
            reads.insert(key, (Instant::now(), answer.clone()));
        }
        Ok(answer)
    }

    /// One command: written, announced, waited for.
    async fn round_trip(
        &self,
        target: &HostRecord,
        request: RelayRequest,
    ) -> crate::error::Result<RelayAnswer> {
        let deadline = request.deadline();
        let mut tx = self.pool.begin().await.map_err(db_error)?;
        let id: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO commands (host_id, origin_id, origin_name, user_id, method, path, \
             query, body, created_at, deadline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
             {NOW_MS}, {NOW_MS} + $9) RETURNING id"
        )))
        .bind(&target.id)
        .bind(&self.me.id)
        .bind(&self.me.name)
        .bind(request.user_id)
        .bind(request.method.as_str())
        .bind(&request.path)
        .bind(&request.query)
        .bind(request.body.to_vec())
        .bind(deadline.as_millis() as i64)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?
        .try_get("id")
        .map_err(db_error)?;
        sqlx::query("SELECT pg_notify($1, 'run')")
            .bind(channel(&target.id))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;

        let woken = Arc::new(Notify::new());
        let _waiting = Waiting::new(self, id, woken.clone());
        let until = Instant::now() + deadline;
        loop {
            let row =
                sqlx::query("SELECT state, status, headers, result FROM commands WHERE id = $1")
                    .bind(id)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(db_error)?;
            let state: String = row.try_get("state").map_err(db_error)?;
            if state == "done" {
                let status: i32 = row.try_get("status").map_err(db_error)?;
                let body: Option<Vec<u8>> = row.try_get("result").map_err(db_error)?;
                let headers: Option<String> = row.try_get("headers").map_err(db_error)?;
                return Ok(RelayAnswer {
                    status: StatusCode::from_u16(status as u16)
                        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                    headers: headers
                        .and_then(|h| serde_json::from_str(&h).ok())
                        .unwrap_or_default(),
                    body: body.unwrap_or_default().into(),
                });
            }
            let now = Instant::now();
            if now >= until || state == "expired" {
                return Err(self.withdraw(id, target, deadline).await);
            }
            let _ =
                tokio::time::timeout((until - now).min(Duration::from_secs(1)), woken.notified())
                    .await;
        }
    }

    /// Withdraws a command whose deadline passed: a pending one will not be run.
    async fn withdraw(&self, id: i64, target: &HostRecord, deadline: Duration) -> Error {
        let withdrawn = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE commands SET state = 'expired', finished_at = {NOW_MS} \
             WHERE id = $1 AND state = 'pending'"
        )))
        .bind(id)
        .execute(&self.pool)
        .await
        .map(|r| r.rows_affected() > 0)
        .unwrap_or(false);
        let secs = deadline.as_secs();
        Error::HostTimeout(if withdrawn {
            format!(
                "host '{}' did not take the request within {secs} s; it was withdrawn and will \
                 not run",
                target.name
            )
        } else {
            format!(
                "host '{}' took the request but did not answer within {secs} s; it may still \
                 have happened",
                target.name
            )
        })
    }

    /// Claims this host's pending commands, refusing the late ones.
    async fn claim(&self) -> Result<Vec<Claimed>, sqlx::Error> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE commands SET state = 'expired', finished_at = {NOW_MS} \
             WHERE host_id = $1 AND state = 'pending' AND deadline <= {NOW_MS}"
        )))
        .bind(&self.me.id)
        .execute(&self.pool)
        .await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE commands SET state = 'running', claimed_at = {NOW_MS} WHERE id IN (\
                SELECT id FROM commands WHERE host_id = $1 AND state = 'pending' \
                ORDER BY id LIMIT 32 FOR UPDATE SKIP LOCKED) \
             RETURNING id, origin_id, origin_name, user_id, method, path, query, body, \
                deadline - {NOW_MS} AS remaining_ms"
        )))
        .bind(&self.me.id)
        .fetch_all(&self.pool)
        .await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in rows {
            let method: String = row.try_get("method")?;
            let body: Option<Vec<u8>> = row.try_get("body")?;
            claimed.push(Claimed {
                id: row.try_get("id")?,
                origin_id: row.try_get("origin_id")?,
                origin_name: row.try_get("origin_name")?,
                request: RelayRequest {
                    method: Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET),
                    path: row.try_get("path")?,
                    query: row.try_get("query")?,
                    body: body.unwrap_or_default().into(),
                    user_id: row.try_get("user_id")?,
                },
                remaining_ms: row.try_get("remaining_ms")?,
            });
        }
        Ok(claimed)
    }

    /// Writes the answer and tells the origin.
    async fn finish(
        &self,
        id: i64,
        origin_id: &str,
        answer: &RelayAnswer,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE commands SET state = 'done', finished_at = {NOW_MS}, status = $2, \
             headers = $3, result = $4 WHERE id = $1"
        )))
        .bind(id)
        .bind(answer.status.as_u16() as i32)
        .bind(serde_json::to_string(&answer.headers).unwrap_or_default())
        .bind(answer.body.to_vec())
        .execute(&mut *tx)
        .await?;
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel(origin_id))
            .bind(format!("done {id}"))
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    fn wake(&self, id: i64) {
        let waiter = self
            .waiters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            .cloned();
        if let Some(waiter) = waiter {
            waiter.notify_one();
        }
    }

    /// Claims and runs what is pending, each command in a task of its own (a slow close does
    /// not hold up a read).
    async fn run_pending(self: &Arc<Self>, state: &AppState) {
        let claimed = match self.claim().await {
            Ok(claimed) => claimed,
            Err(err) => {
                tracing::debug!("cannot claim commands: {err}");
                return;
            }
        };
        for command in claimed {
            let db = self.clone();
            let state = state.clone();
            tokio::spawn(async move {
                let limit = Duration::from_millis(command.remaining_ms.max(0) as u64);
                let answer = run_here(&state, &command.origin_name, command.request, limit).await;
                // The answer is written until it sticks: the action has happened.
                let mut delay = Duration::from_millis(200);
                while let Err(err) = db.finish(command.id, &command.origin_id, &answer).await {
                    if delay > Duration::from_secs(30) {
                        tracing::warn!(id = command.id, "giving up writing an answer: {err}");
                        break;
                    }
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                }
            });
        }
    }
}

/// A caller's registration for its command's `done` notification, removed when it stops
/// waiting.
struct Waiting<'a> {
    db: &'a FleetDb,
    id: i64,
}

impl<'a> Waiting<'a> {
    fn new(db: &'a FleetDb, id: i64, woken: Arc<Notify>) -> Self {
        db.waiters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, woken);
        Waiting { db, id }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.db
            .waiters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.id);
    }
}

/// Beats this host's heart every [`super::HEARTBEAT`] with a fresh summary.
pub async fn heartbeat(db: Arc<FleetDb>, state: AppState) {
    let mut tick = tokio::time::interval(super::HEARTBEAT);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let os = super::os_name(&state).await;
    loop {
        tick.tick().await;
        // Settings changed through another host (protections, host limits) reach this one
        // within a heartbeat.
        if let Err(err) = state.apply_settings().await {
            tracing::debug!("cannot reload the settings: {err}");
        }
        let capabilities = super::capabilities(&state).await;
        let summary = super::summary(&state).await;
        if let Err(err) = db.beat(&os, &capabilities, summary.as_ref()).await {
            tracing::warn!("fleet heartbeat failed: {err:#}");
        }
    }
}

/// Listens for this host's channel and runs its commands, reconnecting after the database
/// went away, and polling at a low rate for what a lost notification would have announced.
pub async fn run_commands(db: Arc<FleetDb>, state: AppState) {
    let mut backoff = Duration::from_millis(500);
    loop {
        match listen(&db).await {
            Ok(mut listener) => {
                backoff = Duration::from_millis(500);
                // Whatever arrived while nobody listened.
                db.run_pending(&state).await;
                loop {
                    tokio::select! {
                        received = listener.try_recv() => match received {
                            Ok(Some(note)) => match note.payload().strip_prefix("done ") {
                                Some(id) => {
                                    if let Ok(id) = id.parse() {
                                        db.wake(id);
                                    }
                                }
                                None => db.run_pending(&state).await,
                            },
                            // The connection was lost; the next call reconnects. What was
                            // announced meanwhile is found by looking.
                            Ok(None) => db.run_pending(&state).await,
                            Err(err) => {
                                tracing::warn!("fleet listener lost the database: {err}");
                                break;
                            }
                        },
                        _ = tokio::time::sleep(POLL) => db.run_pending(&state).await,
                    }
                }
            }
            Err(err) => tracing::warn!("fleet listener cannot connect: {err}"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

async fn listen(db: &FleetDb) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(&db.pool).await?;
    listener.listen(&channel(&db.me.id)).await?;
    Ok(listener)
}

//! Persistence: accounts, sessions, API tokens, the audit log and settings.
//!
//! Everything the server keeps goes through the [`Store`] trait, so that handlers never see SQL
//! and a backend can be swapped (SQLite by default, PostgreSQL by URL). Times are epoch
//! milliseconds; the HTTP layer formats them.

mod sql;

pub use sql::{SqlStore, redact_url};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::auth::Role;

/// Errors of the persistence boundary.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken (a taken username, say).
    #[error("{0}")]
    Conflict(String),
    /// The database could not be reached or answered with an error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The database was named in a way Boss does not understand.
    #[error("{0}")]
    Config(String),
    /// A stored value could not be understood (a corrupt row).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Whether the database could not be reached (as opposed to refusing a query): the
    /// errors worth waiting out, for which records are spooled.
    pub fn is_unavailable(&self) -> bool {
        let StoreError::Database(err) = self else {
            return false;
        };
        match err {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Database(db) => db.code().is_some_and(|code| {
                // PostgreSQL: connection exceptions (08xxx), operator intervention such as a
                // shutdown (57P0x). SQLite (numeric codes): busy or locked past the busy
                // timeout, I/O error, disk full, cannot open.
                let sqlite_primary = code.parse::<i32>().ok().map(|c| c & 0xff);
                code.starts_with("08")
                    || code.starts_with("57P")
                    || matches!(sqlite_primary, Some(5 | 6 | 10 | 13 | 14))
            }),
            _ => false,
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id_hash: String,
    pub user_id: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub client: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id_hash: String,
    pub user_id: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    /// After this time the token is refused; `None`: it never expires.
    pub expires_at: Option<i64>,
}

impl ApiToken {
    /// Whether the token has expired at `now` (epoch milliseconds).
    pub fn is_expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// One row of the audit log, as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewAuditEvent {
    /// Unique per event: writing the same event again stores nothing.
    pub uid: String,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub outcome: String,
    /// A JSON document with whatever else is worth keeping (the reason of a failure, say).
    pub detail: Option<serde_json::Value>,
    pub client: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: i64,
    pub event: NewAuditEvent,
}

/// Which audit rows to read: all filters are optional and combine with AND.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Only rows older than this id (the paging cursor).
    pub before_id: Option<i64>,
    pub limit: i64,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// The backend's name, for logs and health checks ("sqlite", "postgres").
    fn backend(&self) -> &'static str;

    async fn count_users(&self) -> StoreResult<i64>;
    async fn count_admins(&self) -> StoreResult<i64>;
    /// Creates an account; [`StoreError::Conflict`] when the name is taken. When
    /// `only_if_no_users` is set the insert happens only while there are no accounts at all, so
    /// two racing first registrations cannot both become admin (`Ok(None)` for the loser).
    async fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
        only_if_no_users: bool,
    ) -> StoreResult<Option<User>>;
    async fn user_by_id(&self, id: i64) -> StoreResult<Option<User>>;
    async fn user_by_name(&self, username: &str) -> StoreResult<Option<User>>;
    async fn list_users(&self) -> StoreResult<Vec<User>>;
    async fn set_user_role(&self, id: i64, role: Role) -> StoreResult<()>;
    async fn set_user_password(&self, id: i64, password_hash: &str) -> StoreResult<()>;
    async fn delete_user(&self, id: i64) -> StoreResult<bool>;

    async fn create_session(&self, session: NewSession) -> StoreResult<()>;
    /// The live (unexpired) session with this id hash, and its user.
    async fn session(&self, id_hash: &str, now: i64) -> StoreResult<Option<(Session, User)>>;
    async fn extend_session(&self, id_hash: &str, now: i64, expires_at: i64) -> StoreResult<()>;
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;
    /// Revokes every session of a user but `keep` (the caller's own, when changing a password).
    async fn delete_user_sessions(&self, user_id: i64, keep: Option<&str>) -> StoreResult<u64>;
    async fn delete_expired_sessions(&self, now: i64) -> StoreResult<u64>;

    /// Stores a new token; `expires_at` `None` means it never expires.
    async fn create_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        now: i64,
        expires_at: Option<i64>,
    ) -> StoreResult<ApiToken>;
    /// Every token of a user, expired ones included (so that they can be seen and deleted).
    async fn list_tokens(&self, user_id: i64) -> StoreResult<Vec<ApiToken>>;
    /// The unexpired token with this hash and its owner, as it is (a check, not a use).
    async fn token(&self, token_hash: &str, now: i64) -> StoreResult<Option<(ApiToken, User)>>;
    /// The unexpired token with this hash and its owner; marks it used.
    async fn use_token(&self, token_hash: &str, now: i64) -> StoreResult<Option<(ApiToken, User)>>;
    async fn delete_token(&self, user_id: i64, token_id: i64) -> StoreResult<bool>;
    /// Revokes every token of a user (a password reset); returns how many there were.
    async fn delete_user_tokens(&self, user_id: i64) -> StoreResult<u64>;

    /// Stores the event unless one with its `uid` is already stored (then nothing happens).
    async fn append_audit(&self, event: &NewAuditEvent) -> StoreResult<()>;
    /// Newest first.
    async fn list_audit(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEvent>>;

    async fn setting(&self, key: &str) -> StoreResult<Option<serde_json::Value>>;
    async fn set_setting(&self, key: &str, value: &serde_json::Value, now: i64) -> StoreResult<()>;

    /// Records a launch (nothing happens if its `uid` is already stored).
    async fn record_launch(&self, launch: &NewLaunch) -> StoreResult<()>;
    /// Records how a launch ended (nothing happens if its end is already recorded).
    async fn record_launch_end(&self, end: &LaunchEnd) -> StoreResult<()>;
    async fn launch(&self, id: i64) -> StoreResult<Option<Launch>>;
    async fn launch_by_uid(&self, uid: &str) -> StoreResult<Option<Launch>>;
    /// Newest first.
    async fn list_launches(&self, filter: &LaunchFilter) -> StoreResult<Vec<Launch>>;
    /// Launches still marked running, oldest first.
    async fn running_launches(&self) -> StoreResult<Vec<Launch>>;
    /// Per application: how many launches and their total run time (running ones up to `now`).
    async fn launch_totals(&self, filter: &LaunchFilter, now: i64) -> StoreResult<Vec<AppTotal>>;
    /// How many launches each application had, by outcome (for the metrics endpoint).
    async fn launch_counts(&self) -> StoreResult<Vec<LaunchCount>>;

    /// Saves a desk snapshot (a "session" in the API); returns its id.
    async fn create_desk_session(&self, session: &NewDeskSession) -> StoreResult<i64>;
    /// Saved desks, newest first, without their contents.
    async fn list_desk_sessions(&self) -> StoreResult<Vec<DeskSession>>;
    /// One saved desk with its contents (the snapshot as JSON).
    async fn desk_session(&self, id: i64) -> StoreResult<Option<(DeskSession, String)>>;
    async fn rename_desk_session(&self, id: i64, name: &str) -> StoreResult<bool>;
    async fn delete_desk_session(&self, id: i64) -> StoreResult<bool>;
    /// Stores a new managed app; [`StoreError::Conflict`] when its name is taken.
    async fn create_managed(&self, app: &NewManagedApp) -> StoreResult<ManagedApp>;
    /// Every managed app, by id.
    async fn managed_apps(&self) -> StoreResult<Vec<ManagedApp>>;
    async fn managed_app(&self, id: i64) -> StoreResult<Option<ManagedApp>>;
    /// Replaces what to run and the policy (not `enabled`); false when there is no such app.
    async fn update_managed(&self, app: &ManagedApp) -> StoreResult<bool>;
    /// Whether Boss should keep the app running (the desired state).
    async fn set_managed_enabled(&self, id: i64, enabled: bool, now: i64) -> StoreResult<()>;
    async fn delete_managed(&self, id: i64) -> StoreResult<bool>;

    /// The newest migration applied (the schema version).
    async fn schema_version(&self) -> StoreResult<i64>;
    /// Everything worth keeping (not sessions), for `boss db copy`.
    async fn export(&self) -> StoreResult<Dump>;
    /// Adds a dump to this (empty) database in one transaction; ids are assigned afresh and
    /// references follow them.
    async fn import(&self, dump: &Dump) -> StoreResult<()>;
}

/// The contents of a database, as copied between backends.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Dump {
    pub users: Vec<DumpedUser>,
    pub tokens: Vec<DumpedToken>,
    /// Oldest first.
    pub audit: Vec<AuditEvent>,
    /// Oldest first.
    pub launches: Vec<Launch>,
    pub settings: Vec<(String, serde_json::Value)>,
    /// Saved desks with their source ids, oldest first (absent in dumps made before them).
    #[serde(default)]
    pub desk_sessions: Vec<(i64, NewDeskSession)>,
    /// Absent in dumps made before managed apps existed.
    #[serde(default)]
    pub managed: Vec<ManagedApp>,
}

/// A program Boss keeps running, as stored (see [`crate::managed`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewManagedApp {
    pub name: String,
    /// The desktop entry it runs, if it came from the catalog.
    pub desktop_id: Option<String>,
    pub argv: Vec<String>,
    pub cwd: Option<String>,
    /// Added to Boss's environment.
    pub env: Vec<(String, String)>,
    pub policy: crate::managed::Policy,
    /// Whether Boss should keep it running (false once stopped, given up or exited).
    pub enabled: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManagedApp {
    pub id: i64,
    pub app: NewManagedApp,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DumpedUser {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DumpedToken {
    pub user_id: i64,
    pub name: String,
    pub token_hash: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    /// Absent in dumps made before tokens could expire: those never expire.
    #[serde(default)]
    pub expires_at: Option<i64>,
}

/// Where a launch stands, or how it ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LaunchOutcome {
    /// Started and still running.
    #[default]
    Running,
    /// Could not be started (see the launch's `error`).
    FailedToStart,
    /// Exited with code 0.
    Exited,
    /// Exited with another code.
    Failed,
    /// Ended by a signal.
    Killed,
    /// Ended by Boss on request.
    Stopped,
    /// Ended, how is unknown.
    Ended,
    /// Ended while Boss was not watching: no status.
    Lost,
}

impl LaunchOutcome {
    pub const ALL: [LaunchOutcome; 8] = [
        LaunchOutcome::Running,
        LaunchOutcome::FailedToStart,
        LaunchOutcome::Exited,
        LaunchOutcome::Failed,
        LaunchOutcome::Killed,
        LaunchOutcome::Stopped,
        LaunchOutcome::Ended,
        LaunchOutcome::Lost,
    ];

    /// The name as stored and shown (`failed_to_start`).
    pub fn as_str(self) -> &'static str {
        match self {
            LaunchOutcome::Running => "running",
            LaunchOutcome::FailedToStart => "failed_to_start",
            LaunchOutcome::Exited => "exited",
            LaunchOutcome::Failed => "failed",
            LaunchOutcome::Killed => "killed",
            LaunchOutcome::Stopped => "stopped",
            LaunchOutcome::Ended => "ended",
            LaunchOutcome::Lost => "lost",
        }
    }

    pub fn parse(text: &str) -> Option<LaunchOutcome> {
        LaunchOutcome::ALL.into_iter().find(|o| o.as_str() == text)
    }
}

/// A program Boss started.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct NewLaunch {
    pub uid: String,
    pub user_id: Option<i64>,
    pub username: String,
    /// The desktop entry, for catalog launches.
    pub app_id: Option<String>,
    pub app_name: String,
    pub argv: Vec<String>,
    pub cwd: Option<String>,
    pub log_file: Option<String>,
    pub started_at: i64,
    pub pid: Option<u32>,
    pub start_ticks: Option<u64>,
    /// `running`, or `failed_to_start`.
    pub outcome: LaunchOutcome,
    /// Why it could not be started.
    #[serde(default)]
    pub error: Option<String>,
    /// The managed app this run belongs to.
    #[serde(default)]
    pub managed_id: Option<i64>,
    /// In a fleet, the name of the host it runs on (`None` on SQLite, and before fleets).
    #[serde(default)]
    pub host: Option<String>,
}

/// How a launch ended.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct LaunchEnd {
    pub uid: String,
    pub ended_at: i64,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub outcome: LaunchOutcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Launch {
    pub id: i64,
    pub record: NewLaunch,
    pub ended_at: Option<i64>,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
}

#[derive(Debug, Clone, Default)]
pub struct LaunchFilter {
    pub username: Option<String>,
    /// An app id or name.
    pub app: Option<String>,
    pub outcome: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// The number of launches of one application that ended one way (or are running).
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchCount {
    /// The desktop entry id, or the program name for launches of a command line.
    pub app: String,
    pub outcome: LaunchOutcome,
    pub launches: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct AppTotal {
    pub app_id: Option<String>,
    pub app_name: String,
    pub launches: i64,
    pub total_run_ms: i64,
}

/// Why a desk was saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeskSessionKind {
    /// Saved by someone, under a name.
    Manual,
    /// Saved by Boss just before a close-all, to undo it.
    CloseAll,
}

impl DeskSessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeskSessionKind::Manual => "manual",
            DeskSessionKind::CloseAll => "close_all",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [DeskSessionKind::Manual, DeskSessionKind::CloseAll]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// A desk snapshot to store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDeskSession {
    pub name: String,
    pub kind: DeskSessionKind,
    pub created_at: i64,
    pub created_by_id: Option<i64>,
    pub created_by: String,
    pub apps: i64,
    pub windows: i64,
    /// The snapshot as JSON.
    pub content: String,
}

/// A stored desk snapshot, without its contents.
#[derive(Debug, Clone, PartialEq)]
pub struct DeskSession {
    pub id: i64,
    pub name: String,
    pub kind: DeskSessionKind,
    pub created_at: i64,
    pub created_by_id: Option<i64>,
    pub created_by: String,
    pub apps: i64,
    pub windows: i64,
}

impl NewDeskSession {
    /// The stored record this snapshot became under `id`, without its contents.
    pub fn stored(self, id: i64) -> DeskSession {
        DeskSession {
            id,
            name: self.name,
            kind: self.kind,
            created_at: self.created_at,
            created_by_id: self.created_by_id,
            created_by: self.created_by,
            apps: self.apps,
            windows: self.windows,
        }
    }
}

impl DeskSession {
    /// The record to store again with its `content`, as a dump carries it.
    pub fn with_content(self, content: String) -> NewDeskSession {
        NewDeskSession {
            name: self.name,
            kind: self.kind,
            created_at: self.created_at,
            created_by_id: self.created_by_id,
            created_by: self.created_by,
            apps: self.apps,
            windows: self.windows,
            content,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DumpedToken;

    #[test]
    fn a_token_dumped_before_expiry_existed_loads_as_never_expiring() {
        let old = r#"{"user_id": 1, "name": "ci", "token_hash": "h", "created_at": 5,
                      "last_used_at": null}"#;
        let token: DumpedToken = serde_json::from_str(old).unwrap();
        assert_eq!(token.expires_at, None);
    }
}

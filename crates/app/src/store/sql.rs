//! The [`Store`] over SQL, one implementation for SQLite and PostgreSQL.
//!
//! Queries are written once with `$n` placeholders and run through sqlx's `Any` driver; the only
//! per-backend parts are the migration folders and the connection set-up.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, AssertSqlSafe, Row};

use super::{
    ApiToken, AppTotal, AuditEvent, AuditFilter, DeskSession, DeskSessionKind, Dump, DumpedToken,
    DumpedUser, Launch, LaunchCount, LaunchEnd, LaunchFilter, LaunchOutcome, ManagedApp,
    NewAuditEvent, NewDeskSession, NewLaunch, NewManagedApp, NewSession, Session, Store,
    StoreError, StoreResult, User,
};
use crate::auth::Role;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A pooled SQL database holding everything Boss keeps.
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
}

impl SqlStore {
    /// The URL of the default database: a SQLite file in `data_dir`, created when missing.
    pub fn sqlite_url(data_dir: &Path) -> String {
        format!(
            "sqlite://{}?mode=rwc",
            data_dir.join(crate::server::data_dir::DATABASE).display()
        )
    }

    /// Connects to `url` (`sqlite:` or `postgres:`) and brings its schema up to date.
    pub async fn open(url: &str) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Config(format!(
                "unsupported database URL '{}': use sqlite:... or postgres://...",
                redact_url(url)
            )));
        };
        // Short: while the database is down, a request waits this long before its records are
        // spooled and it goes on.
        let mut options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(3));
        options = match backend {
            Backend::Sqlite => {
                // An in-memory SQLite database exists per connection: keep exactly one.
                let in_memory = url.contains(":memory:") || url.contains("mode=memory");
                let options = if in_memory {
                    options
                        .max_connections(1)
                        .min_connections(1)
                        .idle_timeout(None)
                        .max_lifetime(None)
                } else {
                    // Each SQLite connection is a thread of its own with its page and
                    // statement caches. Every request looks its session up, so a burst of
                    // concurrent requests opened all eight, kept for ten idle minutes: about
                    // 1 MiB resident (benchmark soak at 1,000 processes). SQLite writes one at
                    // a time anyway and a lookup takes microseconds: four are plenty, and
                    // those beyond the first close after half a minute idle.
                    options
                        .max_connections(4)
                        .min_connections(1)
                        .idle_timeout(Duration::from_secs(30))
                };
                options.after_connect(|conn, _meta| {
                    Box::pin(async move {
                        // sqlx sets foreign_keys and busy_timeout itself; WAL persists in the
                        // file, `synchronous` is per connection.
                        sqlx::query("PRAGMA synchronous = NORMAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA foreign_keys = ON")
                            .execute(&mut *conn)
                            .await?;
                        Ok(())
                    })
                })
            }
            Backend::Postgres => options.max_connections(10),
        };
        let pool = options.connect(url).await?;
        if backend == Backend::Sqlite {
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        let store = Self { pool, backend };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> StoreResult<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            // A fleet host's own role (`boss db fleet-host`) may not create anything, not even
            // the migrations table sqlx would make sure of: when every migration has run,
            // there is nothing to do.
            Backend::Postgres if self.postgres_up_to_date().await => {}
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// Whether every PostgreSQL migration has been applied (false when that cannot be read).
    async fn postgres_up_to_date(&self) -> bool {
        let applied = sqlx::query("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&self.pool)
            .await;
        let Ok(rows) = applied else {
            return false;
        };
        let applied: std::collections::HashSet<i64> = rows
            .iter()
            .filter_map(|row| row.try_get::<i64, _>(0).ok())
            .collect();
        POSTGRES_MIGRATIONS
            .iter()
            .all(|m| applied.contains(&m.version))
    }

    /// The row that `sql` (with one `$1` parameter) finds for `key`, if any, mapped by `map`.
    async fn one<'k, K, T>(
        &self,
        sql: String,
        key: K,
        map: fn(&AnyRow) -> StoreResult<T>,
    ) -> StoreResult<Option<T>>
    where
        K: 'k + sqlx::Encode<'k, sqlx::Any> + sqlx::Type<sqlx::Any> + Send,
    {
        // Only column and table names are formatted into `sql`; the key is bound.
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(map).transpose()
    }

    /// SQLite's journal mode (`wal` expected), for tests and diagnostics.
    pub async fn sqlite_journal_mode(&self) -> StoreResult<String> {
        let row = sqlx::query("PRAGMA journal_mode")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<String, _>(0)?)
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The URL with its password hidden, for messages.
pub fn redact_url(url: &str) -> String {
    // The same rules as for command lines: user-info passwords and `password=` parameters.
    crate::redact::redact_cmdline(url).unwrap_or_else(|| url.to_string())
}

fn conflict_or(err: sqlx::Error, message: &str) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(message.to_string())
        }
        _ => StoreError::Database(err),
    }
}

fn user_from_row(row: &AnyRow) -> StoreResult<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        password_hash: row.try_get("password_hash")?,
        role: Role::from_str(&role).map_err(|_| StoreError::Corrupt(format!("role '{role}'")))?,
        created_at: row.try_get("created_at")?,
    })
}

fn token_from_row(row: &AnyRow) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        name: row.try_get("name")?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}

const LAUNCH_COLUMNS: &str = "id, uid, user_id, username, app_id, app_name, argv, cwd, log_file, \
    started_at, pid, start_ticks, ended_at, exit_code, signal, outcome, error, managed_id, host";

const MANAGED_COLUMNS: &str =
    "id, name, desktop_id, argv, cwd, env, policy, enabled, created_at, updated_at";

fn managed_from_row(row: &AnyRow) -> StoreResult<ManagedApp> {
    fn parsed<T: serde::de::DeserializeOwned>(row: &AnyRow, column: &str) -> StoreResult<T> {
        let text: String = row.try_get(column)?;
        serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("managed app {column}: {e}")))
    }
    Ok(ManagedApp {
        id: row.try_get("id")?,
        app: NewManagedApp {
            name: row.try_get("name")?,
            desktop_id: row.try_get("desktop_id")?,
            argv: parsed(row, "argv")?,
            cwd: row.try_get("cwd")?,
            env: parsed(row, "env")?,
            policy: parsed(row, "policy")?,
            enabled: row.try_get::<i64, _>("enabled")? != 0,
            created_at: row.try_get("created_at")?,
        },
        updated_at: row.try_get("updated_at")?,
    })
}

const DESK_COLUMNS: &str = "id, name, kind, created_at, created_by_id, created_by, apps, windows";

fn desk_from_row(row: &AnyRow) -> StoreResult<DeskSession> {
    let kind: String = row.try_get("kind")?;
    Ok(DeskSession {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        kind: DeskSessionKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("session kind '{kind}'")))?,
        created_at: row.try_get("created_at")?,
        created_by_id: row.try_get("created_by_id")?,
        created_by: row.try_get("created_by")?,
        apps: row.try_get("apps")?,
        windows: row.try_get("windows")?,
    })
}

fn launch_from_row(row: &AnyRow) -> StoreResult<Launch> {
    let argv: String = row.try_get("argv")?;
    let int = |name: &str| -> StoreResult<Option<i64>> { Ok(row.try_get::<Option<i64>, _>(name)?) };
    Ok(Launch {
        id: row.try_get("id")?,
        record: NewLaunch {
            uid: row.try_get("uid")?,
            user_id: int("user_id")?,
            username: row.try_get("username")?,
            app_id: row.try_get("app_id")?,
            app_name: row.try_get("app_name")?,
            argv: serde_json::from_str(&argv)
                .map_err(|e| StoreError::Corrupt(format!("launch argv: {e}")))?,
            cwd: row.try_get("cwd")?,
            log_file: row.try_get("log_file")?,
            started_at: row.try_get("started_at")?,
            pid: int("pid")?.map(|p| p as u32),
            start_ticks: int("start_ticks")?.map(|t| t as u64),
            outcome: {
                let text: String = row.try_get("outcome")?;
                LaunchOutcome::parse(&text)
                    .ok_or_else(|| StoreError::Corrupt(format!("launch outcome '{text}'")))?
            },
            error: row.try_get("error")?,
            managed_id: int("managed_id")?,
            host: row.try_get("host")?,
        },
        ended_at: int("ended_at")?,
        exit_code: int("exit_code")?.map(|c| c as i32),
        signal: int("signal")?.map(|c| c as i32),
    })
}

/// The `WHERE` clause of a filtered list, built from the filters that are set. Only the fixed
/// SQL fragments given to [`Conditions::add`] are formatted in; every value is bound.
#[derive(Default)]
struct Conditions {
    clauses: Vec<String>,
    args: Vec<Arg>,
}

impl Conditions {
    /// Adds `sql`, a fragment whose `?`s all stand for `value`, when `value` is set.
    fn add(&mut self, sql: &'static str, value: Option<Arg>) -> &mut Self {
        if let Some(value) = value {
            self.args.push(value);
            let placeholder = format!("${}", self.args.len());
            self.clauses.push(sql.replace('?', &placeholder));
        }
        self
    }

    /// Binds a value used elsewhere in the statement; its placeholder.
    fn placeholder_for(&mut self, value: Arg) -> String {
        self.args.push(value);
        format!("${}", self.args.len())
    }

    /// ` WHERE a AND b`, or nothing.
    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    fn bind<'q>(
        self,
        mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        for arg in self.args {
            query = match arg {
                Arg::Int(v) => query.bind(v),
                Arg::Text(v) => query.bind(v),
            };
        }
        query
    }
}

fn launch_conditions(filter: &LaunchFilter) -> Conditions {
    let mut conditions = Conditions::default();
    conditions
        .add("username = ?", filter.username.clone().map(Arg::Text))
        .add(
            "(app_id = ? OR app_name = ?)",
            filter.app.clone().map(Arg::Text),
        )
        .add("outcome = ?", filter.outcome.clone().map(Arg::Text))
        .add("started_at >= ?", filter.since.map(Arg::Int))
        .add("started_at < ?", filter.until.map(Arg::Int))
        .add("id < ?", filter.before_id.map(Arg::Int));
    conditions
}

fn audit_conditions(filter: &AuditFilter) -> Conditions {
    let mut conditions = Conditions::default();
    conditions
        .add("actor = ?", filter.actor.clone().map(Arg::Text))
        .add("action = ?", filter.action.clone().map(Arg::Text))
        .add("outcome = ?", filter.outcome.clone().map(Arg::Text))
        .add("at >= ?", filter.since.map(Arg::Int))
        .add("at < ?", filter.until.map(Arg::Int))
        .add("id < ?", filter.before_id.map(Arg::Int));
    conditions
}

/// Every row of a list that is read newest first, a page at a time (`page(before_id)`),
/// returned oldest first.
async fn every_page<T, F, Fut>(mut page: F, id_of: impl Fn(&T) -> i64) -> StoreResult<Vec<T>>
where
    F: FnMut(Option<i64>) -> Fut,
    Fut: std::future::Future<Output = StoreResult<Vec<T>>>,
{
    let mut rows = Vec::new();
    let mut before_id = None;
    loop {
        let next = page(before_id).await?;
        let Some(last) = next.last() else { break };
        before_id = Some(id_of(last));
        rows.extend(next);
    }
    rows.reverse();
    Ok(rows)
}

const USER_COLUMNS: &str = "id, username, password_hash, role, created_at";

/// A value bound to a query built at run time.
enum Arg {
    Int(i64),
    Text(String),
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    async fn count_users(&self) -> StoreResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    async fn count_admins(&self) -> StoreResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) FROM users WHERE role = 'admin'")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    async fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
        only_if_no_users: bool,
    ) -> StoreResult<Option<User>> {
        let now = crate::clock::now_ms();
        let sql = if only_if_no_users {
            "INSERT INTO users (username, password_hash, role, created_at, updated_at) \
             SELECT $1, $2, $3, $4, $4 WHERE NOT EXISTS (SELECT 1 FROM users) RETURNING id"
        } else {
            "INSERT INTO users (username, password_hash, role, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) RETURNING id"
        };
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(sql)
            .bind(username)
            .bind(password_hash)
            .bind(role.as_str())
            .bind(now)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| conflict_or(e, &format!("the username '{username}' is taken")))?;
        if only_if_no_users && let Some(row) = &row {
            // The NOT EXISTS above is not enough on PostgreSQL (see migration 0004): the claim
            // of the single first_account row decides, waiting for a racing claim to commit.
            let id: i64 = row.try_get(0)?;
            let claimed = sqlx::query("INSERT INTO first_account (id, user_id) VALUES (1, $1)")
                .bind(id)
                .execute(&mut *tx)
                .await;
            match claimed {
                Ok(_) => {}
                Err(sqlx::Error::Database(db)) if db.is_unique_violation() => return Ok(None),
                Err(err) => return Err(err.into()),
            }
        }
        tx.commit().await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(User {
            id: row.try_get(0)?,
            username: username.to_string(),
            password_hash: password_hash.to_string(),
            role,
            created_at: now,
        }))
    }

    async fn user_by_id(&self, id: i64) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        self.one(sql, id, user_from_row).await
    }

    async fn user_by_name(&self, username: &str) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        self.one(sql, username, user_from_row).await
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY id");
        let rows = sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(user_from_row).collect()
    }

    async fn set_user_role(&self, id: i64, role: Role) -> StoreResult<()> {
        sqlx::query("UPDATE users SET role = $1, updated_at = $2 WHERE id = $3")
            .bind(role.as_str())
            .bind(crate::clock::now_ms())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn set_user_password(&self, id: i64, password_hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(crate::clock::now_ms())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_user(&self, id: i64) -> StoreResult<bool> {
        // Sessions and tokens go with the account (ON DELETE CASCADE).
        let done = sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn create_session(&self, session: NewSession) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, client) \
             VALUES ($1, $2, $3, $3, $4, $5)",
        )
        .bind(session.id_hash)
        .bind(session.user_id)
        .bind(session.created_at)
        .bind(session.expires_at)
        .bind(session.client)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn session(&self, id_hash: &str, now: i64) -> StoreResult<Option<(Session, User)>> {
        let row = sqlx::query(
            "SELECT s.id_hash, s.user_id, s.last_seen_at, s.expires_at, \
                    u.id, u.username, u.password_hash, u.role, u.created_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2",
        )
        .bind(id_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let session = Session {
            id_hash: row.try_get("id_hash")?,
            user_id: row.try_get("user_id")?,
            last_seen_at: row.try_get("last_seen_at")?,
            expires_at: row.try_get("expires_at")?,
        };
        Ok(Some((session, user_from_row(&row)?)))
    }

    async fn extend_session(&self, id_hash: &str, now: i64, expires_at: i64) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id_hash = $3")
            .bind(now)
            .bind(expires_at)
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_user_sessions(&self, user_id: i64, keep: Option<&str>) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user_id)
            .bind(keep.unwrap_or(""))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn delete_expired_sessions(&self, now: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn create_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        now: i64,
        expires_at: Option<i64>,
    ) -> StoreResult<ApiToken> {
        let row = sqlx::query(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user_id)
        .bind(name)
        .bind(token_hash)
        .bind(now)
        .bind(expires_at)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| conflict_or(e, "token collision; try again"))?;
        Ok(ApiToken {
            id: row.try_get(0)?,
            user_id,
            name: name.to_string(),
            created_at: now,
            last_used_at: None,
            expires_at,
        })
    }

    async fn list_tokens(&self, user_id: i64) -> StoreResult<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT id, user_id, name, created_at, last_used_at, expires_at FROM api_tokens \
             WHERE user_id = $1 ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_from_row).collect()
    }

    async fn token(&self, token_hash: &str, now: i64) -> StoreResult<Option<(ApiToken, User)>> {
        let row = sqlx::query(
            "SELECT t.id AS token_id, t.user_id, t.name, t.created_at AS token_created_at, \
                    t.last_used_at, t.expires_at, \
                    u.id, u.username, u.password_hash, u.role, u.created_at \
             FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND (t.expires_at IS NULL OR t.expires_at > $2)",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let token = ApiToken {
            id: row.try_get("token_id")?,
            user_id: row.try_get("user_id")?,
            name: row.try_get("name")?,
            created_at: row.try_get("token_created_at")?,
            last_used_at: row.try_get("last_used_at")?,
            expires_at: row.try_get("expires_at")?,
        };
        Ok(Some((token, user_from_row(&row)?)))
    }

    async fn use_token(&self, token_hash: &str, now: i64) -> StoreResult<Option<(ApiToken, User)>> {
        let Some((mut token, user)) = self.token(token_hash, now).await? else {
            return Ok(None);
        };
        // Recording every use would write on every API call; a minute's precision is plenty.
        if token.last_used_at.is_none_or(|at| now - at > 60_000) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(token.id)
                .execute(&self.pool)
                .await?;
        }
        token.last_used_at = Some(now);
        Ok(Some((token, user)))
    }

    async fn delete_token(&self, user_id: i64, token_id: i64) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
            .bind(token_id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_user_tokens(&self, user_id: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn append_audit(&self, event: &NewAuditEvent) -> StoreResult<()> {
        insert_audit(&self.pool, event).await
    }

    async fn list_audit(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEvent>> {
        let conditions = audit_conditions(filter);
        let sql = format!(
            "SELECT id, uid, at, actor_id, actor, action, target, outcome, detail, client \
             FROM audit_events{} ORDER BY id DESC LIMIT {}",
            conditions.sql(),
            filter.limit.clamp(1, 1000)
        );
        let rows = conditions
            .bind(sqlx::query(AssertSqlSafe(sql)))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let detail: Option<String> = row.try_get("detail")?;
                Ok(AuditEvent {
                    id: row.try_get("id")?,
                    event: NewAuditEvent {
                        uid: row.try_get::<Option<String>, _>("uid")?.unwrap_or_default(),
                        at: row.try_get("at")?,
                        actor_id: row.try_get("actor_id")?,
                        actor: row.try_get("actor")?,
                        action: row.try_get("action")?,
                        target: row.try_get("target")?,
                        outcome: row.try_get("outcome")?,
                        detail: detail.and_then(|d| serde_json::from_str(&d).ok()),
                        client: row.try_get("client")?,
                    },
                })
            })
            .collect()
    }

    async fn setting(&self, key: &str) -> StoreResult<Option<serde_json::Value>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let text: String = row.try_get(0)?;
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("setting '{key}': {e}")))
    }

    async fn set_setting(&self, key: &str, value: &serde_json::Value, now: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(value.to_string())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn record_launch(&self, launch: &NewLaunch) -> StoreResult<()> {
        insert_launch(&self.pool, launch).await
    }

    async fn record_launch_end(&self, end: &LaunchEnd) -> StoreResult<()> {
        update_launch_end(&self.pool, end).await
    }

    async fn launch(&self, id: i64) -> StoreResult<Option<Launch>> {
        let sql = format!("SELECT {LAUNCH_COLUMNS} FROM launches WHERE id = $1");
        self.one(sql, id, launch_from_row).await
    }

    async fn launch_by_uid(&self, uid: &str) -> StoreResult<Option<Launch>> {
        let sql = format!("SELECT {LAUNCH_COLUMNS} FROM launches WHERE uid = $1");
        self.one(sql, uid, launch_from_row).await
    }

    async fn list_launches(&self, filter: &LaunchFilter) -> StoreResult<Vec<Launch>> {
        let conditions = launch_conditions(filter);
        let sql = format!(
            "SELECT {LAUNCH_COLUMNS} FROM launches{} ORDER BY id DESC LIMIT {}",
            conditions.sql(),
            filter.limit.clamp(1, 10_000)
        );
        let rows = conditions
            .bind(sqlx::query(AssertSqlSafe(sql)))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(launch_from_row).collect()
    }

    async fn running_launches(&self) -> StoreResult<Vec<Launch>> {
        let sql =
            format!("SELECT {LAUNCH_COLUMNS} FROM launches WHERE outcome = 'running' ORDER BY id");
        let rows = sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(launch_from_row).collect()
    }

    async fn create_desk_session(&self, d: &NewDeskSession) -> StoreResult<i64> {
        let row = sqlx::query(
            "INSERT INTO desk_sessions (name, kind, created_at, created_by_id, created_by, apps, \
                windows, content) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(d.name.clone())
        .bind(d.kind.as_str())
        .bind(d.created_at)
        .bind(d.created_by_id)
        .bind(d.created_by.clone())
        .bind(d.apps)
        .bind(d.windows)
        .bind(d.content.clone())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("id")?)
    }

    async fn list_desk_sessions(&self) -> StoreResult<Vec<DeskSession>> {
        let sql = format!("SELECT {DESK_COLUMNS} FROM desk_sessions ORDER BY id DESC");
        let rows = sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(desk_from_row).collect()
    }

    async fn desk_session(&self, id: i64) -> StoreResult<Option<(DeskSession, String)>> {
        let sql = format!("SELECT {DESK_COLUMNS}, content FROM desk_sessions WHERE id = $1");
        self.one(sql, id, |row| {
            Ok((desk_from_row(row)?, row.try_get("content")?))
        })
        .await
    }

    async fn rename_desk_session(&self, id: i64, name: &str) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE desk_sessions SET name = $1 WHERE id = $2")
            .bind(name.to_string())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_desk_session(&self, id: i64) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM desk_sessions WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn launch_totals(&self, filter: &LaunchFilter, now: i64) -> StoreResult<Vec<AppTotal>> {
        let mut conditions = launch_conditions(&LaunchFilter {
            before_id: None,
            ..filter.clone()
        });
        let now_arg = conditions.placeholder_for(Arg::Int(now));
        let sql = format!(
            "SELECT app_id, app_name, COUNT(*) AS launches, \
                    CAST(SUM(COALESCE(ended_at, {now_arg}) - started_at) AS BIGINT) AS total_run_ms \
             FROM launches{} GROUP BY app_id, app_name ORDER BY launches DESC, app_name",
            conditions.sql()
        );
        let rows = conditions
            .bind(sqlx::query(AssertSqlSafe(sql)))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AppTotal {
                    app_id: r.try_get("app_id")?,
                    app_name: r.try_get("app_name")?,
                    launches: r.try_get("launches")?,
                    total_run_ms: r
                        .try_get::<Option<i64>, _>("total_run_ms")?
                        .unwrap_or(0)
                        .max(0),
                })
            })
            .collect()
    }

    async fn create_managed(&self, app: &NewManagedApp) -> StoreResult<ManagedApp> {
        let id = insert_managed(&self.pool, app).await?;
        Ok(ManagedApp {
            id,
            app: app.clone(),
            updated_at: app.created_at,
        })
    }

    async fn managed_apps(&self) -> StoreResult<Vec<ManagedApp>> {
        let sql = format!("SELECT {MANAGED_COLUMNS} FROM managed_apps ORDER BY id");
        let rows = sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(managed_from_row).collect()
    }

    async fn managed_app(&self, id: i64) -> StoreResult<Option<ManagedApp>> {
        let sql = format!("SELECT {MANAGED_COLUMNS} FROM managed_apps WHERE id = $1");
        self.one(sql, id, managed_from_row).await
    }

    async fn update_managed(&self, m: &ManagedApp) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE managed_apps SET name = $1, desktop_id = $2, argv = $3, cwd = $4, env = $5, \
                policy = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(m.app.name.clone())
        .bind(m.app.desktop_id.clone())
        .bind(json_text(&m.app.argv))
        .bind(m.app.cwd.clone())
        .bind(json_text(&m.app.env))
        .bind(json_text(&m.app.policy))
        .bind(m.updated_at)
        .bind(m.id)
        .execute(&self.pool)
        .await
        .map_err(|e| conflict_or(e, &format!("a managed app named '{}' exists", m.app.name)))?;
        Ok(done.rows_affected() > 0)
    }

    async fn set_managed_enabled(&self, id: i64, enabled: bool, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE managed_apps SET enabled = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(enabled))
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_managed(&self, id: i64) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM managed_apps WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn launch_counts(&self) -> StoreResult<Vec<LaunchCount>> {
        let rows = sqlx::query(
            "SELECT COALESCE(app_id, app_name) AS app, outcome, COUNT(*) AS launches \
             FROM launches GROUP BY COALESCE(app_id, app_name), outcome ORDER BY app, outcome",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .filter_map(|r| {
                let outcome: String = match r.try_get("outcome") {
                    Ok(outcome) => outcome,
                    Err(err) => return Some(Err(err.into())),
                };
                // An outcome this version does not know (a newer one wrote it) is left out.
                let outcome = LaunchOutcome::parse(&outcome)?;
                Some((|| {
                    Ok(LaunchCount {
                        app: r.try_get("app")?,
                        outcome,
                        launches: r.try_get("launches")?,
                    })
                })())
            })
            .collect()
    }

    async fn schema_version(&self) -> StoreResult<i64> {
        let row = sqlx::query("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<Option<i64>, _>(0)?.unwrap_or(0))
    }

    async fn export(&self) -> StoreResult<Dump> {
        let users = sqlx::query(
            "SELECT id, username, password_hash, role, created_at FROM users ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(DumpedUser {
                id: r.try_get("id")?,
                username: r.try_get("username")?,
                password_hash: r.try_get("password_hash")?,
                role: r.try_get("role")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect::<StoreResult<_>>()?;
        let tokens = sqlx::query(
            "SELECT user_id, name, token_hash, created_at, last_used_at, expires_at \
             FROM api_tokens ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(DumpedToken {
                user_id: r.try_get("user_id")?,
                name: r.try_get("name")?,
                token_hash: r.try_get("token_hash")?,
                created_at: r.try_get("created_at")?,
                last_used_at: r.try_get("last_used_at")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .collect::<StoreResult<_>>()?;
        let audit = every_page(
            |before_id| async move {
                let filter = AuditFilter {
                    before_id,
                    limit: 1000,
                    ..Default::default()
                };
                self.list_audit(&filter).await
            },
            |event| event.id,
        )
        .await?;
        let settings = sqlx::query("SELECT key, value FROM settings ORDER BY key")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let key: String = r.try_get("key")?;
                let value: String = r.try_get("value")?;
                let value = serde_json::from_str(&value)
                    .map_err(|e| StoreError::Corrupt(format!("setting '{key}': {e}")))?;
                Ok((key, value))
            })
            .collect::<StoreResult<_>>()?;
        let launches = every_page(
            |before_id| async move {
                let filter = LaunchFilter {
                    before_id,
                    limit: 1000,
                    ..Default::default()
                };
                self.list_launches(&filter).await
            },
            |launch| launch.id,
        )
        .await?;
        // One query for every snapshot with its contents, oldest first, rather than one per row.
        let sql = format!("SELECT {DESK_COLUMNS}, content FROM desk_sessions ORDER BY id");
        let desk_sessions = sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                let desk = desk_from_row(row)?;
                Ok((desk.id, desk.with_content(row.try_get("content")?)))
            })
            .collect::<StoreResult<_>>()?;
        let managed = self.managed_apps().await?;
        Ok(Dump {
            users,
            tokens,
            audit,
            launches,
            settings,
            desk_sessions,
            managed,
        })
    }

    async fn import(&self, dump: &Dump) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let mut user_ids = std::collections::HashMap::new();
        for user in &dump.users {
            let row = sqlx::query(
                "INSERT INTO users (username, password_hash, role, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $4) RETURNING id",
            )
            .bind(user.username.clone())
            .bind(user.password_hash.clone())
            .bind(user.role.clone())
            .bind(user.created_at)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| {
                conflict_or(
                    e,
                    &format!("the username '{}' already exists", user.username),
                )
            })?;
            user_ids.insert(user.id, row.try_get::<i64, _>(0)?);
        }
        if let Some(first) = dump.users.first().and_then(|u| user_ids.get(&u.id)) {
            sqlx::query("INSERT INTO first_account (id, user_id) VALUES (1, $1)")
                .bind(*first)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or(e, "the destination already had a first account"))?;
        }
        for token in &dump.tokens {
            let Some(&user_id) = user_ids.get(&token.user_id) else {
                continue;
            };
            sqlx::query(
                "INSERT INTO api_tokens \
                    (user_id, name, token_hash, created_at, last_used_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(user_id)
            .bind(token.name.clone())
            .bind(token.token_hash.clone())
            .bind(token.created_at)
            .bind(token.last_used_at)
            .bind(token.expires_at)
            .execute(&mut *tx)
            .await?;
        }
        for row in &dump.audit {
            let mut event = row.event.clone();
            // Rows from before uids existed get one derived from their source id.
            if event.uid.is_empty() {
                event.uid = format!("copied-{}", row.id);
            }
            event.actor_id = event.actor_id.and_then(|id| user_ids.get(&id).copied());
            insert_audit(&mut *tx, &event).await?;
        }
        let mut managed_ids = std::collections::HashMap::new();
        for managed in &dump.managed {
            let id = insert_managed(&mut *tx, &managed.app).await?;
            managed_ids.insert(managed.id, id);
        }
        for launch in &dump.launches {
            let mut record = launch.record.clone();
            record.user_id = record.user_id.and_then(|id| user_ids.get(&id).copied());
            record.managed_id = record
                .managed_id
                .and_then(|id| managed_ids.get(&id).copied());
            let ended_outcome = record.outcome;
            record.outcome = LaunchOutcome::Running;
            insert_launch(&mut *tx, &record).await?;
            if let Some(ended_at) = launch.ended_at {
                let end = LaunchEnd {
                    uid: record.uid.clone(),
                    ended_at,
                    exit_code: launch.exit_code,
                    signal: launch.signal,
                    outcome: ended_outcome,
                };
                update_launch_end(&mut *tx, &end).await?;
            } else {
                sqlx::query("UPDATE launches SET outcome = $1 WHERE uid = $2")
                    .bind(ended_outcome.as_str())
                    .bind(record.uid.clone())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let mut desk_ids = std::collections::HashMap::new();
        for (source_id, desk) in &dump.desk_sessions {
            let row = sqlx::query(
                "INSERT INTO desk_sessions (name, kind, created_at, created_by_id, created_by, \
                    apps, windows, content) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(desk.name.clone())
            .bind(desk.kind.as_str())
            .bind(desk.created_at)
            .bind(desk.created_by_id.and_then(|id| user_ids.get(&id).copied()))
            .bind(desk.created_by.clone())
            .bind(desk.apps)
            .bind(desk.windows)
            .bind(desk.content.clone())
            .fetch_one(&mut *tx)
            .await?;
            desk_ids.insert(*source_id, row.try_get::<i64, _>(0)?);
        }
        let now = crate::clock::now_ms();
        for (key, value) in &dump.settings {
            // The start-up session's id is the copy's.
            let value = match (key.as_str(), value.as_i64()) {
                (crate::settings::RESTORE_SESSION_ON_START, Some(id)) => desk_ids
                    .get(&id)
                    .map_or(serde_json::Value::Null, |&copied| serde_json::json!(copied)),
                _ => value.clone(),
            };
            sqlx::query(
                "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            )
            .bind(key.clone())
            .bind(value.to_string())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

// Writes shared by the store methods and `import` (which runs them in a transaction).

async fn insert_audit<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    event: &NewAuditEvent,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_events \
            (uid, at, actor_id, actor, action, target, outcome, detail, client) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (uid) DO NOTHING",
    )
    .bind(event.uid.clone())
    .bind(event.at)
    .bind(event.actor_id)
    .bind(event.actor.clone())
    .bind(event.action.clone())
    .bind(event.target.clone())
    .bind(event.outcome.clone())
    .bind(event.detail.as_ref().map(|d| d.to_string()))
    .bind(event.client.clone())
    .execute(db)
    .await?;
    Ok(())
}

async fn insert_launch<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    l: &NewLaunch,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO launches (uid, user_id, username, app_id, app_name, argv, cwd, log_file, \
            started_at, pid, start_ticks, outcome, error, managed_id, host) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
         ON CONFLICT (uid) DO NOTHING",
    )
    .bind(l.uid.clone())
    .bind(l.user_id)
    .bind(l.username.clone())
    .bind(l.app_id.clone())
    .bind(l.app_name.clone())
    .bind(serde_json::to_string(&l.argv).unwrap_or_default())
    .bind(l.cwd.clone())
    .bind(l.log_file.clone())
    .bind(l.started_at)
    .bind(l.pid.map(i64::from))
    .bind(l.start_ticks.map(|t| t as i64))
    .bind(l.outcome.as_str())
    .bind(l.error.clone())
    .bind(l.managed_id)
    .bind(l.host.clone())
    .execute(db)
    .await?;
    Ok(())
}

async fn insert_managed<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    app: &NewManagedApp,
) -> StoreResult<i64> {
    let row = sqlx::query(
        "INSERT INTO managed_apps \
            (name, desktop_id, argv, cwd, env, policy, enabled, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(app.name.clone())
    .bind(app.desktop_id.clone())
    .bind(json_text(&app.argv))
    .bind(app.cwd.clone())
    .bind(json_text(&app.env))
    .bind(json_text(&app.policy))
    .bind(i64::from(app.enabled))
    .bind(app.created_at)
    .fetch_one(db)
    .await
    .map_err(|e| conflict_or(e, &format!("a managed app named '{}' exists", app.name)))?;
    Ok(row.try_get(0)?)
}

fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

async fn update_launch_end<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    end: &LaunchEnd,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE launches SET ended_at = $1, exit_code = $2, signal = $3, outcome = $4 \
         WHERE uid = $5 AND ended_at IS NULL",
    )
    .bind(end.ended_at)
    .bind(end.exit_code.map(i64::from))
    .bind(end.signal.map(i64::from))
    .bind(end.outcome.as_str())
    .bind(end.uid.clone())
    .execute(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn redacts_passwords_in_urls() {
        assert_eq!(
            redact_url("postgres://boss:secret@db/boss"),
            "postgres://boss:***@db/boss"
        );
        assert_eq!(
            redact_url("postgres://boss@db/boss"),
            "postgres://boss@db/boss"
        );
        assert_eq!(redact_url("sqlite:///tmp/x.db"), "sqlite:///tmp/x.db");
    }
}

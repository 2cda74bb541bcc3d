//! `boss db ...`: database chores from the command line (migrate, check, copy between backends).

use anyhow::{Context, bail};

use crate::store::{SqlStore, Store, redact_url};

/// A URL, or a path to a SQLite file.
pub fn database_url(text: &str) -> String {
    if text.contains("://") || text.starts_with("sqlite:") {
        text.to_string()
    } else {
        format!("sqlite://{text}?mode=rwc")
    }
}

async fn open(url: &str) -> anyhow::Result<SqlStore> {
    SqlStore::open(url)
        .await
        .with_context(|| format!("cannot open the database {}", redact_url(url)))
}

/// Brings the schema up to date.
pub async fn migrate(url: &str) -> anyhow::Result<()> {
    let store = open(url).await?;
    println!(
        "{} is up to date (schema version {})",
        redact_url(url),
        store.schema_version().await?
    );
    store.close().await;
    Ok(())
}

/// Connects, migrates, and reports what is there.
pub async fn check(url: &str) -> anyhow::Result<()> {
    let store = open(url).await?;
    println!("database:        {} ({})", redact_url(url), store.backend());
    println!("schema version:  {}", store.schema_version().await?);
    println!("accounts:        {}", store.count_users().await?);
    println!("status:          ok");
    store.close().await;
    Ok(())
}

/// Copies accounts, API tokens, the audit log, the launch history and settings into an empty
/// database.
pub async fn copy(from: &str, to: &str) -> anyhow::Result<()> {
    let source = open(from).await?;
    let target = open(to).await?;
    if target.count_users().await? > 0 {
        bail!(
            "{} already has accounts: copy into an empty database (a new one, just migrated)",
            redact_url(to)
        );
    }
    let dump = source
        .export()
        .await
        .context("cannot read the source database")?;
    target
        .import(&dump)
        .await
        .context("cannot write the target database; nothing was copied")?;
    println!(
        "copied {} account(s), {} API token(s), {} audit event(s), {} launch(es), {} setting(s) \
         and {} saved session(s) from {} to {}",
        dump.users.len(),
        dump.tokens.len(),
        dump.audit.len(),
        dump.launches.len(),
        dump.settings.len(),
        dump.desk_sessions.len(),
        redact_url(from),
        redact_url(to)
    );
    source.close().await;
    target.close().await;
    Ok(())
}

/// The role name for a host: `boss_host_` and the name's letters and digits (others become
/// `_`), so that it is a plain identifier.
pub fn fleet_role(host: &str) -> String {
    let name: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(50)
        .collect();
    format!("boss_host_{name}")
}

/// Creates or resets the role of fleet host `host` on the PostgreSQL database at `url` (see
/// the `hosts` and `commands` policies in the migrations), and prints how to use it.
pub async fn fleet_host(url: &str, host: &str) -> anyhow::Result<()> {
    if !url.starts_with("postgres") {
        bail!(
            "a fleet needs PostgreSQL: give --database-url postgres://... (or BOSS_DATABASE_URL)"
        );
    }
    if host.trim().is_empty() {
        bail!("give the host's name");
    }
    // The schema first (a role cannot be granted tables that do not exist yet).
    open(url).await?.close().await;
    let role = fleet_role(host);
    // Hex only: safe to write into the statement (utility statements take no parameters).
    let password = crate::auth::secret::random_hex()[..32].to_string();
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .with_context(|| format!("cannot connect to {}", redact_url(url)))?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
            .bind(&role)
            .fetch_one(&pool)
            .await?;
    let verb = if exists { "ALTER" } else { "CREATE" };
    // The role name is letters, digits and `_` (see `fleet_role`), quoted all the same.
    let statements = [
        format!("{verb} ROLE \"{role}\" LOGIN PASSWORD '{password}'"),
        format!("GRANT USAGE ON SCHEMA public TO \"{role}\""),
        format!(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \"{role}\""
        ),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO \"{role}\""),
        // It reads which migrations ran; only the owner runs new ones (`boss db migrate`).
        format!("REVOKE INSERT, UPDATE, DELETE ON _sqlx_migrations FROM \"{role}\""),
    ];
    for statement in statements {
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(&pool)
            .await
            .with_context(|| format!("cannot set up the role {role} (run this as the owner of Boss's tables, with a role that may create roles)"))?;
    }
    pool.close().await;
    println!(
        "{} the role {role} for host '{host}', with the password\n\n    {password}\n\n\
         (shown this once). On that host, run Boss with it, e.g.\n\n    \
         BOSS_DATABASE_URL='postgres://{role}:{password}@DBHOST/DB' boss serve --host-name '{host}'\n\n\
         It may use Boss's tables, write only its own row among the hosts, and see, claim and \
         answer only its own commands. Upgrades: run `boss db migrate` as the owner first.",
        if exists { "Reset" } else { "Created" }
    );
    Ok(())
}

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

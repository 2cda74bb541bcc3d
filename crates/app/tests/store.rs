//! The store, against a real SQLite file: schema, constraints, and every query.

use boss::auth::Role;
use boss::store::{SqlStore, Store};

async fn sqlite() -> (SqlStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::open(&SqlStore::sqlite_url(dir.path()))
        .await
        .unwrap();
    (store, dir)
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_and_migrations_are_idempotent() {
    let (store, dir) = sqlite().await;
    assert_eq!(store.sqlite_journal_mode().await.unwrap(), "wal");
    store
        .create_user("alice", "h", Role::Admin, false)
        .await
        .unwrap();
    store.close().await;
    // Re-opening runs the migrator again over the existing schema and keeps the data.
    let again = SqlStore::open(&SqlStore::sqlite_url(dir.path()))
        .await
        .unwrap();
    assert_eq!(again.count_users().await.unwrap(), 1);
}

#[tokio::test]
async fn a_bad_url_is_a_clear_error() {
    let err = SqlStore::open("mysql://x").await.err().unwrap().to_string();
    assert!(err.contains("unsupported database URL"), "{err}");
    let err = SqlStore::open("sqlite:///nonexistent/dir/boss.db?mode=rwc")
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("database"), "{err}");
}

//! The store, against a real SQLite file: schema, constraints, and every query.

use boss::auth::Role;
use boss::store::{AuditFilter, NewAuditEvent, NewSession, SqlStore, Store};

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

/// The same story runs against every backend (PostgreSQL joins it in its own test).
pub async fn story(store: &dyn Store) {
    // Users: the first-account guard lets exactly one through.
    assert_eq!(store.count_users().await.unwrap(), 0);
    let alice = store
        .create_user("alice", "hash-a", Role::Admin, true)
        .await
        .unwrap()
        .unwrap();
    assert!(
        store
            .create_user("mallory", "hash-m", Role::Admin, true)
            .await
            .unwrap()
            .is_none()
    );
    let bob = store
        .create_user("bob", "hash-b", Role::Viewer, false)
        .await
        .unwrap()
        .unwrap();
    let dup = store
        .create_user("bob", "x", Role::Viewer, false)
        .await
        .unwrap_err();
    assert!(dup.to_string().contains("taken"), "{dup}");
    assert_eq!(store.count_users().await.unwrap(), 2);
    assert_eq!(store.count_admins().await.unwrap(), 1);
    assert_eq!(store.user_by_name("alice").await.unwrap().unwrap(), alice);
    assert!(store.user_by_name("ALICE").await.unwrap().is_none());
    store.set_user_role(bob.id, Role::Operator).await.unwrap();
    store.set_user_password(bob.id, "hash-b2").await.unwrap();
    let bob = store.user_by_id(bob.id).await.unwrap().unwrap();
    assert_eq!(
        (bob.role, bob.password_hash.as_str()),
        (Role::Operator, "hash-b2")
    );
    assert_eq!(store.list_users().await.unwrap().len(), 2);

    // Sessions: found while live, gone when expired or revoked.
    let now = 1_000_000;
    for (id, user) in [("s1", alice.id), ("s2", alice.id), ("s3", bob.id)] {
        store
            .create_session(NewSession {
                id_hash: id.into(),
                user_id: user,
                created_at: now,
                expires_at: now + 1000,
                client: Some("127.0.0.1".into()),
            })
            .await
            .unwrap();
    }
    let (session, user) = store.session("s1", now).await.unwrap().unwrap();
    assert_eq!(
        (session.user_id, user.username.as_str()),
        (alice.id, "alice")
    );
    assert!(
        store.session("s1", now + 1000).await.unwrap().is_none(),
        "expired"
    );
    store
        .extend_session("s1", now + 500, now + 5000)
        .await
        .unwrap();
    assert!(
        store.session("s1", now + 2000).await.unwrap().is_some(),
        "extended"
    );
    assert_eq!(
        store
            .delete_user_sessions(alice.id, Some("s1"))
            .await
            .unwrap(),
        1
    );
    assert!(store.session("s2", now).await.unwrap().is_none());
    store.delete_session("s1").await.unwrap();
    assert!(store.session("s1", now).await.unwrap().is_none());
    assert_eq!(
        store.delete_expired_sessions(now + 10_000).await.unwrap(),
        1
    );

    // Tokens: found by hash, owned, deleted.
    let token = store
        .create_token(alice.id, "ci", "th1", now)
        .await
        .unwrap();
    let (used, owner) = store
        .use_token("th1", now + 100_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((used.id, owner.id), (token.id, alice.id));
    assert_eq!(
        store.list_tokens(alice.id).await.unwrap()[0].last_used_at,
        Some(now + 100_000)
    );
    assert!(store.use_token("nope", now).await.unwrap().is_none());
    assert!(
        !store.delete_token(bob.id, token.id).await.unwrap(),
        "not bob's"
    );
    assert!(store.delete_token(alice.id, token.id).await.unwrap());

    // Audit: filters, order, paging, JSON detail; survives the actor's deletion.
    for (i, action) in [
        "auth.login",
        "auth.login_failed",
        "auth.login",
        "user.delete",
    ]
    .iter()
    .enumerate()
    {
        store
            .append_audit(&NewAuditEvent {
                at: now + i as i64,
                actor_id: Some(bob.id),
                actor: Some("bob".into()),
                action: action.to_string(),
                target: Some("t".into()),
                outcome: if i == 1 {
                    "failure".into()
                } else {
                    "success".into()
                },
                detail: Some(serde_json::json!({ "i": i })),
                client: None,
            })
            .await
            .unwrap();
    }
    assert!(store.delete_user(bob.id).await.unwrap());
    let all = store
        .list_audit(&AuditFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(all[0].event.action, "user.delete");
    assert_eq!(all[3].event.detail, Some(serde_json::json!({ "i": 0 })));
    let logins = AuditFilter {
        action: Some("auth.login".into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(store.list_audit(&logins).await.unwrap().len(), 2);
    let window = AuditFilter {
        since: Some(now + 1),
        until: Some(now + 3),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(store.list_audit(&window).await.unwrap().len(), 2);
    let page = AuditFilter {
        before_id: Some(all[1].id),
        limit: 1,
        ..Default::default()
    };
    assert_eq!(store.list_audit(&page).await.unwrap()[0].id, all[2].id);
    let failures = AuditFilter {
        outcome: Some("failure".into()),
        actor: Some("bob".into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(store.list_audit(&failures).await.unwrap().len(), 1);

    // Settings: upsert JSON values.
    assert!(store.setting("registration_open").await.unwrap().is_none());
    store
        .set_setting("registration_open", &serde_json::json!(true), now)
        .await
        .unwrap();
    store
        .set_setting("registration_open", &serde_json::json!(false), now)
        .await
        .unwrap();
    assert_eq!(
        store.setting("registration_open").await.unwrap(),
        Some(serde_json::json!(false))
    );
}

#[tokio::test]
async fn sqlite_story() {
    let (store, _dir) = sqlite().await;
    story(&store).await;
}

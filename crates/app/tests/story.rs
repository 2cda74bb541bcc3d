//! One story, told to every backend: the store's queries, then the HTTP API end to end, on
//! SQLite and on a real PostgreSQL cluster that the test starts itself.

mod common;

use axum::http::StatusCode;
use serde_json::json;

use boss::auth::Role;
use boss::store::{
    AuditFilter, DeskSessionKind, LaunchEnd, LaunchFilter, LaunchOutcome, NewAuditEvent,
    NewDeskSession, NewLaunch, NewManagedApp, NewSession, SqlStore, Store, StoreError,
};
use common::postgres::TempPostgres;
use common::{PASSWORD, TestApp};

/// The same story runs against every backend (PostgreSQL joins it in its own test).
async fn store_story(store: &dyn Store) {
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

    // Tokens: found by hash, owned, deleted; a check is not a use.
    let token = store
        .create_token(alice.id, "ci", "th1", now, None)
        .await
        .unwrap();
    let (checked, _) = store.token("th1", now + 50_000).await.unwrap().unwrap();
    assert_eq!((checked.id, checked.last_used_at), (token.id, None));
    assert_eq!(
        store.list_tokens(alice.id).await.unwrap()[0].last_used_at,
        None
    );
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

    // Expiry: a token works until its `expires_at`, is listed afterwards, and is refused then.
    let expiring = store
        .create_token(alice.id, "for a day", "th2", now, Some(now + 1_000))
        .await
        .unwrap();
    assert_eq!(expiring.expires_at, Some(now + 1_000));
    assert!(store.use_token("th2", now + 999).await.unwrap().is_some());
    assert!(
        store.use_token("th2", now + 1_000).await.unwrap().is_none(),
        "an expired token is refused"
    );
    let listed = store.list_tokens(alice.id).await.unwrap();
    assert_eq!(listed.len(), 1, "expired tokens are still listed");
    assert_eq!(listed[0].expires_at, Some(now + 1_000));
    assert!(listed[0].is_expired(now + 1_000));

    // A password reset revokes all of a user's tokens at once, and only theirs.
    store
        .create_token(alice.id, "second", "th3", now, None)
        .await
        .unwrap();
    store
        .create_token(bob.id, "bob's", "th4", now, None)
        .await
        .unwrap();
    assert_eq!(store.delete_user_tokens(alice.id).await.unwrap(), 2);
    assert!(store.list_tokens(alice.id).await.unwrap().is_empty());
    assert_eq!(store.list_tokens(bob.id).await.unwrap().len(), 1);
    assert_eq!(store.delete_user_tokens(bob.id).await.unwrap(), 1);

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
                uid: format!("event-{i}"),
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
    // The same event again is stored once.
    let again = NewAuditEvent {
        uid: "event-0".into(),
        action: "duplicate".into(),
        ..Default::default()
    };
    store.append_audit(&again).await.unwrap();
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

    // Launches: recorded, ended once, filtered, totalled.
    let launch = |uid: &str, app: &str, user: &str, started_at: i64| NewLaunch {
        uid: uid.into(),
        user_id: Some(alice.id),
        username: user.into(),
        app_id: Some(format!("{app}.desktop")),
        app_name: app.into(),
        argv: vec![app.to_lowercase(), "--flag".into()],
        cwd: Some("/tmp".into()),
        log_file: None,
        started_at,
        pid: Some(4242),
        start_ticks: Some(99),
        outcome: LaunchOutcome::Running,
        error: None,
        managed_id: None,
        host: None,
    };
    store
        .record_launch(&launch("l1", "Editor", "alice", now))
        .await
        .unwrap();
    store
        .record_launch(&launch("l1", "Editor", "alice", now))
        .await
        .unwrap();
    store
        .record_launch(&launch("l2", "Editor", "alice", now + 10))
        .await
        .unwrap();
    store
        .record_launch(&launch("l3", "Terminal", "olga", now + 20))
        .await
        .unwrap();
    let end = |uid: &str, at: i64, code: i32| LaunchEnd {
        uid: uid.into(),
        ended_at: at,
        exit_code: Some(code),
        signal: None,
        outcome: if code == 0 {
            LaunchOutcome::Exited
        } else {
            LaunchOutcome::Failed
        },
    };
    store
        .record_launch_end(&end("l1", now + 1000, 0))
        .await
        .unwrap();
    store
        .record_launch_end(&end("l1", now + 9999, 1))
        .await
        .unwrap();
    let all = store
        .list_launches(&LaunchFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    let first = all.iter().find(|l| l.record.uid == "l1").unwrap();
    assert_eq!(
        (first.ended_at, first.exit_code),
        (Some(now + 1000), Some(0)),
        "the first end counts"
    );
    assert_eq!(first.record.outcome, LaunchOutcome::Exited);
    assert_eq!(first.record.argv, vec!["editor", "--flag"]);
    assert_eq!(store.launch(first.id).await.unwrap().unwrap(), *first);
    assert_eq!(store.running_launches().await.unwrap().len(), 2);
    let by_app = LaunchFilter {
        app: Some("Editor".into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(store.list_launches(&by_app).await.unwrap().len(), 2);
    let by_user = LaunchFilter {
        username: Some("olga".into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(
        store.list_launches(&by_user).await.unwrap()[0]
            .record
            .app_name,
        "Terminal"
    );
    let totals = store
        .launch_totals(&LaunchFilter::default(), now + 2020)
        .await
        .unwrap();
    assert_eq!(totals[0].app_name, "Editor");
    assert_eq!(
        (totals[0].launches, totals[0].total_run_ms),
        (2, 1000 + 2010)
    );
    assert_eq!(totals[1].total_run_ms, 2000);
    let counts = store.launch_counts().await.unwrap();
    let exited: i64 = counts
        .iter()
        .filter(|c| c.outcome == LaunchOutcome::Exited)
        .map(|c| c.launches)
        .sum();
    let all_counted: i64 = counts.iter().map(|c| c.launches).sum();
    assert_eq!((exited, all_counted), (1, 3), "launch counts: {counts:?}");

    // Managed apps: the desired state, with runs linked by `managed_id`.
    let policy = boss::managed::Policy::from_json(json!({"restart": "always"})).unwrap();
    let keeper = NewManagedApp {
        name: "sync".into(),
        desktop_id: None,
        argv: vec!["syncthing".into(), "--no-browser".into()],
        cwd: Some("/tmp".into()),
        env: vec![("A".into(), "b".into())],
        policy: policy.clone(),
        enabled: true,
        created_at: now,
    };
    let stored = store.create_managed(&keeper).await.unwrap();
    assert!(matches!(
        store.create_managed(&keeper).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.managed_app(stored.id).await.unwrap().unwrap(), stored);
    let mut changed = stored.clone();
    changed.app.policy.max_restarts = 3;
    changed.app.name = "sync2".into();
    changed.updated_at = now + 5;
    assert!(store.update_managed(&changed).await.unwrap());
    store
        .set_managed_enabled(stored.id, false, now + 6)
        .await
        .unwrap();
    let listed = store.managed_apps().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].app.policy.max_restarts, 3);
    assert_eq!(listed[0].app.name, "sync2");
    assert!(!listed[0].app.enabled);
    let mut run = launch("m1", "sync2", "boss", now);
    run.managed_id = Some(stored.id);
    store.record_launch(&run).await.unwrap();
    let run = store.launch_by_uid("m1").await.unwrap().unwrap();
    assert_eq!(run.record.managed_id, Some(stored.id));
    assert!(store.delete_managed(stored.id).await.unwrap());
    assert!(store.managed_app(stored.id).await.unwrap().is_none());

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

    desk_story(store, alice.id).await;
}

/// Saved desks (sessions): stored with their contents, listed newest first, renamed, deleted.
async fn desk_story(store: &dyn Store, by: i64) {
    let desk = |name: &str, kind, at| NewDeskSession {
        name: name.into(),
        kind,
        created_at: at,
        created_by_id: Some(by),
        created_by: "alice".into(),
        apps: 2,
        windows: 3,
        content: r#"{"apps":[]}"#.into(),
    };
    let work = store
        .create_desk_session(&desk("work", DeskSessionKind::Manual, 10))
        .await
        .unwrap();
    let undo = store
        .create_desk_session(&desk("Before close-all", DeskSessionKind::CloseAll, 20))
        .await
        .unwrap();
    let listed = store.list_desk_sessions().await.unwrap();
    assert_eq!(
        listed.iter().map(|d| d.id).collect::<Vec<_>>(),
        [undo, work]
    );
    assert_eq!(listed[0].kind, DeskSessionKind::CloseAll);
    assert_eq!((listed[1].apps, listed[1].windows), (2, 3));
    let (found, content) = store.desk_session(work).await.unwrap().unwrap();
    assert_eq!(
        (found.name.as_str(), found.created_by_id),
        ("work", Some(by))
    );
    assert_eq!(content, r#"{"apps":[]}"#);
    assert!(store.rename_desk_session(work, "evening").await.unwrap());
    assert_eq!(
        store.desk_session(work).await.unwrap().unwrap().0.name,
        "evening"
    );
    assert!(store.delete_desk_session(undo).await.unwrap());
    assert!(!store.delete_desk_session(undo).await.unwrap());
    assert!(!store.rename_desk_session(undo, "x").await.unwrap());
    assert!(store.desk_session(undo).await.unwrap().is_none());
}

/// The API end to end: accounts, tokens, settings, audit, and an action on a process.
async fn http_story(app: &TestApp) {
    let admin = app.register("alice").await;
    assert_eq!(
        app.login("alice", "wrong password").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.login("alice", PASSWORD).await.status, StatusCode::OK);
    app.create_user(&admin, "olga", "operator").await;
    let bearer = app.token(&admin, "script").await.bearer;
    assert_eq!(
        app.get("/api/v1/users", &bearer).await.body["users"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.change_settings(
        &admin,
        json!({"registration_open": true, "protected_processes": ["sshd"]}),
    )
    .await;
    assert_eq!(
        app.get("/api/v1/settings", &bearer).await.body["protected_processes"],
        json!(["sshd"])
    );

    let mut child = std::process::Command::new("sleep")
        .arg("330")
        .spawn()
        .unwrap();
    let reply = app
        .post(
            &format!("/api/v1/processes/{}/terminate", child.id()),
            &bearer,
            json!({"timeout_ms": 2000}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    child.wait().unwrap();

    let logout = app.post_empty("/api/v1/auth/logout", &admin).await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    assert_eq!(app.me_status(&admin).await, StatusCode::UNAUTHORIZED);

    let audit = app.get("/api/v1/audit?limit=100", &bearer).await;
    let actions: Vec<&str> = audit.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "auth.logout",
            "process.terminate",
            "settings.update",
            "token.create",
            "user.create",
            "auth.login",
            "auth.login_failed",
            "auth.register"
        ],
    );
}

#[tokio::test]
async fn sqlite_store_story() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::open(&SqlStore::sqlite_url(dir.path()))
        .await
        .unwrap();
    store_story(&store).await;
}

#[tokio::test]
async fn sqlite_http_story() {
    http_story(&TestApp::new().await).await;
}

#[tokio::test]
async fn postgres_store_story() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let store = SqlStore::open(&pg.create_database("store_story"))
        .await
        .unwrap();
    assert_eq!(store.backend(), "postgres");
    store_story(&store).await;
    store.close().await;
    // Migrations run again over an up-to-date schema without complaint.
    SqlStore::open(&pg.url("store_story"))
        .await
        .unwrap()
        .close()
        .await;
}

#[tokio::test]
async fn postgres_http_story() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let url = pg.create_database("http_story");
    let app = TestApp::with_config(|c| c.database_url = url).await;
    assert_eq!(app.state.store.backend(), "postgres");
    http_story(&app).await;
}

#[tokio::test]
async fn postgres_unreachable_or_refused_is_a_clear_start_up_error() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let missing = SqlStore::open(&pg.url("no_such_database"))
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(missing.contains("no_such_database"), "{missing}");
    pg.stop_server();
    let down = SqlStore::open(&pg.url("postgres"))
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(down.contains("database error"), "{down}");
}

/// Every audit row in the store (up to 100), newest first.
async fn stored_audit(app: &TestApp) -> Vec<boss::store::AuditEvent> {
    let all = AuditFilter {
        limit: 100,
        ..Default::default()
    };
    app.state.store.list_audit(&all).await.unwrap()
}

#[tokio::test]
async fn nothing_is_lost_while_postgres_is_down() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let url = pg.create_database("outage");
    let app = TestApp::with_config(|c| c.database_url = url).await;
    app.state.spawn_background_tasks();
    let session = app.register("alice").await;
    let bearer = app.token(&session, "script").await.bearer;
    assert_eq!(app.me_status(&bearer).await, StatusCode::OK);

    pg.stop_server();
    let mut pids = Vec::new();
    for (i, auth) in [&session, &bearer, &session].into_iter().enumerate() {
        let mut child = std::process::Command::new("sleep")
            .arg(format!("34{i}"))
            .spawn()
            .unwrap();
        let reply = app
            .post(
                &format!("/api/v1/processes/{}/terminate", child.id()),
                auth,
                json!({"timeout_ms": 2000}),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "acting during the outage: {:?}",
            reply.body
        );
        assert_eq!(reply.body["outcome"], "terminated");
        child.wait().unwrap();
        pids.push(child.id());
    }
    assert!(
        app.state.spool.is_pending(),
        "the records wait in the spool"
    );
    let login = app.login("alice", PASSWORD).await;
    assert_eq!(
        login.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{:?}",
        login.body
    );
    assert_eq!(login.code(), "unavailable");

    pg.start_server();
    let drained = || !app.state.spool.is_pending();
    let what = "the spool drains once the database is back";
    common::wait_until(what, std::time::Duration::from_secs(20), drained).await;
    let events = app.audit(&bearer, "process.terminate").await;
    let targets: Vec<String> = events
        .iter()
        .rev()
        .map(|e| e["target"].as_str().unwrap().to_string())
        .collect();
    let expected: Vec<String> = pids
        .iter()
        .map(|pid| format!("pid {pid} (sleep)"))
        .collect();
    assert_eq!(targets, expected, "every record, in order, exactly once");

    // A replay of records already written (a crash between writing and truncating) adds nothing.
    let stored = stored_audit(&app).await;
    for row in stored.iter().rev() {
        app.state
            .spool
            .append(&boss::spool::SpooledRecord::Audit(row.event.clone()))
            .await
            .unwrap();
    }
    app.state
        .spool
        .drain(app.state.store.as_ref())
        .await
        .unwrap();
    let again = stored_audit(&app).await;
    assert_eq!(again.len(), stored.len());
}

#[tokio::test]
async fn nothing_is_lost_while_sqlite_is_locked() {
    use sqlx::Connection;
    let app = TestApp::new().await;
    app.state.spawn_background_tasks();
    let session = app.register("alice").await;
    // Another program holds the write lock for longer than the busy timeout.
    let file = app.dir.path().join("boss.db");
    let mut other = sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut other)
        .await
        .unwrap();
    let mut child = std::process::Command::new("sleep")
        .arg("350")
        .spawn()
        .unwrap();
    let reply = app
        .post(
            &format!("/api/v1/processes/{}/signal", child.id()),
            &session,
            json!({"signal": "KILL"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    child.wait().unwrap();
    assert!(app.state.spool.is_pending());
    sqlx::query("COMMIT").execute(&mut other).await.unwrap();
    other.close().await.unwrap();
    let drained = || !app.state.spool.is_pending();
    let what = "the spool drains once the lock is gone";
    common::wait_until(what, std::time::Duration::from_secs(20), drained).await;
    let events = app.audit(&session, "process.signal").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["target"], format!("pid {} (sleep)", child.id()));
}

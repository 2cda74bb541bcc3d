//! The accounts API end to end over the real router and a real SQLite file.

mod common;

use axum::http::{Method, StatusCode, header};
use serde_json::json;

use common::{Auth, PASSWORD, TestApp};

#[tokio::test]
async fn the_first_account_is_admin_and_registration_then_closes() {
    let app = TestApp::new().await;
    let health = app.get("/api/v1/health", &Auth::None).await;
    assert_eq!(health.body["setup_required"], true);
    assert_eq!(health.body["registration_open"], true);

    let admin = app.register("alice").await;
    let me = app.get("/api/v1/auth/me", &admin).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["user"]["role"], "admin");
    assert_eq!(me.body["auth"], "session");

    let second = app
        .post(
            "/api/v1/auth/register",
            &Auth::None,
            json!({"username": "bob", "password": PASSWORD}),
        )
        .await;
    assert_eq!(second.status, StatusCode::FORBIDDEN);
    assert_eq!(second.code(), "registration_closed");
    assert_eq!(
        app.get("/api/v1/health", &Auth::None).await.body["registration_open"],
        false
    );

    // An admin opens registration: newcomers become viewers.
    let patch = app
        .call(
            Method::PATCH,
            "/api/v1/settings",
            &admin,
            Some(json!({"registration_open": true})),
        )
        .await;
    assert_eq!(patch.status, StatusCode::OK, "{:?}", patch.body);
    let bob = app.register("bob").await;
    assert_eq!(
        app.get("/api/v1/auth/me", &bob).await.body["user"]["role"],
        "viewer"
    );

    let events = app.audit(&admin, "auth.register").await;
    let outcomes: Vec<_> = events
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["success", "denied", "success"]);
    assert_eq!(app.audit(&admin, "settings.update").await.len(), 1);
}

#[tokio::test]
async fn registration_rejects_bad_names_passwords_and_duplicates() {
    let app = TestApp::new().await;
    let bad_name = app
        .post(
            "/api/v1/auth/register",
            &Auth::None,
            json!({"username": "a b", "password": PASSWORD}),
        )
        .await;
    assert_eq!(bad_name.status, StatusCode::UNPROCESSABLE_ENTITY);
    let short = app
        .post(
            "/api/v1/auth/register",
            &Auth::None,
            json!({"username": "ab", "password": "short"}),
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        short.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at least 8")
    );
    let admin = app.register("alice").await;
    app.call(
        Method::PATCH,
        "/api/v1/settings",
        &admin,
        Some(json!({"registration_open": true})),
    )
    .await;
    let taken = app
        .post(
            "/api/v1/auth/register",
            &Auth::None,
            json!({"username": "alice", "password": PASSWORD}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn login_with_right_and_wrong_passwords() {
    let app = TestApp::new().await;
    let admin = app.register("alice").await;
    let ok = app.login("alice", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.body["user"]["username"], "alice");
    let cookie = ok
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain-HTTP default must not set Secure: {cookie}"
    );

    let wrong = app.login("alice", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.code(), "invalid_credentials");
    assert!(wrong.session_cookie().is_none());
    let unknown = app.login("nobody", PASSWORD).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown.body, wrong.body,
        "unknown users and wrong passwords look alike"
    );

    let failed = app.audit(&admin, "auth.login_failed").await;
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0]["actor"], "nobody");
    assert_eq!(failed[0]["client"], "127.0.0.1");
    assert_eq!(app.audit(&admin, "auth.login").await.len(), 1);
}

#[tokio::test]
async fn repeated_failures_for_one_account_get_429() {
    let app = TestApp::new().await;
    let admin = app.register("alice").await;
    for _ in 0..5 {
        assert_eq!(
            app.login("alice", "wrong password").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = app.login("alice", PASSWORD).await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert_eq!(limited.code(), "rate_limited");
    let retry: u64 = limited.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0);
    // From another address the account is still locked.
    let elsewhere = app.seen_from("10.1.2.3");
    assert_eq!(
        elsewhere.login("alice", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let denied = app.audit(&admin, "auth.login_failed").await;
    assert_eq!(denied[0]["outcome"], "denied");
}

#[tokio::test]
async fn repeated_failures_from_one_address_get_429() {
    let app = TestApp::new().await;
    app.register("alice").await;
    let attacker = app.seen_from("192.0.2.7");
    for i in 0..20 {
        let reply = attacker.login(&format!("user{i}"), "guess").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        attacker.login("alice", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Someone else, from another address, still gets in.
    assert_eq!(app.login("alice", PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn logout_revokes_the_session_on_the_server() {
    let app = TestApp::new().await;
    let session = app.register("alice").await;
    let out = app
        .call(Method::POST, "/api/v1/auth/logout", &session, None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let cleared = out
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cleared.starts_with("boss_session=;"), "{cleared}");
    // The old cookie, replayed, is refused.
    let replay = app.get("/api/v1/auth/me", &session).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert_eq!(replay.code(), "unauthorized");
    let garbage = app
        .get("/api/v1/auth/me", &Auth::Cookie("forged".into()))
        .await;
    assert_eq!(garbage.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions() {
    let app = TestApp::new().await;
    let here = app.register("alice").await;
    let there = Auth::Cookie(app.login("alice", PASSWORD).await.session_cookie().unwrap());
    let wrong = app
        .post(
            "/api/v1/auth/password",
            &here,
            json!({"current_password": "nope", "new_password": "a new password"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(wrong.code(), "wrong_password");
    let ok = app
        .post(
            "/api/v1/auth/password",
            &here,
            json!({"current_password": PASSWORD, "new_password": "a new password"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/auth/me", &here).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/auth/me", &there).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("alice", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("alice", "a new password").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn api_tokens_authenticate_until_deleted() {
    let app = TestApp::new().await;
    let session = app.register("alice").await;
    let created = app
        .post("/api/v1/tokens", &session, json!({"name": "backup script"}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let secret = created.body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("boss_"));
    let id = created.body["token"]["id"].as_i64().unwrap();
    let bearer = Auth::Bearer(secret.clone());

    let me = app.get("/api/v1/auth/me", &bearer).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["auth"], "token");
    let list = app.get("/api/v1/tokens", &bearer).await;
    let tokens = list.body["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 1);
    assert!(tokens[0]["last_used_at"].is_string(), "use is recorded");
    assert!(
        tokens[0].get("secret").is_none(),
        "the secret is never listed"
    );

    let bad = app
        .get("/api/v1/auth/me", &Auth::Bearer("boss_nope".into()))
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);

    let deleted = app
        .call(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            &session,
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/auth/me", &bearer).await.status,
        StatusCode::UNAUTHORIZED
    );
    let again = app
        .call(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            &session,
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let empty_name = app
        .post("/api/v1/tokens", &session, json!({"name": "  "}))
        .await;
    assert_eq!(empty_name.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn roles_are_enforced() {
    let app = TestApp::new().await;
    let (admin, viewer) = app.admin_and("vic", "viewer").await;
    for (method, path, body) in [
        (Method::GET, "/api/v1/users", None),
        (
            Method::POST,
            "/api/v1/users",
            Some(json!({"username": "x", "password": PASSWORD, "role": "admin"})),
        ),
        (
            Method::PATCH,
            "/api/v1/users/1",
            Some(json!({"role": "viewer"})),
        ),
        (Method::DELETE, "/api/v1/users/1", None),
        (
            Method::PATCH,
            "/api/v1/settings",
            Some(json!({"registration_open": true})),
        ),
        (Method::GET, "/api/v1/audit", None),
    ] {
        let reply = app.call(method.clone(), path, &viewer, body).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {:?}",
            reply.body
        );
        assert!(
            reply.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("viewer")
        );
    }
    // Viewers still read what is theirs to read.
    assert_eq!(
        app.get("/api/v1/settings", &viewer).await.status,
        StatusCode::OK
    );
    // The refusals are in the audit log.
    let denied = app.audit(&admin, "user.delete").await;
    assert_eq!(denied[0]["outcome"], "denied");
    assert_eq!(denied[0]["actor"], "vic");
}

#[tokio::test]
async fn admins_manage_users_but_keep_one_admin() {
    let app = TestApp::new().await;
    let (admin, operator) = app.admin_and("olga", "operator").await;
    let users = app.get("/api/v1/users", &admin).await;
    let list = users.body["users"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|u| u.get("password_hash").is_none()));
    let olga = list.iter().find(|u| u["username"] == "olga").unwrap()["id"]
        .as_i64()
        .unwrap();
    let admin_id = list.iter().find(|u| u["username"] == "admin").unwrap()["id"]
        .as_i64()
        .unwrap();

    let demote_last = app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{admin_id}"),
            &admin,
            Some(json!({"role": "viewer"})),
        )
        .await;
    assert_eq!(demote_last.status, StatusCode::CONFLICT);
    let delete_self = app
        .call(
            Method::DELETE,
            &format!("/api/v1/users/{admin_id}"),
            &admin,
            None,
        )
        .await;
    assert_eq!(delete_self.status, StatusCode::CONFLICT);

    let reset = app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{olga}"),
            &admin,
            Some(json!({"role": "viewer", "password": "reset by admin"})),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{:?}", reset.body);
    assert_eq!(reset.body["role"], "viewer");
    assert_eq!(
        app.get("/api/v1/auth/me", &operator).await.status,
        StatusCode::UNAUTHORIZED,
        "a password reset ends the account's sessions"
    );
    assert_eq!(
        app.login("olga", "reset by admin").await.status,
        StatusCode::OK
    );

    let gone = app
        .call(
            Method::DELETE,
            &format!("/api/v1/users/{olga}"),
            &admin,
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.login("olga", "reset by admin").await.status,
        StatusCode::UNAUTHORIZED
    );
    let missing = app
        .call(Method::DELETE, "/api/v1/users/999", &admin, None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let bad_role = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "x", "password": PASSWORD, "role": "root"}),
        )
        .await;
    assert_eq!(bad_role.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The deleted user's history stays.
    assert!(!app.audit(&admin, "auth.login").await.is_empty());
}

#[tokio::test]
async fn the_audit_log_filters_and_pages() {
    let app = TestApp::new().await;
    let admin = app.register("alice").await;
    for _ in 0..4 {
        app.login("alice", "wrong password").await;
    }
    let page1 = app
        .get("/api/v1/audit?action=auth.login_failed&limit=3", &admin)
        .await;
    assert_eq!(page1.body["events"].as_array().unwrap().len(), 3);
    let cursor = page1.body["next_cursor"].as_str().unwrap().to_string();
    let page2 = app
        .get(
            &format!("/api/v1/audit?action=auth.login_failed&limit=3&cursor={cursor}"),
            &admin,
        )
        .await;
    assert_eq!(page2.body["events"].as_array().unwrap().len(), 1);
    assert!(page2.body["next_cursor"].is_null());
    let ids: Vec<i64> = page1.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .chain(page2.body["events"].as_array().unwrap())
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "newest first, no overlap: {ids:?}"
    );

    let by_outcome = app.get("/api/v1/audit?outcome=success", &admin).await;
    assert!(
        by_outcome.body["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["outcome"] == "success")
    );
    let future = app
        .get("/api/v1/audit?since=2999-01-01T00:00:00Z", &admin)
        .await;
    assert!(future.body["events"].as_array().unwrap().is_empty());
    for bad in [
        "since=yesterday",
        "limit=0",
        "limit=5000",
        "outcome=maybe",
        "cursor=abc",
    ] {
        let reply = app.get(&format!("/api/v1/audit?{bad}"), &admin).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let not_a_number = app.get("/api/v1/audit?limit=ten", &admin).await;
    assert_eq!(not_a_number.status, StatusCode::BAD_REQUEST);
    assert_eq!(not_a_number.code(), "bad_request");
}

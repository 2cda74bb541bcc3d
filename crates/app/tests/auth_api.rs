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
    app.change_settings(&admin, json!({"registration_open": true}))
        .await;
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
    app.patch(
        "/api/v1/settings",
        &admin,
        json!({"registration_open": true}),
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
    let out = app.post_empty("/api/v1/auth/logout", &session).await;
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
    let wrong = app.change_password(&here, "nope", "a new password").await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(wrong.code(), "wrong_password");
    let ok = app.change_password(&here, PASSWORD, "a new password").await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert_eq!(
        ok.body,
        json!({"other_sessions_revoked": 1, "tokens_revoked": 0})
    );
    assert_eq!(app.me_status(&here).await, StatusCode::OK);
    assert_eq!(app.me_status(&there).await, StatusCode::UNAUTHORIZED);
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
        .post(
            "/api/v1/tokens",
            &session,
            json!({"name": "backup script", "password": PASSWORD}),
        )
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

    let deleted = app.delete(&format!("/api/v1/tokens/{id}"), &session).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(app.me_status(&bearer).await, StatusCode::UNAUTHORIZED);
    let again = app.delete(&format!("/api/v1/tokens/{id}"), &session).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let empty_name = app
        .post(
            "/api/v1/tokens",
            &session,
            json!({"name": "  ", "password": PASSWORD}),
        )
        .await;
    assert_eq!(empty_name.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The id of an account, looked up by an admin.
async fn user_id(app: &TestApp, admin: &Auth, username: &str) -> i64 {
    let users = app.get("/api/v1/users", admin).await.body["users"].clone();
    users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .and_then(|u| u["id"].as_i64())
        .unwrap_or_else(|| panic!("no account '{username}' in {users}"))
}

/// Creates a token with the right password and returns its secret as bearer auth and its id.
async fn new_token(app: &TestApp, session: &Auth, body: serde_json::Value) -> (Auth, i64) {
    let mut body = body;
    body["password"] = json!(PASSWORD);
    let created = app.post("/api/v1/tokens", session, body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let secret = created.body["secret"].as_str().unwrap().to_string();
    (
        Auth::Bearer(secret),
        created.body["token"]["id"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn a_stolen_session_cannot_mint_a_token_without_the_password() {
    let app = TestApp::new().await;
    let session = app.register("alice").await;
    let missing = app
        .post("/api/v1/tokens", &session, json!({"name": "loot"}))
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = app
        .post(
            "/api/v1/tokens",
            &session,
            json!({"name": "loot", "password": "guessed wrong"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(wrong.code(), "wrong_password");
    assert!(
        app.get("/api/v1/tokens", &session).await.body["tokens"]
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing was created"
    );
    let rows = app.audit(&session, "token.create").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["outcome"], "failure");

    let (bearer, _) = new_token(&app, &session, json!({"name": "backup"})).await;
    assert_eq!(app.me_status(&bearer).await, StatusCode::OK);
    assert_eq!(
        app.audit(&session, "token.create").await[0]["outcome"],
        "success"
    );
}

#[tokio::test]
async fn wrong_step_up_passwords_are_throttled_like_logins() {
    let app = TestApp::new().await;
    let session = app.register("alice").await;
    for _ in 0..5 {
        let wrong = app
            .post(
                "/api/v1/tokens",
                &session,
                json!({"name": "x", "password": "guessed wrong"}),
            )
            .await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    }
    let throttled = app
        .post(
            "/api/v1/tokens",
            &session,
            json!({"name": "x", "password": PASSWORD}),
        )
        .await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    let guessing = app
        .change_password(&session, PASSWORD, "a new password")
        .await;
    assert_eq!(guessing.status, StatusCode::TOO_MANY_REQUESTS);
    let denied = app.audit(&session, "token.create").await;
    assert_eq!(denied[0]["outcome"], "denied");
}

#[tokio::test]
async fn an_api_token_can_neither_mint_tokens_nor_change_the_password() {
    let app = TestApp::new().await;
    let session = app.register("alice").await;
    let (bearer, _) = new_token(&app, &session, json!({"name": "script"})).await;
    let mint = app
        .post(
            "/api/v1/tokens",
            &bearer,
            json!({"name": "another", "password": PASSWORD}),
        )
        .await;
    assert_eq!(mint.status, StatusCode::FORBIDDEN);
    assert_eq!(mint.code(), "session_required");
    let change = app
        .change_password(&bearer, PASSWORD, "a new password")
        .await;
    assert_eq!(change.status, StatusCode::FORBIDDEN);
    assert_eq!(change.code(), "session_required");
    assert_eq!(
        app.login("alice", PASSWORD).await.status,
        StatusCode::OK,
        "the password is unchanged"
    );
    assert_eq!(
        app.audit(&session, "token.create").await[0]["outcome"],
        "denied"
    );
    assert_eq!(
        app.audit(&session, "auth.password_change").await[0]["outcome"],
        "denied"
    );
}

#[tokio::test]
async fn an_expired_token_is_refused_and_listed_as_expired() {
    let app = TestApp::new().await;
    let session = app.register("alice").await;
    for days in [json!(0), json!(3651), json!(-1)] {
        let bad = app
            .post(
                "/api/v1/tokens",
                &session,
                json!({"name": "x", "password": PASSWORD, "expires_in_days": days}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{days}");
    }
    let (forever, _) = new_token(
        &app,
        &session,
        json!({"name": "forever", "expires_in_days": null}),
    )
    .await;
    let (monthly, id) = new_token(
        &app,
        &session,
        json!({"name": "monthly", "expires_in_days": 30}),
    )
    .await;
    let listed = app.get("/api/v1/tokens", &session).await.body["tokens"].clone();
    assert_eq!(listed[0]["expires_at"], serde_json::Value::Null);
    assert_eq!(listed[0]["expired"], false);
    let expires_at = listed[1]["expires_at"].as_str().unwrap();
    let days = (boss::clock::parse_rfc3339(expires_at).unwrap() - boss::clock::now_ms())
        / (24 * 3600 * 1000);
    assert!((29..=30).contains(&days), "{expires_at}");
    assert_eq!(listed[1]["expired"], false);
    assert_eq!(app.me_status(&monthly).await, StatusCode::OK);

    // Thirty days later (moved back in the database itself).
    let db = sqlx::SqlitePool::connect(&app.state.config.database_url)
        .await
        .unwrap();
    sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE id = $2")
        .bind(boss::clock::now_ms() - 1)
        .bind(id)
        .execute(&db)
        .await
        .unwrap();
    let refused = app.get("/api/v1/auth/me", &monthly).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
    let listed = app.get("/api/v1/tokens", &session).await.body["tokens"].clone();
    assert_eq!(listed[1]["expired"], true, "{listed}");
    assert_eq!(app.me_status(&forever).await, StatusCode::OK);
}

#[tokio::test]
async fn a_password_change_revokes_the_tokens_only_when_asked() {
    let app = TestApp::new().await;
    let session = app.register("alice").await;
    let (kept, _) = new_token(&app, &session, json!({"name": "kept"})).await;
    let changed = app
        .change_password(&session, PASSWORD, "second password")
        .await;
    assert_eq!(changed.body["tokens_revoked"], 0, "{:?}", changed.body);
    assert_eq!(app.me_status(&kept).await, StatusCode::OK);

    let (other, _) = new_token_with(&app, &session, "second password").await;
    let changed = app
        .post(
            "/api/v1/auth/password",
            &session,
            json!({
                "current_password": "second password",
                "new_password": "third password",
                "revoke_tokens": true,
            }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    assert_eq!(changed.body["tokens_revoked"], 2);
    for token in [&kept, &other] {
        assert_eq!(
            app.get("/api/v1/auth/me", token).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.me_status(&session).await,
        StatusCode::OK,
        "the session that changed it stays"
    );
    let row = &app.audit(&session, "auth.password_change").await[0];
    assert_eq!(row["detail"]["tokens_revoked"], 2, "{row}");
}

/// A token made with a password other than the default one.
async fn new_token_with(app: &TestApp, session: &Auth, password: &str) -> (Auth, i64) {
    let created = app
        .post(
            "/api/v1/tokens",
            session,
            json!({"name": "other", "password": password}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    (
        Auth::Bearer(created.body["secret"].as_str().unwrap().to_string()),
        created.body["token"]["id"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn an_admin_password_reset_revokes_the_users_tokens() {
    let app = TestApp::new().await;
    let (admin, olga) = app.admin_and("olga", "operator").await;
    let (olgas_token, _) = new_token(&app, &olga, json!({"name": "olga's"})).await;
    let (admins_token, _) = new_token(&app, &admin, json!({"name": "admin's"})).await;
    let id = user_id(&app, &admin, "olga").await;
    let role_only = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &admin,
            json!({"role": "viewer"}),
        )
        .await;
    assert_eq!(role_only.status, StatusCode::OK);
    assert_eq!(
        app.me_status(&olgas_token).await,
        StatusCode::OK,
        "a role change alone keeps the tokens"
    );
    let reset = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &admin,
            json!({"password": "reset by admin"}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{:?}", reset.body);
    assert_eq!(app.me_status(&olgas_token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.me_status(&admins_token).await,
        StatusCode::OK,
        "other accounts' tokens stay"
    );
    let row = &app.audit(&admin, "user.update").await[0];
    assert_eq!(row["detail"]["tokens_revoked"], 1, "{row}");
}

#[tokio::test]
async fn admins_list_and_revoke_any_users_tokens_and_others_may_not() {
    let app = TestApp::new().await;
    let (admin, vic) = app.admin_and("vic", "viewer").await;
    let (vics_token, token_id) =
        new_token(&app, &vic, json!({"name": "vic's", "expires_in_days": 90})).await;
    let vic_id = user_id(&app, &admin, "vic").await;
    let admin_id = user_id(&app, &admin, "admin").await;

    // A non-admin may neither look nor revoke; each refusal is audited.
    let look = app
        .get(&format!("/api/v1/users/{admin_id}/tokens"), &vic)
        .await;
    assert_eq!(look.status, StatusCode::FORBIDDEN);
    let revoke = app
        .delete(&format!("/api/v1/users/{vic_id}/tokens/{token_id}"), &vic)
        .await;
    assert_eq!(revoke.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.audit(&admin, "token.list").await[0]["outcome"],
        "denied"
    );
    assert_eq!(
        app.audit(&admin, "token.delete").await[0]["outcome"],
        "denied"
    );

    let listed = app
        .get(&format!("/api/v1/users/{vic_id}/tokens"), &admin)
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    let tokens = listed.body["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["name"], "vic's");
    assert!(tokens[0]["expires_at"].is_string());
    assert!(tokens[0].get("secret").is_none());
    assert_eq!(
        app.get("/api/v1/users/999999/tokens", &admin).await.status,
        StatusCode::NOT_FOUND
    );
    // The token id must belong to that user.
    let wrong_owner = app
        .delete(
            &format!("/api/v1/users/{admin_id}/tokens/{token_id}"),
            &admin,
        )
        .await;
    assert_eq!(wrong_owner.status, StatusCode::NOT_FOUND);
    assert_eq!(app.me_status(&vics_token).await, StatusCode::OK);

    let revoked = app
        .delete(&format!("/api/v1/users/{vic_id}/tokens/{token_id}"), &admin)
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(app.me_status(&vics_token).await, StatusCode::UNAUTHORIZED);
    let row = &app.audit(&admin, "token.delete").await[0];
    assert_eq!(row["outcome"], "success");
    assert_eq!(row["detail"]["owner"], "vic", "{row}");
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
        .patch(
            &format!("/api/v1/users/{admin_id}"),
            &admin,
            json!({"role": "viewer"}),
        )
        .await;
    assert_eq!(demote_last.status, StatusCode::CONFLICT);
    let delete_self = app
        .delete(&format!("/api/v1/users/{admin_id}"), &admin)
        .await;
    assert_eq!(delete_self.status, StatusCode::CONFLICT);

    let reset = app
        .patch(
            &format!("/api/v1/users/{olga}"),
            &admin,
            json!({"role": "viewer", "password": "reset by admin"}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{:?}", reset.body);
    assert_eq!(reset.body["role"], "viewer");
    assert_eq!(
        app.me_status(&operator).await,
        StatusCode::UNAUTHORIZED,
        "a password reset ends the account's sessions"
    );
    assert_eq!(
        app.login("olga", "reset by admin").await.status,
        StatusCode::OK
    );

    let gone = app.delete(&format!("/api/v1/users/{olga}"), &admin).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.login("olga", "reset by admin").await.status,
        StatusCode::UNAUTHORIZED
    );
    let missing = app.delete("/api/v1/users/999", &admin).await;
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

//! The host routes on SQLite, where Boss is a fleet of one: the list holds this host, its
//! machine routes answer under `/api/v1/hosts/{this host}/...` exactly as unprefixed (the
//! caller's own role and the audit apply), other hosts do not exist, and what is not a machine
//! route is not relayed.

mod common;

use axum::http::{Method, StatusCode};
use serde_json::json;

use common::{Auth, TestApp};

/// The name of the host the app runs on (the one host of its list).
async fn this_host(app: &TestApp, auth: &Auth) -> String {
    let hosts = app.get("/api/v1/hosts", auth).await.body;
    hosts["hosts"][0]["name"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn on_sqlite_the_host_list_is_this_host_alone_with_its_summary() {
    let app = TestApp::new().await;
    let admin = app.register("admin").await;
    let reply = app.get("/api/v1/hosts", &admin).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["fleet"], false);
    let hosts = reply.body["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 1);
    assert_eq!(hosts[0]["this_host"], true);
    assert_eq!(hosts[0]["online"], true);
    assert!(hosts[0]["summary"]["processes"].as_u64().unwrap() > 0);
    assert!(hosts[0]["capabilities"]["windows"]["backend"].is_string());
}

#[tokio::test]
async fn this_hosts_routes_answer_under_its_name_as_they_do_unprefixed() {
    let app = TestApp::new().await;
    let (admin, viewer) = app.admin_and("vera", "viewer").await;
    let name = this_host(&app, &admin).await;

    let list = app
        .get(
            &format!("/api/v1/hosts/{name}/processes?fresh=true"),
            &viewer,
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    let me = std::process::id();
    assert!(
        list.body["processes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["pid"] == me),
        "the list is this machine's"
    );

    // The relayed request runs as the caller: a viewer may not act, and that is audited.
    let refused = app
        .post(
            &format!("/api/v1/hosts/{name}/processes/{me}/signal"),
            &viewer,
            json!({"signal": "CONT"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", refused.body);
    assert_eq!(refused.code(), "forbidden");
    let rows = app.audit(&admin, "process.signal").await;
    assert_eq!(rows[0]["actor"], "vera");
    assert_eq!(rows[0]["outcome"], "denied");
    assert_eq!(rows[0]["detail"]["via"], name.as_str());

    // Validation is the route's own.
    let invalid = app
        .post(
            &format!("/api/v1/hosts/{name}/processes/{me}/signal"),
            &admin,
            json!({"signal": "NOPE"}),
        )
        .await;
    assert_eq!(
        invalid.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        invalid.body
    );
}

#[tokio::test]
async fn another_host_on_sqlite_is_not_found_and_accounts_are_not_relayed() {
    let app = TestApp::new().await;
    let admin = app.register("admin").await;
    let name = this_host(&app, &admin).await;

    let elsewhere = app.get("/api/v1/hosts/elsewhere/processes", &admin).await;
    assert_eq!(
        elsewhere.status,
        StatusCode::NOT_FOUND,
        "{:?}",
        elsewhere.body
    );
    assert!(
        elsewhere.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("SQLite")
    );

    for path in ["auth/me", "users", "hosts", "processes/events"] {
        let reply = app
            .call(
                Method::GET,
                &format!("/api/v1/hosts/{name}/{path}"),
                &admin,
                None,
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{path}: {:?}",
            reply.body
        );
        assert_eq!(reply.code(), "not_relayable", "{path}");
    }

    let unauthenticated = app
        .get(&format!("/api/v1/hosts/{name}/processes"), &Auth::None)
        .await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_role_limited_to_other_hosts_may_not_use_this_one_directly_or_relayed() {
    let app = TestApp::new().await;
    let (admin, operator) = app.admin_and("otto", "operator").await;
    let name = this_host(&app, &admin).await;

    let admins = app
        .patch(
            "/api/v1/settings",
            &admin,
            json!({"role_hosts": {"admin": ["elsewhere"]}}),
        )
        .await;
    assert_eq!(
        admins.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        admins.body
    );

    let limited = json!({"role_hosts": {"operator": ["elsewhere"]}});
    let limited = app.change_settings(&admin, limited).await;
    assert_eq!(limited["role_hosts"]["operator"], json!(["elsewhere"]));

    for path in [
        "/api/v1/processes".to_string(),
        format!("/api/v1/hosts/{name}/processes"),
    ] {
        let reply = app.get(&path, &operator).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{path}: {:?}",
            reply.body
        );
        assert_eq!(reply.code(), "host_not_allowed", "{path}");
    }
    let me = std::process::id();
    let act = app
        .post(
            &format!("/api/v1/hosts/{name}/processes/{me}/signal"),
            &operator,
            json!({"signal": "CONT"}),
        )
        .await;
    assert_eq!(act.code(), "host_not_allowed", "{:?}", act.body);
    assert_eq!(
        app.audit(&admin, "process.signal").await[0]["outcome"],
        "denied"
    );
    // Their account is theirs everywhere; admins are never limited.
    assert_eq!(app.me_status(&operator).await, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/processes", &admin).await.status,
        StatusCode::OK
    );

    app.change_settings(&admin, json!({"role_hosts": {"operator": [name.clone()]}}))
        .await;
    assert_eq!(
        app.get("/api/v1/processes", &operator).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_hosts_event_stream_is_followed_by_reading_its_lists() {
    let app = TestApp::new().await;
    let admin = app.register("admin").await;
    let name = this_host(&app, &admin).await;
    let mut stream = app
        .events(
            &format!("/api/v1/hosts/{name}/events?topics=processes"),
            &admin,
        )
        .await;
    stream.read_until("event: system").await;
    stream.read_until("event: processes").await;
}

#[tokio::test]
async fn a_followed_hosts_unchanged_window_list_is_sent_once() {
    let app = TestApp::new().await;
    let admin = app.register("admin").await;
    let name = this_host(&app, &admin).await;
    let mut stream = app
        .events(
            &format!("/api/v1/hosts/{name}/events?topics=windows"),
            &admin,
        )
        .await;
    stream.read_until("event: windows").await;
    // Two more reads of the list (every 2 s); without a display it stays the same.
    stream
        .read_for(std::time::Duration::from_millis(4500))
        .await;
    assert_eq!(
        stream.text.matches("event: windows").count(),
        1,
        "{}",
        stream.text
    );
}

#[tokio::test]
async fn following_the_events_of_an_unknown_host_is_refused_at_once() {
    let app = TestApp::new().await;
    let admin = app.register("admin").await;
    let reply = app.get("/api/v1/hosts/nowhere/events", &admin).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{:?}", reply.body);
}

#[tokio::test]
async fn on_sqlite_this_host_cannot_be_removed_and_others_are_not_found() {
    let app = TestApp::new().await;
    let (admin, operator) = app.admin_and("otto", "operator").await;
    let name = this_host(&app, &admin).await;

    let refused = app
        .call(
            Method::DELETE,
            &format!("/api/v1/hosts/{name}"),
            &admin,
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", refused.body);
    assert_eq!(refused.code(), "host_online");
    let rows = app.audit(&admin, "host.remove").await;
    assert_eq!(rows[0]["outcome"], "denied", "{}", rows[0]);

    let elsewhere = app
        .call(Method::DELETE, "/api/v1/hosts/elsewhere", &admin, None)
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);

    let forbidden = app
        .call(
            Method::DELETE,
            &format!("/api/v1/hosts/{name}"),
            &operator,
            None,
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    assert_eq!(forbidden.code(), "forbidden");
}

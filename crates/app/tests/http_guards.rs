//! The guards around every route: authentication everywhere it is due, cross-site and
//! foreign-host refusal, the JSON error format for bad input, security headers, the UI.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;

use common::{Auth, PASSWORD, Reply, TestApp};

/// Every operation in the OpenAPI document (which is generated from the router itself).
fn documented_routes() -> Vec<(Method, String)> {
    let doc = serde_json::to_value(boss::http::openapi()).unwrap();
    let mut routes = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let method: Method = method.to_uppercase().parse().unwrap();
            // Any value will do for path parameters: authentication comes first.
            let concrete = path.replace("{id}", "1").replace("{pid}", "1");
            routes.push((method, concrete));
        }
    }
    routes
}

#[tokio::test]
async fn every_route_but_health_login_and_register_needs_credentials() {
    let app = TestApp::new().await;
    app.register("alice").await; // so that register itself is closed, not open
    let public = [
        "/api/v1/health",
        "/api/v1/auth/login",
        "/api/v1/auth/register",
    ];
    let mut routes = documented_routes();
    assert!(
        routes.len() >= 15,
        "the walk must see the whole API: {routes:?}"
    );
    routes.push((Method::GET, "/api/openapi.json".into()));
    for (method, path) in routes {
        let body = (method != Method::GET && method != Method::DELETE).then(|| json!({}));
        let reply = app.call(method.clone(), &path, &Auth::None, body).await;
        if public.contains(&path.as_str()) {
            assert_ne!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} must be public"
            );
        } else {
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{method} {path}: {:?}",
                reply.body
            );
            assert_eq!(reply.code(), "unauthorized", "{method} {path}");
        }
    }
}

#[tokio::test]
async fn the_openapi_document_covers_the_routes() {
    let app = TestApp::new().await;
    let admin = app.register("alice").await;
    let doc = app.get("/api/openapi.json", &admin).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body["openapi"], "3.1.0");
    let paths = doc.body["paths"].as_object().unwrap();
    for path in [
        "/api/v1/health",
        "/api/v1/auth/login",
        "/api/v1/auth/register",
        "/api/v1/auth/logout",
        "/api/v1/auth/me",
        "/api/v1/auth/password",
        "/api/v1/tokens",
        "/api/v1/tokens/{id}",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/users/{id}/tokens",
        "/api/v1/users/{id}/tokens/{token_id}",
        "/api/v1/settings",
        "/api/v1/audit",
        "/metrics",
        "/api/4/status",
        "/api/4/pluginslist",
        "/api/4/all",
        "/api/4/{plugin}",
        "/api/3/all",
        "/api/3/{plugin}",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} is missing from the document"
        );
    }
    let schemes = &doc.body["components"]["securitySchemes"];
    assert_eq!(schemes["token"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(
        schemes["basic"]["scheme"], "basic",
        "the Glances API's user name and token"
    );
    assert_eq!(
        doc.body["paths"]["/api/4/all"]["get"]["tags"],
        json!(["glances"])
    );
    assert_eq!(
        doc.body["paths"]["/metrics"]["get"]["tags"],
        json!(["metrics"])
    );
    assert!(doc.body["components"]["schemas"]["ErrorBody"].is_object());
}

#[tokio::test]
async fn cross_site_writes_are_refused() {
    let app = TestApp::new().await;
    let session = app.register("alice").await;
    let Auth::Cookie(cookie) = &session else {
        unreachable!()
    };
    for (name, value) in [
        ("origin", "http://evil.example"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "null"),
    ] {
        let request = Request::post("/api/v1/tokens")
            .header(header::HOST, "127.0.0.1:8350")
            .header(header::COOKIE, format!("boss_session={cookie}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(name, value)
            .body(Body::from(
                json!({"name": "csrf", "password": PASSWORD}).to_string(),
            ))
            .unwrap();
        let reply = app.send(request).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{name}: {value}");
        assert_eq!(reply.code(), "cross_site_request");
    }
    // The same request from the page itself goes through.
    let request = Request::post("/api/v1/tokens")
        .header(header::HOST, "127.0.0.1:8350")
        .header(header::ORIGIN, "http://127.0.0.1:8350")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, format!("boss_session={cookie}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"name": "mine", "password": PASSWORD}).to_string(),
        ))
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::CREATED);
    // Nothing was created by the refused ones.
    assert_eq!(
        app.get("/api/v1/tokens", &session).await.body["tokens"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// `GET path` with the `Host` header `host` and no credentials.
async fn get_from_host(app: &TestApp, path: &str, host: &str) -> Reply {
    let request = Request::get(path)
        .header(header::HOST, host)
        .body(Body::empty())
        .unwrap();
    app.send(request).await
}

#[tokio::test]
async fn a_foreign_host_header_is_refused() {
    let app = TestApp::with_config(|c| c.allowed_hosts = vec!["boss.lan".into()]).await;
    for host in [
        "evil.example",
        "evil.example:8350",
        "localhost.evil.example",
    ] {
        let reply = get_from_host(&app, "/api/v1/health", host).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{host}");
        assert_eq!(reply.code(), "host_not_allowed");
        // The UI is not served to rebound names either.
        let page = get_from_host(&app, "/", host).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
    }
    for host in [
        "localhost:8350",
        "127.0.0.1",
        "[::1]:8350",
        "boss.lan:8350",
        "192.168.1.20:8350",
    ] {
        let reply = get_from_host(&app, "/api/v1/health", host).await;
        assert_eq!(reply.status, StatusCode::OK, "{host}");
    }
}

#[tokio::test]
async fn bad_input_gets_json_errors_not_500s() {
    let app = TestApp::new().await;
    let session = app.register("alice").await;
    let Auth::Cookie(cookie) = &session else {
        unreachable!()
    };
    let raw = |method: Method, path: &str, content_type: Option<&str>, body: Body| {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "127.0.0.1:8350")
            .header(header::COOKIE, format!("boss_session={cookie}"));
        if let Some(content_type) = content_type {
            builder = builder.header(header::CONTENT_TYPE, content_type);
        }
        builder.body(body).unwrap()
    };
    // Most cases post a token request: only its content type and body change.
    let post_token = |content_type: Option<&str>, body: Body| {
        raw(Method::POST, "/api/v1/tokens", content_type, body)
    };
    let cases = [
        (
            post_token(Some("application/json"), Body::from("{\"name\":")),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            post_token(Some("text/plain"), Body::from("{\"name\":\"x\"}")),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            post_token(None, Body::empty()),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            post_token(Some("application/json"), Body::from("{\"nom\":\"x\"}")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            post_token(Some("application/json"), Body::from("[1,2]")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            post_token(
                Some("application/json"),
                Body::from(format!("{{\"name\":\"{}\"}}", "x".repeat(200_000))),
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            raw(Method::DELETE, "/api/v1/tokens/abc", None, Body::empty()),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            raw(
                Method::DELETE,
                "/api/v1/tokens/99999999999999999999999",
                None,
                Body::empty(),
            ),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            raw(Method::GET, "/api/v1/no-such-thing", None, Body::empty()),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            raw(Method::PUT, "/api/v1/tokens", None, Body::empty()),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            raw(
                Method::POST,
                "/api/v1/auth/login",
                Some("application/json"),
                Body::from("\u{0}\u{ff}"),
            ),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
    ];
    for (request, status, code) in cases {
        let what = format!("{} {}", request.method(), request.uri());
        let reply = app.send(request).await;
        assert_eq!(reply.status, status, "{what}: {:?}", reply.body);
        assert_eq!(reply.code(), code, "{what}");
        assert!(
            reply.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{what}"
        );
    }
    // And nothing was lost or broken: the session still works.
    assert_eq!(app.me_status(&session).await, StatusCode::OK);
}

#[tokio::test]
async fn the_ui_is_served_with_security_headers() {
    let app = TestApp::new().await;
    let page = get_from_host(&app, "/", "localhost:8350").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(page.headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(page.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let html = page.body.as_str().unwrap();
    assert!(
        html.contains("<script type=\"module\""),
        "the page loads its module"
    );
    assert!(
        !html.contains("<script>"),
        "no inline script: the CSP would block it"
    );

    let api = app.get("/api/v1/health", &Auth::None).await;
    assert!(api.headers.contains_key(header::CONTENT_SECURITY_POLICY));
    let missing = get_from_host(&app, "/nope.js", "localhost").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_api_viewer_is_served_from_the_binary_and_its_document_needs_a_login() {
    let app = TestApp::new().await;
    let page = app.get("/api/docs/", &Auth::None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.as_str().unwrap().contains("swagger-ui"));
    let script = app
        .get("/api/docs/swagger-initializer.js", &Auth::None)
        .await;
    assert!(script.body.as_str().unwrap().contains("/api/openapi.json"));
    assert_eq!(
        app.get("/api/openapi.json", &Auth::None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[test]
fn the_openapi_document_gives_outcomes_and_states_as_enums() {
    let doc = serde_json::to_value(boss::http::openapi()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let values = |schema: &serde_json::Value| -> Vec<String> {
        schema["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("not an enum: {schema}"))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    for (name, one) in [
        ("LaunchOutcome", "failed_to_start"),
        ("WindowOutcome", "prompting"),
        ("MemberOutcome", "still_running"),
        ("AuditAction", "auth.login"),
        ("Outcome", "denied"),
    ] {
        let names = values(&schemas[name]);
        assert!(names.contains(&one.to_string()), "{name}: {names:?}");
    }
    let state = &schemas["ProcessRow"]["properties"]["state"];
    assert!(values(state).contains(&"disk_sleep".to_string()), "{state}");
    let launch = &schemas["LaunchView"]["properties"]["outcome"];
    assert_eq!(
        launch["$ref"], "#/components/schemas/LaunchOutcome",
        "{launch}"
    );
}

#[test]
fn the_openapi_document_gives_window_ids_as_strings_and_the_backends_capabilities() {
    let doc = serde_json::to_value(boss::http::openapi()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let row = &schemas["WindowRow"]["properties"];
    assert_eq!(row["id"]["type"], "string", "{}", row["id"]);
    let list = &schemas["WindowListView"]["properties"];
    assert_eq!(list["label"]["type"], "string");
    let capabilities = &list["capabilities"]["$ref"];
    assert_eq!(capabilities, "#/components/schemas/WindowCapabilitiesView");
    let fields = &schemas["WindowCapabilitiesView"]["properties"];
    for field in ["close", "activate", "minimize", "pid", "desktop"] {
        assert_eq!(fields[field]["type"], "boolean", "{field}");
    }
}

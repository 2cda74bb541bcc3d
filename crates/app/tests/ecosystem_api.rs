//! The monitoring exports against the real proc filesystem: `GET /metrics` (Prometheus and
//! OpenMetrics text, per-application groups, its token or scraper allow-list) and the
//! Glances-compatible API (HTTP Basic with a user name and an API token). The processes counted
//! are copies of `sleep` this test starts under a name of its own, ended by PID on drop.

mod common;

use std::process::Command;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use serde_json::{Value, json};

use common::desktop::Desktop;
use common::sessions::Started;
use common::{Auth, Reply, TestApp};
use testkit::process::Process;

/// `count` copies of `sleep` running as `name` (a copy of the binary, so the kernel's `comm`
/// is `name`; keep it under 16 characters).
fn copies(dir: &std::path::Path, name: &str, count: usize) -> Vec<Process> {
    let program = dir.join(name);
    std::fs::copy("/bin/sleep", &program).expect("copy sleep");
    let children: Vec<Process> = (0..count)
        .map(|_| Process(Command::new(&program).arg("300").spawn().expect("spawn")))
        .collect();
    // Until each has executed its program, its `comm` is still the test's.
    for child in &children {
        let stat = format!("/proc/{}/comm", child.pid());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::fs::read_to_string(&stat).map_or(true, |c| c.trim() != name) {
            assert!(std::time::Instant::now() < deadline, "{name} did not start");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
    children
}

async fn token(app: &TestApp, session: &Auth) -> String {
    app.token(session, "monitoring").await.secret
}

async fn get_with(app: &TestApp, path: &str, headers: &[(header::HeaderName, String)]) -> Reply {
    let mut request = Request::get(path).header(header::HOST, "127.0.0.1:8350");
    for (name, value) in headers {
        request = request.header(name, value);
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

fn basic(user: &str, password: &str) -> (header::HeaderName, String) {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    (header::AUTHORIZATION, format!("Basic {encoded}"))
}

fn text(reply: &Reply) -> &str {
    reply.body.as_str().expect("a text body")
}

/// The value of the sample line that starts with `series` (name and labels, exactly).
fn sample_value(metrics: &str, series: &str) -> Option<f64> {
    metrics.lines().find_map(|line| {
        let rest = line.strip_prefix(series)?.strip_prefix(' ')?;
        rest.trim().parse().ok()
    })
}

#[tokio::test]
async fn metrics_need_a_token_or_an_address_an_admin_allowed() {
    let app = TestApp::new().await;
    let (admin, viewer) = app.admin_and("vera", "viewer").await;
    let refused = app.get("/metrics", &Auth::None).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.code(), "unauthorized");

    let viewer_token = token(&app, &viewer).await;
    let reply = app.get("/metrics", &Auth::Bearer(viewer_token)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let wrong = app.get("/metrics", &Auth::Bearer("nope".into())).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

    let bad = app
        .patch(
            "/api/v1/settings",
            &admin,
            json!({ "metrics_scrapers": ["10.1.2.0/24", "not an address"] }),
        )
        .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        bad.body
    );
    assert!(
        bad.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'not an address'")
    );
    let viewer_may_not = app
        .patch(
            "/api/v1/settings",
            &viewer,
            json!({ "metrics_scrapers": ["10.1.2.0/24"] }),
        )
        .await;
    assert_eq!(viewer_may_not.status, StatusCode::FORBIDDEN);
    let saved = app
        .change_settings(
            &admin,
            json!({ "metrics_scrapers": ["10.1.2.0/24", "192.0.2.7"] }),
        )
        .await;
    assert_eq!(
        saved["metrics_scrapers"],
        json!(["10.1.2.0/24", "192.0.2.7"])
    );

    for (address, allowed) in [("10.1.2.3", true), ("192.0.2.7", true), ("10.1.3.1", false)] {
        let reply = app.seen_from(address).get("/metrics", &Auth::None).await;
        let expected = if allowed {
            StatusCode::OK
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(reply.status, expected, "scrape from {address}");
    }
}

#[tokio::test]
async fn an_application_started_three_times_counts_three_processes_as_the_process_list_does() {
    let app = TestApp::new().await;
    let admin = app.register("admin").await;
    let secret = token(&app, &admin).await;
    let bearer = Auth::Bearer(secret.clone());
    let dir = tempfile::tempdir().unwrap();
    let _children = copies(dir.path(), "ecoscrape", 3);

    // The process list at one moment; a scrape right after reads that same sample.
    let list = app.get("/api/v1/processes?fresh=true", &bearer).await;
    assert_eq!(list.status, StatusCode::OK);
    let rows: Vec<&Value> = list.body["processes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "ecoscrape")
        .collect();
    assert_eq!(rows.len(), 3);
    let memory: u64 = rows
        .iter()
        .map(|p| p["memory_bytes"].as_u64().unwrap())
        .sum();
    let scans = app.state.processes.scan_count();
    let reply = app.get("/metrics", &bearer).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        app.state.processes.scan_count(),
        scans,
        "a fresh sample is not scanned again"
    );
    let metrics = text(&reply);
    assert_eq!(
        sample_value(metrics, r#"boss_app_processes{app="ecoscrape"}"#),
        Some(3.0)
    );
    assert_eq!(
        sample_value(metrics, r#"boss_app_memory_bytes{app="ecoscrape"}"#),
        Some(memory as f64)
    );
    assert!(sample_value(metrics, r#"boss_app_cpu_seconds_total{app="ecoscrape"}"#).is_some());
    let system = app.get("/api/v1/system", &bearer).await.body;
    assert_eq!(
        sample_value(metrics, "boss_memory_total_bytes"),
        system["memory_total_bytes"].as_f64()
    );
    for family in [
        "# TYPE boss_cpu_seconds_total counter",
        "# TYPE boss_build_info gauge",
        "# TYPE process_cpu_seconds_total counter",
        "# TYPE process_resident_memory_bytes gauge",
        "# TYPE process_open_fds gauge",
        "# TYPE boss_http_requests_total counter",
        "# TYPE boss_process_scan_duration_seconds histogram",
        "# TYPE boss_launches_total counter",
        "# TYPE boss_load1 gauge",
    ] {
        assert!(metrics.contains(family), "no '{family}' in:\n{metrics}");
    }
    assert!(
        !metrics.contains("# EOF"),
        "the classic format has no EOF line"
    );
    assert!(!metrics.contains("pid="), "never a PID label");

    // Requests are counted under their route template, not the path.
    let detail = app
        .get(
            &format!("/api/v1/processes/{}", std::process::id()),
            &bearer,
        )
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    let metrics = app.get("/metrics", &bearer).await;
    let line =
        r#"boss_http_requests_total{method="GET",route="/api/v1/processes/{pid}",status="200"}"#;
    assert_eq!(
        sample_value(text(&metrics), line),
        Some(1.0),
        "{}",
        text(&metrics)
    );

    // process-exporter's names, on request.
    let compat = app.get("/metrics?process_exporter=true", &bearer).await;
    let compat = text(&compat);
    assert_eq!(
        sample_value(
            compat,
            r#"namedprocess_namegroup_num_procs{groupname="ecoscrape"}"#
        ),
        Some(3.0)
    );
    assert_eq!(
        sample_value(
            compat,
            r#"namedprocess_namegroup_states{groupname="ecoscrape",state="Sleeping"}"#
        ),
        Some(3.0)
    );
    assert!(!compat.contains("boss_app_processes"));
}

#[tokio::test]
async fn openmetrics_is_served_when_the_scraper_asks_for_it() {
    let app = TestApp::new().await;
    let admin = app.register("admin").await;
    let secret = token(&app, &admin).await;
    let reply = get_with(
        &app,
        "/metrics",
        &[
            (header::AUTHORIZATION, format!("Bearer {secret}")),
            (
                header::ACCEPT,
                "application/openmetrics-text;version=1.0.0,text/plain;q=0.5".into(),
            ),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text; version=1.0.0")
    );
    assert!(text(&reply).ends_with("# EOF\n"));
    assert!(text(&reply).contains("# TYPE boss_cpu_seconds counter"));
}

#[tokio::test]
async fn glances_clients_sign_in_with_a_user_name_and_an_api_token() {
    let app = TestApp::new().await;
    let (_admin, viewer) = app.admin_and("vera", "viewer").await;
    let secret = token(&app, &viewer).await;
    let ok = get_with(&app, "/api/4/pluginslist", &[basic("vera", &secret)]).await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert!(ok.body.as_array().unwrap().contains(&json!("processcount")));

    for (user, password) in [("vera", "wrong token"), ("admin", secret.as_str())] {
        let refused = get_with(&app, "/api/4/all", &[basic(user, password)]).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{user}");
        assert_eq!(
            refused.headers[header::WWW_AUTHENTICATE],
            "Basic realm=\"Boss of Apps\", charset=\"UTF-8\""
        );
        assert_eq!(refused.code(), "unauthorized");
    }
    let anonymous = get_with(&app, "/api/4/status", &[]).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let unknown = get_with(&app, "/api/4/containers", &[basic("vera", &secret)]).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.code(), "not_found");
}

#[tokio::test]
async fn glances_all_reports_what_boss_reports_in_glances_fields_and_units() {
    let app = TestApp::new().await;
    let admin = app.register("admin").await;
    let secret = token(&app, &admin).await;
    let dir = tempfile::tempdir().unwrap();
    let _children = copies(dir.path(), "ecoglance", 2);
    let bearer = Auth::Bearer(secret.clone());
    let system = app.get("/api/v1/system?fresh=true", &bearer).await.body;

    let all = get_with(&app, "/api/4/all", &[basic("admin", &secret)]).await;
    assert_eq!(all.status, StatusCode::OK);
    let all = all.body;
    let total = system["memory_total_bytes"].as_f64().unwrap();
    let available = system["memory_available_bytes"].as_f64().unwrap();
    assert_eq!(all["mem"]["total"].as_f64(), Some(total));
    let percent = (total - available) / total * 100.0;
    let close = |a: &Value, b: f64| (a.as_f64().unwrap() - b).abs() <= 0.051;
    assert!(
        close(&all["mem"]["percent"], percent),
        "{} vs {percent}",
        all["mem"]
    );
    assert_eq!(all["load"]["min1"], system["load_average"][0]);
    assert_eq!(all["load"]["cpucore"], system["cpu_count"]);
    assert_eq!(all["processcount"]["total"], system["process_count"]);
    assert_eq!(all["processcount"]["thread"], system["thread_count"]);
    // Both rounded to a tenth (one in f32, one in f64).
    let cpu = system["cpu_percent"].as_f64().unwrap();
    assert!((all["quicklook"]["cpu"].as_f64().unwrap() - cpu).abs() <= 0.11);
    assert_eq!(all["system"]["hostname"], system["hostname"]);
    assert_eq!(
        all["percpu"].as_array().unwrap().len() as u64,
        system["cpu_count"].as_u64().unwrap()
    );
    let ours: Vec<&Value> = all["processlist"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "ecoglance")
        .collect();
    assert_eq!(ours.len(), 2);
    assert_eq!(ours[0]["cmdline"][1], "300");
    assert_eq!(ours[0]["status"], "S");
    assert!(ours[0]["memory_info"]["rss"].as_u64().unwrap() > 0);
    // The root file system, from statvfs: sizes in bytes, a percentage.
    let root = all["fs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["mnt_point"] == "/")
        .expect("the root file system");
    assert!(root["size"].as_u64().unwrap() >= root["used"].as_u64().unwrap());
    assert!((0.0..=100.0).contains(&root["percent"].as_f64().unwrap()));
    // Loopback counts what it sends as received: rates need two readings, over the real interval.
    let lo = |all: &Value| {
        all["network"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["interface_name"] == "lo")
            .cloned()
            .expect("the loopback interface")
    };
    let first = lo(&all);
    for field in [
        "bytes_recv",
        "bytes_recv_gauge",
        "bytes_recv_rate_per_sec",
        "time_since_update",
        "speed",
        "is_up",
    ] {
        assert!(first.get(field).is_some(), "network has {field}: {first}");
    }
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let again = get_with(&app, "/api/4/network", &[basic("admin", &secret)])
        .await
        .body;
    let second = again
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["interface_name"] == "lo")
        .unwrap()
        .clone();
    let elapsed = second["time_since_update"].as_f64().unwrap();
    assert!(
        (1.0..30.0).contains(&elapsed),
        "the interval since the last reading: {elapsed}"
    );
    let change =
        second["bytes_recv_gauge"].as_u64().unwrap() - first["bytes_recv_gauge"].as_u64().unwrap();
    assert_eq!(second["bytes_recv"].as_u64().unwrap(), change);

    // Version 3 names the same counters rx and tx.
    let v3 = get_with(&app, "/api/3/network", &[basic("admin", &secret)])
        .await
        .body;
    let lo3 = v3
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["interface_name"] == "lo")
        .unwrap();
    assert!(
        lo3["rx"].is_u64() && lo3["cumulative_tx"].is_u64() && lo3["time_since_update"].is_f64()
    );
}

#[tokio::test]
async fn a_launched_application_and_its_children_are_grouped_under_its_desktop_id() {
    let dir = tempfile::tempdir().unwrap();
    let apps = dir.path().join("share/applications");
    std::fs::create_dir_all(&apps).unwrap();
    // A shell that starts two children: three processes of one application. Stopping the
    // launch sends TERM to the shell, which takes its children with it.
    std::fs::write(
        apps.join("boss-eco.desktop"),
        "[Desktop Entry]\nType=Application\nName=Eco\n\
         Exec=sh -c \"trap 'trap - TERM; kill 0' TERM; sleep 300 & sleep 300 & wait\"\n",
    )
    .unwrap();
    let options = platform::CatalogOptions {
        data_dirs: vec![dir.path().join("share")],
        ..Default::default()
    };
    let app = TestApp::with_config(move |c| c.catalog = options).await;
    let admin = app.register("admin").await;
    let bearer = Auth::Bearer(token(&app, &admin).await);
    let launched = app
        .post("/api/v1/apps/boss-eco/launch", &admin, json!({}))
        .await;
    assert_eq!(launched.status, StatusCode::CREATED, "{:?}", launched.body);
    let id = launched.body["launch"]["id"].as_i64().unwrap();
    let pid = launched.body["launch"]["pid"].as_u64().unwrap();

    // Until the shell has started both children.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    // The launched shell's children (this test started them): killed on drop, by PID and
    // start time (an ended child's PID may be another process's by then), if the test fails
    // before they end.
    let mut started = Started::default();
    let (children, metrics) = loop {
        let list = app.get("/api/v1/processes?fresh=true", &bearer).await.body;
        let children: Vec<u64> = list["processes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["ppid"].as_u64() == Some(pid) && p["name"] == "sleep")
            .map(|p| p["pid"].as_u64().unwrap())
            .collect();
        if children.len() == 2 {
            for &child in &children {
                started.add(child as u32);
            }
            break (
                children,
                text(&app.get("/metrics", &bearer).await).to_string(),
            );
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the children did not start"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(
        sample_value(&metrics, r#"boss_app_processes{app="boss-eco"}"#),
        Some(3.0),
        "{metrics}"
    );
    assert_eq!(
        sample_value(
            &metrics,
            r#"boss_launches_total{app="boss-eco",outcome="running"}"#
        ),
        Some(1.0)
    );

    app.stop_launch(&admin, id, 3000).await;
    let metrics = app.get("/metrics", &bearer).await;
    assert_eq!(
        sample_value(
            text(&metrics),
            r#"boss_launches_total{app="boss-eco",outcome="stopped"}"#
        ),
        Some(1.0)
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while children
        .iter()
        .any(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists())
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the children outlived the stop"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_window_count_is_the_window_list_s() {
    let Some(desktop) = Desktop::start(true) else {
        return;
    };
    let display = desktop.display.clone();
    let app = TestApp::with_config(move |c| c.display = Some(display)).await;
    let admin = app.register("admin").await;
    let bearer = Auth::Bearer(token(&app, &admin).await);
    let (_xterm, _) = desktop.xterm("boss-metrics-xterm");
    let list = app.get("/api/v1/windows", &bearer).await.body;
    let count = list["windows"].as_array().unwrap().len() as f64;
    assert!(count >= 1.0, "{list}");
    let metrics = app.get("/metrics", &bearer).await;
    assert_eq!(
        sample_value(text(&metrics), r#"boss_windows{backend="x11"}"#),
        Some(count)
    );
}

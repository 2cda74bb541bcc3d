//! The fleet benchmark (issue 16): round-trip latency of a request relayed to another host
//! through PostgreSQL (the `commands` table, `NOTIFY`/`LISTEN`) beside the same request served
//! locally: a process-list read and a signal (`CONT`, harmless, to a `sleep` the benchmark
//! starts and ends itself), and a read answered from the asking host's one-second cache. Two
//! Boss servers run in this process on one throwaway PostgreSQL
//! cluster, each on its own loopback port.
//!
//! Run: `cargo bench -p boss-app --bench fleet` (add `-- --quick` for fewer requests).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use boss::config::Config;
use boss::state::AppState;
use boss::store::SqlStore;
use testkit::postgres::TempPostgres;
use testkit::process::Process;

// The signed-in session of the real-binary tests (`Session`).
#[path = "../tests/common/server.rs"]
mod server;

async fn serve(url: &str, name: &str, dir: &std::path::Path) -> (AppState, String) {
    let mut config = Config::for_data_dir(dir.to_path_buf());
    config.database_url = url.to_string();
    config.host_name = Some(name.to_string());
    let store = SqlStore::open(url).await.expect("open the database");
    let state = AppState::new(Arc::new(store), config);
    boss::fleet::Fleet::join(&state, url)
        .await
        .expect("join the fleet");
    let app = state
        .fleet
        .router(&state)
        .into_make_service_with_connect_info::<SocketAddr>();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (state, format!("http://{address}"))
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

async fn round(
    label: &str,
    requests: usize,
    send: impl Fn() -> reqwest::RequestBuilder,
) -> (f64, f64) {
    for _ in 0..10 {
        assert!(send().send().await.unwrap().status().is_success());
    }
    let mut latencies = Vec::with_capacity(requests);
    for _ in 0..requests {
        let start = Instant::now();
        let reply = send().send().await.unwrap();
        let status = reply.status();
        let _ = reply.bytes().await.unwrap();
        assert!(status.is_success(), "{label}: {status}");
        latencies.push(start.elapsed());
    }
    latencies.sort();
    let (p50, p99) = (percentile(&latencies, 0.5), percentile(&latencies, 0.99));
    println!("{label:<28} p50 {p50:>7.2} ms   p99 {p99:>7.2} ms   ({requests} requests)");
    (p50, p99)
}

async fn run(requests: usize) {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let url = pg.create_database("bench");
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let (a, base) = serve(&url, "bench-a", dirs[0].path()).await;
    let (_b, _) = serve(&url, "bench-b", dirs[1].path()).await;
    let setup_code = a.setup.issue().expect("issue the setup code");
    let session =
        server::Session::register(&base, "bench", "benchmark password", Some(setup_code)).await;
    let target = Process::sleep(3600);
    let pid = target.pid();
    // A query that changes with every request, so that no read is answered from the asking
    // host's one-second cache (measured on its own below).
    let get = |path: String| {
        let session = session.clone();
        let counter = std::sync::atomic::AtomicUsize::new(0);
        move || {
            let round = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            session.request(reqwest::Method::GET, &format!("{path}?round={round}"))
        }
    };
    let cached = |path: String| {
        let session = session.clone();
        move || session.request(reqwest::Method::GET, &path)
    };
    let signal = |path: String| {
        let session = session.clone();
        move || {
            session
                .request(reqwest::Method::POST, &path)
                .json(&serde_json::json!({"signal": "CONT"}))
        }
    };
    println!("Boss fleet benchmark: local requests beside requests relayed through PostgreSQL");
    round(
        "local  GET processes",
        requests,
        get("/api/v1/processes".into()),
    )
    .await;
    round(
        "remote GET processes",
        requests,
        get("/api/v1/hosts/bench-b/processes".into()),
    )
    .await;
    round(
        "remote GET processes cached",
        requests,
        cached("/api/v1/hosts/bench-b/processes".into()),
    )
    .await;
    round(
        "local  POST signal CONT",
        requests,
        signal(format!("/api/v1/processes/{pid}/signal")),
    )
    .await;
    round(
        "remote POST signal CONT",
        requests,
        signal(format!("/api/v1/hosts/bench-b/processes/{pid}/signal")),
    )
    .await;
    drop(target);
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(run(if quick { 50 } else { 500 }));
}

//! The process-table benchmark (DESIGN §8): with 1,000 and 5,000 extra idle processes that it
//! spawns and reaps itself, it compares
//!
//! - the floor: reading each process's `stat`, `status` and `cmdline` once, with
//! - Boss's refresh of the whole table (warm: CPU counters and caches primed),
//!
//! in the same run, and prints the ratio (target: at most 1.5). Then it starts the real server
//! on loopback and measures `GET /api/v1/processes` on a warm server: latency percentiles of
//! sequential requests and throughput with concurrent clients (targets: p99 under 5 ms at
//! 1,000 processes and under 2 ms at 5,000; 2,000 requests/s). Requests are served from the
//! latest sample while the next is taken in the background, so no request waits for a scan.
//! Beside them, Prometheus scrapes of `GET /metrics` on the same server: latency percentiles
//! and the CPU time per scrape (grouping the sample by application and encoding it).
//!
//! Last, a load and soak run against the release `boss` binary in its own process: many
//! event-stream subscribers plus concurrent `GET` clients for a few minutes, counting errors
//! and reading the server's resident memory (`VmRSS`, `VmHWM` in `/proc/<pid>/status`) idle,
//! during the load and 5 s after it (target: under 25 MiB throughout).
//!
//! Supervision overhead (`-- --managed-only`): the release server idle with 20 managed apps
//! (`sleep`, each with its log writer) against the same server with none, as CPU % of one core
//! over a quiet period (its utime + stime from `/proc/<pid>/stat`); then the apps are removed
//! through the API, which stops them.
//!
//! Overhead (`-- --overhead-only`): at 1,000 extra idle processes, the release server's CPU over
//! a quiet period with nobody connected and with one live event-stream watcher, and its
//! resident memory while watched (targets: under 0.1 % and 2 % of a core, under 30 MB).
//!
//! Launch latency (`-- --launch-only`): `POST /api/v1/launches` of `true`, one after another,
//! against the release server: from the request to a running, recorded process (target: median
//! under 20 ms).
//!
//! Run: `cargo bench -p boss-app --bench processes` (add `-- --quick` for fewer rounds and a
//! short soak; `-- --soak-secs N` to choose its length; `-- --http-only` for just the latency
//! and throughput rounds at 1,000 and 5,000 processes; `-- --soak-only` for just the soak, `-- --subscribers N` for its number of event
//! subscribers, 50 by default).

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use boss::config::Config;
use boss::state::AppState;
use boss::store::SqlStore;

// The real binary as a server and a signed-in session with it, shared with the tests.
#[path = "../tests/common/server.rs"]
mod server;
use server::{Server, Session};

/// The benchmark's account.
const PASSWORD: &str = "benchmark password";

struct Idle(Vec<Child>);

impl Idle {
    fn spawn(count: usize) -> Self {
        let children = (0..count)
            .map(|_| {
                Command::new("sleep")
                    .arg("3600")
                    .stdin(Stdio::null())
                    .spawn()
                    .expect("spawn an idle process")
            })
            .collect();
        Idle(children)
    }
}

impl Drop for Idle {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
        }
        for child in &mut self.0 {
            let _ = child.wait();
        }
    }
}

/// Reads each process's stat, status and cmdline once: the least any full refresh must do.
fn floor() -> usize {
    let mut bytes = 0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        for file in ["stat", "status", "cmdline"] {
            bytes += std::fs::read(format!("/proc/{pid}/{file}"))
                .map(|b| b.len())
                .unwrap_or(0);
        }
    }
    bytes
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Alternates floor and refresh rounds so that both see the same machine state.
fn snapshot_round(extra: usize, rounds: usize) {
    let _idle = Idle::spawn(extra);
    std::thread::sleep(Duration::from_millis(500));
    let mut source = platform::process_source().unwrap();
    source.refresh().unwrap(); // prime caches and CPU counters
    floor();
    let (mut floors, mut refreshes) = (Vec::new(), Vec::new());
    let mut listed = 0;
    for _ in 0..rounds {
        let start = Instant::now();
        std::hint::black_box(floor());
        floors.push(start.elapsed());
        let start = Instant::now();
        listed = std::hint::black_box(source.refresh().unwrap())
            .processes
            .len();
        refreshes.push(start.elapsed());
    }
    let (f, r) = (median(floors), median(refreshes));
    println!(
        "snapshot  +{extra:>5} idle ({listed:>5} processes): floor {:7.2} ms   refresh {:7.2} ms   ratio {:.2}  (target <= 1.5)",
        ms(f),
        ms(r),
        r.as_secs_f64() / f.as_secs_f64()
    );
}

async fn http_round(extra: usize, requests: usize) {
    let _idle = Idle::spawn(extra);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let dir = tempfile::tempdir().unwrap();
    let config = Config::for_data_dir(dir.path().to_path_buf());
    let store = SqlStore::open(&config.database_url).await.unwrap();
    let state = AppState::new(Arc::new(store), config);
    let app = boss::http::app(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let base = format!("http://{address}");
    let setup_code = state.setup.issue().expect("issue the setup code");
    let session = Session::register(&base, "bench", PASSWORD, Some(setup_code)).await;
    let (client, cookie) = (session.http.clone(), session.cookie.clone());
    // A browser watching keeps the sampler running: requests are then served from its samples.
    let _watch = state.processes.watch();
    let url = format!("{base}/api/v1/processes");
    let get = |client: reqwest::Client, cookie: String, url: String| {
        body_size(client.get(url).header("cookie", cookie))
    };
    let mut size = 0;
    for _ in 0..50 {
        size = get(client.clone(), cookie.clone(), url.clone()).await;
    }
    let mut latencies = Vec::with_capacity(requests);
    for _ in 0..requests {
        let start = Instant::now();
        get(client.clone(), cookie.clone(), url.clone()).await;
        latencies.push(start.elapsed());
    }
    latencies.sort();
    let clients = 8;
    let start = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (client, cookie, url) = (reqwest::Client::new(), cookie.clone(), url.clone());
            tokio::spawn(async move {
                for _ in 0..requests / clients {
                    get(client.clone(), cookie.clone(), url.clone()).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let rate = (requests / clients * clients) as f64 / start.elapsed().as_secs_f64();
    println!(
        "http GET  +{extra:>5} idle ({:>4} KiB body): p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms (target p99 < {} ms)   {clients} clients: {rate:.0} req/s (target 2000)",
        size / 1024,
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().unwrap()),
        if extra >= 5000 { 2 } else { 5 },
    );
    metrics_round(&state, &client, &base, &cookie, extra, requests / 4).await;
}

/// Sends `request`, checks that it succeeds, and reads the whole answer: its size in bytes.
async fn body_size(request: reqwest::RequestBuilder) -> usize {
    let reply = request.send().await.unwrap();
    assert!(reply.status().is_success(), "{}", reply.status());
    reply.bytes().await.unwrap().len()
}

/// CPU time of this process (server and client together), milliseconds.
fn cpu_ms() -> f64 {
    platform::resources::own_process()
        .map(|p| p.cpu_seconds * 1000.0)
        .unwrap_or(0.0)
}

/// Prometheus scrapes of `GET /metrics` on the same warm server: latency percentiles of
/// sequential scrapes, and the CPU time one scrape costs (this process's CPU time over the
/// scrapes, less what it spends in the same time without them: the sampler keeps running).
async fn metrics_round(
    state: &AppState,
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    extra: usize,
    scrapes: usize,
) {
    let token = client
        .post(format!("{base}/api/v1/tokens"))
        .header("cookie", cookie)
        .json(&serde_json::json!({ "name": "prometheus", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert!(
        token.status().is_success(),
        "create a token: {}",
        token.status()
    );
    let token: serde_json::Value = token.json().await.unwrap();
    let bearer = format!("Bearer {}", token["secret"].as_str().unwrap());
    let url = format!("{base}/metrics");
    let scrape = || body_size(client.get(&url).header("authorization", &bearer));
    let mut size = 0;
    for _ in 0..20 {
        size = scrape().await;
    }
    let scans = state.processes.scan_count();
    let (cpu_start, start) = (cpu_ms(), Instant::now());
    let mut latencies = Vec::with_capacity(scrapes);
    for _ in 0..scrapes {
        let begun = Instant::now();
        scrape().await;
        latencies.push(begun.elapsed());
    }
    let (busy_cpu, wall) = (cpu_ms() - cpu_start, start.elapsed());
    let scans = state.processes.scan_count() - scans;
    // The same time with no scrapes: the sampler's own cost, to subtract.
    let idle_start = cpu_ms();
    tokio::time::sleep(wall).await;
    let idle_cpu = cpu_ms() - idle_start;
    latencies.sort();
    println!(
        "/metrics  +{extra:>5} idle ({:>4} KiB body): p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms   CPU {:.2} ms per scrape (server and client; {scans} scans in {:.1} s, as the sampler takes them)",
        size / 1024,
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().unwrap()),
        ((busy_cpu - idle_cpu) / scrapes as f64).max(0.0),
        wall.as_secs_f64(),
    );
}

/// The release `boss` binary serving on a free loopback port, in its own process, so that the
/// memory figures of the soak are the server's alone and not the benchmark clients'.
struct ServerProcess {
    server: Server,
    _data_dir: tempfile::TempDir,
}

impl ServerProcess {
    fn start() -> Self {
        let data_dir = tempfile::tempdir().unwrap();
        let server = Server::start_with(data_dir.path(), &[("BOSS_LOG", "warn,boss=info")]);
        ServerProcess {
            server,
            _data_dir: data_dir,
        }
    }

    /// The benchmark's account, the first: its session.
    async fn register(&self) -> Session {
        self.server.register("bench", PASSWORD).await
    }

    fn pid(&self) -> u32 {
        self.server.child.id()
    }

    fn reset_peak(&self) {
        std::fs::write(format!("/proc/{}/clear_refs", self.pid()), "5")
            .expect("reset the server's peak resident memory");
    }

    /// Resident memory now and at its peak so far (`VmRSS`, `VmHWM`) in MiB, split into what
    /// the server allocated (`RssAnon`) and the file pages it maps (`RssFile`: mostly the
    /// binary's own code), and the thread count (each thread that allocates may hold a malloc
    /// arena of its own).
    fn memory(&self) -> Memory {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        let field = |name: &str| -> f64 {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        Memory {
            rss: field("VmRSS:") / 1024.0,
            peak: field("VmHWM:") / 1024.0,
            anon: field("RssAnon:") / 1024.0,
            file: field("RssFile:") / 1024.0,
            threads: field("Threads:") as u32,
        }
    }
}

#[derive(Clone, Copy)]
struct Memory {
    rss: f64,
    peak: f64,
    anon: f64,
    file: f64,
    threads: u32,
}

/// A live event stream of the server at `base` (`query`: its topics, or empty for all), open.
async fn event_stream(base: &str, cookie: &str, query: &str) -> reqwest::Response {
    let reply = reqwest::Client::new()
        .get(format!("{base}/api/v1/events{query}"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_success(), "{}", reply.status());
    reply
}

/// Many live subscribers and busy API clients at once, for `seconds`, against the real server
/// binary; its resident memory is read before, during and a few seconds after the load.
async fn soak_round(extra: usize, subscribers: usize, clients: usize, seconds: u64) {
    let _idle = Idle::spawn(extra);
    let server = ServerProcess::start();
    let session = server.register().await;
    let (base, cookie) = (session.base.clone(), session.cookie.clone());
    // Idle: started, one account, nobody watching yet.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = server.memory();
    // The peak so far is the registration's password hash (19 MiB, mapped and unmapped at
    // once): start the peak afresh so that it tells the load's. "5" resets VmHWM to VmRSS.
    server.reset_peak();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let events_seen = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut streams = Vec::new();
    for _ in 0..subscribers {
        let (base, cookie, seen) = (base.clone(), cookie.clone(), events_seen.clone());
        streams.push(tokio::spawn(async move {
            let mut reply = event_stream(&base, &cookie, "?topics=processes").await;
            while Instant::now() < deadline {
                match tokio::time::timeout(Duration::from_secs(5), reply.chunk()).await {
                    Ok(Ok(Some(chunk))) => {
                        let text = String::from_utf8_lossy(&chunk);
                        seen.fetch_add(
                            text.matches("event: processes").count() as u64,
                            std::sync::atomic::Ordering::Relaxed,
                        );
                    }
                    Ok(Ok(None)) | Ok(Err(_)) => return false,
                    Err(_) => {}
                }
            }
            true
        }));
    }
    let errors = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (base, cookie, errors) = (base.clone(), cookie.clone(), errors.clone());
        workers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            // A histogram (10 µs buckets up to 100 ms) rather than every sample, so that the
            // soak's memory figures are the server's, not the benchmark's bookkeeping.
            let mut histogram = vec![0u64; 10_001];
            while Instant::now() < deadline {
                let start = Instant::now();
                let ok = match client
                    .get(format!("{base}/api/v1/processes"))
                    .header("cookie", &cookie)
                    .send()
                    .await
                {
                    Ok(reply) => reply.status().is_success() && reply.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if !ok {
                    errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                histogram[(start.elapsed().as_micros() as usize / 10).min(10_000)] += 1;
            }
            histogram
        }));
    }
    let started = Instant::now();
    let mut during = Vec::new();
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        during.push(server.memory());
    }
    let mut histogram = vec![0u64; 10_001];
    for worker in workers {
        for (bucket, count) in worker.await.unwrap().into_iter().enumerate() {
            histogram[bucket] += count;
        }
    }
    let total: u64 = histogram.iter().sum();
    let quantile = |q: f64| {
        let wanted = (total as f64 * q).ceil() as u64;
        let mut seen = 0;
        let bucket = histogram.iter().position(|&c| {
            seen += c;
            seen >= wanted
        });
        Duration::from_micros(bucket.unwrap_or(10_000) as u64 * 10 + 10)
    };
    let mut streams_ok = 0;
    for stream in streams {
        streams_ok += usize::from(stream.await.unwrap());
    }

    let elapsed = started.elapsed().as_secs_f64();
    // The clients are gone: what the server keeps after the load.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after = server.memory();
    let peak_threads = during.iter().map(|m| m.threads).max().unwrap_or(0);
    let every = (during.len() / 6).max(1);
    let trace = during
        .iter()
        .step_by(every)
        .map(|m| format!("{:.1}", m.rss))
        .collect::<Vec<_>>()
        .join(" -> ");
    let most = |part: fn(&Memory) -> f64| during.iter().map(part).fold(0.0, f64::max);
    let split = format!(
        "allocated (RssAnon) {:.1} / {:.1} / {:.1}, mapped files (RssFile: the binary's code and libraries) {:.1} / {:.1} / {:.1}",
        idle.anon,
        most(|m| m.anon),
        after.anon,
        idle.file,
        most(|m| m.file),
        after.file,
    );
    println!(
        "soak      +{extra:>5} idle, {seconds} s, {subscribers} event subscribers ({streams_ok} stayed connected, {} updates received), {clients} GET clients: {} requests, {} errors, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms\n          server resident memory (MiB): idle {:.1} (peak {:.1} with the login's hash, {} threads), during load {trace} (peak {:.1}, {peak_threads} threads), 5 s after load {:.1} ({} threads)  (target < 25)\n          of which (idle / most during load / after): {split}",
        events_seen.load(std::sync::atomic::Ordering::Relaxed),
        total,
        errors.load(std::sync::atomic::Ordering::Relaxed),
        total as f64 / elapsed,
        ms(quantile(0.50)),
        ms(quantile(0.99)),
        idle.rss,
        idle.peak,
        idle.threads,
        // The kernel brings VmHWM up to date only now and then (when resident memory falls),
        // so a sample taken during the load can be higher: the peak is the larger of the two.
        after.peak.max(most(|m| m.rss)),
        after.rss,
        after.threads,
    );
}

/// The server's CPU time so far (user + system), in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rfind(')').map_or("", |i| &stat[i + 2..]);
    let fields: Vec<&str> = after.split(' ').collect();
    // Fields 14 and 15 of stat(5), counted from the state (field 3) at index 0.
    let field = |n: usize| {
        fields
            .get(n - 3)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(14) + field(15)
}

/// CPU % of one core the server used over `seconds` of quiet.
async fn idle_cpu_percent(server: &ServerProcess, seconds: u64) -> f64 {
    // Clock ticks per second: 100 on every Linux configuration Boss supports (USER_HZ).
    const TICKS: f64 = 100.0;
    let before = cpu_ticks(server.pid());
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let used = (cpu_ticks(server.pid()) - before) as f64 / TICKS;
    100.0 * used / started.elapsed().as_secs_f64()
}

/// Overhead (DESIGN §8) at `extra` idle processes: the server's CPU with nobody connected, then
/// with one live watcher (an event stream of every topic, as a browser's page opens, read as it
/// comes: the process table once a second), and its resident memory while watched (targets:
/// under 0.1 % and under 2 % of a core, under 30 MB).
async fn overhead_round(extra: usize, seconds: u64) {
    let _idle = Idle::spawn(extra);
    let server = ServerProcess::start();
    let session = server.register().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let nobody = idle_cpu_percent(&server, seconds).await;
    // Opened here, so that a stream refused fails the round rather than a task no one awaits.
    let mut reply = event_stream(&session.base, &session.cookie, "").await;
    let watcher = tokio::spawn(async move { while let Ok(Some(_)) = reply.chunk().await {} });
    // Past the first full table, then a steady second per update.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let watched = idle_cpu_percent(&server, seconds).await;
    let memory = server.memory();
    assert!(!watcher.is_finished(), "the watcher's stream ended early");
    watcher.abort();
    println!(
        "overhead  +{extra:>5} idle, {seconds} s each: {nobody:.2} % of one core with nobody connected (target < 0.1), {watched:.2} % with one live watcher (target < 2); resident memory while watched {:.1} MiB (target < 30)",
        memory.rss,
    );
}

/// Supervision overhead: idle CPU of the server with no managed app, then with `apps`.
async fn managed_round(apps: usize, seconds: u64) {
    let server = ServerProcess::start();
    let session = server.register().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let without = idle_cpu_percent(&server, seconds).await;
    let mut ids = Vec::new();
    for i in 0..apps {
        let app = serde_json::json!({"name": format!("bench-{i}"), "argv": ["sleep", "3600"]});
        let (_, created) = session.post("/api/v1/managed", app).await;
        assert_eq!(created["app"]["state"], "running", "{created}");
        ids.push(created["app"]["id"].as_i64().unwrap());
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let with = idle_cpu_percent(&server, seconds).await;
    println!(
        "supervision, idle over {seconds} s: {without:.2} % of one core without managed apps, \
         {with:.2} % with {apps} (each a running `sleep` with its log writer)"
    );
    for id in ids {
        session.delete(&format!("/api/v1/managed/{id}")).await;
    }
}

/// Launch latency (DESIGN §8: from the request to a running, recorded process, median under
/// 20 ms): `POST /api/v1/launches` of `true`, one after another, against the release server.
/// The answer comes once the program runs and its launch and audit rows are written; `true`
/// ends at once, so nothing is left to stop.
async fn launch_round(launches: usize) {
    let server = ServerProcess::start();
    let session = server.register().await;
    let mut latencies = Vec::with_capacity(launches);
    for _ in 0..launches {
        let begun = Instant::now();
        let (status, created) = session
            .post("/api/v1/launches", serde_json::json!({"program": "true"}))
            .await;
        latencies.push(begun.elapsed());
        assert_eq!(status, 201, "{created}");
        assert!(created["launch"]["pid"].as_u64().is_some(), "{created}");
    }
    latencies.sort();
    println!(
        "launch    {launches} launches of `true`, one after another: p50 {:.2} ms  p90 {:.2} ms  max {:.2} ms (target median < 20 ms)",
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.90)),
        ms(*latencies.last().unwrap()),
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let rounds = if quick { 5 } else { 21 };
    let requests = if quick { 400 } else { 4000 };
    println!(
        "Boss process benchmark (release build, {} cores)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let flag = |name: &str| {
        std::env::args()
            .skip_while(|a| a != name)
            .nth(1)
            .and_then(|s| s.parse::<u64>().ok())
    };
    let soak_secs = flag("--soak-secs").unwrap_or(if quick { 20 } else { 180 });
    let subscribers = flag("--subscribers").unwrap_or(50) as usize;
    let launches = if quick { 50 } else { 200 };
    let quiet_secs = if quick { 10 } else { 60 };
    if std::env::args().any(|a| a == "--soak-only") {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(soak_round(1000, subscribers, 4, soak_secs));
        return;
    }
    if std::env::args().any(|a| a == "--managed-only") {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(managed_round(20, quiet_secs));
        return;
    }
    if std::env::args().any(|a| a == "--overhead-only") {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(overhead_round(1000, quiet_secs));
        return;
    }
    if std::env::args().any(|a| a == "--launch-only") {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(launch_round(launches));
        return;
    }
    if std::env::args().any(|a| a == "--http-only") {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(http_round(1000, requests));
        runtime.block_on(http_round(5000, requests));
        return;
    }
    snapshot_round(0, rounds);
    snapshot_round(1000, rounds);
    snapshot_round(5000, rounds);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(http_round(1000, requests));
    runtime.block_on(http_round(5000, requests));
    runtime.block_on(soak_round(1000, subscribers, 4, soak_secs));
    runtime.block_on(overhead_round(1000, quiet_secs));
    runtime.block_on(launch_round(launches));
    runtime.block_on(managed_round(20, quiet_secs));
}

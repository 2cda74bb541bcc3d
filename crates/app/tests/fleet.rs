//! The fleet (issue 16): three real `boss serve` processes on one throwaway PostgreSQL cluster,
//! each with its own data directory and `--host-name`, on this machine. One host lists the
//! others, reads and acts on them through the database, and copes with a host that dies and
//! comes back, and with PostgreSQL restarting.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::PASSWORD;
use common::server::Server;
use serde_json::{Value, json};
use sqlx::Row;
use testkit::desktop::Desktop;
use testkit::postgres::TempPostgres;
use testkit::process::Process;

fn host(name: &str, dir: &std::path::Path, url: &str, display: &str) -> Server {
    Server::start_with(
        dir,
        &[
            ("BOSS_DATABASE_URL", url),
            ("BOSS_HOST_NAME", name),
            // Each host sees only the display the test gives it (none for most).
            ("DISPLAY", display),
            ("BOSS_DISPLAY", display),
        ],
    )
}

async fn eventually<T, F: std::future::Future<Output = Option<T>>>(
    what: &str,
    within: Duration,
    mut check: impl FnMut() -> F,
) -> T {
    let until = Instant::now() + within;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < until, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn host_entry<'a>(hosts: &'a Value, name: &str) -> &'a Value {
    hosts["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == name)
        .unwrap_or_else(|| panic!("host {name} is listed: {hosts}"))
}

/// Waits until `api`'s host reports host `name` offline.
async fn until_offline(api: &common::server::Session, name: &str) {
    eventually(
        &format!("{name} is reported offline"),
        Duration::from_secs(20),
        || async move {
            let (_, hosts) = api.get("/api/v1/hosts").await;
            (host_entry(&hosts, name)["online"] == false).then_some(())
        },
    )
    .await;
}

/// The `boss` CLI of `api`'s user, with an API token of its own, talking to `server`.
struct Cli {
    server: String,
    token: String,
    config: std::path::PathBuf,
}

impl Cli {
    async fn new(api: &common::server::Session, server: &Server, config: &std::path::Path) -> Cli {
        let (status, token) = api
            .post(
                "/api/v1/tokens",
                json!({"name": "cli", "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, 201, "{token}");
        Cli {
            server: server.base.clone(),
            token: token["secret"].as_str().unwrap().to_string(),
            config: config.to_path_buf(),
        }
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_boss"))
            .args(["--server", &self.server])
            .args(args)
            .env("BOSS_TOKEN", &self.token)
            .env("XDG_CONFIG_HOME", &self.config)
            .env_remove("BOSS_HOST")
            .output()
            .unwrap()
    }

    /// What `boss ARGS` prints, checking that it succeeded.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        let out = String::from_utf8_lossy(&output.stdout).to_string();
        assert!(
            output.status.success(),
            "boss {args:?}: {out}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        out
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn three_hosts_on_one_database_read_and_act_on_each_other_and_survive_outages() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let Some(desktop) = Desktop::start(true, &["xterm"]) else {
        return;
    };
    let url = pg.create_database("fleet");
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let a = host("alpha", dirs[0].path(), &url, "");
    let b = host("bravo", dirs[1].path(), &url, "");
    let c = host("charlie", dirs[2].path(), &url, &desktop.display);

    // The first account is made on alpha.
    let api = a.register("alice", PASSWORD).await;

    // Every host is listed, online, with its summary and window backend.
    let (status, hosts) = api.get("/api/v1/hosts").await;
    assert_eq!(status, 200, "{hosts}");
    assert_eq!(hosts["fleet"], true);
    for name in ["alpha", "bravo", "charlie"] {
        let entry = host_entry(&hosts, name);
        assert_eq!(entry["online"], true, "{name} is online: {entry}");
        assert_eq!(entry["this_host"], name == "alpha");
        assert!(
            entry["summary"]["processes"].as_u64().unwrap() > 0,
            "{entry}"
        );
    }
    assert_eq!(
        host_entry(&hosts, "charlie")["capabilities"]["windows"]["available"],
        true
    );

    // The CLI: `boss hosts`, and `--host` sends a client command to another host.
    let cli = Cli::new(&api, &a, dirs[0].path()).await;
    let cli = |args: &[&str]| cli.ok(args);
    let table = cli(&["hosts"]);
    for name in ["alpha", "bravo", "charlie"] {
        assert!(table.contains(name), "{table}");
    }
    assert!(table.contains("online (this)"), "{table}");
    let windows: Value =
        serde_json::from_str(&cli(&["--host", "charlie", "windows", "--json"])).unwrap();
    assert_eq!(
        windows["available"], true,
        "charlie's display, not alpha's: {windows}"
    );
    let windows: Value = serde_json::from_str(&cli(&["windows", "--json"])).unwrap();
    assert_eq!(
        windows["available"], false,
        "alpha has no display: {windows}"
    );

    // A read repeated within a second is answered from alpha's memory: one command, not two.
    let commands = || async {
        let pool = one_connection(&url).await;
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM commands")
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        count
    };
    let before = commands().await;
    for _ in 0..2 {
        let (status, _) = api.get("/api/v1/hosts/charlie/system").await;
        assert_eq!(status, 200);
    }
    assert_eq!(commands().await, before + 1, "the second read was cached");

    // A process only this test started, found in bravo's list through alpha, ended through
    // alpha; bravo's audit row names alice and the host the request came through.
    let marker = Process::sleep("86399.25");
    let (status, list) = api.get("/api/v1/hosts/bravo/processes?fresh=true").await;
    assert_eq!(status, 200, "{list}");
    let row = list["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["pid"] == marker.pid())
        .unwrap_or_else(|| panic!("bravo lists the test's process"))
        .clone();
    assert_eq!(row["cmdline"], "sleep 86399.25");
    let (status, ended) = api
        .post(
            &format!("/api/v1/hosts/bravo/processes/{}/terminate", marker.pid()),
            json!({"started_at": row["started_at"], "timeout_ms": 2000}),
        )
        .await;
    assert_eq!(status, 200, "{ended}");
    let mut marker = marker;
    eventually("the process has ended", Duration::from_secs(5), || {
        let gone = marker.has_exited();
        async move { gone.then_some(()) }
    })
    .await;
    let (_, audit) = api.get("/api/v1/audit?action=process.terminate").await;
    let rows: Vec<&Value> = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["target"]
                .as_str()
                .unwrap_or("")
                .contains(&marker.pid().to_string())
        })
        .collect();
    assert_eq!(rows.len(), 1, "one audit row for one termination: {audit}");
    assert_eq!(rows[0]["actor"], "alice");
    assert_eq!(rows[0]["outcome"], "success");
    assert_eq!(rows[0]["detail"]["host"], "bravo", "{}", rows[0]);
    assert_eq!(rows[0]["detail"]["via"], "alpha", "{}", rows[0]);

    // Close-all on charlie's own display, through alpha.
    let windows = desktop.windows();
    let (mut xterm, _) = desktop.xterm(windows.as_ref(), "fleet-close-me");
    let (status, report) = api
        .post(
            "/api/v1/hosts/charlie/windows/close-all",
            json!({"timeout_ms": 3000}),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert!(
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["window"]["title"] == "fleet-close-me" && r["outcome"] == "closed"),
        "charlie closed its xterm: {report}"
    );
    eventually("the xterm has exited", Duration::from_secs(5), || {
        let gone = xterm.has_exited();
        async move { gone.then_some(()) }
    })
    .await;

    // A fleet close-all preview on every host: one result each, in name order.
    let (status, fleet) = api
        .post(
            "/api/v1/fleet/windows/close-all",
            json!({"hosts": "all", "dry_run": true}),
        )
        .await;
    assert_eq!(status, 200, "{fleet}");
    let results = fleet["results"].as_array().unwrap();
    let hosts: Vec<&str> = results
        .iter()
        .map(|r| r["host"].as_str().unwrap())
        .collect();
    assert_eq!(hosts, ["alpha", "bravo", "charlie"], "{fleet}");
    assert_eq!(results[2]["ok"], true, "charlie has a desktop: {fleet}");
    assert_eq!(results[2]["body"]["dry_run"], true);
    assert_eq!(results[0]["ok"], false, "alpha has none: {fleet}");

    // Charlie's live windows, followed through alpha.
    let mut stream = api
        .request(
            reqwest::Method::GET,
            "/api/v1/hosts/charlie/events?topics=windows",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let mut seen = String::new();
    while !(seen.contains("event: windows") && seen.contains(r#""available":true"#)) {
        let chunk = tokio::time::timeout(Duration::from_secs(10), stream.chunk())
            .await
            .expect("charlie's windows arrive")
            .unwrap()
            .expect("the stream goes on");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(stream);

    // A fleet launch on bravo and charlie, one result per host.
    let (status, fleet) = api
        .post(
            "/api/v1/fleet/launch",
            json!({"hosts": ["bravo", "charlie"], "program": "sleep", "args": ["86398.5"],
                "cwd": "/tmp"}),
        )
        .await;
    assert_eq!(status, 200, "{fleet}");
    let results = fleet["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{fleet}");
    for (result, name) in results.iter().zip(["bravo", "charlie"]) {
        assert_eq!(result["host"], name);
        assert_eq!(result["status"], 201, "{result}");
        assert_eq!(
            result["body"]["launch"]["host"], name,
            "the launch names its host"
        );
        assert_eq!(result["body"]["launch"]["cwd"], "/tmp", "{result}");
        let id = result["body"]["launch"]["id"].as_i64().unwrap();
        let (status, stopped) = api
            .post(
                &format!("/api/v1/hosts/{name}/launches/{id}/stop"),
                json!({"timeout_ms": 2000}),
            )
            .await;
        assert_eq!(
            status, 200,
            "the launch on {name} is stopped there: {stopped}"
        );
    }

    // Bravo dies. A request made while it still looks online times out and is withdrawn;
    // then alpha reports it offline within 15 s and requests fail at once.
    let b_dir = b.data_dir.clone();
    drop(b);
    let started = Instant::now();
    let (status, late) = api
        .post(
            "/api/v1/hosts/bravo/launches",
            json!({"program": "sleep", "args": ["86397.75"]}),
        )
        .await;
    assert!(
        status == 504 || status == 503,
        "a dead host's request fails with a JSON error: {status} {late}"
    );
    assert!(late["error"]["code"] == "host_timeout" || late["error"]["code"] == "host_unreachable");
    until_offline(&api, "bravo").await;
    assert!(started.elapsed() < Duration::from_secs(40));
    let asked = Instant::now();
    let (status, refused) = api.get("/api/v1/hosts/bravo/processes").await;
    assert_eq!(status, 503, "{refused}");
    assert_eq!(refused["error"]["code"], "host_unreachable");
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "an offline host fails fast"
    );

    // Bravo comes back as the same host; the late request was never run.
    let b = host("bravo", &b_dir, &url, "");
    let (status, _) = api.get("/api/v1/hosts/bravo/system").await;
    assert_eq!(status, 200, "bravo answers again");
    let (_, history) = api.get("/api/v1/hosts/bravo/launches").await;
    assert!(
        !history.to_string().contains("86397.75"),
        "a request past its deadline is not run: {history}"
    );

    // PostgreSQL restarts mid-run: the hosts reconnect and commands resume.
    pg.stop_server();
    tokio::time::sleep(Duration::from_millis(500)).await;
    pg.start_server();
    eventually(
        "charlie answers through alpha after PostgreSQL restarted",
        Duration::from_secs(40),
        || {
            let api = &api;
            async move {
                let (status, _) = api.get("/api/v1/hosts/charlie/windows").await;
                (status == 200).then_some(())
            }
        },
    )
    .await;

    // No command ran twice or after its deadline.
    let pool = one_connection(&url).await;
    let rows = sqlx::query("SELECT state, claimed_at, deadline FROM commands")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        let state: String = row.get("state");
        let claimed: Option<i64> = row.get("claimed_at");
        let deadline: i64 = row.get("deadline");
        assert!(state == "done" || state == "expired", "settled: {state}");
        if let Some(claimed) = claimed {
            assert!(claimed <= deadline, "claimed before its deadline");
        }
    }
    pool.close().await;
    drop((a, b, c));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_removes_an_offline_host_and_it_registers_again_when_it_comes_back() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let url = pg.create_database("removal");
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let a = host("alpha", dirs[0].path(), &url, "");
    let b = host("bravo", dirs[1].path(), &url, "");
    let api = a.register("alice", PASSWORD).await;
    let mut others = Vec::new();
    for (name, role) in [("vera", "viewer"), ("otto", "operator")] {
        let user = json!({"username": name, "password": PASSWORD, "role": role});
        let (status, body) = api.post("/api/v1/users", user).await;
        assert_eq!(status, 201, "{body}");
        others.push(common::server::Session::login(&a.base, name, PASSWORD).await);
    }
    let (_, hosts) = api.get("/api/v1/hosts").await;
    let bravo_id = host_entry(&hosts, "bravo")["id"]
        .as_str()
        .unwrap()
        .to_string();

    // A launch on bravo, in the shared history.
    let (status, launched) = api
        .post(
            "/api/v1/hosts/bravo/launches",
            json!({"program": "sleep", "args": ["86396.5"]}),
        )
        .await;
    assert_eq!(status, 201, "{launched}");
    let launch = launched["launch"]["id"].as_i64().unwrap();
    let (status, _) = api
        .post(
            &format!("/api/v1/hosts/bravo/launches/{launch}/stop"),
            json!({"timeout_ms": 2000}),
        )
        .await;
    assert_eq!(status, 200);

    // Online hosts are refused (this one too), unknown ones are not found, and only admins
    // may remove a host.
    for name in ["bravo", "alpha"] {
        let (status, refused) = api.delete(&format!("/api/v1/hosts/{name}")).await;
        assert_eq!(status, 409, "{name}: {refused}");
        assert_eq!(refused["error"]["code"], "host_online", "{refused}");
    }
    let (_, audit) = api.get("/api/v1/audit?action=host.remove").await;
    assert_eq!(audit["events"][0]["outcome"], "denied", "{audit}");
    assert_eq!(audit["events"][0]["target"], "host alpha", "{audit}");
    let (status, unknown) = api.delete("/api/v1/hosts/nowhere").await;
    assert_eq!(status, 404, "{unknown}");
    for other in &others {
        let (status, refused) = other.delete("/api/v1/hosts/bravo").await;
        assert_eq!(status, 403, "{refused}");
        assert_eq!(refused["error"]["code"], "forbidden");
    }

    // Bravo is stopped for good: once offline, `boss hosts remove` takes it off the list.
    b.stop();
    until_offline(&api, "bravo").await;
    let cli = Cli::new(&api, &a, dirs[0].path()).await;
    let said = cli.ok(&["hosts", "remove", "bravo"]);
    assert!(said.contains("removed host 'bravo'"), "{said}");
    let (_, hosts) = api.get("/api/v1/hosts").await;
    let names: Vec<&str> = hosts["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alpha"], "{hosts}");
    let again = cli.run(&["hosts", "remove", "bravo"]);
    assert!(!again.status.success(), "a removed host is not found");

    // Its commands went with it; its history and the audit stay.
    assert_eq!(commands_of(&url, &bravo_id).await, 0, "bravo's went");
    let (_, history) = api.get("/api/v1/launches").await;
    assert!(
        history["launches"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["id"] == launch && l["host"] == "bravo"),
        "bravo's launch stays in the history: {history}"
    );
    let (_, audit) = api.get("/api/v1/audit?action=host.remove").await;
    let row = &audit["events"][0];
    assert_eq!(row["outcome"], "success", "{row}");
    assert_eq!(row["actor"], "alice");
    assert_eq!(row["target"], "host bravo");
    assert_eq!(row["detail"]["id"], bravo_id.as_str());

    // Bravo comes back after all: it registers again as the same host.
    let b = host("bravo", dirs[1].path(), &url, "");
    let (_, hosts) = api.get("/api/v1/hosts").await;
    assert_eq!(host_entry(&hosts, "bravo")["online"], true, "{hosts}");
    assert_eq!(host_entry(&hosts, "bravo")["id"], bravo_id.as_str());
    drop((a, b));
}

/// A pool of one connection to the fleet's database at `url`, to read or change it as the
/// test's role.
async fn one_connection(url: &str) -> sqlx::PgPool {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap()
}

/// How many commands to or from host `id` the database at `url` holds.
async fn commands_of(url: &str, id: &str) -> i64 {
    let pool = one_connection(url).await;
    let count =
        sqlx::query_scalar("SELECT count(*) FROM commands WHERE host_id = $1 OR origin_id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    pool.close().await;
    count
}

/// `boss db fleet-host NAME` as the tables' owner; the role's URL.
fn host_role(owner_url: &str, name: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_boss"))
        .args(["db", "fleet-host", name])
        .env("BOSS_DATABASE_URL", owner_url)
        .env_remove("BOSS_DATA_DIR")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let role = format!("boss_host_{name}");
    assert!(said.contains(&role), "{said}");
    // The throwaway cluster trusts local connections: the password is not needed here.
    owner_url.replacen("postgres@", &format!("{role}@"), 1)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hosts_own_database_role_writes_only_its_own_row_and_sees_only_its_own_commands() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let owner = pg.create_database("roles");
    let alpha_url = host_role(&owner, "alpha");
    let bravo_url = host_role(&owner, "bravo");
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let a = host("alpha", dirs[0].path(), &alpha_url, "");
    let b = host("bravo", dirs[1].path(), &bravo_url, "");

    // The protocol works under the policies: alpha reads bravo's machine.
    let api = a.register("alice", PASSWORD).await;
    let (status, body) = api.get("/api/v1/hosts/bravo/system").await;
    assert_eq!(status, 200, "{body}");

    // What alpha's role may not do.
    let as_alpha = one_connection(&alpha_url).await;
    let as_owner = one_connection(&owner).await;
    let bravo_id: String = sqlx::query_scalar("SELECT id FROM hosts WHERE name = 'bravo'")
        .fetch_one(&as_alpha)
        .await
        .unwrap();
    let offline = sqlx::query("UPDATE hosts SET last_seen = 0 WHERE name = 'bravo'")
        .execute(&as_alpha)
        .await
        .unwrap();
    assert_eq!(offline.rows_affected(), 0, "alpha cannot touch bravo's row");
    let forged = sqlx::query(
        "INSERT INTO commands (host_id, origin_id, origin_name, user_id, method, path, \
         created_at, deadline) VALUES ($1, $1, 'bravo', 1, 'GET', 'processes', 0, 0)",
    )
    .bind(&bravo_id)
    .execute(&as_alpha)
    .await;
    assert!(
        forged.is_err(),
        "alpha cannot send commands in bravo's name"
    );
    sqlx::query(
        "INSERT INTO commands (host_id, origin_id, origin_name, user_id, method, path, \
         created_at, deadline) VALUES ($1, $1, 'bravo', 1, 'GET', 'processes', 0, 0)",
    )
    .bind(&bravo_id)
    .execute(&as_owner)
    .await
    .unwrap();
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM commands WHERE origin_id = $1")
        .bind(&bravo_id)
        .fetch_one(&as_alpha)
        .await
        .unwrap();
    assert_eq!(seen, 0, "alpha does not see bravo's own commands");
    let claimed =
        sqlx::query("UPDATE commands SET state = 'running' WHERE host_id = $1 AND origin_id = $1")
            .bind(&bravo_id)
            .execute(&as_alpha)
            .await
            .unwrap();
    assert_eq!(
        claimed.rows_affected(),
        0,
        "alpha cannot claim bravo's commands"
    );
    let answered = sqlx::query("UPDATE commands SET state = 'done' WHERE host_id = $1")
        .bind(&bravo_id)
        .execute(&as_alpha)
        .await;
    assert!(
        answered.is_err(),
        "alpha cannot answer for bravo, even its own requests"
    );
    as_alpha.close().await;
    as_owner.close().await;

    // Yet alpha's role may remove bravo once bravo is offline, with the commands it left.
    b.stop();
    until_offline(&api, "bravo").await;
    let (status, removed) = api.delete("/api/v1/hosts/bravo").await;
    assert_eq!(status, 200, "{removed}");
    assert!(
        removed["commands_removed"].as_u64().unwrap() >= 2,
        "{removed}"
    );
    assert_eq!(commands_of(&owner, &bravo_id).await, 0, "bravo's went");
    drop(a);
}

//! The client commands: each asks the server, then prints a table (or JSON with `--json`).

use std::io::BufRead;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::table::{self, bytes, duration};
use super::{Client, ClientConfig, ClientError, ClientResult};

/// Where the server is and how to authenticate (flags, then `BOSS_*`, then `boss login`'s file).
///
/// There is no `--token` flag: every local user (and every Boss viewer) can read command
/// lines, so the token comes from a file, the `BOSS_TOKEN` environment variable, or the file
/// `boss login` wrote.
#[derive(Debug, Args, Clone)]
pub struct Connection {
    /// The server's URL [default: what `boss login` saved, else http://127.0.0.1:8350]
    #[arg(long, env = "BOSS_SERVER", global = true)]
    pub server: Option<String>,
    /// Read the API token from this file [default: $BOSS_TOKEN, else what `boss login` saved]
    #[arg(long, global = true, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
    /// `BOSS_TOKEN`, read from the environment only.
    #[arg(skip = std::env::var("BOSS_TOKEN").ok().filter(|t| !t.is_empty()))]
    pub token_env: Option<String>,
}

impl Connection {
    fn client(&self) -> ClientResult<Client> {
        let saved = ClientConfig::load();
        let server = self
            .server
            .clone()
            .or(saved.server)
            .unwrap_or_else(|| format!("http://{}", crate::config::DEFAULT_BIND));
        let token = match &self.token_file {
            Some(path) => Some(read_token_file(path)?),
            None => self.token_env.clone().or(saved.token),
        };
        Ok(Client::new(&server, token))
    }
}

/// The token in `path`, without surrounding whitespace.
fn read_token_file(path: &Path) -> ClientResult<String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ClientError::Usage(format!(
            "cannot read the token file '{}': {e}",
            path.display()
        ))
    })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(ClientError::Usage(format!(
            "the token file '{}' is empty: it should hold an API token (boss_...)",
            path.display()
        )));
    }
    Ok(token.to_string())
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Log in once and save an API token for the other commands.
    Login {
        /// Your Boss user name.
        #[arg(long, short)]
        user: String,
        /// Read the password from this variable rather than from standard input.
        #[arg(long, default_value = "BOSS_PASSWORD")]
        password_env: String,
        /// Let the saved token expire after this many days (1 to 3650); default: never.
        #[arg(long, value_parser = clap::value_parser!(i64).range(1..=3650))]
        expires_in_days: Option<i64>,
    },
    /// List processes.
    Ps {
        /// Only processes whose name, command line, user or PID contains this.
        filter: Option<String>,
        /// Sort by pid, name, user, cpu, mem, threads or start (biggest first for numbers).
        #[arg(long, default_value = "pid")]
        sort: String,
        /// Show parents with their children indented.
        #[arg(long)]
        tree: bool,
        /// Include kernel threads.
        #[arg(long, short)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// End a process: TERM, then KILL after the timeout (or send one --signal).
    Kill {
        pid: u32,
        /// Send just this signal (TERM, KILL, STOP, CONT, HUP, INT, USR1, USR2).
        #[arg(long, short)]
        signal: Option<String>,
        /// Also its descendants.
        #[arg(long)]
        tree: bool,
        /// How long to wait after TERM before KILL.
        #[arg(long, default_value_t = 5000)]
        timeout_ms: u64,
        #[arg(long)]
        json: bool,
    },
    /// List the desktop's windows.
    Windows {
        #[arg(long)]
        json: bool,
    },
    /// Close a window gracefully (as its close button would), or all of them.
    Close {
        /// A window id (decimal or 0x-hex), as `boss windows` shows.
        id: Option<String>,
        /// Every window but the protected ones and dialogs.
        #[arg(long, conflicts_with = "id")]
        all: bool,
        /// Only show what would happen.
        #[arg(long, requires = "all")]
        dry_run: bool,
        #[arg(long, default_value_t = 5000)]
        timeout_ms: u64,
        #[arg(long)]
        json: bool,
    },
    /// List installed applications.
    Apps {
        /// Only those matching this text.
        search: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Launch an installed application (`boss launch APP [FILES]`) or any program
    /// (`boss launch -- PROGRAM ARGS...`). Options go before APP or `--`.
    Launch {
        /// An application id (see `boss apps`), or after `--` a program and its arguments.
        #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        words: Vec<String>,
        /// The working directory for a program.
        #[arg(long)]
        cwd: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show the launch history.
    History {
        /// Since when (RFC 3339, e.g. 2026-11-01T00:00:00Z).
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        until: Option<String>,
        /// Only this application (id or name).
        #[arg(long)]
        app: Option<String>,
        /// Only launches by this user.
        #[arg(long)]
        user: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Print CSV (all matching launches, at most 100000 rows, newest first).
        #[arg(long, conflicts_with = "json")]
        csv: bool,
        #[arg(long)]
        json: bool,
    },
}

fn print_json(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

fn text(value: &Value) -> String {
    match value {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn query(pairs: &[(&str, &Option<String>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", encode(v))))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

pub async fn run(command: ClientCommand, connection: Connection) -> ClientResult<()> {
    let client = connection.client()?;
    match command {
        ClientCommand::Login {
            user,
            password_env,
            expires_in_days,
        } => login(&client, &user, &password_env, expires_in_days).await,
        ClientCommand::Ps {
            filter,
            sort,
            tree,
            all,
            json,
        } => ps(&client, filter, &sort, tree, all, json).await,
        ClientCommand::Kill {
            pid,
            signal,
            tree,
            timeout_ms,
            json,
        } => {
            let reply = match signal {
                Some(signal) => {
                    client
                        .post(
                            &format!("/api/v1/processes/{pid}/signal"),
                            json!({"signal": signal, "tree": tree}),
                        )
                        .await?
                }
                None => {
                    let body = json!({"timeout_ms": timeout_ms, "tree": tree});
                    client
                        .post(&format!("/api/v1/processes/{pid}/terminate"), body)
                        .await?
                }
            };
            if json {
                print_json(&reply);
            } else {
                for r in reply["results"].as_array().into_iter().flatten() {
                    let message = r["message"]
                        .as_str()
                        .map(|m| format!(" ({m})"))
                        .unwrap_or_default();
                    println!(
                        "{} {}: {}{message}",
                        r["pid"],
                        text(&r["name"]),
                        text(&r["outcome"])
                    );
                }
            }
            let ok = ["signalled", "terminated", "killed"]
                .contains(&reply["outcome"].as_str().unwrap_or(""));
            if ok {
                Ok(())
            } else {
                Err(ClientError::Failed(format!(
                    "process {pid}: {}",
                    text(&reply["outcome"])
                )))
            }
        }
        ClientCommand::Windows { json } => {
            let list = client.get("/api/v1/windows").await?;
            if json {
                print_json(&list);
                return Ok(());
            }
            if list["available"] != true {
                return Err(ClientError::Failed(format!(
                    "no desktop to show: {}",
                    text(&list["reason"])
                )));
            }
            let rows: Vec<Vec<String>> = list["windows"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|w| {
                    let state = if w["minimized"] == true {
                        "minimized"
                    } else if w["active"] == true {
                        "active"
                    } else {
                        ""
                    };
                    let protected = if w["protected"].is_string() {
                        "protected"
                    } else {
                        ""
                    };
                    vec![
                        text(&w["id_hex"]),
                        text(&w["pid"]),
                        text(&w["class"]),
                        state.into(),
                        protected.into(),
                        text(&w["title"]),
                    ]
                })
                .collect();
            table::print(&["ID", "PID", "CLASS", "STATE", "", "TITLE"], &rows);
            Ok(())
        }
        ClientCommand::Close {
            id,
            all,
            dry_run,
            timeout_ms,
            json,
        } => {
            if all {
                let report = client
                    .post(
                        "/api/v1/windows/close-all",
                        json!({"dry_run": dry_run, "timeout_ms": timeout_ms}),
                    )
                    .await?;
                if json {
                    print_json(&report);
                    return Ok(());
                }
                let rows: Vec<Vec<String>> = report["results"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| {
                        vec![
                            text(&r["window"]["id_hex"]),
                            text(&r["outcome"]),
                            text(&r["window"]["class"]),
                            text(&r["window"]["title"]),
                        ]
                    })
                    .collect();
                table::print(&["ID", "OUTCOME", "CLASS", "TITLE"], &rows);
                return Ok(());
            }
            let id = id.ok_or_else(|| ClientError::Usage("give a window id, or --all".into()))?;
            let reply = client
                .post(
                    &format!("/api/v1/windows/{id}/close"),
                    json!({"timeout_ms": timeout_ms}),
                )
                .await?;
            if json {
                print_json(&reply);
            } else {
                println!(
                    "{} ({}): {}",
                    id,
                    text(&reply["window"]["title"]),
                    text(&reply["outcome"])
                );
            }
            if reply["outcome"] == "closed" {
                Ok(())
            } else {
                Err(ClientError::Failed(format!(
                    "window {id}: {}",
                    text(&reply["outcome"])
                )))
            }
        }
        ClientCommand::Apps { search, json } => {
            let list = client
                .get(&format!("/api/v1/apps{}", query(&[("q", &search)])))
                .await?;
            if json {
                print_json(&list);
                return Ok(());
            }
            let rows: Vec<Vec<String>> = list["apps"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| vec![text(&a["id"]), text(&a["name"]), text(&a["comment"])])
                .collect();
            table::print(&["ID", "NAME", "DESCRIPTION"], &rows);
            Ok(())
        }
        ClientCommand::Launch { words, cwd, json } => {
            // clap drops the `--`: a first word containing '/' or not in the catalog is a program.
            let reply = launch(&client, words, cwd).await?;
            if json {
                print_json(&reply);
            } else {
                let l = &reply["launch"];
                println!(
                    "launched {} (launch {}, PID {})",
                    text(&l["app_name"]),
                    l["id"],
                    text(&l["pid"])
                );
            }
            Ok(())
        }
        ClientCommand::History {
            since,
            until,
            app,
            user,
            limit,
            csv,
            json,
        } => {
            let filters = query(&[
                ("since", &since),
                ("until", &until),
                ("app", &app),
                ("user", &user),
            ]);
            if csv {
                print!(
                    "{}",
                    client
                        .get_text(&format!("/api/v1/launches.csv{filters}"))
                        .await?
                );
                return Ok(());
            }
            let separator = if filters.is_empty() { "?" } else { "&" };
            let page = client
                .get(&format!(
                    "/api/v1/launches{filters}{separator}limit={limit}"
                ))
                .await?;
            if json {
                print_json(&page);
                return Ok(());
            }
            let rows: Vec<Vec<String>> = page["launches"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|l| {
                    vec![
                        text(&l["id"]),
                        text(&l["started_at"]),
                        text(&l["user"]),
                        text(&l["outcome"]),
                        duration(l["duration_ms"].as_i64().unwrap_or(0)),
                        text(&l["pid"]),
                        l["argv"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(text)
                            .collect::<Vec<_>>()
                            .join(" "),
                    ]
                })
                .collect();
            table::print(
                &["ID", "STARTED", "USER", "OUTCOME", "RAN", "PID", "COMMAND"],
                &rows,
            );
            Ok(())
        }
    }
}

async fn launch(client: &Client, words: Vec<String>, cwd: Option<String>) -> ClientResult<Value> {
    let first = words.first().cloned().unwrap_or_default();
    let is_app = !first.contains('/') && {
        let list = client
            .get(&format!("/api/v1/apps?q={}", encode(&first)))
            .await?;
        list["apps"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|a| a["id"] == first.as_str())
    };
    if is_app {
        client
            .post(
                &format!("/api/v1/apps/{}/launch", encode(&first)),
                json!({"args": words[1..]}),
            )
            .await
    } else {
        client
            .post(
                "/api/v1/launches",
                json!({"program": first, "args": words[1..], "cwd": cwd}),
            )
            .await
    }
}

async fn login(
    client: &Client,
    user: &str,
    password_env: &str,
    expires_in_days: Option<i64>,
) -> ClientResult<()> {
    let password = match std::env::var(password_env) {
        Ok(password) => password,
        Err(_) => {
            eprint!("Password for {user} at {}: ", client.server);
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| ClientError::Failed(format!("reading the password: {e}")))?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    // A session just long enough to make a token.
    let http = reqwest::Client::new();
    let response = http
        .post(format!("{}/api/v1/auth/login", client.server))
        .json(&json!({"username": user, "password": password}))
        .send()
        .await
        .map_err(|e| ClientError::Unreachable {
            server: client.server.clone(),
            reason: super::root_cause(&e),
        })?;
    if !response.status().is_success() {
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let message = body["error"]["message"]
            .as_str()
            .unwrap_or("login refused")
            .to_string();
        return Err(if status == 401 {
            ClientError::Unauthorized { message }
        } else {
            ClientError::Refused {
                status,
                code: text(&body["error"]["code"]),
                message,
            }
        });
    }
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("boss_session="))
        .and_then(|v| v.split(';').next())
        .ok_or_else(|| ClientError::Failed("the server set no session".into()))?
        .to_string();
    let host = platform::hostname().unwrap_or_else(|| "this machine".into());
    // Minting a token needs the password again (step-up), the one just typed.
    let response = http
        .post(format!("{}/api/v1/tokens", client.server))
        .header("cookie", &cookie)
        .json(&json!({
            "name": format!("boss CLI on {host}"),
            "password": password,
            "expires_in_days": expires_in_days,
        }))
        .send()
        .await
        .map_err(|e| ClientError::Failed(e.to_string()))?;
    let status = response.status().as_u16();
    let token: Value = response
        .json()
        .await
        .map_err(|e| ClientError::Failed(e.to_string()))?;
    // The session was only needed to make the token.
    let _ = http
        .post(format!("{}/api/v1/auth/logout", client.server))
        .header("cookie", &cookie)
        .send()
        .await;
    if status != 201 {
        return Err(ClientError::Refused {
            status,
            code: text(&token["error"]["code"]),
            message: token["error"]["message"]
                .as_str()
                .unwrap_or("the server refused to create a token")
                .to_string(),
        });
    }
    let secret = token["secret"]
        .as_str()
        .ok_or_else(|| ClientError::Failed("no token in the answer".into()))?;
    let config = ClientConfig {
        server: Some(client.server.clone()),
        token: Some(secret.to_string()),
    };
    let path = config
        .save()
        .map_err(|e| ClientError::Failed(format!("cannot save the token: {e}")))?;
    println!(
        "logged in to {} as {user}; token saved in {}",
        client.server,
        path.display()
    );
    Ok(())
}

async fn ps(
    client: &Client,
    filter: Option<String>,
    sort: &str,
    tree: bool,
    all: bool,
    json: bool,
) -> ClientResult<()> {
    let list = client.get("/api/v1/processes").await?;
    let needle = filter.map(|f| f.to_lowercase());
    let mut rows: Vec<&Value> = list["processes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| all || p["kernel_thread"] != true)
        .filter(|p| {
            needle.as_ref().is_none_or(|n| {
                [&p["name"], &p["cmdline"], &p["user"], &p["pid"]]
                    .iter()
                    .any(|v| text(v).to_lowercase().contains(n.as_str()))
            })
        })
        .collect();
    let number = |p: &Value, key: &str| p[key].as_f64().unwrap_or(0.0);
    match sort {
        "pid" => {}
        "name" | "user" => rows.sort_by_key(|p| text(&p[sort]).to_lowercase()),
        "cpu" => rows.sort_by(|a, b| number(b, "cpu_percent").total_cmp(&number(a, "cpu_percent"))),
        "mem" => {
            rows.sort_by(|a, b| number(b, "memory_bytes").total_cmp(&number(a, "memory_bytes")))
        }
        "threads" => rows.sort_by(|a, b| number(b, "threads").total_cmp(&number(a, "threads"))),
        "start" => rows.sort_by_key(|p| text(&p["started_at"])),
        other => {
            return Err(ClientError::Usage(format!(
                "cannot sort by '{other}': use pid, name, user, cpu, mem, threads or start"
            )));
        }
    }
    if tree {
        rows = tree_order(rows);
    }
    if json {
        print_json(&Value::Array(rows.into_iter().cloned().collect()));
        return Ok(());
    }
    let depth = depths(&rows);
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|p| {
            let indent = if tree {
                "  ".repeat(
                    depth
                        .get(&p["pid"].as_u64().unwrap_or(0))
                        .copied()
                        .unwrap_or(0),
                )
            } else {
                String::new()
            };
            vec![
                text(&p["pid"]),
                text(&p["user"]),
                format!("{:.1}", number(p, "cpu_percent")),
                bytes(p["memory_bytes"].as_u64().unwrap_or(0)),
                text(&p["state"]),
                format!(
                    "{indent}{}",
                    if text(&p["cmdline"]).is_empty() {
                        format!("[{}]", text(&p["name"]))
                    } else {
                        text(&p["cmdline"])
                    }
                ),
            ]
        })
        .collect();
    table::print(&["PID", "USER", "CPU%", "MEM", "STATE", "COMMAND"], &table);
    Ok(())
}

/// Parents before their children, siblings in the current order.
fn tree_order(rows: Vec<&Value>) -> Vec<&Value> {
    let pids: std::collections::HashSet<u64> =
        rows.iter().filter_map(|p| p["pid"].as_u64()).collect();
    let mut children: std::collections::HashMap<u64, Vec<&Value>> =
        std::collections::HashMap::new();
    let mut roots = Vec::new();
    for p in rows {
        let parent = p["ppid"].as_u64().unwrap_or(0);
        if pids.contains(&parent) && parent != p["pid"].as_u64().unwrap_or(0) {
            children.entry(parent).or_default().push(p);
        } else {
            roots.push(p);
        }
    }
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = roots.into_iter().rev().collect();
    while let Some(p) = stack.pop() {
        out.push(p);
        if let Some(kids) = children.remove(&p["pid"].as_u64().unwrap_or(0)) {
            stack.extend(kids.into_iter().rev());
        }
    }
    out
}

fn depths(rows: &[&Value]) -> std::collections::HashMap<u64, usize> {
    let parent: std::collections::HashMap<u64, u64> = rows
        .iter()
        .filter_map(|p| Some((p["pid"].as_u64()?, p["ppid"].as_u64()?)))
        .collect();
    rows.iter()
        .filter_map(|p| p["pid"].as_u64())
        .map(|pid| {
            let (mut depth, mut at) = (0, pid);
            while let Some(&up) = parent.get(&at) {
                if up == at || depth > 64 || !parent.contains_key(&up) {
                    break;
                }
                depth += 1;
                at = up;
            }
            (pid, depth)
        })
        .collect()
}

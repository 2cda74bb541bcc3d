//! `boss managed`: programs the server keeps running; list, add, start, stop, restart, show
//! the log, remove.

use clap::{Args, Subcommand};

use super::{Client, ClientError, ClientResult, cell, encode, label, print_json, print_listing};
use crate::http::managed::{ManagedBody, ManagedCreated, ManagedList};
use crate::managed::ManagedView;

#[derive(Debug, Args)]
pub struct ManagedArgs {
    #[command(subcommand)]
    command: Option<ManagedCommand>,
}

#[derive(Debug, Subcommand)]
enum ManagedCommand {
    /// Keep a program running: `boss managed add NAME -- PROGRAM ARGS...` (no shell).
    Add {
        name: String,
        /// The working directory (default: the server's home directory).
        #[arg(long)]
        cwd: Option<String>,
        /// The policy as JSON, e.g. '{"restart": "always", "max_restarts": 5}' (absent fields
        /// take their defaults).
        #[arg(long, value_name = "JSON")]
        policy: Option<String>,
        /// The program and its arguments, after `--`.
        #[arg(last = true, required = true, num_args = 1..)]
        argv: Vec<String>,
    },
    /// Start a managed app (the restart counters start afresh).
    Start { name: String },
    /// Stop a managed app (its whole process tree); it stays stopped.
    Stop { name: String },
    /// Stop and start a managed app.
    Restart { name: String },
    /// Print the last lines of a managed app's output.
    Logs {
        name: String,
        /// How many lines (1 to 10000).
        #[arg(long, default_value_t = 100)]
        tail: usize,
        /// Then keep printing the output as it is written, as `tail -f` (until Ctrl-C).
        #[arg(long, short)]
        follow: bool,
    },
    /// Stop a managed app and forget it (its launch history stays).
    Remove { name: String },
}

pub async fn managed(client: &Client, args: ManagedArgs, json: bool) -> ClientResult<()> {
    let Some(command) = args.command else {
        return list(client, json).await;
    };
    match command {
        ManagedCommand::Add {
            name,
            cwd,
            policy,
            argv,
        } => {
            let policy = policy
                .map(|text| {
                    serde_json::from_str(&text)
                        .map_err(|e| ClientError::Usage(format!("--policy is not valid JSON: {e}")))
                })
                .transpose()?;
            let body = ManagedBody {
                name,
                desktop_id: None,
                argv,
                cwd,
                env: Default::default(),
                policy,
            };
            let created: ManagedCreated = client.post("/api/v1/managed", &body).await?;
            show(&created.app, json);
            Ok(())
        }
        ManagedCommand::Start { name } => control(client, &name, "start", json).await,
        ManagedCommand::Stop { name } => control(client, &name, "stop", json).await,
        ManagedCommand::Restart { name } => control(client, &name, "restart", json).await,
        ManagedCommand::Logs {
            name,
            tail,
            follow: true,
        } => {
            if json {
                return Err(ClientError::Usage(
                    "--follow prints the output as it comes; it has no --json form".into(),
                ));
            }
            let app = find(client, &name).await?;
            let path = format!("/api/v1/managed/{}/logs?tail={tail}&follow=true", app.id);
            let mut response = client.get_response(&path).await?;
            let mut out = std::io::stdout();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| ClientError::Failed(format!("the log stream broke: {e}")))?
            {
                use std::io::Write;
                let _ = out.write_all(&chunk);
                let _ = out.flush();
            }
            Ok(())
        }
        ManagedCommand::Logs { name, tail, .. } => {
            let app = find(client, &name).await?;
            let text = client
                .get_text(&format!("/api/v1/managed/{}/logs?tail={tail}", app.id))
                .await?;
            if json {
                print_json(&serde_json::json!({ "id": app.id, "log": text }));
            } else {
                print!("{text}");
            }
            Ok(())
        }
        ManagedCommand::Remove { name } => {
            let app = find(client, &name).await?;
            client
                .delete(&format!("/api/v1/managed/{}", app.id))
                .await?;
            if json {
                print_json(&serde_json::json!({ "removed": app.id }));
            } else {
                println!("removed {} (managed app {})", app.name, app.id);
            }
            Ok(())
        }
    }
}

async fn list(client: &Client, json: bool) -> ClientResult<()> {
    let list: ManagedList = client.get("/api/v1/managed").await?;
    let header = ["ID", "NAME", "STATE", "PID", "RESTARTS", "COMMAND"];
    print_listing(&list, json, &header, || {
        let row = |a: &ManagedView| {
            vec![
                a.id.to_string(),
                a.name.clone(),
                state_text(a),
                cell(a.pid),
                a.restarts.to_string(),
                a.argv.join(" "),
            ]
        };
        list.apps.iter().map(row).collect()
    });
    Ok(())
}

/// `backoff (attempt 2/10, next 2026-...)`, `errored: restarted 10 times ...`, `running`.
fn state_text(app: &ManagedView) -> String {
    let state = label(&app.state);
    match (&app.next_start_at, app.attempt, &app.reason) {
        (Some(next), Some(attempt), _) => format!(
            "{state} (attempt {attempt}/{}, at {next})",
            app.policy.max_restarts
        ),
        (_, _, Some(reason)) if state == "errored" => format!("{state}: {reason}"),
        _ => state,
    }
}

fn show(app: &ManagedView, json: bool) {
    if json {
        print_json(app);
    } else {
        println!(
            "{} (managed app {}): {}, PID {}",
            app.name,
            app.id,
            state_text(app),
            cell(app.pid)
        );
    }
}

/// The managed app named `name` (or with that id).
async fn find(client: &Client, name: &str) -> ClientResult<ManagedView> {
    let list: ManagedList = client.get("/api/v1/managed").await?;
    list.apps
        .into_iter()
        .find(|a| a.name == name || a.id.to_string() == name)
        .ok_or_else(|| ClientError::Failed(format!("no managed app named '{name}'")))
}

async fn control(client: &Client, name: &str, verb: &str, json: bool) -> ClientResult<()> {
    let app = find(client, name).await?;
    let path = format!("/api/v1/managed/{}/{}", encode(&app.id.to_string()), verb);
    let view: ManagedView = client.post(&path, &serde_json::json!({})).await?;
    show(&view, json);
    Ok(())
}

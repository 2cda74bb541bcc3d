//! `boss sessions` and `boss session save|restore`: saved desks.

use clap::{Args, Subcommand};

use super::{Client, ClientError, ClientResult, cell, label, print_json, print_listing};
use crate::actions::sessions::{RestoreOutcome, RestoreReport, RestoreResult};
use crate::http::sessions::{
    RestoreRequest, SessionCreated, SessionList, SessionName, SessionView,
};

#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// Save the open apps and windows now, under NAME.
    Save { name: String },
    /// Start what a saved session had open (never a second copy of a running app) and put
    /// its windows back.
    Restore(RestoreArgs),
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The session's name (the newest of that name) or id, as `boss sessions` shows.
    session: String,
    /// Only show the plan.
    #[arg(long)]
    dry_run: bool,
    /// How long to wait for the started apps' windows.
    #[arg(long, default_value_t = 20000)]
    timeout_ms: u64,
}

pub async fn list(client: &Client, json: bool) -> ClientResult<()> {
    let list: SessionList = client.get("/api/v1/sessions").await?;
    let header = ["ID", "CREATED", "BY", "KIND", "APPS", "WINDOWS", "NAME"];
    print_listing(&list, json, &header, || {
        list.sessions.iter().map(row).collect()
    });
    Ok(())
}

fn row(s: &SessionView) -> Vec<String> {
    vec![
        s.id.to_string(),
        s.created_at.clone(),
        s.created_by.clone(),
        label(&s.kind),
        s.apps.to_string(),
        s.windows.to_string(),
        s.name.clone(),
    ]
}

pub async fn run(client: &Client, command: SessionCommand, json: bool) -> ClientResult<()> {
    match command {
        SessionCommand::Save { name } => {
            let created: SessionCreated = client
                .post("/api/v1/sessions", &SessionName { name })
                .await?;
            if json {
                print_json(&created);
            } else {
                let s = &created.session;
                println!(
                    "saved session {} '{}': {} apps, {} windows",
                    s.id, s.name, s.apps, s.windows
                );
            }
            Ok(())
        }
        SessionCommand::Restore(args) => restore(client, args, json).await,
    }
}

/// The id of the session named or numbered `which`.
async fn resolve(client: &Client, which: &str) -> ClientResult<i64> {
    if let Ok(id) = which.parse() {
        return Ok(id);
    }
    let list: SessionList = client.get("/api/v1/sessions").await?;
    // Newest first: the latest session of that name.
    list.sessions
        .iter()
        .find(|s| s.name == which)
        .map(|s| s.id)
        .ok_or_else(|| {
            ClientError::Failed(format!("no session named '{which}' (see `boss sessions`)"))
        })
}

async fn restore(client: &Client, args: RestoreArgs, json: bool) -> ClientResult<()> {
    let id = resolve(client, &args.session).await?;
    let body = RestoreRequest {
        dry_run: args.dry_run,
        timeout_ms: Some(args.timeout_ms),
    };
    let report: RestoreReport = client
        .post(&format!("/api/v1/sessions/{id}/restore"), &body)
        .await?;
    let header = ["APP", "OUTCOME", "LAUNCH", "REASON", "WINDOWS"];
    print_listing(&report, json, &header, || {
        let row = |r: &RestoreResult| {
            let titles: Vec<&str> = r.windows.iter().map(|w| w.title.as_str()).collect();
            vec![
                r.key.clone(),
                label(&r.outcome),
                cell(r.launch_id),
                cell(r.reason.clone()),
                titles.join(", "),
            ]
        };
        report.results.iter().map(row).collect()
    });
    let failed = report
        .results
        .iter()
        .filter(|r| matches!(r.outcome, RestoreOutcome::Failed | RestoreOutcome::Timeout))
        .count();
    if failed > 0 {
        return Err(ClientError::Failed(format!(
            "{failed} app(s) of session {id} did not come back"
        )));
    }
    Ok(())
}

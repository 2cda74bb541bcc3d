//! `boss windows` and `boss close`: the desktop's windows and closing them politely.

use clap::Args;

use super::table;
use super::{Client, ClientError, ClientResult, cell, encode, label, print_json, print_listing};
use crate::actions::windows::{CloseAllReport, WindowOutcome, WindowResult};
use crate::http::windows::{CloseAllRequest, WindowRequest};
use crate::windows::WindowListView;

#[derive(Debug, Args)]
pub struct CloseArgs {
    /// A window id as `boss windows` shows it (e.g. x11:0x01a00007).
    id: Option<String>,
    /// Every window but the protected ones and dialogs.
    #[arg(long, conflicts_with = "id")]
    all: bool,
    /// Only show what would happen.
    #[arg(long, requires = "all")]
    dry_run: bool,
    #[arg(long, default_value_t = 5000)]
    timeout_ms: u64,
}

pub async fn windows(client: &Client, json: bool) -> ClientResult<()> {
    let list: WindowListView = client.get("/api/v1/windows").await?;
    if json {
        print_json(&list);
        return Ok(());
    }
    if !list.available {
        return Err(ClientError::Failed(format!(
            "no desktop to show: {}",
            cell(list.reason)
        )));
    }
    let rows: Vec<Vec<String>> = list
        .windows
        .iter()
        .map(|w| {
            let state = if w.minimized {
                "minimized"
            } else if w.active {
                "active"
            } else {
                ""
            };
            let protected = if w.protected.is_some() {
                "protected"
            } else {
                ""
            };
            // An X11 application in a Wayland session: its class is an X11 class.
            let class = if w.xwayland {
                format!("{} (Xwayland)", w.class)
            } else {
                w.class.clone()
            };
            vec![
                w.id.to_string(),
                cell(w.pid),
                class,
                state.into(),
                protected.into(),
                w.title.clone(),
            ]
        })
        .collect();
    // The desktop in words, and what it cannot do, above the table.
    let caps = list.capabilities;
    let missing: Vec<&str> = [
        ("close", caps.close),
        ("activate", caps.activate),
        ("minimize", caps.minimize),
        ("tell PIDs", caps.pid),
    ]
    .into_iter()
    .filter(|(_, can)| !can)
    .map(|(what, _)| what)
    .collect();
    if missing.is_empty() {
        println!("Desktop: {}", list.label);
    } else {
        println!("Desktop: {} (cannot {})", list.label, missing.join(", "));
    }
    table::print(&["ID", "PID", "CLASS", "STATE", "", "TITLE"], &rows);
    Ok(())
}

pub async fn close(client: &Client, args: CloseArgs, json: bool) -> ClientResult<()> {
    if args.all {
        let body = CloseAllRequest {
            dry_run: args.dry_run,
            timeout_ms: Some(args.timeout_ms),
        };
        let report: CloseAllReport = client.post("/api/v1/windows/close-all", &body).await?;
        print_listing(&report, json, &["ID", "OUTCOME", "CLASS", "TITLE"], || {
            let row = |r: &WindowResult| {
                vec![
                    r.window.id.to_string(),
                    label(&r.outcome),
                    r.window.class.clone(),
                    r.window.title.clone(),
                ]
            };
            report.results.iter().map(row).collect()
        });
        if !json && let Some(id) = report.session_id {
            println!("to reopen what was closed: boss session restore {id}");
        }
        return Ok(());
    }
    let id = args
        .id
        .ok_or_else(|| ClientError::Usage("give a window id, or --all".into()))?;
    let body = WindowRequest {
        timeout_ms: Some(args.timeout_ms),
        ..WindowRequest::default()
    };
    let reply: WindowResult = client
        .post(&format!("/api/v1/windows/{}/close", encode(&id)), &body)
        .await?;
    let outcome = label(&reply.outcome);
    if json {
        print_json(&reply);
    } else {
        println!("{id} ({}): {outcome}", reply.window.title);
    }
    if reply.outcome == WindowOutcome::Closed {
        Ok(())
    } else {
        Err(ClientError::Failed(format!("window {id}: {outcome}")))
    }
}

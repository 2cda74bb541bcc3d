//! `boss hosts`: the machines sharing this Boss's PostgreSQL database (on SQLite, just this
//! one), and `boss hosts remove NAME` for one gone for good. `--host NAME` on any other
//! command sends it to that host (see [`super::Client`]).

use clap::{Args, Subcommand};
use reqwest::Method;

use super::{Client, ClientResult, cell, encode, print_json, print_listing, read_json};
use crate::actions::hosts::HostRemoved;
use crate::http::hosts::{HostView, HostsView};

#[derive(Debug, Args)]
pub struct HostsArgs {
    #[command(subcommand)]
    command: Option<HostsCommand>,
}

#[derive(Debug, Subcommand)]
enum HostsCommand {
    /// Remove a host gone for good (admins): it must be offline; its launches and audit rows
    /// stay, and it registers again if it ever comes back.
    Remove {
        /// The host's name (or id), as `boss hosts` shows it.
        name: String,
    },
}

pub async fn hosts(client: &Client, args: HostsArgs, json: bool) -> ClientResult<()> {
    match args.command {
        None => list(client, json).await,
        Some(HostsCommand::Remove { name }) => remove(client, &name, json).await,
    }
}

async fn remove(client: &Client, name: &str, json: bool) -> ClientResult<()> {
    let path = format!("/api/v1/hosts/{}", encode(name));
    let response = client.send(Method::DELETE, &path, None::<&()>).await?;
    let removed: HostRemoved = read_json(response).await?;
    if json {
        print_json(&removed);
    } else {
        println!(
            "removed host '{}' ({} relayed requests with it)",
            removed.name, removed.commands_removed
        );
    }
    Ok(())
}

async fn list(client: &Client, json: bool) -> ClientResult<()> {
    let view: HostsView = client.get("/api/v1/hosts").await?;
    let header = [
        "HOST", "STATE", "CPU", "MEMORY", "PROCS", "WINDOWS", "DESKTOP", "OS",
    ];
    print_listing(&view, json, &header, || {
        view.hosts.iter().map(row).collect()
    });
    Ok(())
}

/// A host as a line of the table.
fn row(h: &HostView) -> Vec<String> {
    let state = match (h.online, h.this_host) {
        (true, true) => "online (this)",
        (true, false) => "online",
        (false, _) => "offline",
    };
    let summary = h.summary.as_ref();
    let desktop = h.capabilities["windows"]["label"]
        .as_str()
        .map(str::to_string);
    vec![
        h.name.clone(),
        state.into(),
        cell(summary.map(|s| format!("{:.0}%", s.cpu_percent))),
        cell(summary.map(|s| format!("{} MiB", s.memory_used >> 20))),
        cell(summary.map(|s| s.processes)),
        cell(summary.map(|s| s.windows)),
        cell(desktop),
        h.os.clone(),
    ]
}

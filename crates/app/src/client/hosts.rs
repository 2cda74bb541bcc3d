//! `boss hosts`: the machines sharing this Boss's PostgreSQL database (on SQLite, just this
//! one). `--host NAME` on any other command sends it to that host (see [`super::Client`]).

use super::{Client, ClientResult, cell, print_listing};
use crate::http::hosts::{HostView, HostsView};

pub async fn hosts(client: &Client, json: bool) -> ClientResult<()> {
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

//! `boss hosts`: the machines sharing this Boss's PostgreSQL database (on SQLite, just this
//! one). `--host NAME` on any other command sends it to that host (see [`super::Client`]).

use super::table;
use super::{Client, ClientResult, cell, print_json};
use crate::http::hosts::HostsView;

pub async fn hosts(client: &Client, json: bool) -> ClientResult<()> {
    let view: HostsView = client.get("/api/v1/hosts").await?;
    if json {
        print_json(&view);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = view
        .hosts
        .iter()
        .map(|h| {
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
        })
        .collect();
    table::print(
        &[
            "HOST", "STATE", "CPU", "MEMORY", "PROCS", "WINDOWS", "DESKTOP", "OS",
        ],
        &rows,
    );
    Ok(())
}

//! `boss history`: past and running launches, as a table, JSON or CSV.

use clap::Args;

use super::table::duration;
use super::{Client, ClientError, ClientResult, cell, label, print_listing, query};
use crate::http::launches::{LaunchPage, LaunchView};

#[derive(Debug, Args)]
pub struct HistoryArgs {
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
}

pub async fn history(client: &Client, args: HistoryArgs, json: bool) -> ClientResult<()> {
    // clap's `conflicts_with` catches `history --csv --json`, but not `boss --json history
    // --csv`: a global flag given before the subcommand is not seen by the subcommand's checks.
    if args.csv && json {
        return Err(ClientError::Usage(
            "--csv and --json cannot be used together".into(),
        ));
    }
    let filters = query(&[
        ("since", &args.since),
        ("until", &args.until),
        ("app", &args.app),
        ("user", &args.user),
    ]);
    if args.csv {
        print!(
            "{}",
            client
                .get_text(&format!("/api/v1/launches.csv{filters}"))
                .await?
        );
        return Ok(());
    }
    let separator = if filters.is_empty() { "?" } else { "&" };
    let page: LaunchPage = client
        .get(&format!(
            "/api/v1/launches{filters}{separator}limit={}",
            args.limit
        ))
        .await?;
    let header = ["ID", "STARTED", "USER", "OUTCOME", "RAN", "PID", "COMMAND"];
    print_listing(&page, json, &header, || {
        let row = |l: &LaunchView| {
            vec![
                l.id.to_string(),
                l.started_at.clone(),
                l.user.clone(),
                label(&l.outcome),
                duration(l.duration_ms),
                cell(l.pid),
                l.argv.join(" "),
            ]
        };
        page.launches.iter().map(row).collect()
    });
    Ok(())
}

//! `boss ps` and `boss kill`: the process table and ending (or signalling) a process.

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};

use clap::Args;

use super::table::{self, bytes};
use super::{Client, ClientError, ClientResult, label, print_json};
use crate::actions::processes::ActionReport;
use crate::http::processes::{ProcessList, SignalRequest, TerminateRequest};
use crate::processes::ProcessRow;

#[derive(Debug, Args)]
pub struct PsArgs {
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
}

#[derive(Debug, Args)]
pub struct KillArgs {
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
}

pub async fn ps(client: &Client, args: PsArgs, json: bool) -> ClientResult<()> {
    let list: ProcessList = client.get("/api/v1/processes").await?;
    let needle = args.filter.map(|f| f.to_lowercase());
    let mut rows: Vec<&ProcessRow> = list
        .processes
        .iter()
        .filter(|p| args.all || !p.kernel_thread)
        .filter(|p| {
            needle.as_ref().is_none_or(|n| {
                [&p.name, &p.cmdline, &p.user, &p.pid.to_string()]
                    .iter()
                    .any(|v| v.to_lowercase().contains(n.as_str()))
            })
        })
        .collect();
    match args.sort.as_str() {
        "pid" => {}
        "name" => rows.sort_by_key(|p| p.name.to_lowercase()),
        "user" => rows.sort_by_key(|p| p.user.to_lowercase()),
        "cpu" => rows.sort_by(|a, b| b.cpu_percent.total_cmp(&a.cpu_percent)),
        "mem" => rows.sort_by_key(|p| Reverse(p.memory_bytes)),
        "threads" => rows.sort_by_key(|p| Reverse(p.threads)),
        "start" => rows.sort_by(|a, b| a.started_at.cmp(&b.started_at)),
        other => {
            return Err(ClientError::Usage(format!(
                "cannot sort by '{other}': use pid, name, user, cpu, mem, threads or start"
            )));
        }
    }
    if args.tree {
        rows = tree_order(rows);
    }
    if json {
        print_json(&rows);
        return Ok(());
    }
    let depth = depths(&rows);
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|p| {
            let indent = if args.tree {
                "  ".repeat(depth.get(&p.pid).copied().unwrap_or(0))
            } else {
                String::new()
            };
            let command = if p.cmdline.is_empty() {
                format!("[{}]", p.name)
            } else {
                p.cmdline.clone()
            };
            vec![
                p.pid.to_string(),
                p.user.clone(),
                format!("{:.1}", p.cpu_percent),
                bytes(p.memory_bytes),
                label(&p.state),
                format!("{indent}{command}"),
            ]
        })
        .collect();
    table::print(&["PID", "USER", "CPU%", "MEM", "STATE", "COMMAND"], &table);
    Ok(())
}

pub async fn kill(client: &Client, args: KillArgs, json: bool) -> ClientResult<()> {
    let pid = args.pid;
    let reply: ActionReport = match args.signal {
        Some(signal) => {
            let body = SignalRequest {
                signal,
                tree: args.tree,
                started_at: None,
            };
            client
                .post(&format!("/api/v1/processes/{pid}/signal"), &body)
                .await?
        }
        None => {
            let body = TerminateRequest {
                timeout_ms: Some(args.timeout_ms),
                tree: args.tree,
                started_at: None,
            };
            client
                .post(&format!("/api/v1/processes/{pid}/terminate"), &body)
                .await?
        }
    };
    if json {
        print_json(&reply);
    } else {
        for r in &reply.results {
            let message = r
                .message
                .as_ref()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default();
            println!("{} {}: {}{message}", r.pid, r.name, label(&r.outcome));
        }
    }
    if reply.outcome.is_done() {
        Ok(())
    } else {
        let outcome = label(&reply.outcome);
        Err(ClientError::Failed(format!("process {pid}: {outcome}")))
    }
}

/// Parents before their children, siblings in the current order.
fn tree_order(rows: Vec<&ProcessRow>) -> Vec<&ProcessRow> {
    let pids: HashSet<u32> = rows.iter().map(|p| p.pid).collect();
    let mut children: HashMap<u32, Vec<&ProcessRow>> = HashMap::new();
    let mut roots = Vec::new();
    for p in rows {
        if pids.contains(&p.ppid) && p.ppid != p.pid {
            children.entry(p.ppid).or_default().push(p);
        } else {
            roots.push(p);
        }
    }
    let mut out = Vec::new();
    let mut stack: Vec<&ProcessRow> = roots.into_iter().rev().collect();
    while let Some(p) = stack.pop() {
        out.push(p);
        if let Some(kids) = children.remove(&p.pid) {
            stack.extend(kids.into_iter().rev());
        }
    }
    out
}

/// How deep each listed process sits under its listed ancestors.
fn depths(rows: &[&ProcessRow]) -> HashMap<u32, usize> {
    let parent: HashMap<u32, u32> = rows.iter().map(|p| (p.pid, p.ppid)).collect();
    rows.iter()
        .map(|p| {
            let (mut depth, mut at) = (0, p.pid);
            while let Some(&up) = parent.get(&at) {
                if up == at || depth > 64 || !parent.contains_key(&up) {
                    break;
                }
                depth += 1;
                at = up;
            }
            (p.pid, depth)
        })
        .collect()
}

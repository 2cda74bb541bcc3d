//! `boss apps` and `boss launch`: the installed applications and starting one (or any program).

use clap::Args;

use super::{Client, ClientResult, cell, encode, print_json, print_listing, query};
use crate::http::apps::{AppList, AppView, LaunchAppRequest};
use crate::http::launches::{LaunchCreated, ProgramRequest};

#[derive(Debug, Args)]
pub struct AppsArgs {
    /// Only those matching this text.
    search: Option<String>,
}

#[derive(Debug, Args)]
pub struct LaunchArgs {
    /// An application id (see `boss apps`), or after `--` a program and its arguments.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    words: Vec<String>,
    /// The working directory for a program.
    #[arg(long)]
    cwd: Option<String>,
}

pub async fn apps(client: &Client, args: AppsArgs, json: bool) -> ClientResult<()> {
    let list: AppList = client
        .get(&format!("/api/v1/apps{}", query(&[("q", &args.search)])))
        .await?;
    print_listing(&list, json, &["ID", "NAME", "DESCRIPTION"], || {
        let row = |a: &AppView| vec![a.id.clone(), a.name.clone(), cell(a.comment.as_ref())];
        list.apps.iter().map(row).collect()
    });
    Ok(())
}

pub async fn launch(client: &Client, args: LaunchArgs, json: bool) -> ClientResult<()> {
    let created = start(client, args.words, args.cwd).await?;
    if json {
        print_json(&created);
    } else {
        let l = &created.launch;
        println!(
            "launched {} (launch {}, PID {})",
            l.app_name,
            l.id,
            cell(l.pid)
        );
    }
    Ok(())
}

/// Launches the catalog application `words[0]` with the rest as its files, or else runs
/// `words` as a program. clap drops the `--`, so a first word containing '/' or not in the
/// catalog is a program.
async fn start(
    client: &Client,
    mut words: Vec<String>,
    cwd: Option<String>,
) -> ClientResult<LaunchCreated> {
    let first = words.remove(0);
    let is_app = !first.contains('/') && {
        let list: AppList = client
            .get(&format!("/api/v1/apps?q={}", encode(&first)))
            .await?;
        list.apps.iter().any(|a| a.id == first)
    };
    if is_app {
        client
            .post(
                &format!("/api/v1/apps/{}/launch", encode(&first)),
                &LaunchAppRequest { args: words },
            )
            .await
    } else {
        let body = ProgramRequest {
            program: first,
            args: words,
            cwd,
        };
        client.post("/api/v1/launches", &body).await
    }
}

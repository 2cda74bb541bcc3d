//! `boss login`: logs in with a password once, mints an API token and saves it for the other
//! commands.

use std::io::BufRead;

use clap::Args;
use serde::Serialize;

use reqwest::Method;

use super::{Client, ClientConfig, ClientError, ClientResult, print_json};
use crate::http::auth::Credentials;
use crate::http::tokens::{CreatedToken, NewToken};

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Your Boss user name.
    #[arg(long, short)]
    user: String,
    /// Read the password from this variable rather than from standard input.
    #[arg(long, default_value = "BOSS_PASSWORD")]
    password_env: String,
    /// Let the saved token expire after this many days (1 to 3650); default: never.
    #[arg(long, value_parser = clap::value_parser!(i64).range(1..=3650))]
    expires_in_days: Option<i64>,
}

/// What `boss login --json` prints (the secret stays in the file).
#[derive(Serialize)]
struct LoggedIn<'a> {
    server: &'a str,
    user: &'a str,
    config_file: String,
    expires_at: Option<String>,
}

pub async fn login(client: &Client, args: LoginArgs, json: bool) -> ClientResult<()> {
    let user = args.user.as_str();
    let password = match std::env::var(&args.password_env) {
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
    let credentials = Credentials {
        username: user.to_string(),
        password: password.clone(),
    };
    let response = client
        .send(Method::POST, "/api/v1/auth/login", Some(&credentials))
        .await?;
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("boss_session="))
        .and_then(|v| v.split(';').next())
        .ok_or_else(|| ClientError::Failed("the server set no session".into()))?
        .to_string();
    let session = client.with_session(cookie);
    let host = platform::hostname().unwrap_or_else(|| "this machine".into());
    // Minting a token needs the password again (step-up), the one just typed.
    let new_token = NewToken {
        name: format!("boss CLI on {host}"),
        password,
        expires_in_days: args.expires_in_days,
    };
    let created = session
        .post::<_, CreatedToken>("/api/v1/tokens", &new_token)
        .await;
    // The session was only needed to make the token.
    let _ = session
        .send(Method::POST, "/api/v1/auth/logout", None::<&()>)
        .await;
    let created = created.map_err(|err| match err {
        // Even a 401 here is a refusal, not "log in first": the login just succeeded.
        ClientError::Unauthorized { message } => ClientError::Refused {
            status: 401,
            code: "unauthorized".into(),
            message,
        },
        other => other,
    })?;
    let config = ClientConfig {
        server: Some(client.server.clone()),
        token: Some(created.secret),
    };
    let path = config
        .save()
        .map_err(|e| ClientError::Failed(format!("cannot save the token: {e}")))?;
    if json {
        print_json(&LoggedIn {
            server: &client.server,
            user,
            config_file: path.display().to_string(),
            expires_at: created.token.expires_at,
        });
    } else {
        println!(
            "logged in to {} as {user}; token saved in {}",
            client.server,
            path.display()
        );
    }
    Ok(())
}

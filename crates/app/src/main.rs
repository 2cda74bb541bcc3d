#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use boss::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = match cli.command {
        Command::Client(command) => return run_client(command, cli.client),
        Command::LogWriter(args) => return run_log_writer(&args),
        command => command,
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("BOSS_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    // Before the runtime's threads exist, so that none of them gets an arena of its own.
    platform::tune_allocator();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("boss: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match command {
            Command::Serve(args) => boss::server::serve(args.into_config()?).await,
            Command::Db(command) => command.run().await,
            Command::Desktop(command) => tokio::task::spawn_blocking(|| command.run()).await?,
            Command::Client(_) | Command::LogWriter(_) => unreachable!("handled above"),
        }
    });
    // Threads still waiting on launched programs must not hold up the exit: those programs
    // outlive Boss by design, and the next start reconciles them.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // The whole cause chain: "cannot open the database ...: connection refused".
            eprintln!("boss: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Client commands print their own output and exit with codes scripts can rely on.
fn run_client(command: boss::client::ClientCommand, args: boss::client::ClientArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("boss: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(boss::client::run(command, args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("boss: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}

/// `boss log-writer`: no runtime, no logging set-up; it only copies its input into files.
fn run_log_writer(args: &boss::cli::LogWriterArgs) -> ExitCode {
    let limits = boss::logs::LogLimits {
        max_bytes: args.max_bytes,
        keep: args.keep,
    };
    if let Err(reason) = limits.check() {
        eprintln!("boss log-writer: {reason}");
        return ExitCode::from(2);
    }
    match boss::logs::run_writer(&args.file, limits) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("boss log-writer: {}: {err}", args.file.display());
            ExitCode::FAILURE
        }
    }
}

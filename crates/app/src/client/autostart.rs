//! `boss autostart enable|disable|status [--systemd]`: start `boss serve` when the user logs
//! in, so that managed apps (whose desired state is in the database) come back after a
//! reboot. XDG autostart (`$XDG_CONFIG_HOME/autostart/boss.desktop`, read by every desktop
//! session) by default; with `--systemd` a `systemd --user` unit instead. Only this user's
//! files are touched; no server is needed.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde::Serialize;

use super::{ClientError, ClientResult, print_json};

#[derive(Debug, Args)]
pub struct AutostartArgs {
    #[command(subcommand)]
    command: AutostartCommand,
}

#[derive(Debug, Subcommand)]
enum AutostartCommand {
    /// Start Boss at login: `boss autostart enable [--systemd] [-- SERVE-OPTIONS...]`.
    Enable {
        /// A systemd --user unit instead of an XDG autostart entry.
        #[arg(long)]
        systemd: bool,
        /// Options for `boss serve` (e.g. `-- --bind 127.0.0.1:8350`).
        #[arg(last = true)]
        serve_args: Vec<String>,
    },
    /// Stop starting Boss at login.
    Disable {
        #[arg(long)]
        systemd: bool,
    },
    /// Show whether Boss starts at login, and how.
    Status,
}

/// Where the files go: `$XDG_CONFIG_HOME` (else `~/.config`).
fn config_dir() -> ClientResult<PathBuf> {
    dirs::config_dir().ok_or_else(|| {
        ClientError::Failed("no configuration directory: set HOME or XDG_CONFIG_HOME".into())
    })
}

fn desktop_file(config: &Path) -> PathBuf {
    config.join("autostart").join("boss.desktop")
}

fn unit_file(config: &Path) -> PathBuf {
    config.join("systemd").join("user").join("boss.service")
}

/// The link `systemctl --user enable` would make.
fn unit_link(config: &Path) -> PathBuf {
    config
        .join("systemd")
        .join("user")
        .join("default.target.wants")
        .join("boss.service")
}

/// One word of an `Exec` line, quoted as the Desktop Entry Specification asks (and `%`
/// doubled, since it introduces field codes).
fn desktop_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+".contains(c));
    let word = word.replace('%', "%%");
    if plain {
        return word;
    }
    let mut out = String::from("\"");
    for c in word.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// One word of an `ExecStart=` line, quoted as systemd reads it (`%` and `$` are its
/// specifiers and variables, doubled to stand for themselves).
fn systemd_quote(word: &str) -> String {
    let escaped = word
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('%', "%%")
        .replace('$', "$$");
    format!("\"{escaped}\"")
}

fn command_line(serve_args: &[String], quote: fn(&str) -> String) -> ClientResult<String> {
    let exe = std::env::current_exe()
        .map_err(|e| ClientError::Failed(format!("cannot find the boss binary: {e}")))?;
    let mut words = vec![exe.display().to_string(), "serve".to_string()];
    words.extend(serve_args.iter().cloned());
    Ok(words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" "))
}

fn desktop_entry(serve_args: &[String]) -> ClientResult<String> {
    Ok(format!(
        "[Desktop Entry]\nType=Application\nName=Boss of Apps\n\
         Comment=Keeps the managed apps running\nExec={}\nTerminal=false\nNoDisplay=true\n\
         X-GNOME-Autostart-enabled=true\n",
        command_line(serve_args, desktop_quote)?
    ))
}

fn systemd_unit(serve_args: &[String]) -> ClientResult<String> {
    // The display of this session, so that apps Boss starts can open windows: a user
    // manager started at boot does not know it (`systemctl --user import-environment` would
    // have to run in every session otherwise).
    let mut environment = String::new();
    for name in ["DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY"] {
        if let Ok(value) = std::env::var(name)
            && !value.is_empty()
        {
            environment.push_str(&format!(
                "Environment={}\n",
                systemd_quote(&format!("{name}={value}"))
            ));
        }
    }
    Ok(format!(
        "[Unit]\nDescription=Boss of Apps\nAfter=graphical-session.target\n\n\
         [Service]\nExecStart={}\n{environment}Restart=on-failure\n\
         # Only Boss: the apps it keeps running live in its cgroup and must outlive a stop or\n\
         # restart of Boss, which finds them again.\nKillMode=process\n\n\
         [Install]\nWantedBy=default.target\n",
        command_line(serve_args, systemd_quote)?
    ))
}

fn io_error(what: &str, path: &Path, err: std::io::Error) -> ClientError {
    ClientError::Failed(format!("cannot {what} '{}': {err}", path.display()))
}

fn write(path: &Path, text: &str) -> ClientResult<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_error("create", dir, e))?;
    }
    std::fs::write(path, text).map_err(|e| io_error("write", path, e))
}

fn remove(path: &Path) -> ClientResult<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_error("remove", path, e)),
    }
}

/// What `status` reports.
#[derive(Debug, Serialize)]
struct Status {
    xdg: Option<PathBuf>,
    systemd: Option<PathBuf>,
    systemd_enabled: bool,
}

pub fn autostart(args: AutostartArgs, json: bool) -> ClientResult<()> {
    let config = config_dir()?;
    match args.command {
        AutostartCommand::Enable {
            systemd: false,
            serve_args,
        } => {
            let path = desktop_file(&config);
            write(&path, &desktop_entry(&serve_args)?)?;
            report(json, "enabled", &path);
        }
        AutostartCommand::Enable {
            systemd: true,
            serve_args,
        } => {
            let path = unit_file(&config);
            write(&path, &systemd_unit(&serve_args)?)?;
            let link = unit_link(&config);
            if let Some(dir) = link.parent() {
                std::fs::create_dir_all(dir).map_err(|e| io_error("create", dir, e))?;
            }
            remove(&link)?;
            platform::symlink(&path, &link).map_err(|e| io_error("link", &link, e))?;
            report(json, "enabled", &path);
            if !json {
                println!(
                    "  start it now with: systemctl --user daemon-reload && systemctl --user start boss"
                );
            }
        }
        AutostartCommand::Disable { systemd: false } => {
            let path = desktop_file(&config);
            let removed = remove(&path)?;
            report(
                json,
                if removed {
                    "disabled"
                } else {
                    "was not enabled"
                },
                &path,
            );
        }
        AutostartCommand::Disable { systemd: true } => {
            let path = unit_file(&config);
            let unlinked = remove(&unit_link(&config))?;
            let removed = remove(&path)?;
            let what = if removed || unlinked {
                "disabled"
            } else {
                "was not enabled"
            };
            report(json, what, &path);
        }
        AutostartCommand::Status => {
            let status = Status {
                xdg: Some(desktop_file(&config)).filter(|p| p.is_file()),
                systemd: Some(unit_file(&config)).filter(|p| p.is_file()),
                systemd_enabled: unit_link(&config).exists(),
            };
            if json {
                print_json(&status);
            } else {
                match &status.xdg {
                    Some(path) => println!("XDG autostart: enabled ({})", path.display()),
                    None => println!("XDG autostart: disabled"),
                }
                match (&status.systemd, status.systemd_enabled) {
                    (Some(path), true) => println!("systemd --user: enabled ({})", path.display()),
                    (Some(path), false) => {
                        println!(
                            "systemd --user: unit present, not enabled ({})",
                            path.display()
                        )
                    }
                    (None, _) => println!("systemd --user: disabled"),
                }
            }
        }
    }
    Ok(())
}

fn report(json: bool, what: &str, path: &Path) {
    if json {
        print_json(&serde_json::json!({ "result": what, "path": path }));
    } else {
        println!("autostart {what}: {}", path.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_words_are_quoted_for_each_format() {
        assert_eq!(desktop_quote("/usr/bin/boss"), "/usr/bin/boss");
        assert_eq!(desktop_quote("a b$"), "\"a b\\$\"");
        assert_eq!(desktop_quote("50%"), "\"50%%\"");
        assert_eq!(
            systemd_quote("a \"b\" $HOME 5%"),
            "\"a \\\"b\\\" $$HOME 5%%\""
        );
    }
}

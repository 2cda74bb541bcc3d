//! `boss desktop ...`: setting up the desktop session so that Boss sees its windows. Today
//! `boss desktop gnome-extension install`: GNOME Shell offers no window protocol, so Boss's
//! GNOME backend talks to an extension of its own, which this writes into the user's
//! extensions folder and enables. Runs locally, as the user whose session it is.

use anyhow::Context;
use clap::Subcommand;
use platform::{GnomeExtensionEnabled, GnomeShellFound, SessionEnv};

#[derive(Debug, Subcommand)]
pub enum DesktopCommand {
    /// Boss's GNOME Shell extension (needed to see windows in a GNOME Wayland session).
    #[command(subcommand)]
    GnomeExtension(GnomeExtensionCommand),
}

#[derive(Debug, Subcommand)]
pub enum GnomeExtensionCommand {
    /// Write the extension to ~/.local/share/gnome-shell/extensions/ and enable it.
    Install,
}

impl DesktopCommand {
    pub fn run(self) -> anyhow::Result<()> {
        match self {
            DesktopCommand::GnomeExtension(GnomeExtensionCommand::Install) => {
                install_gnome_extension()
            }
        }
    }
}

fn install_gnome_extension() -> anyhow::Result<()> {
    let session = SessionEnv::from_env(None);
    // `$XDG_DATA_HOME`, else `~/.local/share`, as Boss's own data directory is found.
    let data_home = dirs::data_dir().context("neither XDG_DATA_HOME nor HOME is set")?;
    let installed = platform::install_gnome_extension(&data_home, &session)
        .context("cannot install Boss's GNOME Shell extension")?;
    let chosen_by = match &installed.shell_version {
        Some((version, GnomeShellFound::Running)) => {
            format!("GNOME Shell {version} runs in this session")
        }
        Some((version, GnomeShellFound::Installed)) => {
            format!("GNOME Shell {version} is installed")
        }
        None => "no GNOME Shell was found; it fits current ones".to_string(),
    };
    println!(
        "Installed Boss's GNOME Shell extension, {} ({chosen_by}), in {}",
        installed.form.describe(),
        installed.dir.display()
    );
    let enabled = platform::enable_gnome_extension().context(
        "the extension is installed but could not be enabled: enable it in the Extensions app \
         or with `gnome-extensions enable windows@boss-of-apps`",
    )?;
    let runs = platform::gnome_extension_answers(&session);
    match (enabled, runs) {
        (_, true) => println!("It is enabled and running: Boss now sees this session's windows."),
        (GnomeExtensionEnabled::Running, false) => println!(
            "It is enabled. If Boss still sees no windows, log out and in again (GNOME Shell on \
             Wayland loads new extensions only at log-in)."
        ),
        (GnomeExtensionEnabled::AtNextLogin, false) => println!(
            "It is enabled from the next log-in: log out and in again (GNOME Shell on Wayland \
             loads new extensions only at log-in)."
        ),
    }
    Ok(())
}

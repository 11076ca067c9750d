//! The `vigil` command line: plan, fly and replay night sweeps without a window.

mod cmd;

use clap::{Parser, Subcommand};

/// Vigil: drone patrol planning and telemetry for night security sweeps.
#[derive(Debug, Parser)]
#[command(name = "vigil", version, about)]
struct Cli {
    /// Without a subcommand, the desktop app opens (feature `app`).
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read a venue, compute its blind spots and print their figures.
    Venue(cmd::venue::Args),
    /// Plan a sweep of a venue's blind spots and write the mission.
    Plan(Box<cmd::plan::Args>),
    /// Convert a mission between .plan, .waypoints and legacy fence/rally files.
    Convert(cmd::convert::Args),
    /// Summarise a telemetry log (.tlog).
    Replay(cmd::replay::Args),
    /// Upload a mission (with --fence, --rally) and verify it by reading it back.
    Upload(cmd::upload::Args),
    /// Download a vehicle's mission, fence and rally points to a file.
    Download(cmd::download::Args),
    /// Upload, arm, take off, fly the mission in AUTO and report until landed.
    Fly(cmd::fly::Args),
    /// Check a geofence before flight; upload it to a vehicle, download and compare it.
    Fence(cmd::fence::Args),
    /// Plan, upload, fly and report a night sweep of a venue (bundled simulator or a vehicle).
    Sweep(Box<cmd::sweep::Args>),
    /// Decode radiometric thermal frames (files or UDP stream): temperatures and detections.
    Thermal(Box<cmd::thermal::Args>),
    /// Open the desktop app (the default with no subcommand).
    #[cfg(feature = "app")]
    Gui(cmd::gui::Args),
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Venue(args)) => cmd::venue::run(args),
        Some(Command::Plan(args)) => cmd::plan::run(*args),
        Some(Command::Convert(args)) => cmd::convert::run(args),
        Some(Command::Replay(args)) => cmd::replay::run(args),
        Some(Command::Fence(args)) => cmd::fence::run(args),
        Some(Command::Upload(args)) => cmd::upload::run(args),
        Some(Command::Download(args)) => cmd::download::run(args),
        Some(Command::Fly(args)) => cmd::fly::run(args),
        Some(Command::Sweep(args)) => cmd::sweep::run(*args),
        Some(Command::Thermal(args)) => cmd::thermal::run(*args),
        #[cfg(feature = "app")]
        Some(Command::Gui(args)) => cmd::gui::run(args),
        #[cfg(feature = "app")]
        None => cmd::gui::first_run(),
        #[cfg(not(feature = "app"))]
        None => Err(anyhow::anyhow!(
            "this vigil was built without the desktop app (feature `app`); see `vigil --help`"
        )),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", error_line(&e));
            std::process::ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, `outer: inner: …`, leaving out a cause whose text the
/// line already holds (library errors often print their source in their own message).
fn error_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::error_line;

    #[test]
    fn a_cause_already_in_the_message_is_printed_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let e = anyhow::Error::new(io).context("x.plan: No such file");
        let e = e.context("reading mission");
        assert_eq!(error_line(&e), "reading mission: x.plan: No such file");
    }
}

//! The `vigil` command line: plan, fly and replay night sweeps without a window.

mod cmd;

use clap::{Parser, Subcommand};

/// Vigil: drone patrol planning and telemetry for night security sweeps.
#[derive(Debug, Parser)]
#[command(name = "vigil", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();

    let cli = Cli::parse();
    let result = match cli.command {
        Command::Venue(args) => cmd::venue::run(args),
        Command::Plan(args) => cmd::plan::run(*args),
        Command::Convert(args) => cmd::convert::run(args),
        Command::Replay(args) => cmd::replay::run(args),
        Command::Upload(args) => cmd::upload::run(args),
        Command::Download(args) => cmd::download::run(args),
        Command::Fly(args) => cmd::fly::run(args),
        Command::Fence(args) => cmd::fence::run(args),
        Command::Sweep(args) => cmd::sweep::run(*args),
        Command::Thermal(args) => cmd::thermal::run(*args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

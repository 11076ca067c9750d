//! `vigil upload`: send a mission (and its fence and rally points) to a vehicle, and succeed
//! only when reading it back matches every field.

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use vigil::link::TransferConfig;
use vigil::link::ops::{home_item_for, upload_lists, verified_upload};

use super::link_args::{LinkArgs, connect, runtime};

/// Arguments of `vigil upload`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The mission file (.plan or .waypoints).
    pub mission: std::path::PathBuf,
    #[command(flatten)]
    pub link: LinkArgs,
    /// Upload the file's geofence too.
    #[arg(long)]
    pub fence: bool,
    /// Upload the file's rally points too.
    #[arg(long)]
    pub rally: bool,
    /// No progress bar (for scripts and logs).
    #[arg(long)]
    pub quiet: bool,
}

/// Runs `vigil upload`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let (mission, notes) =
        vigil::mission::read_mission(&args.mission).context("reading the mission")?;
    for n in &notes {
        eprintln!("note: {}", n.message);
    }
    runtime()?.block_on(async {
        let (link, target) = connect(&args.link).await?;
        let firmware = link.state(target).and_then(|s| s.borrow().firmware);
        let home_item = home_item_for(firmware);
        let lists = upload_lists(&mission, args.fence, args.rally, home_item)?;
        for (kind, items) in lists {
            let n = items.len();
            let bar = if args.quiet {
                ProgressBar::hidden()
            } else {
                ProgressBar::new(n as u64)
            };
            bar.set_style(
                ProgressStyle::with_template("{msg:>18} [{bar:40}] {pos}/{len}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let report = verified_upload(
                &link,
                target,
                kind,
                items,
                home_item,
                TransferConfig::default(),
                |stage, done, total| {
                    bar.set_message(format!("{} {stage}", kind.name()));
                    bar.set_length(total.max(1) as u64);
                    bar.set_position(done as u64);
                },
            )
            .await
            .with_context(|| format!("{} upload to system {}", kind.name(), target.system))?;
            bar.finish_and_clear();
            let s = &report.upload.stats;
            println!(
                "{}: {} items uploaded and verified by read-back ({} retransmissions, round trip {})",
                kind.name(),
                n,
                s.timeouts,
                s.srtt.map_or("unknown".to_string(), |d| format!("{} ms", d.as_millis()))
            );
        }
        anyhow::Ok(())
    })
}

//! `vigil download`: read a vehicle's mission, fence and rally points into a file.

use anyhow::Context;
use vigil::link::TransferConfig;
use vigil::link::ops::{download_all, home_item_for};

use super::link_args::{LinkArgs, connect, runtime};

/// Arguments of `vigil download`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub link: LinkArgs,
    /// Output file (.plan or .waypoints).
    #[arg(short, long)]
    pub output: std::path::PathBuf,
}

/// Runs `vigil download`.
pub fn run(args: Args) -> anyhow::Result<()> {
    // Check the output before the link is opened, not after the vehicle has been read.
    if vigil::mission::MissionFormat::for_writing(&args.output).is_none() {
        anyhow::bail!(
            "{}: expected a .plan, .waypoints or .txt file name",
            args.output.display()
        );
    }
    let folder = match args.output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    if !folder.is_dir() {
        anyhow::bail!(
            "{}: the folder {} does not exist",
            args.output.display(),
            folder.display()
        );
    }
    runtime()?.block_on(async {
        let (link, target) = connect(&args.link).await?;
        let firmware = link.state(target).and_then(|s| s.borrow().firmware);
        let mission = download_all(
            &link,
            target,
            home_item_for(firmware),
            TransferConfig::default(),
        )
        .await
        .with_context(|| format!("downloading from system {}", target.system))?;
        let notes =
            vigil::mission::write_mission(&args.output, &mission).context("writing the mission")?;
        for n in &notes {
            eprintln!("note: {}", n.message);
        }
        println!(
            "{}: {} mission items, {} fence polygons, {} fence circles, {} rally points",
            args.output.display(),
            mission.items.len(),
            mission.fence.polygons.len(),
            mission.fence.circles.len(),
            mission.rally.len()
        );
        anyhow::Ok(())
    })
}

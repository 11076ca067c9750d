//! `vigil convert`: converts a mission between `.plan`, `.waypoints` and legacy fence/rally files.

use anyhow::Context as _;
use vigil::mission::{self, MissionFormat};

/// Arguments of `vigil convert`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input file: `.plan`, `.waypoints`, or `.txt` (QGC WPL, legacy fence or legacy rally,
    /// recognised by content).
    pub input: std::path::PathBuf,
    /// Output file; its extension picks the format (`.plan`, `.waypoints`; `.txt` is QGC WPL).
    pub output: std::path::PathBuf,
    /// Write this format whatever the output extension: plan, waypoints, legacy-fence or
    /// legacy-rally.
    #[arg(long, value_parser = parse_format)]
    pub format: Option<MissionFormat>,
}

fn parse_format(s: &str) -> Result<MissionFormat, String> {
    MissionFormat::from_name(s)
        .ok_or_else(|| format!("{s:?}: expected plan, waypoints, legacy-fence or legacy-rally"))
}

/// Runs `vigil convert`: reads, prints each note as a warning line, writes atomically.
pub fn run(args: Args) -> anyhow::Result<()> {
    // Converting a file onto itself would replace the original with a converted copy.
    if let (Ok(a), Ok(b)) = (args.input.canonicalize(), args.output.canonicalize())
        && a == b
    {
        anyhow::bail!(
            "{}: the output is the input file; write the conversion to another file",
            args.output.display()
        );
    }
    let (mission, read_notes) =
        mission::read_mission(&args.input).context("cannot read the input mission")?;
    for n in &read_notes {
        eprintln!("warning: {}: {n}", args.input.display());
    }
    let notes = match args.format {
        Some(f) => mission::write_mission_as(&args.output, &mission, f),
        None => mission::write_mission(&args.output, &mission),
    }
    .context("cannot write the output mission")?;
    for n in &notes {
        eprintln!("warning: {}: {n}", args.output.display());
    }
    println!(
        "{} -> {}: {} mission items, {} fence polygons, {} fence circles, {} rally points",
        args.input.display(),
        args.output.display(),
        mission.items.len(),
        mission.fence.polygons.len(),
        mission.fence.circles.len() + mission.fence.home_circles.len(),
        mission.rally.len()
    );
    Ok(())
}

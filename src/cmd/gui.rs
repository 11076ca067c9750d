//! `vigil gui` (and `vigil` with no arguments): the desktop app.

use std::path::PathBuf;

use anyhow::Context as _;
use vigil::app::{AppConfig, Theme, TileChoice};

/// The sample venue opened on first run, when it is found.
pub const SAMPLE_VENUE: &str = "missions/stadium.geojson";

/// Arguments of `vigil gui`.
#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// Venue file to open (default: the bundled sample venue, when found).
    #[arg(long)]
    pub venue: Option<PathBuf>,
    /// Mission files (.plan, .waypoints) whose routes to show.
    #[arg(long = "mission")]
    pub missions: Vec<PathBuf>,
    /// Map tiles: `none`, `osm`, a URL template with {z}/{x}/{y}, or a .pmtiles file.
    #[arg(long, default_value = "none")]
    pub tiles: Option<String>,
    /// Theme: day, night or red.
    #[arg(long)]
    pub theme: Option<String>,
    /// Fly the bundled simulator (one ArduCopter at the venue's home), connected on start.
    #[arg(long)]
    pub sim: bool,
}

/// Parses the `--tiles` value.
fn tile_choice(s: Option<&str>) -> TileChoice {
    match s {
        None | Some("none") => TileChoice::None,
        Some("osm") => TileChoice::osm(),
        Some(u) if u.contains("{z}") => TileChoice::Url(u.to_string()),
        Some(p) => TileChoice::PmTiles(PathBuf::from(p)),
    }
}

/// Opens the window; returns when it is closed.
pub fn run(args: Args) -> anyhow::Result<()> {
    run_with(args, false)
}

/// `vigil` with no arguments: the sample venue with the simulator as the vehicle.
pub fn first_run() -> anyhow::Result<()> {
    run_with(Args::default(), true)
}

fn run_with(args: Args, first_run: bool) -> anyhow::Result<()> {
    let venue_is_sample = args.venue.is_none();
    let venue = args.venue.or_else(|| {
        let sample = sample_venue();
        sample.exists().then_some(sample)
    });
    let theme = match args.theme.as_deref() {
        None | Some("night") => Theme::Night,
        Some("day") => Theme::Day,
        Some("red") => Theme::Red,
        Some(other) => anyhow::bail!("--theme {other}: expected day, night or red"),
    };
    let config = AppConfig {
        venue,
        missions: args.missions,
        tiles: tile_choice(args.tiles.as_deref()),
        theme,
        simulator: args.sim || (first_run && venue_is_sample),
        ..AppConfig::default()
    };
    vigil::app::run(config)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("the desktop app failed")
}

/// The sample venue: next to the working directory, or where the crate was built.
fn sample_venue() -> PathBuf {
    let here = PathBuf::from(SAMPLE_VENUE);
    if here.exists() {
        return here;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(SAMPLE_VENUE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_argument() {
        assert_eq!(tile_choice(Some("none")), TileChoice::None);
        assert_eq!(tile_choice(Some("osm")), TileChoice::osm());
        assert_eq!(
            tile_choice(Some("https://t.example/{z}/{x}/{y}.png")),
            TileChoice::Url("https://t.example/{z}/{x}/{y}.png".into())
        );
        assert_eq!(
            tile_choice(Some("area.pmtiles")),
            TileChoice::PmTiles("area.pmtiles".into())
        );
    }
}

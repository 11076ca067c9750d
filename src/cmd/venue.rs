//! `vigil venue`: read a venue, compute its blind spots and print their figures.

use std::path::PathBuf;

use anyhow::Context;
use vigil::area::{Selection, blind_spots, read_venue, write_blind_spots};

/// Arguments of `vigil venue`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Venue file: GeoJSON (.geojson, .json), KML (.kml), KMZ (.kmz) or a QGC plan's geofence
    /// (.plan).
    pub input: PathBuf,

    /// The boundary of a file without roles: `KEY=VALUE` on a property (e.g.
    /// 'FEATURENAM=Birrarung Marr') or a feature index (`#3` or `3`).
    #[arg(long, value_name = "SEL")]
    pub boundary: Option<String>,

    /// A feature to treat as a no-fly zone (same forms as --boundary); may be repeated.
    #[arg(long = "no-fly", value_name = "SEL")]
    pub no_fly: Vec<String>,

    /// Write the blind spots as GeoJSON (WGS84) to this file.
    #[arg(long, value_name = "FILE")]
    pub blind_out: Option<PathBuf>,

    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `vigil venue`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let selection = Selection {
        boundary: args.boundary.clone(),
        no_fly: args.no_fly.clone(),
    };
    let venue = read_venue(&args.input, &selection)?;
    let blind = blind_spots(&venue);
    if let Some(out) = &args.blind_out {
        write_blind_spots(out, &blind, &venue.frame)
            .with_context(|| format!("cannot write blind spots to {}", out.display()))?;
    }

    if args.json {
        let report = serde_json::json!({
            "file": args.input.display().to_string(),
            "venue": venue.name,
            "venue_area_m2": round2(blind.venue_area_m2),
            "covered_area_m2": round2(blind.covered_area_m2),
            "blind_spot_count": blind.count,
            "blind_area_m2": round2(blind.blind_area_m2),
            "blind_share": (blind.blind_share * 1e6).round() / 1e6,
            "blind_share_pct": round2(blind.blind_share * 100.0),
            "cameras": venue.cameras.len(),
            "obstacles": venue.obstacles.len(),
            "no_fly_zones": venue.no_fly.len(),
            "risk_zones": venue.risk.len(),
            "blind_out": args.blind_out.as_ref().map(|p| p.display().to_string()),
            "warnings": venue.warnings,
        });
        println!("{report}");
        return Ok(());
    }

    println!("venue:          {} ({})", venue.name, args.input.display());
    println!(
        "venue area:     {:.1} m² (boundary minus {} no-fly zone(s))",
        blind.venue_area_m2,
        venue.no_fly.len()
    );
    println!(
        "covered area:   {:.1} m² by {} camera(s), {} obstacle(s)",
        blind.covered_area_m2,
        venue.cameras.len(),
        venue.obstacles.len()
    );
    println!("blind spots:    {}", blind.count);
    println!("blind area:     {:.1} m²", blind.blind_area_m2);
    println!("blind share:    {:.1} %", blind.blind_share * 100.0);
    if let Some(out) = &args.blind_out {
        println!("blind spots written to {}", out.display());
    }
    if venue.cameras.is_empty() {
        println!("note: the venue has no cameras, so all of it is blind");
    }
    for w in &venue.warnings {
        println!("warning: {w}");
    }
    Ok(())
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

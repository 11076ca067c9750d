//! `vigil replay`: summarise a telemetry log (.tlog).

use anyhow::Context;
use vigil::link::summary::{TlogSummary, summarize};

/// Arguments of `vigil replay`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The telemetry log (8-byte big-endian microsecond timestamp + MAVLink frame, repeated).
    pub input: std::path::PathBuf,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `vigil replay`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let data =
        std::fs::read(&args.input).with_context(|| format!("reading {}", args.input.display()))?;
    let s = summarize(&data);
    if s.messages == 0 {
        anyhow::bail!(
            "{}: no MAVLink frame with a valid checksum in {} bytes, all skipped (expected a \
             .tlog: 8-byte big-endian timestamp, then a frame)",
            args.input.display(),
            data.len()
        );
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        print!("{}", render(&args.input, &s));
    }
    Ok(())
}

fn render(path: &std::path::Path, s: &TlogSummary) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(o, "{}", path.display());
    let _ = writeln!(
        o,
        "  {} messages ({} MAVLink 1, {} MAVLink 2) in {} bytes, {} bad bytes",
        s.messages, s.mavlink1, s.mavlink2, s.bytes, s.bad_bytes
    );
    let start = s
        .first_us
        .map(|us| format!(" from {:.3} s after the Unix epoch", us as f64 * 1e-6))
        .unwrap_or_default();
    let _ = writeln!(o, "  duration {:.1} s{start}", s.duration_s);
    if s.implausible_timestamps > 0 {
        let _ = writeln!(
            o,
            "  {} records with a timestamp outside 2000..2100 (not counted in the duration)",
            s.implausible_timestamps
        );
    }
    let _ = writeln!(o, "  vehicles:");
    for v in &s.vehicles {
        let _ = write!(
            o,
            "    {}/{}: {} messages",
            v.system_id, v.component_id, v.messages
        );
        if let (Some(t), Some(a)) = (&v.mav_type, &v.autopilot) {
            let _ = write!(o, ", {t}, {a}");
        }
        if v.sequence_gaps > 0 {
            let _ = write!(o, ", {} lost (sequence gaps)", v.sequence_gaps);
        }
        let _ = writeln!(o);
        if !v.modes.is_empty() {
            let _ = writeln!(
                o,
                "      modes: {} ({} changes)",
                v.modes.join(", "),
                v.mode_changes
            );
        }
        if let Some(src) = v.track_source {
            let _ = writeln!(o, "      track: {:.0} m (from {src})", v.track_m);
        }
    }
    let _ = writeln!(o, "  messages by type:");
    let mut counts: Vec<_> = s.counts.iter().collect();
    counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (name, n) in counts {
        let _ = writeln!(o, "    {n:>7}  {name}");
    }
    o
}

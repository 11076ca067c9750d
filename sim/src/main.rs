//! The `vigil-sim` binary: ArduCopter-like vehicles on TCP, UDP and a pseudo-terminal, in real
//! or sped-up time, behind a seeded impaired link.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Parser;
use tokio::sync::{broadcast, mpsc};
use vigil_sim::{
    GeoPoint, Harness, Impairment, Signing, SimConfig, VehicleConfig, runner, thermal, transport,
    venue,
};

/// Simulated ArduCopter multicopters that speak MAVLink (defaults like ArduPilot SITL).
#[derive(Debug, Parser)]
#[command(name = "vigil-sim", version, allow_negative_numbers = true)]
struct Args {
    /// Venue GeoJSON: home is its `home` Point (optional `alt_m`), else its boundary's centre.
    #[arg(long)]
    venue: Option<PathBuf>,
    /// Home as LAT,LON,ALT (degrees, degrees, metres above sea level); overrides the venue's.
    #[arg(long, value_parser = parse_home, allow_hyphen_values = true)]
    home: Option<GeoPoint>,
    /// Number of vehicles (system ids 1..N), lined up 3 m apart eastwards.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=250))]
    vehicles: u8,
    /// TCP server address, like SITL's 5760.
    #[arg(long, default_value = "127.0.0.1:5760")]
    tcp: String,
    /// Do not open the TCP server.
    #[arg(long)]
    no_tcp: bool,
    /// Do not print SITL's console text to TCP clients before MAVLink.
    #[arg(long)]
    no_console_text: bool,
    /// Send to a ground station over UDP (like SITL's --out 127.0.0.1:14550); repeatable.
    #[arg(long)]
    udp_out: Vec<String>,
    /// Open a pseudo-terminal serial port and link it at PATH.
    #[arg(long)]
    serial_pty: Option<PathBuf>,
    /// Simulated seconds per real second.
    #[arg(long, default_value_t = 1.0)]
    speedup: f64,
    /// Seed of wind, GPS noise and link impairment.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Stop after this many simulated seconds.
    #[arg(long)]
    duration_s: Option<f64>,
    /// Frame loss, percent, each direction.
    #[arg(long, default_value_t = 0.0)]
    loss: f64,
    /// One-way latency, milliseconds, each direction.
    #[arg(long, default_value_t = 0.0)]
    latency_ms: f64,
    /// Latency jitter (±), milliseconds.
    #[arg(long, default_value_t = 0.0)]
    jitter_ms: f64,
    /// Duplicated frames, percent.
    #[arg(long, default_value_t = 0.0)]
    duplicate: f64,
    /// Reordered frames, percent.
    #[arg(long, default_value_t = 0.0)]
    reorder: f64,
    /// Frames with a flipped bit, percent.
    #[arg(long, default_value_t = 0.0)]
    bit_flip: f64,
    /// Bandwidth cap in baud (e.g. 57600 for a SiK radio).
    #[arg(long)]
    baud: Option<u32>,
    /// Uplink overrides, e.g. "loss=30,latency_ms=50,baud=57600".
    #[arg(long)]
    impair_up: Option<String>,
    /// Downlink overrides, same form.
    #[arg(long)]
    impair_down: Option<String>,
    /// Seconds before the simulated EKF has a position (arming refused before).
    #[arg(long, default_value_t = 5.0)]
    ekf_settle_s: f64,
    /// Mission capacity, home included.
    #[arg(long, default_value_t = 650)]
    mission_capacity: u16,
    /// Mean wind, m/s.
    #[arg(long, default_value_t = 0.0)]
    wind_mps: f64,
    /// Direction the wind blows from, degrees.
    #[arg(long, default_value_t = 0.0)]
    wind_from_deg: f64,
    /// Gust standard deviation, m/s.
    #[arg(long, default_value_t = 0.0)]
    gust_mps: f64,
    /// GPS horizontal noise standard deviation, metres.
    #[arg(long, default_value_t = 0.3)]
    gps_noise_m: f64,
    /// MAVLink 2 signing key, 64 hex digits: outgoing frames are signed, signed frames checked.
    #[arg(long)]
    signing_key: Option<String>,
    /// With a signing key: drop unsigned incoming frames.
    #[arg(long)]
    signing_required: bool,
    /// Stream thermal frames (chunked, see the `thermal` module) to this UDP address.
    #[arg(long)]
    thermal_udp: Option<String>,
    /// Thermal scenario (JSON, see missions/); without one the scene is bare ground.
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Write where every heat source was at each thermal frame (CSV) to this file.
    #[arg(long)]
    ground_truth: Option<PathBuf>,
    /// Thermal frames per second.
    #[arg(long, default_value_t = 9.0)]
    thermal_fps: f64,
    /// Thermal sensor width and height, pixels.
    #[arg(long, default_value = "160x120", value_parser = parse_size)]
    thermal_size: (u16, u16),
    /// Thermal horizontal field of view, degrees.
    #[arg(long, default_value_t = 57.0)]
    thermal_hfov_deg: f64,
    /// Gimbal pitch, degrees (-90 straight down).
    #[arg(long, default_value_t = -90.0, allow_hyphen_values = true)]
    thermal_pitch_deg: f64,
}

fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let (w, h) = s
        .split_once('x')
        .ok_or_else(|| format!("{s:?}: expected WIDTHxHEIGHT"))?;
    match (w.parse::<u16>(), h.parse::<u16>()) {
        (Ok(w), Ok(h)) if w > 0 && h > 0 && u32::from(w) * u32::from(h) <= 1_048_576 => Ok((w, h)),
        _ => Err(format!("{s:?}: expected WIDTHxHEIGHT, at most 1 megapixel")),
    }
}

fn parse_home(s: &str) -> Result<GeoPoint, String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let nums: Result<Vec<f64>, _> = parts.iter().map(|p| p.parse::<f64>()).collect();
    match nums.as_deref() {
        Ok([lat, lon, alt]) if lat.abs() <= 90.0 && lon.abs() <= 180.0 => {
            Ok(GeoPoint::new(*lat, *lon, *alt))
        }
        Ok([lat, lon]) if lat.abs() <= 90.0 && lon.abs() <= 180.0 => {
            Ok(GeoPoint::new(*lat, *lon, 0.0))
        }
        _ => Err(format!("{s:?}: expected LAT,LON,ALT in degrees and metres")),
    }
}

fn parse_key(hex: &str) -> anyhow::Result<[u8; 32]> {
    let hex = hex.trim();
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        bail!(
            "--signing-key: expected 64 hex digits, got {} characters",
            hex.len()
        );
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).context("--signing-key")?;
    }
    Ok(key)
}

fn apply_spec(mut imp: Impairment, flag: &str, spec: &str) -> anyhow::Result<Impairment> {
    for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = pair
            .split_once('=')
            .with_context(|| format!("{flag}: {pair:?} is not KEY=VALUE"))?;
        let v: f64 = value
            .parse()
            .with_context(|| format!("{flag}: {key}={value:?} is not a number"))?;
        match key {
            "loss" => imp.loss = v / 100.0,
            "latency_ms" => imp.latency_ms = v,
            "jitter_ms" => imp.jitter_ms = v,
            "duplicate" => imp.duplicate = v / 100.0,
            "reorder" => imp.reorder = v / 100.0,
            "bit_flip" => imp.bit_flip = v / 100.0,
            "baud" => imp.baud = (v > 0.0).then_some(v as u32),
            _ => bail!(
                "{flag}: unknown key {key:?} (loss, latency_ms, jitter_ms, duplicate, reorder, bit_flip, baud)"
            ),
        }
    }
    Ok(imp)
}

/// Refuses shares outside 0–100 % and negative or non-finite times, naming the setting: the
/// flag (`--loss 150`) for the common flags, or `--impair-up loss=150` for an override.
fn check_impairment(overrides: Option<&str>, imp: &Impairment) -> anyhow::Result<()> {
    let setting = |key: &str, value: f64| match overrides {
        Some(flag) => format!("{flag} {key}={value}"),
        None => format!("--{} {value}", key.replace('_', "-")),
    };
    for (key, share) in [
        ("loss", imp.loss),
        ("duplicate", imp.duplicate),
        ("reorder", imp.reorder),
        ("bit_flip", imp.bit_flip),
    ] {
        if !(0.0..=1.0).contains(&share) {
            bail!(
                "{}: expected a percentage from 0 to 100",
                setting(key, share * 100.0)
            );
        }
    }
    for (key, ms) in [("latency_ms", imp.latency_ms), ("jitter_ms", imp.jitter_ms)] {
        if !(ms.is_finite() && ms >= 0.0) {
            bail!("{}: expected milliseconds, 0 or more", setting(key, ms));
        }
    }
    Ok(())
}

async fn run(args: Args) -> anyhow::Result<()> {
    let home = match (&args.home, &args.venue) {
        (Some(h), _) => *h,
        (None, Some(path)) => venue::home_from_file(path)?,
        (None, None) => bail!("give --venue FILE or --home LAT,LON,ALT"),
    };
    if !(args.speedup > 0.0 && args.speedup.is_finite()) {
        bail!("--speedup {}: expected a positive number", args.speedup);
    }
    let signing = match &args.signing_key {
        Some(hex) => Some(Signing {
            key: parse_key(hex)?,
            required: args.signing_required,
        }),
        None if args.signing_required => bail!("--signing-required needs --signing-key"),
        None => None,
    };
    let base = Impairment {
        loss: args.loss / 100.0,
        latency_ms: args.latency_ms,
        jitter_ms: args.jitter_ms,
        duplicate: args.duplicate / 100.0,
        reorder: args.reorder / 100.0,
        bit_flip: args.bit_flip / 100.0,
        baud: args.baud,
        ..Impairment::default()
    };
    let up = match &args.impair_up {
        Some(spec) => apply_spec(base, "--impair-up", spec)?,
        None => base,
    };
    let down = match &args.impair_down {
        Some(spec) => apply_spec(base, "--impair-down", spec)?,
        None => base,
    };
    check_impairment(None, &base)?;
    check_impairment(Some("--impair-up"), &up)?;
    check_impairment(Some("--impair-down"), &down)?;
    for (flag, v) in [
        ("--ekf-settle-s", args.ekf_settle_s),
        ("--wind-mps", args.wind_mps),
        ("--gust-mps", args.gust_mps),
        ("--gps-noise-m", args.gps_noise_m),
    ] {
        if !(v.is_finite() && v >= 0.0) {
            bail!("{flag} {v}: expected a number of 0 or more");
        }
    }
    let cfg = SimConfig {
        vehicles: args.vehicles,
        home,
        seed: args.seed,
        vehicle: VehicleConfig {
            ekf_settle_s: args.ekf_settle_s,
            mission_capacity: args.mission_capacity,
            wind_speed_mps: args.wind_mps,
            wind_from_deg: args.wind_from_deg,
            gust_sigma_mps: args.gust_mps,
            gps_noise_m: args.gps_noise_m,
            ..VehicleConfig::default()
        },
        signing,
    };
    let harness = Harness::with_links(cfg, up, down);

    let (up_tx, up_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let (down_tx, _) = broadcast::channel::<Arc<Vec<u8>>>(8192);
    println!(
        "vigil-sim: {} vehicle(s) at {:.7},{:.7},{:.1}; speedup {}",
        args.vehicles, home.lat_deg, home.lon_deg, home.alt_m, args.speedup
    );
    if !args.no_tcp {
        let addr = transport::serve_tcp(
            &args.tcp,
            up_tx.clone(),
            down_tx.clone(),
            !args.no_console_text,
        )
        .await
        .with_context(|| format!("TCP server on {}", args.tcp))?;
        println!("vigil-sim: tcp listening on {addr}");
    }
    for target in &args.udp_out {
        let local = transport::udp_out(target, up_tx.clone(), down_tx.clone())
            .await
            .with_context(|| format!("UDP output to {target}"))?;
        println!("vigil-sim: udp from {local} to {target}");
    }
    if let Some(path) = &args.serial_pty {
        let dev = transport::serial_pty(path, up_tx.clone(), down_tx.clone())
            .with_context(|| format!("pseudo-terminal at {}", path.display()))?;
        println!("vigil-sim: serial {} -> {}", path.display(), dev.display());
    }
    drop(up_tx);

    // The thermal camera, one per vehicle, and where its ground truth goes.
    let mut thermal = None;
    if let Some(target) = &args.thermal_udp {
        let scenario = match &args.scenario {
            Some(path) => thermal::Scenario::from_file(path)?,
            None => serde_json::from_str("{}").context("the bare scenario")?,
        };
        let camera = thermal::CameraConfig {
            width: args.thermal_size.0,
            height: args.thermal_size.1,
            hfov_deg: args.thermal_hfov_deg,
            pitch_deg: args.thermal_pitch_deg,
            fps: args.thermal_fps,
            ..thermal::CameraConfig::default()
        };
        let truth: Option<Box<dyn Write + Send>> = match &args.ground_truth {
            Some(path) => {
                let file = std::fs::File::create(path)
                    .with_context(|| format!("ground truth {}", path.display()))?;
                let mut f = std::io::BufWriter::new(file);
                writeln!(f, "{}", runner::TRUTH_HEADER)?;
                Some(Box::new(f))
            }
            None => None,
        };
        println!(
            "vigil-sim: thermal {}x{} at {} fps to {target}",
            camera.width, camera.height, camera.fps
        );
        thermal = Some(runner::ThermalOutput {
            scene: thermal::Scene::new(scenario, home, args.seed),
            cameras: (1..=args.vehicles)
                .map(|v| thermal::ThermalCamera::new(camera, args.seed ^ u64::from(v)))
                .collect(),
            socket: std::net::UdpSocket::bind("0.0.0.0:0").context("thermal UDP socket")?,
            target: target.clone(),
            truth,
        });
    }
    std::io::stdout().flush()?;

    let runner = runner::Runner {
        harness,
        speedup: args.speedup,
        duration_s: args.duration_s,
        thermal,
    };
    runner.run(up_rx, down_tx).await?;
    Ok(())
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("vigil-sim: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vigil-sim: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_impairments_are_refused_by_name() {
        let ok = Impairment {
            loss: 0.3,
            latency_ms: 50.0,
            ..Impairment::default()
        };
        assert!(check_impairment(None, &ok).is_ok());
        let over = Impairment { loss: 1.5, ..ok };
        let e = check_impairment(None, &over).expect_err("150 %");
        assert_eq!(
            e.to_string(),
            "--loss 150: expected a percentage from 0 to 100"
        );
        let late = Impairment {
            jitter_ms: -1.0,
            ..ok
        };
        let e = check_impairment(Some("--impair-up"), &late).expect_err("negative");
        assert_eq!(
            e.to_string(),
            "--impair-up jitter_ms=-1: expected milliseconds, 0 or more"
        );
    }

    #[test]
    fn negative_numbers_reach_the_checks() {
        // clap would otherwise take "-1" for a flag and print a confusing message.
        let args = Args::try_parse_from(["vigil-sim", "--home", "1,2,3", "--speedup", "-1"])
            .expect("parses");
        assert_eq!(args.speedup, -1.0);
    }
}

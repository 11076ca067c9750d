//! Arguments shared by the subcommands that talk to a vehicle, and opening the link they name.

use std::time::Duration;

use anyhow::Context;
use vigil::link::Target;
use vigil::link::session::{Link, LinkConfig};

/// How to reach the vehicle.
#[derive(Debug, Clone, clap::Args)]
pub struct LinkArgs {
    /// Connection: udpin:ADDR:PORT, udpout:HOST:PORT, tcp:HOST:PORT, tcpin:ADDR:PORT,
    /// serial:/dev/ttyX:BAUD.
    #[arg(long)]
    pub link: String,
    /// Our MAVLink system id.
    #[arg(long, default_value_t = 255)]
    pub sysid: u8,
    /// Seconds to wait for the vehicle's heartbeat.
    #[arg(long, default_value_t = 15.0)]
    pub wait_s: f64,
    /// Record every frame in and out to this tlog.
    #[arg(long)]
    pub tlog: Option<std::path::PathBuf>,
    /// MAVLink 2 signing key as 64 hex digits; unsigned frames are then dropped.
    #[arg(long)]
    pub signing_key: Option<String>,
}

fn parse_key(hex: &str) -> anyhow::Result<[u8; 32]> {
    let hex = hex.trim();
    anyhow::ensure!(
        hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
        "--signing-key: expected 64 hex digits (32 bytes), got {} characters",
        hex.len()
    );
    let mut key = [0u8; 32];
    for (i, k) in key.iter_mut().enumerate() {
        *k = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)?;
    }
    Ok(key)
}

/// Opens the link and waits for a vehicle; returns both.
pub async fn connect(args: &LinkArgs) -> anyhow::Result<(Link, Target)> {
    let signing = args
        .signing_key
        .as_deref()
        .map(parse_key)
        .transpose()?
        .map(|k| (k, 0, true));
    let cfg = LinkConfig {
        system_id: args.sysid,
        tlog: args.tlog.clone(),
        signing,
        ..LinkConfig::default()
    };
    let link = Link::open(&args.link, cfg)
        .await
        .with_context(|| format!("opening {}", args.link))?;
    let target = link
        .wait_vehicle(Duration::from_secs_f64(args.wait_s.max(0.1)))
        .await?;
    Ok((link, target))
}

/// A tokio runtime for one subcommand.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")
}

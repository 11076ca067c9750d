//! `vigil fly`: upload a mission (verified), arm, take off, fly it in AUTO and follow the
//! vehicle until it has landed and disarmed, then print a summary.

use std::time::Duration;

use anyhow::{Context, bail};
use geo::{Distance, Haversine, Point};
use vigil::link::TransferConfig;
use vigil::link::command::{Command, CommandConfig};
use vigil::link::modes::{Firmware, mode_number};
use vigil::link::ops::{
    arm_with_patience, command, command_with_patience, home_item_for, upload_lists, verified_upload,
};

use super::link_args::{LinkArgs, connect, runtime};

/// Arguments of `vigil fly`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The mission file (.plan or .waypoints).
    pub mission: std::path::PathBuf,
    #[command(flatten)]
    pub link: LinkArgs,
    /// Take-off altitude above home, metres (ArduPilot takes off in GUIDED first).
    #[arg(long, default_value_t = 20.0)]
    pub takeoff_alt_m: f32,
    /// Upload the file's geofence too.
    #[arg(long)]
    pub fence: bool,
    /// Upload the file's rally points too.
    #[arg(long)]
    pub rally: bool,
    /// Seconds to keep retrying a refused arming (ArduPilot needs its EKF to use GPS).
    #[arg(long, default_value_t = 60.0)]
    pub arm_patience_s: f64,
    /// Give up following the flight after this many seconds.
    #[arg(long, default_value_t = 3600.0)]
    pub max_flight_s: f64,
}

/// Runs `vigil fly`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let (mission, notes) =
        vigil::mission::read_mission(&args.mission).context("reading the mission")?;
    for n in &notes {
        eprintln!("note: {}", n.message);
    }
    runtime()?.block_on(async {
        let (link, target) = connect(&args.link).await?;
        let mut state = link
            .state(target)
            .context("the vehicle's session disappeared")?;
        let firmware = state.borrow().firmware.unwrap_or(Firmware::Other);
        let home_item = home_item_for(Some(firmware));

        // 1. Upload, verified.
        for (kind, items) in upload_lists(&mission, args.fence, args.rally, home_item)? {
            let n = items.len();
            verified_upload(
                &link,
                target,
                kind,
                items,
                home_item,
                TransferConfig::default(),
                |_, _, _| {},
            )
            .await
            .with_context(|| format!("{} upload", kind.name()))?;
            println!("{}: {n} items uploaded and verified", kind.name());
        }

        let cmd_cfg = CommandConfig::default();
        let mode = |name: &str| -> anyhow::Result<Command> {
            let n = mode_number(firmware, name)
                .with_context(|| format!("{firmware:?} has no mode {name}"))?;
            Ok(Command::set_mode(n))
        };
        let start = link.now();

        // 2. Arm and take off.
        let ardupilot = matches!(firmware, Firmware::ArduCopter | Firmware::ArduPlane);
        if ardupilot {
            // GUIDED, like arming, is refused until the EKF has a position.
            command_with_patience(
                &link,
                target,
                "GUIDED",
                mode("GUIDED")?,
                cmd_cfg.clone(),
                Duration::from_secs_f64(args.arm_patience_s),
                Duration::from_secs(2),
                |why| eprintln!("{why}; retrying"),
            )
            .await?;
        }
        arm_with_patience(
            &link,
            target,
            cmd_cfg.clone(),
            Duration::from_secs_f64(args.arm_patience_s),
            Duration::from_secs(2),
            |why| eprintln!("{why}; retrying"),
        )
        .await?;
        // The acknowledgement comes before the heartbeat that shows it.
        tokio::time::timeout(Duration::from_secs(5), state.wait_for(|s| s.armed))
            .await
            .context(
                "arming was acknowledged but no heartbeat showed the vehicle armed in 5 s",
            )??;
        println!("armed");
        if ardupilot {
            command(
                &link,
                target,
                "take-off",
                Command::takeoff(args.takeoff_alt_m),
                cmd_cfg.clone(),
            )
            .await?;
            let want = f64::from(args.takeoff_alt_m) * 0.9;
            tokio::time::timeout(
                Duration::from_secs(120),
                state.wait_for(|s| s.position.is_some_and(|p| p.alt_rel_m >= want) || !s.armed),
            )
            .await
            .context("take-off: the vehicle did not climb within 120 s")??;
            if !state.borrow().armed {
                bail!("the vehicle disarmed during take-off");
            }
            println!("at {:.0} m, starting the mission in AUTO", want / 0.9);
            command(&link, target, "AUTO", mode("AUTO")?, cmd_cfg.clone()).await?;
        } else {
            command(
                &link,
                target,
                "mission start",
                Command::mission_start(),
                cmd_cfg.clone(),
            )
            .await?;
        }

        // 3. Follow until landed and disarmed.
        let mut last_item = None;
        let mut max_alt = 0.0f64;
        let mut track_m = 0.0;
        let mut last_point: Option<Point<f64>> = None;
        let mut min_battery: Option<u8> = None;
        let mut texts_seen = state.borrow().status_texts_received;
        let limit = Duration::from_secs_f64(args.max_flight_s);
        loop {
            let changed = tokio::time::timeout(Duration::from_secs(1), state.changed()).await;
            if let Ok(Err(_)) = changed {
                bail!("the link closed during the flight");
            }
            let s = state.borrow().clone();
            if s.mission_current != last_item {
                last_item = s.mission_current;
                if let Some(i) = last_item {
                    println!("mission item {i}");
                }
            }
            if let Some(p) = s.position {
                max_alt = max_alt.max(p.alt_rel_m);
                let pt = Point::new(p.lon_deg, p.lat_deg);
                if let Some(q) = last_point {
                    track_m += Haversine.distance(q, pt);
                }
                last_point = Some(pt);
            }
            if let Some(b) = s.battery.and_then(|b| b.remaining_pct) {
                min_battery = Some(min_battery.map_or(b, |m| m.min(b)));
            }
            for t in s.texts_after(texts_seen) {
                println!("vehicle: {}", t.text);
            }
            texts_seen = s.status_texts_received;
            if s.stale {
                eprintln!("link lost: nothing heard for 3 s");
            }
            if !s.armed {
                break;
            }
            if link.now().saturating_sub(start) > limit {
                bail!(
                    "still flying after {:.0} s; stopped following",
                    args.max_flight_s
                );
            }
        }

        let s = state.borrow().clone();
        println!("landed and disarmed");
        println!(
            "  flight time      {:.0} s",
            link.now().saturating_sub(start).as_secs_f64()
        );
        println!(
            "  last item        {}",
            last_item.map_or("-".into(), |i| i.to_string())
        );
        println!("  max altitude     {max_alt:.1} m above home");
        println!("  distance flown   {track_m:.0} m");
        if let Some(b) = min_battery {
            println!("  battery low      {b} %");
        }
        println!("  final mode       {}", s.mode.as_deref().unwrap_or("-"));
        println!(
            "  link             {} messages, {:.1} % lost",
            s.link.received,
            100.0 * s.link.loss()
        );
        anyhow::Ok(())
    })
}

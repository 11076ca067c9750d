//! Whole operations on a vehicle over a [`Link`]: verified upload of a mission with its fence
//! and rally points, download of all three, arming with a bounded patience, and the flight
//! watch that `vigil fly` prints.

use std::time::Duration;

use mavlink::dialects::ardupilotmega::MavResult;

use super::command::{Command, CommandConfig, CommandError, CommandReport, CommandTransaction};
use super::items::{
    ItemError, ListKind, WireItem, fence_to_wire, mission_to_wire, rally_to_wire, wire_to_fence,
    wire_to_mission, wire_to_rally,
};
use super::modes::Firmware;
use super::session::{Link, LinkError};
use super::transfer::{
    MissionDownload, Target, TransferConfig, TransferError, VerifiedReport, VerifiedUpload,
};
use crate::mission::{LatLon, Mission};

/// Why an operation failed.
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    /// The link failed.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// A mission item cannot go on the wire.
    #[error(transparent)]
    Item(#[from] ItemError),
    /// A transfer failed.
    #[error(transparent)]
    Transfer(#[from] TransferError),
    /// A command failed.
    #[error("{what}: {source}")]
    Command {
        /// What was being done.
        what: String,
        /// The failure.
        #[source]
        source: CommandError,
    },
    /// The vehicle did not do what was asked in time.
    #[error("{0}")]
    Vehicle(String),
}

/// Whether a vehicle uses ArduPilot's "mission item 0 is home" convention.
pub fn home_item_for(firmware: Option<Firmware>) -> bool {
    !matches!(firmware, Some(Firmware::Px4))
}

/// The lists to upload for `mission`: the mission itself, and the fence and rally points when
/// asked. With `home_item` (ArduPilot) the mission gets its home item first.
pub fn upload_lists(
    mission: &Mission,
    fence: bool,
    rally: bool,
    home_item: bool,
) -> Result<Vec<(ListKind, Vec<WireItem>)>, ItemError> {
    let mut out = vec![(
        ListKind::Mission,
        mission_to_wire(&mission.items, mission.planned_home, home_item)?,
    )];
    if fence {
        let home = mission.planned_home.map(|h| LatLon {
            lat_deg: h.lat_deg,
            lon_deg: h.lon_deg,
        });
        out.push((ListKind::Fence, fence_to_wire(&mission.fence, home)?));
    }
    if rally {
        out.push((ListKind::Rally, rally_to_wire(&mission.rally)?));
    }
    Ok(out)
}

/// Uploads one list and reads it back; `progress(stage, done, total)` after every step.
/// `home_item` marks an ArduPilot vehicle: item 0 of its mission is home, and the read-back is
/// compared with ArduPilot's stored form of each item ([`super::stored::ardupilot_stored`]).
pub async fn verified_upload(
    link: &Link,
    target: Target,
    kind: ListKind,
    items: Vec<WireItem>,
    home_item: bool,
    cfg: TransferConfig,
    mut progress: impl FnMut(&'static str, usize, usize),
) -> Result<VerifiedReport, OpError> {
    let storage = if home_item {
        super::stored::Storage::ArduPilot
    } else {
        super::stored::Storage::Exact
    };
    let home_item = home_item && kind == ListKind::Mission;
    let tx = VerifiedUpload::new(target, kind, items, home_item, cfg).with_storage(storage);
    let out = link
        .run_observed(tx, |t| {
            let (stage, a, b) = t.progress();
            progress(stage, a, b);
        })
        .await?;
    Ok(out?)
}

/// Downloads the mission, fence and rally lists into one [`Mission`] (home from item 0 for
/// ArduPilot).
pub async fn download_all(
    link: &Link,
    target: Target,
    home_item: bool,
    cfg: TransferConfig,
) -> Result<Mission, OpError> {
    let mut mission = Mission::default();
    for kind in [ListKind::Mission, ListKind::Fence, ListKind::Rally] {
        let d = MissionDownload::new(target, kind, cfg.clone());
        let report = link.run(d).await??;
        match kind {
            ListKind::Mission => {
                let (home, items) = wire_to_mission(&report.items, home_item);
                mission.planned_home = home;
                mission.items = items;
            }
            ListKind::Fence => mission.fence = wire_to_fence(&report.items)?,
            ListKind::Rally => mission.rally = wire_to_rally(&report.items),
        }
    }
    Ok(mission)
}

/// Sends one command and waits for its acknowledgement.
pub async fn command(
    link: &Link,
    target: Target,
    what: &str,
    cmd: Command,
    cfg: CommandConfig,
) -> Result<CommandReport, OpError> {
    link.run(CommandTransaction::new(target, cmd, cfg))
        .await?
        .map_err(|source| OpError::Command {
            what: what.to_string(),
            source,
        })
}

/// Sends `cmd`, retrying refusals (FAILED, TEMPORARILY_REJECTED) every `pause`, and rounds
/// of unacknowledged tries at once, for at most `patience`: ArduCopter refuses GUIDED, like arming, until its EKF has a position. Each
/// refusal is passed to `on_refusal` with the vehicle's last status text.
#[allow(clippy::too_many_arguments)]
pub async fn command_with_patience(
    link: &Link,
    target: Target,
    what: &str,
    cmd: Command,
    cfg: CommandConfig,
    patience: Duration,
    pause: Duration,
    mut on_refusal: impl FnMut(&str),
) -> Result<CommandReport, OpError> {
    let start = link.now();
    loop {
        let r = link
            .run(CommandTransaction::new(target, cmd.clone(), cfg.clone()))
            .await?;
        let why = || {
            link.state(target)
                .and_then(|s| s.borrow().status_texts.back().map(|t| t.text.clone()))
                .unwrap_or_default()
        };
        match r {
            Ok(rep) => return Ok(rep),
            Err(CommandError::Refused {
                result:
                    result @ (MavResult::MAV_RESULT_FAILED | MavResult::MAV_RESULT_TEMPORARILY_REJECTED),
                ..
            }) if link.now().saturating_sub(start) + pause < patience => {
                on_refusal(&format!("{what} refused ({result:?}) {}", why()));
                tokio::time::sleep(pause).await;
            }
            // Every acknowledgement lost on a lossy radio: the budget allows another round.
            Err(CommandError::Timeout { tries, .. })
                if link.now().saturating_sub(start) + pause < patience =>
            {
                on_refusal(&format!("{what}: no acknowledgement after {tries} tries"));
            }
            Err(source) => {
                return Err(OpError::Command {
                    what: format!("{what} (vehicle says: {:?})", why()),
                    source,
                });
            }
        }
    }
}

/// Arms, retrying refusals (ArduPilot refuses until its EKF uses GPS, about 40 s after start)
/// every `pause`, and unacknowledged rounds at once, for at most `patience`; the last refusal
/// and the vehicle's last status text are reported if it never arms.
pub async fn arm_with_patience(
    link: &Link,
    target: Target,
    cfg: CommandConfig,
    patience: Duration,
    pause: Duration,
    mut on_refusal: impl FnMut(&str),
) -> Result<CommandReport, OpError> {
    let start = link.now();
    loop {
        let r = link
            .run(CommandTransaction::new(
                target,
                Command::arm(false),
                cfg.clone(),
            ))
            .await?;
        match r {
            Ok(rep) => return Ok(rep),
            Err(CommandError::Refused {
                result:
                    result @ (MavResult::MAV_RESULT_FAILED | MavResult::MAV_RESULT_TEMPORARILY_REJECTED),
                ..
            }) if link.now().saturating_sub(start) + pause < patience => {
                let why = link
                    .state(target)
                    .and_then(|s| s.borrow().status_texts.back().map(|t| t.text.clone()))
                    .unwrap_or_default();
                on_refusal(&format!("arming refused ({result:?}) {why}"));
                tokio::time::sleep(pause).await;
            }
            // Every acknowledgement lost on a lossy radio: arming again is harmless.
            Err(CommandError::Timeout { tries, .. })
                if link.now().saturating_sub(start) + pause < patience =>
            {
                on_refusal(&format!("arming: no acknowledgement after {tries} tries"));
            }
            Err(source) => {
                let why = link
                    .state(target)
                    .and_then(|s| s.borrow().status_texts.back().map(|t| t.text.clone()))
                    .unwrap_or_default();
                return Err(OpError::Command {
                    what: format!("arming (vehicle says: {why:?})"),
                    source,
                });
            }
        }
    }
}

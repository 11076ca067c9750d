//! The fence on the vehicle: the items and parameters ArduPilot and PX4 expect, an upload
//! verified by read-back followed by the parameters, and a download compared with what Vigil
//! holds. Sans IO: both are [`Transaction`]s built on the link's protocol state machines.
//!
//! ArduPilot takes the fence as the fence mission type (`MAV_MISSION_TYPE_FENCE`): polygon
//! vertices (5001/5002, vertex count in param1), circles (5003/5004, radius in param1) and the
//! return point (5000); then `FENCE_TYPE` (bit 1 ceiling, 4 polygons and circles, 8 floor),
//! `FENCE_ALT_MAX`, `FENCE_ALT_MIN`, `FENCE_ACTION` and last `FENCE_ENABLE`, so that the fence
//! is switched on only once everything it checks is in place. PX4 takes the same items without
//! a return point (it returns to home or a rally point), and `GF_ACTION` and
//! `GF_MAX_VER_DIST`; it has no fence floor and no enable switch (items present and an action
//! set is on).

use std::time::Duration;

use mavlink::dialects::ardupilotmega::MavParamType;

use super::model::Fence;
use crate::link::items::{ItemError, ListKind, Mismatch, WireItem, fence_to_wire, wire_to_fence};
use crate::link::param::{ParamConfig, ParamError, ParamExchange, ParamValue};
use crate::link::transfer::{
    DownloadReport, MissionDownload, Target, TransferConfig, TransferError, VerifiedReport,
    VerifiedUpload,
};
use crate::link::{MavMessage, Transaction};
use crate::mission::GeoFence;

/// Which autopilot's form of the fence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FenceAutopilot {
    ArduPilot,
    Px4,
}

/// What the vehicle does on a breach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreachAction {
    /// Report only.
    Report,
    /// Return to launch (ArduPilot: RTL, or LAND when RTL is impossible).
    Return,
    /// Land where it is.
    Land,
    /// Hold position (ArduPilot: BRAKE).
    Hold,
}

/// One parameter the fence needs.
#[derive(Debug, Clone, PartialEq)]
pub struct FenceParam {
    pub name: &'static str,
    pub value: f32,
    pub kind: MavParamType,
}

/// Why the fence could not be put on or read from the vehicle.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FenceLinkError {
    #[error("the fence cannot be put on the wire: {0}")]
    Items(#[from] ItemError),
    #[error("{autopilot:?} has no {what}; leave it out of the fence or fly ArduPilot")]
    Unsupported {
        autopilot: FenceAutopilot,
        what: &'static str,
    },
    #[error("fence transfer: {0}")]
    Transfer(#[from] TransferError),
    #[error("fence parameters: {0}")]
    Param(#[from] ParamError),
}

/// The fence items for `autopilot`, in upload order.
pub fn fence_items(
    fence: &Fence,
    autopilot: FenceAutopilot,
) -> Result<Vec<WireItem>, FenceLinkError> {
    let mut g: GeoFence = fence.to_geofence();
    if autopilot == FenceAutopilot::Px4 {
        // Limitation: PX4 has no fence return point; it returns to home or a rally point.
        g.return_point = None;
    }
    let mut items = fence_to_wire(&g, None)?;
    // Sent with autocontinue 0, as ArduPilot stores and reads back every fence item (the
    // read-back comparison ignores autocontinue for fences anyway).
    for it in &mut items {
        it.autocontinue = false;
    }
    Ok(items)
}

/// The parameters that switch the fence on for `autopilot`, in the order to set them.
pub fn fence_params(
    fence: &Fence,
    autopilot: FenceAutopilot,
    action: BreachAction,
) -> Result<Vec<FenceParam>, FenceLinkError> {
    let int8 = MavParamType::MAV_PARAM_TYPE_INT8;
    let real = MavParamType::MAV_PARAM_TYPE_REAL32;
    let p = |name, value: f32, kind| FenceParam { name, value, kind };
    match autopilot {
        FenceAutopilot::ArduPilot => {
            let mut kinds = 0u8;
            if fence.ceiling_m.is_some() {
                kinds |= 1;
            }
            if !fence.areas.is_empty() {
                kinds |= 4;
            }
            if fence.floor_m.is_some() {
                kinds |= 8;
            }
            let action = match action {
                BreachAction::Report => 0.0,
                BreachAction::Return => 1.0,
                BreachAction::Land => 3.0,
                BreachAction::Hold => 4.0,
            };
            let mut out = vec![p("FENCE_TYPE", f32::from(kinds), int8)];
            if let Some(c) = fence.ceiling_m {
                out.push(p("FENCE_ALT_MAX", c as f32, real));
            }
            if let Some(f) = fence.floor_m {
                out.push(p("FENCE_ALT_MIN", f as f32, real));
            }
            out.push(p("FENCE_ACTION", action, int8));
            out.push(p("FENCE_ENABLE", 1.0, int8));
            Ok(out)
        }
        FenceAutopilot::Px4 => {
            if fence.floor_m.is_some() {
                return Err(FenceLinkError::Unsupported {
                    autopilot,
                    what: "fence floor",
                });
            }
            let action = match action {
                BreachAction::Report => 1.0,
                BreachAction::Hold => 2.0,
                BreachAction::Return => 3.0,
                BreachAction::Land => 5.0,
            };
            Ok(vec![
                // 0 disables PX4's vertical limit.
                p(
                    "GF_MAX_VER_DIST",
                    fence.ceiling_m.unwrap_or(0.0) as f32,
                    real,
                ),
                p("GF_ACTION", action, MavParamType::MAV_PARAM_TYPE_INT32),
            ])
        }
    }
}

/// What a fence upload proves.
#[derive(Debug, Clone, PartialEq)]
pub struct FenceUploadReport {
    /// The item upload and its read-back.
    pub items: VerifiedReport,
    /// Every parameter as the vehicle echoed it.
    pub params: Vec<ParamValue>,
}

#[derive(Debug)]
enum UpStage {
    Items(Box<VerifiedUpload>),
    Params(usize, ParamExchange),
}

/// Uploads a fence (items verified by read-back), then sets its parameters one by one, each
/// verified by the vehicle's echo. Parameters are set only once the items are on the vehicle.
#[derive(Debug)]
pub struct FenceUpload {
    target: Target,
    params: Vec<FenceParam>,
    param_cfg: ParamConfig,
    stage: UpStage,
    items_report: Option<VerifiedReport>,
    echoed: Vec<ParamValue>,
    outcome: Option<Result<FenceUploadReport, FenceLinkError>>,
}

impl FenceUpload {
    /// An upload of `items` then `params` (empty: items only, as for a live zone).
    pub fn new(
        target: Target,
        items: Vec<WireItem>,
        params: Vec<FenceParam>,
        cfg: TransferConfig,
        param_cfg: ParamConfig,
    ) -> Self {
        Self {
            target,
            params,
            param_cfg,
            stage: UpStage::Items(Box::new(VerifiedUpload::new(
                target,
                ListKind::Fence,
                items,
                false,
                cfg,
            ))),
            items_report: None,
            echoed: Vec::new(),
            outcome: None,
        }
    }

    fn param(&self, i: usize) -> ParamExchange {
        let p = &self.params[i];
        ParamExchange::set(self.target, p.name, p.value, p.kind, self.param_cfg.clone())
    }

    /// Moves on when the current stage has finished; returns the next stage's first messages.
    fn advance(&mut self, now: Duration) -> Vec<MavMessage> {
        loop {
            match &mut self.stage {
                UpStage::Items(u) => match u.outcome() {
                    None => return Vec::new(),
                    Some(Err(e)) => {
                        self.outcome = Some(Err(e.clone().into()));
                        return Vec::new();
                    }
                    Some(Ok(r)) => {
                        self.items_report = Some(r.clone());
                        if self.params.is_empty() {
                            return self.finish();
                        }
                        let mut x = self.param(0);
                        let out = x.start(now);
                        self.stage = UpStage::Params(0, x);
                        return out;
                    }
                },
                UpStage::Params(i, x) => match x.outcome() {
                    None => return Vec::new(),
                    Some(Err(e)) => {
                        self.outcome = Some(Err(e.clone().into()));
                        return Vec::new();
                    }
                    Some(Ok(v)) => {
                        self.echoed.push(v.clone());
                        let next = *i + 1;
                        if next == self.params.len() {
                            return self.finish();
                        }
                        let mut x = self.param(next);
                        let out = x.start(now);
                        self.stage = UpStage::Params(next, x);
                        if !out.is_empty() {
                            return out;
                        }
                    }
                },
            }
        }
    }

    fn finish(&mut self) -> Vec<MavMessage> {
        if let Some(items) = self.items_report.take() {
            self.outcome = Some(Ok(FenceUploadReport {
                items,
                params: std::mem::take(&mut self.echoed),
            }));
        }
        Vec::new()
    }
}

impl Transaction for FenceUpload {
    type Output = Result<FenceUploadReport, FenceLinkError>;

    fn start(&mut self, now: Duration) -> Vec<MavMessage> {
        match &mut self.stage {
            UpStage::Items(u) => u.start(now),
            UpStage::Params(_, x) => x.start(now),
        }
    }

    fn on_message(&mut self, now: Duration, from: (u8, u8), msg: &MavMessage) -> Vec<MavMessage> {
        if self.outcome.is_some() {
            return Vec::new();
        }
        let mut out = match &mut self.stage {
            UpStage::Items(u) => u.on_message(now, from, msg),
            UpStage::Params(_, x) => x.on_message(now, from, msg),
        };
        out.extend(self.advance(now));
        out
    }

    fn on_tick(&mut self, now: Duration) -> Vec<MavMessage> {
        if self.outcome.is_some() {
            return Vec::new();
        }
        let mut out = match &mut self.stage {
            UpStage::Items(u) => u.on_tick(now),
            UpStage::Params(_, x) => x.on_tick(now),
        };
        out.extend(self.advance(now));
        out
    }

    fn deadline(&self) -> Option<Duration> {
        if self.outcome.is_some() {
            return None;
        }
        match &self.stage {
            UpStage::Items(u) => u.deadline(),
            UpStage::Params(_, x) => x.deadline(),
        }
    }

    fn outcome(&self) -> Option<&Self::Output> {
        self.outcome.as_ref()
    }
}

/// A fence as read from a vehicle.
#[derive(Debug, Clone, PartialEq)]
pub struct DownloadedFence {
    /// The items as read.
    pub items: DownloadReport,
    /// The items as a mission file's geofence.
    pub geofence: GeoFence,
    /// The fence parameters as read (those the vehicle has).
    pub params: Vec<ParamValue>,
}

#[derive(Debug)]
enum DownStage {
    Items(Box<MissionDownload>),
    Params(usize, ParamExchange),
}

/// Downloads the fence items, then reads the fence parameters of `autopilot`.
#[derive(Debug)]
pub struct FenceDownload {
    target: Target,
    names: Vec<&'static str>,
    param_cfg: ParamConfig,
    stage: DownStage,
    items: Option<DownloadReport>,
    params: Vec<ParamValue>,
    outcome: Option<Result<DownloadedFence, FenceLinkError>>,
}

/// The parameter names read back for `autopilot`.
pub fn fence_param_names(autopilot: FenceAutopilot) -> Vec<&'static str> {
    match autopilot {
        FenceAutopilot::ArduPilot => vec![
            "FENCE_ENABLE",
            "FENCE_TYPE",
            "FENCE_ACTION",
            "FENCE_ALT_MAX",
            "FENCE_ALT_MIN",
        ],
        FenceAutopilot::Px4 => vec!["GF_ACTION", "GF_MAX_VER_DIST"],
    }
}

impl FenceDownload {
    /// A download from `target`.
    pub fn new(
        target: Target,
        autopilot: FenceAutopilot,
        cfg: TransferConfig,
        param_cfg: ParamConfig,
    ) -> Self {
        Self {
            target,
            names: fence_param_names(autopilot),
            param_cfg,
            stage: DownStage::Items(Box::new(MissionDownload::new(target, ListKind::Fence, cfg))),
            items: None,
            params: Vec::new(),
            outcome: None,
        }
    }

    fn advance(&mut self, now: Duration) -> Vec<MavMessage> {
        match &mut self.stage {
            DownStage::Items(d) => match d.outcome() {
                None => Vec::new(),
                Some(Err(e)) => {
                    self.outcome = Some(Err(e.clone().into()));
                    Vec::new()
                }
                Some(Ok(r)) => {
                    self.items = Some(r.clone());
                    self.next_param(0, now)
                }
            },
            DownStage::Params(i, x) => match x.outcome() {
                None => Vec::new(),
                Some(r) => {
                    // A parameter the vehicle lacks (an older firmware) is left out.
                    if let Ok(v) = r {
                        self.params.push(v.clone());
                    }
                    let next = *i + 1;
                    self.next_param(next, now)
                }
            },
        }
    }

    fn next_param(&mut self, i: usize, now: Duration) -> Vec<MavMessage> {
        if i == self.names.len() {
            let Some(items) = self.items.take() else {
                return Vec::new();
            };
            self.outcome = Some(match wire_to_fence(&items.items) {
                Ok(geofence) => Ok(DownloadedFence {
                    items,
                    geofence,
                    params: std::mem::take(&mut self.params),
                }),
                Err(e) => Err(e.into()),
            });
            return Vec::new();
        }
        let mut x = ParamExchange::get(self.target, self.names[i], self.param_cfg.clone());
        let out = x.start(now);
        self.stage = DownStage::Params(i, x);
        out
    }
}

impl Transaction for FenceDownload {
    type Output = Result<DownloadedFence, FenceLinkError>;

    fn start(&mut self, now: Duration) -> Vec<MavMessage> {
        match &mut self.stage {
            DownStage::Items(d) => d.start(now),
            DownStage::Params(_, x) => x.start(now),
        }
    }

    fn on_message(&mut self, now: Duration, from: (u8, u8), msg: &MavMessage) -> Vec<MavMessage> {
        if self.outcome.is_some() {
            return Vec::new();
        }
        let mut out = match &mut self.stage {
            DownStage::Items(d) => d.on_message(now, from, msg),
            DownStage::Params(_, x) => x.on_message(now, from, msg),
        };
        out.extend(self.advance(now));
        out
    }

    fn on_tick(&mut self, now: Duration) -> Vec<MavMessage> {
        if self.outcome.is_some() {
            return Vec::new();
        }
        let mut out = match &mut self.stage {
            DownStage::Items(d) => d.on_tick(now),
            DownStage::Params(_, x) => x.on_tick(now),
        };
        out.extend(self.advance(now));
        out
    }

    fn deadline(&self) -> Option<Duration> {
        if self.outcome.is_some() {
            return None;
        }
        match &self.stage {
            DownStage::Items(d) => d.deadline(),
            DownStage::Params(_, x) => x.deadline(),
        }
    }

    fn outcome(&self) -> Option<&Self::Output> {
        self.outcome.as_ref()
    }
}

/// Every difference between the fence Vigil holds (its items and parameters for `autopilot`)
/// and one read from a vehicle, one line each; empty when they match.
pub fn compare_fence(
    fence: &Fence,
    autopilot: FenceAutopilot,
    action: BreachAction,
    read: &DownloadedFence,
) -> Result<Vec<String>, FenceLinkError> {
    let mut out = Vec::new();
    let sent = fence_items(fence, autopilot)?;
    let mismatches: Vec<Mismatch> =
        // ArduPilot reads fence items back with autocontinue 0: compare_list ignores it for fences.
        crate::link::items::compare_list(
            crate::link::items::ListKind::Fence,
            &sent,
            &read.items.items,
            false,
            read.items.via_float,
        );
    out.extend(mismatches.iter().map(|m| match m.field {
        // x and y are degE7 on the wire.
        "x" | "y" => format!(
            "fence item {}: {} is {:.7}° on the vehicle, {:.7}° in Vigil",
            m.seq,
            if m.field == "x" {
                "latitude"
            } else {
                "longitude"
            },
            m.read * 1e-7,
            m.sent * 1e-7
        ),
        _ => format!(
            "fence item {}: {} is {} on the vehicle, {} in Vigil",
            m.seq, m.field, m.read, m.sent
        ),
    }));
    for p in fence_params(fence, autopilot, action)? {
        match read.params.iter().find(|v| v.name == p.name) {
            None => out.push(format!("parameter {}: not read from the vehicle", p.name)),
            Some(v) if (v.value - p.value).abs() > p.value.abs().max(1.0) * 1e-5 => {
                out.push(format!(
                    "parameter {}: {} on the vehicle, {} in Vigil",
                    p.name, v.value, p.value
                ))
            }
            Some(_) => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fence::{FenceArea, FenceShape};
    use crate::mission::LatLon;
    use mavlink::dialects::ardupilotmega::MavCmd;

    fn fence(floor_m: Option<f64>) -> Fence {
        let p = |lat_deg, lon_deg| LatLon { lat_deg, lon_deg };
        Fence {
            areas: vec![
                FenceArea {
                    name: "boundary".into(),
                    inclusion: true,
                    shape: FenceShape::Polygon(vec![
                        p(-35.0, 149.0),
                        p(-35.0, 149.01),
                        p(-35.01, 149.01),
                    ]),
                },
                FenceArea {
                    name: "stage".into(),
                    inclusion: false,
                    shape: FenceShape::Circle {
                        center: p(-35.005, 149.005),
                        radius_m: 25.0,
                    },
                },
            ],
            ceiling_m: Some(90.0),
            floor_m,
            return_point: Some(p(-35.004, 149.006)),
        }
    }

    fn pairs(ps: &[FenceParam]) -> Vec<(&str, f32)> {
        ps.iter().map(|p| (p.name, p.value)).collect()
    }

    #[test]
    fn ardupilot_params_enable_the_fence_last_with_every_kind_in_use() {
        let ps = fence_params(
            &fence(Some(5.0)),
            FenceAutopilot::ArduPilot,
            BreachAction::Land,
        )
        .expect("params");
        assert_eq!(
            pairs(&ps),
            [
                ("FENCE_TYPE", 13.0),
                ("FENCE_ALT_MAX", 90.0),
                ("FENCE_ALT_MIN", 5.0),
                ("FENCE_ACTION", 3.0),
                ("FENCE_ENABLE", 1.0),
            ]
        );
        let ps = fence_params(
            &Fence::default(),
            FenceAutopilot::ArduPilot,
            BreachAction::Return,
        )
        .expect("params");
        assert_eq!(
            pairs(&ps),
            [
                ("FENCE_TYPE", 0.0),
                ("FENCE_ACTION", 1.0),
                ("FENCE_ENABLE", 1.0)
            ]
        );
    }

    #[test]
    fn px4_gets_its_own_parameters_and_no_return_point_or_floor() {
        let ps =
            fence_params(&fence(None), FenceAutopilot::Px4, BreachAction::Return).expect("params");
        assert_eq!(pairs(&ps), [("GF_MAX_VER_DIST", 90.0), ("GF_ACTION", 3.0)]);
        let err = fence_params(&fence(Some(5.0)), FenceAutopilot::Px4, BreachAction::Return);
        assert!(matches!(
            err,
            Err(FenceLinkError::Unsupported {
                what: "fence floor",
                ..
            })
        ));

        let ap = fence_items(&fence(None), FenceAutopilot::ArduPilot).expect("items");
        let px4 = fence_items(&fence(None), FenceAutopilot::Px4).expect("items");
        let cmds = |items: &[WireItem]| items.iter().map(|i| i.command).collect::<Vec<_>>();
        assert_eq!(ap.len(), 5, "return point, 3 vertices, 1 circle");
        assert_eq!(ap[0].command, MavCmd::MAV_CMD_NAV_FENCE_RETURN_POINT);
        assert_eq!(cmds(&ap[1..]), cmds(&px4));
        assert_eq!(px4[0].params[0], 3.0, "vertex count in param1");
        assert_eq!(px4[3].params[0], 25.0, "radius in param1");
        assert!(px4.iter().chain(&ap).all(|i| !i.autocontinue));
    }
}

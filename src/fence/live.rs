//! Live zones: exclusion zones (a crowd, an incident) added, moved or removed during a flight.
//!
//! How a live zone reaches the vehicle without disturbing the rest of its fence: MAVLink has no
//! "add one fence item" operation, and ArduPilot (`MissionItemProtocol_Fence`) receives an
//! uploaded fence list into a separate buffer and writes it to its fence store only when the
//! last item has arrived; until then, and after a failed or interrupted upload, the old fence
//! stays in force. So a live change re-uploads the whole fence — the planned areas unchanged,
//! the live zones added — as one transfer verified by read-back ([`LiveZones::upload`]), and
//! touches no parameter: `FENCE_ENABLE`, `FENCE_TYPE` and the breach action stay as they were.
//! The vehicle therefore only ever holds the old fence or the whole new one.
//!
//! The ground monitor does not wait for the upload: [`LiveZones::fence`] goes to
//! [`super::Monitor::set_fence`] at once, so the next telemetry sample is already measured
//! against the new zone.

use super::model::{Fence, FenceArea, FenceShape};
use super::upload::{FenceAutopilot, FenceLinkError, FenceUpload, fence_items};
use crate::link::param::ParamConfig;
use crate::link::transfer::{Target, TransferConfig};

/// The planned fence plus the live exclusion zones added in flight.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveZones {
    planned: Fence,
    zones: Vec<FenceArea>,
    revision: u64,
}

impl LiveZones {
    /// Live zones on top of the planned `fence` (which they never change).
    pub fn new(planned: Fence) -> Self {
        Self {
            planned,
            zones: Vec::new(),
            revision: 0,
        }
    }

    /// Adds the exclusion zone `name`, or moves it if it exists; returns the new revision.
    pub fn set_exclusion(&mut self, name: &str, shape: FenceShape) -> u64 {
        let name = format!("live '{name}'");
        match self.zones.iter_mut().find(|z| z.name == name) {
            Some(z) => z.shape = shape,
            None => self.zones.push(FenceArea {
                name,
                inclusion: false,
                shape,
            }),
        }
        self.revision += 1;
        self.revision
    }

    /// Removes the live zone `name`; returns the new revision, or `None` if there was none.
    pub fn remove(&mut self, name: &str) -> Option<u64> {
        let name = format!("live '{name}'");
        let i = self.zones.iter().position(|z| z.name == name)?;
        self.zones.remove(i);
        self.revision += 1;
        Some(self.revision)
    }

    /// How many changes have been made (0: the planned fence alone).
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The fence to fly now: the planned areas in their order, then the live zones.
    pub fn fence(&self) -> Fence {
        let mut f = self.planned.clone();
        f.areas.extend(self.zones.iter().cloned());
        f
    }

    /// The whole-fence upload that puts the current zones on the vehicle (items only, verified
    /// by read-back; no parameter is touched).
    pub fn upload(
        &self,
        target: Target,
        autopilot: FenceAutopilot,
        cfg: TransferConfig,
    ) -> Result<FenceUpload, FenceLinkError> {
        let items = fence_items(&self.fence(), autopilot)?;
        Ok(FenceUpload::new(
            target,
            items,
            Vec::new(),
            cfg,
            ParamConfig::default(),
        ))
    }
}

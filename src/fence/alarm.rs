//! Graded alarms and their lifecycle: raised, updated, acknowledged, cleared, each with a time,
//! what happened, where, what to do and an optional automatic action.

use serde::Serialize;

/// How urgent an alarm is, in the grades security teams use for their own warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// Attention: inside the warning margin, or something worth a look.
    Blue,
    /// Act soon: a breach is predicted within the horizon.
    Yellow,
    /// Act now: breached, or the vehicle lost something it needs.
    Orange,
    /// Emergency: breached and not recovering, link lost near a fence, battery critical far out.
    Red,
}

impl Grade {
    /// The grade's name: `blue`, `yellow`, `orange`, `red`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Blue => "blue",
            Self::Yellow => "yellow",
            Self::Orange => "orange",
            Self::Red => "red",
        }
    }
}

/// What an alarm is about. One alarm at most is active per vehicle and kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AlarmKind {
    /// A fence area (inclusion or exclusion), by name.
    Fence { area: String },
    /// The altitude ceiling.
    Ceiling,
    /// The altitude floor.
    Floor,
    /// No telemetry for longer than the link-loss time.
    LinkLost,
    /// Battery low or critical.
    Battery,
    /// No 3D GPS fix.
    GpsLost,
    /// The vehicle's EKF reports a bad solution.
    EkfFailure,
    /// The vehicle itself reports a fence breach (`FENCE_STATUS`).
    VehicleBreach,
    /// The flight mode changed without the ground station asking.
    ModeChange,
    /// A crowd found in thermal frames.
    Crowd { crowd_id: u64 },
}

impl AlarmKind {
    /// Whether the monitor re-derives this alarm from every telemetry sample (and clears it
    /// once the condition is gone), as opposed to alarms raised by an event.
    pub(crate) fn derived_from_sample(&self) -> bool {
        !matches!(self, Self::LinkLost | Self::ModeChange | Self::Crowd { .. })
    }

    /// Whether an automatic action may follow this alarm (the vehicle can still act on it).
    pub(crate) fn actionable(&self) -> bool {
        matches!(
            self,
            Self::Fence { .. } | Self::Ceiling | Self::Floor | Self::VehicleBreach | Self::Battery
        )
    }
}

/// An action the caller may execute through the link when an alarm reaches a grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AutoAction {
    /// Return to launch (ArduPilot RTL, PX4 RTL).
    Return,
    /// Hold position (ArduPilot LOITER, PX4 HOLD).
    Loiter,
    /// Stop at once (ArduPilot BRAKE; PX4 has none: HOLD).
    Brake,
}

impl AutoAction {
    /// The flight mode that carries the action out on `firmware`, for the link's set-mode
    /// command (with [`crate::link::modes::mode_number`]); `None` when the firmware has none.
    pub fn mode_name(self, firmware: crate::link::modes::Firmware) -> Option<&'static str> {
        use crate::link::modes::Firmware;
        match (firmware, self) {
            (Firmware::ArduCopter, Self::Return) => Some("RTL"),
            (Firmware::ArduCopter, Self::Loiter) => Some("LOITER"),
            (Firmware::ArduCopter, Self::Brake) => Some("BRAKE"),
            (Firmware::ArduPlane, Self::Return) => Some("RTL"),
            // A plane cannot stop: it circles.
            (Firmware::ArduPlane, Self::Loiter | Self::Brake) => Some("LOITER"),
            (Firmware::Px4, Self::Return) => Some("AUTO.RTL"),
            (Firmware::Px4, Self::Loiter | Self::Brake) => Some("AUTO.LOITER"),
            (Firmware::Other, _) => None,
        }
    }
}

/// Where an alarm is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    /// The vehicle's (or the crowd's) latitude, degrees.
    pub lat_deg: f64,
    /// Longitude, degrees.
    pub lon_deg: f64,
    /// The fence area involved, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fence: Option<String>,
    /// The polygon edge nearest the vehicle, vertices numbered from 1: `edge 3–4`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge: Option<String>,
    /// Clearance to the fence, metres (negative when breached).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clearance_m: Option<f64>,
    /// Predicted seconds to the breach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_to_breach_s: Option<f64>,
}

impl Place {
    /// A place with a position only.
    pub fn at(lat_deg: f64, lon_deg: f64) -> Self {
        Self {
            lat_deg,
            lon_deg,
            fence: None,
            edge: None,
            clearance_m: None,
            time_to_breach_s: None,
        }
    }
}

/// An active alarm.
#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    /// Unique within a monitor, from 1.
    pub id: u64,
    /// The vehicle's system id; 0 for an alarm tied to no vehicle (a crowd seen on the ground).
    pub vehicle: u8,
    pub kind: AlarmKind,
    pub grade: Grade,
    /// When it was raised, seconds.
    pub raised_s: f64,
    /// When its grade last changed (or it was raised), seconds.
    pub updated_s: f64,
    /// When the operator acknowledged its current grade; reset when the grade escalates.
    pub acknowledged_s: Option<f64>,
    /// What happened.
    pub what: String,
    /// Where.
    pub place: Option<Place>,
    /// What the operator should do.
    pub todo: String,
    /// The automatic action for the current grade, if any.
    pub action: Option<AutoAction>,
    /// Since when the condition behind an orange/red fence alarm has been breached.
    pub(crate) breached_since_s: Option<f64>,
}

/// A lifecycle step of an alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    Raised,
    /// The grade changed (an escalation, or a step back down short of clearing).
    Updated,
    Acknowledged,
    Cleared,
}

/// One line of the alarm log: a lifecycle step with everything an operator needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlarmEvent {
    /// When, seconds (the monitor's clock: the telemetry's time).
    pub time_s: f64,
    pub event: Lifecycle,
    pub alarm_id: u64,
    pub vehicle: u8,
    pub kind: AlarmKind,
    pub grade: Grade,
    /// The grade before an update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_grade: Option<Grade>,
    pub what: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
    pub todo: String,
    /// The automatic action to execute now (only on raise and escalation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<AutoAction>,
}

impl std::fmt::Display for AlarmEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ev = match self.event {
            Lifecycle::Raised => "raised",
            Lifecycle::Updated => "updated",
            Lifecycle::Acknowledged => "acknowledged",
            Lifecycle::Cleared => "cleared",
        };
        write!(
            f,
            "[{:>8.1} s] {:<6} #{} vehicle {} {}: {}",
            self.time_s,
            self.grade.name(),
            self.alarm_id,
            self.vehicle,
            ev,
            self.what
        )?;
        if let Some(p) = &self.place {
            write!(f, " at {:.6}, {:.6}", p.lat_deg, p.lon_deg)?;
            if let Some(e) = &p.edge {
                write!(f, " ({e})")?;
            }
        }
        if self.event != Lifecycle::Cleared {
            write!(f, " — {}", self.todo)?;
        }
        if let Some(a) = self.action {
            write!(f, " [auto: {a:?}]")?;
        }
        Ok(())
    }
}

/// A condition as the monitor finds it: the alarm it should be.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub grade: Grade,
    pub what: String,
    pub place: Option<Place>,
    pub todo: String,
}

/// The active alarms and the rules of their lifecycle.
#[derive(Debug, Clone, Default)]
pub struct AlarmBook {
    alarms: Vec<Alarm>,
    next_id: u64,
}

impl AlarmBook {
    /// The active alarms, oldest first.
    pub fn active(&self) -> &[Alarm] {
        &self.alarms
    }

    /// The active alarm of `vehicle` and `kind`.
    pub fn get(&self, vehicle: u8, kind: &AlarmKind) -> Option<&Alarm> {
        self.alarms
            .iter()
            .find(|a| a.vehicle == vehicle && &a.kind == kind)
    }

    pub(crate) fn get_mut(&mut self, vehicle: u8, kind: &AlarmKind) -> Option<&mut Alarm> {
        self.alarms
            .iter_mut()
            .find(|a| a.vehicle == vehicle && &a.kind == kind)
    }

    /// Raises the alarm, or updates it when its grade changed; the text and place follow the
    /// condition silently while the grade stays. `action` is the automatic action for the
    /// condition's grade; it is reported on raise and on escalation only.
    pub fn assert(
        &mut self,
        now_s: f64,
        vehicle: u8,
        kind: AlarmKind,
        c: Condition,
        action: Option<AutoAction>,
    ) -> Option<AlarmEvent> {
        if let Some(a) = self.get_mut(vehicle, &kind) {
            let previous = a.grade;
            a.what = c.what;
            a.place = c.place;
            a.todo = c.todo;
            if previous == c.grade {
                return None;
            }
            a.grade = c.grade;
            a.updated_s = now_s;
            a.action = action;
            let escalated = c.grade > previous;
            if escalated {
                a.acknowledged_s = None;
            }
            let a = a.clone();
            let mut e = event(&a, now_s, Lifecycle::Updated);
            e.previous_grade = Some(previous);
            if !escalated {
                e.action = None;
            }
            tracing::info!(alarm = a.id, vehicle, grade = a.grade.name(), "{}", a.what);
            return Some(e);
        }
        self.next_id += 1;
        let a = Alarm {
            id: self.next_id,
            vehicle,
            kind,
            grade: c.grade,
            raised_s: now_s,
            updated_s: now_s,
            acknowledged_s: None,
            what: c.what,
            place: c.place,
            todo: c.todo,
            action,
            breached_since_s: None,
        };
        tracing::info!(alarm = a.id, vehicle, grade = a.grade.name(), "{}", a.what);
        let e = event(&a, now_s, Lifecycle::Raised);
        self.alarms.push(a);
        Some(e)
    }

    /// Clears the active alarm of `vehicle` and `kind`, if any.
    pub fn clear(&mut self, now_s: f64, vehicle: u8, kind: &AlarmKind) -> Option<AlarmEvent> {
        let i = self
            .alarms
            .iter()
            .position(|a| a.vehicle == vehicle && &a.kind == kind)?;
        let a = self.alarms.remove(i);
        let mut e = event(&a, now_s, Lifecycle::Cleared);
        e.action = None;
        Some(e)
    }

    /// The operator acknowledges alarm `id` at its current grade. An alarm raised by an event
    /// rather than a lasting condition (an unexpected mode change) is cleared by it as well.
    pub fn acknowledge(&mut self, now_s: f64, id: u64) -> Vec<AlarmEvent> {
        let Some(a) = self.alarms.iter_mut().find(|a| a.id == id) else {
            return Vec::new();
        };
        if a.acknowledged_s.is_some() {
            return Vec::new();
        }
        a.acknowledged_s = Some(now_s);
        let mut e = event(a, now_s, Lifecycle::Acknowledged);
        e.action = None;
        let (vehicle, kind) = (a.vehicle, a.kind.clone());
        let mut out = vec![e];
        if kind == AlarmKind::ModeChange {
            out.extend(self.clear(now_s, vehicle, &kind));
        }
        out
    }

    /// Removes every alarm of `vehicle` whose kind `keep` rejects, as cleared.
    pub(crate) fn clear_where(
        &mut self,
        now_s: f64,
        vehicle: u8,
        mut stale: impl FnMut(&AlarmKind) -> bool,
        out: &mut Vec<AlarmEvent>,
    ) {
        let mut i = 0;
        while i < self.alarms.len() {
            let a = &self.alarms[i];
            if a.vehicle == vehicle && stale(&a.kind) {
                let a = self.alarms.remove(i);
                let mut e = event(&a, now_s, Lifecycle::Cleared);
                e.action = None;
                out.push(e);
            } else {
                i += 1;
            }
        }
    }
}

fn event(a: &Alarm, now_s: f64, event: Lifecycle) -> AlarmEvent {
    AlarmEvent {
        time_s: now_s,
        event,
        alarm_id: a.id,
        vehicle: a.vehicle,
        kind: a.kind.clone(),
        grade: a.grade,
        previous_grade: None,
        what: a.what.clone(),
        place: a.place.clone(),
        todo: a.todo.clone(),
        action: a.action,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(grade: Grade) -> Condition {
        Condition {
            grade,
            what: format!("{} thing", grade.name()),
            place: None,
            todo: "do".into(),
        }
    }

    #[test]
    fn lifecycle_raises_updates_acknowledges_and_clears_with_times() {
        let mut book = AlarmBook::default();
        let k = AlarmKind::Ceiling;
        let e = book
            .assert(1.0, 3, k.clone(), cond(Grade::Blue), None)
            .expect("raised");
        assert_eq!(
            (e.event, e.alarm_id, e.grade),
            (Lifecycle::Raised, 1, Grade::Blue)
        );
        // Same grade: no event.
        assert_eq!(
            book.assert(1.1, 3, k.clone(), cond(Grade::Blue), None),
            None
        );
        let ack = book.acknowledge(1.5, 1);
        assert_eq!(ack.len(), 1);
        assert_eq!(ack[0].event, Lifecycle::Acknowledged);
        assert_eq!(book.get(3, &k).and_then(|a| a.acknowledged_s), Some(1.5));
        // Escalation resets the acknowledgement and carries the action.
        let up = book
            .assert(
                2.0,
                3,
                k.clone(),
                cond(Grade::Orange),
                Some(AutoAction::Brake),
            )
            .expect("updated");
        assert_eq!(up.event, Lifecycle::Updated);
        assert_eq!(up.previous_grade, Some(Grade::Blue));
        assert_eq!(up.action, Some(AutoAction::Brake));
        assert_eq!(book.get(3, &k).and_then(|a| a.acknowledged_s), None);
        // A step down is an update without an action.
        let down = book
            .assert(3.0, 3, k.clone(), cond(Grade::Yellow), None)
            .expect("updated");
        assert_eq!((down.grade, down.action), (Grade::Yellow, None));
        let c = book.clear(4.0, 3, &k).expect("cleared");
        assert_eq!(
            (c.event, c.time_s, c.alarm_id),
            (Lifecycle::Cleared, 4.0, 1)
        );
        assert!(book.active().is_empty());
        // A new alarm gets a new id.
        let e = book
            .assert(5.0, 3, k, cond(Grade::Blue), None)
            .expect("raised");
        assert_eq!(e.alarm_id, 2);
    }

    #[test]
    fn actions_name_modes_the_firmware_knows() {
        use crate::link::modes::{Firmware, mode_number};
        for fw in [Firmware::ArduCopter, Firmware::ArduPlane, Firmware::Px4] {
            for a in [AutoAction::Return, AutoAction::Loiter, AutoAction::Brake] {
                let name = a.mode_name(fw).expect("a mode");
                assert!(mode_number(fw, name).is_some(), "{fw:?} {name}");
            }
        }
        assert_eq!(
            AutoAction::Brake.mode_name(Firmware::ArduCopter),
            Some("BRAKE")
        );
        assert_eq!(mode_number(Firmware::ArduCopter, "BRAKE"), Some(17));
    }

    #[test]
    fn acknowledging_a_mode_change_clears_it() {
        let mut book = AlarmBook::default();
        book.assert(1.0, 1, AlarmKind::ModeChange, cond(Grade::Yellow), None);
        let ev = book.acknowledge(2.0, 1);
        let kinds: Vec<_> = ev.iter().map(|e| e.event).collect();
        assert_eq!(kinds, [Lifecycle::Acknowledged, Lifecycle::Cleared]);
        assert!(book.active().is_empty());
        assert!(book.acknowledge(2.0, 1).is_empty());
    }
}

//! Tracking detections across frames, and crowds.
//!
//! [`Tracker`] merges detections of one object seen in successive frames into one
//! [`TrackedObject`] with a stable id: each frame's detections are matched to live objects by
//! nearest ground distance within a gate (greedy on the globally closest pairs first), the
//! matched object's position is smoothed towards the new sighting, an unmatched detection
//! starts a new object, and an object unseen for `max_age_s` is dropped.
//!
//! [`CrowdWatch`] finds crowds among the people tracked: at least `min_people` within
//! `radius_m` of one of them. Each crowd is a [`CrowdEvent`] value with a stable crowd id; the
//! alarm system (issue 6) consumes these values, Vigil's thermal module raises no alarm itself.

use serde::Serialize;

use super::geo::GroundPoint;
use super::hotspot::HotspotKind;

/// One hotspot placed on the ground.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroundDetection {
    /// Frame time on the vehicle boot clock, seconds.
    pub time_s: f64,
    /// Where it is.
    pub point: GroundPoint,
    /// What it probably is.
    pub kind: HotspotKind,
    /// Peak temperature, °C.
    pub peak_c: f64,
    /// Ground area, m², if known.
    pub area_m2: Option<f64>,
}

/// Tuning of the tracker.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrackerParams {
    /// A detection farther than this from an object never joins it, metres. People walk at
    /// 1.5 m/s; at 5 frames per second with 2 m geolocation error, 3 m is generous.
    pub gate_m: f64,
    /// An object unseen for this long is dropped, seconds.
    pub max_age_s: f64,
    /// Weight of a new sighting in the object's smoothed position (0..1].
    pub smoothing: f64,
    /// Detections of one frame closer than this are one object (a head and shoulders that
    /// came out as two blobs), metres.
    pub same_object_m: f64,
}

impl Default for TrackerParams {
    fn default() -> Self {
        Self {
            gate_m: 3.0,
            max_age_s: 5.0,
            smoothing: 0.5,
            same_object_m: 0.6,
        }
    }
}

/// An object seen in one or more frames.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackedObject {
    /// Stable id, unique within the tracker.
    pub id: u64,
    /// Smoothed position, east of the venue centre, metres.
    pub east_m: f64,
    /// Smoothed position, north of the venue centre, metres.
    pub north_m: f64,
    /// Latitude of the smoothed position, degrees.
    pub lat_deg: f64,
    /// Longitude of the smoothed position, degrees.
    pub lon_deg: f64,
    /// First sighting, seconds.
    pub first_seen_s: f64,
    /// Last sighting, seconds.
    pub last_seen_s: f64,
    /// Number of frames it was seen in.
    pub sightings: u32,
    /// Sightings classed as a person.
    pub person_sightings: u32,
    /// Hottest peak seen, °C.
    pub peak_c: f64,
}

impl TrackedObject {
    /// A person when at least half its sightings were.
    pub fn is_person(&self) -> bool {
        2 * self.person_sightings >= self.sightings
    }
}

/// Merges detections across frames into objects with stable ids.
#[derive(Debug, Clone)]
pub struct Tracker {
    /// Tuning.
    pub params: TrackerParams,
    frame: crate::area::LocalFrame,
    next_id: u64,
    objects: Vec<TrackedObject>,
}

impl Tracker {
    /// A tracker placing objects in the venue's local frame.
    pub fn new(frame: crate::area::LocalFrame, params: TrackerParams) -> Self {
        Self {
            params,
            frame,
            next_id: 1,
            objects: Vec::new(),
        }
    }

    /// The live objects, oldest id first.
    pub fn objects(&self) -> &[TrackedObject] {
        &self.objects
    }

    /// Feeds one frame's detections (all at `time_s`); returns the object id each detection
    /// was given, in the detections' order.
    pub fn update(&mut self, time_s: f64, detections: &[GroundDetection]) -> Vec<u64> {
        let max_age = self.params.max_age_s;
        self.objects.retain(|o| time_s - o.last_seen_s <= max_age);

        // Candidate pairs within the gate, closest first; ties broken by index for determinism.
        let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
        for (oi, o) in self.objects.iter().enumerate() {
            for (di, d) in detections.iter().enumerate() {
                let dist = (o.east_m - d.point.east_m).hypot(o.north_m - d.point.north_m);
                if dist <= self.params.gate_m {
                    pairs.push((dist, oi, di));
                }
            }
        }
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));

        let mut object_taken = vec![false; self.objects.len()];
        let mut ids = vec![0u64; detections.len()];
        for (_, oi, di) in pairs {
            if object_taken[oi] || ids[di] != 0 {
                continue;
            }
            object_taken[oi] = true;
            let a = self.params.smoothing;
            let d = &detections[di];
            let frame = self.frame;
            let o = &mut self.objects[oi];
            o.east_m += a * (d.point.east_m - o.east_m);
            o.north_m += a * (d.point.north_m - o.north_m);
            (o.lon_deg, o.lat_deg) = frame.to_wgs84(o.east_m, o.north_m);
            o.last_seen_s = time_s;
            o.sightings += 1;
            o.person_sightings += u32::from(d.kind == HotspotKind::Person);
            o.peak_c = o.peak_c.max(d.peak_c);
            ids[di] = o.id;
        }

        for (di, d) in detections.iter().enumerate() {
            if ids[di] != 0 {
                continue;
            }
            // Part of an object already given an id in this frame?
            let near = detections.iter().zip(&ids).find(|(o, id)| {
                **id != 0
                    && (o.point.east_m - d.point.east_m).hypot(o.point.north_m - d.point.north_m)
                        <= self.params.same_object_m
            });
            if let Some((_, &id)) = near {
                ids[di] = id;
                continue;
            }
            let id = self.next_id;
            self.next_id += 1;
            self.objects.push(TrackedObject {
                id,
                east_m: d.point.east_m,
                north_m: d.point.north_m,
                lat_deg: d.point.lat_deg,
                lon_deg: d.point.lon_deg,
                first_seen_s: time_s,
                last_seen_s: time_s,
                sightings: 1,
                person_sightings: u32::from(d.kind == HotspotKind::Person),
                peak_c: d.peak_c,
            });
            ids[di] = id;
        }
        ids
    }
}

// ---------------------------------------------------------------------------------------------
// Crowds

/// What makes a crowd.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CrowdParams {
    /// At least this many people…
    pub min_people: usize,
    /// …within this distance of one of them, metres.
    pub radius_m: f64,
}

impl Default for CrowdParams {
    fn default() -> Self {
        Self {
            min_people: 5,
            radius_m: 5.0,
        }
    }
}

/// Whether a crowd is new or was already reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CrowdStatus {
    /// First seen in this update: the alarm system should raise an alarm.
    Formed,
    /// Seen before (it shares at least half its people with a crowd of the last update).
    Ongoing,
}

/// A crowd found among the tracked people: the value the alarm system consumes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrowdEvent {
    /// Stable id while the crowd persists.
    pub crowd_id: u64,
    /// New or ongoing.
    pub status: CrowdStatus,
    /// Time of the update, seconds on the vehicle boot clock.
    pub time_s: f64,
    /// Number of people.
    pub people: usize,
    /// Centre (mean of its people), east of the venue centre, metres.
    pub east_m: f64,
    /// Centre, north, metres.
    pub north_m: f64,
    /// Centre latitude, degrees.
    pub lat_deg: f64,
    /// Centre longitude, degrees.
    pub lon_deg: f64,
    /// Distance from the centre to the farthest member, metres.
    pub extent_m: f64,
    /// Tracked object ids of its people, ascending.
    pub member_ids: Vec<u64>,
}

/// Finds crowds among tracked people and keeps their ids stable from update to update.
#[derive(Debug, Clone)]
pub struct CrowdWatch {
    /// What makes a crowd.
    pub params: CrowdParams,
    frame: crate::area::LocalFrame,
    next_id: u64,
    last: Vec<CrowdEvent>,
}

impl CrowdWatch {
    /// A crowd watch in the venue's local frame.
    pub fn new(frame: crate::area::LocalFrame, params: CrowdParams) -> Self {
        Self {
            params,
            frame,
            next_id: 1,
            last: Vec::new(),
        }
    }

    /// The crowds among `objects` (the tracker's live objects) at `time_s`.
    ///
    /// A crowd is grown greedily: the person with the most people within `radius_m` of them
    /// (ties to the lowest id) is taken with those people if they are at least `min_people`,
    /// they are removed, and the search repeats.
    pub fn update(&mut self, time_s: f64, objects: &[TrackedObject]) -> Vec<CrowdEvent> {
        let mut free: Vec<&TrackedObject> = objects.iter().filter(|o| o.is_person()).collect();
        free.sort_by_key(|o| o.id);
        let r = self.params.radius_m;
        let mut out = Vec::new();
        loop {
            let best = free
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let n = free
                        .iter()
                        .filter(|o| (o.east_m - c.east_m).hypot(o.north_m - c.north_m) <= r)
                        .count();
                    (n, i)
                })
                .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            let Some((n, i)) = best else { break };
            if n < self.params.min_people {
                break;
            }
            let c = free[i];
            let (members, rest): (Vec<&TrackedObject>, Vec<&TrackedObject>) = free
                .iter()
                .partition(|o| (o.east_m - c.east_m).hypot(o.north_m - c.north_m) <= r);
            free = rest;
            let k = members.len() as f64;
            let east_m = members.iter().map(|o| o.east_m).sum::<f64>() / k;
            let north_m = members.iter().map(|o| o.north_m).sum::<f64>() / k;
            let extent_m = members
                .iter()
                .map(|o| (o.east_m - east_m).hypot(o.north_m - north_m))
                .fold(0.0, f64::max);
            let mut member_ids: Vec<u64> = members.iter().map(|o| o.id).collect();
            member_ids.sort_unstable();
            let (lon_deg, lat_deg) = self.frame.to_wgs84(east_m, north_m);
            let previous = self.last.iter().find(|p| {
                let shared = p
                    .member_ids
                    .iter()
                    .filter(|id| member_ids.binary_search(id).is_ok())
                    .count();
                2 * shared >= p.member_ids.len().min(member_ids.len())
                    && !out.iter().any(|e: &CrowdEvent| e.crowd_id == p.crowd_id)
            });
            let (crowd_id, status) = match previous {
                Some(p) => (p.crowd_id, CrowdStatus::Ongoing),
                None => {
                    self.next_id += 1;
                    (self.next_id - 1, CrowdStatus::Formed)
                }
            };
            out.push(CrowdEvent {
                crowd_id,
                status,
                time_s,
                people: member_ids.len(),
                east_m,
                north_m,
                lat_deg,
                lon_deg,
                extent_m,
                member_ids,
            });
        }
        self.last = out.clone();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::area::LocalFrame;

    fn frame() -> LocalFrame {
        LocalFrame::new(144.9717, -37.8183)
    }

    fn det(t: f64, e: f64, n: f64) -> GroundDetection {
        let (lon, lat) = frame().to_wgs84(e, n);
        GroundDetection {
            time_s: t,
            point: GroundPoint {
                east_m: e,
                north_m: n,
                lat_deg: lat,
                lon_deg: lon,
                range_m: 40.0,
            },
            kind: HotspotKind::Person,
            peak_c: 32.0,
            area_m2: Some(0.2),
        }
    }

    #[test]
    fn two_walkers_keep_their_ids_across_frames() {
        let mut t = Tracker::new(frame(), TrackerParams::default());
        let a = t.update(0.0, &[det(0.0, 0.0, 0.0), det(0.0, 10.0, 0.0)]);
        assert_eq!(a, vec![1, 2]);
        // Detections come in the other order and each walker moved 0.5 m.
        let b = t.update(0.2, &[det(0.2, 10.5, 0.0), det(0.2, 0.5, 0.0)]);
        assert_eq!(b, vec![2, 1]);
        let o = &t.objects()[0];
        assert_eq!((o.id, o.sightings), (1, 2));
        assert!(
            (o.east_m - 0.25).abs() < 1e-9,
            "smoothed halfway: {}",
            o.east_m
        );
    }

    #[test]
    fn a_detection_outside_the_gate_starts_a_new_object_and_old_ones_expire() {
        let mut t = Tracker::new(frame(), TrackerParams::default());
        t.update(0.0, &[det(0.0, 0.0, 0.0)]);
        assert_eq!(t.update(1.0, &[det(1.0, 3.5, 0.0)]), vec![2]);
        assert_eq!(t.objects().len(), 2);
        assert_eq!(t.update(7.0, &[det(7.0, 3.5, 0.0)]), vec![3]);
        assert_eq!(t.objects().len(), 1);
    }

    #[test]
    fn two_blobs_of_one_person_in_a_frame_are_one_object() {
        let mut t = Tracker::new(frame(), TrackerParams::default());
        let ids = t.update(
            0.0,
            &[det(0.0, 0.0, 0.0), det(0.0, 0.3, 0.2), det(0.0, 5.0, 0.0)],
        );
        assert_eq!(ids, vec![1, 1, 2]);
        assert_eq!(t.objects().len(), 2);
        // Next frame: both blobs again, both join object 1.
        let ids = t.update(0.2, &[det(0.2, 0.3, 0.2), det(0.2, 0.0, 0.1)]);
        assert_eq!(ids, vec![1, 1]);
        assert_eq!(t.objects()[0].sightings, 2);
    }

    #[test]
    fn the_closest_pair_wins_a_contested_detection() {
        let mut t = Tracker::new(frame(), TrackerParams::default());
        t.update(0.0, &[det(0.0, 0.0, 0.0), det(0.0, 2.0, 0.0)]);
        // One detection at 1.6 m: closer to object 2 (0.4 m) than to object 1 (1.6 m).
        assert_eq!(t.update(0.2, &[det(0.2, 1.6, 0.0)]), vec![2]);
    }

    fn people(t: &mut Tracker, time: f64, pts: &[(f64, f64)]) {
        let d: Vec<GroundDetection> = pts.iter().map(|p| det(time, p.0, p.1)).collect();
        t.update(time, &d);
    }

    #[test]
    fn five_people_within_five_metres_form_a_crowd_four_do_not() {
        let mut t = Tracker::new(frame(), TrackerParams::default());
        let mut w = CrowdWatch::new(frame(), CrowdParams::default());
        let group = [
            (0.0, 0.0),
            (4.0, 0.0),
            (0.0, 4.0),
            (-4.0, 0.0),
            (50.0, 50.0),
        ];
        people(&mut t, 0.0, &group);
        assert!(w.update(0.0, t.objects()).is_empty());

        let mut five = group.to_vec();
        five.push((0.0, -4.0));
        let mut t = Tracker::new(frame(), TrackerParams::default());
        people(&mut t, 0.0, &five);
        let ev = w.update(0.0, t.objects());
        assert_eq!(ev.len(), 1);
        let c = &ev[0];
        assert_eq!(
            (c.crowd_id, c.status, c.people),
            (1, CrowdStatus::Formed, 5)
        );
        assert_eq!(c.member_ids, vec![1, 2, 3, 4, 6]);
        assert!(c.east_m.abs() < 1e-9 && c.north_m.abs() < 1e-9);
        assert!((c.extent_m - 4.0).abs() < 1e-9);

        // Next update: the same people, the same crowd.
        let ev = w.update(0.2, t.objects());
        assert_eq!((ev[0].crowd_id, ev[0].status), (1, CrowdStatus::Ongoing));
    }

    #[test]
    fn warm_objects_that_are_not_people_never_make_a_crowd() {
        let mut t = Tracker::new(frame(), TrackerParams::default());
        let d: Vec<GroundDetection> = (0..6)
            .map(|i| GroundDetection {
                kind: HotspotKind::Hot,
                ..det(0.0, f64::from(i), 0.0)
            })
            .collect();
        t.update(0.0, &d);
        let mut w = CrowdWatch::new(frame(), CrowdParams::default());
        assert!(w.update(0.0, t.objects()).is_empty());
    }
}

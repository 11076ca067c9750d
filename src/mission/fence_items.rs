//! Fences and rally points ⇄ the mission items MAVLink transfers them as (mission types FENCE
//! and RALLY): 5000 return point, 5001/5002 polygon vertices with param1 = vertex count,
//! 5003/5004 circles with param1 = radius, 5100 rally points.
//!
//! A circle around home (a `.waypoints` 5005 row) has no MAVLink item: on ArduPilot it is the
//! `FENCE_RADIUS` parameter with the circle bit of `FENCE_TYPE`, so [`fence_to_items`] leaves it
//! out and the caller sets those parameters.

use super::error::ParseError;
use super::model::{GeoFence, GeoPoint, Mission, MissionItem, RallyPoint};
use super::wpl::{
    CMD_FENCE_CIRCLE_EXCLUSION, CMD_FENCE_CIRCLE_INCLUSION, CMD_FENCE_RETURN,
    CMD_FENCE_VERTEX_EXCLUSION, CMD_FENCE_VERTEX_INCLUSION, CMD_RALLY, FenceBuilder, Row,
    is_fence_or_rally,
};

/// `MAV_FRAME_GLOBAL`: fence items carry no altitude that matters.
const FENCE_FRAME: u8 = 0;
/// `MAV_FRAME_GLOBAL_RELATIVE_ALT`: rally altitudes are relative to home.
const RALLY_FRAME: u8 = 3;

/// Why a list of fence or rally items does not make a fence.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("fence item {seq}: {message}")]
pub struct FenceItemsError {
    /// 0-based sequence number of the offending item.
    pub seq: usize,
    pub message: String,
}

fn item(command: u16, frame: u8, p1: f64, lat: f64, lon: f64, alt: f64) -> MissionItem {
    MissionItem {
        command,
        frame,
        params: [p1, 0.0, 0.0, 0.0],
        lat_deg: lat,
        lon_deg: lon,
        alt_m: alt,
        autocontinue: false,
    }
}

/// The fence as MAVLink fence items, in order: return point, polygons, circles.
pub fn fence_to_items(fence: &GeoFence) -> Vec<MissionItem> {
    let mut out = Vec::new();
    if let Some(r) = fence.return_point {
        out.push(item(
            CMD_FENCE_RETURN,
            FENCE_FRAME,
            0.0,
            r.lat_deg,
            r.lon_deg,
            0.0,
        ));
    }
    for p in &fence.polygons {
        let cmd = if p.inclusion {
            CMD_FENCE_VERTEX_INCLUSION
        } else {
            CMD_FENCE_VERTEX_EXCLUSION
        };
        let n = p.vertices.len() as f64;
        for v in &p.vertices {
            out.push(item(cmd, FENCE_FRAME, n, v.lat_deg, v.lon_deg, 0.0));
        }
    }
    for c in &fence.circles {
        let cmd = if c.inclusion {
            CMD_FENCE_CIRCLE_INCLUSION
        } else {
            CMD_FENCE_CIRCLE_EXCLUSION
        };
        out.push(item(
            cmd,
            FENCE_FRAME,
            c.radius_m,
            c.center.lat_deg,
            c.center.lon_deg,
            0.0,
        ));
    }
    out
}

fn to_error(e: ParseError) -> FenceItemsError {
    match e {
        ParseError::Line {
            line,
            field,
            expected,
            found,
        } => FenceItemsError {
            seq: line,
            message: format!("{field}: expected {expected}, found {found:?}"),
        },
        other => FenceItemsError {
            seq: 0,
            message: other.to_string(),
        },
    }
}

/// The fence a vehicle sent back as items (e.g. after a fence download). Polygons must arrive
/// as runs of vertices whose param1 is the run's length.
pub fn fence_from_items(items: &[MissionItem]) -> Result<GeoFence, FenceItemsError> {
    let mut mission = Mission::default();
    let mut builder = FenceBuilder::default();
    for (seq, it) in items.iter().enumerate() {
        if !is_fence_or_rally(it.command) || it.command == CMD_RALLY {
            return Err(FenceItemsError {
                seq,
                message: format!("command {} is not a fence command (5000–5005)", it.command),
            });
        }
        builder
            .add(&Row::from_item(seq, it), &mut mission)
            .map_err(to_error)?;
    }
    builder.finish().map_err(to_error)?;
    Ok(mission.fence)
}

/// Rally points as MAVLink rally items (5100), altitudes in their own frame (3 when unset).
pub fn rally_to_items(rally: &[RallyPoint]) -> Vec<MissionItem> {
    rally
        .iter()
        .map(|r| {
            let p = r.position;
            item(
                CMD_RALLY,
                r.frame.unwrap_or(RALLY_FRAME),
                0.0,
                p.lat_deg,
                p.lon_deg,
                p.alt_m,
            )
        })
        .collect()
}

/// Rally points from MAVLink rally items.
pub fn rally_from_items(items: &[MissionItem]) -> Result<Vec<RallyPoint>, FenceItemsError> {
    items
        .iter()
        .enumerate()
        .map(|(seq, it)| {
            let valid = it.lat_deg.abs() <= 90.0 && it.lon_deg.abs() <= 180.0;
            if it.command != CMD_RALLY || !valid {
                return Err(FenceItemsError {
                    seq,
                    message: format!(
                        "expected a rally point (command 5100) at a WGS84 position, found \
                         command {} at ({}, {})",
                        it.command, it.lat_deg, it.lon_deg
                    ),
                });
            }
            let position = GeoPoint {
                lat_deg: it.lat_deg,
                lon_deg: it.lon_deg,
                alt_m: it.alt_m,
            };
            Ok(RallyPoint {
                frame: Some(it.frame),
                ..RallyPoint::new(position)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mission::{FenceCircle, FencePolygon, LatLon};

    fn ll(lat_deg: f64, lon_deg: f64) -> LatLon {
        LatLon { lat_deg, lon_deg }
    }

    fn fence() -> GeoFence {
        GeoFence {
            polygons: vec![
                FencePolygon {
                    inclusion: true,
                    vertices: vec![ll(1.0, 2.0), ll(1.0, 3.0), ll(2.0, 3.0)],
                },
                FencePolygon {
                    inclusion: false,
                    vertices: vec![ll(1.2, 2.2), ll(1.2, 2.4), ll(1.4, 2.4), ll(1.4, 2.2)],
                },
            ],
            circles: vec![FenceCircle {
                inclusion: false,
                center: ll(1.5, 2.5),
                radius_m: 25.5,
            }],
            home_circles: vec![],
            return_point: Some(ll(1.1, 2.1)),
        }
    }

    #[test]
    fn fence_items_carry_vertex_counts_and_radii_and_come_back() {
        let items = fence_to_items(&fence());
        let cmds: Vec<(u16, f64)> = items.iter().map(|i| (i.command, i.params[0])).collect();
        assert_eq!(
            cmds,
            [
                (5000, 0.0),
                (5001, 3.0),
                (5001, 3.0),
                (5001, 3.0),
                (5002, 4.0),
                (5002, 4.0),
                (5002, 4.0),
                (5002, 4.0),
                (5004, 25.5)
            ]
        );
        assert_eq!(fence_from_items(&items), Ok(fence()));
    }

    #[test]
    fn a_short_polygon_run_names_the_item() {
        let mut items = fence_to_items(&fence());
        items.remove(2); // the inclusion polygon now has 2 of its 3 vertices
        let err = fence_from_items(&items).expect_err("short run");
        assert_eq!(err.seq, 3);
        assert!(
            err.message
                .contains("vertex 3 of the 3-vertex fence polygon"),
            "{err}"
        );
    }

    #[test]
    fn rally_items_keep_their_frame() {
        let r = vec![RallyPoint::new(GeoPoint {
            lat_deg: 1.0,
            lon_deg: 2.0,
            alt_m: 30.0,
        })];
        let items = rally_to_items(&r);
        assert_eq!(
            (items[0].command, items[0].frame, items[0].alt_m),
            (5100, 3, 30.0)
        );
        let back = rally_from_items(&items).expect("rally");
        assert_eq!(back[0].position, r[0].position);
        assert_eq!(back[0].frame, Some(3));
        assert!(rally_from_items(&fence_to_items(&fence())).is_err());
    }
}

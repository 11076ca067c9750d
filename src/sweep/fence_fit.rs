//! Fitting a venue's fence into what an autopilot stores (ArduPilot: 255 fence items, 255
//! vertices per polygon) without ever widening it: polygons are simplified with a tolerance,
//! then inclusions are shrunk and exclusions grown by that tolerance (mitred corners), so the
//! fitted fence allows no point the venue's fence forbids.

use geo::algorithm::buffer::{Buffer, BufferStyle, LineJoin};
use geo::{Area, Simplify};
use geo_types::{Coord, LineString, Polygon};

use crate::area::LocalFrame;
use crate::fence::{Fence, FenceShape};
use crate::mission::LatLon;

/// The fence's item count as ArduPilot stores it: every vertex, every circle, the return point.
pub fn fence_item_count(fence: &Fence) -> usize {
    let shapes: usize = fence
        .areas
        .iter()
        .map(|a| match &a.shape {
            FenceShape::Polygon(v) => v.len(),
            FenceShape::Circle { .. } => 1,
        })
        .sum();
    shapes + usize::from(fence.return_point.is_some())
}

fn largest_vertices(fence: &Fence) -> usize {
    fence
        .areas
        .iter()
        .map(|a| match &a.shape {
            FenceShape::Polygon(v) => v.len(),
            FenceShape::Circle { .. } => 1,
        })
        .max()
        .unwrap_or(0)
}

/// `fence`, fitted to at most `max_items` items and `max_vertices` per polygon; returns it
/// with the tolerance used (0 when it already fitted), or `None` when even a 5 m tolerance
/// does not fit.
pub fn fit_fence(
    fence: &Fence,
    frame: &LocalFrame,
    max_items: usize,
    max_vertices: usize,
) -> Option<(Fence, f64)> {
    let fits = |f: &Fence| fence_item_count(f) <= max_items && largest_vertices(f) <= max_vertices;
    if fits(fence) {
        return Some((fence.clone(), 0.0));
    }
    for tol_m in [0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0] {
        let mut out = fence.clone();
        for area in &mut out.areas {
            let FenceShape::Polygon(vertices) = &area.shape else {
                continue;
            };
            if let Some(v) = fit_polygon(vertices, frame, tol_m, area.inclusion) {
                area.shape = FenceShape::Polygon(v);
            }
        }
        if fits(&out) {
            return Some((out, tol_m));
        }
    }
    None
}

/// One ring simplified to `tol_m`, then moved by `tol_m` to the forbidden side's opposite: an
/// inclusion shrinks, an exclusion grows. `None` if the ring vanishes.
fn fit_polygon(
    vertices: &[LatLon],
    frame: &LocalFrame,
    tol_m: f64,
    inclusion: bool,
) -> Option<Vec<LatLon>> {
    let mut ring: Vec<Coord<f64>> = vertices
        .iter()
        .map(|v| {
            let (x, y) = frame.to_local(v.lon_deg, v.lat_deg);
            Coord { x, y }
        })
        .collect();
    ring.push(*ring.first()?);
    let poly = Polygon::new(LineString::new(ring), vec![]).simplify(tol_m);
    let d = if inclusion { -tol_m } else { tol_m };
    let style = BufferStyle::new(d).line_join(LineJoin::Miter(0.01 * std::f64::consts::PI));
    let moved = poly.buffer_with_style(style);
    let best = moved
        .0
        .into_iter()
        .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
    let mut pts: Vec<LatLon> = best
        .exterior()
        .0
        .iter()
        .map(|c| {
            let (lon, lat) = frame.to_wgs84(c.x, c.y);
            LatLon {
                lat_deg: lat,
                lon_deg: lon,
            }
        })
        .collect();
    pts.pop();
    (pts.len() >= 3).then_some(pts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fence::FenceArea;
    use geo::{Contains, Point};

    /// A circle of 400 vertices, 100 m across, as an inclusion fence.
    fn round_fence(frame: &LocalFrame) -> Fence {
        let v = (0..400)
            .map(|i| {
                let a = f64::from(i) / 400.0 * std::f64::consts::TAU;
                let (lon, lat) = frame.to_wgs84(50.0 * a.cos(), 50.0 * a.sin());
                LatLon {
                    lat_deg: lat,
                    lon_deg: lon,
                }
            })
            .collect();
        Fence {
            areas: vec![FenceArea {
                name: "boundary".into(),
                inclusion: true,
                shape: FenceShape::Polygon(v),
            }],
            ceiling_m: Some(60.0),
            floor_m: None,
            return_point: None,
        }
    }

    #[test]
    fn a_400_vertex_inclusion_fits_in_255_items_and_never_grows() {
        let frame = LocalFrame::new(144.98, -37.82);
        let fence = round_fence(&frame);
        assert_eq!(fence_item_count(&fence), 400);
        let (fitted, tol) = fit_fence(&fence, &frame, 255, 255).expect("fits");
        assert!(tol > 0.0 && tol <= 1.0, "{tol}");
        assert!(fence_item_count(&fitted) <= 255);
        let FenceShape::Polygon(v) = &fitted.areas[0].shape else {
            panic!("polygon")
        };
        let local: Vec<Coord<f64>> = v
            .iter()
            .map(|p| {
                let (x, y) = frame.to_local(p.lon_deg, p.lat_deg);
                Coord { x, y }
            })
            .collect();
        // Every fitted vertex lies within the original circle, and within tol + 1 cm of it.
        for c in &local {
            let r = c.x.hypot(c.y);
            assert!(
                r <= 50.0 + 1e-6,
                "vertex at {r} m outside the venue's fence"
            );
            assert!(r >= 50.0 - 2.0 * tol - 0.01, "vertex at {r} m cut too deep");
        }
        let poly = Polygon::new(LineString::new(local), vec![]);
        assert!(poly.contains(&Point::new(0.0, 47.0)));
    }

    #[test]
    fn a_fence_that_fits_is_left_alone() {
        let frame = LocalFrame::new(144.98, -37.82);
        let fence = round_fence(&frame);
        let (same, tol) = fit_fence(&fence, &frame, 500, 500).expect("fits");
        assert_eq!((same, tol), (fence, 0.0));
    }
}

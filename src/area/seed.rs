//! Seeded camera layouts for venues that come without cameras.

use geo::{Area, BoundingRect, Centroid, Contains};
use geo_types::Point;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{Camera, Venue};

/// Tries per camera before giving up on a boundary that leaves almost no room.
const TRIES_PER_CAMERA: usize = 1_000;

/// `n` cameras placed at random (but reproducibly, from `seed`) inside the boundary and
/// outside no-fly zones, each looking roughly towards the middle of the venue with a
/// 60–100° field of view and a range that suits the venue's size (15–150 m).
///
/// The same venue, `n` and `seed` always give the same cameras. Fewer than `n` come back only
/// when the flyable area is a tiny sliver of its bounding box.
pub fn seeded_cameras(venue: &Venue, n: usize, seed: u64) -> Vec<Camera> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (Some(rect), Some(centre)) = (venue.boundary.bounding_rect(), venue.boundary.centroid())
    else {
        return Vec::new();
    };
    let area_m2 = venue.boundary.unsigned_area();
    let base_range_m = (area_m2 / n.max(1) as f64).sqrt().clamp(15.0, 120.0);

    let mut cameras = Vec::with_capacity(n);
    let mut tries = 0;
    while cameras.len() < n && tries < n.saturating_mul(TRIES_PER_CAMERA) {
        tries += 1;
        let p = Point::new(
            rng.random_range(rect.min().x..=rect.max().x),
            rng.random_range(rect.min().y..=rect.max().y),
        );
        if !venue.boundary.contains(&p) || venue.no_fly.iter().any(|z| z.area.contains(&p)) {
            continue;
        }
        let (dx, dy) = (centre.x() - p.x(), centre.y() - p.y());
        let towards_deg = if dx.hypot(dy) < 1.0 {
            rng.random_range(0.0..360.0)
        } else {
            dx.atan2(dy).to_degrees()
        };
        let heading_deg = (towards_deg + rng.random_range(-40.0..=40.0)).rem_euclid(360.0);
        cameras.push(Camera {
            name: format!("seeded camera {}", cameras.len() + 1),
            position: p,
            heading_deg,
            hfov_deg: rng.random_range(60.0..=100.0),
            range_m: (base_range_m * rng.random_range(0.9..=1.5)).clamp(15.0, 150.0),
            height_m: Some(6.0),
        });
    }
    cameras
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::area::{LocalFrame, Zone};
    use geo_types::{LineString, MultiPolygon, Polygon};

    fn venue() -> Venue {
        let square = |x0: f64, y0: f64, x1: f64, y1: f64| {
            MultiPolygon::new(vec![Polygon::new(
                LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
                vec![],
            )])
        };
        Venue {
            name: "v".into(),
            frame: LocalFrame::new(0.0, 0.0),
            boundary: square(0.0, 0.0, 300.0, 300.0),
            no_fly: vec![Zone {
                name: "lake".into(),
                area: square(100.0, 100.0, 200.0, 200.0),
                margin_m: 0.0,
            }],
            obstacles: vec![],
            cameras: vec![],
            risk: vec![],
            home: None,
            warnings: vec![],
        }
    }

    #[test]
    fn seeded_cameras_are_reproducible_and_inside_the_flyable_area() {
        let v = venue();
        let a = seeded_cameras(&v, 20, 7);
        let b = seeded_cameras(&v, 20, 7);
        let c = seeded_cameras(&v, 20, 8);
        assert_eq!(a.len(), 20);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.position, y.position);
            assert_eq!(x.heading_deg, y.heading_deg);
        }
        assert_ne!(a[0].position, c[0].position);
        for cam in &a {
            assert!(v.boundary.contains(&cam.position));
            assert!(!v.no_fly[0].area.contains(&cam.position));
            assert!((60.0..=100.0).contains(&cam.hfov_deg));
            assert!((15.0..=150.0).contains(&cam.range_m));
            assert!((0.0..360.0).contains(&cam.heading_deg));
        }
    }

    #[test]
    fn seeded_cameras_leave_some_blind_spots_and_cover_some_ground() {
        let mut v = venue();
        v.cameras = seeded_cameras(&v, 8, 1);
        let b = crate::area::blind_spots(&v);
        assert!(
            b.blind_share > 0.0 && b.blind_share < 1.0,
            "{}",
            b.blind_share
        );
    }
}

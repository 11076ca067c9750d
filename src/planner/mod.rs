//! The coverage planner: thermal camera swath, sweeps over blind spots, safe legs, route,
//! sorties and fleet partition.
//!
//! [`plan`] takes geometry in a venue's local metres (see [`crate::area::LocalFrame`]): the
//! boundary, the no-fly zones grown by their margins, the blind spots to sweep, risk zones and
//! home. Each blind-spot region is decomposed into cells ([`decompose`]) at the sweep angle that
//! flies it fastest ([`sweep`]); cells are ordered into a tour ([`route`]); legs between sweeps
//! are shortest paths inside the flyable area ([`legs`]); the route is cut into sorties by the
//! battery and the mission capacity ([`sortie`]), across vehicles by [`fleet`]; risk zones are
//! revisited ([`risk`]); every leg is checked against the boundary and every no-fly zone
//! before the plan is returned. [`output`] turns a plan into missions, GeoJSON and a report.

pub mod coverage;
pub mod decompose;
pub mod fleet;
pub mod geom;
pub mod kinematics;
pub mod legs;
pub mod output;
pub mod risk;
pub mod route;
pub mod sensor;
pub mod sortie;
pub mod sweep;

use geo::{Area, BooleanOps, BoundingRect, Buffer, Distance, InteriorPoint, MinimumRotatedRect};
use geo_types::{Coord, MultiPolygon, Polygon};
use rand::SeedableRng;
use serde::Serialize;

pub use coverage::{Coverage, coverage};
pub use kinematics::Vehicle;
pub use legs::{Flyable, Keepout};
pub use risk::{RiskReport, RiskTarget};
pub use sensor::{
    JOHNSON_DETECTION_PX, JOHNSON_RECOGNITION_PX, PERSON_CRITICAL_M, SwathSpec, ThermalCamera,
    default_alt_m,
};
pub use sortie::{RoutePoint, Sortie};

use geom::RingSet;

/// Why a plan was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlanError {
    /// An option is out of range.
    #[error("option {field} = {value} is invalid: expected {expected}")]
    BadOption {
        field: &'static str,
        value: String,
        expected: &'static str,
    },
    /// Home is not in the flyable area and no flyable point is near it.
    #[error("home ({x_m:.1}, {y_m:.1}) m is {reason}")]
    BadHome { x_m: f64, y_m: f64, reason: String },
    /// A sweep or leg end cannot be reached inside the flyable area.
    #[error("point ({x_m:.1}, {y_m:.1}) m cannot be reached inside the flyable area")]
    Unreachable { x_m: f64, y_m: f64 },
    /// One battery cannot fly even the shortest useful sortie.
    #[error("a sortie needs {needed_s:.0} s but the battery gives {usable_s:.0} s after reserve")]
    SortieTooShort { needed_s: f64, usable_s: f64 },
    /// A leg of the final route leaves the boundary or enters a no-fly zone.
    #[error(
        "vehicle {vehicle} sortie {sortie} leg {leg} from ({from_x:.1}, {from_y:.1}) to \
         ({to_x:.1}, {to_y:.1}) m {what} {zone}"
    )]
    LegViolation {
        vehicle: usize,
        sortie: usize,
        leg: usize,
        from_x: f64,
        from_y: f64,
        to_x: f64,
        to_y: f64,
        /// "leaves" or "enters".
        what: &'static str,
        /// "the boundary" or the no-fly zone's name.
        zone: String,
    },
}

/// A corner of the venue's bounding box, for a fixed entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corner {
    SouthWest,
    SouthEast,
    NorthEast,
    NorthWest,
}

/// What to plan over, in local metres.
#[derive(Debug, Clone)]
pub struct PlanInput {
    /// The venue boundary: no leg may leave it.
    pub boundary: MultiPolygon<f64>,
    /// No-fly zones, each already grown by its own margin: no leg may enter one.
    pub keepouts: Vec<Keepout>,
    /// Blind spots to sweep.
    pub blind: MultiPolygon<f64>,
    /// Risk zones to revisit.
    pub risk: Vec<RiskTarget>,
    /// Take-off and landing point.
    pub home: Coord<f64>,
}

/// How to plan.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    pub swath: SwathSpec,
    /// Flight altitude relative to home, metres.
    pub alt_m: f64,
    pub vehicle: Vehicle,
    /// Extra distance kept from the boundary and from every grown no-fly zone, metres.
    pub safety_margin_m: f64,
    /// Blind-spot pieces smaller than this (m²) are reported as slivers, not swept.
    pub min_region_m2: f64,
    /// Fix the sweep direction for every region (degrees clockwise from north, as on a map).
    pub sweep_heading_deg: Option<f64>,
    /// Start the route at the cell entry nearest to this corner of the venue.
    pub entry_corner: Option<Corner>,
    /// A seed gives a randomised plan with the same coverage (angles within 3 % of the best
    /// estimate, greedy tour drawn among near choices).
    pub seed: Option<u64>,
    /// Vehicles sharing the work.
    pub vehicles: usize,
    /// Each further vehicle flies this much higher than the one before, so that transits
    /// over another vehicle's slab are separated in height (the swath only widens).
    pub vehicle_alt_step_m: f64,
    /// Leftovers between swaths smaller than half a swath squared are not chased while their
    /// total stays under this share of the blind area (default 0.2 %): they are reported.
    pub max_unswept_share: f64,
    /// Sweeps shorter than this (metres) are dropped where the other sweeps see what they
    /// would (all but a share of the blind area up to [`PlanOptions::max_unswept_share`],
    /// reported as leftovers between swaths), or
    /// else lengthened to it inside the flyable area: a tiny sweep costs mission items and a
    /// stop, and falls inside a copter's waypoint acceptance radius (2 m in ArduCopter).
    pub min_sweep_m: f64,
    /// Patrol length over which risk-zone revisits are checked, seconds.
    pub patrol_window_s: f64,
    /// Time on the ground between sorties (battery swap), seconds.
    pub turnaround_s: f64,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            swath: SwathSpec::Width { swath_m: 30.0 },
            alt_m: 40.0,
            vehicle: Vehicle::default(),
            safety_margin_m: 2.0,
            min_region_m2: 1.0,
            sweep_heading_deg: None,
            entry_corner: None,
            seed: None,
            vehicles: 1,
            max_unswept_share: 0.002,
            vehicle_alt_step_m: 5.0,
            min_sweep_m: 2.0,
            patrol_window_s: 3600.0,
            turnaround_s: 300.0,
        }
    }
}

/// One vehicle's share: its area and its sorties.
#[derive(Debug, Clone)]
pub struct VehicleRoute {
    /// Flight altitude relative to home: the plan's, plus the altitude step per vehicle.
    pub alt_m: f64,
    /// The blind spots this vehicle sweeps.
    pub blind: MultiPolygon<f64>,
    pub sorties: Vec<Sortie>,
    /// Cells swept.
    pub cells: usize,
    pub risk: Vec<RiskReport>,
    /// Leftover pieces not chased (count, m²), see [`PlanOptions::max_unswept_share`].
    pub unswept: (usize, f64),
}

/// Figures about what was left out.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Leftovers {
    /// Blind-spot pieces below the sliver size: count and area.
    pub slivers: usize,
    pub sliver_area_m2: f64,
    /// Blind area no swath can reach from the part of the flyable area home is in (inside
    /// margins, or enclosed by no-fly zones), m².
    pub unreachable_area_m2: f64,
    /// The unreachable pieces of at least [`PlanOptions::min_region_m2`] (and 1 m²), largest
    /// first: where they are and how big.
    pub unreachable: Vec<Spot>,
    /// Small leftovers between swaths not chased: count and area.
    pub unswept: usize,
    pub unswept_area_m2: f64,
}

/// A piece of blind area left out: a point inside it (local metres) and its area.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Spot {
    pub x_m: f64,
    pub y_m: f64,
    pub area_m2: f64,
}

/// A finished, checked plan.
#[derive(Debug, Clone)]
pub struct Plan {
    pub swath_m: f64,
    /// How far the camera sees beyond each sweep end, metres (see [`SwathSpec::cap_m`]).
    pub cap_m: f64,
    pub alt_m: f64,
    /// Where the vehicles take off and land.
    pub launch: Coord<f64>,
    /// Where every sortie's path starts and ends: `launch`, or the flyable point nearest it.
    pub home: Coord<f64>,
    pub vehicles: Vec<VehicleRoute>,
    pub flyable: MultiPolygon<f64>,
    pub leftovers: Leftovers,
    /// Legs checked against the boundary and the no-fly zones.
    pub legs_checked: usize,
}

impl Plan {
    /// Coverage of `blind` by this plan's sweeps.
    pub fn coverage(&self, blind: &MultiPolygon<f64>) -> Coverage {
        coverage(blind, self.sorties(), self.swath_m, self.cap_m)
    }

    /// Every sortie of every vehicle.
    pub fn sorties(&self) -> impl Iterator<Item = &Sortie> {
        self.vehicles.iter().flat_map(|v| v.sorties.iter())
    }
}

/// Plans a sweep of `input.blind` and checks every leg; see the module docs.
pub fn plan(input: &PlanInput, opts: &PlanOptions) -> Result<Plan, PlanError> {
    check_options(opts)?;
    let t0 = std::time::Instant::now();
    let swath_m = opts.swath.swath_m(opts.alt_m);
    let mut rng = opts.seed.map(rand_chacha::ChaCha8Rng::seed_from_u64);

    // The flyable area, and home inside it.
    let mut flyable = Flyable::new(&input.boundary, &input.keepouts, opts.safety_margin_m);
    let home = flyable
        .nearest_inside(input.home)
        .ok_or_else(|| PlanError::BadHome {
            x_m: input.home.x,
            y_m: input.home.y,
            reason: "not near the flyable area".into(),
        })?;
    // When home sits in a margin band, sorties start and end at the nearest flyable point; the
    // short leg from home to it is checked against the real boundary and zones like any other.

    // Only the part of the flyable area home is in can be flown to: a no-fly ring (a running
    // track, a moat) or a closed wall of zones cuts off what lies inside it. Blind spots seen
    // only from a cut-off part are reported as unreachable, and the rest is planned.
    if flyable.area.0.len() > 1 {
        let home_pt = geo::Point(home);
        let part = flyable
            .area
            .0
            .iter()
            .min_by(|a, b| {
                geo::Euclidean
                    .distance(&home_pt, *a)
                    .total_cmp(&geo::Euclidean.distance(&home_pt, *b))
            })
            .cloned();
        if let Some(part) = part {
            let cut_off = flyable.area.0.len() - 1;
            flyable = Flyable::from_area(MultiPolygon(vec![part]));
            tracing::info!(
                cut_off,
                "parts of the flyable area not connected to home are left out"
            );
        }
    }

    // Blind spots a swath can reach from flyable air; the rest is reported.
    tracing::debug!(
        ms = t0.elapsed().as_secs_f64() * 1e3,
        corners = flyable.corner_count(),
        "flyable area"
    );
    let reach = flyable.area.buffer(0.5 * swath_m - 0.05);
    let reachable = input.blind.intersection(&reach);
    let unreachable = input.blind.difference(&reach);
    let mut spots: Vec<Spot> = unreachable
        .iter()
        .filter_map(|p| {
            let area_m2 = p.unsigned_area();
            if area_m2 < opts.min_region_m2.max(1.0) {
                return None;
            }
            let c = p.interior_point()?;
            Some(Spot {
                x_m: c.x(),
                y_m: c.y(),
                area_m2,
            })
        })
        .collect();
    spots.sort_by(|a, b| b.area_m2.total_cmp(&a.area_m2));
    let mut leftovers = Leftovers {
        unreachable_area_m2: (input.blind.unsigned_area() - reachable.unsigned_area()).max(0.0),
        unreachable: spots,
        ..Leftovers::default()
    };
    let mut regions: Vec<Polygon<f64>> = Vec::new();
    for p in reachable {
        let a = p.unsigned_area();
        if a < opts.min_region_m2 {
            leftovers.slivers += 1;
            leftovers.sliver_area_m2 += a;
        } else {
            regions.push(p);
        }
    }
    let work = MultiPolygon(regions);

    // Vehicles: slabs of equal estimated time.
    let n = opts.vehicles;
    let axis = fleet::long_axis(&work);
    tracing::debug!(
        ms = t0.elapsed().as_secs_f64() * 1e3,
        regions = work.0.len(),
        "reachable blind spots"
    );
    let mut cuts = fleet::cuts(&work, axis, n, &[], &[1.0]);
    // A launch point off the path adds a waypoint to every mission: keep an item free for it.
    let owned;
    let opts = if home == input.home {
        opts
    } else {
        let mut o = opts.clone();
        o.vehicle.max_items -= 1;
        owned = o;
        &owned
    };
    let mut routes = plan_slabs(
        &work,
        axis,
        &cuts,
        input,
        opts,
        &mut flyable,
        home,
        swath_m,
        &mut rng,
    )?;
    if n > 1 {
        let times: Vec<f64> = routes.iter().map(route_time).collect();
        let areas: Vec<f64> = routes
            .iter()
            .map(|r| r.blind.unsigned_area().max(1.0))
            .collect();
        let density: Vec<f64> = times.iter().zip(&areas).map(|(t, a)| t / a).collect();
        let spread = times.iter().cloned().fold(0.0, f64::max)
            / times.iter().cloned().fold(f64::INFINITY, f64::min).max(1.0);
        if spread > 1.05 {
            cuts = fleet::cuts(&work, axis, n, &cuts, &density);
            let again = plan_slabs(
                &work,
                axis,
                &cuts,
                input,
                opts,
                &mut flyable,
                home,
                swath_m,
                &mut rng,
            )?;
            let worst = |rs: &[VehicleRoute]| rs.iter().map(route_time).fold(0.0, f64::max);
            if worst(&again) < worst(&routes) {
                routes = again;
            }
        }
    }

    for r in &routes {
        leftovers.unswept += r.unswept.0;
        leftovers.unswept_area_m2 += r.unswept.1;
    }

    // Every leg, against the real boundary and every zone.
    tracing::debug!(ms = t0.elapsed().as_secs_f64() * 1e3, "routes");
    let legs_checked = check_legs(&routes, input, home)?;
    tracing::info!(
        ms = t0.elapsed().as_secs_f64() * 1e3,
        legs_checked,
        vehicles = routes.len(),
        "plan checked"
    );
    Ok(Plan {
        swath_m,
        cap_m: opts.swath.cap_m(opts.alt_m),
        alt_m: opts.alt_m,
        launch: input.home,
        home,
        vehicles: routes,
        flyable: flyable.area.clone(),
        leftovers,
        legs_checked,
    })
}

fn route_time(r: &VehicleRoute) -> f64 {
    r.sorties.iter().map(|s| s.time_s).sum()
}

fn check_options(o: &PlanOptions) -> Result<(), PlanError> {
    let bad = |field, value: f64, expected| {
        Err(PlanError::BadOption {
            field,
            value: value.to_string(),
            expected,
        })
    };
    // The inputs of the swath first, so that a bad overlap or altitude is named rather than
    // the swath it gives.
    if !(o.alt_m.is_finite() && o.alt_m > 0.0) {
        return bad("alt_m", o.alt_m, "a positive altitude");
    }
    if let SwathSpec::Camera { side_overlap, .. } = o.swath
        && !(0.0..0.95).contains(&side_overlap)
    {
        return bad("overlap", side_overlap, "a share in [0, 0.95)");
    }
    let swath = o.swath.swath_m(o.alt_m);
    if !(swath.is_finite() && swath >= 1.0) {
        return bad("swath_m", swath, "a width of at least 1 m");
    }
    let v = &o.vehicle;
    if !(v.speed_mps.is_finite() && v.speed_mps > 0.0) {
        return bad("speed_mps", v.speed_mps, "a positive speed");
    }
    if !(v.accel_mps2 > 0.0 && v.climb_mps > 0.0) {
        return bad(
            "accel_mps2",
            v.accel_mps2,
            "positive acceleration and climb rate",
        );
    }
    if !(v.endurance_s.is_finite() && v.endurance_s > 0.0) {
        return bad("endurance_s", v.endurance_s, "a positive endurance");
    }
    if !(0.0..1.0).contains(&v.reserve) {
        return bad("reserve", v.reserve, "a share in [0, 1)");
    }
    if v.max_items < 8 {
        return bad("max_items", v.max_items as f64, "at least 8 mission items");
    }
    if o.safety_margin_m.is_nan() || o.safety_margin_m < 0.0 {
        return bad("margin_m", o.safety_margin_m, "a margin of 0 m or more");
    }
    if o.vehicles == 0 || o.vehicles > 64 {
        return bad("vehicles", o.vehicles as f64, "1 to 64 vehicles");
    }
    if !(o.vehicle_alt_step_m.is_finite() && o.vehicle_alt_step_m >= 0.0) {
        return bad(
            "vehicle_alt_step_m",
            o.vehicle_alt_step_m,
            "an altitude step of 0 m or more",
        );
    }
    if let Some(h) = o.sweep_heading_deg
        && !h.is_finite()
    {
        return bad("sweep_heading_deg", h, "a heading in degrees");
    }
    if !(o.min_region_m2.is_finite() && o.min_region_m2 >= 0.0) {
        return bad("min_region_m2", o.min_region_m2, "an area of 0 m² or more");
    }
    if !(o.min_sweep_m.is_finite() && o.min_sweep_m >= 0.0) {
        return bad("min_sweep_m", o.min_sweep_m, "a length of 0 m or more");
    }
    if !(o.patrol_window_s.is_finite() && o.patrol_window_s >= 0.0) {
        return bad(
            "patrol_window_s",
            o.patrol_window_s,
            "a window of 0 s or more",
        );
    }
    if !(o.turnaround_s.is_finite() && o.turnaround_s >= 0.0) {
        return bad("turnaround_s", o.turnaround_s, "a time of 0 s or more");
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn plan_slabs(
    work: &MultiPolygon<f64>,
    axis: fleet::Axis,
    cuts: &[f64],
    input: &PlanInput,
    opts: &PlanOptions,
    flyable: &mut Flyable,
    home: Coord<f64>,
    swath_m: f64,
    rng: &mut Option<rand_chacha::ChaCha8Rng>,
) -> Result<Vec<VehicleRoute>, PlanError> {
    let bounds: Vec<f64> = std::iter::once(f64::MIN / 4.0)
        .chain(cuts.iter().copied())
        .chain(std::iter::once(f64::MAX / 4.0))
        .collect();
    let mut out = Vec::new();
    for w in bounds.windows(2) {
        let part = if cuts.is_empty() {
            work.clone()
        } else {
            fleet::slab(work, axis, w[0].max(-1e7), w[1].min(1e7))
        };
        let mut route = plan_vehicle(part, input, opts, flyable, home, swath_m, rng)?;
        route.alt_m = opts.alt_m + opts.vehicle_alt_step_m * out.len() as f64;
        for r in &mut route.risk {
            r.vehicle = out.len() + 1;
        }
        out.push(route);
    }
    Ok(out)
}

fn plan_vehicle(
    blind: MultiPolygon<f64>,
    input: &PlanInput,
    opts: &PlanOptions,
    flyable: &mut Flyable,
    home: Coord<f64>,
    swath_m: f64,
    rng: &mut Option<rand_chacha::ChaCha8Rng>,
) -> Result<VehicleRoute, PlanError> {
    // Sweep angle in the maths' convention (counter-clockwise from east).
    let fixed = opts.sweep_heading_deg.map(|h| (90.0 - h).rem_euclid(180.0));
    let cap_m = opts.swath.cap_m(opts.alt_m);
    let t0 = std::time::Instant::now();
    let mut cells = Vec::new();
    let mut rects: Vec<Polygon<f64>> = Vec::new();
    let add_regions = |regions: &[Polygon<f64>],
                       cells: &mut Vec<decompose::Cell>,
                       rects: &mut Vec<Polygon<f64>>,
                       flyable: &Flyable,
                       rng: &mut Option<rand_chacha::ChaCha8Rng>| {
        for poly in regions {
            let pick = rng.as_mut().map(|r| (r, 0.03));
            let best = sweep::best_sweeps(poly, swath_m, cap_m, &opts.vehicle, fixed, pick);
            for mut c in best.cells {
                // Each sweep as flown: from its first piece inside the flyable area to its
                // last, so that the route orders cells by where they really start and end.
                c.sweeps.retain_mut(|s| {
                    let pieces = clip_sweep(flyable, s.a, s.b);
                    for &(a, b) in &pieces {
                        rects.push(geom::swath_rect(a, b, swath_m, cap_m));
                    }
                    match (pieces.first(), pieces.last()) {
                        (Some(f), Some(l)) => {
                            (s.a, s.b) = (f.0, l.1);
                            true
                        }
                        _ => false,
                    }
                });
                // Where clipping made neighbouring sweeps start or end far apart (a strip's
                // centre line left the flyable area), the serpentine hop would be long: split
                // the cell there and let the route choose.
                let dir = Coord {
                    x: c.angle_deg.to_radians().cos(),
                    y: c.angle_deg.to_radians().sin(),
                };
                let along = |p: Coord<f64>| p.x * dir.x + p.y * dir.y;
                let mut start = 0;
                for k in 1..=c.sweeps.len() {
                    let split = k == c.sweeps.len() || {
                        let (p, q) = (c.sweeps[k - 1], c.sweeps[k]);
                        (along(p.a) - along(q.a)).abs() > 2.0 * swath_m
                            || (along(p.b) - along(q.b)).abs() > 2.0 * swath_m
                    };
                    if split {
                        cells.push(decompose::Cell {
                            region: cells.len(),
                            angle_deg: c.angle_deg,
                            sweeps: c.sweeps[start..k].to_vec(),
                        });
                        start = k;
                    }
                }
            }
        }
    };
    let big: Vec<Polygon<f64>> = blind
        .iter()
        .filter(|p| p.unsigned_area() >= opts.min_region_m2)
        .cloned()
        .collect();
    add_regions(&big, &mut cells, &mut rects, flyable, rng);

    // Repair: where a sweep had to stop at the flyable area's edge, or a strip's centre line
    // left a concave part, ground is left over; sweep what is left as new regions.
    let mut budget_m2 = opts.max_unswept_share * blind.unsigned_area();
    let mut unswept = (0, 0.0);
    let rest_blind = big.clone();
    let mut rest = MultiPolygon(big);
    let mut done = 0;
    for _ in 0..3 {
        let swath = geo::algorithm::bool_ops::unary_union(rects[done..].iter());
        done = rects.len();
        rest = rest.difference(&swath);
        // The smallest leftovers, up to a small share of the blind area, are reported rather
        // than chased: each would cost a detour for a few square metres.
        let mut pieces: Vec<(f64, Polygon<f64>)> = rest
            .iter()
            .map(|p| (p.unsigned_area(), p.clone()))
            .collect();
        pieces.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut left: Vec<Polygon<f64>> = Vec::new();
        for (a, p) in pieces {
            let small = a < opts.min_region_m2.max(REPAIR_MIN_M2);
            if small || (a <= 0.5 * swath_m * swath_m && a <= budget_m2) {
                if !small {
                    budget_m2 -= a;
                }
                // Crumbs of boolean arithmetic (under 0.01 m²) are not counted as pieces.
                unswept.0 += usize::from(a >= 0.01);
                unswept.1 += a;
            } else {
                left.push(p);
            }
        }
        if left.is_empty() {
            break;
        }
        // Pieces thinner than a swath get one sweep placed where it sees most of them from
        // inside the flyable area (a piece in a margin band is seen from the band's edge).
        let (thin, thick): (Vec<Polygon<f64>>, Vec<Polygon<f64>>) =
            left.into_iter().partition(|p| {
                p.minimum_rotated_rect()
                    .map(|r| rect_sides(&r).0 <= swath_m)
                    .unwrap_or(true)
            });
        for piece in &thin {
            if let Some((a, b)) = repair_sweep(piece, flyable, swath_m, cap_m) {
                for (pa, pb) in clip_sweep(flyable, a, b) {
                    rects.push(geom::swath_rect(pa, pb, swath_m, cap_m));
                }
                cells.push(decompose::Cell {
                    region: cells.len(),
                    angle_deg: (b.y - a.y).atan2(b.x - a.x).to_degrees(),
                    sweeps: vec![decompose::Sweep { a, b }],
                });
            }
        }
        add_regions(&thick, &mut cells, &mut rects, flyable, rng);
    }

    tracing::debug!(
        ms = t0.elapsed().as_secs_f64() * 1e3,
        cells = cells.len(),
        "cells decomposed and repaired"
    );
    let first = opts.entry_corner.and_then(|c| {
        let r = input.boundary.bounding_rect()?;
        Some(match c {
            Corner::SouthWest => r.min(),
            Corner::NorthEast => r.max(),
            Corner::SouthEast => Coord {
                x: r.max().x,
                y: r.min().y,
            },
            Corner::NorthWest => Coord {
                x: r.min().x,
                y: r.max().y,
            },
        })
    });
    let t0 = std::time::Instant::now();
    let tour = route::order(&cells, home, first, rng.as_mut());
    tracing::debug!(
        ms = t0.elapsed().as_secs_f64() * 1e3,
        cells = cells.len(),
        "cells ordered"
    );

    // Sweeps in flying order, each cut to the flyable area.
    let mut units = Vec::new();
    for &(i, v) in &tour {
        for (a, b) in route::fly_order(&cells[i], v) {
            for (a, b) in clip_sweep(flyable, a, b) {
                units.push(sortie::Unit { a, b });
            }
        }
    }
    // Short sweeps get their own budget, half that share: what they alone see is usually a
    // sliver at a strip's end that a neighbour's cap almost reaches.
    let mut short_budget_m2 = 0.5 * opts.max_unswept_share * blind.unsigned_area();
    let short = drop_short_sweeps(
        &mut units,
        &MultiPolygon(rest_blind),
        flyable,
        swath_m,
        cap_m,
        opts.min_sweep_m,
        &mut short_budget_m2,
    );
    unswept.0 += short.0;
    unswept.1 += short.1;
    let t1 = std::time::Instant::now();
    let mut patrol = risk::RiskTracker::new(input.risk.clone(), swath_m, flyable);
    let mut sorties = sortie::build(
        &units,
        home,
        flyable,
        &opts.vehicle,
        opts.alt_m,
        opts.turnaround_s,
        &mut patrol,
    )?;
    let mut cycle_s: f64 = sorties.iter().map(|s| s.time_s + opts.turnaround_s).sum();
    if !patrol.is_empty() {
        // The patrol repeats: build again knowing how long before the cycle's start each zone
        // was last seen in the cycle before, so that the wrap-around gap is planned for too.
        let before: Vec<f64> = (0..patrol.len())
            .map(|z| patrol.last_look(z) - cycle_s)
            .collect();
        let mut again = risk::RiskTracker::new(input.risk.clone(), swath_m, flyable);
        again.seen_before(&before);
        let second = sortie::build(
            &units,
            home,
            flyable,
            &opts.vehicle,
            opts.alt_m,
            opts.turnaround_s,
            &mut again,
        )?;
        let second_cycle: f64 = second.iter().map(|s| s.time_s + opts.turnaround_s).sum();
        let worst = |r: &[RiskReport]| r.iter().map(|x| x.shortfall_min).fold(0.0, f64::max);
        if worst(&again.report(second_cycle, opts.patrol_window_s))
            <= worst(&patrol.report(cycle_s, opts.patrol_window_s))
        {
            (sorties, cycle_s, patrol) = (second, second_cycle, again);
        }
    }
    tracing::debug!(
        ms = t1.elapsed().as_secs_f64() * 1e3,
        units = units.len(),
        "sorties built"
    );
    let risk = patrol.report(cycle_s, opts.patrol_window_s);
    Ok(VehicleRoute {
        alt_m: opts.alt_m,
        unswept,
        blind,
        sorties,
        cells: cells.len(),
        risk,
    })
}

/// Sweeps in `units` shorter than `min_m`: each is dropped when the blind area (`blind`) only
/// it sees is small enough to fit in `budget_m2` (half a swath squared at most), or else
/// lengthened, centred where it can be, to `min_m` inside the flyable area. Returns the
/// dropped pieces' unseen area as leftovers (count of pieces over 0.01 m², m²).
fn drop_short_sweeps(
    units: &mut Vec<sortie::Unit>,
    blind: &MultiPolygon<f64>,
    flyable: &Flyable,
    swath_m: f64,
    cap_m: f64,
    min_m: f64,
    budget_m2: &mut f64,
) -> (usize, f64) {
    let mut lost = (0, 0.0);
    if min_m <= 0.0 {
        return lost;
    }
    let rect = |u: &sortie::Unit| geom::swath_rect(u.a, u.b, swath_m, cap_m);
    let mut rects: Vec<Option<Polygon<f64>>> = units.iter().map(|u| Some(rect(u))).collect();
    let boxes: Vec<Option<geo_types::Rect<f64>>> = rects
        .iter()
        .map(|r| r.as_ref().and_then(|r| r.bounding_rect()))
        .collect();
    let overlaps = |p: &geo_types::Rect<f64>, q: &geo_types::Rect<f64>| {
        p.min().x <= q.max().x
            && q.min().x <= p.max().x
            && p.min().y <= q.max().y
            && q.min().y <= p.max().y
    };
    let mut keep = vec![true; units.len()];
    for i in 0..units.len() {
        let len = geom::dist(units[i].a, units[i].b);
        if len >= min_m {
            continue;
        }
        let (Some(own), Some(bx)) = (rects[i].clone(), boxes[i]) else {
            continue;
        };
        // What only this sweep sees of the blind area.
        let near: Vec<Polygon<f64>> = (0..units.len())
            .filter(|&j| j != i && keep[j])
            .filter(|&j| boxes[j].is_some_and(|b| overlaps(&b, &bx)))
            .filter_map(|j| rects[j].clone())
            .collect();
        let alone =
            MultiPolygon(vec![own]).difference(&geo::algorithm::bool_ops::unary_union(near.iter()));
        let unique_m2 = if alone.unsigned_area() < 1e-6 {
            0.0
        } else {
            blind.intersection(&alone).unsigned_area()
        };
        if unique_m2 < 0.01 || (unique_m2 <= 0.5 * swath_m * swath_m && unique_m2 <= *budget_m2) {
            *budget_m2 -= unique_m2;
            lost.0 += usize::from(unique_m2 >= 0.01);
            lost.1 += unique_m2;
            keep[i] = false;
            rects[i] = None;
            continue;
        }
        // Lengthen it: centred, else from either end, as far as the flyable area allows.
        let (a, b) = (units[i].a, units[i].b);
        let dir = Coord {
            x: (b.x - a.x) / len.max(1e-9),
            y: (b.y - a.y) / len.max(1e-9),
        };
        let at = |p: Coord<f64>, t: f64| Coord {
            x: p.x + dir.x * t,
            y: p.y + dir.y * t,
        };
        let mid = geom::lerp(a, b, 0.5);
        // A little longer, for the centimetre `clip_sweep` keeps off the flyable area's edge.
        let want = min_m + 0.05;
        let tries = [
            (at(mid, -0.5 * want), at(mid, 0.5 * want)),
            (a, at(a, want)),
            (at(b, -want), b),
        ];
        for (pa, pb) in tries {
            let pieces = clip_sweep(flyable, pa, pb);
            if let [(qa, qb)] = pieces[..]
                && geom::dist(qa, qb) >= min_m
            {
                units[i] = sortie::Unit { a: qa, b: qb };
                break;
            }
        }
    }
    let mut k = 0;
    units.retain(|_| {
        k += 1;
        keep[k - 1]
    });
    lost
}

/// Leftover pieces smaller than this (m²) are not swept again by the repair pass.
const REPAIR_MIN_M2: f64 = 1.0;

/// Short and long side of a rectangle polygon, metres.
fn rect_sides(r: &Polygon<f64>) -> (f64, f64) {
    let p = &r.exterior().0;
    if p.len() < 4 {
        return (0.0, 0.0);
    }
    let (s1, s2) = (geom::dist(p[0], p[1]), geom::dist(p[1], p[2]));
    (s1.min(s2), s1.max(s2))
}

/// One sweep along a thin leftover `piece`: along its minimum rotated rectangle's long axis,
/// stopping `cap_m` short of its ends, shifted across by up to nearly half a swath to where,
/// flown inside the flyable area, it sees most of the piece. `None` when no shift sees any.
fn repair_sweep(
    piece: &Polygon<f64>,
    flyable: &Flyable,
    swath_m: f64,
    cap_m: f64,
) -> Option<(Coord<f64>, Coord<f64>)> {
    let r = piece.minimum_rotated_rect()?;
    let p = &r.exterior().0;
    if p.len() < 4 {
        return None;
    }
    // Centre line along the long side.
    let (u, v) = if geom::dist(p[0], p[1]) >= geom::dist(p[1], p[2]) {
        ((p[0], p[1]), (p[3], p[2]))
    } else {
        ((p[1], p[2]), (p[0], p[3]))
    };
    let mut a = geom::lerp(u.0, v.0, 0.5);
    let mut b = geom::lerp(u.1, v.1, 0.5);
    let len = geom::dist(a, b).max(1e-9);
    let dir = Coord {
        x: (b.x - a.x) / len,
        y: (b.y - a.y) / len,
    };
    let shrink = if len > 2.0 * cap_m + decompose::MIN_SWEEP_M {
        cap_m
    } else {
        0.5 * (len - decompose::MIN_SWEEP_M).max(0.0)
    };
    a = Coord {
        x: a.x + dir.x * shrink,
        y: a.y + dir.y * shrink,
    };
    b = Coord {
        x: b.x - dir.x * shrink,
        y: b.y - dir.y * shrink,
    };
    let normal = Coord {
        x: -dir.y,
        y: dir.x,
    };
    let area = piece.unsigned_area();
    let shifted = |d: f64| {
        (
            Coord {
                x: a.x + normal.x * d,
                y: a.y + normal.y * d,
            },
            Coord {
                x: b.x + normal.x * d,
                y: b.y + normal.y * d,
            },
        )
    };
    // What the sweep shifted by `d` sees of the piece, flown inside the flyable area (None:
    // no part of it is flyable).
    let seen_at = |d: f64| {
        let (sa, sb) = shifted(d);
        let rects: Vec<Polygon<f64>> = clip_sweep(flyable, sa, sb)
            .into_iter()
            .map(|(pa, pb)| geom::swath_rect(pa, pb, swath_m, cap_m))
            .collect();
        if rects.is_empty() {
            return None;
        }
        Some(
            piece
                .intersection(&geo::algorithm::bool_ops::unary_union(rects.iter()))
                .unsigned_area(),
        )
    };
    let mut best: Option<(f64, f64)> = None;
    for k in [0.0, 0.2, -0.2, 0.45, -0.45] {
        let d = k * swath_m;
        let Some(seen) = seen_at(d) else {
            continue;
        };
        if best.is_none_or(|(s, _)| seen > s + 1e-6 * area) {
            best = Some((seen, d));
        }
        if seen >= 0.999 * area {
            break;
        }
    }
    // A shifted sweep that still misses some of the piece (its centre line is not flyable,
    // e.g. it runs over a no-fly zone's margin): move it back towards the centre line as far
    // as it stays flyable and sees no less, so that it runs along the flyable area's edge.
    if let Some((mut seen, mut d)) = best
        && seen < 0.999 * area
        && d != 0.0
    {
        let (mut far, mut near) = (d, 0.0);
        for _ in 0..10 {
            let mid = 0.5 * (far + near);
            match seen_at(mid) {
                Some(s) if s >= seen - 1e-6 * area => {
                    (seen, d) = (s, mid);
                    far = mid;
                }
                _ => near = mid,
            }
        }
        best = Some((seen, d));
    }
    best.filter(|(s, _)| *s > 0.0).map(|(_, d)| shifted(d))
}

/// The pieces of the sweep `a`–`b` inside the flyable area, each end pulled 1 cm off the
/// area's rings so that it is strictly inside.
fn clip_sweep(flyable: &Flyable, a: Coord<f64>, b: Coord<f64>) -> Vec<(Coord<f64>, Coord<f64>)> {
    let len = geom::dist(a, b).max(1e-9);
    let mut out = Vec::new();
    for (t0, t1) in flyable.rings().clip(a, b) {
        let t0 = if flyable.contains(geom::lerp(a, b, t0)) {
            t0
        } else {
            t0 + 0.01 / len
        };
        let t1 = if flyable.contains(geom::lerp(a, b, t1)) {
            t1
        } else {
            t1 - 0.01 / len
        };
        if t1 > t0 {
            out.push((geom::lerp(a, b, t0), geom::lerp(a, b, t1)));
        }
    }
    out
}

/// Checks every leg of `routes` against `input`'s boundary and every keep-out zone; returns the
/// number of legs checked.
fn check_legs(
    routes: &[VehicleRoute],
    input: &PlanInput,
    home: Coord<f64>,
) -> Result<usize, PlanError> {
    let boundary = RingSet::new(&input.boundary);
    let zones: Vec<RingSet> = input
        .keepouts
        .iter()
        .map(|k| RingSet::new(&k.area))
        .collect();
    let mut n = 0;
    for (vi, v) in routes.iter().enumerate() {
        for (si, s) in v.sorties.iter().enumerate() {
            // The legs from launch to the path's first point and from its last point back.
            let mut pts = vec![input.home];
            pts.extend(s.positions());
            pts.push(input.home);
            if input.home == home {
                pts.remove(0);
                pts.pop();
            }
            for (li, w) in pts.windows(2).enumerate() {
                let (a, b) = (w[0], w[1]);
                n += 1;
                let fail = |what, zone: String| PlanError::LegViolation {
                    vehicle: vi + 1,
                    sortie: si + 1,
                    leg: li + 1,
                    from_x: a.x,
                    from_y: a.y,
                    to_x: b.x,
                    to_y: b.y,
                    what,
                    zone,
                };
                if !boundary.segment_inside(a, b) {
                    return Err(fail("leaves", "the boundary".into()));
                }
                for (z, set) in zones.iter().enumerate() {
                    if !set.segment_outside(a, b) {
                        return Err(fail(
                            "enters",
                            format!("no-fly zone {}", input.keepouts[z].name),
                        ));
                    }
                }
            }
        }
    }
    Ok(n)
}

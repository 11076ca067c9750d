//! Fence validation before upload: shapes an autopilot accepts, home and return point where
//! they must be, and every leg of the route (not just every waypoint) inside the fence.
//!
//! Each problem names the fence area, the vertex, point or leg, and how far it is off. The
//! geometry is checked in a local metric frame ([`LocalFrame`]) centred on the fence.

use std::fmt;

use geo::coordinate_position::CoordPos;
use geo::dimensions::Dimensions;
use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{Area, Contains, Covers, Distance, Euclidean, Relate};
use geo_types::{Coord, Line, LineString, Point, Polygon};

use super::model::{Fence, FenceArea, FenceShape};
use crate::area::LocalFrame;
use crate::mission::{GeoPoint, LatLon, MissionItem, is_global_frame};

/// How several inclusion areas combine on an autopilot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InclusionRule {
    /// The vehicle must be inside every inclusion area (ArduPilot).
    All,
    /// The vehicle must be inside at least one inclusion area (PX4).
    Any,
}

/// The order of a polygon's vertices seen from above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Winding {
    Clockwise,
    CounterClockwise,
}

/// The fence rules of one autopilot. Neither ArduPilot nor PX4 requires a particular winding
/// (both use a crossing test), so their `winding` is `None`; a ring closed by repeating its
/// first vertex is checked, because both would store the repeat as an extra vertex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutopilotRules {
    pub name: &'static str,
    /// The winding every polygon must have, when the autopilot demands one.
    pub winding: Option<Winding>,
    /// Most vertices one polygon may have.
    pub max_vertices_per_polygon: usize,
    /// Most fence items (vertices, circles and the return point) the vehicle stores.
    pub max_fence_items: usize,
    pub inclusions: InclusionRule,
}

impl AutopilotRules {
    /// ArduPilot: a polygon's vertex count is stored in one byte (at most 255), and its fence
    /// log counts items in one byte too; a point must lie inside every inclusion area.
    pub const ARDUPILOT: Self = Self {
        name: "ArduPilot",
        winding: None,
        max_vertices_per_polygon: 255,
        max_fence_items: 255,
        inclusions: InclusionRule::All,
    };

    /// PX4: 64 fence points in its default storage (PX4 #18870 discusses raising it); inside
    /// any one inclusion area is inside.
    pub const PX4: Self = Self {
        name: "PX4",
        winding: None,
        max_vertices_per_polygon: 64,
        max_fence_items: 64,
        inclusions: InclusionRule::Any,
    };
}

/// What kind of problem a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    TooFewVertices,
    BadCoordinate,
    WrongWinding,
    RepeatedVertex,
    SelfIntersection,
    ZeroArea,
    TooManyVertices,
    TooManyItems,
    BadRadius,
    /// A point or leg is outside an inclusion area.
    OutsideInclusion,
    /// A point or leg is inside an exclusion area.
    InsideExclusion,
    AboveCeiling,
    BelowFloor,
}

/// One reason a fence, or a route against it, would fail.
#[derive(Debug, Clone, PartialEq)]
pub struct FenceProblem {
    pub kind: ProblemKind,
    /// The fence area (`boundary`, `no-fly 'Stage'`, `polygon 2`), or `fence` for the whole.
    pub fence: String,
    /// Where: `vertex 4`, `edges 2 and 5`, `home`, `return point`,
    /// `leg 3 (mission item 2 → mission item 3)`, `mission item 5`.
    pub subject: String,
    /// How far off, metres: outside an inclusion, inside an exclusion, beyond a ceiling.
    pub distance_m: Option<f64>,
    /// The worst place, when there is one.
    pub at: Option<LatLon>,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for FenceProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.fence, self.subject, self.message)?;
        if let Some(at) = self.at {
            write!(f, " (at {:.7}, {:.7})", at.lat_deg, at.lon_deg)?;
        }
        Ok(())
    }
}

/// The home and route a fence is checked against.
#[derive(Debug, Clone, Copy, Default)]
pub struct Route<'a> {
    /// Home: position and altitude above mean sea level (NaN when unknown).
    pub home: Option<GeoPoint>,
    /// The mission items to fly, home excluded.
    pub items: &'a [MissionItem],
}

/// Checks `fence` against `rules`, then its home, return point and `route`. An empty result
/// means the fence can be uploaded and the route flown inside it.
pub fn validate(fence: &Fence, rules: &AutopilotRules, route: Route<'_>) -> Vec<FenceProblem> {
    let mut problems = Vec::new();
    check_shapes(fence, rules, &mut problems);

    // Geometry checks need sound shapes; a broken polygon has been reported already.
    let Some(local) = LocalFence::new(fence, route.home) else {
        return problems;
    };
    if problems.iter().any(|p| {
        matches!(
            p.kind,
            ProblemKind::TooFewVertices | ProblemKind::BadCoordinate | ProblemKind::BadRadius
        )
    }) {
        return problems;
    }

    let home = route.home.map(|h| LatLon {
        lat_deg: h.lat_deg,
        lon_deg: h.lon_deg,
    });
    for (label, point) in [("home", home), ("return point", fence.return_point)] {
        let Some(point) = point else { continue };
        if !valid_latlon(&point) {
            problems.push(problem(
                ProblemKind::BadCoordinate,
                "fence",
                label,
                format!(
                    "({}, {}) is not a WGS84 position",
                    point.lat_deg, point.lon_deg
                ),
            ));
            return problems;
        }
        let p = local.to_local(point);
        local.check_leg(label, p, p, rules, &mut problems);
    }

    let (stops, legs) = route_legs(route);
    if stops.len() == 1 && route.home.is_none() {
        let (label, ll) = &stops[0];
        let p = local.to_local(*ll);
        local.check_leg(label, p, p, rules, &mut problems);
    }
    for (k, (a, b)) in legs.iter().enumerate() {
        let label = format!("leg {} ({} → {})", k + 1, stops[*a].0, stops[*b].0);
        let pa = local.to_local(stops[*a].1);
        let pb = local.to_local(stops[*b].1);
        local.check_leg(&label, pa, pb, rules, &mut problems);
    }
    check_altitudes(fence, route, &mut problems);
    problems
}

// ------------------------------------------------------------------------------------------------
// Shapes

fn problem(
    kind: ProblemKind,
    fence: &str,
    subject: impl Into<String>,
    message: impl Into<String>,
) -> FenceProblem {
    FenceProblem {
        kind,
        fence: fence.to_owned(),
        subject: subject.into(),
        distance_m: None,
        at: None,
        message: message.into(),
    }
}

fn valid_latlon(p: &LatLon) -> bool {
    p.lat_deg.is_finite()
        && p.lon_deg.is_finite()
        && p.lat_deg.abs() <= 90.0
        && p.lon_deg.abs() <= 180.0
}

fn check_shapes(fence: &Fence, rules: &AutopilotRules, out: &mut Vec<FenceProblem>) {
    let mut items = usize::from(fence.return_point.is_some());
    for area in &fence.areas {
        match &area.shape {
            FenceShape::Polygon(v) => {
                items += v.len();
                check_polygon(&area.name, v, rules, out);
            }
            FenceShape::Circle { center, radius_m } => {
                items += 1;
                if !valid_latlon(center) {
                    out.push(problem(
                        ProblemKind::BadCoordinate,
                        &area.name,
                        "centre",
                        format!(
                            "({}, {}) is not a WGS84 position",
                            center.lat_deg, center.lon_deg
                        ),
                    ));
                }
                if !(radius_m.is_finite() && *radius_m > 0.0) {
                    out.push(problem(
                        ProblemKind::BadRadius,
                        &area.name,
                        "radius",
                        format!("{radius_m} m; a circle needs a radius above 0 m"),
                    ));
                }
            }
        }
    }
    if items > rules.max_fence_items {
        out.push(problem(
            ProblemKind::TooManyItems,
            "fence",
            "all areas",
            format!(
                "{items} fence items (vertices, circles, return point); {} stores at most {}",
                rules.name, rules.max_fence_items
            ),
        ));
    }
}

fn check_polygon(name: &str, v: &[LatLon], rules: &AutopilotRules, out: &mut Vec<FenceProblem>) {
    if v.len() < 3 {
        out.push(problem(
            ProblemKind::TooFewVertices,
            name,
            "polygon",
            format!("{} vertices; a polygon needs at least 3", v.len()),
        ));
        return;
    }
    if let Some(i) = v.iter().position(|p| !valid_latlon(p)) {
        out.push(problem(
            ProblemKind::BadCoordinate,
            name,
            format!("vertex {}", i + 1),
            format!(
                "({}, {}) is not a WGS84 position",
                v[i].lat_deg, v[i].lon_deg
            ),
        ));
        return;
    }
    if v.len() > rules.max_vertices_per_polygon {
        out.push(problem(
            ProblemKind::TooManyVertices,
            name,
            "polygon",
            format!(
                "{} vertices; {} takes at most {} per polygon",
                v.len(),
                rules.name,
                rules.max_vertices_per_polygon
            ),
        ));
    }

    let n = v.len();
    for i in 0..n {
        let j = (i + 1) % n;
        if v[i] == v[j] {
            let what = if j == 0 {
                format!(
                    "vertex {} repeats vertex 1: the ring must not be closed by a repeat",
                    i + 1
                )
            } else {
                format!("vertex {} repeats vertex {}", j + 1, i + 1)
            };
            out.push(problem(
                ProblemKind::RepeatedVertex,
                name,
                format!("vertex {}", j + 1),
                what,
            ));
        }
    }

    // Self-intersection in a local frame around the first vertex.
    let frame = LocalFrame::new(v[0].lon_deg, v[0].lat_deg);
    let pts: Vec<Coord<f64>> = v
        .iter()
        .map(|p| {
            let (x, y) = frame.to_local(p.lon_deg, p.lat_deg);
            Coord { x, y }
        })
        .collect();
    let edge = |i: usize| Line::new(pts[i], pts[(i + 1) % n]);
    for i in 0..n {
        for j in (i + 1)..n {
            let adjacent = j == i + 1 || (i == 0 && j == n - 1);
            let Some(hit) = line_intersection(edge(i), edge(j)) else {
                continue;
            };
            let at = match hit {
                LineIntersection::SinglePoint { intersection, .. } if !adjacent => intersection,
                // Adjacent edges share a vertex; only a fold back along each other is wrong.
                LineIntersection::Collinear { intersection }
                    if intersection.start != intersection.end =>
                {
                    intersection.start
                }
                _ => continue,
            };
            let (lon, lat) = frame.to_wgs84(at.x, at.y);
            let mut p = problem(
                ProblemKind::SelfIntersection,
                name,
                format!("edges {} and {}", i + 1, j + 1),
                format!(
                    "edge {}–{} crosses edge {}–{}: the polygon is not simple",
                    i + 1,
                    (i + 1) % n + 1,
                    j + 1,
                    (j + 1) % n + 1
                ),
            );
            p.at = Some(LatLon {
                lat_deg: lat,
                lon_deg: lon,
            });
            out.push(p);
        }
    }

    let poly = Polygon::new(LineString::from(pts), vec![]);
    let area_m2 = poly.unsigned_area();
    if area_m2 < 1.0 {
        out.push(problem(
            ProblemKind::ZeroArea,
            name,
            "polygon",
            format!("encloses {area_m2:.3} m²: its vertices are (nearly) on one line"),
        ));
    } else if let Some(required) = rules.winding {
        // Local x is east and y north, so a positive signed area is counter-clockwise.
        let actual = if poly.signed_area() > 0.0 {
            Winding::CounterClockwise
        } else {
            Winding::Clockwise
        };
        if actual != required {
            out.push(problem(
                ProblemKind::WrongWinding,
                name,
                "polygon",
                format!("vertices run {actual:?}; {} needs {required:?}", rules.name),
            ));
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Points and legs

/// A fence area in local metres.
enum LocalShape {
    Polygon(Polygon<f64>),
    Circle { center: Coord<f64>, radius_m: f64 },
}

struct LocalArea<'a> {
    area: &'a FenceArea,
    shape: LocalShape,
}

impl LocalArea<'_> {
    /// Distance outside the area, metres; negative inside.
    fn signed_outside(&self, p: Coord<f64>) -> f64 {
        match &self.shape {
            LocalShape::Polygon(poly) => {
                let d = Euclidean.distance(&Point::from(p), poly.exterior());
                if poly.contains(&p) { -d } else { d }
            }
            LocalShape::Circle { center, radius_m } => {
                (p.x - center.x).hypot(p.y - center.y) - radius_m
            }
        }
    }
}

struct LocalFence<'a> {
    frame: LocalFrame,
    areas: Vec<LocalArea<'a>>,
}

impl<'a> LocalFence<'a> {
    fn new(fence: &'a Fence, home: Option<GeoPoint>) -> Option<Self> {
        let centre = fence
            .areas
            .iter()
            .find_map(|a| match &a.shape {
                FenceShape::Polygon(v) => v.first().copied(),
                FenceShape::Circle { center, .. } => Some(*center),
            })
            .or_else(|| {
                home.map(|h| LatLon {
                    lat_deg: h.lat_deg,
                    lon_deg: h.lon_deg,
                })
            })?;
        let frame = LocalFrame::new(centre.lon_deg, centre.lat_deg);
        let mut out = Self {
            frame,
            areas: Vec::new(),
        };
        for area in &fence.areas {
            let shape = match &area.shape {
                FenceShape::Polygon(v) => {
                    let ring: Vec<Coord<f64>> = v.iter().map(|p| out.to_local(*p)).collect();
                    LocalShape::Polygon(Polygon::new(LineString::from(ring), vec![]))
                }
                FenceShape::Circle { center, radius_m } => LocalShape::Circle {
                    center: out.to_local(*center),
                    radius_m: *radius_m,
                },
            };
            out.areas.push(LocalArea { area, shape });
        }
        Some(out)
    }

    fn to_local(&self, p: LatLon) -> Coord<f64> {
        let (x, y) = self.frame.to_local(p.lon_deg, p.lat_deg);
        Coord { x, y }
    }

    fn to_latlon(&self, c: Coord<f64>) -> LatLon {
        let (lon, lat) = self.frame.to_wgs84(c.x, c.y);
        LatLon {
            lat_deg: lat,
            lon_deg: lon,
        }
    }

    /// Checks the straight leg `a → b` (a point when `a == b`) against every area.
    fn check_leg(
        &self,
        label: &str,
        a: Coord<f64>,
        b: Coord<f64>,
        rules: &AutopilotRules,
        out: &mut Vec<FenceProblem>,
    ) {
        // Samples at most 1 m apart find the worst place; exact tests below catch a graze
        // between samples.
        let len_m = (b.x - a.x).hypot(b.y - a.y);
        let n = ((len_m / 1.0).ceil() as usize).clamp(1, 2000);
        let samples: Vec<Coord<f64>> = (0..=n)
            .map(|k| {
                let t = k as f64 / n as f64;
                Coord {
                    x: a.x + (b.x - a.x) * t,
                    y: a.y + (b.y - a.y) * t,
                }
            })
            .collect();
        let leg = Line::new(a, b);
        let is_point = len_m == 0.0;

        let inclusions: Vec<&LocalArea<'_>> =
            self.areas.iter().filter(|x| x.area.inclusion).collect();
        match rules.inclusions {
            InclusionRule::All => {
                for area in &inclusions {
                    let worst = worst(&samples, |p| area.signed_outside(p));
                    let grazes = match &area.shape {
                        // A leg along the boundary is still inside: `covers`, not `contains`.
                        LocalShape::Polygon(poly) if !is_point => !poly.covers(&leg),
                        _ => false,
                    };
                    if worst.1 > 0.0 || grazes {
                        out.push(self.outside(area.area, label, worst, is_point));
                    }
                }
            }
            InclusionRule::Any if !inclusions.is_empty() => {
                let worst = worst(&samples, |p| {
                    inclusions
                        .iter()
                        .map(|x| x.signed_outside(p))
                        .fold(f64::INFINITY, f64::min)
                });
                if worst.1 > 0.0 {
                    let nearest = inclusions
                        .iter()
                        .min_by(|x, y| {
                            x.signed_outside(worst.0)
                                .total_cmp(&y.signed_outside(worst.0))
                        })
                        .map_or("inclusion", |x| x.area.name.as_str());
                    let mut p = self.outside(inclusions[0].area, label, worst, is_point);
                    p.fence = "every inclusion area".to_owned();
                    p.message = format!("{} (nearest: {nearest})", p.message);
                    out.push(p);
                }
            }
            InclusionRule::Any => {}
        }

        for area in self.areas.iter().filter(|x| !x.area.inclusion) {
            let worst = worst(&samples, |p| -area.signed_outside(p));
            let grazes = match &area.shape {
                LocalShape::Polygon(poly) if !is_point => enters_interior(poly, &leg),
                _ => false,
            };
            if worst.1 > 0.0 || grazes {
                let mut p = problem(
                    ProblemKind::InsideExclusion,
                    &area.area.name,
                    label,
                    if is_point {
                        format!("{:.1} m inside the exclusion", worst.1.max(0.0))
                    } else {
                        format!("enters the exclusion, up to {:.1} m deep", worst.1.max(0.0))
                    },
                );
                p.distance_m = Some(worst.1.max(0.0));
                p.at = Some(self.to_latlon(worst.0));
                out.push(p);
            }
        }
    }

    fn outside(
        &self,
        area: &FenceArea,
        label: &str,
        worst: (Coord<f64>, f64),
        is_point: bool,
    ) -> FenceProblem {
        let d = worst.1.max(0.0);
        let mut p = problem(
            ProblemKind::OutsideInclusion,
            &area.name,
            label,
            if is_point {
                format!("{d:.1} m outside the inclusion")
            } else {
                format!("leaves the inclusion, up to {d:.1} m outside")
            },
        );
        p.distance_m = Some(d);
        p.at = Some(self.to_latlon(worst.0));
        p
    }
}

/// True when some part of `leg` (not just a touch of the boundary) lies in `poly`'s interior.
fn enters_interior(poly: &Polygon<f64>, leg: &Line<f64>) -> bool {
    let m = poly.relate(leg);
    m.get(CoordPos::Inside, CoordPos::Inside) != Dimensions::Empty
        || m.get(CoordPos::Inside, CoordPos::OnBoundary) != Dimensions::Empty
}

/// The sample with the largest value.
fn worst(samples: &[Coord<f64>], f: impl Fn(Coord<f64>) -> f64) -> (Coord<f64>, f64) {
    samples
        .iter()
        .map(|&p| (p, f(p)))
        .fold((samples[0], f64::NEG_INFINITY), |acc, x| {
            if x.1 > acc.1 { x } else { acc }
        })
}

// ------------------------------------------------------------------------------------------------
// Route

/// Commands the vehicle flies to at their position.
fn is_nav_with_position(command: u16) -> bool {
    matches!(command, 16..=19 | 21 | 22 | 31 | 82 | 84 | 85)
}

const CMD_RETURN_TO_LAUNCH: u16 = 20;

const CMD_DO_JUMP: u16 = 177;

/// A place the route visits: its label (`home`, `mission item 4`) and position.
type Stop = (String, LatLon);

/// The places the route visits (home, each positional item, home again on RTL) and the legs
/// flown between them, as index pairs: each stop to the next, plus, for every DO_JUMP, the
/// stop before the jump to the first stop at or after its target.
fn route_legs(route: Route<'_>) -> (Vec<Stop>, Vec<(usize, usize)>) {
    let mut stops: Vec<Stop> = Vec::new();
    // For each mission item (by index), the index of the first stop at or after it.
    let mut first_stop_from_item = vec![usize::MAX; route.items.len() + 1];
    let mut jumps: Vec<(usize, usize)> = Vec::new(); // (stop before the jump, target item index)

    let home = route.home.map(|h| LatLon {
        lat_deg: h.lat_deg,
        lon_deg: h.lon_deg,
    });
    if let Some(h) = home {
        stops.push(("home".to_owned(), h));
    }
    for (i, it) in route.items.iter().enumerate() {
        let seq = i + 1;
        first_stop_from_item[i] = stops.len();
        if it.command == CMD_RETURN_TO_LAUNCH {
            if let Some(h) = home {
                stops.push((format!("home (return at mission item {seq})"), h));
            }
            continue;
        }
        if it.command == CMD_DO_JUMP {
            // param1 is the target's sequence number, home being 0.
            let target = it.params[0];
            if target.is_finite() && target >= 1.0 && !stops.is_empty() {
                jumps.push((stops.len() - 1, target as usize - 1));
            }
            continue;
        }
        let ll = LatLon {
            lat_deg: it.lat_deg,
            lon_deg: it.lon_deg,
        };
        // 0, 0 means "here" (a takeoff or land where the vehicle is).
        if is_nav_with_position(it.command)
            && is_global_frame(it.frame)
            && valid_latlon(&ll)
            && !(it.lat_deg == 0.0 && it.lon_deg == 0.0)
        {
            stops.push((format!("mission item {seq}"), ll));
        }
    }
    first_stop_from_item[route.items.len()] = stops.len();
    // Items after the last stop have no stop "at or after" them.
    for slot in first_stop_from_item.iter_mut() {
        if *slot >= stops.len() {
            *slot = usize::MAX;
        }
    }

    let mut legs: Vec<(usize, usize)> = (1..stops.len()).map(|k| (k - 1, k)).collect();
    for (from, target_item) in jumps {
        if let Some(&to) = first_stop_from_item.get(target_item)
            && to != usize::MAX
            && to != from
            && !legs.contains(&(from, to))
        {
            legs.push((from, to));
        }
    }
    (stops, legs)
}

fn check_altitudes(fence: &Fence, route: Route<'_>, out: &mut Vec<FenceProblem>) {
    if fence.ceiling_m.is_none() && fence.floor_m.is_none() {
        return;
    }
    let home_amsl = route.home.map(|h| h.alt_m).filter(|a| a.is_finite());
    for (i, it) in route.items.iter().enumerate() {
        if !is_nav_with_position(it.command) || !it.alt_m.is_finite() {
            continue;
        }
        // Heights above home: relative frames directly, absolute ones through home's altitude.
        // Terrain frames (10, 11) have no fixed relation to home and are not checked here.
        let above_home = match it.frame {
            3 | 6 => Some(it.alt_m),
            0 | 5 => home_amsl.map(|h| it.alt_m - h),
            _ => None,
        };
        let Some(h) = above_home else { continue };
        let subject = format!("mission item {}", i + 1);
        if let Some(c) = fence.ceiling_m.filter(|&c| h > c) {
            let mut p = problem(
                ProblemKind::AboveCeiling,
                "ceiling",
                &subject,
                format!(
                    "{h:.1} m above home is {:.1} m above the {c} m ceiling",
                    h - c
                ),
            );
            p.distance_m = Some(h - c);
            out.push(p);
        }
        // Takeoff and landing pass below any floor by design.
        let flying = !matches!(it.command, 21 | 22 | 84 | 85);
        if let Some(f) = fence.floor_m.filter(|&f| flying && h < f) {
            let mut p = problem(
                ProblemKind::BelowFloor,
                "floor",
                &subject,
                format!(
                    "{h:.1} m above home is {:.1} m below the {f} m floor",
                    f - h
                ),
            );
            p.distance_m = Some(f - h);
            out.push(p);
        }
    }
}

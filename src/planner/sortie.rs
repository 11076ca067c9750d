//! Sorties: the route cut into flights that each start and end at home, within the battery's
//! usable endurance and the vehicle's mission capacity; legs between sweeps are shortest paths
//! inside the flyable area; due risk zones get a detour.

use geo_types::Coord;
use serde::Serialize;

use super::PlanError;
use super::geom::{dist, lerp};
use super::kinematics::Vehicle;
use super::legs::Flyable;
use super::risk::RiskTracker;

/// A piece of work: a sweep (or the part of it inside the flyable area) flown from `a` to `b`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unit {
    pub a: Coord<f64>,
    pub b: Coord<f64>,
}

/// A point of a sortie's path; `sweep` says whether the leg arriving here is a sweep (camera
/// work) rather than a transit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RoutePoint {
    pub x_m: f64,
    pub y_m: f64,
    pub sweep: bool,
}

impl RoutePoint {
    fn new(p: Coord<f64>, sweep: bool) -> Self {
        Self {
            x_m: p.x,
            y_m: p.y,
            sweep,
        }
    }

    /// The point as a coordinate.
    pub fn pos(&self) -> Coord<f64> {
        Coord {
            x: self.x_m,
            y: self.y_m,
        }
    }
}

/// One flight from home to home.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sortie {
    /// The path, starting and ending at home.
    pub points: Vec<RoutePoint>,
    /// Horizontal path length, metres.
    pub length_m: f64,
    /// Flight time including take-off climb and landing descent, seconds.
    pub time_s: f64,
    /// Stops to turn along the path.
    pub turns: usize,
}

impl Sortie {
    /// Mission items this sortie needs: home, take-off, speed, a waypoint per point after
    /// home, return to launch (one more when the launch point is not the path's first point).
    pub fn items(&self) -> usize {
        4 + self.points.len().saturating_sub(1)
    }

    /// The positions of the path.
    pub fn positions(&self) -> Vec<Coord<f64>> {
        self.points.iter().map(RoutePoint::pos).collect()
    }
}

/// Flying state of the sortie being built.
struct Open {
    points: Vec<RoutePoint>,
    /// Seconds flown so far, take-off climb included (legs costed rest to rest).
    t_s: f64,
    /// An upper bound on the seconds to fly home from the last point, and on the points of
    /// that path (home included).
    back_s: f64,
    back_pts: usize,
}

impl Open {
    fn new(home: Coord<f64>, climb_s: f64) -> Self {
        Self {
            points: vec![RoutePoint::new(home, false)],
            t_s: climb_s,
            back_s: 0.0,
            back_pts: 1,
        }
    }
}

/// Mission items kept free when a sortie's way home is only bounded, not yet searched.
const ITEM_SLACK: usize = 8;

/// Cuts `units` into sorties from and to `home`.
///
/// `patrol` notes looks at risk zones (clock from the first take-off, `turnaround_s` between
/// sorties) and asks for detours when a zone would be overdue.
pub fn build(
    units: &[Unit],
    home: Coord<f64>,
    flyable: &mut Flyable,
    vehicle: &Vehicle,
    alt_m: f64,
    turnaround_s: f64,
    patrol: &mut RiskTracker,
) -> Result<Vec<Sortie>, PlanError> {
    let climb_s = alt_m / vehicle.climb_mps;
    let usable = vehicle.usable_s();
    let mut sorties = Vec::new();
    let mut open = Open::new(home, climb_s);
    // Global clock at the current point: completed sorties and turnarounds plus the open time.
    let mut clock_base = 0.0;
    let mut queue: std::collections::VecDeque<(Unit, Option<usize>)> =
        units.iter().map(|u| (*u, None)).collect();
    let mut detours_in_a_row = 0;

    loop {
        while let Some((unit, visit)) = queue.pop_front() {
            let cur = open.points.last().map_or(home, RoutePoint::pos);
            let approach = flyable
                .shortest_path(cur, unit.a)
                .ok_or(PlanError::Unreachable {
                    x_m: unit.a.x,
                    y_m: unit.a.y,
                })?;
            let mut leg = approach.clone();
            leg.push(unit.b);
            // Rest to rest, with the pause to turn where the leg starts.
            let (leg_s, _) = vehicle.polyline_s(&leg);
            let leg_s = leg_s
                + if open.points.len() > 1 {
                    vehicle.turn_s
                } else {
                    0.0
                };
            // The way home from the unit's end: bounded first by flying this leg back and then
            // the way home from here (a valid path, never shorter than the shortest), and only
            // searched for when the bound does not fit.
            let items_here = 4 + open.points.len() - 1 + approach.len() - 1 + 1;
            let chain = (
                open.back_s + leg_s + vehicle.turn_s,
                open.back_pts + approach.len(),
            );
            let bound_fits = open.t_s + leg_s + chain.0 + climb_s <= usable
                && items_here + chain.1 + ITEM_SLACK <= vehicle.max_items;
            let (back_s, back_pts) = if bound_fits {
                chain
            } else {
                let back = flyable
                    .shortest_path(unit.b, home)
                    .ok_or(PlanError::Unreachable {
                        x_m: unit.b.x,
                        y_m: unit.b.y,
                    })?;
                (vehicle.polyline_s(&back).0, back.len())
            };
            let items = items_here + back_pts - 1;

            // A zone overdue by the end of this unit gets a detour first.
            let due = if visit.is_none() && !patrol.is_empty() && detours_in_a_row < patrol.len() {
                // The detour starts and ends at rest: v/a seconds more than at cruise (and
                // more where it bends), so a zone counts as due that much earlier.
                let rest_s = vehicle.speed_mps / vehicle.accel_mps2;
                patrol
                    .due(
                        clock_base + open.t_s + leg_s + rest_s,
                        unit.b,
                        vehicle.speed_mps,
                    )
                    .and_then(|z| patrol.aim[z].map(|aim| (z, aim)))
            } else {
                None
            };
            if let Some((z, aim)) = due {
                queue.push_front((unit, None));
                queue.push_front((Unit { a: aim, b: aim }, Some(z)));
                detours_in_a_row += 1;
                continue;
            }

            let fits = open.t_s + leg_s + back_s + climb_s <= usable && items <= vehicle.max_items;
            if fits {
                detours_in_a_row = if visit.is_some() { detours_in_a_row } else { 0 };
                let mut t = open.t_s;
                for w in approach.windows(2) {
                    if dist(w[0], w[1]) < 1e-6 {
                        continue;
                    }
                    t += vehicle.run_s(dist(w[0], w[1]));
                    patrol.observe(w[0], w[1], clock_base + t);
                    open.points.push(RoutePoint::new(w[1], false));
                }
                if dist(unit.a, unit.b) > 1e-6 {
                    patrol.observe(unit.a, unit.b, clock_base + open.t_s + leg_s);
                    open.points.push(RoutePoint::new(unit.b, true));
                }
                if let Some(z) = visit {
                    patrol.looks[z].push(clock_base + open.t_s + leg_s);
                }
                open.t_s += leg_s;
                (open.back_s, open.back_pts) = (back_s, back_pts);
                continue;
            }

            if open.points.len() > 1 {
                // Before going home, look at a zone that would otherwise wait through the landing,
                // the battery swap and the next climb and transit for its next look.
                if visit.is_none()
                    && let Some((z, aim)) = look_before_landing(
                        patrol,
                        flyable,
                        vehicle,
                        &open,
                        home,
                        clock_base,
                        climb_s,
                        turnaround_s,
                    )?
                {
                    queue.push_front((unit, None));
                    queue.push_front((Unit { a: aim, b: aim }, Some(z)));
                    continue;
                }
                // Close this sortie and retry the unit from home.
                let (sortie, flown) = close(open, home, flyable, vehicle, climb_s)?;
                clock_base += flown + turnaround_s;
                sorties.push(sortie);
                open = Open::new(home, climb_s);
                queue.push_front((unit, visit));
                continue;
            }

            // Alone from home the unit is too long: fly the share of the sweep that fits.
            if visit.is_some() {
                return Err(PlanError::SortieTooShort {
                    needed_s: open.t_s + leg_s + back_s + climb_s,
                    usable_s: usable,
                });
            }
            let fits_at = |f: f64, fl: &mut Flyable| -> Option<bool> {
                let end = lerp(unit.a, unit.b, f);
                let mut l = approach.clone();
                l.push(end);
                let back = fl.shortest_path(end, home)?;
                let n = 4 + approach.len() - 1 + 1 + back.len() - 1;
                Some(
                    open.t_s + vehicle.polyline_s(&l).0 + vehicle.polyline_s(&back).0 + climb_s
                        <= usable
                        && n <= vehicle.max_items,
                )
            };
            let (mut lo, mut hi) = (0.0, 1.0);
            for _ in 0..30 {
                let mid = 0.5 * (lo + hi);
                if fits_at(mid, flyable).unwrap_or(false) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            if lo * dist(unit.a, unit.b) < 1.0 {
                return Err(PlanError::SortieTooShort {
                    needed_s: open.t_s + leg_s + back_s + climb_s,
                    usable_s: usable,
                });
            }
            let cut = lerp(unit.a, unit.b, lo);
            queue.push_front((Unit { a: cut, b: unit.b }, None));
            queue.push_front((Unit { a: unit.a, b: cut }, None));
        }
        // The cycle starts again after the last landing: look before it too.
        if open.points.len() > 1
            && let Some((z, aim)) = look_before_landing(
                patrol,
                flyable,
                vehicle,
                &open,
                home,
                clock_base,
                climb_s,
                turnaround_s,
            )?
        {
            queue.push_back((Unit { a: aim, b: aim }, Some(z)));
            continue;
        }
        break;
    }
    if open.points.len() > 1 {
        let (sortie, _) = close(open, home, flyable, vehicle, climb_s)?;
        sorties.push(sortie);
    }
    Ok(sorties)
}

/// The zone to look at before landing, if one would otherwise go longer than its interval
/// through the landing, the battery swap and the next sortie's climb and transit, and a detour
/// to it still fits in the battery.
#[allow(clippy::too_many_arguments)]
fn look_before_landing(
    patrol: &RiskTracker,
    flyable: &mut Flyable,
    vehicle: &Vehicle,
    open: &Open,
    home: Coord<f64>,
    clock_base: f64,
    climb_s: f64,
    turnaround_s: f64,
) -> Result<Option<(usize, Coord<f64>)>, PlanError> {
    if patrol.is_empty() {
        return Ok(None);
    }
    let cur = open.points.last().map_or(home, RoutePoint::pos);
    let now = clock_base + open.t_s;
    let back = flyable
        .shortest_path(cur, home)
        .ok_or(PlanError::Unreachable {
            x_m: cur.x,
            y_m: cur.y,
        })?;
    let back_s = vehicle.polyline_s(&back).0;
    for z in 0..patrol.len() {
        let Some(aim) = patrol.aim[z] else {
            continue;
        };
        let last = patrol.last_look(z);
        if last >= now - 1e-9 {
            continue;
        }
        let next_look =
            now + back_s + 2.0 * climb_s + turnaround_s + vehicle.run_s(dist(home, aim));
        if next_look - last <= patrol.revisit_s(z) {
            continue;
        }
        let (Some(to), Some(from)) = (
            flyable.shortest_path(cur, aim),
            flyable.shortest_path(aim, home),
        ) else {
            continue;
        };
        let detour_s = vehicle.polyline_s(&to).0 + vehicle.turn_s + vehicle.polyline_s(&from).0;
        if open.t_s + detour_s + climb_s <= vehicle.usable_s() {
            return Ok(Some((z, aim)));
        }
    }
    Ok(None)
}

/// Ends a sortie with the shortest path home and costs it exactly.
fn close(
    mut open: Open,
    home: Coord<f64>,
    flyable: &mut Flyable,
    vehicle: &Vehicle,
    climb_s: f64,
) -> Result<(Sortie, f64), PlanError> {
    let cur = open.points.last().map_or(home, RoutePoint::pos);
    let back = flyable
        .shortest_path(cur, home)
        .ok_or(PlanError::Unreachable {
            x_m: cur.x,
            y_m: cur.y,
        })?;
    for p in &back[1..] {
        open.points.push(RoutePoint::new(*p, false));
    }
    let pos: Vec<Coord<f64>> = open.points.iter().map(RoutePoint::pos).collect();
    let (fly_s, turns) = vehicle.polyline_s(&pos);
    let time_s = fly_s + 2.0 * climb_s;
    let length_m = super::geom::polyline_length(&pos);
    Ok((
        Sortie {
            points: open.points,
            length_m,
            time_s,
            turns,
        },
        time_s,
    ))
}

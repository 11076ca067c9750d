//! The coverage planner on small exact cases, concave and holed regions, random polygons with
//! holes, sorties, fleets, risk zones and against a QGroundControl-style survey.

#[path = "support/baseline.rs"]
mod baseline;

use geo::{Area, BooleanOps, Buffer, Contains, Intersects};
use geo_types::{Coord, Line, MultiPolygon, Polygon, polygon};
use proptest::prelude::*;
use vigil::planner::{
    Keepout, Plan, PlanError, PlanInput, PlanOptions, RiskTarget, SwathSpec, Vehicle, plan,
};

fn mp(p: Polygon<f64>) -> MultiPolygon<f64> {
    MultiPolygon(vec![p])
}

fn opts(swath_m: f64) -> PlanOptions {
    PlanOptions {
        swath: SwathSpec::Width { swath_m },
        vehicle: Vehicle {
            endurance_s: 1e6,
            ..Vehicle::default()
        },
        ..PlanOptions::default()
    }
}

fn input(boundary: MultiPolygon<f64>, keepouts: Vec<Keepout>, home: Coord<f64>) -> PlanInput {
    let blocked = keepouts
        .iter()
        .fold(MultiPolygon(vec![]), |acc, k| acc.union(&k.area));
    PlanInput {
        blind: boundary.difference(&blocked),
        boundary,
        keepouts,
        risk: vec![],
        home,
    }
}

/// Independent containment check: every leg sampled every 0.25 m must be inside the boundary
/// and outside every keep-out zone (geo's own predicates, not the planner's).
fn assert_legs_safe(p: &Plan, input: &PlanInput) {
    let boundary = input.boundary.buffer(1e-6);
    let zones: Vec<MultiPolygon<f64>> = input
        .keepouts
        .iter()
        .map(|z| z.area.buffer(-1e-3))
        .collect();
    let mut pts = vec![input.home];
    for s in p.sorties() {
        pts.extend(s.positions());
        pts.push(input.home);
    }
    for w in pts.windows(2) {
        let len = (w[1].x - w[0].x).hypot(w[1].y - w[0].y);
        let n = (len / 0.25).ceil().max(1.0) as usize;
        for k in 0..=n {
            let t = k as f64 / n as f64;
            let q = geo_types::Point::new(
                w[0].x + (w[1].x - w[0].x) * t,
                w[0].y + (w[1].y - w[0].y) * t,
            );
            assert!(
                boundary.contains(&q),
                "leg {w:?} leaves the boundary at {q:?}"
            );
            for (z, area) in input.keepouts.iter().zip(&zones) {
                assert!(!area.intersects(&q), "leg {w:?} enters {} at {q:?}", z.name);
            }
        }
    }
}

fn coverage_pct(p: &Plan, blind: &MultiPolygon<f64>) -> f64 {
    p.coverage(blind).pct()
}

#[test]
fn a_rectangle_takes_three_sweeps_and_the_known_length() {
    // Blind 200 × 60 m inside a 220 × 100 m boundary; swath 20 m; home at (5, −15).
    let boundary = mp(
        polygon![(x: 0.0, y: -20.0), (x: 220.0, y: -20.0), (x: 220.0, y: 80.0), (x: 0.0, y: 80.0)],
    );
    let blind = mp(
        polygon![(x: 10.0, y: 0.0), (x: 210.0, y: 0.0), (x: 210.0, y: 60.0), (x: 10.0, y: 60.0)],
    );
    let inp = PlanInput {
        boundary,
        keepouts: vec![],
        blind: blind.clone(),
        risk: vec![],
        home: Coord { x: 5.0, y: -15.0 },
    };
    let p = plan(&inp, &opts(20.0)).expect("plan");
    let s = &p.vehicles[0].sorties;
    assert_eq!(s.len(), 1);
    let sweeps: Vec<_> = s[0].points.iter().filter(|q| q.sweep).collect();
    assert_eq!(sweeps.len(), 3);
    // Sweeps 3 × 180 m (the camera sees 10 m past each end), two 20 m hops, home to (20, 10)
    // and from (200, 50) back to home.
    let expect = 540.0 + 40.0 + 15.0_f64.hypot(25.0) + 195.0_f64.hypot(65.0);
    assert!(
        (s[0].length_m - expect).abs() < 1e-6,
        "{} vs {expect}",
        s[0].length_m
    );
    assert_eq!(s[0].turns, 6);
    assert!((coverage_pct(&p, &blind) - 100.0).abs() < 1e-9);
    // Rest-to-rest runs: 29.2 m, 180, 20, 180, 20, 180, 204.6 m; six 1 s turns; 2 × 16 s climb.
    let v = Vehicle::default();
    let runs = [
        15.0_f64.hypot(25.0),
        180.0,
        20.0,
        180.0,
        20.0,
        180.0,
        195.0_f64.hypot(65.0),
    ];
    let t: f64 = runs.iter().map(|&r| v.run_s(r)).sum::<f64>() + 6.0 + 2.0 * 40.0 / 2.5;
    assert!((s[0].time_s - t).abs() < 1e-6, "{} vs {t}", s[0].time_s);
}

fn l_shape() -> MultiPolygon<f64> {
    mp(
        polygon![(x: 0.0, y: 0.0), (x: 300.0, y: 0.0), (x: 300.0, y: 100.0),
        (x: 100.0, y: 100.0), (x: 100.0, y: 300.0), (x: 0.0, y: 300.0)],
    )
}

#[test]
fn an_l_shape_is_covered_without_leaving_it() {
    let inp = input(l_shape(), vec![], Coord { x: 20.0, y: 20.0 });
    let p = plan(&inp, &opts(25.0)).expect("plan");
    let pct = coverage_pct(&p, &inp.blind);
    assert!(pct >= 99.5, "coverage {pct}");
    assert_legs_safe(&p, &inp);
}

fn square_with_no_fly_hole() -> (MultiPolygon<f64>, Vec<Keepout>) {
    let boundary = mp(
        polygon![(x: 0.0, y: 0.0), (x: 400.0, y: 0.0), (x: 400.0, y: 400.0), (x: 0.0, y: 400.0)],
    );
    let tower = mp(
        polygon![(x: 150.0, y: 120.0), (x: 250.0, y: 120.0), (x: 250.0, y: 280.0), (x: 150.0, y: 280.0)],
    );
    let keep = Keepout::grown("tower", &tower, 5.0);
    (boundary, vec![keep])
}

#[test]
fn a_square_with_a_no_fly_hole_is_covered_and_every_leg_goes_around() {
    let (boundary, keep) = square_with_no_fly_hole();
    let inp = input(boundary, keep, Coord { x: 10.0, y: 10.0 });
    let p = plan(&inp, &opts(30.0)).expect("plan");
    let pct = coverage_pct(&p, &inp.blind);
    assert!(pct >= 99.5, "coverage {pct}");
    assert_legs_safe(&p, &inp);
    assert!(p.legs_checked > 20);
}

#[test]
fn a_seeded_plan_differs_but_covers_the_same() {
    let (boundary, keep) = square_with_no_fly_hole();
    let inp = input(boundary, keep, Coord { x: 10.0, y: 10.0 });
    let base = plan(&inp, &opts(30.0)).expect("plan");
    let mut seen = Vec::new();
    for seed in [1, 2, 3] {
        let p = plan(
            &inp,
            &PlanOptions {
                seed: Some(seed),
                ..opts(30.0)
            },
        )
        .expect("plan");
        assert!(coverage_pct(&p, &inp.blind) >= 99.5);
        assert_legs_safe(&p, &inp);
        let t: f64 = p.sorties().map(|s| s.time_s).sum();
        let t0: f64 = base.sorties().map(|s| s.time_s).sum();
        // Within a few per cent of the unseeded plan (measured: 2.6 % to 3.9 %).
        assert!(t <= t0 * 1.06, "seeded {t} vs {t0}");
        seen.push(
            p.sorties()
                .next()
                .map(|s| s.positions())
                .unwrap_or_default(),
        );
    }
    assert!(
        seen[0] != seen[1] || seen[1] != seen[2],
        "three seeds gave one route"
    );
}

#[test]
fn sorties_respect_the_battery_and_the_mission_capacity() {
    let (boundary, keep) = square_with_no_fly_hole();
    let inp = input(boundary, keep, Coord { x: 10.0, y: 10.0 });
    let vehicle = Vehicle {
        endurance_s: 300.0,
        reserve: 0.2,
        max_items: 30,
        ..Vehicle::default()
    };
    let o = PlanOptions {
        vehicle: vehicle.clone(),
        ..opts(30.0)
    };
    let p = plan(&inp, &o).expect("plan");
    let s = &p.vehicles[0].sorties;
    assert!(s.len() >= 4, "{} sorties", s.len());
    for x in s {
        assert!(x.time_s <= vehicle.usable_s() + 1e-6, "{} s", x.time_s);
        assert!(x.items() <= 30, "{} items", x.items());
        assert_eq!(x.points[0].pos(), p.home);
        assert_eq!(x.points[x.points.len() - 1].pos(), p.home);
    }
    assert!(coverage_pct(&p, &inp.blind) >= 99.5);
    assert_legs_safe(&p, &inp);
}

#[test]
fn a_battery_too_small_for_one_leg_is_refused() {
    let inp = input(l_shape(), vec![], Coord { x: 20.0, y: 20.0 });
    let o = PlanOptions {
        vehicle: Vehicle {
            endurance_s: 20.0,
            ..Vehicle::default()
        },
        ..opts(25.0)
    };
    assert!(matches!(
        plan(&inp, &o),
        Err(PlanError::SortieTooShort { .. })
    ));
}

#[test]
fn three_vehicles_share_the_work_in_disjoint_balanced_slabs() {
    let (boundary, keep) = square_with_no_fly_hole();
    let inp = input(boundary, keep, Coord { x: 10.0, y: 10.0 });
    let p = plan(
        &inp,
        &PlanOptions {
            vehicles: 3,
            ..opts(30.0)
        },
    )
    .expect("plan");
    assert_eq!(p.vehicles.len(), 3);
    for i in 0..3 {
        for j in i + 1..3 {
            let both = p.vehicles[i]
                .blind
                .intersection(&p.vehicles[j].blind)
                .unsigned_area();
            assert!(both < 1.0, "vehicles {i} and {j} share {both} m²");
        }
    }
    let times: Vec<f64> = p
        .vehicles
        .iter()
        .map(|v| v.sorties.iter().map(|s| s.time_s).sum())
        .collect();
    let (lo, hi) = (
        times.iter().cloned().fold(f64::MAX, f64::min),
        times.iter().cloned().fold(0.0, f64::max),
    );
    assert!(hi / lo < 1.35, "{times:?}");
    assert!(coverage_pct(&p, &inp.blind) >= 99.5);
    assert_legs_safe(&p, &inp);
}

#[test]
fn a_risk_zone_is_revisited_within_its_interval_or_the_shortfall_is_reported() {
    let (boundary, keep) = square_with_no_fly_hole();
    let mut inp = input(boundary, keep, Coord { x: 10.0, y: 10.0 });
    let gate = mp(
        polygon![(x: 360.0, y: 360.0), (x: 390.0, y: 360.0), (x: 390.0, y: 390.0), (x: 360.0, y: 390.0)],
    );
    inp.risk = vec![RiskTarget {
        name: "gate".into(),
        area: gate,
        level: 4,
        revisit_s: 240.0,
    }];
    let o = PlanOptions {
        patrol_window_s: 1800.0,
        turnaround_s: 60.0,
        ..opts(30.0)
    };
    let p = plan(&inp, &o).expect("plan");
    let r = &p.vehicles[0].risk[0];
    assert!(r.visits >= 4, "{r:?}");
    // Within the cycle detours keep the gap under 4 min; the wrap-around through landing and
    // turnaround may not, and then the report says by how much.
    assert_eq!(r.met, r.max_gap_min <= 4.0 + 1e-9);
    assert!((r.shortfall_min - (r.max_gap_min - 4.0).max(0.0)).abs() < 1e-9);
    assert!(coverage_pct(&p, &inp.blind) >= 99.5);
    assert_legs_safe(&p, &inp);

    // An interval shorter than a round trip cannot be met, and says so.
    inp.risk[0].revisit_s = 20.0;
    let p = plan(&inp, &o).expect("plan");
    let r = &p.vehicles[0].risk[0];
    assert!(!r.met && r.shortfall_min > 0.0, "{r:?}");
}

#[test]
fn home_inside_a_no_fly_zone_is_refused_with_the_zone_named() {
    let (boundary, keep) = square_with_no_fly_hole();
    let inp = input(boundary, keep, Coord { x: 200.0, y: 200.0 });
    match plan(&inp, &opts(30.0)) {
        Err(PlanError::LegViolation { zone, .. }) => assert!(zone.contains("tower"), "{zone}"),
        other => panic!("expected a refused leg, got {other:?}"),
    }
}

/// Length, coverage and legs leaving the area or entering a zone, of a baseline survey.
fn judge(b: &baseline::Baseline, inp: &PlanInput, cap_m: f64) -> (f64, f64, usize) {
    let zones: Vec<_> = inp.keepouts.iter().map(|k| k.area.buffer(-1e-3)).collect();
    let boundary = inp.boundary.buffer(1e-6);
    let bad = b
        .points
        .windows(2)
        .filter(|w| {
            let l = Line::new(w[0], w[1]);
            zones.iter().any(|z| z.intersects(&l)) || !boundary.contains(&l)
        })
        .count();
    let rects: Vec<Polygon<f64>> = b
        .sweeps
        .iter()
        .map(|(a, c)| vigil::planner::geom::swath_rect(*a, *c, 30.0, cap_m))
        .collect();
    let covered = inp
        .blind
        .intersection(&geo::algorithm::bool_ops::unary_union(rects.iter()))
        .unsigned_area();
    (b.length_m, 100.0 * covered / inp.blind.unsigned_area(), bad)
}

#[test]
fn against_the_single_angle_survey() {
    // The survey as QGC flies it (lines edge to edge) and with the same look-ahead Vigil takes
    // (lines stopping half a footprint short). Vigil is never longer, covers everything, and
    // never leaves the area; the survey crosses the L's notch and the no-fly zone.
    let rect = mp(
        polygon![(x: 0.0, y: 0.0), (x: 300.0, y: 0.0), (x: 300.0, y: 120.0), (x: 0.0, y: 120.0)],
    );
    let cases: Vec<(&str, PlanInput)> = vec![
        ("rectangle", input(rect, vec![], Coord { x: 1.0, y: 1.0 })),
        (
            "l-shape",
            input(l_shape(), vec![], Coord { x: 20.0, y: 20.0 }),
        ),
        {
            let (b, k) = square_with_no_fly_hole();
            ("square with hole", input(b, k, Coord { x: 10.0, y: 10.0 }))
        },
    ];
    for (name, inp) in cases {
        let o = PlanOptions {
            safety_margin_m: 0.0,
            ..opts(30.0)
        };
        let p = plan(&inp, &o).expect("plan");
        let ours: f64 = p.sorties().map(|s| s.length_m).sum();
        let our_cov = coverage_pct(&p, &inp.blind);
        let qgc = baseline::survey(&inp.blind, 30.0, 0.0, inp.home);
        eprintln!("{name}: survey angle {:.0}°", qgc.angle_deg);
        let (qgc_len, qgc_cov, qgc_bad) = judge(&qgc, &inp, 0.0);
        let (cap_len, cap_cov, cap_bad) = judge(
            &baseline::survey(&inp.blind, 30.0, 15.0, inp.home),
            &inp,
            15.0,
        );
        eprintln!(
            "{name}: vigil {ours:.1} m, {our_cov:.2} %, 0 bad legs; survey {qgc_len:.1} m, {qgc_cov:.2} %, {qgc_bad} bad legs; survey with look-ahead {cap_len:.1} m, {cap_cov:.2} %, {cap_bad} bad legs"
        );
        assert_legs_safe(&p, &inp);
        assert!(
            our_cov >= 99.5 && our_cov >= qgc_cov - 1e-6 && our_cov >= cap_cov - 1e-6,
            "{name}"
        );
        // Never longer than QGC's survey. Against the look-ahead survey: the same on the
        // rectangle; on the L at most 3 % longer, for the strip along the notch that the
        // survey leaves unseen (its 96 %) while cutting across the notch.
        assert!(ours <= qgc_len + 1e-6, "{name}: {ours} vs {qgc_len}");
        assert!(ours <= cap_len * 1.03, "{name}: {ours} vs {cap_len}");
        match name {
            "rectangle" => assert!((ours - cap_len).abs() < 1e-6, "same lines on a rectangle"),
            _ => assert!(
                qgc_bad > 0 && cap_bad > 0,
                "{name}: the survey should leave the area"
            ),
        }
    }
}

/// A star-shaped polygon around `c` with radii in `r`, and up to two square no-fly holes.
fn random_venue(radii: &[f64], holes: &[(f64, f64, f64)]) -> (MultiPolygon<f64>, Vec<Keepout>) {
    let n = radii.len();
    let ring: Vec<Coord<f64>> = radii
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let a = std::f64::consts::TAU * i as f64 / n as f64;
            Coord {
                x: r * a.cos(),
                y: r * a.sin(),
            }
        })
        .collect();
    let boundary = mp(Polygon::new(ring.into(), vec![]));
    let keepouts = holes
        .iter()
        .enumerate()
        .map(|(i, &(x, y, h))| Keepout {
            name: format!("hole {i}"),
            area: mp(polygon![(x: x - h, y: y - h), (x: x + h, y: y - h), (x: x + h, y: y + h), (x: x - h, y: y + h)]),
        })
        .collect();
    (boundary, keepouts)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_polygons_with_holes_are_covered_and_never_left(
        radii in proptest::collection::vec(150.0..400.0f64, 5..12),
        holes in proptest::collection::vec((-60.0..60.0f64, -60.0..60.0f64, 8.0..25.0f64), 0..3),
        swath in 15.0..40.0f64,
    ) {
        // Holes sit near the centre; keep them apart so they do not merge.
        let mut kept: Vec<(f64, f64, f64)> = Vec::new();
        for h in holes {
            if kept.iter().all(|k| (k.0 - h.0).abs() > k.2 + h.2 + 10.0 || (k.1 - h.1).abs() > k.2 + h.2 + 10.0) {
                kept.push(h);
            }
        }
        let (boundary, keep) = random_venue(&radii, &kept);
        let inp = input(boundary, keep, Coord { x: 100.0, y: 0.0 });
        let p = plan(&inp, &PlanOptions { safety_margin_m: 1.0, ..opts(swath) }).expect("plan");
        let pct = coverage_pct(&p, &inp.blind);
        prop_assert!(pct >= 99.5, "coverage {}", pct);
        assert_legs_safe(&p, &inp);
    }
}

#[test]
fn a_fixed_heading_and_entry_corner_are_obeyed() {
    let boundary = mp(
        polygon![(x: 0.0, y: 0.0), (x: 300.0, y: 0.0), (x: 300.0, y: 120.0), (x: 0.0, y: 120.0)],
    );
    let inp = input(boundary, vec![], Coord { x: 150.0, y: 60.0 });
    let o = PlanOptions {
        sweep_heading_deg: Some(0.0),
        entry_corner: Some(vigil::planner::Corner::NorthEast),
        ..opts(30.0)
    };
    let p = plan(&inp, &o).expect("plan");
    let pts = &p.vehicles[0].sorties[0].points;
    // Heading 0° = sweeps run north-south: every sweep leg keeps its x.
    let sweeps: Vec<_> = pts.windows(2).filter(|w| w[1].sweep).collect();
    assert_eq!(sweeps.len(), 10);
    for w in &sweeps {
        assert!((w[0].x_m - w[1].x_m).abs() < 1e-6, "{w:?}");
    }
    // The first sweep starts in the north-east corner, half a swath in from the east edge and
    // the look-ahead (half a swath) in from the north edge.
    let first = pts[1].pos();
    assert!(
        (first.x - 285.0).abs() < 1e-6 && (first.y - 105.0).abs() < 1e-6,
        "{first:?}"
    );
    assert!(p.coverage(&inp.blind).pct() >= 99.5);
}

#[test]
fn a_launch_in_the_margin_band_starts_every_mission_with_a_leg_into_the_flyable_area() {
    let (boundary, keep) = square_with_no_fly_hole();
    let inp = input(boundary, keep, Coord { x: 1.0, y: 1.0 });
    let vehicle = Vehicle {
        max_items: 20,
        ..Vehicle::default()
    };
    let p = plan(
        &inp,
        &PlanOptions {
            vehicle,
            ..opts(30.0)
        },
    )
    .expect("plan");
    assert_eq!(p.launch, Coord { x: 1.0, y: 1.0 });
    assert!(p.home != p.launch);
    let frame = vigil::area::LocalFrame::new(2.35, 48.85);
    for s in p.sorties() {
        let m = vigil::planner::output::sortie_mission(s, &frame, p.launch, 0.0, 40.0, 10.0);
        // Home counts as an item on the vehicle.
        assert!(m.items.len() < 20, "{} items", m.items.len() + 1);
        let (lon, lat) = frame.to_wgs84(p.home.x, p.home.y);
        assert!((m.items[2].lat_deg - lat).abs() < 1e-9 && (m.items[2].lon_deg - lon).abs() < 1e-9);
    }
    assert_legs_safe(&p, &inp);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Holes a camera sees: not blind, but flyable.
    #[test]
    fn random_blind_spots_with_seen_holes_are_covered(
        radii in proptest::collection::vec(150.0..400.0f64, 5..12),
        holes in proptest::collection::vec((-60.0..60.0f64, -60.0..60.0f64, 8.0..25.0f64), 1..3),
        swath in 15.0..40.0f64,
    ) {
        let (boundary, seen) = random_venue(&radii, &holes);
        let seen = seen.iter().fold(MultiPolygon(vec![]), |acc, k| acc.union(&k.area));
        let inp = PlanInput {
            blind: boundary.difference(&seen),
            boundary,
            keepouts: vec![],
            risk: vec![],
            home: Coord { x: 100.0, y: 0.0 },
        };
        let p = plan(&inp, &PlanOptions { safety_margin_m: 1.0, ..opts(swath) }).expect("plan");
        let pct = coverage_pct(&p, &inp.blind);
        prop_assert!(pct >= 99.5, "coverage {}", pct);
        assert_legs_safe(&p, &inp);
    }
}

#[test]
fn the_infield_of_a_ring_shaped_no_fly_zone_is_reported_unreachable_and_the_rest_is_planned() {
    // 200 m square, a no-fly ring (a running track) from 30 m to 60 m around the centre, home
    // in a corner. The infield cannot be reached; the 2 m safety margin puts the flyable area's
    // inner edge 62 m from the centre, and a 30 m swath sees 14.95 m past it, so a square of
    // half-side 47.05 m (8855.4 m²) stays unseen: that is reported, not a refusal.
    let boundary = mp(polygon![(x: -100.0, y: -100.0), (x: 100.0, y: -100.0),
        (x: 100.0, y: 100.0), (x: -100.0, y: 100.0)]);
    let track = Polygon::new(
        geo_types::LineString::from(vec![
            (-60.0, -60.0),
            (60.0, -60.0),
            (60.0, 60.0),
            (-60.0, 60.0),
            (-60.0, -60.0),
        ]),
        vec![geo_types::LineString::from(vec![
            (-30.0, -30.0),
            (-30.0, 30.0),
            (30.0, 30.0),
            (30.0, -30.0),
            (-30.0, -30.0),
        ])],
    );
    let keepouts = vec![Keepout::grown("track", &mp(track), 0.0)];
    let mut inp = input(boundary.clone(), keepouts, Coord { x: -90.0, y: -90.0 });
    // The cameras see nothing anywhere: the whole venue is blind, the track included.
    inp.blind = boundary;
    let p = plan(&inp, &opts(30.0)).expect("the outside is planned");
    let left = &p.leftovers;
    assert!(
        (left.unreachable_area_m2 - 8855.4).abs() < 5.0,
        "{}",
        left.unreachable_area_m2
    );
    assert_eq!(left.unreachable.len(), 1, "{:?}", left.unreachable);
    let spot = left.unreachable[0];
    assert!(spot.x_m.abs() < 47.05 && spot.y_m.abs() < 47.05, "{spot:?}");
    assert!((spot.area_m2 - 8855.4).abs() < 5.0);
    // Everything else is seen, and no leg enters the track or its infield.
    let c = p.coverage(&inp.blind);
    let reachable = c.blind_area_m2 - left.unreachable_area_m2;
    assert!(
        c.covered_blind_area_m2 >= 0.995 * reachable,
        "{} of {reachable} m²",
        c.covered_blind_area_m2
    );
    assert_legs_safe(&p, &inp);
    for s in p.sorties() {
        for q in s.positions() {
            assert!(
                q.x.abs() >= 60.0 || q.y.abs() >= 60.0,
                "{q:?} in the infield"
            );
        }
    }
}

/// The lengths of every sweep leg flown.
fn sweep_lengths(p: &Plan) -> Vec<f64> {
    p.sorties()
        .flat_map(|s| {
            s.points
                .windows(2)
                .filter(|w| w[1].sweep)
                .map(|w| (w[1].x_m - w[0].x_m).hypot(w[1].y_m - w[0].y_m))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn a_sweep_shorter_than_the_minimum_is_lengthened_to_it() {
    // A 20 m blind square under a 30 m swath: its footprint (15 m caps) already sees it from a
    // point, so the decomposition gives a 0.5 m sweep; the 2 m minimum makes it 2.05 m (a
    // little over, for the centimetre kept off the flyable edge), centred where it was.
    let boundary = mp(polygon![(x: -100.0, y: -100.0), (x: 100.0, y: -100.0),
        (x: 100.0, y: 100.0), (x: -100.0, y: 100.0)]);
    let mut inp = input(boundary, vec![], Coord { x: -90.0, y: -90.0 });
    inp.blind = mp(polygon![(x: -10.0, y: -10.0), (x: 10.0, y: -10.0),
        (x: 10.0, y: 10.0), (x: -10.0, y: 10.0)]);
    let mut o = opts(30.0);
    o.min_sweep_m = 0.0;
    let tiny = plan(&inp, &o).expect("plan");
    let lens = sweep_lengths(&tiny);
    assert_eq!(lens.len(), 1);
    assert!((lens[0] - 0.5).abs() < 1e-6, "{lens:?}");

    let p = plan(&inp, &opts(30.0)).expect("plan");
    let lens = sweep_lengths(&p);
    assert_eq!(lens.len(), 1);
    assert!((lens[0] - 2.05).abs() < 1e-6, "{lens:?}");
    assert!((coverage_pct(&p, &inp.blind) - 100.0).abs() < 1e-9);
}

#[test]
fn a_negative_minimum_sweep_is_refused() {
    let boundary = mp(polygon![(x: 0.0, y: 0.0), (x: 50.0, y: 0.0), (x: 50.0, y: 50.0)]);
    let inp = input(boundary, vec![], Coord { x: 40.0, y: 10.0 });
    let mut o = opts(30.0);
    o.min_sweep_m = -1.0;
    let e = plan(&inp, &o).expect_err("refused");
    assert!(
        matches!(
            e,
            PlanError::BadOption {
                field: "min_sweep_m",
                ..
            }
        ),
        "{e}"
    );
}

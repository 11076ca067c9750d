//! The planner on the team's real venues (with seeded cameras where a file has none): coverage
//! of the blind spots at least 99.5 % and no leg outside the boundary or inside a no-fly zone.

#[path = "support/baseline.rs"]
mod baseline;

use std::path::PathBuf;

use geo::{Area, BooleanOps, InteriorPoint};
use geo_types::Coord;
use vigil::area::{Selection, Venue, blind_spots, read_venue, seeded_cameras};
use vigil::planner::{Keepout, PlanInput, PlanOptions, SwathSpec, ThermalCamera, Vehicle, plan};

fn venue(file: &str, boundary: &str, no_fly: &[&str], cameras: usize) -> Option<Venue> {
    let dir: PathBuf = vigil::testdata::shared_data(file)?.join("venues");
    let sel = Selection {
        boundary: Some(boundary.into()),
        no_fly: no_fly.iter().map(|s| s.to_string()).collect(),
    };
    let mut v = read_venue(&dir.join(file), &sel).expect("venue");
    if v.cameras.is_empty() {
        let extra = seeded_cameras(&v, cameras, 7);
        v.cameras.extend(extra);
    }
    Some(v)
}

fn input_of(v: &Venue) -> PlanInput {
    PlanInput {
        boundary: v.boundary.clone(),
        keepouts: v
            .no_fly
            .iter()
            .map(|z| Keepout::grown(&z.name, &z.area, z.margin_m))
            .collect(),
        blind: blind_spots(v).regions,
        risk: vec![],
        home: v.home.map(|h| h.position.0).unwrap_or_else(|| {
            v.boundary
                .interior_point()
                .map(|p| p.0)
                .unwrap_or(Coord { x: 0.0, y: 0.0 })
        }),
    }
}

fn check(file: &str, boundary: &str, no_fly: &[&str], cameras: usize) {
    let Some(v) = venue(file, boundary, no_fly, cameras) else {
        return;
    };
    check_venue(file, &v);
}

fn check_venue(file: &str, v: &Venue) {
    let input = input_of(v);
    let swath = SwathSpec::Camera {
        camera: ThermalCamera::preset("h20t").expect("preset"),
        side_overlap: 0.2,
    };
    let widest = v.no_fly.iter().map(|z| z.margin_m).fold(0.0, f64::max) + 2.0;
    let opts = PlanOptions {
        alt_m: vigil::planner::default_alt_m(&swath, widest),
        swath,
        // One long battery, so that the length compares with a single-flight survey.
        vehicle: Vehicle {
            endurance_s: 1e6,
            max_items: 100_000,
            ..Vehicle::default()
        },
        ..PlanOptions::default()
    };
    let p = plan(&input, &opts).unwrap_or_else(|e| panic!("{file}: {e}"));
    let c = p.coverage(&input.blind);
    let rest = input.blind.difference(&c.swath);
    let big: Vec<_> = rest
        .iter()
        .filter(|q| q.unsigned_area() > 5.0)
        .map(|q| (q.unsigned_area(), q.interior_point()))
        .collect();
    eprintln!(
        "{file}: blind {:.0} m², coverage {:.2} %, {} legs checked, {:.0} m, leftovers {:?}, uncovered > 5 m²: {big:?}",
        c.blind_area_m2,
        c.pct(),
        p.legs_checked,
        p.sorties().map(|s| s.length_m).sum::<f64>(),
        p.leftovers
    );
    assert!(c.pct() >= 99.5, "{file}: coverage {:.3} %", c.pct());
    // No sweep shorter than the minimum (2 m, ArduCopter's waypoint acceptance radius).
    let sweeps: Vec<f64> = p
        .sorties()
        .flat_map(|s| {
            s.points
                .windows(2)
                .filter(|w| w[1].sweep)
                .map(|w| vigil::planner::geom::dist(w[0].pos(), w[1].pos()))
                .collect::<Vec<_>>()
        })
        .collect();
    let shortest = sweeps.iter().cloned().fold(f64::INFINITY, f64::min);
    let short = sweeps.iter().filter(|&&l| l < opts.min_sweep_m).count();
    eprintln!(
        "{file}: {} sweeps, shortest {shortest:.2} m, {short} under {} m",
        sweeps.len(),
        opts.min_sweep_m
    );
    assert!(
        shortest >= opts.min_sweep_m,
        "{file}: a sweep of {shortest} m"
    );

    // Against the single-angle survey over the same blind spots with the same swath.
    let ours: f64 = p.sorties().map(|s| s.length_m).sum();
    let survey = baseline::survey(&input.blind, p.swath_m, 0.0, input.home);
    let rects: Vec<_> = survey
        .sweeps
        .iter()
        .map(|(a, b)| vigil::planner::geom::swath_rect(*a, *b, p.swath_m, 0.0))
        .collect();
    let survey_cov = 100.0
        * input
            .blind
            .intersection(&geo::algorithm::bool_ops::unary_union(rects.iter()))
            .unsigned_area()
        / c.blind_area_m2;
    let boundary = vigil::planner::geom::RingSet::new(&input.boundary);
    let zones: Vec<_> = input
        .keepouts
        .iter()
        .map(|k| vigil::planner::geom::RingSet::new(&k.area))
        .collect();
    let survey_out = survey
        .points
        .windows(2)
        .filter(|w| {
            !boundary.segment_inside(w[0], w[1])
                || zones.iter().any(|z| !z.segment_outside(w[0], w[1]))
        })
        .count();
    eprintln!(
        "{file}: vigil {ours:.0} m at {:.2} %; survey {:.0} m ({:.0}°) at {survey_cov:.2} % with {survey_out} of {} legs leaving the boundary or entering a no-fly zone",
        c.pct(),
        survey.length_m,
        survey.angle_deg,
        survey.points.len() - 1
    );
    // Never longer than the survey, except by at most 5 % where the survey leaves at least
    // 5 % of the blind area unseen (Purdue's stadium bowl: 1338 m at 100 % against 1304 m at
    // 91 %).
    assert!(
        ours <= survey.length_m || (ours <= 1.05 * survey.length_m && survey_cov <= c.pct() - 5.0),
        "{file}: {ours} m vs {} m",
        survey.length_m
    );
    assert!(p.legs_checked > 0);
}

fn bundled(name: &str) -> Venue {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("missions")
        .join(name);
    read_venue(&path, &Selection::default()).expect("bundled venue")
}

#[test]
fn bundled_stadium() {
    check_venue("stadium.geojson", &bundled("stadium.geojson"));
}

#[test]
fn bundled_park_with_its_lake() {
    check_venue("park.geojson", &bundled("park.geojson"));
}

#[test]
fn purdue_stadium() {
    check(
        "osm_purdue_stadiums_residence-halls_subset.geojson",
        "name=Ross-Ade Stadium",
        &[],
        10,
    );
}

#[test]
fn birrarung_marr_with_its_holes() {
    check(
        "cityofmelbourne_parks_birrarung-marr.geojson",
        "FEATURENAM=Birrarung Marr",
        &[],
        20,
    );
}

#[test]
fn kirtipur_ground_with_no_fly_stands() {
    check(
        "tu-cricket-ground-kirtipur_zones.geojson",
        "name=GROUND",
        &["name=VIP", "name=TEAM STAND"],
        20,
    );
}

#[test]
fn university_of_bath_with_its_running_track_as_a_no_fly_ring() {
    // The track is a ring: its infield cannot be reached from home. It is reported as
    // unreachable (one piece, inside the track) and the rest of the campus is planned.
    let Some(v) = venue(
        "osm_university-of-bath_subset.geojson",
        "name=University of Bath",
        &["leisure=track"],
        60,
    ) else {
        return;
    };
    let input = input_of(&v);
    let swath = SwathSpec::Camera {
        camera: ThermalCamera::preset("h20t").expect("preset"),
        side_overlap: 0.2,
    };
    let opts = PlanOptions {
        alt_m: vigil::planner::default_alt_m(&swath, 2.0),
        swath,
        vehicle: Vehicle {
            endurance_s: 1e6,
            max_items: 100_000,
            ..Vehicle::default()
        },
        ..PlanOptions::default()
    };
    let p = plan(&input, &opts).expect("the campus outside the track is planned");
    let left = &p.leftovers;
    let track = &v.no_fly[0].area;
    let hull = geo::ConvexHull::convex_hull(track);
    let big: Vec<_> = left
        .unreachable
        .iter()
        .filter(|s| s.area_m2 > 500.0)
        .collect();
    assert_eq!(big.len(), 1, "{:?}", left.unreachable);
    let infield = geo_types::Point::new(big[0].x_m, big[0].y_m);
    assert!(geo::Contains::contains(&hull, &infield), "{infield:?}");
    assert!(!geo::Intersects::intersects(track, &infield));
    // The infield of a 400 m track is about 8000–12000 m², less what a swath sees from outside.
    assert!(
        (1000.0..15000.0).contains(&big[0].area_m2),
        "{}",
        big[0].area_m2
    );
    let c = p.coverage(&input.blind);
    let reachable = c.blind_area_m2 - left.unreachable_area_m2;
    assert!(
        c.covered_blind_area_m2 >= 0.995 * reachable,
        "{} of {reachable} m²",
        c.covered_blind_area_m2
    );
}

#[test]
fn university_of_bath_campus() {
    check(
        "osm_university-of-bath_subset.geojson",
        "name=University of Bath",
        &[],
        60,
    );
}

#[test]
fn qgc_polygon_good() {
    check("qgc_PolygonGood.kml", "#0", &[], 10);
}

#[test]
fn bundled_venues_meet_their_risk_zone_intervals() {
    for name in ["stadium.geojson", "park.geojson"] {
        let v = bundled(name);
        let mut input = input_of(&v);
        input.risk = v
            .risk
            .iter()
            .map(|r| vigil::planner::RiskTarget {
                name: r.name.clone(),
                area: r.area.clone(),
                level: r.level,
                revisit_s: r.revisit_min * 60.0,
            })
            .collect();
        assert!(!input.risk.is_empty());
        let swath = SwathSpec::Camera {
            camera: ThermalCamera::preset("h20t").expect("preset"),
            side_overlap: 0.2,
        };
        let widest = v.no_fly.iter().map(|z| z.margin_m).fold(0.0, f64::max) + 2.0;
        let opts = PlanOptions {
            alt_m: vigil::planner::default_alt_m(&swath, widest),
            swath,
            ..PlanOptions::default()
        };
        let p = plan(&input, &opts).expect("plan");
        for r in &p.vehicles[0].risk {
            eprintln!(
                "{name}: {} every {:.0} min, worst gap {:.1} min over {} looks",
                r.name, r.revisit_min, r.max_gap_min, r.visits
            );
            assert!(r.met, "{name}: {r:?}");
        }
        assert!(p.coverage(&input.blind).pct() >= 99.5);
    }
}

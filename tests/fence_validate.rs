//! Fence model and validation before upload: small fences laid out in metres with exact
//! expected problems, the failures other tools are known for, and the real fence files.

use geo_types::{LineString, MultiPolygon, Point, Polygon};
use vigil::area::{Home, LocalFrame, Venue, Zone};
use vigil::fence::{
    AutopilotRules, Fence, FenceArea, FenceProblem, FenceShape, ProblemKind, Route,
    VenueFenceOptions, Winding, validate,
};
use vigil::mission::{self, GeoFence, GeoPoint, HomeCircle, LatLon, MissionItem};

// ------------------------------------------------------------------------------------------------
// Helpers: a field near Canberra, laid out in metres east and north

fn frame() -> LocalFrame {
    LocalFrame::new(149.0, -35.3)
}

fn at(x: f64, y: f64) -> LatLon {
    let (lon, lat) = frame().to_wgs84(x, y);
    LatLon {
        lat_deg: lat,
        lon_deg: lon,
    }
}

fn local(p: LatLon) -> (f64, f64) {
    frame().to_local(p.lon_deg, p.lat_deg)
}

fn polygon(name: &str, inclusion: bool, pts: &[(f64, f64)]) -> FenceArea {
    FenceArea {
        name: name.to_owned(),
        inclusion,
        shape: FenceShape::Polygon(pts.iter().map(|&(x, y)| at(x, y)).collect()),
    }
}

fn circle(name: &str, inclusion: bool, x: f64, y: f64, radius_m: f64) -> FenceArea {
    FenceArea {
        name: name.to_owned(),
        inclusion,
        shape: FenceShape::Circle {
            center: at(x, y),
            radius_m,
        },
    }
}

fn fence(areas: Vec<FenceArea>) -> Fence {
    Fence {
        areas,
        ..Fence::default()
    }
}

fn wp(x: f64, y: f64, alt_m: f64) -> MissionItem {
    let p = at(x, y);
    MissionItem {
        command: 16,
        frame: 3,
        params: [0.0; 4],
        lat_deg: p.lat_deg,
        lon_deg: p.lon_deg,
        alt_m,
        autocontinue: true,
    }
}

fn home(x: f64, y: f64) -> Option<GeoPoint> {
    let p = at(x, y);
    Some(GeoPoint {
        lat_deg: p.lat_deg,
        lon_deg: p.lon_deg,
        alt_m: 500.0,
    })
}

/// A U: a 100 m square with a notch 20 m wide and 60 m deep cut from its north side.
const U: [(f64, f64); 8] = [
    (0.0, 0.0),
    (100.0, 0.0),
    (100.0, 100.0),
    (60.0, 100.0),
    (60.0, 40.0),
    (40.0, 40.0),
    (40.0, 100.0),
    (0.0, 100.0),
];

fn only(problems: &[FenceProblem]) -> &FenceProblem {
    assert_eq!(problems.len(), 1, "{problems:#?}");
    &problems[0]
}

fn near(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

// ------------------------------------------------------------------------------------------------
// Legs, points, altitudes

/// PX4 #22255, Mission Planner #1679: a leg between two legal waypoints leaves a concave fence.
#[test]
fn leg_between_legal_waypoints_across_a_concave_notch_is_caught() {
    let f = fence(vec![polygon("venue", true, &U)]);
    let items = [wp(20.0, 80.0, 30.0), wp(80.0, 80.0, 30.0)];
    for rules in [AutopilotRules::ARDUPILOT, AutopilotRules::PX4] {
        let problems = validate(
            &f,
            &rules,
            Route {
                home: home(10.0, 10.0),
                items: &items,
            },
        );
        let p = only(&problems);
        assert_eq!(p.kind, ProblemKind::OutsideInclusion);
        assert_eq!(p.subject, "leg 2 (mission item 1 → mission item 2)");
        // The notch's middle is 10 m from both its walls.
        assert!(near(p.distance_m.expect("distance"), 10.0, 0.6), "{p}");
        let (x, y) = local(p.at.expect("where"));
        assert!(near(x, 50.0, 1.0) && near(y, 80.0, 0.1), "{x} {y}");
    }
}

/// ArduPilot #7138, MAVProxy #460: a return point outside a concave fence disables the fence.
#[test]
fn return_point_in_the_notch_of_a_concave_fence_is_caught() {
    let mut f = fence(vec![polygon("venue", true, &U)]);
    f.return_point = Some(at(50.0, 70.0));
    let problems = validate(&f, &AutopilotRules::ARDUPILOT, Route::default());
    let p = only(&problems);
    assert_eq!(
        (p.kind, p.fence.as_str(), p.subject.as_str()),
        (ProblemKind::OutsideInclusion, "venue", "return point")
    );
    assert!(near(p.distance_m.expect("distance"), 10.0, 0.01), "{p}");
    assert_eq!(
        p.to_string().split(" (at").next(),
        Some("venue: return point: 10.0 m outside the inclusion")
    );
}

#[test]
fn leg_through_an_exclusion_circle_reports_its_depth() {
    let f = fence(vec![
        polygon(
            "field",
            true,
            &[(0.0, 0.0), (200.0, 0.0), (200.0, 200.0), (0.0, 200.0)],
        ),
        circle("crowd", false, 100.0, 100.0, 20.0),
    ]);
    let items = [wp(50.0, 105.0, 30.0), wp(150.0, 105.0, 30.0)];
    let problems = validate(
        &f,
        &AutopilotRules::ARDUPILOT,
        Route {
            home: None,
            items: &items,
        },
    );
    let p = only(&problems);
    assert_eq!(
        (p.kind, p.fence.as_str()),
        (ProblemKind::InsideExclusion, "crowd")
    );
    assert_eq!(p.subject, "leg 1 (mission item 1 → mission item 2)");
    assert!(near(p.distance_m.expect("depth"), 15.0, 0.01), "{p}");
    let (x, y) = local(p.at.expect("where"));
    assert!(near(x, 100.0, 0.6) && near(y, 105.0, 0.01));
}

#[test]
fn home_inside_an_exclusion_polygon_is_caught() {
    let f = fence(vec![polygon(
        "stage",
        false,
        &[(80.0, 80.0), (120.0, 80.0), (120.0, 120.0), (80.0, 120.0)],
    )]);
    let problems = validate(
        &f,
        &AutopilotRules::PX4,
        Route {
            home: home(90.0, 100.0),
            items: &[],
        },
    );
    let p = only(&problems);
    assert_eq!(
        (p.kind, p.subject.as_str()),
        (ProblemKind::InsideExclusion, "home")
    );
    assert!(near(p.distance_m.expect("depth"), 10.0, 0.01));
}

#[test]
fn do_jump_back_across_the_notch_is_a_leg_too() {
    let f = fence(vec![polygon("venue", true, &U)]);
    let mut jump = wp(0.0, 0.0, 0.0);
    jump.command = 177;
    jump.frame = 2;
    jump.params = [1.0, -1.0, 0.0, 0.0];
    let items = [
        wp(20.0, 80.0, 30.0),
        wp(20.0, 20.0, 30.0),
        wp(80.0, 20.0, 30.0),
        wp(80.0, 80.0, 30.0),
        jump,
    ];
    let problems = validate(
        &f,
        &AutopilotRules::ARDUPILOT,
        Route {
            home: home(10.0, 10.0),
            items: &items,
        },
    );
    let p = only(&problems);
    assert_eq!(p.subject, "leg 5 (mission item 4 → mission item 1)");
    assert!(near(p.distance_m.expect("distance"), 10.0, 0.6));
}

#[test]
fn return_to_launch_flies_a_leg_home() {
    let f = fence(vec![
        polygon("venue", true, &U),
        circle("tent", false, 50.0, 25.0, 5.0),
    ]);
    let mut rtl = wp(0.0, 0.0, 0.0);
    rtl.command = 20;
    // Out round the tent along y = 5, back straight through it along y = 25.
    let items = [
        wp(10.0, 5.0, 30.0),
        wp(90.0, 5.0, 30.0),
        wp(90.0, 25.0, 30.0),
        rtl,
    ];
    let problems = validate(
        &f,
        &AutopilotRules::ARDUPILOT,
        Route {
            home: home(10.0, 25.0),
            items: &items,
        },
    );
    let p = only(&problems);
    assert_eq!(p.fence, "tent");
    assert_eq!(
        p.subject,
        "leg 4 (mission item 3 → home (return at mission item 4))"
    );
    assert!(near(p.distance_m.expect("depth"), 5.0, 0.01));
}

#[test]
fn ceiling_and_floor_are_checked_above_home() {
    let mut f = fence(vec![polygon(
        "field",
        true,
        &[(0.0, 0.0), (200.0, 0.0), (200.0, 200.0), (0.0, 200.0)],
    )]);
    f.ceiling_m = Some(120.0);
    f.floor_m = Some(10.0);
    let mut amsl = wp(60.0, 60.0, 625.0);
    amsl.frame = 0;
    let mut takeoff = wp(50.0, 50.0, 5.0);
    takeoff.command = 22;
    let items = [takeoff, wp(50.0, 60.0, 130.0), amsl, wp(70.0, 60.0, 4.0)];
    let problems = validate(
        &f,
        &AutopilotRules::ARDUPILOT,
        Route {
            home: home(50.0, 50.0),
            items: &items,
        },
    );
    let summary: Vec<(ProblemKind, &str, f64)> = problems
        .iter()
        .map(|p| {
            (
                p.kind,
                p.subject.as_str(),
                (p.distance_m.unwrap_or(f64::NAN) * 10.0).round() / 10.0,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (ProblemKind::AboveCeiling, "mission item 2", 10.0),
            (ProblemKind::AboveCeiling, "mission item 3", 5.0),
            (ProblemKind::BelowFloor, "mission item 4", 6.0),
        ]
    );
}

#[test]
fn several_inclusions_combine_as_each_autopilot_does() {
    let f = fence(vec![
        polygon(
            "north",
            true,
            &[(0.0, 100.0), (50.0, 100.0), (50.0, 150.0), (0.0, 150.0)],
        ),
        polygon(
            "south",
            true,
            &[(0.0, 0.0), (50.0, 0.0), (50.0, 50.0), (0.0, 50.0)],
        ),
    ]);
    let route = Route {
        home: home(25.0, 25.0),
        items: &[],
    };
    // ArduPilot wants every inclusion: home is 50 m short of "north".
    let problems = validate(&f, &AutopilotRules::ARDUPILOT, route);
    let p = only(&problems);
    assert_eq!((p.fence.as_str(), p.subject.as_str()), ("north", "home"));
    assert!(near(p.distance_m.expect("distance"), 75.0, 0.01), "{p}");
    // PX4 wants any one.
    assert!(validate(&f, &AutopilotRules::PX4, route).is_empty());
    // A leg from south to north crosses the 50 m gap: PX4 flags it too, 25 m out at worst.
    let items = [wp(25.0, 25.0, 30.0), wp(25.0, 125.0, 30.0)];
    let problems = validate(
        &f,
        &AutopilotRules::PX4,
        Route {
            home: home(25.0, 25.0),
            items: &items,
        },
    );
    let p = only(&problems);
    assert_eq!(p.fence, "every inclusion area");
    assert!(near(p.distance_m.expect("distance"), 25.0, 0.6), "{p}");
}

// ------------------------------------------------------------------------------------------------
// Shapes and limits

#[test]
fn self_intersecting_polygon_names_the_crossing_edges() {
    let f = fence(vec![polygon(
        "bowtie",
        true,
        &[(0.0, 0.0), (100.0, 100.0), (100.0, 0.0), (0.0, 100.0)],
    )]);
    let problems = validate(&f, &AutopilotRules::ARDUPILOT, Route::default());
    let p = problems
        .iter()
        .find(|p| p.kind == ProblemKind::SelfIntersection)
        .expect("crossing");
    assert_eq!(p.subject, "edges 1 and 3");
    assert!(p.message.starts_with("edge 1–2 crosses edge 3–4"), "{p}");
    let (x, y) = local(p.at.expect("where"));
    assert!(near(x, 50.0, 0.05) && near(y, 50.0, 0.05), "{x} {y}");
}

#[test]
fn ring_closed_by_a_repeated_vertex_is_caught() {
    let f = fence(vec![polygon(
        "field",
        true,
        &[(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 0.0)],
    )]);
    let problems = validate(&f, &AutopilotRules::ARDUPILOT, Route::default());
    let p = problems
        .iter()
        .find(|p| p.kind == ProblemKind::RepeatedVertex)
        .expect("repeat");
    assert_eq!(p.subject, "vertex 1");
    assert!(p.message.contains("vertex 4 repeats vertex 1"), "{p}");
}

#[test]
fn too_few_vertices_zero_area_and_bad_radius() {
    let f = fence(vec![
        polygon("line", true, &[(0.0, 0.0), (50.0, 0.0), (100.0, 0.0)]),
        polygon("stub", false, &[(0.0, 0.0), (1.0, 1.0)]),
        circle("dot", false, 5.0, 5.0, 0.0),
    ]);
    let problems = validate(&f, &AutopilotRules::ARDUPILOT, Route::default());
    let kinds: Vec<(ProblemKind, &str)> = problems
        .iter()
        .map(|p| (p.kind, p.fence.as_str()))
        .collect();
    assert!(
        kinds.contains(&(ProblemKind::ZeroArea, "line")),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(ProblemKind::TooFewVertices, "stub")),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(ProblemKind::BadRadius, "dot")),
        "{kinds:?}"
    );
}

#[test]
fn winding_is_checked_only_where_rules_demand_it() {
    // Counter-clockwise seen from above: east, then north, then west.
    let ccw = fence(vec![polygon(
        "field",
        true,
        &[(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)],
    )]);
    assert!(validate(&ccw, &AutopilotRules::ARDUPILOT, Route::default()).is_empty());
    let strict = AutopilotRules {
        name: "strict",
        winding: Some(Winding::Clockwise),
        ..AutopilotRules::PX4
    };
    let problems = validate(&ccw, &strict, Route::default());
    let p = only(&problems);
    assert_eq!(p.kind, ProblemKind::WrongWinding);
    assert_eq!(
        p.message,
        "vertices run CounterClockwise; strict needs Clockwise"
    );
}

#[test]
fn vertex_limits_differ_between_autopilots() {
    let ring: Vec<(f64, f64)> = (0..65)
        .map(|k| {
            let a = f64::from(k) * std::f64::consts::TAU / 65.0;
            (100.0 * a.cos(), 100.0 * a.sin())
        })
        .collect();
    let f = fence(vec![polygon("round", true, &ring)]);
    assert!(validate(&f, &AutopilotRules::ARDUPILOT, Route::default()).is_empty());
    let problems = validate(&f, &AutopilotRules::PX4, Route::default());
    let kinds: Vec<ProblemKind> = problems.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [ProblemKind::TooManyVertices, ProblemKind::TooManyItems]
    );
    assert_eq!(
        problems[0].message,
        "65 vertices; PX4 takes at most 64 per polygon"
    );
}

// ------------------------------------------------------------------------------------------------
// Building fences

#[test]
fn fence_from_a_venue_grows_no_fly_zones_by_their_margin() {
    let sq = |x0: f64, y0: f64, x1: f64, y1: f64| {
        LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)])
    };
    let venue = Venue {
        name: "test".to_owned(),
        frame: frame(),
        boundary: MultiPolygon(vec![Polygon::new(
            sq(0.0, 0.0, 200.0, 200.0),
            vec![sq(150.0, 150.0, 170.0, 170.0)],
        )]),
        no_fly: vec![Zone {
            name: "Stage".to_owned(),
            area: MultiPolygon(vec![Polygon::new(sq(50.0, 50.0, 70.0, 70.0), vec![])]),
            margin_m: 5.0,
        }],
        obstacles: vec![],
        cameras: vec![],
        risk: vec![],
        home: Some(Home {
            position: Point::new(10.0, 10.0),
            alt_m: Some(500.0),
        }),
        warnings: vec![],
    };
    let options = VenueFenceOptions {
        extra_no_fly_margin_m: 1.0,
        ceiling_m: Some(90.0),
        floor_m: None,
    };
    let f = Fence::from_venue(&venue, &options);
    let names: Vec<&str> = f.areas.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["boundary", "boundary hole 1", "no-fly 'Stage'"]);
    assert_eq!(
        f.areas.iter().map(|a| a.inclusion).collect::<Vec<_>>(),
        [true, false, false]
    );
    assert_eq!(f.ceiling_m, Some(90.0));
    let (rx, ry) = local(f.return_point.expect("return point"));
    assert!(near(rx, 10.0, 1e-6) && near(ry, 10.0, 1e-6));

    let FenceShape::Polygon(stage) = &f.areas[2].shape else {
        panic!("polygon")
    };
    assert_eq!(stage.len(), 4, "mitred corners keep the square a square");
    for v in stage {
        let (x, y) = local(*v);
        assert!(near(x, 44.0, 0.01) || near(x, 76.0, 0.01), "{x}");
        assert!(near(y, 44.0, 0.01) || near(y, 76.0, 0.01), "{y}");
    }
    let FenceShape::Polygon(boundary) = &f.areas[0].shape else {
        panic!("polygon")
    };
    assert_eq!(boundary.len(), 4, "closing vertex dropped");

    // A leg 3 m from the stage passes inside its 6 m margin.
    let items = [wp(20.0, 73.0, 30.0), wp(100.0, 73.0, 30.0)];
    let problems = validate(
        &f,
        &AutopilotRules::ARDUPILOT,
        Route {
            home: home(10.0, 10.0),
            items: &items,
        },
    );
    let p = only(&problems);
    assert_eq!(
        (p.kind, p.fence.as_str()),
        (ProblemKind::InsideExclusion, "no-fly 'Stage'")
    );
    assert!(near(p.distance_m.expect("depth"), 3.0, 0.01), "{p}");
}

#[test]
fn fence_from_a_mission_geofence_and_back() {
    let g = GeoFence {
        polygons: vec![mission::FencePolygon {
            inclusion: true,
            vertices: vec![at(0.0, 0.0), at(100.0, 0.0), at(0.0, 100.0)],
        }],
        circles: vec![mission::FenceCircle {
            inclusion: false,
            center: at(20.0, 20.0),
            radius_m: 5.0,
        }],
        home_circles: vec![HomeCircle { radius_m: 300.0 }],
        return_point: Some(at(10.0, 10.0)),
    };
    let (without_home, warnings) = Fence::from_geofence(&g, None);
    assert_eq!(without_home.areas.len(), 2);
    assert_eq!(
        warnings,
        ["home circle 1 (radius 300 m) left out: no home is known to centre it on"]
    );
    let (with_home, warnings) = Fence::from_geofence(&g, Some(at(5.0, 5.0)));
    assert!(warnings.is_empty());
    assert_eq!(
        with_home.areas[2].shape,
        FenceShape::Circle {
            center: at(5.0, 5.0),
            radius_m: 300.0
        }
    );
    let back = without_home.to_geofence();
    assert_eq!(back.polygons, g.polygons);
    assert_eq!(back.circles, g.circles);
    assert_eq!(back.return_point, g.return_point);
}

// ------------------------------------------------------------------------------------------------
// Real files

fn read(dir: &std::path::Path, rel: &str) -> mission::Mission {
    mission::read_mission(&dir.join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .0
}

#[test]
fn spring_valley_mission_flies_inside_its_club_fence() {
    let Some(dir) =
        vigil::testdata::shared_data("spring_valley_mission_flies_inside_its_club_fence")
    else {
        return;
    };
    let m = read(&dir, "waypoints/mavproxy_springvalley-foamy-mission-cw.txt");
    let fm = read(
        &dir,
        "waypoints/mavproxy_springvalleybottom-foamy-fence.txt",
    );
    let (f, _) = Fence::from_geofence(&fm.fence, None);
    for rules in [AutopilotRules::ARDUPILOT, AutopilotRules::PX4] {
        let problems = validate(
            &f,
            &rules,
            Route {
                home: m.planned_home,
                items: &m.items,
            },
        );
        assert!(problems.is_empty(), "{}: {problems:#?}", rules.name);
    }

    // The same mission against the CMAC test fence 16.6 km away: home is named first.
    let cmac = read(&dir, "waypoints/pymavlink_fence.txt");
    let (f, _) = Fence::from_geofence(&cmac.fence, None);
    let problems = validate(
        &f,
        &AutopilotRules::ARDUPILOT,
        Route {
            home: m.planned_home,
            items: &m.items,
        },
    );
    assert_eq!(problems[0].subject, "home");
    assert!(
        near(problems[0].distance_m.expect("distance"), 16_603.4, 0.5),
        "{}",
        problems[0]
    );
    // Home, the nine legs in order (the DO_JUMP and DO_LAND_START rows are not places), and
    // the DO_JUMP's leg back to item 2.
    assert_eq!(problems.len(), 11);
    assert_eq!(
        problems[6].subject,
        "leg 6 (mission item 5 → mission item 8)"
    );
    assert_eq!(
        problems[10].subject,
        "leg 10 (mission item 5 → mission item 2)"
    );
}

#[test]
fn real_fences_are_valid_and_concave_dalby_catches_its_diagonals() {
    let Some(dir) = vigil::testdata::shared_data("real_fences_are_valid") else {
        return;
    };
    for rel in [
        "waypoints/ardupilot_Dalby-OBC2016-fence.txt",
        "waypoints/pymavlink_fence.txt",
        "waypoints/pymavlink_fence-110.txt",
        "waypoints/ardupilot_fence-in-middle-of-nowhere.txt",
        "waypoints/mavproxy_springvalleybottom-foamy-fence.txt",
        "plan/qgc_custom_ce_geofence_outfield.plan",
    ] {
        let m = read(&dir, rel);
        let home = m.planned_home.map(|h| LatLon {
            lat_deg: h.lat_deg,
            lon_deg: h.lon_deg,
        });
        let (f, _) = Fence::from_geofence(&m.fence, home);
        for rules in [AutopilotRules::ARDUPILOT, AutopilotRules::PX4] {
            let problems = validate(
                &f,
                &rules,
                Route {
                    home: m.planned_home,
                    items: &m.items,
                },
            );
            assert!(problems.is_empty(), "{rel} {}: {problems:#?}", rules.name);
        }
    }

    // Dalby's 16-vertex fence is concave: the straight line from vertex 2 to vertex 5 leaves it
    // by 139 m, though both ends are on the fence.
    let m = read(&dir, "waypoints/ardupilot_Dalby-OBC2016-fence.txt");
    let v = &m.fence.polygons[0].vertices;
    let item = |p: LatLon| MissionItem {
        lat_deg: p.lat_deg,
        lon_deg: p.lon_deg,
        ..wp(0.0, 0.0, 100.0)
    };
    let items = [item(v[1]), item(v[4])];
    let (f, _) = Fence::from_geofence(&m.fence, None);
    let problems = validate(
        &f,
        &AutopilotRules::ARDUPILOT,
        Route {
            home: None,
            items: &items,
        },
    );
    let p = only(&problems);
    assert_eq!(p.kind, ProblemKind::OutsideInclusion);
    assert!(near(p.distance_m.expect("distance"), 139.3, 0.5), "{p}");
}

// ------------------------------------------------------------------------------------------------
// Robustness

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn coord() -> impl Strategy<Value = f64> {
        prop_oneof![
            -200.0..200.0f64,
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(0.0),
            Just(90.0),
            Just(-180.0),
        ]
    }

    fn latlon() -> impl Strategy<Value = LatLon> {
        (coord(), coord()).prop_map(|(lat_deg, lon_deg)| LatLon { lat_deg, lon_deg })
    }

    /// Points within a few hundred metres of the field, so the geometry is exercised.
    fn nearby() -> impl Strategy<Value = LatLon> {
        (-300.0..300.0f64, -300.0..300.0f64).prop_map(|(x, y)| at(x, y))
    }

    fn area() -> impl Strategy<Value = FenceArea> {
        (
            any::<bool>(),
            prop_oneof![
                proptest::collection::vec(prop_oneof![3 => nearby(), 1 => latlon()], 0..8)
                    .prop_map(FenceShape::Polygon),
                (prop_oneof![3 => nearby(), 1 => latlon()], coord())
                    .prop_map(|(center, radius_m)| FenceShape::Circle { center, radius_m }),
            ],
        )
            .prop_map(|(inclusion, shape)| FenceArea {
                name: "a".to_owned(),
                inclusion,
                shape,
            })
    }

    fn item() -> impl Strategy<Value = MissionItem> {
        (
            prop_oneof![Just(16u16), Just(20), Just(22), Just(177), Just(21)],
            0u8..12,
            prop_oneof![3 => nearby(), 1 => latlon()],
            coord(),
            coord(),
        )
            .prop_map(|(command, frame, p, alt_m, p1)| MissionItem {
                command,
                frame,
                params: [p1, 0.0, 0.0, 0.0],
                lat_deg: p.lat_deg,
                lon_deg: p.lon_deg,
                alt_m,
                autocontinue: true,
            })
    }

    proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 256, failure_persistence: None, ..Default::default()
        })]

        #[test]
        fn validation_never_panics(
            areas in proptest::collection::vec(area(), 0..4),
            ret in proptest::option::of(prop_oneof![nearby(), latlon()]),
            home in proptest::option::of((prop_oneof![nearby(), latlon()], coord())),
            items in proptest::collection::vec(item(), 0..6),
            ceiling in proptest::option::of(coord()),
        ) {
            let f = Fence { areas, ceiling_m: ceiling, floor_m: Some(5.0), return_point: ret };
            let home = home.map(|(p, alt_m)| GeoPoint { lat_deg: p.lat_deg, lon_deg: p.lon_deg, alt_m });
            for rules in [AutopilotRules::ARDUPILOT, AutopilotRules::PX4] {
                for p in validate(&f, &rules, Route { home, items: &items }) {
                    prop_assert!(!p.to_string().is_empty());
                }
            }
        }
    }
}

#[test]
fn degenerate_polygons_are_reported_not_panicked_on() {
    let same = [(10.0, 10.0); 4];
    let flat = [(0.0, 0.0), (10.0, 0.0), (20.0, 0.0), (10.0, 0.0)];
    for pts in [&same[..], &flat[..]] {
        let f = fence(vec![
            polygon("odd", true, pts),
            polygon("odd-out", false, pts),
        ]);
        let items = [wp(5.0, 5.0, 30.0), wp(15.0, 0.0, 30.0)];
        for rules in [AutopilotRules::ARDUPILOT, AutopilotRules::PX4] {
            let problems = validate(
                &f,
                &rules,
                Route {
                    home: home(0.0, 0.0),
                    items: &items,
                },
            );
            assert!(
                problems.iter().any(|p| p.kind == ProblemKind::ZeroArea),
                "{problems:#?}"
            );
        }
    }
}

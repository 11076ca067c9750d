//! Venue import against the team's real files: every file in `venues/` imports with a
//! selector, holes kept, and its area matches the geodesic area of the WGS84 polygon.

use std::path::{Path, PathBuf};

use geo::{Area, GeodesicArea};
use geo_types::{Geometry, MultiPolygon};
use vigil::area::{Selection, Venue, VenueError, read_venue};

fn venues(test: &str) -> Option<PathBuf> {
    vigil::testdata::shared_data(test).map(|d| d.join("venues"))
}

fn select(boundary: &str) -> Selection {
    Selection {
        boundary: Some(boundary.into()),
        no_fly: vec![],
    }
}

/// The geodesic area of features `indices` of a GeoJSON file, read with the `geojson` crate
/// (a parser independent of Vigil's) and measured on the WGS84 ellipsoid.
fn geodesic_area_of(path: &Path, indices: &[usize]) -> f64 {
    let text = std::fs::read_to_string(path).expect("read");
    let fc: geojson::FeatureCollection = text.parse().expect("geojson");
    indices
        .iter()
        .map(|&i| {
            let g = fc.features[i].geometry.clone().expect("geometry");
            let g: Geometry<f64> = g.try_into().expect("geo");
            match g {
                Geometry::Polygon(p) => p.geodesic_area_unsigned(),
                Geometry::MultiPolygon(mp) => mp.geodesic_area_unsigned(),
                other => panic!("not a polygon: {other:?}"),
            }
        })
        .sum()
}

fn rings(mp: &MultiPolygon<f64>) -> Vec<usize> {
    mp.0.iter().map(|p| p.interiors().len()).collect()
}

fn assert_area(venue: &Venue, want_m2: f64) {
    let got = venue.boundary.unsigned_area();
    assert!(
        (got - want_m2).abs() / want_m2 < 1e-3,
        "local area {got:.1} m² vs geodesic {want_m2:.1} m²"
    );
}

#[test]
fn birrarung_marr_imports_with_its_five_holes() {
    let Some(dir) = venues("birrarung_marr") else {
        return;
    };
    let path = dir.join("cityofmelbourne_parks_birrarung-marr.geojson");
    let v = read_venue(&path, &select("FEATURENAM=Birrarung Marr")).expect("import");
    assert_eq!(v.name, "Birrarung Marr");
    assert_eq!(rings(&v.boundary), vec![5]);
    assert_eq!(v.boundary.0[0].exterior().0.len(), 188);
    let want = geodesic_area_of(&path, &[4]);
    assert!((50_000.0..120_000.0).contains(&want), "{want}");
    assert_area(&v, want);
    assert!(v.warnings.is_empty(), "{:?}", v.warnings);

    // "Batman Park" names three features: together they make one venue.
    let v = read_venue(&path, &select("FEATURENAM=Batman Park")).expect("import");
    assert_area(&v, geodesic_area_of(&path, &[0, 1, 2]));

    // By index, with Federation Square (#9) as a no-fly zone that lies outside: nothing lost.
    let sel = Selection {
        boundary: Some("#4".into()),
        no_fly: vec!["FEATURENAM=Federation Square".into()],
    };
    let v = read_venue(&path, &sel).expect("import");
    assert_eq!(v.no_fly.len(), 1);
    assert_eq!(v.no_fly[0].name, "Federation Square");
    assert_area(&v, want);
}

#[test]
fn kirtipur_ground_imports_both_holed_multipolygons() {
    let Some(dir) = venues("kirtipur") else {
        return;
    };
    let path = dir.join("tu-cricket-ground-kirtipur_zones.geojson");
    let v = read_venue(&path, &select("name=GROUND")).expect("import");
    assert_eq!(rings(&v.boundary), vec![1]);
    assert_area(&v, geodesic_area_of(&path, &[7]));

    let v = read_venue(&path, &select("#17")).expect("import");
    assert_eq!(rings(&v.boundary), vec![11]);
    let want = geodesic_area_of(&path, &[17]);
    assert_area(&v, want);

    // The VIP and the team stands as no-fly zones: they come through with their names.
    let sel = Selection {
        boundary: Some("name=GROUND".into()),
        no_fly: vec!["name=VIP".into(), "name=TEAM STAND".into()],
    };
    let v = read_venue(&path, &sel).expect("import");
    let names: Vec<&str> = v.no_fly.iter().map(|z| z.name.as_str()).collect();
    assert_eq!(names, ["VIP", "TEAM STAND"]);
    for z in &v.no_fly {
        assert!(z.area.unsigned_area() > 10.0);
    }
}

#[test]
fn university_of_bath_campus_and_running_track_import() {
    let Some(dir) = venues("bath") else {
        return;
    };
    let path = dir.join("osm_university-of-bath_subset.geojson");
    // `name` lives in OpenStreetMap `tags`: the selector finds it there.
    let v = read_venue(&path, &select("name=University of Bath")).expect("import");
    assert_eq!(rings(&v.boundary), vec![0]);
    let want = geodesic_area_of(&path, &[6]);
    assert!(want > 100_000.0, "{want}");
    assert_area(&v, want);

    let v = read_venue(&path, &select("leisure=track")).expect("import");
    assert_eq!(rings(&v.boundary), vec![1]);
    assert_area(&v, geodesic_area_of(&path, &[4]));

    let v = read_venue(&path, &select("id=relation/1316419")).expect("import");
    assert_eq!(rings(&v.boundary), vec![1]);
    assert_area(&v, geodesic_area_of(&path, &[1]));
}

#[test]
fn purdue_stadium_and_residence_halls_import() {
    let Some(dir) = venues("purdue") else {
        return;
    };
    let path = dir.join("osm_purdue_stadiums_residence-halls_subset.geojson");
    let v = read_venue(&path, &select("name=Ross-Ade Stadium")).expect("import");
    assert_eq!(rings(&v.boundary), vec![0]);
    assert_area(&v, geodesic_area_of(&path, &[0]));

    let v = read_venue(&path, &select("@id=relation/12647862")).expect("import");
    assert_eq!(v.name, "Owen (Richard) Residence Hall (OWEN)");
    assert_eq!(rings(&v.boundary), vec![2]);
    assert_area(&v, geodesic_area_of(&path, &[3]));

    // The three residence halls at once: two of them touch and merge into one polygon with
    // both halls' courtyards (2 + 2 holes); nothing is counted twice.
    let v = read_venue(&path, &select("building=dormitory")).expect("import");
    let mut holes = rings(&v.boundary);
    holes.sort_unstable();
    assert_eq!(holes, vec![2, 4]);
    assert_area(&v, geodesic_area_of(&path, &[1, 2, 3]));
}

#[test]
fn qgc_kml_polygon_imports_as_the_only_polygon() {
    let Some(dir) = venues("kml") else {
        return;
    };
    let path = dir.join("qgc_PolygonGood.kml");
    let v = read_venue(&path, &Selection::default()).expect("import");
    assert_eq!(rings(&v.boundary), vec![0]);
    assert_eq!(v.boundary.0[0].exterior().0.len(), 5);
    // The same polygon, measured geodesically from its WGS84 coordinates.
    let wgs = geo_types::Polygon::new(
        geo_types::LineString::from(vec![
            (-122.1059149362712, 47.65965281788451),
            (-122.1044593196253, 47.66002598220988),
            (-122.1047336695092, 47.66034166158975),
            (-122.1061470943783, 47.6599810708829),
            (-122.1059149362712, 47.65965281788451),
        ]),
        vec![],
    );
    assert_area(&v, wgs.geodesic_area_unsigned());
    // By name and by index too.
    let v = read_venue(&path, &select("name=Untitled Polygon")).expect("import");
    assert_eq!(v.name, "Untitled Polygon");
    read_venue(&path, &select("#0")).expect("import by index");
}

#[test]
fn qgc_plan_geofence_gives_boundary_and_no_fly() {
    let Some(dir) = vigil::testdata::shared_data("plan_fence") else {
        return;
    };
    let path = dir.join("plan/qgc_custom_ce_geofence_outfield.plan");
    let v = read_venue(&path, &Selection::default()).expect("import");
    assert_eq!(rings(&v.boundary), vec![0]);
    assert_eq!(v.no_fly.len(), 1);
    assert!(v.boundary.unsigned_area() > 100.0);

    // A plan without a fence has no boundary, and says so.
    let path = dir.join("plan/qgc_SectionTest.plan");
    let err = read_venue(&path, &Selection::default()).expect_err("no fence");
    assert!(matches!(err, VenueError::NoBoundary { .. }), "{err}");
    assert!(
        err.to_string().contains("no inclusion polygon or circle"),
        "{err}"
    );
}

#[test]
fn a_role_less_file_without_selector_lists_its_polygons() {
    let Some(dir) = venues("no_selector") else {
        return;
    };
    let path = dir.join("cityofmelbourne_parks_birrarung-marr.geojson");
    let err = read_venue(&path, &Selection::default()).expect_err("needs a selector");
    let msg = err.to_string();
    assert!(msg.contains("--boundary"), "{msg}");
    assert!(msg.contains("#4 \"Birrarung Marr\""), "{msg}");

    let err = read_venue(&path, &select("FEATURENAM=Nowhere")).expect_err("no match");
    assert!(matches!(err, VenueError::NoMatch { .. }), "{err}");
    let err = read_venue(&path, &select("Birrarung")).expect_err("bad selector");
    assert!(matches!(err, VenueError::BadSelector { .. }), "{err}");
}

#[test]
fn bundled_samples_import_with_roles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let v = read_venue(
        &root.join("missions/stadium.geojson"),
        &Selection::default(),
    )
    .expect("stadium");
    assert_eq!(v.name, "Riverside Stadium precinct");
    assert_eq!(rings(&v.boundary), vec![1]);
    assert_eq!(v.cameras.len(), 14);
    assert_eq!(v.obstacles.len(), 6);
    assert_eq!(v.no_fly.len(), 1);
    assert_eq!(v.no_fly[0].margin_m, 5.0);
    assert_eq!(v.risk.len(), 2);
    assert_eq!(v.risk[0].level, 3);
    assert!(v.home.is_some());
    assert!(v.warnings.is_empty(), "{:?}", v.warnings);
    // About 460 m × 360 m.
    let area = v.boundary.unsigned_area();
    assert!((130_000.0..170_000.0).contains(&area), "{area}");

    let v = read_venue(&root.join("missions/park.geojson"), &Selection::default()).expect("park");
    assert_eq!(v.no_fly[0].name, "Lake");
    assert_eq!(v.risk[0].revisit_min, 15.0);
    assert_eq!(v.cameras.len(), 8);
    assert!(v.warnings.is_empty(), "{:?}", v.warnings);
    let b = vigil::area::blind_spots(&v);
    assert!(b.blind_share > 0.0 && b.blind_share < 1.0);
}

#[test]
fn seeded_cameras_on_a_real_venue_leave_blind_spots_inside_it() {
    use geo::BooleanOps;
    let Some(dir) = venues("seeded_real") else {
        return;
    };
    let path = dir.join("cityofmelbourne_parks_birrarung-marr.geojson");
    let mut v = read_venue(&path, &select("FEATURENAM=Birrarung Marr")).expect("import");
    v.cameras = vigil::area::seeded_cameras(&v, 12, 2026);
    assert_eq!(v.cameras.len(), 12);
    let b = vigil::area::blind_spots(&v);
    assert!(
        b.blind_share > 0.0 && b.blind_share < 1.0,
        "{}",
        b.blind_share
    );
    // Nothing blind or covered lies outside the boundary, and no blind spot is covered.
    assert!(b.regions.difference(&v.boundary).unsigned_area() < 0.01);
    assert!(b.covered.difference(&v.boundary).unsigned_area() < 0.01);
    assert!(b.regions.intersection(&b.covered).unsigned_area() < 0.01);
    // The park's five holes stay out of the venue area.
    assert!((b.venue_area_m2 - v.boundary.unsigned_area()).abs() < 0.01);
}

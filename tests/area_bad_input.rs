//! Venue import on bad and unusual input: each problem gives a typed error naming the file,
//! the feature, the field and the value (or a warning when the venue is still usable).

use std::io::Write;
use std::path::{Path, PathBuf};

use geo::{Area, Contains};
use geo_types::Point;
use vigil::area::{Selection, Venue, VenueError, read_venue};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write test file");
    p
}

fn read(path: &Path) -> Result<Venue, VenueError> {
    read_venue(path, &Selection::default())
}

/// A FeatureCollection of the given features (JSON text).
fn fc(features: &[&str]) -> String {
    format!(
        "{{\"type\": \"FeatureCollection\", \"features\": [{}]}}",
        features.join(",")
    )
}

const SQUARE: &str = r#"{"type": "Feature", "properties": {"role": "boundary", "name": "Square"},
 "geometry": {"type": "Polygon", "coordinates": [[[10.0, 50.0], [10.001, 50.0], [10.001, 50.001],
  [10.0, 50.001], [10.0, 50.0]]]}}"#;

fn camera(lon: f64, lat: f64, extra: &str) -> String {
    format!(
        r#"{{"type": "Feature", "properties": {{"role": "camera", "name": "Cam"{extra}}},
          "geometry": {{"type": "Point", "coordinates": [{lon}, {lat}]}}}}"#
    )
}

#[test]
fn malformed_json_reports_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(
        dir.path(),
        "bad.geojson",
        "{\n  \"type\": \"FeatureCollection\",\n  \"features\": [,]\n}",
    );
    let err = read(&p).expect_err("malformed");
    match &err {
        VenueError::Json { line, column, .. } => {
            assert_eq!((*line, *column), (3, 16));
        }
        other => panic!("wrong error: {other}"),
    }
    assert!(
        err.to_string()
            .starts_with(&format!("{}:3:16: malformed JSON", p.display()))
    );
}

#[test]
fn a_point_as_boundary_and_a_polygon_as_camera_are_wrong_geometry_types() {
    let dir = tempfile::tempdir().expect("tempdir");
    let point_boundary = r#"{"type": "Feature", "properties": {"role": "boundary", "name": "B"},
        "geometry": {"type": "Point", "coordinates": [10.0, 50.0]}}"#;
    let p = write(dir.path(), "a.geojson", &fc(&[point_boundary]));
    let msg = read(&p).expect_err("point boundary").to_string();
    assert!(msg.contains("feature #0 (\"B\")"), "{msg}");
    assert!(msg.contains("field `geometry.type` is \"Point\""), "{msg}");
    assert!(
        msg.contains("expected Polygon or MultiPolygon for a boundary"),
        "{msg}"
    );

    let polygon_camera = SQUARE.replace("\"boundary\"", "\"camera\"");
    let p = write(dir.path(), "b.geojson", &fc(&[SQUARE, &polygon_camera]));
    let msg = read(&p).expect_err("polygon camera").to_string();
    assert!(msg.contains("feature #1"), "{msg}");
    assert!(msg.contains("expected Point for a camera"), "{msg}");
}

#[test]
fn a_bow_tie_boundary_is_repaired_with_a_warning() {
    // (0,0) → (2,2) → (2,0) → (0,2): two triangles meeting at (1,1), each 1/4 of the square.
    let dir = tempfile::tempdir().expect("tempdir");
    let bow = r#"{"type": "Feature", "properties": {"role": "boundary", "name": "Bow"},
      "geometry": {"type": "Polygon", "coordinates": [[[10.0, 50.0], [10.002, 50.002],
      [10.002, 50.0], [10.0, 50.002], [10.0, 50.0]]]}}"#;
    let p = write(dir.path(), "bow.geojson", &fc(&[bow]));
    let v = read(&p).expect("repaired");
    assert_eq!(v.warnings.len(), 1, "{:?}", v.warnings);
    assert!(v.warnings[0].contains("feature #0 (\"Bow\")"));
    assert!(v.warnings[0].contains("self-intersecting"));
    assert_eq!(v.boundary.0.len(), 2);

    // The square with the same corners, for comparison: the bow tie is half of it.
    let sq = bow.replace(
        "[10.002, 50.002],\n      [10.002, 50.0]",
        "[10.002, 50.0],\n      [10.002, 50.002]",
    );
    let p = write(dir.path(), "sq.geojson", &fc(&[&sq]));
    let square = read(&p).expect("square");
    let ratio = v.boundary.unsigned_area() / square.boundary.unsigned_area();
    assert!((ratio - 0.5).abs() < 1e-3, "{ratio}");
}

#[test]
fn a_flat_ring_cannot_be_repaired() {
    let dir = tempfile::tempdir().expect("tempdir");
    let flat = r#"{"type": "Feature", "properties": {"role": "boundary", "name": "Line"},
      "geometry": {"type": "Polygon", "coordinates": [[[10.0, 50.0], [10.001, 50.0],
      [10.002, 50.0], [10.0, 50.0]]]}}"#;
    let p = write(dir.path(), "flat.geojson", &fc(&[flat]));
    let msg = read(&p).expect_err("flat").to_string();
    assert!(msg.contains("feature #0 (\"Line\")"), "{msg}");
    assert!(msg.contains("a polygon of zero area"), "{msg}");
}

#[test]
fn empty_polygons_and_short_rings_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = r#"{"type": "Feature", "properties": {"role": "boundary"},
      "geometry": {"type": "Polygon", "coordinates": []}}"#;
    let p = write(dir.path(), "e.geojson", &fc(&[empty]));
    let msg = read(&p).expect_err("empty").to_string();
    assert!(
        msg.contains("field `geometry.coordinates` is [] (an empty polygon)"),
        "{msg}"
    );

    let two = r#"{"type": "Feature", "properties": {"role": "boundary"},
      "geometry": {"type": "Polygon", "coordinates": [[[10.0, 50.0], [10.1, 50.0], [10.0, 50.0]]]}}"#;
    let p = write(dir.path(), "t.geojson", &fc(&[two]));
    let msg = read(&p).expect_err("two points").to_string();
    assert!(msg.contains("a ring of 2 distinct positions"), "{msg}");
    assert!(msg.contains("geometry.coordinates[0]"), "{msg}");

    let empty_multi = r#"{"type": "Feature", "properties": {"role": "boundary"},
      "geometry": {"type": "MultiPolygon", "coordinates": []}}"#;
    let p = write(dir.path(), "m.geojson", &fc(&[empty_multi]));
    assert!(read(&p).is_err());
}

#[test]
fn out_of_range_and_non_numeric_coordinates_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad_lat = SQUARE.replace("[10.001, 50.001]", "[10.001, 95.0]");
    let p = write(dir.path(), "lat.geojson", &fc(&[&bad_lat]));
    let msg = read(&p).expect_err("latitude").to_string();
    assert!(
        msg.contains("geometry.coordinates[0][2]` is latitude 95"),
        "{msg}"
    );
    assert!(
        msg.contains("expected a latitude in [-90, 90] degrees"),
        "{msg}"
    );

    let text = SQUARE.replace("[10.001, 50.001]", "[\"east\", 50.001]");
    let p = write(dir.path(), "str.geojson", &fc(&[&text]));
    let msg = read(&p).expect_err("string").to_string();
    assert!(msg.contains("[\"east\",50.001]"), "{msg}");

    // JSON has no NaN, but KML text does.
    let kml = r#"<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>P</name><Polygon>
<outerBoundaryIs><LinearRing><coordinates>10,50,0 NaN,50,0 10.001,50.001,0 10,50,0</coordinates>
</LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>"#;
    let p = write(dir.path(), "nan.kml", kml);
    let msg = read(&p).expect_err("NaN").to_string();
    assert!(msg.contains("feature #0 (\"P\")"), "{msg}");
    assert!(msg.contains("longitude NaN"), "{msg}");
}

#[test]
fn a_camera_outside_the_boundary_is_a_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cam = camera(
        10.01,
        50.0005,
        r#", "heading_deg": 270, "hfov_deg": 60, "range_m": 40"#,
    );
    let p = write(dir.path(), "cam.geojson", &fc(&[SQUARE, &cam]));
    let v = read(&p).expect("usable");
    assert_eq!(v.cameras.len(), 1);
    assert_eq!(v.warnings.len(), 1);
    assert!(v.warnings[0].contains("camera \"Cam\""), "{:?}", v.warnings);
    assert!(v.warnings[0].contains("outside the boundary"));
}

#[test]
fn camera_fields_are_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cam = camera(10.0005, 50.0005, r#", "heading_deg": 90, "range_m": 40"#);
    let p = write(dir.path(), "c1.geojson", &fc(&[SQUARE, &cam]));
    let msg = read(&p).expect_err("no fov").to_string();
    assert!(
        msg.contains("field `properties.hfov_deg` is missing"),
        "{msg}"
    );

    let cam = camera(
        10.0005,
        50.0005,
        r#", "heading_deg": 90, "hfov_deg": -5, "range_m": 40"#,
    );
    let p = write(dir.path(), "c2.geojson", &fc(&[SQUARE, &cam]));
    let msg = read(&p).expect_err("negative fov").to_string();
    assert!(msg.contains("field `properties.hfov_deg` is -5"), "{msg}");

    let cam = camera(
        10.0005,
        50.0005,
        r#", "heading_deg": "east", "hfov_deg": 5, "range_m": 4"#,
    );
    let p = write(dir.path(), "c3.geojson", &fc(&[SQUARE, &cam]));
    let msg = read(&p).expect_err("text heading").to_string();
    assert!(
        msg.contains("field `properties.heading_deg` is \"east\"; expected a number"),
        "{msg}"
    );
}

#[test]
fn unknown_roles_and_projected_crs_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let typo = SQUARE.replace("\"boundary\"", "\"no-fly\"");
    let p = write(dir.path(), "role.geojson", &fc(&[&typo]));
    let msg = read(&p).expect_err("role").to_string();
    assert!(
        msg.contains("field `properties.role` is \"no-fly\"; expected one of"),
        "{msg}"
    );

    let text = format!(
        r#"{{"type": "FeatureCollection", "crs": {{"type": "name", "properties": {{"name":
        "urn:ogc:def:crs:EPSG::3857"}}}}, "features": [{SQUARE}]}}"#
    );
    let p = write(dir.path(), "crs.geojson", &text);
    let msg = read(&p).expect_err("crs").to_string();
    assert!(msg.contains("EPSG::3857"), "{msg}");
}

#[test]
fn a_file_over_the_size_limit_is_refused_unread() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("huge.geojson");
    let f = std::fs::File::create(&p).expect("create");
    // A sparse file: no disk is used, but its size is over the limit.
    f.set_len(vigil::area::MAX_FILE_BYTES + 1).expect("set_len");
    let err = read(&p).expect_err("too large");
    assert!(matches!(err, VenueError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("expected at most 67108864 bytes"));
}

#[test]
fn unknown_extensions_and_missing_files_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "venue.shp", "x");
    assert!(matches!(read(&p), Err(VenueError::UnknownFormat { .. })));
    let missing = dir.path().join("missing.geojson");
    assert!(matches!(read(&missing), Err(VenueError::Io { .. })));
}

#[test]
fn three_d_coordinates_and_bare_geometries_are_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = r#"{"type": "Polygon", "coordinates": [[[10.0, 50.0, 120.5], [10.001, 50.0, 121],
      [10.001, 50.001, 119], [10.0, 50.001, 0], [10.0, 50.0, 120.5]]]}"#;
    let p = write(dir.path(), "bare.geojson", text);
    let v = read(&p).expect("bare polygon");
    // 0.001° × 0.001° at 50° N: about 71.7 m × 111.2 m.
    let area = v.boundary.unsigned_area();
    assert!((7_900.0..8_050.0).contains(&area), "{area}");
}

const KML_WITH_ROLES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><name>Venue</name>
<Placemark><name>Yard</name>
 <ExtendedData><Data name="role"><value>boundary</value></Data></ExtendedData>
 <Polygon><outerBoundaryIs><LinearRing><coordinates>
  10,50,5 10.002,50,5 10.002,50.002,5 10,50.002,5 10,50,5
 </coordinates></LinearRing></outerBoundaryIs>
 <innerBoundaryIs><LinearRing><coordinates>
  10.0005,50.0005 10.0015,50.0005 10.0015,50.0015 10.0005,50.0015 10.0005,50.0005
 </coordinates></LinearRing></innerBoundaryIs></Polygon></Placemark>
<Placemark><name>Mast cam</name>
 <ExtendedData><Data name="role"><value>camera</value></Data>
  <Data name="heading_deg"><value>45</value></Data><Data name="hfov_deg"><value>90</value></Data>
  <Data name="range_m"><value>50</value></Data></ExtendedData>
 <Point><coordinates>10.0001,50.0001,0</coordinates></Point></Placemark>
</Folder></Document></kml>"#;

#[test]
fn kml_roles_from_extended_data_and_holes_are_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "roles.kml", KML_WITH_ROLES);
    let v = read(&p).expect("kml");
    assert_eq!(v.name, "Yard");
    assert_eq!(v.boundary.0.len(), 1);
    assert_eq!(v.boundary.0[0].interiors().len(), 1);
    assert_eq!(v.cameras.len(), 1);
    assert_eq!(v.cameras[0].hfov_deg, 90.0);
    // The hole is a quarter of the square's area.
    let outer = geo_types::Polygon::new(v.boundary.0[0].exterior().clone(), vec![]);
    let ratio = v.boundary.unsigned_area() / outer.unsigned_area();
    assert!((ratio - 0.75).abs() < 1e-3, "{ratio}");
}

#[test]
fn kmz_archives_are_read_and_garbage_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("venue.kmz");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&p).expect("create"));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("doc.kml", opts).expect("start");
    zip.write_all(KML_WITH_ROLES.as_bytes()).expect("write");
    zip.finish().expect("finish");
    let v = read(&p).expect("kmz");
    assert_eq!(v.boundary.0[0].interiors().len(), 1);

    let g = write(dir.path(), "garbage.kmz", "PK not really a zip");
    let msg = read(&g).expect_err("garbage").to_string();
    assert!(msg.contains("malformed KMZ"), "{msg}");
}

#[test]
fn plan_fence_circles_and_old_polygons_are_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let v2 = r#"{"fileType": "Plan", "version": 1, "geoFence": {"version": 2,
      "polygons": [],
      "circles": [
        {"inclusion": true, "version": 1, "circle": {"center": [47.0, 8.0], "radius": 100}},
        {"inclusion": false, "version": 1, "circle": {"center": [47.0, 8.0], "radius": 20}}]}}"#;
    let p = write(dir.path(), "circles.plan", v2);
    let v = read(&p).expect("plan");
    let want = std::f64::consts::PI * 100.0 * 100.0;
    assert!((v.boundary.unsigned_area() - want).abs() / want < 1e-3);
    assert_eq!(v.no_fly.len(), 1);
    assert!(v.no_fly[0].area.contains(&Point::new(0.0, 0.0)));
    let blind = vigil::area::blind_spots(&v);
    let ring_m2 = std::f64::consts::PI * (100.0f64.powi(2) - 20.0f64.powi(2));
    assert!((blind.venue_area_m2 - ring_m2).abs() / ring_m2 < 1e-3);

    let v1 = r#"{"fileType": "Plan", "geoFence": {"version": 1,
      "polygon": [[47.0, 8.0], [47.0, 8.001], [47.001, 8.001], [47.001, 8.0]]}}"#;
    let p = write(dir.path(), "old.plan", v1);
    let v = read(&p).expect("v1 plan");
    assert_eq!(v.boundary.0[0].exterior().0.len(), 5);

    let bad = v2.replace("\"radius\": 20", "\"radius\": -3");
    let p = write(dir.path(), "bad.plan", &bad);
    let msg = read(&p).expect_err("radius").to_string();
    assert!(
        msg.contains("geoFence.circles[1]: field `geoFence.circles[1].circle.radius` is -3"),
        "{msg}"
    );
}

#[test]
fn kml_cut_short_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cut = &KML_WITH_ROLES[..KML_WITH_ROLES.find("</Polygon>").expect("polygon end")];
    let p = write(dir.path(), "cut.kml", cut);
    let msg = read(&p).expect_err("cut short").to_string();
    assert!(msg.contains("malformed KML"), "{msg}");
    assert!(msg.contains("the file ends inside <Polygon>"), "{msg}");

    let p = write(
        dir.path(),
        "mismatch.kml",
        "<kml>\n<Document></Folder></kml>",
    );
    let msg = read(&p).expect_err("mismatched").to_string();
    assert!(msg.contains("line 2"), "{msg}");
}

#[test]
fn kml_multigeometry_polygons_form_one_boundary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let kml = r#"<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>Two lots</name><MultiGeometry>
<Polygon><outerBoundaryIs><LinearRing><coordinates>
 10,50 10.001,50 10.001,50.001 10,50.001 10,50</coordinates></LinearRing></outerBoundaryIs></Polygon>
<Polygon><outerBoundaryIs><LinearRing><coordinates>
 10.002,50 10.003,50 10.003,50.001 10.002,50.001 10.002,50</coordinates></LinearRing></outerBoundaryIs></Polygon>
</MultiGeometry></Placemark></kml>"#;
    let p = write(dir.path(), "lots.kml", kml);
    let v = read(&p).expect("multigeometry");
    assert_eq!(v.boundary.0.len(), 2);
    let ratio = v.boundary.0[0].unsigned_area() / v.boundary.0[1].unsigned_area();
    assert!((ratio - 1.0).abs() < 1e-3, "{ratio}");
}

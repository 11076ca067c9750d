//! Home from a venue file: the GeoJSON feature whose `role` is `home` (a Point, optional
//! `alt_m`), or the centre of the first `boundary` (of the first polygon in a file without
//! roles) when the venue has no home.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::geodesy::GeoPoint;

/// Why a venue gave no home.
#[derive(Debug, thiserror::Error)]
pub enum VenueError {
    /// The file could not be read.
    #[error("{path}: cannot read")]
    Read {
        /// The venue file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not JSON.
    #[error("{path}: line {line}, column {column}: not JSON: {message}")]
    Json {
        /// The venue file.
        path: PathBuf,
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// A feature is malformed.
    #[error("{path}: feature {index}: {field} is {value}, expected {expected}")]
    Feature {
        /// The venue file.
        path: PathBuf,
        /// Index of the feature in `features`.
        index: usize,
        /// The field at fault.
        field: &'static str,
        /// What it held.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// Neither a home nor a polygon.
    #[error(
        "{path}: no feature with role \"home\" (a Point) and no polygon; give --home LAT,LON,ALT"
    )]
    NoHome {
        /// The venue file.
        path: PathBuf,
    },
}

fn lon_lat(
    path: &Path,
    index: usize,
    field: &'static str,
    v: &Value,
) -> Result<(f64, f64), VenueError> {
    let bad = || VenueError::Feature {
        path: path.to_path_buf(),
        index,
        field,
        value: v.to_string().chars().take(60).collect(),
        expected: "[longitude, latitude] in degrees",
    };
    let a = v.as_array().ok_or_else(bad)?;
    let lon = a.first().and_then(Value::as_f64).ok_or_else(bad)?;
    let lat = a.get(1).and_then(Value::as_f64).ok_or_else(bad)?;
    if !(lat.abs() <= 90.0 && lon.abs() <= 180.0) {
        return Err(bad());
    }
    Ok((lon, lat))
}

/// Home of the venue in `text` (read from `path`, named in errors).
pub fn home_from_geojson(path: &Path, text: &str) -> Result<GeoPoint, VenueError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| VenueError::Json {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let role = |f: &Value| {
        f.pointer("/properties/role")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };

    for (index, f) in features.iter().enumerate() {
        if role(f).as_deref() != Some("home") {
            continue;
        }
        let kind = f
            .pointer("/geometry/type")
            .and_then(Value::as_str)
            .unwrap_or("");
        if kind != "Point" {
            return Err(VenueError::Feature {
                path: path.to_path_buf(),
                index,
                field: "geometry.type",
                value: kind.to_owned(),
                expected: "Point",
            });
        }
        let coords = f
            .pointer("/geometry/coordinates")
            .cloned()
            .unwrap_or(Value::Null);
        let (lon, lat) = lon_lat(path, index, "geometry.coordinates", &coords)?;
        let alt = match f.pointer("/properties/alt_m") {
            None | Some(Value::Null) => 0.0,
            Some(v) => v.as_f64().ok_or_else(|| VenueError::Feature {
                path: path.to_path_buf(),
                index,
                field: "properties.alt_m",
                value: v.to_string(),
                expected: "a number of metres above mean sea level",
            })?,
        };
        return Ok(GeoPoint::new(lat, lon, alt));
    }

    // No home: the mean of the first boundary's outer ring; in a file without roles (plain
    // GIS output), of the first polygon.
    let has_boundary = features
        .iter()
        .any(|f| role(f).as_deref() == Some("boundary"));
    for (index, f) in features.iter().enumerate() {
        if has_boundary && role(f).as_deref() != Some("boundary") {
            continue;
        }
        let ring = match f.pointer("/geometry/type").and_then(Value::as_str) {
            Some("Polygon") => f.pointer("/geometry/coordinates/0"),
            Some("MultiPolygon") => f.pointer("/geometry/coordinates/0/0"),
            _ => None,
        };
        let points = ring.and_then(Value::as_array).cloned().unwrap_or_default();
        let mut sum = (0.0, 0.0);
        for p in &points {
            let (lon, lat) = lon_lat(path, index, "geometry.coordinates", p)?;
            sum.0 += lon;
            sum.1 += lat;
        }
        if !points.is_empty() {
            let n = points.len() as f64;
            return Ok(GeoPoint::new(sum.1 / n, sum.0 / n, 0.0));
        }
    }
    Err(VenueError::NoHome {
        path: path.to_path_buf(),
    })
}

/// Home of the venue file at `path`.
pub fn home_from_file(path: &Path) -> Result<GeoPoint, VenueError> {
    let text = std::fs::read_to_string(path).map_err(|source| VenueError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    home_from_geojson(path, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_point_with_altitude() {
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"role":"boundary"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
            {"type":"Feature","properties":{"role":"home","alt_m":584.5},"geometry":{"type":"Point","coordinates":[149.165,-35.363]}}]}"#;
        let home = home_from_geojson(Path::new("v.geojson"), text).expect("home");
        assert_eq!(home, GeoPoint::new(-35.363, 149.165, 584.5));
    }

    #[test]
    fn boundary_centre_when_no_home() {
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"role":"boundary"},"geometry":{"type":"Polygon","coordinates":[[[10,20],[12,20],[12,22],[10,22]]]}}]}"#;
        let home = home_from_geojson(Path::new("v.geojson"), text).expect("home");
        assert_eq!(home, GeoPoint::new(21.0, 11.0, 0.0));
    }

    #[test]
    fn errors_name_the_feature_and_field() {
        let text = r#"{"features":[{"properties":{"role":"home"},"geometry":{"type":"LineString","coordinates":[]}}]}"#;
        let err = home_from_geojson(Path::new("v.geojson"), text)
            .expect_err("must fail")
            .to_string();
        assert_eq!(
            err,
            "v.geojson: feature 0: geometry.type is LineString, expected Point"
        );
        let err = home_from_geojson(Path::new("v.geojson"), "{")
            .expect_err("must fail")
            .to_string();
        assert!(err.starts_with("v.geojson: line 1"), "{err}");
        let err = home_from_geojson(Path::new("v.geojson"), r#"{"features":[]}"#)
            .expect_err("no home")
            .to_string();
        assert!(err.contains("no feature with role \"home\""), "{err}");
    }

    #[test]
    fn real_venue_without_roles_gives_the_first_polygon_centre() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/venues");
        let path = dir.join("cityofmelbourne_parks_birrarung-marr.geojson");
        if !path.exists() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "shared data missing under CI: {}",
                path.display()
            );
            println!("skipped: {} not found", path.display());
            return;
        }
        let home = home_from_file(&path).expect("a home");
        // Birrarung Marr, Melbourne: the park by the Yarra.
        assert!(
            (home.lat_deg + 37.82).abs() < 0.01 && (home.lon_deg - 144.97).abs() < 0.02,
            "{home:?}"
        );
        assert_eq!(home.alt_m, 0.0);
    }
}

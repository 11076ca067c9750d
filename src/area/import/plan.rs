//! The geofence of a QGC `.plan`: inclusion polygons and circles become the boundary, exclusion
//! polygons and circles become no-fly zones. Both the old (`polygon`, version 1) and the new
//! (`polygons`/`circles`, version 2) `geoFence` schemas are read.

use std::path::Path;

use geo::{Destination, Geodesic};
use geo_types::{Coord, MultiPolygon, Point, Polygon};
use serde_json::{Map, Value};

use super::geojson::kind;
use super::{RawFeature, RawGeometry, check_position, ring};
use crate::area::{FeatureRef, VenueError};

/// Segments of the polygon standing for a fence circle: area within 0.05 % of the circle's.
const CIRCLE_SEGMENTS: usize = 128;

/// True when a JSON document is a QGC plan (`"fileType": "Plan"`).
pub(super) fn looks_like_plan(root: &Value) -> bool {
    root.get("fileType").and_then(Value::as_str) == Some("Plan")
}

/// The fence polygons and circles of a plan, with roles set from their inclusion flag.
pub(super) fn features(path: &Path, root: &Value) -> Result<Vec<RawFeature>, VenueError> {
    let file = FeatureRef::file();
    let fence = match root.get("geoFence") {
        Some(f @ Value::Object(_)) => f,
        other => {
            return Err(VenueError::invalid(
                path,
                &file,
                "geoFence",
                other.map_or("missing".into(), kind),
                "a geoFence object with inclusion polygons or circles",
            ));
        }
    };
    let mut out = Vec::new();

    // Version 1: one inclusion polygon under `polygon`.
    if let Some(v) = fence.get("polygon") {
        let here = FeatureRef::at("geoFence.polygon");
        let poly = lat_lon_polygon(path, &here, "geoFence.polygon", v)?;
        if let Some(poly) = poly {
            out.push(raw(out.len(), "geoFence.polygon", true, poly));
        }
    }

    if let Some(v) = fence.get("polygons") {
        let list = v.as_array().ok_or_else(|| {
            VenueError::invalid(path, &file, "geoFence.polygons", kind(v), "an array")
        })?;
        for (i, item) in list.iter().enumerate() {
            let loc = format!("geoFence.polygons[{i}]");
            let here = FeatureRef::at(loc.clone());
            let inclusion = inclusion_flag(path, &here, &loc, item)?;
            let field = format!("{loc}.polygon");
            let coords = item.get("polygon").ok_or_else(|| {
                VenueError::invalid(path, &here, &field, "missing", "an array of [lat, lon]")
            })?;
            let Some(poly) = lat_lon_polygon(path, &here, &field, coords)? else {
                return Err(VenueError::invalid(
                    path,
                    &here,
                    field,
                    "[] (an empty polygon)",
                    "at least 3 vertices",
                ));
            };
            out.push(raw(out.len(), &loc, inclusion, poly));
        }
    }

    if let Some(v) = fence.get("circles") {
        let list = v.as_array().ok_or_else(|| {
            VenueError::invalid(path, &file, "geoFence.circles", kind(v), "an array")
        })?;
        for (i, item) in list.iter().enumerate() {
            let loc = format!("geoFence.circles[{i}]");
            let here = FeatureRef::at(loc.clone());
            let inclusion = inclusion_flag(path, &here, &loc, item)?;
            let poly = circle(path, &here, &loc, item)?;
            out.push(raw(out.len(), &loc, inclusion, poly));
        }
    }
    Ok(out)
}

fn raw(index: usize, location: &str, inclusion: bool, poly: Polygon<f64>) -> RawFeature {
    let mut properties = Map::new();
    let role = if inclusion { "boundary" } else { "no_fly" };
    properties.insert("role".into(), Value::String(role.into()));
    properties.insert("name".into(), Value::String(location.into()));
    RawFeature {
        index,
        location: Some(location.to_owned()),
        id: None,
        properties,
        geometry: RawGeometry::Polygons(MultiPolygon::new(vec![poly])),
    }
}

fn inclusion_flag(
    path: &Path,
    here: &FeatureRef,
    loc: &str,
    item: &Value,
) -> Result<bool, VenueError> {
    match item.get("inclusion") {
        Some(Value::Bool(b)) => Ok(*b),
        other => Err(VenueError::invalid(
            path,
            here,
            format!("{loc}.inclusion"),
            other.map_or("missing".into(), kind),
            "true or false",
        )),
    }
}

fn lat_lon(
    path: &Path,
    here: &FeatureRef,
    field: &str,
    v: &Value,
) -> Result<Coord<f64>, VenueError> {
    let pair = v.as_array().filter(|a| a.len() >= 2);
    match pair.map(|a| (a[0].as_f64(), a[1].as_f64())) {
        Some((Some(lat), Some(lon))) => check_position(path, here, field, lon, lat),
        _ => Err(VenueError::invalid(
            path,
            here,
            field,
            kind(v),
            "a position [latitude, longitude] of numbers",
        )),
    }
}

/// A `[[lat, lon], ...]` ring; `None` when the array is empty (QGC writes `[]` for no fence).
fn lat_lon_polygon(
    path: &Path,
    here: &FeatureRef,
    field: &str,
    v: &Value,
) -> Result<Option<Polygon<f64>>, VenueError> {
    let list = v
        .as_array()
        .ok_or_else(|| VenueError::invalid(path, here, field, kind(v), "an array of [lat, lon]"))?;
    if list.is_empty() {
        return Ok(None);
    }
    let coords = list
        .iter()
        .enumerate()
        .map(|(k, p)| lat_lon(path, here, &format!("{field}[{k}]"), p))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Polygon::new(ring(path, here, field, coords)?, vec![])))
}

fn circle(
    path: &Path,
    here: &FeatureRef,
    loc: &str,
    item: &Value,
) -> Result<Polygon<f64>, VenueError> {
    let field = format!("{loc}.circle");
    let c = item.get("circle").ok_or_else(|| {
        VenueError::invalid(
            path,
            here,
            &field,
            "missing",
            "{center: [lat, lon], radius}",
        )
    })?;
    let centre_field = format!("{field}.center");
    let centre = lat_lon(
        path,
        here,
        &centre_field,
        c.get("center").unwrap_or(&Value::Null),
    )?;
    let radius_m = c.get("radius").and_then(Value::as_f64);
    let radius_m = match radius_m {
        Some(r) if r.is_finite() && r > 0.0 && r <= 100_000.0 => r,
        _ => {
            return Err(VenueError::invalid(
                path,
                here,
                format!("{field}.radius"),
                c.get("radius").map_or("missing".into(), kind),
                "a radius in metres, above 0 and at most 100 000",
            ));
        }
    };
    let origin = Point(centre);
    let coords: Vec<Coord<f64>> = (0..CIRCLE_SEGMENTS)
        .map(|k| {
            let bearing_deg = 360.0 * k as f64 / CIRCLE_SEGMENTS as f64;
            Geodesic.destination(origin, bearing_deg, radius_m).0
        })
        .collect();
    Ok(Polygon::new(ring(path, here, &field, coords)?, vec![]))
}

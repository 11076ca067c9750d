//! GeoJSON venue reader (RFC 7946; the older `crs` member is accepted when it names WGS84).

use std::path::Path;

use geo_types::{Coord, MultiPolygon, Point, Polygon};
use serde_json::{Map, Value};

use super::{RawFeature, RawGeometry, check_position, ring};
use crate::area::{FeatureRef, VenueError};

/// Names of coordinate reference systems that mean longitude/latitude on WGS84.
const WGS84_CRS: [&str; 4] = [
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "EPSG:4326",
    "urn:ogc:def:crs:EPSG::4326",
];

/// The features of a GeoJSON FeatureCollection, Feature or bare geometry.
pub(super) fn features(path: &Path, root: &Value) -> Result<Vec<RawFeature>, VenueError> {
    let file = FeatureRef::file();
    let obj = root.as_object().ok_or_else(|| {
        VenueError::invalid(path, &file, "(root)", kind(root), "a GeoJSON object")
    })?;
    check_crs(path, obj)?;
    let ty = obj.get("type").and_then(Value::as_str).unwrap_or("");
    match ty {
        "FeatureCollection" => {
            let list = obj
                .get("features")
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    VenueError::invalid(
                        path,
                        &file,
                        "features",
                        obj.get("features").map_or("missing".into(), kind),
                        "an array of features",
                    )
                })?;
            list.iter()
                .enumerate()
                .map(|(i, f)| feature(path, i, f))
                .collect()
        }
        "Feature" => Ok(vec![feature(path, 0, root)?]),
        "Polygon" | "MultiPolygon" | "Point" => {
            let geometry = geometry(path, &FeatureRef::feature(0, None), root)?;
            Ok(vec![RawFeature {
                index: 0,
                location: None,
                id: None,
                properties: Map::new(),
                geometry,
            }])
        }
        _ => Err(VenueError::invalid(
            path,
            &file,
            "type",
            obj.get("type").map_or("missing".into(), kind),
            "\"FeatureCollection\", \"Feature\" or a Polygon geometry",
        )),
    }
}

fn check_crs(path: &Path, obj: &Map<String, Value>) -> Result<(), VenueError> {
    let Some(crs) = obj.get("crs") else {
        return Ok(());
    };
    if crs.is_null() {
        return Ok(());
    }
    let name = crs
        .get("properties")
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str);
    match name {
        Some(n) if WGS84_CRS.contains(&n) => Ok(()),
        _ => Err(VenueError::invalid(
            path,
            &FeatureRef::file(),
            "crs.properties.name",
            name.map_or_else(|| crs.to_string(), |n| format!("{n:?}")),
            "WGS84 longitude/latitude (urn:ogc:def:crs:OGC:1.3:CRS84); reproject the file",
        )),
    }
}

/// A short description of a JSON value for error messages.
pub(super) fn kind(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 60 {
        let cut = (0..=60).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
        format!("{}…", &s[..cut])
    } else {
        s
    }
}

fn feature(path: &Path, index: usize, v: &Value) -> Result<RawFeature, VenueError> {
    let here = FeatureRef::feature(index, None);
    let obj = v.as_object().ok_or_else(|| {
        VenueError::invalid(path, &here, "(feature)", kind(v), "a GeoJSON Feature")
    })?;
    let properties = match obj.get("properties") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(other) => {
            return Err(VenueError::invalid(
                path,
                &here,
                "properties",
                kind(other),
                "an object or null",
            ));
        }
    };
    let mut raw = RawFeature {
        index,
        location: None,
        id: obj.get("id").cloned(),
        properties,
        geometry: RawGeometry::None,
    };
    let here = raw.reference();
    raw.geometry = match obj.get("geometry") {
        None | Some(Value::Null) => RawGeometry::None,
        Some(g) => geometry(path, &here, g)?,
    };
    Ok(raw)
}

fn geometry(path: &Path, here: &FeatureRef, g: &Value) -> Result<RawGeometry, VenueError> {
    let ty = g.get("type").and_then(Value::as_str).ok_or_else(|| {
        VenueError::invalid(
            path,
            here,
            "geometry.type",
            g.get("type").map_or("missing".into(), kind),
            "a GeoJSON geometry type",
        )
    })?;
    if ty == "GeometryCollection" {
        return Ok(RawGeometry::Other(ty.to_owned()));
    }
    let coords = g.get("coordinates").ok_or_else(|| {
        VenueError::invalid(path, here, "geometry.coordinates", "missing", "coordinates")
    })?;
    match ty {
        "Point" => {
            let c = position(path, here, "geometry.coordinates", coords)?;
            Ok(RawGeometry::Point(Point(c)))
        }
        "Polygon" => Ok(RawGeometry::Polygons(MultiPolygon::new(vec![polygon(
            path,
            here,
            "geometry.coordinates",
            coords,
        )?]))),
        "MultiPolygon" => {
            let list = array(
                path,
                here,
                "geometry.coordinates",
                coords,
                "an array of polygons",
            )?;
            let polys = list
                .iter()
                .enumerate()
                .map(|(i, p)| polygon(path, here, &format!("geometry.coordinates[{i}]"), p))
                .collect::<Result<Vec<_>, _>>()?;
            if polys.is_empty() {
                return Err(VenueError::invalid(
                    path,
                    here,
                    "geometry.coordinates",
                    "[]",
                    "at least one polygon",
                ));
            }
            Ok(RawGeometry::Polygons(MultiPolygon::new(polys)))
        }
        "LineString" | "MultiLineString" | "MultiPoint" => Ok(RawGeometry::Other(ty.to_owned())),
        other => Err(VenueError::invalid(
            path,
            here,
            "geometry.type",
            format!("{other:?}"),
            "a GeoJSON geometry type (Point, Polygon, MultiPolygon...)",
        )),
    }
}

fn array<'a>(
    path: &Path,
    here: &FeatureRef,
    field: &str,
    v: &'a Value,
    expected: &str,
) -> Result<&'a Vec<Value>, VenueError> {
    v.as_array()
        .ok_or_else(|| VenueError::invalid(path, here, field, kind(v), expected))
}

fn position(
    path: &Path,
    here: &FeatureRef,
    field: &str,
    v: &Value,
) -> Result<Coord<f64>, VenueError> {
    let a = array(path, here, field, v, "a position [longitude, latitude]")?;
    // A third number (altitude) and beyond are allowed and ignored.
    match (
        a.first().and_then(Value::as_f64),
        a.get(1).and_then(Value::as_f64),
    ) {
        (Some(lon), Some(lat)) if a.iter().all(Value::is_number) => {
            check_position(path, here, field, lon, lat)
        }
        _ => Err(VenueError::invalid(
            path,
            here,
            field,
            kind(v),
            "a position [longitude, latitude] of numbers",
        )),
    }
}

fn polygon(
    path: &Path,
    here: &FeatureRef,
    field: &str,
    v: &Value,
) -> Result<Polygon<f64>, VenueError> {
    let rings = array(path, here, field, v, "an array of linear rings")?;
    if rings.is_empty() {
        return Err(VenueError::invalid(
            path,
            here,
            field,
            "[] (an empty polygon)",
            "at least an exterior ring",
        ));
    }
    let mut out = Vec::with_capacity(rings.len());
    for (r, ring_v) in rings.iter().enumerate() {
        let ring_field = format!("{field}[{r}]");
        let positions = array(path, here, &ring_field, ring_v, "an array of positions")?;
        let coords = positions
            .iter()
            .enumerate()
            .map(|(k, p)| position(path, here, &format!("{ring_field}[{k}]"), p))
            .collect::<Result<Vec<_>, _>>()?;
        out.push(ring(path, here, &ring_field, coords)?);
    }
    let exterior = out.remove(0);
    Ok(Polygon::new(exterior, out))
}

//! KML and KMZ venue reader: every Placemark is a feature, its `name`, `description` and
//! `ExtendedData` become properties (so a `role` can be given there too).

use std::io::Read;
use std::path::Path;

use geo_types::{Coord, MultiPolygon, Point, Polygon};
use kml::Kml;
use kml::types::{Element, Geometry, LinearRing, Placemark};
use serde_json::{Map, Value};

use super::{MAX_FILE_BYTES, RawFeature, RawGeometry, check_position, ring};
use crate::area::{FeatureRef, VenueError};

/// The placemarks of a KML document.
pub(super) fn features_from_kml(path: &Path, bytes: &[u8]) -> Result<Vec<RawFeature>, VenueError> {
    let text = std::str::from_utf8(bytes).map_err(|e| VenueError::Kml {
        path: path.to_owned(),
        format: "KML",
        message: format!("not UTF-8 text: {e}"),
    })?;
    check_well_formed(path, text)?;
    let root: Kml<f64> = text.parse().map_err(|e: kml::Error| VenueError::Kml {
        path: path.to_owned(),
        format: "KML",
        message: e.to_string(),
    })?;
    let mut out = Vec::new();
    walk(path, &root, &mut out)?;
    Ok(out)
}

/// Checks that the XML is well formed before the KML reader sees it: the reader expects every
/// element it opens to be closed, and loops forever on a file cut short.
fn check_well_formed(path: &Path, text: &str) -> Result<(), VenueError> {
    use quick_xml::events::Event;
    let bad = |message: String| VenueError::Kml {
        path: path.to_owned(),
        format: "KML",
        message,
    };
    let line_of = |pos: u64| {
        let pos = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
        text.as_bytes()[..pos]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    };
    let mut reader = quick_xml::Reader::from_str(text);
    let mut open: Vec<String> = Vec::new();
    let mut elements = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                elements += 1;
                open.push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
            }
            Ok(Event::End(_)) => {
                open.pop();
            }
            Ok(Event::Empty(_)) => elements += 1,
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                let line = line_of(reader.error_position());
                return Err(bad(format!("line {line}: {e}")));
            }
        }
    }
    if let Some(name) = open.last() {
        return Err(bad(format!(
            "the file ends inside <{name}> (line {}); expected </{name}>",
            line_of(reader.buffer_position())
        )));
    }
    if elements == 0 {
        return Err(bad("no XML elements; expected a <kml> document".into()));
    }
    Ok(())
}

/// The placemarks of the KML document inside a KMZ archive (`doc.kml`, or its first `.kml`).
pub(super) fn features_from_kmz(path: &Path, bytes: &[u8]) -> Result<Vec<RawFeature>, VenueError> {
    let bad = |message: String| VenueError::Kml {
        path: path.to_owned(),
        format: "KMZ",
        message,
    };
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.map(|n| n.into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|e| bad(e.to_string()))?;
    let entry = names
        .iter()
        .find(|n| n.eq_ignore_ascii_case("doc.kml"))
        .or_else(|| {
            names
                .iter()
                .find(|n| n.to_ascii_lowercase().ends_with(".kml"))
        })
        .cloned()
        .ok_or_else(|| bad("the archive holds no .kml document".into()))?;
    let file = archive.by_name(&entry).map_err(|e| bad(e.to_string()))?;

    // The archive's own size claim can lie: read at most one byte over the limit and check.
    let mut kml_bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut kml_bytes)
        .map_err(|e| bad(format!("{entry}: {e}")))?;
    if kml_bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(VenueError::TooLarge {
            path: path.join(&entry),
            size_bytes: kml_bytes.len() as u64,
            limit_bytes: MAX_FILE_BYTES,
        });
    }
    features_from_kml(path, &kml_bytes)
}

fn walk(path: &Path, node: &Kml<f64>, out: &mut Vec<RawFeature>) -> Result<(), VenueError> {
    match node {
        Kml::KmlDocument(doc) => doc.elements.iter().try_for_each(|e| walk(path, e, out)),
        Kml::Document { elements, .. } => elements.iter().try_for_each(|e| walk(path, e, out)),
        Kml::Folder(folder) => folder.elements.iter().try_for_each(|e| walk(path, e, out)),
        Kml::Placemark(p) => {
            let f = placemark(path, out.len(), p)?;
            out.push(f);
            Ok(())
        }
        Kml::Polygon(_) | Kml::MultiGeometry(_) | Kml::Point(_) => {
            let geometry = match node {
                Kml::Polygon(p) => Geometry::Polygon(p.clone()),
                Kml::MultiGeometry(m) => Geometry::MultiGeometry(m.clone()),
                Kml::Point(p) => Geometry::Point(p.clone()),
                _ => return Ok(()),
            };
            let index = out.len();
            let here = FeatureRef::feature(index, None);
            out.push(RawFeature {
                index,
                location: None,
                id: None,
                properties: Map::new(),
                geometry: convert(path, &here, &geometry)?,
            });
            Ok(())
        }
        _ => Ok(()),
    }
}

fn placemark(path: &Path, index: usize, p: &Placemark<f64>) -> Result<RawFeature, VenueError> {
    let mut properties = Map::new();
    if let Some(name) = &p.name {
        properties.insert("name".into(), Value::String(name.trim().to_owned()));
    }
    if let Some(d) = &p.description {
        properties.insert("description".into(), Value::String(d.clone()));
    }
    for child in &p.children {
        extended_data(child, &mut properties);
    }
    let id = p.attrs.get("id").map(|s| Value::String(s.clone()));
    let here = FeatureRef::feature(index, p.name.as_deref());
    let geometry = match &p.geometry {
        None => RawGeometry::None,
        Some(g) => convert(path, &here, g)?,
    };
    Ok(RawFeature {
        index,
        location: None,
        id,
        properties,
        geometry,
    })
}

/// Collects `<Data name="k"><value>v</value></Data>` and `<SimpleData name="k">v</SimpleData>`.
fn extended_data(e: &Element, properties: &mut Map<String, Value>) {
    match e.name.as_str() {
        "Data" => {
            if let Some(key) = e.attrs.get("name") {
                let value = e
                    .children
                    .iter()
                    .find(|c| c.name == "value")
                    .and_then(|c| c.content.clone())
                    .unwrap_or_default();
                properties.insert(key.clone(), Value::String(value.trim().to_owned()));
            }
        }
        "SimpleData" => {
            if let Some(key) = e.attrs.get("name") {
                let value = e.content.clone().unwrap_or_default();
                properties.insert(key.clone(), Value::String(value.trim().to_owned()));
            }
        }
        _ => e.children.iter().for_each(|c| extended_data(c, properties)),
    }
}

fn convert(path: &Path, here: &FeatureRef, g: &Geometry<f64>) -> Result<RawGeometry, VenueError> {
    match g {
        Geometry::Point(p) => {
            let c = check_position(path, here, "Point.coordinates", p.coord.x, p.coord.y)?;
            Ok(RawGeometry::Point(Point(c)))
        }
        Geometry::Polygon(p) => {
            let exterior = linear_ring(path, here, "Polygon.outerBoundaryIs", &p.outer)?;
            let holes = p
                .inner
                .iter()
                .enumerate()
                .map(|(i, r)| linear_ring(path, here, &format!("Polygon.innerBoundaryIs[{i}]"), r))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(RawGeometry::Polygons(MultiPolygon::new(vec![
                Polygon::new(exterior, holes),
            ])))
        }
        Geometry::MultiGeometry(m) => {
            let mut polys = Vec::new();
            let mut points = Vec::new();
            for part in &m.geometries {
                match convert(path, here, part)? {
                    RawGeometry::Polygons(mp) => polys.extend(mp.0),
                    RawGeometry::Point(p) => points.push(p),
                    _ => {}
                }
            }
            Ok(match (polys.is_empty(), points.as_slice()) {
                (false, _) => RawGeometry::Polygons(MultiPolygon::new(polys)),
                (true, [p]) => RawGeometry::Point(*p),
                _ => RawGeometry::Other("MultiGeometry".into()),
            })
        }
        Geometry::LineString(_) => Ok(RawGeometry::Other("LineString".into())),
        Geometry::LinearRing(_) => Ok(RawGeometry::Other("LinearRing".into())),
        _ => Ok(RawGeometry::Other("Model".into())),
    }
}

fn linear_ring(
    path: &Path,
    here: &FeatureRef,
    field: &str,
    r: &LinearRing<f64>,
) -> Result<geo_types::LineString<f64>, VenueError> {
    // KML coordinates are longitude,latitude[,altitude]; altitude is ignored.
    let coords = r
        .coords
        .iter()
        .map(|c| check_position(path, here, field, c.x, c.y))
        .collect::<Result<Vec<Coord<f64>>, _>>()?;
    ring(path, here, field, coords)
}

//! Venue import: GeoJSON with roles, role-less GeoJSON and KML/KMZ with a selector, and the
//! geofence of a QGC `.plan`, all turned into a [`Venue`] in a local metric frame.
//!
//! Every reader produces the same list of raw features (WGS84 geometry plus properties); the
//! venue is then assembled here from the features' `role` properties, or from the features a
//! [`Selection`] picks.

mod geojson;
mod kml;
mod plan;
mod select;

use std::path::Path;

use geo::{Area, BooleanOps, BoundingRect, Contains, Orient, Validation, orient::Direction};
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};
use serde_json::{Map, Value};

use super::{Camera, FeatureRef, Home, LocalFrame, Obstacle, RiskZone, Venue, VenueError, Zone};
pub use select::Selector;

/// Files larger than this are refused before they are read: no venue is that big, and a huge
/// file is more likely a mistake (or an attack) than a venue.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Which features of a file make the venue.
///
/// `Selection::default()` means "use the features' `role` properties"; a `boundary` selector
/// picks the boundary from a file without roles, and `no_fly` selectors add no-fly zones.
/// A selector is `KEY=VALUE` on a property (`FEATURENAM=Birrarung Marr`; nested `tags` of
/// OpenStreetMap exports are searched too, and `a.b=v` walks into objects) or a feature index
/// (`#3` or `3`, counting from 0).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// The selector of the boundary feature(s); `None` = the features with `role: boundary`.
    pub boundary: Option<String>,
    /// Selectors of features to treat as no-fly zones, in addition to `role: no_fly`.
    pub no_fly: Vec<String>,
}

/// Reads a venue file: GeoJSON (`.geojson`, `.json`), KML (`.kml`), KMZ (`.kmz`) or the
/// geofence of a QGC plan (`.plan`, or a `.json` whose `fileType` is `Plan`).
///
/// Geometry is converted to a [`LocalFrame`] centred on the boundary's bounding box.
/// Problems that leave the venue usable (a self-intersecting ring repaired, a camera outside
/// the boundary) are listed in [`Venue::warnings`].
///
/// # Errors
/// A [`VenueError`] naming the file, the feature, the field, the value and what was expected.
pub fn read_venue(path: &Path, selection: &Selection) -> Result<Venue, VenueError> {
    let bytes = read_limited(path)?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let features = match ext.as_str() {
        "geojson" | "json" | "plan" => {
            let root = parse_json(path, &bytes)?;
            if ext == "plan" || plan::looks_like_plan(&root) {
                let features = plan::features(path, &root)?;
                let inclusion = features
                    .iter()
                    .any(|f| f.properties.get("role").and_then(Value::as_str) == Some("boundary"));
                if !inclusion && selection.boundary.is_none() {
                    return Err(VenueError::NoBoundary {
                        path: path.to_owned(),
                        hint: format!(
                            "the plan's geoFence has no inclusion polygon or circle ({} \
                             exclusion(s)); expected at least one inclusion fence",
                            features.len()
                        ),
                    });
                }
                features
            } else {
                geojson::features(path, &root)?
            }
        }
        "kml" => kml::features_from_kml(path, &bytes)?,
        "kmz" => kml::features_from_kmz(path, &bytes)?,
        _ => {
            return Err(VenueError::UnknownFormat {
                path: path.to_owned(),
                extension: ext,
            });
        }
    };
    build_venue(path, features, selection)
}

fn read_limited(path: &Path) -> Result<Vec<u8>, VenueError> {
    let io = |source| VenueError::Io {
        path: path.to_owned(),
        source,
    };
    let size_bytes = std::fs::metadata(path).map_err(io)?.len();
    if size_bytes > MAX_FILE_BYTES {
        return Err(VenueError::TooLarge {
            path: path.to_owned(),
            size_bytes,
            limit_bytes: MAX_FILE_BYTES,
        });
    }
    std::fs::read(path).map_err(io)
}

/// Parses JSON, reporting the line and column of the first error.
pub(crate) fn parse_json(path: &Path, bytes: &[u8]) -> Result<Value, VenueError> {
    serde_json::from_slice(bytes).map_err(|e| VenueError::Json {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

// ---------------------------------------------------------------------------------------------

/// A feature as a reader found it: WGS84 geometry (longitude, latitude) and its properties.
#[derive(Debug, Clone)]
pub(crate) struct RawFeature {
    pub index: usize,
    /// Where the feature is when it is not a plain feature (`geoFence.polygons[2]`).
    pub location: Option<String>,
    pub id: Option<Value>,
    pub properties: Map<String, Value>,
    pub geometry: RawGeometry,
}

/// The geometry of a [`RawFeature`], in WGS84 degrees.
#[derive(Debug, Clone)]
pub(crate) enum RawGeometry {
    /// No geometry (`null`).
    None,
    Point(Point<f64>),
    Polygons(MultiPolygon<f64>),
    /// A geometry type the venue has no use for (LineString...), by its name.
    Other(String),
}

impl RawGeometry {
    fn kind(&self) -> &str {
        match self {
            RawGeometry::None => "null",
            RawGeometry::Point(_) => "Point",
            RawGeometry::Polygons(_) => "Polygon",
            RawGeometry::Other(s) => s,
        }
    }
}

impl RawFeature {
    /// The feature's name: `name`, or the `name` in OpenStreetMap `tags`, or `FEATURENAM`.
    pub fn name(&self) -> Option<String> {
        let get = |v: Option<&Value>| v.and_then(Value::as_str).map(str::trim).map(str::to_owned);
        get(self.properties.get("name"))
            .or_else(|| get(self.properties.get("tags").and_then(|t| t.get("name"))))
            .or_else(|| get(self.properties.get("FEATURENAM")))
            .filter(|s| !s.is_empty())
    }

    fn reference(&self) -> FeatureRef {
        FeatureRef {
            index: if self.location.is_some() {
                None
            } else {
                Some(self.index)
            },
            name: self.name(),
            location: self.location.clone(),
        }
    }
}

/// Checks one WGS84 position and returns it as a coordinate.
pub(crate) fn check_position(
    path: &Path,
    feature: &FeatureRef,
    field: &str,
    lon: f64,
    lat: f64,
) -> Result<Coord<f64>, VenueError> {
    if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
        return Err(VenueError::invalid(
            path,
            feature,
            field,
            format!("longitude {lon}"),
            "a longitude in [-180, 180] degrees",
        ));
    }
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err(VenueError::invalid(
            path,
            feature,
            field,
            format!("latitude {lat}"),
            "a latitude in [-90, 90] degrees",
        ));
    }
    Ok(Coord { x: lon, y: lat })
}

/// Builds a ring from positions, closing it if needed; an empty or degenerate ring is an error.
pub(crate) fn ring(
    path: &Path,
    feature: &FeatureRef,
    field: &str,
    mut coords: Vec<Coord<f64>>,
) -> Result<LineString<f64>, VenueError> {
    coords.dedup();
    if coords.len() > 1 && coords.first() == coords.last() {
        coords.pop();
    }
    if coords.len() < 3 {
        return Err(VenueError::invalid(
            path,
            feature,
            field,
            format!("a ring of {} distinct positions", coords.len()),
            "a ring of at least 3 distinct positions",
        ));
    }
    let first = coords[0];
    coords.push(first);
    Ok(LineString::new(coords))
}

// ---------------------------------------------------------------------------------------------

/// True when polygons enclose (next to) nothing: all their positions lie on a line, up to the
/// curvature of the frame. A thousandth of a metre-wide strip per metre of outline is flat.
fn is_flat(mp: &MultiPolygon<f64>) -> bool {
    let outline_m: f64 =
        mp.0.iter()
            .flat_map(|p| p.exterior().lines())
            .map(|l| l.dx().hypot(l.dy()))
            .sum();
    mp.unsigned_area() < (1e-6 * outline_m * outline_m).max(0.01)
}

const ROLES: &str = "one of boundary, no_fly, obstacle, camera, risk, home";

fn build_venue(
    path: &Path,
    features: Vec<RawFeature>,
    selection: &Selection,
) -> Result<Venue, VenueError> {
    let mut roles: Vec<Option<String>> = Vec::with_capacity(features.len());
    for f in &features {
        let role = match f.properties.get("role") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => match s.as_str() {
                "boundary" | "no_fly" | "obstacle" | "camera" | "risk" | "home" => Some(s.clone()),
                _ => {
                    return Err(VenueError::invalid(
                        path,
                        &f.reference(),
                        "properties.role",
                        format!("{s:?}"),
                        ROLES,
                    ));
                }
            },
            Some(v) => {
                return Err(VenueError::invalid(
                    path,
                    &f.reference(),
                    "properties.role",
                    v.to_string(),
                    ROLES,
                ));
            }
        };
        roles.push(role);
    }

    // The boundary: selected, or by role, or the only polygon of a role-less file.
    let boundary_idx: Vec<usize> = match &selection.boundary {
        Some(sel) => select::select(path, sel, &features)?,
        None => {
            let by_role: Vec<usize> = (0..features.len())
                .filter(|&i| roles[i].as_deref() == Some("boundary"))
                .collect();
            let polygons: Vec<usize> = (0..features.len())
                .filter(|&i| matches!(features[i].geometry, RawGeometry::Polygons(_)))
                .collect();
            if !by_role.is_empty() {
                by_role
            } else if roles.iter().all(Option::is_none) && polygons.len() == 1 {
                polygons
            } else {
                return Err(VenueError::NoBoundary {
                    path: path.to_owned(),
                    hint: select::boundary_hint(&features),
                });
            }
        }
    };
    let mut no_fly_idx: Vec<usize> = (0..features.len())
        .filter(|&i| roles[i].as_deref() == Some("no_fly"))
        .collect();
    for sel in &selection.no_fly {
        no_fly_idx.extend(select::select(path, sel, &features)?);
    }

    // The frame: centred on the boundary's bounding box.
    let mut boundary_wgs = Vec::new();
    for &i in &boundary_idx {
        boundary_wgs.extend(polygons_of(path, &features[i], "boundary")?.0);
    }
    let rect = MultiPolygon::new(boundary_wgs)
        .bounding_rect()
        .ok_or_else(|| VenueError::NoBoundary {
            path: path.to_owned(),
            hint: "the boundary has no positions".into(),
        })?;
    let centre = rect.center();
    let frame = LocalFrame::new(centre.x, centre.y);

    let mut venue = Venue {
        name: String::new(),
        frame,
        boundary: MultiPolygon::new(vec![]),
        no_fly: Vec::new(),
        obstacles: Vec::new(),
        cameras: Vec::new(),
        risk: Vec::new(),
        home: None,
        warnings: Vec::new(),
    };

    let mut boundary_parts = Vec::new();
    for &i in &boundary_idx {
        let f = &features[i];
        let local = local_area(path, f, "boundary", &frame, &mut venue.warnings)?;
        boundary_parts.extend(local.0);
        if venue.name.is_empty() {
            venue.name = f.name().unwrap_or_default();
        }
    }
    venue.boundary = union_all(boundary_parts);
    if venue.name.is_empty() {
        venue.name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "venue".into());
    }

    no_fly_idx.sort_unstable();
    no_fly_idx.dedup();
    for i in no_fly_idx {
        let f = &features[i];
        let area = local_area(path, f, "no_fly", &frame, &mut venue.warnings)?;
        let margin_m = optional_number(path, f, "margin_m", 0.0..=10_000.0)?.unwrap_or(0.0);
        venue.no_fly.push(Zone {
            name: f.name().unwrap_or_else(|| format!("no-fly #{i}")),
            area,
            margin_m,
        });
    }

    for (i, f) in features.iter().enumerate() {
        match roles[i].as_deref() {
            Some("obstacle") => {
                let area = local_area(path, f, "obstacle", &frame, &mut venue.warnings)?;
                let height_m = optional_number(path, f, "height_m", 0.0..=1_000.0)?;
                venue.obstacles.push(Obstacle {
                    name: f.name().unwrap_or_else(|| format!("obstacle #{i}")),
                    area,
                    height_m,
                });
            }
            Some("camera") => {
                let camera = camera(path, f, &frame)?;
                venue.cameras.push(camera);
            }
            Some("risk") => {
                let area = local_area(path, f, "risk", &frame, &mut venue.warnings)?;
                let level = required_number(path, f, "level", 1.0..=4.0)?;
                if level.fract() != 0.0 {
                    return Err(VenueError::invalid(
                        path,
                        &f.reference(),
                        "properties.level",
                        level.to_string(),
                        "an integer from 1 to 4",
                    ));
                }
                let revisit_min = required_number(path, f, "revisit_min", 0.1..=10_080.0)?;
                venue.risk.push(RiskZone {
                    name: f.name().unwrap_or_else(|| format!("risk #{i}")),
                    area,
                    // Checked above to be an integer in 1..=4.
                    level: level as u8,
                    revisit_min,
                });
            }
            Some("home") => {
                let p = point_of(path, f, "home")?;
                let (x, y) = frame.to_local(p.x(), p.y());
                let alt_m = optional_number(path, f, "alt_m", -500.0..=9_000.0)?;
                if venue.home.is_some() {
                    venue.warnings.push(format!(
                        "{}: a second home point; the first one is used",
                        f.reference()
                    ));
                } else {
                    venue.home = Some(Home {
                        position: Point::new(x, y),
                        alt_m,
                    });
                }
            }
            _ => {}
        }
    }

    for c in &venue.cameras {
        if !venue.boundary.contains(&c.position) {
            venue.warnings.push(format!(
                "camera {:?} at ({:.1}, {:.1}) m is outside the boundary; its footprint is \
                 clipped to the boundary",
                c.name,
                c.position.x(),
                c.position.y()
            ));
        }
    }
    if let Some(h) = venue.home
        && !venue.boundary.contains(&h.position)
    {
        venue.warnings.push(format!(
            "home at ({:.1}, {:.1}) m is outside the boundary",
            h.position.x(),
            h.position.y()
        ));
    }
    for w in &venue.warnings {
        tracing::info!(file = %path.display(), "venue warning: {w}");
    }
    Ok(venue)
}

/// Unions polygons (oriented first, so that the fill rule sees them all alike).
pub(crate) fn union_all(parts: Vec<Polygon<f64>>) -> MultiPolygon<f64> {
    if parts.len() <= 1 {
        return MultiPolygon::new(parts).orient(Direction::Default);
    }
    let oriented: Vec<Polygon<f64>> = parts
        .into_iter()
        .map(|p| p.orient(Direction::Default))
        .collect();
    geo::unary_union(&oriented)
}

fn polygons_of(path: &Path, f: &RawFeature, role: &str) -> Result<MultiPolygon<f64>, VenueError> {
    match &f.geometry {
        RawGeometry::Polygons(mp) => Ok(mp.clone()),
        other => Err(VenueError::invalid(
            path,
            &f.reference(),
            "geometry.type",
            format!("{:?}", other.kind()),
            format!("Polygon or MultiPolygon for a {role}"),
        )),
    }
}

fn point_of(path: &Path, f: &RawFeature, role: &str) -> Result<Point<f64>, VenueError> {
    match &f.geometry {
        RawGeometry::Point(p) => Ok(*p),
        other => Err(VenueError::invalid(
            path,
            &f.reference(),
            "geometry.type",
            format!("{:?}", other.kind()),
            format!("Point for a {role}"),
        )),
    }
}

/// A feature's polygons in the local frame, repaired (with a warning) when self-intersecting.
fn local_area(
    path: &Path,
    f: &RawFeature,
    role: &str,
    frame: &LocalFrame,
    warnings: &mut Vec<String>,
) -> Result<MultiPolygon<f64>, VenueError> {
    use geo::MapCoords;
    let wgs = polygons_of(path, f, role)?;
    let local: MultiPolygon<f64> = wgs.map_coords(|c| {
        let (x, y) = frame.to_local(c.x, c.y);
        Coord { x, y }
    });

    let zero_area = || {
        VenueError::invalid(
            path,
            &f.reference(),
            "geometry.coordinates",
            "a polygon of zero area (its positions lie on a line)",
            "a polygon that encloses an area",
        )
    };
    if local.is_valid() {
        if is_flat(&local) {
            return Err(zero_area());
        }
        return Ok(local.orient(Direction::Default));
    }

    // Union with nothing resolves self-intersections by the even-odd rule.
    let repaired = local.union(&MultiPolygon::new(vec![]));
    let after = repaired.unsigned_area();
    if is_flat(&repaired) {
        return Err(zero_area());
    }
    if !repaired.is_valid() {
        return Err(VenueError::invalid(
            path,
            &f.reference(),
            "geometry.coordinates",
            "a self-intersecting polygon that cannot be repaired",
            "a simple polygon whose rings do not cross",
        ));
    }
    warnings.push(format!(
        "{}: self-intersecting polygon repaired into {} part(s) of {after:.1} m² in all",
        f.reference(),
        repaired.0.len()
    ));
    Ok(repaired.orient(Direction::Default))
}

/// A number property, accepting numbers and numeric strings (KML extended data is text).
fn number_prop(path: &Path, f: &RawFeature, key: &str) -> Result<Option<f64>, VenueError> {
    let bad = |v: &Value| {
        VenueError::invalid(
            path,
            &f.reference(),
            format!("properties.{key}"),
            v.to_string(),
            "a number",
        )
    };
    match f.properties.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Number(n)) => n.as_f64().map(Some).ok_or_else(|| bad(v)),
        Some(v @ Value::String(s)) => s.trim().parse::<f64>().map(Some).map_err(|_| bad(v)),
        Some(v) => Err(bad(v)),
    }
}

fn optional_number(
    path: &Path,
    f: &RawFeature,
    key: &str,
    range: std::ops::RangeInclusive<f64>,
) -> Result<Option<f64>, VenueError> {
    match number_prop(path, f, key)? {
        None => Ok(None),
        Some(v) if v.is_finite() && range.contains(&v) => Ok(Some(v)),
        Some(v) => Err(VenueError::invalid(
            path,
            &f.reference(),
            format!("properties.{key}"),
            v.to_string(),
            format!("a number from {} to {}", range.start(), range.end()),
        )),
    }
}

fn required_number(
    path: &Path,
    f: &RawFeature,
    key: &str,
    range: std::ops::RangeInclusive<f64>,
) -> Result<f64, VenueError> {
    optional_number(path, f, key, range.clone())?.ok_or_else(|| {
        VenueError::invalid(
            path,
            &f.reference(),
            format!("properties.{key}"),
            "missing",
            format!("a number from {} to {}", range.start(), range.end()),
        )
    })
}

fn camera(path: &Path, f: &RawFeature, frame: &LocalFrame) -> Result<Camera, VenueError> {
    let p = point_of(path, f, "camera")?;
    let (x, y) = frame.to_local(p.x(), p.y());
    let heading_deg = required_number(path, f, "heading_deg", -360.0..=360.0)?.rem_euclid(360.0);
    let hfov_deg = required_number(path, f, "hfov_deg", 0.1..=360.0)?;
    let range_m = required_number(path, f, "range_m", 0.1..=10_000.0)?;
    let height_m = optional_number(path, f, "height_m", 0.0..=1_000.0)?;
    Ok(Camera {
        name: f.name().unwrap_or_else(|| format!("camera #{}", f.index)),
        position: Point::new(x, y),
        heading_deg,
        hfov_deg,
        range_m,
        height_m,
    })
}

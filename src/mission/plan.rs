//! QGroundControl `.plan` files (JSON): mission items, geofence, rally points, planned home.
//!
//! Reading accepts both schemas QGC has written: items with a `coordinate` array and four
//! params (old), or seven params (QGC 3.2 and later); geofence version 1 (`polygon`) and
//! version 2 (`polygons` with `inclusion`, `circles`). Complex items (survey, CorridorScan, ...)
//! are flattened into the simple items QGC pre-generated for them; a fixed-wing landing pattern
//! is expanded the way QGC expands it; any other complex item is kept verbatim. Each of these is
//! reported as a [`Note`]. `null` params become NaN and NaN params are written as `null`.
//!
//! Writing produces the version 2 schema QGC 4.x opens, keys sorted and indented as QGC does.

use serde_json::{Map, Value, json};

use super::error::{Note, ParseError};
use super::model::{
    FenceCircle, FencePolygon, GeoFence, GeoPoint, KeptComplexItem, LatLon, Mission, MissionItem,
    RallyPoint, is_global_frame,
};

/// `MAV_AUTOPILOT_GENERIC`: what a `.plan` says when no firmware is named; read as `None`.
const FIRMWARE_GENERIC: u8 = 0;

// ------------------------------------------------------------------------------------------------
// Reading

/// Reads a whole `.plan` document.
///
/// Missing sections (no `geoFence`, no `rallyPoints`, no planned home) are accepted: QGC itself
/// writes files without them. A planned home at latitude 0 and longitude 0 means "not set".
pub fn read_plan(text: &str) -> Result<(Mission, Vec<Note>), ParseError> {
    let root: Value = serde_json::from_str(text).map_err(|e| ParseError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let root = as_object(&root, "(top level)")?;

    if let Some(ft) = root.get("fileType") {
        let ft_str = ft.as_str();
        if ft_str != Some("Plan") {
            return Err(ParseError::plan("fileType", "\"Plan\"", describe(ft)));
        }
    }

    if !["mission", "geoFence", "rallyPoints"]
        .iter()
        .any(|k| root.contains_key(*k))
    {
        return Err(ParseError::plan(
            "(top level)",
            "a plan with a \"mission\", \"geoFence\" or \"rallyPoints\" section",
            "none of them".into(),
        ));
    }

    let mut mission = Mission::default();
    let mut notes = Vec::new();
    note_unknown_keys(
        root,
        "",
        &[
            "fileType",
            "geoFence",
            "groundStation",
            "mission",
            "rallyPoints",
            "version",
        ],
        &mut notes,
    );

    if let Some(m) = root.get("mission") {
        read_mission_section(m, &mut mission, &mut notes)?;
    }
    if let Some(fence) = root.get("geoFence") {
        mission.fence = parse_geofence(fence, "geoFence")?;
    }
    if let Some(rally) = root.get("rallyPoints") {
        mission.rally = parse_rally(rally, "rallyPoints")?;
    }
    Ok((mission, notes))
}

fn read_mission_section(
    m: &Value,
    mission: &mut Mission,
    notes: &mut Vec<Note>,
) -> Result<(), ParseError> {
    let obj = as_object(m, "mission")?;
    note_unknown_keys(
        obj,
        "mission.",
        &[
            "items",
            "plannedHomePosition",
            "vehicleType",
            "firmwareType",
            "cruiseSpeed",
            "hoverSpeed",
            "version",
            // QGC's default altitude mode for new items; each item carries its own frame.
            "globalPlanAltitudeMode",
        ],
        notes,
    );

    if let Some(items) = obj.get("items") {
        let parsed = parse_items(items, "mission.items")?;
        mission.items = parsed.items;
        mission.kept_complex_items = parsed.kept;
        notes.extend(parsed.notes);
    }
    if let Some(home) = obj.get("plannedHomePosition") {
        mission.planned_home = parse_home(home, "mission.plannedHomePosition")?;
    }
    if let Some(v) = obj.get("vehicleType") {
        mission.vehicle_type = Some(int_in(v, "mission.vehicleType", 0, 255)? as u8);
    }
    if let Some(v) = obj.get("firmwareType") {
        let fw = int_in(v, "mission.firmwareType", 0, 255)? as u8;
        mission.firmware_type = (fw != FIRMWARE_GENERIC).then_some(fw);
    }
    if let Some(v) = obj.get("cruiseSpeed") {
        mission.cruise_speed_mps = Some(finite(v, "mission.cruiseSpeed")?);
    }
    if let Some(v) = obj.get("hoverSpeed") {
        mission.hover_speed_mps = Some(finite(v, "mission.hoverSpeed")?);
    }
    Ok(())
}

/// A note for each key Vigil does not read (a misspelt `curiseSpeed`, say), so nothing in the
/// file is passed over in silence.
fn note_unknown_keys(
    obj: &Map<String, Value>,
    prefix: &str,
    known: &[&str],
    notes: &mut Vec<Note>,
) {
    for key in obj.keys().filter(|k| !known.contains(&k.as_str())) {
        notes.push(Note::new(format!("{prefix}{key}: unknown key, ignored")));
    }
}

/// Mission items read from a `.plan` `items` array.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanItems {
    /// Simple items, complex items flattened into them.
    pub items: Vec<MissionItem>,
    /// Complex items that could not be flattened, kept verbatim.
    pub kept: Vec<KeptComplexItem>,
    /// One note per complex item saying what was done with it.
    pub notes: Vec<Note>,
}

/// Reads a `.plan` `items` array (simple and complex items). `at` names the array in errors.
pub fn parse_items(items: &Value, at: &str) -> Result<PlanItems, ParseError> {
    let arr = items
        .as_array()
        .ok_or_else(|| ParseError::plan(at, "an array of mission items", describe(items)))?;
    let mut out = PlanItems::default();

    for (i, item) in arr.iter().enumerate() {
        let item_at = format!("{at}[{i}]");
        let obj = as_object(item, &item_at)?;
        let kind = match obj.get("type") {
            Some(t) => t
                .as_str()
                .ok_or_else(|| {
                    ParseError::plan(format!("{item_at}.type"), "a string", describe(t))
                })?
                .to_owned(),
            // Hand-edited files (such as the one in QGC #7018) omit the type of simple items.
            None if obj.contains_key("command") => "SimpleItem".to_owned(),
            None => {
                return Err(ParseError::plan(
                    format!("{item_at}.type"),
                    "\"SimpleItem\" or \"ComplexItem\"",
                    "nothing".into(),
                ));
            }
        };
        match kind.as_str() {
            "SimpleItem" => out.items.push(parse_simple_item(item, &item_at)?),
            "ComplexItem" => read_complex_item(obj, &item_at, i + 1, &mut out)?,
            _ => {
                return Err(ParseError::plan(
                    format!("{item_at}.type"),
                    "\"SimpleItem\" or \"ComplexItem\"",
                    describe(&Value::String(kind)),
                ));
            }
        }
    }
    Ok(out)
}

/// Reads one simple item, in either the old (`coordinate` + 4 params) or new (7 params) form.
pub fn parse_simple_item(item: &Value, at: &str) -> Result<MissionItem, ParseError> {
    let obj = as_object(item, at)?;
    let command = int_in(
        required(obj, "command", at)?,
        &format!("{at}.command"),
        0,
        65535,
    )? as u16;
    let frame = int_in(required(obj, "frame", at)?, &format!("{at}.frame"), 0, 255)? as u8;
    let autocontinue = match obj.get("autoContinue") {
        None => true,
        Some(v) => v.as_bool().ok_or_else(|| {
            ParseError::plan(format!("{at}.autoContinue"), "true or false", describe(v))
        })?,
    };

    let params_at = format!("{at}.params");
    let params_v = required(obj, "params", at)?;
    let params = params_v
        .as_array()
        .ok_or_else(|| ParseError::plan(&params_at, "an array of numbers", describe(params_v)))?;
    let mut p = Vec::with_capacity(7);
    for (k, v) in params.iter().enumerate() {
        p.push(num_or_null(v, &format!("{params_at}[{k}]"))?);
    }

    // Old schema: 4 params and the position in `coordinate`; new schema: 7 params.
    let (lat, lon, alt) = match obj.get("coordinate") {
        Some(c) => {
            if p.len() != 4 {
                return Err(ParseError::plan(
                    &params_at,
                    "4 params beside a `coordinate`",
                    format!("{} params", p.len()),
                ));
            }
            let c_at = format!("{at}.coordinate");
            let arr = c.as_array().filter(|a| a.len() == 3).ok_or_else(|| {
                ParseError::plan(&c_at, "[latitude, longitude, altitude]", describe(c))
            })?;
            (
                num_or_null(&arr[0], &format!("{c_at}[0]"))?,
                num_or_null(&arr[1], &format!("{c_at}[1]"))?,
                num_or_null(&arr[2], &format!("{c_at}[2]"))?,
            )
        }
        None => {
            if p.len() != 7 {
                return Err(ParseError::plan(
                    &params_at,
                    "7 params",
                    format!("{} params", p.len()),
                ));
            }
            (p[4], p[5], p[6])
        }
    };

    if is_global_frame(frame) {
        check_lat(lat, &format!("{at} latitude"), true)?;
        check_lon(lon, &format!("{at} longitude"), true)?;
    }
    Ok(MissionItem {
        command,
        frame,
        params: [p[0], p[1], p[2], p[3]],
        lat_deg: lat,
        lon_deg: lon,
        alt_m: alt,
        autocontinue,
    })
}

fn read_complex_item(
    obj: &Map<String, Value>,
    at: &str,
    number: usize,
    out: &mut PlanItems,
) -> Result<(), ParseError> {
    let ty_v = required(obj, "complexItemType", at)?;
    let ty = ty_v.as_str().ok_or_else(|| {
        ParseError::plan(format!("{at}.complexItemType"), "a string", describe(ty_v))
    })?;

    // Survey and CorridorScan keep their generated items under TransectStyleComplexItem.Items;
    // QGC 3.x surveys kept them in a top-level `items` array.
    let pre_generated = obj
        .get("TransectStyleComplexItem")
        .and_then(|t| {
            t.get("Items")
                .map(|v| (v, format!("{at}.TransectStyleComplexItem.Items")))
        })
        .or_else(|| obj.get("Items").map(|v| (v, format!("{at}.Items"))))
        .or_else(|| obj.get("items").map(|v| (v, format!("{at}.items"))));

    if let Some((items, items_at)) = pre_generated {
        let arr = items.as_array().ok_or_else(|| {
            ParseError::plan(&items_at, "an array of mission items", describe(items))
        })?;
        for (k, it) in arr.iter().enumerate() {
            out.items
                .push(parse_simple_item(it, &format!("{items_at}[{k}]"))?);
        }
        out.notes.push(Note::new(format!(
            "complex item '{ty}' (plan item {number}) flattened into {} simple mission items",
            arr.len()
        )));
        return Ok(());
    }

    if ty == "fwLandingPattern" {
        let generated = expand_fw_landing(obj, at)?;
        out.notes.push(Note::new(format!(
            "complex item 'fwLandingPattern' (plan item {number}) expanded into {} mission items \
             as QGroundControl generates them",
            generated.len()
        )));
        out.items.extend(generated);
        return Ok(());
    }

    out.kept.push(KeptComplexItem {
        before_item: out.items.len(),
        complex_type: ty.to_owned(),
        json: Value::Object(obj.clone()),
    });
    out.notes.push(Note::new(format!(
        "complex item '{ty}' (plan item {number}) has no pre-generated mission items: kept \
         verbatim for .plan files, but it is not part of the items Vigil flies or uploads"
    )));
    Ok(())
}

/// Expands a fixed-wing landing pattern into the items QGC generates for it:
/// DO_LAND_START, optional stop-photos and stop-video commands, the final approach (loiter to
/// altitude, or a waypoint) and NAV_LAND.
fn expand_fw_landing(obj: &Map<String, Value>, at: &str) -> Result<Vec<MissionItem>, ParseError> {
    const MISSION_FRAME: u8 = 2;
    let flag = |key: &str, default: bool| -> Result<bool, ParseError> {
        match obj.get(key) {
            None => Ok(default),
            Some(v) => v.as_bool().ok_or_else(|| {
                ParseError::plan(format!("{at}.{key}"), "true or false", describe(v))
            }),
        }
    };
    let relative = flag("altitudesAreRelative", true)?;
    let frame = if relative { 3 } else { 0 };
    let clockwise = flag("loiterClockwise", true)?;
    let use_loiter = flag("useLoiterToAlt", true)?;
    let stop_photos = flag("stopTakingPhotos", false)?;
    let stop_video = flag("stopVideoPhotos", false)?;
    let radius_m = match obj.get("loiterRadius") {
        Some(v) => finite(v, &format!("{at}.loiterRadius"))?,
        None => 0.0,
    };
    let (approach_key, approach) = match obj.get("landingApproachCoordinate") {
        Some(v) => ("landingApproachCoordinate", v),
        None => ("loiterCoordinate", required(obj, "loiterCoordinate", at)?),
    };
    let approach = parse_point3(approach, &format!("{at}.{approach_key}"))?;
    let land = parse_point3(
        required(obj, "landCoordinate", at)?,
        &format!("{at}.landCoordinate"),
    )?;

    let cmd =
        |command: u16, frame: u8, params: [f64; 4], lat: f64, lon: f64, alt: f64| MissionItem {
            command,
            frame,
            params,
            lat_deg: lat,
            lon_deg: lon,
            alt_m: alt,
            autocontinue: true,
        };
    let nan = f64::NAN;
    let mut items = vec![cmd(189, MISSION_FRAME, [0.0; 4], 0.0, 0.0, 0.0)];
    if stop_photos {
        items.push(cmd(206, MISSION_FRAME, [0.0; 4], 0.0, 0.0, 0.0));
        items.push(cmd(
            2001,
            MISSION_FRAME,
            [0.0, nan, nan, nan],
            nan,
            nan,
            nan,
        ));
    }
    if stop_video {
        items.push(cmd(
            2501,
            MISSION_FRAME,
            [0.0, nan, nan, nan],
            nan,
            nan,
            nan,
        ));
    }
    if use_loiter {
        let signed_radius = if clockwise { radius_m } else { -radius_m };
        items.push(cmd(
            31,
            frame,
            [1.0, signed_radius, 0.0, 1.0],
            approach.0,
            approach.1,
            approach.2,
        ));
    } else {
        items.push(cmd(
            16,
            frame,
            [0.0, 0.0, 0.0, nan],
            approach.0,
            approach.1,
            approach.2,
        ));
    }
    items.push(cmd(21, frame, [0.0; 4], land.0, land.1, land.2));
    Ok(items)
}

fn parse_point3(v: &Value, at: &str) -> Result<(f64, f64, f64), ParseError> {
    let arr = v
        .as_array()
        .filter(|a| a.len() == 2 || a.len() == 3)
        .ok_or_else(|| ParseError::plan(at, "[latitude, longitude, altitude]", describe(v)))?;
    let lat = finite(&arr[0], &format!("{at}[0]"))?;
    let lon = finite(&arr[1], &format!("{at}[1]"))?;
    check_lat(lat, &format!("{at}[0]"), false)?;
    check_lon(lon, &format!("{at}[1]"), false)?;
    let alt = match arr.get(2) {
        Some(a) => num_or_null(a, &format!("{at}[2]"))?,
        None => 0.0,
    };
    Ok((lat, lon, alt))
}

fn parse_home(v: &Value, at: &str) -> Result<Option<GeoPoint>, ParseError> {
    let (lat, lon, alt) = parse_point3(v, at)?;
    // QGC writes 0, 0 when no home was ever set.
    if lat == 0.0 && lon == 0.0 {
        return Ok(None);
    }
    Ok(Some(GeoPoint {
        lat_deg: lat,
        lon_deg: lon,
        alt_m: alt,
    }))
}

/// Reads a `.plan` `geoFence` object: version 1 (`polygon`, one inclusion polygon) or version 2
/// (`polygons` with `inclusion`, `circles`), and `breachReturn` when present.
pub fn parse_geofence(v: &Value, at: &str) -> Result<GeoFence, ParseError> {
    let obj = as_object(v, at)?;
    let mut fence = GeoFence::default();

    // Version 1: a single `polygon` array, always an inclusion fence.
    if let Some(poly) = obj.get("polygon") {
        let vertices = parse_vertices(poly, &format!("{at}.polygon"))?;
        if (1..3).contains(&vertices.len()) {
            return Err(ParseError::plan(
                format!("{at}.polygon"),
                "no vertices or at least 3",
                format!("{} vertices", vertices.len()),
            ));
        }
        if !vertices.is_empty() {
            fence.polygons.push(FencePolygon {
                inclusion: true,
                vertices,
            });
        }
    }
    if let Some(polys) = obj.get("polygons") {
        let p_at = format!("{at}.polygons");
        let arr = polys
            .as_array()
            .ok_or_else(|| ParseError::plan(&p_at, "an array of polygons", describe(polys)))?;
        for (i, p) in arr.iter().enumerate() {
            let pa = format!("{p_at}[{i}]");
            let po = as_object(p, &pa)?;
            let inclusion = bool_field(po, "inclusion", &pa, true)?;
            let vertices = parse_vertices(required(po, "polygon", &pa)?, &format!("{pa}.polygon"))?;
            if vertices.len() < 3 {
                return Err(ParseError::plan(
                    format!("{pa}.polygon"),
                    "at least 3 vertices",
                    format!("{} vertices", vertices.len()),
                ));
            }
            fence.polygons.push(FencePolygon {
                inclusion,
                vertices,
            });
        }
    }
    if let Some(circles) = obj.get("circles") {
        let c_at = format!("{at}.circles");
        let arr = circles
            .as_array()
            .ok_or_else(|| ParseError::plan(&c_at, "an array of circles", describe(circles)))?;
        for (i, c) in arr.iter().enumerate() {
            let ca = format!("{c_at}[{i}]");
            let co = as_object(c, &ca)?;
            let inclusion = bool_field(co, "inclusion", &ca, true)?;
            let circle = as_object(required(co, "circle", &ca)?, &format!("{ca}.circle"))?;
            let center = parse_latlon(
                required(circle, "center", &format!("{ca}.circle"))?,
                &format!("{ca}.circle.center"),
            )?;
            let r_at = format!("{ca}.circle.radius");
            let radius_m = finite(required(circle, "radius", &format!("{ca}.circle"))?, &r_at)?;
            if radius_m <= 0.0 {
                return Err(ParseError::plan(
                    r_at,
                    "a radius above 0 m",
                    radius_m.to_string(),
                ));
            }
            fence.circles.push(FenceCircle {
                inclusion,
                center,
                radius_m,
            });
        }
    }
    if let Some(ret) = obj.get("breachReturn") {
        let (lat, lon, _alt) = parse_point3(ret, &format!("{at}.breachReturn"))?;
        fence.return_point = Some(LatLon {
            lat_deg: lat,
            lon_deg: lon,
        });
    }
    Ok(fence)
}

/// Reads a `.plan` `rallyPoints` object (versions 1 and 2: `points` as `[lat, lon, alt]`).
pub fn parse_rally(v: &Value, at: &str) -> Result<Vec<RallyPoint>, ParseError> {
    let obj = as_object(v, at)?;
    let Some(points) = obj.get("points") else {
        return Ok(Vec::new());
    };
    let p_at = format!("{at}.points");
    let arr = points
        .as_array()
        .ok_or_else(|| ParseError::plan(&p_at, "an array of points", describe(points)))?;
    let mut out = Vec::with_capacity(arr.len());
    for (i, p) in arr.iter().enumerate() {
        let (lat, lon, alt) = parse_point3(p, &format!("{p_at}[{i}]"))?;
        out.push(RallyPoint::new(GeoPoint {
            lat_deg: lat,
            lon_deg: lon,
            alt_m: alt,
        }));
    }
    Ok(out)
}

fn parse_vertices(v: &Value, at: &str) -> Result<Vec<LatLon>, ParseError> {
    let arr = v
        .as_array()
        .ok_or_else(|| ParseError::plan(at, "an array of [latitude, longitude]", describe(v)))?;
    arr.iter()
        .enumerate()
        .map(|(i, p)| parse_latlon(p, &format!("{at}[{i}]")))
        .collect()
}

fn parse_latlon(v: &Value, at: &str) -> Result<LatLon, ParseError> {
    let (lat, lon, _) = parse_point3(v, at)?;
    Ok(LatLon {
        lat_deg: lat,
        lon_deg: lon,
    })
}

// ------------------------------------------------------------------------------------------------
// Writing

/// Writes `mission` as a version 2 `.plan` document that QGroundControl 4.x opens.
///
/// Notes name what the format cannot hold: circles centred on home, rally point extras
/// (break altitude, landing direction, flags, an altitude frame other than relative).
pub fn write_plan(mission: &Mission) -> (String, Vec<Note>) {
    let mut notes = Vec::new();

    let mut items = Vec::new();
    let mut kept = mission.kept_complex_items.iter().peekable();
    for (i, item) in mission.items.iter().enumerate() {
        while let Some(k) = kept.next_if(|k| k.before_item <= i) {
            items.push(k.json.clone());
        }
        items.push(simple_item_json(item, i + 1));
    }
    items.extend(kept.map(|k| k.json.clone()));

    let home = match mission.planned_home {
        Some(h) => {
            if mission.planned_home_frame != 0 {
                notes.push(Note::new(format!(
                    "planned home altitude {} m is in MAV_FRAME {}, but a .plan home is above \
                     mean sea level: written unchanged, frame not kept",
                    h.alt_m, mission.planned_home_frame
                )));
            }
            json!([num(h.lat_deg), num(h.lon_deg), num(h.alt_m)])
        }
        None => json!([0, 0, 0]),
    };
    let mut m = Map::new();
    m.insert("items".into(), Value::Array(items));
    m.insert("plannedHomePosition".into(), home);
    m.insert(
        "firmwareType".into(),
        json!(mission.firmware_type.unwrap_or(FIRMWARE_GENERIC)),
    );
    m.insert("version".into(), json!(2));
    if let Some(v) = mission.vehicle_type {
        m.insert("vehicleType".into(), json!(v));
    }
    if let Some(s) = mission.cruise_speed_mps {
        m.insert("cruiseSpeed".into(), num(s));
    }
    if let Some(s) = mission.hover_speed_mps {
        m.insert("hoverSpeed".into(), num(s));
    }

    let fence = &mission.fence;
    let polygons: Vec<Value> = fence
        .polygons
        .iter()
        .map(|p| {
            let verts: Vec<Value> = p
                .vertices
                .iter()
                .map(|v| json!([num(v.lat_deg), num(v.lon_deg)]))
                .collect();
            json!({"inclusion": p.inclusion, "polygon": verts, "version": 1})
        })
        .collect();
    let circles: Vec<Value> = fence
        .circles
        .iter()
        .map(|c| {
            json!({
                "circle": {"center": [num(c.center.lat_deg), num(c.center.lon_deg)], "radius": num(c.radius_m)},
                "inclusion": c.inclusion,
                "version": 1
            })
        })
        .collect();
    for (i, hc) in fence.home_circles.iter().enumerate() {
        notes.push(Note::new(format!(
            "fence home circle {} (radius {} m, centred on home) not written: .plan circles have \
             a fixed centre",
            i + 1,
            hc.radius_m
        )));
    }
    let mut geofence = Map::new();
    geofence.insert("circles".into(), Value::Array(circles));
    geofence.insert("polygons".into(), Value::Array(polygons));
    geofence.insert("version".into(), json!(2));
    if let Some(r) = fence.return_point {
        geofence.insert(
            "breachReturn".into(),
            json!([num(r.lat_deg), num(r.lon_deg), 0]),
        );
    }

    let points: Vec<Value> = mission
        .rally
        .iter()
        .enumerate()
        .map(|(i, r)| {
            rally_notes(r, i + 1, ".plan", &mut notes);
            json!([
                num(r.position.lat_deg),
                num(r.position.lon_deg),
                num(r.position.alt_m)
            ])
        })
        .collect();

    let doc = json!({
        "fileType": "Plan",
        "geoFence": Value::Object(geofence),
        "groundStation": "Vigil",
        "mission": Value::Object(m),
        "rallyPoints": {"points": points, "version": 2},
        "version": 1
    });
    (to_qgc_json(&doc), notes)
}

/// Notes for what a rally point carries that `.plan` and `.waypoints` rows cannot hold.
pub(crate) fn rally_notes(r: &RallyPoint, number: usize, format: &str, notes: &mut Vec<Note>) {
    let mut lost = Vec::new();
    if let Some(b) = r.break_alt_m {
        lost.push(format!("break altitude {b} m"));
    }
    if let Some(d) = r.land_dir_deg {
        lost.push(format!("landing direction {d}°"));
    }
    if let Some(f) = r.flags {
        lost.push(format!("flags {f}"));
    }
    if !lost.is_empty() {
        notes.push(Note::new(format!(
            "rally point {number}: {} not written: {format} does not hold them",
            lost.join(", ")
        )));
    }
    if format == ".plan"
        && let Some(f) = r.frame.filter(|&f| f != 3)
    {
        notes.push(Note::new(format!(
            "rally point {number}: altitude {} m is in MAV_FRAME {f}, but .plan rally \
             altitudes are relative to home: written unchanged, frame not kept",
            r.position.alt_m
        )));
    }
}

fn simple_item_json(item: &MissionItem, seq: usize) -> Value {
    let params: Vec<Value> = item
        .params
        .iter()
        .chain([item.lat_deg, item.lon_deg, item.alt_m].iter())
        .map(|&p| num(p))
        .collect();
    json!({
        "autoContinue": item.autocontinue,
        "command": item.command,
        "doJumpId": seq,
        "frame": item.frame,
        "params": params,
        "type": "SimpleItem"
    })
}

/// A number as QGC writes it: integers without a fraction, NaN as `null`.
fn num(v: f64) -> Value {
    // -0.0 keeps its sign (and thus round-trips) by staying a float.
    if v.fract() == 0.0 && v.abs() < 9.0e15 && !(v == 0.0 && v.is_sign_negative()) {
        Value::from(v as i64)
    } else {
        Value::from(v)
    }
}

/// Pretty JSON with QGC's four-space indent.
fn to_qgc_json(doc: &Value) -> String {
    use serde::Serialize;
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    // Serialising a Value into memory cannot fail: its map keys are strings.
    if doc.serialize(&mut ser).is_err() {
        return doc.to_string();
    }
    buf.push(b'\n');
    String::from_utf8(buf).unwrap_or_else(|_| doc.to_string())
}

// ------------------------------------------------------------------------------------------------
// Value helpers

/// A short description of a JSON value for error messages.
fn describe(v: &Value) -> String {
    let s = match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(a) => format!("an array of {} values", a.len()),
        Value::Object(_) => "an object".to_owned(),
    };
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(77).collect();
        format!("{cut}...")
    } else {
        s
    }
}

fn as_object<'a>(v: &'a Value, at: &str) -> Result<&'a Map<String, Value>, ParseError> {
    v.as_object()
        .ok_or_else(|| ParseError::plan(at, "an object", describe(v)))
}

fn required<'a>(obj: &'a Map<String, Value>, key: &str, at: &str) -> Result<&'a Value, ParseError> {
    obj.get(key)
        .ok_or_else(|| ParseError::plan(format!("{at}.{key}"), "a value", "nothing".into()))
}

fn bool_field(
    obj: &Map<String, Value>,
    key: &str,
    at: &str,
    default: bool,
) -> Result<bool, ParseError> {
    match obj.get(key) {
        None => Ok(default),
        Some(v) => v
            .as_bool()
            .ok_or_else(|| ParseError::plan(format!("{at}.{key}"), "true or false", describe(v))),
    }
}

fn finite(v: &Value, at: &str) -> Result<f64, ParseError> {
    v.as_f64()
        .filter(|x| x.is_finite())
        .ok_or_else(|| ParseError::plan(at, "a number", describe(v)))
}

fn num_or_null(v: &Value, at: &str) -> Result<f64, ParseError> {
    if v.is_null() {
        return Ok(f64::NAN);
    }
    finite(v, at).map_err(|_| ParseError::plan(at, "a number or null", describe(v)))
}

fn int_in(v: &Value, at: &str, lo: i64, hi: i64) -> Result<i64, ParseError> {
    let expected = || format!("an integer from {lo} to {hi}");
    let x = v
        .as_f64()
        .ok_or_else(|| ParseError::plan(at, expected(), describe(v)))?;
    if x.fract() != 0.0 || x < lo as f64 || x > hi as f64 {
        return Err(ParseError::plan(at, expected(), describe(v)));
    }
    Ok(x as i64)
}

/// Latitude must be within ±90°; NaN is allowed where a file may leave it empty.
pub(crate) fn check_lat(lat: f64, at: &str, nan_ok: bool) -> Result<(), ParseError> {
    if (lat.is_nan() && nan_ok) || (-90.0..=90.0).contains(&lat) {
        Ok(())
    } else {
        Err(ParseError::plan(
            at,
            "a latitude from -90 to 90 degrees",
            lat.to_string(),
        ))
    }
}

/// Longitude must be within ±180°; NaN is allowed where a file may leave it empty.
pub(crate) fn check_lon(lon: f64, at: &str, nan_ok: bool) -> Result<(), ParseError> {
    if (lon.is_nan() && nan_ok) || (-180.0..=180.0).contains(&lon) {
        Ok(())
    } else {
        Err(ParseError::plan(
            at,
            "a longitude from -180 to 180 degrees",
            lon.to_string(),
        ))
    }
}

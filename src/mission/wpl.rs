//! QGC WPL `.waypoints` text files, as Mission Planner, MAVProxy and QGroundControl write them.
//!
//! A header line `QGC WPL 110` (or `120`), then one row per item: index, current, frame,
//! command, param1..param4, latitude, longitude, altitude, autocontinue, separated by tabs (any
//! white space is accepted on reading). Row 0 is the home position unless it is a fence or rally
//! command. Fence commands (5000 return point, 5001/5002 polygon vertices with param1 = vertex
//! count, 5003/5004 circles with param1 = radius, 5005 circle around home) and rally points
//! (5100) go into the fence and rally model; every other row is a mission item, its frame kept
//! exactly as written. CRLF line ends, blank lines and a missing final newline are accepted.
//!
//! Writing uses tabs, `\n` line ends, a final newline, and numbers printed as Rust's shortest
//! exact decimal (NaN as `NaN`), so read → write → read gives the same mission.

use std::fmt::Write as _;

use super::error::{Note, ParseError};
use super::model::{
    FenceCircle, FencePolygon, GeoPoint, HomeCircle, LatLon, Mission, MissionItem, RallyPoint,
    is_global_frame,
};
use super::plan::rally_notes;

const FIELD_NAMES: [&str; 12] = [
    "index",
    "current",
    "frame",
    "command",
    "param1",
    "param2",
    "param3",
    "param4",
    "latitude",
    "longitude",
    "altitude",
    "autocontinue",
];

pub(crate) const CMD_FENCE_RETURN: u16 = 5000;
pub(crate) const CMD_FENCE_VERTEX_INCLUSION: u16 = 5001;
pub(crate) const CMD_FENCE_VERTEX_EXCLUSION: u16 = 5002;
pub(crate) const CMD_FENCE_CIRCLE_INCLUSION: u16 = 5003;
pub(crate) const CMD_FENCE_CIRCLE_EXCLUSION: u16 = 5004;
pub(crate) const CMD_FENCE_HOME_CIRCLE: u16 = 5005;
pub(crate) const CMD_RALLY: u16 = 5100;
const CMD_WAYPOINT: u16 = 16;

pub(crate) fn is_fence_or_rally(command: u16) -> bool {
    (CMD_FENCE_RETURN..=CMD_FENCE_HOME_CIRCLE).contains(&command) || command == CMD_RALLY
}

/// True when `text` starts (after blank lines) with a `QGC WPL` header.
pub fn looks_like_wpl(text: &str) -> bool {
    first_content_line(text).is_some_and(|(_, l)| l.trim_start().starts_with("QGC WPL"))
}

pub(crate) fn first_content_line(text: &str) -> Option<(usize, &str)> {
    text.trim_start_matches('\u{feff}')
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .find(|(_, l)| !l.trim().is_empty())
}

/// One parsed row, before it is sorted into items, fence or rally.
pub(crate) struct Row {
    line: usize,
    frame: u8,
    command: u16,
    params: [f64; 4],
    lat: f64,
    lon: f64,
    alt: f64,
    autocontinue: bool,
}

impl Row {
    /// A mission item as a row; `line` is what errors call its place.
    pub(crate) fn from_item(line: usize, it: &MissionItem) -> Self {
        Self {
            line,
            frame: it.frame,
            command: it.command,
            params: it.params,
            lat: it.lat_deg,
            lon: it.lon_deg,
            alt: it.alt_m,
            autocontinue: it.autocontinue,
        }
    }
}

/// Reads a QGC WPL 110/120 document.
pub fn read_wpl(text: &str) -> Result<(Mission, Vec<Note>), ParseError> {
    let mut lines = text
        .trim_start_matches('\u{feff}')
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty());

    let Some((hline, header)) = lines.next() else {
        return Err(ParseError::line(
            1,
            "header",
            "\"QGC WPL 110\"",
            "an empty file",
        ));
    };
    let version = header.trim().strip_prefix("QGC WPL").map(str::trim);
    if !matches!(version, Some("110") | Some("120")) {
        return Err(ParseError::line(
            hline,
            "header",
            "\"QGC WPL 110\" or \"QGC WPL 120\"",
            header,
        ));
    }

    let mut rows = Vec::new();
    for (line, text) in lines {
        rows.push(parse_row(line, text)?);
    }

    let mut mission = Mission::default();
    let mut notes = Vec::new();
    let mut fence_builder = FenceBuilder::default();

    for (i, row) in rows.into_iter().enumerate() {
        if i == 0 && !is_fence_or_rally(row.command) {
            check_position(&row)?;
            read_home_row(&row, &mut mission, &mut notes);
            continue;
        }
        match row.command {
            CMD_RALLY => {
                check_position(&row)?;
                fence_builder.check_closed(row.line)?;
                mission.rally.push(RallyPoint {
                    frame: Some(row.frame),
                    ..RallyPoint::new(GeoPoint {
                        lat_deg: row.lat,
                        lon_deg: row.lon,
                        alt_m: row.alt,
                    })
                });
            }
            c if is_fence_or_rally(c) => fence_builder.add(&row, &mut mission)?,
            _ => {
                fence_builder.check_closed(row.line)?;
                if is_global_frame(row.frame) {
                    check_lat_lon(&row, true)?;
                }
                mission.items.push(MissionItem {
                    command: row.command,
                    frame: row.frame,
                    params: row.params,
                    lat_deg: row.lat,
                    lon_deg: row.lon,
                    alt_m: row.alt,
                    autocontinue: row.autocontinue,
                });
            }
        }
    }
    fence_builder.finish()?;
    Ok((mission, notes))
}

fn read_home_row(row: &Row, mission: &mut Mission, notes: &mut Vec<Note>) {
    // Mission Planner writes an all-zero row 0 (even command 0) when no home was set.
    if row.lat == 0.0 && row.lon == 0.0 {
        if row.command != CMD_WAYPOINT || row.alt != 0.0 {
            notes.push(Note::new(format!(
                "line {}: row 0 (home) has command {} at latitude 0, longitude 0: read as no \
                 planned home",
                row.line, row.command
            )));
        }
        return;
    }
    if row.command != CMD_WAYPOINT {
        notes.push(Note::new(format!(
            "line {}: row 0 is the home position, but has command {}: its position is read as the \
             planned home, its command and params are not kept",
            row.line, row.command
        )));
    }
    mission.planned_home = Some(GeoPoint {
        lat_deg: row.lat,
        lon_deg: row.lon,
        alt_m: row.alt,
    });
    mission.planned_home_frame = row.frame;
}

fn parse_row(line: usize, text: &str) -> Result<Row, ParseError> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    if fields.len() != 12 {
        return Err(ParseError::line(
            line,
            "row",
            format!("12 tab-separated fields, not {}", fields.len()),
            truncate(text),
        ));
    }
    let field = |k: usize| format!("field {} ({})", k + 1, FIELD_NAMES[k]);
    let int = |k: usize, max: u64| -> Result<u64, ParseError> {
        fields[k]
            .parse::<u64>()
            .ok()
            .filter(|&v| v <= max)
            .ok_or_else(|| {
                ParseError::line(
                    line,
                    field(k),
                    format!("an integer from 0 to {max}"),
                    fields[k],
                )
            })
    };
    let real = |k: usize| -> Result<f64, ParseError> {
        fields[k]
            .parse::<f64>()
            .ok()
            .filter(|v| !v.is_infinite())
            .ok_or_else(|| ParseError::line(line, field(k), "a number", fields[k]))
    };
    int(0, u64::from(u32::MAX))?;
    int(1, 1)?;
    Ok(Row {
        line,
        frame: int(2, 255)? as u8,
        command: int(3, 65535)? as u16,
        params: [real(4)?, real(5)?, real(6)?, real(7)?],
        lat: real(8)?,
        lon: real(9)?,
        alt: real(10)?,
        autocontinue: int(11, 1)? == 1,
    })
}

fn check_lat_lon(row: &Row, nan_ok: bool) -> Result<(), ParseError> {
    let ok_lat = (nan_ok && row.lat.is_nan()) || (-90.0..=90.0).contains(&row.lat);
    if !ok_lat {
        return Err(ParseError::line(
            row.line,
            "field 9 (latitude)",
            "a latitude from -90 to 90 degrees",
            fmt_num(row.lat),
        ));
    }
    let ok_lon = (nan_ok && row.lon.is_nan()) || (-180.0..=180.0).contains(&row.lon);
    if !ok_lon {
        return Err(ParseError::line(
            row.line,
            "field 10 (longitude)",
            "a longitude from -180 to 180 degrees",
            fmt_num(row.lon),
        ));
    }
    Ok(())
}

fn check_position(row: &Row) -> Result<(), ParseError> {
    check_lat_lon(row, false)
}

/// Gathers fence rows: polygons come as runs of vertices whose param1 is the vertex count.
#[derive(Default)]
pub(crate) struct FenceBuilder {
    open: Option<OpenPolygon>,
}

struct OpenPolygon {
    start_line: usize,
    command: u16,
    count: usize,
    vertices: Vec<LatLon>,
}

impl FenceBuilder {
    pub(crate) fn add(&mut self, row: &Row, mission: &mut Mission) -> Result<(), ParseError> {
        match row.command {
            CMD_FENCE_VERTEX_INCLUSION | CMD_FENCE_VERTEX_EXCLUSION => {
                check_position(row)?;
                let vertex = LatLon {
                    lat_deg: row.lat,
                    lon_deg: row.lon,
                };
                if let Some(open) = self.open.as_mut() {
                    if open.command != row.command {
                        return Err(incomplete(open, row.line));
                    }
                    open.vertices.push(vertex);
                } else {
                    let p1 = row.params[0];
                    if !(p1.fract() == 0.0 && (3.0..=1.0e6).contains(&p1)) {
                        return Err(ParseError::line(
                            row.line,
                            "field 5 (param1, vertex count)",
                            "a whole vertex count of at least 3",
                            fmt_num(p1),
                        ));
                    }
                    self.open = Some(OpenPolygon {
                        start_line: row.line,
                        command: row.command,
                        count: p1 as usize,
                        vertices: vec![vertex],
                    });
                }
                self.close_full(mission);
            }
            CMD_FENCE_RETURN => {
                self.check_closed(row.line)?;
                check_position(row)?;
                mission.fence.return_point = Some(LatLon {
                    lat_deg: row.lat,
                    lon_deg: row.lon,
                });
            }
            CMD_FENCE_CIRCLE_INCLUSION | CMD_FENCE_CIRCLE_EXCLUSION => {
                self.check_closed(row.line)?;
                check_position(row)?;
                let radius_m = radius(row)?;
                mission.fence.circles.push(FenceCircle {
                    inclusion: row.command == CMD_FENCE_CIRCLE_INCLUSION,
                    center: LatLon {
                        lat_deg: row.lat,
                        lon_deg: row.lon,
                    },
                    radius_m,
                });
            }
            _ => {
                // CMD_FENCE_HOME_CIRCLE: the only other fence command is_fence_or_rally admits.
                self.check_closed(row.line)?;
                let radius_m = radius(row)?;
                mission.fence.home_circles.push(HomeCircle { radius_m });
            }
        }
        Ok(())
    }

    fn close_full(&mut self, mission: &mut Mission) {
        if self
            .open
            .as_ref()
            .is_some_and(|o| o.vertices.len() == o.count)
            && let Some(open) = self.open.take()
        {
            mission.fence.polygons.push(FencePolygon {
                inclusion: open.command == CMD_FENCE_VERTEX_INCLUSION,
                vertices: open.vertices,
            });
        }
    }

    /// Another kind of row arrived: a polygon still open is missing vertices.
    fn check_closed(&self, line: usize) -> Result<(), ParseError> {
        match &self.open {
            Some(open) => Err(incomplete(open, line)),
            None => Ok(()),
        }
    }

    pub(crate) fn finish(self) -> Result<(), ParseError> {
        match &self.open {
            Some(open) => Err(incomplete(open, open.start_line + open.vertices.len())),
            None => Ok(()),
        }
    }
}

fn incomplete(open: &OpenPolygon, line: usize) -> ParseError {
    ParseError::line(
        line,
        "field 4 (command)",
        format!(
            "vertex {} of the {}-vertex fence polygon that starts on line {}",
            open.vertices.len() + 1,
            open.count,
            open.start_line
        ),
        "another row or the end of the file",
    )
}

fn radius(row: &Row) -> Result<f64, ParseError> {
    let r = row.params[0];
    if r.is_finite() && r > 0.0 {
        Ok(r)
    } else {
        Err(ParseError::line(
            row.line,
            "field 5 (param1, radius)",
            "a radius above 0 m",
            fmt_num(r),
        ))
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(77).collect();
        format!("{cut}...")
    } else {
        s.to_owned()
    }
}

// ------------------------------------------------------------------------------------------------
// Writing

/// A number printed so that parsing it gives back the same `f64`: Rust's shortest exact
/// decimal, `NaN` for NaN (the spelling Mission Planner, Python and C all parse).
pub(crate) fn fmt_num(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else {
        format!("{v}")
    }
}

/// Writes `mission` as QGC WPL 110.
///
/// A mission with items or a planned home is written as a mission (home in row 0); its fence,
/// rally points and kept complex items are not written and each is named in a note. A mission
/// with only a fence is written as a fence file (5000–5005 rows), and one with only rally
/// points as a rally file (5100 rows), as MAVProxy and pymavlink write them.
pub fn write_wpl(mission: &Mission) -> (String, Vec<Note>) {
    let mut out = String::from("QGC WPL 110\n");
    let mut notes = Vec::new();
    let has_fence = !mission.fence.is_empty();
    let has_rally = !mission.rally.is_empty();
    let mission_form =
        !mission.items.is_empty() || mission.planned_home.is_some() || (!has_fence && !has_rally);

    if mission_form {
        let (frame, home) = match mission.planned_home {
            Some(h) => (mission.planned_home_frame, [h.lat_deg, h.lon_deg, h.alt_m]),
            None => (0, [0.0; 3]),
        };
        push_row(&mut out, 0, true, frame, CMD_WAYPOINT, [0.0; 4], home, true);
        if home[2].is_nan() {
            // Vigil reads it back, but other ground stations may not expect NaN in row 0.
            notes.push(Note::new(
                "planned home altitude is unknown (null in the .plan): row 0 holds NaN",
            ));
        }
        for (i, it) in mission.items.iter().enumerate() {
            let pos = [it.lat_deg, it.lon_deg, it.alt_m];
            push_row(
                &mut out,
                i + 1,
                false,
                it.frame,
                it.command,
                it.params,
                pos,
                it.autocontinue,
            );
        }
        if has_fence {
            notes.push(fence_not_written(mission));
        }
        if has_rally {
            notes.push(Note::new(format!(
                "{} rally point(s) not written: a .waypoints mission holds mission items only \
                 (write a .plan, or the rally points alone)",
                mission.rally.len()
            )));
        }
    } else if has_fence {
        write_fence_rows(&mut out, mission);
        if has_rally {
            notes.push(Note::new(format!(
                "{} rally point(s) not written: a .waypoints fence file holds the fence only",
                mission.rally.len()
            )));
        }
    } else {
        for (i, r) in mission.rally.iter().enumerate() {
            let p = r.position;
            let frame = r.frame.unwrap_or(3);
            push_row(
                &mut out,
                i,
                false,
                frame,
                CMD_RALLY,
                [0.0; 4],
                [p.lat_deg, p.lon_deg, p.alt_m],
                false,
            );
            rally_notes(r, i + 1, ".waypoints", &mut notes);
        }
    }
    if let Some(n) = settings_not_written(mission, ".waypoints") {
        notes.push(n);
    }
    for k in &mission.kept_complex_items {
        notes.push(Note::new(format!(
            "complex item '{}' (before mission item {}) not written: .waypoints holds simple \
             mission items only",
            k.complex_type,
            k.before_item + 1
        )));
    }
    (out, notes)
}

/// A note naming the plan-wide settings (vehicle and firmware type, speeds) a text format
/// cannot hold, or `None` when the mission has none.
pub(crate) fn settings_not_written(mission: &Mission, format: &str) -> Option<Note> {
    let mut lost = Vec::new();
    if let Some(v) = mission.vehicle_type {
        lost.push(format!("vehicle type {v}"));
    }
    if let Some(f) = mission.firmware_type {
        lost.push(format!("firmware type {f}"));
    }
    if let Some(s) = mission.cruise_speed_mps {
        lost.push(format!("cruise speed {s} m/s"));
    }
    if let Some(s) = mission.hover_speed_mps {
        lost.push(format!("hover speed {s} m/s"));
    }
    (!lost.is_empty()).then(|| {
        Note::new(format!(
            "{} not written: {format} files do not hold them",
            lost.join(", ")
        ))
    })
}

fn fence_not_written(mission: &Mission) -> Note {
    let f = &mission.fence;
    let mut parts = Vec::new();
    if !f.polygons.is_empty() {
        parts.push(format!("{} polygon(s)", f.polygons.len()));
    }
    if !f.circles.is_empty() {
        parts.push(format!("{} circle(s)", f.circles.len()));
    }
    if !f.home_circles.is_empty() {
        parts.push(format!("{} circle(s) around home", f.home_circles.len()));
    }
    if f.return_point.is_some() {
        parts.push("a return point".to_owned());
    }
    Note::new(format!(
        "fence ({}) not written: a .waypoints mission holds mission items only (write a .plan, \
         or the fence alone)",
        parts.join(", ")
    ))
}

fn write_fence_rows(out: &mut String, mission: &Mission) {
    let mut items = super::fence_items::fence_to_items(&mission.fence);
    for h in &mission.fence.home_circles {
        items.push(MissionItem {
            command: CMD_FENCE_HOME_CIRCLE,
            frame: 0,
            params: [h.radius_m, 0.0, 0.0, 0.0],
            lat_deg: 0.0,
            lon_deg: 0.0,
            alt_m: 0.0,
            autocontinue: false,
        });
    }
    for (seq, it) in items.iter().enumerate() {
        let pos = [it.lat_deg, it.lon_deg, it.alt_m];
        push_row(
            out,
            seq,
            false,
            it.frame,
            it.command,
            it.params,
            pos,
            it.autocontinue,
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn push_row(
    out: &mut String,
    index: usize,
    current: bool,
    frame: u8,
    command: u16,
    params: [f64; 4],
    pos: [f64; 3],
    autocontinue: bool,
) {
    // Writing into a String cannot fail.
    let _ = write!(out, "{index}\t{}\t{frame}\t{command}", u8::from(current));
    for v in params.iter().chain(pos.iter()) {
        out.push('\t');
        out.push_str(&fmt_num(*v));
    }
    let _ = writeln!(out, "\t{}", u8::from(autocontinue));
}

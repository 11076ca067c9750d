//! Legacy ArduPilot fence and rally text files (MAVProxy `fence save` / `rally save`).
//!
//! Fence: one `lat lon` pair per line; the first is the return point, the rest the inclusion
//! polygon, the last repeating the first vertex to close it. Rally: one
//! `RALLY lat lon alt break_alt land_dir flags` line per point, altitudes relative to home.
//! Lines starting with `#` and blank lines are skipped; CRLF is accepted.

use std::fmt::Write as _;

use super::error::{Note, ParseError};
use super::model::{FencePolygon, GeoPoint, LatLon, Mission, RallyPoint};
use super::wpl::{fmt_num, settings_not_written};

fn content_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.trim_start_matches('\u{feff}')
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r').trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

/// True when the first content line is a `RALLY` line.
pub fn looks_like_rally(text: &str) -> bool {
    content_lines(text)
        .next()
        .is_some_and(|(_, l)| starts_with_rally(l))
}

fn starts_with_rally(l: &str) -> bool {
    l.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("RALLY"))
}

/// True when the first content line is two numbers (a legacy fence point).
pub fn looks_like_fence(text: &str) -> bool {
    content_lines(text).next().is_some_and(|(_, l)| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.len() == 2 && f.iter().all(|x| x.parse::<f64>().is_ok())
    })
}

fn coord(line: usize, field: &str, s: &str, limit: f64) -> Result<f64, ParseError> {
    let what = if limit == 90.0 {
        "latitude"
    } else {
        "longitude"
    };
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && v.abs() <= limit)
        .ok_or_else(|| {
            ParseError::line(
                line,
                field,
                format!("a {what} from -{limit} to {limit} degrees"),
                s,
            )
        })
}

/// Reads a legacy fence file into a mission holding only a fence.
pub fn read_legacy_fence(text: &str) -> Result<(Mission, Vec<Note>), ParseError> {
    let mut points: Vec<(usize, LatLon)> = Vec::new();
    for (line, l) in content_lines(text) {
        let f: Vec<&str> = l.split_whitespace().collect();
        if f.len() != 2 {
            return Err(ParseError::line(
                line,
                "point",
                "\"latitude longitude\"",
                format!("{} fields in {l:?}", f.len()),
            ));
        }
        let lat = coord(line, "field 1 (latitude)", f[0], 90.0)?;
        let lon = coord(line, "field 2 (longitude)", f[1], 180.0)?;
        points.push((
            line,
            LatLon {
                lat_deg: lat,
                lon_deg: lon,
            },
        ));
    }
    let mut notes = Vec::new();
    let last_line = points.last().map_or(1, |p| p.0);
    if points.len() < 4 {
        return Err(ParseError::line(
            last_line,
            "fence",
            "a return point and at least 3 polygon vertices",
            format!("{} points", points.len()),
        ));
    }
    let return_point = points[0].1;
    let mut vertices: Vec<LatLon> = points[1..].iter().map(|p| p.1).collect();
    if vertices.len() > 3 && vertices.first() == vertices.last() {
        vertices.pop();
    } else {
        notes.push(Note::new(format!(
            "line {last_line}: the last fence point does not repeat the first vertex: the polygon \
             is closed implicitly"
        )));
    }
    let mut mission = Mission::default();
    mission.fence.return_point = Some(return_point);
    mission.fence.polygons.push(FencePolygon {
        inclusion: true,
        vertices,
    });
    Ok((mission, notes))
}

/// Reads a legacy rally file into a mission holding only rally points.
pub fn read_legacy_rally(text: &str) -> Result<(Mission, Vec<Note>), ParseError> {
    const NAMES: [&str; 7] = [
        "keyword",
        "latitude",
        "longitude",
        "altitude",
        "break_alt",
        "land_dir",
        "flags",
    ];
    let mut mission = Mission::default();
    for (line, l) in content_lines(text) {
        let f: Vec<&str> = l.split_whitespace().collect();
        if f.len() != 7 || !starts_with_rally(f[0]) || f[0].len() != 5 {
            return Err(ParseError::line(
                line,
                "rally point",
                "\"RALLY lat lon alt break_alt land_dir flags\"",
                l,
            ));
        }
        let field = |k: usize| format!("field {} ({})", k + 1, NAMES[k]);
        let real = |k: usize| -> Result<f64, ParseError> {
            // NaN (an unknown altitude a .plan left `null`) is kept; infinities are not numbers.
            f[k].parse::<f64>()
                .ok()
                .filter(|v| !v.is_infinite())
                .ok_or_else(|| ParseError::line(line, field(k), "a number", f[k]))
        };
        let lat = coord(line, &field(1), f[1], 90.0)?;
        let lon = coord(line, &field(2), f[2], 180.0)?;
        let flags = f[6]
            .parse::<u8>()
            .map_err(|_| ParseError::line(line, field(6), "an integer from 0 to 255", f[6]))?;
        mission.rally.push(RallyPoint {
            break_alt_m: Some(real(4)?),
            land_dir_deg: Some(real(5)?),
            flags: Some(flags),
            ..RallyPoint::new(GeoPoint {
                lat_deg: lat,
                lon_deg: lon,
                alt_m: real(3)?,
            })
        });
    }
    if mission.rally.is_empty() {
        return Err(ParseError::line(
            1,
            "rally file",
            "at least one RALLY line",
            "no RALLY lines",
        ));
    }
    Ok((mission, Vec::new()))
}

/// Writes the first inclusion polygon and the return point as a legacy fence file.
///
/// Fails (as `Err(reason)`) when the mission has no inclusion polygon. Everything else the
/// mission holds is named in a note. With no return point the mean of the vertices is used,
/// and a note says so.
pub fn write_legacy_fence(mission: &Mission) -> Result<(String, Vec<Note>), String> {
    let fence = &mission.fence;
    let Some((index, polygon)) = fence.polygons.iter().enumerate().find(|(_, p)| p.inclusion)
    else {
        return Err(
            "the mission has no inclusion fence polygon, the only shape a legacy fence \
                    file holds"
                .to_owned(),
        );
    };
    let mut notes = Vec::new();
    let ret = fence.return_point.unwrap_or_else(|| {
        let n = polygon.vertices.len().max(1) as f64;
        let lat = polygon.vertices.iter().map(|v| v.lat_deg).sum::<f64>() / n;
        let lon = polygon.vertices.iter().map(|v| v.lon_deg).sum::<f64>() / n;
        notes.push(Note::new(format!(
            "fence has no return point: the mean of the polygon's vertices ({}, {}) is written \
             as the return point",
            fmt_num(lat),
            fmt_num(lon)
        )));
        LatLon {
            lat_deg: lat,
            lon_deg: lon,
        }
    });

    let mut out = String::new();
    let mut point = |p: &LatLon| {
        let _ = writeln!(out, "{}\t{}", fmt_num(p.lat_deg), fmt_num(p.lon_deg));
    };
    point(&ret);
    for v in &polygon.vertices {
        point(v);
    }
    if let Some(first) = polygon.vertices.first() {
        point(first);
    }

    for (i, p) in fence
        .polygons
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != index)
    {
        let kind = if p.inclusion {
            "inclusion"
        } else {
            "exclusion"
        };
        notes.push(Note::new(format!(
            "fence polygon {} ({kind}, {} vertices) not written: a legacy fence file holds one \
             inclusion polygon",
            i + 1,
            p.vertices.len()
        )));
    }
    for (i, c) in fence.circles.iter().enumerate() {
        notes.push(Note::new(format!(
            "fence circle {} (radius {} m) not written: a legacy fence file holds no circles",
            i + 1,
            c.radius_m
        )));
    }
    for (i, c) in fence.home_circles.iter().enumerate() {
        notes.push(Note::new(format!(
            "fence home circle {} (radius {} m) not written: a legacy fence file holds no circles",
            i + 1,
            c.radius_m
        )));
    }
    notes.extend(other_parts_note(mission, "legacy fence", true, false));
    Ok((out, notes))
}

/// Writes the rally points as a legacy rally file. Fails when there are none.
pub fn write_legacy_rally(mission: &Mission) -> Result<(String, Vec<Note>), String> {
    if mission.rally.is_empty() {
        return Err("the mission has no rally points".to_owned());
    }
    let mut out = String::new();
    let mut notes = Vec::new();
    for (i, r) in mission.rally.iter().enumerate() {
        let p = r.position;
        let break_alt = r.break_alt_m.unwrap_or_else(|| {
            notes.push(Note::new(format!(
                "rally point {}: no break altitude known: its own altitude {} m is written",
                i + 1,
                fmt_num(p.alt_m)
            )));
            p.alt_m
        });
        if let Some(f) = r.frame.filter(|&f| f != 3) {
            notes.push(Note::new(format!(
                "rally point {}: altitude {} m is in MAV_FRAME {f}, but legacy rally altitudes \
                 are relative to home: written unchanged, frame not kept",
                i + 1,
                fmt_num(p.alt_m)
            )));
        }
        let _ = writeln!(
            out,
            "RALLY {}\t{}\t{}\t{}\t{}\t{}",
            fmt_num(p.lat_deg),
            fmt_num(p.lon_deg),
            fmt_num(p.alt_m),
            fmt_num(break_alt),
            fmt_num(r.land_dir_deg.unwrap_or(0.0)),
            r.flags.unwrap_or(0)
        );
    }
    notes.extend(other_parts_note(mission, "legacy rally", false, true));
    Ok((out, notes))
}

/// Notes for the mission parts a fence-only or rally-only file cannot hold.
fn other_parts_note(
    mission: &Mission,
    format: &str,
    fence_written: bool,
    rally_written: bool,
) -> Vec<Note> {
    let mut notes = Vec::new();
    if !mission.items.is_empty() {
        notes.push(Note::new(format!(
            "{} mission item(s) not written: a {format} file holds no mission items",
            mission.items.len()
        )));
    }
    if mission.planned_home.is_some() {
        notes.push(Note::new(format!(
            "planned home not written: a {format} file holds no home"
        )));
    }
    if !fence_written && !mission.fence.is_empty() {
        notes.push(Note::new(format!(
            "fence not written: a {format} file holds no fence"
        )));
    }
    if !rally_written && !mission.rally.is_empty() {
        notes.push(Note::new(format!(
            "{} rally point(s) not written: a {format} file holds no rally points",
            mission.rally.len()
        )));
    }
    notes.extend(settings_not_written(mission, format));
    for k in &mission.kept_complex_items {
        notes.push(Note::new(format!(
            "complex item '{}' not written: a {format} file holds no mission items",
            k.complex_type
        )));
    }
    notes
}

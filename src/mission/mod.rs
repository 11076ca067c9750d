//! Missions: the model shared by the planner, the files and the link, and the file formats
//! other ground stations read and write (QGC `.plan`, QGC WPL `.waypoints`, legacy ArduPilot
//! fence and rally files).
//!
//! [`read_mission`] and [`write_mission`] choose the format from the file name:
//!
//! | extension | read | write |
//! |---|---|---|
//! | `.plan` | QGC plan JSON | QGC plan JSON, version 2 |
//! | `.waypoints` | QGC WPL 110/120 | QGC WPL 110 |
//! | `.json` | QGC plan JSON | — |
//! | `.txt` | sniffed: `QGC WPL` header, `RALLY` lines, `lat lon` fence lines, or JSON | QGC WPL 110 |
//!
//! A `.txt` is written as QGC WPL because that is what ArduPilot's tools and Mission Planner
//! save missions as; the legacy fence and rally files are written only when asked for by name
//! with [`write_mission_as`]. Whatever a target format cannot hold is returned as a [`Note`].

mod error;
mod fence_items;
mod int_fields;
mod legacy;
mod model;
pub mod plan;
pub mod wpl;

use std::io::Read as _;
use std::path::Path;

pub use error::{MissionFileError, Note, ParseError};
pub use fence_items::{
    FenceItemsError, fence_from_items, fence_to_items, rally_from_items, rally_to_items,
};
pub use int_fields::IntFields;
pub use legacy::{read_legacy_fence, read_legacy_rally, write_legacy_fence, write_legacy_rally};
pub use model::{
    FenceCircle, FencePolygon, GeoFence, GeoPoint, HomeCircle, KeptComplexItem, LatLon, Mission,
    MissionItem, RallyPoint, is_global_frame,
};
pub use plan::{read_plan, write_plan};
pub use wpl::{read_wpl, write_wpl};

/// The largest mission file Vigil reads: 16 MiB, far above any real mission (a full
/// ArduPilot mission of 720 items is about 300 kB as `.plan`).
pub const MAX_MISSION_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A mission file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissionFormat {
    /// QGroundControl `.plan` JSON.
    Plan,
    /// QGC WPL 110 text (`.waypoints`, and `.txt` by default).
    Waypoints,
    /// Legacy ArduPilot fence file (`lat lon` lines).
    LegacyFence,
    /// Legacy ArduPilot rally file (`RALLY ...` lines).
    LegacyRally,
}

impl MissionFormat {
    /// The format's name as the command line and notes spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Plan => "plan",
            Self::Waypoints => "waypoints",
            Self::LegacyFence => "legacy-fence",
            Self::LegacyRally => "legacy-rally",
        }
    }

    /// The format named `name` (`plan`, `waypoints`, `legacy-fence`, `legacy-rally`).
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::Plan,
            Self::Waypoints,
            Self::LegacyFence,
            Self::LegacyRally,
        ]
        .into_iter()
        .find(|f| f.name() == name)
    }

    /// The format written for `path`'s extension (`.plan`, `.waypoints`, `.txt`).
    pub fn for_writing(path: &Path) -> Option<Self> {
        match extension(path).as_deref() {
            Some("plan") => Some(Self::Plan),
            Some("waypoints") | Some("txt") => Some(Self::Waypoints),
            _ => None,
        }
    }

    /// The format of `text`, judged from its first content line (for `.txt` files).
    pub fn sniff(text: &str) -> Option<Self> {
        if wpl::looks_like_wpl(text) {
            Some(Self::Waypoints)
        } else if legacy::looks_like_rally(text) {
            Some(Self::LegacyRally)
        } else if legacy::looks_like_fence(text) {
            Some(Self::LegacyFence)
        } else if text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{')
        {
            Some(Self::Plan)
        } else {
            None
        }
    }
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Parses `text` as `format`.
pub fn read_mission_str(
    text: &str,
    format: MissionFormat,
) -> Result<(Mission, Vec<Note>), ParseError> {
    match format {
        MissionFormat::Plan => read_plan(text),
        MissionFormat::Waypoints => read_wpl(text),
        MissionFormat::LegacyFence => read_legacy_fence(text),
        MissionFormat::LegacyRally => read_legacy_rally(text),
    }
}

/// Reads a mission file, choosing the format by extension (`.plan`, `.waypoints`) or, for
/// `.txt`, by its content. Files above [`MAX_MISSION_FILE_BYTES`] are refused unread.
pub fn read_mission(path: &Path) -> Result<(Mission, Vec<Note>), MissionFileError> {
    let io = |source| MissionFileError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_MISSION_FILE_BYTES {
        return Err(MissionFileError::TooLarge {
            path: path.to_owned(),
            size,
            limit: MAX_MISSION_FILE_BYTES,
        });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // Read one byte past the limit so a file that grew after the size check is still caught.
    file.take(MAX_MISSION_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_MISSION_FILE_BYTES {
        return Err(MissionFileError::TooLarge {
            path: path.to_owned(),
            size: bytes.len() as u64,
            limit: MAX_MISSION_FILE_BYTES,
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| MissionFileError::Parse {
        path: path.to_owned(),
        source: ParseError::Line {
            line: 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count(),
            field: "text".into(),
            expected: "UTF-8 text".into(),
            found: format!("an invalid byte at offset {}", e.utf8_error().valid_up_to()),
        },
    })?;

    let format = match extension(path).as_deref() {
        // `.json`: plan fragments such as those quoted in bug reports.
        Some("plan") | Some("json") => MissionFormat::Plan,
        Some("waypoints") => MissionFormat::Waypoints,
        Some("txt") => {
            MissionFormat::sniff(&text).ok_or_else(|| MissionFileError::UnknownFormat {
                path: path.to_owned(),
                reason: match wpl::first_content_line(&text) {
                    Some((line, l)) => format!(
                        "line {line} ({:?}) is neither a QGC WPL header, a RALLY line, a \
                     \"lat lon\" fence point nor JSON",
                        l.chars().take(60).collect::<String>()
                    ),
                    None => "the file is empty".to_owned(),
                },
            })?
        }
        other => {
            return Err(MissionFileError::UnknownFormat {
                path: path.to_owned(),
                reason: format!(
                    "extension {:?}: expected .plan, .waypoints, .txt or .json",
                    other.unwrap_or("")
                ),
            });
        }
    };
    read_mission_str(&text, format).map_err(|source| MissionFileError::Parse {
        path: path.to_owned(),
        source,
    })
}

/// Renders `mission` as `format`, with notes for what the format cannot hold. Fails only when
/// the format can hold nothing of the mission (a legacy fence without an inclusion polygon, a
/// legacy rally file without rally points).
pub fn mission_to_string(
    mission: &Mission,
    format: MissionFormat,
) -> Result<(String, Vec<Note>), String> {
    match format {
        MissionFormat::Plan => Ok(write_plan(mission)),
        MissionFormat::Waypoints => Ok(write_wpl(mission)),
        MissionFormat::LegacyFence => write_legacy_fence(mission),
        MissionFormat::LegacyRally => write_legacy_rally(mission),
    }
}

/// Writes `mission` to `path` in the format its extension names (see the module table), through
/// [`crate::fsutil::write_atomic`]. Returns a note for each thing the format could not hold.
pub fn write_mission(path: &Path, mission: &Mission) -> Result<Vec<Note>, MissionFileError> {
    let format =
        MissionFormat::for_writing(path).ok_or_else(|| MissionFileError::UnknownFormat {
            path: path.to_owned(),
            reason: format!(
                "extension {:?}: expected .plan, .waypoints or .txt",
                extension(path).unwrap_or_default()
            ),
        })?;
    write_mission_as(path, mission, format)
}

/// Writes `mission` to `path` as `format`, whatever the extension, through
/// [`crate::fsutil::write_atomic`]. Nothing is written when it fails.
pub fn write_mission_as(
    path: &Path,
    mission: &Mission,
    format: MissionFormat,
) -> Result<Vec<Note>, MissionFileError> {
    let (text, notes) =
        mission_to_string(mission, format).map_err(|reason| MissionFileError::CannotWrite {
            path: path.to_owned(),
            format: format.name(),
            reason,
        })?;
    crate::fsutil::write_atomic(path, text.as_bytes()).map_err(|source| MissionFileError::Io {
        path: path.to_owned(),
        source,
    })?;
    tracing::debug!(path = %path.display(), format = format.name(), notes = notes.len(), "mission written");
    Ok(notes)
}

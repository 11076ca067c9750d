//! Errors and notes of the mission file readers and writers.

use std::fmt;
use std::path::PathBuf;

/// Something a target format could not hold, or a value a reader had to interpret: always
/// reported to the user, never dropped silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// One line naming the thing (`fence circle 2`, `rally point 1`, `complex item 'survey'`)
    /// and what happened to it.
    pub message: String,
}

impl Note {
    /// A note with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What is wrong inside a mission file's text, with where it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    /// The text is not JSON at all.
    #[error("line {line}, column {column}: malformed JSON: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    /// A `.plan` value has the wrong type or an impossible value.
    #[error("{at}: expected {expected}, found {found}")]
    Plan {
        /// JSON path of the value, e.g. `mission.items[3].params[4]`.
        at: String,
        expected: String,
        found: String,
    },
    /// A line of a text format (`.waypoints`, legacy fence or rally) is wrong.
    #[error("line {line}, {field}: expected {expected}, found {found:?}")]
    Line {
        /// 1-based line number in the file.
        line: usize,
        /// Which field, e.g. `field 9 (latitude)`.
        field: String,
        expected: String,
        found: String,
    },
}

impl ParseError {
    pub(crate) fn plan(at: impl Into<String>, expected: impl Into<String>, found: String) -> Self {
        Self::Plan {
            at: at.into(),
            expected: expected.into(),
            found,
        }
    }

    pub(crate) fn line(
        line: usize,
        field: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        Self::Line {
            line,
            field: field.into(),
            expected: expected.into(),
            found: found.into(),
        }
    }
}

/// Why a mission file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum MissionFileError {
    /// The file could not be opened, read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than any mission file Vigil accepts.
    #[error("{}: file is {size} bytes, larger than the {limit}-byte limit for mission files", path.display())]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    /// The extension or content names no format Vigil knows.
    #[error("{}: unknown mission file format: {reason}", path.display())]
    UnknownFormat { path: PathBuf, reason: String },
    /// The content is wrong; the inner error says where.
    #[error("{}: {source}", path.display())]
    Parse {
        path: PathBuf,
        #[source]
        source: ParseError,
    },
    /// The mission cannot be written in the chosen format at all.
    #[error("{}: cannot write {format}: {reason}", path.display())]
    CannotWrite {
        path: PathBuf,
        format: &'static str,
        reason: String,
    },
}

//! The alarm log: every alarm lifecycle event as one JSON line, beside the flight's tlog.
//!
//! A log is appended to while a flight goes on, so it cannot go through
//! [`crate::fsutil::write_atomic`]; instead each event is serialised whole first and written with
//! a single `write_all` on a file opened for appending, then flushed and synced. A crash leaves
//! at worst a missing last line, never a torn one in the middle, and a reader of a live log sees
//! whole lines.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::alarm::AlarmEvent;

/// One line: the event, with the wall-clock time it was logged (the event's own `time_s` is
/// the monitor's clock), so that the log lines up with the tlog's timestamps.
#[derive(Serialize)]
struct Line<'a> {
    logged_unix_s: f64,
    #[serde(flatten)]
    event: &'a AlarmEvent,
}

/// Why the alarm log could not be written.
#[derive(Debug, thiserror::Error)]
#[error("alarm log {path}: {source}")]
pub struct EventLogError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// An open alarm log.
#[derive(Debug)]
pub struct EventLog {
    path: PathBuf,
    file: File,
}

impl EventLog {
    /// The log's path for a flight recorded to `tlog`: `flight.tlog` → `flight.alarms.jsonl`.
    pub fn path_beside(tlog: &Path) -> PathBuf {
        tlog.with_extension("alarms.jsonl")
    }

    /// Opens (creating if needed) the log at `path` for appending.
    pub fn open(path: &Path) -> Result<Self, EventLogError> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| EventLogError {
                path: path.to_owned(),
                source,
            })?;
        Ok(Self {
            path: path.to_owned(),
            file,
        })
    }

    /// Where the log is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `events`, one JSON object a line (the event's fields plus `logged_unix_s`), in
    /// one write, then flushes to disk.
    pub fn append(&mut self, events: &[AlarmEvent]) -> Result<(), EventLogError> {
        if events.is_empty() {
            return Ok(());
        }
        let logged_unix_s = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let mut buf = Vec::with_capacity(256 * events.len());
        for event in events {
            let line = Line {
                logged_unix_s,
                event,
            };
            // Serialising plain structs of strings and numbers cannot fail; NaN becomes null.
            serde_json::to_writer(&mut buf, &line).map_err(|e| EventLogError {
                path: self.path.clone(),
                source: std::io::Error::other(e),
            })?;
            buf.push(b'\n');
        }
        let err = |source| EventLogError {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(&buf).map_err(err)?;
        self.file.flush().map_err(err)?;
        self.file.sync_data().map_err(err)
    }
}

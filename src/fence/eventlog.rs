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

use super::alarm::AlarmEvent;

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

    /// Appends `events`, one JSON object a line, in one write, then flushes to disk.
    pub fn append(&mut self, events: &[AlarmEvent]) -> Result<(), EventLogError> {
        if events.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::with_capacity(256 * events.len());
        for e in events {
            // Serialising plain structs of strings and numbers cannot fail; NaN becomes null.
            serde_json::to_writer(&mut buf, e).map_err(|e| EventLogError {
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

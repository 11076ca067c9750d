//! Telemetry logs (`.tlog`): every frame in and out, each preceded by its time as 8 bytes of
//! big-endian microseconds since the Unix epoch — the format pymavlink and Mission Planner
//! read — and a reader that resynchronises on damaged or mixed streams.
//!
//! The reader scans a byte buffer: at each position it expects a timestamp and a frame whose
//! checksum (with the dialect's CRC extra, through the `mavlink` crate) is right. Anything else
//! is skipped one byte at a time and counted, so a file with console text, a truncated record
//! or a foreign timestamp is read as far as it can be and says how much it could not read.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mavlink::{MavlinkVersion, Message};

use super::MavMessage;
use super::frame::{CrcTable, FrameCheck};

/// Why a tlog could not be written.
#[derive(Debug, thiserror::Error)]
#[error("tlog {}: {source}", path.display())]
pub struct TlogError {
    /// The file.
    pub path: PathBuf,
    /// The I/O error.
    #[source]
    pub source: std::io::Error,
}

/// Writes a tlog, flushing at least once per second of writes so that a crash loses at most a
/// second. (A log is appended as it grows; the atomic write of finished files does not apply.)
#[derive(Debug)]
pub struct TlogWriter {
    path: PathBuf,
    out: BufWriter<File>,
    last_flush: Instant,
    frames: u64,
}

impl TlogWriter {
    /// Creates (or truncates) `path`.
    pub fn create(path: &Path) -> Result<Self, TlogError> {
        let file = File::create(path).map_err(|source| TlogError {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(64 * 1024, file),
            last_flush: Instant::now(),
            frames: 0,
        })
    }

    /// Records one raw frame at `time_us` (microseconds since the Unix epoch).
    pub fn write_frame_at(&mut self, time_us: u64, frame: &[u8]) -> Result<(), TlogError> {
        let r = self
            .out
            .write_all(&time_us.to_be_bytes())
            .and_then(|()| self.out.write_all(frame));
        r.map_err(|source| self.err(source))?;
        self.frames += 1;
        if self.last_flush.elapsed() >= Duration::from_secs(1) {
            self.flush()?;
        }
        Ok(())
    }

    /// Records one raw frame now.
    pub fn write_frame(&mut self, frame: &[u8]) -> Result<(), TlogError> {
        self.write_frame_at(now_us(), frame)
    }

    /// Writes buffered frames to the file (a session also calls this once per second).
    pub fn flush(&mut self) -> Result<(), TlogError> {
        self.last_flush = Instant::now();
        self.out.flush().map_err(|source| self.err(source))
    }

    /// Frames written.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    fn err(&self, source: std::io::Error) -> TlogError {
        TlogError {
            path: self.path.clone(),
            source,
        }
    }
}

impl Drop for TlogWriter {
    fn drop(&mut self) {
        // Best effort: an error here has nowhere to go; `flush` reports it to callers that ask.
        let _ = self.out.flush();
    }
}

/// Microseconds since the Unix epoch, now.
pub fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

// ---------------------------------------------------------------------------------------------

/// One record of a tlog: its timestamp and its frame.
#[derive(Debug, Clone, Copy)]
pub struct TlogRecord<'a> {
    /// Microseconds since the Unix epoch, as written.
    pub time_us: u64,
    /// The frame's bytes, from the start marker to the checksum (and signature).
    pub frame: &'a [u8],
    /// MAVLink 1 or 2.
    pub version: MavlinkVersion,
    /// Sender system id.
    pub system_id: u8,
    /// Sender component id.
    pub component_id: u8,
    /// Packet sequence number.
    pub sequence: u8,
    /// Message id.
    pub message_id: u32,
    /// Offset of the record (its timestamp) in the input.
    pub offset: usize,
}

impl TlogRecord<'_> {
    /// The payload bytes.
    pub fn payload(&self) -> &[u8] {
        match self.version {
            MavlinkVersion::V1 => &self.frame[6..6 + usize::from(self.frame[1])],
            MavlinkVersion::V2 => &self.frame[10..10 + usize::from(self.frame[1])],
        }
    }

    /// The message, decoded with the ardupilotmega dialect.
    pub fn message(&self) -> Option<MavMessage> {
        MavMessage::parse(self.version, self.message_id, self.payload()).ok()
    }
}

/// Iterates the records of a tlog held in memory, skipping (and counting) bytes that do not
/// form a record.
#[derive(Debug)]
pub struct TlogReader<'a> {
    data: &'a [u8],
    pos: usize,
    skipped: usize,
    crc: CrcTable,
    /// Whether records carry an 8-byte timestamp (false: a plain frame stream).
    timestamps: bool,
}

impl<'a> TlogReader<'a> {
    /// A reader over a tlog's bytes.
    pub fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            pos: 0,
            skipped: 0,
            crc: CrcTable::new(),
            timestamps: true,
        }
    }

    /// A reader over a plain frame stream without timestamps (a serial capture, a TCP stream
    /// with console text); records get time 0.
    pub fn frames_only(data: &'a [u8]) -> Self {
        Self {
            timestamps: false,
            ..Self::new(data)
        }
    }

    /// Bytes skipped so far because they formed no valid record.
    pub fn skipped_bytes(&self) -> usize {
        self.skipped
    }

    /// The frame starting at `at`, with its length, if it is whole and its checksum is right.
    #[inline]
    fn frame_at(&mut self, at: usize) -> Option<(MavlinkVersion, usize, u32)> {
        match self.crc.check(self.data, at) {
            FrameCheck::Valid(v, total, id) => Some((v, total, id)),
            _ => None,
        }
    }
}

impl<'a> Iterator for TlogReader<'a> {
    type Item = TlogRecord<'a>;

    fn next(&mut self) -> Option<TlogRecord<'a>> {
        let skip = if self.timestamps { 8 } else { 0 };
        while self.pos + skip < self.data.len() {
            let at = self.pos;
            if let Some((version, total, message_id)) = self.frame_at(at + skip) {
                let time_us = if self.timestamps {
                    let mut ts = [0u8; 8];
                    ts.copy_from_slice(&self.data[at..at + 8]);
                    u64::from_be_bytes(ts)
                } else {
                    0
                };
                let frame = &self.data[at + skip..at + skip + total];
                self.pos = at + skip + total;
                let (system_id, component_id, sequence) = match version {
                    MavlinkVersion::V1 => (frame[3], frame[4], frame[2]),
                    MavlinkVersion::V2 => (frame[5], frame[6], frame[4]),
                };
                return Some(TlogRecord {
                    time_us,
                    frame,
                    version,
                    system_id,
                    component_id,
                    sequence,
                    message_id,
                    offset: at,
                });
            }
            self.pos += 1;
            self.skipped += 1;
        }
        // Trailing bytes too short for a record.
        self.skipped += self.data.len().saturating_sub(self.pos);
        self.pos = self.data.len();
        None
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use mavlink::MavHeader;
    use mavlink::dialects::ardupilotmega::{
        HEARTBEAT_DATA, MavAutopilot, MavModeFlag, MavState, MavType,
    };

    fn heartbeat(version: MavlinkVersion, seq: u8) -> Vec<u8> {
        let msg = MavMessage::HEARTBEAT(HEARTBEAT_DATA {
            custom_mode: 3,
            mavtype: MavType::MAV_TYPE_QUADROTOR,
            autopilot: MavAutopilot::MAV_AUTOPILOT_ARDUPILOTMEGA,
            base_mode: MavModeFlag::MAV_MODE_FLAG_CUSTOM_MODE_ENABLED,
            system_status: MavState::MAV_STATE_ACTIVE,
            mavlink_version: 3,
        });
        let h = MavHeader {
            system_id: 1,
            component_id: 1,
            sequence: seq,
        };
        let mut buf = Vec::new();
        mavlink::write_versioned_msg(&mut buf, version, h, &msg).unwrap();
        buf
    }

    #[test]
    fn written_records_read_back_with_their_times() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.tlog");
        let mut w = TlogWriter::create(&path).unwrap();
        w.write_frame_at(1_700_000_000_000_000, &heartbeat(MavlinkVersion::V1, 7))
            .unwrap();
        w.write_frame_at(1_700_000_001_500_000, &heartbeat(MavlinkVersion::V2, 8))
            .unwrap();
        drop(w);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[..8], &1_700_000_000_000_000u64.to_be_bytes());
        let mut r = TlogReader::new(&bytes);
        let recs: Vec<_> = r.by_ref().collect();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].version, MavlinkVersion::V1);
        assert_eq!(recs[1].time_us, 1_700_000_001_500_000);
        assert_eq!((recs[1].sequence, recs[1].message_id), (8, 0));
        assert!(matches!(recs[1].message(), Some(MavMessage::HEARTBEAT(h)) if h.custom_mode == 3));
        assert_eq!(r.skipped_bytes(), 0);
    }

    #[test]
    fn garbage_and_a_corrupted_frame_are_skipped_and_counted() {
        let mut bytes = b"console text\n".to_vec();
        bytes.extend(1u64.to_be_bytes());
        let mut bad = heartbeat(MavlinkVersion::V2, 1);
        bad[12] ^= 0xff;
        bytes.extend(&bad);
        bytes.extend(2u64.to_be_bytes());
        bytes.extend(heartbeat(MavlinkVersion::V2, 2));
        bytes.extend([0xfd, 9]);
        let mut r = TlogReader::new(&bytes);
        let recs: Vec<_> = r.by_ref().collect();
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].time_us, 2);
        assert_eq!(recs[0].sequence, 2);
        assert_eq!(r.skipped_bytes(), 13 + 8 + bad.len() + 2);
    }
}

//! MAVLink frames on a byte stream: a resynchronising incremental parser (console text on
//! ArduPilot's TCP port, line noise on a radio), the encoder with our sequence numbers, and
//! MAVLink 2 signing (sign outgoing, count and optionally drop unsigned or badly signed
//! incoming).

use mavlink::{
    MAVLinkV2MessageRaw, MavHeader, MavlinkVersion, Message, SigningConfig, SigningData,
};

use super::MavMessage;

/// Whether bytes at a position form a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FrameCheck {
    /// A whole frame with a valid checksum: version, total length, message id.
    Valid(MavlinkVersion, usize, u32),
    /// Could be a frame, but more bytes are needed to tell.
    Incomplete,
    /// Not a frame here.
    Invalid,
}

/// The CRC extra of each message id the dialect knows, looked up once per id.
#[derive(Debug, Clone)]
pub(crate) struct CrcTable {
    /// Index = message id (< 65 536): 0 = not yet looked up, 1 = unknown, 0x100 | extra = known.
    small: Vec<u16>,
}

impl CrcTable {
    pub(crate) fn new() -> Self {
        Self {
            small: vec![0; 1 << 16],
        }
    }

    #[inline]
    fn extra(&mut self, id: u32) -> Option<u8> {
        let lookup =
            |id: u32| MavMessage::default_message_from_id(id).map(|_| MavMessage::extra_crc(id));
        if id >= 1 << 16 {
            return lookup(id);
        }
        let slot = &mut self.small[id as usize];
        if *slot == 0 {
            *slot = lookup(id).map_or(1, |e| 0x100 | u16::from(e));
        }
        (*slot >= 0x100).then_some(*slot as u8)
    }

    /// Checks the frame starting at `at` in `d` (through the `mavlink` crate's CRC).
    #[inline]
    pub(crate) fn check(&mut self, d: &[u8], at: usize) -> FrameCheck {
        let Some(&stx) = d.get(at) else {
            return FrameCheck::Incomplete;
        };
        let (version, header) = match stx {
            mavlink::MAV_STX => (MavlinkVersion::V1, 6),
            mavlink::MAV_STX_V2 => (MavlinkVersion::V2, 10),
            _ => return FrameCheck::Invalid,
        };
        if d.len() < at + header {
            return FrameCheck::Incomplete;
        }
        let len = usize::from(d[at + 1]);
        let (id, signed) = match version {
            MavlinkVersion::V1 => (u32::from(d[at + 5]), false),
            MavlinkVersion::V2 => {
                let incompat = d[at + 2];
                if incompat & !1 != 0 {
                    return FrameCheck::Invalid;
                }
                let id = u32::from_le_bytes([d[at + 7], d[at + 8], d[at + 9], 0]);
                (id, incompat & 1 != 0)
            }
        };
        let Some(extra) = self.extra(id) else {
            return FrameCheck::Invalid;
        };
        let total = header + len + 2 + if signed { 13 } else { 0 };
        let Some(frame) = d.get(at..at + total) else {
            return FrameCheck::Incomplete;
        };
        let crc = mavlink::calculate_crc(&frame[1..header + len], extra);
        let got = u16::from_le_bytes([frame[header + len], frame[header + len + 1]]);
        if crc == got {
            FrameCheck::Valid(version, total, id)
        } else {
            FrameCheck::Invalid
        }
    }
}

/// A frame received from a stream, decoded.
#[derive(Debug, Clone)]
pub struct Received {
    /// The raw frame (for the tlog).
    pub frame: Vec<u8>,
    /// MAVLink 1 or 2.
    pub version: MavlinkVersion,
    /// Sender system id, component id and sequence number.
    pub header: MavHeader,
    /// The message, when the dialect decodes it.
    pub message: Option<MavMessage>,
    /// Whether the frame carried a MAVLink 2 signature.
    pub signed: bool,
}

/// Incremental frame parser for a byte stream: feed bytes as they arrive, take whole frames
/// out. Bytes that cannot start a valid frame are skipped and counted.
#[derive(Debug, Clone)]
pub struct FrameParser {
    buf: Vec<u8>,
    crc: CrcTable,
    skipped: u64,
}

impl Default for FrameParser {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameParser {
    /// An empty parser.
    pub fn new() -> Self {
        Self {
            buf: Vec::with_capacity(4096),
            crc: CrcTable::new(),
            skipped: 0,
        }
    }

    /// Bytes skipped so far.
    pub fn skipped_bytes(&self) -> u64 {
        self.skipped
    }

    /// Feeds bytes and returns every whole frame they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Received> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < self.buf.len() {
            match self.crc.check(&self.buf, pos) {
                FrameCheck::Valid(version, total, _) => {
                    let frame = self.buf[pos..pos + total].to_vec();
                    out.push(decode(frame, version));
                    pos += total;
                }
                FrameCheck::Incomplete => {
                    // A false start (noise that looks like a header claiming a long payload)
                    // would hold back real frames behind it until enough bytes arrive. Frames
                    // do not overlap: a whole valid frame starting inside the claimed span
                    // proves this start is noise.
                    let later = (pos + 1..self.buf.len())
                        .any(|q| matches!(self.crc.check(&self.buf, q), FrameCheck::Valid(..)));
                    if !later {
                        break;
                    }
                    pos += 1;
                    self.skipped += 1;
                }
                FrameCheck::Invalid => {
                    pos += 1;
                    self.skipped += 1;
                }
            }
        }
        self.buf.drain(..pos);
        // A length byte can claim at most 280 bytes: more waiting means a false start.
        if self.buf.len() > 2 * 280 {
            self.buf.remove(0);
            self.skipped += 1;
        }
        out
    }
}

fn decode(frame: Vec<u8>, version: MavlinkVersion) -> Received {
    let (header, payload, signed) = match version {
        MavlinkVersion::V1 => (
            MavHeader {
                system_id: u32::from(frame[3]),
                component_id: frame[4],
                sequence: frame[2],
            },
            6..6 + usize::from(frame[1]),
            false,
        ),
        MavlinkVersion::V2 => (
            MavHeader {
                system_id: u32::from(frame[5]),
                component_id: frame[6],
                sequence: frame[4],
            },
            10..10 + usize::from(frame[1]),
            frame[2] & 1 != 0,
        ),
    };
    let id = match version {
        MavlinkVersion::V1 => u32::from(frame[5]),
        MavlinkVersion::V2 => u32::from_le_bytes([frame[7], frame[8], frame[9], 0]),
    };
    let message = MavMessage::parse(version, id, &frame[payload]).ok();
    Received {
        frame,
        version,
        header,
        message,
        signed,
    }
}

// ---------------------------------------------------------------------------------------------

/// Counters of MAVLink 2 signing on incoming frames.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SigningStats {
    /// Frames with a valid signature.
    pub signed_ok: u64,
    /// Frames without a signature (MAVLink 1 included).
    pub unsigned: u64,
    /// Frames whose signature did not verify (wrong key, replayed timestamp).
    pub bad_signature: u64,
    /// Frames dropped because of the two above in strict mode.
    pub dropped: u64,
}

/// Encodes our messages (our system and component id, our sequence numbers) and applies
/// MAVLink 2 signing both ways when a key is set.
pub struct FrameCodec {
    system_id: u8,
    component_id: u8,
    version: MavlinkVersion,
    sequence: u8,
    signing: Option<SigningData>,
    strict: bool,
    stats: SigningStats,
}

impl std::fmt::Debug for FrameCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key stays out of logs.
        f.debug_struct("FrameCodec")
            .field("system_id", &self.system_id)
            .field("component_id", &self.component_id)
            .field("version", &self.version)
            .field("signing", &self.signing.is_some())
            .field("strict", &self.strict)
            .field("stats", &self.stats)
            .finish()
    }
}

impl FrameCodec {
    /// A codec sending as `system_id`/`component_id` (Vigil: 255/190 by default).
    pub fn new(system_id: u8, component_id: u8, version: MavlinkVersion) -> Self {
        Self {
            system_id,
            component_id,
            version,
            sequence: 0,
            signing: None,
            strict: false,
            stats: SigningStats::default(),
        }
    }

    /// Sets a signing key: outgoing MAVLink 2 frames are signed on `link_id`; with `strict`,
    /// incoming unsigned or badly signed frames are dropped (otherwise only counted).
    pub fn set_signing_key(&mut self, key: [u8; 32], link_id: u8, strict: bool) {
        // Verification is done here so unsigned frames are counted, not refused by the crate.
        let cfg = SigningConfig::new(key, link_id, true, true);
        self.signing = Some(SigningData::from_config(cfg));
        self.strict = strict;
        self.version = MavlinkVersion::V2;
    }

    /// Signing counters so far.
    pub fn signing_stats(&self) -> SigningStats {
        self.stats
    }

    /// One message as a frame, with the next sequence number.
    pub fn encode(&mut self, msg: &MavMessage) -> Vec<u8> {
        let header = MavHeader {
            system_id: u32::from(self.system_id),
            component_id: self.component_id,
            sequence: self.sequence,
        };
        self.sequence = self.sequence.wrapping_add(1);
        if let Some(sign) = &self.signing {
            let mut raw = MAVLinkV2MessageRaw::new();
            raw.serialize_message_for_signing(header, msg);
            sign.sign_message(&mut raw);
            return raw.raw_bytes().to_vec();
        }
        let mut buf = Vec::with_capacity(64);
        // Writing into a Vec cannot fail; an error would be a dialect bug, logged and dropped.
        if let Err(e) = mavlink::write_versioned_msg(&mut buf, self.version, header, msg) {
            tracing::warn!(error = %e, "could not encode {}", msg.message_name());
            buf.clear();
        }
        buf
    }

    /// Checks an incoming frame's signature when a key is set; returns whether to accept it.
    pub fn accept(&mut self, rx: &Received) -> bool {
        let Some(sign) = &self.signing else {
            return true;
        };
        let ok = if rx.signed {
            let mut bytes = [0u8; mavlink::consts::MAX_FRAME_SIZE];
            let n = rx.frame.len().min(bytes.len());
            bytes[..n].copy_from_slice(&rx.frame[..n]);
            let raw = MAVLinkV2MessageRaw::from_bytes_unparsed(bytes);
            if sign.verify_signature(&raw) {
                self.stats.signed_ok += 1;
                true
            } else {
                self.stats.bad_signature += 1;
                false
            }
        } else {
            self.stats.unsigned += 1;
            false
        };
        if !ok && self.strict {
            self.stats.dropped += 1;
            return false;
        }
        true
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use mavlink::dialects::ardupilotmega::HEARTBEAT_DATA;

    fn hb() -> MavMessage {
        MavMessage::HEARTBEAT(HEARTBEAT_DATA::default())
    }

    #[test]
    fn parser_skips_console_text_and_reassembles_split_frames() {
        let mut codec = FrameCodec::new(1, 1, MavlinkVersion::V2);
        let mut stream = b"Init ArduCopter V4.7.0-dev\r\n".to_vec();
        stream.extend(codec.encode(&hb()));
        stream.extend(b"\xfe\x09garbage");
        let f2 = codec.encode(&hb());
        stream.extend(&f2);
        let mut p = FrameParser::new();
        let mut got = Vec::new();
        // Byte by byte: frames split anywhere still come out whole.
        for b in &stream {
            got.extend(p.push(std::slice::from_ref(b)));
        }
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].header.sequence, 1);
        assert!(matches!(got[0].message, Some(MavMessage::HEARTBEAT(_))));
        assert_eq!(p.skipped_bytes(), 28 + 9);
    }

    #[test]
    fn signed_frames_verify_and_strict_mode_drops_the_rest() {
        let key = [7u8; 32];
        let mut tx = FrameCodec::new(1, 1, MavlinkVersion::V2);
        tx.set_signing_key(key, 0, false);
        let mut plain = FrameCodec::new(1, 1, MavlinkVersion::V2);
        let mut wrong = FrameCodec::new(1, 1, MavlinkVersion::V2);
        wrong.set_signing_key([8u8; 32], 0, false);

        let mut rx = FrameCodec::new(255, 190, MavlinkVersion::V2);
        rx.set_signing_key(key, 0, true);
        let mut p = FrameParser::new();
        let good = p.push(&tx.encode(&hb())).pop().unwrap();
        assert!(good.signed);
        assert_eq!(good.frame.len(), 12 + 9 + 13);
        assert!(rx.accept(&good));
        let unsigned = p.push(&plain.encode(&hb())).pop().unwrap();
        assert!(!rx.accept(&unsigned));
        let forged = p.push(&wrong.encode(&hb())).pop().unwrap();
        assert!(!rx.accept(&forged));
        // A replay of the good frame has an old timestamp.
        assert!(!rx.accept(&good));
        assert_eq!(
            rx.signing_stats(),
            SigningStats {
                signed_ok: 1,
                unsigned: 1,
                bad_signature: 2,
                dropped: 3
            }
        );

        // Not strict: counted, kept.
        let mut lax = FrameCodec::new(255, 190, MavlinkVersion::V2);
        lax.set_signing_key(key, 0, false);
        assert!(lax.accept(&unsigned));
        assert_eq!(lax.signing_stats().unsigned, 1);
    }
}

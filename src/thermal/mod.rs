//! The thermal pipeline: radiometric frames, palettes, hotspots and geo-referencing.
//!
//! A [`Frame`] holds 16-bit samples and their [`Calibration`] to temperature. Frames come from
//! files ([`decode_file`]: FLIR radiometric JPEG and FFF, 16-bit TIFF and PNG) or from the
//! simulator's UDP stream ([`udp`]). A [`palette`] turns a frame into colours;
//! [`hotspot::detect`] finds warm blobs and the people among them; [`geo`] places a frame's
//! ground footprint and each detection on the map from the vehicle pose at the frame's time;
//! [`track::Tracker`] merges detections of one object across frames into one tracked object
//! with a stable id, and [`track::CrowdWatch`] reports crowds as [`track::CrowdEvent`] values
//! for the alarm system to consume. [`Pipeline`] runs all of this per frame, after blanking the
//! [`privacy`] zones; [`record`] keeps frames and reports with a flight and purges old ones.
//!
//! A GStreamer video source (RTSP/RTP H.264, colours only) is not built yet.
//!
//! ```
//! use vigil::thermal::{hotspot, Calibration, Frame, HotspotParams, Palette, Render};
//!
//! // A 32×24 frame at 10 °C with one 4×4 person at 33 °C, in centikelvin.
//! let mut samples = vec![28_315u16; 32 * 24];
//! for y in 10..14 {
//!     for x in 8..12 {
//!         samples[y * 32 + x] = 30_615;
//!     }
//! }
//! let frame = Frame::new(32, 24, samples, Calibration::CentiKelvin, "example").unwrap();
//! assert_eq!(frame.stats().max_c, 33.0);
//!
//! let picture = Render { palette: Palette::Ironbow, ..Render::default() }.draw(&frame);
//! assert_eq!(picture.pixels.len(), 32 * 24 * 4);
//!
//! let found = hotspot::detect(&frame, &HotspotParams::default(), None);
//! assert_eq!(found.people().count(), 1);
//! assert_eq!(found.hotspots[0].centroid_px, (10.0, 12.0));
//! ```

pub mod calibration;
pub mod decode;
pub mod frame;
pub mod geo;
pub mod hotspot;
pub mod palette;
pub mod pipeline;
pub mod privacy;
pub mod record;
pub mod track;
pub mod udp;

pub use calibration::{Calibration, Planck, SceneParams};
pub use decode::{Decoded, SourceFormat, decode_bytes, decode_file};
pub use frame::{Frame, FrameMeta, FrameStats};
pub use geo::{CameraModel, CameraView, Georeferencer, GroundPoint, Mount, Pose, PoseHistory};
pub use hotspot::{Detections, Hotspot, HotspotKind, HotspotParams};
pub use palette::{Gain, Isotherm, Palette, Render, RgbaImage};
pub use pipeline::{FrameReport, Pipeline};
pub use privacy::{MaskOutcome, PrivacyMask};
pub use record::{PurgeReport, RecordMeta, Recorder, load_record, purge};
pub use track::{
    CrowdEvent, CrowdParams, CrowdStatus, CrowdWatch, GroundDetection, TrackedObject, Tracker,
    TrackerParams,
};

use std::path::PathBuf;

/// What went wrong reading or handling a thermal frame.
#[derive(Debug, thiserror::Error)]
pub enum ThermalError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The bytes are not a radiometric format Vigil reads.
    #[error(
        "{source_name}: not a radiometric frame Vigil reads (starts {magic}); expected a FLIR \
         radiometric JPEG, a FLIR .fff, or a 16-bit TIFF or PNG"
    )]
    UnknownFormat {
        /// File or stream name.
        source_name: String,
        /// The first bytes, hex.
        magic: String,
    },
    /// The container is broken or holds something other than a 16-bit radiometric image.
    #[error("{source_name}: {what}")]
    Malformed {
        /// File or stream name.
        source_name: String,
        /// What was wrong, with the value found and what was expected.
        what: String,
    },
    /// The TIFF or PNG decoder failed.
    #[error("{source_name}: {source}")]
    Image {
        /// File name.
        source_name: String,
        /// The decoder's error.
        source: image::ImageError,
    },
    /// The file holds raw counts and no calibration, and none was given.
    #[error(
        "{source_name}: raw counts with no calibration in the file; a calibration must be given \
         (the Planck constants of a FLIR .fff or radiometric .jpg from the same camera, \
         centikelvin for Lepton TLinear frames, or 0.04 K per count for FLIR Tau, Vue Pro R and \
         Duo Pro R radiometric TIFFs)"
    )]
    NoCalibration {
        /// File name.
        source_name: String,
    },
}

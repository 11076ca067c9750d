//! The venue: boundary, no-fly zones, obstacles, cameras, risk zones and home, in a local
//! metric frame; camera footprints and the blind spots they leave.
//!
//! Start with [`read_venue`], then [`blind_spots`]:
//!
//! ```no_run
//! use vigil::area::{Selection, blind_spots, read_venue};
//! let venue = read_venue("missions/stadium.geojson".as_ref(), &Selection::default())?;
//! let blind = blind_spots(&venue);
//! println!("{} blind spots, {:.1} % of the venue", blind.count, blind.blind_share * 100.0);
//! # Ok::<(), vigil::area::VenueError>(())
//! ```

mod blind;
mod error;
mod footprint;
mod frame;
mod import;
mod seed;
mod venue;

pub use blind::{
    BlindSpots, MIN_BLIND_SPOT_M2, blind_spots, blind_spots_geojson, camera_coverage, flyable_area,
    write_blind_spots,
};
pub use error::{FeatureRef, VenueError};
pub use footprint::{ARC_STEP_DEG, camera_footprint, camera_sector, obstacle_shadows};
pub use frame::LocalFrame;
pub use import::{MAX_FILE_BYTES, Selection, Selector, read_venue};
pub use seed::seeded_cameras;
pub use venue::{Camera, Home, Obstacle, RiskZone, Venue, Zone};

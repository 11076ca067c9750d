//! The MAVLink link: transports, vehicle sessions, mission/fence/rally protocols, commands,
//! parameters and the tlog.
//!
//! Protocols are sans-IO state machines ([`transfer`], [`command`], [`param`]): fed messages
//! and the current time, they return the messages to send and, at the end, their outcome.

// MISSION_ITEM, MISSION_REQUEST and the `_INT` frames are deprecated by MAVLink, yet ArduPilot
// asks with MISSION_REQUEST during uploads and old files carry `_INT` frames: the fallbacks are
// the point here.
#![allow(deprecated)]

pub mod command;
pub mod conn;
pub mod frame;
pub mod items;
pub mod modes;
pub mod ops;
pub mod param;
pub mod rtt;
pub mod session;
pub mod state;
pub mod stored;
pub mod summary;
pub mod tlog;
pub mod transaction;
pub mod transfer;

/// The dialect Vigil speaks: ardupilotmega (it includes common).
pub use mavlink::dialects::ardupilotmega::MavMessage;
pub use transaction::Transaction;
pub use transfer::{
    MissionClear, MissionDownload, MissionUpload, Target, TransferConfig, TransferError,
    VerifiedUpload,
};

//! One module per subcommand: its arguments and how it runs.

pub mod convert;
pub mod download;
pub mod fence;
pub mod fly;
#[cfg(feature = "app")]
pub mod gui;
pub mod link_args;
pub mod plan;
pub mod replay;
pub mod sweep;
pub mod thermal;
pub mod upload;
pub mod venue;

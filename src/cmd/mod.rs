//! One module per subcommand: its arguments and how it runs.

pub mod convert;
pub mod download;
pub mod fly;
pub mod link_args;
pub mod fence;
pub mod plan;
pub mod replay;
pub mod thermal;
pub mod upload;
pub mod venue;

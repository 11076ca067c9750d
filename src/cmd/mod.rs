//! One module per subcommand: its arguments and how it runs.

pub mod convert;
pub mod fence;
pub mod plan;
pub mod replay;
pub mod thermal;
pub mod venue;

//! One module per subcommand: its arguments and how it runs.

pub mod convert;
#[cfg(feature = "app")]
pub mod gui;
pub mod plan;
pub mod replay;
pub mod venue;

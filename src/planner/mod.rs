//! The coverage planner: thermal camera swath, sweeps over blind spots, safe legs, route,
//! sorties and fleet partition.

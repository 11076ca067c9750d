//! The MAVLink link: transports, vehicle sessions, mission/fence/rally protocols, commands,
//! parameters and the tlog.

//! `vigil-sim`: simulated ArduCopter-like multicopters that speak MAVLink, for testing Vigil
//! without a drone or an external simulator.

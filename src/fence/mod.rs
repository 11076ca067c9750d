//! Geofences: the fence model, validation before upload, the ground monitor and graded alarms.

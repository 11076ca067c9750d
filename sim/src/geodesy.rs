//! WGS84 latitude and longitude to a local east-north frame and back, scaled as ArduPilot does.

/// Metres per degree of latitude: the constant ArduPilot's `Location` uses
/// (`LOCATION_SCALING_FACTOR` × 1e7), so distances agree with the autopilot's own.
pub const M_PER_DEG: f64 = 111_318.845_021_450_34;

/// A point on the Earth: latitude and longitude in degrees, altitude above mean sea level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    /// Latitude, degrees north.
    pub lat_deg: f64,
    /// Longitude, degrees east.
    pub lon_deg: f64,
    /// Altitude above mean sea level, metres.
    pub alt_m: f64,
}

impl GeoPoint {
    /// A point from degrees and metres.
    pub fn new(lat_deg: f64, lon_deg: f64, alt_m: f64) -> Self {
        Self {
            lat_deg,
            lon_deg,
            alt_m,
        }
    }
}

/// A flat east-north frame around an origin (equirectangular, like ArduPilot's `Location`
/// offsets); good to centimetres over the few kilometres a venue spans.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalFrame {
    origin: GeoPoint,
    lon_scale: f64,
}

impl LocalFrame {
    /// A frame whose (0, 0) is `origin`.
    pub fn new(origin: GeoPoint) -> Self {
        let lon_scale = origin.lat_deg.to_radians().cos().max(0.01);
        Self { origin, lon_scale }
    }

    /// The frame's origin.
    pub fn origin(&self) -> GeoPoint {
        self.origin
    }

    /// East and north metres of a latitude and longitude.
    pub fn to_local(&self, lat_deg: f64, lon_deg: f64) -> [f64; 2] {
        [
            (lon_deg - self.origin.lon_deg) * M_PER_DEG * self.lon_scale,
            (lat_deg - self.origin.lat_deg) * M_PER_DEG,
        ]
    }

    /// Latitude and longitude (degrees) of east and north metres.
    pub fn to_geo(&self, east_m: f64, north_m: f64) -> (f64, f64) {
        (
            self.origin.lat_deg + north_m / M_PER_DEG,
            self.origin.lon_deg + east_m / (M_PER_DEG * self.lon_scale),
        )
    }
}

/// Degrees to MAVLink's integer degrees × 1e7.
pub fn deg_to_e7(deg: f64) -> i32 {
    (deg * 1e7).round() as i32
}

/// MAVLink's integer degrees × 1e7 to degrees.
pub fn e7_to_deg(e7: i32) -> f64 {
    f64::from(e7) * 1e-7
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_round_trip_is_exact_to_a_millimetre() {
        let frame = LocalFrame::new(GeoPoint::new(-35.363_261, 149.165_230, 584.0));
        let (lat, lon) = frame.to_geo(120.0, -45.0);
        let en = frame.to_local(lat, lon);
        assert!((en[0] - 120.0).abs() < 1e-3 && (en[1] + 45.0).abs() < 1e-3);
        // One degree of latitude is ArduPilot's constant.
        assert!((frame.to_local(-34.363_261, 149.165_230)[1] - M_PER_DEG).abs() < 1e-6);
    }
}

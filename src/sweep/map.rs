//! The sweep's map image: boundary, no-fly zones, blind spots, what the flown track saw, the
//! planned route and the flown track, drawn in the venue's local metres onto a PNG.

use geo::BoundingRect;
use geo_types::{Coord, LineString, MultiPolygon};
use image::{ImageEncoder, Rgb, RgbImage};

/// Everything the map shows, in local metres.
#[derive(Debug, Clone, Default)]
pub struct MapLayers<'a> {
    pub boundary: Option<&'a MultiPolygon<f64>>,
    pub no_fly: Vec<&'a MultiPolygon<f64>>,
    pub blind: Option<&'a MultiPolygon<f64>>,
    /// Blind spots the flown track's swath covered.
    pub covered: Option<&'a MultiPolygon<f64>>,
    /// Planned routes, one per vehicle and sortie.
    pub planned: Vec<LineString<f64>>,
    /// Flown tracks, one per vehicle.
    pub flown: Vec<LineString<f64>>,
    /// Detections (east, north).
    pub detections: Vec<Coord<f64>>,
}

const BACKGROUND: Rgb<u8> = Rgb([18, 20, 26]);
const BOUNDARY_FILL: Rgb<u8> = Rgb([44, 48, 58]);
const NO_FLY: Rgb<u8> = Rgb([90, 30, 30]);
const BLIND: Rgb<u8> = Rgb([150, 60, 40]);
const COVERED: Rgb<u8> = Rgb([40, 110, 70]);
const EDGE: Rgb<u8> = Rgb([200, 200, 200]);
const PLANNED: Rgb<u8> = Rgb([240, 220, 120]);
const FLOWN: [Rgb<u8>; 4] = [
    Rgb([80, 200, 255]),
    Rgb([255, 120, 220]),
    Rgb([160, 255, 120]),
    Rgb([255, 170, 60]),
];
const DETECTION: Rgb<u8> = Rgb([255, 255, 255]);

/// Local metres to pixels: a uniform scale with a margin, north up.
struct View {
    min: Coord<f64>,
    scale: f64,
    height: u32,
    margin: f64,
}

impl View {
    fn px(&self, c: Coord<f64>) -> (f64, f64) {
        (
            self.margin + (c.x - self.min.x) * self.scale,
            f64::from(self.height) - self.margin - (c.y - self.min.y) * self.scale,
        )
    }
}

/// Renders the layers to PNG bytes, at most `size_px` on the longer side.
pub fn render_png(layers: &MapLayers<'_>, size_px: u32) -> Result<Vec<u8>, image::ImageError> {
    let size_px = size_px.max(64);
    let bounds = layers
        .boundary
        .and_then(|b| b.bounding_rect())
        .or_else(|| layers.blind.and_then(|b| b.bounding_rect()));
    let (min, max) = match bounds {
        Some(r) => (r.min(), r.max()),
        None => (Coord { x: -1.0, y: -1.0 }, Coord { x: 1.0, y: 1.0 }),
    };
    let (w_m, h_m) = ((max.x - min.x).max(1.0), (max.y - min.y).max(1.0));
    let margin = 16.0;
    let scale = (f64::from(size_px) - 2.0 * margin) / w_m.max(h_m);
    let width = (w_m * scale + 2.0 * margin).ceil() as u32;
    let height = (h_m * scale + 2.0 * margin).ceil() as u32;
    let view = View {
        min,
        scale,
        height,
        margin,
    };
    let mut img = RgbImage::from_pixel(width, height, BACKGROUND);

    if let Some(b) = layers.boundary {
        fill(&mut img, &view, b, BOUNDARY_FILL);
    }
    for z in &layers.no_fly {
        fill(&mut img, &view, z, NO_FLY);
    }
    if let Some(b) = layers.blind {
        fill(&mut img, &view, b, BLIND);
    }
    if let Some(c) = layers.covered {
        fill(&mut img, &view, c, COVERED);
    }
    if let Some(b) = layers.boundary {
        for p in &b.0 {
            polyline(&mut img, &view, p.exterior(), EDGE);
            for h in p.interiors() {
                polyline(&mut img, &view, h, EDGE);
            }
        }
    }
    for l in &layers.planned {
        polyline(&mut img, &view, l, PLANNED);
    }
    for (i, l) in layers.flown.iter().enumerate() {
        polyline(&mut img, &view, l, FLOWN[i % FLOWN.len()]);
    }
    for d in &layers.detections {
        let (x, y) = view.px(*d);
        for dx in -2..=2 {
            for dy in -2..=2 {
                put(&mut img, x as i64 + dx, y as i64 + dy, DETECTION);
            }
        }
    }

    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out).write_image(
        img.as_raw(),
        width,
        height,
        image::ExtendedColorType::Rgb8,
    )?;
    Ok(out)
}

fn put(img: &mut RgbImage, x: i64, y: i64, c: Rgb<u8>) {
    if x >= 0 && y >= 0 && (x as u32) < img.width() && (y as u32) < img.height() {
        img.put_pixel(x as u32, y as u32, c);
    }
}

/// A line one pixel wide (DDA).
fn line(img: &mut RgbImage, a: (f64, f64), b: (f64, f64), c: Rgb<u8>) {
    let steps = (b.0 - a.0).abs().max((b.1 - a.1).abs()).ceil().max(1.0);
    if !steps.is_finite() || steps > 1e6 {
        return;
    }
    let n = steps as i64;
    for i in 0..=n {
        let t = i as f64 / steps;
        put(
            img,
            (a.0 + (b.0 - a.0) * t).round() as i64,
            (a.1 + (b.1 - a.1) * t).round() as i64,
            c,
        );
    }
}

fn polyline(img: &mut RgbImage, view: &View, l: &LineString<f64>, c: Rgb<u8>) {
    for w in l.0.windows(2) {
        line(img, view.px(w[0]), view.px(w[1]), c);
    }
}

/// Even-odd scanline fill of every ring of `mp` (holes stay open).
fn fill(img: &mut RgbImage, view: &View, mp: &MultiPolygon<f64>, c: Rgb<u8>) {
    let mut edges: Vec<((f64, f64), (f64, f64))> = Vec::new();
    for p in &mp.0 {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            for w in ring.0.windows(2) {
                edges.push((view.px(w[0]), view.px(w[1])));
            }
        }
    }
    let mut xs: Vec<f64> = Vec::new();
    for y in 0..img.height() {
        let yc = f64::from(y) + 0.5;
        xs.clear();
        for &(a, b) in &edges {
            if (a.1 <= yc) != (b.1 <= yc) {
                xs.push(a.0 + (yc - a.1) / (b.1 - a.1) * (b.0 - a.0));
            }
        }
        xs.sort_by(f64::total_cmp);
        for pair in xs.chunks_exact(2) {
            let (x0, x1) = (pair[0].round() as i64, pair[1].round() as i64);
            for x in x0..x1 {
                put(img, x, i64::from(y), c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    #[test]
    fn a_square_with_a_hole_is_filled_around_the_hole_and_the_track_is_drawn() {
        let square = MultiPolygon(vec![polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 100.0, y: 0.0), (x: 100.0, y: 100.0), (x: 0.0, y: 100.0)],
            interiors: [[(x: 40.0, y: 40.0), (x: 60.0, y: 40.0), (x: 60.0, y: 60.0), (x: 40.0, y: 60.0)]],
        )]);
        let layers = MapLayers {
            boundary: Some(&square),
            flown: vec![LineString::from(vec![(10.0, 10.0), (90.0, 10.0)])],
            ..MapLayers::default()
        };
        let png = render_png(&layers, 232).expect("png");
        let img = image::load_from_memory(&png).expect("decode").to_rgb8();
        assert_eq!((img.width(), img.height()), (232, 232));
        // Scale 2 px/m with a 16 px margin: (25 m, 75 m) is inside, (50 m, 50 m) in the hole.
        assert_eq!(*img.get_pixel(16 + 50, 232 - 16 - 150), BOUNDARY_FILL);
        assert_eq!(*img.get_pixel(16 + 100, 232 - 16 - 100), BACKGROUND);
        assert_eq!(*img.get_pixel(16 + 100, 232 - 16 - 20), FLOWN[0]);
    }
}

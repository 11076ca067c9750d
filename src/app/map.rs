//! The map: tile sources (none, OpenStreetMap or any `{z}/{x}/{y}` server with a disk cache, an
//! offline PMTiles archive) and the vector layers, grid and scale bar drawn on top.

use std::path::PathBuf;

use egui::{Align2, Color32, FontId, Mesh, Pos2, Shape, Stroke, Ui, pos2, vec2};
use walkers::sources::{Attribution, TileSource};
use walkers::{HttpOptions, HttpTiles, PmTiles, Projector, TileId, Tiles, lon_lat};

use super::layers::{Area, LonLat};
use super::theme::Palette;

/// OpenStreetMap's standard tile server.
pub const OSM_URL: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

/// Where map tiles come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TileChoice {
    /// No tiles: the venue layers, a grid and a scale bar only (works offline, the default in tests).
    None,
    /// A tile server: a URL template with `{z}`, `{x}` and `{y}`, cached on disk.
    Url(String),
    /// An offline `.pmtiles` archive of raster tiles.
    PmTiles(PathBuf),
}

impl TileChoice {
    /// OpenStreetMap.
    pub fn osm() -> Self {
        TileChoice::Url(OSM_URL.to_string())
    }
}

/// A tile server given by a URL template.
#[derive(Debug, Clone)]
struct UrlSource {
    template: String,
}

impl TileSource for UrlSource {
    fn tile_url(&self, t: TileId) -> String {
        self.template
            .replace("{z}", &t.zoom.to_string())
            .replace("{x}", &t.x.to_string())
            .replace("{y}", &t.y.to_string())
    }

    fn attribution(&self) -> Attribution {
        if self.template.contains("openstreetmap.org") {
            Attribution {
                text: "© OpenStreetMap contributors",
                url: "https://www.openstreetmap.org/copyright",
                logo_light: None,
                logo_dark: None,
            }
        } else {
            Attribution {
                text: "Map tiles: custom server (see its terms)",
                url: "",
                logo_light: None,
                logo_dark: None,
            }
        }
    }

    fn max_zoom(&self) -> u8 {
        19
    }
}

/// The disk cache for downloaded tiles: `$XDG_CACHE_HOME/vigil/tiles` or `~/.cache/vigil/tiles`.
pub fn tile_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("vigil").join("tiles"))
}

/// Opens a tile source, downloads cached in `cache` (none: not cached). `None` for
/// [`TileChoice::None`].
pub fn open_tiles(
    choice: &TileChoice,
    cache: Option<PathBuf>,
    ctx: &egui::Context,
) -> Option<Box<dyn Tiles>> {
    match choice {
        TileChoice::None => None,
        TileChoice::Url(template) => {
            let options = HttpOptions {
                cache,
                ..HttpOptions::default()
            };
            Some(Box::new(HttpTiles::with_options(
                UrlSource {
                    template: template.clone(),
                },
                options,
                ctx.clone(),
            )))
        }
        TileChoice::PmTiles(path) => Some(Box::new(PmTiles::new(path, ctx.clone()))),
    }
}

/// Screen position of a `(lon, lat)` point.
pub fn screen(projector: &Projector, p: LonLat) -> Pos2 {
    projector.project(lon_lat(p.0, p.1)).to_pos2()
}

/// Fills an area and strokes its rings.
pub fn draw_area(
    painter: &egui::Painter,
    projector: &Projector,
    area: &Area,
    fill: Color32,
    stroke: Stroke,
) {
    if area.is_empty() {
        return;
    }
    if fill.a() > 0 && !area.triangles.is_empty() {
        let mut mesh = Mesh::default();
        for &v in &area.vertices {
            mesh.colored_vertex(screen(projector, v), fill);
        }
        mesh.indices.extend_from_slice(&area.triangles);
        painter.add(Shape::mesh(mesh));
    }
    if stroke.width > 0.0 {
        for ring in &area.rings {
            let pts: Vec<Pos2> = ring.iter().map(|&p| screen(projector, p)).collect();
            painter.add(Shape::line(pts, stroke));
        }
    }
}

/// A "nice" length (1, 2 or 5 × 10ⁿ metres) no longer than `max_m`.
pub fn nice_length_m(max_m: f64) -> f64 {
    if max_m.is_nan() || max_m <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(max_m.log10().floor());
    for m in [5.0, 2.0, 1.0] {
        if m * p <= max_m {
            return m * p;
        }
    }
    p
}

/// A length as the operator reads it: `200 m`, `1.5 km`.
pub fn format_length(m: f64) -> String {
    if m >= 1000.0 {
        format!("{} km", m / 1000.0)
    } else {
        format!("{m} m")
    }
}

/// Draws a north-aligned metric grid through `origin` (the venue centre) and a scale bar in the
/// lower left corner. Returns the grid spacing in metres.
pub fn draw_grid_and_scale(
    ui: &Ui,
    projector: &Projector,
    origin: LonLat,
    palette: &Palette,
    grid: bool,
) -> f64 {
    let rect = projector.clip_rect();
    let painter = ui.painter().with_clip_rect(rect);
    let px_per_m = f64::from(projector.scale_pixel_per_meter(lon_lat(origin.0, origin.1)));
    if !px_per_m.is_finite() || px_per_m <= 0.0 {
        return 0.0;
    }
    let spacing_m = nice_length_m(120.0 / px_per_m);
    let step = (spacing_m * px_per_m) as f32;
    if grid && step > 4.0 {
        let o = screen(projector, origin);
        let stroke = Stroke::new(1.0, palette.grid);
        let k0 = ((rect.left() - o.x) / step).floor() as i64;
        let k1 = ((rect.right() - o.x) / step).ceil() as i64;
        for k in k0..=k1 {
            let x = o.x + k as f32 * step;
            painter.line_segment([pos2(x, rect.top()), pos2(x, rect.bottom())], stroke);
        }
        let k0 = ((rect.top() - o.y) / step).floor() as i64;
        let k1 = ((rect.bottom() - o.y) / step).ceil() as i64;
        for k in k0..=k1 {
            let y = o.y + k as f32 * step;
            painter.line_segment([pos2(rect.left(), y), pos2(rect.right(), y)], stroke);
        }
    }
    // Scale bar: the nice length that fits in 150 px.
    let bar_m = nice_length_m(150.0 / px_per_m);
    let bar_px = (bar_m * px_per_m) as f32;
    let base = rect.left_bottom() + vec2(12.0, -14.0);
    let stroke = Stroke::new(3.0, palette.text);
    painter.rect_filled(
        egui::Rect::from_min_max(base + vec2(-6.0, -26.0), base + vec2(bar_px + 6.0, 6.0)),
        3.0,
        palette.label_bg,
    );
    painter.line_segment([base, base + vec2(bar_px, 0.0)], stroke);
    painter.line_segment([base, base + vec2(0.0, -6.0)], stroke);
    painter.line_segment(
        [base + vec2(bar_px, 0.0), base + vec2(bar_px, -6.0)],
        stroke,
    );
    painter.text(
        base + vec2(bar_px / 2.0, -8.0),
        Align2::CENTER_BOTTOM,
        format_length(bar_m),
        FontId::proportional(12.0),
        palette.text,
    );
    spacing_m
}

/// An arrow head at `at`, pointing along `dir` (screen space).
pub fn arrow_head(painter: &egui::Painter, at: Pos2, dir: egui::Vec2, size: f32, color: Color32) {
    let len = dir.length();
    if len < 1e-3 {
        return;
    }
    let d = dir / len;
    let n = vec2(-d.y, d.x);
    let tip = at + d * size;
    let a = at - d * size * 0.6 + n * size * 0.7;
    let b = at - d * size * 0.6 - n * size * 0.7;
    painter.add(Shape::convex_polygon(vec![tip, a, b], color, Stroke::NONE));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_lengths() {
        assert_eq!(nice_length_m(149.0), 100.0);
        assert_eq!(nice_length_m(260.0), 200.0);
        assert_eq!(nice_length_m(7.3), 5.0);
        assert_eq!(nice_length_m(1999.0), 1000.0);
        assert_eq!(format_length(2000.0), "2 km");
        assert_eq!(format_length(50.0), "50 m");
    }

    #[test]
    fn url_template_is_filled() {
        let s = UrlSource {
            template: OSM_URL.into(),
        };
        let url = s.tile_url(TileId {
            x: 3,
            y: 5,
            zoom: 7,
        });
        assert_eq!(url, "https://tile.openstreetmap.org/7/3/5.png");
        assert_eq!(s.attribution().text, "© OpenStreetMap contributors");
    }
}

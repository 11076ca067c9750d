//! Day, night and red night-vision themes: egui visuals plus the colours of the map layers.

use egui::Color32;

/// The three looks of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Light panels, full colour.
    Day,
    /// Dark panels, dimmed colours, tiles darkened.
    Night,
    /// Black and red only, dim: keeps the operator's night vision.
    Red,
}

impl Theme {
    /// The theme's name in the menu.
    pub fn name(self) -> &'static str {
        match self {
            Theme::Day => "Day",
            Theme::Night => "Night",
            Theme::Red => "Red (night vision)",
        }
    }
}

/// Colours of the map layers under a theme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    pub background: Color32,
    pub grid: Color32,
    pub text: Color32,
    pub label_bg: Color32,
    pub boundary: Color32,
    pub boundary_fill: Color32,
    pub camera: Color32,
    pub footprint_fill: Color32,
    pub blind_fill: Color32,
    pub no_fly: Color32,
    pub risk: Color32,
    pub fence_in: Color32,
    pub fence_out: Color32,
    pub vehicle: Color32,
    pub trail: Color32,
    pub detection: Color32,
    pub thermal: Color32,
    /// Darkening laid over the tiles (alpha 0 = none).
    pub tile_dim: Color32,
    /// Route colours, one per sortie or vehicle, cycled.
    pub route: [Color32; 6],
}

/// The pure route colour of the first sortie in the day theme; the screenshot test looks for it.
pub const ROUTE_DAY_0: Color32 = Color32::from_rgb(255, 0, 200);
/// The boundary's colour in the day theme.
pub const BOUNDARY_DAY: Color32 = Color32::from_rgb(0, 90, 255);

impl Palette {
    /// The palette of a theme.
    pub fn of(theme: Theme) -> Self {
        let day = Palette {
            background: Color32::from_rgb(236, 236, 230),
            grid: Color32::from_rgba_unmultiplied(80, 80, 80, 60),
            text: Color32::from_rgb(20, 20, 20),
            label_bg: Color32::from_rgba_unmultiplied(255, 255, 255, 200),
            boundary: BOUNDARY_DAY,
            boundary_fill: Color32::from_rgba_unmultiplied(0, 90, 255, 20),
            camera: Color32::from_rgb(0, 140, 60),
            footprint_fill: Color32::from_rgba_unmultiplied(0, 170, 70, 55),
            blind_fill: Color32::from_rgba_unmultiplied(255, 140, 0, 90),
            no_fly: Color32::from_rgb(220, 0, 0),
            risk: Color32::from_rgb(150, 60, 200),
            fence_in: Color32::from_rgb(0, 160, 160),
            fence_out: Color32::from_rgb(200, 0, 80),
            vehicle: Color32::from_rgb(10, 10, 10),
            trail: Color32::from_rgba_unmultiplied(30, 30, 30, 160),
            detection: Color32::from_rgb(255, 40, 0),
            thermal: Color32::from_rgba_unmultiplied(255, 200, 0, 70),
            tile_dim: Color32::TRANSPARENT,
            route: [
                ROUTE_DAY_0,
                Color32::from_rgb(0, 200, 255),
                Color32::from_rgb(120, 200, 0),
                Color32::from_rgb(255, 120, 0),
                Color32::from_rgb(140, 0, 255),
                Color32::from_rgb(0, 120, 90),
            ],
        };
        match theme {
            Theme::Day => day,
            Theme::Night => {
                let d = |c: Color32| dim(c, 0.7);
                Palette {
                    background: Color32::from_rgb(18, 20, 24),
                    grid: Color32::from_rgba_unmultiplied(140, 140, 140, 40),
                    text: Color32::from_rgb(170, 170, 170),
                    label_bg: Color32::from_rgba_unmultiplied(0, 0, 0, 180),
                    vehicle: Color32::from_rgb(200, 200, 200),
                    trail: Color32::from_rgba_unmultiplied(180, 180, 180, 120),
                    tile_dim: Color32::from_rgba_unmultiplied(0, 0, 0, 150),
                    boundary: d(day.boundary),
                    boundary_fill: day.boundary_fill,
                    camera: d(day.camera),
                    footprint_fill: day.footprint_fill.gamma_multiply(0.7),
                    blind_fill: day.blind_fill.gamma_multiply(0.55),
                    no_fly: d(day.no_fly),
                    risk: d(day.risk),
                    fence_in: d(day.fence_in),
                    fence_out: d(day.fence_out),
                    detection: d(day.detection),
                    thermal: day.thermal,
                    route: day.route.map(d),
                }
            }
            Theme::Red => {
                let r = |c: Color32| red(c, 0.75);
                Palette {
                    background: Color32::BLACK,
                    grid: Color32::from_rgba_unmultiplied(90, 0, 0, 70),
                    text: Color32::from_rgb(200, 0, 0),
                    label_bg: Color32::from_rgba_unmultiplied(0, 0, 0, 200),
                    vehicle: Color32::from_rgb(255, 0, 0),
                    trail: Color32::from_rgba_unmultiplied(160, 0, 0, 140),
                    tile_dim: Color32::from_rgba_unmultiplied(0, 0, 0, 215),
                    boundary: r(day.boundary),
                    boundary_fill: r(day.boundary_fill),
                    camera: r(day.camera),
                    footprint_fill: r(day.footprint_fill),
                    blind_fill: r(day.blind_fill),
                    no_fly: r(day.no_fly),
                    risk: r(day.risk),
                    fence_in: r(day.fence_in),
                    fence_out: r(day.fence_out),
                    detection: r(day.detection),
                    thermal: r(day.thermal),
                    // The route must stand out on the dim map: bright reds, one shade per sortie.
                    route: [255, 200, 150, 230, 175, 125].map(|v| Color32::from_rgb(v, 0, 0)),
                }
            }
        }
    }
}

/// `c` with its colour scaled by `k` (alpha kept).
pub fn dim(c: Color32, k: f32) -> Color32 {
    let [r, g, b, a] = c.to_srgba_unmultiplied();
    let s = |v: u8| (f32::from(v) * k).round() as u8;
    Color32::from_rgba_unmultiplied(s(r), s(g), s(b), a)
}

/// `c` as a shade of red of its brightness, scaled by `k`: nothing green or blue reaches the eye.
/// Every colour stays at least faintly visible.
pub fn red(c: Color32, k: f32) -> Color32 {
    let [r, g, b, a] = c.to_srgba_unmultiplied();
    let lum = 0.3 * f32::from(r) + 0.59 * f32::from(g) + 0.11 * f32::from(b);
    let v = (lum.max(70.0) * k).min(255.0).round() as u8;
    Color32::from_rgba_unmultiplied(v, 0, 0, a)
}

/// egui visuals for a theme.
pub fn visuals(theme: Theme) -> egui::Visuals {
    match theme {
        Theme::Day => egui::Visuals::light(),
        Theme::Night => {
            let mut v = egui::Visuals::dark();
            v.override_text_color = Some(Color32::from_rgb(170, 170, 170));
            v.panel_fill = Color32::from_rgb(14, 15, 18);
            v.window_fill = Color32::from_rgb(14, 15, 18);
            v.extreme_bg_color = Color32::from_rgb(6, 6, 8);
            v
        }
        Theme::Red => {
            let mut v = egui::Visuals::dark();
            let fg = Color32::from_rgb(190, 0, 0);
            v.override_text_color = Some(fg);
            v.panel_fill = Color32::BLACK;
            v.window_fill = Color32::BLACK;
            v.extreme_bg_color = Color32::BLACK;
            v.faint_bg_color = Color32::from_rgb(12, 0, 0);
            v.hyperlink_color = fg;
            v.selection.bg_fill = Color32::from_rgb(70, 0, 0);
            v.selection.stroke.color = fg;
            for w in [
                &mut v.widgets.noninteractive,
                &mut v.widgets.inactive,
                &mut v.widgets.hovered,
                &mut v.widgets.active,
                &mut v.widgets.open,
            ] {
                w.bg_fill = red(w.bg_fill, 0.5);
                w.weak_bg_fill = red(w.weak_bg_fill, 0.5);
                w.bg_stroke.color = red(w.bg_stroke.color, 0.8);
                w.fg_stroke.color = fg;
            }
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_red_theme_has_no_green_or_blue() {
        let p = Palette::of(Theme::Red);
        for c in [
            p.boundary,
            p.camera,
            p.no_fly,
            p.detection,
            p.vehicle,
            p.text,
        ]
        .into_iter()
        .chain(p.route)
        {
            let [_, g, b, _] = c.to_srgba_unmultiplied();
            assert_eq!((g, b), (0, 0), "{c:?}");
        }
    }

    #[test]
    fn night_dims_colours() {
        assert_eq!(
            dim(Color32::from_rgb(200, 100, 0), 0.5),
            Color32::from_rgb(100, 50, 0)
        );
    }
}

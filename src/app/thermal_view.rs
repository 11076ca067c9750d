//! The Thermal panel: one radiometric frame drawn with a palette (and an optional isotherm
//! band), its hot spots boxed, and the temperature under the cursor.

use std::path::Path;

use egui::{Color32, ColorImage, Rect, Stroke, TextureHandle, TextureOptions, Ui, pos2, vec2};

use crate::thermal::{
    Detections, Frame, HotspotKind, HotspotParams, Isotherm, Palette, Render, decode_file, hotspot,
};

/// A frame, how it is drawn, and what was found in it.
pub struct ThermalView {
    pub frame: Frame,
    pub render: Render,
    pub detections: Detections,
    /// The frame's name (file or source).
    pub name: String,
    texture: Option<TextureHandle>,
    drawn_with: Option<Render>,
    /// Where the frame was drawn at the last frame (screen points).
    pub shown_rect: Option<Rect>,
    /// The temperature under the cursor at the last frame, °C.
    pub under_cursor_c: Option<f64>,
}

impl std::fmt::Debug for ThermalView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThermalView")
            .field("name", &self.name)
            .field("render", &self.render)
            .field("hotspots", &self.detections.hotspots.len())
            .finish_non_exhaustive()
    }
}

impl ThermalView {
    /// A view of `frame`, searched for hot spots.
    pub fn new(frame: Frame, name: impl Into<String>) -> Self {
        let detections = hotspot::detect(&frame, &HotspotParams::default(), None);
        Self {
            frame,
            render: Render {
                palette: Palette::Ironbow,
                ..Render::default()
            },
            detections,
            name: name.into(),
            texture: None,
            drawn_with: None,
            shown_rect: None,
            under_cursor_c: None,
        }
    }

    /// Reads a radiometric file (FLIR JPEG/FFF, 16-bit TIFF or PNG).
    pub fn open(path: &Path) -> Result<Self, String> {
        let frame = decode_file(path)
            .and_then(|d| d.into_frame(None))
            .map_err(|e| format!("cannot read thermal frame {}: {e}", path.display()))?;
        Ok(Self::new(frame, path.display().to_string()))
    }

    /// Draws the controls, the frame and its hot spots.
    pub fn show(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            egui::ComboBox::from_label("Palette")
                .selected_text(self.render.palette.name())
                .show_ui(ui, |ui| {
                    for p in Palette::ALL {
                        ui.selectable_value(&mut self.render.palette, p, p.name());
                    }
                });
        });
        let stats = self.frame.stats();
        let mut iso = self.render.isotherm.is_some();
        ui.checkbox(&mut iso, "Isotherm");
        if iso {
            let mut band = self.render.isotherm.unwrap_or(Isotherm {
                min_c: 30.0,
                max_c: stats.max_c.max(31.0),
                palette: Palette::Rainbow,
            });
            ui.horizontal(|ui| {
                let l = ui.label("from");
                ui.add(
                    egui::DragValue::new(&mut band.min_c)
                        .speed(0.1)
                        .suffix(" °C"),
                )
                .labelled_by(l.id);
                let l = ui.label("to");
                ui.add(
                    egui::DragValue::new(&mut band.max_c)
                        .speed(0.1)
                        .suffix(" °C"),
                )
                .labelled_by(l.id);
            });
            band.max_c = band.max_c.max(band.min_c + 0.1);
            self.render.isotherm = Some(band);
        } else {
            self.render.isotherm = None;
        }
        if self.drawn_with != Some(self.render) || self.texture.is_none() {
            let img = self.render.draw(&self.frame);
            let color = ColorImage::from_rgba_unmultiplied(
                [img.width as usize, img.height as usize],
                &img.pixels,
            );
            self.texture = Some(ui.ctx().load_texture(
                "thermal_frame",
                color,
                TextureOptions::NEAREST,
            ));
            self.drawn_with = Some(self.render);
        }
        let (w, h) = (self.frame.width as f32, self.frame.height as f32);
        let width = ui.available_width().clamp(64.0, 640.0);
        let size = vec2(width, width * h / w);
        let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
        if let Some(t) = &self.texture {
            ui.painter().image(
                t.id(),
                rect,
                Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)),
                Color32::WHITE,
            );
        }
        let scale = rect.width() / w;
        for hs in &self.detections.hotspots {
            let (x0, y0, x1, y1) = hs.bbox_px;
            let r = Rect::from_min_max(
                rect.min + vec2(x0 as f32, y0 as f32) * scale,
                rect.min + vec2((x1 + 1) as f32, (y1 + 1) as f32) * scale,
            );
            let c = match hs.kind {
                HotspotKind::Person => Color32::from_rgb(0, 255, 120),
                HotspotKind::Hot => Color32::from_rgb(255, 60, 60),
                HotspotKind::Warm => Color32::from_rgb(255, 220, 0),
            };
            ui.painter()
                .rect_stroke(r, 0.0, Stroke::new(1.5, c), egui::StrokeKind::Outside);
        }
        self.shown_rect = Some(rect);
        self.under_cursor_c = response.hover_pos().and_then(|p| {
            let x = ((p.x - rect.min.x) / scale).floor();
            let y = ((p.y - rect.min.y) / scale).floor();
            (x >= 0.0 && y >= 0.0)
                .then(|| self.frame.temperature_c(x as u32, y as u32))
                .flatten()
        });
        ui.label(match self.under_cursor_c {
            Some(t) => format!("Under cursor: {t:.1} °C"),
            None => "Under cursor: —".to_string(),
        });
        ui.label(format!(
            "{} × {} px, {:.1} to {:.1} °C",
            self.frame.width, self.frame.height, stats.min_c, stats.max_c
        ));
        let people = self.detections.people().count();
        ui.label(format!(
            "Hot spots: {} ({} people)",
            self.detections.hotspots.len(),
            people
        ));
        for hs in &self.detections.hotspots {
            ui.small(format!(
                "{:?} at ({:.0}, {:.0}) px, peak {:.1} °C",
                hs.kind, hs.centroid_px.0, hs.centroid_px.1, hs.peak_c
            ));
        }
    }
}

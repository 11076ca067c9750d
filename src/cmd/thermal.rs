//! `vigil thermal`: decode radiometric frames from files or the UDP stream, print their
//! temperatures and detections, and optionally write them as coloured PNGs.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use vigil::area::LocalFrame;
use vigil::thermal::geo::{CameraModel, Georeferencer, Mount, Pose};
use vigil::thermal::udp::UdpFrameSource;
use vigil::thermal::{
    Calibration, CrowdParams, Frame, FrameReport, Gain, HotspotParams, Isotherm, Palette, Pipeline,
    PrivacyMask, Render, TrackerParams, decode_file,
};

/// Arguments of `vigil thermal`.
#[derive(Debug, clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct Args {
    /// Radiometric files (FLIR .jpg/.fff, 16-bit .tiff/.png), folders of them, or
    /// `udp:ADDR:PORT` to receive Vigil's thermal stream (see `vigil::thermal::udp`).
    #[arg(required_unless_present = "purge_older_than_h")]
    pub inputs: Vec<String>,
    /// Palette for PNG output: white-hot, black-hot, ironbow, rainbow.
    #[arg(long, default_value = "ironbow")]
    pub palette: String,
    /// Write each frame as a coloured PNG into this folder.
    #[arg(long)]
    pub png_dir: Option<PathBuf>,
    /// Print one JSON object per frame instead of text.
    #[arg(long)]
    pub json: bool,
    /// Calibration for files that carry none: `centikelvin`, `tlinear` (0.04 K per count, FLIR
    /// Tau/Vue Pro R/Duo Pro R TIFFs), `linear:K_PER_COUNT:OFFSET_K`, or the path of a FLIR
    /// .fff/.jpg from the same camera whose Planck constants to use.
    #[arg(long)]
    pub calibration: Option<String>,
    /// Fixed palette range `MIN:MAX` in °C instead of automatic gain (1st–99th percentile).
    #[arg(long, value_name = "MIN:MAX", allow_hyphen_values = true)]
    pub range: Option<String>,
    /// Colour only the band `MIN:MAX` °C, grey elsewhere.
    #[arg(long, value_name = "MIN:MAX", allow_hyphen_values = true)]
    pub isotherm: Option<String>,
    /// Ground sample distance, metres per pixel, for hotspot sizes of files (the stream
    /// computes it from the pose).
    #[arg(long)]
    pub gsd_m: Option<f64>,
    /// Place file frames as taken from this pose: `LAT,LON,ALT_M,YAW_DEG,GIMBAL_PITCH_DEG`
    /// (altitude above mean sea level; a stabilised gimbal, pitch −90 = straight down). The
    /// field of view comes from the file, else from --hfov-deg.
    #[arg(
        long,
        value_name = "LAT,LON,ALT_M,YAW_DEG,GIMBAL_PITCH_DEG",
        allow_hyphen_values = true
    )]
    pub pose: Option<String>,
    /// Horizontal field of view for --pose when the file does not give one, degrees.
    #[arg(long)]
    pub hfov_deg: Option<f64>,
    /// Ground altitude above mean sea level at the venue, metres (for placing frames).
    #[arg(long, default_value_t = 0.0)]
    pub home_alt_m: f64,
    /// Stop a UDP source after this many frames.
    #[arg(long)]
    pub frames: Option<u64>,
    /// Stop a UDP source after this many seconds without a frame.
    #[arg(long, default_value_t = 10.0)]
    pub timeout_s: f64,
    /// Record every frame (raw counts, after the privacy mask) and its report into this
    /// flight folder's `thermal/` folder.
    #[arg(long, value_name = "FLIGHT_DIR")]
    pub record: Option<PathBuf>,
    /// Privacy zones: a GeoJSON file of Polygons/MultiPolygons (WGS84) whose ground is blanked
    /// in every frame before it is searched, written or recorded. Frames that cannot be placed
    /// on the ground (files) are blanked whole.
    #[arg(long, value_name = "GEOJSON")]
    pub privacy: Option<PathBuf>,
    /// Before anything else, delete records under the --record folder older than this many
    /// hours (the retention setting).
    #[arg(long, requires = "record", value_name = "HOURS")]
    pub purge_older_than_h: Option<f64>,
}

/// Runs `vigil thermal`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let palette = Palette::from_name(&args.palette).with_context(|| {
        format!(
            "--palette {}: expected one of white-hot, black-hot, ironbow, rainbow",
            args.palette
        )
    })?;
    let gain = match &args.range {
        Some(r) => {
            let (min_c, max_c) = parse_range("--range", r)?;
            Gain::Manual { min_c, max_c }
        }
        None => Gain::default(),
    };
    let isotherm = match &args.isotherm {
        Some(r) => {
            let (min_c, max_c) = parse_range("--isotherm", r)?;
            Some(Isotherm {
                min_c,
                max_c,
                palette,
            })
        }
        None => None,
    };
    let render = Render {
        palette,
        gain,
        isotherm,
    };
    let fallback = args
        .calibration
        .as_deref()
        .map(parse_calibration)
        .transpose()?;
    if let Some(dir) = &args.png_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("--png-dir {}: cannot create the folder", dir.display()))?;
    }
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64())
    };
    if let (Some(hours), Some(dir)) = (args.purge_older_than_h, &args.record) {
        if hours.is_nan() || hours < 0.0 {
            bail!("--purge-older-than-h {hours}: expected a number of hours ≥ 0");
        }
        if !dir.exists() {
            eprintln!("nothing to purge: {} does not exist", dir.display());
        } else {
            let p = vigil::thermal::purge(dir, hours * 3600.0, now())?;
            eprintln!(
                "purged {} record file(s), {} bytes, older than {hours} h from {}",
                p.files_removed,
                p.bytes_freed,
                dir.display()
            );
        }
    }
    let recorder = match &args.record {
        Some(dir) if !args.inputs.is_empty() => Some(std::cell::RefCell::new(
            vigil::thermal::Recorder::open(dir)?,
        )),
        _ => None,
    };
    let privacy_zones = args
        .privacy
        .as_deref()
        .map(read_privacy_zones)
        .transpose()?;
    let out = Output {
        privacy_zones,
        render,
        png_dir: args.png_dir.clone(),
        json: args.json,
        recorder,
        now: Box::new(now),
    };

    let mut failures = 0usize;
    for input in &args.inputs {
        let result = match input.strip_prefix("udp:") {
            Some(addr) => run_udp(addr, &args, &out),
            None => run_files(
                Path::new(input),
                &args,
                fallback.as_ref(),
                &out,
                &mut failures,
            ),
        };
        if let Err(e) = result {
            // A single input's error is the command's error: one line, not two.
            if args.inputs.len() == 1 {
                return Err(e);
            }
            eprintln!("error: {e:#}");
            failures += 1;
        }
    }
    if failures > 0 {
        bail!("{failures} input(s) failed");
    }
    Ok(())
}

struct Output {
    privacy_zones: Option<Vec<geo_types::Polygon<f64>>>,
    render: Render,
    png_dir: Option<PathBuf>,
    json: bool,
    recorder: Option<std::cell::RefCell<vigil::thermal::Recorder>>,
    now: Box<dyn Fn() -> f64>,
}

/// The polygons of a GeoJSON file, in WGS84 degrees.
fn read_privacy_zones(path: &Path) -> anyhow::Result<Vec<geo_types::Polygon<f64>>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--privacy {}: cannot read", path.display()))?;
    let gj: geojson::GeoJson = text
        .parse()
        .with_context(|| format!("--privacy {}: not GeoJSON", path.display()))?;
    let geometries: Vec<geojson::Geometry> = match gj {
        geojson::GeoJson::FeatureCollection(fc) => {
            fc.features.into_iter().filter_map(|f| f.geometry).collect()
        }
        geojson::GeoJson::Feature(f) => f.geometry.into_iter().collect(),
        geojson::GeoJson::Geometry(g) => vec![g],
    };
    let mut zones = Vec::new();
    for (i, g) in geometries.into_iter().enumerate() {
        let geom: geo_types::Geometry<f64> = g
            .try_into()
            .with_context(|| format!("--privacy {}: geometry {i} is not valid", path.display()))?;
        match geom {
            geo_types::Geometry::Polygon(p) => zones.push(p),
            geo_types::Geometry::MultiPolygon(mp) => zones.extend(mp.0),
            other => bail!(
                "--privacy {}: geometry {i} is a {}, expected Polygon or MultiPolygon",
                path.display(),
                match other {
                    geo_types::Geometry::Point(_) => "Point",
                    geo_types::Geometry::LineString(_) => "LineString",
                    geo_types::Geometry::MultiPoint(_) => "MultiPoint",
                    geo_types::Geometry::MultiLineString(_) => "MultiLineString",
                    _ => "other geometry",
                }
            ),
        }
    }
    Ok(zones)
}

fn parse_pose(s: &str) -> anyhow::Result<Pose> {
    let v: Vec<f64> = s
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .ok()
        .filter(|v: &Vec<f64>| v.len() == 5)
        .with_context(|| {
            format!("--pose {s}: expected five numbers LAT,LON,ALT_M,YAW_DEG,GIMBAL_PITCH_DEG")
        })?;
    if !(-90.0..=90.0).contains(&v[0]) || !(-180.0..=180.0).contains(&v[1]) {
        bail!(
            "--pose {s}: latitude {} or longitude {} out of range",
            v[0],
            v[1]
        );
    }
    Ok(Pose {
        time_s: 0.0,
        lat_deg: v[0],
        lon_deg: v[1],
        alt_m: v[2],
        roll_deg: 0.0,
        pitch_deg: 0.0,
        yaw_deg: v[3],
        gimbal_roll_deg: 0.0,
        gimbal_pitch_deg: v[4],
        gimbal_yaw_deg: 0.0,
    })
}

fn parse_range(flag: &str, s: &str) -> anyhow::Result<(f64, f64)> {
    let parsed = s
        .split_once(':')
        .and_then(|(a, b)| Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?)));
    match parsed {
        Some((a, b)) if a < b => Ok((a, b)),
        _ => bail!("{flag} {s}: expected MIN:MAX in °C with MIN < MAX, e.g. 25:40"),
    }
}

fn parse_calibration(s: &str) -> anyhow::Result<Calibration> {
    match s {
        "centikelvin" => return Ok(Calibration::CentiKelvin),
        "tlinear" => return Ok(Calibration::tlinear_high_res()),
        _ => {}
    }
    if let Some(rest) = s.strip_prefix("linear:") {
        let parsed = rest
            .split_once(':')
            .and_then(|(a, b)| Some((a.parse::<f64>().ok()?, b.parse::<f64>().ok()?)));
        return match parsed {
            Some((k, o)) if k > 0.0 => Ok(Calibration::Linear {
                kelvin_per_count: k,
                offset_k: o,
            }),
            _ => bail!(
                "--calibration {s}: expected linear:K_PER_COUNT:OFFSET_K with K_PER_COUNT > 0"
            ),
        };
    }
    let d = decode_file(Path::new(s)).with_context(|| format!("--calibration {s}"))?;
    d.calibration.with_context(|| {
        format!(
            "--calibration {s}: the file holds no Planck constants; expected centikelvin, \
             tlinear, linear:K:OFFSET or a FLIR .fff/.jpg"
        )
    })
}

/// The files named by `input`: itself, or the radiometric files of a folder in name order.
fn expand(input: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if !input.is_dir() {
        return Ok(vec![input.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(input).with_context(|| format!("{}", input.display()))? {
        let path = entry
            .with_context(|| format!("{}", input.display()))?
            .path();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        if matches!(
            ext.as_deref(),
            Some("jpg" | "jpeg" | "fff" | "tif" | "tiff" | "png")
        ) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn run_files(
    input: &Path,
    args: &Args,
    fallback: Option<&Calibration>,
    out: &Output,
    failures: &mut usize,
) -> anyhow::Result<()> {
    let mut pipeline = Pipeline::new(
        None,
        HotspotParams::default(),
        TrackerParams::default(),
        CrowdParams::default(),
    );
    // Files carry no pose: hotspot sizes come from the given ground sample distance.
    pipeline.fallback_gsd_m = args.gsd_m;
    if let Some(zones) = &out.privacy_zones {
        // Without a pose no pixel can be placed, so any zone blanks the whole frame.
        pipeline.privacy = PrivacyMask::from_wgs84(&LocalFrame::new(0.0, 0.0), zones);
    }
    let pose = args.pose.as_deref().map(parse_pose).transpose()?;
    for path in expand(input)? {
        let frame = decode_file(&path).and_then(|d| d.into_frame(fallback));
        let mut frame = match frame {
            Ok(f) => f,
            Err(e @ vigil::thermal::ThermalError::NoCalibration { .. }) => {
                eprintln!("error: {e}: pass --calibration");
                *failures += 1;
                continue;
            }
            Err(e) => {
                eprintln!("error: {e}");
                *failures += 1;
                continue;
            }
        };
        if let Some(pose) = pose {
            // Each file is placed on its own: a fresh pipeline with this pose at time 0.
            let hfov_deg = frame.meta.hfov_deg.or(args.hfov_deg).with_context(|| {
                format!(
                    "{}: --pose needs the field of view; the file gives none, pass --hfov-deg",
                    path.display()
                )
            })?;
            let georef = Georeferencer {
                frame: LocalFrame::new(pose.lon_deg, pose.lat_deg),
                home_alt_m: args.home_alt_m,
                camera: CameraModel {
                    width_px: frame.width,
                    height_px: frame.height,
                    hfov_deg,
                },
                mount: Mount::default(),
            };
            let mut placed = Pipeline::new(
                Some(georef),
                HotspotParams::default(),
                TrackerParams::default(),
                CrowdParams::default(),
            );
            placed.poses.push(pose);
            if let Some(zones) = &out.privacy_zones {
                placed.privacy = PrivacyMask::from_wgs84(&georef.frame, zones);
            }
            frame.boot_time_s = Some(0.0);
            let report = placed.process(&mut frame);
            emit(&frame, &report, out)?;
            continue;
        }
        let report = pipeline.process(&mut frame);
        emit(&frame, &report, out)?;
    }
    Ok(())
}

fn run_udp(addr: &str, args: &Args, out: &Output) -> anyhow::Result<()> {
    let sock: SocketAddr = addr
        .parse()
        .with_context(|| format!("udp:{addr}: expected udp:ADDR:PORT, e.g. udp:0.0.0.0:5601"))?;
    let mut source = UdpFrameSource::bind(sock)?;
    let mut pipeline: Option<Pipeline> = None;
    let mut n = 0u64;
    let timeout = Duration::from_secs_f64(args.timeout_s.max(0.001));
    while args.frames.is_none_or(|max| n < max) {
        let Some(sf) = source.next_frame(timeout)? else {
            if n == 0 {
                // Say so rather than end silently: a wrong port, or a sender Vigil cannot read.
                anyhow::bail!(
                    "udp:{addr}: no thermal frame within {} s ({} datagram(s) received that are \
                     not Vigil's or vigil-sim's frame chunks)",
                    args.timeout_s,
                    source.stats().bad_datagrams
                );
            }
            tracing::info!(
                addr,
                frames = n,
                "thermal stream: no frame within the timeout"
            );
            break;
        };
        n += 1;
        let p = pipeline.get_or_insert_with(|| {
            // The venue frame is centred under the first pose (or at 0, 0 without one).
            let (lon, lat) = sf.pose.map_or((0.0, 0.0), |p| (p.lon_deg, p.lat_deg));
            let georef = Georeferencer {
                frame: LocalFrame::new(lon, lat),
                home_alt_m: args.home_alt_m,
                camera: CameraModel {
                    width_px: sf.frame.width,
                    height_px: sf.frame.height,
                    hfov_deg: sf.hfov_deg,
                },
                mount: Mount::default(),
            };
            let mut p = Pipeline::new(
                Some(georef),
                HotspotParams::default(),
                TrackerParams::default(),
                CrowdParams::default(),
            );
            if let Some(zones) = &out.privacy_zones {
                p.privacy = PrivacyMask::from_wgs84(&georef.frame, zones);
            }
            p
        });
        if let Some(pose) = sf.pose {
            p.poses.push(pose);
        }
        let mut frame = sf.frame;
        let report = p.process(&mut frame);
        emit(&frame, &report, out)?;
    }
    let s = source.stats();
    tracing::info!(
        frames = s.frames,
        lost = s.lost_frames,
        bad = s.bad_datagrams,
        "thermal stream closed"
    );
    Ok(())
}

fn emit(frame: &Frame, report: &FrameReport, out: &Output) -> anyhow::Result<()> {
    if let Some(rec) = &out.recorder {
        rec.borrow_mut().record(frame, report, (out.now)())?;
    }
    if let Some(dir) = &out.png_dir {
        let stem = Path::new(&frame.source)
            .file_name()
            .map(|s| s.to_string_lossy().replace(['#', ':'], "_"))
            .unwrap_or_else(|| "frame".to_string());
        let path = dir.join(format!("{stem}.png"));
        out.render
            .draw(frame)
            .write_png(&path)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if out.json {
        let line = serde_json::json!({
            "report": report,
            "meta": frame.meta,
            "calibration": frame.calibration,
        });
        println!("{line}");
        return Ok(());
    }
    let s = &report.stats;
    let camera = frame
        .meta
        .camera_model
        .as_deref()
        .map(|m| format!(" ({m})"))
        .unwrap_or_default();
    println!(
        "{}{camera}: {}x{}, min {:.2} °C, max {:.2} °C, median {:.2} °C, {} hotspot(s), {} person(s)",
        report.source,
        report.width,
        report.height,
        s.min_c,
        s.max_c,
        s.median_c,
        report.detections.hotspots.len(),
        report.detections.people().count()
    );
    if report.privacy.whole_frame {
        println!("  privacy: the frame could not be placed and was blanked whole");
    } else if report.privacy.blanked_px > 0 {
        println!("  privacy: {} pixel(s) blanked", report.privacy.blanked_px);
    }
    if let Some(fp) = &report.footprint {
        let corners: Vec<String> = fp
            .iter()
            .map(|p| format!("{:.7},{:.7}", p.lat_deg, p.lon_deg))
            .collect();
        println!("  footprint (lat,lon TL TR BR BL): {}", corners.join(" "));
    }
    for (i, h) in report.detections.hotspots.iter().enumerate() {
        let area = h
            .area_m2
            .map(|a| format!(", {a:.2} m²"))
            .unwrap_or_default();
        let place = report
            .ground
            .get(i)
            .copied()
            .flatten()
            .map(|g| format!(", at {:.7},{:.7}", g.lat_deg, g.lon_deg))
            .unwrap_or_default();
        let id = match report.object_ids.get(i) {
            Some(&id) if id > 0 => format!(" #{id}"),
            _ => String::new(),
        };
        println!(
            "  {:?}{id}: {} px{area}, centroid ({:.1}, {:.1}), peak {:.2} °C{place}",
            h.kind, h.pixels, h.centroid_px.0, h.centroid_px.1, h.peak_c
        );
    }
    for c in &report.crowds {
        println!(
            "  crowd {} ({:?}): {} people within {:.1} m of {:.7},{:.7}",
            c.crowd_id, c.status, c.people, c.extent_m, c.lat_deg, c.lon_deg
        );
    }
    Ok(())
}

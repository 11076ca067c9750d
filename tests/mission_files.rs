//! Mission files against the real files in the shared data folder: every file imports with the
//! values it holds, and read → write → read gives the same mission in every format that can
//! hold it.

use std::path::{Path, PathBuf};

use vigil::mission::{
    self, Mission, MissionFormat, MissionItem, Note, ParseError, mission_to_string,
    read_mission_str,
};

// ------------------------------------------------------------------------------------------------
// Helpers

fn data(test: &str) -> Option<PathBuf> {
    vigil::testdata::shared_data(test)
}

fn read(dir: &Path, rel: &str) -> (Mission, Vec<Note>) {
    let path = dir.join(rel);
    mission::read_mission(&path).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Equality that treats NaN as equal to NaN (a `null` param must stay `null`): the `Debug`
/// text prints every `f64` exactly, NaN as `NaN`.
fn same(a: &Mission, b: &Mission) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

fn assert_same(a: &Mission, b: &Mission, what: &str) {
    assert!(
        same(a, b),
        "{what}: missions differ\nleft:  {a:?}\nright: {b:?}"
    );
}

fn item(m: &Mission, i: usize) -> &MissionItem {
    &m.items[i]
}

fn all_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for sub in ["plan", "waypoints", "bugs"] {
        let mut entries: Vec<_> = std::fs::read_dir(dir.join(sub))
            .expect("shared data subfolder")
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        for p in entries {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            out.push((format!("{sub}/{name}"), p));
        }
    }
    out
}

const FORMATS: [MissionFormat; 4] = [
    MissionFormat::Plan,
    MissionFormat::Waypoints,
    MissionFormat::LegacyFence,
    MissionFormat::LegacyRally,
];

// ------------------------------------------------------------------------------------------------
// Every file imports, and round-trips

#[test]
fn every_shared_file_imports_or_is_a_documented_fragment() {
    let Some(dir) = data("every_shared_file_imports_or_is_a_documented_fragment") else {
        return;
    };
    let files = all_files(&dir);
    assert_eq!(files.len(), 24, "plan 6 + waypoints 13 + bugs 5");
    for (name, path) in files {
        let result = mission::read_mission(&path);
        match name.as_str() {
            // A single complex item, not a plan: read through the plan item parser in
            // `bug_mavsdk_python_508_*`; as a whole file it has no plan section.
            "bugs/MAVSDK-Python-508_fwLandingPattern_item.json" => {
                let err = result.expect_err("a lone item is not a plan").to_string();
                assert!(
                    err.contains("\"mission\", \"geoFence\" or \"rallyPoints\""),
                    "{err}"
                );
            }
            // Truncated by the issue tracker mid-number; see `bug_qgc_7018_*`.
            "bugs/qgroundcontrol-7018_AutoLoad1_fragment.json" => {
                let err = result.expect_err("truncated param").to_string();
                assert!(err.contains("mission.items[0].params[4]"), "{err}");
            }
            _ => {
                let (m, _) = result.unwrap_or_else(|e| panic!("{name}: {e}"));
                let holds_something = !m.items.is_empty()
                    || !m.fence.is_empty()
                    || !m.rally.is_empty()
                    || !m.kept_complex_items.is_empty();
                assert!(holds_something, "{name} read as an empty mission");
            }
        }
    }
}

#[test]
fn every_shared_file_round_trips_through_every_format_that_holds_it() {
    let Some(dir) = data("every_shared_file_round_trips_through_every_format_that_holds_it") else {
        return;
    };
    let mut lossless_count = 0;
    for (name, path) in all_files(&dir) {
        let Ok((m, _)) = mission::read_mission(&path) else {
            continue; // the two fragments, checked above
        };
        let mut lossless = Vec::new();
        for format in FORMATS {
            let Ok((text, notes)) = mission_to_string(&m, format) else {
                continue; // e.g. a legacy rally file for a mission without rally points
            };
            let (back, _) = read_mission_str(&text, format).unwrap_or_else(|e| {
                panic!("{name} as {}: reading back: {e}\n{text}", format.name())
            });
            if notes.is_empty() {
                assert_same(&m, &back, &format!("{name} via {}", format.name()));
                lossless.push(format);
            }
            // Whatever was lost is lost once: a second trip changes nothing more.
            let (text2, _) = mission_to_string(&back, format).expect("second write");
            assert_eq!(
                text,
                text2,
                "{name} via {}: second write differs",
                format.name()
            );
        }
        // Every file survives at least the format it came in (or .plan, for plan fragments).
        let names: Vec<&str> = lossless.iter().map(|f| f.name()).collect();
        assert_eq!(
            names.join(" "),
            expected_lossless(&name),
            "{name}: formats that hold it"
        );
        lossless_count += lossless.len();
    }
    assert_eq!(lossless_count, 36);
}

/// The formats each file goes through with no note: its own, and any other that holds all of
/// it. Plan settings (vehicle type, speeds) and null home altitudes keep plans in `.plan`;
/// circles around home and rally frames keep those files in `.waypoints`.
fn expected_lossless(name: &str) -> &'static str {
    match name {
        "waypoints/ardupilot_Dalby-OBC2016-fence.txt"
        | "waypoints/ardupilot_fence-in-middle-of-nowhere.txt"
        | "waypoints/mavproxy_springvalleybottom-foamy-fence.txt"
        | "waypoints/pymavlink_fence.txt" => "plan waypoints legacy-fence",
        "waypoints/ardupilot_copter_mission.txt"
        | "waypoints/mavproxy_springvalley-foamy-mission-cw.txt"
        | "waypoints/pymavlink_fence-110.txt"
        | "waypoints/qgc_MissionPlanner.waypoints.txt"
        | "bugs/MAVSDK-1743.waypoints"
        | "bugs/MissionPlanner-953.waypoints" => "plan waypoints",
        "waypoints/ardupilot_single_home_circle.txt"
        | "waypoints/mavsdk_mission_planner_sample.txt"
        | "waypoints/pymavlink_rally-110.txt" => "waypoints",
        "waypoints/mavproxy_springvalley-foamy-rally.txt" | "waypoints/pymavlink_rally.txt" => {
            "legacy-rally"
        }
        _ => "plan",
    }
}

#[test]
fn read_write_read_through_files_on_disk() {
    let Some(dir) = data("read_write_read_through_files_on_disk") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let (m, _) = read(&dir, "waypoints/qgc_MissionPlanner.waypoints.txt");
    for ext in ["plan", "waypoints", "txt"] {
        let out = tmp.path().join(format!("out.{ext}"));
        let notes = mission::write_mission(&out, &m).expect("write");
        assert!(notes.is_empty(), "{ext}: {notes:?}");
        let (back, _) = mission::read_mission(&out).expect("read back");
        assert_same(&m, &back, ext);
    }
}

// ------------------------------------------------------------------------------------------------
// .plan files: the values they hold

#[test]
fn plan_mavsdk_python_example_has_null_home_altitude_and_v2_rally() {
    let Some(dir) = data("plan_mavsdk_python_example") else {
        return;
    };
    let (m, notes) = read(&dir, "plan/mavsdk-python_example-mission.plan");
    assert!(notes.is_empty());
    assert_eq!(m.items.len(), 5);
    let t = item(&m, 0);
    assert_eq!((t.command, t.frame), (22, 3));
    assert_eq!(
        (t.lat_deg, t.lon_deg, t.alt_m),
        (47.397763168426465, 8.545600849401296, 50.0)
    );
    assert!(t.params[3].is_nan(), "null param4 reads as NaN");
    assert_eq!((item(&m, 4).command, item(&m, 4).frame), (20, 2));
    let home = m.planned_home.expect("home");
    assert_eq!(
        (home.lat_deg, home.lon_deg),
        (47.397763168426465, 8.545600849401296)
    );
    assert!(home.alt_m.is_nan(), "null home altitude stays unknown");
    let (wpl, notes) = mission::write_wpl(&m);
    assert!(
        wpl.contains("\n0\t1\t0\t16\t0\t0\t0\t0\t47.397763168426465\t8.545600849401296\tNaN\t1\n"),
        "{wpl}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.message.starts_with("planned home altitude is unknown")),
        "{notes:?}"
    );
    assert_eq!(m.rally.len(), 2);
    assert_eq!(m.rally[1].position.lat_deg, 47.39882862292046);
    assert_eq!(m.rally[1].position.lon_deg, 8.545234383318984);
    assert_eq!((m.vehicle_type, m.firmware_type), (Some(2), Some(12)));
    assert_eq!(
        (m.cruise_speed_mps, m.hover_speed_mps),
        (Some(15.0), Some(5.0))
    );
    assert!(m.fence.is_empty());
}

#[test]
fn plan_mavsdk_sample_keeps_camera_command_and_home_altitude() {
    let Some(dir) = data("plan_mavsdk_sample") else {
        return;
    };
    let (m, _) = read(&dir, "plan/mavsdk_qgroundcontrol_sample.plan");
    assert_eq!(m.items.len(), 6);
    assert_eq!(item(&m, 0).params[0], 15.0);
    let cam = item(&m, 2);
    assert_eq!((cam.command, cam.frame), (2000, 2));
    assert_eq!(cam.params, [0.0, 0.0, 1.0, 0.0]);
    assert_eq!(
        (item(&m, 1).lat_deg, item(&m, 1).lon_deg),
        (47.39777106, 8.5466122)
    );
    assert_eq!(m.planned_home.expect("home").alt_m, 488.93101752001763);
}

#[test]
fn plan_survey_is_flattened_into_its_pre_generated_items() {
    let Some(dir) = data("plan_survey_is_flattened") else {
        return;
    };
    let (m, notes) = read(&dir, "plan/mavsdk_qgroundcontrol_sample_with_survey.plan");
    assert_eq!(m.items.len(), 13, "1 simple + 12 survey items");
    assert_eq!(notes.len(), 1);
    assert!(notes[0].message.contains("'survey'"), "{}", notes[0]);
    assert!(
        notes[0].message.contains("12 simple mission items"),
        "{}",
        notes[0]
    );
    assert_eq!(item(&m, 0).command, 530);
    assert!(item(&m, 0).params[2].is_nan());
    let first = item(&m, 1);
    assert_eq!((first.command, first.frame), (16, 3));
    assert_eq!(
        (first.lat_deg, first.lon_deg),
        (47.397705960554916, 8.546339694155481)
    );
    assert_eq!(m.items.iter().filter(|i| i.command == 206).count(), 4);
    assert_eq!(item(&m, 2).params[0], 25.0, "camera trigger distance");
    assert_eq!(item(&m, 12).command, 206);
    assert_eq!(item(&m, 12).params[0], 0.0, "last trigger stops the camera");
    assert!(m.kept_complex_items.is_empty());
}

#[test]
fn plan_structure_scan_without_items_is_kept_verbatim_and_reported() {
    let Some(dir) = data("plan_structure_scan") else {
        return;
    };
    let (m, notes) = read(
        &dir,
        "plan/mavsdk_qgroundcontrol_sample_with_structured_scan.plan",
    );
    assert_eq!(m.items.len(), 1);
    assert_eq!(m.kept_complex_items.len(), 1);
    let k = &m.kept_complex_items[0];
    assert_eq!(
        (k.complex_type.as_str(), k.before_item),
        ("StructureScan", 1)
    );
    assert_eq!(k.json["Layers"], 2);
    assert_eq!(k.json["polygon"].as_array().map(Vec::len), Some(4));
    assert!(notes.iter().any(|n| n.message.contains("'StructureScan'")));
    // A .waypoints file cannot hold it: the note names it.
    let (_, wnotes) = mission::write_wpl(&m);
    assert!(
        wnotes.iter().any(|n| n.message.contains("'StructureScan'")),
        "{wnotes:?}"
    );
}

#[test]
fn plan_old_schema_reads_coordinate_arrays_and_four_params() {
    let Some(dir) = data("plan_old_schema") else {
        return;
    };
    let (m, _) = read(&dir, "plan/qgc_SectionTest.plan");
    assert_eq!(m.items.len(), 5);
    let t = item(&m, 0);
    assert_eq!((t.command, t.frame), (22, 3));
    assert_eq!(
        (t.lat_deg, t.lon_deg, t.alt_m),
        (47.63311996, -122.090763, 20.0)
    );
    assert!(t.params[3].is_nan());
    let speed = item(&m, 3);
    assert_eq!((speed.command, speed.frame, speed.alt_m), (205, 2, 2.0));
    let home = m.planned_home.expect("home");
    assert_eq!(
        (home.lat_deg, home.lon_deg, home.alt_m),
        (47.633389756176875, -122.09076300000001, 20.0)
    );
    assert!(m.fence.is_empty() && m.rally.is_empty());
}

#[test]
fn plan_geofence_v2_keeps_inclusion_and_exclusion_polygons() {
    let Some(dir) = data("plan_geofence_v2") else {
        return;
    };
    let (m, _) = read(&dir, "plan/qgc_custom_ce_geofence_outfield.plan");
    assert!(m.items.is_empty());
    assert_eq!(m.fence.polygons.len(), 2);
    let inc = &m.fence.polygons[0];
    assert!(inc.inclusion);
    assert_eq!(inc.vertices.len(), 4);
    assert_eq!(
        (inc.vertices[0].lat_deg, inc.vertices[0].lon_deg),
        (38.7507608625056, -77.49735908548331)
    );
    let exc = &m.fence.polygons[1];
    assert!(!exc.inclusion);
    assert_eq!(
        (exc.vertices[1].lat_deg, exc.vertices[1].lon_deg),
        (38.7508358, -77.496979)
    );
    assert_eq!(m.planned_home.expect("home").alt_m, 30.0);
}

// ------------------------------------------------------------------------------------------------
// .waypoints and legacy files: the values they hold

#[test]
fn wpl_copter_mission_keeps_frames_commands_and_crlf_rows() {
    let Some(dir) = data("wpl_copter_mission") else {
        return;
    };
    let (m, _) = read(&dir, "waypoints/ardupilot_copter_mission.txt");
    assert_eq!(m.items.len(), 12);
    let home = m.planned_home.expect("home");
    assert_eq!(
        (home.lat_deg, home.lon_deg, home.alt_m),
        (-35.362881, 149.165222, 582.0)
    );
    assert_eq!(m.planned_home_frame, 0);
    assert!(m.items.iter().all(|i| i.frame == 3), "relative frames kept");
    assert_eq!((item(&m, 0).command, item(&m, 0).alt_m), (22, 20.0));
    assert_eq!(item(&m, 2).command, 115);
    assert_eq!(item(&m, 2).params, [640.0, 20.0, 1.0, 1.0]);
    assert_eq!(item(&m, 9).command, 177);
    assert_eq!((item(&m, 9).params[0], item(&m, 9).params[1]), (8.0, 1.0));
    assert_eq!(item(&m, 11).command, 20);
}

#[test]
fn wpl_mission_planner_file_keeps_loiter_jump_and_land_start() {
    let Some(dir) = data("wpl_mission_planner_file") else {
        return;
    };
    let (m, _) = read(&dir, "waypoints/qgc_MissionPlanner.waypoints.txt");
    assert_eq!(m.items.len(), 14);
    let home = m.planned_home.expect("home");
    assert_eq!(
        (home.lat_deg, home.lon_deg, home.alt_m),
        (40.122269, -105.170967, 1543.079956)
    );
    assert_eq!((item(&m, 6).command, item(&m, 6).params[1]), (177, -1.0));
    assert_eq!(item(&m, 7).command, 18);
    assert_eq!(item(&m, 7).params, [2.0, 0.0, 150.0, 0.0]);
    assert_eq!((item(&m, 9).command, item(&m, 9).params[1]), (178, 15.0));
    assert_eq!(item(&m, 10).command, 189);
    assert_eq!(
        (item(&m, 13).command, item(&m, 13).lat_deg),
        (21, 40.122527)
    );
}

#[test]
fn wpl_springvalley_mission_has_absolute_jump_row_and_land() {
    let Some(dir) = data("wpl_springvalley") else {
        return;
    };
    let (m, _) = read(&dir, "waypoints/mavproxy_springvalley-foamy-mission-cw.txt");
    assert_eq!(m.items.len(), 11);
    assert_eq!(m.planned_home.expect("home").alt_m, 585.669983);
    let jump = item(&m, 5);
    assert_eq!(
        (jump.command, jump.frame, jump.params[0], jump.params[1]),
        (177, 0, 2.0, -1.0)
    );
    assert_eq!(item(&m, 6).command, 189);
    assert_eq!((item(&m, 10).command, item(&m, 10).params[3]), (21, 1.0));
}

#[test]
fn wpl_global_int_frame_and_no_trailing_newline() {
    let Some(dir) = data("wpl_global_int") else {
        return;
    };
    let (m, notes) = read(&dir, "waypoints/mavsdk_mission_planner_sample.txt");
    // Row 0 is a takeoff in this file: its position is the home, and a note says so.
    let home = m.planned_home.expect("home");
    assert_eq!(
        (home.lat_deg, home.lon_deg, home.alt_m),
        (47.3978101, 8.545538, 15.0)
    );
    assert_eq!(m.planned_home_frame, 5);
    assert!(
        notes.iter().any(|n| n.message.contains("command 22")),
        "{notes:?}"
    );
    assert_eq!(m.items.len(), 3);
    assert!(m.items.iter().all(|i| i.frame == 5));
    assert_eq!((item(&m, 2).command, item(&m, 2).lat_deg), (20, 47.3977774));
}

#[test]
fn wpl_fence_file_polygon_and_exclusion_circles() {
    let Some(dir) = data("wpl_fence_file") else {
        return;
    };
    let (m, _) = read(&dir, "waypoints/pymavlink_fence-110.txt");
    assert!(m.items.is_empty() && m.planned_home.is_none());
    assert_eq!(m.fence.polygons.len(), 1);
    assert!(m.fence.polygons[0].inclusion);
    assert_eq!(m.fence.polygons[0].vertices.len(), 8);
    assert_eq!(m.fence.polygons[0].vertices[7].lat_deg, 40.072453);
    assert_eq!(m.fence.circles.len(), 2);
    for c in &m.fence.circles {
        assert!(!c.inclusion);
        assert_eq!(c.radius_m, 20.0);
    }
    assert_eq!(
        (
            m.fence.circles[1].center.lat_deg,
            m.fence.circles[1].center.lon_deg
        ),
        (40.071625, -105.227982)
    );
    assert!(m.fence.return_point.is_none());
}

#[test]
fn wpl_fence_with_return_point() {
    let Some(dir) = data("wpl_fence_with_return_point") else {
        return;
    };
    let (m, _) = read(
        &dir,
        "waypoints/mavproxy_springvalleybottom-foamy-fence.txt",
    );
    let r = m.fence.return_point.expect("return point");
    assert_eq!((r.lat_deg, r.lon_deg), (-35.281086, 149.00737));
    assert_eq!(m.fence.polygons.len(), 1);
    assert_eq!(m.fence.polygons[0].vertices.len(), 4);
    assert_eq!(m.fence.polygons[0].vertices[2].lon_deg, 149.009476);
}

#[test]
fn wpl_home_circle_5005() {
    let Some(dir) = data("wpl_home_circle") else {
        return;
    };
    let (m, _) = read(&dir, "waypoints/ardupilot_single_home_circle.txt");
    assert_eq!(m.fence.home_circles.len(), 1);
    assert_eq!(m.fence.home_circles[0].radius_m, 50.0);
    assert!(m.planned_home.is_none() && m.items.is_empty());
    // A .plan cannot hold a circle around an unknown home: the note names it.
    let (_, notes) = mission::write_plan(&m);
    assert!(
        notes
            .iter()
            .any(|n| n.message.contains("home circle 1 (radius 50 m")),
        "{notes:?}"
    );
}

#[test]
fn wpl_rally_file() {
    let Some(dir) = data("wpl_rally_file") else {
        return;
    };
    let (m, _) = read(&dir, "waypoints/pymavlink_rally-110.txt");
    assert_eq!(m.rally.len(), 2);
    assert_eq!(m.rally[0].frame, Some(0));
    let p = m.rally[0].position;
    assert_eq!(
        (p.lat_deg, p.lon_deg, p.alt_m),
        (40.071766, -105.230202, 0.0)
    );
}

#[test]
fn legacy_fence_files_first_point_is_return_last_closes() {
    let Some(dir) = data("legacy_fence_files") else {
        return;
    };
    let (m, _) = read(&dir, "waypoints/pymavlink_fence.txt");
    let r = m.fence.return_point.expect("return");
    assert_eq!((r.lat_deg, r.lon_deg), (-35.36372, 149.163651));
    assert_eq!(m.fence.polygons[0].vertices.len(), 4);
    assert_eq!(m.fence.polygons[0].vertices[3].lon_deg, 149.16687);

    let (m, _) = read(&dir, "waypoints/ardupilot_Dalby-OBC2016-fence.txt");
    assert_eq!(m.fence.polygons.len(), 1);
    let v = &m.fence.polygons[0].vertices;
    assert_eq!(
        v.len(),
        16,
        "18 lines minus return point minus closing point"
    );
    assert_eq!((v[0].lat_deg, v[0].lon_deg), (-27.274988, 151.340408));
    assert_eq!((v[15].lat_deg, v[15].lon_deg), (-27.284918, 151.338394));

    let (m, _) = read(&dir, "waypoints/ardupilot_fence-in-middle-of-nowhere.txt");
    assert_eq!(m.fence.return_point.expect("return").lat_deg, -35.361359);
    assert_eq!(m.fence.polygons[0].vertices.len(), 4);
}

#[test]
fn legacy_rally_files_keep_break_altitude() {
    let Some(dir) = data("legacy_rally_files") else {
        return;
    };
    let (m, _) = read(&dir, "waypoints/pymavlink_rally.txt");
    assert_eq!(m.rally.len(), 2);
    assert_eq!(m.rally[1].position.lat_deg, 40.072265);
    assert_eq!(
        (
            m.rally[1].break_alt_m,
            m.rally[1].land_dir_deg,
            m.rally[1].flags
        ),
        (Some(40.0), Some(0.0), Some(0))
    );
    let (m, _) = read(&dir, "waypoints/mavproxy_springvalley-foamy-rally.txt");
    assert_eq!(m.rally.len(), 1);
    assert_eq!(m.rally[0].position.alt_m, 100.0);
    assert_eq!(m.rally[0].frame, None, "relative to home");
}

// ------------------------------------------------------------------------------------------------
// The bugs other tools had with these files

/// QGroundControl #7018: fence and rally points dropped when a plan was loaded.
#[test]
fn bug_qgc_7018_fence_and_rally_survive_load() {
    let Some(dir) = data("bug_qgc_7018") else {
        return;
    };
    let text =
        std::fs::read_to_string(dir.join("bugs/qgroundcontrol-7018_AutoLoad1_fragment.json"))
            .expect("fragment");

    // As stored, param5 was truncated by the issue tracker into a string: a precise error,
    // never a guessed number.
    match mission::read_plan(&text) {
        Err(ParseError::Plan { at, found, .. }) => {
            assert_eq!(at, "mission.items[0].params[4]");
            assert!(found.starts_with("string \"<truncated"), "{found}");
        }
        other => panic!("expected a plan error, got {other:?}"),
    }

    // Its geofence alone, through the plan reader's geofence parser.
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    let fence = mission::plan::parse_geofence(&json["geoFence"], "geoFence").expect("fence");
    assert_eq!(fence.polygons.len(), 1);
    assert!(fence.polygons[0].inclusion);
    assert_eq!(fence.polygons[0].vertices.len(), 3);
    assert_eq!(fence.polygons[0].vertices[2].lat_deg, 38.144676208496094);

    // With the latitude the issue shows in place of the truncation, plus a placeholder longitude
    // (-76.43, unknown) and the item's own `Altitude` (10) for the lost params 6 and 7, the
    // whole file loads with its fence (no rally section, no home and the `curiseSpeed` typo are
    // all tolerated).
    let repaired = text.replace(
        "\"<truncated: 38.1479187011...>\"",
        "38.1479187011, -76.43, 10",
    );
    let (m, notes) = mission::read_plan(&repaired).expect("repaired fragment");
    let notes: Vec<&str> = notes.iter().map(|n| n.message.as_str()).collect();
    assert_eq!(
        notes,
        [
            "_note: unknown key, ignored",
            "mission.curiseSpeed: unknown key, ignored"
        ]
    );
    assert_eq!(m.fence.polygons.len(), 1);
    assert_eq!(m.fence.polygons[0].vertices[0].lon_deg, -76.43408966064453);
    let t = item(&m, 0);
    assert_eq!(
        (t.command, t.frame, t.params[0], t.lat_deg),
        (22, 0, 35.0, 38.1479187011)
    );
    assert!(m.cruise_speed_mps.is_none(), "misspelt key is not guessed");

    // And a plan holding fence and rally keeps both through write and load.
    let mut full = m.clone();
    full.rally
        .push(vigil::mission::RallyPoint::new(vigil::mission::GeoPoint {
            lat_deg: 38.143,
            lon_deg: -76.43,
            alt_m: 30.0,
        }));
    let (plan, notes) = mission::write_plan(&full);
    assert!(notes.is_empty(), "{notes:?}");
    let (back, _) = mission::read_plan(&plan).expect("read back");
    assert_eq!(back.fence.polygons.len(), 1);
    assert_eq!(back.rally.len(), 1);
    assert_same(&full, &back, "7018 plan");
}

/// Mission Planner #953: relative altitudes saved as absolute. Frames must come out as they
/// went in, in every format.
#[test]
fn bug_mission_planner_953_frames_are_never_converted() {
    let Some(dir) = data("bug_mission_planner_953") else {
        return;
    };
    let (m, _) = read(&dir, "bugs/MissionPlanner-953.waypoints");
    let home = m.planned_home.expect("home");
    assert_eq!((home.lat_deg, home.alt_m), (37.818586, 20.0));
    assert_eq!(m.items.len(), 2);
    for it in &m.items {
        assert_eq!(
            (it.frame, it.alt_m),
            (0, 30.0),
            "absolute 30 m stays absolute 30 m"
        );
    }

    // Through .plan and back, and with relative and terrain frames too.
    let mut mixed = m.clone();
    mixed.items[0].frame = 3;
    mixed.items[1].frame = 10;
    for frame in [5, 6, 11] {
        let mut extra = mixed.items[1].clone();
        extra.frame = frame;
        mixed.items.push(extra);
    }
    for mission in [&m, &mixed] {
        let (plan, _) = mission::write_plan(mission);
        let (via_plan, _) = mission::read_plan(&plan).expect("plan");
        let (wpl, _) = mission::write_wpl(&via_plan);
        let (via_wpl, _) = mission::read_wpl(&wpl).expect("wpl");
        assert_same(mission, &via_wpl, "953 via plan and waypoints");
    }
    let (wpl, _) = mission::write_wpl(&mixed);
    assert!(wpl.contains("\n1\t0\t3\t16\t"), "{wpl}");
    assert!(wpl.contains("\n2\t0\t10\t16\t"), "{wpl}");
    assert!(
        wpl.contains("\n3\t0\t5\t16\t") && wpl.contains("\n4\t0\t6\t16\t"),
        "{wpl}"
    );
    assert!(wpl.contains("\t30\t1\n"), "altitude written as read: {wpl}");
}

/// MAVSDK #1743: a Mission Planner file whose row 0 is all zeros (command 0) could not be
/// imported. Row 0 is the (unset) home; the six items follow.
#[test]
fn bug_mavsdk_1743_zero_home_row() {
    let Some(dir) = data("bug_mavsdk_1743") else {
        return;
    };
    let (m, notes) = read(&dir, "bugs/MAVSDK-1743.waypoints");
    assert!(m.planned_home.is_none());
    assert!(
        notes.iter().any(|n| n.message.contains("command 0")),
        "{notes:?}"
    );
    assert_eq!(m.items.len(), 6);
    let t = item(&m, 0);
    assert_eq!((t.command, t.frame), (22, 3));
    assert_eq!(
        (t.lat_deg, t.lon_deg, t.alt_m),
        (39.0896293, 26.5483144, 100.0)
    );
    assert_eq!(item(&m, 5).command, 21);
    // Written back, row 0 is a plain (unset) home and the items are rows 1..6.
    let (text, _) = mission::write_wpl(&m);
    assert!(
        text.starts_with("QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t0\t0\t0\t1\n1\t0\t3\t22\t"),
        "{text}"
    );
}

/// MAVSDK-Python #508: a plan ending in a fixed-wing landing pattern (a complex item with no
/// pre-generated items) failed to import. Vigil expands it the way QGC does.
#[test]
fn bug_mavsdk_python_508_fw_landing_pattern_is_expanded() {
    let Some(dir) = data("bug_mavsdk_python_508") else {
        return;
    };
    let (m, notes) = read(&dir, "bugs/MAVSDK-Python-508_reconstructed.plan");
    assert!(
        notes
            .iter()
            .any(|n| n.message.contains("'fwLandingPattern'")),
        "{notes:?}"
    );
    assert_eq!(
        m.items.len(),
        11,
        "5 simple + DO_LAND_START, 2 stop photos, stop video, loiter, land"
    );
    let cmds: Vec<u16> = m.items.iter().map(|i| i.command).collect();
    assert_eq!(cmds, [22, 16, 16, 16, 20, 189, 206, 2001, 2501, 31, 21]);
    let loiter = item(&m, 9);
    assert_eq!(loiter.frame, 3, "altitudesAreRelative");
    assert_eq!(
        loiter.params,
        [1.0, 75.0, 0.0, 1.0],
        "clockwise: positive radius"
    );
    assert_eq!(
        (loiter.lat_deg, loiter.lon_deg, loiter.alt_m),
        (47.397741626132294, 8.554924213007533, 10.0)
    );
    let land = item(&m, 10);
    assert_eq!(
        (land.frame, land.lat_deg, land.lon_deg, land.alt_m),
        (3, 47.397741626132294, 8.564924213007533, 0.0)
    );
    assert_eq!(m.rally.len(), 2, "the rest of the plan is kept");

    // The lone item from the issue, through the plan item parser.
    let text =
        std::fs::read_to_string(dir.join("bugs/MAVSDK-Python-508_fwLandingPattern_item.json"))
            .expect("item");
    let item_json: serde_json::Value = serde_json::from_str(&text).expect("json");
    let parsed = mission::plan::parse_items(&serde_json::Value::Array(vec![item_json]), "items")
        .expect("item");
    assert_eq!(parsed.items.len(), 6);
    assert_same(
        &Mission {
            items: parsed.items,
            ..Mission::default()
        },
        &Mission {
            items: m.items[5..].to_vec(),
            ..Mission::default()
        },
        "lone item = plan's expansion",
    );
}

/// The link uploads fences and rally points as MAVLink items: every real fence and rally set
/// survives that conversion exactly.
#[test]
fn every_shared_fence_and_rally_set_survives_the_mavlink_item_form() {
    let Some(dir) = data("every_shared_fence_and_rally_set_survives_the_mavlink_item_form") else {
        return;
    };
    let mut fences = 0;
    let mut rallies = 0;
    for (name, path) in all_files(&dir) {
        let Ok((m, _)) = mission::read_mission(&path) else {
            continue;
        };
        let mut fence = m.fence.clone();
        // Circles around home travel as the FENCE_RADIUS parameter, not as items.
        fence.home_circles.clear();
        if !fence.is_empty() {
            let items = mission::fence_to_items(&fence);
            assert_eq!(mission::fence_from_items(&items), Ok(fence), "{name}");
            fences += 1;
        }
        if !m.rally.is_empty() {
            let back =
                mission::rally_from_items(&mission::rally_to_items(&m.rally)).expect("rally");
            let positions: Vec<_> = back.iter().map(|r| r.position).collect();
            let expected: Vec<_> = m.rally.iter().map(|r| r.position).collect();
            assert_eq!(positions, expected, "{name}");
            rallies += 1;
        }
    }
    assert_eq!((fences, rallies), (6, 5));
}

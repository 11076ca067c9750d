//! Mission file formats on small hand-written missions: exact output, lenient input, and one
//! clear error (file, line or JSON path, field, value, expectation) for each kind of bad input.

use std::path::Path;

use vigil::mission::{
    self, FenceCircle, FencePolygon, GeoFence, GeoPoint, HomeCircle, LatLon, Mission,
    MissionFileError, MissionFormat, MissionItem, ParseError, RallyPoint,
};

fn same(a: &Mission, b: &Mission) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

fn ll(lat_deg: f64, lon_deg: f64) -> LatLon {
    LatLon { lat_deg, lon_deg }
}

/// A takeoff (relative frame, yaw left empty), a terrain-frame waypoint and an RTL, with a
/// home, a fence, a circle, a return point and a rally point.
fn tiny() -> Mission {
    Mission {
        items: vec![
            MissionItem {
                command: 22,
                frame: 3,
                params: [0.0, 0.0, 0.0, f64::NAN],
                lat_deg: 47.5,
                lon_deg: 8.25,
                alt_m: 30.0,
                autocontinue: true,
            },
            MissionItem {
                command: 16,
                frame: 10,
                params: [2.5, 0.0, 0.0, 0.0],
                lat_deg: -35.1234567,
                lon_deg: 149.7654321,
                alt_m: 12.5,
                autocontinue: true,
            },
            MissionItem {
                command: 20,
                frame: 2,
                params: [0.0; 4],
                lat_deg: 0.0,
                lon_deg: 0.0,
                alt_m: 0.0,
                autocontinue: false,
            },
        ],
        planned_home: Some(GeoPoint {
            lat_deg: 47.5,
            lon_deg: 8.25,
            alt_m: 488.5,
        }),
        fence: GeoFence {
            polygons: vec![FencePolygon {
                inclusion: false,
                vertices: vec![ll(47.1, 8.1), ll(47.2, 8.1), ll(47.2, 8.2)],
            }],
            circles: vec![FenceCircle {
                inclusion: true,
                center: ll(47.5, 8.25),
                radius_m: 150.0,
            }],
            home_circles: vec![],
            return_point: Some(ll(47.5, 8.26)),
        },
        rally: vec![RallyPoint::new(GeoPoint {
            lat_deg: 47.51,
            lon_deg: 8.24,
            alt_m: 40.0,
        })],
        vehicle_type: Some(2),
        firmware_type: Some(3),
        cruise_speed_mps: Some(12.0),
        hover_speed_mps: Some(4.5),
        ..Mission::default()
    }
}

// ------------------------------------------------------------------------------------------------
// Exact output

const TINY_PLAN: &str = r#"{
    "fileType": "Plan",
    "geoFence": {
        "breachReturn": [
            47.5,
            8.26,
            0
        ],
        "circles": [
            {
                "circle": {
                    "center": [
                        47.5,
                        8.25
                    ],
                    "radius": 150
                },
                "inclusion": true,
                "version": 1
            }
        ],
        "polygons": [
            {
                "inclusion": false,
                "polygon": [
                    [
                        47.1,
                        8.1
                    ],
                    [
                        47.2,
                        8.1
                    ],
                    [
                        47.2,
                        8.2
                    ]
                ],
                "version": 1
            }
        ],
        "version": 2
    },
    "groundStation": "Vigil",
    "mission": {
        "cruiseSpeed": 12,
        "firmwareType": 3,
        "hoverSpeed": 4.5,
        "items": [
            {
                "autoContinue": true,
                "command": 22,
                "doJumpId": 1,
                "frame": 3,
                "params": [
                    0,
                    0,
                    0,
                    null,
                    47.5,
                    8.25,
                    30
                ],
                "type": "SimpleItem"
            },
            {
                "autoContinue": true,
                "command": 16,
                "doJumpId": 2,
                "frame": 10,
                "params": [
                    2.5,
                    0,
                    0,
                    0,
                    -35.1234567,
                    149.7654321,
                    12.5
                ],
                "type": "SimpleItem"
            },
            {
                "autoContinue": false,
                "command": 20,
                "doJumpId": 3,
                "frame": 2,
                "params": [
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0
                ],
                "type": "SimpleItem"
            }
        ],
        "plannedHomePosition": [
            47.5,
            8.25,
            488.5
        ],
        "vehicleType": 2,
        "version": 2
    },
    "rallyPoints": {
        "points": [
            [
                47.51,
                8.24,
                40
            ]
        ],
        "version": 2
    },
    "version": 1
}
"#;

#[test]
fn plan_output_is_exactly_qgc_v2() {
    let (text, notes) = mission::write_plan(&tiny());
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(text, TINY_PLAN);
    let (back, _) = mission::read_plan(&text).expect("read back");
    assert!(same(&back, &tiny()));
}

#[test]
fn waypoints_output_is_exact_and_names_what_it_cannot_hold() {
    let (text, notes) = mission::write_wpl(&tiny());
    assert_eq!(
        text,
        "QGC WPL 110\n\
         0\t1\t0\t16\t0\t0\t0\t0\t47.5\t8.25\t488.5\t1\n\
         1\t0\t3\t22\t0\t0\t0\tNaN\t47.5\t8.25\t30\t1\n\
         2\t0\t10\t16\t2.5\t0\t0\t0\t-35.1234567\t149.7654321\t12.5\t1\n\
         3\t0\t2\t20\t0\t0\t0\t0\t0\t0\t0\t0\n"
    );
    let messages: Vec<&str> = notes.iter().map(|n| n.message.as_str()).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(
        messages[0].starts_with("fence (1 polygon(s), 1 circle(s), a return point) not written")
    );
    assert!(messages[1].starts_with("1 rally point(s) not written"));
    assert!(messages[2].starts_with(
        "vehicle type 2, firmware type 3, cruise speed 12 m/s, hover speed 4.5 m/s not written"
    ));
    // What it holds comes back exactly, NaN param included.
    let (back, _) = mission::read_wpl(&text).expect("read back");
    let expected = Mission {
        items: tiny().items,
        planned_home: tiny().planned_home,
        ..Mission::default()
    };
    assert!(same(&back, &expected), "{back:?}");
}

#[test]
fn fence_only_mission_is_written_as_wpl_fence_rows() {
    let mut m = Mission {
        fence: tiny().fence,
        ..Mission::default()
    };
    m.fence.home_circles.push(HomeCircle { radius_m: 80.0 });
    let (text, notes) = mission::write_wpl(&m);
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(
        text,
        "QGC WPL 110\n\
         0\t0\t0\t5000\t0\t0\t0\t0\t47.5\t8.26\t0\t0\n\
         1\t0\t0\t5002\t3\t0\t0\t0\t47.1\t8.1\t0\t0\n\
         2\t0\t0\t5002\t3\t0\t0\t0\t47.2\t8.1\t0\t0\n\
         3\t0\t0\t5002\t3\t0\t0\t0\t47.2\t8.2\t0\t0\n\
         4\t0\t0\t5003\t150\t0\t0\t0\t47.5\t8.25\t0\t0\n\
         5\t0\t0\t5005\t80\t0\t0\t0\t0\t0\t0\t0\n"
    );
    let (back, _) = mission::read_wpl(&text).expect("read back");
    assert!(same(&back, &m));
}

#[test]
fn rally_only_mission_is_written_as_wpl_rally_rows() {
    let m = Mission {
        rally: tiny().rally,
        ..Mission::default()
    };
    let (text, notes) = mission::write_wpl(&m);
    assert!(notes.is_empty());
    assert_eq!(
        text,
        "QGC WPL 110\n0\t0\t3\t5100\t0\t0\t0\t0\t47.51\t8.24\t40\t0\n"
    );
    let (back, _) = mission::read_wpl(&text).expect("read back");
    assert_eq!(back.rally[0].frame, Some(3));
    assert_eq!(back.rally[0].position, m.rally[0].position);
}

#[test]
fn legacy_fence_output_is_exact() {
    let mut m = tiny();
    m.fence.polygons[0].inclusion = true;
    let (text, notes) = mission::write_legacy_fence(&m).expect("fence");
    assert_eq!(
        text,
        "47.5\t8.26\n47.1\t8.1\n47.2\t8.1\n47.2\t8.2\n47.1\t8.1\n"
    );
    let msgs: Vec<String> = notes.iter().map(|n| n.message.clone()).collect();
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("fence circle 1 (radius 150 m) not written")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("3 mission item(s) not written")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("1 rally point(s) not written")),
        "{msgs:?}"
    );
    let (back, _) = mission::read_legacy_fence(&text).expect("read back");
    assert_eq!(back.fence.polygons, m.fence.polygons);
    assert_eq!(back.fence.return_point, m.fence.return_point);
}

#[test]
fn legacy_fence_without_inclusion_polygon_cannot_be_written() {
    let err = mission::write_legacy_fence(&tiny()).expect_err("only an exclusion polygon");
    assert!(err.contains("no inclusion fence polygon"), "{err}");
}

#[test]
fn legacy_rally_output_is_exact() {
    let mut m = Mission {
        rally: tiny().rally,
        ..Mission::default()
    };
    m.rally.push(RallyPoint {
        break_alt_m: Some(60.0),
        land_dir_deg: Some(270.5),
        flags: Some(1),
        ..RallyPoint::new(GeoPoint {
            lat_deg: -35.25,
            lon_deg: 149.125,
            alt_m: 80.0,
        })
    });
    let (text, notes) = mission::write_legacy_rally(&m).expect("rally");
    assert_eq!(
        text,
        "RALLY 47.51\t8.24\t40\t40\t0\t0\nRALLY -35.25\t149.125\t80\t60\t270.5\t1\n"
    );
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0]
            .message
            .starts_with("rally point 1: no break altitude known")
    );
    let (back, _) = mission::read_legacy_rally(&text).expect("read back");
    assert!(same(
        &Mission {
            rally: vec![back.rally[1]],
            ..Mission::default()
        },
        &Mission {
            rally: vec![m.rally[1]],
            ..Mission::default()
        }
    ));
}

// ------------------------------------------------------------------------------------------------
// Lenient input

#[test]
fn wpl_reader_accepts_crlf_blank_lines_spaces_version_120_and_no_final_newline() {
    let text = "\r\n  \r\nQGC WPL 120\r\n\r\n0 1 0 16 0 0 0 0 -35.5 149.5 600 1\r\n\r\n\
                1\t0\t3\t16\t0\t0\t0\t0\t-35.6\t149.6\t50\t1";
    let (m, notes) = mission::read_wpl(text).expect("lenient");
    assert!(notes.is_empty());
    assert_eq!(m.planned_home.expect("home").alt_m, 600.0);
    assert_eq!(m.items.len(), 1);
    assert_eq!(
        (m.items[0].frame, m.items[0].lat_deg, m.items[0].alt_m),
        (3, -35.6, 50.0)
    );
}

#[test]
fn plan_reader_accepts_null_home_altitude_and_missing_sections() {
    let text = r#"{"fileType":"Plan","mission":{"items":[],"plannedHomePosition":[1.5,2.5,null],"firmwareType":0}}"#;
    let (m, _) = mission::read_plan(text).expect("plan");
    let home = m.planned_home.expect("home");
    assert_eq!((home.lat_deg, home.lon_deg), (1.5, 2.5));
    assert!(home.alt_m.is_nan());
    assert_eq!(
        m.firmware_type, None,
        "MAV_AUTOPILOT_GENERIC names no firmware"
    );
    assert!(m.fence.is_empty() && m.rally.is_empty());
}

#[test]
fn plan_v1_geofence_polygon_breach_return_and_v1_rally() {
    let text = r#"{"geoFence":{"version":1,"polygon":[[1,2],[1,3],[2,3]],"breachReturn":[1.5,2.5,20]},
                   "rallyPoints":{"version":1,"points":[[1.25,2.25,35]]}}"#;
    let (m, _) = mission::read_plan(text).expect("v1 fence");
    assert_eq!(m.fence.polygons.len(), 1);
    assert!(m.fence.polygons[0].inclusion);
    assert_eq!(m.fence.polygons[0].vertices[2], ll(2.0, 3.0));
    assert_eq!(m.fence.return_point, Some(ll(1.5, 2.5)));
    assert_eq!(m.rally.len(), 1, "rally version 1");
    assert_eq!(
        m.rally[0].position,
        GeoPoint {
            lat_deg: 1.25,
            lon_deg: 2.25,
            alt_m: 35.0
        }
    );
}

#[test]
fn plan_circle_fence_is_read_with_radius_and_inclusion() {
    let text = r#"{"geoFence":{"version":2,"polygons":[],"circles":[
        {"circle":{"center":[47.25,8.5],"radius":123.5},"inclusion":false,"version":1}]}}"#;
    let (m, _) = mission::read_plan(text).expect("circle");
    assert_eq!(
        m.fence.circles,
        vec![FenceCircle {
            inclusion: false,
            center: ll(47.25, 8.5),
            radius_m: 123.5
        }]
    );
}

#[test]
fn txt_files_are_sniffed_by_content() {
    assert_eq!(
        MissionFormat::sniff("\nQGC WPL 110\n"),
        Some(MissionFormat::Waypoints)
    );
    assert_eq!(
        MissionFormat::sniff("RALLY 1 2 3 4 5 0\n"),
        Some(MissionFormat::LegacyRally)
    );
    assert_eq!(
        MissionFormat::sniff("-35.1\t149.2\n"),
        Some(MissionFormat::LegacyFence)
    );
    assert_eq!(
        MissionFormat::sniff("{\"mission\":{}}"),
        Some(MissionFormat::Plan)
    );
    assert_eq!(MissionFormat::sniff("hello world\n"), None);
}

// ------------------------------------------------------------------------------------------------
// Bad input: one clear error each

#[test]
fn malformed_json_reports_line_and_column() {
    let err =
        mission::read_plan("{\n  \"mission\": {\n    \"items\": [1,,]\n").expect_err("bad json");
    match err {
        ParseError::Json { line, column, .. } => assert_eq!((line, column), (3, 17)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_json_types_name_the_path_and_value() {
    let cases = [
        (
            r#"{"mission":{"items":{}}}"#,
            "mission.items: expected an array of mission items, found an object",
        ),
        (
            r#"{"mission":{"items":[{"type":"SimpleItem","command":"16","frame":3,"params":[0,0,0,0,1,2,3]}]}}"#,
            "mission.items[0].command: expected an integer from 0 to 65535, found string \"16\"",
        ),
        (
            r#"{"mission":{"items":[{"type":"SimpleItem","command":16,"frame":3,"params":[0,0,0,0,1,2]}]}}"#,
            "mission.items[0].params: expected 7 params, found 6 params",
        ),
        (
            r#"{"mission":{"items":[{"type":"SimpleItem","command":16,"frame":3,"params":[0,0,0,0,91.5,2,3]}]}}"#,
            "mission.items[0] latitude: expected a latitude from -90 to 90 degrees, found 91.5",
        ),
        (
            r#"{"geoFence":{"polygons":[{"inclusion":"yes","polygon":[[1,2],[1,3],[2,3]]}]}}"#,
            "geoFence.polygons[0].inclusion: expected true or false, found string \"yes\"",
        ),
        (
            r#"{"geoFence":{"polygons":[{"polygon":[[1,2],[1,3]]}]}}"#,
            "geoFence.polygons[0].polygon: expected at least 3 vertices, found 2 vertices",
        ),
        (
            r#"{"geoFence":{"circles":[{"circle":{"center":[1,2],"radius":-5}}]}}"#,
            "geoFence.circles[0].circle.radius: expected a radius above 0 m, found -5",
        ),
        (
            r#"{"rallyPoints":{"points":[[1,200,3]]}}"#,
            "rallyPoints.points[0][1]: expected a longitude from -180 to 180 degrees, found 200",
        ),
        (
            r#"{"fileType":"Mission","mission":{}}"#,
            "fileType: expected \"Plan\", found string \"Mission\"",
        ),
        (
            r#"[1,2]"#,
            "(top level): expected an object, found an array of 2 values",
        ),
    ];
    for (text, expected) in cases {
        let err = mission::read_plan(text).expect_err(text);
        assert_eq!(err.to_string(), expected, "{text}");
    }
}

#[test]
fn bad_wpl_lines_name_line_field_and_value() {
    let head = "QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t-35\t149\t500\t1\n";
    let cases = [
        (
            "1\t0\t3\t16\t0\t0\t0\t0\tabc\t149\t50\t1\n",
            "line 3, field 9 (latitude): expected a number, found \"abc\"",
        ),
        (
            "1\t0\t3\t16\t0\t0\t0\t0\t-95\t149\t50\t1\n",
            "line 3, field 9 (latitude): expected a latitude from -90 to 90 degrees, found \"-95\"",
        ),
        (
            "1\t0\t3\t16\t0\t0\t0\t0\t-35\t181\t50\t1\n",
            "line 3, field 10 (longitude): expected a longitude from -180 to 180 degrees, found \"181\"",
        ),
        (
            "1\t0\t300\t16\t0\t0\t0\t0\t-35\t149\t50\t1\n",
            "line 3, field 3 (frame): expected an integer from 0 to 255, found \"300\"",
        ),
        (
            "1\t0\t3\t16\t0\t0\t0\tinf\t-35\t149\t50\t1\n",
            "line 3, field 8 (param4): expected a number, found \"inf\"",
        ),
        (
            "1\t0\t3\t16\t0\t0\t0\t-35\t149\t50\t1\n",
            "line 3, row: expected 12 tab-separated fields, not 11, found \"1\\t0\\t3\\t16\\t0\\t0\\t0\\t-35\\t149\\t50\\t1\"",
        ),
        (
            "1\t0\t0\t5001\t4\t0\t0\t0\t-35\t149\t0\t0\n2\t0\t0\t5001\t4\t0\t0\t0\t-35.1\t149\t0\t0\n3\t0\t3\t16\t0\t0\t0\t0\t-35\t149\t50\t1\n",
            "line 5, field 4 (command): expected vertex 3 of the 4-vertex fence polygon that starts on line 3, found \"another row or the end of the file\"",
        ),
        (
            "1\t0\t0\t5001\t2\t0\t0\t0\t-35\t149\t0\t0\n",
            "line 3, field 5 (param1, vertex count): expected a whole vertex count of at least 3, found \"2\"",
        ),
        (
            "1\t0\t0\t5004\t0\t0\t0\t0\t-35\t149\t0\t0\n",
            "line 3, field 5 (param1, radius): expected a radius above 0 m, found \"0\"",
        ),
        (
            "1\t0\t0\t5001\t3\t0\t0\t0\tNaN\t149\t0\t0\n",
            "line 3, field 9 (latitude): expected a latitude from -90 to 90 degrees, found \"NaN\"",
        ),
    ];
    for (rows, expected) in cases {
        let err = mission::read_wpl(&format!("{head}{rows}")).expect_err(rows);
        assert_eq!(err.to_string(), expected, "{rows}");
    }
    let err = mission::read_wpl("QGC WPL 100\n").expect_err("old header");
    assert_eq!(
        err.to_string(),
        "line 1, header: expected \"QGC WPL 110\" or \"QGC WPL 120\", found \"QGC WPL 100\""
    );
}

#[test]
fn bad_legacy_lines_name_line_field_and_value() {
    let err = mission::read_legacy_fence("-35 149\n-35.1 149\n-35.1 149.1\n-35.2 north\n")
        .expect_err("fence");
    assert_eq!(
        err.to_string(),
        "line 4, field 2 (longitude): expected a longitude from -180 to 180 degrees, found \"north\""
    );
    let err = mission::read_legacy_fence("-35 149\n-35.1 149\n").expect_err("short");
    assert_eq!(
        err.to_string(),
        "line 2, fence: expected a return point and at least 3 polygon vertices, found \"2 points\""
    );
    let err = mission::read_legacy_rally("RALLY 1 2 3 40 0 0\nRALLY 1 2 3 40 0 256\n")
        .expect_err("flags");
    assert_eq!(
        err.to_string(),
        "line 2, field 7 (flags): expected an integer from 0 to 255, found \"256\""
    );
}

#[test]
fn file_errors_name_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.waypoints");
    std::fs::write(
        &bad,
        "QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t-35\tx\t500\t1\n",
    )
    .expect("write");
    let err = mission::read_mission(&bad).expect_err("bad");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: line 2, field 10 (longitude): expected a number, found \"x\"",
            bad.display()
        )
    );

    let unknown = dir.path().join("m.kml");
    std::fs::write(&unknown, "<kml/>").expect("write");
    assert!(matches!(
        mission::read_mission(&unknown),
        Err(MissionFileError::UnknownFormat { .. })
    ));

    let txt = dir.path().join("notes.txt");
    std::fs::write(&txt, "\nshopping list\n").expect("write");
    let err = mission::read_mission(&txt)
        .expect_err("not a mission")
        .to_string();
    assert!(
        err.contains("line 2 (\"shopping list\") is neither"),
        "{err}"
    );

    let binary = dir.path().join("bin.plan");
    std::fs::write(&binary, b"{\"mission\":\n\xff\xfe}").expect("write");
    let err = mission::read_mission(&binary)
        .expect_err("not utf-8")
        .to_string();
    assert!(
        err.ends_with("line 2, text: expected UTF-8 text, found \"an invalid byte at offset 12\""),
        "{err}"
    );
}

#[test]
fn huge_file_is_refused_unread() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("huge.plan");
    let f = std::fs::File::create(&path).expect("create");
    // A sparse file: no disk space used, but its size is over the limit.
    f.set_len(mission::MAX_MISSION_FILE_BYTES + 1)
        .expect("set_len");
    match mission::read_mission(&path) {
        Err(MissionFileError::TooLarge { size, limit, .. }) => {
            assert_eq!((size, limit), (16 * 1024 * 1024 + 1, 16 * 1024 * 1024));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn failed_writes_leave_no_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fence = dir.path().join("fence.txt");
    let err = mission::write_mission_as(&fence, &Mission::default(), MissionFormat::LegacyFence)
        .expect_err("nothing to write");
    assert!(matches!(
        err,
        MissionFileError::CannotWrite {
            format: "legacy-fence",
            ..
        }
    ));
    assert!(!fence.exists());

    let odd = dir.path().join("mission.kml");
    assert!(mission::write_mission(&odd, &tiny()).is_err());
    assert!(!odd.exists());

    let missing = dir.path().join("no/such/dir/m.plan");
    assert!(matches!(
        mission::write_mission(&missing, &tiny()),
        Err(MissionFileError::Io { .. })
    ));
    assert!(!Path::new(&missing).exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        0,
        "no temporary left behind"
    );
}

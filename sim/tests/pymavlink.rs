//! Another ground station flies the `vigil-sim` binary: pymavlink over TCP uploads a mission,
//! arms, flies it in AUTO with a sped-up clock and sees MISSION_ITEM_REACHED for every item.
//! Runs when `VIGIL_PYTHON` names a Python with pymavlink (CI sets it); skipped otherwise.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn pymavlink_flies_a_mission_over_tcp() {
    let Some(python) = std::env::var_os("VIGIL_PYTHON") else {
        println!("skipped: VIGIL_PYTHON is not set");
        return;
    };
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/python/sim_fly_mission.py"
    );
    let mut sim = Command::new(env!("CARGO_BIN_EXE_vigil-sim"))
        .args([
            "--home",
            "-35.363261,149.165230,584",
            "--tcp",
            "127.0.0.1:0",
            "--speedup",
            "20",
        ])
        .args(["--duration-s", "3000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start vigil-sim");
    let stdout = sim.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("vigil-sim printed its address")
            .expect("readable stdout");
        if let Some(addr) = line.strip_prefix("vigil-sim: tcp listening on ") {
            break addr.to_owned();
        }
    };

    let mut py = Command::new(python)
        .args([
            script,
            "--connect",
            &format!("tcp:{addr}"),
            "--timeout",
            "90",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the pymavlink script");
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = py.try_wait().expect("wait for the script") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = py.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = sim.kill();
    let _ = sim.wait();
    let out = py.wait_with_output().expect("script output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        status.is_some_and(|s| s.success()),
        "the pymavlink flight failed"
    );
    assert!(stdout.contains("reached 1 2 3 4 5"), "{stdout}");
    assert!(stdout.contains("landed and disarmed"));
}

//! Where the team's real test files are: `../shared/data/` beside the checkout, or the folder
//! named by `VIGIL_SHARED_DATA`. Used by tests; absent on a user's fresh clone.

use std::path::PathBuf;

/// The shared data folder, or `None` (with a line saying the test is skipped) when it is absent.
///
/// Under CI (`CI=true`) an absent folder is a failure, not a skip.
///
/// # Panics
/// Under CI when the folder is missing: a CI run without the real files proves nothing.
pub fn shared_data(test: &str) -> Option<PathBuf> {
    let dir = match std::env::var_os("VIGIL_SHARED_DATA") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !ci,
        "{test}: shared data folder {} is missing under CI",
        dir.display()
    );
    eprintln!("{test}: skipped, no shared data at {}", dir.display());
    None
}

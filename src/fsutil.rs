//! File helpers shared by every writer: atomic writes so that a failure never leaves a
//! half-written file, and never overwrites a good one.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same folder that is renamed into
/// place, so readers see either the old file or the whole new one.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("out.txt");
/// vigil::fsutil::write_atomic(&path, b"hello").unwrap();
/// assert_eq!(std::fs::read(&path).unwrap(), b"hello");
/// ```
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // tempfile's error names its random file name; say which folder could not take a file.
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| {
        let text = e.to_string();
        let cause = text
            .rsplit_once(" at path ")
            .map_or(text.as_str(), |(cause, _)| cause);
        std::io::Error::new(
            e.kind(),
            format!("cannot create a file in {}: {cause}", dir.display()),
        )
    })?;
    tmp.write_all(bytes)?;
    // A temporary file is private (0600); the result gets the old file's permissions, or the
    // usual ones for a new file, so other tools and users can read it.
    let permissions = match std::fs::metadata(path) {
        Ok(old) => Some(old.permissions()),
        Err(_) => default_permissions(),
    };
    if let Some(permissions) = permissions {
        tmp.as_file().set_permissions(permissions)?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    // Elsewhere a temporary file is not private: its permissions are already the usual ones.
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_leaves_old_file_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("keep.txt");
        std::fs::write(&path, b"old").expect("seed file");
        // A path whose parent does not exist cannot be written; the good file stays.
        let bad = dir.path().join("missing").join("keep.txt");
        let err = write_atomic(&bad, b"new").expect_err("missing folder");
        // The message names the folder, not tempfile's random file name.
        assert!(err.to_string().contains("missing"), "{err}");
        assert!(!err.to_string().contains("missing/.tmp"), "{err}");
        assert_eq!(std::fs::read(&path).expect("read"), b"old");
    }

    #[cfg(unix)]
    #[test]
    fn new_files_are_readable_by_others_and_old_modes_are_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let fresh = dir.path().join("fresh.txt");
        write_atomic(&fresh, b"x").expect("write");
        let mode = std::fs::metadata(&fresh)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o644);

        let kept = dir.path().join("kept.txt");
        std::fs::write(&kept, b"old").expect("seed");
        std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        write_atomic(&kept, b"new").expect("write");
        let mode = std::fs::metadata(&kept).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn replaces_existing_file_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f.txt");
        std::fs::write(&path, b"a much longer old content").expect("seed file");
        write_atomic(&path, b"new").expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
    }
}

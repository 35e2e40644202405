//! The one golden-file comparison every harness uses: the expected text is
//! read from a file; a missing file fails (so deleting a golden file cannot
//! make a test pass); `UPDATE_GOLDEN=1` writes the files instead of
//! comparing, and the diff then shows what changed in review.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail loudly; each harness uses part"
)]

use std::path::Path;

/// Whether this run rewrites the golden files.
pub(crate) fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some()
}

/// Compares `actual` with the golden file at `path` (or writes it when
/// updating). The error names the file and the first line that differs.
pub(crate) fn compare(path: &Path, actual: &str) -> Result<(), String> {
    if updating() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, actual).unwrap();
        return Ok(());
    }
    let want = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "golden file {} cannot be read ({e}); UPDATE_GOLDEN=1 writes it",
            path.display()
        )
    })?;
    if want == actual {
        return Ok(());
    }
    let (mut w, mut a) = (want.lines(), actual.lines());
    let mut line = 1;
    loop {
        match (w.next(), a.next()) {
            (Some(x), Some(y)) if x == y => line += 1,
            (x, y) => {
                return Err(format!(
                    "{} differs from the golden file at line {line}:\n  golden: {}\n  now:    {}\n\
                     (diff it, then UPDATE_GOLDEN=1 if intended)\n--- now in full:\n{actual}",
                    path.display(),
                    x.unwrap_or("<end of file>"),
                    y.unwrap_or("<end of output>"),
                ));
            }
        }
    }
}

/// As [`compare`], failing the test on a difference.
pub(crate) fn assert_golden(path: &Path, actual: &str) {
    if let Err(e) = compare(path, actual) {
        panic!("{e}");
    }
}

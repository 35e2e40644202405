//! Shared by the criterion benchmarks: where the repository's files are.

use std::path::{Path, PathBuf};

/// A path inside the repository (the benchmarks run from `benches/`).
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

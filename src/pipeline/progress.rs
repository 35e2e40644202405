//! The progress bar on stderr for large inputs: drawn only when stderr is a
//! terminal (indicatif hides it on a pipe or a file), so logs stay clean.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Inputs smaller than this finish before a bar would help.
pub const MIN_BYTES: u64 = 16 * 1024 * 1024;

/// A byte-counting bar for an input of `total` bytes.
pub fn bar(total: u64) -> ProgressBar {
    let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(4));
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} scoring {bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
    ) {
        b.set_style(style);
    }
    b
}

//! The progress bar on stderr for large inputs: drawn only when stderr is a
//! terminal, so logs stay clean. The pipeline reports through
//! [`thresholds::pipeline::Progress`]; this is the CLI's sink.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use thresholds::pipeline::Progress;

/// Inputs smaller than this finish before a bar would help.
pub(super) const MIN_BYTES: u64 = 16 * 1024 * 1024;

/// A byte-counting bar, shown for inputs of at least [`MIN_BYTES`] when
/// stderr is a terminal; otherwise it draws nothing.
#[derive(Default)]
pub(super) struct Bar {
    bar: Option<ProgressBar>,
}

impl Progress for Bar {
    fn start(&mut self, total: u64) {
        if total >= MIN_BYTES && super::stderr_is_terminal() {
            self.bar = Some(bar(total));
        }
    }

    fn advance(&mut self, position: u64) {
        if let Some(b) = &self.bar {
            b.set_position(position);
        }
    }

    fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

/// A byte-counting bar for an input of `total` bytes.
fn bar(total: u64) -> ProgressBar {
    let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(4));
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} scoring {bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
    ) {
        b.set_style(style);
    }
    b
}

//! How a run reports how far it has read. The pipeline draws nothing: the
//! caller passes a [`Progress`] sink (the CLI's draws a bar on a terminal),
//! or none, and then no progress work is done at all.

/// Receives how far a run has read, so that a caller can show progress.
///
/// Calls come from the thread that called [`super::run`] or
/// `diff::pass::run_two`, once per batch of rows, never per row. They are made
/// only for inputs read as a stream of bytes (CSV, JSON Lines), where the
/// position is meaningful; JSON arrays and Excel sheets report nothing.
pub trait Progress {
    /// Reading starts; the input holds `total` bytes.
    fn start(&mut self, total: u64);
    /// `position` bytes have been read and scored so far.
    fn advance(&mut self, position: u64);
    /// The run has ended, whether or not it succeeded.
    fn finish(&mut self);
}

//! The responses file of `exercise run` and `exercise serve`: read what it
//! already holds (so a session or a server carries on), check its columns
//! fit the phase, and open it for appending, writing the header when new.

use std::io::Write;
use std::path::Path;

use super::super::CliError;
use thresholds::exercise::responses::{self, Responses, ResponsesError};
use thresholds::exercise::Pack;
use thresholds::plan::Plan;

/// A responses file opened for appending.
pub(crate) struct Opened {
    /// The file, positioned at its end, on a line of its own.
    pub file: std::fs::File,
    /// The file has a `phase` column (new files always do).
    pub has_phase_col: bool,
    /// What the file held already (empty when new).
    pub earlier: Responses,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |e| CliError::usage(format!("error: `{}`: {e}", path.display()))
}

/// Reads and opens `path` for answers in `phase` (empty: no phase).
pub(crate) fn open(plan: &Plan, pack: &Pack, path: &Path, phase: &str) -> Result<Opened, CliError> {
    let existing = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(io(path)(e)),
    };
    let blank = existing.iter().all(u8::is_ascii_whitespace);
    let mut has_phase_col = true;
    let mut earlier = Responses::default();
    if !blank {
        let first = existing.split(|b| *b == b'\n').next().unwrap_or(&[]);
        has_phase_col = String::from_utf8_lossy(first)
            .to_lowercase()
            .contains("phase");
        match responses::read(plan, pack, existing.as_slice()) {
            Ok(r) => earlier = r,
            Err(ResponsesError::Empty) => {}
            Err(e) => return Err(CliError::usage(format!("error: `{}`: {e}", path.display()))),
        }
        if !phase.is_empty() && !has_phase_col {
            return Err(CliError::usage(format!(
                "error: `{}` has no `phase` column; use another file for phase `{phase}`",
                path.display()
            )));
        }
        let phased = earlier.accepted.iter().any(|r| r.phase.is_some());
        if phased && phase.is_empty() {
            return Err(CliError::usage(format!(
                "error: the answers in `{}` name a phase: give --phase (e.g. --phase post), or use another file",
                path.display()
            )));
        }
        if !phased && !earlier.accepted.is_empty() && !phase.is_empty() {
            return Err(CliError::usage(format!(
                "error: the answers in `{}` have no phase; use another file for phase `{phase}`",
                path.display()
            )));
        }
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io(path))?;
    if existing.last().is_some_and(|b| *b != b'\n') {
        // A file saved without a final newline: start our rows on a line of their own.
        file.write_all(b"\n").map_err(io(path))?;
    }
    if blank {
        file.write_all(b"trainee,vignette,level,phase\n")
            .map_err(io(path))?;
    }
    Ok(Opened {
        file,
        has_phase_col,
        earlier,
    })
}

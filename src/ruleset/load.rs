//! Loading a rule file, stage by stage: read the text, parse it, read and
//! compile its scripts, check names and types, compile the plan, then lint
//! the plan and score its examples. Every error and warning is gathered
//! into one file-ordered list.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ast::RuleFile;
use crate::check::{self, FsLoader, ScriptFunctions, ScriptLoader};
use crate::error::{Diagnostic, Diagnostics};
use crate::eval;
use crate::plan::{self, Plan};
use crate::script::Scripts;
use crate::span::Source;

/// What loading a rule file produced.
pub struct Checked {
    /// The plan, when there were no errors.
    pub plan: Option<Plan>,
    /// Errors and warnings, in file order.
    pub diagnostics: Diagnostics,
}

/// Why a rule file could not be read (before it is parsed).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file cannot be opened or read.
    #[error("cannot read `{}`: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is larger than [`crate::MAX_RULE_FILE_BYTES`].
    #[error(
        "`{}` is larger than {} MB; a rule file that size is not a continuum of need",
        .path.display(),
        crate::MAX_RULE_FILE_BYTES / (1024 * 1024)
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// The file is not UTF-8 text.
    #[error("`{}` is not UTF-8 text (byte {byte})", .path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// How many bytes from the start are valid UTF-8 (the 0-based
        /// offset of the first byte that is not).
        byte: usize,
    },
}

/// Loads, parses and checks a rule file from disk.
pub fn load_file(path: &Path) -> Result<Checked, ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > crate::MAX_RULE_FILE_BYTES {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let text = String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        path: path.to_path_buf(),
        byte: e.utf8_error().valid_up_to(),
    })?;
    let source = Source::new(path.display().to_string(), text);
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(check_source(&source, &FsLoader { base }))
}

/// Parses and checks a source.
pub fn check_source(source: &Arc<Source>, loader: &dyn ScriptLoader) -> Checked {
    match crate::parse::parse(source) {
        Ok(file) => check_parsed(&file, source, loader),
        Err(d) => {
            let mut diagnostics = vec![*d];
            diagnostics.extend(check::bidi_warnings(source));
            diagnostics.sort_by_key(|d| d.span.start);
            Checked {
                plan: None,
                diagnostics: Diagnostics(diagnostics),
            }
        }
    }
}

/// Checks a parsed file and, when it is sound, compiles and lints its plan.
/// Never inlined, like `check::check`: its state stays out of the frame the
/// parser recursed below.
#[inline(never)]
pub fn check_parsed(file: &RuleFile, source: &Arc<Source>, loader: &dyn ScriptLoader) -> Checked {
    let (sources, mut diagnostics) = check::script_sources(file, source, loader);
    let mut functions = ScriptFunctions {
        defined: None,
        failed: !diagnostics.is_empty(),
    };
    let mut scripts = None;
    if !sources.is_empty() {
        match Scripts::compile(sources) {
            Ok(s) => {
                functions.defined = Some(
                    s.functions
                        .iter()
                        .map(|f| (f.name.clone(), f.params))
                        .collect(),
                );
                scripts = Some(s);
            }
            Err(errs) => {
                functions.failed = true;
                diagnostics.extend(errs);
            }
        }
    }
    let (table, errors) = check::check(file, source, &functions);
    diagnostics.extend(errors);
    let mut plan = None;
    // The plan is compiled, and its warnings read, only when nothing failed.
    if !diagnostics.iter().any(Diagnostic::is_error) {
        let p = plan::compile(file, source, table, scripts);
        diagnostics.extend(plan::lint::warnings(&p, file));
        diagnostics.extend(eval::lint::warnings(&p, file));
        plan = Some(p);
    }
    diagnostics.extend(check::bidi_warnings(source));
    diagnostics.sort_by_key(|d| (!Arc::ptr_eq(&d.source, source), d.span.start));
    let diagnostics = Diagnostics(diagnostics);
    Checked {
        plan: if diagnostics.has_errors() { None } else { plan },
        diagnostics,
    }
}

//! Names, types and sanity: a parsed [`RuleFile`] becomes a resolved
//! [`SymbolTable`] plus every error at once. The script files a rule file
//! names are read here ([`script_sources`]); the script layer compiles them
//! and hands back the functions they define, so calls can be checked. The
//! plan's compiler lowers the checked file; lints run on the plan.

pub mod declared;
mod examples;
mod expr;
pub mod ids;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ast::*;
use crate::error::Diagnostic;
use crate::span::{Source, Span};
use crate::text;
pub use declared::*;
pub use ids::{DomainId, FieldSlot, FlagId, IndicatorId, LevelRank, MaskId, RuleId, ThemeId};

/// At most this many levels.
pub const MAX_LEVELS: usize = 16;
/// A `raise` of more than this is refused.
pub const MAX_RAISE: u64 = 15;
/// Expressions nested deeper than this are refused (by the parser, which
/// never builds a deeper tree; the checker keeps the same bound).
pub use crate::parse::MAX_EXPR_DEPTH;

/// How scripts named in the file are found.
pub trait ScriptLoader {
    /// Reads a script given the path written in the rule file.
    fn load(&self, path: &str) -> Result<Arc<Source>, String>;
}

/// Loads scripts from disk relative to a base directory.
pub struct FsLoader {
    /// The rule file's directory.
    pub base: PathBuf,
}

/// A script file may be at most this many bytes.
pub const MAX_SCRIPT_BYTES: u64 = 4 * 1024 * 1024;

impl ScriptLoader for FsLoader {
    /// Resolves symlinks, requires a regular file inside the rule file's
    /// folder, and reads at most [`MAX_SCRIPT_BYTES`]. A refused file is
    /// never opened, so no line of it can reach a diagnostic.
    fn load(&self, path: &str) -> Result<Arc<Source>, String> {
        check_script_path(path).map_err(|e| e.to_string())?;
        let base = if self.base.as_os_str().is_empty() {
            Path::new(".")
        } else {
            self.base.as_path()
        };
        let folder = std::fs::canonicalize(base)
            .map_err(|e| format!("cannot find the rule file's folder for `{path}`: {e}"))?;
        let full = std::fs::canonicalize(base.join(path))
            .map_err(|e| format!("cannot read `{path}`: {e}"))?;
        if !full.starts_with(&folder) {
            return Err(format!(
                "script `{path}` is refused: it leads outside the rule file's folder (to `{}`)",
                full.display()
            ));
        }
        let meta = std::fs::metadata(&full).map_err(|e| format!("cannot read `{path}`: {e}"))?;
        if !meta.is_file() {
            let what = file_kind(&meta);
            return Err(format!(
                "script `{path}` is refused: it is {what}, not a regular file"
            ));
        }
        if meta.len() > MAX_SCRIPT_BYTES {
            return Err(format!("script `{path}` is larger than 4 MB"));
        }
        let file = open_regular(&full).map_err(|e| format!("cannot read `{path}`: {e}"))?;
        // The path may have been swapped since the check: the opened file decides.
        let opened = file
            .metadata()
            .map_err(|e| format!("cannot read `{path}`: {e}"))?;
        if !opened.is_file() {
            let what = file_kind(&opened);
            return Err(format!(
                "script `{path}` is refused: it is {what}, not a regular file"
            ));
        }
        // The file may grow or be swapped between the check and the read:
        // read one byte past the cap and refuse if it is there.
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(file, MAX_SCRIPT_BYTES + 1),
            &mut bytes,
        )
        .map_err(|e| format!("cannot read `{path}`: {e}"))?;
        if bytes.len() as u64 > MAX_SCRIPT_BYTES {
            return Err(format!("script `{path}` is larger than 4 MB"));
        }
        let text =
            String::from_utf8(bytes).map_err(|_| format!("script `{path}` is not UTF-8 text"))?;
        Ok(Source::new(
            self.base.join(path).display().to_string(),
            text,
        ))
    }
}

/// Opens a file for reading without following a final symlink and without
/// waiting on a FIFO (Unix); the caller checks what was opened.
fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
    }
    opts.open(path)
}

/// A plain-English name for what a non-regular file is.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

/// Why a script path written in a rule file is refused before any file is
/// looked at.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScriptPathError {
    /// An absolute path, or one with a drive or a scheme.
    #[error("script path `{0}` must be relative to the rule file")]
    NotRelative(String),
    /// A path with `..` (or a root) among its parts.
    #[error("script path `{0}` must stay in the rule file's folder (no `..`)")]
    LeavesFolder(String),
    /// A path that does not end in `.rhai`.
    #[error("script path `{0}` must end in `.rhai`")]
    NotRhai(String),
}

/// Scripts must live beside the rule file or below it and end in `.rhai`:
/// a rule file cannot make `thresholds` read any other file.
pub fn check_script_path(path: &str) -> Result<(), ScriptPathError> {
    let p = Path::new(path);
    if p.is_absolute() || path.starts_with('/') || path.starts_with('\\') || path.contains(':') {
        return Err(ScriptPathError::NotRelative(path.to_string()));
    }
    if p.components().any(|c| {
        !matches!(
            c,
            std::path::Component::Normal(_) | std::path::Component::CurDir
        )
    }) {
        return Err(ScriptPathError::LeavesFolder(path.to_string()));
    }
    if p.extension().and_then(|e| e.to_str()) != Some("rhai") {
        return Err(ScriptPathError::NotRhai(path.to_string()));
    }
    Ok(())
}

/// A loader with no scripts (for tests and in-memory rules).
pub struct NoScripts;

impl ScriptLoader for NoScripts {
    fn load(&self, path: &str) -> Result<Arc<Source>, String> {
        Err(format!("cannot load `{path}` here"))
    }
}

/// A loader that hands out one script text whatever the path (unit tests).
#[cfg(test)]
pub(crate) struct OneScript(pub &'static str);

#[cfg(test)]
impl ScriptLoader for OneScript {
    fn load(&self, _: &str) -> Result<Arc<Source>, String> {
        Ok(Source::new("s.rhai", self.0))
    }
}

/// The functions the rule file's scripts define, as the script layer
/// compiled them: what a call in a condition is checked against.
#[derive(Debug, Default)]
pub struct ScriptFunctions {
    /// Each function's name and parameter count (the record included);
    /// `None` when no script was compiled.
    pub defined: Option<Vec<(String, usize)>>,
    /// A script did not load or compile: calls cannot be checked.
    pub failed: bool,
}

impl ScriptFunctions {
    /// Whether a function of this name and parameter count is defined.
    fn has(&self, name: &str, params: usize) -> bool {
        self.defined
            .iter()
            .flatten()
            .any(|(n, p)| n == name && *p == params)
    }
}

/// Reads the scripts the rule file names (`script "x.rhai"`), in file
/// order, with an error for each that cannot be read.
pub fn script_sources(
    file: &RuleFile,
    source: &Arc<Source>,
    loader: &dyn ScriptLoader,
) -> (Vec<Arc<Source>>, Vec<Diagnostic>) {
    let mut sources = Vec::new();
    let mut diags = Vec::new();
    for item in &file.items {
        if let Item::Script(s) = item {
            match loader.load(&s.path.value) {
                Ok(src) => sources.push(src),
                Err(msg) => diags.push(Diagnostic::error("script-load", source, s.path.span, msg)),
            }
        }
    }
    (sources, diags)
}

/// Checks a parsed file: resolves every name, checks every type, and
/// reports all errors (warnings about a sound file come from the lints over
/// the plan). Never inlined: the checker's state would otherwise sit in the
/// caller's frame while the parser recurses below it, leaving less stack
/// for a deeply nested expression.
#[inline(never)]
pub fn check(
    file: &RuleFile,
    source: &Arc<Source>,
    functions: &ScriptFunctions,
) -> (SymbolTable, Vec<Diagnostic>) {
    let mut checker = Checker::new(source, functions);
    checker.declare(file);
    checker.check_rules(file);
    checker.check_examples(file);
    (checker.table, checker.diags)
}

/// At most this many bidirectional-control warnings; one more says how
/// many were left out.
const MAX_BIDI_WARNINGS: usize = 20;

/// True for the characters that change the direction text is shown in:
/// embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069) and
/// the left-to-right and right-to-left marks (U+200E, U+200F).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// A warning for each bidirectional-control character anywhere in the
/// rule file (strings, comments, names): they can make a rule read
/// differently from what it does (SPEC §5).
pub fn bidi_warnings(source: &Arc<Source>) -> Vec<Diagnostic> {
    let text = &source.text;
    // Every bidi control is three bytes starting 0xE2 in UTF-8.
    if !text.as_bytes().contains(&0xE2) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut more = 0usize;
    for (at, c) in text.char_indices().filter(|(_, c)| is_bidi_control(*c)) {
        if out.len() >= MAX_BIDI_WARNINGS {
            more += 1;
            continue;
        }
        out.push(
            Diagnostic::warning(
                "bidi-control",
                source,
                Span {
                    start: at,
                    end: at + c.len_utf8(),
                },
                format!(
                    "the bidirectional control character U+{:04X} can make this line read differently from what it does",
                    u32::from(c)
                ),
            )
            .with_label(format!("U+{:04X}", u32::from(c)))
            .with_help("remove it, or write the text without direction controls"),
        );
    }
    if more > 0 {
        if let Some(last) = out.last() {
            let span = last.span;
            out.push(Diagnostic::warning(
                "bidi-control",
                source,
                span,
                format!("{more} more bidirectional control characters follow in this file"),
            ));
        }
    }
    out
}

/// The checker at work: the symbol table it is filling in, the errors it
/// has found, and the script functions calls are checked against.
pub(crate) struct Checker<'a> {
    /// The rule file.
    pub source: &'a Arc<Source>,
    /// Errors found so far, in the order found.
    pub diags: Vec<Diagnostic>,
    /// What the file declares, resolved so far.
    pub table: SymbolTable,
    /// The functions the scripts define.
    pub functions: &'a ScriptFunctions,
}

impl<'a> Checker<'a> {
    fn new(source: &'a Arc<Source>, functions: &'a ScriptFunctions) -> Self {
        Self {
            source,
            diags: Vec::new(),
            table: SymbolTable::default(),
            functions,
        }
    }

    pub(crate) fn error(
        &mut self,
        code: &'static str,
        span: Span,
        msg: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::error(code, self.source, span, msg));
        let n = self.diags.len() - 1;
        &mut self.diags[n]
    }

    /// The index the next declaration of a kind gets (`len` are declared),
    /// or an error at `span` when its index type has no room for it: an
    /// index is never cut short to point at another declaration.
    fn next_index<T: TryFrom<usize>>(&mut self, len: usize, what: &str, span: Span) -> Option<T> {
        if let Ok(i) = T::try_from(len) {
            return Some(i);
        }
        self.error(
            "too-many",
            span,
            format!("too many {what}: a rule file may declare at most {len}"),
        );
        None
    }

    /// Declares an id in the shared namespace; reports a clash.
    fn declare_name(&mut self, id: &Ident, sym: Symbol, what: &str) -> bool {
        if let Some((prev, prev_span)) = self.table.names.get(&id.name) {
            let (line, _) = self.source.line_col(prev_span.start);
            let kind = symbol_kind(*prev);
            let msg = format!("`{}` is already declared as {kind} on line {line}", id.name);
            self.error("duplicate-name", id.span, msg).label =
                Some(format!("this {what} needs another id"));
            return false;
        }
        self.table.names.insert(id.name.clone(), (sym, id.span));
        true
    }

    /// Records an indicator's external codes (`codes [...]`): each trimmed,
    /// not empty, and belonging to this indicator only. Returns the codes kept.
    fn declare_codes(&mut self, bit: IndicatorId, indicator: &str, codes: &[Text]) -> Vec<String> {
        let mut kept = Vec::new();
        for c in codes {
            let code = c.value.trim();
            if code.is_empty() {
                self.error("empty-code", c.span, "an indicator code cannot be empty")
                    .label = Some("write the code as it appears in the data".into());
                continue;
            }
            if code.chars().any(|ch| ch == ';' || ch.is_control()) {
                self.error(
                    "bad-code",
                    c.span,
                    format!(
                        "the code `{}` holds `;` or a control character",
                        text::shorten(code)
                    ),
                )
                .label = Some("`;` separates codes in an `indicators` column".into());
                continue;
            }
            let upper = code.to_ascii_uppercase();
            let clash = self.table.decl.codes.get(&upper).copied();
            let clash = clash.zip(self.table.code_spans.get(&upper).copied());
            if let Some((other, span)) = clash {
                let (line, _) = self.source.line_col(span.start);
                let owner = self
                    .table
                    .decl
                    .indicators
                    .get(other.index())
                    .map_or(indicator, |i| i.id.as_str())
                    .to_string();
                let msg = if other == bit {
                    format!(
                        "the code `{}` is listed twice for `{indicator}`",
                        text::shorten(code)
                    )
                } else {
                    format!(
                        "the code `{}` already means the indicator `{owner}` (line {line}); a code belongs to one indicator only",
                        text::shorten(code)
                    )
                };
                self.error("duplicate-code", c.span, msg).label =
                    Some("remove one of the two".into());
                continue;
            }
            self.table.code_spans.insert(upper.clone(), c.span);
            self.table.decl.codes.insert(upper, bit);
            kept.push(code.to_string());
        }
        kept
    }

    /// The names of one kind, for suggestions.
    pub(crate) fn names_of(&self, pred: impl Fn(Symbol) -> bool) -> Vec<String> {
        let mut v: Vec<String> = self
            .table
            .names
            .iter()
            .filter(|(_, (s, _))| pred(*s))
            .map(|(n, _)| n.clone())
            .collect();
        v.sort();
        v
    }

    /// Resolves a level id, reporting unknown ones.
    pub(crate) fn level(&mut self, id: &Ident) -> Option<LevelRank> {
        match self.table.names.get(&id.name) {
            Some((Symbol::Level(l), _)) => Some(*l),
            Some((other, _)) => {
                let kind = symbol_kind(*other);
                let msg = format!("`{}` is {kind}, not a level", id.name);
                let levels = self.level_list();
                self.error("not-a-level", id.span, msg).help = Some(format!("levels are {levels}"));
                None
            }
            None => {
                let cands = self.names_of(|s| matches!(s, Symbol::Level(_)));
                let hint = text::hint(&id.name, cands.iter().map(String::as_str));
                let levels = self.level_list();
                let d = self.error(
                    "unknown-level",
                    id.span,
                    format!("unknown level `{}`", id.name),
                );
                d.label = hint;
                d.help = Some(format!("levels are {levels}"));
                None
            }
        }
    }

    fn level_list(&self) -> String {
        self.table
            .decl
            .levels
            .iter()
            .map(|l| format!("`{}`", l.id))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Resolves a name of a kind `want` (theme, domain), reporting unknown ones.
    pub(crate) fn resolve_kind<T>(
        &mut self,
        id: &Ident,
        want: &str,
        pick: impl Fn(Symbol) -> Option<T> + Copy,
    ) -> Option<T> {
        match self.table.names.get(&id.name) {
            Some((s, _)) if pick(*s).is_some() => pick(*s),
            Some((other, _)) => {
                let kind = symbol_kind(*other);
                self.error(
                    "wrong-kind",
                    id.span,
                    format!("`{}` is {kind}, not a {want}", id.name),
                );
                None
            }
            None => {
                let cands = self.names_of(|s| pick(s).is_some());
                let hint = text::hint(&id.name, cands.iter().map(String::as_str));
                let d = self.error(
                    "unknown-name",
                    id.span,
                    format!("unknown {want} `{}`", id.name),
                );
                d.label = hint;
                if cands.is_empty() {
                    d.help = Some(format!("no {want} is declared"));
                }
                None
            }
        }
    }

    /// Resolves a flag id.
    pub(crate) fn flag(&mut self, id: &Ident) -> Option<FlagId> {
        if let Some(f) = self.table.flag_ids.get(&id.name) {
            return Some(*f);
        }
        let cands: Vec<String> = self.table.decl.flags.iter().map(|f| f.id.clone()).collect();
        let hint = text::hint(&id.name, cands.iter().map(String::as_str));
        let d = self.error(
            "unknown-flag",
            id.span,
            format!("unknown flag `{}`", id.name),
        );
        d.label = hint;
        d.help = Some(if cands.is_empty() {
            "declare flags in a `flags { id \"label\" }` block".into()
        } else {
            format!(
                "flags are {}",
                cands
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
        None
    }

    fn declare(&mut self, file: &RuleFile) {
        // Levels first: everything else refers to them.
        let level_blocks: Vec<&Block<LabelDef>> = file
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Levels(b) => Some(b),
                _ => None,
            })
            .collect();
        match level_blocks.as_slice() {
            [] => {
                self.error(
                    "no-levels",
                    file.header_span,
                    "the rule file has no `levels` block",
                )
                .help = Some("add `levels { universal \"Level 1\" ... }`, lowest first".into());
            }
            [first, rest @ ..] => {
                for extra in rest {
                    self.error(
                        "duplicate-block",
                        extra.span,
                        "`levels` may appear only once",
                    )
                    .label = Some("second `levels` block".into());
                }
                let n = first.entries.len();
                if !(2..=MAX_LEVELS).contains(&n) {
                    self.error(
                        "level-count",
                        first.span,
                        format!("a continuum needs 2 to {MAX_LEVELS} levels, this one has {n}"),
                    );
                }
                let ranks = LevelRank::all();
                for (rank, l) in ranks.zip(first.entries.iter().take(MAX_LEVELS)) {
                    if self.declare_name(&l.id, Symbol::Level(rank), "level") {
                        self.table.decl.levels.push(LevelInfo {
                            id: l.id.name.clone(),
                            label: l.label.value.clone(),
                        });
                    }
                }
                self.labels_against_ids(&first.entries);
            }
        }
        for item in &file.items {
            match item {
                Item::Themes(b) => {
                    for t in &b.entries {
                        let Some(idx) =
                            self.next_index(self.table.decl.themes.len(), "themes", t.id.span)
                        else {
                            break;
                        };
                        if self.declare_name(&t.id, Symbol::Theme(idx), "theme") {
                            self.table.decl.themes.push(Named {
                                id: t.id.name.clone(),
                                label: t.label.value.clone(),
                            });
                        }
                    }
                }
                Item::Flags(b) => {
                    for f in &b.entries {
                        if self.table.flag_ids.contains_key(&f.id.name) {
                            self.error(
                                "duplicate-name",
                                f.id.span,
                                format!("flag `{}` is declared twice", f.id.name),
                            );
                            continue;
                        }
                        let Some(idx) =
                            self.next_index(self.table.decl.flags.len(), "flags", f.id.span)
                        else {
                            break;
                        };
                        self.table.flag_ids.insert(f.id.name.clone(), idx);
                        self.table.decl.flags.push(Named {
                            id: f.id.name.clone(),
                            label: f.label.value.clone(),
                        });
                    }
                }
                Item::Fields(b) => {
                    for f in &b.entries {
                        self.declare_field(f);
                    }
                }
                _ => {}
            }
        }
        // Domains and indicators, now that levels and themes are known.
        for item in &file.items {
            if let Item::Domain(d) = item {
                let Some(didx) =
                    self.next_index(self.table.decl.domains.len(), "domains", d.id.span)
                else {
                    break;
                };
                if self.declare_name(&d.id, Symbol::Domain(didx), "domain") {
                    self.table.decl.domains.push(Named {
                        id: d.id.name.clone(),
                        label: d.label.value.clone(),
                    });
                }
                for ind in &d.indicators {
                    let level = self.level(&ind.level).unwrap_or(LevelRank::LOWEST);
                    let mut themes = Vec::new();
                    for t in &ind.themes {
                        if let Some(ti) = self.resolve_kind(t, "theme", |s| match s {
                            Symbol::Theme(i) => Some(i),
                            _ => None,
                        }) {
                            if !themes.contains(&ti) {
                                themes.push(ti);
                            }
                        }
                    }
                    let Some(bit) = self.next_index(
                        self.table.decl.indicators.len(),
                        "indicators",
                        ind.id.span,
                    ) else {
                        break;
                    };
                    if self.declare_name(&ind.id, Symbol::Indicator(bit), "indicator") {
                        let codes = self.declare_codes(bit, &ind.id.name, &ind.codes);
                        self.table.decl.indicators.push(IndicatorInfo {
                            id: ind.id.name.clone(),
                            description: ind.description.value.clone(),
                            level,
                            domain: didx,
                            themes,
                            codes,
                        });
                        self.table.indicator_spans.push(ind.span);
                    }
                }
            }
        }
        // Rule ids join the namespace before any condition is read.
        let rules = file.items.iter().filter_map(|item| match item {
            Item::Rule(r) => Some(r),
            _ => None,
        });
        for (ri, r) in RuleId::all().zip(rules) {
            self.declare_name(&r.id, Symbol::Rule(ri), "rule");
        }
        // Decisions: level ids and labels always map to themselves.
        let mut own = Vec::new();
        let ranks = LevelRank::all();
        for (rank, l) in ranks.zip(&self.table.decl.levels) {
            own.push((l.id.clone(), rank));
            own.push((l.label.trim().to_string(), rank));
        }
        for (text, rank) in own {
            self.map_decision(&text, rank);
        }
        for item in &file.items {
            if let Item::Decisions(b) = item {
                for d in &b.entries {
                    let Some(level) = self.level(&d.level) else {
                        continue;
                    };
                    let key = d.text.value.trim().to_lowercase();
                    if key.is_empty() {
                        self.error(
                            "empty-decision",
                            d.text.span,
                            "a decision text cannot be empty",
                        );
                        continue;
                    }
                    match self.table.decl.decisions.get(&key) {
                        Some(prev) if *prev != level => {
                            let prev_id = self
                                .table
                                .decl
                                .levels
                                .get(prev.index())
                                .map_or("?", |l| l.id.as_str())
                                .to_string();
                            self.error(
                                "conflicting-decision",
                                d.text.span,
                                format!(
                                    "decision `{}` already maps to `{prev_id}`",
                                    d.text.value.trim()
                                ),
                            )
                            .help = Some(
                                "decision texts are matched trimmed and case-insensitive".into(),
                            );
                        }
                        _ => self.map_decision(d.text.value.trim(), level),
                    }
                }
            }
        }
    }

    /// A level's label is also a decision text for that level, matched
    /// case-insensitively: a label equal to another level's id or label
    /// would make one decision mean two levels.
    fn labels_against_ids(&mut self, entries: &[LabelDef]) {
        let entries = &entries[..entries.len().min(MAX_LEVELS)];
        for (i, a) in entries.iter().enumerate() {
            let label = a.label.value.trim().to_lowercase();
            if label.is_empty() {
                continue;
            }
            for (j, b) in entries.iter().enumerate() {
                if i == j {
                    continue;
                }
                let clash = if label == b.id.name.to_lowercase() {
                    Some("id")
                } else if j < i && label == b.label.value.trim().to_lowercase() {
                    Some("label")
                } else {
                    None
                };
                if let Some(what) = clash {
                    self.error(
                        "conflicting-decision",
                        a.label.span,
                        format!(
                            "the label of level `{}`, `{}`, is the {what} of level `{}`: the decision `{}` would mean both",
                            a.id.name,
                            crate::text::shorten_all(a.label.value.trim()),
                            b.id.name,
                            crate::text::shorten_all(a.label.value.trim()),
                        ),
                    )
                    .help = Some(
                        "decision texts are matched trimmed and case-insensitive against level ids and labels; give each level a label of its own".into(),
                    );
                    break;
                }
            }
        }
    }

    /// Maps a decision text (trimmed) to a level: case-insensitively, and
    /// as written for the exact match tried first.
    fn map_decision(&mut self, text: &str, level: LevelRank) {
        self.table.decl.decisions.insert(text.to_lowercase(), level);
        self.table
            .decl
            .decision_spellings
            .insert(text.to_string(), level);
    }

    fn declare_field(&mut self, f: &FieldDef) {
        let kind = match &f.ty {
            FieldTypeSyntax::Number(range) => {
                if let Some((lo, hi)) = range {
                    if !(lo.is_finite() && hi.is_finite()) || lo > hi {
                        self.error(
                            "bad-range",
                            f.span,
                            format!(
                                "the range of `{}` must run from a smaller to a larger number",
                                f.id.name
                            ),
                        );
                    }
                }
                FieldType::Number(*range)
            }
            FieldTypeSyntax::Bool => FieldType::Bool,
            FieldTypeSyntax::Text => FieldType::Text,
            FieldTypeSyntax::OneOf(opts) => {
                let mut seen: Vec<String> = Vec::new();
                let mut known: std::collections::HashSet<&str> = std::collections::HashSet::new();
                for o in opts {
                    if !known.insert(o.value.as_str()) {
                        self.error(
                            "duplicate-choice",
                            o.span,
                            format!("`{}` is listed twice", o.value),
                        );
                    } else {
                        seen.push(o.value.clone());
                    }
                }
                if seen.len() > u16::MAX as usize {
                    self.error("too-many-choices", f.span, "too many choices");
                }
                FieldType::OneOf(seen)
            }
        };
        if f.id.name == "id" || f.id.name == "indicators" || f.id.name == "decision" {
            self.error(
                "reserved-field",
                f.id.span,
                format!(
                    "`{}` is a reserved data column and cannot be a field",
                    f.id.name
                ),
            );
            return;
        }
        let Some(slot) = self.next_index(self.table.decl.fields.len(), "fields", f.id.span) else {
            return;
        };
        if self.declare_name(&f.id, Symbol::Field(slot), "field") {
            if let FieldType::OneOf(opts) = &kind {
                let index = opts
                    .iter()
                    .enumerate()
                    .map(|(i, o)| (o.clone(), i as u16))
                    .collect();
                self.table.choices.insert(slot, index);
            }
            self.table.decl.fields.push(FieldInfo {
                id: f.id.name.clone(),
                kind,
                optional: f.optional,
                label: f.label.as_ref().map(|l| l.value.clone()),
            });
        }
    }

    /// Each rule: its condition must be true/false, its levels and flags
    /// must exist, and a `raise` must fit the continuum.
    fn check_rules(&mut self, file: &RuleFile) {
        for item in &file.items {
            let Item::Rule(r) = item else { continue };
            self.condition(&r.when);
            for a in &r.actions {
                match &a.kind {
                    ActionKind::AtLeast(l) => {
                        self.level(l);
                    }
                    ActionKind::Raise(n) => {
                        let levels = self.table.decl.levels.len() as u64;
                        if *n == 0 || *n > MAX_RAISE || (levels > 1 && *n >= levels) {
                            let most = levels.saturating_sub(1).max(1);
                            let msg = if *n == 0 {
                                "`raise 0` would never change a level".to_string()
                            } else {
                                format!(
                                    "`raise {n}` is too large: with {levels} levels a record can go up by at most {most}"
                                )
                            };
                            self.error("bad-raise", a.span, msg).help =
                                Some(format!("raise by 1 to {most} levels"));
                        }
                    }
                    ActionKind::Flag(f) => {
                        self.flag(f);
                    }
                }
            }
        }
    }
}

/// What kind of thing a symbol is, in words with its article.
pub fn symbol_kind(s: Symbol) -> &'static str {
    match s {
        Symbol::Level(_) => "a level",
        Symbol::Field(_) => "a field",
        Symbol::Domain(_) => "a domain",
        Symbol::Theme(_) => "a theme",
        Symbol::Indicator(_) => "an indicator",
        Symbol::Rule(_) => "a rule",
    }
}

#[cfg(test)]
mod issue13_tests {
    use super::*;
    use crate::ruleset::check_source;

    fn codes(text: &str) -> Vec<(&'static str, String)> {
        let source = Source::new("t.thr", text);
        check_source(&source, &NoScripts)
            .diagnostics
            .0
            .iter()
            .map(|d| (d.code, d.location()))
            .collect()
    }

    const TAIL: &str = "domain d \"D\" { indicator i \"I\" at high }\n";

    #[test]
    fn a_label_equal_to_another_levels_id_conflicts_case_insensitively() {
        let got = codes(&format!(
            "continuum \"T\"\nlevels {{ low \"HIGH \" high \"Upper\" }}\n{TAIL}"
        ));
        assert_eq!(
            got,
            vec![("conflicting-decision", "t.thr:2:14".to_string())]
        );
    }

    #[test]
    fn two_levels_with_one_label_conflict() {
        let got = codes(&format!(
            "continuum \"T\"\nlevels {{ low \"Same\" high \"same\" }}\n{TAIL}"
        ));
        assert_eq!(
            got,
            vec![("conflicting-decision", "t.thr:2:26".to_string())]
        );
    }

    #[test]
    fn a_label_equal_to_its_own_id_is_fine() {
        let got = codes(&format!(
            "continuum \"T\"\nlevels {{ low \"Low\" high \"High\" }}\n{TAIL}"
        ));
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn bidi_controls_are_warned_about_everywhere_even_beside_a_syntax_error() {
        let got = codes(&format!(
            "continuum \"T\"\n// a \u{2066}b\u{2069}\nlevels {{ low \"L\u{200F}\" high \"High\" }}\n{TAIL}"
        ));
        assert_eq!(
            got,
            vec![
                ("bidi-control", "t.thr:2:6".to_string()),
                ("bidi-control", "t.thr:2:8".to_string()),
                ("bidi-control", "t.thr:3:16".to_string()),
            ]
        );
        let got = codes("continuum \"T\u{202E}\"\nlevels {");
        assert!(got.iter().any(|(c, _)| *c == "bidi-control"), "{got:?}");
        assert!(got.iter().any(|(c, _)| *c != "bidi-control"), "{got:?}");
    }
}

#[cfg(test)]
mod linear_tests {
    //! Issue 13 item 7: inputs that were quadratic to check (65,535
    //! choices; a condition of 100,000 `and` terms). No timing is asserted:
    //! these finish at once when checking is linear, and take minutes when
    //! it is not.
    use super::*;
    use crate::ruleset::check_source;

    const HEAD: &str =
        "continuum \"x\" version \"1\"\nlevels {\n  low \"Low\"\n  high \"High\"\n}\n";

    fn checks_clean(text: String) {
        let src = Source::new("big.thr", text);
        let c = check_source(&src, &NoScripts);
        assert!(c.plan.is_some(), "{:?}", c.diagnostics.0.first());
    }

    fn choices(n: usize) -> String {
        (0..n)
            .map(|i| format!("\"c{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    }

    #[test]
    fn more_themes_than_an_index_holds_is_an_error_not_a_wrapped_index() {
        let themes: String = (0..usize::from(u16::MAX) + 2)
            .map(|i| format!("  t{i} \"T\"\n"))
            .collect();
        let src = Source::new(
            "big.thr",
            format!(
                "{HEAD}themes {{\n{themes}}}\ndomain d \"D\" {{\n  indicator a \"A\" at high themes [t0]\n}}\n"
            ),
        );
        let c = check_source(&src, &NoScripts);
        let codes: Vec<(&str, String)> = c
            .diagnostics
            .0
            .iter()
            .map(|d| (d.code, d.message.clone()))
            .collect();
        assert_eq!(
            codes,
            [(
                "too-many",
                "too many themes: a rule file may declare at most 65536".to_string()
            )]
        );
    }

    #[test]
    fn many_choices_declared_and_tested_with_in() {
        let ch = choices(65_535);
        checks_clean(format!(
            "{HEAD}fields {{\n  kind: one_of({ch})\n}}\ndomain d \"D\" {{\n  indicator a \"A\" at high\n}}\n\
             rule r \"R\"\n  when kind in [{ch}]\n  then at least high\n"
        ));
    }

    #[test]
    fn a_condition_of_many_and_terms() {
        let k = 500;
        let inds: String = (0..k)
            .map(|i| format!("  indicator a{i} \"A\" at low\n  indicator b{i} \"B\" at low\n"))
            .collect();
        let terms: Vec<String> = (0..100_000)
            .map(|i| {
                let j = (i / 2) % k;
                if i % 2 == 1 {
                    format!("a{j}")
                } else {
                    format!("not b{j}")
                }
            })
            .collect();
        checks_clean(format!(
            "{HEAD}domain d \"D\" {{\n{inds}}}\nrule r \"R\"\n  when {}\n  then at least high\n",
            terms.join(" and ")
        ));
    }
}

#[cfg(test)]
mod functions_tests {
    //! Calls are checked against the functions the script layer compiled,
    //! passed in as `ScriptFunctions`: check never sees a script.
    use super::*;

    fn codes(functions: &ScriptFunctions) -> Vec<&'static str> {
        let source = Source::new(
            "t.thr",
            "continuum \"T\"\nlevels { low \"L\" high \"H\" }\n\
             domain d \"D\" { indicator i \"I\" at high }\n\
             rule r \"R\" when risk(1) > 2 then at least high\n",
        );
        let file = crate::parse::parse(&source).unwrap_or_else(|d| panic!("{}", d.message));
        let (table, diags) = check(&file, &source, functions);
        assert_eq!(table.symbol("r"), Some(Symbol::Rule(RuleId::new(0))));
        diags.iter().map(|d| d.code).collect()
    }

    #[test]
    fn a_defined_function_with_the_right_arity_is_accepted() {
        let f = ScriptFunctions {
            defined: Some(vec![("risk".into(), 2)]),
            failed: false,
        };
        assert!(codes(&f).is_empty());
    }

    #[test]
    fn a_wrong_arity_or_a_missing_function_is_an_error() {
        let f = ScriptFunctions {
            defined: Some(vec![("risk".into(), 1)]),
            failed: false,
        };
        assert_eq!(codes(&f), ["arity"]);
        assert_eq!(codes(&ScriptFunctions::default()), ["unknown-function"]);
    }

    #[test]
    fn calls_are_not_checked_when_a_script_failed_to_load() {
        let f = ScriptFunctions {
            defined: None,
            failed: true,
        };
        assert!(codes(&f).is_empty());
    }
}

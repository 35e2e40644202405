//! Column roles: a header (or the keys of a JSON object) mapped once to what
//! each column means for one rule set, so that reading a row is a walk over
//! slots with no name lookups. Parsing a row fills a reused [`Row`] and
//! reports the first problem as (column, reason).

use std::collections::HashMap;

use csv::ByteRecord;

use crate::data::{cell_size, parse_cell, parse_yes_no, set_indicator, MAX_CELL_BYTES};
use crate::data::{CellError, DataError, LoadOptions, Row};
use crate::plan::{FieldSlot, FieldType, IndicatorId, Plan, Value};
use crate::text::shorten;

/// What a column means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The record id.
    Id,
    /// A declared field (slot).
    Field(FieldSlot),
    /// The long-form `indicators` list.
    Indicators,
    /// A wide-form indicator column (bit).
    Indicator(IndicatorId),
    /// Not used by the rules.
    Ignore,
}

/// A problem with one row: the column at fault and why. The reason is
/// text: a [`CellError`] is formatted once, here at the reject, since most
/// of a row's reasons (a short row, a missing id, JSON shapes) are about
/// the row rather than one cell, and a [`crate::data::Reject`] keeps text.
pub type RowError = (String, String);

/// The roles of a file's columns under one plan.
#[derive(Clone, Debug)]
pub struct Layout {
    /// Column names as written (trimmed).
    pub names: Vec<String>,
    /// Role of each column.
    pub roles: Vec<Role>,
    /// The id column.
    pub id: Option<usize>,
    /// The decision column.
    pub decision: Option<usize>,
    /// `--keep` columns, in order.
    pub keep: Vec<usize>,
    /// Extra columns, in order.
    pub extra: Vec<usize>,
    /// Field slots with no column (all optional).
    pub absent_fields: Vec<FieldSlot>,
    /// What the header check found that every report must state (an
    /// optional field with no column).
    pub warnings: Vec<String>,
    /// Columns neither used by the rules nor named by the command.
    pub ignored: Vec<String>,
}

/// Normalises a column name for matching: trimmed, lowercase.
pub fn norm(name: &str) -> String {
    name.trim().trim_start_matches('\u{feff}').to_lowercase()
}

fn listed(names: &[String]) -> String {
    let mut s = names
        .iter()
        .take(30)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 30 {
        s.push_str(", ...");
    }
    if s.is_empty() {
        s.push_str("none");
    }
    s
}

/// `did you mean `x`?` among the header's columns, as a clause.
fn hint_for(name: &str, names: &[String]) -> String {
    crate::text::hint(name, names.iter().map(String::as_str))
        .map_or(String::new(), |h| format!("; {h}"))
}

fn with_hint(mut listed: String, name: &str, names: &[String]) -> String {
    listed.push_str(&hint_for(name, names));
    listed
}

/// Whether a header column looks like a misspelling of `name`: the same once
/// case, spaces, `_` and `-` are set aside, or one or two letters apart
/// (one for short names).
pub fn looks_like(column: &str, name: &str) -> bool {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-' | '.'))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (a, b) = (squash(column), squash(name));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let allowed = if b.chars().count() <= 6 { 1 } else { 2 };
    a == b || strsim::levenshtein(&a, &b) <= allowed
}

impl Layout {
    /// Maps a header to roles. Missing `id`, required field columns, or named
    /// columns (`--keep`, extra, a non-default `--decision`) stop the run.
    pub fn new(
        plan: &Plan,
        path: &std::path::Path,
        header: &[String],
        opts: &LoadOptions,
    ) -> Result<Layout, DataError> {
        Self::of(plan, path, header, opts, false)
    }

    /// The layout of columns a reader makes itself (a CIN census: `id`,
    /// `age`, `la`, ...): the columns no rule reads are neither listed as
    /// ignored nor taken for misspellings of the rule file's names (`la` is
    /// not a misspelt indicator `lac`).
    pub fn derived(
        plan: &Plan,
        path: &std::path::Path,
        header: &[String],
        opts: &LoadOptions,
    ) -> Result<Layout, DataError> {
        Self::of(plan, path, header, opts, true)
    }

    /// [`Layout::derived`] when `derived`, else [`Layout::new`].
    pub fn of(
        plan: &Plan,
        path: &std::path::Path,
        header: &[String],
        opts: &LoadOptions,
        derived: bool,
    ) -> Result<Layout, DataError> {
        let names: Vec<String> = header
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            let key = norm(n);
            if key.is_empty() {
                continue;
            }
            if let Some(prev) = index.insert(key, i) {
                return Err(DataError::Format {
                    path: path.to_path_buf(),
                    message: format!(
                        "the header names column `{n}` twice (columns {} and {})",
                        prev + 1,
                        i + 1
                    ),
                });
            }
        }
        let no_column = |name: &str| DataError::NoColumn {
            name: name.to_string(),
            available: with_hint(listed(&names), name, &names),
        };
        let mut roles = vec![Role::Ignore; names.len()];
        let id = *index.get("id").ok_or_else(|| no_column("id"))?;
        roles[id] = Role::Id;
        // Columns named by the command (--decision, --keep, --by, ...).
        let dname = opts.decision.as_deref().unwrap_or("decision");
        let decision = match index.get(&norm(dname)) {
            Some(&c) => Some(c),
            None if opts.decision.is_none() || norm(dname) == "decision" => None,
            None => return Err(no_column(dname)),
        };
        let find = |name: &String| {
            index
                .get(&norm(name))
                .copied()
                .ok_or_else(|| no_column(name))
        };
        let keep = opts.keep.iter().map(find).collect::<Result<Vec<_>, _>>()?;
        let extra = opts.extra.iter().map(find).collect::<Result<Vec<_>, _>>()?;
        let mut absent_fields = Vec::new();
        let mut missing_optional = Vec::new();
        for (slot, f) in FieldSlot::all().zip(&plan.decl.fields) {
            match index.get(&f.id) {
                Some(&c) => roles[c] = Role::Field(slot),
                None if f.optional => {
                    absent_fields.push(slot);
                    missing_optional.push(f.id.as_str());
                }
                None => {
                    return Err(DataError::NoColumn {
                        name: f.id.clone(),
                        available: format!(
                            "{} (`{}` is a required field of the rules){}",
                            listed(&names),
                            f.id,
                            hint_for(&f.id, &names)
                        ),
                    })
                }
            }
        }
        if let Some(&c) = index.get("indicators") {
            if roles[c] == Role::Ignore {
                roles[c] = Role::Indicators;
            }
        }
        for (bit, ind) in IndicatorId::all().zip(&plan.decl.indicators) {
            if let Some(&c) = index.get(&ind.id) {
                if roles[c] == Role::Ignore {
                    roles[c] = Role::Indicator(bit);
                }
            }
            // A wide column may also be named by one of its codes (`3A`).
            for code in &ind.codes {
                if let Some(&c) = index.get(&norm(code)) {
                    if roles[c] == Role::Ignore {
                        roles[c] = Role::Indicator(bit);
                    }
                }
            }
        }
        // The header check (SPEC §4): what the rules read must be there, and
        // a column that looks like a misspelling of it stops the run.
        let named = |c: usize| decision == Some(c) || keep.contains(&c) || extra.contains(&c);
        let unused: Vec<&str> = (0..names.len())
            .filter(|&c| {
                !derived && roles[c] == Role::Ignore && !named(c) && !norm(&names[c]).is_empty()
            })
            .map(|c| names[c].as_str())
            .collect();
        let header_error = |message: String| DataError::Format {
            path: path.to_path_buf(),
            message,
        };
        let has_indicator_columns = roles
            .iter()
            .any(|r| matches!(r, Role::Indicators | Role::Indicator(_)));
        if !has_indicator_columns && !plan.decl.indicators.is_empty() {
            return Err(header_error(format!(
                "the header has no `indicators` column and no column named after an indicator, \
                 so no concern could be read{}; the columns are {}",
                hint_for("indicators", &names),
                listed(&names)
            )));
        }
        for want in missing_optional
            .iter()
            .copied()
            .chain((decision.is_none() && opts.decision.is_none()).then_some("decision"))
        {
            if let Some(col) = unused.iter().find(|c| looks_like(c, want)) {
                return Err(header_error(format!(
                    "column `{col}` looks like a misspelling of `{want}`, which is not in the header; \
                     rename the column to `{want}` (as it is, every record would be read without it)"
                )));
            }
        }
        for col in &unused {
            if let Some(ind) = plan.decl.indicators.iter().find(|i| looks_like(col, &i.id)) {
                return Err(header_error(format!(
                    "column `{col}` looks like a misspelling of the indicator `{}`; rename the column \
                     (as it is, the concern would be read as absent on every record)",
                    ind.id
                )));
            }
        }
        let warnings = match missing_optional.as_slice() {
            [] => Vec::new(),
            [f] => vec![format!(
                "column `{f}` is not in the data: every record treated as missing it"
            )],
            many => vec![format!(
                "columns {} are not in the data: every record treated as missing them",
                many.iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )],
        };
        let ignored = unused.iter().map(|c| c.to_string()).collect();
        Ok(Layout {
            names,
            roles,
            id: Some(id),
            decision,
            keep,
            extra,
            absent_fields,
            warnings,
            ignored,
        })
    }

    /// A fresh row shaped for this layout.
    pub fn empty_row(&self, plan: &Plan) -> Row {
        Row::blank(plan, self.keep.len(), self.extra.len())
    }

    /// The name of column `i` (or `row`).
    pub fn name(&self, i: usize) -> &str {
        self.names.get(i).map_or("row", String::as_str)
    }

    /// Parses one row of cells into `row` (reusing its buffers).
    pub fn parse(&self, plan: &Plan, cells: &ByteRecord, row: &mut Row) -> Result<(), RowError> {
        let width = cells.len();
        row.record.id.clear();
        row.record.indicators.clear();
        row.decision = None;
        let cells = Cells::new(cells);
        let at = |ci: usize| self.name(ci).to_string();
        // The id first, so that a reject can name the row.
        if let Some(ci) = self.id {
            if let Some(t) = cells.text(ci).map_err(|e| (at(ci), e.to_string()))? {
                row.record.id.push_str(trim(t));
            }
        }
        if width != self.roles.len() {
            return Err((
                crate::data::WHOLE_ROW.into(),
                format!(
                    "the row has {width} cells but the header has {}",
                    self.roles.len()
                ),
            ));
        }
        for s in &self.absent_fields {
            if let Some(v) = row.record.values.get_mut(s.index()) {
                *v = Value::Missing;
            }
        }
        // No cell can be over the size limit when the whole row is not.
        let sizes_checked = cells.bytes() <= MAX_CELL_BYTES;
        let mut start = 0;
        for (ci, (role, cell)) in self.roles.iter().zip(cells.record.iter()).enumerate() {
            // The cells lie end to end in the record, so each one's place
            // in the whole row follows from the lengths before it.
            let end = start + cell.len();
            let place = start..end;
            start = end;
            if !sizes_checked {
                cell_size(cell.len()).map_err(|e| (at(ci), e.to_string()))?;
            }
            if *role == Role::Ignore {
                continue;
            }
            let t = cells
                .slice(place, cell)
                .map_err(|e| (at(ci), e.to_string()))?;
            match *role {
                Role::Id => {
                    if row.record.id.is_empty() {
                        return Err((at(ci), "missing id".into()));
                    }
                }
                Role::Field(slot) => {
                    read_field(plan, slot, t, &mut row.record.values)
                        .map_err(|e| (at(ci), e.to_string()))?;
                }
                Role::Indicators => {
                    for part in semicolon_parts(t) {
                        set_indicator(plan, &mut row.record, part)
                            .map_err(|e| (at(ci), e.to_string()))?;
                    }
                }
                Role::Indicator(bit) => match parse_yes_no(t) {
                    Some(true) => row.record.set_indicator(bit),
                    Some(false) => {}
                    None => {
                        return Err((
                            at(ci),
                            format!(
                                "`{}` is not yes/no (use 1/0, true/false, yes/no, y/n, x or empty)",
                                shorten(t.trim())
                            ),
                        ))
                    }
                },
                Role::Ignore => {}
            }
        }
        let decision = match self.decision {
            Some(ci) => cells
                .text(ci)
                .map_err(|e| (at(ci), e.to_string()))?
                .map(|t| (ci, t)),
            None => None,
        };
        match decision {
            Some((ci, t)) => set_decision(plan, t, row).map_err(|e| (at(ci), e.to_string()))?,
            None => row.decision_text = None,
        }
        for (k, ci) in self.keep.iter().enumerate() {
            copy_cell(&cells, *ci, &mut row.keep[k]).map_err(|e| (at(*ci), e.to_string()))?;
        }
        for (k, ci) in self.extra.iter().enumerate() {
            copy_cell(&cells, *ci, &mut row.extra[k]).map_err(|e| (at(*ci), e.to_string()))?;
        }
        Ok(())
    }
}

/// A row's cells as text. The row is checked as UTF-8 once, as a whole;
/// only a row that fails is checked cell by cell, to name the cell.
struct Cells<'c> {
    record: &'c ByteRecord,
    /// The whole row, when it is valid UTF-8.
    whole: Option<&'c str>,
}

impl<'c> Cells<'c> {
    fn new(record: &'c ByteRecord) -> Self {
        Cells {
            record,
            whole: std::str::from_utf8(record.as_slice()).ok(),
        }
    }

    /// The bytes of all the cells together.
    fn bytes(&self) -> usize {
        self.record.as_slice().len()
    }

    /// Cell `i` as text (`None` past the end), or why it is not text.
    fn text(&self, i: usize) -> Result<Option<&'c str>, Box<CellError>> {
        match (self.record.range(i), self.record.get(i)) {
            (Some(place), Some(cell)) => self.slice(place, cell).map(Some),
            _ => Ok(None),
        }
    }

    /// The cell `cell`, found at `place` in the row, as text.
    fn slice(
        &self,
        place: std::ops::Range<usize>,
        cell: &'c [u8],
    ) -> Result<&'c str, Box<CellError>> {
        // Cells of valid UTF-8 begin and end on character boundaries (the
        // separators and quotes are ASCII), so slicing the whole row cannot
        // fail; `get` checks anyway, and a failure falls back to the cell.
        match self.whole.and_then(|w| w.get(place)) {
            Some(t) => Ok(t),
            None => text(cell),
        }
    }
}

/// The `;`-separated parts of a cell, as `str::split(';')` gives them, with
/// a plain byte scan: the parts are a few bytes long, too short for the
/// general searcher to pay off.
fn semicolon_parts(t: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(t);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.bytes().position(|b| b == b';') {
            Some(i) => {
                rest = r.get(i + 1..);
                r.get(..i)
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// Trims white space; cells with none at either end (nearly all) are
/// returned as they are without a scan for Unicode white space.
pub fn trim(t: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(|b| (0x21..0x80).contains(b));
    if plain(t.as_bytes().first()) && plain(t.as_bytes().last()) {
        t
    } else {
        t.trim()
    }
}

/// Copies cell `ci`, trimmed, into `out` (emptied first).
fn copy_cell(cells: &Cells<'_>, ci: usize, out: &mut String) -> Result<(), Box<CellError>> {
    out.clear();
    if let Some(t) = cells.text(ci)? {
        out.push_str(trim(t));
    }
    Ok(())
}

/// A cell as UTF-8 text.
pub fn text(cell: &[u8]) -> Result<&str, Box<CellError>> {
    std::str::from_utf8(cell).map_err(|e| {
        CellError::NotUtf8 {
            byte: e.valid_up_to() + 1,
        }
        .into()
    })
}

/// Sets the recorded decision; an empty cell is no decision.
pub fn set_decision(plan: &Plan, t: &str, row: &mut Row) -> Result<(), Box<CellError>> {
    let t = trim(t);
    if t.is_empty() {
        row.decision_text = None;
        return Ok(());
    }
    match plan.decision_level(t) {
        Some(l) => {
            row.decision = Some(l);
            // The last row's text buffer is reused.
            match &mut row.decision_text {
                Some(s) => {
                    s.clear();
                    s.push_str(t);
                }
                None => row.decision_text = Some(t.to_string()),
            }
            Ok(())
        }
        None => {
            let mut known: Vec<&str> = plan.decl.decisions.keys().map(String::as_str).collect();
            known.sort_unstable();
            let lower = t.to_lowercase();
            Err(CellError::UnmappedDecision {
                decision: shorten(t),
                suggestion: crate::text::did_you_mean(&lower, known.iter().copied())
                    .map(str::to_string),
            }
            .into())
        }
    }
}

/// A finite number; short whole numbers (most cells) without the general
/// float parser.
fn fast_number(t: &str) -> Option<f64> {
    let b = t.as_bytes();
    if !b.is_empty() && b.len() <= 9 && b.iter().all(u8::is_ascii_digit) {
        let n = b.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        return Some(f64::from(n));
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Reads a field's cell into its slot, reusing a text buffer when it can.
pub fn read_field(
    plan: &Plan,
    slot: FieldSlot,
    t: &str,
    values: &mut [Value],
) -> Result<(), Box<CellError>> {
    let Some(f) = plan.decl.fields.get(slot.index()) else {
        return Ok(());
    };
    let Some(v) = values.get_mut(slot.index()) else {
        return Ok(());
    };
    let tt = trim(t);
    if tt.is_empty() {
        if !f.optional {
            return Err(CellError::MissingRequired.into());
        }
        *v = Value::Missing;
        return Ok(());
    }
    // Fast paths for the common cases; messages come from `parse_cell`.
    match &f.kind {
        FieldType::Number(range) => {
            if let Some(n) = fast_number(tt) {
                if range.is_none_or(|(lo, hi)| n >= lo && n <= hi) {
                    *v = Value::Num(n);
                    return Ok(());
                }
            }
        }
        FieldType::Bool => {
            if let Some(b) = parse_yes_no(tt) {
                *v = Value::Bool(b);
                return Ok(());
            }
        }
        FieldType::Text => {
            if let Value::Text(s) = v {
                s.clear();
                s.push_str(tt);
            } else {
                *v = Value::Text(tt.to_string());
            }
            return Ok(());
        }
        FieldType::OneOf(opts) => {
            if let Some(i) = opts.iter().position(|o| o == tt) {
                *v = Value::Choice(i as u16);
                return Ok(());
            }
        }
    }
    *v = parse_cell(f, tt)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_read_from_the_whole_row_or_one_by_one() {
        let row = ByteRecord::from(vec!["R1", " é ", "x"]);
        let cells = Cells::new(&row);
        assert!(cells.whole.is_some());
        assert_eq!(cells.text(1), Ok(Some(" é ")));
        assert_eq!(cells.text(3), Ok(None));
        // One bad cell: the others are still read, and the bad one is named.
        let mut row = ByteRecord::new();
        row.push_field(b"R1");
        row.push_field(b"ok");
        row.push_field(b"bad\xff");
        let cells = Cells::new(&row);
        assert!(cells.whole.is_none());
        assert_eq!(cells.text(1), Ok(Some("ok")));
        let e = cells.text(2).unwrap_err();
        assert_eq!(*e, CellError::NotUtf8 { byte: 4 });
        assert!(e.to_string().contains("byte 4 of the cell"), "{e}");
    }

    #[test]
    fn trim_numbers_and_parts_agree_with_the_standard_library() {
        for t in ["", ";", "a", "a;b", ";a;", "é;ü;;x", "a;;"] {
            let ours: Vec<&str> = semicolon_parts(t).collect();
            assert_eq!(ours, t.split(';').collect::<Vec<_>>(), "{t:?}");
        }
        for t in ["x", " x", "x ", "\u{a0}x\u{a0}", "\u{2003}", "", " ", "a b"] {
            assert_eq!(trim(t), t.trim(), "{t:?}");
        }
        for t in [
            "0",
            "7",
            "014",
            "123456789",
            "1234567890",
            "2.5",
            "-3",
            "1e3",
            "nan",
            "inf",
            "x",
            "+4",
        ] {
            let std = t.parse::<f64>().ok().filter(|n| n.is_finite());
            assert_eq!(fast_number(t), std, "{t:?}");
        }
    }
}

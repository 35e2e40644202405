//! Column roles: a header (or the keys of a JSON object) mapped once to what
//! each column means for one rule set, so that reading a row is a walk over
//! slots with no name lookups. Parsing a row fills a reused [`Row`] and
//! reports the first problem as (column, reason).

use std::collections::HashMap;

use crate::data::{cell_size, parse_cell, parse_yes_no, set_indicator, shorten};
use crate::pipeline::{DataError, LoadOptions, Row};
use crate::plan::{FieldKind, Plan, Value};

/// What a column means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The record id.
    Id,
    /// A declared field (slot).
    Field(u16),
    /// The long-form `indicators` list.
    Indicators,
    /// A wide-form indicator column (bit).
    Indicator(u32),
    /// Not used by the rules.
    Ignore,
}

/// A problem with one row: the column at fault and why.
pub type RowError = (String, String);

/// The roles of a file's columns under one plan.
#[derive(Clone, Debug)]
pub struct Layout {
    /// Column names as written (trimmed).
    pub names: Vec<String>,
    /// Role of each column.
    pub roles: Vec<Role>,
    /// The decision column.
    pub decision: Option<usize>,
    /// `--keep` columns, in order.
    pub keep: Vec<usize>,
    /// Extra columns, in order.
    pub extra: Vec<usize>,
    /// Field slots with no column (all optional).
    pub absent_fields: Vec<u16>,
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

impl Layout {
    /// Maps a header to roles. Missing `id`, required field columns, or named
    /// columns (`--keep`, extra, a non-default `--decision`) stop the run.
    pub fn new(
        plan: &Plan,
        path: &std::path::Path,
        header: &[String],
        opts: &LoadOptions,
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
            available: listed(&names),
        };
        let mut roles = vec![Role::Ignore; names.len()];
        let id = *index.get("id").ok_or_else(|| no_column("id"))?;
        roles[id] = Role::Id;
        let mut absent_fields = Vec::new();
        for (slot, f) in plan.fields.iter().enumerate() {
            match index.get(&f.id) {
                Some(&c) => roles[c] = Role::Field(slot as u16),
                None if f.optional => absent_fields.push(slot as u16),
                None => {
                    return Err(DataError::NoColumn {
                        name: f.id.clone(),
                        available: format!(
                            "{} (`{}` is a required field of the rules)",
                            listed(&names),
                            f.id
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
        for (bit, ind) in plan.indicators.iter().enumerate() {
            if let Some(&c) = index.get(&ind.id) {
                if roles[c] == Role::Ignore {
                    roles[c] = Role::Indicator(bit as u32);
                }
            }
        }
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
        Ok(Layout {
            names,
            roles,
            decision,
            keep,
            extra,
            absent_fields,
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
    pub fn parse<'c>(
        &self,
        plan: &Plan,
        cells: impl ExactSizeIterator<Item = &'c [u8]> + Clone,
        row: &mut Row,
    ) -> Result<(), RowError> {
        let width = cells.len();
        row.record.id.clear();
        row.record.indicators.clear();
        row.decision = None;
        row.decision_text = None;
        // The id first, so that a reject can name the row.
        if let Some((ci, cell)) = self
            .roles
            .iter()
            .position(|r| *r == Role::Id)
            .and_then(|ci| cells.clone().nth(ci).map(|c| (ci, c)))
        {
            let t = text(cell).map_err(|e| (self.name(ci).to_string(), e))?;
            row.record.id.push_str(t.trim());
        }
        if width != self.roles.len() {
            return Err((
                "row".into(),
                format!(
                    "the row has {width} cells but the header has {}",
                    self.roles.len()
                ),
            ));
        }
        for s in &self.absent_fields {
            if let Some(v) = row.record.values.get_mut(*s as usize) {
                *v = Value::Missing;
            }
        }
        for (ci, cell) in cells.clone().enumerate() {
            cell_size(cell.len()).map_err(|e| (self.name(ci).to_string(), e))?;
            let role = self.roles[ci];
            if role == Role::Ignore {
                continue;
            }
            let t = text(cell).map_err(|e| (self.name(ci).to_string(), e))?;
            match role {
                Role::Id => {
                    if row.record.id.is_empty() {
                        return Err((self.name(ci).to_string(), "missing id".into()));
                    }
                }
                Role::Field(slot) => {
                    read_field(plan, slot, t, &mut row.record.values)
                        .map_err(|e| (self.name(ci).to_string(), e))?;
                }
                Role::Indicators => {
                    for part in t.split(';') {
                        set_indicator(plan, &mut row.record, part)
                            .map_err(|e| (self.name(ci).to_string(), e))?;
                    }
                }
                Role::Indicator(bit) => match parse_yes_no(t) {
                    Some(true) => row.record.indicators.insert(bit as usize),
                    Some(false) => {}
                    None => {
                        return Err((
                            self.name(ci).to_string(),
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
        if let Some(ci) = self.decision {
            if let Some(cell) = cells.clone().nth(ci) {
                let t = text(cell).map_err(|e| (self.name(ci).to_string(), e))?;
                set_decision(plan, t, row).map_err(|e| (self.name(ci).to_string(), e))?;
            }
        }
        for (k, ci) in self.keep.iter().enumerate() {
            copy_cell(&cells, *ci, &mut row.keep[k])
                .map_err(|e| (self.name(*ci).to_string(), e))?;
        }
        for (k, ci) in self.extra.iter().enumerate() {
            copy_cell(&cells, *ci, &mut row.extra[k])
                .map_err(|e| (self.name(*ci).to_string(), e))?;
        }
        Ok(())
    }
}

fn copy_cell<'c>(
    cells: &(impl Iterator<Item = &'c [u8]> + Clone),
    ci: usize,
    out: &mut String,
) -> Result<(), String> {
    out.clear();
    if let Some(cell) = cells.clone().nth(ci) {
        out.push_str(text(cell)?.trim());
    }
    Ok(())
}

/// A cell as UTF-8 text.
pub fn text(cell: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(cell).map_err(|e| {
        format!(
            "not valid UTF-8 text (byte {} of the cell); save the file as UTF-8",
            e.valid_up_to() + 1
        )
    })
}

/// Sets the recorded decision; an empty cell is no decision.
pub fn set_decision(plan: &Plan, t: &str, row: &mut Row) -> Result<(), String> {
    let t = t.trim();
    if t.is_empty() {
        return Ok(());
    }
    match plan.decision_level(t) {
        Some(l) => {
            row.decision = Some(l);
            row.decision_text = Some(t.to_string());
            Ok(())
        }
        None => {
            let mut known: Vec<&str> = plan.decisions.keys().map(String::as_str).collect();
            known.sort_unstable();
            let lower = t.to_lowercase();
            let hint = crate::check::suggest::hint(&lower, known.iter().copied())
                .map_or(String::new(), |h| format!("; {h}"));
            Err(format!(
                "decision `{}` is not mapped to a level (add it to the rule file's `decisions` block){hint}",
                shorten(t)
            ))
        }
    }
}

/// Reads a field's cell into its slot, reusing a text buffer when it can.
pub fn read_field(plan: &Plan, slot: u16, t: &str, values: &mut [Value]) -> Result<(), String> {
    let Some(f) = plan.fields.get(slot as usize) else {
        return Ok(());
    };
    let Some(v) = values.get_mut(slot as usize) else {
        return Ok(());
    };
    let tt = t.trim();
    if tt.is_empty() {
        if !f.optional {
            return Err("missing required field".into());
        }
        *v = Value::Missing;
        return Ok(());
    }
    // Fast paths for the common cases; messages come from `parse_cell`.
    match &f.kind {
        FieldKind::Number(None) => {
            if let Ok(n) = tt.parse::<f64>() {
                if n.is_finite() {
                    *v = Value::Num(n);
                    return Ok(());
                }
            }
        }
        FieldKind::Text => {
            if let Value::Text(s) = v {
                s.clear();
                s.push_str(tt);
            } else {
                *v = Value::Text(tt.to_string());
            }
            return Ok(());
        }
        FieldKind::OneOf(opts) => {
            if let Some(i) = opts.iter().position(|o| o == tt) {
                *v = Value::Choice(i as u16);
                return Ok(());
            }
        }
        _ => {}
    }
    *v = parse_cell(f, tt)?;
    Ok(())
}

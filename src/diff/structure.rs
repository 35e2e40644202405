//! What changed between two rule files, entity by entity, matched by id:
//! levels, decisions, themes, flags, fields, domains, indicators, rules and
//! scripts, each change as one sentence a board paper can quote.

mod rules;

use serde::Serialize;

use super::levels::LevelMap;
use crate::ast::*;
use crate::error::Diagnostic;
use crate::plan::Plan;

/// One side of a comparison: the parsed file and its scripts' text.
#[derive(Clone, Debug)]
pub struct Side {
    /// The rule file as parsed.
    pub file: RuleFile,
    /// Each imported script: the path as written and its text.
    pub scripts: Vec<(String, String)>,
}

impl Side {
    /// Re-reads the AST of a checked plan (it parsed once, so it parses
    /// again). The error, the parser's own, cannot happen for a plan that
    /// was checked from the same source.
    pub fn of(plan: &Plan) -> Result<Side, Box<Diagnostic>> {
        let file = crate::parse::parse(&plan.source)?;
        let paths = file.items.iter().filter_map(|i| match i {
            Item::Script(s) => Some(s.path.value.clone()),
            _ => None,
        });
        let texts: Vec<String> = plan
            .scripts
            .as_ref()
            .map(|s| s.sources.iter().map(|x| x.text.to_string()).collect())
            .unwrap_or_default();
        let scripts = paths.zip(texts).collect();
        Ok(Side { file, scripts })
    }
}

/// Which part of the file a change is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    /// The `continuum` header.
    Header,
    /// `levels`.
    Levels,
    /// `decisions`.
    Decisions,
    /// `themes`.
    Themes,
    /// `flags`.
    Flags,
    /// `fields`.
    Fields,
    /// `domain` blocks.
    Domains,
    /// Indicators.
    Indicators,
    /// Rules.
    Rules,
    /// Scripts.
    Scripts,
    /// Examples.
    Examples,
}

impl Section {
    /// The section's name as a heading.
    pub fn title(self) -> &'static str {
        match self {
            Section::Header => "Header",
            Section::Levels => "Levels",
            Section::Decisions => "Decisions",
            Section::Themes => "Themes",
            Section::Flags => "Flags",
            Section::Fields => "Fields",
            Section::Domains => "Domains",
            Section::Indicators => "Indicators",
            Section::Rules => "Rules",
            Section::Scripts => "Scripts",
            Section::Examples => "Examples",
        }
    }
}

/// Added, removed or changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Only in the new file.
    Added,
    /// Only in the old file.
    Removed,
    /// In both, different.
    Changed,
}

impl ChangeKind {
    /// The word for it, as in the JSON report (`added`, `removed`, `changed`).
    pub fn word(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

/// One change, as a sentence (ids in backticks).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// Where.
    pub section: Section,
    /// The id of what changed.
    pub id: String,
    /// How.
    pub kind: ChangeKind,
    /// What, in words.
    pub text: String,
}

/// The structural comparison of two rule files.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Structure {
    /// Old `continuum` name and version.
    pub old_name: String,
    /// New `continuum` name and version.
    pub new_name: String,
    /// How levels line up.
    pub levels: LevelMap,
    /// A warning when the level sets differ.
    pub level_note: Option<String>,
    /// Every change, grouped by section, in file order within each.
    pub changes: Vec<Change>,
}

impl Structure {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// How many changes each section has, in section order.
    pub fn counts(&self) -> Vec<(Section, usize, usize, usize)> {
        let mut out: Vec<(Section, usize, usize, usize)> = Vec::new();
        for c in &self.changes {
            if out.last().map(|x| x.0) != Some(c.section) {
                out.push((c.section, 0, 0, 0));
            }
            if let Some(last) = out.last_mut() {
                match c.kind {
                    ChangeKind::Added => last.1 += 1,
                    ChangeKind::Removed => last.2 += 1,
                    ChangeKind::Changed => last.3 += 1,
                }
            }
        }
        out
    }
}

/// Everything declared in a file, flattened.
pub(crate) struct Decls<'a> {
    pub levels: Vec<&'a LabelDef>,
    pub decisions: Vec<&'a DecisionDef>,
    pub themes: Vec<&'a LabelDef>,
    pub flags: Vec<&'a LabelDef>,
    pub fields: Vec<&'a FieldDef>,
    pub domains: Vec<&'a Domain>,
    pub indicators: Vec<(&'a IndicatorDef, &'a str)>,
    pub rules: Vec<&'a Rule>,
    pub examples: Vec<&'a Example>,
}

impl<'a> Decls<'a> {
    pub(crate) fn of(f: &'a RuleFile) -> Self {
        let mut d = Decls {
            levels: vec![],
            decisions: vec![],
            themes: vec![],
            flags: vec![],
            fields: vec![],
            domains: vec![],
            indicators: vec![],
            rules: vec![],
            examples: vec![],
        };
        for item in &f.items {
            match item {
                Item::Levels(b) => d.levels.extend(&b.entries),
                Item::Decisions(b) => d.decisions.extend(&b.entries),
                Item::Themes(b) => d.themes.extend(&b.entries),
                Item::Flags(b) => d.flags.extend(&b.entries),
                Item::Fields(b) => d.fields.extend(&b.entries),
                Item::Domain(dm) => {
                    d.domains.push(dm);
                    d.indicators
                        .extend(dm.indicators.iter().map(|i| (i, dm.id.name.as_str())));
                }
                Item::Rule(r) => d.rules.push(r),
                Item::Example(e) => d.examples.push(e),
                Item::Script(_) => {}
            }
        }
        d
    }

    /// The rank of a level id (0 = lowest).
    pub(crate) fn rank(&self, id: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.id.name == id)
    }
}

/// Collects changes for one section.
/// (Shared by the closures of one [`keyed`] call, hence the cell.)
pub(crate) struct ChangeLog {
    pub changes: std::cell::RefCell<Vec<Change>>,
}

impl ChangeLog {
    pub(crate) fn push(&self, section: Section, id: &str, kind: ChangeKind, text: String) {
        self.changes.borrow_mut().push(Change {
            section,
            id: id.to_string(),
            kind,
            text,
        });
    }
}

/// Compares entities matched by key: removed ones (old order), then added
/// and changed ones (new order).
fn keyed<T>(
    old: &[T],
    new: &[T],
    key: impl Fn(&T) -> String,
    mut removed: impl FnMut(&T),
    mut added: impl FnMut(&T),
    mut changed: impl FnMut(&T, &T),
) {
    for o in old {
        if !new.iter().any(|n| key(n) == key(o)) {
            removed(o);
        }
    }
    for n in new {
        match old.iter().find(|o| key(o) == key(n)) {
            Some(o) => changed(o, n),
            None => added(n),
        }
    }
}

/// Compares two rule files.
pub fn compare(old: &Side, new: &Side) -> Structure {
    let (a, b) = (Decls::of(&old.file), Decls::of(&new.file));
    let levels = LevelMap::new(
        a.levels.iter().map(|l| l.id.name.clone()).collect(),
        b.levels.iter().map(|l| l.id.name.clone()).collect(),
    );
    let out = ChangeLog {
        changes: Default::default(),
    };
    header(&old.file, &new.file, &out);
    level_changes(&a, &b, &out);
    decision_changes(&a, &b, &out);
    labelled(Section::Themes, "theme", &a.themes, &b.themes, &out);
    labelled(Section::Flags, "flag", &a.flags, &b.flags, &out);
    field_changes(&a, &b, &out);
    labelled(Section::Domains, "domain", &a.domains, &b.domains, &out);
    indicator_changes(&a, &b, &out);
    rules::compare(&a, &b, &out);
    script_changes(old, new, &out);
    let (ea, eb) = (a.examples.len(), b.examples.len());
    if ea != eb {
        let kind = if eb > ea {
            ChangeKind::Added
        } else {
            ChangeKind::Removed
        };
        out.push(
            Section::Examples,
            "examples",
            kind,
            format!("{ea} examples before, {eb} now"),
        );
    }
    Structure {
        old_name: title(&old.file),
        new_name: title(&new.file),
        level_note: levels.note(),
        levels,
        changes: out.changes.into_inner(),
    }
}

fn title(f: &RuleFile) -> String {
    match &f.version {
        Some(v) => format!("{} (version {})", f.name.value, v.value),
        None => f.name.value.clone(),
    }
}

fn header(old: &RuleFile, new: &RuleFile, out: &ChangeLog) {
    if old.name.value != new.name.value {
        let t = format!(
            "renamed from \"{}\" to \"{}\"",
            old.name.value, new.name.value
        );
        out.push(Section::Header, "name", ChangeKind::Changed, t);
    }
    let v = |f: &RuleFile| f.version.as_ref().map(|v| v.value.clone());
    if v(old) != v(new) {
        let show = |x: Option<String>| x.unwrap_or_else(|| "(none)".into());
        let t = format!("version {} → {}", show(v(old)), show(v(new)));
        out.push(Section::Header, "version", ChangeKind::Changed, t);
    }
}

fn level_changes(a: &Decls<'_>, b: &Decls<'_>, out: &ChangeLog) {
    let s = Section::Levels;
    keyed(
        &a.levels,
        &b.levels,
        |l| l.id.name.clone(),
        |l| {
            out.push(
                s,
                &l.id.name,
                ChangeKind::Removed,
                format!("level `{}` removed", l.id.name),
            )
        },
        |l| {
            let rank = b.rank(&l.id.name).map_or(0, |r| r + 1);
            let t = format!(
                "level `{}` added at rank {rank}: \"{}\"",
                l.id.name, l.label.value
            );
            out.push(s, &l.id.name, ChangeKind::Added, t);
        },
        |o, n| {
            let id = &n.id.name;
            let (ro, rn) = (a.rank(id).unwrap_or(0) + 1, b.rank(id).unwrap_or(0) + 1);
            if ro != rn {
                let t = format!("level `{id}` moved from rank {ro} to rank {rn}");
                out.push(s, id, ChangeKind::Changed, t);
            }
            if o.label.value != n.label.value {
                let t = format!(
                    "level `{id}` relabelled from \"{}\" to \"{}\"",
                    o.label.value, n.label.value
                );
                out.push(s, id, ChangeKind::Changed, t);
            }
        },
    );
}

fn decision_changes(a: &Decls<'_>, b: &Decls<'_>, out: &ChangeLog) {
    let s = Section::Decisions;
    let key = |d: &&DecisionDef| d.text.value.trim().to_lowercase();
    keyed(
        &a.decisions,
        &b.decisions,
        key,
        |d| {
            let t = format!(
                "decision \"{}\" no longer mapped (was {})",
                d.text.value, d.level.name
            );
            out.push(s, &d.text.value, ChangeKind::Removed, t);
        },
        |d| {
            let t = format!(
                "decision \"{}\" added, mapped to {}",
                d.text.value, d.level.name
            );
            out.push(s, &d.text.value, ChangeKind::Added, t);
        },
        |o, n| {
            if o.level.name != n.level.name {
                let t = format!(
                    "decision \"{}\" now maps to {} instead of {}",
                    n.text.value, n.level.name, o.level.name
                );
                out.push(s, &n.text.value, ChangeKind::Changed, t);
            }
        },
    );
}

/// An entry made of an id and a label: a theme, a flag, a domain.
trait IdLabel {
    fn parts(&self) -> (&Ident, &Text);
}

impl IdLabel for LabelDef {
    fn parts(&self) -> (&Ident, &Text) {
        (&self.id, &self.label)
    }
}

impl IdLabel for Domain {
    fn parts(&self) -> (&Ident, &Text) {
        (&self.id, &self.label)
    }
}

/// Added, removed and relabelled entries of a section of id-and-label
/// entries (themes, flags, domains), matched by id.
fn labelled<T: IdLabel>(s: Section, what: &str, a: &[&T], b: &[&T], out: &ChangeLog) {
    keyed(
        a,
        b,
        |x| x.parts().0.name.clone(),
        |x| {
            let (id, _) = x.parts();
            out.push(
                s,
                &id.name,
                ChangeKind::Removed,
                format!("{what} `{}` removed", id.name),
            )
        },
        |x| {
            let (id, label) = x.parts();
            let t = format!("{what} `{}` added: \"{}\"", id.name, label.value);
            out.push(s, &id.name, ChangeKind::Added, t);
        },
        |o, n| {
            let ((_, old), (id, new)) = (o.parts(), n.parts());
            if old.value != new.value {
                let t = format!(
                    "{what} `{}` relabelled from \"{}\" to \"{}\"",
                    id.name, old.value, new.value
                );
                out.push(s, &id.name, ChangeKind::Changed, t);
            }
        },
    );
}

/// A field's type as written.
fn field_type(f: &FieldDef) -> String {
    let t = match &f.ty {
        FieldTypeSyntax::Number(None) => "number".to_string(),
        FieldTypeSyntax::Number(Some((lo, hi))) => format!(
            "number({}..{})",
            crate::text::format_number(*lo),
            crate::text::format_number(*hi)
        ),
        FieldTypeSyntax::Bool => "bool".into(),
        FieldTypeSyntax::Text => "text".into(),
        FieldTypeSyntax::OneOf(xs) => {
            let xs: Vec<String> = xs.iter().map(|x| crate::parse::escape(&x.value)).collect();
            format!("one_of({})", xs.join(", "))
        }
    };
    if f.optional {
        format!("{t}?")
    } else {
        t
    }
}

fn field_changes(a: &Decls<'_>, b: &Decls<'_>, out: &ChangeLog) {
    let s = Section::Fields;
    keyed(
        &a.fields,
        &b.fields,
        |f| f.id.name.clone(),
        |f| {
            out.push(
                s,
                &f.id.name,
                ChangeKind::Removed,
                format!("field `{}` removed", f.id.name),
            )
        },
        |f| {
            let t = format!("field `{}` added: {}", f.id.name, field_type(f));
            out.push(s, &f.id.name, ChangeKind::Added, t);
        },
        |o, n| {
            let (to, tn) = (field_type(o), field_type(n));
            if to != tn {
                let t = format!("field `{}` is now {tn} instead of {to}", n.id.name);
                out.push(s, &n.id.name, ChangeKind::Changed, t);
            }
            let label = |f: &FieldDef| f.label.as_ref().map(|l| l.value.clone());
            let (lo, ln) = (label(o), label(n));
            if lo != ln {
                let t = match (lo, ln) {
                    (Some(a), Some(b)) => {
                        format!("field `{}` relabelled from \"{a}\" to \"{b}\"", n.id.name)
                    }
                    (None, Some(b)) => format!("field `{}` labelled \"{b}\"", n.id.name),
                    _ => format!("field `{}` no longer has a label", n.id.name),
                };
                out.push(s, &n.id.name, ChangeKind::Changed, t);
            }
        },
    );
}

fn indicator_changes(a: &Decls<'_>, b: &Decls<'_>, out: &ChangeLog) {
    let s = Section::Indicators;
    keyed(
        &a.indicators,
        &b.indicators,
        |(i, _)| i.id.name.clone(),
        |(i, _)| {
            let t = format!(
                "indicator `{}` removed (was at {})",
                i.id.name, i.level.name
            );
            out.push(s, &i.id.name, ChangeKind::Removed, t);
        },
        |(i, d)| {
            let t = format!(
                "indicator `{}` added at {} in `{d}`",
                i.id.name, i.level.name
            );
            out.push(s, &i.id.name, ChangeKind::Added, t);
        },
        |(o, od), (n, nd)| {
            let id = &n.id.name;
            if a.rank(&o.level.name) != b.rank(&n.level.name) {
                let t = format!(
                    "indicator `{id}` moved from {} to {}",
                    o.level.name, n.level.name
                );
                out.push(s, id, ChangeKind::Changed, t);
            }
            if od != nd {
                let t = format!("indicator `{id}` moved from domain `{od}` to `{nd}`");
                out.push(s, id, ChangeKind::Changed, t);
            }
            if o.description.value != n.description.value {
                let t = format!(
                    "indicator `{id}` reworded from \"{}\" to \"{}\"",
                    o.description.value, n.description.value
                );
                out.push(s, id, ChangeKind::Changed, t);
            }
            let names = |xs: &[Ident]| xs.iter().map(|x| x.name.clone()).collect::<Vec<_>>();
            let (to, tn) = (names(&o.themes), names(&n.themes));
            let gained: Vec<String> = tn.iter().filter(|t| !to.contains(t)).cloned().collect();
            let lost: Vec<String> = to.iter().filter(|t| !tn.contains(t)).cloned().collect();
            if !gained.is_empty() || !lost.is_empty() {
                let mut parts = Vec::new();
                if !gained.is_empty() {
                    parts.push(format!("now tagged {}", ticks(&gained)));
                }
                if !lost.is_empty() {
                    parts.push(format!("no longer tagged {}", ticks(&lost)));
                }
                out.push(
                    s,
                    id,
                    ChangeKind::Changed,
                    format!("indicator `{id}` {}", parts.join(", ")),
                );
            }
            // External codes (`codes [...]`) compare case-insensitively,
            // as data is read.
            let codes = |xs: &[Text]| {
                xs.iter()
                    .map(|x| x.value.trim().to_ascii_uppercase())
                    .collect::<Vec<_>>()
            };
            let (co, cn) = (codes(&o.codes), codes(&n.codes));
            let gained: Vec<String> = cn.iter().filter(|c| !co.contains(c)).cloned().collect();
            let lost: Vec<String> = co.iter().filter(|c| !cn.contains(c)).cloned().collect();
            if !gained.is_empty() || !lost.is_empty() {
                let mut parts = Vec::new();
                if !gained.is_empty() {
                    parts.push(format!("now read from code {}", quoted(&gained)));
                }
                if !lost.is_empty() {
                    parts.push(format!("no longer read from code {}", quoted(&lost)));
                }
                out.push(
                    s,
                    id,
                    ChangeKind::Changed,
                    format!("indicator `{id}` {}", parts.join(", ")),
                );
            }
        },
    );
}

/// Codes in quotes, joined with commas.
fn quoted(codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Ids in backticks, joined with commas.
pub(crate) fn ticks(ids: &[String]) -> String {
    ids.iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn script_changes(old: &Side, new: &Side, out: &ChangeLog) {
    let s = Section::Scripts;
    keyed(
        &old.scripts,
        &new.scripts,
        |(p, _)| p.clone(),
        |(p, _)| {
            out.push(
                s,
                p,
                ChangeKind::Removed,
                format!("script `{p}` no longer imported"),
            )
        },
        |(p, _)| out.push(s, p, ChangeKind::Added, format!("script `{p}` imported")),
        |(p, to), (_, tn)| {
            if to != tn {
                out.push(s, p, ChangeKind::Changed, format!("script `{p}` changed"));
            }
        },
    );
}

#[cfg(test)]
mod tests;

//! The library's calls on data files, beside the front door in
//! [`ruleset`](crate::ruleset): [`RuleSet::score_file`] reads a file of
//! any supported format (CSV, JSON, JSON Lines, Excel, a CIN census
//! return) through the streaming pipeline and hands each scored row to the
//! caller, and [`RuleSet::audit_file`] audits a file, giving the audit's
//! figures ([`Audit`]). `ruleset` sits below the readers, so these calls
//! live here, above `audit`, as methods of the same [`RuleSet`].
//! The crate's documentation has an example of both.

use std::path::Path;

use crate::audit::{Audit, Auditor, Columns};
use crate::data::{DataError, LoadOptions, Reject};
use crate::pipeline::{self, Summary};
use crate::ruleset::{Level, Outcome, RuleSet};

/// One row of a data file, scored.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoredRow {
    /// The record's id.
    pub id: String,
    /// Where the row is: its line in a text file (the header is line 1),
    /// its row in a sheet, or its 1-based place in a JSON array.
    pub line: u64,
    /// What the rules make of it.
    pub outcome: Outcome,
    /// The recorded decision as written, when the row has one.
    pub decision_text: Option<String>,
    /// The recorded decision's level, when the row has one.
    pub decision: Option<Level>,
}

/// What reading a data file came to: `read = scored + rejected.len()`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileSummary {
    /// Data rows (records) read.
    pub read: u64,
    /// Rows scored (each handed to the caller).
    pub scored: u64,
    /// Rows that could not be used, in input order, each with its line,
    /// column and reason.
    pub rejected: Vec<Reject>,
    /// What a report of these rows must state (an optional field with no
    /// column, a large share of rejected rows), one sentence each.
    pub warnings: Vec<String>,
}

/// Why a data file could not be scored or audited.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be read, is not in its format, lacks a column
    /// asked for, or (with `strict`) has a rejected row.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The rejected rows (past the first thousands, kept in a temporary
    /// file) could not be read back.
    #[error("cannot read back the rejected rows: {0}")]
    Rejects(#[from] std::io::Error),
}

impl RuleSet {
    /// Reads `path` (the format from its extension, or `options.format`),
    /// scores each row on every core and hands it to `each` in input order;
    /// rows are not kept, so memory grows only with the ids remembered to
    /// find a repeated one (a few bytes an id) and with the rows that
    /// cannot be used, which are listed in the summary, not handed on.
    pub fn score_file(
        &self,
        path: impl AsRef<Path>,
        options: &LoadOptions,
        mut each: impl FnMut(ScoredRow),
    ) -> Result<FileSummary, FileError> {
        let summary = pipeline::run(self.plan(), path.as_ref(), options, None, &mut |row, s| {
            each(ScoredRow {
                id: row.record.id.clone(),
                line: row.line,
                outcome: self.outcome(s),
                decision_text: row.decision_text.clone(),
                decision: row.decision.map(|r| self.level(r)),
            });
            Ok(())
        })?;
        let rejected = summary.rejects.all()?;
        Ok(FileSummary {
            warnings: pipeline::notes::warnings(&summary, &rejected),
            read: summary.read,
            scored: summary.scored,
            rejected,
        })
    }

    /// Audits `path`: compares each recorded decision (the column
    /// `options.decision`, by default `decision`, which must exist) with
    /// the level the rules give, grouped as `columns` asks (each column it
    /// names must exist). Gives the figures `thresholds audit` reports:
    /// agreement and kappa overall and by group, the evidence list worst
    /// first, how often each rule fired, the rejected rows and the
    /// warnings a report must state.
    pub fn audit_file(
        &self,
        path: impl AsRef<Path>,
        options: &LoadOptions,
        columns: Columns,
    ) -> Result<Audit, FileError> {
        let mut opts = options.clone();
        opts.extra = columns.extra();
        // Asked for as well, so that a missing decision column is an error
        // naming the columns there are (as `thresholds audit` does).
        opts.extra
            .push(opts.decision.clone().unwrap_or_else(|| "decision".into()));
        let mut auditor = Auditor::new(self.plan(), columns);
        let summary: Summary =
            pipeline::run(self.plan(), path.as_ref(), &opts, None, &mut |row, s| {
                auditor.add(row, s);
                Ok(())
            })?;
        let rejected = summary.rejects.all()?;
        let mut audit = auditor.finish(summary.read, rejected);
        audit.warnings = pipeline::notes::warnings(&summary, &audit.rejected);
        Ok(audit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = r#"
continuum "Demo"
levels { universal "Universal" targeted "Targeted" }
decisions { "NFA" -> universal "TAF" -> targeted }
fields { age: number "Age in years" }
domain safety "Safety" { indicator injury "Unexplained injury" at universal }
rule baby "An injured baby needs a targeted response"
  when age < 1 and injury
  then at least targeted
"#;

    fn levels(rules: &RuleSet, path: &Path) -> Vec<(String, String, Option<String>)> {
        let mut out = Vec::new();
        let read = rules
            .score_file(path, &LoadOptions::default(), |r| {
                out.push((r.id, r.outcome.level.id, r.decision.map(|l| l.id)))
            })
            .unwrap();
        assert_eq!((read.read, read.scored, read.rejected.len()), (2, 2, 0));
        out
    }

    #[test]
    fn every_format_gives_the_same_rows_and_a_missing_decision_column_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let rules_path = dir.path().join("r.thr");
        std::fs::write(&rules_path, RULES).unwrap();
        let rules = RuleSet::load(&rules_path).unwrap();
        let files = [
            (
                "a.csv",
                "id,age,indicators,decision\nR1,0.5,injury,NFA\nR2,7,,TAF\n",
            ),
            (
                "a.jsonl",
                "{\"id\":\"R1\",\"age\":0.5,\"indicators\":[\"injury\"],\"decision\":\"NFA\"}\n\
                 {\"id\":\"R2\",\"age\":7,\"decision\":\"TAF\"}\n",
            ),
            (
                "a.json",
                "[{\"id\":\"R1\",\"age\":0.5,\"injury\":true,\"decision\":\"NFA\"},\
                 {\"id\":\"R2\",\"age\":7,\"decision\":\"TAF\"}]",
            ),
        ];
        let want = vec![
            ("R1".into(), "targeted".into(), Some("universal".into())),
            ("R2".into(), "universal".into(), Some("targeted".into())),
        ];
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            assert_eq!(levels(&rules, &path), want, "{name}");
            let audit = rules
                .audit_file(&path, &LoadOptions::default(), Columns::default())
                .unwrap();
            assert_eq!((audit.overall.n, audit.overall.agree), (2, 0), "{name}");
        }
        let bare = dir.path().join("bare.csv");
        std::fs::write(&bare, "id,age,indicators\nR1,0.5,injury\n").unwrap();
        let err = rules
            .audit_file(&bare, &LoadOptions::default(), Columns::default())
            .unwrap_err();
        assert!(
            matches!(&err, FileError::Data(DataError::NoColumn { name, .. }) if name == "decision"),
            "{err}"
        );
    }
}

//! The diff report as one [`Document`]: what changed in the rules, then
//! (with data) what the change does to the records. Built once; Markdown,
//! HTML and Excel are renderings of it (`report::doc`).

use super::{p_value, pct, seconds, signed, stat, DiffReport, LIST_LIMIT};
use crate::diff::impact::Responsible;
use crate::diff::{Impact, Structure};
use crate::report::doc::{Block, Cell, Chart, Column, Document, Inline, Section, Table};

/// The report's title.
pub const TITLE: &str = "Rule change impact";

/// The document of a diff report.
pub fn build(r: &DiffReport<'_>) -> Document {
    let s = r.structure;
    let mut files = vec![
        Inline::text("Old rules: ")
            .and_code(&r.old_file)
            .and(" — ")
            .and(&s.old_name),
        Inline::text("New rules: ")
            .and_code(&r.new_file)
            .and(" — ")
            .and(&s.new_name),
    ];
    if let Some(d) = &r.data_file {
        files.push(Inline::text("Data: ").and_code(d));
    }
    let mut intro = vec![Block::List(files)];
    intro.extend(r.warnings.iter().map(|w| Block::Warning(Inline::ticked(w))));
    let mut sections = vec![structure(s)];
    if let Some(i) = r.impact {
        impact(r, i, &mut sections);
    }
    if let Some(t) = &r.timing {
        let mut table = Table::new(vec![Column::text("Measure"), Column::num("Time")]);
        table.row(vec![
            Cell::text("Whole pass (wall)"),
            Cell::text(seconds(t.wall_seconds)),
        ]);
        table.row(vec![
            Cell::text("Scoring under old rules"),
            Cell::text(seconds(t.old_seconds)),
        ]);
        table.row(vec![
            Cell::text("Scoring under new rules"),
            Cell::text(seconds(t.new_seconds)),
        ]);
        if let Some(rate) = t.rate() {
            table.row(vec![
                Cell::text("Records per second"),
                Cell::Number {
                    value: Some(rate),
                    decimals: 0,
                    signed: false,
                },
            ]);
        }
        sections.push(
            Section::new("Timing")
                .with(table)
                .with(Inline::text(super::timed_note(t.sampled))),
        );
    }
    Document {
        title: TITLE.into(),
        intro,
        sections,
    }
}

/// What changed in the rules, grouped by part of the rule file.
fn structure(s: &Structure) -> Section {
    let mut sec = Section::new("What changed in the rules").sheet("Rule changes");
    if let Some(note) = &s.level_note {
        sec.push(Block::Note {
            label: "Levels differ".into(),
            text: Inline::text(note),
        });
    }
    if s.is_empty() {
        sec.push(Inline::text(
            "No change: the two rule files say the same thing.",
        ));
        return sec;
    }
    // One row a change, so a spreadsheet can filter by part and kind.
    let mut t = Table::new(vec![
        Column::text("Part"),
        Column::text("Id"),
        Column::text("Change"),
        Column::text("What changed"),
    ]);
    for c in &s.changes {
        t.row(vec![
            Cell::text(c.section.title()),
            Cell::code(&c.id),
            Cell::text(c.kind.word()),
            Cell::Text(Inline::ticked(&c.text)),
        ]);
    }
    sec.push(t);
    sec
}

/// The rules responsible for a change: each id with why.
fn rules(rs: &[Responsible]) -> Inline {
    let mut out = Inline::default();
    for (n, r) in rs.iter().enumerate() {
        if n > 0 {
            out.push_text(", ");
        }
        out = out.and_code(&r.rule).and(&format!(" ({})", r.why()));
    }
    out
}

/// A p-value in a sentence: `p = 0.0123`, or `p < 0.0001` (not
/// `p = < 0.0001`).
fn p_is(p: f64) -> String {
    let v = p_value(p);
    if v.starts_with('<') {
        format!("p {v}")
    } else {
        format!("p = {v}")
    }
}

/// The note under a list cut at [`LIST_LIMIT`] rows.
fn cut(n: usize) -> Option<(usize, String)> {
    Some((
        LIST_LIMIT,
        format!("The first {LIST_LIMIT} of {n} are listed; the JSON and Excel reports list all."),
    ))
}

fn impact(r: &DiffReport<'_>, i: &Impact, out: &mut Vec<Section>) {
    let lv = &i.levels;
    let a = &i.agreement;
    let share = (i.n > 0).then(|| i.changed as f64 / i.n as f64);
    let mut summary = vec![
        Inline::text(format!(
            "Records scored under both versions: {} (rows read: {}, rejected: {})",
            i.n,
            r.read,
            r.rejects.len()
        )),
        Inline::text(format!(
            "Level changed: {} ({}): {} up, {} down",
            i.changed,
            pct(share),
            i.up,
            i.down
        )),
    ];
    if a.old.n > 0 || a.new.n > 0 {
        summary.push(Inline::text(format!(
            "Agreement with recorded decisions: kappa {} → {} ({}); agreement {} → {}",
            stat(a.old.kappa),
            stat(a.new.kappa),
            signed(a.kappa_change),
            pct(a.old.agreement),
            pct(a.new.agreement)
        )));
    }
    out.push(Section::new("Summary").with(Block::List(summary)));
    out.push(Section::new("Flows between levels").with(Chart::Flows {
        from: lv.old.clone(),
        to: lv.new.clone(),
        counts: i.transitions.clone(),
    }));

    let mut cols = vec![Column::text("Old \\ New")];
    cols.extend(lv.new.iter().map(Column::num));
    cols.push(Column::num("Total"));
    let mut t = Table::new(cols);
    for (o, counts) in lv.old.iter().zip(&i.transitions) {
        let mut cells = vec![Cell::text(o)];
        cells.extend(counts.iter().map(|c| Cell::count(*c)));
        cells.push(Cell::count(counts.iter().sum()));
        t.row(cells);
    }
    out.push(
        Section::new("Transitions (rows: old level, columns: new level)")
            .sheet("Transitions")
            .with(t),
    );

    let mut t = Table::new(vec![
        Column::text("Level"),
        Column::num("Old"),
        Column::num("New"),
        Column::num("Change"),
        Column::num("Old share"),
        Column::num("New share"),
        Column::num("Change in share"),
    ]);
    for d in &i.demand {
        t.row(vec![
            Cell::text(&d.level),
            Cell::count(d.old),
            Cell::count(d.new),
            Cell::Delta(d.change),
            Cell::pct(d.old_share),
            Cell::pct(d.new_share),
            Cell::Points(d.share_change),
        ]);
    }
    out.push(Section::new("Demand per level").sheet("Demand").with(t));

    if !i.flags.is_empty() {
        let mut t = Table::new(vec![
            Column::text("Flag"),
            Column::num("Old"),
            Column::num("New"),
            Column::num("Change"),
            Column::num("Records gaining"),
            Column::num("Records losing"),
        ]);
        for f in &i.flags {
            let note = match (f.in_old, f.in_new) {
                (true, false) => " (removed)",
                (false, true) => " (new)",
                _ => "",
            };
            t.row(vec![
                Cell::Text(Inline::code(&f.flag).and(note)),
                Cell::count(f.old),
                Cell::count(f.new),
                Cell::Delta(f.change),
                Cell::count(f.gained),
                Cell::count(f.lost),
            ]);
        }
        out.push(Section::new("Flags").with(t));
    }

    let mut agree = Section::new("Agreement with recorded decisions").sheet("Agreement");
    if a.old.n == 0 && a.new.n == 0 {
        agree.push(Inline::text("No record has a recorded decision."));
    } else {
        let change =
            |x: Option<f64>, y: Option<f64>| Cell::signed_stat(x.zip(y).map(|(x, y)| y - x));
        let mut t = Table::new(vec![
            Column::text("Measure"),
            Column::num("Old"),
            Column::num("New"),
            Column::num("Change"),
        ]);
        t.row(vec![
            Cell::text("Records with a decision"),
            Cell::count(a.old.n),
            Cell::count(a.new.n),
            Cell::Empty,
        ]);
        t.row(vec![
            Cell::text("Agreeing"),
            Cell::count(a.old.agree),
            Cell::count(a.new.agree),
            Cell::Delta(a.new.agree as i64 - a.old.agree as i64),
        ]);
        t.row(vec![
            Cell::text("Agreement"),
            Cell::pct(a.old.agreement),
            Cell::pct(a.new.agreement),
            Cell::Points(a.agreement_change),
        ]);
        t.row(vec![
            Cell::text("Cohen's kappa"),
            Cell::stat(a.old.kappa),
            Cell::stat(a.new.kappa),
            Cell::signed_stat(a.kappa_change),
        ]);
        t.row(vec![
            Cell::text("Weighted kappa (linear)"),
            Cell::stat(a.old.kappa_linear),
            Cell::stat(a.new.kappa_linear),
            change(a.old.kappa_linear, a.new.kappa_linear),
        ]);
        t.row(vec![
            Cell::text("Weighted kappa (quadratic)"),
            Cell::stat(a.old.kappa_quadratic),
            Cell::stat(a.new.kappa_quadratic),
            change(a.old.kappa_quadratic, a.new.kappa_quadratic),
        ]);
        agree.push(t);
        agree.push(Inline::text(format!(
            "McNemar's test on agree/disagree ({} records): {} agree under the old rules only, {} under the new only; χ² = {:.3}, {} (exact {}).",
            a.paired,
            a.agree_old_only,
            a.agree_new_only,
            a.mcnemar_statistic,
            p_is(a.mcnemar_p),
            p_is(a.mcnemar_p_exact)
        )));
    }
    out.push(agree);

    let mut t = Table::new(vec![
        Column::text("Rule"),
        Column::num("Old"),
        Column::num("New"),
        Column::num("Change"),
        Column::text("Note"),
    ]);
    for x in &i.rules {
        let note = match (x.old, x.new) {
            (None, _) => "new rule",
            (_, None) => "removed",
            _ if x.effect_changed => "effect changed",
            _ => "",
        };
        t.row(vec![
            Cell::code(&x.rule),
            Cell::opt_count(x.old),
            Cell::opt_count(x.new),
            Cell::Delta(x.new.unwrap_or(0) as i64 - x.old.unwrap_or(0) as i64),
            Cell::text(note),
        ]);
    }
    out.push(Section::new("Rules fired").sheet("Rules").with(t));

    let mut changed = Section::new("Records whose level changed").sheet("Changed records");
    if i.changes.is_empty() {
        changed.push(Inline::text("None."));
    } else {
        let moved = i.indicators_moved();
        let mut cols = vec![
            Column::text("Id"),
            Column::text("Old"),
            Column::text("New"),
            Column::text("Rules responsible"),
        ];
        if moved {
            cols.push(Column::text("Indicators that moved"));
        }
        let mut t = Table::new(cols);
        t.shown = cut(i.changes.len());
        for c in &i.changes {
            let mut cells = vec![
                Cell::text(&c.id),
                Cell::text(&c.old),
                Cell::text(&c.new),
                Cell::Text(rules(&c.rules)),
            ];
            if moved {
                cells.push(Cell::Text(Inline::codes(&c.indicators)));
            }
            t.row(cells);
        }
        changed.push(t);
    }
    out.push(changed);

    if !i.flag_changes.is_empty() {
        let mut t = Table::new(vec![
            Column::text("Id"),
            Column::text("Gained"),
            Column::text("Lost"),
            Column::text("Rules responsible"),
        ]);
        t.shown = cut(i.flag_changes.len());
        for c in &i.flag_changes {
            t.row(vec![
                Cell::text(&c.id),
                Cell::Text(Inline::codes(&c.gained)),
                Cell::Text(Inline::codes(&c.lost)),
                Cell::Text(rules(&c.rules)),
            ]);
        }
        out.push(
            Section::new("Records whose flags changed")
                .sheet("Flag changes")
                .with(t),
        );
    }
    if !r.rejects.is_empty() {
        let mut t = Table::new(vec![
            Column::num("Row"),
            Column::text("Column"),
            Column::text("Reason"),
        ]);
        t.shown = cut(r.rejects.len());
        for x in r.rejects {
            t.row(vec![
                Cell::count(x.row),
                Cell::text(&x.column),
                Cell::Text(Inline::ticked(&x.reason)),
            ]);
        }
        out.push(Section::new("Rejected rows").sheet("Rejected").with(t));
    }
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader, Xlsx};

    use std::path::Path;

    use super::super::DiffReport;
    use crate::check::NoScripts;
    use crate::data::Row;
    use crate::diff::{compare, ImpactBuilder, Side};
    use crate::plan::{Plan, Record};
    use crate::ruleset::check_source;
    use crate::span::Source;

    const RULES: &str = r#"
continuum "Demo"
levels { universal "U" early_help "EH" targeted "T" }
domain safety "Safety" { indicator a "A" at early_help }
"#;

    fn plan(text: &str) -> Plan {
        check_source(&Source::new("t.thr", text), &NoScripts)
            .plan
            .unwrap()
    }

    fn sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
        let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
        let range = wb.worksheet_range(name).unwrap();
        range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Empty => String::new(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect()
    }

    /// Issue 12: "changed records" were cut at the row limit with no note.
    #[test]
    fn a_cut_list_says_how_many_were_left_out() {
        let old = plan(RULES);
        let new = plan(&RULES.replace("at early_help }", "at targeted }"));
        let mut b = ImpactBuilder::new(&old, &new);
        for n in 0..5 {
            let row = |p: &Plan| {
                let mut record = Record::empty(p);
                record.id = format!("r{n}");
                record.indicators.insert(0);
                Row {
                    line: n + 2,
                    record,
                    decision: None,
                    decision_text: None,
                    keep: vec![],
                    extra: vec![],
                }
            };
            let (ro, rn) = (row(&old), row(&new));
            let so = crate::eval::score(&old, &ro.record).unwrap();
            let sn = crate::eval::score(&new, &rn.record).unwrap();
            b.add(&ro, &so, &rn, &sn);
        }
        let impact = b.finish();
        assert_eq!(impact.changes.len(), 5);
        let structure = compare(&Side::of(&old).unwrap(), &Side::of(&new).unwrap());
        let report = DiffReport {
            old_file: "old.thr".into(),
            new_file: "new.thr".into(),
            data_file: Some("data.csv".into()),
            structure: &structure,
            impact: Some(&impact),
            read: 5,
            rejects: &[],
            timing: None,
            warnings: &[],
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.xlsx");

        let write = |cap: usize| {
            crate::report::doc::xlsx::workbook(&super::build(&report), cap)
                .unwrap()
                .save(&path)
                .unwrap();
        };
        write(2);
        let rows = sheet(&path, "Changed records");
        assert_eq!(rows.len(), 4, "header, two records, the note: {rows:?}");
        assert_eq!((rows[1][0].as_str(), rows[2][0].as_str()), ("r0", "r1"));
        let note = &rows[3][0];
        assert!(note.starts_with("3 more rows not listed"), "{note}");
        assert!(note.contains("first 2 of 5"), "{note}");
        assert!(note.contains("JSON report"), "{note}");
        // Every sheet prints landscape, one page wide, its header repeated.
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        let sheets = zip
            .file_names()
            .filter(|n| n.starts_with("xl/worksheets/sheet"))
            .count();
        assert!(sheets >= 3);
        for k in 1..=sheets {
            let mut xml = String::new();
            std::io::Read::read_to_string(
                &mut zip.by_name(&format!("xl/worksheets/sheet{k}.xml")).unwrap(),
                &mut xml,
            )
            .unwrap();
            assert!(
                xml.contains(r#"fitToHeight="0" orientation="landscape""#),
                "sheet {k}"
            );
        }
        let mut book = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/workbook.xml").unwrap(), &mut book)
            .unwrap();
        // Sheets opening with a table repeat its header on every page.
        assert!(book.matches("_xlnm.Print_Titles").count() >= 4, "{book}");
        assert!(book.contains("'Changed records'!$1:$1"), "{book}");

        // Under the cap: every record, no note.
        write(5);
        let rows = sheet(&path, "Changed records");
        assert_eq!(rows.len(), 6);
        assert!(!rows.iter().flatten().any(|c| c.contains("not listed")));
        // Figures are numbers: the demand sheet's counts are not text.
        let demand = sheet(&path, "Demand");
        assert_eq!(demand[0][0], "Level");
        assert!(demand[1][1].parse::<f64>().is_ok(), "{demand:?}");
    }
}

//! Feedback sheets (`exercise --feedback DIR`): per trainee, a Markdown
//! sheet and a printable, self-contained HTML page, written for a
//! practitioner: their answer and the guidance's per case, and for each case
//! they missed, in sentences generated from the explanation ("The rules
//! place this child at Level 3 because ...; Level 4 was not reached because
//! ..."), never rule syntax, and where a part of the guidance would have
//! given their (higher) answer, that it does not apply to this case.

use std::collections::{HashMap, HashSet};

use crate::exercise::responses::Response;
use crate::exercise::{level_if_fired, notes, Pack};
use crate::plan::{LevelRank, Plan, RuleId};

use crate::report::markdown::escape as esc;

/// A file name stem safe on every platform: letters, digits, `-` and `_`,
/// at most 60 characters, never empty, never ending in a dot or a space, and
/// never a Windows device name ([`reserved`]), which `.md` would not save.
pub fn safe_name(name: &str) -> String {
    let mut s: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    if s.trim_matches('_').is_empty() {
        s = "trainee".into();
    }
    while s.ends_with(['.', ' ']) {
        s.pop();
    }
    if reserved(&s) {
        s.push('_');
    }
    s
}

/// A name Windows keeps for a device whatever the extension or case: `CON`,
/// `PRN`, `AUX`, `NUL`, `COM0`-`COM9`, `LPT0`-`LPT9` (and `COM¹²³`,
/// `LPT¹²³`), `CONIN$`, `CONOUT$`, also as `con.md` or `con .txt`.
pub fn reserved(file_name: &str) -> bool {
    let stem = file_name.split('.').next().unwrap_or(file_name);
    let stem = stem.trim_end_matches([' ', '.']).to_lowercase();
    if matches!(
        stem.as_str(),
        "con" | "prn" | "aux" | "nul" | "conin$" | "conout$"
    ) {
        return true;
    }
    let mut chars = stem.chars();
    let head: String = chars.by_ref().take(3).collect();
    let rest: Vec<char> = chars.collect();
    (head == "com" || head == "lpt")
        && matches!(rest.as_slice(), [c] if c.is_ascii_digit() || matches!(c, '\u{b9}' | '\u{b2}' | '\u{b3}'))
}

/// One part of a sheet, rendered alike to Markdown and HTML.
#[derive(Clone, Debug, PartialEq)]
enum Block {
    H1(String),
    H2(String),
    H3(String),
    P(String),
    List(Vec<String>),
    Table(Vec<String>, Vec<Vec<String>>),
}

fn markdown(blocks: &[Block]) -> String {
    let mut o = String::new();
    for b in blocks {
        match b {
            Block::H1(t) => o.push_str(&format!("# {}\n\n", esc(t))),
            Block::H2(t) => o.push_str(&format!("## {}\n\n", esc(t))),
            Block::H3(t) => o.push_str(&format!("### {}\n\n", esc(t))),
            Block::P(t) => o.push_str(&format!("{}\n\n", esc(t))),
            Block::List(items) => {
                for i in items {
                    o.push_str(&format!("- {}\n", esc(i)));
                }
                o.push('\n');
            }
            Block::Table(head, rows) => {
                o.push_str(&format!(
                    "| {} |\n|{}\n",
                    head.iter().map(|h| esc(h)).collect::<Vec<_>>().join(" | "),
                    "---|".repeat(head.len())
                ));
                for r in rows {
                    o.push_str(&format!(
                        "| {} |\n",
                        r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
                    ));
                }
                o.push('\n');
            }
        }
    }
    while o.ends_with("\n\n") {
        o.pop();
    }
    o
}

/// Print styles of a feedback sheet: one A4 page per trainee where it fits.
const SHEET_CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Arial,sans-serif;\
max-width:46rem;margin:1.5rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45;font-size:11pt}\
h1{font-size:1.4rem;margin:0 0 .4rem}h2{font-size:1.15rem;margin-top:1.2rem;border-bottom:1px solid #ccc}\
h3{font-size:1rem;margin:1rem 0 .3rem}p{margin:.35rem 0}ul{margin:.2rem 0 .5rem 1.2rem;padding:0}\
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #bbb;padding:.2rem .5rem;text-align:left}\
th{background:#f2f2f2}@page{size:A4;margin:1.4cm}\
@media print{body{margin:0;max-width:none}h2,h3{break-after:avoid}}";

fn html_sheet(title: &str, blocks: &[Block]) -> String {
    use crate::report::html::escape as h;
    let mut o = String::new();
    for b in blocks {
        match b {
            Block::H1(t) => o.push_str(&format!("<h1>{}</h1>\n", h(t))),
            Block::H2(t) => o.push_str(&format!("<h2>{}</h2>\n", h(t))),
            Block::H3(t) => o.push_str(&format!("<h3>{}</h3>\n", h(t))),
            Block::P(t) => o.push_str(&format!("<p>{}</p>\n", h(t))),
            Block::List(items) => {
                o.push_str("<ul>\n");
                for i in items {
                    o.push_str(&format!("<li>{}</li>\n", h(i)));
                }
                o.push_str("</ul>\n");
            }
            Block::Table(head, rows) => {
                o.push_str("<table>\n<tr>");
                for c in head {
                    o.push_str(&format!("<th>{}</th>", h(c)));
                }
                o.push_str("</tr>\n");
                for r in rows {
                    o.push_str("<tr>");
                    for c in r {
                        o.push_str(&format!("<td>{}</td>", h(c)));
                    }
                    o.push_str("</tr>\n");
                }
                o.push_str("</table>\n");
            }
        }
    }
    crate::report::html::page_with_style(title, SHEET_CSS, &o)
}

/// The sheets: (file name, text), one Markdown sheet (`NAME.md`) and one
/// printable, self-contained HTML page (`NAME.html`) per trainee, trainees
/// in order of first answer. With phases, a sheet covers the trainee's
/// latest phase and mentions the first. Two trainees whose names make the
/// same file name get distinct files (`ann.md`, `ann-2.md`, ...): no sheet
/// overwrites another.
pub fn sheets(
    plan: &Plan,
    pack: &Pack,
    responses: &[Response],
    phases: &[String],
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let done: Result<usize, std::convert::Infallible> =
        each_sheet(plan, pack, responses, phases, |name, text| {
            out.push((name.to_string(), text.to_string()));
            Ok(())
        });
    let _ = done;
    out
}

/// Hands each sheet (file name, text; the Markdown then the HTML of each
/// trainee) to `write` as it is made, so a cohort of any size is written in
/// flat memory; the same sheets and names as [`sheets`]. Returns how many
/// trainees got a sheet.
pub fn each_sheet<E>(
    plan: &Plan,
    pack: &Pack,
    responses: &[Response],
    phases: &[String],
    mut write: impl FnMut(&str, &str) -> Result<(), E>,
) -> Result<usize, E> {
    // Each trainee's answers, trainees in order of first answer: one pass
    // (a search per answer made this quadratic in trainees).
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut trainees: Vec<(&str, Vec<&Response>)> = Vec::new();
    for r in responses {
        let i = *index.entry(r.trainee.as_str()).or_insert_with(|| {
            trainees.push((r.trainee.as_str(), Vec::new()));
            trainees.len() - 1
        });
        if let Some(t) = trainees.get_mut(i) {
            t.1.push(r);
        }
    }
    let mut used = HashSet::new();
    // A missed case reads the same for every trainee giving that answer.
    let mut missed = HashMap::new();
    for (t, mine) in &trainees {
        let base = safe_name(t);
        let mut stem = base.clone();
        let mut i = 2;
        // Case-insensitively: `Ann.md` and `ann.md` are one file on
        // Windows and macOS.
        while !used.insert(stem.to_lowercase()) {
            stem = format!("{base}-{i}");
            i += 1;
        }
        let blocks = sheet(plan, pack, mine, phases, t, &mut missed);
        write(&format!("{stem}.md"), &markdown(&blocks))?;
        write(
            &format!("{stem}.html"),
            &html_sheet(&format!("Threshold exercise: feedback for {t}"), &blocks),
        )?;
    }
    Ok(trainees.len())
}

fn label(plan: &Plan, l: LevelRank) -> String {
    plan.decl
        .levels
        .get(l.index())
        .map_or_else(|| "?".into(), |x| x.label.clone())
}

fn score_line(pack: &Pack, set: &[&Response]) -> (usize, usize) {
    let correct = set
        .iter()
        .filter(|r| pack.vignettes.get(r.vignette).map(|v| v.score.level) == Some(r.answer))
        .count();
    (correct, set.len())
}

fn cases(n: usize) -> String {
    if n == 1 {
        "1 case".into()
    } else {
        format!("{n} cases")
    }
}

fn sheet(
    plan: &Plan,
    pack: &Pack,
    mine: &[&Response],
    phases: &[String],
    who: &str,
    missed_cases: &mut HashMap<(usize, LevelRank), Vec<Block>>,
) -> Vec<Block> {
    let latest = phases
        .iter()
        .rev()
        .find(|p| mine.iter().any(|r| r.phase.as_ref() == Some(*p)));
    let set: Vec<&Response> = mine
        .iter()
        .copied()
        .filter(|r| latest.is_none() || r.phase.as_ref() == latest)
        .collect();
    let mut o = vec![
        Block::H1(format!("Threshold exercise: feedback for {who}")),
        Block::P(format!("Threshold guidance: {}", plan.name)),
    ];
    let (c, n) = score_line(pack, &set);
    let phase_note = latest.map_or(String::new(), |p| format!(" in the {p} round"));
    let mut line = format!(
        "Your answers matched the guidance on {c} of {}{phase_note}.",
        cases(n)
    );
    if let (Some(first), Some(last)) = (phases.first(), latest) {
        if first != last {
            let before: Vec<&Response> = mine
                .iter()
                .copied()
                .filter(|r| r.phase.as_ref() == Some(first))
                .collect();
            if !before.is_empty() {
                let (bc, bn) = score_line(pack, &before);
                line.push_str(&format!(" In the {first} round you matched {bc} of {bn}."));
            }
        }
    }
    o.push(Block::P(line));
    let rows = set
        .iter()
        .filter_map(|r| {
            let v = pack.vignettes.get(r.vignette)?;
            let mark = if r.answer == v.score.level {
                "matches"
            } else if r.answer < v.score.level {
                "lower"
            } else {
                "higher"
            };
            Some(vec![
                v.id.clone(),
                label(plan, r.answer),
                label(plan, v.score.level),
                mark.to_string(),
            ])
        })
        .collect();
    o.push(Block::Table(
        ["Case", "Your answer", "The guidance", ""]
            .map(String::from)
            .to_vec(),
        rows,
    ));
    let missed: Vec<&&Response> = set
        .iter()
        .filter(|r| pack.vignettes.get(r.vignette).map(|v| v.score.level) != Some(r.answer))
        .collect();
    if missed.is_empty() {
        o.push(Block::P(
            "Every answer matched the guidance. Well done.".into(),
        ));
        return o;
    }
    o.push(Block::H2("Cases to look at again".into()));
    for r in missed {
        if let Some(v) = pack.vignettes.get(r.vignette) {
            let blocks = missed_cases
                .entry((r.vignette, r.answer))
                .or_insert_with(|| missed_case(plan, v, r.answer));
            o.extend(blocks.iter().cloned());
        }
    }
    o
}

fn missed_case(plan: &Plan, v: &crate::exercise::Vignette, answer: LevelRank) -> Vec<Block> {
    let level = v.score.level;
    let mut o = vec![
        Block::H3(format!("Case {}", v.id)),
        Block::P(format!(
            "You said {}; the guidance says {}.",
            label(plan, answer),
            label(plan, level)
        )),
        Block::P("What the case notes record:".into()),
    ];
    let n = notes::case_notes(plan, &v.record, &v.id);
    let mut items: Vec<String> = n
        .facts
        .iter()
        .map(|(k, val)| format!("{k}: {val}"))
        .collect();
    for (d, concerns) in &n.concerns {
        for i in concerns {
            items.push(format!("{d}: {i}"));
        }
    }
    if n.concerns.is_empty() {
        items.push("No concerns are recorded.".into());
    }
    o.push(Block::List(items));
    o.push(Block::P(
        crate::exercise::debrief::debrief(plan, &v.record, &v.score).summary,
    ));
    if level.above().is_some_and(|above| answer > above) {
        o.extend(why_not(plan, v, answer));
    }
    o
}

/// The parts of the guidance that would have given the trainee's (higher)
/// answer, each named by its reason, and that they do not apply here.
fn why_not(plan: &Plan, v: &crate::exercise::Vignette, answer: LevelRank) -> Vec<Block> {
    let lifts: Vec<String> = plan
        .rules
        .iter()
        .zip(RuleId::all())
        .filter(|(_, i)| !v.score.fired.contains(i))
        .filter(|(_, i)| level_if_fired(plan, &v.score, *i) == answer)
        .map(|(r, _)| {
            format!(
                "\u{201c}{}\u{201d} does not apply to this case.",
                r.reason.trim().trim_end_matches('.')
            )
        })
        .collect();
    if lifts.is_empty() {
        return vec![Block::P(format!(
            "Nothing recorded in this case reaches {} in the guidance.",
            label(plan, answer)
        ))];
    }
    vec![
        Block::P(format!(
            "You may have had in mind a part of the guidance that would give {}:",
            label(plan, answer)
        )),
        Block::List(lifts),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::testutil::{plan, vignette};

    #[test]
    fn safe_names() {
        assert_eq!(safe_name("Ann Smith"), "ann_smith");
        assert_eq!(safe_name("../../etc/passwd"), "______etc_passwd");
        assert_eq!(safe_name("  "), "trainee");
        assert_eq!(safe_name("CON"), "con_");
        // Issue 12: only `com1` and `lpt1` were reserved.
        for n in ["com0", "COM9", "lpt0", "Lpt7", "aux", "Nul", "prn"] {
            assert_eq!(safe_name(n), format!("{}_", n.to_lowercase()), "{n}");
        }
        assert_eq!(safe_name("com10"), "com10");
        assert_eq!(safe_name("console"), "console");
    }

    #[test]
    fn windows_device_names_are_reserved_with_any_extension() {
        for n in [
            "CON",
            "con.md",
            "Con.txt",
            "con .md",
            "con.",
            "NUL.tar.gz",
            "com1",
            "COM9.md",
            "lpt0",
            "LPT5.csv",
            "com\u{b9}",
            "LPT\u{b2}.md",
            "lpt\u{b3}",
            "conin$",
            "CONOUT$.md",
        ] {
            assert!(reserved(n), "{n}");
        }
        for n in [
            "console",
            "com10",
            "lpt",
            "comx",
            "com\u{b4}",
            "auxiliary.md",
            "nulls",
        ] {
            assert!(!reserved(n), "{n}");
        }
    }

    #[test]
    fn trainees_with_the_same_file_name_never_share_a_file() {
        let p = plan();
        let pack = Pack::new(vec![vignette(&p, "V01", 4.0, &[])]);
        let r = |t: &str| Response {
            row: 0,
            trainee: t.into(),
            vignette: 0,
            answer: LevelRank::new(0),
            phase: None,
        };
        let names: Vec<String> = sheets(
            &p,
            &pack,
            &[
                r("Ann Lee"),
                r("ann lee"),
                r("ann_lee-2"),
                r("Ann/Lee"),
                r("CON"),
                r("con_"),
            ],
            &[],
        )
        .into_iter()
        .map(|s| s.0)
        .filter(|n| n.ends_with(".md"))
        .collect();
        assert_eq!(
            names,
            [
                "ann_lee.md",
                "ann_lee-2.md",
                "ann_lee-2-2.md",
                "ann_lee-3.md",
                "con_.md",
                "con_-2.md"
            ]
        );
        let distinct: HashSet<String> = names.iter().map(|n| n.to_lowercase()).collect();
        assert_eq!(distinct.len(), names.len());
    }

    #[test]
    fn sheet_explains_a_miss_and_the_rule_in_mind() {
        let p = plan();
        let pack = Pack::new(vec![
            vignette(&p, "V01", 4.0, &["injury"]),
            vignette(&p, "V02", 4.0, &[]),
        ]);
        let r = |v, a| Response {
            row: 0,
            trainee: "Ann *B*".into(),
            vignette: v,
            answer: LevelRank::new(a),
            phase: None,
        };
        let s = sheets(&p, &pack, &[r(0, 3), r(1, 0), r(1, 1)], &[]);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].0, "ann__b_.md");
        let md = &s[0].1;
        assert!(md.contains("feedback for Ann \\*B\\*"), "{md}");
        assert!(
            md.contains(
                "The rules place this child at Level 3 - Targeted because the case notes record"
            ),
            "{md}"
        );
        assert!(
            md.contains("Level 4 - Specialist was not reached because"),
            "{md}"
        );
        assert!(
            md.contains("an injured baby is a specialist concern"),
            "{md}"
        );
        // Never rule syntax.
        for syntax in ["&lt;", "is false", "count(", "indicators at", "`"] {
            assert!(!md.contains(syntax), "{syntax} in {md}");
        }
        assert!(md.contains("Unexplained injury"), "{md}");
        assert_eq!(s[1].0, "ann__b_.html");
        let html = &s[1].1;
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(
            html.contains("<h1>Threshold exercise: feedback for Ann *B*</h1>"),
            "{html}"
        );
        assert!(html.contains("@page"));
        assert!(!html.contains("<script") && !html.contains("src=\"http"));
    }

    #[test]
    fn a_much_higher_answer_names_the_guidance_in_mind() {
        let p = plan();
        let pack = Pack::new(vec![vignette(&p, "V01", 4.0, &["hygiene"])]);
        let r = Response {
            row: 0,
            trainee: "Ann".into(),
            vignette: 0,
            answer: LevelRank::new(3),
            phase: None,
        };
        let md = &sheets(&p, &pack, &[r], &[])[0].1;
        assert!(md.contains("that would give Level 4 - Specialist"), "{md}");
        assert!(
            md.contains("An injured baby is a specialist concern\u{201d} does not apply"),
            "{md}"
        );
    }
}

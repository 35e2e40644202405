//! Feedback sheets (`exercise --feedback DIR`): one Markdown sheet per
//! trainee, written for a practitioner: their answer and the guidance's per
//! case, and for each case they missed, why the guidance places it where it
//! does and, where a rule would have given their answer, why that rule does
//! not apply to this case.

use std::collections::{HashMap, HashSet};

use crate::exercise::responses::Response;
use crate::exercise::{level_if_fired, notes, Pack};
use crate::plan::Plan;

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

/// The sheets: (file name, Markdown), one per trainee in order of first answer.
/// With phases, a sheet covers the trainee's latest phase and mentions the first.
/// Two trainees whose names make the same file name get distinct files
/// (`ann.md`, `ann-2.md`, ...): no sheet overwrites another.
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

/// Hands each sheet (file name, Markdown) to `write` as it is made, so a
/// cohort of any size is written in flat memory; the same sheets and names
/// as [`sheets`]. Returns how many were written.
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
        let mut name = format!("{base}.md");
        let mut i = 2;
        // Case-insensitively: `Ann.md` and `ann.md` are one file on
        // Windows and macOS.
        while !used.insert(name.to_lowercase()) {
            name = format!("{base}-{i}.md");
            i += 1;
        }
        write(&name, &sheet(plan, pack, mine, phases, t, &mut missed))?;
    }
    Ok(trainees.len())
}

fn label(plan: &Plan, l: u8) -> String {
    plan.levels
        .get(l as usize)
        .map_or_else(|| "?".into(), |x| x.label.clone())
}

fn score_line(pack: &Pack, set: &[&Response]) -> (usize, usize) {
    let correct = set
        .iter()
        .filter(|r| pack.vignettes.get(r.vignette).map(|v| v.score.level) == Some(r.answer))
        .count();
    (correct, set.len())
}

fn sheet(
    plan: &Plan,
    pack: &Pack,
    mine: &[&Response],
    phases: &[String],
    who: &str,
    missed_cases: &mut HashMap<(usize, u8), String>,
) -> String {
    let latest = phases
        .iter()
        .rev()
        .find(|p| mine.iter().any(|r| r.phase.as_ref() == Some(*p)));
    let set: Vec<&Response> = mine
        .iter()
        .copied()
        .filter(|r| latest.is_none() || r.phase.as_ref() == latest)
        .collect();
    let mut o = format!(
        "# Threshold exercise: feedback for {}\n\nThreshold guidance: {}\n\n",
        esc(who),
        esc(&plan.name)
    );
    let (c, n) = score_line(pack, &set);
    let phase_note = latest.map_or(String::new(), |p| format!(" in the {} round", esc(p)));
    o.push_str(&format!(
        "Your answers matched the guidance on {c} of {n} case(s){phase_note}.\n"
    ));
    if let (Some(first), Some(last)) = (phases.first(), latest) {
        if first != last {
            let before: Vec<&Response> = mine
                .iter()
                .copied()
                .filter(|r| r.phase.as_ref() == Some(first))
                .collect();
            if !before.is_empty() {
                let (bc, bn) = score_line(pack, &before);
                o.push_str(&format!(
                    "In the {} round you matched {bc} of {bn}.\n",
                    esc(first)
                ));
            }
        }
    }
    o.push_str("\n| Case | Your answer | The guidance | |\n|---|---|---|---|\n");
    for r in &set {
        let Some(v) = pack.vignettes.get(r.vignette) else {
            continue;
        };
        let mark = if r.answer == v.score.level {
            "matches"
        } else if r.answer < v.score.level {
            "lower"
        } else {
            "higher"
        };
        o.push_str(&format!(
            "| {} | {} | {} | {mark} |\n",
            esc(&v.id),
            esc(&label(plan, r.answer)),
            esc(&label(plan, v.score.level))
        ));
    }
    let missed: Vec<&&Response> = set
        .iter()
        .filter(|r| pack.vignettes.get(r.vignette).map(|v| v.score.level) != Some(r.answer))
        .collect();
    if missed.is_empty() {
        o.push_str("\nEvery answer matched the guidance. Well done.\n");
        return o;
    }
    o.push_str("\n## Cases to look at again\n");
    for r in missed {
        if let Some(v) = pack.vignettes.get(r.vignette) {
            let text = missed_cases
                .entry((r.vignette, r.answer))
                .or_insert_with(|| missed_case(plan, v, r.answer));
            o.push_str(text);
        }
    }
    o
}

fn missed_case(plan: &Plan, v: &crate::exercise::Vignette, answer: u8) -> String {
    let level = v.score.level;
    let mut o = format!(
        "\n### {}\n\nYou said **{}**; the guidance says **{}**.\n\nWhat the case notes record:\n\n",
        esc(&v.id),
        esc(&label(plan, answer)),
        esc(&label(plan, level))
    );
    let n = notes::case_notes(plan, &v.record, &v.id);
    for (k, val) in &n.facts {
        o.push_str(&format!("- {}: {}\n", esc(k), esc(val)));
    }
    for (d, items) in &n.concerns {
        for i in items {
            o.push_str(&format!("- {}: {}\n", esc(d), esc(i)));
        }
    }
    if n.concerns.is_empty() {
        o.push_str("- No concerns are recorded.\n");
    }
    o.push_str(&format!(
        "\nWhy the guidance says {}:\n\n",
        esc(&label(plan, level))
    ));
    let mut any = false;
    for i in v
        .record
        .indicators
        .iter()
        .filter_map(|i| plan.indicators.get(i))
    {
        o.push_str(&format!(
            "- \"{}\" is on its own a {} concern.\n",
            esc(&i.description),
            esc(&label(plan, i.level))
        ));
        any = true;
    }
    for x in crate::explain::reasons(plan, &v.score) {
        o.push_str(&format!("- {}.\n", esc(x.reason.trim_end_matches('.'))));
        any = true;
    }
    if !any {
        o.push_str("- Nothing in the case meets a concern in the guidance.\n");
    }
    if answer > level {
        o.push_str(&why_not(plan, v, answer));
    }
    o
}

/// The rules that would have given the trainee's (higher) answer, and why
/// each does not apply here.
fn why_not(plan: &Plan, v: &crate::exercise::Vignette, answer: u8) -> String {
    let Ok(e) = crate::explain::explain(plan, &v.record) else {
        return String::new();
    };
    let mut o = String::new();
    for nf in &e.not_fired {
        let Some(i) = plan.rules.iter().position(|r| r.id == nf.rule) else {
            continue;
        };
        if level_if_fired(plan, &v.score, i as u32) != answer {
            continue;
        }
        if o.is_empty() {
            o = format!(
                "\nYou may have had in mind a part of the guidance that would give {}:\n\n",
                esc(&label(plan, answer))
            );
        }
        o.push_str(&format!(
            "- \"{}\" does not apply here: {}.\n",
            esc(nf.reason.trim_end_matches('.')),
            esc(&nf.because.join("; ").replace('`', ""))
        ));
    }
    if o.is_empty() {
        o = format!(
            "\nNothing recorded in this case reaches {} in the guidance.\n",
            esc(&label(plan, answer))
        );
    }
    o
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
            answer: 0,
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
            answer: a,
            phase: None,
        };
        let s = sheets(&p, &pack, &[r(0, 3), r(1, 0), r(1, 1)], &[]);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].0, "ann__b_.md");
        let md = &s[0].1;
        assert!(md.contains("feedback for Ann \\*B\\*"), "{md}");
        assert!(
            md.contains("An injured baby is a specialist concern"),
            "{md}"
        );
        assert!(md.contains("age &lt; 1 is false"), "{md}");
    }
}

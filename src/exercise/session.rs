//! The trainer's terminal mode (`exercise run`): one vignette at a time as
//! case notes, the trainee's level read line by line (a number or a name;
//! invalid input is asked again; `q` or end of input stops), each answer
//! handed to a callback as it is given so nothing answered is lost.
//! Generic over the input and output so it can be tested without a terminal.

use std::io::{self, BufRead, Write};

use crate::plan::{LevelRank, Plan};

use super::{notes, parse_answer, Pack};

/// How a session ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// (vignette index, answer rank) in the order answered.
    pub answered: Vec<(usize, LevelRank)>,
    /// The trainee stopped before the end.
    pub quit: bool,
}

/// The levels as a numbered list, e.g. `1 = Level 1 - Universal`.
pub fn level_menu(plan: &Plan) -> String {
    plan.decl
        .levels
        .iter()
        .enumerate()
        .map(|(i, l)| format!("  {} = {}\n", i + 1, l.label))
        .collect()
}

/// Runs a session over the vignettes in `todo` (pack indexes, in order).
pub fn run(
    plan: &Plan,
    pack: &Pack,
    todo: &[usize],
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    on_answer: &mut dyn FnMut(usize, LevelRank) -> io::Result<()>,
) -> io::Result<Outcome> {
    let k = plan.decl.levels.len();
    writeln!(
        out,
        "{} case(s) to read. For each, give the level of need: a number or a name.\n\
         Type q to stop (your answers so far are kept).\n\nLevels:\n{}",
        todo.len(),
        level_menu(plan)
    )?;
    let mut answered = Vec::new();
    let mut line = String::new();
    for (pos, v) in todo.iter().enumerate() {
        let Some(vig) = pack.vignettes.get(*v) else {
            continue;
        };
        let n = notes::case_notes(plan, &vig.record, &vig.id);
        writeln!(out, "--- {} of {} ---", pos + 1, todo.len())?;
        write!(out, "{}", notes::text(&n))?;
        loop {
            write!(out, "Level (1-{k}, a name, or q to stop): ")?;
            out.flush()?;
            line.clear();
            if input.read_line(&mut line)? == 0 {
                writeln!(out)?;
                return Ok(Outcome {
                    answered,
                    quit: true,
                });
            }
            let t = line.trim();
            if t.eq_ignore_ascii_case("q") || t.eq_ignore_ascii_case("quit") {
                return Ok(Outcome {
                    answered,
                    quit: true,
                });
            }
            match parse_answer(plan, t) {
                Some(l) => {
                    on_answer(*v, l)?;
                    answered.push((*v, l));
                    writeln!(out)?;
                    break;
                }
                None if t.is_empty() => {}
                None => writeln!(
                    out,
                    "Sorry, `{}` is not a level. Answer 1 to {k} or a level's name.",
                    crate::text::shorten(t)
                )?,
            }
        }
    }
    Ok(Outcome {
        answered,
        quit: false,
    })
}

/// The trainee's results for their answers, for the end of a session.
pub fn results_text(plan: &Plan, pack: &Pack, answers: &[(usize, LevelRank)]) -> String {
    let label = |l: LevelRank| {
        plan.decl
            .levels
            .get(l.index())
            .map_or("?", |x| x.label.as_str())
    };
    let mut correct = 0;
    let mut lines = String::new();
    for (v, a) in answers {
        let Some(vig) = pack.vignettes.get(*v) else {
            continue;
        };
        let right = vig.score.level;
        if *a == right {
            correct += 1;
            lines.push_str(&format!(
                "  {}  {}  (matches the guidance)\n",
                vig.id,
                label(*a)
            ));
        } else {
            lines.push_str(&format!(
                "  {}  you said {}; the guidance says {}\n",
                vig.id,
                label(*a),
                label(right)
            ));
        }
    }
    if answers.is_empty() {
        return "No answers given.\n".into();
    }
    format!(
        "Your results: {correct} of {} match the threshold guidance ({:.0}%).\n{lines}",
        answers.len(),
        100.0 * correct as f64 / answers.len() as f64
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::testutil::{plan, vignette};

    #[test]
    fn reasks_on_invalid_and_stops_on_q() {
        let p = plan();
        let pack = Pack::new(vec![
            vignette(&p, "V01", 4.0, &["hygiene"]),
            vignette(&p, "V02", 4.0, &["dv_house"]),
            vignette(&p, "V03", 4.0, &[]),
        ]);
        let mut input = "maybe\n\n2\ntargeted\nq\n".as_bytes();
        let mut out = Vec::new();
        let mut saved = Vec::new();
        let o = run(&p, &pack, &[0, 1, 2], &mut input, &mut out, &mut |v, l| {
            saved.push((v, l));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            o.answered,
            vec![(0, LevelRank::new(1)), (1, LevelRank::new(2))]
        );
        assert!(o.quit);
        assert_eq!(saved, o.answered);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("`maybe` is not a level"));
        assert!(text.contains("Hygiene often poor."));
        let r = results_text(&p, &pack, &o.answered);
        assert!(r.starts_with("Your results: 2 of 2"), "{r}");
    }

    #[test]
    fn end_of_input_keeps_answers() {
        let p = plan();
        let pack = Pack::new(vec![vignette(&p, "V01", 4.0, &[])]);
        let mut input = "".as_bytes();
        let o = run(&p, &pack, &[0], &mut input, &mut Vec::new(), &mut |_, _| {
            Ok(())
        })
        .unwrap();
        assert!(o.quit && o.answered.is_empty());
    }
}

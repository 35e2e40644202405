//! `thresholds exercise run RULES VIGNETTES --trainee NAME [--phase P]
//! [-o RESPONSES]`: one trainee at the terminal, one vignette at a time.
//! Each answer is appended to RESPONSES as it is given (the file is created
//! with a header when new); vignettes this trainee already answered in this
//! phase are skipped, so a session can be resumed. `--no-reveal` (a
//! pre-training round) never shows the guidance's levels.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use clap::Args;

use super::super::{exit, CliError, CliResult, ErrorFormat};
use thresholds::exercise::session;
use thresholds::plan::LevelRank;

/// Arguments of `exercise run`.
#[derive(Args, Debug)]
pub(crate) struct RunArgs {
    /// The rule file.
    pub rules: PathBuf,
    /// The vignette pack.
    pub vignettes: PathBuf,
    /// The trainee's name, as it should appear in the results.
    #[arg(long)]
    pub trainee: String,
    /// The phase, e.g. `pre` or `post`.
    #[arg(long)]
    pub phase: Option<String>,
    /// The responses file to append to (created when new).
    #[arg(short, long, default_value = "responses.csv")]
    pub output: PathBuf,
    /// Never show the guidance's levels (a pre-training round): the session
    /// ends with the count of answers saved, not the results.
    #[arg(long)]
    pub no_reveal: bool,
}

fn io(path: &std::path::Path) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |e| CliError::usage(format!("error: `{}`: {e}", path.display()))
}

/// Runs `exercise run`.
pub(super) fn run(a: RunArgs, error_format: ErrorFormat) -> CliResult {
    let trainee = a.trainee.trim().to_string();
    if trainee.is_empty() {
        return Err(CliError::usage("error: --trainee needs a name"));
    }
    let phase = a.phase.as_deref().map(str::trim).unwrap_or("").to_string();
    // What this trainee already answered in this phase, and the file's columns.
    let (plan, pack, opened) =
        super::open_exercise(&a.rules, &a.vignettes, &a.output, &phase, error_format)?;
    let has_phase_col = opened.has_phase_col;
    let mut done = Vec::new();
    let mut previous = Vec::new();
    for x in &opened.earlier.accepted {
        if x.trainee == trainee && x.phase.as_deref().unwrap_or("") == phase {
            done.push(x.vignette);
            previous.push((x.vignette, x.answer));
        }
    }
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(opened.file);
    let todo: Vec<usize> = (0..pack.len()).filter(|i| !done.contains(i)).collect();
    if !done.is_empty() {
        println!(
            "{trainee} already answered {} case(s){}; carrying on.",
            done.len(),
            if phase.is_empty() {
                String::new()
            } else {
                format!(" in phase {phase}")
            }
        );
    }
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut save = |v: usize, l: LevelRank| -> std::io::Result<()> {
        let vid = pack.vignettes.get(v).map_or("", |x| x.id.as_str());
        let mut rec = vec![trainee.as_str(), vid, plan.level_id(l)];
        if has_phase_col {
            rec.push(phase.as_str());
        }
        w.write_record(&rec)?;
        w.flush()
    };
    let outcome = session::run(
        &plan,
        &pack,
        &todo,
        &mut input as &mut dyn BufRead,
        &mut out as &mut dyn Write,
        &mut save,
    )
    .map_err(io(&a.output))?;
    previous.extend(outcome.answered.iter().copied());
    let mut end = String::new();
    if outcome.quit {
        end.push_str("Stopped. ");
    }
    end.push_str(&format!(
        "{} answer(s) saved to {}.\n\n",
        outcome.answered.len(),
        a.output.display()
    ));
    if a.no_reveal {
        end.push_str(
            "Thank you. The guidance's levels are not shown in this round: \
             the results come after the training.\n",
        );
    } else {
        end.push_str(&session::results_text(&plan, &pack, &previous));
    }
    write!(out, "{end}").map_err(io(&a.output))?;
    out.flush().map_err(io(&a.output))?;
    Ok(exit::OK)
}

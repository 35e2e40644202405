//! `thresholds sample RULES --n N [--seed S] [--agreement P] [-o OUT]`:
//! synthetic referrals for any rule file, as CSV (default, or `.csv`),
//! Excel (`.xlsx`), JSON (`.json`), JSON Lines (`.jsonl`) or a CIN census
//! message (`.xml`).
//! `thresholds sample RULES --calibration [--n N] [--seed S]` prints each
//! national target beside the generated share instead (100,000 referrals
//! unless `--n` says otherwise).

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{
    commit, exit, guard, guard_scripts, load_rules, staged, CliError, CliResult, ErrorFormat,
};
use thresholds::sample::{self, Cell, SampleOptions};

/// Arguments of `sample`.
#[derive(Args, Debug)]
pub(crate) struct SampleArgs {
    /// The rule file.
    pub rules: PathBuf,
    /// Number of referrals (with --calibration, 100,000 unless given).
    #[arg(long, short, required_unless_present = "calibration")]
    pub n: Option<u64>,
    /// Seed: the same seed gives the same file on every machine.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Probability that the simulated decision agrees with the rules.
    #[arg(long, default_value_t = 0.7)]
    pub agreement: f64,
    /// Output file (format from the extension; default CSV on stdout).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Print the national targets beside the generated shares (referral
    /// sources, factors at assessment, ages) instead of writing referrals.
    #[arg(long, conflicts_with = "output")]
    pub calibration: bool,
}

/// Referrals measured by `--calibration` when `--n` is not given.
const CALIBRATION_N: u64 = 100_000;

fn io_err(e: impl std::fmt::Display) -> CliError {
    CliError::usage(format!("error: cannot write the sample: {e}"))
}

/// Runs `sample`.
pub(super) fn run(a: SampleArgs, error_format: ErrorFormat) -> CliResult {
    if !(0.0..=1.0).contains(&a.agreement) {
        return Err(CliError::usage(
            "error: --agreement must be between 0 and 1",
        ));
    }
    let mut guard = guard(
        &[("the rule file", &a.rules)],
        &[("-o", a.output.as_deref())],
    )?;
    let plan = load_rules(&a.rules, error_format)?;
    guard_scripts(&mut guard, &plan)?;
    if a.calibration {
        let opts = SampleOptions {
            n: a.n.unwrap_or(CALIBRATION_N),
            seed: a.seed,
            agreement: a.agreement,
        };
        let c = sample::calibration::measure(&plan, &opts);
        let mut out = std::io::stdout().lock();
        out.write_all(sample::calibration::table(&c).as_bytes())
            .map_err(super::output_error)?;
        return Ok(exit::OK);
    }
    let n = a.n.unwrap_or(0);
    let mut file = a.output.as_deref().map(staged).transpose()?;
    let opts = SampleOptions {
        n,
        seed: a.seed,
        agreement: a.agreement,
    };
    let header = sample::columns(&plan);
    let ext = a
        .output
        .as_ref()
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match (ext.as_deref(), &mut file) {
        (Some("xlsx"), Some(file)) => {
            if n >= 1_048_576 {
                return Err(CliError::usage(
                    "error: an Excel sheet holds at most 1,048,575 rows; write CSV instead",
                ));
            }
            let mut sheet = rust_xlsxwriter::Worksheet::new();
            sheet.set_name("referrals").map_err(io_err)?;
            for (c, h) in header.iter().enumerate() {
                sheet.write_string(0, c as u16, h).map_err(io_err)?;
            }
            let mut r = 1u32;
            sample::generate(&plan, &opts, |cells| -> Result<(), CliError> {
                for (c, cell) in cells.iter().enumerate() {
                    match cell {
                        Cell::Num(n) => sheet.write_number(r, c as u16, *n).map(|_| ()),
                        Cell::Text(t) => sheet.write_string(r, c as u16, t).map(|_| ()),
                        Cell::Empty => Ok(()),
                    }
                    .map_err(io_err)?;
                }
                r += 1;
                Ok(())
            })?;
            let mut wb = rust_xlsxwriter::Workbook::new();
            wb.push_worksheet(sheet);
            let bytes = wb.save_to_buffer().map_err(io_err)?;
            file.write_all(&bytes).map_err(io_err)?;
        }
        (Some("xml"), Some(file)) => {
            // A DfE children in need census message (SPEC section 9).
            sample::cin::write(&plan, &opts, file).map_err(io_err)?;
        }
        (Some(e @ ("json" | "jsonl")), Some(file)) => {
            let mut w = std::io::BufWriter::new(file);
            let lines = e == "jsonl";
            let mut first = true;
            if !lines {
                w.write_all(b"[").map_err(io_err)?;
            }
            sample::generate(&plan, &opts, |cells| -> Result<(), CliError> {
                let mut obj = serde_json::Map::new();
                for (h, cell) in header.iter().zip(cells) {
                    let v = match cell {
                        Cell::Num(n) => serde_json::json!(n),
                        Cell::Text(t) if h == "indicators" => serde_json::Value::Array(
                            t.split(';')
                                .filter(|s| !s.is_empty())
                                .map(|s| serde_json::Value::String(s.into()))
                                .collect(),
                        ),
                        Cell::Text(t) => serde_json::Value::String(t.clone()),
                        Cell::Empty => serde_json::Value::Null,
                    };
                    obj.insert(h.clone(), v);
                }
                if !lines {
                    w.write_all(if first { b"\n" } else { b",\n" })
                        .map_err(io_err)?;
                }
                first = false;
                serde_json::to_writer(&mut w, &obj).map_err(io_err)?;
                if lines {
                    w.write_all(b"\n").map_err(io_err)?;
                }
                Ok(())
            })?;
            if !lines {
                w.write_all(b"\n]\n").map_err(io_err)?;
            }
            w.flush().map_err(io_err)?;
        }
        (_, out) => {
            let sink: Box<dyn Write + '_> = match out {
                Some(f) => Box::new(f),
                None => Box::new(std::io::stdout().lock()),
            };
            let mut w = csv::Writer::from_writer(std::io::BufWriter::new(sink));
            w.write_record(&header).map_err(io_err)?;
            let result = sample::generate(&plan, &opts, |cells| {
                w.write_record(cells.iter().map(Cell::text))
            });
            match result.and_then(|()| w.flush().map_err(csv::Error::from)) {
                Ok(()) => {}
                Err(e) => match e.into_kind() {
                    csv::ErrorKind::Io(io) => return Err(super::output_error(io)),
                    other => return Err(io_err(format!("{other:?}"))),
                },
            }
        }
    }
    if let Some(f) = file {
        commit(f)?;
    }
    Ok(exit::OK)
}

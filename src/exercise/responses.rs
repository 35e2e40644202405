//! Trainees' answers: a CSV with columns `trainee, vignette, level` and an
//! optional `phase`. Every row is either accepted or rejected with its line
//! number (header = line 1), column and reason (unknown answers, vignettes
//! not in the pack), never dropped silently. A trainee answering the same
//! vignette again in one phase (a live exercise records a changed answer)
//! replaces the earlier answer: the last counts, and the replacements are
//! counted.

use std::collections::HashMap;
use std::io::Read;

use crate::data::Reject;
use crate::plan::{LevelRank, Plan};
use crate::text::shorten;

use super::{parse_answer, Pack};

/// One accepted answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// Line in the responses file.
    pub row: u64,
    /// The trainee as written (trimmed).
    pub trainee: String,
    /// Index of the vignette in the pack.
    pub vignette: usize,
    /// The answer (level rank).
    pub answer: LevelRank,
    /// The phase, when the file has phases.
    pub phase: Option<String>,
}

/// What was read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Responses {
    /// Accepted answers in file order.
    pub accepted: Vec<Response>,
    /// Rejected rows in file order.
    pub rejects: Vec<Reject>,
    /// Data rows read (= accepted + rejected + replaced).
    pub read: u64,
    /// Answers replaced by a later answer of the same trainee to the same
    /// vignette in the same phase.
    pub replaced: u64,
}

/// Errors that stop reading.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ResponsesError {
    /// No rows at all.
    #[error("the responses file has no answers: expected a header `trainee,vignette,level[,phase]` and one row per answer")]
    Empty,
    /// A required column is missing.
    #[error("the responses file has no `{name}` column; its columns are {available}")]
    NoColumn {
        /// The column.
        name: String,
        /// The columns found.
        available: String,
    },
    /// Not readable as CSV.
    #[error("the responses file is not readable as CSV: {0}")]
    Csv(String),
}

/// Reads responses against a pack.
pub fn read(plan: &Plan, pack: &Pack, input: impl Read) -> Result<Responses, ResponsesError> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(input);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| ResponsesError::Csv(e.to_string()))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(ResponsesError::Empty);
    }
    let col = |name: &str| -> Result<usize, ResponsesError> {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| ResponsesError::NoColumn {
                name: name.into(),
                available: headers
                    .iter()
                    .map(|h| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    };
    let (c_trainee, c_vignette, c_level) = (col("trainee")?, col("vignette")?, col("level")?);
    let c_phase = headers.iter().position(|h| h == "phase");
    let mut raw = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| ResponsesError::Csv(e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
        raw.push((
            line,
            cell(c_trainee),
            cell(c_vignette),
            cell(c_level),
            c_phase.map(cell).unwrap_or_default(),
        ));
    }
    if raw.is_empty() {
        return Err(ResponsesError::Empty);
    }
    let phased = raw.iter().any(|r| !r.4.is_empty());
    let mut out = Responses {
        read: raw.len() as u64,
        ..Responses::default()
    };
    let mut seen: HashMap<(String, usize, String), usize> = HashMap::new();
    let reject = |row: u64, column: &str, reason: String| Reject {
        row,
        id: None,
        column: column.into(),
        reason,
    };
    for (line, trainee, vignette, level, phase) in raw {
        if trainee.is_empty() {
            out.rejects
                .push(reject(line, "trainee", "no trainee named".into()));
            continue;
        }
        let Some(v) = pack.find(&vignette) else {
            let why = if vignette.is_empty() {
                "no vignette named".to_string()
            } else {
                format!("no vignette `{}` in the pack", shorten(&vignette))
            };
            out.rejects.push(reject(line, "vignette", why));
            continue;
        };
        let Some(answer) = parse_answer(plan, &level) else {
            let why = if level.is_empty() {
                "no answer given".to_string()
            } else {
                format!(
                    "`{}` is not a level: answer with a level id, label, decision or a number 1 to {}",
                    shorten(&level),
                    plan.decl.levels.len()
                )
            };
            out.rejects.push(reject(line, "level", why));
            continue;
        };
        if phased && phase.is_empty() {
            out.rejects.push(reject(
                line,
                "phase",
                "no phase given, while other answers name one".into(),
            ));
            continue;
        }
        let key = (trainee.clone(), v, phase.clone());
        let response = Response {
            row: line,
            trainee,
            vignette: v,
            answer,
            phase: phased.then_some(phase),
        };
        if let Some(slot) = seen.get(&key).and_then(|i| out.accepted.get_mut(*i)) {
            // The later answer counts; the trainee keeps their place.
            *slot = response;
            out.replaced += 1;
            continue;
        }
        seen.insert(key, out.accepted.len());
        out.accepted.push(response);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::testutil::{plan, vignette};

    fn pack(p: &Plan) -> Pack {
        Pack::new(vec![
            vignette(p, "V01", 4.0, &["hygiene"]),
            vignette(p, "V02", 4.0, &["dv_house"]),
        ])
    }

    #[test]
    fn accepts_and_rejects_with_lines() {
        let p = plan();
        let csv = "trainee,vignette,level\n\
                   ann,V01,early_help\n\
                   ann,V02,3\n\
                   ann,V03,1\n\
                   bob,V01,maybe\n\
                   ann,V01,universal\n\
                   ,V01,1\n";
        let r = read(&p, &pack(&p), csv.as_bytes()).unwrap();
        assert_eq!(r.read, 6);
        assert_eq!(r.accepted.len(), 2);
        assert_eq!(r.replaced, 1);
        // ann's later answer to V01 (line 6) replaced the first, in its place.
        assert_eq!(
            (r.accepted[0].row, r.accepted[0].answer),
            (6, LevelRank::new(0))
        );
        assert_eq!(r.accepted[1].answer, LevelRank::new(2));
        assert_eq!(r.accepted[1].phase, None);
        let rows: Vec<(u64, &str)> = r
            .rejects
            .iter()
            .map(|x| (x.row, x.column.as_str()))
            .collect();
        assert_eq!(rows, vec![(4, "vignette"), (5, "level"), (7, "trainee")]);
    }

    #[test]
    fn phases_separate_duplicates() {
        let p = plan();
        let csv = "Trainee,Vignette,Level,Phase\nann,V01,1,pre\nann,V01,2,post\nann,V01,2,\n";
        let r = read(&p, &pack(&p), csv.as_bytes()).unwrap();
        assert_eq!(r.accepted.len(), 2);
        assert_eq!(r.accepted[0].phase.as_deref(), Some("pre"));
        assert_eq!(r.rejects[0].row, 4);
        assert_eq!(r.rejects[0].column, "phase");
    }

    #[test]
    fn empty_phase_column_means_no_phases() {
        let p = plan();
        let csv = "trainee,vignette,level,phase\nann,V01,1,\n";
        let r = read(&p, &pack(&p), csv.as_bytes()).unwrap();
        assert_eq!(r.accepted[0].phase, None);
    }

    #[test]
    fn empty_and_headerless_files_are_errors() {
        let p = plan();
        assert_eq!(
            read(&p, &pack(&p), "".as_bytes()),
            Err(ResponsesError::Empty)
        );
        assert_eq!(
            read(&p, &pack(&p), "trainee,vignette,level\n".as_bytes()),
            Err(ResponsesError::Empty)
        );
        assert!(matches!(
            read(&p, &pack(&p), "who,vignette,level\nann,V01,1\n".as_bytes()),
            Err(ResponsesError::NoColumn { .. })
        ));
    }
}

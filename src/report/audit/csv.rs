//! The evidence list as CSV, worst first: one row per disagreement. Columns:
//! `id, row, decision, decision_level, level, distance, agreement, alert`,
//! then `documented, reason` (with `--reason`), each `--by` column, `period`
//! (with `--period`), `fired` (ids joined by `;`) and `reasons`
//! (`rule: reason` joined by ` | `). Text from the data is neutralised
//! against formula injection.

use super::RenderError;
use crate::audit::Audit;
use crate::report::cell::neutralise;

/// The header row.
pub fn header(a: &Audit) -> Vec<String> {
    let mut h: Vec<String> = [
        "id",
        "row",
        "decision",
        "decision_level",
        "level",
        "distance",
        "agreement",
        "alert",
    ]
    .map(String::from)
    .to_vec();
    if a.columns.reason.is_some() {
        h.push("documented".into());
        h.push("reason".into());
    }
    h.extend(a.columns.by.iter().map(|c| neutralise(c).into_owned()));
    if a.columns.period.is_some() {
        h.push("period".into());
    }
    h.push("fired".into());
    h.push("reasons".into());
    h
}

/// The evidence list as CSV bytes.
pub fn render(a: &Audit) -> Result<Vec<u8>, RenderError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header(a))?;
    for e in &a.evidence {
        let mut r: Vec<String> = vec![
            neutralise(&e.id).into_owned(),
            e.row.to_string(),
            neutralise(&e.decision).into_owned(),
            a.level_id(e.decision_level).to_string(),
            a.level_id(e.level).to_string(),
            e.distance.to_string(),
            e.agreement().to_string(),
            e.alert.to_string(),
        ];
        if let Some(doc) = e.documented() {
            r.push(doc.to_string());
            r.push(neutralise(e.reason.as_deref().unwrap_or("")).into_owned());
        }
        r.extend(e.by.iter().map(|v| neutralise(v).into_owned()));
        if a.columns.period.is_some() {
            r.push(neutralise(e.period.as_deref().unwrap_or("")).into_owned());
        }
        let fired: Vec<&str> = a.reasons(e).map(|x| x.id.as_str()).collect();
        r.push(fired.join(";"));
        let reasons: Vec<String> = a
            .reasons(e)
            .map(|x| format!("{}: {}", x.id, x.reason))
            .collect();
        r.push(neutralise(&reasons.join(" | ")).into_owned());
        w.write_record(&r)?;
    }
    w.into_inner()
        .map_err(|e| RenderError::CsvFlush(e.into_error()))
}

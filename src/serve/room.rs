//! The room of a live exercise: who has joined, which vignette the trainer
//! shows, whether answers are closed or the level revealed, and every
//! answer. Pure state behind one lock, with each answer appended to the
//! responses CSV (and flushed to the file) before it is acknowledged; the HTTP layer
//! ([`super::http`]) only maps requests to these calls and errors to
//! status codes.
//!
//! A restarted server reads the CSV back ([`Room::resume`]): answers of the
//! same phase count again, the trainer is put back on the last vignette
//! answered, and each name found there may join once more and carry on
//! with its earlier answers (its browser's old token is gone; the trainee
//! page joins again by itself with the name it kept). After that first
//! join the name is in the room, and another join with it gets 409.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::exercise::debrief::{self, Debrief};
use crate::exercise::notes::{self, CaseNotes};
use crate::exercise::responses::Response;
use crate::exercise::{cohort, parse_answer, Pack};
use crate::plan::{LevelRank, Plan};
use crate::report::exercise as report;

/// Why a request was refused; each maps to one HTTP status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// 400: the request is malformed.
    Bad(String),
    /// 401: an unknown trainee or a wrong trainer token.
    Unauthorised(String),
    /// 409: the request conflicts with the room (a name taken, a vignette
    /// not current, answers closed).
    Conflict(String),
    /// 422: the answer is not a level.
    Unprocessable(String),
    /// 500: the answer could not be saved.
    Failed(String),
}

impl Refusal {
    /// The message for the client.
    pub fn message(&self) -> &str {
        match self {
            Refusal::Bad(m)
            | Refusal::Unauthorised(m)
            | Refusal::Conflict(m)
            | Refusal::Unprocessable(m)
            | Refusal::Failed(m) => m,
        }
    }
}

/// What a vignette shows, computed once at start.
struct Shown {
    notes: CaseNotes,
    text: String,
    debrief: Debrief,
}

/// Where the answers go: the responses CSV, appended to.
pub trait Log: Send {
    /// Appends one row (trainee, vignette, level id, phase) and flushes it.
    fn append(&mut self, row: [&str; 4]) -> std::io::Result<()>;
}

/// A CSV file opened for appending.
pub struct CsvLog {
    w: csv::Writer<std::fs::File>,
    phase: bool,
}

impl CsvLog {
    /// Wraps a file opened for appending (the header is already there).
    pub fn new(file: std::fs::File) -> Self {
        Self {
            w: csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(file),
            phase: true,
        }
    }

    /// The same for an older file with no `phase` column.
    pub fn without_phase(file: std::fs::File) -> Self {
        Self {
            phase: false,
            ..Self::new(file)
        }
    }
}

impl Log for CsvLog {
    fn append(&mut self, row: [&str; 4]) -> std::io::Result<()> {
        if self.phase {
            self.w.write_record(row)?;
        } else {
            self.w.write_record(&row[..3])?;
        }
        // In the file (the operating system's cache) before it is
        // acknowledged: a crash or restart of the server loses nothing. No
        // fsync per answer: it would queue a room's answers behind the disk.
        self.w.flush()
    }
}

impl Log for Vec<[String; 4]> {
    fn append(&mut self, row: [&str; 4]) -> std::io::Result<()> {
        self.push(row.map(String::from));
        Ok(())
    }
}

/// The mutable part of the room.
struct Live {
    index: usize,
    /// Per vignette: answers closed (the spread shown).
    closed: Vec<bool>,
    /// Per vignette: the level revealed.
    revealed: Vec<bool>,
    ended: bool,
    /// Trainee token → name.
    tokens: HashMap<String, String>,
    /// Lower-cased name → in the room now (true) or only known from the
    /// CSV of an earlier run (false: may join once to carry on).
    names: HashMap<String, bool>,
    /// This phase's answers: (name, vignette) → level.
    answers: HashMap<(String, usize), LevelRank>,
    /// Answers per vignette in this phase.
    counts: Vec<usize>,
    /// Every answer for the summary (all phases of the file, the last per
    /// trainee, vignette and phase), and where each key sits in it.
    all: Vec<Response>,
    keys: HashMap<(String, usize, Option<String>), usize>,
    replaced: u64,
    log: Box<dyn Log>,
}

/// A live exercise.
pub struct Room {
    plan: std::sync::Arc<Plan>,
    pack: Pack,
    phase: Option<String>,
    no_reveal: bool,
    token: String,
    shown: Vec<Shown>,
    levels: Value,
    live: std::sync::Mutex<Live>,
}

/// Longest trainee name accepted, in characters.
pub const MAX_NAME: usize = 60;

/// The operating system gave no randomness for a token.
#[derive(Debug, thiserror::Error)]
#[error("no randomness for a token: {0}")]
pub struct NoRandomness(getrandom::Error);

/// A random token: 128 bits from the operating system, as hex.
pub fn new_token() -> Result<String, NoRandomness> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(NoRandomness)?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Checks a trainee's name: trimmed, 1 to [`MAX_NAME`] characters, no
/// control characters, not starting with a spreadsheet formula sign.
pub fn check_name(name: &str) -> Result<String, Refusal> {
    let n = name.trim();
    if n.is_empty() {
        return Err(Refusal::Bad("give your name to join".into()));
    }
    if n.chars().count() > MAX_NAME {
        return Err(Refusal::Bad(format!(
            "a name can be at most {MAX_NAME} characters"
        )));
    }
    if n.chars().any(char::is_control) {
        return Err(Refusal::Bad("a name cannot hold control characters".into()));
    }
    if n.starts_with(['=', '+', '-', '@']) {
        return Err(Refusal::Bad(
            "a name cannot start with = + - or @ (a spreadsheet would read it as a formula)".into(),
        ));
    }
    Ok(n.to_string())
}

impl Room {
    /// A new room. `earlier` holds the answers already in the responses
    /// file (all phases; see [`Room::resume`]).
    pub fn new(
        plan: std::sync::Arc<Plan>,
        pack: Pack,
        phase: Option<String>,
        no_reveal: bool,
        token: String,
        log: Box<dyn Log>,
    ) -> Self {
        let shown = pack
            .vignettes
            .iter()
            .map(|v| {
                let n = notes::case_notes(&plan, &v.record, &v.id);
                Shown {
                    text: notes::text(&n),
                    notes: n,
                    debrief: debrief::debrief(&plan, &v.record, &v.score),
                }
            })
            .collect();
        let levels = Value::Array(
            plan.decl
                .levels
                .iter()
                .map(|l| json!({"id": l.id, "label": l.label}))
                .collect(),
        );
        let k = pack.len();
        Self {
            live: std::sync::Mutex::new(Live {
                index: 0,
                closed: vec![false; k],
                revealed: vec![false; k],
                ended: false,
                tokens: HashMap::new(),
                names: HashMap::new(),
                answers: HashMap::new(),
                counts: vec![0; k],
                all: Vec::new(),
                keys: HashMap::new(),
                replaced: 0,
                log,
            }),
            plan,
            pack,
            phase,
            no_reveal,
            token,
            shown,
            levels,
        }
    }

    /// Carries on from the answers already in the responses file: every
    /// phase counts for the summary; this phase's answers count again in
    /// the room, their trainees may join once more, and the trainer is put
    /// on the last vignette answered. Returns (answers, trainees) of this
    /// phase taken up.
    pub fn resume(&self, earlier: Vec<Response>, replaced: u64) -> (usize, usize) {
        let mut live = self.lock();
        live.replaced += replaced;
        let mut last = None;
        let mut n = 0;
        for r in earlier {
            if r.phase == self.phase {
                live.names.entry(r.trainee.to_lowercase()).or_insert(false);
                let key = (r.trainee.clone(), r.vignette);
                if live.answers.insert(key, r.answer).is_none() {
                    if let Some(c) = live.counts.get_mut(r.vignette) {
                        *c += 1;
                    }
                }
                last = Some(last.map_or(r.vignette, |l: usize| l.max(r.vignette)));
                n += 1;
            }
            live.record(r);
        }
        if let Some(l) = last {
            live.index = l;
        }
        (n, live.names.len())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Live> {
        // A panic while the lock was held cannot leave the room half-changed
        // (each change is one assignment after the checks): carry on.
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// True when `token` is the trainer's.
    pub fn is_trainer(&self, token: &str) -> bool {
        // Compared in full whatever the prefix, so timing tells nothing.
        let (a, b) = (token.as_bytes(), self.token.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// The room's state as `GET /api/state` answers it; with a trainee's
    /// token, also that trainee's name and answer to the current vignette.
    pub fn state(&self, trainee: Option<&str>) -> Value {
        let live = self.lock();
        self.state_of(&live, trainee)
    }

    fn state_of(&self, live: &Live, trainee: Option<&str>) -> Value {
        let i = live.index;
        let mut m = Map::new();
        m.insert("exercise".into(), json!(self.plan.name));
        m.insert("phase".into(), json!(self.phase));
        m.insert("index".into(), json!(i));
        m.insert("total".into(), json!(self.pack.len()));
        let notes_v = match (self.pack.vignettes.get(i), self.shown.get(i)) {
            (Some(v), Some(s)) => json!({
                    "id": v.id,
                    "notes": s.text,
                    "facts": s.notes.facts.iter().map(|(k, v)| json!({"label": k, "value": v})).collect::<Vec<_>>(),
                "concerns": s.notes.concerns.iter().map(|(d, items)| json!({"domain": d, "items": items})).collect::<Vec<_>>(),
            }),
            _ => Value::Null,
        };
        m.insert("vignette".into(), notes_v);
        m.insert("levels".into(), self.levels.clone());
        m.insert(
            "answers".into(),
            json!(live.counts.get(i).copied().unwrap_or(0)),
        );
        m.insert(
            "trainees".into(),
            json!(live.names.values().filter(|x| **x).count()),
        );
        let closed = live.closed.get(i).copied().unwrap_or(false);
        let revealed = live.revealed.get(i).copied().unwrap_or(false);
        m.insert("closed".into(), json!(closed || revealed));
        m.insert("revealed".into(), json!(revealed));
        m.insert("reveal".into(), json!(!self.no_reveal));
        m.insert("ended".into(), json!(live.ended));
        if closed || revealed || live.ended {
            let mut spread = vec![0u64; self.plan.decl.levels.len()];
            for ((_, v), l) in &live.answers {
                if *v == i {
                    if let Some(s) = spread.get_mut(l.index()) {
                        *s += 1;
                    }
                }
            }
            m.insert(
                "spread".into(),
                Value::Array(
                    self.plan
                        .decl
                        .levels
                        .iter()
                        .zip(spread)
                        .map(|(l, n)| json!({"id": l.id, "label": l.label, "count": n}))
                        .collect(),
                ),
            );
        }
        if revealed {
            if let Some(s) = self.shown.get(i) {
                let d = &s.debrief;
                m.insert("level".into(), json!(d.level));
                m.insert("level_label".into(), json!(d.level_label));
                m.insert("reasons".into(), json!(d.reasons));
                m.insert("not_reached".into(), json!(d.not_reached));
                m.insert("debrief".into(), json!(d.summary));
            }
        }
        if let Some(name) = trainee.and_then(|t| live.tokens.get(t)) {
            m.insert("you".into(), json!(name));
            let mine = live
                .answers
                .get(&(name.clone(), i))
                .map(|l| self.plan.level_id(*l));
            m.insert("your_answer".into(), json!(mine));
            if revealed {
                if let (Some(a), Some(v)) = (
                    live.answers.get(&(name.clone(), i)),
                    self.pack.vignettes.get(i),
                ) {
                    m.insert("your_answer_matches".into(), json!(*a == v.score.level));
                }
            }
        }
        Value::Object(m)
    }

    /// `POST /api/join`: a new trainee; returns the trainee's token.
    pub fn join(&self, name: &str) -> Result<(String, String), Refusal> {
        let name = check_name(name)?;
        let token = new_token().map_err(|e| Refusal::Failed(e.to_string()))?;
        let mut live = self.lock();
        let key = name.to_lowercase();
        if live.names.get(&key) == Some(&true) {
            return Err(Refusal::Conflict(format!(
                "`{name}` is already in the room: choose another name (add an initial)"
            )));
        }
        // A name from an earlier run of this phase carries on with its
        // answers under the spelling it had then.
        let known = live
            .answers
            .keys()
            .map(|(n, _)| n)
            .find(|n| n.to_lowercase() == key)
            .cloned()
            .unwrap_or(name);
        live.names.insert(key, true);
        live.tokens.insert(token.clone(), known.clone());
        Ok((token, known))
    }

    /// `POST /api/answer`: records (and appends to the CSV) a trainee's
    /// answer to the current vignette; a later answer replaces an earlier.
    pub fn answer(&self, trainee: &str, vignette: &str, level: &str) -> Result<(), Refusal> {
        let mut live = self.lock();
        let Some(name) = live.tokens.get(trainee).cloned() else {
            return Err(Refusal::Unauthorised(
                "unknown trainee: join the room first".into(),
            ));
        };
        let i = live.index;
        let current = self.pack.vignettes.get(i).map(|v| v.id.as_str());
        if self.pack.find(vignette) != Some(i) || current.is_none() {
            return Err(Refusal::Conflict(format!(
                "case `{}` is not the current case{}",
                crate::text::shorten(vignette),
                current.map_or(String::new(), |c| format!(" (`{c}` is)"))
            )));
        }
        if live.ended {
            return Err(Refusal::Conflict("the exercise has ended".into()));
        }
        if live.closed.get(i) == Some(&true) || live.revealed.get(i) == Some(&true) {
            return Err(Refusal::Conflict("answers to this case are closed".into()));
        }
        let Some(l) = parse_answer(&self.plan, level) else {
            return Err(Refusal::Unprocessable(format!(
                "`{}` is not a level: answer with a level id, label or a number 1 to {}",
                crate::text::shorten(level),
                self.plan.decl.levels.len()
            )));
        };
        let vid = current.unwrap_or_default();
        live.log
            .append([
                name.as_str(),
                vid,
                self.plan.level_id(l),
                self.phase.as_deref().unwrap_or(""),
            ])
            .map_err(|e| Refusal::Failed(format!("the answer could not be saved: {e}")))?;
        if live.answers.insert((name.clone(), i), l).is_none() {
            if let Some(c) = live.counts.get_mut(i) {
                *c += 1;
            }
        }
        let phase = self.phase.clone();
        live.record(Response {
            row: 0,
            trainee: name,
            vignette: i,
            answer: l,
            phase,
        });
        Ok(())
    }

    /// Trainer: the next vignette.
    pub fn next(&self) -> Result<Value, Refusal> {
        let mut live = self.lock();
        if live.index + 1 >= self.pack.len() {
            return Err(Refusal::Conflict(
                "this is the last case: end the exercise to see the summary".into(),
            ));
        }
        live.index += 1;
        live.ended = false;
        Ok(self.state_of(&live, None))
    }

    /// Trainer: the previous vignette.
    pub fn previous(&self) -> Result<Value, Refusal> {
        let mut live = self.lock();
        if live.index == 0 {
            return Err(Refusal::Conflict("this is the first case".into()));
        }
        live.index -= 1;
        live.ended = false;
        Ok(self.state_of(&live, None))
    }

    /// Trainer: close answers to the current vignette and show the spread.
    pub fn close(&self) -> Result<Value, Refusal> {
        let mut live = self.lock();
        let i = live.index;
        if let Some(c) = live.closed.get_mut(i) {
            *c = true;
        }
        Ok(self.state_of(&live, None))
    }

    /// Trainer: reveal the rules' level (closing answers); refused with
    /// `--no-reveal`.
    pub fn reveal(&self) -> Result<Value, Refusal> {
        if self.no_reveal {
            return Err(Refusal::Conflict(
                "this exercise runs with --no-reveal (a pre-training round): the rules' levels are not shown".into(),
            ));
        }
        let mut live = self.lock();
        let i = live.index;
        if let Some(c) = live.closed.get_mut(i) {
            *c = true;
        }
        if let Some(r) = live.revealed.get_mut(i) {
            *r = true;
        }
        Ok(self.state_of(&live, None))
    }

    /// Trainer: end the exercise (answers close; the summary follows).
    pub fn end(&self) -> Result<Value, Refusal> {
        let mut live = self.lock();
        live.ended = true;
        Ok(self.state_of(&live, None))
    }

    /// The SPEC §7 report of the answers so far, as JSON.
    pub fn summary(&self) -> Result<Value, Refusal> {
        let live = self.lock();
        let c = cohort::cohort(&self.plan, &self.pack, &live.all);
        let mut model = report::build(
            &self.plan,
            &self.pack,
            &c,
            live.all.len() as u64 + live.replaced,
            &[],
        );
        model.replaced = live.replaced;
        drop(live);
        serde_json::to_value(&model).map_err(|e| Refusal::Failed(e.to_string()))
    }

    /// The phase, if any.
    pub fn phase(&self) -> Option<&str> {
        self.phase.as_deref()
    }
}

impl Live {
    /// Keeps one answer for the summary: the last per trainee, vignette and
    /// phase, in the place of the first.
    fn record(&mut self, r: Response) {
        let key = (r.trainee.clone(), r.vignette, r.phase.clone());
        if let Some(slot) = self.keys.get(&key).and_then(|i| self.all.get_mut(*i)) {
            *slot = r;
            self.replaced += 1;
        } else {
            self.keys.insert(key, self.all.len());
            self.all.push(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::testutil::{plan, vignette};

    fn room(no_reveal: bool) -> Room {
        let p = plan();
        let pack = Pack::new(vec![
            vignette(&p, "V01", 4.0, &["hygiene"]),
            vignette(&p, "V02", 0.5, &["injury"]),
        ]);
        Room::new(
            std::sync::Arc::new(p),
            pack,
            Some("pre".into()),
            no_reveal,
            "secret".into(),
            Box::new(Vec::<[String; 4]>::new()),
        )
    }

    #[test]
    fn answers_replace_and_count_once() {
        let r = room(false);
        let (t, name) = r.join(" Ann ").unwrap();
        assert_eq!(name, "Ann");
        assert!(matches!(r.join("ANN"), Err(Refusal::Conflict(_))));
        r.answer(&t, "v01", "targeted").unwrap();
        r.answer(&t, "V01", "Level 2 - Early help").unwrap();
        let s = r.state(Some(&t));
        assert_eq!(s["answers"], 1);
        assert_eq!(s["your_answer"], "early_help");
        assert!(
            s.get("spread").is_none(),
            "the spread waits for the trainer"
        );
        assert!(matches!(
            r.answer("x", "V01", "1"),
            Err(Refusal::Unauthorised(_))
        ));
        assert!(matches!(
            r.answer(&t, "V02", "1"),
            Err(Refusal::Conflict(_))
        ));
        assert!(matches!(
            r.answer(&t, "V01", "9"),
            Err(Refusal::Unprocessable(_))
        ));
        let sum = r.summary().unwrap();
        assert_eq!(
            (sum["n"].clone(), sum["replaced"].clone()),
            (json!(1), json!(1))
        );
    }

    #[test]
    fn no_reveal_never_shows_the_level() {
        let r = room(true);
        assert!(matches!(r.reveal(), Err(Refusal::Conflict(_))));
        let s = r.close().unwrap();
        assert_eq!(s["closed"], true);
        assert!(s.get("level").is_none() && s.get("debrief").is_none());
        assert!(r.is_trainer("secret") && !r.is_trainer("secreT") && !r.is_trainer(""));
    }

    #[test]
    fn resume_takes_up_this_phase_and_lets_names_rejoin_once() {
        let r = room(false);
        let earlier = vec![
            Response {
                row: 2,
                trainee: "Bo".into(),
                vignette: 1,
                answer: LevelRank::new(3),
                phase: Some("pre".into()),
            },
            Response {
                row: 3,
                trainee: "Cy".into(),
                vignette: 0,
                answer: LevelRank::new(0),
                phase: Some("post".into()),
            },
        ];
        assert_eq!(r.resume(earlier, 0), (1, 1));
        let s = r.state(None);
        assert_eq!(
            (s["index"].clone(), s["answers"].clone()),
            (json!(1), json!(1))
        );
        let (t, name) = r.join("bo").unwrap();
        assert_eq!(name, "Bo");
        assert_eq!(r.state(Some(&t))["your_answer"], "specialist");
        assert!(matches!(r.join("Bo"), Err(Refusal::Conflict(_))));
        // The other phase counts in the summary only.
        let sum = r.summary().unwrap();
        assert_eq!(sum["phases"]["pre"]["n"], 1);
        assert_eq!(sum["phases"]["post"]["n"], 1);
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("").is_err());
        assert!(check_name("=1+1").is_err());
        assert!(check_name("a\u{1b}[31m").is_err());
        assert!(check_name(&"x".repeat(MAX_NAME + 1)).is_err());
        assert_eq!(check_name("  Dr Ng ").unwrap(), "Dr Ng");
    }
}

//! Reading a large census on several threads (issue 16: 300,000 episodes a
//! second on two cores). One thread reads the file in chunks, each cut just
//! after a `</Child>`; worker threads parse chunks at once, each from the
//! state the reader was last known to be in between children; the reader's
//! own thread takes the chunks in file order and keeps a chunk's episodes
//! only when the state it was parsed from is the state the previous chunk
//! really ended in, and nothing in it needed more than that state (a
//! header, a message boundary, a `<Child>` closing an unclosed one, XML the
//! reader cannot read past, an error). Any other chunk, and the last one,
//! is read again in order by the one sequential reader ([`CinSource`]) from
//! the file, until that reader reaches the start of a later chunk between
//! two events. So every row, reject, line number, warning and error is the
//! sequential reader's, whatever the file holds (a `</Child>` inside a
//! comment, a cut in the middle of a tag): chunks only make it quicker.
//!
//! Memory stays flat: at most [`IN_FLIGHT_PER_WORKER`] chunks per worker are
//! read ahead of the one being handed on.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::{CinSource, Resume, Step};
use crate::data::{DataError, PlanMismatch, Raw, RowSource};
use crate::plan::Plan;

/// The size a chunk is cut at (just after the next `</Child>`).
pub const CHUNK_BYTES: usize = 1 << 20;

/// A chunk with no `</Child>` is cut at this many times [`CHUNK_BYTES`]
/// anyway (and read in order).
const MAX_CHUNK_FACTOR: usize = 8;

/// Chunks read ahead of the one being handed on, per worker.
pub const IN_FLIGHT_PER_WORKER: usize = 4;

/// How far back a search for a cut goes into bytes already searched, so
/// that a `</Child>` (or `</prefix:Child>`) cut by a read is found whole.
const OVERLAP: usize = 64;

/// Opens a census: on several threads when the machine has more than one
/// core and the file holds more than a few chunks, else in order.
pub fn open(path: &Path) -> Result<Box<dyn RowSource>, DataError> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    if workers < 2 || size < 4 * CHUNK_BYTES as u64 {
        return Ok(Box::new(CinSource::open(path)?));
    }
    Ok(Box::new(ChunkedCin::open(path, CHUNK_BYTES, workers)?))
}

/// A chunk of the file for a worker.
struct Job {
    index: u64,
    offset: u64,
    /// Line breaks before the chunk, and in it.
    newlines: u64,
    newlines_in: u64,
    bytes: Arc<Vec<u8>>,
    /// The last chunk (read in order, not by a worker).
    last: bool,
}

/// A chunk as a worker parsed it.
struct Parsed {
    /// The state it was parsed from.
    guess: Arc<Resume>,
    /// Parsed from the file's start (the first chunk): its state is known.
    exact: bool,
    /// Read to its end without an error that stops a run.
    ok: bool,
    /// Nothing in it needed more than the guessed state.
    pure: bool,
    /// Its state at its end.
    end: Resume,
    rows: Vec<Raw>,
}

/// A chunk handed back, in any order.
struct Done {
    index: u64,
    offset: u64,
    end_offset: u64,
    newlines: u64,
    end_newlines: u64,
    last: bool,
    parsed: Option<Parsed>,
}

/// How the reader's thread is reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Taking the workers' chunks.
    Chunks,
    /// Reading in order (up to the start of the next chunk, or the end).
    InOrder { until: Option<u64> },
}

/// A census read on several threads (see the module comment).
pub struct ChunkedCin {
    /// The sequential reader: the state of record, and the reader of every
    /// chunk that cannot be taken as parsed.
    main: CinSource,
    results: Receiver<Done>,
    waiting: BTreeMap<u64, Done>,
    /// The next chunk to take, where it starts and the line breaks before.
    next: u64,
    offset: u64,
    newlines: u64,
    credits: Option<Sender<()>>,
    /// The state the workers parse from: the latest known between chunks.
    guess: Arc<Mutex<Arc<Resume>>>,
    rows: std::vec::IntoIter<Raw>,
    /// Rows handed on and given back by the caller, for the workers to fill
    /// again (so that no episode allocates).
    spent: Vec<Raw>,
    spare: Sender<Vec<Raw>>,
    mode: Mode,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    done: bool,
}

impl ChunkedCin {
    /// Opens `path` read in chunks of about `chunk` bytes by `workers`
    /// threads (tests use tiny chunks to cut files everywhere).
    pub fn open(path: &Path, chunk: usize, workers: usize) -> Result<ChunkedCin, DataError> {
        let main = CinSource::open(path)?;
        let file = File::open(path).map_err(|e| DataError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let workers = workers.max(1);
        let (job_tx, job_rx) = channel::<Job>();
        let job_rx = Arc::new(Mutex::new(job_rx));
        let (done_tx, done_rx) = channel::<Done>();
        let (credit_tx, credit_rx) = channel::<()>();
        for _ in 0..workers * IN_FLIGHT_PER_WORKER {
            let _ = credit_tx.send(());
        }
        let (first_tx, first_rx) = channel::<()>();
        let (spare_tx, spare_rx) = channel::<Vec<Raw>>();
        let spare_rx = Arc::new(Mutex::new(spare_rx));
        let guess = Arc::new(Mutex::new(Arc::new(main.snapshot())));
        let stop = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::with_capacity(workers + 1);
        let chunk = chunk.max(1);
        {
            let stop = Arc::clone(&stop);
            threads.push(std::thread::spawn(move || {
                split(file, chunk, &credit_rx, &job_tx, &first_rx, &stop);
            }));
        }
        for _ in 0..workers {
            let worker = Worker {
                path: path.to_path_buf(),
                jobs: Arc::clone(&job_rx),
                done: done_tx.clone(),
                guess: Arc::clone(&guess),
                first: first_tx.clone(),
                stop: Arc::clone(&stop),
                spare: Arc::clone(&spare_rx),
            };
            threads.push(std::thread::spawn(move || worker.run()));
        }
        Ok(ChunkedCin {
            main,
            results: done_rx,
            waiting: BTreeMap::new(),
            next: 0,
            offset: 0,
            newlines: 0,
            credits: Some(credit_tx),
            guess,
            rows: Vec::new().into_iter(),
            spent: Vec::new(),
            spare: spare_tx,
            mode: Mode::Chunks,
            stop,
            threads,
            done: false,
        })
    }

    /// The next chunk in file order (waiting for it), its credit handed
    /// back. If the threads have stopped, the rest of the file is one last
    /// chunk, read in order.
    fn take(&mut self) -> Done {
        loop {
            if let Some(d) = self.waiting.remove(&self.next) {
                self.next += 1;
                self.offset = d.end_offset;
                self.newlines = d.end_newlines;
                if let Some(c) = &self.credits {
                    let _ = c.send(());
                }
                return d;
            }
            match self.results.recv() {
                Ok(d) => {
                    self.waiting.insert(d.index, d);
                }
                Err(_) => {
                    return Done {
                        index: self.next,
                        offset: self.offset,
                        end_offset: self.offset,
                        newlines: self.newlines,
                        end_newlines: self.newlines,
                        last: true,
                        parsed: None,
                    }
                }
            }
        }
    }

    /// Lets the workers parse from the reader's present state.
    fn publish(&self) {
        if let Ok(mut g) = self.guess.lock() {
            if !self.main.is_at(&g) {
                *g = Arc::new(self.main.snapshot());
            }
        }
    }

    fn read(&mut self, raw: &mut Option<Raw>) -> Result<bool, DataError> {
        loop {
            if let Some(row) = self.rows.next() {
                self.spent.extend(raw.replace(row));
                return Ok(true);
            }
            if !self.spent.is_empty() {
                let _ = self.spare.send(std::mem::take(&mut self.spent));
            }
            match self.mode {
                Mode::InOrder { until } => {
                    self.main.pause_at(until);
                    match self.main.read(raw)? {
                        Step::Row => return Ok(true),
                        Step::End => return Ok(false),
                        Step::Paused => self.paused(),
                    }
                }
                Mode::Chunks => {
                    let d = self.take();
                    if d.last {
                        self.main.resume_at(d.offset, d.newlines)?;
                        self.mode = Mode::InOrder { until: None };
                        continue;
                    }
                    match d.parsed.and_then(|p| self.accept(p)) {
                        Some(rows) => {
                            self.rows = rows.into_iter();
                            self.publish();
                        }
                        None => {
                            self.main.resume_at(d.offset, d.newlines)?;
                            self.mode = Mode::InOrder {
                                until: Some(d.end_offset),
                            };
                        }
                    }
                }
            }
        }
    }

    /// The rows of a parsed chunk, when they are what reading in order
    /// would give; the reader's state then moves to the chunk's end.
    fn accept(&mut self, p: Parsed) -> Option<Vec<Raw>> {
        if !p.ok || !p.end.quiet() {
            return None;
        }
        if p.exact {
            self.main.restore(&p.end);
            return Some(p.rows);
        }
        if !p.pure || !self.main.is_at(&p.guess) {
            return None;
        }
        self.main.restore_place(&p.end);
        self.main.count_episodes(p.rows.len() as u64);
        Some(p.rows)
    }

    /// Reading in order reached the start of the next chunk: take chunks
    /// again if it is there exactly (between two events), else read on in
    /// order past every chunk it has begun.
    fn paused(&mut self) {
        let at = self.main.position();
        loop {
            if self.offset == at {
                self.mode = Mode::Chunks;
                self.publish();
                return;
            }
            let d = self.take();
            if d.last {
                self.mode = Mode::InOrder { until: None };
                return;
            }
            if d.end_offset > at {
                self.mode = Mode::InOrder {
                    until: Some(d.end_offset),
                };
                return;
            }
        }
    }

    /// Stops the threads and waits for them.
    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.credits = None;
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for ChunkedCin {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl RowSource for ChunkedCin {
    fn header(&self) -> Option<&[String]> {
        self.main.header()
    }

    fn derived_header(&self) -> bool {
        true
    }

    fn check_plan(&self, plan: &Plan) -> Result<(), PlanMismatch> {
        self.main.check_plan(plan)
    }

    fn next_row(&mut self, raw: &mut Option<Raw>) -> Result<bool, DataError> {
        if self.done {
            return Ok(false);
        }
        let result = self.read(raw);
        if !matches!(result, Ok(true)) {
            self.done = true;
            self.shutdown();
        }
        result
    }

    fn position(&self) -> u64 {
        match self.mode {
            Mode::InOrder { .. } => self.main.position(),
            Mode::Chunks => self.offset,
        }
    }

    fn warnings(&self) -> Vec<String> {
        self.main.warnings()
    }
}

/// Reads `want` bytes into `buf` in all (fewer at the end of the file):
/// false at the end.
fn fill(file: &mut File, buf: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    let need = want.saturating_sub(buf.len()) as u64;
    file.by_ref().take(need).read_to_end(buf)?;
    Ok(buf.len() >= want)
}

/// The reading thread: cuts the file into chunks and hands them to the
/// workers, one per credit. The second chunk waits for the first to be
/// parsed, so that every later chunk is parsed from a state inside the
/// first message (the first chunk holds the header).
fn split(
    mut file: File,
    chunk: usize,
    credits: &Receiver<()>,
    jobs: &Sender<Job>,
    first: &Receiver<()>,
    stop: &AtomicBool,
) {
    let step = (chunk / 16).max(OVERLAP);
    let (mut offset, mut newlines, mut index) = (0u64, 0u64, 0u64);
    let mut buf: Vec<u8> = Vec::with_capacity(chunk + step);
    let mut eof = false;
    loop {
        if credits.recv().is_err() || stop.load(Ordering::Relaxed) {
            return;
        }
        if index == 1 {
            let _ = first.recv();
        }
        // A chunk's worth, then on to the next `</Child>`. A read error
        // ends the chunks: the sequential reader reads the rest itself and
        // meets it.
        let mut from = chunk.saturating_sub(OVERLAP);
        let cut = loop {
            if buf.len() >= chunk {
                let at = from.min(buf.len());
                if let Some(end) = child_end(buf.get(at..).unwrap_or_default()) {
                    break Some(at + end);
                }
                if buf.len() >= chunk.saturating_mul(MAX_CHUNK_FACTOR) {
                    break Some(buf.len());
                }
                from = buf.len().saturating_sub(OVERLAP);
            }
            if eof {
                break None;
            }
            let want = if buf.len() < chunk {
                chunk
            } else {
                buf.len() + step
            };
            match fill(&mut file, &mut buf, want) {
                Ok(more) => eof = !more,
                Err(_) => {
                    eof = true;
                    break None;
                }
            }
        };
        let (bytes, last) = match cut {
            Some(c) if c < buf.len() || !eof => {
                let rest = buf.split_off(c.min(buf.len()));
                (std::mem::replace(&mut buf, rest), false)
            }
            _ => (std::mem::take(&mut buf), true),
        };
        let newlines_in = memchr::memchr_iter(b'\n', &bytes).count() as u64;
        let len = bytes.len() as u64;
        let job = Job {
            index,
            offset,
            newlines,
            newlines_in,
            bytes: Arc::new(bytes),
            last,
        };
        if jobs.send(job).is_err() || last {
            return;
        }
        offset += len;
        newlines += newlines_in;
        index += 1;
    }
}

/// Where the first `</Child>` or `</prefix:Child>` in `bytes` ends (a
/// namespace prefix is allowed, as the reader allows it). Only a place to
/// try a cut: a wrong one costs speed, never a row.
fn child_end(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(bytes.get(from..)?, CHILD) {
        let at = from + i;
        if closes(bytes.get(..at).unwrap_or_default()) {
            return Some(at + CHILD.len());
        }
        from = at + CHILD.len();
    }
    None
}

/// Whether a chunk was cut just after a `</Child>` (or `</prefix:Child>`),
/// not at its largest size.
fn ends_after_child(bytes: &[u8]) -> bool {
    bytes.strip_suffix(CHILD).is_some_and(closes)
}

/// The end of a `Child` end tag's name.
const CHILD: &[u8] = b"Child>";

/// Whether `before` ends with `</` or `</prefix:`, so that `Child>` after
/// it closes a child.
fn closes(before: &[u8]) -> bool {
    before.ends_with(b"</")
        || before.strip_suffix(b":").is_some_and(|rest| {
            let prefix = rest
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
                .count();
            prefix > 0
                && rest
                    .get(..rest.len() - prefix)
                    .is_some_and(|r| r.ends_with(b"</"))
        })
}

/// A worker thread and what it shares with the others.
struct Worker {
    path: std::path::PathBuf,
    jobs: Arc<Mutex<Receiver<Job>>>,
    done: Sender<Done>,
    /// The state to parse from (see [`ChunkedCin::guess`]).
    guess: Arc<Mutex<Arc<Resume>>>,
    /// Told when the first chunk is parsed.
    first: Sender<()>,
    stop: Arc<AtomicBool>,
    /// Rows to fill again.
    spare: Arc<Mutex<Receiver<Vec<Raw>>>>,
}

impl Worker {
    /// Parses chunks until there are none.
    fn run(self) {
        loop {
            let job = match self.jobs.lock() {
                Ok(rx) => rx.recv(),
                Err(_) => return,
            };
            let Ok(job) = job else {
                return;
            };
            if self.stop.load(Ordering::Relaxed) {
                // The splitter may be waiting for the first chunk, and the
                // other workers for the splitter: it must hear of it.
                if job.index == 0 {
                    let _ = self.first.send(());
                }
                return;
            }
            // A chunk cut where no `</Child>` was found may end inside a
            // text (a character cut in two, a value's first half): parsed
            // to its end it would not read as in order, so it is read in
            // order, like the last. A fault in parsing (none is known)
            // costs the chunk, read again in order, not a hang: every chunk
            // is answered.
            let parsed = (!job.last && ends_after_child(&job.bytes))
                .then(|| {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.parse(&job))).ok()
                })
                .flatten();
            if job.index == 0 {
                if let (Some(p), Ok(mut g)) = (&parsed, self.guess.lock()) {
                    if p.ok {
                        *g = Arc::new(p.end.clone());
                    }
                }
                let _ = self.first.send(());
            }
            let d = Done {
                index: job.index,
                offset: job.offset,
                end_offset: job.offset + job.bytes.len() as u64,
                newlines: job.newlines,
                end_newlines: job.newlines + job.newlines_in,
                last: job.last,
                parsed,
            };
            if self.done.send(d).is_err() {
                return;
            }
        }
    }

    /// Parses one chunk from the latest known state (the first from the
    /// start).
    fn parse(&self, job: &Job) -> Parsed {
        let exact = job.index == 0;
        let from = if exact {
            Arc::new(Resume::default())
        } else {
            self.guess
                .lock()
                .map(|g| Arc::clone(&g))
                .unwrap_or_default()
        };
        let mut src = CinSource::chunk(
            &self.path,
            Arc::clone(&job.bytes),
            job.offset,
            job.newlines,
            &from,
        );
        let mut spare = self
            .spare
            .lock()
            .ok()
            .and_then(|rx| rx.try_recv().ok())
            .unwrap_or_default();
        let mut rows = Vec::with_capacity(spare.len().max(64));
        let mut raw = None;
        let ok = loop {
            if raw.is_none() {
                raw = spare.pop();
            }
            match src.read(&mut raw) {
                Ok(Step::Row) => rows.extend(raw.take()),
                Ok(_) => break true,
                Err(_) => break false,
            }
        };
        Parsed {
            guess: from,
            exact,
            ok,
            pure: !src.impure(),
            end: src.snapshot(),
            rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row, the end or the error, and the warnings of a reader.
    fn all(mut src: Box<dyn RowSource>, path: &Path) -> Vec<String> {
        let mut out = super::super::tests::rows_of(&mut *src, path);
        out.push(format!("{:?}", src.warnings()));
        out
    }

    /// Reads `text` in order and in chunks of several sizes: the same rows,
    /// rejects, lines, errors and warnings.
    fn same_in_chunks(text: &[u8]) {
        same_in(text, &[1, 40, 150, 700, 5000], &[1, 2, 3]);
    }

    /// `text` written to a file of its own (kept while the folder lives).
    fn file(text: impl AsRef<[u8]>) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.xml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    fn same_in(text: &[u8], chunks: &[usize], workers: &[usize]) {
        let (_dir, path) = file(text);
        let in_order = all(Box::new(CinSource::open(&path).unwrap()), &path);
        for &chunk in chunks {
            for &workers in workers {
                let chunked = all(
                    Box::new(ChunkedCin::open(&path, chunk, workers).unwrap()),
                    &path,
                );
                assert_eq!(
                    chunked, in_order,
                    "chunks of {chunk} bytes, {workers} workers"
                );
            }
        }
    }

    fn paths() -> String {
        String::from_utf8_lossy(include_bytes!("../../../tests/fixtures/cin/paths.xml")).into()
    }

    #[test]
    fn chunks_read_as_in_order() {
        same_in_chunks(paths().as_bytes());
    }

    #[test]
    fn chunks_read_as_in_order_when_children_break_and_cuts_mislead() {
        let text = paths();
        // A misspelt and a missing `</Child>`.
        same_in_chunks(text.replacen("</Child>", "</Chlid>", 1).as_bytes());
        same_in_chunks(text.replace("</Child>", "").as_bytes());
        // A `</Child>` where no element ends: in a comment, in a CDATA
        // section, in a value.
        same_in_chunks(
            text.replacen(
                "</Child>",
                "<!-- </Child> </Child> --></Child><![CDATA[</Child>]]>",
                2,
            )
            .as_bytes(),
        );
        same_in_chunks(
            text.replacen(
                "<LAchildID>C002</LAchildID>",
                "<LAchildID>C&lt;/Child&gt;</Child></LAchildID>",
                1,
            )
            .as_bytes(),
        );
        // A value that runs over chunks, an unreadable tag, the file cut short.
        same_in_chunks(
            text.replacen(
                "<ReferralSource>3A</ReferralSource>",
                &format!("<ReferralSource>{}</ReferralSource>", "x".repeat(3000)),
                1,
            )
            .as_bytes(),
        );
        same_in_chunks(text.replacen("</CINdetails>", "</CINdetails", 2).as_bytes());
        for cut in (0..text.len()).step_by(211) {
            same_in_chunks(&text.as_bytes()[..cut]);
        }
    }

    #[test]
    fn pooled_messages_keep_their_own_councils_in_chunks() {
        let text = paths();
        let body = text.trim_start_matches(|c| c != '<');
        let second = body
            .replacen("<LEA>", "<LEA>9", 1)
            .replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "");
        let pooled = format!("{text}\n{second}\n{}", body.replacen("<LEA>", "<LEA>8", 1));
        same_in_chunks(pooled.as_bytes());
    }

    /// The fixture with its children written `n` times over.
    fn many(n: usize) -> String {
        let text = paths();
        let (head, rest) = text.split_at(text.find("<Child>").unwrap());
        let end = rest.rfind("</Child>").unwrap() + "</Child>".len();
        let (children, tail) = rest.split_at(end);
        format!("{head}{}{tail}", children.repeat(n))
    }

    #[test]
    fn garbled_files_read_as_in_order_in_chunks() {
        let text = many(6);
        let mut seed = 11u64;
        for _ in 0..80 {
            let mut bytes = text.as_bytes().to_vec();
            for _ in 0..6 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let at = (seed >> 33) as usize % bytes.len();
                bytes[at] = b"<>/&;x\n\"C"[(seed >> 20) as usize % 9];
            }
            same_in(&bytes, &[150, 900], &[2]);
        }
    }

    #[test]
    fn cuts_are_found_after_prefixed_child_ends_only() {
        assert_eq!(child_end(b"<Child></Child>x"), Some(15));
        assert_eq!(child_end(b"<cin:Child>a</cin:Child>x"), Some(24));
        assert_eq!(child_end(b"<cin:Child><NotChild></NotChild>"), None);
        assert_eq!(child_end(b"<:Child>:Child>"), None);
        assert_eq!(child_end(b"Child>"), None);
        assert!(ends_after_child(b"<a></Child>"));
        assert!(ends_after_child(b"<a></cin:Child>"));
        assert!(!ends_after_child(b"<a><Child>"));
        assert!(!ends_after_child(b"<a></Child> "));
    }

    #[test]
    fn prefixed_files_are_taken_as_parsed_too() {
        let text = many(40)
            .replace("<Message>", "<cin:Message xmlns:cin=\"urn:example\">")
            .replace("</Message>", "</cin:Message>")
            .replace("<Child>", "<cin:Child>")
            .replace("</Child>", "</cin:Child>");
        same_in(text.as_bytes(), &[150, 2000], &[2]);
        let (rows, taken) = taken(&text, 2000);
        assert_eq!(rows, 7 * 40);
        assert!(
            taken > rows / 2,
            "only {taken} of {rows} rows came from chunks"
        );
    }

    /// How many rows `text` gives, read in chunks of `chunk` bytes by two
    /// workers, and how many of them came from parsed chunks.
    fn taken(text: &str, chunk: usize) -> (usize, usize) {
        let (_dir, path) = file(text);
        let mut src = ChunkedCin::open(&path, chunk, 2).unwrap();
        let mut raw = None;
        let (mut rows, mut taken) = (0, 0);
        while src.next_row(&mut raw).unwrap() {
            rows += 1;
            if src.mode == Mode::Chunks {
                taken += 1;
            }
        }
        (rows, taken)
    }

    #[test]
    fn many_children_are_taken_as_parsed() {
        // Enough children that chunks are accepted, not all read again.
        let many = many(40);
        same_in_chunks(many.as_bytes());
        let (rows, taken) = taken(&many, 2000);
        assert_eq!(rows, 7 * 40);
        assert!(
            taken > rows / 2,
            "only {taken} of {rows} rows came from chunks"
        );
    }
    #[test]
    fn a_chunk_cut_inside_a_text_reads_as_in_order() {
        // A child with no `</Child>` for many chunks: the chunk is cut where
        // it reaches its largest size, here inside a character (3 bytes)
        // of a text the reader passes over. Parsed alone, the chunk's last
        // text is not UTF-8: a fault the file does not have.
        let text = paths().replacen(
            "<Ethnicity>WBRI</Ethnicity>",
            &format!(
                "<Ethnicity>WBRI</Ethnicity><Note>{}</Note>",
                "€".repeat(400)
            ),
            1,
        );
        let chunks: Vec<usize> = (1..160).collect();
        same_in(text.as_bytes(), &chunks, &[1, 2]);
    }
    #[test]
    fn a_byte_order_mark_where_a_chunk_begins_reads_as_in_order() {
        // Read from its start, a chunk's reader passes over a byte order
        // mark there; read in order, it is a text after `</Child>` (not
        // UTF-8 for the UTF-16 marks: the run stops).
        let text = paths();
        for bom in [&b"\xFF\xFE"[..], b"\xFE\xFF", b"\xEF\xBB\xBF"] {
            for nth in [1, 3] {
                let at = text.match_indices("</Child>").nth(nth - 1).unwrap().0 + 8;
                let mut bytes = text.as_bytes()[..at].to_vec();
                bytes.extend_from_slice(bom);
                bytes.extend_from_slice(b"  \r\n");
                bytes.extend_from_slice(&text.as_bytes()[at..]);
                let chunks: Vec<usize> = (1..120).step_by(3).collect();
                same_in(&bytes, &chunks, &[1, 2]);
            }
        }
    }
    #[test]
    fn stopping_early_or_at_an_error_leaves_no_thread_and_the_rows_read() {
        // A refused entity between children stops the run part way.
        let text = many(30);
        let at = text.match_indices("</Child>").nth(70).unwrap().0 + 8;
        let broken = format!("{}&bad;{}", &text[..at], &text[at..]);
        let dir = tempfile::tempdir().unwrap();
        for (i, text) in [text, broken].iter().enumerate() {
            let path = dir.path().join(format!("c{i}.xml"));
            std::fs::write(&path, text).unwrap();
            let in_order = all(Box::new(CinSource::open(&path).unwrap()), &path);
            for chunk in [1, 97, 1000] {
                for stop in [0, 1, 5, 40, 150, usize::MAX] {
                    let mut src = ChunkedCin::open(&path, chunk, 3).unwrap();
                    let mut raw = None;
                    let mut rows = Vec::new();
                    while rows.len() < stop {
                        match src.next_row(&mut raw) {
                            Ok(true) => rows.push(format!("{raw:?}")),
                            Ok(false) => break,
                            Err(e) => {
                                let e = e.to_string().replace(&path.display().to_string(), "FILE");
                                rows.push(format!("stopped: {e}"));
                                // Stopped: no thread runs, and it stays stopped.
                                assert!(src.threads.is_empty());
                                assert!(matches!(src.next_row(&mut raw), Ok(false)));
                                break;
                            }
                        }
                    }
                    if stop == usize::MAX {
                        assert!(src.threads.is_empty());
                        rows.push(format!("{:?}", src.warnings()));
                        assert_eq!(rows, in_order, "chunks of {chunk} bytes");
                    } else {
                        let n = rows.len();
                        assert_eq!(rows, in_order[..n], "chunks of {chunk}, {stop} rows");
                    }
                    // Dropped with its workers busy or waiting: returns.
                    drop(src);
                }
            }
            assert!(in_order.len() > 100, "{}", in_order.len());
            assert_eq!(in_order.iter().any(|r| r.starts_with("stopped")), i == 1);
        }
    }
    #[test]
    fn dropped_at_once_it_stops_without_waiting_for_ever() {
        // Dropped as the splitter waits for the first chunk to be parsed:
        // the worker that takes it sees the stop and must still say so, or
        // the splitter waits for it, and the other workers for the splitter.
        let (_dir, path) = file(many(20));
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for i in 0..400 {
                let mut src = ChunkedCin::open(&path, 1 + i % 50, 2 + i % 3).unwrap();
                if i % 2 == 1 {
                    let mut raw = None;
                    let _ = src.next_row(&mut raw);
                }
                drop(src);
            }
            let _ = tx.send(());
        });
        assert!(
            rx.recv_timeout(std::time::Duration::from_secs(60)).is_ok(),
            "a dropped reader did not stop"
        );
    }

    #[test]
    fn a_chunk_does_not_start_inside_an_episode_already_handed_on() {
        // A CINdetails inside another hands on an episode at the inner
        // one's end, and the episode again at the outer `</CINdetails>`:
        // in between no episode is being read, but the outer end needs the
        // reader's last episode, which a chunk parsed from that state
        // does not have (it handed on an empty one, at line 0).
        let text = many(6).replace(
            "<PrimaryNeedCode>N4</PrimaryNeedCode>",
            "<PrimaryNeedCode>N<CINdetails>4</PrimaryNeedCode>",
        );
        let chunks: Vec<usize> = (1..40).collect();
        same_in(text.as_bytes(), &chunks, &[1, 3]);
    }

    #[test]
    fn files_with_markup_dropped_in_read_as_in_order_in_chunks() {
        // Marks, characters cut in two, tags that open or close children,
        // episodes and messages, comments, CDATA, quotes: put in or written
        // over at random places.
        let text = many(6);
        let marks: &[&[u8]] = &[
            b"\xEF\xBB\xBF",
            b"\xFF\xFE",
            b"\xE2\x82\xAC",
            b"</Child>",
            b"<Child>",
            b"<!--",
            b"-->",
            b"\r\n",
            b"<CINdetails>",
            b"</CINdetails>",
            b"<Message>",
            b"</Message>",
            b"&amp;",
            b"<![CDATA[",
            b"]]>",
            b"\"",
            b"<",
        ];
        let mut seed = 12345u64;
        for _ in 0..120 {
            let mut bytes = text.as_bytes().to_vec();
            for _ in 0..4 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let at = (seed >> 33) as usize % bytes.len();
                let mark = marks[(seed >> 20) as usize % marks.len()];
                if (seed >> 40) % 2 == 0 {
                    bytes.splice(at..at, mark.iter().copied());
                } else {
                    bytes[at] = mark[0];
                }
            }
            same_in(&bytes, &[7, 40, 150, 600], &[1, 3]);
        }
    }
}

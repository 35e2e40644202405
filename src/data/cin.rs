//! The children in need (CIN) census reader (SPEC §9): a DfE CIN XML message
//! (`Message/Children/Child/CINdetails`) streamed with quick-xml, one record
//! per referral episode, handed on as a row of cells under fixed columns
//! ([`episode::COLUMNS`]) so the rule file's fields, indicators and
//! decisions are read as in any other format.
//!
//! Safety: entities are never expanded (a reference other than the five XML
//! ones, or a DOCTYPE that declares entities or an external subset, is
//! refused); no element, text or tag may exceed [`MAX_EVENT_BYTES`], values
//! [`MAX_VALUE_BYTES`] and nesting [`MAX_DEPTH`], so memory stays bounded on
//! any file. Every `<CINdetails>` becomes a record or a reject with its line.
//!
//! Speed: the file is read in blocks and quick-xml parses each block in
//! place (events borrow the block, nothing is copied); an event cut by the
//! end of a block is parsed again once the block is refilled. Lines are
//! counted only when a line number is asked for (once an episode).

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use quick_xml::events::{BytesRef, Event};
use quick_xml::Reader;

use super::{DataError, PlanMismatch, Raw, RowSource};
use crate::plan::{FieldType, Plan};

pub mod chunked;
pub mod episode;
pub mod header;

use episode::{parse_date, yes_no, Child, Episode, Fault, COLUMNS, MAX_FACTORS, NO_FACTORS};
use header::Headers;

/// The largest single piece of markup or text read at once (a tag, a text
/// node, a comment), in bytes. A larger one stops the run: a census value
/// is a few bytes long.
pub const MAX_EVENT_BYTES: usize = 1024 * 1024;

/// The longest value of an element the reader uses, in bytes.
pub const MAX_VALUE_BYTES: usize = 1024;

/// The deepest nesting of elements (the schema needs 7).
pub const MAX_DEPTH: usize = 64;

/// The size of a block read from the file (it grows only for an event
/// longer than half a block, up to about twice [`MAX_EVENT_BYTES`]).
const BLOCK_BYTES: usize = 256 * 1024;

/// The length of the byte order mark that `bytes` begin with, if any (as
/// quick-xml detects them: UTF-8, UTF-16 big- or little-endian).
fn bom_len(bytes: &[u8]) -> usize {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else if bytes.starts_with(&[0xFE, 0xFF]) || bytes.starts_with(&[0xFF, 0xFE]) {
        2
    } else {
        0
    }
}

/// A text that begins with a byte order mark, without it and the blanks
/// after it: as quick-xml reads a text at the start of what it reads.
fn past_bom(text: &[u8]) -> &[u8] {
    let rest = text.get(bom_len(text)..).unwrap_or_default();
    let blanks = rest
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\r' | b'\n' | b'\t'))
        .count();
    rest.get(blanks..).unwrap_or_default()
}

/// A quick-xml reader over part of a block, set up as the census needs.
fn xml(bytes: &[u8]) -> Reader<&[u8]> {
    let mut reader = Reader::from_reader(bytes);
    let config = reader.config_mut();
    config.trim_text(true);
    // Names are checked here, so that a mismatch rejects one episode
    // and reading goes on.
    config.check_end_names = false;
    // A reader is made afresh for each episode and after each refill, so
    // it does not know the elements already open: the reader's own stack
    // (`CinSource::stack`) matches the closing tags.
    config.allow_unmatched_ends = true;
    config.expand_empty_elements = false;
    reader
}

/// The elements the reader knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    Message,
    Header,
    Source,
    Lea,
    Children,
    Child,
    ChildIdentifiers,
    LaChildId,
    BirthDate,
    ExpectedBirthDate,
    Gender,
    /// `Sex` (M, F, U), which takes the place of `GenderCurrent` in the
    /// 2024-25 and later schemas.
    Sex,
    ChildCharacteristics,
    Disabilities,
    Disability,
    CinDetails,
    ReferralDate,
    ReferralSource,
    PrimaryNeed,
    ClosureDate,
    ClosureReason,
    Assessments,
    Factors,
    Factor,
    CinPlanDates,
    Section47,
    ReferralNfa,
    ChildProtectionPlans,
    /// Anything else (ignored with its content).
    Other,
}

impl Tag {
    fn of(name: &[u8]) -> Tag {
        match name {
            b"Message" => Tag::Message,
            b"Header" => Tag::Header,
            b"Source" => Tag::Source,
            b"LEA" => Tag::Lea,
            b"Children" => Tag::Children,
            b"Child" => Tag::Child,
            b"ChildIdentifiers" => Tag::ChildIdentifiers,
            b"LAchildID" => Tag::LaChildId,
            b"PersonBirthDate" => Tag::BirthDate,
            b"ExpectedPersonBirthDate" => Tag::ExpectedBirthDate,
            b"GenderCurrent" => Tag::Gender,
            b"Sex" => Tag::Sex,
            b"ChildCharacteristics" => Tag::ChildCharacteristics,
            b"Disabilities" => Tag::Disabilities,
            b"Disability" => Tag::Disability,
            b"CINdetails" => Tag::CinDetails,
            b"CINreferralDate" => Tag::ReferralDate,
            b"ReferralSource" => Tag::ReferralSource,
            b"PrimaryNeedCode" => Tag::PrimaryNeed,
            b"CINclosureDate" => Tag::ClosureDate,
            b"ReasonForClosure" => Tag::ClosureReason,
            b"Assessments" => Tag::Assessments,
            b"FactorsIdentifiedAtAssessment" => Tag::Factors,
            b"AssessmentFactors" => Tag::Factor,
            b"CINPlanDates" => Tag::CinPlanDates,
            b"Section47" => Tag::Section47,
            b"ReferralNFA" => Tag::ReferralNfa,
            b"ChildProtectionPlans" => Tag::ChildProtectionPlans,
            _ => Tag::Other,
        }
    }

    /// The element a known element must be inside (`None` for the root and
    /// for elements the reader ignores).
    fn parent(self) -> Option<Tag> {
        use Tag::*;
        Some(match self {
            Header | Children => Message,
            Source => Header,
            Lea => Source,
            Child => Children,
            ChildIdentifiers | ChildCharacteristics | CinDetails => Child,
            LaChildId | BirthDate | ExpectedBirthDate | Gender | Sex => ChildIdentifiers,
            Disabilities => ChildCharacteristics,
            Disability => Disabilities,
            ReferralDate | ReferralSource | PrimaryNeed | ClosureDate | ClosureReason
            | Assessments | CinPlanDates | Section47 | ReferralNfa | ChildProtectionPlans => {
                CinDetails
            }
            Factors => Assessments,
            Factor => Factors,
            Message | Other => return None,
        })
    }

    /// Whether the reader keeps the element's text.
    fn is_value(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Lea | LaChildId
                | BirthDate
                | ExpectedBirthDate
                | Gender
                | Sex
                | Disability
                | ReferralDate
                | ReferralSource
                | PrimaryNeed
                | ClosureDate
                | ClosureReason
                | Factor
                | ReferralNfa
        )
    }
}

/// A streamed CIN census message.
pub struct CinSource {
    path: PathBuf,
    /// The file, or `None` for a chunk held whole in `block` (parsed by
    /// [`chunked`]'s threads): then the block's end is the chunk's end, not
    /// the file's, and reaching it is no `Eof`.
    file: Option<File>,
    /// The block being parsed: its bytes `..len` are the file's bytes from
    /// `base` on. Shared with the parser while events borrow it.
    block: Arc<Vec<u8>>,
    len: usize,
    base: u64,
    /// The file has been read to its end.
    eof: bool,
    /// Where the next event starts in the block.
    pos: usize,
    /// How far the reader has reached in the block (the end of the event
    /// being handled).
    at: usize,
    /// Line breaks in the file before `counted` (a place in the block).
    newlines: u64,
    counted: usize,
    header: Vec<String>,
    /// Room to build a cell in, kept from episode to episode.
    scratch: String,
    /// The episode being read (while `st.in_episode`).
    episode: Episode,
    /// Everything else the reader knows between two events.
    st: Resume,
    /// The `</Child>` just read: the child is forgotten once its last
    /// episode is handed on, so that the state between children is the
    /// same wherever it is met (a chunk's start is checked against it).
    child_ended: bool,
    /// Something happened that a chunk parsed from a guessed state cannot
    /// vouch for (a header, a message boundary, a `<Child>` closing an
    /// unclosed one, XML it cannot read past): the chunk is read again in
    /// order ([`chunked`]).
    impure: bool,
    /// Stop (with [`Step::Paused`]) before the first event at or after this
    /// place in the file.
    pause_at: Option<u64>,
}

/// What reading on gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// An episode (a record or a reject) is in the caller's `raw`.
    Row,
    /// The end of the file (or of a chunk).
    End,
    /// The place set by `pause_at` is reached.
    Paused,
}

/// The reader's state between events, apart from where it is in the file:
/// what a chunk parsed on another thread starts from, and what it leaves.
#[derive(Clone, Debug, Default)]
pub(crate) struct Resume {
    /// Open elements: the tag and where its name starts in `names`.
    stack: Vec<(Tag, usize)>,
    names: Vec<u8>,
    /// The value being read, and whether it overflowed.
    value: String,
    value_too_long: bool,
    /// Each message's `Header/Source/LEA`, and the header problems.
    headers: Headers,
    child: Child,
    in_episode: bool,
    /// The root element has been read.
    root_seen: bool,
    /// `<Child>` elements that opened before the previous `</Child>`: how
    /// many, and the line of the first.
    unclosed_children: (u64, u64),
    /// quick-xml stopped at an error it cannot read past: what follows is
    /// taken as the end of the file, as quick-xml itself does.
    broken: bool,
    done: bool,
}

impl Resume {
    /// Whether this is a state between two elements that a reader can go
    /// on from: no episode or value half read, nothing left unread. A
    /// chunk that ends otherwise (cut inside an episode, a value or a tag)
    /// is read again in order.
    pub(crate) fn quiet(&self) -> bool {
        !self.in_episode
            && !self.episode_open()
            && !self.broken
            && !self.done
            && self.value.is_empty()
            && !self.value_too_long
    }

    /// Whether a `<CINdetails>` is still open after its episode was
    /// handed on (a CINdetails inside another): its `</CINdetails>` hands
    /// on the episode last read again, which is the reader's and not in
    /// this state, so a chunk cannot start or end here.
    fn episode_open(&self) -> bool {
        self.stack.iter().any(|(t, _)| *t == Tag::CinDetails)
    }

    /// Whether a chunk read from `self` reads as from `other`: the same
    /// open elements, child, value and message, and no episode open (the
    /// header's counts and problems are the reader's own, added up in
    /// order).
    pub(crate) fn same_place(&self, other: &Resume) -> bool {
        !self.in_episode
            && !other.in_episode
            && !self.episode_open()
            && !other.episode_open()
            && !self.broken
            && !other.broken
            && !self.done
            && !other.done
            && self.root_seen == other.root_seen
            && self.stack == other.stack
            && self.names == other.names
            && self.value == other.value
            && self.value_too_long == other.value_too_long
            && self.child == other.child
            && self.headers.same_message(&other.headers)
    }
}

impl CinSource {
    /// Opens a census file; its root element is checked as the first rows
    /// are read.
    pub fn open(path: &Path) -> Result<CinSource, DataError> {
        Self::open_with_block(path, BLOCK_BYTES)
    }

    /// Opens a census file read in blocks of `block` bytes (tests cut
    /// events at every place with tiny blocks).
    fn open_with_block(path: &Path, block: usize) -> Result<CinSource, DataError> {
        let file = File::open(path).map_err(|e| DataError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Ok(Self::new(path, Some(file), Arc::new(vec![0; block.max(1)])))
    }

    /// A reader of one chunk of a census held whole in memory, which
    /// starts at `offset` in the file, after `newlines` line breaks, in
    /// the state `from`.
    pub(crate) fn chunk(
        path: &Path,
        bytes: Arc<Vec<u8>>,
        offset: u64,
        newlines: u64,
        from: &Resume,
    ) -> CinSource {
        let len = bytes.len();
        let mut src = Self::new(path, None, bytes);
        src.len = len;
        src.eof = true;
        src.base = offset;
        src.newlines = newlines;
        src.restore(from);
        src
    }

    fn new(path: &Path, file: Option<File>, block: Arc<Vec<u8>>) -> CinSource {
        CinSource {
            path: path.to_path_buf(),
            file,
            block,
            len: 0,
            base: 0,
            eof: false,
            pos: 0,
            at: 0,
            newlines: 0,
            counted: 0,
            header: COLUMNS.iter().map(|c| c.to_string()).collect(),
            scratch: String::with_capacity(64),
            episode: Episode::default(),
            st: Resume {
                stack: Vec::with_capacity(16),
                names: Vec::with_capacity(256),
                value: String::with_capacity(64),
                ..Resume::default()
            },
            child_ended: false,
            impure: false,
            pause_at: None,
        }
    }

    /// The state between events (see [`Resume`]).
    pub(crate) fn snapshot(&self) -> Resume {
        self.st.clone()
    }

    /// Takes on a whole state, counts and problems included.
    pub(crate) fn restore(&mut self, r: &Resume) {
        self.st.clone_from(r);
    }

    /// Takes on where a chunk read from a state like this one left off
    /// (the header's counts and problems, and the counts of unclosed
    /// children, stay this reader's own).
    pub(crate) fn restore_place(&mut self, r: &Resume) {
        let Resume {
            stack,
            names,
            value,
            value_too_long,
            headers: _,
            child,
            in_episode,
            root_seen,
            unclosed_children: _,
            broken,
            done,
        } = r;
        self.st.stack.clone_from(stack);
        self.st.names.clone_from(names);
        self.st.value.clone_from(value);
        self.st.value_too_long = *value_too_long;
        self.st.child.clone_from(child);
        self.st.in_episode = *in_episode;
        self.st.root_seen = *root_seen;
        self.st.broken = *broken;
        self.st.done = *done;
    }

    /// Whether a chunk read from the state `guess` reads from here as it
    /// would have (see [`Resume::same_place`]).
    pub(crate) fn is_at(&self, guess: &Resume) -> bool {
        guess.same_place(&self.st)
    }

    /// Counts `n` episodes of the current message handed on by a chunk.
    pub(crate) fn count_episodes(&mut self, n: u64) {
        for _ in 0..n {
            self.st.headers.episode();
        }
    }

    /// Whether the reader met something a chunk read from a guessed state
    /// cannot vouch for (see the field).
    pub(crate) fn impure(&self) -> bool {
        self.impure || self.st.broken
    }

    /// Reads on from `offset` in the file, after `newlines` line breaks, in
    /// the reader's present state (the chunk before it was handed on).
    pub(crate) fn resume_at(&mut self, offset: u64, newlines: u64) -> Result<(), DataError> {
        use std::io::{Seek, SeekFrom};
        if let Some(file) = self.file.as_mut() {
            file.seek(SeekFrom::Start(offset))
                .map_err(|e| DataError::Io {
                    path: self.path.clone(),
                    message: e.to_string(),
                })?;
        }
        self.base = offset;
        self.len = 0;
        self.pos = 0;
        self.at = 0;
        self.counted = 0;
        self.newlines = newlines;
        self.eof = self.file.is_none();
        Ok(())
    }

    /// Stops reading before the first event at or after `at` (none: read
    /// to the end).
    pub(crate) fn pause_at(&mut self, at: Option<u64>) {
        self.pause_at = at;
    }

    /// The line the reader has reached (1-based).
    fn line(&mut self) -> u64 {
        self.count_to(self.at);
        self.newlines + 1
    }

    /// Counts the line breaks up to `to` in the block.
    fn count_to(&mut self, to: usize) {
        if to > self.counted {
            let span = self.block.get(self.counted..to).unwrap_or_default();
            self.newlines += memchr::memchr_iter(b'\n', span).count() as u64;
            self.counted = to;
        }
    }

    /// Keeps the unread part of the block (an event cut by its end) and
    /// reads more of the file after it.
    fn refill(&mut self) -> Result<(), DataError> {
        self.count_to(self.pos);
        self.at = self.pos;
        let pending = self.len.saturating_sub(self.pos);
        if pending > MAX_EVENT_BYTES {
            return Err(self.stop(format!(
                "cannot read on: a tag, text or comment longer than {MAX_EVENT_BYTES} bytes (1 MB); a census value is a few bytes"
            )));
        }
        let (pos, len) = (self.pos, self.len);
        let Some(block) = Arc::get_mut(&mut self.block) else {
            return Err(self.stop("internal: the block is still borrowed"));
        };
        block.copy_within(pos..len, 0);
        if pending * 2 > block.len() {
            block.resize(block.len() * 2, 0);
        }
        let read = loop {
            let Some(file) = self.file.as_mut() else {
                break Ok(0);
            };
            match file.read(block.get_mut(pending..).unwrap_or_default()) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => break r,
            }
        };
        self.base += pos as u64;
        self.len = pending;
        self.pos = 0;
        self.at = 0;
        self.counted = 0;
        match read {
            Ok(0) => self.eof = true,
            Ok(n) => self.len += n,
            Err(e) => return Err(self.stop(format!("cannot read on: {e}"))),
        }
        Ok(())
    }

    /// An error that stops the run, at the line reached.
    fn stop(&mut self, message: impl std::fmt::Display) -> DataError {
        let line = self.line();
        DataError::Format {
            path: self.path.clone(),
            message: format!("line {line}: {message}"),
        }
    }

    /// Notes a problem against the episode being read, else the child
    /// (all its episodes), else stops the run.
    fn fault(&mut self, element: &str, reason: String) -> Result<(), DataError> {
        let line = self.line();
        if self.st.in_episode {
            self.episode_fault(element, reason);
        } else if self.st.stack.iter().any(|(t, _)| *t == Tag::Child) {
            if self.st.child.fault.is_none() {
                self.st.child.fault = Some(Fault {
                    line,
                    element: element.to_string(),
                    reason,
                });
            }
        } else {
            return Err(self.stop(reason));
        }
        Ok(())
    }

    /// Notes a problem against the episode being read, at the line reached.
    fn episode_fault(&mut self, element: &str, reason: impl Into<String>) {
        let line = self.line();
        self.episode.fault(line, element, reason);
    }

    fn top(&self) -> Option<Tag> {
        self.st.stack.last().map(|(t, _)| *t)
    }

    fn name_of(&self, i: usize) -> &[u8] {
        let start = self.st.stack.get(i).map_or(0, |(_, s)| *s);
        let end = self
            .st
            .stack
            .get(i + 1)
            .map_or(self.st.names.len(), |(_, s)| *s);
        self.st.names.get(start..end).unwrap_or_default()
    }

    /// An element opens.
    fn open_tag(&mut self, name: &[u8]) -> Result<(), DataError> {
        let mut tag = Tag::of(name);
        if self.st.stack.is_empty() {
            let name = crate::text::shorten(&String::from_utf8_lossy(name));
            if tag != Tag::Message {
                return Err(self.stop(if self.st.root_seen {
                    format!("a second root element `{name}` after `</Message>`")
                } else {
                    format!(
                        "this is not a CIN census message: its root element is `{name}`, not `Message`"
                    )
                }));
            }
            // A further message after the first: pooled returns written
            // one after another, each with its own header.
            self.st.root_seen = true;
            self.impure = true;
            let line = self.line();
            self.st.headers.begin_message(line);
        }
        if self.st.stack.len() >= MAX_DEPTH {
            return Err(self.stop(format!("elements nested more than {MAX_DEPTH} deep")));
        }
        if tag == Tag::Child && !self.st.in_episode {
            self.close_unclosed_child();
        }
        if let Some(parent) = tag.parent() {
            // Unknown elements are passed over, so that the schema's variants
            // across years read; a known one in the wrong place is a fault.
            if self.top() != Some(parent) {
                let within = self
                    .st
                    .stack
                    .iter()
                    .rev()
                    .find(|(t, _)| *t != Tag::Other)
                    .map_or("the root", |(t, _)| tag_name(*t));
                let reason = format!(
                    "element `{}` is out of place (inside `{within}`; it belongs in `{}`)",
                    tag_name(tag),
                    tag_name(parent)
                );
                if matches!(tag, Tag::Child | Tag::CinDetails) {
                    // Still read, so that its episodes are counted (rejected).
                    self.begin(tag);
                    self.push(tag, name);
                    return self.fault(tag_name(tag), reason);
                }
                if self.st.in_episode || self.st.stack.iter().any(|(t, _)| *t == Tag::Child) {
                    self.fault(tag_name(tag), reason)?;
                }
                tag = Tag::Other;
            }
        }
        self.begin(tag);
        self.push(tag, name);
        Ok(())
    }

    /// A `<Child>` opening while an earlier child is still open (its
    /// `</Child>` misspelt or missing) closes that child back to
    /// `Children`: its episodes are complete and already read, and without
    /// this every later child would be out of place and rejected. Stated
    /// once in the warnings, with the count.
    fn close_unclosed_child(&mut self) {
        let Some(children) = self.st.stack.iter().rposition(|(t, _)| *t == Tag::Children) else {
            return;
        };
        let above = self.st.stack.get(children + 1..).unwrap_or_default();
        if !above.iter().any(|(t, _)| *t == Tag::Child) {
            return;
        }
        if let Some(&(_, start)) = self.st.stack.get(children + 1) {
            self.st.names.truncate(start);
        }
        self.st.stack.truncate(children + 1);
        self.impure = true;
        let line = self.line();
        let (n, first) = &mut self.st.unclosed_children;
        if *n == 0 {
            *first = line;
        }
        *n += 1;
    }

    fn push(&mut self, tag: Tag, name: &[u8]) {
        self.st.stack.push((tag, self.st.names.len()));
        self.st.names.extend_from_slice(name);
        if tag.is_value() {
            self.st.value.clear();
            self.st.value_too_long = false;
        }
    }

    /// What an element's opening means.
    fn begin(&mut self, tag: Tag) {
        match tag {
            Tag::Child => self.st.child.clear(),
            Tag::CinDetails => {
                let line = self.line();
                if self.st.in_episode {
                    // A CINdetails inside another: the outer one is faulted
                    // when its end comes; this one is read in its place.
                    self.episode_fault("CINdetails", "a CINdetails inside another");
                }
                self.episode.start(line);
                self.st.in_episode = true;
            }
            Tag::Assessments if self.st.in_episode => self.episode.assessed = true,
            Tag::CinPlanDates if self.st.in_episode => self.episode.cin_plan = true,
            Tag::Section47 if self.st.in_episode => self.episode.s47 = true,
            Tag::ChildProtectionPlans if self.st.in_episode => self.episode.cpp = true,
            _ => {}
        }
    }

    /// Text inside the current element.
    fn text(&mut self, t: &str) {
        if !self.top().is_some_and(Tag::is_value) {
            return;
        }
        if self.st.value.len() + t.len() > MAX_VALUE_BYTES {
            self.st.value_too_long = true;
        } else {
            self.st.value.push_str(t);
        }
    }

    /// `&name;` or `&#N;`: character references and the five XML entities
    /// are resolved; any other entity is refused, never expanded.
    fn reference(&mut self, r: &BytesRef<'_>) -> Result<(), DataError> {
        let resolved = if r.is_char_ref() {
            r.resolve_char_ref().ok().flatten()
        } else {
            match r.as_ref() {
                b"lt" => Some('<'),
                b"gt" => Some('>'),
                b"amp" => Some('&'),
                b"apos" => Some('\''),
                b"quot" => Some('"'),
                _ => None,
            }
        };
        match resolved {
            Some(c) => {
                let mut tmp = [0u8; 4];
                let s: &str = c.encode_utf8(&mut tmp);
                self.text(s);
                Ok(())
            }
            None => {
                let name = crate::text::shorten(&String::from_utf8_lossy(r.as_ref()));
                let element = self.top().map_or("Message", tag_name);
                self.fault(
                    element,
                    format!(
                        "the entity reference `&{name};` is refused: entities are never expanded"
                    ),
                )
            }
        }
    }

    /// An element closes. Returns true when an episode is complete.
    fn close_tag(&mut self, name: &[u8]) -> Result<bool, DataError> {
        let Some(pos) = (0..self.st.stack.len())
            .rev()
            .find(|&i| self.name_of(i) == name)
        else {
            let reason = format!(
                "the closing tag `</{}>` matches no open element",
                crate::text::shorten(&String::from_utf8_lossy(name))
            );
            let element = self.top().map_or("Message", tag_name);
            self.fault(element, reason)?;
            return Ok(false);
        };
        let mut complete = false;
        while self.st.stack.len() > pos {
            let last = self.st.stack.len() - 1;
            if last != pos {
                let open = String::from_utf8_lossy(self.name_of(last)).to_string();
                let reason = format!(
                    "element `{}` is not closed before `</{}>`",
                    crate::text::shorten(&open),
                    crate::text::shorten(&String::from_utf8_lossy(name))
                );
                self.fault("row", reason)?;
            }
            let Some((tag, start)) = self.st.stack.pop() else {
                break;
            };
            self.st.names.truncate(start);
            complete |= self.end(tag);
        }
        Ok(complete)
    }

    /// What an element's end means. True when it ends an episode.
    fn end(&mut self, tag: Tag) -> bool {
        let mut value = std::mem::take(&mut self.st.value);
        let done = self.end_with(tag, value.trim());
        // Used up: the state between elements is the same wherever it is
        // met (the buffer is kept).
        value.clear();
        self.st.value = value;
        done
    }

    fn end_with(&mut self, tag: Tag, v: &str) -> bool {
        let too_long = self.st.value_too_long;
        let bad_date =
            |v: &str| format!("`{}` is not a date (YYYY-MM-DD)", crate::text::shorten(v));
        if too_long && tag.is_value() {
            let reason = format!("the value is longer than {MAX_VALUE_BYTES} bytes");
            let _ = self.fault(tag_name(tag), reason);
            return tag == Tag::CinDetails;
        }
        match tag {
            Tag::Lea => {
                self.impure = true;
                self.st.headers.lea(v);
            }
            Tag::Message if self.st.stack.is_empty() => {
                self.impure = true;
                self.st.headers.end_message();
            }
            Tag::Child => self.child_ended = true,
            Tag::LaChildId => {
                self.st.child.id.clear();
                self.st.child.id.push_str(v);
            }
            Tag::BirthDate => match parse_date(v) {
                Some(d) => self.st.child.birth = Some(d),
                None => {
                    let r = bad_date(v);
                    let _ = self.fault("PersonBirthDate", r);
                }
            },
            Tag::ExpectedBirthDate => {
                if parse_date(v).is_some() {
                    self.st.child.expected = true;
                } else {
                    let r = bad_date(v);
                    let _ = self.fault("ExpectedPersonBirthDate", r);
                }
            }
            Tag::Gender => match episode::gender(v) {
                Some(g) => self.st.child.gender = Some(g),
                None => {
                    let r = format!(
                        "`{}` is not a DfE gender code (1, 2, 0 or 9)",
                        crate::text::shorten(v)
                    );
                    let _ = self.fault("GenderCurrent", r);
                }
            },
            Tag::Sex => match episode::sex(v) {
                Some(g) => self.st.child.gender = Some(g),
                None => {
                    let r = format!(
                        "`{}` is not a DfE sex code (M, F or U)",
                        crate::text::shorten(v)
                    );
                    let _ = self.fault("Sex", r);
                }
            },
            Tag::Disability if !v.eq_ignore_ascii_case("NONE") && !v.is_empty() => {
                self.st.child.disabled = true;
            }
            Tag::ReferralDate if self.st.in_episode => {
                self.episode.referral_text.clear();
                self.episode.referral_text.push_str(v);
                self.episode.referral = parse_date(v);
                if self.episode.referral.is_none() {
                    let r = bad_date(v);
                    self.episode_fault("CINreferralDate", r);
                }
            }
            Tag::ReferralSource if self.st.in_episode => {
                self.episode.source.clear();
                self.episode.source.push_str(v);
            }
            Tag::PrimaryNeed if self.st.in_episode => {
                self.episode.primary_need.clear();
                self.episode.primary_need.push_str(v);
            }
            Tag::ClosureDate if self.st.in_episode => {
                if parse_date(v).is_some() {
                    self.episode.closed = true;
                } else {
                    let r = bad_date(v);
                    self.episode_fault("CINclosureDate", r);
                }
            }
            Tag::ClosureReason if self.st.in_episode => {
                self.episode.closure_reason.clear();
                self.episode.closure_reason.push_str(v);
            }
            Tag::Factor if self.st.in_episode => {
                if v.is_empty() || v.contains(';') {
                    let r = format!(
                        "`{}` is not an assessment factor code",
                        crate::text::shorten(v)
                    );
                    self.episode_fault("AssessmentFactors", r);
                } else if v != NO_FACTORS {
                    if self.episode.factors.len() >= MAX_FACTORS {
                        let r = format!("more than {MAX_FACTORS} assessment factors");
                        self.episode_fault("AssessmentFactors", r);
                    } else {
                        self.episode.factors.push(v.to_string());
                    }
                }
            }
            Tag::ReferralNfa if self.st.in_episode => match yes_no(v) {
                Some(b) => self.episode.referral_nfa = Some(b),
                None => {
                    let r = format!(
                        "`{}` is not true/false (true, false, 1 or 0)",
                        crate::text::shorten(v)
                    );
                    self.episode_fault("ReferralNFA", r);
                }
            },
            Tag::CinDetails => {
                self.st.in_episode = false;
                return true;
            }
            _ => {}
        }
        false
    }

    /// Handles one event that began at `start` in the block (and ended at
    /// `self.at`): `Some(true)` when `raw` holds an episode, `Some(false)`
    /// at the end, `None` to read on. `bom_kept`: quick-xml did not pass
    /// over a byte order mark at `start` (it began reading before).
    fn handle(
        &mut self,
        event: Result<Event<'_>, quick_xml::Error>,
        start: usize,
        bom_kept: bool,
        raw: &mut Option<Raw>,
    ) -> Result<Option<bool>, DataError> {
        let complete = match event {
            Ok(Event::Start(e)) => {
                self.open_tag(local(e.name().into_inner()))?;
                false
            }
            Ok(Event::Empty(e)) => {
                let name = local(e.name().into_inner());
                self.open_tag(name)?;
                self.close_tag(name)?
            }
            Ok(Event::End(e)) => self.close_tag(local(e.name().into_inner()))?,
            Ok(Event::Text(t)) => {
                let mut t: &[u8] = &t;
                if bom_kept
                    && self
                        .block
                        .get(start..self.len)
                        .is_some_and(|b| bom_len(b) > 0)
                {
                    t = past_bom(t);
                }
                match std::str::from_utf8(t) {
                    Ok(s) => self.text(s),
                    Err(_) => self.not_text()?,
                }
                false
            }
            Ok(Event::CData(t)) => {
                match std::str::from_utf8(&t) {
                    Ok(s) => self.text(s),
                    Err(_) => self.not_text()?,
                }
                false
            }
            Ok(Event::GeneralRef(r)) => {
                self.reference(&r)?;
                false
            }
            Ok(Event::DocType(d)) => {
                if doctype_is_hostile(&d) {
                    return Err(self.stop(
                        "the file declares a DOCTYPE with entities or an external subset; \
                         CIN census messages have none, and entities are never expanded",
                    ));
                }
                false
            }
            Ok(Event::Decl(_) | Event::PI(_) | Event::Comment(_)) => false,
            Ok(Event::Eof) if self.file.is_none() => {
                // The end of a chunk, not of the file.
                return Ok(Some(false));
            }
            Ok(Event::Eof) => {
                self.st.done = true;
                if self.st.in_episode {
                    self.st.in_episode = false;
                    let l = self.episode.line;
                    self.episode
                        .fault(l, "CINdetails", "the file ends inside this episode");
                    self.emit(raw);
                    return Ok(Some(true));
                }
                if !self.st.root_seen {
                    return Err(
                        self.stop("the file holds no CIN census message (no `Message` element)")
                    );
                }
                return Ok(Some(false));
            }
            Err(quick_xml::Error::Io(e)) => {
                return Err(self.stop(format!("cannot read on: {e}")));
            }
            Err(e) => {
                // As quick-xml does: past any error but an ill-formed
                // construct it reads no further.
                if !matches!(e, quick_xml::Error::IllFormed(_)) {
                    self.st.broken = true;
                }
                let reason = format!("malformed XML: {e}");
                if self.at == start {
                    return Err(self.stop(reason));
                }
                let element = self.top().map_or("Message", tag_name);
                self.fault(element, reason)?;
                false
            }
        };
        if complete {
            self.emit(raw);
        }
        if self.child_ended {
            self.child_ended = false;
            self.st.child.clear();
        }
        Ok(complete.then_some(true))
    }

    /// Reads events up to the end of the next episode, of the file, or
    /// the place set by [`CinSource::pause_at`]. Events borrow a handle on
    /// the block, so that the handlers may change everything else; the
    /// block is refilled between events.
    pub(crate) fn read(&mut self, raw: &mut Option<Raw>) -> Result<Step, DataError> {
        loop {
            let block = Arc::clone(&self.block);
            let bytes = block.get(self.pos..self.len).unwrap_or_default();
            if !self.eof && bytes.len() < 3 {
                // Too short to tell a byte order mark.
                drop(block);
                self.refill()?;
                continue;
            }
            // quick-xml passes over a byte order mark at the start of what
            // it reads without counting it in its positions. One that
            // begins a later text is passed over in `handle`, so that the
            // file reads the same wherever a reader begins (a block, an
            // episode, a chunk of `chunked`). (A U+FEFF that begins a value
            // is passed over too: no census value begins so.)
            let origin = self.pos;
            let from = self.pos + bom_len(bytes);
            let mut reader = xml(bytes);
            loop {
                if self
                    .pause_at
                    .is_some_and(|p| self.base + self.pos as u64 >= p)
                {
                    return Ok(Step::Paused);
                }
                let event = if self.st.broken {
                    Ok(Event::Eof)
                } else {
                    reader.read_event()
                };
                let end = from.saturating_add(
                    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX),
                );
                if end >= self.len && !self.eof && !self.st.broken {
                    // The event may run on past the block: parse it again
                    // once more of the file is read.
                    break;
                }
                let start = self.pos;
                self.at = end.min(self.len);
                let bom_kept = start != origin || from == origin;
                let handled = self.handle(event, start, bom_kept, raw)?;
                self.pos = self.at;
                if let Some(row) = handled {
                    return Ok(if row { Step::Row } else { Step::End });
                }
            }
            drop(reader);
            drop(block);
            self.refill()?;
        }
    }

    fn not_text(&mut self) -> Result<(), DataError> {
        let element = self.top().map_or("Message", tag_name);
        self.fault(element, "the text is not valid UTF-8".into())
    }

    /// Fills `raw` with the finished episode: its cells, or its reject.
    fn emit(&mut self, raw: &mut Option<Raw>) {
        let line = self.episode.line;
        let mut cells = match raw.take() {
            Some(Raw::Cells { cells, .. }) => cells,
            _ => csv::ByteRecord::with_capacity(256, COLUMNS.len()),
        };
        self.st.headers.episode();
        match self.episode.cells(
            &self.st.child,
            self.st.headers.la(),
            &mut cells,
            &mut self.scratch,
        ) {
            Ok(()) => *raw = Some(Raw::Cells { line, cells }),
            Err(f) => {
                let reason = if f.line == line {
                    f.reason
                } else {
                    format!("line {}: {}", f.line, f.reason)
                };
                *raw = Some(Raw::Rejected {
                    line,
                    id: self.episode.id(&self.st.child),
                    column: f.element,
                    reason,
                });
            }
        }
    }
}

/// The element's name as the schema spells it.
fn tag_name(tag: Tag) -> &'static str {
    match tag {
        Tag::Message => "Message",
        Tag::Header => "Header",
        Tag::Source => "Source",
        Tag::Lea => "LEA",
        Tag::Children => "Children",
        Tag::Child => "Child",
        Tag::ChildIdentifiers => "ChildIdentifiers",
        Tag::LaChildId => "LAchildID",
        Tag::BirthDate => "PersonBirthDate",
        Tag::ExpectedBirthDate => "ExpectedPersonBirthDate",
        Tag::Gender => "GenderCurrent",
        Tag::Sex => "Sex",
        Tag::ChildCharacteristics => "ChildCharacteristics",
        Tag::Disabilities => "Disabilities",
        Tag::Disability => "Disability",
        Tag::CinDetails => "CINdetails",
        Tag::ReferralDate => "CINreferralDate",
        Tag::ReferralSource => "ReferralSource",
        Tag::PrimaryNeed => "PrimaryNeedCode",
        Tag::ClosureDate => "CINclosureDate",
        Tag::ClosureReason => "ReasonForClosure",
        Tag::Assessments => "Assessments",
        Tag::Factors => "FactorsIdentifiedAtAssessment",
        Tag::Factor => "AssessmentFactors",
        Tag::CinPlanDates => "CINPlanDates",
        Tag::Section47 => "Section47",
        Tag::ReferralNfa => "ReferralNFA",
        Tag::ChildProtectionPlans => "ChildProtectionPlans",
        Tag::Other => "element",
    }
}

/// The local part of a (possibly prefixed) name. Names are a few bytes
/// long: a plain scan, without the set-up of a vector search (memrchr was
/// 2% of reading a census).
fn local(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b':') {
        Some(i) => name.get(i + 1..).unwrap_or(name),
        None => name,
    }
}

/// Whether a DOCTYPE could make the reader fetch or expand anything: an
/// internal subset (entity declarations) or an external one.
fn doctype_is_hostile(text: &[u8]) -> bool {
    let upper = text.to_ascii_uppercase();
    text.contains(&b'[')
        || memchr::memmem::find(&upper, b"SYSTEM").is_some()
        || memchr::memmem::find(&upper, b"PUBLIC").is_some()
        || memchr::memmem::find(&upper, b"ENTITY").is_some()
}

impl RowSource for CinSource {
    fn header(&self) -> Option<&[String]> {
        Some(&self.header)
    }

    fn derived_header(&self) -> bool {
        true
    }

    fn check_plan(&self, plan: &Plan) -> Result<(), PlanMismatch> {
        check_fields(plan)
    }

    fn next_row(&mut self, raw: &mut Option<Raw>) -> Result<bool, DataError> {
        if self.st.done {
            return Ok(false);
        }
        let result = self.read(raw);
        if result.is_err() {
            self.st.done = true;
        }
        result.map(|step| step == Step::Row)
    }

    fn position(&self) -> u64 {
        self.base + self.pos as u64
    }

    fn warnings(&self) -> Vec<String> {
        let mut w = self.st.headers.warnings();
        let (n, first) = self.st.unclosed_children;
        if n > 0 {
            w.push(format!(
                "{} opened before the previous child's `</Child>` (the first at line {first}): \
                 each earlier child was taken to end there, so its episodes were read as written; \
                 check the file's `</Child>` tags",
                if n == 1 {
                    "1 `<Child>` element".to_string()
                } else {
                    format!(
                        "{} `<Child>` elements",
                        crate::text::format_number(n as f64)
                    )
                }
            ));
        }
        w
    }
}

/// The type each CIN column needs, and the declared fields that fit.
/// A field the census fills must be declared with a type its values fit:
/// `age` a number (or text), the yes/no columns `bool`, the others text or
/// `one_of`. Anything else is refused before reading (SPEC §9).
pub fn check_fields(plan: &Plan) -> Result<(), PlanMismatch> {
    for f in &plan.decl.fields {
        let ok = match f.id.as_str() {
            "age" => matches!(f.kind, FieldType::Number(_) | FieldType::Text),
            "unborn" | "disabled" | "assessed" => {
                matches!(f.kind, FieldType::Bool | FieldType::Text)
            }
            "gender" | "referral_source" | "agency" | "primary_need" | "referral_date" | "la" => {
                matches!(f.kind, FieldType::Text | FieldType::OneOf(_))
            }
            _ => true,
        };
        if !ok {
            let wanted = match f.id.as_str() {
                "age" => "`number` (years, e.g. 7.25)",
                "unborn" | "disabled" | "assessed" => "`bool`",
                _ => "`text` or `one_of(...)`",
            };
            return Err(PlanMismatch::CensusFieldType {
                field: f.id.clone(),
                wanted,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a file to the end: (records, rejects) or the stopping error.
    fn drain(text: &[u8]) -> Result<(u64, u64), String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("c.xml");
        std::fs::write(&path, text).map_err(|e| e.to_string())?;
        let mut src = CinSource::open(&path).map_err(|e| e.to_string())?;
        let mut raw = None;
        let (mut ok, mut rejected) = (0, 0);
        while src.next_row(&mut raw).map_err(|e| e.to_string())? {
            match raw {
                Some(Raw::Cells { .. }) => ok += 1,
                Some(Raw::Rejected { .. }) => rejected += 1,
                _ => return Err("no row".into()),
            }
        }
        Ok((ok, rejected))
    }

    #[test]
    fn every_episode_begun_is_a_record_or_a_reject_wherever_the_file_is_cut() {
        let full = include_bytes!("../../tests/fixtures/cin/paths.xml");
        assert_eq!(drain(full), Ok((7, 0)));
        for cut in (0..full.len()).step_by(23) {
            let part = &full[..cut];
            let begun = memchr::memmem::find_iter(part, b"<CINdetails>").count() as u64;
            // Stopping (no root yet, a cut tag) is allowed; losing an
            // episode is not.
            if let Ok((ok, rejected)) = drain(part) {
                assert_eq!(ok + rejected, begun, "cut at {cut}");
            }
        }
    }

    /// Every row (cells or reject, with its line) a reader gives, then
    /// where it stopped if it did (also used by `chunked`'s tests).
    pub(super) fn rows_of(src: &mut dyn RowSource, path: &Path) -> Vec<String> {
        let mut raw = None;
        let mut out = Vec::new();
        loop {
            match src.next_row(&mut raw) {
                Ok(true) => out.push(format!("{raw:?}")),
                Ok(false) => return out,
                Err(e) => {
                    let e = e.to_string().replace(&path.display().to_string(), "FILE");
                    out.push(format!("stopped: {e}"));
                    return out;
                }
            }
        }
    }

    /// Every row (cells or reject, with its line) and the final position
    /// when the file is read in blocks of `block` bytes.
    fn rows_in_blocks(text: &[u8], block: usize) -> Result<Vec<String>, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("c.xml");
        std::fs::write(&path, text).map_err(|e| e.to_string())?;
        let mut src = CinSource::open_with_block(&path, block).map_err(|e| e.to_string())?;
        let mut out = rows_of(&mut src, &path);
        out.push(format!("at {} of {}", src.position(), text.len()));
        out.push(format!("{:?}", src.warnings()));
        Ok(out)
    }

    #[test]
    fn a_misspelt_child_end_costs_no_later_child() {
        let paths = include_bytes!("../../tests/fixtures/cin/paths.xml");
        let text = String::from_utf8_lossy(paths).replacen("</Child>", "</Chlid>", 1);
        // Every episode is still read as written: the later children are
        // not out of place.
        assert_eq!(drain(text.as_bytes()), Ok((7, 0)));
        let rows = rows_in_blocks(text.as_bytes(), 1 << 20).unwrap();
        let warnings = rows.last().unwrap();
        assert!(
            warnings.contains("1 `<Child>` element opened before the previous child's `</Child>` (the first at line 69)"),
            "{warnings}"
        );
        // A missing one too, and more than once.
        let text = String::from_utf8_lossy(paths).replace("</Child>", "");
        assert_eq!(drain(text.as_bytes()), Ok((7, 0)));
        let rows = rows_in_blocks(text.as_bytes(), 1 << 20).unwrap();
        assert!(
            rows.last().unwrap().contains("3 `<Child>` elements"),
            "{rows:?}"
        );
    }

    #[test]
    fn events_cut_by_the_end_of_a_block_read_as_if_whole() {
        let paths = include_bytes!("../../tests/fixtures/cin/paths.xml");
        let text = String::from_utf8_lossy(paths)
            .replacen(
                "<Children>",
                "\u{feff}<Children><!-- a > comment --><![CDATA[ x ]]>",
                1,
            )
            .replacen(
                "<LAchildID>C002</LAchildID>",
                "<LAchildID>C&#48;&amp;02</LAchildID>",
                1,
            )
            .replacen(
                "<ReferralSource>3A</ReferralSource>",
                "<ReferralSource>3A</Referral>",
                1,
            )
            .replacen(
                "<LAchildID>C003</LAchildID>",
                "<LAchildID>C0\r\n03 &bad;</LAchildID>",
                1,
            );
        let text = format!("\u{feff}{text}");
        let whole = rows_in_blocks(text.as_bytes(), 1 << 20).unwrap();
        assert!(whole.len() > 7, "{whole:?}");
        for block in [1, 2, 3, 5, 8, 13, 64, 333, 1000] {
            assert_eq!(
                rows_in_blocks(text.as_bytes(), block).unwrap(),
                whole,
                "blocks of {block} bytes"
            );
        }
        // Cut anywhere, and read in small blocks: the same as in one block.
        for cut in (0..text.len()).step_by(97) {
            let part = &text.as_bytes()[..cut];
            assert_eq!(
                rows_in_blocks(part, 7).unwrap(),
                rows_in_blocks(part, 1 << 20).unwrap(),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn a_byte_order_mark_inside_the_file_reads_the_same_in_any_blocks() {
        // After a `</Child>`, after an episode (where a reader begins
        // afresh), and before a value: passed over wherever blocks begin.
        let paths = String::from_utf8_lossy(include_bytes!("../../tests/fixtures/cin/paths.xml"));
        for bom in ["\u{feff}", "\u{feff}\u{feff}"] {
            let text = paths
                .replacen("</Child>", &format!("</Child>{bom} \n"), 1)
                .replacen("</CINdetails>", &format!("</CINdetails>{bom}"), 2)
                .replacen("<LAchildID>C003", &format!("<LAchildID>{bom} C003"), 1);
            let whole = rows_in_blocks(text.as_bytes(), 1 << 20).unwrap();
            for block in 1..400 {
                assert_eq!(
                    rows_in_blocks(text.as_bytes(), block).unwrap(),
                    whole,
                    "{bom:?} in blocks of {block} bytes"
                );
            }
        }
    }

    #[test]
    fn garbled_bytes_never_panic() {
        let full = include_bytes!("../../tests/fixtures/cin/paths.xml");
        let mut seed = 7u64;
        for _ in 0..200 {
            let mut bytes = full.to_vec();
            for _ in 0..8 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let at = (seed >> 33) as usize % bytes.len();
                bytes[at] = (seed >> 13) as u8;
            }
            let _ = drain(&bytes);
        }
    }
}

//! One document model for every report: a [`Document`] is a title, opening
//! blocks and [`Section`]s of [`Block`]s (paragraphs, notes, warnings, lists,
//! tables of typed [`Cell`]s, charts). A report builds its document once;
//! the renderers in [`markdown`], [`html`], [`xlsx`] and [`text`] walk any
//! document, and each escapes every piece of text it writes, so callers
//! never escape.
//!
//! Cells are typed (a count, a share, a coefficient with its decimals), so
//! Excel gets real numbers with number formats and text gets aligned
//! columns; JSON is not rendered from here: it stays a serde structure of
//! the analysis.

pub mod html;
pub mod markdown;
pub mod text;
pub mod xlsx;

use crate::report::html::chart::{Accuracy, Interval, Split, Spread};

/// A report: a title, what it opens with, then its sections.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    /// The title (plain text).
    pub title: String,
    /// Blocks under the title, before the first section (what the report is
    /// of, warnings).
    pub intro: Vec<Block>,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

/// A section: a heading and its blocks. In Excel each section is a sheet.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Section {
    /// The heading (plain text).
    pub title: String,
    /// The sheet's name in Excel, when shorter than the title.
    pub sheet: Option<String>,
    /// What the section holds.
    pub blocks: Vec<Block>,
    /// Which renderings show it.
    pub reach: Reach,
}

/// Which renderings show a section: most show everywhere; a long table
/// of raw figures is for a spreadsheet (filtered and sorted, not read
/// through), and its shorter reading form is for the page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reach {
    /// Every rendering.
    #[default]
    All,
    /// Text, Markdown and HTML, not the workbook (which has the same facts
    /// in a [`Reach::Workbook`] section).
    Reading,
    /// The workbook only: raw figures for filtering.
    Workbook,
}

impl Reach {
    /// Whether a workbook shows a section of this reach.
    pub fn in_workbook(self) -> bool {
        self != Reach::Reading
    }

    /// Whether text, Markdown and HTML show a section of this reach.
    pub fn in_reading(self) -> bool {
        self != Reach::Workbook
    }
}

impl Section {
    /// An empty section headed `title`.
    pub fn new(title: impl Into<String>) -> Self {
        Section {
            title: title.into(),
            sheet: None,
            blocks: Vec::new(),
            reach: Reach::All,
        }
    }

    /// The same section shown only where `reach` says.
    #[must_use]
    pub fn reach(mut self, reach: Reach) -> Self {
        self.reach = reach;
        self
    }

    /// The same section named `sheet` in Excel.
    #[must_use]
    pub fn sheet(mut self, sheet: impl Into<String>) -> Self {
        self.sheet = Some(sheet.into());
        self
    }

    /// Adds a block.
    pub fn push(&mut self, block: impl Into<Block>) {
        self.blocks.push(block.into());
    }

    /// The same section with `block` added.
    #[must_use]
    pub fn with(mut self, block: impl Into<Block>) -> Self {
        self.push(block);
        self
    }
}

/// One piece of a section.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A paragraph.
    Paragraph(Inline),
    /// A note set apart, with a bold label (e.g. "Levels differ").
    Note {
        /// The label, shown bold before the text.
        label: String,
        /// The note.
        text: Inline,
    },
    /// A warning about what the figures rest on.
    Warning(Inline),
    /// A sub-heading inside a section.
    Heading(String),
    /// A bulleted list.
    List(Vec<Inline>),
    /// Questions (or terms) each with its answer.
    Answers(Vec<(Inline, Inline)>),
    /// A table.
    Table(Table),
    /// A chart (drawn in HTML; the other formats carry its figures in a
    /// table of their own where the report has one).
    Chart(Chart),
}

impl From<Table> for Block {
    fn from(t: Table) -> Self {
        Block::Table(t)
    }
}

impl From<Inline> for Block {
    fn from(t: Inline) -> Self {
        Block::Paragraph(t)
    }
}

impl From<Chart> for Block {
    fn from(c: Chart) -> Self {
        Block::Chart(c)
    }
}

/// One run of inline text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Span {
    /// Plain text.
    Text(String),
    /// An id or a file name, set as code.
    Code(String),
    /// A piece of the rule file (a condition, an expression), set as code;
    /// plain text keeps it between backticks, which delimit it where it
    /// holds spaces (an id does not).
    Source(String),
    /// Bold text.
    Strong(String),
    /// Text that must be seen: a safeguarding alert (red in HTML).
    Alert(String),
    /// A caution about a figure, e.g. "too few to judge" (set apart in
    /// HTML).
    Caution(String),
}

/// A line of text made of [`Span`]s.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inline(pub Vec<Span>);

impl Inline {
    /// Plain text.
    pub fn text(s: impl Into<String>) -> Self {
        Inline(vec![Span::Text(s.into())])
    }

    /// An id set as code.
    pub fn code(s: impl Into<String>) -> Self {
        Inline(vec![Span::Code(s.into())])
    }

    /// Text in which `` `x` `` marks an id: the parts between backticks
    /// become code, the rest plain text (a lone backtick stays text).
    pub fn ticked(s: &str) -> Self {
        Inline::split_ticks(s, Span::Code)
    }

    /// Text in which `` `x` `` marks a piece of the rule file (a condition,
    /// as in "`age < 1` is false"): the parts between backticks become
    /// [`Span::Source`], which Markdown and HTML set as code and plain text
    /// keeps between its backticks (a lone backtick stays text).
    pub fn source_ticked(s: &str) -> Self {
        Inline::split_ticks(s, Span::Source)
    }

    /// `s` split at its backticks: closed pairs marked by `mark`.
    fn split_ticks(s: &str, mark: fn(String) -> Span) -> Self {
        let parts: Vec<&str> = s.split('`').collect();
        let closed = parts.len() % 2 == 1;
        let mut out = Inline::default();
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            if i % 2 == 1 && !part.is_empty() && (closed || !last) {
                out.0.push(mark((*part).to_string()));
            } else if i % 2 == 1 {
                let close = if last { "" } else { "`" };
                out.push_text(&format!("`{part}{close}"));
            } else {
                out.push_text(part);
            }
        }
        out
    }

    /// Ids set as code, separated by `", "`.
    pub fn codes<S: AsRef<str>>(ids: &[S]) -> Self {
        let mut out = Inline::default();
        for (n, id) in ids.iter().enumerate() {
            if n > 0 {
                out.push_text(", ");
            }
            out.0.push(Span::Code(id.as_ref().to_string()));
        }
        out
    }

    /// Adds plain text (merged with plain text before it).
    pub fn push_text(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if let Some(Span::Text(t)) = self.0.last_mut() {
            t.push_str(s);
        } else {
            self.0.push(Span::Text(s.to_string()));
        }
    }

    /// The same line with plain text `s` added.
    #[must_use]
    pub fn and(mut self, s: &str) -> Self {
        self.push_text(s);
        self
    }

    /// The same line with `id` added as code.
    #[must_use]
    pub fn and_code(mut self, id: impl Into<String>) -> Self {
        self.0.push(Span::Code(id.into()));
        self
    }

    /// The same line with `other` added.
    #[must_use]
    pub fn and_inline(mut self, other: Inline) -> Self {
        for s in other.0 {
            match s {
                Span::Text(t) => self.push_text(&t),
                s => self.0.push(s),
            }
        }
        self
    }

    /// The words without marks (what a spreadsheet cell or a terminal
    /// shows); a [`Span::Source`] keeps the backticks that delimit it.
    pub fn plain(&self) -> String {
        let mut out = String::new();
        for s in &self.0 {
            match s {
                Span::Source(t) => {
                    out.push('`');
                    out.push_str(t);
                    out.push('`');
                }
                Span::Text(t)
                | Span::Code(t)
                | Span::Strong(t)
                | Span::Alert(t)
                | Span::Caution(t) => out.push_str(t),
            }
        }
        out
    }

    /// Whether there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|s| match s {
            Span::Text(t)
            | Span::Code(t)
            | Span::Source(t)
            | Span::Strong(t)
            | Span::Alert(t)
            | Span::Caution(t) => t.is_empty(),
        })
    }
}

impl From<&str> for Inline {
    fn from(s: &str) -> Self {
        Inline::text(s)
    }
}

impl From<String> for Inline {
    fn from(s: String) -> Self {
        Inline::text(s)
    }
}

/// A table column: its heading and whether it holds figures (aligned
/// right).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// The heading (plain text).
    pub heading: String,
    /// Figures, aligned right.
    pub numeric: bool,
}

impl Column {
    /// A column of text.
    pub fn text(heading: impl Into<String>) -> Self {
        Column {
            heading: heading.into(),
            numeric: false,
        }
    }

    /// A column of figures.
    pub fn num(heading: impl Into<String>) -> Self {
        Column {
            heading: heading.into(),
            numeric: true,
        }
    }
}

/// A table of typed cells.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
    /// A long table: text, Markdown and HTML show this many rows and then
    /// the note; Excel lists every row (up to a sheet's limit).
    pub shown: Option<(usize, String)>,
}

impl Table {
    /// A table with these columns and no rows yet.
    pub fn new(columns: Vec<Column>) -> Self {
        Table {
            columns,
            rows: Vec::new(),
            shown: None,
        }
    }

    /// Adds a row.
    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    /// The rows text, Markdown and HTML show, and the note after them when
    /// some are left out.
    pub fn shown_rows(&self) -> (&[Vec<Cell>], Option<&str>) {
        match &self.shown {
            Some((n, note)) if self.rows.len() > *n => (&self.rows[..*n], Some(note.as_str())),
            _ => (&self.rows, None),
        }
    }
}

/// One cell of a table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text (ids within it as code).
    Text(Inline),
    /// A count.
    Count(i64),
    /// A signed change in a count (`+3`, `-2`, `0`).
    Delta(i64),
    /// A share (0..1) shown as a percentage; `None` is undefined (an em
    /// dash).
    Percent {
        /// The share, `None` when undefined.
        value: Option<f64>,
        /// Decimals shown.
        decimals: u8,
    },
    /// A change in a share (0..1) shown in signed percentage points.
    Points(Option<f64>),
    /// A coefficient (kappa, a p-value) with its decimals, signed or not.
    Number {
        /// The value, `None` when undefined.
        value: Option<f64>,
        /// Decimals shown.
        decimals: u8,
        /// Shown with a sign (`+0.120`).
        signed: bool,
    },
    /// Nothing.
    Empty,
}

/// An undefined figure, as shown.
pub const UNDEFINED: &str = "—";

impl Cell {
    /// Plain text.
    pub fn text(s: impl Into<String>) -> Self {
        Cell::Text(Inline::text(s))
    }

    /// An id as code.
    pub fn code(s: impl Into<String>) -> Self {
        Cell::Text(Inline::code(s))
    }

    /// A count.
    pub fn count(n: u64) -> Self {
        Cell::Count(i64::try_from(n).unwrap_or(i64::MAX))
    }

    /// A count, or an em dash when there is none.
    pub fn opt_count(n: Option<u64>) -> Self {
        n.map_or_else(|| Cell::text(UNDEFINED), Cell::count)
    }

    /// A share with one decimal (`10.5%`).
    pub fn pct(value: Option<f64>) -> Self {
        Cell::Percent { value, decimals: 1 }
    }

    /// A share with `decimals` decimals.
    pub fn percent(value: Option<f64>, decimals: u8) -> Self {
        Cell::Percent { value, decimals }
    }

    /// A statistic with three decimals.
    pub fn stat(value: Option<f64>) -> Self {
        Cell::Number {
            value,
            decimals: 3,
            signed: false,
        }
    }

    /// A signed statistic with three decimals (a change).
    pub fn signed_stat(value: Option<f64>) -> Self {
        Cell::Number {
            value,
            decimals: 3,
            signed: true,
        }
    }

    /// Whether the cell is a figure (aligned right).
    pub fn is_figure(&self) -> bool {
        !matches!(self, Cell::Text(_) | Cell::Empty)
    }

    /// The cell as shown in text, Markdown and HTML (plain words; the
    /// renderers escape it).
    pub fn shown(&self) -> String {
        match self {
            Cell::Text(t) => t.plain(),
            Cell::Count(n) => n.to_string(),
            Cell::Delta(n) if *n > 0 => format!("+{n}"),
            Cell::Delta(n) => n.to_string(),
            Cell::Percent { value, decimals } => value.map_or_else(
                || UNDEFINED.into(),
                |v| {
                    let d = usize::from(*decimals);
                    format!("{:.d$}%", v * 100.0)
                },
            ),
            Cell::Points(v) => {
                v.map_or_else(|| UNDEFINED.into(), |v| format!("{:+.1} pp", v * 100.0))
            }
            Cell::Number {
                value,
                decimals,
                signed,
            } => value.map_or_else(
                || UNDEFINED.into(),
                |v| {
                    let d = usize::from(*decimals);
                    if *signed {
                        format!("{v:+.d$}")
                    } else {
                        format!("{v:.d$}")
                    }
                },
            ),
            Cell::Empty => String::new(),
        }
    }
}

/// A chart, drawn in HTML as inline SVG (see `report::html::chart`).
#[derive(Clone, Debug, PartialEq)]
pub enum Chart {
    /// Shares with their intervals as horizontal bars.
    Intervals {
        /// The chart's title.
        title: String,
        /// One bar a row.
        rows: Vec<Interval>,
    },
    /// Shares over time with their intervals.
    Trend {
        /// The chart's title.
        title: String,
        /// One point a period.
        points: Vec<Interval>,
    },
    /// Shares under and over, one pair of bars a group.
    Splits {
        /// The chart's title.
        title: String,
        /// One group a row.
        rows: Vec<Split>,
    },
    /// A k×k matrix of counts as a heat map.
    HeatMap {
        /// The chart's title.
        title: String,
        /// What the rows are.
        row_head: String,
        /// What the columns are.
        col_head: String,
        /// The labels of rows and columns.
        labels: Vec<String>,
        /// The counts, `cells[row][column]`.
        cells: Vec<Vec<u64>>,
    },
    /// Accuracy by trainee: paired dots for the first and last phase, or
    /// one bar each.
    Accuracy {
        /// The first and the last phase, with two or more phases.
        phases: Option<(String, String)>,
        /// One trainee a row.
        rows: Vec<Accuracy>,
    },
    /// The spread of answers per vignette over the levels.
    Answers {
        /// The levels' labels, in order.
        levels: Vec<String>,
        /// One vignette a row.
        rows: Vec<Spread>,
    },
    /// Flows from old levels (left) to new levels (right).
    Flows {
        /// The old levels.
        from: Vec<String>,
        /// The new levels.
        to: Vec<String>,
        /// Records, `counts[old][new]`.
        counts: Vec<Vec<u64>>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_mark_ids_as_code() {
        assert_eq!(
            Inline::ticked("rule `x` now `y`."),
            Inline(vec![
                Span::Text("rule ".into()),
                Span::Code("x".into()),
                Span::Text(" now ".into()),
                Span::Code("y".into()),
                Span::Text(".".into()),
            ])
        );
        assert_eq!(Inline::ticked("a `b"), Inline::text("a `b"));
        assert_eq!(Inline::ticked("a `` b"), Inline::text("a `` b"));
    }

    #[test]
    fn source_keeps_its_backticks_in_plain_text() {
        let why = "`age < 1` is false: `age` is 4; a `b";
        let line = Inline::source_ticked(why);
        assert_eq!(
            line.0,
            vec![
                Span::Source("age < 1".into()),
                Span::Text(" is false: ".into()),
                Span::Source("age".into()),
                Span::Text(" is 4; a `b".into()),
            ]
        );
        assert_eq!(line.plain(), why);
        assert_eq!(
            Inline::ticked(why).plain(),
            "age < 1 is false: age is 4; a `b"
        );
    }

    #[test]
    fn cells_show_their_figures() {
        assert_eq!(Cell::Delta(3).shown(), "+3");
        assert_eq!(Cell::Delta(-2).shown(), "-2");
        assert_eq!(Cell::pct(Some(0.1053)).shown(), "10.5%");
        assert_eq!(Cell::percent(Some(0.666), 0).shown(), "67%");
        assert_eq!(Cell::Points(Some(-0.105)).shown(), "-10.5 pp");
        assert_eq!(Cell::signed_stat(Some(-0.1932)).shown(), "-0.193");
        assert_eq!(Cell::stat(None).shown(), "—");
        assert_eq!(Cell::Empty.shown(), "");
    }

    #[test]
    fn a_long_table_is_cut_where_asked() {
        let mut t = Table::new(vec![Column::num("n")]);
        for n in 0..5 {
            t.row(vec![Cell::count(n)]);
        }
        assert_eq!(t.shown_rows().0.len(), 5);
        t.shown = Some((2, "more".into()));
        let (rows, note) = t.shown_rows();
        assert_eq!((rows.len(), note), (2, Some("more")));
    }
}

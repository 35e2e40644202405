//! The rule file as parsed: plain data in which every node a message may
//! point at carries its [`Span`]. Names are not resolved here; see `check`.

use crate::span::Span;

/// An identifier with its place.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The name, `[a-z][a-z0-9_]*`.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// A string literal with its place (escapes already resolved).
#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    /// The value.
    pub value: String,
    /// Where it is written, quotes included.
    pub span: Span,
}

/// A whole `.thr` file.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleFile {
    /// `continuum "NAME"`.
    pub name: Text,
    /// `version "V"`.
    pub version: Option<Text>,
    /// The header line.
    pub header_span: Span,
    /// The blocks in source order.
    pub items: Vec<Item>,
}

/// One top-level block.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `levels { id "label" ... }`
    Levels(Block<LabelDef>),
    /// `decisions { "text" -> level ... }`
    Decisions(Block<DecisionDef>),
    /// `themes { id "label" ... }`
    Themes(Block<LabelDef>),
    /// `flags { id "label" ... }`
    Flags(Block<LabelDef>),
    /// `fields { id: type ... }`
    Fields(Block<FieldDef>),
    /// `domain id "label" { indicator ... }`
    Domain(Domain),
    /// `script "path"`
    Script(Script),
    /// `rule id "reason" when ... then ...`
    Rule(Rule),
    /// `example "name" { ... }`
    Example(Example),
}

impl Item {
    /// The span of the whole item.
    pub fn span(&self) -> Span {
        match self {
            Item::Levels(b) | Item::Themes(b) | Item::Flags(b) => b.span,
            Item::Decisions(b) => b.span,
            Item::Fields(b) => b.span,
            Item::Domain(d) => d.span,
            Item::Script(s) => s.span,
            Item::Rule(r) => r.span,
            Item::Example(e) => e.span,
        }
    }
}

/// A braced block of entries.
#[derive(Clone, Debug, PartialEq)]
pub struct Block<T> {
    /// The entries in source order.
    pub entries: Vec<T>,
    /// The whole block.
    pub span: Span,
    /// The closing brace.
    pub close: Span,
}

/// `id "label"`: a level, theme or flag.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelDef {
    /// The id.
    pub id: Ident,
    /// The label.
    pub label: Text,
    /// The whole entry.
    pub span: Span,
}

/// `"text" -> level`.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionDef {
    /// The recorded decision text.
    pub text: Text,
    /// The level it means.
    pub level: Ident,
    /// The whole entry.
    pub span: Span,
}

/// `id: type` with `?` for optional.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDef {
    /// The field id (also the data column name).
    pub id: Ident,
    /// Its type.
    pub ty: FieldTypeSyntax,
    /// Marked `?`: may be missing.
    pub optional: bool,
    /// The plain-English name used in handouts, feedback and reports
    /// (`age: number "Age in years"`), when written.
    pub label: Option<Text>,
    /// The whole entry.
    pub span: Span,
}

/// A field's type as written, before checking: the choices keep their
/// spans (and any duplicates) and a range is not yet known to be sound.
/// The checker turns it into [`crate::check::FieldType`], the one field
/// type every later stage reads; this is only the syntax of it.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldTypeSyntax {
    /// `number` or `number(MIN..MAX)` (inclusive).
    Number(Option<(f64, f64)>),
    /// `bool`
    Bool,
    /// `text`
    Text,
    /// `one_of("a", "b")`
    OneOf(Vec<Text>),
}

/// `domain id "label" { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Domain {
    /// The domain id.
    pub id: Ident,
    /// Its label.
    pub label: Text,
    /// Its indicators.
    pub indicators: Vec<IndicatorDef>,
    /// The whole block.
    pub span: Span,
    /// The closing brace.
    pub close: Span,
}

/// `indicator id "description" at LEVEL themes [t, ...] codes ["c", ...]`.
#[derive(Clone, Debug, PartialEq)]
pub struct IndicatorDef {
    /// The indicator id.
    pub id: Ident,
    /// What it means.
    pub description: Text,
    /// The level it sets on its own.
    pub level: Ident,
    /// Themes it is tagged with.
    pub themes: Vec<Ident>,
    /// `codes ["3A", ...]`: external codes that mean this indicator in data.
    pub codes: Vec<Text>,
    /// The whole entry.
    pub span: Span,
}

/// `script "path.rhai"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    /// Path relative to the rule file.
    pub path: Text,
    /// The whole item.
    pub span: Span,
}

/// `rule id "reason" when EXPR then ACTION, ...`.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// The rule id.
    pub id: Ident,
    /// Why, in a practitioner's words.
    pub reason: Text,
    /// The condition.
    pub when: Expr,
    /// What happens when it fires.
    pub actions: Vec<Action>,
    /// The whole rule.
    pub span: Span,
}

/// One action of a rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    /// What it does.
    pub kind: ActionKind,
    /// Where it is written.
    pub span: Span,
}

/// What an action does.
#[derive(Clone, Debug, PartialEq)]
pub enum ActionKind {
    /// `at least LEVEL`
    AtLeast(Ident),
    /// `raise N`
    Raise(u64),
    /// `flag FLAG`
    Flag(Ident),
}

/// An expression with its place.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is written.
    pub span: Span,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    /// Binding strength: higher binds tighter (shared by parser and printer).
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 4,
            BinOp::Add | BinOp::Sub => 6,
            BinOp::Mul | BinOp::Div => 7,
        }
    }

    /// True for the six comparisons.
    pub fn is_comparison(self) -> bool {
        self.precedence() == 4
    }
}

/// Precedence of `not` (between `and` and the comparisons).
pub const NOT_PRECEDENCE: u8 = 3;
/// Precedence of postfix `in [...]`.
pub const IN_PRECEDENCE: u8 = 5;
/// Precedence of unary minus.
pub const NEG_PRECEDENCE: u8 = 8;

impl Expr {
    /// How tightly the top operator binds (for printing with the fewest
    /// parentheses); atoms bind tightest ([`u8::MAX`]).
    pub fn precedence(&self) -> u8 {
        match &self.kind {
            ExprKind::Or(_) => BinOp::Or.precedence(),
            ExprKind::And(_) => BinOp::And.precedence(),
            ExprKind::Not(_) => NOT_PRECEDENCE,
            ExprKind::Binary(op, ..) => op.precedence(),
            ExprKind::In(..) => IN_PRECEDENCE,
            ExprKind::Neg(_) => NEG_PRECEDENCE,
            _ => u8::MAX,
        }
    }
}

/// Which indicators a selector picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectorKind {
    /// `indicators at L`
    At,
    /// `indicators at least L`
    AtLeast,
    /// `indicators in DOMAIN`
    In,
    /// `indicators with THEME`
    With,
}

/// `indicators at|at least|in|with X`.
#[derive(Clone, Debug, PartialEq)]
pub struct Selector {
    /// Which relation.
    pub kind: SelectorKind,
    /// The level, domain or theme.
    pub target: Ident,
}

/// Expression forms.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A number literal.
    Number(f64),
    /// A string literal.
    Str(String),
    /// `true` / `false`.
    Bool(bool),
    /// A field or indicator id.
    Name(Ident),
    /// `not e`
    Not(Box<Expr>),
    /// `-e`
    Neg(Box<Expr>),
    /// `a and b and ...` (flattened, at least two operands)
    And(Vec<Expr>),
    /// `a or b or ...` (flattened, at least two operands)
    Or(Vec<Expr>),
    /// `a OP b` for comparisons and arithmetic (never `and`/`or`)
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `e in [literals]`
    In(Box<Expr>, Vec<Expr>),
    /// `count(e1, e2, ...)`
    Count(Vec<Expr>),
    /// `count(indicators ...)`
    CountSel(Selector),
    /// `any(indicators ...)`
    AnySel(Selector),
    /// `known(field)`
    Known(Ident),
    /// `name(args)`: a script function.
    Call(Ident, Vec<Expr>),
}

/// `example "name" { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    /// The example's name.
    pub name: Text,
    /// Its statements in source order.
    pub stmts: Vec<ExampleStmt>,
    /// The whole block.
    pub span: Span,
    /// The closing brace.
    pub close: Span,
}

/// A literal value in an example.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// A number.
    Number(f64),
    /// A string.
    Str(String),
    /// A bool.
    Bool(bool),
}

/// One statement of an example.
#[derive(Clone, Debug, PartialEq)]
pub struct ExampleStmt {
    /// What it says.
    pub kind: ExampleStmtKind,
    /// Where it is written.
    pub span: Span,
}

/// Statement forms in an example.
#[derive(Clone, Debug, PartialEq)]
pub enum ExampleStmtKind {
    /// `field = value`
    Assign(Ident, Literal, Span),
    /// `indicators = [a, b]`
    Indicators(Vec<Ident>),
    /// `expect LEVEL`
    Expect(Ident),
    /// `fired [rule, ...]`
    Fired(Vec<Ident>),
    /// `flags [flag, ...]`
    Flags(Vec<Ident>),
}

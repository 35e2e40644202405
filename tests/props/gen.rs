//! Proptest strategies for rule files and records: a rule file is a value
//! (a [`Model`]: its declarations and rules as expression trees), and
//! records are drawn for that model. Because every part is drawn by a
//! strategy, proptest shrinks a failing case to a small file and record
//! (fewer rules, shallower conditions, fewer indicators) and records it in
//! `tests/props.proptest-regressions`.

use std::sync::Arc;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;

/// A field's type.
#[derive(Clone, Debug)]
pub(super) enum Ty {
    Number,
    Bool,
    Text,
    /// `one_of("c0", "c1", ...)` with this many choices.
    OneOf(usize),
}

/// A declared field `x{i}`.
#[derive(Clone, Debug)]
pub(super) struct Field {
    pub ty: Ty,
    pub optional: bool,
    /// A plain-English label (`"Label of x3"`), when written.
    pub label: bool,
}

/// A declared indicator `i{i}`.
#[derive(Clone, Debug)]
pub(super) struct Indicator {
    pub level: usize,
    pub domain: usize,
    pub themes: Vec<usize>,
}

/// The declarations: levels `l0..`, themes `t0..`, flags `f0..`, domains
/// `d0..`, fields `x0..` and indicators `i0..`.
#[derive(Clone, Debug)]
pub(super) struct Shape {
    pub levels: usize,
    pub themes: usize,
    pub flags: usize,
    pub domains: usize,
    pub fields: Vec<Field>,
    pub indicators: Vec<Indicator>,
}

/// An indicator selector.
#[derive(Clone, Debug)]
pub(super) enum Sel {
    At(usize),
    AtLeast(usize),
    In(usize),
    With(usize),
}

/// A numeric expression that reads no indicator.
#[derive(Clone, Debug)]
pub(super) enum Plain {
    Lit(&'static str),
    Field(usize),
    Neg(Box<Plain>),
    Bin(Box<Plain>, &'static str, Box<Plain>),
}

/// A numeric expression that may read indicators.
#[derive(Clone, Debug)]
pub(super) enum Num {
    Count(Sel),
    CountOf(Vec<Cond>),
    Arith(Box<Num>, &'static str, Plain),
    Plain(Plain),
}

/// A condition.
#[derive(Clone, Debug)]
pub(super) enum Cond {
    Indicator(usize),
    Lit(bool),
    Known(usize),
    NumCmp(usize, &'static str, &'static str),
    BoolField(usize),
    BoolEq(usize, bool),
    TextCmp(usize, &'static str, &'static str),
    ChoiceEq(usize, usize),
    ChoiceIn(usize, usize, usize),
    /// `and` (true) or `or` (false) over two or three parts.
    Join(bool, Vec<Cond>),
    CountCmp(Num, &'static str, u8),
    Any(Sel),
    PlainCmp(Plain, &'static str, Plain),
    Not(Box<Cond>),
    Same(Box<Cond>, Box<Cond>),
}

/// A rule's action.
#[derive(Clone, Debug)]
pub(super) enum Action {
    AtLeast(usize),
    Raise(usize),
    Flag(usize),
}

/// A rule `r{i}`.
#[derive(Clone, Debug)]
pub(super) struct Rule {
    pub when: Cond,
    pub then: Vec<Action>,
    /// A comment between the parts (when the model has comments).
    pub commented: bool,
}

/// A literal value of a field in a record.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Val {
    Missing,
    Num(f64),
    Bool(bool),
    Str(String),
}

/// A record as field values (one per field, in order) and indicator ids.
#[derive(Clone, Debug)]
pub(super) struct Rec {
    pub values: Vec<(String, Val)>,
    pub indicators: Vec<String>,
}

/// An example: a record and the level it expects.
#[derive(Clone, Debug)]
pub(super) struct Example {
    pub rec: Rec,
    pub expect: usize,
}

/// A whole rule file.
#[derive(Clone, Debug)]
pub(super) struct Model {
    pub shape: Arc<Shape>,
    pub rules: Vec<Rule>,
    pub examples: Vec<Example>,
    /// Where comments go (cycled through by the renderer); empty for none.
    pub comments: Vec<bool>,
}

/// What expressions may contain.
#[derive(Clone, Copy, Debug)]
pub(super) struct Opts {
    /// Only forms that cannot become false when an indicator is added.
    pub monotone: bool,
    /// Sprinkle comments (for the formatter).
    pub comments: bool,
}

/// How big a generated model may be (half-open ranges).
#[derive(Clone, Debug)]
pub(super) struct Sizes {
    pub levels: (usize, usize),
    pub themes: (usize, usize),
    pub flags: (usize, usize),
    pub domains: (usize, usize),
    pub fields: (usize, usize),
    pub indicators: (usize, usize),
    pub rules: (usize, usize),
    pub examples: (usize, usize),
}

/// The sizes the properties use: small files, so a case runs quickly.
pub(super) const SMALL: Sizes = Sizes {
    levels: (2, 6),
    themes: (0, 3),
    flags: (0, 3),
    domains: (1, 3),
    fields: (0, 5),
    indicators: (1, 7),
    rules: (0, 8),
    examples: (0, 3),
};

const NUMS: &[&str] = &["0", "1", "2", "3", "0.5", "2.25", "10", "17"];
const ORDER: &[&str] = &["<", "<=", ">", ">=", "==", "!="];

fn range((lo, hi): (usize, usize)) -> std::ops::Range<usize> {
    lo..hi.max(lo + 1)
}

fn field() -> impl Strategy<Value = Field> {
    let ty = prop_oneof![
        Just(Ty::Number),
        Just(Ty::Bool),
        Just(Ty::Text),
        (2usize..4).prop_map(Ty::OneOf),
    ];
    (ty, proptest::bool::weighted(0.4), any::<bool>()).prop_map(|(ty, optional, label)| Field {
        ty,
        optional,
        label,
    })
}

/// The declarations.
pub(super) fn shape(z: &Sizes) -> impl Strategy<Value = Shape> {
    let (fields, indicators) = (range(z.fields), range(z.indicators));
    (
        range(z.levels),
        range(z.themes),
        range(z.flags),
        range(z.domains),
    )
        .prop_flat_map(move |(levels, themes, flags, domains)| {
            let indicator = (
                0..levels,
                0..domains,
                vec(proptest::bool::weighted(0.4), themes),
            )
                .prop_map(|(level, domain, with)| Indicator {
                    level,
                    domain,
                    themes: (0..with.len()).filter(|&t| with[t]).collect(),
                });
            (
                vec(field(), fields.clone()),
                vec(indicator, indicators.clone()),
            )
                .prop_map(move |(fields, indicators)| Shape {
                    levels,
                    themes,
                    flags,
                    domains,
                    fields,
                    indicators,
                })
        })
}

fn fields_where(s: &Shape, f: impl Fn(&Field) -> bool) -> Vec<usize> {
    (0..s.fields.len()).filter(|&i| f(&s.fields[i])).collect()
}

fn selector(s: &Shape) -> BoxedStrategy<Sel> {
    let mut arms = vec![
        (0..s.levels).prop_map(Sel::At).boxed(),
        (0..s.levels).prop_map(Sel::AtLeast).boxed(),
        (0..s.domains).prop_map(Sel::In).boxed(),
    ];
    if s.themes > 0 {
        arms.push((0..s.themes).prop_map(Sel::With).boxed());
    }
    Union::new(arms).boxed()
}

fn plain(s: &Shape) -> BoxedStrategy<Plain> {
    let nums = fields_where(s, |f| matches!(f.ty, Ty::Number));
    let lit = select(NUMS).prop_map(Plain::Lit);
    let leaf = if nums.is_empty() {
        lit.boxed()
    } else {
        prop_oneof![lit, select(nums).prop_map(Plain::Field)].boxed()
    };
    leaf.prop_recursive(2, 6, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|p| Plain::Neg(Box::new(p))),
            (inner.clone(), select(&["+", "-", "*", "/"][..]), inner)
                .prop_map(|(a, op, b)| Plain::Bin(Box::new(a), op, Box::new(b))),
        ]
    })
    .boxed()
}

/// The leaves of a condition: indicators, literals and field tests.
fn leaf(s: &Shape, opts: Opts) -> BoxedStrategy<Cond> {
    let mut arms = vec![
        (0..s.indicators.len()).prop_map(Cond::Indicator).boxed(),
        any::<bool>().prop_map(Cond::Lit).boxed(),
    ];
    let optional = fields_where(s, |f| f.optional);
    if !optional.is_empty() {
        arms.push(select(optional).prop_map(Cond::Known).boxed());
    }
    let nums = fields_where(s, |f| matches!(f.ty, Ty::Number));
    if !nums.is_empty() {
        arms.push(
            (select(nums), select(ORDER), select(NUMS))
                .prop_map(|(f, op, n)| Cond::NumCmp(f, op, n))
                .boxed(),
        );
    }
    let bools = fields_where(s, |f| matches!(f.ty, Ty::Bool));
    if !bools.is_empty() {
        arms.push(select(bools.clone()).prop_map(Cond::BoolField).boxed());
        if !opts.monotone {
            arms.push(
                (select(bools), any::<bool>())
                    .prop_map(|(f, b)| Cond::BoolEq(f, b))
                    .boxed(),
            );
        }
    }
    let texts = fields_where(s, |f| matches!(f.ty, Ty::Text));
    if !texts.is_empty() {
        arms.push(
            (
                select(texts),
                select(&["==", "!="][..]),
                select(&["a", "b", "x y"][..]),
            )
                .prop_map(|(f, op, t)| Cond::TextCmp(f, op, t))
                .boxed(),
        );
    }
    for (i, f) in s.fields.iter().enumerate() {
        if let Ty::OneOf(n) = f.ty {
            arms.push((0..n).prop_map(move |k| Cond::ChoiceEq(i, k)).boxed());
            arms.push(
                (0..n, 0..n)
                    .prop_map(move |(a, b)| Cond::ChoiceIn(i, a, b))
                    .boxed(),
            );
        }
    }
    Union::new(arms).boxed()
}

/// A condition up to three levels deep.
pub(super) fn cond(s: &Shape, opts: Opts) -> BoxedStrategy<Cond> {
    let (sel, plain_num) = (selector(s), plain(s));
    leaf(s, opts)
        .prop_recursive(3, 24, 3, move |inner| {
            let ops: &'static [&'static str] = if opts.monotone { &[">=", ">"] } else { ORDER };
            let mut nums = vec![
                sel.clone().prop_map(Num::Count).boxed(),
                vec(inner.clone(), 1..4).prop_map(Num::CountOf).boxed(),
                plain_num.clone().prop_map(Num::Plain).boxed(),
            ];
            if !opts.monotone {
                nums.push(
                    (
                        sel.clone().prop_map(Num::Count),
                        select(&["+", "-", "*"][..]),
                        plain_num.clone(),
                    )
                        .prop_map(|(n, op, p)| Num::Arith(Box::new(n), op, p))
                        .boxed(),
                );
            }
            let mut arms = vec![
                (any::<bool>(), vec(inner.clone(), 2..4))
                    .prop_map(|(and, parts)| Cond::Join(and, parts))
                    .boxed(),
                (Union::new(nums), select(ops), 0u8..3)
                    .prop_map(|(n, op, k)| Cond::CountCmp(n, op, k))
                    .boxed(),
                sel.clone().prop_map(Cond::Any).boxed(),
                (plain_num.clone(), select(ORDER), plain_num.clone())
                    .prop_map(|(a, op, b)| Cond::PlainCmp(a, op, b))
                    .boxed(),
            ];
            if !opts.monotone {
                arms.push(inner.clone().prop_map(|c| Cond::Not(Box::new(c))).boxed());
                arms.push(
                    (inner.clone(), inner)
                        .prop_map(|(a, b)| Cond::Same(Box::new(a), Box::new(b)))
                        .boxed(),
                );
            }
            Union::new(arms)
        })
        .boxed()
}

fn action(s: &Shape) -> BoxedStrategy<Action> {
    let mut arms = vec![
        (0..s.levels).prop_map(Action::AtLeast).boxed(),
        (1..s.levels).prop_map(Action::Raise).boxed(),
    ];
    if s.flags > 0 {
        arms.push((0..s.flags).prop_map(Action::Flag).boxed());
    }
    Union::new(arms).boxed()
}

fn value(f: &Field) -> BoxedStrategy<Val> {
    let set = match f.ty {
        Ty::Number => select(&[0.0, 0.5, 1.0, 2.0, 2.25, 3.0, 10.0, 17.0, 40.0][..])
            .prop_map(Val::Num)
            .boxed(),
        Ty::Bool => any::<bool>().prop_map(Val::Bool).boxed(),
        Ty::Text => select(&["a", "b", "x y"][..])
            .prop_map(|t| Val::Str(t.to_string()))
            .boxed(),
        Ty::OneOf(n) => (0..n).prop_map(|k| Val::Str(format!("c{k}"))).boxed(),
    };
    if f.optional {
        prop_oneof![3 => Just(Val::Missing), 7 => set].boxed()
    } else {
        set
    }
}

/// A record for the declarations: every required field set, optional ones
/// sometimes, each indicator present about a third of the time.
pub(super) fn record(s: &Shape) -> BoxedStrategy<Rec> {
    let values: Vec<BoxedStrategy<(String, Val)>> = (s.fields.iter().enumerate())
        .map(|(i, f)| value(f).prop_map(move |v| (format!("x{i}"), v)).boxed())
        .collect();
    let present = vec(proptest::bool::weighted(0.35), s.indicators.len());
    (values, present)
        .prop_map(|(values, present)| Rec {
            values,
            indicators: (0..present.len())
                .filter(|&i| present[i])
                .map(|i| format!("i{i}"))
                .collect(),
        })
        .boxed()
}

/// A whole rule file of the given sizes.
pub(super) fn model(z: &Sizes, opts: Opts) -> impl Strategy<Value = Model> {
    let (rules, examples) = (range(z.rules), range(z.examples));
    shape(z).prop_flat_map(move |shape| {
        let rule = (cond(&shape, opts), vec(action(&shape), 1..3), any::<bool>()).prop_map(
            |(when, then, commented)| Rule {
                when,
                then,
                commented,
            },
        );
        let example =
            (record(&shape), 0..shape.levels).prop_map(|(rec, expect)| Example { rec, expect });
        let comments = if opts.comments {
            vec(proptest::bool::weighted(0.3), 16).boxed()
        } else {
            Just(Vec::new()).boxed()
        };
        (
            Just(Arc::new(shape)),
            vec(rule, rules.clone()),
            vec(example, examples.clone()),
            comments,
        )
            .prop_map(|(shape, rules, examples, comments)| Model {
                shape,
                rules,
                examples,
                comments,
            })
    })
}

/// A model with records for it.
pub(super) fn model_and_records(
    opts: Opts,
    records: std::ops::Range<usize>,
) -> impl Strategy<Value = (Model, Vec<Rec>)> {
    model(&SMALL, opts).prop_flat_map(move |m| {
        let recs = vec(record(&m.shape), records.clone());
        (Just(m), recs)
    })
}

//! A small random model of a rule file, rendered as `.thr` text, and random
//! records for it. Driven by a seed so proptest can record failing cases.

use std::fmt::Write;

/// SplitMix64: tiny, deterministic, good enough for test data.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// 0..n (n > 0).
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub(super) fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

#[derive(Clone, Debug)]
pub(super) enum Ty {
    Number,
    Bool,
    Text,
    OneOf(Vec<String>),
}

#[derive(Clone, Debug)]
pub(super) struct Field {
    pub id: String,
    pub ty: Ty,
    pub optional: bool,
    /// A plain-English label (`"Label 3"`), when written.
    pub label: bool,
}

#[derive(Clone, Debug)]
pub(super) struct Indicator {
    pub id: String,
    pub level: usize,
    pub domain: usize,
    pub themes: Vec<usize>,
}

#[derive(Clone, Debug)]
pub(super) struct Model {
    pub levels: usize,
    pub themes: usize,
    pub flags: usize,
    pub domains: usize,
    pub fields: Vec<Field>,
    pub indicators: Vec<Indicator>,
    /// Rule texts (each a whole `rule ...` item).
    pub rules: Vec<String>,
    pub examples: Vec<String>,
    /// Sprinkle comments and odd spacing (for the formatter).
    pub comments: bool,
}

/// What expressions may contain.
#[derive(Clone, Copy, Debug)]
pub(super) struct Opts {
    /// Only forms that cannot become false when an indicator is added.
    pub monotone: bool,
}

/// A literal value of a field in a record.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Val {
    Missing,
    Num(f64),
    Bool(bool),
    Str(String),
}

/// A record as names and values.
#[derive(Clone, Debug)]
pub(super) struct Rec {
    pub values: Vec<(String, Val)>,
    pub indicators: Vec<String>,
}

const NUMS: &[&str] = &["0", "1", "2", "3", "0.5", "2.25", "10", "17"];

pub(super) fn model(rng: &mut Rng, opts: Opts, comments: bool) -> Model {
    let sizes = Sizes {
        levels: 2 + rng.below(4),
        themes: rng.below(3),
        flags: rng.below(3),
        domains: 1 + rng.below(2),
        fields: rng.below(5),
        indicators: 1 + rng.below(6),
        rules: rng.below(8),
        examples: rng.below(3),
    };
    model_sized(rng, opts, comments, &sizes)
}

/// How big a generated model is.
pub(super) struct Sizes {
    pub levels: usize,
    pub themes: usize,
    pub flags: usize,
    pub domains: usize,
    pub fields: usize,
    pub indicators: usize,
    pub rules: usize,
    pub examples: usize,
}

pub(super) fn model_sized(rng: &mut Rng, opts: Opts, comments: bool, z: &Sizes) -> Model {
    let (levels, themes, flags, domains) = (z.levels, z.themes, z.flags, z.domains);
    let mut fields = Vec::new();
    for i in 0..z.fields {
        let ty = match rng.below(4) {
            0 => Ty::Number,
            1 => Ty::Bool,
            2 => Ty::Text,
            _ => Ty::OneOf((0..2 + rng.below(2)).map(|k| format!("c{k}")).collect()),
        };
        fields.push(Field {
            id: format!("x{i}"),
            ty,
            optional: rng.chance(40),
            label: rng.chance(50),
        });
    }
    let mut indicators = Vec::new();
    for i in 0..z.indicators {
        let mut ts = Vec::new();
        for t in 0..themes {
            if rng.chance(40) {
                ts.push(t);
            }
        }
        indicators.push(Indicator {
            id: format!("i{i}"),
            level: rng.below(levels),
            domain: rng.below(domains),
            themes: ts,
        });
    }
    let mut m = Model {
        levels,
        themes,
        flags,
        domains,
        fields,
        indicators,
        rules: Vec::new(),
        examples: Vec::new(),
        comments,
    };
    for r in 0..z.rules {
        let cond = m.bool_expr(rng, opts, 3);
        let mut actions = Vec::new();
        for _ in 0..1 + rng.below(2) {
            actions.push(match rng.below(3) {
                0 => format!("at least l{}", rng.below(levels)),
                1 => format!("raise {}", 1 + rng.below(levels - 1)),
                _ if flags > 0 => format!("flag f{}", rng.below(flags)),
                _ => format!("at least l{}", rng.below(levels)),
            });
        }
        let sep = if comments && rng.chance(30) {
            " // why\n    "
        } else {
            " "
        };
        m.rules.push(format!(
            "rule r{r} \"Reason {r}\"{sep}when {cond}{sep}then {}",
            actions.join(", ")
        ));
    }
    for e in 0..z.examples {
        let rec = m.record(rng);
        let mut s = format!("example \"e{e}\" {{\n");
        for (id, v) in &rec.values {
            let lit = match v {
                Val::Missing => continue,
                Val::Num(n) => format!("{n}"),
                Val::Bool(b) => b.to_string(),
                Val::Str(t) => format!("\"{t}\""),
            };
            let _ = writeln!(s, "  {id} = {lit}");
        }
        let _ = writeln!(s, "  indicators = [{}]", rec.indicators.join(", "));
        let _ = writeln!(s, "  expect l{}", rng.below(levels));
        s.push('}');
        m.examples.push(s);
    }
    m
}

impl Model {
    fn num_fields(&self) -> Vec<&Field> {
        self.fields
            .iter()
            .filter(|f| matches!(f.ty, Ty::Number))
            .collect()
    }

    /// A numeric expression that does not read indicators.
    fn plain_num(&self, rng: &mut Rng, depth: usize) -> String {
        let nf = self.num_fields();
        match rng.below(if depth == 0 { 2 } else { 5 }) {
            0 => rng.pick(NUMS).to_string(),
            1 if !nf.is_empty() => rng.pick(&nf).id.clone(),
            1 => rng.pick(NUMS).to_string(),
            2 => format!("-{}", self.plain_num(rng, depth - 1)),
            _ => {
                let op = rng.pick(&["+", "-", "*", "/"]);
                let a = self.plain_num(rng, depth - 1);
                let b = self.plain_num(rng, depth - 1);
                format!("({a} {op} {b})")
            }
        }
    }

    fn selector(&self, rng: &mut Rng) -> String {
        match rng.below(4) {
            0 => format!("indicators at l{}", rng.below(self.levels)),
            1 => format!("indicators at least l{}", rng.below(self.levels)),
            2 => format!("indicators in d{}", rng.below(self.domains)),
            _ if self.themes > 0 => format!("indicators with t{}", rng.below(self.themes)),
            _ => format!("indicators in d{}", rng.below(self.domains)),
        }
    }

    /// A numeric expression that may read indicators.
    fn num_expr(&self, rng: &mut Rng, opts: Opts, depth: usize) -> String {
        match rng.below(4) {
            0 => format!("count({})", self.selector(rng)),
            1 if depth > 0 => {
                let n = 1 + rng.below(3);
                let args: Vec<String> = (0..n)
                    .map(|_| self.bool_expr(rng, opts, depth - 1))
                    .collect();
                format!("count({})", args.join(", "))
            }
            2 if depth > 0 && !opts.monotone => {
                let op = rng.pick(&["+", "-", "*"]);
                format!(
                    "({} {op} {})",
                    self.num_expr(rng, opts, depth - 1),
                    self.plain_num(rng, 1)
                )
            }
            _ => self.plain_num(rng, depth.min(2)),
        }
    }

    pub(super) fn bool_expr(&self, rng: &mut Rng, opts: Opts, depth: usize) -> String {
        let leaf = depth == 0 || rng.chance(30);
        if leaf {
            return self.bool_leaf(rng, opts);
        }
        let d = depth - 1;
        match rng.below(if opts.monotone { 5 } else { 7 }) {
            0 | 1 => {
                let n = 2 + rng.below(2);
                let word = if rng.chance(50) { " and " } else { " or " };
                let parts: Vec<String> = (0..n)
                    .map(|_| format!("({})", self.bool_expr(rng, opts, d)))
                    .collect();
                parts.join(word)
            }
            2 => {
                // a count compared: monotone only as `count(...) >= k` / `> k`
                let ops: &[&str] = if opts.monotone {
                    &[">=", ">"]
                } else {
                    &["<", "<=", ">", ">=", "==", "!="]
                };
                let op = rng.pick(ops);
                format!("{} {op} {}", self.num_expr(rng, opts, d), rng.below(3))
            }
            3 => format!("any({})", self.selector(rng)),
            4 => {
                let op = rng.pick(&["<", "<=", ">", ">=", "==", "!="]);
                format!("{} {op} {}", self.plain_num(rng, 2), self.plain_num(rng, 1))
            }
            5 => format!("not ({})", self.bool_expr(rng, opts, d)),
            _ => format!(
                "({}) == ({})",
                self.bool_expr(rng, opts, d),
                self.bool_expr(rng, opts, d)
            ),
        }
    }

    fn bool_leaf(&self, rng: &mut Rng, opts: Opts) -> String {
        let f = if self.fields.is_empty() {
            None
        } else {
            Some(rng.pick(&self.fields).clone())
        };
        match (rng.below(4), f) {
            (0, _) | (_, None) => rng.pick(&self.indicators).id.clone(),
            (1, _) => rng.pick(&["true", "false"]).to_string(),
            (_, Some(f)) => match &f.ty {
                _ if f.optional && rng.chance(25) => format!("known({})", f.id),
                Ty::Number => {
                    let op = rng.pick(&["<", "<=", ">", ">=", "==", "!="]);
                    format!("{} {op} {}", f.id, rng.pick(NUMS))
                }
                Ty::Bool if opts.monotone || rng.chance(50) => f.id.clone(),
                Ty::Bool => format!("{} == {}", f.id, rng.pick(&["true", "false"])),
                Ty::Text => {
                    let op = rng.pick(&["==", "!="]);
                    format!("{} {op} \"{}\"", f.id, rng.pick(&["a", "b", "x y"]))
                }
                Ty::OneOf(opts_) => {
                    if rng.chance(50) {
                        format!("{} == \"{}\"", f.id, rng.pick(opts_))
                    } else {
                        format!(
                            "{} in [\"{}\", \"{}\"]",
                            f.id,
                            rng.pick(opts_),
                            rng.pick(opts_)
                        )
                    }
                }
            },
        }
    }

    /// A random record: every required field set, optional ones sometimes.
    pub(super) fn record(&self, rng: &mut Rng) -> Rec {
        let mut values = Vec::new();
        for f in &self.fields {
            let v = if f.optional && rng.chance(30) {
                Val::Missing
            } else {
                match &f.ty {
                    Ty::Number => Val::Num(
                        rng.pick(&[0.0, 0.5, 1.0, 2.0, 2.25, 3.0, 10.0, 17.0, 40.0])
                            .to_owned(),
                    ),
                    Ty::Bool => Val::Bool(rng.chance(50)),
                    Ty::Text => Val::Str(rng.pick(&["a", "b", "x y"]).to_string()),
                    Ty::OneOf(o) => Val::Str(rng.pick(o).clone()),
                }
            };
            values.push((f.id.clone(), v));
        }
        let indicators = self
            .indicators
            .iter()
            .filter(|_| rng.chance(35))
            .map(|i| i.id.clone())
            .collect();
        Rec { values, indicators }
    }
}

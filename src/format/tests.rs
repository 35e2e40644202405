//! Unit tests of the formatter: layout, comments, parentheses, idempotence.

use super::*;

fn fmt(text: &str) -> String {
    let src = Source::new("t.thr", text);
    format_source(&src).unwrap()
}

fn assert_stable(text: &str) -> String {
    let once = fmt(text);
    let twice = fmt(&once);
    assert_eq!(once, twice, "not idempotent");
    once
}

#[test]
fn lays_out_blocks_with_aligned_columns() {
    let out = assert_stable(
        "continuum \"X\" version \"1\"\nlevels { low \"Low\" early_help \"Early\" }\n\
         decisions { \"NFA\" -> low \"Early help\"->early_help }\n\
         fields { age : number dash_score:number(0..27)? risk: one_of(\"a\",\"b\") }\n\
         domain care \"Care\" { indicator x \"X\" at low themes [ t ] }\n\
         rule r \"R\" when x and age<1 then at least early_help,flag f\n\
         example \"e\" { age = -0.5 indicators=[x] expect early_help fired [r] }",
    );
    assert_eq!(
        out,
        "continuum \"X\" version \"1\"\n\nlevels {\n  low        \"Low\"\n  early_help \"Early\"\n}\n\n\
         decisions {\n  \"NFA\"        -> low\n  \"Early help\" -> early_help\n}\n\n\
         fields {\n  age:        number\n  dash_score: number(0..27)?\n  risk:       one_of(\"a\", \"b\")\n}\n\n\
         domain care \"Care\" {\n  indicator x \"X\" at low themes [t]\n}\n\n\
         rule r \"R\"\n  when x and age < 1\n  then at least early_help, flag f\n\n\
         example \"e\" {\n  age = -0.5\n  indicators = [x]\n  expect early_help\n  fired [r]\n}\n"
    );
}

#[test]
fn keeps_comments_in_place() {
    let src = "// top\ncontinuum \"X\" // header\n\nlevels { // lowest first\n  // the first\n  a \"A\"\n\n  b \"B\" // second\n  // last\n}\n// about r\nrule r \"R\"\n  when a1 // inside\n    // own line inside\n    or b1\n  then raise 1\n// end\n";
    let out = assert_stable(src);
    assert_eq!(
        out,
        "// top\ncontinuum \"X\" // header\n\nlevels { // lowest first\n  // the first\n  a \"A\"\n\n  b \"B\" // second\n  // last\n}\n\n// about r\nrule r \"R\"\n  // own line inside\n  when a1 or b1 // inside\n  then raise 1\n// end\n"
    );
}

#[test]
fn comment_markers_inside_strings_are_not_comments() {
    let out = assert_stable("continuum \"a // b\"\nlevels { x \"http://x\" y \"\\\"//\" }\n");
    assert!(out.contains("x \"http://x\""));
    assert!(out.contains("y \"\\\"//\""));
}

#[test]
fn parentheses_only_where_needed() {
    let cases = [
        ("(a and b) or c", "a and b or c"),
        ("a and (b or c)", "a and (b or c)"),
        ("(a and b) and c", "a and b and c"),
        ("a and (b and c)", "a and (b and c)"),
        ("a or (b or c)", "a or (b or c)"),
        ("not (a == 1)", "not a == 1"),
        ("(not a) == true", "(not a) == true"),
        ("a - (b - c)", "a - (b - c)"),
        ("(a - b) - c", "a - b - c"),
        ("-(a + b) * c", "-(a + b) * c"),
        ("(a + b) in [1, 2]", "a + b in [1, 2]"),
        ("(a == b) in [true]", "(a == b) in [true]"),
        ("not (a in [\"x\"])", "not a in [\"x\"]"),
        ("count((a or b), c) >= 2", "count(a or b, c) >= 2"),
        (
            "any(indicators at least x) and count(indicators with t) > 0.25",
            "any(indicators at least x) and count(indicators with t) > 0.25",
        ),
    ];
    for (input, want) in cases {
        let src = Source::new("e", input);
        let e = crate::parse::parse_expr(&src).unwrap();
        assert_eq!(expr::expr(&e, input), want, "{input}");
    }
}

#[test]
fn a_label_with_brackets_does_not_disturb_a_range_kept_as_written() {
    let big = "9".repeat(320);
    let src = format!(
        "continuum \"c\"\nlevels {{ a \"A\" }}\nfields {{\n  x: number(0..{big})? \"Count (all) of (them)\"\n}}\n"
    );
    let out = assert_stable(&src);
    assert!(
        out.contains(&format!("x: number(0..{big})? \"Count (all) of (them)\"")),
        "{out}"
    );
}

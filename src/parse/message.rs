//! Turns pest's "expected rule X" into plain words at the right place.

use std::sync::Arc;

use pest::error::{Error, ErrorVariant, InputLocation};

use super::Rule;
use crate::error::Diagnostic;
use crate::span::{floor_char_boundary, Source, Span};

/// A user word for a grammar rule, or `None` for rules not worth naming.
pub(crate) fn friendly_rule(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::ident | Rule::name => "a name like `early_help`",
        Rule::string | Rule::string_inner => "a quoted string",
        Rule::number | Rule::signed_number => "a number",
        Rule::integer => "a whole number",
        Rule::header | Rule::kw_continuum => "the header `continuum \"NAME\"`",
        Rule::kw_version => "`version`",
        Rule::kw_levels | Rule::levels_block => "`levels`",
        Rule::kw_decisions | Rule::decisions_block => "`decisions`",
        Rule::kw_themes | Rule::themes_block | Rule::indicator_themes => "`themes`",
        Rule::kw_codes | Rule::indicator_codes => "`codes`",
        Rule::kw_flags | Rule::flags_block | Rule::ex_flags => "`flags`",
        Rule::kw_fields | Rule::fields_block => "`fields`",
        Rule::kw_domain | Rule::domain_block => "`domain`",
        Rule::kw_indicator | Rule::indicator_def => "`indicator`",
        Rule::kw_script | Rule::script_item => "`script`",
        Rule::kw_rule | Rule::rule_item => "`rule`",
        Rule::kw_example | Rule::example_item => "`example`",
        Rule::kw_when => "`when`",
        Rule::kw_then => "`then`",
        Rule::kw_at | Rule::sel_at => "`at`",
        Rule::kw_least | Rule::sel_at_least => "`least`",
        Rule::kw_raise | Rule::act_raise => "`raise`",
        Rule::kw_flag | Rule::act_flag => "`flag`",
        Rule::act_at_least => "`at least LEVEL`",
        Rule::kw_indicators | Rule::ex_indicators | Rule::selector => "`indicators`",
        Rule::kw_expect | Rule::ex_expect => "`expect`",
        Rule::kw_fired | Rule::ex_fired => "`fired`",
        Rule::kw_number | Rule::ty_number => "`number`",
        Rule::kw_bool | Rule::ty_bool => "`bool`",
        Rule::kw_text | Rule::ty_text => "`text`",
        Rule::kw_one_of | Rule::ty_one_of => "`one_of(...)`",
        Rule::kw_in | Rule::sel_in => "`in`",
        Rule::kw_with | Rule::sel_with => "`with`",
        Rule::optional_mark => "`?`",
        Rule::close_brace => "`}`",
        Rule::expr | Rule::paren => "an expression",
        Rule::op_or => "`or`",
        Rule::op_and => "`and`",
        Rule::op_not => "`not`",
        Rule::op_eq => "`==`",
        Rule::op_ne => "`!=`",
        Rule::op_lt => "`<`",
        Rule::op_le => "`<=`",
        Rule::op_gt => "`>`",
        Rule::op_ge => "`>=`",
        Rule::op_add => "`+`",
        Rule::op_sub | Rule::op_neg => "`-`",
        Rule::op_mul => "`*`",
        Rule::op_div => "`/`",
        Rule::op_in => "`in [...]`",
        Rule::lit_true | Rule::kw_true => "`true`",
        Rule::lit_false | Rule::kw_false => "`false`",
        Rule::count_call | Rule::kw_count => "`count(...)`",
        Rule::any_call | Rule::kw_any => "`any(...)`",
        Rule::known_call | Rule::kw_known => "`known(...)`",
        Rule::call => "a function call",
        Rule::ex_assign => "`field = value`",
        Rule::level_def | Rule::theme_def | Rule::flag_def => "an entry `id \"label\"`",
        Rule::decision_def => "an entry `\"decision text\" -> level`",
        Rule::field_def => "a field `id: type`",
        Rule::EOI => "the end of the file",
        _ => return None,
    })
}

fn has(positives: &[Rule], r: Rule) -> bool {
    positives.contains(&r)
}

/// The sentence for what was expected, with special cases for common slips.
fn expected_sentence(positives: &[Rule]) -> String {
    if has(positives, Rule::kw_then) {
        return "expected `then` after the rule's condition".into();
    }
    if has(positives, Rule::kw_when) {
        return "expected `when` and a condition after the rule's reason".into();
    }
    if has(positives, Rule::act_at_least) || has(positives, Rule::act_raise) {
        return "expected an action: `at least LEVEL`, `raise N` or `flag FLAG`".into();
    }
    if has(positives, Rule::kw_least) {
        return "expected `least` (actions are written `at least LEVEL`)".into();
    }
    if has(positives, Rule::kw_continuum) || has(positives, Rule::header) {
        return "a rule file must start with `continuum \"NAME\"`".into();
    }
    if has(positives, Rule::ty_number) || has(positives, Rule::kw_number) {
        return "expected a field type: `number`, `bool`, `text` or `one_of(\"a\", \"b\")`".into();
    }
    if has(positives, Rule::levels_block) && has(positives, Rule::rule_item) {
        return "expected a block: `levels`, `decisions`, `themes`, `flags`, `fields`, `domain`, `script`, `rule` or `example`".into();
    }
    let mut words: Vec<&str> = Vec::new();
    for r in positives {
        if let Some(w) = friendly_rule(*r) {
            if !words.contains(&w) {
                words.push(w);
            }
        }
    }
    match words.as_slice() {
        [] => "unexpected input".into(),
        [one] => format!("expected {one}"),
        [init @ .., last] => format!("expected {} or {last}", init.join(", ")),
    }
}

/// What stands at the error position, for "found ...".
fn found(text: &str, pos: usize) -> String {
    let pos = floor_char_boundary(text, pos);
    let rest = &text[pos..];
    let rest = rest.trim_start_matches([' ', '\t']);
    match rest.chars().next() {
        None => "the end of the file".into(),
        Some('\n') | Some('\r') => "the end of the line".into(),
        Some(c) if c.is_ascii_alphanumeric() || c == '_' => {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(40)
                .collect();
            format!("`{word}`")
        }
        Some(c) if c.is_control() => format!("`{}`", c.escape_default()),
        Some(c) => format!("`{c}`"),
    }
}

/// A pest error → one diagnostic in our words.
pub(super) fn syntax_error(source: &Arc<Source>, e: &Error<Rule>) -> Diagnostic {
    let (start, end) = match e.location {
        InputLocation::Pos(p) => (p, p),
        InputLocation::Span((s, t)) => (s, t),
    };
    if let Some(d) = unterminated_string(source, start) {
        return d;
    }
    let message = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            format!(
                "{}, found {}",
                expected_sentence(positives),
                found(&source.text, start)
            )
        }
        ErrorVariant::CustomError { message } => message.clone(),
    };
    // Point at the offending token (one character at least) so it is underlined.
    let tok_end = {
        let rest = &source.text[floor_char_boundary(&source.text, start)..];
        let n = rest
            .char_indices()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_')
            .last()
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or_else(|| rest.chars().next().map_or(0, |c| c.len_utf8()));
        start + n
    };
    let span = Span::new(start, end.max(tok_end));
    let mut d = Diagnostic::error("syntax", source, span, message).with_label("here");
    if let Some(help) = syntax_help(source, start) {
        d = d.with_help(help);
    }
    d
}

/// A string opened at `pos` that does not close on its line: pest only
/// says it expected a string there, which reads oddly with a quote in view.
fn unterminated_string(source: &Arc<Source>, pos: usize) -> Option<Diagnostic> {
    let text = &source.text;
    let pos = floor_char_boundary(text, pos);
    let rest = text[pos..].trim_start_matches([' ', '\t']);
    let start = text.len() - rest.len();
    let after = rest.strip_prefix('"')?;
    let line = after.split('\n').next().unwrap_or("");
    let mut escaped = false;
    for c in line.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return None,
            _ => escaped = false,
        }
    }
    let end = start + 1 + line.trim_end_matches('\r').len();
    Some(
        Diagnostic::error(
            "syntax",
            source,
            Span::new(start, end),
            "this string is not closed: a string must end with `\"` on the same line",
        )
        .with_label("no closing `\"`")
        .with_help("add the closing `\"`; write `\\\"` for a quote inside the text"),
    )
}

/// Advice for a few frequent mistakes, judged from the text at the error.
fn syntax_help(source: &Source, pos: usize) -> Option<String> {
    let rest = &source.text[floor_char_boundary(&source.text, pos)..];
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if let Some(c) = rest.chars().next().filter(|c| !c.is_ascii()) {
        return Some(format!(
            "`{c}` (U+{:04X}) is not an ASCII character: ids use a-z, 0-9 and `_` (it may be a look-alike of a Latin letter)",
            c as u32
        ));
    }
    if word.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
        return Some("ids are lowercase: letters, digits and `_`, starting with a letter".into());
    }
    if rest.starts_with("&&") || rest.starts_with("||") {
        return Some("write `and` and `or` rather than `&&` and `||`".into());
    }
    if rest.starts_with('=') && !rest.starts_with("==") {
        return Some("compare with `==`".into());
    }
    if pos == 0 || source.text[..pos].trim().is_empty() {
        return Some("the first line names the continuum, e.g. `continuum \"Our partnership\" version \"2026.1\"`".into());
    }
    if rest.starts_with('\'') {
        return Some("strings use double quotes".into());
    }
    None
}

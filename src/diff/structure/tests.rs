//! Structural comparison on small hand-made pairs.

use super::*;
use crate::span::Source;

const BASE: &str = r#"
continuum "Demo" version "1"
levels { universal "U" early_help "EH" targeted "T" specialist "S" }
decisions { "NFA" -> universal "TAF" -> targeted }
flags { marac "MARAC" }
fields { age: number dash: number? }
domain safety "Safety" {
  indicator dv "Domestic abuse" at targeted
  indicator injury "Injury" at specialist
  indicator a "A" at early_help
  indicator b "B" at early_help
  indicator c "C" at early_help
}
rule trio "Three together" when count(a, b, c) >= 3 then at least targeted
rule many "Many targeted" when count(indicators at targeted) >= 2 then raise 1
rule dash "DASH" when dash >= 14 then at least targeted, flag marac
"#;

fn side(text: &str) -> Side {
    let file = crate::parse::parse(&Source::new("t.thr", text)).unwrap();
    Side {
        file,
        scripts: vec![],
    }
}

fn texts(old: &str, new: &str) -> Vec<String> {
    compare(&side(old), &side(new))
        .changes
        .into_iter()
        .map(|c| c.text)
        .collect()
}

#[test]
fn a_file_compared_with_itself_has_no_changes() {
    let s = compare(&side(BASE), &side(BASE));
    assert!(s.is_empty(), "{:?}", s.changes);
    assert_eq!(s.level_note, None);
}

#[test]
fn layout_and_comments_are_not_changes() {
    let new = BASE.replace(
        "when count(a, b, c) >= 3",
        "// reworded\n  when (count(a,b,c)   >= 3)",
    );
    assert!(texts(BASE, &new).is_empty());
}

#[test]
fn count_thresholds_are_described_as_such() {
    let new = BASE
        .replace("count(a, b, c) >= 3", "count(a, b, c) >= 2")
        .replace(
            "count(indicators at targeted) >= 2",
            "count(indicators at targeted) > 2",
        );
    assert_eq!(
        texts(BASE, &new),
        [
            "rule `trio` now needs 2 of 3 instead of 3",
            "rule `many` now needs 3 `indicators at targeted` instead of 2",
        ]
    );
}

#[test]
fn effects_levels_and_flags() {
    let new = BASE
        .replace("then at least targeted\n", "then raise 1\n")
        .replace(
            "at targeted\n  indicator injury",
            "at specialist\n  indicator injury",
        )
        .replace(", flag marac", "");
    assert_eq!(
        texts(BASE, &new),
        [
            "indicator `dv` moved from targeted to specialist",
            "rule `trio` now raises 1 instead of at least targeted",
            "rule `dash` no longer raises flag `marac`",
        ]
    );
}

#[test]
fn additions_removals_and_other_conditions() {
    let new = BASE
        .replace(
            "rule dash \"DASH\" when dash >= 14",
            "rule dash \"DASH high\" when dash >= 14 and age < 18",
        )
        .replace(
            "flags { marac \"MARAC\" }",
            "flags { marac \"MARAC\" mash \"MASH\" }",
        )
        .replace(
            "\"TAF\" -> targeted",
            "\"TAF\" -> early_help \"S17\" -> specialist",
        )
        .replace("dash: number?", "dash: number")
        .replace("rule many", "rule more");
    assert_eq!(
        texts(BASE, &new),
        [
            "decision \"TAF\" now maps to early_help instead of targeted",
            "decision \"S17\" added, mapped to specialist",
            "flag `mash` added: \"MASH\"",
            "field `dash` is now number instead of number?",
            "rule `many` removed (was: when `count(indicators at targeted) >= 2` then raise 1)",
            "rule `more` added: when `count(indicators at targeted) >= 2` then raise 1",
            "rule `dash` condition changed from `dash >= 14` to `dash >= 14 and age < 18`",
            "rule `dash` reason reworded from \"DASH\" to \"DASH high\"",
        ]
    );
}

#[test]
fn different_level_sets_are_matched_by_rank_and_noted() {
    let new = BASE.replace("specialist \"S\"", "specialist \"S\" statutory \"S47\"");
    let s = compare(&side(BASE), &side(&new));
    assert!(s.level_note.unwrap().contains("matched by rank"));
    assert_eq!(
        s.changes[0].text,
        "level `statutory` added at rank 5: \"S47\""
    );
}

#[test]
fn field_labels_added_changed_and_removed() {
    let one = BASE.replace(
        "fields { age: number dash: number? }",
        "fields { age: number \"Age\" dash: number? \"DASH\" }",
    );
    let two = BASE.replace(
        "fields { age: number dash: number? }",
        "fields { age: number \"Age in years\" dash: number? }",
    );
    assert_eq!(
        texts(BASE, &one),
        [
            "field `age` labelled \"Age\"",
            "field `dash` labelled \"DASH\""
        ]
    );
    assert_eq!(
        texts(&one, &two),
        [
            "field `age` relabelled from \"Age\" to \"Age in years\"",
            "field `dash` no longer has a label"
        ]
    );
}

#[test]
fn a_change_kind_reads_as_in_the_json_report() {
    for k in [ChangeKind::Added, ChangeKind::Removed, ChangeKind::Changed] {
        assert_eq!(
            serde_json::to_string(&k).unwrap(),
            format!("\"{}\"", k.word())
        );
    }
}

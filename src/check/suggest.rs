//! "Did you mean" suggestions for unknown names.

/// The candidate closest to `name`, when it is close enough to be a likely slip.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(name, c);
        let close = score >= 0.85 || strsim::levenshtein(name, c) <= (name.len() / 4).max(1);
        if close && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

/// `did you mean `x`?` or an empty string.
pub fn hint<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    did_you_mean(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["specialist", "targeted", "early_help"];
        assert_eq!(did_you_mean("specialst", names), Some("specialist"));
        assert_eq!(did_you_mean("targetted", names), Some("targeted"));
        assert_eq!(did_you_mean("zebra", names), None);
    }
}

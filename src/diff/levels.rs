//! How the levels of two rule files line up. With the same level ids in the
//! same order, a level is itself; otherwise levels are matched by rank
//! (1 = lowest), and every report says so.

use serde::Serialize;

/// The levels of both versions, lowest first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LevelMap {
    /// Old level ids.
    pub old: Vec<String>,
    /// New level ids.
    pub new: Vec<String>,
}

impl LevelMap {
    /// Lines up two lists of level ids.
    pub fn new(old: Vec<String>, new: Vec<String>) -> Self {
        Self { old, new }
    }

    /// True when both files have the same levels in the same order.
    pub fn same(&self) -> bool {
        self.old == self.new
    }

    /// Ranks on the joint scale: the longer of the two.
    pub fn k(&self) -> usize {
        self.old.len().max(self.new.len())
    }

    /// The name of a rank on the joint scale: the level id when both agree,
    /// `old/new` when they differ, or whichever exists.
    pub fn name(&self, rank: usize) -> String {
        match (self.old.get(rank), self.new.get(rank)) {
            (Some(o), Some(n)) if o == n => o.clone(),
            (Some(o), Some(n)) => format!("{o}/{n}"),
            (Some(o), None) => o.clone(),
            (None, Some(n)) => n.clone(),
            (None, None) => format!("rank {}", rank + 1),
        }
    }

    /// An old level id by rank.
    pub fn old_id(&self, rank: usize) -> &str {
        self.old.get(rank).map_or("?", String::as_str)
    }

    /// A new level id by rank.
    pub fn new_id(&self, rank: usize) -> &str {
        self.new.get(rank).map_or("?", String::as_str)
    }

    /// A plain-words warning when the level sets differ.
    pub fn note(&self) -> Option<String> {
        if self.same() {
            return None;
        }
        let pairs: Vec<String> = (0..self.k())
            .map(|r| {
                let o = self.old.get(r).map_or("(none)", String::as_str);
                let n = self.new.get(r).map_or("(none)", String::as_str);
                format!("{} {o} → {n}", r + 1)
            })
            .collect();
        Some(format!(
            "the two rule files have different levels (old: {} levels, new: {}); \
             levels are matched by rank, 1 = lowest: {}",
            self.old.len(),
            self.new.len(),
            pairs.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn same_levels_have_no_note() {
        let m = LevelMap::new(ids(&["a", "b"]), ids(&["a", "b"]));
        assert!(m.same());
        assert_eq!(m.note(), None);
        assert_eq!(m.name(1), "b");
    }

    #[test]
    fn different_levels_are_matched_by_rank() {
        let m = LevelMap::new(ids(&["a", "b"]), ids(&["a", "c", "d"]));
        assert_eq!(m.k(), 3);
        assert_eq!(m.name(1), "b/c");
        assert_eq!(m.name(2), "d");
        let note = m.note().unwrap();
        assert!(note.contains("matched by rank"), "{note}");
        assert!(note.contains("3 (none) → d"), "{note}");
    }
}

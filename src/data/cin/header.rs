//! The `Header` of each census message as the reader meets it: the council's
//! code (`Header/Source/LEA`) that fills the `la` field, and the header
//! problems that change figures, stated once each as warnings (SPEC §9).
//!
//! A file may hold several messages one after another (pooled returns of
//! several councils, concatenated): each message's episodes take its own
//! header's LEA. Within one message only the first LEA counts.

/// Header problems kept for the warnings; further ones are counted.
const KEPT: usize = 20;

/// A header problem of one message.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Problem {
    /// No LEA at all: the message's episodes have no `la`.
    Missing { line: u64, episodes: u64 },
    /// The LEA came after some of the message's episodes.
    Late { line: u64, before: u64 },
    /// A second, different LEA in one message (ignored).
    Second {
        line: u64,
        first: String,
        second: String,
    },
    /// Two messages with the same LEA.
    Repeated {
        line: u64,
        earlier: u64,
        lea: String,
    },
}

/// The headers read so far.
#[derive(Clone, Debug, Default)]
pub struct Headers {
    /// Messages begun.
    messages: u64,
    /// Line of the current message's `<Message>`.
    line: u64,
    /// The current message's LEA, empty until read.
    la: String,
    /// The current message's episodes, and those before its LEA.
    episodes: u64,
    before_lea: u64,
    /// Earlier messages' LEAs and lines (at most [`KEPT`] kept).
    earlier: Vec<(String, u64)>,
    problems: Vec<Problem>,
    more: u64,
    /// A message is open.
    open: bool,
}

impl Headers {
    /// A `<Message>` begins at `line`.
    pub fn begin_message(&mut self, line: u64) {
        self.end_message();
        self.messages += 1;
        self.line = line;
        self.la.clear();
        self.episodes = 0;
        self.before_lea = 0;
        self.open = true;
    }

    /// The current message ends (`</Message>` or the end of the file).
    pub fn end_message(&mut self) {
        if !self.open {
            return;
        }
        self.open = false;
        let line = self.line;
        if self.la.is_empty() {
            if self.episodes > 0 {
                self.problem(Problem::Missing {
                    line,
                    episodes: self.episodes,
                });
            }
        } else {
            if self.before_lea > 0 {
                self.problem(Problem::Late {
                    line,
                    before: self.before_lea,
                });
            }
            let same = self.earlier.iter().find(|(l, _)| *l == self.la);
            if let Some((lea, earlier)) = same {
                let p = Problem::Repeated {
                    line,
                    earlier: *earlier,
                    lea: lea.clone(),
                };
                self.problem(p);
            } else if self.earlier.len() < KEPT {
                self.earlier.push((self.la.clone(), line));
            }
        }
    }

    /// A `Header/Source/LEA` value: the first non-empty one of a message
    /// counts; a different later one is noted and ignored.
    pub fn lea(&mut self, value: &str) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        if self.la.is_empty() {
            self.la.push_str(value);
        } else if self.la != value {
            let p = Problem::Second {
                line: self.line,
                first: self.la.clone(),
                second: value.to_string(),
            };
            self.problem(p);
        }
    }

    /// Whether `other` is in the same message with the same LEA (what a
    /// chunk read on another thread needs of the header).
    pub fn same_message(&self, other: &Headers) -> bool {
        self.messages == other.messages
            && self.line == other.line
            && self.la == other.la
            && self.open == other.open
    }

    /// An episode of the current message is handed on.
    pub fn episode(&mut self) {
        self.episodes += 1;
        if self.la.is_empty() {
            self.before_lea += 1;
        }
    }

    /// The `la` of the current message's episodes (empty when unknown).
    pub fn la(&self) -> &str {
        &self.la
    }

    fn problem(&mut self, p: Problem) {
        if self.problems.contains(&p) {
            return;
        }
        if self.problems.len() < KEPT {
            self.problems.push(p);
        } else {
            self.more += 1;
        }
    }

    /// What every report must state about the headers, one sentence each.
    pub fn warnings(&self) -> Vec<String> {
        let mut done = self.clone();
        done.end_message();
        let one = done.messages <= 1;
        let which = |line: u64| {
            if one {
                "the file".to_string()
            } else {
                format!("the census message at line {line}")
            }
        };
        let short = |s: &str| crate::text::shorten(s);
        let mut out: Vec<String> = done
            .problems
            .iter()
            .map(|p| match p {
                Problem::Missing { line, episodes } => format!(
                    "{} has no `Header/Source/LEA` (the council's 3-digit code), so the `la` \
                     field is empty on {} {}: nothing can be compared by council",
                    which(*line),
                    if one { "all" } else { "its" },
                    plural(*episodes, "episode")
                ),
                Problem::Late { line, before } => format!(
                    "the `Header/Source/LEA` of {} comes after {} of its episodes, \
                     whose `la` field is therefore empty",
                    which(*line),
                    plural(*before, "episode")
                ),
                Problem::Second {
                    line,
                    first,
                    second,
                } => format!(
                    "{} has a second `Header/Source/LEA` (`{}`) after `{}`: it is ignored and \
                     every episode of that message has `la` `{}`; pooled returns of several \
                     councils are read as whole messages one after another in the file, each \
                     with its own header",
                    which(*line),
                    short(second),
                    short(first),
                    short(first)
                ),
                Problem::Repeated { line, earlier, lea } => format!(
                    "the census messages at lines {earlier} and {line} have the same LEA \
                     (`{}`): the same council's return twice? An episode in both (the same \
                     child and referral date) is rejected as a duplicate id",
                    short(lea)
                ),
            })
            .collect();
        if done.more > 0 {
            out.push(format!(
                "{} more header problems like those above are not listed",
                done.more
            ));
        }
        out
    }
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_without_lea_is_stated_once() {
        let mut h = Headers::default();
        h.begin_message(2);
        h.episode();
        h.episode();
        assert_eq!(h.la(), "");
        let w = h.warnings();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with("the file has no `Header/Source/LEA`"),
            "{w:?}"
        );
        assert!(w[0].contains("empty on all 2 episodes"), "{w:?}");
    }

    #[test]
    fn a_good_header_gives_no_warning_and_its_lea() {
        let mut h = Headers::default();
        h.begin_message(2);
        h.lea(" 201 ");
        h.lea("201");
        h.episode();
        h.end_message();
        assert_eq!(h.la(), "201");
        assert!(h.warnings().is_empty());
    }

    #[test]
    fn pooled_messages_each_take_their_own_lea_and_problems_are_named_by_line() {
        let mut h = Headers::default();
        h.begin_message(1);
        h.lea("201");
        h.episode();
        h.begin_message(40);
        assert_eq!(h.la(), "", "a new message forgets the old LEA");
        h.episode();
        h.lea("202");
        assert_eq!(h.la(), "202");
        h.lea("203");
        h.episode();
        h.begin_message(90);
        h.lea("201");
        h.episode();
        let w = h.warnings();
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(
            w[0].contains("the census message at line 40 has a second `Header/Source/LEA` (`203`) after `202`"),
            "{w:?}"
        );
        assert!(
            w[1].contains("of the census message at line 40 comes after 1 episode"),
            "{w:?}"
        );
        assert!(
            w[2].contains("at lines 1 and 90 have the same LEA (`201`)"),
            "{w:?}"
        );
    }

    #[test]
    fn a_message_with_no_episodes_needs_no_lea() {
        let mut h = Headers::default();
        h.begin_message(1);
        h.end_message();
        assert!(h.warnings().is_empty());
    }
}

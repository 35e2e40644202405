//! Rejected rows: the first [`KEPT`] in memory, the rest spilled to an
//! anonymous temporary file (deleted when the process ends), so a run whose
//! every row is rejected (the wrong rule file for the data, say) takes no
//! more memory than a good one. Nothing is lost: [`Rejects::for_each`] and
//! [`Rejects::all`] give back every reject in input order.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::sync::{Arc, Mutex, PoisonError};

use crate::data::Reject;

/// Rejects held in memory; later ones go to the temporary file.
pub const KEPT: usize = 10_000;

/// Every reject of a run, in input order.
#[derive(Clone, Debug, Default)]
pub struct Rejects {
    kept: Vec<Reject>,
    total: u64,
    spill: Option<Arc<Mutex<BufWriter<File>>>>,
}

impl PartialEq for Rejects {
    fn eq(&self, other: &Self) -> bool {
        self.total == other.total
            && self.kept == other.kept
            && match (&self.spill, &other.spill) {
                (None, None) => true,
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                _ => false,
            }
    }
}

impl Rejects {
    /// Adds a reject (to the temporary file once [`KEPT`] are held).
    pub fn push(&mut self, r: Reject) -> std::io::Result<()> {
        self.total += 1;
        if self.kept.len() < KEPT {
            self.kept.push(r);
            return Ok(());
        }
        let spill = match &self.spill {
            Some(s) => s,
            None => self
                .spill
                .insert(Arc::new(Mutex::new(BufWriter::new(tempfile::tempfile()?)))),
        };
        let mut w = spill.lock().unwrap_or_else(PoisonError::into_inner);
        serde_json::to_writer(&mut *w, &r)?;
        w.write_all(b"\n")
    }

    /// How many rows were rejected.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// True when no row was rejected.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The first rejects (up to [`KEPT`]), those held in memory.
    pub fn first(&self) -> &[Reject] {
        &self.kept
    }

    /// Calls `f` with every reject in input order, reading back the
    /// temporary file.
    pub fn for_each(
        &self,
        mut f: impl FnMut(&Reject) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        for r in &self.kept {
            f(r)?;
        }
        let Some(spill) = &self.spill else {
            return Ok(());
        };
        let mut w = spill.lock().unwrap_or_else(PoisonError::into_inner);
        w.flush()?;
        let file = w.get_mut();
        file.seek(SeekFrom::Start(0))?;
        let mut reader = BufReader::new(&mut *file);
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                break;
            }
            let r: Reject = serde_json::from_str(&line)?;
            f(&r)?;
        }
        file.seek(SeekFrom::End(0))?;
        Ok(())
    }

    /// Every reject, in memory (for reports that list them all).
    pub fn all(&self) -> std::io::Result<Vec<Reject>> {
        let mut out = Vec::new();
        self.for_each(|r| {
            out.push(r.clone());
            Ok(())
        })?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reject(row: u64) -> Reject {
        Reject {
            row,
            id: (row % 3 != 0).then(|| format!("R{row}, \"quoted\"\n")),
            column: "age".into(),
            reason: format!("bad number `x{row}`"),
        }
    }

    #[test]
    fn spills_past_the_limit_and_gives_every_reject_back_in_order() {
        let mut r = Rejects::default();
        let n = KEPT as u64 + 2_500;
        for row in 2..n + 2 {
            r.push(reject(row)).unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(r.len(), n);
        assert_eq!(r.first().len(), KEPT);
        let all = r.all().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(all.len() as u64, n);
        assert!(all.iter().zip(2..).all(|(x, row)| *x == reject(row)));
        // Reading back leaves the log usable: more rejects, read again.
        r.push(reject(n + 2)).unwrap_or_else(|e| panic!("{e}"));
        let again = r.all().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.len() as u64, n + 1);
        assert_eq!(again.last(), Some(&reject(n + 2)));
    }
}

//! A byte allowance for one row at a time: the CSV and JSON-array readers
//! grant it before each row, and reading past it fails, so a row with no end
//! (an unclosed `"`, an endless JSON element) is never read into memory whole.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Bytes read so far and how far reading may go; shared between the reader
/// and the code that grants the allowance (a parser holds the reader).
#[derive(Debug, Default)]
pub struct Allowance {
    read: AtomicU64,
    limit: AtomicU64,
}

impl Allowance {
    /// An allowance of `n` bytes from the start.
    pub fn new(n: u64) -> Arc<Allowance> {
        Arc::new(Allowance {
            read: AtomicU64::new(0),
            limit: AtomicU64::new(n),
        })
    }

    /// Allows `n` more bytes from what has been read so far.
    pub fn grant(&self, n: u64) {
        self.limit.store(self.read() + n, Ordering::Relaxed);
    }

    /// Bytes read so far.
    pub fn read(&self) -> u64 {
        self.read.load(Ordering::Relaxed)
    }

    /// True when the allowance ran out (a read error is then the limit).
    pub fn spent(&self) -> bool {
        self.read() >= self.limit.load(Ordering::Relaxed)
    }
}

/// A reader that stops at its [`Allowance`].
pub struct Allowed<R> {
    /// The reader underneath.
    pub inner: R,
    /// Its allowance.
    pub allowance: Arc<Allowance>,
}

impl<R: Read> Read for Allowed<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let a = &self.allowance;
        let left = a.limit.load(Ordering::Relaxed).saturating_sub(a.read());
        if left == 0 {
            return Err(std::io::Error::other("the row is longer than allowed"));
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        a.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_stops_at_the_allowance_until_more_is_granted() {
        let a = Allowance::new(4);
        let mut r = Allowed {
            inner: &b"abcdefghij"[..],
            allowance: a.clone(),
        };
        let mut buf = [0u8; 8];
        assert_eq!(r.read(&mut buf).ok(), Some(4));
        assert!(a.spent());
        assert!(r.read(&mut buf).is_err());
        a.grant(3);
        assert!(!a.spent());
        assert_eq!(r.read(&mut buf).ok(), Some(3));
        assert_eq!(a.read(), 7);
    }
}

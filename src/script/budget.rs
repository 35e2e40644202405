//! Whole-call bounds on a script call: wall-clock time and the memory the
//! call holds (issue 13).
//!
//! rhai limits each value (string, array and map sizes) and counts
//! operations, but a built-in counts as one operation however much work it
//! does (`index_of` on a 2 MB string), and values captured by closures or
//! `curry`, or held in many variables, are not added up. These bounds are
//! on the whole call and are checked by the engine's progress callback,
//! which rhai runs before every operation:
//!
//! - **time**: a clock thread, started on the first call, stores the
//!   milliseconds since it started in an atomic every [`TICK_MILLIS`]; the
//!   per-operation check is an atomic load and a compare (no system call).
//!   A tick that comes late counts as at most [`MAX_STEP_MILLIS`], so
//!   stalls of the whole process (an overloaded machine, valgrind) loosen
//!   the bound instead of rejecting records whose calls were not running.
//! - **memory**: [`CountingAlloc`], a global allocator, keeps each thread's
//!   net allocated bytes in a thread-local counter; the check compares it
//!   with the value at the start of the call.
//!
//! A call that exceeds either ends with an error for its record (never an
//! abort). One built-in may still run, or allocate, past a bound before the
//! next operation's check: the time bound is then late by that built-in's
//! own run time, and the memory bound by what rhai's per-value limits let a
//! single operation build.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;
use std::time::{Duration, Instant};

/// Wall-clock time one script call may take, in milliseconds. The shipped
/// scripts take microseconds, and a call that runs to the operation limit
/// on plain operations about 10 ms (release build, loaded 2-core VM), so
/// only built-ins doing large amounts of work reach 250 ms, with room for
/// a call descheduled by a busy machine; a rule file with a few hostile
/// examples still `check`s in seconds.
pub const MAX_CALL_MILLIS: u64 = 250;
/// The time bound in force, in milliseconds: [`MAX_CALL_MILLIS`] unless
/// [`lengthen_call_millis`] raised it.
static CALL_MILLIS: AtomicU64 = AtomicU64::new(MAX_CALL_MILLIS);

/// Raises the wall-clock time one script call may take, for every call the
/// process makes from now on. Never below [`MAX_CALL_MILLIS`]: the bound
/// can be loosened, never tightened. The binary calls it when the
/// environment variable `THRESHOLDS_SCRIPT_MILLIS` is set, so that tests
/// about the other limits (memory, operations, depth) do not meet the time
/// limit first on a loaded machine.
pub fn lengthen_call_millis(millis: u64) {
    CALL_MILLIS.store(millis.max(MAX_CALL_MILLIS), Ordering::Relaxed);
}

/// The time bound in force, in milliseconds.
pub fn call_millis() -> u64 {
    CALL_MILLIS.load(Ordering::Relaxed)
}

/// Bytes one script call may hold (allocated during the call and not yet
/// freed), everything together. 16 times rhai's 4 MiB string limit, so a
/// call may hold several of the largest values one value may be (a data
/// cell is at most 1 MB); with one call per worker thread, a run on a
/// 2-core machine holds at most about 128 MB in scripts beyond its usual
/// 55 MB.
pub const MAX_CALL_BYTES: i64 = 64 * 1024 * 1024;
/// How often the clock thread advances the clock, in milliseconds.
pub const TICK_MILLIS: u64 = 5;
/// The most the clock advances in one tick, however late the clock thread
/// wakes, in milliseconds.
pub const MAX_STEP_MILLIS: u64 = 4 * TICK_MILLIS;

/// Which bound ended a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// [`MAX_CALL_MILLIS`].
    Time,
    /// [`MAX_CALL_BYTES`].
    Memory,
}

impl Bound {
    /// Plain English, for the record's error.
    pub fn message(self) -> String {
        match self {
            Bound::Time => format!(
                "took longer than {} ms on one record (the time limit of a script call)",
                call_millis()
            ),
            Bound::Memory => format!(
                "held more than {} MB on one record (the memory limit of a script call: strings, arrays, maps, closures and captured values together)",
                MAX_CALL_BYTES / (1024 * 1024)
            ),
        }
    }
}

/// Milliseconds since the clock thread started, advanced every tick.
static NOW_MILLIS: AtomicU64 = AtomicU64::new(0);
static CLOCK: Once = Once::new();

/// Not armed: no deadline, no ceiling.
const UNARMED: (u64, i64) = (u64::MAX, i64::MAX);

thread_local! {
    /// Net bytes this thread has allocated (minus what it freed) through
    /// [`CountingAlloc`]. Const-initialised and without a destructor, so
    /// the allocator can use it without allocating or registering anything.
    static HELD: Cell<i64> = const { Cell::new(0) };
    /// The running call's deadline (on the clock) and byte ceiling.
    static ARMED: Cell<(u64, i64)> = const { Cell::new(UNARMED) };
    /// The bound that ended this thread's last call, if one did.
    static STOPPED: Cell<Option<Bound>> = const { Cell::new(None) };
}

/// A global allocator that counts each thread's net allocated bytes, for
/// the memory bound on script calls. Install it in the program:
///
/// ```
/// #[global_allocator]
/// static ALLOC: thresholds::script::budget::CountingAlloc =
///     thresholds::script::budget::CountingAlloc;
/// ```
///
/// The `thresholds` binary does. **A program that embeds the library
/// without it gets no memory bound on script calls** (only rhai's
/// per-value limits); the time bound does not need it.
#[derive(Clone, Copy, Debug, Default)]
pub struct CountingAlloc;

#[inline]
fn count(delta: i64) {
    // `try_with`: never fails for a const-initialised Cell, but an
    // allocator must not panic.
    let _ = HELD.try_with(|h| h.set(h.get().wrapping_add(delta)));
}

/// Layout sizes never exceed `isize::MAX`, so this never saturates.
#[inline]
fn signed(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[allow(
    unsafe_code,
    reason = "a global allocator is an unsafe trait; every call forwards to System unchanged"
)]
// SAFETY: each method forwards its arguments to `System` unchanged and
// returns its result; the counting touches only a thread-local Cell.
unsafe impl GlobalAlloc for CountingAlloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(signed(layout.size()));
        }
        p
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(signed(layout.size()));
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout` (every
        // allocation here is).
        unsafe { System.dealloc(ptr, layout) };
        count(-signed(layout.size()));
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as `dealloc`, and the caller's contract for `realloc`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(signed(new_size) - signed(layout.size()));
        }
        p
    }
}

/// Net bytes this thread has allocated through [`CountingAlloc`] (0, and
/// unchanging, when it is not the global allocator).
pub fn thread_bytes() -> i64 {
    HELD.try_with(Cell::get).unwrap_or(0)
}

/// Whether [`CountingAlloc`] is this program's global allocator.
pub fn counting() -> bool {
    let before = thread_bytes();
    let b = std::hint::black_box(Box::new([0u8; 64]));
    let counted = thread_bytes() != before;
    drop(b);
    counted
}

fn clock() -> u64 {
    CLOCK.call_once(|| {
        // If the thread cannot be started, the clock stays at 0 and calls
        // have no time bound (the operation limit still ends them).
        let _ = std::thread::Builder::new()
            .name("script-clock".into())
            .spawn(|| {
                let (mut last, mut micros) = (Instant::now(), 0u64);
                loop {
                    std::thread::sleep(Duration::from_millis(TICK_MILLIS));
                    let now = Instant::now();
                    let step =
                        u64::try_from(now.duration_since(last).as_micros()).unwrap_or(u64::MAX);
                    last = now;
                    // A wake-up much later than asked means the process was
                    // stalled (an overloaded machine, a stopped process, a
                    // suspended VM, valgrind): that time counts as at most
                    // MAX_STEP_MILLIS, so a stall does not end calls that
                    // were not running. The bound loosens, never tightens.
                    micros = micros.saturating_add(step.min(MAX_STEP_MILLIS * 1000));
                    NOW_MILLIS.store(micros / 1000, Ordering::Relaxed);
                }
            });
    });
    NOW_MILLIS.load(Ordering::Relaxed)
}

/// Arms the bounds for a call on this thread until the guard is dropped.
pub(crate) fn arm() -> Armed {
    arm_with(call_millis(), MAX_CALL_BYTES)
}

fn arm_with(millis: u64, bytes: i64) -> Armed {
    // The clock lags by about a tick: a tick more makes the limit about
    // `millis` of real time, never much less.
    let deadline = clock().saturating_add(millis.saturating_add(TICK_MILLIS));
    let ceiling = thread_bytes().saturating_add(bytes);
    ARMED.with(|a| a.set((deadline, ceiling)));
    STOPPED.with(|s| s.set(None));
    Armed(())
}

/// Disarms the bounds when dropped.
pub(crate) struct Armed(());

impl Armed {
    /// The bound that ended the call, if one did.
    pub(crate) fn stopped(&self) -> Option<Bound> {
        STOPPED.with(Cell::get)
    }
}

impl Drop for Armed {
    fn drop(&mut self) {
        ARMED.with(|a| a.set(UNARMED));
    }
}

/// The progress check, run before every operation: the bound the running
/// call has exceeded, if any. An atomic load, three thread-local reads and
/// two compares.
#[inline]
pub(crate) fn exceeded() -> Option<Bound> {
    let (deadline, ceiling) = ARMED.with(Cell::get);
    let hit = if NOW_MILLIS.load(Ordering::Relaxed) > deadline {
        Bound::Time
    } else if thread_bytes() > ceiling {
        Bound::Memory
    } else {
        return None;
    };
    STOPPED.with(|s| s.set(Some(hit)));
    Some(hit)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The library's own test binary counts, so these tests see the counter.
    #[global_allocator]
    static ALLOC: CountingAlloc = CountingAlloc;

    #[test]
    fn the_counter_follows_this_threads_allocations() {
        assert!(counting());
        let before = thread_bytes();
        let v: Vec<u8> = Vec::with_capacity(1 << 20);
        let held = thread_bytes() - before;
        assert!(held >= 1 << 20, "{held}");
        let mut v = std::hint::black_box(v);
        v.reserve_exact(4 << 20); // realloc counts the difference
        let grown = thread_bytes() - before;
        assert!(grown >= 4 << 20, "{grown}");
        drop(v);
        assert_eq!(thread_bytes(), before);
        let z = std::hint::black_box(vec![0u8; 3 << 20]); // alloc_zeroed
        assert!(thread_bytes() - before >= 3 << 20);
        drop(z);
        assert_eq!(thread_bytes(), before);
    }

    #[test]
    fn other_threads_allocations_are_theirs() {
        let before = thread_bytes();
        let other = std::thread::spawn(|| {
            let b = thread_bytes();
            let v = std::hint::black_box(vec![1u8; 2 << 20]);
            let held = thread_bytes() - b;
            drop(v);
            held
        })
        .join()
        .unwrap_or(0);
        assert!(other >= 2 << 20, "{other}");
        // Spawning and joining allocate a little here; never megabytes.
        assert!((thread_bytes() - before).abs() < 1 << 20);
    }

    #[test]
    fn an_armed_call_is_stopped_past_its_memory_and_disarmed_after() {
        // No time bound here: a stalled test thread must not end it.
        let guard = arm_with(u64::MAX, MAX_CALL_BYTES);
        assert_eq!(exceeded(), None);
        let big = std::hint::black_box(vec![0u8; MAX_CALL_BYTES as usize + 1]);
        assert_eq!(exceeded(), Some(Bound::Memory));
        assert_eq!(guard.stopped(), Some(Bound::Memory));
        drop(big);
        drop(guard);
        let big = std::hint::black_box(vec![0u8; MAX_CALL_BYTES as usize + 1]);
        assert_eq!(exceeded(), None, "disarmed");
        drop(big);
    }

    #[test]
    fn the_time_bound_is_never_tightened() {
        lengthen_call_millis(1);
        assert_eq!(call_millis(), MAX_CALL_MILLIS);
        assert!(Bound::Time.message().starts_with("took longer than 250 ms"));
    }

    #[test]
    fn an_armed_call_is_stopped_past_its_time() {
        let guard = arm_with(MAX_CALL_MILLIS, i64::MAX);
        assert_eq!(exceeded(), None);
        let start = Instant::now();
        // The clock is a thread that may be slow to run on a loaded
        // machine: wait for it (a hang guard, not a timing assertion).
        while exceeded().is_none() && start.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(TICK_MILLIS));
        }
        assert_eq!(guard.stopped(), Some(Bound::Time));
    }
}

//! The arenas behind a graph's containers and strings: runs of values in one growing `Vec`.
//!
//! A decoded pickle holds millions of small containers; giving each its own allocation costs
//! more time than the decoding itself. Here every run of items lives in one shared `Vec`, named
//! by a [`Run`] (start, length). A run is appended to in place while it is the last one; when
//! something else was stored after it, it moves to the end with twice the room it needs, so a
//! container that keeps growing between others is copied O(log n) times. A run that would take
//! the shared `Vec` past 2^32 entries (or a long one, when the caller asks) is stored on its own
//! instead, so storing never fails.

use std::collections::HashMap;
use std::mem::ManuallyDrop;

/// A run of values in an [`Arena`]: a start and a length, or an index among the runs stored on
/// their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Run {
    /// Offset in the shared `Vec`, or [`OWN`] for a run stored on its own.
    start: u32,
    /// Length, or for [`OWN`] the index among the runs stored on their own.
    len: u32,
}

/// `Run::start` of a run stored on its own.
const OWN: u32 = u32::MAX;

/// Runs of `T` in one shared `Vec`, plus the runs stored on their own.
#[derive(Debug, Clone, Default)]
pub(crate) struct Arena<T> {
    data: Vec<T>,
    /// What most graphs never need, kept out of line so that a graph stays small to move.
    /// (Dropped by `Drop for Arena`, which checks for it inline: the drop glue of the `Option`
    /// is a call even when it is empty.)
    spill: ManuallyDrop<Option<Box<Spill<T>>>>,
    /// Capacity to reserve when the first value arrives (see [`Arena::hint`]).
    hint: usize,
}

impl<T> Drop for Arena<T> {
    #[inline(always)]
    fn drop(&mut self) {
        if self.spill.is_some() {
            drop_spill(&mut self.spill);
        }
    }
}

/// Drops the rarely used part of an arena.
#[inline(never)]
fn drop_spill<T>(spill: &mut Option<Box<Spill<T>>>) {
    *spill = None;
}

/// The rarely used part of an [`Arena`], made on first use.
#[derive(Debug, Clone, Default)]
struct Spill<T> {
    /// Runs stored on their own.
    own: Vec<Vec<T>>,
    /// Room reserved after a moved run: start -> (capacity, length used). Only a handle of
    /// exactly the used length may append into it, so handles that share a run (a cloned node,
    /// a set made from a list, an older handle) never see each other's appends.
    room: HashMap<u32, (u32, u32)>,
}

impl<T: Copy + Default> Arena<T> {
    /// The values of a run.
    #[inline(always)]
    pub(crate) fn get(&self, run: Run) -> &[T] {
        if run.start == OWN {
            return self.get_own(run);
        }
        let s = run.start as usize;
        self.data.get(s..s + run.len as usize).unwrap_or(&[])
    }

    /// The values of a run stored on its own.
    #[inline(never)]
    fn get_own(&self, run: Run) -> &[T] {
        self.spill
            .as_ref()
            .and_then(|sp| sp.own.get(run.len as usize))
            .map_or(&[], |v| v.as_slice())
    }

    /// Reserves `hint` on first use, so that an arena a value never uses costs nothing.
    #[inline(always)]
    fn first_use(&mut self, n: usize) {
        if self.data.capacity() == 0 {
            self.allocate(n);
        }
    }

    /// The allocation of [`Arena::first_use`]: straight away, without the checks of growing.
    #[cold]
    #[inline(never)]
    fn allocate(&mut self, n: usize) {
        self.data = Vec::with_capacity(self.hint.max(n));
    }

    /// `true` if `n` more values at the end keep every offset within `u32`.
    #[inline]
    fn fits(&self, n: usize) -> bool {
        self.data
            .len()
            .checked_add(n)
            .is_some_and(|end| end < OWN as usize)
    }

    /// Stores a new run; one of `own_from` values or more is stored on its own.
    #[inline]
    pub(crate) fn alloc(&mut self, values: &[T], own_from: usize) -> Run {
        if values.len() < own_from && self.fits(values.len()) {
            self.first_use(values.len());
            let start = self.data.len() as u32;
            self.push_values(values);
            return Run {
                start,
                len: values.len() as u32,
            };
        }
        self.alloc_own(values.to_vec())
    }

    fn alloc_own(&mut self, values: Vec<T>) -> Run {
        let spill = self.spill.get_or_insert_with(Box::default);
        let index = spill.own.len();
        spill.own.push(values);
        Run {
            start: OWN,
            // Runs go on their own only when long or once the shared `Vec` holds 2^32 values:
            // 2^32 of them cannot fit in memory.
            len: u32::try_from(index).unwrap_or(u32::MAX - 1),
        }
    }

    /// Appends `new` to `run`. Other handles of the same run keep seeing what they saw (except
    /// for a run stored on its own, which only exists past 2^32 values and is appended in place).
    #[inline]
    pub(crate) fn extend(&mut self, run: &mut Run, new: &[T]) {
        if new.is_empty() {
            return;
        }
        if Self::is_fresh(*run) {
            // An empty run (a container just made): stored anew, at the end.
            *run = self.alloc(new, usize::MAX);
            return;
        }
        self.extend_slow(run, new);
    }

    /// Stores a new run of the `n` values of `values` (an empty run if they are fewer).
    #[inline]
    pub(crate) fn alloc_iter(&mut self, n: usize, values: impl Iterator<Item = T>) -> Run {
        if !self.fits(n) {
            return self.alloc_own(values.take(n).collect());
        }
        self.first_use(n);
        let start = self.data.len();
        self.data.extend(values.take(n));
        Run {
            start: start as u32,
            len: (self.data.len() - start) as u32,
        }
    }

    /// `true` for a run with no values that is not stored on its own (one [`Arena::extend`]
    /// replaces with a new run).
    #[inline]
    pub(crate) fn is_fresh(run: Run) -> bool {
        run.len == 0 && run.start != OWN
    }

    fn extend_slow(&mut self, run: &mut Run, new: &[T]) {
        if run.start == OWN {
            if let Some(v) = self
                .spill
                .as_mut()
                .and_then(|sp| sp.own.get_mut(run.len as usize))
            {
                v.extend_from_slice(new);
            }
            return;
        }
        let (s, l) = (run.start as usize, run.len as usize);
        if l == 0 || self.data.get(s..s + l).is_none() {
            // Empty, or a handle from another graph: a run of its own.
            *run = self.alloc(new, usize::MAX);
            return;
        }
        let total = l + new.len();
        if u32::try_from(total).is_err() {
            let mut all = self.get(*run).to_vec();
            all.extend_from_slice(new);
            *run = self.alloc_own(all);
            return;
        }
        if s + l == self.data.len() && self.fits(new.len()) {
            self.push_values(new);
            run.len = total as u32;
            return;
        }
        if let Some(room) = self.spill.as_mut().map(|sp| &mut sp.room) {
            if let Some((cap, used)) = room.get_mut(&run.start) {
                if *used == run.len && total <= *cap as usize {
                    if let Some(dst) = self.data.get_mut(s + l..s + total) {
                        dst.copy_from_slice(new);
                        *used = total as u32;
                        run.len = total as u32;
                        return;
                    }
                }
            }
        }
        // Move the run to the end, with twice the room it needs.
        let cap = total.saturating_mul(2).max(8);
        if !self.fits(cap) {
            let mut all = self.get(*run).to_vec();
            all.extend_from_slice(new);
            *run = self.alloc_own(all);
            return;
        }
        let room = &mut self.spill.get_or_insert_with(Box::default).room;
        if room
            .get(&run.start)
            .is_some_and(|&(_, used)| used == run.len)
        {
            room.remove(&run.start);
        }
        let to = self.data.len();
        self.data.reserve(cap);
        self.data.extend_from_within(s..s + l);
        self.data.extend_from_slice(new);
        self.data.resize(to + cap, T::default());
        room.insert(to as u32, (cap as u32, total as u32));
        *run = Run {
            start: to as u32,
            len: total as u32,
        };
    }

    /// Appends values to the shared `Vec`; a few are copied one by one, which costs less than a
    /// call to copy a slice of unknown length.
    #[inline]
    fn push_values(&mut self, values: &[T]) {
        if values.len() <= 4 {
            self.data.reserve(values.len());
            for &v in values {
                self.data.push(v);
            }
        } else {
            self.data.extend_from_slice(values);
        }
    }

    /// The number of values in the shared `Vec` (moved runs' old copies and room included).
    pub(crate) fn shared_len(&self) -> usize {
        self.data.len()
    }

    /// Gives back reserved room when more than half of it is unused, and forgets the size hint.
    #[inline(always)]
    pub(crate) fn shrink_unused(&mut self) {
        self.hint = 0;
        let unused = self.data.capacity() - self.data.len();
        if self.data.len() < self.data.capacity() / 2
            && unused * size_of::<T>() > crate::value::KEEP_UNUSED
        {
            self.shrink();
        }
    }

    #[inline(never)]
    fn shrink(&mut self) {
        self.data.shrink_to_fit();
    }

    /// Reserves room for `n` values in the shared `Vec` once the first value arrives.
    pub(crate) fn hint(&mut self, n: usize) {
        self.hint = n;
    }
}

impl Arena<u8> {
    /// The `N` bytes of the shared `Vec` from the start of `run`, when there are that many.
    #[inline]
    pub(crate) fn window<const N: usize>(&self, run: Run) -> Option<&[u8; N]> {
        if run.start == OWN {
            return None;
        }
        let s = run.start as usize;
        self.data
            .get(s..s + N)
            .and_then(|w| <&[u8; N]>::try_from(w).ok())
    }

    /// A run of at most `N` values in the shared `Vec` with `N` bytes there from its start: the
    /// window and the run's length.
    #[inline]
    pub(crate) fn short<const N: usize>(&self, run: Run) -> Option<(&[u8; N], usize)> {
        if run.len as usize > N {
            return None;
        }
        Some((self.window(run)?, run.len as usize))
    }

    /// Stores the first `len` bytes of `window` (at most `N`): the whole window is copied, a
    /// fixed-size move, and the extra bytes cut off again.
    #[inline(always)]
    pub(crate) fn alloc_window<const N: usize>(&mut self, window: &[u8; N], len: usize) -> Run {
        let len = len.min(N);
        if !self.fits(N) {
            return self.alloc_own(window.get(..len).unwrap_or(&[]).to_vec());
        }
        self.first_use(N);
        let start = self.data.len();
        self.data.extend_from_slice(window);
        self.data.truncate(start + len);
        Run {
            start: start as u32,
            len: len as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleaved_runs_keep_their_values() {
        let mut a: Arena<u32> = Arena::default();
        let mut x = a.alloc(&[], usize::MAX);
        let mut y = a.alloc(&[], usize::MAX);
        for i in 0..1000u32 {
            a.extend(&mut x, &[i]);
            a.extend(&mut y, &[i + 10_000, i + 20_000]);
        }
        assert_eq!(a.get(x), (0..1000).collect::<Vec<_>>().as_slice());
        let want: Vec<u32> = (0..1000).flat_map(|i| [i + 10_000, i + 20_000]).collect();
        assert_eq!(a.get(y), want.as_slice());
        // Moving with doubled room: total storage stays linear.
        assert!(a.data.len() < 8 * 3000, "{}", a.data.len());
    }

    #[test]
    fn a_shared_run_is_never_overwritten() {
        let mut a: Arena<u32> = Arena::default();
        let mut x = a.alloc(&[1, 2], usize::MAX);
        let _other = a.alloc(&[9], usize::MAX);
        a.extend(&mut x, &[3]); // moved, with room
        let mut y = x; // a second handle of the same run
        a.extend(&mut x, &[4]);
        a.extend(&mut y, &[5]);
        // The first handle still owns the room; an older one does not.
        a.extend(&mut x, &[6]);
        assert_eq!(a.get(x), &[1, 2, 3, 4, 6]);
        assert_eq!(a.get(y), &[1, 2, 3, 5]);
        let foreign = Run {
            start: 1_000_000,
            len: 5,
        };
        let mut f = foreign;
        a.extend(&mut f, &[7]);
        assert_eq!(a.get(f), &[7]);
    }

    #[test]
    fn windows_store_their_prefix() {
        let mut a: Arena<u8> = Arena::default();
        let w = *b"abcdefghijklmnop";
        let r = a.alloc_window(&w, 3);
        let e = a.alloc_window(&w, 0);
        let f = a.alloc_window(&w, 16);
        assert_eq!(
            (a.get(r), a.get(e), a.get(f)),
            (&b"abc"[..], &b""[..], &w[..])
        );
        assert_eq!(a.data.len(), 19);
    }

    #[test]
    fn long_runs_are_stored_on_their_own() {
        let mut a: Arena<u8> = Arena::default();
        let mut r = a.alloc(b"long", 4);
        assert_eq!(r.start, OWN);
        a.extend(&mut r, b"er");
        assert_eq!(a.get(r), b"longer");
        let short = a.alloc(b"abc", 4);
        assert_ne!(short.start, OWN);
        assert_eq!(a.get(short), b"abc");
    }
}

//! The memo: dense indexes in a `Vec` (no hashing on the hot path), far-away indexes in a map.

use std::collections::BTreeMap;

use crate::value::NodeId;

const EMPTY: u32 = u32::MAX;

/// Slots the dense vector may have beyond twice the number of stored entries. Above that an index
/// goes to the sparse map, so `LONG_BINPUT 0xffffffff` costs one map entry, not 4 G slots.
const DENSE_SLACK: u64 = 1024;

/// The memo of one pickle.
#[derive(Default)]
pub(crate) struct Memo {
    dense: Vec<u32>,
    /// Made on first use: most pickles never need it.
    sparse: Option<BTreeMap<u64, NodeId>>,
    /// Number of distinct indexes stored (`MEMOIZE` stores at this index, like `len(memo)`).
    count: u64,
}

impl Memo {
    /// Empties the memo, keeping its dense part's capacity for the next pickle.
    pub fn clear(&mut self) {
        self.dense.clear();
        self.sparse = None;
        self.count = 0;
    }

    /// Makes room for `n` dense entries in all.
    pub fn reserve(&mut self, n: usize) {
        self.dense.reserve(n.saturating_sub(self.dense.len()));
    }

    /// Room held by the dense part (entries).
    pub fn capacity(&self) -> usize {
        self.dense.capacity()
    }

    /// The number of distinct indexes stored.
    #[inline]
    pub fn len(&self) -> u64 {
        self.count
    }

    /// The node stored at `idx`.
    #[inline(always)]
    pub fn get(&self, idx: u64) -> Option<NodeId> {
        if let Some(&v) = usize::try_from(idx).ok().and_then(|i| self.dense.get(i)) {
            if v != EMPTY {
                return Some(NodeId::from_index(v as usize));
            }
            return None;
        }
        self.get_sparse(idx)
    }

    #[inline(never)]
    fn get_sparse(&self, idx: u64) -> Option<NodeId> {
        self.sparse.as_ref()?.get(&idx).copied()
    }

    /// Stores `id` at `idx`.
    #[inline]
    pub fn put(&mut self, idx: u64, id: NodeId) {
        let raw = id.index() as u32;
        if let Some(slot) = usize::try_from(idx)
            .ok()
            .and_then(|i| self.dense.get_mut(i))
        {
            if *slot == EMPTY {
                self.count += 1;
            }
            *slot = raw;
            return;
        }
        // The commonest case past the end: the next index (`MEMOIZE`, or `BINPUT` as CPython
        // numbers its entries), appended without growing the dense part ahead of time.
        // (Not while the sparse map exists: it may hold this index already.)
        if idx == self.dense.len() as u64
            && self.dense.len() < self.dense.capacity()
            && self.sparse.is_none()
        {
            self.dense.push(raw);
            self.count += 1;
            return;
        }
        self.put_slow(idx, id);
    }

    /// Stores `id` at the next index (`MEMOIZE`: index `len()`). The common case, a memo with
    /// every index so far in its dense part, is one append.
    #[inline(always)]
    pub fn put_next(&mut self, id: NodeId) {
        if self.count == self.dense.len() as u64 && self.sparse.is_none() {
            self.dense.push(id.index() as u32);
            self.count += 1;
            return;
        }
        self.put(self.count, id);
    }

    #[cold]
    fn put_slow(&mut self, idx: u64, id: NodeId) {
        let cap = self.count.saturating_mul(2).saturating_add(DENSE_SLACK);
        if idx < cap {
            let old = self.dense.len() as u64;
            let new_len = (old.saturating_mul(2))
                .max(idx + 1)
                .max(64)
                .min(cap.max(idx + 1));
            let Ok(new_len_usize) = usize::try_from(new_len) else {
                self.put_sparse(idx, id);
                return;
            };
            self.dense.resize(new_len_usize, EMPTY);
            // Move sparse entries the dense part now covers.
            let moved: Vec<(u64, NodeId)> = self.sparse.as_ref().map_or(Vec::new(), |sparse| {
                sparse.range(old..new_len).map(|(&k, &v)| (k, v)).collect()
            });
            for (k, v) in moved {
                if let Some(sparse) = self.sparse.as_mut() {
                    sparse.remove(&k);
                }
                if let Some(slot) = usize::try_from(k).ok().and_then(|i| self.dense.get_mut(i)) {
                    *slot = v.index() as u32;
                }
            }
            if let Some(slot) = usize::try_from(idx)
                .ok()
                .and_then(|i| self.dense.get_mut(i))
            {
                if *slot == EMPTY {
                    self.count += 1;
                }
                *slot = id.index() as u32;
            }
        } else {
            self.put_sparse(idx, id);
        }
    }

    fn put_sparse(&mut self, idx: u64, id: NodeId) {
        if self
            .sparse
            .get_or_insert_with(BTreeMap::new)
            .insert(idx, id)
            .is_none()
        {
            self.count += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_sparse_and_count() {
        let mut m = Memo::default();
        let a = NodeId::from_index(7);
        let b = NodeId::from_index(9);
        m.put(0, a);
        m.put(0, b);
        assert_eq!(m.len(), 1);
        assert_eq!(m.get(0), Some(b));
        m.put(0xffff_ffff, a);
        assert_eq!(m.len(), 2);
        assert!(m.dense.len() < 10_000);
        assert_eq!(m.get(0xffff_ffff), Some(a));
        assert_eq!(m.get(5), None);
        // An index first stored sparsely, then covered by the dense part, stays found.
        m.put(3000, b);
        for i in 1..3000 {
            m.put(i, a);
        }
        assert_eq!(m.get(3000), Some(b));
        // Distinct indexes: 0, 1..=3000 and 0xffffffff.
        assert_eq!(m.len(), 3002);
        m.put(3000, a);
        assert_eq!(m.len(), 3002);
        assert_eq!(m.get(3000), Some(a));
    }

    #[test]
    fn sequential_entries_after_a_sparse_one_are_counted_once() {
        let mut m = Memo::default();
        let (a, b) = (NodeId::from_index(1), NodeId::from_index(2));
        m.reserve(4096);
        // Far past the dense part: sparse. Then entries 0, 1, 2... as MEMOIZE numbers them,
        // through the index the sparse one holds.
        m.put(2000, b);
        for i in 0..2500 {
            m.put(i, a);
        }
        assert_eq!(m.len(), 2500);
        assert_eq!(m.get(2000), Some(a));
        assert_eq!(m.get(2499), Some(a));
        assert_eq!(m.get(2500), None);
        // Cleared, with its room kept: appended again from 0.
        m.clear();
        for i in 0..10 {
            m.put(i, b);
        }
        assert_eq!((m.len(), m.get(9), m.get(10)), (10, Some(b), None));
    }
}

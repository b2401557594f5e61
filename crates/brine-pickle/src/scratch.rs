//! Work vectors kept per thread between calls (the reader's stack, marks and memo; the writer's
//! memo and task stack): for a small pickle, making and freeing them would cost as much as the
//! work itself. Each user keeps its own kind in a `thread_local!` slot of type [`Slot`].

use std::cell::Cell;
use std::thread::LocalKey;

/// Scratch vectors up to this many entries are kept for the next call; larger ones are freed.
pub(crate) const KEEP_SCRATCH: usize = 1 << 12;

/// A thread's slot for one kind of scratch.
pub(crate) type Slot<T> = LocalKey<Cell<Option<Box<T>>>>;

/// The thread's scratch from `slot`: fresh when another call on this thread holds it, or when
/// the thread's locals are gone (a destructor running at thread exit).
pub(crate) fn take<T: Default>(slot: &'static Slot<T>) -> Box<T> {
    slot.try_with(Cell::take).ok().flatten().unwrap_or_default()
}

/// Keeps `scratch` in `slot` for the next call (or drops it when the thread's locals are gone).
pub(crate) fn keep<T>(slot: &'static Slot<T>, scratch: Box<T>) {
    let _ = slot.try_with(|cell| cell.set(Some(scratch)));
}

/// `true` if vectors of these capacities are small enough to keep (see [`KEEP_SCRATCH`]).
pub(crate) fn worth_keeping(capacities: &[usize]) -> bool {
    capacities.iter().all(|&cap| cap <= KEEP_SCRATCH)
}

//! Memory-mapping a file read-only into [`Bytes`], so arrays can be zero-copy slices of it.
//!
//! This is the crate's only `unsafe` code.
#![allow(unsafe_code)]

use std::fs::File;
use std::io;

use bytes::Bytes;

/// Maps the whole file read-only. The returned `Bytes` (and every slice of it) keeps the mapping
/// alive; the file handle may be dropped.
pub(crate) fn map_file(file: &File) -> io::Result<Bytes> {
    if file.metadata()?.len() == 0 {
        return Ok(Bytes::new());
    }
    // SAFETY: `Mmap::map` is unsafe because the mapped memory changes if another process modifies
    // or truncates the file while it is mapped; Rust code would then observe bytes changing under
    // a shared reference (or get SIGBUS on truncation). The mapping is read-only and private to this
    // process; Brine treats every byte as untrusted input (all reads are bounds-checked and no
    // invariant depends on the content staying the same), which is the same contract as numpy's and
    // joblib's `mmap_mode="r"`. Callers who cannot rule out concurrent truncation should load
    // without mmap.
    let map = unsafe { memmap2::Mmap::map(file)? };
    Ok(Bytes::from_owner(map))
}

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

/// Buffers at least this big are read into huge-page-backed memory.
const HUGE_MIN: usize = 4 << 20;

/// Reads exactly `len` bytes of `reader` into a fresh buffer. Big buffers are an anonymous
/// mapping advised for transparent huge pages (as numpy does for its arrays), which turns the
/// hundreds of thousands of 4 KiB page faults of filling a 1 GiB buffer into a few hundred: on a
/// virtual machine that is most of the cost of a full read. Small ones are a plain `Vec`.
pub(crate) fn read_exact_buffer(mut reader: impl io::Read, len: usize) -> io::Result<Bytes> {
    if len < HUGE_MIN {
        let mut data = vec![0u8; len];
        reader.read_exact(&mut data)?;
        return Ok(Bytes::from(data));
    }
    let mut map = memmap2::MmapMut::map_anon(len)?;
    #[cfg(target_os = "linux")]
    {
        // Only a hint: without transparent huge pages the buffer still works.
        let _ = map.advise(memmap2::Advice::HugePage);
    }
    reader.read_exact(&mut map[..])?;
    Ok(Bytes::from_owner(map.make_read_only()?))
}

/// A growable output buffer for decompression: a `Vec` while small, then an anonymous mapping
/// advised for transparent huge pages (see [`read_exact_buffer`]), doubled by copying as it fills.
pub(crate) struct GrowBuf {
    vec: Vec<u8>,
    map: Option<memmap2::MmapMut>,
    len: usize,
    huge: bool,
}

impl GrowBuf {
    /// An empty buffer; `huge` allows the mapping (otherwise it stays a `Vec`).
    pub(crate) fn new(huge: bool) -> GrowBuf {
        GrowBuf {
            vec: Vec::new(),
            map: None,
            len: 0,
            huge,
        }
    }

    /// The number of bytes held.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Reserves room for `n` more bytes up front (a hint; may be ignored).
    pub(crate) fn reserve(&mut self, n: usize) -> io::Result<()> {
        if self.map.is_none() && (!self.huge || n < HUGE_MIN) {
            return self
                .vec
                .try_reserve(n)
                .map_err(|e| io::Error::new(io::ErrorKind::OutOfMemory, e.to_string()));
        }
        self.grow_to(self.len.saturating_add(n))
    }

    fn grow_to(&mut self, needed: usize) -> io::Result<()> {
        let cap = self.map.as_ref().map_or(0, |m| m.len());
        if needed <= cap {
            return Ok(());
        }
        let new_cap = needed.max(cap.saturating_mul(2)).max(HUGE_MIN);
        let mut map = memmap2::MmapMut::map_anon(new_cap)?;
        #[cfg(target_os = "linux")]
        {
            let _ = map.advise(memmap2::Advice::HugePage);
        }
        let old: &[u8] = match &self.map {
            Some(m) => m.get(..self.len).unwrap_or(&[]),
            None => &self.vec,
        };
        if let Some(dst) = map.get_mut(..old.len()) {
            dst.copy_from_slice(old);
        }
        self.map = Some(map);
        self.vec = Vec::new();
        Ok(())
    }

    /// Appends `data`.
    pub(crate) fn extend(&mut self, data: &[u8]) -> io::Result<()> {
        let needed = self.len.saturating_add(data.len());
        if self.map.is_none() && (!self.huge || needed < HUGE_MIN) {
            self.vec
                .try_reserve(data.len())
                .map_err(|e| io::Error::new(io::ErrorKind::OutOfMemory, e.to_string()))?;
            self.vec.extend_from_slice(data);
            self.len = self.vec.len();
            return Ok(());
        }
        self.grow_to(needed)?;
        if let Some(dst) = self.map.as_mut().and_then(|m| m.get_mut(self.len..needed)) {
            dst.copy_from_slice(data);
        }
        self.len = needed;
        Ok(())
    }

    /// The bytes, without copying.
    pub(crate) fn into_bytes(self) -> io::Result<Bytes> {
        match self.map {
            Some(map) => Ok(Bytes::from_owner(map.make_read_only()?).slice(..self.len)),
            None => Ok(Bytes::from(self.vec)),
        }
    }

    /// The bytes as a `Vec` (a copy when mapped).
    pub(crate) fn into_vec(self) -> Vec<u8> {
        match self.map {
            Some(map) => map.get(..self.len).map(<[u8]>::to_vec).unwrap_or_default(),
            None => self.vec,
        }
    }
}

//! The byte cursor: bounded reads, lines, and protocol 4 frames.

use bytes::Bytes;

/// The input of one read: the whole buffer, an optional shared handle for zero-copy slices, the
/// position, and the end of the current frame.
pub(crate) struct Input<'d> {
    pub data: &'d [u8],
    shared: Option<&'d Bytes>,
    pub pos: usize,
    /// End (exclusive) of the frame being read, if any.
    pub frame_end: Option<usize>,
}

/// Why an input read failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InputError {
    /// Not enough bytes.
    Eof,
    /// A raw read would run past the end of the current frame.
    FrameExhausted,
}

impl<'d> Input<'d> {
    pub fn new(data: &'d [u8], shared: Option<&'d Bytes>, pos: usize) -> Input<'d> {
        Input {
            data,
            shared,
            pos,
            frame_end: None,
        }
    }

    /// Bytes left in the input.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    /// The next byte.
    #[inline]
    pub fn byte(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    /// The next `n` bytes, without copying.
    #[inline]
    pub fn take(&mut self, n: usize) -> Option<&'d [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    /// The next `N` bytes as an array.
    #[inline]
    pub fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let s = self.take(N)?;
        s.try_into().ok()
    }

    /// A length that must fit in the rest of the input (so nothing is ever allocated for bytes
    /// that are not there).
    #[inline]
    pub fn take_len(&mut self, n: u64) -> Option<&'d [u8]> {
        let n = usize::try_from(n).ok()?;
        self.take(n)
    }

    /// The next `n` bytes as `Bytes`: a slice of the shared buffer when there is one, else a copy.
    #[inline]
    pub fn take_bytes(&mut self, n: u64) -> Option<Bytes> {
        let start = self.pos;
        let s = self.take_len(n)?;
        Some(match self.shared {
            Some(b) => b.slice(start..self.pos),
            None => Bytes::copy_from_slice(s),
        })
    }

    /// A line without its `\n` (which must be there: CPython reports a missing newline as
    /// truncated data).
    #[inline]
    pub fn line(&mut self) -> Option<&'d [u8]> {
        let rest = self.data.get(self.pos..)?;
        let n = rest.iter().position(|&b| b == b'\n')?;
        let line = rest.get(..n)?;
        self.pos += n + 1;
        Some(line)
    }

    /// `FRAME n`: checks the frame is all there and remembers where it ends.
    pub fn start_frame(&mut self, n: u64) -> Option<()> {
        let n = usize::try_from(n).ok()?;
        let end = self.pos.checked_add(n)?;
        if end > self.data.len() {
            return None;
        }
        self.frame_end = Some(end);
        Some(())
    }

    /// A raw read as CPython's `_Unframer.read` does it: from the current frame when it has bytes
    /// left (then all `n` must be in it), else from the stream after it.
    pub fn read_raw(&mut self, n: usize) -> Result<Bytes, InputError> {
        if let Some(end) = self.frame_end {
            if self.pos < end {
                if self.pos.checked_add(n).map_or(true, |e| e > end) {
                    return Err(InputError::FrameExhausted);
                }
            } else {
                self.frame_end = None;
            }
        }
        self.take_bytes(n as u64).ok_or(InputError::Eof)
    }
}

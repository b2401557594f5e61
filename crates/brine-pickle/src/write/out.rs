//! The output buffer and framer: CPython's `_Pickler_Write`, `_Pickler_CommitFrame`,
//! `_Pickler_OpcodeBoundary` and `_Pickler_write_bytes`, over one growing `Vec<u8>`.
//!
//! Bytes go into `buf`; at protocol 4+ a frame is open whenever the pickler writes (nine
//! placeholder bytes), and its header is patched in place when it is committed, or removed when
//! the frame holds fewer than four bytes. CPython opens a frame lazily, at the first write after
//! the previous one was committed; here the next frame is opened right after the commit, so that
//! no write has to check: a frame that nothing is written to before the next commit is removed
//! again, which gives the same bytes. (Only a [`WriteHook`](crate::WriteHook) sees the output
//! between frames: after its `commit_frame` the frame stays closed until the hook returns.)
//! Whenever no frame is open and the buffer is large, it is handed to the sink in one chunk.

use std::io::Write;

use crate::error::Result;
use crate::opcodes::Opcode;

/// CPython's `FRAME_SIZE_TARGET`: a frame is committed at the first opcode boundary past 64 KiB,
/// and payloads of at least this size are written outside frames.
pub(crate) const FRAME_SIZE_TARGET: usize = 64 * 1024;
/// CPython's `FRAME_SIZE_MIN`: smaller frames are written without a `FRAME` header.
const FRAME_SIZE_MIN: usize = 4;
const FRAME_HEADER_SIZE: usize = 9;
/// The buffer is handed to the sink once it holds this much and no frame is open.
const FLUSH_AT: usize = 1 << 20;
const NO_FRAME: usize = usize::MAX;

/// The pickle being written.
pub(crate) struct Out<'s> {
    pub(crate) buf: Vec<u8>,
    sink: Option<&'s mut dyn Write>,
    flushed: u64,
    framing: bool,
    frame_start: usize,
    /// The buffer length from which [`Out::boundary`] has something to do (commit a full
    /// frame, or hand a large buffer to the sink): one comparison per `save`.
    boundary_at: usize,
}

impl<'s> Out<'s> {
    /// An output that hands its bytes to `sink` in large chunks.
    pub(crate) fn to_sink(sink: &'s mut dyn Write) -> Out<'s> {
        Out::with_buffer(Vec::with_capacity(FLUSH_AT + FRAME_SIZE_TARGET), Some(sink))
    }

    /// An output that keeps all its bytes, starting with room for `capacity`.
    pub(crate) fn in_memory(capacity: usize) -> Out<'s> {
        Out::with_buffer(Vec::with_capacity(capacity), None)
    }

    fn with_buffer(buf: Vec<u8>, sink: Option<&'s mut dyn Write>) -> Out<'s> {
        let sink_present = sink.is_some();
        Out {
            buf,
            sink,
            flushed: 0,
            framing: false,
            frame_start: NO_FRAME,
            boundary_at: if sink_present { FLUSH_AT } else { usize::MAX },
        }
    }

    /// Recomputes `boundary_at` after a frame opened or closed.
    fn update_boundary(&mut self) {
        self.boundary_at = if self.frame_start != NO_FRAME {
            self.frame_start + FRAME_HEADER_SIZE + FRAME_SIZE_TARGET
        } else if self.sink.is_some() {
            FLUSH_AT
        } else {
            usize::MAX
        };
    }

    /// Turns framing on (after `PROTO`, at protocol 4+).
    pub(crate) fn start_framing(&mut self) {
        self.framing = true;
        self.reopen();
    }

    /// Opens the next frame, when framing and none is open.
    pub(crate) fn reopen(&mut self) {
        if self.framing && self.frame_start == NO_FRAME {
            self.frame_start = self.buf.len();
            self.buf.extend_from_slice(&[0xFE; FRAME_HEADER_SIZE]);
            self.update_boundary();
        }
    }

    /// `_Pickler_Write` of one byte.
    #[inline(always)]
    pub(crate) fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }

    /// `_Pickler_Write` of an opcode.
    #[inline(always)]
    pub(crate) fn op(&mut self, op: Opcode) {
        self.byte(op as u8);
    }

    /// `_Pickler_Write`.
    #[inline(always)]
    pub(crate) fn bytes(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// `_Pickler_Write` of the first `len` (at most 9) little-endian bytes of `word`: an opcode
    /// and its argument, copied as a fixed 9 bytes and cut back, which costs less than a copy
    /// of variable length.
    #[inline(always)]
    pub(crate) fn short(&mut self, word: u128, len: usize) {
        let bytes = word.to_le_bytes();
        let (nine, _) = bytes.split_at(9);
        let end = self.buf.len() + len.min(9);
        self.buf.extend_from_slice(nine);
        self.buf.truncate(end);
    }

    /// Bytes emitted so far, including an open frame's placeholder header.
    pub(crate) fn position(&self) -> u64 {
        self.flushed + self.buf.len() as u64
    }

    /// `_Pickler_CommitFrame`, then the next frame opened (see the top of this file).
    fn commit_and_reopen(&mut self) -> Result<()> {
        self.commit_frame()?;
        self.reopen();
        Ok(())
    }

    /// `_Pickler_CommitFrame`: ends the open frame, if any, patching its header in place. No
    /// frame is open after it until [`Out::reopen`].
    pub(crate) fn commit_frame(&mut self) -> Result<()> {
        if self.frame_start == NO_FRAME {
            return Ok(());
        }
        let start = self.frame_start;
        self.frame_start = NO_FRAME;
        self.update_boundary();
        let len = self.buf.len() - start - FRAME_HEADER_SIZE;
        if len >= FRAME_SIZE_MIN {
            if let Some(header) = self.buf.get_mut(start..start + FRAME_HEADER_SIZE) {
                header[0] = Opcode::Frame as u8;
                header[1..].copy_from_slice(&(len as u64).to_le_bytes());
            }
        } else {
            self.buf.copy_within(start + FRAME_HEADER_SIZE.., start);
            self.buf.truncate(start + len);
        }
        if self.buf.len() >= FLUSH_AT {
            self.flush()?;
        }
        Ok(())
    }

    /// `_Pickler_OpcodeBoundary`, called as every `save()` starts: commits a frame past 64 KiB.
    #[inline(always)]
    pub(crate) fn boundary(&mut self) -> Result<()> {
        if self.buf.len() >= self.boundary_at {
            return self.boundary_slow();
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn boundary_slow(&mut self) -> Result<()> {
        if self.frame_start != NO_FRAME {
            if self.buf.len() - self.frame_start - FRAME_HEADER_SIZE >= FRAME_SIZE_TARGET {
                return self.commit_and_reopen();
            }
        } else if self.buf.len() >= FLUSH_AT && self.sink.is_some() {
            return self.flush();
        }
        Ok(())
    }

    /// `_Pickler_write_bytes`: a header and its payload; a payload of 64 KiB or more ends the
    /// current frame and is written outside any frame.
    pub(crate) fn header_and_payload(&mut self, header: &[u8], payload: &[u8]) -> Result<()> {
        if payload.len() < FRAME_SIZE_TARGET {
            self.bytes(header);
            self.bytes(payload);
            return Ok(());
        }
        self.commit_frame()?;
        self.buf.extend_from_slice(header);
        self.unframed(payload)?;
        self.reopen();
        Ok(())
    }

    /// A header and the first `len` bytes of `window` (a short payload, always inside the frame):
    /// the whole window is copied, a fixed-size move, and the rest cut off again; one check for
    /// room.
    #[inline(always)]
    pub(crate) fn header_and_window<const N: usize>(
        &mut self,
        header: &[u8],
        window: &[u8; N],
        len: usize,
    ) {
        self.buf.reserve(header.len() + window.len());
        self.buf.extend_from_slice(header);
        let end = self.buf.len() + len.min(window.len());
        self.buf.extend_from_slice(window);
        self.buf.truncate(end);
    }

    /// Bytes outside any frame (the current one is committed first).
    pub(crate) fn raw(&mut self, data: &[u8]) -> Result<()> {
        self.commit_frame()?;
        self.unframed(data)
    }

    fn unframed(&mut self, data: &[u8]) -> Result<()> {
        if self.sink.is_some() && data.len() >= FRAME_SIZE_TARGET {
            self.flush()?;
            if let Some(sink) = self.sink.as_mut() {
                sink.write_all(data)?;
            }
            self.flushed += data.len() as u64;
        } else {
            self.buf.extend_from_slice(data);
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if let Some(sink) = self.sink.as_mut() {
            sink.write_all(&self.buf)?;
            self.flushed += self.buf.len() as u64;
            self.buf.clear();
        }
        Ok(())
    }

    /// Commits the last frame and flushes; returns the bytes when there is no sink.
    pub(crate) fn finish(mut self) -> Result<Vec<u8>> {
        self.commit_frame()?;
        if self.sink.is_some() {
            self.flush()?;
            if let Some(sink) = self.sink.as_mut() {
                sink.flush()?;
            }
            return Ok(Vec::new());
        }
        Ok(self.buf)
    }
}

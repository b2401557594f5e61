//! The output buffer and framer: CPython's `_Pickler_Write`, `_Pickler_CommitFrame`,
//! `_Pickler_OpcodeBoundary` and `_Pickler_write_bytes`, over one growing `Vec<u8>`.
//!
//! Bytes go into `buf`; at protocol 4+ a frame is open whenever the pickler writes (nine
//! placeholder bytes), and its header is patched in place when it is committed, or removed when
//! the frame holds fewer than four bytes. CPython opens a frame lazily, at the first write after
//! the previous one was committed; here the next frame is opened right after the commit, so that
//! no write has to check: a frame that nothing is written to before the next commit is removed
//! again, which gives the same bytes. (Only a [`WriteHook`](crate::write::WriteHook) sees the output
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

/// Room is zeroed this much at a time at most (see [`Out::make_room`]).
const ROOM_STEP: usize = 4 * 1024;
/// Room is zeroed this much at a time at least.
const MIN_ROOM: usize = 512;
/// A buffer starts with this much room (or its capacity, if less): most small pickles are
/// written without growing it.
const FIRST_ROOM: usize = 4096;

/// The pickle being written.
///
/// The bytes written are `buf[..pos]`. The rest of `buf` is initialized room, so that a write
/// checks one length and stores its bytes: a scalar (opcode and argument) is stored as a fixed
/// 9 bytes, of which the cursor keeps those that belong to it. Room is added by
/// [`Out::make_room`], zeroed within the capacity reserved in steps of at most [`ROOM_STEP`]
/// bytes, so that reserving for a large pickle does not touch its pages before they are written.
pub(crate) struct Out<'s> {
    buf: Vec<u8>,
    pos: usize,
    sink: Option<&'s mut dyn Write>,
    flushed: u64,
    framing: bool,
    frame_start: usize,
    /// The position from which [`Out::boundary`] has something to do (commit a full frame, or
    /// hand a large buffer to the sink): one comparison per `save`.
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

    #[inline(always)]
    fn with_buffer(mut buf: Vec<u8>, sink: Option<&'s mut dyn Write>) -> Out<'s> {
        let sink_present = sink.is_some();
        buf.resize(buf.capacity().min(FIRST_ROOM), 0);
        Out {
            buf,
            pos: 0,
            sink,
            flushed: 0,
            framing: false,
            frame_start: NO_FRAME,
            boundary_at: if sink_present { FLUSH_AT } else { usize::MAX },
        }
    }

    /// Makes room for `n` more bytes: the capacity grows as a `Vec`'s does, and the room is
    /// zeroed up to the larger of what is needed and one more step: half the bytes written so
    /// far, from [`MIN_ROOM`] to [`ROOM_STEP`] (so that at most a third of what is zeroed is
    /// left unused).
    #[cold]
    #[inline(never)]
    fn make_room(&mut self, n: usize) {
        let want = self.pos.saturating_add(n);
        if want <= self.buf.len() {
            return;
        }
        self.buf.reserve(want - self.buf.len());
        let step = (self.pos / 2).clamp(MIN_ROOM, ROOM_STEP);
        let len = want
            .max(self.buf.len().saturating_add(step))
            .min(self.buf.capacity());
        self.buf.resize(len, 0);
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
            self.frame_start = self.pos;
            self.bytes(&[0xFE; FRAME_HEADER_SIZE]);
            self.update_boundary();
        }
    }

    /// `_Pickler_Write` of one byte.
    #[inline(always)]
    pub(crate) fn byte(&mut self, b: u8) {
        match self.buf.get_mut(self.pos) {
            Some(slot) => *slot = b,
            None => return self.byte_slow(b),
        }
        self.pos += 1;
    }

    #[cold]
    #[inline(never)]
    fn byte_slow(&mut self, b: u8) {
        self.make_room(1);
        self.bytes(&[b]);
    }

    /// `_Pickler_Write` of an opcode.
    #[inline(always)]
    pub(crate) fn op(&mut self, op: Opcode) {
        self.byte(op as u8);
    }

    /// `_Pickler_Write`.
    #[inline(always)]
    pub(crate) fn bytes(&mut self, data: &[u8]) {
        let end = self.pos.wrapping_add(data.len());
        match self.buf.get_mut(self.pos..end) {
            Some(room) => room.copy_from_slice(data),
            None => return self.bytes_slow(data),
        }
        self.pos = end;
    }

    #[cold]
    #[inline(never)]
    fn bytes_slow(&mut self, data: &[u8]) {
        self.make_room(data.len());
        let end = self.pos + data.len();
        if let Some(room) = self.buf.get_mut(self.pos..end) {
            room.copy_from_slice(data);
            self.pos = end;
        }
    }

    /// `_Pickler_Write` of opcode `op` and the first `len - 1` little-endian bytes of `arg`
    /// (`len` at most 9): built in a register and stored by [`Out::short`]. (An argument put
    /// together as an array of bytes would be stored byte by byte on the stack and read back as
    /// one word, which the processor cannot forward: a stall on every write.)
    #[inline(always)]
    pub(crate) fn op_arg(&mut self, op: Opcode, arg: u64, len: usize) {
        self.short(u128::from(op as u8) | u128::from(arg) << 8, len);
    }

    /// `_Pickler_Write` of the first `len` (at most 9) little-endian bytes of `word`: an opcode
    /// and its argument, stored as a fixed 9 bytes of which the cursor keeps `len`, which costs
    /// less than a copy of variable length.
    #[inline(always)]
    pub(crate) fn short(&mut self, word: u128, len: usize) {
        let pos = self.pos;
        match self.buf.get_mut(pos..pos.wrapping_add(16)) {
            // (Nine bytes, the longest scalar, as one 8-byte and one 1-byte store: a second
            // 8-byte store would more often cross a cache line, for bytes that are cut off.)
            Some(room) => {
                if let Some((lo, rest)) = room.split_first_chunk_mut::<8>() {
                    *lo = (word as u64).to_le_bytes();
                    if let Some(ninth) = rest.first_mut() {
                        *ninth = (word >> 64) as u8;
                    }
                }
            }
            None => return self.window_slow(&word.to_le_bytes(), len.min(9)),
        }
        self.pos = pos + len.min(9);
    }

    /// The loop of the runs below: `write` stores one item at the cursor (given the room and
    /// the cursor) and returns the bytes it took, or `None`, having stored nothing, to end the
    /// run. An item starts only below a limit that leaves it `room` bytes of room and does not
    /// reach the boundary within its first `lead` bytes (where `save` would call
    /// [`Out::boundary`] again, for a dict's value after its key). How many items were
    /// written. The cursor stays in a register through the loop, which a write per item
    /// through `self` cannot do.
    #[inline(always)]
    fn run<T: Copy>(
        &mut self,
        items: &[T],
        room: usize,
        lead: usize,
        mut write: impl FnMut(&mut [u8], usize, T) -> Option<usize>,
    ) -> usize {
        let limit =
            (self.buf.len().saturating_sub(room - 1)).min(self.boundary_at.saturating_sub(lead));
        // (A slice of its own: a store of a byte through the `Vec` would make the compiler
        // reload the `Vec`'s pointer after it.)
        let buf = self.buf.as_mut_slice();
        let mut pos = self.pos;
        let mut n = 0;
        for &item in items {
            if pos >= limit {
                break;
            }
            let Some(taken) = write(buf, pos, item) else {
                break;
            };
            pos += taken;
            n += 1;
        }
        self.pos = pos;
        n
    }

    /// Writes words of at most 9 bytes, as [`Out::boundary`] and [`Out::short`] before each
    /// would, for the `items` from the first while `word_of` gives one, the room holds it and
    /// no boundary is due: how many were written.
    #[inline(always)]
    pub(crate) fn short_run<T: Copy>(
        &mut self,
        items: &[T],
        mut word_of: impl FnMut(T) -> Option<(u128, usize)>,
    ) -> usize {
        self.run(items, 16, 0, |buf, pos, item| {
            let (word, len) = word_of(item)?;
            store_word(buf, pos, word);
            Some(len.min(9))
        })
    }

    /// Writes `op` and a one-byte argument (`BININT1`, say) for the `items` from the first
    /// while `arg_of` gives one, the room holds it and no boundary is due: how many were
    /// written. (The commonest scalar, a small int, in the tightest loop: a 2-byte store, no
    /// word to assemble.)
    #[inline(always)]
    pub(crate) fn byte_arg_run<T: Copy>(
        &mut self,
        op: Opcode,
        items: &[T],
        mut arg_of: impl FnMut(T) -> Option<u8>,
    ) -> usize {
        self.fixed_run::<T, 2>(items, |dst, item| {
            let Some(arg) = arg_of(item) else {
                return false;
            };
            dst.copy_from_slice(&[op as u8, arg]);
            true
        })
    }

    /// Writes `BININT` and its four-byte argument for the `items` from the first while `arg_of`
    /// gives one, the room holds it and no boundary is due: how many were written.
    #[inline(always)]
    pub(crate) fn binint_run<T: Copy>(
        &mut self,
        items: &[T],
        mut arg_of: impl FnMut(T) -> Option<i32>,
    ) -> usize {
        self.op_arg_run::<T, 5, 4>(items, Opcode::BinInt, |item| {
            Some(arg_of(item)?.to_le_bytes())
        })
    }

    /// Writes `BINFLOAT` and its eight big-endian bytes for the `items` from the first while
    /// `value_of` gives one, the room holds it and no boundary is due: how many were written.
    #[inline(always)]
    pub(crate) fn binfloat_run<T: Copy>(
        &mut self,
        items: &[T],
        mut value_of: impl FnMut(T) -> Option<f64>,
    ) -> usize {
        self.op_arg_run::<T, 9, 8>(items, Opcode::BinFloat, |item| {
            Some(value_of(item)?.to_be_bytes())
        })
    }

    /// [`Out::fixed_run`] of `op` and the `A` bytes of argument `arg_of` gives (`W` = 1 + `A`
    /// bytes an item), stored as the opcode byte and the argument. (`byte_arg_run` stores its
    /// two bytes as one instead.)
    #[inline(always)]
    fn op_arg_run<T: Copy, const W: usize, const A: usize>(
        &mut self,
        items: &[T],
        op: Opcode,
        mut arg_of: impl FnMut(T) -> Option<[u8; A]>,
    ) -> usize {
        self.fixed_run::<T, W>(items, |dst, item| {
            let Some(arg) = arg_of(item) else {
                return false;
            };
            if let Some((code, rest)) = dst.split_first_mut() {
                *code = op as u8;
                rest.copy_from_slice(&arg);
            }
            true
        })
    }

    /// Writes `W` bytes for each of the `items` from the first, while `put` writes them (it
    /// gets the room for one item and returns `false`, having written nothing, when the item
    /// is not one the run writes), the room holds them and no boundary is due (as [`Out::run`]
    /// has it: each starts before the boundary): how many were written. The room for the most
    /// there can be is checked once, so that the loop has no check of its own but the item's.
    #[inline(always)]
    fn fixed_run<T: Copy, const W: usize>(
        &mut self,
        items: &[T],
        mut put: impl FnMut(&mut [u8], T) -> bool,
    ) -> usize {
        let pos = self.pos;
        let in_buf = self.buf.len().saturating_sub(pos) / W;
        let before_boundary = self.boundary_at.saturating_sub(pos).div_ceil(W);
        let most = items.len().min(in_buf).min(before_boundary);
        let Some(region) = self.buf.get_mut(pos..pos + most * W) else {
            return 0;
        };
        let mut n = 0;
        for (dst, &item) in region.chunks_exact_mut(W).zip(items) {
            if !put(dst, item) {
                break;
            }
            n += 1;
        }
        self.pos = pos + n * W;
        n
    }

    /// Writes pairs of `op` with a one-byte argument (a `BININT1` key, say) and a word of at
    /// most 9 bytes (the value), as [`Out::short_pairs`], while `key_of` and `value_of` give
    /// them: how many pairs were written.
    #[inline(always)]
    pub(crate) fn byte_arg_pairs<T: Copy>(
        &mut self,
        op: Opcode,
        pairs: &[T],
        mut key_of: impl FnMut(T) -> Option<u8>,
        mut value_of: impl FnMut(T) -> Option<(u128, usize)>,
    ) -> usize {
        // (16 bytes of room after the 2 of the key; the value's boundary after the key.)
        self.run(pairs, 18, 2, |buf, pos, pair| {
            let key = key_of(pair)?;
            let (word, len) = value_of(pair)?;
            store_op_arg(buf, pos, op, key);
            store_word(buf, pos + 2, word);
            Some(2 + len.min(9))
        })
    }

    /// Writes pairs of words of at most 9 bytes each (a dict's key and value), as
    /// [`Out::boundary`] and [`Out::short`] before each word would, for the `pairs` from the
    /// first while `words_of` gives both words, the room holds them and no boundary is due
    /// before either: how many pairs were written.
    #[inline(always)]
    pub(crate) fn short_pairs<T: Copy>(
        &mut self,
        pairs: &[T],
        mut words_of: impl FnMut(T) -> Option<[(u128, usize); 2]>,
    ) -> usize {
        // (16 bytes of room after the at most 9 of the key; the value's boundary after it.)
        self.run(pairs, 32, 9, |buf, pos, pair| {
            let [(key, klen), (value, vlen)] = words_of(pair)?;
            let klen = klen.min(9);
            store_word(buf, pos, key);
            store_word(buf, pos + klen, value);
            Some(klen + vlen.min(9))
        })
    }

    #[cold]
    #[inline(never)]
    fn window_slow<const N: usize>(&mut self, window: &[u8; N], len: usize) {
        self.make_room(N);
        self.bytes(&window[..len.min(N)]);
    }

    /// Bytes emitted so far, including an open frame's placeholder header.
    pub(crate) fn position(&self) -> u64 {
        self.flushed + self.pos as u64
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
        let len = self.pos - start - FRAME_HEADER_SIZE;
        if len >= FRAME_SIZE_MIN {
            if let Some(header) = self.buf.get_mut(start..start + FRAME_HEADER_SIZE) {
                header[0] = Opcode::Frame as u8;
                header[1..].copy_from_slice(&(len as u64).to_le_bytes());
            }
        } else {
            self.buf
                .copy_within(start + FRAME_HEADER_SIZE..self.pos, start);
            self.pos = start + len;
        }
        if self.pos >= FLUSH_AT {
            self.flush()?;
        }
        Ok(())
    }

    /// `_Pickler_OpcodeBoundary`, called as every `save()` starts: commits a frame past 64 KiB.
    #[inline(always)]
    pub(crate) fn boundary(&mut self) -> Result<()> {
        if self.pos >= self.boundary_at {
            return self.boundary_slow();
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn boundary_slow(&mut self) -> Result<()> {
        if self.frame_start != NO_FRAME {
            if self.pos - self.frame_start - FRAME_HEADER_SIZE >= FRAME_SIZE_TARGET {
                return self.commit_and_reopen();
            }
        } else if self.pos >= FLUSH_AT && self.sink.is_some() {
            return self.flush();
        }
        Ok(())
    }

    /// `_Pickler_write_bytes`: a header (opcode `op` and the first `len - 1` bytes of `arg`, as
    /// [`Out::op_arg`]) and its payload; a payload of 64 KiB or more ends the current frame and
    /// is written outside any frame.
    pub(crate) fn header_and_payload(
        &mut self,
        op: Opcode,
        arg: u64,
        len: usize,
        payload: &[u8],
    ) -> Result<()> {
        if payload.len() < FRAME_SIZE_TARGET {
            self.op_arg(op, arg, len);
            self.bytes(payload);
            return Ok(());
        }
        self.commit_frame()?;
        self.op_arg(op, arg, len);
        self.unframed(payload)?;
        self.reopen();
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn header_and_window_slow<const N: usize>(
        &mut self,
        op: Opcode,
        arg: u64,
        hlen: usize,
        window: &[u8; N],
        len: usize,
    ) {
        self.op_arg(op, arg, hlen);
        self.bytes(&window[..len.min(N)]);
    }

    /// A header (as [`Out::op_arg`]: opcode `op`, `hlen - 1` bytes of `arg`), the first `len`
    /// bytes of `window` (a short payload, always inside the frame) and a trailer, the first
    /// `tlen` (at most 8) little-endian bytes of `trailer` (a memo opcode, or nothing): the
    /// header and trailer are one word each and the window a fixed-size move, of which the
    /// cursor keeps what belongs to the pickle; one check for room.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn header_window_trailer<const N: usize>(
        &mut self,
        op: Opcode,
        arg: u64,
        hlen: usize,
        window: &[u8; N],
        len: usize,
        trailer: u64,
        tlen: usize,
    ) {
        let pos = self.pos;
        let (hlen, len, tlen) = (hlen.min(8), len.min(N), tlen.min(8));
        match self.buf.get_mut(pos..pos.wrapping_add(16 + N)) {
            Some(room) => {
                if let Some(h) = room.first_chunk_mut::<8>() {
                    *h = (u64::from(op as u8) | arg << 8).to_le_bytes();
                }
                if let Some(w) = room.get_mut(hlen..hlen + N) {
                    w.copy_from_slice(window);
                }
                let end = hlen + len;
                if let Some(t) = room.get_mut(end..end + 8) {
                    t.copy_from_slice(&trailer.to_le_bytes());
                }
            }
            None => {
                self.header_and_window_slow(op, arg, hlen, window, len);
                return self.short(u128::from(trailer), tlen);
            }
        }
        self.pos = pos + hlen + len + tlen;
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
            self.bytes(data);
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if let Some(sink) = self.sink.as_mut() {
            sink.write_all(self.buf.get(..self.pos).unwrap_or_default())?;
            self.flushed += self.pos as u64;
            self.pos = 0;
        }
        Ok(())
    }

    /// Commits the last frame and flushes; returns the bytes when there is no sink.
    #[inline(always)]
    pub(crate) fn finish(&mut self) -> Result<Vec<u8>> {
        self.commit_frame()?;
        if self.sink.is_some() {
            self.flush()?;
            if let Some(sink) = self.sink.as_mut() {
                sink.flush()?;
            }
            return Ok(Vec::new());
        }
        self.buf.truncate(self.pos);
        self.pos = 0;
        Ok(std::mem::take(&mut self.buf))
    }
}

/// Stores `op` and its one-byte argument at `at`, when there are 2 bytes of room from there.
#[inline(always)]
fn store_op_arg(buf: &mut [u8], at: usize, op: Opcode, arg: u8) {
    if let Some(dst) = buf.get_mut(at..at.wrapping_add(2)) {
        dst.copy_from_slice(&[op as u8, arg]);
    }
}

/// Stores the low 9 bytes of `word` at `at`, when there are 16 bytes of room from there (as one
/// 8-byte and one 1-byte store: see [`Out::short`]).
#[inline(always)]
fn store_word(buf: &mut [u8], at: usize, word: u128) {
    if let Some((lo, rest)) = buf
        .get_mut(at..at.wrapping_add(16))
        .and_then(|room| room.split_first_chunk_mut::<8>())
    {
        *lo = (word as u64).to_le_bytes();
        if let Some(ninth) = rest.first_mut() {
            *ninth = (word >> 64) as u8;
        }
    }
}

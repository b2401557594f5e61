//! The machine: the dispatch loop, the stack and marks, and the per-opcode-family helpers.

use std::cell::Cell;

use bytes::Bytes;

use crate::error::{Error, ErrorKind, Result};
use crate::opcodes::Opcode;
use crate::read::input::{Input, InputError};
use crate::read::memo::Memo;
use crate::read::numbers::{self, FloatError, IntError, IntOrBool, IntVal};
use crate::read::strings;
use crate::read::{invalid, Engine, HookContext, Py2Str, ReadHook, ReadOptions};
use crate::scratch;
use crate::value::{Graph, Items, Node, NodeId, Pairs, PickleBuffer};

/// The highest protocol understood.
pub(crate) const HIGHEST_PROTOCOL: u8 = 5;

/// The state of one pickle (a nested pickle gets its own).
#[derive(Default)]
pub(crate) struct PickleState {
    pub stack: Vec<NodeId>,
    pub marks: Vec<usize>,
    pub memo: Memo,
    pub proto: u8,
}

/// The virtual machine: input, graph, and the state of the pickle being read.
pub(crate) struct Vm<'d, 'o> {
    pub input: Input<'d>,
    /// The graph being built (owned by the caller, so that it is never moved).
    pub graph: &'o mut Graph,
    pub opts: &'o ReadOptions,
    /// Out-of-band buffers consumed so far.
    pub buffers_used: usize,
    /// Offset of the opcode being run (for errors; the opcode is the byte there).
    pub op_pos: usize,
    /// Copies of `opts.limits.max_stack`, `max_nodes` and `max_memo_index`, checked on every
    /// push and memo entry.
    pub(super) max_stack: usize,
    pub(super) max_nodes: usize,
    pub(super) max_memo_index: u64,
    /// The state of the pickle being read (taken from the scratch while the machine runs).
    pub st: PickleState,
    /// The read's work state: the thread's scratch, lent by the caller for this read.
    pub sc: &'o mut Scratch,
}

/// Strings up to this long are copied through a fixed-size window (see `push_unicode`).
pub(super) const SHORT_TEXT: usize = 16;
/// Strings up to this long are copied through a larger window by the fast loop.
pub(super) const MEDIUM_TEXT: usize = 32;
/// The memo opcode CPython writes after a new string or container, when it is the one at `at`:
/// `MEMOIZE` (index `next`), `BINPUT` or `LONG_BINPUT`, as its index and length in bytes.
#[inline(always)]
pub(super) fn memo_op_at(data: &[u8], at: usize, next: u64) -> Option<(u64, usize)> {
    match *data.get(at)? {
        0x94 => Some((next, 1)),
        b'q' => Some((u64::from(*data.get(at + 1)?), 2)),
        b'r' => {
            let b: [u8; 4] = data.get(at + 1..at + 5)?.try_into().ok()?;
            Some((u64::from(u32::from_le_bytes(b)), 5))
        }
        _ => None,
    }
}

/// `None`, `False`, `True`, then ints -5 to 256.
const ATOM_SLOTS: usize = 3 + 262;
const ATOM_NONE: usize = 0;
const ATOM_FALSE: usize = 1;
const ATOM_TRUE: usize = 2;
pub(super) const NO_ATOM: u32 = u32::MAX;
/// The atom slot of the int 0 (slots of ints -5 to 256 follow the three above).
pub(super) const ATOM_SLOT_OF_ZERO: usize = 8;

/// The node of atom `slot` in `atoms` (see `Scratch::atoms`), once it is made.
#[inline(always)]
pub(super) fn made_atom(atoms: &[u32], slot: usize) -> Option<NodeId> {
    match atoms.get(slot) {
        Some(&raw) if raw != NO_ATOM => Some(NodeId::from_index(raw as usize)),
        _ => None,
    }
}

/// `true` for the ints CPython keeps one object of (-5 to 256): each is an atom of the graph.
#[inline(always)]
pub(super) fn is_cached_int(v: i64) -> bool {
    (-5..=256).contains(&v)
}

/// The work state of a read (the pickle's stack, marks and memo, the atoms, the pair scratch),
/// kept per thread between reads: reading a small pickle would otherwise spend as long making
/// and freeing it as decoding. Vectors that grew large are freed rather than kept.
#[derive(Default)]
pub(crate) struct Scratch {
    pub st: PickleState,
    /// The one node of `None`, `False`, `True` and each small int (-5 to 256) in this graph, once
    /// made: these are singletons in CPython too, so sharing them keeps identity as Python has it
    /// and saves a node per occurrence. `NO_ATOM` while not made yet. Grown to the highest slot
    /// made on this thread (a pickle with no small ints keeps it short), never shortened: the
    /// slots made by a read are set back when it ends.
    pub(super) atoms: Vec<u32>,
    /// The slots of `atoms` made in this read (set back to `NO_ATOM` when it ends).
    made: Vec<u16>,
    /// Scratch space for the key/value pairs of `SETITEMS`/`DICT`.
    pub pairs: Vec<(NodeId, NodeId)>,
    /// The last small pickle read on this thread: its length and its graph's [`Graph::shape`].
    last_small: Option<(usize, [usize; 4])>,
}

/// Pickles shorter than this reserve room for their values as a share of their length; longer
/// ones by fixed estimates (see `Vm::new`).
const SMALL_INPUT: usize = 1 << 16;

thread_local! {
    static SCRATCH: Cell<Option<Box<Scratch>>> = const { Cell::new(None) };
}

impl Scratch {
    /// The thread's scratch (see [`scratch::take`]).
    pub(crate) fn take() -> Box<Scratch> {
        scratch::take(&SCRATCH)
    }

    /// Empties the scratch and keeps it for the next read, unless its vectors grew large.
    pub(crate) fn give_back(mut self: Box<Scratch>) {
        let capacities = [
            self.st.stack.capacity(),
            self.st.marks.capacity(),
            self.st.memo.capacity(),
            self.pairs.capacity(),
        ];
        if !scratch::worth_keeping(&capacities) {
            return;
        }
        self.st.stack.clear();
        self.st.marks.clear();
        self.st.memo.clear();
        self.st.proto = 0;
        self.pairs.clear();
        for &slot in &self.made {
            if let Some(atom) = self.atoms.get_mut(usize::from(slot)) {
                *atom = NO_ATOM;
            }
        }
        self.made.clear();
        scratch::keep(&SCRATCH, self);
    }
}

impl<'d, 'o> Vm<'d, 'o> {
    #[inline(always)]
    pub fn new(
        data: &'d [u8],
        shared: Option<&'d Bytes>,
        pos: usize,
        opts: &'o ReadOptions,
        graph: &'o mut Graph,
        scratch: &'o mut Scratch,
        expected_len: usize,
    ) -> Vm<'d, 'o> {
        // The room reserved below follows the bytes this pickle is expected to take: the rest of
        // the input, or less when the caller knows better (see `Reader::read_pickle`).
        let rest = data.len().saturating_sub(pos).min(expected_len);
        // About one node per 8 bytes of input: enough for most plain data without regrowing, and
        // little unused capacity in the decoded value. Likewise for the arenas (measured on plain
        // data: a container item per 8-15 bytes, a dict pair per 10-20, string text up to a
        // quarter of the input), so that typical data is decoded without moving them as they
        // grow. Below 64 KiB, half of that: regrowing a small vector costs little, and reserving
        // for the densest data would make the peak of a small decode larger than the value.
        let small = rest < SMALL_INPUT;
        let per = if small { 16 } else { 8 };
        // A small pickle like the last one read on this thread (the common case of many similar
        // pickles: within a factor of 4 in length) gets the room that one used, scaled to its
        // length: its vectors then neither grow while decoding nor shrink after. (Others get the
        // estimates below, and any room left largely unused is given back after the decode.)
        let learned = scratch
            .last_small
            .filter(|&(len, _)| {
                small && rest <= len.saturating_mul(4) && len <= rest.saturating_mul(4)
            })
            .map(|(len, shape)| {
                // The same length (a pickle read again, or one like it): exactly that room, so
                // that nothing is left over to give back after the decode. Otherwise scaled, with
                // a little slack (and no division in the common case above).
                let scale = |used: usize| match rest == len {
                    true => used,
                    false => (used.saturating_mul(rest) / len.max(1)).saturating_add(8),
                };
                shape.map(scale)
            });
        if let Some([nodes, items, pairs, text]) = learned {
            graph.reserve_nodes(nodes.min(opts.limits.max_nodes));
            graph.size_hint_arenas(items, pairs, text + MEDIUM_TEXT);
        } else {
            // (At least 32 nodes and items: a small pickle then grows them at most once or
            // twice.)
            let cap = (rest / per).max(32).min(opts.limits.max_nodes).min(1 << 24);
            graph.reserve_nodes(cap);
            let arena = rest.min(1 << 28) * 8 / per;
            graph.size_hint_arenas((arena / 8).max(32), arena / 10, arena / 4);
        }
        if !small {
            // Plain data memoizes about one value per 16 bytes: room for that many entries, so
            // that the memo of a large pickle is not copied as it grows.
            scratch.st.memo.reserve(rest.min(1 << 30) / 16);
        }
        Vm {
            input: Input::new(data, shared, pos),
            graph,
            opts,
            buffers_used: 0,
            op_pos: pos,
            max_stack: opts.limits.max_stack,
            max_nodes: opts.limits.max_nodes,
            max_memo_index: opts.limits.max_memo_index,
            st: std::mem::take(&mut scratch.st),
            sc: scratch,
        }
    }

    /// Keeps the shape of the graph of a pickle of `len` bytes, read whole, for sizing the next
    /// small one on this thread (see `Vm::new`). (One that failed part way says nothing about
    /// the next.)
    pub fn keep_shape(&mut self, len: usize) {
        if len > 0 && len < SMALL_INPUT {
            self.sc.last_small = Some((len, self.graph.shape()));
        }
    }

    // --- errors -------------------------------------------------------------------------------

    /// An error at the current opcode.
    #[cold]
    #[inline(never)]
    pub fn err(&self, kind: ErrorKind) -> Error {
        Error::new(kind, self.op_pos as u64, self.opcode())
    }

    /// The opcode being run: the byte at `op_pos` (none before the first opcode is read).
    #[cold]
    pub fn opcode(&self) -> Option<Opcode> {
        self.input
            .data
            .get(self.op_pos)
            .and_then(|&b| Opcode::from_byte(b))
    }

    #[cold]
    #[inline(never)]
    pub fn eof(&self) -> Error {
        self.err(ErrorKind::UnexpectedEof)
    }

    #[cold]
    #[inline(never)]
    pub fn underflow(&self) -> Error {
        if self.st.marks.is_empty() {
            self.err(ErrorKind::StackUnderflow)
        } else {
            self.err(ErrorKind::UnexpectedMark)
        }
    }

    #[cold]
    #[inline(never)]
    pub fn type_err(&self, msg: String) -> Error {
        self.err(ErrorKind::TypeMismatch(msg))
    }

    // --- stack --------------------------------------------------------------------------------

    /// The lowest stack index the current opcode may touch (the top mark).
    #[inline]
    pub fn fence(&self) -> usize {
        self.st.marks.last().copied().unwrap_or(0)
    }

    #[inline(always)]
    pub fn push(&mut self, id: NodeId) -> Result<()> {
        if self.st.stack.len() >= self.max_stack {
            return Err(self.limit("stack size"));
        }
        self.st.stack.push(id);
        Ok(())
    }

    /// Adds a node to the graph. Always inlined, as are its callers on the hot path, so that a
    /// node is written straight into the graph: passed through memory, its fields are stored
    /// and loaded at different widths, which stalls store forwarding on every node.
    #[inline(always)]
    pub fn node(&mut self, node: Node) -> Result<NodeId> {
        if self.graph.len() >= self.max_nodes {
            return Err(self.limit("node count"));
        }
        Ok(self.graph.push(node))
    }

    /// Adds a node and pushes it.
    #[inline(always)]
    pub fn push_new(&mut self, node: Node) -> Result<()> {
        let id = self.node(node)?;
        self.push(id)
    }

    /// Pushes the shared node of atom `slot` (see `atoms`), making it the first time.
    #[inline(always)]
    fn push_atom(&mut self, slot: usize) -> Result<()> {
        let id = match made_atom(&self.sc.atoms, slot) {
            Some(id) => id,
            None => match self.make_atom(slot) {
                Some(id) => id,
                None => return Err(self.limit("node count")),
            },
        };
        self.push(id)
    }

    /// Makes the node of atom `slot` the first time it is read (for [`Vm::push_atom`] and the
    /// fast loop): `None`, with nothing made, if the graph is full.
    #[cold]
    #[inline(never)]
    pub(super) fn make_atom(&mut self, slot: usize) -> Option<NodeId> {
        if self.graph.len() >= self.max_nodes {
            return None;
        }
        let node = match slot {
            ATOM_NONE => Node::None,
            ATOM_FALSE => Node::Bool(false),
            ATOM_TRUE => Node::Bool(true),
            _ => Node::Int(slot as i64 - ATOM_SLOT_OF_ZERO as i64),
        };
        let id = self.graph.push(node);
        if slot >= self.sc.atoms.len() && slot < ATOM_SLOTS {
            self.sc.atoms.resize(slot + 1, NO_ATOM);
        }
        if let Some(s) = self.sc.atoms.get_mut(slot) {
            *s = id.index() as u32;
            self.sc.made.push(slot as u16);
        }
        Some(id)
    }

    /// Pushes an int: CPython's cached small ints (-5 to 256) share one node each.
    #[inline]
    pub fn push_small_int(&mut self, v: i64) -> Result<()> {
        if is_cached_int(v) {
            let slot = (v + ATOM_SLOT_OF_ZERO as i64) as usize;
            self.push_atom(slot)
        } else {
            self.push_new(Node::Int(v))
        }
    }

    /// Pushes `None` (one shared node per graph).
    #[inline]
    pub fn push_none(&mut self) -> Result<()> {
        self.push_atom(ATOM_NONE)
    }

    /// Pushes `True` or `False` (one shared node each).
    #[inline]
    pub fn push_bool(&mut self, b: bool) -> Result<()> {
        self.push_atom(if b { ATOM_TRUE } else { ATOM_FALSE })
    }

    #[cold]
    #[inline(never)]
    fn limit(&self, what: &str) -> Error {
        self.err(ErrorKind::LimitExceeded(what.into()))
    }

    #[inline]
    pub fn pop(&mut self) -> Result<NodeId> {
        if self.st.stack.len() <= self.fence() {
            return Err(self.underflow());
        }
        self.st.stack.pop().ok_or_else(|| self.underflow())
    }

    #[inline]
    pub fn top(&self) -> Result<NodeId> {
        if self.st.stack.len() <= self.fence() {
            return Err(self.underflow());
        }
        self.st
            .stack
            .last()
            .copied()
            .ok_or_else(|| self.underflow())
    }

    /// Replaces the top of the stack (which must exist above the fence).
    #[inline]
    pub fn set_top(&mut self, id: NodeId) -> Result<()> {
        if self.st.stack.len() <= self.fence() {
            return Err(self.underflow());
        }
        match self.st.stack.last_mut() {
            Some(slot) => {
                *slot = id;
                Ok(())
            }
            None => Err(self.underflow()),
        }
    }

    /// Pops the top mark; returns the stack length it recorded.
    #[inline]
    pub fn marker(&mut self) -> Result<usize> {
        match self.st.marks.pop() {
            Some(m) => Ok(m),
            None => Err(self.err(ErrorKind::MarkNotFound)),
        }
    }

    /// Removes and returns the items from `start` to the top.
    #[inline]
    pub fn pop_from(&mut self, start: usize) -> Result<Vec<NodeId>> {
        self.check_from(start)?;
        Ok(self.st.stack.split_off(start))
    }

    /// Checks that the current opcode may take the stack from `start` up: at or above the top
    /// mark, and no higher than the top.
    #[inline]
    pub fn check_from(&self, start: usize) -> Result<()> {
        if start < self.fence() || start > self.st.stack.len() {
            return Err(self.underflow());
        }
        Ok(())
    }

    /// Pops the stack from `start` up into a new run of container items.
    #[inline]
    pub fn pop_items(&mut self, start: usize) -> Result<Items> {
        self.check_from(start)?;
        let items = self
            .graph
            .new_items(self.st.stack.get(start..).unwrap_or(&[]));
        self.st.stack.truncate(start);
        Ok(items)
    }

    // --- input --------------------------------------------------------------------------------

    #[inline]
    pub fn arg_u8(&mut self) -> Result<u8> {
        match self.input.byte() {
            Some(b) => Ok(b),
            None => Err(self.eof()),
        }
    }

    #[inline]
    pub fn arg<const N: usize>(&mut self) -> Result<[u8; N]> {
        match self.input.array::<N>() {
            Some(a) => Ok(a),
            None => Err(self.eof()),
        }
    }

    #[inline]
    pub fn arg_bytes(&mut self, n: u64) -> Result<&'d [u8]> {
        match self.input.take_len(n) {
            Some(s) => Ok(s),
            None => Err(self.eof()),
        }
    }

    #[inline]
    pub fn arg_shared(&mut self, n: u64) -> Result<Bytes> {
        match self.input.take_bytes(n) {
            Some(s) => Ok(s),
            None => Err(self.eof()),
        }
    }

    /// A text argument: a line without its newline; an empty line (just `\n`) counts as
    /// truncated data, as in CPython, where `nonempty` is asked.
    #[inline]
    pub fn arg_line(&mut self, nonempty: bool) -> Result<&'d [u8]> {
        match self.input.line() {
            Some(l) if !nonempty || !l.is_empty() => Ok(l),
            _ => Err(self.eof()),
        }
    }

    // --- the loop -----------------------------------------------------------------------------

    /// Runs one pickle from the current position to its `STOP`; returns its value.
    pub fn run(&mut self, mut hook: Option<&mut dyn ReadHook>) -> Result<NodeId> {
        self.input.frame_end = None;
        loop {
            // Plain data runs in the fast loop; what it leaves comes here, one opcode at a time.
            if let Some(root) = self.run_fast() {
                return Ok(root);
            }
            self.op_pos = self.input.pos;
            let Some(op) = self.input.byte() else {
                return Err(Error::new(
                    ErrorKind::UnexpectedEof,
                    self.op_pos as u64,
                    None,
                ));
            };
            match op {
                // --- frames, protocol, stop -----------------------------------------------------
                0x95 => {
                    let n = u64::from_le_bytes(self.arg::<8>()?);
                    if self.input.start_frame(n).is_none() {
                        return Err(self.eof());
                    }
                }
                0x80 => {
                    let p = self.arg_u8()?;
                    if p > HIGHEST_PROTOCOL {
                        return Err(self.err(ErrorKind::UnsupportedProtocol(p)));
                    }
                    self.st.proto = p;
                }
                b'.' => return self.pop(),

                // --- numbers ---------------------------------------------------------------------
                b'K' => {
                    let v = self.arg_u8()?;
                    self.push_small_int(i64::from(v))?;
                }
                b'M' => {
                    let v = u16::from_le_bytes(self.arg::<2>()?);
                    self.push_small_int(i64::from(v))?;
                }
                b'J' => {
                    let v = i32::from_le_bytes(self.arg::<4>()?);
                    self.push_small_int(i64::from(v))?;
                }
                0x8a => {
                    let n = self.arg_u8()?;
                    let bytes = self.arg_bytes(u64::from(n))?;
                    let v = numbers::from_twos_complement_le(bytes);
                    self.push_int(v)?;
                }
                0x8b => {
                    let n = i32::from_le_bytes(self.arg::<4>()?);
                    if n < 0 {
                        return Err(self.err(invalid("LONG pickle has negative byte count")));
                    }
                    let bytes = self.arg_bytes(n as u64)?;
                    let v = numbers::from_twos_complement_le(bytes);
                    self.push_int(v)?;
                }
                b'I' => {
                    let line = self.arg_line(true)?;
                    let v = numbers::parse_int_line(line, self.opts.limits.max_int_digits)
                        .map_err(|e| self.int_err(e, "could not convert string to int"))?;
                    match v {
                        IntOrBool::Bool(b) => self.push_bool(b)?,
                        IntOrBool::Int(v) => self.push_int(v)?,
                    }
                }
                b'L' => {
                    let line = self.arg_line(true)?;
                    let v = numbers::parse_long_line(line, self.opts.limits.max_int_digits)
                        .map_err(|e| self.int_err(e, "invalid literal for int() with base 0"))?;
                    self.push_int(v)?;
                }
                b'F' => {
                    let line = self.arg_line(true)?;
                    let v = numbers::parse_float_line(line).map_err(|e| match e {
                        FloatError::Invalid => {
                            self.err(invalid("could not convert string to float"))
                        }
                        FloatError::Overflow => {
                            self.err(invalid("value too large to convert to float"))
                        }
                    })?;
                    self.push_new(Node::Float(v))?;
                }
                b'G' => {
                    let v = f64::from_be_bytes(self.arg::<8>()?);
                    self.push_new(Node::Float(v))?;
                }
                b'N' => self.push_none()?,
                0x88 => self.push_bool(true)?,
                0x89 => self.push_bool(false)?,

                // --- str ------------------------------------------------------------------------
                0x8c => {
                    let n = self.arg_u8()?;
                    self.push_unicode(u64::from(n))?;
                }
                b'X' => {
                    let n = u32::from_le_bytes(self.arg::<4>()?);
                    self.push_unicode(u64::from(n))?;
                }
                0x8d => {
                    let n = u64::from_le_bytes(self.arg::<8>()?);
                    self.push_unicode(n)?;
                }
                b'V' => {
                    let line = self.arg_line(false)?;
                    let s = strings::decode_raw_unicode_escape(line)
                        .map_err(|m| self.err(invalid(m)))?;
                    let text = self.graph.new_text(s.view());
                    self.push_new(Node::Str(text))?;
                }

                // --- bytes ----------------------------------------------------------------------
                b'C' => {
                    let n = self.arg_u8()?;
                    let b = self.arg_shared(u64::from(n))?;
                    self.push_new(Node::bytes(b))?;
                }
                b'B' => {
                    let n = u32::from_le_bytes(self.arg::<4>()?);
                    let b = self.arg_shared(u64::from(n))?;
                    self.push_new(Node::bytes(b))?;
                }
                0x8e => {
                    let n = u64::from_le_bytes(self.arg::<8>()?);
                    let b = self.arg_shared(n)?;
                    self.push_new(Node::bytes(b))?;
                }
                0x96 => {
                    let n = u64::from_le_bytes(self.arg::<8>()?);
                    let b = self.arg_bytes(n)?;
                    self.push_new(Node::bytearray(b))?;
                }
                0x97 => self.next_buffer()?,
                0x98 => self.readonly_buffer()?,

                // --- Python 2 str ---------------------------------------------------------------
                b'U' => {
                    let n = self.arg_u8()?;
                    self.push_py2_str(u64::from(n))?;
                }
                b'T' => {
                    let n = i32::from_le_bytes(self.arg::<4>()?);
                    if n < 0 {
                        return Err(self.err(invalid("BINSTRING pickle has negative byte count")));
                    }
                    self.push_py2_str(n as u64)?;
                }
                b'S' => {
                    let line = self.arg_line(false)?;
                    let raw =
                        strings::decode_string_literal(line).map_err(|m| self.err(invalid(m)))?;
                    let node = self.py2_str_node(&raw)?;
                    self.push_new(node)?;
                }

                // --- containers -----------------------------------------------------------------
                b']' => {
                    self.push_memoized(Node::List(Items::default()))?;
                }
                b')' => self.push_new(Node::Tuple(Items::default()))?,
                b'}' => {
                    self.push_memoized(Node::Dict(Pairs::default()))?;
                }
                0x8f => self.push_new(Node::Set(Items::default()))?,
                b'a' => {
                    let len = self.st.stack.len();
                    self.do_append(len.saturating_sub(1))?;
                }
                b'e' => {
                    let mark = self.marker()?;
                    self.do_append(mark)?;
                }
                b's' => {
                    let len = self.st.stack.len();
                    self.do_setitems(len.saturating_sub(2))?;
                }
                b'u' => {
                    let mark = self.marker()?;
                    self.do_setitems(mark)?;
                }
                0x90 => self.load_additems()?,
                b'l' => {
                    let mark = self.marker()?;
                    let items = self.pop_items(mark)?;
                    self.push_new(Node::List(items))?;
                }
                b't' => {
                    let mark = self.marker()?;
                    let items = self.pop_items(mark)?;
                    self.push_new(Node::Tuple(items))?;
                }
                0x85 => self.load_tuple_n(1)?,
                0x86 => self.load_tuple_n(2)?,
                0x87 => self.load_tuple_n(3)?,
                b'd' => self.load_dict()?,
                0x91 => {
                    let mark = self.marker()?;
                    let items = self.pop_items(mark)?;
                    self.push_new(Node::FrozenSet(items))?;
                }

                // --- stack ----------------------------------------------------------------------
                b'(' => self.mark()?,
                b'0' => {
                    let len = self.st.stack.len();
                    if self.st.marks.last() == Some(&len) {
                        self.st.marks.pop();
                    } else {
                        self.pop()?;
                    }
                }
                b'1' => {
                    let mark = self.marker()?;
                    if mark < self.fence() || mark > self.st.stack.len() {
                        return Err(self.underflow());
                    }
                    self.st.stack.truncate(mark);
                }
                b'2' => {
                    let top = self.top()?;
                    self.push(top)?;
                }

                // --- memo -----------------------------------------------------------------------
                b'g' => {
                    let line = self.arg_line(true)?;
                    let idx = self.memo_index_text(line)?;
                    self.memo_get(idx)?;
                }
                b'h' => {
                    let idx = self.arg_u8()?;
                    self.memo_get_index(u64::from(idx))?;
                }
                b'j' => {
                    let idx = u32::from_le_bytes(self.arg::<4>()?);
                    self.memo_get_index(u64::from(idx))?;
                }
                b'p' => {
                    let line = self.arg_line(true)?;
                    let idx = self.memo_index_text(line)?;
                    if idx < 0 {
                        return Err(self.err(invalid("negative PUT argument")));
                    }
                    self.memo_put(idx as u64)?;
                }
                b'q' => {
                    let idx = self.arg_u8()?;
                    self.memo_put(u64::from(idx))?;
                }
                b'r' => {
                    let idx = u32::from_le_bytes(self.arg::<4>()?);
                    self.memo_put(u64::from(idx))?;
                }
                0x94 => {
                    let idx = self.st.memo.len();
                    self.memo_put(idx)?;
                }

                // --- globals and objects --------------------------------------------------------
                b'c' => {
                    let (module, name) = self.global_lines()?;
                    let id = self.global_node(module, name)?;
                    self.push(id)?;
                }
                0x93 => self.load_stack_global()?,
                b'R' => self.load_reduce()?,
                0x81 => self.load_newobj(false)?,
                0x92 => self.load_newobj(true)?,
                b'i' => self.load_inst()?,
                b'o' => self.load_obj()?,
                b'b' => self.load_build(&mut hook)?,
                b'P' => {
                    let line = self.arg_line(false)?;
                    if !line.is_ascii() {
                        return Err(self.err(invalid(
                            "persistent IDs in protocol 0 must be ASCII strings",
                        )));
                    }
                    let text = self.graph.new_text_bytes(line);
                    let pid = self.node(Node::Str(text))?;
                    self.push_new(Node::PersistentId(pid))?;
                }
                b'Q' => {
                    let pid = self.pop()?;
                    self.push_new(Node::PersistentId(pid))?;
                }
                0x82 => {
                    let code = self.arg_u8()?;
                    self.push_ext(i64::from(code))?;
                }
                0x83 => {
                    let code = u16::from_le_bytes(self.arg::<2>()?);
                    self.push_ext(i64::from(code))?;
                }
                0x84 => {
                    let code = i32::from_le_bytes(self.arg::<4>()?);
                    self.push_ext(i64::from(code))?;
                }
                other => return Err(self.err(ErrorKind::UnknownOpcode(other))),
            }
        }
    }

    // --- numbers ------------------------------------------------------------------------------

    #[inline]
    fn push_int(&mut self, v: IntVal) -> Result<()> {
        match v {
            IntVal::Small(v) => self.push_small_int(v),
            IntVal::Big(v) => self.push_new(Node::BigInt(Box::new(v))),
        }
    }

    #[cold]
    fn int_err(&self, e: IntError, msg: &str) -> Error {
        match e {
            IntError::Invalid => self.err(invalid(msg)),
            IntError::TooLong => self.err(ErrorKind::LimitExceeded(format!(
                "integer text longer than {} digits",
                self.opts.limits.max_int_digits
            ))),
        }
    }

    /// A `GET`/`PUT` index: `int(line, 10)`; must fit in a signed 64-bit size.
    fn memo_index_text(&self, line: &[u8]) -> Result<i128> {
        match numbers::parse_py_int(line, false, 40) {
            Ok(IntVal::Small(v)) => Ok(i128::from(v)),
            Ok(IntVal::Big(_)) | Err(IntError::TooLong) => {
                Err(self.err(invalid("Python int too large to convert to C ssize_t")))
            }
            Err(IntError::Invalid) => {
                Err(self.err(invalid("invalid literal for int() with base 10")))
            }
        }
    }

    // --- strings and bytes --------------------------------------------------------------------

    #[inline]
    fn push_unicode(&mut self, n: u64) -> Result<()> {
        let start = self.input.pos;
        let raw = self.arg_bytes(n)?;
        if !strings::is_surrogatepass_utf8(raw) {
            return Err(self.err(ErrorKind::InvalidUtf8));
        }
        // A short string is copied as a fixed 16-byte window of the input, cut to its length: no
        // copy of variable length. (Short ASCII strings mostly come by the fast loop.)
        let window = self
            .input
            .data
            .get(start..start + SHORT_TEXT)
            .and_then(|w| <&[u8; SHORT_TEXT]>::try_from(w).ok());
        let text = match window {
            Some(w) if raw.len() <= SHORT_TEXT => self.graph.new_short_text(w, raw.len()),
            _ => self.graph.new_text_bytes(raw),
        };
        self.push_memoized(Node::Str(text))
    }

    /// `MARK`.
    #[inline(always)]
    fn mark(&mut self) -> Result<()> {
        if self.st.stack.len() + self.st.marks.len() >= self.max_stack {
            return Err(self.limit("stack size"));
        }
        self.st.marks.push(self.st.stack.len());
        Ok(())
    }

    /// Runs the memo opcode that CPython writes after almost every new string and container
    /// (`MEMOIZE`, or `BINPUT`/`LONG_BINPUT` below protocol 4) right away, one dispatch fewer per
    /// value. `id` is the node just pushed (the top of the stack). Errors name that opcode and its
    /// offset, as if it had been dispatched.
    #[inline(always)]
    fn fused_memo(&mut self, id: NodeId) -> Result<()> {
        let pos = self.input.pos;
        // (Anything else, a truncated one included, is left to the dispatch.)
        let Some((idx, n)) = memo_op_at(self.input.data, pos, self.st.memo.len()) else {
            return Ok(());
        };
        self.op_pos = pos;
        self.input.pos = pos + n;
        self.memo_store(idx, id)
    }

    /// Pushes a new node and runs the memo opcode after it (see [`Vm::fused_memo`]).
    #[inline(always)]
    fn push_memoized(&mut self, node: Node) -> Result<()> {
        let id = self.node(node)?;
        self.push(id)?;
        self.fused_memo(id)
    }

    /// `SHORT_BINSTRING`/`BINSTRING`: `n` bytes decoded per [`Py2Str`] (as bytes, a zero-copy
    /// slice of a shared input).
    fn push_py2_str(&mut self, n: u64) -> Result<()> {
        let node = if self.opts.py2_str == Py2Str::Bytes {
            Node::bytes(self.arg_shared(n)?)
        } else {
            let raw = self.arg_bytes(n)?;
            self.py2_str_node(raw)?
        };
        self.push_new(node)
    }

    /// A Python 2 `str` node.
    fn py2_str_node(&mut self, raw: &[u8]) -> Result<Node> {
        match self.opts.py2_str {
            Py2Str::Bytes => Ok(Node::bytes(Bytes::copy_from_slice(raw))),
            mode => {
                let s = strings::decode_py2(raw, mode).map_err(|m| self.err(invalid(m)))?;
                Ok(Node::Str(self.graph.new_text(s.view())))
            }
        }
    }

    fn next_buffer(&mut self) -> Result<()> {
        let index = self.buffers_used;
        let data =
            match &self.opts.buffers {
                Some(bufs) => match bufs.get(index) {
                    Some(b) => Some(b.clone()),
                    None => return Err(self.err(invalid("not enough out-of-band buffers"))),
                },
                None if self.opts.unresolved_buffers => None,
                None => return Err(self.err(invalid(
                    "pickle stream refers to out-of-band data but no *buffers* argument was given",
                ))),
            };
        self.buffers_used += 1;
        self.push_new(Node::Buffer(Box::new(PickleBuffer {
            index,
            data,
            readonly: false,
        })))
    }

    fn readonly_buffer(&mut self) -> Result<()> {
        let top = self.top()?;
        match self.graph.get(top) {
            Node::Buffer(b) if !b.readonly => {
                let mut b = (**b).clone();
                b.readonly = true;
                let id = self.node(Node::Buffer(Box::new(b)))?;
                self.set_top(id)
            }
            Node::Buffer(_)
            | Node::Bytes(_)
            | Node::ByteArray(_)
            | Node::Object(_)
            | Node::PersistentId(_)
            | Node::Extension(_) => Ok(()),
            other => Err(self.type_err(format!(
                "memoryview: a bytes-like object is required, not '{}'",
                other.type_name()
            ))),
        }
    }

    // --- memo ---------------------------------------------------------------------------------

    /// `BINGET`/`LONG_BINGET`: pushes memo entry `idx`.
    #[inline(always)]
    fn memo_get_index(&mut self, idx: u64) -> Result<()> {
        match self.st.memo.get(idx) {
            Some(id) => self.push(id),
            None => Err(self.err(ErrorKind::MemoKeyMissing(idx))),
        }
    }

    #[inline]
    fn memo_get(&mut self, idx: i128) -> Result<()> {
        let found = u64::try_from(idx).ok().and_then(|i| self.st.memo.get(i));
        match found {
            Some(id) => self.push(id),
            None => Err(self.err(ErrorKind::MemoKeyMissing(
                idx.clamp(0, u64::MAX as i128) as u64
            ))),
        }
    }

    #[inline]
    fn memo_put(&mut self, idx: u64) -> Result<()> {
        let top = self.top()?;
        self.memo_store(idx, top)
    }

    /// Stores `id` at memo index `idx` (within the limit).
    #[inline(always)]
    fn memo_store(&mut self, idx: u64, id: NodeId) -> Result<()> {
        if idx > self.max_memo_index {
            return Err(self.limit("memo index"));
        }
        self.st.memo.put(idx, id);
        Ok(())
    }

    fn push_ext(&mut self, code: i64) -> Result<()> {
        if code <= 0 {
            return Err(self.err(invalid("EXT specifies code <= 0")));
        }
        let code = i32::try_from(code).map_err(|_| self.err(invalid("EXT code out of range")))?;
        self.push_new(Node::Extension(code))
    }

    // --- nested pickles -----------------------------------------------------------------------

    /// Runs a nested pickle from the current position with its own stack and memo.
    pub fn nested(&mut self) -> Result<NodeId> {
        let saved = std::mem::take(&mut self.st);
        let op_pos = self.op_pos;
        let frame_end = self.input.frame_end;
        let result = self.run(None);
        self.st = saved;
        self.op_pos = op_pos;
        // The outer pickle's frame (if any) is over once a nested pickle was read after it.
        if frame_end.is_some_and(|end| self.input.pos < end) {
            self.input.frame_end = frame_end;
        }
        result
    }

    /// Calls the hook after `BUILD` on an inert object.
    pub fn call_hook(&mut self, hook: &mut dyn ReadHook, obj: NodeId) -> Result<Option<NodeId>> {
        let mut cx = HookContext::new(self);
        hook.after_build(&mut cx, obj)
    }
}

impl Engine for Vm<'_, '_> {
    fn graph_mut(&mut self) -> &mut Graph {
        self.graph
    }

    fn read_raw(&mut self, n: usize) -> Result<Bytes> {
        self.input.read_raw(n).map_err(|e| match e {
            InputError::Eof => Error::new(
                ErrorKind::UnexpectedEof,
                self.input.pos as u64,
                self.opcode(),
            ),
            InputError::FrameExhausted => Error::new(
                invalid("pickle exhausted before end of frame"),
                self.input.pos as u64,
                self.opcode(),
            ),
        })
    }

    fn position(&self) -> u64 {
        self.input.pos as u64
    }

    fn remaining(&self) -> usize {
        self.input.remaining()
    }

    fn load_nested(&mut self) -> Result<NodeId> {
        self.nested()
    }

    fn error_here(&self, msg: String) -> Error {
        Error::new(ErrorKind::Hook(msg), self.input.pos as u64, self.opcode())
    }

    fn options(&self) -> &ReadOptions {
        self.opts
    }
}

#[cfg(test)]
mod tests {
    use crate::{from_slice, to_vec, WriteOptions};

    #[test]
    fn none_bools_and_small_ints_share_one_node() {
        // pickle.dumps([None, None, True, True, 1, 1, 300, 300, -5, -6, -6], protocol=2)
        let data = b"\x80\x02]q\x00(NN\x88\x88K\x01K\x01M,\x01M,\x01J\xfb\xff\xff\xffJ\xfa\xff\xff\xffJ\xfa\xff\xff\xffe.";
        let g = from_slice(data).unwrap();
        let items = g.root_ref().unwrap().as_list().unwrap().to_vec();
        assert_eq!(items[0], items[1]);
        assert_eq!(items[2], items[3]);
        assert_eq!(items[4], items[5]);
        // 300 and -6 are not cached in CPython either: one node each.
        assert_ne!(items[6], items[7]);
        assert_ne!(items[9], items[10]);
        assert_eq!(g.value(items[8]).as_i64(), Some(-5));
        assert_eq!(g.value(items[10]).as_i64(), Some(-6));
        assert_eq!(to_vec(&g, &WriteOptions::protocol(2)).unwrap(), data);
    }
}

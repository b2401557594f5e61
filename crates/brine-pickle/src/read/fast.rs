//! The fast loop: the opcodes of plain data (ints, floats, `None`/`True`/`False`, ASCII
//! strings, lists, dicts, tuples, the memo, frames) with the cursor and the stack held in locals.
//!
//! It never reports an error. An opcode it does not know, or one it knows but finds anything
//! unusual in (truncated input, a limit reached, a missing mark or memo entry, a target that is
//! not a fresh list or dict, a string that is not ASCII), is left unread, with nothing changed,
//! for the general dispatch in [`Vm::run`], which runs it (and says what is wrong, at the same
//! offset as always). So the fast loop only decides how quickly the common case runs, never
//! what any pickle means.

use crate::read::vm::{
    is_cached_int, made_atom, memo_op_at, Vm, ATOM_SLOT_OF_ZERO, MEDIUM_TEXT, SHORT_TEXT,
};
use crate::value::{Graph, Items, Node, NodeId, Pairs, Text};

/// `None`, `False`, `True`: their atom slots (see `Vm::atoms`).
const SLOT_NONE: usize = 0;
const SLOT_FALSE: usize = 1;
const SLOT_TRUE: usize = 2;

/// What one opcode did: `Next(n)` read `n` bytes; `Stop(root)` read `STOP`; `Leave` left the
/// opcode to the general dispatch.
enum Step {
    Next(usize),
    Stop(NodeId),
    Leave,
}

use Step::{Leave, Next};

/// The high bit of each of 16 bytes: set in a byte that is not ASCII.
const ASCII_HIGH_BITS: u128 = 0x8080_8080_8080_8080_8080_8080_8080_8080;

/// `true` if the first `len` (at most `N`) bytes of `w` are ASCII: in each 16 bytes, the first
/// byte with its high bit set, if any, comes at or after `len`.
#[inline(always)]
fn is_ascii_prefix<const N: usize>(w: &[u8; N], len: usize) -> bool {
    w.chunks(16).enumerate().all(|(i, chunk)| {
        let word = <[u8; 16]>::try_from(chunk).map_or(u128::MAX, u128::from_le_bytes);
        let first_high = (word & ASCII_HIGH_BITS).trailing_zeros() as usize;
        first_high >= len.saturating_sub(16 * i).min(16) * 8
    })
}

/// The little-endian integer of `N` bytes at `at`, if they are there.
#[inline(always)]
fn le<const N: usize>(data: &[u8], at: usize) -> Option<[u8; N]> {
    data.get(at..at + N)?.try_into().ok()
}

impl Step {
    /// After a number pushed by the opcode at `pos`: the run of numbers that follows, if any
    /// (see [`Vm::fast_number_run`]), in the same step.
    #[inline(always)]
    fn then_numbers(
        self,
        vm: &mut Vm<'_, '_>,
        data: &[u8],
        pos: usize,
        stack: &mut Vec<NodeId>,
    ) -> Step {
        match self {
            Next(n) if data.get(pos + n) == data.get(pos) => {
                Next(n + vm.fast_number_run(data, pos + n, stack))
            }
            step => step,
        }
    }
}

/// Most items of a list of small ints stored by [`Vm::fast_small_int_list`].
const SHORT_LIST: usize = 32;

/// `true` for the opcode of an atom (see [`Vm::fast_atom_run`]).
#[inline(always)]
fn is_atom_op(op: Option<&u8>) -> bool {
    matches!(op, Some(&(b'K' | b'N' | 0x88 | 0x89)))
}

/// How a container opcode gives items to its target: `true` if the target took them.
type Give = fn(&mut Graph, NodeId, &[NodeId]) -> bool;

/// `APPEND(S)`: to a list.
fn to_list(graph: &mut Graph, target: NodeId, items: &[NodeId]) -> bool {
    graph.extend_list(target, items)
}

/// `SETITEM(S)`: key/value pairs, as the first pairs of a dict just made.
fn to_fresh_dict(graph: &mut Graph, target: NodeId, flat: &[NodeId]) -> bool {
    flat.len() % 2 == 0 && graph.fill_fresh_dict(target, flat)
}

impl Vm<'_, '_> {
    /// Runs plain-data opcodes from the current position: `Some(root)` once `STOP` was read,
    /// `None` when the next opcode is for the general dispatch (the position is at it).
    pub(crate) fn run_fast(&mut self) -> Option<NodeId> {
        let data = self.input.data;
        let mut pos = self.input.pos;
        let mut stack = std::mem::take(&mut self.st.stack);
        let root = loop {
            match self.fast_step(data, pos, &mut stack) {
                Next(n) => pos += n,
                Step::Stop(root) => {
                    pos += 1;
                    break Some(root);
                }
                Leave => break None,
            }
        };
        self.input.pos = pos;
        self.st.stack = stack;
        root
    }

    /// One opcode at `pos`, by family.
    #[inline(always)]
    fn fast_step(&mut self, data: &[u8], pos: usize, stack: &mut Vec<NodeId>) -> Step {
        let Some(&op) = data.get(pos) else {
            return Leave;
        };
        match op {
            b'K' => match data.get(pos + 1) {
                Some(&v) => match self.fast_atom(stack, ATOM_SLOT_OF_ZERO + v as usize, 2) {
                    // More of them (a list of small ints): in one loop.
                    Next(2) if data.get(pos + 2) == Some(&b'K') => {
                        Next(2 + self.fast_small_ints(data, pos + 2, stack))
                    }
                    // Atoms of other kinds among them (a dict of small ints to `None`).
                    Next(2) if is_atom_op(data.get(pos + 2)) => {
                        Next(2 + self.fast_atom_run(data, pos + 2, stack))
                    }
                    step => step,
                },
                None => Leave,
            },
            b'M' => match le::<2>(data, pos + 1) {
                Some(b) => self.fast_int(stack, i64::from(u16::from_le_bytes(b)), 3),
                None => Leave,
            }
            .then_numbers(self, data, pos, stack),
            b'J' => match le::<4>(data, pos + 1) {
                Some(b) => self.fast_int(stack, i64::from(i32::from_le_bytes(b)), 5),
                None => Leave,
            }
            .then_numbers(self, data, pos, stack),
            b'N' => match self.fast_atom(stack, SLOT_NONE, 1) {
                // A run of atoms (the `None` values of a dict of small ints): in one loop.
                Next(1) if is_atom_op(data.get(pos + 1)) => {
                    Next(1 + self.fast_atom_run(data, pos + 1, stack))
                }
                step => step,
            },
            0x88 => self.fast_atom(stack, SLOT_TRUE, 1),
            0x89 => self.fast_atom(stack, SLOT_FALSE, 1),
            b'G' => match le::<8>(data, pos + 1) {
                Some(b) => self.fast_new(stack, Node::Float(f64::from_be_bytes(b)), 9),
                None => Leave,
            }
            .then_numbers(self, data, pos, stack),
            0x8c => match data.get(pos + 1) {
                Some(&n) => self.fast_str(data, pos, stack, 2, n as usize),
                None => Leave,
            },
            b'X' => match le::<4>(data, pos + 1) {
                Some(b) => self.fast_str(data, pos, stack, 5, u32::from_le_bytes(b) as usize),
                None => Leave,
            },
            b']' => self.fast_container(data, pos, stack, Node::List(Items::default())),
            b'}' => self.fast_container(data, pos, stack, Node::Dict(Pairs::default())),
            b')' => self.fast_new(stack, Node::Tuple(Items::default()), 1),
            b'(' => self.fast_mark(stack),
            b'e' => self.fast_marked_items(stack, to_list),
            b'a' => self.fast_top_items(stack, 1, to_list),
            b'u' => self.fast_marked_items(stack, to_fresh_dict),
            b's' => self.fast_top_items(stack, 2, to_fresh_dict),
            0x85 => self.fast_tuple_n(stack, 1),
            0x86 => self.fast_tuple_n(stack, 2),
            0x87 => self.fast_tuple_n(stack, 3),
            b't' => self.fast_tuple(stack),
            0x94 => self.fast_put(stack, self.st.memo.len(), 1),
            b'q' => match data.get(pos + 1) {
                Some(&i) => self.fast_put(stack, u64::from(i), 2),
                None => Leave,
            },
            b'r' => match le::<4>(data, pos + 1) {
                Some(b) => self.fast_put(stack, u64::from(u32::from_le_bytes(b)), 5),
                None => Leave,
            },
            b'h' => match data.get(pos + 1) {
                Some(&i) => self.fast_get(stack, u64::from(i), 2),
                None => Leave,
            },
            b'j' => match le::<4>(data, pos + 1) {
                Some(b) => self.fast_get(stack, u64::from(u32::from_le_bytes(b)), 5),
                None => Leave,
            },
            0x95 => self.fast_frame(data, pos),
            0x80 => match data.get(pos + 1) {
                Some(&p) if p <= crate::read::vm::HIGHEST_PROTOCOL => {
                    self.st.proto = p;
                    Next(2)
                }
                _ => Leave,
            },
            b'.' => match stack.len() > self.fence() {
                true => stack.pop().map_or(Leave, Step::Stop),
                false => Leave,
            },
            _ => Leave,
        }
    }

    // --- pushing --------------------------------------------------------------------------------

    /// Pushes `id` if the stack has room; `Next(n)`.
    #[inline(always)]
    fn fast_push(&self, stack: &mut Vec<NodeId>, id: NodeId, n: usize) -> Step {
        if stack.len() >= self.max_stack {
            return Leave;
        }
        stack.push(id);
        Next(n)
    }

    /// Adds `node` and pushes it, if the graph and the stack have room.
    #[inline(always)]
    fn fast_new(&mut self, stack: &mut Vec<NodeId>, node: Node, n: usize) -> Step {
        if self.graph.len() >= self.max_nodes || stack.len() >= self.max_stack {
            return Leave;
        }
        stack.push(self.graph.push(node));
        Next(n)
    }

    /// Pushes the shared node of atom `slot`, made the first time (see `Vm::make_atom`).
    #[inline(always)]
    fn fast_atom(&mut self, stack: &mut Vec<NodeId>, slot: usize, n: usize) -> Step {
        let id = match made_atom(&self.sc.atoms, slot) {
            Some(id) => id,
            None => {
                // (The stack is checked first, so that nothing is made for an opcode left to
                // the general dispatch.)
                if stack.len() >= self.max_stack {
                    return Leave;
                }
                match self.make_atom(slot) {
                    Some(id) => id,
                    None => return Leave,
                }
            }
        };
        self.fast_push(stack, id, n)
    }

    /// The memo opcode CPython writes after each new string and container (`MEMOIZE`, or
    /// `BINPUT`/`LONG_BINPUT` below protocol 4) at `at`, run with it: the bytes it took, 0 if
    /// there is none (or it is left to the dispatch). `id` was just pushed, so it is above any
    /// mark.
    #[inline(always)]
    fn fast_fused_memo(&mut self, data: &[u8], at: usize, id: NodeId) -> usize {
        if data.get(at) == Some(&0x94) {
            // `MEMOIZE`, the commonest (protocol 4+).
            if self.st.memo.len() > self.max_memo_index {
                return 0;
            }
            self.st.memo.put_next(id);
            return 1;
        }
        match memo_op_at(data, at, self.st.memo.len()) {
            Some((idx, n)) if idx <= self.max_memo_index => {
                self.st.memo.put(idx, id);
                n
            }
            _ => 0,
        }
    }

    /// `EMPTY_LIST`/`EMPTY_DICT`, with the memo opcode and the `MARK` that follow a non-empty one.
    #[inline(always)]
    fn fast_container(
        &mut self,
        data: &[u8],
        pos: usize,
        stack: &mut Vec<NodeId>,
        node: Node,
    ) -> Step {
        if self.graph.len() >= self.max_nodes || stack.len() >= self.max_stack {
            return Leave;
        }
        let is_list = matches!(node, Node::List(_));
        let id = self.graph.push(node);
        stack.push(id);
        let n = 1 + self.fast_fused_memo(data, pos + 1, id);
        if data.get(pos + n) == Some(&b'(') && stack.len() + self.st.marks.len() < self.max_stack {
            self.st.marks.push(stack.len());
            // A list of small ints (`BININT1`s and `APPENDS` after the `MARK`): its items
            // straight into it.
            if is_list && data.get(pos + n + 1) == Some(&b'K') {
                let taken = self.fast_small_int_list(data, pos + n + 1, stack);
                return Next(n + 1 + taken);
            }
            return Next(n + 1);
        }
        Next(n)
    }

    /// `MARK`, a run of at most [`SHORT_LIST`] `BININT1` from `pos` whose atoms are all made,
    /// and `APPENDS` onto a list with no items yet (the stack's top, below the mark): the items
    /// stored straight into the list, as `APPENDS` would, without going through the stack (none
    /// is pushed, and the mark is popped). The bytes taken (the run and `APPENDS`), or 0 (nothing
    /// done) when the opcodes or the list are others, an atom is not made yet, or the run is
    /// longer or would not fit on the stack. Out of line and cold, so that the fast loop keeps
    /// its size and shape (not cold, the same instructions ran the 1M-dicts records 7% slower).
    #[cold]
    #[inline(never)]
    fn fast_small_int_list(&mut self, data: &[u8], pos: usize, stack: &[NodeId]) -> usize {
        let atoms = self.sc.atoms.as_slice();
        let (Some(rest), Some(&list)) = (data.get(pos..), stack.last()) else {
            return 0;
        };
        let mut items = [NodeId::from_index(0); SHORT_LIST];
        let mut count = 0;
        for (slot, op) in items.iter_mut().zip(rest.chunks_exact(2)) {
            let &[b'K', v] = op else { break };
            match made_atom(atoms, ATOM_SLOT_OF_ZERO + v as usize) {
                Some(id) => *slot = id,
                None => break,
            }
            count += 1;
        }
        let room = self
            .max_stack
            .saturating_sub(stack.len() + self.st.marks.len());
        let (Some(run), Some(&b'e')) = (items.get(..count), rest.get(2 * count)) else {
            return 0;
        };
        if count == 0 || count > room || !self.graph.fill_fresh_list(list, run) {
            return 0;
        }
        self.st.marks.pop();
        2 * count + 1
    }

    /// A run of atoms (`BININT1`, `NONE`, `NEWTRUE`, `NEWFALSE`) from `pos`, in one loop: the
    /// bytes of those pushed (the rest, from the first whose atom is not made yet or that finds
    /// the stack full, is left to the dispatch). The opcodes are told apart by compares rather
    /// than the dispatch's jump table, so that a regular pattern (`K N K N ...`) is predicted.
    #[inline(never)]
    fn fast_atom_run(&self, data: &[u8], pos: usize, stack: &mut Vec<NodeId>) -> usize {
        // (The table and the limit in registers: the pushes could otherwise be taken to change
        // them, and they would be loaded again for every atom.)
        let (atoms, max_stack) = (self.sc.atoms.as_slice(), self.max_stack);
        let mut at = pos;
        loop {
            let (slot, n) = match data.get(at..) {
                Some(&[b'K', v, ..]) => (ATOM_SLOT_OF_ZERO + v as usize, 2),
                Some(&[b'N', ..]) => (SLOT_NONE, 1),
                Some(&[0x88, ..]) => (SLOT_TRUE, 1),
                Some(&[0x89, ..]) => (SLOT_FALSE, 1),
                _ => break,
            };
            match made_atom(atoms, slot) {
                Some(id) if stack.len() < max_stack => {
                    stack.push(id);
                    at += n;
                }
                _ => break,
            }
        }
        at - pos
    }

    /// A run of `BININT1` from `pos`, in one loop: the bytes of those pushed (the rest, from
    /// the first whose atom is not made yet or that finds the stack full, is left to the
    /// dispatch).
    #[inline(always)]
    fn fast_small_ints(&self, data: &[u8], pos: usize, stack: &mut Vec<NodeId>) -> usize {
        let (atoms, max_stack) = (self.sc.atoms.as_slice(), self.max_stack);
        let mut at = pos;
        while let Some(&[b'K', v]) = data.get(at..at + 2) {
            let slot = ATOM_SLOT_OF_ZERO + v as usize;
            match made_atom(atoms, slot) {
                Some(id) if stack.len() < max_stack => {
                    stack.push(id);
                    at += 2;
                }
                _ => break,
            }
        }
        at - pos
    }

    /// A run of numbers of one kind that each make a node (`BININT` or `BININT2` outside the
    /// cached small ints, or `BINFLOAT`) from `pos`: the bytes of those pushed (the rest, from
    /// the first other opcode, small int, or push past a limit, is left to the dispatch). The
    /// run is measured first, then its nodes and stack entries are stored in one go each.
    #[inline(never)]
    fn fast_number_run(&mut self, data: &[u8], pos: usize, stack: &mut Vec<NodeId>) -> usize {
        // (A small int is an atom, shared rather than made.)
        match data.get(pos) {
            Some(&b'J') => self.number_nodes::<5, 4>(
                data,
                pos,
                stack,
                |a| !is_cached_int(i64::from(i32::from_le_bytes(a))),
                |a| Node::Int(i64::from(i32::from_le_bytes(a))),
            ),
            Some(&b'M') => self.number_nodes::<3, 2>(
                data,
                pos,
                stack,
                |a| !is_cached_int(i64::from(u16::from_le_bytes(a))),
                |a| Node::Int(i64::from(u16::from_le_bytes(a))),
            ),
            Some(&b'G') => self.number_nodes::<9, 8>(
                data,
                pos,
                stack,
                |_| true,
                |a| Node::Float(f64::from_be_bytes(a)),
            ),
            _ => 0,
        }
    }

    /// [`Vm::fast_number_run`] of opcodes of `W` bytes (the opcode and an argument of `A`),
    /// while `makes_node` holds of the argument; `node_of` makes the node.
    #[inline(always)]
    fn number_nodes<const W: usize, const A: usize>(
        &mut self,
        data: &[u8],
        pos: usize,
        stack: &mut Vec<NodeId>,
        makes_node: impl Fn([u8; A]) -> bool,
        node_of: impl Fn([u8; A]) -> Node,
    ) -> usize {
        let (Some(&op), Some(rest)) = (data.get(pos), data.get(pos..)) else {
            return 0;
        };
        let arg =
            |c: &[u8]| -> [u8; A] { c.get(1..).and_then(|a| a.try_into().ok()).unwrap_or([0; A]) };
        let room = (self.max_nodes.saturating_sub(self.graph.len()))
            .min(self.max_stack.saturating_sub(stack.len()));
        let count = rest
            .chunks_exact(W)
            .take(room)
            .take_while(|c| c.first() == Some(&op) && makes_node(arg(c)))
            .count();
        let run = rest.get(..count * W).unwrap_or(&[]);
        let first = self
            .graph
            .push_numbers(run.chunks_exact(W).map(|c| node_of(arg(c))));
        let first = first.index();
        stack.extend((first..first + count).map(NodeId::from_index));
        count * W
    }

    /// An int: a cached small int's atom, or a new node.
    #[inline(always)]
    fn fast_int(&mut self, stack: &mut Vec<NodeId>, v: i64, n: usize) -> Step {
        if is_cached_int(v) {
            return self.fast_atom(stack, (v + ATOM_SLOT_OF_ZERO as i64) as usize, n);
        }
        self.fast_new(stack, Node::Int(v), n)
    }

    /// `SHORT_BINUNICODE`/`BINUNICODE` (`head` bytes of opcode and length) of `len` ASCII bytes.
    #[inline(always)]
    fn fast_str(
        &mut self,
        data: &[u8],
        pos: usize,
        stack: &mut Vec<NodeId>,
        head: usize,
        len: usize,
    ) -> Step {
        let start = pos + head;
        if self.graph.len() >= self.max_nodes || stack.len() >= self.max_stack {
            return Leave;
        }
        // The commonest string: short, copied as a fixed window of the input.
        if len <= SHORT_TEXT {
            if let Some(window) = le::<SHORT_TEXT>(data, start) {
                return self.fast_str_window(data, stack, head, start, &window, len);
            }
        } else if len <= MEDIUM_TEXT {
            if let Some(window) = le::<MEDIUM_TEXT>(data, start) {
                return self.fast_str_window(data, stack, head, start, &window, len);
            }
        }
        match data.get(start..start.saturating_add(len)) {
            Some(raw) if raw.is_ascii() => {
                let text = self.graph.new_text_bytes(raw);
                self.fast_push_str(data, stack, text, start + len, head + len)
            }
            _ => Leave,
        }
    }

    /// Pushes the string `text` just stored and runs the memo opcode at `end` after it: `Next`
    /// of the `taken` bytes up to `end` and those of the memo opcode.
    #[inline(always)]
    fn fast_push_str(
        &mut self,
        data: &[u8],
        stack: &mut Vec<NodeId>,
        text: Text,
        end: usize,
        taken: usize,
    ) -> Step {
        let id = self.graph.push(Node::Str(text));
        stack.push(id);
        Next(taken + self.fast_fused_memo(data, end, id))
    }

    /// A string of `len` ASCII bytes at `start`, copied as the fixed window of the input there.
    #[inline(always)]
    fn fast_str_window<const N: usize>(
        &mut self,
        data: &[u8],
        stack: &mut Vec<NodeId>,
        head: usize,
        start: usize,
        window: &[u8; N],
        len: usize,
    ) -> Step {
        if !is_ascii_prefix(window, len) {
            return Leave;
        }
        let text = self.graph.new_short_text(window, len);
        self.fast_push_str(data, stack, text, start + len, head + len)
    }

    // --- marks and containers -------------------------------------------------------------------

    /// `MARK`.
    #[inline(always)]
    fn fast_mark(&mut self, stack: &[NodeId]) -> Step {
        if stack.len() + self.st.marks.len() >= self.max_stack {
            return Leave;
        }
        self.st.marks.push(stack.len());
        Next(1)
    }

    /// The top mark and the one below it (0 when there is none).
    #[inline(always)]
    fn fast_marks(&self) -> Option<(usize, usize)> {
        let marks = &self.st.marks;
        let mark = *marks.last()?;
        let below = marks.len().checked_sub(2).map_or(0, |i| marks[i]);
        Some((mark, below))
    }

    /// The items from `x` up go to the container just below them, by `give`; `false` (nothing
    /// changed) if there is none or `give` refuses it.
    #[inline(always)]
    fn fast_give(&mut self, stack: &mut Vec<NodeId>, x: usize, give: Give) -> bool {
        let (Some(&target), Some(items)) = (stack.get(x.wrapping_sub(1)), stack.get(x..)) else {
            return false;
        };
        if !give(self.graph, target, items) {
            return false;
        }
        stack.truncate(x);
        true
    }

    /// `APPENDS`/`SETITEMS`: the items above the top mark (the check of CPython's
    /// `do_append`/`do_setitems`, with the mark popped).
    #[inline(always)]
    fn fast_marked_items(&mut self, stack: &mut Vec<NodeId>, give: Give) -> Step {
        match self.fast_marks() {
            Some((mark, below)) if mark <= stack.len() && mark > below => {
                if mark < stack.len() && !self.fast_give(stack, mark, give) {
                    return Leave;
                }
                self.st.marks.pop();
                Next(1)
            }
            _ => Leave,
        }
    }

    /// `APPEND` (`k` = 1) / `SETITEM` (`k` = 2): the top `k` items.
    #[inline(always)]
    fn fast_top_items(&mut self, stack: &mut Vec<NodeId>, k: usize, give: Give) -> Step {
        match stack.len().checked_sub(k) {
            Some(x) if x > self.fence() && self.fast_give(stack, x, give) => Next(1),
            _ => Leave,
        }
    }

    /// A tuple of the stack from `start` up.
    #[inline(always)]
    fn fast_tuple_from(&mut self, stack: &mut Vec<NodeId>, start: usize) -> bool {
        if self.graph.len() >= self.max_nodes {
            return false;
        }
        let Some(items) = stack.get(start..) else {
            return false;
        };
        let items = self.graph.new_items(items);
        stack.truncate(start);
        stack.push(self.graph.push(Node::Tuple(items)));
        true
    }

    /// `TUPLE1`-`TUPLE3`.
    #[inline(always)]
    fn fast_tuple_n(&mut self, stack: &mut Vec<NodeId>, n: usize) -> Step {
        match stack.len().checked_sub(n) {
            Some(start) if start >= self.fence() && self.fast_tuple_from(stack, start) => Next(1),
            _ => Leave,
        }
    }

    /// `TUPLE`.
    #[inline(always)]
    fn fast_tuple(&mut self, stack: &mut Vec<NodeId>) -> Step {
        let Some((mark, below)) = self.fast_marks() else {
            return Leave;
        };
        if mark < below || mark > stack.len() {
            return Leave;
        }
        // (A full stack is left to the general dispatch: the tuple replaces at least nothing.)
        if stack.len() >= self.max_stack || !self.fast_tuple_from(stack, mark) {
            return Leave;
        }
        self.st.marks.pop();
        Next(1)
    }

    // --- memo and frames ------------------------------------------------------------------------

    /// `MEMOIZE`/`BINPUT`/`LONG_BINPUT`: the top of the stack as memo entry `idx`.
    #[inline(always)]
    fn fast_put(&mut self, stack: &[NodeId], idx: u64, n: usize) -> Step {
        match stack.last() {
            Some(&top) if stack.len() > self.fence() && idx <= self.max_memo_index => {
                self.st.memo.put(idx, top);
                Next(n)
            }
            _ => Leave,
        }
    }

    /// `BINGET`/`LONG_BINGET`.
    #[inline(always)]
    fn fast_get(&self, stack: &mut Vec<NodeId>, idx: u64, n: usize) -> Step {
        match self.st.memo.get(idx) {
            Some(id) => self.fast_push(stack, id, n),
            None => Leave,
        }
    }

    /// `FRAME`.
    #[inline(always)]
    fn fast_frame(&mut self, data: &[u8], pos: usize) -> Step {
        let Some(b) = le::<8>(data, pos + 1) else {
            return Leave;
        };
        self.input.pos = pos + 9;
        if self.input.start_frame(u64::from_le_bytes(b)).is_none() {
            self.input.pos = pos;
            return Leave;
        }
        Next(9)
    }
}

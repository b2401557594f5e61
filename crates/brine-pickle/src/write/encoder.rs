//! The pickler proper: CPython's `save()` and friends, run on an explicit work stack.
//!
//! Each [`Task`] is one step of a C function that the pickler would have been in the middle of:
//! `Save` is a call to `save()`, `Items` is a `batch_list`/`batch_dict` loop at some position,
//! `TupleEnd` is the tail of `save_tuple` that decides between `TUPLE` and the recursive
//! `POP_MARK` + `GET`, and so on. Nothing recurses, so a graph nested 10^6 deep writes fine.
//!
//! The memo is keyed by node identity (a `Vec` indexed by node), exactly like CPython's `id()`
//! memo. A few values are one object in CPython whatever the program did, and share a memo entry
//! here by content: `''` and one-character Latin-1 strings, `b''` (and the one-byte bytes the
//! pickler's own reductions make), module
//! names of globals (interned), `'latin1'` (interned: the argument of `_codecs.encode` and any
//! `str` node `'latin1'`), and globals themselves.

use std::cell::Cell;
use std::collections::HashMap;

use crate::compat::to_python2;
use crate::error::{Error, ErrorKind, Result};
use crate::opcodes::Opcode;
use crate::scratch::{self, KEEP_SCRATCH};
use crate::value::{Global, Graph, Node, NodeId, Object, ObjectKind, Text};

use super::out::Out;
use super::scalars::{
    float_repr, long_bytes_big, long_bytes_i64, push_decimal, raw_unicode_escape,
};
use super::{WriteContext, WriteHook};

const BATCHSIZE: usize = 1000;
/// The longest tuple written without `save_tuple`'s machinery (see [`Encoder::is_leaf_tuple`]).
const LEAF_TUPLE: usize = 64;

/// A plain scalar as `save` writes it at protocol 2 and up: its bytes (the opcode, then its
/// argument) as the low bytes of a little-endian word, and how many there are:
/// `BININT1`/`BININT2`/`BININT` (little-endian), `BINFLOAT` (big-endian), `NONE`,
/// `NEWTRUE`/`NEWFALSE`. `None` for any other node (an int past 32 bits included).
#[inline(always)]
fn plain_scalar(node: &Node) -> Option<(u128, usize)> {
    let op = |op: Opcode| u128::from(op as u8);
    // (The commonest two by direct tests, before the others' jump table.)
    if let Node::Int(v) = *node {
        return int_word(v);
    }
    if let Node::None = *node {
        return Some((op(Opcode::None), 1));
    }
    match *node {
        Node::Float(x) => {
            let be = u64::from_le_bytes(x.to_be_bytes());
            Some((op(Opcode::BinFloat) | u128::from(be) << 8, 9))
        }
        Node::Bool(true) => Some((op(Opcode::NewTrue), 1)),
        Node::Bool(false) => Some((op(Opcode::NewFalse), 1)),
        _ => None,
    }
}
/// `true` if node `id` is an int, float, `None` or bool (a cheap test before
/// [`plain_scalar`], which is `Some` for all of them but ints past 32 bits).
#[inline(always)]
fn is_scalar(nodes: &[Node], id: NodeId) -> bool {
    matches!(
        nodes.get(id.index()),
        Some(Node::Int(_) | Node::Float(_) | Node::None | Node::Bool(_))
    )
}

/// [`plain_scalar`] of node `id` (an id out of range is `None`, as [`Graph::get`] has it),
/// with the commonest two, `BININT1` and `NONE`, tested first.
#[inline(always)]
fn scalar_word(nodes: &[Node], id: NodeId) -> Option<(u128, usize)> {
    match nodes.get(id.index()) {
        Some(&Node::Int(v @ 0..=0xff)) => {
            Some((u128::from(Opcode::BinInt1 as u8) | (v as u128) << 8, 2))
        }
        Some(Node::None) | None => Some((u128::from(Opcode::None as u8), 1)),
        Some(&Node::Int(v)) => int_word(v),
        Some(node) => other_scalar(node),
    }
}

/// The int of node `id` if it is one of 0 to 255 (written as `BININT1`).
#[inline(always)]
fn small_int(nodes: &[Node], id: NodeId) -> Option<u8> {
    match nodes.get(id.index()) {
        Some(&Node::Int(v)) => u8::try_from(v).ok(),
        _ => None,
    }
}

/// Writes a run of `BININT` ints or of floats to `out`, as the first of `items` is: how many
/// were written (see [`Out::binint_run`]). Out of line: the small ints' loop of
/// [`Encoder::scalar_list_batches`] stays as tight without it.
#[inline(never)]
fn number_run(out: &mut Out<'_>, nodes: &[Node], items: &[NodeId]) -> usize {
    match items.first().and_then(|item| nodes.get(item.index())) {
        Some(&Node::Int(_)) => out.binint_run(items, |item| binint_arg(nodes, item)),
        Some(&Node::Float(_)) => out.binfloat_run(items, |item| float_value(nodes, item)),
        _ => 0,
    }
}

/// The int of node `id` if it is written as `BININT` (see [`binint_value`]).
#[inline(always)]
fn binint_arg(nodes: &[Node], id: NodeId) -> Option<i32> {
    match nodes.get(id.index()) {
        Some(&Node::Int(v)) => binint_value(v),
        _ => None,
    }
}

/// `v` as the argument of `BININT`, if `save_long` writes it so: outside 0 to 65535 (those take
/// `BININT1`/`BININT2`) and within an `i32` (past it, `LONG1`).
#[inline(always)]
fn binint_value(v: i64) -> Option<i32> {
    match v {
        0..=0xffff => None,
        _ => i32::try_from(v).ok(),
    }
}

/// The float of node `id`, if it is one.
#[inline(always)]
fn float_value(nodes: &[Node], id: NodeId) -> Option<f64> {
    match nodes.get(id.index()) {
        Some(&Node::Float(f)) => Some(f),
        _ => None,
    }
}

/// [`plain_scalar`] of an int.
#[inline(always)]
fn int_word(v: i64) -> Option<(u128, usize)> {
    let op = |op: Opcode| u128::from(op as u8);
    match u32::try_from(v) {
        Ok(u @ 0..=0xff) => Some((op(Opcode::BinInt1) | u128::from(u) << 8, 2)),
        Ok(u @ 0x100..=0xffff) => Some((op(Opcode::BinInt2) | u128::from(u) << 8, 3)),
        _ => {
            let u = binint_value(v)? as u32;
            Some((op(Opcode::BinInt) | u128::from(u) << 8, 5))
        }
    }
}

/// [`plain_scalar`] out of line, for the kinds [`scalar_word`] does not test first (so that
/// its loop tests two kinds rather than jumping by a table).
#[inline(never)]
fn other_scalar(node: &Node) -> Option<(u128, usize)> {
    plain_scalar(node)
}

/// The opcode that ends a tuple of `len` items at protocol `proto`.
#[inline(always)]
fn tuple_opcode(len: u32, proto: u8) -> Opcode {
    match len {
        0 if proto >= 1 => Opcode::EmptyTuple,
        1 if proto >= 2 => Opcode::Tuple1,
        2 if proto >= 2 => Opcode::Tuple2,
        3 if proto >= 2 => Opcode::Tuple3,
        _ => Opcode::Tuple,
    }
}

/// How many containers deep [`Encoder::push_items`] runs item loops by direct call.
/// (Fewer in builds without optimizations, whose frames are many times larger: 32 loops deep
/// would overflow a 2 MiB thread stack there.)
const MAX_INLINE_DEPTH: u32 = if cfg!(debug_assertions) { 6 } else { 32 };

/// The functions of CPython 3.11's `builtins` module (sorted): their `__module__` is a different
/// `'builtins'` object from the one of the builtin types, so the pickler memoizes it separately.
const BUILTIN_FUNCTIONS: [&str; 44] = [
    "__build_class__",
    "__import__",
    "abs",
    "aiter",
    "all",
    "anext",
    "any",
    "ascii",
    "bin",
    "breakpoint",
    "callable",
    "chr",
    "compile",
    "delattr",
    "dir",
    "divmod",
    "eval",
    "exec",
    "format",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "hex",
    "id",
    "input",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "locals",
    "max",
    "min",
    "next",
    "oct",
    "ord",
    "pow",
    "print",
    "repr",
    "round",
    "setattr",
    "sorted",
    "sum",
    "vars",
];
const NOT_MEMOIZED: u32 = u32::MAX;

/// Globals the pickler names on its own (reductions of builtins at low protocols).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Builtin {
    CodecsEncode,
    Bytes,
    ByteArray,
    Set,
    FrozenSet,
    Complex,
    Getattr,
    NewObj,
    NewObjEx,
}

impl Builtin {
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Builtin::CodecsEncode => ("_codecs", "encode"),
            Builtin::Bytes => ("builtins", "bytes"),
            Builtin::ByteArray => ("builtins", "bytearray"),
            Builtin::Set => ("builtins", "set"),
            Builtin::FrozenSet => ("builtins", "frozenset"),
            Builtin::Complex => ("builtins", "complex"),
            Builtin::Getattr => ("builtins", "getattr"),
            Builtin::NewObj => ("copyreg", "__newobj__"),
            Builtin::NewObjEx => ("copyreg", "__newobj_ex__"),
        }
    }
}

/// How the items of a container are fed to the unpickler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Items {
    /// Items pushed one after the other (tuple, frozenset, `OBJ`/`INST` arguments).
    Plain,
    /// A `list` (C: `batch_list_exact`), also the fresh list of a set/frozenset reduction.
    List,
    /// A `dict` (C: `batch_dict_exact`).
    Dict,
    /// A `set` at protocol 4+ (C: `save_set`).
    Set,
    /// `list_items` of an inert object (`batch_list` over an iterator).
    ObjList,
    /// `dict_items` of an inert object (`batch_dict` over an iterator).
    ObjDict,
    /// The arguments of an `Instance` object.
    ObjArgs,
}

/// The batching rule of one `Items` walk.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Batching {
    /// No opcodes between items.
    None,
    /// Protocol 0: the single opcode after every item.
    Each,
    /// `batch_*_exact`: a lone item gets the single opcode; otherwise batches of `MARK ... op`.
    /// With `trailing`, a length that is a multiple of 1000 gets an extra empty batch.
    Exact { trailing: bool },
    /// `save_set` (C): batches of `MARK ... ADDITEMS`, an empty one after a multiple of 1000.
    SetC,
    /// `batch_list`/`batch_dict` over an iterator: a last batch of one item gets the single opcode.
    Iter,
    /// pickle.py's `save_set`: batches of `MARK ... ADDITEMS`, never empty.
    SetPy,
}

#[derive(Clone, Copy, Debug)]
enum GlobalRef {
    Builtin(Builtin),
    /// Global node `node`, its name cut at byte `end` (a dotted parent, or the whole name).
    Node {
        node: NodeId,
        end: u32,
    },
}

#[derive(Clone, Copy, Debug)]
enum Task {
    Save(NodeId),
    Global(GlobalRef),
    /// `REDUCE` of the `getattr(parent, name)` form of a dotted global, then its memo entry.
    GlobalEnd(GlobalRef),
    EmptyTuple,
    /// Start of a tuple the pickler makes up: boundary, and `MARK` unless `TUPLE1-3` will close it.
    FreshTupleStart(u32),
    FreshTupleEnd(u32),
    /// A fresh list holding the items of a set/frozenset node (its reduction below protocol 4).
    FreshList(NodeId),
    /// The bytes of a node as a fresh `bytes` object (a `bytearray` reduction).
    FreshBytes(NodeId),
    /// `REDUCE` that makes a fresh `bytes` (protocols 0-2), memoized; `single` is its byte if one long.
    FreshReduceEnd {
        single: u16,
    },
    /// The data of a bytes-like node decoded as Latin-1, as a fresh `str`.
    Latin1Str(NodeId),
    /// The interned `'latin1'`.
    Latin1Name,
    /// The last component of a dotted global's name, as a fresh `str`.
    NameTail {
        node: NodeId,
        start: u32,
    },
    Float(f64),
    TupleEnd {
        node: NodeId,
        len: u32,
    },
    FrozenEnd(NodeId),
    /// The call opcode of a reduction of `node`, then its memo entry (or `POP` + `GET`).
    CallEnd {
        node: NodeId,
        op: Opcode,
        busy: bool,
    },
    /// `INST module name` (protocol 0), then the memo entry.
    InstEnd(NodeId),
    PersEnd(NodeId),
    Items {
        node: NodeId,
        pos: u32,
        kind: Items,
    },
    Build(NodeId),
}

/// The memo entries of `''`/`b''` (key 256) and of one-character strings and bytes (by code),
/// which CPython keeps one object of. Most values have a few of them: they start as a short list,
/// and become two full tables (2 KiB to set up) only past [`FEW_SINGLES`] entries.
enum Singles {
    Few(Vec<(Single, u16, u32)>),
    Tables {
        str1: Box<[u32; 257]>,
        bytes1: Box<[u32; 257]>,
    },
}

/// Entries kept as a list before [`Singles`] switches to tables.
const FEW_SINGLES: usize = 16;

impl Single {
    /// The table of this kind among `str1` and `bytes1`.
    fn pick<T>(self, str1: T, bytes1: T) -> T {
        match self {
            Single::Str => str1,
            Single::Bytes => bytes1,
        }
    }
}

impl Singles {
    fn get(&self, kind: Single, k: usize) -> u32 {
        match self {
            Singles::Few(list) => list
                .iter()
                .find(|&&(kd, key, _)| kd == kind && usize::from(key) == k)
                .map_or(NOT_MEMOIZED, |&(_, _, idx)| idx),
            Singles::Tables { str1, bytes1 } => kind
                .pick(str1, bytes1)
                .get(k)
                .copied()
                .unwrap_or(NOT_MEMOIZED),
        }
    }

    fn set(&mut self, kind: Single, k: usize, idx: u32) {
        let Ok(key) = u16::try_from(k) else { return };
        if let Singles::Few(list) = self {
            if let Some(entry) = list.iter_mut().find(|e| e.0 == kind && e.1 == key) {
                entry.2 = idx;
                return;
            }
            if list.len() < FEW_SINGLES {
                list.push((kind, key, idx));
                return;
            }
            let mut str1 = Box::new([NOT_MEMOIZED; 257]);
            let mut bytes1 = Box::new([NOT_MEMOIZED; 257]);
            for &(kd, key, idx) in list.iter() {
                if let Some(slot) = kd.pick(&mut str1, &mut bytes1).get_mut(usize::from(key)) {
                    *slot = idx;
                }
            }
            *self = Singles::Tables { str1, bytes1 };
        }
        if let Singles::Tables { str1, bytes1 } = self {
            if let Some(slot) = kind.pick(str1, bytes1).get_mut(k) {
                *slot = idx;
            }
        }
    }
}

/// The memo entries of globals written so far, by content: module names (protocol 4+) and
/// `(module, name)` pairs.
#[derive(Default)]
struct GlobalMemo {
    modules: HashMap<Box<str>, u32>,
    globals: HashMap<(Box<str>, Box<str>), u32>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Single {
    Str,
    Bytes,
}

fn unpicklable(msg: impl Into<String>) -> Error {
    Error::without_position(ErrorKind::Unpicklable(msg.into()))
}

/// The key of a value CPython keeps as one object: `''` (256) or a one-character Latin-1 string.
#[inline]
fn str_singleton(bytes: &[u8]) -> Option<usize> {
    if bytes.len() > 2 {
        return None;
    }
    match bytes {
        [] => Some(256),
        [b] if *b < 0x80 => Some(*b as usize),
        [0xC2, b] => Some(*b as usize),
        [0xC3, b] => Some(*b as usize + 0x40),
        _ => None,
    }
}

/// The key of a `bytes` node CPython keeps as one object: only `b''` (256). A one-byte `bytes` is
/// a singleton only when CPython made it from a C buffer (`bytes(bytearray)` in a reduction, see
/// [`bytes_singleton`]); one that `BINBYTES` loaded, or a literal, is an object of its own.
fn node_bytes_singleton(bytes: &[u8]) -> Option<usize> {
    match bytes {
        [] => Some(256),
        _ => None,
    }
}

/// The key of a `bytes` CPython's reductions create (`PyBytes_FromStringAndSize`): `b''` (256) or
/// the cached one-byte object.
fn bytes_singleton(bytes: &[u8]) -> Option<usize> {
    match bytes {
        [] => Some(256),
        [b] => Some(*b as usize),
        _ => None,
    }
}

/// The bytes of a bytes-like node.
fn data_of(node: &Node) -> &[u8] {
    match node {
        Node::Bytes(b) => b,
        Node::ByteArray(b) => b,
        Node::Buffer(buf) => buf.data.as_deref().unwrap_or(&[]),
        _ => &[],
    }
}

/// The writer's work vectors (memo, tuple marks, task stack), kept per thread between writes:
/// for a small pickle, making and freeing them would cost a good part of the writing. Vectors
/// that grew past [`KEEP_SCRATCH`] entries are freed instead.
#[derive(Default)]
struct Scratch {
    memo: Vec<u32>,
    busy: Vec<u8>,
    stack: Vec<Task>,
    /// The list of [`Singles::Few`].
    singles: Vec<(Single, u16, u32)>,
}

thread_local! {
    static SCRATCH: Cell<Option<Box<Scratch>>> = const { Cell::new(None) };
}

impl Scratch {
    /// The thread's scratch vectors (see [`scratch::take`]).
    fn take() -> Box<Scratch> {
        scratch::take(&SCRATCH)
    }

    /// Keeps the vectors for the next write, unless they grew large.
    fn give_back(mut self: Box<Scratch>) {
        let capacities = [
            self.memo.capacity(),
            self.busy.capacity(),
            self.stack.capacity(),
        ];
        if !scratch::worth_keeping(&capacities) {
            return;
        }
        self.memo.clear();
        // (`busy` comes back all zeros, see `Encoder::finish`: it keeps its length, so that the
        // next write need not zero it again.)
        self.stack.clear();
        self.singles.clear();
        scratch::keep(&SCRATCH, self);
    }
}

pub(crate) struct Encoder<'g, 's, H: WriteHook> {
    graph: &'g Graph,
    pub(crate) out: Out<'s>,
    proto: u8,
    fix_imports: bool,
    python_batching: bool,
    /// Lists and dicts take the C pickler's direct item loops at protocol 2 and up (see
    /// [`Encoder::list_items`]).
    exact: bool,
    /// Memo index + 1 of each node, 0 when not memoized (zeroed memory: pages are only touched
    /// for nodes that get memoized).
    memo: Vec<u32>,
    /// How many times each node is being written before it is memoized (see
    /// [`Encoder::enter`]); allocated when the first tuple, frozenset or call is entered.
    busy: Vec<u8>,
    /// The sum of `busy`: 0 once every node entered was left.
    entered: u32,
    memo_len: u32,
    /// Memo entries of the strings and bytes CPython keeps one object of.
    singles: Singles,
    latin1: u32,
    /// Memo entries of modules and globals, made when the first global is written.
    globals: Option<Box<GlobalMemo>>,
    stack: Vec<Task>,
    /// Item loops running by direct call (see [`Encoder::push_items`]).
    inline_depth: u32,
    scratch: Vec<u8>,
    /// The thread's scratch vectors, lent to `memo`, `busy` and `stack` while this writer runs.
    lent: Option<Box<Scratch>>,
    hook: H,
}

impl<'g, 's, H: WriteHook> Encoder<'g, 's, H> {
    #[inline(always)]
    pub(crate) fn new(
        graph: &'g Graph,
        out: Out<'s>,
        proto: u8,
        fix_imports: bool,
        python_batching: bool,
        hook: H,
    ) -> Self {
        let mut lent = Scratch::take();
        let memo = if graph.len() <= KEEP_SCRATCH {
            let mut memo = std::mem::take(&mut lent.memo);
            memo.resize(graph.len(), 0);
            memo
        } else {
            // (Zeroed memory from the system: pages are only touched for nodes memoized.)
            vec![0; graph.len()]
        };
        Encoder {
            graph,
            out,
            proto,
            fix_imports,
            python_batching,
            exact: proto >= 2 && !python_batching,
            memo,
            busy: std::mem::take(&mut lent.busy),
            memo_len: 0,
            singles: Singles::Few(std::mem::take(&mut lent.singles)),
            latin1: NOT_MEMOIZED,
            globals: None,
            stack: std::mem::take(&mut lent.stack),
            inline_depth: 0,
            entered: 0,
            scratch: Vec::new(),
            lent: Some(lent),
            hook,
        }
    }

    /// Ends the write: the work vectors go back to the thread for the next one, and the output
    /// is finished (its last frame committed) and returned. (By reference: moving the encoder
    /// out would copy all of it, a cost a small pickle notices.)
    pub(crate) fn finish(&mut self) -> Result<Vec<u8>> {
        if let Some(mut lent) = self.lent.take() {
            lent.memo = std::mem::take(&mut self.memo);
            if self.entered != 0 {
                // (Not all zeros: zeroed again by the next write.)
                self.busy.clear();
            }
            lent.busy = std::mem::take(&mut self.busy);
            lent.stack = std::mem::take(&mut self.stack);
            if let Singles::Few(list) = &mut self.singles {
                lent.singles = std::mem::take(list);
            }
            lent.give_back();
        }
        self.out.finish()
    }

    /// `dump()`: `PROTO`, the value, `STOP`, the last frame.
    pub(crate) fn dump(&mut self, root: NodeId) -> Result<()> {
        if self.proto >= 2 {
            self.out.op_arg(Opcode::Proto, u64::from(self.proto), 2);
            if self.proto >= 4 {
                self.out.start_framing();
            }
        }
        self.save(root)?;
        while let Some(task) = self.stack.pop() {
            self.step(task)?;
        }
        self.out.op(Opcode::Stop);
        self.out.commit_frame()
    }

    #[inline]
    fn node(&self, id: NodeId) -> &'g Node {
        self.graph.get(id)
    }

    // --- memo --------------------------------------------------------------------------------

    /// `memo_put` of a new object: the next index, `MEMOIZE`/`PUT`/`BINPUT`/`LONG_BINPUT`.
    #[inline(always)]
    fn put(&mut self) -> Result<u32> {
        match self.put_word() {
            Some((word, len)) => {
                self.out.short(u128::from(word), len);
                Ok(self.took_put())
            }
            None => self.put_slow(),
        }
    }

    /// The memo opcode [`Encoder::put`] writes for the next new object, as the little-endian
    /// bytes of a word and their count: `MEMOIZE`, `BINPUT` or `LONG_BINPUT`. `None` at
    /// protocol 0 or when the memo is full (left to `put`). Taken by [`Encoder::took_put`].
    #[inline(always)]
    fn put_word(&self) -> Option<(u64, usize)> {
        let idx = self.memo_len;
        if idx == NOT_MEMOIZED || self.proto == 0 {
            return None;
        }
        Some(if self.proto >= 4 {
            (Opcode::Memoize as u64, 1)
        } else if idx < 256 {
            (Opcode::BinPut as u64 | u64::from(idx) << 8, 2)
        } else {
            (Opcode::LongBinPut as u64 | u64::from(idx) << 8, 5)
        })
    }

    /// The memo index of the entry whose opcode ([`Encoder::put_word`]) was just written.
    #[inline(always)]
    fn took_put(&mut self) -> u32 {
        let idx = self.memo_len;
        self.memo_len += 1;
        idx
    }

    /// Opcode `op` (a new object) and its memo entry, in one write (see [`Encoder::put`]).
    #[inline(always)]
    fn op_put(&mut self, op: Opcode) -> Result<u32> {
        match self.put_word() {
            Some((word, len)) => {
                self.out.op_arg(op, word, 1 + len);
                Ok(self.took_put())
            }
            None => {
                self.out.op(op);
                self.put()
            }
        }
    }

    /// `put` when the memo is full (an error), or at protocol 0 (`PUT` with the index as text).
    #[inline(never)]
    fn put_slow(&mut self) -> Result<u32> {
        let idx = self.memo_len;
        if idx == NOT_MEMOIZED {
            return Err(unpicklable("more than 2^32-1 memoized objects"));
        }
        self.memo_len += 1;
        self.decimal_op(Opcode::Put, i64::from(idx), b"\n");
        Ok(idx)
    }

    /// A text opcode of protocol 0: `op`, `v` in decimal, then `end` (`PUT`, `GET`, `INT`, `LONG`).
    fn decimal_op(&mut self, op: Opcode, v: i64, end: &[u8]) {
        self.scratch.clear();
        self.scratch.push(op as u8);
        push_decimal(&mut self.scratch, v);
        self.scratch.extend_from_slice(end);
        self.out.bytes(&self.scratch);
    }

    /// `memo_put` of a node; also records it as the shared object for its content, if any.
    #[inline(always)]
    fn put_node(&mut self, id: NodeId) -> Result<u32> {
        let idx = self.put()?;
        self.set_memo(id, idx);
        // (A `str` node is memoized by `save_str`, which records its shared entries itself.)
        if let Node::Bytes(b) = self.node(id) {
            if let Some(k) = node_bytes_singleton(b) {
                self.set_single(Single::Bytes, k, idx);
            }
        }
        Ok(idx)
    }

    /// `memo_get`.
    #[inline(always)]
    fn get(&mut self, idx: u32) {
        if self.proto >= 1 && idx < 256 {
            self.out.op_arg(Opcode::BinGet, u64::from(idx), 2);
        } else {
            self.get_slow(idx);
        }
    }

    /// `memo_get` as text (protocol 0) or of an index past 255 (`LONG_BINGET`).
    #[inline(never)]
    fn get_slow(&mut self, idx: u32) {
        if self.proto == 0 {
            self.decimal_op(Opcode::Get, i64::from(idx), b"\n");
        } else {
            self.out.op_arg(Opcode::LongBinGet, u64::from(idx), 5);
        }
    }

    /// The memo entry of the shared string or bytes object `k` (see [`Singles`]).
    #[inline]
    fn single(&self, kind: Single, k: usize) -> u32 {
        self.singles.get(kind, k)
    }

    fn set_single(&mut self, kind: Single, k: usize, idx: u32) {
        self.singles.set(kind, k, idx);
    }

    #[inline]
    fn memo_of(&self, id: NodeId) -> u32 {
        match self.memo.get(id.index()) {
            Some(&slot) if slot != 0 => slot - 1,
            _ => NOT_MEMOIZED,
        }
    }

    /// Records that node `id` is memo entry `idx` (never `NOT_MEMOIZED`: `put` stops before).
    #[inline]
    fn set_memo(&mut self, id: NodeId, idx: u32) {
        if let Some(slot) = self.memo.get_mut(id.index()) {
            *slot = idx.wrapping_add(1);
        }
    }

    /// Marks `id` as being written before it is memoized; a third nested entry means a cycle that
    /// CPython would recurse on forever (only tuples, frozensets, reductions between).
    fn enter(&mut self, id: NodeId) -> Result<()> {
        if self.busy.len() < self.graph.len() {
            self.busy.resize(self.graph.len(), 0);
        }
        if let Some(b) = self.busy.get_mut(id.index()) {
            if *b >= 2 {
                return Err(unpicklable(
                    "a cycle through tuples, frozensets or call arguments only (CPython recurses forever)",
                ));
            }
            *b += 1;
            self.entered += 1;
        }
        Ok(())
    }

    fn leave(&mut self, id: NodeId) {
        if let Some(b) = self.busy.get_mut(id.index()) {
            if *b > 0 {
                *b -= 1;
                self.entered -= 1;
            }
        }
    }

    // --- the dispatcher ----------------------------------------------------------------------

    fn step(&mut self, task: Task) -> Result<()> {
        match task {
            Task::Save(id) => self.save(id),
            Task::Global(g) => self.save_global(g),
            Task::GlobalEnd(g) => {
                self.out.op(Opcode::Reduce);
                self.global_memoized(g)
            }
            Task::EmptyTuple => {
                self.out.boundary()?;
                self.empty_tuple();
                Ok(())
            }
            Task::FreshTupleStart(len) => {
                self.out.boundary()?;
                if !(self.proto >= 2 && len <= 3) {
                    self.out.op(Opcode::Mark);
                }
                Ok(())
            }
            Task::FreshTupleEnd(len) => self.op_put(tuple_opcode(len, self.proto)).map(drop),
            Task::FreshList(id) => {
                self.out.boundary()?;
                self.list_header();
                self.put()?;
                self.push_items(id, Items::List)
            }
            Task::FreshBytes(id) => self.fresh_bytes(id),
            Task::FreshReduceEnd { single } => {
                self.out.op(Opcode::Reduce);
                let idx = self.put()?;
                self.set_single(Single::Bytes, single as usize, idx);
                Ok(())
            }
            Task::Latin1Str(id) => self.latin1_str(id),
            Task::Latin1Name => {
                self.out.boundary()?;
                if self.latin1 != NOT_MEMOIZED {
                    self.get(self.latin1);
                } else {
                    self.write_str(b"latin1", || "latin1".bytes().map(u32::from))?;
                    self.latin1 = self.put()?;
                }
                Ok(())
            }
            Task::NameTail { node, start } => {
                self.out.boundary()?;
                let name = match self.node(node) {
                    Node::Global(g) => g.name.get(start as usize..).unwrap_or(""),
                    _ => "",
                };
                self.write_str(name.as_bytes(), || name.chars().map(u32::from))?;
                self.put().map(drop)
            }
            Task::Float(x) => {
                self.out.boundary()?;
                self.float(x);
                Ok(())
            }
            Task::TupleEnd { node, len } => self.tuple_end(node, len),
            Task::FrozenEnd(node) => {
                self.leave(node);
                let idx = self.memo_of(node);
                if idx != NOT_MEMOIZED {
                    self.out.op(Opcode::PopMark);
                    self.get(idx);
                    return Ok(());
                }
                self.out.op(Opcode::FrozenSet);
                self.put_node(node).map(drop)
            }
            Task::CallEnd { node, op, busy } => {
                if busy {
                    self.leave(node);
                }
                self.out.op(op);
                self.after_call(node)
            }
            Task::InstEnd(node) => {
                self.leave(node);
                self.inst_text(node)?;
                self.after_call(node)
            }
            Task::PersEnd(node) => {
                self.leave(node);
                self.out.op(Opcode::BinPersId);
                Ok(())
            }
            Task::Items { node, pos, kind } => self.items(node, pos as usize, kind),
            Task::Build(node) => {
                self.out.op(Opcode::Build);
                let mut cx = WriteContext {
                    out: &mut self.out,
                    graph: self.graph,
                    protocol: self.proto,
                };
                self.hook.after_build(&mut cx, node)?;
                // (A hook that ended the frame left it closed while it wrote.)
                self.out.reopen();
                Ok(())
            }
        }
    }

    /// The tail of `save_reduce` once the call opcode is out: the recursive `POP` + `GET`, or the
    /// memo entry followed by an inert object's items and state.
    fn after_call(&mut self, node: NodeId) -> Result<()> {
        let idx = self.memo_of(node);
        if idx != NOT_MEMOIZED {
            self.out.op(Opcode::Pop);
            self.get(idx);
            return Ok(());
        }
        self.put_node(node)?;
        if let Node::Object(obj) = self.node(node) {
            if let Some(state) = obj.state {
                self.stack.push(Task::Build(node));
                self.stack.push(Task::Save(state));
            }
            if !obj.dict_items.is_empty() {
                self.stack.push(Task::Items {
                    node,
                    pos: 0,
                    kind: Items::ObjDict,
                });
            }
            if !obj.list_items.is_empty() {
                self.stack.push(Task::Items {
                    node,
                    pos: 0,
                    kind: Items::ObjList,
                });
            }
        }
        Ok(())
    }

    // --- save() ------------------------------------------------------------------------------

    fn save(&mut self, id: NodeId) -> Result<()> {
        self.out.boundary()?;
        let node = self.node(id);
        match node {
            Node::None => {
                self.out.op(Opcode::None);
                return Ok(());
            }
            Node::Bool(b) => {
                self.bool(*b);
                return Ok(());
            }
            Node::Int(v) => {
                self.int(*v);
                return Ok(());
            }
            Node::Float(x) => {
                self.float(*x);
                return Ok(());
            }
            Node::BigInt(_) | Node::PersistentId(_) => return self.save_other(id, node),
            _ => {}
        }
        let idx = self.memo_of(id);
        if idx != NOT_MEMOIZED {
            self.get(idx);
            return Ok(());
        }
        match node {
            Node::Str(s) => self.save_str(id, *s),
            Node::List(_) | Node::Dict(_) if self.exact => self.exact_container(id, node),
            Node::List(_) => {
                self.list_header();
                self.put_node(id)?;
                self.push_items(id, Items::List)
            }
            Node::Dict(_) => {
                if self.proto >= 1 {
                    self.out.op(Opcode::EmptyDict);
                } else {
                    self.out.bytes(&[Opcode::Mark as u8, Opcode::Dict as u8]);
                }
                self.put_node(id)?;
                self.push_items(id, Items::Dict)
            }
            Node::Tuple(items) => {
                let seq = self.graph.items(*items);
                if self.exact && self.is_leaf_tuple(seq) {
                    return self.leaf_tuple(id, seq);
                }
                self.save_tuple(id, seq)
            }
            _ => self.save_other(id, node),
        }
    }

    /// `save_tuple` by the task machinery: its items may lead back to it. (At protocol 2 and up
    /// with C batching, the items are written as [`Encoder::exact_item`] writes list items.)
    fn save_tuple(&mut self, id: NodeId, seq: &'g [NodeId]) -> Result<()> {
        let len = seq.len();
        if len == 0 {
            self.empty_tuple();
            return Ok(());
        }
        let len = u32::try_from(len).map_err(|_| unpicklable("tuple too long"))?;
        self.enter(id)?;
        if !(self.proto >= 2 && len <= 3) {
            self.out.op(Opcode::Mark);
        }
        let depth = self.stack.len();
        if self.exact {
            self.items_inline(id, Items::Plain, |enc| enc.tuple_items(id, seq))?;
        } else {
            self.push_items(id, Items::Plain)?;
        }
        if self.stack.len() == depth {
            // Every item written: the end right away.
            return self.tuple_end(id, len);
        }
        // Items left as work: the end after them (below them on the stack).
        self.stack.insert(depth, Task::TupleEnd { node: id, len });
        Ok(())
    }

    /// The end of tuple `id` of `len` items (`Task::TupleEnd`): `TUPLE*` and its memo entry, or,
    /// when writing its items memoized the tuple (a cycle through a list or dict), its items
    /// popped and the memo entry fetched, as CPython's `save_tuple` does.
    fn tuple_end(&mut self, node: NodeId, len: u32) -> Result<()> {
        self.leave(node);
        let idx = self.memo_of(node);
        if idx != NOT_MEMOIZED {
            if self.proto >= 2 && len <= 3 {
                for _ in 0..len {
                    self.out.op(Opcode::Pop);
                }
            } else if self.proto >= 1 {
                self.out.op(Opcode::PopMark);
            } else {
                for _ in 0..=len {
                    self.out.op(Opcode::Pop);
                }
            }
            self.get(idx);
            return Ok(());
        }
        self.tuple_op(len);
        self.put_node(node).map(drop)
    }

    /// The items of tuple `id` by direct call, until one schedules work (the loop's next step
    /// is then scheduled after it, as for a list).
    fn tuple_items(&mut self, id: NodeId, seq: &'g [NodeId]) -> Result<()> {
        let nodes = self.graph.nodes();
        for (i, &item) in seq.iter().enumerate() {
            if !self.exact_item(nodes, item, id, i, Items::Plain)? {
                break;
            }
        }
        Ok(())
    }

    /// `true` for a tuple of 1 to [`LEAF_TUPLE`] items that are all plain scalars or strings:
    /// nothing in it can lead back to it, so it needs none of `save_tuple`'s machinery.
    #[inline]
    fn is_leaf_tuple(&self, seq: &[NodeId]) -> bool {
        let nodes = self.graph.nodes();
        (1..=LEAF_TUPLE).contains(&seq.len())
            && seq.iter().all(|&item| match nodes.get(item.index()) {
                Some(node) => matches!(node, Node::Str(_)) || plain_scalar(node).is_some(),
                None => false,
            })
    }

    /// `save_tuple` of a tuple that [`Encoder::is_leaf_tuple`] accepts (protocol 2 and up):
    /// `MARK` past 3 items, the items, `TUPLE1`-`TUPLE3` or `TUPLE`, the memo entry.
    fn leaf_tuple(&mut self, id: NodeId, seq: &'g [NodeId]) -> Result<()> {
        let nodes = self.graph.nodes();
        if seq.len() > 3 {
            self.out.op(Opcode::Mark);
        }
        for &item in seq {
            self.exact_leaf(nodes, item)?;
        }
        let idx = self.op_put(tuple_opcode(seq.len() as u32, self.proto))?;
        self.set_memo(id, idx);
        Ok(())
    }

    /// The rest of `save`: values other than atoms, strings, lists, dicts and tuples (for those,
    /// the memo was checked).
    #[inline(never)]
    fn save_other(&mut self, id: NodeId, node: &'g Node) -> Result<()> {
        match node {
            Node::BigInt(v) => self.bigint(v),
            Node::PersistentId(pid) => self.persistent_id(id, *pid),
            Node::Bytes(b) => {
                if let Some(k) = node_bytes_singleton(b) {
                    let shared = self.single(Single::Bytes, k);
                    if shared != NOT_MEMOIZED {
                        self.set_memo(id, shared);
                        self.get(shared);
                        return Ok(());
                    }
                }
                if self.proto >= 3 {
                    self.bytes_data(b)?;
                    self.put_node(id).map(drop)
                } else {
                    self.push_bytes_reduce(id, b.is_empty());
                    Ok(())
                }
            }
            Node::ByteArray(b) => {
                if self.proto >= 5 {
                    self.bytearray_data(b)?;
                    self.put_node(id).map(drop)
                } else {
                    self.stack.push(Task::CallEnd {
                        node: id,
                        op: Opcode::Reduce,
                        busy: false,
                    });
                    if b.is_empty() {
                        self.stack.push(Task::EmptyTuple);
                    } else {
                        self.stack.push(Task::FreshTupleEnd(1));
                        self.stack.push(Task::FreshBytes(id));
                        self.stack.push(Task::FreshTupleStart(1));
                    }
                    self.stack
                        .push(Task::Global(GlobalRef::Builtin(Builtin::ByteArray)));
                    Ok(())
                }
            }
            Node::Complex(c) => {
                let (re, im) = (c.re, c.im);
                self.stack.push(Task::CallEnd {
                    node: id,
                    op: Opcode::Reduce,
                    busy: false,
                });
                self.stack.push(Task::FreshTupleEnd(2));
                self.stack.push(Task::Float(im));
                self.stack.push(Task::Float(re));
                self.stack.push(Task::FreshTupleStart(2));
                self.stack
                    .push(Task::Global(GlobalRef::Builtin(Builtin::Complex)));
                Ok(())
            }
            Node::Set(_) | Node::FrozenSet(_) if self.proto < 4 => {
                let frozen = matches!(node, Node::FrozenSet(_));
                self.enter(id)?;
                self.stack.push(Task::CallEnd {
                    node: id,
                    op: Opcode::Reduce,
                    busy: true,
                });
                self.stack.push(Task::FreshTupleEnd(1));
                self.stack.push(Task::FreshList(id));
                self.stack.push(Task::FreshTupleStart(1));
                let b = if frozen {
                    Builtin::FrozenSet
                } else {
                    Builtin::Set
                };
                self.stack.push(Task::Global(GlobalRef::Builtin(b)));
                Ok(())
            }
            Node::Set(_) => {
                self.out.op(Opcode::EmptySet);
                self.put_node(id)?;
                self.push_items(id, Items::Set)
            }
            Node::FrozenSet(_) => {
                self.enter(id)?;
                self.out.op(Opcode::Mark);
                self.stack.push(Task::FrozenEnd(id));
                let depth = self.stack.len();
                self.push_items(id, Items::Plain)?;
                self.finish_inline(depth)
            }
            Node::Global(g) => {
                let end =
                    u32::try_from(g.name.len()).map_err(|_| unpicklable("global name too long"))?;
                self.save_global(GlobalRef::Node { node: id, end })
            }
            Node::Object(obj) => self.object(id, obj),
            Node::Extension(code) => self.extension(*code),
            Node::Buffer(buf) => {
                if self.proto < 5 {
                    return Err(unpicklable(
                        "PickleBuffer can only be pickled with protocol >= 5",
                    ));
                }
                match &buf.data {
                    // A read-only view of a supplied (writable) buffer: the bytearray, then
                    // READONLY_BUFFER, which CPython loads as the same read-only memoryview.
                    Some(data) if buf.readonly => {
                        self.bytearray_data(data)?;
                        self.out.op(Opcode::ReadonlyBuffer);
                        self.put_node(id).map(drop)
                    }
                    Some(data) => {
                        self.bytearray_data(data)?;
                        self.put_node(id).map(drop)
                    }
                    None => {
                        self.out.op(Opcode::NextBuffer);
                        if buf.readonly {
                            self.out.op(Opcode::ReadonlyBuffer);
                        }
                        Ok(())
                    }
                }
            }
            // Written by `save`.
            Node::None
            | Node::Bool(_)
            | Node::Int(_)
            | Node::Float(_)
            | Node::Str(_)
            | Node::List(_)
            | Node::Dict(_)
            | Node::Tuple(_) => Ok(()),
        }
    }

    #[inline(always)]
    fn empty_tuple(&mut self) {
        if self.proto >= 1 {
            self.out.op(Opcode::EmptyTuple);
        } else {
            self.out.bytes(&[Opcode::Mark as u8, Opcode::Tuple as u8]);
        }
    }

    #[inline(always)]
    fn list_header(&mut self) {
        if self.proto >= 1 {
            self.out.op(Opcode::EmptyList);
        } else {
            self.out.bytes(&[Opcode::Mark as u8, Opcode::List as u8]);
        }
    }

    #[inline(always)]
    fn tuple_op(&mut self, len: u32) {
        self.out.op(tuple_opcode(len, self.proto));
    }

    // --- atoms -------------------------------------------------------------------------------

    #[inline(always)]
    fn bool(&mut self, b: bool) {
        if self.proto >= 2 {
            self.out
                .op(if b { Opcode::NewTrue } else { Opcode::NewFalse });
        } else {
            self.out.bytes(if b { b"I01\n" } else { b"I00\n" });
        }
    }

    #[inline(always)]
    fn int(&mut self, v: i64) {
        if self.proto >= 1 {
            if let Ok(v32) = i32::try_from(v) {
                let u = u64::from(v32 as u32);
                if u > 0xffff {
                    self.out.op_arg(Opcode::BinInt, u, 5);
                } else if u > 0xff {
                    self.out.op_arg(Opcode::BinInt2, u, 3);
                } else {
                    self.out.op_arg(Opcode::BinInt1, u, 2);
                }
                return;
            }
        }
        self.int_slow(v);
    }

    /// `int` as text (protocol 0) or beyond 32 bits.
    #[inline(never)]
    fn int_slow(&mut self, v: i64) {
        if let (Ok(_), 0) = (i32::try_from(v), self.proto) {
            self.decimal_op(Opcode::Int, v, b"\n");
        } else if self.proto >= 2 {
            let (bytes, n) = long_bytes_i64(v);
            self.out.op_arg(Opcode::Long1, n as u64, 2);
            self.out.bytes(&bytes[..n]);
        } else {
            self.decimal_op(Opcode::Long, v, b"L\n");
        }
    }

    fn bigint(&mut self, v: &num_bigint::BigInt) -> Result<()> {
        if let Ok(small) = i64::try_from(v) {
            self.int(small);
            return Ok(());
        }
        if self.proto >= 2 {
            let bytes = long_bytes_big(v);
            let n = bytes.len();
            if n < 256 {
                self.out.op_arg(Opcode::Long1, n as u64, 2);
            } else {
                let n32 = i32::try_from(n).map_err(|_| unpicklable("int too large to pickle"))?;
                self.out.op_arg(Opcode::Long4, u64::from(n32 as u32), 5);
            }
            self.out.bytes(&bytes);
        } else {
            let text = v.to_string();
            self.out.op(Opcode::Long);
            self.out.bytes(text.as_bytes());
            self.out.bytes(b"L\n");
        }
        Ok(())
    }

    #[inline(always)]
    fn float(&mut self, x: f64) {
        if self.proto >= 1 {
            let be = u64::from_le_bytes(x.to_be_bytes());
            self.out.op_arg(Opcode::BinFloat, be, 9);
        } else {
            self.float_text(x);
        }
    }

    /// `FLOAT` with the repr as text (protocol 0).
    #[inline(never)]
    fn float_text(&mut self, x: f64) {
        self.out.op(Opcode::Float);
        self.out.bytes(float_repr(x).as_bytes());
        self.out.byte(b'\n');
    }

    /// `save_unicode` without the memo: `UNICODE` text at protocol 0, else the UTF-8 (surrogatepass)
    /// bytes under `SHORT_BINUNICODE`/`BINUNICODE`/`BINUNICODE8`.
    fn write_str<I: Iterator<Item = u32>>(
        &mut self,
        utf8: &[u8],
        points: impl FnOnce() -> I,
    ) -> Result<()> {
        if self.proto == 0 {
            self.scratch.clear();
            self.scratch.push(Opcode::Unicode as u8);
            raw_unicode_escape(points(), &mut self.scratch);
            self.scratch.push(b'\n');
            self.out.bytes(&self.scratch);
            return Ok(());
        }
        let n = utf8.len();
        if n <= 0xff && self.proto >= 4 {
            self.out
                .header_and_payload(Opcode::ShortBinUnicode, n as u64, 2, utf8)
        } else if let Ok(n32) = u32::try_from(n) {
            self.out
                .header_and_payload(Opcode::BinUnicode, u64::from(n32), 5, utf8)
        } else if self.proto >= 4 {
            self.out
                .header_and_payload(Opcode::BinUnicode8, n as u64, 9, utf8)
        } else {
            Err(unpicklable(
                "serializing a string larger than 4 GiB requires pickle protocol 4 or higher",
            ))
        }
    }

    /// `_save_bytes_data` without the memo (protocol 3+).
    fn bytes_data(&mut self, data: &[u8]) -> Result<()> {
        let n = data.len();
        if n <= 0xff {
            self.out
                .header_and_payload(Opcode::ShortBinBytes, n as u64, 2, data)
        } else if let Ok(n32) = u32::try_from(n) {
            self.out
                .header_and_payload(Opcode::BinBytes, u64::from(n32), 5, data)
        } else if self.proto >= 4 {
            self.out
                .header_and_payload(Opcode::BinBytes8, n as u64, 9, data)
        } else {
            Err(unpicklable(
                "serializing a bytes object larger than 4 GiB requires pickle protocol 4 or higher",
            ))
        }
    }

    /// `_save_bytearray_data` without the memo (protocol 5).
    fn bytearray_data(&mut self, data: &[u8]) -> Result<()> {
        self.out
            .header_and_payload(Opcode::ByteArray8, data.len() as u64, 9, data)
    }

    /// `save_bytes` below protocol 3: `bytes()` or `_codecs.encode(<latin-1 str>, 'latin1')`.
    fn push_bytes_reduce(&mut self, id: NodeId, empty: bool) {
        self.stack.push(Task::CallEnd {
            node: id,
            op: Opcode::Reduce,
            busy: false,
        });
        if empty {
            self.stack.push(Task::EmptyTuple);
            self.stack
                .push(Task::Global(GlobalRef::Builtin(Builtin::Bytes)));
        } else {
            self.push_codecs_args(id);
        }
    }

    fn push_codecs_args(&mut self, id: NodeId) {
        self.stack.push(Task::FreshTupleEnd(2));
        self.stack.push(Task::Latin1Name);
        self.stack.push(Task::Latin1Str(id));
        self.stack.push(Task::FreshTupleStart(2));
        self.stack
            .push(Task::Global(GlobalRef::Builtin(Builtin::CodecsEncode)));
    }

    /// `bytes(bytearray)` as the argument of a `bytearray` reduction (protocols 0-4).
    fn fresh_bytes(&mut self, id: NodeId) -> Result<()> {
        self.out.boundary()?;
        let data = data_of(self.node(id));
        let single = bytes_singleton(data);
        if let Some(k) = single {
            let shared = self.single(Single::Bytes, k);
            if shared != NOT_MEMOIZED {
                self.get(shared);
                return Ok(());
            }
        }
        if self.proto >= 3 {
            self.bytes_data(data)?;
            let idx = self.put()?;
            if let Some(k) = single {
                self.set_single(Single::Bytes, k, idx);
            }
        } else {
            // Never empty here: an empty bytearray reduces to `bytearray()`.
            self.stack.push(Task::FreshReduceEnd {
                single: single.map_or(u16::MAX, |k| k as u16),
            });
            self.push_codecs_args(id);
        }
        Ok(())
    }

    /// `str(data, 'latin1')` for `_codecs.encode`.
    fn latin1_str(&mut self, id: NodeId) -> Result<()> {
        self.out.boundary()?;
        let data = data_of(self.node(id));
        let single = match data {
            [b] => Some(*b as usize),
            _ => None,
        };
        if let Some(k) = single {
            let shared = self.single(Single::Str, k);
            if shared != NOT_MEMOIZED {
                self.get(shared);
                return Ok(());
            }
        }
        let mut utf8 = Vec::with_capacity(data.len() + data.len() / 4);
        for &b in data {
            if b < 0x80 {
                utf8.push(b);
            } else {
                utf8.extend_from_slice(&[0xC0 | (b >> 6), 0x80 | (b & 0x3F)]);
            }
        }
        self.write_str(&utf8, || data.iter().map(|&b| u32::from(b)))?;
        let idx = self.put()?;
        if let Some(k) = single {
            self.set_single(Single::Str, k, idx);
        }
        Ok(())
    }

    // --- globals -----------------------------------------------------------------------------

    fn global_names(&self, g: GlobalRef) -> (&'g str, &'g str) {
        match g {
            GlobalRef::Builtin(b) => b.names(),
            GlobalRef::Node { node, end } => match self.node(node) {
                Node::Global(gl) => {
                    let Global { module, name } = &**gl;
                    (module, name.get(..end as usize).unwrap_or(name))
                }
                _ => ("", ""),
            },
        }
    }

    /// The memo entry of a global just written (content-keyed, plus the node's own).
    fn global_memoized(&mut self, g: GlobalRef) -> Result<()> {
        let idx = self.put()?;
        let (module, name) = self.global_names(g);
        self.globals
            .get_or_insert_with(Box::default)
            .globals
            .insert((module.into(), name.into()), idx);
        if let GlobalRef::Node { node, end } = g {
            if let Node::Global(gl) = self.node(node) {
                if end as usize == gl.name.len() {
                    self.set_memo(node, idx);
                }
            }
        }
        Ok(())
    }

    /// `save_global`.
    fn save_global(&mut self, g: GlobalRef) -> Result<()> {
        self.out.boundary()?;
        let (module, name) = self.global_names(g);
        let known = self.globals.as_ref().and_then(|memo| {
            memo.globals
                .get(&(Box::<str>::from(module), Box::<str>::from(name)))
                .copied()
        });
        if let Some(idx) = known {
            self.get(idx);
            if let GlobalRef::Node { node, end } = g {
                if let Node::Global(gl) = self.node(node) {
                    if end as usize == gl.name.len() {
                        self.set_memo(node, idx);
                    }
                }
            }
            return Ok(());
        }
        if module.is_empty() || name.is_empty() {
            return Err(unpicklable("a global with an empty module or name"));
        }
        if self.proto >= 4 {
            // The module name is one str object shared by every global of the module, except in
            // `builtins`, where the functions' `__module__` (the module's `__name__`) and the
            // types' (CPython's interned `'builtins'`) are two different objects.
            let key: &str =
                if module == "builtins" && BUILTIN_FUNCTIONS.binary_search(&name).is_ok() {
                    "builtins\0functions"
                } else {
                    module
                };
            let known = self
                .globals
                .as_ref()
                .and_then(|memo| memo.modules.get(key).copied());
            if let Some(idx) = known {
                self.get(idx);
            } else {
                self.write_str(module.as_bytes(), || module.chars().map(u32::from))?;
                let idx = self.put()?;
                self.globals
                    .get_or_insert_with(Box::default)
                    .modules
                    .insert(key.into(), idx);
            }
            self.out.boundary()?;
            self.write_str(name.as_bytes(), || name.chars().map(u32::from))?;
            self.put()?;
            self.out.op(Opcode::StackGlobal);
            return self.global_memoized(g);
        }
        if let (Some(dot), GlobalRef::Node { node, .. }) = (name.rfind('.'), g) {
            // A nested qualname: `getattr(parent, last)`, as CPython does below protocol 4.
            self.stack.push(Task::GlobalEnd(g));
            self.stack.push(Task::FreshTupleEnd(2));
            self.stack.push(Task::NameTail {
                node,
                start: dot as u32 + 1,
            });
            self.stack.push(Task::Global(GlobalRef::Node {
                node,
                end: dot as u32,
            }));
            self.stack.push(Task::FreshTupleStart(2));
            self.stack
                .push(Task::Global(GlobalRef::Builtin(Builtin::Getattr)));
            return Ok(());
        }
        self.global_text(Opcode::Global, module, name)?;
        self.global_memoized(g)
    }

    /// `GLOBAL`/`INST` with the module and name as text lines (Python 2 names below protocol 3).
    fn global_text(&mut self, op: Opcode, module: &str, name: &str) -> Result<()> {
        let (module, name) = if self.proto < 3 && self.fix_imports {
            to_python2(module, name)
        } else {
            (module.into(), name.into())
        };
        for part in [&*module, &*name] {
            if part.contains('\n') {
                return Err(unpicklable(format!(
                    "global name {part:?} contains a newline"
                )));
            }
            if self.proto != 3 && !part.is_ascii() {
                return Err(unpicklable(format!(
                    "can't pickle global identifier {part:?} using pickle protocol {}",
                    self.proto
                )));
            }
        }
        self.out.op(op);
        self.out.bytes(module.as_bytes());
        self.out.byte(b'\n');
        self.out.bytes(name.as_bytes());
        self.out.byte(b'\n');
        Ok(())
    }

    fn inst_text(&mut self, node: NodeId) -> Result<()> {
        let (module, name) = match self.node(node) {
            Node::Object(obj) => match &obj.kind {
                ObjectKind::Instance { cls, .. } => match self.node(*cls) {
                    Node::Global(g) => (&*g.module, &*g.name),
                    _ => return Err(unpicklable("INST needs a global class")),
                },
                _ => return Err(unpicklable("INST needs an instance")),
            },
            _ => return Err(unpicklable("INST needs an instance")),
        };
        self.global_text(Opcode::Inst, module, name)
    }

    fn extension(&mut self, code: i32) -> Result<()> {
        if self.proto < 2 {
            return Err(unpicklable(format!(
                "extension code {code} needs protocol 2 or higher (its global name is unknown)"
            )));
        }
        if code <= 0 {
            return Err(unpicklable(format!(
                "extension code {code} is out of range"
            )));
        }
        let u = u64::from(code as u32);
        if code <= 0xff {
            self.out.op_arg(Opcode::Ext1, u, 2);
        } else if code <= 0xffff {
            self.out.op_arg(Opcode::Ext2, u, 3);
        } else {
            self.out.op_arg(Opcode::Ext4, u, 5);
        }
        Ok(())
    }

    fn persistent_id(&mut self, id: NodeId, pid: NodeId) -> Result<()> {
        if self.proto >= 1 {
            self.enter(id)?;
            self.stack.push(Task::PersEnd(id));
            self.stack.push(Task::Save(pid));
            return Ok(());
        }
        self.scratch.clear();
        self.scratch.push(Opcode::PersId as u8);
        match self.node(pid) {
            Node::Str(s) => match self.graph.text(*s).as_str() {
                Some(text) if text.is_ascii() && !text.contains('\n') => {
                    self.scratch.extend_from_slice(text.as_bytes())
                }
                _ => {
                    return Err(unpicklable(
                        "persistent IDs in protocol 0 must be ASCII strings without newlines",
                    ))
                }
            },
            Node::Int(v) => push_decimal(&mut self.scratch, *v),
            Node::BigInt(v) => self.scratch.extend_from_slice(v.to_string().as_bytes()),
            Node::Bool(b) => self
                .scratch
                .extend_from_slice(if *b { b"True" } else { b"False" }),
            other => {
                return Err(unpicklable(format!(
                    "a persistent ID of type {} cannot be written at protocol 0",
                    other.type_name()
                )))
            }
        }
        self.scratch.push(b'\n');
        self.out.bytes(&self.scratch);
        Ok(())
    }

    // --- inert objects -----------------------------------------------------------------------

    fn object(&mut self, id: NodeId, obj: &'g Object) -> Result<()> {
        self.enter(id)?;
        let end = |op| Task::CallEnd {
            node: id,
            op,
            busy: true,
        };
        match &obj.kind {
            ObjectKind::Reduce { callable, args } => {
                let callable_name = match self.node(*callable) {
                    Node::Global(g) => g.name.rsplit('.').next().unwrap_or(""),
                    _ => "",
                };
                let args_items = match self.node(*args) {
                    Node::Tuple(items) => Some(self.graph.items(*items)),
                    _ => None,
                };
                match (callable_name, args_items) {
                    // What CPython's save_reduce makes of a `copyreg.__newobj__` reduction.
                    ("__newobj__", Some(items)) if self.proto >= 2 && !items.is_empty() => {
                        let rest = u32::try_from(items.len() - 1)
                            .map_err(|_| unpicklable("argument tuple too long"))?;
                        self.stack.push(end(Opcode::NewObj));
                        if rest == 0 {
                            self.stack.push(Task::EmptyTuple);
                        } else {
                            self.stack.push(Task::FreshTupleEnd(rest));
                            self.stack.push(Task::Items {
                                node: *args,
                                pos: 1,
                                kind: Items::Plain,
                            });
                            self.stack.push(Task::FreshTupleStart(rest));
                        }
                        self.stack.push(Task::Save(items[0]));
                    }
                    ("__newobj_ex__", Some(items)) if self.proto >= 4 && items.len() == 3 => {
                        self.stack.push(end(Opcode::NewObjEx));
                        self.stack.push(Task::Items {
                            node: *args,
                            pos: 0,
                            kind: Items::Plain,
                        });
                    }
                    _ => {
                        self.stack.push(end(Opcode::Reduce));
                        self.stack.push(Task::Save(*args));
                        self.stack.push(Task::Save(*callable));
                    }
                }
            }
            ObjectKind::NewObj { cls, args } => {
                if self.proto >= 2 {
                    self.stack.push(end(Opcode::NewObj));
                    self.stack.push(Task::Save(*args));
                    self.stack.push(Task::Save(*cls));
                } else {
                    // `copyreg.__newobj__(cls, *args)`, which is `cls.__new__(cls, *args)`.
                    let n = match self.node(*args) {
                        Node::Tuple(items) => self.graph.items(*items).len(),
                        _ => return Err(unpicklable("NEWOBJ arguments must be a tuple")),
                    };
                    let len =
                        u32::try_from(n + 1).map_err(|_| unpicklable("argument tuple too long"))?;
                    self.stack.push(end(Opcode::Reduce));
                    self.stack.push(Task::FreshTupleEnd(len));
                    self.stack.push(Task::Items {
                        node: *args,
                        pos: 0,
                        kind: Items::Plain,
                    });
                    self.stack.push(Task::Save(*cls));
                    self.stack.push(Task::FreshTupleStart(len));
                    self.stack
                        .push(Task::Global(GlobalRef::Builtin(Builtin::NewObj)));
                }
            }
            ObjectKind::NewObjEx { cls, args, kwargs } => {
                if self.proto >= 4 {
                    self.stack.push(end(Opcode::NewObjEx));
                    self.stack.push(Task::Save(*kwargs));
                    self.stack.push(Task::Save(*args));
                    self.stack.push(Task::Save(*cls));
                } else {
                    // `copyreg.__newobj_ex__(cls, args, kwargs)`.
                    self.stack.push(end(Opcode::Reduce));
                    self.stack.push(Task::FreshTupleEnd(3));
                    self.stack.push(Task::Save(*kwargs));
                    self.stack.push(Task::Save(*args));
                    self.stack.push(Task::Save(*cls));
                    self.stack.push(Task::FreshTupleStart(3));
                    self.stack
                        .push(Task::Global(GlobalRef::Builtin(Builtin::NewObjEx)));
                }
            }
            ObjectKind::Instance { cls, .. } => {
                let global_cls = matches!(self.node(*cls), Node::Global(_));
                self.out.op(Opcode::Mark);
                if self.proto == 0 && global_cls {
                    self.stack.push(Task::InstEnd(id));
                    self.stack.push(Task::Items {
                        node: id,
                        pos: 0,
                        kind: Items::ObjArgs,
                    });
                } else {
                    self.stack.push(end(Opcode::Obj));
                    self.stack.push(Task::Items {
                        node: id,
                        pos: 0,
                        kind: Items::ObjArgs,
                    });
                    self.stack.push(Task::Save(*cls));
                }
            }
        }
        Ok(())
    }

    // --- items -------------------------------------------------------------------------------

    /// Starts the `batch_*` loop of a container whose header was just written: the last thing
    /// its caller does, so the loop may run right here instead of through the task stack (a
    /// task popped right after being pushed stalls on store forwarding). Up to
    /// [`MAX_INLINE_DEPTH`] containers deep; past that the loop is scheduled as a task, so
    /// nesting depth never grows the call stack.
    fn push_items(&mut self, id: NodeId, kind: Items) -> Result<()> {
        let empty = match self.node(id) {
            Node::List(v) | Node::Tuple(v) | Node::Set(v) | Node::FrozenSet(v) => {
                self.graph.items(*v).is_empty()
            }
            Node::Dict(p) => self.graph.pairs(*p).is_empty(),
            _ => true,
        };
        if empty {
            return Ok(());
        }
        self.items_inline(id, kind, |enc| enc.items_from_start(id, kind))
    }

    /// Runs `items` (the whole item loop of `id`, by direct call) up to [`MAX_INLINE_DEPTH`]
    /// loops deep; past that the loop is scheduled as a task from its first item instead.
    #[inline(always)]
    fn items_inline(
        &mut self,
        id: NodeId,
        kind: Items,
        items: impl FnOnce(&mut Self) -> Result<()>,
    ) -> Result<()> {
        if self.inline_depth >= MAX_INLINE_DEPTH {
            return self.schedule_items(id, kind);
        }
        self.inline_depth += 1;
        let result = items(self);
        self.inline_depth -= 1;
        result
    }

    fn batching(&self, kind: Items) -> Batching {
        let py = self.python_batching;
        match kind {
            Items::Plain | Items::ObjArgs => Batching::None,
            _ if self.proto == 0 => Batching::Each,
            Items::List if py => Batching::Iter,
            Items::List => Batching::Exact { trailing: false },
            Items::Dict if py => Batching::Iter,
            Items::Dict => Batching::Exact { trailing: true },
            Items::Set if py => Batching::SetPy,
            Items::Set => Batching::SetC,
            Items::ObjList | Items::ObjDict => Batching::Iter,
        }
    }

    /// One step of a `batch_*` loop: closes the previous item's batch if it ended, opens the next
    /// one if `pos` starts it, and schedules item `pos`.
    fn items(&mut self, id: NodeId, pos: usize, kind: Items) -> Result<()> {
        let node = self.node(id);
        let (seq, pairs): (&'g [NodeId], &'g [(NodeId, NodeId)]) = match (node, kind) {
            (Node::Object(obj), Items::ObjDict) => (&[], &obj.dict_items),
            (Node::Object(obj), Items::ObjList) => (&obj.list_items, &[]),
            (Node::Object(obj), _) => match &obj.kind {
                ObjectKind::Instance { args, .. } => (args, &[]),
                _ => (&[], &[]),
            },
            (Node::Dict(p), _) => (&[], self.graph.pairs(*p)),
            (Node::List(v) | Node::Tuple(v) | Node::Set(v) | Node::FrozenSet(v), _) => {
                (self.graph.items(*v), &[])
            }
            _ => (&[], &[]),
        };
        let is_dict = matches!(kind, Items::Dict | Items::ObjDict);
        let n = if is_dict { pairs.len() } else { seq.len() };
        let (single_op, batch_op) = match kind {
            Items::Dict | Items::ObjDict => (Opcode::SetItem, Opcode::SetItems),
            Items::Set => (Opcode::AddItems, Opcode::AddItems),
            _ => (Opcode::Append, Opcode::Appends),
        };
        let batching = self.batching(kind);
        // Is the batch starting at `start` written as a lone item with the single opcode?
        let lone = |start: usize| -> bool {
            match batching {
                Batching::Exact { .. } => n == 1,
                Batching::Iter => n - start == 1,
                _ => false,
            }
        };
        // Items that `save` writes without scheduling anything (atoms, strings, memo hits) are
        // written right here, in a loop, instead of going through the task stack one by one.
        let mut pos = pos;
        loop {
            if pos > 0 {
                let prev = pos - 1;
                match batching {
                    Batching::None => {}
                    Batching::Each => self.out.op(single_op),
                    _ => {
                        let start = prev - prev % BATCHSIZE;
                        if pos == n || pos % BATCHSIZE == 0 {
                            self.out.op(if lone(start) { single_op } else { batch_op });
                        }
                    }
                }
            }
            if pos >= n {
                let trailing = matches!(
                    batching,
                    Batching::Exact { trailing: true } | Batching::SetC
                );
                if trailing && n > 1 && n % BATCHSIZE == 0 {
                    self.out.op_arg(Opcode::Mark, u64::from(batch_op as u8), 2);
                }
                return Ok(());
            }
            if pos % BATCHSIZE == 0
                && !matches!(batching, Batching::None | Batching::Each)
                && !lone(pos)
            {
                self.out.op(Opcode::Mark);
            }
            // The rest of this batch: leaves are written in place; the first item that needs
            // the task stack ends the step.
            let end = match batching {
                Batching::None | Batching::Each => pos + 1,
                _ => n.min(pos - pos % BATCHSIZE + BATCHSIZE),
            };
            if is_dict {
                while pos < end {
                    let Some(&(k, v)) = pairs.get(pos) else { break };
                    if !self.save_pair(k, v, id, pos, kind)? {
                        return Ok(());
                    }
                    pos += 1;
                }
            } else {
                while pos < end {
                    let Some(&item) = seq.get(pos) else { break };
                    if !self.save_one(item, id, pos, kind)? {
                        return Ok(());
                    }
                    pos += 1;
                }
            }
            if pos == end {
                continue;
            }
            // Out of range (the container changed shape under a hook): schedule the next step as
            // before, which ends the loop.
            return self.push_next_items(id, pos, kind);
        }
    }

    /// `save_unicode` of a `str` node that is not memoized yet (the memo was checked). The
    /// commonest string is written inline: short, at protocol 1+, and not one CPython keeps a
    /// single object of (`''`, one latin-1 character, `'latin1'`); the rest by `save_str_other`.
    #[inline(always)]
    fn save_str(&mut self, id: NodeId, text: Text) -> Result<()> {
        if self.proto >= 1 {
            if let Some((window, len)) = self.graph.short_text::<16>(text) {
                // (Of two bytes, only a latin-1 character, 0xC2 or 0xC3 first, is shared.)
                let shared = len < 2
                    || (len == 2 && matches!(window[0], 0xC2 | 0xC3))
                    || (len == 6 && window.starts_with(b"latin1"));
                if !shared {
                    let idx = self.str_window_put(window, len)?;
                    self.set_memo(id, idx);
                    return Ok(());
                }
            } else if let Some((window, len)) = self.graph.short_text::<32>(text) {
                // (17 bytes or more, or near the end of the heap: not a shared string.)
                if len > 16 {
                    let idx = self.str_window_put(window, len)?;
                    self.set_memo(id, idx);
                    return Ok(());
                }
            }
        }
        self.save_str_other(id, text)
    }

    /// `SHORT_BINUNICODE` (protocol 4+) or `BINUNICODE` of a string of `len` bytes (at most
    /// `N`), from a window of the text heap.
    #[inline(always)]
    fn str_window<const N: usize>(&mut self, window: &[u8; N], len: usize) {
        self.str_window_then(window, len, 0, 0);
    }

    /// [`Encoder::str_window`] followed by the first `tlen` bytes of `trailer` (a memo opcode),
    /// with one check for room.
    #[inline(always)]
    fn str_window_then<const N: usize>(
        &mut self,
        window: &[u8; N],
        len: usize,
        trailer: u64,
        tlen: usize,
    ) {
        let (op, hlen) = match self.proto {
            4.. => (Opcode::ShortBinUnicode, 2),
            _ => (Opcode::BinUnicode, 5),
        };
        self.out
            .header_window_trailer(op, len as u64, hlen, window, len, trailer, tlen);
    }

    /// [`Encoder::str_window`] and the string's memo entry, in one write (see
    /// [`Encoder::put`]).
    #[inline(always)]
    fn str_window_put<const N: usize>(&mut self, window: &[u8; N], len: usize) -> Result<u32> {
        let Some((word, tlen)) = self.put_word() else {
            self.str_window(window, len);
            return self.put();
        };
        self.str_window_then(window, len, word, tlen);
        Ok(self.took_put())
    }

    /// [`Encoder::save_str`] of the strings its inline path leaves.
    #[inline(never)]
    fn save_str_other(&mut self, id: NodeId, text: Text) -> Result<()> {
        let s = self.graph.text(text);
        let bytes = s.as_bytes();
        let single = str_singleton(bytes);
        if let Some(k) = single {
            let shared = self.single(Single::Str, k);
            if shared != NOT_MEMOIZED {
                self.set_memo(id, shared);
                self.get(shared);
                return Ok(());
            }
        }
        // `'latin1'` is an interned identifier, the very object `_codecs.encode`
        // reductions of bytes use.
        let latin1 = bytes == b"latin1";
        if latin1 && self.latin1 != NOT_MEMOIZED {
            self.set_memo(id, self.latin1);
            self.get(self.latin1);
            return Ok(());
        }
        match self.graph.text_window::<16>(text) {
            // A short string from the heap goes out as a fixed 16-byte window of it, cut to
            // length: no copy of variable length.
            Some(window) if self.proto >= 1 && bytes.len() <= 16 => {
                self.str_window(window, bytes.len());
            }
            _ => self.write_str(bytes, || s.code_points())?,
        }
        // The memo entry, and the shared entry of `''`, a one-character string or `'latin1'`.
        let idx = self.put()?;
        self.set_memo(id, idx);
        if let Some(k) = single {
            self.set_single(Single::Str, k, idx);
        } else if latin1 {
            self.latin1 = idx;
        }
        Ok(())
    }

    /// Writes `id` if it is a leaf and says whether it was; writes nothing otherwise. Leaves are
    /// the values `save` writes without scheduling any task: atoms, strings, bytes from protocol
    /// 3, and anything already memoized (except persistent ids, which never are). One look at
    /// the node, for the item loops.
    #[inline(always)]
    fn try_save_leaf(&mut self, id: NodeId) -> Result<bool> {
        // The commonest leaves first.
        let node = self.node(id);
        if let Node::Str(t) = *node {
            self.exact_str(id, t)?;
            return Ok(true);
        }
        if let Node::Int(v) = node {
            self.out.boundary()?;
            self.int(*v);
            return Ok(true);
        }
        if let Node::Float(x) = node {
            self.out.boundary()?;
            self.float(*x);
            return Ok(true);
        }
        if let Node::Bool(b) = node {
            self.out.boundary()?;
            self.bool(*b);
            return Ok(true);
        }
        if let Node::None = node {
            self.out.boundary()?;
            self.out.op(Opcode::None);
            return Ok(true);
        }
        if matches!(node, Node::BigInt(_)) || (matches!(node, Node::Bytes(_)) && self.proto >= 3) {
            self.save(id)?;
            return Ok(true);
        }
        if matches!(node, Node::PersistentId(_)) {
            return Ok(false);
        }
        let idx = self.memo_of(id);
        if idx == NOT_MEMOIZED {
            return Ok(false);
        }
        self.out.boundary()?;
        self.get(idx);
        Ok(true)
    }

    /// Writes item `pos` of the loop over `id`: `true` if it was written whole, so the loop goes
    /// on; otherwise the loop's next step is scheduled after what the item scheduled.
    #[inline(always)]
    fn save_one(&mut self, item: NodeId, id: NodeId, pos: usize, kind: Items) -> Result<bool> {
        Ok(self.try_save_leaf(item)? || self.save_item(item, id, pos, kind)?)
    }

    /// [`Encoder::save_one`] for the key and value of pair `pos` of a dict.
    #[inline(always)]
    fn save_pair(
        &mut self,
        k: NodeId,
        v: NodeId,
        id: NodeId,
        pos: usize,
        kind: Items,
    ) -> Result<bool> {
        // Leaves schedule nothing, so writing one before the next step is scheduled keeps
        // CPython's order.
        if !self.try_save_leaf(k)? {
            let depth = self.stack.len();
            self.save(k)?;
            if self.stack.len() != depth {
                // What `save(k)` scheduled runs first, then `Save(v)`, then the rest.
                self.stack.insert(depth, Task::Save(v));
                self.stack.insert(depth, next_items(id, pos, kind)?);
                return Ok(false);
            }
        }
        self.save_one(v, id, pos, kind)
    }

    /// The whole item loop of a container from its first item, for the rules that need no state
    /// between steps: tuples and frozensets (no batches) and the C pickler's lists, dicts and
    /// sets (batches of [`BATCHSIZE`]). The common case of [`Encoder::items`] without its
    /// per-step setup; an item that schedules tasks hands the rest to `items`.
    fn items_from_start(&mut self, id: NodeId, kind: Items) -> Result<()> {
        let batching = self.batching(kind);
        let (single_op, batch_op, trailing) = match (kind, batching) {
            (_, Batching::None) => (Opcode::Mark, Opcode::Mark, false),
            (Items::List, Batching::Exact { trailing }) => {
                (Opcode::Append, Opcode::Appends, trailing)
            }
            (Items::Dict, Batching::Exact { trailing }) => {
                (Opcode::SetItem, Opcode::SetItems, trailing)
            }
            (Items::Set, Batching::SetC) => (Opcode::AddItems, Opcode::AddItems, true),
            _ => return self.items(id, 0, kind),
        };
        let batched = batching != Batching::None;
        match (self.node(id), kind) {
            (Node::Dict(p), Items::Dict) => {
                let pairs = self.graph.pairs(*p);
                let n = pairs.len();
                if n == 1 {
                    if let Some(&(k, v)) = pairs.first() {
                        if !self.save_pair(k, v, id, 0, kind)? {
                            return Ok(());
                        }
                    }
                    self.out.op(single_op);
                    return Ok(());
                }
                for (b, chunk) in pairs.chunks(BATCHSIZE).enumerate() {
                    self.out.op(Opcode::Mark);
                    for (i, &(k, v)) in chunk.iter().enumerate() {
                        if !self.save_pair(k, v, id, b * BATCHSIZE + i, kind)? {
                            return Ok(());
                        }
                    }
                    self.out.op(batch_op);
                }
                if trailing && n > 1 && n % BATCHSIZE == 0 {
                    self.out.op_arg(Opcode::Mark, u64::from(batch_op as u8), 2);
                }
                Ok(())
            }
            (
                Node::List(v) | Node::Tuple(v) | Node::Set(v) | Node::FrozenSet(v),
                Items::List | Items::Set | Items::Plain,
            ) => {
                let seq = self.graph.items(*v);
                let n = seq.len();
                if !batched {
                    for (pos, &item) in seq.iter().enumerate() {
                        if !self.save_one(item, id, pos, kind)? {
                            return Ok(());
                        }
                    }
                    return Ok(());
                }
                if n == 1 && kind == Items::List {
                    if let Some(&item) = seq.first() {
                        if !self.save_one(item, id, 0, kind)? {
                            return Ok(());
                        }
                    }
                    self.out.op(single_op);
                    return Ok(());
                }
                for (b, chunk) in seq.chunks(BATCHSIZE).enumerate() {
                    self.out.op(Opcode::Mark);
                    for (i, &item) in chunk.iter().enumerate() {
                        if !self.save_one(item, id, b * BATCHSIZE + i, kind)? {
                            return Ok(());
                        }
                    }
                    self.out.op(batch_op);
                }
                if trailing && n > 1 && n % BATCHSIZE == 0 {
                    self.out.op_arg(Opcode::Mark, u64::from(batch_op as u8), 2);
                }
                Ok(())
            }
            _ => self.items(id, 0, kind),
        }
    }

    // --- the C pickler's lists and dicts at protocol 2+ ----------------------------------------

    /// `save_list`/`save_dict` of list or dict `id` (not memoized) at protocol 2 and up, C
    /// batching: `EMPTY_LIST`/`EMPTY_DICT`, the memo entry, the items by direct call.
    #[inline(always)]
    fn exact_container(&mut self, id: NodeId, node: &'g Node) -> Result<()> {
        match *node {
            Node::List(v) => {
                let idx = self.op_put(Opcode::EmptyList)?;
                self.set_memo(id, idx);
                self.list_items(id, self.graph.items(v))
            }
            Node::Dict(p) => {
                let idx = self.op_put(Opcode::EmptyDict)?;
                self.set_memo(id, idx);
                self.dict_items(id, self.graph.pairs(p))
            }
            _ => self.save(id),
        }
    }

    /// `batch_list_exact` of list `id` by direct call (protocol 2 and up, C batching): a lone
    /// item and `APPEND`, or batches of `MARK`, up to [`BATCHSIZE`] items and `APPENDS`. Past
    /// [`MAX_INLINE_DEPTH`] nested loops the loop is scheduled as a task instead.
    #[inline(always)]
    fn list_items(&mut self, id: NodeId, seq: &'g [NodeId]) -> Result<()> {
        if seq.is_empty() {
            return Ok(());
        }
        if let [first, _, ..] = *seq {
            if is_scalar(self.graph.nodes(), first) {
                return self.items_inline(id, Items::List, |enc| enc.scalar_list_batches(id, seq));
            }
        }
        self.items_inline(id, Items::List, |enc| enc.list_batches(id, seq))
    }

    /// [`Encoder::list_batches`] of a list whose first item is a plain scalar (a list of
    /// numbers, say): runs of plain scalars are written in one loop each, the other items as
    /// there. In a list that does not start with a small int, runs of `BININT` ints and of
    /// floats have loops of their own (in a second copy of the loop: in the one for small
    /// ints, they would cost registers its loop needs).
    #[inline(always)]
    fn scalar_list_batches(&mut self, id: NodeId, seq: &'g [NodeId]) -> Result<()> {
        match seq
            .first()
            .and_then(|&first| small_int(self.graph.nodes(), first))
        {
            Some(_) => self.scalar_list_runs::<false>(id, seq),
            None => self.scalar_list_runs::<true>(id, seq),
        }
    }

    /// The body of [`Encoder::scalar_list_batches`], with runs of numbers or without.
    #[inline(never)]
    fn scalar_list_runs<const NUMBERS: bool>(
        &mut self,
        id: NodeId,
        seq: &'g [NodeId],
    ) -> Result<()> {
        let nodes = self.graph.nodes();
        for (b, chunk) in seq.chunks(BATCHSIZE).enumerate() {
            self.out.op(Opcode::Mark);
            let mut i = 0;
            while let Some(&item) = chunk.get(i) {
                // (A boundary due, or no room, ends a run before its first item: that one
                // goes the way of the others.)
                if is_scalar(nodes, item) {
                    // Small ints first, else (`NUMBERS`) a run of the first item's kind
                    // (`BININT` ints, floats); then any plain scalars.
                    let rest = &chunk[i..];
                    let mut run = self
                        .out
                        .byte_arg_run(Opcode::BinInt1, rest, |item| small_int(nodes, item));
                    if NUMBERS && run == 0 {
                        run = number_run(&mut self.out, nodes, rest);
                    }
                    // (Other plain scalars, unless the run took the rest.)
                    if let Some(more) = rest.get(run..).filter(|more| !more.is_empty()) {
                        run += self.out.short_run(more, |item| scalar_word(nodes, item));
                    }
                    if run > 0 {
                        i += run;
                        continue;
                    }
                }
                if !self.exact_item(nodes, item, id, b * BATCHSIZE + i, Items::List)? {
                    return Ok(());
                }
                i += 1;
            }
            self.out.op(Opcode::Appends);
        }
        Ok(())
    }

    /// The body of [`Encoder::list_items`].
    fn list_batches(&mut self, id: NodeId, seq: &'g [NodeId]) -> Result<()> {
        let nodes = self.graph.nodes();
        if let [item] = *seq {
            if self.exact_item(nodes, item, id, 0, Items::List)? {
                self.out.op(Opcode::Append);
            }
            return Ok(());
        }
        for (b, chunk) in seq.chunks(BATCHSIZE).enumerate() {
            self.out.op(Opcode::Mark);
            for (i, &item) in chunk.iter().enumerate() {
                if !self.exact_item(nodes, item, id, b * BATCHSIZE + i, Items::List)? {
                    return Ok(());
                }
            }
            self.out.op(Opcode::Appends);
        }
        Ok(())
    }

    /// `batch_dict_exact` of dict `id` by direct call, as [`Encoder::list_items`] (`SETITEM`,
    /// `SETITEMS`, and an empty batch after a multiple of [`BATCHSIZE`] pairs).
    #[inline(always)]
    fn dict_items(&mut self, id: NodeId, pairs: &'g [(NodeId, NodeId)]) -> Result<()> {
        if pairs.is_empty() {
            return Ok(());
        }
        let nodes = self.graph.nodes();
        if let [(k, v), _, ..] = *pairs {
            if is_scalar(nodes, k) && is_scalar(nodes, v) {
                return self
                    .items_inline(id, Items::Dict, |enc| enc.scalar_dict_batches(id, pairs));
            }
        }
        self.items_inline(id, Items::Dict, |enc| enc.dict_batches(id, pairs))
    }

    /// [`Encoder::dict_batches`] of a dict whose first pair is two plain scalars (as in
    /// `dict.fromkeys(range(n))`): runs of such pairs are written in one loop each, the other
    /// pairs as there.
    #[inline(never)]
    fn scalar_dict_batches(&mut self, id: NodeId, pairs: &'g [(NodeId, NodeId)]) -> Result<()> {
        let nodes = self.graph.nodes();
        for (b, chunk) in pairs.chunks(BATCHSIZE).enumerate() {
            self.out.op(Opcode::Mark);
            let mut i = 0;
            while let Some(&(k, v)) = chunk.get(i) {
                // (A boundary due, or no room, ends a run before its first pair: that one
                // goes the way of the others.)
                if is_scalar(nodes, k) && is_scalar(nodes, v) {
                    // Small int keys first, then any plain scalars.
                    let mut run = self.out.byte_arg_pairs(
                        Opcode::BinInt1,
                        &chunk[i..],
                        |(k, _)| small_int(nodes, k),
                        |(_, v)| scalar_word(nodes, v),
                    );
                    if let Some(rest @ [_, ..]) = chunk.get(i + run..) {
                        run += self.out.short_pairs(rest, |(k, v)| {
                            Some([scalar_word(nodes, k)?, scalar_word(nodes, v)?])
                        });
                    }
                    if run > 0 {
                        i += run;
                        continue;
                    }
                }
                if !self.exact_pair(nodes, k, v, id, b * BATCHSIZE + i)? {
                    return Ok(());
                }
                i += 1;
            }
            self.out.op(Opcode::SetItems);
        }
        if pairs.len() % BATCHSIZE == 0 {
            self.out
                .bytes(&[Opcode::Mark as u8, Opcode::SetItems as u8]);
        }
        Ok(())
    }

    /// The body of [`Encoder::dict_items`].
    fn dict_batches(&mut self, id: NodeId, pairs: &'g [(NodeId, NodeId)]) -> Result<()> {
        let nodes = self.graph.nodes();
        if let [(k, v)] = *pairs {
            if self.exact_pair(nodes, k, v, id, 0)? {
                self.out.op(Opcode::SetItem);
            }
            return Ok(());
        }
        for (b, chunk) in pairs.chunks(BATCHSIZE).enumerate() {
            self.out.op(Opcode::Mark);
            for (i, &(k, v)) in chunk.iter().enumerate() {
                if !self.exact_pair(nodes, k, v, id, b * BATCHSIZE + i)? {
                    return Ok(());
                }
            }
            self.out.op(Opcode::SetItems);
        }
        if pairs.len() % BATCHSIZE == 0 {
            self.out
                .bytes(&[Opcode::Mark as u8, Opcode::SetItems as u8]);
        }
        Ok(())
    }

    /// The loop over `id` from its first item, as a task (past [`MAX_INLINE_DEPTH`]).
    #[cold]
    #[inline(never)]
    fn schedule_items(&mut self, id: NodeId, kind: Items) -> Result<()> {
        self.stack.push(Task::Items {
            node: id,
            pos: 0,
            kind,
        });
        Ok(())
    }

    /// Item `pos` of the loop over `id` at protocol 2 and up (`nodes`: the graph's), with one
    /// look at the node: a string, plain scalar or list or dict is written right here, anything
    /// else by [`Encoder::try_save_leaf`] or [`Encoder::save_item`]. `true` if it was written
    /// whole.
    #[inline(always)]
    fn exact_item(
        &mut self,
        nodes: &'g [Node],
        item: NodeId,
        id: NodeId,
        pos: usize,
        kind: Items,
    ) -> Result<bool> {
        let node = nodes.get(item.index()).unwrap_or(&Node::None);
        // (Strings first: runs of plain scalars mostly take `short_run` and `short_pairs`.)
        if let Node::Str(t) = *node {
            self.exact_str(item, t)?;
            return Ok(true);
        }
        if self.exact_scalar(node)? {
            return Ok(true);
        }
        if !matches!(node, Node::List(_) | Node::Dict(_)) {
            if self.try_save_leaf(item)? {
                return Ok(true);
            }
            return self.save_item(item, id, pos, kind);
        }
        // A list or dict, as `save` would write it, without the round trip through `save`.
        self.out.boundary()?;
        let idx = self.memo_of(item);
        if idx != NOT_MEMOIZED {
            self.get(idx);
            return Ok(true);
        }
        let depth = self.stack.len();
        self.exact_container(item, node)?;
        if self.stack.len() == depth {
            return Ok(true);
        }
        self.stack.insert(depth, next_items(id, pos, kind)?);
        Ok(false)
    }

    /// A string item or key: `save`'s opcode boundary, then its memo entry or the string.
    #[inline(always)]
    fn exact_str(&mut self, id: NodeId, text: Text) -> Result<()> {
        self.out.boundary()?;
        let idx = self.memo_of(id);
        if idx != NOT_MEMOIZED {
            self.get(idx);
            return Ok(());
        }
        self.save_str(id, text)
    }

    /// Pair `pos` of the loop over dict `id`, as [`Encoder::exact_item`].
    #[inline(always)]
    fn exact_pair(
        &mut self,
        nodes: &'g [Node],
        k: NodeId,
        v: NodeId,
        id: NodeId,
        pos: usize,
    ) -> Result<bool> {
        if !self.exact_leaf(nodes, k)? {
            // (A key that schedules work: nothing was written yet.)
            return self.save_pair(k, v, id, pos, Items::Dict);
        }
        self.exact_item(nodes, v, id, pos, Items::Dict)
    }

    /// [`Encoder::try_save_leaf`] at protocol 2 and up, with strings and plain scalars (see
    /// [`plain_scalar`]) first. `nodes` are the graph's (an id out of range is `None`, as
    /// [`Graph::get`] has it).
    #[inline(always)]
    fn exact_leaf(&mut self, nodes: &'g [Node], id: NodeId) -> Result<bool> {
        let node = nodes.get(id.index()).unwrap_or(&Node::None);
        // (A key, mostly: a string first. Dicts whose first key is a plain scalar take
        // `scalar_dict_batches`.)
        if let Node::Str(t) = *node {
            self.exact_str(id, t)?;
            return Ok(true);
        }
        if self.exact_scalar(node)? {
            return Ok(true);
        }
        self.try_save_leaf(id)
    }

    /// Writes `node` if it is a plain scalar (see [`plain_scalar`]), as `save` would, and says
    /// whether it was.
    #[inline(always)]
    fn exact_scalar(&mut self, node: &Node) -> Result<bool> {
        let Some((word, len)) = plain_scalar(node) else {
            return Ok(false);
        };
        self.out.boundary()?;
        self.out.short(word, len);
        Ok(true)
    }

    /// Saves item `pos` of the loop over `id` (not a leaf) right away: `true` if it was written
    /// whole, so the loop goes on; otherwise the loop's next step is scheduled to run after
    /// what `save` scheduled, and the loop stops here.
    #[inline(always)]
    fn save_item(&mut self, item: NodeId, id: NodeId, pos: usize, kind: Items) -> Result<bool> {
        let depth = self.stack.len();
        self.save(item)?;
        if self.stack.len() == depth {
            return Ok(true);
        }
        self.stack.insert(depth, next_items(id, pos, kind)?);
        Ok(false)
    }

    /// Schedules the `batch_*` step after item `pos`.
    #[inline]
    fn push_next_items(&mut self, id: NodeId, pos: usize, kind: Items) -> Result<()> {
        let task = next_items(id, pos, kind)?;
        self.stack.push(task);
        Ok(())
    }

    /// Runs the end task `save` just pushed right away when the items below it were all written
    /// in place (the stack is back at `depth`), instead of by a round trip through the loop.
    #[inline]
    fn finish_inline(&mut self, depth: usize) -> Result<()> {
        if self.stack.len() == depth {
            if let Some(task) = self.stack.pop() {
                return self.step(task);
            }
        }
        Ok(())
    }
}

/// The `batch_*` step after item `pos` of the loop over `id`.
#[inline]
fn next_items(id: NodeId, pos: usize, kind: Items) -> Result<Task> {
    let next = u32::try_from(pos + 1).map_err(|_| unpicklable("container too long"))?;
    Ok(Task::Items {
        node: id,
        pos: next,
        kind,
    })
}

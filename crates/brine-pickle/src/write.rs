//! The writer: CPython's pickler, byte for byte, for protocols 0-5.
//!
//! For a graph of plain data (`None`, bools, ints, floats, complex, str, bytes, bytearray, tuples,
//! lists, dicts, sets, frozensets, globals), [`to_vec`] gives exactly the bytes of CPython 3.11's
//! `pickle.dumps(value, protocol=N)` (the C pickler): the same opcode for every value, size and
//! protocol, the same memo numbering, batches of 1000, frames at protocol 4+ with large payloads
//! written outside them. Shared nodes are written once and fetched from the memo after, like
//! objects in CPython's `id()`-keyed memo, so a graph read from a CPython pickle writes back to the
//! same bytes.
//!
//! Inert objects ([`Object`](crate::Object)) are written back as the call they record
//! (`REDUCE`/`NEWOBJ`/`NEWOBJ_EX`/`INST`/`OBJ`), then their items and `BUILD` state, in CPython's
//! `save_reduce` order, so that Python loads an equal object. The work is iterative: a value
//! nested a million levels deep writes without growing the call stack.
//!
//! ```
//! use brine_pickle::{to_vec, Graph, WriteOptions};
//! let mut g = Graph::new();
//! let one = g.int(1);
//! let s = g.str("a");
//! let list = g.list(vec![one, s]);
//! g.set_root(list);
//! // pickle.dumps([1, 'a'], protocol=2)
//! assert_eq!(to_vec(&g, &WriteOptions::protocol(2)).unwrap(), b"\x80\x02]q\x00(K\x01X\x01\x00\x00\x00aq\x01e.");
//! ```

mod encoder;
mod out;
mod scalars;

use std::io::Write;

use crate::error::{Error, ErrorKind, Result};
use crate::value::{Graph, NodeId};

use encoder::Encoder;
use out::Out;

/// The highest protocol the writer knows (CPython's `pickle.HIGHEST_PROTOCOL`).
pub const HIGHEST_PROTOCOL: u8 = 5;

/// Options for writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// The protocol, 0 to 5.
    pub protocol: u8,
    /// For protocols 0-2, write Python 2 module names (`__builtin__`) as CPython's `fix_imports` does.
    pub fix_imports: bool,
}

impl WriteOptions {
    /// Options for protocol `protocol`, otherwise as CPython's defaults.
    pub fn protocol(protocol: u8) -> WriteOptions {
        WriteOptions {
            protocol,
            fix_imports: true,
        }
    }
}

impl Default for WriteOptions {
    /// Protocol 4, CPython 3.8+'s default.
    fn default() -> WriteOptions {
        WriteOptions::protocol(4)
    }
}

/// A hook that lets a format built on pickle (joblib) take part in writing.
pub trait WriteHook {
    /// Called right after the writer emitted `BUILD` for the inert object `node`. The hook may end
    /// the current frame and write raw bytes that follow in the stream (joblib's array data).
    fn after_build(&mut self, cx: &mut WriteContext<'_>, node: NodeId) -> Result<()>;
}

impl<T: WriteHook + ?Sized> WriteHook for &mut T {
    fn after_build(&mut self, cx: &mut WriteContext<'_>, node: NodeId) -> Result<()> {
        (**self).after_build(cx, node)
    }
}

/// The hook of a writer without one: does nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHook;

impl WriteHook for NoHook {
    fn after_build(&mut self, _cx: &mut WriteContext<'_>, _node: NodeId) -> Result<()> {
        Ok(())
    }
}

/// The writer's output as a [`WriteHook`] sees it.
trait Emit {
    fn commit_frame(&mut self) -> Result<()>;
    fn raw(&mut self, data: &[u8]) -> Result<()>;
    fn position(&self) -> u64;
}

impl Emit for Out<'_> {
    fn commit_frame(&mut self) -> Result<()> {
        Out::commit_frame(self)
    }
    fn raw(&mut self, data: &[u8]) -> Result<()> {
        Out::raw(self, data)
    }
    fn position(&self) -> u64 {
        Out::position(self)
    }
}

/// What a [`WriteHook`] can reach while the writer runs.
pub struct WriteContext<'a> {
    out: &'a mut (dyn Emit + 'a),
    graph: &'a Graph,
    protocol: u8,
}

impl WriteContext<'_> {
    /// Ends the current frame now (protocol 4+), like pickle.py's `framer.commit_frame(force=True)`.
    /// Frames of fewer than four bytes lose their header, as in CPython.
    pub fn commit_frame(&mut self) -> Result<()> {
        self.out.commit_frame()
    }

    /// Writes bytes outside any frame (the current frame is committed first).
    pub fn write_raw(&mut self, data: &[u8]) -> Result<()> {
        self.out.raw(data)
    }

    /// The number of bytes emitted so far; exact once the frame is committed (an open frame counts
    /// its nine-byte header).
    pub fn position(&self) -> u64 {
        self.out.position()
    }

    /// The protocol being written.
    pub fn protocol(&self) -> u8 {
        self.protocol
    }

    /// The graph being written.
    pub fn graph(&self) -> &Graph {
        self.graph
    }
}

/// A pickle writer over any `Write`. Each call to [`Writer::write`] writes one complete pickle
/// with a fresh memo.
///
/// ```
/// use brine_pickle::{Graph, WriteOptions, Writer};
/// let mut g = Graph::new();
/// let root = g.none();
/// g.set_root(root);
/// let mut out = Vec::new();
/// Writer::new(&mut out, WriteOptions::protocol(0)).write(&g).unwrap();
/// assert_eq!(out, b"N.");
/// ```
pub struct Writer<W: Write, H: WriteHook = NoHook> {
    out: W,
    options: WriteOptions,
    hook: H,
    python_batching: bool,
}

impl<W: Write> Writer<W> {
    /// A writer with these options.
    pub fn new(out: W, options: WriteOptions) -> Writer<W> {
        Writer {
            out,
            options,
            hook: NoHook,
            python_batching: false,
        }
    }
}

impl<W: Write, H: WriteHook> Writer<W, H> {
    /// The same writer, calling `hook` after every `BUILD` of an inert object. Pass `&mut hook` to
    /// keep the hook.
    pub fn with_hook<H2: WriteHook>(self, hook: H2) -> Writer<W, H2> {
        Writer {
            out: self.out,
            options: self.options,
            hook,
            python_batching: self.python_batching,
        }
    }

    /// Write as the pure-Python pickler (`pickle._Pickler`, which joblib uses) does, rather than
    /// the C one. The two differ only in how list, dict and set items are batched: the C pickler
    /// writes a last batch of one item as `MARK item APPENDS` and follows a dict or set of a
    /// multiple of 1000 items with an empty batch; the Python one writes `item APPEND` and no
    /// empty batch.
    pub fn python_pickler(mut self, on: bool) -> Writer<W, H> {
        self.python_batching = on;
        self
    }

    /// The hook.
    pub fn hook(&mut self) -> &mut H {
        &mut self.hook
    }

    /// The underlying writer back.
    pub fn into_inner(self) -> W {
        self.out
    }

    /// Writes the graph's root as one pickle. An error if the graph has no root.
    pub fn write(&mut self, graph: &Graph) -> Result<()> {
        let root = graph.root().ok_or_else(|| {
            Error::without_position(ErrorKind::Unpicklable("the graph has no root".into()))
        })?;
        self.write_node(graph, root)
    }

    /// Writes node `id` of the graph as one pickle.
    pub fn write_node(&mut self, graph: &Graph, id: NodeId) -> Result<()> {
        let out = Out::to_sink(&mut self.out);
        encode(
            graph,
            id,
            out,
            &self.options,
            self.python_batching,
            &mut self.hook,
        )
        .map(drop)
    }
}

fn encode<'s>(
    graph: &Graph,
    id: NodeId,
    out: Out<'s>,
    options: &WriteOptions,
    python_batching: bool,
    hook: &mut dyn WriteHook,
) -> Result<Vec<u8>> {
    if options.protocol > HIGHEST_PROTOCOL {
        return Err(Error::without_position(ErrorKind::UnsupportedProtocol(
            options.protocol,
        )));
    }
    if id.index() >= graph.len() {
        return Err(Error::without_position(ErrorKind::Unpicklable(format!(
            "node {} is not in the graph",
            id.index()
        ))));
    }
    let mut enc = Encoder::new(
        graph,
        out,
        options.protocol,
        options.fix_imports,
        python_batching,
        hook,
    );
    enc.dump(id)?;
    enc.finish()
}

/// Writes the graph's root as a pickle into a new `Vec`.
pub fn to_vec(graph: &Graph, options: &WriteOptions) -> Result<Vec<u8>> {
    let root = graph.root().ok_or_else(|| {
        Error::without_position(ErrorKind::Unpicklable("the graph has no root".into()))
    })?;
    encode(
        graph,
        root,
        vec_out(graph, options.protocol),
        options,
        false,
        &mut NoHook,
    )
}

/// An in-memory output sized for the graph (a few bytes per node, item and pair, up to 1 GiB; it
/// grows past that), so that pickles are written without reallocating. Only the room written
/// (and one step ahead) is touched (see `Out`).
fn vec_out(graph: &Graph, protocol: u8) -> Out<'static> {
    // About what plain data takes: opcode, argument and memo entry per node, plus the text. The
    // graph is already in memory, so reserving in proportion to it is safe; growing a large
    // buffer instead copies it. (Below protocol 4, string headers and memo entries take 5 bytes
    // rather than 2.) Items and pairs count too: an atom (`None`, a small int) is one node
    // however often it occurs, and is written at each (2 bytes an item, 3-4 a pair of them).
    let per_node = if protocol >= 4 { 8 } else { 12 };
    let [nodes, items, pairs, text] = graph.shape();
    let estimate = nodes
        .saturating_mul(per_node)
        .saturating_add(items.saturating_mul(2))
        .saturating_add(pairs.saturating_mul(4))
        .saturating_add(text);
    Out::in_memory(estimate.clamp(256, 1 << 30))
}

/// Writes node `id` of the graph as a pickle into a new `Vec`.
pub fn node_to_vec(graph: &Graph, id: NodeId, options: &WriteOptions) -> Result<Vec<u8>> {
    encode(
        graph,
        id,
        vec_out(graph, options.protocol),
        options,
        false,
        &mut NoHook,
    )
}

/// Writes the graph's root as a pickle to `out`.
pub fn to_writer<W: Write>(out: W, graph: &Graph, options: &WriteOptions) -> Result<()> {
    Writer::new(out, *options).write(graph)
}

//! The reader: a bounded, iterative pickle virtual machine.
//!
//! It follows CPython 3.11's C unpickler (`Modules/_pickle.c`) opcode by opcode, for every opcode
//! of protocols 0 to 5, but never imports or calls anything: globals become [`Node::Global`], calls
//! become inert [`Node::Object`]s, and a handful of well-known constructors (`complex`, `set`,
//! `frozenset`, `bytearray`, `bytes`, `_codecs.encode(s, 'latin1')`) become native nodes.
//!
//! Untrusted input is safe: any byte string either decodes or yields an [`Error`] naming the byte
//! offset and the opcode, without panicking, recursing or allocating beyond a small multiple of the
//! input size. Nesting depth is only bounded by [`Limits`].
//!
//! Faithfulness notes:
//! - Dict keys and set items are kept exactly as the pickle gave them, without hashing. A key set
//!   twice (only possible in hand-made pickles) is kept twice; [`ValueRef::get`] returns the last,
//!   as Python's dict would hold.
//! - Like CPython's C unpickler, `STOP` takes the top of the stack and ignores anything below it,
//!   and frames are checked to be complete but opcodes may cross frame ends.
//! - A second `BUILD` on the same object replaces its recorded state.
//!
//! ```
//! use brine_pickle::read::{Reader, ReadOptions, Py2Str};
//! // Two pickles back to back, as repeated `pickle.dump(x, f)` writes them.
//! let data = b"\x80\x04K\x01.\x80\x04K\x02.";
//! let values: Vec<i64> = Reader::new(data)
//!     .map(|g| g.unwrap().root_ref().unwrap().as_i64().unwrap())
//!     .collect();
//! assert_eq!(values, [1, 2]);
//!
//! // A Python 2 `str` read as Latin-1, like `pickle.loads(data, encoding="latin1")`.
//! let opts = ReadOptions::new().py2_str(Py2Str::Latin1);
//! let g = Reader::new(b"U\x01\xe9.").with_options(opts).read_pickle().unwrap();
//! assert_eq!(g.root_ref().unwrap().as_str(), Some("é"));
//! ```
//!
//! [`ValueRef::get`]: crate::ValueRef::get
//! [`Node::Global`]: crate::Node::Global
//! [`Node::Object`]: crate::Node::Object

use std::io::Read;

use bytes::Bytes;

use crate::error::{Error, ErrorKind, Result};
use crate::value::{Graph, NodeId};

mod containers;
mod fast;
mod input;
mod memo;
mod numbers;
mod objects;
pub(crate) mod strings;
mod vm;

use vm::{Scratch, Vm};

/// How Python 2 `str` objects (`STRING`, `BINSTRING`, `SHORT_BINSTRING`) are decoded, like the
/// `encoding` argument of `pickle.loads`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Py2Str {
    /// Decode as ASCII; a non-ASCII byte is an error (CPython's default, `encoding="ASCII"`).
    #[default]
    Ascii,
    /// Decode as Latin-1: every byte is a code point (what numpy recommends for Python 2 pickles).
    Latin1,
    /// Decode as UTF-8.
    Utf8,
    /// Keep them as `bytes` (`encoding="bytes"`).
    Bytes,
}

/// Bounds on the resources one pickle may use.
///
/// The defaults accept anything CPython itself would load on a 64-bit machine, except decimal
/// integers longer than [`Limits::max_int_digits`] (CPython 3.11 stops at 4300 digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most nodes a graph may hold.
    pub max_nodes: usize,
    /// Most items on the stack plus marks at once (bounds nesting depth).
    pub max_stack: usize,
    /// Highest memo index accepted.
    pub max_memo_index: u64,
    /// Most digits in a decimal integer written as text (`INT`, `LONG`). Converting decimal text to
    /// a big integer takes quadratic time, so this bounds the time one opcode may take.
    pub max_int_digits: usize,
}

impl Limits {
    /// The defaults (see [`Limits`]), as a constant: a starting point for tighter bounds.
    ///
    /// ```
    /// use brine_pickle::read::Limits;
    /// assert_eq!(Limits::DEFAULT, Limits::default());
    /// let shallow = Limits { max_stack: 1000, ..Limits::DEFAULT };
    /// assert_eq!(shallow.max_nodes, Limits::DEFAULT.max_nodes);
    /// ```
    pub const DEFAULT: Limits = Limits {
        max_nodes: 1 << 31,
        max_stack: 1 << 26,
        max_memo_index: 1 << 32,
        max_int_digits: 100_000,
    };
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}

/// Options for reading, built like `ReadOptions::new().py2_str(Py2Str::Latin1)`.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// How Python 2 `str` is decoded.
    pub py2_str: Py2Str,
    /// Map Python 2 module names to Python 3 ones for protocols 0-2 (CPython's `fix_imports`,
    /// on by default). See [`crate::compat::to_python3`].
    pub fix_imports: bool,
    /// Out-of-band buffers for protocol 5 `NEXT_BUFFER`, in order (CPython's `buffers`). Without
    /// them, `NEXT_BUFFER` is an error, as in CPython, unless [`ReadOptions::unresolved_buffers`]
    /// is set. Supplied buffers are taken to be writable (like a `bytearray` or a numpy array):
    /// they show as `bytearray(...)`, and `READONLY_BUFFER` makes a read-only view of them.
    pub buffers: Option<Vec<Bytes>>,
    /// When no buffers are supplied, let `NEXT_BUFFER` give a [`crate::PickleBuffer`] without
    /// data (its index only) instead of failing; for inspecting such pickles. Off by default.
    pub unresolved_buffers: bool,
    /// Resource bounds.
    pub limits: Limits,
}

/// CPython's defaults, for the reads that take no options (see [`ReadOptions::new`]).
static DEFAULT_OPTIONS: ReadOptions = ReadOptions {
    py2_str: Py2Str::Ascii,
    fix_imports: true,
    buffers: None,
    unresolved_buffers: false,
    limits: Limits::DEFAULT,
};

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        DEFAULT_OPTIONS.clone()
    }
}

impl ReadOptions {
    /// CPython's defaults: ASCII for Python 2 `str`, `fix_imports=True`, no buffers.
    pub fn new() -> ReadOptions {
        ReadOptions::default()
    }
    /// Sets how Python 2 `str` is decoded.
    pub fn py2_str(mut self, py2_str: Py2Str) -> ReadOptions {
        self.py2_str = py2_str;
        self
    }
    /// Sets whether Python 2 names are mapped to Python 3 ones for protocols 0-2.
    pub fn fix_imports(mut self, fix_imports: bool) -> ReadOptions {
        self.fix_imports = fix_imports;
        self
    }
    /// Supplies the out-of-band buffers for `NEXT_BUFFER` (CPython's `buffers` argument).
    ///
    /// ```
    /// use brine_pickle::read::ReadOptions;
    /// // NEXT_BUFFER, STOP at protocol 5.
    /// let data = b"\x80\x05\x97.";
    /// assert!(brine_pickle::from_slice(data).is_err());
    /// let opts = ReadOptions::new().buffers(vec![bytes::Bytes::from_static(b"abc")]);
    /// let g = brine_pickle::read::from_slice_with(data, opts)?;
    /// assert_eq!(brine_pickle::repr::repr(&g, g.root().unwrap()), "bytearray(b'abc')");
    /// # Ok::<(), brine_pickle::Error>(())
    /// ```
    pub fn buffers(mut self, buffers: Vec<Bytes>) -> ReadOptions {
        self.buffers = Some(buffers);
        self
    }
    /// Without supplied buffers, lets `NEXT_BUFFER` give a data-less [`crate::PickleBuffer`]
    /// instead of an error (see [`ReadOptions::unresolved_buffers`](field@ReadOptions::unresolved_buffers)).
    ///
    /// ```
    /// use brine_pickle::read::ReadOptions;
    /// let opts = ReadOptions::new().allow_unresolved_buffers(true);
    /// let g = brine_pickle::read::from_slice_with(b"\x80\x05\x97.", opts)?;
    /// assert_eq!(brine_pickle::repr::repr(&g, g.root().unwrap()), "<out-of-band buffer 0>");
    /// # Ok::<(), brine_pickle::Error>(())
    /// ```
    pub fn allow_unresolved_buffers(mut self, allow: bool) -> ReadOptions {
        self.unresolved_buffers = allow;
        self
    }
    /// Sets the resource bounds.
    pub fn limits(mut self, limits: Limits) -> ReadOptions {
        self.limits = limits;
        self
    }
}

/// A hook that lets a format built on pickle (joblib) take part in reading.
pub trait ReadHook {
    /// Called right after `BUILD` applied state to the inert object `obj`. The hook may read raw
    /// bytes that follow in the stream and return a node to replace `obj` on the stack.
    ///
    /// Returning `Ok(None)` leaves the object as it is; it is called for every `BUILD` on an
    /// inert object, so a hook checks the class first.
    fn after_build(&mut self, cx: &mut HookContext<'_>, obj: NodeId) -> Result<Option<NodeId>>;
}

/// What the VM exposes to a [`HookContext`].
pub(crate) trait Engine {
    fn graph_mut(&mut self) -> &mut Graph;
    fn read_raw(&mut self, n: usize) -> Result<Bytes>;
    fn position(&self) -> u64;
    fn remaining(&self) -> usize;
    fn load_nested(&mut self) -> Result<NodeId>;
    fn error_here(&self, msg: String) -> Error;
    fn options(&self) -> &ReadOptions;
}

/// What a [`ReadHook`] can reach while the reader runs: the graph and the input stream.
pub struct HookContext<'r> {
    engine: &'r mut (dyn Engine + 'r),
}

impl<'r> HookContext<'r> {
    pub(crate) fn new(engine: &'r mut (dyn Engine + 'r)) -> HookContext<'r> {
        HookContext { engine }
    }

    /// The graph being built.
    pub fn graph(&mut self) -> &mut Graph {
        self.engine.graph_mut()
    }

    /// Reads the next `n` raw bytes of the stream, as CPython's `_Unframer.read` serves them: from
    /// the current frame if it has bytes left (all `n` must then be in it), else from the stream
    /// after it. With [`Reader::from_bytes`] the result is a zero-copy slice of the input.
    pub fn read_raw(&mut self, n: usize) -> Result<Bytes> {
        self.engine.read_raw(n)
    }

    /// The byte offset of the next byte in the input.
    pub fn position(&self) -> u64 {
        self.engine.position()
    }

    /// How many bytes of input are left.
    pub fn remaining(&self) -> usize {
        self.engine.remaining()
    }

    /// Reads a complete nested pickle that starts at the current position (as `pickle.load` on the
    /// same file would) into the same graph, with its own stack and memo, and returns its value.
    /// The nested pickle is read without the hook.
    pub fn load_nested(&mut self) -> Result<NodeId> {
        self.engine.load_nested()
    }

    /// An error of kind [`ErrorKind::Hook`] at the current offset, naming the current opcode.
    pub fn error(&self, msg: impl Into<String>) -> Error {
        self.engine.error_here(msg.into())
    }

    /// The options of this read.
    pub fn options(&self) -> &ReadOptions {
        self.engine.options()
    }
}

enum Source<'a> {
    Slice(&'a [u8]),
    Shared(Bytes),
}

/// A pickle reader over a byte slice or shared buffer; reads one or several pickles back to back.
///
/// As an [`Iterator`] it yields one graph per pickle until the input ends (or after the first
/// error), like calling `pickle.load(f)` repeatedly on one file.
///
/// ```
/// use bytes::Bytes;
/// use brine_pickle::Reader;
/// // pickle.dumps(b'abc', protocol=3): the payload is a slice of the input, not a copy.
/// let input = Bytes::from_static(b"\x80\x03C\x03abcq\x00.");
/// let mut reader = Reader::from_bytes(input.clone());
/// let g = reader.read_pickle().unwrap();
/// assert_eq!(g.root_ref().unwrap().as_bytes(), Some(&b"abc"[..]));
/// assert!(reader.is_at_end());
/// ```
pub struct Reader<'a> {
    source: Source<'a>,
    pos: usize,
    options: ReadOptions,
    hook: Option<&'a mut dyn ReadHook>,
    buffers_used: usize,
    failed: bool,
    /// Bytes the last pickle read took (none before the first).
    last_len: Option<usize>,
}

impl<'a> Reader<'a> {
    /// A reader over `data` with default options. Byte payloads are copied out of `data`.
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader::with_source(Source::Slice(data))
    }

    fn with_source(source: Source<'a>) -> Reader<'a> {
        Reader {
            source,
            pos: 0,
            options: ReadOptions::default(),
            hook: None,
            buffers_used: 0,
            failed: false,
            last_len: None,
        }
    }

    /// A reader over a shared buffer (e.g. a memory-mapped file): `bytes`, `bytearray` and
    /// Python 2 `str`-as-bytes payloads become zero-copy slices of it, as do hook reads.
    pub fn from_bytes(data: Bytes) -> Reader<'static> {
        Reader::with_source(Source::Shared(data))
    }

    /// Sets the options.
    pub fn with_options(mut self, options: ReadOptions) -> Reader<'a> {
        self.options = options;
        self
    }

    /// Sets a hook called after each `BUILD` on an inert object.
    ///
    /// The reader borrows the hook for `'b`, which may be shorter than the input's lifetime (a
    /// [`Reader::from_bytes`] reader owns its input and can take a hook that lives on the stack).
    pub fn with_hook<'b>(self, hook: &'b mut dyn ReadHook) -> Reader<'b>
    where
        'a: 'b,
    {
        Reader {
            source: self.source,
            pos: self.pos,
            options: self.options,
            hook: Some(hook),
            buffers_used: self.buffers_used,
            failed: self.failed,
            last_len: self.last_len,
        }
    }

    /// The options in use.
    pub fn options(&self) -> &ReadOptions {
        &self.options
    }

    /// The byte offset where the next pickle starts (or where the last error stopped reading).
    pub fn position(&self) -> u64 {
        self.pos as u64
    }

    /// `true` once every byte of the input has been read.
    pub fn is_at_end(&self) -> bool {
        let len = match &self.source {
            Source::Slice(s) => s.len(),
            Source::Shared(b) => b.len(),
        };
        self.pos >= len
    }

    /// Reads the next pickle in the stream.
    pub fn read_pickle(&mut self) -> Result<Graph> {
        let (data, shared): (&[u8], Option<&Bytes>) = match &self.source {
            Source::Slice(s) => (s, None),
            Source::Shared(b) => (b.as_ref(), Some(b)),
        };
        // The first pickle is taken to fill the input (the usual case: one pickle per buffer).
        // After it, the room reserved for the next follows the size of the last one, so that
        // reading many small pickles from one large buffer does not reserve (and give back) room
        // for the whole rest of the buffer each time.
        let expected_len = self
            .last_len
            .map_or(usize::MAX, |last| last.saturating_mul(2).saturating_add(64));
        let hook: Option<&mut dyn ReadHook> = match &mut self.hook {
            Some(h) => Some(&mut **h),
            None => None,
        };
        let start = self.pos;
        let mut at = Position {
            pos: self.pos,
            buffers_used: self.buffers_used,
        };
        let result = read_one(data, shared, &mut at, &self.options, hook, expected_len);
        self.pos = at.pos;
        self.buffers_used = at.buffers_used;
        self.last_len = Some(self.pos.saturating_sub(start));
        if result.is_err() {
            self.failed = true;
        }
        result
    }
}

/// Where a read starts in its input, and after it, where it stopped.
struct Position {
    /// The byte offset.
    pos: usize,
    /// Out-of-band buffers consumed so far.
    buffers_used: usize,
}

/// Reads one pickle from `data` at `at` (see [`Reader::read_pickle`]), expected to take
/// about `expected_len` bytes.
fn read_one(
    data: &[u8],
    shared: Option<&Bytes>,
    at: &mut Position,
    options: &ReadOptions,
    hook: Option<&mut dyn ReadHook>,
    expected_len: usize,
) -> Result<Graph> {
    let start = at.pos;
    let mut graph = Graph::new();
    let mut scratch = Scratch::take();
    let result = {
        let mut vm = Vm::new(
            data,
            shared,
            start,
            options,
            &mut graph,
            &mut scratch,
            expected_len,
        );
        vm.buffers_used = at.buffers_used;
        let result = vm.run(hook);
        at.pos = vm.input.pos;
        at.buffers_used = vm.buffers_used;
        if result.is_ok() {
            vm.keep_shape(at.pos.saturating_sub(start));
        }
        // The stack, marks and memo go back to the scratch, to be kept for the next read (its
        // own state is empty while the machine runs).
        vm.sc.st = vm.st;
        result
    };
    scratch.give_back();
    let root = result?;
    graph.shrink_unused();
    graph.set_root(root);
    Ok(graph)
}

impl Iterator for Reader<'_> {
    type Item = Result<Graph>;

    fn next(&mut self) -> Option<Result<Graph>> {
        if self.failed || self.is_at_end() {
            return None;
        }
        Some(self.read_pickle())
    }
}

/// Reads one pickle from a byte slice (bytes after its `STOP` are ignored, as `pickle.loads`
/// does).
///
/// ```
/// // pickle.dumps('hello', protocol=4): a FRAME of 9 bytes.
/// let data = b"\x80\x04\x95\x09\x00\x00\x00\x00\x00\x00\x00\x8c\x05hello\x94.";
/// let g = brine_pickle::from_slice(data)?;
/// assert_eq!(g.root_ref().and_then(|v| v.as_str()), Some("hello"));
///
/// // A frame announcing more bytes than present is an error, not a panic.
/// let err = brine_pickle::from_slice(b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x2a.");
/// assert!(err.is_err());
/// # Ok::<(), brine_pickle::Error>(())
/// ```
pub fn from_slice(data: &[u8]) -> Result<Graph> {
    // (What `Reader::new(data).read_pickle()` does, without making a reader.)
    let mut at = Position {
        pos: 0,
        buffers_used: 0,
    };
    read_one(data, None, &mut at, &DEFAULT_OPTIONS, None, usize::MAX)
}

/// Reads one pickle from a byte slice with options.
pub fn from_slice_with(data: &[u8], options: ReadOptions) -> Result<Graph> {
    Reader::new(data).with_options(options).read_pickle()
}

/// Reads one pickle from any reader (the stream is read to its end first).
pub fn from_reader<R: Read>(mut reader: R) -> Result<Graph> {
    let mut data = Vec::new();
    reader.read_to_end(&mut data)?;
    Reader::from_bytes(Bytes::from(data)).read_pickle()
}

/// `ErrorKind` shorthand used across the VM.
pub(crate) fn invalid(msg: impl Into<String>) -> ErrorKind {
    ErrorKind::InvalidArgument(msg.into())
}

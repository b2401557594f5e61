//! The reader: a bounded, iterative pickle virtual machine. (Skeleton: being implemented.)

use std::io::Read;

use bytes::Bytes;

use crate::error::{Error, ErrorKind, Result};
use crate::value::{Graph, NodeId};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most nodes a graph may hold.
    pub max_nodes: usize,
    /// Most items on the stack plus marks at once (bounds nesting depth).
    pub max_stack: usize,
    /// Highest memo index accepted.
    pub max_memo_index: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_nodes: 1 << 31,
            max_stack: 1 << 26,
            max_memo_index: 1 << 32,
        }
    }
}

/// Options for reading.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// How Python 2 `str` is decoded.
    pub py2_str: Py2Str,
    /// Map Python 2 module names to Python 3 ones for protocols 0-2 (CPython's `fix_imports`).
    /// `true` unless set otherwise with [`ReadOptions::fix_imports`].
    pub no_fix_imports: bool,
    /// Out-of-band buffers for protocol 5 `NEXT_BUFFER`, in order.
    pub buffers: Option<Vec<Bytes>>,
    /// Resource bounds.
    pub limits: Limits,
}

/// A hook that lets a format built on pickle (joblib) take part in reading.
pub trait ReadHook {
    /// Called right after `BUILD` applied state to the inert object `obj`. The hook may read raw
    /// bytes that follow in the stream and return a node to replace `obj` on the stack.
    fn after_build(&mut self, cx: &mut HookContext<'_>, obj: NodeId) -> Result<Option<NodeId>>;
}

/// What a [`ReadHook`] can reach while the reader runs.
pub struct HookContext<'r> {
    graph: &'r mut Graph,
}

impl HookContext<'_> {
    /// The graph being built.
    pub fn graph(&mut self) -> &mut Graph {
        self.graph
    }
}

/// A pickle reader over a byte slice or shared buffer; reads one or several pickles back to back.
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    options: ReadOptions,
}

impl<'a> Reader<'a> {
    /// A reader over `data` with default options.
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader {
            data,
            pos: 0,
            options: ReadOptions::default(),
        }
    }

    /// Reads the next pickle in the stream.
    pub fn read_pickle(&mut self) -> Result<Graph> {
        let _ = (&self.data, &self.options);
        Err(Error::new(ErrorKind::UnexpectedEof, self.pos as u64, None))
    }
}

/// Reads one pickle from a byte slice.
///
/// ```
/// let g = brine_pickle::from_slice(b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x2a.").unwrap();
/// assert_eq!(g.root_ref().unwrap().as_i64(), Some(42));
/// ```
pub fn from_slice(data: &[u8]) -> Result<Graph> {
    Reader::new(data).read_pickle()
}

/// Reads one pickle from any reader (the stream is read to its end first).
pub fn from_reader<R: Read>(mut reader: R) -> Result<Graph> {
    let mut data = Vec::new();
    reader.read_to_end(&mut data)?;
    from_slice(&data)
}

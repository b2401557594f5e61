//! The value model: every Python value a pickle can describe, held in an arena.
//!
//! A [`Graph`] owns its nodes; a [`NodeId`] names one. Containers hold ids, not values, so a value
//! referenced twice is one node, a list may contain itself, and a "memo bomb" (a pickle whose
//! shared references expand exponentially) costs memory proportional to the pickle. Dropping a graph
//! never recurses.
//!
//! A node is 16 bytes. The items of lists, tuples and sets, the pairs of dicts and the text of
//! strings live in three arenas of the graph ([`Items`], [`Pairs`] and [`Text`] are handles into
//! them), so decoding a million containers makes a handful of allocations rather than a million.
//! Read them through [`Graph::items`], [`Graph::pairs`], [`Graph::text`] or a [`ValueRef`]; walk a
//! node's references with [`Graph::for_each_child`].
//!
//! ```
//! use brine_pickle::{Graph, Node};
//! let mut g = Graph::new();
//! let one = g.push(Node::Int(1));
//! let items = g.new_items(&[one, one]);
//! let list = g.push(Node::List(items));
//! g.set_root(list);
//! let root = g.root_ref().unwrap();
//! assert_eq!(root.as_list().unwrap().len(), 2);
//! assert_eq!(root.item(0).unwrap().as_i64(), Some(1));
//! ```

use std::fmt;
use std::mem::ManuallyDrop;

use bytes::Bytes;
use num_bigint::BigInt;

mod arena;

use arena::{Arena, Run};

/// The name of one node in a [`Graph`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct NodeId(u32);

impl NodeId {
    /// The node's position in its graph.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The id of the node at `index`. Only meaningful for the graph it came from.
    #[inline]
    pub fn from_index(index: usize) -> NodeId {
        NodeId(index as u32)
    }
}

/// A Python `str`, stored losslessly.
///
/// Python strings may hold lone surrogates (`'\ud800'`), which Rust's `str` cannot. CPython pickles
/// them as UTF-8 with the `surrogatepass` error handler; a `PyStr` keeps exactly those bytes, and
/// hands out a `&str` whenever the text is valid Unicode (almost always).
///
/// ```
/// use brine_pickle::PyStr;
/// let s = PyStr::from("héllo");
/// assert_eq!(s.as_str(), Some("héllo"));
/// let lone = PyStr::from_surrogatepass(b"\xed\xa0\x80".to_vec()).unwrap();
/// assert_eq!(lone.as_str(), None);
/// assert_eq!(lone.code_points().collect::<Vec<_>>(), vec![0xD800]);
/// ```
#[derive(Clone)]
pub struct PyStr(StrRepr);

/// Strings up to this many bytes are stored inline, without an allocation of their own.
const INLINE_CAP: usize = 30;

#[derive(Clone)]
enum StrRepr {
    /// Valid UTF-8 of at most [`INLINE_CAP`] bytes (the length, then the bytes).
    Inline(u8, [u8; INLINE_CAP]),
    Utf8(Box<str>),
    Surrogates(Box<[u8]>),
}

impl StrRepr {
    /// Valid UTF-8 of at most [`INLINE_CAP`] bytes, stored inline.
    #[inline]
    fn inline(b: &[u8]) -> StrRepr {
        let mut buf = [0u8; INLINE_CAP];
        if let Some(dst) = buf.get_mut(..b.len()) {
            dst.copy_from_slice(b);
        }
        StrRepr::Inline(b.len() as u8, buf)
    }

    /// Valid UTF-8 text: inline when short.
    #[inline]
    fn text(s: &str) -> StrRepr {
        if s.len() <= INLINE_CAP {
            StrRepr::inline(s.as_bytes())
        } else {
            StrRepr::Utf8(s.into())
        }
    }
}

impl PartialEq for PyStr {
    #[inline]
    fn eq(&self, other: &PyStr) -> bool {
        // Valid UTF-8 and surrogate forms never have the same bytes.
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for PyStr {}

impl std::hash::Hash for PyStr {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl PyStr {
    /// A borrowed view of this string.
    #[inline]
    pub fn view(&self) -> PyStrRef<'_> {
        PyStrRef::from(self)
    }

    /// Takes UTF-8 as CPython writes it with `surrogatepass`: valid UTF-8, or UTF-8 with surrogate
    /// code points encoded as three-byte sequences. Returns the bytes back if they are neither.
    pub fn from_surrogatepass(bytes: Vec<u8>) -> Result<PyStr, Vec<u8>> {
        match String::from_utf8(bytes) {
            Ok(s) => Ok(PyStr::from(s)),
            Err(err) => {
                let bytes = err.into_bytes();
                if decode_surrogatepass(&bytes).is_some() {
                    Ok(PyStr(StrRepr::Surrogates(bytes.into_boxed_slice())))
                } else {
                    Err(bytes)
                }
            }
        }
    }

    /// Builds a string from Unicode code points (surrogates allowed). Returns `None` for a value
    /// above U+10FFFF.
    pub fn from_code_points(points: impl IntoIterator<Item = u32>) -> Option<PyStr> {
        let mut out = Vec::new();
        for cp in points {
            encode_surrogatepass(cp, &mut out)?;
        }
        PyStr::from_surrogatepass(out).ok()
    }

    /// The text, if it is valid Unicode (no lone surrogates).
    #[inline]
    pub fn as_str(&self) -> Option<&str> {
        match &self.0 {
            // Only valid UTF-8 is stored inline, so this check cannot fail.
            StrRepr::Inline(len, buf) => std::str::from_utf8(buf.get(..*len as usize)?).ok(),
            StrRepr::Utf8(s) => Some(s),
            StrRepr::Surrogates(_) => None,
        }
    }

    /// The UTF-8 bytes CPython writes for this string (with `surrogatepass`).
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            StrRepr::Inline(len, buf) => buf.get(..*len as usize).unwrap_or(&[]),
            StrRepr::Utf8(s) => s.as_bytes(),
            StrRepr::Surrogates(b) => b,
        }
    }

    /// The text with any lone surrogate replaced by U+FFFD.
    pub fn to_string_lossy(&self) -> String {
        self.view().to_string_lossy()
    }

    /// The string's code points, as Python sees them (surrogates included).
    pub fn code_points(&self) -> impl Iterator<Item = u32> + '_ {
        self.view().code_points()
    }

    /// The number of code points (Python's `len()`).
    pub fn len_chars(&self) -> usize {
        self.view().len_chars()
    }
}

impl From<&str> for PyStr {
    #[inline]
    fn from(s: &str) -> PyStr {
        PyStr(StrRepr::text(s))
    }
}

impl From<String> for PyStr {
    fn from(s: String) -> PyStr {
        if s.len() <= INLINE_CAP {
            PyStr(StrRepr::text(&s))
        } else {
            PyStr(StrRepr::Utf8(s.into_boxed_str()))
        }
    }
}

impl fmt::Debug for PyStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_string_lossy(), f)
    }
}

/// A borrowed Python `str`: the `surrogatepass` UTF-8 of a string node, or of a [`PyStr`].
///
/// ```
/// use brine_pickle::Graph;
/// let mut g = Graph::new();
/// let id = g.str("héllo");
/// let s = g.value(id).as_pystr().unwrap();
/// assert_eq!(s.as_str(), Some("héllo"));
/// assert_eq!(s.len_chars(), 5);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyStrRef<'a> {
    bytes: &'a [u8],
}

impl<'a> PyStrRef<'a> {
    /// The text, if it is valid Unicode (no lone surrogates).
    #[inline]
    pub fn as_str(self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes).ok()
    }

    /// The UTF-8 bytes CPython writes for this string (with `surrogatepass`).
    #[inline]
    pub fn as_bytes(self) -> &'a [u8] {
        self.bytes
    }

    /// The text with any lone surrogate replaced by U+FFFD.
    pub fn to_string_lossy(self) -> String {
        match self.as_str() {
            Some(s) => s.to_string(),
            None => self
                .code_points()
                .map(|cp| char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect(),
        }
    }

    /// The string's code points, as Python sees them (surrogates included).
    pub fn code_points(self) -> impl Iterator<Item = u32> + 'a {
        let bytes = self.bytes;
        let mut pos = 0;
        std::iter::from_fn(move || {
            let (cp, len) = decode_one(bytes.get(pos..)?)?;
            pos += len;
            Some(cp)
        })
    }

    /// The number of code points (Python's `len()`).
    pub fn len_chars(self) -> usize {
        match self.as_str() {
            Some(s) => s.chars().count(),
            None => self.code_points().count(),
        }
    }

    /// An owned copy.
    pub fn to_owned(self) -> PyStr {
        match self.as_str() {
            Some(s) => PyStr::from(s),
            None => PyStr(StrRepr::Surrogates(self.bytes.into())),
        }
    }
}

impl<'a> From<&'a PyStr> for PyStrRef<'a> {
    fn from(s: &'a PyStr) -> PyStrRef<'a> {
        PyStrRef {
            bytes: s.as_bytes(),
        }
    }
}

impl<'a> From<&'a str> for PyStrRef<'a> {
    fn from(s: &'a str) -> PyStrRef<'a> {
        PyStrRef {
            bytes: s.as_bytes(),
        }
    }
}

impl fmt::Debug for PyStrRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_string_lossy(), f)
    }
}

/// Decodes one code point of surrogatepass UTF-8: (code point, byte length).
fn decode_one(bytes: &[u8]) -> Option<(u32, usize)> {
    let b0 = *bytes.first()? as u32;
    let cont = |i: usize| -> Option<u32> {
        let b = *bytes.get(i)? as u32;
        (b & 0xC0 == 0x80).then_some(b & 0x3F)
    };
    let (cp, len, min) = match b0 {
        0x00..=0x7F => (b0, 1, 0),
        0xC2..=0xDF => (((b0 & 0x1F) << 6) | cont(1)?, 2, 0x80),
        0xE0..=0xEF => (((b0 & 0x0F) << 12) | (cont(1)? << 6) | cont(2)?, 3, 0x800),
        0xF0..=0xF4 => (
            ((b0 & 0x07) << 18) | (cont(1)? << 12) | (cont(2)? << 6) | cont(3)?,
            4,
            0x10000,
        ),
        _ => return None,
    };
    (cp >= min && cp <= 0x10FFFF).then_some((cp, len))
}

/// `true` if `bytes` is `surrogatepass` UTF-8.
pub(crate) fn is_surrogatepass(bytes: &[u8]) -> bool {
    decode_surrogatepass(bytes).is_some()
}

fn decode_surrogatepass(bytes: &[u8]) -> Option<()> {
    let mut pos = 0;
    while pos < bytes.len() {
        let (_, len) = decode_one(bytes.get(pos..)?)?;
        pos += len;
    }
    Some(())
}

/// Appends one code point as surrogatepass UTF-8. `None` above U+10FFFF.
pub(crate) fn encode_surrogatepass(cp: u32, out: &mut Vec<u8>) -> Option<()> {
    match cp {
        0..=0x7F => out.push(cp as u8),
        0x80..=0x7FF => out.extend_from_slice(&[0xC0 | (cp >> 6) as u8, 0x80 | (cp & 0x3F) as u8]),
        0x800..=0xFFFF => out.extend_from_slice(&[
            0xE0 | (cp >> 12) as u8,
            0x80 | ((cp >> 6) & 0x3F) as u8,
            0x80 | (cp & 0x3F) as u8,
        ]),
        0x10000..=0x10FFFF => out.extend_from_slice(&[
            0xF0 | (cp >> 18) as u8,
            0x80 | ((cp >> 12) & 0x3F) as u8,
            0x80 | ((cp >> 6) & 0x3F) as u8,
            0x80 | (cp & 0x3F) as u8,
        ]),
        _ => return None,
    }
    Some(())
}

/// A reference to a module-level object: `module.name`, e.g. `collections.OrderedDict`.
///
/// Names are stored as Python 3 sees them: a protocol 0-2 pickle written by Python 2
/// (`__builtin__.set`) is read as `builtins.set`, as CPython does with `fix_imports`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Global {
    /// The module, e.g. `"collections"`.
    pub module: Box<str>,
    /// The qualified name inside the module, e.g. `"OrderedDict"` or `"Outer.Inner"`.
    pub name: Box<str>,
}

impl Global {
    /// A global from its module and name.
    pub fn new(module: &str, name: &str) -> Global {
        Global {
            module: module.into(),
            name: name.into(),
        }
    }

    /// `true` if this is `module.name`.
    pub fn is(&self, module: &str, name: &str) -> bool {
        &*self.module == module && &*self.name == name
    }
}

/// How an inert object was made: what Python would have called.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectKind {
    /// `REDUCE`: `callable(*args)`. `args` is normally a tuple node.
    Reduce {
        /// The callable (usually a [`Node::Global`]).
        callable: NodeId,
        /// The argument tuple.
        args: NodeId,
    },
    /// `NEWOBJ`: `cls.__new__(cls, *args)`.
    NewObj {
        /// The class (usually a [`Node::Global`]).
        cls: NodeId,
        /// The argument tuple.
        args: NodeId,
    },
    /// `NEWOBJ_EX`: `cls.__new__(cls, *args, **kwargs)`.
    NewObjEx {
        /// The class.
        cls: NodeId,
        /// The argument tuple.
        args: NodeId,
        /// The keyword-argument dict.
        kwargs: NodeId,
    },
    /// `INST` (protocol 0) or `OBJ` (protocol 1): `cls(*args)`, old-style instance creation.
    Instance {
        /// The class (a [`Node::Global`] for `INST`).
        cls: NodeId,
        /// The positional arguments.
        args: Vec<NodeId>,
    },
}

/// An object Brine does not construct: what was called, and what was applied to it afterwards.
///
/// Nothing is ever executed: this is the call, recorded as data, which can be inspected, interpreted
/// by a crate that knows the class (numpy arrays, scikit-learn estimators) or written back.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// The call that created it.
    pub kind: ObjectKind,
    /// The state given to `BUILD` (`__setstate__` or `__dict__` update), if any.
    pub state: Option<NodeId>,
    /// Items appended to it with `APPEND`/`APPENDS` (objects whose reduce returns a list iterator).
    pub list_items: Vec<NodeId>,
    /// Pairs set on it with `SETITEM`/`SETITEMS` (e.g. an `OrderedDict`).
    pub dict_items: Vec<(NodeId, NodeId)>,
}

impl Object {
    /// A fresh object with no state and no items.
    pub fn new(kind: ObjectKind) -> Object {
        Object {
            kind,
            state: None,
            list_items: Vec::new(),
            dict_items: Vec::new(),
        }
    }
}

/// A protocol 5 out-of-band buffer (`NEXT_BUFFER`, possibly made read-only by `READONLY_BUFFER`).
#[derive(Debug, Clone, PartialEq)]
pub struct PickleBuffer {
    /// Position of the buffer among the out-of-band buffers of the pickle.
    pub index: usize,
    /// The data, if the caller supplied the buffers when reading.
    pub data: Option<Bytes>,
    /// `true` once `READONLY_BUFFER` was applied.
    pub readonly: bool,
}

/// The items of a list, tuple, set or frozenset: a handle into its graph's item arena.
///
/// Meaningful only for the graph that made it; [`Graph::items`] gives the ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Items(Run);

/// The key/value pairs of a dict: a handle into its graph's pair arena.
///
/// Meaningful only for the graph that made it; [`Graph::pairs`] gives the pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pairs(Run);

/// The text of a `str` node: a handle into its graph's text heap.
///
/// Meaningful only for the graph that made it; [`Graph::text`] gives the string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Text(Run);

/// Strings from this many bytes up are stored on their own rather than in the text heap.
const OWN_TEXT_FROM: usize = 1 << 16;

/// A `complex`: real and imaginary parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Complex {
    /// The real part.
    pub re: f64,
    /// The imaginary part.
    pub im: f64,
}

/// One Python value. Containers name their items by [`NodeId`].
///
/// A node is 16 bytes: strings, container items and dict pairs live in arenas of the [`Graph`]
/// (so a decoded pickle makes a handful of allocations, not one per container), and the rare
/// large payloads (big ints, bytes, objects) are boxed. Read the contents through the graph
/// ([`Graph::items`], [`Graph::pairs`], [`Graph::text`]) or a [`ValueRef`].
///
/// A container or string node holds a handle: cloning it gives a node that shares the same
/// items (appending to either one leaves the other as it was), and `==` on such nodes compares
/// handles, not contents. [`Graph::import_node`] makes a copy with contents of its own.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `None`.
    None,
    /// `True` or `False`.
    Bool(bool),
    /// An `int` that fits in 64 bits.
    Int(i64),
    /// A `float`.
    Float(f64),
    /// A `str`.
    Str(Text),
    /// A `list`.
    List(Items),
    /// A `tuple`.
    Tuple(Items),
    /// A `dict`, in insertion order. Pairs are kept as the pickle gave them.
    Dict(Pairs),
    /// A `set`, in the order the pickle gave its items.
    Set(Items),
    /// A `frozenset`, in the order the pickle gave its items.
    FrozenSet(Items),
    /// A persistent reference (`PERSID`/`BINPERSID`): the id node, left to the application.
    PersistentId(NodeId),
    /// An object from the `copyreg` extension registry (`EXT1`/`EXT2`/`EXT4`), by code.
    Extension(i32),
    // The variants that own memory come last, so that freeing a graph checks each node with
    // one comparison.
    /// An `int` that does not fit in 64 bits. Never holds a value that fits in `i64`.
    BigInt(Box<BigInt>),
    /// A `complex`.
    Complex(Box<Complex>),
    /// A `bytes` (also Python 2 `str` when read with `encoding="bytes"`).
    Bytes(Box<Bytes>),
    /// A `bytearray`.
    ByteArray(Box<Vec<u8>>),
    /// A reference to a class or function: `module.name`.
    Global(Box<Global>),
    /// An inert object: a recorded call with its state.
    Object(Box<Object>),
    /// A protocol 5 out-of-band buffer.
    Buffer(Box<PickleBuffer>),
}

impl Node {
    /// `true` for the variants that own memory of their own (boxed payloads).
    #[inline]
    fn owns_memory(&self) -> bool {
        matches!(
            self,
            Node::BigInt(_)
                | Node::Complex(_)
                | Node::Bytes(_)
                | Node::ByteArray(_)
                | Node::Global(_)
                | Node::Object(_)
                | Node::Buffer(_)
        )
    }

    /// The Python type name of this node, as `type(x).__name__` would say (`"object"` for inert
    /// objects, whose class is only known by name).
    pub fn type_name(&self) -> &'static str {
        match self {
            Node::None => "NoneType",
            Node::Bool(_) => "bool",
            Node::Int(_) | Node::BigInt(_) => "int",
            Node::Float(_) => "float",
            Node::Complex(..) => "complex",
            Node::Str(_) => "str",
            Node::Bytes(_) => "bytes",
            Node::ByteArray(_) => "bytearray",
            Node::List(_) => "list",
            Node::Tuple(_) => "tuple",
            Node::Dict(_) => "dict",
            Node::Set(_) => "set",
            Node::FrozenSet(_) => "frozenset",
            Node::Global(_) => "global",
            Node::Object(_) => "object",
            Node::PersistentId(_) => "persistent_id",
            Node::Extension(_) => "extension",
            Node::Buffer(_) => "PickleBuffer",
        }
    }

    /// A `bytes` node.
    pub fn bytes(data: impl Into<Bytes>) -> Node {
        Node::Bytes(Box::new(data.into()))
    }

    /// A `bytearray` node.
    pub fn bytearray(data: impl Into<Vec<u8>>) -> Node {
        Node::ByteArray(Box::new(data.into()))
    }

    /// A `complex` node.
    pub fn complex(re: f64, im: f64) -> Node {
        Node::Complex(Box::new(Complex { re, im }))
    }
}

/// An arena of [`Node`]s with an optional root: one decoded pickle, or a value being built.
///
/// Besides the nodes, a graph owns three arenas their handles point into: the item ids of
/// sequences and sets, the pairs of dicts, and the text of strings.
#[derive(Clone, Default)]
pub struct Graph {
    /// (Dropped by `Drop for Graph`, which frees them without a look at each node when none
    /// owns memory.)
    nodes: ManuallyDrop<Vec<Node>>,
    items: Arena<NodeId>,
    pairs: Arena<(NodeId, NodeId)>,
    text: Arena<u8>,
    root: Option<NodeId>,
    /// `false` while no node can own memory (no big int, bytes, object... was added, and no node
    /// was reached mutably): the graph is then freed without looking at each node.
    may_own: bool,
}

impl fmt::Debug for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Graph")
            .field("nodes", &self.nodes.as_slice())
            .field("items", &self.items)
            .field("pairs", &self.pairs)
            .field("text", &self.text)
            .field("root", &self.root)
            .field("may_own", &self.may_own)
            .finish()
    }
}

impl Drop for Graph {
    fn drop(&mut self) {
        // (What is left in the field is an empty `Vec`, which owns nothing.)
        let nodes = std::mem::take(&mut *self.nodes);
        if self.may_own {
            drop(nodes);
        } else {
            // Forgetting a node that owns nothing is the same as dropping it, and the loop
            // compiles to nothing: only the storage is freed.
            nodes.into_iter().for_each(std::mem::forget);
        }
    }
}

static NONE_NODE: Node = Node::None;

/// Unused room up to this many bytes is kept after a decode: giving it back would cost a copy of
/// the values and save next to nothing.
pub(crate) const KEEP_UNUSED: usize = 64;

/// Calls `f` on every id an inert object refers to, in the order of [`Graph::for_each_child`].
fn object_children_mut(obj: &mut Object, mut f: impl FnMut(&mut NodeId)) {
    match &mut obj.kind {
        ObjectKind::Reduce { callable, args } => {
            f(callable);
            f(args);
        }
        ObjectKind::NewObj { cls, args } => {
            f(cls);
            f(args);
        }
        ObjectKind::NewObjEx { cls, args, kwargs } => {
            f(cls);
            f(args);
            f(kwargs);
        }
        ObjectKind::Instance { cls, args } => {
            f(cls);
            args.iter_mut().for_each(&mut f);
        }
    }
    obj.list_items.iter_mut().for_each(&mut f);
    obj.dict_items.iter_mut().for_each(|(k, v)| {
        f(k);
        f(v);
    });
    if let Some(state) = &mut obj.state {
        f(state);
    }
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Graph {
        Graph::default()
    }

    /// An empty graph with room for `n` nodes.
    pub fn with_capacity(n: usize) -> Graph {
        let mut graph = Graph::default();
        graph.nodes.reserve(n);
        graph
    }

    /// Reserves room for `n` more nodes. (Out of line: inlined into the reader's entry, it made
    /// `MICRO_DICT` decode 27% slower in time with the same instructions.)
    #[inline(never)]
    pub(crate) fn reserve_nodes(&mut self, n: usize) {
        if self.nodes.capacity() == 0 {
            // (A new graph: allocated straight away, without the checks of growing. The empty
            // vector replaced owns no memory: forgetting it spares a look at its nodes.)
            std::mem::forget(std::mem::replace(&mut *self.nodes, Vec::with_capacity(n)));
        } else {
            self.nodes.reserve(n);
        }
    }

    /// Adds a node and returns its id.
    #[inline(always)]
    pub fn push(&mut self, node: Node) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        self.may_own |= node.owns_memory();
        self.nodes.push(node);
        id
    }

    /// Adds numbers (nodes that own no memory) in one go and returns the id of the first: with
    /// an iterator of known length, a single reservation and a store per node.
    #[inline(always)]
    pub(crate) fn push_numbers(&mut self, nodes: impl Iterator<Item = Node>) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.extend(nodes);
        // (`may_own` is left as it is: checked here in debug builds.)
        debug_assert!(self
            .nodes
            .get(id.index()..)
            .is_some_and(|added| added.iter().all(|n| !n.owns_memory())));
        id
    }

    /// The node with this id.
    ///
    /// Ids come from this graph; an id from elsewhere that is out of range yields `Node::None`.
    #[inline]
    pub fn get(&self, id: NodeId) -> &Node {
        self.nodes.get(id.index()).unwrap_or(&NONE_NODE)
    }

    /// The node with this id, mutably (`None` if out of range).
    #[inline]
    pub fn get_mut(&mut self, id: NodeId) -> Option<&mut Node> {
        // The caller may store any node there.
        self.may_own = true;
        self.nodes.get_mut(id.index())
    }

    /// Replaces a node, keeping its id (and so every reference to it).
    pub fn replace(&mut self, id: NodeId, node: Node) -> Option<Node> {
        self.may_own |= node.owns_memory();
        self.nodes
            .get_mut(id.index())
            .map(|slot| std::mem::replace(slot, node))
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// `true` if the graph has no nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// All nodes, in creation order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The root: the value of the pickle.
    pub fn root(&self) -> Option<NodeId> {
        self.root
    }

    /// Sets the root.
    pub fn set_root(&mut self, id: NodeId) {
        self.root = Some(id);
    }

    /// A typed view of a node.
    pub fn value(&self, id: NodeId) -> ValueRef<'_> {
        ValueRef { graph: self, id }
    }

    /// A typed view of the root.
    pub fn root_ref(&self) -> Option<ValueRef<'_>> {
        self.root.map(|id| self.value(id))
    }

    // --- arenas ---------------------------------------------------------------------------------

    /// The item ids behind an [`Items`] handle.
    #[inline]
    pub fn items(&self, items: Items) -> &[NodeId] {
        self.items.get(items.0)
    }

    /// The pairs behind a [`Pairs`] handle.
    #[inline]
    pub fn pairs(&self, pairs: Pairs) -> &[(NodeId, NodeId)] {
        self.pairs.get(pairs.0)
    }

    /// The string behind a [`Text`] handle.
    #[inline]
    pub fn text(&self, text: Text) -> PyStrRef<'_> {
        PyStrRef {
            bytes: self.text.get(text.0),
        }
    }

    /// Gives back the room reserved for nodes and arenas where more than half of it went unused
    /// (the reader reserves from the input size, which over-estimates for bytes-heavy data).
    pub(crate) fn shrink_unused(&mut self) {
        if self.nodes.len() < self.nodes.capacity() / 2
            && (self.nodes.capacity() - self.nodes.len()) * size_of::<Node>() > KEEP_UNUSED
        {
            self.shrink_nodes();
        }
        self.items.shrink_unused();
        self.pairs.shrink_unused();
        self.text.shrink_unused();
    }

    #[inline(never)]
    fn shrink_nodes(&mut self) {
        self.nodes.shrink_to_fit();
    }

    /// How much of each vector this graph uses: nodes, container items, dict pairs and bytes of
    /// string text (moved runs' old copies included), for sizing the next decode (see
    /// `Vm::new`) and the output of a write.
    pub(crate) fn shape(&self) -> [usize; 4] {
        [
            self.nodes.len(),
            self.items.shared_len(),
            self.pairs.shared_len(),
            self.text.shared_len(),
        ]
    }

    /// Stores a run of item ids and returns its handle.
    #[inline]
    pub fn new_items(&mut self, ids: &[NodeId]) -> Items {
        Items(self.items.alloc(ids, usize::MAX))
    }

    /// Stores a run of pairs and returns its handle.
    #[inline]
    pub fn new_pairs(&mut self, pairs: &[(NodeId, NodeId)]) -> Pairs {
        Pairs(self.pairs.alloc(pairs, usize::MAX))
    }

    /// Stores the `surrogatepass` UTF-8 of a string, which the caller checked.
    #[inline]
    pub(crate) fn new_text_bytes(&mut self, bytes: &[u8]) -> Text {
        Text(self.text.alloc(bytes, OWN_TEXT_FROM))
    }

    /// The `N` bytes of the text heap from the start of `text`, when there are that many: a
    /// fixed-size window a writer can copy for a short string.
    #[inline]
    pub(crate) fn text_window<const N: usize>(&self, text: Text) -> Option<&[u8; N]> {
        self.text.window(text.0)
    }

    /// A string of at most `N` bytes as a window of the text heap (see [`Graph::text_window`])
    /// and its length in bytes.
    #[inline]
    pub(crate) fn short_text<const N: usize>(&self, text: Text) -> Option<(&[u8; N], usize)> {
        self.text.short(text.0)
    }

    /// Stores the first `len` bytes of `window` as a string (checked by the caller).
    #[inline(always)]
    pub(crate) fn new_short_text<const N: usize>(&mut self, window: &[u8; N], len: usize) -> Text {
        Text(self.text.alloc_window(window, len))
    }

    /// Stores a string and returns its handle.
    pub fn new_text(&mut self, s: PyStrRef<'_>) -> Text {
        self.new_text_bytes(s.as_bytes())
    }

    /// Sets how much room the arenas take when first used: `items` container items, `pairs` dict
    /// pairs and `text` bytes of strings (an arena that is never used allocates nothing).
    pub fn size_hint_arenas(&mut self, items: usize, pairs: usize, text: usize) {
        self.items.hint(items);
        self.pairs.hint(pairs);
        self.text.hint(text);
    }

    /// Appends items to the list or set `id` (or the `list_items` of an inert object); `false`
    /// if the node is none of these. Appending is amortized constant time however the
    /// containers of a graph grow in turn.
    pub fn extend_items(&mut self, id: NodeId, new: &[NodeId]) -> bool {
        match self.nodes.get_mut(id.index()) {
            Some(Node::List(run) | Node::Set(run)) => {
                self.items.extend(&mut run.0, new);
                true
            }
            Some(Node::Object(obj)) => {
                obj.list_items.extend_from_slice(new);
                true
            }
            _ => false,
        }
    }

    /// Appends items to the list `id`; `false` (and nothing changed) if it is not a list.
    #[inline]
    pub(crate) fn extend_list(&mut self, id: NodeId, new: &[NodeId]) -> bool {
        match self.nodes.get_mut(id.index()) {
            Some(Node::List(run)) => {
                self.items.extend(&mut run.0, new);
                true
            }
            _ => false,
        }
    }

    /// Gives the list `id`, when it has no items yet, the `items` (as `APPENDS` would);
    /// `false` (and nothing changed) otherwise.
    #[inline]
    pub(crate) fn fill_fresh_list(&mut self, id: NodeId, items: &[NodeId]) -> bool {
        match self.nodes.get_mut(id.index()) {
            Some(Node::List(run)) if Arena::<NodeId>::is_fresh(run.0) => {
                run.0 = self.items.alloc(items, usize::MAX);
                true
            }
            _ => false,
        }
    }

    /// Gives the dict `id`, when it has no pairs yet, the pairs `flat` holds as key, value, key,
    /// value... (an even count); `false` (and nothing changed) otherwise.
    #[inline]
    pub(crate) fn fill_fresh_dict(&mut self, id: NodeId, flat: &[NodeId]) -> bool {
        match self.nodes.get_mut(id.index()) {
            Some(Node::Dict(run)) if Arena::<(NodeId, NodeId)>::is_fresh(run.0) => {
                let pairs = flat.chunks_exact(2).map(|kv| (kv[0], kv[1]));
                run.0 = self.pairs.alloc_iter(flat.len() / 2, pairs);
                true
            }
            _ => false,
        }
    }

    /// Appends pairs to the dict `id` (or the `dict_items` of an inert object); `false` if the
    /// node is neither.
    pub fn extend_pairs(&mut self, id: NodeId, new: &[(NodeId, NodeId)]) -> bool {
        match self.nodes.get_mut(id.index()) {
            Some(Node::Dict(run)) => {
                self.pairs.extend(&mut run.0, new);
                true
            }
            Some(Node::Object(obj)) => {
                obj.dict_items.extend_from_slice(new);
                true
            }
            _ => false,
        }
    }

    /// Calls `f` on every node `id` refers to directly: container items, dict keys and values,
    /// an object's call, arguments, items and state, a persistent id's value.
    ///
    /// ```
    /// use brine_pickle::Graph;
    /// let mut g = Graph::new();
    /// let a = g.int(1);
    /// let b = g.str("x");
    /// let t = g.tuple(vec![a, b]);
    /// let mut seen = Vec::new();
    /// g.for_each_child(t, |c| seen.push(c));
    /// assert_eq!(seen, vec![a, b]);
    /// ```
    pub fn for_each_child(&self, id: NodeId, mut f: impl FnMut(NodeId)) {
        match self.get(id) {
            Node::List(v) | Node::Tuple(v) | Node::Set(v) | Node::FrozenSet(v) => {
                self.items(*v).iter().copied().for_each(f)
            }
            Node::Dict(p) => self.pairs(*p).iter().for_each(|&(k, v)| {
                f(k);
                f(v);
            }),
            Node::Object(obj) => {
                match &obj.kind {
                    ObjectKind::Reduce { callable, args } => {
                        f(*callable);
                        f(*args);
                    }
                    ObjectKind::NewObj { cls, args } => {
                        f(*cls);
                        f(*args);
                    }
                    ObjectKind::NewObjEx { cls, args, kwargs } => {
                        f(*cls);
                        f(*args);
                        f(*kwargs);
                    }
                    ObjectKind::Instance { cls, args } => {
                        f(*cls);
                        args.iter().copied().for_each(&mut f);
                    }
                }
                obj.list_items.iter().copied().for_each(&mut f);
                obj.dict_items.iter().for_each(|&(k, v)| {
                    f(k);
                    f(v);
                });
                if let Some(state) = obj.state {
                    f(state);
                }
            }
            Node::PersistentId(pid) => f(*pid),
            _ => {}
        }
    }

    /// Calls `f` on every child slot of node `id`, mutably, in the order of
    /// [`Graph::for_each_child`]: the way to point a node's references elsewhere. A container's
    /// items or pairs are copied to a run of their own first, so a node that shared them (a
    /// clone) keeps its references.
    ///
    /// ```
    /// use brine_pickle::Graph;
    /// let mut g = Graph::new();
    /// let (a, b) = (g.int(1), g.int(2));
    /// let l = g.list(vec![a, a]);
    /// g.for_each_child_mut(l, |c| *c = b);
    /// assert_eq!(g.value(l).as_list(), Some(&[b, b][..]));
    /// ```
    pub fn for_each_child_mut(&mut self, id: NodeId, mut f: impl FnMut(&mut NodeId)) {
        match self.nodes.get_mut(id.index()) {
            Some(Node::List(v) | Node::Tuple(v) | Node::Set(v) | Node::FrozenSet(v)) => {
                let mut ids = self.items.get(v.0).to_vec();
                ids.iter_mut().for_each(f);
                *v = Items(self.items.alloc(&ids, usize::MAX));
            }
            Some(Node::Dict(p)) => {
                let mut pairs = self.pairs.get(p.0).to_vec();
                pairs.iter_mut().for_each(|(k, v)| {
                    f(k);
                    f(v);
                });
                *p = Pairs(self.pairs.alloc(&pairs, usize::MAX));
            }
            Some(Node::Object(obj)) => object_children_mut(obj, f),
            Some(Node::PersistentId(pid)) => f(pid),
            _ => {}
        }
    }

    /// A copy of node `id` of graph `src` that is valid in this graph (its items, pairs and text
    /// copied into this graph's arenas), with every child id passed through `map`.
    ///
    /// ```
    /// use brine_pickle::{Graph, Node};
    /// let mut src = Graph::new();
    /// let s = src.str("x");
    /// let l = src.list(vec![s]);
    /// let mut dst = Graph::new();
    /// let s2 = dst.str("y");
    /// let node = dst.import_node(&src, l, |_| s2);
    /// let l2 = dst.push(node);
    /// assert_eq!(dst.value(l2).item(0).unwrap().as_str(), Some("y"));
    /// ```
    pub fn import_node(
        &mut self,
        src: &Graph,
        id: NodeId,
        mut map: impl FnMut(NodeId) -> NodeId,
    ) -> Node {
        let mut ids =
            |run: Items| -> Vec<NodeId> { src.items(run).iter().map(|&c| map(c)).collect() };
        match src.get(id) {
            Node::List(v) => Node::List(self.new_items(&ids(*v))),
            Node::Tuple(v) => Node::Tuple(self.new_items(&ids(*v))),
            Node::Set(v) => Node::Set(self.new_items(&ids(*v))),
            Node::FrozenSet(v) => Node::FrozenSet(self.new_items(&ids(*v))),
            Node::Dict(p) => {
                let pairs: Vec<(NodeId, NodeId)> = src
                    .pairs(*p)
                    .iter()
                    .map(|&(k, v)| (map(k), map(v)))
                    .collect();
                Node::Dict(self.new_pairs(&pairs))
            }
            Node::Str(t) => Node::Str(self.new_text(src.text(*t))),
            Node::Object(obj) => {
                let mut obj = obj.clone();
                object_children_mut(&mut obj, |c| *c = map(*c));
                Node::Object(obj)
            }
            Node::PersistentId(pid) => Node::PersistentId(map(*pid)),
            other => other.clone(),
        }
    }

    // --- builders -------------------------------------------------------------------------------

    /// Adds `None`.
    pub fn none(&mut self) -> NodeId {
        self.push(Node::None)
    }
    /// Adds a bool.
    pub fn bool(&mut self, v: bool) -> NodeId {
        self.push(Node::Bool(v))
    }
    /// Adds an int.
    pub fn int(&mut self, v: i64) -> NodeId {
        self.push(Node::Int(v))
    }
    /// Adds an int of any size (stored as [`Node::Int`] when it fits).
    pub fn bigint(&mut self, v: BigInt) -> NodeId {
        match i64::try_from(&v) {
            Ok(small) => self.push(Node::Int(small)),
            Err(_) => self.push(Node::BigInt(Box::new(v))),
        }
    }
    /// Adds a float.
    pub fn float(&mut self, v: f64) -> NodeId {
        self.push(Node::Float(v))
    }
    /// Adds a complex number.
    pub fn complex(&mut self, re: f64, im: f64) -> NodeId {
        self.push(Node::complex(re, im))
    }
    /// Adds a str.
    pub fn str(&mut self, v: &str) -> NodeId {
        let text = self.new_text_bytes(v.as_bytes());
        self.push(Node::Str(text))
    }
    /// Adds a str that may hold lone surrogates.
    pub fn pystr(&mut self, v: &PyStr) -> NodeId {
        let text = self.new_text_bytes(v.as_bytes());
        self.push(Node::Str(text))
    }
    /// Adds bytes.
    pub fn bytes(&mut self, v: &[u8]) -> NodeId {
        self.push(Node::bytes(Bytes::copy_from_slice(v)))
    }
    /// Adds a list of existing nodes.
    pub fn list(&mut self, items: impl AsRef<[NodeId]>) -> NodeId {
        let run = self.new_items(items.as_ref());
        self.push(Node::List(run))
    }
    /// Adds a tuple of existing nodes.
    pub fn tuple(&mut self, items: impl AsRef<[NodeId]>) -> NodeId {
        let run = self.new_items(items.as_ref());
        self.push(Node::Tuple(run))
    }
    /// Adds a dict of existing nodes.
    pub fn dict(&mut self, pairs: impl AsRef<[(NodeId, NodeId)]>) -> NodeId {
        let run = self.new_pairs(pairs.as_ref());
        self.push(Node::Dict(run))
    }
    /// Adds a set of existing nodes.
    pub fn set(&mut self, items: impl AsRef<[NodeId]>) -> NodeId {
        let run = self.new_items(items.as_ref());
        self.push(Node::Set(run))
    }
    /// Adds a frozenset of existing nodes.
    pub fn frozenset(&mut self, items: impl AsRef<[NodeId]>) -> NodeId {
        let run = self.new_items(items.as_ref());
        self.push(Node::FrozenSet(run))
    }
    /// Adds a global reference `module.name`.
    pub fn global(&mut self, module: &str, name: &str) -> NodeId {
        self.push(Node::Global(Box::new(Global::new(module, name))))
    }
    /// Adds an inert object.
    pub fn object(&mut self, object: Object) -> NodeId {
        self.push(Node::Object(Box::new(object)))
    }
}

/// A node together with its graph: typed accessors that follow references.
///
/// ```
/// use brine_pickle::Graph;
/// let mut g = Graph::new();
/// let k = g.str("a");
/// let v = g.float(2.5);
/// let d = g.dict(vec![(k, v)]);
/// let d = g.value(d);
/// assert_eq!(d.get("a").and_then(|v| v.as_f64()), Some(2.5));
/// ```
#[derive(Clone, Copy)]
pub struct ValueRef<'g> {
    graph: &'g Graph,
    id: NodeId,
}

impl<'g> ValueRef<'g> {
    /// The node's id.
    pub fn id(&self) -> NodeId {
        self.id
    }
    /// The graph it lives in.
    pub fn graph(&self) -> &'g Graph {
        self.graph
    }
    /// The node itself.
    pub fn node(&self) -> &'g Node {
        self.graph.get(self.id)
    }
    fn at(&self, id: NodeId) -> ValueRef<'g> {
        ValueRef {
            graph: self.graph,
            id,
        }
    }

    /// `true` for `None`.
    pub fn is_none(&self) -> bool {
        matches!(self.node(), Node::None)
    }
    /// The bool, for `True`/`False`.
    pub fn as_bool(&self) -> Option<bool> {
        match self.node() {
            Node::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// The int, if it fits in `i64` (bools count, as in Python).
    pub fn as_i64(&self) -> Option<i64> {
        match self.node() {
            Node::Int(v) => Some(*v),
            Node::Bool(b) => Some(*b as i64),
            _ => None,
        }
    }
    /// The int at any size (bools count, as in Python).
    pub fn as_bigint(&self) -> Option<BigInt> {
        match self.node() {
            Node::Int(v) => Some(BigInt::from(*v)),
            Node::Bool(b) => Some(BigInt::from(*b as i64)),
            Node::BigInt(v) => Some((**v).clone()),
            _ => None,
        }
    }
    /// The number as a float: floats, ints and bools, as Python's `float()` would take them.
    pub fn as_f64(&self) -> Option<f64> {
        match self.node() {
            Node::Float(v) => Some(*v),
            Node::Int(v) => Some(*v as f64),
            Node::Bool(b) => Some(*b as i64 as f64),
            Node::BigInt(v) => num_traits::ToPrimitive::to_f64(&**v),
            _ => None,
        }
    }
    /// The text of a `str` that is valid Unicode.
    pub fn as_str(&self) -> Option<&'g str> {
        self.as_pystr()?.as_str()
    }
    /// The `str` itself, lone surrogates and all.
    pub fn as_pystr(&self) -> Option<PyStrRef<'g>> {
        match self.node() {
            Node::Str(t) => Some(self.graph.text(*t)),
            _ => None,
        }
    }
    /// The data of `bytes` or a `bytearray`.
    pub fn as_bytes(&self) -> Option<&'g [u8]> {
        match self.node() {
            Node::Bytes(b) => Some(b),
            Node::ByteArray(b) => Some(b),
            _ => None,
        }
    }
    /// The item ids of a list, tuple, set or frozenset.
    pub fn as_list(&self) -> Option<&'g [NodeId]> {
        match self.node() {
            Node::List(v) | Node::Tuple(v) | Node::Set(v) | Node::FrozenSet(v) => {
                Some(self.graph.items(*v))
            }
            _ => None,
        }
    }
    /// The items of a list, tuple, set or frozenset, as views.
    pub fn items(&self) -> impl Iterator<Item = ValueRef<'g>> + 'g {
        let graph = self.graph;
        self.as_list()
            .unwrap_or(&[])
            .iter()
            .map(move |&id| ValueRef { graph, id })
    }
    /// Item `i` of a list, tuple, set or frozenset.
    pub fn item(&self, i: usize) -> Option<ValueRef<'g>> {
        self.as_list()?.get(i).map(|&id| self.at(id))
    }
    /// The pairs of a dict (or the items set on an inert object, e.g. an `OrderedDict`).
    pub fn as_dict(&self) -> Option<&'g [(NodeId, NodeId)]> {
        match self.node() {
            Node::Dict(pairs) => Some(self.graph.pairs(*pairs)),
            Node::Object(obj) if !obj.dict_items.is_empty() => Some(&obj.dict_items),
            _ => None,
        }
    }
    /// The pairs of a dict, as views.
    pub fn pairs(&self) -> impl Iterator<Item = (ValueRef<'g>, ValueRef<'g>)> + 'g {
        let graph = self.graph;
        self.as_dict()
            .unwrap_or(&[])
            .iter()
            .map(move |&(k, v)| (ValueRef { graph, id: k }, ValueRef { graph, id: v }))
    }
    /// The value for a `str` key in a dict (the last one, if the pickle set it twice).
    pub fn get(&self, key: &str) -> Option<ValueRef<'g>> {
        self.as_dict()?
            .iter()
            .rev()
            .find(|(k, _)| self.at(*k).as_str() == Some(key))
            .map(|&(_, v)| self.at(v))
    }
    /// The global reference, for a class or function.
    pub fn as_global(&self) -> Option<&'g Global> {
        match self.node() {
            Node::Global(g) => Some(g),
            _ => None,
        }
    }
    /// The inert object.
    pub fn as_object(&self) -> Option<&'g Object> {
        match self.node() {
            Node::Object(o) => Some(o),
            _ => None,
        }
    }
    /// The class of an inert object, where the pickle names it: the class of `NEWOBJ`/`NEWOBJ_EX`/
    /// `INST`/`OBJ`, the first argument of `copyreg._reconstructor` or `copyreg.__newobj__`, or else
    /// the callable of `REDUCE` (e.g. `collections.OrderedDict`, `numpy.core.multiarray._reconstruct`).
    pub fn class(&self) -> Option<&'g Global> {
        let obj = self.as_object()?;
        let cls = match &obj.kind {
            ObjectKind::NewObj { cls, .. }
            | ObjectKind::NewObjEx { cls, .. }
            | ObjectKind::Instance { cls, .. } => *cls,
            ObjectKind::Reduce { callable, args } => {
                let callable_ref = self.at(*callable);
                let global = callable_ref.as_global()?;
                if global.is("copyreg", "_reconstructor") || global.is("copyreg", "__newobj__") {
                    self.at(*args).item(0)?.id
                } else {
                    *callable
                }
            }
        };
        self.at(cls).as_global()
    }
    /// The state given to `BUILD` for an inert object.
    pub fn state(&self) -> Option<ValueRef<'g>> {
        self.as_object()?.state.map(|id| self.at(id))
    }
    /// The arguments of an inert object's call (the tuple node for `REDUCE`/`NEWOBJ`).
    pub fn args(&self) -> Option<ValueRef<'g>> {
        match &self.as_object()?.kind {
            ObjectKind::Reduce { args, .. }
            | ObjectKind::NewObj { args, .. }
            | ObjectKind::NewObjEx { args, .. } => Some(self.at(*args)),
            ObjectKind::Instance { .. } => None,
        }
    }
}

impl fmt::Debug for ValueRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ValueRef({:?}: {:?})", self.id, self.node().type_name())
    }
}

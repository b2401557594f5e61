//! Writing joblib files: each numpy array of the graph becomes a `NumpyArrayWrapper` followed by
//! its raw bytes (with joblib >= 1.2's alignment padding), or by a nested pickle for object arrays,
//! exactly as joblib 1.6 writes them; then the whole stream optionally compressed.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use brine_numpy::pickle::{array_form, ArrayForm};
use brine_numpy::ArrayData;
use brine_pickle::write::{WriteContext, WriteHook};
use brine_pickle::{Graph, Node, NodeId, Object, ObjectKind, WriteOptions, Writer};
use bytes::Bytes;

use crate::compress::{Compression, CountingWriter, Encoder, ProgressFn};
use crate::error::{JoblibError, Result};
use crate::graph::copy_subgraph;

/// joblib's `NUMPY_ARRAY_ALIGNMENT_BYTES`.
const ALIGNMENT: u64 = 16;

/// Options for [`dump`].
#[derive(Clone)]
pub struct DumpOptions {
    /// joblib's `compress` argument (default `0`: none, unless the file name's extension asks).
    pub compress: Compression,
    /// The pickle protocol (default 4, what joblib uses on Python 3.8-3.13). Protocol 2 and 3 files
    /// load in every Python 3; 5 needs Python 3.8.
    pub protocol: u8,
    /// Write joblib >= 1.2's alignment padding so arrays start at multiples of 16 bytes (default
    /// `true`, as joblib 1.2-1.6 write). `false` writes the joblib 0.10-1.1 layout, which every
    /// joblib >= 0.10 reads.
    pub align: bool,
    /// Called with (bytes written, total) while writing (uncompressed bytes).
    pub progress: Option<ProgressFn>,
}

impl Default for DumpOptions {
    fn default() -> DumpOptions {
        DumpOptions {
            compress: Compression::default(),
            protocol: 4,
            align: true,
            progress: None,
        }
    }
}

impl fmt::Debug for DumpOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DumpOptions")
            .field("compress", &self.compress)
            .field("protocol", &self.protocol)
            .field("align", &self.align)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// What follows a wrapper's `BUILD`.
#[derive(Clone)]
enum Payload {
    /// Raw array bytes (padding first when aligned).
    Raw(Bytes),
    /// A complete nested pickle (object arrays).
    Pickle(Bytes),
}

impl Payload {
    fn len(&self) -> u64 {
        match self {
            Payload::Raw(b) | Payload::Pickle(b) => b.len() as u64,
        }
    }
}

/// The graph to write, with arrays replaced by wrappers, and what to write after each wrapper.
struct Prepared {
    graph: Graph,
    payloads: HashMap<NodeId, Payload>,
    total: u64,
}

/// Nodes reachable from the root, not descending into arrays (their insides are written as raw
/// bytes or a nested pickle).
fn reachable(graph: &Graph) -> Vec<NodeId> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut stack: Vec<NodeId> = graph.root().into_iter().collect();
    while let Some(id) = stack.pop() {
        if id.index() >= graph.len() || !seen.insert(id) {
            continue;
        }
        out.push(id);
        if is_wrapped_array(graph, id) {
            continue;
        }
        graph.for_each_child(id, |c| stack.push(c));
    }
    out
}

/// `true` for the array forms joblib wraps (`ndarray` and subclasses; numpy scalars are pickled
/// normally).
fn is_wrapped_array(graph: &Graph, id: NodeId) -> bool {
    matches!(
        array_form(graph, id),
        Some(ArrayForm::Reconstruct | ArrayForm::FromBuffer)
    )
}

fn prepare(src: &Graph, options: &DumpOptions) -> Result<Prepared> {
    let mut graph = src.clone();
    let nodes = reachable(src);
    let arrays: Vec<NodeId> = nodes
        .iter()
        .copied()
        .filter(|&id| is_wrapped_array(src, id))
        .collect();
    // joblib >= 1.5 pickles object arrays at protocol 5 (1.4 and older: 2). Protocol 5 needs
    // Python 3.8, as every joblib writing protocol 4 does; older outer protocols keep 2.
    let nested_protocol = if options.protocol >= 4 { 5 } else { 2 };
    let mut payloads = HashMap::new();
    let mut total = 0u64;
    // Shared pieces of every wrapper.
    let cls = graph.global("joblib.numpy_pickle", "NumpyArrayWrapper");
    let empty = graph.tuple(Vec::new());
    let keys: Vec<NodeId> = [
        "subclass",
        "shape",
        "order",
        "dtype",
        "allow_mmap",
        "numpy_array_alignment_bytes",
    ]
    .iter()
    .map(|k| graph.str(k))
    .collect();
    let (order_c, order_f) = (graph.str("C"), graph.str("F"));
    let alignment = graph.int(ALIGNMENT as i64);
    for &id in &arrays {
        let array = brine_numpy::array_from_node(src, id)?;
        let subclass = match &graph.get(id) {
            Node::Object(obj) => match (&obj.kind, array_form(src, id)) {
                (ObjectKind::Reduce { args, .. }, Some(ArrayForm::Reconstruct)) => src
                    .value(*args)
                    .item(0)
                    .and_then(|c| c.as_global())
                    .map(|g| (g.module.to_string(), g.name.to_string())),
                _ => None,
            },
            _ => None,
        };
        let (module, name) = match subclass {
            Some((m, n)) if m != "numpy" || n != "memmap" => (m, n),
            _ => ("numpy".to_string(), "ndarray".to_string()),
        };
        let subclass = graph.global(&module, &name);
        let dims: Vec<NodeId> = array.shape.iter().map(|&d| graph.int(d as i64)).collect();
        let shape = graph.tuple(dims);
        let fortran = array.writes_fortran_flag();
        // Keep the array's own dtype node, so arrays sharing a dtype object share it in the file
        // (memoized, as Python's pickler does for numpy's dtype singletons).
        let dtype = match brine_numpy::pickle::dtype_node(src, id) {
            Some(d) if brine_numpy::DType::from_node(src, d).is_ok_and(|t| t == array.dtype) => d,
            _ => array.dtype.to_node(&mut graph),
        };
        let has_object = array.dtype.has_object();
        let allow_mmap = graph.bool(!has_object);
        let mut pairs = vec![
            (keys[0], subclass),
            (keys[1], shape),
            (keys[2], if fortran { order_f } else { order_c }),
            (keys[3], dtype),
            (keys[4], allow_mmap),
        ];
        if options.align {
            pairs.push((keys[5], alignment));
        }
        let state = graph.dict(pairs);
        let payload = match &array.data {
            ArrayData::Raw(bytes) => Payload::Raw(bytes.clone()),
            ArrayData::Objects(_) => {
                // joblib: pickle.dump(array, file, protocol=...) — numpy's own form, own memo.
                let mut sub = Graph::new();
                let map = copy_subgraph(src, &[id], &mut sub);
                if let Some(&root) = map.get(&id) {
                    sub.set_root(root);
                }
                let bytes = brine_pickle::to_vec(&sub, &WriteOptions::protocol(nested_protocol))?;
                Payload::Pickle(Bytes::from(bytes))
            }
        };
        total = total.saturating_add(payload.len());
        let mut wrapper = Object::new(ObjectKind::NewObj { cls, args: empty });
        wrapper.state = Some(state);
        graph.replace(id, Node::Object(Box::new(wrapper)));
        payloads.insert(id, payload);
    }
    // joblib never memoizes arrays: a second reference must be a second wrapper (a memo reference
    // to the first would load as the wrapper object itself). Give every extra reference its own copy.
    let mut seen: HashSet<NodeId> = graph.root().into_iter().collect();
    let mut extra: Vec<(NodeId, NodeId)> = Vec::new();
    for &id in &nodes {
        if payloads.contains_key(&id) {
            continue;
        }
        let mut children = Vec::new();
        graph.for_each_child(id, |c| children.push(c));
        // The new node of each child slot (in `for_each_child` order), where it changes.
        let mut copies: Vec<Option<NodeId>> = Vec::with_capacity(children.len());
        for child in children {
            if payloads.contains_key(&child) && !seen.insert(child) {
                // A wrapper is an inert object: its clone refers to the same nodes.
                let copy = graph.push(graph.get(child).clone());
                extra.push((copy, child));
                copies.push(Some(copy));
            } else {
                copies.push(None);
            }
        }
        if copies.iter().any(Option::is_some) {
            let mut slots = copies.into_iter();
            graph.for_each_child_mut(id, |slot| {
                if let Some(Some(copy)) = slots.next() {
                    *slot = copy;
                }
            });
        }
    }
    for (copy, original) in extra {
        if let Some(payload) = payloads.get(&original).cloned() {
            total = total.saturating_add(payload.len());
            payloads.insert(copy, payload);
        }
    }
    Ok(Prepared {
        graph,
        payloads,
        total,
    })
}

/// Writes each array's payload right after its wrapper's `BUILD`.
struct ArrayWriter<'p> {
    payloads: &'p HashMap<NodeId, Payload>,
    align: bool,
}

impl WriteHook for ArrayWriter<'_> {
    fn after_build(&mut self, cx: &mut WriteContext<'_>, node: NodeId) -> brine_pickle::Result<()> {
        let Some(payload) = self.payloads.get(&node) else {
            return Ok(());
        };
        // As joblib: the wrapper's BUILD ends a frame, the raw bytes follow outside any frame.
        cx.commit_frame()?;
        match payload {
            Payload::Raw(bytes) => {
                if self.align {
                    // One byte p, then p bytes 0xff, so the data starts at a multiple of 16.
                    let pad = ALIGNMENT - (cx.position().wrapping_add(1) % ALIGNMENT);
                    let mut head = Vec::with_capacity(17);
                    head.push(pad as u8);
                    head.resize(1 + pad as usize, 0xff);
                    cx.write_raw(&head)?;
                }
                cx.write_raw(bytes)?;
            }
            Payload::Pickle(bytes) => cx.write_raw(bytes)?,
        }
        Ok(())
    }
}

fn write_with<W: Write>(
    graph: &Graph,
    out: W,
    method: Option<(crate::compress::Method, u32)>,
    options: &DumpOptions,
) -> Result<W> {
    if options.protocol > 5 {
        return Err(JoblibError::Unsupported(format!(
            "pickle protocol {} (0 to 5 are supported)",
            options.protocol
        )));
    }
    let prepared = prepare(graph, options)?;
    let encoder = Encoder::new(out, method)?;
    let mut counting = CountingWriter::new(encoder, Some(prepared.total), options.progress.clone());
    let mut hook = ArrayWriter {
        payloads: &prepared.payloads,
        align: options.align,
    };
    Writer::new(&mut counting, WriteOptions::protocol(options.protocol))
        .with_hook(&mut hook)
        .write(&prepared.graph)?;
    counting.into_inner().finish()
}

/// Writes `graph` as a joblib file to `out`, compressed as `options.compress` says (file-name
/// extensions play no part here; see [`dump`]). Returns `out`.
pub fn dump_to_writer<W: Write>(graph: &Graph, out: W, options: &DumpOptions) -> Result<W> {
    write_with(graph, out, options.compress.resolve(None), options)
}

/// Writes `graph` as joblib file bytes.
///
/// ```
/// use brine_joblib::{to_vec, load_bytes, DumpOptions, Compression};
/// let mut g = brine_pickle::Graph::new();
/// let a = brine_numpy::NdArray::from_f64_slice(&[1.0, 2.0]).to_node(&mut g).unwrap();
/// g.set_root(a);
/// let options = DumpOptions { compress: Compression::parse("gzip:6").unwrap(), ..Default::default() };
/// let bytes = to_vec(&g, &options).unwrap();
/// let back = load_bytes(bytes.into(), &Default::default()).unwrap();
/// let array = brine_numpy::array_from_node(&back.graph, back.graph.root().unwrap()).unwrap();
/// assert_eq!(array.to_f64().unwrap().into_raw_vec_and_offset().0, vec![1.0, 2.0]);
/// ```
pub fn to_vec(graph: &Graph, options: &DumpOptions) -> Result<Vec<u8>> {
    dump_to_writer(graph, Vec::new(), options)
}

/// Writes `graph` to the file `path` as `joblib.dump(value, path, compress=..., protocol=...)`
/// would: numpy arrays inline after `NumpyArrayWrapper`s (aligned as joblib >= 1.2 writes them),
/// compressed per joblib's rules, including its file-name rule (a `.gz`, `.bz2`, `.xz`, ... name
/// picks that compressor unless [`Compression::Method`] says otherwise). The file is written to a
/// temporary name next to `path` and renamed, so a failed dump leaves no partial file.
pub fn dump(graph: &Graph, path: impl AsRef<Path>, options: &DumpOptions) -> Result<()> {
    let path = path.as_ref();
    let method = options.compress.resolve(Some(path));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = path.with_file_name(format!(".{file_name}.brine-tmp"));
    let file_err = |source| JoblibError::File {
        path: path.to_path_buf(),
        source,
    };
    let result = (|| {
        let file = File::create(&tmp).map_err(file_err)?;
        let mut out = write_with(
            graph,
            BufWriter::with_capacity(1 << 20, file),
            method,
            options,
        )?;
        out.flush().map_err(file_err)?;
        let file = out.into_inner().map_err(|e| file_err(e.into_error()))?;
        file.sync_all().map_err(file_err)?;
        std::fs::rename(&tmp, path).map_err(file_err)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

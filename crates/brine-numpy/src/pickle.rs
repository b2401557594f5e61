//! numpy's pickle forms, read and written.
//!
//! Read:
//! - `numpy.core.multiarray._reconstruct(cls, (0,), b'b')` + `BUILD (1, shape, dtype, is_fortran,
//!   data)` (numpy 1.x; `numpy._core.multiarray` in numpy 2.x; the 4-tuple state without the version
//!   of very old numpy; any subclass such as `numpy.matrix` as `cls`). `data` is `bytes`, a
//!   `bytearray`, a Python 2 `str` (read as Latin-1 text or as bytes), `_codecs.encode(s, 'latin1')`,
//!   or a list of elements for object dtypes.
//! - protocol 5: `numpy.core.numeric._frombuffer(buffer, dtype, shape, order)` (and
//!   `numpy._core.numeric`), the buffer being a `PickleBuffer`, `bytearray` or `bytes`.
//! - numpy scalars: `numpy.core.multiarray.scalar(dtype, data)` as a 0-d array.
//!
//! Written: `numpy.core.multiarray._reconstruct` + `BUILD`, and `numpy.core.multiarray.scalar`, which
//! every numpy from 1.x to 2.x loads ([`MULTIARRAY_MODULE`]).

use brine_pickle::{Graph, Node, NodeId, Object, ObjectKind, ValueRef};
use bytes::Bytes;

use crate::array::{ArrayData, NdArray};
use crate::dtype::{parse_shape, text_of, DType};
use crate::error::{NumpyError, Result};

/// The module Brine writes array and scalar pickles with. numpy 2.x still resolves
/// `numpy.core.multiarray` silently when unpickling, and numpy 1.x only knows this path (1.26 also
/// has `numpy._core`, older versions do not).
pub const MULTIARRAY_MODULE: &str = "numpy.core.multiarray";

/// Which numpy pickle form a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrayForm {
    /// `_reconstruct` + `BUILD`.
    Reconstruct,
    /// Protocol 5 `_frombuffer`.
    FromBuffer,
    /// A numpy scalar, `scalar(dtype, data)`.
    Scalar,
}

fn is_multiarray(module: &str) -> bool {
    module == "numpy.core.multiarray" || module == "numpy._core.multiarray"
}

fn is_numeric(module: &str) -> bool {
    module == "numpy.core.numeric" || module == "numpy._core.numeric"
}

/// The numpy pickle form of `id`, if it is one.
pub fn array_form(graph: &Graph, id: NodeId) -> Option<ArrayForm> {
    let Node::Object(obj) = graph.get(id) else {
        return None;
    };
    let ObjectKind::Reduce { callable, .. } = &obj.kind else {
        return None;
    };
    let g = graph.value(*callable).as_global()?;
    match &*g.name {
        "_reconstruct" if is_multiarray(&g.module) => Some(ArrayForm::Reconstruct),
        "scalar" if is_multiarray(&g.module) => Some(ArrayForm::Scalar),
        "_frombuffer" if is_numeric(&g.module) => Some(ArrayForm::FromBuffer),
        _ => None,
    }
}

/// The `numpy.dtype` node a pickled array or scalar refers to (the `BUILD` state's dtype of
/// `_reconstruct`, the dtype argument of `_frombuffer` or `scalar`), if `id` is one and has it.
pub fn dtype_node(graph: &Graph, id: NodeId) -> Option<NodeId> {
    let form = array_form(graph, id)?;
    let v = graph.value(id);
    let found = match form {
        ArrayForm::Reconstruct => {
            let state = v.state()?;
            // (version, shape, dtype, is_fortran, data), or the old 4-tuple without version.
            let n = state.as_list()?.len();
            state.item(if n == 4 { 1 } else { 2 })?
        }
        ArrayForm::FromBuffer => v.args()?.item(1)?,
        ArrayForm::Scalar => v.args()?.item(0)?,
    };
    crate::dtype::is_dtype(graph, found.id()).then(|| found.id())
}

/// `true` if `id` is a pickled numpy array or numpy scalar that [`array_from_node`] interprets.
pub fn is_array(graph: &Graph, id: NodeId) -> bool {
    array_form(graph, id).is_some()
}

/// `true` if `id` is a pickled numpy scalar (`scalar(dtype, data)`).
pub fn is_scalar(graph: &Graph, id: NodeId) -> bool {
    array_form(graph, id) == Some(ArrayForm::Scalar)
}

/// Interprets a pickled numpy array or scalar (see the module docs for the forms).
///
/// Byte data is shared with the graph (no copy) when the pickle held `bytes` or a supplied
/// out-of-band buffer. Object arrays keep their element ids in `graph`.
pub fn array_from_node(graph: &Graph, id: NodeId) -> Result<NdArray> {
    let v = graph.value(id);
    let form = array_form(graph, id).ok_or_else(|| {
        NumpyError::NotAnArray(match v.class() {
            Some(g) => format!("{}.{} is not a numpy array form", g.module, g.name),
            None => format!("a {} is not a numpy array", v.node().type_name()),
        })
    })?;
    let args = v
        .args()
        .ok_or_else(|| NumpyError::InvalidState("missing call arguments".into()))?;
    match form {
        ArrayForm::Reconstruct => from_reconstruct(graph, v),
        ArrayForm::FromBuffer => from_frombuffer(graph, args),
        ArrayForm::Scalar => from_scalar(graph, args),
    }
}

fn from_reconstruct(graph: &Graph, v: ValueRef<'_>) -> Result<NdArray> {
    let state = v.state().ok_or_else(|| {
        NumpyError::InvalidState("_reconstruct without BUILD state (array never filled)".into())
    })?;
    let items: Vec<ValueRef<'_>> = state.items().collect();
    let (shape_v, dtype_v, fortran_v, data_v) = match (state.as_list().is_some(), items.as_slice()) {
        (true, [ver, s, d, f, data]) => {
            if ver.as_i64() != Some(1) {
                return Err(NumpyError::InvalidState(format!(
                    "unknown ndarray state version {:?}",
                    ver.node()
                )));
            }
            (*s, *d, *f, *data)
        }
        (true, [s, d, f, data]) => (*s, *d, *f, *data),
        _ => {
            return Err(NumpyError::InvalidState(format!(
                "ndarray state must be (version, shape, dtype, is_fortran, data), found a {} of {} items",
                state.node().type_name(),
                items.len()
            )))
        }
    };
    let shape = parse_shape(shape_v)?;
    let dtype = DType::from_node(graph, dtype_v.id())?;
    let fortran = match fortran_v.node() {
        Node::Bool(b) => *b,
        Node::Int(i) => *i != 0,
        other => {
            return Err(NumpyError::InvalidState(format!(
                "is_fortran must be a bool, found a {}",
                other.type_name()
            )))
        }
    };
    let data = if dtype.has_object() {
        match data_v.node() {
            Node::List(ids) => ArrayData::Objects(graph.items(*ids).to_vec()),
            other => {
                return Err(NumpyError::InvalidState(format!(
                    "object array data must be a list, found a {}",
                    other.type_name()
                )))
            }
        }
    } else {
        ArrayData::Raw(raw_bytes(graph, data_v)?)
    };
    NdArray::new(dtype, shape, fortran, data)
}

fn from_frombuffer(graph: &Graph, args: ValueRef<'_>) -> Result<NdArray> {
    let items: Vec<ValueRef<'_>> = args.items().collect();
    let [buf, dtype_v, shape_v, order_v] = items.as_slice() else {
        return Err(NumpyError::InvalidState(format!(
            "_frombuffer takes (buffer, dtype, shape, order), found {} arguments",
            items.len()
        )));
    };
    let dtype = DType::from_node(graph, dtype_v.id())?;
    let shape = parse_shape(*shape_v)?;
    let order = text_of(*order_v)
        .ok_or_else(|| NumpyError::InvalidState("_frombuffer order is not a string".into()))?;
    let fortran = match order.as_str() {
        "C" | "A" | "K" => false,
        "F" => true,
        other => {
            return Err(NumpyError::InvalidState(format!(
                "_frombuffer order {other:?} (expected 'C' or 'F')"
            )))
        }
    };
    let data = raw_bytes(graph, *buf)?;
    NdArray::new(dtype, shape, fortran, ArrayData::Raw(data))
}

fn from_scalar(graph: &Graph, args: ValueRef<'_>) -> Result<NdArray> {
    let items: Vec<ValueRef<'_>> = args.items().collect();
    let (dtype_v, data_v) = match items.as_slice() {
        [d, data] => (*d, Some(*data)),
        [d] => (*d, None),
        _ => {
            return Err(NumpyError::InvalidState(format!(
                "scalar takes (dtype, data), found {} arguments",
                items.len()
            )))
        }
    };
    let dtype = DType::from_node(graph, dtype_v.id())?;
    let data = match data_v {
        Some(d) if dtype.has_object() => ArrayData::Objects(vec![d.id()]),
        Some(d) => ArrayData::Raw(raw_bytes(graph, d)?),
        None if dtype.has_object() => {
            return Err(NumpyError::InvalidState(
                "object scalar without a value".into(),
            ))
        }
        // numpy: scalar(dtype) with no data is a zero-filled item.
        None => {
            ArrayData::Raw(vec![0u8; dtype.checked_itemsize().unwrap_or(0).min(1 << 20)].into())
        }
    };
    NdArray::new(dtype, Vec::new(), false, data)
}

/// The bytes of a data node: `bytes`, `bytearray`, a supplied `PickleBuffer`, a Python 2 `str`
/// read as text (each code point one byte, as `encoding='latin1'` gives), or
/// `_codecs.encode(text, 'latin1')`.
fn raw_bytes(graph: &Graph, v: ValueRef<'_>) -> Result<Bytes> {
    match v.node() {
        Node::Bytes(b) => Ok((**b).clone()),
        Node::ByteArray(b) => Ok(Bytes::copy_from_slice(b)),
        Node::Buffer(buf) => buf.data.clone().ok_or(NumpyError::MissingBuffer(buf.index)),
        Node::Str(s) => latin1(graph.text(*s).code_points()),
        Node::Object(obj) => {
            if let ObjectKind::Reduce { callable, args } = &obj.kind {
                let g = graph.value(*callable).as_global();
                let is_encode = g.is_some_and(|g| g.is("_codecs", "encode"));
                let args = graph.value(*args);
                if is_encode {
                    let enc = args.item(1).and_then(text_of).unwrap_or_default();
                    if let (Some(text), "latin1" | "latin-1" | "iso-8859-1") =
                        (args.item(0).and_then(|t| t.as_pystr()), enc.as_str())
                    {
                        return latin1(text.code_points());
                    }
                }
                if g.is_some_and(|g| &*g.name == "bytearray" && &*g.module == "builtins") {
                    if let Some(inner) = args.item(0) {
                        if inner.as_bytes().is_some() {
                            return raw_bytes(graph, inner);
                        }
                    }
                }
            }
            Err(NumpyError::InvalidState(
                "array data is an object, not bytes".into(),
            ))
        }
        other => Err(NumpyError::InvalidState(format!(
            "array data must be bytes, found a {}",
            other.type_name()
        ))),
    }
}

fn latin1(points: impl Iterator<Item = u32>) -> Result<Bytes> {
    let v: Vec<u8> = points
        .map(u8::try_from)
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| {
            NumpyError::InvalidState(
                "array data is a str with a character above U+00FF (not Latin-1 bytes)".into(),
            )
        })?;
    Ok(v.into())
}

impl NdArray {
    /// Writes numpy's own pickle form of the array into `graph` and returns its node:
    /// `numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b')` with the `BUILD` state
    /// `(1, shape, dtype, is_fortran, data)`. Raw data is shared, not copied; object arrays refer to
    /// their element ids, which must be nodes of `graph`.
    ///
    /// ```
    /// use brine_numpy::{array_from_node, NdArray};
    /// let a = NdArray::from_i64_slice(&[1, 2, 3]);
    /// let mut g = brine_pickle::Graph::new();
    /// let id = a.to_node(&mut g).unwrap();
    /// assert_eq!(array_from_node(&g, id).unwrap(), a);
    /// ```
    pub fn to_node(&self, graph: &mut Graph) -> Result<NodeId> {
        self.to_node_sharing(graph, None)
    }

    /// [`NdArray::to_node`] with an existing `numpy.dtype` node of `graph` as the array's dtype, so
    /// that arrays sharing one dtype object keep sharing it when written (the pickle memoizes it,
    /// as Python does). The caller vouches that `dtype` describes [`NdArray::dtype`].
    pub fn to_node_with_dtype(&self, graph: &mut Graph, dtype: NodeId) -> Result<NodeId> {
        self.to_node_sharing(graph, Some(dtype))
    }

    fn to_node_sharing(&self, graph: &mut Graph, dtype: Option<NodeId>) -> Result<NodeId> {
        self.validate()?;
        let callable = graph.global(MULTIARRAY_MODULE, "_reconstruct");
        let cls = graph.global("numpy", "ndarray");
        let zero = graph.int(0);
        let shape0 = graph.tuple(vec![zero]);
        let b = graph.bytes(b"b");
        let args = graph.tuple(vec![cls, shape0, b]);
        let version = graph.int(1);
        let dims: Vec<NodeId> = self.shape.iter().map(|&d| graph.int(d as i64)).collect();
        let shape = graph.tuple(dims);
        let dtype = match dtype {
            Some(id) => id,
            None => self.dtype.to_node(graph),
        };
        let fortran = graph.bool(self.writes_fortran_flag());
        let data = match &self.data {
            ArrayData::Raw(bytes) => graph.push(Node::bytes(bytes.clone())),
            ArrayData::Objects(ids) => graph.list(ids.clone()),
        };
        let state = graph.tuple(vec![version, shape, dtype, fortran, data]);
        let mut obj = Object::new(ObjectKind::Reduce { callable, args });
        obj.state = Some(state);
        Ok(graph.object(obj))
    }

    /// Writes a numpy scalar (`numpy.core.multiarray.scalar(dtype, data)`), as numpy pickles
    /// `np.float64(x)` and the like. The array must hold exactly one element.
    ///
    /// ```
    /// use brine_numpy::{array_from_node, NdArray};
    /// let mut g = brine_pickle::Graph::new();
    /// let id = NdArray::scalar_f64(0.5).scalar_to_node(&mut g).unwrap();
    /// assert!(brine_numpy::pickle::is_scalar(&g, id));
    /// assert_eq!(array_from_node(&g, id).unwrap().to_f64().unwrap().sum(), 0.5);
    /// ```
    pub fn scalar_to_node(&self, graph: &mut Graph) -> Result<NodeId> {
        self.validate()?;
        if self.len() != 1 {
            return Err(NumpyError::InvalidState(format!(
                "a numpy scalar holds one element, this array has shape {:?}",
                self.shape
            )));
        }
        let callable = graph.global(MULTIARRAY_MODULE, "scalar");
        let dtype = self.dtype.to_node(graph);
        let data = match &self.data {
            ArrayData::Raw(bytes) => graph.push(Node::bytes(bytes.clone())),
            ArrayData::Objects(ids) => ids
                .first()
                .copied()
                .ok_or_else(|| NumpyError::InvalidState("empty object scalar".into()))?,
        };
        let args = graph.tuple(vec![dtype, data]);
        Ok(graph.object(Object::new(ObjectKind::Reduce { callable, args })))
    }
}

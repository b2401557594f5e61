//! Reading the arrays joblib splices into the pickle stream: the [`ReadHook`] that turns each
//! `NumpyArrayWrapper` (and the legacy `NDArrayWrapper` / `ZNDArrayWrapper`) into an array node in
//! numpy's own pickle form, so every consumer sees arrays one way.

use std::path::{Path, PathBuf};

use brine_numpy::{ArrayData, DType, NdArray};
use brine_pickle::read::{HookContext, ReadHook};
use brine_pickle::{Graph, NodeId, ValueRef};
use bytes::Bytes;

use crate::error::JoblibError;

/// Modules a joblib wrapper class may live in (sklearn <= 0.20 vendored joblib).
const WRAPPER_MODULES: [&str; 2] = [
    "joblib.numpy_pickle",
    "sklearn.externals.joblib.numpy_pickle",
];

/// Which wrapper an object is (named as joblib's classes are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub(crate) enum Wrapper {
    /// joblib >= 0.10: the array bytes follow inline.
    NumpyArray,
    /// joblib < 0.10 uncompressed: the array is a `.npy` companion file.
    NdArray,
    /// joblib <= 0.8 compressed: the array data is a Z-file companion.
    ZNdArray,
}

/// The wrapper class of `id`, if it is one.
pub(crate) fn wrapper_kind(graph: &Graph, id: NodeId) -> Option<Wrapper> {
    let class = graph.value(id).class()?;
    if !WRAPPER_MODULES.contains(&&*class.module) {
        return None;
    }
    match &*class.name {
        "NumpyArrayWrapper" => Some(Wrapper::NumpyArray),
        "NDArrayWrapper" => Some(Wrapper::NdArray),
        "ZNDArrayWrapper" => Some(Wrapper::ZNdArray),
        _ => None,
    }
}

/// The reader hook for joblib files.
pub(crate) struct JoblibHook {
    /// Folder of the main file, for the legacy companion files (`None`: they cannot be read).
    pub(crate) dir: Option<PathBuf>,
    /// Memory-map companion `.npy` files.
    pub(crate) mmap: bool,
    /// Bound on decompressed companion Z-files.
    pub(crate) limit: u64,
    /// Companion files read, in order.
    pub(crate) companions: Vec<PathBuf>,
    /// Number of arrays read.
    pub(crate) arrays: usize,
    /// Swap arrays to the host's byte order (joblib's `ensure_native_byte_order`).
    pub(crate) native: bool,
    /// The detailed error behind the last hook failure (the reader only carries a message).
    pub(crate) error: Option<JoblibError>,
}

impl JoblibHook {
    pub(crate) fn new(dir: Option<PathBuf>, mmap: bool, limit: u64) -> JoblibHook {
        JoblibHook {
            dir,
            mmap,
            limit,
            companions: Vec::new(),
            arrays: 0,
            native: false,
            error: None,
        }
    }
}

impl ReadHook for JoblibHook {
    fn after_build(
        &mut self,
        cx: &mut HookContext<'_>,
        obj: NodeId,
    ) -> brine_pickle::Result<Option<NodeId>> {
        let Some(kind) = wrapper_kind(cx.graph(), obj) else {
            return Ok(None);
        };
        let result = match kind {
            Wrapper::NumpyArray => read_inline(cx, obj, self.native),
            Wrapper::NdArray => self.read_npy_companion(cx.graph(), obj),
            Wrapper::ZNdArray => self.read_z_companion(cx.graph(), obj),
        };
        match result {
            Ok(id) => {
                self.arrays += 1;
                Ok(Some(id))
            }
            // Errors of the pickle layer (a truncated stream, a bad nested pickle) keep their
            // offset and opcode.
            Err(JoblibError::Pickle(e)) => Err(e),
            Err(e) => {
                let err = cx.error(e.to_string());
                self.error = Some(e);
                Err(err)
            }
        }
    }
}

fn wrapper_err(msg: impl Into<String>) -> JoblibError {
    JoblibError::Wrapper(msg.into())
}

/// The BUILD state dict of a wrapper.
fn state_of(graph: &Graph, obj: NodeId) -> Result<ValueRef<'_>, JoblibError> {
    let state = graph
        .value(obj)
        .state()
        .ok_or_else(|| wrapper_err("the wrapper has no state"))?;
    if state.as_dict().is_none() {
        return Err(wrapper_err(format!(
            "the wrapper state is a {}, not a dict",
            state.node().type_name()
        )));
    }
    Ok(state)
}

/// The shape of a wrapper (brine-numpy's parser), its errors reported as wrapper errors.
fn parse_shape(v: ValueRef<'_>) -> Result<Vec<usize>, JoblibError> {
    brine_numpy::dtype::parse_shape(v).map_err(|e| wrapper_err(format!("shape: {e}")))
}

/// Number of bytes of an array of this dtype and shape, with checked arithmetic.
fn nbytes(dtype: &DType, shape: &[usize]) -> Result<usize, JoblibError> {
    let itemsize = dtype
        .checked_itemsize()
        .ok_or_else(|| wrapper_err("dtype item size overflows"))?;
    shape
        .iter()
        .try_fold(itemsize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| wrapper_err(format!("shape {shape:?} x itemsize {itemsize} overflows")))
}

/// A `NumpyArrayWrapper`: padding (joblib >= 1.2) then the raw bytes, or a nested pickle for object
/// dtypes.
///
/// With `native`, an array stored in the other byte order is swapped to the host's (a copy), as
/// `joblib.load` does unless it memory-maps.
fn read_inline(cx: &mut HookContext<'_>, obj: NodeId, native: bool) -> Result<NodeId, JoblibError> {
    let (shape, fortran, dtype, dtype_id, aligned) = {
        let graph = cx.graph();
        let state = state_of(graph, obj)?;
        let shape = parse_shape(state.get("shape").ok_or_else(|| wrapper_err("no shape"))?)?;
        let fortran = match state.get("order").and_then(|o| o.as_str()) {
            Some("C") | None => false,
            Some("F") => true,
            Some(other) => {
                return Err(wrapper_err(format!(
                    "order {other:?} is neither 'C' nor 'F'"
                )))
            }
        };
        let dtype_id = state
            .get("dtype")
            .ok_or_else(|| wrapper_err("no dtype"))?
            .id();
        let dtype =
            DType::from_node(graph, dtype_id).map_err(|e| wrapper_err(format!("dtype: {e}")))?;
        let aligned = state
            .get("numpy_array_alignment_bytes")
            .is_some_and(|v| !v.is_none());
        (shape, fortran, dtype, dtype_id, aligned)
    };
    if dtype.has_object() {
        // A complete, separate pickle of the array (standard numpy form) follows.
        let nested = cx.load_nested()?;
        let graph = cx.graph();
        let array = brine_numpy::array_from_node(graph, nested)
            .map_err(|e| wrapper_err(format!("nested object-array pickle: {e}")))?;
        if array.shape != shape {
            return Err(wrapper_err(format!(
                "the wrapper says shape {shape:?} but the nested pickle holds shape {:?}",
                array.shape
            )));
        }
        return Ok(nested);
    }
    let n = nbytes(&dtype, &shape)?;
    if aligned {
        let pad = cx.read_raw(1)?;
        let p = usize::from(pad.first().copied().unwrap_or(0));
        if p > 0 {
            cx.read_raw(p)?;
        }
    }
    let data = cx.read_raw(n)?;
    let array = NdArray::new(dtype, shape, fortran, ArrayData::Raw(data))
        .map_err(|e| wrapper_err(e.to_string()))?;
    if native && !array.dtype.is_native() {
        let swapped = array.to_native().map_err(|e| wrapper_err(e.to_string()))?;
        return swapped
            .to_node(cx.graph())
            .map_err(|e| wrapper_err(e.to_string()));
    }
    // The array keeps the wrapper's dtype node: arrays that shared one dtype object still do.
    array
        .to_node_with_dtype(cx.graph(), dtype_id)
        .map_err(|e| wrapper_err(e.to_string()))
}

impl JoblibHook {
    /// The companion file `name`, which must be a plain file name next to the main file.
    fn companion_path(&self, name: &str) -> Result<PathBuf, JoblibError> {
        let dir = self.dir.as_ref().ok_or_else(|| {
            JoblibError::Legacy(format!(
                "the array is in the companion file {name:?}, which needs the main file's path (use load(), not load_bytes())"
            ))
        })?;
        let plain = Path::new(name)
            .file_name()
            .is_some_and(|f| f == std::ffi::OsStr::new(name));
        if !plain || name == ".." || name == "." {
            return Err(JoblibError::Legacy(format!(
                "companion file name {name:?} is not a plain file name"
            )));
        }
        Ok(dir.join(name))
    }

    fn read_file(&mut self, path: &Path, mmap: bool) -> Result<Bytes, JoblibError> {
        let file_err = |source| JoblibError::File {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(file_err)?;
        let bytes = if mmap {
            crate::mmap::map_file(&file).map_err(file_err)?
        } else {
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut &file, &mut data).map_err(file_err)?;
            Bytes::from(data)
        };
        self.companions.push(path.to_path_buf());
        Ok(bytes)
    }

    /// joblib < 0.10 `NDArrayWrapper`: `{'filename', 'subclass', 'allow_mmap'}`, the array in a
    /// `.npy` file next to the main file.
    fn read_npy_companion(
        &mut self,
        graph: &mut Graph,
        obj: NodeId,
    ) -> Result<NodeId, JoblibError> {
        let (name, allow_mmap) = {
            let state = state_of(graph, obj)?;
            let name = filename_of(state)?;
            let allow = state
                .get("allow_mmap")
                .and_then(|v| v.as_bool())
                .unwrap_or(true);
            (name, allow)
        };
        let path = self.companion_path(&name)?;
        let data = self.read_file(&path, self.mmap && allow_mmap)?;
        let (sub, array) = brine_numpy::npy::read_pickled_bytes(data)
            .map_err(|e| JoblibError::Legacy(format!("{}: {e}", path.display())))?;
        if array.dtype.has_object() {
            return graft_array(graph, &sub, array);
        }
        // joblib swaps these to the host's byte order whether it maps them or not.
        let array = array
            .to_native()
            .map_err(|e| JoblibError::Legacy(format!("{}: {e}", path.display())))?;
        array.to_node(graph).map_err(|e| wrapper_err(e.to_string()))
    }

    /// joblib <= 0.8 `ZNDArrayWrapper`: `{'filename', 'init_args', 'state': (version, shape, dtype,
    /// is_fortran)}`, the raw data in a Z-file next to the main file.
    fn read_z_companion(&mut self, graph: &mut Graph, obj: NodeId) -> Result<NodeId, JoblibError> {
        let (name, shape, dtype, fortran) = {
            let state = state_of(graph, obj)?;
            let name = filename_of(state)?;
            let inner = state
                .get("state")
                .ok_or_else(|| wrapper_err("ZNDArrayWrapper without 'state'"))?;
            let items: Vec<ValueRef<'_>> = inner.items().collect();
            let (s, d, f) = match items.as_slice() {
                [_, s, d, f] => (*s, *d, *f),
                [s, d, f] => (*s, *d, *f),
                _ => {
                    return Err(wrapper_err(
                        "ZNDArrayWrapper state is not (version, shape, dtype, is_fortran)",
                    ))
                }
            };
            let shape = parse_shape(s)?;
            let dtype =
                DType::from_node(graph, d.id()).map_err(|e| wrapper_err(format!("dtype: {e}")))?;
            let fortran = f.as_bool().unwrap_or(false);
            (name, shape, dtype, fortran)
        };
        if dtype.has_object() {
            return Err(wrapper_err("ZNDArrayWrapper with an object dtype"));
        }
        let expected = nbytes(&dtype, &shape)?;
        let path = self.companion_path(&name)?;
        let file = self.read_file(&path, false)?;
        let data = crate::legacy::read_zfile(&file, self.limit.min(expected as u64))
            .map_err(|e| JoblibError::Legacy(format!("{}: {e}", path.display())))?;
        let array = NdArray::new(dtype, shape, fortran, ArrayData::Raw(data))
            .map_err(|e| JoblibError::Legacy(format!("{}: {e}", path.display())))?;
        array.to_node(graph).map_err(|e| wrapper_err(e.to_string()))
    }
}

fn filename_of(state: ValueRef<'_>) -> Result<String, JoblibError> {
    let v = state
        .get("filename")
        .ok_or_else(|| wrapper_err("legacy wrapper without 'filename'"))?;
    if let Some(s) = v.as_str() {
        return Ok(s.to_string());
    }
    // Python 2 str read as bytes.
    v.as_bytes()
        .and_then(|b| std::str::from_utf8(b).ok())
        .map(str::to_string)
        .ok_or_else(|| wrapper_err("legacy wrapper filename is not a str"))
}

/// Copies an object array read from its own graph (a `.npy` companion) into `graph`.
fn graft_array(graph: &mut Graph, sub: &Graph, mut array: NdArray) -> Result<NodeId, JoblibError> {
    crate::graph::adopt_objects(sub, &mut array, graph);
    array.to_node(graph).map_err(|e| wrapper_err(e.to_string()))
}

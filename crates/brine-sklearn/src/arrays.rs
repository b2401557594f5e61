//! numpy values inside an estimator's state, as ndarray arrays and labels.
//!
//! Reads the numpy pickle forms directly (`_reconstruct` + `BUILD`, `_frombuffer`, `scalar`), which is
//! also what a joblib file becomes once its inline arrays are read. Python lists and numbers are
//! accepted wherever numpy would accept them (`np.asarray`).

use brine_pickle::{Node, ValueRef};
use ndarray::{ArrayD, IxDyn, ShapeBuilder};

use crate::data::Labels;

/// A decoded numpy array: shape and elements in C order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Elems {
    F64(Vec<f64>),
    I64(Vec<i64>),
    Bool(Vec<bool>),
    Str(Vec<String>),
    /// Object arrays: the element nodes.
    Obj(Vec<brine_pickle::NodeId>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NdArray {
    pub shape: Vec<usize>,
    pub elems: Elems,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Float(usize),
    Int(usize),
    UInt(usize),
    Bool,
    Unicode(usize),
    Bytes(usize),
    Object,
}

struct DTypeInfo {
    kind: Kind,
    big: bool,
}

fn global_is(v: ValueRef<'_>, names: &[&str]) -> bool {
    match v.node() {
        Node::Global(g) => names.iter().any(|n| &*g.name == *n),
        _ => false,
    }
}

/// The callable or class of an inert object.
fn call_target<'g>(v: ValueRef<'g>) -> Option<ValueRef<'g>> {
    let obj = v.as_object()?;
    let id = match &obj.kind {
        brine_pickle::ObjectKind::Reduce { callable, .. } => *callable,
        brine_pickle::ObjectKind::NewObj { cls, .. } | brine_pickle::ObjectKind::NewObjEx { cls, .. } => *cls,
        brine_pickle::ObjectKind::Instance { cls, .. } => *cls,
    };
    Some(v.graph().value(id))
}

fn parse_dtype(v: ValueRef<'_>) -> Option<DTypeInfo> {
    // numpy.dtype(code, False, True) + BUILD((3, '<', ...)); or a numpy scalar type (np.float64)
    if let Node::Global(g) = v.node() {
        let kind = match &*g.name {
            "float64" | "double" => Kind::Float(8),
            "float32" => Kind::Float(4),
            "int64" => Kind::Int(8),
            "int32" => Kind::Int(4),
            "bool_" | "bool" => Kind::Bool,
            _ => return None,
        };
        return Some(DTypeInfo { kind, big: false });
    }
    let target = call_target(v)?;
    if !global_is(target, &["dtype"]) {
        return None;
    }
    let code = v.args()?.item(0)?;
    let code = match code.as_str() {
        Some(s) => s.to_string(),
        None => String::from_utf8_lossy(code.as_bytes()?).into_owned(),
    };
    let state = v.state();
    let order = state.and_then(|s| s.item(1)).and_then(|o| o.as_str()).unwrap_or("|");
    let elsize = state
        .and_then(|s| s.item(5))
        .and_then(|e| e.as_i64())
        .unwrap_or(-1);
    let (letter, digits) = code.split_at(code.find(|c: char| c.is_ascii_digit()).unwrap_or(code.len()));
    let n: usize = digits.parse().unwrap_or(0);
    let kind = match letter {
        "f" => Kind::Float(n),
        "i" => Kind::Int(n),
        "u" => Kind::UInt(n),
        "b" => Kind::Bool,
        "U" => Kind::Unicode(if elsize > 0 { elsize as usize / 4 } else { n }),
        "S" => Kind::Bytes(if elsize > 0 { elsize as usize } else { n }),
        "O" => Kind::Object,
        _ => return None,
    };
    Some(DTypeInfo {
        kind,
        big: order == ">",
    })
}

fn decode_raw(kind: Kind, big: bool, raw: &[u8], count: usize) -> Option<Elems> {
    let item = match kind {
        Kind::Float(n) | Kind::Int(n) | Kind::UInt(n) => n,
        Kind::Bool => 1,
        Kind::Unicode(n) => n.checked_mul(4)?,
        Kind::Bytes(n) => n,
        Kind::Object => return None,
    };
    if item == 0 && !matches!(kind, Kind::Unicode(_) | Kind::Bytes(_)) {
        return None;
    }
    if raw.len() != item.checked_mul(count)? {
        return None;
    }
    let chunks = || raw.chunks_exact(item.max(1)).take(count);
    fn word<const N: usize>(c: &[u8], big: bool) -> [u8; N] {
        let mut b = [0u8; N];
        b.copy_from_slice(c.get(..N).unwrap_or(&[0u8; N][..]));
        if big {
            b.reverse();
        }
        b
    }
    Some(match kind {
        Kind::Float(8) => Elems::F64(chunks().map(|c| f64::from_le_bytes(word::<8>(c, big))).collect()),
        Kind::Float(4) => Elems::F64(chunks().map(|c| f32::from_le_bytes(word::<4>(c, big)) as f64).collect()),
        Kind::Int(8) => Elems::I64(chunks().map(|c| i64::from_le_bytes(word::<8>(c, big))).collect()),
        Kind::Int(4) => Elems::I64(chunks().map(|c| i32::from_le_bytes(word::<4>(c, big)) as i64).collect()),
        Kind::Int(2) => Elems::I64(chunks().map(|c| i16::from_le_bytes(word::<2>(c, big)) as i64).collect()),
        Kind::Int(1) | Kind::UInt(1) if matches!(kind, Kind::Int(1)) => {
            Elems::I64(raw.iter().map(|&b| b as i8 as i64).collect())
        }
        Kind::UInt(1) => Elems::I64(raw.iter().map(|&b| b as i64).collect()),
        Kind::UInt(2) => Elems::I64(chunks().map(|c| u16::from_le_bytes(word::<2>(c, big)) as i64).collect()),
        Kind::UInt(4) => Elems::I64(chunks().map(|c| u32::from_le_bytes(word::<4>(c, big)) as i64).collect()),
        Kind::UInt(8) => Elems::I64(
            chunks()
                .map(|c| i64::try_from(u64::from_le_bytes(word::<8>(c, big))).unwrap_or(i64::MAX))
                .collect(),
        ),
        Kind::Bool => Elems::Bool(raw.iter().map(|&b| b != 0).collect()),
        Kind::Unicode(n) => {
            let mut out = Vec::with_capacity(count.min(raw.len()));
            for i in 0..count {
                let mut s = String::new();
                for k in 0..n {
                    let off = (i * n + k) * 4;
                    let c = raw.get(off..off + 4)?;
                    let cp = u32::from_le_bytes(word::<4>(c, big));
                    if cp == 0 {
                        break;
                    }
                    s.push(char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER));
                }
                out.push(s);
            }
            Elems::Str(out)
        }
        Kind::Bytes(n) => Elems::Str(
            (0..count)
                .map(|i| {
                    let c = raw.get(i * n..i * n + n).unwrap_or(&[]);
                    let end = c.iter().rposition(|&b| b != 0).map(|p| p + 1).unwrap_or(0);
                    String::from_utf8_lossy(c.get(..end).unwrap_or(&[])).into_owned()
                })
                .collect(),
        ),
        _ => return None,
    })
}

/// Converts Fortran-ordered elements to C order.
fn f_to_c<T: Clone>(v: Vec<T>, shape: &[usize]) -> Vec<T> {
    if shape.len() < 2 {
        return v;
    }
    let Ok(arr) = ndarray::Array::from_shape_vec(IxDyn(shape).f(), v.clone()) else {
        return v;
    };
    arr.as_standard_layout().iter().cloned().collect()
}

fn shape_of(v: ValueRef<'_>) -> Option<Vec<usize>> {
    if let Some(n) = v.as_i64() {
        return usize::try_from(n).ok().map(|n| vec![n]);
    }
    v.items().map(|d| d.as_i64().and_then(|n| usize::try_from(n).ok())).collect()
}

/// Decodes a numpy array node (any of numpy's pickle forms), or `None` if it is not one.
pub(crate) fn ndarray_of(v: ValueRef<'_>) -> Option<NdArray> {
    let target = call_target(v)?;
    if global_is(target, &["_reconstruct"]) {
        let st = v.state()?;
        // (version, shape, dtype, is_fortran, raw) or the old 4-tuple without version
        let items: Vec<ValueRef<'_>> = st.items().collect();
        let off = if items.len() == 5 { 1 } else { 0 };
        let shape = shape_of(*items.get(off)?)?;
        let dt = parse_dtype(*items.get(off + 1)?)?;
        let fortran = items.get(off + 2)?.as_bool().unwrap_or(false);
        let raw = *items.get(off + 3)?;
        let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d))?;
        let elems = if dt.kind == Kind::Object {
            let ids = raw.as_list()?.to_vec();
            if ids.len() != count {
                return None;
            }
            Elems::Obj(ids)
        } else {
            let bytes = match raw.node() {
                Node::Str(s) => s.code_points().map(|c| c as u8).collect::<Vec<u8>>(),
                _ => raw.as_bytes()?.to_vec(),
            };
            decode_raw(dt.kind, dt.big, &bytes, count)?
        };
        let elems = if fortran {
            match elems {
                Elems::F64(x) => Elems::F64(f_to_c(x, &shape)),
                Elems::I64(x) => Elems::I64(f_to_c(x, &shape)),
                Elems::Bool(x) => Elems::Bool(f_to_c(x, &shape)),
                Elems::Str(x) => Elems::Str(f_to_c(x, &shape)),
                Elems::Obj(x) => Elems::Obj(f_to_c(x, &shape)),
            }
        } else {
            elems
        };
        return Some(NdArray { shape, elems });
    }
    if global_is(target, &["_frombuffer"]) {
        let args = v.args()?;
        let buf = args.item(0)?;
        let raw: Vec<u8> = match buf.node() {
            Node::Buffer(b) => b.data.as_ref()?.to_vec(),
            _ => buf.as_bytes()?.to_vec(),
        };
        let dt = parse_dtype(args.item(1)?)?;
        let shape = shape_of(args.item(2)?)?;
        let fortran = args.item(3).and_then(|o| o.as_str()) == Some("F");
        let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d))?;
        let elems = decode_raw(dt.kind, dt.big, &raw, count)?;
        let elems = match (fortran, elems) {
            (true, Elems::F64(x)) => Elems::F64(f_to_c(x, &shape)),
            (true, Elems::I64(x)) => Elems::I64(f_to_c(x, &shape)),
            (_, e) => e,
        };
        return Some(NdArray { shape, elems });
    }
    None
}

/// A numpy scalar (`numpy.core.multiarray.scalar(dtype, raw)`), as f64.
fn numpy_scalar(v: ValueRef<'_>) -> Option<f64> {
    let target = call_target(v)?;
    if !global_is(target, &["scalar"]) {
        return None;
    }
    let args = v.args()?;
    let dt = parse_dtype(args.item(0)?)?;
    let raw = args.item(1)?;
    let bytes = match raw.node() {
        Node::Str(s) => s.code_points().map(|c| c as u8).collect::<Vec<u8>>(),
        _ => raw.as_bytes()?.to_vec(),
    };
    match decode_raw(dt.kind, dt.big, &bytes, 1)? {
        Elems::F64(x) => x.first().copied(),
        Elems::I64(x) => x.first().map(|&i| i as f64),
        Elems::Bool(x) => x.first().map(|&b| b as i64 as f64),
        _ => None,
    }
}

/// A number: Python int/float/bool or a numpy scalar.
pub(crate) fn scalar_f64(v: ValueRef<'_>) -> Option<f64> {
    v.as_f64().or_else(|| numpy_scalar(v))
}

/// A numeric array (or nested Python lists / a scalar, as `np.asarray` takes them) as f64.
pub(crate) fn f64_array(v: ValueRef<'_>) -> Option<ArrayD<f64>> {
    if let Some(x) = scalar_f64(v) {
        return Some(ArrayD::from_elem(IxDyn(&[]), x));
    }
    if let Some(a) = ndarray_of(v) {
        let data = match a.elems {
            Elems::F64(x) => x,
            Elems::I64(x) => x.into_iter().map(|i| i as f64).collect(),
            Elems::Bool(x) => x.into_iter().map(|b| b as i64 as f64).collect(),
            Elems::Obj(ids) => ids
                .into_iter()
                .map(|id| scalar_f64(v.graph().value(id)))
                .collect::<Option<Vec<f64>>>()?,
            Elems::Str(_) => return None,
        };
        return ArrayD::from_shape_vec(IxDyn(&a.shape), data).ok();
    }
    // a flat Python list of numbers
    let items: Vec<f64> = v.as_list()?.iter().map(|&id| scalar_f64(v.graph().value(id))).collect::<Option<_>>()?;
    let n = items.len();
    ArrayD::from_shape_vec(IxDyn(&[n]), items).ok()
}

/// The elements of a 1-D array or list as nodes-or-values: used for object arrays.
pub(crate) fn items(v: ValueRef<'_>) -> Option<(Vec<usize>, Elems)> {
    if let Some(a) = ndarray_of(v) {
        return Some((a.shape, a.elems));
    }
    let ids = v.as_list()?.to_vec();
    Some((vec![ids.len()], Elems::Obj(ids)))
}

/// Class labels from `classes_` (numeric, unicode, bytes or object array, or a list).
pub(crate) fn labels(v: ValueRef<'_>) -> Option<Labels> {
    let (_, elems) = items(v)?;
    Some(match elems {
        Elems::F64(x) => Labels::Float(x),
        Elems::I64(x) => Labels::Int(x),
        Elems::Bool(x) => Labels::Bool(x),
        Elems::Str(x) => Labels::Str(x),
        Elems::Obj(ids) => {
            let g = v.graph();
            let vals: Vec<ValueRef<'_>> = ids.iter().map(|&id| g.value(id)).collect();
            if let Some(s) = vals.iter().map(|x| x.as_str().map(str::to_string)).collect::<Option<Vec<_>>>() {
                Labels::Str(s)
            } else if let Some(b) = vals
                .iter()
                .map(|x| match x.node() {
                    Node::Bool(b) => Some(*b),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
            {
                Labels::Bool(b)
            } else if let Some(i) = vals.iter().map(|x| x.as_i64()).collect::<Option<Vec<_>>>() {
                Labels::Int(i)
            } else {
                Labels::Float(vals.iter().map(|x| scalar_f64(*x)).collect::<Option<Vec<_>>>()?)
            }
        }
    })
}

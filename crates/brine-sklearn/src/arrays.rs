//! numpy values inside an estimator's state, as `ndarray` arrays and labels: a thin adapter over
//! [`brine_numpy`], which decodes every numpy pickle form (`_reconstruct` + `BUILD`, protocol 5
//! `_frombuffer`, numpy scalars, any dtype and byte order, Fortran order). A joblib file's inline
//! arrays arrive in the same form once `brine_joblib` has read them. Python lists and numbers are
//! accepted wherever numpy would accept them (`np.asarray`).

use brine_numpy::{DTypeKind, Label};
use brine_pickle::{Node, NodeId, ValueRef};
use ndarray::{ArrayD, IxDyn};

use crate::data::Labels;

/// The elements of a decoded array, in logical C order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Elems {
    F64(Vec<f64>),
    I64(Vec<i64>),
    Bool(Vec<bool>),
    Str(Vec<String>),
    /// Object arrays: the element nodes.
    Obj(Vec<NodeId>),
}

/// Decodes a numpy array or scalar node, or `None` if `v` is not one (or has a dtype estimators
/// never hold: complex, datetime, structs).
pub(crate) fn ndarray_of(v: ValueRef<'_>) -> Option<(Vec<usize>, Elems)> {
    let g = v.graph();
    if !brine_numpy::is_array(g, v.id()) {
        return None;
    }
    let a = brine_numpy::array_from_node(g, v.id()).ok()?;
    let flat = |x: ArrayD<f64>| x.iter().copied().collect::<Vec<f64>>();
    let elems = match &a.dtype.kind {
        DTypeKind::Float { .. } => Elems::F64(flat(a.to_f64().ok()?)),
        DTypeKind::Int { .. } | DTypeKind::UInt { .. } => match a.to_i64() {
            Ok(x) => Elems::I64(x.iter().copied().collect()),
            // a u8 above i64::MAX: numbers are still numbers
            Err(_) => Elems::F64(flat(a.to_f64().ok()?)),
        },
        DTypeKind::Bool => Elems::Bool(a.to_f64().ok()?.iter().map(|&b| b != 0.0).collect()),
        DTypeKind::Unicode(_) | DTypeKind::Bytes(_) => Elems::Str(a.to_strings(g).ok()?),
        DTypeKind::Object => Elems::Obj(a.objects_c_order().ok()?),
        _ => return None,
    };
    Some((a.shape.clone(), elems))
}

/// A number: Python int/float/bool or a numpy scalar (or a one-element array).
pub(crate) fn scalar_f64(v: ValueRef<'_>) -> Option<f64> {
    if let Some(x) = v.as_f64() {
        return Some(x);
    }
    match ndarray_of(v)? {
        (shape, e) if shape.iter().product::<usize>() == 1 => match e {
            Elems::F64(x) => x.first().copied(),
            Elems::I64(x) => x.first().map(|&i| i as f64),
            Elems::Bool(x) => x.first().map(|&b| f64::from(u8::from(b))),
            Elems::Obj(ids) => ids.first().and_then(|&id| v.graph().value(id).as_f64()),
            Elems::Str(_) => None,
        },
        _ => None,
    }
}

/// A numeric array (or nested Python lists / a scalar, as `np.asarray` takes them) as f64.
pub(crate) fn f64_array(v: ValueRef<'_>) -> Option<ArrayD<f64>> {
    if let Some(x) = v.as_f64() {
        return Some(ArrayD::from_elem(IxDyn(&[]), x));
    }
    if let Some((shape, elems)) = ndarray_of(v) {
        let data = match elems {
            Elems::F64(x) => x,
            Elems::I64(x) => x.into_iter().map(|i| i as f64).collect(),
            Elems::Bool(x) => x.into_iter().map(|b| f64::from(u8::from(b))).collect(),
            Elems::Obj(ids) => ids
                .into_iter()
                .map(|id| scalar_f64(v.graph().value(id)))
                .collect::<Option<Vec<f64>>>()?,
            Elems::Str(_) => return None,
        };
        return ArrayD::from_shape_vec(IxDyn(&shape), data).ok();
    }
    // a Python list (or tuple) of numbers, or of equal-length lists of numbers
    let items: Vec<ValueRef<'_>> = match v.node() {
        Node::List(_) | Node::Tuple(_) => v.items().collect(),
        _ => return None,
    };
    if items.iter().all(|i| scalar_f64(*i).is_some()) {
        let data: Vec<f64> = items.iter().filter_map(|i| scalar_f64(*i)).collect();
        let n = data.len();
        return ArrayD::from_shape_vec(IxDyn(&[n]), data).ok();
    }
    let rows: Vec<ArrayD<f64>> = items.iter().map(|i| f64_array(*i)).collect::<Option<_>>()?;
    let inner = rows.first()?.shape().to_vec();
    if rows.iter().any(|r| r.shape() != inner.as_slice()) {
        return None;
    }
    let mut shape = vec![rows.len()];
    shape.extend_from_slice(&inner);
    let data: Vec<f64> = rows.iter().flat_map(|r| r.iter().copied()).collect();
    ArrayD::from_shape_vec(IxDyn(&shape), data).ok()
}

/// The elements of an array or a Python list: numbers, text, or (object arrays, lists) nodes.
pub(crate) fn items(v: ValueRef<'_>) -> Option<(Vec<usize>, Elems)> {
    if let Some(a) = ndarray_of(v) {
        return Some(a);
    }
    let ids: Vec<NodeId> = match v.node() {
        Node::List(ids) | Node::Tuple(ids) => v.graph().items(*ids).to_vec(),
        _ => return None,
    };
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
            let vals: Vec<Label> = ids
                .iter()
                .map(|&id| object_label(g.value(id)))
                .collect::<Option<_>>()?;
            if vals
                .iter()
                .all(|l| matches!(l, Label::Str(_) | Label::Bytes(_)))
            {
                Labels::Str(
                    vals.into_iter()
                        .map(|l| match l {
                            Label::Str(s) => s,
                            Label::Bytes(b) => b.iter().map(|&c| char::from(c)).collect(),
                            _ => String::new(),
                        })
                        .collect(),
                )
            } else if vals.iter().all(|l| matches!(l, Label::Bool(_))) {
                Labels::Bool(
                    vals.iter()
                        .map(|l| matches!(l, Label::Bool(true)))
                        .collect(),
                )
            } else if vals.iter().all(|l| matches!(l, Label::Int(_))) {
                Labels::Int(
                    vals.iter()
                        .map(|l| match l {
                            Label::Int(i) => *i,
                            _ => 0,
                        })
                        .collect(),
                )
            } else {
                Labels::Float(
                    vals.iter()
                        .map(|l| match l {
                            Label::Int(i) => Some(*i as f64),
                            Label::Float(f) => Some(*f),
                            Label::Bool(b) => Some(f64::from(u8::from(*b))),
                            _ => None,
                        })
                        .collect::<Option<_>>()?,
                )
            }
        }
    })
}

/// One element of an object array as a label: `str`, `bytes`, `bool`, `int`, `float` or a numpy
/// scalar.
fn object_label(v: ValueRef<'_>) -> Option<Label> {
    match v.node() {
        Node::Bool(b) => return Some(Label::Bool(*b)),
        Node::Str(_) => return v.as_str().map(|s| Label::Str(s.to_string())),
        Node::Bytes(b) => return Some(Label::Bytes(b.to_vec())),
        _ => {}
    }
    if let Some(i) = v.as_i64() {
        return Some(Label::Int(i));
    }
    if let Some(f) = v.as_f64() {
        return Some(Label::Float(f));
    }
    match ndarray_of(v)? {
        (_, Elems::I64(x)) if x.len() == 1 => x.first().map(|&i| Label::Int(i)),
        (_, Elems::F64(x)) if x.len() == 1 => x.first().map(|&f| Label::Float(f)),
        (_, Elems::Bool(x)) if x.len() == 1 => x.first().map(|&b| Label::Bool(b)),
        (_, Elems::Str(x)) if x.len() == 1 => x.first().map(|s| Label::Str(s.clone())),
        _ => None,
    }
}

//! The exact JSON description of a decoded value, shared by the numpy and joblib tests (the same
//! encoding as tests/python/joblib_fixture_lib.py's `encode`). brine-joblib's tests include this
//! file by path.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use brine_numpy::pickle::{array_form, ArrayForm};
use brine_numpy::{array_from_node, ArrayData, NdArray};
use brine_pickle::{Graph, Node, NodeId};
use serde_json::{json, Value};

pub fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

/// Python's `float.hex()`.
pub fn float_hex(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let mant = bits & ((1 << 52) - 1);
    if exp == 0 && mant == 0 {
        return format!("{sign}0x0.0p+0");
    }
    let (lead, e) = if exp == 0 {
        (0, -1022)
    } else {
        (1, exp - 1023)
    };
    format!("{sign}0x{lead}.{mant:013x}p{e:+}")
}

/// joblib writes Fortran bytes only for arrays that are F- and not C-contiguous.
pub fn writes_fortran(a: &NdArray) -> bool {
    a.fortran_order && a.shape.iter().filter(|&&d| d > 1).count() > 1 && !a.shape.contains(&0)
}

pub fn encode(g: &Graph, id: NodeId) -> Value {
    let v = g.value(id);
    match g.get(id) {
        Node::None => Value::Null,
        Node::Bool(b) => json!(b),
        Node::Int(i) => json!({ "int": i }),
        Node::BigInt(b) => json!({ "bigint": b.to_string() }),
        Node::Float(f) => json!({ "float": float_hex(*f) }),
        Node::Str(s) => json!(g.text(*s).as_str().unwrap()),
        Node::Bytes(b) => json!({ "bytes": hex(b) }),
        Node::List(items) => {
            json!({ "list": g.items(*items).iter().map(|&i| encode(g, i)).collect::<Vec<_>>() })
        }
        Node::Tuple(items) => {
            json!({ "tuple": g.items(*items).iter().map(|&i| encode(g, i)).collect::<Vec<_>>() })
        }
        Node::Dict(pairs) => json!({
            "dict": g.pairs(*pairs).iter().map(|&(k, v)| json!([encode(g, k), encode(g, v)])).collect::<Vec<_>>()
        }),
        Node::Object(_) => match array_form(g, id) {
            Some(ArrayForm::Scalar) => {
                let a = array_from_node(g, id).unwrap();
                json!({ "npscalar": { "dtype": a.dtype.descr(), "hex": hex(a.raw().unwrap()) } })
            }
            Some(_) => {
                let a = array_from_node(g, id).unwrap();
                match &a.data {
                    ArrayData::Objects(_) => json!({ "objarray": {
                        "shape": a.shape,
                        "items": a.objects_c_order().unwrap().into_iter().map(|i| encode(g, i)).collect::<Vec<_>>(),
                    }}),
                    ArrayData::Raw(bytes) => json!({ "ndarray": {
                        "dtype": a.dtype.descr(),
                        "shape": a.shape,
                        "order": if writes_fortran(&a) { "F" } else { "C" },
                        "hex": hex(bytes),
                    }}),
                }
            }
            None => {
                let class = v.class().unwrap();
                json!({ "object": {
                    "class": format!("{}.{}", class.module, class.name),
                    "state": encode(g, v.state().unwrap().id()),
                }})
            }
        },
        other => panic!("unexpected node {other:?}"),
    }
}

pub fn encode_root(g: &Graph) -> Value {
    encode(g, g.root().unwrap())
}

/// Every array node reachable from the root, as arrays.
pub fn arrays(g: &Graph) -> Vec<NdArray> {
    let mut out = Vec::new();
    let mut stack = vec![g.root().unwrap()];
    let mut seen = std::collections::HashSet::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if matches!(
            array_form(g, id),
            Some(ArrayForm::Reconstruct | ArrayForm::FromBuffer)
        ) {
            out.push(array_from_node(g, id).unwrap());
            continue;
        }
        match g.get(id) {
            Node::List(v) | Node::Tuple(v) => stack.extend(g.items(*v).iter().copied()),
            Node::Dict(p) => stack.extend(g.pairs(*p).iter().map(|&(_, v)| v)),
            Node::Object(o) => stack.extend(o.state),
            _ => {}
        }
    }
    out
}

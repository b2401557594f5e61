//! numpy values written in numpy's portable pickle form (what `ndarray.__reduce__` gives), with the
//! `numpy.core.multiarray` module path that numpy 1.x and 2.x both accept.

use brine_pickle::{Graph, NodeId, Object, ObjectKind};

fn reduce(g: &mut Graph, callable: NodeId, args: NodeId, state: Option<NodeId>) -> NodeId {
    let mut obj = Object::new(ObjectKind::Reduce { callable, args });
    obj.state = state;
    g.object(obj)
}

/// `numpy.dtype('f8')` with its `BUILD` state `(3, '<', None, None, None, -1, -1, 0)`.
pub(crate) fn dtype_f8(g: &mut Graph) -> NodeId {
    let cls = g.global("numpy", "dtype");
    let code = g.str("f8");
    let align = g.bool(false);
    let copy = g.bool(true);
    let args = g.tuple(vec![code, align, copy]);
    let v = g.int(3);
    let order = g.str("<");
    let n1 = g.none();
    let n2 = g.none();
    let n3 = g.none();
    let e1 = g.int(-1);
    let e2 = g.int(-1);
    let flags = g.int(0);
    let state = g.tuple(vec![v, order, n1, n2, n3, e1, e2, flags]);
    reduce(g, cls, args, Some(state))
}

/// A C-ordered float64 array.
pub(crate) fn f64_array(g: &mut Graph, shape: &[usize], data: Vec<f64>) -> NodeId {
    let recon = g.global("numpy.core.multiarray", "_reconstruct");
    let nd = g.global("numpy", "ndarray");
    let zero = g.int(0);
    let zt = g.tuple(vec![zero]);
    let b = g.bytes(b"b");
    let args = g.tuple(vec![nd, zt, b]);
    let ver = g.int(1);
    let dims: Vec<NodeId> = shape.iter().map(|&d| g.int(d as i64)).collect();
    let shape = g.tuple(dims);
    let dt = dtype_f8(g);
    let fortran = g.bool(false);
    let mut raw = Vec::with_capacity(data.len() * 8);
    for v in data {
        raw.extend_from_slice(&v.to_le_bytes());
    }
    let raw = g.bytes(&raw);
    let state = g.tuple(vec![ver, shape, dt, fortran, raw]);
    reduce(g, recon, args, Some(state))
}

/// A `numpy.float64` scalar.
pub(crate) fn f64_scalar(g: &mut Graph, v: f64) -> NodeId {
    let f = g.global("numpy.core.multiarray", "scalar");
    let dt = dtype_f8(g);
    let raw = g.bytes(&v.to_le_bytes());
    let args = g.tuple(vec![dt, raw]);
    reduce(g, f, args, None)
}

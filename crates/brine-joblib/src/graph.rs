//! Graph utilities: child enumeration, in-place child rewriting and subgraph copies (iterative, so
//! nesting depth never matters).

use std::collections::HashMap;

use brine_numpy::{ArrayData, NdArray};
use brine_pickle::{Graph, Node, NodeId, ObjectKind};

/// Calls `f` on every child id slot of `node`, mutably.
pub(crate) fn for_each_child_mut(node: &mut Node, mut f: impl FnMut(&mut NodeId)) {
    match node {
        Node::List(v) | Node::Tuple(v) | Node::Set(v) | Node::FrozenSet(v) => {
            v.iter_mut().for_each(f)
        }
        Node::Dict(pairs) => {
            for (k, v) in pairs {
                f(k);
                f(v);
            }
        }
        Node::Object(obj) => {
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
            if let Some(state) = &mut obj.state {
                f(state);
            }
            obj.list_items.iter_mut().for_each(&mut f);
            for (k, v) in &mut obj.dict_items {
                f(k);
                f(v);
            }
        }
        Node::PersistentId(id) => f(id),
        _ => {}
    }
}

/// The child ids of `node`.
pub(crate) fn children(node: &Node) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut copy = node.clone();
    for_each_child_mut(&mut copy, |id| out.push(*id));
    out
}

/// Copies every node reachable from `roots` in `src` into `dst`; returns the id map (src → dst).
pub(crate) fn copy_subgraph(
    src: &Graph,
    roots: &[NodeId],
    dst: &mut Graph,
) -> HashMap<NodeId, NodeId> {
    let mut map: HashMap<NodeId, NodeId> = HashMap::new();
    let mut order = Vec::new();
    let mut stack: Vec<NodeId> = roots.to_vec();
    while let Some(id) = stack.pop() {
        if map.contains_key(&id) || id.index() >= src.len() {
            continue;
        }
        // Reserve the slot now; filled once every node has an id.
        let new = dst.push(Node::None);
        map.insert(id, new);
        order.push(id);
        stack.extend(children(src.get(id)));
    }
    for id in order {
        let mut node = src.get(id).clone();
        for_each_child_mut(&mut node, |c| {
            if let Some(&n) = map.get(c) {
                *c = n;
            }
        });
        if let Some(&new) = map.get(&id) {
            dst.replace(new, node);
        }
    }
    map
}

/// Copies the elements of an object array read into its own graph `src` into `dst`, and points the
/// array at the copies. Other arrays are left as they are.
pub(crate) fn adopt_objects(src: &Graph, array: &mut NdArray, dst: &mut Graph) {
    if let ArrayData::Objects(ids) = &array.data {
        let map = copy_subgraph(src, ids, dst);
        array.data = ArrayData::Objects(
            ids.iter()
                .map(|id| map.get(id).copied().unwrap_or(*id))
                .collect(),
        );
    }
}

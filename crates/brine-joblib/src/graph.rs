//! Subgraph copies between graphs (iterative, so nesting depth never matters).

use std::collections::HashMap;

use brine_numpy::{ArrayData, NdArray};
use brine_pickle::{Graph, Node, NodeId};

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
        src.for_each_child(id, |c| stack.push(c));
    }
    for id in order {
        let node = dst.import_node(src, id, |c| map.get(&c).copied().unwrap_or(c));
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

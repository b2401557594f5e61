//! The JSON form of a decoded pickle: tagged, so that types, sharing and cycles survive.
//!
//! The full specification is `docs/json.md`. In short, a document is
//! `{"format":"brine-pickle","version":1,"root":VALUE}` and a `VALUE` is one of:
//!
//! | Python | JSON |
//! | --- | --- |
//! | `None`, `True`, `False` | `null`, `true`, `false` |
//! | `int` that fits in 64 bits | a JSON integer, e.g. `42` |
//! | larger `int` | `{"int":"123456789012345678901234567890"}` |
//! | `float` | `{"float":2.5}`; `{"float":"nan"}`, `"inf"`, `"-inf"` |
//! | `complex` | `{"complex":[4.0,6.0]}` (parts as in `float`) |
//! | `str` | a JSON string; `{"codepoints":[97,56448]}` if it holds lone surrogates |
//! | `bytes`, `bytearray` | `{"bytes":"<base64>"}`, `{"bytearray":"<base64>"}` |
//! | `list` | a JSON array |
//! | `tuple`, `set`, `frozenset` | `{"tuple":[...]}`, `{"set":[...]}`, `{"frozenset":[...]}` |
//! | `dict` | `{"dict":[[key,value],...]}` (any key type, insertion order) |
//! | class or function | `{"global":["module","qualname"]}` |
//! | inert object | `{"object":{"class":"module.Name","call":"reduce",...}}` |
//! | persistent id | `{"persistent_id":VALUE}` |
//! | extension code | `{"extension":42}` |
//! | out-of-band buffer | `{"buffer":{"index":0,"readonly":false,"data":"<base64>"\|null}}` |
//!
//! Every JSON object in a `VALUE` position is a tagged value: one tag key, plus `"id"` on a value
//! that is referenced more than once. The first occurrence of such a value (in document order)
//! carries `"id":N`; every later one is `{"ref":N}`. Containers, objects, buffers, and `str`/`bytes`
//! longer than 64 bytes are shared this way, so a cycle is a `ref` to an enclosing value and the
//! document's size is linear in the pickle's, whatever its sharing.
//!
//! ```
//! use brine_pickle::{Graph, json::to_json_string};
//! let mut g = Graph::new();
//! let one = g.int(1);
//! let half = g.float(0.5);
//! let t = g.tuple(vec![one, half]);
//! let list = g.list(vec![t, t]);
//! assert_eq!(
//!     to_json_string(&g, list),
//!     r#"{"format":"brine-pickle","version":1,"root":[{"id":0,"tuple":[1,{"float":0.5}]},{"ref":0}]}"#
//! );
//! ```

use std::fmt::Write as _;

use crate::repr;
use crate::value::{Graph, Node, NodeId, ObjectKind, PyStrRef};

/// `str`/`bytes` longer than this are written once and referenced when shared.
const INLINE_ATOM_LEN: usize = 64;

/// The JSON document for the value `root` of `graph`.
pub fn to_json_string(graph: &Graph, root: NodeId) -> String {
    let mut out = String::new();
    write_json(graph, root, &mut out);
    out
}

/// Appends the JSON document for the value `root` of `graph` to `out`.
pub fn write_json(graph: &Graph, root: NodeId, out: &mut String) {
    out.push_str(r#"{"format":"brine-pickle","version":1,"root":"#);
    write_value(graph, root, out);
    out.push('}');
}

/// Appends just the `VALUE` for `root` (no document wrapper).
pub fn write_value(graph: &Graph, root: NodeId, out: &mut String) {
    let counts = ref_counts(graph, root);
    let mut ids: Vec<u32> = vec![u32::MAX; graph.len()];
    let mut next_id = 0u32;
    let mut stack: Vec<Task<'_>> = vec![Task::Value(root)];
    while let Some(task) = stack.pop() {
        match task {
            Task::Lit(s) => out.push_str(s),
            Task::Items { items, pos } => {
                if let Some(&item) = items.get(pos) {
                    if pos > 0 {
                        out.push(',');
                    }
                    stack.push(Task::Items {
                        items,
                        pos: pos + 1,
                    });
                    stack.push(Task::Value(item));
                }
            }
            Task::Pairs { pairs, pos } => {
                if let Some(&(k, v)) = pairs.get(pos) {
                    if pos > 0 {
                        out.push(',');
                    }
                    out.push('[');
                    stack.push(Task::Pairs {
                        pairs,
                        pos: pos + 1,
                    });
                    stack.push(Task::Lit("]"));
                    stack.push(Task::Value(v));
                    stack.push(Task::Lit(","));
                    stack.push(Task::Value(k));
                }
            }
            Task::Value(id) => {
                let node = graph.get(id);
                let shared =
                    is_shareable(graph, node) && counts.get(id.index()).copied().unwrap_or(0) > 1;
                let mut open = "{";
                if shared {
                    if let Some(slot) = ids.get_mut(id.index()) {
                        if *slot != u32::MAX {
                            let _ = write!(out, r#"{{"ref":{}}}"#, *slot);
                            continue;
                        }
                        *slot = next_id;
                        let _ = write!(out, r#"{{"id":{next_id},"#);
                        next_id += 1;
                        open = "";
                    }
                }
                emit_node(graph, node, shared, open, out, &mut stack);
            }
        }
    }
}

enum Task<'g> {
    Value(NodeId),
    Lit(&'static str),
    Items {
        items: &'g [NodeId],
        pos: usize,
    },
    Pairs {
        pairs: &'g [(NodeId, NodeId)],
        pos: usize,
    },
}

fn is_shareable(graph: &Graph, node: &Node) -> bool {
    match node {
        Node::Str(s) => graph.text(*s).as_bytes().len() > INLINE_ATOM_LEN,
        Node::Bytes(b) => b.len() > INLINE_ATOM_LEN,
        Node::List(_)
        | Node::Tuple(_)
        | Node::Dict(_)
        | Node::Set(_)
        | Node::FrozenSet(_)
        | Node::ByteArray(_)
        | Node::Object(_)
        | Node::PersistentId(_)
        | Node::Buffer(_) => true,
        _ => false,
    }
}

/// How many times each node reachable from `root` is referenced (the root counts once).
fn ref_counts(graph: &Graph, root: NodeId) -> Vec<u32> {
    let mut counts = vec![0u32; graph.len()];
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        let Some(count) = counts.get_mut(id.index()) else {
            continue;
        };
        *count = count.saturating_add(1);
        if *count > 1 {
            continue;
        }
        graph.for_each_child(id, |child| stack.push(child));
    }
    counts
}

/// Writes one node; `open` is `"{"` unless the id prefix already opened the object.
fn emit_node<'g>(
    graph: &'g Graph,
    node: &'g Node,
    shared: bool,
    open: &str,
    out: &mut String,
    stack: &mut Vec<Task<'g>>,
) {
    let tagged = |out: &mut String, tag: &str| {
        out.push_str(open);
        out.push('"');
        out.push_str(tag);
        out.push_str("\":");
    };
    match node {
        Node::None => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Int(v) => {
            let _ = write!(out, "{v}");
        }
        Node::BigInt(v) => {
            tagged(out, "int");
            let _ = write!(out, "\"{v}\"}}");
        }
        Node::Float(v) => {
            tagged(out, "float");
            write_float(out, *v);
            out.push('}');
        }
        Node::Complex(c) => {
            tagged(out, "complex");
            out.push('[');
            write_float(out, c.re);
            out.push(',');
            write_float(out, c.im);
            out.push_str("]}");
        }
        Node::Str(s) => {
            let s = graph.text(*s);
            if let Some(text) = s.as_str() {
                if shared {
                    tagged(out, "str");
                    write_string(out, text);
                    out.push('}');
                } else {
                    write_string(out, text);
                }
            } else {
                tagged(out, "codepoints");
                write_codepoints(out, s);
                out.push('}');
            }
        }
        Node::Bytes(b) => {
            tagged(out, "bytes");
            write_base64(out, b);
            out.push('}');
        }
        Node::ByteArray(b) => {
            tagged(out, "bytearray");
            write_base64(out, b);
            out.push('}');
        }
        Node::List(items) => {
            if shared {
                tagged(out, "list");
                out.push('[');
                stack.push(Task::Lit("]}"));
            } else {
                out.push('[');
                stack.push(Task::Lit("]"));
            }
            stack.push(Task::Items {
                items: graph.items(*items),
                pos: 0,
            });
        }
        Node::Tuple(items) | Node::Set(items) | Node::FrozenSet(items) => {
            let tag = match node {
                Node::Tuple(_) => "tuple",
                Node::Set(_) => "set",
                _ => "frozenset",
            };
            tagged(out, tag);
            out.push('[');
            stack.push(Task::Lit("]}"));
            stack.push(Task::Items {
                items: graph.items(*items),
                pos: 0,
            });
        }
        Node::Dict(pairs) => {
            tagged(out, "dict");
            out.push('[');
            stack.push(Task::Lit("]}"));
            stack.push(Task::Pairs {
                pairs: graph.pairs(*pairs),
                pos: 0,
            });
        }
        Node::Global(g) => {
            tagged(out, "global");
            out.push('[');
            write_string(out, &g.module);
            out.push(',');
            write_string(out, &g.name);
            out.push_str("]}");
        }
        Node::Object(obj) => {
            tagged(out, "object");
            out.push_str("{\"class\":");
            let class = match &obj.kind {
                ObjectKind::Reduce { callable, args } => {
                    let callable_global = match graph.get(*callable) {
                        Node::Global(g) => Some(g),
                        _ => None,
                    };
                    match callable_global {
                        Some(g)
                            if g.is("copyreg", "_reconstructor")
                                || g.is("copyreg", "__newobj__") =>
                        {
                            match graph.get(*args) {
                                Node::Tuple(items) => {
                                    graph.items(*items).first().map(|&c| graph.get(c))
                                }
                                _ => None,
                            }
                        }
                        _ => Some(graph.get(*callable)),
                    }
                }
                ObjectKind::NewObj { cls, .. }
                | ObjectKind::NewObjEx { cls, .. }
                | ObjectKind::Instance { cls, .. } => Some(graph.get(*cls)),
            };
            match class {
                Some(Node::Global(g)) => {
                    let mut name = String::with_capacity(g.module.len() + g.name.len() + 1);
                    name.push_str(&g.module);
                    name.push('.');
                    name.push_str(&g.name);
                    write_string(out, &name);
                }
                _ => out.push_str("null"),
            }
            let mut seq: Vec<Task<'g>> = Vec::new();
            match &obj.kind {
                ObjectKind::Reduce { callable, args } => {
                    seq.push(Task::Lit(r#","call":"reduce","callable":"#));
                    seq.push(Task::Value(*callable));
                    seq.push(Task::Lit(r#","args":"#));
                    seq.push(Task::Value(*args));
                }
                ObjectKind::NewObj { cls, args } => {
                    seq.push(Task::Lit(r#","call":"newobj","callable":"#));
                    seq.push(Task::Value(*cls));
                    seq.push(Task::Lit(r#","args":"#));
                    seq.push(Task::Value(*args));
                }
                ObjectKind::NewObjEx { cls, args, kwargs } => {
                    seq.push(Task::Lit(r#","call":"newobj_ex","callable":"#));
                    seq.push(Task::Value(*cls));
                    seq.push(Task::Lit(r#","args":"#));
                    seq.push(Task::Value(*args));
                    seq.push(Task::Lit(r#","kwargs":"#));
                    seq.push(Task::Value(*kwargs));
                }
                ObjectKind::Instance { cls, args } => {
                    seq.push(Task::Lit(r#","call":"inst","callable":"#));
                    seq.push(Task::Value(*cls));
                    seq.push(Task::Lit(r#","args":{"tuple":["#));
                    seq.push(Task::Items {
                        items: args,
                        pos: 0,
                    });
                    seq.push(Task::Lit("]}"));
                }
            }
            if !obj.list_items.is_empty() {
                seq.push(Task::Lit(r#","listitems":["#));
                seq.push(Task::Items {
                    items: &obj.list_items,
                    pos: 0,
                });
                seq.push(Task::Lit("]"));
            }
            if !obj.dict_items.is_empty() {
                seq.push(Task::Lit(r#","dictitems":["#));
                seq.push(Task::Pairs {
                    pairs: &obj.dict_items,
                    pos: 0,
                });
                seq.push(Task::Lit("]"));
            }
            if let Some(state) = obj.state {
                seq.push(Task::Lit(r#","state":"#));
                seq.push(Task::Value(state));
            }
            seq.push(Task::Lit("}}"));
            stack.extend(seq.into_iter().rev());
        }
        Node::PersistentId(pid) => {
            tagged(out, "persistent_id");
            stack.push(Task::Lit("}"));
            stack.push(Task::Value(*pid));
        }
        Node::Extension(code) => {
            tagged(out, "extension");
            let _ = write!(out, "{code}}}");
        }
        Node::Buffer(buf) => {
            tagged(out, "buffer");
            let _ = write!(
                out,
                r#"{{"index":{},"readonly":{},"data":"#,
                buf.index, buf.readonly
            );
            match &buf.data {
                Some(data) => write_base64(out, data),
                None => out.push_str("null"),
            }
            out.push_str("}}");
        }
    }
}

/// A float as a JSON number (Python's repr digits), or `"nan"`, `"inf"`, `"-inf"`.
fn write_float(out: &mut String, v: f64) {
    if v.is_finite() {
        out.push_str(&repr::float_repr(v));
    } else {
        out.push('"');
        out.push_str(&repr::float_repr(v));
        out.push('"');
    }
}

/// A JSON string literal.
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_codepoints(out: &mut String, s: PyStrRef<'_>) {
    out.push('[');
    for (i, cp) in s.code_points().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{cp}");
    }
    out.push(']');
}

/// Standard base64 with padding, as a JSON string.
fn write_base64(out: &mut String, data: &[u8]) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sym = |i: u32| char::from(ALPHABET[(i & 63) as usize]);
    out.reserve(data.len().div_ceil(3) * 4 + 2);
    out.push('"');
    for chunk in data.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        out.push(if chunk.len() > 1 { sym(n >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { sym(n) } else { '=' });
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Object, PyStr};

    fn value(g: &Graph, id: NodeId) -> String {
        let mut out = String::new();
        write_value(g, id, &mut out);
        out
    }

    #[test]
    fn atoms() {
        let mut g = Graph::new();
        let n = g.none();
        let big = g.bigint(num_bigint::BigInt::from(1u8) << 70);
        let nan = g.float(f64::NAN);
        let c = g.complex(4.0, -0.0);
        let s = g.str("a\"\\\n\u{1}é");
        let lone = g.pystr(&PyStr::from_code_points([97, 0xdc80]).unwrap());
        let b = g.bytes(b"\x00\xffab");
        let ba = g.push(Node::bytearray(b"xy".to_vec()));
        let l = g.list(vec![n, big, nan, c, s, lone, b, ba]);
        assert_eq!(
            value(&g, l),
            r#"[null,{"int":"1180591620717411303424"},{"float":"nan"},{"complex":[4.0,-0.0]},"a\"\\\n\u0001é",{"codepoints":[97,56448]},{"bytes":"AP9hYg=="},{"bytearray":"eHk="}]"#
        );
    }

    #[test]
    fn cycles_and_objects() {
        let mut g = Graph::new();
        let d = g.dict(vec![]);
        let k = g.str("self");
        assert!(g.extend_pairs(d, &[(k, d)]));
        assert_eq!(value(&g, d), r#"{"id":0,"dict":[["self",{"ref":0}]]}"#);

        let cls = g.global("collections", "OrderedDict");
        let args = g.tuple(vec![]);
        let mut obj = Object::new(ObjectKind::Reduce {
            callable: cls,
            args,
        });
        let one = g.int(1);
        obj.dict_items.push((k, one));
        let o = g.object(obj);
        assert_eq!(
            value(&g, o),
            r#"{"object":{"class":"collections.OrderedDict","call":"reduce","callable":{"global":["collections","OrderedDict"]},"args":{"tuple":[]},"dictitems":[["self",1]]}}"#
        );
    }

    #[test]
    fn memo_bomb_is_linear() {
        let mut g = Graph::new();
        let mut x = g.int(0);
        for _ in 0..40 {
            x = g.list(vec![x, x]);
        }
        let text = to_json_string(&g, x);
        assert!(text.len() < 2000, "{}", text.len());
        assert!(text.contains(r#"{"ref":38}"#));
    }

    #[test]
    fn deep_nesting() {
        let mut g = Graph::new();
        let mut x = g.none();
        for _ in 0..1_000_000 {
            x = g.tuple(vec![x]);
        }
        let text = to_json_string(&g, x);
        assert!(text.contains(r#"{"tuple":[{"tuple":[null]}]}"#));
        assert!(text.ends_with("]}]}]}}"));
        assert_eq!(text.matches("tuple").count(), 1_000_000);
    }
}

//! Python's `repr()` of a decoded value, exactly as CPython 3.11 writes it.
//!
//! For values of builtin types (`None`, `bool`, `int`, `float`, `complex`, `str`, `bytes`,
//! `bytearray`, `list`, `tuple`, `dict`, `set`, `frozenset`) the text is what `repr()` gives for the
//! same value in Python: shortest round-trip float digits with Python's switch to exponent form,
//! Python's quote choice and escapes for `str` and `bytes` (the `str.isprintable()` table comes from
//! the pinned Python's Unicode database), and `[...]`, `{...}`, `(...)`, `set(...)` exactly where a
//! container is being printed inside itself.
//!
//! Values Python would build by calling something Brine never calls are printed readably, in a
//! Python-like call syntax (see `docs/json.md` for the machine-readable form):
//!
//! | value | printed as |
//! | --- | --- |
//! | a global (class or function) | `module.qualname`, or `<global 'module' 'name'>` if the names are not plain identifiers |
//! | `REDUCE` | `callable(arg, ...)` (`callable(*args)` if the arguments are not a tuple) |
//! | `NEWOBJ`, `INST`, `OBJ` | `module.Class(arg, ...)` |
//! | `NEWOBJ_EX` | `module.Class(arg, ..., **{'key': value})` |
//! | items appended / set on it | `.extend([...])`, `.update({...})`, in that order, after the call |
//! | `BUILD` state | `.__setstate__(state)` last |
//! | an object inside itself | `module.Class(...)` |
//! | a persistent id | `persistent_load(id)` |
//! | an extension code | `<extension 42>` |
//! | an out-of-band buffer | `bytearray(b'...')` when its data was supplied (as CPython gives the supplied `bytearray` back), `<out-of-band buffer 0, read-only: b'...'>` for a read-only view of it, `<out-of-band buffer 0>` when its data is unknown |
//!
//! For example `collections.OrderedDict().update({'a': 1})`, or
//! `sklearn.linear_model._base.LinearRegression().__setstate__({'fit_intercept': True, ...})`.
//!
//! Other differences from Python, by design: an `int` of more than 4300 decimal digits (where
//! Python 3.11 refuses to convert) prints in hexadecimal, `0x...`; dict and set items print as the
//! pickle gave them, without Python's removal of duplicate keys.
//!
//! Printing is iterative (a list nested 10^6 deep prints) and bounded: shared references print
//! again each time, as in Python, so output is cut at [`ReprOptions::max_len`] bytes and the result
//! says it was truncated. A "memo bomb" therefore prints in time proportional to the limit.
//!
//! ```
//! use brine_pickle::{Graph, repr::repr};
//! let mut g = Graph::new();
//! let a = g.int(1);
//! let b = g.float(2.0);
//! let c = g.complex(4.0, 6.0);
//! let s = g.str("it's");
//! let list = g.list(vec![a, b, c, s]);
//! assert_eq!(repr(&g, list), r#"[1, 2.0, (4+6j), "it's"]"#);
//! ```

mod unprintable;

use std::fmt::Write as _;

use num_bigint::BigInt;

use crate::value::{Global, Graph, Node, NodeId, ObjectKind, PyStrRef};

/// Options for [`repr_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReprOptions {
    /// The most bytes of UTF-8 text to produce; longer output is cut (at a character boundary) and
    /// reported as truncated. `usize::MAX` for no limit.
    pub max_len: usize,
}

impl Default for ReprOptions {
    /// A limit of 64 MiB.
    fn default() -> ReprOptions {
        ReprOptions { max_len: 64 << 20 }
    }
}

/// The text of a repr, and whether it was cut at the length limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repr {
    /// The text (at most [`ReprOptions::max_len`] bytes).
    pub text: String,
    /// `true` if the full repr is longer and `text` is only its beginning.
    pub truncated: bool,
}

/// Python's `repr()` of node `id`, with the default limit; a truncated result ends with `...`.
///
/// ```
/// use brine_pickle::{Graph, repr::repr};
/// let mut g = Graph::new();
/// let list = g.list(vec![]);
/// g.extend_items(list, &[list]);
/// assert_eq!(repr(&g, list), "[[...]]");
/// ```
pub fn repr(graph: &Graph, id: NodeId) -> String {
    let Repr {
        mut text,
        truncated,
    } = repr_with(graph, id, &ReprOptions::default());
    if truncated {
        text.push_str("...");
    }
    text
}

/// Python's `repr()` of node `id`, cut at `options.max_len` bytes.
///
/// ```
/// use brine_pickle::{Graph, repr::{repr_with, ReprOptions}};
/// let mut g = Graph::new();
/// let mut x = g.int(0);
/// for _ in 0..40 {
///     x = g.list(vec![x, x]); // 2^40 leaves
/// }
/// let r = repr_with(&g, x, &ReprOptions { max_len: 1000 });
/// assert!(r.truncated);
/// assert_eq!(r.text.len(), 1000);
/// assert!(r.text.starts_with("[[[[["));
/// ```
pub fn repr_with(graph: &Graph, id: NodeId, options: &ReprOptions) -> Repr {
    let mut printer = Printer {
        graph,
        out: String::new(),
        limit: options.max_len,
        active: vec![false; graph.len()],
        stack: vec![Task::Value(id)],
    };
    let truncated = printer.run();
    let mut text = printer.out;
    if truncated {
        let mut cut = options.max_len.min(text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    Repr { text, truncated }
}

enum Task<'g> {
    Value(NodeId),
    Lit(&'static str),
    /// Comma-separated items; `tuple` adds the trailing comma of a one-item tuple.
    Items {
        items: &'g [NodeId],
        pos: usize,
        tuple: bool,
    },
    /// Comma-separated `key: value` pairs.
    Pairs {
        pairs: &'g [(NodeId, NodeId)],
        pos: usize,
    },
    /// The end of a container being printed (Python's `Py_ReprLeave`).
    Leave(NodeId),
}

struct Printer<'g> {
    graph: &'g Graph,
    out: String,
    limit: usize,
    /// The containers being printed right now (Python's `Py_ReprEnter` list).
    active: Vec<bool>,
    stack: Vec<Task<'g>>,
}

impl<'g> Printer<'g> {
    /// Prints everything on the stack; `true` if the output went past the limit.
    fn run(&mut self) -> bool {
        while let Some(task) = self.stack.pop() {
            if self.out.len() > self.limit {
                return true;
            }
            match task {
                Task::Lit(s) => self.out.push_str(s),
                Task::Leave(id) => self.set_active(id, false),
                Task::Items { items, pos, tuple } => {
                    if let Some(&item) = items.get(pos) {
                        if pos > 0 {
                            self.out.push_str(", ");
                        }
                        self.stack.push(Task::Items {
                            items,
                            pos: pos + 1,
                            tuple,
                        });
                        self.stack.push(Task::Value(item));
                    } else if tuple && items.len() == 1 {
                        self.out.push(',');
                    }
                }
                Task::Pairs { pairs, pos } => {
                    if let Some(&(k, v)) = pairs.get(pos) {
                        if pos > 0 {
                            self.out.push_str(", ");
                        }
                        self.stack.push(Task::Pairs {
                            pairs,
                            pos: pos + 1,
                        });
                        self.stack.push(Task::Value(v));
                        self.stack.push(Task::Lit(": "));
                        self.stack.push(Task::Value(k));
                    }
                }
                Task::Value(id) => self.value(id),
            }
        }
        self.out.len() > self.limit
    }

    fn is_active(&self, id: NodeId) -> bool {
        self.active.get(id.index()).copied().unwrap_or(false)
    }

    fn set_active(&mut self, id: NodeId, on: bool) {
        if let Some(slot) = self.active.get_mut(id.index()) {
            *slot = on;
        }
    }

    /// Starts a container: `true` if it is already being printed (a cycle).
    fn enter(&mut self, id: NodeId) -> bool {
        if self.is_active(id) {
            return true;
        }
        self.set_active(id, true);
        self.stack.push(Task::Leave(id));
        false
    }

    fn items(&mut self, items: &'g [NodeId], tuple: bool) {
        self.stack.push(Task::Items {
            items,
            pos: 0,
            tuple,
        });
    }

    fn value(&mut self, id: NodeId) {
        let graph = self.graph;
        let room = self.limit.saturating_sub(self.out.len());
        match graph.get(id) {
            Node::None => self.out.push_str("None"),
            Node::Bool(true) => self.out.push_str("True"),
            Node::Bool(false) => self.out.push_str("False"),
            Node::Int(v) => {
                let _ = write!(self.out, "{v}");
            }
            Node::BigInt(v) => write_bigint(&mut self.out, v),
            Node::Float(v) => write_float(&mut self.out, *v, true, false),
            Node::Complex(c) => write_complex(&mut self.out, c.re, c.im),
            Node::Str(s) => write_str(&mut self.out, graph.text(*s), room),
            Node::Bytes(b) => write_bytes(&mut self.out, b, false, room),
            Node::ByteArray(b) => {
                self.out.push_str("bytearray(");
                write_bytes(&mut self.out, b, true, room);
                self.out.push(')');
            }
            Node::List(items) => {
                if self.enter(id) {
                    self.out.push_str("[...]");
                } else {
                    self.out.push('[');
                    self.stack.push(Task::Lit("]"));
                    self.items(graph.items(*items), false);
                }
            }
            Node::Tuple(items) => {
                if self.enter(id) {
                    self.out.push_str("(...)");
                } else {
                    self.out.push('(');
                    self.stack.push(Task::Lit(")"));
                    self.items(graph.items(*items), true);
                }
            }
            Node::Dict(pairs) => {
                if self.enter(id) {
                    self.out.push_str("{...}");
                } else {
                    self.out.push('{');
                    self.stack.push(Task::Lit("}"));
                    self.stack.push(Task::Pairs {
                        pairs: graph.pairs(*pairs),
                        pos: 0,
                    });
                }
            }
            Node::Set(items) | Node::FrozenSet(items) => {
                let name = if matches!(graph.get(id), Node::Set(_)) {
                    "set"
                } else {
                    "frozenset"
                };
                if self.enter(id) {
                    self.out.push_str(name);
                    self.out.push_str("(...)");
                } else if graph.items(*items).is_empty() {
                    self.out.push_str(name);
                    self.out.push_str("()");
                } else if name == "set" {
                    self.out.push('{');
                    self.stack.push(Task::Lit("}"));
                    self.items(graph.items(*items), false);
                } else {
                    self.out.push_str("frozenset({");
                    self.stack.push(Task::Lit("})"));
                    self.items(graph.items(*items), false);
                }
            }
            Node::Global(global) => write_global(&mut self.out, global),
            Node::Object(obj) => {
                let (callee, args, kwargs): (NodeId, Option<NodeId>, Option<NodeId>) =
                    match &obj.kind {
                        ObjectKind::Reduce { callable, args } => (*callable, Some(*args), None),
                        ObjectKind::NewObj { cls, args } => (*cls, Some(*args), None),
                        ObjectKind::NewObjEx { cls, args, kwargs } => {
                            (*cls, Some(*args), Some(*kwargs))
                        }
                        ObjectKind::Instance { cls, .. } => (*cls, None, None),
                    };
                if self.enter(id) {
                    self.stack.push(Task::Lit("(...)"));
                    self.stack.push(Task::Value(callee));
                    return;
                }
                // The parts in order, pushed reversed: the call, .extend, .update, .__setstate__.
                let mut seq: Vec<Task<'g>> = vec![Task::Value(callee), Task::Lit("(")];
                let has_args = match (&obj.kind, args) {
                    (ObjectKind::Instance { args, .. }, _) => {
                        seq.push(Task::Items {
                            items: args,
                            pos: 0,
                            tuple: false,
                        });
                        !args.is_empty()
                    }
                    (_, Some(args)) => match graph.get(args) {
                        Node::Tuple(items) => {
                            let items = graph.items(*items);
                            seq.push(Task::Items {
                                items,
                                pos: 0,
                                tuple: false,
                            });
                            !items.is_empty()
                        }
                        _ => {
                            seq.push(Task::Lit("*"));
                            seq.push(Task::Value(args));
                            true
                        }
                    },
                    (_, None) => false,
                };
                if let Some(kwargs) = kwargs {
                    seq.push(Task::Lit(if has_args { ", **" } else { "**" }));
                    seq.push(Task::Value(kwargs));
                }
                seq.push(Task::Lit(")"));
                if !obj.list_items.is_empty() {
                    seq.push(Task::Lit(".extend(["));
                    seq.push(Task::Items {
                        items: &obj.list_items,
                        pos: 0,
                        tuple: false,
                    });
                    seq.push(Task::Lit("])"));
                }
                if !obj.dict_items.is_empty() {
                    seq.push(Task::Lit(".update({"));
                    seq.push(Task::Pairs {
                        pairs: &obj.dict_items,
                        pos: 0,
                    });
                    seq.push(Task::Lit("})"));
                }
                if let Some(state) = obj.state {
                    seq.push(Task::Lit(".__setstate__("));
                    seq.push(Task::Value(state));
                    seq.push(Task::Lit(")"));
                }
                self.stack.extend(seq.into_iter().rev());
            }
            Node::PersistentId(pid) => {
                self.out.push_str("persistent_load(");
                self.stack.push(Task::Lit(")"));
                self.stack.push(Task::Value(*pid));
            }
            Node::Extension(code) => {
                let _ = write!(self.out, "<extension {code}>");
            }
            Node::Buffer(buf) => {
                // A supplied buffer is writable, like the `bytearray` CPython gives back.
                if let (Some(data), false) = (&buf.data, buf.readonly) {
                    self.out.push_str("bytearray(");
                    write_bytes(&mut self.out, data, true, room);
                    self.out.push(')');
                    return;
                }
                let _ = write!(self.out, "<out-of-band buffer {}", buf.index);
                if buf.readonly {
                    self.out.push_str(", read-only");
                }
                if let Some(data) = &buf.data {
                    self.out.push_str(": ");
                    write_bytes(&mut self.out, data, false, room);
                }
                self.out.push('>');
            }
        }
    }
}

/// `true` if `s` is a dotted name of plain identifiers (`collections.OrderedDict`, `A.B`).
fn is_dotted_name(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
                && chars.all(|c| c == '_' || c.is_alphanumeric())
        })
}

/// A global as `module.name`, or `<global 'module' 'name'>` when the names are unusual.
pub fn write_global(out: &mut String, global: &Global) {
    if is_dotted_name(&global.module) && is_dotted_name(&global.name) {
        out.push_str(&global.module);
        out.push('.');
        out.push_str(&global.name);
    } else {
        out.push_str("<global ");
        write_str(out, PyStrRef::from(&*global.module), usize::MAX);
        out.push(' ');
        write_str(out, PyStrRef::from(&*global.name), usize::MAX);
        out.push('>');
    }
}

/// Python's `repr()` of an `int` (hexadecimal past Python 3.11's 4300-digit conversion limit).
pub fn bigint_repr(v: &BigInt) -> String {
    let mut out = String::new();
    write_bigint(&mut out, v);
    out
}

fn write_bigint(out: &mut String, v: &BigInt) {
    // 14_300 bits hold at most 4305 decimal digits: only then is decimal conversion attempted.
    if v.bits() <= 14_300 {
        let text = v.to_string();
        let digits = text.len() - usize::from(text.starts_with('-'));
        if digits <= 4300 {
            out.push_str(&text);
            return;
        }
    }
    let (sign, mag) = v.clone().into_parts();
    if sign == num_bigint::Sign::Minus {
        out.push('-');
    }
    let _ = write!(out, "0x{mag:x}");
}

/// Python's `repr()` of a `float`: `1.0`, `0.1`, `1e+16`, `1e-05`, `inf`, `nan`, `-0.0`.
///
/// ```
/// use brine_pickle::repr::float_repr;
/// assert_eq!(float_repr(1e16), "1e+16");
/// assert_eq!(float_repr(1e15), "1000000000000000.0");
/// assert_eq!(float_repr(0.0001), "0.0001");
/// assert_eq!(float_repr(1e-5), "1e-05");
/// assert_eq!(float_repr(-0.0), "-0.0");
/// ```
pub fn float_repr(v: f64) -> String {
    let mut out = String::new();
    write_float(&mut out, v, true, false);
    out
}

/// Python's `repr()` of a `complex`: `(4+6j)`, `6j`, `-0j`, `(-0-1j)`, `(1+nanj)`.
///
/// ```
/// use brine_pickle::repr::complex_repr;
/// assert_eq!(complex_repr(4.0, 6.0), "(4+6j)");
/// assert_eq!(complex_repr(0.0, 6.0), "6j");
/// assert_eq!(complex_repr(-0.0, -1.0), "(-0-1j)");
/// ```
pub fn complex_repr(re: f64, im: f64) -> String {
    let mut out = String::new();
    write_complex(&mut out, re, im);
    out
}

fn write_complex(out: &mut String, re: f64, im: f64) {
    if re == 0.0 && re.is_sign_positive() {
        write_float(out, im, false, false);
        out.push('j');
    } else {
        out.push('(');
        write_float(out, re, false, false);
        write_float(out, im, false, true);
        out.push_str("j)");
    }
}

/// CPython's `PyOS_double_to_string(v, 'r', 0, flags)`: `add_dot_0` is `Py_DTSF_ADD_DOT_0`,
/// `sign` is `Py_DTSF_SIGN`.
fn write_float(out: &mut String, v: f64, add_dot_0: bool, sign: bool) {
    if v.is_nan() {
        // CPython ignores the sign of a nan.
        out.push_str(if sign { "+nan" } else { "nan" });
        return;
    }
    if v.is_sign_negative() {
        out.push('-');
    } else if sign {
        out.push('+');
    }
    if v.is_infinite() {
        out.push_str("inf");
        return;
    }
    let a = v.abs();
    if a == 0.0 {
        out.push_str(if add_dot_0 { "0.0" } else { "0" });
        return;
    }
    // Rust's `{:e}` gives the shortest digits that round-trip, as Python's repr does.
    let mut sci = format!("{a:e}");
    // `{:e}` gives the fewest digits that round-trip; when several strings of that length do,
    // Python takes the one nearest the exact value: the correctly rounded one, if it round-trips.
    let ndigits = sci.find('e').unwrap_or(sci.len()) - usize::from(sci.contains('.'));
    if ndigits > 1 {
        let rounded = format!("{a:.*e}", ndigits - 1);
        if rounded != sci && rounded.parse::<f64>() == Ok(a) {
            sci = rounded;
        }
    }
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let ndigits = digits.len() as i64;
    let decpt = exp + 1;
    if decpt <= -4 || decpt > 16 {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let _ = write!(
            out,
            "e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.unsigned_abs()
        );
    } else if decpt <= 0 {
        out.push_str("0.");
        for _ in 0..-decpt {
            out.push('0');
        }
        out.push_str(&digits);
    } else if decpt >= ndigits {
        out.push_str(&digits);
        for _ in 0..decpt - ndigits {
            out.push('0');
        }
        if add_dot_0 {
            out.push_str(".0");
        }
    } else {
        let (int_part, frac) = digits.split_at(decpt as usize);
        out.push_str(int_part);
        out.push('.');
        out.push_str(frac);
    }
}

/// `true` if Python's `str.isprintable()` holds for this code point.
pub fn is_printable(cp: u32) -> bool {
    if cp < 0x80 {
        return (0x20..0x7f).contains(&cp);
    }
    let table = unprintable::UNPRINTABLE;
    let pos = table.partition_point(|&(_, end)| end < cp);
    !matches!(table.get(pos), Some(&(start, _)) if start <= cp)
}

/// Python's `repr()` of a `str`.
///
/// ```
/// use brine_pickle::{PyStr, repr::str_repr};
/// assert_eq!(str_repr(&PyStr::from("it's")), r#""it's""#);
/// assert_eq!(str_repr(&PyStr::from("a\tb\u{7f}\u{a0}é\u{200b}")), r"'a\tb\x7f\xa0é\u200b'");
/// ```
pub fn str_repr<'a>(s: impl Into<PyStrRef<'a>>) -> String {
    let mut out = String::new();
    write_str(&mut out, s.into(), usize::MAX);
    out
}

/// Appends Python's `repr()` of a `str`, stopping once `room` bytes were written.
pub(crate) fn write_str(out: &mut String, s: PyStrRef<'_>, room: usize) {
    let bytes = s.as_bytes();
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let start = out.len();
    out.push(quote);
    for cp in s.code_points() {
        if out.len() - start > room {
            return;
        }
        match cp {
            0x5c => out.push_str("\\\\"),
            0x09 => out.push_str("\\t"),
            0x0a => out.push_str("\\n"),
            0x0d => out.push_str("\\r"),
            _ if cp == quote as u32 => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(cp as u8 as char),
            _ => match char::from_u32(cp) {
                Some(c) if cp > 0x7f && is_printable(cp) => out.push(c),
                _ if cp <= 0xff => {
                    let _ = write!(out, "\\x{cp:02x}");
                }
                _ if cp <= 0xffff => {
                    let _ = write!(out, "\\u{cp:04x}");
                }
                _ => {
                    let _ = write!(out, "\\U{cp:08x}");
                }
            },
        }
    }
    out.push(quote);
}

/// Python's `repr()` of a `bytes`.
///
/// ```
/// use brine_pickle::repr::bytes_repr;
/// assert_eq!(bytes_repr(b"byte string"), "b'byte string'");
/// assert_eq!(bytes_repr(b"it's\n\x00\xff"), r#"b"it's\n\x00\xff""#);
/// ```
pub fn bytes_repr(b: &[u8]) -> String {
    let mut out = String::new();
    write_bytes(&mut out, b, false, usize::MAX);
    out
}

/// Appends Python's `repr()` of `bytes` (or the `b'...'` inside a `bytearray`'s, which always
/// escapes a single quote), stopping once `room` bytes were written.
pub(crate) fn write_bytes(out: &mut String, b: &[u8], bytearray: bool, room: usize) {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let start = out.len();
    out.push('b');
    out.push(quote as char);
    for &c in b {
        if out.len() - start > room {
            return;
        }
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if c == quote || (bytearray && c == b'\'') => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            _ => {
                let _ = write!(out, "\\x{c:02x}");
            }
        }
    }
    out.push(quote as char);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::PyStr;

    #[test]
    fn floats() {
        let cases: &[(f64, &str)] = &[
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (-2.5, "-2.5"),
            (1234.5678, "1234.5678"),
        ];
        for &(v, want) in cases {
            assert_eq!(float_repr(v), want, "{v:?}");
        }
    }

    #[test]
    fn complexes() {
        let nan = f64::NAN;
        assert_eq!(complex_repr(0.0, -0.0), "-0j");
        assert_eq!(complex_repr(-0.0, 0.0), "(-0+0j)");
        assert_eq!(complex_repr(1.0, nan), "(1+nanj)");
        assert_eq!(complex_repr(nan, -nan), "(nan+nanj)");
        assert_eq!(complex_repr(0.0, 1e16), "1e+16j");
        assert_eq!(complex_repr(1.5, f64::NEG_INFINITY), "(1.5-infj)");
    }

    #[test]
    fn strings_and_bytes() {
        assert_eq!(str_repr(&PyStr::from("")), "''");
        assert_eq!(str_repr(&PyStr::from("a'b\"c")), r#"'a\'b"c'"#);
        assert_eq!(str_repr(&PyStr::from("\\")), r"'\\'");
        assert_eq!(
            str_repr(&PyStr::from("\u{1f600}\u{e0001}")),
            r"'😀\U000e0001'"
        );
        let lone = PyStr::from_code_points([0x61, 0xdc80]).unwrap();
        assert_eq!(str_repr(&lone), r"'a\udc80'");
        assert_eq!(bytes_repr(b""), "b''");
        assert_eq!(bytes_repr(b"'\""), r#"b'\'"'"#);
        let mut g = Graph::new();
        let ba = g.push(Node::bytearray(b"it's".to_vec()));
        assert_eq!(repr(&g, ba), r#"bytearray(b"it\'s")"#);
    }

    #[test]
    fn containers_and_recursion() {
        let mut g = Graph::new();
        let one = g.int(1);
        let empty_t = g.tuple(vec![]);
        let single = g.tuple(vec![one]);
        let empty_set = g.set(vec![]);
        let fs = g.frozenset(vec![one]);
        let efs = g.frozenset(vec![]);
        let lst = g.list(vec![empty_t, single, empty_set, fs, efs]);
        assert_eq!(
            repr(&g, lst),
            "[(), (1,), set(), frozenset({1}), frozenset()]"
        );

        // t = ([],); t[0].append(t)
        let inner = g.list(vec![]);
        let t = g.tuple(vec![inner]);
        assert!(g.extend_items(inner, &[t]));
        assert_eq!(repr(&g, t), "([(...)],)");
        // d = {}; d[1] = d
        let d = g.dict(vec![]);
        assert!(g.extend_pairs(d, &[(one, d)]));
        assert_eq!(repr(&g, d), "{1: {...}}");
        // A shared (not cyclic) list prints twice.
        let shared = g.list(vec![one]);
        let twice = g.list(vec![shared, shared]);
        assert_eq!(repr(&g, twice), "[[1], [1]]");
    }

    #[test]
    fn objects() {
        let mut g = Graph::new();
        let cls = g.global("collections", "OrderedDict");
        let args = g.tuple(vec![]);
        let mut obj = crate::value::Object::new(ObjectKind::Reduce {
            callable: cls,
            args,
        });
        let k = g.str("a");
        let v = g.int(1);
        obj.dict_items.push((k, v));
        let od = g.object(obj);
        assert_eq!(repr(&g, od), "collections.OrderedDict().update({'a': 1})");

        let cls = g.global("m", "C");
        let a = g.int(2);
        let args = g.tuple(vec![a]);
        let kw = g.dict(vec![(k, v)]);
        let mut obj = crate::value::Object::new(ObjectKind::NewObjEx {
            cls,
            args,
            kwargs: kw,
        });
        let state = g.dict(vec![]);
        obj.state = Some(state);
        let o = g.object(obj);
        assert_eq!(repr(&g, o), "m.C(2, **{'a': 1}).__setstate__({})");

        let odd = g.global("os", "a b");
        assert_eq!(repr(&g, odd), "<global 'os' 'a b'>");
    }

    #[test]
    fn deep_nesting_is_iterative() {
        let mut g = Graph::new();
        let mut x = g.list(vec![]);
        for _ in 0..1_000_000 {
            x = g.list(vec![x]);
        }
        let text = repr(&g, x);
        assert_eq!(text.len(), 2_000_002);
        assert!(text.starts_with("[[[") && text.ends_with("]]]"));
    }

    #[test]
    fn big_ints() {
        let big: BigInt = BigInt::from(1u8) << 100;
        assert_eq!(bigint_repr(&big), "1267650600228229401496703205376");
        let huge: BigInt = BigInt::from(-1) << 20_000;
        assert!(bigint_repr(&huge).starts_with("-0x1000"));
    }

    #[test]
    fn printable_table() {
        assert!(is_printable(0xe9));
        assert!(!is_printable(0xa0));
        assert!(!is_printable(0xad));
        assert!(!is_printable(0xd800));
        assert!(!is_printable(0x10ffff));
        assert!(is_printable(0x4e00));
        assert!(!is_printable(0x7f));
        assert!(is_printable(0x20));
    }
}

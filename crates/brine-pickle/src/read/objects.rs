//! Globals and objects: `GLOBAL`, `STACK_GLOBAL`, `REDUCE`, `NEWOBJ(_EX)`, `INST`, `OBJ`, `BUILD`,
//! and the known constructors that become native nodes instead of inert objects.

use crate::compat;
use crate::error::{ErrorKind, Result};
use crate::read::vm::Vm;
use crate::read::{invalid, ReadHook};
use crate::value::{Global, Items, Node, NodeId, Object, ObjectKind, PyStrRef};

/// `true` for values Python can certainly not call / that are certainly not classes. Inert
/// objects, globals, persistent ids and extensions might be.
fn surely_not_callable(node: &Node) -> bool {
    !matches!(
        node,
        Node::Global(_) | Node::Object(_) | Node::PersistentId(_) | Node::Extension(_)
    )
}

/// `true` for values that may be a tuple (a tuple, or something opaque).
fn maybe_tuple(node: &Node) -> bool {
    matches!(
        node,
        Node::Tuple(_) | Node::Object(_) | Node::PersistentId(_) | Node::Extension(_)
    )
}

impl<'d> Vm<'d, '_> {
    /// The two lines of `GLOBAL`/`INST`, as UTF-8.
    pub(crate) fn global_lines(&mut self) -> Result<(&'d str, &'d str)> {
        let module = self.arg_line(true)?;
        let name = self.arg_line(true)?;
        match (std::str::from_utf8(module), std::str::from_utf8(name)) {
            (Ok(m), Ok(n)) => Ok((m, n)),
            _ => Err(self.err(ErrorKind::InvalidUtf8)),
        }
    }

    /// A global node, with Python 2 names mapped for protocols 0-2 (CPython's `find_class`).
    pub(crate) fn global_node(&mut self, module: &str, name: &str) -> Result<NodeId> {
        let global = if self.st.proto < 3 && self.opts.fix_imports {
            let (m, n) = compat::to_python3(module, name);
            Global::new(&m, &n)
        } else {
            Global::new(module, name)
        };
        self.node(Node::Global(Box::new(global)))
    }

    /// `STACK_GLOBAL`: module and name are the two `str`s on top of the stack.
    pub(crate) fn load_stack_global(&mut self) -> Result<()> {
        let name = self.pop()?;
        let module = self.pop()?;
        let (m, n) = match (self.graph.get(module), self.graph.get(name)) {
            (Node::Str(m), Node::Str(n)) => {
                match (self.graph.text(*m).as_str(), self.graph.text(*n).as_str()) {
                    (Some(m), Some(n)) => (m.to_owned(), n.to_owned()),
                    _ => return Err(self.err(invalid("STACK_GLOBAL names with lone surrogates"))),
                }
            }
            _ => return Err(self.err(invalid("STACK_GLOBAL requires str"))),
        };
        let id = self.global_node(&m, &n)?;
        self.push(id)
    }

    /// `REDUCE`: `callable(*args)`, recorded, or built natively for known constructors.
    pub(crate) fn load_reduce(&mut self) -> Result<()> {
        let args = self.pop()?;
        let callable = self.top()?;
        let cnode = self.graph.get(callable);
        if surely_not_callable(cnode) {
            return Err(self.type_err(format!("'{}' object is not callable", cnode.type_name())));
        }
        let anode = self.graph.get(args);
        if !maybe_tuple(anode) {
            return Err(self.type_err(format!(
                "argument list must be a tuple, not '{}'",
                anode.type_name()
            )));
        }
        let node = match self.known_constructor(callable, args) {
            Some(node) => node,
            None => Node::Object(Box::new(Object::new(ObjectKind::Reduce { callable, args }))),
        };
        let id = self.node(node)?;
        self.set_top(id)
    }

    /// `NEWOBJ` / `NEWOBJ_EX`: `cls.__new__(cls, *args[, **kwargs])`, recorded.
    pub(crate) fn load_newobj(&mut self, with_kwargs: bool) -> Result<()> {
        let opname = if with_kwargs { "NEWOBJ_EX" } else { "NEWOBJ" };
        let kwargs = if with_kwargs { Some(self.pop()?) } else { None };
        let args = self.pop()?;
        let cls = self.pop()?;
        let cnode = self.graph.get(cls);
        if surely_not_callable(cnode) {
            return Err(self.err(invalid(format!(
                "{opname} class argument must be a type, not {}",
                cnode.type_name()
            ))));
        }
        let anode = self.graph.get(args);
        if !maybe_tuple(anode) {
            return Err(self.err(invalid(format!(
                "{opname} args argument must be a tuple, not {}",
                anode.type_name()
            ))));
        }
        let kind = match kwargs {
            Some(kwargs) => {
                let knode = self.graph.get(kwargs);
                if !matches!(
                    knode,
                    Node::Dict(_) | Node::Object(_) | Node::PersistentId(_) | Node::Extension(_)
                ) {
                    return Err(self.err(invalid(format!(
                        "{opname} kwargs argument must be a dict, not {}",
                        knode.type_name()
                    ))));
                }
                ObjectKind::NewObjEx { cls, args, kwargs }
            }
            None => ObjectKind::NewObj { cls, args },
        };
        self.push_new(Node::Object(Box::new(Object::new(kind))))
    }

    /// `INST module\nname\n`: an instance of the named class from the items above the mark.
    pub(crate) fn load_inst(&mut self) -> Result<()> {
        let (module, name) = self.global_lines()?;
        let cls = self.global_node(module, name)?;
        let mark = self.marker()?;
        let args = self.pop_from(mark)?;
        self.push_new(Node::Object(Box::new(Object::new(ObjectKind::Instance {
            cls,
            args,
        }))))
    }

    /// `OBJ`: the class and its arguments are above the mark.
    pub(crate) fn load_obj(&mut self) -> Result<()> {
        let mark = self.marker()?;
        if self.st.stack.len() <= mark {
            return Err(self.underflow());
        }
        let args = self.pop_from(mark + 1)?;
        let cls = self.pop()?;
        if surely_not_callable(self.graph.get(cls)) {
            let name = self.graph.get(cls).type_name();
            return Err(self.type_err(format!("'{name}' object is not callable")));
        }
        self.push_new(Node::Object(Box::new(Object::new(ObjectKind::Instance {
            cls,
            args,
        }))))
    }

    /// `BUILD`: the state on top goes to the object below it; then the hook may replace it.
    pub(crate) fn load_build(&mut self, hook: &mut Option<&mut dyn ReadHook>) -> Result<()> {
        let state = self.pop()?;
        let inst = self.top()?;
        match self.graph.get_mut(inst) {
            Some(Node::Object(o)) => {
                o.state = Some(state);
            }
            _ => {
                // A native value has no `__setstate__` and no `__dict__`: CPython only accepts
                // a state that sets nothing (None, or (None, None) / (None, {})).
                if self.state_sets_nothing(state) {
                    return Ok(());
                }
                let name = self.graph.get(inst).type_name();
                return Err(self.type_err(format!(
                    "'{name}' object has no attribute '__dict__' (BUILD)"
                )));
            }
        }
        if let Some(hook) = hook.as_deref_mut() {
            if let Some(new) = self.call_hook(hook, inst)? {
                if new.index() >= self.graph.len() {
                    return Err(self.err(ErrorKind::Hook("hook returned an unknown node".into())));
                }
                self.set_top(new)?;
            }
        }
        Ok(())
    }

    fn state_sets_nothing(&self, state: NodeId) -> bool {
        let empty = |id: NodeId| match self.graph.get(id) {
            Node::None => true,
            Node::Dict(d) => self.graph.pairs(*d).is_empty(),
            _ => false,
        };
        match self.graph.get(state) {
            Node::None => true,
            Node::Tuple(t) => match self.graph.items(*t) {
                [s, slots] => matches!(self.graph.get(*s), Node::None) && empty(*slots),
                _ => false,
            },
            _ => false,
        }
    }

    /// The native value for a call of a known constructor with arguments of the expected shape.
    fn known_constructor(&self, callable: NodeId, args: NodeId) -> Option<Node> {
        let Node::Global(g) = self.graph.get(callable) else {
            return None;
        };
        let Node::Tuple(args) = self.graph.get(args) else {
            return None;
        };
        let graph = &self.graph;
        let args = graph.items(*args);
        let arg = |i: usize| args.get(i).map(|&id| graph.get(id));
        let text = |n: Option<&Node>| match n {
            Some(Node::Str(t)) => Some(graph.text(*t)),
            _ => None,
        };
        match (&*g.module, &*g.name) {
            ("builtins", "complex") => {
                let num = |n: Option<&Node>| match n {
                    Some(Node::Float(v)) => Some(*v),
                    Some(Node::Int(v)) => Some(*v as f64),
                    Some(Node::Bool(b)) => Some(f64::from(u8::from(*b))),
                    None => Some(0.0),
                    _ => None,
                };
                if args.len() > 2 {
                    return None;
                }
                Some(Node::complex(num(arg(0))?, num(arg(1))?))
            }
            ("builtins", "set") | ("builtins", "frozenset") => {
                let frozen = &*g.name == "frozenset";
                // The set shares the list's run of items: appending to either one later moves
                // it, so neither sees the other's items, and `set(x)` repeated costs no copies.
                let items = match (args.len(), arg(0)) {
                    (0, _) => Items::default(),
                    (1, Some(Node::List(v) | Node::Tuple(v))) => *v,
                    _ => return None,
                };
                Some(if frozen {
                    Node::FrozenSet(items)
                } else {
                    Node::Set(items)
                })
            }
            ("builtins", "bytearray") => match (args.len(), arg(0), arg(1)) {
                (0, _, _) => Some(Node::bytearray(Vec::new())),
                (1, Some(Node::Bytes(b)), _) => Some(Node::bytearray(b.to_vec())),
                (2, a, b) => latin1_bytes(text(a)?, text(b)?).map(Node::bytearray),
                _ => None,
            },
            ("builtins", "bytes") => match (args.len(), arg(0), arg(1)) {
                (0, _, _) => Some(Node::bytes(bytes::Bytes::new())),
                (1, Some(Node::Bytes(b)), _) => Some(Node::Bytes(b.clone())),
                (2, a, b) => latin1_bytes(text(a)?, text(b)?).map(Node::bytes),
                _ => None,
            },
            ("_codecs", "encode") => match (args.len(), arg(0), arg(1)) {
                (2, a, b) => latin1_bytes(text(a)?, text(b)?).map(Node::bytes),
                _ => None,
            },
            _ => None,
        }
    }
}

/// `s.encode(enc)` for the Latin-1 spellings pickles use; `None` for another encoding or a code
/// point above 255.
fn latin1_bytes(s: PyStrRef<'_>, enc: PyStrRef<'_>) -> Option<Vec<u8>> {
    let enc = enc.as_str()?.to_ascii_lowercase().replace('_', "-");
    if !matches!(
        enc.as_str(),
        "latin1" | "latin-1" | "iso-8859-1" | "iso8859-1" | "l1"
    ) {
        return None;
    }
    s.code_points().map(|cp| u8::try_from(cp).ok()).collect()
}

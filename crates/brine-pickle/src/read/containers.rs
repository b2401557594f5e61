//! Container opcodes: `APPEND(S)`, `SETITEM(S)`, `ADDITEMS`, `TUPLE1-3`, `DICT`.

use crate::error::Result;
use crate::read::invalid;
use crate::read::vm::Vm;
use crate::value::{Node, NodeId};

impl Vm<'_, '_> {
    /// The container just below stack index `x`, which takes the items from `x` to the top (the
    /// check CPython's `do_append`/`do_setitems` make); `None` when there are no items.
    #[inline]
    fn items_target(&self, x: usize) -> Result<Option<NodeId>> {
        let len = self.st.stack.len();
        if x > len || x <= self.fence() {
            return Err(self.underflow());
        }
        if len == x {
            return Ok(None);
        }
        match self.st.stack.get(x - 1) {
            Some(&t) => Ok(Some(t)),
            None => Err(self.underflow()),
        }
    }

    /// `APPEND`/`APPENDS`: the items from `x` to the top go to the container just below `x`
    /// (CPython's `do_append`). A list is extended; an inert object records them in `list_items`
    /// (CPython calls its `extend`/`append`); a bytearray takes ints 0-255.
    #[inline]
    pub(crate) fn do_append(&mut self, x: usize) -> Result<()> {
        let Some(target) = self.items_target(x)? else {
            return Ok(());
        };
        let items = self.st.stack.get(x..).unwrap_or(&[]);
        match self.graph.get(target) {
            Node::List(_) | Node::Object(_) => {}
            Node::ByteArray(_) => {
                let mut bytes = Vec::with_capacity(items.len());
                for &it in items {
                    match self.graph.get(it) {
                        Node::Int(v @ 0..=255) => bytes.push(*v as u8),
                        Node::Bool(b) => bytes.push(u8::from(*b)),
                        other => {
                            return Err(self.type_err(format!(
                                "'{}' object cannot be interpreted as an integer in bytearray",
                                other.type_name()
                            )))
                        }
                    }
                }
                if let Some(Node::ByteArray(v)) = self.graph.get_mut(target) {
                    let v: &mut Vec<u8> = v;
                    v.extend_from_slice(&bytes);
                }
                self.st.stack.truncate(x);
                return Ok(());
            }
            other => {
                return Err(self.type_err(format!(
                    "'{}' object has no attribute 'append'",
                    other.type_name()
                )))
            }
        }
        self.graph.extend_items(target, items);
        self.st.stack.truncate(x);
        Ok(())
    }

    /// Puts the key/value pairs on the stack from `from` up into the scratch `pairs` (an even
    /// count, checked by the caller).
    #[inline]
    fn stack_pairs(&mut self, from: usize) {
        let items = self.st.stack.get(from..).unwrap_or(&[]);
        self.sc.pairs.clear();
        self.sc
            .pairs
            .extend(items.chunks_exact(2).map(|kv| (kv[0], kv[1])));
    }

    /// `SETITEM`/`SETITEMS`: the key/value pairs from `x` to the top go to the dict just below
    /// `x` (CPython's `do_setitems`), or to an inert object's `dict_items`.
    #[inline]
    pub(crate) fn do_setitems(&mut self, x: usize) -> Result<()> {
        let Some(target) = self.items_target(x)? else {
            return Ok(());
        };
        if (self.st.stack.len() - x) % 2 != 0 {
            return Err(self.err(invalid("odd number of items for SETITEMS")));
        }
        // (The common case, the first items of a dict just made, runs in the fast loop.)
        self.stack_pairs(x);
        if !self.graph.extend_pairs(target, &self.sc.pairs) {
            let name = self.graph.get(target).type_name();
            return Err(self.type_err(format!("'{name}' object does not support item assignment")));
        }
        self.st.stack.truncate(x);
        Ok(())
    }

    /// `ADDITEMS`: the items above the mark go to the set below it.
    pub(crate) fn load_additems(&mut self) -> Result<()> {
        let mark = self.marker()?;
        let Some(target) = self.items_target(mark)? else {
            return Ok(());
        };
        if !matches!(self.graph.get(target), Node::Set(_)) {
            let name = self.graph.get(target).type_name();
            return Err(self.type_err(format!("'{name}' object has no attribute 'add'")));
        }
        let items = self.st.stack.get(mark..).unwrap_or(&[]);
        self.graph.extend_items(target, items);
        self.st.stack.truncate(mark);
        Ok(())
    }

    /// `TUPLE1`/`TUPLE2`/`TUPLE3`.
    #[inline]
    pub(crate) fn load_tuple_n(&mut self, n: usize) -> Result<()> {
        let len = self.st.stack.len();
        if len < n || len - n < self.fence() {
            return Err(self.underflow());
        }
        let items = self.pop_items(len - n)?;
        self.push_new(Node::Tuple(items))
    }

    /// `DICT`: a dict from the key/value pairs above the mark.
    pub(crate) fn load_dict(&mut self) -> Result<()> {
        let mark = self.marker()?;
        let len = self.st.stack.len();
        if mark > len {
            return Err(self.underflow());
        }
        if (len - mark) % 2 != 0 {
            return Err(self.err(invalid("odd number of items for DICT")));
        }
        self.check_from(mark)?;
        self.stack_pairs(mark);
        self.st.stack.truncate(mark);
        let pairs = self.graph.new_pairs(&self.sc.pairs);
        self.push_new(Node::Dict(pairs))
    }
}

//! numpy dtypes: kind, item size and byte order, with numpy's string forms (`dtype.str`, the `.npy`
//! `descr`) and numpy's pickle form, both ways.
//!
//! ```
//! use brine_numpy::{ByteOrder, DType, DTypeKind};
//! let d = DType::parse_descr(">i4").unwrap();
//! assert_eq!(d.kind, DTypeKind::Int { bytes: 4 });
//! assert_eq!(d.byte_order, ByteOrder::Big);
//! assert_eq!(d.itemsize(), 4);
//! assert_eq!(d.descr(), ">i4");
//! assert_eq!(DType::float64().descr(), "<f8");
//! ```

use std::fmt;

use brine_pickle::{Graph, Node, NodeId, Object, ObjectKind, ValueRef};

use crate::error::{NumpyError, Result};

/// Deepest nesting of dtypes (structs in structs) accepted from untrusted input.
const MAX_DTYPE_DEPTH: usize = 64;

/// The byte order of a dtype's items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// `<`: least significant byte first.
    Little,
    /// `>`: most significant byte first.
    Big,
    /// `|`: one-byte items, bytes, void, structs and objects, where order has no meaning.
    NotApplicable,
}

impl ByteOrder {
    /// The order of the machine Brine runs on.
    pub const NATIVE: ByteOrder = if cfg!(target_endian = "big") {
        ByteOrder::Big
    } else {
        ByteOrder::Little
    };

    /// numpy's character: `<`, `>` or `|`.
    pub fn as_char(self) -> char {
        match self {
            ByteOrder::Little => '<',
            ByteOrder::Big => '>',
            ByteOrder::NotApplicable => '|',
        }
    }

    /// Parses `<`, `>`, `|` and `=` (native).
    pub fn from_char(c: char) -> Option<ByteOrder> {
        match c {
            '<' => Some(ByteOrder::Little),
            '>' => Some(ByteOrder::Big),
            '|' => Some(ByteOrder::NotApplicable),
            '=' => Some(ByteOrder::NATIVE),
            _ => None,
        }
    }

    /// `true` when items in this order can be read without swapping bytes.
    pub fn is_native(self) -> bool {
        self == ByteOrder::NATIVE || self == ByteOrder::NotApplicable
    }
}

/// The unit of a `datetime64` / `timedelta64` dtype.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    /// No unit yet (`M8`, `datetime64`).
    Generic,
    /// `Y`
    Years,
    /// `M`
    Months,
    /// `W`
    Weeks,
    /// `D`
    Days,
    /// `h`
    Hours,
    /// `m`
    Minutes,
    /// `s`
    Seconds,
    /// `ms`
    Millis,
    /// `us`
    Micros,
    /// `ns`
    Nanos,
    /// `ps`
    Picos,
    /// `fs`
    Femtos,
    /// `as`
    Attos,
}

impl TimeUnit {
    const ALL: [(TimeUnit, &'static str); 14] = [
        (TimeUnit::Generic, "generic"),
        (TimeUnit::Years, "Y"),
        (TimeUnit::Months, "M"),
        (TimeUnit::Weeks, "W"),
        (TimeUnit::Days, "D"),
        (TimeUnit::Hours, "h"),
        (TimeUnit::Minutes, "m"),
        (TimeUnit::Seconds, "s"),
        (TimeUnit::Millis, "ms"),
        (TimeUnit::Micros, "us"),
        (TimeUnit::Nanos, "ns"),
        (TimeUnit::Picos, "ps"),
        (TimeUnit::Femtos, "fs"),
        (TimeUnit::Attos, "as"),
    ];

    /// numpy's code: `"ns"`, `"D"`, ... (`"generic"` for no unit).
    pub fn code(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(u, _)| *u == self)
            .map(|(_, c)| *c)
            .unwrap_or("generic")
    }

    /// Parses numpy's code (`"μs"` is accepted for microseconds, as numpy does).
    pub fn from_code(code: &str) -> Option<TimeUnit> {
        if code == "μs" {
            return Some(TimeUnit::Micros);
        }
        Self::ALL.iter().find(|(_, c)| *c == code).map(|(u, _)| *u)
    }
}

/// One named field of a structured dtype.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The field name.
    pub name: String,
    /// The field's dtype (may itself be structured or a sub-array).
    pub dtype: DType,
    /// Byte offset of the field inside a record.
    pub offset: usize,
}

/// What a dtype holds.
#[derive(Debug, Clone, PartialEq)]
pub enum DTypeKind {
    /// `b1`: one byte, 0 or 1.
    Bool,
    /// `i1`/`i2`/`i4`/`i8`: signed integer of this many bytes.
    Int {
        /// Item size in bytes.
        bytes: usize,
    },
    /// `u1`/`u2`/`u4`/`u8`: unsigned integer of this many bytes.
    UInt {
        /// Item size in bytes.
        bytes: usize,
    },
    /// `f2`/`f4`/`f8` (and `f16`, long double, which Brine stores but does not convert).
    Float {
        /// Item size in bytes.
        bytes: usize,
    },
    /// `c8`/`c16`: complex of two floats of half this size.
    Complex {
        /// Item size in bytes (both parts).
        bytes: usize,
    },
    /// `S<n>`: fixed-size bytes, NUL padded.
    Bytes(usize),
    /// `U<n>`: fixed-size text of `n` UCS-4 code points (4·n bytes), NUL padded.
    Unicode(usize),
    /// `V<n>`: raw bytes without fields.
    Void(usize),
    /// `M8[unit]`: 64-bit datetime.
    DateTime64(TimeUnit),
    /// `m8[unit]`: 64-bit time delta.
    TimeDelta64(TimeUnit),
    /// `O`: Python objects (elements are pickled values).
    Object,
    /// A record of named fields at byte offsets.
    Structured {
        /// The fields, in numpy's `names` order.
        fields: Vec<Field>,
        /// Record size in bytes, padding included.
        itemsize: usize,
        /// `true` for C-aligned structs (`align=True`).
        aligned: bool,
    },
    /// A fixed-shape sub-array of a base dtype (a struct field like `('b', '<f8', (2, 3))`).
    SubArray {
        /// The element dtype.
        base: Box<DType>,
        /// The sub-array shape.
        shape: Vec<usize>,
    },
}

/// A numpy dtype: kind, item size and byte order.
#[derive(Debug, Clone, PartialEq)]
pub struct DType {
    /// What the items are.
    pub kind: DTypeKind,
    /// Their byte order ([`ByteOrder::NotApplicable`] where it has no meaning).
    pub byte_order: ByteOrder,
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.descr())
    }
}

impl DType {
    /// A dtype, with the byte order normalised: `|` where order has no meaning, native in place of
    /// `|` where it does.
    pub fn new(kind: DTypeKind, byte_order: ByteOrder) -> DType {
        let mut d = DType {
            kind,
            byte_order: ByteOrder::NotApplicable,
        };
        if d.has_byte_order() {
            d.byte_order = if byte_order == ByteOrder::NotApplicable {
                ByteOrder::NATIVE
            } else {
                byte_order
            };
        }
        d
    }

    /// A native-order dtype of this kind.
    pub fn native(kind: DTypeKind) -> DType {
        DType::new(kind, ByteOrder::NATIVE)
    }

    /// `bool`.
    pub fn bool() -> DType {
        DType::native(DTypeKind::Bool)
    }
    /// Native `int64`.
    pub fn int64() -> DType {
        DType::native(DTypeKind::Int { bytes: 8 })
    }
    /// Native `int32`.
    pub fn int32() -> DType {
        DType::native(DTypeKind::Int { bytes: 4 })
    }
    /// Native `float64`.
    pub fn float64() -> DType {
        DType::native(DTypeKind::Float { bytes: 8 })
    }
    /// Native `float32`.
    pub fn float32() -> DType {
        DType::native(DTypeKind::Float { bytes: 4 })
    }
    /// `object`.
    pub fn object() -> DType {
        DType::native(DTypeKind::Object)
    }
    /// Native `<U{chars}`.
    pub fn unicode(chars: usize) -> DType {
        DType::native(DTypeKind::Unicode(chars))
    }

    /// This dtype with another byte order (unchanged where order has no meaning).
    pub fn with_byte_order(&self, order: ByteOrder) -> DType {
        DType::new(self.kind.clone(), order)
    }

    /// `true` where byte order matters: multi-byte numbers, `U`, datetimes.
    pub fn has_byte_order(&self) -> bool {
        match &self.kind {
            DTypeKind::Int { bytes }
            | DTypeKind::UInt { bytes }
            | DTypeKind::Float { bytes }
            | DTypeKind::Complex { bytes } => *bytes > 1,
            DTypeKind::Unicode(_) | DTypeKind::DateTime64(_) | DTypeKind::TimeDelta64(_) => true,
            _ => false,
        }
    }

    /// `true` if items can be read without swapping bytes (recursively for fields).
    pub fn is_native(&self) -> bool {
        match &self.kind {
            DTypeKind::Structured { fields, .. } => fields.iter().all(|f| f.dtype.is_native()),
            DTypeKind::SubArray { base, .. } => base.is_native(),
            _ => self.byte_order.is_native(),
        }
    }

    /// `true` if items are (or contain) Python objects: such arrays are pickled as element lists.
    pub fn has_object(&self) -> bool {
        match &self.kind {
            DTypeKind::Object => true,
            DTypeKind::Structured { fields, .. } => fields.iter().any(|f| f.dtype.has_object()),
            DTypeKind::SubArray { base, .. } => base.has_object(),
            _ => false,
        }
    }

    /// The size of one item in bytes (saturating for absurd sub-array shapes; use
    /// [`DType::checked_itemsize`] on untrusted dtypes).
    pub fn itemsize(&self) -> usize {
        self.checked_itemsize().unwrap_or(usize::MAX)
    }

    /// The size of one item in bytes, `None` on overflow.
    pub fn checked_itemsize(&self) -> Option<usize> {
        Some(match &self.kind {
            DTypeKind::Bool => 1,
            DTypeKind::Int { bytes }
            | DTypeKind::UInt { bytes }
            | DTypeKind::Float { bytes }
            | DTypeKind::Complex { bytes } => *bytes,
            DTypeKind::Bytes(n) | DTypeKind::Void(n) => *n,
            DTypeKind::Unicode(n) => n.checked_mul(4)?,
            DTypeKind::DateTime64(_) | DTypeKind::TimeDelta64(_) => 8,
            DTypeKind::Object => 8,
            DTypeKind::Structured { itemsize, .. } => *itemsize,
            DTypeKind::SubArray { base, shape } => shape
                .iter()
                .try_fold(base.checked_itemsize()?, |acc, &d| acc.checked_mul(d))?,
        })
    }

    /// numpy's C alignment of the items (what the pickled `alignment` of a struct derives from).
    pub fn alignment(&self) -> usize {
        match &self.kind {
            DTypeKind::Bool | DTypeKind::Bytes(_) | DTypeKind::Void(_) => 1,
            DTypeKind::Int { bytes } | DTypeKind::UInt { bytes } | DTypeKind::Float { bytes } => {
                (*bytes).clamp(1, 16)
            }
            DTypeKind::Complex { bytes } => (*bytes / 2).clamp(1, 16),
            DTypeKind::Unicode(_) => 4,
            DTypeKind::DateTime64(_) | DTypeKind::TimeDelta64(_) | DTypeKind::Object => 8,
            DTypeKind::Structured {
                fields, aligned, ..
            } => {
                if *aligned {
                    fields
                        .iter()
                        .map(|f| f.dtype.alignment())
                        .max()
                        .unwrap_or(1)
                } else {
                    1
                }
            }
            DTypeKind::SubArray { base, .. } => base.alignment(),
        }
    }

    /// The type character numpy uses in `dtype.str` (`'f'`, `'i'`, `'U'`, ...).
    pub fn char_code(&self) -> char {
        match &self.kind {
            DTypeKind::Bool => 'b',
            DTypeKind::Int { .. } => 'i',
            DTypeKind::UInt { .. } => 'u',
            DTypeKind::Float { .. } => 'f',
            DTypeKind::Complex { .. } => 'c',
            DTypeKind::Bytes(_) => 'S',
            DTypeKind::Unicode(_) => 'U',
            DTypeKind::Void(_) | DTypeKind::Structured { .. } | DTypeKind::SubArray { .. } => 'V',
            DTypeKind::DateTime64(_) => 'M',
            DTypeKind::TimeDelta64(_) => 'm',
            DTypeKind::Object => 'O',
        }
    }

    /// numpy's `dtype.str`: `"<f8"`, `"|b1"`, `"<U5"`, `"|S5"`, `"<M8[ns]"`, `"|O"`, `"|V16"`.
    pub fn descr(&self) -> String {
        let o = self.byte_order.as_char();
        match &self.kind {
            DTypeKind::Object => "|O".to_string(),
            DTypeKind::Unicode(n) => format!("{o}U{n}"),
            DTypeKind::DateTime64(u) | DTypeKind::TimeDelta64(u) => {
                let c = self.char_code();
                if *u == TimeUnit::Generic {
                    format!("{o}{c}8")
                } else {
                    format!("{o}{c}8[{}]", u.code())
                }
            }
            _ => format!("{o}{}{}", self.char_code(), self.itemsize()),
        }
    }

    /// The `descr` of a `.npy` header as a Python literal: `'<f8'` for simple dtypes, numpy's list
    /// form (`[('a', '<i4'), ('', '|V4'), ('b', '>f8', (2,))]`) for structured ones.
    pub fn npy_descr(&self) -> String {
        match &self.kind {
            DTypeKind::Structured {
                fields, itemsize, ..
            } => {
                let mut sorted: Vec<&Field> = fields.iter().collect();
                sorted.sort_by_key(|f| f.offset);
                let mut parts = Vec::new();
                let mut pos = 0usize;
                for f in sorted {
                    if f.offset > pos {
                        parts.push(format!("('', '|V{}')", f.offset - pos));
                    }
                    let name = py_str_repr(&f.name);
                    match &f.dtype.kind {
                        DTypeKind::SubArray { base, shape } => parts.push(format!(
                            "({name}, {}, {})",
                            base.npy_descr(),
                            py_tuple_repr(shape)
                        )),
                        _ => parts.push(format!("({name}, {})", f.dtype.npy_descr())),
                    }
                    pos = pos.max(f.offset.saturating_add(f.dtype.itemsize()));
                }
                if *itemsize > pos {
                    parts.push(format!("('', '|V{}')", itemsize - pos));
                }
                format!("[{}]", parts.join(", "))
            }
            _ => py_str_repr(&self.descr()),
        }
    }

    /// Parses a dtype string: numpy's `dtype.str` (`"<f8"`, `"|S5"`, `">U3"`, `"<M8[ns]"`), the
    /// short codes with an optional order (`"f8"`, `"=i4"`, `"?"`, `"d"`, `"O"`) and the common names
    /// (`"float64"`, `"int32"`, `"bool"`, `"object"`...).
    pub fn parse_descr(s: &str) -> Result<DType> {
        let unknown = || NumpyError::UnknownDType(s.to_string());
        let named = match s {
            "bool" => Some("|b1"),
            "int8" => Some("|i1"),
            "uint8" => Some("|u1"),
            "int16" => Some("=i2"),
            "uint16" => Some("=u2"),
            "int32" => Some("=i4"),
            "uint32" => Some("=u4"),
            "int64" | "int" => Some("=i8"),
            "uint64" => Some("=u8"),
            "float16" => Some("=f2"),
            "float32" => Some("=f4"),
            "float64" | "float" => Some("=f8"),
            "complex64" => Some("=c8"),
            "complex128" | "complex" => Some("=c16"),
            "object" => Some("|O"),
            _ => None,
        };
        let s2 = named.unwrap_or(s);
        let mut chars = s2.chars();
        let first = chars.next().ok_or_else(unknown)?;
        let (order, rest) = match ByteOrder::from_char(first) {
            Some(o) => (o, chars.as_str()),
            None => (ByteOrder::NATIVE, s2),
        };
        let mut rc = rest.chars();
        let tc = rc.next().ok_or_else(unknown)?;
        let tail = rc.as_str();
        // Single-character codes.
        if tail.is_empty() {
            let kind = match tc {
                '?' => DTypeKind::Bool,
                'b' => DTypeKind::Int { bytes: 1 },
                'B' => DTypeKind::UInt { bytes: 1 },
                'h' => DTypeKind::Int { bytes: 2 },
                'H' => DTypeKind::UInt { bytes: 2 },
                'i' => DTypeKind::Int { bytes: 4 },
                'I' => DTypeKind::UInt { bytes: 4 },
                'l' | 'q' | 'p' => DTypeKind::Int { bytes: 8 },
                'L' | 'Q' | 'P' => DTypeKind::UInt { bytes: 8 },
                'e' => DTypeKind::Float { bytes: 2 },
                'f' => DTypeKind::Float { bytes: 4 },
                'd' => DTypeKind::Float { bytes: 8 },
                'F' => DTypeKind::Complex { bytes: 8 },
                'D' => DTypeKind::Complex { bytes: 16 },
                'O' => DTypeKind::Object,
                'M' => DTypeKind::DateTime64(TimeUnit::Generic),
                'm' => DTypeKind::TimeDelta64(TimeUnit::Generic),
                'S' | 'a' => DTypeKind::Bytes(0),
                'U' => DTypeKind::Unicode(0),
                'V' => DTypeKind::Void(0),
                _ => return Err(unknown()),
            };
            return Ok(DType::new(kind, order));
        }
        if tc == 'M' || tc == 'm' {
            let unit = match tail {
                "8" => TimeUnit::Generic,
                _ => {
                    let inner = tail
                        .strip_prefix("8[")
                        .and_then(|t| t.strip_suffix(']'))
                        .ok_or_else(unknown)?;
                    TimeUnit::from_code(inner).ok_or_else(|| {
                        NumpyError::Unsupported(format!("datetime unit {inner:?} in {s:?}"))
                    })?
                }
            };
            let kind = if tc == 'M' {
                DTypeKind::DateTime64(unit)
            } else {
                DTypeKind::TimeDelta64(unit)
            };
            return Ok(DType::new(kind, order));
        }
        if !tail.bytes().all(|b| b.is_ascii_digit()) {
            return Err(unknown());
        }
        let n: usize = tail.parse().map_err(|_| unknown())?;
        let kind = kind_from_code(tc, n).ok_or_else(unknown)?;
        Ok(DType::new(kind, order))
    }

    /// Reads numpy's pickle form of a dtype: `numpy.dtype(code, align, copy)` called by `REDUCE`,
    /// with the `BUILD` state `(version, byteorder, subarray, names, fields, elsize, alignment,
    /// flags[, metadata])`.
    pub fn from_node(graph: &Graph, id: NodeId) -> Result<DType> {
        dtype_from_node(graph, id, 0)
    }

    /// Writes numpy's pickle form of this dtype into `graph` (as numpy 1.x and 2.x pickle it:
    /// `numpy.dtype('f8', False, True)` + `BUILD (3, '<', None, None, None, -1, -1, 0)`).
    pub fn to_node(&self, graph: &mut Graph) -> NodeId {
        let callable = graph.global("numpy", "dtype");
        let code = graph.str(&self.pickle_code());
        let align = graph.bool(false);
        let copy = graph.bool(true);
        let args = graph.tuple(vec![code, align, copy]);
        let state = self.pickle_state(graph);
        let mut obj = Object::new(ObjectKind::Reduce { callable, args });
        obj.state = Some(state);
        graph.object(obj)
    }

    /// The code numpy passes to `dtype()` when pickling: `f8`, `U5`, `V16`, `O8`, `M8`.
    fn pickle_code(&self) -> String {
        match &self.kind {
            DTypeKind::Object => "O8".to_string(),
            DTypeKind::Unicode(n) => format!("U{n}"),
            DTypeKind::DateTime64(_) => "M8".to_string(),
            DTypeKind::TimeDelta64(_) => "m8".to_string(),
            _ => format!("{}{}", self.char_code(), self.itemsize()),
        }
    }

    /// numpy's `flags` bits for this dtype (as `dtype.flags`).
    fn numpy_flags(&self) -> i64 {
        match &self.kind {
            DTypeKind::Object => 63,
            DTypeKind::Unicode(_) => 8,
            DTypeKind::Structured {
                fields, aligned, ..
            } => {
                let from_fields = fields
                    .iter()
                    .fold(0, |acc, f| acc | (f.dtype.numpy_flags() & 27));
                from_fields | 16 | if *aligned { 0x80 } else { 0 }
            }
            DTypeKind::SubArray { base, .. } => base.numpy_flags(),
            _ => 0,
        }
    }

    fn pickle_state(&self, graph: &mut Graph) -> NodeId {
        let is_datetime = matches!(
            self.kind,
            DTypeKind::DateTime64(_) | DTypeKind::TimeDelta64(_)
        );
        let version = graph.int(if is_datetime { 4 } else { 3 });
        let order = graph.str(&self.byte_order.as_char().to_string());
        let subarray = match &self.kind {
            DTypeKind::SubArray { base, shape } => {
                let b = base.to_node(graph);
                let dims: Vec<NodeId> = shape.iter().map(|&d| graph.int(d as i64)).collect();
                let s = graph.tuple(dims);
                graph.tuple(vec![b, s])
            }
            _ => graph.none(),
        };
        let (names, fields) = match &self.kind {
            DTypeKind::Structured { fields, .. } => {
                let names: Vec<NodeId> = fields.iter().map(|f| graph.str(&f.name)).collect();
                let names = graph.tuple(names);
                let mut pairs = Vec::new();
                for f in fields {
                    let k = graph.str(&f.name);
                    let d = f.dtype.to_node(graph);
                    let off = graph.int(f.offset as i64);
                    let v = graph.tuple(vec![d, off]);
                    pairs.push((k, v));
                }
                (names, graph.dict(pairs))
            }
            _ => (graph.none(), graph.none()),
        };
        let (elsize, alignment) = match &self.kind {
            DTypeKind::Bytes(_)
            | DTypeKind::Unicode(_)
            | DTypeKind::Void(_)
            | DTypeKind::Structured { .. }
            | DTypeKind::SubArray { .. } => (self.itemsize() as i64, self.alignment() as i64),
            _ => (-1, -1),
        };
        let elsize = graph.int(elsize);
        let alignment = graph.int(alignment);
        let flags = graph.int(self.numpy_flags());
        let mut items = vec![
            version, order, subarray, names, fields, elsize, alignment, flags,
        ];
        if let DTypeKind::DateTime64(u) | DTypeKind::TimeDelta64(u) = &self.kind {
            let none = graph.none();
            let unit = graph.bytes(u.code().as_bytes());
            let one_a = graph.int(1);
            let one_b = graph.int(1);
            let one_c = graph.int(1);
            let meta = graph.tuple(vec![unit, one_a, one_b, one_c]);
            items.push(graph.tuple(vec![none, meta]));
        }
        graph.tuple(items)
    }
}

/// The kind for a type character and a size from a code like `f8` or `U5` (`n` is chars for `U`).
fn kind_from_code(tc: char, n: usize) -> Option<DTypeKind> {
    Some(match (tc, n) {
        ('b', 1) | ('?', 1) => DTypeKind::Bool,
        ('i', 1 | 2 | 4 | 8) => DTypeKind::Int { bytes: n },
        ('u', 1 | 2 | 4 | 8) => DTypeKind::UInt { bytes: n },
        ('f', 2 | 4 | 8 | 12 | 16) => DTypeKind::Float { bytes: n },
        ('c', 8 | 16 | 24 | 32) => DTypeKind::Complex { bytes: n },
        ('S', _) | ('a', _) => DTypeKind::Bytes(n),
        ('U', _) => DTypeKind::Unicode(n),
        ('V', _) => DTypeKind::Void(n),
        ('O', 4 | 8) => DTypeKind::Object,
        ('M', 8) => DTypeKind::DateTime64(TimeUnit::Generic),
        ('m', 8) => DTypeKind::TimeDelta64(TimeUnit::Generic),
        _ => return None,
    })
}

/// Text of a `str` node, or of a `bytes` node (Python 2 pickles read with `encoding='bytes'`).
pub(crate) fn text_of(v: ValueRef<'_>) -> Option<String> {
    if let Some(s) = v.as_pystr() {
        return Some(s.to_string_lossy());
    }
    v.as_bytes()
        .map(|b| b.iter().map(|&c| char::from(c)).collect())
}

fn dtype_from_node(graph: &Graph, id: NodeId, depth: usize) -> Result<DType> {
    if depth > MAX_DTYPE_DEPTH {
        return Err(NumpyError::InvalidDType("dtype nesting too deep".into()));
    }
    let v = graph.value(id);
    let obj = v.as_object().ok_or_else(|| {
        NumpyError::InvalidDType(format!(
            "expected a pickled numpy.dtype, found {}",
            v.node().type_name()
        ))
    })?;
    let callable = match &obj.kind {
        ObjectKind::Reduce { callable, .. } | ObjectKind::NewObj { cls: callable, .. } => *callable,
        _ => return Err(NumpyError::InvalidDType("not a numpy.dtype call".into())),
    };
    match graph.value(callable).as_global() {
        Some(g) if &*g.name == "dtype" && g.module.starts_with("numpy") => {}
        Some(g) => {
            return Err(NumpyError::InvalidDType(format!(
                "expected numpy.dtype, found {}.{}",
                g.module, g.name
            )))
        }
        None => {
            return Err(NumpyError::InvalidDType(
                "dtype callable is not a global".into(),
            ))
        }
    }
    let args = v
        .args()
        .ok_or_else(|| NumpyError::InvalidDType("numpy.dtype without arguments".into()))?;
    let code = args
        .item(0)
        .and_then(text_of)
        .ok_or_else(|| NumpyError::InvalidDType("dtype code is not a string".into()))?;
    let mut cc = code.chars();
    let tc = cc
        .next()
        .ok_or_else(|| NumpyError::UnknownDType(code.clone()))?;
    let digits = cc.as_str();
    let n: usize = if digits.is_empty() {
        0
    } else if digits.bytes().all(|b| b.is_ascii_digit()) {
        digits
            .parse()
            .map_err(|_| NumpyError::UnknownDType(code.clone()))?
    } else {
        return Err(NumpyError::UnknownDType(code.clone()));
    };
    let base_kind = match (tc, digits.is_empty()) {
        ('O', true) => DTypeKind::Object,
        ('M', true) => DTypeKind::DateTime64(TimeUnit::Generic),
        ('m', true) => DTypeKind::TimeDelta64(TimeUnit::Generic),
        _ => kind_from_code(tc, n).ok_or_else(|| NumpyError::UnknownDType(code.clone()))?,
    };
    let state = match v.state() {
        Some(s) => s,
        None => return Ok(DType::native(base_kind)),
    };
    let st: Vec<ValueRef<'_>> = state.items().collect();
    if state.as_list().is_none() {
        return Err(NumpyError::InvalidDType(
            "dtype state is not a tuple".into(),
        ));
    }
    // (endian, subarray, names, fields, elsize, alignment, metadata) positions per state length.
    let (endian_i, sub_i, names_i, fields_i, elsize_i, meta_i) = match st.len() {
        9 => (1, Some(2), Some(3), Some(4), Some(5), Some(8)),
        8 | 7 => (1, Some(2), Some(3), Some(4), Some(5), None),
        6 => (1, Some(2), None, Some(3), Some(4), None),
        5 => (0, Some(1), None, Some(2), Some(3), None),
        n => {
            return Err(NumpyError::InvalidDType(format!(
                "dtype state has {n} items (expected 5 to 9)"
            )))
        }
    };
    let endian = st
        .get(endian_i)
        .and_then(|e| text_of(*e))
        .and_then(|e| e.chars().next())
        .and_then(ByteOrder::from_char)
        .ok_or_else(|| NumpyError::InvalidDType("bad byte order in dtype state".into()))?;
    let elsize = elsize_i
        .and_then(|i| st.get(i))
        .and_then(|e| e.as_i64())
        .unwrap_or(-1);
    let get = |i: Option<usize>| i.and_then(|i| st.get(i)).filter(|v| !v.is_none());

    // Sub-array dtype: (base, shape).
    if let Some(sub) = get(sub_i) {
        let base_id = sub
            .item(0)
            .ok_or_else(|| NumpyError::InvalidDType("bad subarray in dtype state".into()))?;
        let base = dtype_from_node(graph, base_id.id(), depth + 1)?;
        let shape_v = sub
            .item(1)
            .ok_or_else(|| NumpyError::InvalidDType("bad subarray shape".into()))?;
        let shape = if let Some(n) = shape_v.as_i64() {
            vec![usize::try_from(n).map_err(|_| bad_dim(n))?]
        } else {
            parse_shape(shape_v)?
        };
        let d = DType::new(
            DTypeKind::SubArray {
                base: Box::new(base),
                shape,
            },
            ByteOrder::NotApplicable,
        );
        if d.checked_itemsize().is_none() {
            return Err(NumpyError::InvalidDType("subarray size overflows".into()));
        }
        return Ok(d);
    }

    // Structured dtype: names + fields.
    if let Some(fields_v) = get(fields_i) {
        let itemsize = usize::try_from(elsize)
            .map_err(|_| NumpyError::InvalidDType(format!("bad struct elsize {elsize}")))?;
        let names: Vec<String> = match get(names_i) {
            Some(n) => n
                .items()
                .map(|x| text_of(x).ok_or_else(|| NumpyError::InvalidDType("field name".into())))
                .collect::<Result<_>>()?,
            None => fields_v.pairs().filter_map(|(k, _)| text_of(k)).collect(),
        };
        let mut fields = Vec::new();
        for name in names {
            let entry = fields_v
                .pairs()
                .filter(|(k, _)| text_of(*k).as_deref() == Some(name.as_str()))
                .last()
                .map(|(_, val)| val)
                .ok_or_else(|| {
                    NumpyError::InvalidDType(format!("field {name:?} missing from fields"))
                })?;
            let fd = entry
                .item(0)
                .ok_or_else(|| NumpyError::InvalidDType(format!("field {name:?} has no dtype")))?;
            let fdt = dtype_from_node(graph, fd.id(), depth + 1)?;
            let off = entry
                .item(1)
                .and_then(|o| o.as_i64())
                .and_then(|o| usize::try_from(o).ok())
                .ok_or_else(|| {
                    NumpyError::InvalidDType(format!("field {name:?} has a bad offset"))
                })?;
            let end = off
                .checked_add(fdt.checked_itemsize().unwrap_or(usize::MAX))
                .filter(|&e| e <= itemsize);
            if end.is_none() {
                return Err(NumpyError::InvalidDType(format!(
                    "field {name:?} at offset {off} does not fit in a {itemsize}-byte record"
                )));
            }
            fields.push(Field {
                name,
                dtype: fdt,
                offset: off,
            });
        }
        let flags = st.get(7).and_then(|f| f.as_i64()).unwrap_or(0);
        return Ok(DType::new(
            DTypeKind::Structured {
                fields,
                itemsize,
                aligned: st.len() >= 8 && flags & 0x80 != 0,
            },
            ByteOrder::NotApplicable,
        ));
    }

    let kind = match base_kind {
        DTypeKind::Bytes(_) | DTypeKind::Void(_) if elsize >= 0 => {
            let n = usize::try_from(elsize).unwrap_or(0);
            if tc == 'V' {
                DTypeKind::Void(n)
            } else {
                DTypeKind::Bytes(n)
            }
        }
        DTypeKind::Unicode(_) if elsize >= 0 => {
            DTypeKind::Unicode(usize::try_from(elsize).unwrap_or(0) / 4)
        }
        DTypeKind::DateTime64(_) | DTypeKind::TimeDelta64(_) => {
            let unit = match get(meta_i).and_then(|m| m.item(1)) {
                Some(meta) => {
                    let code = meta
                        .item(0)
                        .and_then(text_of)
                        .ok_or_else(|| NumpyError::InvalidDType("bad datetime metadata".into()))?;
                    let num = meta.item(1).and_then(|n| n.as_i64()).unwrap_or(1);
                    if num != 1 {
                        return Err(NumpyError::Unsupported(format!(
                            "datetime unit multiplier {num}{code}"
                        )));
                    }
                    TimeUnit::from_code(&code).ok_or_else(|| {
                        NumpyError::InvalidDType(format!("unknown datetime unit {code:?}"))
                    })?
                }
                None => TimeUnit::Generic,
            };
            if tc == 'M' {
                DTypeKind::DateTime64(unit)
            } else {
                DTypeKind::TimeDelta64(unit)
            }
        }
        k => k,
    };
    Ok(DType::new(kind, endian))
}

fn bad_dim(n: i64) -> NumpyError {
    NumpyError::InvalidState(format!("negative dimension {n} in shape"))
}

/// Parses a shape tuple of non-negative ints.
///
/// ```
/// let mut g = brine_pickle::Graph::new();
/// let (a, b) = (g.int(2), g.int(3));
/// let t = g.tuple(vec![a, b]);
/// assert_eq!(brine_numpy::dtype::parse_shape(g.value(t)).unwrap(), vec![2, 3]);
/// ```
pub fn parse_shape(v: ValueRef<'_>) -> Result<Vec<usize>> {
    let items = v
        .as_list()
        .ok_or_else(|| NumpyError::InvalidState("shape is not a tuple".into()))?;
    let mut shape = Vec::with_capacity(items.len().min(64));
    for it in v.items() {
        let n = it
            .as_i64()
            .ok_or_else(|| NumpyError::InvalidState("shape item is not an int".into()))?;
        shape.push(usize::try_from(n).map_err(|_| bad_dim(n))?);
    }
    Ok(shape)
}

/// Python's `repr()` of a `str` (single quotes unless the text holds one and no double quote).
pub(crate) fn py_str_repr(s: &str) -> String {
    brine_pickle::repr::str_repr(&brine_pickle::PyStr::from(s))
}

/// Python's `repr()` of a tuple of ints: `()`, `(3,)`, `(2, 3)`.
pub(crate) fn py_tuple_repr(shape: &[usize]) -> String {
    match shape {
        [] => "()".to_string(),
        [one] => format!("({one},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `true` if `id` is a pickled `numpy.dtype`.
pub fn is_dtype(graph: &Graph, id: NodeId) -> bool {
    match graph.get(id) {
        Node::Object(obj) => match &obj.kind {
            ObjectKind::Reduce { callable, .. } => graph
                .value(*callable)
                .as_global()
                .is_some_and(|g| &*g.name == "dtype" && g.module.starts_with("numpy")),
            _ => false,
        },
        _ => false,
    }
}

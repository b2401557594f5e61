//! `.npy` files: numpy's single-array format, versions 1.0, 2.0 and 3.0.
//!
//! A file is the magic `\x93NUMPY`, a version byte pair, the header length (u16 for 1.0, u32 for
//! 2.0/3.0), a Python-literal header dict `{'descr': ..., 'fortran_order': ..., 'shape': ...}`
//! padded so the data starts at a multiple of 64, then the raw data (or a pickle, for object
//! arrays).
//!
//! ```
//! use brine_numpy::{npy, NdArray};
//! let a = NdArray::from_f64(vec![2, 2], vec![1.0, 2.0, 3.0, 4.0]).unwrap();
//! let bytes = npy::to_vec(&a).unwrap();
//! assert!(bytes.starts_with(b"\x93NUMPY\x01\x00"));
//! assert_eq!(npy::read(&bytes).unwrap(), a);
//! ```

use std::io::Write;

use brine_pickle::{Graph, WriteOptions};
use bytes::Bytes;

use crate::array::{checked_len, ArrayData, NdArray};
use crate::dtype::{py_str_repr, py_tuple_repr, ByteOrder, DType, DTypeKind, Field};
use crate::error::{NumpyError, Result};

/// The magic bytes every `.npy` file starts with.
pub const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// Largest header Brine reads (numpy's own default limit for untrusted files is 10000 bytes;
/// structured dtypes with many fields need more, so this is generous but bounded).
pub const MAX_HEADER_LEN: usize = 1 << 20;

/// Deepest literal nesting accepted in a header.
const MAX_LITERAL_DEPTH: usize = 64;

/// The parsed header of a `.npy` file.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyHeader {
    /// Format version: (1, 0), (2, 0) or (3, 0).
    pub version: (u8, u8),
    /// The array's dtype.
    pub dtype: DType,
    /// `true` if the data is in Fortran order.
    pub fortran_order: bool,
    /// The shape.
    pub shape: Vec<usize>,
    /// Where the data starts, in bytes from the start of the file.
    pub data_offset: usize,
}

/// Parses the header of a `.npy` file.
pub fn read_header(data: &[u8]) -> Result<NpyHeader> {
    let err = |m: &str| NumpyError::Npy(m.to_string());
    if data.get(..6) != Some(MAGIC.as_slice()) {
        return Err(err("missing \\x93NUMPY magic"));
    }
    let major = *data.get(6).ok_or_else(|| err("truncated version"))?;
    let minor = *data.get(7).ok_or_else(|| err("truncated version"))?;
    let (len, start) = match (major, minor) {
        (1, 0) => {
            let b = data
                .get(8..10)
                .ok_or_else(|| err("truncated header length"))?;
            (usize::from(u16::from_le_bytes([b[0], b[1]])), 10usize)
        }
        (2, 0) | (3, 0) => {
            let b = data
                .get(8..12)
                .ok_or_else(|| err("truncated header length"))?;
            let n = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            (
                usize::try_from(n).map_err(|_| err("header too long"))?,
                12usize,
            )
        }
        _ => {
            return Err(NumpyError::Npy(format!(
                "unsupported format version {major}.{minor}"
            )))
        }
    };
    if len > MAX_HEADER_LEN {
        return Err(NumpyError::Npy(format!(
            "header of {len} bytes exceeds the limit of {MAX_HEADER_LEN}"
        )));
    }
    let end = start
        .checked_add(len)
        .ok_or_else(|| err("header length overflows"))?;
    let raw = data.get(start..end).ok_or_else(|| {
        NumpyError::Npy(format!(
            "header declares {len} bytes but the file has {}",
            data.len().saturating_sub(start)
        ))
    })?;
    let text: String = if major == 3 {
        std::str::from_utf8(raw)
            .map_err(|_| err("header is not UTF-8"))?
            .to_string()
    } else {
        raw.iter().map(|&b| char::from(b)).collect()
    };
    let lit = Parser::new(&text).parse_all()?;
    let Lit::Dict(pairs) = lit else {
        return Err(err("header is not a dict"));
    };
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| matches!(k, Lit::Str(s) if s == key))
            .map(|(_, v)| v)
    };
    if pairs.len() != 3 {
        return Err(NumpyError::Npy(format!(
            "header must have exactly the keys descr, fortran_order, shape; found {} keys",
            pairs.len()
        )));
    }
    let descr = get("descr").ok_or_else(|| err("header has no 'descr'"))?;
    let dtype = descr_to_dtype(descr, 0)?;
    let fortran_order = match get("fortran_order") {
        Some(Lit::Bool(b)) => *b,
        _ => return Err(err("'fortran_order' is not a bool")),
    };
    let shape = match get("shape") {
        Some(Lit::Tuple(items)) => items
            .iter()
            .map(|i| match i {
                Lit::Int(n) => usize::try_from(*n).map_err(|_| err("negative dimension")),
                _ => Err(err("shape item is not an int")),
            })
            .collect::<Result<Vec<usize>>>()?,
        _ => return Err(err("'shape' is not a tuple")),
    };
    Ok(NpyHeader {
        version: (major, minor),
        dtype,
        fortran_order,
        shape,
        data_offset: end,
    })
}

/// Reads a `.npy` file of a non-object dtype (the data is copied; see [`read_bytes`]).
pub fn read(data: &[u8]) -> Result<NdArray> {
    let header = read_header(data)?;
    copied(header, data)
}

/// Reads a `.npy` file from shared bytes (e.g. an mmap): the array's data is a zero-copy slice.
pub fn read_bytes(data: Bytes) -> Result<NdArray> {
    let header = read_header(&data)?;
    shared(header, &data)
}

/// Reads a `.npy` file of any dtype; object arrays (stored as a pickle after the header) come back
/// with the graph their element ids refer to.
pub fn read_pickled(data: &[u8]) -> Result<(Graph, NdArray)> {
    let header = read_header(data)?;
    if !header.dtype.has_object() {
        return Ok((Graph::new(), copied(header, data)?));
    }
    unpickle(header, data)
}

/// [`read_pickled`] from shared bytes (e.g. an mmap): the data of a non-object array is a
/// zero-copy slice, as with [`read_bytes`].
pub fn read_pickled_bytes(data: Bytes) -> Result<(Graph, NdArray)> {
    let header = read_header(&data)?;
    if !header.dtype.has_object() {
        return Ok((Graph::new(), shared(header, &data)?));
    }
    unpickle(header, &data)
}

/// The non-object array `header` describes, its data copied out of `data`.
fn copied(header: NpyHeader, data: &[u8]) -> Result<NdArray> {
    let raw = Bytes::copy_from_slice(data_slice(&header, data)?);
    raw_array(header, raw)
}

/// The non-object array `header` describes, its data a zero-copy slice of `data`.
fn shared(header: NpyHeader, data: &Bytes) -> Result<NdArray> {
    let len = data_slice(&header, data)?.len();
    let raw = data.slice(header.data_offset..header.data_offset + len);
    raw_array(header, raw)
}

fn raw_array(header: NpyHeader, raw: Bytes) -> Result<NdArray> {
    NdArray::new(
        header.dtype,
        header.shape,
        header.fortran_order,
        ArrayData::Raw(raw),
    )
}

/// The object array `header` describes, from the pickle after it.
fn unpickle(header: NpyHeader, data: &[u8]) -> Result<(Graph, NdArray)> {
    let body = data.get(header.data_offset..).unwrap_or(&[]);
    let graph = brine_pickle::from_slice(body)?;
    let root = graph
        .root()
        .ok_or_else(|| NumpyError::Npy("object array pickle has no value".into()))?;
    let a = crate::pickle::array_from_node(&graph, root)?;
    if a.shape != header.shape || a.dtype != header.dtype {
        return Err(NumpyError::Npy(format!(
            "pickled array (shape {:?}, dtype {}) disagrees with the header (shape {:?}, dtype {})",
            a.shape, a.dtype, header.shape, header.dtype
        )));
    }
    Ok((graph, a))
}

fn data_slice<'d>(header: &NpyHeader, data: &'d [u8]) -> Result<&'d [u8]> {
    if header.dtype.has_object() {
        return Err(NumpyError::ObjectArray(
            "the .npy file holds an object array (a pickle): use npy::read_pickled".into(),
        ));
    }
    let itemsize = header
        .dtype
        .checked_itemsize()
        .ok_or_else(|| NumpyError::InvalidDType("item size overflows".into()))?;
    let overflow = || NumpyError::Overflow {
        shape: header.shape.clone(),
        itemsize,
    };
    let n = checked_len(&header.shape)
        .and_then(|n| n.checked_mul(itemsize))
        .ok_or_else(overflow)?;
    let body = data.get(header.data_offset..).unwrap_or(&[]);
    body.get(..n).ok_or_else(|| NumpyError::SizeMismatch {
        shape: header.shape.clone(),
        itemsize,
        expected: n,
        actual: body.len(),
    })
}

/// The header text numpy writes for this array (before padding).
fn header_text(a: &NdArray) -> String {
    let fortran = a.writes_fortran_flag();
    let mut h = format!(
        "{{'descr': {}, 'fortran_order': {}, 'shape': {}, }}",
        a.dtype.npy_descr(),
        if fortran { "True" } else { "False" },
        py_tuple_repr(&a.shape)
    );
    let axis = if fortran {
        a.shape.last()
    } else {
        a.shape.first()
    };
    if let Some(d) = axis {
        let digits = d.to_string().len();
        h.push_str(&" ".repeat(21usize.saturating_sub(digits)));
    }
    h
}

/// Writes the array as a `.npy` file, byte for byte as `numpy.save` does (version 1.0 unless the
/// header needs 2.0 or, for non-Latin-1 field names, 3.0). Object arrays need their graph: use
/// [`write_pickled`].
pub fn write<W: Write>(a: &NdArray, mut out: W) -> Result<()> {
    a.validate()?;
    let ArrayData::Raw(bytes) = &a.data else {
        return Err(NumpyError::ObjectArray(
            "object arrays are written with npy::write_pickled".into(),
        ));
    };
    out.write_all(&wrap_header(&header_text(a))?)?;
    out.write_all(bytes)?;
    Ok(())
}

/// Writes any array as a `.npy` file; object arrays are stored as numpy does, as a protocol 4
/// pickle of the array after the header (their element ids are nodes of `graph`).
pub fn write_pickled<W: Write>(a: &NdArray, graph: &Graph, mut out: W) -> Result<()> {
    if !a.dtype.has_object() {
        return write(a, out);
    }
    a.validate()?;
    out.write_all(&wrap_header(&header_text(a))?)?;
    let mut g = graph.clone();
    let id = a.to_node(&mut g)?;
    g.set_root(id);
    brine_pickle::to_writer(out, &g, &WriteOptions::protocol(4))?;
    Ok(())
}

/// The array as `.npy` bytes.
pub fn to_vec(a: &NdArray) -> Result<Vec<u8>> {
    let mut v = Vec::new();
    write(a, &mut v)?;
    Ok(v)
}

fn wrap_header(header: &str) -> Result<Vec<u8>> {
    let latin1: Option<Vec<u8>> = header
        .chars()
        .map(|c| u8::try_from(c as u32).ok())
        .collect();
    let (encoded, major) = match latin1 {
        Some(b) => (b, None),
        None => (header.as_bytes().to_vec(), Some(3u8)),
    };
    let hlen = encoded.len() + 1;
    let mut version = major.unwrap_or(1);
    let pad = |prefix: usize| 64 - ((8 + prefix + hlen) % 64);
    if version == 1 && hlen + pad(2) > usize::from(u16::MAX) {
        version = 2;
    }
    let prefix = if version == 1 { 2 } else { 4 };
    let padlen = pad(prefix);
    let total = hlen + padlen;
    let mut out = Vec::with_capacity(8 + prefix + total);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[version, 0]);
    if version == 1 {
        let n = u16::try_from(total).map_err(|_| NumpyError::Npy("header too long".into()))?;
        out.extend_from_slice(&n.to_le_bytes());
    } else {
        let n = u32::try_from(total).map_err(|_| NumpyError::Npy("header too long".into()))?;
        out.extend_from_slice(&n.to_le_bytes());
    }
    out.extend_from_slice(&encoded);
    out.resize(out.len() + padlen, b' ');
    out.push(b'\n');
    Ok(out)
}

impl NdArray {
    /// numpy's `fortran_order`/`is_fortran` (and joblib's choice of byte order): F-contiguous and
    /// not C-contiguous. An empty array, or one with at most one axis longer than 1, is both.
    ///
    /// ```
    /// use brine_numpy::NdArray;
    /// let mut a = NdArray::from_f64(vec![2, 3], vec![0.0; 6]).unwrap();
    /// a.fortran_order = true;
    /// assert!(a.writes_fortran_flag());
    /// let mut empty = NdArray::from_f64(vec![0, 2, 3], vec![]).unwrap();
    /// empty.fortran_order = true;
    /// assert!(!empty.writes_fortran_flag()); // numpy.save writes 'fortran_order': False
    /// ```
    pub fn writes_fortran_flag(&self) -> bool {
        self.fortran_order
            && self.shape.iter().filter(|&&d| d > 1).count() > 1
            && !self.shape.contains(&0)
    }
}

// --- descr -----------------------------------------------------------------------------------

fn descr_to_dtype(lit: &Lit, depth: usize) -> Result<DType> {
    if depth > MAX_LITERAL_DEPTH {
        return Err(NumpyError::Npy("descr nested too deeply".into()));
    }
    match lit {
        Lit::Str(s) => DType::parse_descr(s),
        Lit::List(items) => {
            let mut fields = Vec::new();
            let mut offset = 0usize;
            for item in items {
                let Lit::Tuple(parts) = item else {
                    return Err(NumpyError::Npy("descr field is not a tuple".into()));
                };
                let (name, fdescr, shape) = match parts.as_slice() {
                    [n, d] => (n, d, None),
                    [n, d, s] => (n, d, Some(s)),
                    _ => return Err(NumpyError::Npy("descr field must have 2 or 3 items".into())),
                };
                let name = match name {
                    Lit::Str(s) => s.clone(),
                    // (title, name)
                    Lit::Tuple(t) => match t.as_slice() {
                        [_, Lit::Str(s)] => s.clone(),
                        _ => return Err(NumpyError::Npy("bad field name".into())),
                    },
                    _ => return Err(NumpyError::Npy("bad field name".into())),
                };
                let mut fdt = descr_to_dtype(fdescr, depth + 1)?;
                if let Some(s) = shape {
                    let dims = match s {
                        Lit::Int(n) => vec![*n],
                        Lit::Tuple(t) => t
                            .iter()
                            .map(|x| match x {
                                Lit::Int(n) => Ok(*n),
                                _ => Err(NumpyError::Npy("bad subarray shape".into())),
                            })
                            .collect::<Result<_>>()?,
                        _ => return Err(NumpyError::Npy("bad subarray shape".into())),
                    };
                    let dims = dims
                        .into_iter()
                        .map(|n| {
                            usize::try_from(n)
                                .map_err(|_| NumpyError::Npy("negative subarray dim".into()))
                        })
                        .collect::<Result<Vec<usize>>>()?;
                    fdt = DType::new(
                        DTypeKind::SubArray {
                            base: Box::new(fdt),
                            shape: dims,
                        },
                        ByteOrder::NotApplicable,
                    );
                }
                let size = fdt
                    .checked_itemsize()
                    .ok_or_else(|| NumpyError::Npy("field size overflows".into()))?;
                let is_padding = name.is_empty() && matches!(fdt.kind, DTypeKind::Void(_));
                if !is_padding {
                    let name = if name.is_empty() {
                        format!("f{}", fields.len())
                    } else {
                        name
                    };
                    fields.push(Field {
                        name,
                        dtype: fdt,
                        offset,
                    });
                }
                offset = offset
                    .checked_add(size)
                    .ok_or_else(|| NumpyError::Npy("record size overflows".into()))?;
            }
            Ok(DType::new(
                DTypeKind::Structured {
                    fields,
                    itemsize: offset,
                    aligned: false,
                },
                ByteOrder::NotApplicable,
            ))
        }
        _ => Err(NumpyError::Npy(
            "descr is neither a string nor a list".into(),
        )),
    }
}

// --- a small, bounded Python literal parser ----------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Lit {
    Str(String),
    Int(i64),
    Bool(bool),
    None,
    Tuple(Vec<Lit>),
    List(Vec<Lit>),
    Dict(Vec<(Lit, Lit)>),
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn new(src: &str) -> Parser {
        Parser {
            chars: src.chars().collect(),
            pos: 0,
        }
    }

    fn err(&self, what: &str) -> NumpyError {
        NumpyError::Npy(format!("header literal: {what} at character {}", self.pos))
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }

    fn parse_all(mut self) -> Result<Lit> {
        let v = self.value(0)?;
        self.skip_ws();
        if self.pos != self.chars.len() {
            return Err(self.err("trailing text"));
        }
        Ok(v)
    }

    fn value(&mut self, depth: usize) -> Result<Lit> {
        if depth > MAX_LITERAL_DEPTH {
            return Err(self.err("nesting too deep"));
        }
        self.skip_ws();
        match self.peek() {
            Some('\'') | Some('"') => self.string(),
            Some('{') => {
                self.pos += 1;
                let mut pairs = Vec::new();
                loop {
                    self.skip_ws();
                    if self.peek() == Some('}') {
                        self.pos += 1;
                        return Ok(Lit::Dict(pairs));
                    }
                    let k = self.value(depth + 1)?;
                    self.skip_ws();
                    if self.peek() != Some(':') {
                        return Err(self.err("expected ':'"));
                    }
                    self.pos += 1;
                    let v = self.value(depth + 1)?;
                    pairs.push((k, v));
                    self.skip_ws();
                    match self.peek() {
                        Some(',') => self.pos += 1,
                        Some('}') => {}
                        _ => return Err(self.err("expected ',' or '}'")),
                    }
                }
            }
            Some(open @ ('(' | '[')) => {
                self.pos += 1;
                let close = if open == '(' { ')' } else { ']' };
                let mut items = Vec::new();
                let mut saw_comma = false;
                loop {
                    self.skip_ws();
                    if self.peek() == Some(close) {
                        self.pos += 1;
                        break;
                    }
                    items.push(self.value(depth + 1)?);
                    self.skip_ws();
                    match self.peek() {
                        Some(',') => {
                            self.pos += 1;
                            saw_comma = true;
                        }
                        Some(c) if c == close => {}
                        _ => return Err(self.err("expected ',' or a closing bracket")),
                    }
                }
                if open == '[' {
                    Ok(Lit::List(items))
                } else if items.len() == 1 && !saw_comma {
                    // A parenthesised value, not a tuple.
                    items.pop().ok_or_else(|| self.err("empty"))
                } else {
                    Ok(Lit::Tuple(items))
                }
            }
            Some(c) if c.is_ascii_digit() || c == '-' || c == '+' => {
                let start = self.pos;
                self.pos += 1;
                while self.peek().is_some_and(|c| c.is_ascii_digit() || c == '_') {
                    self.pos += 1;
                }
                // Python 2 longs: 3L
                let text: String = self
                    .chars
                    .get(start..self.pos)
                    .unwrap_or(&[])
                    .iter()
                    .filter(|&&c| c != '_')
                    .collect();
                if matches!(self.peek(), Some('L' | 'l')) {
                    self.pos += 1;
                }
                text.parse::<i64>()
                    .map(Lit::Int)
                    .map_err(|_| self.err("bad integer"))
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    self.pos += 1;
                }
                let word: String = self
                    .chars
                    .get(start..self.pos)
                    .unwrap_or(&[])
                    .iter()
                    .collect();
                match word.as_str() {
                    "True" => Ok(Lit::Bool(true)),
                    "False" => Ok(Lit::Bool(false)),
                    "None" => Ok(Lit::None),
                    _ => Err(self.err(&format!("unexpected name {word:?}"))),
                }
            }
            _ => Err(self.err("unexpected character")),
        }
    }

    fn string(&mut self) -> Result<Lit> {
        let quote = self.peek().ok_or_else(|| self.err("eof"))?;
        self.pos += 1;
        let mut s = String::new();
        loop {
            let c = self.peek().ok_or_else(|| self.err("unterminated string"))?;
            self.pos += 1;
            if c == quote {
                return Ok(Lit::Str(s));
            }
            if c != '\\' {
                s.push(c);
                continue;
            }
            let e = self.peek().ok_or_else(|| self.err("unterminated escape"))?;
            self.pos += 1;
            match e {
                'n' => s.push('\n'),
                't' => s.push('\t'),
                'r' => s.push('\r'),
                '0' => s.push('\0'),
                '\\' | '\'' | '"' => s.push(e),
                'x' | 'u' | 'U' => {
                    let n = match e {
                        'x' => 2,
                        'u' => 4,
                        _ => 8,
                    };
                    let hex: String = self
                        .chars
                        .get(self.pos..self.pos + n)
                        .unwrap_or(&[])
                        .iter()
                        .collect();
                    if hex.len() != n {
                        return Err(self.err("truncated escape"));
                    }
                    self.pos += n;
                    let cp = u32::from_str_radix(&hex, 16).map_err(|_| self.err("bad escape"))?;
                    s.push(char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER));
                }
                other => {
                    s.push('\\');
                    s.push(other);
                }
            }
        }
    }
}

/// Python `repr` of a string, as used in headers (exposed for the `.npz` writer and tests).
pub fn py_repr(s: &str) -> String {
    py_str_repr(s)
}

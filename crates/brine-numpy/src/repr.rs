//! numpy-style `repr` of arrays, as numpy 2 prints them with its default options: precision 8,
//! `floatmode='maxprec'`, line width 75, arrays above 1000 elements summarised with `...` around 3
//! edge items per axis.
//!
//! ```
//! use brine_numpy::{repr::array_repr, NdArray};
//! let g = brine_pickle::Graph::new();
//! assert_eq!(array_repr(&NdArray::from_f64_slice(&[1.0, 2.0, 3.0]), &g), "array([1., 2., 3.])");
//! assert_eq!(array_repr(&NdArray::from_strings(&["a", "b"]), &g), "array(['a', 'b'], dtype='<U1')");
//! assert_eq!(array_repr(&NdArray::scalar_f64(1.5), &g), "array(1.5)");
//! ```

use brine_pickle::{Graph, Node, NodeId};

use crate::array::Element;
use crate::array::{element_bytes, element_i64, element_unicode, NdArray};
use crate::dtype::{py_str_repr, DType, DTypeKind, Field, TimeUnit};

const LINE_WIDTH: usize = 75;
const THRESHOLD: usize = 1000;
const EDGE_ITEMS: usize = 3;
const PRECISION: usize = 8;
/// Most elements ever formatted for one repr (a guard against pathological shapes).
const MAX_SHOWN: usize = 1 << 20;
/// Most dimensions printed in numpy's nested form.
const MAX_NDIM: usize = 64;

/// The array as numpy's `repr()` prints it: `array([1., 2., 3.])`, `array([1, 2], dtype=int32)`,
/// `array([[1, 2],\n       [3, 4]])`, `array([0., 1., ..., 9998., 9999.], shape=(10000,))`.
/// Object elements are looked up in `graph`.
pub fn array_repr(a: &NdArray, graph: &Graph) -> String {
    if a.validate().is_err() || a.ndim() > MAX_NDIM {
        return format!(
            "<invalid array: dtype={} shape={:?}>",
            a.dtype.descr(),
            a.shape
        );
    }
    let prefix = "array(";
    let size = a.len();
    let summarize = size > THRESHOLD;
    let lst = if size == 0 {
        "[]".to_string()
    } else {
        match array2string(a, graph, summarize, prefix.len()) {
            Some(s) => s,
            None => {
                return format!(
                    "array(<{} elements>, shape={}, dtype={})",
                    size,
                    crate::dtype::py_tuple_repr(&a.shape),
                    dtype_short_repr(&a.dtype)
                )
            }
        }
    };
    let mut extras = Vec::new();
    if (size == 0 && a.shape != [0]) || summarize {
        extras.push(format!("shape={}", crate::dtype::py_tuple_repr(&a.shape)));
    }
    if !dtype_is_implied(&a.dtype) || size == 0 {
        extras.push(format!("dtype={}", dtype_short_repr(&a.dtype)));
    }
    if extras.is_empty() {
        return format!("{prefix}{lst})");
    }
    let arr_str = format!("{prefix}{lst},");
    let extra_str = format!("{})", extras.join(", "));
    let last_line_len = arr_str.len() - arr_str.rfind('\n').map_or(0, |p| p + 1);
    let spacer = if last_line_len + extra_str.len() + 1 > LINE_WIDTH {
        format!("\n{}", " ".repeat(prefix.len()))
    } else {
        " ".to_string()
    };
    format!("{arr_str}{spacer}{extra_str}")
}

/// `float64`, `int64`, `complex128` and `bool` in native order need no `dtype=`.
fn dtype_is_implied(d: &DType) -> bool {
    d.is_native()
        && matches!(
            d.kind,
            DTypeKind::Bool
                | DTypeKind::Int { bytes: 8 }
                | DTypeKind::Float { bytes: 8 }
                | DTypeKind::Complex { bytes: 16 }
        )
}

/// numpy's `dtype.name`: `float32`, `int8`, `datetime64[ns]`, `str160`...
pub fn dtype_name(d: &DType) -> String {
    let bits = d.itemsize().saturating_mul(8);
    match &d.kind {
        DTypeKind::Bool => "bool".into(),
        DTypeKind::Int { .. } => format!("int{bits}"),
        DTypeKind::UInt { .. } => format!("uint{bits}"),
        DTypeKind::Float { .. } => format!("float{bits}"),
        DTypeKind::Complex { .. } => format!("complex{bits}"),
        DTypeKind::Bytes(_) => format!("bytes{bits}"),
        DTypeKind::Unicode(_) => format!("str{bits}"),
        DTypeKind::Void(_) | DTypeKind::Structured { .. } | DTypeKind::SubArray { .. } => {
            format!("void{bits}")
        }
        DTypeKind::Object => "object".into(),
        DTypeKind::DateTime64(u) => time_name("datetime64", *u),
        DTypeKind::TimeDelta64(u) => time_name("timedelta64", *u),
    }
}

fn time_name(base: &str, u: TimeUnit) -> String {
    if u == TimeUnit::Generic {
        base.to_string()
    } else {
        format!("{base}[{}]", u.code())
    }
}

/// numpy's `dtype_short_repr`: what follows `dtype=` in a repr.
pub fn dtype_short_repr(d: &DType) -> String {
    match &d.kind {
        DTypeKind::Structured { .. } => struct_str(d),
        DTypeKind::Bytes(_)
        | DTypeKind::Unicode(_)
        | DTypeKind::Void(_)
        | DTypeKind::SubArray { .. } => {
            format!("'{}'", d.descr())
        }
        _ if !d.is_native() => format!("'{}'", d.descr()),
        _ => {
            let name = dtype_name(d);
            if name.chars().all(|c| c.is_ascii_alphanumeric()) {
                name
            } else {
                format!("'{name}'")
            }
        }
    }
}

/// `str()` of a structured dtype: the list form when packed, numpy's dict form otherwise.
fn struct_str(d: &DType) -> String {
    let DTypeKind::Structured {
        fields, itemsize, ..
    } = &d.kind
    else {
        return d.descr();
    };
    let mut pos = 0;
    let mut packed = true;
    for f in fields {
        if f.offset != pos {
            packed = false;
        }
        pos = f.offset.saturating_add(f.dtype.itemsize());
    }
    if packed && pos == *itemsize {
        let parts: Vec<String> = fields.iter().map(field_str).collect();
        return format!("[{}]", parts.join(", "));
    }
    let names: Vec<String> = fields.iter().map(|f| py_str_repr(&f.name)).collect();
    let formats: Vec<String> = fields
        .iter()
        .map(|f| py_str_repr(&f.dtype.descr()))
        .collect();
    let offsets: Vec<String> = fields.iter().map(|f| f.offset.to_string()).collect();
    format!(
        "{{'names': [{}], 'formats': [{}], 'offsets': [{}], 'itemsize': {}}}",
        names.join(", "),
        formats.join(", "),
        offsets.join(", "),
        itemsize
    )
}

fn field_str(f: &Field) -> String {
    match &f.dtype.kind {
        DTypeKind::SubArray { base, shape } => format!(
            "({}, {}, {})",
            py_str_repr(&f.name),
            py_str_repr(&base.descr()),
            crate::dtype::py_tuple_repr(shape)
        ),
        DTypeKind::Structured { .. } => {
            format!("({}, {})", py_str_repr(&f.name), struct_str(&f.dtype))
        }
        _ => format!(
            "({}, {})",
            py_str_repr(&f.name),
            py_str_repr(&short_descr(&f.dtype))
        ),
    }
}

/// numpy's short construction form of a field's dtype: `'<i4'`, but `'u1'`, `'S3'` without `|`.
fn short_descr(d: &DType) -> String {
    let s = d.descr();
    s.strip_prefix('|').map(str::to_string).unwrap_or(s)
}

// --- layout ------------------------------------------------------------------------------------

/// The storage element index of a logical multi-index.
fn storage_index(shape: &[usize], fortran: bool, idx: &[usize]) -> usize {
    let mut pos = 0usize;
    if fortran {
        for (&i, &d) in idx.iter().zip(shape).rev() {
            pos = pos.saturating_mul(d).saturating_add(i);
        }
    } else {
        for (&i, &d) in idx.iter().zip(shape) {
            pos = pos.saturating_mul(d).saturating_add(i);
        }
    }
    pos
}

/// The indices shown along an axis of length `n`.
fn shown(n: usize, summarize: bool) -> Vec<usize> {
    if summarize && n > 2 * EDGE_ITEMS {
        (0..EDGE_ITEMS).chain(n - EDGE_ITEMS..n).collect()
    } else {
        (0..n).collect()
    }
}

fn array2string(a: &NdArray, graph: &Graph, summarize: bool, prefix_len: usize) -> Option<String> {
    let axes: Vec<Vec<usize>> = a.shape.iter().map(|&n| shown(n, summarize)).collect();
    let count = axes
        .iter()
        .try_fold(1usize, |acc, v| acc.checked_mul(v.len()))?;
    if count > MAX_SHOWN {
        return None;
    }
    // Every shown element's storage index, in C order of the shown grid.
    let mut positions = Vec::with_capacity(count);
    let mut idx = vec![0usize; axes.len()];
    let mut cur = vec![0usize; axes.len()];
    for _ in 0..count {
        for (k, c) in cur.iter().enumerate() {
            if let (Some(slot), Some(v)) = (idx.get_mut(k), axes.get(k).and_then(|ax| ax.get(*c))) {
                *slot = *v;
            }
        }
        positions.push(storage_index(&a.shape, a.fortran_order, &idx));
        for k in (0..cur.len()).rev() {
            if let (Some(c), Some(ax)) = (cur.get_mut(k), axes.get(k)) {
                *c += 1;
                if *c < ax.len() {
                    break;
                }
                *c = 0;
            }
        }
    }
    let fmt = Formatter::new(a, graph, &positions, a.shape.is_empty());
    let words: Vec<String> = positions.iter().map(|&p| fmt.format(a, graph, p)).collect();
    if a.shape.is_empty() {
        return words.into_iter().next();
    }
    let next_line_prefix = " ".repeat(1 + prefix_len);
    let line_width = LINE_WIDTH - 1; // the closing ")"
    let summary = if summarize { "..." } else { "" };
    let mut it = words.into_iter();
    Some(format_axis(
        &a.shape,
        &axes,
        0,
        &mut it,
        &next_line_prefix,
        line_width,
        summary,
    ))
}

fn extend_line(s: &mut String, line: &mut String, word: &str, width: usize, prefix: &str) {
    let mut needs_wrap = line.len() + word.len() > width;
    if line.len() <= prefix.len() {
        needs_wrap = false;
    }
    if needs_wrap {
        s.push_str(line.trim_end());
        s.push('\n');
        *line = prefix.to_string();
    }
    line.push_str(word);
}

/// numpy's `_formatArray` recursion, consuming the formatted words in C order.
fn format_axis(
    shape: &[usize],
    axes: &[Vec<usize>],
    axis: usize,
    words: &mut impl Iterator<Item = String>,
    hanging: &str,
    width: usize,
    summary: &str,
) -> String {
    let ndim = shape.len();
    let axes_left = ndim - axis;
    let next_hanging = format!("{hanging} ");
    let next_width = width.saturating_sub(1);
    let a_len = shape.get(axis).copied().unwrap_or(0);
    let n_shown = axes.get(axis).map_or(0, Vec::len);
    let show_summary = !summary.is_empty() && 2 * EDGE_ITEMS < a_len;
    let (leading, trailing) = if show_summary {
        (EDGE_ITEMS, EDGE_ITEMS)
    } else {
        (0, n_shown)
    };
    let mut s = String::new();
    if axes_left == 1 {
        let elem_width = width.saturating_sub(1);
        let mut line = hanging.to_string();
        for _ in 0..leading {
            let w = words.next().unwrap_or_default();
            extend_line(&mut s, &mut line, &w, elem_width, hanging);
            line.push_str(", ");
        }
        if show_summary {
            extend_line(&mut s, &mut line, summary, elem_width, hanging);
            line.push_str(", ");
        }
        for i in (2..=trailing).rev() {
            let _ = i;
            let w = words.next().unwrap_or_default();
            extend_line(&mut s, &mut line, &w, elem_width, hanging);
            line.push_str(", ");
        }
        // numpy > 1.13 keeps room for the closing `]` after the last element too.
        let w = words.next().unwrap_or_default();
        extend_line(&mut s, &mut line, &w, elem_width, hanging);
        s.push_str(&line);
    } else {
        let line_sep = format!(",{}", "\n".repeat(axes_left - 1));
        let sub = |words: &mut dyn Iterator<Item = String>| {
            let mut w = words;
            format_axis(
                shape,
                axes,
                axis + 1,
                &mut w,
                &next_hanging,
                next_width,
                summary,
            )
        };
        for _ in 0..leading {
            let nested = sub(words);
            s.push_str(hanging);
            s.push_str(&nested);
            s.push_str(&line_sep);
        }
        if show_summary {
            s.push_str(hanging);
            s.push_str(summary);
            s.push_str(&line_sep);
        }
        for _ in (2..=trailing).rev() {
            let nested = sub(words);
            s.push_str(hanging);
            s.push_str(&nested);
            s.push_str(&line_sep);
        }
        let nested = sub(words);
        s.push_str(hanging);
        s.push_str(&nested);
    }
    format!("[{}]", s.get(hanging.len()..).unwrap_or(""))
}

// --- element formatters ------------------------------------------------------------------------

enum Formatter {
    Bool {
        truestr: &'static str,
    },
    Int {
        width: usize,
    },
    Float(FloatFormat),
    Complex(FloatFormat, FloatFormat),
    Str,
    Bytes,
    DateTime {
        unit: TimeUnit,
        width: usize,
    },
    TimeDelta {
        width: usize,
    },
    Object,
    Struct(Vec<(Field, Formatter)>),
    /// A sub-array field of a struct: the element formatter and the sub-array's shape.
    SubArray {
        shape: Vec<usize>,
        inner: Box<Formatter>,
    },
    Void,
}

fn elem(a: &NdArray, pos: usize) -> &[u8] {
    let size = a.dtype.itemsize();
    let start = pos.saturating_mul(size);
    a.raw()
        .and_then(|b| b.get(start..start.saturating_add(size)))
        .unwrap_or(&[])
}

fn int_text(d: &DType, b: &[u8]) -> String {
    match (&d.kind, element_i64(d, b)) {
        (_, Some(v)) => v.to_string(),
        (DTypeKind::UInt { bytes: 8 }, None) => u64::read(b, d.byte_order)
            .map(|v| v.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

fn float_of(d: &DType, b: &[u8]) -> f64 {
    crate::array::element_f64(d, b).unwrap_or(f64::NAN)
}

fn complex_parts(d: &DType, b: &[u8]) -> (f64, f64) {
    let half = d.itemsize() / 2;
    let part = DType::new(DTypeKind::Float { bytes: half }, d.byte_order);
    let re = b.get(..half).map_or(f64::NAN, |x| float_of(&part, x));
    let im = b.get(half..).map_or(f64::NAN, |x| float_of(&part, x));
    (re, im)
}

impl Formatter {
    fn new(a: &NdArray, graph: &Graph, positions: &[usize], zero_d: bool) -> Formatter {
        let _ = graph;
        let d = &a.dtype;
        match &d.kind {
            DTypeKind::Bool => Formatter::Bool {
                truestr: if zero_d { "True" } else { " True" },
            },
            DTypeKind::Int { .. } | DTypeKind::UInt { .. } => Formatter::Int {
                width: positions
                    .iter()
                    .map(|&p| int_text(d, elem(a, p)).len())
                    .max()
                    .unwrap_or(0),
            },
            DTypeKind::Float { bytes } => {
                let vals: Vec<f64> = positions.iter().map(|&p| float_of(d, elem(a, p))).collect();
                Formatter::Float(FloatFormat::new(&vals, *bytes, false))
            }
            DTypeKind::Complex { bytes } => {
                let parts: Vec<(f64, f64)> = positions
                    .iter()
                    .map(|&p| complex_parts(d, elem(a, p)))
                    .collect();
                let re: Vec<f64> = parts.iter().map(|p| p.0).collect();
                let im: Vec<f64> = parts.iter().map(|p| p.1).collect();
                Formatter::Complex(
                    FloatFormat::new(&re, bytes / 2, false),
                    FloatFormat::new(&im, bytes / 2, true),
                )
            }
            DTypeKind::Unicode(_) => Formatter::Str,
            DTypeKind::Bytes(_) => Formatter::Bytes,
            DTypeKind::DateTime64(u) => Formatter::DateTime {
                unit: *u,
                width: positions
                    .iter()
                    .map(|&p| datetime_word(d, elem(a, p), *u).len())
                    .max()
                    .unwrap_or(0),
            },
            DTypeKind::TimeDelta64(_) => Formatter::TimeDelta {
                width: positions
                    .iter()
                    .map(|&p| timedelta_text(d, elem(a, p)).len())
                    .max()
                    .unwrap_or(0),
            },
            DTypeKind::Object => Formatter::Object,
            DTypeKind::Structured { fields, .. } => {
                let subs = fields
                    .iter()
                    .map(|f| {
                        let col = a.field(&f.name).ok();
                        let fmt = match &col {
                            Some(c) if c.shape == a.shape => {
                                Formatter::new(c, graph, positions, zero_d)
                            }
                            Some(c) if c.shape.starts_with(&a.shape) && !c.fortran_order => {
                                let block: usize = c.shape[a.shape.len()..].iter().product();
                                let all: Vec<usize> = positions
                                    .iter()
                                    .flat_map(|&p| (0..block).map(move |k| p * block + k))
                                    .collect();
                                Formatter::SubArray {
                                    shape: c.shape[a.shape.len()..].to_vec(),
                                    inner: Box::new(Formatter::new(c, graph, &all, false)),
                                }
                            }
                            _ => Formatter::Void,
                        };
                        (f.clone(), fmt)
                    })
                    .collect();
                Formatter::Struct(subs)
            }
            DTypeKind::Void(_) | DTypeKind::SubArray { .. } => Formatter::Void,
        }
    }

    fn format(&self, a: &NdArray, graph: &Graph, pos: usize) -> String {
        let d = &a.dtype;
        match self {
            Formatter::Bool { truestr } => {
                if elem(a, pos).first().is_some_and(|&b| b != 0) {
                    truestr.to_string()
                } else {
                    "False".to_string()
                }
            }
            Formatter::Int { width } => format!("{:>width$}", int_text(d, elem(a, pos))),
            Formatter::Float(f) => f.format(float_of(d, elem(a, pos))),
            Formatter::Complex(fr, fi) => {
                let (re, im) = complex_parts(d, elem(a, pos));
                let r = fr.format(re);
                let i = fi.format(im);
                let sp = i.trim_end().len();
                format!("{r}{}j{}", &i[..sp], &i[sp..])
            }
            Formatter::Str => py_str_repr(&element_unicode(elem(a, pos), d.byte_order)),
            Formatter::Bytes => py_bytes_repr(&element_bytes(elem(a, pos))),
            Formatter::DateTime { unit, width } => {
                format!("{:>width$}", datetime_word(d, elem(a, pos), *unit))
            }
            Formatter::TimeDelta { width } => {
                format!("{:>width$}", timedelta_text(d, elem(a, pos)))
            }
            Formatter::Object => match a.objects().and_then(|ids| ids.get(pos)) {
                Some(&id) => py_repr(graph, id, 0),
                None => "None".to_string(),
            },
            Formatter::Struct(subs) => {
                let parts: Vec<String> = subs
                    .iter()
                    .map(|(f, fmt)| match a.field(&f.name) {
                        Ok(col) if col.shape == a.shape => fmt.format(&col, graph, pos),
                        Ok(col) => fmt.format(&col, graph, pos),
                        _ => {
                            let size = f.dtype.itemsize();
                            let rec = elem(a, pos);
                            let b = rec
                                .get(f.offset..f.offset.saturating_add(size))
                                .unwrap_or(&[]);
                            py_bytes_repr(b)
                        }
                    })
                    .collect();
                if parts.len() == 1 {
                    format!("({},)", parts.join(""))
                } else {
                    format!("({})", parts.join(", "))
                }
            }
            Formatter::SubArray { shape, inner } => {
                let block: usize = shape.iter().product();
                let mut next = pos.saturating_mul(block);
                nested_list(shape, &mut || {
                    let w = inner.format(a, graph, next);
                    next += 1;
                    w
                })
            }
            Formatter::Void => py_bytes_repr(elem(a, pos)),
        }
    }
}

/// Python's `repr()` of `.item()` of one element of dtype `d` held in `b` (tuples for structs,
/// lists for sub-arrays).
fn item_repr(d: &DType, b: &[u8]) -> String {
    match &d.kind {
        DTypeKind::Bool => if b.first().is_some_and(|&x| x != 0) {
            "True"
        } else {
            "False"
        }
        .into(),
        DTypeKind::Int { .. } | DTypeKind::UInt { .. } => int_text(d, b),
        DTypeKind::Float { .. } => py_float_repr(float_of(d, b)),
        DTypeKind::Complex { .. } => {
            let (re, im) = complex_parts(d, b);
            let c = |x: f64| {
                let t = py_float_repr(x);
                t.strip_suffix(".0").map(str::to_string).unwrap_or(t)
            };
            let sign = if im.is_nan() || im.is_sign_positive() {
                "+"
            } else {
                ""
            };
            format!("({}{sign}{}j)", c(re), c(im))
        }
        DTypeKind::Bytes(_) => py_bytes_repr(&element_bytes(b)),
        DTypeKind::Unicode(_) => py_str_repr(&element_unicode(b, d.byte_order)),
        DTypeKind::Structured { fields, .. } => {
            let parts: Vec<String> = fields
                .iter()
                .map(|f| {
                    let end = f.offset.saturating_add(f.dtype.itemsize());
                    item_repr(&f.dtype, b.get(f.offset..end).unwrap_or(&[]))
                })
                .collect();
            if parts.len() == 1 {
                format!("({},)", parts.join(""))
            } else {
                format!("({})", parts.join(", "))
            }
        }
        DTypeKind::SubArray { base, shape } => {
            let size = base.itemsize();
            let mut k = 0usize;
            nested_list(shape, &mut || {
                let start = k.saturating_mul(size);
                k += 1;
                item_repr(
                    base,
                    b.get(start..start.saturating_add(size)).unwrap_or(&[]),
                )
            })
        }
        _ => py_bytes_repr(b),
    }
}

/// `[w, w, ...]` nested along `shape`, taking words in C order (numpy's sub-array field form).
fn nested_list(shape: &[usize], word: &mut dyn FnMut() -> String) -> String {
    match shape.split_first() {
        None => word(),
        Some((&n, rest)) => {
            let items: Vec<String> = (0..n).map(|_| nested_list(rest, word)).collect();
            format!("[{}]", items.join(", "))
        }
    }
}

fn datetime_word(d: &DType, b: &[u8], unit: TimeUnit) -> String {
    let v = element_i64(d, b).unwrap_or(i64::MIN);
    format!("'{}'", datetime_text(v, unit))
}

fn timedelta_text(d: &DType, b: &[u8]) -> String {
    match element_i64(d, b) {
        Some(i64::MIN) | None => "'NaT'".into(),
        Some(v) => v.to_string(),
    }
}

/// Python's `repr()` of `bytes` ([`brine_pickle::repr::bytes_repr`]).
pub fn py_bytes_repr(b: &[u8]) -> String {
    brine_pickle::repr::bytes_repr(b)
}

/// Python's `repr()` of a float ([`brine_pickle::repr::float_repr`]).
pub fn py_float_repr(x: f64) -> String {
    brine_pickle::repr::float_repr(x)
}

/// numpy's scalar repr of a float of `bytes` bytes: Python's `repr()` rules with the shortest
/// digits that read back as the same `float16`/`float32`/`float64`.
fn float_repr_sized(x: f64, bytes: usize) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf".into() } else { "inf".into() };
    }
    let (digits, exp) = shortest_digits(x, bytes);
    let neg = if x.is_sign_negative() { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let s = positional_from_digits(&digits, exp);
        let s = if s.ends_with('.') { format!("{s}0") } else { s };
        format!("{neg}{s}")
    } else {
        let mant = match digits.len() {
            1 => digits.clone(),
            _ => format!("{}.{}", &digits[..1], &digits[1..]),
        };
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{neg}{mant}e{sign}{:02}", exp.unsigned_abs())
    }
}

/// A Python-style repr of a node (scalars, containers, numpy arrays; other objects by class).
fn py_repr(graph: &Graph, id: NodeId, depth: usize) -> String {
    if depth > 8 {
        return "...".into();
    }
    let v = graph.value(id);
    let join = |ids: &[NodeId]| {
        ids.iter()
            .take(100)
            .map(|&i| py_repr(graph, i, depth + 1))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match v.node() {
        Node::None => "None".into(),
        Node::Bool(b) => if *b { "True" } else { "False" }.into(),
        Node::Int(i) => i.to_string(),
        Node::BigInt(b) => brine_pickle::repr::bigint_repr(b),
        Node::Float(f) => py_float_repr(*f),
        Node::Complex(c) => brine_pickle::repr::complex_repr(c.re, c.im),
        Node::Str(s) => brine_pickle::repr::str_repr(graph.text(*s)),
        Node::Bytes(b) => py_bytes_repr(b),
        Node::ByteArray(b) => format!("bytearray({})", py_bytes_repr(b)),
        Node::List(items) => format!("list([{}])", join(graph.items(*items))),
        Node::Tuple(items) if graph.items(*items).len() == 1 => {
            format!("({},)", join(graph.items(*items)))
        }
        Node::Tuple(items) => format!("({})", join(graph.items(*items))),
        Node::Dict(pairs) => format!(
            "{{{}}}",
            graph
                .pairs(*pairs)
                .iter()
                .take(100)
                .map(|&(k, v)| format!(
                    "{}: {}",
                    py_repr(graph, k, depth + 1),
                    py_repr(graph, v, depth + 1)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Node::Set(items) => format!("{{{}}}", join(graph.items(*items))),
        Node::FrozenSet(items) => format!("frozenset({{{}}})", join(graph.items(*items))),
        Node::Global(g) => format!("<class '{}.{}'>", g.module, g.name),
        Node::Object(_) if crate::pickle::is_array(graph, id) => {
            match crate::pickle::array_from_node(graph, id) {
                Ok(arr) if arr.shape.is_empty() && !arr.dtype.has_object() => {
                    scalar_repr(&arr, graph)
                }
                Ok(arr) => array_repr(&arr, graph),
                Err(_) => "<invalid numpy array>".into(),
            }
        }
        Node::Object(_) => match v.class() {
            Some(g) => format!("<{}.{} object>", g.module, g.name),
            None => "<object>".into(),
        },
        other => format!("<{}>", other.type_name()),
    }
}

/// numpy 2's `repr` of a scalar: `np.float64(1.5)`, `np.int32(3)`, `np.True_`, `np.str_('a')`.
pub fn scalar_repr(a: &NdArray, graph: &Graph) -> String {
    let inner = array_repr(a, graph);
    let body = inner
        .strip_prefix("array(")
        .and_then(|s| s.split(", dtype=").next())
        .map(|s| s.trim_end_matches(')').to_string())
        .unwrap_or_default();
    match &a.dtype.kind {
        DTypeKind::Bool => {
            if body.trim() == "True" {
                "np.True_".into()
            } else {
                "np.False_".into()
            }
        }
        DTypeKind::Unicode(_) => format!("np.str_({body})"),
        DTypeKind::Bytes(_) => format!("np.bytes_({body})"),
        DTypeKind::Float { bytes } => {
            let v = a
                .to_f64()
                .ok()
                .and_then(|x| x.iter().next().copied())
                .unwrap_or(f64::NAN);
            format!(
                "np.{}({})",
                dtype_name(&a.dtype),
                float_repr_sized(v, *bytes)
            )
        }
        DTypeKind::Complex { bytes } => {
            let (re, im) = complex_parts(&a.dtype, elem(a, 0));
            let half = bytes / 2;
            let r = |x: f64| {
                let t = float_repr_sized(x, half);
                t.strip_suffix(".0").map(str::to_string).unwrap_or(t)
            };
            let imag = if im.is_nan() || im.is_sign_positive() {
                format!("+{}j", r(im))
            } else {
                format!("{}j", r(im))
            };
            let text = if re == 0.0 && re.is_sign_positive() {
                format!("{}j", r(im))
            } else {
                format!("{}{imag}", r(re))
            };
            format!("np.{}({text})", dtype_name(&a.dtype))
        }
        DTypeKind::TimeDelta64(u) if *u != TimeUnit::Generic => {
            format!(
                "np.timedelta64({},'{}')",
                body.trim().trim_matches('\''),
                u.code()
            )
        }
        DTypeKind::DateTime64(_) | DTypeKind::TimeDelta64(_) => {
            format!(
                "np.{}({body})",
                dtype_name(&a.dtype).split('[').next().unwrap_or("")
            )
        }
        DTypeKind::Structured { .. } => format!(
            "np.void({}, dtype={})",
            item_repr(&a.dtype, elem(a, 0)),
            dtype_short_repr(&a.dtype)
        ),
        _ => format!("np.{}({body})", dtype_name(&a.dtype)),
    }
}

// --- floats ------------------------------------------------------------------------------------

/// The shortest decimal digits that read back as `x` in a float of `bytes` bytes, and the decimal
/// exponent of the first digit (`1.5` → ("15", 0)).
fn shortest_digits(x: f64, bytes: usize) -> (String, i32) {
    let x = x.abs();
    if x == 0.0 {
        return ("0".into(), 0);
    }
    for p in 0..17usize {
        let s = format!("{x:.p$e}");
        let back: f64 = s.parse().unwrap_or(f64::NAN);
        let same = match bytes {
            2 => half::f16::from_f64(back) == half::f16::from_f64(x),
            4 => (back as f32) == (x as f32),
            _ => back == x,
        };
        if same || p == 16 {
            return split_sci(&s);
        }
    }
    split_sci(&format!("{x:.16e}"))
}

/// Splits Rust's `d.ddde±x` into (digits, exponent).
fn split_sci(s: &str) -> (String, i32) {
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = match digits.trim_end_matches('0') {
        "" => "0".to_string(),
        d => d.to_string(),
    };
    (digits, exp.parse().unwrap_or(0))
}

/// `digits` × 10^exp as positional text with a `.`, no trailing zeros after it (`"1."`, `"0.05"`).
fn positional_from_digits(digits: &str, exp: i32) -> String {
    let n = digits.len() as i64;
    let e = i64::from(exp);
    if e >= 0 {
        let int_len = (e + 1) as usize;
        if digits.len() <= int_len {
            format!("{digits}{}.", "0".repeat(int_len - digits.len()))
        } else {
            format!("{}.{}", &digits[..int_len], &digits[int_len..])
        }
    } else {
        let zeros = (-e - 1) as usize;
        let _ = n;
        format!("0.{}{}", "0".repeat(zeros), digits)
    }
}

struct FloatFormat {
    bytes: usize,
    exp_format: bool,
    pad_left: usize,
    pad_right: usize,
    precision: usize,
    exp_size: usize,
    sign_plus: bool,
}

impl FloatFormat {
    fn new(vals: &[f64], bytes: usize, sign_plus: bool) -> FloatFormat {
        let finite: Vec<f64> = vals.iter().copied().filter(|v| v.is_finite()).collect();
        let abs_nz: Vec<f64> = finite
            .iter()
            .map(|v| v.abs())
            .filter(|&v| v != 0.0)
            .collect();
        let type_precision = match bytes {
            2 => 3,
            4 => 6,
            _ => 15,
        };
        let cutoff = 10f64.powi(type_precision.min(8));
        let mut exp_format = false;
        if !abs_nz.is_empty() {
            let max = abs_nz.iter().copied().fold(f64::MIN, f64::max);
            let min = abs_nz.iter().copied().fold(f64::MAX, f64::min);
            exp_format = max >= cutoff || min < 0.0001 || max / min > 1000.0;
        }
        let mut f = FloatFormat {
            bytes,
            exp_format,
            pad_left: 0,
            pad_right: 0,
            precision: PRECISION,
            exp_size: 0,
            sign_plus,
        };
        if finite.is_empty() {
            f.exp_format = false;
        } else if exp_format {
            let strs: Vec<(String, String, String)> = finite
                .iter()
                .map(|&x| f.sci_parts(x, PRECISION, 0))
                .collect();
            f.exp_size = strs.iter().map(|s| s.2.len()).max().unwrap_or(2);
            f.precision = strs.iter().map(|s| s.1.len()).max().unwrap_or(0);
            f.pad_left = strs.iter().map(|s| s.0.len()).max().unwrap_or(1);
            f.pad_right = f.exp_size + 2 + f.precision;
        } else {
            let strs: Vec<(String, String)> = finite.iter().map(|&x| f.pos_parts(x)).collect();
            f.pad_left = strs.iter().map(|s| s.0.len()).max().unwrap_or(1);
            f.pad_right = strs.iter().map(|s| s.1.len()).max().unwrap_or(0);
        }
        if finite.len() != vals.len() {
            let neginf = sign_plus || vals.iter().any(|v| v.is_infinite() && *v < 0.0);
            let offset = f.pad_right + 1;
            f.pad_left = f
                .pad_left
                .max(3usize.saturating_sub(offset))
                .max((3 + usize::from(neginf)).saturating_sub(offset));
        }
        f
    }

    fn sign(&self, x: f64) -> &'static str {
        if x.is_sign_negative() {
            "-"
        } else if self.sign_plus {
            "+"
        } else {
            ""
        }
    }

    /// (int part with sign, fraction digits) of the positional form, unique digits cut at 8.
    fn pos_parts(&self, x: f64) -> (String, String) {
        let (digits, exp) = shortest_digits(x, self.bytes);
        let frac_len = (digits.len() as i64 - 1 - i64::from(exp)).max(0) as usize;
        let text = if frac_len > PRECISION {
            let s = format!("{:.*}", PRECISION, x.abs());
            let s = s.trim_end_matches('0').to_string();
            if s.contains('.') {
                s
            } else {
                format!("{s}.")
            }
        } else {
            positional_from_digits(&digits, exp)
        };
        let (i, fr) = text.split_once('.').unwrap_or((&text, ""));
        (format!("{}{}", self.sign(x), i), fr.to_string())
    }

    /// (int part with sign, fraction digits, exponent digits with sign) of the scientific form.
    fn sci_parts(&self, x: f64, precision: usize, min_digits: usize) -> (String, String, String) {
        let (mut digits, mut exp) = shortest_digits(x, self.bytes);
        if digits.len() > precision + 1 {
            let s = format!("{:.*e}", precision, x.abs());
            let (d, e) = split_sci(&s);
            digits = d;
            exp = e;
        }
        if digits.len() < min_digits + 1 {
            // Like numpy's Dragon4 with `min_digits`: the extra digits are the exact value's,
            // correctly rounded (a float32 0.6293774 pads to 6.2937742e-01, not 6.2937740e-01).
            let s = format!("{:.*e}", min_digits, x.abs());
            let (d, e) = split_sci(&s);
            digits = d;
            exp = e;
        }
        let first = digits.get(..1).unwrap_or("0").to_string();
        let mut frac = digits.get(1..).unwrap_or("").to_string();
        while frac.len() < min_digits {
            frac.push('0');
        }
        let esign = if exp < 0 { '-' } else { '+' };
        (
            format!("{}{}", self.sign(x), first),
            frac,
            format!("{esign}{}", exp.unsigned_abs()),
        )
    }

    fn format(&self, x: f64) -> String {
        if !x.is_finite() {
            let ret = if x.is_nan() {
                format!("{}nan", if self.sign_plus { "+" } else { "" })
            } else if x < 0.0 {
                "-inf".to_string()
            } else {
                format!("{}inf", if self.sign_plus { "+" } else { "" })
            };
            let width = self.pad_left + self.pad_right + 1;
            return format!("{ret:>width$}");
        }
        if self.exp_format {
            let (i, fr, e) = self.sci_parts(x, self.precision, self.precision);
            let (esign, edigits) = e.split_at(1);
            let exp_width = self.exp_size.saturating_sub(1).max(2);
            format!(
                "{i:>pl$}.{fr}e{esign}{edigits:0>exp_width$}",
                pl = self.pad_left
            )
        } else {
            let (i, fr) = self.pos_parts(x);
            format!(
                "{i:>pl$}.{fr:<pr$}",
                pl = self.pad_left,
                pr = self.pad_right
            )
        }
    }
}

// --- datetimes ---------------------------------------------------------------------------------

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// numpy's `datetime_as_string` for a value in `unit`.
pub fn datetime_text(v: i64, unit: TimeUnit) -> String {
    if v == i64::MIN {
        return "NaT".into();
    }
    let year = |y: i64| {
        if (0..=9999).contains(&y) {
            format!("{y:04}")
        } else {
            y.to_string()
        }
    };
    match unit {
        TimeUnit::Generic => return v.to_string(),
        TimeUnit::Years => return year(1970 + v),
        TimeUnit::Months => {
            let y = 1970 + v.div_euclid(12);
            return format!("{}-{:02}", year(y), v.rem_euclid(12) + 1);
        }
        _ => {}
    }
    // (units per day, sub-second digits, fields shown after the date)
    let (per_day, frac_digits, fields): (i128, usize, usize) = match unit {
        TimeUnit::Weeks => (0, 0, 0),
        TimeUnit::Days => (1, 0, 0),
        TimeUnit::Hours => (24, 0, 1),
        TimeUnit::Minutes => (1440, 0, 2),
        TimeUnit::Seconds => (86_400, 0, 3),
        TimeUnit::Millis => (86_400_000, 3, 3),
        TimeUnit::Micros => (86_400_000_000, 6, 3),
        TimeUnit::Nanos => (86_400_000_000_000, 9, 3),
        TimeUnit::Picos => (86_400_000_000_000_000, 12, 3),
        TimeUnit::Femtos => (86_400_000_000_000_000_000, 15, 3),
        TimeUnit::Attos => (86_400_000_000_000_000_000_000, 18, 3),
        _ => (1, 0, 0),
    };
    let (days, rem) = if unit == TimeUnit::Weeks {
        (i128::from(v) * 7, 0)
    } else {
        (
            i128::from(v).div_euclid(per_day),
            i128::from(v).rem_euclid(per_day),
        )
    };
    let (y, m, d) = civil_from_days(i64::try_from(days).unwrap_or(0));
    let mut s = format!("{}-{m:02}-{d:02}", year(y));
    if fields == 0 {
        return s;
    }
    let per_sec = per_day / 86_400;
    let (secs, sub) = if per_sec > 0 {
        (rem / per_sec, rem % per_sec)
    } else {
        // hours or minutes
        let per_hour = per_day / 24;
        if per_hour > 0 {
            (rem / per_hour * 60 * 60 / 60 * 60 / 60, 0)
        } else {
            (rem * 3600, 0)
        }
    };
    let (hh, mm, ss) = match unit {
        TimeUnit::Hours => (rem, 0, 0),
        TimeUnit::Minutes => (rem / 60, rem % 60, 0),
        _ => (secs / 3600, secs / 60 % 60, secs % 60),
    };
    s.push_str(&format!("T{hh:02}"));
    if fields >= 2 {
        s.push_str(&format!(":{mm:02}"));
    }
    if fields >= 3 {
        s.push_str(&format!(":{ss:02}"));
    }
    if frac_digits > 0 {
        s.push_str(&format!(".{sub:0frac_digits$}"));
    }
    s
}

// --- whole values ------------------------------------------------------------------------------

/// The nodes reachable from `root` from which a numpy array or scalar can be reached (arrays
/// included). Iterative: any nesting depth.
fn nodes_leading_to_arrays(graph: &Graph, root: NodeId) -> std::collections::HashSet<NodeId> {
    use std::collections::{HashMap, HashSet};
    let mut parents: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
    let mut seen = HashSet::new();
    let mut arrays = Vec::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if id.index() >= graph.len() || !seen.insert(id) {
            continue;
        }
        if crate::pickle::is_array(graph, id) {
            arrays.push(id);
            continue;
        }
        graph.for_each_child(id, |child| {
            parents.entry(child).or_default().push(id);
            stack.push(child);
        });
    }
    let mut marked: HashSet<NodeId> = HashSet::new();
    while let Some(id) = arrays.pop() {
        if marked.insert(id) {
            if let Some(ps) = parents.get(&id) {
                arrays.extend(ps.iter().copied());
            }
        }
    }
    marked
}

/// Python's `repr()` of a whole value in which numpy arrays and scalars print as numpy prints
/// them (`array([1., 2.])`, `np.float64(0.5)`) instead of as their pickled calls. Containers and
/// objects that hold arrays are printed here (iteratively, cycles as `[...]`); everything else as
/// [`brine_pickle::repr`] prints it. The text is cut at `max_len` bytes; the flag says whether it
/// was.
///
/// ```
/// use brine_numpy::{repr::value_repr, NdArray};
/// let mut g = brine_pickle::Graph::new();
/// let a = NdArray::from_f64_slice(&[1.0, 2.5]).to_node(&mut g).unwrap();
/// let k = g.str("w");
/// let d = g.dict(vec![(k, a)]);
/// assert_eq!(value_repr(&g, d, 1000), ("{'w': array([1. , 2.5])}".to_string(), false));
/// ```
pub fn value_repr(graph: &Graph, root: NodeId, max_len: usize) -> (String, bool) {
    use brine_pickle::repr::{repr_with, ReprOptions};
    use brine_pickle::ObjectKind;
    use std::collections::HashSet;

    enum Task {
        Node(NodeId),
        Text(&'static str),
        Leave(NodeId),
    }
    let holds_arrays = nodes_leading_to_arrays(graph, root);
    let mut out = String::new();
    let mut active: HashSet<NodeId> = HashSet::new();
    let mut tasks = vec![Task::Node(root)];
    // Pushes `items` separated by ", " (in order) onto the task stack.
    fn push_items(tasks: &mut Vec<Task>, items: &[NodeId]) {
        for (i, &id) in items.iter().enumerate().rev() {
            tasks.push(Task::Node(id));
            if i > 0 {
                tasks.push(Task::Text(", "));
            }
        }
    }
    while let Some(task) = tasks.pop() {
        if out.len() >= max_len {
            let mut cut = max_len.min(out.len());
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            return (out, true);
        }
        let id = match task {
            Task::Text(t) => {
                out.push_str(t);
                continue;
            }
            Task::Leave(id) => {
                active.remove(&id);
                continue;
            }
            Task::Node(id) => id,
        };
        if crate::pickle::is_array(graph, id) {
            let text = match crate::pickle::array_from_node(graph, id) {
                Ok(a) if crate::pickle::is_scalar(graph, id) => scalar_repr(&a, graph),
                Ok(a) => array_repr(&a, graph),
                Err(e) => format!("<invalid numpy array: {e}>"),
            };
            out.push_str(&text);
            continue;
        }
        if !holds_arrays.contains(&id) {
            let budget = max_len.saturating_sub(out.len());
            let r = repr_with(graph, id, &ReprOptions { max_len: budget });
            out.push_str(&r.text);
            if r.truncated {
                return (out, true);
            }
            continue;
        }
        let node = graph.get(id);
        if active.contains(&id) {
            out.push_str(match node {
                Node::List(_) => "[...]",
                Node::Dict(_) | Node::Set(_) => "{...}",
                Node::Tuple(_) => "(...)",
                _ => "...",
            });
            continue;
        }
        active.insert(id);
        tasks.push(Task::Leave(id));
        match node {
            Node::List(items) => {
                out.push('[');
                tasks.push(Task::Text("]"));
                push_items(&mut tasks, graph.items(*items));
            }
            Node::Tuple(items) => {
                out.push('(');
                let items = graph.items(*items);
                tasks.push(Task::Text(if items.len() == 1 { ",)" } else { ")" }));
                push_items(&mut tasks, items);
            }
            Node::Set(items) | Node::FrozenSet(items) => {
                let frozen = matches!(node, Node::FrozenSet(_));
                out.push_str(if frozen { "frozenset({" } else { "{" });
                tasks.push(Task::Text(if frozen { "})" } else { "}" }));
                push_items(&mut tasks, graph.items(*items));
            }
            Node::Dict(pairs) => {
                out.push('{');
                tasks.push(Task::Text("}"));
                for (i, &(k, v)) in graph.pairs(*pairs).iter().enumerate().rev() {
                    tasks.push(Task::Node(v));
                    tasks.push(Task::Text(": "));
                    tasks.push(Task::Node(k));
                    if i > 0 {
                        tasks.push(Task::Text(", "));
                    }
                }
            }
            Node::Object(obj) => {
                let (callee, args) = match &obj.kind {
                    ObjectKind::Reduce { callable, args } => (*callable, Some(*args)),
                    ObjectKind::NewObj { cls, args } | ObjectKind::NewObjEx { cls, args, .. } => {
                        (*cls, Some(*args))
                    }
                    ObjectKind::Instance { cls, .. } => (*cls, None),
                };
                out.push_str(&repr_with(graph, callee, &ReprOptions { max_len: 4096 }).text);
                out.push('(');
                // Pushed in reverse: state, items, then the call's arguments.
                if let Some(state) = obj.state {
                    tasks.push(Task::Text(")"));
                    tasks.push(Task::Node(state));
                    tasks.push(Task::Text(".__setstate__("));
                }
                if !obj.dict_items.is_empty() {
                    tasks.push(Task::Text("})"));
                    for (i, &(k, v)) in obj.dict_items.iter().enumerate().rev() {
                        tasks.push(Task::Node(v));
                        tasks.push(Task::Text(": "));
                        tasks.push(Task::Node(k));
                        if i > 0 {
                            tasks.push(Task::Text(", "));
                        }
                    }
                    tasks.push(Task::Text(".update({"));
                }
                if !obj.list_items.is_empty() {
                    tasks.push(Task::Text("])"));
                    push_items(&mut tasks, &obj.list_items);
                    tasks.push(Task::Text(".extend(["));
                }
                tasks.push(Task::Text(")"));
                let arg_items = match args.map(|a| graph.get(a)) {
                    Some(Node::Tuple(items)) => graph.items(*items).to_vec(),
                    _ => args.into_iter().collect(),
                };
                push_items(&mut tasks, &arg_items);
            }
            _ => {
                let budget = max_len.saturating_sub(out.len());
                out.push_str(&repr_with(graph, id, &ReprOptions { max_len: budget }).text);
            }
        }
    }
    if out.len() > max_len {
        let mut cut = max_len;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        return (out, true);
    }
    (out, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scientific_padding_uses_the_exact_digits_of_float32_values() {
        // numpy 2.4: repr(np.array([-0.6293774, -3.548805, 0.28701663, 1e-5], dtype=np.float32))
        let a = NdArray::from_vec(
            vec![4],
            vec![-0.629_377_4_f32, -3.548_805, 0.287_016_63, 1e-5],
        )
        .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(
            array_repr(&a, &Graph::new()),
            "array([-6.2937742e-01, -3.5488050e+00,  2.8701663e-01,  9.9999997e-06],\n      dtype=float32)"
        );
    }

    #[test]
    fn the_last_element_leaves_room_for_the_bracket() {
        // numpy 2.4: repr(np.array([-147820632, -306545859, 641947553, 182868673, -126705567],
        // dtype='datetime64[s]')): two per line, as a third would reach column 74 on the last line.
        let secs: [i64; 5] = [
            -147_820_632,
            -306_545_859,
            641_947_553,
            182_868_673,
            -126_705_567,
        ];
        let a = NdArray::from_vec(vec![5], secs.to_vec())
            .and_then(|mut a| {
                a.dtype = DType::parse_descr("<M8[s]")?;
                Ok(a)
            })
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(
            array_repr(&a, &Graph::new()),
            "array(['1965-04-26T02:42:48', '1960-04-15T00:22:21',\n       '1990-05-05T22:45:53', '1975-10-18T12:51:13',\n       '1965-12-26T12:00:33'], dtype='datetime64[s]')"
        );
    }

    #[test]
    fn object_and_unicode_elements_print_as_python_repr() {
        // numpy 2.4: repr(np.array([1-2j, 'é\x85\u200b', [1, 2], 10**30], dtype=object))
        let mut g = Graph::new();
        let c = g.complex(1.0, -2.0);
        let s = g.str("é\u{85}\u{200b}");
        let (one, two) = (g.int(1), g.int(2));
        let l = g.list(vec![one, two]);
        let big = g.bigint(num_bigint::BigInt::from(10u8).pow(30));
        let a = NdArray::from_objects(vec![4], vec![c, s, l, big])
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(
            array_repr(&a, &g),
            "array([(1-2j), 'é\\x85\\u200b', list([1, 2]),\n       1000000000000000000000000000000], dtype=object)"
        );
        // repr(np.array(['é\x85\u200b', 'a']))
        let u = NdArray::from_strings(&["é\u{85}\u{200b}", "a"]);
        assert_eq!(
            array_repr(&u, &g),
            "array(['é\\x85\\u200b', 'a'], dtype='<U3')"
        );
    }
}

//! [`NdArray`]: a numpy array as raw bytes (or object ids) plus dtype, shape and order, with typed
//! access through the `ndarray` crate.

use brine_pickle::{Graph, Node, NodeId, PyStr};
use bytes::Bytes;
use ndarray::{ArrayD, ArrayViewD, IxDyn, ShapeBuilder};
use num_complex::Complex;

use crate::dtype::{ByteOrder, DType, DTypeKind, TimeUnit};
use crate::error::{NumpyError, Result};

/// The elements of an array.
#[derive(Debug, Clone, PartialEq)]
pub enum ArrayData {
    /// numpy's own bytes for the elements, in the array's order and the dtype's byte order. May be
    /// a zero-copy slice of the pickle, of an mmap or of a shared buffer.
    Raw(Bytes),
    /// Object arrays (and structs holding objects): one node per element, ids in the graph the
    /// array was read from (or will be written to).
    Objects(Vec<NodeId>),
}

/// A numpy array: dtype, shape, memory order and data.
///
/// ```
/// use brine_numpy::NdArray;
/// use ndarray::ArrayD;
/// let a = NdArray::from_vec(vec![2, 2], vec![1.0f64, 2.0, 3.0, 4.0]).unwrap();
/// assert_eq!(a.dtype.descr(), "<f8");
/// assert_eq!(a.to_f64().unwrap()[[1, 0]], 3.0);
/// let v = a.view::<f64>().unwrap();
/// assert_eq!(v.sum(), 10.0);
/// let i = NdArray::from_array(ArrayD::from_elem(vec![3], 7i32));
/// assert_eq!(i.dtype.descr(), "<i4");
/// assert_eq!(i.to_f64().unwrap().into_raw_vec_and_offset().0, vec![7.0, 7.0, 7.0]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NdArray {
    /// The element type.
    pub dtype: DType,
    /// The shape; empty for a 0-d array (a numpy scalar).
    pub shape: Vec<usize>,
    /// `true` if the data is in Fortran (column-major) order.
    pub fortran_order: bool,
    /// The elements.
    pub data: ArrayData,
}

/// A class label or other element read as a plain value ([`NdArray::labels`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Label {
    /// An integer (numpy ints, Python ints).
    Int(i64),
    /// A float.
    Float(f64),
    /// Text (`U` arrays, Python `str` in object arrays).
    Str(String),
    /// A bool.
    Bool(bool),
    /// Bytes (`S` arrays, Python `bytes` in object arrays), trailing NULs stripped for `S`.
    Bytes(Vec<u8>),
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Label::Int(v) => write!(f, "{v}"),
            Label::Float(v) => write!(f, "{v}"),
            Label::Str(s) => f.write_str(s),
            Label::Bool(b) => f.write_str(if *b { "True" } else { "False" }),
            Label::Bytes(b) => write!(f, "{}", String::from_utf8_lossy(b)),
        }
    }
}

/// A Rust type that is a numpy element type: `bool`, `i8`..`i64`, `u8`..`u64`, `half::f16`, `f32`,
/// `f64`, `Complex<f32>`, `Complex<f64>`.
pub trait Element: Copy + bytemuck::NoUninit + 'static {
    /// The native-order dtype of this type.
    fn dtype() -> DType;
    /// `true` if arrays of `kind` can be read as this type (same kind and size; `i64` also reads
    /// `datetime64`/`timedelta64`).
    fn accepts(kind: &DTypeKind) -> bool {
        *kind == Self::dtype().kind
    }
    /// The bytes as a slice of this type without copying: `None` when misaligned, of the wrong
    /// length, or (for `bool`) holding a byte other than 0 and 1.
    fn cast_slice(bytes: &[u8]) -> Option<&[Self]>;
    /// One element from exactly `size_of::<Self>()` bytes in `order`.
    fn read(bytes: &[u8], order: ByteOrder) -> Option<Self>;
}

macro_rules! num_element {
    ($t:ty, $kind:expr) => {
        impl Element for $t {
            fn dtype() -> DType {
                DType::native($kind)
            }
            fn cast_slice(bytes: &[u8]) -> Option<&[Self]> {
                bytemuck::try_cast_slice(bytes).ok()
            }
            fn read(bytes: &[u8], order: ByteOrder) -> Option<Self> {
                let arr = bytes.try_into().ok()?;
                Some(match order {
                    ByteOrder::Little => <$t>::from_le_bytes(arr),
                    ByteOrder::Big => <$t>::from_be_bytes(arr),
                    ByteOrder::NotApplicable => <$t>::from_ne_bytes(arr),
                })
            }
        }
    };
}

num_element!(i8, DTypeKind::Int { bytes: 1 });
num_element!(i16, DTypeKind::Int { bytes: 2 });
num_element!(i32, DTypeKind::Int { bytes: 4 });
num_element!(u8, DTypeKind::UInt { bytes: 1 });
num_element!(u16, DTypeKind::UInt { bytes: 2 });
num_element!(u32, DTypeKind::UInt { bytes: 4 });
num_element!(u64, DTypeKind::UInt { bytes: 8 });
num_element!(f32, DTypeKind::Float { bytes: 4 });
num_element!(f64, DTypeKind::Float { bytes: 8 });

impl Element for i64 {
    fn dtype() -> DType {
        DType::native(DTypeKind::Int { bytes: 8 })
    }
    fn accepts(kind: &DTypeKind) -> bool {
        matches!(
            kind,
            DTypeKind::Int { bytes: 8 } | DTypeKind::DateTime64(_) | DTypeKind::TimeDelta64(_)
        )
    }
    fn cast_slice(bytes: &[u8]) -> Option<&[Self]> {
        bytemuck::try_cast_slice(bytes).ok()
    }
    fn read(bytes: &[u8], order: ByteOrder) -> Option<Self> {
        let arr = bytes.try_into().ok()?;
        Some(match order {
            ByteOrder::Little => i64::from_le_bytes(arr),
            ByteOrder::Big => i64::from_be_bytes(arr),
            ByteOrder::NotApplicable => i64::from_ne_bytes(arr),
        })
    }
}

impl Element for bool {
    fn dtype() -> DType {
        DType::bool()
    }
    fn cast_slice(bytes: &[u8]) -> Option<&[Self]> {
        bytemuck::checked::try_cast_slice(bytes).ok()
    }
    fn read(bytes: &[u8], _order: ByteOrder) -> Option<Self> {
        match bytes {
            [b] => Some(*b != 0),
            _ => None,
        }
    }
}

impl Element for half::f16 {
    fn dtype() -> DType {
        DType::native(DTypeKind::Float { bytes: 2 })
    }
    fn cast_slice(bytes: &[u8]) -> Option<&[Self]> {
        bytemuck::try_cast_slice(bytes).ok()
    }
    fn read(bytes: &[u8], order: ByteOrder) -> Option<Self> {
        u16::read(bytes, order).map(half::f16::from_bits)
    }
}

macro_rules! complex_element {
    ($t:ty, $bytes:expr) => {
        impl Element for Complex<$t> {
            fn dtype() -> DType {
                DType::native(DTypeKind::Complex { bytes: $bytes })
            }
            fn cast_slice(bytes: &[u8]) -> Option<&[Self]> {
                bytemuck::try_cast_slice(bytes).ok()
            }
            fn read(bytes: &[u8], order: ByteOrder) -> Option<Self> {
                let half = $bytes / 2;
                let re = <$t>::read(bytes.get(..half)?, order)?;
                let im = <$t>::read(bytes.get(half..)?, order)?;
                Some(Complex::new(re, im))
            }
        }
    };
}
complex_element!(f32, 8);
complex_element!(f64, 16);

/// The number of elements of `shape`, `None` on overflow.
pub fn checked_len(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
}

/// Storage positions (in elements) of the elements of an array, visited in logical C order.
pub(crate) fn c_order_positions(shape: &[usize], fortran: bool) -> Box<dyn Iterator<Item = usize>> {
    let n = checked_len(shape).unwrap_or(0);
    if !fortran || shape.len() <= 1 || n == 0 {
        return Box::new(0..n);
    }
    // Fortran strides: the first axis varies fastest in storage.
    let mut strides = Vec::with_capacity(shape.len());
    let mut acc = 1usize;
    for &d in shape {
        strides.push(acc);
        acc = acc.saturating_mul(d);
    }
    let shape = shape.to_vec();
    let mut idx = vec![0usize; shape.len()];
    let mut remaining = n;
    Box::new(std::iter::from_fn(move || {
        if remaining == 0 {
            return None;
        }
        remaining -= 1;
        let pos = idx.iter().zip(&strides).map(|(i, s)| i * s).sum();
        for axis in (0..shape.len()).rev() {
            if let (Some(i), Some(&d)) = (idx.get_mut(axis), shape.get(axis)) {
                *i += 1;
                if *i < d {
                    break;
                }
                *i = 0;
            }
        }
        Some(pos)
    }))
}

/// One element of a numeric or bool dtype as `f64`.
pub(crate) fn element_f64(dtype: &DType, b: &[u8]) -> Option<f64> {
    let o = dtype.byte_order;
    Some(match dtype.kind {
        DTypeKind::Bool => f64::from(u8::from(bool::read(b, o)?)),
        DTypeKind::Int { bytes: 1 } => f64::from(i8::read(b, o)?),
        DTypeKind::Int { bytes: 2 } => f64::from(i16::read(b, o)?),
        DTypeKind::Int { bytes: 4 } => f64::from(i32::read(b, o)?),
        DTypeKind::Int { bytes: 8 } => i64::read(b, o)? as f64,
        DTypeKind::UInt { bytes: 1 } => f64::from(u8::read(b, o)?),
        DTypeKind::UInt { bytes: 2 } => f64::from(u16::read(b, o)?),
        DTypeKind::UInt { bytes: 4 } => f64::from(u32::read(b, o)?),
        DTypeKind::UInt { bytes: 8 } => u64::read(b, o)? as f64,
        DTypeKind::Float { bytes: 2 } => f64::from(half::f16::read(b, o)?),
        DTypeKind::Float { bytes: 4 } => f64::from(f32::read(b, o)?),
        DTypeKind::Float { bytes: 8 } => f64::read(b, o)?,
        _ => return None,
    })
}

/// One element of an integer, bool or datetime dtype as `i64` (`None` for a `u64` above `i64::MAX`).
pub(crate) fn element_i64(dtype: &DType, b: &[u8]) -> Option<i64> {
    let o = dtype.byte_order;
    Some(match dtype.kind {
        DTypeKind::Bool => i64::from(bool::read(b, o)?),
        DTypeKind::Int { bytes: 1 } => i64::from(i8::read(b, o)?),
        DTypeKind::Int { bytes: 2 } => i64::from(i16::read(b, o)?),
        DTypeKind::Int { bytes: 4 } => i64::from(i32::read(b, o)?),
        DTypeKind::Int { bytes: 8 } | DTypeKind::DateTime64(_) | DTypeKind::TimeDelta64(_) => {
            i64::read(b, o)?
        }
        DTypeKind::UInt { bytes: 1 } => i64::from(u8::read(b, o)?),
        DTypeKind::UInt { bytes: 2 } => i64::from(u16::read(b, o)?),
        DTypeKind::UInt { bytes: 4 } => i64::from(u32::read(b, o)?),
        DTypeKind::UInt { bytes: 8 } => i64::try_from(u64::read(b, o)?).ok()?,
        _ => return None,
    })
}

/// A `U` element: UCS-4 code points in `order`, trailing NULs stripped.
pub(crate) fn element_unicode(b: &[u8], order: ByteOrder) -> String {
    let mut cps: Vec<u32> = b
        .chunks_exact(4)
        .filter_map(|c| u32::read(c, order))
        .collect();
    while cps.last() == Some(&0) {
        cps.pop();
    }
    match PyStr::from_code_points(cps.iter().copied()) {
        Some(s) => s.to_string_lossy(),
        None => cps
            .iter()
            .map(|&c| char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    }
}

/// An `S` element: the bytes with trailing NULs stripped.
pub(crate) fn element_bytes(b: &[u8]) -> Vec<u8> {
    let end = b.iter().rposition(|&c| c != 0).map_or(0, |p| p + 1);
    b.get(..end).unwrap_or(&[]).to_vec()
}

impl NdArray {
    /// An array from its parts, after checking that the data matches dtype and shape.
    pub fn new(
        dtype: DType,
        shape: Vec<usize>,
        fortran_order: bool,
        data: ArrayData,
    ) -> Result<NdArray> {
        let a = NdArray {
            dtype,
            shape,
            fortran_order,
            data,
        };
        a.validate()?;
        Ok(a)
    }

    /// Checks that the data holds exactly shape × itemsize bytes (or one object per element),
    /// with checked arithmetic.
    pub fn validate(&self) -> Result<()> {
        let itemsize = self
            .dtype
            .checked_itemsize()
            .ok_or_else(|| NumpyError::InvalidDType("item size overflows".into()))?;
        let count = checked_len(&self.shape).ok_or_else(|| NumpyError::Overflow {
            shape: self.shape.clone(),
            itemsize,
        })?;
        match &self.data {
            ArrayData::Raw(bytes) => {
                if self.dtype.has_object() {
                    return Err(NumpyError::ObjectArray(format!(
                        "dtype {} holds objects but the data is raw bytes",
                        self.dtype
                    )));
                }
                let expected = count
                    .checked_mul(itemsize)
                    .ok_or_else(|| NumpyError::Overflow {
                        shape: self.shape.clone(),
                        itemsize,
                    })?;
                if bytes.len() != expected {
                    return Err(NumpyError::SizeMismatch {
                        shape: self.shape.clone(),
                        itemsize,
                        expected,
                        actual: bytes.len(),
                    });
                }
            }
            ArrayData::Objects(ids) => {
                if !self.dtype.has_object() {
                    return Err(NumpyError::ObjectArray(format!(
                        "dtype {} has no objects but the data is a list of objects",
                        self.dtype
                    )));
                }
                if ids.len() != count {
                    return Err(NumpyError::CountMismatch {
                        shape: self.shape.clone(),
                        expected: count,
                        actual: ids.len(),
                    });
                }
            }
        }
        Ok(())
    }

    /// The number of elements (`1` for a 0-d array).
    pub fn len(&self) -> usize {
        checked_len(&self.shape).unwrap_or(usize::MAX)
    }

    /// `true` if the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// The raw bytes, for non-object arrays.
    pub fn raw(&self) -> Option<&Bytes> {
        match &self.data {
            ArrayData::Raw(b) => Some(b),
            ArrayData::Objects(_) => None,
        }
    }

    /// The element ids, for object arrays.
    pub fn objects(&self) -> Option<&[NodeId]> {
        match &self.data {
            ArrayData::Objects(ids) => Some(ids),
            ArrayData::Raw(_) => None,
        }
    }

    fn raw_checked(&self) -> Result<&Bytes> {
        self.validate()?;
        self.raw().ok_or_else(|| {
            NumpyError::ObjectArray("object array: the elements are pickled values".into())
        })
    }

    /// The raw bytes of each element, in logical C order (whatever the storage order).
    pub fn element_bytes_c_order(&self) -> Result<impl Iterator<Item = &[u8]> + '_> {
        let bytes = self.raw_checked()?;
        let itemsize = self.dtype.itemsize();
        Ok(
            c_order_positions(&self.shape, self.fortran_order).filter_map(move |p| {
                let start = p.checked_mul(itemsize)?;
                bytes.get(start..start.checked_add(itemsize)?)
            }),
        )
    }

    /// The element ids of an object array, in logical C order.
    pub fn objects_c_order(&self) -> Result<Vec<NodeId>> {
        self.validate()?;
        let ids = self.objects().ok_or_else(|| {
            NumpyError::ObjectArray(format!("dtype {} is not an object dtype", self.dtype))
        })?;
        Ok(c_order_positions(&self.shape, self.fortran_order)
            .filter_map(|p| ids.get(p).copied())
            .collect())
    }

    fn dim(&self) -> IxDyn {
        IxDyn(&self.shape)
    }

    fn type_mismatch(&self, requested: &str) -> NumpyError {
        NumpyError::TypeMismatch {
            dtype: self.dtype.descr(),
            requested: requested.to_string(),
        }
    }

    /// A zero-copy `ndarray` view, when the dtype is `T` in native byte order and the data is
    /// aligned for `T`; otherwise an error (use [`NdArray::to_array`]).
    pub fn view<T: Element>(&self) -> Result<ArrayViewD<'_, T>> {
        if !T::accepts(&self.dtype.kind) || self.dtype.itemsize() != std::mem::size_of::<T>() {
            return Err(self.type_mismatch(&T::dtype().descr()));
        }
        let bytes = self.raw_checked()?;
        if !self.dtype.is_native() {
            return Err(NumpyError::NotViewable(format!(
                "byte order of {} is not native",
                self.dtype
            )));
        }
        let slice = T::cast_slice(bytes).ok_or_else(|| {
            NumpyError::NotViewable(format!(
                "data is not aligned for {} (or holds invalid values)",
                T::dtype()
            ))
        })?;
        let shape = self.dim().set_f(self.fortran_order);
        ArrayViewD::from_shape(shape, slice)
            .map_err(|e| NumpyError::InvalidState(format!("shape: {e}")))
    }

    /// An owned `ndarray` of `T`, converting byte order; keeps the memory order.
    pub fn to_array<T: Element>(&self) -> Result<ArrayD<T>> {
        if !T::accepts(&self.dtype.kind) || self.dtype.itemsize() != std::mem::size_of::<T>() {
            return Err(self.type_mismatch(&T::dtype().descr()));
        }
        let bytes = self.raw_checked()?;
        let size = std::mem::size_of::<T>().max(1);
        let order = self.dtype.byte_order;
        let v: Vec<T> = bytes
            .chunks_exact(size)
            .map(|c| T::read(c, order))
            .collect::<Option<_>>()
            .ok_or_else(|| self.type_mismatch(&T::dtype().descr()))?;
        self.shaped(v)
    }

    fn shaped<T>(&self, v: Vec<T>) -> Result<ArrayD<T>> {
        ArrayD::from_shape_vec(self.dim().set_f(self.fortran_order), v)
            .map_err(|e| NumpyError::InvalidState(format!("shape: {e}")))
    }

    /// The array as `f64`, from any bool, integer or float (`f2`/`f4`/`f8`) dtype in any byte order.
    pub fn to_f64(&self) -> Result<ArrayD<f64>> {
        let bytes = self.raw_checked()?;
        let itemsize = self.dtype.itemsize().max(1);
        let v: Vec<f64> = bytes
            .chunks_exact(itemsize)
            .map(|c| element_f64(&self.dtype, c))
            .collect::<Option<_>>()
            .ok_or_else(|| self.type_mismatch("float64"))?;
        self.shaped(v)
    }

    /// The array as `i64`, from any bool, integer or datetime/timedelta dtype (a `u64` above
    /// `i64::MAX` is an error).
    pub fn to_i64(&self) -> Result<ArrayD<i64>> {
        let bytes = self.raw_checked()?;
        let itemsize = self.dtype.itemsize().max(1);
        let v: Vec<i64> = bytes
            .chunks_exact(itemsize)
            .map(|c| element_i64(&self.dtype, c))
            .collect::<Option<_>>()
            .ok_or_else(|| self.type_mismatch("int64"))?;
        self.shaped(v)
    }

    /// The elements in logical C order as plain values: numbers and bools of numeric arrays, text of
    /// `U` arrays, bytes of `S` arrays, and the `int`/`float`/`str`/`bytes`/`bool`/numpy-scalar
    /// elements of object arrays (looked up in `graph`).
    pub fn labels(&self, graph: &Graph) -> Result<Vec<Label>> {
        if let ArrayData::Objects(_) = self.data {
            return self
                .objects_c_order()?
                .into_iter()
                .map(|id| object_label(graph, id))
                .collect();
        }
        let o = self.dtype.byte_order;
        let mut out = Vec::new();
        for b in self.element_bytes_c_order()? {
            let label = match &self.dtype.kind {
                DTypeKind::Bool => Label::Bool(b.first().is_some_and(|&x| x != 0)),
                DTypeKind::Int { .. } | DTypeKind::UInt { .. } => match element_i64(&self.dtype, b)
                {
                    Some(i) => Label::Int(i),
                    None => Label::Float(element_f64(&self.dtype, b).unwrap_or(f64::NAN)),
                },
                DTypeKind::Float { .. } => Label::Float(
                    element_f64(&self.dtype, b).ok_or_else(|| self.type_mismatch("label"))?,
                ),
                DTypeKind::Unicode(_) => Label::Str(element_unicode(b, o)),
                DTypeKind::Bytes(_) => Label::Bytes(element_bytes(b)),
                _ => return Err(self.type_mismatch("label (number, bool, str or bytes)")),
            };
            out.push(label);
        }
        Ok(out)
    }

    /// The elements of a `U`, `S` (decoded as Latin-1) or object-of-`str` array as strings, in
    /// logical C order.
    pub fn to_strings(&self, graph: &Graph) -> Result<Vec<String>> {
        self.labels(graph)?
            .into_iter()
            .map(|l| match l {
                Label::Str(s) => Ok(s),
                Label::Bytes(b) => Ok(b.iter().map(|&c| char::from(c)).collect()),
                other => Err(NumpyError::TypeMismatch {
                    dtype: self.dtype.descr(),
                    requested: format!("str (found {other:?})"),
                }),
            })
            .collect()
    }

    /// One field of a structured array, as an array of that field's dtype (copied out of the
    /// records). Sub-array fields become trailing dimensions.
    pub fn field(&self, name: &str) -> Result<NdArray> {
        let DTypeKind::Structured { fields, .. } = &self.dtype.kind else {
            return Err(self.type_mismatch(&format!("structured dtype with field {name:?}")));
        };
        let f = fields
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| self.type_mismatch(&format!("field {name:?}")))?;
        let bytes = self.raw_checked()?;
        let itemsize = self.dtype.itemsize().max(1);
        let fsize = f.dtype.itemsize();
        let mut out = Vec::with_capacity(bytes.len() / itemsize * fsize);
        for rec in bytes.chunks_exact(itemsize) {
            let end = f.offset.checked_add(fsize);
            let part = end
                .and_then(|e| rec.get(f.offset..e))
                .ok_or_else(|| NumpyError::InvalidDType(format!("field {name:?} out of bounds")))?;
            out.extend_from_slice(part);
        }
        let (dtype, shape) = match &f.dtype.kind {
            DTypeKind::SubArray { base, shape } if !self.fortran_order => {
                let mut s = self.shape.clone();
                s.extend_from_slice(shape);
                ((**base).clone(), s)
            }
            _ => (f.dtype.clone(), self.shape.clone()),
        };
        NdArray::new(dtype, shape, self.fortran_order, ArrayData::Raw(out.into()))
    }

    /// The same values in native byte order (a copy when a swap is needed).
    pub fn to_native(&self) -> Result<NdArray> {
        if self.dtype.is_native() {
            return Ok(self.clone());
        }
        let bytes = self.raw_checked()?;
        let mut out = bytes.to_vec();
        let itemsize = self.dtype.itemsize().max(1);
        for rec in out.chunks_exact_mut(itemsize) {
            swap_in_place(&self.dtype, rec, 0);
        }
        NdArray::new(
            native_dtype(&self.dtype),
            self.shape.clone(),
            self.fortran_order,
            ArrayData::Raw(out.into()),
        )
    }

    // --- building ---------------------------------------------------------------------------------

    /// An array from an `ndarray` (any dimensionality and layout), in native byte order. Standard
    /// and Fortran layouts are copied as they are; other layouts are copied in C order.
    pub fn from_array<T, S, D>(a: ndarray::ArrayBase<S, D>) -> NdArray
    where
        T: Element,
        S: ndarray::Data<Elem = T>,
        D: ndarray::Dimension,
    {
        let shape = a.shape().to_vec();
        let (bytes, fortran) = if let Some(s) = a.as_slice() {
            (bytemuck::cast_slice::<T, u8>(s).to_vec(), false)
        } else if let Some(s) = a.t().as_slice() {
            (bytemuck::cast_slice::<T, u8>(s).to_vec(), true)
        } else {
            let v: Vec<T> = a.iter().copied().collect();
            (bytemuck::cast_slice::<T, u8>(&v).to_vec(), false)
        };
        NdArray {
            dtype: T::dtype(),
            shape,
            fortran_order: fortran && a.ndim() > 1,
            data: ArrayData::Raw(bytes.into()),
        }
    }

    /// A C-order array of `shape` from its elements.
    pub fn from_vec<T: Element>(shape: Vec<usize>, data: Vec<T>) -> Result<NdArray> {
        NdArray::new(
            T::dtype(),
            shape,
            false,
            ArrayData::Raw(bytemuck::cast_slice::<T, u8>(&data).to_vec().into()),
        )
    }

    /// A C-order `float64` array of `shape`.
    pub fn from_f64(shape: Vec<usize>, data: Vec<f64>) -> Result<NdArray> {
        NdArray::from_vec(shape, data)
    }

    /// A 1-D `float64` array.
    pub fn from_f64_slice(data: &[f64]) -> NdArray {
        NdArray::from_array(ndarray::ArrayView1::from(data))
    }

    /// A 1-D `int64` array.
    pub fn from_i64_slice(data: &[i64]) -> NdArray {
        NdArray::from_array(ndarray::ArrayView1::from(data))
    }

    /// A 0-d array (what a numpy scalar reads as).
    pub fn scalar<T: Element>(v: T) -> NdArray {
        NdArray {
            dtype: T::dtype(),
            shape: Vec::new(),
            fortran_order: false,
            data: ArrayData::Raw(bytemuck::bytes_of(&v).to_vec().into()),
        }
    }

    /// A 0-d `float64` array (`np.float64(v)`).
    pub fn scalar_f64(v: f64) -> NdArray {
        NdArray::scalar(v)
    }

    /// A 0-d `int64` array (`np.int64(v)`).
    pub fn scalar_i64(v: i64) -> NdArray {
        NdArray::scalar(v)
    }

    /// A 1-D `<U{n}` array of strings, `n` being the longest in code points (at least 1), as
    /// `np.array(strings)` makes it.
    pub fn from_strings<S: AsRef<str>>(items: &[S]) -> NdArray {
        let n = items
            .iter()
            .map(|s| s.as_ref().chars().count())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut out = Vec::with_capacity(items.len().saturating_mul(n).saturating_mul(4));
        for s in items {
            let mut count = 0;
            for c in s.as_ref().chars() {
                out.extend_from_slice(&(c as u32).to_ne_bytes());
                count += 1;
            }
            out.resize(out.len() + (n - count) * 4, 0);
        }
        NdArray {
            dtype: DType::unicode(n),
            shape: vec![items.len()],
            fortran_order: false,
            data: ArrayData::Raw(out.into()),
        }
    }

    /// An object array of `shape` whose elements are nodes (in C order) of the graph it will be
    /// written to.
    pub fn from_objects(shape: Vec<usize>, ids: Vec<NodeId>) -> Result<NdArray> {
        NdArray::new(DType::object(), shape, false, ArrayData::Objects(ids))
    }

    /// `datetime64`/`timedelta64` arrays: the unit, if the dtype is one.
    pub fn time_unit(&self) -> Option<TimeUnit> {
        match self.dtype.kind {
            DTypeKind::DateTime64(u) | DTypeKind::TimeDelta64(u) => Some(u),
            _ => None,
        }
    }
}

/// The label of one element of an object array.
fn object_label(graph: &Graph, id: NodeId) -> Result<Label> {
    let v = graph.value(id);
    Ok(match v.node() {
        Node::Bool(b) => Label::Bool(*b),
        Node::Int(i) => Label::Int(*i),
        Node::BigInt(_) => Label::Float(v.as_f64().unwrap_or(f64::NAN)),
        Node::Float(f) => Label::Float(*f),
        Node::Str(s) => Label::Str(graph.text(*s).to_string_lossy()),
        Node::Bytes(b) => Label::Bytes(b.to_vec()),
        Node::Object(_) if crate::pickle::is_array(graph, id) => {
            let a = crate::pickle::array_from_node(graph, id)?;
            if a.len() != 1 || a.dtype.has_object() {
                return Err(NumpyError::TypeMismatch {
                    dtype: a.dtype.descr(),
                    requested: "a scalar label".into(),
                });
            }
            a.labels(graph)?
                .into_iter()
                .next()
                .ok_or_else(|| NumpyError::InvalidState("empty scalar".into()))?
        }
        other => {
            return Err(NumpyError::TypeMismatch {
                dtype: "|O".into(),
                requested: format!("a label, found a {}", other.type_name()),
            })
        }
    })
}

fn native_dtype(d: &DType) -> DType {
    match &d.kind {
        DTypeKind::Structured {
            fields,
            itemsize,
            aligned,
        } => DType::new(
            DTypeKind::Structured {
                fields: fields
                    .iter()
                    .map(|f| crate::dtype::Field {
                        name: f.name.clone(),
                        dtype: native_dtype(&f.dtype),
                        offset: f.offset,
                    })
                    .collect(),
                itemsize: *itemsize,
                aligned: *aligned,
            },
            ByteOrder::NotApplicable,
        ),
        DTypeKind::SubArray { base, shape } => DType::new(
            DTypeKind::SubArray {
                base: Box::new(native_dtype(base)),
                shape: shape.clone(),
            },
            ByteOrder::NotApplicable,
        ),
        _ => d.with_byte_order(ByteOrder::NATIVE),
    }
}

/// Swaps the bytes of one item of `d` in place (fields recursively), if not native.
fn swap_in_place(d: &DType, rec: &mut [u8], depth: usize) {
    if depth > 64 {
        return;
    }
    match &d.kind {
        DTypeKind::Structured { fields, .. } => {
            for f in fields {
                let size = f.dtype.itemsize();
                if let Some(part) = f
                    .offset
                    .checked_add(size)
                    .and_then(|e| rec.get_mut(f.offset..e))
                {
                    swap_in_place(&f.dtype, part, depth + 1);
                }
            }
        }
        DTypeKind::SubArray { base, .. } => {
            let size = base.itemsize().max(1);
            for part in rec.chunks_exact_mut(size) {
                swap_in_place(base, part, depth + 1);
            }
        }
        _ if d.byte_order.is_native() => {}
        DTypeKind::Complex { bytes } => {
            for part in rec.chunks_exact_mut((*bytes / 2).max(1)) {
                part.reverse();
            }
        }
        DTypeKind::Unicode(_) => {
            for part in rec.chunks_exact_mut(4) {
                part.reverse();
            }
        }
        _ => rec.reverse(),
    }
}

//! Errors: values that name what disagrees.

/// Everything that can go wrong interpreting, converting, reading or writing numpy data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NumpyError {
    /// The node is not one of the numpy pickle forms this crate knows.
    #[error("not a numpy array: {0}")]
    NotAnArray(String),
    /// A dtype code or descr string that numpy would not accept (or that Brine does not support).
    #[error("unknown dtype code {0:?}")]
    UnknownDType(String),
    /// A pickled dtype whose state is malformed.
    #[error("invalid dtype: {0}")]
    InvalidDType(String),
    /// The `BUILD` state or the call arguments of an array do not have numpy's form.
    #[error("invalid array state: {0}")]
    InvalidState(String),
    /// The data holds a different number of bytes than shape × itemsize.
    #[error(
        "data size mismatch: shape {shape:?} x itemsize {itemsize} = {expected} bytes, but the data has {actual} bytes"
    )]
    SizeMismatch {
        /// The declared shape.
        shape: Vec<usize>,
        /// The dtype's item size.
        itemsize: usize,
        /// shape × itemsize.
        expected: usize,
        /// The bytes present.
        actual: usize,
    },
    /// An object array whose element count differs from the product of its shape.
    #[error("element count mismatch: shape {shape:?} has {expected} elements, but the data has {actual}")]
    CountMismatch {
        /// The declared shape.
        shape: Vec<usize>,
        /// The product of the shape.
        expected: usize,
        /// The elements present.
        actual: usize,
    },
    /// shape × itemsize does not fit in `usize`.
    #[error("array size overflows: shape {shape:?} x itemsize {itemsize}")]
    Overflow {
        /// The declared shape.
        shape: Vec<usize>,
        /// The dtype's item size.
        itemsize: usize,
    },
    /// A typed access asked for an element type the dtype does not hold.
    #[error("type mismatch: the array has dtype {dtype}, but {requested} was requested")]
    TypeMismatch {
        /// The array's dtype (`dtype.str`).
        dtype: String,
        /// What was asked for.
        requested: String,
    },
    /// A zero-copy view is impossible (non-native byte order, misaligned data, object array...).
    #[error("cannot view without copying: {0}")]
    NotViewable(String),
    /// An operation that needs raw data was given an object array (or the reverse).
    #[error("{0}")]
    ObjectArray(String),
    /// A protocol 5 out-of-band buffer whose data was not supplied to the reader.
    #[error("out-of-band buffer {0} was not supplied")]
    MissingBuffer(usize),
    /// A malformed `.npy` file.
    #[error("invalid .npy data: {0}")]
    Npy(String),
    /// A malformed `.npz` archive.
    #[error("invalid .npz archive: {0}")]
    Npz(String),
    /// Something numpy has that Brine does not handle.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// Reading or writing failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The pickle layer failed (object arrays in `.npy` files).
    #[error(transparent)]
    Pickle(#[from] brine_pickle::Error),
}

/// `Result` with [`NumpyError`].
pub type Result<T, E = NumpyError> = std::result::Result<T, E>;

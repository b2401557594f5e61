//! Errors: one enum for everything that can go wrong reading or writing a joblib file.

use std::path::PathBuf;

/// What went wrong reading or writing a joblib file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JoblibError {
    /// Opening, reading or writing a file failed.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Reading or writing a stream failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The compressed stream is corrupt.
    #[error("corrupt {format} stream: {message}")]
    Corrupt {
        /// The compressor (`"zlib"`, `"gzip"`, ...).
        format: &'static str,
        /// What the decompressor said.
        message: String,
    },
    /// The compressed stream ends before its end marker.
    #[error("truncated {format} stream: the data ends after {decompressed} decompressed bytes")]
    Truncated {
        /// The compressor.
        format: &'static str,
        /// How many bytes were decompressed before the input ran out.
        decompressed: u64,
    },
    /// Decompressing would produce more than the configured maximum (a decompression bomb, or a
    /// file larger than [`crate::LoadOptions::max_decompressed`] allows).
    #[error(
        "{format} stream decompresses to more than {limit} bytes \
         (possible decompression bomb; raise LoadOptions::max_decompressed to allow it)"
    )]
    TooLarge {
        /// The compressor.
        format: &'static str,
        /// The limit that was reached.
        limit: u64,
    },
    /// The pickle inside the file is malformed.
    #[error("pickle: {0}")]
    Pickle(#[from] brine_pickle::Error),
    /// A numpy array (`.npy`/`.npz` input, an array in the graph being written) is malformed.
    #[error("numpy: {0}")]
    Numpy(#[from] brine_numpy::NumpyError),
    /// A `NumpyArrayWrapper`, `NDArrayWrapper` or `ZNDArrayWrapper` that does not describe a valid
    /// array, or whose data does not match it.
    #[error("invalid array wrapper: {0}")]
    Wrapper(String),
    /// A joblib < 0.10 file that cannot be read (bad Z-file header, missing companion file...).
    #[error("legacy joblib file: {0}")]
    Legacy(String),
    /// A `compress` argument that joblib would not accept either.
    #[error("invalid compression {0:?}: expected 0-9, true/false, or METHOD[:LEVEL] with METHOD one of zlib, gzip, bz2, lzma, xz, lz4 and LEVEL 0-9")]
    InvalidCompression(String),
    /// The input is not something this function reads (e.g. an `.npz` given to [`crate::load()`]).
    #[error("{0}")]
    Unsupported(String),
}

/// `Result` with [`JoblibError`].
pub type Result<T, E = JoblibError> = std::result::Result<T, E>;

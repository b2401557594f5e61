//! # brine-joblib
//!
//! joblib files without Python: every compressor joblib writes (zlib, gzip, bz2, lzma, xz, lz4),
//! detected by content; inline `NumpyArrayWrapper` arrays with joblib's alignment padding; object
//! arrays as nested pickles; uncompressed files memory-mapped so arrays are zero-copy views; the
//! joblib < 0.10 multi-file and Z-file formats; and writing files `joblib.load` accepts.
//!
//! Arrays come back in numpy's own pickle form (`_reconstruct` + `BUILD`), whatever the file held,
//! so [`brine_numpy::array_from_node`] reads them from any source.
//!
//! ```no_run
//! use brine_joblib::{load, dump, LoadOptions, DumpOptions, Compression};
//! let loaded = load("model.joblib", &LoadOptions { mmap: true, ..LoadOptions::default() })?;
//! println!("{} file, {} arrays", loaded.format, loaded.arrays);
//! let options = DumpOptions { compress: Compression::parse("zlib:3")?, ..DumpOptions::default() };
//! dump(&loaded.graph, "copy.joblib", &options)?;
//! # Ok::<(), brine_joblib::JoblibError>(())
//! ```
#![warn(missing_docs)]

pub mod compress;
mod dump;
pub mod error;
mod graph;
mod inline;
mod legacy;
mod load;
mod mmap;

pub use compress::{
    compress_bytes, decompress, detect, Compression, Format, Method, ProgressFn, MAGIC_LEN,
};
pub use dump::{dump, dump_to_writer, to_vec, DumpOptions};
pub use error::{JoblibError, Result};
pub use legacy::write_zfile;
pub use load::{
    load, load_bytes, open_any, open_bytes, LoadOptions, Loaded, Opened, DEFAULT_MAX_DECOMPRESSED,
};

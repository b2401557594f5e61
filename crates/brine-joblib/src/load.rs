//! Loading: detect the container, decompress (bounded) or memory-map, then read the pickle with the
//! joblib hook.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use brine_pickle::{Graph, ReadOptions, Reader};
use bytes::Bytes;

use crate::compress::{
    decompress_with_hint, detect, CountingReader, Format, ProgressFn, MAGIC_LEN,
};
use crate::error::{JoblibError, Result};
use crate::inline::JoblibHook;

/// The default bound on decompressed data: 16 GiB.
pub const DEFAULT_MAX_DECOMPRESSED: u64 = 16 << 30;

/// Options for [`load`], [`load_bytes`] and [`open_any`].
#[derive(Clone)]
pub struct LoadOptions {
    /// Memory-map uncompressed files (and legacy `.npy` companions), so array data is a zero-copy
    /// view of the file, like `joblib.load(..., mmap_mode="r")`. Ignored for compressed files, as
    /// joblib does. Arrays of a mapped file stay valid after the file handle is closed; the file
    /// must not be modified or truncated while they are alive.
    pub mmap: bool,
    /// The most bytes decompression may produce (default [`DEFAULT_MAX_DECOMPRESSED`]); more is
    /// [`JoblibError::TooLarge`]. Memory use is bounded by it, whatever a stream declares.
    pub max_decompressed: u64,
    /// Options of the pickle reader (Python 2 `str` decoding, resource limits...).
    pub read: ReadOptions,
    /// Called with (bytes read, total) while the file is read or decompressed.
    pub progress: Option<ProgressFn>,
    /// Swap arrays stored in the other byte order to the host's, as `joblib.load`'s
    /// `ensure_native_byte_order` does. `None` (the default) is joblib's `'auto'`: on unless
    /// [`LoadOptions::mmap`] is set (a mapped array is a view of the file and keeps its byte order).
    pub ensure_native_byte_order: Option<bool>,
}

impl Default for LoadOptions {
    fn default() -> LoadOptions {
        LoadOptions {
            mmap: false,
            max_decompressed: DEFAULT_MAX_DECOMPRESSED,
            read: ReadOptions::default(),
            progress: None,
            ensure_native_byte_order: None,
        }
    }
}

impl fmt::Debug for LoadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadOptions")
            .field("mmap", &self.mmap)
            .field("max_decompressed", &self.max_decompressed)
            .field("read", &self.read)
            .field("progress", &self.progress.is_some())
            .field("ensure_native_byte_order", &self.ensure_native_byte_order)
            .finish()
    }
}

/// A loaded file.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The value. Arrays are in numpy's pickle form (read them with
    /// [`brine_numpy::array_from_node`]).
    pub graph: Graph,
    /// The container, as detected from the content.
    pub format: Format,
    /// `true` if the file was memory-mapped (array data are views of [`Loaded::buffer`]).
    pub mapped: bool,
    /// The (decompressed or mapped) bytes the pickle was read from; array data are slices of it.
    pub buffer: Bytes,
    /// The number of joblib array wrappers replaced by arrays.
    pub arrays: usize,
    /// Companion files read (the joblib < 0.10 multi-file format).
    pub companions: Vec<PathBuf>,
}

/// What [`open_any`] returns: a graph from a pickle, joblib, `.npy` or `.npz` file.
pub type Opened = Loaded;

fn file_err(path: &Path) -> impl FnOnce(std::io::Error) -> JoblibError + '_ {
    move |source| JoblibError::File {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads up to [`MAGIC_LEN`] bytes from the start of the file, leaving the handle at 0.
fn read_prefix(file: &mut File) -> std::io::Result<Vec<u8>> {
    use std::io::{Seek, SeekFrom};
    let mut prefix = Vec::with_capacity(MAGIC_LEN);
    file.by_ref()
        .take(MAGIC_LEN as u64)
        .read_to_end(&mut prefix)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(prefix)
}

/// Reads a whole file into memory, reporting progress.
fn read_all(file: &mut File, len: u64, progress: Option<ProgressFn>) -> std::io::Result<Bytes> {
    if let Ok(n) = usize::try_from(len) {
        if n > 0 {
            // A regular file of known size: one exact read into (huge-page backed) memory.
            let reader = CountingReader::new(file.by_ref().take(len), Some(len), progress);
            return crate::mmap::read_exact_buffer(reader, n);
        }
    }
    // Size unknown (a pipe or a special file): read to the end.
    let mut data = Vec::new();
    // The length is a hint only: never reserve beyond what the file really holds.
    data.try_reserve(usize::try_from(len).unwrap_or(0)).ok();
    CountingReader::new(file, Some(len), progress).read_to_end(&mut data)?;
    Ok(Bytes::from(data))
}

/// Loads a joblib file (any compressor, any joblib version, or a plain pickle), as `joblib.load`
/// does, without executing anything.
///
/// The compressor is detected from the content, never the file name. Uncompressed files are
/// memory-mapped when [`LoadOptions::mmap`] is set. The joblib < 0.10 multi-file format reads its
/// companion files from the same folder.
///
/// ```no_run
/// let loaded = brine_joblib::load("model.joblib", &Default::default())?;
/// let root = loaded.graph.root_ref().unwrap();
/// println!("{:?}", root.class());
/// # Ok::<(), brine_joblib::JoblibError>(())
/// ```
pub fn load(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Loaded> {
    let path = path.as_ref();
    let (file, len, format) = open_file(path)?;
    load_file(path, file, len, format, options)
}

/// Opens `path`: the handle (at offset 0), the file's length and its detected format.
fn open_file(path: &Path) -> Result<(File, u64, Format)> {
    let mut file = File::open(path).map_err(file_err(path))?;
    let len = file.metadata().map_err(file_err(path))?.len();
    let prefix = read_prefix(&mut file).map_err(file_err(path))?;
    Ok((file, len, detect(&prefix)))
}

/// [`load`] of a file [`open_file`] opened.
fn load_file(
    path: &Path,
    mut file: File,
    len: u64,
    format: Format,
    options: &LoadOptions,
) -> Result<Loaded> {
    let dir = Some(
        path.parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(".")),
    );
    let (buffer, mapped) = match format {
        Format::Npy | Format::Npz => {
            return Err(JoblibError::Unsupported(format!(
                "{} is a numpy .{} file, not a joblib file (open_any reads both)",
                path.display(),
                format.name()
            )))
        }
        Format::Pickle if options.mmap => {
            (crate::mmap::map_file(&file).map_err(file_err(path))?, true)
        }
        Format::Pickle => (
            read_all(&mut file, len, options.progress.clone()).map_err(file_err(path))?,
            false,
        ),
        Format::LegacyZfile => {
            let data =
                read_all(&mut file, len, options.progress.clone()).map_err(file_err(path))?;
            (
                crate::legacy::read_zfile(&data, options.max_decompressed)?,
                false,
            )
        }
        _ => {
            let input = CountingReader::new(&mut file, Some(len), options.progress.clone());
            let data = decompress_with_hint(input, format, options.max_decompressed, len)?;
            (data, false)
        }
    };
    parse(buffer, format, mapped, dir, options)
}

/// Loads a joblib file held in memory. Uncompressed data is read in place: array data are
/// zero-copy slices of `data`. The multi-file joblib < 0.10 format needs [`load`] (it reads files
/// next to the main one).
///
/// ```
/// use brine_joblib::{load_bytes, Format};
/// // pickle.dumps(42, protocol=2), zlib-compressed as joblib.dump(42, f, compress=3) writes it.
/// let packed = brine_joblib::compress_bytes(b"\x80\x02K*.", brine_joblib::Method::Zlib, 3).unwrap();
/// let loaded = load_bytes(packed.into(), &Default::default()).unwrap();
/// assert_eq!(loaded.format, Format::Zlib);
/// assert_eq!(loaded.graph.root_ref().unwrap().as_i64(), Some(42));
/// ```
pub fn load_bytes(data: Bytes, options: &LoadOptions) -> Result<Loaded> {
    let format = detect(data.get(..MAGIC_LEN.min(data.len())).unwrap_or(&[]));
    let buffer = match format {
        Format::Npy | Format::Npz => {
            return Err(JoblibError::Unsupported(format!(
                "the data is a numpy .{} file, not a joblib file",
                format.name()
            )))
        }
        Format::Pickle => data,
        Format::LegacyZfile => crate::legacy::read_zfile(&data, options.max_decompressed)?,
        _ => {
            let input =
                CountingReader::new(&data[..], Some(data.len() as u64), options.progress.clone());
            decompress_with_hint(input, format, options.max_decompressed, data.len() as u64)?
        }
    };
    parse(buffer, format, false, None, options)
}

fn parse(
    buffer: Bytes,
    format: Format,
    mapped: bool,
    dir: Option<PathBuf>,
    options: &LoadOptions,
) -> Result<Loaded> {
    let mut hook = JoblibHook::new(dir, options.mmap, options.max_decompressed);
    hook.native = options.ensure_native_byte_order.unwrap_or(!options.mmap);
    let result = Reader::from_bytes(buffer.clone())
        .with_options(options.read.clone())
        .with_hook(&mut hook)
        .read_pickle();
    let graph = match result {
        Ok(graph) => graph,
        Err(err) => {
            return Err(match hook.error.take() {
                Some(detail) => detail,
                None => err.into(),
            })
        }
    };
    Ok(Loaded {
        graph,
        format,
        mapped,
        buffer,
        arrays: hook.arrays,
        companions: hook.companions,
    })
}

/// Opens any file Brine reads: a pickle, a joblib file (any compressor or version), a numpy `.npy`
/// file or an `.npz` archive, told apart by content.
///
/// `.npy` files give a graph whose root is the array; `.npz` archives a dict from member name
/// (without `.npy`) to array, in archive order.
pub fn open_any(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Opened> {
    let path = path.as_ref();
    let (mut file, len, format) = open_file(path)?;
    match format {
        Format::Npy => {
            let (data, mapped) = if options.mmap {
                (crate::mmap::map_file(&file).map_err(file_err(path))?, true)
            } else {
                (
                    read_all(&mut file, len, options.progress.clone()).map_err(file_err(path))?,
                    false,
                )
            };
            let mut loaded = open_numpy(data, format)?;
            loaded.mapped = mapped;
            Ok(loaded)
        }
        Format::Npz => {
            let data =
                read_all(&mut file, len, options.progress.clone()).map_err(file_err(path))?;
            open_numpy(data, format)
        }
        _ => load_file(path, file, len, format, options),
    }
}

/// [`open_any`] for a file held in memory (stdin, a download): a pickle, a joblib file (not the
/// multi-file joblib < 0.10 format, which needs its folder), a `.npy` file or an `.npz` archive,
/// told apart by content. Uncompressed data and `.npy` arrays are zero-copy slices of `data`.
///
/// ```
/// let npy = brine_numpy::npy::to_vec(&brine_numpy::NdArray::from_i64_slice(&[4, 5])).unwrap();
/// let opened = brine_joblib::open_bytes(npy.into(), &Default::default()).unwrap();
/// assert_eq!(opened.format, brine_joblib::Format::Npy);
/// ```
pub fn open_bytes(data: Bytes, options: &LoadOptions) -> Result<Opened> {
    match detect(data.get(..MAGIC_LEN.min(data.len())).unwrap_or(&[])) {
        format @ (Format::Npy | Format::Npz) => open_numpy(data, format),
        _ => load_bytes(data, options),
    }
}

/// A `.npy` file (root: the array) or `.npz` archive (root: a dict name -> array, in archive
/// order) as a graph.
fn open_numpy(data: Bytes, format: Format) -> Result<Opened> {
    let mut graph = Graph::new();
    let arrays = if format == Format::Npy {
        let root = npy_to_node(&mut graph, data.clone())?;
        graph.set_root(root);
        1
    } else {
        let members = brine_numpy::npz::read(&data)?;
        let mut pairs = Vec::with_capacity(members.len());
        for (name, member) in &members {
            let key = graph.str(name);
            let value = member.to_node(&mut graph)?;
            pairs.push((key, value));
        }
        let root = graph.dict(pairs);
        graph.set_root(root);
        members.len()
    };
    Ok(Loaded {
        graph,
        format,
        mapped: false,
        buffer: data,
        arrays,
        companions: Vec::new(),
    })
}

/// Reads one `.npy` file into `graph` (object arrays bring their elements along).
fn npy_to_node(graph: &mut Graph, data: Bytes) -> Result<brine_pickle::NodeId> {
    let (sub, mut array) = brine_numpy::npy::read_pickled_bytes(data)?;
    crate::graph::adopt_objects(&sub, &mut array, graph);
    Ok(array.to_node(graph)?)
}

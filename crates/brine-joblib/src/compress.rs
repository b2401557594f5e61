//! The outer layer of a joblib file: compressor detection by magic bytes, bounded streaming
//! decompression, and compressing writers with joblib's levels.
//!
//! ```
//! use brine_joblib::{detect, Format};
//! assert_eq!(detect(b"\x78\x9c..."), Format::Zlib);
//! assert_eq!(detect(b"\xfd7zXZ\x00"), Format::Xz);
//! assert_eq!(detect(b"\x80\x04\x95"), Format::Pickle);
//! ```

use std::fmt;
use std::io::{self, Read, Write};
use std::path::Path;

use bytes::Bytes;

use crate::error::{JoblibError, Result};
use crate::mmap::GrowBuf;

/// What a file is, as told by its first bytes (joblib's `_detect_compressor`, plus numpy's files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// Not compressed: a pickle stream (joblib's inline arrays, or a plain pickle, or the main file of
    /// the joblib < 0.10 multi-file format).
    Pickle,
    /// A zlib stream (`compress=N`, `('zlib', N)`, `.z`).
    Zlib,
    /// gzip (`('gzip', N)`, `.gz`).
    Gzip,
    /// bzip2 (`('bz2', N)`, `.bz2`).
    Bz2,
    /// The LZMA "alone" format (`('lzma', N)`, `.lzma`).
    Lzma,
    /// xz (`('xz', N)`, `.xz`).
    Xz,
    /// An LZ4 frame (`'lz4'`, `.lz4`).
    Lz4,
    /// The joblib < 0.10 "Z-file": `ZF`, the hex length, then a zlib stream.
    LegacyZfile,
    /// A numpy `.npy` file (magic `\x93NUMPY`).
    Npy,
    /// A numpy `.npz` archive (a zip file).
    Npz,
}

impl Format {
    /// The lower-case name (`"pickle"`, `"zlib"`, ..., `"zfile"`, `"npy"`, `"npz"`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Pickle => "pickle",
            Format::Zlib => "zlib",
            Format::Gzip => "gzip",
            Format::Bz2 => "bz2",
            Format::Lzma => "lzma",
            Format::Xz => "xz",
            Format::Lz4 => "lz4",
            Format::LegacyZfile => "zfile",
            Format::Npy => "npy",
            Format::Npz => "npz",
        }
    }

    /// The compression method, for the six compressed formats.
    pub fn method(self) -> Option<Method> {
        match self {
            Format::Zlib => Some(Method::Zlib),
            Format::Gzip => Some(Method::Gzip),
            Format::Bz2 => Some(Method::Bz2),
            Format::Lzma => Some(Method::Lzma),
            Format::Xz => Some(Method::Xz),
            Format::Lz4 => Some(Method::Lz4),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The number of leading bytes [`detect`] looks at.
pub const MAGIC_LEN: usize = 6;

/// Tells what a file is from its first bytes, in joblib's order (`ZF` first, then zlib, gzip, bz2,
/// lzma, xz, lz4); `.npy` and `.npz` are recognised too; anything else is [`Format::Pickle`].
///
/// Only the content counts, never a file name. Give at least [`MAGIC_LEN`] bytes when the file has
/// them.
pub fn detect(prefix: &[u8]) -> Format {
    if prefix.starts_with(b"ZF") {
        Format::LegacyZfile
    } else if prefix.starts_with(b"\x78") {
        Format::Zlib
    } else if prefix.starts_with(b"\x1f\x8b") {
        Format::Gzip
    } else if prefix.starts_with(b"BZ") {
        Format::Bz2
    } else if prefix.starts_with(b"\x5d\x00") {
        Format::Lzma
    } else if prefix.starts_with(b"\xfd\x37\x7a\x58\x5a") {
        Format::Xz
    } else if prefix.starts_with(b"\x04\x22\x4d\x18") {
        Format::Lz4
    } else if prefix.starts_with(b"\x93NUMPY") {
        Format::Npy
    } else if prefix.starts_with(b"PK\x03\x04") || prefix.starts_with(b"PK\x05\x06") {
        Format::Npz
    } else {
        Format::Pickle
    }
}

/// A compressor joblib writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// zlib (RFC 1950), joblib's default.
    Zlib,
    /// gzip (RFC 1952).
    Gzip,
    /// bzip2.
    Bz2,
    /// LZMA "alone" (`lzma.FORMAT_ALONE`).
    Lzma,
    /// xz (`lzma.FORMAT_XZ`, CRC64 check).
    Xz,
    /// LZ4 frame format (python-lz4's `lz4.frame`).
    Lz4,
}

impl Method {
    /// Every method, in joblib's registration order.
    pub const ALL: [Method; 6] = [
        Method::Zlib,
        Method::Gzip,
        Method::Bz2,
        Method::Lzma,
        Method::Xz,
        Method::Lz4,
    ];

    /// joblib's name for it (`"zlib"`, `"gzip"`, `"bz2"`, `"lzma"`, `"xz"`, `"lz4"`).
    pub fn name(self) -> &'static str {
        self.format().name()
    }

    /// The method named `name` (joblib's names).
    pub fn from_name(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The file extension joblib associates with it (`.z`, `.gz`, `.bz2`, `.lzma`, `.xz`, `.lz4`).
    pub fn extension(self) -> &'static str {
        match self {
            Method::Zlib => ".z",
            Method::Gzip => ".gz",
            Method::Bz2 => ".bz2",
            Method::Lzma => ".lzma",
            Method::Xz => ".xz",
            Method::Lz4 => ".lz4",
        }
    }

    /// The level joblib uses when none is given: 3 for zlib and gzip, 9 for bz2, preset 6 for lzma
    /// and xz, 0 for lz4.
    pub fn default_level(self) -> u32 {
        match self {
            Method::Zlib | Method::Gzip => 3,
            Method::Bz2 => 9,
            Method::Lzma | Method::Xz => 6,
            Method::Lz4 => 0,
        }
    }

    /// The [`Format`] a file compressed this way is detected as.
    pub fn format(self) -> Format {
        match self {
            Method::Zlib => Format::Zlib,
            Method::Gzip => Format::Gzip,
            Method::Bz2 => Format::Bz2,
            Method::Lzma => Format::Lzma,
            Method::Xz => Format::Xz,
            Method::Lz4 => Format::Lz4,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The `compress` argument of `joblib.dump`, with joblib's exact rules.
///
/// * [`Compression::Level`]`(n)` is `compress=n`: `0` writes no compression, `1..=9` zlib at that
///   level; unless the file name ends in a compressor's extension (`.z .gz .bz2 .lzma .xz .lz4`),
///   which then picks the method (at level `n`, or its default level for `0`).
/// * [`Compression::Enabled`] is `compress=True`: zlib (or the extension's method) at its default
///   level.
/// * [`Compression::Method`] is `compress='gzip'` or `compress=('gzip', 6)`: always that method,
///   whatever the file name; level `0` writes no compression.
///
/// ```
/// use brine_joblib::{Compression, Method};
/// let c = Compression::parse("zlib:3").unwrap();
/// assert_eq!(c, Compression::Method(Method::Zlib, Some(3)));
/// assert_eq!(c.resolve(None), Some((Method::Zlib, 3)));
/// assert_eq!(Compression::parse("xz").unwrap().resolve(None), Some((Method::Xz, 6)));
/// assert_eq!(Compression::parse("0").unwrap().resolve(Some("m.joblib".as_ref())), None);
/// assert_eq!(Compression::parse("0").unwrap().resolve(Some("m.pkl.gz".as_ref())), Some((Method::Gzip, 3)));
/// assert!(Compression::parse("zlib:12").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    /// `compress=n` (0 to 9).
    Level(u32),
    /// `compress=True`.
    Enabled,
    /// `compress=method` (level `None`, the method's default) or `compress=(method, level)`.
    Method(Method, Option<u32>),
}

impl Default for Compression {
    /// `compress=0`, joblib's default.
    fn default() -> Compression {
        Compression::Level(0)
    }
}

impl Compression {
    /// No compression (and no extension rule): `compress=('zlib', 0)`.
    pub fn none() -> Compression {
        Compression::Method(Method::Zlib, Some(0))
    }

    /// Parses the command-line form: `0`-`9`, `true`/`false` (also `yes`/`no`, `on`/`off`, `none`),
    /// `METHOD` or `METHOD:LEVEL` (also `METHOD,LEVEL` and `METHOD=LEVEL`).
    pub fn parse(text: &str) -> Result<Compression> {
        let bad = || JoblibError::InvalidCompression(text.to_string());
        let t = text.trim().to_ascii_lowercase();
        let level = |s: &str| -> Result<u32> {
            match s.trim().parse::<u32>() {
                Ok(n) if n <= 9 => Ok(n),
                _ => Err(bad()),
            }
        };
        match t.as_str() {
            "true" | "yes" | "on" => return Ok(Compression::Enabled),
            "false" | "no" | "off" | "none" | "" => return Ok(Compression::Level(0)),
            _ => {}
        }
        if t.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Compression::Level(level(&t)?));
        }
        let (name, lvl) = match t.find([':', ',', '=']) {
            Some(i) => (&t[..i], Some(level(&t[i + 1..])?)),
            None => (t.as_str(), None),
        };
        let method = Method::from_name(name.trim()).ok_or_else(bad)?;
        Ok(Compression::Method(method, lvl))
    }

    /// What joblib would write to `path`: `None` for no compression, else the method and level.
    pub fn resolve(&self, path: Option<&Path>) -> Option<(Method, u32)> {
        let by_extension = || {
            let name = path?.to_str()?;
            // joblib keeps the last registered compressor whose extension matches.
            Method::ALL
                .into_iter()
                .rev()
                .find(|m| name.ends_with(m.extension()))
        };
        match *self {
            // An explicit level 0 means no compression; no level means the method's default
            // (which is 0 for lz4, still compressed).
            Compression::Method(_, Some(0)) => None,
            Compression::Method(method, level) => {
                Some((method, level.unwrap_or_else(|| method.default_level())))
            }
            Compression::Enabled => {
                let method = by_extension().unwrap_or(Method::Zlib);
                Some((method, method.default_level()))
            }
            Compression::Level(level) => match by_extension() {
                Some(method) if level == 0 => Some((method, method.default_level())),
                Some(method) => Some((method, level)),
                None => (level != 0).then_some((Method::Zlib, level)),
            },
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Compression::Level(n) => write!(f, "{n}"),
            Compression::Enabled => f.write_str("true"),
            Compression::Method(m, None) => write!(f, "{m}"),
            Compression::Method(m, Some(n)) => write!(f, "{m}:{n}"),
        }
    }
}

/// Progress callback: bytes done so far, and the total when it is known.
pub type ProgressFn = std::sync::Arc<dyn Fn(u64, Option<u64>) + Send + Sync>;

/// Counts bytes passing through a reader or writer and reports them every MiB.
struct Counter {
    count: u64,
    reported: u64,
    total: Option<u64>,
    progress: Option<ProgressFn>,
}

impl Counter {
    fn new(total: Option<u64>, progress: Option<ProgressFn>) -> Counter {
        Counter {
            count: 0,
            reported: 0,
            total,
            progress,
        }
    }

    /// Adds `n` bytes; reports when a MiB has passed since the last report, or when `now`.
    fn add(&mut self, n: usize, now: bool) {
        self.count = self.count.saturating_add(n as u64);
        if let Some(progress) = &self.progress {
            if now || self.count - self.reported >= 1 << 20 {
                self.reported = self.count;
                progress(self.count, self.total);
            }
        }
    }
}

/// Counts the bytes read through it and reports them.
pub(crate) struct CountingReader<R> {
    inner: R,
    counter: Counter,
}

impl<R: Read> CountingReader<R> {
    pub(crate) fn new(inner: R, total: Option<u64>, progress: Option<ProgressFn>) -> Self {
        CountingReader {
            inner,
            counter: Counter::new(total, progress),
        }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        // The end of the stream is reported at once.
        self.counter.add(n, n == 0);
        Ok(n)
    }
}

/// Counts the bytes written through it and reports them.
pub(crate) struct CountingWriter<W> {
    inner: W,
    counter: Counter,
}

impl<W: Write> CountingWriter<W> {
    pub(crate) fn new(inner: W, total: Option<u64>, progress: Option<ProgressFn>) -> Self {
        CountingWriter {
            inner,
            counter: Counter::new(total, progress),
        }
    }

    /// The inner writer, once the final count is reported.
    pub(crate) fn into_inner(mut self) -> W {
        self.counter.add(0, true);
        self.inner
    }
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.counter.add(n, false);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Decompresses a whole stream of the given format into memory, never producing more than `limit`
/// bytes and never trusting a size the stream declares.
///
/// A stream that ends before its end marker is [`JoblibError::Truncated`]; output beyond `limit`
/// is [`JoblibError::TooLarge`]. Concatenated members/streams (gzip, bz2, xz) are read like Python
/// does.
///
/// ```
/// use brine_joblib::{compress_bytes, decompress, Format, Method};
/// let packed = compress_bytes(b"hello hello hello", Method::Xz, 6).unwrap();
/// assert_eq!(decompress(&packed[..], Format::Xz, 1 << 20).unwrap(), b"hello hello hello");
/// assert!(decompress(&packed[..], Format::Xz, 4).is_err());
/// ```
pub fn decompress<R: Read>(input: R, format: Format, limit: u64) -> Result<Vec<u8>> {
    decompress_into(input, format, limit, 0, GrowBuf::new(false)).map(GrowBuf::into_vec)
}

/// [`decompress`] with a capacity hint (the compressed size), into huge-page backed memory when
/// big; the result is shared, not copied.
pub(crate) fn decompress_with_hint<R: Read>(
    input: R,
    format: Format,
    limit: u64,
    hint: u64,
) -> Result<Bytes> {
    Ok(decompress_into(input, format, limit, hint, GrowBuf::new(true))?.into_bytes()?)
}

/// Decompresses into `out`; the first allocation is sized from `hint` (the compressed size).
fn decompress_into<R: Read>(
    input: R,
    format: Format,
    limit: u64,
    hint: u64,
    mut out: GrowBuf,
) -> Result<GrowBuf> {
    let name = format.name();
    // Start with room for a typical ratio, never more than the limit allows.
    let initial = hint.saturating_mul(4).min(limit).min(1 << 30);
    out.reserve(usize::try_from(initial).unwrap_or(0))
        .map_err(|_| JoblibError::TooLarge {
            format: name,
            limit,
        })?;
    let input = io::BufReader::with_capacity(1 << 16, input);
    match format {
        Format::Zlib | Format::LegacyZfile => {
            inflate(input, flate2::Decompress::new(true), name, limit, &mut out)?
        }
        Format::Gzip => {
            let dec = flate2::bufread::MultiGzDecoder::new(input);
            read_bounded(dec, name, limit, &mut out)?;
        }
        Format::Bz2 => {
            let dec = bzip2::bufread::MultiBzDecoder::new(input);
            read_bounded(dec, name, limit, &mut out)?;
        }
        Format::Lzma => {
            let stream = liblzma::stream::Stream::new_lzma_decoder(u64::MAX)
                .map_err(|e| corrupt(name, e))?;
            let dec = liblzma::bufread::XzDecoder::new_stream(input, stream);
            read_bounded(dec, name, limit, &mut out)?;
        }
        Format::Xz => {
            let stream = liblzma::stream::Stream::new_stream_decoder(
                u64::MAX,
                liblzma::stream::CONCATENATED,
            )
            .map_err(|e| corrupt(name, e))?;
            let dec = liblzma::bufread::XzDecoder::new_stream(input, stream);
            read_bounded(dec, name, limit, &mut out)?;
        }
        Format::Lz4 => {
            let dec = lz4_flex::frame::FrameDecoder::new(input);
            read_bounded(dec, name, limit, &mut out)?;
        }
        Format::Pickle | Format::Npy | Format::Npz => {
            read_bounded(input, name, limit, &mut out)?;
        }
    }
    Ok(out)
}

fn corrupt(format: &'static str, err: impl fmt::Display) -> JoblibError {
    JoblibError::Corrupt {
        format,
        message: err.to_string(),
    }
}

/// Reads `dec` to its end into `out`, failing past `limit` bytes.
fn read_bounded<R: Read>(
    mut dec: R,
    format: &'static str,
    limit: u64,
    out: &mut GrowBuf,
) -> Result<()> {
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let n = match dec.read(&mut chunk) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                return Err(JoblibError::Truncated {
                    format,
                    decompressed: out.len() as u64,
                })
            }
            Err(e) => return Err(corrupt(format, e)),
        };
        push_bounded(out, chunk.get(..n).unwrap_or(&[]), format, limit)?;
    }
}

fn push_bounded(out: &mut GrowBuf, data: &[u8], format: &'static str, limit: u64) -> Result<()> {
    let new_len = (out.len() as u64).saturating_add(data.len() as u64);
    if new_len > limit {
        return Err(JoblibError::TooLarge { format, limit });
    }
    out.extend(data)
        .map_err(|_| JoblibError::TooLarge { format, limit })
}

/// zlib inflate with an explicit end-of-stream check (flate2's readers treat a truncated stream as
/// a clean end). Data after the end of the stream is ignored, as `zlib.decompressobj` does.
fn inflate<R: io::BufRead>(
    mut input: R,
    mut state: flate2::Decompress,
    format: &'static str,
    limit: u64,
    out: &mut GrowBuf,
) -> Result<()> {
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let buf = input.fill_buf()?;
        let eof = buf.is_empty();
        let before_in = state.total_in();
        let before_out = state.total_out();
        let flush = if eof {
            flate2::FlushDecompress::Finish
        } else {
            flate2::FlushDecompress::None
        };
        let status = state
            .decompress(buf, &mut chunk, flush)
            .map_err(|e| corrupt(format, e))?;
        let consumed = usize::try_from(state.total_in() - before_in).unwrap_or(usize::MAX);
        let produced = usize::try_from(state.total_out() - before_out).unwrap_or(0);
        input.consume(consumed);
        push_bounded(out, chunk.get(..produced).unwrap_or(&[]), format, limit)?;
        match status {
            flate2::Status::StreamEnd => return Ok(()),
            _ if eof && produced == 0 => {
                return Err(JoblibError::Truncated {
                    format,
                    decompressed: out.len() as u64,
                })
            }
            flate2::Status::BufError if consumed == 0 && produced == 0 && !eof => {
                return Err(corrupt(format, "decompressor made no progress"))
            }
            _ => {}
        }
    }
}

/// A writer that compresses with one of joblib's methods (or passes bytes through).
pub(crate) enum Encoder<W: Write> {
    Plain(W),
    Zlib(flate2::write::ZlibEncoder<W>),
    Gzip(flate2::write::GzEncoder<W>),
    Bz2(bzip2::write::BzEncoder<W>),
    Lzma(liblzma::write::XzEncoder<W>),
    Lz4(Box<lz4_flex::frame::FrameEncoder<W>>),
}

impl<W: Write> Encoder<W> {
    /// An encoder for `method` at `level` (joblib's meaning of the level), or a plain writer.
    pub(crate) fn new(out: W, method: Option<(Method, u32)>) -> Result<Encoder<W>> {
        let Some((method, level)) = method else {
            return Ok(Encoder::Plain(out));
        };
        let level = level.min(9);
        Ok(match method {
            Method::Zlib => Encoder::Zlib(flate2::write::ZlibEncoder::new(
                out,
                flate2::Compression::new(level),
            )),
            Method::Gzip => Encoder::Gzip(
                flate2::GzBuilder::new()
                    .operating_system(255)
                    .write(out, flate2::Compression::new(level)),
            ),
            Method::Bz2 => Encoder::Bz2(bzip2::write::BzEncoder::new(
                out,
                bzip2::Compression::new(level.max(1)),
            )),
            Method::Lzma => {
                let options = liblzma::stream::LzmaOptions::new_preset(level)
                    .map_err(|e| corrupt("lzma", e))?;
                let stream = liblzma::stream::Stream::new_lzma_encoder(&options)
                    .map_err(|e| corrupt("lzma", e))?;
                Encoder::Lzma(liblzma::write::XzEncoder::new_stream(out, stream))
            }
            Method::Xz => {
                let stream =
                    liblzma::stream::Stream::new_easy_encoder(level, liblzma::stream::Check::Crc64)
                        .map_err(|e| corrupt("xz", e))?;
                Encoder::Lzma(liblzma::write::XzEncoder::new_stream(out, stream))
            }
            // lz4_flex has one (fast) compression level; python-lz4 reads its frames whatever the
            // level the writer asked for.
            Method::Lz4 => Encoder::Lz4(Box::new(lz4_flex::frame::FrameEncoder::new(out))),
        })
    }

    /// Writes the stream's trailer and returns the underlying writer.
    pub(crate) fn finish(self) -> Result<W> {
        Ok(match self {
            Encoder::Plain(w) => w,
            Encoder::Zlib(e) => e.finish()?,
            Encoder::Gzip(e) => e.finish()?,
            Encoder::Bz2(e) => e.finish()?,
            Encoder::Lzma(e) => e.finish()?,
            Encoder::Lz4(e) => e.finish().map_err(|e| corrupt("lz4", e))?,
        })
    }
}

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Encoder::Plain(w) => w.write(buf),
            Encoder::Zlib(e) => e.write(buf),
            Encoder::Gzip(e) => e.write(buf),
            Encoder::Bz2(e) => e.write(buf),
            Encoder::Lzma(e) => e.write(buf),
            Encoder::Lz4(e) => e.write(buf),
        }
    }

    /// Flushes a plain writer. Compressors are not flushed mid-stream (a sync flush costs
    /// compression, and the LZMA "alone" format has none): their data is written by `finish`.
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Encoder::Plain(w) => w.flush(),
            _ => Ok(()),
        }
    }
}

/// Compresses `data` as one stream of `method` at `level` (clamped to 0-9; lz4 ignores it).
pub fn compress_bytes(data: &[u8], method: Method, level: u32) -> Result<Vec<u8>> {
    let mut enc = Encoder::new(Vec::new(), Some((method, level)))?;
    enc.write_all(data)?;
    enc.finish()
}

//! `brine convert IN OUT --protocol N`: read any pickle and write it again at protocol N.

use std::path::PathBuf;

use brine_pickle::WriteOptions;
use clap::Args;

use super::{load_input, write_bytes, CliError, CliResult, Loaded};

/// Arguments of `brine convert`.
#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// The input pickle; `-` reads stdin.
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// The output file; `-` writes stdout.
    #[arg(value_name = "OUT")]
    pub output: PathBuf,
    /// The protocol to write, 0 to 5.
    #[arg(long, short, default_value_t = 4, value_parser = clap::value_parser!(u8).range(0..=5))]
    pub protocol: u8,
    /// Write a joblib file, compressed like joblib's `compress` argument: `0` (none), `1`-`9`
    /// (zlib at that level), `zlib`, `gzip`, `bz2`, `lzma`, `xz`, `lz4`, or `METHOD:LEVEL`
    /// (`zlib:3`). An OUT name containing `.joblib` also writes a joblib file (uncompressed unless
    /// its extension names a compressor, as joblib does). The input may be any file `brine show`
    /// reads.
    #[arg(long, value_name = "SPEC")]
    pub compress: Option<String>,
}

/// `true` if `brine convert` writes a joblib file: `--compress`, or `.joblib` in OUT's name.
fn writes_joblib(args: &ConvertArgs) -> bool {
    args.compress.is_some()
        || args
            .output
            .file_name()
            .is_some_and(|n| n.to_string_lossy().contains(".joblib"))
}

/// Writes the input as a joblib file (arrays inline after `NumpyArrayWrapper`s, compressed).
fn run_joblib(args: &ConvertArgs) -> CliResult {
    use brine_joblib::{Compression, DumpOptions};
    let compress = match &args.compress {
        Some(spec) => Compression::parse(spec)
            .map_err(|e| CliError::Usage(format!("--compress {spec}: {e}")))?,
        None => Compression::default(),
    };
    // Arrays keep the byte order the input stores them in.
    let loaded = super::show::open_input(&args.input, false)?;
    let mut options = DumpOptions {
        compress,
        protocol: args.protocol,
        ..DumpOptions::default()
    };
    let bar = super::show::progress_bar("writing", Some(loaded.buffer.len() as u64));
    options.progress = bar.as_ref().map(super::show::progress_fn);
    let result = if super::is_stdio(&args.output) {
        brine_joblib::to_vec(&loaded.graph, &options).map(Some)
    } else {
        brine_joblib::dump(&loaded.graph, &args.output, &options).map(|()| None)
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match result.map_err(|e| super::show::joblib_error(&args.output, e))? {
        Some(bytes) => write_bytes(&args.output, &bytes),
        None => Ok(()),
    }
}

/// Runs `brine convert`.
pub fn run(args: &ConvertArgs) -> CliResult {
    if writes_joblib(args) {
        return run_joblib(args);
    }
    let loaded = load_input(&args.input)?;
    let bytes = match &loaded {
        Loaded::Pickle(graph) => {
            brine_pickle::to_vec(graph, &WriteOptions::protocol(args.protocol)).map_err(|e| {
                CliError::Invalid(format!("cannot write protocol {}: {e}", args.protocol))
            })?
        }
    };
    write_bytes(&args.output, &bytes)
}

//! `brine dis FILE`: disassemble a pickle, like `python -m pickletools`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use brine_pickle::dis::{dis_to, DisOptions};
use brine_pickle::ErrorKind;
use clap::Args;

use super::{ignore_broken_pipe, read_bytes, CliError, CliResult};

/// Arguments of `brine dis`.
#[derive(Args, Debug)]
pub struct DisArgs {
    /// The pickle file; `-` reads stdin.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Spaces per MARK nesting level.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub indent: usize,
    /// Cut arguments longer than this many bytes (0: no limit).
    #[arg(long, value_name = "N", default_value_t = 4096)]
    pub max_arg_len: usize,
    /// Add each opcode's one-line description.
    #[arg(long, short)]
    pub annotate: bool,
    /// Stop after the first pickle instead of going on with those that follow it.
    #[arg(long)]
    pub first_only: bool,
}

/// Runs `brine dis`.
pub fn run(args: &DisArgs) -> CliResult {
    let data = read_bytes(&args.file)?;
    let options = DisOptions {
        indent: args.indent,
        max_arg_len: if args.max_arg_len == 0 {
            usize::MAX
        } else {
            args.max_arg_len
        },
        all_pickles: !args.first_only,
        annotate: args.annotate,
        ..DisOptions::default()
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = dis_to(&data, &mut out, &options);
    let flushed = out.flush().or_else(ignore_broken_pipe);
    match result {
        Ok(()) => flushed.map_err(|e| CliError::io(Path::new("-"), e)),
        Err(e) => match e.kind() {
            ErrorKind::Io(io_err) if io_err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            ErrorKind::Io(io_err) => Err(CliError::Io {
                path: "-".into(),
                source: io::Error::new(io_err.kind(), io_err.to_string()),
            }),
            _ => Err(CliError::Invalid(format!("not a valid pickle: {e}"))),
        },
    }
}

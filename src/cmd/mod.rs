//! The subcommands of `brine`, one module each, and what they share: reading the input, errors and
//! exit codes.

pub mod convert;
pub mod dis;
pub mod info;
pub mod predict;
pub mod show;

use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;

use brine_pickle::Graph;

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: the input is not a valid pickle (or model, or array file).
pub const EXIT_INVALID: i32 = 1;
/// Exit code: bad usage or an I/O error.
pub const EXIT_USAGE: i32 = 2;

/// Why a subcommand failed; each kind maps to an exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The input is not valid (exit code 1). The message is one line, with offset and opcode.
    #[error("{0}")]
    Invalid(String),
    /// Bad usage (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// Reading or writing a file failed (exit code 2).
    #[error("{path}: {source}")]
    Io {
        /// The file (or `-` for stdin/stdout).
        path: String,
        /// What the OS said.
        source: io::Error,
    },
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Invalid(_) => EXIT_INVALID,
            CliError::Usage(_) | CliError::Io { .. } => EXIT_USAGE,
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: &Path, source: io::Error) -> CliError {
        CliError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// The result type of the subcommands.
pub type CliResult<T = ()> = Result<T, CliError>;

/// `true` if `path` means stdin/stdout (`-`).
pub fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Reads a whole input file, or stdin for `-`.
pub fn read_bytes(path: &Path) -> CliResult<Vec<u8>> {
    if is_stdio(path) {
        if io::stdin().is_terminal() {
            return Err(CliError::Usage(
                "stdin is a terminal: pipe a file into `-` or give a path".into(),
            ));
        }
        let mut data = Vec::new();
        io::stdin()
            .lock()
            .read_to_end(&mut data)
            .map_err(|e| CliError::io(path, e))?;
        Ok(data)
    } else {
        std::fs::read(path).map_err(|e| CliError::io(path, e))
    }
}

/// Writes a whole output file, or stdout for `-`.
pub fn write_bytes(path: &Path, data: &[u8]) -> CliResult {
    if is_stdio(path) {
        let mut out = io::stdout().lock();
        out.write_all(data)
            .and_then(|_| out.flush())
            .or_else(ignore_broken_pipe)
            .map_err(|e| CliError::io(path, e))
    } else {
        std::fs::write(path, data).map_err(|e| CliError::io(path, e))
    }
}

/// Treats a closed stdout (`brine show x | head`) as success.
pub fn ignore_broken_pipe(err: io::Error) -> io::Result<()> {
    if err.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(err)
    }
}

/// Writes text to stdout; a closed pipe is not an error.
pub fn print_stdout(text: &str) -> CliResult {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .or_else(ignore_broken_pipe)
        .map_err(|e| CliError::io(Path::new("-"), e))
}

/// What an input file turned out to hold.
///
/// Only pickles for now; the numpy/joblib formats add their variants here, so that `show` and
/// `convert` accept them through this one function.
#[derive(Debug)]
pub enum Loaded {
    /// One pickle.
    Pickle(Graph),
}

/// Reads and decodes an input file (or stdin for `-`), detecting its format.
pub fn load_input(path: &Path) -> CliResult<Loaded> {
    let data = read_bytes(path)?;
    load_bytes(&data)
}

/// Decodes the bytes of an input file, detecting its format.
pub fn load_bytes(data: &[u8]) -> CliResult<Loaded> {
    brine_pickle::from_slice(data)
        .map(Loaded::Pickle)
        .map_err(|e| CliError::Invalid(format!("not a valid pickle: {e}")))
}

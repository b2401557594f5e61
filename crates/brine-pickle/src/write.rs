//! The writer: CPython's pickler, byte for byte, for protocols 0-5. (Skeleton: being implemented.)

use std::io::Write;

use crate::error::{Error, ErrorKind, Result};
use crate::value::Graph;

/// Options for writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// The protocol, 0 to 5.
    pub protocol: u8,
    /// For protocols 0-2, write Python 2 module names (`__builtin__`) as CPython's `fix_imports` does.
    pub fix_imports: bool,
}

impl WriteOptions {
    /// Options for protocol `protocol`, otherwise as CPython's defaults.
    pub fn protocol(protocol: u8) -> WriteOptions {
        WriteOptions {
            protocol,
            fix_imports: true,
        }
    }
}

impl Default for WriteOptions {
    /// Protocol 4, CPython 3.8+'s default.
    fn default() -> WriteOptions {
        WriteOptions::protocol(4)
    }
}

/// A pickle writer over any `Write`.
pub struct Writer<W: Write> {
    out: W,
    options: WriteOptions,
}

impl<W: Write> Writer<W> {
    /// A writer with these options.
    pub fn new(out: W, options: WriteOptions) -> Writer<W> {
        Writer { out, options }
    }

    /// Writes the graph's root as one pickle.
    pub fn write(&mut self, graph: &Graph) -> Result<()> {
        let _ = (&mut self.out, &self.options, graph);
        Err(Error::without_position(ErrorKind::Unpicklable(
            "writer not implemented".into(),
        )))
    }
}

/// Writes the graph's root as a pickle into a new `Vec`.
pub fn to_vec(graph: &Graph, options: &WriteOptions) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    Writer::new(&mut out, *options).write(graph)?;
    Ok(out)
}

/// Writes the graph's root as a pickle to `out`.
pub fn to_writer<W: Write>(out: W, graph: &Graph, options: &WriteOptions) -> Result<()> {
    Writer::new(out, *options).write(graph)
}

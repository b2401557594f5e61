//! Errors: values that say where in the stream, at which opcode, and what went wrong.

use std::fmt;

use crate::opcodes::Opcode;

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The stream ended inside an opcode or before `STOP`.
    #[error("unexpected end of data")]
    UnexpectedEof,
    /// A byte that is not a pickle opcode.
    #[error("unknown opcode byte 0x{0:02x}")]
    UnknownOpcode(u8),
    /// `PROTO` named a protocol above 5.
    #[error("unsupported pickle protocol {0}")]
    UnsupportedProtocol(u8),
    /// An opcode needed more items than the stack holds.
    #[error("stack underflow")]
    StackUnderflow,
    /// An opcode needed a mark and there was none.
    #[error("mark not found")]
    MarkNotFound,
    /// A mark stood where a value was expected.
    #[error("unexpected mark")]
    UnexpectedMark,
    /// `GET`/`BINGET`/`LONG_BINGET` of a memo index that was never stored.
    #[error("memo key {0} not found")]
    MemoKeyMissing(u64),
    /// A text or binary argument that does not parse (bad number, bad quoting, negative length...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A `str` whose bytes are not UTF-8 (even with surrogates allowed).
    #[error("invalid UTF-8 in string")]
    InvalidUtf8,
    /// An opcode applied to a value of the wrong type (e.g. `APPEND` to an int).
    #[error("{0}")]
    TypeMismatch(String),
    /// The stack was not empty (or held a mark) at `STOP`.
    #[error("stack not empty at STOP")]
    StackNotEmpty,
    /// A bound on resources was reached (length, nesting, node count, memo size...).
    #[error("limit exceeded: {0}")]
    LimitExceeded(String),
    /// A value that cannot be written at the requested protocol, or at all.
    #[error("cannot pickle: {0}")]
    Unpicklable(String),
    /// An error raised by a hook (joblib arrays, numpy).
    #[error("{0}")]
    Hook(String),
    /// Reading or writing the underlying stream failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// An error with the byte offset and opcode where it happened.
///
/// ```
/// let err = brine_pickle::from_slice(b"\x80\x04K").unwrap_err();
/// assert_eq!(err.offset(), 2);
/// assert_eq!(err.opcode(), Some(brine_pickle::Opcode::BinInt1));
/// assert!(err.to_string().contains("BININT1"));
/// ```
///
/// The error is one pointer wide (its details are boxed, as serde_json does), so that a
/// `Result` returned by every step of reading and writing stays in registers.
#[derive(Debug)]
pub struct Error(Box<ErrorImpl>);

#[derive(Debug)]
struct ErrorImpl {
    offset: u64,
    opcode: Option<Opcode>,
    kind: ErrorKind,
}

impl Error {
    /// An error at `offset` (the offset of the opcode byte), for `opcode` when known.
    #[cold]
    pub fn new(kind: ErrorKind, offset: u64, opcode: Option<Opcode>) -> Error {
        Error(Box::new(ErrorImpl {
            offset,
            opcode,
            kind,
        }))
    }

    /// An error not tied to a position in a stream (e.g. a writer error about a value).
    pub fn without_position(kind: ErrorKind) -> Error {
        Error::new(kind, 0, None)
    }

    /// The byte offset, in the input, of the opcode where the error happened.
    pub fn offset(&self) -> u64 {
        self.0.offset
    }

    /// The opcode being executed, when there was one.
    pub fn opcode(&self) -> Option<Opcode> {
        self.0.opcode
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// `true` if the input simply ended too early (a truncated file).
    pub fn is_eof(&self) -> bool {
        matches!(self.0.kind, ErrorKind::UnexpectedEof)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.opcode {
            Some(op) => write!(
                f,
                "{} at byte {} (opcode {})",
                self.0.kind,
                self.0.offset,
                op.name()
            ),
            None => write!(f, "{} at byte {}", self.0.kind, self.0.offset),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.kind.source()
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Error {
        Error::without_position(ErrorKind::Io(err))
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

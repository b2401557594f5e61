//! # brine-pickle
//!
//! A faithful, bounded reader and writer for Python's pickle format, protocols 0 to 5.
//!
//! A pickle is a program for a small stack machine. Brine runs that program without ever executing
//! Python: known constructors (`complex`, `set`, `bytearray`, ...) become native values, and every
//! other call is kept as an inert [`Object`] that can be inspected and written back. The result is a
//! [`Graph`]: an arena of [`Node`]s in which shared references and cycles keep their identity.
//!
//! ```
//! use brine_pickle::{from_slice, to_vec, WriteOptions};
//! // pickle.dumps([1, 'a'], protocol=2)
//! let data = b"\x80\x02]q\x00(K\x01X\x01\x00\x00\x00aq\x01e.";
//! let graph = from_slice(data).unwrap();
//! let root = graph.root_ref().unwrap();
//! assert_eq!(root.item(0).unwrap().as_i64(), Some(1));
//! assert_eq!(root.item(1).unwrap().as_str(), Some("a"));
//! // Writing it back at the same protocol gives CPython's exact bytes.
//! assert_eq!(to_vec(&graph, &WriteOptions::protocol(2)).unwrap(), data);
//! ```
#![warn(missing_docs)]

pub mod compat;
pub mod dis;
pub mod error;
pub mod json;
pub mod opcodes;
pub mod read;
pub mod repr;
mod scratch;
pub mod value;
pub mod write;

pub use error::{Error, ErrorKind, Result};
pub use opcodes::{Opcode, OPCODES};
pub use read::{from_reader, from_slice, ReadOptions, Reader};
pub use value::{
    Complex, Global, Graph, Items, Node, NodeId, Object, ObjectKind, Pairs, PickleBuffer, PyStr,
    PyStrRef, Text, ValueRef,
};
pub use write::{to_vec, to_writer, WriteOptions, Writer};

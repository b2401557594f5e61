//! # brine-numpy
//!
//! numpy arrays without numpy: the dtypes, the pickle forms numpy 1.x and 2.x write
//! (`_reconstruct` + `BUILD`, protocol 5 `_frombuffer`, numpy scalars), `.npy` and `.npz` files,
//! and numpy-style `repr`.
//!
//! ```
//! use brine_numpy::{array_from_node, NdArray};
//! use brine_pickle::Graph;
//! // Build numpy's pickle form of an array in a graph, then read it back.
//! let a = NdArray::from_f64(vec![3], vec![1.0, 2.5, -3.0]).unwrap();
//! let mut g = Graph::new();
//! let id = a.to_node(&mut g).unwrap();
//! let back = array_from_node(&g, id).unwrap();
//! assert_eq!(back, a);
//! assert_eq!(brine_numpy::repr::array_repr(&back, &g), "array([ 1. ,  2.5, -3. ])");
//! ```
//!
//! ## Module path of written pickles
//!
//! numpy 2 pickles arrays through `numpy._core.multiarray`, numpy 1 through `numpy.core.multiarray`.
//! Brine reads both. It writes `numpy.core.multiarray` (see [`pickle::MULTIARRAY_MODULE`]): numpy 2.x
//! still imports that path silently when unpickling, and every numpy 1.x has it, whereas numpy
//! before 1.26 cannot import `numpy._core`.
#![warn(missing_docs)]

pub mod array;
pub mod dtype;
pub mod error;
pub mod npy;
pub mod npz;
pub mod pickle;
pub mod repr;

pub use array::{ArrayData, Element, Label, NdArray};
pub use dtype::{ByteOrder, DType, DTypeKind, Field, TimeUnit};
pub use error::{NumpyError, Result};
pub use pickle::{array_from_node, is_array};

//! Every numpy fixture (written by the pinned numpy 2, and with numpy 1's module paths) reads to
//! exactly the value the manifest records: dtype, shape, memory order and bytes; arrays print as
//! numpy's `repr()`; malformed files are clean errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use brine_numpy::pickle::{array_form, ArrayForm};
use brine_numpy::repr::{array_repr, scalar_repr};
use brine_numpy::{array_from_node, npy, npz, ArrayData, NdArray};
use brine_pickle::Graph;
use common::*;
use serde_json::{json, Value};

fn read_pickle(file: &str) -> Graph {
    let data = std::fs::read(fixtures().join(file)).unwrap();
    brine_pickle::from_slice(&data).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// An `.npy` file as a graph whose root is the array (object arrays bring their elements).
fn read_npy(file: &str) -> (Graph, NdArray) {
    let data = std::fs::read(fixtures().join(file)).unwrap();
    let header = npy::read_header(&data).unwrap_or_else(|e| panic!("{file}: {e}"));
    if header.dtype.has_object() {
        let (mut g, a) = npy::read_pickled(&data).unwrap_or_else(|e| panic!("{file}: {e}"));
        let id = a.to_node(&mut g).unwrap();
        g.set_root(id);
        return (g, a);
    }
    let a = npy::read(&data).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut g = Graph::new();
    let id = a.to_node(&mut g).unwrap();
    g.set_root(id);
    (g, a)
}

#[test]
fn pickled_arrays_and_scalars_read_exactly() {
    let cases = cases();
    let mut n = 0;
    let mut np1 = 0;
    for e in manifest()
        .iter()
        .filter(|e| e["kind"] == "pickle" && e.get("error").is_none())
    {
        let file = e["file"].as_str().unwrap();
        let g = read_pickle(file);
        assert_eq!(encode_root(&g), expected_value(e, &cases), "{file}");
        if e["numpy_paths"] == 1 {
            np1 += 1;
        }
        n += 1;
    }
    assert!(n >= 250, "only {n} pickles");
    assert!(np1 >= 125, "only {np1} numpy 1.x pickles");
}

#[test]
fn protocol_5_arrays_use_frombuffer_and_protocol_2_reconstruct() {
    let g = read_pickle("pickle/float64_le.p5.pkl");
    assert_eq!(
        array_form(&g, g.root().unwrap()),
        Some(ArrayForm::FromBuffer)
    );
    let g = read_pickle("pickle/float64_le.np1.p2.pkl");
    assert_eq!(
        array_form(&g, g.root().unwrap()),
        Some(ArrayForm::Reconstruct)
    );
    let g = read_pickle("pickle/scalar_f64.np1.p5.pkl");
    assert_eq!(array_form(&g, g.root().unwrap()), Some(ArrayForm::Scalar));
}

#[test]
fn arrays_print_as_numpy_repr() {
    let cases = cases();
    let mut mismatches = Vec::new();
    for (name, case) in &cases {
        let g = read_pickle(&format!("pickle/{name}.p5.pkl"));
        let root = g.root().unwrap();
        let a = array_from_node(&g, root).unwrap();
        let text = if array_form(&g, root) == Some(ArrayForm::Scalar) {
            scalar_repr(&a, &g)
        } else {
            array_repr(&a, &g)
        };
        if text != case["repr"].as_str().unwrap() {
            mismatches.push(format!(
                "{name}:\n  brine: {text:?}\n  numpy: {:?}",
                case["repr"].as_str().unwrap()
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} reprs differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn large_arrays_are_summarised() {
    let g = read_pickle("pickle/large_f64.p2.pkl");
    let a = array_from_node(&g, g.root().unwrap()).unwrap();
    let text = array_repr(&a, &g);
    assert!(text.contains("..."), "{text}");
    assert!(text.ends_with("shape=(1001,))"), "{text}");
}

#[test]
fn dtypes_read_as_numpy_describes_them() {
    let cases = cases();
    for (name, case) in &cases {
        let g = read_pickle(&format!("pickle/{name}.p2.pkl"));
        let a = array_from_node(&g, g.root().unwrap()).unwrap();
        assert_eq!(a.dtype.descr(), case["dtype"].as_str().unwrap(), "{name}");
        if let Some(d) = case["npy_descr"].as_str() {
            assert_eq!(a.dtype.npy_descr(), d, "{name}");
        }
    }
}

#[test]
fn npy_files_read_exactly() {
    let cases = cases();
    let mut n = 0;
    for e in manifest()
        .iter()
        .filter(|e| e["kind"] == "npy" && e.get("error").is_none())
    {
        let file = e["file"].as_str().unwrap();
        let (g, a) = read_npy(file);
        assert_eq!(encode_root(&g), expected_value(e, &cases), "{file}");
        if let Some(d) = e["npy_descr"].as_str() {
            assert_eq!(a.dtype.npy_descr(), d, "{file}");
        }
        n += 1;
    }
    assert!(n >= 50, "only {n} npy files");
}

#[test]
fn npy_reads_are_zero_copy_and_viewable_through_ndarray() {
    let data = bytes::Bytes::from(std::fs::read(fixtures().join("npy/float64_le.npy")).unwrap());
    let a = npy::read_bytes(data.clone()).unwrap();
    let raw = a.raw().unwrap();
    let range = data.as_ptr() as usize..data.as_ptr() as usize + data.len();
    assert!(range.contains(&(raw.as_ptr() as usize)), "data was copied");
    // numpy pads the header so data starts at a multiple of 64: aligned for f64 in the buffer.
    let view = a.view::<f64>().unwrap();
    assert_eq!(view.as_ptr() as usize, raw.as_ptr() as usize);
    assert_eq!(view[[2]], 1.5);
    assert!(view[[6]].is_nan());
    // Fortran order is kept as strides, not copied.
    let f = npy::read_bytes(
        std::fs::read(fixtures().join("npy/fortran_f64.npy"))
            .unwrap()
            .into(),
    )
    .unwrap();
    let v = f.to_array::<f64>().unwrap();
    assert_eq!(v.shape(), &[2, 3]);
    assert_eq!(v[[1, 0]], 3.0 / 8.0);
    assert_eq!(v[[0, 2]], 2.0 / 8.0);
    // Big-endian data converts on copy and refuses a view.
    let be = npy::read_bytes(
        std::fs::read(fixtures().join("npy/int32_be.npy"))
            .unwrap()
            .into(),
    )
    .unwrap();
    assert!(be.view::<i32>().is_err());
    assert_eq!(
        be.to_array::<i32>().unwrap().into_raw_vec_and_offset().0,
        vec![i32::MIN, -1, 0, 1, i32::MAX]
    );
}

#[test]
fn pickled_arrays_view_without_copying_when_aligned() {
    let data = std::fs::read(fixtures().join("pickle/int64_le.p5.pkl")).unwrap();
    let g = brine_pickle::from_slice(&data).unwrap();
    let a = array_from_node(&g, g.root().unwrap()).unwrap();
    let raw = a.raw().unwrap();
    match a.view::<i64>() {
        Ok(v) => {
            assert_eq!(v.as_ptr() as usize, raw.as_ptr() as usize);
            assert_eq!(v[[0]], i64::MIN);
        }
        // Unaligned inside the pickle: the typed copy still works.
        Err(_) => assert_eq!(a.to_array::<i64>().unwrap()[[4]], i64::MAX),
    }
}

#[test]
fn npz_archives_read_exactly() {
    let mut n = 0;
    for e in manifest()
        .iter()
        .filter(|e| e["kind"] == "npz" && e.get("error").is_none())
    {
        let file = e["file"].as_str().unwrap();
        let data = std::fs::read(fixtures().join(file)).unwrap();
        let members = npz::read(&data).unwrap_or_else(|err| panic!("{file}: {err}"));
        let mut g = Graph::new();
        let mut pairs = Vec::new();
        for (name, a) in &members {
            let k = g.str(name);
            let v = a.to_node(&mut g).unwrap();
            pairs.push((k, v));
        }
        let root = g.dict(pairs);
        g.set_root(root);
        assert_eq!(encode_root(&g), e["value"], "{file}");
        n += 1;
    }
    assert_eq!(n, 3);
}

#[test]
fn malformed_files_are_clean_errors() {
    let mut n = 0;
    for e in manifest().iter().filter(|e| e.get("error").is_some()) {
        let file = e["file"].as_str().unwrap();
        let data = std::fs::read(fixtures().join(file)).unwrap();
        let err = match e["kind"].as_str().unwrap() {
            "npy" => npy::read(&data).map(|_| ()).unwrap_err().to_string(),
            "npz" => npz::read(&data).map(|_| ()).unwrap_err().to_string(),
            "pkl" => {
                let g = brine_pickle::from_slice(&data).unwrap();
                array_from_node(&g, g.root().unwrap())
                    .map(|_| ())
                    .unwrap_err()
                    .to_string()
            }
            other => panic!("{other}"),
        };
        assert!(!err.is_empty(), "{file}");
        eprintln!("{file}: {err}");
        n += 1;
    }
    assert!(n >= 11);
}

#[test]
fn every_truncation_of_an_npy_file_is_an_error() {
    let data = std::fs::read(fixtures().join("npy/structured.npy")).unwrap();
    for len in 0..data.len() {
        assert!(
            npy::read(&data[..len]).is_err(),
            "prefix of {len} bytes read"
        );
    }
    let obj = std::fs::read(fixtures().join("npy/object_1d.npy")).unwrap();
    for len in 0..obj.len() {
        assert!(
            npy::read_pickled(&obj[..len]).is_err(),
            "prefix of {len} bytes read"
        );
    }
}

#[test]
fn object_arrays_keep_their_elements() {
    let g = read_pickle("pickle/object_nested_array.p5.pkl");
    let a = array_from_node(&g, g.root().unwrap()).unwrap();
    let ArrayData::Objects(ids) = &a.data else {
        panic!("not an object array")
    };
    assert_eq!(ids.len(), 3);
    let inner = array_from_node(&g, ids[0]).unwrap();
    assert_eq!(
        inner.to_i64().unwrap().into_raw_vec_and_offset().0,
        vec![0, 1, 2]
    );
    assert_eq!(encode(&g, ids[1]), json!("s"));
    assert!(matches!(encode(&g, ids[2]), Value::Object(_)));
}

#[test]
fn structured_fields_read_by_name() {
    let g = read_pickle("pickle/structured.np1.p2.pkl");
    let a = array_from_node(&g, g.root().unwrap()).unwrap();
    assert_eq!(
        a.field("x")
            .unwrap()
            .to_i64()
            .unwrap()
            .into_raw_vec_and_offset()
            .0,
        vec![1, -3]
    );
    assert_eq!(
        a.field("y")
            .unwrap()
            .to_f64()
            .unwrap()
            .into_raw_vec_and_offset()
            .0,
        vec![2.5, -0.5]
    );
    assert!(a.field("nope").is_err());
}

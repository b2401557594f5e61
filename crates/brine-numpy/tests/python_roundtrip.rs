//! Round trips through the real numpy, both ways: Brine reads every fixture numpy wrote, writes it
//! again as a pickle (protocols 2 to 5), a `.npy` file and `.npz` archives, and the pinned numpy
//! (tests/python/check_numpy.py) loads what Brine wrote and finds values exactly equal to the
//! fixture it loads itself. Brine also reads back what it wrote.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use brine_numpy::pickle::{array_form, ArrayForm, MULTIARRAY_MODULE};
use brine_numpy::{array_from_node, npy, npz, NdArray};
use brine_pickle::{Graph, WriteOptions};
use common::*;
use serde_json::{json, Value};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("brine-numpy-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn read_case(name: &str) -> (Graph, NdArray, bool) {
    let data = std::fs::read(fixtures().join(format!("pickle/{name}.p5.pkl"))).unwrap();
    let g = brine_pickle::from_slice(&data).unwrap();
    let root = g.root().unwrap();
    let scalar = array_form(&g, root) == Some(ArrayForm::Scalar);
    let a = array_from_node(&g, root).unwrap();
    (g, a, scalar)
}

/// The pickle Brine writes for the array (or numpy scalar) at `protocol`.
fn brine_pickle_of(g: &Graph, a: &NdArray, scalar: bool, protocol: u8) -> Vec<u8> {
    let mut g = g.clone();
    let id = if scalar {
        a.scalar_to_node(&mut g).unwrap()
    } else {
        a.to_node(&mut g).unwrap()
    };
    g.set_root(id);
    brine_pickle::to_vec(&g, &WriteOptions::protocol(protocol)).unwrap()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn run_check(dir: &Path, pairs: &[Value]) -> Option<String> {
    let py = brine_testkit::python()?;
    Some(run_check_with(&py, dir, pairs))
}

fn run_check_with(py: &Path, dir: &Path, pairs: &[Value]) -> String {
    let list = dir.join("pairs.json");
    std::fs::write(&list, serde_json::to_vec(pairs).unwrap()).unwrap();
    let script = brine_testkit::workspace_root().join("tests/python/check_numpy.py");
    brine_testkit::run_python_script(py, &script, &[list.to_str().unwrap()])
}

#[test]
fn numpy_loads_every_array_brine_writes() {
    let dir = scratch("write");
    let cases = cases();
    let mut pairs = Vec::new();
    // What a numpy 1.x (without the numpy._core names) must load: references with numpy 1 paths.
    let mut numpy1_pairs = Vec::new();
    for name in cases.keys() {
        let (g, a, scalar) = read_case(name);
        let reference = fixtures().join(format!("pickle/{name}.p5.pkl"));
        for protocol in [2u8, 3, 4, 5] {
            let data = brine_pickle_of(&g, &a, scalar, protocol);
            // The module path every numpy 1.x and 2.x imports.
            assert!(contains(&data, MULTIARRAY_MODULE.as_bytes()), "{name}");
            // (Elements of object arrays are written as they were read.)
            assert!(
                a.dtype.has_object() || !contains(&data, b"numpy._core"),
                "{name}"
            );
            // Brine reads back what it wrote.
            let back = brine_pickle::from_slice(&data).unwrap();
            assert_eq!(
                encode_root(&back),
                cases[name]["value"],
                "{name} protocol {protocol}"
            );
            let file = dir.join(format!("{name}.p{protocol}.pkl"));
            std::fs::write(&file, &data).unwrap();
            pairs.push(json!({"brine": file, "reference": reference, "format": "pickle"}));
            // (Elements of object arrays keep the module paths they were read with.)
            if name != "object_nested_array" {
                let reference1 = fixtures().join(format!("pickle/{name}.np1.p2.pkl"));
                numpy1_pairs
                    .push(json!({"brine": file, "reference": reference1, "format": "pickle"}));
            }
        }
        if scalar {
            continue;
        }
        let mut data = Vec::new();
        npy::write_pickled(&a, &g, &mut data).unwrap();
        let numpy_npy = std::fs::read(fixtures().join(format!("npy/{name}.npy"))).unwrap();
        if !a.dtype.has_object() {
            // Byte for byte what numpy.save writes.
            assert_eq!(data, numpy_npy, "{name}.npy");
        }
        let file = dir.join(format!("{name}.npy"));
        std::fs::write(&file, &data).unwrap();
        let pair = json!({"brine": file, "reference": fixtures().join(format!("npy/{name}.npy")), "format": "npy"});
        // (numpy 2's own object-array .npy files, the references, name numpy._core.)
        if !a.dtype.has_object() {
            numpy1_pairs.push(pair.clone());
        }
        pairs.push(pair);
    }
    // .npz archives of the same members as numpy's, stored and deflated.
    let manifest = manifest();
    for e in manifest
        .iter()
        .filter(|e| e["kind"] == "npz" && e.get("error").is_none())
    {
        let members: Vec<String> = e["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap().to_string())
            .collect();
        let numpy_file = fixtures().join(e["file"].as_str().unwrap());
        let read = npz::read(&std::fs::read(&numpy_file).unwrap()).unwrap();
        let names: Vec<&str> = read.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            members.iter().map(String::as_str).collect::<Vec<_>>()
        );
        let entries: Vec<(&str, &NdArray)> = read.iter().map(|(n, a)| (n.as_str(), a)).collect();
        let compressed = e["compressed"] == true;
        let data = npz::to_vec(&entries, compressed).unwrap();
        assert_eq!(npz::read(&data).unwrap(), read);
        let file = dir.join(e["file"].as_str().unwrap().replace('/', "_"));
        std::fs::write(&file, &data).unwrap();
        pairs.push(json!({"brine": file, "reference": numpy_file, "format": "npz"}));
    }
    assert!(pairs.len() >= 300, "{}", pairs.len());
    if let Some(out) = run_check(&dir, &pairs) {
        assert_eq!(out.trim(), format!("ok {}", pairs.len()));
    }
    // Optional: an interpreter with numpy 1.x (e.g. 1.24, which has no numpy._core) loads them too.
    if let Some(py1) = std::env::var_os("BRINE_NUMPY1_PYTHON") {
        let out = run_check_with(Path::new(&py1), &dir, &numpy1_pairs);
        assert_eq!(out.trim(), format!("ok {}", numpy1_pairs.len()));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn arrays_built_in_rust_load_in_numpy() {
    let dir = scratch("build");
    let mut g = Graph::new();
    let f = NdArray::from_array(ndarray::Array2::from_shape_fn((3, 2).f(), |(i, j)| {
        (i * 10 + j) as f64
    }));
    let items: Vec<_> = ["a", "bc"].iter().map(|s| g.str(s)).collect();
    let objects = NdArray::from_objects(vec![2], items).unwrap();
    let strings = NdArray::from_strings(&["x", "yz\u{e9}"]);
    let ints = NdArray::from_vec(vec![2, 2], vec![1i64, -2, 3, i64::MAX]).unwrap();
    let scalar = NdArray::scalar_f64(0.25);
    let mut nodes = Vec::new();
    for a in [&f, &objects, &strings, &ints] {
        nodes.push(a.to_node(&mut g).unwrap());
    }
    nodes.push(scalar.scalar_to_node(&mut g).unwrap());
    let root = g.list(nodes);
    g.set_root(root);
    let file = dir.join("built.pkl");
    std::fs::write(
        &file,
        brine_pickle::to_vec(&g, &WriteOptions::protocol(2)).unwrap(),
    )
    .unwrap();
    let Some(py) = brine_testkit::python() else {
        return;
    };
    let code = "import pickle, sys, numpy as np\n\
        v = pickle.load(open(sys.argv[1], 'rb'))\n\
        assert v[0].flags.f_contiguous and not v[0].flags.c_contiguous\n\
        assert (v[0] == np.array([[0., 1.], [10., 11.], [20., 21.]])).all() and v[0].dtype == np.float64\n\
        assert v[1].dtype == object and v[1].tolist() == ['a', 'bc']\n\
        assert v[2].dtype == np.dtype('<U3') and v[2].tolist() == ['x', 'yz\\u00e9']\n\
        assert v[3].tolist() == [[1, -2], [3, 2**63 - 1]]\n\
        assert type(v[4]) is np.float64 and v[4] == 0.25\n\
        print('ok')";
    let out = brine_testkit::run_python(&py, code, &[file.to_str().unwrap()]);
    assert_eq!(out.trim(), "ok");
    let _ = std::fs::remove_dir_all(&dir);
}

use ndarray::ShapeBuilder as _;

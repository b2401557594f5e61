//! Every fixture fitted by the real scikit-learn (tests/fixtures/sklearn/<version>/manifest.json, from
//! tests/fixtures/generate.py section `sklearn`): load the joblib file, run every method sklearn ran,
//! and compare with sklearn's recorded output: labels exactly, numbers within 1e-12 relative.
//! Numeric inputs are run twice, from the `.npy` file and from the CSV file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;

use brine_numpy::{DTypeKind, NdArray};
use brine_sklearn::{Data, Estimator, Labels, Method, Prediction, Table};
use ndarray::{ArrayD, Ix2};
use serde_json::Value;

/// The bound every comparison must meet (relative to max(|expected|, 1)).
const TOL: f64 = 1e-12;

fn read_npy(path: &Path) -> NdArray {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    brine_numpy::npy::read(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn dense_input(path: &Path) -> Data {
    let a = read_npy(path).to_f64().unwrap();
    Data::Dense(a.into_dimensionality::<Ix2>().unwrap())
}

fn csv_input(path: &Path) -> Data {
    let text = std::fs::read_to_string(path).unwrap();
    Data::Table(Table::from_csv(&text).unwrap())
}

/// Largest relative difference, `|a - e| / max(|e|, 1)`; NaN must match NaN.
fn rel_err(got: &ArrayD<f64>, want: &ArrayD<f64>, what: &str) -> f64 {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    let mut worst = 0.0f64;
    for (g, w) in got.iter().zip(want.iter()) {
        if w.is_nan() || g.is_nan() {
            assert!(w.is_nan() && g.is_nan(), "{what}: got {g}, want {w}");
            continue;
        }
        let e = (g - w).abs() / w.abs().max(1.0);
        worst = worst.max(e);
    }
    worst
}

fn expected_labels(a: &NdArray) -> Labels {
    match a.dtype.kind {
        DTypeKind::Unicode(_) | DTypeKind::Bytes(_) => {
            Labels::Str(a.to_strings(&brine_pickle::Graph::new()).unwrap())
        }
        DTypeKind::Int { .. } | DTypeKind::UInt { .. } => {
            Labels::Int(a.to_i64().unwrap().iter().copied().collect())
        }
        DTypeKind::Float { .. } => Labels::Float(a.to_f64().unwrap().iter().copied().collect()),
        DTypeKind::Bool => Labels::Bool(a.to_f64().unwrap().iter().map(|&v| v != 0.0).collect()),
        ref k => panic!("unexpected label dtype {k:?}"),
    }
}

/// Runs `method` and compares; returns the relative error of numeric outputs (0 for labels).
fn check(model: &dyn Estimator, method: Method, x: &Data, want: &NdArray, what: &str) -> f64 {
    let got = model
        .call(method, x)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    match got {
        Prediction::Labels(l) => {
            let want = expected_labels(want);
            assert_eq!(l, want, "{what}: labels");
            0.0
        }
        Prediction::Values(v) => rel_err(&v, &want.to_f64().unwrap(), what),
    }
}

#[test]
fn every_sklearn_fixture_matches() {
    let root = brine_testkit::fixtures_dir().join("sklearn");
    let mut versions: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.join("manifest.json").exists())
        .collect();
    versions.sort();
    assert!(versions.len() >= 4, "fixture versions: {versions:?}");
    let mut worst: BTreeMap<String, f64> = BTreeMap::new();
    let mut count = 0usize;
    let mut entries_seen = 0usize;
    for dir in &versions {
        let version = dir.file_name().unwrap().to_string_lossy().to_string();
        let manifest: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap())
                .unwrap();
        let entries = manifest["entries"].as_array().unwrap();
        assert!(!entries.is_empty());
        for entry in entries {
            entries_seen += 1;
            let name = entry["name"].as_str().unwrap();
            let class = entry["class"].as_str().unwrap();
            let tag = format!("{version}/{name}");
            let model = brine_sklearn::load(dir.join(entry["file"].as_str().unwrap()))
                .unwrap_or_else(|e| panic!("{tag}: load: {e}"));
            assert_eq!(model.common().class, class, "{tag}");
            assert_eq!(
                model.common().version.as_deref(),
                Some(version.as_str()),
                "{tag}"
            );
            let mut inputs: Vec<(&str, Data)> = Vec::new();
            if let Some(npy) = entry.get("input_npy").and_then(Value::as_str) {
                inputs.push(("npy", dense_input(&dir.join(npy))));
            }
            let csv = entry["input_csv"].as_str().unwrap();
            inputs.push(("csv", csv_input(&dir.join(csv))));
            let outputs = entry["outputs"].as_object().unwrap();
            assert!(!outputs.is_empty(), "{tag}: no outputs");
            for (method_name, file) in outputs {
                let method = Method::from_name(method_name).unwrap();
                assert!(
                    model.methods().contains(&method),
                    "{tag}: methods lack {method}"
                );
                let want = read_npy(&dir.join(file.as_str().unwrap()));
                for (kind, x) in &inputs {
                    let what = format!("{tag} {method_name} ({kind})");
                    let e = check(model.as_ref(), method, x, &want, &what);
                    assert!(e <= TOL, "{what}: relative error {e:e} > {TOL:e}");
                    let w = worst.entry(class.to_string()).or_insert(0.0);
                    *w = w.max(e);
                    count += 1;
                }
            }
        }
    }
    println!("{entries_seen} fixtures, {count} comparisons; worst relative error per estimator:");
    for (class, e) in &worst {
        println!("  {class:<20} {e:.3e}");
    }
    assert!(entries_seen >= 190, "only {entries_seen} fixtures");
}

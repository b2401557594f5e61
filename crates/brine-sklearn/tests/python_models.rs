//! Models fitted by the pinned scikit-learn at test time, independently of the committed fixtures
//! (tests/python/sklearn_models.py: other options of every supported estimator, DataFrame column
//! selectors, text imputation inside pipelines, plain-pickle, compressed and protocol-5 files),
//! each run by Brine and compared with sklearn's own outputs: labels exactly, numbers within
//! 1e-12 relative.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use brine_numpy::DTypeKind;
use brine_sklearn::ndarray::Ix2;
use brine_sklearn::{Data, Labels, Method, Prediction, Table};
use serde_json::Value;

#[test]
fn independently_fitted_models_match_sklearn() {
    let Some(py) = brine_testkit::python() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("brine-sklearn-models-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = brine_testkit::workspace_root().join("tests/python/sklearn_models.py");
    brine_testkit::run_python_script(&py, &script, &[dir.to_str().unwrap()]);
    let entries: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("entries.json")).unwrap()).unwrap();
    let g = brine_pickle::Graph::new();
    let mut checked = 0;
    for e in entries.as_array().unwrap() {
        let name = e["name"].as_str().unwrap();
        let model = brine_sklearn::load(dir.join(format!("{name}.model")))
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        let x = if e["df"].as_bool().unwrap() {
            let text = std::fs::read_to_string(dir.join(format!("{name}.X.csv"))).unwrap();
            Data::Table(Table::from_csv(&text).unwrap())
        } else {
            let a =
                brine_numpy::npy::read(&std::fs::read(dir.join(format!("{name}.X.npy"))).unwrap())
                    .unwrap();
            Data::Dense(a.to_f64().unwrap().into_dimensionality::<Ix2>().unwrap())
        };
        for (method, _) in e["outputs"].as_object().unwrap() {
            let what = format!("{name}.{method}");
            let want = brine_numpy::npy::read(
                &std::fs::read(dir.join(format!("{name}.{method}.npy"))).unwrap(),
            )
            .unwrap();
            let got = model
                .call(Method::from_name(method).unwrap(), &x)
                .unwrap_or_else(|err| panic!("{what}: {err}"));
            match got {
                Prediction::Labels(l) => {
                    let w = match want.dtype.kind {
                        DTypeKind::Unicode(_) => Labels::Str(want.to_strings(&g).unwrap()),
                        DTypeKind::Bool => {
                            Labels::Bool(want.to_f64().unwrap().iter().map(|&v| v != 0.0).collect())
                        }
                        DTypeKind::Int { .. } => {
                            Labels::Int(want.to_i64().unwrap().iter().copied().collect())
                        }
                        _ => Labels::Float(want.to_f64().unwrap().iter().copied().collect()),
                    };
                    assert_eq!(l, w, "{what}");
                }
                Prediction::Values(v) => {
                    let w = want.to_f64().unwrap();
                    assert_eq!(v.shape(), w.shape(), "{what}");
                    for (a, b) in v.iter().zip(w.iter()) {
                        let ok =
                            (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-12 * b.abs().max(1.0);
                        assert!(ok, "{what}: {a} vs {b}");
                    }
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 50, "only {checked} outputs");
    let _ = std::fs::remove_dir_all(&dir);
}

//! Models fitted by the pinned scikit-learn at test time, independently of the committed fixtures
//! (tests/python/sklearn_models.py: other options of every supported estimator, DataFrame column
//! selectors, text imputation inside pipelines, plain-pickle, compressed and protocol-5 files),
//! each run by Brine and compared with sklearn's own outputs: labels exactly, numbers within
//! 1e-12 relative (float32 inputs and float32-fitted `GaussianNB` / `PCA`: 1e-5, see the crate
//! docs). Where sklearn raises (unknown categories, NaN or infinity it refuses) Brine must return
//! an error; unsupported estimators must be refused naming the class and the supported list.
//! Every mismatch is collected and reported together.

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
    let mut failures: Vec<String> = Vec::new();
    for e in entries.as_array().unwrap() {
        let name = e["name"].as_str().unwrap();
        if let Some(class) = e["unsupported"].as_str() {
            // An estimator Brine cannot run: a clear error naming the class and the supported list.
            match brine_sklearn::load(dir.join(format!("{name}.model"))) {
                Ok(_) => failures.push(format!("{name}: {class} loaded, expected an error")),
                Err(err) => {
                    let msg = err.to_string();
                    if !msg.contains(class) || !msg.contains("supported: LinearRegression") {
                        failures.push(format!("{name}: unclear error: {msg}"));
                    }
                }
            }
            checked += 1;
            continue;
        }
        let model = match brine_sklearn::load(dir.join(format!("{name}.model"))) {
            Ok(m) => m,
            Err(err) => {
                failures.push(format!("{name}: {err}"));
                continue;
            }
        };
        let x = if e["df"].as_bool().unwrap() {
            let text = std::fs::read_to_string(dir.join(format!("{name}.X.csv"))).unwrap();
            Data::Table(Table::from_csv(&text).unwrap())
        } else {
            let a =
                brine_numpy::npy::read(&std::fs::read(dir.join(format!("{name}.X.npy"))).unwrap())
                    .unwrap();
            Data::Dense(a.to_f64().unwrap().into_dimensionality::<Ix2>().unwrap())
        };
        // Methods sklearn refused (unknown categories with handle_unknown='error', NaN where it is
        // not the missing value): Brine must refuse too, never return numbers.
        for method in e["errors"].as_array().unwrap() {
            let method = method.as_str().unwrap();
            if let Ok(got) = model.call(Method::from_name(method).unwrap(), &x) {
                failures.push(format!(
                    "{name}.{method}: sklearn raised, Brine gave {got:?}"
                ));
            }
            checked += 1;
        }
        let tol = e["tol"].as_f64().unwrap();
        for (method, _) in e["outputs"].as_object().unwrap() {
            let what = format!("{name}.{method}");
            let want = brine_numpy::npy::read(
                &std::fs::read(dir.join(format!("{name}.{method}.npy"))).unwrap(),
            )
            .unwrap();
            let result = model.call(Method::from_name(method).unwrap(), &x);
            if let Some(limit) = e["limit"].as_str() {
                // A documented limit: a clear error, never numbers.
                match result {
                    Err(err) if err.to_string().contains(limit) => {}
                    other => {
                        failures.push(format!("{what}: expected an error ({limit}): {other:?}"))
                    }
                }
                checked += 1;
                continue;
            }
            let got = match result {
                Ok(g) => g,
                Err(err) => {
                    failures.push(format!("{what}: {err}"));
                    continue;
                }
            };
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
                    if l != w {
                        failures.push(format!("{what}: labels {l} vs {w}"));
                    }
                }
                Prediction::Values(v) => {
                    let w = want.to_f64().unwrap();
                    if v.shape() != w.shape() {
                        failures.push(format!("{what}: shape {:?} vs {:?}", v.shape(), w.shape()));
                        continue;
                    }
                    let bad = v.iter().zip(w.iter()).find(|(a, b)| {
                        !((a.is_nan() && b.is_nan()) || (*a - *b).abs() <= tol * b.abs().max(1.0))
                    });
                    if let Some((a, b)) = bad {
                        failures.push(format!("{what}: {a} vs {b}"));
                    }
                }
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 50, "only {checked} outputs");
    let _ = std::fs::remove_dir_all(&dir);
}

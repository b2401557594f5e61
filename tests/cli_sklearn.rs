//! `brine info` and `brine predict` on models fitted by the real scikit-learn
//! (tests/fixtures/sklearn/<version>/), and on a model Brine fitted and saved.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use serde_json::Value;

use common::{brine, brine_stdin, stdout_ok as ok, Scratch};

fn fixture(version: &str, name: &str) -> String {
    brine_testkit::fixtures_dir()
        .join("sklearn")
        .join(version)
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn read_npy(path: &Path) -> brine_numpy::NdArray {
    brine_numpy::npy::read(&std::fs::read(path).unwrap()).unwrap()
}

/// Parses CSV output: header and rows of cells.
fn csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0) || (a.is_nan() && b.is_nan())
}

#[test]
fn info_describes_a_dataframe_pipeline() {
    let text = ok(&["info", &fixture("1.9.1", "DF_Pipeline_ct_logreg.joblib")]);
    assert!(
        text.starts_with("sklearn.pipeline.Pipeline (sklearn 1.9.1)\n"),
        "{text}"
    );
    for needle in [
        "feature_names_in_: a, b, color, size, c",
        "n_features_in_: 5",
        "classes_: ['neg' 'pos']",
        "  ct: sklearn.compose._column_transformer.ColumnTransformer (sklearn 1.9.1)",
        "    num: sklearn.preprocessing._data.StandardScaler",
        "    cat: sklearn.preprocessing._encoders.OneHotEncoder",
        "handle_unknown='ignore'",
        "  clf: sklearn.linear_model._logistic.LogisticRegression",
        "methods: predict, predict_proba, decision_function",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

#[test]
fn info_json() {
    let text = ok(&[
        "info",
        "--json",
        &fixture("1.9.1", "DF_Pipeline_ct_logreg.joblib"),
    ]);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["class"], "Pipeline");
    assert_eq!(v["module"], "sklearn.pipeline");
    assert_eq!(v["sklearn_version"], "1.9.1");
    assert_eq!(v["n_features_in"], 5);
    assert_eq!(
        v["feature_names_in"],
        serde_json::json!(["a", "b", "color", "size", "c"])
    );
    assert_eq!(v["classes"], serde_json::json!(["neg", "pos"]));
    assert_eq!(
        v["methods"],
        serde_json::json!(["predict", "predict_proba", "decision_function"])
    );
    let children = v["children"].as_array().unwrap();
    assert_eq!(children[0]["name"], "ct");
    assert_eq!(children[0]["children"][1]["class"], "OneHotEncoder");
    assert_eq!(children[1]["name"], "clf");
    assert_eq!(children[1]["params"]["solver"], "'lbfgs'");

    let text = ok(&[
        "info",
        "--json",
        &fixture("1.0.2", "LogisticRegression_multiclass.joblib"),
    ]);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["classes"], serde_json::json!([10, 20, 30]));
    assert_eq!(v["sklearn_version"], "1.0.2");
    assert_eq!(v["n_features_in"], 4);
    assert_eq!(v["feature_names_in"], Value::Null);
}

#[test]
fn info_reads_stdin() {
    let data = std::fs::read(fixture("1.3.2", "StandardScaler.joblib")).unwrap();
    let out = brine_stdin(&["info", "-"], &data);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("sklearn.preprocessing._data.StandardScaler (sklearn 1.3.2)"),
        "{text}"
    );
}

#[test]
fn predict_csv_dataframe_to_stdout() {
    // The CSV's header names the DataFrame's columns; the model selects them by name.
    let out = ok(&[
        "predict",
        &fixture("1.9.1", "DF_Pipeline_ct_logreg.joblib"),
        "--input",
        &fixture("1.9.1", "DF_Pipeline_ct_logreg.X.csv"),
        "--method",
        "predict_proba",
    ]);
    let (header, rows) = csv(&out);
    assert_eq!(header, ["neg", "pos"]);
    let want = read_npy(Path::new(&fixture(
        "1.9.1",
        "DF_Pipeline_ct_logreg.predict_proba.npy",
    )))
    .to_f64()
    .unwrap();
    assert_eq!(rows.len(), want.shape()[0]);
    for (i, row) in rows.iter().enumerate() {
        for (j, cell) in row.iter().enumerate() {
            assert!(
                close(cell.parse().unwrap(), want[[i, j]]),
                "{i},{j}: {cell}"
            );
        }
    }
    // labels
    let out = ok(&[
        "predict",
        &fixture("1.9.1", "DF_Pipeline_ct_logreg.joblib"),
        "-i",
        &fixture("1.9.1", "DF_Pipeline_ct_logreg.X.csv"),
    ]);
    let want = read_npy(Path::new(&fixture(
        "1.9.1",
        "DF_Pipeline_ct_logreg.predict.npy",
    )))
    .to_strings(&brine_pickle::Graph::new())
    .unwrap();
    let (header, rows) = csv(&out);
    assert_eq!(header, ["predict"]);
    let got: Vec<String> = rows.into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(got, want);
}

#[test]
fn predict_columns_by_name_in_any_order() {
    let src = std::fs::read_to_string(fixture("1.9.1", "DF_Pipeline_ct_logreg.X.csv")).unwrap();
    // reverse the column order
    let reordered: String = src
        .lines()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.reverse();
            cells.join(",") + "\n"
        })
        .collect();
    let dir = Scratch::new("sklearn-reorder");
    let input = dir.join("X.csv");
    std::fs::write(&input, reordered).unwrap();
    let model = fixture("1.9.1", "DF_Pipeline_ct_logreg.joblib");
    let a = ok(&[
        "predict",
        &model,
        "-i",
        input.to_str().unwrap(),
        "-m",
        "decision_function",
    ]);
    let b = ok(&[
        "predict",
        &model,
        "-i",
        &fixture("1.9.1", "DF_Pipeline_ct_logreg.X.csv"),
        "-m",
        "decision_function",
    ]);
    assert_eq!(a, b);
    // a missing column is an invalid input, naming the column
    let dropped: String = src
        .lines()
        .map(|l| l.split(',').skip(1).collect::<Vec<_>>().join(",") + "\n")
        .collect();
    std::fs::write(&input, dropped).unwrap();
    let out = brine(&["predict", &model, "-i", input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"a\""), "{err}");
}

#[test]
fn predict_npy_to_npy_every_version() {
    let dir = Scratch::new("sklearn-npy");
    for version in ["1.0.2", "1.3.2", "1.6.1", "1.9.1"] {
        for (name, method) in [
            ("LogisticRegression_multiclass", "predict_proba"),
            ("Pipeline_ct_poly_ridge", "predict"),
            ("PCA_whiten", "transform"),
            ("LinearSVC_multiclass", "decision_function"),
        ] {
            let out = dir.join(format!("{version}-{name}.npy"));
            ok(&[
                "predict",
                &fixture(version, &format!("{name}.joblib")),
                "--input",
                &fixture(version, &format!("{name}.X.npy")),
                "--method",
                method,
                "--output",
                out.to_str().unwrap(),
            ]);
            let got = read_npy(&out);
            let want = read_npy(Path::new(&fixture(
                version,
                &format!("{name}.{method}.npy"),
            )));
            assert_eq!(got.shape, want.shape, "{version} {name}");
            let (g, w) = (got.to_f64().unwrap(), want.to_f64().unwrap());
            for (a, b) in g.iter().zip(w.iter()) {
                assert!(close(*a, *b), "{version} {name}: {a} vs {b}");
            }
        }
        // string labels to .npy: a numpy unicode array equal to sklearn's
        let out = dir.join(format!("{version}-labels.npy"));
        ok(&[
            "predict",
            &fixture(version, "GaussianNB_str.joblib"),
            "-i",
            &fixture(version, "GaussianNB_str.X.npy"),
            "-o",
            out.to_str().unwrap(),
        ]);
        let g = brine_pickle::Graph::new();
        let got = read_npy(&out);
        let want = read_npy(Path::new(&fixture(version, "GaussianNB_str.predict.npy")));
        assert_eq!(got.to_strings(&g).unwrap(), want.to_strings(&g).unwrap());
        assert_eq!(got.dtype, want.dtype);
    }
}

#[test]
fn predict_csv_output_file_and_int_labels() {
    let dir = Scratch::new("sklearn-csvout");
    let out = dir.join("y.csv");
    ok(&[
        "predict",
        &fixture("1.6.1", "LogisticRegression_multiclass.joblib"),
        "-i",
        &fixture("1.6.1", "LogisticRegression_multiclass.X.csv"),
        "-o",
        out.to_str().unwrap(),
    ]);
    let (header, rows) = csv(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(header, ["predict"]);
    let want = read_npy(Path::new(&fixture(
        "1.6.1",
        "LogisticRegression_multiclass.predict.npy",
    )))
    .to_i64()
    .unwrap();
    let got: Vec<i64> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    assert_eq!(got, want.iter().copied().collect::<Vec<_>>());
    // decision_function of a multiclass model: one column per class, named by the class
    let text = ok(&[
        "predict",
        &fixture("1.6.1", "LogisticRegression_multiclass.joblib"),
        "-i",
        &fixture("1.6.1", "LogisticRegression_multiclass.X.csv"),
        "-m",
        "decision_function",
    ]);
    assert!(text.starts_with("10,20,30\n"), "{text}");
}

#[test]
fn errors_have_exit_codes() {
    let lin = fixture("1.9.1", "LinearRegression.joblib");
    let x = fixture("1.9.1", "LinearRegression.X.npy");
    // a method the model lacks: usage error
    let out = brine(&["predict", &lin, "-i", &x, "-m", "predict_proba"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("LinearRegression has no method predict_proba"));
    // wrong feature count: invalid input
    let out = brine(&[
        "predict",
        &lin,
        "-i",
        &fixture("1.9.1", "PolynomialFeatures_deg2.X.npy"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expecting 4 features"));
    // a missing file: I/O error
    let out = brine(&["info", "/nonexistent/model.joblib"]);
    assert_eq!(out.status.code(), Some(2));
    // not a model (a joblib fixture holding a plain dict): invalid input
    let out = brine(&["info", &fixture("1.9.1", "manifest.json")]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn unsupported_estimator_names_its_class_and_the_supported_list() {
    // A pickle of an estimator Brine does not run: protocol 2,
    // sklearn.svm._classes.SVC.__new__ + BUILD({'kernel': 'rbf'}).
    let mut g = brine_pickle::Graph::new();
    let cls = g.global("sklearn.svm._classes", "SVC");
    let args = g.tuple(vec![]);
    let k = g.str("kernel");
    let v = g.str("rbf");
    let state = g.dict(vec![(k, v)]);
    let mut obj = brine_pickle::Object::new(brine_pickle::ObjectKind::NewObj { cls, args });
    obj.state = Some(state);
    let root = g.object(obj);
    g.set_root(root);
    let dir = Scratch::new("sklearn-unsupported");
    let file = dir.join("svc.pkl");
    std::fs::write(
        &file,
        brine_pickle::to_vec(&g, &brine_pickle::WriteOptions::protocol(2)).unwrap(),
    )
    .unwrap();
    let out = brine(&["info", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unsupported estimator sklearn.svm._classes.SVC"),
        "{err}"
    );
    assert!(err.contains("LinearRegression, Ridge"), "{err}");
}

#[test]
fn predict_with_a_model_brine_saved() {
    let dir = Scratch::new("sklearn-saved");
    let model = brine_sklearn::LinearRegression::fit(
        &brine_sklearn::ndarray::array![[1.0], [2.0], [3.0], [4.0], [5.0]],
        &brine_sklearn::ndarray::array![2.0, 3.0, 4.0, 5.0, 6.0],
        None,
    )
    .unwrap();
    let file = dir.join("regression_model.pickle");
    model.save(&file).unwrap();
    let input = dir.join("X.csv");
    std::fs::write(&input, "x0\n10\n11\n12\n").unwrap();
    let out = ok(&[
        "predict",
        file.to_str().unwrap(),
        "-i",
        input.to_str().unwrap(),
    ]);
    assert_eq!(out, "predict\n11.0\n12.0\n13.0\n");
    let info = ok(&["info", file.to_str().unwrap()]);
    assert!(
        info.starts_with("sklearn.linear_model._base.LinearRegression (sklearn 1.9.1)\n"),
        "{info}"
    );
    assert!(info.contains("n_features_in_: 1"), "{info}");
}

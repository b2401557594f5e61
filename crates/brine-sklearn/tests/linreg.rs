//! Fitting and saving `LinearRegression`: against the real scikit-learn (interop, via
//! tests/python/sklearn_linreg.py), and self-contained properties.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use brine_numpy::NdArray;
use brine_sklearn::linear::FitOptions;
use brine_sklearn::ndarray::{array, Array1, Array2};
use brine_sklearn::{Data, Estimator, LinearRegression};
use serde_json::Value;

/// A small deterministic generator (64-bit LCG), uniform in [0, 1).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        // Box-Muller
        let (u, v) = (self.next().max(1e-300), self.next());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

struct Case {
    name: &'static str,
    x: Array2<f64>,
    /// `(n, 1)` with `single` set for a 1-D target.
    y: Array2<f64>,
    single: bool,
    sw: Option<Array1<f64>>,
    fit_intercept: bool,
}

fn features(rng: &mut Lcg, n: usize, p: usize) -> Array2<f64> {
    Array2::from_shape_fn((n, p), |(_, j)| 3.0 + (j as f64) + 2.0 * rng.normal())
}

fn cases() -> Vec<Case> {
    let mut rng = Lcg(42);
    let w = array![0.7, -1.2, 2.5, 0.9];
    let x = features(&mut rng, 40, 4);
    let noise: Array1<f64> = (0..40).map(|_| 0.1 * rng.normal()).collect();
    let y1 = x.dot(&w) + 0.5 + &noise;
    let y2 = x.dot(&array![-0.3, 0.8, 0.1, -1.5]) - 2.0 + &noise.mapv(|v| -v);
    let col = |y: &Array1<f64>| y.clone().insert_axis(brine_sklearn::ndarray::Axis(1));
    let mut multi = Array2::zeros((40, 2));
    multi.column_mut(0).assign(&y1);
    multi.column_mut(1).assign(&y2);
    let sw: Array1<f64> = (0..40).map(|_| 0.5 + 1.5 * rng.next()).collect();
    let mut deficient = features(&mut rng, 30, 4);
    let c0 = deficient.column(0).to_owned();
    deficient.column_mut(2).assign(&c0);
    let yd = deficient.dot(&array![1.0, 2.0, 3.0, -1.0]) + 1.0;
    let wide = features(&mut rng, 3, 5);
    let yw = array![1.0, -2.0, 0.5];
    vec![
        Case {
            name: "simple",
            x: x.clone(),
            y: col(&y1),
            single: true,
            sw: None,
            fit_intercept: true,
        },
        Case {
            name: "noint",
            x: x.clone(),
            y: col(&y1),
            single: true,
            sw: None,
            fit_intercept: false,
        },
        Case {
            name: "weighted",
            x: x.clone(),
            y: col(&y1),
            single: true,
            sw: Some(sw.clone()),
            fit_intercept: true,
        },
        Case {
            name: "multi",
            x: x.clone(),
            y: multi.clone(),
            single: false,
            sw: None,
            fit_intercept: true,
        },
        Case {
            name: "multi_weighted_noint",
            x: x.clone(),
            y: multi,
            single: false,
            sw: Some(sw),
            fit_intercept: false,
        },
        Case {
            name: "rank_deficient",
            x: deficient,
            y: col(&yd),
            single: true,
            sw: None,
            fit_intercept: true,
        },
        Case {
            name: "wide",
            x: wide,
            y: col(&yw),
            single: true,
            sw: None,
            fit_intercept: true,
        },
        Case {
            name: "lesson",
            x: array![[1.0], [2.0], [3.0], [4.0], [5.0]],
            y: col(&array![2.0, 3.0, 4.0, 5.0, 6.0]),
            single: true,
            sw: None,
            fit_intercept: true,
        },
    ]
}

fn fit(c: &Case) -> LinearRegression {
    let options = FitOptions {
        fit_intercept: c.fit_intercept,
        ..FitOptions::default()
    };
    if c.single {
        LinearRegression::fit_with(&c.x, &c.y.column(0).to_owned(), c.sw.as_ref(), options).unwrap()
    } else {
        LinearRegression::fit_multi(&c.x, &c.y, c.sw.as_ref(), options).unwrap()
    }
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("brine-linreg-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write_npy(path: &Path, a: NdArray) {
    std::fs::write(path, brine_numpy::npy::to_vec(&a).unwrap()).unwrap();
}

/// Writes the case's data for the Python helper.
fn write_case(c: &Case, dir: &Path) {
    write_npy(&dir.join("X.npy"), NdArray::from_array(c.x.clone()));
    if c.single {
        write_npy(
            &dir.join("y.npy"),
            NdArray::from_array(c.y.column(0).to_owned()),
        );
    } else {
        write_npy(&dir.join("y.npy"), NdArray::from_array(c.y.clone()));
    }
    if let Some(sw) = &c.sw {
        write_npy(&dir.join("sw.npy"), NdArray::from_array(sw.clone()));
    }
    let xt = c.x.mapv(|v| v * 1.5 - 0.25);
    write_npy(&dir.join("Xt.npy"), NdArray::from_array(xt));
    let opts = serde_json::json!({ "fit_intercept": c.fit_intercept });
    std::fs::write(dir.join("options.json"), opts.to_string()).unwrap();
}

/// The numbers of an encoded value (array, numpy scalar or float), flattened.
fn numbers(v: &Value) -> Vec<f64> {
    fn flat(v: &Value, out: &mut Vec<f64>) {
        match v {
            Value::Array(items) => items.iter().for_each(|i| flat(i, out)),
            Value::Number(n) => out.push(n.as_f64().unwrap()),
            other => panic!("not a number: {other}"),
        }
    }
    let mut out = Vec::new();
    match v {
        Value::Object(o) if o.contains_key("array") => flat(&o["array"], &mut out),
        Value::Object(o) if o.contains_key("np") => flat(&o["value"], &mut out),
        other => flat(other, &mut out),
    }
    out
}

/// Largest `|a - b| / max(|b|_max, 1)`.
fn rel(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "lengths: {a:?} vs {b:?}");
    let scale = b.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / scale)
        .fold(0.0, f64::max)
}

#[test]
fn fit_matches_sklearn_state() {
    let Some(py) = brine_testkit::python() else {
        return;
    };
    let script = brine_testkit::workspace_root().join("tests/python/sklearn_linreg.py");
    let cases = cases();
    let dirs: Vec<PathBuf> = cases.iter().map(|c| scratch(c.name)).collect();
    for (c, dir) in cases.iter().zip(&dirs) {
        write_case(c, dir);
    }
    let mut args = vec!["fit"];
    args.extend(dirs.iter().map(|d| d.to_str().unwrap()));
    let out = brine_testkit::run_python_script(&py, &script, &args);
    let states: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(states.len(), cases.len());
    for ((c, dir), st) in cases.iter().zip(&dirs).zip(states) {
        let m = fit(c);
        // coef_: 1-D for a 1-D target, else (n_targets, n_features)
        let coef_shape: Vec<u64> = st["coef_"]["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        let want_shape: Vec<u64> = if c.single {
            vec![c.x.ncols() as u64]
        } else {
            vec![c.y.ncols() as u64, c.x.ncols() as u64]
        };
        assert_eq!(coef_shape, want_shape, "{}", c.name);
        let coef: Vec<f64> = m.coef().iter().copied().collect();
        let e_coef = rel(&coef, &numbers(&st["coef_"]));
        let e_int = if c.fit_intercept {
            rel(&m.intercept().to_vec(), &numbers(&st["intercept_"]))
        } else {
            assert_eq!(st["intercept_"], Value::from(0.0), "{}", c.name);
            assert!(m.intercept().iter().all(|&v| v == 0.0));
            0.0
        };
        assert_eq!(
            st["rank_"].as_u64().unwrap() as usize,
            m.rank,
            "{}: rank_",
            c.name
        );
        let e_sing = rel(&m.singular.to_vec(), &numbers(&st["singular_"]));
        println!(
            "{:<22} coef_ {e_coef:.2e}  intercept_ {e_int:.2e}  singular_ {e_sing:.2e}",
            c.name
        );
        let tol = 1e-12;
        assert!(e_coef <= tol, "{}: coef_ off by {e_coef:e}", c.name);
        assert!(e_int <= tol, "{}: intercept_ off by {e_int:e}", c.name);
        assert!(e_sing <= 1e-13, "{}: singular_ off by {e_sing:e}", c.name);
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn saved_model_is_a_working_sklearn_linear_regression() {
    let Some(py) = brine_testkit::python() else {
        return;
    };
    let script = brine_testkit::workspace_root().join("tests/python/sklearn_linreg.py");
    let cases = cases();
    let dirs: Vec<PathBuf> = cases
        .iter()
        .map(|c| scratch(&format!("save-{}", c.name)))
        .collect();
    let mut args: Vec<String> = vec!["load".into()];
    for (c, dir) in cases.iter().zip(&dirs) {
        write_case(c, dir);
        let file = dir.join("regression_model.pickle");
        fit(c).save(&file).unwrap();
        args.push(file.to_str().unwrap().into());
        args.push(dir.to_str().unwrap().into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = brine_testkit::run_python_script(&py, &script, &args);
    let results: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), cases.len());
    for ((c, dir), r) in cases.iter().zip(&dirs).zip(results) {
        let name = c.name;
        assert_eq!(
            r["type"], "sklearn.linear_model._base.LinearRegression",
            "{name}"
        );
        assert_eq!(r["is_linear_regression"], true, "{name}");
        assert_eq!(
            r["keys"], r["reference_keys"],
            "{name}: state keys and order"
        );
        assert_eq!(r["repr"], r["reference_repr"], "{name}");
        assert_eq!(r["params"], r["reference_params"], "{name}");
        assert_eq!(
            r["state"]["_sklearn_version"], r["sklearn_version"],
            "{name}"
        );
        let (got, want) = (
            r["state"].as_object().unwrap(),
            r["reference"].as_object().unwrap(),
        );
        for (k, w) in want {
            let g = &got[k];
            match w {
                Value::Object(o) if o.contains_key("array") => {
                    assert_eq!(g["dtype"], w["dtype"], "{name}.{k} dtype");
                    assert_eq!(g["shape"], w["shape"], "{name}.{k} shape");
                    assert!(
                        rel(&numbers(g), &numbers(w)) <= 1e-12,
                        "{name}.{k}: {g} vs {w}"
                    );
                }
                Value::Object(o) if o.contains_key("np") => {
                    assert_eq!(g["np"], w["np"], "{name}.{k} type");
                    assert!(
                        rel(&numbers(g), &numbers(w)) <= 1e-12,
                        "{name}.{k}: {g} vs {w}"
                    );
                }
                _ => assert_eq!(g, w, "{name}.{k}"),
            }
        }
        let e = rel(&numbers(&r["predict"]), &numbers(&r["reference_predict"]));
        assert!(e <= 1e-12, "{name}: predictions off by {e:e}");
        if name == "lesson" {
            // Xt = 1.5 x - 0.25 for x = 1..5; the lesson's own check is below.
            assert!(r["score"].as_f64().unwrap() > 0.999_999);
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The lesson's numbers, in Python: the saved model predicts [11, 12, 13] for [[10], [11], [12]].
#[test]
fn lesson_model_predicts_in_python() {
    let Some(py) = brine_testkit::python() else {
        return;
    };
    let dir = scratch("lesson-py");
    let m = LinearRegression::fit(
        &array![[1.0], [2.0], [3.0], [4.0], [5.0]],
        &array![2.0, 3.0, 4.0, 5.0, 6.0],
        None,
    )
    .unwrap();
    let file = dir.join("regression_model.pickle");
    m.save(&file).unwrap();
    let code = "import sys, warnings, joblib\n\
                warnings.simplefilter('error')\n\
                m = joblib.load(sys.argv[1])\n\
                print(type(m).__name__, m.predict([[10], [11], [12]]).tolist(), m.coef_.tolist(), float(m.intercept_))";
    let out = brine_testkit::run_python(&py, code, &[file.to_str().unwrap()]);
    assert_eq!(out.trim(), "LinearRegression [11.0, 12.0, 13.0] [1.0] 1.0");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lesson_fit_is_exact() {
    let x = array![[1.0], [2.0], [3.0], [4.0], [5.0]];
    let m = LinearRegression::fit(&x, &array![2.0, 3.0, 4.0, 5.0, 6.0], None).unwrap();
    assert_eq!(m.coef()[[0, 0]], 1.0);
    assert_eq!(m.intercept()[0], 1.0);
    assert_eq!(m.rank, 1);
    let p = m.predict_array(&array![[7.0], [8.0], [9.0]]).unwrap();
    assert_eq!(p.as_slice().unwrap(), &[8.0, 9.0, 10.0]);
    assert_eq!(
        brine_sklearn::format_array1(&p.into_dimensionality().unwrap()),
        "[ 8.  9. 10.]"
    );
}

#[test]
fn save_load_round_trip_keeps_every_fitted_value() {
    for c in cases() {
        let m = fit(&c);
        let dir = scratch(&format!("rt-{}", c.name));
        let file = dir.join("m.joblib");
        m.save(&file).unwrap();
        let back = LinearRegression::load(&file).unwrap();
        assert_eq!(back.coef(), m.coef(), "{}", c.name);
        assert_eq!(back.intercept(), m.intercept(), "{}", c.name);
        assert_eq!(back.rank, m.rank);
        assert_eq!(back.singular, m.singular);
        assert_eq!(back.model.single_target, c.single);
        // and through the generic loader
        let est = brine_sklearn::load(&file).unwrap();
        assert_eq!(est.common().class, "LinearRegression");
        assert_eq!(est.common().version.as_deref(), Some("1.9.1"));
        let a = est.predict(&Data::Dense(c.x.clone())).unwrap();
        let b = m.predict(&Data::Dense(c.x.clone())).unwrap();
        assert_eq!(a, b);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn weights_equal_repeated_rows() {
    let x = array![[1.0, 0.5], [2.0, -1.0], [3.0, 4.0], [4.0, 2.5], [5.0, 0.0]];
    let y = array![1.0, 2.5, 2.0, 6.0, 4.5];
    let w = array![1.0, 2.0, 1.0, 3.0, 1.0];
    let a = LinearRegression::fit(&x, &y, Some(&w)).unwrap();
    let rows = [0, 1, 1, 2, 3, 3, 3, 4];
    let xr = Array2::from_shape_fn((rows.len(), 2), |(i, j)| x[[rows[i], j]]);
    let yr: Array1<f64> = rows.iter().map(|&i| y[i]).collect();
    let b = LinearRegression::fit(&xr, &yr, None).unwrap();
    for (p, q) in a.coef().iter().zip(b.coef()) {
        assert!((p - q).abs() < 1e-12, "{p} vs {q}");
    }
    assert!((a.intercept()[0] - b.intercept()[0]).abs() < 1e-12);
}

#[test]
fn bad_input_is_an_error() {
    let x = array![[1.0], [f64::NAN]];
    assert!(LinearRegression::fit(&x, &array![1.0, 2.0], None).is_err());
    let x = array![[1.0], [2.0]];
    assert!(LinearRegression::fit(&x, &array![1.0], None).is_err());
    assert!(LinearRegression::fit(&x, &array![1.0, 2.0], Some(&array![1.0, -1.0])).is_err());
    let e = brine_sklearn::load(brine_testkit::fixtures_dir().join("sklearn/1.9.1/manifest.json"));
    assert!(e.is_err());
}

/// The shape of a state value, for comparing layouts: its kind and, for arrays, dtype and ndim.
fn value_kind(v: brine_pickle::ValueRef<'_>) -> String {
    let g = v.graph();
    if brine_numpy::pickle::is_scalar(g, v.id()) {
        let a = brine_numpy::array_from_node(g, v.id()).unwrap();
        return format!("np.{}", a.dtype.descr());
    }
    if brine_numpy::is_array(g, v.id()) {
        let a = brine_numpy::array_from_node(g, v.id()).unwrap();
        return format!(
            "array {} {}-d{}",
            a.dtype.descr(),
            a.ndim(),
            if a.is_empty() { " empty" } else { "" }
        );
    }
    v.node().type_name().to_string()
}

/// The layout Brine writes for each sklearn version is the one that version pickled: same keys in
/// the same order, same kinds of values (numpy scalar, array dtype and rank, Python float/str...).
#[test]
fn saved_layout_matches_each_versions_own_pickle() {
    let x = array![
        [1.0, 0.5],
        [2.0, -1.0],
        [3.0, 4.0],
        [4.0, 2.5],
        [5.0, 0.0],
        [6.0, 1.0]
    ];
    let y = array![1.0, 2.5, 2.0, 6.0, 4.5, 3.0];
    let y2 = Array2::from_shape_fn((6, 2), |(i, j)| y[i] * (j as f64 + 1.0) - j as f64);
    for version in ["1.0.2", "1.3.2", "1.6.1", "1.9.1"] {
        for (fixture, model) in [
            (
                "LinearRegression",
                LinearRegression::fit(&x, &y, None).unwrap(),
            ),
            (
                "LinearRegression_noint",
                LinearRegression::fit_with(
                    &x,
                    &y,
                    None,
                    FitOptions {
                        fit_intercept: false,
                        ..FitOptions::default()
                    },
                )
                .unwrap(),
            ),
            (
                "LinearRegression_multitarget",
                LinearRegression::fit_multi(&x, &y2, None, FitOptions::default()).unwrap(),
            ),
        ] {
            let path =
                brine_testkit::fixtures_dir().join(format!("sklearn/{version}/{fixture}.joblib"));
            let theirs = brine_joblib::load(&path, &Default::default())
                .unwrap()
                .graph;
            let ours = model.to_graph_for(version).unwrap();
            let layout = |g: &brine_pickle::Graph| -> Vec<(String, String)> {
                let root = g.root_ref().unwrap();
                assert_eq!(
                    root.class().unwrap().name.as_ref() as &str,
                    "LinearRegression"
                );
                root.state()
                    .unwrap()
                    .pairs()
                    .map(|(k, v)| (k.as_str().unwrap().to_string(), value_kind(v)))
                    .collect()
            };
            assert_eq!(layout(&ours), layout(&theirs), "{version} {fixture}");
            let st = ours.root_ref().unwrap().state().unwrap();
            assert_eq!(st.get("_sklearn_version").unwrap().as_str(), Some(version));
            // and Brine reads its own file back
            let back = LinearRegression::from_state(
                &brine_sklearn::State::of(ours.root_ref().unwrap()).unwrap(),
            )
            .unwrap();
            assert_eq!(back.coef(), model.coef());
            assert_eq!(
                back.residues.len(),
                if version == "1.0.2" {
                    model.residues.len()
                } else {
                    0
                }
            );
        }
    }
}

/// A model saved for sklearn 1.0 loads in the scikit-learn 1.0.2 / joblib 1.1.1 of
/// `$BRINE_SKLEARN_1_0_PYTHON` when that interpreter is given (not part of the pinned venv).
#[test]
fn saved_for_sklearn_1_0_loads_there() {
    let Some(py) = std::env::var_os("BRINE_SKLEARN_1_0_PYTHON").map(PathBuf::from) else {
        eprintln!("skipping: BRINE_SKLEARN_1_0_PYTHON is not set");
        return;
    };
    let script = brine_testkit::workspace_root().join("tests/python/sklearn_linreg.py");
    let cases = cases();
    let mut args: Vec<String> = vec!["load".into()];
    let dirs: Vec<PathBuf> = cases
        .iter()
        .map(|c| scratch(&format!("v10-{}", c.name)))
        .collect();
    for (c, dir) in cases.iter().zip(&dirs) {
        write_case(c, dir);
        let file = dir.join("model.joblib");
        fit(c).save_for(&file, "1.0.2").unwrap();
        args.push(file.to_str().unwrap().into());
        args.push(dir.to_str().unwrap().into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = brine_testkit::run_python_script(&py, &script, &args);
    for ((c, dir), line) in cases.iter().zip(&dirs).zip(out.lines()) {
        let r: Value = serde_json::from_str(line).unwrap();
        assert_eq!(r["sklearn_version"], "1.0.2");
        assert_eq!(r["keys"], r["reference_keys"], "{}", c.name);
        assert_eq!(r["repr"], r["reference_repr"], "{}", c.name);
        let e = rel(&numbers(&r["predict"]), &numbers(&r["reference_predict"]));
        assert!(e <= 1e-12, "{}: {e:e}", c.name);
        let _ = std::fs::remove_dir_all(dir);
    }
}

//! The reference scenario, end to end, without Python:
//!
//! 1. build `{'a': [1, 2.0, 3, 4+6j], 'b': ('character string', b'byte string'), 'c': {None, True,
//!    False}}`, pickle it to `data.pickle`, read it back and print it as Python would;
//! 2. fit a scikit-learn `LinearRegression` on five points and predict;
//! 3. save the model in joblib's format to `regression_model.pickle` (Python's
//!    `joblib.load('regression_model.pickle')` returns a working sklearn `LinearRegression`), load
//!    it back and predict again.
//!
//! Run with `cargo run --release --example lesson`. Files are written to the current directory.

use std::error::Error;

use brine_pickle::{from_slice, repr::repr, to_vec, Graph, WriteOptions};
use brine_sklearn::ndarray::{array, Array2, Ix1};
use brine_sklearn::{format_array1, LinearRegression};

/// `y = 1.0x + 1.0`: the line of a one-feature model, with one decimal.
fn equation(model: &LinearRegression) -> String {
    format!(
        "y = {:.1}x + {:.1}",
        model.coef().get([0, 0]).copied().unwrap_or(f64::NAN),
        model.intercept().first().copied().unwrap_or(f64::NAN)
    )
}

/// `model.predict(x)`, printed as numpy prints a 1-D float array.
fn predict(model: &LinearRegression, x: &Array2<f64>) -> Result<String, Box<dyn Error>> {
    let y = model.predict_array(x)?.into_dimensionality::<Ix1>()?;
    Ok(format_array1(&y))
}

fn main() -> Result<(), Box<dyn Error>> {
    // 1. A pickle of plain data, built node by node.
    let mut g = Graph::new();
    let one = g.int(1);
    let two = g.float(2.0);
    let three = g.int(3);
    let cplx = g.complex(4.0, 6.0);
    let a = g.list(vec![one, two, three, cplx]);
    let s = g.str("character string");
    let b = g.bytes(b"byte string");
    let bt = g.tuple(vec![s, b]);
    // CPython iterates this set as False, True, None, and pickles it in that order.
    let f = g.bool(false);
    let t = g.bool(true);
    let n = g.none();
    let c = g.set(vec![f, t, n]);
    let (ka, kb, kc) = (g.str("a"), g.str("b"), g.str("c"));
    let root = g.dict(vec![(ka, a), (kb, bt), (kc, c)]);
    g.set_root(root);
    std::fs::write("data.pickle", to_vec(&g, &WriteOptions::default())?)?;

    let data = std::fs::read("data.pickle")?;
    let back = from_slice(&data)?;
    let root = back.root().ok_or("data.pickle holds no value")?;
    println!("{}", repr(&back, root));

    // 2. Fit a linear regression and predict.
    let x = array![[1.0], [2.0], [3.0], [4.0], [5.0]];
    let y = array![2.0, 3.0, 4.0, 5.0, 6.0];
    let model = LinearRegression::fit(&x, &y, None)?;
    println!("Fitted model is {}", equation(&model));
    println!("{}", predict(&model, &array![[7.0], [8.0], [9.0]])?);

    // 3. Save it as joblib.dump would, load it back, predict again.
    model.save("regression_model.pickle")?;
    let loaded = LinearRegression::load("regression_model.pickle")?;
    println!("Loaded model is {}", equation(&loaded));
    println!("{}", predict(&loaded, &array![[10.0], [11.0], [12.0]])?);
    Ok(())
}

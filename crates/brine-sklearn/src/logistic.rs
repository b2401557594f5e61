//! `LogisticRegression`, and the linear classifier kernel shared with `SGDClassifier` and `LinearSVC`.

use ndarray::{Array1, Array2, ArrayD, Axis};

use crate::data::{Data, Labels, Prediction};
use crate::error::Result;
use crate::linear::{linear_decision, read_coef};
use crate::state::{Common, State};
use crate::{Estimator, Method};

/// `coef_`, `intercept_` and `classes_` of a fitted linear classifier.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearClassifier {
    /// Shared description.
    pub common: Common,
    /// `coef_`: one row for a binary problem, one per class otherwise.
    pub coef: Array2<f64>,
    /// `intercept_`.
    pub intercept: Array1<f64>,
    /// `classes_`.
    pub classes: Labels,
}

impl LinearClassifier {
    /// Reads the shared state.
    pub fn from_state(st: &State<'_>, params: &[&str]) -> Result<LinearClassifier> {
        let (coef, intercept, _) = read_coef(st)?;
        let classes = st.labels("classes_")?;
        let expected_rows = if classes.len() == 2 { 1 } else { classes.len() };
        if coef.nrows() != expected_rows {
            return Err(st.bad(
                "coef_",
                format!("{} rows for {} classes", coef.nrows(), classes.len()),
            ));
        }
        let mut common = st.common(params)?;
        if common.n_features_in.is_none() {
            common.n_features_in = Some(coef.ncols());
        }
        Ok(LinearClassifier {
            common,
            coef,
            intercept,
            classes,
        })
    }

    /// The decision values as `(n_samples, n_rows_of_coef)`.
    pub fn decision_2d(&self, x: &Data) -> Result<Array2<f64>> {
        let x = self.common.check_dense(x)?;
        Ok(linear_decision(&x, &self.coef, &self.intercept))
    }

    /// sklearn's shape: 1-D for binary.
    pub fn decision(&self, x: &Data) -> Result<ArrayD<f64>> {
        let d = self.decision_2d(x)?;
        Ok(squeeze(d))
    }

    /// `classes_[d > 0]` for binary, `classes_[argmax(D)]` otherwise.
    pub fn predict_labels(&self, x: &Data) -> Result<Labels> {
        let d = self.decision_2d(x)?;
        let idx: Vec<usize> = if d.ncols() == 1 {
            d.column(0).iter().map(|&v| usize::from(v > 0.0)).collect()
        } else {
            d.rows()
                .into_iter()
                .map(|r| argmax(r.iter().copied()))
                .collect()
        };
        self.classes.take(&idx)
    }
}

/// Drops the second axis when it has length 1.
pub(crate) fn squeeze(d: Array2<f64>) -> ArrayD<f64> {
    if d.ncols() == 1 {
        d.index_axis(Axis(1), 0).to_owned().into_dyn()
    } else {
        d.into_dyn()
    }
}

/// numpy's argmax: the first maximum (NaN wins, as in numpy).
pub(crate) fn argmax(values: impl Iterator<Item = f64>) -> usize {
    let mut best = 0;
    let mut best_v = f64::NEG_INFINITY;
    for (i, v) in values.enumerate() {
        if v.is_nan() {
            return i;
        }
        if i == 0 || v > best_v {
            best = i;
            best_v = v;
        }
    }
    best
}

/// scipy's `expit`.
pub(crate) fn expit(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// sklearn's `extmath.softmax`, row-wise, in place.
pub(crate) fn softmax(mut d: Array2<f64>) -> Array2<f64> {
    for mut row in d.rows_mut() {
        let m = row.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        row.mapv_inplace(|v| (v - m).exp());
        let s: f64 = row.iter().sum();
        row.mapv_inplace(|v| v / s);
    }
    d
}

/// One-vs-rest probabilities (`_predict_proba_lr`): sigmoid, then rows normalised (an all-zero row
/// becomes uniform); binary gives `[1 - p, p]`.
pub(crate) fn ovr_proba(d: Array2<f64>) -> Array2<f64> {
    binary_or_normalized(d.mapv(expit))
}

/// Per-class scores as probabilities: one column `p` gives `[1 - p, p]`, several are normalised
/// row by row ([`normalize_rows`]).
pub(crate) fn binary_or_normalized(p: Array2<f64>) -> Array2<f64> {
    if p.ncols() == 1 {
        let mut out = Array2::zeros((p.nrows(), 2));
        for (i, &v) in p.column(0).iter().enumerate() {
            out[[i, 0]] = 1.0 - v;
            out[[i, 1]] = v;
        }
        return out;
    }
    normalize_rows(p)
}

/// Divides each row by its sum; an all-zero row becomes uniform.
fn normalize_rows(mut p: Array2<f64>) -> Array2<f64> {
    let k = p.ncols() as f64;
    for mut row in p.rows_mut() {
        let s: f64 = row.iter().sum();
        if s == 0.0 {
            row.fill(1.0 / k);
        } else {
            row.mapv_inplace(|v| v / s);
        }
    }
    p
}

/// How `predict_proba` turns decision values into probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbaMode {
    /// Sigmoid per class, normalised (binary: `[1-σ, σ]`).
    Ovr,
    /// Softmax over classes; a binary model uses `softmax([-d, d])`.
    Multinomial,
}

/// A fitted `LogisticRegression`.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticRegression {
    /// `coef_`, `intercept_`, `classes_`.
    pub linear: LinearClassifier,
    /// How probabilities are computed, from `multi_class`/`solver` and the pickling version.
    pub mode: ProbaMode,
}

impl LogisticRegression {
    /// Reads a pickled `LogisticRegression` of any version since 1.0.
    ///
    /// Version rules (sklearn's own code at the pickling version): without a `multi_class` key
    /// (1.8+), binary uses the sigmoid and multiclass the softmax. With it, `'ovr'` (and 0.2x's
    /// `'warn'`) is one-vs-rest; `'auto'` is one-vs-rest for binary or `liblinear`, else
    /// multinomial; `'multinomial'` is multinomial, also for a binary model (`softmax([-d, d])`).
    pub fn from_state(st: &State<'_>) -> Result<LogisticRegression> {
        let linear = LinearClassifier::from_state(
            st,
            &[
                "penalty",
                "C",
                "l1_ratio",
                "solver",
                "multi_class",
                "max_iter",
                "fit_intercept",
                "class_weight",
            ],
        )?;
        let binary = linear.classes.len() <= 2;
        let solver = st.str("solver").unwrap_or("lbfgs");
        let mode = match st.str("multi_class") {
            None | Some("deprecated") => {
                if binary {
                    ProbaMode::Ovr
                } else {
                    ProbaMode::Multinomial
                }
            }
            Some("ovr") | Some("warn") => ProbaMode::Ovr,
            Some("auto") => {
                if binary || solver == "liblinear" {
                    ProbaMode::Ovr
                } else {
                    ProbaMode::Multinomial
                }
            }
            Some("multinomial") => ProbaMode::Multinomial,
            Some(other) => return Err(st.unsupported(format!("multi_class={other:?}"))),
        };
        Ok(LogisticRegression { linear, mode })
    }
}

impl Estimator for LogisticRegression {
    fn common(&self) -> &Common {
        &self.linear.common
    }
    fn methods(&self) -> Vec<Method> {
        vec![
            Method::Predict,
            Method::PredictProba,
            Method::DecisionFunction,
        ]
    }
    fn predict(&self, x: &Data) -> Result<Prediction> {
        Ok(Prediction::Labels(self.linear.predict_labels(x)?))
    }
    fn predict_proba(&self, x: &Data) -> Result<Array2<f64>> {
        let d = self.linear.decision_2d(x)?;
        Ok(match self.mode {
            ProbaMode::Ovr => ovr_proba(d),
            ProbaMode::Multinomial if d.ncols() == 1 => {
                let mut two = Array2::zeros((d.nrows(), 2));
                for (i, &v) in d.column(0).iter().enumerate() {
                    two[[i, 0]] = -v;
                    two[[i, 1]] = v;
                }
                softmax(two)
            }
            ProbaMode::Multinomial => softmax(d),
        })
    }
    fn decision_function(&self, x: &Data) -> Result<ArrayD<f64>> {
        self.linear.decision(x)
    }
    fn classes(&self) -> Option<&Labels> {
        Some(&self.linear.classes)
    }
}

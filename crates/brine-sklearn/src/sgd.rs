//! `SGDClassifier` (`SGDRegressor` is a [`crate::linear::LinearModel`]).

use ndarray::{Array2, ArrayD};

use crate::data::{Data, Labels, Prediction};
use crate::error::{Result, SklearnError};
use crate::logistic::{binary_or_normalized, ovr_proba, LinearClassifier};
use crate::state::{Common, State};
use crate::{Estimator, Method};

/// A fitted `SGDClassifier`. `predict_proba` exists for `log_loss` (`log` before 1.3) and
/// `modified_huber`, as in sklearn.
#[derive(Debug, Clone, PartialEq)]
pub struct SgdClassifier {
    /// `coef_`, `intercept_`, `classes_`.
    pub linear: LinearClassifier,
    /// The `loss` parameter.
    pub loss: String,
}

impl SgdClassifier {
    /// Reads a pickled `SGDClassifier`.
    pub fn from_state(st: &State<'_>) -> Result<SgdClassifier> {
        let linear = LinearClassifier::from_state(
            st,
            &[
                "loss",
                "penalty",
                "alpha",
                "l1_ratio",
                "max_iter",
                "tol",
                "learning_rate",
                "random_state",
                "average",
            ],
        )?;
        let loss = st.str("loss").unwrap_or("hinge").to_string();
        Ok(SgdClassifier { linear, loss })
    }

    fn has_proba(&self) -> bool {
        matches!(self.loss.as_str(), "log_loss" | "log" | "modified_huber")
    }
}

impl Estimator for SgdClassifier {
    fn common(&self) -> &Common {
        &self.linear.common
    }
    fn methods(&self) -> Vec<Method> {
        if self.has_proba() {
            vec![
                Method::Predict,
                Method::PredictProba,
                Method::DecisionFunction,
            ]
        } else {
            vec![Method::Predict, Method::DecisionFunction]
        }
    }
    fn predict(&self, x: &Data) -> Result<Prediction> {
        Ok(Prediction::Labels(self.linear.predict_labels(x)?))
    }
    fn predict_proba(&self, x: &Data) -> Result<Array2<f64>> {
        let d = self.linear.decision_2d(x)?;
        match self.loss.as_str() {
            "log_loss" | "log" => Ok(ovr_proba(d)),
            "modified_huber" => Ok(binary_or_normalized(
                d.mapv(|v| (v.clamp(-1.0, 1.0) + 1.0) / 2.0),
            )),
            other => Err(SklearnError::NoMethod {
                class: format!("SGDClassifier(loss={other:?})"),
                method: "predict_proba".into(),
            }),
        }
    }
    fn decision_function(&self, x: &Data) -> Result<ArrayD<f64>> {
        self.linear.decision(x)
    }
    fn classes(&self) -> Option<&Labels> {
        Some(&self.linear.classes)
    }
}

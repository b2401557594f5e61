//! `LinearSVC`.

use ndarray::ArrayD;

use crate::data::{Data, Labels, Prediction};
use crate::error::Result;
use crate::logistic::LinearClassifier;
use crate::state::{Common, State};
use crate::{Estimator, Method};

/// A fitted `LinearSVC` (also `crammer_singer`): `decision_function` and `predict`, no probabilities.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearSvc {
    /// `coef_`, `intercept_`, `classes_`.
    pub linear: LinearClassifier,
}

impl LinearSvc {
    /// Reads a pickled `LinearSVC`.
    pub fn from_state(st: &State<'_>) -> Result<LinearSvc> {
        Ok(LinearSvc {
            linear: LinearClassifier::from_state(
                st,
                &[
                    "penalty",
                    "loss",
                    "dual",
                    "tol",
                    "C",
                    "multi_class",
                    "fit_intercept",
                    "max_iter",
                ],
            )?,
        })
    }
}

impl Estimator for LinearSvc {
    fn common(&self) -> &Common {
        &self.linear.common
    }
    fn methods(&self) -> Vec<Method> {
        vec![Method::Predict, Method::DecisionFunction]
    }
    fn predict(&self, x: &Data) -> Result<Prediction> {
        Ok(Prediction::Labels(self.linear.predict_labels(x)?))
    }
    fn decision_function(&self, x: &Data) -> Result<ArrayD<f64>> {
        self.linear.decision(x)
    }
    fn classes(&self) -> Option<&Labels> {
        Some(&self.linear.classes)
    }
}

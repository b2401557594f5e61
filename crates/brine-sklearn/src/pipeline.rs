//! `Pipeline`.

use ndarray::{Array2, ArrayD};

use crate::data::{Data, Labels, Prediction};
use crate::error::Result;
use crate::state::{Common, State};
use crate::{load_estimator, Estimator, Method};

/// A fitted `Pipeline`: every step but the last transforms; the last step answers the method.
/// `None` and `'passthrough'` steps are skipped.
#[derive(Debug)]
pub struct Pipeline {
    common: Common,
    /// The steps, by name (`None` for a passthrough step).
    pub steps: Vec<(String, Option<Box<dyn Estimator>>)>,
}

impl Pipeline {
    /// Reads a pickled `Pipeline`, loading every step.
    pub fn from_state(st: &State<'_>) -> Result<Pipeline> {
        let steps_v = st.req("steps")?;
        let mut steps = Vec::new();
        for step in steps_v.items() {
            let name = step
                .item(0)
                .and_then(|n| n.as_str())
                .ok_or_else(|| st.bad("steps", "expected (name, estimator) pairs"))?
                .to_string();
            let est = step
                .item(1)
                .ok_or_else(|| st.bad("steps", "expected (name, estimator) pairs"))?;
            let est = if est.is_none() || est.as_str() == Some("passthrough") {
                None
            } else {
                Some(load_estimator(est.graph(), est.id())?)
            };
            steps.push((name, est));
        }
        if steps.is_empty() {
            return Err(st.bad("steps", "no steps"));
        }
        let common = st.common(&["memory", "verbose"])?;
        Ok(Pipeline { common, steps })
    }

    fn first(&self) -> Option<&dyn Estimator> {
        self.steps.iter().find_map(|(_, e)| e.as_deref())
    }

    fn last(&self) -> Option<&dyn Estimator> {
        self.steps.last().and_then(|(_, e)| e.as_deref())
    }

    /// Runs every step but the last.
    fn pre(&self, x: &Data) -> Result<Data> {
        let mut cur: Option<Data> = None;
        let n = self.steps.len().saturating_sub(1);
        for (_, step) in self.steps.iter().take(n) {
            if let Some(est) = step {
                let input = cur.as_ref().unwrap_or(x);
                cur = Some(est.transform_data(input)?);
            }
        }
        Ok(cur.unwrap_or_else(|| x.clone()))
    }
}

impl Estimator for Pipeline {
    fn common(&self) -> &Common {
        &self.common
    }
    fn methods(&self) -> Vec<Method> {
        match self.last() {
            Some(e) => e.methods(),
            None => vec![Method::Transform],
        }
    }
    fn predict(&self, x: &Data) -> Result<Prediction> {
        match self.last() {
            Some(e) => e.predict(&self.pre(x)?),
            None => Err(self.no_method(Method::Predict)),
        }
    }
    fn predict_proba(&self, x: &Data) -> Result<Array2<f64>> {
        match self.last() {
            Some(e) => e.predict_proba(&self.pre(x)?),
            None => Err(self.no_method(Method::PredictProba)),
        }
    }
    fn decision_function(&self, x: &Data) -> Result<ArrayD<f64>> {
        match self.last() {
            Some(e) => e.decision_function(&self.pre(x)?),
            None => Err(self.no_method(Method::DecisionFunction)),
        }
    }
    fn transform(&self, x: &Data) -> Result<Array2<f64>> {
        let pre = self.pre(x)?;
        match self.last() {
            Some(e) => e.transform(&pre),
            None => pre.to_dense().map(|c| c.into_owned()),
        }
    }
    fn transform_data(&self, x: &Data) -> Result<Data> {
        let pre = self.pre(x)?;
        match self.last() {
            Some(e) => e.transform_data(&pre),
            None => Ok(pre),
        }
    }
    fn classes(&self) -> Option<&Labels> {
        self.last().and_then(|e| e.classes())
    }
    fn children(&self) -> Vec<(String, &dyn Estimator)> {
        self.steps
            .iter()
            .filter_map(|(n, e)| e.as_deref().map(|e| (n.clone(), e)))
            .collect()
    }
    fn n_features_in(&self) -> Option<usize> {
        self.common
            .n_features_in
            .or_else(|| self.first().and_then(|e| e.n_features_in()))
    }
    fn feature_names_in(&self) -> Option<&[String]> {
        self.common
            .feature_names_in
            .as_deref()
            .or_else(|| self.first().and_then(|e| e.feature_names_in()))
    }
}

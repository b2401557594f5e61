//! `GaussianNB`.

use ndarray::{Array1, Array2};

use crate::data::{Data, Labels, Prediction};
use crate::error::Result;
use crate::logistic::argmax;
use crate::state::{Common, State};
use crate::{Estimator, Method};

/// A fitted `GaussianNB`.
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianNb {
    common: Common,
    /// `classes_`.
    pub classes: Labels,
    /// `theta_`: per-class means.
    pub theta: Array2<f64>,
    /// `var_` (`sigma_` before 1.0): per-class variances, smoothing included.
    pub var: Array2<f64>,
    /// `class_prior_`.
    pub class_prior: Array1<f64>,
}

impl GaussianNb {
    /// Reads a pickled `GaussianNB` (`var_`, or `sigma_` from sklearn < 1.0).
    pub fn from_state(st: &State<'_>) -> Result<GaussianNb> {
        let var = if st.get_some("var_").is_some() {
            st.array2("var_")?
        } else {
            st.array2("sigma_")?
        };
        let theta = st.array2("theta_")?;
        let classes = st.labels("classes_")?;
        let class_prior = st.array1("class_prior_")?;
        if theta.dim() != var.dim()
            || theta.nrows() != classes.len()
            || class_prior.len() != classes.len()
        {
            return Err(st.bad(
                "theta_",
                "theta_, var_, class_prior_ and classes_ disagree in shape",
            ));
        }
        let mut common = st.common(&["priors", "var_smoothing"])?;
        if common.n_features_in.is_none() {
            common.n_features_in = Some(theta.ncols());
        }
        Ok(GaussianNb {
            common,
            classes,
            theta,
            var,
            class_prior,
        })
    }

    /// The joint log likelihood, `(n_samples, n_classes)`, computed as sklearn does.
    pub fn joint_log_likelihood(&self, x: &Data) -> Result<Array2<f64>> {
        let x = self.common.check_dense(x)?;
        let k = self.classes.len();
        let mut jll = Array2::zeros((x.nrows(), k));
        for c in 0..k {
            let prior = self.class_prior[c].ln();
            let mut n_ij = 0.0;
            for &v in self.var.row(c) {
                n_ij += (2.0 * std::f64::consts::PI * v).ln();
            }
            let n_ij = -0.5 * n_ij;
            for (i, row) in x.rows().into_iter().enumerate() {
                let mut s = 0.0;
                for ((&xv, &m), &v) in row.iter().zip(self.theta.row(c)).zip(self.var.row(c)) {
                    s += (xv - m) * (xv - m) / v;
                }
                jll[[i, c]] = prior + (n_ij - 0.5 * s);
            }
        }
        Ok(jll)
    }
}

/// scipy's `logsumexp` along rows.
pub(crate) fn logsumexp_rows(a: &Array2<f64>) -> Array1<f64> {
    a.rows()
        .into_iter()
        .map(|r| {
            let m = r.iter().fold(f64::NEG_INFINITY, |x, &y| x.max(y));
            if !m.is_finite() {
                return m;
            }
            let s: f64 = r.iter().map(|&v| (v - m).exp()).sum();
            s.ln() + m
        })
        .collect()
}

impl Estimator for GaussianNb {
    fn common(&self) -> &Common {
        &self.common
    }
    fn methods(&self) -> Vec<Method> {
        vec![Method::Predict, Method::PredictProba]
    }
    fn predict(&self, x: &Data) -> Result<Prediction> {
        let jll = self.joint_log_likelihood(x)?;
        let idx: Vec<usize> = jll
            .rows()
            .into_iter()
            .map(|r| argmax(r.iter().copied()))
            .collect();
        Ok(Prediction::Labels(self.classes.take(&idx)?))
    }
    fn predict_proba(&self, x: &Data) -> Result<Array2<f64>> {
        let jll = self.joint_log_likelihood(x)?;
        let lse = logsumexp_rows(&jll);
        let mut out = jll;
        for (mut row, l) in out.rows_mut().into_iter().zip(lse.iter()) {
            row.mapv_inplace(|v| (v - l).exp());
        }
        Ok(out)
    }
    fn classes(&self) -> Option<&Labels> {
        Some(&self.classes)
    }
}

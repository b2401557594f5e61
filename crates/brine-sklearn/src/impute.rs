//! `SimpleImputer`.

use ndarray::{Array1, Array2};

use crate::arrays;
use crate::data::Data;
use crate::error::{Result, SklearnError};
use crate::state::{Common, State};
use crate::{Estimator, Method};

/// A fitted `SimpleImputer` on numeric data (any strategy), with `add_indicator` support.
#[derive(Debug, Clone, PartialEq)]
pub struct SimpleImputer {
    common: Common,
    /// `statistics_`: the fill value per input column (NaN for columns all-missing at fit).
    pub statistics: Array1<f64>,
    /// The marker of a missing value (`NaN` by default).
    pub missing_values: f64,
    /// Keep columns whose statistic is NaN (`keep_empty_features`).
    pub keep_empty_features: bool,
    /// `indicator_.features_`: the columns whose missing mask is appended (`add_indicator`).
    pub indicator_features: Option<Vec<usize>>,
}

impl SimpleImputer {
    /// Reads a pickled `SimpleImputer`.
    pub fn from_state(st: &State<'_>) -> Result<SimpleImputer> {
        let statistics = st.array1("statistics_").map_err(|_| {
            st.unsupported("statistics_ is not numeric (imputing text columns is not supported)")
        })?;
        let missing_values = match st.get("missing_values") {
            None => f64::NAN,
            Some(v) if v.is_none() => f64::NAN,
            Some(v) => arrays::scalar_f64(v)
                .ok_or_else(|| st.unsupported("missing_values must be a number or NaN"))?,
        };
        let indicator_features = match st.get_some("indicator_") {
            Some(ind) => {
                let ist = State::of(ind)?;
                let f = ist.array1("features_")?;
                Some(f.iter().map(|&v| v as usize).collect())
            }
            None => None,
        };
        let mut common = st.common(&[
            "missing_values",
            "strategy",
            "fill_value",
            "add_indicator",
            "keep_empty_features",
        ])?;
        if common.n_features_in.is_none() {
            common.n_features_in = Some(statistics.len());
        }
        Ok(SimpleImputer {
            common,
            statistics,
            missing_values,
            keep_empty_features: st.bool_or("keep_empty_features", false),
            indicator_features,
        })
    }

    fn is_missing(&self, v: f64) -> bool {
        if self.missing_values.is_nan() {
            v.is_nan()
        } else {
            v == self.missing_values
        }
    }
}

impl Estimator for SimpleImputer {
    fn common(&self) -> &Common {
        &self.common
    }
    fn methods(&self) -> Vec<Method> {
        vec![Method::Transform]
    }
    fn transform(&self, x: &Data) -> Result<Array2<f64>> {
        let x = self.common.check_dense(x)?;
        if x.ncols() != self.statistics.len() {
            return Err(SklearnError::Input(format!(
                "X has {} features per sample, expected {}",
                x.ncols(),
                self.statistics.len()
            )));
        }
        let keep: Vec<usize> = (0..self.statistics.len())
            .filter(|&j| self.keep_empty_features || !self.statistics[j].is_nan())
            .collect();
        let n_ind = self.indicator_features.as_ref().map(Vec::len).unwrap_or(0);
        let mut out = Array2::zeros((x.nrows(), keep.len() + n_ind));
        for (i, row) in x.rows().into_iter().enumerate() {
            for (o, &j) in keep.iter().enumerate() {
                let v = row[j];
                out[[i, o]] = if self.is_missing(v) {
                    self.statistics[j]
                } else {
                    v
                };
            }
            if let Some(feats) = &self.indicator_features {
                for (o, &j) in feats.iter().enumerate() {
                    let v = row.get(j).copied().unwrap_or(0.0);
                    out[[i, keep.len() + o]] = if self.is_missing(v) { 1.0 } else { 0.0 };
                }
            }
        }
        Ok(out)
    }
}

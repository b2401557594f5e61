//! `PolynomialFeatures`.

use ndarray::Array2;

use crate::data::Data;
use crate::error::{Result, SklearnError};
use crate::state::{Common, State};
use crate::{Estimator, Method};

/// A fitted `PolynomialFeatures`: the bias column, then every product of degree `min..=max` in
/// sklearn's order (`combinations_with_replacement`, or `combinations` when `interaction_only`).
#[derive(Debug, Clone, PartialEq)]
pub struct PolynomialFeatures {
    common: Common,
    /// The output columns: the feature indices multiplied, left to right (empty = bias).
    pub terms: Vec<Vec<usize>>,
}

/// Most output columns accepted (a guard against absurd degrees in a hostile file).
const MAX_TERMS: usize = 1 << 20;

impl PolynomialFeatures {
    /// Reads a pickled `PolynomialFeatures`.
    pub fn from_state(st: &State<'_>) -> Result<PolynomialFeatures> {
        let n = st.i64("n_features_in_")?;
        let n = usize::try_from(n).map_err(|_| st.bad("n_features_in_", "negative"))?;
        let (min_d, max_d) = if st.get("_max_degree").is_some() {
            (st.i64("_min_degree")?, st.i64("_max_degree")?)
        } else {
            (0, st.i64("degree")?)
        };
        let min_d = usize::try_from(min_d).map_err(|_| st.bad("_min_degree", "negative"))?;
        let max_d = usize::try_from(max_d).map_err(|_| st.bad("_max_degree", "negative"))?;
        let interaction_only = st.bool_or("interaction_only", false);
        let include_bias = st.bool_or("include_bias", true);
        let mut terms: Vec<Vec<usize>> = Vec::new();
        if include_bias {
            terms.push(Vec::new());
        }
        for d in min_d.max(1)..=max_d {
            if n == 0 {
                break;
            }
            let mut combo: Vec<usize> = vec![0; d];
            if interaction_only {
                if d > n {
                    break;
                }
                for (k, c) in combo.iter_mut().enumerate() {
                    *c = k;
                }
            }
            loop {
                terms.push(combo.clone());
                if terms.len() > MAX_TERMS {
                    return Err(st.unsupported("more than 2^20 output features"));
                }
                // next combination in lexicographic order
                let mut k = d;
                let mut advanced = false;
                while k > 0 {
                    k -= 1;
                    let limit = if interaction_only { n - (d - k) } else { n - 1 };
                    if combo[k] < limit {
                        combo[k] += 1;
                        for m in k + 1..d {
                            combo[m] = if interaction_only {
                                combo[m - 1] + 1
                            } else {
                                combo[k]
                            };
                        }
                        advanced = true;
                        break;
                    }
                }
                if !advanced {
                    break;
                }
            }
        }
        let common = st.common(&["degree", "interaction_only", "include_bias", "order"])?;
        Ok(PolynomialFeatures { common, terms })
    }
}

impl Estimator for PolynomialFeatures {
    fn common(&self) -> &Common {
        &self.common
    }
    fn methods(&self) -> Vec<Method> {
        vec![Method::Transform]
    }
    fn transform(&self, x: &Data) -> Result<Array2<f64>> {
        let x = self.common.check_dense(x)?;
        let mut out = Array2::zeros((x.nrows(), self.terms.len()));
        for (i, row) in x.rows().into_iter().enumerate() {
            for (o, term) in self.terms.iter().enumerate() {
                let mut it = term.iter();
                let mut v = match it.next() {
                    None => 1.0,
                    Some(&j) => *row
                        .get(j)
                        .ok_or_else(|| SklearnError::Input("feature index out of range".into()))?,
                };
                for &j in it {
                    v *= row.get(j).copied().unwrap_or(f64::NAN);
                }
                out[[i, o]] = v;
            }
        }
        Ok(out)
    }
}

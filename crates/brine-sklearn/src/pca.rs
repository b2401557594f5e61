//! `PCA`.

use ndarray::{Array1, Array2};

use crate::data::Data;
use crate::error::Result;
use crate::linear::matmul_t;
use crate::state::{Common, State};
use crate::{Estimator, Method};

/// A fitted `PCA`: `(X - mean_) @ components_.T`, whitened if asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    common: Common,
    /// `mean_` (`None` for a model without centring).
    pub mean: Option<Array1<f64>>,
    /// `components_`.
    pub components: Array2<f64>,
    /// `explained_variance_`, when whitening.
    pub whiten: Option<Array1<f64>>,
    /// sklearn ≥ 1.4 projects first and subtracts `mean_ @ components_.T` after, and clips the
    /// whitening scale at machine epsilon; older versions centre first.
    project_first: bool,
}

impl Pca {
    /// Reads a pickled `PCA`.
    pub fn from_state(st: &State<'_>) -> Result<Pca> {
        let components = st.array2("components_")?;
        let mean = st.opt_array1("mean_")?;
        if let Some(m) = &mean {
            if m.len() != components.ncols() {
                return Err(st.bad("mean_", "length differs from the columns of components_"));
            }
        }
        let whiten = if st.bool_or("whiten", false) {
            let ev = st.array1("explained_variance_")?;
            if ev.len() != components.nrows() {
                return Err(st.bad(
                    "explained_variance_",
                    "length differs from the rows of components_",
                ));
            }
            Some(ev)
        } else {
            None
        };
        let mut common = st.common(&["n_components", "whiten", "svd_solver", "random_state"])?;
        if common.n_features_in.is_none() {
            common.n_features_in = Some(components.ncols());
        }
        let project_first = common.version_tuple() >= (1, 4);
        Ok(Pca {
            common,
            mean,
            components,
            whiten,
            project_first,
        })
    }
}

impl Estimator for Pca {
    fn common(&self) -> &Common {
        &self.common
    }
    fn methods(&self) -> Vec<Method> {
        vec![Method::Transform]
    }
    fn transform(&self, x: &Data) -> Result<Array2<f64>> {
        let x = self.common.check_dense(x)?;
        let mut out = if self.project_first {
            let mut out = matmul_t(&x, &self.components);
            if let Some(m) = &self.mean {
                let m2 = m.view().insert_axis(ndarray::Axis(0)).to_owned();
                let shift = matmul_t(&m2, &self.components);
                for mut row in out.rows_mut() {
                    row.zip_mut_with(&shift.row(0), |v, &s| *v -= s);
                }
            }
            out
        } else {
            let mut xc = x.into_owned();
            if let Some(m) = &self.mean {
                for mut row in xc.rows_mut() {
                    row.zip_mut_with(m, |v, &s| *v -= s);
                }
            }
            matmul_t(&xc, &self.components)
        };
        if let Some(ev) = &self.whiten {
            let scale: Vec<f64> = ev
                .iter()
                .map(|&v| {
                    let s = v.sqrt();
                    if self.project_first && s < f64::EPSILON {
                        f64::EPSILON
                    } else {
                        s
                    }
                })
                .collect();
            for mut row in out.rows_mut() {
                for (v, s) in row.iter_mut().zip(&scale) {
                    *v /= s;
                }
            }
        }
        Ok(out)
    }
}

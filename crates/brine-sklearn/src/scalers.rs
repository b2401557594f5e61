//! `StandardScaler`, `MinMaxScaler`, `RobustScaler`.

use ndarray::{Array1, Array2};

use crate::data::Data;
use crate::error::Result;
use crate::state::{Common, State};
use crate::{Estimator, Method};

/// One fitted scaler: `X' = (X - shift) / scale`, or for `MinMaxScaler` `X * scale + min`, clipped.
#[derive(Debug, Clone, PartialEq)]
pub struct Scaler {
    common: Common,
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// StandardScaler and RobustScaler: subtract then divide (each optional).
    CenterScale {
        center: Option<Array1<f64>>,
        scale: Option<Array1<f64>>,
    },
    /// MinMaxScaler.
    MinMax {
        scale: Array1<f64>,
        min: Array1<f64>,
        clip: Option<(f64, f64)>,
    },
}

impl Scaler {
    /// Reads a pickled `StandardScaler`, `MinMaxScaler` or `RobustScaler`.
    pub fn from_state(st: &State<'_>) -> Result<Scaler> {
        let (kind, params): (Kind, &[&str]) = match st.class() {
            "StandardScaler" => (
                Kind::CenterScale {
                    center: if st.bool_or("with_mean", true) {
                        st.opt_array1("mean_")?
                    } else {
                        None
                    },
                    scale: if st.bool_or("with_std", true) {
                        st.opt_array1("scale_")?
                    } else {
                        None
                    },
                },
                &["with_mean", "with_std", "copy"],
            ),
            "RobustScaler" => (
                Kind::CenterScale {
                    center: if st.bool_or("with_centering", true) {
                        st.opt_array1("center_")?
                    } else {
                        None
                    },
                    scale: if st.bool_or("with_scaling", true) {
                        st.opt_array1("scale_")?
                    } else {
                        None
                    },
                },
                &[
                    "with_centering",
                    "with_scaling",
                    "quantile_range",
                    "unit_variance",
                    "copy",
                ],
            ),
            _ => {
                let clip = if st.bool_or("clip", false) {
                    let fr = st.req("feature_range")?;
                    let lo = fr.item(0).and_then(|v| crate::arrays::scalar_f64(v));
                    let hi = fr.item(1).and_then(|v| crate::arrays::scalar_f64(v));
                    match (lo, hi) {
                        (Some(lo), Some(hi)) => Some((lo, hi)),
                        _ => return Err(st.bad("feature_range", "expected two numbers")),
                    }
                } else {
                    None
                };
                (
                    Kind::MinMax {
                        scale: st.array1("scale_")?,
                        min: st.array1("min_")?,
                        clip,
                    },
                    &["feature_range", "copy", "clip"],
                )
            }
        };
        let mut common = st.common(params)?;
        let n = match &kind {
            Kind::CenterScale { center, scale } => {
                center.as_ref().or(scale.as_ref()).map(|a| a.len())
            }
            Kind::MinMax { scale, min, .. } => {
                if scale.len() != min.len() {
                    return Err(st.bad("min_", "scale_ and min_ differ in length"));
                }
                Some(scale.len())
            }
        };
        if let Kind::CenterScale {
            center: Some(c),
            scale: Some(s),
        } = &kind
        {
            if c.len() != s.len() {
                return Err(st.bad("scale_", "center and scale differ in length"));
            }
        }
        if common.n_features_in.is_none() {
            common.n_features_in = n;
        }
        Ok(Scaler { common, kind })
    }
}

impl Estimator for Scaler {
    fn common(&self) -> &Common {
        &self.common
    }
    fn methods(&self) -> Vec<Method> {
        vec![Method::Transform]
    }
    fn transform(&self, x: &Data) -> Result<Array2<f64>> {
        let mut x = self.common.check_dense_allow_nan(x)?.into_owned();
        match &self.kind {
            Kind::CenterScale { center, scale } => {
                for mut row in x.rows_mut() {
                    if let Some(c) = center {
                        row.zip_mut_with(c, |v, &m| *v -= m);
                    }
                    if let Some(s) = scale {
                        row.zip_mut_with(s, |v, &d| *v /= d);
                    }
                }
            }
            Kind::MinMax { scale, min, clip } => {
                for mut row in x.rows_mut() {
                    row.zip_mut_with(scale, |v, &s| *v *= s);
                    row.zip_mut_with(min, |v, &m| *v += m);
                    if let Some((lo, hi)) = clip {
                        row.mapv_inplace(|v| if v.is_nan() { v } else { v.max(*lo).min(*hi) });
                    }
                }
            }
        }
        Ok(x)
    }
}

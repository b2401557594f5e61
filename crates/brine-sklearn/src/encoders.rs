//! `OneHotEncoder` and `OrdinalEncoder`, on numeric or text columns.

use brine_pickle::Node;
use ndarray::Array2;

use crate::arrays::{self, Elems};
use crate::data::{ColumnRef, Data};
use crate::error::{Result, SklearnError};
use crate::state::{Common, State};
use crate::{Estimator, Method};

/// The categories of one input column (`categories_[i]`), sorted as sklearn stored them.
#[derive(Debug, Clone, PartialEq)]
pub enum Categories {
    /// Numeric categories (NaN, if seen at fit, is last).
    Num(Vec<f64>),
    /// Text categories (`None` stands for a missing value seen at fit, stored last).
    Str(Vec<Option<String>>),
}

impl Categories {
    fn len(&self) -> usize {
        match self {
            Categories::Num(v) => v.len(),
            Categories::Str(v) => v.len(),
        }
    }
}

fn read_categories(st: &State<'_>) -> Result<Vec<Categories>> {
    let list = st.req("categories_")?;
    let mut out = Vec::new();
    for item in list.items() {
        let (_, elems) = arrays::items(item)
            .ok_or_else(|| st.bad("categories_", "expected a list of arrays"))?;
        out.push(match elems {
            Elems::F64(v) => Categories::Num(v),
            Elems::I64(v) => Categories::Num(v.into_iter().map(|i| i as f64).collect()),
            Elems::Bool(v) => Categories::Num(v.into_iter().map(|b| b as i64 as f64).collect()),
            Elems::Str(v) => Categories::Str(v.into_iter().map(Some).collect()),
            Elems::Obj(ids) => {
                let g = item.graph();
                let vals: Vec<_> = ids.iter().map(|&id| g.value(id)).collect();
                if vals.iter().all(|v| {
                    v.as_str().is_some()
                        || v.is_none()
                        || matches!(v.node(), Node::Float(f) if f.is_nan())
                }) {
                    Categories::Str(
                        vals.iter()
                            .map(|v| v.as_str().map(str::to_string))
                            .collect(),
                    )
                } else {
                    Categories::Num(
                        vals.iter()
                            .map(|v| arrays::scalar_f64(*v))
                            .collect::<Option<Vec<f64>>>()
                            .ok_or_else(|| {
                                st.bad("categories_", "mixed or unsupported category types")
                            })?,
                    )
                }
            }
        });
    }
    Ok(out)
}

/// A number as the text an encoder fitted on strings compares it with: `3` for integral values,
/// else Python's float repr.
pub(crate) fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        crate::data::format_float(x)
    }
}

/// Index of each value of column `j` in its categories (`None` = unknown).
fn lookup(
    cats: &Categories,
    col: ColumnRef<'_>,
    class: &str,
    j: usize,
) -> Result<Vec<Option<usize>>> {
    Ok(match (cats, col) {
        (Categories::Num(c), ColumnRef::F64(v)) => v
            .iter()
            .map(|&x| c.iter().position(|&k| k == x || (k.is_nan() && x.is_nan())))
            .collect(),
        (Categories::Str(c), ColumnRef::Str(v)) => {
            v.iter().map(|x| c.iter().position(|k| k == x)).collect()
        }
        (Categories::Str(c), ColumnRef::F64(v)) => v
            .iter()
            .map(|&x| {
                if x.is_nan() {
                    return c.iter().position(|k| k.is_none());
                }
                let s = number_text(x);
                c.iter().position(|k| k.as_deref() == Some(s.as_str()))
            })
            .collect(),
        (Categories::Num(_), ColumnRef::Str(_)) => {
            return Err(SklearnError::Input(format!(
                "{class}: column {j} holds text, but the encoder was fitted on numbers"
            )))
        }
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    OneHot {
        drop_idx: Vec<Option<usize>>,
        ignore_unknown: bool,
    },
    Ordinal {
        unknown_value: Option<f64>,
        missing: Vec<(usize, f64)>,
    },
}

/// A fitted `OneHotEncoder` (dense output; sparse models give the same values densely) or
/// `OrdinalEncoder`.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoder {
    common: Common,
    /// `categories_`.
    pub categories: Vec<Categories>,
    kind: Kind,
}

impl Encoder {
    /// Reads a pickled `OneHotEncoder` or `OrdinalEncoder`.
    pub fn from_state(st: &State<'_>) -> Result<Encoder> {
        if st.bool_or("_infrequent_enabled", false) {
            return Err(st.unsupported("infrequent categories (min_frequency / max_categories)"));
        }
        let categories = read_categories(st)?;
        let kind = if st.class() == "OneHotEncoder" {
            let key = if st.get("_drop_idx_after_grouping").is_some() {
                "_drop_idx_after_grouping"
            } else {
                "drop_idx_"
            };
            let drop_idx = match st.get_some(key) {
                None => vec![None; categories.len()],
                Some(v) => {
                    let (_, elems) =
                        arrays::items(v).ok_or_else(|| st.bad(key, "expected an array"))?;
                    let d: Vec<Option<usize>> = match elems {
                        Elems::I64(v) => v.into_iter().map(|i| usize::try_from(i).ok()).collect(),
                        Elems::F64(v) => v
                            .into_iter()
                            .map(|f| if f >= 0.0 { Some(f as usize) } else { None })
                            .collect(),
                        Elems::Obj(ids) => ids
                            .iter()
                            .map(|&id| {
                                v.graph()
                                    .value(id)
                                    .as_i64()
                                    .and_then(|i| usize::try_from(i).ok())
                            })
                            .collect(),
                        _ => return Err(st.bad(key, "expected integer indices")),
                    };
                    if d.len() != categories.len() {
                        return Err(st.bad(key, "one entry per column expected"));
                    }
                    d
                }
            };
            let hu = st.str("handle_unknown").unwrap_or("error");
            Kind::OneHot {
                drop_idx,
                ignore_unknown: hu == "ignore" || hu == "infrequent_if_exist" || hu == "warn",
            }
        } else {
            let unknown_value = if st.str("handle_unknown") == Some("use_encoded_value") {
                Some(
                    st.get("unknown_value")
                        .and_then(arrays::scalar_f64)
                        .unwrap_or(f64::NAN),
                )
            } else {
                None
            };
            let emv = st
                .get("encoded_missing_value")
                .and_then(arrays::scalar_f64)
                .unwrap_or(f64::NAN);
            let mut missing = Vec::new();
            if let Some(m) = st.get_some("_missing_indices") {
                for (k, _) in m.pairs() {
                    if let Some(c) = k.as_i64().and_then(|c| usize::try_from(c).ok()) {
                        missing.push((c, emv));
                    }
                }
            }
            Kind::Ordinal {
                unknown_value,
                missing,
            }
        };
        let mut common = st.common(&[
            "categories",
            "drop",
            "handle_unknown",
            "unknown_value",
            "sparse_output",
            "sparse",
            "dtype",
        ])?;
        if common.n_features_in.is_none() {
            common.n_features_in = Some(categories.len());
        }
        Ok(Encoder {
            common,
            categories,
            kind,
        })
    }
}

impl Estimator for Encoder {
    fn common(&self) -> &Common {
        &self.common
    }
    fn methods(&self) -> Vec<Method> {
        vec![Method::Transform]
    }
    fn transform(&self, x: &Data) -> Result<Array2<f64>> {
        let x = self.common.check_data(x)?;
        if x.ncols() != self.categories.len() {
            return Err(SklearnError::Input(format!(
                "X has {} features, but {} is expecting {} features as input.",
                x.ncols(),
                self.common.class,
                self.categories.len()
            )));
        }
        let n = x.nrows();
        let mut indices = Vec::with_capacity(self.categories.len());
        for (j, cats) in self.categories.iter().enumerate() {
            indices.push(lookup(cats, x.column(j)?, &self.common.class, j)?);
        }
        match &self.kind {
            Kind::OneHot {
                drop_idx,
                ignore_unknown,
            } => {
                let widths: Vec<usize> = self
                    .categories
                    .iter()
                    .zip(drop_idx)
                    .map(|(c, d)| c.len() - usize::from(d.is_some() && c.len() > 0))
                    .collect();
                let total: usize = widths.iter().sum();
                let mut out = Array2::zeros((n, total));
                let mut offset = 0;
                for (j, idx) in indices.iter().enumerate() {
                    for (i, found) in idx.iter().enumerate() {
                        match found {
                            None if !ignore_unknown => {
                                return Err(SklearnError::Input(format!(
                                    "Found unknown categories in column {j} during transform"
                                )))
                            }
                            None => {}
                            Some(k) => {
                                let col = match drop_idx.get(j).copied().flatten() {
                                    Some(d) if *k == d => None,
                                    Some(d) if *k > d => Some(k - 1),
                                    _ => Some(*k),
                                };
                                if let Some(c) = col {
                                    out[[i, offset + c]] = 1.0;
                                }
                            }
                        }
                    }
                    offset += widths.get(j).copied().unwrap_or(0);
                }
                Ok(out)
            }
            Kind::Ordinal {
                unknown_value,
                missing,
            } => {
                let mut out = Array2::zeros((n, self.categories.len()));
                for (j, idx) in indices.iter().enumerate() {
                    let cats = &self.categories[j];
                    for (i, found) in idx.iter().enumerate() {
                        out[[i, j]] = match found {
                            None => match unknown_value {
                                Some(u) => *u,
                                None => {
                                    return Err(SklearnError::Input(format!(
                                        "Found unknown categories in column {j} during transform"
                                    )))
                                }
                            },
                            Some(k) => {
                                let is_missing_cat = match cats {
                                    Categories::Num(c) => c.get(*k).is_some_and(|v| v.is_nan()),
                                    Categories::Str(c) => c.get(*k).is_some_and(|v| v.is_none()),
                                };
                                match missing.iter().find(|(c, _)| *c == j) {
                                    Some((_, emv)) if is_missing_cat => *emv,
                                    _ => *k as f64,
                                }
                            }
                        };
                    }
                }
                Ok(out)
            }
        }
    }
}

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
        /// `_drop_idx_after_grouping` (or `drop_idx_` before 1.2), per column.
        drop_idx: Vec<Option<usize>>,
        /// `_n_features_outs`: the output width of each column.
        widths: Vec<usize>,
    },
    Ordinal {
        unknown_value: Option<f64>,
        /// `_missing_indices`: (column, category index of the missing value).
        missing: Vec<(usize, usize)>,
        encoded_missing_value: f64,
    },
}

/// How an unknown category is handled (`handle_unknown`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unknown {
    /// `'error'`.
    Error,
    /// `'ignore'`: all zeros (one-hot).
    Ignore,
    /// `'infrequent_if_exist'` and `'warn'`: the infrequent category when the column has one,
    /// else all zeros.
    Infrequent,
    /// `'use_encoded_value'` (ordinal).
    EncodedValue,
}

/// Infrequent-category grouping (`min_frequency` / `max_categories`, sklearn 1.1+).
#[derive(Debug, Clone, PartialEq, Default)]
struct Infrequent {
    /// `_infrequent_indices`: per column, the infrequent category indices.
    indices: Vec<Option<Vec<usize>>>,
    /// `_default_to_infrequent_mappings`: per column, category index to grouped index.
    mappings: Vec<Option<Vec<usize>>>,
}

/// A fitted `OneHotEncoder` (dense output; sparse models give the same values densely) or
/// `OrdinalEncoder`, with infrequent categories and every `drop` / `handle_unknown` option.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoder {
    common: Common,
    /// `categories_`.
    pub categories: Vec<Categories>,
    kind: Kind,
    unknown: Unknown,
    infrequent: Option<Infrequent>,
}

/// Per column: each sample's (grouped) category index, and whether the value is known.
type Codes = (Vec<Vec<usize>>, Vec<Vec<bool>>);

/// A list (or object array) of `None` or integer arrays, one per column.
fn index_lists(st: &State<'_>, key: &str, n: usize) -> Result<Vec<Option<Vec<usize>>>> {
    let v = st.req(key)?;
    let (_, elems) = arrays::items(v).ok_or_else(|| st.bad(key, "expected a list"))?;
    let Elems::Obj(ids) = elems else {
        return Err(st.bad(key, "expected a list of arrays"));
    };
    let g = v.graph();
    let out = ids
        .iter()
        .map(|&id| {
            let e = g.value(id);
            if e.is_none() {
                return Ok(None);
            }
            let a = arrays::f64_array(e).ok_or_else(|| st.bad(key, "expected integer arrays"))?;
            a.iter()
                .map(|&x| {
                    (x >= 0.0 && x.fract() == 0.0)
                        .then_some(x as usize)
                        .ok_or_else(|| st.bad(key, "expected non-negative indices"))
                })
                .collect::<Result<Vec<usize>>>()
                .map(Some)
        })
        .collect::<Result<Vec<_>>>()?;
    if out.len() != n {
        return Err(st.bad(key, "one entry per column expected"));
    }
    Ok(out)
}

impl Encoder {
    /// Reads a pickled `OneHotEncoder` or `OrdinalEncoder` (sklearn 1.0 and later layouts).
    pub fn from_state(st: &State<'_>) -> Result<Encoder> {
        let categories = read_categories(st)?;
        let n = categories.len();
        let infrequent = if st.bool_or("_infrequent_enabled", false) {
            Some(Infrequent {
                indices: index_lists(st, "_infrequent_indices", n)?,
                mappings: index_lists(st, "_default_to_infrequent_mappings", n)?,
            })
        } else {
            None
        };
        let one_hot = st.class() == "OneHotEncoder";
        let unknown = match st.str("handle_unknown").unwrap_or("error") {
            "error" => Unknown::Error,
            "ignore" if one_hot => Unknown::Ignore,
            "infrequent_if_exist" | "warn" if one_hot => Unknown::Infrequent,
            "use_encoded_value" if !one_hot => Unknown::EncodedValue,
            other => return Err(st.unsupported(format!("handle_unknown={other:?}"))),
        };
        let kind = if one_hot {
            let key = if st.get("_drop_idx_after_grouping").is_some() {
                "_drop_idx_after_grouping"
            } else {
                "drop_idx_"
            };
            let drop_idx = match st.get_some(key) {
                None => vec![None; n],
                Some(v) => {
                    let (_, elems) =
                        arrays::items(v).ok_or_else(|| st.bad(key, "expected an array"))?;
                    let d: Vec<Option<usize>> = match elems {
                        Elems::I64(v) => v.into_iter().map(|i| usize::try_from(i).ok()).collect(),
                        Elems::F64(v) => v
                            .into_iter()
                            .map(|f| (f >= 0.0).then_some(f as usize))
                            .collect(),
                        Elems::Obj(ids) => ids
                            .iter()
                            .map(|&id| {
                                arrays::scalar_f64(v.graph().value(id))
                                    .filter(|f| *f >= 0.0)
                                    .map(|f| f as usize)
                            })
                            .collect(),
                        _ => return Err(st.bad(key, "expected integer indices")),
                    };
                    if d.len() != n {
                        return Err(st.bad(key, "one entry per column expected"));
                    }
                    d
                }
            };
            let widths: Vec<usize> = match st.get_some("_n_features_outs") {
                Some(v) => {
                    let w = arrays::f64_array(v)
                        .ok_or_else(|| st.bad("_n_features_outs", "expected integers"))?;
                    w.iter().map(|&x| x.max(0.0) as usize).collect()
                }
                None => categories
                    .iter()
                    .zip(&drop_idx)
                    .map(|(c, d)| c.len() - usize::from(d.is_some() && c.len() > 0))
                    .collect(),
            };
            if widths.len() != n {
                return Err(st.bad("_n_features_outs", "one entry per column expected"));
            }
            Kind::OneHot { drop_idx, widths }
        } else {
            let unknown_value = if unknown == Unknown::EncodedValue {
                Some(
                    st.get("unknown_value")
                        .and_then(arrays::scalar_f64)
                        .unwrap_or(f64::NAN),
                )
            } else {
                None
            };
            let encoded_missing_value = st
                .get("encoded_missing_value")
                .and_then(arrays::scalar_f64)
                .unwrap_or(f64::NAN);
            let mut missing = Vec::new();
            if let Some(m) = st.get_some("_missing_indices") {
                for (k, v) in m.pairs() {
                    let col = k.as_i64().and_then(|c| usize::try_from(c).ok());
                    let idx = arrays::scalar_f64(v)
                        .filter(|x| *x >= 0.0)
                        .map(|x| x as usize);
                    if let (Some(c), Some(i)) = (col, idx) {
                        missing.push((c, i));
                    }
                }
            }
            Kind::Ordinal {
                unknown_value,
                missing,
                encoded_missing_value,
            }
        };
        let mut common = st.common(&[
            "categories",
            "drop",
            "handle_unknown",
            "unknown_value",
            "encoded_missing_value",
            "min_frequency",
            "max_categories",
            "sparse_output",
            "sparse",
            "dtype",
        ])?;
        if common.n_features_in.is_none() {
            common.n_features_in = Some(n);
        }
        Ok(Encoder {
            common,
            categories,
            kind,
            unknown,
            infrequent,
        })
    }

    /// sklearn's `_transform`: each value's (grouped) category index, and whether it is valid.
    fn encode(&self, x: &Data) -> Result<Codes> {
        let mut codes = Vec::with_capacity(self.categories.len());
        let mut valid = Vec::with_capacity(self.categories.len());
        for (j, cats) in self.categories.iter().enumerate() {
            let idx = lookup(cats, x.column(j)?, &self.common.class, j)?;
            if self.unknown == Unknown::Error && idx.iter().any(Option::is_none) {
                return Err(SklearnError::Input(format!(
                    "{}: found unknown categories in column {j} during transform",
                    self.common.class
                )));
            }
            valid.push(idx.iter().map(Option::is_some).collect::<Vec<bool>>());
            codes.push(
                idx.into_iter()
                    .map(|i| i.unwrap_or(0))
                    .collect::<Vec<usize>>(),
            );
        }
        if let Some(inf) = &self.infrequent {
            for (j, (col, mask)) in codes.iter_mut().zip(valid.iter_mut()).enumerate() {
                let Some(Some(first)) = inf
                    .indices
                    .get(j)
                    .map(|i| i.as_ref().and_then(|v| v.first()))
                else {
                    continue;
                };
                for (c, m) in col.iter_mut().zip(mask.iter_mut()) {
                    if !*m {
                        *c = *first;
                        if self.unknown == Unknown::Infrequent {
                            *m = true;
                        }
                    }
                }
            }
            for (j, col) in codes.iter_mut().enumerate() {
                let Some(Some(mapping)) = inf.mappings.get(j) else {
                    continue;
                };
                let ignore = match &self.kind {
                    Kind::Ordinal { missing, .. } => {
                        missing.iter().find(|(c, _)| *c == j).map(|(_, i)| *i)
                    }
                    Kind::OneHot { .. } => None,
                };
                for c in col.iter_mut() {
                    if Some(*c) == ignore {
                        continue;
                    }
                    *c = mapping.get(*c).copied().ok_or_else(|| {
                        SklearnError::Input(format!(
                            "{}: category index {c} outside the infrequent mapping",
                            self.common.class
                        ))
                    })?;
                }
            }
        }
        Ok((codes, valid))
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
        for j in 0..x.ncols() {
            if let ColumnRef::F64(v) = x.column(j)? {
                self.common.check_finite(v.into_iter(), true)?;
            }
        }
        let n = x.nrows();
        let (codes, valid) = self.encode(&x)?;
        match &self.kind {
            Kind::OneHot { drop_idx, widths } => {
                let total: usize = widths.iter().sum();
                let mut out = Array2::zeros((n, total));
                let mut offset = 0;
                for (j, (col, mask)) in codes.iter().zip(&valid).enumerate() {
                    let drop = drop_idx.get(j).copied().flatten();
                    let width = widths.get(j).copied().unwrap_or(0);
                    for (i, (&c, &ok)) in col.iter().zip(mask).enumerate() {
                        if !ok || Some(c) == drop {
                            continue;
                        }
                        let k = match drop {
                            Some(d) if c > d => c - 1,
                            _ => c,
                        };
                        if k >= width {
                            return Err(SklearnError::Input(format!(
                                "OneHotEncoder: category index {k} outside column {j}'s {width} outputs"
                            )));
                        }
                        out[[i, offset + k]] = 1.0;
                    }
                    offset += width;
                }
                Ok(out)
            }
            Kind::Ordinal {
                unknown_value,
                missing,
                encoded_missing_value,
            } => {
                let mut out = Array2::zeros((n, self.categories.len()));
                for (j, (col, mask)) in codes.iter().zip(&valid).enumerate() {
                    let miss = missing.iter().find(|(c, _)| *c == j).map(|(_, i)| *i);
                    for (i, (&c, &ok)) in col.iter().zip(mask).enumerate() {
                        out[[i, j]] = if !ok {
                            unknown_value.unwrap_or(f64::NAN)
                        } else if Some(c) == miss {
                            *encoded_missing_value
                        } else {
                            c as f64
                        };
                    }
                }
                Ok(out)
            }
        }
    }
}

//! `SimpleImputer`.

use ndarray::{Array1, Array2};

use crate::arrays;
use crate::data::{Column, ColumnRef, Data, Table};
use crate::error::{Result, SklearnError};
use crate::state::{Common, State};
use crate::{Estimator, Method};

/// The fill values of a `SimpleImputer` (`statistics_`).
#[derive(Debug, Clone, PartialEq)]
pub enum Statistics {
    /// Numbers, one per input column (NaN for a column that was all missing at fit).
    Num(Array1<f64>),
    /// Text (fitted on string / object columns); `None` for a column all missing at fit.
    Text(Vec<Option<String>>),
}

impl Statistics {
    fn len(&self) -> usize {
        match self {
            Statistics::Num(v) => v.len(),
            Statistics::Text(v) => v.len(),
        }
    }

    fn is_empty_feature(&self, j: usize) -> bool {
        match self {
            Statistics::Num(v) => v.get(j).is_some_and(|x| x.is_nan()),
            Statistics::Text(v) => v.get(j).is_some_and(Option::is_none),
        }
    }
}

/// A fitted `SimpleImputer` (any strategy) on numeric or text columns, with `add_indicator`.
#[derive(Debug, Clone, PartialEq)]
pub struct SimpleImputer {
    common: Common,
    /// `statistics_`: the fill value per input column.
    pub statistics: Statistics,
    /// The marker of a missing number (`NaN` by default); in text columns a missing value
    /// (`None`/`NaN`, an empty CSV cell) is always missing.
    pub missing_values: f64,
    /// Keep columns whose statistic is NaN (`keep_empty_features`).
    pub keep_empty_features: bool,
    /// `indicator_.features_`: the columns whose missing mask is appended (`add_indicator`).
    pub indicator_features: Option<Vec<usize>>,
}

/// `statistics_` as text when it holds strings (an object array of `str`, NaN or `None`).
fn text_statistics(v: brine_pickle::ValueRef<'_>) -> Option<Vec<Option<String>>> {
    let (_, elems) = arrays::items(v)?;
    let g = v.graph();
    let vals: Vec<Option<String>> = match elems {
        arrays::Elems::Str(s) => s.into_iter().map(Some).collect(),
        arrays::Elems::Obj(ids) => ids
            .iter()
            .map(|&id| {
                let e = g.value(id);
                match e.as_str() {
                    Some(s) => Some(Some(s.to_string())),
                    None if e.is_none() || arrays::scalar_f64(e).is_some_and(f64::is_nan) => {
                        Some(None)
                    }
                    None => arrays::scalar_f64(e).map(|x| Some(crate::encoders::number_text(x))),
                }
            })
            .collect::<Option<_>>()?,
        _ => return None,
    };
    vals.iter().any(Option::is_some).then_some(vals)
}

impl SimpleImputer {
    /// Reads a pickled `SimpleImputer`.
    pub fn from_state(st: &State<'_>) -> Result<SimpleImputer> {
        let statistics = match st.array1("statistics_") {
            Ok(a) => Statistics::Num(a),
            Err(_) => Statistics::Text(
                text_statistics(st.req("statistics_")?)
                    .ok_or_else(|| st.bad("statistics_", "expected numbers or strings"))?,
            ),
        };
        let missing_values = match st.get("missing_values") {
            None => f64::NAN,
            Some(v) if v.is_none() => f64::NAN,
            Some(v) => arrays::scalar_f64(v)
                .ok_or_else(|| st.unsupported("missing_values must be a number, NaN or None"))?,
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

    fn kept(&self) -> Vec<usize> {
        (0..self.statistics.len())
            .filter(|&j| self.keep_empty_features || !self.statistics.is_empty_feature(j))
            .collect()
    }

    fn check_width(&self, x: &Data) -> Result<()> {
        if x.ncols() != self.statistics.len() {
            return Err(SklearnError::Input(format!(
                "X has {} features per sample, expected {}",
                x.ncols(),
                self.statistics.len()
            )));
        }
        Ok(())
    }

    /// The missing mask of column `j` (text: `None`, or the marker as text).
    fn column_missing(&self, x: &Data, j: usize) -> Result<Vec<bool>> {
        Ok(match x.column(j)? {
            ColumnRef::F64(v) => v.iter().map(|&a| self.is_missing(a)).collect(),
            ColumnRef::Str(v) => v.iter().map(Option::is_none).collect(),
        })
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
        match self.transform_data(x)? {
            Data::Dense(d) => Ok(d),
            Data::Table(t) => t.to_array().map_err(|_| {
                SklearnError::Input(
                    "SimpleImputer: the output holds text (it imputes string columns); \
                     run it inside a pipeline that encodes them"
                        .into(),
                )
            }),
        }
    }
    fn transform_data(&self, x: &Data) -> Result<Data> {
        let x = self.common.check_data(x)?;
        let x = x.as_ref();
        self.check_width(x)?;
        for j in 0..x.ncols() {
            if let ColumnRef::F64(v) = x.column(j)? {
                self.common
                    .check_finite(v.into_iter(), self.missing_values.is_nan())?;
            }
        }
        let keep = self.kept();
        let n = x.nrows();
        let indicators: Vec<Vec<bool>> = match &self.indicator_features {
            Some(f) => f
                .iter()
                .map(|&j| self.column_missing(x, j))
                .collect::<Result<_>>()?,
            None => Vec::new(),
        };
        let text = match &self.statistics {
            Statistics::Text(t) => t,
            Statistics::Num(stats) => {
                let x = x.to_dense()?;
                let mut out = Array2::zeros((n, keep.len() + indicators.len()));
                for (i, row) in x.rows().into_iter().enumerate() {
                    for (o, &j) in keep.iter().enumerate() {
                        let v = row[j];
                        out[[i, o]] = if self.is_missing(v) { stats[j] } else { v };
                    }
                }
                for (o, mask) in indicators.iter().enumerate() {
                    for (i, &m) in mask.iter().enumerate() {
                        out[[i, keep.len() + o]] = f64::from(u8::from(m));
                    }
                }
                return Ok(Data::Dense(out));
            }
        };
        let mut names = Vec::new();
        let mut columns = Vec::new();
        for &j in &keep {
            let fill = text.get(j).cloned().flatten();
            let col = match x.column(j)? {
                ColumnRef::Str(v) => v
                    .iter()
                    .map(|c| c.clone().or_else(|| fill.clone()))
                    .collect(),
                ColumnRef::F64(v) => v
                    .iter()
                    .map(|&a| {
                        if self.is_missing(a) {
                            fill.clone()
                        } else {
                            Some(crate::encoders::number_text(a))
                        }
                    })
                    .collect(),
            };
            columns.push(Column::Str(col));
            names.push(
                x.names()
                    .and_then(|ns| ns.get(j).cloned())
                    .unwrap_or_else(|| format!("x{j}")),
            );
        }
        for (o, mask) in indicators.into_iter().enumerate() {
            columns.push(Column::F64(
                mask.into_iter().map(|m| f64::from(u8::from(m))).collect(),
            ));
            names.push(format!("missingindicator_{o}"));
        }
        Ok(Data::Table(Table::new(names, columns)?))
    }
}

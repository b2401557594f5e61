//! Typed access to a pickled estimator's state dict, with errors that name the class and key.

use std::borrow::Cow;

use brine_pickle::{Node, ValueRef};
use ndarray::{Array1, Array2, ArrayD, Ix1, Ix2};

use crate::arrays;
use crate::data::{Data, Labels};
use crate::error::{Result, SklearnError};

/// What every estimator keeps: its class, version and input description.
#[derive(Debug, Clone, PartialEq)]
pub struct Common {
    /// The class name, e.g. `LinearRegression`.
    pub class: String,
    /// The module the class was pickled from, e.g. `sklearn.linear_model._base`.
    pub module: String,
    /// `_sklearn_version` (`None` before sklearn 0.18 or for foreign objects).
    pub version: Option<String>,
    /// `n_features_in_`, when stored.
    pub n_features_in: Option<usize>,
    /// `feature_names_in_`, when fitted on a DataFrame with string column names.
    pub feature_names_in: Option<Vec<String>>,
    /// Constructor parameters as Python reprs (for `brine info`), in pickled order.
    pub params: Vec<(String, String)>,
}

impl Common {
    /// `(major, minor)` of the version that pickled the estimator; `(0, 0)` when unknown.
    pub fn version_tuple(&self) -> (u32, u32) {
        let Some(v) = &self.version else {
            return (0, 0);
        };
        let mut it = v.split('.').map(|p| {
            p.chars()
                .take_while(|c| c.is_ascii_digit())
                .collect::<String>()
                .parse::<u32>()
                .unwrap_or(0)
        });
        (it.next().unwrap_or(0), it.next().unwrap_or(0))
    }

    /// Validates the input like sklearn's `validate_data(reset=False)` and returns it as numbers.
    /// A table is matched to `feature_names_in_` by column name when the model has names.
    /// NaN and infinity are errors, as sklearn's `ensure_all_finite=True`.
    pub fn check_dense<'a>(&self, x: &'a Data) -> Result<Cow<'a, Array2<f64>>> {
        self.check_dense_finite(x, false)
    }

    /// Like [`Common::check_dense`] but NaN passes (`ensure_all_finite='allow-nan'`: the
    /// scalers, which ignore NaN at fit and keep it at transform).
    pub fn check_dense_allow_nan<'a>(&self, x: &'a Data) -> Result<Cow<'a, Array2<f64>>> {
        self.check_dense_finite(x, true)
    }

    fn check_dense_finite<'a>(&self, x: &'a Data, allow_nan: bool) -> Result<Cow<'a, Array2<f64>>> {
        let x = self.check_data(x)?;
        let d = match x {
            Cow::Borrowed(d) => d.to_dense()?,
            Cow::Owned(d) => Cow::Owned(d.to_dense()?.into_owned()),
        };
        self.check_finite(d.iter().copied(), allow_nan)?;
        Ok(d)
    }

    /// sklearn's `_assert_all_finite`: infinity is always an error, NaN unless `allow_nan`.
    pub fn check_finite(&self, values: impl Iterator<Item = f64>, allow_nan: bool) -> Result<()> {
        for v in values {
            if v.is_nan() && !allow_nan {
                return Err(SklearnError::Input(format!(
                    "Input X contains NaN. {} does not accept missing values encoded as NaN natively.",
                    self.class
                )));
            }
            if v.is_infinite() {
                return Err(SklearnError::Input(format!(
                    "Input X contains infinity or a value too large for dtype('float64') ({}).",
                    self.class
                )));
            }
        }
        Ok(())
    }

    /// Like [`Common::check_dense`] but keeps text columns (for encoders).
    pub fn check_data<'a>(&self, x: &'a Data) -> Result<Cow<'a, Data>> {
        if let (Some(names), Data::Table(t)) = (&self.feature_names_in, x) {
            if t.names() != names.as_slice() {
                let idx = names
                    .iter()
                    .map(|n| {
                        t.names().iter().position(|m| m == n).ok_or_else(|| {
                            SklearnError::Input(format!(
                                "{}: the input has no column {n:?} (the model was fitted on columns {names:?})",
                                self.class
                            ))
                        })
                    })
                    .collect::<Result<Vec<usize>>>()?;
                return Ok(Cow::Owned(x.select(&idx)?));
            }
        }
        if let Some(n) = self.n_features_in {
            if x.ncols() != n {
                return Err(SklearnError::Input(format!(
                    "X has {} features, but {} is expecting {n} features as input.",
                    x.ncols(),
                    self.class
                )));
            }
        }
        Ok(Cow::Borrowed(x))
    }
}

/// A pickled estimator: its class and state dict.
#[derive(Clone, Copy)]
pub struct State<'g> {
    class: &'g str,
    module: &'g str,
    dict: ValueRef<'g>,
}

impl<'g> State<'g> {
    /// The state of an inert object (`NEWOBJ` + `BUILD(dict)`).
    pub fn of(v: ValueRef<'g>) -> Result<State<'g>> {
        let g = v
            .class()
            .ok_or_else(|| SklearnError::NotAnEstimator(format!("a {}", v.node().type_name())))?;
        let dict = v.state().ok_or_else(|| {
            SklearnError::NotAnEstimator(format!("{}.{} has no state", g.module, g.name))
        })?;
        // some objects use (state_dict, slots) tuples
        let dict = if dict.as_dict().is_some() {
            dict
        } else {
            dict.item(0)
                .filter(|d| d.as_dict().is_some())
                .ok_or_else(|| {
                    SklearnError::NotAnEstimator(format!(
                        "{}.{}: state is not a dict",
                        g.module, g.name
                    ))
                })?
        };
        Ok(State {
            class: &g.name,
            module: &g.module,
            dict,
        })
    }

    /// The class name.
    pub fn class(&self) -> &'g str {
        self.class
    }

    /// The module path.
    pub fn module(&self) -> &'g str {
        self.module
    }

    /// A key's value.
    pub fn get(&self, key: &str) -> Option<ValueRef<'g>> {
        self.dict.get(key)
    }

    /// A key's value, unless absent or `None`.
    pub fn get_some(&self, key: &str) -> Option<ValueRef<'g>> {
        self.get(key).filter(|v| !v.is_none())
    }

    /// A key that must be present.
    pub fn req(&self, key: &str) -> Result<ValueRef<'g>> {
        self.get(key).ok_or_else(|| SklearnError::Missing {
            class: self.class.to_string(),
            key: key.to_string(),
        })
    }

    /// An error about `key`.
    pub fn bad(&self, key: &str, message: impl Into<String>) -> SklearnError {
        SklearnError::BadState {
            class: self.class.to_string(),
            key: key.to_string(),
            message: message.into(),
        }
    }

    /// An unsupported-configuration error.
    pub fn unsupported(&self, message: impl Into<String>) -> SklearnError {
        SklearnError::UnsupportedConfig {
            class: self.class.to_string(),
            message: message.into(),
        }
    }

    /// A numeric array of any shape.
    pub fn array(&self, key: &str) -> Result<ArrayD<f64>> {
        arrays::f64_array(self.req(key)?).ok_or_else(|| self.bad(key, "expected a numeric array"))
    }

    /// A 1-D numeric array (a scalar becomes one element).
    pub fn array1(&self, key: &str) -> Result<Array1<f64>> {
        let a = self.array(key)?;
        let a = if a.ndim() == 0 {
            a.into_shape_with_order(vec![1])
                .map_err(|e| self.bad(key, e.to_string()))?
        } else {
            a
        };
        a.into_dimensionality::<Ix1>()
            .map_err(|_| self.bad(key, "expected a 1-D array"))
    }

    /// A 2-D numeric array (a 1-D array becomes one row).
    pub fn array2(&self, key: &str) -> Result<Array2<f64>> {
        let a = self.array(key)?;
        match a.ndim() {
            1 => {
                let n = a.len();
                a.into_shape_with_order((1, n))
                    .map_err(|e| self.bad(key, e.to_string()))
            }
            _ => a
                .into_dimensionality::<Ix2>()
                .map_err(|_| self.bad(key, "expected a 2-D array")),
        }
    }

    /// A 1-D array, or `None` when the key is absent or `None`.
    pub fn opt_array1(&self, key: &str) -> Result<Option<Array1<f64>>> {
        if self.get_some(key).is_none() {
            return Ok(None);
        }
        self.array1(key).map(Some)
    }

    /// A number (Python or numpy scalar).
    pub fn f64(&self, key: &str) -> Result<f64> {
        arrays::scalar_f64(self.req(key)?).ok_or_else(|| self.bad(key, "expected a number"))
    }

    /// An integer.
    pub fn i64(&self, key: &str) -> Result<i64> {
        let v = self.req(key)?;
        v.as_i64()
            .or_else(|| {
                arrays::scalar_f64(v)
                    .filter(|x| x.fract() == 0.0)
                    .map(|x| x as i64)
            })
            .ok_or_else(|| self.bad(key, "expected an integer"))
    }

    /// A bool, or `default` when absent.
    pub fn bool_or(&self, key: &str, default: bool) -> bool {
        self.get(key)
            .and_then(|v| v.as_bool().or_else(|| v.as_i64().map(|i| i != 0)))
            .unwrap_or(default)
    }

    /// A string, if present and a `str`.
    pub fn str(&self, key: &str) -> Option<&'g str> {
        self.get(key).and_then(|v| v.as_str())
    }

    /// Class labels.
    pub fn labels(&self, key: &str) -> Result<Labels> {
        arrays::labels(self.req(key)?).ok_or_else(|| self.bad(key, "expected an array of labels"))
    }

    /// The common description: version, features, params.
    pub fn common(&self, params: &[&str]) -> Result<Common> {
        let n_features_in = match self.get_some("n_features_in_") {
            Some(v) => Some(
                v.as_i64()
                    .or_else(|| arrays::scalar_f64(v).map(|x| x as i64))
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| self.bad("n_features_in_", "expected a non-negative integer"))?,
            ),
            None => None,
        };
        let feature_names_in = match self.get_some("feature_names_in_") {
            Some(_) => match self.labels("feature_names_in_")? {
                Labels::Str(s) => Some(s),
                _ => None,
            },
            None => None,
        };
        let params = params
            .iter()
            .filter_map(|&p| self.get(p).map(|v| (p.to_string(), short_repr(v))))
            .collect();
        Ok(Common {
            class: self.class.to_string(),
            module: self.module.to_string(),
            version: self.str("_sklearn_version").map(str::to_string),
            n_features_in,
            feature_names_in,
            params,
        })
    }
}

/// A short Python-like repr of a parameter value.
pub(crate) fn short_repr(v: ValueRef<'_>) -> String {
    match v.node() {
        Node::None => "None".into(),
        Node::Bool(b) => if *b { "True" } else { "False" }.into(),
        Node::Int(i) => i.to_string(),
        Node::Float(f) => brine_pickle::repr::float_repr(*f),
        Node::Str(s) => brine_pickle::repr::str_repr(v.graph().text(*s)),
        Node::Tuple(items) if v.graph().items(*items).len() <= 4 => {
            let parts: Vec<String> = v
                .graph()
                .items(*items)
                .iter()
                .map(|&id| short_repr(v.graph().value(id)))
                .collect();
            if parts.len() == 1 {
                format!("({},)", parts.join(", "))
            } else {
                format!("({})", parts.join(", "))
            }
        }
        Node::Dict(pairs) if v.graph().pairs(*pairs).len() <= 6 => {
            let parts: Vec<String> = v
                .graph()
                .pairs(*pairs)
                .iter()
                .map(|&(k, val)| {
                    format!(
                        "{}: {}",
                        short_repr(v.graph().value(k)),
                        short_repr(v.graph().value(val))
                    )
                })
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Node::Global(g) => format!("{}.{}", g.module, g.name),
        Node::Object(_) => match v.class() {
            Some(g) => format!("<{}>", g.name),
            None => "<object>".into(),
        },
        other => format!("<{}>", other.type_name()),
    }
}

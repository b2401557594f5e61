//! # brine-sklearn
//!
//! scikit-learn estimators without Python: load a fitted model from a pickle or joblib file, run
//! `predict`, `predict_proba`, `decision_function` and `transform` with sklearn's numbers, fit a
//! [`LinearRegression`] and save it as a file that `joblib.load` turns into a real sklearn model.
//!
//! Nothing in a file is ever executed: files are read by `brine_joblib` (every compressor, inline
//! arrays, plain pickles), arrays are decoded by `brine_numpy`, an estimator is recognised by its
//! class name (any `sklearn.*` module path, public or private) and its fitted state is read as
//! data. An estimator Brine does not know is an [`SklearnError::Unsupported`] error naming its
//! class and the [`SUPPORTED`] list; a configuration it cannot run (a `FunctionTransformer` with
//! a Python function) is an [`SklearnError::UnsupportedConfig`] naming it.
//!
//! ```
//! use brine_sklearn::{Data, Estimator, LinearRegression};
//! use ndarray::array;
//! let x = array![[1.0], [2.0], [3.0], [4.0], [5.0]];
//! let y = array![2.0, 3.0, 4.0, 5.0, 6.0];
//! let model = LinearRegression::fit(&x, &y, None).unwrap();
//! let pred = model.predict(&Data::Dense(array![[7.0], [8.0], [9.0]])).unwrap();
//! assert_eq!(pred.values().unwrap().as_slice().unwrap(), &[8.0, 9.0, 10.0]);
//! ```
//!
//! Loading a model saved by scikit-learn and running it on a DataFrame-like table (columns are
//! matched to `feature_names_in_` by name):
//!
//! ```no_run
//! use brine_sklearn::{Data, Estimator, Method, Table};
//! let model = brine_sklearn::load("pipeline.joblib")?;
//! let x = Table::from_csv(&std::fs::read_to_string("X.csv")?)?;
//! let proba = model.call(Method::PredictProba, &Data::Table(x))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Inputs
//!
//! [`Data::Dense`] is a numpy array; [`Data::Table`] holds named columns of numbers or text (a
//! pandas DataFrame, or a CSV file with a header row). Text flows through pipelines as it does in
//! sklearn: a `SimpleImputer` of string columns or a passthrough hands text on to the encoders.
//! Encoders follow sklearn's `_transform` exactly: unknown categories per `handle_unknown`
//! (`'error'`, `'ignore'`, `'infrequent_if_exist'`, `'warn'`, `'use_encoded_value'`), infrequent
//! categories (`min_frequency` / `max_categories`), every `drop` option, and missing values seen
//! at fit (`encoded_missing_value`).
//!
//! ## Versions
//!
//! Files saved by scikit-learn 1.0 through 1.9 load (the test suite runs fixtures of 1.0.2,
//! 1.3.2, 1.6.1 and 1.9.1), and the state each version pickled is interpreted with that version's
//! semantics, not ignored: `LogisticRegression.multi_class` (`'ovr'`, `'auto'`, `'multinomial'`,
//! removed in 1.8; a binary `'multinomial'` model uses `softmax([-d, d])`), `GaussianNB.sigma_`
//! (before 1.0) / `var_`, `OneHotEncoder.drop_idx_` / `_drop_idx_after_grouping` and `sparse` /
//! `sparse_output`, the `'log'` / `'log_loss'` SGD loss names, and `ColumnTransformer`'s remainder
//! stored as `'passthrough'` (up to 1.3), a `FunctionTransformer` (1.4+) or a
//! `_RemainderColsList` (1.5-1.6).
//!
//! ## Numerical agreement
//!
//! Every output equals scikit-learn's within **1e-12 relative** (`|brine - sklearn| /
//! max(|sklearn|, 1)`), class labels exactly; no estimator needs a looser bound. Measured maxima
//! over all 197 fixtures (570 comparisons, `tests/fixtures.rs`): exact (0) for the scalers,
//! imputers, encoders and `ColumnTransformer`; about 2e-16 to 1e-15 for the linear regressors,
//! `PolynomialFeatures`, `GaussianNB`, `LinearSVC`, `PCA` and `Pipeline`; 5e-15 for
//! `LogisticRegression` and 4e-14 for `SGDClassifier` (its `decision_function` rows are dot
//! products of large-magnitude coefficients whose terms cancel, so BLAS's summation order shows
//! in the last bits of small results). The differences come from summation order in dot products
//! (numpy calls BLAS; Brine sums in feature order).
//!
//! `LinearRegression::fit` solves least squares by SVD (nalgebra) with scipy's `lstsq` cut-off
//! (`tol` relative to the largest singular value), numpy's summation order for the means, and one
//! step of iterative refinement; its `coef_`, `intercept_`, `rank_` and `singular_` agree with
//! scikit-learn's to about 1e-13 (tested within 1e-12 in `tests/linreg.rs`).
//!
//! Outputs are float64. A model fitted on float32 data keeps a float32 state: on float64 input
//! sklearn computes in float64 and Brine agrees within 1e-12, except `GaussianNB` (sklearn takes
//! `log(2*pi*var_)` in float32) and `PCA` (`mean_ @ components_.T` in float32), which agree to
//! float32 precision (1e-5 relative tested); on float32 input sklearn computes and returns
//! float32, which Brine (float64 throughout) matches to float32 precision only.
//!
//! ## Input checks
//!
//! As sklearn's `validate_data`: infinity is always an error; NaN is an error except for the
//! scalers, the encoders and a `SimpleImputer` whose `missing_values` is NaN (an imputer with
//! another marker refuses NaN). A column of `True` / `False` (pandas' CSV of a bool column) is
//! read as 1.0 / 0.0 where numbers are needed, as numpy converts bools.
//!
//! ## Limits
//!
//! - Brine is more lenient than sklearn in one place: a table's columns are matched to
//!   `feature_names_in_` by name in any order (extra columns ignored), where a bare sklearn
//!   estimator raises unless the columns come in the fitted order.
//! - Estimators outside [`SUPPORTED`] (trees, ensembles, `SVC`, neighbours, ...) are an
//!   [`SklearnError::Unsupported`] error naming the class, also when nested in a pipeline.
//! - `FunctionTransformer` with a Python function, and callable column selectors whose resolved
//!   columns were not pickled, are [`SklearnError::UnsupportedConfig`].
//! - A `SimpleImputer` of text columns on its own: its output is text, which
//!   [`Estimator::transform`] (numbers) refuses with an error; inside a pipeline or column
//!   transformer the text flows on to the encoders as in sklearn ([`Estimator::transform_data`]).
//! - A CSV cell cannot tell `None` from NaN: an empty cell is a missing value, matched to the
//!   missing category whichever of the two the model saw at fit (sklearn keeps them apart).
//! - Sparse input is not taken; sparse outputs (`OneHotEncoder`, `ColumnTransformer` with
//!   `sparse_threshold`) are returned dense with the same values.
#![warn(missing_docs)]

mod arrays;
pub mod column_transformer;
pub mod data;
pub mod encoders;
pub mod error;
pub mod impute;
pub mod linear;
pub mod logistic;
pub mod naive_bayes;
pub mod pca;
pub mod pipeline;
pub mod polynomial;
pub mod scalers;
pub mod sgd;
pub mod state;
pub mod svm_linear;

use std::fmt;

use brine_pickle::{Graph, NodeId};
use ndarray::{Array2, ArrayD};

/// The `ndarray` crate this API uses (arrays in, arrays out).
pub use ndarray;

pub use data::{format_array1, format_float, Column, Data, Labels, Prediction, Table};
pub use error::{Result, SklearnError};
pub use linear::LinearRegression;
pub use state::{Common, State};

/// The estimator classes Brine can run.
pub const SUPPORTED: &[&str] = &[
    "LinearRegression",
    "Ridge",
    "Lasso",
    "ElasticNet",
    "SGDRegressor",
    "LogisticRegression",
    "SGDClassifier",
    "LinearSVC",
    "GaussianNB",
    "StandardScaler",
    "MinMaxScaler",
    "RobustScaler",
    "SimpleImputer",
    "OneHotEncoder",
    "OrdinalEncoder",
    "PolynomialFeatures",
    "PCA",
    "Pipeline",
    "ColumnTransformer",
    "FunctionTransformer",
];

/// An estimator method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `predict(X)`.
    Predict,
    /// `predict_proba(X)`.
    PredictProba,
    /// `decision_function(X)`.
    DecisionFunction,
    /// `transform(X)`.
    Transform,
}

impl Method {
    /// The Python name (`predict_proba`).
    pub fn name(self) -> &'static str {
        match self {
            Method::Predict => "predict",
            Method::PredictProba => "predict_proba",
            Method::DecisionFunction => "decision_function",
            Method::Transform => "transform",
        }
    }

    /// The method with this Python name.
    pub fn from_name(name: &str) -> Option<Method> {
        [
            Method::Predict,
            Method::PredictProba,
            Method::DecisionFunction,
            Method::Transform,
        ]
        .into_iter()
        .find(|m| m.name() == name)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A fitted scikit-learn estimator that Brine can run.
///
/// Methods an estimator lacks return [`SklearnError::NoMethod`], as sklearn's `AttributeError`.
pub trait Estimator: fmt::Debug + Send + Sync {
    /// Class, version, feature description and parameters.
    fn common(&self) -> &Common;

    /// The methods this estimator has (for this configuration: `predict_proba` of an
    /// `SGDClassifier` exists only for probabilistic losses).
    fn methods(&self) -> Vec<Method>;

    /// `predict(X)`: labels for a classifier, values for a regressor.
    fn predict(&self, x: &Data) -> Result<Prediction> {
        let _ = x;
        Err(self.no_method(Method::Predict))
    }

    /// `predict_proba(X)`: `(n_samples, n_classes)`.
    fn predict_proba(&self, x: &Data) -> Result<Array2<f64>> {
        let _ = x;
        Err(self.no_method(Method::PredictProba))
    }

    /// `decision_function(X)`: 1-D for a binary classifier, else `(n_samples, n_classes)`.
    fn decision_function(&self, x: &Data) -> Result<ArrayD<f64>> {
        let _ = x;
        Err(self.no_method(Method::DecisionFunction))
    }

    /// `transform(X)`: `(n_samples, n_features_out)`.
    fn transform(&self, x: &Data) -> Result<Array2<f64>> {
        let _ = x;
        Err(self.no_method(Method::Transform))
    }

    /// `transform(X)` keeping text columns: what a transformer hands the next step of a pipeline
    /// or a column transformer. Numeric transformers give [`Data::Dense`]; a `SimpleImputer` of
    /// text columns and a passthrough give a [`Data::Table`] (columns `x0, x1, ...` or the input's
    /// names).
    fn transform_data(&self, x: &Data) -> Result<Data> {
        Ok(Data::Dense(self.transform(x)?))
    }

    /// `classes_` of a classifier.
    fn classes(&self) -> Option<&Labels> {
        None
    }

    /// Nested estimators (pipeline steps, column transformers), by name.
    fn children(&self) -> Vec<(String, &dyn Estimator)> {
        Vec::new()
    }

    /// `n_features_in_`, when known.
    fn n_features_in(&self) -> Option<usize> {
        self.common().n_features_in
    }

    /// `feature_names_in_`, when fitted on a DataFrame.
    fn feature_names_in(&self) -> Option<&[String]> {
        self.common().feature_names_in.as_deref()
    }

    /// The error for a method this estimator lacks.
    fn no_method(&self, method: Method) -> SklearnError {
        SklearnError::NoMethod {
            class: self.common().class.clone(),
            method: method.name().to_string(),
        }
    }

    /// Calls `method` and returns its result as a [`Prediction`] (values or labels).
    fn call(&self, method: Method, x: &Data) -> Result<Prediction> {
        match method {
            Method::Predict => self.predict(x),
            Method::PredictProba => Ok(Prediction::Values(self.predict_proba(x)?.into_dyn())),
            Method::DecisionFunction => Ok(Prediction::Values(self.decision_function(x)?)),
            Method::Transform => Ok(Prediction::Values(self.transform(x)?.into_dyn())),
        }
    }

    /// A description for `brine info`: the estimator tree with parameters and fitted facts.
    fn describe(&self) -> Description {
        let c = self.common();
        Description {
            class: c.class.clone(),
            module: c.module.clone(),
            version: c.version.clone(),
            n_features_in: self.n_features_in(),
            feature_names_in: self.feature_names_in().map(<[String]>::to_vec),
            classes: self.classes().cloned(),
            methods: self.methods(),
            params: c.params.clone(),
            children: self
                .children()
                .into_iter()
                .map(|(name, e)| (name, e.describe()))
                .collect(),
        }
    }
}

/// What `brine info` prints about an estimator.
#[derive(Debug, Clone, PartialEq)]
pub struct Description {
    /// Class name.
    pub class: String,
    /// Module the class was pickled from.
    pub module: String,
    /// `_sklearn_version`.
    pub version: Option<String>,
    /// `n_features_in_`.
    pub n_features_in: Option<usize>,
    /// `feature_names_in_`.
    pub feature_names_in: Option<Vec<String>>,
    /// `classes_`.
    pub classes: Option<Labels>,
    /// The methods Brine can run.
    pub methods: Vec<Method>,
    /// Constructor parameters (Python reprs).
    pub params: Vec<(String, String)>,
    /// Nested estimators.
    pub children: Vec<(String, Description)>,
}

impl Description {
    fn write(&self, out: &mut String, indent: usize, name: Option<&str>) {
        let pad = "  ".repeat(indent);
        let label = match name {
            Some(n) => format!("{n}: "),
            None => String::new(),
        };
        out.push_str(&format!("{pad}{label}{}.{}", self.module, self.class));
        if let Some(v) = &self.version {
            out.push_str(&format!(" (sklearn {v})"));
        }
        out.push('\n');
        if !self.params.is_empty() {
            let ps: Vec<String> = self
                .params
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            out.push_str(&format!("{pad}  params: {}\n", ps.join(", ")));
        }
        if let Some(n) = self.n_features_in {
            out.push_str(&format!("{pad}  n_features_in_: {n}\n"));
        }
        if let Some(names) = &self.feature_names_in {
            out.push_str(&format!("{pad}  feature_names_in_: {}\n", names.join(", ")));
        }
        if let Some(c) = &self.classes {
            out.push_str(&format!("{pad}  classes_: {c}\n"));
        }
        let ms: Vec<&str> = self.methods.iter().map(|m| m.name()).collect();
        out.push_str(&format!("{pad}  methods: {}\n", ms.join(", ")));
        for (n, child) in &self.children {
            child.write(out, indent + 1, Some(n));
        }
    }
}

impl fmt::Display for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write(&mut s, 0, None);
        f.write_str(&s)
    }
}

/// Loads the estimator at `node` of a decoded pickle or joblib graph.
///
/// Dispatches on the class name; the module must be a scikit-learn module (any version's path).
pub fn load_estimator(graph: &Graph, node: NodeId) -> Result<Box<dyn Estimator>> {
    let v = graph.value(node);
    let class = v
        .class()
        .ok_or_else(|| SklearnError::NotAnEstimator(format!("a {}", v.node().type_name())))?;
    let name: &str = &class.name;
    let module: &str = &class.module;
    if !module.starts_with("sklearn") {
        return Err(SklearnError::Unsupported {
            class: format!("{module}.{name}"),
        });
    }
    let st = State::of(v)?;
    Ok(match name {
        "LinearRegression" | "Ridge" | "Lasso" | "ElasticNet" | "SGDRegressor" => {
            Box::new(linear::LinearModel::from_state(&st)?)
        }
        "LogisticRegression" => Box::new(logistic::LogisticRegression::from_state(&st)?),
        "SGDClassifier" => Box::new(sgd::SgdClassifier::from_state(&st)?),
        "LinearSVC" => Box::new(svm_linear::LinearSvc::from_state(&st)?),
        "GaussianNB" => Box::new(naive_bayes::GaussianNb::from_state(&st)?),
        "StandardScaler" | "MinMaxScaler" | "RobustScaler" => {
            Box::new(scalers::Scaler::from_state(&st)?)
        }
        "SimpleImputer" => Box::new(impute::SimpleImputer::from_state(&st)?),
        "OneHotEncoder" | "OrdinalEncoder" => Box::new(encoders::Encoder::from_state(&st)?),
        "PolynomialFeatures" => Box::new(polynomial::PolynomialFeatures::from_state(&st)?),
        "PCA" => Box::new(pca::Pca::from_state(&st)?),
        "Pipeline" => Box::new(pipeline::Pipeline::from_state(&st)?),
        "ColumnTransformer" => Box::new(column_transformer::ColumnTransformer::from_state(&st)?),
        "FunctionTransformer" => Box::new(column_transformer::Passthrough::from_state(&st)?),
        _ => {
            return Err(SklearnError::Unsupported {
                class: format!("{module}.{name}"),
            })
        }
    })
}

/// Loads the estimator at the root of a graph.
pub fn load_root(graph: &Graph) -> Result<Box<dyn Estimator>> {
    let root = graph
        .root()
        .ok_or_else(|| SklearnError::NotAnEstimator("an empty graph".into()))?;
    load_estimator(graph, root)
}

/// Loads the fitted estimator saved in a joblib file (any compressor, any joblib version) or a
/// plain pickle file, as `joblib.load` would, without executing anything.
///
/// ```no_run
/// use brine_sklearn::{Data, Estimator};
/// let model = brine_sklearn::load("model.joblib")?;
/// let y = model.predict(&Data::Dense(ndarray::array![[1.0, 2.0]]))?;
/// # Ok::<(), brine_sklearn::SklearnError>(())
/// ```
pub fn load(path: impl AsRef<std::path::Path>) -> Result<Box<dyn Estimator>> {
    let loaded = brine_joblib::load(path, &brine_joblib::LoadOptions::default())?;
    load_root(&loaded.graph)
}

/// Loads the fitted estimator held in memory in a joblib file or a plain pickle (see [`load`]).
pub fn load_bytes(data: impl Into<bytes::Bytes>) -> Result<Box<dyn Estimator>> {
    let loaded = brine_joblib::load_bytes(data.into(), &brine_joblib::LoadOptions::default())?;
    load_root(&loaded.graph)
}

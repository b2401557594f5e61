//! Errors: values that name the estimator, the key or the column involved.

/// Everything that can go wrong loading, running, fitting or saving an estimator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SklearnError {
    /// The object's class is not one Brine can run.
    #[error("unsupported estimator {class}; supported: {}", crate::SUPPORTED.join(", "))]
    Unsupported {
        /// The class path, e.g. `sklearn.svm._classes.SVC`.
        class: String,
    },
    /// The node is not a pickled Python object (an estimator).
    #[error("not an estimator: {0}")]
    NotAnEstimator(String),
    /// A fitted attribute or parameter is missing from the estimator's state.
    #[error("{class}: missing attribute {key}")]
    Missing {
        /// The estimator's class name.
        class: String,
        /// The state key.
        key: String,
    },
    /// A state attribute has the wrong type or shape.
    #[error("{class}: attribute {key}: {message}")]
    BadState {
        /// The estimator's class name.
        class: String,
        /// The state key.
        key: String,
        /// What was expected and found.
        message: String,
    },
    /// A configuration Brine does not handle (named).
    #[error("{class}: unsupported configuration: {message}")]
    UnsupportedConfig {
        /// The estimator's class name.
        class: String,
        /// What is not supported.
        message: String,
    },
    /// The estimator has no such method (`predict_proba` of a regressor, ...).
    #[error("{class} has no method {method}")]
    NoMethod {
        /// The estimator's class name.
        class: String,
        /// The method asked for.
        method: String,
    },
    /// The input does not fit the estimator (feature count, names, types, unknown categories).
    #[error("{0}")]
    Input(String),
    /// Fitting failed (shapes, non-finite values, ...).
    #[error("fit: {0}")]
    Fit(String),
    /// A malformed CSV input.
    #[error("CSV line {line}: {message}")]
    Csv {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The numpy layer failed (array decoding or encoding, `.npy` input).
    #[error("numpy: {0}")]
    Numpy(#[from] brine_numpy::NumpyError),
    /// The joblib layer failed (reading or writing the file).
    #[error("joblib: {0}")]
    Joblib(#[from] brine_joblib::JoblibError),
    /// The pickle layer failed.
    #[error(transparent)]
    Pickle(#[from] brine_pickle::Error),
    /// Reading or writing a file failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// `Result` with [`SklearnError`].
pub type Result<T, E = SklearnError> = std::result::Result<T, E>;

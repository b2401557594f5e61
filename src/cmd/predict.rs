//! `brine predict MODEL --input X [--method M] [--output Y]`: run a saved scikit-learn model
//! (placeholder in this build).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{CliError, CliResult};

/// The estimator method to call.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Method {
    /// `predict(X)`.
    #[default]
    Predict,
    /// `predict_proba(X)`.
    PredictProba,
    /// `decision_function(X)`.
    DecisionFunction,
    /// `transform(X)`.
    Transform,
}

/// Arguments of `brine predict`.
#[derive(Args, Debug)]
pub struct PredictArgs {
    /// The model file (joblib or pickle).
    #[arg(value_name = "MODEL")]
    pub model: PathBuf,
    /// The samples: a `.npy` array or a `.csv` file of numbers; `-` reads CSV from stdin.
    #[arg(long, short, value_name = "X.npy|X.csv")]
    pub input: PathBuf,
    /// Which method to call.
    #[arg(long, short, value_enum, default_value_t = Method::Predict)]
    pub method: Method,
    /// Where to write the result: `.npy` or `.csv` (default: CSV on stdout).
    #[arg(long, short, value_name = "Y.npy|Y.csv")]
    pub output: Option<PathBuf>,
}

/// Runs `brine predict`.
pub fn run(args: &PredictArgs) -> CliResult {
    let _ = args;
    Err(CliError::Unavailable("brine predict"))
}

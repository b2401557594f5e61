//! `brine info MODEL [--json]`: what a saved scikit-learn model is: the estimator tree (pipeline
//! steps, column transformers), each estimator's parameters, `n_features_in_`, feature names,
//! classes, the methods Brine can run, and the scikit-learn version that saved it.

use std::path::{Path, PathBuf};

use brine_sklearn::{Description, Estimator, Labels, SklearnError};
use clap::Args;
use serde_json::{json, Map, Value};

use super::{is_stdio, print_stdout, read_bytes, CliError, CliResult};

/// Arguments of `brine info`.
#[derive(Args, Debug)]
pub struct InfoArgs {
    /// The model file (joblib, any compressor, or pickle); `-` reads stdin.
    #[arg(value_name = "MODEL")]
    pub model: PathBuf,
    /// Print the description as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `brine info`.
pub fn run(args: &InfoArgs) -> CliResult {
    let model = load_model(&args.model)?;
    let d = model.describe();
    if args.json {
        let text = serde_json::to_string_pretty(&description_json(&d))
            .map_err(|e| CliError::Invalid(format!("JSON: {e}")))?;
        print_stdout(&format!("{text}\n"))
    } else {
        print_stdout(&d.to_string())
    }
}

/// Loads the model in a file (or stdin for `-`).
pub fn load_model(path: &Path) -> CliResult<Box<dyn Estimator>> {
    let result = if is_stdio(path) {
        brine_sklearn::load_bytes(read_bytes(path)?)
    } else {
        brine_sklearn::load(path)
    };
    result.map_err(|e| model_error(path, e))
}

/// The CLI error for a failure to load or run a model: unreadable files are I/O errors (exit 2),
/// a missing method is bad usage (exit 2), everything else means the input is not valid (exit 1).
pub fn model_error(path: &Path, err: SklearnError) -> CliError {
    match err {
        SklearnError::Io(e) => CliError::io(path, e),
        SklearnError::Joblib(brine_joblib::JoblibError::File { path, source }) => CliError::Io {
            path: path.display().to_string(),
            source,
        },
        SklearnError::Joblib(brine_joblib::JoblibError::Io(e)) => CliError::io(path, e),
        e @ SklearnError::NoMethod { .. } => CliError::Usage(e.to_string()),
        e => CliError::Invalid(format!("{}: {e}", path.display())),
    }
}

/// Class labels as a JSON array (numbers, strings or bools).
pub fn labels_json(labels: &Labels) -> Value {
    match labels {
        Labels::Int(v) => json!(v),
        Labels::Float(v) => Value::Array(v.iter().map(|&x| float_json(x)).collect()),
        Labels::Str(v) => json!(v),
        Labels::Bool(v) => json!(v),
    }
}

/// A float as JSON (non-finite values, which JSON lacks, as Python's repr text).
fn float_json(x: f64) -> Value {
    serde_json::Number::from_f64(x)
        .map(Value::Number)
        .unwrap_or_else(|| Value::String(brine_sklearn::format_float(x)))
}

/// The JSON form of a description: `class`, `module`, `sklearn_version`, `n_features_in`,
/// `feature_names_in`, `classes`, `methods`, `params` (name to Python repr) and `children`
/// (`[{"name": ..., ...}]`), `null` where unknown.
pub fn description_json(d: &Description) -> Value {
    let mut params = Map::new();
    for (k, v) in &d.params {
        params.insert(k.clone(), Value::String(v.clone()));
    }
    let children: Vec<Value> = d
        .children
        .iter()
        .map(|(name, c)| {
            let mut v = description_json(c);
            if let Value::Object(o) = &mut v {
                o.insert("name".into(), Value::String(name.clone()));
            }
            v
        })
        .collect();
    json!({
        "class": d.class,
        "module": d.module,
        "sklearn_version": d.version,
        "n_features_in": d.n_features_in,
        "feature_names_in": d.feature_names_in,
        "classes": d.classes.as_ref().map(labels_json),
        "methods": d.methods.iter().map(|m| m.name()).collect::<Vec<_>>(),
        "params": params,
        "children": children,
    })
}

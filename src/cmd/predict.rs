//! `brine predict MODEL --input X [--method M] [--output Y]`: run a saved scikit-learn model.
//!
//! The input is a `.npy` array (numbers; text arrays become text columns) or a CSV file whose
//! header row names the columns: a model fitted on a pandas DataFrame picks its columns by name
//! (in any order), other models take them by position. The format is told from the content. The
//! output is CSV on stdout by default (a header row, then one row per sample; floats printed
//! exactly, as Python's repr), or `--output Y.npy` / `Y.csv`.

use std::path::PathBuf;

use brine_numpy::{DTypeKind, NdArray};
use brine_sklearn::ndarray::{ArrayD, Ix2};
use brine_sklearn::{format_float, Column, Data, Labels, Prediction, Table};
use clap::{Args, ValueEnum};

use super::info::{load_model, model_error};
use super::{is_stdio, print_stdout, read_bytes, write_bytes, CliError, CliResult};

/// The estimator method to call.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Method {
    /// `predict(X)`.
    #[default]
    Predict,
    /// `predict_proba(X)`.
    #[value(name = "predict_proba", alias = "predict-proba")]
    PredictProba,
    /// `decision_function(X)`.
    #[value(name = "decision_function", alias = "decision-function")]
    DecisionFunction,
    /// `transform(X)`.
    Transform,
}

impl Method {
    fn to_sklearn(self) -> brine_sklearn::Method {
        match self {
            Method::Predict => brine_sklearn::Method::Predict,
            Method::PredictProba => brine_sklearn::Method::PredictProba,
            Method::DecisionFunction => brine_sklearn::Method::DecisionFunction,
            Method::Transform => brine_sklearn::Method::Transform,
        }
    }
}

/// Arguments of `brine predict`.
#[derive(Args, Debug)]
pub struct PredictArgs {
    /// The model file (joblib, any compressor, or pickle).
    #[arg(value_name = "MODEL")]
    pub model: PathBuf,
    /// The samples: a `.npy` array or a `.csv` file with a header row; `-` reads stdin.
    #[arg(long, short, value_name = "X.npy|X.csv")]
    pub input: PathBuf,
    /// Which method to call.
    #[arg(long, short, value_enum, default_value_t = Method::Predict)]
    pub method: Method,
    /// Where to write the result: `.npy`, or CSV for any other name (default: CSV on stdout).
    #[arg(long, short, value_name = "Y.npy|Y.csv")]
    pub output: Option<PathBuf>,
}

/// Runs `brine predict`.
pub fn run(args: &PredictArgs) -> CliResult {
    if is_stdio(&args.model) && is_stdio(&args.input) {
        return Err(CliError::Usage(
            "the model and the input cannot both be stdin".into(),
        ));
    }
    let model = load_model(&args.model)?;
    let x = read_input(&args.input)?;
    let method = args.method.to_sklearn();
    if !model.methods().contains(&method) {
        let have: Vec<&str> = model.methods().iter().map(|m| m.name()).collect();
        return Err(CliError::Usage(format!(
            "{} has no method {method} (it has: {})",
            model.common().class,
            have.join(", ")
        )));
    }
    let result = model
        .call(method, &x)
        .map_err(|e| model_error(&args.input, e))?;
    let header = column_names(&result, method, model.classes());
    match &args.output {
        Some(path) if !is_stdio(path) && has_extension(path, "npy") => {
            let bytes = brine_numpy::npy::to_vec(&to_ndarray(&result))
                .map_err(|e| CliError::Invalid(format!("cannot write the result: {e}")))?;
            write_bytes(path, &bytes)
        }
        Some(path) if !is_stdio(path) => write_bytes(path, to_csv(&result, &header).as_bytes()),
        _ => print_stdout(&to_csv(&result, &header)),
    }
}

fn has_extension(path: &std::path::Path, ext: &str) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// Reads the samples: `.npy` (by its magic bytes) or CSV with a header row.
fn read_input(path: &std::path::Path) -> CliResult<Data> {
    let bytes = read_bytes(path)?;
    let invalid = |m: String| CliError::Invalid(format!("{}: {m}", path.display()));
    if bytes.starts_with(b"\x93NUMPY") {
        let header = brine_numpy::npy::read_header(&bytes).map_err(|e| invalid(e.to_string()))?;
        if header.dtype.has_object() {
            // an object array (strings, mixed): numpy pickles it inside the .npy file
            let (graph, a) =
                brine_numpy::npy::read_pickled(&bytes).map_err(|e| invalid(e.to_string()))?;
            return npy_data(&a, &graph).map_err(invalid);
        }
        let a = brine_numpy::npy::read(&bytes).map_err(|e| invalid(e.to_string()))?;
        return npy_data(&a, &brine_pickle::Graph::new()).map_err(invalid);
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| invalid("not a .npy file, nor UTF-8 CSV text".into()))?;
    Table::from_csv(text)
        .map(Data::Table)
        .map_err(|e| invalid(e.to_string()))
}

/// A 2-D `.npy` array as samples: numbers as a matrix, text as text columns.
fn npy_data(a: &NdArray, graph: &brine_pickle::Graph) -> Result<Data, String> {
    if a.ndim() != 2 {
        return Err(format!(
            "expected a 2-D array (n_samples, n_features), got shape {:?}; reshape a single feature to (n, 1)",
            a.shape
        ));
    }
    let (n, p) = (a.shape[0], a.shape[1]);
    match a.dtype.kind {
        DTypeKind::Unicode(_) | DTypeKind::Bytes(_) | DTypeKind::Object => {
            let labels = a.labels(graph).map_err(|e| e.to_string())?;
            let mut columns = vec![Vec::with_capacity(n); p];
            for (i, l) in labels.into_iter().enumerate() {
                if let Some(col) = columns.get_mut(i % p.max(1)) {
                    col.push(l);
                }
            }
            let columns = columns
                .into_iter()
                .map(|col| {
                    let nums: Option<Vec<f64>> = col
                        .iter()
                        .map(|l| match l {
                            brine_numpy::Label::Float(f) => Some(*f),
                            brine_numpy::Label::Int(i) => Some(*i as f64),
                            _ => None,
                        })
                        .collect();
                    match nums {
                        Some(v) => Column::F64(v),
                        None => Column::Str(col.into_iter().map(|l| Some(l.to_string())).collect()),
                    }
                })
                .collect();
            let names = (0..p).map(|j| format!("x{j}")).collect();
            Table::new(names, columns)
                .map(Data::Table)
                .map_err(|e| e.to_string())
        }
        _ => {
            let x = a.to_f64().map_err(|e| e.to_string())?;
            let x = x.into_dimensionality::<Ix2>().map_err(|e| e.to_string())?;
            Ok(Data::Dense(x.as_standard_layout().into_owned()))
        }
    }
}

/// The header row: the method for one column of output, the classes for per-class outputs, else
/// `method_0, method_1, ...`.
fn column_names(
    result: &Prediction,
    method: brine_sklearn::Method,
    classes: Option<&Labels>,
) -> Vec<String> {
    let ncols = match result {
        Prediction::Labels(_) => 1,
        Prediction::Values(v) if v.ndim() == 2 => v.shape()[1],
        Prediction::Values(_) => 1,
    };
    if ncols == 1 && !matches!(result, Prediction::Values(v) if v.ndim() == 2) {
        return vec![method.name().to_string()];
    }
    if let Some(c) = classes {
        let per_class = matches!(
            method,
            brine_sklearn::Method::PredictProba | brine_sklearn::Method::DecisionFunction
        );
        if per_class && c.len() == ncols {
            return (0..ncols).filter_map(|i| c.get_string(i)).collect();
        }
    }
    (0..ncols)
        .map(|j| format!("{}_{j}", method.name()))
        .collect()
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The result as CSV text: the header, then one row per sample.
fn to_csv(result: &Prediction, header: &[String]) -> String {
    let mut out = header
        .iter()
        .map(|h| csv_cell(h))
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    match result {
        Prediction::Labels(l) => {
            for i in 0..l.len() {
                out.push_str(&csv_cell(&l.get_string(i).unwrap_or_default()));
                out.push('\n');
            }
        }
        Prediction::Values(v) => match v.view().into_dimensionality::<Ix2>() {
            Ok(m) => {
                for row in m.rows() {
                    let cells: Vec<String> = row.iter().map(|&x| format_float(x)).collect();
                    out.push_str(&cells.join(","));
                    out.push('\n');
                }
            }
            Err(_) => {
                for &x in v.iter() {
                    out.push_str(&format_float(x));
                    out.push('\n');
                }
            }
        },
    }
    out
}

/// The result as a numpy array: `float64` values, or labels as `int64`, `float64`, `bool` or `<U`.
fn to_ndarray(result: &Prediction) -> NdArray {
    match result {
        Prediction::Values(v) => NdArray::from_array(v.as_standard_layout().into_owned()),
        Prediction::Labels(Labels::Int(v)) => NdArray::from_i64_slice(v),
        Prediction::Labels(Labels::Float(v)) => NdArray::from_f64_slice(v),
        Prediction::Labels(Labels::Bool(v)) => {
            NdArray::from_array(ArrayD::from_shape_fn(vec![v.len()], |i| {
                v.get(i[0]).copied().unwrap_or(false)
            }))
        }
        Prediction::Labels(Labels::Str(v)) => NdArray::from_strings(v),
    }
}

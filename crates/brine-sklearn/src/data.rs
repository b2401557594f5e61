//! What estimators take and give: numeric matrices, tables of named mixed-type columns (a pandas
//! DataFrame or a CSV file), class labels, and predictions.

use std::borrow::Cow;
use std::fmt;

use ndarray::{Array1, Array2, ArrayD, Axis};

use crate::error::{Result, SklearnError};

/// One column of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers (NaN marks a missing value).
    F64(Vec<f64>),
    /// Text (`None` marks a missing value, like pandas' `None`/`NaN` in an object column).
    Str(Vec<Option<String>>),
}

impl Column {
    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            Column::F64(v) => v.len(),
            Column::Str(v) => v.len(),
        }
    }

    /// `true` when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn take(&self, rows: &[usize]) -> Column {
        match self {
            Column::F64(v) => Column::F64(rows.iter().filter_map(|&r| v.get(r).copied()).collect()),
            Column::Str(v) => Column::Str(rows.iter().filter_map(|&r| v.get(r).cloned()).collect()),
        }
    }
}

/// Named columns of numbers or text: what a pandas DataFrame or a CSV file with a header holds.
///
/// ```
/// use brine_sklearn::{Column, Table};
/// let t = Table::from_csv("a,color\n1.5,red\n2,blue\n").unwrap();
/// assert_eq!(t.names(), ["a", "color"]);
/// assert_eq!(t.column("a"), Some(&Column::F64(vec![1.5, 2.0])));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    names: Vec<String>,
    columns: Vec<Column>,
    rows: usize,
}

impl Table {
    /// A table from named columns, which must all have the same length.
    pub fn new(names: Vec<String>, columns: Vec<Column>) -> Result<Table> {
        if names.len() != columns.len() {
            return Err(SklearnError::Input(format!(
                "{} column names for {} columns",
                names.len(),
                columns.len()
            )));
        }
        let rows = columns.first().map(Column::len).unwrap_or(0);
        if let Some((i, c)) = columns.iter().enumerate().find(|(_, c)| c.len() != rows) {
            return Err(SklearnError::Input(format!(
                "column {:?} has {} rows, expected {rows}",
                names.get(i).map(String::as_str).unwrap_or(""),
                c.len()
            )));
        }
        Ok(Table {
            names,
            columns,
            rows,
        })
    }

    /// A numeric table from a matrix, with column names `x0, x1, ...`.
    pub fn from_array(x: &Array2<f64>) -> Table {
        let names = (0..x.ncols()).map(|j| format!("x{j}")).collect();
        let columns = x
            .columns()
            .into_iter()
            .map(|c| Column::F64(c.to_vec()))
            .collect();
        Table {
            names,
            columns,
            rows: x.nrows(),
        }
    }

    /// Parses CSV text with a header row. A column is numeric when every cell parses as a number
    /// (`nan`, `NaN` and empty cells count as missing numbers); otherwise it is text, and an empty
    /// cell is a missing value. Double-quoted cells (with `""` escapes) are accepted.
    pub fn from_csv(text: &str) -> Result<Table> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let (_, header) = lines.next().ok_or(SklearnError::Csv {
            line: 1,
            message: "empty input: a header row is needed".into(),
        })?;
        let names = split_csv_line(header, 1)?;
        let mut cells: Vec<Vec<String>> = vec![Vec::new(); names.len()];
        for (i, line) in lines {
            let row = split_csv_line(line, i + 1)?;
            if row.len() != names.len() {
                return Err(SklearnError::Csv {
                    line: i + 1,
                    message: format!("{} cells, the header has {}", row.len(), names.len()),
                });
            }
            for (col, cell) in cells.iter_mut().zip(row) {
                col.push(cell);
            }
        }
        let columns = cells
            .into_iter()
            .map(|col| {
                let nums: Option<Vec<f64>> = col.iter().map(|c| parse_number(c)).collect();
                match nums {
                    Some(v) => Column::F64(v),
                    None => Column::Str(
                        col.into_iter()
                            .map(|c| if c.is_empty() { None } else { Some(c) })
                            .collect(),
                    ),
                }
            })
            .collect();
        Table::new(names, columns)
    }

    /// The column names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The columns.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column with this name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        let i = self.names.iter().position(|n| n == name)?;
        self.columns.get(i)
    }

    /// The number of rows.
    pub fn nrows(&self) -> usize {
        self.rows
    }

    /// The number of columns.
    pub fn ncols(&self) -> usize {
        self.columns.len()
    }

    /// The columns at these positions, in this order.
    pub fn select(&self, idx: &[usize]) -> Result<Table> {
        let mut names = Vec::with_capacity(idx.len());
        let mut columns = Vec::with_capacity(idx.len());
        for &i in idx {
            let (n, c) = self.names.get(i).zip(self.columns.get(i)).ok_or_else(|| {
                SklearnError::Input(format!("no column {i} in a table of {}", self.ncols()))
            })?;
            names.push(n.clone());
            columns.push(c.clone());
        }
        Ok(Table {
            names,
            columns,
            rows: self.rows,
        })
    }

    /// These rows, in this order.
    pub fn rows(&self, rows: &[usize]) -> Table {
        Table {
            names: self.names.clone(),
            columns: self.columns.iter().map(|c| c.take(rows)).collect(),
            rows: rows.iter().filter(|&&r| r < self.rows).count(),
        }
    }

    /// The table as a matrix of numbers; a text column is an error naming it.
    pub fn to_array(&self) -> Result<Array2<f64>> {
        let mut out = Array2::zeros((self.rows, self.ncols()));
        for (j, (name, col)) in self.names.iter().zip(&self.columns).enumerate() {
            match col {
                Column::F64(v) => {
                    for (dst, &src) in out.column_mut(j).iter_mut().zip(v) {
                        *dst = src;
                    }
                }
                Column::Str(v) => {
                    // a boolean column (pandas writes `True` / `False`): numpy's 1.0 / 0.0
                    let bools = v
                        .iter()
                        .map(|c| match c.as_deref().map(str::trim) {
                            Some("True" | "true") => Some(1.0),
                            Some("False" | "false") => Some(0.0),
                            None => Some(f64::NAN),
                            Some(_) => None,
                        })
                        .collect::<Option<Vec<f64>>>()
                        .filter(|b| b.iter().any(|x| !x.is_nan()));
                    let Some(bools) = bools else {
                        return Err(SklearnError::Input(format!(
                            "column {name:?} holds text, but this estimator needs numbers"
                        )));
                    };
                    for (dst, src) in out.column_mut(j).iter_mut().zip(bools) {
                        *dst = src;
                    }
                }
            }
        }
        Ok(out)
    }
}

fn parse_number(cell: &str) -> Option<f64> {
    let c = cell.trim();
    match c {
        "" | "nan" | "NaN" | "NAN" | "NA" | "null" => Some(f64::NAN),
        "inf" | "+inf" | "Infinity" => Some(f64::INFINITY),
        "-inf" | "-Infinity" => Some(f64::NEG_INFINITY),
        _ => c.parse::<f64>().ok(),
    }
}

fn split_csv_line(line: &str, lineno: usize) -> Result<Vec<String>> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    cur.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' && cur.is_empty() && !was_quoted {
            quoted = true;
            was_quoted = true;
        } else if c == ',' {
            out.push(std::mem::take(&mut cur));
            was_quoted = false;
        } else {
            cur.push(c);
        }
    }
    if quoted {
        return Err(SklearnError::Csv {
            line: lineno,
            message: "unterminated quoted cell".into(),
        });
    }
    out.push(cur);
    Ok(out)
}

/// The samples given to an estimator: a numeric matrix, or a table of named columns.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// Rows of numbers (a numpy array).
    Dense(Array2<f64>),
    /// Named columns of numbers or text (a pandas DataFrame).
    Table(Table),
}

impl From<Array2<f64>> for Data {
    fn from(x: Array2<f64>) -> Data {
        Data::Dense(x)
    }
}

impl From<Table> for Data {
    fn from(t: Table) -> Data {
        Data::Table(t)
    }
}

impl Data {
    /// The number of samples.
    pub fn nrows(&self) -> usize {
        match self {
            Data::Dense(x) => x.nrows(),
            Data::Table(t) => t.nrows(),
        }
    }

    /// The number of features.
    pub fn ncols(&self) -> usize {
        match self {
            Data::Dense(x) => x.ncols(),
            Data::Table(t) => t.ncols(),
        }
    }

    /// Column names, for a table.
    pub fn names(&self) -> Option<&[String]> {
        match self {
            Data::Dense(_) => None,
            Data::Table(t) => Some(t.names()),
        }
    }

    /// The samples as numbers (text columns are an error).
    pub fn to_dense(&self) -> Result<Cow<'_, Array2<f64>>> {
        match self {
            Data::Dense(x) => Ok(Cow::Borrowed(x)),
            Data::Table(t) => Ok(Cow::Owned(t.to_array()?)),
        }
    }

    /// The values of column `j`.
    pub fn column(&self, j: usize) -> Result<ColumnRef<'_>> {
        match self {
            Data::Dense(x) => {
                if j >= x.ncols() {
                    return Err(SklearnError::Input(format!(
                        "no column {j} in {} columns",
                        x.ncols()
                    )));
                }
                Ok(ColumnRef::F64(x.column(j).to_vec()))
            }
            Data::Table(t) => match t.columns().get(j) {
                Some(Column::F64(v)) => Ok(ColumnRef::F64(v.clone())),
                Some(Column::Str(v)) => Ok(ColumnRef::Str(v)),
                None => Err(SklearnError::Input(format!(
                    "no column {j} in {} columns",
                    t.ncols()
                ))),
            },
        }
    }

    /// The columns at these positions.
    pub fn select(&self, idx: &[usize]) -> Result<Data> {
        match self {
            Data::Dense(x) => {
                if let Some(&bad) = idx.iter().find(|&&j| j >= x.ncols()) {
                    return Err(SklearnError::Input(format!(
                        "no column {bad} in {} columns",
                        x.ncols()
                    )));
                }
                Ok(Data::Dense(x.select(Axis(1), idx)))
            }
            Data::Table(t) => Ok(Data::Table(t.select(idx)?)),
        }
    }
}

/// A borrowed or materialised column of [`Data`].
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnRef<'a> {
    /// Numbers.
    F64(Vec<f64>),
    /// Text.
    Str(&'a [Option<String>]),
}

/// Class labels (`classes_`, and what `predict` returns for a classifier).
#[derive(Debug, Clone, PartialEq)]
pub enum Labels {
    /// Integer labels (`<i8`, `<i4`, ...).
    Int(Vec<i64>),
    /// Float labels.
    Float(Vec<f64>),
    /// Text labels (`<U` or object arrays of `str`).
    Str(Vec<String>),
    /// Boolean labels.
    Bool(Vec<bool>),
}

impl Labels {
    /// The number of labels.
    pub fn len(&self) -> usize {
        match self {
            Labels::Int(v) => v.len(),
            Labels::Float(v) => v.len(),
            Labels::Str(v) => v.len(),
            Labels::Bool(v) => v.len(),
        }
    }

    /// `true` when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The labels at these indices (`classes_[idx]`).
    pub fn take(&self, idx: &[usize]) -> Result<Labels> {
        fn pick<T: Clone>(v: &[T], idx: &[usize]) -> Result<Vec<T>> {
            idx.iter()
                .map(|&i| {
                    v.get(i)
                        .cloned()
                        .ok_or_else(|| SklearnError::Input(format!("class index {i} out of range")))
                })
                .collect()
        }
        Ok(match self {
            Labels::Int(v) => Labels::Int(pick(v, idx)?),
            Labels::Float(v) => Labels::Float(pick(v, idx)?),
            Labels::Str(v) => Labels::Str(pick(v, idx)?),
            Labels::Bool(v) => Labels::Bool(pick(v, idx)?),
        })
    }

    /// Label `i` as text (for display and CSV).
    pub fn get_string(&self, i: usize) -> Option<String> {
        match self {
            Labels::Int(v) => v.get(i).map(|x| x.to_string()),
            Labels::Float(v) => v.get(i).map(|x| format_float(*x)),
            Labels::Str(v) => v.get(i).cloned(),
            Labels::Bool(v) => v
                .get(i)
                .map(|x| if *x { "True" } else { "False" }.to_string()),
        }
    }
}

impl fmt::Display for Labels {
    /// numpy-like: `[10 20 30]`, `['neg' 'pos']`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for i in 0..self.len() {
            if i > 0 {
                f.write_str(" ")?;
            }
            match self {
                Labels::Str(v) => {
                    let s = v.get(i).map(String::as_str).unwrap_or("");
                    write!(f, "'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))?
                }
                _ => f.write_str(&self.get_string(i).unwrap_or_default())?,
            }
        }
        f.write_str("]")
    }
}

/// What `predict` returns: numbers (regressors; 1-D for one target) or class labels (classifiers).
#[derive(Debug, Clone, PartialEq)]
pub enum Prediction {
    /// Regression values, shaped as sklearn returns them.
    Values(ArrayD<f64>),
    /// Class labels, one per sample.
    Labels(Labels),
}

impl Prediction {
    /// The values of a regression prediction.
    pub fn values(&self) -> Option<&ArrayD<f64>> {
        match self {
            Prediction::Values(v) => Some(v),
            Prediction::Labels(_) => None,
        }
    }

    /// The labels of a classification.
    pub fn labels(&self) -> Option<&Labels> {
        match self {
            Prediction::Labels(l) => Some(l),
            Prediction::Values(_) => None,
        }
    }
}

/// Formats a float as Python's `repr` does (`1.0`, `0.1`, `1e-06`, `nan`): brine-pickle's
/// [`float_repr`](brine_pickle::repr::float_repr).
pub fn format_float(x: f64) -> String {
    brine_pickle::repr::float_repr(x)
}

/// A 1-D array printed as numpy prints float arrays: `[ 8.  9. 10.]`.
///
/// ```
/// use ndarray::array;
/// assert_eq!(brine_sklearn::format_array1(&array![8.0, 9.0, 10.0]), "[ 8.  9. 10.]");
/// assert_eq!(brine_sklearn::format_array1(&array![0.5, 12.25]), "[ 0.5  12.25]");
/// ```
pub fn format_array1(a: &Array1<f64>) -> String {
    let all_int = a
        .iter()
        .all(|v| v.is_finite() && v.fract() == 0.0 && v.abs() < 1e16);
    let cells: Vec<String> = if all_int {
        a.iter().map(|v| format!("{}.", *v as i64)).collect()
    } else {
        // numpy's default: up to 8 significant decimals, trailing zeros removed, then padded.
        let strs: Vec<String> = a
            .iter()
            .map(|v| {
                if !v.is_finite() {
                    return format_float(*v);
                }
                let s = format!("{v:.8}");
                let s = s.trim_end_matches('0');
                s.to_string()
            })
            .collect();
        let frac = strs
            .iter()
            .map(|s| s.split_once('.').map(|(_, f)| f.len()).unwrap_or(0))
            .max()
            .unwrap_or(0);
        strs.iter()
            .map(|s| match s.split_once('.') {
                Some((i, f)) => format!("{i}.{f:<frac$}"),
                None => s.clone(),
            })
            .collect()
    };
    let width = cells.iter().map(String::len).max().unwrap_or(0);
    let body: Vec<String> = cells.iter().map(|c| format!("{c:>width$}")).collect();
    format!("[{}]", body.join(" "))
}

//! `ColumnTransformer`, and the identity `FunctionTransformer` sklearn stores for passthrough columns.

use brine_pickle::{Node, ValueRef};
use ndarray::{Array2, Axis};

use crate::arrays::{self, Elems};
use crate::data::{Column, Data, Table};
use crate::error::{Result, SklearnError};
use crate::state::{Common, State};
use crate::{load_estimator, Estimator, Method};

/// `FunctionTransformer(func=None)`: the identity (what sklearn ≥ 1.4 stores for `'passthrough'`).
#[derive(Debug, Clone, PartialEq)]
pub struct Passthrough {
    common: Common,
}

impl Passthrough {
    /// Reads a pickled `FunctionTransformer`; only `func=None` (the identity) is supported.
    pub fn from_state(st: &State<'_>) -> Result<Passthrough> {
        if st.get_some("func").is_some() {
            return Err(st.unsupported(
                "FunctionTransformer with a function (only func=None can run without Python)",
            ));
        }
        Ok(Passthrough {
            common: st.common(&["func", "validate", "accept_sparse"])?,
        })
    }

    fn identity() -> Passthrough {
        Passthrough {
            common: Common {
                class: "passthrough".into(),
                module: String::new(),
                version: None,
                n_features_in: None,
                feature_names_in: None,
                params: Vec::new(),
            },
        }
    }
}

impl Estimator for Passthrough {
    fn common(&self) -> &Common {
        &self.common
    }
    fn methods(&self) -> Vec<Method> {
        vec![Method::Transform]
    }
    fn transform(&self, x: &Data) -> Result<Array2<f64>> {
        Ok(x.to_dense()?.into_owned())
    }
    fn transform_data(&self, x: &Data) -> Result<Data> {
        Ok(x.clone())
    }
}

/// Which columns a transformer takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    /// By position.
    Indices(Vec<usize>),
    /// By name (a DataFrame's columns).
    Names(Vec<String>),
}

/// One fitted entry of `transformers_`.
#[derive(Debug)]
pub struct Entry {
    /// The transformer's name.
    pub name: String,
    /// The fitted transformer (`None` for `'drop'`).
    pub transformer: Option<Box<dyn Estimator>>,
    /// Its columns.
    pub columns: Selection,
    /// `transformer_weights[name]`, if any.
    pub weight: Option<f64>,
}

/// A fitted `ColumnTransformer` (dense output; a sparse-output model gives the same values densely).
#[derive(Debug)]
pub struct ColumnTransformer {
    common: Common,
    /// `transformers_`, remainder included.
    pub entries: Vec<Entry>,
}

/// A column position as sklearn takes it: negative counts from the end.
fn column_index(i: i64, n_features: Option<usize>, st: &State<'_>) -> Result<usize> {
    let bad = || st.bad("transformers_", format!("column index {i} out of range"));
    if i >= 0 {
        return usize::try_from(i).map_err(|_| bad());
    }
    let n = n_features.ok_or_else(bad)?;
    usize::try_from(i + n as i64).map_err(|_| bad())
}

fn parse_selection(
    v: ValueRef<'_>,
    n_features: Option<usize>,
    names_in: Option<&[String]>,
    st: &State<'_>,
) -> Result<Selection> {
    let bad = || st.bad("transformers_", "unsupported column selection");
    if let Some(s) = v.as_str() {
        return Ok(Selection::Names(vec![s.to_string()]));
    }
    if let Some(i) = v.as_i64() {
        return Ok(Selection::Indices(vec![column_index(i, n_features, st)?]));
    }
    // slice(start, stop, step)
    if let Some(g) = v.class() {
        if &*g.name == "slice" {
            let args = v.args().ok_or_else(bad)?;
            let label = |k: usize| args.item(k).and_then(|a| a.as_str().map(str::to_string));
            if label(0).is_some() || label(1).is_some() {
                // a slice of column names, both ends included (pandas .loc)
                let names = names_in.ok_or_else(bad)?;
                let pos = |k: usize| -> Result<Option<usize>> {
                    match label(k) {
                        None => Ok(None),
                        Some(l) => names.iter().position(|n| *n == l).map(Some).ok_or_else(|| {
                            st.bad("transformers_", format!("no column {l:?} for a slice"))
                        }),
                    }
                };
                let start = pos(0)?.unwrap_or(0);
                let stop = pos(1)?.map_or(names.len(), |p| p + 1);
                if args.item(2).is_some_and(|a| !a.is_none()) {
                    return Err(bad());
                }
                return Ok(Selection::Names(
                    names.get(start..stop.max(start)).unwrap_or(&[]).to_vec(),
                ));
            }
            let n = n_features.ok_or_else(bad)? as i64;
            let get = |k: usize| args.item(k).and_then(|a| a.as_i64());
            let step = get(2).unwrap_or(1);
            if step <= 0 {
                return Err(bad());
            }
            let norm = |x: i64| if x < 0 { (x + n).max(0) } else { x.min(n) };
            let start = get(0).map(norm).unwrap_or(0);
            let stop = get(1).map(norm).unwrap_or(n);
            let idx = (start..stop)
                .step_by(step as usize)
                .map(|i| i as usize)
                .collect();
            return Ok(Selection::Indices(idx));
        }
    }
    // an object wrapping a list (_RemainderColsList in sklearn 1.5-1.6)
    if let Some(obj) = v.as_object() {
        if !obj.list_items.is_empty() {
            let ids = obj.list_items.clone();
            let g = v.graph();
            return selection_from_values(
                ids.iter().map(|&id| g.value(id)).collect(),
                n_features,
                st,
            );
        }
        if let Some(data) = v.state().and_then(|s| s.get("data")) {
            return parse_selection(data, n_features, names_in, st);
        }
    }
    let (_, elems) = arrays::items(v).ok_or_else(bad)?;
    match elems {
        Elems::Bool(mask) => Ok(Selection::Indices(
            mask.iter()
                .enumerate()
                .filter(|(_, &b)| b)
                .map(|(i, _)| i)
                .collect(),
        )),
        Elems::I64(ix) => Ok(Selection::Indices(
            ix.into_iter()
                .map(|i| column_index(i, n_features, st))
                .collect::<Result<_>>()?,
        )),
        Elems::Str(s) => Ok(Selection::Names(s)),
        Elems::F64(_) => Err(bad()),
        Elems::Obj(ids) => {
            let g = v.graph();
            selection_from_values(ids.iter().map(|&id| g.value(id)).collect(), n_features, st)
        }
    }
}

fn selection_from_values(
    vals: Vec<ValueRef<'_>>,
    n_features: Option<usize>,
    st: &State<'_>,
) -> Result<Selection> {
    if vals.is_empty() {
        return Ok(Selection::Indices(Vec::new()));
    }
    if vals.iter().all(|v| v.as_str().is_some()) {
        return Ok(Selection::Names(
            vals.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        ));
    }
    if vals.iter().all(|v| matches!(v.node(), Node::Bool(_))) && !vals.is_empty() {
        return Ok(Selection::Indices(
            vals.iter()
                .enumerate()
                .filter(|(_, v)| v.as_bool() == Some(true))
                .map(|(i, _)| i)
                .collect(),
        ));
    }
    vals.iter()
        .map(|v| {
            let i = v
                .as_i64()
                .ok_or_else(|| st.bad("transformers_", "unsupported column selection"))?;
            column_index(i, n_features, st)
        })
        .collect::<Result<Vec<usize>>>()
        .map(Selection::Indices)
}

impl ColumnTransformer {
    /// Reads a pickled `ColumnTransformer`, loading every fitted transformer.
    pub fn from_state(st: &State<'_>) -> Result<ColumnTransformer> {
        let common = st.common(&[
            "remainder",
            "sparse_threshold",
            "transformer_weights",
            "verbose_feature_names_out",
        ])?;
        let weights = st.get_some("transformer_weights");
        let list = st.req("transformers_")?;
        let callables = st.get_some("_columns");
        let mut entries = Vec::new();
        for (i, t) in list.items().enumerate() {
            let name = t
                .item(0)
                .and_then(|n| n.as_str())
                .ok_or_else(|| st.bad("transformers_", "expected (name, transformer, columns)"))?
                .to_string();
            let tr = t
                .item(1)
                .ok_or_else(|| st.bad("transformers_", "expected (name, transformer, columns)"))?;
            let mut cols = t
                .item(2)
                .ok_or_else(|| st.bad("transformers_", "expected (name, transformer, columns)"))?;
            if matches!(cols.node(), Node::Global(_))
                || cols.as_object().is_some_and(|_| {
                    cols.class()
                        .is_some_and(|g| &*g.name != "slice" && !g.name.contains("List"))
                })
            {
                // a callable: use the resolved columns
                cols = callables.and_then(|c| c.item(i)).ok_or_else(|| {
                    st.unsupported("a callable column selector without resolved _columns")
                })?;
            }
            let columns = parse_selection(
                cols,
                common.n_features_in,
                common.feature_names_in.as_deref(),
                st,
            )?;
            let transformer: Option<Box<dyn Estimator>> = match tr.as_str() {
                Some("drop") => None,
                Some("passthrough") => Some(Box::new(Passthrough::identity())),
                Some(other) => return Err(st.unsupported(format!("transformer {other:?}"))),
                None => Some(load_estimator(tr.graph(), tr.id())?),
            };
            let weight = weights
                .and_then(|w| w.get(&name))
                .and_then(arrays::scalar_f64);
            entries.push(Entry {
                name,
                transformer,
                columns,
                weight,
            });
        }
        Ok(ColumnTransformer { common, entries })
    }

    fn resolve(&self, sel: &Selection, x: &Data) -> Result<Vec<usize>> {
        match sel {
            Selection::Indices(ix) => Ok(ix.clone()),
            Selection::Names(names) => {
                let available: &[String] = match (x.names(), &self.common.feature_names_in) {
                    (Some(n), _) => n,
                    (None, Some(n)) => n,
                    (None, None) => {
                        return Err(SklearnError::Input(
                            "ColumnTransformer selects columns by name: give a table with named columns".into(),
                        ))
                    }
                };
                names
                    .iter()
                    .map(|n| {
                        available.iter().position(|a| a == n).ok_or_else(|| {
                            SklearnError::Input(format!(
                                "ColumnTransformer: the input has no column {n:?}"
                            ))
                        })
                    })
                    .collect()
            }
        }
    }
}

impl Estimator for ColumnTransformer {
    fn common(&self) -> &Common {
        &self.common
    }
    fn methods(&self) -> Vec<Method> {
        vec![Method::Transform]
    }
    fn transform(&self, x: &Data) -> Result<Array2<f64>> {
        Ok(self.transform_data(x)?.to_dense()?.into_owned())
    }
    fn transform_data(&self, x: &Data) -> Result<Data> {
        // A model fitted on a DataFrame takes a table's columns by name (in any order).
        let x = match (x, &self.common.feature_names_in) {
            (Data::Table(_), Some(_)) => self.common.check_data(x)?,
            _ => std::borrow::Cow::Borrowed(x),
        };
        let x = x.as_ref();
        // Named selections pick columns by name; otherwise the column count must match.
        let by_name = self
            .entries
            .iter()
            .any(|e| matches!(e.columns, Selection::Names(_)));
        if let (false, Some(n)) = (by_name && x.names().is_some(), self.common.n_features_in) {
            if x.ncols() != n {
                return Err(SklearnError::Input(format!(
                    "X has {} features, but ColumnTransformer is expecting {n} features as input.",
                    x.ncols()
                )));
            }
        }
        let mut blocks: Vec<Data> = Vec::new();
        for e in &self.entries {
            let Some(t) = &e.transformer else { continue };
            let idx = self.resolve(&e.columns, x)?;
            if idx.is_empty() {
                continue;
            }
            let sub = x.select(&idx)?;
            let mut out = t.transform_data(&sub)?;
            if let Some(w) = e.weight {
                let mut dense = out.to_dense()?.into_owned();
                dense.mapv_inplace(|v| v * w);
                out = Data::Dense(dense);
            }
            if out.nrows() != x.nrows() {
                return Err(SklearnError::Input(format!(
                    "transformer {} changed the number of rows",
                    e.name
                )));
            }
            blocks.push(out);
        }
        if blocks.iter().all(|b| matches!(b, Data::Dense(_))) {
            let dense: Vec<Array2<f64>> = blocks
                .into_iter()
                .filter_map(|b| match b {
                    Data::Dense(d) => Some(d),
                    Data::Table(_) => None,
                })
                .collect();
            if dense.is_empty() {
                return Ok(Data::Dense(Array2::zeros((x.nrows(), 0))));
            }
            let views: Vec<_> = dense.iter().map(|b| b.view()).collect();
            return ndarray::concatenate(Axis(1), &views)
                .map(Data::Dense)
                .map_err(|e| SklearnError::Input(e.to_string()));
        }
        // Text in some block: the output is an object array, here a table x0, x1, ...
        let mut columns = Vec::new();
        for b in blocks {
            match b {
                Data::Dense(d) => {
                    columns.extend(d.columns().into_iter().map(|c| Column::F64(c.to_vec())))
                }
                Data::Table(t) => columns.extend(t.columns().iter().cloned()),
            }
        }
        let names = (0..columns.len()).map(|j| format!("x{j}")).collect();
        Ok(Data::Table(Table::new(names, columns)?))
    }
    fn children(&self) -> Vec<(String, &dyn Estimator)> {
        self.entries
            .iter()
            .filter_map(|e| e.transformer.as_deref().map(|t| (e.name.clone(), t)))
            .collect()
    }
}

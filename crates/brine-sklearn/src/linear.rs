//! Linear regressors (`LinearRegression`, `Ridge`, `Lasso`, `ElasticNet`, `SGDRegressor`), the shared
//! linear kernel, and fitting and saving `LinearRegression`.

use brine_numpy::NdArray;
use brine_pickle::{Graph, NodeId, Object, ObjectKind};
use nalgebra::DMatrix;
use ndarray::{Array1, Array2, ArrayD, Axis};

use crate::data::{Data, Prediction};
use crate::error::{Result, SklearnError};
use crate::state::{Common, State};
use crate::{Estimator, Method};

/// `x @ c.T`, summing each dot product in feature order.
pub(crate) fn matmul_t(x: &Array2<f64>, c: &Array2<f64>) -> Array2<f64> {
    let mut out = Array2::zeros((x.nrows(), c.nrows()));
    for (i, row) in x.rows().into_iter().enumerate() {
        for (k, w) in c.rows().into_iter().enumerate() {
            let mut s = 0.0;
            for (a, b) in row.iter().zip(w.iter()) {
                s += a * b;
            }
            out[[i, k]] = s;
        }
    }
    out
}

/// `X @ coef.T + intercept`, summing each dot product in feature order.
pub(crate) fn linear_decision(
    x: &Array2<f64>,
    coef: &Array2<f64>,
    intercept: &Array1<f64>,
) -> Array2<f64> {
    let mut out = matmul_t(x, coef);
    for mut row in out.rows_mut() {
        for (k, v) in row.iter_mut().enumerate() {
            *v += intercept.get(k).copied().unwrap_or(0.0);
        }
    }
    out
}

/// Reads `coef_` as `(n_outputs, n_features)` and `intercept_` as `(n_outputs,)`, and whether the
/// model has a single (1-D) output.
pub(crate) fn read_coef(st: &State<'_>) -> Result<(Array2<f64>, Array1<f64>, bool)> {
    let raw = st.array("coef_")?;
    let single = raw.ndim() == 1;
    let coef = st.array2("coef_")?;
    let intercept = match st.get_some("intercept_") {
        Some(_) => st.array1("intercept_")?,
        None => Array1::zeros(coef.nrows()),
    };
    let intercept = if intercept.len() == 1 && coef.nrows() > 1 {
        Array1::from_elem(coef.nrows(), intercept[0])
    } else {
        intercept
    };
    if intercept.len() != coef.nrows() {
        return Err(st.bad(
            "intercept_",
            format!(
                "{} values for {} rows of coef_",
                intercept.len(),
                coef.nrows()
            ),
        ));
    }
    if let Some(n) = st.get_some("n_features_in_").and_then(|v| v.as_i64()) {
        if usize::try_from(n).ok() != Some(coef.ncols()) {
            return Err(st.bad(
                "coef_",
                format!("{} columns, but n_features_in_ is {n}", coef.ncols()),
            ));
        }
    }
    Ok((coef, intercept, single))
}

/// `(major, minor)` of a version string like `1.9.1`.
fn parse_version(v: &str) -> Option<(u32, u32)> {
    let mut it = v.split('.');
    let major = it.next()?.trim().parse().ok()?;
    let minor = it
        .next()
        .map(|m| {
            m.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    Some((major, minor))
}

/// numpy's pairwise summation of a contiguous 1-D array (`np.sum`), bit for bit.
pub(crate) fn pairwise_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for &v in a {
            res += v;
        }
        res
    } else if n <= 128 {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&a[..8]);
        let m = n - n % 8;
        let mut i = 8;
        while i < m {
            for (j, rj) in r.iter_mut().enumerate() {
                *rj += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &v in &a[m..] {
            res += v;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_sum(&a[..n2]) + pairwise_sum(&a[n2..])
    }
}

/// Column sums of a C-ordered matrix as numpy's `sum(axis=0)` accumulates them (row after row),
/// optionally of `x * w[:, None]`.
fn column_sums(x: &Array2<f64>, w: Option<&Array1<f64>>) -> Array1<f64> {
    let mut acc = Array1::zeros(x.ncols());
    for (i, row) in x.rows().into_iter().enumerate() {
        let wi = w.and_then(|w| w.get(i).copied());
        for (a, &v) in acc.iter_mut().zip(row.iter()) {
            *a += match wi {
                Some(wi) => v * wi,
                None => v,
            };
        }
    }
    acc
}

/// A fitted linear regressor: `predict(X) = X @ coef_.T + intercept_`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    common: Common,
    /// `coef_` as `(n_targets, n_features)`.
    pub coef: Array2<f64>,
    /// `intercept_` per target.
    pub intercept: Array1<f64>,
    /// `true` when `coef_` is 1-D (one target): `predict` returns a 1-D array.
    pub single_target: bool,
}

impl LinearModel {
    /// Reads a pickled `LinearRegression`, `Ridge`, `Lasso`, `ElasticNet` or `SGDRegressor`.
    pub fn from_state(st: &State<'_>) -> Result<LinearModel> {
        let (coef, intercept, single_target) = read_coef(st)?;
        let params: &[&str] = match st.class() {
            "LinearRegression" => &["fit_intercept", "copy_X", "tol", "n_jobs", "positive"],
            "Ridge" => &["alpha", "fit_intercept", "solver", "positive"],
            "Lasso" | "ElasticNet" => &[
                "alpha",
                "l1_ratio",
                "fit_intercept",
                "max_iter",
                "tol",
                "positive",
                "selection",
            ],
            _ => &[
                "loss",
                "penalty",
                "alpha",
                "l1_ratio",
                "max_iter",
                "tol",
                "learning_rate",
                "eta0",
                "random_state",
            ],
        };
        let mut common = st.common(params)?;
        if common.n_features_in.is_none() {
            common.n_features_in = Some(coef.ncols());
        }
        Ok(LinearModel {
            common,
            coef,
            intercept,
            single_target,
        })
    }

    /// `predict` on a numeric matrix.
    pub fn predict_array(&self, x: &Array2<f64>) -> Result<ArrayD<f64>> {
        if x.ncols() != self.coef.ncols() {
            return Err(SklearnError::Input(format!(
                "X has {} features, but {} is expecting {} features as input.",
                x.ncols(),
                self.common.class,
                self.coef.ncols()
            )));
        }
        let out = linear_decision(x, &self.coef, &self.intercept);
        Ok(if self.single_target {
            out.index_axis(Axis(1), 0).to_owned().into_dyn()
        } else {
            out.into_dyn()
        })
    }
}

impl Estimator for LinearModel {
    fn common(&self) -> &Common {
        &self.common
    }
    fn methods(&self) -> Vec<Method> {
        vec![Method::Predict]
    }
    fn predict(&self, x: &Data) -> Result<Prediction> {
        let x = self.common.check_dense(x)?;
        Ok(Prediction::Values(self.predict_array(&x)?))
    }
}

/// A `LinearRegression` fitted in Rust with sklearn's semantics (least squares by SVD, as scipy's
/// `lstsq` with `cond=tol`), which can be saved for `joblib.load`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearRegression {
    /// The fitted model (usable for `predict` like a loaded one).
    pub model: LinearModel,
    /// `fit_intercept`.
    pub fit_intercept: bool,
    /// `tol`: singular values below `tol * max(singular_)` count as zero.
    pub tol: f64,
    /// `rank_`: the effective rank of the (centred, weighted) training matrix.
    pub rank: usize,
    /// `singular_`: its singular values, largest first.
    pub singular: Array1<f64>,
    /// scipy's `lstsq` residues (sum of squared residuals per target of the centred, weighted
    /// problem), which sklearn < 1.2 pickled as `_residues`; empty when the rank is below the
    /// number of features or there are no more samples than features.
    pub residues: Array1<f64>,
}

/// Options of [`LinearRegression::fit_with`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitOptions {
    /// Fit an intercept (center X and y with their weighted means first). Default `true`.
    pub fit_intercept: bool,
    /// Cut-off for small singular values, relative to the largest. Default `1e-6` (sklearn's `tol`).
    pub tol: f64,
}

impl Default for FitOptions {
    fn default() -> FitOptions {
        FitOptions {
            fit_intercept: true,
            tol: 1e-6,
        }
    }
}

impl LinearRegression {
    /// Fits one target `y` (`predict` then returns 1-D arrays), optionally with sample weights.
    pub fn fit(
        x: &Array2<f64>,
        y: &Array1<f64>,
        sample_weight: Option<&Array1<f64>>,
    ) -> Result<LinearRegression> {
        let y2 = y.view().insert_axis(Axis(1)).to_owned();
        Self::fit_impl(x, &y2, true, sample_weight, FitOptions::default())
    }

    /// Fits several targets at once (`y` is `(n_samples, n_targets)`), with options.
    pub fn fit_multi(
        x: &Array2<f64>,
        y: &Array2<f64>,
        sample_weight: Option<&Array1<f64>>,
        options: FitOptions,
    ) -> Result<LinearRegression> {
        Self::fit_impl(x, y, false, sample_weight, options)
    }

    /// Fits one target with options.
    pub fn fit_with(
        x: &Array2<f64>,
        y: &Array1<f64>,
        sample_weight: Option<&Array1<f64>>,
        options: FitOptions,
    ) -> Result<LinearRegression> {
        let y2 = y.view().insert_axis(Axis(1)).to_owned();
        Self::fit_impl(x, &y2, true, sample_weight, options)
    }

    fn fit_impl(
        x: &Array2<f64>,
        y: &Array2<f64>,
        single: bool,
        sample_weight: Option<&Array1<f64>>,
        options: FitOptions,
    ) -> Result<LinearRegression> {
        let (n, p) = x.dim();
        let t = y.ncols();
        if n == 0 || p == 0 {
            return Err(SklearnError::Fit(format!(
                "X has shape ({n}, {p}); at least one sample and one feature are needed"
            )));
        }
        if y.nrows() != n {
            return Err(SklearnError::Fit(format!(
                "X has {n} samples but y has {}",
                y.nrows()
            )));
        }
        if x.iter().chain(y.iter()).any(|v| !v.is_finite()) {
            return Err(SklearnError::Fit("Input contains NaN or infinity.".into()));
        }
        let w: Option<&Array1<f64>> = sample_weight;
        if let Some(w) = w {
            if w.len() != n {
                return Err(SklearnError::Fit(format!(
                    "sample_weight has {} values for {n} samples",
                    w.len()
                )));
            }
            if w.iter().any(|v| !v.is_finite() || *v < 0.0) {
                return Err(SklearnError::Fit(
                    "sample_weight must be finite and non-negative".into(),
                ));
            }
            if w.sum() <= 0.0 {
                return Err(SklearnError::Fit("sample_weight sums to zero".into()));
            }
        }
        // Means as numpy computes them (np.mean / np.average: pairwise sums along a 1-D array,
        // row-by-row accumulation down the columns of a 2-D one), then centring, as sklearn's
        // _preprocess_data.
        let (x_off, y_off) = if options.fit_intercept {
            match w {
                Some(w) => {
                    let w_sum = pairwise_sum(&w.to_vec());
                    let xo = column_sums(x, Some(w)) / w_sum;
                    let yo = if single {
                        let yw: Vec<f64> = y.column(0).iter().zip(w).map(|(a, b)| a * b).collect();
                        Array1::from_elem(1, pairwise_sum(&yw) / w_sum)
                    } else {
                        column_sums(y, Some(w)) / w_sum
                    };
                    (xo, yo)
                }
                None => {
                    let nf = n as f64;
                    let xo = column_sums(x, None) / nf;
                    let yo = if single {
                        Array1::from_elem(1, pairwise_sum(&y.column(0).to_vec()) / nf)
                    } else {
                        column_sums(y, None) / nf
                    };
                    (xo, yo)
                }
            }
        } else {
            (Array1::zeros(p), Array1::zeros(t))
        };
        let mut xc = x - &x_off;
        let mut yc = y - &y_off;
        // _rescale_data: multiply rows by sqrt(w).
        if let Some(w) = w {
            for (i, wi) in w.iter().enumerate() {
                let s = wi.sqrt();
                xc.row_mut(i).mapv_inplace(|v| v * s);
                yc.row_mut(i).mapv_inplace(|v| v * s);
            }
        }
        let a = DMatrix::from_fn(n, p, |i, j| xc[[i, j]]);
        let b = DMatrix::from_fn(n, t, |i, j| yc[[i, j]]);
        let svd = a.clone().svd(true, true);
        let (u, v_t) = match (&svd.u, &svd.v_t) {
            (Some(u), Some(v_t)) => (u, v_t),
            _ => return Err(SklearnError::Fit("SVD did not converge".into())),
        };
        let s = &svd.singular_values;
        let s_max = s.iter().fold(0.0f64, |m, &v| m.max(v));
        let cut = options.tol * s_max;
        // coef = V diag(1/s) U^T b over the singular values above the cut-off.
        let rank = s.iter().filter(|&&sk| sk > cut && sk > 0.0).count();
        let pinv = |r: &DMatrix<f64>| -> DMatrix<f64> {
            let ut_r = u.transpose() * r;
            let mut scaled = DMatrix::<f64>::zeros(s.len(), t);
            for (k, &sk) in s.iter().enumerate() {
                if sk > cut && sk > 0.0 {
                    for c in 0..t {
                        scaled[(k, c)] = ut_r[(k, c)] / sk;
                    }
                }
            }
            v_t.transpose() * scaled
        };
        let mut sol = pinv(&b); // p x t
                                // One step of iterative refinement: LAPACK's gelsd (scipy's lstsq) lands on the rounded
                                // least-squares solution, which the plain SVD product misses by a few ulps.
        let resid = &b - &a * &sol;
        sol += pinv(&resid);
        let residues = if rank == p && n > p {
            let r = &b - &a * &sol;
            Array1::from_iter((0..t).map(|c| r.column(c).iter().map(|v| v * v).sum::<f64>()))
        } else {
            Array1::zeros(0)
        };
        let mut coef = Array2::zeros((t, p));
        for c in 0..t {
            for j in 0..p {
                coef[[c, j]] = sol[(j, c)];
            }
        }
        let mut singular: Vec<f64> = s.iter().copied().collect();
        singular.sort_by(|a, b| b.total_cmp(a));
        let intercept = if options.fit_intercept {
            &y_off - &coef.dot(&x_off)
        } else {
            Array1::zeros(t)
        };
        let model = LinearModel {
            common: Common {
                class: "LinearRegression".into(),
                module: "sklearn.linear_model._base".into(),
                version: Some(SAVE_SKLEARN_VERSION.into()),
                n_features_in: Some(p),
                feature_names_in: None,
                params: vec![
                    (
                        "fit_intercept".into(),
                        if options.fit_intercept {
                            "True"
                        } else {
                            "False"
                        }
                        .into(),
                    ),
                    ("copy_X".into(), "True".into()),
                    ("tol".into(), brine_pickle::repr::float_repr(options.tol)),
                    ("n_jobs".into(), "None".into()),
                    ("positive".into(), "False".into()),
                ],
            },
            coef,
            intercept,
            single_target: single,
        };
        Ok(LinearRegression {
            model,
            fit_intercept: options.fit_intercept,
            tol: options.tol,
            rank,
            singular: Array1::from(singular),
            residues,
        })
    }

    /// Reads a pickled `LinearRegression` (of any sklearn version) with its fit facts (`rank_`,
    /// `singular_`, `tol`), so that it can be inspected, run and saved again.
    pub fn from_state(st: &State<'_>) -> Result<LinearRegression> {
        if st.class() != "LinearRegression" {
            return Err(SklearnError::NotAnEstimator(format!(
                "a {} is not a LinearRegression",
                st.class()
            )));
        }
        let model = LinearModel::from_state(st)?;
        let rank = match st.get_some("rank_") {
            Some(_) => {
                usize::try_from(st.i64("rank_")?).map_err(|_| st.bad("rank_", "negative"))?
            }
            None => model.coef.ncols(),
        };
        let singular = st
            .opt_array1("singular_")?
            .unwrap_or_else(|| Array1::zeros(0));
        let residues = st
            .opt_array1("_residues")?
            .unwrap_or_else(|| Array1::zeros(0));
        Ok(LinearRegression {
            fit_intercept: st.bool_or("fit_intercept", true),
            tol: st.get("tol").and_then(|v| v.as_f64()).unwrap_or(1e-6),
            model,
            rank,
            singular,
            residues,
        })
    }

    /// Loads a `LinearRegression` saved by scikit-learn or by [`LinearRegression::save`] (joblib
    /// file, any compressor, or plain pickle).
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<LinearRegression> {
        let loaded = brine_joblib::load(path, &brine_joblib::LoadOptions::default())?;
        let root = loaded
            .graph
            .root_ref()
            .ok_or_else(|| SklearnError::NotAnEstimator("an empty file".into()))?;
        LinearRegression::from_state(&State::of(root)?)
    }

    /// `coef_` (one row per target).
    pub fn coef(&self) -> &Array2<f64> {
        &self.model.coef
    }

    /// `intercept_` (one per target).
    pub fn intercept(&self) -> &Array1<f64> {
        &self.model.intercept
    }

    /// `predict` on a numeric matrix.
    pub fn predict_array(&self, x: &Array2<f64>) -> Result<ArrayD<f64>> {
        self.model.predict_array(x)
    }

    /// The object graph sklearn 1.9.1 pickles for this model (see [`LinearRegression::to_graph_for`]).
    pub fn to_graph(&self) -> Result<Graph> {
        self.to_graph_for(SAVE_SKLEARN_VERSION)
    }

    /// The object graph the given sklearn version pickles for this model: `NEWOBJ` of
    /// `sklearn.linear_model._base.LinearRegression` with `BUILD` of the state dict, in that
    /// version's key order and layout, tagged with that `_sklearn_version` (so that version loads
    /// it without a warning). Layouts: 1.0-1.1 (`normalize='deprecated'`, `_residues`), 1.2-1.6,
    /// and 1.7 onwards (`tol`). Arrays use numpy's portable pickle form (`numpy.core.multiarray`),
    /// which every numpy 1.x/2.x loads.
    pub fn to_graph_for(&self, sklearn_version: &str) -> Result<Graph> {
        let mut g = Graph::new();
        let root = self.write_node_for(&mut g, sklearn_version)?;
        g.set_root(root);
        Ok(g)
    }

    /// Adds this model (sklearn 1.9.1 layout) to a graph and returns its node.
    pub fn write_node(&self, g: &mut Graph) -> Result<NodeId> {
        self.write_node_for(g, SAVE_SKLEARN_VERSION)
    }

    /// Adds this model to a graph in the given sklearn version's layout and returns its node.
    pub fn write_node_for(&self, g: &mut Graph, sklearn_version: &str) -> Result<NodeId> {
        let version = parse_version(sklearn_version).ok_or_else(|| {
            SklearnError::Input(format!("not a scikit-learn version: {sklearn_version:?}"))
        })?;
        if version < (1, 0) {
            return Err(SklearnError::Input(format!(
                "saving for scikit-learn {sklearn_version} is not supported (1.0 or later)"
            )));
        }
        let cls = g.global("sklearn.linear_model._base", "LinearRegression");
        let args = g.tuple(vec![]);
        let mut pairs: Vec<(NodeId, NodeId)> = Vec::new();
        let mut put = |g: &mut Graph, k: &str, v: NodeId| {
            let k = g.str(k);
            pairs.push((k, v));
        };
        let v = g.bool(self.fit_intercept);
        put(g, "fit_intercept", v);
        if version < (1, 2) {
            let v = g.str("deprecated");
            put(g, "normalize", v);
        }
        let v = g.bool(true);
        put(g, "copy_X", v);
        if version >= (1, 7) {
            let v = g.float(self.tol);
            put(g, "tol", v);
        }
        let v = g.none();
        put(g, "n_jobs", v);
        let v = g.bool(false);
        put(g, "positive", v);
        let v = g.int(self.model.coef.ncols() as i64);
        put(g, "n_features_in_", v);
        let coef = if self.model.single_target {
            NdArray::from_f64(
                vec![self.model.coef.ncols()],
                self.model.coef.iter().copied().collect(),
            )?
        } else {
            NdArray::from_array(self.model.coef.as_standard_layout())
        };
        let coef = coef.to_node(g)?;
        put(g, "coef_", coef);
        if version < (1, 2) {
            // scipy's lstsq gives a scalar for a 1-D target, else one value per target (or an
            // empty array when the problem is rank deficient or not overdetermined).
            let v = match (self.model.single_target, self.residues.first()) {
                (true, Some(&r)) => NdArray::scalar_f64(r).scalar_to_node(g)?,
                _ => NdArray::from_f64_slice(&self.residues.to_vec()).to_node(g)?,
            };
            put(g, "_residues", v);
        }
        let v = g.int(self.rank as i64);
        put(g, "rank_", v);
        let v = NdArray::from_f64_slice(&self.singular.to_vec()).to_node(g)?;
        put(g, "singular_", v);
        let intercept = if !self.fit_intercept {
            g.float(0.0)
        } else if self.model.single_target {
            NdArray::scalar_f64(self.model.intercept.first().copied().unwrap_or(0.0))
                .scalar_to_node(g)?
        } else {
            NdArray::from_f64_slice(&self.model.intercept.to_vec()).to_node(g)?
        };
        put(g, "intercept_", intercept);
        let v = g.str(sklearn_version);
        put(g, "_sklearn_version", v);
        let state = g.dict(pairs);
        let mut obj = Object::new(ObjectKind::NewObj { cls, args });
        obj.state = Some(state);
        Ok(g.object(obj))
    }

    /// The model as a plain pickle (protocol 4, numpy's own array form) that `pickle.load` and
    /// every `joblib.load` accept.
    pub fn to_pickle_bytes(&self) -> Result<Vec<u8>> {
        Ok(brine_pickle::to_vec(
            &self.to_graph()?,
            &brine_pickle::WriteOptions::protocol(4),
        )?)
    }

    /// The model in joblib's format (`joblib.dump(model, f)` with `options`).
    pub fn to_joblib_bytes(&self, options: &brine_joblib::DumpOptions) -> Result<Vec<u8>> {
        Ok(brine_joblib::to_vec(&self.to_graph()?, options)?)
    }

    /// Saves the model to `path` in joblib's format, as `joblib.dump(model, path)` writes it
    /// (protocol 4, arrays inline with joblib >= 1.2's alignment); `joblib.load` returns a working
    /// `sklearn.linear_model.LinearRegression`.
    pub fn save(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        self.save_with(path, &brine_joblib::DumpOptions::default())
    }

    /// Saves the model to `path` for an older scikit-learn: that version's state layout (see
    /// [`LinearRegression::to_graph_for`]) and, below 1.2, the unaligned joblib layout that the
    /// joblib of that era (< 1.2) reads.
    pub fn save_for(&self, path: impl AsRef<std::path::Path>, sklearn_version: &str) -> Result<()> {
        let graph = self.to_graph_for(sklearn_version)?;
        let align = parse_version(sklearn_version).is_some_and(|v| v >= (1, 2));
        let options = brine_joblib::DumpOptions {
            align,
            ..brine_joblib::DumpOptions::default()
        };
        Ok(brine_joblib::dump(&graph, path, &options)?)
    }

    /// Saves the model to `path` in joblib's format with these options (compression, protocol,
    /// alignment).
    pub fn save_with(
        &self,
        path: impl AsRef<std::path::Path>,
        options: &brine_joblib::DumpOptions,
    ) -> Result<()> {
        Ok(brine_joblib::dump(&self.to_graph()?, path, options)?)
    }
}

impl Estimator for LinearRegression {
    fn common(&self) -> &Common {
        &self.model.common
    }
    fn methods(&self) -> Vec<Method> {
        vec![Method::Predict]
    }
    fn predict(&self, x: &Data) -> Result<Prediction> {
        self.model.predict(x)
    }
}

/// The sklearn version whose pickle layout [`LinearRegression::to_graph`] writes.
pub const SAVE_SKLEARN_VERSION: &str = "1.9.1";

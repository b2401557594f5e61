"""Fits scikit-learn models independently of the committed fixtures (other options, DataFrame
column selectors, text imputation, plain pickle / compressed / protocol 5 files) for brine-sklearn's
tests/python_models.rs.

Usage: python tests/python/sklearn_models.py OUT_DIR

Writes OUT_DIR/NAME.model, NAME.X.npy or NAME.X.csv (DataFrame inputs, with a header row),
NAME.<method>.npy for every method the model has, and OUT_DIR/entries.json listing them.
"""
import json, pickle, warnings, sys
import numpy as np, pandas as pd, joblib
warnings.simplefilter("ignore")
from sklearn.compose import ColumnTransformer, make_column_selector, make_column_transformer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import *
from sklearn.impute import SimpleImputer
from sklearn.linear_model import *
from sklearn.svm import LinearSVC
from sklearn.naive_bayes import GaussianNB
from sklearn.decomposition import PCA
out = sys.argv[1]
rng = np.random.RandomState(7)
X = rng.randn(80, 5) * [1, 10, 0.1, 3, 100] + [0, 5, -1, 2, 50]
Xt = rng.randn(12, 5) * [1, 10, 0.1, 3, 100] + [0, 5, -1, 2, 50]
yc = (X[:, 0] + X[:, 1] / 10 > 0.5).astype(int) + (X[:, 3] > 2)
yb = np.where(X[:, 0] > 0, True, False)
ys = np.array(["a", "bb", "ccc"])[yc]
yr = X @ [1, 0.2, 3, -1, 0.01] + rng.randn(80)
cats = np.array(["x", "y", "z", "w"])
df = pd.DataFrame({"n1": X[:, 0], "n2": X[:, 1], "c1": cats[rng.randint(0, 4, 80)], "c2": cats[rng.randint(0, 3, 80)], "n3": X[:, 2]})
dft = pd.DataFrame({"n1": Xt[:, 0], "n2": Xt[:, 1], "c1": cats[rng.randint(0, 4, 12)], "c2": cats[rng.randint(0, 4, 12)], "n3": Xt[:, 2]})
Xn = X.copy(); Xn[rng.rand(*X.shape) < 0.15] = np.nan
Xtn = Xt.copy(); Xtn[rng.rand(*Xt.shape) < 0.2] = np.nan
entries = []
def add(name, est, Xtr, y, Xte, dump=lambda m, p: joblib.dump(m, p), tol=1e-12, limit=None):
    """tol: the relative bound; limit: a text Brine's error must contain (a documented limit)."""
    est.fit(Xtr, y) if y is not None else est.fit(Xtr)
    dump(est, f"{out}/{name}.model")
    if isinstance(Xte, np.ndarray) and Xte.dtype == object:
        Xte = pd.DataFrame(Xte, columns=["x%d" % j for j in range(Xte.shape[1])])
    if isinstance(Xte, pd.DataFrame):
        Xte.to_csv(f"{out}/{name}.X.csv", index=False)
    else:
        np.save(f"{out}/{name}.X.npy", Xte)
    outs, errors = {}, []
    for m in ("predict", "predict_proba", "decision_function", "transform"):
        if hasattr(est, m):
            try:
                r = getattr(est, m)(Xte)
            except Exception as e:
                errors.append(m)
                continue
            r = r.toarray() if hasattr(r, "toarray") else np.asarray(r)
            if r.dtype == object:
                try:
                    r = r.astype(float)
                except (TypeError, ValueError):
                    r = r.astype(str)
            np.save(f"{out}/{name}.{m}.npy", r); outs[m] = r.dtype.str
    entries.append({"name": name, "df": isinstance(Xte, pd.DataFrame), "outputs": outs, "errors": errors, "tol": tol, "limit": limit})
def add_unsupported(name, est, Xtr, y):
    """A model Brine must refuse to load, with an error naming the class."""
    est.fit(Xtr, y)
    joblib.dump(est, f"{out}/{name}.model")
    entries.append({"name": name, "unsupported": type(est).__name__})
add("ohe_ifbinary", OneHotEncoder(drop="if_binary", sparse_output=False, handle_unknown="ignore"), np.c_[rng.randint(0, 2, 80), rng.randint(0, 4, 80)].astype(float), None, np.array([[0., 1], [1, 3], [1, 2], [0, 0]]))
add("ord_nan", OrdinalEncoder(encoded_missing_value=-2, handle_unknown="use_encoded_value", unknown_value=99), np.c_[np.where(rng.rand(80) < .2, np.nan, rng.randint(0, 3, 80)), rng.randint(0, 4, 80)], None, np.array([[np.nan, 1], [1, 3], [7, 2], [0, 0]]))
add("ss_nostd", StandardScaler(with_std=False), Xn, None, Xtn)
add("mm_nan", MinMaxScaler(feature_range=(-2, 3)), Xn, None, Xtn)
add("rs_unit", RobustScaler(unit_variance=True), X, None, Xt)
add("imp_const", SimpleImputer(strategy="constant", fill_value=0.5, keep_empty_features=True), np.c_[Xn, np.full(80, np.nan)], None, np.c_[Xtn, np.full(12, np.nan)])
add("imp_drop_empty", SimpleImputer(strategy="median"), np.c_[Xn, np.full(80, np.nan)], None, np.c_[Xtn, np.full(12, np.nan)])
add("imp_minus1", SimpleImputer(missing_values=-1.0, strategy="most_frequent", add_indicator=True), np.where(rng.rand(80, 3) < 0.2, -1.0, rng.randint(0, 3, (80, 3))), None, np.array([[-1.0, 2, 1], [0, -1, -1], [2, 2, 2]]))
add("poly_mindeg", PolynomialFeatures(degree=(2, 3)), X[:, :3], None, Xt[:, :3])
add("pca_rand", PCA(n_components=3, svd_solver="randomized", random_state=0, whiten=True), X, None, Xt)
add("pca_full", PCA(n_components=0.9, svd_solver="full"), X, None, Xt)
add("logreg_cw", LogisticRegression(class_weight="balanced", C=0.3, max_iter=2000), X, ys, Xt)
add("logreg_bool", LogisticRegression(max_iter=2000), X, yb, Xt)
add("logreg_l1", LogisticRegression(penalty="l1", solver="saga", max_iter=5000, random_state=0), X / [1, 10, 0.1, 3, 100], yc, Xt / [1, 10, 0.1, 3, 100])
add("sgd_mh_str", SGDClassifier(loss="modified_huber", random_state=1), X / [1, 10, 0.1, 3, 100], ys, Xt / [1, 10, 0.1, 3, 100])
add("sgd_avg", SGDRegressor(average=True, random_state=0), X / [1, 10, 0.1, 3, 100], yr, Xt / [1, 10, 0.1, 3, 100])
add("svc_cs", LinearSVC(multi_class="crammer_singer", random_state=0, max_iter=10000), X / [1, 10, 0.1, 3, 100], ys, Xt / [1, 10, 0.1, 3, 100])
add("gnb_prior", GaussianNB(priors=[0.2, 0.3, 0.5]), X, yc, Xt)
add("ridge_noint", Ridge(fit_intercept=False, alpha=3), X, np.c_[yr, -yr], Xt)
add("lasso_pos", Lasso(alpha=0.05, positive=True), X, yr, Xt)
add("linreg_pos", LinearRegression(positive=True), X, yr, Xt)
add("pipe_passthrough", Pipeline([("imp", SimpleImputer()), ("skip", "passthrough"), ("sc", StandardScaler()), ("pca", PCA(2)), ("clf", LogisticRegression())]), Xn, yc, Xtn)
add("pipe_none_step", Pipeline([("imp", SimpleImputer()), ("skip", None), ("reg", Ridge())]), Xn, yr, Xtn)
add("pipe_transform_last", make_pipeline(StandardScaler(), PCA(3)), X, None, Xt)
add("df_selector", make_pipeline(make_column_transformer((StandardScaler(), make_column_selector(dtype_include=np.number)), (OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_include=object))), LogisticRegression(max_iter=1000)), df, ys, dft)
add("df_remainder_scaler", ColumnTransformer([("oe", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), ["c2", "c1"])], remainder=MinMaxScaler()), df, None, dft)
add("df_sparse_ct", make_pipeline(ColumnTransformer([("ohe", OneHotEncoder(handle_unknown="ignore"), ["c1", "c2"]), ("n", "passthrough", ["n1", "n3"])], sparse_threshold=1.0), Ridge()), df, yr, dft)
add("df_bool_mask_drop", ColumnTransformer([("s", StandardScaler(), [True, False, False, False, True])], remainder="drop"), df, None, dft)
add("df_int_positions", ColumnTransformer([("s", StandardScaler(), [0, 1]), ("o", OneHotEncoder(sparse_output=False, handle_unknown="ignore"), [2])], remainder="drop"), df, None, dft)
add("plain_pickle", make_pipeline(StandardScaler(), LinearSVC(random_state=0)), X, yc, Xt, dump=lambda m, p: pickle.dump(m, open(p, "wb"), protocol=2))
add("compressed", make_pipeline(MinMaxScaler(), GaussianNB()), X, ys, Xt, dump=lambda m, p: joblib.dump(m, p, compress=("xz", 3)))
add("proto5", make_pipeline(RobustScaler(), ElasticNet(alpha=0.01)), X, yr, Xt, dump=lambda m, p: joblib.dump(m, p, protocol=5))
dfn = df.copy(); dfn.loc[rng.rand(80) < 0.2, "c1"] = None; dfn.loc[rng.rand(80) < 0.2, "n1"] = np.nan
dftn = dft.copy(); dftn.loc[[0, 3], "c1"] = None; dftn.loc[[1, 4], "n1"] = np.nan; dftn.loc[[2], "c2"] = None
add("df_impute_str_pipe", make_pipeline(ColumnTransformer([
    ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), ["c1", "c2"]),
    ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), ["n1", "n2", "n3"])]), LogisticRegression(max_iter=1000)), dfn, ys, dftn)
add("df_impute_const_str", make_pipeline(ColumnTransformer([("imp", SimpleImputer(strategy="constant", fill_value="missing"), ["c1", "c2"])], remainder="passthrough"),
    ColumnTransformer([("oe", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), [0, 1])], remainder="passthrough"), Ridge()), dfn.fillna({"n1": 0.0}), yr, dftn.fillna({"n1": 0.0}))
add("df_passthrough_text", make_pipeline(ColumnTransformer([("s", StandardScaler(), ["n1", "n2"])], remainder="passthrough"), ColumnTransformer([("o", OneHotEncoder(handle_unknown="ignore", sparse_output=False), [2, 3])], remainder="passthrough")), df, None, dft)
Xcat = np.c_[rng.choice(6, 80, p=[.4, .3, .15, .1, .03, .02]), rng.choice(5, 80, p=[.5, .2, .2, .05, .05])].astype(float)
Xcat_t = np.array([[0., 0], [4, 3], [5, 4], [9, 1], [2, 7], [1, 2]])
Scat = np.array(["a", "b", "c", "d", "e", "f"], dtype=object)[Xcat.astype(int)]
Scat_t = np.array(["a", "b", "c", "d", "e", "f", "z", "z", "z", "z"], dtype=object)[np.minimum(Xcat_t, 6).astype(int)]
add("ohe_infreq_ignore", OneHotEncoder(min_frequency=6, handle_unknown="infrequent_if_exist", sparse_output=False), Xcat, None, Xcat_t)
add("ohe_infreq_drop", OneHotEncoder(max_categories=3, drop="first", handle_unknown="ignore", sparse_output=False), Xcat, None, Xcat_t)
add("ohe_infreq_ratio_str", OneHotEncoder(min_frequency=0.1, handle_unknown="infrequent_if_exist", drop="if_binary", sparse_output=False), Scat, None, Scat_t)
add("ord_infreq", OrdinalEncoder(max_categories=3, handle_unknown="use_encoded_value", unknown_value=-5), Xcat, None, Xcat_t)
Xcatn = Xcat.copy(); Xcatn[::7, 0] = np.nan
add("ord_infreq_nan", OrdinalEncoder(min_frequency=5, handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-9), Xcatn, None, np.r_[Xcat_t, [[np.nan, 1.0]]])
# ---- more variants of every supported estimator ----
from sklearn.ensemble import RandomForestClassifier
from sklearn.svm import SVC
from sklearn.neighbors import KNeighborsClassifier
Xs, Xts = X / [1, 10, 0.1, 3, 100], Xt / [1, 10, 0.1, 3, 100]
yb2 = np.array(["no", "yes"])[(X[:, 0] > 0).astype(int)]
yneg = np.array([-3, 5, 10])[yc]
yflt = np.array([1.0, 2.0, -2.0])[yc]
Y2 = np.c_[yr, X[:, 1] - 2 * X[:, 3] + rng.randn(80)]
# LogisticRegression
add("logreg_str3", LogisticRegression(max_iter=2000), Xs, ys, Xts)
add("logreg_str2", LogisticRegression(max_iter=2000), Xs, yb2, Xts)
add("logreg_noint", LogisticRegression(fit_intercept=False, max_iter=2000), Xs, ys, Xts)
add("logreg_noint_bin", LogisticRegression(fit_intercept=False, max_iter=2000), Xs, yb2, Xts)
add("logreg_cw_dict", LogisticRegression(class_weight={0: 1, 1: 3, 2: 0.5}, max_iter=2000), Xs, yc, Xts)
add("logreg_enet", LogisticRegression(penalty="elasticnet", l1_ratio=0.5, solver="saga", C=0.5, max_iter=5000, random_state=0), Xs, ys, Xts)
add("logreg_l1_bin", LogisticRegression(penalty="l1", solver="liblinear", C=0.5), Xs, yb2, Xts)
add("logreg_liblinear_scaled", LogisticRegression(solver="liblinear", intercept_scaling=3.0), Xs, yb, Xts)
add("logreg_newton", LogisticRegression(solver="newton-cholesky"), Xs, yflt, Xts)
add("logreg_none", LogisticRegression(C=np.inf, max_iter=3000), Xs, yb, Xts)
add("logreg_sag", LogisticRegression(solver="sag", max_iter=5000, random_state=0), Xs, yneg, Xts)
# regressors
add("ridge_multi", Ridge(alpha=0.7), X, Y2, Xt)
for solver in ("svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga"):
    add(f"ridge_{solver}", Ridge(alpha=1.5, solver=solver, random_state=0, max_iter=20000, tol=1e-10), Xs, yr, Xts)
add("ridge_lbfgs_pos", Ridge(solver="lbfgs", positive=True), Xs, yr, Xts)
add("ridge_multi_alpha", Ridge(alpha=[0.1, 10.0]), Xs, Y2, Xts)
add("lasso_noint", Lasso(alpha=0.1, fit_intercept=False), X, yr, Xt)
add("lasso_multi", Lasso(alpha=0.1), X, Y2, Xt)
add("enet_noint", ElasticNet(alpha=0.2, l1_ratio=0.3, fit_intercept=False), X, yr, Xt)
add("enet_multi", ElasticNet(alpha=0.2, l1_ratio=0.7), X, Y2, Xt)
add("linreg_multi", LinearRegression(), X, Y2, Xt)
add("linreg_noint", LinearRegression(fit_intercept=False), X, yr, Xt)
add("linreg_1col_2d", LinearRegression(), X, yr.reshape(-1, 1), Xt)
add("ridge_1col_2d", Ridge(), X, yr.reshape(-1, 1), Xt)
add("lasso_1col_2d", Lasso(alpha=0.1), X, yr.reshape(-1, 1), Xt)
add("sgdr_huber", SGDRegressor(loss="huber", random_state=0), Xs, yr, Xts)
add("sgdr_eps", SGDRegressor(loss="epsilon_insensitive", fit_intercept=False, penalty="l1", random_state=0), Xs, yr, Xts)
add("sgdr_sqeps", SGDRegressor(loss="squared_epsilon_insensitive", penalty="elasticnet", random_state=0), Xs, yr, Xts)
# SGDClassifier
add("sgd_log_bin", SGDClassifier(loss="log_loss", random_state=0), Xs, yb2, Xts)
add("sgd_log_multi", SGDClassifier(loss="log_loss", random_state=0), Xs, yneg, Xts)
add("sgd_mh_bin", SGDClassifier(loss="modified_huber", random_state=0), Xs, yb, Xts)
add("sgd_hinge_multi", SGDClassifier(random_state=0), Xs, ys, Xts)
add("sgd_perceptron", SGDClassifier(loss="perceptron", random_state=0, class_weight="balanced"), Xs, yc, Xts)
add("sgd_sqhinge_avg", SGDClassifier(loss="squared_hinge", average=10, random_state=0), Xs, yflt, Xts)
add("sgd_noint", SGDClassifier(loss="log_loss", fit_intercept=False, random_state=0), Xs, ys, Xts)
# LinearSVC
add("svc_multi", LinearSVC(random_state=0, max_iter=10000), Xs, ys, Xts)
add("svc_bin_str", LinearSVC(random_state=0, max_iter=10000), Xs, yb2, Xts)
add("svc_noint", LinearSVC(fit_intercept=False, random_state=0, max_iter=10000), Xs, yneg, Xts)
add("svc_l1", LinearSVC(penalty="l1", dual=False, C=0.5, intercept_scaling=2.0, random_state=0), Xs, yc, Xts)
add("svc_cs_bin", LinearSVC(multi_class="crammer_singer", random_state=0, max_iter=10000), Xs, yb, Xts)
# scalers
Xc = np.c_[X, np.full(80, 3.0)]; Xct = np.c_[Xt, np.r_[np.full(6, 3.0), np.full(6, -1.0)]]
add("ss_nomean", StandardScaler(with_mean=False), Xc, None, Xct)
add("ss_none", StandardScaler(with_mean=False, with_std=False), X, None, Xt)
add("ss_const", StandardScaler(), Xc, None, Xct)
add("mm_clip", MinMaxScaler(feature_range=(0, 2), clip=True), Xc, None, Xct * 1.5)
add("mm_default", MinMaxScaler(), Xc, None, Xct)
add("rs_nocenter", RobustScaler(with_centering=False, quantile_range=(10.0, 90.0)), Xc, None, Xct)
add("rs_noscale", RobustScaler(with_scaling=False), Xn, None, Xtn)
add("rs_nan", RobustScaler(quantile_range=(5.0, 70.0)), Xn, None, Xtn)
add("ss_nan", StandardScaler(), Xn, None, Xtn)
# imputers
add("imp_mean_ind", SimpleImputer(add_indicator=True), Xn, None, Xtn)
add("imp_median", SimpleImputer(strategy="median"), Xn, None, Xtn)
add("imp_mf", SimpleImputer(strategy="most_frequent"), np.round(Xn), None, np.round(Xtn))
add("imp_const_default", SimpleImputer(strategy="constant"), Xn, None, Xtn)
add("imp_ind_partial", SimpleImputer(add_indicator=True), np.c_[Xn[:, :2], X[:, 2:]], None, Xtn)
add("imp_keep_empty_mean", SimpleImputer(keep_empty_features=True, add_indicator=True), np.c_[Xn, np.full(80, np.nan)], None, np.c_[Xtn, np.full(12, np.nan)])
add("imp_minus1_mean", SimpleImputer(missing_values=-1, strategy="mean"), np.where(rng.rand(80, 3) < 0.2, -1, rng.randint(0, 5, (80, 3))).astype(float), None, np.array([[-1.0, 2, 1], [0, -1, -1], [np.nan, 2, 2]]))
# a SimpleImputer of text on its own returns text, which Brine's transform (numbers) cannot
add("imp_str_mf_np", SimpleImputer(strategy="most_frequent"), np.where(rng.rand(80, 2) < 0.2, np.nan, Scat), None, np.array([[np.nan, "a"], ["b", np.nan], ["z", "c"]], dtype=object), limit="holds text")
add("imp_pipe_str_ohe", make_pipeline(SimpleImputer(strategy="constant", fill_value="NA"), OneHotEncoder(handle_unknown="ignore")), np.where(rng.rand(80, 2) < 0.2, np.nan, Scat), None, np.array([[np.nan, "a"], ["b", np.nan], ["z", "c"]], dtype=object))
# encoders
add("ohe_first", OneHotEncoder(drop="first", sparse_output=False), Xcat, None, Xcat[:8])
add("ohe_drop_explicit", OneHotEncoder(drop=[2.0, 1.0], sparse_output=False), Xcat, None, Xcat[:8])
add("ohe_cats_explicit", OneHotEncoder(categories=[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 9.0], [0.0, 1.0, 2.0, 3.0, 4.0, 7.0]], sparse_output=False), Xcat, None, Xcat_t)
add("ohe_unknown_err", OneHotEncoder(), Xcat, None, Xcat_t)
add("ohe_str_ignore", OneHotEncoder(handle_unknown="ignore"), Scat, None, Scat_t)
add("ohe_str_first_ignore", OneHotEncoder(handle_unknown="ignore", drop="first"), Scat, None, Scat_t)
add("ohe_warn", OneHotEncoder(handle_unknown="warn", sparse_output=False), Scat, None, Scat_t)
add("ohe_nan", OneHotEncoder(sparse_output=False, handle_unknown="ignore"), Xcatn, None, np.r_[Xcat_t, [[np.nan, 1.0]]])
add("ohe_nan_str", OneHotEncoder(sparse_output=False, handle_unknown="infrequent_if_exist", min_frequency=8), np.where(rng.rand(80, 2) < 0.2, np.nan, Scat), None, np.array([[np.nan, "a"], ["b", np.nan], ["z", "c"]], dtype=object))
add("ohe_maxcat_str", OneHotEncoder(max_categories=2, sparse_output=False, handle_unknown="infrequent_if_exist"), Scat, None, Scat_t)
add("ohe_minfreq_first", OneHotEncoder(min_frequency=10, drop="first", sparse_output=False, handle_unknown="infrequent_if_exist"), Xcat, None, Xcat_t)
add("ohe_dtype32", OneHotEncoder(dtype=np.float32, sparse_output=False), Xcat, None, Xcat[:5])
add("ord_default", OrdinalEncoder(), Scat, None, Scat[:6])
add("ord_unknown_nan", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan), Scat, None, Scat_t)
add("ord_cats_explicit", OrdinalEncoder(categories=[["f", "e", "d", "c", "b", "a"], ["e", "d", "c", "b", "a"]]), Scat, None, Scat[:6])
add("ord_nan_default", OrdinalEncoder(), Xcatn, None, np.r_[Xcat[:4], [[np.nan, 1.0]]])
add("ord_unknown_err", OrdinalEncoder(), Scat, None, Scat_t)
# polynomial
add("poly3", PolynomialFeatures(degree=3), X[:, :3], None, Xt[:, :3])
add("poly_inter", PolynomialFeatures(degree=3, interaction_only=True, include_bias=False), X[:, :4], None, Xt[:, :4])
add("poly_nobias_f", PolynomialFeatures(degree=2, include_bias=False, order="F"), X[:, :3], None, Xt[:, :3])
add("poly_deg0", PolynomialFeatures(degree=(0, 1)), X[:, :2], None, Xt[:, :2])
add("poly_deg1_inter", PolynomialFeatures(degree=(2, 2), interaction_only=True, include_bias=False), X[:, :4], None, Xt[:, :4])
# PCA
add("pca_95", PCA(n_components=0.95), X, None, Xt)
add("pca_none_whiten", PCA(whiten=True), X, None, Xt)
add("pca_arpack", PCA(n_components=2, svd_solver="arpack", random_state=0), X, None, Xt)
add("pca_cov", PCA(n_components=3, svd_solver="covariance_eigh", whiten=True), X, None, Xt)
add("pca_mle", PCA(n_components="mle"), Xs, None, Xts)
add("pca_1", PCA(n_components=1), Xs, None, Xts)
# GaussianNB
add("gnb_str", GaussianNB(), X, ys, Xt)
add("gnb_bin_str", GaussianNB(var_smoothing=1e-3), X, yb2, Xt)
add("gnb_neg", GaussianNB(priors=[0.5, 0.25, 0.25]), Xs, yneg, Xts)
add("gnb_bool", GaussianNB(), Xs, yb, Xts)
# pipelines and column transformers
add("pipe_nested", Pipeline([("pre", Pipeline([("imp", SimpleImputer(strategy="median")), ("sc", StandardScaler())])), ("poly", PolynomialFeatures(2)), ("clf", SGDClassifier(loss="log_loss", random_state=0))]), Xn, ys, Xtn)
add("pipe_nested_transform", Pipeline([("a", make_pipeline(StandardScaler(), MinMaxScaler())), ("b", "passthrough")]), X, None, Xt)
add("pipe_all_passthrough_last", Pipeline([("sc", StandardScaler()), ("last", "passthrough")]), X, None, Xt)
add("ct_np_slice", ColumnTransformer([("s", StandardScaler(), slice(0, 2)), ("m", MinMaxScaler(), slice(3, 5))], remainder="passthrough"), X, None, Xt)
add("ct_np_weights", ColumnTransformer([("s", StandardScaler(), [0, 1]), ("r", RobustScaler(), [2, 4])], transformer_weights={"s": 2.0, "r": 0.5}), X, None, Xt)
add("ct_drop_transformer", ColumnTransformer([("s", StandardScaler(), [0, 1]), ("d", "drop", [2]), ("p", "passthrough", [3])], remainder="drop"), X, None, Xt)
add("ct_remainder_pipe", ColumnTransformer([("p", PCA(2), [0, 1, 2])], remainder=make_pipeline(StandardScaler(), PolynomialFeatures(2))), X, None, Xt)
add("ct_nested", ColumnTransformer([("inner", ColumnTransformer([("s", StandardScaler(), [0])], remainder="passthrough"), [0, 1, 2]), ("m", MinMaxScaler(), [3, 4])]), X, None, Xt)
add("ct_neg_idx", ColumnTransformer([("s", StandardScaler(), [-1, -2])], remainder="passthrough"), X, None, Xt)
add("ct_empty_cols", ColumnTransformer([("s", StandardScaler(), []), ("m", MinMaxScaler(), [0, 1])]), X, None, Xt)
add("df_name_slice", ColumnTransformer([("s", StandardScaler(), slice("n1", "n2")), ("o", OneHotEncoder(sparse_output=False, handle_unknown="ignore"), slice("c1", "c2"))], remainder="drop"), df, None, dft)
add("df_weights", make_pipeline(ColumnTransformer([("s", StandardScaler(), ["n1", "n2", "n3"]), ("o", OneHotEncoder(handle_unknown="ignore"), ["c1", "c2"])], transformer_weights={"s": 3.0, "o": 0.1}), LogisticRegression(max_iter=2000)), df, ys, dft)
add("df_regex_selector", make_pipeline(make_column_transformer((StandardScaler(), make_column_selector(pattern="^n")), (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), make_column_selector(pattern="^c")), remainder="drop"), GaussianNB()), df, yc, dft)
add("df_reordered_test", make_pipeline(ColumnTransformer([("s", StandardScaler(), ["n2", "n1"]), ("o", OneHotEncoder(handle_unknown="ignore"), ["c2"])]), Ridge()), df, yr, dft[["c2", "n3", "n1", "c1", "n2"]])
add("df_numeric_only", make_pipeline(StandardScaler(), LinearSVC(random_state=0)), df[["n1", "n2", "n3"]], yc, dft[["n1", "n2", "n3"]])
add("df_full_pipe_sgd", make_pipeline(ColumnTransformer([("num", make_pipeline(SimpleImputer(add_indicator=True), RobustScaler()), ["n1", "n2", "n3"]), ("cat", make_pipeline(SimpleImputer(strategy="constant", fill_value="missing"), OneHotEncoder(min_frequency=5, handle_unknown="infrequent_if_exist")), ["c1", "c2"])]), SGDClassifier(loss="modified_huber", random_state=0)), dfn, ys, dftn)
add("df_pca_pipe", make_pipeline(ColumnTransformer([("o", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["c1", "c2"])], remainder=StandardScaler()), PCA(3), LogisticRegression()), df, yb2, dft)
add("df_int_col", make_pipeline(ColumnTransformer([("o", OneHotEncoder(handle_unknown="ignore"), ["k"])], remainder="passthrough"), LinearRegression()), df[["n1", "n2", "n3"]].assign(k=rng.randint(0, 3, 80)), yr, dft[["n1", "n2", "n3"]].assign(k=np.array([0, 1, 2, 3] * 3)))
add("df_bool_col", make_pipeline(ColumnTransformer([("o", OneHotEncoder(handle_unknown="ignore"), ["c1"])], remainder="passthrough"), Lasso(alpha=0.1)), df[["n1", "c1"]].assign(b=rng.rand(80) > 0.5), yr, dft[["n1", "c1"]].assign(b=np.array([True, False] * 6)))
# pandas output between steps (set_output), sample weights, DataFrame into a bare estimator
add("df_set_output_pandas", make_pipeline(ColumnTransformer([("s", StandardScaler(), ["n1", "n2"]), ("o", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["c1"])]), PolynomialFeatures(2), Ridge()).set_output(transform="pandas"), df, yr, dft)
add("df_set_output_ct", ColumnTransformer([("s", StandardScaler(), ["n1", "n3"]), ("o", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), ["c2"])], verbose_feature_names_out=False).set_output(transform="pandas"), df, None, dft)
add("df_bare_logreg", LogisticRegression(max_iter=2000), df[["n1", "n2", "n3"]], ys, dft[["n1", "n2", "n3"]])
add("df_bare_ss", StandardScaler(), df[["n1", "n2", "n3"]], None, dft[["n1", "n2", "n3"]])
add("df_int_cats", OneHotEncoder(handle_unknown="ignore", sparse_output=False), pd.DataFrame({"a": rng.randint(0, 4, 80), "b": rng.randint(10, 13, 80)}), None, pd.DataFrame({"a": [0, 1, 2, 3, 7], "b": [10, 11, 12, 13, 10]}))
add("sgd_early_stop", SGDClassifier(loss="log_loss", early_stopping=True, random_state=0), Xs, ys, Xts)
add("logreg_bin_cw", LogisticRegression(class_weight="balanced"), Xs, yb2, Xts)
add("sgdr_1col_2d_noint", SGDRegressor(fit_intercept=False, random_state=0), Xs, yr, Xts)
# fitted on float32: the state is float32. On float64 input sklearn computes in float64 and Brine
# agrees to 1e-12; on float32 input sklearn computes (and returns) float32, which Brine (float64)
# matches only to float32 precision.
X32, Xt32 = X.astype(np.float32), Xt.astype(np.float32)
for nm, est, Xf, yf, Xtf in [("linreg", LinearRegression(), X32, yr, Xt32), ("ridge", Ridge(), X32, yr, Xt32),
        ("logreg", LogisticRegression(max_iter=3000), X32 / np.float32([1, 10, 0.1, 3, 100]), ys, Xt32 / np.float32([1, 10, 0.1, 3, 100])),
        ("gnb", GaussianNB(), X32, yc, Xt32), ("ss", StandardScaler(), X32, None, Xt32), ("pca", PCA(2), X32, None, Xt32),
        ("mm", MinMaxScaler(), X32, None, Xt32), ("poly", PolynomialFeatures(2), X32[:, :3], None, Xt32[:, :3])]:
    add(f"f32_{nm}", est, Xf, yf, Xtf, tol=1e-5)
    # GaussianNB (log of 2*pi*var_) and PCA (mean_ @ components_.T) compute part of the result
    # from the float32 state in float32 even on float64 input
    add(f"f32_{nm}_f64in", est, Xf, yf, Xtf.astype(np.float64), tol=1e-5 if nm in ("gnb", "pca") else 1e-12)
# NaN / infinity where sklearn refuses them: Brine refuses too
Xbad_nan, Xbad_inf = Xt.copy(), Xt.copy(); Xbad_nan[3, 2] = np.nan; Xbad_inf[5, 0] = np.inf
for nm, est, yf in [("linreg", LinearRegression(), yr), ("logreg", LogisticRegression(max_iter=3000), ys), ("sgd", SGDClassifier(random_state=0), yc),
        ("svc", LinearSVC(random_state=0), yc), ("gnb", GaussianNB(), yc), ("pca", PCA(2), None), ("poly", PolynomialFeatures(2), None),
        ("ss", StandardScaler(), None), ("imp", SimpleImputer(), None), ("imp_m1", SimpleImputer(missing_values=-1.0), None),
        ("pipe", make_pipeline(StandardScaler(), Ridge()), yr), ("pipe_imp", make_pipeline(SimpleImputer(), StandardScaler(), Ridge()), yr)]:
    add(f"bad_nan_{nm}", est, X, yf, Xbad_nan)
    add(f"bad_inf_{nm}", est, X, yf, Xbad_inf)
add("bad_inf_ohe", OneHotEncoder(handle_unknown="ignore"), Xcat, None, np.r_[Xcat_t, [[np.inf, 1.0]]])
# unsupported estimators: a clear error naming the class
add_unsupported("unsup_rf", RandomForestClassifier(n_estimators=3, random_state=0), X, yc)
add_unsupported("unsup_svc", SVC(), X, yc)
add_unsupported("unsup_knn_in_pipe", make_pipeline(StandardScaler(), KNeighborsClassifier()), X, yc)
json.dump(entries, open(f"{out}/entries.json", "w"), indent=1)
print(len(entries))

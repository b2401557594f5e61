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
def add(name, est, Xtr, y, Xte, dump=lambda m, p: joblib.dump(m, p)):
    est.fit(Xtr, y) if y is not None else est.fit(Xtr)
    dump(est, f"{out}/{name}.model")
    if isinstance(Xte, np.ndarray) and Xte.dtype == object:
        Xte = pd.DataFrame(Xte, columns=["x%d" % j for j in range(Xte.shape[1])])
    if isinstance(Xte, pd.DataFrame):
        Xte.to_csv(f"{out}/{name}.X.csv", index=False)
    else:
        np.save(f"{out}/{name}.X.npy", Xte)
    outs = {}
    for m in ("predict", "predict_proba", "decision_function", "transform"):
        if hasattr(est, m):
            try:
                r = getattr(est, m)(Xte)
            except Exception as e:
                continue
            r = r.toarray() if hasattr(r, "toarray") else np.asarray(r)
            if r.dtype == object:
                try:
                    r = r.astype(float)
                except (TypeError, ValueError):
                    r = r.astype(str)
            np.save(f"{out}/{name}.{m}.npy", r); outs[m] = r.dtype.str
    entries.append({"name": name, "df": isinstance(Xte, pd.DataFrame), "outputs": outs})
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
json.dump(entries, open(f"{out}/entries.json", "w"), indent=1)
print(len(entries))

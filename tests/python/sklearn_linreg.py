"""LinearRegression interop with the real scikit-learn, for brine-sklearn's tests.

Usage:
  python tests/python/sklearn_linreg.py fit DIR...  for each DIR, fits sklearn's LinearRegression on DIR/X.npy,
                                                    DIR/y.npy (DIR/sw.npy: sample weights, if
                                                    present; DIR/options.json: constructor params)
                                                    and prints its state as one JSON line
  python tests/python/sklearn_linreg.py load FILE DIR [FILE DIR]...
                                                    for each pair, joblib.load(FILE) with every warning an error;
                                                    checks it is a real LinearRegression, fits
                                                    sklearn on DIR's data with the same params, and
                                                    prints JSON: both states, the key order, types,
                                                    repr, get_params and predictions on DIR/Xt.npy
                                                    (one JSON line per pair)

State JSON: arrays as {"array": nested lists, "dtype": str, "shape": list}, numpy scalars as
{"np": type name, "value": v}, other values as themselves. Floats print with repr (exact).
"""

import json
import sys
import warnings
from pathlib import Path

import joblib
import numpy as np
import sklearn
from sklearn.linear_model import LinearRegression


def encode(v):
    if isinstance(v, np.ndarray):
        return {"array": v.tolist(), "dtype": v.dtype.str, "shape": list(v.shape)}
    if isinstance(v, np.generic):
        return {"np": type(v).__name__, "value": v.item()}
    if isinstance(v, (bool, int, float, str)) or v is None:
        return v
    return {"other": type(v).__name__, "repr": repr(v)}


def state(est):
    return {k: encode(v) for k, v in est.__getstate__().items()}


def data(d):
    d = Path(d)
    X = np.load(d / "X.npy")
    y = np.load(d / "y.npy")
    sw = np.load(d / "sw.npy") if (d / "sw.npy").exists() else None
    opts = json.loads((d / "options.json").read_text()) if (d / "options.json").exists() else {}
    return X, y, sw, opts


def fit(d):
    X, y, sw, opts = data(d)
    return LinearRegression(**opts).fit(X, y, sample_weight=sw)


def main():
    cmd = sys.argv[1]
    if cmd == "fit":
        for d in sys.argv[2:]:
            print(json.dumps(state(fit(d))))
    elif cmd == "load":
        warnings.simplefilter("error")
        args = sys.argv[2:]
        for file, d in zip(args[::2], args[1::2]):
            print(json.dumps(load(file, Path(d))))
    else:
        sys.exit("unknown command " + cmd)


def load(file, d):
    """joblib.load(file), checked against sklearn fitted on d's data."""
    model = joblib.load(file)
    ref = fit(d)
    Xt = np.load(d / "Xt.npy")
    out = {
        "type": type(model).__module__ + "." + type(model).__qualname__,
        "is_linear_regression": isinstance(model, LinearRegression),
        "sklearn_version": sklearn.__version__,
        "state": state(model),
        "reference": state(ref),
        "keys": list(model.__getstate__()),
        "reference_keys": list(ref.__getstate__()),
        "repr": repr(model),
        "reference_repr": repr(ref),
        "params": {k: encode(v) for k, v in model.get_params().items()},
        "reference_params": {k: encode(v) for k, v in ref.get_params().items()},
        "predict": model.predict(Xt).tolist(),
        "reference_predict": ref.predict(Xt).tolist(),
        "score": float(model.score(*data(d)[:2])),
    }
    return out


if __name__ == "__main__":
    main()

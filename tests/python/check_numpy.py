"""Loads files Brine wrote with the real numpy / joblib and compares them with reference files.

    python check_numpy.py PAIRS.json

PAIRS.json is a list of objects ``{"brine": path, "reference": path, "format": f}`` with ``f`` one of
``pickle``, ``npy``, ``npz``, ``joblib``. Both files are loaded the way Python users load them
(``pickle.loads``, ``np.load``, ``joblib.load``) and compared exactly:

* ``pickle``, ``npy``, ``npz``: same type, dtype, shape and bytes (objects by value), with
  ``numpy_fixtures.same``. Pickles are compared byte-order free: numpy 2 unpickles non-native arrays
  of protocol 2 pickles in native order, whoever wrote them.
* ``joblib``: ``joblib_fixture_lib.encode`` of both values is equal (the exact description the
  fixtures use: class names and state of objects, dtype strings, memory order, data bytes).

Prints ``ok <n>`` and exits 0 when every pair matches; otherwise prints one line per mismatch and
exits 1. Warnings (numpy's ``numpy.core`` deprecation) are errors for nothing here but are
counted and reported.
"""

import json
import pickle
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import joblib_fixture_lib as lib  # noqa: E402
import numpy_fixtures  # noqa: E402


def load(np, path, fmt):
    if fmt == "pickle":
        return pickle.loads(Path(path).read_bytes())
    if fmt == "npy":
        return np.load(path, allow_pickle=True)
    if fmt == "npz":
        with np.load(path, allow_pickle=True) as z:
            return {k: z[k] for k in z.files}
    if fmt == "joblib":
        import joblib

        return joblib.load(path)
    raise SystemExit("unknown format " + fmt)


def main():
    import numpy as np

    pairs = json.loads(Path(sys.argv[1]).read_text())
    bad = []
    for p in pairs:
        fmt = p["format"]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                got = load(np, p["brine"], fmt)
        except Exception as e:  # noqa: BLE001 - every failure is reported
            bad.append("%s: numpy/joblib cannot load it: %s: %s" % (p["brine"], type(e).__name__, e))
            continue
        want = load(np, p["reference"], fmt)
        if fmt == "joblib":
            ok = lib.encode(got, np) == lib.encode(want, np)
        else:
            ok = numpy_fixtures.same(np, got, want, byte_order_free=(fmt == "pickle"))
        if not ok:
            bad.append("%s differs from %s: %r != %r" % (p["brine"], p["reference"], got, want))
    for line in bad:
        print(line)
    if bad:
        sys.exit(1)
    print("ok %d" % len(pairs))


if __name__ == "__main__":
    main()

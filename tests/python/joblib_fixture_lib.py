"""Shared helpers for the joblib fixtures: the test object and its exact, JSON-able description.

Runs under every interpreter the fixtures come from (CPython 3.6 with joblib 0.8/0.9, 3.9 with
joblib 1.1, and the pinned venv), so it sticks to Python 3.6 syntax. ``generate.py`` imports it; an
old interpreter runs it as a script:

    python joblib_fixture_lib.py <kind> <out_dir>

which writes that kind of legacy file(s) into ``out_dir`` and prints a JSON object
``{file_name: expected_value}`` on stdout.
"""

import binascii
import json
import os
import sys


def make_data(np):
    """The small nested object every joblib fixture holds."""
    return {
        "f64": np.arange(12, dtype="<f8").reshape(3, 4) / 4.0,
        "f32": np.linspace(-1.0, 1.0, 6, dtype="<f4"),
        "i64": np.array([-(2 ** 62), -1, 0, 1, 2 ** 62], dtype="<i8"),
        "i32": np.arange(-5, 5, dtype="<i4"),
        "u8": np.arange(0, 250, 25, dtype="u1"),
        "b": np.array([True, False, True]),
        "c128": np.array([1 + 2j, -3.5 - 0.25j], dtype="<c16"),
        "f16": np.array([0.5, -2.0, 65504.0], dtype="<f2"),
        "unicode": np.array(["ab", "c", "\u00e9\u20ac"], dtype="<U2"),
        "bytes": np.array([b"xy", b"z"], dtype="S2"),
        "fortran": np.asfortranarray(np.arange(6, dtype="<i8").reshape(2, 3)),
        "empty": np.zeros((0, 3), dtype="<f8"),
        "zero_d": np.array(3.25),
        "objects": np.array(["a", 1, None, 2.5, ("t", 2)], dtype=object),
        "list": [1, "two", 3.0, None, True],
        "str": "hello joblib",
        "int": 42,
        "big": 2 ** 70,
        "float": -0.5,
    }


def make_bigendian(np):
    """An object holding big-endian arrays."""
    return {
        "be_i4": np.arange(-3, 5, dtype=">i4"),
        "be_f8": (np.arange(6, dtype=">f8") * 1.5).reshape(2, 3),
        "le_u2": np.arange(4, dtype="<u2"),
    }


def make_fortran(np):
    """A Fortran-ordered 3-d array (not C-contiguous)."""
    return np.asfortranarray(np.arange(24, dtype="<f8").reshape(2, 3, 4) - 7.0)


def _hex(data):
    return binascii.hexlify(data).decode("ascii")


def encode(obj, np):
    """The exact description of ``obj`` that the Rust tests compare against.

    Arrays keep their byte order and memory order as joblib writes them: the ``order`` is ``F``
    only for arrays that are F- and not C-contiguous (joblib's rule), and ``hex`` is the data in
    that order.
    """
    if obj is None:
        return None
    if isinstance(obj, bool):
        return obj
    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject:
            return {
                "objarray": {
                    "shape": list(obj.shape),
                    "items": [encode(x, np) for x in obj.ravel(order="C").tolist()],
                }
            }
        fortran = obj.flags.f_contiguous and not obj.flags.c_contiguous
        order = "F" if fortran else "C"
        return {
            "ndarray": {
                "dtype": obj.dtype.str,
                "shape": list(obj.shape),
                "order": order,
                "hex": _hex(obj.tobytes(order=order)),
            }
        }
    if isinstance(obj, np.generic):
        return {"npscalar": {"dtype": obj.dtype.str, "hex": _hex(obj.tobytes())}}
    if isinstance(obj, int):
        if -(2 ** 63) <= obj < 2 ** 63:
            return {"int": obj}
        return {"bigint": str(obj)}
    if isinstance(obj, float):
        return {"float": obj.hex()}
    if isinstance(obj, str):
        return obj
    if isinstance(obj, bytes):
        return {"bytes": _hex(obj)}
    if isinstance(obj, list):
        return {"list": [encode(x, np) for x in obj]}
    if isinstance(obj, tuple):
        return {"tuple": [encode(x, np) for x in obj]}
    if isinstance(obj, dict):
        return {"dict": [[encode(k, np), encode(v, np)] for k, v in obj.items()]}
    cls = type(obj)
    state = obj.__getstate__() if hasattr(obj, "__getstate__") else obj.__dict__
    return {
        "object": {
            "class": cls.__module__ + "." + cls.__qualname__,
            "state": encode(state, np),
        }
    }


def _legacy(kind, out_dir):
    import joblib
    import numpy as np

    data = make_data(np)
    expected = {}
    if kind == "joblib0.9.4":
        # Uncompressed: a main pickle with NDArrayWrapper objects plus one .npy file per array.
        names = joblib.dump(data, os.path.join(out_dir, "legacy094_multi.pkl"))
        expected["legacy094_multi.pkl"] = {
            "value": encode(data, np),
            "files": sorted(os.path.basename(n) for n in names),
        }
        # Compressed: one Z-file, arrays pickled the standard numpy way inside.
        joblib.dump(data, os.path.join(out_dir, "legacy094_zfile.pkl"), compress=3)
        expected["legacy094_zfile.pkl"] = {"value": encode(data, np)}
    elif kind == "joblib0.8.4":
        # Compressed with cache_size=0: every array in its own Z-file, ZNDArrayWrapper objects.
        names = joblib.dump(
            data, os.path.join(out_dir, "legacy084_znd.pkl"), compress=3, cache_size=0
        )
        expected["legacy084_znd.pkl"] = {
            "value": encode(data, np),
            "files": sorted(os.path.basename(n) for n in names),
        }
    elif kind == "joblib1.1.1":
        # joblib 0.10 - 1.1: inline arrays without alignment padding; object arrays as protocol 2.
        joblib.dump(data, os.path.join(out_dir, "joblib111_plain.joblib"))
        expected["joblib111_plain.joblib"] = {"value": encode(data, np)}
        joblib.dump(data, os.path.join(out_dir, "joblib111_zlib.joblib"), compress=3)
        expected["joblib111_zlib.joblib"] = {"value": encode(data, np)}
    else:
        raise SystemExit("unknown kind " + kind)
    return expected


if __name__ == "__main__":
    import contextlib

    # Old joblib versions print tracebacks on stdout when an (object) array falls back to pickling.
    with contextlib.redirect_stdout(sys.stderr):
        result = _legacy(sys.argv[1], sys.argv[2])
    sys.stdout.write(json.dumps(result, sort_keys=True))

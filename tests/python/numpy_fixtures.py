"""The numpy section of tests/fixtures/generate.py: writes tests/fixtures/numpy/.

Every case of ``cases(np)`` (every dtype kind, both byte orders, C and Fortran order, 0-d and empty
arrays, structured dtypes, object arrays, numpy scalars) is written as

* ``pickle/<case>.p2.pkl`` and ``pickle/<case>.p5.pkl``: ``pickle.dumps`` at protocols 2 and 5 by the
  pinned numpy 2, whose module paths are ``numpy._core.multiarray`` / ``numpy._core.numeric``;
* ``pickle/<case>.np1.p2.pkl`` and ``pickle/<case>.np1.p5.pkl``: the same pickles with the module
  paths numpy 1.x writes (``numpy.core.multiarray``, ``numpy.core.numeric``). No numpy 1.x is
  installed here: they are written by a ``pickle._Pickler`` whose ``save_global`` renames
  ``numpy._core`` to ``numpy.core``, which is exactly the difference between the two versions'
  pickles (checked: numpy 2 loads them back to equal values);
* ``npy/<case>.npy`` (arrays only; ``np.save``), plus a format 2.0 and a format 3.0 file;
* ``npz/savez.npz`` and ``npz/savez_compressed.npz`` holding several cases.

``manifest.json`` has a ``cases`` table, case name -> ``value`` (the exact description of
``joblib_fixture_lib.encode``: dtype string, shape, memory order and data bytes in hex), ``repr``
(numpy's ``repr()``), ``dtype`` (``dtype.str``) and for non-object arrays ``npy_descr`` (the
``descr`` a ``.npy`` header holds); and one entry per file, with its ``case`` (whose value it holds)
or its own ``value``, or the ``error`` a malformed file must give. ``check_numpy.py`` compares what
Brine writes against the same cases.
"""

import io
import json
import pickle
import sys
import types
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import joblib_fixture_lib as lib  # noqa: E402


def cases(np):
    """{name: array or numpy scalar}: the values every numpy fixture holds."""
    c = {}
    c["bool"] = np.array([True, False, True, True])
    ints = {1: (-128, 127), 2: (-(2 ** 15), 2 ** 15 - 1), 4: (-(2 ** 31), 2 ** 31 - 1), 8: (-(2 ** 63), 2 ** 63 - 1)}
    for size, (lo, hi) in ints.items():
        for order in "<>":
            if size == 1 and order == ">":
                continue
            tag = "" if size == 1 else ("_le" if order == "<" else "_be")
            c["int%d%s" % (size * 8, tag)] = np.array([lo, -1, 0, 1, hi], dtype="%si%d" % (order, size))
            c["uint%d%s" % (size * 8, tag)] = np.array([0, 1, 2 ** (8 * size) - 1, 7], dtype="%su%d" % (order, size))
    special = [0.0, -0.0, 1.5, -2.25, np.inf, -np.inf, np.nan]
    for size in (2, 4, 8):
        for order, tag in (("<", "le"), (">", "be")):
            c["float%d_%s" % (size * 8, tag)] = np.array(special + [1e-3], dtype="%sf%d" % (order, size))
    for size in (8, 16):
        for order, tag in (("<", "le"), (">", "be")):
            c["complex%d_%s" % (size * 8, tag)] = np.array([1 + 2j, -0.5 - 0.0j, complex(np.inf, np.nan)], dtype="%sc%d" % (order, size))
    c["bytes_s5"] = np.array([b"abc", b"", b"hello", b"\x00\xffz"], dtype="S5")
    c["unicode_le"] = np.array(["ab", "", "\u00e9\u20ac\U0001f600"], dtype="<U3")
    c["unicode_be"] = np.array(["xyz", "q"], dtype=">U3")
    c["datetime64_ns"] = np.array(["2020-01-02T03:04:05.123456789", "NaT", "1969-12-31"], dtype="<M8[ns]")
    c["datetime64_d_be"] = np.array(["2001-09-09", "1970-01-01", "NaT"], dtype=">M8[D]")
    c["datetime64_generic"] = np.array([0, 5], dtype="<i8").view("<M8[s]").astype("M8[s]")
    c["timedelta64_s"] = np.array([1, -86400, np.timedelta64("NaT")], dtype="<m8[s]")
    c["timedelta64_us_be"] = np.array([3, 4], dtype=">m8[us]")
    point = np.dtype([("x", "<i4"), ("y", ">f8"), ("name", "S3"), ("v", "<f4", (2,))])
    c["structured"] = np.array([(1, 2.5, b"ab", (1.0, 2.0)), (-3, -0.5, b"xyz", (3.0, 4.0))], dtype=point)
    nested = np.dtype([("id", "<u2"), ("inner", [("a", "u1"), ("b", "<i8")])])
    c["structured_nested"] = np.array([(7, (1, -2)), (8, (3, 4))], dtype=nested)
    padded = np.dtype({"names": ["a", "b"], "formats": ["<i2", "<f4"], "offsets": [0, 4], "itemsize": 12})
    c["structured_offsets"] = np.zeros(2, dtype=padded)
    c["structured_offsets"]["a"] = [5, -6]
    c["structured_offsets"]["b"] = [0.25, 8.0]
    c["object_1d"] = np.array(["a", 1, None, 2.5, (1, "t"), [2, 3]], dtype=object)
    obj2 = np.empty((2, 2), dtype=object)
    obj2[0, 0], obj2[0, 1], obj2[1, 0], obj2[1, 1] = "x", b"y", 3, {"k": 1.5}
    c["object_2d"] = obj2
    c["object_nested_array"] = np.array([np.arange(3, dtype="<i2"), "s", np.float64(2.5)], dtype=object)
    c["fortran_f64"] = np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3) / 8)
    c["fortran_i32_3d_be"] = np.asfortranarray(np.arange(24, dtype=">i4").reshape(2, 3, 4) - 5)
    c["c_2d_f32"] = (np.arange(12, dtype="<f4").reshape(3, 4) - 6) / 4
    c["zero_d_f64"] = np.array(3.5)
    c["zero_d_i2_be"] = np.array(-7, dtype=">i2")
    c["zero_d_object"] = np.array("obj", dtype=object)
    c["empty_f64"] = np.zeros((0, 3), dtype="<f8")
    c["empty_u1"] = np.zeros((0,), dtype="u1")
    c["large_f64"] = np.arange(1001, dtype="<f8") / 3
    c["large_2d_u1"] = (np.arange(1200) % 251).astype("u1").reshape(40, 30)
    c["scalar_f64"] = np.float64(1.5)
    c["scalar_f32"] = np.float32(-0.1)
    c["scalar_f16"] = np.float16(0.333)
    c["scalar_i32"] = np.int32(-7)
    c["scalar_i64"] = np.int64(2 ** 62)
    c["scalar_u8"] = np.uint64(2 ** 64 - 1)
    c["scalar_u1"] = np.uint8(200)
    c["scalar_bool"] = np.bool_(True)
    c["scalar_c128"] = np.complex128(1 - 2j)
    c["scalar_str"] = np.str_("h\u00e9")
    c["scalar_bytes"] = np.bytes_(b"ab")
    c["scalar_datetime"] = np.datetime64("2021-03-04", "D")
    c["scalar_timedelta"] = np.timedelta64(90, "m")
    c["scalar_void"] = c["structured"][0]
    return c


# Cases that also go into the .npz archives.
NPZ_MEMBERS = ["float64_le", "int32_be", "unicode_le", "structured", "fortran_f64", "zero_d_f64", "empty_f64", "bool"]


class _Numpy1Pickler(pickle._Pickler):
    """A pure-Python pickler that writes numpy 1.x module paths (``numpy.core.*``)."""

    def save_global(self, obj, name=None):
        module = getattr(obj, "__module__", None) or ""
        if not module.startswith("numpy._core"):
            return super().save_global(obj, name)
        module = "numpy.core" + module[len("numpy._core"):]
        name = name or obj.__qualname__
        if self.proto >= 4:
            self.save(module)
            self.save(name)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(pickle.GLOBAL + module.encode("utf-8") + b"\n" + name.encode("utf-8") + b"\n")
        self.memoize(obj)

    # The base class's dispatch table holds its own save_global for Python functions (_frombuffer).
    dispatch = dict(pickle._Pickler.dispatch)
    dispatch[types.FunctionType] = save_global


def numpy1_dumps(value, protocol):
    """``pickle.dumps`` with numpy 1.x module paths."""
    buf = io.BytesIO()
    _Numpy1Pickler(buf, protocol=protocol).dump(value)
    return buf.getvalue()


def native(np, a):
    """``a`` with its dtype (and every field's) in native byte order."""
    return a.astype(a.dtype.newbyteorder("="))


def same(np, a, b, byte_order_free=True):
    """Exact equality of two arrays or numpy scalars: type, dtype, shape, bytes (objects by value).

    With ``byte_order_free`` dtypes may differ in byte order if the values are the same."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray) or isinstance(a, np.generic):
        if a.dtype != b.dtype and byte_order_free:
            # numpy 2 unpickles non-native arrays of protocol 2 pickles in native order: compare
            # the values in one byte order.
            a, b = native(np, a), native(np, b)
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        if a.dtype.hasobject:
            return all(same(np, x, y, byte_order_free) for x, y in zip(a.ravel().tolist(), b.ravel().tolist()))
        return a.tobytes() == b.tobytes()
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(np, x, y, byte_order_free) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a.keys()) == list(b.keys()) and all(same(np, a[k], b[k], byte_order_free) for k in a)
    return a == b


def generate(out):
    import numpy as np

    out = Path(out)
    entries = []
    all_cases = cases(np)

    def add(file, value, **extra):
        # Entries of a case (``case``) find their value in the manifest's ``cases`` table.
        entry = {"file": file} if value is None else {"file": file, "value": value}
        entry.update(extra)
        entries.append(entry)

    def meta(v):
        m = {"value": lib.encode(v, np), "repr": repr(v), "dtype": v.dtype.str}
        if isinstance(v, np.ndarray) and not v.dtype.hasobject:
            m["npy_descr"] = repr(np.lib.format.dtype_to_descr(v.dtype))
        return m

    case_table = {name: meta(v) for name, v in all_cases.items()}

    (out / "pickle").mkdir()
    (out / "npy").mkdir()
    (out / "npz").mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for name, v in all_cases.items():
            for proto in (2, 5):
                for paths, dumps in ((2, pickle.dumps), (1, numpy1_dumps)):
                    data = dumps(v, protocol=proto)
                    back = pickle.loads(data)
                    assert same(np, back, v), (name, proto, paths)
                    if paths == 1:
                        assert b"numpy._core" not in data, name
                    file = "pickle/%s.%sp%d.pkl" % (name, "np1." if paths == 1 else "", proto)
                    (out / file).write_bytes(data)
                    add(file, None, kind="pickle", case=name, protocol=proto, numpy_paths=paths)
            if isinstance(v, np.ndarray):
                buf = io.BytesIO()
                np.save(buf, v, allow_pickle=v.dtype.hasobject)
                file = "npy/%s.npy" % name
                (out / file).write_bytes(buf.getvalue())
                add(file, None, kind="npy", case=name)

    # Header format versions 2.0 (u32 header length) and 3.0 (utf-8 header).
    for version, name in (((2, 0), "c_2d_f32"), ((3, 0), "structured")):
        v = all_cases[name]
        buf = io.BytesIO()
        np.lib.format.write_array(buf, v, version=version)
        file = "npy/%s.v%d.npy" % (name, version[0])
        (out / file).write_bytes(buf.getvalue())
        add(file, None, kind="npy", case=name, npy_version=list(version))
    # A non-ASCII field name (numpy picks the header format version).
    v = np.array([(1,)], dtype=[("\u00e9t\u00e9", "<i2")])
    buf = io.BytesIO()
    np.save(buf, v)
    (out / "npy/utf8_field.npy").write_bytes(buf.getvalue())
    add("npy/utf8_field.npy", lib.encode(v, np), kind="npy", npy_version=list(buf.getvalue()[6:8]), **{k: x for k, x in meta(v).items() if k != "value"})

    members = {k: all_cases[k] for k in NPZ_MEMBERS}
    expected = {"dict": [[k, lib.encode(a, np)] for k, a in members.items()]}
    for fn, file in ((np.savez, "npz/savez.npz"), (np.savez_compressed, "npz/savez_compressed.npz")):
        buf = io.BytesIO()
        fn(buf, **members)
        (out / file).write_bytes(buf.getvalue())
        add(file, expected, kind="npz", members=NPZ_MEMBERS, compressed="compressed" in file)
    # Positional members are named arr_0, arr_1, ...
    buf = io.BytesIO()
    np.savez(buf, all_cases["int8"], all_cases["uint16_be"])
    (out / "npz/positional.npz").write_bytes(buf.getvalue())
    add("npz/positional.npz", {"dict": [["arr_0", lib.encode(all_cases["int8"], np)], ["arr_1", lib.encode(all_cases["uint16_be"], np)]]},
        kind="npz", members=["arr_0", "arr_1"], compressed=False)

    # Nested containers of arrays and scalars in one pickle.
    nested = {"a": all_cases["float32_le"], "b": [all_cases["int64_be"], all_cases["scalar_f64"]], "c": (all_cases["unicode_le"], None)}
    for proto in (2, 5):
        file = "pickle/nested.p%d.pkl" % proto
        (out / file).write_bytes(pickle.dumps(nested, protocol=proto))
        add(file, lib.encode(nested, np), kind="pickle", protocol=proto, numpy_paths=2)

    malformed(np, out, entries)

    doc = {
        "section": "numpy",
        "generator": "tests/fixtures/generate.py",
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "cases": case_table,
        "entries": sorted(entries, key=lambda e: e["file"]),
    }
    (out / "manifest.json").write_text(json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=True) + "\n")


def malformed(np, out, entries):
    """Files whose header, dtype or length disagree with the data (expected: a clean error)."""
    bad = out / "malformed"
    bad.mkdir()
    good = (out / "npy/c_2d_f32.npy").read_bytes()

    def add(name, data, why):
        (bad / name).write_bytes(data)
        entries.append({"file": "malformed/" + name, "kind": name.rsplit(".", 1)[1], "error": why})

    add("npy_truncated_data.npy", good[:-5], "data shorter than the header's shape")
    add("npy_truncated_header.npy", good[:40], "header cut")
    add("npy_bad_magic.npy", b"\x93NUMPX" + good[6:], "magic")
    add("npy_bad_descr.npy", good.replace(b"'<f4'", b"'<q9'"), "unknown dtype")
    # A shape whose element count overflows 64 bits, and one far larger than the data.
    add("npy_overflow_shape.npy", good.replace(b"(3, 4), }", b"(4611686018427387904, 4), }"), "shape overflow")
    add("npy_huge_shape.npy", good.replace(b"(3, 4), }", b"(1000000, 1000), }"), "data shorter than the header's shape")
    add("npy_not_dict.npy", good.replace(b"{'descr'", b"['descr'"), "header not a dict")
    p = pickle.dumps(np.arange(6, dtype="<i8"), protocol=2)
    # The BUILD state's raw bytes hold 48 bytes; change the shape to 7 elements.
    add("pickle_shape_mismatch.pkl", p.replace(b"K\x06\x85", b"K\x07\x85"), "shape disagrees with data")
    add("pickle_dtype_mismatch.pkl", p.replace(b"X\x02\x00\x00\x00i8", b"X\x02\x00\x00\x00i4"), "dtype disagrees with data")
    p5 = pickle.dumps(np.arange(6, dtype="<i8"), protocol=5)
    add("pickle5_shape_mismatch.pkl", p5.replace(b"K\x06\x85", b"K\x09\x85"), "shape disagrees with data")
    z = (out / "npz/savez_compressed.npz").read_bytes()
    add("npz_truncated.npz", z[: len(z) // 2], "truncated archive")

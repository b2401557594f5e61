"""The joblib section of tests/fixtures/generate.py: writes tests/fixtures/joblib/.

* ``data_<method>_<level>.joblib``: the object of ``joblib_fixture_lib.make_data`` dumped by the pinned
  joblib uncompressed and with every compressor at a couple of levels (every compressed file
  decompresses to the bytes of ``data_none_0.joblib``);
* ``data_proto{2,3,5}.joblib``: the same object at other pickle protocols;
* ``linreg.joblib``: a fitted ``LinearRegression``; ``fortran.joblib``, ``bigendian.joblib``;
* legacy files written by the real old joblib versions, each in a scratch venv made with a pyenv
  interpreter (``$BRINE_JOBLIB_VENVS``, default /tmp/brine-joblib-venvs; pip needs PyPI): joblib 0.9.4
  (multi-file ``NDArrayWrapper`` + ``.npy`` companions, and the ``ZF`` Z-file), joblib 0.8.4
  (``ZNDArrayWrapper`` with per-array Z-files) and joblib 1.1.1 (inline arrays without alignment);
* ``malformed/``: truncated compressed files and decompression bombs.

``manifest.json`` has one entry per file: its format (as brine-joblib's ``Format`` names it), the
joblib version that wrote it and the exact expected value (see ``joblib_fixture_lib.encode``).
"""

import bz2
import io
import json
import lzma
import os
import subprocess
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import joblib_fixture_lib as lib  # noqa: E402

# (kind, pyenv interpreter, requirements) of the legacy writers.
LEGACY = [
    ("joblib0.9.4", "/root/.pyenv/versions/3.6.15/bin/python", ["numpy==1.19.5", "joblib==0.9.4"]),
    ("joblib0.8.4", "/root/.pyenv/versions/3.6.15/bin/python", ["numpy==1.19.5", "joblib==0.8.4"]),
    ("joblib1.1.1", "/root/.pyenv/versions/3.9.18/bin/python", ["numpy==1.26.4", "joblib==1.1.1"]),
]

# (method, level) pairs; level None is the compressor's default (compress="<method>").
COMPRESSIONS = [
    ("zlib", 1), ("zlib", 3), ("zlib", 9),
    ("gzip", 3), ("gzip", 9),
    ("bz2", 1), ("bz2", 9),
    ("lzma", 1), ("lzma", None),
    ("xz", 1), ("xz", None),
    ("lz4", None), ("lz4", 9),
]

FORMAT_NAMES = {
    "zlib": "Zlib", "gzip": "Gzip", "bz2": "Bz2", "lzma": "Lzma", "xz": "Xz", "lz4": "Lz4",
}


def _venv_python(kind, base_python, requirements):
    root = Path(os.environ.get("BRINE_JOBLIB_VENVS", "/tmp/brine-joblib-venvs"))
    venv = root / kind
    python = venv / "bin" / "python"
    stamp = venv / ".requirements"
    want = "\n".join(requirements) + "\n"
    if not (python.exists() and stamp.exists() and stamp.read_text() == want):
        if not Path(base_python).exists():
            sys.exit(f"generate.py: {base_python} is needed for the {kind} fixtures")
        subprocess.check_call([base_python, "-m", "venv", "--clear", str(venv)])
        subprocess.check_call(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"] + requirements
        )
        stamp.write_text(want)
    return python


def generate(out):
    import joblib
    import numpy as np
    from sklearn.linear_model import LinearRegression

    out = Path(out)
    entries = []

    def add(file, fmt, value, **extra):
        entry = {"file": file, "format": fmt, "value": value}
        entry.update(extra)
        entries.append(entry)

    data = lib.make_data(np)
    expected = lib.encode(data, np)
    version = joblib.__version__

    joblib.dump(data, out / "data_none_0.joblib")
    add("data_none_0.joblib", "Pickle", expected, joblib=version, protocol=4)
    for method, level in COMPRESSIONS:
        name = "data_%s_%s.joblib" % (method, "default" if level is None else level)
        compress = method if level is None else (method, level)
        joblib.dump(data, out / name, compress=compress)
        add(name, FORMAT_NAMES[method], expected, joblib=version, compress=[method, level],
            payload="data_none_0.joblib")
    for proto in (2, 3, 5):
        name = "data_proto%d.joblib" % proto
        joblib.dump(data, out / name, protocol=proto)
        add(name, "Pickle", expected, joblib=version, protocol=proto)

    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 3))
    y = X @ np.array([1.5, -2.0, 0.25]) + 0.5 + rng.normal(scale=0.01, size=20)
    model = LinearRegression().fit(X, y)
    joblib.dump(model, out / "linreg.joblib")
    add("linreg.joblib", "Pickle", lib.encode(model, np), joblib=version)
    joblib.dump(model, out / "linreg_xz.joblib", compress="xz")
    add("linreg_xz.joblib", "Xz", lib.encode(model, np), joblib=version)

    fortran = lib.make_fortran(np)
    joblib.dump(fortran, out / "fortran.joblib")
    add("fortran.joblib", "Pickle", lib.encode(fortran, np), joblib=version)
    big = lib.make_bigendian(np)
    joblib.dump(big, out / "bigendian.joblib")
    add("bigendian.joblib", "Pickle", lib.encode(big, np), joblib=version)
    # An array shared twice: joblib writes it twice (arrays are never memoized).
    shared = np.arange(4, dtype="<i2")
    joblib.dump([shared, shared], out / "shared.joblib")
    add("shared.joblib", "Pickle", lib.encode([shared, shared], np), joblib=version)

    for kind, base, reqs in LEGACY:
        python = _venv_python(kind, base, reqs)
        legacy_dir = out / "legacy"
        legacy_dir.mkdir(exist_ok=True)
        text = subprocess.check_output([str(python), str(HERE / "joblib_fixture_lib.py"), kind, str(legacy_dir)])
        for name, info in sorted(json.loads(text).items()):
            fmt = "LegacyZfile" if "zfile" in name or "znd" in name else "Pickle"
            if kind == "joblib1.1.1" and "zlib" in name:
                fmt = "Zlib"
            add("legacy/" + name, fmt, info["value"], joblib=kind.replace("joblib", ""),
                companions=info.get("files", []))

    _malformed(out, entries)

    doc = {
        "section": "joblib",
        "generator": "tests/fixtures/generate.py",
        "python": sys.version.split()[0],
        "joblib": version,
        "numpy": np.__version__,
        "entries": sorted(entries, key=lambda e: e["file"]),
    }
    (out / "manifest.json").write_text(json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=True) + "\n")


def _malformed(out, entries):
    """Truncated compressed files and decompression bombs (expected: a clean error)."""
    bad = out / "malformed"
    bad.mkdir(exist_ok=True)
    for method in ("zlib", "gzip", "bz2", "lzma", "xz", "lz4"):
        src = (out / ("data_%s_%s.joblib" % (method, "default" if method in ("lzma", "xz", "lz4") else 9))).read_bytes()
        name = "truncated_%s.joblib" % method
        (bad / name).write_bytes(src[: len(src) * 2 // 3])
        entries.append({"file": "malformed/" + name, "format": FORMAT_NAMES[method], "error": "truncated"})
    # 64 MiB of zeros after a pickle header: a few KB compressed. Loaded with a 1 MiB limit in the
    # tests; the zeros are not a valid pickle either, so no limit makes them load.
    zeros = b"\x80\x04" + bytes(64 << 20)
    bombs = {
        "bomb_zlib.joblib": ("Zlib", zlib.compress(zeros, 9)),
        "bomb_bz2.joblib": ("Bz2", bz2.compress(zeros, 9)),
        "bomb_xz.joblib": ("Xz", lzma.compress(zeros, format=lzma.FORMAT_XZ, preset=9)),
    }
    for name, (fmt, blob) in bombs.items():
        (bad / name).write_bytes(blob)
        entries.append({"file": "malformed/" + name, "format": fmt, "error": "bomb", "decompressed_len": len(zeros)})
    # A Z-file whose header declares a length the data does not have.
    payload = (out / "data_none_0.joblib").read_bytes()
    header = b"ZF" + ("{:#x}".format(len(payload) + 7)).encode().ljust(19)
    (bad / "zfile_bad_length.pkl").write_bytes(header + zlib.compress(payload, 3))
    entries.append({"file": "malformed/zfile_bad_length.pkl", "format": "LegacyZfile", "error": "length"})
    # A wrapper whose shape says more bytes than the file holds.
    (bad / "short_array.joblib").write_bytes(payload[:-60])
    entries.append({"file": "malformed/short_array.joblib", "format": "Pickle", "error": "truncated"})

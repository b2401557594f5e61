"""Checks pickles written by Brine against the originals, with the real CPython pickle module.

Usage: python tests/python/check_pickle.py JOBS.json

JOBS.json is {"jobs": [{"id": ..., "original": path, "candidate": path, "options": {...}}]}, where
options are a fixture's manifest options (tests/fixtures/pickle/manifest.json: encoding, buffers,
persistent, extensions, count). For each job both files are loaded the same way and compared
structurally; one JSON line per job is printed: {"id": ..., "ok": true|false, "detail": "..."}.

The comparison is exact and iterative (no recursion limit): same types; floats equal bit for bit
except that any NaN equals any NaN; -0.0 differs from 0.0; dict order matters, set order does not;
objects of other classes compare by their `__reduce_ex__(4)` (class, arguments, state, items), and
classes/functions by identity. Sharing must be the same on both sides: a container (or instance,
or buffer) reached twice in the original is one object in the candidate too, and vice versa, so
`x[0] is x` cycles and shared sublists survive.
"""

import io
import json
import math
import pickle
import sys
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import fixture_classes  # noqa: E402

ATOMS = (type(None), bool, int, str, bytes)
TRACKED = (list, dict, set, frozenset, tuple, bytearray, memoryview)
BUFFERS = (bytearray, memoryview, pickle.PickleBuffer)


def load_all(path, options):
    """Loads options.get('count', 1) pickles from the file, as the manifest options say."""
    import copyreg

    data = Path(path).read_bytes()
    exts = [tuple(e) for e in options.get("extensions", [])]
    for module, name, code in exts:
        copyreg.add_extension(module, name, code)
    try:
        stream = io.BytesIO(data)
        values = []
        for _ in range(options.get("count", 1)):
            kwargs = {}
            if "encoding" in options:
                kwargs["encoding"] = options["encoding"]
            if "buffers" in options:
                kwargs["buffers"] = [bytearray.fromhex(h) for h in options["buffers"]]
            unpickler = pickle.Unpickler(stream, **kwargs)
            if options.get("persistent"):
                unpickler.persistent_load = fixture_classes.persistent_load
            values.append(unpickler.load())
        if stream.tell() != len(data):
            raise ValueError("%d trailing bytes after the last pickle" % (len(data) - stream.tell()))
        return values
    finally:
        for module, name, code in exts:
            copyreg.remove_extension(module, name, code)


class Fresh(list):
    """A temporary list made during comparison: never identity-tracked."""


def reduced(obj):
    """An instance's __reduce_ex__(4) with its iterators materialized."""
    rv = obj.__reduce_ex__(4)
    if isinstance(rv, str):
        return rv
    parts = Fresh(rv)
    for i in (3, 4):
        if i < len(parts) and parts[i] is not None:
            parts[i] = Fresh(parts[i])
    return parts


def same_float(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def compare(a, b):
    """None when a and b are the same structure, else a message saying where they differ."""
    forward, backward, keep = {}, {}, []
    stack = [(a, b, "root")]
    while stack:
        x, y, path = stack.pop()
        if x is y and not isinstance(x, TRACKED):
            continue
        bx, by = isinstance(x, BUFFERS), isinstance(y, BUFFERS)
        if bx or by:
            if not (bx and by):
                return "%s: %s vs %s" % (path, type(x).__name__, type(y).__name__)
        elif type(x) is not type(y):
            return "%s: type %s vs %s" % (path, type(x).__name__, type(y).__name__)
        tracked = isinstance(x, TRACKED) and not isinstance(x, Fresh) and not (
            isinstance(x, (tuple, frozenset)) and len(x) == 0
        )
        if tracked or not isinstance(x, ATOMS + (float, complex, Fresh)):
            if id(x) in forward or id(y) in backward:
                if forward.get(id(x)) != id(y) or backward.get(id(y)) != id(x):
                    return "%s: sharing differs (an object reached twice on one side only)" % path
                continue
            forward[id(x)] = id(y)
            backward[id(y)] = id(x)
            keep.append((x, y))
        if bx:
            mx, my = memoryview(x), memoryview(y)
            if mx.tobytes() != my.tobytes() or mx.readonly != my.readonly:
                return "%s: buffer %r (readonly=%s) vs %r (readonly=%s)" % (
                    path, mx.tobytes()[:40], mx.readonly, my.tobytes()[:40], my.readonly)
        elif isinstance(x, ATOMS):
            if x != y:
                return "%s: %.200r vs %.200r" % (path, x, y)
        elif isinstance(x, float):
            if not same_float(x, y):
                return "%s: %r vs %r" % (path, x, y)
        elif isinstance(x, complex):
            if not (same_float(x.real, y.real) and same_float(x.imag, y.imag)):
                return "%s: %r vs %r" % (path, x, y)
        elif isinstance(x, (list, tuple)):
            if len(x) != len(y):
                return "%s: length %d vs %d" % (path, len(x), len(y))
            for i in range(len(x) - 1, -1, -1):
                stack.append((x[i], y[i], "%s[%d]" % (path, i)))
        elif isinstance(x, dict):
            if len(x) != len(y):
                return "%s: %d keys vs %d" % (path, len(x), len(y))
            items = list(zip(x.items(), y.items()))
            for i in range(len(items) - 1, -1, -1):
                (kx, vx), (ky, vy) = items[i]
                stack.append((vx, vy, "%s[%.60r]" % (path, kx)))
                stack.append((kx, ky, "%s.key(%d)" % (path, i)))
        elif isinstance(x, (set, frozenset)):
            if x != y:
                return "%s: %.200r vs %.200r" % (path, x, y)
        elif isinstance(x, (type, types.FunctionType, types.BuiltinFunctionType)):
            if x is not y:
                return "%s: %r vs %r" % (path, x, y)
        else:
            rx, ry = reduced(x), reduced(y)
            keep.append((rx, ry))
            stack.append((rx, ry, "%s<reduce %s>" % (path, type(x).__qualname__)))
    return None


def main(argv):
    jobs = json.loads(Path(argv[1]).read_text())["jobs"]
    originals = {}
    for job in jobs:
        options = job.get("options") or {}
        try:
            key = job["original"]
            if key not in originals:
                originals = {key: load_all(key, options)}  # jobs come grouped by original
            candidate = load_all(job["candidate"], options)
            detail = compare(originals[key], candidate)
        except Exception as err:  # a load failure is a result, not a crash of the checker
            detail = "%s: %s" % (type(err).__name__, err)
        print(json.dumps({"id": job["id"], "ok": detail is None, "detail": detail or ""}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

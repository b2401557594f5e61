#!/usr/bin/env python3
"""Side-by-side joblib benchmark: joblib.load versus Brine on the same files, in the same run.

The script writes, with the pinned joblib and numpy (run it with the venv's Python):
  * one float64 array of --size-mib MiB (default 1024) as an uncompressed joblib file, plus
    16 MiB and 128 MiB ones: the full-load and mmap numbers;
  * one --compressed-mib MiB (default 32) float64 array, rounded to 2 decimals so it compresses,
    dumped with every compressor (zlib 3, gzip 3, bz2 3, lzma 1, xz 1, lz4).
Then it times, best of --repeat runs with a warm page cache:
  * Python: reading the file's bytes, joblib.load, and joblib.load(mmap_mode='r') (uncompressed);
  * Brine (`cargo run --release -p brine-joblib --example bench_load`): reading the bytes
    (std::fs::read, and into a huge-page buffer as numpy allocates arrays), brine_joblib::load
    (everything in memory afterwards, as after joblib.load), and load with mmap;
and prints a Markdown table (the README's "numpy and joblib" benchmark section has the numbers).

Usage: .venv/bin/python scripts/bench_joblib.py [--size-mib 1024] [--compressed-mib 32] [--repeat 3]
                                                [--dir /tmp/brine-bench-joblib] [--keep]
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

COMPRESSORS = [("zlib", 3), ("gzip", 3), ("bz2", 3), ("lzma", 1), ("xz", 1), ("lz4", 3)]


def best(repeat, fn):
    t_best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        value = fn()
        t_best = min(t_best, time.perf_counter() - t)
        del value
    return t_best


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--compressed-mib", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", default="/tmp/brine-bench-joblib")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()

    import joblib
    import numpy as np

    os.makedirs(args.dir, exist_ok=True)
    rng = np.random.default_rng(0)
    files = []  # (label, path, kind)

    sizes = sorted({16, 128, args.size_mib})
    for mib in sizes:
        path = os.path.join(args.dir, "f64_%dmib.joblib" % mib)
        if not os.path.exists(path):
            joblib.dump(rng.standard_normal(mib * (1 << 20) // 8), path)
        files.append(("float64 %d MiB, uncompressed" % mib, path, "plain"))
    data = np.round(rng.standard_normal(args.compressed_mib * (1 << 20) // 8), 2)
    for method, level in COMPRESSORS:
        path = os.path.join(args.dir, "f64_%dmib.%s%d.joblib" % (args.compressed_mib, method, level))
        if not os.path.exists(path):
            joblib.dump(data, path, compress=(method, level))
        files.append(("float64 %d MiB, %s %d" % (args.compressed_mib, method, level), path, method))
    del data

    env = dict(os.environ)
    subprocess.check_call(
        ["cargo", "build", "--release", "-q", "-p", "brine-joblib", "--example", "bench_load"], cwd=ROOT, env=env
    )
    target = env.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    tool = os.path.join(target, "release", "examples", "bench_load")
    out = subprocess.check_output([tool, "--repeat", str(args.repeat)] + [p for _, p, _ in files], cwd=ROOT, text=True)
    brine = {}
    for line in out.splitlines():
        row = json.loads(line)
        brine[row["file"]] = row

    rows = []
    for label, path, kind in files:
        py_read = best(args.repeat, lambda: read_bytes(path))
        py_load = best(args.repeat, lambda: joblib.load(path))
        py_mmap = best(args.repeat, lambda: joblib.load(path, mmap_mode="r")) if kind == "plain" else None
        b = brine[path]
        rows.append((label, os.path.getsize(path), min(b["read"], b["read_huge"]), b["load"], b["mmap"], py_read, py_load, py_mmap))

    def ms(x):
        return "-" if x is None else "%.1f ms" % (x * 1000) if x >= 0.001 else "%.0f us" % (x * 1e6)

    print("\nMachine: %s, %d CPUs, Python %s, numpy %s, joblib %s; best of %d, warm page cache.\n" % (
        platform.machine(), os.cpu_count(), platform.python_version(), np.__version__, joblib.__version__, args.repeat))
    print("| file | size | read bytes | Brine load | load / read | Brine mmap | Python read | joblib.load | joblib mmap | joblib / Brine |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, size, rd, ld, mm, pr, pl, pm in rows:
        print("| %s | %.1f MiB | %s | %s | %.2fx | %s | %s | %s | %s | %.2fx |" % (
            label, size / (1 << 20), ms(rd), ms(ld), ld / rd, ms(mm), ms(pr), ms(pl), ms(pm), pl / ld))
    if not args.keep:
        shutil.rmtree(args.dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

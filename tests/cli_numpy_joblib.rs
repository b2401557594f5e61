//! `brine show` on pickle, joblib (every compressor, any file name), `.npy` and `.npz` files, told
//! apart by content; `brine convert --compress` writing joblib files that the real joblib loads;
//! malformed numpy/joblib files exit with code 1 and one line on stderr.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;

use common::{brine, brine_stdin, stdout_ok, Scratch};

fn fixture(rel: &str) -> PathBuf {
    brine_testkit::fixtures_dir().join(rel)
}

fn manifest_repr(case: &str) -> String {
    let text = std::fs::read_to_string(fixture("numpy/manifest.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["cases"][case]["repr"].as_str().unwrap().to_string()
}

#[test]
fn show_prints_npy_files_as_numpy_does() {
    for case in [
        "c_2d_f32",
        "large_2d_u1",
        "structured",
        "datetime64_ns",
        "fortran_f64",
    ] {
        let path = fixture(&format!("numpy/npy/{case}.npy"));
        let text = stdout_ok(&["show", path.to_str().unwrap()]);
        let (head, body) = text.split_once('\n').unwrap();
        assert!(head.starts_with("# npy file: dtype="), "{head}");
        assert!(head.contains("shape=("), "{head}");
        assert_eq!(body.trim_end(), manifest_repr(case), "{case}");
    }
}

#[test]
fn show_detects_the_format_by_content_not_name() {
    let dir = Scratch::new("show");
    let cases = [
        ("joblib/data_xz_default.joblib", "xz compressed"),
        ("joblib/data_lz4_default.joblib", "lz4 compressed"),
        ("joblib/data_bz2_9.joblib", "bz2 compressed"),
        ("joblib/data_none_0.joblib", "joblib file: 14 arrays"),
        ("numpy/npz/savez_compressed.npz", "npz archive: 8 arrays"),
        ("numpy/npy/int32_be.npy", "npy file"),
    ];
    for (i, (rel, want)) in cases.iter().enumerate() {
        let renamed = dir.join(format!("input{i}.pkl"));
        std::fs::copy(fixture(rel), &renamed).unwrap();
        let text = stdout_ok(&["show", renamed.to_str().unwrap()]);
        assert!(text.lines().next().unwrap().contains(want), "{rel}: {text}");
        assert!(text.contains("array("), "{rel}");
    }
    // A plain pickle without numpy prints exactly as before: no header.
    let text = stdout_ok(&[
        "show",
        fixture("joblib/legacy/legacy094_multi.pkl")
            .to_str()
            .unwrap(),
    ]);
    assert!(text.contains("array(["), "{text}");
}

#[test]
fn show_reads_numpy_files_from_stdin() {
    let data = std::fs::read(fixture("numpy/npy/c_2d_f32.npy")).unwrap();
    let out = brine_stdin(&["show", "-"], &data);
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .ends_with(&format!("{}\n", manifest_repr("c_2d_f32"))));
}

#[test]
fn malformed_numpy_and_joblib_files_exit_1() {
    for rel in [
        "numpy/malformed/npy_truncated_data.npy",
        "numpy/malformed/npy_overflow_shape.npy",
        "numpy/malformed/npz_truncated.npz",
        "numpy/malformed/pickle_shape_mismatch.pkl",
        "numpy/malformed/pickle_dtype_mismatch.pkl",
        "joblib/malformed/truncated_xz.joblib",
        "joblib/malformed/short_array.joblib",
    ] {
        let out = brine(&["show", fixture(rel).to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{rel}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{rel}: {err}");
        assert!(err.starts_with("brine: "), "{rel}: {err}");
    }
    let out = brine(&["show", "/nonexistent/file.npy"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn convert_writes_joblib_files_joblib_loads() {
    let dir = Scratch::new("convert");
    let mut made: Vec<(PathBuf, &str)> = Vec::new();
    for (i, spec) in ["zlib:3", "gzip", "bz2:1", "xz", "lzma:1", "lz4", "0"]
        .iter()
        .enumerate()
    {
        let out = dir.join(format!("linreg{i}.joblib"));
        stdout_ok(&[
            "convert",
            fixture("joblib/linreg.joblib").to_str().unwrap(),
            out.to_str().unwrap(),
            "--compress",
            spec,
        ]);
        made.push((out, spec));
    }
    // A .npy input, and a plain name with .joblib (uncompressed).
    let npy_out = dir.join("array.joblib");
    stdout_ok(&[
        "convert",
        fixture("numpy/npy/structured.npy").to_str().unwrap(),
        npy_out.to_str().unwrap(),
    ]);
    let bad = brine(&[
        "convert",
        fixture("joblib/linreg.joblib").to_str().unwrap(),
        dir.join("x.joblib").to_str().unwrap(),
        "--compress",
        "zip:3",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    // Brine reads them back.
    for (path, spec) in &made {
        let text = stdout_ok(&["show", path.to_str().unwrap()]);
        assert!(
            text.contains("'coef_': array([ 1.49936236, -1.99611568,  0.24993609])"),
            "{spec}: {text}"
        );
    }
    let Some(py) = brine_testkit::python() else {
        return;
    };
    let code = "import sys, joblib, numpy as np\n\
        ref = joblib.load(sys.argv[1])\n\
        for p in sys.argv[3:]:\n\
        \x20   m = joblib.load(p)\n\
        \x20   assert type(m) is type(ref) and m.__dict__.keys() == ref.__dict__.keys(), p\n\
        \x20   assert np.array_equal(m.coef_, ref.coef_) and m.intercept_ == ref.intercept_, p\n\
        a = joblib.load(sys.argv[2])\n\
        assert a.dtype == np.load('tests/fixtures/numpy/npy/structured.npy').dtype\n\
        print('ok')";
    let mut argv: Vec<String> = vec![
        fixture("joblib/linreg.joblib").display().to_string(),
        npy_out.display().to_string(),
    ];
    argv.extend(made.iter().map(|(p, _)| p.display().to_string()));
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    assert_eq!(brine_testkit::run_python(&py, code, &argv).trim(), "ok");
}

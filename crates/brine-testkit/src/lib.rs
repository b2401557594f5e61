//! Test support shared by the brine crates: where the fixtures are, and how to run the pinned Python.
//!
//! Interop tests run the real CPython, numpy, joblib and scikit-learn from the virtual environment
//! that `scripts/setup-python.sh` creates in `.venv`. [`python`] finds it; when it is missing, tests
//! skip with a message, except under `CI=true`, where a missing interpreter is a failure.
//!
//! ```no_run
//! if let Some(py) = brine_testkit::python() {
//!     let out = brine_testkit::run_python(&py, "import sys; print(sys.version_info[0])", &[]);
//!     assert_eq!(out.trim(), "3");
//! }
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (the folder holding the top `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| here.to_path_buf())
}

/// `tests/fixtures` under the workspace root.
pub fn fixtures_dir() -> PathBuf {
    workspace_root().join("tests").join("fixtures")
}

/// `true` when running under CI (`CI=true`), where no interop test may skip.
pub fn in_ci() -> bool {
    std::env::var("CI")
        .map(|v| v == "true" || v == "1")
        .unwrap_or(false)
}

/// The pinned Python interpreter: `$BRINE_PYTHON`, else `.venv/bin/python` in the workspace.
///
/// Returns `None` (after printing why) when there is none, so the caller can skip; under CI it
/// panics instead, so that an interop test can never pass by skipping.
#[allow(clippy::panic)]
pub fn python() -> Option<PathBuf> {
    let candidate = std::env::var_os("BRINE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv").join("bin").join("python"));
    if candidate.exists() {
        return Some(candidate);
    }
    if in_ci() {
        panic!(
            "no Python at {} under CI=true: run scripts/setup-python.sh",
            candidate.display()
        );
    }
    eprintln!(
        "skipping interop test: no Python at {} (run scripts/setup-python.sh)",
        candidate.display()
    );
    None
}

/// Runs `python -c code args...` from the workspace root and returns its stdout.
///
/// Panics with Python's stderr when it exits non-zero: for tests only.
#[allow(clippy::panic)]
pub fn run_python(python: &Path, code: &str, args: &[&str]) -> String {
    let out = Command::new(python)
        .arg("-c")
        .arg(code)
        .args(args)
        .current_dir(workspace_root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    if !out.status.success() {
        panic!(
            "python failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs a Python script file with arguments from the workspace root and returns its stdout.
///
/// Panics with Python's stderr when it exits non-zero: for tests only.
#[allow(clippy::panic)]
pub fn run_python_script(python: &Path, script: &Path, args: &[&str]) -> String {
    let out = Command::new(python)
        .arg(script)
        .args(args)
        .current_dir(workspace_root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    if !out.status.success() {
        panic!(
            "python script {} failed ({}):\n{}",
            script.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

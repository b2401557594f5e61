//! Shared test helpers: the joblib fixture manifest, and the exact JSON description of a loaded
//! value (shared with brine-numpy's tests).
#![allow(
    dead_code,
    unused_imports,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::PathBuf;

use serde_json::Value;

#[path = "../../../brine-numpy/tests/common/values.rs"]
mod values;
pub use values::*;

pub fn fixtures() -> PathBuf {
    brine_testkit::fixtures_dir().join("joblib")
}

pub fn manifest() -> Vec<Value> {
    let text = std::fs::read_to_string(fixtures().join("manifest.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["entries"].as_array().unwrap().clone()
}

pub fn entry(file: &str) -> Value {
    manifest()
        .into_iter()
        .find(|e| e["file"] == file)
        .unwrap_or_else(|| panic!("no manifest entry {file}"))
}

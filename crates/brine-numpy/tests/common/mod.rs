//! Shared test helpers: the numpy fixture manifest, and (in `values.rs`) the exact JSON description
//! of a value.
#![allow(
    dead_code,
    unused_imports,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::PathBuf;

use serde_json::Value;

mod values;
pub use values::*;

pub fn fixtures() -> PathBuf {
    brine_testkit::fixtures_dir().join("numpy")
}

pub fn manifest_doc() -> Value {
    let text = std::fs::read_to_string(fixtures().join("manifest.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

pub fn manifest() -> Vec<Value> {
    manifest_doc()["entries"].as_array().unwrap().clone()
}

/// The `cases` table: case name -> {value, repr, dtype, npy_descr}.
pub fn cases() -> serde_json::Map<String, Value> {
    manifest_doc()["cases"].as_object().unwrap().clone()
}

/// The expected value of a manifest entry: its own, or its case's.
pub fn expected_value(e: &Value, cases: &serde_json::Map<String, Value>) -> Value {
    match e["case"].as_str() {
        Some(case) => cases[case]["value"].clone(),
        None => e["value"].clone(),
    }
}

//! Round trips through the real joblib, both ways: Brine loads every fixture joblib wrote (any
//! compressor, protocol, version, the legacy formats), dumps it again with every compressor and
//! several levels and protocols, and the pinned joblib (tests/python/check_numpy.py) loads what
//! Brine wrote and finds an object exactly equal to the one it loads from the fixture itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;

use brine_joblib::{detect, dump, load, to_vec, Compression, DumpOptions, Format, LoadOptions};
use common::*;
use serde_json::json;

/// Load options that keep arrays in the byte order the file stores them (the manifests' form, and
/// what joblib writes back byte for byte).
fn stored_order() -> LoadOptions {
    LoadOptions {
        ensure_native_byte_order: Some(false),
        ..LoadOptions::default()
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("brine-joblib-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const COMPRESSIONS: [&str; 12] = [
    "0", "3", "zlib:1", "zlib:9", "gzip", "gzip:6", "bz2:1", "lzma", "xz:1", "xz", "lz4", "lz4:3",
];

#[test]
fn joblib_loads_every_file_brine_writes() {
    let dir = scratch("write");
    let mut pairs = Vec::new();
    for e in manifest() {
        if e.get("error").is_some() {
            continue;
        }
        let file = e["file"].as_str().unwrap();
        let reference = fixtures().join(file);
        let loaded = load(&reference, &stored_order()).unwrap();
        // Every file with the default options; the reference object with every compressor too.
        let variants: Vec<(&str, u8, bool)> =
            if file == "data_none_0.joblib" || file == "linreg.joblib" {
                COMPRESSIONS
                    .iter()
                    .map(|c| (*c, 4, true))
                    .chain([("0", 2, true), ("0", 3, false), ("zlib:3", 5, true)])
                    .collect()
            } else {
                vec![("0", 4, true)]
            };
        for (compress, protocol, align) in variants {
            let options = DumpOptions {
                compress: Compression::parse(compress).unwrap(),
                protocol,
                align,
                ..DumpOptions::default()
            };
            let out = dir.join(format!(
                "{}.{}.p{protocol}.{align}.joblib",
                file.replace('/', "_"),
                compress.replace(':', "_")
            ));
            dump(&loaded.graph, &out, &options).unwrap();
            // Brine reads back what it wrote, to the same value.
            let back = load(&out, &stored_order())
                .unwrap_or_else(|err| panic!("{}: {err}", out.display()));
            assert_eq!(encode_root(&back.graph), e["value"], "{}", out.display());
            let method = Compression::parse(compress).unwrap().resolve(None);
            let want = method.map_or(Format::Pickle, |(m, _)| m.format());
            assert_eq!(back.format, want, "{}", out.display());
            pairs.push(json!({"brine": out, "reference": reference, "format": "joblib"}));
        }
    }
    assert!(pairs.len() >= 50, "{}", pairs.len());
    let Some(py) = brine_testkit::python() else {
        return;
    };
    let list = dir.join("pairs.json");
    std::fs::write(&list, serde_json::to_vec(&pairs).unwrap()).unwrap();
    let script = brine_testkit::workspace_root().join("tests/python/check_numpy.py");
    let out = brine_testkit::run_python_script(&py, &script, &[list.to_str().unwrap()]);
    assert_eq!(out.trim(), format!("ok {}", pairs.len()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn uncompressed_output_is_byte_identical_to_joblib() {
    // Same object, same protocol: Brine writes exactly joblib 1.6's bytes.
    for file in [
        "data_none_0.joblib",
        "linreg.joblib",
        "fortran.joblib",
        "bigendian.joblib",
        "shared.joblib",
    ] {
        let path = fixtures().join(file);
        let loaded = load(&path, &stored_order()).unwrap();
        let ours = to_vec(&loaded.graph, &DumpOptions::default()).unwrap();
        let theirs = std::fs::read(&path).unwrap();
        if ours != theirs {
            let at = ours
                .iter()
                .zip(&theirs)
                .position(|(a, b)| a != b)
                .unwrap_or(ours.len().min(theirs.len()));
            let show = |d: &[u8]| {
                format!(
                    "{:?}",
                    bytes::Bytes::copy_from_slice(
                        &d[at.saturating_sub(40)..(at + 60).min(d.len())]
                    )
                )
            };
            panic!(
                "{file}: first difference at byte {at} (lengths {} and {}):\n brine:  {}\n joblib: {}",
                ours.len(),
                theirs.len(),
                show(&ours),
                show(&theirs)
            );
        }
    }
}

#[test]
fn compressed_output_is_detected_by_content() {
    let loaded = load(fixtures().join("data_none_0.joblib"), &stored_order()).unwrap();
    for (spec, format) in [
        ("zlib:3", Format::Zlib),
        ("gzip:3", Format::Gzip),
        ("bz2:9", Format::Bz2),
        ("lzma:6", Format::Lzma),
        ("xz:6", Format::Xz),
        ("lz4", Format::Lz4),
    ] {
        let data = to_vec(
            &loaded.graph,
            &DumpOptions {
                compress: Compression::parse(spec).unwrap(),
                ..DumpOptions::default()
            },
        )
        .unwrap();
        assert_eq!(detect(&data), format, "{spec}");
    }
}

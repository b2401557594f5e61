//! Every fixture written by the real joblib (1.6.0, 1.1.1, 0.9.4, 0.8.4) loads to exactly the value
//! the manifest records; mmap gives zero-copy arrays; malformed files are clean errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use brine_joblib::{decompress, detect, load, load_bytes, Format, JoblibError, LoadOptions};
use bytes::Bytes;
use common::*;

fn format_of(name: &str) -> Format {
    match name {
        "Pickle" => Format::Pickle,
        "Zlib" => Format::Zlib,
        "Gzip" => Format::Gzip,
        "Bz2" => Format::Bz2,
        "Lzma" => Format::Lzma,
        "Xz" => Format::Xz,
        "Lz4" => Format::Lz4,
        "LegacyZfile" => Format::LegacyZfile,
        other => panic!("unknown format {other}"),
    }
}

#[test]
fn every_fixture_loads_to_its_manifest_value() {
    let mut checked = 0;
    for e in manifest() {
        if e.get("error").is_some() {
            continue;
        }
        let file = e["file"].as_str().unwrap();
        let path = fixtures().join(file);
        for mmap in [false, true] {
            // The manifest holds arrays in the byte order the file stores them.
            let options = LoadOptions {
                mmap,
                ensure_native_byte_order: Some(false),
                ..LoadOptions::default()
            };
            let loaded = load(&path, &options).unwrap_or_else(|err| panic!("{file}: {err}"));
            assert_eq!(
                loaded.format,
                format_of(e["format"].as_str().unwrap()),
                "{file}"
            );
            assert_eq!(
                encode_root(&loaded.graph),
                e["value"],
                "{file} (mmap {mmap})"
            );
            let companions = e["companions"].as_array().map_or(0, |c| c.len());
            if companions > 0 {
                // The main file is listed too; each array's companion file was read.
                assert_eq!(loaded.companions.len(), companions - 1, "{file}");
            }
        }
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} fixtures checked");
}

#[test]
fn compressed_fixtures_hold_the_uncompressed_bytes() {
    let plain = std::fs::read(fixtures().join("data_none_0.joblib")).unwrap();
    let mut n = 0;
    for e in manifest() {
        if e["payload"] != "data_none_0.joblib" {
            continue;
        }
        let data = std::fs::read(fixtures().join(e["file"].as_str().unwrap())).unwrap();
        let format = detect(&data);
        assert_eq!(format, format_of(e["format"].as_str().unwrap()));
        assert_eq!(decompress(&data[..], format, 1 << 20).unwrap(), plain);
        n += 1;
    }
    assert_eq!(n, 13);
}

#[test]
fn mmap_arrays_are_views_of_the_mapped_file() {
    let path = fixtures().join("data_none_0.joblib");
    let loaded = load(
        &path,
        &LoadOptions {
            mmap: true,
            ..LoadOptions::default()
        },
    )
    .unwrap();
    assert!(loaded.mapped);
    assert_eq!(
        loaded.buffer.len() as u64,
        std::fs::metadata(&path).unwrap().len()
    );
    let start = loaded.buffer.as_ptr() as usize;
    let end = start + loaded.buffer.len();
    let arrays = arrays(&loaded.graph);
    let raw: Vec<_> = arrays
        .iter()
        .filter_map(|a| a.raw())
        .filter(|b| !b.is_empty())
        .collect();
    assert!(raw.len() >= 10);
    for bytes in raw {
        let p = bytes.as_ptr() as usize;
        assert!(
            p >= start && p + bytes.len() <= end,
            "array data not inside the mapping"
        );
        // joblib >= 1.2 aligns array data to 16 bytes from the start of the file.
        assert_eq!((p - start) % 16, 0);
    }
}

#[test]
fn load_bytes_is_zero_copy_for_uncompressed_data() {
    let data = Bytes::from(std::fs::read(fixtures().join("bigendian.joblib")).unwrap());
    let options = LoadOptions {
        ensure_native_byte_order: Some(false),
        ..LoadOptions::default()
    };
    let loaded = load_bytes(data.clone(), &options).unwrap();
    assert_eq!(
        encode_root(&loaded.graph),
        entry("bigendian.joblib")["value"]
    );
    let range = data.as_ptr() as usize..data.as_ptr() as usize + data.len();
    for a in arrays(&loaded.graph) {
        assert!(range.contains(&(a.raw().unwrap().as_ptr() as usize)));
    }
}

#[test]
fn legacy_multi_file_needs_its_folder() {
    let data = Bytes::from(std::fs::read(fixtures().join("legacy/legacy094_multi.pkl")).unwrap());
    let err = load_bytes(data, &LoadOptions::default()).unwrap_err();
    assert!(matches!(err, JoblibError::Legacy(_)), "{err}");
    assert!(err.to_string().contains("companion"), "{err}");
}

#[test]
fn truncated_files_are_clean_errors() {
    for e in manifest() {
        if e["error"] != "truncated" {
            continue;
        }
        let file = e["file"].as_str().unwrap();
        let err = load(fixtures().join(file), &LoadOptions::default()).unwrap_err();
        let ok = match &err {
            JoblibError::Truncated { .. } => true,
            JoblibError::Corrupt { .. } => file.contains("bz2") || file.contains("lz4"),
            JoblibError::Pickle(p) => p.is_eof(),
            _ => false,
        };
        assert!(ok, "{file}: unexpected error {err:?}");
    }
}

#[test]
fn decompression_bombs_stop_at_the_limit() {
    for e in manifest() {
        if e["error"] != "bomb" {
            continue;
        }
        let file = e["file"].as_str().unwrap();
        let options = LoadOptions {
            max_decompressed: 1 << 20,
            ..LoadOptions::default()
        };
        let err = load(fixtures().join(file), &options).unwrap_err();
        assert!(
            matches!(err, JoblibError::TooLarge { limit, .. } if limit == 1 << 20),
            "{file}: {err:?}"
        );
        assert!(err.to_string().contains("decompression bomb"));
        // With room enough, the data decompresses fully and then fails as the non-pickle it is.
        let options = LoadOptions {
            max_decompressed: 128 << 20,
            ..LoadOptions::default()
        };
        let err = load(fixtures().join(file), &options).unwrap_err();
        assert!(matches!(err, JoblibError::Pickle(_)), "{file}: {err:?}");
    }
}

#[test]
fn zfile_with_a_wrong_length_is_rejected() {
    let err = load(
        fixtures().join("malformed/zfile_bad_length.pkl"),
        &LoadOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, JoblibError::Legacy(_)), "{err:?}");
}

#[test]
fn numpy_files_are_refused_by_load_but_opened_by_open_any() {
    let dir = fixtures().join("legacy");
    let npy = dir.join("legacy094_multi.pkl_01.npy");
    assert!(matches!(
        load(&npy, &LoadOptions::default()),
        Err(JoblibError::Unsupported(_))
    ));
    let opened = brine_joblib::open_any(&npy, &LoadOptions::default()).unwrap();
    assert_eq!(opened.format, Format::Npy);
    assert_eq!(arrays(&opened.graph).len(), 1);
    let model =
        brine_joblib::open_any(fixtures().join("linreg_xz.joblib"), &LoadOptions::default())
            .unwrap();
    assert_eq!(model.format, Format::Xz);
    assert_eq!(
        encode_root(&model.graph),
        entry("linreg_xz.joblib")["value"]
    );
}

#[test]
fn arrays_come_back_in_native_byte_order_unless_mapped_as_joblib_load_does() {
    let path = fixtures().join("bigendian.joblib");
    let kept = load(
        &path,
        &LoadOptions {
            ensure_native_byte_order: Some(false),
            ..LoadOptions::default()
        },
    )
    .unwrap();
    let stored = arrays(&kept.graph);
    assert!(stored.iter().any(|a| !a.dtype.is_native()));
    // joblib.load(path): ensure_native_byte_order='auto' swaps when not memory-mapping.
    let native = arrays(&load(&path, &LoadOptions::default()).unwrap().graph);
    assert_eq!(native.len(), stored.len());
    for (n, s) in native.iter().zip(&stored) {
        assert!(n.dtype.is_native(), "{}", n.dtype);
        assert_eq!(*n, s.to_native().unwrap());
    }
    // joblib.load(path, mmap_mode='r') keeps the file's byte order.
    let mapped = load(
        &path,
        &LoadOptions {
            mmap: true,
            ..LoadOptions::default()
        },
    )
    .unwrap();
    assert_eq!(arrays(&mapped.graph), stored);
}

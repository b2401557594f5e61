//! Hostile and broken joblib files: wrappers whose shape, dtype, order or byte count disagree with
//! the data, every truncation, random corruption, decompression bombs of every compressor. Each is
//! an error value (never a panic), and memory stays bounded by the input and the limit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use brine_joblib::{
    compress_bytes, load_bytes, to_vec, DumpOptions, JoblibError, LoadOptions, Method,
};
use brine_numpy::NdArray;
use brine_pickle::Graph;
use bytes::Bytes;

/// A protocol 2 joblib file (no frames, so bytes can be patched in place) holding
/// `{'a': arange(4) as <i8, 'o': ['x', 'y'] as an object array, 'f': [0.5, 1.5] as <f4}`.
fn sample(align: bool) -> Vec<u8> {
    let mut g = Graph::new();
    let a = NdArray::from_vec(vec![4], vec![0i64, 1, 2, 3])
        .unwrap()
        .to_node(&mut g)
        .unwrap();
    let items = vec![g.str("x"), g.str("y")];
    let o = NdArray::from_objects(vec![2], items)
        .unwrap()
        .to_node(&mut g)
        .unwrap();
    let f = NdArray::from_vec(vec![2], vec![0.5f32, 1.5])
        .unwrap()
        .to_node(&mut g)
        .unwrap();
    let (ka, ko, kf) = (g.str("a"), g.str("o"), g.str("f"));
    let root = g.dict(vec![(ka, a), (ko, o), (kf, f)]);
    g.set_root(root);
    to_vec(
        &g,
        &DumpOptions {
            protocol: 2,
            align,
            ..DumpOptions::default()
        },
    )
    .unwrap()
}

fn replace_once(data: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = data
        .windows(from.len())
        .position(|w| w == from)
        .unwrap_or_else(|| panic!("{from:?} not found"));
    let mut out = data[..at].to_vec();
    out.extend_from_slice(to);
    out.extend_from_slice(&data[at + from.len()..]);
    out
}

fn load(data: Vec<u8>) -> Result<brine_joblib::Loaded, JoblibError> {
    load_bytes(Bytes::from(data), &LoadOptions::default())
}

#[test]
fn the_sample_loads() {
    for align in [true, false] {
        let loaded = load(sample(align)).unwrap();
        assert_eq!(loaded.arrays, 3);
    }
}

#[test]
fn wrapper_shape_disagreeing_with_the_data_is_an_error() {
    for align in [true, false] {
        let good = sample(align);
        // (4,) -> (5,): the array would swallow 8 bytes of the next opcodes.
        let bad = replace_once(&good, b"K\x04\x85", b"K\x05\x85");
        assert!(load(bad).is_err());
        // (4,) -> (2**40,): far more bytes than the file holds; no allocation of that size.
        let bad = replace_once(&good, b"K\x04\x85", b"\x8a\x06\x00\x00\x00\x00\x00\x01\x85");
        let err = load(bad).unwrap_err();
        assert!(
            err.to_string().contains("offset")
                || matches!(err, JoblibError::Truncated { .. } | JoblibError::Pickle(_)),
            "{err}"
        );
        // (4,) -> (2**62, 2**62): the byte count overflows.
        let huge =
            b"\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x40\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x40\x86";
        let err = load(replace_once(&good, b"K\x04\x85", huge)).unwrap_err();
        assert!(err.to_string().contains("overflow"), "{err}");
        // A negative dimension.
        let err = load(replace_once(&good, b"K\x04\x85", b"J\xff\xff\xff\xff\x85")).unwrap_err();
        assert!(err.to_string().contains("shape"), "{err}");
        // The object array's wrapper says 3 elements, its nested pickle holds 2.
        let bad = replace_once(&good, b"K\x02\x85", b"K\x03\x85");
        assert!(load(bad).is_err());
    }
}

#[test]
fn wrapper_dtype_disagreeing_with_the_data_is_an_error() {
    for align in [true, false] {
        let good = sample(align);
        // '<i8' -> '<i4': half the bytes are left over and read as opcodes.
        let bad = replace_once(&good, b"X\x02\x00\x00\x00i8", b"X\x02\x00\x00\x00i4");
        assert!(load(bad).is_err());
        // '<i8' -> '<c16': twice the bytes; eats the next opcodes, then fails.
        let bad = replace_once(&good, b"X\x02\x00\x00\x00i8", b"X\x03\x00\x00\x00c16");
        assert!(load(bad).is_err());
        // Not a dtype at all.
        let bad = replace_once(&good, b"X\x02\x00\x00\x00i8", b"X\x02\x00\x00\x00q9");
        let err = load(bad).unwrap_err();
        assert!(err.to_string().contains("dtype"), "{err}");
        // An order that is neither 'C' nor 'F'.
        let bad = replace_once(&good, b"X\x01\x00\x00\x00C", b"X\x01\x00\x00\x00Z");
        let err = load(bad).unwrap_err();
        assert!(err.to_string().contains("order"), "{err}");
    }
}

#[test]
fn every_truncation_is_an_error() {
    for data in [sample(true), sample(false)] {
        for len in 0..data.len() {
            assert!(
                load(data[..len].to_vec()).is_err(),
                "prefix of {len} bytes loaded"
            );
        }
    }
    let packed = compress_bytes(&sample(true), Method::Zlib, 3).unwrap();
    for len in 0..packed.len() {
        assert!(
            load(packed[..len].to_vec()).is_err(),
            "zlib prefix of {len} bytes loaded"
        );
    }
}

#[test]
fn random_corruption_never_panics() {
    let fixtures = common::fixtures();
    let mut inputs = vec![sample(true), sample(false)];
    for f in [
        "data_none_0.joblib",
        "data_zlib_3.joblib",
        "data_lz4_default.joblib",
        "data_bz2_1.joblib",
        "linreg.joblib",
    ] {
        inputs.push(std::fs::read(fixtures.join(f)).unwrap());
    }
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let options = LoadOptions {
        max_decompressed: 1 << 20,
        ..LoadOptions::default()
    };
    for data in &inputs {
        for _ in 0..300 {
            let mut d = data.clone();
            for _ in 0..1 + next() % 4 {
                let i = (next() % d.len() as u64) as usize;
                d[i] = next() as u8;
            }
            let _ = load_bytes(Bytes::from(d), &options);
        }
    }
}

#[test]
fn bombs_of_every_compressor_stop_at_the_limit() {
    let zeros = {
        let mut v = b"\x80\x04".to_vec();
        v.resize(8 << 20, 0);
        v
    };
    for method in [
        Method::Zlib,
        Method::Gzip,
        Method::Bz2,
        Method::Lzma,
        Method::Xz,
        Method::Lz4,
    ] {
        let packed = compress_bytes(&zeros, method, 9).unwrap();
        assert!(packed.len() < 2 << 20, "{method}: {}", packed.len());
        let options = LoadOptions {
            max_decompressed: 1 << 20,
            ..LoadOptions::default()
        };
        let err = load_bytes(Bytes::from(packed), &options).unwrap_err();
        assert!(
            matches!(err, JoblibError::TooLarge { .. }),
            "{method}: {err:?}"
        );
        assert!(err.to_string().contains("decompression bomb"), "{err}");
    }
}

//! The `brine` binary on pickles: `show`, `dis` and `convert`, their output and exit codes (0 ok,
//! 1 invalid input with a one-line message naming the byte offset and opcode, 2 usage or I/O),
//! stdin/stdout as `-`, and bounded work on hostile input. Never a panic exit or a signal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

use common::{brine, brine_stdin, code, path, text, Scratch};

fn fixture(rel: &str) -> PathBuf {
    brine_testkit::fixtures_dir().join("pickle").join(rel)
}

const REFERENCE: &str = "{'a': [1, 2.0, 3, (4+6j)], 'b': ('character string', b'byte string'), \
                         'c': {False, True, None}}\n";

/// The one-line error on stderr for invalid input.
fn assert_invalid(out: &Output, what: &str) {
    assert_eq!(code(out), 1, "{what}: {}", text(&out.stderr));
    let err = text(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{what}: {err}");
    assert!(err.contains("at byte"), "{what}: {err}");
}

#[test]
fn show_prints_pythons_repr_at_every_protocol() {
    for p in 0..=5 {
        let f = fixture(&format!("plain/reference_dict.p{p}.pickle"));
        let out = brine(&["show", path(&f)]);
        assert_eq!(code(&out), 0, "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), REFERENCE);
    }
}

#[test]
fn show_reads_stdin_and_prints_json() {
    let data = std::fs::read(fixture("plain/reference_dict.p2.pickle")).unwrap();
    let out = brine_stdin(&["show", "-"], &data);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), REFERENCE);

    let out = brine_stdin(&["show", "--json", "-"], &data);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.is_object(), "{v}");
}

#[test]
fn invalid_pickles_exit_1_with_offset_and_opcode() {
    let scratch = Scratch::new("invalid");
    let cases: &[(&[u8], &str)] = &[
        (b"\x80\x02K", "BININT1"),
        (b"\x80\x02h\x05.", "BINGET"),
        (b"\x80\x02N0a.", "APPEND"),
        (
            b"\x80\x02\x8e\x00\x00\x00\x00\x00\x00\x00\x10abc.",
            "BINBYTES8",
        ),
        (b"\x80\x05\x97.", "NEXT_BUFFER"),
    ];
    for (i, (data, op)) in cases.iter().enumerate() {
        let f = scratch.file(&format!("{i}.pickle"), data);
        // `dis` only checks structure (like pickletools), and NEXT_BUFFER is fine there.
        let cmds: &[&str] = if *op == "NEXT_BUFFER" {
            &["show"]
        } else {
            &["show", "dis"]
        };
        for &cmd in cmds {
            let out = brine(&[cmd, path(&f)]);
            assert_invalid(&out, &format!("{cmd} {data:?}"));
            assert!(
                text(&out.stderr).contains(op),
                "{cmd}: {}",
                text(&out.stderr)
            );
        }
        let out = brine(&["convert", path(&f), path(&scratch.0.join("out.pickle"))]);
        assert_invalid(&out, &format!("convert {data:?}"));
    }
    // Empty input, from stdin too.
    assert_invalid(&brine_stdin(&["show", "-"], b""), "empty stdin");
    // The malformed corpus: exit 1 (never a crash) for every file.
    let dir = fixture("malformed");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        let out = brine(&["show", path(&p)]);
        assert_invalid(&out, &p.display().to_string());
        n += 1;
    }
    assert!(n > 100);
}

#[test]
fn dis_lists_opcodes_and_stops_at_the_error() {
    let out = brine(&["dis", path(&fixture("plain/reference_dict.p2.pickle"))]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    assert!(listing.contains("PROTO      2"), "{listing}");
    assert!(listing.contains("STOP"), "{listing}");
    assert!(listing.contains("MARK"), "{listing}");

    // A truncated pickle: the opcodes before the error are listed, then the error.
    let data = b"\x80\x02]q\x00(K\x01K";
    let out = brine_stdin(&["dis", "-"], data);
    assert_invalid(&out, "dis truncated");
    let listing = text(&out.stdout);
    assert!(listing.contains("EMPTY_LIST"), "{listing}");
    assert!(listing.contains("BININT1"), "{listing}");
}

#[test]
fn convert_rewrites_at_every_protocol() {
    let scratch = Scratch::new("convert");
    let input = fixture("plain/reference_dict.p0.pickle");
    for p in 0..=5 {
        let out_path = scratch.0.join(format!("out{p}.pickle"));
        let out = brine(&[
            "convert",
            path(&input),
            path(&out_path),
            "--protocol",
            &p.to_string(),
        ]);
        assert_eq!(code(&out), 0, "{}", text(&out.stderr));
        let written = std::fs::read(&out_path).unwrap();
        if p >= 2 {
            assert_eq!(written[..2], [0x80, p as u8]);
        }
        let shown = brine(&["show", path(&out_path)]);
        assert_eq!(text(&shown.stdout), REFERENCE);
        // Plain data: CPython's exact bytes.
        let want = std::fs::read(fixture(&format!("plain/reference_dict.p{p}.pickle"))).unwrap();
        assert_eq!(written, want, "protocol {p}");
    }
    // stdin to stdout.
    let data = std::fs::read(&input).unwrap();
    let out = brine_stdin(&["convert", "-", "-", "--protocol", "2"], &data);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(
        out.stdout,
        std::fs::read(fixture("plain/reference_dict.p2.pickle")).unwrap()
    );
}

#[test]
fn usage_and_io_errors_exit_2() {
    let missing = "/nonexistent/brine/missing.pickle";
    for args in [
        &["show", missing][..],
        &["dis", missing],
        &["convert", missing, "/tmp/x.pickle"],
        &["show"],
        &["frobnicate"],
        &["show", "--no-such-flag", "x"],
        &["convert", "a.pickle", "b.pickle", "--protocol", "6"],
    ] {
        let out = brine(args);
        assert_eq!(code(&out), 2, "{args:?}: {}", text(&out.stderr));
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
    // An output that cannot be written.
    let input = fixture("plain/reference_dict.p2.pickle");
    let out = brine(&["convert", path(&input), "/nonexistent/dir/out.pickle"]);
    assert_eq!(code(&out), 2, "{}", text(&out.stderr));
    // --help and --version succeed.
    assert_eq!(code(&brine(&["--help"])), 0);
    assert_eq!(code(&brine(&["--version"])), 0);
}

#[test]
fn memo_bomb_shows_fast_with_bounded_output() {
    // l0 = []; l(i) = [l(i-1), l(i-1)]: 2^100 leaves, 101 nodes.
    let mut data = b"\x80\x02]q\x000".to_vec();
    for i in 1..=100u8 {
        data.extend_from_slice(&[b'(', b'h', i - 1, b'h', i - 1, b'l', b'q', i, b'0']);
    }
    data.extend_from_slice(b"h\x64.");
    let scratch = Scratch::new("bomb");
    let f = scratch.file("bomb.pickle", &data);
    for args in [
        &["show", path(&f)][..],
        &["show", "--json", path(&f)],
        &["dis", path(&f)],
    ] {
        let start = Instant::now();
        let out = brine(args);
        let took = start.elapsed();
        assert_eq!(code(&out), 0, "{args:?}: {}", text(&out.stderr));
        assert!(took < Duration::from_secs(5), "{args:?} took {took:?}");
        assert!(
            out.stdout.len() < 1_100_000,
            "{args:?}: {} bytes",
            out.stdout.len()
        );
    }
    let out = brine(&["show", path(&f)]);
    assert!(text(&out.stdout).contains("truncated"));
    let out = brine(&["convert", path(&f), path(&scratch.0.join("out.pickle"))]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(
        std::fs::metadata(scratch.0.join("out.pickle"))
            .unwrap()
            .len()
            < 4096
    );
}

#[test]
fn deep_nesting_is_no_crash() {
    // 10^6 nested lists.
    let n = 1_000_000;
    let mut data = b"\x80\x02".to_vec();
    data.extend(std::iter::repeat(b']').take(n));
    data.extend(std::iter::repeat(b'a').take(n - 1));
    data.push(b'.');
    let scratch = Scratch::new("deep");
    let f = scratch.file("deep.pickle", &data);
    let out = brine(&["show", path(&f)]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("[[[[[["));
    let out = brine(&["convert", path(&f), path(&scratch.0.join("o.pickle"))]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    // Unclosed: 10^6 marks, then STOP.
    let mut data = b"\x80\x02".to_vec();
    data.extend(std::iter::repeat(b'(').take(n));
    data.push(b'.');
    let f = scratch.file("marks.pickle", &data);
    assert_invalid(&brine(&["show", path(&f)]), "10^6 marks");
}

#[test]
fn python_loads_what_convert_writes() {
    let Some(python) = brine_testkit::python() else {
        return;
    };
    let scratch = Scratch::new("python");
    let input = fixture("plain/reference_dict.p5.pickle");
    for p in 0..=5 {
        let out_path = scratch.0.join(format!("out{p}.pickle"));
        let out = brine(&[
            "convert",
            path(&input),
            path(&out_path),
            "-p",
            &p.to_string(),
        ]);
        assert_eq!(code(&out), 0, "{}", text(&out.stderr));
        let got = brine_testkit::run_python(
            &python,
            "import pickle, sys; print(repr(pickle.load(open(sys.argv[1], 'rb'))))",
            &[path(&out_path)],
        );
        assert_eq!(got, REFERENCE, "protocol {p}");
    }
}

//! Shared helpers for the writer's interop tests (included with `#[path]`, not a test target of
//! its own... but cargo builds every file in tests/, so it also runs its own small self-check).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs tests/python/write_cases.py in `mode` with `input` on stdin; returns its stdout lines.
pub fn run_cases(python: &Path, mode: &str, input: &str) -> Vec<String> {
    let script = brine_testkit::workspace_root().join("tests/python/write_cases.py");
    let mut child = Command::new(python)
        .arg(&script)
        .arg(mode)
        .current_dir(brine_testkit::workspace_root().join("tests/python"))
        .env(
            "PYTHONPATH",
            brine_testkit::workspace_root().join("tests/python"),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn python");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_owned();
    let feeder = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    assert!(
        out.status.success(),
        "write_cases.py {mode} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// CPython's `pickle.dumps(eval(expr), protocol=p)` for each expression and p = 0..5.
pub fn cpython_dumps(python: &Path, exprs: &[&str]) -> Vec<Vec<Vec<u8>>> {
    for e in exprs {
        assert!(!e.contains('\n'), "one-line expressions only: {e}");
    }
    let lines = run_cases(python, "dumps", &exprs.join("\n"));
    assert_eq!(lines.len(), exprs.len());
    lines
        .iter()
        .map(|l| l.split(' ').map(unhex).collect())
        .collect()
}

pub fn unhex(h: &str) -> Vec<u8> {
    (0..h.len() / 2)
        .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The first differing offset of two byte strings, with some context, for failure messages.
pub fn first_diff(a: &[u8], b: &[u8]) -> String {
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let lo = at.saturating_sub(16);
    format!(
        "lengths {} vs {}, first difference at byte {at}:\n ours   {}\n python {}",
        a.len(),
        b.len(),
        hex(&a[lo..(at + 24).min(a.len())]),
        hex(&b[lo..(at + 24).min(b.len())])
    )
}

#[test]
fn hex_round_trip() {
    assert_eq!(unhex(&hex(&[0, 1, 0xfe, 0xff])), vec![0, 1, 0xfe, 0xff]);
    assert!(first_diff(b"abc", b"abd").contains("byte 2"));
}

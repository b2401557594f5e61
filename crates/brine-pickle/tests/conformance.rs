//! Conformance of brine-pickle with CPython, driven by `tests/fixtures/pickle/manifest.json`.
//!
//! The fixtures and their expected values come from `tests/fixtures/generate.py` (section
//! `pickle`), which records, for each file, CPython's `repr()` of what it loads to, whether the file
//! is exactly `pickle.dumps(value, protocol)` of plain data (`exact`), and the protocols at which
//! CPython itself can write the value again faithfully (`write_protocols`). Every test collects all
//! failing fixtures and reports them in one assertion message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use brine_pickle::read::{Py2Str, ReadOptions, Reader};
use brine_pickle::{to_vec, Graph, WriteOptions};
use bytes::Bytes;
use serde_json::Value;

/// One manifest entry.
struct Entry {
    file: String,
    kind: String,
    repr: Option<String>,
    repr_fnv64: Option<String>,
    repr_len: Option<usize>,
    exact: bool,
    protocol: Option<u8>,
    options: Value,
    write_protocols: Vec<u8>,
    cpython_error: Option<String>,
    data: Vec<u8>,
}

impl Entry {
    fn is_malformed(&self) -> bool {
        self.kind == "malformed"
    }

    /// How many pickles the file holds back to back.
    fn count(&self) -> usize {
        self.options
            .get("count")
            .and_then(Value::as_u64)
            .map_or(1, |n| n as usize)
    }

    /// Reader options equivalent to the `pickle.Unpickler` arguments the generator used.
    fn read_options(&self) -> ReadOptions {
        let mut opts = ReadOptions::new();
        match self.options.get("encoding").and_then(Value::as_str) {
            None | Some("ASCII") | Some("ascii") => {}
            Some("latin1") | Some("latin-1") => opts = opts.py2_str(Py2Str::Latin1),
            Some("bytes") => opts = opts.py2_str(Py2Str::Bytes),
            Some("utf-8") | Some("utf8") => opts = opts.py2_str(Py2Str::Utf8),
            Some(other) => panic!("{}: unknown encoding {other} in the manifest", self.file),
        }
        if let Some(bufs) = self.options.get("buffers").and_then(Value::as_array) {
            let bufs = bufs
                .iter()
                .map(|h| Bytes::from(hex_decode(h.as_str().unwrap())))
                .collect();
            opts = opts.buffers(bufs);
        }
        opts
    }
}

fn pickle_dir() -> PathBuf {
    brine_testkit::fixtures_dir().join("pickle")
}

fn manifest() -> Vec<Entry> {
    let dir = pickle_dir();
    let text = std::fs::read_to_string(dir.join("manifest.json"))
        .expect("tests/fixtures/pickle/manifest.json (run tests/fixtures/generate.py)");
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let file = e["file"].as_str().unwrap().to_string();
            let data = std::fs::read(dir.join(&file)).unwrap_or_else(|err| panic!("{file}: {err}"));
            Entry {
                kind: e["kind"].as_str().unwrap().to_string(),
                repr: e["repr"].as_str().map(str::to_string),
                repr_fnv64: e
                    .get("repr_fnv64")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                repr_len: e
                    .get("repr_len")
                    .and_then(Value::as_u64)
                    .map(|n| n as usize),
                exact: e["exact"].as_bool().unwrap(),
                protocol: e["protocol"].as_u64().map(|p| p as u8),
                options: e["options"].clone(),
                write_protocols: e
                    .get("write_protocols")
                    .and_then(Value::as_array)
                    .map(|ps| ps.iter().map(|p| p.as_u64().unwrap() as u8).collect())
                    .unwrap_or_default(),
                cpython_error: e
                    .get("cpython_error")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                file,
                data,
            }
        })
        .collect()
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// FNV-1a 64, as the generator computes it for long reprs.
fn fnv1a64(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Reads the entry's pickles (one, or `count` back to back) from `data`; the input must be used
/// up exactly. A panic inside the reader is turned into an error message.
fn decode(entry: &Entry, data: &[u8]) -> Result<Vec<Graph>, String> {
    let run = || -> Result<Vec<Graph>, String> {
        let mut reader = Reader::new(data).with_options(entry.read_options());
        let mut graphs = Vec::new();
        for _ in 0..entry.count() {
            graphs.push(reader.read_pickle().map_err(|e| e.to_string())?);
        }
        if !reader.is_at_end() {
            return Err(format!(
                "stopped at byte {} of {}",
                reader.position(),
                data.len()
            ));
        }
        Ok(graphs)
    };
    match catch_unwind(AssertUnwindSafe(run)) {
        Ok(result) => result,
        Err(panic) => Err(format!("PANIC: {}", panic_message(&panic))),
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic)".to_string()
    }
}

/// Brine's repr of what the entry decodes to, in the generator's form.
fn brine_repr(graphs: &[Graph]) -> String {
    let one = |g: &Graph| brine_pickle::repr::repr(g, g.root().unwrap());
    if graphs.len() == 1 {
        one(&graphs[0])
    } else {
        let parts: Vec<String> = graphs.iter().map(one).collect();
        format!("[{}]", parts.join(", "))
    }
}

/// Writes every graph at `protocol`, concatenated; a panic becomes an error message.
fn encode(graphs: &[Graph], protocol: u8) -> Result<Vec<u8>, String> {
    let run = || -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        for g in graphs {
            out.extend(to_vec(g, &WriteOptions::protocol(protocol)).map_err(|e| e.to_string())?);
        }
        Ok(out)
    };
    match catch_unwind(AssertUnwindSafe(run)) {
        Ok(result) => result,
        Err(panic) => Err(format!("PANIC: {}", panic_message(&panic))),
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.len() <= n {
        return s.to_string();
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &s[..end], s.len())
}

/// Fails with every collected problem, `what` naming the check.
fn report(what: &str, checked: usize, failures: Vec<String>) {
    if failures.is_empty() {
        return;
    }
    let mut msg = format!("{what}: {} of {checked} fixtures failed:\n", failures.len());
    for f in failures.iter().take(300) {
        let _ = writeln!(msg, "  {f}");
    }
    if failures.len() > 300 {
        let _ = writeln!(msg, "  ... and {} more", failures.len() - 300);
    }
    panic!("{msg}");
}

#[test]
fn manifest_covers_every_file() {
    let entries = manifest();
    let dir = pickle_dir();
    let listed: HashSet<&str> = entries.iter().map(|e| e.file.as_str()).collect();
    assert_eq!(listed.len(), entries.len(), "duplicate manifest entries");
    let mut on_disk = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for item in std::fs::read_dir(&d).unwrap() {
            let path = item.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().unwrap() != "manifest.json" {
                on_disk.push(
                    path.strip_prefix(&dir)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let unlisted: Vec<&String> = on_disk
        .iter()
        .filter(|f| !listed.contains(f.as_str()))
        .collect();
    assert!(
        unlisted.is_empty(),
        "fixtures missing from the manifest: {unlisted:?}"
    );
    assert_eq!(on_disk.len(), entries.len());
    // The corpus keeps its breadth: every kind is there, at every protocol for plain data.
    for kind in ["plain", "instance", "global", "hand", "py2", "malformed"] {
        assert!(entries.iter().any(|e| e.kind == kind), "no {kind} fixtures");
    }
    for p in 0..=5u8 {
        assert!(
            entries
                .iter()
                .filter(|e| e.kind == "plain" && e.protocol == Some(p))
                .count()
                > 50,
            "too few plain fixtures at protocol {p}"
        );
    }
    assert!(entries.iter().filter(|e| e.is_malformed()).count() > 150);
}

#[test]
fn every_fixture_decodes_to_cpythons_repr() {
    let entries = manifest();
    let mut failures = Vec::new();
    let mut checked = 0;
    for e in entries.iter().filter(|e| !e.is_malformed()) {
        checked += 1;
        let graphs = match decode(e, &e.data) {
            Ok(g) => g,
            Err(err) => {
                failures.push(format!("{}: decode failed: {err}", e.file));
                continue;
            }
        };
        let repr = || catch_unwind(AssertUnwindSafe(|| brine_repr(&graphs)));
        if let Some(want) = &e.repr {
            match repr() {
                Ok(got) if &got == want => {}
                Ok(got) => failures.push(format!(
                    "{}: repr\n      got  {}\n      want {}",
                    e.file,
                    clip(&got, 300),
                    clip(want, 300)
                )),
                Err(p) => failures.push(format!("{}: repr PANIC: {}", e.file, panic_message(&p))),
            }
        } else if let (Some(digest), Some(len)) = (&e.repr_fnv64, e.repr_len) {
            match repr() {
                Ok(got) => {
                    let got_digest = format!("{:016x}", fnv1a64(got.as_bytes()));
                    if &got_digest != digest || got.len() != len {
                        failures.push(format!(
                            "{}: long repr differs ({} bytes, want {len}): starts {}",
                            e.file,
                            got.len(),
                            clip(&got, 200)
                        ));
                    }
                }
                Err(p) => failures.push(format!("{}: repr PANIC: {}", e.file, panic_message(&p))),
            }
        }
    }
    report("decode + repr", checked, failures);
}

#[test]
fn exact_fixtures_reencode_to_cpythons_bytes() {
    let entries = manifest();
    let mut failures = Vec::new();
    let mut checked = 0;
    for e in entries.iter().filter(|e| e.exact) {
        checked += 1;
        let protocol = e.protocol.expect("exact fixtures have a protocol");
        let graphs = match decode(e, &e.data) {
            Ok(g) => g,
            Err(err) => {
                failures.push(format!("{}: decode failed: {err}", e.file));
                continue;
            }
        };
        match encode(&graphs, protocol) {
            Ok(bytes) if bytes == e.data => {}
            Ok(bytes) => {
                let at = bytes
                    .iter()
                    .zip(&e.data)
                    .position(|(a, b)| a != b)
                    .unwrap_or(bytes.len().min(e.data.len()));
                let window = |d: &[u8]| {
                    let lo = at.saturating_sub(8);
                    let hi = (at + 16).min(d.len());
                    format!("{:02x?}", &d[lo.min(hi)..hi])
                };
                failures.push(format!(
                    "{}: bytes differ at offset {at} (len {} vs {}): got {} want {}",
                    e.file,
                    bytes.len(),
                    e.data.len(),
                    window(&bytes),
                    window(&e.data)
                ));
            }
            Err(err) => failures.push(format!("{}: write failed: {err}", e.file)),
        }
    }
    report("exact re-encoding", checked, failures);
}

#[test]
fn malformed_fixtures_are_errors() {
    let entries = manifest();
    let mut failures = Vec::new();
    let mut checked = 0;
    for e in entries.iter().filter(|e| e.is_malformed()) {
        checked += 1;
        match decode(e, &e.data) {
            Err(err) if err.starts_with("PANIC") => failures.push(format!("{}: {err}", e.file)),
            Err(_) => {}
            Ok(g) => failures.push(format!(
                "{}: accepted ({}), CPython says {}",
                e.file,
                clip(&brine_repr(&g), 80),
                e.cpython_error.as_deref().unwrap_or("error")
            )),
        }
    }
    report("malformed input", checked, failures);
}

/// The prefix lengths to try: all of them for small files, both ends and a spread for bigger ones
/// (a decode of a prefix costs its length, and the suite must stay fast on 2 cores in debug).
fn prefix_lengths(len: usize) -> Vec<usize> {
    let (ends, spread) = match len {
        0..=512 => return (0..len).collect(),
        513..=16384 => (64, 64),
        _ => (8, 16),
    };
    let mut out: Vec<usize> = (0..ends).chain(len - ends..len).collect();
    out.extend((1..spread).map(|i| i * len / spread));
    out.sort_unstable();
    out.dedup();
    out
}

#[test]
fn every_strict_prefix_is_an_error() {
    let entries = manifest();
    let mut failures = Vec::new();
    let mut checked = 0;
    for e in entries.iter().filter(|e| !e.is_malformed()) {
        checked += 1;
        let mut bad = Vec::new();
        for n in prefix_lengths(e.data.len()) {
            match decode(e, &e.data[..n]) {
                Err(err) if err.starts_with("PANIC") => bad.push(format!("{n}: {err}")),
                Err(_) => {}
                Ok(_) => bad.push(format!("{n}: accepted")),
            }
            if bad.len() >= 3 {
                break;
            }
        }
        if !bad.is_empty() {
            failures.push(format!(
                "{} (len {}): prefixes {}",
                e.file,
                e.data.len(),
                bad.join("; ")
            ));
        }
    }
    report("strict prefixes", checked, failures);
}

/// Removes the scratch folder even when the test fails.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn cpython_loads_what_brine_writes_at_every_protocol() {
    let Some(python) = brine_testkit::python() else {
        return;
    };
    let entries = manifest();
    let scratch = Scratch(std::env::temp_dir().join(format!(
        "brine-conformance-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    )));
    std::fs::create_dir_all(&scratch.0).unwrap();
    let dir = pickle_dir();
    let mut failures = Vec::new();
    let mut jobs = Vec::new();
    let mut checked = 0;
    for (i, e) in entries.iter().filter(|e| !e.is_malformed()).enumerate() {
        checked += 1;
        let graphs = match decode(e, &e.data) {
            Ok(g) => g,
            Err(err) => {
                failures.push(format!("{}: decode failed: {err}", e.file));
                continue;
            }
        };
        for p in 0..=5u8 {
            match encode(&graphs, p) {
                Ok(bytes) => {
                    let candidate = scratch.0.join(format!("{i}.p{p}.pickle"));
                    std::fs::write(&candidate, bytes).unwrap();
                    jobs.push(serde_json::json!({
                        "id": format!("{} written at protocol {p}", e.file),
                        "original": path_str(&dir.join(&e.file)),
                        "candidate": path_str(&candidate),
                        "options": e.options,
                    }));
                }
                // A protocol at which CPython itself cannot write this value may be refused.
                Err(err) if err.starts_with("PANIC") || e.write_protocols.contains(&p) => {
                    failures.push(format!("{}: cannot write at protocol {p}: {err}", e.file))
                }
                Err(_) => {}
            }
        }
    }
    let job_file = scratch.0.join("jobs.json");
    std::fs::write(&job_file, serde_json::json!({ "jobs": jobs }).to_string()).unwrap();
    let script = brine_testkit::workspace_root().join("tests/python/check_pickle.py");
    let out = brine_testkit::run_python_script(&python, &script, &[&path_str(&job_file)]);
    let mut seen = 0;
    for line in out.lines().filter(|l| !l.trim().is_empty()) {
        let result: Value = serde_json::from_str(line).unwrap();
        seen += 1;
        if result["ok"] != Value::Bool(true) {
            failures.push(format!(
                "{}: {}",
                result["id"].as_str().unwrap_or("?"),
                clip(result["detail"].as_str().unwrap_or(""), 400)
            ));
        }
    }
    assert_eq!(
        seen,
        jobs.len(),
        "check_pickle.py answered {seen} of {} jobs",
        jobs.len()
    );
    report("CPython loads Brine's output", checked, failures);
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

//! `repr()` text and `pickletools.dis` listings compared with the pinned CPython.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use brine_pickle::dis::{dis, DisOptions};
use brine_pickle::repr::{bytes_repr, complex_repr, float_repr, is_printable, repr, str_repr};
use brine_pickle::{Graph, Node, PyStr};
use brine_testkit::{fixtures_dir, python, run_python};

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn float_and_complex_repr_match_python() {
    let Some(py) = python() else { return };
    let code = r#"
import random, struct
random.seed(7)
vals = [0.0, -0.0, 1.0, 0.1, 1e16, 1e15, 9999999999999998.0, 1e-5, 1e-4, 0.0001, 123456789012345678.0,
        5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, float('inf'), -float('inf'), float('nan'),
        1/3, 2/3, 100.0, 1e22, 1e23, 12345.678, 0.5, 1.5e300]
vals += [struct.unpack('<d', random.getrandbits(64).to_bytes(8, 'little'))[0] for _ in range(20000)]
vals += [random.randint(-10**6, 10**6) / 10**random.randint(0, 12) for _ in range(20000)]
vals += [random.randint(1, 9) * 10.0**random.randint(-30, 30) for _ in range(2000)]
bits = lambda x: struct.pack('<d', x).hex()
for x in vals:
    print('f', bits(x), repr(x))
for i in range(0, len(vals) - 1, 7):
    a, b = vals[i], vals[i + 1]
    print('c', bits(a), bits(b), repr(complex(a, b)))
for a in (0.0, -0.0, 1.0, float('nan'), float('inf'), -2.5):
    for b in (0.0, -0.0, 1.0, -1.0, float('nan'), -float('nan'), float('inf'), 1e16, 1e-5):
        print('c', bits(a), bits(b), repr(complex(a, b)))
"#;
    let out = run_python(&py, code, &[]);
    let f = |h: &str| f64::from_le_bytes(unhex(h).try_into().unwrap());
    let mut n = 0;
    for line in out.lines() {
        let parts: Vec<&str> = line.splitn(4, ' ').collect();
        match parts[0] {
            "f" => assert_eq!(float_repr(f(parts[1])), parts[2], "float bits {}", parts[1]),
            "c" => assert_eq!(
                complex_repr(f(parts[1]), f(parts[2])),
                parts[3],
                "complex bits {} {}",
                parts[1],
                parts[2]
            ),
            other => panic!("unexpected line kind {other}"),
        }
        n += 1;
    }
    assert!(n > 40_000, "only {n} lines");
}

#[test]
fn str_repr_matches_python_for_every_code_point() {
    let Some(py) = python() else { return };
    // One line per code point: the repr of chr(cp) (always encodable: reprs escape surrogates).
    let code = "import sys\nw = sys.stdout.write\nfor cp in range(0x110000):\n    w(repr(chr(cp)) + '\\n')\n";
    let out = run_python(&py, code, &[]);
    let mut count = 0u32;
    for (cp, want) in out.split('\n').take(0x110000).enumerate() {
        let s = PyStr::from_code_points([cp as u32]).unwrap();
        let got = str_repr(&s);
        // A code point whose repr is itself: a newline inside it would break the lines, but those
        // are always escaped.
        assert_eq!(got, want, "code point U+{cp:04X}");
        assert_eq!(
            is_printable(cp as u32),
            !want.contains('\\') || cp == 0x5c,
            "U+{cp:04X}"
        );
        count += 1;
    }
    assert_eq!(count, 0x110000);
}

#[test]
fn str_and_bytes_quoting_match_python() {
    let Some(py) = python() else { return };
    let code = r#"
import random
random.seed(3)
alphabet = ['a', "'", '"', '\\', '\n', '\t', '\r', '\x00', '\x7f', '\x80', '\xa0', 'é', '\u200b', '\ud800', '\U0001f600', ' ']
for _ in range(3000):
    s = ''.join(random.choice(alphabet) for _ in range(random.randint(0, 8)))
    print('s', ','.join(str(ord(c)) for c in s), repr(s))
for _ in range(3000):
    b = bytes(random.choice(b"ab'\"\\\n\t\r\x00\x7f\x80\xff ") for _ in range(random.randint(0, 8)))
    print('b', b.hex() or '-', repr(b), repr(bytearray(b)))
"#;
    let out = run_python(&py, code, &[]);
    let mut g = Graph::new();
    for line in out.lines() {
        let (kind, rest) = line.split_once(' ').unwrap();
        let (data, want) = rest.split_once(' ').unwrap();
        if kind == "s" {
            let cps = data
                .split(',')
                .filter(|p| !p.is_empty())
                .map(|p| p.parse::<u32>().unwrap());
            let s = PyStr::from_code_points(cps).unwrap();
            assert_eq!(str_repr(&s), want);
        } else {
            let b = if data == "-" { Vec::new() } else { unhex(data) };
            let want_bytes = bytes_repr(&b);
            assert!(want.starts_with(&want_bytes), "{want} vs {want_bytes}");
            let id = g.push(Node::bytearray(b));
            assert_eq!(format!("{} {}", want_bytes, repr(&g, id)), want);
        }
    }
}

#[test]
fn container_repr_matches_python() {
    let Some(py) = python() else { return };
    let want = run_python(
        &py,
        "d = {'a': [1, 2.0, 3, (4+6j)], 'b': ('character string', b'byte string'), 'c': {None, True, False}}\n\
         print(repr(d)); print(repr([d['c'], (), (1,), set(), frozenset(), frozenset({1})]))\n\
         l = []; l.append(l); t = (l, {}); t[1][0] = t; print(repr(t))",
        &[],
    );
    let mut lines = want.lines();
    let mut g = Graph::new();
    let a = g.str("a");
    let one = g.int(1);
    let two = g.float(2.0);
    let three = g.int(3);
    let c46 = g.complex(4.0, 6.0);
    let la = g.list(vec![one, two, three, c46]);
    let b = g.str("b");
    let cs = g.str("character string");
    let bs = g.bytes(b"byte string");
    let tb = g.tuple(vec![cs, bs]);
    let c = g.str("c");
    // Python iterates {None, True, False} in hash order: False, True, None.
    let f = g.bool(false);
    let t = g.bool(true);
    let n = g.none();
    let set = g.set(vec![f, t, n]);
    let d = g.dict(vec![(a, la), (b, tb), (c, set)]);
    assert_eq!(repr(&g, d), lines.next().unwrap());

    let et = g.tuple(vec![]);
    let t1 = g.tuple(vec![one]);
    let es = g.set(vec![]);
    let efs = g.frozenset(vec![]);
    let fs1 = g.frozenset(vec![one]);
    let l = g.list(vec![set, et, t1, es, efs, fs1]);
    assert_eq!(repr(&g, l), lines.next().unwrap());

    let l = g.list(vec![]);
    assert!(g.extend_items(l, &[l]));
    let dd = g.dict(vec![]);
    let tt = g.tuple(vec![l, dd]);
    let zero = g.int(0);
    assert!(g.extend_pairs(dd, &[(zero, tt)]));
    assert_eq!(repr(&g, tt), lines.next().unwrap());
}

#[test]
fn dis_matches_pickletools_on_fixtures() {
    let Some(py) = python() else { return };
    let root = fixtures_dir().join("pickle");
    let code = r#"
import io, json, os, pickletools, sys
root = sys.argv[1]
out = {}
for sub in ('plain', 'global', 'instance', 'hand', 'py2', 'malformed'):
    d = os.path.join(root, sub)
    if not os.path.isdir(d):
        continue
    for name in sorted(os.listdir(d)):
        path = os.path.join(d, name)
        data = open(path, 'rb').read()
        if len(data) > 200000:
            continue
        buf = io.StringIO()
        try:
            pickletools.dis(data, out=buf)
            out[sub + '/' + name] = [True, buf.getvalue()]
        except Exception as e:
            out[sub + '/' + name] = [False, buf.getvalue()]
json.dump(out, sys.stdout)
"#;
    let out = run_python(&py, code, &[root.to_str().unwrap()]);
    let listings: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&out).unwrap();
    let options = DisOptions {
        max_arg_len: usize::MAX,
        all_pickles: false,
        ..DisOptions::default()
    };
    let mut compared = 0;
    let mut failures = Vec::new();
    for (name, entry) in &listings {
        let ok = entry[0].as_bool().unwrap();
        let want = entry[1].as_str().unwrap();
        let data = std::fs::read(root.join(Path::new(name))).unwrap();
        let (got, err) = dis(&data, &options);
        if ok {
            if err.is_some() || got != want {
                failures.push(format!(
                    "{name}: {err:?}\nours:\n{got}\npickletools:\n{want}"
                ));
            }
            compared += 1;
        } else {
            // pickletools stopped with an exception; every line it printed before is ours too,
            // except the last one it may print for the failing opcode.
            let want_lines: Vec<&str> = want.lines().collect();
            let got_lines: Vec<&str> = got.lines().collect();
            let keep = want_lines.len().saturating_sub(1);
            if got_lines.len() < keep || got_lines[..keep] != want_lines[..keep] {
                failures.push(format!(
                    "{name}:\nours:\n{got}\npickletools (failed):\n{want}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(compared > 500, "only {compared} listings compared");
}

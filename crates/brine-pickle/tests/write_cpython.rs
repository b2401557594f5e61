//! The writer against the real CPython: for each case, a Python expression and the same value
//! built with the Graph API; the bytes must equal `pickle.dumps(value, protocol=p)` for p = 0..5.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "write_common.rs"]
mod common;

use brine_pickle::{to_vec, Graph, NodeId, WriteOptions};
use num_bigint::BigInt;
use num_traits::One;

type Build = Box<dyn Fn(&mut Graph) -> NodeId>;

struct Case {
    expr: String,
    build: Build,
}

fn case(expr: impl Into<String>, build: impl Fn(&mut Graph) -> NodeId + 'static) -> Case {
    Case {
        expr: expr.into(),
        build: Box::new(build),
    }
}

fn ints(g: &mut Graph, items: impl IntoIterator<Item = i64>) -> Vec<NodeId> {
    items.into_iter().map(|i| g.int(i)).collect()
}

/// Checks every case at every protocol; reports all mismatches at once.
fn check(cases: Vec<Case>) {
    let Some(py) = brine_testkit::python() else {
        return;
    };
    let exprs: Vec<&str> = cases.iter().map(|c| c.expr.as_str()).collect();
    let want = common::cpython_dumps(&py, &exprs);
    let mut failures = Vec::new();
    for (case, want) in cases.iter().zip(&want) {
        let mut g = Graph::new();
        let root = (case.build)(&mut g);
        g.set_root(root);
        for (proto, want) in want.iter().enumerate() {
            let options = WriteOptions::protocol(proto as u8);
            // The same bytes through a sink, which takes them in chunks as frames end.
            let mut sunk = Vec::new();
            if let Err(e) = brine_pickle::to_writer(&mut sunk, &g, &options) {
                failures.push(format!(
                    "{} at protocol {proto}: to_writer error {e}",
                    case.expr
                ));
            } else if &sunk != want {
                failures.push(format!(
                    "{} at protocol {proto} through a sink: {}",
                    case.expr,
                    common::first_diff(&sunk, want)
                ));
            }
            match to_vec(&g, &options) {
                Ok(ours) if &ours == want => {}
                Ok(ours) => failures.push(format!(
                    "{} at protocol {proto}: {}",
                    case.expr,
                    common::first_diff(&ours, want)
                )),
                Err(e) => failures.push(format!("{} at protocol {proto}: error {e}", case.expr)),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn atoms() {
    let mut cases = vec![
        case("None", |g| g.none()),
        case("True", |g| g.bool(true)),
        case("False", |g| g.bool(false)),
        case("[True, False, None]", |g| {
            let v = vec![g.bool(true), g.bool(false), g.none()];
            g.list(v)
        }),
    ];
    let small: &[i64] = &[
        0,
        1,
        -1,
        127,
        128,
        255,
        256,
        -255,
        -256,
        -257,
        65535,
        65536,
        -65535,
        -65536,
        -65537,
        (1 << 31) - 1,
        1 << 31,
        -(1 << 31),
        -(1 << 31) - 1,
        (1 << 32) - 1,
        1 << 32,
        i64::MAX,
        i64::MIN,
        i64::MIN + 1,
        1 << 55,
        -(1 << 55),
    ];
    for &v in small {
        cases.push(case(format!("{v}"), move |g| g.int(v)));
    }
    let big: Vec<(String, BigInt)> = vec![
        ("2**63".into(), BigInt::one() << 63u32),
        ("-2**63-1".into(), -(BigInt::one() << 63u32) - 1),
        ("2**64".into(), BigInt::one() << 64u32),
        ("-2**64".into(), -(BigInt::one() << 64u32)),
        ("2**2040-1".into(), (BigInt::one() << 2040u32) - 1),
        ("2**2040".into(), BigInt::one() << 2040u32),
        ("-2**2047".into(), -(BigInt::one() << 2047u32)),
        ("2**2048".into(), BigInt::one() << 2048u32),
        ("-2**2048".into(), -(BigInt::one() << 2048u32)),
        (
            "(1<<100000)-12345".into(),
            (BigInt::one() << 100000u32) - 12345,
        ),
        ("-(1<<100000)+1".into(), -(BigInt::one() << 100000u32) + 1),
    ];
    for (expr, v) in big {
        cases.push(case(expr, move |g| g.bigint(v.clone())));
    }
    let floats: &[(&str, f64)] = &[
        ("0.0", 0.0),
        ("-0.0", -0.0),
        ("1.0", 1.0),
        ("0.1", 0.1),
        ("-2.5", -2.5),
        ("1/3", 1.0 / 3.0),
        ("1e300", 1e300),
        ("1e-300", 1e-300),
        ("5e-324", 5e-324),
        ("1e16", 1e16),
        ("1e15", 1e15),
        ("1e22", 1e22),
        ("0.0001", 0.0001),
        ("0.00001", 0.00001),
        ("123456.789", 123456.789),
        ("1.7976931348623157e308", f64::MAX),
        ("float('nan')", f64::NAN),
        ("float('inf')", f64::INFINITY),
        ("float('-inf')", f64::NEG_INFINITY),
    ];
    for &(expr, v) in floats {
        cases.push(case(expr, move |g| g.float(v)));
    }
    cases.push(case("1+2j", |g| g.complex(1.0, 2.0)));
    cases.push(case("complex(-0.0, float('inf'))", |g| {
        g.complex(-0.0, f64::INFINITY)
    }));
    cases.push(case("[1j, 1j]", |g| {
        let c = g.complex(0.0, 1.0);
        g.list(vec![c, c])
    }));
    check(cases);
}

#[test]
fn random_floats_repr() {
    // Protocol 0 writes repr(): compare many floats across magnitudes in one pickle.
    let mut state = 0x2545F4914F6CDD1Du64;
    let mut values = Vec::new();
    for _ in 0..400 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let x = f64::from_bits(state);
        if x.is_finite() {
            values.push(x);
        }
    }
    for e in -30..30 {
        values.push(1.2345678 * 10f64.powi(e));
        values.push(10f64.powi(e));
    }
    let expr = format!(
        "[{}]",
        values
            .iter()
            .map(|v| format!("float.fromhex('{}')", hexfloat(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let values2 = values.clone();
    check(vec![case(expr, move |g| {
        let items: Vec<NodeId> = values2.iter().map(|&v| g.float(v)).collect();
        g.list(items)
    })]);
}

/// `float.hex()` form, exact.
fn hexfloat(v: f64) -> String {
    let bits = v.to_bits();
    let sign = if bits >> 63 == 1 { "-" } else { "" };
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1 << 52) - 1);
    if exp == 0 {
        format!("{sign}0x0.{frac:013x}p-1022")
    } else {
        format!("{sign}0x1.{frac:013x}p{}", exp - 1023)
    }
}

#[test]
fn strings() {
    let strs: Vec<(String, String)> = vec![
        ("''".into(), String::new()),
        ("'a'".into(), "a".into()),
        ("'abc'".into(), "abc".into()),
        ("'\\xe9'".into(), "\u{e9}".into()),
        (
            "'\\n\\\\\\r\\t\\x00\\x1a end'".into(),
            "\n\\\r\t\0\x1a end".into(),
        ),
        (
            "'\\u20ac \\u0100 \\uffff'".into(),
            "\u{20ac} \u{100} \u{ffff}".into(),
        ),
        ("'\\U0001f600 x'".into(), "\u{1f600} x".into()),
        ("'x'*255".into(), "x".repeat(255)),
        ("'x'*256".into(), "x".repeat(256)),
        ("'\\xe9'*128".into(), "\u{e9}".repeat(128)),
        ("'x'*65535".into(), "x".repeat(65535)),
        ("'x'*65536".into(), "x".repeat(65536)),
        ("'y'*70000".into(), "y".repeat(70000)),
    ];
    let mut cases = Vec::new();
    for (expr, s) in strs {
        cases.push(case(expr, move |g| g.str(&s)));
    }
    cases.push(case("'\\ud800'", |g| {
        g.pystr(&brine_pickle::PyStr::from_code_points([0xD800]).unwrap())
    }));
    cases.push(case("'a\\udfff\\ud800b'", |g| {
        let s = brine_pickle::PyStr::from_code_points([0x61, 0xDFFF, 0xD800, 0x62]).unwrap();
        g.pystr(&s)
    }));
    // One-character strings are one object in CPython, whoever made them.
    cases.push(case(
        "['a', 'a', '', '', '\\xe9', '\\xe9', 'ab', 'ab']",
        |g| {
            let items: Vec<NodeId> = ["a", "a", "", "", "\u{e9}", "\u{e9}"]
                .iter()
                .map(|s| g.str(s))
                .collect();
            let ab = g.str("ab");
            let mut items = items;
            items.push(ab);
            items.push(ab);
            g.list(items)
        },
    ));
    // Of the strings of two bytes, only a latin-1 character is one object; two characters, or
    // one past latin-1, made twice are two objects, written twice. (The long string last keeps
    // the short ones away from the end of the text, where the writer's fast path does not go.)
    cases.push(case(
        "[chr(0x101), chr(0x101), chr(97) + chr(98), chr(97) + chr(98), chr(0xe9), chr(0xe9), 'x' * 40]",
        |g| {
            let items: Vec<NodeId> = [
                "\u{101}",
                "\u{101}",
                "ab",
                "ab",
                "\u{e9}",
                "\u{e9}",
                &"x".repeat(40),
            ]
            .iter()
            .map(|s| g.str(s))
            .collect();
            g.list(items)
        },
    ));
    // Framing: a big str after small items ends the frame and is written outside frames.
    cases.push(case("[1, 'x'*70000, 2, 'y'*100000, 'z']", |g| {
        let a = g.int(1);
        let b = g.str(&"x".repeat(70000));
        let c = g.int(2);
        let d = g.str(&"y".repeat(100000));
        let e = g.str("z");
        g.list(vec![a, b, c, d, e])
    }));
    // Many frames, and more than the 1 MiB a sink is handed at a time.
    cases.push(case(
        "[['s%d' % i, i, i * 0.5] for i in range(100000)]",
        |g| {
            let rows: Vec<NodeId> = (0..100_000)
                .map(|i| {
                    let s = g.str(&format!("s{i}"));
                    let n = g.int(i);
                    let x = g.float(i as f64 * 0.5);
                    g.list(vec![s, n, x])
                })
                .collect();
            g.list(rows)
        },
    ));
    check(cases);
}

#[test]
fn bytes_and_bytearray() {
    let datas: Vec<(String, Vec<u8>)> = vec![
        ("b''".into(), vec![]),
        ("b'a'".into(), b"a".to_vec()),
        ("b'\\xff'".into(), vec![0xff]),
        ("bytes(range(256))".into(), (0..=255).collect()),
        ("b'x'*255".into(), vec![b'x'; 255]),
        ("b'x'*256".into(), vec![b'x'; 256]),
        ("b'\\x80'*70000".into(), vec![0x80; 70000]),
    ];
    let mut cases = Vec::new();
    for (expr, d) in &datas {
        let d1 = d.clone();
        cases.push(case(expr.clone(), move |g| g.bytes(&d1)));
        let d2 = d.clone();
        cases.push(case(format!("bytearray({expr})"), move |g| {
            g.push(brine_pickle::Node::bytearray(d2.clone()))
        }));
    }
    // `chr(97)` rather than the literal 'a': a one-character str is CPython's cached object when
    // made at run time or loaded from a pickle (what a graph node stands for), while a compiled
    // literal is an object of its own. A one-byte bytes literal, like one BINBYTES loads, is not
    // the cached object that `bytes(bytearray(b'a'))` gives.
    cases.push(case(
        "[b'ab', b'ab', b'cd', 'latin1', b'a', chr(97), bytearray(b'a'), b'']",
        |g| {
            let ab = g.bytes(b"ab");
            let cd = g.bytes(b"cd");
            let latin1 = g.str("latin1");
            let a = g.bytes(b"a");
            let sa = g.str("a");
            let ba = g.push(brine_pickle::Node::bytearray(b"a".to_vec()));
            let e = g.bytes(b"");
            g.list(vec![ab, ab, cd, latin1, a, sa, ba, e])
        },
    ));
    check(cases);
}

#[test]
fn containers() {
    let mut cases = Vec::new();
    for n in [0usize, 1, 2, 3, 4, 999, 1000, 1001, 2000, 2500] {
        cases.push(case(format!("list(range({n}))"), move |g| {
            let v = ints(g, 0..n as i64);
            g.list(v)
        }));
        cases.push(case(format!("tuple(range({n}))"), move |g| {
            let v = ints(g, 0..n as i64);
            g.tuple(v)
        }));
        cases.push(case(format!("{{i: -i for i in range({n})}}"), move |g| {
            let pairs: Vec<_> = (0..n as i64).map(|i| (g.int(i), g.int(-i))).collect();
            g.dict(pairs)
        }));
        cases.push(case(format!("set(range({n}))"), move |g| {
            let v = ints(g, 0..n as i64);
            g.set(v)
        }));
        cases.push(case(format!("frozenset(range({n}))"), move |g| {
            let v = ints(g, 0..n as i64);
            g.frozenset(v)
        }));
    }
    cases.push(case("{'a': [1, (2, 3)], 'b': {}, 'c': ((), [])}", |g| {
        let a = g.str("a");
        let one = g.int(1);
        let two = g.int(2);
        let three = g.int(3);
        let t = g.tuple(vec![two, three]);
        let l = g.list(vec![one, t]);
        let b = g.str("b");
        let d = g.dict(vec![]);
        let c = g.str("c");
        let et = g.tuple(vec![]);
        let el = g.list(vec![]);
        let ct = g.tuple(vec![et, el]);
        g.dict(vec![(a, l), (b, d), (c, ct)])
    }));
    cases.push(case("list(range(10**5))", |g| {
        let v = ints(g, 0..100_000);
        g.list(v)
    }));
    cases.push(case("[str(i) for i in range(30000)]", |g| {
        let v: Vec<_> = (0..30000).map(|i| g.str(&i.to_string())).collect();
        g.list(v)
    }));
    // Items that schedule work (a complex is a call) at batch edges, keys and values.
    cases.push(case("[complex(i, 1) for i in range(2500)]", |g| {
        let v: Vec<_> = (0..2500).map(|i| g.complex(f64::from(i), 1.0)).collect();
        g.list(v)
    }));
    cases.push(case(
        "[{i: complex(i, 1) for i in range(1001)}, {complex(i, 1): i for i in range(1000)}]",
        |g| {
            let a: Vec<_> = (0..1001)
                .map(|i| (g.int(i), g.complex(i as f64, 1.0)))
                .collect();
            let b: Vec<_> = (0..1000)
                .map(|i| (g.complex(i as f64, 1.0), g.int(i)))
                .collect();
            let a = g.dict(a);
            let b = g.dict(b);
            g.list(vec![a, b])
        },
    ));
    // Nesting past the depth written by direct calls (the rest goes through the task stack).
    cases.push(case("nested(50)", |g| {
        let one = g.int(1);
        let mut x = g.list(vec![one]);
        for i in 0..50 {
            let n = g.int(i);
            let t = g.tuple(vec![n, x]);
            let d = g.dict(vec![(n, x)]);
            x = g.list(vec![x, t, d]);
        }
        x
    }));
    // Runs of plain scalars (written in one loop each) broken by items that are not (a big
    // int, a string), across frame boundaries, in lists and as dict keys and values.
    let mixed = |g: &mut Graph, i: i64| match i % 9 {
        0 => g.none(),
        1 => g.bool(true),
        2 => g.bool(false),
        3 => g.int(i % 256),
        4 => g.int(i * 300),
        5 => g.int(-i * 70000),
        6 => g.float(i as f64 * 0.5),
        7 => g.int((1 << 40) + i),
        _ => g.str(&i.to_string()),
    };
    let mixed_py =
        "[None, True, False, i % 256, i * 300, -i * 70000, i * 0.5, 2**40 + i, str(i)][i % 9]";
    cases.push(case(
        format!("[{mixed_py} for i in range(30000)]"),
        move |g| {
            let v: Vec<_> = (0..30000).map(|i| mixed(g, i)).collect();
            g.list(v)
        },
    ));
    cases.push(case(
        format!("{{i if i % 7 else 2**40 + i: {mixed_py} for i in range(30000)}}"),
        move |g| {
            let pairs: Vec<_> = (0..30000)
                .map(|i| {
                    let k = if i % 7 != 0 {
                        g.int(i)
                    } else {
                        g.int((1 << 40) + i)
                    };
                    (k, mixed(g, i))
                })
                .collect();
            g.dict(pairs)
        },
    ));
    // A list that starts with a number other than a small int: runs of `BININT` ints and of
    // floats (loops of their own) 700 long, then 700 of everything else, across frames.
    let numbers = |g: &mut Graph, i: i64| match (i / 700) % 3 {
        0 => g.int(-1 - i * 70000),
        1 => g.float(i as f64 * 0.25),
        _ => match i % 4 {
            0 => g.int(i % 256),
            1 => g.int(300 + i),
            2 => g.none(),
            _ => g.int((1 << 40) + i),
        },
    };
    cases.push(case(
        "[[-1 - i * 70000, i * 0.25, [i % 256, 300 + i, None, 2**40 + i][i % 4]][(i // 700) % 3] \
         for i in range(30000)]",
        move |g| {
            let v: Vec<_> = (0..30000).map(|i| numbers(g, i)).collect();
            g.list(v)
        },
    ));
    cases.push(case("[[i] * 3 for i in range(300)]", |g| {
        let v: Vec<_> = (0..300)
            .map(|i| {
                let x = g.int(i);
                g.list(vec![x, x, x])
            })
            .collect();
        g.list(v)
    }));
    check(cases);
}

#[test]
fn memo_entries_written_with_their_objects() {
    // A new string, list, dict or tuple and its memo entry go out in one write: `MEMOIZE` at
    // protocol 4+, `BINPUT` and then (past 255 entries) `LONG_BINPUT` at protocols 1-3, `PUT`
    // at 0. Strings of 3-16 and 17-32 bytes, the windows' lengths, and a 33-byte one.
    let expr = "[[f'{i:03}' * (1 + i % 11), [i], {i: None}, (f'k{i}', i)] for i in range(300)]";
    let cases = vec![case(expr, |g| {
        let rows: Vec<NodeId> = (0..300i64)
            .map(|i| {
                let s = g.str(&format!("{i:03}").repeat(1 + (i % 11) as usize));
                let one = g.int(i);
                let list = g.list(vec![one]);
                let (k, none) = (g.int(i), g.none());
                let dict = g.dict(vec![(k, none)]);
                let (name, n) = (g.str(&format!("k{i}")), g.int(i));
                let tuple = g.tuple(vec![name, n]);
                g.list(vec![s, list, dict, tuple])
            })
            .collect();
        g.list(rows)
    })];
    check(cases);
}

#[test]
fn shared_and_recursive() {
    let cases = vec![
        case("shared()", |g| {
            let one = g.int(1);
            let two = g.int(2);
            let a = g.list(vec![one, two]);
            let s = g.str("shared");
            let t = g.tuple(vec![a, s]);
            g.list(vec![a, a, s, s, t])
        }),
        case("rec_list()", |g| {
            let l = g.list(vec![]);
            assert!(g.extend_items(l, &[l]));
            l
        }),
        case("rec_dict()", |g| {
            let d = g.dict(vec![]);
            let k = g.int(1);
            assert!(g.extend_pairs(d, &[(k, d)]));
            d
        }),
        case("tuple_list_tuple(1)", |g| tuple_list(g, 1, true)),
        case("tuple_list_tuple(3)", |g| tuple_list(g, 3, true)),
        case("tuple_list_tuple(5)", |g| tuple_list(g, 5, true)),
        case("list_tuple_list(1)", |g| tuple_list(g, 1, false)),
        case("list_tuple_list(4)", |g| tuple_list(g, 4, false)),
        // Tuples whose items leave work for later (a complex is a call): the tuple's end comes
        // after that work, and, in the recursive one, finds the tuple memoized by it.
        case("(complex(1, 1), [complex(2, 1)], 'x')", |g| {
            let c1 = g.complex(1.0, 1.0);
            let c2 = g.complex(2.0, 1.0);
            let l = g.list(vec![c2]);
            let x = g.str("x");
            g.tuple(vec![c1, l, x])
        }),
        case("(0, 1, complex(1, 1), 3, (complex(2, 1),))", |g| {
            let (zero, one, three) = (g.int(0), g.int(1), g.int(3));
            let c1 = g.complex(1.0, 1.0);
            let c2 = g.complex(2.0, 1.0);
            let inner = g.tuple(vec![c2]);
            g.tuple(vec![zero, one, c1, three, inner])
        }),
        case("tuple_call_list()", |g| {
            let l = g.list(vec![]);
            let c = g.complex(1.0, 1.0);
            let t = g.tuple(vec![c, l]);
            assert!(g.extend_items(l, &[t]));
            t
        }),
    ];
    check(cases);
}

/// `t = (0, 1, ..., l)` with `l = [t]`; returns `t` or `l`.
fn tuple_list(g: &mut Graph, n: i64, tuple_root: bool) -> NodeId {
    let l = g.list(vec![]);
    let mut items = ints(g, 0..n - 1);
    items.push(l);
    let t = g.tuple(items);
    assert!(g.extend_items(l, &[t]));
    if tuple_root {
        t
    } else {
        l
    }
}

#[test]
fn globals() {
    let cases = vec![
        case("[len, set, frozenset, range, len]", |g| {
            let len = g.global("builtins", "len");
            let set = g.global("builtins", "set");
            let fs = g.global("builtins", "frozenset");
            let range = g.global("builtins", "range");
            let len2 = g.global("builtins", "len");
            g.list(vec![len, set, fs, range, len2])
        }),
        case(
            "[collections.OrderedDict, pickle.Pickler, collections.OrderedDict]",
            |g| {
                let od = g.global("collections", "OrderedDict");
                let p = g.global("_pickle", "Pickler");
                g.list(vec![od, p, od])
            },
        ),
        case("Outer.Inner", |g| g.global("__main__", "Outer.Inner")),
        case("[Outer, Outer.Inner, Outer]", |g| {
            let o = g.global("__main__", "Outer");
            let i = g.global("__main__", "Outer.Inner");
            g.list(vec![o, i, o])
        }),
        case("[bytes, b'', bytearray(b'xy'), bytearray]", |g| {
            let b = g.global("builtins", "bytes");
            let e = g.bytes(b"");
            let ba = g.push(brine_pickle::Node::bytearray(b"xy".to_vec()));
            let bat = g.global("builtins", "bytearray");
            g.list(vec![b, e, ba, bat])
        }),
        case("[{1}, set, {2}, frozenset([3]), 1j, complex]", |g| {
            let one = g.int(1);
            let s1 = g.set(vec![one]);
            let set = g.global("builtins", "set");
            let two = g.int(2);
            let s2 = g.set(vec![two]);
            let three = g.int(3);
            let f = g.frozenset(vec![three]);
            let c = g.complex(0.0, 1.0);
            let ct = g.global("builtins", "complex");
            g.list(vec![s1, set, s2, f, c, ct])
        }),
    ];
    check(cases);
}

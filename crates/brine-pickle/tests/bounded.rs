//! Hostile input: deep nesting, memo bombs, huge announced lengths, truncation and mutation. The
//! reader, writer, repr, JSON and disassembler must answer (a value or an error naming the byte
//! offset and opcode) without panicking, overflowing the stack, or using time and memory out of
//! proportion to the input.
//!
//! Tests in this file run one at a time (a lock), so the allocation peaks they measure are their
//! own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use brine_pickle::dis::{dis_to, DisOptions};
use brine_pickle::repr::{repr_with, ReprOptions};
use brine_pickle::{from_slice, to_vec, ErrorKind, Graph, Node, Opcode, WriteOptions};
use peak_alloc::PeakAlloc;

#[global_allocator]
static PEAK: PeakAlloc = PeakAlloc;

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f`, returning its result, the time it took and the most bytes it had allocated at once
/// beyond what was allocated before.
fn measure<T>(f: impl FnOnce() -> T) -> (T, Duration, usize) {
    let base = PEAK.current_usage();
    PEAK.reset_peak_usage();
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    (out, took, PEAK.peak_usage().saturating_sub(base))
}

const DEEP: usize = 1_000_000;

/// `]` x N, `a` x (N-1): lists nested N deep, built by APPEND.
fn deep_appends(n: usize) -> Vec<u8> {
    let mut p = b"\x80\x02".to_vec();
    p.extend(std::iter::repeat(b']').take(n));
    p.extend(std::iter::repeat(b'a').take(n - 1));
    p.push(b'.');
    p
}

/// `(` x N, then `op` x N: lists or tuples nested N deep, built from marks.
fn deep_marks(n: usize, op: u8) -> Vec<u8> {
    let mut p = b"\x80\x02".to_vec();
    p.extend(std::iter::repeat(b'(').take(n));
    p.extend(std::iter::repeat(op).take(n));
    p.push(b'.');
    p
}

/// `(` x N, then `t` and `l` by turns: tuples and lists nested alternately N deep (the writer
/// runs tuple and list items by direct call until its nesting limit, then by tasks).
fn deep_alternating(n: usize) -> Vec<u8> {
    let mut p = b"\x80\x02".to_vec();
    p.extend(std::iter::repeat(b'(').take(n));
    p.extend((0..n).map(|i| if i % 2 == 0 { b't' } else { b'l' }));
    p.push(b'.');
    p
}

/// Nesting depth of the first-item chain from the root.
fn depth(g: &Graph) -> usize {
    let mut id = g.root().unwrap();
    let mut d = 1;
    loop {
        let first = match g.get(id) {
            Node::List(items) | Node::Tuple(items) => g.items(*items).first().copied(),
            _ => None,
        };
        match first {
            Some(next) => {
                id = next;
                d += 1;
            }
            None => return d,
        }
    }
}

/// Reads a pickle nested `deep` levels: it must read within 10 s, to the right depth, with memory
/// linear in its size.
fn read_deep(what: &str, data: &[u8], deep: usize) -> Graph {
    let (g, took, peak) = measure(|| from_slice(data));
    let g = g.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(depth(&g), deep, "{what}");
    assert!(took < Duration::from_secs(10), "{what}: read took {took:?}");
    assert!(
        peak < 200 * data.len(),
        "{what}: reading {} bytes peaked at {peak} bytes",
        data.len()
    );
    g
}

#[test]
fn million_deep_nesting_reads() {
    let _lock = serial();
    for (what, data) in [
        ("EMPTY_LIST/APPEND", deep_appends(DEEP)),
        ("MARK/LIST", deep_marks(DEEP, b'l')),
        ("MARK/TUPLE", deep_marks(DEEP, b't')),
    ] {
        let g = read_deep(what, &data, DEEP);
        // Dropping a deep graph is not recursive.
        drop(g);
    }
}

/// Far deeper than any recursion could go on a test thread's 2 MiB stack; 10^6 deep in release
/// builds, 10^5 in debug builds to keep the suite fast.
const DEEP_FULL: usize = if cfg!(debug_assertions) {
    100_000
} else {
    DEEP
};

#[test]
fn deep_nesting_writes_prints_and_disassembles() {
    let _lock = serial();
    const DEEP: usize = DEEP_FULL;
    for (what, data) in [
        ("EMPTY_LIST/APPEND", deep_appends(DEEP)),
        ("MARK/LIST", deep_marks(DEEP, b'l')),
        ("MARK/TUPLE", deep_marks(DEEP, b't')),
        ("MARK/TUPLE and MARK/LIST", deep_alternating(DEEP)),
    ] {
        let g = read_deep(what, &data, DEEP);
        let root = g.root().unwrap();
        let r = repr_with(&g, root, &ReprOptions { max_len: 1 << 16 });
        assert!(r.truncated && r.text.len() <= (1 << 16) + 8, "{what}");
        let json = brine_pickle::json::to_json_string(&g, root);
        assert!(json.len() > DEEP, "{what}");
        // One text and one binary protocol (the suite runs in debug builds on small machines).
        for proto in [0u8, 5] {
            let bytes = to_vec(&g, &WriteOptions::protocol(proto))
                .unwrap_or_else(|e| panic!("{what} at protocol {proto}: {e}"));
            let back = from_slice(&bytes).unwrap();
            assert_eq!(depth(&back), DEEP, "{what} at protocol {proto}");
        }
        // The listing stays linear: indentation stops growing at max_indent_levels.
        let mut listing = Vec::new();
        let options = DisOptions {
            max_indent_levels: 32,
            ..DisOptions::default()
        };
        dis_to(&data, &mut listing, &options).unwrap();
        if what != "EMPTY_LIST/APPEND" {
            let deepest = format!("[{}] ", DEEP - 1);
            assert!(
                String::from_utf8_lossy(&listing).contains(&deepest),
                "{what}"
            );
        }
        assert!(
            listing.len() < 200 * data.len(),
            "{what}: {} bytes",
            listing.len()
        );
        // Dropping a deep graph is not recursive either.
        drop(g);
    }
}

#[test]
fn million_marks_without_end_are_an_error() {
    let _lock = serial();
    let mut data = b"\x80\x02".to_vec();
    data.extend(std::iter::repeat(b'(').take(DEEP));
    data.push(b'.');
    let err = from_slice(&data).unwrap_err();
    assert_eq!(err.offset(), (DEEP + 2) as u64);
    assert_eq!(err.opcode(), Some(Opcode::Stop));
}

/// `l0 = []`, `l(i) = [l(i-1), l(i-1)]` for `levels` levels: 2^levels paths, `levels` nodes.
fn memo_bomb(levels: u8) -> Vec<u8> {
    let mut p = b"\x80\x02]q\x000".to_vec();
    for i in 1..=levels {
        p.extend_from_slice(&[b'(', b'h', i - 1, b'h', i - 1, b'l', b'q', i, b'0']);
    }
    p.extend_from_slice(&[b'h', levels, b'.']);
    p
}

#[test]
fn memo_bomb_costs_linear_memory_and_prints_fast() {
    let _lock = serial();
    let data = memo_bomb(100);
    let (g, took, peak) = measure(|| from_slice(&data).unwrap());
    assert!(g.len() <= 101 + 1, "{} nodes", g.len());
    assert!(took < Duration::from_millis(500));
    assert!(peak < 64 * 1024, "peak {peak}");
    let root = g.root().unwrap();

    let (r, took, _) = measure(|| repr_with(&g, root, &ReprOptions { max_len: 1_000_000 }));
    assert!(r.truncated);
    assert!(r.text.len() <= 1_000_008);
    assert!(r.text.starts_with("[[[[["));
    assert!(took < Duration::from_secs(2), "repr took {took:?}");

    // JSON names shared nodes once, then refers to them.
    let json = brine_pickle::json::to_json_string(&g, root);
    assert!(json.len() < 100_000, "{} bytes of JSON", json.len());

    // Written back with the same sharing: linear size, CPython's memo decisions.
    for proto in 0..=5u8 {
        let bytes = to_vec(&g, &WriteOptions::protocol(proto)).unwrap();
        assert!(
            bytes.len() < 4096,
            "protocol {proto}: {} bytes",
            bytes.len()
        );
        let back = from_slice(&bytes).unwrap();
        assert_eq!(back.len(), g.len());
    }
}

#[test]
fn huge_announced_lengths_allocate_nothing() {
    let _lock = serial();
    let big8 = (1u64 << 60).to_le_bytes();
    let max4 = u32::MAX.to_le_bytes();
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    for (name, op) in [
        ("BINBYTES8", 0x8eu8),
        ("BINUNICODE8", 0x8d),
        ("BYTEARRAY8", 0x96),
        ("FRAME", 0x95),
    ] {
        let mut p = vec![0x80, 5, op];
        p.extend_from_slice(&big8);
        p.extend_from_slice(b"abc.");
        cases.push((name, p));
        let mut p = vec![0x80, 5, op];
        p.extend_from_slice(&u64::MAX.to_le_bytes());
        cases.push((name, p));
    }
    for (name, op) in [
        ("BINSTRING", b'T'),
        ("BINBYTES", b'B'),
        ("BINUNICODE", b'X'),
        ("LONG4", 0x8b),
    ] {
        let mut p = vec![0x80, 3, op];
        p.extend_from_slice(&max4);
        p.extend_from_slice(b"abc.");
        cases.push((name, p));
        let mut p = vec![0x80, 3, op];
        p.extend_from_slice(&0x7fff_ffffu32.to_le_bytes());
        cases.push((name, p));
    }
    // A negative BINSTRING/LONG4 length.
    cases.push(("BINSTRING", b"\x80\x02T\xff\xff\xff\xffabc.".to_vec()));
    // Memo indexes far away: one entry, not 4 G slots.
    cases.push((
        "LONG_BINPUT",
        b"\x80\x02N\x72\xff\xff\xff\xff\x72\xfe\xff\xff\xff0.".to_vec(),
    ));
    for (name, data) in &cases {
        let (res, took, peak) = measure(|| from_slice(data).map(|g| g.len()));
        assert!(took < Duration::from_millis(200), "{name}: {took:?}");
        assert!(peak < 1 << 20, "{name}: peak {peak} bytes");
        if *name != "LONG_BINPUT" {
            let err = res.expect_err(name);
            assert_eq!(err.offset(), 2, "{name}: {err}");
            assert_eq!(err.opcode().map(|o| o.name()), Some(*name), "{err}");
        }
    }
}

#[test]
fn huge_decimal_integers_are_refused_fast() {
    let _lock = serial();
    for op in [b'I', b'L'] {
        let mut data = vec![op];
        data.extend(std::iter::repeat(b'7').take(5_000_000));
        data.extend_from_slice(b"\n.");
        let (res, took, _) = measure(|| from_slice(&data));
        let err = res.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::LimitExceeded(_)), "{err}");
        assert_eq!(err.offset(), 0);
        assert!(took < Duration::from_secs(1), "{took:?}");
    }
}

#[test]
fn errors_name_offset_and_opcode() {
    let _lock = serial();
    let cases: &[(&[u8], u64, &str, &str)] = &[
        (b"\x80\x02K", 2, "BININT1", "unexpected end of data"),
        (b"\x80\x02\xff", 2, "", "unknown opcode byte 0xff"),
        (b"\x80\x02h\x05.", 2, "BINGET", "memo key 5 not found"),
        (b"\x80\x02N0a.", 4, "APPEND", "stack underflow"),
        (b"\x80\x02N(.", 4, "STOP", ""),
        (b"\x80\x02X\x02\x00\x00\x00\xff\xfe.", 2, "BINUNICODE", ""),
        (b"\x80\x09N.", 0, "PROTO", "unsupported pickle protocol 9"),
        (b"", 0, "", "unexpected end of data"),
    ];
    for &(data, offset, op, msg) in cases {
        let err = from_slice(data).unwrap_err();
        assert_eq!(err.offset(), offset, "{data:?}: {err}");
        if !op.is_empty() {
            assert_eq!(err.opcode().map(|o| o.name()), Some(op), "{data:?}: {err}");
            assert!(err.to_string().contains(op), "{err}");
        }
        assert!(
            err.to_string().contains(&format!("at byte {offset}")),
            "{err}"
        );
        assert!(err.to_string().contains(msg), "{err}");
    }
}

/// Every strict prefix of a pickle that uses every kind of argument is an error, never a value.
#[test]
fn every_prefix_of_a_rich_pickle_is_an_error() {
    let _lock = serial();
    let mut g = Graph::new();
    let mut items = vec![
        g.none(),
        g.bool(true),
        g.int(7),
        g.int(300),
        g.int(-70000),
        g.int(1 << 40),
        g.float(1.5),
        g.complex(1.0, -2.0),
        g.str("text é €"),
        g.bytes(b"bytes"),
        g.push(Node::bytearray(b"ba".to_vec())),
        g.global("collections", "OrderedDict"),
    ];
    let one = g.int(1);
    let t = g.tuple(vec![one, one]);
    items.push(t);
    items.push(t);
    let s = g.set(vec![one]);
    items.push(s);
    let k = g.str("k");
    let d = g.dict(vec![(k, t)]);
    items.push(d);
    let root = g.list(items);
    g.set_root(root);
    for proto in 0..=5u8 {
        let data = to_vec(&g, &WriteOptions::protocol(proto)).unwrap();
        let full = from_slice(&data).unwrap();
        assert_eq!(
            brine_pickle::repr::repr(&full, full.root().unwrap()),
            brine_pickle::repr::repr(&g, root)
        );
        for n in 0..data.len() {
            assert!(
                from_slice(&data[..n]).is_err(),
                "protocol {proto}: prefix of {n} bytes accepted"
            );
        }
    }
}

/// Single-byte mutations of valid pickles: any answer but a panic.
#[test]
fn mutations_never_panic() {
    let _lock = serial();
    let mut g = Graph::new();
    let a = g.str("shared");
    let n = g.int(123_456);
    let f = g.float(-0.25);
    let inner = g.list(vec![a, n, f]);
    let key = g.int(2);
    let d = g.dict(vec![(a, inner), (key, inner)]);
    let cls = g.global("pkg.mod", "Cls");
    let fs = g.frozenset(vec![n, a]);
    let root = g.tuple(vec![inner, d, cls, fs, a]);
    g.set_root(root);
    for proto in 0..=5u8 {
        let data = to_vec(&g, &WriteOptions::protocol(proto)).unwrap();
        for i in 0..data.len() {
            for v in [0x00u8, 0xff, 0x7f, 0x80, data[i] ^ 0x01, b'(', b'.', b'0'] {
                let mut m = data.clone();
                m[i] = v;
                if let Ok(g2) = from_slice(&m) {
                    if let Some(r) = g2.root() {
                        let _ = repr_with(&g2, r, &ReprOptions { max_len: 1 << 12 });
                        let _ = brine_pickle::json::to_json_string(&g2, r);
                    }
                    for p in 0..=5u8 {
                        if let Ok(bytes) = to_vec(&g2, &WriteOptions::protocol(p)) {
                            from_slice(&bytes).unwrap_or_else(|e| {
                                panic!("protocol {proto} byte {i} = {v:#x}: rewritten at {p}: {e}")
                            });
                        }
                    }
                }
                let _ = dis_to(&m, &mut std::io::sink(), &DisOptions::default());
            }
        }
    }
}

/// `set(l)` shares the list's items without copying them; appending to either one afterwards
/// leaves the other as it was.
#[test]
fn sets_made_from_lists_share_items_and_stay_apart() {
    // ([1, 2, 4], {1, 2, 3}): the set is made from the list, then each grows on its own.
    let data = b"\x80\x04]\x94(K\x01K\x02e\x8c\x08builtins\x94\x8c\x03set\x94\x93\x94h\x00\x85R\x94(K\x03\x90h\x00(K\x04e0\x86.";
    let g = from_slice(data).unwrap();
    let root = g.root_ref().unwrap();
    let ints = |i: usize| -> Vec<i64> {
        root.item(i)
            .unwrap()
            .items()
            .map(|v| v.as_i64().unwrap())
            .collect()
    };
    assert_eq!(ints(0), vec![1, 2, 4]);
    assert_eq!(ints(1), vec![1, 2, 3]);

    // `set(l)` a thousand times over a 100,000-item list: no copy of the items each time.
    let _lock = serial();
    let mut p = b"\x80\x04\x8c\x08builtins\x94\x8c\x03set\x94\x93\x94](".to_vec();
    p.resize(p.len() + 100_000, b'N');
    p.extend_from_slice(b"e\x94");
    for _ in 0..1000 {
        p.extend_from_slice(b"h\x02h\x03\x85R0");
    }
    p.push(b'.');
    let (g, _, peak) = measure(|| from_slice(&p).unwrap());
    assert_eq!(g.root_ref().unwrap().as_list().unwrap().len(), 100_000);
    assert!(peak < 8 << 20, "peak {peak}");
}

#[test]
fn dropping_a_graph_frees_what_its_nodes_own() {
    let _guard = serial();
    // Plain data (freed without visiting each node) and, in the same stream, payloads that live
    // in their own allocations: bytes, big ints, complex numbers, bytearrays, globals, objects.
    // pickle.dumps([[b'x' * 100, 2**100, 1+2j, bytearray(b'ab'), collections.OrderedDict()],
    //               [1, 'a']], protocol=5), and pickle.dumps([1, 'a', []], protocol=5)
    let owning: &[u8] = b"\x80\x05\x95\xe3\x00\x00\x00\x00\x00\x00\x00]\x94(]\x94(Cdxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\x94\x8a\x0d\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10\x8c\x08builtins\x94\x8c\x07complex\x94\x93\x94G?\xf0\x00\x00\x00\x00\x00\x00G@\x00\x00\x00\x00\x00\x00\x00\x86\x94R\x94\x96\x02\x00\x00\x00\x00\x00\x00\x00ab\x94\x8c\x0bcollections\x94\x8c\x0bOrderedDict\x94\x93\x94)R\x94e]\x94(K\x01\x8c\x01a\x94ee.";
    let plain: &[u8] =
        b"\x80\x05\x95\x0d\x00\x00\x00\x00\x00\x00\x00]\x94(K\x01\x8c\x01a\x94]\x94e.";
    for data in [owning, plain] {
        let g = from_slice(data).unwrap();
        drop(g);
        let base = PEAK.current_usage();
        for _ in 0..1000 {
            let g = from_slice(data).unwrap();
            assert!(!g.is_empty());
        }
        let after = PEAK.current_usage();
        // A leak would grow with the 1000 decodes; the slack is for the test harness, whose
        // other threads may allocate meanwhile.
        assert!(
            after <= base + 16 * 1024,
            "{} bytes still allocated after 1000 decodes and drops of {data:?}",
            after - base
        );
    }
}

#[test]
fn many_small_pickles_in_one_buffer_reserve_for_their_own_size() {
    let _guard = serial();
    // 100,000 pickles back to back, as repeated `pickle.dump(1, f, protocol=4)` writes them.
    let data: Vec<u8> = b"\x80\x04K\x01.".repeat(100_000);
    let mut reader = brine_pickle::Reader::new(&data);
    // The first one is taken to fill the buffer; the ones after it follow its size.
    reader.read_pickle().unwrap();
    let (count, _, peak) = measure(|| {
        let mut count = 0;
        for graph in reader {
            assert!(graph.unwrap().root().is_some());
            count += 1;
        }
        count
    });
    assert_eq!(count, 99_999);
    assert!(peak < 16 * 1024, "peak {peak} while reading 5-byte pickles");
}

#[test]
fn reading_in_a_thread_local_destructor_works() {
    struct ReadsOnDrop;
    impl Drop for ReadsOnDrop {
        fn drop(&mut self) {
            let g = from_slice(b"K\x01.").unwrap();
            assert_eq!(g.root_ref().and_then(|v| v.as_i64()), Some(1));
        }
    }
    thread_local! {
        static LATE: ReadsOnDrop = const { ReadsOnDrop };
    }
    // `LATE` is made before the reader's per-thread scratch, so it is destroyed after it: its
    // read runs when the scratch is gone.
    std::thread::spawn(|| {
        LATE.with(|_| {});
        assert!(from_slice(b"K\x02.").is_ok());
    })
    .join()
    .unwrap();
}

#[test]
fn room_for_a_small_pickle_follows_only_a_similar_one_read_whole() {
    let _guard = serial();
    // About 52 KiB in 501 nodes: long strings, few nodes per byte.
    let mut g = Graph::new();
    let items: Vec<_> = (0..500)
        .map(|i| g.str(&format!("{}{i}", "a".repeat(100))))
        .collect();
    let root = g.list(items);
    g.set_root(root);
    let data = to_vec(&g, &WriteOptions::protocol(4)).unwrap();
    assert!(data.len() > 50_000 && data.len() < 1 << 16);
    // Its peak on a thread that read nothing before, and after a read of one byte that failed
    // (one node made), or a tiny pickle read whole: each in a new thread, so that nothing read
    // before on another thread plays a part.
    let peak_after = |before: &'static [u8]| {
        let data = data.clone();
        std::thread::spawn(move || {
            let _ = from_slice(before);
            let (g, _, peak) = measure(|| from_slice(&data).unwrap());
            assert_eq!(g.len(), 501);
            peak
        })
        .join()
        .unwrap()
    };
    let fresh = peak_after(b"");
    for before in [&b"}"[..], b"}.", b"\x80\x04N."] {
        let peak = peak_after(before);
        assert!(
            peak <= fresh + fresh / 4,
            "peak {peak} after {before:?}, {fresh} on a fresh thread"
        );
    }
}

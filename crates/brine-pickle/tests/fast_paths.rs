//! The reader's fast loop for plain data and the writer's framing: what they leave to the general
//! code still gets its exact answer (the error, offset and opcode, or the value), and what they
//! keep between calls on a thread (scratch vectors, the room the last small pickle used) never
//! changes a result.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use brine_pickle::read::{from_slice_with, Limits, ReadOptions};
use brine_pickle::{from_slice, to_vec, to_writer, Graph, NodeId, WriteOptions, Writer};

/// The repr of a decoded pickle, or its error text.
fn outcome(data: &[u8], options: ReadOptions) -> String {
    match from_slice_with(data, options) {
        Ok(g) => brine_pickle::repr::repr(&g, g.root().unwrap()),
        Err(e) => format!("error: {e}"),
    }
}

fn limits(max_nodes: usize, max_stack: usize, max_memo_index: u64) -> ReadOptions {
    ReadOptions {
        limits: Limits {
            max_nodes,
            max_stack,
            max_memo_index,
            ..Limits::default()
        },
        ..ReadOptions::default()
    }
}

/// `pickle.dumps([300, 301, 302, 303], protocol=4)` without its frame: `]`, `MEMOIZE`, `MARK`,
/// four `BININT2`, `APPENDS`, `STOP`.
const FOUR_INTS: &[u8] = b"\x80\x04]\x94(M,\x01M-\x01M.\x01M/\x01e.";

#[test]
fn limits_in_plain_data_name_the_opcode_that_crosses_them() {
    // Nodes: the list, then one per int; the fourth int (offset 14) is the fifth node.
    let err = outcome(FOUR_INTS, limits(4, 1000, 1000));
    assert!(
        err.contains("at byte 14") && err.contains("BININT2"),
        "{err}"
    );
    assert!(err.contains("node count"), "{err}");
    // Stack: the list, then the ints; the third int (offset 11) would be the fourth entry.
    let err = outcome(FOUR_INTS, limits(1000, 3, 1000));
    assert!(
        err.contains("at byte 11") && err.contains("BININT2"),
        "{err}"
    );
    assert!(err.contains("stack size"), "{err}");
    // Memo: the first MEMOIZE stores index 0, within a limit of 0; `BINPUT 1` is past it.
    assert_eq!(
        outcome(FOUR_INTS, limits(1000, 1000, 0)),
        "[300, 301, 302, 303]"
    );
    let err = outcome(b"\x80\x02]q\x01.", limits(1000, 1000, 0));
    assert!(err.contains("at byte 3") && err.contains("BINPUT"), "{err}");
}

#[test]
fn runs_of_small_ints_stop_where_the_general_dispatch_must_answer() {
    // `[1, 2, 1, 2, 1, 2, 3]` as BININT1s: new atoms (1, 2, 3) in the middle of the run.
    let data = b"\x80\x04]\x94(K\x01K\x02K\x01K\x02K\x01K\x02K\x03e.";
    assert_eq!(
        outcome(data, ReadOptions::default()),
        "[1, 2, 1, 2, 1, 2, 3]"
    );
    // The stack fills in the middle of the run: the list, then six ints fit in 7 entries; the
    // seventh int (offset 17) is refused there.
    let err = outcome(data, limits(1000, 7, 1000));
    assert!(
        err.contains("at byte 17") && err.contains("BININT1"),
        "{err}"
    );
    assert!(err.contains("stack size"), "{err}");
    // Truncated in the middle of the run.
    let err = outcome(&data[..10], ReadOptions::default());
    assert!(
        err.contains("at byte 9") && err.contains("BININT1"),
        "{err}"
    );
}

#[test]
fn containers_the_fast_loop_leaves_get_the_general_answer() {
    let d = ReadOptions::default;
    // APPENDS into a dict, SETITEMS into a list: CPython's errors, at the opcode.
    let err = outcome(b"\x80\x04}\x94(K\x01e.", d());
    assert!(
        err.contains("at byte 7") && err.contains("APPENDS"),
        "{err}"
    );
    assert!(
        err.contains("'dict' object has no attribute 'append'"),
        "{err}"
    );
    let err = outcome(b"\x80\x04]\x94(K\x01K\x02u.", d());
    assert!(
        err.contains("at byte 9") && err.contains("SETITEMS"),
        "{err}"
    );
    // A list appended to twice, a dict filled twice, APPEND and SETITEM one by one.
    assert_eq!(
        outcome(b"\x80\x02]q\x00(K\x01e(K\x02K\x03e.", d()),
        "[1, 2, 3]"
    );
    assert_eq!(
        outcome(b"\x80\x02}q\x00(K\x01K\x02u(K\x03K\x04u.", d()),
        "{1: 2, 3: 4}"
    );
    assert_eq!(outcome(b"\x80\x02]K\x01aK\x02a.", d()), "[1, 2]");
    assert_eq!(
        outcome(b"\x80\x02}K\x01K\x02sK\x03K\x04s.", d()),
        "{1: 2, 3: 4}"
    );
    // As CPython: an odd number of items for SETITEMS; STOP above a mark that never ended
    // (it takes the top: 2); TUPLE without a mark.
    assert!(outcome(b"\x80\x02}(K\x01u.", d()).contains("odd number of items"));
    assert_eq!(outcome(b"\x80\x02(K\x01K\x02.", d()), "2");
    let err = outcome(b"\x80\x02K\x01t.", d());
    assert!(err.contains("at byte 4") && err.contains("mark"), "{err}");
    // Strings the fast loop leaves: not ASCII, or longer than the input.
    assert_eq!(outcome(b"\x80\x04\x8c\x02\xc3\xa9\x94.", d()), "'é'");
    let err = outcome(b"\x80\x04\x8c\x10abc\x94.", d());
    assert!(
        err.contains("at byte 2") && err.contains("SHORT_BINUNICODE"),
        "{err}"
    );
    let err = outcome(b"\x80\x04\x8c\x02\xff\xfe\x94.", d());
    assert!(
        err.contains("at byte 2") && err.contains("SHORT_BINUNICODE"),
        "{err}"
    );
}

#[test]
fn strings_of_every_kind_in_one_pickle() {
    // ASCII short and long, non-ASCII, a surrogate, a one-character string, the empty string,
    // with BINGET of each, at protocols 2 and 4.
    let p4: &[u8] = b"\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00(\x8c\x03abc\x94\x8c\x14abcdefghijklmnopqrst\x94\x8c\x02\xc3\xa9\x94\x8c\x03\xed\xa0\x80\x94\x8c\x01x\x94\x8c\x00\x94h\x00h\x01h\x02h\x03h\x04h\x05t\x94.";
    let want = "('abc', 'abcdefghijklmnopqrst', 'é', '\\ud800', 'x', '', 'abc', \
                'abcdefghijklmnopqrst', 'é', '\\ud800', 'x', '')";
    assert_eq!(outcome(p4, ReadOptions::default()), want);
    let p2: &[u8] = b"\x80\x02(X\x03\x00\x00\x00abcq\x00X\x02\x00\x00\x00\xc3\xa9q\x01h\x00h\x01t.";
    assert_eq!(
        outcome(p2, ReadOptions::default()),
        "('abc', 'é', 'abc', 'é')"
    );
    // LONG_BINPUT after a string (entry 256, as past the first 256 entries), LONG_BINGET of it;
    // and the same entry past a memo limit of 4: refused at the LONG_BINPUT (offset 11).
    let long: &[u8] = b"\x80\x02(X\x03\x00\x00\x00abcr\x00\x01\x00\x00j\x00\x01\x00\x00t.";
    assert_eq!(outcome(long, ReadOptions::default()), "('abc', 'abc')");
    let err = outcome(long, limits(1000, 1000, 4));
    assert!(
        err.contains("at byte 11") && err.contains("LONG_BINPUT"),
        "{err}"
    );
}

#[test]
fn reading_again_on_a_thread_gives_the_same_values() {
    // Pickles of different shapes, each read after the others (the room reserved for a small
    // pickle follows the last one read on the thread), then all read again.
    let pickles: Vec<&[u8]> = vec![
        FOUR_INTS,
        b"\x80\x04N.",
        b"\x80\x04\x95\x1a\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x01a\x94K\x01\x8c\x04bcde\x94]\x94(K\x02K\x03eu.",
        b"\x80\x02]q\x00(X\x05\x00\x00\x00helloq\x01h\x01h\x01e.",
    ];
    let first: Vec<String> = pickles
        .iter()
        .map(|p| outcome(p, ReadOptions::default()))
        .collect();
    assert_eq!(first[2], "{'a': 1, 'bcde': [2, 3]}");
    for _ in 0..3 {
        for (p, want) in pickles.iter().zip(&first) {
            assert_eq!(&outcome(p, ReadOptions::default()), want);
        }
    }
    // A large pickle between small ones changes nothing either.
    let big: Vec<u8> = {
        let mut g = Graph::new();
        let items: Vec<NodeId> = (0..100_000).map(|i| g.int(i)).collect();
        let root = g.list(items);
        g.set_root(root);
        to_vec(&g, &WriteOptions::protocol(4)).unwrap()
    };
    let g = from_slice(&big).unwrap();
    assert_eq!(g.root_ref().map(|r| r.items().count()), Some(100_000));
    for (p, want) in pickles.iter().zip(&first) {
        assert_eq!(&outcome(p, ReadOptions::default()), want);
    }
}

/// A hook that, after each `BUILD`, ends the frame, records the position, and writes raw bytes.
struct Raw {
    at: Vec<u64>,
}

impl brine_pickle::write::WriteHook for Raw {
    fn after_build(
        &mut self,
        cx: &mut brine_pickle::write::WriteContext<'_>,
        _node: NodeId,
    ) -> brine_pickle::Result<()> {
        cx.commit_frame()?;
        self.at.push(cx.position());
        cx.write_raw(b"RAWDATA")
    }
}

#[test]
fn a_hook_sees_the_exact_position_between_frames() {
    // Two inert objects with state (NEWOBJ + BUILD) in a list: `[a, b]` of a class `C` with
    // `a.x = 1`, `b.y = 2`, pickled at protocol 4.
    let data = b"\x80\x04\x952\x00\x00\x00\x00\x00\x00\x00]\x94(\x8c\x08__main__\x94\x8c\x01C\x94\x93\x94)\x81\x94}\x94\x8c\x01x\x94K\x01sbh\x03)\x81\x94}\x94\x8c\x01y\x94K\x02sbe.";
    let g = from_slice(data).unwrap();
    for proto in [4u8, 5] {
        let mut out = Vec::new();
        let mut w =
            Writer::new(&mut out, WriteOptions::protocol(proto)).with_hook(Raw { at: vec![] });
        w.write(&g).unwrap();
        let at = std::mem::take(&mut w.hook().at);
        drop(w);
        assert_eq!(at.len(), 2);
        for pos in at {
            let pos = pos as usize;
            assert_eq!(out.get(pos..pos + 7), Some(&b"RAWDATA"[..]), "{out:?}");
        }
        // The bytes around the raw data are framed pickle opcodes that read back.
        assert!(out.ends_with(b"e."), "{out:?}");
    }
}

#[test]
fn writing_to_a_sink_gives_the_bytes_of_to_vec() {
    // Past one frame (64 KiB) and past the sink's flush size (1 MiB), with long strings that go
    // out between frames.
    let mut g = Graph::new();
    let mut items = Vec::new();
    for i in 0..60_000 {
        items.push(g.str(&format!("item {i}")));
        if i % 10_000 == 0 {
            items.push(g.str(&"x".repeat(70_000 + i)));
        }
    }
    let root = g.list(items);
    g.set_root(root);
    for proto in [2u8, 4, 5] {
        let options = WriteOptions::protocol(proto);
        let want = to_vec(&g, &options).unwrap();
        let mut got = Vec::new();
        to_writer(&mut got, &g, &options).unwrap();
        assert!(want.len() > 1 << 20);
        assert_eq!(got, want, "protocol {proto}");
        let back = from_slice(&got).unwrap();
        assert_eq!(back.root_ref().map(|r| r.items().count()), Some(60_006));
    }
}

#[test]
fn strings_around_the_copy_windows_read_and_write_back() {
    // Every length up to past the 16- and 32-byte windows, ASCII or with a two-byte character
    // at the start, middle or end; at the very end of the input (no window there) and followed
    // by more input; SHORT_BINUNICODE with MEMOIZE and BINUNICODE with BINPUT.
    for len in 0..=40usize {
        let ascii: String = (0..len)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        let mut texts = vec![ascii.clone()];
        for at in [0, len / 2, len.saturating_sub(1)] {
            if len > 0 {
                let mut t = ascii.clone();
                t.replace_range(at..at + 1, "é");
                texts.push(t);
            }
        }
        for text in texts {
            let b = text.as_bytes();
            let n = b.len();
            let mut at_end = b"\x80\x04\x8c".to_vec();
            at_end.push(n as u8);
            at_end.extend_from_slice(b);
            at_end.extend_from_slice(b"\x94.");
            let mut inside = b"\x80\x02(X".to_vec();
            inside.extend_from_slice(&(n as u32).to_le_bytes());
            inside.extend_from_slice(b);
            inside.extend_from_slice(b"q\x00h\x00K\x01t.");
            let want_end = format!("{text:?}").replace('"', "'");
            for (data, want) in [
                (at_end, want_end.clone()),
                (inside, format!("({want_end}, {want_end}, 1)")),
            ] {
                let g = from_slice(&data).unwrap();
                let got = brine_pickle::repr::repr(&g, g.root().unwrap());
                assert_eq!(got, want, "{data:?}");
                for proto in [2, 3, 4, 5] {
                    let again = to_vec(&g, &WriteOptions::protocol(proto)).unwrap();
                    let back = from_slice(&again).unwrap();
                    assert_eq!(brine_pickle::repr::repr(&back, back.root().unwrap()), want);
                    let found = again.windows(n.max(1)).any(|w| w == b) || n == 0;
                    assert!(found, "{again:?}");
                }
            }
        }
    }
}

#[test]
fn atoms_made_by_the_fast_loop_are_shared_and_bounded() {
    // `[None, True, 7, None, True, 7]` at protocol 4 (the fast loop makes each atom the first
    // time it is read): the repeats are the same nodes, so the graph has 4 nodes.
    let data: &[u8] = b"\x80\x04]\x94(N\x88K\x07N\x88K\x07e.";
    let g = from_slice(data).unwrap();
    assert_eq!(
        brine_pickle::repr::repr(&g, g.root().unwrap()),
        "[None, True, 7, None, True, 7]"
    );
    assert_eq!(g.len(), 4);
    // Full graph or full stack at the first atom: the general dispatch reports it there.
    let err = outcome(data, limits(1, 1000, 1000));
    assert!(err.contains("at byte 5") && err.contains("NONE"), "{err}");
    assert!(err.contains("node count"), "{err}");
    let err = outcome(b"\x80\x04N.", limits(1000, 0, 1000));
    assert!(err.contains("at byte 2") && err.contains("NONE"), "{err}");
    assert!(err.contains("stack size"), "{err}");
    let err = outcome(b"\x80\x04K\x07.", limits(0, 1000, 1000));
    assert!(
        err.contains("at byte 2") && err.contains("BININT1"),
        "{err}"
    );
}

#[test]
fn runs_of_atoms_are_read_whole_and_each_read_makes_its_own() {
    // `{0: None, 1: None, 2: True, 3: False, 4: None}` at protocol 4: `K N K N ...` is read in
    // one loop once its atoms are made (here from the second pair on).
    let dict: &[u8] = b"\x80\x04}\x94(K\x00NK\x01NK\x02\x88K\x03\x89K\x04Nu.";
    // `[False, True, None, 0, 1]`: no atom made before the list.
    let list: &[u8] = b"\x80\x04]\x94(\x89\x88NK\x00K\x01e.";
    // Read in turn on one thread: the atoms of one graph are never those of the last one.
    for _ in 0..3 {
        for (data, repr, nodes) in [
            (dict, "{0: None, 1: None, 2: True, 3: False, 4: None}", 9),
            (list, "[False, True, None, 0, 1]", 6),
        ] {
            let g = from_slice(data).unwrap();
            assert_eq!(brine_pickle::repr::repr(&g, g.root().unwrap()), repr);
            assert_eq!(g.len(), nodes);
        }
    }
    // A stack that fills up inside a run: the general dispatch reports the opcode there
    // (the dict and four values fill it; the next push is `K\x02`, at byte 11).
    let err = outcome(dict, limits(1000, 5, 1000));
    assert!(
        err.contains("at byte 11") && err.contains("BININT1"),
        "{err}"
    );
    assert!(err.contains("stack size"), "{err}");
}

#[test]
fn lists_of_small_ints_are_stored_straight_into_the_list() {
    // `[[1, 2, 3], [1, 2, 3], [3, 2, 1, 0], [1, 2] + [1] * 40]` at protocol 4: the first list
    // makes the atoms 1 to 3; the second is stored straight into the list; the third has a new
    // atom (0) and the fourth is longer than a short list: both go the general way.
    let mut data = b"\x80\x04]\x94(]\x94(K\x01K\x02K\x03e]\x94(K\x01K\x02K\x03e".to_vec();
    data.extend_from_slice(b"]\x94(K\x03K\x02K\x01K\x00e]\x94(K\x01K\x02");
    data.extend(std::iter::repeat_n(*b"K\x01", 40).flatten());
    data.extend_from_slice(b"ee.");
    for _ in 0..2 {
        let g = from_slice(&data).unwrap();
        let ones = vec!["1"; 40].join(", ");
        assert_eq!(
            brine_pickle::repr::repr(&g, g.root().unwrap()),
            format!("[[1, 2, 3], [1, 2, 3], [3, 2, 1, 0], [1, 2, {ones}]]")
        );
        // The outer list, four lists, and the atoms 0 to 3: the second list's items are the
        // first one's nodes.
        assert_eq!(g.len(), 9);
        let lists = g.root_ref().unwrap().as_list().unwrap().to_vec();
        let items = |id: NodeId| g.value(id).as_list().unwrap().to_vec();
        assert_eq!(items(lists[0]), items(lists[1]));
    }
    // `[[1, 2], [1, 2, 1, 2, 1, 2]]` with a bounded stack: the general dispatch refuses a push
    // of the second list's items up to a bound of 8 (the stack then holds the two lists and
    // the items, besides two marks); from 10 up there is room for them all with the marks, and
    // the list is stored straight into it. The same answers either way.
    let data = b"\x80\x04]\x94(]\x94(K\x01K\x02e]\x94(K\x01K\x02K\x01K\x02K\x01K\x02ee.";
    for (max_stack, at) in [(6, 22), (7, 24), (8, 26)] {
        let err = outcome(data, limits(1000, max_stack, 1000));
        assert!(
            err.contains(&format!("at byte {at}")) && err.contains("BININT1"),
            "{err}"
        );
        assert!(err.contains("stack size"), "{err}");
    }
    for max_stack in 9..=12 {
        assert_eq!(
            outcome(data, limits(1000, max_stack, 1000)),
            "[[1, 2], [1, 2, 1, 2, 1, 2]]"
        );
    }
    // Not ended by `APPENDS` (`TUPLE3` of the ints, appended as one item): the general way.
    let data = b"\x80\x04]\x94(]\x94(K\x01K\x02e]\x94(K\x01K\x02K\x01\x87ee.";
    assert_eq!(
        outcome(data, ReadOptions::default()),
        "[[1, 2], [(1, 2, 1)]]"
    );
}

/// `BININT` of `v`.
fn binint(v: i32) -> Vec<u8> {
    let mut b = vec![b'J'];
    b.extend_from_slice(&v.to_le_bytes());
    b
}

#[test]
fn runs_of_numbers_are_read_whole_and_stop_where_they_must() {
    // A list of ints and floats in runs of one opcode, broken by small ints (shared atoms, even
    // when written as `BININT`), other opcodes, and a change of opcode.
    let mut data = b"\x80\x04]\x94(".to_vec();
    for v in [300, 70_000, -1, -70_000, -6, 2_000_000_000] {
        data.extend(binint(v));
    }
    data.extend(b"M,\x01M\x00\x01M\xff\xffK\x07");
    for f in [1.5f64, -0.0, f64::INFINITY, 2.5] {
        data.push(b'G');
        data.extend(f.to_be_bytes());
    }
    data.extend(binint(-1));
    data.extend(binint(-1));
    data.extend(b"e.");
    let g = from_slice(&data).unwrap();
    assert_eq!(
        brine_pickle::repr::repr(&g, g.root().unwrap()),
        "[300, 70000, -1, -70000, -6, 2000000000, 300, 256, 65535, 7, 1.5, -0.0, inf, 2.5, -1, -1]"
    );
    // The list, 5 ints from `BININT` and 2 from `BININT2`, the atoms -1, 256 and 7, 4 floats.
    assert_eq!(g.len(), 1 + 5 + 2 + 3 + 4);

    // A limit reached inside a run: the general dispatch reports the opcode that crosses it.
    let mut ints = b"\x80\x04]\x94(".to_vec();
    for v in 1000..1010 {
        ints.extend(binint(v));
    }
    ints.extend(b"e.");
    // Nodes: the list and 3 ints fit; the fourth int (offset 20) is the fifth node.
    let err = outcome(&ints, limits(4, 1000, 1000));
    assert!(
        err.contains("at byte 20") && err.contains("BININT"),
        "{err}"
    );
    assert!(err.contains("node count"), "{err}");
    // Stack: the list and 5 ints fit; the sixth int is at offset 30.
    let err = outcome(&ints, limits(1000, 6, 1000));
    assert!(
        err.contains("at byte 30") && err.contains("BININT"),
        "{err}"
    );
    assert!(err.contains("stack size"), "{err}");
    // The input ending inside a run: the truncated opcode is the error.
    let cut = &ints[..ints.len() - 4];
    let err = outcome(cut, ReadOptions::default());
    assert!(
        err.contains("at byte 50") && err.contains("BININT"),
        "{err}"
    );
}

/// A hook that reads another pickle, on the same thread, in the middle of the outer one.
struct ReadsAnother {
    seen: Vec<String>,
}

impl brine_pickle::read::ReadHook for ReadsAnother {
    fn after_build(
        &mut self,
        _cx: &mut brine_pickle::read::HookContext<'_>,
        _obj: NodeId,
    ) -> brine_pickle::Result<Option<NodeId>> {
        // `[7, None, 8, 7]`: atoms of its own, made while the outer pickle holds the thread's.
        let g = from_slice(b"\x80\x02]q\x00(K\x07NK\x08K\x07e.")?;
        self.seen
            .push(brine_pickle::repr::repr(&g, g.root().unwrap()));
        self.seen.push(g.len().to_string());
        Ok(None)
    }
}

#[test]
fn a_read_inside_a_read_keeps_each_ones_atoms() {
    // `[None, P() with state {'x': None}, None, 7]` at protocol 2, where `P` is
    // `__main__.P`: the hook runs after `BUILD` and reads another pickle.
    let data: &[u8] =
        b"\x80\x02]q\x00(Nc__main__\nP\nq\x01)\x81q\x02}q\x03X\x01\x00\x00\x00xq\x04Nsb\
NK\x07e.";
    for _ in 0..3 {
        let mut hook = ReadsAnother { seen: Vec::new() };
        let g = brine_pickle::Reader::new(data)
            .with_hook(&mut hook)
            .read_pickle()
            .unwrap();
        assert_eq!(hook.seen, ["[7, None, 8, 7]", "4"]);
        let items = g.root_ref().unwrap().as_list().unwrap();
        // The outer `None`s are one node, before and after the inner read, and 7 its own.
        assert_eq!(items.len(), 4);
        assert_eq!(items[0], items[2]);
        assert_eq!(
            brine_pickle::repr::repr(&g, items[3]),
            "7",
            "{}",
            brine_pickle::repr::repr(&g, g.root().unwrap())
        );
        // And the next read on the thread starts clean.
        let again = from_slice(b"\x80\x02]q\x00(K\x08Ne.").unwrap();
        assert_eq!(
            brine_pickle::repr::repr(&again, again.root().unwrap()),
            "[8, None]"
        );
        assert_eq!(again.len(), 3);
    }
}

#[test]
fn tuples_of_scalars_and_strings_write_cpythons_bytes() {
    // `[(7,), (1, 'xyz', 2.5), (None, True, False, 'latin1', 'a', ''), t, t,
    //   (300, 70000, -1, 'é' * 9)]` with `t = (1, 'ab')`, as CPython 3.11 pickles it at
    // protocols 2 and 5: tuples of one to six items, the shared one written once and then
    // fetched from the memo, the strings CPython keeps one object of, a non-ASCII string.
    let p2: &[u8] = b"\x80\x02]q\x00(K\x07\x85q\x01K\x01X\x03\x00\x00\x00xyzq\x02G@\x04\x00\x00\x00\x00\x00\x00\x87q\x03(N\x88\x89X\x06\x00\x00\x00latin1q\x04X\x01\x00\x00\x00aq\x05X\x00\x00\x00\x00q\x06tq\x07K\x01X\x02\x00\x00\x00abq\x08\x86q\th\t(M,\x01Jp\x11\x01\x00J\xff\xff\xff\xffX\x12\x00\x00\x00\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9q\ntq\x0be.";
    let p5: &[u8] = b"\x80\x05\x95b\x00\x00\x00\x00\x00\x00\x00]\x94(K\x07\x85\x94K\x01\x8c\x03xyz\x94G@\x04\x00\x00\x00\x00\x00\x00\x87\x94(N\x88\x89\x8c\x06latin1\x94\x8c\x01a\x94\x8c\x00\x94t\x94K\x01\x8c\x02ab\x94\x86\x94h\t(M,\x01Jp\x11\x01\x00J\xff\xff\xff\xff\x8c\x12\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\x94t\x94e.";
    for (proto, data) in [(2, p2), (5, p5)] {
        let g = from_slice(data).unwrap();
        assert_eq!(to_vec(&g, &WriteOptions::protocol(proto)).unwrap(), data);
    }
}

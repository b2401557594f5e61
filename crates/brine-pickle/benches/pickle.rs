//! Criterion benchmarks for decoding and encoding, on workloads built like their Python originals
//! (the pyperformance `bm_pickle` data, a deeply shared graph, and the large lists of issue 5).
//!
//! Run: `cargo bench -p brine-pickle --bench pickle` (`-- pyperf` for the small ones only). The side-by-side comparison with CPython is
//! `python3 scripts/bench_compare.py` (see the README's Benchmarks section).

use brine_pickle::{from_slice, to_vec, Graph, NodeId, WriteOptions};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// The allocator of the `brine` binary (and of the `bench_pickle` timing tool).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `[{'id': i, 'name': 'user%d' % i, 'score': i * 0.5, 'tags': ['a', 'b']} for i in range(n)]`,
/// with the key and tag strings shared as they are in CPython (interned constants).
fn small_dicts(n: usize) -> Graph {
    let mut g = Graph::with_capacity(n * 6);
    let keys = ["id", "name", "score", "tags"].map(|k| g.str(k));
    let a = g.str("a");
    let b = g.str("b");
    let mut items = Vec::with_capacity(n);
    for i in 0..n {
        let id = g.int(i as i64);
        let name = g.str(&format!("user{i}"));
        let score = g.float(i as f64 * 0.5);
        let tags = g.list(vec![a, b]);
        items.push(g.dict(vec![
            (keys[0], id),
            (keys[1], name),
            (keys[2], score),
            (keys[3], tags),
        ]));
    }
    let root = g.list(items);
    g.set_root(root);
    g
}

/// `['s%d' % i for i in range(n)]`.
fn strings(n: usize) -> Graph {
    let mut g = Graph::with_capacity(n + 1);
    let items: Vec<NodeId> = (0..n).map(|i| g.str(&format!("s{i}"))).collect();
    let root = g.list(items);
    g.set_root(root);
    g
}

/// `list(range(-n/2, n/2))`.
fn ints(n: usize) -> Graph {
    let mut g = Graph::with_capacity(n + 1);
    let half = (n / 2) as i64;
    let items: Vec<NodeId> = (-half..half).map(|i| g.int(i)).collect();
    let root = g.list(items);
    g.set_root(root);
    g
}

/// `[i * 0.25 + 0.1 for i in range(n)]`.
fn floats(n: usize) -> Graph {
    let mut g = Graph::with_capacity(n + 1);
    let items: Vec<NodeId> = (0..n).map(|i| g.float(i as f64 * 0.25 + 0.1)).collect();
    let root = g.list(items);
    g.set_root(root);
    g
}

/// pyperformance `bm_pickle` `DICT` (without its `datetime.date`, as in `scripts/bench_compare.py`).
fn pyperf_dict() -> Graph {
    let mut g = Graph::new();
    let root = pyperf_dict_into(&mut g, 0);
    g.set_root(root);
    g
}

/// Adds one `DICT` to `g`; `salt` varies the scalar values (for `DICT_GROUP`).
fn pyperf_dict_into(g: &mut Graph, salt: i64) -> NodeId {
    let lists: [(&str, &[&str]); 5] = [
        (
            "favorite_artists",
            &[
                "Morcheeba",
                "Evanescence",
                "Angelique Kidjo",
                "Tom Waits",
                "Portishead",
                "Massive Attack",
                "The Cranberries",
                "Mazzy Star",
                "Dave Matthews Band",
            ],
        ),
        (
            "favorite_books",
            &["Chuck Palahniuk", "Harry Potter", "Perfume", "Neil Gaiman"],
        ),
        (
            "favorite_movies",
            &[
                "Stuart Little",
                "Shrek",
                "Hitch",
                "The Lord of the Rings",
                "Se7en",
            ],
        ),
        (
            "favorite_music",
            &["Brazil's Next Top Model", "The Ghost Writer"],
        ),
        (
            "favorite_tv_shows",
            &["Friends", "The Simpsons", "Prison Break", "Dexter", "Lost"],
        ),
    ];
    let ints: [(&str, i64); 12] = [
        ("ads_flags", 0),
        ("age", 18),
        ("bulletin_count", 0),
        ("comment_count", 0),
        ("id", 2111111111),
        ("mood", 0),
        ("photo_count", 0),
        ("relationship_status", 0),
        ("samples_count", 0),
        ("updated", 1212121212),
        ("visitor_count", 412317970704),
        ("salt", salt),
    ];
    let strs: [(&str, &str); 9] = [
        ("country", "BR"),
        ("encrypted_id", "G9urXXAJwjE"),
        ("favorite_quotes", ""),
        ("gender", "m"),
        ("name", "Gustavo"),
        ("picture_tag", "fernando"),
        ("profile_image_url", "http://example.invalid/image.jpg"),
        ("region", "SP"),
        ("selected_language", "pt-br"),
    ];
    let bools: [(&str, bool); 8] = [
        ("has_dolphin", false),
        ("has_green_check", false),
        ("has_profile_image", true),
        ("is_verified", false),
        ("profile_ads", false),
        ("show_chat", true),
        ("show_music", true),
        ("show_videos", true),
    ];
    let mut pairs = Vec::new();
    for (k, v) in ints {
        let (k, v) = (g.str(k), g.int(v));
        pairs.push((k, v));
    }
    for (k, v) in strs {
        let (k, v) = (g.str(k), g.str(v));
        pairs.push((k, v));
    }
    for (k, v) in bools {
        let (k, v) = (g.str(k), g.bool(v));
        pairs.push((k, v));
    }
    for (k, items) in lists {
        let k = g.str(k);
        let items: Vec<_> = items.iter().map(|s| g.str(s)).collect();
        let v = g.list(items);
        pairs.push((k, v));
    }
    g.dict(pairs)
}

/// pyperformance `DICT_GROUP`: three `DICT`s with different values.
fn pyperf_dict_group() -> Graph {
    let mut g = Graph::new();
    let items: Vec<_> = (0..3).map(|i| pyperf_dict_into(&mut g, i)).collect();
    let root = g.list(items);
    g.set_root(root);
    g
}

/// pyperformance `TUPLE`: `([20 ints], 60)`.
fn pyperf_tuple() -> Graph {
    let mut g = Graph::new();
    let items: Vec<_> = (0..20).map(|i| g.int(265_867_233 + i * 7919)).collect();
    let list = g.list(items);
    let sixty = g.int(60);
    let root = g.tuple(vec![list, sixty]);
    g.set_root(root);
    g
}

/// pyperformance `LIST`: `[[list(range(10)), list(range(10))] for _ in range(10)]`.
fn pyperf_list() -> Graph {
    let mut g = Graph::new();
    let mut outer = Vec::new();
    for _ in 0..10 {
        let mut pair = Vec::new();
        for _ in 0..2 {
            let items: Vec<_> = (0..10).map(|i| g.int(i)).collect();
            pair.push(g.list(items));
        }
        outer.push(g.list(pair));
    }
    let root = g.list(outer);
    g.set_root(root);
    g
}

/// pyperformance `MICRO_DICT`: `{k: dict.fromkeys(range(10)) for k in range(100)}`.
fn pyperf_micro_dict() -> Graph {
    let mut g = Graph::new();
    let mut pairs = Vec::new();
    for k in 0..100 {
        let key = g.int(k);
        let inner: Vec<_> = (0..10)
            .map(|i| {
                let (k, v) = (g.int(i), g.none());
                (k, v)
            })
            .collect();
        let inner = g.dict(inner);
        pairs.push((key, inner));
    }
    let root = g.dict(pairs);
    g.set_root(root);
    g
}

/// A deeply shared graph: 24 levels, each `[below, below, {'depth': len(below)}]`, over 1000
/// small shared records (as in `scripts/bench_compare.py`).
fn shared_graph() -> Graph {
    let mut g = Graph::new();
    let (k, v) = (g.str("k"), g.str("v"));
    let leaf: Vec<NodeId> = (0..1000)
        .map(|i| {
            let n = g.int(i);
            let n2 = g.int(i);
            let s = g.str(&i.to_string());
            let pair = g.list(vec![n2, s]);
            g.dict(vec![(k, n), (v, pair)])
        })
        .collect();
    let depth = g.str("depth");
    let mut len = leaf.len() as i64;
    let mut node = g.list(leaf);
    for _ in 0..24 {
        let n = g.int(len);
        let d = g.dict(vec![(depth, n)]);
        node = g.list(vec![node, node, d]);
        len = 3;
    }
    g.set_root(node);
    g
}

fn bench(c: &mut Criterion) {
    let workloads: [(&str, Graph); 10] = [
        ("pyperf_DICT", pyperf_dict()),
        ("pyperf_TUPLE", pyperf_tuple()),
        ("pyperf_DICT_GROUP", pyperf_dict_group()),
        ("pyperf_LIST", pyperf_list()),
        ("pyperf_MICRO_DICT", pyperf_micro_dict()),
        ("shared_graph", shared_graph()),
        ("dicts_1M", small_dicts(1_000_000)),
        ("strings_2M", strings(2_000_000)),
        ("ints_5M", ints(5_000_000)),
        ("floats_5M", floats(5_000_000)),
    ];
    let mut group = c.benchmark_group("pickle");
    group.sample_size(10);
    for (name, graph) in &workloads {
        for protocol in [2u8, 5] {
            let options = WriteOptions::protocol(protocol);
            let Ok(bytes) = to_vec(graph, &options) else {
                continue;
            };
            group.throughput(Throughput::Bytes(bytes.len() as u64));
            group.bench_with_input(
                BenchmarkId::new(format!("decode/p{protocol}"), name),
                &bytes,
                |b, bytes| b.iter(|| from_slice(bytes)),
            );
            group.bench_with_input(
                BenchmarkId::new(format!("encode/p{protocol}"), name),
                graph,
                |b, graph| b.iter(|| to_vec(graph, &options)),
            );
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

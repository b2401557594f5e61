//! Criterion benchmarks for decoding and encoding, on workloads built like their Python originals.
//!
//! Run: `cargo bench -p brine-pickle --bench pickle`. The side-by-side comparison with CPython is
//! `python3 scripts/bench_compare.py` (see the README's Benchmarks section).

use brine_pickle::{from_slice, to_vec, Graph, NodeId, WriteOptions};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

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

fn bench(c: &mut Criterion) {
    let workloads: [(&str, Graph); 4] = [
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

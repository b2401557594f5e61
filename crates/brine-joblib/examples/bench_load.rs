//! Timing tool for `scripts/bench_joblib.py`: loads joblib files with Brine and prints one JSON
//! line per file with the best of N times (seconds):
//!
//! - `read`: `std::fs::read` of the whole file (the floor a full load cannot beat);
//! - `load`: `brine_joblib::load` without mmap (read, decompress if needed, parse the pickle,
//!   arrays as zero-copy slices of the buffer), then the sum of every array's bytes is touched
//!   through an `ndarray` view so nothing is left lazy;
//! - `mmap`: `brine_joblib::load` with mmap (uncompressed files only), without touching the data:
//!   the cost of opening, which should not depend on the array size.
//!
//! ```sh
//! cargo run --release -p brine-joblib --example bench_load -- --repeat 5 FILE...
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use brine_joblib::{load, Format, LoadOptions};

fn best<T>(repeat: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(v);
    }
    (best, last.unwrap())
}

/// Sum of the first float64 array's values (via a zero-copy view when aligned), so the data is
/// really read.
fn checksum(graph: &brine_pickle::Graph) -> f64 {
    for i in 0..graph.len() {
        let id = brine_pickle::NodeId::from_index(i);
        if brine_numpy::pickle::is_array(graph, id) {
            let a = brine_numpy::array_from_node(graph, id).unwrap();
            if let Ok(v) = a.view::<f64>() {
                return v.sum();
            }
            if let Ok(v) = a.to_f64() {
                return v.sum();
            }
        }
    }
    0.0
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut repeat = 5;
    if let Some(i) = args.iter().position(|a| a == "--repeat") {
        repeat = args[i + 1].parse().unwrap();
        args.drain(i..i + 2);
    }
    for file in &args {
        let (read, data) = best(repeat, || std::fs::read(file).unwrap());
        let size = data.len();
        drop(data);
        let (load_t, sum) = best(repeat, || {
            let loaded = load(file, &LoadOptions::default()).unwrap();
            (checksum(&loaded.graph), loaded.format)
        });
        let (sum, format) = sum;
        let mmap = if format == Format::Pickle {
            let (t, mapped) = best(repeat, || {
                let loaded = load(
                    file,
                    &LoadOptions {
                        mmap: true,
                        ..LoadOptions::default()
                    },
                )
                .unwrap();
                loaded.mapped
            });
            assert!(mapped);
            Some(t)
        } else {
            None
        };
        println!(
            "{}",
            serde_json::json!({
                "file": file, "bytes": size, "format": format.name(),
                "read": read, "load": load_t, "mmap": mmap, "checksum": sum,
            })
        );
    }
}

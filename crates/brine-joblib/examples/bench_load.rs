//! Timing tool for `scripts/bench_joblib.py`: loads joblib files with Brine and prints one JSON
//! line per file with the best of N times (seconds):
//!
//! - `read`: `std::fs::read` of the whole file;
//! - `read_huge`: reading the whole file into a buffer advised for transparent huge pages, as
//!   numpy allocates its arrays (the floor a full load cannot beat: on a virtual machine 4 KiB page
//!   faults dominate `std::fs::read` of a big file);
//! - `load`: `brine_joblib::load` without mmap (read, decompress if needed, parse the pickle,
//!   arrays as zero-copy slices of the buffer): everything is in memory afterwards, as after
//!   `joblib.load` (the first float64 array is summed through an `ndarray` view once, untimed, as
//!   a check);
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
        let (read_huge, _) = best(repeat, || {
            let mut map = memmap2::MmapMut::map_anon(size.max(1)).unwrap();
            #[cfg(target_os = "linux")]
            let _ = map.advise(memmap2::Advice::HugePage);
            std::io::Read::read_exact(&mut std::fs::File::open(file).unwrap(), &mut map[..size])
                .unwrap();
            map
        });
        let (load_t, loaded) = best(repeat, || load(file, &LoadOptions::default()).unwrap());
        let (sum, format) = (checksum(&loaded.graph), loaded.format);
        drop(loaded);
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
                "read": read, "read_huge": read_huge, "load": load_t, "mmap": mmap, "checksum": sum,
            })
        );
    }
}

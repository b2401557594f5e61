//! Timing tool behind `scripts/bench_compare.py`: decodes and re-encodes one pickle file with Brine.
//!
//! ```text
//! cargo run --release -p brine-pickle --example bench_pickle -- [--quick] FILE
//! ```
//!
//! Prints one JSON object: the best decode and encode times in seconds, whether the re-encoding at
//! the file's own protocol is byte-identical to the input, and the peak heap bytes allocated while
//! decoding (the decoded value, not counting the input buffer).

use std::time::{Duration, Instant};

use brine_pickle::{from_slice, to_vec, WriteOptions};
use peak_alloc::PeakAlloc;

#[global_allocator]
static PEAK: PeakAlloc = PeakAlloc;

/// The protocol a pickle declares with PROTO (0 when it has none).
fn protocol_of(data: &[u8]) -> u8 {
    match data {
        [0x80, p, ..] => *p,
        _ => 0,
    }
}

/// Best per-call time of `f` over repeats of about `budget` each.
fn best_time(repeats: usize, budget: Duration, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    f();
    let once = start.elapsed().max(Duration::from_nanos(1));
    let number = (budget.as_secs_f64() / once.as_secs_f64()).max(1.0) as usize;
    let mut best = once.as_secs_f64();
    for _ in 0..repeats {
        let start = Instant::now();
        for _ in 0..number {
            f();
        }
        best = best.min(start.elapsed().as_secs_f64() / number as f64);
    }
    best
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut quick = false;
    let mut path = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--quick" => quick = true,
            _ => path = Some(arg),
        }
    }
    let path = path.ok_or("usage: bench_pickle [--quick] FILE")?;
    let data = std::fs::read(&path)?;
    let options = WriteOptions::protocol(protocol_of(&data));
    let repeats = if quick { 3 } else { 7 };
    let budget = Duration::from_millis(200);

    // Peak heap of one decode, above what is live before it (the input buffer).
    PEAK.reset_peak_usage();
    let base = PEAK.current_usage();
    let graph = from_slice(&data)?;
    let peak_bytes = PEAK.peak_usage().saturating_sub(base);

    let encoded = to_vec(&graph, &options)?;
    let identical = encoded == data;

    let decode_s = best_time(repeats, budget, || {
        let g = from_slice(&data);
        std::hint::black_box(&g);
    });
    let encode_s = best_time(repeats, budget, || {
        let out = to_vec(&graph, &options);
        std::hint::black_box(&out);
    });
    println!(
        "{{\"decode_s\": {decode_s:e}, \"encode_s\": {encode_s:e}, \"identical\": {identical}, \"peak_bytes\": {peak_bytes}, \"nodes\": {}}}",
        graph.len()
    );
    Ok(())
}

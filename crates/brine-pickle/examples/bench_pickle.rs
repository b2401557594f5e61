//! Timing tool behind `scripts/bench_compare.py`: decodes and re-encodes one pickle file with Brine.
//!
//! ```text
//! cargo run --release -p brine-pickle --example bench_pickle -- [--quick] FILE
//! ```
//!
//! Prints one JSON object: the best decode and encode times in seconds (each decode includes
//! dropping the decoded graph, as CPython's timing includes freeing the value), and whether the
//! re-encoding at the file's own protocol is byte-identical to the input. It runs on mimalloc, the
//! allocator of the `brine` binary; peak memory is measured by the `bench_peak` example.
//!
//! `--only decode` or `--only encode` times one side (for profiling); `--budget-ms N` sets the
//! time per repeat; `--iters N` runs N decodes and/or encodes untimed (for instruction counts).

use std::time::{Duration, Instant};

use brine_pickle::{from_slice, to_vec, WriteOptions};

/// The allocator of the `brine` binary, so that the times are the ones its users see.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    let mut only = None;
    let mut budget_ms = 200;
    let mut iters: Option<usize> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--only" => only = args.next(),
            "--budget-ms" => budget_ms = args.next().and_then(|s| s.parse().ok()).unwrap_or(200),
            "--iters" => iters = args.next().and_then(|s| s.parse().ok()),
            _ => path = Some(arg),
        }
    }
    let usage =
        "usage: bench_pickle [--quick] [--only decode|encode] [--budget-ms N] [--iters N] FILE";
    let path = path.ok_or(usage)?;
    let data = std::fs::read(&path)?;
    let options = WriteOptions::protocol(protocol_of(&data));
    let repeats = if quick { 3 } else { 7 };
    let budget = Duration::from_millis(budget_ms);

    let graph = from_slice(&data)?;
    let encoded = to_vec(&graph, &options)?;
    let identical = encoded == data;

    if let Some(n) = iters {
        // A fixed amount of work, for instruction counting (valgrind --tool=callgrind).
        for _ in 0..n {
            if only.as_deref() != Some("encode") {
                std::hint::black_box(&from_slice(&data));
            }
            if only.as_deref() != Some("decode") {
                std::hint::black_box(&to_vec(&graph, &options));
            }
        }
        return Ok(());
    }
    let mut decode_s = f64::NAN;
    let mut encode_s = f64::NAN;
    if only.as_deref() != Some("encode") {
        decode_s = best_time(repeats, budget, || {
            let g = from_slice(&data);
            std::hint::black_box(&g);
        });
    }
    if only.as_deref() != Some("decode") {
        encode_s = best_time(repeats, budget, || {
            let out = to_vec(&graph, &options);
            std::hint::black_box(&out);
        });
    }
    println!(
        "{{\"decode_s\": {decode_s:e}, \"encode_s\": {encode_s:e}, \"identical\": {identical}, \"nodes\": {}}}",
        graph.len()
    );
    Ok(())
}

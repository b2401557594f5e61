//! Peak-memory tool behind `scripts/bench_compare.py`: decodes one pickle file with Brine under a
//! counting allocator.
//!
//! ```text
//! cargo run --release -p brine-pickle --example bench_peak -- FILE
//! ```
//!
//! Prints one JSON object: the peak heap bytes allocated while decoding (the decoded value and
//! everything the reader needed on the way, not counting the input buffer), the bytes still held
//! by the decoded value afterwards, and its node count. This lives apart from `bench_pickle` so
//! that the counting allocator (two atomic operations per call, no in-place `realloc`) does not
//! slow down the timed runs.

use brine_pickle::from_slice;
use peak_alloc::PeakAlloc;

#[global_allocator]
static PEAK: PeakAlloc = PeakAlloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: bench_peak FILE")?;
    let data = std::fs::read(&path)?;
    PEAK.reset_peak_usage();
    let base = PEAK.current_usage();
    let graph = from_slice(&data)?;
    let peak_bytes = PEAK.peak_usage().saturating_sub(base);
    let live_bytes = PEAK.current_usage().saturating_sub(base);
    println!(
        "{{\"peak_bytes\": {peak_bytes}, \"live_bytes\": {live_bytes}, \"nodes\": {}}}",
        graph.len()
    );
    Ok(())
}

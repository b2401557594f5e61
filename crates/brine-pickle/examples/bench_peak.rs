//! Peak-memory tool behind `scripts/bench_compare.py`: decodes one pickle file with Brine under a
//! counting allocator.
//!
//! ```text
//! cargo run --release -p brine-pickle --example bench_peak -- FILE
//! ```
//!
//! Prints one JSON object: the peak heap bytes allocated while decoding (the decoded value and
//! everything the reader needed on the way, not counting the input buffer), the bytes held by the
//! decoded value afterwards (what dropping it gives back), its node count, and the growth of the resident set (peak RSS
//! after decoding minus RSS before, from `/proc/self/status`; 0 where that file does not exist).
//! The counting allocator takes every `realloc` as a new allocation plus a copy, so its peak
//! overstates a growing `Vec` that the system allocator extends in place; the RSS figure does not. This lives apart from `bench_pickle` so
//! that the counting allocator (two atomic operations per call, no in-place `realloc`) does not
//! slow down the timed runs.

use brine_pickle::from_slice;
use peak_alloc::PeakAlloc;

#[global_allocator]
static PEAK: PeakAlloc = PeakAlloc;

/// A `kB` field of `/proc/self/status` (0 if unavailable).
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: bench_peak FILE")?;
    let data = std::fs::read(&path)?;
    let rss_before = status_kib("VmRSS:");
    PEAK.reset_peak_usage();
    let base = PEAK.current_usage();
    let graph = from_slice(&data)?;
    let peak_bytes = PEAK.peak_usage().saturating_sub(base);
    let rss_bytes = status_kib("VmHWM:").saturating_sub(rss_before) * 1024;
    // What the value holds is what dropping it gives back (the reader's scratch vectors, which
    // it keeps per thread for the next read, are not part of the value).
    let nodes = graph.len();
    let with_value = PEAK.current_usage();
    drop(graph);
    let live_bytes = with_value.saturating_sub(PEAK.current_usage());
    println!(
        "{{\"peak_bytes\": {peak_bytes}, \"live_bytes\": {live_bytes}, \"rss_bytes\": {rss_bytes}, \"nodes\": {nodes}}}"
    );
    Ok(())
}

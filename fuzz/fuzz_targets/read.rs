//! Fuzz target `read`: any bytes go through the reader; whatever decodes is printed (repr, JSON),
//! disassembled, written again at every protocol, and must read back.
//!
//! Run: `cargo +nightly fuzz run read` (or `RUSTC_BOOTSTRAP=1 cargo fuzz run read`) from the
//! repository root.
#![no_main]

use brine_pickle::dis::{dis_to, DisOptions};
use brine_pickle::read::ReadOptions;
use brine_pickle::repr::{repr_with, ReprOptions};
use brine_pickle::{from_slice, to_vec, WriteOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = dis_to(data, &mut std::io::sink(), &DisOptions::default());
    // Also with placeholder out-of-band buffers, so NEXT_BUFFER paths are reached.
    let lenient = ReadOptions::new().allow_unresolved_buffers(true);
    let _ = brine_pickle::read::from_slice_with(data, lenient);
    let Ok(graph) = from_slice(data) else {
        return;
    };
    let Some(root) = graph.root() else {
        return;
    };
    let _ = repr_with(&graph, root, &ReprOptions { max_len: 1 << 16 });
    let _ = brine_pickle::json::to_json_string(&graph, root);
    for protocol in 0..=5u8 {
        if let Ok(bytes) = to_vec(&graph, &WriteOptions::protocol(protocol)) {
            if let Err(err) = from_slice(&bytes) {
                panic!("written at protocol {protocol}, it does not read back: {err}");
            }
        }
    }
});

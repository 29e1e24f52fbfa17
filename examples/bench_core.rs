//! Core micro-benchmarks, native (the wasm twin is `tests/wasm_bench.rs`).
//!
//! ```text
//! cargo run --release --example bench_core            # table on stdout
//! cargo run --release --example bench_core -- --json  # one JSON line (what scripts/bench.sh reads)
//! BENCH_RUNS=21 cargo run --release --example bench_core
//! ```
//! Cases: parse a 1 MB tools list, split/merge a 50-item multi-execute, validate 1,000 tool
//! calls, format 500 tools for each provider. Each is reported as a median and as a ratio to
//! `serde_json::from_slice::<Value>` of the same input bytes, measured in the same run.

#[path = "../bench/core_cases.rs"]
mod cases;

use std::time::Instant;

fn main() {
    let runs = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(11usize);
    let start = Instant::now();
    let now_ms = move || start.elapsed().as_secs_f64() * 1000.0;
    let results = cases::run_all(&now_ms, runs, 5.0);
    if std::env::args().any(|a| a == "--json") {
        println!("{}", cases::to_json("native", &results));
    } else {
        print!("{}", cases::table("native", &results));
    }
}

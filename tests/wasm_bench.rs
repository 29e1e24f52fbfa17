//! The core micro-benchmarks in wasm32 under Node (the native twin is `examples/bench_core.rs`).
//! Ignored by default (timings never run in CI); `scripts/bench.sh` runs it with:
//!
//! ```text
//! cargo test --release --target wasm32-unknown-unknown --test wasm_bench -- --include-ignored --nocapture
//! ```
//! It prints the table and a `BENCH_JSON {…}` line. Ratios are against `serde_json` parsing the
//! same bytes inside the same wasm instance.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../bench/core_cases.rs"]
mod cases;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

/// `performance.now()` (Node ≥ 16 and every browser have it on the global object).
fn now_ms() -> f64 {
    let global = js_sys::global();
    let perf = js_sys::Reflect::get(&global, &JsValue::from_str("performance")).unwrap();
    let now = js_sys::Reflect::get(&perf, &JsValue::from_str("now")).unwrap();
    let now: js_sys::Function = now.dyn_into().unwrap();
    now.call0(&perf).unwrap().as_f64().unwrap_or(0.0)
}

#[wasm_bindgen_test]
#[ignore = "benchmark: run by scripts/bench.sh"]
fn core_micro_benchmarks_in_wasm() {
    let results = cases::run_all(&now_ms, 11, 5.0);
    assert!(!results.is_empty());
    console_log!("{}", cases::table("wasm32 under Node", &results));
    console_log!("BENCH_JSON {}", cases::to_json("wasm32-node", &results));
}

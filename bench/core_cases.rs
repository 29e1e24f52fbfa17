//! The core micro-benchmarks, shared by `examples/bench_core.rs` (native) and
//! `tests/wasm_bench.rs` (wasm32 under Node). Included with `#[path]`, so it only uses the
//! public API of the crate and takes its clock as an argument (`Instant` does not exist on
//! wasm32-unknown-unknown).
//!
//! Every case is measured beside a *baseline* on the same bytes in the same run:
//! `serde_json::from_slice::<Value>` of the case's input. Ratios (case / baseline) are what we
//! compare across machines and targets; absolute times are printed for reference only.

use composio_edge::provider::Provider;
use composio_edge::tools::multi::{
    merge_multi_execute, plan_multi_execute, MultiPlan, ToolOutcome, MULTI_EXECUTE_TOOL,
};
use composio_edge::tools::schema::check_arguments;
use composio_edge::wire::{ExecuteResponse, Tool};
use std::cell::Cell;

use composio_edge::json;
use composio_edge::json::{Map, Value};

/// One benchmark result (times in microseconds per operation, medians).
pub struct CaseResult {
    /// Case name, e.g. `parse_tools_1mb`.
    pub name: String,
    /// Median time of the case, µs per operation.
    pub median_us: f64,
    /// Median time of the baseline (`serde_json` parse of the same input), µs per operation.
    pub baseline_us: f64,
    /// Median over the rounds of (case time / baseline time), each round timing both.
    pub ratio: f64,
    /// Size of the input in bytes.
    pub input_bytes: usize,
}

impl CaseResult {
    /// One JSON object.
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "median_us": round3(self.median_us),
            "baseline_us": round3(self.baseline_us),
            "ratio": round3(self.ratio),
            "input_bytes": self.input_bytes,
        })
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A small deterministic generator (xorshift64*), so native and wasm see the same data.
pub struct Lcg(u64);

impl Lcg {
    /// Seeded generator.
    pub fn new(seed: u64) -> Self {
        Lcg(seed.max(1))
    }
    /// Next value.
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A value in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const WORDS: &[&str] = &[
    "send",
    "email",
    "issue",
    "repository",
    "message",
    "channel",
    "calendar",
    "event",
    "page",
    "search",
    "list",
    "create",
    "update",
    "delete",
    "user",
    "team",
    "label",
    "comment",
    "draft",
    "thread",
    "attachment",
    "project",
    "status",
    "priority",
    "owner",
    "title",
    "body",
    "query",
];

fn words(rng: &mut Lcg, n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
    }
    s
}

/// A realistic tool: an object schema with 4–9 typed properties (strings with patterns/formats,
/// integers with bounds, enums, arrays of strings, a nested object), some required.
pub fn tool(rng: &mut Lcg, i: usize) -> Value {
    let toolkit = ["gmail", "github", "slack", "notion", "linear"][i % 5];
    let slug = format!("{}_{}_{}", toolkit.to_ascii_uppercase(), "ACTION", i);
    let mut props = Map::new();
    let mut required = Vec::new();
    let n = 4 + rng.below(6) as usize;
    for p in 0..n {
        let name = format!("{}_{p}", WORDS[rng.below(WORDS.len() as u64) as usize]);
        let desc = words(rng, 8);
        let schema = match p % 6 {
            0 => json!({"type": "string", "description": desc, "minLength": 1, "maxLength": 200}),
            1 => json!({"type": "integer", "description": desc, "minimum": 0, "maximum": 1000}),
            2 => json!({"type": "string", "description": desc, "enum": ["low", "medium", "high"]}),
            3 => {
                json!({"type": "array", "description": desc, "items": {"type": "string", "format": "email"}, "maxItems": 10})
            }
            4 => json!({"type": "boolean", "description": desc, "default": false}),
            _ => json!({"type": "object", "description": desc, "properties": {
                "key": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                "value": {"type": ["string", "null"]}
            }, "required": ["key"]}),
        };
        if p % 2 == 0 {
            required.push(Value::from(name.clone()));
        }
        props.insert(name, schema);
    }
    json!({
        "slug": slug,
        "name": words(rng, 3),
        "description": words(rng, 30),
        "toolkit": {"slug": toolkit, "name": toolkit, "logo": format!("https://logos.composio.dev/api/{toolkit}")},
        "input_parameters": {"type": "object", "properties": props, "required": required, "additionalProperties": false},
        "output_parameters": {"type": "object", "properties": {"data": {"type": "object"}, "successful": {"type": "boolean"}, "error": {"type": ["string", "null"]}}},
        "no_auth": false,
        "available_versions": ["20260401_00"],
        "version": "20260401_00",
        "scopes": [],
        "tags": ["readOnlyHint"],
        "is_deprecated": false
    })
}

/// Valid arguments for a tool generated by [`tool`].
pub fn valid_args(rng: &mut Lcg, tool: &Value) -> Value {
    let mut args = Map::new();
    if let Some(props) = tool["input_parameters"]["properties"].as_object() {
        for (k, s) in props {
            let v = match s["type"].as_str() {
                Some("string") if s.get("enum").is_some() => json!("medium"),
                Some("string") => json!(words(rng, 3)),
                Some("integer") => json!(rng.below(1000)),
                Some("array") => json!(["a@example.com", "b@example.com"]),
                Some("boolean") => json!(true),
                _ => json!({"key": "k_1", "value": null}),
            };
            args.insert(k.clone(), v);
        }
    }
    Value::Object(args)
}

/// A tools-list response (`{"items": [...], "next_cursor": null, "total_pages": 1}`) of at
/// least `min_bytes` bytes.
pub fn tools_list_bytes(min_bytes: usize) -> Vec<u8> {
    let mut rng = Lcg::new(42);
    let mut items = Vec::new();
    let mut size = 0;
    let mut i = 0;
    while size < min_bytes {
        let t = tool(&mut rng, i);
        size += t.to_string().len() + 1;
        items.push(t);
        i += 1;
    }
    json!({"items": items, "next_cursor": null, "total_pages": 1})
        .to_string()
        .into_bytes()
}

/// How many calls of `f` make one sample of at least `min_sample_ms`.
fn calibrate(now_ms: &dyn Fn() -> f64, min_sample_ms: f64, f: &mut dyn FnMut()) -> usize {
    f(); // warm-up
    let mut reps = 1usize;
    loop {
        let t0 = now_ms();
        for _ in 0..reps {
            f();
        }
        let dt = now_ms() - t0;
        if dt >= min_sample_ms || reps >= 1 << 20 {
            return reps;
        }
        reps = if dt <= 0.0 {
            reps * 10
        } else {
            ((reps as f64) * min_sample_ms / dt * 1.2).ceil() as usize
        }
        .max(reps + 1);
    }
}

fn sample_us(now_ms: &dyn Fn() -> f64, reps: usize, f: &mut dyn FnMut()) -> f64 {
    let t0 = now_ms();
    for _ in 0..reps {
        f();
    }
    (now_ms() - t0) * 1000.0 / reps as f64
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    xs.get(xs.len() / 2).copied().unwrap_or(0.0)
}

/// Times the case `f` and its baseline `g` in alternating samples (`runs` rounds, each sample
/// at least `min_sample_ms`), so both see the same machine noise. Returns the median µs per
/// call of each and the median of the per-round ratios.
pub fn paired(
    now_ms: &dyn Fn() -> f64,
    runs: usize,
    min_sample_ms: f64,
    f: &mut dyn FnMut(),
    g: &mut dyn FnMut(),
) -> (f64, f64, f64) {
    let rf = calibrate(now_ms, min_sample_ms, f);
    let rg = calibrate(now_ms, min_sample_ms, g);
    let (mut fs, mut gs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..runs {
        let (a, b) = if i % 2 == 0 {
            let a = sample_us(now_ms, rf, f);
            (a, sample_us(now_ms, rg, g))
        } else {
            let b = sample_us(now_ms, rg, g);
            (sample_us(now_ms, rf, f), b)
        };
        fs.push(a);
        gs.push(b);
        if b > 0.0 {
            ratios.push(a / b);
        }
    }
    (median(fs), median(gs), median(ratios))
}

fn parse_baseline(bytes: &[u8]) -> usize {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => m.len(),
        Ok(Value::Array(a)) => a.len(),
        _ => 0,
    }
}

/// Runs every case. `runs` samples per measurement, each at least `min_sample_ms` long.
pub fn run_all(now_ms: &dyn Fn() -> f64, runs: usize, min_sample_ms: f64) -> Vec<CaseResult> {
    let mut out = Vec::new();
    // Results are folded into this so the optimizer cannot drop the work.
    let sink = Cell::new(0usize);
    let keep = |n: usize| sink.set(sink.get().wrapping_add(n));
    let mut case = |name: String, input: &[u8], f: &mut dyn FnMut()| {
        let (median_us, baseline_us, ratio) = paired(now_ms, runs, min_sample_ms, f, &mut || {
            keep(parse_baseline(input))
        });
        out.push(CaseResult {
            name,
            median_us,
            baseline_us,
            ratio,
            input_bytes: input.len(),
        });
    };

    // 1. Parse a 1 MB tools list into typed `Tool`s (the client's hot path on GET …/tools).
    let list = tools_list_bytes(1 << 20);
    #[derive(serde::Deserialize)]
    struct Page {
        items: Vec<Tool>,
    }
    case("parse_tools_1mb".into(), &list, &mut || {
        if let Ok(p) = serde_json::from_slice::<Page>(&list) {
            keep(p.items.len());
        }
    });
    let all: Vec<Tool> = serde_json::from_slice::<Page>(&list)
        .map(|p| p.items)
        .unwrap_or_default();

    // 2. Split and merge a 50-item multi-execute (25 local custom tools, 25 remote), from the
    //    request bytes to the merged result's JSON.
    let items: Vec<Value> = (0..50)
        .map(|i| {
            let slug = if i % 2 == 0 {
                format!("LOCAL_GREP_{i}")
            } else {
                format!("GITHUB_ACTION_{i}")
            };
            json!({"tool_slug": slug, "arguments": {"query": format!("q{i}"), "limit": i}})
        })
        .collect();
    let input =
        json!({"tools": items, "thought": "run them all", "sync_response_to_workbench": false});
    let input_bytes = input.to_string().into_bytes();
    let remote_results: Vec<Value> = (0..25)
        .map(|i| json!({"response": {"successful": true, "data": {"n": i, "items": [1, 2, 3]}}, "tool_slug": format!("GITHUB_ACTION_{}", 2 * i + 1), "index": i}))
        .collect();
    let remote = ExecuteResponse {
        result_type: Some("completed".into()),
        data: json!({"results": remote_results, "total_count": 25, "success_count": 25, "error_count": 0}),
        error: None,
        log_id: "log_bench".into(),
        extra: Map::new(),
    };
    case(
        format!("multi_execute_split_merge_50 ({MULTI_EXECUTE_TOOL})"),
        &input_bytes,
        &mut || {
            let Ok(input) = serde_json::from_slice::<Value>(&input_bytes) else {
                return;
            };
            if let MultiPlan::Split(plan) = plan_multi_execute(&input, |s| s.starts_with("LOCAL_"))
            {
                let locals = plan
                    .locals
                    .iter()
                    .map(|c| ToolOutcome::ok(json!({"matched": c.tool_slug, "args": c.arguments})))
                    .collect();
                let merged = merge_multi_execute(&plan, locals, Some(Ok(remote.clone())));
                keep(merged.to_json().to_string().len());
            }
        },
    );

    // 3. Validate 1,000 tool calls against their schemas (every tenth one is invalid).
    let mut rng = Lcg::new(7);
    let raw_tools: Vec<Value> = serde_json::from_slice::<Value>(&list)
        .ok()
        .and_then(|v| v["items"].as_array().cloned())
        .unwrap_or_default();
    let calls: Vec<(String, Value, Value)> = (0..1000)
        .filter_map(|i| {
            let t = raw_tools.get(rng.below(raw_tools.len() as u64) as usize)?;
            let mut args = valid_args(&mut rng, t);
            if i % 10 == 0 {
                args["unexpected"] = json!(1);
            }
            Some((
                t["slug"].as_str().unwrap_or_default().to_owned(),
                t["input_parameters"].clone(),
                args,
            ))
        })
        .collect();
    let calls_bytes = Value::Array(calls.iter().map(|(_, _, a)| a.clone()).collect())
        .to_string()
        .into_bytes();
    let invalid = calls
        .iter()
        .filter(|(slug, schema, args)| check_arguments(slug, schema, args).is_err())
        .count();
    case(
        format!("validate_1000_calls ({invalid} invalid)"),
        &calls_bytes,
        &mut || {
            for (slug, schema, args) in &calls {
                keep(check_arguments(slug, schema, args).is_err() as usize);
            }
        },
    );

    // 4. Format 500 tools for each provider.
    let five_hundred: Vec<Tool> = all.iter().take(500).cloned().collect();
    let five_bytes = serde_json::to_vec(&five_hundred).unwrap_or_default();
    for name in [
        "openai",
        "openai-responses",
        "openai-responses-strict",
        "anthropic",
        "gemini",
        "vercel",
    ] {
        let Ok(p) = Provider::parse(name) else {
            continue;
        };
        case(format!("format_500_tools_{name}"), &five_bytes, &mut || {
            keep(std::hint::black_box(p.format_tools(&five_hundred)).is_null() as usize);
        });
    }
    if sink.get() == usize::MAX {
        out.clear();
    }
    out
}

/// The results as one JSON document.
pub fn to_json(target: &str, results: &[CaseResult]) -> Value {
    json!({
        "target": target,
        "baseline": "serde_json::from_slice::<Value> of the same input bytes, same run",
        "cases": results.iter().map(CaseResult::to_json).collect::<Vec<_>>(),
    })
}

/// A text table.
pub fn table(target: &str, results: &[CaseResult]) -> String {
    let mut s = format!(
        "core micro-benchmarks ({target}); ratio = time / serde_json parse of the same bytes\n{:<58} {:>12} {:>12} {:>8}\n",
        "case", "median µs", "baseline µs", "ratio"
    );
    for r in results {
        s.push_str(&format!(
            "{:<58} {:>12.1} {:>12.1} {:>8.2}\n",
            r.name, r.median_us, r.baseline_us, r.ratio
        ));
    }
    s
}

//! `tools::multi::{plan_multi_execute, merge_multi_execute}` (wire §6.7) over arbitrary inputs,
//! remote answers and local outcomes, as `input\0remote\0locals`. Invariants: the plan
//! partitions the items, merged results are re-indexed 0..n-1, the counters agree with the
//! results, and `successful` is exactly "no error".
#![no_main]

#[path = "common.rs"]
mod common;

use composio_edge::tools::multi::{
    merge_multi_execute, plan_multi_execute, MultiPlan, ToolOutcome,
};
use composio_edge::wire::ExecuteResponse;
use libfuzzer_sys::fuzz_target;
use composio_edge::json::Value;

fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(_) => true,
    }
}

fuzz_target!(|data: &[u8]| {
    let (input, rest) = common::split2(data);
    let (remote, locals) = common::split2(rest);
    let input = common::json_or_string(input);
    let is_local = |s: &str| s.starts_with('L');

    let plan = match plan_multi_execute(&input, is_local) {
        MultiPlan::Forward => return,
        MultiPlan::Split(p) => p,
    };
    let items = input["tools"].as_array().expect("a split input has tools");
    let n = items.len();
    assert_eq!(plan.slugs.len(), n);
    let mut seen = vec![false; n];
    for c in &plan.locals {
        assert!(is_local(&c.tool_slug));
        assert!(!std::mem::replace(&mut seen[c.index], true));
    }
    for &i in &plan.remote_indices {
        assert!(!std::mem::replace(&mut seen[i], true));
    }
    assert!(seen.iter().all(|&s| s), "plan does not cover every item");
    assert!(!plan.locals.is_empty());
    match &plan.remote_input {
        None => assert!(plan.remote_indices.is_empty()),
        Some(r) => {
            assert_eq!(
                r["tools"].as_array().map(Vec::len),
                Some(plan.remote_indices.len())
            );
            for (k, v) in input.as_object().into_iter().flatten() {
                if k != "tools" {
                    assert_eq!(r.get(k), Some(v));
                }
            }
        }
    }

    // Remote answer: none, a transport failure, or an execute response.
    let remote_answer = match remote.first() {
        _ if plan.remote_input.is_none() => None,
        Some(b'!') => Some(Err(String::from_utf8_lossy(&remote[1..]).into_owned())),
        _ => Some(Ok(
            serde_json::from_slice::<ExecuteResponse>(remote).unwrap_or_default()
        )),
    };
    let outcomes: Vec<ToolOutcome> = plan
        .locals
        .iter()
        .enumerate()
        .map(|(i, _)| match locals.get(i).copied().unwrap_or(0) % 4 {
            0 => ToolOutcome::ok(Value::from(i)),
            1 => ToolOutcome::ok(Value::Null),
            2 => ToolOutcome::failed("local failure"),
            _ => ToolOutcome::failed(""),
        })
        .collect();
    let single = plan.remote_indices.is_empty() && outcomes.len() == 1;
    let first = outcomes.first().cloned();
    let out = merge_multi_execute(&plan, outcomes, remote_answer);
    if single {
        assert_eq!(Some(out), first);
        return;
    }
    assert_eq!(out.successful, out.error.is_none(), "{out:?}");
    let results = out.data["results"]
        .as_array()
        .expect("merged data has results");
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r["index"], Value::from(i), "results are re-indexed");
    }
    if let Some(total) = out.data.get("total_count") {
        let failed = results.iter().filter(|r| truthy(r.get("error"))).count();
        assert_eq!(total, &Value::from(results.len()));
        assert_eq!(out.data["error_count"], Value::from(failed));
        assert_eq!(
            out.data["success_count"],
            Value::from(results.len() - failed)
        );
    }
    let _ = out.to_json();
});

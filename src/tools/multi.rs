//! The COMPOSIO_MULTI_EXECUTE_TOOL split/merge (wire §6.7), as pure functions.
//!
//! A multi-execute call whose `tools` mix local custom tools and remote tools is split with
//! [`plan_multi_execute`]: the caller runs each [`LocalCall`] in-process and sends
//! [`SplitPlan::remote_input`] (the original input with only the remote items) to the backend,
//! then combines everything with [`merge_multi_execute`], exactly as the official SDK does.

use crate::json::{Map, Value};

use crate::wire::ExecuteResponse;
use crate::Error;

/// Slug of the multi-execute meta tool.
pub const MULTI_EXECUTE_TOOL: &str = "COMPOSIO_MULTI_EXECUTE_TOOL";

/// The result of one tool execution in the SDK's `{data, error, successful}` shape.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ToolOutcome {
    /// Tool output (`{}` when a local tool failed).
    pub data: Value,
    /// Error message, `None` on success.
    pub error: Option<String>,
    /// Whether the execution succeeded.
    pub successful: bool,
    /// Extra fields carried along: `log_id`, `premium_charge`, `instant_charge`.
    pub extra: Map,
}

impl ToolOutcome {
    /// A successful outcome (§6.6: a `null` result becomes `{}`).
    pub fn ok(data: Value) -> Self {
        let data = if data.is_null() {
            Value::Object(crate::wire::json::new_map())
        } else {
            data
        };
        ToolOutcome {
            data,
            error: None,
            successful: true,
            extra: crate::wire::json::new_map(),
        }
    }

    /// A failed outcome: `{data: {}, error: message, successful: false}`.
    pub fn failed(message: impl Into<String>) -> Self {
        ToolOutcome {
            data: Value::Object(crate::wire::json::new_map()),
            error: Some(message.into()),
            successful: false,
            extra: crate::wire::json::new_map(),
        }
    }

    /// Converts a backend execute response; keeps a non-empty `log_id` and any
    /// `premium_charge` / `instant_charge` in [`ToolOutcome::extra`].
    pub fn from_execute_response(r: &ExecuteResponse) -> Self {
        let mut extra = crate::wire::json::new_map();
        if !r.log_id.is_empty() {
            crate::wire::json::put(&mut extra, "log_id", Value::from(r.log_id.as_str()));
        }
        for k in ["premium_charge", "instant_charge"] {
            if let Some(v) = r.extra.get(k) {
                extra.insert(k.into(), v.clone());
            }
        }
        ToolOutcome {
            data: r.data.clone(),
            error: r.error.clone(),
            successful: r.successful(),
            extra,
        }
    }

    /// The log id, when the backend gave one.
    pub fn log_id(&self) -> Option<&str> {
        self.extra.get("log_id").and_then(Value::as_str)
    }

    /// `{"data", "error", "successful"}` as the SDK returns it.
    ///
    /// ```
    /// use composio_edge::tools::multi::ToolOutcome;
    /// let o = ToolOutcome::failed("boom");
    /// assert_eq!(o.to_json(), composio_edge::json!({"data":{},"error":"boom","successful":false}));
    /// ```
    pub fn to_json(&self) -> Value {
        let mut m = crate::wire::json::new_map();
        crate::wire::json::put(&mut m, "data", self.data.clone());
        m.insert(
            "error".into(),
            self.error.clone().map_or(Value::Null, Value::String),
        );
        crate::wire::json::put(&mut m, "successful", Value::Bool(self.successful));
        Value::Object(m)
    }

    fn has_error(&self) -> bool {
        self.error.as_deref().is_some_and(|e| !e.is_empty())
    }
}

/// One item of a multi-execute call that runs locally.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalCall {
    /// Position in the original `tools` array.
    pub index: usize,
    /// The slug as the model sent it.
    pub tool_slug: String,
    /// `item.arguments`, or `{}` when absent or null.
    pub arguments: Value,
}

/// A multi-execute call split into local calls and one remote call.
#[derive(Clone, Debug, PartialEq)]
pub struct SplitPlan {
    /// Local calls, in original order.
    pub locals: Vec<LocalCall>,
    /// Original positions of the remote items, in order.
    pub remote_indices: Vec<usize>,
    /// The input to send to the backend (`{...input, tools: [remote items]}`), `None` when
    /// every item is local.
    pub remote_input: Option<Value>,
    /// Slug of every item as sent (`""` for non-object items), by original position.
    pub slugs: Vec<String>,
}

/// What to do with a multi-execute call.
#[derive(Clone, Debug, PartialEq)]
pub enum MultiPlan {
    /// Send the whole input to the backend unchanged.
    Forward,
    /// Run the locals in-process, the rest in one backend call, then merge.
    Split(SplitPlan),
}

/// JavaScript's `String(v ?? '')`.
fn js_string(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => crate::wire::json::to_text(other),
    }
}

/// JavaScript truthiness.
fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(_) => true,
    }
}

/// Steps 1–5 of §6.7: decides whether (and how) to split a multi-execute `input`.
/// `is_local` is asked with each item's slug as sent.
///
/// ```
/// use composio_edge::tools::multi::{plan_multi_execute, MultiPlan};
/// use composio_edge::json;
/// let input = json!({"tools":[{"tool_slug":"LOCAL_GREP","arguments":{}},{"tool_slug":"GMAIL_SEND_EMAIL"}],"thought":"t"});
/// let MultiPlan::Split(plan) = plan_multi_execute(&input, |s| s.starts_with("LOCAL_")) else { unreachable!() };
/// assert_eq!(plan.remote_input, Some(json!({"tools":[{"tool_slug":"GMAIL_SEND_EMAIL"}],"thought":"t"})));
/// ```
pub fn plan_multi_execute(input: &Value, is_local: impl Fn(&str) -> bool) -> MultiPlan {
    try_plan_multi_execute(input, |s| Ok(is_local(s))).unwrap_or(MultiPlan::Forward)
}

/// Like [`plan_multi_execute`] with a fallible classifier, e.g. one that rejects an ambiguous
/// custom-tool slug (the SDK checks every remote slug for ambiguity).
pub fn try_plan_multi_execute(
    input: &Value,
    is_local: impl Fn(&str) -> Result<bool, Error>,
) -> Result<MultiPlan, Error> {
    let Some(items) = input
        .get("tools")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
    else {
        return Ok(MultiPlan::Forward);
    };
    let mut plan = SplitPlan {
        locals: Vec::new(),
        remote_indices: Vec::new(),
        remote_input: None,
        slugs: Vec::with_capacity(items.len()),
    };
    let mut remote_items = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let obj = item.as_object();
        let tool_slug = obj
            .map(|o| js_string(o.get("tool_slug")))
            .unwrap_or_default();
        if is_local(&tool_slug)? {
            let arguments = match obj.and_then(|o| o.get("arguments")) {
                None | Some(Value::Null) => Value::Object(crate::wire::json::new_map()),
                Some(a) => a.clone(),
            };
            plan.locals.push(LocalCall {
                index,
                tool_slug: tool_slug.clone(),
                arguments,
            });
        } else {
            plan.remote_indices.push(index);
            remote_items.push(item.clone());
        }
        plan.slugs.push(tool_slug);
    }
    if plan.locals.is_empty() {
        return Ok(MultiPlan::Forward);
    }
    if !remote_items.is_empty() {
        let mut remote = input.as_object().cloned().unwrap_or_default();
        crate::wire::json::put(&mut remote, "tools", Value::Array(remote_items));
        plan.remote_input = Some(Value::Object(remote));
    }
    Ok(MultiPlan::Split(plan))
}

/// Steps 6–12 of §6.7: merges the local outcomes (same order as `plan.locals`) with the remote
/// result (`Err` = transport failure message, `None` when nothing was sent) into one outcome.
pub fn merge_multi_execute(
    plan: &SplitPlan,
    locals: Vec<ToolOutcome>,
    remote: Option<Result<ExecuteResponse, String>>,
) -> ToolOutcome {
    let transport = match &remote {
        Some(Err(m)) if m.is_empty() => Some("Remote tool execution failed".to_string()),
        Some(Err(m)) => Some(m.clone()),
        _ => None,
    };
    let remote = remote.and_then(Result::ok);
    if plan.remote_indices.is_empty() && locals.len() == 1 {
        if let Some(only) = locals.into_iter().next() {
            return only;
        }
        return ToolOutcome::failed("no local result");
    }
    let mut data = match remote.as_ref().map(|r| &r.data) {
        Some(Value::Object(m)) => m.clone(),
        _ => crate::wire::json::new_map(),
    };
    let remote_entries: Vec<Value> = match &transport {
        Some(msg) => {
            let mut out = Vec::with_capacity(plan.remote_indices.len());
            for &i in &plan.remote_indices {
                let mut response = crate::wire::json::new_map();
                crate::wire::json::put(&mut response, "successful", Value::Bool(false));
                crate::wire::json::put(
                    &mut response,
                    "data",
                    Value::Object(crate::wire::json::new_map()),
                );
                crate::wire::json::put(&mut response, "error", Value::from(msg.as_str()));
                let mut e = crate::wire::json::new_map();
                crate::wire::json::put(&mut e, "response", Value::Object(response));
                let slug = plan.slugs.get(i).map_or("", String::as_str);
                crate::wire::json::put(&mut e, "tool_slug", Value::from(slug));
                crate::wire::json::put(&mut e, "error", Value::from(msg.as_str()));
                out.push(Value::Object(e));
            }
            out
        }
        None => match data.get("results") {
            Some(Value::Array(r)) => r.clone(),
            _ => Vec::new(),
        },
    };
    // Each entry with the index of its tool call; ordered below by that index.
    let mut merged: Vec<(usize, Map)> = Vec::new();
    for (pos, entry) in remote_entries.into_iter().enumerate() {
        let idx = plan.remote_indices.get(pos).copied().unwrap_or(pos);
        let mut e = match entry {
            Value::Object(m) => m,
            _ => crate::wire::json::new_map(),
        };
        crate::wire::json::put(&mut e, "index", Value::from(idx));
        merged.push((idx, e));
    }
    let local_failed = locals.iter().any(ToolOutcome::has_error);
    let had_locals = !locals.is_empty();
    for (call, out) in plan.locals.iter().zip(locals) {
        let mut response = crate::wire::json::new_map();
        crate::wire::json::put(&mut response, "successful", Value::Bool(out.successful));
        crate::wire::json::put(&mut response, "data", out.data.clone());
        let mut e = crate::wire::json::new_map();
        if let Some(err) = out.error.as_ref().filter(|e| !e.is_empty()) {
            crate::wire::json::put(&mut response, "error", Value::from(err.as_str()));
            crate::wire::json::put(&mut e, "error", Value::from(err.as_str()));
        }
        crate::wire::json::put(&mut e, "response", Value::Object(response));
        crate::wire::json::put(&mut e, "tool_slug", Value::from(call.tool_slug.as_str()));
        crate::wire::json::put(&mut e, "index", Value::from(call.index));
        merged.push((call.index, e));
    }
    // A stable counting sort by index (equal indices keep insertion order: remote first): O(n +
    // largest index), and far less code in the wasm than a comparison sort. Every index is a
    // position in the request's or the response's list, so the counts stay that small.
    let n = merged.len();
    let mut max = 0;
    for (k, _) in &merged {
        if *k > max {
            max = *k;
        }
    }
    // start[k] = how many entries have a smaller index, advanced as entries are placed.
    let mut start = vec![0usize; max.saturating_add(2)];
    for (k, _) in &merged {
        if let Some(c) = start.get_mut(k + 1) {
            *c += 1;
        }
    }
    let mut sum = 0;
    for s in &mut start {
        sum += *s;
        *s = sum;
    }
    // order[slot] = position in `merged` of the entry that goes there.
    let mut order = vec![0usize; n];
    for (j, (k, _)) in merged.iter().enumerate() {
        if let Some(at) = start.get_mut(*k) {
            if let Some(o) = order.get_mut(*at) {
                *o = j;
            }
            *at += 1;
        }
    }
    let mut results: Vec<Value> = Vec::with_capacity(n);
    for (i, j) in order.into_iter().enumerate() {
        if let Some((_, e)) = merged.get_mut(j) {
            let mut e = std::mem::take(e);
            crate::wire::json::put(&mut e, "index", Value::from(i));
            results.push(Value::Object(e));
        }
    }
    let failed = results.iter().filter(|r| truthy(r.get("error"))).count();
    let had_counters = ["total_count", "success_count", "error_count"]
        .iter()
        .any(|k| data.contains_key(k));
    crate::wire::json::put(&mut data, "results", Value::Array(results));
    if had_locals && (transport.is_some() || had_counters) {
        crate::wire::json::put(&mut data, "total_count", Value::from(n));
        crate::wire::json::put(&mut data, "success_count", Value::from(n - failed));
        crate::wire::json::put(&mut data, "error_count", Value::from(failed));
    }
    let remote_error = transport.or_else(|| remote.as_ref().and_then(|r| r.error.clone()));
    let remote_error = remote_error.filter(|e| !e.is_empty());
    let any_error = local_failed || remote_error.is_some();
    let error = match remote_error {
        Some(e) if failed == 0 => Some(e),
        _ if any_error => Some(format!("{failed} out of {n} tools failed")),
        _ => None,
    };
    let mut extra = crate::wire::json::new_map();
    if let Some(r) = &remote {
        for k in ["premium_charge", "instant_charge"] {
            if let Some(v) = r.extra.get(k) {
                extra.insert(k.into(), v.clone());
            }
        }
    }
    ToolOutcome {
        data: Value::Object(data),
        error,
        successful: !any_error,
        extra,
    }
}

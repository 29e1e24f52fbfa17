//! Anthropic messages: tool definitions (local `$ref`s inlined, property keys sanitized to
//! `^[a-zA-Z0-9_.-]{1,64}$`), `tool_use` parsing with key restoring, `tool_result` messages.

use crate::json::Value;

use crate::json;

use super::{deref_schema, input_schema, json_text, sanitize_keys, KeyMap, ToolCall};
use crate::tools::multi::ToolOutcome;
use crate::wire::Tool;
use crate::Error;

const MAX_KEY: usize = 64;

fn clean_key(k: &str) -> String {
    let mut s = String::new();
    for c in k.chars().take(MAX_KEY) {
        s.push(
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            },
        );
    }
    if s.is_empty() {
        "_".into()
    } else {
        s
    }
}

/// `{"name","description","input_schema"[,"cache_control"]}` and the key map that restores the
/// original property keys in this tool's calls.
///
/// ```
/// use composio_edge::provider::anthropic::format_tool;
/// use composio_edge::wire::Tool;
/// use composio_edge::json;
/// let t = Tool { slug: "X".into(), input_parameters: json!({"type":"object",
///     "properties":{"a b":{"type":"string"}},"required":["a b"]}), ..Default::default() };
/// let (tool, keys) = format_tool(&t, false);
/// assert_eq!(tool["input_schema"]["required"], json!(["a_b"]));
/// assert_eq!(keys.restore(&json!({"a_b": "x"})), json!({"a b": "x"}));
/// ```
pub fn format_tool(tool: &Tool, cache_control: bool) -> (Value, KeyMap) {
    let (schema, keys) = schema_and_keys(tool);
    let mut t = json!({"name": tool.slug, "description": tool.description, "input_schema": schema});
    if cache_control {
        crate::wire::json::set(&mut t, "cache_control", json!({"type": "ephemeral"}));
    }
    (t, keys)
}

fn schema_and_keys(tool: &Tool) -> (Value, KeyMap) {
    let mut schema = deref_schema(&input_schema(tool));
    let keys = sanitize_keys(&mut schema, &clean_key, MAX_KEY);
    (schema, keys)
}

/// The key map [`format_tool`] produces for `tool` (recomputed; it is deterministic).
pub fn key_map(tool: &Tool) -> KeyMap {
    schema_and_keys(tool).1
}

/// Every tool as [`format_tool`] formats it; with `cache_control` only the last tool carries
/// the `cache_control` breakpoint, which caches the whole tool list (Anthropic allows at
/// most four breakpoints per request).
pub fn format_tools(tools: &[Tool], cache_control: bool) -> Value {
    let mut out = Vec::with_capacity(tools.len());
    for t in tools {
        let last = out.len() + 1 == tools.len();
        out.push(format_tool(t, cache_control && last).0);
    }
    Value::Array(out)
}

/// The `tool_use` blocks of a message (`{"content":[…]}` or the content array itself), with
/// the keys as the model sent them.
pub fn parse_tool_uses(message: &Value) -> Result<Vec<ToolCall>, Error> {
    super::extract_calls(
        message,
        &super::CallShape {
            lists: &["/content", ""],
            kind: "tool_use",
            kind_optional: false,
            inner: "",
            gemini: false,
            id: "id",
            name: "name",
            args: ["input", ""],
        },
    )
}

/// [`parse_tool_uses`], then original property keys restored using the matching tool's key map.
pub fn parse_tool_uses_restored(message: &Value, tools: &[Tool]) -> Result<Vec<ToolCall>, Error> {
    Ok(super::restore_calls(
        parse_tool_uses(message)?,
        tools,
        key_map,
    ))
}

/// One `tool_result` block: `content` is the JSON text of `data`, or the error message with
/// `"is_error": true`.
pub fn tool_result_block(tool_use_id: &str, outcome: &ToolOutcome) -> Value {
    match outcome.error.as_deref().filter(|e| !e.is_empty()) {
        Some(err) => json!({"type": "tool_result", "tool_use_id": tool_use_id,
                            "content": err, "is_error": true}),
        None => json!({"type": "tool_result", "tool_use_id": tool_use_id,
                       "content": json_text(&outcome.data)}),
    }
}

/// `{"role":"user","content":[tool_result…]}` for every executed call.
///
/// ```
/// use composio_edge::provider::{anthropic::tool_results_message, ToolCall};
/// use composio_edge::tools::multi::ToolOutcome;
/// let call = ToolCall { id: "toolu_1".into(), ..Default::default() };
/// let m = tool_results_message(&[(call, ToolOutcome::ok(composio_edge::json!({"ok":true})))]);
/// assert_eq!(m["content"][0]["content"], r#"{"ok":true}"#);
/// ```
pub fn tool_results_message(results: &[(ToolCall, ToolOutcome)]) -> Value {
    let mut content = Vec::with_capacity(results.len());
    for (c, o) in results {
        content.push(tool_result_block(&c.id, o));
    }
    json!({"role": "user", "content": content})
}

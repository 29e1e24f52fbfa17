//! OpenAI responses API: function tools (strict and non-strict), `function_call` parsing and
//! `function_call_output` items.

use crate::json::Value;

use crate::json;

use super::openai::{result_text, str_of};
use super::{dedupe_required, for_each_subschema, input_schema, ToolCall};
use crate::tools::args::normalize_arguments;
use crate::tools::multi::ToolOutcome;
use crate::wire::Tool;
use crate::Error;

/// Keywords OpenAI strict mode rejects; removed from strict schemas.
const STRICT_UNSUPPORTED: &[&str] = &[
    "default",
    "examples",
    "$schema",
    "patternProperties",
    "propertyNames",
    "unevaluatedProperties",
    "minProperties",
    "maxProperties",
    "additionalItems",
    "if",
    "then",
    "else",
    "not",
];

/// `{"type":"function","name","description","parameters","strict":false}`; with `strict` the
/// schema is made strict-compatible (see [`strictify`]) and `strict` is `true`.
///
/// ```
/// use composio_edge::provider::openai_responses::format_tool;
/// use composio_edge::wire::Tool;
/// let t = Tool { slug: "X".into(), ..Default::default() };
/// assert_eq!(format_tool(&t, false)["strict"], false);
/// assert_eq!(format_tool(&t, true)["parameters"]["additionalProperties"], false);
/// ```
pub fn format_tool(tool: &Tool, strict: bool) -> Value {
    let mut parameters = input_schema(tool);
    dedupe_required(&mut parameters);
    if strict {
        parameters = super::deref_schema(&parameters);
        strictify(&mut parameters);
    }
    json!({"type": "function", "name": tool.slug, "description": tool.description,
           "parameters": parameters, "strict": strict})
}

/// Makes a schema acceptable to OpenAI strict mode, recursively: on every object, properties
/// that are not `required` are removed, `required` lists exactly the remaining properties and
/// `additionalProperties` is `false`; keywords strict mode rejects are dropped.
pub fn strictify(schema: &mut Value) {
    let Value::Object(m) = schema else {
        return;
    };
    for k in STRICT_UNSUPPORTED {
        m.remove(k);
    }
    let is_object = m.contains_key("properties")
        || m.get("type").is_some_and(|t| {
            t == "object"
                || t.as_array()
                    .is_some_and(|a| a.iter().any(|x| x == "object"))
        });
    if is_object {
        let required: Vec<String> = m
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        let mut props = match m.remove("properties") {
            Some(Value::Object(p)) => p,
            _ => crate::wire::json::new_map(),
        };
        props.retain(|k, _| required.contains(k));
        let kept: Vec<Value> = required
            .iter()
            .filter(|r| props.contains_key(r))
            .map(|r| Value::from(r.as_str()))
            .collect();
        crate::wire::json::put(m, "properties", Value::Object(props));
        crate::wire::json::put(m, "required", Value::Array(kept));
        crate::wire::json::put(m, "additionalProperties", Value::Bool(false));
    }
    for_each_subschema(m, &mut strictify);
}

/// The `function_call` items of a responses `output` array (or of a whole response object that
/// has `output`); `id` is the item's `call_id`.
pub fn parse_tool_calls(output: &Value) -> Result<Vec<ToolCall>, Error> {
    let items = match output {
        Value::Array(a) => Some(a),
        other => other.get("output").and_then(Value::as_array),
    };
    let mut out = Vec::new();
    for item in items.into_iter().flatten() {
        if item.get("type").and_then(Value::as_str) != Some("function_call") {
            continue;
        }
        out.push(ToolCall {
            id: str_of(item.get("call_id")),
            name: str_of(item.get("name")),
            arguments: normalize_arguments(item.get("arguments").unwrap_or(&Value::Null))?,
        });
    }
    Ok(out)
}

/// `{"type":"function_call_output","call_id","output","status"}`: `completed` with the JSON
/// text of the result, or `incomplete` with the message when the execution itself failed
/// (an exception rather than a tool result carrying an error).
///
/// ```
/// use composio_edge::provider::openai_responses::function_call_output;
/// let item = function_call_output("call_1", Err("network down"));
/// assert_eq!(item["status"], "incomplete");
/// assert_eq!(item["output"], "network down");
/// ```
pub fn function_call_output(call_id: &str, result: Result<&ToolOutcome, &str>) -> Value {
    let (output, status) = match result {
        Ok(o) => (result_text(o), "completed"),
        Err(msg) => (msg.to_string(), "incomplete"),
    };
    json!({"type": "function_call_output", "call_id": call_id, "output": output, "status": status})
}

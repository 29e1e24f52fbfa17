//! OpenAI responses API: function tools (strict and non-strict), `function_call` parsing and
//! `function_call_output` items.

use crate::json::Value;

use crate::json;

use super::openai::result_text;
use super::{dedupe_required, for_each_subschema, input_schema, ToolCall};
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
        let props = match m.remove("properties") {
            Some(Value::Object(p)) => p,
            _ => crate::wire::json::new_map(),
        };
        // The required properties in `properties` order, then `required` in its own order
        // (duplicates kept, as before) for those that exist.
        let mut kept_props = crate::wire::json::new_map();
        let mut kept = Vec::new();
        if let Some(Value::Array(req)) = m.get("required") {
            for r in req.iter().filter_map(Value::as_str) {
                if props.contains_key(r) {
                    kept.push(Value::from(r));
                }
            }
        }
        for (k, v) in props {
            if kept.iter().any(|r| r.as_str() == Some(k.as_str())) {
                kept_props.insert(k, v);
            }
        }
        crate::wire::json::put(m, "properties", Value::Object(kept_props));
        crate::wire::json::put(m, "required", Value::Array(kept));
        crate::wire::json::put(m, "additionalProperties", Value::Bool(false));
    }
    for_each_subschema(m, &mut strictify);
}

/// The `function_call` items of a responses `output` array (or of a whole response object that
/// has `output`); `id` is the item's `call_id`.
pub fn parse_tool_calls(output: &Value) -> Result<Vec<ToolCall>, Error> {
    super::extract_calls(
        output,
        &super::CallShape {
            lists: &["/output", ""],
            kind: "function_call",
            kind_optional: false,
            inner: "",
            gemini: false,
            id: "call_id",
            name: "name",
            args: ["arguments", ""],
        },
    )
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

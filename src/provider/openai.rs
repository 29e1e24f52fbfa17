//! OpenAI chat completions: tool definitions, `tool_calls` parsing and `tool` messages.

use crate::json::Value;

use crate::json;

use super::{dedupe_required, input_schema, json_text, ToolCall};
use crate::tools::multi::ToolOutcome;
use crate::wire::Tool;
use crate::Error;

/// `{"type":"function","function":{"name","description","parameters"}}`, with duplicate
/// `required` entries removed (as the official `OpenAIProvider` does).
///
/// ```
/// use composio_edge::provider::openai::format_tool;
/// use composio_edge::wire::Tool;
/// use composio_edge::json;
/// let t = Tool { slug: "X".into(), description: "d".into(),
///     input_parameters: json!({"type":"object","required":["a","a"]}), ..Default::default() };
/// assert_eq!(format_tool(&t), json!({"type":"function","function":{"name":"X","description":"d",
///     "parameters":{"type":"object","required":["a"]}}}));
/// ```
pub fn format_tool(tool: &Tool) -> Value {
    let mut parameters = input_schema(tool);
    dedupe_required(&mut parameters);
    json!({
        "type": "function",
        "function": {"name": tool.slug, "description": tool.description, "parameters": parameters}
    })
}

/// The `function` tool calls of `choices[0].message.tool_calls`, arguments normalized.
/// A completion without tool calls gives an empty list; unusable arguments give
/// [`Error::InvalidToolArguments`].
pub fn parse_tool_calls(completion: &Value) -> Result<Vec<ToolCall>, Error> {
    super::extract_calls(
        completion,
        &super::CallShape {
            lists: &["/choices/0/message/tool_calls"],
            kind: "function",
            kind_optional: true,
            inner: "function",
            gemini: false,
            id: "id",
            name: "name",
            args: ["arguments", ""],
        },
    )
}

pub(crate) fn str_of(v: Option<&Value>) -> String {
    v.and_then(Value::as_str).unwrap_or_default().to_string()
}

/// The result as the SDKs serialize it for a model: `{data, error, logId?, successful}` with
/// `successful = error == null`.
pub(crate) fn result_text(outcome: &ToolOutcome) -> String {
    let mut m = crate::wire::json::new_map();
    crate::wire::json::put(&mut m, "data", outcome.data.clone());
    m.insert(
        "error".into(),
        outcome.error.clone().map_or(Value::Null, Value::String),
    );
    if let Some(log_id) = outcome.log_id() {
        crate::wire::json::put(&mut m, "logId", Value::from(log_id));
    }
    crate::wire::json::put(&mut m, "successful", Value::Bool(outcome.error.is_none()));
    json_text(&Value::Object(m))
}

/// `{"role":"tool","tool_call_id":id,"content":"{\"data\":…,\"error\":…,\"logId\":…,\"successful\":…}"}`.
///
/// ```
/// use composio_edge::provider::openai::tool_message;
/// use composio_edge::tools::multi::ToolOutcome;
/// let m = tool_message("call_1", &ToolOutcome::ok(composio_edge::json!({"a":1})));
/// assert_eq!(m["content"], r#"{"data":{"a":1},"error":null,"successful":true}"#);
/// ```
pub fn tool_message(call_id: &str, outcome: &ToolOutcome) -> Value {
    json!({"role": "tool", "tool_call_id": call_id, "content": result_text(outcome)})
}

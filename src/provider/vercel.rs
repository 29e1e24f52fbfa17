//! Vercel AI SDK tool JSON.
//!
//! [`format_tools`] gives `{"<slug>": {"description": …, "inputSchema": <JSON Schema>}}`. On the
//! JS side each entry becomes an AI SDK tool by wrapping the schema with the `ai` package's
//! `jsonSchema()` and adding an `execute` that calls the session:
//!
//! ```text
//! import { tool, jsonSchema } from 'ai';
//! const tools = Object.fromEntries(Object.entries(json).map(([slug, t]) =>
//!   [slug, tool({ description: t.description, inputSchema: jsonSchema(t.inputSchema),
//!                 execute: (args) => session.execute(slug, args) })]));
//! ```
//! (AI SDK 4 names the field `parameters`; the schema is the same.)

use crate::json::Value;

use crate::json;

use super::{input_schema, ToolCall};
use crate::wire::Tool;
use crate::Error;

/// `{"<slug>": {"description", "inputSchema"}}` for every tool.
///
/// ```
/// use composio_edge::provider::vercel::format_tools;
/// use composio_edge::wire::Tool;
/// let t = Tool { slug: "X".into(), description: "d".into(), ..Default::default() };
/// assert_eq!(format_tools(&[t])["X"]["inputSchema"]["type"], "object");
/// ```
pub fn format_tools(tools: &[Tool]) -> Value {
    let mut out = crate::wire::json::new_map();
    for t in tools {
        out.insert(
            t.slug.clone(),
            json!({"description": t.description, "inputSchema": input_schema(t)}),
        );
    }
    Value::Object(out)
}

/// AI SDK tool calls (`{toolCallId, toolName, input}`; AI SDK 4: `args`), given as an array or
/// as an object with `toolCalls`.
pub fn parse_tool_calls(v: &Value) -> Result<Vec<ToolCall>, Error> {
    super::extract_calls(
        v,
        &super::CallShape {
            lists: &["/toolCalls", ""],
            kind: "",
            kind_optional: false,
            inner: "",
            gemini: false,
            id: "toolCallId",
            name: "toolName",
            args: ["input", "args"],
        },
    )
}

//! Tool calls in model output (OpenAI chat, OpenAI responses, Anthropic messages) and the
//! tool-result messages that answer them (wire §7, `handleToolCalls`).

use serde_json::{json, Value};

use super::ExecuteResult;

/// A model format that carries tool calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallFormat {
    /// OpenAI chat completions (`choices[0].message.tool_calls`).
    OpenAi,
    /// OpenAI responses (`output[]` items of type `function_call`).
    OpenAiResponses,
    /// Anthropic messages (`content[]` blocks of type `tool_use`).
    Anthropic,
}

impl CallFormat {
    /// Parses a provider name (`openai`, `openai-responses`, `anthropic`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "openai" => Some(Self::OpenAi),
            "openai-responses" => Some(Self::OpenAiResponses),
            "anthropic" => Some(Self::Anthropic),
            _ => None,
        }
    }

    /// Recognizes the format of a model response by its shape.
    ///
    /// ```
    /// use composio_edge::edge::CallFormat;
    /// use serde_json::json;
    /// assert_eq!(CallFormat::detect(&json!({"choices": []})), Some(CallFormat::OpenAi));
    /// assert_eq!(CallFormat::detect(&json!({"output": []})), Some(CallFormat::OpenAiResponses));
    /// assert_eq!(CallFormat::detect(&json!({"content": [], "stop_reason": "tool_use"})), Some(CallFormat::Anthropic));
    /// ```
    pub fn detect(response: &Value) -> Option<Self> {
        if response.get("choices").is_some() || response.get("tool_calls").is_some() {
            return Some(Self::OpenAi);
        }
        if response.get("output").is_some() {
            return Some(Self::OpenAiResponses);
        }
        if response.get("content").is_some_and(Value::is_array) {
            return Some(Self::Anthropic);
        }
        let first_type = response
            .as_array()
            .and_then(|a| a.first())
            .and_then(|i| i.get("type"))
            .and_then(Value::as_str);
        match first_type {
            Some("function_call" | "message" | "reasoning") => Some(Self::OpenAiResponses),
            Some("tool_use" | "text") => Some(Self::Anthropic),
            Some("function") => Some(Self::OpenAi),
            _ => None,
        }
    }
}

/// One tool call found in model output.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolCall {
    /// Call id to answer (`tool_call_id`, `call_id`, `tool_use_id`).
    pub id: String,
    /// Tool slug.
    pub name: String,
    /// Raw arguments: a JSON string (OpenAI) or an object (Anthropic).
    pub arguments: Value,
}

fn s(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Every tool call in `response`, in order.
pub fn parse_tool_calls(format: CallFormat, response: &Value) -> Vec<ToolCall> {
    match format {
        CallFormat::OpenAi => {
            let calls = response
                .pointer("/choices/0/message/tool_calls")
                .or_else(|| response.get("tool_calls"))
                .or_else(|| response.is_array().then_some(response));
            calls
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter(|c| c.get("type").is_none_or(|t| t == "function"))
                        .filter_map(|c| {
                            let f = c.get("function")?;
                            Some(ToolCall {
                                id: s(c, "id"),
                                name: s(f, "name"),
                                arguments: f.get("arguments").cloned().unwrap_or(Value::Null),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default()
        }
        CallFormat::OpenAiResponses => response
            .get("output")
            .unwrap_or(response)
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|i| i.get("type").is_some_and(|t| t == "function_call"))
                    .map(|i| ToolCall {
                        id: s(i, "call_id"),
                        name: s(i, "name"),
                        arguments: i.get("arguments").cloned().unwrap_or(Value::Null),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        CallFormat::Anthropic => response
            .get("content")
            .unwrap_or(response)
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|b| b.get("type").is_some_and(|t| t == "tool_use"))
                    .map(|b| ToolCall {
                        id: s(b, "id"),
                        name: s(b, "name"),
                        arguments: b.get("input").cloned().unwrap_or(Value::Null),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// The JSON string the SDK puts in an OpenAI tool message: `{data, error, logId, successful}`.
fn result_json(r: &ExecuteResult) -> String {
    json!({"data": r.data, "error": r.error, "logId": r.log_id, "successful": r.successful})
        .to_string()
}

/// The messages answering `calls` with `results` (same order), ready to append to the
/// conversation. OpenAI chat: one `role: tool` message per call; responses: one
/// `function_call_output` per call; Anthropic: one `role: user` message with every
/// `tool_result` block.
pub fn tool_result_messages(
    format: CallFormat,
    calls: &[ToolCall],
    results: &[ExecuteResult],
) -> Vec<Value> {
    let pairs = calls.iter().zip(results);
    match format {
        CallFormat::OpenAi => pairs
            .map(|(c, r)| json!({"role": "tool", "tool_call_id": c.id, "content": result_json(r)}))
            .collect(),
        CallFormat::OpenAiResponses => pairs
            .map(|(c, r)| {
                json!({"call_id": c.id, "type": "function_call_output",
                       "output": result_json(r), "status": "completed"})
            })
            .collect(),
        CallFormat::Anthropic => {
            let blocks: Vec<Value> = pairs
                .map(|(c, r)| {
                    let mut b = json!({"type": "tool_result", "tool_use_id": c.id,
                                       "content": r.data.to_string()});
                    if !r.successful {
                        b["content"] = json!(r.error.clone().unwrap_or_default());
                        b["is_error"] = json!(true);
                    }
                    b
                })
                .collect();
            if blocks.is_empty() {
                Vec::new()
            } else {
                vec![json!({"role": "user", "content": blocks})]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_chat_calls_and_answers() {
        let resp = json!({"choices": [{"message": {"role": "assistant", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "GMAIL_SEND_EMAIL", "arguments": "{\"to\":\"a\"}"}}]}}]});
        let calls = parse_tool_calls(CallFormat::OpenAi, &resp);
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].arguments, json!("{\"to\":\"a\"}"));
        let mut r = ExecuteResult::ok(json!({"x": 1}));
        r.log_id = "log_abc".into();
        let m = tool_result_messages(CallFormat::OpenAi, &calls, &[r]);
        assert_eq!(
            m[0],
            json!({"role": "tool", "tool_call_id": "c1",
                   "content": "{\"data\":{\"x\":1},\"error\":null,\"logId\":\"log_abc\",\"successful\":true}"})
        );
    }

    #[test]
    fn responses_and_anthropic_calls() {
        let out = json!({"output": [{"type": "message"}, {"type": "function_call", "call_id": "k", "name": "T", "arguments": "{}"}]});
        let calls = parse_tool_calls(CallFormat::OpenAiResponses, &out);
        assert_eq!(calls[0].id, "k");
        let m = tool_result_messages(
            CallFormat::OpenAiResponses,
            &calls,
            &[ExecuteResult::ok(json!({}))],
        );
        assert_eq!(m[0]["type"], "function_call_output");
        assert_eq!(m[0]["status"], "completed");

        let msg = json!({"content": [{"type": "text", "text": "hi"}, {"type": "tool_use", "id": "tu", "name": "T", "input": {"a": 1}}]});
        let calls = parse_tool_calls(CallFormat::Anthropic, &msg);
        assert_eq!(calls[0].arguments, json!({"a": 1}));
        let m = tool_result_messages(
            CallFormat::Anthropic,
            &calls,
            &[ExecuteResult::failed("nope")],
        );
        assert_eq!(
            m,
            vec![
                json!({"role": "user", "content": [{"type": "tool_result", "tool_use_id": "tu", "content": "nope", "is_error": true}]})
            ]
        );
    }
}

//! Google Gemini: function declarations, `functionCall` parsing and `functionResponse` parts.
//!
//! Gemini's `parameters` accept a subset of OpenAPI 3.0 schemas: `type` (one, upper-case),
//! `format`, `title`, `description`, `nullable`, `enum` (strings), `items`, `properties`,
//! `required`, `min/maxItems`, `min/maxLength`, `min/maxProperties`, `minimum`/`maximum`,
//! `pattern`, `anyOf`, `propertyOrdering`. [`to_gemini_schema`] converts JSON Schema to that:
//! `$ref`s are inlined, type arrays with `null` become `nullable`, `const` becomes a one-value
//! `enum`, `oneOf` becomes `anyOf`, `allOf` is merged, string formats other than `enum` and
//! `date-time` are dropped, and everything else (`additionalProperties`, `$schema`, `default`,
//! `examples`, `not`, …) is removed. Parameter names are sanitized to `^[a-zA-Z_][a-zA-Z0-9_]{0,63}$`
//! (restored in parsed calls).

use crate::json::{Map, Value};

use crate::json;

use super::{deref_schema, input_schema, sanitize_keys, KeyMap, ToolCall};
use crate::tools::multi::ToolOutcome;
use crate::wire::Tool;
use crate::Error;

const MAX_KEY: usize = 64;

const COPIED: &[&str] = &[
    "title",
    "description",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "minProperties",
    "maxProperties",
    "minimum",
    "maximum",
    "pattern",
    "propertyOrdering",
];

fn clean_key(k: &str) -> String {
    let mut s = String::new();
    // Every other first character maps to a letter or `_`, which may start a name.
    if k.is_empty() || k.starts_with(|c: char| c.is_ascii_digit()) {
        s.push('_');
    }
    for c in k.chars() {
        if s.len() == MAX_KEY {
            break;
        }
        s.push(if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '_'
        });
    }
    s
}

/// Converts a JSON Schema to the OpenAPI subset Gemini accepts (see the module docs).
///
/// ```
/// use composio_edge::provider::gemini::to_gemini_schema;
/// use composio_edge::json;
/// let s = json!({"type":["string","null"],"const":"a","additionalProperties":false});
/// assert_eq!(to_gemini_schema(&s), json!({"type":"STRING","nullable":true,"enum":["a"]}));
/// ```
pub fn to_gemini_schema(schema: &Value) -> Value {
    convert(&deref_schema(schema), 0)
}

fn upper(t: &str) -> Value {
    Value::from(t.to_ascii_uppercase())
}

fn convert(s: &Value, depth: usize) -> Value {
    let Value::Object(m) = s else {
        return json!({});
    };
    if depth > 40 {
        return json!({});
    }
    let mut out = crate::wire::json::new_map();
    let mut nullable = m.get("nullable") == Some(&Value::Bool(true));
    match m.get("type") {
        Some(Value::String(t)) if t == "null" => nullable = true,
        Some(Value::String(t)) => {
            crate::wire::json::put(&mut out, "type", upper(t));
        }
        Some(Value::Array(ts)) => {
            let mut any = Vec::new();
            for t in ts.iter().filter_map(Value::as_str) {
                if t == "null" {
                    nullable = true;
                } else {
                    any.push(json!({"type": upper(t)}));
                }
            }
            if any.len() == 1 {
                if let Some(Value::Object(mut one)) = any.pop() {
                    if let Some(t) = one.remove("type") {
                        crate::wire::json::put(&mut out, "type", t);
                    }
                }
            } else if !any.is_empty() {
                crate::wire::json::put(&mut out, "anyOf", Value::Array(any));
            }
        }
        _ => {}
    }
    for k in COPIED {
        if let Some(v) = m.get(k) {
            out.insert((*k).into(), v.clone());
        }
    }
    let enum_values = match (m.get("enum"), m.get("const")) {
        (Some(Value::Array(e)), _) => Some(e.as_slice()),
        (None, Some(c)) => Some(std::slice::from_ref(c)),
        _ => None,
    };
    if let Some(values) = enum_values {
        let mut strings = Vec::with_capacity(values.len());
        for v in values {
            match v {
                Value::Null => nullable = true,
                Value::String(s) => strings.push(Value::from(s.as_str())),
                other => strings.push(Value::from(super::json_text(other))),
            }
        }
        if !out.contains_key("type") {
            crate::wire::json::put(&mut out, "type", Value::from("STRING"));
        }
        if out.get("type") != Some(&Value::from("STRING")) {
            crate::wire::json::put(&mut out, "format", Value::from("enum"));
        }
        crate::wire::json::put(&mut out, "enum", Value::Array(strings));
    }
    if let Some(f) = m.get("format").and_then(Value::as_str) {
        let ok = match out.get("type").and_then(Value::as_str) {
            Some("STRING") => matches!(f, "enum" | "date-time"),
            Some("NUMBER") => matches!(f, "float" | "double"),
            Some("INTEGER") => matches!(f, "int32" | "int64"),
            _ => false,
        };
        if ok && !out.contains_key("format") {
            crate::wire::json::put(&mut out, "format", Value::from(f));
        }
    }
    if let Some(Value::Object(props)) = m.get("properties") {
        let mut conv = crate::wire::json::new_map();
        for (k, v) in props {
            conv.insert(k.clone(), convert(v, depth + 1));
        }
        if let Some(Value::Array(req)) = m.get("required") {
            let mut seen = Vec::new();
            for r in req.iter().filter_map(Value::as_str) {
                if conv.contains_key(r) && !seen.contains(&r) {
                    seen.push(r);
                }
            }
            if !seen.is_empty() {
                crate::wire::json::put(&mut out, "required", json!(seen));
            }
        }
        if !conv.is_empty() {
            crate::wire::json::put(&mut out, "properties", Value::Object(conv));
        }
        if !out.contains_key("type") {
            crate::wire::json::put(&mut out, "type", Value::from("OBJECT"));
        }
    }
    match m.get("items") {
        Some(Value::Array(tuple)) => {
            if let Some(first) = tuple.first() {
                crate::wire::json::put(&mut out, "items", convert(first, depth + 1));
            }
        }
        Some(items) => {
            crate::wire::json::put(&mut out, "items", convert(items, depth + 1));
        }
        None => {}
    }
    if out.get("type") == Some(&Value::from("ARRAY")) && !out.contains_key("items") {
        crate::wire::json::put(&mut out, "items", json!({"type": "STRING"}));
    }
    // Without branches `any` stays empty and nothing is added.
    let mut any = Vec::new();
    for key in ["anyOf", "oneOf"] {
        for b in m.get(key).and_then(Value::as_array).into_iter().flatten() {
            if b.get("type").and_then(Value::as_str) == Some("null") {
                nullable = true;
            } else {
                any.push(convert(b, depth + 1));
            }
        }
    }
    if any.len() == 1 {
        match any.pop() {
            Some(Value::Object(only)) => {
                for (k, v) in only {
                    if !out.contains_key(&k) {
                        out.insert(k, v);
                    }
                }
            }
            Some(other) => {
                crate::wire::json::put(&mut out, "anyOf", Value::Array(vec![other]));
            }
            None => {}
        }
    } else if !any.is_empty() {
        crate::wire::json::put(&mut out, "anyOf", Value::Array(any));
    }
    if let Some(Value::Array(all)) = m.get("allOf") {
        for b in all {
            if let Value::Object(part) = convert(b, depth + 1) {
                merge_into(&mut out, part);
            }
        }
    }
    if nullable {
        crate::wire::json::put(&mut out, "nullable", Value::Bool(true));
    }
    Value::Object(out)
}

fn merge_into(out: &mut Map, part: Map) {
    for (k, v) in part {
        match (k.as_str(), out.get_mut(&k), v) {
            ("properties", Some(Value::Object(mine)), Value::Object(theirs)) => {
                for (pk, pv) in theirs {
                    if !mine.contains_key(&pk) {
                        mine.insert(pk, pv);
                    }
                }
            }
            ("required", Some(Value::Array(mine)), Value::Array(theirs)) => {
                for r in theirs {
                    if !mine.contains(&r) {
                        mine.push(r);
                    }
                }
            }
            (_, Some(_), _) => {}
            (_, None, v) => {
                out.insert(k, v);
            }
        }
    }
}

/// The tool's input schema with `$ref`s expanded and property keys cleaned, and the map that
/// restores the keys.
fn sanitized(tool: &Tool) -> (Value, KeyMap) {
    let mut schema = deref_schema(&input_schema(tool));
    let keys = sanitize_keys(&mut schema, &clean_key, MAX_KEY);
    (schema, keys)
}

fn declaration_and_keys(tool: &Tool) -> (Value, KeyMap) {
    let (schema, keys) = sanitized(tool);
    let params = convert(&schema, 0);
    let mut decl = json!({"name": tool.slug, "description": tool.description});
    // An OBJECT without properties is rejected; a function without parameters omits them.
    if params.get("properties").is_some() {
        crate::wire::json::set(&mut decl, "parameters", params);
    }
    (decl, keys)
}

/// One `FunctionDeclaration` (`{"name","description","parameters"?}`).
pub fn function_declaration(tool: &Tool) -> Value {
    declaration_and_keys(tool).0
}

/// The key map that restores the original parameter names of `tool`'s calls.
pub fn key_map(tool: &Tool) -> KeyMap {
    // What `declaration_and_keys` renames, without converting the schema.
    sanitized(tool).1
}

/// The Gemini `Tool` object `{"functionDeclarations":[…]}` (one entry of the request's `tools`).
///
/// ```
/// use composio_edge::provider::gemini::format_tools;
/// use composio_edge::wire::Tool;
/// use composio_edge::json;
/// let t = Tool { slug: "X".into(), description: "d".into(),
///     input_parameters: json!({"type":"object","properties":{"n":{"type":"integer"}}}), ..Default::default() };
/// assert_eq!(format_tools(&[t]), json!({"functionDeclarations":[{"name":"X","description":"d",
///     "parameters":{"type":"OBJECT","properties":{"n":{"type":"INTEGER"}}}}]}));
/// ```
pub fn format_tools(tools: &[Tool]) -> Value {
    let mut decls = Vec::with_capacity(tools.len());
    for t in tools {
        decls.push(function_declaration(t));
    }
    json!({"functionDeclarations": decls})
}

/// The `functionCall` parts of a response (`candidates[0]`), a candidate, a content or a parts
/// array. The call id is `functionCall.id` when present, else the function name.
pub fn parse_function_calls(v: &Value) -> Result<Vec<ToolCall>, Error> {
    super::extract_calls(
        v,
        &super::CallShape {
            lists: &[
                "/candidates/0/content/parts",
                "/content/parts",
                "/parts",
                "",
            ],
            kind: "",
            kind_optional: false,
            inner: "functionCall",
            gemini: true,
            id: "id",
            name: "name",
            args: ["args", ""],
        },
    )
}

/// [`parse_function_calls`] with the original parameter names restored.
pub fn parse_function_calls_restored(v: &Value, tools: &[Tool]) -> Result<Vec<ToolCall>, Error> {
    Ok(super::restore_calls(
        parse_function_calls(v)?,
        tools,
        key_map,
    ))
}

/// `{"functionResponse":{"name","id"?,"response":{"output":data}|{"error":message}}}`.
pub fn function_response_part(call: &ToolCall, outcome: &ToolOutcome) -> Value {
    let response = match outcome.error.as_deref().filter(|e| !e.is_empty()) {
        Some(e) => json!({"error": e}),
        None => json!({"output": outcome.data}),
    };
    let mut fr = json!({"name": call.name, "response": response});
    if !call.id.is_empty() && call.id != call.name {
        crate::wire::json::set(&mut fr, "id", Value::from(call.id.as_str()));
    }
    json!({"functionResponse": fr})
}

/// `{"role":"user","parts":[functionResponse…]}` for every executed call.
pub fn function_response_content(results: &[(ToolCall, ToolOutcome)]) -> Value {
    let mut parts = Vec::with_capacity(results.len());
    for (c, o) in results {
        parts.push(function_response_part(c, o));
    }
    json!({"role": "user", "parts": parts})
}

//! A small JSON Schema check of tool arguments before execute: `type`, `required`,
//! `properties`, `additionalProperties: false`, `enum`, `items`, string and array lengths,
//! numeric bounds. Unknown keywords are ignored (the API validates fully).

use serde_json::Value;

/// Every violation of `schema` by `value`, as `(path, message)` with paths like `$.to`.
///
/// ```
/// use serde_json::json;
/// let schema = json!({"type": "object", "properties": {"to": {"type": "string"}}, "required": ["to"]});
/// assert!(composio_edge::gateway::schema::violations(&schema, &json!({"to": "a@b.c"})).is_empty());
/// assert_eq!(composio_edge::gateway::schema::violations(&schema, &json!({}))[0].0, "$.to");
/// ```
pub fn violations(schema: &Value, value: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    check(schema, value, "$", &mut out, 0);
    out
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_matches(expected: &str, v: &Value) -> bool {
    let actual = type_name(v);
    expected == actual
        || (expected == "number" && actual == "integer")
        || (expected == "integer" && v.as_f64().is_some_and(|f| f.fract() == 0.0))
}

fn check(schema: &Value, value: &Value, path: &str, out: &mut Vec<(String, String)>, depth: u32) {
    let Some(s) = schema.as_object() else { return };
    if depth > 32 || out.len() >= 50 {
        return;
    }
    match s.get("type") {
        Some(Value::String(t)) if !type_matches(t, value) => {
            out.push((
                path.to_owned(),
                format!("must be of type {t}, got {}", type_name(value)),
            ));
            return;
        }
        Some(Value::Array(ts))
            if !ts
                .iter()
                .filter_map(Value::as_str)
                .any(|t| type_matches(t, value)) =>
        {
            let names: Vec<&str> = ts.iter().filter_map(Value::as_str).collect();
            out.push((
                path.to_owned(),
                format!(
                    "must be one of types {}, got {}",
                    names.join(", "),
                    type_name(value)
                ),
            ));
            return;
        }
        _ => {}
    }
    if let Some(Value::Array(allowed)) = s.get("enum") {
        if !allowed.contains(value) {
            out.push((path.to_owned(), "is not one of the allowed values".into()));
        }
    }
    match value {
        Value::Object(map) => {
            let props = s.get("properties").and_then(Value::as_object);
            if let Some(Value::Array(req)) = s.get("required") {
                for r in req.iter().filter_map(Value::as_str) {
                    if !map.contains_key(r) {
                        out.push((format!("{path}.{r}"), "is required".into()));
                    }
                }
            }
            for (k, v) in map {
                let sub = format!("{path}.{k}");
                match props.and_then(|p| p.get(k)) {
                    Some(ps) => check(ps, v, &sub, out, depth + 1),
                    None => match s.get("additionalProperties") {
                        Some(Value::Bool(false)) => out.push((sub, "is not allowed".into())),
                        Some(extra @ Value::Object(_)) => check(extra, v, &sub, out, depth + 1),
                        _ => {}
                    },
                }
            }
        }
        Value::Array(items) => {
            if let Some(min) = s.get("minItems").and_then(Value::as_u64) {
                if (items.len() as u64) < min {
                    out.push((path.to_owned(), format!("must have at least {min} items")));
                }
            }
            if let Some(max) = s.get("maxItems").and_then(Value::as_u64) {
                if items.len() as u64 > max {
                    out.push((path.to_owned(), format!("must have at most {max} items")));
                }
            }
            if let Some(item_schema) = s.get("items") {
                for (i, v) in items.iter().enumerate() {
                    check(item_schema, v, &format!("{path}[{i}]"), out, depth + 1);
                }
            }
        }
        Value::String(st) => {
            let n = st.chars().count() as u64;
            if let Some(min) = s.get("minLength").and_then(Value::as_u64) {
                if n < min {
                    out.push((
                        path.to_owned(),
                        format!("must be at least {min} characters"),
                    ));
                }
            }
            if let Some(max) = s.get("maxLength").and_then(Value::as_u64) {
                if n > max {
                    out.push((path.to_owned(), format!("must be at most {max} characters")));
                }
            }
        }
        Value::Number(num) => {
            if let Some(f) = num.as_f64() {
                if let Some(min) = s.get("minimum").and_then(Value::as_f64) {
                    if f < min {
                        out.push((path.to_owned(), format!("must be at least {min}")));
                    }
                }
                if let Some(max) = s.get("maximum").and_then(Value::as_f64) {
                    if f > max {
                        out.push((path.to_owned(), format!("must be at most {max}")));
                    }
                }
            }
        }
        _ => {}
    }
}

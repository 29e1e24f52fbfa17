//! Normalization of tool arguments as models emit them (wire §7, `normalizeToolArguments`).

use crate::json::{Map, Value};

use crate::Error;

/// Normalizes model output for tool arguments into a JSON object.
///
/// `null`, `""` and whitespace-only strings give `{}`; an object is returned as is; a string holding
/// a JSON object is parsed. Anything else (numbers, arrays, booleans, strings that are not a JSON
/// object) is [`Error::InvalidToolArguments`].
///
/// ```
/// use composio_edge::tools::args::normalize_arguments;
/// use composio_edge::json;
/// assert!(normalize_arguments(&json!(null)).unwrap().is_empty());
/// assert_eq!(normalize_arguments(&json!("{\"a\":1}")).unwrap()["a"], 1);
/// assert!(normalize_arguments(&json!([1])).is_err());
/// ```
pub fn normalize_arguments(raw: &Value) -> Result<Map, Error> {
    match raw {
        Value::Null => Ok(crate::wire::json::new_map()),
        Value::Object(m) => Ok(m.clone()),
        Value::String(s) => normalize_arguments_str(s),
        other => Err(Error::InvalidToolArguments(format!(
            "expected an object or a json string of one, got {}",
            type_name(other)
        ))),
    }
}

/// Like [`normalize_arguments`] for the raw string a model produced (e.g. OpenAI's
/// `function.arguments`).
///
/// ```
/// use composio_edge::tools::args::normalize_arguments_str;
/// assert!(normalize_arguments_str("  ").unwrap().is_empty());
/// assert!(normalize_arguments_str("not json").is_err());
/// ```
pub fn normalize_arguments_str(raw: &str) -> Result<Map, Error> {
    if raw.trim().is_empty() {
        return Ok(crate::wire::json::new_map());
    }
    match crate::wire::json::parse(raw) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(other) => Err(Error::InvalidToolArguments(format!(
            "expected a json object, got {}",
            type_name(&other)
        ))),
        Err(e) => Err(Error::InvalidToolArguments(format!(
            "arguments are not valid json: {e}"
        ))),
    }
}

/// The JSON type name of a value (`null`, `boolean`, `number`, `string`, `array`, `object`).
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

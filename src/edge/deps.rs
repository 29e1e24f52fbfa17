//! Temporary stand-ins for `crate::tools::{args, schema}` until branch `tools` is merged.

use serde_json::{Map, Value};

use crate::Error;

pub(crate) fn normalize_arguments(raw: &Value) -> Result<Map<String, Value>, Error> {
    match raw {
        Value::Null => Ok(Map::new()),
        Value::Object(m) => Ok(m.clone()),
        Value::String(s) if s.trim().is_empty() => Ok(Map::new()),
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(Error::InvalidToolArguments("expected a json object".into())),
        },
        _ => Err(Error::InvalidToolArguments(
            "expected an object or a json string of one".into(),
        )),
    }
}

pub(crate) fn check_arguments(tool_slug: &str, schema: &Value, args: &Value) -> Result<(), Error> {
    let missing: Vec<(String, String)> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .filter(|k| args.get(*k).is_none())
                .map(|k| (format!("$.{k}"), "is required".to_owned()))
                .collect()
        })
        .unwrap_or_default();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::ArgumentValidation {
            tool_slug: tool_slug.to_owned(),
            violations: missing,
        })
    }
}

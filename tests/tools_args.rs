//! Argument normalization (wire §7).

use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::tools::args::{normalize_arguments, normalize_arguments_str};
use composio_edge::Error;

#[test]
fn empty_forms_become_an_empty_object() {
    for raw in [json!(null), json!(""), json!("   \n\t")] {
        assert_eq!(
            normalize_arguments(&raw).unwrap(),
            composio_edge::json::Map::new(),
            "{raw}"
        );
    }
    assert!(normalize_arguments_str("").unwrap().is_empty());
}

#[test]
fn objects_and_json_strings_of_objects_are_accepted() {
    let obj = json!({"to": "a@b.c", "n": [1, 2]});
    assert_eq!(Value::Object(normalize_arguments(&obj).unwrap()), obj);
    let s = Value::String(obj.to_string());
    assert_eq!(Value::Object(normalize_arguments(&s).unwrap()), obj);
    assert_eq!(
        Value::Object(normalize_arguments_str(" {\"a\":{}} ").unwrap()),
        json!({"a": {}})
    );
}

#[test]
fn everything_else_is_invalid_tool_arguments() {
    for raw in [
        json!(1),
        json!(true),
        json!([1]),
        json!("[1,2]"),
        json!("42"),
        json!("null"),
        json!("{not json"),
        json!("hello"),
    ] {
        let err = normalize_arguments(&raw).unwrap_err();
        assert!(
            matches!(err, Error::InvalidToolArguments(_)),
            "{raw}: {err:?}"
        );
        assert_eq!(err.code(), "invalid_tool_arguments");
        assert_eq!(err.http_status(), 400);
    }
}

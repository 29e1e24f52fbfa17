//! `tools::schema::validate` / `check_arguments` over arbitrary (schema, instance) pairs, given
//! as `schema\0instance` JSON: no panic, bounded output, consistent results.
#![no_main]

#[path = "common.rs"]
mod common;

use composio_edge::tools::schema::{check_arguments, validate};
use composio_edge::Error;
use libfuzzer_sys::fuzz_target;
use composio_edge::json::Value;

fuzz_target!(|data: &[u8]| {
    let (s, i) = common::split2(data);
    let schema = common::json_or_string(s);
    let instance = common::json_or_string(i);
    let v = validate(&schema, &instance);
    assert!(v.len() <= 100);
    for x in &v {
        assert!(x.path.starts_with('$'), "path {}", x.path);
        assert!(!x.message.is_empty());
    }
    // Deterministic.
    assert_eq!(validate(&schema, &instance), v);
    // The empty and the `true` schema accept everything.
    assert!(validate(&Value::Bool(true), &instance).is_empty());
    assert!(validate(&composio_edge::json!({}), &instance).is_empty());
    match check_arguments("T", &schema, &instance) {
        Ok(()) => assert!(
            v.is_empty() || schema.is_null() || schema.as_object().is_some_and(|o| o.is_empty())
        ),
        Err(Error::ArgumentValidation { violations, .. }) => {
            assert_eq!(violations.len(), v.len());
            let e = Error::ArgumentValidation {
                tool_slug: "T".into(),
                violations,
            };
            let _ = e.to_string();
        }
        Err(e) => panic!("unexpected error {}", e.code()),
    }
});

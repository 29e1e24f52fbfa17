//! The ECMA-262 subset matcher behind JSON Schema `pattern` and `patternProperties`
//! (`tools::regex`, reached through `tools::schema::validate`), as `pattern\0text`:
//! no panic, bounded time, and literal patterns agree with substring search.
#![no_main]

#[path = "common.rs"]
mod common;

use std::time::{Duration, Instant};

use composio_edge::tools::schema::validate;
use libfuzzer_sys::fuzz_target;
use composio_edge::json;
use composio_edge::json::{Map, Value};

/// Longest a single validation may take; far above the microseconds a real pattern needs.
const BUDGET: Duration = Duration::from_secs(2);

fn matches(pattern: &str, text: &str) -> bool {
    validate(&json!({"pattern": pattern}), &Value::from(text)).is_empty()
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let t0 = Instant::now();
    let r = f();
    let dt = t0.elapsed();
    assert!(dt < BUDGET, "{what} took {dt:?}");
    r
}

fuzz_target!(|data: &[u8]| {
    let (p, t) = common::split2(data);
    let pattern = String::from_utf8_lossy(p).into_owned();
    let text = String::from_utf8_lossy(t).into_owned();
    let m = timed("pattern", || matches(&pattern, &text));

    // A pattern of plain letters, digits and spaces is a substring search (when it is small
    // enough for the matcher's depth and step budgets, past which it declines to judge).
    let small = pattern.len() <= 500 && pattern.len() * (text.chars().count() + 1) <= 100_000;
    if small
        && pattern
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '_')
    {
        assert_eq!(
            m,
            text.contains(&pattern),
            "literal {pattern:?} on {text:?}"
        );
        assert_eq!(
            matches(&format!("^{pattern}$"), &text),
            text == pattern,
            "anchored literal {pattern:?} on {text:?}"
        );
    }

    // The same pattern as a property-name pattern.
    let mut props = Map::new();
    props.insert(pattern.clone(), json!(false));
    let schema = json!({"patternProperties": Value::Object(props)});
    let mut obj = Map::new();
    obj.insert(text.clone(), json!(1));
    timed("patternProperties", || {
        validate(&schema, &Value::Object(obj))
    });
});

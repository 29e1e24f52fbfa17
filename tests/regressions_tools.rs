//! Crash regressions found while fuzzing `tools` (fuzz targets `regex`, `schema`).

use composio_edge::json;
use composio_edge::tools::schema::validate;

/// fuzz/regex probe: a `pattern` of 20 000 nested `(?:` groups overflowed the stack in the
/// pattern parser (a native abort; a trap in a Worker). Deep nesting is now declined, which
/// validation treats like any unsupported pattern: the check is skipped.
#[test]
fn deeply_nested_pattern_does_not_overflow_the_stack() {
    let deep = format!("{}a{})", "(?:".repeat(20_000), ")".repeat(19_999));
    let schema = json!({"type": "string", "pattern": deep});
    assert!(validate(&schema, &json!("b")).is_empty());
    let unclosed = "(".repeat(100_000);
    let schema = json!({"patternProperties": {unclosed: false}});
    assert!(validate(&schema, &json!({"x": 1})).is_empty());
}

/// Moderate nesting still matches as before.
#[test]
fn moderately_nested_pattern_still_validates() {
    let p = format!("^{}[a-z]+{}$", "(?:".repeat(40), ")".repeat(40));
    let schema = json!({"type": "string", "pattern": p});
    assert!(validate(&schema, &json!("abc")).is_empty());
    assert_eq!(validate(&schema, &json!("ab1")).len(), 1);
}

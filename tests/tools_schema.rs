//! JSON Schema validation of tool arguments.

use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::tools::schema::{check_arguments, validate};
use composio_edge::Error;

fn v(schema: Value, instance: Value) -> Vec<(String, String)> {
    validate(&schema, &instance)
        .into_iter()
        .map(|v| (v.path, v.message))
        .collect()
}

fn one(path: &str, msg: &str) -> Vec<(String, String)> {
    vec![(path.to_string(), msg.to_string())]
}

#[test]
fn type_keyword_table() {
    let cases = [
        (json!({"type": "string"}), json!("x"), true),
        (json!({"type": "string"}), json!(1), false),
        (json!({"type": "integer"}), json!(3), true),
        (json!({"type": "integer"}), json!(3.0), true),
        (json!({"type": "integer"}), json!(3.5), false),
        (json!({"type": "number"}), json!(3.5), true),
        (json!({"type": "null"}), json!(null), true),
        (json!({"type": "boolean"}), json!(0), false),
        (json!({"type": ["string", "null"]}), json!(null), true),
        (json!({"type": ["string", "null"]}), json!(2), false),
        (json!({"type": "array"}), json!({}), false),
        (json!({"type": "object"}), json!([]), false),
        (
            json!({"type": "string", "nullable": true}),
            json!(null),
            true,
        ),
        (json!({"type": "mystery"}), json!(1), true),
        (json!(true), json!(1), true),
        (json!({}), json!([1]), true),
    ];
    for (s, i, ok) in cases {
        assert_eq!(v(s.clone(), i.clone()).is_empty(), ok, "{s} vs {i}");
    }
    assert_eq!(
        v(json!({"type": "string"}), json!(1)),
        one("$", "expected string, got number")
    );
    assert_eq!(
        v(json!({"type": ["string", "null"]}), json!(true)),
        one("$", "expected string or null, got boolean")
    );
    assert_eq!(
        v(json!({"type": "integer"}), json!(1.5)),
        one("$", "expected integer, got number")
    );
    assert_eq!(v(json!(false), json!(1)), one("$", "is not allowed"));
}

#[test]
fn object_keywords_name_paths() {
    let s = json!({
        "type": "object",
        "required": ["to", "subject"],
        "properties": {
            "to": {"type": "string", "format": "email"},
            "subject": {"type": "string", "maxLength": 5},
            "cc": {"type": "array", "items": {"type": "string"}}
        },
        "additionalProperties": false
    });
    assert!(v(s.clone(), json!({"to": "a@b.co", "subject": "hi"})).is_empty());
    assert_eq!(
        v(s.clone(), json!({"subject": "hi"})),
        one("$.to", "is required")
    );
    assert_eq!(
        v(s.clone(), json!({"to": "a@b.co", "subject": "hi", "x": 1})),
        one("$", "additional property \"x\" is not allowed")
    );
    assert_eq!(
        v(
            s.clone(),
            json!({"to": "nope", "subject": "toolong", "cc": ["a", 2]})
        ),
        vec![
            // In the order the arguments were given (JSON objects keep their key order).
            ("$.to".into(), "must be a valid email".into()),
            ("$.subject".into(), "must have at most 5 characters".into()),
            ("$.cc[1]".into(), "expected string, got number".into()),
        ]
    );
    let weird = json!({"required": ["a b"]});
    assert_eq!(v(weird, json!({})), one("$[\"a b\"]", "is required"));
    // Only ASCII names are written as `.name` (no Unicode tables in the browser wasm).
    let accented = json!({"required": ["café", "x_1-y"]});
    assert_eq!(
        v(accented, json!({})),
        vec![
            ("$[\"café\"]".into(), "is required".into()),
            ("$.x_1-y".into(), "is required".into())
        ]
    );
    let extra_schema =
        json!({"properties": {"a": {}}, "additionalProperties": {"type": "integer"}});
    assert_eq!(
        v(extra_schema, json!({"a": "x", "b": "y"})),
        one("$.b", "expected integer, got string")
    );
    let pats =
        json!({"patternProperties": {"^x_": {"type": "string"}}, "additionalProperties": false});
    assert!(v(pats.clone(), json!({"x_a": "s"})).is_empty());
    assert_eq!(
        v(pats.clone(), json!({"x_a": 1})),
        one("$.x_a", "expected string, got number")
    );
    assert_eq!(
        v(pats, json!({"y": 1})),
        one("$", "additional property \"y\" is not allowed")
    );
    assert_eq!(
        v(json!({"minProperties": 1}), json!({})),
        one("$", "must have at least 1 properties")
    );
}

#[test]
fn nested_paths() {
    let s = json!({"properties": {"items": {"type": "array", "items": {
        "type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}}});
    let i = json!({"items": [{"name": "a"}, {"name": "b"}, {"name": 3}, {}]});
    assert_eq!(
        v(s, i),
        vec![
            (
                "$.items[2].name".into(),
                "expected string, got number".into()
            ),
            ("$.items[3].name".into(), "is required".into()),
        ]
    );
}

#[test]
fn enum_const_and_numbers() {
    assert_eq!(
        v(json!({"enum": ["a", "b"]}), json!("c")),
        one("$", "must be one of [\"a\",\"b\"]")
    );
    assert!(v(json!({"enum": [1, "b"]}), json!(1.0)).is_empty());
    assert_eq!(
        v(json!({"const": 3}), json!(4)),
        one("$", "must be equal to 3")
    );
    assert!(v(json!({"const": {"a": [1]}}), json!({"a": [1.0]})).is_empty());
    let table = [
        (json!({"minimum": 5}), json!(4), Some("must be >= 5")),
        (json!({"minimum": 5}), json!(5), None),
        (
            json!({"minimum": 5, "exclusiveMinimum": true}),
            json!(5),
            Some("must be > 5"),
        ),
        (
            json!({"exclusiveMinimum": 5}),
            json!(5),
            Some("must be > 5"),
        ),
        (json!({"exclusiveMinimum": 5}), json!(5.1), None),
        (json!({"maximum": 1.5}), json!(2), Some("must be <= 1.5")),
        (
            json!({"maximum": 2, "exclusiveMaximum": true}),
            json!(2),
            Some("must be < 2"),
        ),
        (json!({"exclusiveMaximum": 2}), json!(1), None),
        (json!({"multipleOf": 0.1}), json!(0.3), None),
        (
            json!({"multipleOf": 3}),
            json!(10),
            Some("must be a multiple of 3"),
        ),
        (
            json!({"minimum": 5}),
            json!("strings are not checked"),
            None,
        ),
    ];
    for (s, i, want) in table {
        let got = v(s.clone(), i.clone());
        match want {
            Some(m) => assert_eq!(got, one("$", m), "{s} {i}"),
            None => assert!(got.is_empty(), "{s} {i}: {got:?}"),
        }
    }
}

#[test]
fn arrays() {
    assert_eq!(
        v(json!({"maxItems": 5}), json!([1, 2, 3, 4, 5, 6])),
        one("$", "must have at most 5 items")
    );
    assert_eq!(
        v(json!({"minItems": 1}), json!([])),
        one("$", "must have at least 1 items")
    );
    assert_eq!(
        v(json!({"uniqueItems": true}), json!([1, 2, 1.0])),
        one("$", "items must be unique (item 2 is a duplicate)")
    );
    let tuple =
        json!({"items": [{"type": "string"}, {"type": "integer"}], "additionalItems": false});
    assert!(v(tuple.clone(), json!(["a", 1])).is_empty());
    assert_eq!(v(tuple, json!(["a", 1, 2])), one("$[2]", "is not allowed"));
    let prefix = json!({"prefixItems": [{"type": "string"}], "items": {"type": "boolean"}});
    assert!(v(prefix.clone(), json!(["a", true, false])).is_empty());
    assert_eq!(v(prefix, json!([1, true, 0])).len(), 2);
    assert_eq!(
        v(json!({"contains": {"const": 2}}), json!([1, 3])),
        one("$", "must contain a matching item")
    );
}

#[test]
fn strings_patterns_and_formats() {
    let table = [
        (
            json!({"minLength": 2}),
            json!("é"),
            Some("must have at least 2 characters"),
        ),
        (json!({"maxLength": 2}), json!("éé"), None),
        (json!({"pattern": "^[a-z]+$"}), json!("abc"), None),
        (
            json!({"pattern": "^[a-z]+$"}),
            json!("abC"),
            Some("must match pattern \"^[a-z]+$\""),
        ),
        (json!({"pattern": "b"}), json!("abc"), None),
        (json!({"pattern": "(?<=a)b"}), json!("zzz"), None),
        (json!({"pattern": "(?i)abc"}), json!("zzz"), None),
        (json!({"format": "email"}), json!("a@b.co"), None),
        (
            json!({"format": "email"}),
            json!("a b@c"),
            Some("must be a valid email"),
        ),
        (json!({"format": "date"}), json!("2026-11-22"), None),
        (
            json!({"format": "date"}),
            json!("2026-13-01"),
            Some("must be a valid date"),
        ),
        (
            json!({"format": "date-time"}),
            json!("2026-11-22T03:45:00Z"),
            None,
        ),
        (
            json!({"format": "date-time"}),
            json!("2026-11-22T03:45:00.123+01:00"),
            None,
        ),
        (
            json!({"format": "date-time"}),
            json!("yesterday"),
            Some("must be a valid date-time"),
        ),
        (
            json!({"format": "uri"}),
            json!("https://example.com/x?y=1"),
            None,
        ),
        (
            json!({"format": "uri"}),
            json!("not a uri"),
            Some("must be a valid uri"),
        ),
        (json!({"format": "hostname-ish"}), json!("anything"), None),
    ];
    for (s, i, want) in table {
        let got = v(s.clone(), i.clone());
        match want {
            Some(m) => assert_eq!(got, one("$", m), "{s} {i}"),
            None => assert!(got.is_empty(), "{s} {i}: {got:?}"),
        }
    }
}

#[test]
fn combinators() {
    let opt = json!({"anyOf": [{"type": "string"}, {"type": "null"}]});
    assert!(v(opt.clone(), json!(null)).is_empty());
    assert_eq!(
        v(opt, json!(1)),
        one("$", "expected string or null, got number")
    );
    let deep = json!({"anyOf": [
        {"type": "object", "required": ["id"]},
        {"type": "null"}
    ]});
    assert_eq!(v(deep, json!({})), one("$.id", "is required"));
    let both = json!({"anyOf": [{"required": ["a"]}, {"required": ["b"]}]});
    assert_eq!(
        v(both, json!({})),
        one("$", "must match one of the allowed schemas")
    );
    let one_of = json!({"oneOf": [{"type": "integer"}, {"type": "number"}]});
    assert!(v(one_of.clone(), json!(1.5)).is_empty());
    assert_eq!(
        v(one_of, json!(1)),
        one("$", "must match exactly one allowed schema, matched 2")
    );
    let all = json!({"allOf": [{"minimum": 1}, {"maximum": 3}]});
    assert_eq!(v(all, json!(4)), one("$", "must be <= 3"));
    assert_eq!(
        v(json!({"not": {"type": "string"}}), json!("s")),
        one("$", "must not match the schema in not")
    );
    let cond = json!({"if": {"properties": {"k": {"const": "a"}}}, "then": {"required": ["x"]}, "else": {"required": ["y"]}});
    assert_eq!(
        v(cond.clone(), json!({"k": "a"})),
        one("$.x", "is required")
    );
    assert_eq!(v(cond, json!({"k": "b"})), one("$.y", "is required"));
}

#[test]
fn local_refs() {
    let s = json!({
        "$defs": {"addr": {"type": "object", "required": ["city"]}},
        "definitions": {"n": {"type": "integer"}},
        "properties": {"home": {"$ref": "#/$defs/addr"}, "n": {"$ref": "#/definitions/n"},
                       "remote": {"$ref": "https://example.com/s.json"}}
    });
    assert_eq!(
        v(s.clone(), json!({"home": {}, "n": "x", "remote": 1})),
        vec![
            ("$.home.city".into(), "is required".into()),
            ("$.n".into(), "expected integer, got string".into()),
        ]
    );
    let tree = json!({"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#"}}}});
    assert!(v(
        tree.clone(),
        json!({"kids": [{"kids": []}, {"kids": [{}]}]})
    )
    .is_empty());
    assert_eq!(
        v(tree, json!({"kids": [{"kids": [1]}]})),
        one("$.kids[0].kids[0]", "expected object, got number")
    );
}

#[test]
fn hostile_schemas_do_not_panic_or_spin() {
    let start = std::time::Instant::now();
    let self_ref = json!({"$ref": "#"});
    assert_eq!(
        v(self_ref, json!(1)),
        one("$", "schema nesting is too deep")
    );
    let fork = json!({"anyOf": [{"$ref": "#"}, {"$ref": "#"}, {"$ref": "#"}]});
    let _ = v(fork, json!(1));
    let evil_regex = json!({"pattern": "^(a+)+$"});
    let _ = v(
        evil_regex,
        json!("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"),
    );
    let odd = [
        json!({"type": 5, "required": "x", "properties": [], "items": 3, "enum": {}, "minimum": "a"}),
        json!({"$ref": "#/nope"}),
        json!({"$ref": 3}),
        json!({"anyOf": []}),
        json!({"multipleOf": 0}),
        json!({"multipleOf": -1, "minLength": -1, "maxItems": 1.5}),
        json!({"pattern": "[z-a]"}),
        json!(null),
        json!("string schema"),
    ];
    for s in odd {
        for i in [
            json!(null),
            json!(1),
            json!("x"),
            json!([1]),
            json!({"a": 1}),
        ] {
            let _ = v(s.clone(), i);
        }
    }
    assert!(start.elapsed().as_secs() < 5);
}

#[test]
fn check_arguments_maps_to_argument_validation() {
    assert!(check_arguments("T", &Value::Null, &json!(1)).is_ok());
    assert!(check_arguments("T", &json!({}), &json!("x")).is_ok());
    let s = json!({"type": "object", "required": ["to"]});
    assert_eq!(
        check_arguments("GMAIL_SEND_EMAIL", &s, &json!({})),
        Err(Error::ArgumentValidation {
            tool_slug: "GMAIL_SEND_EMAIL".into(),
            violations: one("$.to", "is required"),
        })
    );
    let err = check_arguments("X", &s, &json!([])).unwrap_err();
    assert_eq!(err.code(), "argument_validation_failed");
    assert_eq!(
        err.to_string(),
        "arguments for X do not match its schema: $ expected object, got array"
    );
}

#[test]
fn a_thousand_calls_validate_without_state_leaking() {
    let s = json!({"type": "object", "required": ["to", "subject"], "additionalProperties": false,
        "properties": {"to": {"type": "string", "format": "email"}, "subject": {"type": "string", "maxLength": 200},
        "cc": {"type": "array", "items": {"type": "string"}, "maxItems": 10},
        "priority": {"enum": ["low", "high"]}, "id": {"type": "string", "pattern": "^[A-Z]{2}-\\d+$"}}});
    let i = json!({"to": "a@b.co", "subject": "hello", "cc": ["x", "y"], "priority": "low", "id": "AB-12"});
    let bad = json!({"to": "a@b.co", "subject": "hello", "id": "ab-12"});
    // Timing lives in the benchmarks; here: repeated use gives the same answers.
    for _ in 0..1000 {
        assert!(check_arguments("T", &s, &i).is_ok());
        assert!(check_arguments("T", &s, &bad).is_err());
    }
}

/// Every bound that fails is reported, in keyword order; anyOf failures are summarised.
#[test]
fn bounds_in_order_and_any_of_summaries() {
    let msgs = |schema: Value, instance: Value| -> Vec<String> {
        v(schema, instance).into_iter().map(|(_, m)| m).collect()
    };
    let s = json!({"minimum": 10, "exclusiveMinimum": 12, "maximum": 3, "exclusiveMaximum": 2});
    assert_eq!(
        msgs(s, json!(5)),
        [
            "must be >= 10",
            "must be <= 3",
            "must be > 12",
            "must be < 2"
        ]
    );
    let s = json!({"minimum": 5, "exclusiveMinimum": true, "maximum": 5, "exclusiveMaximum": true});
    assert_eq!(msgs(s, json!(5)), ["must be > 5", "must be < 5"]);
    let s =
        json!({"minimum": 5, "exclusiveMinimum": false, "maximum": 5, "exclusiveMaximum": false});
    assert!(msgs(s, json!(5)).is_empty());
    let s = json!({"minLength": 3, "maxLength": 1});
    assert_eq!(
        msgs(s, json!("éé")),
        [
            "must have at least 3 characters",
            "must have at most 1 characters"
        ]
    );
    let s = json!({"minProperties": 2, "maxProperties": 0});
    assert_eq!(
        msgs(s, json!({"a": 1})),
        [
            "must have at least 2 properties",
            "must have at most 0 properties"
        ]
    );
    let s = json!({"minItems": 1, "maxItems": 0});
    assert_eq!(msgs(s.clone(), json!([])), ["must have at least 1 items"]);
    assert_eq!(msgs(s, json!([1])), ["must have at most 0 items"]);
    // All branches fail on type: one merged message.
    let s = json!({"anyOf": [{"type": "string"}, {"type": ["integer", "null"]}]});
    assert_eq!(
        msgs(s, json!(true)),
        ["expected string or integer or null, got boolean"]
    );
    // One deeper failure among type failures: that one is reported.
    let s = json!({"anyOf": [{"type": "string"}, {"type": "object", "required": ["a"]}]});
    assert_eq!(
        v(s, json!({})),
        [("$.a".to_string(), "is required".to_string())]
    );
    // Two deeper failures: the generic message.
    let s = json!({"oneOf": [{"required": ["a"]}, {"required": ["b"]}, {"type": "string"}]});
    assert_eq!(
        msgs(s, json!({})),
        ["must match one of the allowed schemas"]
    );
    let s = json!({"oneOf": [{}, {"type": "integer"}]});
    assert_eq!(
        msgs(s, json!(1)),
        ["must match exactly one allowed schema, matched 2"]
    );
}

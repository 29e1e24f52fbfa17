//! Provider formats (wire §7): tool definitions, call parsing, result messages, key sanitising.

use composio_edge::json;
use composio_edge::json::{Map, Value};
use composio_edge::provider::{
    anthropic, dedupe_required, deref_schema, gemini, openai, openai_responses, vercel, Provider,
    ToolCall,
};
use composio_edge::tools::multi::ToolOutcome;
use composio_edge::wire::{ExecuteResponse, Tool};
use composio_edge::Error;

fn tool(slug: &str, schema: Value) -> Tool {
    Tool {
        slug: slug.into(),
        name: slug.into(),
        description: format!("{slug} description"),
        input_parameters: schema,
        ..Default::default()
    }
}

fn email_tool() -> Tool {
    tool(
        "GMAIL_SEND_EMAIL",
        json!({"type": "object", "title": "SendEmailRequest",
               "properties": {"to": {"type": "string", "format": "email", "description": "Recipient"},
                              "cc": {"type": "array", "items": {"type": "string"}},
                              "is_html": {"type": "boolean", "default": false}},
               "required": ["to", "to"]}),
    )
}

fn obj(v: Value) -> Map {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

#[test]
fn provider_parse_table() {
    let table = [
        ("openai", Some(Provider::OpenAi)),
        ("OpenAI", Some(Provider::OpenAi)),
        (
            "openai-responses",
            Some(Provider::OpenAiResponses { strict: false }),
        ),
        (
            "openai-responses-strict",
            Some(Provider::OpenAiResponses { strict: true }),
        ),
        (
            "anthropic",
            Some(Provider::Anthropic {
                cache_control: false,
            }),
        ),
        (
            "anthropic-cache",
            Some(Provider::Anthropic {
                cache_control: true,
            }),
        ),
        ("gemini", Some(Provider::Gemini)),
        ("vercel", Some(Provider::Vercel)),
        ("langchain", None),
        ("", None),
    ];
    for (name, want) in table {
        match want {
            Some(p) => assert_eq!(Provider::parse(name).unwrap(), p, "{name}"),
            None => assert!(matches!(
                Provider::parse(name),
                Err(Error::InvalidRequest(_))
            )),
        }
    }
}

#[test]
fn openai_chat_tool_matches_the_captured_shape() {
    let got = openai::format_tool(&email_tool());
    assert_eq!(
        got,
        json!({"type": "function", "function": {"name": "GMAIL_SEND_EMAIL",
            "description": "GMAIL_SEND_EMAIL description",
            "parameters": {"type": "object", "title": "SendEmailRequest",
               "properties": {"to": {"type": "string", "format": "email", "description": "Recipient"},
                              "cc": {"type": "array", "items": {"type": "string"}},
                              "is_html": {"type": "boolean", "default": false}},
               "required": ["to"]}}})
    );
    let empty = openai::format_tool(&tool("NO_ARGS", Value::Null));
    assert_eq!(
        empty["function"]["parameters"],
        json!({"type": "object", "properties": {}})
    );
    let tools = Provider::OpenAi.format_tools(&[email_tool(), tool("B", json!({}))]);
    assert_eq!(tools.as_array().map(Vec::len), Some(2));
}

#[test]
fn dedupe_required_is_recursive() {
    let mut s = json!({"required": ["a", "b", "a"], "properties": {"a": {"required": ["x", "x"]},
        "b": {"items": {"required": ["y", "y", "z"]}}}});
    dedupe_required(&mut s);
    assert_eq!(s["required"], json!(["a", "b"]));
    assert_eq!(s["properties"]["a"]["required"], json!(["x"]));
    assert_eq!(s["properties"]["b"]["items"]["required"], json!(["y", "z"]));
}

#[test]
fn openai_chat_parse_table() {
    let completion = json!({"choices": [{"message": {"role": "assistant", "content": null, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "GMAIL_SEND_EMAIL", "arguments": "{\"to\":\"a@b.co\"}"}},
        {"id": "call_2", "type": "function", "function": {"name": "NO_ARGS", "arguments": ""}},
        {"id": "call_3", "type": "custom", "custom": {"name": "X", "input": "raw"}},
        {"id": "call_4", "type": "function", "function": {"name": "OBJ", "arguments": {"k": 1}}}
    ]}}]});
    let calls = openai::parse_tool_calls(&completion).unwrap();
    assert_eq!(
        calls,
        vec![
            ToolCall {
                id: "call_1".into(),
                name: "GMAIL_SEND_EMAIL".into(),
                arguments: obj(json!({"to": "a@b.co"}))
            },
            ToolCall {
                id: "call_2".into(),
                name: "NO_ARGS".into(),
                arguments: Map::new()
            },
            ToolCall {
                id: "call_4".into(),
                name: "OBJ".into(),
                arguments: obj(json!({"k": 1}))
            },
        ]
    );
    assert!(
        openai::parse_tool_calls(&json!({"choices": [{"message": {"content": "hi"}}]}))
            .unwrap()
            .is_empty()
    );
    assert!(openai::parse_tool_calls(&json!({})).unwrap().is_empty());
    let bad = json!({"choices": [{"message": {"tool_calls": [
        {"id": "c", "type": "function", "function": {"name": "X", "arguments": "[1]"}}]}}]});
    assert!(matches!(
        openai::parse_tool_calls(&bad),
        Err(Error::InvalidToolArguments(_))
    ));
}

#[test]
fn openai_chat_tool_message_matches_the_captured_content() {
    let r: ExecuteResponse = composio_edge::json::from_value(json!({"result_type": "completed",
        "data": {"id": "m1"}, "error": null, "log_id": "log_abc"}))
    .unwrap();
    let m = openai::tool_message("call_1", &ToolOutcome::from_execute_response(&r));
    assert_eq!(
        m,
        json!({"role": "tool", "tool_call_id": "call_1",
               "content": "{\"data\":{\"id\":\"m1\"},\"error\":null,\"logId\":\"log_abc\",\"successful\":true}"})
    );
    let failed = openai::tool_message("call_2", &ToolOutcome::failed("boom"));
    assert_eq!(
        failed["content"],
        "{\"data\":{},\"error\":\"boom\",\"successful\":false}"
    );
}

#[test]
fn openai_responses_tools_strict_and_not() {
    let t = email_tool();
    let loose = openai_responses::format_tool(&t, false);
    assert_eq!(loose["type"], "function");
    assert_eq!(loose["name"], "GMAIL_SEND_EMAIL");
    assert_eq!(loose["strict"], false);
    assert_eq!(loose["parameters"]["required"], json!(["to"]));
    assert!(loose["parameters"]["properties"].get("cc").is_some());

    let strict = openai_responses::format_tool(&t, true);
    assert_eq!(strict["strict"], true);
    assert_eq!(
        strict["parameters"],
        json!({"type": "object", "title": "SendEmailRequest",
               "properties": {"to": {"type": "string", "format": "email", "description": "Recipient"}},
               "required": ["to"], "additionalProperties": false})
    );
    let nested = tool(
        "N",
        json!({"$defs": {"a": {"type": "object", "properties": {"x": {"type": "string"}, "y": {}}, "required": ["x"]}},
        "type": "object", "properties": {"a": {"$ref": "#/$defs/a"}, "list": {"type": "array", "items": {"$ref": "#/$defs/a"}}},
        "required": ["a", "list"]}),
    );
    let p = &openai_responses::format_tool(&nested, true)["parameters"];
    assert_eq!(
        p["properties"]["a"],
        json!({"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"], "additionalProperties": false})
    );
    assert_eq!(p["properties"]["list"]["items"], p["properties"]["a"]);
    assert!(p.get("$defs").is_none());
    let empty = openai_responses::format_tool(&tool("E", Value::Null), true);
    assert_eq!(
        empty["parameters"],
        json!({"type": "object", "properties": {}, "required": [], "additionalProperties": false})
    );
}

#[test]
fn openai_responses_parse_and_outputs() {
    let response = json!({"id": "resp_1", "output": [
        {"type": "reasoning", "id": "rs_1"},
        {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "GMAIL_SEND_EMAIL", "arguments": "{\"to\":\"x\"}"},
        {"type": "message", "content": []},
        {"type": "function_call", "id": "fc_2", "call_id": "call_2", "name": "NO_ARGS", "arguments": "  "}
    ]});
    let calls = openai_responses::parse_tool_calls(&response).unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].id, "call_1");
    assert_eq!(calls[0].arguments, obj(json!({"to": "x"})));
    assert!(calls[1].arguments.is_empty());
    assert_eq!(
        openai_responses::parse_tool_calls(&response["output"]).unwrap(),
        calls
    );
    let ok =
        openai_responses::function_call_output("call_1", Ok(&ToolOutcome::ok(json!({"a": 1}))));
    assert_eq!(
        ok,
        json!({"type": "function_call_output", "call_id": "call_1",
               "output": "{\"data\":{\"a\":1},\"error\":null,\"successful\":true}", "status": "completed"})
    );
    let items = Provider::OpenAiResponses { strict: false }
        .result_messages(&[(calls[0].clone(), ToolOutcome::failed("no"))]);
    assert_eq!(items[0]["status"], "completed");
    assert_eq!(items[0]["call_id"], "call_1");
}

#[test]
fn anthropic_tools_deref_and_sanitize_keys() {
    let t = tool(
        "WEIRD",
        json!({
            "type": "object",
            "$defs": {"addr": {"type": "object", "properties": {"zip code": {"type": "string"}}, "required": ["zip code"]}},
            "properties": {
                "user name": {"type": "string"},
                "user_name": {"type": "string"},
                "user/name": {"type": "integer"},
                "home": {"$ref": "#/$defs/addr", "description": "Home"},
                "tags": {"type": "array", "items": {"type": "object", "properties": {"tag:key": {"type": "string"}}}},
                "ok.key-1": {"type": "boolean"},
                "": {"type": "string"},
                "k".repeat(70): {"type": "string"}
            },
            "required": ["user name", "home"]
        }),
    );
    let (def, keys) = anthropic::format_tool(&t, true);
    assert_eq!(def["name"], "WEIRD");
    assert_eq!(def["cache_control"], json!({"type": "ephemeral"}));
    let schema = &def["input_schema"];
    assert!(schema.get("$defs").is_none());
    let props = schema["properties"].as_object().unwrap();
    let names: Vec<&str> = props.keys().map(String::as_str).collect();
    for n in &names {
        assert!(
            !n.is_empty()
                && n.len() <= 64
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)),
            "{n}"
        );
    }
    assert_eq!(names.len(), 8, "no key was lost to a collision: {names:?}");
    assert!(
        props.contains_key("user_name"),
        "a valid key keeps its name"
    );
    assert!(props.contains_key("ok.key-1"));
    assert_eq!(props["home"]["description"], "Home");
    assert_eq!(props["home"]["required"], json!(["zip_code"]));
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(required.len(), 2);
    assert!(required.contains(&"home"));
    // round trip: the model answers with sanitized keys, we restore the originals
    let mut sent = Map::new();
    for (k, v) in props {
        let value = match v["type"].as_str() {
            Some("object") => json!({"zip_code": "75001"}),
            Some("array") => json!([{"tag_key": "a"}, {"tag_key": "b"}]),
            Some("integer") => json!(7),
            Some("boolean") => json!(true),
            _ => json!(k),
        };
        sent.insert(k.clone(), value);
    }
    let restored = keys.restore_map(sent);
    let orig = t.input_parameters["properties"].as_object().unwrap();
    let mut want: Vec<&String> = orig.keys().collect();
    let mut got: Vec<&String> = restored.keys().collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    assert_eq!(restored["home"], json!({"zip code": "75001"}));
    assert_eq!(
        restored["tags"],
        json!([{"tag:key": "a"}, {"tag:key": "b"}])
    );
    assert_eq!(restored["user/name"], 7);
    assert_eq!(restored["user_name"], "user_name");

    // the parser restores keys using the tool list
    let message = json!({"role": "assistant", "content": [
        {"type": "text", "text": "calling"},
        {"type": "tool_use", "id": "toolu_1", "name": "WEIRD", "input": {"home": {"zip_code": "1"}, "unknown": 1}},
        {"type": "tool_use", "id": "toolu_2", "name": "OTHER", "input": {}}
    ]});
    let calls = Provider::Anthropic {
        cache_control: false,
    }
    .parse_tool_calls(&message, std::slice::from_ref(&t))
    .unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].id, "toolu_1");
    assert_eq!(
        calls[0].arguments,
        obj(json!({"home": {"zip code": "1"}, "unknown": 1}))
    );
    assert_eq!(calls[1].name, "OTHER");
}

#[test]
fn anthropic_cache_control_only_on_the_last_tool_and_results() {
    let tools = Provider::Anthropic {
        cache_control: true,
    }
    .format_tools(&[email_tool(), tool("B", Value::Null)]);
    assert!(tools[0].get("cache_control").is_none());
    assert_eq!(tools[1]["cache_control"]["type"], "ephemeral");
    assert_eq!(
        tools[1]["input_schema"],
        json!({"type": "object", "properties": {}})
    );
    let plain = Provider::Anthropic {
        cache_control: false,
    }
    .format_tools(&[email_tool()]);
    assert!(plain[0].get("cache_control").is_none());
    let call = |id: &str| ToolCall {
        id: id.into(),
        name: "X".into(),
        arguments: Map::new(),
    };
    let msgs = Provider::Anthropic {
        cache_control: false,
    }
    .result_messages(&[
        (call("toolu_1"), ToolOutcome::ok(json!({"sent": true}))),
        (call("toolu_2"), ToolOutcome::failed("no connected account")),
    ]);
    assert_eq!(
        msgs,
        vec![json!({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "{\"sent\":true}"},
            {"type": "tool_result", "tool_use_id": "toolu_2", "content": "no connected account", "is_error": true}
        ]})]
    );
}

#[test]
fn deref_cuts_recursion_and_bounds_expansion() {
    let recursive = json!({"type": "object", "properties": {"child": {"$ref": "#"}}});
    let d = deref_schema(&recursive);
    let mut depth = 0;
    let mut cur = &d;
    while let Some(next) = cur.get("properties").and_then(|p| p.get("child")) {
        cur = next;
        depth += 1;
    }
    assert!(depth > 3 && depth < 40, "{depth}");
    // exponential fan-out stays bounded
    let mut defs = Map::new();
    for i in 0..30 {
        defs.insert(format!("d{i}"), json!({"anyOf": [{"$ref": format!("#/$defs/d{}", i + 1)}, {"$ref": format!("#/$defs/d{}", i + 1)}]}));
    }
    let bomb = json!({"$defs": defs, "$ref": "#/$defs/d0"});
    let out = deref_schema(&bomb);
    assert!(out.to_string().len() < 5_000_000);
}

#[test]
fn gemini_schema_conversion_table() {
    let table = [
        (
            json!({"type": "string", "format": "email"}),
            json!({"type": "STRING"}),
        ),
        (
            json!({"type": "string", "format": "date-time"}),
            json!({"type": "STRING", "format": "date-time"}),
        ),
        (
            json!({"type": "integer", "format": "int64", "minimum": 1}),
            json!({"type": "INTEGER", "format": "int64", "minimum": 1}),
        ),
        (
            json!({"type": ["string", "null"]}),
            json!({"type": "STRING", "nullable": true}),
        ),
        (
            json!({"type": ["string", "integer"]}),
            json!({"anyOf": [{"type": "STRING"}, {"type": "INTEGER"}]}),
        ),
        (
            json!({"const": "a"}),
            json!({"type": "STRING", "enum": ["a"]}),
        ),
        (
            json!({"type": "integer", "enum": [1, 2]}),
            json!({"type": "INTEGER", "format": "enum", "enum": ["1", "2"]}),
        ),
        (
            json!({"enum": ["a", null]}),
            json!({"type": "STRING", "enum": ["a"], "nullable": true}),
        ),
        (
            json!({"anyOf": [{"type": "string"}, {"type": "null"}], "description": "d"}),
            json!({"type": "STRING", "nullable": true, "description": "d"}),
        ),
        (
            json!({"oneOf": [{"type": "string"}, {"type": "number"}]}),
            json!({"anyOf": [{"type": "STRING"}, {"type": "NUMBER"}]}),
        ),
        (
            json!({"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                          {"properties": {"b": {"type": "boolean"}}, "required": ["b"]}]}),
            json!({"type": "OBJECT", "properties": {"a": {"type": "STRING"}, "b": {"type": "BOOLEAN"}}, "required": ["a", "b"]}),
        ),
        (
            json!({"type": "array"}),
            json!({"type": "ARRAY", "items": {"type": "STRING"}}),
        ),
        (
            json!({"type": "array", "items": {"type": "number", "default": 1, "examples": [2]}, "maxItems": 3, "uniqueItems": true}),
            json!({"type": "ARRAY", "items": {"type": "NUMBER"}, "maxItems": 3}),
        ),
        (
            json!({"type": "object", "additionalProperties": false, "$schema": "x", "properties": {"a": {"type": "string", "title": "A"}},
                "required": ["a", "a", "missing"]}),
            json!({"type": "OBJECT", "properties": {"a": {"type": "STRING", "title": "A"}}, "required": ["a"]}),
        ),
        (
            json!({"$defs": {"n": {"type": "integer"}}, "type": "object", "properties": {"n": {"$ref": "#/$defs/n"}}}),
            json!({"type": "OBJECT", "properties": {"n": {"type": "INTEGER"}}}),
        ),
        (json!(true), json!({})),
    ];
    for (input, want) in table {
        assert_eq!(gemini::to_gemini_schema(&input), want, "{input}");
    }
}

#[test]
fn gemini_declarations_parse_and_responses() {
    let t = tool(
        "SEARCH",
        json!({"type": "object", "properties": {"query text": {"type": "string"}, "2nd": {"type": "integer"}},
                                  "required": ["query text"]}),
    );
    let decls = Provider::Gemini.format_tools(&[t.clone(), tool("PING", Value::Null)]);
    assert_eq!(
        decls,
        json!({"functionDeclarations": [
            {"name": "SEARCH", "description": "SEARCH description", "parameters": {"type": "OBJECT",
              "properties": {"query_text": {"type": "STRING"}, "_2nd": {"type": "INTEGER"}}, "required": ["query_text"]}},
            {"name": "PING", "description": "PING description"}
        ]})
    );
    let response = json!({"candidates": [{"content": {"role": "model", "parts": [
        {"text": "let me search"},
        {"functionCall": {"name": "SEARCH", "args": {"query_text": "rust", "_2nd": 2}}},
        {"functionCall": {"id": "fc_9", "name": "PING"}}
    ]}}]});
    let calls = Provider::Gemini.parse_tool_calls(&response, &[t]).unwrap();
    assert_eq!(
        calls,
        vec![
            ToolCall {
                id: "SEARCH".into(),
                name: "SEARCH".into(),
                arguments: obj(json!({"query text": "rust", "2nd": 2}))
            },
            ToolCall {
                id: "fc_9".into(),
                name: "PING".into(),
                arguments: Map::new()
            },
        ]
    );
    assert_eq!(
        gemini::parse_function_calls(&response["candidates"][0])
            .unwrap()
            .len(),
        2
    );
    let content = Provider::Gemini.result_messages(&[
        (calls[0].clone(), ToolOutcome::ok(json!({"hits": 3}))),
        (calls[1].clone(), ToolOutcome::failed("down")),
    ]);
    assert_eq!(
        content,
        vec![json!({"role": "user", "parts": [
            {"functionResponse": {"name": "SEARCH", "response": {"output": {"hits": 3}}}},
            {"functionResponse": {"name": "PING", "id": "fc_9", "response": {"error": "down"}}}
        ]})]
    );
}

#[test]
fn vercel_tools_and_calls() {
    let tools = Provider::Vercel.format_tools(&[email_tool(), tool("PING", Value::Null)]);
    assert_eq!(
        tools["GMAIL_SEND_EMAIL"],
        json!({"description": "GMAIL_SEND_EMAIL description", "inputSchema": email_tool().input_parameters})
    );
    assert_eq!(
        tools["PING"]["inputSchema"],
        json!({"type": "object", "properties": {}})
    );
    let calls = vercel::parse_tool_calls(&json!({"toolCalls": [
        {"type": "tool-call", "toolCallId": "t1", "toolName": "PING", "input": {}},
        {"toolCallId": "t2", "toolName": "GMAIL_SEND_EMAIL", "args": "{\"to\":\"a\"}"}
    ]}))
    .unwrap();
    assert_eq!(calls[1].arguments, obj(json!({"to": "a"})));
    assert_eq!(calls[0].id, "t1");
    let out = Provider::Vercel.result_messages(&[(calls[0].clone(), ToolOutcome::ok(json!(1)))]);
    assert_eq!(
        out,
        vec![json!({"data": 1, "error": null, "successful": true})]
    );
}

#[test]
fn every_provider_formats_hostile_schemas_without_panicking() {
    let hostile = [
        json!({"$ref": "#"}),
        json!({"properties": 5, "required": "x", "items": [], "anyOf": {}}),
        json!({"type": [1, null], "enum": 3}),
        json!({"properties": {"a": {"$ref": "#/properties/a"}}}),
        json!("schema"),
        json!([]),
    ];
    let providers = [
        Provider::OpenAi,
        Provider::OpenAiResponses { strict: false },
        Provider::OpenAiResponses { strict: true },
        Provider::Anthropic {
            cache_control: true,
        },
        Provider::Gemini,
        Provider::Vercel,
    ];
    for s in hostile {
        let t = tool("H", s);
        for p in providers {
            let _ = p.format_tools(std::slice::from_ref(&t));
            let _ = p.parse_tool_calls(
                &json!({"content": 1, "output": {}, "choices": []}),
                std::slice::from_ref(&t),
            );
        }
    }
}

/// The edge cases of each parser's layout: which entries are skipped, where ids come from,
/// which container shapes are accepted.
#[test]
fn call_parsers_layout_edge_cases() {
    let ids = |calls: Vec<ToolCall>| -> Vec<(String, String, Value)> {
        calls
            .into_iter()
            .map(|c| (c.id, c.name, Value::Object(c.arguments)))
            .collect()
    };
    let t = |id: &str, name: &str, args: Value| (id.to_string(), name.to_string(), args);
    // OpenAI chat: an entry without `type` counts, another `type` is skipped; no bare arrays.
    let completion = json!({"choices":[{"message":{"tool_calls":[
        {"id":"a","function":{"name":"X","arguments":"{\"n\":1}"}},
        {"id":"b","type":"custom","function":{"name":"Y","arguments":"{}"}},
        {"id":"c","type":"function","function":{"name":"Z"}},
        {"type":"function"}]}}]});
    assert_eq!(
        ids(openai::parse_tool_calls(&completion).unwrap()),
        vec![
            t("a", "X", json!({"n":1})),
            t("c", "Z", json!({})),
            t("", "", json!({}))
        ]
    );
    assert!(openai::parse_tool_calls(&json!([{"id":"a"}]))
        .unwrap()
        .is_empty());
    // Responses: `type` is required; a whole response or the output array.
    let items = json!([{"type":"function_call","call_id":"k","id":"fc_1","name":"X","arguments":"{}"},
                       {"call_id":"m","name":"Y"},{"type":"message"}]);
    let want = vec![t("k", "X", json!({}))];
    assert_eq!(
        ids(openai_responses::parse_tool_calls(&items).unwrap()),
        want
    );
    let whole = json!({ "output": items });
    assert_eq!(
        ids(openai_responses::parse_tool_calls(&whole).unwrap()),
        want
    );
    // Anthropic: a message or its content array; only `tool_use` blocks.
    let blocks = json!([{"type":"text","text":"hi"},{"type":"tool_use","id":"u","name":"X","input":{"a":true}},
                        {"id":"v","name":"Y","input":{}}]);
    let want = vec![t("u", "X", json!({"a":true}))];
    assert_eq!(ids(anthropic::parse_tool_uses(&blocks).unwrap()), want);
    let message = json!({ "content": blocks });
    assert_eq!(ids(anthropic::parse_tool_uses(&message).unwrap()), want);
    assert!(anthropic::parse_tool_uses(&json!({"content":"text"}))
        .unwrap()
        .is_empty());
    // Vercel: `input`, else AI SDK 4's `args`; an array or `toolCalls`.
    let calls = json!([{"toolCallId":"1","toolName":"X","input":{"a":1},"args":{"b":2}},
                       {"toolCallId":"2","toolName":"Y","args":{"b":2}},{"toolName":"Z"}]);
    let want = vec![
        t("1", "X", json!({"a":1})),
        t("2", "Y", json!({"b":2})),
        t("", "Z", json!({})),
    ];
    assert_eq!(ids(vercel::parse_tool_calls(&calls).unwrap()), want);
    let wrapped = json!({ "toolCalls": calls });
    assert_eq!(ids(vercel::parse_tool_calls(&wrapped).unwrap()), want);
    // Gemini: parts without functionCall are skipped; the id is functionCall.id or the name.
    let parts = json!([{"text":"x"},{"functionCall":{"name":"X","args":{"q":"a"}}},
                       {"functionCall":{"id":"i2","name":"Y"}},{"functionCall":{"id":7,"name":"Z"}}]);
    let want = vec![
        t("X", "X", json!({"q":"a"})),
        t("i2", "Y", json!({})),
        t("Z", "Z", json!({})),
    ];
    for v in [
        parts.clone(),
        json!({ "parts": parts }),
        json!({"content": {"parts": parts}}),
        json!({"candidates": [{"content": {"parts": parts}}]}),
    ] {
        assert_eq!(ids(gemini::parse_function_calls(&v).unwrap()), want);
    }
    // Unusable arguments are an error in every layout.
    let bad = json!({"choices":[{"message":{"tool_calls":[{"function":{"name":"X","arguments":"[1]"}}]}}]});
    assert!(openai::parse_tool_calls(&bad).is_err());
}

/// Gemini type arrays, one-branch merges and key restoring inside arrays.
#[test]
fn gemini_type_lists_and_nested_restores() {
    let s = json!({"type":["string","integer","null"]});
    assert_eq!(
        gemini::to_gemini_schema(&s),
        json!({"anyOf":[{"type":"STRING"},{"type":"INTEGER"}],"nullable":true})
    );
    let s = json!({"type":["null","number"],"format":"float"});
    assert_eq!(
        gemini::to_gemini_schema(&s),
        json!({"type":"NUMBER","format":"float","nullable":true})
    );
    let s = json!({"type":["null"]});
    assert_eq!(gemini::to_gemini_schema(&s), json!({"nullable":true}));
    let s = json!({"anyOf":[{"type":"null"},{"type":"string","title":"t"}],"title":"outer"});
    assert_eq!(
        gemini::to_gemini_schema(&s),
        json!({"title":"outer","type":"STRING","nullable":true})
    );
    let s = json!({"oneOf":[{"type":"string"},{"type":"integer"}],"anyOf":[{"type":"boolean"}]});
    assert_eq!(
        gemini::to_gemini_schema(&s),
        json!({"anyOf":[{"type":"BOOLEAN"},{"type":"STRING"},{"type":"INTEGER"}]})
    );
    let t = tool(
        "T",
        json!({"type":"object","properties":{"a b":{"type":"array","items":{"type":"object",
            "properties":{"c-d":{"type":"string"},"ok":{"type":"string"}}}}}}),
    );
    let calls = json!({"candidates":[{"content":{"parts":[{"functionCall":{"name":"T",
        "args":{"a_b":[{"c_d":"x","ok":"y"},3]}}}]}}]});
    let parsed = gemini::parse_function_calls_restored(&calls, &[t]).unwrap();
    assert_eq!(
        Value::Object(parsed[0].arguments.clone()),
        json!({"a b":[{"c-d":"x","ok":"y"},3]})
    );
}

/// Strict schemas keep `properties` order and `required` order (duplicates included) for the
/// properties that exist; Anthropic's cache breakpoint is on the last tool only; every
/// provider's result messages.
#[test]
fn strict_orders_cache_breakpoint_and_result_lists() {
    let mut s = json!({"type":"object","default":{},"properties":{"b":{"type":"string"},"a":{"type":"integer"},
        "c":{"type":"object","properties":{"y":{},"x":{}},"required":["x","zz"]}},
        "required":["c","a","ghost","a"]});
    openai_responses::strictify(&mut s);
    assert_eq!(
        s,
        json!({"type":"object","properties":{"a":{"type":"integer"},
            "c":{"type":"object","properties":{"x":{}},"required":["x"],"additionalProperties":false}},
            "required":["c","a","a"],"additionalProperties":false})
    );
    let tools = [
        tool("A", json!({})),
        tool("B", json!({})),
        tool("C", json!({})),
    ];
    let cached = anthropic::format_tools(&tools, true);
    let marks: Vec<bool> = (0..3)
        .map(|i| cached[i].get("cache_control").is_some())
        .collect();
    assert_eq!(marks, [false, false, true]);
    assert!(anthropic::format_tools(&tools, false)[2]
        .get("cache_control")
        .is_none());
    assert_eq!(anthropic::format_tools(&[], true), json!([]));
    let formatted = Provider::OpenAiResponses { strict: true }.format_tools(&tools);
    assert_eq!(formatted.as_array().map(Vec::len), Some(3));
    assert_eq!(formatted[1]["name"], "B");
    assert_eq!(
        Provider::OpenAi.format_tools(&tools)[2]["function"]["name"],
        "C"
    );
    let call = |id: &str| ToolCall {
        id: id.into(),
        name: "A".into(),
        ..Default::default()
    };
    let results = vec![
        (call("1"), ToolOutcome::ok(json!({"v":1}))),
        (call("2"), ToolOutcome::failed("boom")),
    ];
    let counts: Vec<usize> = [
        Provider::OpenAi,
        Provider::OpenAiResponses { strict: false },
        Provider::Anthropic {
            cache_control: false,
        },
        Provider::Gemini,
        Provider::Vercel,
    ]
    .iter()
    .map(|p| p.result_messages(&results).len())
    .collect();
    assert_eq!(counts, [2, 2, 1, 1, 2]);
    let openai = Provider::OpenAi.result_messages(&results);
    assert_eq!(openai[1]["tool_call_id"], "2");
    let responses = Provider::OpenAiResponses { strict: false }.result_messages(&results);
    assert_eq!(responses[0]["call_id"], "1");
    let vercel = Provider::Vercel.result_messages(&results);
    assert_eq!(vercel[1], results[1].1.to_json());
    let anthropic = Provider::Anthropic {
        cache_control: false,
    }
    .result_messages(&results);
    assert_eq!(anthropic[0]["content"][1]["is_error"], true);
    let gemini = Provider::Gemini.result_messages(&results);
    assert_eq!(
        gemini[0]["parts"][1]["functionResponse"]["response"]["error"],
        "boom"
    );
}

/// Gemini and Anthropic key cleaning: first characters, non-ASCII, length limits, suffixes;
/// enum and const values as strings; duplicate `required` entries.
#[test]
fn key_cleaning_enums_and_required_duplicates() {
    let long = "k".repeat(70);
    let long_odd = format!("{}é", "x".repeat(70));
    let schema = json!({"type":"object","properties":{
        "1st":{"type":"string"},"éclair":{"type":"string"},"":{"type":"string"},
        "a b":{"type":"string"},"a_b":{"type":"string"},"a-b":{"type":"string"},
        long.clone():{"type":"string"}, long_odd.clone():{"type":"string"},
        "e":{"enum":["x",1,null,true,{"k":1}]},"c":{"const":2.5}},
        "required":["a b","1st","a b"]});
    let t = tool("K", schema);
    let decl = gemini::function_declaration(&t);
    let props = decl["parameters"]["properties"].as_object().unwrap();
    let keys: Vec<&str> = props.keys().map(String::as_str).collect();
    let x64 = "x".repeat(64);
    let k64 = "k".repeat(64);
    let mut want = vec!["_1st", "_clair", "_", "a_b_2", "a_b", "a_b_3"];
    want.extend([k64.as_str(), x64.as_str(), "e", "c"]);
    let mut got = keys.clone();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want, "{keys:?}");
    assert_eq!(
        props["e"],
        json!({"type":"STRING","enum":["x","1","true","{\"k\":1}"],"nullable":true})
    );
    assert_eq!(props["c"], json!({"type":"STRING","enum":["2.5"]}));
    assert_eq!(decl["parameters"]["required"], json!(["a_b_2", "_1st"]));
    let (tool_json, _) = anthropic::format_tool(&t, false);
    let aprops = tool_json["input_schema"]["properties"].as_object().unwrap();
    let mut akeys: Vec<&str> = aprops.keys().map(String::as_str).collect();
    akeys.sort_unstable();
    let a64 = "k".repeat(64);
    let mut awant = vec!["1st", "_clair", "_", "a_b_2", "a_b", "a-b"];
    awant.extend([a64.as_str(), x64.as_str(), "e", "c"]);
    awant.sort_unstable();
    assert_eq!(akeys, awant);
    let mut s = json!({"required":["a","b","a",1,1],"properties":{"p":{"required":["x","x"]}}});
    dedupe_required(&mut s);
    assert_eq!(
        s,
        json!({"required":["a","b",1],"properties":{"p":{"required":["x"]}}})
    );
}

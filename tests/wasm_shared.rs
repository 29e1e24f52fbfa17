//! The browser package's wasm export (`edge(op, json)`, the sans-IO decisions the ES module asks
//! for) in the wasm it ships as. No `configure!`: runs in Node by default, in Chromium with
//! `WASM_BINDGEN_USE_BROWSER=1`, and in a dedicated Web Worker with
//! `WASM_BINDGEN_USE_DEDICATED_WORKER=1` (see scripts/test-browser-wasm.sh). The I/O around it
//! (fetch, getToken, popup) is tested end to end in js/test/wrapper.test.mjs.
#![cfg(all(target_arch = "wasm32", feature = "browser"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::platform::browser::edge;
use wasm_bindgen_test::*;

fn call(op: &str, input: Value) -> Value {
    serde_json::from_str(&edge(op, &input.to_string())).unwrap()
}

fn ok(op: &str, input: Value) -> Value {
    let out = call(op, input);
    assert!(out.get("err").is_none(), "{op}: {out}");
    out["ok"].clone()
}

fn err(op: &str, input: Value) -> Value {
    let out = call(op, input);
    assert!(out.get("ok").is_none(), "{op}: {out}");
    out["err"].clone()
}

const GREP: &str = "GREP";

fn local() -> Value {
    json!([{"slug": GREP, "description": "grep the page",
        "inputSchema": {"type": "object", "properties": {"pattern": {"type": "string"}}, "required": ["pattern"]}}])
}

#[wasm_bindgen_test]
fn gateway_errors_carry_code_status_and_request_id() {
    let body = json!({"error": {"code": "scope_denied", "message": "token lacks the execute scope",
        "request_id": "req_403"}});
    let e = err("decode", json!({"status": 403, "body": body.to_string()}));
    assert_eq!(e["code"], "scope_denied");
    assert_eq!(e["status"], 403);
    assert_eq!(e["requestId"], "req_403");
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("token lacks the execute scope"));
    // the header's request id wins; a body without a message gets the status reason
    let e = err(
        "decode",
        json!({"status": 502, "body": "", "requestId": "req_h"}),
    );
    assert_eq!(
        (e["status"].as_u64(), e["requestId"].as_str()),
        (Some(502), Some("req_h"))
    );
    assert_eq!(e["retryable"], true, "a 502 is retryable");
    // a 2xx carrying an envelope is an error too; a 2xx body is the value
    assert_eq!(
        err("decode", json!({"status": 200, "body": body.to_string()}))["code"],
        "scope_denied"
    );
    assert_eq!(
        ok("decode", json!({"status": 200, "body": "{\"a\":1}"})),
        json!({"a": 1})
    );
    assert_eq!(
        err("decode", json!({"status": 200, "body": "{"}))["code"],
        "decode_error"
    );
}

#[wasm_bindgen_test]
fn gateway_url_origin_and_insecure_hosts() {
    let g = ok("gateway", json!({"url": "https://GW.example:443/edge/"}));
    assert_eq!(
        g,
        json!({"base": "https://gw.example/edge", "origin": "https://gw.example"})
    );
    let g = ok("gateway", json!({"url": "http://127.0.0.1:8787/"}));
    assert_eq!(g["origin"], "http://127.0.0.1:8787");
    assert_eq!(
        err("gateway", json!({"url": "http://gw.example/"}))["code"],
        "insecure_transport"
    );
    assert_eq!(
        err("gateway", json!({"url": "https://u:p@gw.example/"}))["status"],
        400
    );
    assert_eq!(
        err("gateway", json!({"url": "https://gw.example/?k=1"}))["status"],
        400
    );
}

#[wasm_bindgen_test]
fn token_refresh_and_retry_decisions() {
    let t = ok(
        "token",
        json!({"value": {"token": "t", "expiresAt": 2_000_000_000u64}}),
    );
    assert_eq!(t["expiresAtMs"], 2_000_000_000_000u64);
    assert_eq!(t["refreshAtMs"], 2_000_000_000_000u64 - 60_000);
    assert_eq!(
        ok("token", json!({"value": "plain"}))["expiresAtMs"],
        Value::Null
    );
    assert_eq!(
        err("token", json!({"value": {"nope": 1}}))["code"],
        "invalid_request"
    );
    let a = |v: Value| ok("attempt", v)["action"].as_str().unwrap().to_owned();
    // a 401 asks getToken once more, then is final
    assert_eq!(
        a(json!({"status": 401, "canRefresh": true, "refreshed": false})),
        "refresh"
    );
    assert_eq!(
        a(json!({"status": 401, "canRefresh": true, "refreshed": true})),
        "done"
    );
    assert_eq!(a(json!({"status": 401, "canRefresh": false})), "done");
    // 5xx and retryable transport errors are retried within the budget, honouring retry-after-ms
    let r = ok(
        "attempt",
        json!({"status": 503, "retryable": true, "attempt": 0, "retryAfterMs": "250"}),
    );
    assert_eq!(r, json!({"action": "retry", "delayMs": 250}));
    assert_eq!(
        a(json!({"status": 503, "retryable": true, "attempt": 2})),
        "done"
    );
    assert_eq!(a(json!({"status": 503, "retryable": false})), "done");
    assert_eq!(
        a(json!({"status": 503, "retryable": true, "shouldRetry": "false"})),
        "done"
    );
    assert_eq!(
        a(json!({"error": {"retryable": true}, "retryable": true, "attempt": 1})),
        "retry"
    );
    let d = ok(
        "attempt",
        json!({"status": 500, "retryable": true, "attempt": 1, "jitter": 0.0}),
    );
    assert_eq!(d["delayMs"], 1000);
}

#[wasm_bindgen_test]
fn arguments_are_validated_against_known_schemas() {
    let schemas = json!({"GMAIL_SEND_EMAIL": {"type": "object", "required": ["to"],
        "properties": {"to": {"type": "string"}}}});
    let e = err(
        "execute",
        json!({"slug": "GMAIL_SEND_EMAIL", "args": {}, "schemas": schemas}),
    );
    assert_eq!(e["code"], "argument_validation_failed");
    assert_eq!(e["status"], 400);
    assert_eq!(e["violations"][0]["path"], "$.to");
    assert_eq!(
        e["call"], true,
        "an agent's tool call gets a failed result instead"
    );
    // a JSON string of arguments is normalized; the body carries account and custom tools
    let r = ok(
        "execute",
        json!({"slug": "GMAIL_SEND_EMAIL", "args": "{\"to\":\"x@y.z\"}",
        "schemas": schemas, "account": "work", "local": local()}),
    );
    assert_eq!(r["remote"]["arguments"]["to"], "x@y.z");
    assert_eq!(r["remote"]["account"], "work");
    assert_eq!(r["remote"]["custom_tools"][0]["slug"], GREP);
}

#[wasm_bindgen_test]
fn local_tools_route_locally_and_split_out_of_multi_execute() {
    let reg = ok("register", local()[0].clone());
    assert_eq!(reg["finalSlug"], "LOCAL_GREP");
    assert_eq!(
        err("register", json!({"slug": "LOCAL_X", "description": "d"}))["code"],
        "invalid_request"
    );
    let r = ok(
        "execute",
        json!({"slug": "grep", "args": {"pattern": "p"}, "local": local()}),
    );
    assert_eq!(
        r["local"],
        json!({"slug": "LOCAL_GREP", "args": {"pattern": "p"}})
    );
    let r = ok(
        "execute",
        json!({"slug": "LOCAL_GREP", "args": {}, "local": local()}),
    );
    assert_eq!(r["local"]["result"]["successful"], false);
    assert!(r["local"]["result"]["error"]
        .as_str()
        .unwrap()
        .starts_with("Input validation failed"));

    let input = json!({"tools": [{"tool_slug": "LOCAL_GREP", "arguments": {"pattern": "q"}},
        {"tool_slug": "GMAIL_SEND_EMAIL", "arguments": {"to": "x"}}], "thought": "t"});
    let r = ok(
        "execute",
        json!({"slug": "COMPOSIO_MULTI_EXECUTE_TOOL", "args": input, "local": local()}),
    );
    let m = &r["multi"];
    assert_eq!(
        m["locals"][0],
        json!({"slug": "LOCAL_GREP", "args": {"pattern": "q"}})
    );
    let body = &m["remote"]["body"];
    assert_eq!(body["tool_slug"], "COMPOSIO_MULTI_EXECUTE_TOOL");
    assert_eq!(body["arguments"]["tools"].as_array().unwrap().len(), 1);
    assert_eq!(body["arguments"]["thought"], "t");
    let remote = json!({"result_type": "completed", "log_id": "log_multi", "data": {"results": [
        {"response": {"successful": true, "data": {"remote": "GMAIL_SEND_EMAIL"}}, "tool_slug": "GMAIL_SEND_EMAIL", "index": 0}]}});
    let merged = ok(
        "merge",
        json!({"input": m["input"], "local": local(), "remote": {"value": remote},
        "results": [{"data": {"matches": ["q"]}, "error": null, "successful": true, "logId": ""}]}),
    );
    assert_eq!(merged["successful"], true);
    let results = merged["data"]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["tool_slug"], "LOCAL_GREP");
    assert_eq!(results[1]["response"]["data"]["remote"], "GMAIL_SEND_EMAIL");
}

#[wasm_bindgen_test]
fn tool_calls_and_result_messages_of_an_openai_completion() {
    let response = json!({"choices": [{"message": {"role": "assistant", "tool_calls": [{"id": "call_1",
        "type": "function", "function": {"name": "GMAIL_SEND_EMAIL", "arguments": "{\"to\":\"a\"}"}}]}}]});
    let calls = ok("calls", json!({"response": response}));
    assert_eq!(
        calls,
        json!([{"name": "GMAIL_SEND_EMAIL", "arguments": {"to": "a"}}])
    );
    let msgs = ok(
        "messages",
        json!({"response": response,
        "results": [{"data": {"ok": 1}, "error": null, "successful": true, "logId": "l"}]}),
    );
    assert_eq!(msgs[0]["role"], "tool");
    assert_eq!(msgs[0]["tool_call_id"], "call_1");
    assert_eq!(
        err("calls", json!({"response": {"x": 1}}))["code"],
        "invalid_request"
    );
}

#[wasm_bindgen_test]
fn authorize_paths_connect_url_and_connection_states() {
    let origin = "https://gw.example";
    let c = ok(
        "connected",
        json!({"origin": origin,
        "value": {"connect_url": "/oauth/start?ticket=t1", "connection_id": "cn_1"}}),
    );
    assert_eq!(c["connect_url"], "https://gw.example/oauth/start?ticket=t1");
    for url in [
        "https://evil.example/oauth",
        "//evil.example/x",
        "javascript:alert(1)",
    ] {
        let e = err(
            "connected",
            json!({"origin": origin, "value": {"connect_url": url, "connection_id": "c"}}),
        );
        assert_eq!(e["code"], "invalid_request", "{url}");
    }
    assert_eq!(ok("status", json!({"id": "cn 1"})), "/v1/connect/cn%201");
    let st = ok(
        "statusOf",
        json!({"id": "cn_1", "value": {"status": "ACTIVE", "connected_account_id": "ca_1"}}),
    );
    assert_eq!(
        (st["state"].as_str(), st["connectedAccountId"].as_str()),
        (Some("active"), Some("ca_1"))
    );
    assert_eq!(
        ok("waitStep", json!({"id": "cn_1", "ok": st}))["done"]["connectionId"],
        "cn_1"
    );
    let pending = ok(
        "statusOf",
        json!({"id": "cn_1", "value": {"status": "INITIATED"}}),
    );
    assert_eq!(
        ok("waitStep", json!({"id": "cn_1", "ok": pending})),
        json!({"pending": true})
    );
    let bad = json!({"status": "FAILED", "state": "failed", "reason": "user denied access"});
    let e = err("waitStep", json!({"id": "cn_bad", "ok": bad}));
    assert_eq!(
        (e["code"].as_str(), e["status"].as_u64()),
        (Some("connection_failed"), Some(424))
    );
    let e = err(
        "waitStep",
        json!({"id": "cn_x", "first": true, "err": {"api": true, "status": 404}}),
    );
    assert_eq!(e["status"], 404);
    assert_eq!(
        ok("waitStep", json!({"id": "c", "err": {"retryable": true}})),
        json!({"pending": true})
    );
    assert_eq!(
        err("error", json!({"kind": "connection_timeout", "id": "c"}))["code"],
        "connection_timeout"
    );
    assert_eq!(err("error", json!({"kind": "aborted"}))["code"], "aborted");
}

#[wasm_bindgen_test]
fn garbage_never_panics() {
    for op in [
        "decode", "execute", "merge", "calls", "messages", "gateway", "token", "nope",
    ] {
        for input in ["", "null", "[]", "{\"slug\":1}", "\"x\""] {
            let out: Value = serde_json::from_str(&edge(op, input)).unwrap();
            assert!(
                out.get("ok").is_some() || out.get("err").is_some(),
                "{op} {input}"
            );
        }
    }
}

fn coded() -> Value {
    json!([{"slug": "CODE", "description": "look up a code",
        "inputSchema": {"type": "object", "properties": {
            "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "word": {"type": "string", "pattern": "^(?!un)\\p{L}+$"},
            "odd": {"type": "string", "pattern": "(unclosed"},
            "n": {"type": "number"}}}}])
}

/// JSON Schema `pattern`s are ECMA-262; the browser build checks them with the platform's own
/// RegExp (`u` flag), so lookarounds and `\p{..}` work; a pattern that does not compile is
/// skipped rather than failing the call.
#[wasm_bindgen_test]
fn schema_patterns_use_the_platform_regexp() {
    let run = |args: Value| {
        call(
            "execute",
            json!({"slug": "LOCAL_CODE", "args": args, "local": coded()}),
        )
    };
    let good = run(json!({"code": "ABC", "word": "grün", "odd": "anything"}));
    assert_eq!(good["ok"]["local"]["slug"], "LOCAL_CODE", "{good}");
    for bad in [
        json!({"code": "abc"}),
        json!({"code": "ABCD"}),
        json!({"word": "undo"}),
        json!({"word": "a1"}),
    ] {
        let out = run(bad.clone());
        let result = &out["ok"]["local"]["result"];
        assert_eq!(result["successful"], false, "{bad}: {out}");
        assert!(
            result["error"]
                .as_str()
                .unwrap()
                .starts_with("Input validation failed"),
            "{out}"
        );
    }
}

/// Floats cross the browser wasm's JSON writer (shortest digits from the platform's
/// `toExponential`, laid out like serde_json) and read back to the same number.
#[wasm_bindgen_test]
fn floats_round_trip_through_the_browser_writer() {
    for n in [
        0.1,
        -1.5,
        1e-7,
        123.456,
        1e21,
        2.5e-300,
        1.7976931348623157e308,
        1234567890123456.7,
    ] {
        let out = ok(
            "execute",
            json!({"slug": "LOCAL_CODE", "args": {"n": n}, "local": coded()}),
        );
        assert_eq!(out["local"]["args"]["n"].as_f64(), Some(n), "{out}");
    }
    let raw = edge(
        "execute",
        &json!({"slug": "LOCAL_CODE", "args": {"n": 1e-7}, "local": coded()}).to_string(),
    );
    assert!(raw.contains("\"n\":1e-7"), "{raw}");
}

/// The browser wasm reads and writes JSON with the platform's `JSON.parse`/`JSON.stringify`:
/// nesting is bounded (an error, never a stack overflow), a `__proto__` member stays an own
/// member, numbers keep their value, and a response that is not JSON is a `decode_error`.
#[wasm_bindgen_test]
fn json_crosses_through_the_platform_parser_and_writer() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for op in ["execute", "decode"] {
        let out: Value = serde_json::from_str(&edge(op, &deep)).unwrap();
        assert_eq!(out["err"]["code"], "invalid_request", "{op}: {out}");
    }
    let body = format!("{{\"a\":{}1{}}}", "[".repeat(1000), "]".repeat(1000));
    let e = err("decode", json!({"status": 200, "body": body}));
    assert_eq!(e["code"], "decode_error", "{e}");
    let e = err("decode", json!({"status": 200, "body": "{"}));
    assert_eq!(
        e["message"], "could not decode response (status 200): invalid json",
        "{e}"
    );

    let raw = edge(
        "execute",
        r#"{"slug":"LOCAL_CODE","args":{"__proto__":{"polluted":true},"n":12345678901234567890,"m":-7,"f":0.5},"local":[{"slug":"CODE","description":"d","inputSchema":{"type":"object"}}]}"#,
    );
    let out: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let args = &out["ok"]["local"]["args"];
    assert_eq!(args["__proto__"]["polluted"], true, "{raw}");
    assert_eq!(args["n"].as_f64(), Some(12345678901234567890.0), "{raw}");
    assert_eq!(
        (args["m"].as_i64(), args["f"].as_f64()),
        (Some(-7), Some(0.5))
    );
    assert!(raw.contains(r#""m":-7,"f":0.5"#), "{raw}");

    let ok = ok(
        "decode",
        json!({"status": 200, "body": "{\"data\":{\"x\":[1,2.5,\"é\\u0000\",null,true]}}"}),
    );
    assert_eq!(ok, json!({"data": {"x": [1, 2.5, "é\u{0}", null, true]}}));
}

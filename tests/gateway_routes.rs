//! Every `/v1` route against a fake Tool Router: session resume, tools, search, execute
//! (schema check, idempotency, never retried), toolkits, proxy, delete, limits, upstream faults.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod gateway_support;

use composio_edge::error::TransportErrorKind;
use composio_edge::http;
use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::runtime::block_on;
use composio_edge::store::Store;
use composio_edge::transport::{json_response, transport_error};
use gateway_support::*;

#[test]
fn session_is_created_once_and_resumed_without_upstream_requests() {
    let h = emulator_harness();
    let t = h.token("alice");
    let first = h.send(post("/v1/session", Some(&t), &json!({})));
    assert_eq!(first.status(), 201, "{}", text(&first));
    let b = body(&first);
    assert_eq!(b["resumed"], false);
    assert_eq!(b["user_id"], "alice");
    assert!(b["session_id"].as_str().unwrap().starts_with("trs_"));
    // SEC-22: never the MCP block or any key.
    assert!(b.get("mcp").is_none());
    assert!(!text(&first).contains("ak_SECRET_PROJECT_KEY"));
    assert!(!text(&first).contains("x-api-key"));
    let calls = h.up.calls.borrow().len();

    // Reload / second tab: resumed with zero upstream requests (a new token, same user).
    let t2 = h.token("alice");
    let again = h.send(post("/v1/session", Some(&t2), &json!({})));
    assert_eq!(again.status(), 200);
    assert_eq!(body(&again)["resumed"], true);
    assert_eq!(body(&again)["session_id"], b["session_id"]);
    assert_eq!(h.up.calls.borrow().len(), calls);
    // The upstream saw the user from the token, with the defaults.
    assert_eq!(h.up.calls.borrow()[0].2["user_id"], "alice");
    assert_eq!(
        h.up.calls.borrow()[0].2["manage_connections"],
        json!({"enable": true})
    );
}

#[test]
fn two_users_never_share_a_session() {
    let h = emulator_harness();
    let a = body(&h.send(post("/v1/session", Some(&h.token("alice")), &json!({}))));
    let b = body(&h.send(post("/v1/session", Some(&h.token("bob")), &json!({}))));
    assert_ne!(a["session_id"], b["session_id"]);
    assert_ne!(h.gw.user_key("alice"), h.gw.user_key("bob"));
    assert_eq!(h.stores.borrow().len(), 2, "one Durable Object per user");
    // Bob's executes run in Bob's session.
    let res = h.send(post("/v1/execute", Some(&h.token("bob")), &json!({"tool_slug": "GITHUB_CREATE_AN_ISSUE", "arguments": {"owner": "o", "repo": "r", "title": "t"}})));
    assert_eq!(body(&res)["data"]["user"], "bob");
}

#[test]
fn session_defaults_are_sent_on_create() {
    let h = Harness::new(
        config(&[(
            "EDGE_SESSION_DEFAULTS",
            r#"{"toolkits": ["github"], "tags": ["readOnlyHint"], "auth_configs": {"github": "ac_1"}}"#,
        )]),
        FakeApi::new(),
    );
    let res = h.send(post("/v1/session", Some(&h.token("u")), &json!({})));
    assert_eq!(res.status(), 201);
    let sent = h.up.calls.borrow()[0].2.clone();
    assert_eq!(sent["toolkits"], json!({"enable": ["github"]}));
    assert_eq!(sent["tags"], json!({"enable": ["readOnlyHint"]}));
    assert_eq!(sent["auth_configs"], json!({"github": "ac_1"}));
    assert_eq!(sent["user_id"], "u");
}

#[test]
fn delete_session_ends_it_and_the_next_call_creates_a_new_one() {
    let h = emulator_harness();
    let t = h.token("alice");
    let s1 = body(&h.send(post("/v1/session", Some(&t), &json!({}))))["session_id"].clone();
    let del = h.send(request("DELETE", "/v1/session", Some(&t), None));
    assert_eq!(del.status(), 200);
    assert_eq!(body(&del), json!({"deleted": true, "session_id": s1}));
    assert_eq!(h.up.count("DELETE", s1.as_str().unwrap()), 1);
    let again = h.send(request("DELETE", "/v1/session", Some(&t), None));
    assert_eq!(body(&again)["deleted"], false);
    let s2 = body(&h.send(post("/v1/session", Some(&t), &json!({}))));
    assert_eq!(s2["resumed"], false);
    assert_ne!(s2["session_id"], s1);
}

#[test]
fn lost_upstream_session_is_recreated_transparently() {
    let h = emulator_harness();
    let t = h.token("alice");
    h.send(post("/v1/session", Some(&t), &json!({})));
    h.up.sessions.borrow_mut().clear();
    let res = h.send(get("/v1/tools", Some(&t)));
    assert_eq!(res.status(), 200, "{}", text(&res));
    assert_eq!(h.up.count("POST", "/tool_router/session"), 2);
}

#[test]
fn tools_are_formatted_per_provider() {
    let h = emulator_harness();
    let t = h.token("alice");
    let raw = body(&h.send(get("/v1/tools", Some(&t))));
    assert_eq!(raw["provider"], "composio");
    assert_eq!(raw["tools"].as_array().unwrap().len(), 2);
    let openai = body(&h.send(get("/v1/tools?provider=openai", Some(&t))));
    assert_eq!(openai["tools"][1]["type"], "function");
    assert_eq!(
        openai["tools"][1]["function"]["name"],
        "GITHUB_CREATE_AN_ISSUE"
    );
    assert_eq!(openai["tools"][1]["function"]["parameters"], issue_schema());
    let anthropic = body(&h.send(get("/v1/tools?provider=anthropic", Some(&t))));
    assert_eq!(anthropic["tools"][1]["input_schema"], issue_schema());
    let responses = body(&h.send(get("/v1/tools?provider=openai-responses", Some(&t))));
    assert_eq!(responses["tools"][1]["name"], "GITHUB_CREATE_AN_ISSUE");
    let gemini = body(&h.send(get("/v1/tools?provider=gemini", Some(&t))));
    assert_eq!(
        gemini["tools"]["functionDeclarations"][1]["name"],
        "GITHUB_CREATE_AN_ISSUE"
    );
    let vercel = body(&h.send(get("/v1/tools?provider=vercel", Some(&t))));
    assert!(vercel["tools"]["GITHUB_CREATE_AN_ISSUE"]["inputSchema"].is_object());
    let bad = h.send(get("/v1/tools?provider=cobol", Some(&t)));
    assert_eq!((st(&bad), code(&bad).as_str()), (400, "invalid_provider"));
}

#[test]
fn tools_list_preloaded_custom_tools_with_every_input_schema() {
    let h = emulator_harness();
    let t = h.token("alice");
    let grep = json!({"slug": "grep", "name": "Grep", "description": "Finds a word",
        "input_schema": {"type": "object", "properties": {"the-word": {"type": "string"}}}, "preload": true});
    let hidden = json!({"slug": "HIDDEN", "description": "not preloaded", "input_schema": {"type": "object"}});
    let v = body(&h.send(post(
        "/v1/tools",
        Some(&t),
        &json!({"custom_tools": [grep, hidden]}),
    )));
    let tools = v["tools"].as_array().unwrap();
    assert_eq!(v["total"], 3);
    let local = &tools[2];
    assert_eq!(
        (
            &local["slug"],
            &local["name"],
            &local["toolkit"]["slug"],
            &local["no_auth"]
        ),
        (
            &json!("LOCAL_GREP"),
            &json!("Grep"),
            &json!("custom"),
            &json!(true)
        )
    );
    assert!(
        local["description"]
            .as_str()
            .unwrap()
            .ends_with("\nFinds a word"),
        "{local}"
    );
    assert_eq!(
        v["schemas"]["LOCAL_GREP"],
        json!({"type": "object", "properties": {"the-word": {"type": "string"}}})
    );
    assert_eq!(v["schemas"]["GITHUB_CREATE_AN_ISSUE"], issue_schema());
    assert_eq!(v["schemas"].as_object().unwrap().len(), 3);

    // Formatted with the session's tools, in the provider's own shape.
    let gemini = body(&h.send(post(
        "/v1/tools?provider=gemini",
        Some(&t),
        &json!({"custom_tools": [grep]}),
    )));
    let decl = &gemini["tools"]["functionDeclarations"][2];
    assert_eq!(decl["name"], "LOCAL_GREP");
    assert!(
        decl["parameters"]["properties"]["the_word"].is_object(),
        "{decl}"
    );
    let vercel = body(&h.send(post(
        "/v1/tools?provider=vercel",
        Some(&t),
        &json!({"custom_tools": [grep]}),
    )));
    assert!(vercel["tools"]["LOCAL_GREP"]["inputSchema"].is_object());

    // A session tool keeps its slug; a custom tool of the same final slug is not listed twice.
    let twice = body(&h.send(post(
        "/v1/tools",
        Some(&t),
        &json!({"custom_tools": [grep, grep]}),
    )));
    assert_eq!(twice["total"], 3);

    for bad in [
        json!({"custom_tools": [{"slug": "bad slug", "description": "d", "preload": true}]}),
        json!({"custom_tools": [{"slug": 7}]}),
        json!({"custom_tools": "GREP"}),
    ] {
        let res = h.send(post("/v1/tools", Some(&t), &bad));
        assert_eq!(
            (st(&res), code(&res).as_str()),
            (400, "invalid_request"),
            "{bad}"
        );
    }
    let res = h.send(with_header(
        post("/v1/tools", Some(&t), &json!({})),
        "content-type",
        "text/plain",
    ));
    assert_eq!(st(&res), 415);
}

#[test]
fn search_accepts_query_or_queries_and_validates() {
    let h = emulator_harness();
    let t = h.token("alice");
    let res = h.send(post("/v1/search", Some(&t), &json!({"query": "send an email", "toolkits": ["gmail"], "custom_tools": [{"slug": "GREP", "name": "g", "description": "d", "input_schema": {}}]})));
    assert_eq!(res.status(), 200, "{}", text(&res));
    let echo = &body(&res)["echo"];
    assert_eq!(echo["queries"], json!([{"use_case": "send an email"}]));
    assert_eq!(echo["toolkits"], json!(["gmail"]));
    assert_eq!(echo["experimental"]["custom_tools"][0]["slug"], "GREP");
    let res = h.send(post(
        "/v1/search",
        Some(&t),
        &json!({"queries": ["a", {"use_case": "b", "known_fields": "x:1"}]}),
    ));
    assert_eq!(
        body(&res)["echo"]["queries"],
        json!([{"use_case": "a"}, {"use_case": "b", "known_fields": "x:1"}])
    );
    for bad in [
        json!({}),
        json!({"query": 3}),
        json!({"queries": []}),
        json!({"queries": ["1","2","3","4","5","6","7","8"]}),
        json!({"query": "x".repeat(1025)}),
        json!({"query": "a", "toolkits": "gmail"}),
    ] {
        let res = h.send(post("/v1/search", Some(&t), &bad));
        assert_eq!(
            (st(&res), code(&res).as_str()),
            (400, "invalid_request"),
            "{bad}"
        );
    }
}

#[test]
fn search_does_not_rewrite_unchanged_cached_schemas() {
    // Every storage write holds a Durable Object's response until it is durable: a search that
    // returns already-cached schemas writes nothing, until the entry is half-way to expiry.
    let h = emulator_harness();
    let t = h.token("alice");
    let store = h.store(&h.gw.user_key("alice"));
    let cached = || -> Value {
        let raw = block_on(store.get("schema/GMAIL_SEND_EMAIL"))
            .unwrap()
            .unwrap();
        serde_json::from_str(&raw).unwrap()
    };
    h.send(post("/v1/search", Some(&t), &json!({"query": "email"})));
    let first = cached();
    assert_eq!(first["at"], START_MS);
    assert_eq!(first["schema"]["required"], json!(["to"]));

    h.rt.advance(60_000);
    let res = h.send(post("/v1/search", Some(&t), &json!({"query": "email"})));
    assert_eq!(res.status(), 200);
    assert_eq!(
        cached()["at"],
        START_MS,
        "an unchanged fresh schema is not written again"
    );

    h.rt.advance(5 * 60_000);
    h.send(post("/v1/search", Some(&t), &json!({"query": "email"})));
    assert_eq!(
        cached()["at"],
        START_MS + 6 * 60_000,
        "refreshed past half its lifetime"
    );

    // Still used by execute: the schema check answers without a schema lookup upstream.
    let res = h.send(post(
        "/v1/execute",
        Some(&t),
        &json!({"tool_slug": "GMAIL_SEND_EMAIL", "arguments": {}}),
    ));
    assert_eq!(code(&res), "argument_validation_failed");
    assert_eq!(h.up.executes("COMPOSIO_GET_TOOL_SCHEMAS"), 0);
}

#[test]
fn execute_checks_arguments_against_the_schema_first() {
    let h = emulator_harness();
    let t = h.token("alice");
    let res = h.send(post(
        "/v1/execute",
        Some(&t),
        &json!({"tool_slug": "GITHUB_CREATE_AN_ISSUE", "arguments": {"owner": "o", "repo": 5}}),
    ));
    assert_eq!(
        (st(&res), code(&res).as_str()),
        (400, "argument_validation_failed")
    );
    let v = &body(&res)["error"]["violations"];
    assert!(v.as_array().unwrap().iter().any(|x| x["path"] == "$.repo"));
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["path"] == "$.title" && x["message"] == "is required"));
    assert_eq!(
        h.up.executes("GITHUB_CREATE_AN_ISSUE"),
        0,
        "nothing was executed"
    );

    let ok = h.send(post("/v1/execute", Some(&t), &json!({"tool_slug": "GITHUB_CREATE_AN_ISSUE", "arguments": {"owner": "o", "repo": "r", "title": "t"}, "account": "work"})));
    assert_eq!(ok.status(), 200, "{}", text(&ok));
    assert_eq!(body(&ok)["successful"], true);
    assert_eq!(body(&ok)["data"]["echo"]["title"], "t");
    let sent =
        h.up.calls
            .borrow()
            .iter()
            .rev()
            .find(|c| c.1.ends_with("/execute"))
            .unwrap()
            .2
            .clone();
    assert_eq!(sent["account"], "work");

    // Schema found through search's tool_schemas.
    h.send(post("/v1/search", Some(&t), &json!({"query": "email"})));
    let res = h.send(post(
        "/v1/execute",
        Some(&t),
        &json!({"tool_slug": "GMAIL_SEND_EMAIL", "arguments": {}}),
    ));
    assert_eq!(code(&res), "argument_validation_failed");
    // Schema fetched with COMPOSIO_GET_TOOL_SCHEMAS, then cached.
    let asked = h.up.executes("COMPOSIO_GET_TOOL_SCHEMAS");
    let res = h.send(post(
        "/v1/execute",
        Some(&t),
        &json!({"tool_slug": "SLACK_SEND_MESSAGE", "arguments": {"channel": "c"}}),
    ));
    assert_eq!(code(&res), "argument_validation_failed");
    let res = h.send(post(
        "/v1/execute",
        Some(&t),
        &json!({"tool_slug": "SLACK_SEND_MESSAGE", "arguments": {"channel": "c", "text": "hi"}}),
    ));
    assert_eq!(res.status(), 200);
    assert_eq!(h.up.executes("COMPOSIO_GET_TOOL_SCHEMAS"), asked + 1);
    // Unknown tool.
    let res = h.send(post(
        "/v1/execute",
        Some(&t),
        &json!({"tool_slug": "NOPE_TOOL", "arguments": {}}),
    ));
    assert_eq!((st(&res), code(&res).as_str()), (404, "tool_not_found"));
    assert_eq!(h.up.executes("NOPE_TOOL"), 0);
    // Arguments as a JSON string are accepted; other shapes are not.
    let res = h.send(post("/v1/execute", Some(&t), &json!({"tool_slug": "SLACK_SEND_MESSAGE", "arguments": "{\"channel\":\"c\",\"text\":\"x\"}"})));
    assert_eq!(res.status(), 200);
    let res = h.send(post(
        "/v1/execute",
        Some(&t),
        &json!({"tool_slug": "SLACK_SEND_MESSAGE", "arguments": [1]}),
    ));
    assert_eq!(code(&res), "invalid_tool_arguments");
    let res = h.send(post(
        "/v1/execute",
        Some(&t),
        &json!({"tool_slug": "bad slug!", "arguments": {}}),
    ));
    assert_eq!(code(&res), "invalid_request");
}

#[test]
fn idempotent_execute_returns_the_first_result_without_executing_again() {
    let h = emulator_harness();
    let t = h.token("alice");
    let args = json!({"tool_slug": "GITHUB_CREATE_AN_ISSUE", "arguments": {"owner": "o", "repo": "r", "title": "t"}});
    let send = |key: &str, body: &Value| {
        h.send(with_header(
            post("/v1/execute", Some(&t), body),
            "idempotency-key",
            key,
        ))
    };
    let first = send("key-1", &args);
    assert_eq!(first.status(), 200);
    assert!(hdr(&first, "idempotent-replayed").is_none());
    h.rt.advance(9 * 60 * 1000);
    let second = send("key-1", &args);
    assert_eq!(second.status(), 200);
    assert_eq!(hdr(&second, "idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(body(&second)["log_id"], body(&first)["log_id"]);
    assert_eq!(h.up.executes("GITHUB_CREATE_AN_ISSUE"), 1);
    // Same key, other arguments.
    let mut other = args.clone();
    other["arguments"]["title"] = json!("other");
    let res = send("key-1", &other);
    assert_eq!(
        (st(&res), code(&res).as_str()),
        (422, "idempotency_key_reused")
    );
    // Another key executes.
    send("key-2", &args);
    assert_eq!(h.up.executes("GITHUB_CREATE_AN_ISSUE"), 2);
    // Keys are per user: bob's "key-1" is his own.
    let tb = h.token("bob");
    let res = h.send(with_header(
        post("/v1/execute", Some(&tb), &args),
        "idempotency-key",
        "key-1",
    ));
    assert!(hdr(&res, "idempotent-replayed").is_none());
    assert_eq!(h.up.executes("GITHUB_CREATE_AN_ISSUE"), 3);
    // A failed upstream attempt is also remembered: never re-sent under the same key.
    h.up.fault(
        "/api/v3.1/tool_router/session/",
        Err(transport_error(TransportErrorKind::Timeout, "timed out")),
    );
    // (the fault hits the next session request, which is the execute)
    let res = send("key-3", &args);
    assert_eq!((st(&res), code(&res).as_str()), (504, "upstream_timeout"));
    let res = send("key-3", &args);
    assert_eq!(st(&res), 504);
    assert_eq!(hdr(&res, "idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(h.up.executes("GITHUB_CREATE_AN_ISSUE"), 4);
    // Invalid keys.
    let res = send("", &args);
    assert_eq!(code(&res), "invalid_idempotency_key");
}

/// workerd fault suite: an `Idempotency-Key` with a non-ASCII byte was treated as absent, so
/// the execute ran unprotected and a client's retry with the same key ran the tool again.
#[test]
fn an_upstream_refusal_releases_the_idempotency_key_and_other_faults_keep_it() {
    let h = emulator_harness();
    let t = h.token("alice");
    let args = json!({"tool_slug": "GITHUB_CREATE_AN_ISSUE", "arguments": {"owner": "o", "repo": "r", "title": "t"}});
    h.send(get("/v1/tools", Some(&t)));
    let path = "/api/v3.1/tool_router/session/trs_000000000001/execute";
    let with_key =
        |k: &str| with_header(post("/v1/execute", Some(&t), &args), "idempotency-key", k);
    // 429: the tool did not run, so the same key runs it on the retry (exactly once).
    let mut r = json_response(
        429,
        &json!({"error": {"message": "slow down", "code": 429, "status": 429}}),
    );
    r.headers_mut().insert("retry-after", "3".parse().unwrap());
    h.up.fault(path, Ok(r));
    let before = h.up.executes("GITHUB_CREATE_AN_ISSUE");
    let res = h.send(with_key("k-429"));
    assert_eq!(
        (st(&res), code(&res)),
        (429, "upstream_rate_limited".to_owned())
    );
    let res = h.send(with_key("k-429"));
    assert!(st(&res) == 200, "{}", text(&res));
    assert!(hdr(&res, "idempotent-replayed").is_none());
    // Sent twice in all: the refused attempt, then the run.
    assert_eq!(h.up.executes("GITHUB_CREATE_AN_ISSUE"), before + 2);
    // Now the key holds the success: a third call replays it without running.
    let res = h.send(with_key("k-429"));
    assert_eq!(st(&res), 200);
    assert_eq!(h.up.executes("GITHUB_CREATE_AN_ISSUE"), before + 2);
    // 503: the tool may have run, so the key keeps the failure and never runs it again.
    h.up.fault(
        path,
        Ok(json_response(
            503,
            &json!({"error": {"message": "down", "code": 503, "status": 503}}),
        )),
    );
    let res = h.send(with_key("k-503"));
    assert_eq!(st(&res), 502);
    let res = h.send(with_key("k-503"));
    assert_eq!(st(&res), 502);
    assert_eq!(h.up.executes("GITHUB_CREATE_AN_ISSUE"), before + 3);
}

#[test]
fn a_non_ascii_idempotency_key_is_refused_not_ignored() {
    let h = emulator_harness();
    let t = h.token("alice");
    let args = json!({"tool_slug": "GITHUB_CREATE_AN_ISSUE", "arguments": {"owner": "o", "repo": "r", "title": "t"}});
    for key in [
        "caf\u{e9}",
        "\u{441}\u{43b}\u{43e}\u{432}\u{43e}",
        "ok\u{80}",
    ] {
        let res = h.send(with_header(
            post("/v1/execute", Some(&t), &args),
            "idempotency-key",
            key,
        ));
        assert_eq!(
            (st(&res), code(&res).as_str()),
            (400, "invalid_idempotency_key"),
            "{key}"
        );
    }
    assert_eq!(h.up.executes("GITHUB_CREATE_AN_ISSUE"), 0);
}

#[test]
fn execute_is_never_retried_on_upstream_faults() {
    let h = emulator_harness();
    let t = h.token("alice");
    let args = json!({"tool_slug": "GITHUB_CREATE_AN_ISSUE", "arguments": {"owner": "o", "repo": "r", "title": "t"}});
    h.send(get("/v1/tools", Some(&t))); // session + schema cache
    let cases = vec![
        (
            Ok(json_response(
                503,
                &json!({"error": {"message": "down", "code": 503, "status": 503}}),
            )),
            502,
            "upstream_error",
        ),
        (
            Ok(json_response(
                500,
                &json!({"error": {"message": "boom", "code": 500, "status": 500}}),
            )),
            502,
            "upstream_error",
        ),
        (
            Ok({
                let mut r = json_response(
                    429,
                    &json!({"error": {"message": "slow down", "code": 429, "status": 429}}),
                );
                r.headers_mut().insert("retry-after", "7".parse().unwrap());
                r
            }),
            429,
            "upstream_rate_limited",
        ),
        (
            Err(transport_error(TransportErrorKind::Timeout, "timed out")),
            504,
            "upstream_timeout",
        ),
        (
            Err(transport_error(
                TransportErrorKind::Connect,
                "connection dropped",
            )),
            502,
            "upstream_unavailable",
        ),
        (
            Ok({
                let mut r = http::Response::new(b"{\"result_type\": \"compl".to_vec());
                *r.status_mut() = http::StatusCode::OK;
                r
            }),
            502,
            "upstream_bad_response",
        ),
        (
            Ok(http::Response::new(b"<html>gateway</html>".to_vec())),
            502,
            "upstream_bad_response",
        ),
        (
            Ok(json_response(
                401,
                &json!({"error": {"message": "invalid api key", "code": 401, "status": 401}}),
            )),
            502,
            "upstream_auth_failed",
        ),
        (
            Ok(json_response(
                403,
                &json!({"error": {"message": "forbidden", "code": 403, "status": 403}}),
            )),
            502,
            "upstream_permission_denied",
        ),
    ];
    for (i, (fault, status, expected)) in cases.into_iter().enumerate() {
        let before = h.up.executes("GITHUB_CREATE_AN_ISSUE");
        let path = "/api/v3.1/tool_router/session/trs_000000000001/execute";
        let calls_before = h.up.calls.borrow().iter().filter(|c| c.1 == path).count();
        h.up.fault(path, fault);
        let res = h.send(post("/v1/execute", Some(&t), &args));
        assert_eq!(
            (st(&res), code(&res)),
            (status, expected.to_owned()),
            "case {i}: {}",
            text(&res)
        );
        let calls_after = h.up.calls.borrow().iter().filter(|c| c.1 == path).count();
        assert_eq!(
            calls_after - calls_before,
            1,
            "case {i}: execute sent exactly once"
        );
        let _ = before;
        if status == 429 {
            assert_eq!(hdr(&res, "retry-after").as_deref(), Some("7"));
        }
    }
    assert!(
        h.rt.sleeps().is_empty(),
        "no backoff sleeps: nothing was retried"
    );
}

#[test]
fn reads_are_retried_on_transient_faults() {
    let h = emulator_harness();
    let t = h.token("alice");
    h.send(post("/v1/session", Some(&t), &json!({})));
    h.up.fault(
        "/api/v3.1/tool_router/session/trs_000000000001/tools",
        Ok(json_response(
            503,
            &json!({"error": {"message": "x", "code": 1, "status": 503}}),
        )),
    );
    let res = h.send(get("/v1/tools", Some(&t)));
    assert_eq!(res.status(), 200);
    assert_eq!(h.rt.sleeps().len(), 1);
}

#[test]
fn toolkits_carry_this_users_connection_state() {
    let h = emulator_harness();
    let t = h.token("alice");
    h.send(post("/v1/session", Some(&t), &json!({})));
    h.up.set_account("ca_9", "alice", "github", "ACTIVE");
    let res = h.send(get(
        "/v1/toolkits?limit=10&search=git%20hub&bogus=1",
        Some(&t),
    ));
    assert_eq!(res.status(), 200, "{}", text(&res));
    let b = body(&res);
    let items = b["items"].as_array().unwrap();
    assert_eq!(
        items[0]["connection"],
        json!({"state": "active", "connected": true, "connected_account_id": "ca_9"})
    );
    assert_eq!(items[1]["connection"]["state"], "no_auth");
    assert_eq!(
        items[2]["connection"],
        json!({"state": "not_connected", "connected": false})
    );
    assert_eq!(b["total_items"], 3);
    let sent =
        h.up.calls
            .borrow()
            .iter()
            .rev()
            .find(|c| c.1.ends_with("/toolkits"))
            .cloned()
            .unwrap();
    let _ = sent;
    let bad = h.send(get("/v1/toolkits?limit=500", Some(&t)));
    assert_eq!(code(&bad), "invalid_request");
}

#[test]
fn proxy_only_when_enabled() {
    let h = emulator_harness();
    let t = h.token("alice");
    let res = h.send(post(
        "/v1/proxy",
        Some(&t),
        &json!({"toolkit": "github", "endpoint": "/user", "method": "GET"}),
    ));
    assert_eq!(
        st(&res),
        403,
        "the default token has no proxy scope when proxy is disabled"
    );
    let h = Harness::new(config(&[("EDGE_PROXY_ENABLED", "true")]), FakeApi::new());
    let t = h.token("alice");
    let res = h.send(post("/v1/proxy", Some(&t), &json!({"toolkit": "github", "endpoint": "/user", "method": "get", "parameters": [{"name": "a", "in": "query", "value": 1}]})));
    assert_eq!(res.status(), 200, "{}", text(&res));
    assert_eq!(
        body(&res)["data"]["proxied"],
        json!({"toolkit_slug": "github", "endpoint": "/user", "method": "GET", "parameters": [{"name": "a", "type": "query", "value": "1"}]})
    );
    let res = h.send(post(
        "/v1/proxy",
        Some(&t),
        &json!({"toolkit": "github", "endpoint": "/user", "method": "TRACE"}),
    ));
    assert_eq!(code(&res), "invalid_request");
    // A token with the proxy scope on a gateway where proxy is off.
    let off = emulator_harness();
    let tok = body(&off.send(post(
        "/v1/dev/token",
        None,
        &json!({"user_id": "a", "scopes": ["proxy"]}),
    )))["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = off.send(post(
        "/v1/proxy",
        Some(&tok),
        &json!({"toolkit": "github", "endpoint": "/user"}),
    ));
    assert_eq!((st(&res), code(&res).as_str()), (404, "proxy_disabled"));
}

#[test]
fn unknown_routes_methods_bodies_and_content_types() {
    let h = emulator_harness();
    let t = h.token("alice");
    let res = h.send(get("/v1/nothing", Some(&t)));
    assert_eq!((st(&res), code(&res).as_str()), (404, "not_found"));
    assert_eq!(
        hdr(&res, "content-type").as_deref(),
        Some("application/json")
    );
    let res = h.send(get("/v1/search", Some(&t)));
    assert_eq!((st(&res), code(&res).as_str()), (405, "method_not_allowed"));
    assert_eq!(hdr(&res, "allow").as_deref(), Some("POST"));
    let res = h.send(request("PUT", "/v1/session", Some(&t), None));
    assert_eq!(hdr(&res, "allow").as_deref(), Some("POST, DELETE"));
    // Malformed JSON.
    let mut req = post("/v1/search", Some(&t), &json!({}));
    *req.body_mut() = b"{\"query\": ".to_vec();
    let res = h.send(req);
    assert_eq!((st(&res), code(&res).as_str()), (400, "invalid_json"));
    let mut req = post("/v1/search", Some(&t), &json!({}));
    *req.body_mut() = b"[1,2]".to_vec();
    assert_eq!(code(&h.send(req)), "invalid_json");
    // Wrong content type.
    let req = with_header(
        post("/v1/search", Some(&t), &json!({"query": "x"})),
        "content-type",
        "text/plain",
    );
    let res = h.send(req);
    assert_eq!(
        (st(&res), code(&res).as_str()),
        (415, "unsupported_media_type")
    );
    // Too large.
    let big = json!({"query": "x".repeat(300 * 1024)});
    let res = h.send(post("/v1/search", Some(&t), &big));
    assert_eq!((st(&res), code(&res).as_str()), (413, "payload_too_large"));
    // Non-absolute URI.
    let req = http::Request::get("/v1/tools").body(Vec::new()).unwrap();
    assert_eq!(h.send(req).status(), 400);
    // The emulator's paths in production are JSON 404s from the gateway.
    let p = production_harness(&[]);
    let res = p.send(get("/api/v3.1/tool_router/session", None));
    assert_eq!((st(&res), code(&res).as_str()), (404, "not_found"));
    // Every error has the envelope with a request id that matches the header.
    let b = body(&res);
    assert_eq!(
        b["error"]["request_id"].as_str(),
        hdr(&res, "x-request-id").as_deref()
    );
    assert!(b["error"]["request_id"]
        .as_str()
        .unwrap()
        .starts_with("req_"));
}

#[test]
fn rate_limit_per_user_answers_429_with_retry_after() {
    let h = Harness::new(
        config(&[("EDGE_RATE_LIMIT_PER_MINUTE", "3")]),
        FakeApi::new(),
    );
    let t = h.token("alice");
    for _ in 0..3 {
        assert_eq!(
            h.send(post("/v1/session", Some(&t), &json!({})))
                .status()
                .as_u16()
                / 100,
            2
        );
    }
    h.rt.advance(20_000);
    let res = h.send(post("/v1/session", Some(&t), &json!({})));
    assert_eq!((st(&res), code(&res).as_str()), (429, "rate_limited"));
    assert_eq!(hdr(&res, "retry-after").as_deref(), Some("40"));
    // Another user is not affected.
    assert_eq!(
        h.send(post("/v1/session", Some(&h.token("bob")), &json!({})))
            .status(),
        201
    );
    h.rt.advance(40_000);
    assert_eq!(
        h.send(post("/v1/session", Some(&t), &json!({}))).status(),
        200
    );
}

#[test]
fn no_response_ever_contains_the_project_key() {
    let h = production_harness(&[("EDGE_PROXY_ENABLED", "1")]);
    let t = h.token("alice");
    let mut responses = vec![
        h.send(post("/v1/session", Some(&t), &json!({}))),
        h.send(get("/v1/tools", Some(&t))),
        h.send(post("/v1/search", Some(&t), &json!({"query": "x"}))),
        h.send(get("/v1/toolkits", Some(&t))),
        h.send(post("/v1/connect", Some(&t), &json!({"toolkit": "github"}))),
        h.send(post(
            "/v1/proxy",
            Some(&t),
            &json!({"toolkit": "github", "endpoint": "/user"}),
        )),
    ];
    // An upstream body that echoes the key is withheld.
    h.up.fault(
        "/api/v3.1/tool_router/session/trs_000000000001/search",
        Ok(json_response(200, &json!({"leak": PROD_KEY}))),
    );
    let leak = h.send(post("/v1/search", Some(&t), &json!({"query": "x"})));
    assert_eq!((st(&leak), code(&leak).as_str()), (500, "internal_error"));
    responses.push(leak);
    for r in &responses {
        assert!(!text(r).contains(PROD_KEY));
        for v in r.headers().values() {
            assert!(!v.to_str().unwrap_or("").contains(PROD_KEY));
        }
    }
    // The upstream did get the key, as x-api-key only.
    assert!(h.up.seen_keys.borrow().iter().all(|k| k == PROD_KEY));
}

#[test]
fn emulator_mode_header_on_every_response() {
    let h = emulator_harness();
    let t = h.token("alice");
    for res in [
        h.send(post("/v1/session", Some(&t), &json!({}))),
        h.send(get("/v1/nothing", None)),
        h.send(get("/oauth/callback", None)),
        h.send(request("OPTIONS", "/v1/search", None, None)),
    ] {
        assert_eq!(
            hdr(&res, "x-composio-edge-mode").as_deref(),
            Some("emulator")
        );
    }
    let p = production_harness(&[]);
    assert!(hdr(&p.send(get("/v1/nothing", None)), "x-composio-edge-mode").is_none());
}

#[test]
fn execute_recreates_a_lost_session_before_running() {
    let h = emulator_harness();
    let t = h.token("alice");
    h.send(post("/v1/session", Some(&t), &json!({})));
    h.up.sessions.borrow_mut().clear();
    let res = h.send(post(
        "/v1/execute",
        Some(&t),
        &json!({"tool_slug": "GITHUB_CREATE_AN_ISSUE", "arguments": {"owner": "o", "repo": "r", "title": "t"}}),
    ));
    assert_eq!(res.status(), 200, "{}", text(&res));
    assert_eq!(h.up.count("POST", "/tool_router/session"), 2);
    assert_eq!(h.up.executes("GITHUB_CREATE_AN_ISSUE"), 1);
}

#[test]
fn authentication_comes_before_body_checks() {
    let h = emulator_harness();
    let mut req = post("/v1/search", None, &json!({}));
    *req.body_mut() = b"{broken".to_vec();
    let res = h.send(req);
    assert_eq!((st(&res), code(&res).as_str()), (401, "missing_token"));
    let mut req = post("/v1/tokens", None, &json!({}));
    *req.body_mut() = b"{broken".to_vec();
    assert_eq!(code(&h.send(req)), "unauthorized");
}

#[test]
fn concurrent_executes_with_one_idempotency_key_run_once() {
    use composio_edge::gateway::Dispatch;
    use composio_edge::runtime::block_on;
    let h = emulator_harness();
    let t = h.token("alice");
    h.send(get("/v1/tools", Some(&t))); // session and schema cache
    let args = json!({"tool_slug": "GITHUB_CREATE_AN_ISSUE", "arguments": {"owner": "o", "repo": "r", "title": "t"}});
    let dispatch = |req| match block_on(h.gw.front(req, &*h.rt)) {
        Dispatch::User { user_key, request } => (user_key, request),
        Dispatch::Respond(r) => panic!("{}", text(&r)),
    };
    let (key, r1) = dispatch(with_header(
        post("/v1/execute", Some(&t), &args),
        "idempotency-key",
        "same",
    ));
    let (_, r2) = dispatch(with_header(
        post("/v1/execute", Some(&t), &args),
        "idempotency-key",
        "same",
    ));
    let store = h.store(&key);
    let up = Yielding(&h.up);
    let (a, b) = join(
        h.gw.user(r1, &store, &up, &*h.rt),
        h.gw.user(r2, &store, &up, &*h.rt),
    );
    let mut codes = [st(&a), st(&b)];
    codes.sort();
    assert_eq!(codes, [200, 409], "{} / {}", text(&a), text(&b));
    assert_eq!(h.up.executes("GITHUB_CREATE_AN_ISSUE"), 1);
    // Once finished, the key replays.
    let c = h.send(with_header(
        post("/v1/execute", Some(&t), &args),
        "idempotency-key",
        "same",
    ));
    assert_eq!(hdr(&c, "idempotent-replayed").as_deref(), Some("true"));
}

#[test]
fn concurrent_first_session_requests_agree_on_one_session() {
    use composio_edge::gateway::Dispatch;
    use composio_edge::runtime::block_on;
    let h = emulator_harness();
    let t = h.token("alice");
    let dispatch = |req| match block_on(h.gw.front(req, &*h.rt)) {
        Dispatch::User { user_key, request } => (user_key, request),
        Dispatch::Respond(r) => panic!("{}", text(&r)),
    };
    let (key, r1) = dispatch(post("/v1/session", Some(&t), &json!({})));
    let (_, r2) = dispatch(post("/v1/session", Some(&t), &json!({})));
    let store = h.store(&key);
    let up = Yielding(&h.up);
    let (a, b) = join(
        h.gw.user(r1, &store, &up, &*h.rt),
        h.gw.user(r2, &store, &up, &*h.rt),
    );
    assert_eq!(body(&a)["session_id"], body(&b)["session_id"]);
    let later = h.send(post("/v1/session", Some(&t), &json!({})));
    assert_eq!(body(&later)["session_id"], body(&a)["session_id"]);
}

#[test]
fn body_limit_is_configurable_and_checks_content_length() {
    let h = Harness::new(config(&[("EDGE_MAX_BODY_BYTES", "2048")]), FakeApi::new());
    let t = h.token("alice");
    let res = h.send(post(
        "/v1/search",
        Some(&t),
        &json!({"queries": ["x".repeat(700), "y".repeat(700)]}),
    ));
    assert_eq!(res.status(), 200);
    let res = h.send(post(
        "/v1/search",
        Some(&t),
        &json!({"query": "x".repeat(2100)}),
    ));
    assert_eq!((st(&res), code(&res).as_str()), (413, "payload_too_large"));
    let req = with_header(
        post("/v1/search", Some(&t), &json!({"query": "x"})),
        "content-length",
        "999999",
    );
    assert_eq!(st(&h.send(req)), 413);
}

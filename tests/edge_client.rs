//! The gateway client (`composio_edge::edge`) against a recording fake transport.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::Cell;
use std::rc::Rc;

use composio_edge::edge::{
    AccessToken, EdgeClient, ExecuteOptions, LocalTool, SearchRequest, StaticToken, ToolkitsQuery,
};
use composio_edge::error::TransportErrorKind;
use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::runtime::{block_on, TestRuntime};
use composio_edge::transport::{json_response, transport_error, RecordingTransport};
use composio_edge::Error;

type Client = EdgeClient<Rc<RecordingTransport>, TestRuntime>;

fn client() -> (Client, Rc<RecordingTransport>) {
    let t = Rc::new(RecordingTransport::new());
    let rt = TestRuntime::new(1_700_000_000_000);
    let c = EdgeClient::new(
        "https://gw.example/",
        t.clone(),
        rt,
        StaticToken::new("tok"),
    )
    .unwrap();
    (c, t)
}

fn header(t: &RecordingTransport, i: usize, name: &str) -> Option<String> {
    t.requests()[i]
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

fn grep_tool() -> LocalTool {
    LocalTool::new(
        "GREP",
        "grep the page",
        json!({"type": "object", "properties": {"pattern": {"type": "string"}}, "required": ["pattern"]}),
        |args: Value| async move {
            let p = args["pattern"].as_str().unwrap_or_default().to_owned();
            if p == "boom" {
                Err("pattern exploded".to_owned())
            } else {
                Ok(json!({"matches": [p]}))
            }
        },
    )
}

#[test]
fn session_posts_with_bearer_token_and_remembers_the_id() {
    let (c, t) = client();
    t.push(json_response(
        200,
        &json!({"session_id": "trs_1", "config": {"toolkits": ["gmail"]}}),
    ));
    let s = block_on(c.session()).unwrap();
    assert_eq!(s.session_id, "trs_1");
    assert_eq!(c.current_session().unwrap().session_id, "trs_1");
    let r = &t.requests()[0];
    assert_eq!(r.method(), "POST");
    assert_eq!(r.uri(), "https://gw.example/v1/session");
    assert_eq!(header(&t, 0, "authorization").unwrap(), "Bearer tok");
    assert!(header(&t, 0, "x-api-key").is_none());
}

#[test]
fn gateway_error_keeps_code_status_and_request_id() {
    let (c, t) = client();
    t.push(json_response(
        403,
        &json!({"error": {"code": "origin_not_allowed", "message": "origin not allowed", "request_id": "req_9"}}),
    ));
    let e = block_on(c.session()).unwrap_err();
    let Error::Api(api) = &e else {
        panic!("expected api error, got {e:?}")
    };
    assert_eq!(api.status, 403);
    assert_eq!(api.slug.as_deref(), Some("origin_not_allowed"));
    assert_eq!(e.request_id(), Some("req_9"));
    assert_eq!(t.requests().len(), 1, "403 is not retried");
}

#[test]
fn reads_are_retried_on_5xx_with_backoff() {
    let (c, t) = client();
    let rt = c.runtime();
    t.push(json_response(
        503,
        &json!({"error": {"code": "upstream_unavailable", "message": "x", "request_id": "r"}}),
    ));
    t.push_error(transport_error(TransportErrorKind::Connect, "reset"));
    t.push(json_response(200, &json!({"items": []})));
    let v = block_on(c.toolkits(&ToolkitsQuery::default())).unwrap();
    assert_eq!(v, json!({"items": []}));
    assert_eq!(t.requests().len(), 3);
    assert_eq!(rt.sleeps().len(), 2);
}

#[test]
fn execute_without_idempotency_key_is_never_retried() {
    let (c, t) = client();
    t.push(json_response(
        502,
        &json!({"error": {"code": "upstream_error", "message": "bad gateway", "request_id": "r"}}),
    ));
    let e = block_on(c.execute("GMAIL_SEND_EMAIL", &json!({}), &ExecuteOptions::default()))
        .unwrap_err();
    assert_eq!(e.http_status(), 502);
    assert_eq!(t.requests().len(), 1);
}

#[test]
fn execute_with_idempotency_key_sends_the_header_and_retries_safely() {
    let (c, t) = client();
    t.push_error(transport_error(TransportErrorKind::Timeout, "slow"));
    t.push(json_response(
        200,
        &json!({"result_type": "completed", "data": {"id": "m1"}, "error": null, "log_id": "log_1"}),
    ));
    let opts = ExecuteOptions {
        account: Some("work".into()),
        idempotency_key: Some("k-1".into()),
    };
    let r = block_on(c.execute("gmail_send_email", &json!("{\"to\":\"a@b.c\"}"), &opts)).unwrap();
    assert!(r.successful);
    assert_eq!(r.log_id, "log_1");
    assert_eq!(r.data, json!({"id": "m1"}));
    assert_eq!(t.requests().len(), 2);
    for i in 0..2 {
        assert_eq!(header(&t, i, "idempotency-key").as_deref(), Some("k-1"));
        assert_eq!(
            t.json_body(i),
            json!({"tool_slug": "gmail_send_email", "arguments": {"to": "a@b.c"}, "account": "work"})
        );
    }
}

#[test]
fn execute_checks_arguments_against_a_known_schema_before_sending() {
    let (c, t) = client();
    t.push(json_response(
        200,
        &json!({"success": true, "results": [], "tool_schemas": {"GMAIL_SEND_EMAIL": {
            "tool_slug": "GMAIL_SEND_EMAIL", "toolkit": "gmail",
            "input_schema": {"type": "object", "required": ["to"], "properties": {"to": {"type": "string"}}}}}}),
    ));
    block_on(c.search(&SearchRequest::query("send an email"))).unwrap();
    let e = block_on(c.execute(
        "GMAIL_SEND_EMAIL",
        &json!({"cc": "x"}),
        &ExecuteOptions::default(),
    ))
    .unwrap_err();
    assert_eq!(e.code(), "argument_validation_failed");
    assert_eq!(t.requests().len(), 1, "nothing sent for invalid arguments");
    let e = block_on(c.execute("GMAIL_SEND_EMAIL", &json!([1]), &ExecuteOptions::default()))
        .unwrap_err();
    assert_eq!(e.code(), "invalid_tool_arguments");
}

#[test]
fn local_tool_runs_locally_and_is_sent_inline_on_search() {
    let (c, t) = client();
    c.register_tool(grep_tool()).unwrap();
    let r = block_on(c.execute(
        "LOCAL_GREP",
        &json!({"pattern": "p"}),
        &ExecuteOptions::default(),
    ))
    .unwrap();
    assert_eq!(
        composio_edge::json::to_value(&r).unwrap(),
        json!({"data": {"matches": ["p"]}, "error": null, "successful": true, "logId": ""})
    );
    let r = block_on(c.execute("grep", &json!({}), &ExecuteOptions::default())).unwrap();
    assert!(!r.successful);
    assert!(r.error.unwrap().starts_with("Input validation failed"));
    let r = block_on(c.execute(
        "GREP",
        &json!({"pattern": "boom"}),
        &ExecuteOptions::default(),
    ))
    .unwrap();
    assert_eq!(r.error.as_deref(), Some("pattern exploded"));
    assert!(t.requests().is_empty(), "local tools never hit the network");

    t.push(json_response(200, &json!({"success": true, "results": []})));
    let mut req = SearchRequest::query("grep");
    req.toolkits = vec!["custom".into()];
    block_on(c.search(&req)).unwrap();
    assert_eq!(
        t.json_body(0),
        json!({"queries": [{"use_case": "grep"}], "toolkits": ["custom"], "custom_tools": [{
            "slug": "GREP", "name": "GREP", "description": "grep the page",
            "input_schema": {"type": "object", "properties": {"pattern": {"type": "string"}}, "required": ["pattern"]}}]})
    );
}

#[test]
fn multi_execute_is_split_and_merged_as_the_wire_reference_captures() {
    let (c, t) = client();
    c.register_tool(grep_tool()).unwrap();
    t.push(json_response(
        200,
        &json!({"result_type": "completed", "data": {"results": [
            {"response": {"successful": true, "data": {"ok": 1}}, "tool_slug": "GMAIL_SEND_EMAIL", "index": 0}],
            "total_count": 1, "success_count": 1, "error_count": 0}, "error": null, "log_id": "log_m"}),
    ));
    let input = json!({"tools": [
        {"tool_slug": "LOCAL_GREP", "arguments": {"pattern": "p"}},
        {"tool_slug": "GMAIL_SEND_EMAIL", "arguments": {"to": "x"}}],
        "sync_response_to_workbench": false, "thought": "t"});
    let r = block_on(c.execute(
        "COMPOSIO_MULTI_EXECUTE_TOOL",
        &input,
        &ExecuteOptions::default(),
    ))
    .unwrap();
    assert_eq!(
        r.to_wire_value(),
        json!({"data": {"results": [
            {"response": {"successful": true, "data": {"matches": ["p"]}}, "tool_slug": "LOCAL_GREP", "index": 0},
            {"response": {"successful": true, "data": {"ok": 1}}, "tool_slug": "GMAIL_SEND_EMAIL", "index": 1}],
            "total_count": 2, "success_count": 2, "error_count": 0},
         "error": null, "successful": true})
    );
    let body = t.json_body(0);
    assert_eq!(body["tool_slug"], "COMPOSIO_MULTI_EXECUTE_TOOL");
    assert_eq!(
        body["arguments"],
        json!({"tools": [{"tool_slug": "GMAIL_SEND_EMAIL", "arguments": {"to": "x"}}],
               "sync_response_to_workbench": false, "thought": "t"})
    );
    assert_eq!(body["custom_tools"][0]["slug"], "GREP");
}

#[test]
fn multi_execute_with_one_local_and_no_remote_is_unwrapped() {
    let (c, t) = client();
    c.register_tool(grep_tool()).unwrap();
    let input = json!({"tools": [{"tool_slug": "GREP", "arguments": {"pattern": "q"}}]});
    let r = block_on(c.execute(
        "COMPOSIO_MULTI_EXECUTE_TOOL",
        &input,
        &ExecuteOptions::default(),
    ))
    .unwrap();
    assert_eq!(r.data, json!({"matches": ["q"]}));
    assert!(t.requests().is_empty());
}

#[test]
fn multi_execute_remote_failure_marks_remote_items_and_counts() {
    let (c, t) = client();
    c.register_tool(grep_tool()).unwrap();
    t.push_error(transport_error(TransportErrorKind::Connect, "offline"));
    let input = json!({"tools": [
        {"tool_slug": "GMAIL_SEND_EMAIL", "arguments": {}},
        {"tool_slug": "LOCAL_GREP", "arguments": {"pattern": "boom"}}]});
    let r = block_on(c.execute(
        "COMPOSIO_MULTI_EXECUTE_TOOL",
        &input,
        &ExecuteOptions::default(),
    ))
    .unwrap();
    assert!(!r.successful);
    assert_eq!(r.error.as_deref(), Some("2 out of 2 tools failed"));
    assert_eq!(r.data["total_count"], 2);
    assert_eq!(r.data["error_count"], 2);
    assert_eq!(r.data["results"][0]["tool_slug"], "GMAIL_SEND_EMAIL");
    assert_eq!(r.data["results"][0]["index"], 0);
    assert_eq!(r.data["results"][1]["error"], "pattern exploded");
    assert_eq!(t.requests().len(), 1, "execute is never retried");
}

#[test]
fn multi_execute_without_local_items_is_forwarded_unchanged() {
    let (c, t) = client();
    c.register_tool(grep_tool()).unwrap();
    t.push(json_response(
        200,
        &json!({"data": {"results": []}, "error": null, "log_id": "l"}),
    ));
    let input =
        json!({"tools": [{"tool_slug": "GMAIL_SEND_EMAIL", "arguments": {}}], "thought": "x"});
    block_on(c.execute(
        "COMPOSIO_MULTI_EXECUTE_TOOL",
        &input,
        &ExecuteOptions::default(),
    ))
    .unwrap();
    assert_eq!(t.json_body(0)["arguments"], input);
}

#[test]
fn token_provider_is_asked_again_near_expiry_and_after_401() {
    let t = Rc::new(RecordingTransport::new());
    let rt = TestRuntime::new(1_000_000);
    let calls = Rc::new(Cell::new(0u32));
    let calls2 = calls.clone();
    let provider = move || {
        calls2.set(calls2.get() + 1);
        let n = calls2.get();
        // token n expires at 1000 s + n × 120 s
        async move {
            Ok(AccessToken::new(
                format!("t{n}"),
                Some(1_000 + 120 * u64::from(n)),
            ))
        }
    };
    let c = EdgeClient::new("https://gw.example", t.clone(), rt, provider).unwrap();
    let rt = c.runtime();
    for _ in 0..4 {
        t.push(json_response(200, &json!({"session_id": "s"})));
    }
    block_on(c.session()).unwrap();
    block_on(c.session()).unwrap();
    assert_eq!(calls.get(), 1);
    rt.advance(61_000);
    block_on(c.session()).unwrap();
    assert_eq!(calls.get(), 2);
    assert_eq!(header(&t, 2, "authorization").unwrap(), "Bearer t2");
    // a 401 drops the token and retries once with a new one
    t.push(json_response(
        401,
        &json!({"error": {"code": "token_expired", "message": "expired", "request_id": "r"}}),
    ));
    t.push(json_response(200, &json!({"session_id": "s"})));
    let before = t.requests().len();
    // queue: one 200 left from the loop above is consumed first
    block_on(c.session()).unwrap();
    block_on(c.session()).unwrap();
    assert_eq!(t.requests().len(), before + 3);
    assert_eq!(calls.get(), 3);
    assert_eq!(
        header(&t, before + 2, "authorization").unwrap(),
        "Bearer t3"
    );
}

#[test]
fn fixed_token_401_is_reported_not_retried() {
    let (c, t) = client();
    t.push(json_response(
        401,
        &json!({"error": {"code": "invalid_token", "message": "bad token", "request_id": "r"}}),
    ));
    let e = block_on(c.session()).unwrap_err();
    assert_eq!(e.code(), "unauthorized");
    assert_eq!(t.requests().len(), 1);
}

#[test]
fn connect_url_must_stay_on_the_gateway_origin() {
    let (c, t) = client();
    t.push(json_response(
        200,
        &json!({"connect_url": "/oauth/start?ticket=abc", "connection_id": "cn_1"}),
    ));
    let link = block_on(c.connect("gmail", Some("/done"))).unwrap();
    assert_eq!(
        link.connect_url,
        "https://gw.example/oauth/start?ticket=abc"
    );
    assert_eq!(link.connection_id, "cn_1");
    assert_eq!(
        t.json_body(0),
        json!({"toolkit": "gmail", "return_to": "/done"})
    );
    for evil in [
        "https://evil.example/oauth/start",
        "//evil.example/x",
        "https://gw.example.evil.example/x",
        "javascript:alert(1)",
    ] {
        t.push(json_response(
            200,
            &json!({"connect_url": evil, "connection_id": "cn_2"}),
        ));
        assert!(
            block_on(c.connect("gmail", None)).is_err(),
            "{evil} accepted"
        );
    }
    t.push(json_response(
        200,
        &json!({"connect_url": "https://GW.example:443/oauth/start?t=1", "connection_id": "cn_3"}),
    ));
    assert!(block_on(c.connect("gmail", None)).is_ok());
}

#[test]
fn wait_for_connection_polls_every_second_until_active() {
    let (c, t) = client();
    let rt = c.runtime();
    t.push(json_response(
        200,
        &json!({"status": "INITIATED", "toolkit": "gmail"}),
    ));
    t.push(json_response(
        200,
        &json!({"status": "INITIATED", "toolkit": "gmail"}),
    ));
    t.push(json_response(
        200,
        &json!({"status": "ACTIVE", "toolkit": "gmail", "connected_account_id": "ca_1"}),
    ));
    let s = block_on(c.wait_for_connection("cn_1", 60_000, || false)).unwrap();
    assert_eq!(s.connected_account_id.as_deref(), Some("ca_1"));
    assert_eq!(rt.sleeps(), vec![1_000, 1_000]);
    assert_eq!(t.requests()[0].uri(), "https://gw.example/v1/connect/cn_1");
}

#[test]
fn wait_for_connection_reports_failure_timeout_not_found_and_cancel() {
    let (c, t) = client();
    t.push(json_response(
        200,
        &json!({"status": "FAILED", "status_reason": "access denied"}),
    ));
    let e = block_on(c.wait_for_connection("cn_1", 60_000, || false)).unwrap_err();
    assert_eq!(e.code(), "connection_failed");
    assert!(e.to_string().contains("access denied"));

    for _ in 0..5 {
        t.push(json_response(200, &json!({"status": "INITIATED"})));
    }
    let e = block_on(c.wait_for_connection("cn_2", 2_500, || false)).unwrap_err();
    assert_eq!(e.code(), "connection_timeout");

    let (c, t) = client();
    t.push(json_response(404, &json!({"error": {"code": "not_found", "message": "no such connection", "request_id": "r"}})));
    let e = block_on(c.wait_for_connection("cn_x", 5_000, || false)).unwrap_err();
    assert_eq!(e.code(), "connected_account_not_found");

    let e = block_on(c.wait_for_connection("cn_x", 5_000, || true)).unwrap_err();
    assert_eq!(e.code(), "aborted");
}

#[test]
fn toolkit_connection_and_toolkits_query() {
    let (c, t) = client();
    t.push(json_response(
        200,
        &json!({"items": [{"slug": "gmail", "is_no_auth": false,
        "connected_account": {"id": "ca_7", "status": "ACTIVE"}}]}),
    ));
    let tc = block_on(c.toolkit_connection("gmail")).unwrap();
    assert!(tc.connected);
    assert_eq!(tc.connected_account_id.as_deref(), Some("ca_7"));
    assert_eq!(
        t.requests()[0].uri(),
        "https://gw.example/v1/toolkits?toolkits=gmail"
    );
}

#[test]
fn tools_sends_preloaded_local_tools_for_the_gateway_to_list() {
    let (c, t) = client();
    // No preloaded tool: a plain GET.
    t.push(json_response(
        200,
        &json!({"provider": "composio", "tools": [], "total": 0, "schemas": {}}),
    ));
    assert_eq!(block_on(c.tools(None)).unwrap(), json!([]));
    assert_eq!(t.requests()[0].method(), "GET");
    assert_eq!(t.requests()[0].uri(), "https://gw.example/v1/tools");

    let mut tool = grep_tool();
    tool.preload = true;
    c.register_tool(tool).unwrap();
    c.register_tool(LocalTool::new(
        "HIDDEN",
        "not preloaded",
        json!({"type": "object"}),
        |_| async { Ok(Value::Null) },
    ))
    .unwrap();
    let listed = json!({"type": "function", "function": {"name": "LOCAL_GREP", "description": "d",
        "parameters": {"type": "object", "properties": {"pattern": {"type": "string"}}}}});
    t.push(json_response(200, &json!({"provider": "openai", "tools": [listed], "total": 1,
        "schemas": {"LOCAL_GREP": {"type": "object", "properties": {"pattern": {"type": "string"}}}}})));
    let v = block_on(c.tools(Some("openai"))).unwrap();
    assert_eq!(v, json!([listed]), "tools() is the list itself");
    let req = &t.requests()[1];
    assert_eq!(
        (req.method().as_str(), req.uri().to_string().as_str()),
        ("POST", "https://gw.example/v1/tools?provider=openai")
    );
    assert_eq!(
        t.json_body(1),
        json!({"custom_tools": [{"slug": "GREP", "name": "GREP", "description": "grep the page",
            "input_schema": {"type": "object", "properties": {"pattern": {"type": "string"}},
                "required": ["pattern"]}, "preload": true}]}),
        "only the preloaded tool, in its wire form"
    );
    assert!(block_on(c.tools(Some("cohere"))).is_err());
    assert_eq!(t.requests().len(), 2, "an unknown provider sends nothing");
}

#[test]
fn insecure_or_malformed_gateway_urls_are_refused() {
    let t = Rc::new(RecordingTransport::new());
    let mk =
        |u: &str| EdgeClient::new(u, t.clone(), TestRuntime::new(0), StaticToken::new("x")).err();
    assert_eq!(
        mk("http://gw.example").unwrap().code(),
        "insecure_transport"
    );
    assert!(mk("gw.example").is_some());
    assert!(mk("https://user:pw@gw.example").is_some());
    assert!(mk("ftp://gw.example").is_some());
    assert!(mk("http://localhost:8787").is_none());
}

#[test]
fn delete_session_forgets_it() {
    let (c, t) = client();
    t.push(json_response(200, &json!({"session_id": "trs_1"})));
    t.push(json_response(200, &json!({"deleted": true})));
    block_on(c.session()).unwrap();
    block_on(c.delete_session()).unwrap();
    assert!(c.current_session().is_none());
    assert_eq!(t.requests()[1].method(), "DELETE");
}

#[test]
fn transport_errors_surface_as_transport_errors() {
    let (c, t) = client();
    for _ in 0..3 {
        t.push_error(transport_error(TransportErrorKind::Connect, "offline"));
    }
    let e = block_on(c.session()).unwrap_err();
    assert!(matches!(e, Error::Transport { .. }));
    assert_eq!(t.requests().len(), 3);
}

#[test]
fn handle_tool_calls_runs_local_and_remote_calls_and_answers_in_openai_format() {
    let (c, t) = client();
    c.register_tool(grep_tool()).unwrap();
    t.push(json_response(
        200,
        &json!({"result_type": "completed", "data": {"sent": true}, "error": null, "log_id": "log_abc"}),
    ));
    let completion = json!({"choices": [{"message": {"role": "assistant", "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "LOCAL_GREP", "arguments": "{\"pattern\":\"x\"}"}},
        {"id": "c2", "type": "function", "function": {"name": "GMAIL_SEND_EMAIL", "arguments": "{\"to\":\"a@b.c\"}"}}]}}]});
    let msgs = block_on(c.handle_tool_calls(&completion, None)).unwrap();
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0]["tool_call_id"], "c1");
    let content: Value = serde_json::from_str(msgs[0]["content"].as_str().unwrap()).unwrap();
    assert_eq!(content["data"], json!({"matches": ["x"]}));
    assert_eq!(
        msgs[1]["content"],
        "{\"data\":{\"sent\":true},\"error\":null,\"logId\":\"log_abc\",\"successful\":true}"
    );
    assert_eq!(t.requests().len(), 1, "only the remote call went out");
    assert_eq!(t.json_body(0)["tool_slug"], "GMAIL_SEND_EMAIL");
}

#[test]
fn handle_tool_calls_turns_bad_arguments_into_a_failed_result_for_the_model() {
    let (c, t) = client();
    c.register_tool(grep_tool()).unwrap();
    let msg = json!({"role": "assistant", "content": [
        {"type": "tool_use", "id": "tu1", "name": "LOCAL_GREP", "input": {}}]});
    let msgs = block_on(c.handle_tool_calls(&msg, None)).unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["role"], "user");
    assert_eq!(msgs[0]["content"][0]["tool_use_id"], "tu1");
    assert!(t.requests().is_empty());
    assert!(block_on(c.handle_tool_calls(&json!({"nothing": 1}), None)).is_err());
}

#[test]
fn tool_definitions_come_from_the_openai_listing() {
    let (c, t) = client();
    t.push(json_response(200, &json!([{"type": "function", "function": {
        "name": "COMPOSIO_SEARCH_TOOLS", "description": "search", "parameters": {"type": "object", "properties": {"queries": {"type": "array"}}}}}])));
    let defs = block_on(c.tool_definitions()).unwrap();
    assert_eq!(defs.len(), 1);
    assert_eq!(defs[0]["name"], "COMPOSIO_SEARCH_TOOLS");
    assert_eq!(
        defs[0]["parameters"]["properties"]["queries"]["type"],
        "array"
    );
}

//! `Session::handle_tool_calls` for OpenAI chat completions, OpenAI responses output and
//! Anthropic messages: local and remote calls, validation before any request, errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_support;

use client_support::*;
use composio_edge::client::*;
use composio_edge::error::TransportErrorKind;
use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::provider::Provider;
use composio_edge::runtime::block_on;
use composio_edge::transport::{transport_error, RecordingTransport};
use composio_edge::wire::Tool;
use std::rc::Rc;

type S = Session<Rc<RecordingTransport>, composio_edge::runtime::TestRuntime>;

fn session() -> (Rc<RecordingTransport>, S) {
    let (c, t) = client();
    t.push(ok(
        201,
        session_response(
            json!([{"slug":"LOCAL_GREP","original_slug":"GREP"}]),
            json!([]),
        ),
    ));
    let s =
        block_on(c.create_session(&CreateSession::new("user_123").with_custom_tool(grep_tool())))
            .unwrap();
    (t, s)
}

fn tools() -> Vec<Tool> {
    vec![Tool {
        slug: "GMAIL_SEND_EMAIL".into(),
        description: "send".into(),
        input_parameters: json!({"type":"object","properties":{"to":{"type":"string"}},"required":["to"]}),
        ..Default::default()
    }]
}

#[test]
fn openai_chat_completion_local_and_remote() {
    let (t, s) = session();
    t.push(execute_ok(json!({"id": "m1"}), "log_1"));
    let completion = json!({"choices":[{"message":{"role":"assistant","tool_calls":[
        {"id":"call_1","type":"function","function":{"name":"LOCAL_GREP","arguments":"{\"pattern\":\"p\"}"}},
        {"id":"call_2","type":"function","function":{"name":"GMAIL_SEND_EMAIL","arguments":"{\"to\":\"a@b.c\"}"}}]}}]});
    let msgs = block_on(s.handle_tool_calls(Provider::OpenAi, &completion, &tools())).unwrap();
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0]["role"], "tool");
    assert_eq!(msgs[0]["tool_call_id"], "call_1");
    let c0: Value = serde_json::from_str(msgs[0]["content"].as_str().unwrap()).unwrap();
    assert_eq!(
        c0,
        json!({"data":{"matches":["p"]},"error":null,"successful":true})
    );
    let c1: Value = serde_json::from_str(msgs[1]["content"].as_str().unwrap()).unwrap();
    assert_eq!(
        c1,
        json!({"data":{"id":"m1"},"error":null,"logId":"log_1","successful":true})
    );
    // one request: the remote call, non-agentic body (as the SDK's session.execute)
    assert_eq!(t.requests().len(), 2);
    let body = t.json_body(1);
    assert_eq!(body["tool_slug"], "GMAIL_SEND_EMAIL");
    assert_eq!(body["arguments"], json!({"to": "a@b.c"}));
    assert!(body.get("enable_auto_workbench_offload").is_none());
}

#[test]
fn invalid_arguments_cost_no_request() {
    let (t, s) = session();
    let completion = json!({"choices":[{"message":{"tool_calls":[
        {"id":"call_1","type":"function","function":{"name":"GMAIL_SEND_EMAIL","arguments":"{\"cc\":1}"}}]}}]});
    let msgs = block_on(s.handle_tool_calls(Provider::OpenAi, &completion, &tools())).unwrap();
    let c: Value = serde_json::from_str(msgs[0]["content"].as_str().unwrap()).unwrap();
    assert_eq!(c["successful"], false);
    assert!(
        c["error"].as_str().unwrap().contains("$.to is required"),
        "{c}"
    );
    assert_eq!(t.requests().len(), 1, "only the create");
}

#[test]
fn openai_responses_output_items() {
    let (t, s) = session();
    t.push(execute_ok(json!({"ok": true}), "log_2"));
    t.push_error(transport_error(
        TransportErrorKind::Connect,
        "connection refused",
    ));
    let output = json!([
        {"type":"message","content":[]},
        {"type":"function_call","call_id":"fc_1","name":"GMAIL_SEND_EMAIL","arguments":"{\"to\":\"x\"}"},
        {"type":"function_call","call_id":"fc_2","name":"GMAIL_SEND_EMAIL","arguments":"{\"to\":\"y\"}"},
        {"type":"function_call","call_id":"fc_3","name":"grep","arguments":"{\"pattern\":\"q\"}"}]);
    let items = block_on(s.handle_tool_calls(
        Provider::OpenAiResponses { strict: false },
        &output,
        &tools(),
    ))
    .unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["type"], "function_call_output");
    assert_eq!(items[0]["call_id"], "fc_1");
    assert_eq!(items[0]["status"], "completed");
    let o: Value = serde_json::from_str(items[0]["output"].as_str().unwrap()).unwrap();
    assert_eq!(o["data"], json!({"ok": true}));
    assert_eq!(items[1]["status"], "incomplete");
    assert!(items[1]["output"]
        .as_str()
        .unwrap()
        .contains("connection refused"));
    assert_eq!(items[2]["status"], "completed");
    assert_eq!(
        t.requests().len(),
        3,
        "execute is not retried after the failure"
    );
}

#[test]
fn anthropic_message_tool_results() {
    let (t, s) = session();
    t.push(execute_ok(json!({"id": "m2"}), "log_3"));
    t.push(ok(
        200,
        json!({"result_type":"failed","data":{},"error":"no connection","log_id":"log_4"}),
    ));
    let message = json!({"role":"assistant","content":[
        {"type":"text","text":"sending"},
        {"type":"tool_use","id":"tu_1","name":"GMAIL_SEND_EMAIL","input":{"to":"a"}},
        {"type":"tool_use","id":"tu_2","name":"GMAIL_SEND_EMAIL","input":{"to":"b"}},
        {"type":"tool_use","id":"tu_3","name":"LOCAL_GREP","input":{"pattern":"r"}}]});
    let msgs = block_on(s.handle_tool_calls(
        Provider::Anthropic {
            cache_control: false,
        },
        &message,
        &tools(),
    ))
    .unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["role"], "user");
    let blocks = msgs[0]["content"].as_array().unwrap();
    assert_eq!(blocks.len(), 3);
    assert_eq!(blocks[0]["type"], "tool_result");
    assert_eq!(blocks[0]["tool_use_id"], "tu_1");
    assert_eq!(
        serde_json::from_str::<Value>(blocks[0]["content"].as_str().unwrap()).unwrap(),
        json!({"id": "m2"})
    );
    assert_eq!(blocks[1]["is_error"], true);
    assert_eq!(blocks[1]["content"], "no connection");
    assert_eq!(
        serde_json::from_str::<Value>(blocks[2]["content"].as_str().unwrap()).unwrap(),
        json!({"matches": ["r"]})
    );
    assert_eq!(t.requests().len(), 3);
}

#[test]
fn no_tool_calls_means_no_messages() {
    let (t, s) = session();
    let msgs = block_on(s.handle_tool_calls(
        Provider::OpenAi,
        &json!({"choices":[{"message":{"content":"hi"}}]}),
        &[],
    ))
    .unwrap();
    assert!(msgs.is_empty());
    assert_eq!(t.requests().len(), 1);
}

#[test]
fn execute_tool_call_validates_against_schemas_seen_by_tools() {
    let (t, s) = session();
    t.push(ok(200, json!({"items":[{"slug":"GMAIL_SEND_EMAIL","input_parameters":{"type":"object","properties":{"to":{"type":"string"}},"required":["to"]}}]})));
    block_on(s.tools()).unwrap();
    let e = block_on(s.execute_tool_call("gmail_send_email", json!("{\"to\": 5}"))).unwrap_err();
    assert_eq!(e.code(), "argument_validation_failed");
    assert_eq!(t.requests().len(), 2, "create + tools only");
    t.push(execute_ok(json!({}), "l"));
    block_on(s.execute_tool_call("GMAIL_SEND_EMAIL", json!({"to": "x"}))).unwrap();
    assert_eq!(t.requests().len(), 3);
}

#[test]
fn provider_tools_formats_the_session_tools() {
    let (t, s) = session();
    t.push(ok(200, json!({"items":[{"slug":"GMAIL_SEND_EMAIL","description":"send","input_parameters":{"type":"object","properties":{}}}]})));
    let v = block_on(s.provider_tools(Provider::OpenAi)).unwrap();
    assert_eq!(v[0]["type"], "function");
    assert_eq!(v[0]["function"]["name"], "GMAIL_SEND_EMAIL");
}

#[test]
fn all_toolkits_follows_the_cursor() {
    let (t, s) = session();
    t.push(ok(200, json!({"items":[{"slug":"a"}],"next_cursor":"c2"})));
    t.push(ok(200, json!({"items":[{"slug":"b"}],"next_cursor":"c2"})));
    let all = block_on(s.all_toolkits(&ToolkitsQuery {
        limit: Some(1),
        ..Default::default()
    }))
    .unwrap();
    assert_eq!(
        all.iter().map(|k| k.slug.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(t.requests()[2].uri().query(), Some("limit=1&cursor=c2"));
    assert_eq!(t.requests().len(), 3, "a repeated cursor stops the loop");
}

//! COMPOSIO_MULTI_EXECUTE_TOOL split/merge (wire §6.7) through the session, on every execution
//! path: what the backend receives and what the caller gets back.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_support;

use client_support::*;
use composio_edge::client::*;
use composio_edge::error::TransportErrorKind;
use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::runtime::block_on;
use composio_edge::transport::{transport_error, RecordingTransport};
use composio_edge::wire::ExecuteResponse;
use std::rc::Rc;

type S = Session<Rc<RecordingTransport>, composio_edge::runtime::TestRuntime>;

fn session() -> (Rc<RecordingTransport>, S) {
    let (c, t) = client();
    let lint = CustomTool::new("LINT", "Lint", "lint files", json!({}), |_, _| async {
        Err("lint failed".to_string())
    })
    .unwrap();
    t.push(ok(
        201,
        session_response(
            json!([{"slug":"LOCAL_GREP","original_slug":"GREP"},{"slug":"LOCAL_LINT","original_slug":"LINT"}]),
            json!([]),
        ),
    ));
    let s = block_on(
        c.create_session(
            &CreateSession::new("user_123")
                .with_custom_tool(grep_tool())
                .with_custom_tool(lint),
        ),
    )
    .unwrap();
    (t, s)
}

fn outcome(r: &ExecuteResponse) -> Value {
    json!({"data": r.data, "error": r.error, "successful": r.successful()})
}

fn customs_wire() -> Value {
    json!({"custom_tools": [grep_wire(), {"slug":"LINT","name":"Lint","description":"lint files","input_schema":{"type":"object","properties":{}}}]})
}

#[test]
fn mixed_call_matches_the_captured_backend_body_and_merge() {
    let (t, s) = session();
    t.push(execute_ok(
        json!({"results":[{"response":{"successful":true,"data":{"ok":1}},"tool_slug":"GMAIL_SEND_EMAIL","index":0}],
               "total_count":1,"success_count":1,"error_count":0}),
        "log_remote",
    ));
    let args = json!({"tools":[{"tool_slug":"LOCAL_GREP","arguments":{"pattern":"p"}},
                                {"tool_slug":"GMAIL_SEND_EMAIL","arguments":{"to":"x"}}],
                      "sync_response_to_workbench":false,"thought":"t"});
    let r = block_on(s.execute_tool_call("COMPOSIO_MULTI_EXECUTE_TOOL", args)).unwrap();
    assert_request(
        &t.requests()[1],
        "POST",
        &format!("/api/v3.1/tool_router/session/{SID}/execute"),
        None,
        Some(json!({"tool_slug":"COMPOSIO_MULTI_EXECUTE_TOOL",
                    "arguments":{"tools":[{"tool_slug":"GMAIL_SEND_EMAIL","arguments":{"to":"x"}}],"sync_response_to_workbench":false,"thought":"t"},
                    "enable_auto_workbench_offload":true,"experimental":customs_wire()})),
    );
    assert_eq!(
        outcome(&r),
        json!({"data":{"results":[
               {"response":{"successful":true,"data":{"matches":["p"]}},"tool_slug":"LOCAL_GREP","index":0},
               {"response":{"successful":true,"data":{"ok":1}},"tool_slug":"GMAIL_SEND_EMAIL","index":1}],
              "total_count":2,"success_count":2,"error_count":0},
             "error":null,"successful":true})
    );
}

#[test]
fn split_applies_on_plain_execute_too_without_offload() {
    let (t, s) = session();
    t.push(execute_ok(json!({"results":[]}), "l"));
    let args = json!({"tools":[{"tool_slug":"grep","arguments":{"pattern":"p"}},{"tool_slug":"GMAIL_X","arguments":{}}],"sync_response_to_workbench":false});
    block_on(s.execute("COMPOSIO_MULTI_EXECUTE_TOOL", args, None)).unwrap();
    let body = t.json_body(1);
    assert_eq!(
        body["arguments"]["tools"],
        json!([{"tool_slug":"GMAIL_X","arguments":{}}])
    );
    assert!(body.get("enable_auto_workbench_offload").is_none());
}

#[test]
fn a_single_local_item_is_returned_unwrapped_without_a_request() {
    let (t, s) = session();
    let r = block_on(s.execute_tool_call(
        "COMPOSIO_MULTI_EXECUTE_TOOL",
        json!({"tools":[{"tool_slug":"LOCAL_GREP","arguments":{"pattern":"z"}}],"sync_response_to_workbench":false}),
    ))
    .unwrap();
    assert_eq!(
        outcome(&r),
        json!({"data":{"matches":["z"]},"error":null,"successful":true})
    );
    assert_eq!(t.requests().len(), 1);
}

#[test]
fn locals_only_are_merged_and_reindexed() {
    let (t, s) = session();
    let r = block_on(s.execute_tool_call(
        "COMPOSIO_MULTI_EXECUTE_TOOL",
        json!({"tools":[{"tool_slug":"LOCAL_LINT"},{"tool_slug":"LOCAL_GREP","arguments":{"pattern":"z"}}]}),
    ))
    .unwrap();
    assert_eq!(t.requests().len(), 1);
    assert_eq!(
        outcome(&r),
        json!({"data":{"results":[
            {"response":{"successful":false,"data":{},"error":"lint failed"},"tool_slug":"LOCAL_LINT","index":0,"error":"lint failed"},
            {"response":{"successful":true,"data":{"matches":["z"]}},"tool_slug":"LOCAL_GREP","index":1}]},
            "error":"1 out of 2 tools failed","successful":false})
    );
}

#[test]
fn remotes_only_are_forwarded_unchanged() {
    let (t, s) = session();
    let args = json!({"tools":[{"tool_slug":"GMAIL_SEND_EMAIL","arguments":{"to":"x"}}],"sync_response_to_workbench":false,"session_id":"wf_1"});
    t.push(execute_ok(json!({"results":[],"total_count":1}), "log_m"));
    let r = block_on(s.execute_tool_call("COMPOSIO_MULTI_EXECUTE_TOOL", args.clone())).unwrap();
    assert_eq!(t.json_body(1)["arguments"], args);
    assert_eq!(r.log_id, "log_m");
    assert_eq!(r.data, json!({"results":[],"total_count":1}));
}

#[test]
fn remote_transport_error_marks_each_remote_item() {
    let (t, s) = session();
    t.push_error(transport_error(
        TransportErrorKind::Connect,
        "connection refused",
    ));
    let r = block_on(s.execute_tool_call(
        "COMPOSIO_MULTI_EXECUTE_TOOL",
        json!({"tools":[{"tool_slug":"GMAIL_A"},{"tool_slug":"GREP","arguments":{"pattern":"q"}},{"tool_slug":"GMAIL_B"}]}),
    ))
    .unwrap();
    assert_eq!(t.requests().len(), 2, "no retry");
    let results = r.data["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let indices: Vec<i64> = results
        .iter()
        .map(|e| e["index"].as_i64().unwrap())
        .collect();
    assert_eq!(indices, [0, 1, 2]);
    assert_eq!(results[0]["tool_slug"], "GMAIL_A");
    assert_eq!(results[0]["response"]["successful"], false);
    assert!(results[0]["error"]
        .as_str()
        .unwrap()
        .contains("connection refused"));
    assert_eq!(results[1]["tool_slug"], "GREP", "slug as sent");
    assert_eq!(r.data["total_count"], 3);
    assert_eq!(r.data["error_count"], 2);
    assert_eq!(r.data["success_count"], 1);
    assert_eq!(r.error.as_deref(), Some("2 out of 3 tools failed"));
    assert!(!r.successful());
}

#[test]
fn null_remote_data_and_batch_level_error() {
    let (t, s) = session();
    t.push(ok(
        200,
        json!({"result_type":"failed","data":null,"error":"batch rejected","log_id":"l"}),
    ));
    let r = block_on(s.execute_tool_call(
        "COMPOSIO_MULTI_EXECUTE_TOOL",
        json!({"tools":[{"tool_slug":"GREP","arguments":{"pattern":"q"}},{"tool_slug":"GMAIL_B"}]}),
    ))
    .unwrap();
    assert_eq!(
        r.data,
        json!({"results":[{"response":{"successful":true,"data":{"matches":["q"]}},"tool_slug":"GREP","index":0}]})
    );
    assert_eq!(r.error.as_deref(), Some("batch rejected"));
    assert!(!r.successful());
}

#[test]
fn non_object_items_go_remote() {
    let (t, s) = session();
    t.push(ok(200, json!({"result_type":"failed","error":"1 out of 1 tools failed","log_id":"l",
        "data":{"results":[{"tool_slug":"","index":0,"error":"bad item","response":null}],"total_count":1,"success_count":0,"error_count":1}})));
    let r = block_on(s.execute_tool_call(
        "COMPOSIO_MULTI_EXECUTE_TOOL",
        json!({"tools":["junk",{"tool_slug":"GREP","arguments":{"pattern":"q"}}]}),
    ))
    .unwrap();
    assert_eq!(t.json_body(1)["arguments"]["tools"], json!(["junk"]));
    let results = r.data["results"].as_array().unwrap();
    assert_eq!(results[0]["index"], 0);
    assert_eq!(results[0]["error"], "bad item");
    assert_eq!(results[1]["tool_slug"], "GREP");
    assert_eq!(r.data["total_count"], 2);
    assert_eq!(r.data["error_count"], 1);
    assert_eq!(r.error.as_deref(), Some("1 out of 2 tools failed"));
}

struct YieldOnce(bool);
impl std::future::Future for YieldOnce {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            std::task::Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}

#[test]
fn local_items_run_concurrently() {
    use std::cell::RefCell;
    let log = Rc::new(RefCell::new(Vec::<String>::new()));
    let mk = |slug: &'static str| {
        let log = log.clone();
        CustomTool::new(slug, slug, "step", json!({}), move |_, _| {
            let log = log.clone();
            async move {
                log.borrow_mut().push(format!("{slug} start"));
                YieldOnce(false).await;
                log.borrow_mut().push(format!("{slug} end"));
                Ok(json!({"tool": slug}))
            }
        })
        .unwrap()
    };
    let (c, t) = client();
    t.push(ok(
        201,
        session_response(
            json!([{"slug":"LOCAL_A","original_slug":"A"},{"slug":"LOCAL_B","original_slug":"B"}]),
            json!([]),
        ),
    ));
    let s = block_on(
        c.create_session(
            &CreateSession::new("u")
                .with_custom_tool(mk("A"))
                .with_custom_tool(mk("B")),
        ),
    )
    .unwrap();
    let r = block_on(s.execute_tool_call(
        "COMPOSIO_MULTI_EXECUTE_TOOL",
        json!({"tools":[{"tool_slug":"LOCAL_B"},{"tool_slug":"LOCAL_A"}]}),
    ))
    .unwrap();
    assert_eq!(*log.borrow(), ["B start", "A start", "B end", "A end"]);
    assert_eq!(
        r.data["results"][0]["response"]["data"],
        json!({"tool": "B"})
    );
    assert_eq!(r.data["results"][1]["tool_slug"], "LOCAL_A");
    assert!(r.successful());
}

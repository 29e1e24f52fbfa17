//! COMPOSIO_MULTI_EXECUTE_TOOL split/merge (wire §6.7), mirroring the official
//! `customToolRouting.test.ts` suite.

use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::tools::multi::{
    merge_multi_execute, plan_multi_execute, try_plan_multi_execute, MultiPlan, SplitPlan,
    ToolOutcome,
};
use composio_edge::wire::ExecuteResponse;
use composio_edge::Error;

fn is_local(slug: &str) -> bool {
    let s = slug.to_ascii_uppercase();
    s.starts_with("LOCAL_") || s == "GET_USER_CONTEXT"
}

fn split(input: &Value) -> SplitPlan {
    let MultiPlan::Split(p) = plan_multi_execute(input, is_local) else {
        unreachable!("expected a split plan for {input}")
    };
    p
}

fn resp(v: Value) -> ExecuteResponse {
    match composio_edge::json::from_value(v) {
        Ok(r) => r,
        Err(e) => unreachable!("bad fixture: {e}"),
    }
}

/// The backend's answer for the remote items (`backendResponse` in the TS suite).
fn backend(items: &[(&str, Value, Option<&str>)]) -> ExecuteResponse {
    let results: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(i, (slug, data, err))| {
            let mut r = json!({"response": {"successful": err.is_none(), "data": data},
                               "tool_slug": slug, "index": i});
            if let Some(e) = err {
                r["response"]["error"] = json!(e);
                r["error"] = json!(e);
            }
            r
        })
        .collect();
    let errors = items.iter().filter(|i| i.2.is_some()).count();
    let n = items.len();
    resp(json!({
        "data": {"results": results, "total_count": n, "success_count": n - errors, "error_count": errors},
        "error": if errors > 0 { json!(format!("{errors} out of {n} tools failed")) } else { Value::Null },
        "log_id": "log_remote"
    }))
}

fn find<'a>(out: &'a ToolOutcome, slug: &str) -> &'a Value {
    out.data["results"]
        .as_array()
        .and_then(|r| r.iter().find(|e| e["tool_slug"] == slug))
        .unwrap_or(&Value::Null)
}

fn local_ok() -> ToolOutcome {
    ToolOutcome::ok(json!({"local_result": true}))
}

#[test]
fn forwards_when_tools_is_missing_empty_or_all_remote() {
    for input in [
        json!({}),
        json!({"tools": []}),
        json!({"tools": "LOCAL_X"}),
        json!({"tools": [{"tool_slug": "GMAIL_SEND_EMAIL", "arguments": {}}]}),
        json!({"tools": ["not-an-object", null, 3]}),
        json!(null),
    ] {
        assert_eq!(
            plan_multi_execute(&input, is_local),
            MultiPlan::Forward,
            "{input}"
        );
    }
}

#[test]
fn classifier_errors_propagate() {
    let input = json!({"tools": [{"tool_slug": "X"}]});
    let r = try_plan_multi_execute(&input, |s| {
        Err(Error::AmbiguousToolSlug {
            slug: s.into(),
            candidates: vec![],
        })
    });
    assert!(matches!(r, Err(Error::AmbiguousToolSlug { .. })));
}

#[test]
fn single_local_only_returns_the_unwrapped_result() {
    let input = json!({"tools": [{"tool_slug": "LOCAL_GET_USER_CONTEXT", "arguments": {"category": "test"}}],
                       "sync_response_to_workbench": false});
    let plan = split(&input);
    assert_eq!(plan.remote_input, None);
    assert_eq!(plan.locals.len(), 1);
    assert_eq!(plan.locals[0].arguments, json!({"category": "test"}));
    let out = merge_multi_execute(&plan, vec![local_ok()], None);
    assert_eq!(out.data, json!({"local_result": true}));
    assert_eq!(
        out.to_json(),
        json!({"data": {"local_result": true}, "error": null, "successful": true})
    );
    // the bare original slug routes locally too (the classifier decides)
    let bare = json!({"tools": [{"tool_slug": "GET_USER_CONTEXT", "arguments": {"category": "no-prefix"}}]});
    assert_eq!(split(&bare).locals[0].tool_slug, "GET_USER_CONTEXT");
}

#[test]
fn several_locals_and_no_remote_are_merged_without_counters() {
    let input = json!({"tools": [
        {"tool_slug": "LOCAL_GET_USER_CONTEXT", "arguments": {"category": "batch"}},
        {"tool_slug": "LOCAL_META_ADS_GET_AD_ACCOUNTS", "arguments": {"fields": "id,name"}}]});
    let plan = split(&input);
    let out = merge_multi_execute(
        &plan,
        vec![local_ok(), ToolOutcome::ok(json!({"userId": "user_1"}))],
        None,
    );
    assert_eq!(
        out.to_json(),
        json!({"data": {"results": [
            {"response": {"successful": true, "data": {"local_result": true}}, "tool_slug": "LOCAL_GET_USER_CONTEXT", "index": 0},
            {"response": {"successful": true, "data": {"userId": "user_1"}}, "tool_slug": "LOCAL_META_ADS_GET_AD_ACCOUNTS", "index": 1}
        ]}, "error": null, "successful": true})
    );
}

#[test]
fn captured_merge_example_is_reproduced_exactly() {
    let input = json!({"tools": [
            {"tool_slug": "LOCAL_GREP", "arguments": {"pattern": "p"}},
            {"tool_slug": "GMAIL_SEND_EMAIL", "arguments": {"to": "x"}}],
        "sync_response_to_workbench": false, "thought": "t"});
    let plan = split(&input);
    // the backend receives only the remote item, every other key preserved
    assert_eq!(
        plan.remote_input,
        Some(
            json!({"tools": [{"tool_slug": "GMAIL_SEND_EMAIL", "arguments": {"to": "x"}}],
                    "sync_response_to_workbench": false, "thought": "t"})
        )
    );
    let remote = backend(&[("GMAIL_SEND_EMAIL", json!({"ok": 1}), None)]);
    let out = merge_multi_execute(
        &plan,
        vec![ToolOutcome::ok(json!({"matches": ["p"]}))],
        Some(Ok(remote)),
    );
    let want: Value = serde_json::from_str(
        r#"{"data":{"results":[
   {"response":{"successful":true,"data":{"matches":["p"]}},"tool_slug":"LOCAL_GREP","index":0},
   {"response":{"successful":true,"data":{"ok":1}},"tool_slug":"GMAIL_SEND_EMAIL","index":1}],
  "total_count":2,"success_count":2,"error_count":0},
 "error":null,"successful":true}"#,
    )
    .unwrap();
    assert_eq!(out.to_json(), want);
}

#[test]
fn mixed_batch_keeps_original_order_and_reindexes() {
    let input = json!({"tools": [
        {"tool_slug": "LOCAL_GET_USER_CONTEXT", "arguments": {"category": "x"}},
        {"tool_slug": "GMAIL_SEND_EMAIL", "arguments": {"to": "a@b.com"}},
        {"tool_slug": "LOCAL_META_ADS_GET_AD_ACCOUNTS", "arguments": {"fields": "id"}},
        {"tool_slug": "SLACK_POST_MESSAGE", "arguments": {"channel": "#dev"}}],
        "sync_response_to_workbench": false});
    let plan = split(&input);
    assert_eq!(plan.remote_indices, vec![1, 3]);
    assert_eq!(
        plan.locals.iter().map(|l| l.index).collect::<Vec<_>>(),
        vec![0, 2]
    );
    let sent = plan.remote_input.clone().unwrap();
    assert_eq!(
        sent["tools"],
        json!([{"tool_slug": "GMAIL_SEND_EMAIL", "arguments": {"to": "a@b.com"}},
               {"tool_slug": "SLACK_POST_MESSAGE", "arguments": {"channel": "#dev"}}])
    );
    assert_eq!(sent["sync_response_to_workbench"], false);
    let remote = backend(&[
        ("GMAIL_SEND_EMAIL", json!({"sent": true}), None),
        ("SLACK_POST_MESSAGE", json!({"ts": "999"}), None),
    ]);
    let out = merge_multi_execute(
        &plan,
        vec![local_ok(), ToolOutcome::ok(json!({"userId": "user_1"}))],
        Some(Ok(remote)),
    );
    let slugs: Vec<&str> = out.data["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["tool_slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        slugs,
        [
            "LOCAL_GET_USER_CONTEXT",
            "GMAIL_SEND_EMAIL",
            "LOCAL_META_ADS_GET_AD_ACCOUNTS",
            "SLACK_POST_MESSAGE"
        ]
    );
    for (i, r) in out.data["results"].as_array().unwrap().iter().enumerate() {
        assert_eq!(r["index"], i);
    }
    assert_eq!(
        find(&out, "SLACK_POST_MESSAGE")["response"]["data"],
        json!({"ts": "999"})
    );
    assert_eq!(out.data["total_count"], 4);
    assert_eq!(out.data["success_count"], 4);
    assert_eq!(out.data["error_count"], 0);
    assert!(out.successful);
    assert_eq!(out.error, None);
}

#[test]
fn errors_from_locals_and_remotes_are_counted() {
    let input = json!({"tools": [
        {"tool_slug": "LOCAL_GET_USER_CONTEXT", "arguments": {"category": "ok"}},
        {"tool_slug": "LOCAL_MIXED_THROWER", "arguments": {}},
        {"tool_slug": "GMAIL_SEND_EMAIL", "arguments": {"to": "a@b.com"}},
        {"tool_slug": "SLACK_POST_MESSAGE", "arguments": {"channel": "#dev"}}]});
    let plan = split(&input);
    let remote = backend(&[
        ("GMAIL_SEND_EMAIL", json!({"sent": true}), None),
        (
            "SLACK_POST_MESSAGE",
            json!({"message": "auth failed"}),
            Some("auth failed"),
        ),
    ]);
    let out = merge_multi_execute(
        &plan,
        vec![local_ok(), ToolOutcome::failed("batch-boom")],
        Some(Ok(remote)),
    );
    let bad = find(&out, "LOCAL_MIXED_THROWER");
    assert_eq!(
        *bad,
        json!({"response": {"successful": false, "data": {}, "error": "batch-boom"},
               "tool_slug": "LOCAL_MIXED_THROWER", "index": 1, "error": "batch-boom"})
    );
    assert_eq!(
        find(&out, "SLACK_POST_MESSAGE")["response"]["error"],
        "auth failed"
    );
    assert_eq!(
        find(&out, "LOCAL_GET_USER_CONTEXT")["response"]["successful"],
        true
    );
    assert!(!out.successful);
    assert_eq!(out.error.as_deref(), Some("2 out of 4 tools failed"));
    assert_eq!(
        (
            &out.data["total_count"],
            &out.data["success_count"],
            &out.data["error_count"]
        ),
        (&json!(4), &json!(2), &json!(2))
    );
}

#[test]
fn null_remote_data_keeps_only_local_results() {
    let input = json!({"tools": [
        {"tool_slug": "LOCAL_GET_USER_CONTEXT", "arguments": {"category": "x"}},
        {"tool_slug": "GMAIL_SEND_EMAIL", "arguments": {"to": "a@b.com"}}]});
    let plan = split(&input);
    for data in [json!(null), json!([1, 2]), json!("text")] {
        let remote = resp(json!({"data": data, "error": null}));
        let out = merge_multi_execute(&plan, vec![local_ok()], Some(Ok(remote)));
        assert!(out.successful);
        assert_eq!(
            out.data,
            json!({"results": [{"response": {"successful": true, "data": {"local_result": true}},
                                "tool_slug": "LOCAL_GET_USER_CONTEXT", "index": 0}]}),
            "counters are not invented when the remote had none"
        );
    }
}

#[test]
fn batch_level_remote_error_is_preserved_when_nothing_else_failed() {
    let input = json!({"tools": [
        {"tool_slug": "LOCAL_GET_USER_CONTEXT", "arguments": {"category": "x"}},
        {"tool_slug": "GMAIL_SEND_EMAIL", "arguments": {"to": "a@b.com"}}]});
    let plan = split(&input);
    let remote = resp(json!({"data": null, "result_type": "failed",
        "error": "Remote batch failed before per-tool results were produced"}));
    let out = merge_multi_execute(&plan, vec![local_ok()], Some(Ok(remote)));
    assert!(!out.successful);
    assert_eq!(
        out.error.as_deref(),
        Some("Remote batch failed before per-tool results were produced")
    );
    // with a failing local as well, the count message wins
    let remote = resp(json!({"data": null, "error": "batch failed"}));
    let out = merge_multi_execute(&plan, vec![ToolOutcome::failed("x")], Some(Ok(remote)));
    assert_eq!(out.error.as_deref(), Some("1 out of 1 tools failed"));
}

#[test]
fn remote_transport_error_becomes_per_item_failures() {
    let input = json!({"tools": [
        {"tool_slug": "GMAIL_SEND_EMAIL", "arguments": {"to": "a"}},
        {"tool_slug": "LOCAL_GET_USER_CONTEXT", "arguments": {"category": "x"}},
        {"tool_slug": "SLACK_POST_MESSAGE", "arguments": {}}]});
    let plan = split(&input);
    let out = merge_multi_execute(
        &plan,
        vec![local_ok()],
        Some(Err("connection reset".into())),
    );
    assert_eq!(
        out.to_json(),
        json!({"data": {"results": [
            {"response": {"successful": false, "data": {}, "error": "connection reset"},
             "tool_slug": "GMAIL_SEND_EMAIL", "error": "connection reset", "index": 0},
            {"response": {"successful": true, "data": {"local_result": true}},
             "tool_slug": "LOCAL_GET_USER_CONTEXT", "index": 1},
            {"response": {"successful": false, "data": {}, "error": "connection reset"},
             "tool_slug": "SLACK_POST_MESSAGE", "error": "connection reset", "index": 2}],
            "total_count": 3, "success_count": 1, "error_count": 2},
          "error": "2 out of 3 tools failed", "successful": false})
    );
    let out = merge_multi_execute(&plan, vec![local_ok()], Some(Err(String::new())));
    assert_eq!(
        find(&out, "GMAIL_SEND_EMAIL")["error"],
        "Remote tool execution failed"
    );
}

#[test]
fn non_object_items_go_remote_and_locals_still_run() {
    let input = json!({"tools": ["not-an-object", null,
        {"tool_slug": "LOCAL_GET_USER_CONTEXT", "arguments": {"category": "ok"}},
        {"tool_slug": "LOCAL_GET_USER_CONTEXT"},
        {"tool_slug": 7, "arguments": null}],
        "sync_response_to_workbench": false});
    let plan = split(&input);
    assert_eq!(plan.remote_indices, vec![0, 1, 4]);
    assert_eq!(
        plan.locals[1].arguments,
        json!({}),
        "missing arguments become {{}}"
    );
    assert_eq!(
        plan.slugs,
        [
            "",
            "",
            "LOCAL_GET_USER_CONTEXT",
            "LOCAL_GET_USER_CONTEXT",
            "7"
        ]
    );
    assert_eq!(
        plan.remote_input.as_ref().unwrap()["tools"],
        json!(["not-an-object", null, {"tool_slug": 7, "arguments": null}])
    );
    let out = merge_multi_execute(&plan, vec![local_ok(), local_ok()], Some(Ok(backend(&[]))));
    let results = out.data["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["index"], 0);
    assert_eq!(results[1]["index"], 1);
    assert_eq!(out.data["total_count"], 2);
    assert!(out.successful);
}

#[test]
fn remote_extras_and_unknown_fields_are_carried() {
    let input = json!({"tools": [
        {"tool_slug": "LOCAL_GET_USER_CONTEXT", "arguments": {}},
        {"tool_slug": "GMAIL_SEND_EMAIL", "arguments": {}}]});
    let plan = split(&input);
    let remote = resp(json!({"data": {"results": [
            {"response": {"data": {}, "successful": true, "log_id": "l1"}, "tool_slug": "GMAIL_SEND_EMAIL", "index": 0, "error": null},
            "garbage"],
        "session": {"id": "ws_1"}, "next_steps": "n"},
        "error": null, "log_id": "log_9", "premium_charge": {"credits": 2}, "instant_charge": true}));
    let out = merge_multi_execute(&plan, vec![local_ok()], Some(Ok(remote)));
    assert_eq!(out.data["session"], json!({"id": "ws_1"}));
    assert_eq!(out.data["next_steps"], "n");
    assert!(out.data.get("total_count").is_none());
    let results = out.data["results"].as_array().unwrap();
    // the extra non-object remote entry keeps its remote position (1) and sorts after the
    // local entry with the same original index, then everything is re-indexed
    assert_eq!(results.len(), 3);
    assert_eq!(results[1]["tool_slug"], "GMAIL_SEND_EMAIL");
    assert_eq!(results[1]["response"]["log_id"], "l1");
    assert_eq!(results[2], json!({"index": 2}));
    assert_eq!(out.extra["premium_charge"], json!({"credits": 2}));
    assert_eq!(out.extra["instant_charge"], true);
    assert!(out.successful);
}

#[test]
fn outcome_from_execute_response() {
    let r = resp(
        json!({"result_type": "completed", "data": {"a": 1}, "error": null,
                        "log_id": "log_1", "premium_charge": 3}),
    );
    let o = ToolOutcome::from_execute_response(&r);
    assert!(o.successful);
    assert_eq!(o.log_id(), Some("log_1"));
    assert_eq!(o.extra["premium_charge"], 3);
    assert_eq!(
        o.to_json(),
        json!({"data": {"a": 1}, "error": null, "successful": true})
    );
    let failed = ToolOutcome::from_execute_response(&resp(json!({"data": {}, "error": "no"})));
    assert!(!failed.successful);
    assert_eq!(ToolOutcome::ok(Value::Null).data, json!({}));
}

/// A backend that answers with more results than it was sent: the extra entries take their
/// position as index, equal indices keep the remote entries first, and all are re-indexed.
#[test]
fn extra_remote_results_are_ordered_stably() {
    let input = json!({"tools": [
        {"tool_slug": "LOCAL_A"}, {"tool_slug": "REMOTE_B"}, {"tool_slug": "LOCAL_C"}]});
    let plan = split(&input);
    assert_eq!(plan.remote_indices, vec![1]);
    let remote = backend(&[
        ("R0", json!({}), None),
        ("R1", json!({}), None),
        ("R2", json!({}), Some("bad")),
        ("R3", json!({}), None),
    ]);
    let out = merge_multi_execute(
        &plan,
        vec![
            ToolOutcome::ok(json!({})),
            ToolOutcome::failed("local boom"),
        ],
        Some(Ok(remote)),
    );
    let results = out.data["results"].as_array().unwrap();
    let slugs: Vec<&str> = results
        .iter()
        .map(|r| r["tool_slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["LOCAL_A", "R0", "R1", "R2", "LOCAL_C", "R3"]);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r["index"], i);
    }
    assert_eq!(out.error.as_deref(), Some("2 out of 6 tools failed"));
    assert!(!out.successful);
}

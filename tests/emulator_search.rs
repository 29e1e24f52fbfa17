//! Search ranking and shape, and the meta tools (§5).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod emulator_support;

use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::runtime::Runtime;
use emulator_support::{Emu, START_MS};

fn search(emu: &Emu, sid: &str, body: Value) -> Value {
    let r = emu.api(
        "POST",
        &format!("/tool_router/session/{sid}/search"),
        Some(body),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

fn primary(v: &Value, i: usize) -> Vec<String> {
    v["results"][i]["primary_tool_slugs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn search_ranks_the_obvious_tool_first() {
    let emu = Emu::new();
    let sid = emu.session("u");
    for (q, want) in [
        ("send an email to my boss", "GMAIL_SEND_EMAIL"),
        (
            "create a github issue for the login bug",
            "GITHUB_CREATE_AN_ISSUE",
        ),
        (
            "schedule a meeting tomorrow at 10",
            "GOOGLECALENDAR_CREATE_EVENT",
        ),
        (
            "post a message in the slack general channel",
            "SLACK_SEND_MESSAGE",
        ),
        (
            "what's the weather forecast in Paris this week",
            "WEATHERMAP_GET_FORECAST",
        ),
        ("top stories on hacker news", "HACKERNEWS_GET_TOP_STORIES"),
        ("list my linear tickets", "LINEAR_LIST_LINEAR_ISSUES"),
        ("search my notion pages", "NOTION_SEARCH_NOTION_PAGE"),
        ("read my inbox", "GMAIL_FETCH_EMAILS"),
        ("open a new issue on github", "GITHUB_CREATE_AN_ISSUE"),
        (
            "star a repo",
            "GITHUB_STAR_A_REPOSITORY_FOR_THE_AUTHENTICATED_USER",
        ),
        (
            "what is the temperature in Tokyo right now",
            "WEATHERMAP_GET_CURRENT_WEATHER",
        ),
        (
            "add a thumbsup reaction to a slack message",
            "SLACK_ADD_REACTION_TO_AN_ITEM",
        ),
        (
            "find free time in my calendar",
            "GOOGLECALENDAR_FIND_FREE_SLOTS",
        ),
        ("archive a notion page", "NOTION_ARCHIVE_NOTION_PAGE"),
        (
            "comment on a github issue",
            "GITHUB_CREATE_AN_ISSUE_COMMENT",
        ),
        (
            "draft an email but don't send it",
            "GMAIL_CREATE_EMAIL_DRAFT",
        ),
        (
            "create a linear ticket for the design team",
            "LINEAR_CREATE_LINEAR_ISSUE",
        ),
    ] {
        let r = search(&emu, &sid, json!({"queries": [{"use_case": q}]}));
        assert_eq!(
            primary(&r, 0).first().map(String::as_str),
            Some(want),
            "query {q:?}: {:?}",
            primary(&r, 0)
        );
    }
}

#[test]
fn search_answers_the_full_shape() {
    let emu = Emu::new();
    let sid = emu.session("u");
    let r = search(
        &emu,
        &sid,
        json!({"queries": [{"use_case": "send an email", "known_fields": "recipient:a@b.co"}, {"use_case": "weather in Rome"}], "model": "gpt-5"}),
    );
    for k in [
        "success",
        "error",
        "results",
        "tool_schemas",
        "toolkit_connection_statuses",
        "next_steps_guidance",
        "session",
        "time_info",
    ] {
        assert!(r.get(k).is_some(), "missing {k}");
    }
    assert_eq!(r["success"], true);
    assert!(r["error"].is_null());
    assert_eq!(r["results"].as_array().unwrap().len(), 2);
    let first = &r["results"][0];
    for k in [
        "index",
        "use_case",
        "primary_tool_slugs",
        "related_tool_slugs",
        "toolkits",
        "execution_guidance",
        "difficulty",
        "recommended_plan_steps",
        "known_pitfalls",
        "memory",
    ] {
        assert!(first.get(k).is_some(), "missing result.{k}");
    }
    assert_eq!(first["index"], 1);
    assert_eq!(first["use_case"], "send an email");
    assert_eq!(first["toolkits"][0], "gmail");
    let schemas = r["tool_schemas"].as_object().unwrap();
    let send = &schemas["GMAIL_SEND_EMAIL"];
    assert_eq!(send["tool_slug"], "GMAIL_SEND_EMAIL");
    assert_eq!(send["toolkit"], "gmail");
    assert_eq!(send["hasFullSchema"], true);
    assert_eq!(
        send["input_schema"]["required"],
        json!(["recipient_email", "body"])
    );
    let related: Vec<&Value> = schemas
        .values()
        .filter(|s| s["hasFullSchema"] == false)
        .collect();
    assert!(!related.is_empty());
    for s in related {
        assert_eq!(s["schemaRef"]["tool"], "COMPOSIO_GET_TOOL_SCHEMAS");
        assert_eq!(s["schemaRef"]["args"]["tool_slugs"][0], s["tool_slug"]);
    }
    let gmail = r["toolkit_connection_statuses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["toolkit"] == "gmail")
        .unwrap();
    assert_eq!(gmail["has_active_connection"], false);
    assert!(gmail["status_message"]
        .as_str()
        .unwrap()
        .contains("COMPOSIO_MANAGE_CONNECTIONS"));
    assert!(gmail["description"].is_string());
    assert_eq!(
        r["time_info"]["current_time_utc"],
        "2026-11-22T03:00:00.000Z"
    );
    assert_eq!(
        r["time_info"]["current_time_utc_epoch_seconds"],
        START_MS / 1000
    );
    assert!(r["session"]["id"].as_str().unwrap().starts_with("wf_"));
    assert_eq!(r["session"]["generate_id"], true);
    assert!(!r["next_steps_guidance"].as_array().unwrap().is_empty());
}

#[test]
fn connection_status_follows_the_user() {
    let emu = Emu::new();
    let sid = emu.session("u");
    let ca = emu.connect(&sid, "gmail");
    let r = search(
        &emu,
        &sid,
        json!({"queries": [{"use_case": "send an email"}]}),
    );
    let gmail = r["toolkit_connection_statuses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["toolkit"] == "gmail")
        .unwrap()
        .clone();
    assert_eq!(gmail["has_active_connection"], true);
    assert_eq!(gmail["accounts"][0]["id"], ca.as_str());
    assert_eq!(gmail["accounts"][0]["is_default"], true);
}

#[test]
fn search_honours_session_filters_request_toolkits_and_inline_custom_tools() {
    let emu = Emu::new();
    let sid = emu.create(json!({"user_id": "u", "toolkits": {"disable": ["gmail"]}}))["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = search(
        &emu,
        &sid,
        json!({"queries": [{"use_case": "send an email"}]}),
    );
    assert!(
        primary(&r, 0).iter().all(|s| !s.starts_with("GMAIL_")),
        "{:?}",
        primary(&r, 0)
    );
    let sid2 = emu.session("u");
    let r = search(
        &emu,
        &sid2,
        json!({"queries": [{"use_case": "send a message"}], "toolkits": ["slack"]}),
    );
    assert!(primary(&r, 0).iter().all(|s| s.starts_with("SLACK_")));
    let tagged = emu.create(json!({"user_id": "u", "tags": ["readOnlyHint"]}))["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = search(
        &emu,
        &tagged,
        json!({"queries": [{"use_case": "delete a calendar event"}]}),
    );
    assert!(!primary(&r, 0).contains(&"GOOGLECALENDAR_DELETE_EVENT".to_owned()));

    let r = search(
        &emu,
        &sid2,
        json!({"queries": [{"use_case": "grep the repository for a pattern"}],
        "experimental": {"custom_tools": [{"slug": "GREP", "name": "Grep", "description": "Search files for a regex pattern",
            "input_schema": {"type": "object", "properties": {"pattern": {"type": "string"}}, "required": ["pattern"]}}]}}),
    );
    assert_eq!(primary(&r, 0)[0], "LOCAL_GREP");
    assert_eq!(
        r["tool_schemas"]["LOCAL_GREP"]["input_schema"]["required"],
        json!(["pattern"])
    );
}

#[test]
fn search_validates_queries() {
    let emu = Emu::new();
    let sid = emu.session("u");
    for body in [
        json!({}),
        json!({"queries": []}),
        json!({"queries": [{"use_case": ""}]}),
        json!({"queries": [{"use_case": "x".repeat(1025)}]}),
        json!({"queries": (0..8).map(|_| json!({"use_case": "x"})).collect::<Vec<_>>()}),
    ] {
        let r = emu.api(
            "POST",
            &format!("/tool_router/session/{sid}/search"),
            Some(body),
        );
        assert_eq!(r.status, 400);
    }
}

#[test]
fn search_tools_meta_reuses_workflow_session_ids() {
    let emu = Emu::new();
    let sid = emu.session("u");
    let r = emu.execute(
        &sid,
        "COMPOSIO_SEARCH_TOOLS",
        json!({"queries": [{"use_case": "weather"}], "session": {"generate_id": true}}),
    );
    assert_eq!(r["result_type"], "completed");
    let wf = r["data"]["session"]["id"].as_str().unwrap().to_owned();
    let again = emu.execute(
        &sid,
        "COMPOSIO_SEARCH_TOOLS",
        json!({"queries": [{"use_case": "weather"}], "session": {"id": wf, "generate_id": false}}),
    );
    assert_eq!(again["data"]["session"]["id"], wf.as_str());
    let bad = emu.execute(&sid, "COMPOSIO_SEARCH_TOOLS", json!({"queries": "weather"}));
    assert_eq!(bad["result_type"], "failed");
}

#[test]
fn get_tool_schemas_reports_found_and_missing() {
    let emu = Emu::new();
    let sid = emu.session("u");
    let r = emu.execute(&sid, "COMPOSIO_GET_TOOL_SCHEMAS", json!({"tool_slugs": ["GMAIL_SEND_EMAIL", "GMAIL_SEND_EMAILZ"], "include": ["input_schema", "output_schema"]}));
    let d = &r["data"];
    assert_eq!(d["success"], false);
    assert_eq!(
        d["tool_schemas"]["GMAIL_SEND_EMAIL"]["input_schema"]["properties"]["recipient_email"]
            ["format"],
        "email"
    );
    assert!(d["tool_schemas"]["GMAIL_SEND_EMAIL"]["output_schema"].is_object());
    assert_eq!(d["not_found"], json!(["GMAIL_SEND_EMAILZ"]));
    assert_eq!(d["suggestions"]["GMAIL_SEND_EMAILZ"][0], "GMAIL_SEND_EMAIL");
}

#[test]
fn multi_execute_reports_per_item_results_and_counters() {
    let emu = Emu::new();
    let sid = emu.session("u");
    emu.connect(&sid, "github");
    let r = emu.execute(&sid, "COMPOSIO_MULTI_EXECUTE_TOOL", json!({
        "tools": [
            {"tool_slug": "GITHUB_CREATE_AN_ISSUE", "arguments": {"owner": "o", "repo": "r", "title": "t"}},
            {"tool_slug": "GMAIL_SEND_EMAIL", "arguments": {"recipient_email": "a@b.co", "body": "x"}},
            {"tool_slug": "WEATHERMAP_GET_FORECAST", "arguments": {}},
            {"tool_slug": "LOCAL_GREP", "arguments": {}},
            {"tool_slug": "HACKERNEWS_GET_TOP_STORIES", "arguments": {"limit": 1}}
        ],
        "sync_response_to_workbench": false, "thought": "t"}));
    assert_eq!(r["result_type"], "failed");
    assert_eq!(r["error"], "3 out of 5 tools failed");
    let d = &r["data"];
    assert_eq!(
        (
            d["total_count"].as_u64(),
            d["success_count"].as_u64(),
            d["error_count"].as_u64()
        ),
        (Some(5), Some(2), Some(3))
    );
    let res = d["results"].as_array().unwrap();
    assert_eq!(res[0]["tool_slug"], "GITHUB_CREATE_AN_ISSUE");
    assert_eq!(res[0]["index"], 0);
    assert!(res[0]["error"].is_null());
    assert_eq!(res[0]["response"]["successful"], true);
    assert!(res[0]["response"]["error"].is_null());
    assert!(res[0]["response"]["log_id"]
        .as_str()
        .unwrap()
        .starts_with("log_"));
    assert_eq!(res[0]["response"]["data"]["number"], 1);
    assert_eq!(res[1]["error"], "No active connected account found for toolkit: gmail. Connect it first (COMPOSIO_MANAGE_CONNECTIONS or session.authorize(\"gmail\"))");
    assert!(res[1]["response"].is_null());
    assert_eq!(res[2]["response"]["successful"], false);
    assert!(res[3]["error"].as_str().unwrap().contains("custom tool"));
    assert_eq!(res[4]["index"], 4);
    assert!(d["session"]["id"].is_string());

    let all_ok = emu.execute(
        &sid,
        "COMPOSIO_MULTI_EXECUTE_TOOL",
        json!({"tools": [{"tool_slug": "HACKERNEWS_GET_USER", "arguments": {"username": "pg"}}]}),
    );
    assert_eq!(all_ok["result_type"], "completed");
    assert!(all_ok["error"].is_null());
    let too_many: Vec<Value> = (0..51)
        .map(|_| json!({"tool_slug": "HACKERNEWS_GET_TOP_STORIES", "arguments": {}}))
        .collect();
    let r = emu.execute(
        &sid,
        "COMPOSIO_MULTI_EXECUTE_TOOL",
        json!({"tools": too_many}),
    );
    assert_eq!(r["result_type"], "failed");
    let fifty: Vec<Value> = (0..50)
        .map(|_| json!({"tool_slug": "HACKERNEWS_GET_TOP_STORIES", "arguments": {"limit": 1}}))
        .collect();
    let r = emu.execute(&sid, "COMPOSIO_MULTI_EXECUTE_TOOL", json!({"tools": fifty}));
    assert_eq!(r["data"]["success_count"], 50);
}

#[test]
fn manage_connections_initiates_links_to_the_emulator_and_wait_reports_status() {
    let emu = Emu::new();
    let sid = emu.create(json!({"user_id": "u", "manage_connections": {"enable": true, "callback_url": "https://app.example/cb", "enable_wait_for_connections": true}}))["session_id"].as_str().unwrap().to_owned();
    let r = emu.execute(
        &sid,
        "COMPOSIO_MANAGE_CONNECTIONS",
        json!({"toolkits": ["gmail", "hackernews", "nope"]}),
    );
    assert_eq!(r["result_type"], "completed");
    let d = &r["data"];
    let g = &d["results"]["gmail"];
    assert_eq!(g["status"], "initiated");
    let url = g["redirect_url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/link/ln_", emulator_support::ORIGIN)),
        "{url}"
    );
    assert!(g["connected_account_id"]
        .as_str()
        .unwrap()
        .starts_with("ca_"));
    assert_eq!(d["results"]["hackernews"]["status"], "active");
    assert_eq!(d["results"]["nope"]["status"], "failed");
    assert_eq!(
        d["summary"],
        json!({"total_toolkits": 3, "active_connections": 1, "initiated_connections": 1, "failed_connections": 1})
    );

    let before = emu.rt.now_ms();
    let w = emu.execute(
        &sid,
        "COMPOSIO_WAIT_FOR_CONNECTIONS",
        json!({"toolkits": ["gmail"]}),
    );
    assert_eq!(w["data"]["results"]["gmail"]["status"], "INITIATED");
    // It waited for the pending connection (the test clock advances on every poll), then gave up.
    assert!(
        emu.rt.now_ms() - before >= 20_000,
        "waited {} ms",
        emu.rt.now_ms() - before
    );
    assert!(w["data"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Not connected yet after waiting 20 s"));
    // Nothing pending: a toolkit that is not in the catalog answers at once.
    let t0 = emu.rt.now_ms();
    let n = emu.execute(
        &sid,
        "COMPOSIO_WAIT_FOR_CONNECTIONS",
        json!({"toolkits": ["nope"]}),
    );
    assert_eq!(n["data"]["results"]["nope"]["status"], "NOT_FOUND");
    assert_eq!(emu.rt.now_ms(), t0);
    let path = url.strip_prefix(emulator_support::ORIGIN).unwrap();
    let res = emu.send(emulator_support::form(path, "decision=allow"));
    assert_eq!(res.status, 303);
    assert!(res.headers["location"]
        .to_str()
        .unwrap()
        .starts_with("https://app.example/cb?status=success&connected_account_id=ca_"));
    let w = emu.execute(
        &sid,
        "COMPOSIO_WAIT_FOR_CONNECTIONS",
        json!({"toolkits": ["gmail"], "mode": "all"}),
    );
    assert_eq!(w["data"]["results"]["gmail"]["status"], "ACTIVE");
    assert_eq!(w["data"]["results"]["gmail"]["has_active_connection"], true);
    let again = emu.execute(
        &sid,
        "COMPOSIO_MANAGE_CONNECTIONS",
        json!({"toolkits": ["gmail"]}),
    );
    assert_eq!(again["data"]["results"]["gmail"]["status"], "active");
    let re = emu.execute(
        &sid,
        "COMPOSIO_MANAGE_CONNECTIONS",
        json!({"toolkits": ["gmail"], "reinitiate_all": true}),
    );
    assert_eq!(re["data"]["results"]["gmail"]["status"], "initiated");
}

#[test]
fn sandbox_meta_tools_fail_clearly_and_disabled_meta_tools_are_refused() {
    let emu = Emu::new();
    let sid = emu.session("u");
    for (slug, args) in [
        (
            "COMPOSIO_REMOTE_WORKBENCH",
            json!({"code_to_execute": "print(1)"}),
        ),
        ("COMPOSIO_REMOTE_BASH_TOOL", json!({"command": "ls"})),
    ] {
        let r = emu.execute(&sid, slug, args);
        assert_eq!(r["result_type"], "failed");
        assert!(r["error"].as_str().unwrap().contains("no sandbox"));
    }
    // WAIT_FOR_CONNECTIONS is off by default.
    let r = emu.execute(
        &sid,
        "COMPOSIO_WAIT_FOR_CONNECTIONS",
        json!({"toolkits": ["gmail"]}),
    );
    assert!(r["error"].as_str().unwrap().contains("not enabled"));
    let r = emu.execute(&sid, "COMPOSIO_SUBMIT_FEEDBACK", json!({}));
    assert_eq!(r["result_type"], "failed");
}

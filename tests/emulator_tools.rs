//! App tools really do something, per user and deterministically; arguments are validated;
//! auth toolkits need an ACTIVE connection.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod emulator_support;

use composio_edge::json;
use composio_edge::json::Value;
use emulator_support::Emu;

fn ok_data(r: &Value) -> &Value {
    assert_eq!(r["result_type"], "completed", "{r}");
    assert!(r["error"].is_null(), "{r}");
    assert!(r["log_id"].as_str().unwrap().starts_with("log_"));
    &r["data"]
}

fn failed(r: &Value) -> String {
    assert_eq!(r["result_type"], "failed", "{r}");
    assert!(r["data"].is_object());
    r["error"].as_str().unwrap().to_owned()
}

#[test]
fn github_issue_created_then_listed_then_closed() {
    let emu = Emu::new();
    let sid = emu.session("alice");
    emu.connect(&sid, "github");
    let c = emu.execute(
        &sid,
        "GITHUB_CREATE_AN_ISSUE",
        json!({"owner": "acme", "repo": "web", "title": "Broken login", "labels": ["bug"]}),
    );
    let issue = ok_data(&c);
    assert_eq!(issue["number"], 1);
    assert_eq!(issue["state"], "open");
    assert_eq!(issue["html_url"], "https://github.com/acme/web/issues/1");
    emu.execute(
        &sid,
        "GITHUB_CREATE_AN_ISSUE",
        json!({"owner": "acme", "repo": "web", "title": "Slow page"}),
    );
    emu.execute(
        &sid,
        "GITHUB_CREATE_AN_ISSUE",
        json!({"owner": "acme", "repo": "other", "title": "Elsewhere"}),
    );
    let l = emu.execute(
        &sid,
        "GITHUB_LIST_ISSUES",
        json!({"owner": "acme", "repo": "web"}),
    );
    let titles: Vec<&str> = ok_data(&l)["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, vec!["Slow page", "Broken login"]);
    let bugs = emu.execute(
        &sid,
        "GITHUB_LIST_ISSUES",
        json!({"owner": "acme", "repo": "web", "labels": "bug"}),
    );
    assert_eq!(ok_data(&bugs)["issues"].as_array().unwrap().len(), 1);
    let u = emu.execute(
        &sid,
        "GITHUB_UPDATE_AN_ISSUE",
        json!({"owner": "acme", "repo": "web", "issue_number": 1, "state": "closed"}),
    );
    assert_eq!(ok_data(&u)["state"], "closed");
    let open = emu.execute(
        &sid,
        "GITHUB_LIST_ISSUES",
        json!({"owner": "acme", "repo": "web"}),
    );
    assert_eq!(ok_data(&open)["issues"].as_array().unwrap().len(), 1);
    let all = emu.execute(
        &sid,
        "GITHUB_LIST_ISSUES",
        json!({"owner": "acme", "repo": "web", "state": "all"}),
    );
    assert_eq!(ok_data(&all)["issues"].as_array().unwrap().len(), 2);
    let cm = emu.execute(
        &sid,
        "GITHUB_CREATE_AN_ISSUE_COMMENT",
        json!({"owner": "acme", "repo": "web", "issue_number": 2, "body": "+1"}),
    );
    ok_data(&cm);
    let g = emu.execute(
        &sid,
        "GITHUB_GET_AN_ISSUE",
        json!({"owner": "acme", "repo": "web", "issue_number": 2}),
    );
    assert_eq!(ok_data(&g)["comments"][0]["body"], "+1");
    let missing = emu.execute(
        &sid,
        "GITHUB_GET_AN_ISSUE",
        json!({"owner": "acme", "repo": "web", "issue_number": 99}),
    );
    assert!(failed(&missing).contains("#99 not found"));
}

#[test]
fn state_is_per_user() {
    let emu = Emu::new();
    let a = emu.session("alice");
    let b = emu.session("bob");
    emu.connect(&a, "github");
    emu.connect(&b, "github");
    emu.execute(
        &a,
        "GITHUB_CREATE_AN_ISSUE",
        json!({"owner": "o", "repo": "r", "title": "alice's"}),
    );
    let l = emu.execute(&b, "GITHUB_LIST_ISSUES", json!({"owner": "o", "repo": "r"}));
    assert_eq!(ok_data(&l)["issues"], json!([]));
    // A second session of the same user sees alice's issue.
    let a2 = emu.session("alice");
    let l = emu.execute(
        &a2,
        "GITHUB_LIST_ISSUES",
        json!({"owner": "o", "repo": "r"}),
    );
    assert_eq!(ok_data(&l)["issues"][0]["title"], "alice's");
}

#[test]
fn gmail_sent_email_appears_in_fetch() {
    let emu = Emu::new();
    let sid = emu.session("carol");
    emu.connect(&sid, "gmail");
    let s = emu.execute(&sid, "GMAIL_SEND_EMAIL", json!({"recipient_email": "dan@example.org", "subject": "Quarterly report", "body": "Attached."}));
    assert_eq!(ok_data(&s)["labelIds"], json!(["SENT"]));
    let f = emu.execute(&sid, "GMAIL_FETCH_EMAILS", json!({"label_ids": ["SENT"]}));
    let msgs = ok_data(&f)["messages"].as_array().unwrap().clone();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["to"], "dan@example.org");
    assert_eq!(msgs[0]["subject"], "Quarterly report");
    assert_eq!(msgs[0]["from"], "carol@example.com");
    let all = emu.execute(&sid, "GMAIL_FETCH_EMAILS", json!({}));
    let all = ok_data(&all)["messages"].as_array().unwrap().clone();
    assert_eq!(all.len(), 3, "two seeded inbox messages and the sent one");
    assert_eq!(all[0]["subject"], "Quarterly report", "newest first");
    let q = emu.execute(&sid, "GMAIL_FETCH_EMAILS", json!({"query": "lunch"}));
    assert_eq!(ok_data(&q)["messages"].as_array().unwrap().len(), 1);
    let d = emu.execute(
        &sid,
        "GMAIL_CREATE_EMAIL_DRAFT",
        json!({"recipient_email": "e@example.org", "body": "draft"}),
    );
    ok_data(&d);
    let ds = emu.execute(&sid, "GMAIL_LIST_DRAFTS", json!({}));
    assert_eq!(ok_data(&ds)["drafts"].as_array().unwrap().len(), 1);
    let id = msgs[0]["id"].as_str().unwrap();
    let del = emu.execute(&sid, "GMAIL_DELETE_MESSAGE", json!({"message_id": id}));
    assert_eq!(ok_data(&del)["deleted"], true);
    let p = emu.execute(&sid, "GMAIL_GET_PROFILE", json!({}));
    assert_eq!(ok_data(&p)["messagesTotal"], 2);
}

#[test]
fn calendar_events_are_created_listed_and_block_free_slots() {
    let emu = Emu::new();
    let sid = emu.session("erin");
    emu.connect(&sid, "googlecalendar");
    let c = emu.execute(&sid, "GOOGLECALENDAR_CREATE_EVENT", json!({"summary": "Standup", "start_datetime": "2026-11-23T09:00:00Z", "event_duration_minutes": 15, "attendees": ["a@example.org"]}));
    let ev = ok_data(&c);
    assert_eq!(ev["end"]["dateTime"], "2026-11-23T09:15:00.000Z");
    emu.execute(&sid, "GOOGLECALENDAR_CREATE_EVENT", json!({"summary": "Lunch", "start_datetime": "2026-11-23T13:00:00+01:00", "end_datetime": "2026-11-23T13:30:00+01:00"}));
    let l = emu.execute(
        &sid,
        "GOOGLECALENDAR_EVENTS_LIST",
        json!({"time_min": "2026-11-23T00:00:00Z", "time_max": "2026-11-24T00:00:00Z"}),
    );
    let items = ok_data(&l)["items"].as_array().unwrap().clone();
    let names: Vec<&str> = items
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Standup", "Lunch"]);
    let q = emu.execute(&sid, "GOOGLECALENDAR_EVENTS_LIST", json!({"q": "lunch"}));
    assert_eq!(ok_data(&q)["items"].as_array().unwrap().len(), 1);
    let free = emu.execute(
        &sid,
        "GOOGLECALENDAR_FIND_FREE_SLOTS",
        json!({"time_min": "2026-11-23T08:00:00Z", "time_max": "2026-11-23T10:00:00Z"}),
    );
    assert_eq!(
        ok_data(&free)["busy"],
        json!([{"start": "2026-11-23T09:00:00.000Z", "end": "2026-11-23T09:15:00.000Z"}])
    );
    assert_eq!(ok_data(&free)["free"].as_array().unwrap().len(), 2);
    let bad = emu.execute(
        &sid,
        "GOOGLECALENDAR_CREATE_EVENT",
        json!({"summary": "x", "start_datetime": "next tuesday"}),
    );
    assert!(
        failed(&bad).contains("$.start_datetime must be a valid date-time"),
        "{bad}"
    );
    let id = items[0]["id"].as_str().unwrap();
    ok_data(&emu.execute(&sid, "GOOGLECALENDAR_DELETE_EVENT", json!({"event_id": id})));
    let again = emu.execute(&sid, "GOOGLECALENDAR_DELETE_EVENT", json!({"event_id": id}));
    assert!(failed(&again).contains("not found"));
}

#[test]
fn slack_notion_linear_round_trips() {
    let emu = Emu::new();
    let sid = emu.session("frank");
    for tk in ["slack", "notion", "linear"] {
        emu.connect(&sid, tk);
    }
    let s = emu.execute(
        &sid,
        "SLACK_SEND_MESSAGE",
        json!({"channel": "#general", "text": "deploy done"}),
    );
    let ts = ok_data(&s)["ts"].as_str().unwrap().to_owned();
    let h = emu.execute(
        &sid,
        "SLACK_FETCH_CONVERSATION_HISTORY",
        json!({"channel": "general"}),
    );
    assert_eq!(ok_data(&h)["messages"][0]["text"], "deploy done");
    ok_data(&emu.execute(
        &sid,
        "SLACK_ADD_REACTION_TO_AN_ITEM",
        json!({"channel": "general", "timestamp": ts, "name": "tada"}),
    ));
    let nochan = emu.execute(
        &sid,
        "SLACK_SEND_MESSAGE",
        json!({"channel": "nope", "text": "x"}),
    );
    assert!(failed(&nochan).contains("channel_not_found"));
    ok_data(&emu.execute(&sid, "SLACK_CREATE_CHANNEL", json!({"name": "launch"})));
    let taken = emu.execute(&sid, "SLACK_CREATE_CHANNEL", json!({"name": "launch"}));
    assert!(failed(&taken).contains("name_taken"));

    let p = emu.execute(
        &sid,
        "NOTION_CREATE_NOTION_PAGE",
        json!({"title": "Roadmap Q1", "content": "ship the emulator"}),
    );
    let pid = ok_data(&p)["id"].as_str().unwrap().to_owned();
    let found = emu.execute(
        &sid,
        "NOTION_SEARCH_NOTION_PAGE",
        json!({"query": "emulator"}),
    );
    assert_eq!(ok_data(&found)["results"][0]["id"], pid.as_str());
    ok_data(&emu.execute(
        &sid,
        "NOTION_ADD_PAGE_CONTENT",
        json!({"page_id": pid, "content": "and the gateway"}),
    ));
    let page = emu.execute(&sid, "NOTION_FETCH_NOTION_PAGE", json!({"page_id": pid}));
    assert_eq!(
        ok_data(&page)["content"],
        "ship the emulator\n\nand the gateway"
    );
    ok_data(&emu.execute(&sid, "NOTION_ARCHIVE_NOTION_PAGE", json!({"page_id": pid})));
    let found = emu.execute(
        &sid,
        "NOTION_SEARCH_NOTION_PAGE",
        json!({"query": "emulator"}),
    );
    assert_eq!(ok_data(&found)["results"], json!([]));

    let teams = emu.execute(&sid, "LINEAR_LIST_LINEAR_TEAMS", json!({}));
    let team = ok_data(&teams)["teams"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let i = emu.execute(
        &sid,
        "LINEAR_CREATE_LINEAR_ISSUE",
        json!({"team_id": team, "title": "Fix flaky test", "priority": 2}),
    );
    assert_eq!(ok_data(&i)["identifier"], "ENG-1");
    ok_data(&emu.execute(
        &sid,
        "LINEAR_UPDATE_ISSUE",
        json!({"issue_id": "ENG-1", "state": "Done"}),
    ));
    let l = emu.execute(&sid, "LINEAR_LIST_LINEAR_ISSUES", json!({"state": "Done"}));
    assert_eq!(ok_data(&l)["issues"][0]["title"], "Fix flaky test");
    let bad = emu.execute(
        &sid,
        "LINEAR_CREATE_LINEAR_ISSUE",
        json!({"team_id": "team_eng", "title": "x", "priority": 9}),
    );
    assert!(failed(&bad).contains("$.priority must be <= 4"), "{bad}");
}

#[test]
fn no_auth_tools_are_deterministic() {
    let emu = Emu::new();
    let sid = emu.session("gus");
    let a = emu.execute(
        &sid,
        "WEATHERMAP_GET_CURRENT_WEATHER",
        json!({"location": "paris, fr"}),
    );
    let b = emu.execute(
        &sid,
        "WEATHERMAP_GET_CURRENT_WEATHER",
        json!({"location": "Paris, FR"}),
    );
    assert_eq!(ok_data(&a)["location"], "Paris, Fr");
    assert_eq!(ok_data(&a)["temperature"], ok_data(&b)["temperature"]);
    let f = emu.execute(
        &sid,
        "WEATHERMAP_GET_FORECAST",
        json!({"location": "Oslo", "days": 4, "units": "imperial"}),
    );
    let days = ok_data(&f)["days"].as_array().unwrap().clone();
    assert_eq!(days.len(), 4);
    assert_eq!(days[0]["date"], "2026-11-22");
    let hn = emu.execute(&sid, "HACKERNEWS_GET_TOP_STORIES", json!({"limit": 5}));
    let stories = ok_data(&hn)["stories"].as_array().unwrap().clone();
    assert_eq!(stories.len(), 5);
    assert!(stories
        .windows(2)
        .all(|w| w[0]["score"].as_u64() >= w[1]["score"].as_u64()));
    let item = emu.execute(
        &sid,
        "HACKERNEWS_GET_ITEM_WITH_ID",
        json!({"id": stories[0]["id"]}),
    );
    assert_eq!(ok_data(&item)["title"], stories[0]["title"]);
    let s = emu.execute(
        &sid,
        "HACKERNEWS_SEARCH_POSTS",
        json!({"query": "BM25 ranking"}),
    );
    assert_eq!(
        ok_data(&s)["hits"][0]["title"],
        "A visual guide to BM25 ranking"
    );
    let u = emu.execute(&sid, "HACKERNEWS_GET_USER", json!({"username": "pg"}));
    let u2 = emu.execute(&sid, "HACKERNEWS_GET_USER", json!({"username": "pg"}));
    assert_eq!(ok_data(&u)["karma"], ok_data(&u2)["karma"]);
}

#[test]
fn arguments_are_validated_against_the_schema() {
    let emu = Emu::new();
    let sid = emu.session("h");
    let r = emu.execute(
        &sid,
        "WEATHERMAP_GET_FORECAST",
        json!({"days": "three", "units": "kelvin"}),
    );
    let e = failed(&r);
    assert!(
        e.starts_with("arguments for WEATHERMAP_GET_FORECAST do not match its schema"),
        "{e}"
    );
    assert!(e.contains("$.location is required"), "{e}");
    assert!(e.contains("$.days expected integer, got string"), "{e}");
    assert!(e.contains("$.units must be one of"), "{e}");
    // Arguments may arrive as a JSON string (model output).
    let r = emu.api(
        "POST",
        &format!("/tool_router/session/{sid}/execute"),
        Some(
            json!({"tool_slug": "WEATHERMAP_GET_FORECAST", "arguments": "{\"location\":\"Rome\"}"}),
        ),
    );
    assert_eq!(r.json["result_type"], "completed");
    let r = emu.api(
        "POST",
        &format!("/tool_router/session/{sid}/execute"),
        Some(json!({"tool_slug": "X", "arguments": [1]})),
    );
    assert_eq!(r.status, 400);
    let r = emu.api(
        "POST",
        &format!("/tool_router/session/{sid}/execute"),
        Some(json!({"arguments": {}})),
    );
    assert_eq!(r.status, 400);
}

#[test]
fn auth_toolkit_without_active_account_fails_clearly() {
    let emu = Emu::new();
    let sid = emu.session("i");
    let r = emu.execute(
        &sid,
        "GMAIL_SEND_EMAIL",
        json!({"recipient_email": "a@b.co", "body": "x"}),
    );
    assert!(failed(&r).starts_with("No active connected account found for toolkit: gmail"));
    // An INITIATED (not yet consented) account is not enough.
    emu.api(
        "POST",
        &format!("/tool_router/session/{sid}/link"),
        Some(json!({"toolkit": "gmail"})),
    );
    let r = emu.execute(
        &sid,
        "GMAIL_SEND_EMAIL",
        json!({"recipient_email": "a@b.co", "body": "x"}),
    );
    assert!(failed(&r).contains("No active connected account"));
    // `account` selects by id or alias.
    let ca = emu.connect(&sid, "gmail");
    let r = emu.api(
        "POST",
        &format!("/tool_router/session/{sid}/execute"),
        Some(json!({"tool_slug": "GMAIL_GET_PROFILE", "arguments": {}, "account": ca})),
    );
    assert_eq!(r.json["result_type"], "completed");
    let r = emu.api(
        "POST",
        &format!("/tool_router/session/{sid}/execute"),
        Some(json!({"tool_slug": "GMAIL_GET_PROFILE", "arguments": {}, "account": "ca_nope"})),
    );
    assert!(failed(&r.json).contains("ca_nope"));
}

#[test]
fn session_filters_exclude_tools_and_unknown_or_local_slugs_fail() {
    let emu = Emu::new();
    let sid = emu.create(json!({"user_id": "j", "toolkits": ["weathermap"], "tags": {"disable": ["destructiveHint"]}}))["session_id"].as_str().unwrap().to_owned();
    let r = emu.execute(&sid, "HACKERNEWS_GET_TOP_STORIES", json!({}));
    assert!(failed(&r).contains("not enabled in this session"));
    let r = emu.execute(&sid, "WEATHERMAP_GET_FORCAST", json!({}));
    let e = failed(&r);
    assert!(
        e.contains("not found") && e.contains("WEATHERMAP_GET_FORECAST"),
        "{e}"
    );
    let r = emu.execute(&sid, "LOCAL_GREP", json!({"pattern": "x"}));
    assert!(failed(&r).contains("custom tools run in the client"));
    let r = emu.execute(&sid, "weathermap_get_forecast", json!({"location": "Lima"}));
    ok_data(&r);
}

#[test]
fn execute_meta_runs_meta_tools_only_and_proxy_execute_needs_a_connection() {
    let emu = Emu::new();
    let sid = emu.session("k");
    let r = emu.api("POST", &format!("/tool_router/session/{sid}/execute_meta"),
        Some(json!({"slug": "COMPOSIO_SEARCH_TOOLS", "arguments": {"queries": [{"use_case": "weather in Rome"}]}})));
    assert_eq!(r.status, 200);
    assert_eq!(r.json["result_type"], "completed");
    let r = emu.api(
        "POST",
        &format!("/tool_router/session/{sid}/execute_meta"),
        Some(json!({"slug": "GMAIL_SEND_EMAIL"})),
    );
    assert_eq!(r.status, 400);

    let p = emu.api(
        "POST",
        &format!("/tool_router/session/{sid}/proxy_execute"),
        Some(json!({"toolkit_slug": "github", "endpoint": "/user", "method": "GET"})),
    );
    assert_eq!(p.status, 400);
    emu.connect(&sid, "github");
    let p = emu.api("POST", &format!("/tool_router/session/{sid}/proxy_execute"),
        Some(json!({"toolkit_slug": "github", "endpoint": "/repos/a/b", "method": "POST", "body": {"x": 1},
                    "parameters": [{"name": "page", "type": "query", "value": "2"}]})));
    assert_eq!(p.status, 200);
    assert_eq!(p.json["status"], 200);
    assert_eq!(p.json["data"]["url"], "https://api.github.com/repos/a/b");
    assert_eq!(p.json["data"]["query"], json!({"page": "2"}));
    assert_eq!(p.json["data"]["body"], json!({"x": 1}));
    let bad = emu.api(
        "POST",
        &format!("/tool_router/session/{sid}/proxy_execute"),
        Some(json!({"toolkit_slug": "github", "endpoint": "/x", "method": "TRACE"})),
    );
    assert_eq!(bad.status, 400);
}

#[test]
fn per_user_state_is_bounded() {
    let emu = Emu::new();
    let sid = emu.session("big");
    emu.connect(&sid, "gmail");
    let body = "x".repeat(70_000);
    let first = emu.execute(
        &sid,
        "GMAIL_SEND_EMAIL",
        json!({"recipient_email": "a@b.co", "body": body}),
    );
    ok_data(&first);
    let second = emu.execute(
        &sid,
        "GMAIL_SEND_EMAIL",
        json!({"recipient_email": "a@b.co", "body": body}),
    );
    assert!(failed(&second).contains("storage limit"));
    // The first message is still there; nothing was half-written.
    let f = emu.execute(&sid, "GMAIL_FETCH_EMAILS", json!({"label_ids": ["SENT"]}));
    assert_eq!(ok_data(&f)["messages"].as_array().unwrap().len(), 1);
    let sid = emu.session("many");
    emu.connect(&sid, "gmail");
    for i in 0..210 {
        let r = emu.execute(
            &sid,
            "GMAIL_CREATE_EMAIL_DRAFT",
            json!({"recipient_email": "a@b.co", "body": format!("d{i}")}),
        );
        ok_data(&r);
    }
    let d = emu.execute(&sid, "GMAIL_LIST_DRAFTS", json!({"max_results": 500}));
    let drafts = ok_data(&d)["drafts"].as_array().unwrap().clone();
    assert_eq!(drafts.len(), 200);
    assert_eq!(drafts[0]["message"]["body"], "d209");
}

//! Every "captured" request of the wire reference, byte-for-byte as JSON: method, path, query,
//! body and the header set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_support;

use std::collections::BTreeMap;

use client_support::*;
use composio_edge::client::*;
use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::runtime::block_on;

const SESSION_PATH: &str = "/api/v3.1/tool_router/session";

fn sp(suffix: &str) -> String {
    format!("{SESSION_PATH}/{SID}{suffix}")
}

#[test]
fn create_minimal_sends_user_and_manage_connections_default() {
    let (c, t) = client();
    t.push(ok(201, fixture("session_create.json")));
    let s = block_on(c.create_session(&CreateSession::new("user_123"))).unwrap();
    assert_request(
        &t.requests()[0],
        "POST",
        SESSION_PATH,
        None,
        Some(json!({"user_id":"user_123","manage_connections":{"enable":true}})),
    );
    assert_eq!(s.id(), SID);
}

#[test]
fn create_ts_full_example_matches_capture() {
    let (c, t) = client();
    t.push(ok(201, fixture("session_create.json")));
    let opts = CreateSession::new("user_123")
        .with_toolkits(["gmail"])
        .with_manage_connections(ManageConnections::callback("https://app.example/cb"))
        .with_tags(TagFilter::list(["readOnlyHint"]))
        .with_tools("gmail", ToolFilter::Enable(vec!["GMAIL_SEND_EMAIL".into()]))
        .with_custom_tool(grep_tool())
        .with_user_timezone("Europe/London");
    let s = block_on(c.create_session(&opts)).unwrap();
    assert_request(
        &t.requests()[0],
        "POST",
        SESSION_PATH,
        None,
        Some(
            json!({"user_id":"user_123","toolkits":{"enable":["gmail"]},"tools":{"gmail":{"enable":["GMAIL_SEND_EMAIL"]}},
 "tags":{"enable":["readOnlyHint"]},"manage_connections":{"enable":true,"callback_url":"https://app.example/cb"},
 "experimental":{"assistive_prompt_config":{"user_timezone":"Europe/London"},
   "custom_tools":[{"slug":"GREP","name":"Grep","description":"grep files",
     "input_schema":{"type":"object","properties":{"pattern":{"type":"string"}},"required":["pattern"]}}]}}),
        ),
    );
    // the fixture echoes LOCAL_GREP: routable
    assert_eq!(s.routes().len(), 1);
    let info = s.info().unwrap();
    assert_eq!(info.config_version, Some(1));
    assert_eq!(info.warnings[0].code, "PRELOAD_TOOLS_HIGH_CONTEXT_USAGE");
    assert!(info.extra.contains_key("brand_new_top_level"));
    assert!(info.config.extra.contains_key("future_config_field"));
    assert_eq!(
        info.experimental.assistive_prompt.as_deref(),
        Some("When you choose to use Composio ToolRouter...")
    );
}

#[test]
fn create_sandbox_multi_account_pins_preloaded_custom_matches_capture() {
    let (c, t) = client();
    t.push(ok(201, fixture("session_create.json")));
    let opts = CreateSession::new("user_123")
        .with_auth_config("gmail", "ac_1")
        .with_connected_account("gmail", "ca_1")
        .with_sandbox(Workbench {
            enable_proxy_execution: Some(false),
            sandbox_size: Some("medium".into()),
            ..Default::default()
        })
        .with_multi_account(MultiAccount {
            enable: Some(true),
            ..Default::default()
        })
        .with_custom_tool(grep_tool().with_preload(true));
    block_on(c.create_session(&opts)).unwrap();
    assert_request(
        &t.requests()[0],
        "POST",
        SESSION_PATH,
        None,
        Some(
            json!({"user_id":"user_123","auth_configs":{"gmail":"ac_1"},"connected_accounts":{"gmail":["ca_1"]},
 "manage_connections":{"enable":true},
 "workbench":{"enable":true,"enable_proxy_execution":false,"sandbox_size":"medium"},
 "multi_account":{"enable":true,"require_explicit_selection":true},
 "experimental":{"custom_tools":[{"slug":"GREP","name":"Grep","description":"grep files",
   "input_schema":{"type":"object","properties":{"pattern":{"type":"string"}},"required":["pattern"]},"preload":true}]}}),
        ),
    );
}

#[test]
fn create_direct_tools_preset_matches_capture() {
    let body = CreateSession::new("user_123")
        .with_toolkits(["github"])
        .with_preset(SessionPreset::DirectTools)
        .to_wire()
        .unwrap();
    assert_eq!(
        body,
        json!({"user_id":"user_123","toolkits":{"enable":["github"]},"manage_connections":{"enable":false},"workbench":{"enable":false},"preload":{"tools":"all"},"search":{"enable":false},"execute":{"enable_multi_execute":false}})
    );
}

#[test]
fn create_direct_tools_preset_keeps_explicit_overrides() {
    let body = CreateSession::new("u")
        .with_toolkits(["github"])
        .with_preset(SessionPreset::DirectTools)
        .with_manage_connections(true)
        .with_sandbox(Workbench::default())
        .with_preload(Preload::Tools(vec!["GITHUB_CREATE_ISSUE".into()]))
        .to_wire()
        .unwrap();
    assert_eq!(body["manage_connections"], json!({"enable": true}));
    assert_eq!(body["workbench"], json!({"enable": true}));
    assert_eq!(body["preload"], json!({"tools": ["GITHUB_CREATE_ISSUE"]}));
    assert_eq!(body["search"], json!({"enable": false}));
    assert_eq!(body["execute"], json!({"enable_multi_execute": false}));
}

#[test]
fn create_py_example_matches_capture() {
    let (c, t) = client();
    t.push(ok(201, fixture("session_create.json")));
    let opts = CreateSession {
        manage_connections: Some(ManageConnections {
            callback_url: Some("https://app.example/cb".into()),
            wait_for_connections: Some(true),
            ..Default::default()
        }),
        sandbox: Some(Workbench {
            enable_proxy_execution: Some(false),
            ..Default::default()
        }),
        ..CreateSession::new("user_123").with_toolkits(["gmail"])
    };
    block_on(c.create_session(&opts)).unwrap();
    assert_request(
        &t.requests()[0],
        "POST",
        SESSION_PATH,
        None,
        Some(json!({"user_id":"user_123","toolkits":{"enable":["gmail"]},
 "manage_connections":{"enable":true,"callback_url":"https://app.example/cb","enable_wait_for_connections":true},
 "workbench":{"enable":true,"enable_proxy_execution":false}})),
    );
}

#[test]
fn create_every_other_option_maps_to_wire() {
    let mut tools = BTreeMap::new();
    tools.insert(
        "gmail".to_string(),
        ToolFilter::Disable(vec!["GMAIL_DELETE".into()]),
    );
    tools.insert(
        "github".to_string(),
        ToolFilter::Tags(TagFilter::list(["readOnlyHint"])),
    );
    let opts = CreateSession {
        toolkits: Some(ToolkitFilter::Disable(vec!["slack".into()])),
        tools: Some(tools),
        tags: Some(TagFilter {
            enable: Some(vec!["readOnlyHint".into()]),
            disable: Some(vec!["destructiveHint".into()]),
        }),
        multi_account: Some(MultiAccount {
            enable: Some(true),
            max_accounts_per_toolkit: Some(5),
            require_explicit_selection: Some(false),
        }),
        premium_usage: Some(UsageOptions {
            enable: true,
            toolkits: Some(vec!["gmail".into()]),
            return_charge: Some(true),
            ..Default::default()
        }),
        instant: Some(UsageOptions::default()),
        proxy_execute: Some(true),
        ..CreateSession::new("u")
    };
    let body = opts.to_wire().unwrap();
    assert_eq!(
        body,
        json!({"user_id":"u","toolkits":{"disable":["slack"]},
          "tools":{"github":{"tags":{"enable":["readOnlyHint"]}},"gmail":{"disable":["GMAIL_DELETE"]}},
          "tags":{"enable":["readOnlyHint"],"disable":["destructiveHint"]},
          "manage_connections":{"enable":true},
          "multi_account":{"enable":true,"max_accounts_per_toolkit":5,"require_explicit_selection":false},
          "premium_usage":{"toolkits":["gmail"],"return_premium_charge":true},
          "instant":false,
          "proxy_execute":{"enable":true}})
    );
    // manage_connections false, empty tag list
    let body = CreateSession::new("u")
        .with_manage_connections(false)
        .with_tags(TagFilter::list(Vec::<String>::new()))
        .to_wire()
        .unwrap();
    assert_eq!(
        body,
        json!({"user_id":"u","manage_connections":{"enable":false},"tags":{"enable":[]}})
    );
}

#[test]
fn create_rejects_conflicts_and_bad_options_without_a_request() {
    let (c, t) = client();
    let bad = [
        CreateSession::new(""),
        CreateSession::new("u")
            .with_session_config_id("sc_1")
            .with_toolkits(["gmail"]),
        CreateSession::new("u")
            .with_session_config_id("sc_1")
            .with_custom_tool(grep_tool()),
        CreateSession {
            workbench: Some(Workbench::default()),
            ..CreateSession::new("u").with_sandbox(Workbench::default())
        },
        CreateSession::new("u").with_multi_account(MultiAccount {
            max_accounts_per_toolkit: Some(11),
            ..Default::default()
        }),
        CreateSession::new("u").with_preload(Preload::All),
        CreateSession::new("u").with_preload(Preload::Tools(vec!["LOCAL_GREP".into()])),
        CreateSession::new("u")
            .with_custom_tool(grep_tool())
            .with_preload(Preload::Tools(vec!["grep".into()])),
        CreateSession::new("u").with_preload(Preload::Tools(vec!["X".into(); 1001])),
    ];
    for opts in &bad {
        let e = block_on(c.create_session(opts)).unwrap_err();
        assert_eq!(e.code(), "invalid_request", "{opts:?}");
    }
    assert!(t.requests().is_empty());
    // session_config_id alone is fine
    let body = CreateSession::new("u")
        .with_session_config_id("sc_1")
        .to_wire()
        .unwrap();
    assert_eq!(body["experimental"], json!({"session_config_id": "sc_1"}));
}

#[test]
fn use_session_is_a_get_and_attach_posts_customs() {
    let (c, t) = client();
    t.push(ok(200, fixture("session_create.json")));
    let s = block_on(c.use_session(SID)).unwrap();
    assert_request(&t.requests()[0], "GET", &sp(""), None, None);
    assert_eq!(s.user_id().as_deref(), Some("user_123"));

    t.push(ok(
        200,
        session_response(
            json!([{"slug":"LOCAL_GREP","original_slug":"GREP"}]),
            json!([]),
        ),
    ));
    let s = block_on(c.attach_session(SID, Customs::new(vec![grep_tool()], vec![]))).unwrap();
    assert_request(
        &t.requests()[1],
        "POST",
        &sp("/attach"),
        None,
        Some(json!({"experimental":{"custom_tools":[grep_wire()]}})),
    );
    assert!(s.routes().find("local_grep").unwrap().is_some());
    assert_eq!(s.user_id().as_deref(), Some("user_123"));
}

#[test]
fn session_handle_makes_no_request() {
    let (c, t) = client();
    let s = c.session("trs_stored", Some("u1".into()));
    assert_eq!(s.id(), "trs_stored");
    assert_eq!(s.user_id().as_deref(), Some("u1"));
    assert!(s.info().is_none());
    assert!(t.requests().is_empty());
}

#[test]
fn patch_matches_capture_and_is_never_retried() {
    let (c, t) = client();
    let s = c.session(SID, None);
    t.push(ok(200, fixture("session_create.json")));
    let update = UpdateSession {
        toolkits: Patch::Null,
        manage_connections: Patch::Value(ManageConnectionsPatch {
            callback_url: Patch::Null,
            ..Default::default()
        }),
        tags: Patch::Value(TagFilter::list(["readOnlyHint"])),
        expected_config_version: Some(1),
        multi_execute: Patch::Value(true),
        experimental: ExperimentalPatch {
            fast_mode: Patch::Value(true),
            ..Default::default()
        },
        ..Default::default()
    };
    let info = block_on(s.update(&update)).unwrap();
    assert_eq!(info.config_version, Some(1));
    assert_request(
        &t.requests()[0],
        "PATCH",
        &sp(""),
        None,
        Some(
            json!({"toolkits":null,"tags":{"enable":["readOnlyHint"]},"manage_connections":{"callback_url":null},
 "execute":{"enable_multi_execute":true},"experimental":{"fast_mode":true},"expected_config_version":1}),
        ),
    );
    assert!(s.info().is_some());
}

#[test]
fn patch_tri_state_for_every_field() {
    let u = UpdateSession {
        tools: Patch::Null,
        auth_configs: Patch::Value(BTreeMap::from([("gmail".to_string(), "ac_2".to_string())])),
        connected_accounts: Patch::Null,
        workbench: Patch::Value(Workbench {
            sandbox_size: Some("large".into()),
            ..Default::default()
        }),
        multi_account: Patch::Value(MultiAccountPatch {
            max_accounts_per_toolkit: Patch::Null,
            ..Default::default()
        }),
        preload: Patch::Value(Preload::All),
        search: Patch::Value(false),
        instant: Patch::Null,
        proxy_execute: Patch::Value(true),
        experimental: ExperimentalPatch {
            link_url_overwrite: Patch::Null,
            submit_feedback: Patch::Value(true),
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(
        u.to_wire().unwrap(),
        json!({"tools":null,"auth_configs":{"gmail":"ac_2"},"connected_accounts":null,
               "workbench":{"sandbox_size":"large"},"multi_account":{"max_accounts_per_toolkit":null},
               "preload":{"tools":"all"},"search":{"enable":false},"instant":null,"proxy_execute":{"enable":true},
               "experimental":{"link_url_overwrite":null,"submit_feedback":{"enable":true}}})
    );
    assert_eq!(UpdateSession::default().to_wire().unwrap(), json!({}));
    let zero = UpdateSession {
        expected_config_version: Some(0),
        ..Default::default()
    };
    assert!(zero.to_wire().is_err());
}

#[test]
fn delete_and_config_history() {
    let (c, t) = client();
    let s = c.session(SID, None);
    t.push(ok(200, json!({"session_id": SID, "deleted": true})));
    let d = block_on(s.delete()).unwrap();
    assert!(d.deleted);
    assert_request(&t.requests()[0], "DELETE", &sp(""), None, None);

    t.push(ok(
        200,
        json!({"items":[{"version":2,"created_at":"2026-01-01T00:00:00Z","is_current":true,"config":{"user_id":"u","preload":{"tools":"all"}}}],
               "next_cursor":null,"total_pages":1,"current_page":1,"total_items":1}),
    ));
    let h = block_on(s.config_history(Some(10), Some("c1"))).unwrap();
    assert_request(
        &t.requests()[1],
        "GET",
        &sp("/config_history"),
        Some("limit=10&cursor=c1"),
        None,
    );
    assert_eq!(h.items[0].version, 2);
    assert!(h.items[0].config.preload.is_all());
    assert!(h.next().is_none());
    assert!(block_on(s.config_history(Some(101), None)).is_err());
}

#[test]
fn tools_follows_cursor_to_the_end() {
    let (c, t) = client();
    let s = c.session(SID, None);
    t.push(ok(200, fixture("tools_page1.json")));
    t.push(ok(200, fixture("tools_page2.json")));
    let tools = block_on(s.tools()).unwrap();
    let reqs = t.requests();
    assert_eq!(reqs.len(), 2);
    assert_request(&reqs[0], "GET", &sp("/tools"), Some("limit=500"), None);
    assert_request(
        &reqs[1],
        "GET",
        &sp("/tools"),
        Some("limit=500&cursor=cur_2"),
        None,
    );
    let slugs: Vec<&str> = tools.iter().map(|t| t.slug.as_str()).collect();
    assert_eq!(
        slugs,
        ["COMPOSIO_SEARCH_TOOLS", "COMPOSIO_MULTI_EXECUTE_TOOL"]
    );
    assert_eq!(
        tools[0].output_parameters,
        Value::Null,
        "{{}} normalized to absent"
    );
    assert!(tools[0].extra.contains_key("human_description"));
    assert_eq!(tools[0].toolkit_slug(), "composio");
}

#[test]
fn search_matches_ts_and_py_captures() {
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
    t.push(ok(200, fixture("search.json")));
    let r = block_on(s.search(&SearchRequest::new("send email"))).unwrap();
    assert_request(
        &t.requests()[1],
        "POST",
        &sp("/search"),
        None,
        Some(
            json!({"queries":[{"use_case":"send email"}],"experimental":{"custom_tools":[grep_wire()]}}),
        ),
    );
    assert!(r.success);
    assert_eq!(r.results[0].primary_tool_slugs, ["GMAIL_SEND_EMAIL"]);
    assert!(r.results[0].extra.contains_key("reasoning"));
    let schema = &r.tool_schemas["GMAIL_SEND_EMAIL"];
    assert_eq!(schema.has_full_schema, Some(false));
    assert_eq!(
        schema.schema_ref.as_ref().unwrap().tool,
        "COMPOSIO_GET_TOOL_SCHEMAS"
    );
    // camelCase kept on re-serialization
    let back = composio_edge::json::to_value(schema).unwrap();
    assert!(back.get("hasFullSchema").is_some() && back.get("schemaRef").is_some());
    assert_eq!(
        r.toolkit_connection_statuses[0].accounts[0]
            .alias
            .as_deref(),
        Some("work")
    );
    assert_eq!(
        r.time_info.as_ref().unwrap().current_time_utc_epoch_seconds,
        1763780400.0
    );
    assert_eq!(r.session.as_ref().unwrap().id, "wf_1");
    assert_eq!(r.next_steps_guidance, ["connect gmail"]);

    // Py: model, no customs
    let (c, t) = client();
    let s = c.session(SID, None);
    t.push(ok(200, fixture("search.json")));
    block_on(s.search(&SearchRequest::new("send email").with_model("gpt-5"))).unwrap();
    assert_request(
        &t.requests()[0],
        "POST",
        &sp("/search"),
        None,
        Some(json!({"queries":[{"use_case":"send email"}],"model":"gpt-5"})),
    );
}

#[test]
fn search_validates_queries_without_a_request() {
    let (c, t) = client();
    let s = c.session(SID, None);
    let mut too_many = SearchRequest::new("a");
    for _ in 0..7 {
        too_many = too_many.with_query("b", None);
    }
    for req in [
        SearchRequest::default(),
        too_many,
        SearchRequest::new("x".repeat(1025)),
        SearchRequest::new("ok").with_query("k", Some("y".repeat(501))),
    ] {
        assert_eq!(
            block_on(s.search(&req)).unwrap_err().code(),
            "invalid_request"
        );
    }
    assert!(t.requests().is_empty());
    let body = SearchRequest::new("a")
        .with_query("b", Some("channel_name:general".into()))
        .with_toolkits(["slack"])
        .to_wire()
        .unwrap();
    assert_eq!(
        body,
        json!({"queries":[{"use_case":"a"},{"use_case":"b","known_fields":"channel_name:general"}],"toolkits":["slack"]})
    );
}

#[test]
fn execute_matches_capture() {
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
    t.push(ok(
        200,
        json!({"data": {"id": "m1"}, "error": null, "log_id": "log_abc"}),
    ));
    let r = block_on(s.execute(
        "GMAIL_SEND_EMAIL",
        json!({"to":"a@b.c"}),
        Some("gmail_work"),
    ))
    .unwrap();
    assert_request(
        &t.requests()[1],
        "POST",
        &sp("/execute"),
        None,
        Some(
            json!({"tool_slug":"GMAIL_SEND_EMAIL","arguments":{"to":"a@b.c"},"account":"gmail_work","experimental":{"custom_tools":[grep_wire()]}}),
        ),
    );
    assert!(r.successful());
    assert_eq!(r.log_id, "log_abc");
}

#[test]
fn execute_without_customs_and_agentic_path() {
    let (c, t) = client();
    let s = c.session(SID, None);
    t.push(execute_ok(json!({}), "l1"));
    block_on(s.execute("GMAIL_SEND_EMAIL", Value::Null, None)).unwrap();
    assert_request(
        &t.requests()[0],
        "POST",
        &sp("/execute"),
        None,
        Some(json!({"tool_slug":"GMAIL_SEND_EMAIL","arguments":{}})),
    );
    t.push(execute_ok(json!({}), "l2"));
    block_on(s.execute_tool_call("GMAIL_SEND_EMAIL", json!("{\"to\":\"x\"}"))).unwrap();
    assert_request(
        &t.requests()[1],
        "POST",
        &sp("/execute"),
        None,
        Some(
            json!({"tool_slug":"GMAIL_SEND_EMAIL","arguments":{"to":"x"},"enable_auto_workbench_offload":true}),
        ),
    );
    // bad model output costs no request
    assert_eq!(
        block_on(s.execute_tool_call("GMAIL_SEND_EMAIL", json!([1])))
            .unwrap_err()
            .code(),
        "invalid_tool_arguments"
    );
    assert_eq!(t.requests().len(), 2);
}

#[test]
fn execute_meta_body() {
    let (c, t) = client();
    let s = c.session(SID, None);
    t.push(execute_ok(json!({"results": []}), "l"));
    block_on(s.execute_meta(
        "COMPOSIO_SEARCH_TOOLS",
        json!({"queries":[{"use_case":"x"}]}),
    ))
    .unwrap();
    assert_request(
        &t.requests()[0],
        "POST",
        &sp("/execute_meta"),
        None,
        Some(json!({"slug":"COMPOSIO_SEARCH_TOOLS","arguments":{"queries":[{"use_case":"x"}]}})),
    );
}

#[test]
fn link_matches_capture_and_returns_connection_request() {
    let (c, t) = client();
    let s = c.session(SID, None);
    t.push(ok(
        201,
        json!({"link_token":"lt_1","redirect_url":"https://connect.composio.dev/link/ln_abc123","connected_account_id":"ca_abc123",
               "experimental":{"account_type":"PRIVATE"}}),
    ));
    let cr = block_on(s.authorize(
        "gmail",
        &LinkOptions {
            callback_url: Some("https://app.example/cb?x=1".into()),
            alias: Some("work".into()),
            experimental: None,
        },
    ))
    .unwrap();
    assert_request(
        &t.requests()[0],
        "POST",
        &sp("/link"),
        None,
        Some(json!({"toolkit":"gmail","callback_url":"https://app.example/cb?x=1","alias":"work"})),
    );
    assert_eq!(
        composio_edge::json::to_value(&cr).unwrap(),
        json!({"id":"ca_abc123","status":"INITIATED","redirect_url":"https://connect.composio.dev/link/ln_abc123"})
    );
    // experimental passes through, empty callback dropped
    let body = LinkOptions {
        callback_url: Some(String::new()),
        alias: None,
        experimental: Some(json!({"account_type":"SHARED","acl_config_for_shared":{"allow_all_users":false,"allowed_user_ids":["u1"],"not_allowed_user_ids":[]}})),
    }
    .to_wire("gmail")
    .unwrap();
    assert_eq!(
        body,
        json!({"toolkit":"gmail","experimental":{"account_type":"SHARED","acl_config_for_shared":{"allow_all_users":false,"allowed_user_ids":["u1"],"not_allowed_user_ids":[]}}})
    );
}

#[test]
fn non_session_link_and_connected_account_retrieve() {
    let (c, t) = client();
    t.push(ok(
        201,
        json!({"link_token":"lk_1","redirect_url":"https://connect.composio.dev/link/ln_1","connected_account_id":"ca_1","expires_at":"2026-01-01T00:10:00Z"}),
    ));
    let l = block_on(c.create_link(&ConnectedAccountLink {
        auth_config_id: "ac_1".into(),
        user_id: "user_123".into(),
        callback_url: Some("https://app/cb".into()),
        ..Default::default()
    }))
    .unwrap();
    assert_eq!(l.connected_account_id, "ca_1");
    assert_request(
        &t.requests()[0],
        "POST",
        "/api/v3.1/connected_accounts/link",
        None,
        Some(json!({"auth_config_id":"ac_1","user_id":"user_123","callback_url":"https://app/cb"})),
    );
    t.push(ok(200, fixture("connected_account_active.json")));
    let a = block_on(c.get_connected_account("ca_abc123")).unwrap();
    assert_request(
        &t.requests()[1],
        "GET",
        "/api/v3.1/connected_accounts/ca_abc123",
        None,
        None,
    );
    assert_eq!(a.status, "ACTIVE");
    assert!(a.extra.contains_key("state"));
}

#[test]
fn toolkits_query_matches_capture() {
    let (c, t) = client();
    let s = c.session(SID, None);
    t.push(ok(200, fixture("toolkits.json")));
    let page = block_on(s.toolkits(&ToolkitsQuery {
        toolkits: Some(vec!["gmail".into(), "github".into()]),
        limit: Some(10),
        is_connected: Some(true),
        ..Default::default()
    }))
    .unwrap();
    assert_request(
        &t.requests()[0],
        "GET",
        &sp("/toolkits"),
        Some("limit=10&toolkits=gmail%2Cgithub&is_connected=true"),
        None,
    );
    assert_eq!(page.items.len(), 2);
    assert!(page.items[0].is_active());
    assert!(page.items[1].connected_account.is_none());
    assert_eq!(page.next(), Some("cursor_789"));
    assert_eq!(page.total_pages, Some(2));
    t.push(ok(200, fixture("toolkits.json")));
    block_on(s.toolkits(&ToolkitsQuery {
        cursor: Some("cursor_789".into()),
        search: Some("mail box".into()),
        ..Default::default()
    }))
    .unwrap();
    assert_eq!(
        t.requests()[1].uri().query(),
        Some("cursor=cursor_789&search=mail%20box")
    );
    assert!(block_on(s.toolkits(&ToolkitsQuery {
        limit: Some(51),
        ..Default::default()
    }))
    .is_err());
}

#[test]
fn proxy_matches_capture() {
    let (c, t) = client();
    let s = c.session(SID, None);
    t.push(ok(
        200,
        json!({"status":200,"data":{"login":"octo"},"headers":{"x-a":"b"},"binary_data":{"url":"https://files/x","content_type":"image/png","size":3,"expires_at":"t"}}),
    ));
    let r = block_on(
        s.proxy_execute(&ProxyRequest::new("github", "/user", "GET").with_parameter(
            "a",
            ParameterIn::Query,
            1,
        )),
    )
    .unwrap();
    assert_request(
        &t.requests()[0],
        "POST",
        &sp("/proxy_execute"),
        None,
        Some(
            json!({"toolkit_slug":"github","endpoint":"/user","method":"GET","parameters":[{"name":"a","type":"query","value":"1"}]}),
        ),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.binary_data.unwrap().size, Some(3));
    let body = ProxyRequest::new("github", "/repos", "post")
        .with_body(json!({"name":"r"}))
        .with_parameter("x-h", ParameterIn::Header, "v")
        .to_wire()
        .unwrap();
    assert_eq!(
        body,
        json!({"toolkit_slug":"github","endpoint":"/repos","method":"POST","body":{"name":"r"},"parameters":[{"name":"x-h","type":"header","value":"v"}]})
    );
    assert!(ProxyRequest::new("github", "/x", "TRACE")
        .to_wire()
        .is_err());
}

#[test]
fn mounts_list_upload_download_delete() {
    let (c, t) = client();
    let s = c.session(SID, None);
    let files = s.files();
    t.push(ok(
        200,
        json!({"items":[{"mount_relative_path":"report.pdf","sandbox_mount_prefix":"/mnt/files","size":10,"last_modified":"t"}],"next_cursor":"n"}),
    ));
    let list = block_on(files.list(Some("/data/"), Some("c"), Some(20))).unwrap();
    assert_request(
        &t.requests()[0],
        "GET",
        &sp("/mounts/files/items"),
        Some("mount_relative_prefix=data%2F&cursor=c&limit=20"),
        None,
    );
    assert_eq!(list.items[0].size, Some(10));
    t.push(ok(200, json!({"items":[]})));
    block_on(files.list(Some("/"), None, None)).unwrap();
    assert_eq!(t.requests()[1].uri().query(), None);

    // upload: upload_url → PUT (no credential) → download_url
    t.push(ok(
        201,
        json!({"upload_url":"https://s3.example/put?sig=1","mount_relative_path":"data/out.csv","sandbox_mount_prefix":"/mnt/files","expires_at":"t"}),
    ));
    t.push(raw(200, b""));
    t.push(ok(
        201,
        json!({"download_url":"https://s3.example/get?sig=2","mount_relative_path":"data/out.csv","sandbox_mount_prefix":"/mnt/files","expires_at":"t"}),
    ));
    let d = block_on(files.upload(b"a,b\n".to_vec(), "data/out.csv", "text/csv")).unwrap();
    assert_eq!(
        d.download_url.as_deref(),
        Some("https://s3.example/get?sig=2")
    );
    let reqs = t.requests();
    assert_request(
        &reqs[2],
        "POST",
        &sp("/mounts/files/upload_url"),
        None,
        Some(json!({"mount_relative_path":"data/out.csv","mimetype":"text/csv"})),
    );
    let put = &reqs[3];
    assert_eq!(put.method(), "PUT");
    assert_eq!(put.uri().to_string(), "https://s3.example/put?sig=1");
    assert_eq!(put.body(), b"a,b\n");
    let names: Vec<&str> = put.headers().keys().map(|k| k.as_str()).collect();
    assert_eq!(
        names,
        ["content-type"],
        "no composio headers on presigned PUT"
    );
    assert_eq!(put.headers()["content-type"], "text/csv");
    assert_request(
        &reqs[4],
        "POST",
        &sp("/mounts/files/download_url"),
        None,
        Some(json!({"mount_relative_path":"data/out.csv"})),
    );

    // download
    t.push(ok(
        201,
        json!({"download_url":"https://s3.example/get?sig=3","mount_relative_path":"report.pdf"}),
    ));
    t.push(raw(200, b"%PDF"));
    let bytes = block_on(files.download("report.pdf")).unwrap();
    assert_eq!(bytes, b"%PDF");
    let reqs = t.requests();
    assert_eq!(reqs[6].method(), "GET");
    assert!(reqs[6].headers().is_empty());

    // delete
    t.push(ok(
        200,
        json!({"mount_relative_path":"report.pdf","sandbox_mount_prefix":"/mnt/files"}),
    ));
    block_on(files.delete("/report.pdf")).unwrap();
    assert_request(
        &t.requests()[7],
        "POST",
        &sp("/mounts/files/delete"),
        None,
        Some(json!({"mount_relative_path":"report.pdf"})),
    );
    // presigned over plain http to a public host is refused
    t.push(ok(
        201,
        json!({"download_url":"http://s3.example/x","mount_relative_path":"a"}),
    ));
    assert_eq!(
        block_on(files.download("a")).unwrap_err().code(),
        "insecure_transport"
    );
}

#[test]
fn transcript_of_a_typical_agent_loop() {
    let (c, t) = client();
    t.push(ok(
        201,
        json!({"session_id":"trs_AbCdEfGhIjKl","mcp":{"type":"http","url":"https://backend.composio.dev/tool_router/trs_AbCdEfGhIjKl/mcp"},
               "tool_router_tools":[],"config":{"user_id":"user_123"},"config_version":1,"experimental":{"assistive_prompt":"…"}}),
    ));
    let s = block_on(
        c.create_session(
            &CreateSession::new("user_123")
                .with_manage_connections(ManageConnections::callback("https://app/cb")),
        ),
    )
    .unwrap();
    let p = "/api/v3.1/tool_router/session/trs_AbCdEfGhIjKl";
    assert_request(
        &t.requests()[0],
        "POST",
        SESSION_PATH,
        None,
        Some(
            json!({"user_id":"user_123","manage_connections":{"enable":true,"callback_url":"https://app/cb"}}),
        ),
    );
    let mcp = s.mcp().unwrap();
    assert_eq!(
        (mcp.kind.as_str(), mcp.url.as_str()),
        (
            "http",
            "https://backend.composio.dev/tool_router/trs_AbCdEfGhIjKl/mcp"
        )
    );
    let h = s.mcp_headers();
    assert_eq!(h.len(), 1);
    assert_eq!(
        (h[0].0.as_str(), h[0].1.expose_secret()),
        ("x-api-key", "ak_test")
    );
    assert!(!format!("{h:?}").contains("ak_test"));

    t.push(ok(
        200,
        json!({"items":[],"next_cursor":null,"total_pages":1,"current_page":1,"total_items":0}),
    ));
    block_on(s.tools()).unwrap();
    assert_request(
        &t.requests()[1],
        "GET",
        &format!("{p}/tools"),
        Some("limit=500"),
        None,
    );

    t.push(execute_ok(
        json!({"results":[],"session":{"id":"wf_1","generate_id":true,"instructions":"…"}}),
        "log_1",
    ));
    block_on(s.execute_tool_call(
        "COMPOSIO_SEARCH_TOOLS",
        json!({"queries":[{"use_case":"send an email"}],"session":{"generate_id":true}}),
    ))
    .unwrap();
    assert_request(
        &t.requests()[2],
        "POST",
        &format!("{p}/execute"),
        None,
        Some(
            json!({"tool_slug":"COMPOSIO_SEARCH_TOOLS","arguments":{"queries":[{"use_case":"send an email"}],"session":{"generate_id":true}},"enable_auto_workbench_offload":true}),
        ),
    );

    t.push(execute_ok(json!({"message":"…","results":{"gmail":{"toolkit":"gmail","status":"initiated","redirect_url":"https://connect.composio.dev/link/ln_x","connected_account_id":"ca_1"}}}), "log_2"));
    let r = block_on(s.execute_tool_call(
        "COMPOSIO_MANAGE_CONNECTIONS",
        json!({"toolkits":["gmail"],"session_id":"wf_1"}),
    ))
    .unwrap();
    assert_eq!(r.data["results"]["gmail"]["connected_account_id"], "ca_1");
    assert_eq!(
        t.json_body(3),
        json!({"tool_slug":"COMPOSIO_MANAGE_CONNECTIONS","arguments":{"toolkits":["gmail"],"session_id":"wf_1"},"enable_auto_workbench_offload":true})
    );

    let multi_args = json!({"tools":[{"tool_slug":"GMAIL_SEND_EMAIL","arguments":{"recipient_email":"a@b.c","subject":"hi","body":"…"}}],"sync_response_to_workbench":false,"session_id":"wf_1"});
    t.push(execute_ok(
        json!({"results":[{"tool_slug":"GMAIL_SEND_EMAIL","index":0,"error":null,"response":{"data":{},"error":null,"log_id":"log_4","successful":true}}],"total_count":1,"success_count":1,"error_count":0}),
        "log_3",
    ));
    let r =
        block_on(s.execute_tool_call("COMPOSIO_MULTI_EXECUTE_TOOL", multi_args.clone())).unwrap();
    assert!(r.successful());
    assert_eq!(
        t.json_body(4),
        json!({"tool_slug":"COMPOSIO_MULTI_EXECUTE_TOOL","arguments":multi_args,"enable_auto_workbench_offload":true})
    );

    // manual-auth variant
    t.push(ok(201, json!({"redirect_url":"https://connect.composio.dev/link/ln_y","connected_account_id":"ca_1"})));
    let cr = block_on(s.authorize(
        "gmail",
        &LinkOptions {
            callback_url: Some("https://app/cb".into()),
            ..Default::default()
        },
    ))
    .unwrap();
    assert_eq!(
        t.json_body(5),
        json!({"toolkit":"gmail","callback_url":"https://app/cb"})
    );
    t.push(ok(200, json!({"id":"ca_1","status":"INITIATED"})));
    t.push(ok(200, json!({"id":"ca_1","status":"ACTIVE"})));
    let acc = block_on(s.wait_for_connection(&cr.id, None)).unwrap();
    assert_eq!(acc.status, "ACTIVE");
    assert_request(
        &t.requests()[7],
        "GET",
        "/api/v3.1/connected_accounts/ca_1",
        None,
        None,
    );
    assert_eq!(c.runtime().sleeps(), vec![1000]);
}

#[test]
fn saved_session_configs() {
    let (c, t) = client();
    t.push(ok(
        200,
        json!({"items":[{"id":"sc_1","name":"support"}],"next_cursor":null}),
    ));
    let page = block_on(c.list_session_configs(Some(5), None)).unwrap();
    assert_request(
        &t.requests()[0],
        "GET",
        "/api/v3.1/session_configs",
        Some("limit=5"),
        None,
    );
    assert_eq!(page.items[0]["id"], "sc_1");
    t.push(ok(200, json!({"id":"sc_1","config":{}})));
    let cfg = block_on(c.get_session_config("sc_1")).unwrap();
    assert_request(
        &t.requests()[1],
        "GET",
        "/api/v3.1/session_configs/sc_1",
        None,
        None,
    );
    assert_eq!(cfg["id"], "sc_1");
}

#[test]
fn mcp_headers_only_for_the_api_origin() {
    let (c, t) = client();
    t.push(ok(200, json!({"session_id": SID, "mcp": {"type": "http", "url": "https://mcp.elsewhere.dev/tool_router/x/mcp"}})));
    let s = block_on(c.use_session(SID)).unwrap();
    assert!(s.mcp().is_some());
    assert!(s.mcp_headers().is_empty());
    assert!(c.session(SID, None).mcp_headers().is_empty());
}

#[test]
fn attach_without_customs_is_a_plain_get() {
    let (c, t) = client();
    t.push(ok(200, json!({"session_id": SID})));
    block_on(c.attach_session(SID, Customs::default())).unwrap();
    assert_request(&t.requests()[0], "GET", &sp(""), None, None);
}

//! Session endpoints, envelopes, auth, routing and pagination of the emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod emulator_support;

use composio_edge::http;
use composio_edge::json;
use composio_edge::json::Value;
use emulator_support::{Emu, ORIGIN};

fn assert_envelope(v: &Value, status: u64) {
    let e = &v["error"];
    assert_eq!(e["status"], status, "{v}");
    assert!(e["message"].is_string(), "{v}");
    assert!(e["code"].is_i64(), "{v}");
    assert!(e["slug"].is_string(), "{v}");
    assert!(e["request_id"].is_string(), "{v}");
}

/// `POST …/tool_router/session` with exactly these headers.
fn create_with(headers: &[(&str, &str)], body: &[u8]) -> composio_edge::transport::HttpRequest {
    let mut b = http::Request::post(format!("{ORIGIN}/api/v3.1/tool_router/session"));
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(body.to_vec()).unwrap()
}

#[test]
fn missing_api_key_is_401_envelope_with_request_id() {
    let emu = Emu::new();
    let r = emu.send(create_with(&[], br#"{"user_id":"u"}"#));
    assert_eq!(r.status, 401);
    assert_envelope(&r.json, 401);
    assert_eq!(r.json["error"]["slug"], "HTTP_Unauthorized");
    assert_eq!(
        r.headers["x-request-id"].to_str().unwrap(),
        r.json["error"]["request_id"].as_str().unwrap()
    );
}

#[test]
fn two_credential_headers_are_rejected() {
    let emu = Emu::new();
    let r = emu.send(create_with(
        &[("x-api-key", "ak_1"), ("x-user-api-key", "uak_1")],
        br#"{"user_id":"u"}"#,
    ));
    assert_eq!(r.status, 401);
    assert!(r.json["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Multiple authentication modes were provided"));
}

#[test]
fn user_api_key_alone_is_accepted() {
    let emu = Emu::new();
    let req = create_with(&[("x-user-api-key", "uak_1")], br#"{"user_id":"u"}"#);
    assert_eq!(emu.send(req).status, 201);
}

#[test]
fn unknown_route_wrong_method_and_bad_json() {
    let emu = Emu::new();
    let r = emu.api("GET", "/nope", None);
    assert_eq!(r.status, 404);
    assert_envelope(&r.json, 404);
    let r = emu.api("GET", "/tool_router/session", None);
    assert_eq!(r.status, 405);
    assert_envelope(&r.json, 405);
    assert!(r.headers.contains_key("allow"));
    let r = emu.send(create_with(&[("x-api-key", "k")], b"{not json"));
    assert_eq!(r.status, 400);
    assert_envelope(&r.json, 400);
    let r = emu.api("POST", "/tool_router/session", Some(json!({})));
    assert_eq!(r.status, 400);
    assert!(r.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("user_id"));
}

#[test]
fn create_answers_201_with_the_full_session_shape() {
    let emu = Emu::new();
    let s = emu.create(json!({
        "user_id": "user_123",
        "toolkits": {"enable": ["gmail", "github"]},
        "tools": {"gmail": {"enable": ["GMAIL_SEND_EMAIL"]}, "github": {"tags": ["readOnlyHint"]}},
        "tags": {"enable": ["readOnlyHint"], "disable": ["destructiveHint"]},
        "manage_connections": {"enable": true, "callback_url": "https://app.example/cb"},
        "connected_accounts": {"gmail": "ca_1"},
    }));
    let id = s["session_id"].as_str().unwrap();
    assert!(id.starts_with("trs_") && id.len() == 16, "{id}");
    assert_eq!(s["mcp"]["type"], "http");
    assert_eq!(s["mcp"]["url"], format!("{ORIGIN}/tool_router/{id}/mcp"));
    assert_eq!(
        s["tool_router_tools"],
        json!([
            "COMPOSIO_MULTI_EXECUTE_TOOL",
            "COMPOSIO_REMOTE_WORKBENCH",
            "COMPOSIO_SEARCH_TOOLS",
            "COMPOSIO_GET_TOOL_SCHEMAS",
            "COMPOSIO_REMOTE_BASH_TOOL",
            "COMPOSIO_MANAGE_CONNECTIONS"
        ])
    );
    let c = &s["config"];
    assert_eq!(c["user_id"], "user_123");
    assert_eq!(c["toolkits"], json!({"enabled": ["gmail", "github"]}));
    assert_eq!(
        c["tools"]["gmail"],
        json!({"enabled": ["GMAIL_SEND_EMAIL"]})
    );
    assert_eq!(
        c["tools"]["github"],
        json!({"tags": {"enabled": ["readOnlyHint"]}})
    );
    assert_eq!(
        c["tags"],
        json!({"enabled": ["readOnlyHint"], "disabled": ["destructiveHint"]})
    );
    assert_eq!(c["manage_connections"]["enabled"], true);
    assert_eq!(
        c["manage_connections"]["callback_url"],
        "https://app.example/cb"
    );
    assert_eq!(c["connected_accounts"], json!({"gmail": ["ca_1"]}));
    assert_eq!(c["preload"], json!({"tools": []}));
    assert_eq!(c["search"], json!({"enable": true}));
    assert_eq!(c["execute"], json!({"enable_multi_execute": true}));
    assert_eq!(s["config_version"], 1);
    assert!(s["experimental"]["assistive_prompt"].is_string());
    assert_eq!(s["warnings"], json!([]));
}

#[test]
fn enable_and_disable_together_are_rejected() {
    let emu = Emu::new();
    let r = emu.api(
        "POST",
        "/tool_router/session",
        Some(json!({"user_id": "u", "toolkits": {"enable": ["gmail"], "disable": ["slack"]}})),
    );
    assert_eq!(r.status, 400);
}

#[test]
fn custom_tools_are_echoed_with_local_slugs() {
    let emu = Emu::new();
    let schema = json!({"type": "object", "properties": {"pattern": {"type": "string"}}, "required": ["pattern"]});
    let s = emu.create(json!({"user_id": "u", "experimental": {
        "custom_tools": [
            {"slug": "GREP", "name": "Grep", "description": "grep files", "input_schema": schema},
            {"slug": "get_ad_accounts", "name": "Ads", "description": "ads", "input_schema": schema, "extends_toolkit": "meta_ads"}
        ],
        "custom_toolkits": [{"slug": "DEV_TOOLS", "name": "Dev", "description": "dev", "preload": true,
            "tools": [{"slug": "GREP", "name": "Grep", "description": "grep", "input_schema": schema}]}]
    }}));
    let e = &s["experimental"];
    assert_eq!(e["custom_tools"][0]["slug"], "LOCAL_GREP");
    assert_eq!(e["custom_tools"][0]["original_slug"], "GREP");
    assert_eq!(e["custom_tools"][0]["input_schema"], schema);
    assert_eq!(
        e["custom_tools"][1]["slug"],
        "LOCAL_META_ADS_GET_AD_ACCOUNTS"
    );
    assert_eq!(e["custom_tools"][1]["extends_toolkit"], "meta_ads");
    assert_eq!(e["custom_toolkits"][0]["slug"], "DEV_TOOLS");
    assert_eq!(e["custom_toolkits"][0]["preload"], true);
    assert_eq!(
        e["custom_toolkits"][0]["tools"][0]["slug"],
        "LOCAL_DEV_TOOLS_GREP"
    );
    assert_eq!(e["custom_toolkits"][0]["tools"][0]["original_slug"], "GREP");

    // Attach echoes the same mapping; retrieve carries none (v3.1 does not persist customs).
    let sid = s["session_id"].as_str().unwrap();
    let r = emu.api(
        "POST",
        &format!("/tool_router/session/{sid}/attach"),
        Some(json!({"experimental": {"custom_tools": [{"slug": "GREP", "name": "Grep", "description": "g", "input_schema": schema}]}})),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json["experimental"]["custom_tools"][0]["slug"],
        "LOCAL_GREP"
    );
    assert_eq!(r.json["config"]["user_id"], "u");
    let r = emu.api("GET", &format!("/tool_router/session/{sid}"), None);
    assert_eq!(r.status, 200);
    assert!(r.json["experimental"].get("custom_tools").is_none());
    assert!(r.json["experimental"].get("assistive_prompt").is_none());

    let bad = emu.api(
        "POST",
        "/tool_router/session",
        Some(json!({"user_id": "u",
        "experimental": {"custom_tools": [{"slug": "LOCAL_X", "name": "x", "description": "x"}]}})),
    );
    assert_eq!(bad.status, 400);
}

#[test]
fn patch_bumps_version_and_409s_on_stale_expected_version() {
    let emu = Emu::new();
    let sid = emu.session("u");
    let path = format!("/tool_router/session/{sid}");
    let r = emu.api(
        "PATCH",
        &path,
        Some(json!({"toolkits": ["github"], "expected_config_version": 1})),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["config_version"], 2);
    assert_eq!(r.json["config"]["toolkits"], json!({"enabled": ["github"]}));
    let r = emu.api(
        "PATCH",
        &path,
        Some(json!({"tags": ["readOnlyHint"], "expected_config_version": 1})),
    );
    assert_eq!(r.status, 409);
    assert_eq!(r.json["error"]["status"], 409);
    let r = emu.api(
        "PATCH",
        &path,
        Some(json!({"toolkits": null, "manage_connections": {"callback_url": "https://x.example/cb", "enable_wait_for_connections": true}})),
    );
    assert_eq!(r.json["config_version"], 3);
    assert!(r.json["config"].get("toolkits").is_none());
    assert_eq!(r.json["config"]["manage_connections"]["enabled"], true);
    assert_eq!(
        r.json["config"]["manage_connections"]["callback_url"],
        "https://x.example/cb"
    );
    assert!(r.json["tool_router_tools"]
        .as_array()
        .unwrap()
        .contains(&json!("COMPOSIO_WAIT_FOR_CONNECTIONS")));
    let r = emu.api("PATCH", &path, Some(json!({"execute": {"enable_multi_execute": false}, "search": {"enable": false}, "workbench": {"enable": false}})));
    assert_eq!(
        r.json["tool_router_tools"],
        json!([
            "COMPOSIO_MANAGE_CONNECTIONS",
            "COMPOSIO_WAIT_FOR_CONNECTIONS"
        ])
    );

    let h = emu.api("GET", &format!("{path}/config_history"), None);
    assert_eq!(h.status, 200);
    let items = h.json["items"].as_array().unwrap();
    let versions: Vec<u64> = items
        .iter()
        .map(|i| i["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, vec![4, 3, 2, 1]);
    assert_eq!(items[0]["is_current"], true);
    assert_eq!(items[1]["is_current"], false);
    assert_eq!(h.json["total_items"], 4);
    let page = emu.api("GET", &format!("{path}/config_history?limit=3"), None);
    assert_eq!(page.json["items"].as_array().unwrap().len(), 3);
    let cursor = page.json["next_cursor"].as_str().unwrap().to_owned();
    let next = emu.api(
        "GET",
        &format!("{path}/config_history?limit=3&cursor={cursor}"),
        None,
    );
    assert_eq!(next.json["items"][0]["version"], 1);
    assert!(next.json["next_cursor"].is_null());
}

#[test]
fn delete_then_404() {
    let emu = Emu::new();
    let sid = emu.session("u");
    let r = emu.api("DELETE", &format!("/tool_router/session/{sid}"), None);
    assert_eq!(r.status, 200);
    assert_eq!(r.json, json!({"session_id": sid, "deleted": true}));
    for (m, p) in [
        ("GET", ""),
        ("DELETE", ""),
        ("GET", "/tools"),
        ("POST", "/execute"),
    ] {
        let r = emu.api(
            m,
            &format!("/tool_router/session/{sid}{p}"),
            Some(json!({})),
        );
        assert_eq!(r.status, 404, "{m} {p}");
        assert_envelope(&r.json, 404);
    }
}

#[test]
fn v3_prefix_is_accepted() {
    let emu = Emu::new();
    let r = emu.call(
        "POST",
        "/api/v3/tool_router/session",
        Some(json!({"user_id": "u"})),
    );
    assert_eq!(r.status, 201);
}

#[test]
fn tools_lists_meta_tools_with_the_full_tool_shape_and_preloads() {
    let emu = Emu::new();
    let sid = emu
        .create(json!({"user_id": "u", "toolkits": ["github"], "preload": {"tools": "all"}}))
        ["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = emu.api(
        "GET",
        &format!("/tool_router/session/{sid}/tools?limit=500"),
        None,
    );
    assert_eq!(r.status, 200);
    let items = r.json["items"].as_array().unwrap();
    let slugs: Vec<&str> = items.iter().map(|t| t["slug"].as_str().unwrap()).collect();
    assert!(slugs.contains(&"COMPOSIO_SEARCH_TOOLS"));
    assert!(slugs.contains(&"GITHUB_CREATE_AN_ISSUE"));
    assert!(!slugs.iter().any(|s| s.starts_with("GMAIL_")));
    for t in items {
        for k in [
            "slug",
            "name",
            "description",
            "toolkit",
            "input_parameters",
            "output_parameters",
            "no_auth",
            "available_versions",
            "version",
            "scopes",
            "tags",
            "is_deprecated",
            "deprecated",
        ] {
            assert!(t.get(k).is_some(), "{k} missing in {}", t["slug"]);
        }
    }
    let search = items
        .iter()
        .find(|t| t["slug"] == "COMPOSIO_SEARCH_TOOLS")
        .unwrap();
    assert_eq!(search["toolkit"]["slug"], "composio");
    assert_eq!(search["input_parameters"]["required"], json!(["queries"]));
    assert!(search["tags"]
        .as_array()
        .unwrap()
        .contains(&json!("readOnlyHint")));
    assert_eq!(r.json["total_items"], items.len());
    // The tools endpoint decodes as the core's wire type.
    let _: Vec<composio_edge::wire::Tool> =
        composio_edge::json::from_value(r.json["items"].clone()).unwrap();

    let p1 = emu.api(
        "GET",
        &format!("/tool_router/session/{sid}/tools?limit=4"),
        None,
    );
    assert_eq!(p1.json["items"].as_array().unwrap().len(), 4);
    assert_eq!(p1.json["current_page"], 1);
    let c = p1.json["next_cursor"].as_str().unwrap();
    let p2 = emu.api(
        "GET",
        &format!("/tool_router/session/{sid}/tools?limit=4&cursor={c}"),
        None,
    );
    assert_eq!(p2.json["current_page"], 2);
    assert_ne!(p1.json["items"][0]["slug"], p2.json["items"][0]["slug"]);
    let bad = emu.api(
        "GET",
        &format!("/tool_router/session/{sid}/tools?cursor=%%%"),
        None,
    );
    assert_eq!(bad.status, 400);
}

#[test]
fn toolkits_filters_and_pagination() {
    let emu = Emu::new();
    let sid = emu.session("u");
    let base = format!("/tool_router/session/{sid}/toolkits");
    let all = emu.api("GET", &base, None);
    assert_eq!(all.status, 200);
    assert!(all.json["total_items"].as_u64().unwrap() >= 8);
    let gmail = all.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "gmail")
        .unwrap();
    assert_eq!(gmail["is_no_auth"], false);
    assert_eq!(gmail["composio_managed_auth_schemes"], json!(["OAUTH2"]));
    assert!(gmail["connected_account"].is_null());
    assert!(gmail["meta"]["logo"].is_string());

    let two = emu.api("GET", &format!("{base}?toolkits=gmail%2Cgithub"), None);
    let slugs: Vec<&str> = two.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, vec!["gmail", "github"]);

    let ca = emu.connect(&sid, "github");
    let conn = emu.api("GET", &format!("{base}?is_connected=true"), None);
    let items = conn.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["slug"], "github");
    assert_eq!(items[0]["connected_account"]["id"], ca.as_str());
    assert_eq!(items[0]["connected_account"]["status"], "ACTIVE");
    assert_eq!(
        items[0]["connected_account"]["auth_config"]["auth_scheme"],
        "OAUTH2"
    );

    let s = emu.api("GET", &format!("{base}?search=cal"), None);
    assert_eq!(s.json["items"][0]["slug"], "googlecalendar");

    let p = emu.api("GET", &format!("{base}?limit=3"), None);
    assert_eq!(p.json["items"].as_array().unwrap().len(), 3);
    assert_eq!(
        p.json["total_pages"],
        (all.json["total_items"].as_u64().unwrap()).div_ceil(3)
    );
    let c = p.json["next_cursor"].as_str().unwrap();
    let p2 = emu.api("GET", &format!("{base}?limit=3&cursor={c}"), None);
    assert_eq!(p2.json["current_page"], 2);
    let big = emu.api("GET", &format!("{base}?limit=500"), None);
    assert_eq!(big.status, 200);

    // The session's toolkit policy applies when no filter is given.
    let sid2 = emu.create(json!({"user_id": "u", "toolkits": {"disable": ["gmail"]}}))
        ["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = emu.api(
        "GET",
        &format!("/tool_router/session/{sid2}/toolkits?limit=50"),
        None,
    );
    assert!(!r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["slug"] == "gmail"));
}

#[test]
fn file_mounts_upload_list_download_delete() {
    let emu = Emu::new();
    let sid = emu.session("u");
    let base = format!("/tool_router/session/{sid}/mounts/files");
    let up = emu.api(
        "POST",
        &format!("{base}/upload_url"),
        Some(json!({"mount_relative_path": "data/out.csv", "mimetype": "text/csv"})),
    );
    assert_eq!(up.status, 201, "{}", up.text);
    let url = up.json["upload_url"].as_str().unwrap();
    assert_eq!(up.json["sandbox_mount_prefix"], "/mnt/files");
    let put = http::Request::put(url)
        .header("content-type", "text/csv")
        .body(b"a,b\n1,2\n".to_vec())
        .unwrap();
    assert_eq!(emu.raw(put).status(), 200);
    let list = emu.api(
        "GET",
        &format!("{base}/items?mount_relative_prefix=data%2F"),
        None,
    );
    assert_eq!(list.json["items"][0]["mount_relative_path"], "data/out.csv");
    assert_eq!(list.json["items"][0]["size"], 8);
    let down = emu.api(
        "POST",
        &format!("{base}/download_url"),
        Some(json!({"mount_relative_path": "data/out.csv"})),
    );
    assert_eq!(down.status, 201);
    let get = http::Request::get(down.json["download_url"].as_str().unwrap())
        .body(Vec::new())
        .unwrap();
    assert_eq!(emu.raw(get).body(), b"a,b\n1,2\n");
    let del = emu.api(
        "POST",
        &format!("{base}/delete"),
        Some(json!({"mount_relative_path": "data/out.csv"})),
    );
    assert_eq!(del.status, 200);
    let again = emu.api(
        "POST",
        &format!("{base}/delete"),
        Some(json!({"mount_relative_path": "data/out.csv"})),
    );
    assert_eq!(again.status, 404);
    let evil = emu.api(
        "POST",
        &format!("{base}/upload_url"),
        Some(json!({"mount_relative_path": "../x"})),
    );
    assert_eq!(evil.status, 400);
}

#[test]
fn state_lives_in_the_store_across_emulator_instances() {
    let emu = Emu::new();
    let sid = emu.session("u");
    // A fresh Emulator over the same store (a restarted Durable Object) sees the session.
    let again = Emu {
        emu: composio_edge::emulator::Emulator::new(),
        store: emu.store.clone(),
        rt: composio_edge::runtime::TestRuntime::new(emulator_support::START_MS),
    };
    assert_eq!(
        again
            .api("GET", &format!("/tool_router/session/{sid}"), None)
            .status,
        200
    );
}

#[test]
fn mcp_url_answers_json_rpc() {
    let emu = Emu::new();
    let s =
        emu.create(json!({"user_id": "u", "preload": {"tools": ["HACKERNEWS_GET_TOP_STORIES"]}}));
    let url = s["mcp"]["url"].as_str().unwrap();
    let path = url.strip_prefix(ORIGIN).unwrap();
    let rpc = |body: Value| emu.call("POST", path, Some(body));
    let init = rpc(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18"}}),
    );
    assert_eq!(init.status, 200);
    assert_eq!(
        init.json["result"]["serverInfo"]["name"],
        "composio-edge-emulator"
    );
    let note = rpc(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    assert_eq!(note.status, 202);
    let list = rpc(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}));
    let names: Vec<&str> = list.json["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"COMPOSIO_SEARCH_TOOLS") && names.contains(&"HACKERNEWS_GET_TOP_STORIES")
    );
    let call = rpc(
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "HACKERNEWS_GET_TOP_STORIES", "arguments": {"limit": 2}}}),
    );
    assert_eq!(call.json["result"]["isError"], false);
    assert_eq!(
        call.json["result"]["structuredContent"]["data"]["stories"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let unknown = rpc(json!({"jsonrpc": "2.0", "id": 4, "method": "resources/list"}));
    assert_eq!(unknown.json["error"]["code"], -32601);
    let no_key = http::Request::post(url).body(b"{}".to_vec()).unwrap();
    assert_eq!(emu.send(no_key).status, 401);
}

//! No input makes the emulator panic or answer 500: every route × method × odd body.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod emulator_support;

use composio_edge::http;
use composio_edge::json;
use emulator_support::{Emu, ORIGIN};

#[test]
fn odd_inputs_never_panic_or_500() {
    let emu = Emu::new();
    let sid = emu.session("robust");
    emu.connect(&sid, "github");
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let bodies: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"\"str\"".to_vec(),
        b"12".to_vec(),
        b"{}".to_vec(),
        b"{\"a\":".to_vec(),
        deep.into_bytes(),
        vec![0xff, 0xfe, 0x00],
        serde_json::to_vec(&json!({"user_id": 5, "toolkits": "x", "tools": [1], "tags": 3, "queries": {}, "tool_slug": 7,
            "arguments": [], "slug": null, "toolkit": {}, "callback_url": 1, "expected_config_version": -1,
            "manage_connections": "yes", "workbench": [], "preload": {"tools": 3}, "experimental": {"custom_tools": [1]}})).unwrap(),
        serde_json::to_vec(&json!({"tool_slug": "COMPOSIO_MULTI_EXECUTE_TOOL", "arguments": {"tools": [1, null, {"tool_slug": 3}, {"tool_slug": "GITHUB_LIST_ISSUES", "arguments": "not json"}]}})).unwrap(),
        serde_json::to_vec(&json!({"tool_slug": "GITHUB_LIST_ISSUES", "arguments": {"owner": "o", "repo": "r", "per_page": 1e300, "page": -5}})).unwrap(),
        serde_json::to_vec(&json!({"tool_slug": "GOOGLECALENDAR_CREATE_EVENT", "arguments": {"summary": "x", "start_datetime": "99999999999-01-01T00:00:00Z"}})).unwrap(),
        serde_json::to_vec(&json!({"tool_slug": "GOOGLECALENDAR_FIND_FREE_SLOTS", "arguments": {"time_min": "9999-12-31T23:59:59+23:59", "time_max": "0001-01-01T00:00:00-23:59"}})).unwrap(),
        serde_json::to_vec(&json!({"queries": [{"use_case": "ŝéñd ëmåil 🚀 \u{0} <b>", "known_fields": "a:b"}]})).unwrap(),
        "x".repeat(100_000).into_bytes(),
    ];
    let paths = [
        "/api/v3.1/tool_router/session".to_owned(),
        format!("/api/v3.1/tool_router/session/{sid}"),
        format!("/api/v3.1/tool_router/session/{sid}/attach"),
        format!("/api/v3.1/tool_router/session/{sid}/config_history?limit=abc&cursor=zz"),
        format!("/api/v3.1/tool_router/session/{sid}/tools?limit=0"),
        format!("/api/v3.1/tool_router/session/{sid}/search"),
        format!("/api/v3.1/tool_router/session/{sid}/execute"),
        format!("/api/v3.1/tool_router/session/{sid}/execute_meta"),
        format!("/api/v3.1/tool_router/session/{sid}/link"),
        format!("/api/v3.1/tool_router/session/{sid}/toolkits?is_connected=maybe&limit=-1"),
        format!("/api/v3.1/tool_router/session/{sid}/proxy_execute"),
        format!("/api/v3.1/tool_router/session/{sid}/mounts/files/items"),
        format!("/api/v3.1/tool_router/session/{sid}/mounts/..%2F/upload_url"),
        format!("/api/v3.1/tool_router/session/{sid}/mounts/files/download_url"),
        "/api/v3.1/connected_accounts/link".to_owned(),
        "/api/v3.1/connected_accounts/%00".to_owned(),
        "/api/v3.1/session_configs".to_owned(),
        "/link/ln_%3Cx%3E".to_owned(),
        "/link/".to_owned(),
        "/__emulator/faults".to_owned(),
        "/__emulator/files/fu_x".to_owned(),
        "/api/v3.1/tool_router/session/trs_doesnotexist/execute".to_owned(),
        "/".to_owned(),
    ];
    for path in &paths {
        for method in ["GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS"] {
            for body in &bodies {
                if path.starts_with("/__emulator/faults") && method == "POST" {
                    continue; // would queue real faults
                }
                if method == "DELETE" && path.ends_with(&sid) {
                    continue; // keeps the session for the other routes; deleted below
                }
                let req = http::Request::builder()
                    .method(method)
                    .uri(format!("{ORIGIN}{path}"))
                    .header("x-api-key", "k")
                    .body(body.clone())
                    .unwrap();
                let res = emu.raw(req);
                assert!(
                    res.status().as_u16() < 500,
                    "{method} {path} → {}",
                    res.status()
                );
                assert!(res.headers().contains_key("x-request-id"));
            }
        }
    }
    // The session survived all of it.
    assert_eq!(
        emu.api("GET", &format!("/tool_router/session/{sid}"), None)
            .status,
        200
    );
    assert_eq!(
        emu.api("DELETE", &format!("/tool_router/session/{sid}"), None)
            .status,
        200
    );
    assert_eq!(
        emu.api(
            "POST",
            "/tool_router/session",
            Some(json!({"user_id": "again"}))
        )
        .status,
        201
    );
}

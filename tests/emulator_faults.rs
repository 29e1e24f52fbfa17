//! Fault injection (`/__emulator/faults`) and reset.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod emulator_support;

use composio_edge::emulator::{Emulator, InProcess};
use composio_edge::error::TransportErrorKind;
use composio_edge::http;
use composio_edge::json;
use composio_edge::runtime::{block_on, Runtime};
use composio_edge::transport::Transport;
use composio_edge::Error;
use emulator_support::Emu;

fn queue(emu: &Emu, fault: composio_edge::json::Value) {
    let r = emu.call("POST", "/__emulator/faults", Some(fault));
    assert_eq!(r.status, 201, "{}", r.text);
}

#[test]
fn status_faults_carry_retry_headers_and_count_down() {
    let emu = Emu::new();
    queue(
        &emu,
        json!({"path_prefix": "/api/v3.1/tool_router/session", "count": 2, "status": 503, "retry_after": 1, "retry_after_ms": 250}),
    );
    for _ in 0..2 {
        let r = emu.api(
            "POST",
            "/tool_router/session",
            Some(json!({"user_id": "u"})),
        );
        assert_eq!(r.status, 503);
        assert_eq!(r.json["error"]["status"], 503);
        assert_eq!(r.headers["retry-after"], "1");
        assert_eq!(r.headers["retry-after-ms"], "250");
        assert!(r.headers.contains_key("x-request-id"));
    }
    let r = emu.api(
        "POST",
        "/tool_router/session",
        Some(json!({"user_id": "u"})),
    );
    assert_eq!(r.status, 201);
    let pending = emu.call("GET", "/__emulator/faults", None);
    assert_eq!(pending.json["pending"], json!([]));
}

#[test]
fn faults_match_by_prefix_in_queue_order() {
    let emu = Emu::new();
    let sid = emu.session("u");
    queue(
        &emu,
        json!([{"path_prefix": "/api/v3.1/tool_router/session/", "status": 429, "retry_after": "2"},
                       {"path_prefix": "/api/v3.1/connected_accounts", "status": 500}]),
    );
    // Not matching: the create route has no trailing slash.
    assert_eq!(
        emu.api(
            "POST",
            "/tool_router/session",
            Some(json!({"user_id": "u"}))
        )
        .status,
        201
    );
    assert_eq!(emu.api("GET", "/connected_accounts/ca_x", None).status, 500);
    assert_eq!(
        emu.api("GET", &format!("/tool_router/session/{sid}"), None)
            .status,
        429
    );
    assert_eq!(
        emu.api("GET", &format!("/tool_router/session/{sid}"), None)
            .status,
        200
    );
}

#[test]
fn latency_uses_the_runtime_clock() {
    let emu = Emu::new();
    let sid = emu.session("u");
    queue(&emu, json!({"path_prefix": "/api/", "latency_ms": 1500}));
    let before = emu.rt.now_ms();
    assert_eq!(
        emu.api("GET", &format!("/tool_router/session/{sid}"), None)
            .status,
        200
    );
    assert_eq!(emu.rt.sleeps(), vec![1500]);
    assert_eq!(emu.rt.now_ms() - before, 1500);
}

#[test]
fn truncated_and_not_json_bodies() {
    let emu = Emu::new();
    let sid = emu.session("u");
    queue(&emu, json!({"path_prefix": "/api/", "body": "truncated"}));
    let r = emu.api("GET", &format!("/tool_router/session/{sid}"), None);
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<composio_edge::json::Value>(&r.text).is_err());
    assert!(r.text.starts_with('{') && r.text.contains('"'));
    queue(
        &emu,
        json!({"path_prefix": "/api/", "body": "not_json", "status": 502}),
    );
    let r = emu.api("GET", &format!("/tool_router/session/{sid}"), None);
    assert_eq!(r.status, 502);
    assert!(r.text.starts_with("<html>"));
    assert_eq!(r.headers["content-type"], "text/html");
}

#[test]
fn dropped_connections_become_transport_errors_in_process() {
    let t = InProcess {
        emulator: Emulator::new(),
        store: composio_edge::store::MemoryStore::default(),
        runtime: composio_edge::runtime::TestRuntime::new(0),
    };
    let post = |path: &str, body: composio_edge::json::Value| {
        http::Request::post(format!("http://emu.test{path}"))
            .header("x-api-key", "k")
            .body(serde_json::to_vec(&body).unwrap())
            .unwrap()
    };
    let r = block_on(t.send(post(
        "/__emulator/faults",
        json!({"path_prefix": "/api/", "drop": true}),
    )))
    .unwrap();
    assert_eq!(r.status(), 201);
    let err = block_on(t.send(post(
        "/api/v3.1/tool_router/session",
        json!({"user_id": "u"}),
    )))
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportErrorKind::Connect,
                ..
            }
        ),
        "{err:?}"
    );
    let ok = block_on(t.send(post(
        "/api/v3.1/tool_router/session",
        json!({"user_id": "u"}),
    )))
    .unwrap();
    assert_eq!(ok.status(), 201);
}

#[test]
fn clear_and_validation() {
    let emu = Emu::new();
    queue(
        &emu,
        json!({"path_prefix": "/api/", "status": 500, "count": 5}),
    );
    let r = emu.call("DELETE", "/__emulator/faults", None);
    assert_eq!(r.json["cleared"], 1);
    assert_eq!(
        emu.api(
            "POST",
            "/tool_router/session",
            Some(json!({"user_id": "u"}))
        )
        .status,
        201
    );
    for bad in [
        json!({}),
        json!({"path_prefix": "api"}),
        json!({"path_prefix": "/", "count": 0}),
        json!({"path_prefix": "/", "status": 99}),
        json!({"path_prefix": "/", "body": "garbage"}),
    ] {
        assert_eq!(
            emu.call("POST", "/__emulator/faults", Some(bad.clone()))
                .status,
            400,
            "{bad}"
        );
    }
    assert_eq!(emu.call("PUT", "/__emulator/faults", None).status, 405);
}

#[test]
fn reset_empties_all_state() {
    let emu = Emu::new();
    let sid = emu.session("u");
    emu.connect(&sid, "github");
    queue(&emu, json!({"path_prefix": "/nothing"}));
    assert!(!emu.store.is_empty());
    let r = emu.call("POST", "/__emulator/reset", None);
    assert_eq!(r.status, 200);
    assert_eq!(r.json["reset"], true);
    assert!(emu.store.is_empty());
    assert_eq!(
        emu.api("GET", &format!("/tool_router/session/{sid}"), None)
            .status,
        404
    );
    let h = emu.call("GET", "/__emulator/health", None);
    assert_eq!(h.json["ok"], true);
    assert!(h.json["tools"].as_u64().unwrap() >= 40);
}

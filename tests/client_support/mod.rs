//! Shared helpers for the client tests: a recording client, fixtures, request assertions.
#![allow(dead_code)]

use std::rc::Rc;

use composio_edge::client::{Client, ClientConfig, CustomTool};
use composio_edge::http;
use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::runtime::TestRuntime;
use composio_edge::secret::ApiKey;
use composio_edge::transport::{
    json_response, HttpRequest, HttpResponse, RecordingTransport, RetryPolicy,
};

pub type TestClient = Client<Rc<RecordingTransport>, TestRuntime>;

pub const BASE: &str = "https://backend.composio.dev";
pub const SID: &str = "trs_PTncEoK-r2ZE";

pub fn client_with(config: ClientConfig) -> (TestClient, Rc<RecordingTransport>) {
    let t = Rc::new(RecordingTransport::new());
    let c = Client::new(config, t.clone(), TestRuntime::new(1_700_000_000_000)).unwrap();
    (c, t)
}

pub fn client() -> (TestClient, Rc<RecordingTransport>) {
    client_with(ClientConfig::new(ApiKey::new("ak_test")))
}

pub fn client_no_retry() -> (TestClient, Rc<RecordingTransport>) {
    client_with(
        ClientConfig::new(ApiKey::new("ak_test")).with_retry(RetryPolicy {
            max_retries: 0,
            timeout_ms: 60_000,
        }),
    )
}

pub fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/client/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn ok(status: u16, v: Value) -> HttpResponse {
    json_response(status, &v)
}

pub fn raw(status: u16, body: &[u8]) -> HttpResponse {
    let mut r = http::Response::new(body.to_vec());
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
    r
}

pub fn envelope(status: u16, msg: &str) -> HttpResponse {
    json_response(
        status,
        &json!({"error": {"message": msg, "code": 10000 + status as i64, "slug": "Some_Slug", "status": status,
            "request_id": "req_body", "suggested_fix": "fix it", "errors": ["field bad"]}}),
    )
}

/// Asserts method, path, exact query (None = no query) and JSON body (None = no body), and the
/// header set of wire §1.2–1.3.
pub fn assert_request(
    req: &HttpRequest,
    method: &str,
    path: &str,
    query: Option<&str>,
    body: Option<Value>,
) {
    assert_eq!(req.method().as_str(), method, "method");
    assert_eq!(req.uri().scheme_str(), Some("https"));
    assert_eq!(req.uri().host(), Some("backend.composio.dev"));
    assert_eq!(req.uri().path(), path, "path");
    assert_eq!(req.uri().query(), query, "query");
    match body {
        Some(b) => {
            let got: Value = serde_json::from_slice(req.body()).expect("json body");
            assert_eq!(got, b, "body");
        }
        None => assert!(req.body().is_empty(), "no body expected"),
    }
    assert_headers(req, !req.body().is_empty());
}

/// The exact default header set.
pub fn assert_headers(req: &HttpRequest, with_body: bool) {
    let h = req.headers();
    let mut names: Vec<&str> = h.keys().map(|k| k.as_str()).collect();
    names.sort();
    let mut want = vec![
        "accept",
        "user-agent",
        "x-api-key",
        "x-runtime",
        "x-sdk-version",
        "x-source",
    ];
    if with_body {
        want.push("content-type");
    }
    want.sort();
    assert_eq!(names, want, "header set");
    assert_eq!(h.get_all("x-api-key").iter().count(), 1);
    assert_eq!(h["x-api-key"], "ak_test");
    assert_eq!(h["accept"], "application/json");
    assert_eq!(
        h["user-agent"],
        format!("composio-edge/{} (rust)", env!("CARGO_PKG_VERSION")).as_str()
    );
    assert_eq!(h["x-source"], "RUST_SDK");
    assert_eq!(h["x-sdk-version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(h["x-runtime"], "UNKNOWN");
    if with_body {
        assert_eq!(h["content-type"], "application/json");
    }
    assert_eq!(
        req.extensions().get::<composio_edge::transport::Timeout>(),
        Some(&composio_edge::transport::Timeout(60_000))
    );
}

pub fn grep_schema() -> Value {
    json!({"type":"object","properties":{"pattern":{"type":"string"}},"required":["pattern"]})
}

pub fn grep_tool() -> CustomTool {
    CustomTool::new(
        "GREP",
        "Grep",
        "grep files",
        grep_schema(),
        |args, _ctx| async move { Ok(json!({"matches": [args["pattern"].clone()]})) },
    )
    .unwrap()
}

pub fn grep_wire() -> Value {
    json!({"slug":"GREP","name":"Grep","description":"grep files","input_schema": grep_schema()})
}

/// A create response echoing `custom_tools` / `custom_toolkits`.
pub fn session_response(custom_tools: Value, custom_toolkits: Value) -> Value {
    json!({
        "session_id": SID,
        "mcp": {"type": "http", "url": format!("{BASE}/tool_router/{SID}/mcp")},
        "tool_router_tools": [],
        "config": {"user_id": "user_123", "preload": {"tools": []}, "search": {"enable": true}, "execute": {"enable_multi_execute": true}},
        "config_version": 1,
        "experimental": {"custom_tools": custom_tools, "custom_toolkits": custom_toolkits}
    })
}

pub fn execute_ok(data: Value, log: &str) -> HttpResponse {
    json_response(
        200,
        &json!({"result_type": "completed", "data": data, "error": null, "log_id": log}),
    )
}

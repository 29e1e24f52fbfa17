//! The session client over arbitrary upstream answers (status, retry headers, body): no panic,
//! executes are sent exactly once, reads at most 1 + max_retries times, every error has a
//! stable code, and the API key never appears in an error's text.
//!
//! Input: one op byte, then up to 4 answers separated by NUL, each `STATUS(2, LE) FLAGS BODY`
//! (flags: 1 = `retry-after: 0`, 2 = `x-should-retry: false`, 4 = `x-request-id`).
#![no_main]

use std::rc::Rc;

use composio_edge::http;
use composio_edge::client::{Client, ClientConfig, CreateSession, SearchRequest, ToolkitsQuery};
use composio_edge::runtime::{block_on, TestRuntime};
use composio_edge::secret::ApiKey;
use composio_edge::transport::{RecordingTransport, RetryPolicy};
use composio_edge::Error;
use libfuzzer_sys::fuzz_target;
use composio_edge::json;

const KEY: &str = "ak_fuzz_5ecret_k3y";

fn answer(seg: &[u8]) -> Option<http::Response<Vec<u8>>> {
    let [a, b, flags] = *seg.get(..3)? else {
        return None;
    };
    let body = seg.get(3..)?;
    let mut res = http::Response::new(body.to_vec());
    *res.status_mut() = http::StatusCode::from_u16(100 + u16::from_le_bytes([a, b]) % 500).ok()?;
    let h = res.headers_mut();
    if flags & 1 != 0 {
        h.insert("retry-after", http::HeaderValue::from_static("0"));
    }
    if flags & 2 != 0 {
        h.insert("x-should-retry", http::HeaderValue::from_static("false"));
    }
    if flags & 4 != 0 {
        h.insert("x-request-id", http::HeaderValue::from_static("req_fuzz"));
    }
    h.insert(
        "content-type",
        http::HeaderValue::from_static("application/json"),
    );
    Some(res)
}

fuzz_target!(|data: &[u8]| {
    let Some((&op, rest)) = data.split_first() else {
        return;
    };
    let t = Rc::new(RecordingTransport::new());
    for seg in rest.split(|&b| b == 0).take(4) {
        if let Some(r) = answer(seg) {
            t.push(r);
        }
    }
    let retry = RetryPolicy {
        max_retries: 2,
        timeout_ms: 1_000,
    };
    let config = ClientConfig::new(ApiKey::new(KEY)).with_retry(retry);
    let client = Client::new(config, t.clone(), TestRuntime::new(1_700_000_000_000))
        .expect("a valid config");
    let session = client.session("trs_fuzz", Some("u1".into()));
    let (result, is_execute): (Result<String, Error>, bool) = block_on(async {
        match op % 10 {
            0 => (
                client
                    .create_session(&CreateSession::new("u1"))
                    .await
                    .map(|s| format!("{s:?}")),
                false,
            ),
            1 => (session.tools().await.map(|v| format!("{v:?}")), false),
            2 => (
                session
                    .search(&SearchRequest::new("send an email"))
                    .await
                    .map(|v| format!("{v:?}")),
                false,
            ),
            3 => (
                session
                    .execute("GMAIL_SEND_EMAIL", json!({"to": "a@b.c"}), None)
                    .await
                    .map(|v| format!("{v:?}")),
                true,
            ),
            4 => (
                session
                    .execute_meta("COMPOSIO_SEARCH_TOOLS", json!({}))
                    .await
                    .map(|v| format!("{v:?}")),
                true,
            ),
            5 => (
                session
                    .toolkits(&ToolkitsQuery::default())
                    .await
                    .map(|v| format!("{v:?}")),
                false,
            ),
            6 => (
                client
                    .get_connected_account("ca_fuzz")
                    .await
                    .map(|v| format!("{v:?}")),
                false,
            ),
            7 => (
                client
                    .wait_for_connection("ca_fuzz", Some(3_000))
                    .await
                    .map(|v| format!("{v:?}")),
                false,
            ),
            8 => (
                session
                    .execute_tool_call("GITHUB_STAR_REPO", json!("{\"repo\":\"x\"}"))
                    .await
                    .map(|v| format!("{v:?}")),
                true,
            ),
            _ => (
                client
                    .use_session("trs_fuzz")
                    .await
                    .map(|s| format!("{s:?}")),
                false,
            ),
        }
    });
    let sent = t.requests().len();
    if is_execute {
        assert_eq!(sent, 1, "an execute was sent {sent} times");
    } else if op % 10 != 7 {
        assert!((1..=3).contains(&sent), "a read was sent {sent} times");
    }
    let carries_key = data.windows(KEY.len()).any(|w| w == KEY.as_bytes());
    match result {
        Ok(text) => assert!(
            carries_key || !text.contains(KEY),
            "key in a result's Debug"
        ),
        Err(e) => {
            assert!(!e.code().is_empty());
            let shown = format!("{e} {e:?}");
            assert!(
                carries_key || !shown.contains(KEY),
                "key in an error: {shown}"
            );
            let _ = (e.http_status(), e.is_retryable(), e.request_id());
        }
    }
});

//! Retries (wire §1.6): which operations retry, how often, with which delays; execute, PATCH and
//! proxy never do.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_support;

use client_support::*;
use composio_edge::client::*;
use composio_edge::error::TransportErrorKind;
use composio_edge::json;
use composio_edge::runtime::{block_on, Runtime};
use composio_edge::transport::{transport_error, HttpResponse};

fn with_header(mut r: HttpResponse, k: &'static str, v: &str) -> HttpResponse {
    r.headers_mut().insert(k, v.parse().unwrap());
    r
}

fn session_ok() -> HttpResponse {
    ok(200, json!({"session_id": SID}))
}

#[test]
fn gets_retry_twice_on_retryable_statuses() {
    for status in [408u16, 409, 429, 500, 502, 503, 504] {
        let (c, t) = client();
        t.push(envelope(status, "x"));
        t.push(envelope(status, "x"));
        t.push(session_ok());
        block_on(c.use_session(SID)).unwrap_or_else(|e| panic!("{status}: {e}"));
        assert_eq!(t.requests().len(), 3, "{status}");
        // identical requests each attempt
        let reqs = t.requests();
        assert_eq!(reqs[0].uri(), reqs[2].uri());
    }
}

#[test]
fn gives_up_after_max_retries() {
    let (c, t) = client();
    for _ in 0..5 {
        t.push(envelope(503, "down"));
    }
    let e = block_on(c.use_session(SID)).unwrap_err();
    assert_eq!(e.http_status(), 503);
    assert_eq!(t.requests().len(), 3);
    assert_eq!(c.runtime().sleeps().len(), 2);
}

#[test]
fn non_retryable_statuses_are_not_retried() {
    for status in [400u16, 401, 403, 404, 422] {
        let (c, t) = client();
        t.push(envelope(status, "x"));
        assert!(block_on(c.use_session(SID)).is_err());
        assert_eq!(t.requests().len(), 1, "{status}");
        assert!(c.runtime().sleeps().is_empty());
    }
}

#[test]
fn connection_errors_and_timeouts_are_retried_but_not_aborts() {
    let (c, t) = client();
    t.push_error(transport_error(TransportErrorKind::Connect, "refused"));
    t.push_error(transport_error(TransportErrorKind::Timeout, "slow"));
    t.push(session_ok());
    block_on(c.use_session(SID)).unwrap();
    assert_eq!(t.requests().len(), 3);

    let (c, t) = client();
    t.push_error(transport_error(TransportErrorKind::Aborted, "aborted"));
    assert_eq!(block_on(c.use_session(SID)).unwrap_err().code(), "aborted");
    assert_eq!(t.requests().len(), 1);
}

#[test]
fn create_link_search_and_reads_retry() {
    let (c, t) = client();
    let s = c.session(SID, None);
    t.push(envelope(500, "x"));
    t.push(ok(201, json!({"session_id": SID})));
    block_on(c.create_session(&CreateSession::new("u"))).unwrap();
    t.push(envelope(429, "x"));
    t.push(ok(201, json!({"connected_account_id": "ca_1"})));
    block_on(s.authorize("gmail", &LinkOptions::default())).unwrap();
    t.push(envelope(502, "x"));
    t.push(ok(201, json!({"connected_account_id": "ca_1"})));
    block_on(c.create_link(&ConnectedAccountLink {
        auth_config_id: "ac".into(),
        user_id: "u".into(),
        ..Default::default()
    }))
    .unwrap();
    t.push(envelope(503, "x"));
    t.push(ok(200, json!({"items": []})));
    block_on(s.toolkits(&ToolkitsQuery::default())).unwrap();
    t.push(envelope(503, "x"));
    t.push(ok(200, json!({"items": []})));
    block_on(s.tools()).unwrap();
    assert_eq!(t.requests().len(), 10);
}

#[test]
fn execute_execute_meta_proxy_and_patch_are_never_retried() {
    type Check = Box<dyn Fn(&TestClient) -> bool>;
    let never: Vec<(&str, Check)> = vec![
        (
            "execute",
            Box::new(|c: &TestClient| {
                block_on(c.session(SID, None).execute("GMAIL_X", json!({}), None)).is_err()
            }),
        ),
        (
            "execute_tool_call",
            Box::new(|c: &TestClient| {
                block_on(c.session(SID, None).execute_tool_call("GMAIL_X", json!({}))).is_err()
            }),
        ),
        (
            "execute_meta",
            Box::new(|c: &TestClient| {
                block_on(
                    c.session(SID, None)
                        .execute_meta("COMPOSIO_SEARCH_TOOLS", json!({})),
                )
                .is_err()
            }),
        ),
        (
            "proxy",
            Box::new(|c: &TestClient| {
                block_on(
                    c.session(SID, None)
                        .proxy_execute(&ProxyRequest::new("github", "/u", "GET")),
                )
                .is_err()
            }),
        ),
        (
            "patch",
            Box::new(|c: &TestClient| {
                block_on(c.session(SID, None).update(&UpdateSession::default())).is_err()
            }),
        ),
    ];
    for (name, op) in never {
        for failure in 0..4 {
            let (c, t) = client();
            match failure {
                0 => t.push(envelope(503, "x")),
                1 => t.push(envelope(429, "x")),
                2 => t.push(with_header(envelope(500, "x"), "x-should-retry", "true")),
                _ => t.push_error(transport_error(TransportErrorKind::Timeout, "slow")),
            }
            t.push(ok(
                200,
                json!({"session_id": SID, "data": {}, "error": null, "log_id": "l", "status": 200}),
            ));
            assert!(op(&c), "{name}: the failure must surface");
            assert_eq!(t.requests().len(), 1, "{name} retried");
            assert!(c.runtime().sleeps().is_empty());
        }
    }
}

#[test]
fn delays_follow_retry_after_ms_then_retry_after_then_backoff() {
    // retry-after-ms
    let (c, t) = client();
    t.push(with_header(envelope(429, "x"), "retry-after-ms", "1234"));
    t.push(with_header(envelope(429, "x"), "retry-after", "3"));
    t.push(session_ok());
    block_on(c.use_session(SID)).unwrap();
    assert_eq!(c.runtime().sleeps(), vec![1234, 3000]);

    // HTTP date relative to the runtime clock (TestRuntime starts at 1_700_000_000_000 ms)
    let (c, t) = client();
    let date = "Tue, 14 Nov 2023 22:13:25 GMT"; // 1_700_000_005_000
    t.push(with_header(envelope(503, "x"), "retry-after", date));
    t.push(session_ok());
    block_on(c.use_session(SID)).unwrap();
    assert_eq!(c.runtime().sleeps(), vec![5000]);

    // out of range (≥ 60 s) or garbage → jittered exponential backoff
    let (c, t) = client();
    t.push(with_header(envelope(503, "x"), "retry-after", "120"));
    t.push(with_header(envelope(503, "x"), "retry-after-ms", "soon"));
    t.push(session_ok());
    block_on(c.use_session(SID)).unwrap();
    let sleeps = c.runtime().sleeps();
    assert_eq!(sleeps.len(), 2);
    assert!((375..=500).contains(&sleeps[0]), "{sleeps:?}");
    assert!((750..=1000).contains(&sleeps[1]), "{sleeps:?}");
}

#[test]
fn jitter_comes_from_the_runtime() {
    // Same seed → same delays; the expected value is computed from the runtime's own stream.
    let (c, t) = client();
    let probe = composio_edge::runtime::TestRuntime::new(0);
    let j0 = probe.random_f64();
    let j1 = probe.random_f64();
    t.push(envelope(500, "x"));
    t.push(envelope(500, "x"));
    t.push(session_ok());
    block_on(c.use_session(SID)).unwrap();
    let want = vec![
        composio_edge::transport::retry_delay_ms(0, None, j0, 0),
        composio_edge::transport::retry_delay_ms(1, None, j1, 0),
    ];
    assert_eq!(c.runtime().sleeps(), want);
}

#[test]
fn x_should_retry_forces_and_forbids() {
    let (c, t) = client();
    t.push(with_header(envelope(400, "x"), "x-should-retry", "true"));
    t.push(session_ok());
    block_on(c.use_session(SID)).unwrap();
    assert_eq!(t.requests().len(), 2);

    let (c, t) = client();
    t.push(with_header(envelope(503, "x"), "x-should-retry", "false"));
    t.push(session_ok());
    assert!(block_on(c.use_session(SID)).is_err());
    assert_eq!(t.requests().len(), 1);
}

#[test]
fn max_retries_is_configurable() {
    let (c, t) = client_with(
        ClientConfig::new(composio_edge::secret::ApiKey::new("ak_test")).with_retry(
            composio_edge::transport::RetryPolicy {
                max_retries: 4,
                timeout_ms: 5_000,
            },
        ),
    );
    for _ in 0..4 {
        t.push(envelope(503, "x"));
    }
    t.push(session_ok());
    block_on(c.use_session(SID)).unwrap();
    let reqs = t.requests();
    assert_eq!(reqs.len(), 5);
    for r in &reqs {
        assert_eq!(
            r.extensions().get::<composio_edge::transport::Timeout>(),
            Some(&composio_edge::transport::Timeout(5_000))
        );
    }
}

#[test]
fn a_success_is_never_retried_even_with_x_should_retry() {
    let (c, t) = client();
    t.push(with_header(session_ok(), "x-should-retry", "true"));
    t.push(session_ok());
    block_on(c.use_session(SID)).unwrap();
    assert_eq!(t.requests().len(), 1);
}

//! Per endpoint: success with unknown extra fields, 4xx/5xx envelopes, a 200 carrying an error
//! envelope, garbage and truncated bodies, transport failures.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_support;

use client_support::*;
use composio_edge::client::*;
use composio_edge::error::TransportErrorKind;
use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::runtime::block_on;
use composio_edge::transport::transport_error;
use composio_edge::Error;

type Op = Box<dyn Fn(&TestClient) -> Result<(), Error>>;

fn ops() -> Vec<(&'static str, Value, Op)> {
    let sess = |c: &TestClient| c.session(SID, Some("u".into()));
    let session_body =
        json!({"session_id": SID, "config": {"preload": {"tools": []}}, "surprise": [1]});
    vec![
        (
            "create",
            session_body.clone(),
            Box::new(|c: &TestClient| {
                block_on(c.create_session(&CreateSession::new("u"))).map(|_| ())
            }),
        ),
        (
            "use",
            session_body.clone(),
            Box::new(|c: &TestClient| block_on(c.use_session(SID)).map(|_| ())),
        ),
        (
            "attach",
            session_body.clone(),
            Box::new(|c: &TestClient| {
                block_on(c.attach_session(SID, Customs::default())).map(|_| ())
            }),
        ),
        (
            "update",
            session_body.clone(),
            Box::new(move |c: &TestClient| {
                block_on(sess(c).update(&UpdateSession::default())).map(|_| ())
            }),
        ),
        (
            "delete",
            json!({"session_id": SID, "deleted": true, "extra": 1}),
            Box::new(move |c: &TestClient| block_on(sess(c).delete()).map(|_| ())),
        ),
        (
            "config_history",
            json!({"items": [], "extra": 1}),
            Box::new(move |c: &TestClient| {
                block_on(sess(c).config_history(None, None)).map(|_| ())
            }),
        ),
        (
            "tools",
            json!({"items": [{"slug": "X", "new_field": 1}], "next_cursor": null}),
            Box::new(move |c: &TestClient| block_on(sess(c).tools()).map(|_| ())),
        ),
        (
            "search",
            json!({"success": true, "error": null, "results": [], "brand_new": {}}),
            Box::new(move |c: &TestClient| {
                block_on(sess(c).search(&SearchRequest::new("x"))).map(|_| ())
            }),
        ),
        (
            "execute",
            json!({"data": {}, "error": null, "log_id": "l", "premium_charge": 1}),
            Box::new(move |c: &TestClient| {
                block_on(sess(c).execute("GMAIL_X", json!({}), None)).map(|_| ())
            }),
        ),
        (
            "execute_meta",
            json!({"result_type": "completed", "data": {}, "error": null, "log_id": "l", "instant_charge": {}}),
            Box::new(move |c: &TestClient| {
                block_on(sess(c).execute_meta("COMPOSIO_SEARCH_TOOLS", json!({}))).map(|_| ())
            }),
        ),
        (
            "link",
            json!({"redirect_url": "https://x", "connected_account_id": "ca_1", "new": 1}),
            Box::new(move |c: &TestClient| {
                block_on(sess(c).authorize("gmail", &LinkOptions::default())).map(|_| ())
            }),
        ),
        (
            "toolkits",
            json!({"items": [{"slug": "gmail", "brand_new": 1}], "next_cursor": null}),
            Box::new(move |c: &TestClient| {
                block_on(sess(c).toolkits(&ToolkitsQuery::default())).map(|_| ())
            }),
        ),
        (
            "proxy",
            json!({"status": 200, "data": null, "headers": {}, "new": 1}),
            Box::new(move |c: &TestClient| {
                block_on(sess(c).proxy_execute(&ProxyRequest::new("github", "/u", "GET")))
                    .map(|_| ())
            }),
        ),
        (
            "files.list",
            json!({"items": [], "x": 1}),
            Box::new(move |c: &TestClient| {
                block_on(sess(c).files().list(None, None, None)).map(|_| ())
            }),
        ),
        (
            "files.upload_url",
            json!({"upload_url": "https://u", "mount_relative_path": "a", "x": 1}),
            Box::new(move |c: &TestClient| {
                block_on(sess(c).files().create_upload_url("a", "text/plain")).map(|_| ())
            }),
        ),
        (
            "files.download_url",
            json!({"download_url": "https://u", "mount_relative_path": "a", "x": 1}),
            Box::new(move |c: &TestClient| {
                block_on(sess(c).files().create_download_url("a")).map(|_| ())
            }),
        ),
        (
            "files.delete",
            json!({"mount_relative_path": "a", "x": 1}),
            Box::new(move |c: &TestClient| block_on(sess(c).files().delete("a")).map(|_| ())),
        ),
        (
            "connected_account",
            json!({"id": "ca_1", "status": "ACTIVE", "x": 1}),
            Box::new(|c: &TestClient| block_on(c.get_connected_account("ca_1")).map(|_| ())),
        ),
        (
            "create_link",
            json!({"redirect_url": "https://x", "connected_account_id": "ca_1", "x": 1}),
            Box::new(|c: &TestClient| {
                block_on(c.create_link(&ConnectedAccountLink {
                    auth_config_id: "ac_1".into(),
                    user_id: "u".into(),
                    ..Default::default()
                }))
                .map(|_| ())
            }),
        ),
    ]
}

#[test]
fn every_endpoint_accepts_unknown_extra_fields() {
    for (name, body, op) in ops() {
        let (c, t) = client_no_retry();
        t.push(ok(200, body));
        op(&c).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(t.requests().len(), 1, "{name}");
    }
}

#[test]
fn every_endpoint_maps_4xx_and_5xx_envelopes() {
    for (name, _, op) in ops() {
        for status in [400u16, 401, 403, 404, 422, 429, 500, 503] {
            let (c, t) = client_no_retry();
            let mut res = envelope(status, "bad thing");
            res.headers_mut()
                .insert("x-request-id", "req_header".parse().unwrap());
            t.push(res);
            let e = op(&c).unwrap_err();
            let Error::Api(api) = &e else {
                panic!("{name} {status}: {e:?}")
            };
            assert_eq!(api.status, status, "{name}");
            assert_eq!(api.message, "bad thing");
            assert_eq!(api.api_code, Some(10000 + status as i64));
            assert_eq!(api.slug.as_deref(), Some("Some_Slug"));
            assert_eq!(api.request_id.as_deref(), Some("req_header"), "header wins");
            assert_eq!(api.suggested_fix.as_deref(), Some("fix it"));
            assert_eq!(api.errors, ["field bad"]);
            assert_eq!(e.http_status(), status);
            assert_eq!(
                e.is_retryable(),
                matches!(status, 429 | 500 | 503),
                "{name} {status}"
            );
        }
    }
}

#[test]
fn update_409_is_a_session_config_conflict() {
    let (c, t) = client();
    t.push(envelope(409, "config version mismatch"));
    let e = block_on(c.session(SID, None).update(&UpdateSession {
        expected_config_version: Some(3),
        ..Default::default()
    }))
    .unwrap_err();
    assert_eq!(e.code(), "session_config_conflict");
    assert_eq!(e.http_status(), 409);
    assert_eq!(t.requests().len(), 1, "PATCH is not retried on 409");
}

#[test]
fn a_200_with_an_error_envelope_is_an_error() {
    for (name, _, op) in ops() {
        let (c, t) = client_no_retry();
        t.push(ok(
            200,
            json!({"error": {"message": "nope", "code": 10400, "slug": "X", "status": 400}}),
        ));
        let e = op(&c).unwrap_err();
        assert_eq!(e.code(), "bad_request", "{name}: {e:?}");
    }
}

#[test]
fn garbage_and_truncated_bodies_are_decode_errors_keeping_the_body() {
    for (name, body, op) in ops() {
        for bad in [b"<html>oops</html>".to_vec(), {
            let mut s = serde_json::to_vec(&body).unwrap();
            s.truncate(s.len() / 2);
            s
        }] {
            let (c, t) = client_no_retry();
            t.push(raw(200, &bad));
            match op(&c).unwrap_err() {
                Error::Decode { status, body, .. } => {
                    assert_eq!(status, 200);
                    assert_eq!(body.as_bytes(), &bad[..], "{name}");
                }
                e => panic!("{name}: {e:?}"),
            }
        }
        // a body of the wrong shape
        let (c, t) = client_no_retry();
        t.push(ok(200, json!([1, 2, 3])));
        assert_eq!(op(&c).unwrap_err().code(), "decode_error", "{name}");
    }
}

#[test]
fn non_envelope_error_bodies_still_map_to_api_errors() {
    let (c, t) = client_no_retry();
    t.push(raw(502, b"Bad Gateway"));
    let e = block_on(c.use_session(SID)).unwrap_err();
    let Error::Api(api) = e else { panic!() };
    assert_eq!(api.status, 502);
    assert_eq!(api.message, "bad gateway");
    t.push(ok(400, json!({"message": "top level"})));
    let Error::Api(api) = block_on(c.use_session(SID)).unwrap_err() else {
        panic!()
    };
    assert_eq!(api.message, "top level");
}

#[test]
fn transport_failures_surface_as_transport_errors() {
    let (c, t) = client_no_retry();
    t.push_error(transport_error(
        TransportErrorKind::Connect,
        "connection refused",
    ));
    let e = block_on(c.use_session(SID)).unwrap_err();
    assert_eq!(e.code(), "connection_error");
    t.push_error(transport_error(TransportErrorKind::Timeout, "timed out"));
    let e = block_on(c.session(SID, None).execute("X", json!({}), None)).unwrap_err();
    assert!(e.is_timeout());
}

#[test]
fn both_execute_shapes_decode() {
    let (c, t) = client();
    let s = c.session(SID, None);
    for (body, successful) in [
        (
            json!({"data": {"a": 1}, "error": null, "log_id": "l"}),
            true,
        ),
        (json!({"data": {}, "error": "boom", "log_id": "l"}), false),
        (
            json!({"result_type": "completed", "data": {}, "error": null, "log_id": "l"}),
            true,
        ),
        (
            json!({"result_type": "failed", "data": {}, "error": "x", "log_id": "l"}),
            false,
        ),
        (
            json!({"result_type": "blocked", "data": null, "error": "hook", "log_id": "l", "block_reason": {"type": "hook", "hook_id": "h1"}}),
            false,
        ),
        (
            json!({"result_type": "input_required", "input_requests": {"q1": {"type": "elicitation"}}, "request_state": "s"}),
            false,
        ),
        (json!({"data": null, "error": null, "log_id": "l"}), true),
    ] {
        t.push(ok(200, body.clone()));
        let r = block_on(s.execute("GMAIL_X", json!({}), None)).unwrap();
        assert_eq!(r.successful(), successful, "{body}");
    }
}

#[test]
fn credential_transport_rule_at_construction() {
    use composio_edge::secret::ApiKey;
    let mk = |url: &str| {
        composio_edge::client::Client::new(
            ClientConfig::new(ApiKey::new("ak_test")).with_base_url(url),
            std::rc::Rc::new(composio_edge::transport::RecordingTransport::new()),
            composio_edge::runtime::TestRuntime::new(0),
        )
    };
    for good in [
        "https://backend.composio.dev",
        "https://backend.composio.dev/",
        "http://localhost:9900",
        "http://api.localhost",
        "http://127.0.0.1:8787",
        "http://127.9.9.9",
        "http://[::1]:9900",
    ] {
        assert!(mk(good).is_ok(), "{good}");
    }
    for bad in [
        "http://backend.composio.dev",
        "http://127.0.0.1.nip.io",
        "http://localhost.evil.com",
        "http://10.0.0.1",
        "http://[::2]",
    ] {
        assert_eq!(mk(bad).unwrap_err().code(), "insecure_transport", "{bad}");
    }
    for invalid in ["ftp://x", "not a url", ""] {
        assert_eq!(
            mk(invalid).unwrap_err().code(),
            "invalid_request",
            "{invalid}"
        );
    }
    // a trailing slash is collapsed
    let c = mk("https://backend.composio.dev/").unwrap();
    assert_eq!(c.base_url(), "https://backend.composio.dev");
}

#[test]
fn headers_extra_framework_and_no_second_credential() {
    use composio_edge::secret::ApiKey;
    let cfg = ClientConfig::new(ApiKey::new("ak_test"))
        .with_runtime_name("CLOUDFLARE_WORKERS")
        .with_framework("openai")
        .with_header("x-custom", "1")
        .with_header("x-source", "SPOOF");
    let (c, t) = client_with(cfg);
    t.push(ok(200, json!({"session_id": SID})));
    block_on(c.use_session(SID)).unwrap();
    let h = t.requests()[0].headers().clone();
    assert_eq!(h["x-runtime"], "CLOUDFLARE_WORKERS");
    assert_eq!(h["x-framework"], "openai");
    assert_eq!(h["x-custom"], "1");
    assert_eq!(h["x-source"], "RUST_SDK", "identity headers win");
    assert_eq!(h.get_all("x-source").iter().count(), 1);
    assert!(h["x-api-key"].is_sensitive());
    for cred in ["x-api-key", "X-User-Api-Key", "x-org-api-key"] {
        let e = composio_edge::client::Client::new(
            ClientConfig::new(ApiKey::new("ak_test")).with_header(cred, "k"),
            std::rc::Rc::new(composio_edge::transport::RecordingTransport::new()),
            composio_edge::runtime::TestRuntime::new(0),
        )
        .unwrap_err();
        assert_eq!(e.code(), "invalid_request");
    }
    // the key never shows in Debug
    assert!(!format!("{c:?}").contains("ak_test"));
    assert!(!format!("{:?}", c.config()).contains("ak_test"));
}

#[test]
fn path_params_are_encoded_and_dot_segments_rejected() {
    let (c, t) = client();
    t.push(ok(200, json!({"session_id": "a/b"})));
    block_on(c.use_session("a/b")).unwrap();
    assert_eq!(
        t.requests()[0].uri().path(),
        "/api/v3.1/tool_router/session/a%2Fb"
    );
    for bad in ["..", ".", ""] {
        assert_eq!(
            block_on(c.use_session(bad)).unwrap_err().code(),
            "invalid_request"
        );
        assert_eq!(
            block_on(c.get_connected_account(bad)).unwrap_err().code(),
            "invalid_request"
        );
    }
    assert_eq!(t.requests().len(), 1);
}

#[test]
fn empty_success_bodies_decode_when_every_field_is_optional() {
    let (c, t) = client();
    t.push(raw(204, b""));
    let d = block_on(c.session(SID, None).delete()).unwrap();
    assert!(!d.deleted);
    // but a session response needs its id
    t.push(raw(200, b""));
    assert_eq!(
        block_on(c.use_session(SID)).unwrap_err().code(),
        "decode_error"
    );
}

#[test]
fn mutated_bodies_never_panic() {
    use composio_edge::runtime::{Runtime, TestRuntime};
    let rng = TestRuntime::new(0);
    for (name, body, op) in ops() {
        let valid = serde_json::to_vec(&body).unwrap();
        for i in 0..150 {
            let mut b = valid.clone();
            let mut r = [0u8; 4];
            rng.fill_random(&mut r);
            match i % 3 {
                0 => b.truncate(r[0] as usize % (b.len() + 1)),
                1 => {
                    let pos = (u16::from_le_bytes([r[0], r[1]]) as usize) % b.len();
                    b[pos] = r[2];
                }
                _ => {
                    let mut junk = vec![0u8; r[0] as usize];
                    rng.fill_random(&mut junk);
                    b = junk;
                }
            }
            let (c, t) = client_no_retry();
            t.push(raw(200, &b));
            if let Err(e) = op(&c) {
                assert!(
                    matches!(
                        e.code(),
                        "decode_error" | "bad_request" | "upstream_error" | "api_error"
                    ) || e.http_status() >= 400,
                    "{name}: {e:?}"
                );
            }
        }
    }
}

#[test]
fn float_counters_and_versions_are_tolerated() {
    let (c, t) = client();
    t.push(ok(
        200,
        json!({"session_id": SID, "config_version": 3.0, "config": {}}),
    ));
    let s = block_on(c.use_session(SID)).unwrap();
    assert_eq!(s.info().unwrap().config_version, Some(3));
    t.push(ok(200, json!({"items": [{"version": 2.0, "config": {}}], "total_pages": 1.0, "current_page": 1.0, "total_items": 1.0})));
    let h = block_on(s.config_history(None, None)).unwrap();
    assert_eq!(
        (h.items[0].version, h.total_pages, h.total_items),
        (2, Some(1), Some(1))
    );
}

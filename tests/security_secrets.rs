//! SEC-24 / SEC-25 natively: secret newtypes are redacted in `Debug`, have no `Display`, compare
//! in constant time; no config, client, session, request or error type prints a secret; every
//! error message is lowercase, without a trailing period, and its code is stable.

use std::fmt::Display;
use std::rc::Rc;

use composio_edge::client::{Client, ClientConfig, Customs};
use composio_edge::error::TransportErrorKind;
use composio_edge::gateway::token::TokenError;
use composio_edge::gateway::GatewayConfig;
use composio_edge::json;
use composio_edge::runtime::{block_on, TestRuntime};
use composio_edge::secret::{constant_time_eq, ApiKey, SecretString, SigningKey};
use composio_edge::transport::{json_response, RecordingTransport};
use composio_edge::wire::SessionInfo;
use composio_edge::{ApiError, Error};

const KEY: &str = "ak_live_S3CRET_project_key_value";
const SIGNING: &str = "signing-key-S3CRET-0123456789abcdef0123456789";
const ADMIN: &str = "admin-key-S3CRET-0123456789abcdef";

// --- "does this type implement Display?" without naming the answer in a trait bound --------
#[allow(dead_code)]
struct Probe<'a, T>(&'a T);
trait NoDisplay {
    fn has_display(&self) -> bool {
        false
    }
}
impl<T> NoDisplay for Probe<'_, T> {}
impl<T: Display> Probe<'_, T> {
    fn has_display(&self) -> bool {
        true
    }
}

#[test]
fn secret_newtypes_debug_is_redacted() {
    let cases: [(String, String, &str); 3] = [
        (
            format!("{:?}", ApiKey::new(KEY)),
            format!("{:#?}", ApiKey::new(KEY)),
            "ApiKey([redacted])",
        ),
        (
            format!("{:?}", SigningKey::new(SIGNING)),
            format!("{:#?}", SigningKey::new(SIGNING)),
            "SigningKey([redacted])",
        ),
        (
            format!("{:?}", SecretString::new(ADMIN)),
            format!("{:#?}", SecretString::new(ADMIN)),
            "SecretString([redacted])",
        ),
    ];
    for (plain, pretty, want) in cases {
        assert_eq!(plain, want);
        assert_eq!(pretty, want);
    }
    // Inside containers too.
    let nested = format!(
        "{:?}",
        (Some(ApiKey::new(KEY)), vec![SecretString::new(ADMIN)])
    );
    assert!(!nested.contains("S3CRET"), "{nested}");
}

#[test]
fn secret_newtypes_have_no_display() {
    // Control: the probe does see Display where it exists.
    assert!(Probe(&"text").has_display());
    assert!(!Probe(&ApiKey::new(KEY)).has_display());
    assert!(!Probe(&SigningKey::new(SIGNING)).has_display());
    assert!(!Probe(&SecretString::new(ADMIN)).has_display());
}

#[test]
fn secret_newtypes_compare_by_value() {
    assert_eq!(ApiKey::new(KEY), ApiKey::new(KEY.to_owned()));
    assert_ne!(
        ApiKey::new(KEY),
        ApiKey::new("ak_live_S3CRET_project_key_valuE")
    );
    assert_ne!(SecretString::new("abc"), SecretString::new("abcd"));
    assert_ne!(SigningKey::new(""), SigningKey::new("x"));
    assert_eq!(SigningKey::new(""), SigningKey::new(""));
    assert_eq!(ApiKey::new(KEY).expose_secret(), KEY);
}

#[test]
fn constant_time_eq_agrees_with_equality_on_every_single_bit_change() {
    let base: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(151)).collect();
    assert!(constant_time_eq(&base, &base.clone()));
    for i in 0..base.len() {
        for bit in 0..8 {
            let mut other = base.clone();
            other[i] ^= 1 << bit;
            assert!(!constant_time_eq(&base, &other), "byte {i} bit {bit}");
            assert!(!constant_time_eq(&other, &base));
        }
    }
    assert!(constant_time_eq(b"", b""));
    assert!(!constant_time_eq(b"", b"\0"));
    assert!(!constant_time_eq(&base, &base[..63]));
    assert!(!constant_time_eq(&base[1..], &base[..63]));
    assert!(constant_time_eq("é".as_bytes(), "é".as_bytes()));
}

#[test]
fn client_config_client_and_session_debug_never_show_the_key() {
    let config = ClientConfig::new(ApiKey::new(KEY)).with_header("x-trace", "t");
    let t = Rc::new(RecordingTransport::new());
    let client = Client::new(config.clone(), t.clone(), TestRuntime::new(0)).unwrap();
    let session = client.session("trs_1", Some("u1".into()));
    for shown in [
        format!("{config:?}"),
        format!("{config:#?}"),
        format!("{client:?}"),
        format!("{session:?}"),
    ] {
        assert!(!shown.contains(KEY), "{shown}");
    }
}

#[test]
fn outgoing_requests_mark_the_key_sensitive_so_debug_hides_it() {
    let t = Rc::new(RecordingTransport::new());
    t.push(json_response(
        200,
        &json!({"id": "ca_1", "status": "ACTIVE"}),
    ));
    let client = Client::new(
        ClientConfig::new(ApiKey::new(KEY)),
        t.clone(),
        TestRuntime::new(0),
    )
    .unwrap();
    let _ = block_on(client.get_connected_account("ca_1"));
    let reqs = t.requests();
    let req = reqs.first().expect("one request");
    let value = req.headers().get("x-api-key").expect("the key is sent");
    assert_eq!(value.as_bytes(), KEY.as_bytes());
    assert!(value.is_sensitive());
    let shown = format!("{req:?} {:?}", req.headers());
    assert!(!shown.contains(KEY), "{shown}");
}

#[test]
fn mcp_headers_carry_the_key_only_as_a_secret_type() {
    let t = Rc::new(RecordingTransport::new());
    let client = Client::new(ClientConfig::new(ApiKey::new(KEY)), t, TestRuntime::new(0)).unwrap();
    let info: SessionInfo = composio_edge::json::from_value(json!({
        "session_id": "trs_1",
        "mcp": {"type": "http", "url": "https://backend.composio.dev/tool_router/trs_1/mcp"},
        "config": {"user_id": "u1"}
    }))
    .unwrap();
    let session = client.session_from_info(info, Customs::default()).unwrap();
    let headers = session.mcp_headers();
    assert_eq!(headers.len(), 1);
    assert_eq!(headers[0].1.expose_secret(), KEY);
    let shown = format!("{headers:?} {session:?}");
    assert!(!shown.contains(KEY), "{shown}");
}

#[test]
fn gateway_config_and_its_problems_never_show_a_value() {
    let vars = [
        ("COMPOSIO_API_KEY", KEY),
        ("EDGE_SIGNING_KEY", SIGNING),
        ("EDGE_ADMIN_KEY", ADMIN),
    ];
    let cfg = GatewayConfig::from_vars(|n| {
        vars.iter()
            .find(|(k, _)| *k == n)
            .map(|(_, v)| (*v).to_owned())
    })
    .unwrap();
    let shown = format!("{cfg:?} {cfg:#?}");
    for (_, secret) in vars {
        assert!(!shown.contains(secret), "{shown}");
    }
    // A bad value is named by its variable only.
    let short = "S3CRET-short";
    let cfg = GatewayConfig::from_vars(|n| match n {
        "COMPOSIO_API_KEY" => Some(KEY.into()),
        "EDGE_SIGNING_KEY" => Some(short.into()),
        _ => None,
    })
    .unwrap();
    let problem = cfg.problem.expect("a short signing key is a problem");
    assert_eq!(problem.variable, "EDGE_SIGNING_KEY");
    let shown = format!("{problem} {problem:?} {cfg:?}", cfg = cfg.signing_key);
    assert!(!shown.contains(short) && !shown.contains(KEY), "{shown}");
}

fn api(status: u16) -> Box<ApiError> {
    Box::new(ApiError {
        status,
        message: "bad request".into(),
        request_id: Some("req_1".into()),
        ..Default::default()
    })
}

/// One value of every error variant, with its stable code (a snapshot: changing a code is a
/// breaking change for JS callers and logs).
fn every_error() -> Vec<(Error, &'static str)> {
    vec![
        (Error::Api(api(400)), "bad_request"),
        (Error::Api(api(401)), "unauthorized"),
        (Error::Api(api(403)), "permission_denied"),
        (Error::Api(api(404)), "not_found"),
        (Error::Api(api(408)), "request_timeout"),
        (Error::Api(api(409)), "conflict"),
        (Error::Api(api(422)), "unprocessable_entity"),
        (Error::Api(api(429)), "rate_limited"),
        (Error::Api(api(503)), "upstream_error"),
        (Error::Api(api(418)), "api_error"),
        (
            Error::SessionConfigConflict(api(409)),
            "session_config_conflict",
        ),
        (
            Error::Transport {
                kind: TransportErrorKind::Connect,
                message: "connection refused".into(),
            },
            "connection_error",
        ),
        (
            Error::Transport {
                kind: TransportErrorKind::Timeout,
                message: "timed out after 60000 ms".into(),
            },
            "timeout",
        ),
        (
            Error::Transport {
                kind: TransportErrorKind::Aborted,
                message: "aborted".into(),
            },
            "aborted",
        ),
        (
            Error::Decode {
                status: 200,
                message: "expected value".into(),
                body: "<html>".into(),
            },
            "decode_error",
        ),
        (
            Error::InvalidToolArguments("not json".into()),
            "invalid_tool_arguments",
        ),
        (
            Error::ArgumentValidation {
                tool_slug: "T".into(),
                violations: vec![("$.to".into(), "is required".into())],
            },
            "argument_validation_failed",
        ),
        (Error::InvalidRequest("bad slug".into()), "invalid_request"),
        (Error::ToolNotFound("X".into()), "tool_not_found"),
        (
            Error::AmbiguousToolSlug {
                slug: "X".into(),
                candidates: vec!["A_X".into(), "B_X".into()],
            },
            "ambiguous_tool_slug",
        ),
        (
            Error::InsecureTransport("http://example.com".into()),
            "insecure_transport",
        ),
        (
            Error::ConnectedAccountNotFound("ca_1".into()),
            "connected_account_not_found",
        ),
        (
            Error::ConnectionFailed {
                id: "ca_1".into(),
                status: "FAILED".into(),
                reason: Some("denied".into()),
            },
            "connection_failed",
        ),
        (
            Error::ConnectionTimeout("ca_1".into()),
            "connection_timeout",
        ),
        (Error::Storage("quota".into()), "storage_error"),
        (Error::LocalTool("boom".into()), "local_tool_failed"),
    ]
}

#[test]
fn every_error_has_a_stable_code_and_a_lowercase_message_without_trailing_period() {
    for (e, code) in every_error() {
        assert_eq!(e.code(), code, "{e:?}");
        let msg = e.to_string();
        assert!(msg.starts_with(|c: char| c.is_ascii_lowercase()), "{msg}");
        assert!(!msg.ends_with('.'), "{msg}");
        assert!((400..600).contains(&e.http_status()), "{e:?}");
    }
    for t in [
        TokenError::Malformed,
        TokenError::Algorithm,
        TokenError::Signature,
        TokenError::Expired,
        TokenError::NotYetValid,
        TokenError::Audience,
        TokenError::Issuer,
        TokenError::Claims,
    ] {
        let m = t.message();
        assert!(
            m.starts_with(|c: char| c.is_ascii_lowercase()) && !m.ends_with('.'),
            "{m}"
        );
    }
}

#[test]
fn client_errors_never_carry_the_key_or_the_query_string() {
    // A 401 from the API (SEC-23: typed) and a body that is not json.
    let t = Rc::new(RecordingTransport::new());
    t.push(json_response(
        401,
        &json!({"error": {"message": "invalid api key", "code": 10401, "status": 401}}),
    ));
    let client = Client::new(
        ClientConfig::new(ApiKey::new(KEY)),
        t.clone(),
        TestRuntime::new(0),
    )
    .unwrap();
    let e = block_on(client.get_connected_account("ca_1?token=S3CRET_QUERY")).unwrap_err();
    assert_eq!(e.code(), "unauthorized");
    let shown = format!("{e} {e:?}");
    assert!(
        !shown.contains(KEY) && !shown.contains("S3CRET_QUERY"),
        "{shown}"
    );

    let mut res = json_response(200, &json!(null));
    *res.body_mut() = b"<html>proxy error</html>".to_vec();
    t.push(res);
    let e = block_on(client.get_connected_account("ca_2")).unwrap_err();
    assert_eq!(e.code(), "decode_error");
    assert!(!format!("{e} {e:?}").contains(KEY));
}

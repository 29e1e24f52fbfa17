//! Tokens (SEC-21, SEC-10, SEC-25), configuration errors, CORS and origins.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod gateway_support;

use composio_edge::encoding::{base64url_decode, base64url_encode};
use composio_edge::gateway::token::{
    sign_token, verify_token, Claims, TokenError, AUDIENCE, ISSUER,
};
use composio_edge::gateway::{Dispatch, GatewayConfig};
use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::runtime::block_on;
use composio_edge::secret::SigningKey;
use gateway_support::*;

fn claims(now: u64) -> Claims {
    Claims {
        sub: "alice".into(),
        aud: AUDIENCE.into(),
        iss: ISSUER.into(),
        iat: now,
        nbf: None,
        exp: now + 600,
        scopes: vec!["search".into(), "execute".into()],
        origins: vec![APP.into()],
        jti: "j1".into(),
    }
}

fn key() -> SigningKey {
    SigningKey::new(SIGNING_KEY)
}

/// Re-encodes the payload of a token without re-signing it.
fn tamper(token: &str, f: impl Fn(&mut Value)) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut payload: Value = serde_json::from_slice(&base64url_decode(parts[1]).unwrap()).unwrap();
    f(&mut payload);
    format!(
        "{}.{}.{}",
        parts[0],
        base64url_encode(&serde_json::to_vec(&payload).unwrap()),
        parts[2]
    )
}

#[test]
fn token_round_trip_and_every_tampering_is_refused() {
    let now = 1_790_000_000;
    let t = sign_token(&key(), &claims(now)).unwrap();
    assert_eq!(verify_token(&key(), &t, now + 1).unwrap().sub, "alice");

    // Altered claim.
    let altered = tamper(&t, |p| p["sub"] = json!("mallory"));
    assert_eq!(
        verify_token(&key(), &altered, now),
        Err(TokenError::Signature)
    );
    let more_scopes = tamper(&t, |p| p["scopes"] = json!(["search", "execute", "proxy"]));
    assert_eq!(
        verify_token(&key(), &more_scopes, now),
        Err(TokenError::Signature)
    );
    // Expired (beyond the 30 s skew), and within the skew.
    assert_eq!(
        verify_token(&key(), &t, now + 600 + 30),
        Err(TokenError::Expired)
    );
    assert!(verify_token(&key(), &t, now + 600 + 29).is_ok());
    // Wrong key.
    assert_eq!(
        verify_token(
            &SigningKey::new("another-key-0123456789abcdef0123456789"),
            &t,
            now
        ),
        Err(TokenError::Signature)
    );
    // alg: none, with and without a signature.
    let none_header = base64url_encode(br#"{"alg":"none","typ":"JWT"}"#);
    let parts: Vec<&str> = t.split('.').collect();
    assert_eq!(
        verify_token(&key(), &format!("{none_header}.{}.", parts[1]), now),
        Err(TokenError::Algorithm)
    );
    assert_eq!(
        verify_token(
            &key(),
            &format!("{none_header}.{}.{}", parts[1], parts[2]),
            now
        ),
        Err(TokenError::Algorithm)
    );
    // Other algorithms (RS256 confusion, lowercase).
    for alg in ["RS256", "hs256", "HS512", "ES256"] {
        let h = base64url_encode(format!(r#"{{"alg":"{alg}"}}"#).as_bytes());
        assert_eq!(
            verify_token(&key(), &format!("{h}.{}.{}", parts[1], parts[2]), now),
            Err(TokenError::Algorithm),
            "{alg}"
        );
    }
    // Garbage.
    for g in ["", "a.b", "a.b.c.d", "!!.!!.!!", &format!("{}..", parts[0])] {
        assert!(verify_token(&key(), g, now).is_err(), "{g}");
    }
}

#[test]
fn token_with_wrong_audience_issuer_or_lifetime_is_refused() {
    let now = 1_790_000_000;
    let mut c = claims(now);
    c.aud = "someone-else".into();
    assert_eq!(
        verify_token(&key(), &sign_token(&key(), &c).unwrap(), now),
        Err(TokenError::Audience)
    );
    let mut c = claims(now);
    c.iss = "https://evil.example".into();
    assert_eq!(
        verify_token(&key(), &sign_token(&key(), &c).unwrap(), now),
        Err(TokenError::Issuer)
    );
    let mut c = claims(now);
    c.exp = now + 3600;
    assert_eq!(
        verify_token(&key(), &sign_token(&key(), &c).unwrap(), now),
        Err(TokenError::Claims)
    );
    let mut c = claims(now);
    c.scopes.push("admin".into());
    assert_eq!(
        verify_token(&key(), &sign_token(&key(), &c).unwrap(), now),
        Err(TokenError::Claims)
    );
    let mut c = claims(now + 120);
    c.nbf = Some(now + 120);
    assert_eq!(
        verify_token(&key(), &sign_token(&key(), &c).unwrap(), now),
        Err(TokenError::NotYetValid)
    );
}

#[test]
fn gateway_answers_401_for_tampered_expired_and_foreign_tokens() {
    let h = production_harness(&[]);
    let token = h.token("alice");
    let ok = h.send(post("/v1/session", Some(&token), &json!({})));
    assert_eq!(ok.status(), 201, "{}", text(&ok));

    let altered = tamper(&token, |p| p["sub"] = json!("bob"));
    let none = {
        let parts: Vec<&str> = token.split('.').collect();
        format!("{}.{}.", base64url_encode(br#"{"alg":"none"}"#), parts[1])
    };
    let foreign = {
        let now = START_MS / 1000;
        sign_token(&SigningKey::new("x".repeat(40)), &claims(now)).unwrap()
    };
    for bad in [altered, none, foreign, "not-a-token".to_owned()] {
        let res = h.send(post("/v1/session", Some(&bad), &json!({})));
        assert_eq!(res.status(), 401);
        assert_eq!(code(&res), "invalid_token");
        assert!(hdr(&res, "www-authenticate").unwrap().starts_with("Bearer"));
        assert!(!text(&res).contains(&bad), "the token must not be echoed");
    }
    let res = h.send(post("/v1/session", None, &json!({})));
    assert_eq!((st(&res), code(&res).as_str()), (401, "missing_token"));

    h.rt.advance(16 * 60 * 1000);
    let res = h.send(post("/v1/session", Some(&token), &json!({})));
    assert_eq!(res.status(), 401);
    assert_eq!(body(&res)["error"]["message"], "token has expired");
}

#[test]
fn admin_endpoint_mints_clamped_tokens_with_constant_time_key_check() {
    let h = production_harness(&[]);
    let res =
        h.admin_token(&json!({"user_id": "alice", "ttl_seconds": 99999, "scopes": ["search"]}));
    assert_eq!(res.status(), 200, "{}", text(&res));
    let b = body(&res);
    assert_eq!(b["expires_in"], 900, "ttl is clamped to 15 minutes");
    assert_eq!(b["scopes"], json!(["search"]));
    assert_eq!(b["origins"], json!([APP]));
    assert!(hdr(&res, "access-control-allow-origin").is_none());
    let c = verify_token(&key(), b["token"].as_str().unwrap(), START_MS / 1000).unwrap();
    assert_eq!(c.exp - c.iat, 900);
    assert_eq!(c.jti.len(), 32);

    for auth in [
        None,
        Some("Bearer wrong"),
        Some(&*format!("Bearer {ADMIN_KEY}x")),
        Some(&*format!("Basic {ADMIN_KEY}")),
    ] {
        let mut req = post("/v1/tokens", None, &json!({"user_id": "alice"}));
        if let Some(a) = auth {
            req = with_header(req, "authorization", a);
        }
        let res = h.send(req);
        assert_eq!((st(&res), code(&res).as_str()), (401, "unauthorized"));
    }
    // Bad bodies.
    for (payload, expected) in [
        (json!({}), "invalid_request"),
        (json!({"user_id": ""}), "invalid_request"),
        (
            json!({"user_id": "a", "scopes": ["admin"]}),
            "invalid_scope",
        ),
        (
            json!({"user_id": "a", "origins": ["https://evil.example"]}),
            "origin_not_allowed",
        ),
        (
            json!({"user_id": "a", "ttl_seconds": "long"}),
            "invalid_request",
        ),
    ] {
        let res = h.admin_token(&payload);
        assert_eq!(
            (st(&res), code(&res)),
            (400, expected.to_owned()),
            "{payload}"
        );
    }
}

#[test]
fn dev_token_exists_only_in_emulator_mode() {
    let h = emulator_harness();
    let res = h.send(post("/v1/dev/token", None, &json!({"user_id": "u1"})));
    assert_eq!(res.status(), 200);
    assert_eq!(
        hdr(&res, "x-composio-edge-mode").as_deref(),
        Some("emulator")
    );
    let origins = body(&res)["origins"].clone();
    assert!(origins.as_array().unwrap().contains(&json!(ORIGIN)));

    let p = production_harness(&[]);
    let res = p.send(post("/v1/dev/token", None, &json!({"user_id": "u1"})));
    assert_eq!(res.status(), 404);
    assert!(hdr(&res, "x-composio-edge-mode").is_none());
}

#[test]
fn scopes_are_enforced_per_route() {
    let h = production_harness(&[("EDGE_PROXY_ENABLED", "true")]);
    let res = h.admin_token(&json!({"user_id": "alice", "scopes": ["search"]}));
    let t = body(&res)["token"].as_str().unwrap().to_owned();
    let ok = h.send(post(
        "/v1/search",
        Some(&t),
        &json!({"query": "send email"}),
    ));
    assert_eq!(ok.status(), 200, "{}", text(&ok));
    for (req, scope) in [
        (
            post(
                "/v1/execute",
                Some(&t),
                &json!({"tool_slug": "X", "arguments": {}}),
            ),
            "execute",
        ),
        (
            post("/v1/connect", Some(&t), &json!({"toolkit": "github"})),
            "connect",
        ),
        (get("/v1/connect/abc", Some(&t)), "connect"),
        (
            post(
                "/v1/proxy",
                Some(&t),
                &json!({"toolkit": "github", "endpoint": "/user"}),
            ),
            "proxy",
        ),
    ] {
        let res = h.send(req);
        assert_eq!((st(&res), code(&res).as_str()), (403, "insufficient_scope"));
        assert!(body(&res)["error"]["message"]
            .as_str()
            .unwrap()
            .contains(scope));
    }
}

#[test]
fn config_errors_name_the_variable_never_the_value() {
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("COMPOSIO_API_KEY", "ak_live_secret_value")],
            "EDGE_SIGNING_KEY",
        ),
        (
            vec![
                ("COMPOSIO_API_KEY", "ak_live_secret_value"),
                ("EDGE_SIGNING_KEY", "short"),
            ],
            "EDGE_SIGNING_KEY",
        ),
        (
            vec![
                ("COMPOSIO_API_KEY", "ak_live_secret_value"),
                ("EDGE_SIGNING_KEY", SIGNING_KEY),
            ],
            "EDGE_ADMIN_KEY",
        ),
        (
            vec![("EDGE_ALLOWED_ORIGINS", "https://app.example.com/path")],
            "EDGE_ALLOWED_ORIGINS",
        ),
        (vec![("EDGE_ALLOWED_ORIGINS", "*")], "EDGE_ALLOWED_ORIGINS"),
        (
            vec![("EDGE_ALLOWED_ORIGINS", "[\"https://a.com\"")],
            "EDGE_ALLOWED_ORIGINS",
        ),
        (
            vec![("EDGE_RETURN_URLS", "javascript:alert(1)")],
            "EDGE_RETURN_URLS",
        ),
        (
            vec![("EDGE_SESSION_DEFAULTS", "{not json")],
            "EDGE_SESSION_DEFAULTS",
        ),
        (
            vec![("EDGE_SESSION_DEFAULTS", "{\"user_id\": \"x\"}")],
            "EDGE_SESSION_DEFAULTS",
        ),
        (vec![("EDGE_PROXY_ENABLED", "maybe")], "EDGE_PROXY_ENABLED"),
        (
            vec![("EDGE_RATE_LIMIT_PER_MINUTE", "-1")],
            "EDGE_RATE_LIMIT_PER_MINUTE",
        ),
        (
            vec![
                ("COMPOSIO_API_KEY", "ak_x"),
                ("COMPOSIO_BASE_URL", "http://backend.example.com"),
            ],
            "COMPOSIO_BASE_URL",
        ),
        (
            vec![("EDGE_JWT_ISSUER", "https://id.example.com")],
            "EDGE_JWT_AUDIENCE",
        ),
    ];
    for (vars, variable) in cases {
        let cfg = config(&vars);
        let problem = cfg
            .problem
            .clone()
            .unwrap_or_else(|| panic!("no problem for {vars:?}"));
        assert_eq!(problem.variable, variable, "{vars:?}");
        let h = Harness::new(cfg, FakeApi::new());
        let res = h.send(post("/v1/dev/token", None, &json!({"user_id": "u"})));
        assert_eq!(res.status(), 500);
        assert_eq!(code(&res), "config_error");
        let t = text(&res);
        assert!(t.contains(variable), "{t}");
        for (_, value) in &vars {
            if value.len() > 6 {
                assert!(!t.contains(value), "value leaked: {t}");
            }
        }
    }
    // Debug of the config never shows a secret (SEC-24/25).
    let cfg = config(&[
        ("COMPOSIO_API_KEY", "ak_live_secret_value"),
        ("EDGE_SIGNING_KEY", SIGNING_KEY),
        ("EDGE_ADMIN_KEY", ADMIN_KEY),
    ]);
    let dbg = format!("{cfg:?}");
    for secret in ["ak_live_secret_value", SIGNING_KEY, ADMIN_KEY] {
        assert!(!dbg.contains(secret));
    }
}

#[test]
fn config_parses_lists_defaults_and_json() {
    let cfg = config(&[
        (
            "EDGE_ALLOWED_ORIGINS",
            "[\"https://A.example.com\", \"http://localhost:5173\"]",
        ),
        (
            "EDGE_RETURN_URLS",
            "https://a.example.com/done, https://a.example.com/other",
        ),
        (
            "EDGE_SESSION_DEFAULTS",
            r#"{"toolkits": ["github", "gmail"], "manage_connections": false}"#,
        ),
        ("EDGE_RATE_LIMIT_PER_MINUTE", "5"),
        ("EDGE_PROXY_ENABLED", "yes"),
    ]);
    assert!(cfg.problem.is_none(), "{:?}", cfg.problem);
    assert_eq!(
        cfg.allowed_origins,
        vec!["https://a.example.com", "http://localhost:5173"]
    );
    assert_eq!(cfg.return_urls.len(), 2);
    assert_eq!(
        cfg.session_defaults["toolkits"],
        json!({"enable": ["github", "gmail"]})
    );
    assert_eq!(
        cfg.session_defaults["manage_connections"],
        json!({"enable": false})
    );
    assert_eq!(cfg.rate_limit_per_minute, 5);
    assert!(cfg.proxy_enabled);
    assert!(cfg.emulator_mode);
    let prod = GatewayConfig::from_vars(|k| match k {
        "COMPOSIO_API_KEY" => Some("ak_1".into()),
        "EDGE_SIGNING_KEY" => Some(SIGNING_KEY.into()),
        "EDGE_ADMIN_KEY" => Some(ADMIN_KEY.into()),
        _ => None,
    })
    .unwrap();
    assert!(prod.problem.is_none());
    assert_eq!(
        prod.base_url.as_deref(),
        Some("https://backend.composio.dev")
    );
}

#[test]
fn cors_preflight_and_origin_checks() {
    let h = emulator_harness();
    let token = h.token("alice");
    // Preflight from an allowed origin.
    let pre = h.send(with_header(
        request("OPTIONS", "/v1/execute", None, None),
        "origin",
        APP,
    ));
    assert_eq!(pre.status(), 204);
    assert_eq!(
        hdr(&pre, "access-control-allow-origin").as_deref(),
        Some(APP)
    );
    assert!(hdr(&pre, "access-control-allow-headers")
        .unwrap()
        .contains("idempotency-key"));
    assert!(hdr(&pre, "access-control-allow-methods")
        .unwrap()
        .contains("POST"));
    // Preflight from a foreign origin: no CORS headers.
    let pre = h.send(with_header(
        request("OPTIONS", "/v1/execute", None, None),
        "origin",
        "https://evil.example",
    ));
    assert_eq!(pre.status(), 403);
    assert!(hdr(&pre, "access-control-allow-origin").is_none());
    // The emulator's own origin is always allowed.
    let pre = h.send(with_header(
        request("OPTIONS", "/v1/search", None, None),
        "origin",
        ORIGIN,
    ));
    assert_eq!(pre.status(), 204);
    // Actual request from an allowed origin carries CORS headers (set inside the DO too).
    let res = h.send(with_header(
        post("/v1/session", Some(&token), &json!({})),
        "origin",
        APP,
    ));
    assert_eq!(res.status(), 201);
    assert_eq!(
        hdr(&res, "access-control-allow-origin").as_deref(),
        Some(APP)
    );
    // Foreign origin with a valid token.
    let res = h.send(with_header(
        post("/v1/session", Some(&token), &json!({})),
        "origin",
        "https://evil.example",
    ));
    assert_eq!((st(&res), code(&res).as_str()), (403, "origin_not_allowed"));
    assert!(hdr(&res, "access-control-allow-origin").is_none());
}

#[test]
fn token_is_bound_to_its_origins() {
    let h = production_harness(&[(
        "EDGE_ALLOWED_ORIGINS",
        "https://app.example.com,https://other.example.com",
    )]);
    let res = h.admin_token(&json!({"user_id": "alice", "origins": ["https://other.example.com"]}));
    let t = body(&res)["token"].as_str().unwrap().to_owned();
    let res = h.send(with_header(
        post("/v1/session", Some(&t), &json!({})),
        "origin",
        APP,
    ));
    assert_eq!((st(&res), code(&res).as_str()), (403, "origin_not_allowed"));
    let res = h.send(with_header(
        post("/v1/session", Some(&t), &json!({})),
        "origin",
        "https://other.example.com",
    ));
    assert_eq!(res.status(), 201);
}

#[test]
fn front_strips_forged_internal_headers() {
    let h = emulator_harness();
    let token = h.token("alice");
    let req = with_header(
        post("/v1/session", Some(&token), &json!({})),
        "x-edge-user",
        "bob",
    );
    let req = with_header(req, "x-edge-user-key", "default:bob");
    let Dispatch::User { user_key, request } = block_on(h.gw.front(req, &*h.rt)) else {
        panic!("expected dispatch")
    };
    assert_eq!(user_key, h.gw.user_key("alice"));
    assert_eq!(request.headers()["x-edge-user"], "alice");
    assert_eq!(request.headers()["x-edge-user-key"], user_key.as_str());
    assert!(
        request.headers().get("authorization").is_none(),
        "the token does not travel to the DO"
    );
}

#[test]
fn debug_of_gateway_claims_and_problems_shows_no_secret() {
    let h = production_harness(&[]);
    let token = h.token("alice");
    let dbg = format!("{:?}", h.gw);
    for secret in [PROD_KEY, ADMIN_KEY, SIGNING_KEY] {
        assert!(!dbg.contains(secret), "{dbg}");
    }
    let claims = verify_token(&key(), &token, START_MS / 1000).unwrap();
    let shown = format!("{claims:?}");
    assert!(!shown.contains(&token));
    let bad = config(&[
        ("COMPOSIO_API_KEY", "ak_live_should_not_show"),
        ("EDGE_SIGNING_KEY", "tiny"),
    ]);
    let p = bad.problem.unwrap();
    assert_eq!(
        p.to_string(),
        "EDGE_SIGNING_KEY: must be at least 32 characters"
    );
    assert!(!format!("{p:?}").contains("tiny"));
}

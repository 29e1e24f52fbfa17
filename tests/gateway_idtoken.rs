//! App ID tokens verified against the configured JWKS (RS256/ES256) through an injected
//! signature verifier. The fake verifier stands in for WebCrypto: a signature is valid when it
//! is SHA-256 of the key's material and the signing input, so the tests exercise everything the
//! core decides (algorithms, key selection, iss/aud/exp/nbf, subject) without RSA in the core.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod gateway_support;

use std::future::Future;
use std::pin::Pin;

use composio_edge::encoding::base64url_encode;
use composio_edge::gateway::idtoken::SignatureVerifier;
use composio_edge::gateway::Gateway;
use composio_edge::json;
use composio_edge::json::Value;
use gateway_support::*;
use sha2::{Digest, Sha256};

struct FakeWebCrypto;

fn material(jwk: &Value) -> String {
    jwk.get("n")
        .or_else(|| jwk.get("x"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

fn fake_sign(material: &str, input: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(material.as_bytes());
    h.update(input);
    h.finalize().to_vec()
}

impl SignatureVerifier for FakeWebCrypto {
    fn verify<'a>(
        &'a self,
        _alg: &'a str,
        jwk: &'a Value,
        signing_input: &'a [u8],
        signature: &'a [u8],
    ) -> Pin<Box<dyn Future<Output = bool> + 'a>> {
        let ok = fake_sign(&material(jwk), signing_input) == signature;
        Box::pin(async move { ok })
    }
}

const ISS: &str = "https://id.example.com/";
const AUD: &str = "my-app";

fn jwks() -> Value {
    json!({"keys": [
        {"kty": "RSA", "kid": "rsa-1", "use": "sig", "alg": "RS256", "n": "rsa-material-1", "e": "AQAB"},
        {"kty": "EC", "kid": "ec-1", "crv": "P-256", "x": "ec-material-1", "y": "y"},
        {"kty": "RSA", "kid": "enc-1", "use": "enc", "n": "enc-material", "e": "AQAB"},
    ]})
}

fn id_token(alg: &str, kid: Option<&str>, material: &str, claims: Value) -> String {
    let mut header = json!({"alg": alg, "typ": "JWT"});
    if let Some(k) = kid {
        header["kid"] = json!(k);
    }
    let input = format!(
        "{}.{}",
        base64url_encode(header.to_string().as_bytes()),
        base64url_encode(claims.to_string().as_bytes())
    );
    let sig = fake_sign(material, input.as_bytes());
    format!("{input}.{}", base64url_encode(&sig))
}

fn claims(sub: &str) -> Value {
    let now = START_MS / 1000;
    json!({"iss": ISS, "aud": [AUD, "other"], "sub": sub, "iat": now - 10, "exp": now + 3600})
}

fn harness() -> Harness<FakeApi> {
    let cfg = config(&[
        ("EDGE_ALLOWED_ORIGINS", APP),
        ("EDGE_JWT_ISSUER", ISS),
        ("EDGE_JWT_AUDIENCE", AUD),
        ("EDGE_JWKS", &jwks().to_string()),
    ]);
    let mut h = Harness::new(cfg, FakeApi::new());
    h.gw = Gateway::new(h.gw.config.clone()).with_signature_verifier(FakeWebCrypto);
    h
}

#[test]
fn id_tokens_from_the_apps_identity_provider_are_accepted() {
    let h = harness();
    for (alg, kid, m) in [
        ("RS256", Some("rsa-1"), "rsa-material-1"),
        ("ES256", Some("ec-1"), "ec-material-1"),
        ("RS256", None, "rsa-material-1"),
    ] {
        let t = id_token(alg, kid, m, claims("user_from_idp"));
        let res = h.send(with_header(
            post("/v1/session", Some(&t), &json!({})),
            "origin",
            APP,
        ));
        assert!(res.status().is_success(), "{alg} {kid:?}: {}", text(&res));
        assert_eq!(body(&res)["user_id"], "user_from_idp");
    }
    // The same user as a gateway token holder: one Durable Object.
    assert_eq!(h.stores.borrow().len(), 1);
}

#[test]
fn id_tokens_with_bad_claims_keys_or_algorithms_are_refused() {
    let h = harness();
    let now = START_MS / 1000;
    let mut cases: Vec<(String, &str)> = vec![
        (
            id_token("RS256", Some("rsa-1"), "wrong-material", claims("u")),
            "token signature is invalid",
        ),
        (
            id_token("RS256", Some("ec-1"), "ec-material-1", claims("u")),
            "token signature is invalid",
        ),
        (
            id_token("ES256", Some("rsa-1"), "rsa-material-1", claims("u")),
            "token signature is invalid",
        ),
        (
            id_token("RS256", Some("enc-1"), "enc-material", claims("u")),
            "token signature is invalid",
        ),
        (
            id_token("RS256", Some("nope"), "rsa-material-1", claims("u")),
            "token signature is invalid",
        ),
        (
            id_token("PS256", Some("rsa-1"), "rsa-material-1", claims("u")),
            "token algorithm is not accepted",
        ),
        (
            id_token("none", None, "", claims("u")),
            "token algorithm is not accepted",
        ),
    ];
    let mut with = |f: &dyn Fn(&mut Value), msg: &'static str| {
        let mut c = claims("u");
        f(&mut c);
        cases.push((id_token("RS256", Some("rsa-1"), "rsa-material-1", c), msg));
    };
    with(
        &|c| c["iss"] = json!("https://evil.example/"),
        "token issuer is wrong",
    );
    with(
        &|c| c["aud"] = json!("someone-else"),
        "token audience is wrong",
    );
    with(&|c| c["exp"] = json!(now - 31), "token has expired");
    with(&|c| c["nbf"] = json!(now + 120), "token is not valid yet");
    with(&|c| c["sub"] = json!(""), "token claims are invalid");
    with(
        &|c| {
            c.as_object_mut()
                .unwrap()
                .remove("exp")
                .map(|_| ())
                .unwrap_or(())
        },
        "token claims are invalid",
    );
    for (t, msg) in cases {
        let res = h.send(post("/v1/session", Some(&t), &json!({})));
        assert_eq!(
            (st(&res), code(&res).as_str()),
            (401, "invalid_token"),
            "{msg}"
        );
        assert_eq!(body(&res)["error"]["message"], msg);
    }
    // Without a verifier (or without a JWKS) an RS256 token is just refused.
    let plain = emulator_harness();
    let t = id_token("RS256", Some("rsa-1"), "rsa-material-1", claims("u"));
    let res = plain.send(post("/v1/session", Some(&t), &json!({})));
    assert_eq!(
        body(&res)["error"]["message"],
        "token algorithm is not accepted"
    );
    // Gateway tokens keep working next to ID tokens.
    let gt = h.token("alice");
    assert_eq!(
        h.send(post("/v1/session", Some(&gt), &json!({}))).status(),
        201
    );
}

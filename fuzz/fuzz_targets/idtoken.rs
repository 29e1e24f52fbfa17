//! App ID tokens against a JWKS (`gateway::idtoken::verify_id_token`, SEC-10/SEC-21): arbitrary
//! JWKS documents, headers and claims, with a stand-in signature verifier (the shell's WebCrypto)
//! that accepts a signature `ok:<kid>`. Invariants: the verifier only ever sees a key whose
//! type fits the algorithm, `alg` outside RS256/ES256 never reaches it, and a token is accepted
//! only with a verified signature, our issuer and audience, a live `exp` and a subject.
//!
//! Input: `jwks\0header\0claims\0signature`, or any text as a whole token.
#![no_main]

#[path = "common.rs"]
mod common;

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;

use composio_edge::encoding::base64url_encode;
use composio_edge::gateway::config::JwtSettings;
use composio_edge::gateway::idtoken::{header_alg, verify_id_token, SignatureVerifier};
use composio_edge::gateway::token::CLOCK_SKEW_SECONDS;
use composio_edge::runtime::block_on;
use libfuzzer_sys::fuzz_target;
use composio_edge::json::Value;

const NOW: u64 = 1_790_000_000;

struct Fake {
    said_yes: Cell<bool>,
}

impl SignatureVerifier for Fake {
    fn verify<'a>(
        &'a self,
        alg: &'a str,
        jwk: &'a Value,
        _input: &'a [u8],
        signature: &'a [u8],
    ) -> Pin<Box<dyn Future<Output = bool> + 'a>> {
        let kty = jwk.get("kty").and_then(Value::as_str);
        match alg {
            "RS256" => assert_eq!(kty, Some("RSA")),
            "ES256" => {
                assert_eq!(kty, Some("EC"));
                assert_eq!(jwk.get("crv").and_then(Value::as_str), Some("P-256"));
            }
            other => panic!("the verifier was asked for alg {other}"),
        }
        let kid = jwk.get("kid").and_then(Value::as_str).unwrap_or("");
        let ok = signature == format!("ok:{kid}").as_bytes();
        self.said_yes.set(self.said_yes.get() || ok);
        Box::pin(std::future::ready(ok))
    }
}

fuzz_target!(|data: &[u8]| {
    let (jwks, rest) = common::split2(data);
    let (header, rest) = common::split2(rest);
    let (claims, sig) = common::split2(rest);
    let settings = JwtSettings {
        issuer: "https://issuer.example".into(),
        audience: "app".into(),
        jwks: common::json_or_string(jwks),
    };
    let fake = Fake {
        said_yes: Cell::new(false),
    };

    // Any text as a token.
    let text = String::from_utf8_lossy(data);
    let _ = header_alg(&text);
    if let Ok(id) = block_on(verify_id_token(&settings, &fake, &text, NOW)) {
        assert!(
            fake.said_yes.get(),
            "accepted {id:?} without a verified signature"
        );
    }

    // A token with chosen parts.
    fake.said_yes.set(false);
    let token = format!(
        "{}.{}.{}",
        base64url_encode(header),
        base64url_encode(claims),
        base64url_encode(sig)
    );
    let _ = header_alg(&token);
    if let Ok(id) = block_on(verify_id_token(&settings, &fake, &token, NOW)) {
        assert!(fake.said_yes.get(), "accepted without a verified signature");
        let h: Value = serde_json::from_slice(header).expect("accepted header is json");
        assert!(matches!(h["alg"].as_str(), Some("RS256" | "ES256")));
        let c: Value = serde_json::from_slice(claims).expect("accepted claims are json");
        assert_eq!(c["iss"], "https://issuer.example");
        let aud_ok = c["aud"] == "app"
            || c["aud"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == "app"));
        assert!(aud_ok, "audience {}", c["aud"]);
        assert!(NOW < id.exp + CLOCK_SKEW_SECONDS);
        assert_eq!(c["sub"].as_str(), Some(id.sub.as_str()));
        assert!(!id.sub.is_empty());
    }
});

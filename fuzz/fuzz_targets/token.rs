//! Gateway token verification (`gateway::token::verify_token`, SEC-21/SEC-10): arbitrary
//! tokens never verify; tokens correctly MAC'd over an arbitrary header and payload verify
//! only when every claim rule holds; changing any single byte of a valid token breaks it.
//!
//! Input: `header\0payload\0mutation`, where the mutation bytes pick a position and a value.
#![no_main]

#[path = "common.rs"]
mod common;

use composio_edge::encoding::base64url_encode;
use composio_edge::gateway::token::{
    sign_token, verify_token, Claims, AUDIENCE, CLOCK_SKEW_SECONDS, ISSUER, MAX_TTL_SECONDS, SCOPES,
};
use composio_edge::secret::SigningKey;
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;

const NOW: u64 = 1_790_000_000;

fn mac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("hmac takes any key");
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().to_vec()
}

/// The token key, as the gateway derives it (an independent re-implementation).
fn token_key(key: &str) -> Vec<u8> {
    mac(key.as_bytes(), &[b"composio-edge/", b"token"])
}

fn check_claims(c: &Claims) {
    assert_eq!(c.aud, AUDIENCE);
    assert_eq!(c.iss, ISSUER);
    assert!(NOW < c.exp + CLOCK_SKEW_SECONDS);
    assert!(c.iat <= NOW + CLOCK_SKEW_SECONDS);
    assert!(c.exp > c.iat && c.exp - c.iat <= MAX_TTL_SECONDS);
    assert!(!c.sub.is_empty());
    assert!(c.scopes.iter().all(|s| SCOPES.contains(&s.as_str())));
}

fuzz_target!(|data: &[u8]| {
    let key = SigningKey::new("fuzz-signing-key-0123456789abcdef");
    let other = SigningKey::new("fuzz-signing-key-0123456789abcdeF");
    // 1. Arbitrary text as a token.
    let text = String::from_utf8_lossy(data);
    assert!(
        verify_token(&key, &text, NOW).is_err(),
        "an unsigned token verified"
    );

    // 2. A correctly MAC'd token over an arbitrary header and payload.
    let (header, rest) = common::split2(data);
    let (payload, mutation) = common::split2(rest);
    let h = base64url_encode(header);
    let p = base64url_encode(payload);
    let sig = base64url_encode(&mac(
        &token_key(key.expose_secret()),
        &[h.as_bytes(), b".", p.as_bytes()],
    ));
    let token = format!("{h}.{p}.{sig}");
    let verdict = verify_token(&key, &token, NOW);
    if let Ok(c) = &verdict {
        let hv: composio_edge::json::Value =
            serde_json::from_slice(header).expect("accepted header is json");
        assert_eq!(hv["alg"], "HS256", "accepted a header without alg HS256");
        check_claims(c);
        // Our own signer produces an equivalent token.
        let again = sign_token(&key, c).expect("signs");
        assert_eq!(verify_token(&key, &again, NOW).as_ref(), Ok(c));
    }
    // Never valid under another key.
    assert!(
        verify_token(&other, &token, NOW).is_err(),
        "verified under the wrong key"
    );

    // 3. One changed byte breaks a valid token.
    if verdict.is_ok() && mutation.len() >= 3 {
        let mut bytes = token.clone().into_bytes();
        let i = usize::from(u16::from_le_bytes([mutation[0], mutation[1]])) % bytes.len();
        let b = mutation[2];
        if bytes[i] != b {
            bytes[i] = b;
            let changed = String::from_utf8_lossy(&bytes);
            assert!(
                verify_token(&key, &changed, NOW).is_err(),
                "a modified token verified: {changed}"
            );
        }
    }
});

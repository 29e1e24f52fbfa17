//! Sealed OAuth state and tickets (`gateway::token::{seal, unseal}`, SEC-06/07/08): arbitrary
//! strings never open; a sealed value opens only for its own purpose, before its expiry, and
//! not after any single-byte change.
//!
//! Input: `payload-json\0purpose\0mutation`.
#![no_main]

#[path = "common.rs"]
mod common;

use composio_edge::gateway::token::{seal, unseal};
use composio_edge::secret::SigningKey;
use libfuzzer_sys::fuzz_target;
use composio_edge::json::Value;

const NOW: u64 = 1_790_000_000;

fuzz_target!(|data: &[u8]| {
    let key = SigningKey::new("fuzz-signing-key-0123456789abcdef");
    let text = String::from_utf8_lossy(data);
    for purpose in ["state", "ticket", ""] {
        assert!(
            unseal(&key, purpose, &text, NOW).is_none(),
            "arbitrary text opened"
        );
    }
    let (payload, rest) = common::split2(data);
    let (purpose, mutation) = common::split2(rest);
    let purpose = String::from_utf8_lossy(purpose);
    let Ok(payload) = serde_json::from_slice::<Value>(payload) else {
        return;
    };
    let Some(sealed) = seal(&key, &purpose, &payload) else {
        return;
    };
    let opened = unseal(&key, &purpose, &sealed, NOW);
    let live = payload
        .get("x")
        .and_then(Value::as_u64)
        .is_some_and(|x| NOW < x);
    if sealed.len() <= 4096 {
        assert_eq!(opened.is_some(), live, "expiry not honoured");
        if let Some(v) = &opened {
            // What the crate's JSON writer and reader give back: exact, except that a float
            // with more digits than f64 holds may come back one ULP off (serde_json's default
            // float reading; the fuzz build's serde_json reads floats exactly).
            let expected = composio_edge::wire::json::parse(&composio_edge::wire::json::to_text(
                &payload,
            ))
            .unwrap_or_else(|_| payload.clone());
            assert_eq!(v, &expected);
        }
    } else {
        assert!(opened.is_none());
    }
    if opened.is_none() {
        return;
    }
    // Another purpose, another key, or a later time never opens it.
    let other = format!("{purpose}x");
    assert!(
        unseal(&key, &other, &sealed, NOW).is_none(),
        "opened for another purpose"
    );
    assert!(unseal(
        &SigningKey::new("another-key-0123456789abcdef0000"),
        &purpose,
        &sealed,
        NOW
    )
    .is_none());
    let x = payload["x"].as_u64().expect("live payload has x");
    assert!(
        unseal(&key, &purpose, &sealed, x).is_none(),
        "opened at its expiry"
    );
    if mutation.len() >= 3 {
        let mut bytes = sealed.clone().into_bytes();
        let i = usize::from(u16::from_le_bytes([mutation[0], mutation[1]])) % bytes.len();
        if bytes[i] != mutation[2] {
            bytes[i] = mutation[2];
            let changed = String::from_utf8_lossy(&bytes);
            assert!(
                unseal(&key, &purpose, &changed, NOW).is_none(),
                "modified seal opened"
            );
        }
    }
});

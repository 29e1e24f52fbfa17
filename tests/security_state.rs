//! SEC-06 natively: the OAuth `state` and the start ticket carry a 128-bit random flow id,
//! expire within 10 minutes, are bound to (user, toolkit) and never repeat; the flow cookie
//! lives at most 10 minutes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod gateway_support;

use composio_edge::encoding::{base64url_decode, decode_component};
use composio_edge::json;
use composio_edge::json::Value;
use gateway_support::*;

/// The payload of a sealed value (`base64url(json).base64url(mac)`), read without the key:
/// sealed values are signed, not encrypted, so they must hold no secret.
fn payload(sealed: &str) -> Value {
    let body = sealed.split('.').next().unwrap();
    serde_json::from_slice(&base64url_decode(body).unwrap()).unwrap()
}

fn param(url: &str, name: &str) -> String {
    let q = url.split_once('?').unwrap().1;
    let v = q
        .split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .unwrap();
    decode_component(v, false)
}

#[test]
fn state_and_ticket_carry_128_random_bits_and_expire_within_ten_minutes() {
    let h = emulator_harness();
    let t = h.token("alice");
    let now_s = START_MS / 1000;
    let mut flow_ids = std::collections::BTreeSet::new();
    for _ in 0..20 {
        let res = h.send(with_header(
            post("/v1/connect", Some(&t), &json!({"toolkit": "github"})),
            "origin",
            APP,
        ));
        assert_eq!(res.status(), 201, "{}", text(&res));
        let connect_url = body(&res)["connect_url"].as_str().unwrap().to_owned();
        let callback_url =
            h.up.calls
                .borrow()
                .iter()
                .rev()
                .find(|c| c.1.ends_with("/link"))
                .unwrap()
                .2["callback_url"]
                .as_str()
                .unwrap()
                .to_owned();
        let ticket = payload(&param(&connect_url, "ticket"));
        let state = payload(&param(&callback_url, "state"));
        for p in [&ticket, &state] {
            let x = p["x"].as_u64().expect("an expiry");
            assert!(x > now_s && x - now_s <= 600, "expires in {} s", x - now_s);
            let text = p.to_string();
            for secret in ["ak_", "signing", "admin"] {
                assert!(!text.contains(secret), "{text}");
            }
        }
        let flow = state["f"].as_str().expect("a flow id");
        assert_eq!(
            ticket["f"].as_str(),
            Some(flow),
            "ticket and state name one flow"
        );
        assert!(
            base64url_decode(flow).unwrap().len() >= 16,
            "flow id {flow} has < 128 bits"
        );
        assert!(flow_ids.insert(flow.to_owned()), "flow id repeated");
        // Bound to this user's Durable Object.
        assert_eq!(state["k"].as_str(), Some(h.gw.user_key("alice").as_str()));
        // The flow cookie the ticket sets lives at most 10 minutes.
        let start = h.send(get(&connect_url.replace(ORIGIN, ""), None));
        let cookie = start.headers()["set-cookie"].to_str().unwrap().to_owned();
        let max_age: u64 = cookie.rsplit("Max-Age=").next().unwrap().parse().unwrap();
        assert!(max_age <= 600 && cookie.starts_with("__Host-"), "{cookie}");
    }
}

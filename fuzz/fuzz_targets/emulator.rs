//! The emulator's request handler (`Emulator::handle`) over arbitrary request sequences sharing
//! one store: no panic, every answer carries a request id and a valid status, errors are JSON
//! envelopes, and the API key sent is never echoed back.
//!
//! Input: up to 8 requests separated by NUL; each is `METHOD PATH[?QUERY]\nBODY`. In the first
//! line `$S`, `$A` and `$L` become the last session id, connected account id and link token
//! seen in a response; a trailing ` !nokey` sends no `x-api-key`.
#![no_main]

use composio_edge::http;
use composio_edge::emulator::Emulator;
use composio_edge::runtime::{block_on, TestRuntime};
use composio_edge::store::MemoryStore;
use libfuzzer_sys::fuzz_target;
use composio_edge::json::Value;

const KEY: &str = "ak_fuzz_5ecret_k3y";

fn remember(v: &Value, s: &mut String, a: &mut String, l: &mut String) {
    if let Some(x) = v.get("session_id").and_then(Value::as_str) {
        *s = x.to_owned();
    }
    if let Some(x) = v.get("connected_account_id").and_then(Value::as_str) {
        *a = x.to_owned();
    }
    if let Some(x) = v.get("redirect_url").and_then(Value::as_str) {
        if let Some((_, t)) = x.rsplit_once("/link/") {
            *l = t.to_owned();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let emu = Emulator::new();
    let store = MemoryStore::default();
    let rt = TestRuntime::new(1_795_316_400_000);
    let (mut sid, mut acc, mut link) = (String::new(), String::new(), String::new());
    // Once a fault may be queued, answers are deliberately broken: only the no-panic,
    // request-id and no-echo checks still apply.
    let mut faults = false;
    let carries_key = data.windows(KEY.len()).any(|w| w == KEY.as_bytes());
    for chunk in data.split(|&b| b == 0).take(8) {
        let (line, body) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], &chunk[i + 1..]),
            None => (chunk, &b""[..]),
        };
        let line = String::from_utf8_lossy(line)
            .replace("$S", &sid)
            .replace("$A", &acc)
            .replace("$L", &link);
        let (line, key) = match line.strip_suffix(" !nokey") {
            Some(l) => (l.to_owned(), false),
            None => (line, true),
        };
        let (method, target) = line.split_once(' ').unwrap_or(("GET", line.as_str()));
        let Ok(method) = http::Method::from_bytes(method.as_bytes()) else {
            continue;
        };
        let mut b = http::Request::builder().method(method);
        b = b.uri(format!("http://emu.test:8787{target}"));
        if key {
            b = b.header("x-api-key", KEY);
        }
        if body.first() == Some(&b'{') {
            b = b.header("content-type", "application/json");
        }
        let Ok(req) = b.body(body.to_vec()) else {
            continue;
        };
        faults |= req.uri().path().starts_with("/__emulator");
        let res = block_on(emu.handle(req, &store, &rt));
        let status = res.status().as_u16();
        assert!((100..600).contains(&status));
        assert!(res.headers().contains_key("x-request-id"), "no request id");
        let text = String::from_utf8_lossy(res.body());
        // (Unless some request carried the key itself, e.g. in a path or a stored fault.)
        if !carries_key {
            assert!(!text.contains(KEY), "the api key was echoed");
            for (_, v) in res.headers() {
                assert!(!String::from_utf8_lossy(v.as_bytes()).contains(KEY));
            }
        }
        let json: Option<Value> = serde_json::from_slice(res.body()).ok();
        let html = res
            .headers()
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
        if status >= 400 && !html && !faults {
            let j = json.as_ref().expect("an error is json");
            assert!(j.get("error").is_some(), "error without envelope: {text}");
        }
        if let Some(j) = &json {
            remember(j, &mut sid, &mut acc, &mut link);
        }
    }
});

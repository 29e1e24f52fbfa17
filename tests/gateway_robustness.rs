//! No input panics the gateway: a deterministic stream of hostile requests through front and
//! user, each answered with a well-formed response.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod gateway_support;

use composio_edge::http;
use composio_edge::json;
use gateway_support::*;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() as usize) % xs.len()]
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

#[test]
fn hostile_requests_never_panic() {
    let h = Harness::new(
        config(&[
            ("EDGE_PROXY_ENABLED", "true"),
            ("EDGE_RATE_LIMIT_PER_MINUTE", "0"),
        ]),
        FakeApi::new(),
    );
    let token = h.token("fuzz");
    let mut r = Lcg(42);
    let paths = [
        "/v1/session",
        "/v1/tools",
        "/v1/tools?provider=%ZZ",
        "/v1/search",
        "/v1/execute",
        "/v1/toolkits?limit=%",
        "/v1/toolkits?cursor=%E0%A4%A",
        "/v1/connect",
        "/v1/connect/%2e%2e",
        "/v1/connect/",
        "/v1/proxy",
        "/v1/tokens",
        "/v1/dev/token",
        "/oauth/start?ticket=%",
        "/oauth/start?ticket=a.b",
        "/oauth/callback?state=..&state=x",
        "/oauth/callback?state=%00",
        "/v1",
        "/v1/",
        "/oauth",
        "/api/v3.1/x",
        "/__emulator/faults",
        "/v1/connect/a/b",
    ];
    let methods = ["GET", "POST", "DELETE", "PUT", "OPTIONS", "PATCH", "HEAD"];
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"{".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"\"x\"".to_vec(),
        json!({"query": ["x"], "queries": {"a": 1}})
            .to_string()
            .into_bytes(),
        json!({"tool_slug": "GITHUB_CREATE_AN_ISSUE", "arguments": {"owner": [1], "repo": null}})
            .to_string()
            .into_bytes(),
        json!({"tool_slug": "A", "arguments": "{\"a\":"})
            .to_string()
            .into_bytes(),
        json!({"toolkit": "github", "return_to": "/\u{0}"})
            .to_string()
            .into_bytes(),
        json!({"toolkit": "github", "endpoint": "", "parameters": [{"name": 1}]})
            .to_string()
            .into_bytes(),
        json!({"user_id": "\u{202e}evil", "scopes": [null], "origins": [1], "ttl_seconds": -5})
            .to_string()
            .into_bytes(),
        json!({"custom_tools": [1, 2], "query": "x"})
            .to_string()
            .into_bytes(),
    ];
    for i in 0..3000u32 {
        let path = r.pick(&paths);
        let method = r.pick(&methods);
        let mut body = bodies[(r.next() as usize) % bodies.len()].clone();
        if i.is_multiple_of(7) {
            let n = (r.next() % 64) as usize;
            body = r.bytes(n);
        }
        let mut b = http::Request::builder()
            .method(method)
            .uri(format!("{ORIGIN}{path}"));
        match r.next() % 4 {
            0 => b = b.header("authorization", format!("Bearer {token}")),
            1 => b = b.header("authorization", "Bearer a.b.c"),
            2 => b = b.header("authorization", format!("Bearer {ADMIN_KEY}")),
            _ => {}
        }
        if r.next().is_multiple_of(2) {
            b = b.header(
                "content-type",
                r.pick(&[
                    "application/json",
                    "text/plain",
                    "application/json; charset=utf-8",
                    "",
                ]),
            );
        }
        if r.next().is_multiple_of(3) {
            b = b.header(
                "origin",
                r.pick(&[
                    APP,
                    ORIGIN,
                    "null",
                    "https://evil.example",
                    "https://app.example.com:99999",
                ]),
            );
        }
        if r.next().is_multiple_of(5) {
            b = b.header("cookie", "__Host-edge_flow_abc=; ;=;x");
        }
        if r.next().is_multiple_of(9) {
            b = b.header("idempotency-key", "k");
        }
        let res = h.send(b.body(body).unwrap());
        let s = res.status().as_u16();
        assert!((200..600).contains(&s));
        assert!(
            res.headers().contains_key("x-request-id"),
            "{method} {path}"
        );
    }
}

//! The gateway (`Gateway::front` then `Gateway::user`, over the embedded emulator as upstream)
//! fed arbitrary request sequences, as the Worker shell would route them: no panic; every
//! answer has a request id; no secret (project key, admin key, signing key) ever appears in
//! an answer; CORS headers only for the allowed origin; every redirect goes to the gateway's
//! own origin, the configured return URL or an allowed connect host (SEC-12/13/14/22).
//!
//! Input: one mode byte (bit 0: production mode with a project key), then up to 10 requests
//! separated by NUL, each `METHOD PATH\nHeader: value\n…\n\nBODY` (headers optional). In the
//! first line and headers: `$T` = last token issued, `$ADMIN` = the admin key, `$CU` = last
//! `connect_url`, `$LOC` = last `Location` (both made relative when on the own origin),
//! `$CK` = last `Set-Cookie` pair, `$ID` = last `connection_id`.
#![no_main]

use std::cell::RefCell;
use std::collections::HashMap;

use composio_edge::http;
use composio_edge::emulator::{Emulator, InProcess};
use composio_edge::gateway::redirect::redirect_host_allowed;
use composio_edge::gateway::{face, Dispatch, Face, Gateway, GatewayConfig};
use composio_edge::runtime::{block_on, TestRuntime};
use composio_edge::store::MemoryStore;
use composio_edge::transport::HttpResponse;
use libfuzzer_sys::fuzz_target;
use composio_edge::json::Value;

const OWN: &str = "https://edge.test";
const APP: &str = "https://app.example.com";
const RETURN: &str = "https://app.example.com/done";
const PROJECT_KEY: &str = "ak_fuzz_PROJECT_k3y_0123";
const ADMIN_KEY: &str = "fuzz-admin-key-0123456789abcdef";
const SIGNING_KEY: &str = "fuzz-signing-key-0123456789abcdef0123456789";

fn config(production: bool) -> GatewayConfig {
    let get = |n: &str| -> Option<String> {
        Some(match n {
            "COMPOSIO_API_KEY" if production => PROJECT_KEY.into(),
            "COMPOSIO_BASE_URL" if production => "https://backend.test".into(),
            // The upstream (an emulator) serves the connect page on its own host.
            "EDGE_REDIRECT_HOSTS" if production => "backend.test".into(),
            "EDGE_SIGNING_KEY" => SIGNING_KEY.into(),
            "EDGE_ADMIN_KEY" => ADMIN_KEY.into(),
            "EDGE_ALLOWED_ORIGINS" => APP.into(),
            "EDGE_RETURN_URLS" => RETURN.into(),
            "EDGE_PROXY_ENABLED" => "true".into(),
            "EDGE_RATE_LIMIT_PER_MINUTE" => "0".into(),
            _ => return None,
        })
    };
    GatewayConfig::from_vars(get).expect("never fails")
}

fn relative(url: &str) -> String {
    [OWN, "https://backend.test"]
        .iter()
        .find_map(|o| url.strip_prefix(o))
        .map(str::to_owned)
        .unwrap_or_else(|| url.to_owned())
}

#[derive(Default)]
struct Vars {
    token: String,
    connect_url: String,
    location: String,
    cookie: String,
    id: String,
}

impl Vars {
    fn fill(&self, s: &str) -> String {
        s.replace("$T", &self.token)
            .replace("$ADMIN", ADMIN_KEY)
            .replace("$CU", &self.connect_url)
            .replace("$LOC", &self.location)
            .replace("$CK", &self.cookie)
            .replace("$ID", &self.id)
    }

    fn learn(&mut self, res: &HttpResponse) {
        if let Ok(v) = serde_json::from_slice::<Value>(res.body()) {
            if let Some(t) = v.get("token").and_then(Value::as_str) {
                self.token = t.to_owned();
            }
            if let Some(t) = v.get("connect_url").and_then(Value::as_str) {
                self.connect_url = relative(t);
            }
            if let Some(t) = v.get("connection_id").and_then(Value::as_str) {
                self.id = t.to_owned();
            }
        }
        if let Some(l) = res.headers().get("location").and_then(|v| v.to_str().ok()) {
            self.location = relative(l);
        }
        if let Some(c) = res
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
        {
            self.cookie = c.split(';').next().unwrap_or_default().to_owned();
        }
    }
}

fn check(res: &HttpResponse, path: &str, gw: &Gateway, secrets: &[&str]) {
    let status = res.status().as_u16();
    assert!((100..600).contains(&status));
    let mut all = String::from_utf8_lossy(res.body()).into_owned();
    for (k, v) in res.headers() {
        all.push_str(k.as_str());
        all.push_str(&String::from_utf8_lossy(v.as_bytes()));
    }
    for s in secrets {
        assert!(!all.contains(s), "a secret leaked on {path}: {all}");
    }
    let gateway_face =
        face(path, gw.config.emulator_mode) == Face::Gateway && !path.starts_with("/link/");
    if !gateway_face {
        return;
    }
    assert!(
        res.headers().contains_key("x-request-id"),
        "no request id on {path}"
    );
    if let Some(o) = res.headers().get("access-control-allow-origin") {
        assert_eq!(o.as_bytes(), APP.as_bytes(), "CORS for a foreign origin");
    }
    if let Some(l) = res.headers().get("location").and_then(|v| v.to_str().ok()) {
        assert!((300..400).contains(&status));
        let ok = l == RETURN
            || l.starts_with(&format!("{OWN}/"))
            || redirect_host_allowed(l, &gw.config, OWN);
        assert!(ok, "redirect to {l:?} from {path}");
    }
    if status >= 400 {
        let html = res
            .headers()
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
        if !html {
            let v: Value = serde_json::from_slice(res.body()).expect("a gateway error is json");
            let code = v["error"]["code"].as_str().expect("an error has a code");
            assert!(
                !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "code {code}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let production = mode & 1 == 1;
    let gw = Gateway::new(config(production));
    let rt = TestRuntime::new(1_790_000_000_000);
    let upstream = InProcess {
        emulator: Emulator::new(),
        store: MemoryStore::default(),
        runtime: TestRuntime::new(1_790_000_000_000),
    };
    let stores: RefCell<HashMap<String, MemoryStore>> = RefCell::default();
    let mut vars = Vars::default();
    let text = String::from_utf8_lossy(data);
    let mut secrets = vec![SIGNING_KEY];
    if !text.contains("$ADMIN") && !text.contains(ADMIN_KEY) {
        secrets.push(ADMIN_KEY);
    }
    if !text.contains(PROJECT_KEY) {
        secrets.push(PROJECT_KEY);
    }
    if text.contains(SIGNING_KEY) {
        return;
    }

    for chunk in rest.split(|&b| b == 0).take(10) {
        let chunk = String::from_utf8_lossy(chunk);
        let (head, body) = chunk.split_once("\n\n").unwrap_or((&chunk, ""));
        let mut lines = head.lines();
        let first = vars.fill(lines.next().unwrap_or_default());
        let (method, target) = first.split_once(' ').unwrap_or(("GET", first.as_str()));
        let Ok(method) = http::Method::from_bytes(method.as_bytes()) else {
            continue;
        };
        let mut b = http::Request::builder()
            .method(method)
            .uri(format!("{OWN}{target}"));
        for line in lines {
            if let Some((k, v)) = vars.fill(line).split_once(':') {
                b = b.header(k.trim(), v.trim());
            }
        }
        let Ok(req) = b.body(body.as_bytes().to_vec()) else {
            continue;
        };
        let path = req.uri().path().to_owned();
        let to_emulator = face(&path, gw.config.emulator_mode) == Face::Emulator
            || (production && path.starts_with("/link/"));
        let res = if to_emulator {
            // The shell hands the emulator face straight to the emulator; in production mode
            // `/link/…` stands for the upstream's hosted connect page.
            block_on(
                upstream
                    .emulator
                    .handle(req, &upstream.store, &upstream.runtime),
            )
        } else {
            match block_on(gw.front(req, &rt)) {
                Dispatch::Respond(r) => r,
                Dispatch::User { user_key, request } => {
                    assert!(!user_key.is_empty());
                    let store = stores.borrow_mut().entry(user_key).or_default().clone();
                    block_on(gw.user(request, &store, &upstream, &rt))
                }
            }
        };
        if std::env::var_os("FUZZ_DEBUG").is_some() {
            let loc = res
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap_or("?").to_owned());
            let body: String = String::from_utf8_lossy(res.body())
                .chars()
                .take(160)
                .collect();
            eprintln!("{first} -> {} {loc:?} {body}", res.status());
        }
        check(&res, &path, &gw, &secrets);
        vars.learn(&res);
    }
});

//! The OAuth return hop (`GET /oauth/callback`, SEC-06…09, SEC-15): a real flow is started for
//! alice (and completed for bob) on the emulator, then one arbitrary callback request arrives.
//! Invariants: alice's connection becomes active only with her own state, her browser's cookie
//! and her own account (never bob's or an invented one); failures never redirect; any redirect
//! goes to the own origin or the configured return URL; no secret leaks.
//!
//! Input: `query\0cookie-header`; `$STATE`, `$ACC` (alice's account), `$BOB` (bob's active
//! account), `$CK` (alice's flow cookie pair) and `$Q` (the genuine callback query) are
//! substituted.
#![no_main]

#[path = "common.rs"]
mod common;

use std::cell::RefCell;
use std::collections::HashMap;

use composio_edge::http;
use composio_edge::emulator::{Emulator, InProcess};
use composio_edge::encoding::query_param;
use composio_edge::gateway::{face, Dispatch, Face, Gateway, GatewayConfig};
use composio_edge::runtime::{block_on, TestRuntime};
use composio_edge::store::MemoryStore;
use composio_edge::transport::{HttpRequest, HttpResponse};
use libfuzzer_sys::fuzz_target;
use composio_edge::json;
use composio_edge::json::Value;

const OWN: &str = "https://edge.test";
const RETURN: &str = "https://app.example.com/done";
const SIGNING_KEY: &str = "fuzz-signing-key-0123456789abcdef0123456789";

struct World {
    gw: Gateway,
    rt: TestRuntime,
    up: InProcess<MemoryStore, TestRuntime>,
    stores: RefCell<HashMap<String, MemoryStore>>,
}

impl World {
    fn new() -> Self {
        let get = |n: &str| -> Option<String> {
            Some(match n {
                "EDGE_SIGNING_KEY" => SIGNING_KEY.into(),
                "EDGE_ALLOWED_ORIGINS" => "https://app.example.com".into(),
                "EDGE_RETURN_URLS" => RETURN.into(),
                "EDGE_RATE_LIMIT_PER_MINUTE" => "0".into(),
                _ => return None,
            })
        };
        World {
            gw: Gateway::new(GatewayConfig::from_vars(get).expect("never fails")),
            rt: TestRuntime::new(1_790_000_000_000),
            up: InProcess {
                emulator: Emulator::new(),
                store: MemoryStore::default(),
                runtime: TestRuntime::new(1_790_000_000_000),
            },
            stores: RefCell::default(),
        }
    }

    fn send(&self, req: HttpRequest) -> HttpResponse {
        let path = req.uri().path().to_owned();
        if face(&path, true) == Face::Emulator {
            return block_on(
                self.up
                    .emulator
                    .handle(req, &self.up.store, &self.up.runtime),
            );
        }
        match block_on(self.gw.front(req, &self.rt)) {
            Dispatch::Respond(r) => r,
            Dispatch::User { user_key, request } => {
                let store = self
                    .stores
                    .borrow_mut()
                    .entry(user_key)
                    .or_default()
                    .clone();
                block_on(self.gw.user(request, &store, &self.up, &self.rt))
            }
        }
    }

    fn req(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: &str,
    ) -> HttpResponse {
        let mut b = http::Request::builder()
            .method(method)
            .uri(format!("{OWN}{path}"));
        for (k, v) in headers {
            b = b.header(*k, v.as_str());
        }
        self.send(b.body(body.as_bytes().to_vec()).expect("valid request"))
    }
}

fn json_of(res: &HttpResponse) -> Value {
    serde_json::from_slice(res.body()).unwrap_or(Value::Null)
}

fn header(res: &HttpResponse, name: &str) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

struct Flow {
    token: String,
    connection: String,
    cookie: String,
    callback: String,
}

/// dev token → connect github (return_to `/after`) → /oauth/start → consent; the callback URL
/// is returned unvisited.
fn start(w: &World, user: &str, decision: &str) -> Flow {
    let ct = ("content-type", "application/json".to_owned());
    let token = json_of(&w.req(
        "POST",
        "/v1/dev/token",
        &[ct.clone()],
        &json!({"user_id": user}).to_string(),
    ))["token"]
        .as_str()
        .expect("a dev token")
        .to_owned();
    let auth = ("authorization", format!("Bearer {token}"));
    let c = json_of(&w.req(
        "POST",
        "/v1/connect",
        &[ct, auth],
        &json!({"toolkit": "github", "return_to": "/after"}).to_string(),
    ));
    let connection = c["connection_id"]
        .as_str()
        .expect("a connection")
        .to_owned();
    let start = w.req(
        "GET",
        c["connect_url"]
            .as_str()
            .expect("a connect url")
            .trim_start_matches(OWN),
        &[],
        "",
    );
    let cookie = header(&start, "set-cookie")
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    let link = header(&start, "location");
    let consent = w.req(
        "POST",
        link.trim_start_matches(OWN),
        &[(
            "content-type",
            "application/x-www-form-urlencoded".to_owned(),
        )],
        &format!("decision={decision}"),
    );
    let callback = header(&consent, "location")
        .trim_start_matches(OWN)
        .to_owned();
    assert!(
        callback.starts_with("/oauth/callback?"),
        "consent did not redirect: {callback}"
    );
    Flow {
        token,
        connection,
        cookie,
        callback,
    }
}

fn status(w: &World, f: &Flow) -> Value {
    json_of(&w.req(
        "GET",
        &format!("/v1/connect/{}", f.connection),
        &[("authorization", format!("Bearer {}", f.token))],
        "",
    ))
}

fuzz_target!(|data: &[u8]| {
    let w = World::new();
    let bob = start(&w, "bob", "allow");
    let res = w.req("GET", &bob.callback, &[("cookie", bob.cookie.clone())], "");
    assert!(res.status().is_success() || res.status().is_redirection());
    let bob_acc = status(&w, &bob)["connected_account_id"]
        .as_str()
        .expect("bob is connected")
        .to_owned();
    let alice = start(&w, "alice", "allow");
    let q = alice
        .callback
        .split_once('?')
        .map(|x| x.1)
        .unwrap_or_default()
        .to_owned();
    let state = query_param(&q, "state").unwrap_or_default();
    let acc = query_param(&q, "connected_account_id").unwrap_or_default();

    let (query, cookie) = common::split2(data);
    let fill = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .replace("$STATE", &state)
            .replace("$ACC", &acc)
            .replace("$BOB", &bob_acc)
            .replace("$CK", &alice.cookie)
            .replace("$Q", &q)
    };
    let (query, cookie) = (fill(query), fill(cookie));
    let mut b = http::Request::builder()
        .method("GET")
        .uri(format!("{OWN}/oauth/callback?{query}"));
    if !cookie.is_empty() {
        b = b.header("cookie", cookie.as_str());
    }
    let Ok(req) = b.body(Vec::new()) else { return };
    let res = w.send(req);

    let text = String::from_utf8_lossy(res.body()).into_owned();
    assert!(!text.contains(SIGNING_KEY));
    let location = header(&res, "location");
    if !location.is_empty() {
        assert!(res.status().is_redirection());
        assert!(
            location == RETURN || location.starts_with(&format!("{OWN}/")),
            "redirect to {location}"
        );
    }
    if res.status().is_client_error() || res.status().is_server_error() {
        assert!(location.is_empty(), "a failure redirected (SEC-15)");
    }
    let s = status(&w, &alice);
    if std::env::var_os("FUZZ_DEBUG").is_some() {
        eprintln!("{} {location:?} -> {s}", res.status());
    }
    if s["status"] == "active" {
        // The server sees the query up to a `#` (the rest is the URL's fragment).
        let seen = query.split('#').next().unwrap_or_default();
        assert_eq!(
            query_param(seen, "state").as_deref(),
            Some(state.as_str()),
            "active without alice's state"
        );
        assert!(
            cookie.contains(&alice.cookie),
            "active without alice's cookie"
        );
        assert_eq!(
            s["connected_account_id"].as_str(),
            Some(acc.as_str()),
            "active with another account"
        );
    }
    assert_ne!(
        s["connected_account_id"].as_str(),
        Some(bob_acc.as_str()),
        "alice got bob's account"
    );
});

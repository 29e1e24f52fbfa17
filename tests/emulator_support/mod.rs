//! Shared helpers of the emulator tests: an emulator over a MemoryStore and a TestRuntime.
#![allow(dead_code)]

use composio_edge::emulator::Emulator;
use composio_edge::http;
use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::runtime::{block_on, TestRuntime};
use composio_edge::store::MemoryStore;
use composio_edge::transport::{HttpRequest, HttpResponse};

pub const ORIGIN: &str = "http://emu.test:8787";
/// 2026-11-22T03:00:00Z
pub const START_MS: u64 = 1_795_316_400_000;

pub struct Emu {
    pub emu: Emulator,
    pub store: MemoryStore,
    pub rt: TestRuntime,
}

pub struct Res {
    pub status: u16,
    pub json: Value,
    pub text: String,
    pub headers: http::HeaderMap,
}

impl Emu {
    pub fn new() -> Self {
        Self {
            emu: Emulator::new(),
            store: MemoryStore::default(),
            rt: TestRuntime::new(START_MS),
        }
    }

    pub fn raw(&self, req: HttpRequest) -> HttpResponse {
        block_on(self.emu.handle(req, &self.store, &self.rt))
    }

    pub fn req(method: &str, path: &str, body: Option<&Value>) -> HttpRequest {
        let mut b = http::Request::builder()
            .method(method)
            .uri(format!("{ORIGIN}{path}"))
            .header("x-api-key", "ak_test");
        let bytes = match body {
            Some(v) => {
                b = b.header("content-type", "application/json");
                serde_json::to_vec(v).unwrap()
            }
            None => Vec::new(),
        };
        b.body(bytes).unwrap()
    }

    pub fn send(&self, req: HttpRequest) -> Res {
        let res = self.raw(req);
        let text = String::from_utf8_lossy(res.body()).into_owned();
        Res {
            status: res.status().as_u16(),
            json: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
            headers: res.headers().clone(),
        }
    }

    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Res {
        self.send(Self::req(method, path, body.as_ref()))
    }

    pub fn api(&self, method: &str, path: &str, body: Option<Value>) -> Res {
        self.call(method, &format!("/api/v3.1{path}"), body)
    }

    /// Creates a session and returns its body.
    pub fn create(&self, body: Value) -> Value {
        let r = self.api("POST", "/tool_router/session", Some(body));
        assert_eq!(r.status, 201, "{}", r.text);
        r.json
    }

    pub fn session(&self, user: &str) -> String {
        self.create(json!({"user_id": user}))["session_id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub fn execute(&self, sid: &str, slug: &str, args: Value) -> Value {
        let r = self.api(
            "POST",
            &format!("/tool_router/session/{sid}/execute"),
            Some(json!({"tool_slug": slug, "arguments": args})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        r.json
    }

    /// Runs the whole connect flow for a toolkit (link → POST allow) and returns the account id.
    pub fn connect(&self, sid: &str, toolkit: &str) -> String {
        let r = self.api(
            "POST",
            &format!("/tool_router/session/{sid}/link"),
            Some(json!({"toolkit": toolkit})),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let url = r.json["redirect_url"].as_str().unwrap().to_owned();
        let path = url.strip_prefix(ORIGIN).unwrap().to_owned();
        let res = self.send(form(&path, "decision=allow"));
        assert!(res.status == 200 || res.status == 303, "{}", res.text);
        r.json["connected_account_id"].as_str().unwrap().to_owned()
    }
}

/// A form POST (what the consent page's browser sends; no API key).
pub fn form(path: &str, body: &str) -> HttpRequest {
    http::Request::post(format!("{ORIGIN}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.as_bytes().to_vec())
        .unwrap()
}

pub fn get_page(path: &str) -> HttpRequest {
    http::Request::get(format!("{ORIGIN}{path}"))
        .body(Vec::new())
        .unwrap()
}

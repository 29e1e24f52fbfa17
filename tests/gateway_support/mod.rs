//! Shared harness for the gateway tests: runs `front` then `user` with one `MemoryStore` per
//! user key (standing in for Durable Objects), over a fake Tool Router API that records calls.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use composio_edge::gateway::{Dispatch, Gateway, GatewayConfig};
use composio_edge::http;
use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::runtime::{block_on, TestRuntime};
use composio_edge::store::MemoryStore;
use composio_edge::transport::{json_response, HttpRequest, HttpResponse, Transport};
use composio_edge::Error;

pub const ORIGIN: &str = "https://edge.test";
pub const APP: &str = "https://app.example.com";
pub const START_MS: u64 = 1_790_000_000_000;

/// A fake Tool Router API: sessions, tools, search, execute, link, connected accounts.
#[derive(Default)]
pub struct FakeApi {
    pub calls: RefCell<Vec<(String, String, Value)>>,
    pub sessions: RefCell<BTreeMap<String, String>>,
    pub accounts: RefCell<BTreeMap<String, Value>>,
    pub faults: RefCell<VecDeque<(String, Result<HttpResponse, Error>)>>,
    pub seen_keys: RefCell<Vec<String>>,
    pub redirect_base: RefCell<Option<String>>,
}

fn tool(slug: &str, toolkit: &str, schema: Value) -> Value {
    json!({"slug": slug, "name": slug, "description": format!("{slug} tool"), "toolkit": {"slug": toolkit, "name": toolkit},
           "input_parameters": schema, "output_parameters": {}, "no_auth": toolkit == "composio", "tags": []})
}

pub fn issue_schema() -> Value {
    json!({"type": "object", "properties": {"owner": {"type": "string"}, "repo": {"type": "string"}, "title": {"type": "string", "minLength": 1}},
           "required": ["owner", "repo", "title"]})
}

impl FakeApi {
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues a fault for the next request whose path starts with `prefix`.
    pub fn fault(&self, prefix: &str, res: Result<HttpResponse, Error>) {
        self.faults.borrow_mut().push_back((prefix.to_owned(), res));
    }

    pub fn count(&self, method: &str, suffix: &str) -> usize {
        self.calls
            .borrow()
            .iter()
            .filter(|(m, p, _)| m == method && p.ends_with(suffix))
            .count()
    }

    pub fn executes(&self, slug: &str) -> usize {
        self.calls
            .borrow()
            .iter()
            .filter(|(m, p, b)| m == "POST" && p.ends_with("/execute") && b["tool_slug"] == slug)
            .count()
    }

    pub fn set_account(&self, id: &str, user: &str, toolkit: &str, status: &str) {
        self.accounts.borrow_mut().insert(
            id.to_owned(),
            json!({"id": id, "user_id": user, "toolkit": {"slug": toolkit}, "status": status}),
        );
    }

    pub fn account_status(&self, id: &str, status: &str) {
        if let Some(a) = self.accounts.borrow_mut().get_mut(id) {
            a["status"] = json!(status);
        }
    }

    fn handle(&self, req: &HttpRequest) -> HttpResponse {
        let path = req.uri().path().to_owned();
        let method = req.method().as_str().to_owned();
        let body: Value = serde_json::from_slice(req.body()).unwrap_or(Value::Null);
        self.calls
            .borrow_mut()
            .push((method.clone(), path.clone(), body.clone()));
        if let Some(k) = req.headers().get("x-api-key") {
            self.seen_keys
                .borrow_mut()
                .push(k.to_str().unwrap().to_owned());
        }
        let not_found = || {
            json_response(
                404,
                &json!({"error": {"message": "not found", "code": 404, "slug": "NotFound", "status": 404}}),
            )
        };
        let seg: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match (method.as_str(), seg.as_slice()) {
            ("POST", ["api", "v3.1", "tool_router", "session"]) => {
                let n = self.count("POST", "/tool_router/session");
                let id = format!("trs_{n:012}");
                let user = body["user_id"].as_str().unwrap_or("").to_owned();
                self.sessions.borrow_mut().insert(id.clone(), user.clone());
                json_response(
                    201,
                    &json!({"session_id": id, "mcp": {"type": "http", "url": "https://backend.composio.dev/tool_router/x/mcp", "headers": {"x-api-key": "ak_SECRET_PROJECT_KEY"}},
                            "tool_router_tools": ["COMPOSIO_SEARCH_TOOLS"], "config": {"user_id": user, "toolkits": body.get("toolkits")}, "config_version": 1}),
                )
            }
            (m, ["api", "v3.1", "tool_router", "session", id, rest @ ..]) => {
                let Some(user) = self.sessions.borrow().get(*id).cloned() else {
                    return not_found();
                };
                match (m, rest) {
                    ("DELETE", []) => {
                        self.sessions.borrow_mut().remove(*id);
                        json_response(200, &json!({"session_id": id, "deleted": true}))
                    }
                    ("GET", ["tools"]) => json_response(
                        200,
                        &json!({"items": [
                            tool("COMPOSIO_SEARCH_TOOLS", "composio", json!({"type": "object", "properties": {"queries": {"type": "array"}}, "required": ["queries"]})),
                            tool("GITHUB_CREATE_AN_ISSUE", "github", issue_schema()),
                        ], "next_cursor": null, "total_pages": 1, "current_page": 1, "total_items": 2}),
                    ),
                    ("POST", ["search"]) => json_response(
                        200,
                        &json!({"success": true, "error": null, "results": [{"index": 1, "use_case": body["queries"][0]["use_case"], "primary_tool_slugs": ["GMAIL_SEND_EMAIL"], "related_tool_slugs": [], "toolkits": ["gmail"]}],
                                "tool_schemas": {"GMAIL_SEND_EMAIL": {"toolkit": "gmail", "tool_slug": "GMAIL_SEND_EMAIL", "input_schema": {"type": "object", "properties": {"to": {"type": "string"}}, "required": ["to"]}}},
                                "toolkit_connection_statuses": [], "next_steps_guidance": [], "session": {"id": "ws_1", "generate_id": true, "instructions": ""},
                                "time_info": {"current_time_utc": "x", "current_time_utc_epoch_seconds": 1, "message": ""}, "echo": body}),
                    ),
                    ("POST", ["execute"]) => {
                        let slug = body["tool_slug"].as_str().unwrap_or("");
                        if slug == "COMPOSIO_GET_TOOL_SCHEMAS" {
                            let asked = body["arguments"]["tool_slugs"][0].as_str().unwrap_or("");
                            let schemas = match asked {
                                "SLACK_SEND_MESSAGE" => {
                                    json!({"SLACK_SEND_MESSAGE": {"tool_slug": "SLACK_SEND_MESSAGE", "toolkit": "slack", "input_schema": {"type": "object", "properties": {"channel": {"type": "string"}, "text": {"type": "string"}}, "required": ["channel", "text"]}}})
                                }
                                _ => json!({}),
                            };
                            return json_response(
                                200,
                                &json!({"result_type": "completed", "data": {"data": {"success": true, "tool_schemas": schemas, "not_found": []}, "successful": true, "error": null}, "error": null, "log_id": "log_s"}),
                            );
                        }
                        json_response(
                            200,
                            &json!({"result_type": "completed", "data": {"echo": body["arguments"], "user": user}, "error": null, "log_id": format!("log_{}", self.calls.borrow().len())}),
                        )
                    }
                    ("GET", ["toolkits"]) => json_response(
                        200,
                        &json!({"items": [
                            {"slug": "github", "name": "GitHub", "is_no_auth": false, "connected_account": self.accounts.borrow().values().find(|a| a["user_id"] == user.as_str() && a["toolkit"]["slug"] == "github").cloned()},
                            {"slug": "hackernews", "name": "Hacker News", "is_no_auth": true, "connected_account": null},
                            {"slug": "gmail", "name": "Gmail", "is_no_auth": false, "connected_account": null},
                        ], "next_cursor": null, "total_pages": 1, "current_page": 1, "total_items": 3, "query": req.uri().query()}),
                    ),
                    ("POST", ["link"]) => {
                        let n = self.accounts.borrow().len() + 1;
                        let ca = format!("ca_{n:04}");
                        let toolkit = body["toolkit"].as_str().unwrap_or("").to_owned();
                        self.set_account(&ca, &user, &toolkit, "INITIATED");
                        let base = self
                            .redirect_base
                            .borrow()
                            .clone()
                            .unwrap_or_else(|| "https://connect.composio.dev".into());
                        json_response(
                            201,
                            &json!({"link_token": "lt_x", "redirect_url": format!("{base}/link/ln_{n}"), "connected_account_id": ca, "callback_seen": body["callback_url"]}),
                        )
                    }
                    ("POST", ["proxy_execute"]) => json_response(
                        200,
                        &json!({"status": 200, "data": {"proxied": body}, "headers": {}}),
                    ),
                    _ => not_found(),
                }
            }
            ("GET", ["api", "v3.1", "connected_accounts", id]) => {
                match self.accounts.borrow().get(*id) {
                    Some(a) => json_response(200, a),
                    None => not_found(),
                }
            }
            _ => not_found(),
        }
    }
}

impl Transport for FakeApi {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, Error> {
        let path = req.uri().path().to_owned();
        let fault = {
            let mut f = self.faults.borrow_mut();
            let pos = f.iter().position(|(p, _)| path.starts_with(p.as_str()));
            pos.and_then(|i| f.remove(i))
        };
        if let Some((_, res)) = fault {
            let body: Value = serde_json::from_slice(req.body()).unwrap_or(Value::Null);
            self.calls
                .borrow_mut()
                .push((req.method().as_str().to_owned(), path, body));
            return res;
        }
        Ok(self.handle(&req))
    }
}

/// Gateway + per-user stores + upstream.
pub struct Harness<T> {
    pub gw: Gateway,
    pub rt: Rc<TestRuntime>,
    pub stores: RefCell<HashMap<String, MemoryStore>>,
    pub up: T,
}

pub fn config(vars: &[(&str, &str)]) -> GatewayConfig {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    GatewayConfig::from_vars(|k| vars.get(k).cloned()).unwrap()
}

pub fn emulator_harness() -> Harness<FakeApi> {
    Harness::new(config(&[("EDGE_ALLOWED_ORIGINS", APP)]), FakeApi::new())
}

pub const PROD_KEY: &str = "ak_SECRET_PROJECT_KEY";
pub const ADMIN_KEY: &str = "admin-key-0123456789abcdef";
pub const SIGNING_KEY: &str = "signing-key-0123456789abcdef0123456789abcdef";

pub fn production_harness(extra: &[(&str, &str)]) -> Harness<FakeApi> {
    let mut vars = vec![
        ("COMPOSIO_API_KEY", PROD_KEY),
        ("EDGE_SIGNING_KEY", SIGNING_KEY),
        ("EDGE_ADMIN_KEY", ADMIN_KEY),
        ("EDGE_ALLOWED_ORIGINS", APP),
    ];
    vars.extend_from_slice(extra);
    Harness::new(config(&vars), FakeApi::new())
}

impl<T: Transport> Harness<T> {
    pub fn new(cfg: GatewayConfig, up: T) -> Self {
        Self::with_runtime(cfg, up, Rc::new(TestRuntime::new(START_MS)))
    }

    pub fn with_runtime(cfg: GatewayConfig, up: T, rt: Rc<TestRuntime>) -> Self {
        Self {
            gw: Gateway::new(cfg),
            rt,
            stores: RefCell::new(HashMap::new()),
            up,
        }
    }

    pub fn store(&self, user_key: &str) -> MemoryStore {
        self.stores
            .borrow_mut()
            .entry(user_key.to_owned())
            .or_default()
            .clone()
    }

    /// front, then user in the user's "Durable Object".
    pub fn send(&self, req: HttpRequest) -> HttpResponse {
        match block_on(self.gw.front(req, &*self.rt)) {
            Dispatch::Respond(r) => r,
            Dispatch::User { user_key, request } => {
                let store = self.store(&user_key);
                block_on(self.gw.user(request, &store, &self.up, &*self.rt))
            }
        }
    }

    pub fn dev_token(&self, user: &str) -> String {
        let res = self.send(post("/v1/dev/token", None, &json!({"user_id": user})));
        assert_eq!(res.status(), 200, "{}", text(&res));
        body(&res)["token"].as_str().unwrap().to_owned()
    }

    pub fn admin_token(&self, payload: &Value) -> HttpResponse {
        let mut req = post("/v1/tokens", None, payload);
        req.headers_mut().insert(
            "authorization",
            format!("Bearer {ADMIN_KEY}").parse().unwrap(),
        );
        self.send(req)
    }

    pub fn token(&self, user: &str) -> String {
        if self.gw.config.emulator_mode {
            self.dev_token(user)
        } else {
            let res = self.admin_token(&json!({"user_id": user}));
            assert_eq!(res.status(), 200, "{}", text(&res));
            body(&res)["token"].as_str().unwrap().to_owned()
        }
    }
}

pub fn request(method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> HttpRequest {
    let mut b = http::Request::builder()
        .method(method)
        .uri(format!("{ORIGIN}{path}"));
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    let bytes = match body {
        Some(v) => {
            b = b.header("content-type", "application/json");
            serde_json::to_vec(v).unwrap()
        }
        None => Vec::new(),
    };
    b.body(bytes).unwrap()
}

pub fn post(path: &str, token: Option<&str>, body: &Value) -> HttpRequest {
    request("POST", path, token, Some(body))
}

pub fn get(path: &str, token: Option<&str>) -> HttpRequest {
    request("GET", path, token, None)
}

pub fn with_header(mut req: HttpRequest, name: &'static str, value: &str) -> HttpRequest {
    req.headers_mut().insert(name, value.parse().unwrap());
    req
}

pub fn body(res: &HttpResponse) -> Value {
    serde_json::from_slice(res.body()).unwrap_or(Value::Null)
}

pub fn text(res: &HttpResponse) -> String {
    String::from_utf8_lossy(res.body()).into_owned()
}

pub fn code(res: &HttpResponse) -> String {
    body(res)["error"]["code"].as_str().unwrap_or("").to_owned()
}

pub fn hdr(res: &HttpResponse, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

/// The query parameter `name` of an absolute or relative URL.
pub fn param(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    composio_edge::encoding::query_param(q, name)
}

/// Path and query of an absolute URL on our origin.
pub fn local(url: &str) -> String {
    url.strip_prefix(ORIGIN).unwrap().to_owned()
}

/// The status as a number.
pub fn st(res: &HttpResponse) -> u16 {
    res.status().as_u16()
}

/// A transport that yields once before answering, so two requests interleave.
pub struct Yielding<'a>(pub &'a FakeApi);

impl Transport for Yielding<'_> {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, Error> {
        let mut yielded = false;
        std::future::poll_fn(|cx| {
            if yielded {
                Poll::Ready(())
            } else {
                yielded = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        })
        .await;
        self.0.send(req).await
    }
}

/// Polls two futures in turn until both finish.
pub fn join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = pin!(a);
    let mut b = pin!(b);
    let (mut ra, mut rb) = (None, None);
    let mut cx = Context::from_waker(Waker::noop());
    while ra.is_none() || rb.is_none() {
        if ra.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(&mut cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(&mut cx) {
                rb = Some(v);
            }
        }
    }
    (ra.unwrap(), rb.unwrap())
}

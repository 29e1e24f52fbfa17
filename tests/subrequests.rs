//! Subrequest budgets: how many upstream requests each gateway operation costs, counted by a
//! `Transport` in front of the in-process emulator. Workers bill and limit subrequests per
//! invocation, so these are budgets, enforced here (natively, by `cargo test`):
//!
//! | operation (warm: session and schemas known)  | budget |
//! |----------------------------------------------|--------|
//! | create a session                             | 1      |
//! | resume the session (reload, new token)       | 0      |
//! | search                                       | 1      |
//! | execute                                      | 1      |
//! | multi-execute of 50 tools                    | 1      |
//! | execute of a never-seen tool (cold schema)   | ≤ 2    |
//! | emulator mode: network subrequests           | 0      |
//!
//! Emulator mode in the Worker: every upstream request targets the Worker's own origin and the
//! shell hands it to the EMULATOR Durable Object through its stub, which is not a network
//! subrequest. What is assertable natively is asserted below (the upstream base is the own
//! origin, and the whole flow is served by the emulator); that the shell routes those requests
//! to the Durable Object instead of `fetch` is proved by the workerd suite (tests/workerd/).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::RefCell;
use std::collections::HashMap;

use composio_edge::emulator::{Emulator, InProcess};
use composio_edge::gateway::{Dispatch, Gateway, GatewayConfig};
use composio_edge::http;
use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::runtime::{block_on, TestRuntime};
use composio_edge::store::MemoryStore;
use composio_edge::transport::{HttpRequest, HttpResponse, Transport};
use composio_edge::Error;

const ORIGIN: &str = "https://edge.test";
const APP: &str = "https://app.example.com";
const UPSTREAM: &str = "https://upstream.test";
const START_MS: u64 = 1_795_316_400_000;
const API_KEY: &str = "ak_bench_project_key";
const ADMIN_KEY: &str = "admin-key-0123456789abcdef";
const SIGNING_KEY: &str = "signing-key-0123456789abcdef0123456789abcdef";

/// Counts (and remembers) every request before handing it to the inner transport.
struct Counting<T> {
    inner: T,
    seen: RefCell<Vec<String>>,
}

impl<T: Transport> Transport for Counting<T> {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, Error> {
        self.seen
            .borrow_mut()
            .push(format!("{} {}", req.method(), req.uri()));
        self.inner.send(req).await
    }
}

impl<T> Counting<T> {
    fn count(&self) -> usize {
        self.seen.borrow().len()
    }
    fn since(&self, mark: usize) -> Vec<String> {
        self.seen.borrow()[mark..].to_vec()
    }
}

/// The gateway (front + one store per user, standing in for Durable Objects) over a counting
/// in-process emulator.
struct Bench {
    gw: Gateway,
    rt: TestRuntime,
    stores: RefCell<HashMap<String, MemoryStore>>,
    up: Counting<InProcess<MemoryStore, TestRuntime>>,
}

impl Bench {
    fn new(vars: &[(&str, &str)]) -> Self {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let config = GatewayConfig::from_vars(|k| vars.get(k).cloned()).unwrap();
        Bench {
            gw: Gateway::new(config),
            rt: TestRuntime::new(START_MS),
            stores: RefCell::new(HashMap::new()),
            up: Counting {
                inner: InProcess {
                    emulator: Emulator::new(),
                    store: MemoryStore::default(),
                    runtime: TestRuntime::new(START_MS),
                },
                seen: RefCell::new(Vec::new()),
            },
        }
    }

    fn production() -> Self {
        Self::new(&[
            ("COMPOSIO_API_KEY", API_KEY),
            ("COMPOSIO_BASE_URL", UPSTREAM),
            ("EDGE_SIGNING_KEY", SIGNING_KEY),
            ("EDGE_ADMIN_KEY", ADMIN_KEY),
            ("EDGE_ALLOWED_ORIGINS", APP),
        ])
    }

    fn send(&self, req: HttpRequest) -> HttpResponse {
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

    /// A user token: `POST /v1/tokens` with the admin key (production), `/v1/dev/token`
    /// (emulator mode). Minting a token never costs an upstream request.
    fn token(&self, user: &str) -> String {
        let before = self.up.count();
        let res = if self.gw.config.emulator_mode {
            self.send(req(
                "POST",
                "/v1/dev/token",
                None,
                Some(&json!({"user_id": user})),
            ))
        } else {
            let mut r = req("POST", "/v1/tokens", None, Some(&json!({"user_id": user})));
            r.headers_mut().insert(
                "authorization",
                format!("Bearer {ADMIN_KEY}").parse().unwrap(),
            );
            self.send(r)
        };
        assert_eq!(res.status(), 200, "{}", text(&res));
        assert_eq!(self.up.count(), before, "minting a token is local");
        body(&res)["token"].as_str().unwrap().to_owned()
    }

    /// Runs `f` and returns its response with the upstream requests it caused.
    fn counted(&self, r: HttpRequest) -> (HttpResponse, Vec<String>) {
        let mark = self.up.count();
        let res = self.send(r);
        (res, self.up.since(mark))
    }
}

fn req(method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> HttpRequest {
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

fn body(res: &HttpResponse) -> Value {
    serde_json::from_slice(res.body()).unwrap_or(Value::Null)
}

fn text(res: &HttpResponse) -> String {
    String::from_utf8_lossy(res.body()).into_owned()
}

/// A no-auth tool of the emulator's catalog (runs without a connected account).
const TOOL: &str = "HACKERNEWS_GET_TOP_STORIES";

fn execute_body(slug: &str, arguments: Value) -> Value {
    json!({"tool_slug": slug, "arguments": arguments})
}

fn multi_execute_body(n: usize) -> Value {
    let tools: Vec<Value> = (0..n)
        .map(|_| json!({"tool_slug": TOOL, "arguments": {}}))
        .collect();
    execute_body(
        "COMPOSIO_MULTI_EXECUTE_TOOL",
        json!({"tools": tools, "thought": "benchmark", "sync_response_to_workbench": false}),
    )
}

/// Session created (1 request), then warmed: the tool list cached, so executes of meta tools
/// need no schema lookups.
fn warm(b: &Bench, user: &str) -> String {
    let t = b.token(user);
    let (res, calls) = b.counted(req("POST", "/v1/session", Some(&t), Some(&json!({}))));
    assert_eq!(res.status(), 201, "{}", text(&res));
    assert_eq!(calls.len(), 1, "create a session: {calls:?}");
    assert!(calls[0].starts_with("POST ") && calls[0].ends_with("/tool_router/session"));
    let (res, _) = b.counted(req("GET", "/v1/tools", Some(&t), None));
    assert_eq!(res.status(), 200, "{}", text(&res));
    t
}

#[test]
fn session_create_costs_one_request_and_resume_costs_none() {
    let b = Bench::production();
    let t = warm(&b, "alice");
    // Reload / second tab: a new token for the same user resumes the stored session.
    let t2 = b.token("alice");
    let (res, calls) = b.counted(req("POST", "/v1/session", Some(&t2), Some(&json!({}))));
    assert_eq!(res.status(), 200, "{}", text(&res));
    assert_eq!(body(&res)["resumed"], true);
    assert_eq!(calls, Vec::<String>::new(), "session resume: 0 extra");
    // Later operations do not re-create or re-fetch the session either.
    let (res, calls) = b.counted(req(
        "POST",
        "/v1/search",
        Some(&t),
        Some(&json!({"query": "top stories on hacker news"})),
    ));
    assert_eq!(res.status(), 200, "{}", text(&res));
    assert!(calls.iter().all(|c| !c.ends_with("/tool_router/session")));
}

#[test]
fn search_costs_one_request() {
    let b = Bench::production();
    let t = warm(&b, "alice");
    for query in [
        "top stories on hacker news",
        "send an email",
        "create a github issue",
    ] {
        let (res, calls) = b.counted(req(
            "POST",
            "/v1/search",
            Some(&t),
            Some(&json!({"query": query})),
        ));
        assert_eq!(res.status(), 200, "{}", text(&res));
        assert_eq!(calls.len(), 1, "search {query:?}: {calls:?}");
        assert!(
            calls[0].starts_with(&format!("POST {UPSTREAM}/")) && calls[0].ends_with("/search")
        );
    }
}

#[test]
fn execute_costs_one_request_once_the_schema_is_known() {
    let b = Bench::production();
    let t = warm(&b, "alice");
    // Cold: the schema of a tool never seen is looked up first (bounded).
    let (res, cold) = b.counted(req(
        "POST",
        "/v1/execute",
        Some(&t),
        Some(&execute_body(TOOL, json!({}))),
    ));
    assert_eq!(res.status(), 200, "{}", text(&res));
    assert!((1..=2).contains(&cold.len()), "cold execute ≤ 2: {cold:?}");
    assert!(cold.last().unwrap().ends_with("/execute"));
    // Warm: exactly the execute itself.
    for _ in 0..3 {
        let (res, calls) = b.counted(req(
            "POST",
            "/v1/execute",
            Some(&t),
            Some(&execute_body(TOOL, json!({}))),
        ));
        assert_eq!(res.status(), 200, "{}", text(&res));
        assert_eq!(calls.len(), 1, "execute: {calls:?}");
        assert!(calls[0].starts_with("POST ") && calls[0].ends_with("/execute"));
    }
}

#[test]
fn execute_after_search_costs_one_request() {
    let b = Bench::production();
    let t = warm(&b, "bob");
    let (res, _) = b.counted(req(
        "POST",
        "/v1/search",
        Some(&t),
        Some(&json!({"query": "get the top stories from hacker news"})),
    ));
    assert_eq!(res.status(), 200, "{}", text(&res));
    let found = body(&res);
    let schemas = found["tool_schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert!(schemas.contains_key(TOOL), "search finds {TOOL}: {found}");
    let (res, calls) = b.counted(req(
        "POST",
        "/v1/execute",
        Some(&t),
        Some(&execute_body(TOOL, json!({}))),
    ));
    assert_eq!(res.status(), 200, "{}", text(&res));
    assert_eq!(calls.len(), 1, "execute after search: {calls:?}");
}

#[test]
fn multi_execute_of_50_tools_costs_one_request() {
    let b = Bench::production();
    let t = warm(&b, "carol");
    let (res, calls) = b.counted(req(
        "POST",
        "/v1/execute",
        Some(&t),
        Some(&multi_execute_body(50)),
    ));
    assert_eq!(res.status(), 200, "{}", text(&res));
    assert_eq!(calls.len(), 1, "multi-execute of 50: {calls:?}");
    assert!(calls[0].ends_with("/execute"));
    let out = body(&res);
    let results = out["data"]["results"]
        .as_array()
        .or_else(|| out["data"]["data"]["results"].as_array())
        .map(Vec::len);
    assert_eq!(
        results,
        Some(50),
        "all 50 results come back in one response: {out}"
    );
}

#[test]
fn emulator_mode_has_no_network_upstream() {
    // No COMPOSIO_API_KEY: emulator mode. The gateway's upstream is its own origin, which the
    // Worker shell serves from the EMULATOR Durable Object (a stub call, not a subrequest).
    let b = Bench::new(&[("EDGE_ALLOWED_ORIGINS", APP)]);
    assert!(b.gw.config.emulator_mode);
    assert_eq!(b.gw.config.upstream_base(ORIGIN), ORIGIN);
    let t = warm(&b, "dave");
    b.send(req(
        "POST",
        "/v1/search",
        Some(&t),
        Some(&json!({"query": "top stories on hacker news"})),
    ));
    b.send(req(
        "POST",
        "/v1/execute",
        Some(&t),
        Some(&execute_body(TOOL, json!({}))),
    ));
    b.send(req(
        "POST",
        "/v1/execute",
        Some(&t),
        Some(&multi_execute_body(50)),
    ));
    let seen = b.up.seen.borrow().clone();
    assert!(!seen.is_empty());
    let off_origin: Vec<&String> = seen
        .iter()
        .filter(|c| {
            !c.split_once(' ')
                .is_some_and(|(_, u)| u.starts_with(&format!("{ORIGIN}/")))
        })
        .collect();
    assert_eq!(
        off_origin,
        Vec::<&String>::new(),
        "emulator mode: 0 network subrequests"
    );
}

#[test]
fn the_front_alone_never_calls_upstream() {
    // Token minting, CORS preflights and rejected requests are answered statelessly.
    let b = Bench::production();
    let before = b.up.count();
    b.token("erin");
    let mut pre = req("OPTIONS", "/v1/search", None, None);
    pre.headers_mut().insert("origin", APP.parse().unwrap());
    pre.headers_mut()
        .insert("access-control-request-method", "POST".parse().unwrap());
    b.send(pre);
    let res = b.send(req(
        "POST",
        "/v1/search",
        None,
        Some(&json!({"query": "x"})),
    ));
    assert_eq!(res.status(), 401);
    let res = b.send(req(
        "POST",
        "/v1/search",
        Some("not-a-token"),
        Some(&json!({"query": "x"})),
    ));
    assert_eq!(res.status(), 401);
    assert_eq!(b.up.count(), before);
}

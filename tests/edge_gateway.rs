//! The browser package's core (`edge::EdgeClient`) → the gateway → the embedded emulator, all
//! in-process: session, tools, search, schema checks, browser-local tools inside a
//! multi-execute, the connect flow (popup pages driven by hand), polling, auth-requiring
//! execution, tool-call handling and error mapping.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "gateway_support/mod.rs"]
mod gateway_support;

use std::cell::RefCell;
use std::rc::Rc;

use composio_edge::edge::{EdgeClient, ExecuteOptions, LocalTool, SearchRequest, StaticToken};
use composio_edge::emulator::Emulator;
use composio_edge::gateway::{face, Face};
use composio_edge::http;
use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::runtime::{block_on, TestRuntime};
use composio_edge::store::MemoryStore;
use composio_edge::transport::{HttpRequest, HttpResponse, Transport};
use composio_edge::Error;
use gateway_support::*;

/// The emulator as the gateway's upstream (its Durable Object), sharing the gateway's clock.
struct Emu {
    emulator: Emulator,
    store: MemoryStore,
    rt: Rc<TestRuntime>,
}

impl Transport for Emu {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, Error> {
        Ok(self.emulator.handle(req, &self.store, &*self.rt).await)
    }
}

/// What the page's `fetch` reaches: the Worker (gateway, or emulator pages), with the page's
/// `Origin` as a browser would send it. Records every path the client requested.
struct Worker {
    h: Harness<Emu>,
    paths: RefCell<Vec<String>>,
}

impl Worker {
    fn browse(&self, req: HttpRequest) -> HttpResponse {
        match face(req.uri().path(), true) {
            Face::Emulator => block_on(self.h.up.send(req)).unwrap(),
            _ => self.h.send(req),
        }
    }
}

impl Transport for Worker {
    async fn send(&self, mut req: HttpRequest) -> Result<HttpResponse, Error> {
        assert!(
            req.headers().get("x-api-key").is_none(),
            "no key ever leaves the browser"
        );
        self.paths
            .borrow_mut()
            .push(format!("{} {}", req.method(), req.uri().path()));
        req.headers_mut().insert("origin", APP.parse().unwrap());
        Ok(self.browse(req))
    }
}

fn setup(user: &str) -> (EdgeClient<Rc<Worker>, TestRuntime>, Rc<Worker>) {
    let rt = Rc::new(TestRuntime::new(START_MS));
    let emu = Emu {
        emulator: Emulator::new(),
        store: MemoryStore::default(),
        rt: rt.clone(),
    };
    let h = Harness::with_runtime(config(&[("EDGE_ALLOWED_ORIGINS", APP)]), emu, rt);
    let token = h.token(user);
    let worker = Rc::new(Worker {
        h,
        paths: RefCell::new(Vec::new()),
    });
    let client = EdgeClient::new(
        ORIGIN,
        worker.clone(),
        TestRuntime::new(START_MS),
        StaticToken::new(token),
    )
    .unwrap();
    (client, worker)
}

/// What the popup does: /oauth/start → the emulator's consent page → Allow → the callback.
fn complete_popup(w: &Worker, connect_url: &str, decision: &str) -> HttpResponse {
    let start = w.browse(get(&local(connect_url), None));
    assert_eq!(start.status(), 302, "{}", text(&start));
    let cookie = hdr(&start, "set-cookie").unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let link = hdr(&start, "location").unwrap();
    let form = http::Request::post(&link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("decision={decision}").into_bytes())
        .unwrap();
    let consent = w.browse(form);
    assert_eq!(consent.status(), 303, "{}", text(&consent));
    let cb = hdr(&consent, "location").unwrap();
    w.browse(with_header(get(&local(&cb), None), "cookie", &cookie))
}

fn grep_tool() -> LocalTool {
    LocalTool::new(
        "PAGE_GREP",
        "Finds a word on the current page",
        json!({"type": "object", "properties": {"word": {"type": "string"}}, "required": ["word"]}),
        |args: Value| async move { Ok(json!({"found": args["word"] == "edge"})) },
    )
}

#[test]
fn whole_flow_through_the_gateway_on_the_emulator() {
    let (c, w) = setup("alice@example.com");
    let session = block_on(c.session()).unwrap();
    assert!(session.session_id.starts_with("trs_"), "{session:?}");
    let again = block_on(c.session()).unwrap();
    assert_eq!(
        again.session_id, session.session_id,
        "resumed, not recreated"
    );

    let tools = block_on(c.tools(Some("openai"))).unwrap();
    assert!(
        tools.to_string().contains("COMPOSIO_SEARCH_TOOLS"),
        "{tools}"
    );
    assert!(tools.is_array(), "tools() is the list itself: {tools}");
    let defs = block_on(c.tool_definitions()).unwrap();
    assert!(
        defs.iter().any(|d| d["name"] == "COMPOSIO_SEARCH_TOOLS"),
        "{defs:?}"
    );

    let found = block_on(c.search(&SearchRequest::query(
        "create an issue in a github repository",
    )))
    .unwrap();
    assert!(found.to_string().contains("GITHUB_CREATE_AN_ISSUE"));

    // Invalid arguments are refused before anything is sent (schema from tools or search).
    let sent = w.paths.borrow().len();
    let e = block_on(c.execute(
        "GITHUB_CREATE_AN_ISSUE",
        &json!({"owner": "acme"}),
        &ExecuteOptions::default(),
    ))
    .unwrap_err();
    assert_eq!(e.code(), "argument_validation_failed");
    assert_eq!(w.paths.borrow().len(), sent);

    // A browser-local tool inside a multi-execute: split, remote part through the gateway.
    c.register_tool(grep_tool()).unwrap();
    let multi = block_on(c.execute(
        "COMPOSIO_MULTI_EXECUTE_TOOL",
        &json!({"tools": [
            {"tool_slug": "LOCAL_PAGE_GREP", "arguments": {"word": "edge"}},
            {"tool_slug": "HACKERNEWS_GET_TOP_STORIES", "arguments": {"limit": 2}}],
            "sync_response_to_workbench": false, "thought": "both"}),
        &ExecuteOptions::default(),
    ))
    .unwrap();
    let results = multi.data["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{}", multi.data);
    assert_eq!(results[0]["tool_slug"], "LOCAL_PAGE_GREP");
    assert_eq!(results[0]["response"]["data"]["found"], true);
    assert_eq!(results[1]["tool_slug"], "HACKERNEWS_GET_TOP_STORIES");
    assert_eq!(results[1]["index"], 1);

    // Auth-requiring tool: not yet; connect through the popup pages; poll; then it works.
    let args = json!({"owner": "acme", "repo": "demo", "title": "from the browser core"});
    let before = block_on(c.execute("GITHUB_CREATE_AN_ISSUE", &args, &ExecuteOptions::default()));
    assert!(!matches!(&before, Ok(r) if r.successful), "{before:?}");
    assert!(!block_on(c.toolkit_connection("github")).unwrap().connected);

    let link = block_on(c.connect("github", None)).unwrap();
    assert!(link
        .connect_url
        .starts_with(&format!("{ORIGIN}/oauth/start?")));
    let page = complete_popup(&w, &link.connect_url, "allow");
    assert_eq!(page.status(), 200, "{}", text(&page));
    let status = block_on(c.wait_for_connection(&link.connection_id, 10_000, || false)).unwrap();
    assert_eq!(status.status, "active");
    assert!(status.connected_account_id.is_some());
    let tc = block_on(c.toolkit_connection("github")).unwrap();
    assert!(tc.connected, "{tc:?}");

    let created = block_on(c.execute(
        "GITHUB_CREATE_AN_ISSUE",
        &args,
        &ExecuteOptions {
            idempotency_key: Some("issue-1".into()),
            ..Default::default()
        },
    ))
    .unwrap();
    assert!(created.successful, "{created:?}");
    let repeat = block_on(c.execute(
        "GITHUB_CREATE_AN_ISSUE",
        &args,
        &ExecuteOptions {
            idempotency_key: Some("issue-1".into()),
            ..Default::default()
        },
    ))
    .unwrap();
    assert_eq!(
        repeat.data, created.data,
        "a repeated key returns the first result"
    );

    // An OpenAI completion's tool calls, answered with tool messages.
    let completion = json!({"choices": [{"message": {"role": "assistant", "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "GITHUB_LIST_ISSUES",
         "arguments": "{\"owner\":\"acme\",\"repo\":\"demo\"}"}}]}}]});
    let msgs = block_on(c.handle_tool_calls(&completion, None)).unwrap();
    assert_eq!(msgs[0]["tool_call_id"], "call_1");
    assert!(msgs[0]["content"]
        .as_str()
        .unwrap()
        .contains("from the browser core"));

    block_on(c.delete_session()).unwrap();
}

#[test]
fn a_denied_connection_fails_with_connection_failed() {
    let (c, w) = setup("carol@example.com");
    block_on(c.session()).unwrap();
    let link = block_on(c.connect("github", None)).unwrap();
    complete_popup(&w, &link.connect_url, "deny");
    let e = block_on(c.wait_for_connection(&link.connection_id, 10_000, || false)).unwrap_err();
    assert_eq!(e.code(), "connection_failed", "{e}");
}

#[test]
fn gateway_errors_keep_their_code_and_request_id() {
    let (c, w) = setup("dave@example.com");
    let forged = EdgeClient::new(
        ORIGIN,
        w.clone(),
        TestRuntime::new(START_MS),
        StaticToken::new("forged.token.value"),
    )
    .unwrap();
    let e = block_on(forged.session()).unwrap_err();
    let Error::Api(api) = &e else { panic!("{e:?}") };
    assert_eq!(api.status, 401);
    assert!(api.slug.is_some(), "{api:?}");
    assert!(e.request_id().is_some(), "{api:?}");
    let unknown = block_on(c.execute(
        "NO_SUCH_TOOL_ANYWHERE",
        &json!({}),
        &ExecuteOptions::default(),
    ));
    assert!(!matches!(&unknown, Ok(r) if r.successful), "{unknown:?}");
}

#[test]
fn preloaded_local_tools_are_listed_in_every_format_and_their_renamed_keys_restored() {
    let (c, w) = setup("carol@example.com");
    let mut tool = LocalTool::new(
        "READ_FILE",
        "Reads a file of the page's workspace",
        json!({"type": "object", "properties": {"file-name": {"type": "string"}}, "required": ["file-name"]}),
        |args: Value| async move { Ok(json!({"read": args["file-name"]})) },
    );
    tool.preload = true;
    c.register_tool(tool).unwrap();

    let raw = block_on(c.tools(None)).unwrap();
    assert!(
        raw.as_array()
            .unwrap()
            .iter()
            .any(|t| t["slug"] == "LOCAL_READ_FILE"),
        "{raw}"
    );
    let openai = block_on(c.tools(Some("openai"))).unwrap();
    assert!(openai
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["function"]["name"] == "LOCAL_READ_FILE"));
    let anthropic = block_on(c.tools(Some("anthropic"))).unwrap();
    let listed = anthropic
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "LOCAL_READ_FILE");
    assert!(listed.unwrap()["input_schema"]["properties"]["file-name"].is_object());
    // Gemini and Vercel list tools in an object: it comes back itself, with the local tool in it.
    let gemini = block_on(c.tools(Some("gemini"))).unwrap();
    let decls = gemini["functionDeclarations"]
        .as_array()
        .expect("the Gemini tool object");
    assert!(
        decls.iter().any(|d| d["name"] == "LOCAL_READ_FILE"),
        "{gemini}"
    );
    let vercel = block_on(c.tools(Some("vercel"))).unwrap();
    assert!(
        vercel["LOCAL_READ_FILE"]["inputSchema"].is_object(),
        "{vercel}"
    );
    assert!(w
        .paths
        .borrow()
        .iter()
        .all(|p| p == "POST /v1/tools" || p == "POST /v1/session"));

    // The model calls it with the key Gemini saw; the handler gets the key it declared.
    let response = json!({"candidates": [{"content": {"role": "model", "parts": [
        {"functionCall": {"name": "LOCAL_READ_FILE", "args": {"file_name": "notes.txt"}}}]}}]});
    let msgs =
        block_on(c.handle_tool_calls(&response, Some(composio_edge::provider::Provider::Gemini)))
            .unwrap();
    let part = &msgs[0]["parts"][0]["functionResponse"];
    assert_eq!(part["name"], "LOCAL_READ_FILE");
    assert_eq!(part["response"]["output"]["read"], "notes.txt", "{msgs:?}");
}

//! The browser package's real exported path (`EdgeCore`) against a fake gateway installed as the
//! global `fetch`. No `configure!`: runs in Node by default, in Chromium with
//! `WASM_BINDGEN_USE_BROWSER=1`, and in a dedicated Web Worker with
//! `WASM_BINDGEN_USE_DEDICATED_WORKER=1` (see scripts/test-browser-wasm.sh).
#![cfg(all(target_arch = "wasm32", feature = "browser"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use composio_edge::platform::browser::EdgeCore;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

#[wasm_bindgen(inline_js = r#"
export function install_fake_gateway() {
  const state = { calls: [], tokenCalls: 0, statusPolls: 0 };
  const json = (status, obj, headers = {}) =>
    new Response(JSON.stringify(obj), { status, headers: { "content-type": "application/json", ...headers } });
  globalThis.fetch = async (req) => {
    const url = new URL(req.url);
    const text = req.method === "GET" || req.method === "DELETE" ? "" : await req.text();
    const body = text ? JSON.parse(text) : null;
    const call = {
      method: req.method, path: url.pathname + url.search, origin: url.origin,
      auth: req.headers.get("authorization"), idem: req.headers.get("idempotency-key"),
      apiKey: req.headers.get("x-api-key"), body,
    };
    state.calls.push(call);
    if (call.auth === "Bearer stale") {
      return json(401, { error: { code: "token_expired", message: "token expired", request_id: "req_401" } });
    }
    const route = `${req.method} ${url.pathname}`;
    if (route === "POST /v1/session") return json(200, { session_id: "trs_fake", emulator: true });
    if (route === "POST /v1/search") {
      return json(200, { success: true, error: null, results: [], toolkit_connection_statuses: [],
        tool_schemas: { GMAIL_SEND_EMAIL: { tool_slug: "GMAIL_SEND_EMAIL", toolkit: "gmail",
          input_schema: { type: "object", required: ["to"], properties: { to: { type: "string" } } } } } });
    }
    if (route === "POST /v1/execute") {
      if (body.tool_slug === "FORBIDDEN_TOOL") {
        return json(403, { error: { code: "scope_denied", message: "token lacks the execute scope", request_id: "req_403" } });
      }
      if (body.tool_slug === "COMPOSIO_MULTI_EXECUTE_TOOL") {
        const results = body.arguments.tools.map((t, i) => ({
          response: { successful: true, data: { remote: t.tool_slug } }, tool_slug: t.tool_slug, index: i }));
        return json(200, { result_type: "completed", error: null, log_id: "log_multi",
          data: { results, total_count: results.length, success_count: results.length, error_count: 0 } });
      }
      return json(200, { result_type: "completed", data: { echo: body.arguments }, error: null, log_id: "log_1" });
    }
    if (route === "GET /v1/connect/cn_1") {
      state.statusPolls += 1;
      return json(200, state.statusPolls < 2
        ? { status: "INITIATED", toolkit: "gmail" }
        : { status: "ACTIVE", toolkit: "gmail", connected_account_id: "ca_1" });
    }
    if (route === "GET /v1/connect/cn_bad") return json(200, { status: "FAILED", status_reason: "user denied access" });
    if (route === "POST /v1/connect") {
      return json(200, { connect_url: "/oauth/start?ticket=t1", connection_id: "cn_1" });
    }
    return json(404, { error: { code: "not_found", message: "no route", request_id: "req_404" } });
  };
  return state;
}

export function token_provider(state, first) {
  return async () => {
    state.tokenCalls += 1;
    return state.tokenCalls === 1 ? { token: first, expiresAt: Math.floor(Date.now() / 1000) + 3600 } : "fresh";
  };
}

export function local_tool(state) {
  return async (args) => {
    state.localCalls = (state.localCalls || 0) + 1;
    if (args.pattern === "boom") throw new Error("pattern exploded");
    return { matches: [args.pattern], page: "test" };
  };
}
"#)]
extern "C" {
    fn install_fake_gateway() -> JsValue;
    fn token_provider(state: &JsValue, first: &str) -> Function;
    fn local_tool(state: &JsValue) -> Function;
}

const GW: &str = "https://gw.example";

fn get(v: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(v.clone(), |acc, k| {
        if let Ok(i) = k.parse::<u32>() {
            Reflect::get_u32(&acc, i).unwrap()
        } else {
            Reflect::get(&acc, &k.into()).unwrap()
        }
    })
}

fn s(v: &JsValue, path: &str) -> Option<String> {
    get(v, path).as_string()
}

async fn ok(p: Promise) -> JsValue {
    JsFuture::from(p).await.expect("promise rejected")
}

async fn err(p: Promise) -> JsValue {
    JsFuture::from(p).await.expect_err("promise resolved")
}

fn calls(state: &JsValue) -> u32 {
    js_sys::Array::from(&get(state, "calls")).length()
}

fn core(token: &str) -> EdgeCore {
    EdgeCore::new(GW, Some(token.into()), None).unwrap()
}

#[wasm_bindgen_test]
async fn session_and_execute_go_through_global_fetch_with_the_bearer_token() {
    let state = install_fake_gateway();
    let c = core("tok");
    let info = ok(c.session()).await;
    assert_eq!(s(&info, "session_id").as_deref(), Some("trs_fake"));
    let args = js_sys::JSON::parse(r#"{"to":"a@b.c","n":2}"#).unwrap();
    let r = ok(c.execute(
        "GMAIL_SEND_EMAIL".into(),
        args,
        Some("work".into()),
        Some("k-1".into()),
    ))
    .await;
    assert_eq!(get(&r, "successful").as_bool(), Some(true));
    assert_eq!(s(&r, "logId").as_deref(), Some("log_1"));
    assert_eq!(get(&r, "data.echo.n").as_f64(), Some(2.0));
    assert_eq!(s(&state, "calls.1.auth").as_deref(), Some("Bearer tok"));
    assert_eq!(s(&state, "calls.1.idem").as_deref(), Some("k-1"));
    assert_eq!(s(&state, "calls.1.body.account").as_deref(), Some("work"));
    assert!(get(&state, "calls.1.apiKey").is_null(), "no x-api-key ever");
    assert_eq!(s(&state, "calls.1.path").as_deref(), Some("/v1/execute"));
}

#[wasm_bindgen_test]
async fn gateway_errors_become_js_errors_with_code_status_and_request_id() {
    let _state = install_fake_gateway();
    let c = core("tok");
    let e = err(c.execute("FORBIDDEN_TOOL".into(), JsValue::UNDEFINED, None, None)).await;
    assert!(e.is_instance_of::<js_sys::Error>());
    assert_eq!(s(&e, "name").as_deref(), Some("ComposioEdgeError"));
    assert_eq!(s(&e, "code").as_deref(), Some("scope_denied"));
    assert_eq!(get(&e, "status").as_f64(), Some(403.0));
    assert_eq!(s(&e, "requestId").as_deref(), Some("req_403"));
    assert!(s(&e, "message")
        .unwrap()
        .contains("token lacks the execute scope"));
}

#[wasm_bindgen_test]
async fn arguments_are_validated_against_known_schemas_before_sending() {
    let state = install_fake_gateway();
    let c = core("tok");
    ok(c.search("send an email".into())).await;
    let before = calls(&state);
    let e = err(c.execute(
        "GMAIL_SEND_EMAIL".into(),
        js_sys::Object::new().into(),
        None,
        None,
    ))
    .await;
    assert_eq!(s(&e, "code").as_deref(), Some("argument_validation_failed"));
    assert_eq!(get(&e, "status").as_f64(), Some(400.0));
    assert_eq!(s(&e, "violations.0.path").as_deref(), Some("$.to"));
    assert_eq!(calls(&state), before, "nothing sent");
    // a JSON string of arguments is normalized
    let r = ok(c.execute(
        "GMAIL_SEND_EMAIL".into(),
        JsValue::from_str(r#"{"to":"x@y.z"}"#),
        None,
        None,
    ))
    .await;
    assert_eq!(s(&r, "data.echo.to").as_deref(), Some("x@y.z"));
}

#[wasm_bindgen_test]
async fn a_browser_local_tool_runs_locally_and_is_split_out_of_multi_execute() {
    let state = install_fake_gateway();
    let c = core("tok");
    let schema = js_sys::JSON::parse(
        r#"{"type":"object","properties":{"pattern":{"type":"string"}},"required":["pattern"]}"#,
    )
    .unwrap();
    c.register_tool(
        "GREP".into(),
        None,
        "grep the page".into(),
        schema,
        false,
        local_tool(&state),
    )
    .unwrap();
    assert_eq!(c.local_tool_slugs(), vec!["LOCAL_GREP".to_string()]);

    let direct = ok(c.execute(
        "LOCAL_GREP".into(),
        js_sys::JSON::parse(r#"{"pattern":"p"}"#).unwrap(),
        None,
        None,
    ))
    .await;
    assert_eq!(s(&direct, "data.matches.0").as_deref(), Some("p"));
    assert_eq!(s(&direct, "logId").as_deref(), Some(""));
    assert_eq!(calls(&state), 0, "local tools never hit the network");

    let failed = ok(c.execute(
        "GREP".into(),
        js_sys::JSON::parse(r#"{"pattern":"boom"}"#).unwrap(),
        None,
        None,
    ))
    .await;
    assert_eq!(get(&failed, "successful").as_bool(), Some(false));
    assert_eq!(s(&failed, "error").as_deref(), Some("pattern exploded"));

    let input = js_sys::JSON::parse(
        r#"{"tools":[{"tool_slug":"LOCAL_GREP","arguments":{"pattern":"q"}},
                      {"tool_slug":"GMAIL_SEND_EMAIL","arguments":{"to":"x"}}],
            "sync_response_to_workbench":false,"thought":"t"}"#,
    )
    .unwrap();
    let merged = ok(c.execute("COMPOSIO_MULTI_EXECUTE_TOOL".into(), input, None, None)).await;
    assert_eq!(get(&merged, "successful").as_bool(), Some(true));
    assert_eq!(
        s(&merged, "data.results.0.tool_slug").as_deref(),
        Some("LOCAL_GREP")
    );
    assert_eq!(
        s(&merged, "data.results.0.response.data.matches.0").as_deref(),
        Some("q")
    );
    assert_eq!(
        s(&merged, "data.results.1.response.data.remote").as_deref(),
        Some("GMAIL_SEND_EMAIL")
    );
    assert_eq!(get(&merged, "data.total_count").as_f64(), Some(2.0));
    // the gateway saw only the remote item, other keys preserved, custom tools inline
    assert_eq!(
        js_sys::Array::from(&get(&state, "calls.0.body.arguments.tools")).length(),
        1
    );
    assert_eq!(
        s(&state, "calls.0.body.arguments.thought").as_deref(),
        Some("t")
    );
    assert_eq!(
        s(&state, "calls.0.body.custom_tools.0.slug").as_deref(),
        Some("GREP")
    );
}

#[wasm_bindgen_test]
async fn token_provider_is_asked_again_after_a_401() {
    let state = install_fake_gateway();
    let c = EdgeCore::new(GW, None, Some(token_provider(&state, "stale"))).unwrap();
    let info = ok(c.session()).await;
    assert_eq!(s(&info, "session_id").as_deref(), Some("trs_fake"));
    assert_eq!(get(&state, "tokenCalls").as_f64(), Some(2.0));
    assert_eq!(s(&state, "calls.0.auth").as_deref(), Some("Bearer stale"));
    assert_eq!(s(&state, "calls.1.auth").as_deref(), Some("Bearer fresh"));
    // "fresh" has no known expiry: kept until the next 401
    ok(c.session()).await;
    assert_eq!(get(&state, "tokenCalls").as_f64(), Some(2.0));
}

#[wasm_bindgen_test]
async fn handle_tool_calls_answers_an_openai_completion() {
    let state = install_fake_gateway();
    let c = core("tok");
    c.register_tool(
        "GREP".into(),
        Some("Grep".into()),
        "grep".into(),
        js_sys::JSON::parse(r#"{"type":"object","properties":{"pattern":{"type":"string"}}}"#)
            .unwrap(),
        true,
        local_tool(&state),
    )
    .unwrap();
    let completion = js_sys::JSON::parse(
        r#"{"choices":[{"message":{"role":"assistant","tool_calls":[
            {"id":"c1","type":"function","function":{"name":"LOCAL_GREP","arguments":"{\"pattern\":\"z\"}"}}]}}]}"#,
    )
    .unwrap();
    let msgs = ok(c.handle_tool_calls(completion, Some("openai".into()))).await;
    assert_eq!(s(&msgs, "0.role").as_deref(), Some("tool"));
    assert_eq!(s(&msgs, "0.tool_call_id").as_deref(), Some("c1"));
    assert!(s(&msgs, "0.content")
        .unwrap()
        .contains("\"matches\":[\"z\"]"));
    let e = err(c.handle_tool_calls(JsValue::NULL, Some("cohere".into()))).await;
    assert_eq!(s(&e, "code").as_deref(), Some("invalid_request"));
}

#[wasm_bindgen_test]
async fn connect_and_wait_for_connection() {
    let _state = install_fake_gateway();
    let c = core("tok");
    assert_eq!(c.gateway_origin(), GW);
    let link = ok(c.connect("gmail".into(), Some("/done".into()))).await;
    assert_eq!(
        s(&link, "connect_url").as_deref(),
        Some("https://gw.example/oauth/start?ticket=t1")
    );
    let st = ok(c.wait_for_connection("cn_1".into(), Some(10_000.0), None)).await;
    assert_eq!(s(&st, "state").as_deref(), Some("active"));
    assert_eq!(s(&st, "connectedAccountId").as_deref(), Some("ca_1"));
    let e = err(c.wait_for_connection("cn_bad".into(), Some(10_000.0), None)).await;
    assert_eq!(s(&e, "code").as_deref(), Some("connection_failed"));
    assert!(s(&e, "message").unwrap().contains("user denied access"));
}

#[wasm_bindgen_test]
fn constructor_refuses_plain_http_and_missing_tokens() {
    let e = EdgeCore::new("http://gw.example", Some("t".into()), None)
        .err()
        .unwrap();
    assert_eq!(s(&e, "code").as_deref(), Some("insecure_transport"));
    let e = EdgeCore::new(GW, None, None).err().unwrap();
    assert_eq!(s(&e, "code").as_deref(), Some("invalid_request"));
    assert!(EdgeCore::new("http://127.0.0.1:8787", Some("t".into()), None).is_ok());
}

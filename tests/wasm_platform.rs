//! The shared wasm glue (`platform::fetch`, `platform::js_runtime`) against fakes installed as
//! the global `fetch`. No `configure!`: runs in Node by default, in Chromium with
//! `WASM_BINDGEN_USE_BROWSER=1`, and in a dedicated Web Worker (no `window`, like the Workers
//! runtime) with `WASM_BINDGEN_USE_DEDICATED_WORKER=1`:
//!
//! ```sh
//! cargo test --target wasm32-unknown-unknown --features browser --test wasm_platform
//! ```
#![cfg(all(target_arch = "wasm32", feature = "wasm"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use composio_edge::error::{Error, TransportErrorKind};
use composio_edge::http;
use composio_edge::platform::{FetchTransport, JsRuntime};
use composio_edge::runtime::Runtime;
use composio_edge::transport::{Timeout, Transport};
use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

#[wasm_bindgen(inline_js = r#"
export function install_fetch(mode) {
  const state = { calls: [] };
  globalThis.fetch = (req) => {
    if (mode === "throw") throw new TypeError("synchronous failure");
    return (async () => {
      const body = req.body === null ? null : new Uint8Array(await req.arrayBuffer());
      state.calls.push({
        method: req.method, url: req.url, body,
        apiKey: req.headers.get("x-api-key"), accept: req.headers.get("accept"),
        multi: req.headers.get("x-multi"), redirect: req.redirect, hasSignal: !!req.signal,
      });
      switch (mode) {
        case "ok":
          return new Response("hello", {
            status: 201,
            headers: [["content-type", "text/plain"], ["x-request-id", "req_1"], ["set-cookie", "a=1"], ["set-cookie", "b=2"]],
          });
        case "empty":
          return new Response(null, { status: 204 });
        case "hang":
          return new Promise((_, reject) => {
            const s = req.signal;
            // Node's AbortSignal.timeout timer does not keep the process alive: this one does.
            const guard = setTimeout(() => reject(new Error("the signal never fired")), 5000);
            const fire = () => { clearTimeout(guard); reject(s.reason); };
            if (s.aborted) fire();
            s.addEventListener("abort", fire);
          });
        case "refused":
          throw new TypeError("fetch failed: connect ECONNREFUSED 127.0.0.1:1?secret=s3cr3t");
        case "abort":
          throw new DOMException("the user aborted a request", "AbortError");
        case "broken-body":
          return new Response(new ReadableStream({ pull(c) { c.error(new TypeError("terminated")); } }), { status: 200 });
        default:
          throw new Error("unknown mode");
      }
    })();
  };
  return state;
}
"#)]
extern "C" {
    fn install_fetch(mode: &str) -> JsValue;
}

fn calls(state: &JsValue) -> js_sys::Array {
    Reflect::get(state, &"calls".into()).unwrap().into()
}

fn field(v: &JsValue, name: &str) -> JsValue {
    Reflect::get(v, &name.into()).unwrap()
}

fn transport_kind(e: &Error) -> TransportErrorKind {
    match e {
        Error::Transport { kind, .. } => kind.clone(),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn a_request_and_its_response_cross_unchanged() {
    let state = install_fetch("ok");
    let req = http::Request::post("https://api.example/api/v3.1/x?y=1")
        .header("x-api-key", "ak_1")
        .header("accept", "application/json")
        .header("x-multi", "a")
        .header("x-multi", "b")
        .body(b"{\"a\":1}".to_vec())
        .unwrap();
    let res = FetchTransport::new().send(req).await.unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(res.body(), b"hello");
    assert_eq!(res.headers()["x-request-id"], "req_1");
    assert_eq!(res.headers()["content-type"], "text/plain");
    let cookies: Vec<&str> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(cookies, ["a=1", "b=2"]);

    let call = calls(&state).get(0);
    assert_eq!(field(&call, "method").as_string().unwrap(), "POST");
    assert_eq!(
        field(&call, "url").as_string().unwrap(),
        "https://api.example/api/v3.1/x?y=1"
    );
    assert_eq!(field(&call, "apiKey").as_string().unwrap(), "ak_1");
    assert_eq!(field(&call, "multi").as_string().unwrap(), "a, b");
    let body = js_sys::Uint8Array::new(&field(&call, "body")).to_vec();
    assert_eq!(body, b"{\"a\":1}");
    // Browsers keep the default redirect mode ("manual" would give an opaque response there).
    assert_eq!(field(&call, "redirect").as_string().unwrap(), "follow");
}

#[wasm_bindgen_test]
async fn a_get_sends_no_body_and_a_null_body_status_reads_as_empty() {
    let state = install_fetch("empty");
    let req = http::Request::get("https://api.example/x")
        .body(Vec::new())
        .unwrap();
    let res = FetchTransport::new().send(req).await.unwrap();
    assert_eq!(res.status(), 204);
    assert!(res.body().is_empty());
    assert!(field(&calls(&state).get(0), "body").is_null());
}

#[wasm_bindgen_test]
async fn the_timeout_extension_aborts_the_request_as_a_timeout() {
    let _state = install_fetch("hang");
    let mut req = http::Request::get("https://api.example/slow")
        .body(Vec::new())
        .unwrap();
    req.extensions_mut().insert(Timeout(30));
    let started = js_sys::Date::now();
    let err = FetchTransport::new().send(req).await.unwrap_err();
    assert_eq!(transport_kind(&err), TransportErrorKind::Timeout);
    assert!(err.is_timeout());
    assert!(err.is_retryable());
    assert_eq!(err.code(), "timeout");
    assert!(js_sys::Date::now() - started >= 25.0);
    assert!(err.to_string().contains("30 ms"), "{err}");
}

#[wasm_bindgen_test]
async fn a_network_failure_is_a_connect_error_that_names_no_url() {
    let _state = install_fetch("refused");
    let req = http::Request::get("https://api.example/x?secret=s3cr3t")
        .body(Vec::new())
        .unwrap();
    let err = FetchTransport::new().send(req).await.unwrap_err();
    assert_eq!(transport_kind(&err), TransportErrorKind::Connect);
    assert_eq!(err.code(), "connection_error");
    let text = format!("{err} {err:?}");
    assert!(!text.contains("s3cr3t"), "{text}");
    assert!(!text.contains("api.example"), "{text}");
}

#[wasm_bindgen_test]
async fn an_abort_is_an_aborted_error_and_not_retryable() {
    let _state = install_fetch("abort");
    let req = http::Request::get("https://api.example/x")
        .body(Vec::new())
        .unwrap();
    let err = FetchTransport::new().send(req).await.unwrap_err();
    assert_eq!(transport_kind(&err), TransportErrorKind::Aborted);
    assert!(!err.is_retryable());
}

#[wasm_bindgen_test]
async fn a_fetch_that_throws_synchronously_is_a_connect_error() {
    let _state = install_fetch("throw");
    let req = http::Request::get("https://api.example/x")
        .body(Vec::new())
        .unwrap();
    let err = FetchTransport::new().send(req).await.unwrap_err();
    assert_eq!(transport_kind(&err), TransportErrorKind::Connect);
}

#[wasm_bindgen_test]
async fn a_body_cut_off_after_the_headers_is_a_transport_error() {
    let _state = install_fetch("broken-body");
    let req = http::Request::get("https://api.example/x")
        .body(Vec::new())
        .unwrap();
    let err = FetchTransport::new().send(req).await.unwrap_err();
    assert_eq!(transport_kind(&err), TransportErrorKind::Connect);
}

#[wasm_bindgen_test]
async fn a_relative_url_is_refused_before_any_fetch() {
    let state = install_fetch("ok");
    let req = http::Request::get("/relative").body(Vec::new()).unwrap();
    let result = FetchTransport::new().send(req).await;
    // A relative URL only resolves in a page; elsewhere it is a request the transport refuses.
    match result {
        Ok(res) => assert_eq!(res.status(), 201),
        Err(e) => {
            assert_eq!(e.code(), "invalid_request");
            assert_eq!(calls(&state).length(), 0);
        }
    }
}

#[wasm_bindgen_test]
async fn the_js_runtime_has_a_clock_a_sleep_and_a_csprng() {
    let rt = JsRuntime::new();
    assert!(rt.has_crypto());
    let now = rt.now_ms() as f64;
    assert!((now - js_sys::Date::now()).abs() < 1_000.0);
    assert!(now > 1.7e12, "after 2023: {now}");

    let t0 = js_sys::Date::now();
    rt.sleep(40).await;
    assert!(js_sys::Date::now() - t0 >= 35.0);
    rt.sleep(0).await;

    // More than one getRandomValues call's worth (65 536 bytes): every chunk is filled.
    let mut buf = vec![0u8; 150_000];
    rt.fill_random(&mut buf);
    for chunk in buf.chunks(50_000) {
        assert!(chunk.iter().filter(|b| **b == 0).count() < 1_000);
    }
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    rt.fill_random(&mut a);
    rt.fill_random(&mut b);
    assert_ne!(a, b);
    let x = rt.random_f64();
    assert!((0.0..1.0).contains(&x));
}

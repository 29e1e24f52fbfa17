//! Page-only checks of the browser package, in headless Chromium: the gateway origin the package
//! compares `MessageEvent.origin` with (SEC-19) is exactly the browser's own serialization.
#![cfg(all(target_arch = "wasm32", feature = "browser"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::platform::browser::edge;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function url_origin(u) { return new URL(u).origin; }
export function url_href(u) { return new URL(u).href; }
export function page_origin() { return location.origin; }
export function has_window() { return typeof window !== "undefined" && typeof window.open === "function"; }
export function message_origin() {
  return new Promise((resolve) => {
    window.addEventListener("message", (e) => resolve(e.origin), { once: true });
    window.postMessage("ping", "*");
  });
}
"#)]
extern "C" {
    fn url_origin(u: &str) -> String;
    fn url_href(u: &str) -> String;
    fn page_origin() -> String;
    fn has_window() -> bool;
    fn message_origin() -> Promise;
}

/// The origin the package keeps for `url` (index.js hands the wasm `new URL(url).href`).
fn gateway_origin(url: &str) -> String {
    let out: Value =
        serde_json::from_str(&edge("gateway", &json!({"url": url_href(url)}).to_string())).unwrap();
    out["ok"]["origin"].as_str().unwrap().to_owned()
}

#[wasm_bindgen_test]
fn gateway_origin_is_serialized_like_the_browser_does() {
    assert!(has_window());
    for url in [
        "https://GW.Example.com/edge/",
        "https://gw.example.com:443",
        "https://gw.example.com:8443/x",
        "http://127.0.0.1:8787/",
        "http://localhost:80",
        "http://[::1]:8787/",
    ] {
        assert_eq!(gateway_origin(url), url_origin(url), "{url}");
    }
}

#[wasm_bindgen_test]
async fn a_message_from_the_page_matches_only_a_client_of_the_page_origin() {
    let origin = JsFuture::from(message_origin())
        .await
        .unwrap()
        .as_string()
        .unwrap();
    assert_eq!(origin, page_origin());
    assert_eq!(gateway_origin(&page_origin()), origin);
    assert_ne!(gateway_origin("https://gateway.example"), origin);
}

//! Page-only checks of the browser package, in headless Chromium: the gateway origin the package
//! compares `MessageEvent.origin` with (SEC-19) is exactly the browser's own serialization.
#![cfg(all(target_arch = "wasm32", feature = "browser"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use composio_edge::platform::browser::EdgeCore;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function url_origin(u) { return new URL(u).origin; }
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
    fn page_origin() -> String;
    fn has_window() -> bool;
    fn message_origin() -> Promise;
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
    ] {
        let core = EdgeCore::new(url, Some("t".into()), None).unwrap();
        assert_eq!(core.gateway_origin(), url_origin(url), "{url}");
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
    let same = EdgeCore::new(&page_origin(), Some("t".into()), None).unwrap();
    assert_eq!(same.gateway_origin(), origin);
    let other = EdgeCore::new("https://gateway.example", Some("t".into()), None).unwrap();
    assert_ne!(other.gateway_origin(), origin);
}

//! The browser package (feature `browser`): the wasm holds only synchronous, sans-IO decisions
//! ([`crate::edge::ops`]), exported as one function taking and returning JSON strings.
//!
//! The public ES module (`js/index.js`) does the fetches, the `getToken` calls and the popup,
//! and asks [`edge`] for every decision (gateway url and origin, token freshness, retry and
//! refresh, error bodies, argument validation, local-tool routing, multi-execute split and
//! merge, provider tool calls and result messages, connection states). No async code, `http`
//! types or closures cross the boundary, which keeps the package within its size budget.
//!
//! There is deliberately no way to hand this package a Composio API key: it only speaks the
//! gateway's `/v1` API with a short-lived bearer token.

use wasm_bindgen::prelude::*;

/// `edge(op, inputJson)` → `{"ok": …}` or `{"err": {code, message, status, …}}` as JSON; see
/// [`crate::edge::ops::dispatch`].
#[wasm_bindgen]
pub fn edge(op: &str, input: &str) -> String {
    crate::edge::ops::dispatch(op, input)
}

//! [`Runtime`] for JavaScript hosts: `Date.now()`, a `setTimeout` sleep and the global
//! `crypto.getRandomValues`, all looked up on the global scope (no `window`), so it works in the
//! Workers runtime, pages, Web Workers and Node.

use std::future::Future;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::runtime::Runtime;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout, catch)]
    fn set_timeout(handler: &Function, ms: f64) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buf: &mut [u8]) -> Result<JsValue, JsValue>;
}

/// `crypto.getRandomValues` fills at most this many bytes per call.
const RANDOM_CHUNK: usize = 65_536;

/// The JavaScript [`Runtime`].
///
/// Construct it inside a handler: Workers refuse entropy at module scope. [`JsRuntime::has_crypto`]
/// tells up front whether the host has a CSPRNG, so a shell can answer an error instead of
/// failing later.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsRuntime {
    _private: (),
}

impl JsRuntime {
    /// The runtime of the current global scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// `true` when `crypto.getRandomValues` works here.
    pub fn has_crypto(&self) -> bool {
        let mut probe = [0u8; 1];
        get_random_values(&mut probe).is_ok()
    }
}

impl Runtime for JsRuntime {
    fn now_ms(&self) -> u64 {
        let now = js_sys::Date::now();
        if now.is_finite() && now > 0.0 {
            now as u64
        } else {
            0
        }
    }

    fn sleep(&self, ms: u64) -> impl Future<Output = ()> {
        sleep(ms)
    }

    /// Fills `buf` from `crypto.getRandomValues`. Without a CSPRNG there is no safe fallback, so
    /// this throws a JavaScript exception (fails closed) rather than return weak bytes; call
    /// [`JsRuntime::has_crypto`] first to turn that into an error.
    fn fill_random(&self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(RANDOM_CHUNK) {
            if get_random_values(chunk).is_err() {
                wasm_bindgen::throw_str("crypto.getRandomValues is unavailable");
            }
        }
    }
}

/// Resolves after `ms` milliseconds (a `setTimeout` promise on the global scope). Resolves at
/// once when the host has no `setTimeout`.
pub(crate) async fn sleep(ms: u64) {
    // setTimeout clamps larger delays to 1 ms; cap at the largest 32-bit delay (~24.8 days).
    let ms = ms.min(i32::MAX as u64) as f64;
    let promise = Promise::new(&mut |resolve, _reject| {
        if set_timeout(&resolve, ms).is_err() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    let _ = JsFuture::from(promise).await;
}

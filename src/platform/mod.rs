//! The only code that names wasm-bindgen, js-sys, web-sys or worker.
//!
//! - [`fetch`]: a [`Transport`](crate::transport::Transport) over the global `fetch`.
//! - [`js_runtime`]: a [`Runtime`](crate::runtime::Runtime) over `Date.now`, `setTimeout` and
//!   `crypto.getRandomValues`.
//! - `worker` (feature `worker`): the Cloudflare Worker shell and its Durable Objects.
//! - [`webcrypto`] (feature `worker`): app ID token signatures checked with `crypto.subtle`.
//!
//! Nothing here assumes `window`: the same code runs in the Workers runtime, pages, Web Workers
//! and Node.

pub mod fetch;
pub mod js_runtime;

#[cfg(feature = "browser")]
pub mod browser;
#[cfg(feature = "worker")]
pub mod webcrypto;
#[cfg(feature = "worker")]
pub mod worker;

pub use fetch::FetchTransport;
pub use js_runtime::JsRuntime;

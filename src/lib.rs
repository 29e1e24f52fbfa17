//! # composio-edge
//!
//! Composio Tool Router **v3.1** sessions at the edge, in Rust compiled to WebAssembly.
//!
//! One crate, three faces:
//! - the **core** (this library, pure Rust): a wire-exact session client ([`client`]), custom
//!   local tools and the multi-execute split/merge ([`tools`]), provider formats ([`provider`]);
//! - the **Worker gateway** ([`gateway`], hosted by `platform` with `--features worker`);
//! - the **browser package** (`platform` with `--features browser`).
//!
//! and the embedded default, a local **emulator** of the Tool Router API ([`emulator`]).
//!
//! The core does no I/O of its own: HTTP goes through a [`transport::Transport`], time and
//! entropy come from a [`runtime::Runtime`], state from a [`store::Store`].
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod encoding;
pub mod error;
pub mod http;
pub mod json;
pub mod runtime;
pub mod secret;
pub mod store;
pub mod transport;
pub mod wire;

pub mod client;
pub mod edge;
pub mod emulator;
pub mod gateway;
pub mod provider;
pub mod tools;

#[cfg(all(target_arch = "wasm32", feature = "wasm"))]
pub mod platform;

pub use error::{ApiError, Error, Result};

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The browser package allocates with talc instead of std's dlmalloc: 7 KB less wasm (2.6 KB
/// gzip) for a page that formats and checks a few tools at a time. Measured in wasm under Node
/// (`tests/wasm_bench.rs`, same run): allocation-heavy core work is 10–25% slower with it, so the
/// Worker, which is billed for CPU and serves many requests, keeps dlmalloc.
#[cfg(all(target_arch = "wasm32", feature = "browser", not(feature = "worker")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

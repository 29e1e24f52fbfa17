//! Tool-side logic: argument normalization and JSON Schema validation, custom local tools,
//! slug routing and the multi-execute split/merge.

pub mod args;
pub mod multi;
// The browser build matches `pattern`s with the platform's own RegExp (crate::edge::js).
#[cfg(not(all(target_arch = "wasm32", feature = "browser")))]
mod regex;
pub mod schema;

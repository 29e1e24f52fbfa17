//! The only code that names wasm-bindgen, js-sys, web-sys or worker.

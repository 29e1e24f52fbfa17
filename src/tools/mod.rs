//! Tool-side logic: argument normalization and JSON Schema validation, custom local tools,
//! slug routing and the multi-execute split/merge.

pub mod args;
pub mod multi;
mod regex;
pub mod schema;

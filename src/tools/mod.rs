//! Tool-side logic: argument normalization and JSON Schema validation, custom local tools,
//! slug routing and the multi-execute split/merge.

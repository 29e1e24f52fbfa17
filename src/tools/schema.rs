//! JSON Schema validation of tool arguments, without code generation.

//! The COMPOSIO_MULTI_EXECUTE_TOOL split/merge (wire §6.7).

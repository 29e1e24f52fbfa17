//! The client of the gateway's `/v1` API (what the browser package wraps): tokens, session,
//! search, execute with browser-local custom tools, toolkits and connection status.

//! The Worker gateway as pure handlers: tokens, sessions, search/execute/connect, OAuth callback.

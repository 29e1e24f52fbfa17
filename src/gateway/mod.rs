//! The Worker gateway as pure handlers: tokens, sessions, search/execute/connect, OAuth callback.
//!
//! Contract (shared with the Worker shell): [`Gateway::front`] runs statelessly in the Worker's
//! fetch handler and either answers or names the user whose Durable Object must handle the
//! request; [`Gateway::user`] runs inside that Durable Object with its storage and an upstream
//! [`Transport`] (the Composio API, or the embedded emulator's Durable Object).

use crate::runtime::Runtime;
use crate::store::Store;
use crate::transport::{json_response, HttpRequest, HttpResponse, Transport};

/// Which face of the Worker serves a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Face {
    /// The embedded emulator (`/api/…`, `/link/…`, `/__emulator/…`), in emulator mode only.
    Emulator,
    /// The gateway API (`/v1/…`, `/oauth/…`).
    Gateway,
    /// Static assets (the demo page).
    Asset,
}

/// Routes a request path to a face.
///
/// ```
/// use composio_edge::gateway::{face, Face};
/// assert_eq!(face("/v1/search", true), Face::Gateway);
/// assert_eq!(face("/api/v3.1/tool_router/session", true), Face::Emulator);
/// assert_eq!(face("/api/v3.1/tool_router/session", false), Face::Gateway);
/// assert_eq!(face("/", true), Face::Asset);
/// ```
pub fn face(path: &str, emulator_mode: bool) -> Face {
    let under = |p: &str| path == p || path.starts_with(&format!("{p}/"));
    if emulator_mode && (under("/api") || under("/link") || under("/__emulator")) {
        Face::Emulator
    } else if under("/v1") || under("/oauth") || under("/api") || under("/__emulator") {
        Face::Gateway
    } else {
        Face::Asset
    }
}

/// Gateway configuration, read from the Worker's environment.
#[derive(Clone, Debug, Default)]
pub struct GatewayConfig {
    /// `true` when no `COMPOSIO_API_KEY` is set: the embedded emulator is the upstream.
    pub emulator_mode: bool,
}

impl GatewayConfig {
    /// Reads the configuration through `get(name)` (contract stub).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Self, crate::Error> {
        Ok(Self {
            emulator_mode: get("COMPOSIO_API_KEY").is_none_or(|k| k.is_empty()),
        })
    }
}

/// What the stateless front decided.
#[derive(Debug)]
pub enum Dispatch {
    /// Answer this directly.
    Respond(HttpResponse),
    /// Forward to the Durable Object of this user key.
    User {
        /// Durable Object name (partitioned by tenant and user).
        user_key: String,
        /// The request to hand it.
        request: HttpRequest,
    },
}

/// The gateway.
#[derive(Clone, Debug)]
pub struct Gateway {
    /// Its configuration.
    pub config: GatewayConfig,
}

impl Gateway {
    /// A gateway with this configuration.
    pub fn new(config: GatewayConfig) -> Self {
        Self { config }
    }

    /// Stateless front (contract stub: the gateway issue replaces the body).
    pub async fn front<R: Runtime>(&self, req: HttpRequest, rt: &R) -> Dispatch {
        let _ = (req, rt);
        Dispatch::Respond(json_response(
            501,
            &serde_json::json!({"error": {"code": "not_implemented", "message": "not implemented", "request_id": ""}}),
        ))
    }

    /// Per-user handler inside the user's Durable Object (contract stub).
    pub async fn user<S: Store, T: Transport, R: Runtime>(
        &self,
        req: HttpRequest,
        store: &S,
        upstream: &T,
        rt: &R,
    ) -> HttpResponse {
        let _ = (req, store, upstream, rt);
        json_response(
            501,
            &serde_json::json!({"error": {"code": "not_implemented", "message": "not implemented", "request_id": ""}}),
        )
    }
}

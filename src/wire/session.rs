//! Session responses: create / retrieve / attach / update (wire §3.1.4), delete (§3.4), config
//! history (§3.5) and the pagination envelope (§3.6).

use crate::json::{Map, Value};
use serde::{Deserialize, Deserializer, Serialize};

/// `mcp` of a session response: `{"type":"http","url":…}`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct McpInfo {
    /// Transport type, `http` (the SDK type also allows `sse`).
    #[serde(default, rename = "type")]
    pub kind: String,
    /// Streamable-HTTP URL of the session's MCP server.
    #[serde(default)]
    pub url: String,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

/// `config.preload` of a session response.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct PreloadInfo {
    /// `["SLUG", …]` or `"all"`.
    #[serde(default)]
    pub tools: Value,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

impl PreloadInfo {
    /// `true` when `tools == "all"`.
    pub fn is_all(&self) -> bool {
        self.tools.as_str() == Some("all")
    }
}

/// `config` of a session response. The response naming (`enabled`/`disabled`) differs from the
/// request naming; the sub-objects are kept as JSON so nothing is lost.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct SessionConfig {
    /// The session's user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// `{"enabled":[…]}` or `{"disabled":[…]}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toolkits: Option<Value>,
    /// Pinned auth configs per toolkit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_configs: Option<Value>,
    /// Pinned connected accounts per toolkit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connected_accounts: Option<Value>,
    /// `{"enabled":bool,"callback_url",…}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manage_connections: Option<Value>,
    /// Per-toolkit tool filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Value>,
    /// Tag filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Value>,
    /// Sandbox settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workbench: Option<Value>,
    /// Multi-account settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_account: Option<Value>,
    /// Preloaded tools.
    #[serde(default)]
    pub preload: PreloadInfo,
    /// `{"enable":bool}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<Value>,
    /// `{"enable_multi_execute":bool}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execute: Option<Value>,
    /// Every other field (`premium_usage`, `instant`, `proxy_execute`, `hooks`, …).
    #[serde(flatten)]
    pub extra: Map,
}

/// One custom tool as echoed by create/attach (`experimental.custom_tools[]`, wire §6.4).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct CustomToolEcho {
    /// The final slug the backend assigned, e.g. `LOCAL_GREP`.
    #[serde(default)]
    pub slug: String,
    /// The slug the client sent, e.g. `GREP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_slug: Option<String>,
    /// Toolkit the tool extends, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends_toolkit: Option<String>,
    /// Every other field (`name`, `description`, schemas, `preload`, …).
    #[serde(flatten)]
    pub extra: Map,
}

/// One custom toolkit as echoed by create/attach (`experimental.custom_toolkits[]`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct CustomToolkitEcho {
    /// Toolkit slug.
    #[serde(default)]
    pub slug: String,
    /// Its tools with their final slugs.
    #[serde(default, deserialize_with = "null_as_default")]
    pub tools: Vec<CustomToolEcho>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

/// `experimental` of a session response.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct SessionExperimental {
    /// System-prompt fragment (create only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assistive_prompt: Option<String>,
    /// Echo of the inline custom tools, with final slugs.
    #[serde(default, deserialize_with = "null_as_default")]
    pub custom_tools: Vec<CustomToolEcho>,
    /// Echo of the inline custom toolkits, with final slugs.
    #[serde(default, deserialize_with = "null_as_default")]
    pub custom_toolkits: Vec<CustomToolkitEcho>,
    /// `{"id":"sc_…"}` when the session came from a saved config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_session_config: Option<Value>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

/// A warning attached to a session response.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct SessionWarning {
    /// Machine code, e.g. `PRELOAD_TOOLS_HIGH_CONTEXT_USAGE`.
    #[serde(default)]
    pub code: String,
    /// Human message.
    #[serde(default)]
    pub message: String,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

/// The body of create (201), retrieve, attach and PATCH (200): wire §3.1.4.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct SessionInfo {
    /// `trs_…`.
    pub session_id: String,
    /// MCP endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp: Option<McpInfo>,
    /// Meta tools enabled for the session (ignored by the SDKs).
    #[serde(default, deserialize_with = "null_as_default")]
    pub tool_router_tools: Vec<String>,
    /// The effective configuration.
    #[serde(default)]
    pub config: SessionConfig,
    /// Monotonic version, +1 per PATCH.
    #[serde(
        default,
        deserialize_with = "lenient_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub config_version: Option<u64>,
    /// Experimental block.
    #[serde(default, deserialize_with = "null_as_default")]
    pub experimental: SessionExperimental,
    /// Warnings (`[]` when absent).
    #[serde(default, deserialize_with = "null_as_default")]
    pub warnings: Vec<SessionWarning>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

/// `DELETE …/session/{id}` → `{"session_id","deleted":true}`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct DeleteSessionResponse {
    /// The deleted session.
    #[serde(default)]
    pub session_id: String,
    /// `true`.
    #[serde(default)]
    pub deleted: bool,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

/// The pagination envelope of list endpoints (wire §3.6). Page counters tolerate floats.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(bound(deserialize = "T: Deserialize<'de>", serialize = "T: Serialize"))]
pub struct Page<T> {
    /// The items of this page.
    #[serde(default = "Vec::new", deserialize_with = "null_as_default")]
    pub items: Vec<T>,
    /// Opaque cursor of the next page; `None` (or empty) on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Total pages.
    #[serde(
        default,
        deserialize_with = "lenient_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_pages: Option<u64>,
    /// Current page (1-based).
    #[serde(
        default,
        deserialize_with = "lenient_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub current_page: Option<u64>,
    /// Total items.
    #[serde(
        default,
        deserialize_with = "lenient_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_items: Option<u64>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            next_cursor: None,
            total_pages: None,
            current_page: None,
            total_items: None,
            extra: crate::wire::json::new_map(),
        }
    }
}

impl<T> Page<T> {
    /// The cursor of the next page, if there is one (empty strings count as none).
    pub fn next(&self) -> Option<&str> {
        self.next_cursor.as_deref().filter(|c| !c.is_empty())
    }
}

/// One entry of `GET …/config_history`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ConfigHistoryEntry {
    /// Config version.
    #[serde(default, deserialize_with = "lenient_u64_or_zero")]
    pub version: u64,
    /// ISO timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Whether this is the live config.
    #[serde(default)]
    pub is_current: bool,
    /// The config at that version.
    #[serde(default)]
    pub config: SessionConfig,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

/// Deserializes `null` as `T::default()`.
pub fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Deserializes a count that may be an integer, a float or null.
pub fn lenient_u64<'de, D>(d: D) -> Result<Option<u64>, D::Error>
where
    D: Deserializer<'de>,
{
    let v = Option::<Value>::deserialize(d)?;
    Ok(match v {
        Some(Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        _ => None,
    })
}

/// Like [`lenient_u64`], with `0` for null or absent.
pub fn lenient_u64_or_zero<'de, D>(d: D) -> Result<u64, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(lenient_u64(d)?.unwrap_or(0))
}

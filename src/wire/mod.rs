//! Serde types for the Tool Router v3.1 wire, named as the API names them (snake_case).
//! Responses tolerate unknown fields; most keep them in an `extra` map so nothing is lost.

use crate::json::{Map, Value};
use serde::{Deserialize, Serialize};

pub mod account;
pub mod envelope;
pub mod json;
pub mod search;
pub mod session;

pub use account::*;
pub use envelope::{api_error_from_parts, api_error_from_response, decode_json};
pub use search::*;
pub use session::{
    ConfigHistoryEntry, CustomToolEcho, CustomToolkitEcho, DeleteSessionResponse, McpInfo, Page,
    PreloadInfo, SessionConfig, SessionExperimental, SessionInfo, SessionWarning,
};

/// A toolkit reference inside a tool (`{"slug","name","logo"}`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ToolkitRef {
    /// Toolkit slug, e.g. `gmail` (meta tools: `composio`).
    pub slug: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Logo URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
}

/// A tool as `GET …/tools` returns it (wire §4.1).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Tool {
    /// Tool slug, e.g. `GMAIL_SEND_EMAIL`.
    pub slug: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// LLM-facing description.
    #[serde(default)]
    pub description: String,
    /// Toolkit the tool belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toolkit: Option<ToolkitRef>,
    /// JSON Schema of the arguments (`Null` when the API sent `{}`/`null`/nothing).
    #[serde(default)]
    pub input_parameters: Value,
    /// JSON Schema of `data` in the result.
    #[serde(default)]
    pub output_parameters: Value,
    /// `true` when the tool needs no connected account.
    #[serde(default)]
    pub no_auth: bool,
    /// Versions available.
    #[serde(default)]
    pub available_versions: Vec<String>,
    /// Version of this schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// OAuth scopes the tool needs.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Tags such as `readOnlyHint`, `destructiveHint`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Deprecated flag.
    #[serde(default)]
    pub is_deprecated: bool,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map,
}

impl Tool {
    /// The toolkit slug, or `"unknown"`.
    pub fn toolkit_slug(&self) -> &str {
        self.toolkit
            .as_ref()
            .map(|t| t.slug.as_str())
            .unwrap_or("unknown")
    }
}

/// The response of `POST …/execute` and `…/execute_meta` (wire §4.3). Both the current
/// `result_type` union and the older shape without it decode into this.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ExecuteResponse {
    /// `completed` | `failed` | `blocked` | `input_required`; absent from older servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<String>,
    /// Tool output.
    #[serde(default)]
    pub data: Value,
    /// Error message, `None` on success.
    #[serde(default)]
    pub error: Option<String>,
    /// Log id (`""` for local custom tools).
    #[serde(default)]
    pub log_id: String,
    /// Every other field (`instant_charge`, `premium_charge`, `input_requests`, …).
    #[serde(flatten)]
    pub extra: Map,
}

impl ExecuteResponse {
    /// Success as the SDKs define it: `result_type == "completed"`, or, for servers that omit
    /// `result_type`, `error == null`.
    ///
    /// ```
    /// let r: composio_edge::wire::ExecuteResponse =
    ///     serde_json::from_str(r#"{"result_type":"failed","data":{},"error":"x","log_id":"l"}"#).unwrap();
    /// assert!(!r.successful());
    /// ```
    pub fn successful(&self) -> bool {
        match self.result_type.as_deref() {
            Some(t) => t == "completed",
            None => self.error.is_none(),
        }
    }
}

//! `POST …/search` response (wire §4.2). Every struct keeps unknown fields in `extra`; the
//! camelCase wire keys `hasFullSchema` and `schemaRef` are kept as the API spells them.

use crate::json::{Map, Value};
use serde::{Deserialize, Serialize};

use super::session::{lenient_u64_or_zero, null_as_default};

/// One search result (per query).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct SearchResult {
    /// 1-based query index.
    #[serde(default, deserialize_with = "lenient_u64_or_zero")]
    pub index: u64,
    /// The use case searched for.
    #[serde(default)]
    pub use_case: String,
    /// Best matching tools.
    #[serde(default, deserialize_with = "null_as_default")]
    pub primary_tool_slugs: Vec<String>,
    /// Related tools.
    #[serde(default, deserialize_with = "null_as_default")]
    pub related_tool_slugs: Vec<String>,
    /// Toolkits involved.
    #[serde(default, deserialize_with = "null_as_default")]
    pub toolkits: Vec<String>,
    /// Guidance for the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_guidance: Option<String>,
    /// Difficulty estimate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<String>,
    /// Suggested plan.
    #[serde(default, deserialize_with = "null_as_default")]
    pub recommended_plan_steps: Vec<String>,
    /// Known pitfalls.
    #[serde(default, deserialize_with = "null_as_default")]
    pub known_pitfalls: Vec<String>,
    /// `[{"description","code"}]`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub reference_workbench_snippets: Vec<Value>,
    /// Plan id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<String>,
    /// Cached plan use case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_plan_usecase: Option<String>,
    /// Per-query error.
    #[serde(default)]
    pub error: Option<String>,
    /// `{"toolkit": ["fact", …]}`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub memory: Map,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

/// A connected account listed in a connection status.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct SearchAccount {
    /// `ca_…`.
    #[serde(default)]
    pub id: String,
    /// Alias.
    #[serde(default)]
    pub alias: Option<String>,
    /// Status, e.g. `active`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Whether it is the default account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
    /// Every other field (`user_info`, `created_at`, `account_type`, …).
    #[serde(flatten)]
    pub extra: Map,
}

/// Connection status of a toolkit.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ToolkitConnectionStatus {
    /// Toolkit slug.
    #[serde(default)]
    pub toolkit: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Whether the user has an active connection.
    #[serde(default)]
    pub has_active_connection: bool,
    /// Accounts (multi-account sessions).
    #[serde(default, deserialize_with = "null_as_default")]
    pub accounts: Vec<SearchAccount>,
    /// `required` when the model must choose an account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_selection: Option<String>,
    /// Human status message.
    #[serde(default)]
    pub status_message: String,
    /// Every other field (`connection_details`, `current_user_info`, `hosted_account`,
    /// `instant_account`, …).
    #[serde(flatten)]
    pub extra: Map,
}

/// `schemaRef` inside a tool schema.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct SchemaRef {
    /// Always `COMPOSIO_GET_TOOL_SCHEMAS`.
    #[serde(default)]
    pub tool: String,
    /// `{"tool_slugs": […]}`.
    #[serde(default)]
    pub args: Value,
    /// Message for the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

/// A tool schema returned by search.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct SearchToolSchema {
    /// Toolkit slug.
    #[serde(default)]
    pub toolkit: String,
    /// Tool slug.
    #[serde(default)]
    pub tool_slug: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Input JSON Schema.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub input_schema: Value,
    /// Output JSON Schema.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub output_schema: Value,
    /// Whether the schema is complete (wire key `hasFullSchema`).
    #[serde(
        default,
        rename = "hasFullSchema",
        skip_serializing_if = "Option::is_none"
    )]
    pub has_full_schema: Option<bool>,
    /// Where to get the full schema (wire key `schemaRef`).
    #[serde(default, rename = "schemaRef", skip_serializing_if = "Option::is_none")]
    pub schema_ref: Option<SchemaRef>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

/// `time_info`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct TimeInfo {
    /// ISO time.
    #[serde(default)]
    pub current_time_utc: String,
    /// Epoch seconds.
    #[serde(default)]
    pub current_time_utc_epoch_seconds: f64,
    /// Message.
    #[serde(default)]
    pub message: String,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

/// The workflow session of a search (`{"id","generate_id","instructions"}`), distinct from `trs_`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct WorkflowSession {
    /// Workflow session id.
    #[serde(default)]
    pub id: String,
    /// Whether the id was generated.
    #[serde(default)]
    pub generate_id: bool,
    /// Instructions.
    #[serde(default)]
    pub instructions: String,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

/// The body of `POST …/search`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct SearchResponse {
    /// Overall success.
    #[serde(default)]
    pub success: bool,
    /// `"X out of Y searches failed, reasons: …"`.
    #[serde(default)]
    pub error: Option<String>,
    /// One result per query.
    #[serde(default, deserialize_with = "null_as_default")]
    pub results: Vec<SearchResult>,
    /// Connection status per toolkit.
    #[serde(default, deserialize_with = "null_as_default")]
    pub toolkit_connection_statuses: Vec<ToolkitConnectionStatus>,
    /// Schemas by tool slug.
    #[serde(default, deserialize_with = "null_as_default")]
    pub tool_schemas: std::collections::BTreeMap<String, SearchToolSchema>,
    /// Time info.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_info: Option<TimeInfo>,
    /// Workflow session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<WorkflowSession>,
    /// Next steps.
    #[serde(default, deserialize_with = "null_as_default")]
    pub next_steps_guidance: Vec<String>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

//! Toolkits (wire §4.7), links (§4.5, §9.2), connected accounts (§9.4), proxy (§4.8) and file
//! mounts (§4.10).

use crate::json::{Map, Value};
use serde::{Deserialize, Serialize};

use super::session::{lenient_u64, null_as_default};

/// `auth_config` inside a connected account.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct AuthConfigRef {
    /// `ac_…`.
    #[serde(default)]
    pub id: String,
    /// `OAUTH2`, `API_KEY`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_scheme: Option<String>,
    /// Composio-managed credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_composio_managed: Option<bool>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

/// `connected_account` of a toolkit item.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ToolkitConnectedAccount {
    /// `ca_…`.
    #[serde(default)]
    pub id: String,
    /// Owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// `ACTIVE`, `INITIATED`, …
    #[serde(default)]
    pub status: String,
    /// ISO timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Auth config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_config: Option<AuthConfigRef>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

/// `meta` of a toolkit item.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ToolkitMeta {
    /// Logo URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

/// One item of `GET …/toolkits`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ToolkitItem {
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Slug.
    #[serde(default)]
    pub slug: String,
    /// Enabled in this session.
    #[serde(default)]
    pub enabled: bool,
    /// Needs no connection.
    #[serde(default)]
    pub is_no_auth: bool,
    /// Managed auth schemes.
    #[serde(default, deserialize_with = "null_as_default")]
    pub composio_managed_auth_schemes: Vec<String>,
    /// Logo and description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ToolkitMeta>,
    /// The user's connected account, `None` when not connected.
    #[serde(default)]
    pub connected_account: Option<ToolkitConnectedAccount>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

impl ToolkitItem {
    /// `true` when the connected account is `ACTIVE`.
    pub fn is_active(&self) -> bool {
        self.connected_account
            .as_ref()
            .is_some_and(|c| c.status == "ACTIVE")
    }
}

/// `POST …/session/{id}/link` (201) and `POST /api/v3.1/connected_accounts/link` (201).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct LinkResponse {
    /// Link token (ignored by the SDKs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_token: Option<String>,
    /// Hosted Connect Link.
    #[serde(default)]
    pub redirect_url: Option<String>,
    /// `ca_…` being connected.
    #[serde(default)]
    pub connected_account_id: String,
    /// Expiry (non-session link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Every other field (`experimental`).
    #[serde(flatten)]
    pub extra: Map,
}

/// What `authorize` returns: `{id, status:"INITIATED", redirect_url}`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ConnectionRequest {
    /// Connected account id.
    pub id: String,
    /// `INITIATED`.
    pub status: String,
    /// Where to send the user.
    #[serde(default)]
    pub redirect_url: Option<String>,
}

/// `GET /api/v3.1/connected_accounts/{id}` (wire §9.4).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ConnectedAccount {
    /// `ca_…`.
    #[serde(default)]
    pub id: String,
    /// `INITIALIZING` | `INITIATED` | `ACTIVE` | `FAILED` | `EXPIRED` | `INACTIVE` | `REVOKED`.
    #[serde(default)]
    pub status: String,
    /// Reason for a failure status.
    #[serde(default)]
    pub status_reason: Option<String>,
    /// Alias.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// `{"slug": …}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toolkit: Option<Value>,
    /// Auth config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_config: Option<AuthConfigRef>,
    /// Every other field (`state`, `data`, `created_at`, …). `state` may carry tokens: never log it.
    #[serde(flatten)]
    pub extra: Map,
}

/// `binary_data` of a proxy response.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct BinaryData {
    /// Download URL.
    #[serde(default)]
    pub url: String,
    /// MIME type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Size in bytes.
    #[serde(
        default,
        deserialize_with = "lenient_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub size: Option<u64>,
    /// Expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

/// `POST …/proxy_execute` response.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ProxyResponse {
    /// Upstream HTTP status.
    #[serde(default)]
    pub status: u16,
    /// Upstream body.
    #[serde(default)]
    pub data: Value,
    /// Upstream headers.
    #[serde(default, deserialize_with = "null_as_default")]
    pub headers: Map,
    /// Binary payload, when the upstream answered with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary_data: Option<BinaryData>,
    /// Every other field (`result_type`, …).
    #[serde(flatten)]
    pub extra: Map,
}

/// One file in a mount.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct MountItem {
    /// Path relative to the mount.
    #[serde(default)]
    pub mount_relative_path: String,
    /// Where the sandbox sees the mount, e.g. `/mnt/files`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox_mount_prefix: Option<String>,
    /// Size in bytes.
    #[serde(
        default,
        deserialize_with = "lenient_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub size: Option<u64>,
    /// ISO timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

/// `upload_url` / `download_url` / `delete` responses of a mount.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct MountUrl {
    /// Presigned PUT URL (upload).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_url: Option<String>,
    /// Presigned GET URL (download).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_url: Option<String>,
    /// Path relative to the mount.
    #[serde(default)]
    pub mount_relative_path: String,
    /// Where the sandbox sees the mount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox_mount_prefix: Option<String>,
    /// Expiry of the URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map,
}

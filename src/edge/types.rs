//! Requests and results of the gateway's `/v1` API, as the edge client sends and returns them.

use crate::json::{Map, Value};
use serde::{Deserialize, Serialize};

use crate::json;
use crate::wire::json::ToJson;

use crate::tools::multi::ToolOutcome;

/// The user's session, as `POST /v1/session` returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// Session id (`trs_…` upstream; the gateway keeps it per user).
    pub session_id: String,
    /// The whole response body (session config, emulator flag …), never the API key.
    #[serde(flatten)]
    pub extra: Map,
}

impl SessionInfo {
    /// Reads `session_id`, `id` or `session.id` from a response body.
    pub(crate) fn from_value(v: Value) -> Option<Self> {
        let id = ["session_id", "id"]
            .iter()
            .find_map(|k| v.get(*k).and_then(Value::as_str))
            .or_else(|| v.pointer("/session/id").and_then(Value::as_str))?
            .to_owned();
        let mut extra = match v {
            Value::Object(m) => m,
            _ => crate::wire::json::new_map(),
        };
        extra.remove("session_id");
        Some(Self {
            session_id: id,
            extra,
        })
    }
}

/// One search query (wire §4.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// What the agent wants to do, ≤ 1024 characters.
    pub use_case: String,
    /// Facts already known, e.g. `channel_name:general`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_fields: Option<String>,
}

/// `POST /v1/search`: one or more queries, optionally limited to toolkits.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SearchRequest {
    /// 1 to 7 queries.
    pub queries: Vec<SearchQuery>,
    /// Toolkit slugs to search in (all when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub toolkits: Vec<String>,
}

impl SearchRequest {
    /// Most queries one search may carry (wire §4.2).
    pub const MAX_QUERIES: usize = 7;

    /// A search for one use case.
    ///
    /// ```
    /// let r = composio_edge::edge::SearchRequest::query("send an email");
    /// assert_eq!(r.queries[0].use_case, "send an email");
    /// ```
    pub fn query(use_case: impl Into<String>) -> Self {
        Self {
            queries: vec![SearchQuery {
                use_case: use_case.into(),
                known_fields: None,
            }],
            toolkits: Vec::new(),
        }
    }

    /// Checks the limits of wire §4.2 (1–7 queries, `use_case` 1–1024 characters,
    /// `known_fields` ≤ 500).
    pub fn validate(&self) -> Result<(), crate::Error> {
        if self.queries.is_empty() || self.queries.len() > Self::MAX_QUERIES {
            return Err(crate::Error::InvalidRequest(format!(
                "search takes 1 to {} queries, got {}",
                Self::MAX_QUERIES,
                self.queries.len()
            )));
        }
        for q in &self.queries {
            let n = crate::encoding::char_count(q.use_case.trim());
            if n == 0 || crate::encoding::char_count(&q.use_case) > 1024 {
                return Err(crate::Error::InvalidRequest(
                    "a search use_case must have 1 to 1024 characters".into(),
                ));
            }
            if q.known_fields
                .as_ref()
                .is_some_and(|k| crate::encoding::char_count(k) > 500)
            {
                return Err(crate::Error::InvalidRequest(
                    "known_fields must have at most 500 characters".into(),
                ));
            }
        }
        Ok(())
    }
}

/// Options of [`super::EdgeClient::execute`].
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ExecuteOptions {
    /// Connected-account id or alias to execute with.
    pub account: Option<String>,
    /// Sent as `Idempotency-Key`: a repeat returns the first result without executing again,
    /// which also makes the request safe to retry.
    pub idempotency_key: Option<String>,
}

/// The result of an execution, as `@composio/core` projects it (`{data, error, successful, logId}`).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecuteResult {
    /// Tool output (`{}` when the tool failed before producing any).
    pub data: Value,
    /// Error message, `None` on success.
    pub error: Option<String>,
    /// Whether the execution succeeded.
    pub successful: bool,
    /// Log id upstream (`""` for browser-local tools).
    pub log_id: String,
}

impl ExecuteResult {
    /// A successful local result.
    pub fn ok(data: Value) -> Self {
        Self {
            data: if data.is_null() {
                Value::Object(crate::wire::json::new_map())
            } else {
                data
            },
            error: None,
            successful: true,
            log_id: String::new(),
        }
    }

    /// A failed local result.
    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            data: Value::Object(crate::wire::json::new_map()),
            error: Some(message.into()),
            successful: false,
            log_id: String::new(),
        }
    }

    /// Projects a gateway execute response (current `result_type` union or the older shape).
    pub fn from_wire(r: crate::wire::ExecuteResponse) -> Self {
        let successful = r.successful();
        let error = match (&r.error, successful) {
            (Some(e), _) => Some(e.clone()),
            (None, false) => Some(format!(
                "execution {}",
                r.result_type.as_deref().unwrap_or("failed")
            )),
            (None, true) => None,
        };
        Self {
            data: r.data,
            error,
            successful,
            log_id: r.log_id,
        }
    }

    /// Projects a gateway execute response body (a JSON value) without typed deserialization.
    pub fn from_wire_value(v: Value) -> Self {
        let Value::Object(mut o) = v else {
            return Self::failed("execute response is not an object");
        };
        let result_type = o
            .get("result_type")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let error = o.get("error").and_then(Value::as_str).map(str::to_owned);
        let successful = match result_type.as_deref() {
            Some(t) => t == "completed",
            None => o
                .get("successful")
                .and_then(Value::as_bool)
                .unwrap_or(error.is_none()),
        };
        let error = match (error, successful) {
            (Some(e), _) => Some(e),
            (None, false) => Some(format!(
                "execution {}",
                result_type.as_deref().unwrap_or("failed")
            )),
            (None, true) => None,
        };
        let log_id = o
            .get("log_id")
            .or_else(|| o.get("logId"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        Self {
            data: o.remove("data").unwrap_or(Value::Null),
            error,
            successful,
            log_id,
        }
    }

    /// As a [`ToolOutcome`] (the log id kept in `extra`).
    pub fn to_outcome(&self) -> ToolOutcome {
        let mut extra = crate::wire::json::new_map();
        if !self.log_id.is_empty() {
            crate::wire::json::put(&mut extra, "log_id", Value::from(self.log_id.as_str()));
        }
        ToolOutcome {
            data: self.data.clone(),
            error: self.error.clone(),
            successful: self.successful,
            extra,
        }
    }

    /// From a [`ToolOutcome`] (e.g. a merged multi-execute).
    pub fn from_outcome(o: ToolOutcome) -> Self {
        Self {
            log_id: o.log_id().unwrap_or_default().to_owned(),
            data: o.data,
            error: o.error,
            successful: o.successful,
        }
    }

    /// The `{data, error, successful}` object used inside multi-execute merges (wire §6.7).
    pub fn to_wire_value(&self) -> Value {
        json!({"data": self.data, "error": self.error, "successful": self.successful})
    }
}

/// `GET /v1/toolkits` query.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ToolkitsQuery {
    /// Page size (≤ 50).
    pub limit: Option<u32>,
    /// Cursor of the page to read.
    pub cursor: Option<String>,
    /// Only connected (`true`) or unconnected (`false`) toolkits.
    pub is_connected: Option<bool>,
    /// Free-text filter.
    pub search: Option<String>,
    /// Only these toolkit slugs.
    pub toolkits: Vec<String>,
}

impl ToolkitsQuery {
    /// The query string (without `?`), empty when nothing is set.
    ///
    /// ```
    /// use composio_edge::edge::ToolkitsQuery;
    /// let q = ToolkitsQuery { limit: Some(5), toolkits: vec!["gmail".into(), "slack".into()], ..Default::default() };
    /// assert_eq!(q.to_query(), "limit=5&toolkits=gmail%2Cslack");
    /// ```
    pub fn to_query(&self) -> String {
        use crate::encoding::encode_component as enc;
        let mut parts = Vec::new();
        if let Some(l) = self.limit {
            parts.push(format!("limit={l}"));
        }
        if let Some(c) = &self.cursor {
            parts.push(format!("cursor={}", enc(c)));
        }
        if let Some(b) = self.is_connected {
            parts.push(format!("is_connected={b}"));
        }
        if let Some(s) = &self.search {
            parts.push(format!("search={}", enc(s)));
        }
        if !self.toolkits.is_empty() {
            parts.push(format!(
                "toolkits={}",
                enc(&crate::encoding::join(&self.toolkits, ","))
            ));
        }
        crate::encoding::join(&parts, "&")
    }
}

/// `POST /v1/connect` response: where to send the user, and what to poll.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectLink {
    /// Absolute URL on the gateway's own origin (`/oauth/start?ticket=…`).
    pub connect_url: String,
    /// Id for `GET /v1/connect/{id}`.
    pub connection_id: String,
}

/// What a connection status means for a waiting client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    /// Still in progress (`INITIATED`, `INITIALIZING`, `PENDING`, `INACTIVE`, anything unknown).
    Pending,
    /// Connected (`ACTIVE`).
    Active,
    /// Terminal failure (`FAILED`, `EXPIRED`, `REVOKED`, `DENIED`, `CANCELLED`, `ERROR`).
    Failed,
}

impl ConnectionState {
    /// Interprets a status string, case-insensitively.
    ///
    /// ```
    /// use composio_edge::edge::ConnectionState;
    /// assert_eq!(ConnectionState::of("ACTIVE"), ConnectionState::Active);
    /// assert_eq!(ConnectionState::of("expired"), ConnectionState::Failed);
    /// assert_eq!(ConnectionState::of("INITIATED"), ConnectionState::Pending);
    /// ```
    pub fn of(status: &str) -> Self {
        match status.trim().to_ascii_uppercase().as_str() {
            "ACTIVE" | "CONNECTED" | "SUCCESS" => Self::Active,
            "FAILED" | "EXPIRED" | "REVOKED" | "DENIED" | "CANCELLED" | "CANCELED" | "ERROR" => {
                Self::Failed
            }
            _ => Self::Pending,
        }
    }
}

/// `GET /v1/connect/{id}`: the state of one connection flow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionStatus {
    /// The id that was polled.
    #[serde(default)]
    pub connection_id: String,
    /// Status as the gateway reports it (`INITIATED`, `ACTIVE`, `FAILED` …).
    pub status: String,
    /// Its interpretation.
    pub state: ConnectionState,
    /// Toolkit slug.
    #[serde(default)]
    pub toolkit: Option<String>,
    /// Connected account id, once known.
    #[serde(default)]
    pub connected_account_id: Option<String>,
    /// Why it failed, when the gateway says.
    #[serde(default)]
    pub reason: Option<String>,
}

impl ConnectionStatus {
    /// Reads a gateway status body (snake_case; `toolkit` may be a slug or `{slug}`).
    pub(crate) fn from_value(id: &str, v: &Value) -> Option<Self> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let status = s("status")?;
        let toolkit = s("toolkit").or_else(|| {
            v.pointer("/toolkit/slug")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        Some(Self {
            connection_id: s("connection_id").unwrap_or_else(|| id.to_owned()),
            state: ConnectionState::of(&status),
            status,
            toolkit,
            connected_account_id: s("connected_account_id"),
            reason: s("status_reason")
                .or_else(|| s("reason"))
                .or_else(|| s("error")),
        })
    }
}

/// Connection state of one toolkit for this user (from `GET /v1/toolkits`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolkitConnection {
    /// Toolkit slug.
    pub toolkit: String,
    /// `true` when the toolkit needs no auth or has an active account.
    pub connected: bool,
    /// `true` when the toolkit needs no connected account.
    pub no_auth: bool,
    /// The active connected account, if any.
    pub connected_account_id: Option<String>,
}

impl ToolkitConnection {
    /// Finds `toolkit` in a toolkits page (`items[]` of the upstream shape: `is_no_auth`,
    /// `connected_account{id,status}`; or the SDK projection `isNoAuth`,
    /// `connection{isActive, connectedAccount{id}}`).
    pub fn find(page: &Value, toolkit: &str) -> Option<Self> {
        let items = page
            .get("items")
            .or_else(|| page.get("toolkits"))
            .and_then(Value::as_array)?;
        let item = items.iter().find(|i| {
            i.get("slug")
                .and_then(Value::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case(toolkit))
        })?;
        let flag = |k: &str| item.get(k).and_then(Value::as_bool).unwrap_or(false);
        let gateway = item.get("connection").filter(|c| c.is_object());
        let gateway_flag = |k: &str| {
            gateway
                .and_then(|c| c.get(k))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        let no_auth = flag("is_no_auth")
            || flag("isNoAuth")
            || flag("no_auth")
            || gateway.and_then(|c| c.get("state")).and_then(Value::as_str) == Some("no_auth");
        let account = item
            .get("connected_account")
            .or_else(|| item.pointer("/connection/connectedAccount"))
            .filter(|a| a.is_object());
        let active_status = account
            .and_then(|a| a.get("status"))
            .and_then(Value::as_str)
            .map(|s| ConnectionState::of(s) == ConnectionState::Active);
        let active = active_status.unwrap_or(false)
            || gateway_flag("isActive")
            || (gateway_flag("connected") && !no_auth)
            || flag("is_connected")
            || flag("connected");
        let account_id = account
            .and_then(|a| a.get("id"))
            .or_else(|| gateway.and_then(|c| c.get("connected_account_id")))
            .and_then(Value::as_str)
            .map(str::to_owned);
        Some(Self {
            toolkit: toolkit.to_owned(),
            connected: no_auth || active,
            no_auth,
            connected_account_id: if active { account_id } else { None },
        })
    }
}

// The JSON forms the browser package returns, as the serde derives above give them (checked by
// `to_json_matches_serde` below) but without serde's value `Serializer` in the wasm.

impl ToJson for SessionInfo {
    fn to_json(&self) -> Value {
        let mut m = crate::wire::json::new_map();
        crate::wire::json::put(&mut m, "session_id", Value::from(self.session_id.as_str()));
        for (k, v) in &self.extra {
            m.insert(k.clone(), v.clone());
        }
        Value::Object(m)
    }
}

impl ToJson for SearchRequest {
    fn to_json(&self) -> Value {
        let queries = self
            .queries
            .iter()
            .map(|q| {
                let mut m = crate::wire::json::new_map();
                crate::wire::json::put(&mut m, "use_case", Value::from(q.use_case.as_str()));
                if let Some(k) = &q.known_fields {
                    crate::wire::json::put(&mut m, "known_fields", Value::from(k.as_str()));
                }
                Value::Object(m)
            })
            .collect();
        let mut m = crate::wire::json::new_map();
        crate::wire::json::put(&mut m, "queries", Value::Array(queries));
        if !self.toolkits.is_empty() {
            crate::wire::json::put(&mut m, "toolkits", self.toolkits.to_json());
        }
        Value::Object(m)
    }
}

impl ToJson for ExecuteResult {
    fn to_json(&self) -> Value {
        json!({"data": self.data, "error": self.error, "successful": self.successful,
            "logId": self.log_id})
    }
}

impl ToJson for ConnectionStatus {
    fn to_json(&self) -> Value {
        let state = match self.state {
            ConnectionState::Pending => "pending",
            ConnectionState::Active => "active",
            ConnectionState::Failed => "failed",
        };
        json!({"connectionId": self.connection_id, "status": self.status, "state": state,
            "toolkit": self.toolkit, "connectedAccountId": self.connected_account_id,
            "reason": self.reason})
    }
}

impl ToJson for ToolkitConnection {
    fn to_json(&self) -> Value {
        json!({"toolkit": self.toolkit, "connected": self.connected, "noAuth": self.no_auth,
            "connectedAccountId": self.connected_account_id})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn to_json_matches_serde() {
        fn same<T: ToJson + Serialize>(v: &T) {
            let ours = v.to_json();
            let theirs = crate::json::to_value(v).unwrap();
            assert_eq!(ours.to_string(), theirs.to_string());
        }
        same(
            &SessionInfo::from_value(json!({"session_id": "s", "z": 1, "a": {"b": [1.5]}}))
                .unwrap(),
        );
        same(&SearchRequest::query("q"));
        same(&SearchRequest {
            queries: vec![SearchQuery {
                use_case: "a".into(),
                known_fields: Some("k:v".into()),
            }],
            toolkits: vec!["gmail".into()],
        });
        same(&ExecuteResult::failed("x"));
        same(&ExecuteResult {
            log_id: "l".into(),
            ..ExecuteResult::ok(json!([1]))
        });
        for status in ["ACTIVE", "FAILED", "INITIATED"] {
            same(&ConnectionStatus::from_value("ca_1", &json!({"status": status})).unwrap());
        }
        same(
            &ConnectionStatus::from_value(
                "i",
                &json!({"status": "FAILED", "toolkit": "gmail",
            "connected_account_id": "ca", "reason": "r"}),
            )
            .unwrap(),
        );
        same(&ToolkitConnection {
            toolkit: "t".into(),
            connected: true,
            no_auth: false,
            connected_account_id: Some("ca".into()),
        });
        same(&ToolkitConnection {
            toolkit: "t".into(),
            connected: false,
            no_auth: true,
            connected_account_id: None,
        });
    }

    #[test]
    fn session_info_reads_several_shapes() {
        let a = SessionInfo::from_value(json!({"session_id": "trs_1", "config": {}})).unwrap();
        assert_eq!(a.session_id, "trs_1");
        assert!(a.extra.contains_key("config"));
        let b = SessionInfo::from_value(json!({"session": {"id": "trs_2"}})).unwrap();
        assert_eq!(b.session_id, "trs_2");
        assert!(SessionInfo::from_value(json!({"nope": 1})).is_none());
    }

    #[test]
    fn search_limits_are_enforced() {
        assert!(SearchRequest::query("x").validate().is_ok());
        assert!(SearchRequest::query("  ").validate().is_err());
        assert!(SearchRequest::default().validate().is_err());
        let mut r = SearchRequest::query("x");
        r.queries = vec![r.queries[0].clone(); 8];
        assert!(r.validate().is_err());
    }

    #[test]
    fn execute_result_projects_the_wire_union() {
        let r: crate::wire::ExecuteResponse = crate::json::from_value(
            json!({"result_type": "input_required", "data": {}, "error": null, "log_id": "l"}),
        )
        .unwrap();
        let p = ExecuteResult::from_wire(r);
        assert!(!p.successful);
        assert_eq!(p.error.as_deref(), Some("execution input_required"));
        assert_eq!(
            crate::json::to_value(ExecuteResult::ok(Value::Null)).unwrap(),
            json!({"data": {}, "error": null, "successful": true, "logId": ""})
        );
    }

    #[test]
    fn toolkit_connection_reads_upstream_and_sdk_shapes() {
        let page = json!({"items": [
            {"slug": "gmail", "is_no_auth": false, "connected_account": {"id": "ca_1", "status": "ACTIVE"}},
            {"slug": "slack", "is_no_auth": false, "connected_account": null},
            {"slug": "hn", "is_no_auth": true},
            {"slug": "github", "isNoAuth": false, "connection": {"isActive": true, "connectedAccount": {"id": "ca_9", "status": "ACTIVE"}}},
            {"slug": "notion", "connection": {"state": "active", "connected": true, "connected_account_id": "ca_n"}},
            {"slug": "weather", "connection": {"state": "no_auth", "connected": true}}
        ]});
        let g = ToolkitConnection::find(&page, "GMAIL").unwrap();
        assert!(g.connected && !g.no_auth);
        assert_eq!(g.connected_account_id.as_deref(), Some("ca_1"));
        assert!(!ToolkitConnection::find(&page, "slack").unwrap().connected);
        assert!(ToolkitConnection::find(&page, "hn").unwrap().no_auth);
        assert_eq!(
            ToolkitConnection::find(&page, "github")
                .unwrap()
                .connected_account_id
                .as_deref(),
            Some("ca_9")
        );
        let n = ToolkitConnection::find(&page, "notion").unwrap();
        assert_eq!(n.connected_account_id.as_deref(), Some("ca_n"));
        let w = ToolkitConnection::find(&page, "weather").unwrap();
        assert!(w.no_auth && w.connected && w.connected_account_id.is_none());
        assert!(ToolkitConnection::find(&page, "jira").is_none());
    }

    #[test]
    fn connection_status_reads_toolkit_object_and_reason() {
        let s = ConnectionStatus::from_value(
            "cn_1",
            &json!({"status": "FAILED", "toolkit": {"slug": "gmail"}, "status_reason": "denied"}),
        )
        .unwrap();
        assert_eq!(s.state, ConnectionState::Failed);
        assert_eq!(s.toolkit.as_deref(), Some("gmail"));
        assert_eq!(s.reason.as_deref(), Some("denied"));
        assert_eq!(s.connection_id, "cn_1");
    }
}

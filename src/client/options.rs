//! Request options of every session operation and the plain functions that turn them into wire
//! bodies (wire §3–§4). Nothing here does I/O.

use std::collections::BTreeMap;

use crate::json;
use crate::json::{Map, Value};

use crate::error::{Error, Result};

use super::custom::{CustomTool, CustomToolkit, Customs};

/// `toolkits`: allow-list or deny-list (mutually exclusive).
#[derive(Clone, Debug, PartialEq)]
pub enum ToolkitFilter {
    /// `{"enable": […]}` (what a plain list means).
    Enable(Vec<String>),
    /// `{"disable": […]}`.
    Disable(Vec<String>),
}

impl ToolkitFilter {
    fn to_wire(&self) -> Value {
        match self {
            ToolkitFilter::Enable(v) => json!({ "enable": v }),
            ToolkitFilter::Disable(v) => json!({ "disable": v }),
        }
    }
}

/// Tag filter: `{"enable"?: […], "disable"?: […]}` (a plain list means `enable`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TagFilter {
    /// Tags to require, e.g. `readOnlyHint`.
    pub enable: Option<Vec<String>>,
    /// Tags to exclude.
    pub disable: Option<Vec<String>>,
}

impl TagFilter {
    /// A plain tag list (→ `{"enable": tags}`).
    pub fn list<I: IntoIterator<Item = S>, S: Into<String>>(tags: I) -> Self {
        Self {
            enable: Some(tags.into_iter().map(Into::into).collect()),
            disable: None,
        }
    }
    fn to_wire(&self) -> Value {
        let mut m = Map::new();
        if let Some(e) = &self.enable {
            m.insert("enable".into(), json!(e));
        }
        if let Some(d) = &self.disable {
            m.insert("disable".into(), json!(d));
        }
        Value::Object(m)
    }
}

/// Per-toolkit tool filter: `{"enable"}` | `{"disable"}` | `{"tags"}` (one key only).
#[derive(Clone, Debug, PartialEq)]
pub enum ToolFilter {
    /// Only these tools (what a plain list means).
    Enable(Vec<String>),
    /// All but these tools.
    Disable(Vec<String>),
    /// Tools by tag.
    Tags(TagFilter),
}

impl ToolFilter {
    fn to_wire(&self) -> Value {
        match self {
            ToolFilter::Enable(v) => json!({ "enable": v }),
            ToolFilter::Disable(v) => json!({ "disable": v }),
            ToolFilter::Tags(t) => json!({ "tags": t.to_wire() }),
        }
    }
}

/// `manage_connections` options. `From<bool>` gives `{enable: b}`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ManageConnections {
    /// Expose `COMPOSIO_MANAGE_CONNECTIONS` (create default `true`).
    pub enable: Option<bool>,
    /// Where Connect Links return (`callback_url`).
    pub callback_url: Option<String>,
    /// Expose `COMPOSIO_WAIT_FOR_CONNECTIONS` (`enable_wait_for_connections`).
    pub wait_for_connections: Option<bool>,
    /// Allow removing connections (`enable_connection_removal`).
    pub connection_removal: Option<bool>,
}

impl From<bool> for ManageConnections {
    fn from(b: bool) -> Self {
        Self {
            enable: Some(b),
            ..Default::default()
        }
    }
}

impl ManageConnections {
    /// Options with a callback URL.
    pub fn callback(url: impl Into<String>) -> Self {
        Self {
            callback_url: Some(url.into()),
            ..Default::default()
        }
    }
    fn to_wire(&self) -> Value {
        let mut m = Map::new();
        m.insert("enable".into(), json!(self.enable.unwrap_or(true)));
        if let Some(u) = &self.callback_url {
            m.insert("callback_url".into(), json!(u));
        }
        if let Some(w) = self.wait_for_connections {
            m.insert("enable_wait_for_connections".into(), json!(w));
        }
        if let Some(r) = self.connection_removal {
            m.insert("enable_connection_removal".into(), json!(r));
        }
        Value::Object(m)
    }
}

/// Sandbox (`workbench`) options.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Workbench {
    /// Enable the workbench meta tools (create default `true`).
    pub enable: Option<bool>,
    /// `enable_proxy_execution`.
    pub enable_proxy_execution: Option<bool>,
    /// `auto_offload_threshold` (characters).
    pub auto_offload_threshold: Option<u64>,
    /// `standard` | `medium` | `large` | `xlarge`.
    pub sandbox_size: Option<String>,
    /// `enable_tool_execution`.
    pub enable_tool_execution: Option<bool>,
}

impl Workbench {
    fn to_wire(&self, default_enable: Option<bool>) -> Value {
        let mut m = Map::new();
        if let Some(e) = self.enable.or(default_enable) {
            m.insert("enable".into(), json!(e));
        }
        if let Some(v) = self.enable_proxy_execution {
            m.insert("enable_proxy_execution".into(), json!(v));
        }
        if let Some(v) = self.auto_offload_threshold {
            m.insert("auto_offload_threshold".into(), json!(v));
        }
        if let Some(v) = &self.sandbox_size {
            m.insert("sandbox_size".into(), json!(v));
        }
        if let Some(v) = self.enable_tool_execution {
            m.insert("enable_tool_execution".into(), json!(v));
        }
        Value::Object(m)
    }
}

/// `multi_account` options.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct MultiAccount {
    /// Allow several accounts per toolkit.
    pub enable: Option<bool>,
    /// 2–10.
    pub max_accounts_per_toolkit: Option<u32>,
    /// Defaults to `true` when `enable` is `true`.
    pub require_explicit_selection: Option<bool>,
}

impl MultiAccount {
    fn to_wire(&self) -> Result<Option<Value>> {
        if let Some(n) = self.max_accounts_per_toolkit {
            if !(2..=10).contains(&n) {
                return Err(Error::InvalidRequest(
                    "multi_account.max_accounts_per_toolkit must be between 2 and 10".into(),
                ));
            }
        }
        let mut m = Map::new();
        if let Some(e) = self.enable {
            m.insert("enable".into(), json!(e));
        }
        if let Some(n) = self.max_accounts_per_toolkit {
            m.insert("max_accounts_per_toolkit".into(), json!(n));
        }
        let explicit = self
            .require_explicit_selection
            .or((self.enable == Some(true)).then_some(true));
        if let Some(r) = explicit {
            m.insert("require_explicit_selection".into(), json!(r));
        }
        Ok((!m.is_empty()).then_some(Value::Object(m)))
    }
}

/// `preload.tools`: a list of slugs or `"all"`.
#[derive(Clone, Debug, PartialEq)]
pub enum Preload {
    /// These tools.
    Tools(Vec<String>),
    /// Every tool of the allow-listed toolkits.
    All,
}

impl Preload {
    fn to_wire(&self) -> Value {
        match self {
            Preload::Tools(t) => json!({ "tools": t }),
            Preload::All => json!({ "tools": "all" }),
        }
    }
}

/// Session presets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionPreset {
    /// `direct_tools`: no meta tools by default, every allowed tool preloaded.
    DirectTools,
}

/// Experimental billing options (`premium_usage` in TS 0.21.0, `instant` in Py 0.30.0).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct UsageOptions {
    /// `false` sends the literal `false`.
    pub enable: bool,
    /// Toolkits it applies to.
    pub toolkits: Option<Vec<String>>,
    /// Tools it applies to.
    pub tools: Option<Vec<String>>,
    /// `return_premium_charge` / `return_instant_charge`.
    pub return_charge: Option<bool>,
    /// `return_prices_in_search` (`instant` only).
    pub return_prices_in_search: Option<bool>,
}

impl UsageOptions {
    fn to_wire(&self, charge_key: &str) -> Value {
        if !self.enable {
            return json!(false);
        }
        let mut m = Map::new();
        if let Some(v) = &self.toolkits {
            m.insert("toolkits".into(), json!(v));
        }
        if let Some(v) = &self.tools {
            m.insert("tools".into(), json!(v));
        }
        if let Some(v) = self.return_charge {
            m.insert(charge_key.into(), json!(v));
        }
        if let Some(v) = self.return_prices_in_search {
            m.insert("return_prices_in_search".into(), json!(v));
        }
        Value::Object(m)
    }
}

/// Every option of `POST /api/v3.1/tool_router/session` (wire §3.1.1). Fields left `None` are
/// not sent, except `manage_connections`, which is always sent.
///
/// ```
/// use composio_edge::client::CreateSession;
/// let body = CreateSession::new("user_123").to_wire().unwrap();
/// assert_eq!(body, composio_edge::json!({"user_id": "user_123", "manage_connections": {"enable": true}}));
/// ```
#[derive(Clone, Debug, Default)]
pub struct CreateSession {
    /// The user (required, non-empty).
    pub user_id: String,
    /// Toolkit allow/deny list.
    pub toolkits: Option<ToolkitFilter>,
    /// Per-toolkit tool filters.
    pub tools: Option<BTreeMap<String, ToolFilter>>,
    /// Tag filter.
    pub tags: Option<TagFilter>,
    /// Pinned auth configs (`{toolkit: "ac_…"}`).
    pub auth_configs: Option<BTreeMap<String, String>>,
    /// Pinned connected accounts (`{toolkit: ["ca_…"]}`).
    pub connected_accounts: Option<BTreeMap<String, Vec<String>>>,
    /// Connection management (default `{"enable": true}`).
    pub manage_connections: Option<ManageConnections>,
    /// Sandbox (preferred name).
    pub sandbox: Option<Workbench>,
    /// Sandbox (alias; setting both is an error).
    pub workbench: Option<Workbench>,
    /// Multi-account.
    pub multi_account: Option<MultiAccount>,
    /// Preloaded tools.
    pub preload: Option<Preload>,
    /// A preset.
    pub preset: Option<SessionPreset>,
    /// `search.enable` (wire-only; the preset sets `false`).
    pub search: Option<bool>,
    /// `execute.enable_multi_execute` (wire-only; the preset sets `false`).
    pub multi_execute: Option<bool>,
    /// IANA time zone for the assistive prompt.
    pub user_timezone: Option<String>,
    /// Custom local tools.
    pub custom_tools: Vec<CustomTool>,
    /// Custom local toolkits.
    pub custom_toolkits: Vec<CustomToolkit>,
    /// Saved session config `sc_…` (conflicts with toolkits/tools/tags/customs).
    pub session_config_id: Option<String>,
    /// `premium_usage` (TS 0.21.0 name).
    pub premium_usage: Option<UsageOptions>,
    /// `instant` (Py 0.30.0 name).
    pub instant: Option<UsageOptions>,
    /// `proxy_execute: {"enable": b}`.
    pub proxy_execute: Option<bool>,
    /// Extra keys of `experimental` (e.g. `permissions`, `fast_mode`), sent as given.
    pub experimental_extra: Map,
    /// Extra root keys (e.g. `hooks`), sent as given.
    pub extra: Map,
}

impl CreateSession {
    /// Options for `user_id`, everything else default.
    pub fn new(user_id: impl Into<String>) -> Self {
        Self {
            user_id: user_id.into(),
            ..Default::default()
        }
    }
    /// Allow-lists toolkits.
    pub fn with_toolkits<I: IntoIterator<Item = S>, S: Into<String>>(mut self, t: I) -> Self {
        self.toolkits = Some(ToolkitFilter::Enable(
            t.into_iter().map(Into::into).collect(),
        ));
        self
    }
    /// Sets the toolkit filter.
    pub fn with_toolkit_filter(mut self, f: ToolkitFilter) -> Self {
        self.toolkits = Some(f);
        self
    }
    /// Sets the tool filter of one toolkit.
    pub fn with_tools(mut self, toolkit: impl Into<String>, f: ToolFilter) -> Self {
        self.tools
            .get_or_insert_with(BTreeMap::new)
            .insert(toolkit.into(), f);
        self
    }
    /// Sets the tag filter.
    pub fn with_tags(mut self, t: TagFilter) -> Self {
        self.tags = Some(t);
        self
    }
    /// Pins an auth config for a toolkit.
    pub fn with_auth_config(mut self, toolkit: impl Into<String>, id: impl Into<String>) -> Self {
        self.auth_configs
            .get_or_insert_with(BTreeMap::new)
            .insert(toolkit.into(), id.into());
        self
    }
    /// Pins a connected account for a toolkit (a single id becomes a one-element array).
    pub fn with_connected_account(
        mut self,
        toolkit: impl Into<String>,
        id: impl Into<String>,
    ) -> Self {
        self.connected_accounts
            .get_or_insert_with(BTreeMap::new)
            .entry(toolkit.into())
            .or_default()
            .push(id.into());
        self
    }
    /// Sets connection management.
    pub fn with_manage_connections(mut self, m: impl Into<ManageConnections>) -> Self {
        self.manage_connections = Some(m.into());
        self
    }
    /// Sets the sandbox.
    pub fn with_sandbox(mut self, w: Workbench) -> Self {
        self.sandbox = Some(w);
        self
    }
    /// Sets multi-account options.
    pub fn with_multi_account(mut self, m: MultiAccount) -> Self {
        self.multi_account = Some(m);
        self
    }
    /// Sets preloaded tools.
    pub fn with_preload(mut self, p: Preload) -> Self {
        self.preload = Some(p);
        self
    }
    /// Applies a preset.
    pub fn with_preset(mut self, p: SessionPreset) -> Self {
        self.preset = Some(p);
        self
    }
    /// Sets the assistive prompt's time zone.
    pub fn with_user_timezone(mut self, tz: impl Into<String>) -> Self {
        self.user_timezone = Some(tz.into());
        self
    }
    /// Adds a custom tool.
    pub fn with_custom_tool(mut self, t: CustomTool) -> Self {
        self.custom_tools.push(t);
        self
    }
    /// Adds a custom toolkit.
    pub fn with_custom_toolkit(mut self, t: CustomToolkit) -> Self {
        self.custom_toolkits.push(t);
        self
    }
    /// Starts from a saved session config.
    pub fn with_session_config_id(mut self, id: impl Into<String>) -> Self {
        self.session_config_id = Some(id.into());
        self
    }

    /// The customs as a bundle.
    pub fn customs(&self) -> Customs {
        Customs::new(self.custom_tools.clone(), self.custom_toolkits.clone())
    }

    /// The effective `preload` after the preset (`None` when not sent).
    pub fn effective_preload(&self) -> Option<Preload> {
        match (&self.preload, self.preset) {
            (Some(p), _) => Some(p.clone()),
            (None, Some(SessionPreset::DirectTools)) => Some(Preload::All),
            (None, None) => None,
        }
    }

    /// Builds the request body (wire §3.1.1), validating the options.
    pub fn to_wire(&self) -> Result<Value> {
        if self.user_id.is_empty() {
            return Err(Error::InvalidRequest("user_id must not be empty".into()));
        }
        let customs = self.customs();
        if self.session_config_id.is_some()
            && (self.toolkits.is_some()
                || self.tools.is_some()
                || self.tags.is_some()
                || !customs.is_empty())
        {
            return Err(Error::InvalidRequest(
                "session_config_id cannot be combined with toolkits, tools, tags or custom tools"
                    .into(),
            ));
        }
        if self.sandbox.is_some() && self.workbench.is_some() {
            return Err(Error::InvalidRequest(
                "set either sandbox or workbench, not both".into(),
            ));
        }
        let direct = self.preset == Some(SessionPreset::DirectTools);
        let mut m = Map::new();
        m.insert("user_id".into(), json!(self.user_id));
        if let Some(t) = &self.toolkits {
            m.insert("toolkits".into(), t.to_wire());
        }
        if let Some(t) = &self.tools {
            let mut tm = Map::new();
            for (k, f) in t {
                tm.insert(k.clone(), f.to_wire());
            }
            m.insert("tools".into(), Value::Object(tm));
        }
        if let Some(t) = &self.tags {
            m.insert("tags".into(), t.to_wire());
        }
        if let Some(a) = &self.auth_configs {
            m.insert("auth_configs".into(), json!(a));
        }
        if let Some(a) = &self.connected_accounts {
            m.insert("connected_accounts".into(), json!(a));
        }
        let manage = match (&self.manage_connections, direct) {
            (Some(mc), _) => mc.to_wire(),
            (None, true) => json!({"enable": false}),
            (None, false) => json!({"enable": true}),
        };
        m.insert("manage_connections".into(), manage);
        match (self.sandbox.as_ref().or(self.workbench.as_ref()), direct) {
            (Some(w), _) => {
                m.insert("workbench".into(), w.to_wire(Some(true)));
            }
            (None, true) => {
                m.insert("workbench".into(), json!({"enable": false}));
            }
            (None, false) => {}
        }
        if let Some(ma) = &self.multi_account {
            if let Some(v) = ma.to_wire()? {
                m.insert("multi_account".into(), v);
            }
        }
        let preload = self.effective_preload();
        if let Some(p) = &preload {
            self.check_preload(p, &customs)?;
            m.insert("preload".into(), p.to_wire());
        }
        match (self.search, direct) {
            (_, true) => {
                m.insert("search".into(), json!({"enable": false}));
            }
            (Some(s), false) => {
                m.insert("search".into(), json!({ "enable": s }));
            }
            _ => {}
        }
        match (self.multi_execute, direct) {
            (_, true) => {
                m.insert("execute".into(), json!({"enable_multi_execute": false}));
            }
            (Some(s), false) => {
                m.insert("execute".into(), json!({ "enable_multi_execute": s }));
            }
            _ => {}
        }
        if let Some(u) = &self.premium_usage {
            m.insert("premium_usage".into(), u.to_wire("return_premium_charge"));
        }
        if let Some(u) = &self.instant {
            m.insert("instant".into(), u.to_wire("return_instant_charge"));
        }
        if let Some(p) = self.proxy_execute {
            m.insert("proxy_execute".into(), json!({ "enable": p }));
        }
        let mut exp = Map::new();
        if let Some(tz) = &self.user_timezone {
            exp.insert(
                "assistive_prompt_config".into(),
                json!({ "user_timezone": tz }),
            );
        }
        exp.extend(customs.to_wire(preload == Some(Preload::All)));
        if let Some(id) = &self.session_config_id {
            exp.insert("session_config_id".into(), json!(id));
        }
        for (k, v) in &self.experimental_extra {
            exp.insert(k.clone(), v.clone());
        }
        if !exp.is_empty() {
            m.insert("experimental".into(), Value::Object(exp));
        }
        for (k, v) in &self.extra {
            m.insert(k.clone(), v.clone());
        }
        Ok(Value::Object(m))
    }

    fn check_preload(&self, p: &Preload, customs: &Customs) -> Result<()> {
        match p {
            Preload::All => {
                let allow = matches!(&self.toolkits, Some(ToolkitFilter::Enable(v)) if !v.is_empty())
                    || self.tools.as_ref().is_some_and(|t| {
                        t.values()
                            .any(|f| matches!(f, ToolFilter::Enable(v) if !v.is_empty()))
                    })
                    || self.session_config_id.is_some();
                if !allow {
                    return Err(Error::InvalidRequest(
                        "preload \"all\" needs a toolkit allow-list".into(),
                    ));
                }
            }
            Preload::Tools(t) => {
                if t.len() > 1000 {
                    return Err(Error::InvalidRequest(
                        "preload is capped at 1000 tools".into(),
                    ));
                }
                let aliases = customs.slug_aliases();
                for s in t {
                    let up = s.to_ascii_uppercase();
                    if up.starts_with("LOCAL_") || aliases.contains(&up) {
                        return Err(Error::InvalidRequest(format!(
                            "custom tool {s} cannot be listed in preload; set preload on the custom tool"
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

/// A PATCH field: absent (not sent), `null` (remove the stored override) or a value (wire §3.3).
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Patch<T> {
    /// Not sent.
    #[default]
    Absent,
    /// Sent as `null`.
    Null,
    /// Sent as the value.
    Value(T),
}

impl<T> Patch<T> {
    /// `true` for [`Patch::Absent`].
    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }
    fn put(&self, m: &mut Map, key: &str, f: impl FnOnce(&T) -> Value) {
        match self {
            Patch::Absent => {}
            Patch::Null => {
                m.insert(key.into(), Value::Null);
            }
            Patch::Value(v) => {
                m.insert(key.into(), f(v));
            }
        }
    }
}

impl<T> From<Option<T>> for Patch<T> {
    /// `Some(v)` → value, `None` → `null`.
    fn from(o: Option<T>) -> Self {
        match o {
            Some(v) => Patch::Value(v),
            None => Patch::Null,
        }
    }
}

/// `manage_connections` in a PATCH (no defaults).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ManageConnectionsPatch {
    /// `enable`.
    pub enable: Patch<bool>,
    /// `callback_url` (nullable).
    pub callback_url: Patch<String>,
    /// `enable_wait_for_connections`.
    pub wait_for_connections: Patch<bool>,
    /// `enable_connection_removal` (nullable).
    pub connection_removal: Patch<bool>,
}

/// `multi_account` in a PATCH.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct MultiAccountPatch {
    /// `enable`.
    pub enable: Patch<bool>,
    /// `max_accounts_per_toolkit` (nullable).
    pub max_accounts_per_toolkit: Patch<u32>,
    /// `require_explicit_selection`.
    pub require_explicit_selection: Patch<bool>,
}

/// `experimental` in a PATCH (each field nullable).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ExperimentalPatch {
    /// `permissions`.
    pub permissions: Patch<Value>,
    /// `link_url_overwrite`.
    pub link_url_overwrite: Patch<String>,
    /// `fast_mode`.
    pub fast_mode: Patch<bool>,
    /// `submit_feedback: {"enable": b}`.
    pub submit_feedback: Patch<bool>,
    /// `session_config_id`.
    pub session_config_id: Patch<String>,
}

/// A partial session update (`PATCH`, wire §3.3): every present key is sent, `Null` removes.
///
/// ```
/// use composio_edge::client::{Patch, UpdateSession};
/// let u = UpdateSession { toolkits: Patch::Null, expected_config_version: Some(1), ..Default::default() };
/// assert_eq!(u.to_wire().unwrap(), composio_edge::json!({"toolkits": null, "expected_config_version": 1}));
/// ```
#[derive(Clone, Debug, PartialEq, Default)]
pub struct UpdateSession {
    /// `toolkits`.
    pub toolkits: Patch<ToolkitFilter>,
    /// `tools` (replaces the whole map).
    pub tools: Patch<BTreeMap<String, ToolFilter>>,
    /// `tags`.
    pub tags: Patch<TagFilter>,
    /// `auth_configs` (replaces).
    pub auth_configs: Patch<BTreeMap<String, String>>,
    /// `connected_accounts` (replaces).
    pub connected_accounts: Patch<BTreeMap<String, Vec<String>>>,
    /// `manage_connections`.
    pub manage_connections: Patch<ManageConnectionsPatch>,
    /// `workbench` (no defaults applied).
    pub workbench: Patch<Workbench>,
    /// `multi_account`.
    pub multi_account: Patch<MultiAccountPatch>,
    /// `preload`.
    pub preload: Patch<Preload>,
    /// `search: {"enable": b}`.
    pub search: Patch<bool>,
    /// `execute: {"enable_multi_execute": b}`.
    pub multi_execute: Patch<bool>,
    /// `premium_usage`.
    pub premium_usage: Patch<UsageOptions>,
    /// `instant`.
    pub instant: Patch<UsageOptions>,
    /// `proxy_execute: {"enable": b}`.
    pub proxy_execute: Patch<bool>,
    /// `experimental` (sent when any field is present).
    pub experimental: ExperimentalPatch,
    /// `expected_config_version`: optimistic precondition (positive).
    pub expected_config_version: Option<u64>,
    /// Extra root keys (e.g. `hooks`), sent as given.
    pub extra: Map,
}

fn patch_obj(parts: &[(&str, Patch<Value>)]) -> Value {
    let mut m = Map::new();
    for (k, p) in parts {
        p.put(&mut m, k, Clone::clone);
    }
    Value::Object(m)
}

fn pv<T: Clone>(p: &Patch<T>, f: impl Fn(&T) -> Value) -> Patch<Value> {
    match p {
        Patch::Absent => Patch::Absent,
        Patch::Null => Patch::Null,
        Patch::Value(v) => Patch::Value(f(v)),
    }
}

impl UpdateSession {
    /// Builds the PATCH body.
    pub fn to_wire(&self) -> Result<Value> {
        let mut m = Map::new();
        self.toolkits
            .put(&mut m, "toolkits", ToolkitFilter::to_wire);
        self.tools.put(&mut m, "tools", |t| {
            Value::Object(t.iter().map(|(k, f)| (k.clone(), f.to_wire())).collect())
        });
        self.tags.put(&mut m, "tags", TagFilter::to_wire);
        self.auth_configs.put(&mut m, "auth_configs", |a| json!(a));
        self.connected_accounts
            .put(&mut m, "connected_accounts", |a| json!(a));
        self.manage_connections
            .put(&mut m, "manage_connections", |mc| {
                patch_obj(&[
                    ("enable", pv(&mc.enable, |b| json!(b))),
                    ("callback_url", pv(&mc.callback_url, |s| json!(s))),
                    (
                        "enable_wait_for_connections",
                        pv(&mc.wait_for_connections, |b| json!(b)),
                    ),
                    (
                        "enable_connection_removal",
                        pv(&mc.connection_removal, |b| json!(b)),
                    ),
                ])
            });
        self.workbench.put(&mut m, "workbench", |w| w.to_wire(None));
        if let Patch::Value(ma) = &self.multi_account {
            if let Patch::Value(n) = ma.max_accounts_per_toolkit {
                if !(2..=10).contains(&n) {
                    return Err(Error::InvalidRequest(
                        "multi_account.max_accounts_per_toolkit must be between 2 and 10".into(),
                    ));
                }
            }
        }
        self.multi_account.put(&mut m, "multi_account", |ma| {
            patch_obj(&[
                ("enable", pv(&ma.enable, |b| json!(b))),
                (
                    "max_accounts_per_toolkit",
                    pv(&ma.max_accounts_per_toolkit, |n| json!(n)),
                ),
                (
                    "require_explicit_selection",
                    pv(&ma.require_explicit_selection, |b| json!(b)),
                ),
            ])
        });
        self.preload.put(&mut m, "preload", Preload::to_wire);
        self.search
            .put(&mut m, "search", |b| json!({ "enable": b }));
        self.multi_execute
            .put(&mut m, "execute", |b| json!({ "enable_multi_execute": b }));
        self.premium_usage.put(&mut m, "premium_usage", |u| {
            u.to_wire("return_premium_charge")
        });
        self.instant
            .put(&mut m, "instant", |u| u.to_wire("return_instant_charge"));
        self.proxy_execute
            .put(&mut m, "proxy_execute", |b| json!({ "enable": b }));
        let e = &self.experimental;
        let exp = patch_obj(&[
            ("permissions", e.permissions.clone()),
            (
                "link_url_overwrite",
                pv(&e.link_url_overwrite, |s| json!(s)),
            ),
            ("fast_mode", pv(&e.fast_mode, |b| json!(b))),
            (
                "submit_feedback",
                pv(&e.submit_feedback, |b| json!({ "enable": b })),
            ),
            ("session_config_id", pv(&e.session_config_id, |s| json!(s))),
        ]);
        if exp.as_object().is_some_and(|o| !o.is_empty()) {
            m.insert("experimental".into(), exp);
        }
        for (k, v) in &self.extra {
            m.insert(k.clone(), v.clone());
        }
        if let Some(v) = self.expected_config_version {
            if v == 0 {
                return Err(Error::InvalidRequest(
                    "expected_config_version must be positive".into(),
                ));
            }
            m.insert("expected_config_version".into(), json!(v));
        }
        Ok(Value::Object(m))
    }
}

/// One search query.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SearchQuery {
    /// What the user wants to do (≤ 1024 characters).
    pub use_case: String,
    /// Known field values, e.g. `channel_name:general` (≤ 500 characters).
    pub known_fields: Option<String>,
}

/// `POST …/search` (wire §4.2).
///
/// ```
/// use composio_edge::client::SearchRequest;
/// let body = SearchRequest::new("send email").to_wire().unwrap();
/// assert_eq!(body, composio_edge::json!({"queries": [{"use_case": "send email"}]}));
/// ```
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SearchRequest {
    /// 1–7 queries.
    pub queries: Vec<SearchQuery>,
    /// Restrict to toolkits (sent when non-empty).
    pub toolkits: Vec<String>,
    /// Model hint.
    pub model: Option<String>,
    /// `auto` | `tool_search`.
    pub search_strategy: Option<String>,
}

impl SearchRequest {
    /// One query.
    pub fn new(use_case: impl Into<String>) -> Self {
        Self {
            queries: vec![SearchQuery {
                use_case: use_case.into(),
                known_fields: None,
            }],
            ..Default::default()
        }
    }
    /// Adds a query.
    pub fn with_query(mut self, use_case: impl Into<String>, known_fields: Option<String>) -> Self {
        self.queries.push(SearchQuery {
            use_case: use_case.into(),
            known_fields,
        });
        self
    }
    /// Restricts to toolkits.
    pub fn with_toolkits<I: IntoIterator<Item = S>, S: Into<String>>(mut self, t: I) -> Self {
        self.toolkits = t.into_iter().map(Into::into).collect();
        self
    }
    /// Sets the model hint.
    pub fn with_model(mut self, m: impl Into<String>) -> Self {
        self.model = Some(m.into());
        self
    }

    /// The body without `experimental`.
    pub fn to_wire(&self) -> Result<Value> {
        if self.queries.is_empty() || self.queries.len() > 7 {
            return Err(Error::InvalidRequest("search needs 1 to 7 queries".into()));
        }
        let mut qs = Vec::new();
        for q in &self.queries {
            let n = crate::encoding::char_count(&q.use_case);
            if n == 0 || n > 1024 {
                return Err(Error::InvalidRequest(
                    "use_case must be 1 to 1024 characters long".into(),
                ));
            }
            let mut o = Map::new();
            o.insert("use_case".into(), json!(q.use_case));
            if let Some(k) = &q.known_fields {
                if crate::encoding::char_count(k) > 500 {
                    return Err(Error::InvalidRequest(
                        "known_fields must be at most 500 characters long".into(),
                    ));
                }
                o.insert("known_fields".into(), json!(k));
            }
            qs.push(Value::Object(o));
        }
        let mut m = Map::new();
        m.insert("queries".into(), Value::Array(qs));
        if let Some(model) = &self.model {
            m.insert("model".into(), json!(model));
        }
        if !self.toolkits.is_empty() {
            m.insert("toolkits".into(), json!(self.toolkits));
        }
        if let Some(s) = &self.search_strategy {
            m.insert("search_strategy".into(), json!(s));
        }
        Ok(Value::Object(m))
    }
}

/// Options of `session.authorize` (`POST …/link`, wire §4.5).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LinkOptions {
    /// Where the Connect Link returns (empty → not sent).
    pub callback_url: Option<String>,
    /// Account alias.
    pub alias: Option<String>,
    /// `experimental` (`account_type`, `acl_config_for_shared`), sent as given.
    pub experimental: Option<Value>,
}

impl LinkOptions {
    /// The body for `toolkit`.
    pub fn to_wire(&self, toolkit: &str) -> Result<Value> {
        if toolkit.is_empty() {
            return Err(Error::InvalidRequest("toolkit must not be empty".into()));
        }
        let mut m = Map::new();
        m.insert("toolkit".into(), json!(toolkit));
        if let Some(c) = self.callback_url.as_deref().filter(|c| !c.is_empty()) {
            m.insert("callback_url".into(), json!(c));
        }
        if let Some(a) = &self.alias {
            m.insert("alias".into(), json!(a));
        }
        if let Some(e) = &self.experimental {
            m.insert("experimental".into(), e.clone());
        }
        Ok(Value::Object(m))
    }
}

/// `POST /api/v3.1/connected_accounts/link` outside a session (wire §9.2).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ConnectedAccountLink {
    /// `ac_…`.
    pub auth_config_id: String,
    /// Owner.
    pub user_id: String,
    /// Where the Connect Link returns.
    pub callback_url: Option<String>,
    /// Alias.
    pub alias: Option<String>,
    /// `experimental`, as given.
    pub experimental: Option<Value>,
}

impl ConnectedAccountLink {
    /// The body.
    pub fn to_wire(&self) -> Result<Value> {
        if self.auth_config_id.is_empty() || self.user_id.is_empty() {
            return Err(Error::InvalidRequest(
                "auth_config_id and user_id are required".into(),
            ));
        }
        let mut m = Map::new();
        m.insert("auth_config_id".into(), json!(self.auth_config_id));
        m.insert("user_id".into(), json!(self.user_id));
        if let Some(c) = self.callback_url.as_deref().filter(|c| !c.is_empty()) {
            m.insert("callback_url".into(), json!(c));
        }
        if let Some(a) = &self.alias {
            m.insert("alias".into(), json!(a));
        }
        if let Some(e) = &self.experimental {
            m.insert("experimental".into(), e.clone());
        }
        Ok(Value::Object(m))
    }
}

/// `GET …/toolkits` query (wire §4.7).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ToolkitsQuery {
    /// Only these toolkits (comma-joined; overrides the session's toolkit config).
    pub toolkits: Option<Vec<String>>,
    /// Page cursor.
    pub cursor: Option<String>,
    /// Page size (≤ 50).
    pub limit: Option<u32>,
    /// Only connected / unconnected.
    pub is_connected: Option<bool>,
    /// Free-text search.
    pub search: Option<String>,
}

/// Where a proxy parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParameterIn {
    /// A header.
    Header,
    /// A query parameter.
    Query,
}

/// One proxy parameter (`{name, in, value}` → wire `{name, type, value}`).
#[derive(Clone, Debug, PartialEq)]
pub struct ProxyParameter {
    /// Name.
    pub name: String,
    /// Header or query.
    pub location: ParameterIn,
    /// Value (stringified on the wire).
    pub value: Value,
}

/// `session.proxy_execute` (wire §4.8).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ProxyRequest {
    /// Toolkit (`toolkit_slug`).
    pub toolkit: String,
    /// Endpoint path or URL of the upstream API.
    pub endpoint: String,
    /// `GET` | `POST` | `PUT` | `DELETE` | `PATCH` | `HEAD`.
    pub method: String,
    /// Body, when defined.
    pub body: Option<Value>,
    /// Parameters (sent when non-empty).
    pub parameters: Vec<ProxyParameter>,
    /// `binary_body` (`{"url","content_type"}` or `{"base64","content_type"}`).
    pub binary_body: Option<Value>,
}

impl ProxyRequest {
    /// A request without body or parameters.
    pub fn new(
        toolkit: impl Into<String>,
        endpoint: impl Into<String>,
        method: impl Into<String>,
    ) -> Self {
        Self {
            toolkit: toolkit.into(),
            endpoint: endpoint.into(),
            method: method.into(),
            ..Default::default()
        }
    }
    /// Adds a parameter.
    pub fn with_parameter(
        mut self,
        name: impl Into<String>,
        location: ParameterIn,
        value: impl Into<Value>,
    ) -> Self {
        self.parameters.push(ProxyParameter {
            name: name.into(),
            location,
            value: value.into(),
        });
        self
    }
    /// Sets the body.
    pub fn with_body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// The SDK→wire transform of §4.8.
    ///
    /// ```
    /// use composio_edge::client::{ParameterIn, ProxyRequest};
    /// let r = ProxyRequest::new("github", "/user", "GET").with_parameter("a", ParameterIn::Query, 1);
    /// assert_eq!(r.to_wire().unwrap(), composio_edge::json!({"toolkit_slug": "github", "endpoint": "/user",
    ///     "method": "GET", "parameters": [{"name": "a", "type": "query", "value": "1"}]}));
    /// ```
    pub fn to_wire(&self) -> Result<Value> {
        let method = self.method.to_ascii_uppercase();
        if !matches!(
            method.as_str(),
            "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD"
        ) {
            return Err(Error::InvalidRequest(format!(
                "unsupported proxy method {}",
                self.method
            )));
        }
        if self.toolkit.is_empty() || self.endpoint.is_empty() {
            return Err(Error::InvalidRequest(
                "proxy toolkit and endpoint are required".into(),
            ));
        }
        let mut m = Map::new();
        m.insert("toolkit_slug".into(), json!(self.toolkit));
        m.insert("endpoint".into(), json!(self.endpoint));
        m.insert("method".into(), json!(method));
        if let Some(b) = &self.body {
            m.insert("body".into(), b.clone());
        }
        if !self.parameters.is_empty() {
            let ps: Vec<Value> = self
                .parameters
                .iter()
                .map(|p| {
                    let value = match &p.value {
                        Value::String(s) => s.clone(),
                        Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    json!({
                        "name": p.name,
                        "type": match p.location { ParameterIn::Header => "header", ParameterIn::Query => "query" },
                        "value": value,
                    })
                })
                .collect();
            m.insert("parameters".into(), Value::Array(ps));
        }
        if let Some(b) = &self.binary_body {
            m.insert("binary_body".into(), b.clone());
        }
        Ok(Value::Object(m))
    }
}

/// Called with a new connection request (e.g. to redirect the user).
pub type RedirectCallback = std::rc::Rc<dyn Fn(&crate::wire::ConnectionRequest)>;

/// Options of `ensure_connected` (wire §4.6).
#[derive(Clone, Default)]
pub struct EnsureOptions {
    /// Link options used when a new connection is needed.
    pub link: LinkOptions,
    /// How long to wait for the user (default 60 000 ms).
    pub timeout_ms: Option<u64>,
    /// Called with the connection request before waiting, so the caller can redirect the user.
    pub on_redirect: Option<RedirectCallback>,
}

impl std::fmt::Debug for EnsureOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnsureOptions")
            .field("link", &self.link)
            .field("timeout_ms", &self.timeout_ms)
            .finish_non_exhaustive()
    }
}

/// What `ensure_connected` found or did.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct EnsureResult {
    /// Toolkit slug.
    pub toolkit: String,
    /// `true` when no new connection was needed (already active, or no auth).
    pub was_connected: bool,
    /// `(id, status)` of the connected account, when there is one.
    pub connected_account: Option<(String, String)>,
}

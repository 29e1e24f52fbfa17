//! Sessions: create, retrieve, attach, PATCH with `config_version`, delete, config history,
//! the session's tool list and toolkit list, and the session's tool filters.

use crate::json;
use crate::json::{Map, Value};
use serde::{Deserialize, Serialize};

use super::catalog::{self, ToolDef};
use super::connect::{self, Account};
use super::{ok, paginate, qp, str_field, ApiErr, Ctx, Res};
use crate::runtime::Runtime;
use crate::store::Store;
use crate::transport::{rfc3339, HttpResponse};

/// A stored session.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct Session {
    pub id: String,
    pub user_id: String,
    /// The config in response form (`enabled`/`disabled`).
    pub config: Map,
    pub config_version: u64,
    pub created_at: u64,
    /// Every config version, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Stored experimental settings (`link_url_overwrite`, `assistive_prompt_config` …).
    #[serde(default)]
    pub experimental: Map,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct HistoryEntry {
    pub version: u64,
    pub created_at: u64,
    pub config: Map,
}

/// Config versions kept per session.
const MAX_HISTORY: usize = 50;

fn key(id: &str) -> String {
    format!("session/{id}")
}

/// Loads a session or answers 404.
pub(crate) async fn load<S: Store, R: Runtime>(ctx: &Ctx<'_, S, R>, id: &str) -> Res<Session> {
    if !id.is_empty() && id.len() <= 64 {
        if let Some(s) = ctx.get_json::<Session>(&key(id)).await? {
            return Ok(s);
        }
    }
    let shown: String = id.chars().take(64).collect();
    Err(ApiErr::not_found(
        "ToolRouter_SessionNotFound",
        format!("session {shown} not found"),
    )
    .fix("Create a session with POST /api/v3.1/tool_router/session."))
}

// ---------------------------------------------------------------------------------------------
// Config: request form → response form.

fn names_list(v: &Value, field: &str) -> Res<Vec<Value>> {
    match v {
        Value::Array(a) => {
            for x in a {
                if !x.is_string() {
                    return Err(ApiErr::bad_request(format!(
                        "{field} must be a list of strings"
                    )));
                }
            }
            Ok(a.clone())
        }
        _ => Err(ApiErr::bad_request(format!(
            "{field} must be a list of strings"
        ))),
    }
}

/// `[..]` | `{enable}` | `{disable}` → `{enabled}` | `{disabled}`.
fn enable_disable(v: &Value, field: &str, allow_both: bool) -> Res<Value> {
    if v.is_array() {
        return Ok(json!({ "enabled": names_list(v, field)? }));
    }
    let m = v.as_object().ok_or_else(|| {
        ApiErr::bad_request(format!(
            "{field} must be a list or an object with enable or disable"
        ))
    })?;
    let mut out = Map::new();
    if let Some(e) = m.get("enable").or_else(|| m.get("enabled")) {
        out.insert("enabled".into(), Value::Array(names_list(e, field)?));
    }
    if let Some(d) = m.get("disable").or_else(|| m.get("disabled")) {
        if out.contains_key("enabled") && !allow_both {
            return Err(ApiErr::bad_request(format!(
                "{field}: enable and disable are mutually exclusive"
            )));
        }
        out.insert("disabled".into(), Value::Array(names_list(d, field)?));
    }
    if let Some(r) = m.get("require_approval") {
        out.insert("require_approval".into(), r.clone());
    }
    Ok(Value::Object(out))
}

fn tools_config(v: &Value) -> Res<Value> {
    let m = v
        .as_object()
        .ok_or_else(|| ApiErr::bad_request("tools must be an object keyed by toolkit slug"))?;
    let mut out = Map::new();
    for (tk, rule) in m {
        let converted = match rule.get("tags") {
            Some(tags) => json!({ "tags": enable_disable(tags, "tools.tags", true)? }),
            None => enable_disable(rule, "tools", false)?,
        };
        out.insert(tk.to_ascii_lowercase(), converted);
    }
    Ok(Value::Object(out))
}

fn connected_accounts_config(v: &Value) -> Res<Value> {
    let m = v
        .as_object()
        .ok_or_else(|| ApiErr::bad_request("connected_accounts must be an object"))?;
    let mut out = Map::new();
    for (tk, ids) in m {
        let list = match ids {
            Value::String(s) => vec![Value::String(s.clone())],
            other => names_list(other, "connected_accounts")?,
        };
        out.insert(tk.to_ascii_lowercase(), Value::Array(list));
    }
    Ok(Value::Object(out))
}

fn default_manage_connections() -> Value {
    json!({"enabled": true, "enable_wait_for_connections": false, "enable_connection_removal": true})
}

fn default_workbench() -> Value {
    json!({"enable": true, "proxy_execution_enabled": true, "tool_execution_enabled": true,
           "auto_offload_threshold": 20000, "sandbox_size": "standard"})
}

fn merge_manage_connections(base: &mut Map, v: &Value) -> Res<()> {
    let mut cur = base
        .get("manage_connections")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_else(|| {
            default_manage_connections()
                .as_object()
                .cloned()
                .unwrap_or_default()
        });
    match v {
        Value::Bool(b) => {
            cur.insert("enabled".into(), json!(b));
        }
        Value::Object(m) => {
            for (k, val) in m {
                let name = match k.as_str() {
                    "enable" | "enabled" => "enabled",
                    "callback_url" => {
                        if let Some(u) = val.as_str() {
                            connect::check_callback_url(u)?;
                        }
                        "callback_url"
                    }
                    "enable_wait_for_connections" => "enable_wait_for_connections",
                    "enable_connection_removal" => "enable_connection_removal",
                    _ => continue,
                };
                if val.is_null() {
                    cur.remove(name);
                } else {
                    cur.insert(name.into(), val.clone());
                }
            }
        }
        _ => {
            return Err(ApiErr::bad_request(
                "manage_connections must be a boolean or an object",
            ))
        }
    }
    base.insert("manage_connections".into(), Value::Object(cur));
    Ok(())
}

fn merge_workbench(base: &mut Map, v: &Value) -> Res<()> {
    let mut cur = base
        .get("workbench")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_else(|| default_workbench().as_object().cloned().unwrap_or_default());
    let m = v
        .as_object()
        .ok_or_else(|| ApiErr::bad_request("workbench must be an object"))?;
    for (k, val) in m {
        let name = match k.as_str() {
            "enable" => "enable",
            "enable_proxy_execution" | "proxy_execution_enabled" => "proxy_execution_enabled",
            "enable_tool_execution" | "tool_execution_enabled" => "tool_execution_enabled",
            "auto_offload_threshold" => "auto_offload_threshold",
            "sandbox_size" => "sandbox_size",
            _ => continue,
        };
        cur.insert(name.into(), val.clone());
    }
    base.insert("workbench".into(), Value::Object(cur));
    Ok(())
}

/// Applies the request-form `body` onto the response-form `base`. With `patch`, `null`
/// removes a key (back to its default).
fn apply_config(base: &mut Map, body: &Map, patch: bool) -> Res<()> {
    for (k, v) in body {
        if v.is_null() && patch {
            base.remove(k);
            continue;
        }
        match k.as_str() {
            "toolkits" => {
                let c = enable_disable(v, "toolkits", false)?;
                if let Some(arr) = c.get("enabled").and_then(Value::as_array) {
                    let lowered: Vec<Value> = arr
                        .iter()
                        .filter_map(Value::as_str)
                        .map(|s| json!(s.to_ascii_lowercase()))
                        .collect();
                    base.insert("toolkits".into(), json!({ "enabled": lowered }));
                } else {
                    base.insert("toolkits".into(), c);
                }
            }
            "tools" => {
                base.insert("tools".into(), tools_config(v)?);
            }
            "tags" => {
                base.insert("tags".into(), enable_disable(v, "tags", true)?);
            }
            "auth_configs" => {
                if !v.is_object() {
                    return Err(ApiErr::bad_request("auth_configs must be an object"));
                }
                base.insert("auth_configs".into(), v.clone());
            }
            "connected_accounts" => {
                base.insert("connected_accounts".into(), connected_accounts_config(v)?);
            }
            "manage_connections" => merge_manage_connections(base, v)?,
            "workbench" => merge_workbench(base, v)?,
            "preload" => {
                let tools = v.get("tools");
                let okay = match tools {
                    Some(Value::String(s)) => s == "all",
                    Some(Value::Array(a)) => a.iter().all(Value::is_string) && a.len() <= 1000,
                    _ => false,
                };
                if !okay {
                    return Err(ApiErr::bad_request(
                        "preload.tools must be a list of tool slugs or \"all\"",
                    ));
                }
                base.insert("preload".into(), v.clone());
            }
            "search" | "execute" | "multi_account" | "premium_usage" | "instant"
            | "proxy_execute" | "hooks" => {
                let merged = match (base.get(k), v) {
                    (Some(Value::Object(old)), Value::Object(new)) => {
                        let mut m = old.clone();
                        for (a, b) in new {
                            m.insert(a.clone(), b.clone());
                        }
                        Value::Object(m)
                    }
                    _ => v.clone(),
                };
                base.insert(k.clone(), merged);
            }
            _ => {}
        }
    }
    // Defaults of required keys.
    base.entry("preload")
        .or_insert_with(|| json!({"tools": []}));
    base.entry("search")
        .or_insert_with(|| json!({"enable": true}));
    base.entry("execute")
        .or_insert_with(|| json!({"enable_multi_execute": true}));
    base.entry("manage_connections")
        .or_insert_with(default_manage_connections);
    base.entry("workbench").or_insert_with(default_workbench);
    base.entry("instant").or_insert(json!(false));
    Ok(())
}

fn flag(config: &Map, obj: &str, field: &str, default: bool) -> bool {
    config
        .get(obj)
        .and_then(|o| o.get(field))
        .and_then(Value::as_bool)
        .unwrap_or(default)
}

/// The meta tools this session exposes, in `tool_router_tools` order.
pub(crate) fn meta_tools(config: &Map) -> Vec<&'static str> {
    catalog::META_TOOLS
        .iter()
        .copied()
        .filter(|m| match *m {
            "COMPOSIO_SEARCH_TOOLS" | "COMPOSIO_GET_TOOL_SCHEMAS" => {
                flag(config, "search", "enable", true)
            }
            "COMPOSIO_MULTI_EXECUTE_TOOL" => flag(config, "execute", "enable_multi_execute", true),
            "COMPOSIO_MANAGE_CONNECTIONS" => flag(config, "manage_connections", "enabled", true),
            "COMPOSIO_WAIT_FOR_CONNECTIONS" => {
                flag(config, "manage_connections", "enabled", true)
                    && flag(
                        config,
                        "manage_connections",
                        "enable_wait_for_connections",
                        false,
                    )
            }
            _ => flag(config, "workbench", "enable", true),
        })
        .collect()
}

fn list_contains(v: Option<&Value>, name: &str) -> bool {
    v.and_then(Value::as_array).is_some_and(|a| {
        a.iter()
            .any(|x| x.as_str().is_some_and(|s| s.eq_ignore_ascii_case(name)))
    })
}

/// Whether the session's toolkit policy allows a toolkit.
pub(crate) fn toolkit_allowed(config: &Map, toolkit: &str) -> bool {
    match config.get("toolkits") {
        Some(tk) if tk.get("enabled").is_some() => list_contains(tk.get("enabled"), toolkit),
        Some(tk) => !list_contains(tk.get("disabled"), toolkit),
        None => true,
    }
}

fn tags_pass(rule: Option<&Value>, tags: &[String]) -> bool {
    let Some(rule) = rule else { return true };
    if let Some(en) = rule.get("enabled").and_then(Value::as_array) {
        if !en.is_empty()
            && !tags
                .iter()
                .any(|t| list_contains(Some(&Value::Array(en.clone())), t))
        {
            return false;
        }
    }
    if let Some(dis) = rule.get("disabled") {
        if tags.iter().any(|t| list_contains(Some(dis), t)) {
            return false;
        }
    }
    true
}

/// Whether the session's toolkit, tool and tag filters allow a tool.
pub(crate) fn tool_allowed(config: &Map, slug: &str, toolkit: &str, tags: &[String]) -> bool {
    if !toolkit_allowed(config, toolkit) {
        return false;
    }
    if let Some(rule) = config
        .get("tools")
        .and_then(|t| t.get(toolkit.to_ascii_lowercase()))
    {
        if rule.get("enabled").is_some() && !list_contains(rule.get("enabled"), slug) {
            return false;
        }
        if list_contains(rule.get("disabled"), slug) {
            return false;
        }
        if !tags_pass(rule.get("tags"), tags) {
            return false;
        }
    }
    tags_pass(config.get("tags"), tags)
}

/// Whether a catalog tool is allowed in the session.
pub(crate) fn def_allowed(sess: &Session, def: &ToolDef) -> bool {
    tool_allowed(&sess.config, def.slug, def.toolkit, &def.tags())
}

// ---------------------------------------------------------------------------------------------
// Custom tools sent inline.

/// A custom tool definition as the client sent it, with its final `LOCAL_…` slug.
#[derive(Clone, Debug)]
pub(crate) struct CustomTool {
    pub slug: String,
    pub original_slug: String,
    pub name: String,
    pub description: String,
    pub input_schema: Value,
    pub output_schema: Option<Value>,
    /// The Composio toolkit it extends, if any.
    pub extends_toolkit: Option<String>,
    /// The custom toolkit it belongs to, if any.
    pub custom_toolkit: Option<String>,
    pub raw: Map,
}

impl CustomTool {
    /// The toolkit slug reported for this tool.
    pub fn toolkit(&self) -> String {
        self.extends_toolkit
            .clone()
            .or_else(|| self.custom_toolkit.clone())
            .unwrap_or_else(|| "custom".to_owned())
    }
}

fn check_custom_slug(slug: &str, what: &str) -> Res<()> {
    let upper = slug.to_ascii_uppercase();
    if slug.is_empty()
        || !slug
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(ApiErr::bad_request(format!(
            "{what} slug must match ^[a-zA-Z0-9_-]+$"
        )));
    }
    if upper.starts_with("LOCAL_") || upper.starts_with("COMPOSIO_") {
        return Err(ApiErr::bad_request(format!(
            "{what} slug {slug} must not start with LOCAL_ or COMPOSIO_"
        )));
    }
    Ok(())
}

fn custom_def(m: &Map, custom_toolkit: Option<&str>) -> Res<CustomTool> {
    let original = str_field(m, "slug")
        .ok_or_else(|| ApiErr::bad_request("every custom tool needs a slug"))?;
    check_custom_slug(original, "custom tool")?;
    let extends = str_field(m, "extends_toolkit")
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase);
    let middle = custom_toolkit
        .map(str::to_owned)
        .or_else(|| extends.clone());
    let slug = match &middle {
        Some(tk) => format!(
            "LOCAL_{}_{}",
            tk.to_ascii_uppercase(),
            original.to_ascii_uppercase()
        ),
        None => format!("LOCAL_{}", original.to_ascii_uppercase()),
    };
    if slug.len() > 60 {
        return Err(ApiErr::bad_request(format!(
            "custom tool slug {slug} is longer than 60 characters"
        )));
    }
    let name = str_field(m, "name").unwrap_or(original).to_owned();
    let description = str_field(m, "description").unwrap_or_default().to_owned();
    let input_schema = m
        .get("input_schema")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({"type": "object", "properties": {}}));
    Ok(CustomTool {
        slug,
        original_slug: original.to_owned(),
        name,
        description,
        input_schema,
        output_schema: m.get("output_schema").cloned().filter(Value::is_object),
        extends_toolkit: extends,
        custom_toolkit: custom_toolkit.map(str::to_owned),
        raw: m.clone(),
    })
}

/// The custom tools of an `experimental` object (`custom_tools` and `custom_toolkits[].tools`).
pub(crate) fn custom_tools(experimental: Option<&Value>) -> Res<Vec<CustomTool>> {
    let mut out = Vec::new();
    let Some(exp) = experimental else {
        return Ok(out);
    };
    if let Some(tools) = exp.get("custom_tools").and_then(Value::as_array) {
        for t in tools {
            let m = t
                .as_object()
                .ok_or_else(|| ApiErr::bad_request("custom_tools entries must be objects"))?;
            out.push(custom_def(m, None)?);
        }
    }
    if let Some(kits) = exp.get("custom_toolkits").and_then(Value::as_array) {
        for k in kits {
            let tk = k
                .get("slug")
                .and_then(Value::as_str)
                .ok_or_else(|| ApiErr::bad_request("every custom toolkit needs a slug"))?;
            check_custom_slug(tk, "custom toolkit")?;
            for t in k
                .get("tools")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let m = t.as_object().ok_or_else(|| {
                    ApiErr::bad_request("custom_toolkits tools entries must be objects")
                })?;
                out.push(custom_def(m, Some(tk))?);
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for t in &out {
        if !seen.insert(t.slug.clone()) {
            return Err(ApiErr::bad_request(format!(
                "two custom tools map to the same slug {}",
                t.slug
            )));
        }
    }
    Ok(out)
}

fn echo_custom(experimental: Option<&Value>) -> Res<Map> {
    let mut out = Map::new();
    let Some(exp) = experimental else {
        return Ok(out);
    };
    let defs = custom_tools(Some(exp))?;
    let echo_tool = |t: &CustomTool| {
        let mut m = t.raw.clone();
        m.insert("slug".into(), json!(t.slug));
        m.insert("original_slug".into(), json!(t.original_slug));
        m.entry("extends_toolkit").or_insert(Value::Null);
        Value::Object(m)
    };
    if exp.get("custom_tools").is_some() {
        let tools: Vec<Value> = defs
            .iter()
            .filter(|t| t.custom_toolkit.is_none())
            .map(echo_tool)
            .collect();
        out.insert("custom_tools".into(), Value::Array(tools));
    }
    if let Some(kits) = exp.get("custom_toolkits").and_then(Value::as_array) {
        let mut echoed = Vec::new();
        for k in kits {
            let mut km = k.as_object().cloned().unwrap_or_default();
            let tk = km
                .get("slug")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let tools: Vec<Value> = defs
                .iter()
                .filter(|t| t.custom_toolkit.as_deref() == Some(tk.as_str()))
                .map(|t| {
                    let mut v = echo_tool(t);
                    if let Some(o) = v.as_object_mut() {
                        o.remove("extends_toolkit");
                    }
                    v
                })
                .collect();
            km.insert("tools".into(), Value::Array(tools));
            echoed.push(Value::Object(km));
        }
        out.insert("custom_toolkits".into(), Value::Array(echoed));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Endpoints.

fn mcp_url<S: Store, R: Runtime>(ctx: &Ctx<'_, S, R>, id: &str) -> String {
    format!("{}/tool_router/{id}/mcp", ctx.origin)
}

pub(crate) fn session_body<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    sess: &Session,
    experimental: Map,
) -> Value {
    json!({
        "session_id": sess.id,
        "mcp": {"type": "http", "url": mcp_url(ctx, &sess.id)},
        "tool_router_tools": meta_tools(&sess.config),
        "config": sess.config,
        "config_version": sess.config_version,
        "experimental": experimental,
        "warnings": warnings(&sess.config),
    })
}

fn warnings(config: &Map) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(list) = config
        .get("toolkits")
        .and_then(|t| t.get("enabled").or_else(|| t.get("disabled")))
        .and_then(Value::as_array)
    {
        for tk in list.iter().filter_map(Value::as_str) {
            if catalog::toolkit(tk).is_none() {
                out.push(json!({"code": "UNKNOWN_TOOLKIT",
                    "message": format!("toolkit {tk} is not in the emulator's catalog")}));
            }
        }
    }
    if let Some(Value::Array(p)) = config.get("preload").and_then(|p| p.get("tools")) {
        for s in p.iter().filter_map(Value::as_str) {
            if catalog::tool(s).is_none() {
                out.push(json!({"code": "UNKNOWN_TOOL",
                    "message": format!("preloaded tool {s} is not in the emulator's catalog")}));
            }
        }
    }
    out
}

const ASSISTIVE_PROMPT: &str = "When you choose to use Composio ToolRouter, first call COMPOSIO_SEARCH_TOOLS with the user's use case to discover the right tools and their schemas, check toolkit_connection_statuses and call COMPOSIO_MANAGE_CONNECTIONS when a toolkit is not connected, then run the tools with COMPOSIO_MULTI_EXECUTE_TOOL.";

pub(crate) async fn create<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    body: Map,
) -> Res<HttpResponse> {
    let user_id = match body.get("user_id") {
        Some(Value::String(u)) if !u.trim().is_empty() && u.len() <= 256 => u.clone(),
        _ => {
            return Err(
                ApiErr::bad_request("user_id is required and must be a non-empty string")
                    .with_errors(vec!["Error in payload.user_id: field required".into()]),
            )
        }
    };
    let mut config = Map::new();
    config.insert("user_id".into(), json!(user_id));
    apply_config(&mut config, &body, false)?;
    let exp_in = body.get("experimental");
    let mut echoed = echo_custom(exp_in)?;
    let mut stored_exp = Map::new();
    if let Some(Value::Object(e)) = exp_in {
        for (k, v) in e {
            if k != "custom_tools" && k != "custom_toolkits" {
                stored_exp.insert(k.clone(), v.clone());
            }
        }
    }
    let now = ctx.now_ms();
    let sess = Session {
        id: ctx.new_id("trs_"),
        user_id,
        config: config.clone(),
        config_version: 1,
        created_at: now,
        history: vec![HistoryEntry {
            version: 1,
            created_at: now,
            config,
        }],
        experimental: stored_exp,
    };
    ctx.put_json(&key(&sess.id), &sess).await?;
    let mut prompt = ASSISTIVE_PROMPT.to_owned();
    if let Some(tz) = sess
        .experimental
        .get("assistive_prompt_config")
        .and_then(|c| c.get("user_timezone"))
        .and_then(Value::as_str)
    {
        prompt.push_str(&format!(" The user's timezone is {tz}."));
    }
    echoed.insert("assistive_prompt".into(), json!(prompt));
    ok(201, &session_body(ctx, &sess, echoed))
}

pub(crate) async fn retrieve<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    id: &str,
) -> Res<HttpResponse> {
    let sess = load(ctx, id).await?;
    ok(200, &session_body(ctx, &sess, Map::new()))
}

pub(crate) fn attach<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    sess: &Session,
    body: Map,
) -> Res<HttpResponse> {
    let echoed = echo_custom(body.get("experimental"))?;
    ok(200, &session_body(ctx, sess, echoed))
}

pub(crate) async fn patch<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    id: &str,
    body: Map,
) -> Res<HttpResponse> {
    let mut sess = load(ctx, id).await?;
    if let Some(v) = body.get("expected_config_version") {
        let expected = v.as_u64().filter(|v| *v > 0).ok_or_else(|| {
            ApiErr::bad_request("expected_config_version must be a positive integer")
        })?;
        if expected != sess.config_version {
            return Err(ApiErr::new(
                409,
                "ToolRouter_SessionConfigConflict",
                format!(
                    "session config changed concurrently: expected version {expected}, current version is {}",
                    sess.config_version
                ),
            )
            .fix("Retrieve the session, re-apply your change and retry with the current config_version."));
        }
    }
    if body.contains_key("user_id") {
        return Err(ApiErr::bad_request("user_id cannot be changed"));
    }
    let mut config = sess.config.clone();
    let mut fields = body.clone();
    fields.remove("expected_config_version");
    let exp = fields.remove("experimental");
    apply_config(&mut config, &fields, true)?;
    match exp {
        Some(Value::Object(e)) => {
            for (k, v) in e {
                if v.is_null() {
                    sess.experimental.remove(&k);
                } else {
                    sess.experimental.insert(k, v);
                }
            }
        }
        Some(Value::Null) | None => {}
        Some(_) => return Err(ApiErr::bad_request("experimental must be an object")),
    }
    sess.config = config.clone();
    sess.config_version += 1;
    sess.history.push(HistoryEntry {
        version: sess.config_version,
        created_at: ctx.now_ms(),
        config,
    });
    while sess.history.len() > MAX_HISTORY
        || (sess.history.len() > 1
            && serde_json::to_string(&sess).map_or(0, |s| s.len()) > super::MAX_VALUE)
    {
        sess.history.remove(0);
    }
    ctx.put_json(&key(&sess.id), &sess).await?;
    let mut exp_out = Map::new();
    if let Some(sc) = sess.experimental.get("session_config_id") {
        exp_out.insert("source_session_config".into(), json!({"id": sc}));
    }
    ok(200, &session_body(ctx, &sess, exp_out))
}

pub(crate) async fn delete<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    id: &str,
) -> Res<HttpResponse> {
    let sess = load(ctx, id).await?;
    ctx.store
        .delete(&key(&sess.id))
        .await
        .map_err(ApiErr::storage)?;
    ok(200, &json!({"session_id": sess.id, "deleted": true}))
}

pub(crate) fn config_history(sess: &Session, query: &[(String, String)]) -> Res<HttpResponse> {
    let current = sess.config_version;
    let items: Vec<Value> = sess
        .history
        .iter()
        .rev()
        .map(|h| {
            json!({"version": h.version, "created_at": rfc3339(h.created_at),
                   "is_current": h.version == current, "config": h.config})
        })
        .collect();
    ok(200, &paginate(items, query, 20, 100)?)
}

/// The app tools preloaded by the session config.
pub(crate) fn preloaded(sess: &Session) -> Vec<&'static ToolDef> {
    match sess.config.get("preload").and_then(|p| p.get("tools")) {
        Some(Value::String(s)) if s == "all" => catalog::tools()
            .iter()
            .filter(|d| def_allowed(sess, d))
            .collect(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .filter_map(catalog::tool)
            .filter(|d| def_allowed(sess, d))
            .collect(),
        _ => Vec::new(),
    }
}

pub(crate) fn tools(sess: &Session, query: &[(String, String)]) -> Res<HttpResponse> {
    let mut items: Vec<Value> = meta_tools(&sess.config)
        .into_iter()
        .filter_map(catalog::meta_tool)
        .collect();
    items.extend(preloaded(sess).into_iter().map(ToolDef::to_wire));
    ok(200, &paginate(items, query, 500, 1000)?)
}

/// The best account of a user for a toolkit: the newest ACTIVE one, else the newest.
pub(crate) fn best_account<'a>(accounts: &'a [Account], toolkit: &str) -> Option<&'a Account> {
    let mut of_tk: Vec<&Account> = accounts.iter().filter(|a| a.toolkit == toolkit).collect();
    connect::newest_first(&mut of_tk);
    of_tk
        .iter()
        .find(|a| a.status == "ACTIVE")
        .or_else(|| of_tk.first())
        .copied()
}

pub(crate) async fn toolkits<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    sess: &Session,
    query: &[(String, String)],
) -> Res<HttpResponse> {
    let filter: Option<Vec<String>> = qp(query, "toolkits").filter(|s| !s.is_empty()).map(|s| {
        s.split(',')
            .map(|t| t.trim().to_ascii_lowercase())
            .collect()
    });
    let is_connected = match qp(query, "is_connected") {
        Some("true") => Some(true),
        Some("false") => Some(false),
        None | Some("") => None,
        Some(_) => return Err(ApiErr::bad_request("is_connected must be true or false")),
    };
    let search = qp(query, "search")
        .map(str::to_ascii_lowercase)
        .filter(|s| !s.is_empty());
    let accounts = connect::user_accounts(ctx, &sess.user_id).await?;
    let mut items = Vec::new();
    for tk in catalog::TOOLKITS {
        let listed = match &filter {
            Some(f) => f.iter().any(|s| s == tk.slug),
            None => toolkit_allowed(&sess.config, tk.slug),
        };
        if !listed {
            continue;
        }
        if let Some(q) = &search {
            if !tk.slug.contains(q.as_str()) && !tk.name.to_ascii_lowercase().contains(q.as_str()) {
                continue;
            }
        }
        let account = if tk.no_auth() {
            None
        } else {
            best_account(&accounts, tk.slug)
        };
        let active = account.is_some_and(|a| a.status == "ACTIVE");
        if let Some(want) = is_connected {
            if want != active {
                continue;
            }
        }
        let connected = match account {
            Some(a) => json!({
                "id": a.id, "user_id": a.user_id, "status": a.status,
                "created_at": rfc3339(a.created_at),
                "auth_config": {"id": tk.auth_config_id(), "auth_scheme": tk.auth.scheme(), "is_composio_managed": true}
            }),
            None => Value::Null,
        };
        items.push(json!({
            "name": tk.name,
            "slug": tk.slug,
            "enabled": toolkit_allowed(&sess.config, tk.slug),
            "is_no_auth": tk.no_auth(),
            "composio_managed_auth_schemes": tk.auth.scheme().map(|s| vec![s]).unwrap_or_default(),
            "meta": {"logo": tk.logo(), "description": tk.description},
            "connected_account": connected,
        }));
    }
    ok(200, &paginate(items, query, 20, 50)?)
}

//! Execution: `…/execute`, `…/execute_meta`, the meta tools, multi-execute and proxy_execute.

use crate::json;
use crate::json::{Map, Value};

use super::catalog;
use super::connect::{self, Account};
use super::search;
use super::session::{self, CustomTool, Session};
use super::{apps, ok, str_field, ApiErr, Ctx, Res};
use crate::runtime::Runtime;
use crate::store::Store;
use crate::transport::HttpResponse;

/// Most items a multi-execute accepts.
pub const MAX_MULTI: usize = 50;

/// The result of running one tool.
pub(crate) struct Outcome {
    pub data: Value,
    pub error: Option<String>,
    /// `false` when the tool never ran (unknown tool, no connection …).
    pub ran: bool,
}

impl Outcome {
    fn done(data: Value) -> Self {
        Self {
            data,
            error: None,
            ran: true,
        }
    }
    fn failed(msg: impl Into<String>) -> Self {
        Self {
            data: json!({}),
            error: Some(msg.into()),
            ran: false,
        }
    }
    fn failed_run(msg: impl Into<String>) -> Self {
        Self {
            data: json!({}),
            error: Some(msg.into()),
            ran: true,
        }
    }
}

/// Normalizes `arguments`: absent/null/"" → `{}`, a JSON string of an object → the object.
pub(crate) fn normalize_args(v: Option<&Value>) -> Result<Map, String> {
    match v {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(Map::new()),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err("arguments must be a JSON object".into()),
        },
        Some(_) => Err("arguments must be a JSON object".into()),
    }
}

/// `POST …/execute` and `…/execute_meta`.
pub(crate) async fn execute_endpoint<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    sess: &Session,
    body: Map,
    meta_only: bool,
) -> Res<HttpResponse> {
    let key = if meta_only { "slug" } else { "tool_slug" };
    let slug = str_field(&body, key)
        .or_else(|| str_field(&body, if meta_only { "tool_slug" } else { "slug" }))
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiErr::bad_request(format!("{key} is required")))?
        .to_owned();
    if meta_only && !slug.to_ascii_uppercase().starts_with("COMPOSIO_") {
        return Err(ApiErr::bad_request(format!(
            "execute_meta only runs meta tools (COMPOSIO_*); use …/execute for {}",
            truncate(&slug, 80)
        )));
    }
    let args = normalize_args(body.get("arguments")).map_err(ApiErr::bad_request)?;
    let account = match body.get("account") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(ApiErr::bad_request("account must be a string")),
    };
    let customs = session::custom_tools(body.get("experimental"))?;
    let outcome = run_tool(ctx, sess, &slug, args, account.as_deref(), &customs).await?;
    ok(200, &execute_body(ctx, outcome))
}

fn execute_body<S: Store, R: Runtime>(ctx: &Ctx<'_, S, R>, o: Outcome) -> Value {
    let result_type = if o.error.is_none() {
        "completed"
    } else {
        "failed"
    };
    json!({
        "result_type": result_type,
        "data": o.data,
        "error": o.error,
        "log_id": ctx.new_id("log_"),
    })
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// Runs an app tool or a meta tool.
pub(crate) async fn run_tool<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    sess: &Session,
    slug: &str,
    args: Map,
    account: Option<&str>,
    customs: &[CustomTool],
) -> Res<Outcome> {
    let upper = slug.to_ascii_uppercase();
    if upper.starts_with("LOCAL_") {
        return Ok(local_tool_failure(slug));
    }
    if upper.starts_with("COMPOSIO_") {
        return run_meta(ctx, sess, &upper, args, customs).await;
    }
    run_app(ctx, sess, &upper, args, account).await
}

fn local_tool_failure(slug: &str) -> Outcome {
    Outcome::failed(format!(
        "{} is a custom tool: custom tools run in the client that defined them (the SDK session routes them locally) and are never executed by the Tool Router server",
        truncate(slug, 80)
    ))
}

/// Validates `args` against `schema` with the crate's JSON Schema validator
/// ([`crate::tools::schema::check_arguments`]); date-times must also parse, since the tools
/// compute with them. `Err` lists every violation.
fn validate(slug: &str, schema: &Value, args: &Map) -> Result<(), String> {
    let instance = Value::Object(args.clone());
    crate::tools::schema::check_arguments(slug, schema, &instance).map_err(|e| e.to_string())?;
    let mut bad = Vec::new();
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, p) in props {
            if p.get("format").and_then(Value::as_str) == Some("date-time") {
                if let Some(v) = args.get(k).and_then(Value::as_str) {
                    if apps::parse_rfc3339(v).is_none() {
                        bad.push(format!(
                            "$.{k} must be a valid date-time such as 2026-11-23T10:00:00Z"
                        ));
                    }
                }
            }
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "arguments for {slug} do not match its schema: {}",
            bad.join("; ")
        ))
    }
}

fn apply_defaults(schema: &Value, args: &mut Map) {
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, p) in props {
            if let Some(d) = p.get("default") {
                if args.get(k).is_none_or(Value::is_null) {
                    args.insert(k.clone(), d.clone());
                }
            }
        }
    }
}

/// The ACTIVE account a tool of `toolkit` runs with, or why there is none.
pub(crate) async fn active_account<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    sess: &Session,
    toolkit: &str,
    wanted: Option<&str>,
) -> Res<Result<Account, String>> {
    let accounts = connect::user_accounts(ctx, &sess.user_id).await?;
    let pinned: Option<Vec<String>> = sess
        .config
        .get("connected_accounts")
        .and_then(|c| c.get(toolkit))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        });
    let mut candidates: Vec<&Account> = accounts
        .iter()
        .filter(|a| a.toolkit == toolkit && a.status == "ACTIVE")
        .filter(|a| pinned.as_ref().is_none_or(|p| p.contains(&a.id)))
        .collect();
    connect::newest_first(&mut candidates);
    if let Some(w) = wanted {
        return Ok(candidates
            .into_iter()
            .find(|a| a.id == w || a.alias.as_deref() == Some(w))
            .cloned()
            .ok_or_else(|| {
                format!(
                    "No active connected account {} found for toolkit: {toolkit}",
                    truncate(w, 64)
                )
            }));
    }
    Ok(candidates.first().map(|a| (*a).clone()).ok_or_else(|| {
        format!(
            "No active connected account found for toolkit: {toolkit}. Connect it first (COMPOSIO_MANAGE_CONNECTIONS or session.authorize(\"{toolkit}\"))"
        )
    }))
}

async fn run_app<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    sess: &Session,
    slug: &str,
    mut args: Map,
    account: Option<&str>,
) -> Res<Outcome> {
    let Some(def) = catalog::tool(slug) else {
        let hint = search::suggest(slug);
        let mut msg = format!("Tool {} not found", truncate(slug, 80));
        if !hint.is_empty() {
            msg.push_str(&format!("; did you mean {}?", hint.join(", ")));
        }
        return Ok(Outcome::failed(msg));
    };
    if !session::def_allowed(sess, def) {
        return Ok(Outcome::failed(format!(
            "Tool {} is not enabled in this session (its toolkit, tool or tag filters exclude it)",
            def.slug
        )));
    }
    let schema = def.input_schema();
    if let Err(msg) = validate(def.slug, schema, &args) {
        return Ok(Outcome::failed_run(msg));
    }
    apply_defaults(schema, &mut args);
    let tk = def.toolkit();
    let acct = if tk.is_some_and(|t| !t.no_auth()) {
        match active_account(ctx, sess, def.toolkit, account).await? {
            Ok(a) => Some(a),
            Err(msg) => return Ok(Outcome::failed(msg)),
        }
    } else {
        None
    };
    match apps::run(ctx, &sess.user_id, acct.as_ref(), def, &args).await? {
        Ok(data) => Ok(Outcome::done(data)),
        Err(msg) => Ok(Outcome::failed_run(msg)),
    }
}

fn workflow_session<S: Store, R: Runtime>(ctx: &Ctx<'_, S, R>, args: &Map) -> Value {
    let id = str_field(args, "session_id")
        .map(str::to_owned)
        .unwrap_or_else(|| ctx.new_id("wf_"));
    json!({"id": id, "instructions": "Pass this id as session_id in later meta tool calls of the same workflow."})
}

async fn run_meta<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    sess: &Session,
    slug: &str,
    args: Map,
    customs: &[CustomTool],
) -> Res<Outcome> {
    let Some(tool) = catalog::meta_tool(slug) else {
        return Ok(Outcome::failed(format!(
            "Meta tool {} is not supported by the local emulator",
            truncate(slug, 80)
        )));
    };
    if slug == "COMPOSIO_REMOTE_WORKBENCH" || slug == "COMPOSIO_REMOTE_BASH_TOOL" {
        return Ok(Outcome::failed(format!(
            "{slug} is not available: the local Composio emulator has no sandbox. Call app tools directly or with COMPOSIO_MULTI_EXECUTE_TOOL instead"
        )));
    }
    if !session::meta_tools(&sess.config).contains(&slug) {
        return Ok(Outcome::failed(format!(
            "{slug} is not enabled in this session's config"
        )));
    }
    if let Err(msg) = validate(slug, &tool["input_parameters"], &args) {
        return Ok(Outcome::failed_run(msg));
    }
    match slug {
        "COMPOSIO_SEARCH_TOOLS" => {
            let body = search::search(ctx, sess, &args, customs, None).await;
            Ok(match body {
                Ok(b) => Outcome::done(b),
                Err(e) => Outcome::failed_run(e.message.clone()),
            })
        }
        "COMPOSIO_GET_TOOL_SCHEMAS" => Ok(Outcome::done(search::get_tool_schemas(
            sess, &args, customs,
        ))),
        "COMPOSIO_MULTI_EXECUTE_TOOL" => multi_execute(ctx, sess, &args).await,
        "COMPOSIO_MANAGE_CONNECTIONS" => manage_connections(ctx, sess, &args).await,
        _ => wait_for_connections(ctx, sess, &args).await,
    }
}

async fn multi_execute<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    sess: &Session,
    args: &Map,
) -> Res<Outcome> {
    let items = args
        .get("tools")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if items.is_empty() || items.len() > MAX_MULTI {
        return Ok(Outcome::failed_run(format!(
            "tools must hold 1 to {MAX_MULTI} items, got {}",
            items.len()
        )));
    }
    let mut results = Vec::new();
    let mut failed = 0usize;
    for (index, item) in items.iter().enumerate() {
        let slug = item
            .get("tool_slug")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let upper = slug.to_ascii_uppercase();
        let outcome = match normalize_args(item.get("arguments")) {
            Err(m) => Outcome::failed(m),
            Ok(_) if upper.starts_with("COMPOSIO_") => Outcome::failed(format!(
                "{upper} is a meta tool and cannot run inside COMPOSIO_MULTI_EXECUTE_TOOL"
            )),
            Ok(_) if upper.starts_with("LOCAL_") => local_tool_failure(&slug),
            Ok(a) => {
                let account = item.get("account").and_then(Value::as_str);
                run_app(ctx, sess, &upper, a, account).await?
            }
        };
        let entry = match &outcome.error {
            None => json!({
                "tool_slug": slug, "index": index, "error": null,
                "response": {"data": outcome.data, "error": null, "log_id": ctx.new_id("log_"), "successful": true}
            }),
            Some(e) => {
                failed += 1;
                let response = if outcome.ran {
                    json!({"data": outcome.data, "error": e, "log_id": ctx.new_id("log_"), "successful": false})
                } else {
                    Value::Null
                };
                json!({"tool_slug": slug, "index": index, "error": e, "response": response})
            }
        };
        results.push(entry);
    }
    let n = results.len();
    let data = json!({
        "results": results,
        "total_count": n,
        "success_count": n - failed,
        "error_count": failed,
        "session": workflow_session(ctx, args),
        "next_steps": if failed == 0 { "All tools succeeded." } else { "Inspect the failed results' error messages, fix the arguments or connect the toolkits, then retry only the failed tools." },
    });
    Ok(Outcome {
        data,
        error: (failed > 0).then(|| format!("{failed} out of {n} tools failed")),
        ran: true,
    })
}

fn wanted_toolkits(args: &Map) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in args
        .get("toolkits")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let t = t.trim().to_ascii_lowercase();
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

async fn manage_connections<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    sess: &Session,
    args: &Map,
) -> Res<Outcome> {
    let reinitiate = args
        .get("reinitiate_all")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let callback = sess
        .config
        .get("manage_connections")
        .and_then(|m| m.get("callback_url"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let accounts = connect::user_accounts(ctx, &sess.user_id).await?;
    let mut results = Map::new();
    let (mut active, mut initiated, mut failed) = (0, 0, 0);
    let toolkits = wanted_toolkits(args);
    for slug in &toolkits {
        let Some(tk) = catalog::toolkit(slug) else {
            failed += 1;
            results.insert(slug.clone(), json!({
                "toolkit": slug, "status": "failed", "has_active_connection": false,
                "redirect_url": null, "connected_account_id": null,
                "error_message": format!("toolkit {} is not in the emulator's catalog", truncate(slug, 64)),
            }));
            continue;
        };
        if tk.no_auth() {
            active += 1;
            results.insert(
                slug.clone(),
                json!({
                    "toolkit": tk.slug, "status": "active", "has_active_connection": true,
                    "redirect_url": null, "connected_account_id": null,
                    "instruction": "This toolkit needs no authentication.", "account_type": null,
                }),
            );
            continue;
        }
        let existing =
            super::session::best_account(&accounts, tk.slug).filter(|a| a.status == "ACTIVE");
        if let (Some(a), false) = (existing, reinitiate) {
            active += 1;
            results.insert(
                slug.clone(),
                json!({
                    "toolkit": tk.slug, "status": "active", "has_active_connection": true,
                    "redirect_url": null, "connected_account_id": a.id,
                    "auth_config_id": tk.auth_config_id(),
                    "created_at": crate::transport::rfc3339(a.created_at),
                    "current_user_info": {"user_id": a.user_id}, "was_reinitiated": false,
                    "account_type": "PRIVATE",
                }),
            );
            continue;
        }
        let link = connect::create_link(
            ctx,
            &sess.user_id,
            tk,
            callback.clone(),
            None,
            connect::link_base(sess),
        )
        .await?;
        initiated += 1;
        results.insert(slug.clone(), json!({
            "toolkit": tk.slug, "status": "initiated", "has_active_connection": existing.is_some(),
            "redirect_url": link.redirect_url, "connected_account_id": link.account.id,
            "auth_config_id": tk.auth_config_id(),
            "created_at": crate::transport::rfc3339(link.account.created_at),
            "instruction": format!("Ask the user to open the link to connect {}; it expires in 10 minutes.", tk.name),
            "was_reinitiated": existing.is_some(), "account_type": "PRIVATE",
        }));
    }
    let message = if initiated > 0 {
        "Share each redirect_url with the user; once they connect, the toolkit becomes active."
    } else {
        "Every requested toolkit is ready to use."
    };
    Ok(Outcome::done(json!({
        "message": message,
        "results": results,
        "summary": {"total_toolkits": toolkits.len(), "active_connections": active,
                    "initiated_connections": initiated, "failed_connections": failed},
        "session": workflow_session(ctx, args),
    })))
}

/// How long `COMPOSIO_WAIT_FOR_CONNECTIONS` waits for a pending connection, and how often it
/// looks again (each look re-reads the user's accounts; the connect flow runs meanwhile).
pub(crate) const WAIT_LIMIT_MS: u64 = 20_000;
const WAIT_POLL_MS: u64 = 500;

/// One look at the wanted toolkits: the per-toolkit results, whether the wait is over (`mode`
/// satisfied), and whether any connection is still pending (worth waiting for).
async fn connection_results<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    sess: &Session,
    toolkits: &[String],
    mode_all: bool,
) -> Res<(Map, bool, bool)> {
    let accounts = connect::user_accounts(ctx, &sess.user_id).await?;
    let mut results = Map::new();
    let (mut ready, mut pending) = (0, false);
    for slug in toolkits {
        let tk = catalog::toolkit(slug);
        let account = super::session::best_account(&accounts, slug);
        let status = match (tk, account) {
            (None, _) => "NOT_FOUND",
            (Some(t), _) if t.no_auth() => "ACTIVE",
            (Some(_), Some(a)) => a.status.as_str(),
            (Some(_), None) => "NOT_FOUND",
        };
        match status {
            "ACTIVE" => ready += 1,
            "INITIATED" | "INITIALIZING" => pending = true,
            _ => {}
        }
        results.insert(
            slug.clone(),
            json!({
                "toolkit": slug, "status": status, "has_active_connection": status == "ACTIVE",
                "connected_account_id": account.map(|a| a.id.clone()),
                "auth_config_id": tk.filter(|t| !t.no_auth()).map(|t| t.auth_config_id()),
                "created_at": account.map(|a| crate::transport::rfc3339(a.created_at)),
                "current_user_info": account.map(|a| json!({"user_id": a.user_id})),
                "error_message": account.and_then(|a| a.status_reason.clone()),
            }),
        );
    }
    let done = if mode_all {
        ready == toolkits.len()
    } else {
        ready > 0
    };
    Ok((results, done, pending))
}

/// Waits (up to [`WAIT_LIMIT_MS`]) until the wanted connections are active (`mode` `any` or
/// `all`), or until nothing is pending any more, then reports each toolkit's status.
async fn wait_for_connections<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    sess: &Session,
    args: &Map,
) -> Res<Outcome> {
    let mode_all = args.get("mode").and_then(Value::as_str) == Some("all");
    let toolkits = wanted_toolkits(args);
    let started = ctx.now_ms();
    let (results, done) = loop {
        let (results, done, pending) = connection_results(ctx, sess, &toolkits, mode_all).await?;
        let waited = ctx.now_ms().saturating_sub(started);
        if done || !pending || waited >= WAIT_LIMIT_MS {
            break (results, done);
        }
        ctx.rt.sleep(WAIT_POLL_MS).await;
    };
    let message = if done {
        "The requested connections are active.".to_owned()
    } else {
        format!(
            "Not connected yet after waiting {} s: ask the user to finish the connect link, then call this tool again.",
            WAIT_LIMIT_MS / 1000
        )
    };
    Ok(Outcome::done(json!({
        "message": message,
        "results": results,
        "session": workflow_session(ctx, args),
    })))
}

/// `POST …/proxy_execute`.
pub(crate) async fn proxy_execute<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    sess: &Session,
    body: Map,
) -> Res<HttpResponse> {
    let tk_slug = str_field(&body, "toolkit_slug")
        .or_else(|| str_field(&body, "toolkit"))
        .ok_or_else(|| ApiErr::bad_request("toolkit_slug is required"))?;
    let tk = catalog::toolkit(tk_slug).ok_or_else(|| {
        ApiErr::bad_request(format!(
            "toolkit {} is not in the emulator's catalog",
            truncate(tk_slug, 64)
        ))
    })?;
    let endpoint = str_field(&body, "endpoint")
        .filter(|e| !e.is_empty())
        .ok_or_else(|| ApiErr::bad_request("endpoint is required"))?
        .to_owned();
    let method = str_field(&body, "method")
        .unwrap_or("GET")
        .to_ascii_uppercase();
    if !["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"].contains(&method.as_str()) {
        return Err(ApiErr::bad_request(
            "method must be one of GET, POST, PUT, DELETE, PATCH, HEAD",
        ));
    }
    let mut query = Map::new();
    let mut headers = Map::new();
    for p in body
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        let value = p.get("value").cloned().unwrap_or(Value::Null);
        match p
            .get("type")
            .or_else(|| p.get("in"))
            .and_then(Value::as_str)
        {
            Some("header") => {
                headers.insert(name.to_owned(), value);
            }
            Some("query") => {
                query.insert(name.to_owned(), value);
            }
            _ => {
                return Err(ApiErr::bad_request(
                    "every parameter needs name, value and type (query or header)",
                ))
            }
        }
    }
    let account = if tk.no_auth() {
        None
    } else {
        match active_account(ctx, sess, tk.slug, None).await? {
            Ok(a) => Some(a),
            Err(msg) => {
                return Err(ApiErr::new(400, "ConnectedAccount_NotFound", msg)
                    .fix("Connect the toolkit with session.authorize() first."))
            }
        }
    };
    let data = apps::proxy(
        tk,
        account.as_ref(),
        &method,
        &endpoint,
        &query,
        body.get("body"),
    );
    ok(
        200,
        &json!({
            "result_type": "completed",
            "status": 200,
            "data": data,
            "headers": {"content-type": "application/json", "x-composio-emulator": "true"},
        }),
    )
}

//! Per-user handlers, run inside the user's Durable Object. Its store is private to this user
//! and runs one request at a time, so a check-then-write sequence that awaits only the store
//! is atomic.

use crate::http;
use crate::json;
use crate::json::{Map, Value};
use crate::wire::json::set;

use crate::provider::Provider;
use crate::runtime::Runtime;
use crate::store::Store;
use crate::tools::args::normalize_arguments;
use crate::tools::schema::check_arguments;
use crate::transport::{HttpRequest, HttpResponse, RetryPolicy, Transport};
#[cfg(doc)]
use crate::wire::ExecuteResponse;
use crate::wire::Tool;

use super::redirect::{redirect_host_allowed, validate_return_to};
use super::respond::{self, header, Ctx};
use super::token::{seal, sha256_hex, unseal};
use super::upstream::{error_response, Upstream, UpstreamError};
use super::{internal, json_body, random_id, user_of, Gateway, Route};

/// How long an OAuth flow (ticket, state, cookie) lives.
pub const FLOW_TTL_SECONDS: u64 = 600;
/// How long a connection outcome stays readable after its flow expired.
pub const OUTCOME_TTL_SECONDS: u64 = 24 * 60 * 60;
/// How long an idempotent execute result is kept.
pub const IDEMPOTENCY_TTL_MS: u64 = 60 * 60 * 1000;
/// How long cached tool schemas are trusted.
const SCHEMA_TTL_MS: u64 = 10 * 60 * 1000;
/// Reads of the connected account while it is still `INITIATED` on the callback.
const CALLBACK_POLLS: u32 = 5;
/// Delay between those reads.
const CALLBACK_POLL_MS: u64 = 1000;

mod keys {
    pub const SESSION: &str = "session";
    /// Volatile ([`crate::store::VOLATILE_PREFIX`]): the Durable Object keeps the window in
    /// memory, so rate limiting costs no storage write per request.
    pub const RATE: &str = "~ratelimit";
    pub const IDEM: &str = "idem/";
    pub const IDEM_PURGE: &str = "idem-purge-at";
    pub const SCHEMA: &str = "schema/";
    pub const FLOW: &str = "flow/";
    pub const CONN: &str = "conn/";
}

/// A ready error response, boxed: every `Result` a handler moves across an await stays a few
/// bytes instead of a whole response (less copying in each route's state machine).
type Fail = Box<HttpResponse>;

type Res = Result<HttpResponse, Fail>;

/// [`respond::error`], boxed.
#[inline(never)]
fn err(ctx: &Ctx, status: u16, code: &str, message: &str) -> Fail {
    Box::new(respond::error(ctx, status, code, message))
}

/// [`respond::page`] without a message to the opener, boxed.
#[inline(never)]
fn page(ctx: &Ctx, status: u16, title: &str, text: &str) -> Fail {
    Box::new(respond::page(ctx, status, title, text, None))
}

/// A route handler's future, boxed at the dispatch point.
type Routed<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Res> + 'a>>;

/// A session-scoped upstream call: every tool of the session, or one call under the session's
/// path (method, tail, body, retried).
enum Call<'b> {
    Tools,
    Api(http::Method, String, Option<&'b Value>, bool),
}

struct Env<'a, S, T, R> {
    gw: &'a Gateway,
    store: &'a S,
    up: Upstream<'a, T, R>,
    rt: &'a R,
    ctx: &'a Ctx,
}

/// `v[k]` as text (one shared copy of the lookup).
#[inline(never)]
fn str_at<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
    v.get(k)?.as_str()
}

fn storage_error(ctx: &Ctx, e: &crate::Error) -> Fail {
    let _ = e;
    err(ctx, 500, "storage_error", "the user's storage failed")
}

impl<S: Store, T: Transport, R: Runtime> Env<'_, S, T, R> {
    /// A stored JSON value, boxed like [`Fail`] (a pointer to move through the awaits).
    async fn get_json(&self, key: &str) -> Result<Option<Box<Value>>, Fail> {
        match self.store.get(key).await {
            Ok(Some(s)) => Ok(crate::wire::json::parse_bytes(s.as_bytes())
                .ok()
                .map(Box::new)),
            Ok(None) => Ok(None),
            Err(e) => Err(storage_error(self.ctx, &e)),
        }
    }

    async fn put_json(&self, key: &str, v: &Value) -> Result<(), Fail> {
        self.store
            .put(key, crate::wire::json::to_text(v))
            .await
            .map_err(|e| storage_error(self.ctx, &e))
    }

    async fn delete(&self, key: &str) -> Result<bool, Fail> {
        self.store
            .delete(key)
            .await
            .map_err(|e| storage_error(self.ctx, &e))
    }

    fn now(&self) -> u64 {
        self.rt.now_ms()
    }

    fn up_err(&self, e: &UpstreamError) -> Fail {
        Box::new(error_response(self.ctx, e))
    }

    /// Fixed one-minute window per user; 429 with `retry-after` beyond the limit.
    async fn rate_limit(&self) -> Result<(), Fail> {
        let limit = self.gw.config.rate_limit_per_minute;
        if limit == 0 {
            return Ok(());
        }
        let now = self.now();
        let cur = self.get_json(keys::RATE).await?.unwrap_or_default();
        let start = cur.get("w").and_then(Value::as_u64).unwrap_or(0);
        let count = cur.get("n").and_then(Value::as_u64).unwrap_or(0);
        let (start, count) = if now >= start + 60_000 || start > now {
            (now, 0)
        } else {
            (start, count)
        };
        if count >= u64::from(limit) {
            let wait = (start + 60_000 - now).div_ceil(1000);
            let res = respond::error(
                self.ctx,
                429,
                "rate_limited",
                &format!("too many requests: at most {limit} per minute per user"),
            );
            return Err(Box::new(respond::with_retry_after(res, wait)));
        }
        self.put_json(keys::RATE, &json!({"w": start, "n": count + 1}))
            .await
    }

    /// The stored session, if any.
    async fn stored_session(&self) -> Result<Option<Box<Value>>, Fail> {
        self.get_json(keys::SESSION).await
    }

    /// Creates this user's session with the configured defaults and stores it.
    async fn create_session(&self, user_id: &str) -> Result<Box<Value>, Fail> {
        let mut body = self.gw.config.session_defaults.clone();
        body.insert("user_id".into(), Value::String(user_id.to_owned()));
        if !body.contains_key("manage_connections") {
            body.insert("manage_connections".into(), json!({"enable": true}));
        }
        let created = self
            .up
            .create_session(&Value::Object(body))
            .await
            .map_err(|e| self.up_err(&e))?;
        let Some(id) = str_at(&created, "session_id") else {
            return Err(err(
                self.ctx,
                502,
                "upstream_bad_response",
                "the composio api did not return a session id",
            ));
        };
        let record = json!({
            "session_id": id,
            "user_id": user_id,
            "created_at": crate::transport::rfc3339(self.now()),
            "config": created.get("config").cloned().unwrap_or(Value::Null),
            "config_version": created.get("config_version").cloned().unwrap_or(Value::Null),
            "tool_router_tools": created.get("tool_router_tools").cloned().unwrap_or(Value::Null),
        });
        // Another request of this user may have created one while we awaited the API: keep
        // the first, so every tab sees the same session.
        if let Some(existing) = self.stored_session().await? {
            return Ok(existing);
        }
        self.put_json(keys::SESSION, &record).await?;
        Ok(Box::new(record))
    }

    /// The session id, creating the session on first use.
    async fn session_id(&self, user_id: &str) -> Result<String, Fail> {
        let rec = match self.stored_session().await? {
            Some(r) => r,
            None => self.create_session(user_id).await?,
        };
        str_at(&rec, "session_id")
            .map(str::to_owned)
            .ok_or_else(|| {
                err(
                    self.ctx,
                    500,
                    "storage_error",
                    "stored session is unreadable",
                )
            })
    }

    /// Runs a session-scoped upstream call, recreating the session once if the API lost it.
    async fn in_session(&self, user_id: &str, call: Call<'_>) -> Result<Box<Value>, Fail> {
        let mut id = self.session_id(user_id).await?;
        let mut recreated = false;
        loop {
            let out = match &call {
                Call::Tools => self.up.tools(&id).await.map(|t| Box::new(Value::Array(t))),
                Call::Api(method, tail, body, retry) => {
                    self.up
                        .in_session(&id, method.clone(), tail, *body, *retry)
                        .await
                }
            };
            match out {
                Err(e) if e.is_not_found() && !recreated => {
                    self.forget_session().await?;
                    id = self.session_id(user_id).await?;
                    recreated = true;
                }
                other => return other.map_err(|e| self.up_err(&e)),
            }
        }
    }

    /// Every tool of the session (see [`Env::in_session`]), with their schemas cached for
    /// execute's argument check.
    async fn session_tools(&self, user_id: &str) -> Result<Vec<Value>, Fail> {
        let items = match *self.in_session(user_id, Call::Tools).await? {
            Value::Array(items) => items,
            _ => Vec::new(),
        };
        // Loops rather than `collect`: no iterator-specific `from_iter` copy in the Worker.
        let mut schemas = Vec::new();
        for t in &items {
            if let (Some(slug), Some(p)) = (str_at(t, "slug"), t.get("input_parameters")) {
                schemas.push((slug.to_owned(), p.clone()));
            }
        }
        cache_schemas(self, schemas).await?;
        Ok(items)
    }

    /// Drops the stored session after the API said it no longer exists.
    async fn forget_session(&self) -> Result<(), Fail> {
        self.delete(keys::SESSION).await.map(|_| ())
    }

    /// Deletes every entry under `prefix` whose number `field` plus `add` is at most `limit`
    /// (an entry without it counts as 0; an empty `field` deletes everything without reading
    /// it). One state machine for the idempotency, flow, outcome and schema sweeps.
    async fn purge(&self, prefix: &str, field: &str, add: u64, limit: u64) -> Result<(), Fail> {
        let all = self
            .store
            .list(prefix)
            .await
            .map_err(|e| storage_error(self.ctx, &e))?;
        for (k, v) in all {
            let at = if field.is_empty() {
                0
            } else {
                crate::wire::json::parse_bytes(v.as_bytes())
                    .ok()
                    .and_then(|v| v.get(field).and_then(Value::as_u64))
                    .unwrap_or(0)
            };
            if at.saturating_add(add) <= limit {
                self.delete(&k).await?;
            }
        }
        Ok(())
    }
}

/// The router inside the Durable Object.
pub(super) async fn handle<S: Store, T: Transport, R: Runtime>(
    gw: &Gateway,
    req: HttpRequest,
    store: &S,
    upstream: &T,
    rt: &R,
    ctx: &Ctx,
) -> HttpResponse {
    let Some((route, methods)) = Route::find(req.uri().path()) else {
        return respond::error(ctx, 404, "not_found", "no such route");
    };
    if !methods.contains(req.method()) {
        return respond::error(
            ctx,
            405,
            "method_not_allowed",
            "method not allowed on this route",
        );
    }
    let key = gw
        .config
        .api_key
        .clone()
        .unwrap_or_else(|| crate::secret::ApiKey::new("emulator"));
    let env = Env {
        gw,
        store,
        up: Upstream {
            base: gw.config.upstream_base(&ctx.own_origin),
            key: &key,
            transport: upstream,
            rt,
            policy: RetryPolicy {
                max_retries: 2,
                timeout_ms: 30_000,
            },
        },
        rt,
        ctx,
    };
    let fut: Routed<'_> = match route {
        Route::OAuthStart => Box::pin(oauth_start(&env, &req)),
        Route::OAuthCallback => Box::pin(oauth_callback(&env, &req)),
        Route::Tokens | Route::DevToken => {
            return respond::error(ctx, 404, "not_found", "no such route")
        }
        _ => Box::pin(api(&env, route, &req)),
    };
    let out = fut.await;
    match out {
        Ok(r) => r,
        Err(r) => *r,
    }
}

async fn api<S: Store, T: Transport, R: Runtime>(
    env: &Env<'_, S, T, R>,
    route: Route,
    req: &HttpRequest,
) -> Res {
    let ctx = env.ctx;
    let Some(user_id) = user_of(req) else {
        return Err(err(
            ctx,
            401,
            "missing_token",
            "the request carries no verified user",
        ));
    };
    env.rate_limit().await?;
    let body = json_body(req, ctx)?;
    let user_id = user_id.as_str();
    let body = &body;
    // Each route's future is boxed: one small state machine here instead of the union of all
    // of them (and their drop glue) inlined into the dispatcher.
    let fut: Routed<'_> = match route {
        Route::Session if req.method() == http::Method::DELETE => Box::pin(delete_session(env)),
        Route::Session => Box::pin(session(env, user_id)),
        Route::Tools => Box::pin(tools(env, user_id, req, body)),
        Route::Search => Box::pin(search(env, user_id, body)),
        Route::Execute => Box::pin(execute(env, user_id, req, body)),
        Route::Toolkits => Box::pin(toolkits(env, user_id, req)),
        Route::Connect => Box::pin(connect(env, user_id, req, body)),
        Route::ConnectStatus => Box::pin(connect_status(env, req)),
        Route::Proxy => Box::pin(proxy(env, user_id, body)),
        _ => return Err(err(ctx, 404, "not_found", "no such route")),
    };
    fut.await
}

/// `POST /v1/session`: create or resume; never `mcp` or a key (SEC-22).
async fn session<S: Store, T: Transport, R: Runtime>(env: &Env<'_, S, T, R>, user_id: &str) -> Res {
    let (rec, resumed) = match env.stored_session().await? {
        Some(r) => (r, true),
        None => (env.create_session(user_id).await?, false),
    };
    Ok(respond::ok(
        env.ctx,
        if resumed { 200 } else { 201 },
        &json!({
            "session_id": rec.get("session_id"),
            "user_id": user_id,
            "resumed": resumed,
            "created_at": rec.get("created_at"),
            "config": rec.get("config"),
            "config_version": rec.get("config_version"),
            "tool_router_tools": rec.get("tool_router_tools"),
            "mode": if env.ctx.emulator_mode { "emulator" } else { "production" },
        }),
    ))
}

/// `DELETE /v1/session`.
async fn delete_session<S: Store, T: Transport, R: Runtime>(env: &Env<'_, S, T, R>) -> Res {
    let Some(rec) = env.stored_session().await? else {
        return Ok(respond::ok(
            env.ctx,
            200,
            &json!({"deleted": false, "session_id": null}),
        ));
    };
    let id = str_at(&rec, "session_id").unwrap_or_default().to_owned();
    match env.up.delete_session(&id).await {
        Ok(_) => {}
        Err(e) if e.is_not_found() => {}
        Err(e) => return Err(env.up_err(&e)),
    }
    env.forget_session().await?;
    env.purge(keys::SCHEMA, "", 0, u64::MAX).await?;
    Ok(respond::ok(
        env.ctx,
        200,
        &json!({"deleted": true, "session_id": id}),
    ))
}

/// `GET /v1/tools?provider=…`, or `POST` with `{custom_tools}`: the session's tools, then the
/// preloaded custom tools (wire §6.5), raw or formatted, and `schemas`: every listed tool's input
/// schema by upper-cased slug (what a client checks arguments against, and restores the keys a
/// provider format sanitized with).
async fn tools<S: Store, T: Transport, R: Runtime>(
    env: &Env<'_, S, T, R>,
    user_id: &str,
    req: &HttpRequest,
    body: &Map,
) -> Res {
    let ctx = env.ctx;
    let q = req.uri().query().unwrap_or("");
    let provider = crate::encoding::query_param(q, "provider")
        .map(|p| p.to_ascii_lowercase())
        .filter(|p| p != "composio");
    let format = match provider.as_deref().map(Provider::parse) {
        None => None,
        Some(Ok(f)) => Some(f),
        Some(Err(_)) => {
            return Err(err(
                ctx,
                400,
                "invalid_provider",
                "provider must be one of openai, openai-responses, anthropic, gemini, vercel",
            ))
        }
    };
    let mut preloaded = Vec::new();
    if let Some(Value::Array(defs)) = custom_tools(body, ctx)? {
        for d in &defs {
            let t = crate::edge::LocalTool::from_json(d)
                .and_then(|t| t.validate().map(|()| t))
                .map_err(|e| match e {
                    crate::Error::InvalidRequest(m) => err(ctx, 400, "invalid_request", &m),
                    _ => err(ctx, 400, "invalid_request", "invalid custom tool"),
                })?;
            if t.preload {
                preloaded.push(crate::edge::tool_json(&t.to_listed_tool()));
            }
        }
    }
    let mut items = env.session_tools(user_id).await?;
    fn slug(t: &Value) -> Option<&str> {
        t.get("slug").and_then(Value::as_str)
    }
    for t in preloaded {
        // A listed tool of the same slug wins (`t` always has one).
        if !items.iter().any(|i| slug(i) == slug(&t)) {
            items.push(t);
        }
    }
    let mut schemas = Map::new();
    for t in &items {
        if let (Some(s), Some(p)) = (slug(t), t.get("input_parameters")) {
            if p.is_object() {
                schemas.insert(s.to_ascii_uppercase(), p.clone());
            }
        }
    }
    let formatted = match format {
        None => Value::Array(items.clone()),
        Some(f) => {
            let mut typed: Vec<Tool> = Vec::new();
            for t in &items {
                if let Some(t) = tool_of(t) {
                    typed.push(t);
                }
            }
            f.format_tools(&typed)
        }
    };
    Ok(respond::ok(
        ctx,
        200,
        &json!({"provider": provider.unwrap_or_else(|| "composio".into()), "tools": formatted,
            "total": items.len(), "schemas": schemas}),
    ))
}

/// A [`Tool`] read straight from the JSON, exactly as `composio_edge::json::from_value::<Tool>` would
/// (`None` where it fails): the typed round trip buffers every tool through serde's `Content`
/// (the `flatten`), which costs the Worker about 10 KB of code.
fn tool_of(v: &Value) -> Option<Tool> {
    fn text(v: Option<&Value>) -> Option<String> {
        match v {
            None => Some(String::new()),
            Some(v) => v.as_str().map(str::to_owned),
        }
    }
    fn opt_text(v: Option<&Value>) -> Option<Option<String>> {
        match v {
            None | Some(Value::Null) => Some(None),
            Some(v) => v.as_str().map(|s| Some(s.to_owned())),
        }
    }
    fn flag(v: Option<&Value>) -> Option<bool> {
        match v {
            None => Some(false),
            Some(v) => v.as_bool(),
        }
    }
    fn list(v: Option<&Value>) -> Option<Vec<String>> {
        let mut out = Vec::new();
        if let Some(v) = v {
            for s in v.as_array()? {
                out.push(s.as_str()?.to_owned());
            }
        }
        Some(out)
    }
    let m = v.as_object()?;
    let toolkit = match m.get("toolkit") {
        None | Some(Value::Null) => None,
        Some(Value::Object(t)) => Some(crate::wire::ToolkitRef {
            slug: t.get("slug")?.as_str()?.to_owned(),
            name: text(t.get("name"))?,
            logo: opt_text(t.get("logo"))?,
        }),
        // A struct also decodes from a sequence of its fields.
        Some(Value::Array(a)) if !a.is_empty() && a.len() <= 3 => Some(crate::wire::ToolkitRef {
            slug: a.first()?.as_str()?.to_owned(),
            name: text(a.get(1))?,
            logo: opt_text(a.get(2))?,
        }),
        Some(_) => return None,
    };
    const KNOWN: [&str; 12] = [
        "slug",
        "name",
        "description",
        "toolkit",
        "input_parameters",
        "output_parameters",
        "no_auth",
        "available_versions",
        "version",
        "scopes",
        "tags",
        "is_deprecated",
    ];
    Some(Tool {
        slug: m.get("slug")?.as_str()?.to_owned(),
        name: text(m.get("name"))?,
        description: text(m.get("description"))?,
        toolkit,
        input_parameters: m.get("input_parameters").cloned().unwrap_or(Value::Null),
        output_parameters: m.get("output_parameters").cloned().unwrap_or(Value::Null),
        no_auth: flag(m.get("no_auth"))?,
        available_versions: list(m.get("available_versions"))?,
        version: opt_text(m.get("version"))?,
        scopes: list(m.get("scopes"))?,
        tags: list(m.get("tags"))?,
        is_deprecated: flag(m.get("is_deprecated"))?,
        extra: {
            let mut extra = Map::new();
            for (k, v) in m {
                if !KNOWN.contains(&k.as_str()) {
                    extra.insert(k.clone(), v.clone());
                }
            }
            extra
        },
    })
}

/// Caches tool input schemas for execute's argument check (a list, not an iterator: one
/// state machine for its three callers).
async fn cache_schemas<S: Store, T: Transport, R: Runtime>(
    env: &Env<'_, S, T, R>,
    schemas: Vec<(String, Value)>,
) -> Result<(), Fail> {
    let now = env.now();
    for (slug, schema) in schemas {
        if !valid_slug(&slug) {
            continue;
        }
        let key = format!("{}{slug}", keys::SCHEMA);
        // Searches return the same schemas again and again, and every storage write holds the
        // response until it is durable (several ms each): rewrite an entry only when it is
        // missing, different, or past half its lifetime. Reads are cheap.
        if let Some(c) = env.get_json(&key).await? {
            let recent = c
                .get("at")
                .and_then(Value::as_u64)
                .is_some_and(|at| at <= now && now - at < SCHEMA_TTL_MS / 2);
            if recent && c.get("schema") == Some(&schema) {
                continue;
            }
        }
        env.put_json(&key, &json!({"at": now, "schema": schema}))
            .await?;
    }
    Ok(())
}

fn valid_slug(s: &str) -> bool {
    super::name_like(s, 128)
}

/// Whether every item passes `ok` (one loop for the list checks).
fn all_values(a: &[Value], ok: fn(&Value) -> bool) -> bool {
    for v in a {
        if !ok(v) {
            return false;
        }
    }
    true
}

fn custom_tools(body: &Map, ctx: &Ctx) -> Result<Option<Value>, Fail> {
    match body.get("custom_tools") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) if a.len() <= 100 && all_values(a, Value::is_object) => {
            Ok(Some(Value::Array(a.clone())))
        }
        Some(_) => Err(err(
            ctx,
            400,
            "invalid_request",
            "custom_tools must be an array of at most 100 tool objects",
        )),
    }
}

/// `POST /v1/search` `{query | queries, toolkits?, custom_tools?}`.
async fn search<S: Store, T: Transport, R: Runtime>(
    env: &Env<'_, S, T, R>,
    user_id: &str,
    body: &Map,
) -> Res {
    let ctx = env.ctx;
    let bad = |m: &str| err(ctx, 400, "invalid_request", m);
    let mut queries = Vec::new();
    match (body.get("query"), body.get("queries")) {
        (Some(Value::String(q)), None) => queries.push(json!({"use_case": q})),
        (None, Some(Value::Array(a))) => {
            for q in a {
                match q {
                    Value::String(s) => queries.push(json!({"use_case": s})),
                    Value::Object(o) if o.get("use_case").is_some_and(Value::is_string) => {
                        let mut item = Map::new();
                        item.insert(
                            "use_case".into(),
                            o.get("use_case").cloned().unwrap_or_default(),
                        );
                        if let Some(k) = o.get("known_fields").filter(|k| k.is_string()) {
                            item.insert("known_fields".into(), k.clone());
                        }
                        queries.push(Value::Object(item));
                    }
                    _ => {
                        return Err(bad(
                            "each query must be a string or {use_case, known_fields?}",
                        ))
                    }
                }
            }
        }
        _ => return Err(bad("give either query (a string) or queries (an array)")),
    }
    if queries.is_empty() || queries.len() > 7 {
        return Err(bad("give between 1 and 7 queries"));
    }
    if queries.iter().any(|q| {
        q.get("use_case")
            .and_then(Value::as_str)
            .is_none_or(|s| s.trim().is_empty() || crate::encoding::char_count(s) > 1024)
    }) {
        return Err(bad("each query must be 1 to 1024 characters"));
    }
    let mut wire = json!({"queries": queries});
    match body.get("toolkits") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) if all_values(a, Value::is_string) => {
            if !a.is_empty() {
                set(&mut wire, "toolkits", Value::Array(a.clone()));
            }
        }
        Some(_) => return Err(bad("toolkits must be an array of strings")),
    }
    if let Some(c) = custom_tools(body, ctx)? {
        set(&mut wire, "experimental", json!({"custom_tools": c}));
    }
    let search = Call::Api(http::Method::POST, "/search".into(), Some(&wire), true);
    let result = env.in_session(user_id, search).await?;
    if let Some(Value::Object(schemas)) = result.get("tool_schemas") {
        let mut full = Vec::new();
        for (slug, s) in schemas {
            let complete = s
                .get("hasFullSchema")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            match s.get("input_schema") {
                Some(input) if complete && input.is_object() => {
                    full.push((slug.clone(), input.clone()));
                }
                _ => {}
            }
        }
        cache_schemas(env, full).await?;
    }
    Ok(respond::ok(ctx, 200, &result))
}

/// Finds the input schema of `slug`: the cache, then one lookup upstream (cold execute = 2
/// requests): `COMPOSIO_GET_TOOL_SCHEMAS` for an app tool, the session's tools for a meta tool
/// (`COMPOSIO_…`); the other is asked only when the first does not know the tool.
/// `Ok(None)` when the API knows no such tool.
async fn schema_for<S: Store, T: Transport, R: Runtime>(
    env: &Env<'_, S, T, R>,
    user_id: &str,
    slug: &str,
) -> Result<Option<Value>, Fail> {
    let key = format!("{}{slug}", keys::SCHEMA);
    if let Some(c) = env.get_json(&key).await? {
        if c.get("at")
            .and_then(Value::as_u64)
            .is_some_and(|at| at + SCHEMA_TTL_MS > env.now())
        {
            return Ok(c.get("schema").cloned());
        }
    }
    let meta = slug.starts_with("COMPOSIO_");
    for from_list in [meta, !meta] {
        // Both lookups recreate the session if the API lost it, so the execute after them
        // uses a live one.
        let found = if from_list {
            schema_from_list(env, user_id, slug).await?
        } else {
            schema_from_api(env, user_id, slug).await?
        };
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// The schema of `slug` from the session's tools (caching every schema of the list).
async fn schema_from_list<S: Store, T: Transport, R: Runtime>(
    env: &Env<'_, S, T, R>,
    user_id: &str,
    slug: &str,
) -> Result<Option<Value>, Fail> {
    let items = env.session_tools(user_id).await?;
    let found = items
        .iter()
        .find(|t| str_at(t, "slug") == Some(slug))
        .map(|t| t.get("input_parameters").cloned().unwrap_or(Value::Null));
    Ok(found)
}

/// The schema of `slug` from `COMPOSIO_GET_TOOL_SCHEMAS` (cached).
async fn schema_from_api<S: Store, T: Transport, R: Runtime>(
    env: &Env<'_, S, T, R>,
    user_id: &str,
    slug: &str,
) -> Result<Option<Value>, Fail> {
    let ask =
        json!({"tool_slug": "COMPOSIO_GET_TOOL_SCHEMAS", "arguments": {"tool_slugs": [slug]}});
    let call = Call::Api(http::Method::POST, "/execute".into(), Some(&ask), false);
    let res = env.in_session(user_id, call).await?;
    let data = res.get("data").unwrap_or(&Value::Null);
    let schemas = data
        .get("tool_schemas")
        .or_else(|| data.get("data").and_then(|d| d.get("tool_schemas")))
        .and_then(Value::as_object);
    let Some(entry) = schemas.and_then(|m| m.get(slug)) else {
        return Ok(None);
    };
    let schema = entry.get("input_schema").cloned().unwrap_or(Value::Null);
    cache_schemas(env, vec![(slug.to_owned(), schema.clone())]).await?;
    Ok(Some(schema))
}

/// `POST /v1/execute` `{tool_slug, arguments, account?, custom_tools?}` with an optional
/// `Idempotency-Key`: arguments are checked against the schema first; a repeated key returns
/// the first result without executing again; execute is never retried.
async fn execute<S: Store, T: Transport, R: Runtime>(
    env: &Env<'_, S, T, R>,
    user_id: &str,
    req: &HttpRequest,
    body: &Map,
) -> Res {
    let ctx = env.ctx;
    let bad = |code: &str, m: &str| err(ctx, 400, code, m);
    let Some(slug) = body
        .get("tool_slug")
        .and_then(Value::as_str)
        .filter(|s| valid_slug(s))
    else {
        return Err(bad(
            "invalid_request",
            "tool_slug must be a tool slug such as GITHUB_CREATE_AN_ISSUE",
        ));
    };
    let arguments = match normalize_arguments(body.get("arguments").unwrap_or(&Value::Null)) {
        Ok(m) => Value::Object(m),
        Err(e) => return Err(bad(e.code(), &e.to_string())),
    };
    let account = match body.get("account") {
        None | Some(Value::Null) => None,
        Some(Value::String(a)) if !a.is_empty() && a.len() <= 256 => Some(a.clone()),
        Some(_) => {
            return Err(bad(
                "invalid_request",
                "account must be a connected account id or alias",
            ))
        }
    };
    let custom = custom_tools(body, ctx)?;

    // Idempotency.
    // Raw bytes, not `header` (text only): a non-ASCII key must be refused, never ignored
    // (ignored, a client's retry would run the tool twice).
    let idem_key = match req.headers().get("idempotency-key").map(|v| v.as_bytes()) {
        None => None,
        Some(k) if !k.is_empty() && k.len() <= 255 && k.iter().all(u8::is_ascii_graphic) => {
            Some(format!("{}{}", keys::IDEM, sha256_hex(k)))
        }
        Some(_) => {
            return Err(bad(
                "invalid_idempotency_key",
                "idempotency-key must be 1 to 255 visible ascii characters",
            ))
        }
    };
    let fingerprint = sha256_hex(
        crate::wire::json::to_text(&json!({"s": slug, "a": arguments, "c": account})).as_bytes(),
    );
    if let Some(k) = &idem_key {
        if let Some(rec) = env.get_json(k).await? {
            let fresh = rec
                .get("at")
                .and_then(Value::as_u64)
                .is_some_and(|at| at + IDEMPOTENCY_TTL_MS > env.now());
            if fresh {
                if str_at(&rec, "fp") != Some(fingerprint.as_str()) {
                    return Err(err(
                        ctx,
                        422,
                        "idempotency_key_reused",
                        "this idempotency-key was used with different arguments",
                    ));
                }
                return match str_at(&rec, "state") {
                    Some("done") => {
                        let status =
                            rec.get("status").and_then(Value::as_u64).unwrap_or(200) as u16;
                        let body = rec.get("body").cloned().unwrap_or(Value::Null);
                        let mut res = respond::ok(ctx, status, &body);
                        res.headers_mut().insert(
                            "idempotent-replayed",
                            http::HeaderValue::from_static("true"),
                        );
                        Ok(res)
                    }
                    _ => Err(err(
                        ctx,
                        409,
                        "idempotency_key_in_progress",
                        "a request with this idempotency-key is still running",
                    )),
                };
            }
        }
    }

    // Schema check first (custom tools carry their own schema).
    let custom_schema = custom.as_ref().and_then(|c| {
        c.as_array()?
            .iter()
            .find(|t| str_at(t, "slug") == Some(slug))?
            .get("input_schema")
            .cloned()
    });
    let schema = match custom_schema {
        Some(s) => Some(s),
        None => schema_for(env, user_id, slug).await?,
    };
    let session_id = env.session_id(user_id).await?;
    let Some(schema) = schema else {
        return Err(err(
            ctx,
            404,
            "tool_not_found",
            &format!("no tool named {slug} in this session"),
        ));
    };
    if let Err(crate::Error::ArgumentValidation { violations, .. }) =
        check_arguments(slug, &schema, &arguments)
    {
        let mut list: Vec<Value> = Vec::new();
        let mut text = String::new();
        for (p, m) in &violations {
            list.push(json!({"path": p, "message": m}));
            if !text.is_empty() {
                text.push_str("; ");
            }
            text.push_str(p);
            text.push(' ');
            text.push_str(m);
        }
        // `respond::error`'s body with the list added to the error object.
        let body = json!({"error": {
            "code": "argument_validation_failed",
            "message": format!("arguments for {slug} do not match its schema: {text}"),
            "request_id": ctx.request_id,
            "violations": list,
        }});
        let res = crate::transport::json_response(400, &body);
        return Err(Box::new(respond::finish(res, ctx)));
    }

    if let Some(k) = &idem_key {
        env.put_json(
            k,
            &json!({"at": env.now(), "fp": fingerprint, "state": "pending"}),
        )
        .await?;
        purge_idempotency(env).await?;
    }
    let mut wire = json!({"tool_slug": slug, "arguments": arguments});
    if let Some(a) = &account {
        set(&mut wire, "account", Value::String(a.clone()));
    }
    if let Some(c) = custom {
        set(&mut wire, "experimental", json!({"custom_tools": c}));
    }
    // The API refused before running the tool (rate limit, credentials): the key is released,
    // so a retry with it runs once. Any other outcome may have run the tool: it is final under
    // this key and never run again.
    let mut not_run = false;
    let (res, body) = match env.up.execute(&session_id, &wire).await {
        Ok(mut v) => {
            let ok = successful(&v);
            if let Value::Object(m) = &mut *v {
                m.insert("successful".into(), Value::Bool(ok));
            }
            (respond::ok(ctx, 200, &v), *v)
        }
        Err(e) => {
            not_run =
                matches!(&e.error, crate::Error::Api(a) if matches!(a.status, 401 | 403 | 429));
            let res = *env.up_err(&e);
            let body = crate::wire::json::parse_bytes(res.body()).unwrap_or(Value::Null);
            (res, body)
        }
    };
    if let Some(k) = &idem_key {
        if not_run {
            env.delete(k).await?;
        } else {
            env.put_json(k, &json!({"at": env.now(), "fp": fingerprint, "state": "done", "status": res.status().as_u16(), "body": body})).await?;
        }
    }
    Ok(res)
}

/// [`ExecuteResponse::successful`] read straight from the JSON (no typed round trip): a body
/// that would not decode as an [`ExecuteResponse`] counts as its default, which is successful.
fn successful(v: &Value) -> bool {
    let Some(m) = v.as_object() else {
        return true;
    };
    let text = |k: &str| match m.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(()),
    };
    let (Ok(result_type), Ok(error)) = (text("result_type"), text("error")) else {
        return true;
    };
    if m.get("log_id").is_some_and(|l| !l.is_string()) {
        return true;
    }
    match result_type {
        Some(t) => t == "completed",
        None => error.is_none(),
    }
}

/// Deletes expired idempotency records, at most every ten minutes.
async fn purge_idempotency<S: Store, T: Transport, R: Runtime>(
    env: &Env<'_, S, T, R>,
) -> Result<(), Fail> {
    let now = env.now();
    let next = env
        .get_json(keys::IDEM_PURGE)
        .await?
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    if now < next {
        return Ok(());
    }
    env.put_json(keys::IDEM_PURGE, &json!(now + 10 * 60 * 1000))
        .await?;
    env.purge(keys::IDEM, "at", IDEMPOTENCY_TTL_MS, now).await
}

/// `GET /v1/toolkits?cursor=&limit=&search=&toolkits=&is_connected=`.
async fn toolkits<S: Store, T: Transport, R: Runtime>(
    env: &Env<'_, S, T, R>,
    user_id: &str,
    req: &HttpRequest,
) -> Res {
    let q = req.uri().query().unwrap_or("");
    let mut out = Vec::new();
    for (k, v) in crate::encoding::parse_query(q) {
        match k.as_str() {
            "limit" => match v.parse::<u64>() {
                Ok(n) if (1..=50).contains(&n) => out.push(format!("limit={n}")),
                _ => {
                    return Err(err(
                        env.ctx,
                        400,
                        "invalid_request",
                        "limit must be between 1 and 50",
                    ))
                }
            },
            "is_connected" => match v.as_str() {
                "true" | "false" => out.push(format!("is_connected={v}")),
                _ => {
                    return Err(err(
                        env.ctx,
                        400,
                        "invalid_request",
                        "is_connected must be true or false",
                    ))
                }
            },
            "cursor" | "search" | "toolkits" if v.len() <= 512 => {
                out.push(format!("{k}={}", crate::encoding::encode_component(&v)));
            }
            _ => {}
        }
    }
    let query = crate::encoding::join(&out, "&");
    let tail = if query.is_empty() {
        "/toolkits".to_owned()
    } else {
        format!("/toolkits?{query}")
    };
    let page = env
        .in_session(user_id, Call::Api(http::Method::GET, tail, None, true))
        .await?;
    let mut items: Vec<Value> = Vec::new();
    let listed = page.get("items").and_then(Value::as_array);
    for t in listed.map_or(&[][..], Vec::as_slice) {
        let no_auth = t
            .get("is_no_auth")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let acct = t.get("connected_account").filter(|a| a.is_object());
        let status = acct.and_then(|a| a.get("status")).and_then(Value::as_str);
        let connection = if no_auth {
            json!({"state": "no_auth", "connected": true})
        } else {
            match (acct, status) {
                (Some(a), Some(s)) => json!({
                    "state": s.to_ascii_lowercase(),
                    "connected": s == "ACTIVE",
                    "connected_account_id": a.get("id"),
                }),
                _ => json!({"state": "not_connected", "connected": false}),
            }
        };
        let mut item = t.clone();
        set(&mut item, "connection", connection);
        items.push(item);
    }
    Ok(respond::ok(
        env.ctx,
        200,
        &json!({
            "items": items,
            "next_cursor": page.get("next_cursor").cloned().unwrap_or(Value::Null),
            "total_pages": page.get("total_pages").cloned().unwrap_or(Value::Null),
            "current_page": page.get("current_page").cloned().unwrap_or(Value::Null),
            "total_items": page.get("total_items").cloned().unwrap_or(Value::Null),
        }),
    ))
}

fn valid_toolkit(s: &str) -> bool {
    super::name_like(s, 64)
}

/// `POST /v1/connect` `{toolkit, return_to?, alias?}` → `{connect_url, connection_id}`.
async fn connect<S: Store, T: Transport, R: Runtime>(
    env: &Env<'_, S, T, R>,
    user_id: &str,
    req: &HttpRequest,
    body: &Map,
) -> Res {
    let ctx = env.ctx;
    let cfg = &env.gw.config;
    let Some(toolkit) = body
        .get("toolkit")
        .and_then(Value::as_str)
        .filter(|t| valid_toolkit(t))
    else {
        return Err(err(
            ctx,
            400,
            "invalid_request",
            "toolkit must be a toolkit slug such as github",
        ));
    };
    let toolkit = toolkit.to_ascii_lowercase();
    let return_to = match body.get("return_to") {
        None | Some(Value::Null) => None,
        Some(Value::String(r)) => match validate_return_to(r, cfg, &ctx.own_origin) {
            Some(u) => Some(u),
            None => {
                return Err(err(
                    ctx,
                    400,
                    "invalid_return_to",
                    "return_to must be a same-origin path or exactly one of EDGE_RETURN_URLS",
                ))
            }
        },
        Some(_) => {
            return Err(err(
                ctx,
                400,
                "invalid_return_to",
                "return_to must be a string",
            ))
        }
    };
    let alias = match body.get("alias") {
        None | Some(Value::Null) => None,
        Some(Value::String(a)) if !a.is_empty() && a.len() <= 128 => Some(a.clone()),
        Some(_) => {
            return Err(err(
                ctx,
                400,
                "invalid_request",
                "alias must be a short string",
            ))
        }
    };
    let Some(user_key) = header(req, internal::USER_KEY).map(str::to_owned) else {
        return Err(err(
            ctx,
            500,
            "internal_error",
            "the request was not dispatched by the gateway front",
        ));
    };
    let now_s = env.now() / 1000;
    purge_flows(env, now_s).await?;
    let exp = now_s + FLOW_TTL_SECONDS;
    let flow_id = random_id(env.rt, 16);
    let key = env.gw.signing_key();
    let sealed = json!({"k": user_key, "f": flow_id, "x": exp});
    let (Some(state), Some(ticket)) = (seal(key, "state", &sealed), seal(key, "ticket", &sealed))
    else {
        return Err(err(ctx, 500, "internal_error", "could not seal the flow"));
    };
    let callback_url = format!("{}/oauth/callback?state={state}", ctx.own_origin);
    let mut link = json!({"toolkit": toolkit, "callback_url": callback_url});
    if let Some(a) = &alias {
        set(&mut link, "alias", Value::String(a.clone()));
    }
    // Never retried: each call starts a new flow.
    let call = Call::Api(http::Method::POST, "/link".into(), Some(&link), false);
    let res = env.in_session(user_id, call).await?;
    let redirect_url = str_at(&res, "redirect_url").unwrap_or_default().to_owned();
    let account_id = str_at(&res, "connected_account_id").map(str::to_owned);
    if !redirect_host_allowed(&redirect_url, cfg, &ctx.own_origin) {
        return Err(err(
            ctx,
            502,
            "upstream_bad_redirect",
            "the composio api returned a connect link on a host that is not allowed (EDGE_REDIRECT_HOSTS)",
        ));
    }
    let session_id = env
        .stored_session()
        .await?
        .and_then(|s| s.get("session_id").cloned())
        .unwrap_or(Value::Null);
    let opener = ctx
        .cors_origin
        .clone()
        .unwrap_or_else(|| ctx.own_origin.clone());
    env.put_json(
        &format!("{}{flow_id}", keys::FLOW),
        &json!({
            "user_id": user_id,
            "session_id": session_id,
            "toolkit": toolkit,
            "connected_account_id": account_id,
            "redirect_url": redirect_url,
            "return_to": return_to,
            "opener_origin": opener,
            "exp": exp,
            "started": false,
        }),
    )
    .await?;
    env.put_json(
        &format!("{}{flow_id}", keys::CONN),
        &json!({"status": "pending", "toolkit": toolkit, "exp": exp}),
    )
    .await?;
    Ok(respond::ok(
        ctx,
        201,
        &json!({
            "connection_id": flow_id,
            "connect_url": format!("{}/oauth/start?ticket={ticket}", ctx.own_origin),
            "toolkit": toolkit,
            "expires_at": crate::transport::rfc3339(exp * 1000),
        }),
    ))
}

/// Deletes expired flows and connection outcomes older than [`OUTCOME_TTL_SECONDS`].
async fn purge_flows<S: Store, T: Transport, R: Runtime>(
    env: &Env<'_, S, T, R>,
    now_s: u64,
) -> Result<(), Fail> {
    for (prefix, keep) in [(keys::FLOW, 0), (keys::CONN, OUTCOME_TTL_SECONDS)] {
        env.purge(prefix, "exp", keep, now_s).await?;
    }
    Ok(())
}

/// `GET /v1/connect/{connection_id}` → `{status, toolkit, connected_account_id?}` (SEC-20).
async fn connect_status<S: Store, T: Transport, R: Runtime>(
    env: &Env<'_, S, T, R>,
    req: &HttpRequest,
) -> Res {
    let path = req.uri().path();
    // (The route has exactly one `/v1/connect/` prefix before an id without `/`.)
    let id = path.strip_prefix("/v1/connect/").unwrap_or(path);
    // (Never empty: the route needs an id.)
    let rec = if super::name_like(id, 64) {
        env.get_json(&format!("{}{id}", keys::CONN)).await?
    } else {
        None
    };
    let Some(rec) = rec else {
        return Err(err(
            env.ctx,
            404,
            "connection_not_found",
            "no such connection for this user",
        ));
    };
    let mut status = str_at(&rec, "status").unwrap_or("pending").to_owned();
    if status == "pending"
        && rec
            .get("exp")
            .and_then(Value::as_u64)
            .is_some_and(|x| env.now() / 1000 >= x)
    {
        status = "expired".into();
    }
    let mut out = json!({"connection_id": id, "status": status, "toolkit": rec.get("toolkit")});
    if let Some(a) = rec.get("connected_account_id").filter(|a| a.is_string()) {
        set(&mut out, "connected_account_id", a.clone());
    }
    if let Some(r) = rec.get("reason").filter(|a| a.is_string()) {
        set(&mut out, "reason", r.clone());
    }
    Ok(respond::ok(env.ctx, 200, &out))
}

/// `POST /v1/proxy` `{toolkit, endpoint, method, body?, parameters?}`.
async fn proxy<S: Store, T: Transport, R: Runtime>(
    env: &Env<'_, S, T, R>,
    user_id: &str,
    body: &Map,
) -> Res {
    let ctx = env.ctx;
    if !env.gw.config.proxy_enabled {
        return Err(err(
            ctx,
            404,
            "proxy_disabled",
            "the proxy route is not enabled (EDGE_PROXY_ENABLED)",
        ));
    }
    let bad = |m: &str| err(ctx, 400, "invalid_request", m);
    let Some(toolkit) = body
        .get("toolkit")
        .and_then(Value::as_str)
        .filter(|t| valid_toolkit(t))
    else {
        return Err(bad("toolkit must be a toolkit slug"));
    };
    let Some(endpoint) = body
        .get("endpoint")
        .and_then(Value::as_str)
        .filter(|e| !e.is_empty() && e.len() <= 2048)
    else {
        return Err(bad("endpoint must be a path or url"));
    };
    let method = body
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("GET")
        .to_ascii_uppercase();
    if !["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"].contains(&method.as_str()) {
        return Err(bad("method must be GET, POST, PUT, DELETE, PATCH or HEAD"));
    }
    let mut wire = json!({"toolkit_slug": toolkit.to_ascii_lowercase(), "endpoint": endpoint, "method": method});
    if let Some(b) = body.get("body").filter(|b| !b.is_null()) {
        set(&mut wire, "body", b.clone());
    }
    match body.get("parameters") {
        None | Some(Value::Null) => {}
        Some(Value::Array(ps)) => {
            let mut out = Vec::new();
            for p in ps {
                let name = str_at(p, "name");
                let kind = p
                    .get("in")
                    .or_else(|| p.get("type"))
                    .and_then(Value::as_str);
                let value = p.get("value");
                match (name, kind, value) {
                    (Some(n), Some(k @ ("query" | "header")), Some(v)) => {
                        let v = v
                            .as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| crate::wire::json::to_text(v));
                        out.push(json!({"name": n, "type": k, "value": v}));
                    }
                    _ => {
                        return Err(bad(
                            "each parameter must be {name, in: query|header, value}",
                        ))
                    }
                }
            }
            if !out.is_empty() {
                set(&mut wire, "parameters", Value::Array(out));
            }
        }
        Some(_) => return Err(bad("parameters must be an array")),
    }
    let session_id = env.session_id(user_id).await?;
    let out = env
        .up
        .proxy(&session_id, &wire)
        .await
        .map_err(|e| env.up_err(&e))?;
    Ok(respond::ok(ctx, 200, &out))
}

/// The page for a ticket or state that does not verify (SEC-08, SEC-15: no redirect).
pub(super) fn invalid_link_page(ctx: &Ctx, route: Route) -> HttpResponse {
    if route == Route::OAuthStart {
        respond::page(ctx, 400, "This sign-in link is not valid", "The link is malformed or has expired. Close this window and start the connection again.", None)
    } else {
        respond::page(ctx, 400, "Connection could not be verified", "The callback is missing its state, or the state is invalid or expired. Nothing was connected. Close this window and start the connection again.", None)
    }
}

fn flow_id_of(gw: &Gateway, req: &HttpRequest, purpose: &str, now_s: u64) -> Option<String> {
    let q = req.uri().query()?;
    let v = crate::encoding::query_param(q, purpose)?;
    let p = unseal(gw.signing_key(), purpose, &v, now_s)?;
    let key = str_at(&p, "k")?;
    if header(req, internal::USER_KEY) != Some(key) {
        return None;
    }
    str_at(&p, "f").map(str::to_owned)
}

/// `GET /oauth/start?ticket=…`: single use; sets the flow cookie and redirects to the
/// checked connect link (SEC-14, SEC-17).
async fn oauth_start<S: Store, T: Transport, R: Runtime>(
    env: &Env<'_, S, T, R>,
    req: &HttpRequest,
) -> Res {
    let ctx = env.ctx;
    let now_s = env.now() / 1000;
    let Some(flow_id) = flow_id_of(env.gw, req, "ticket", now_s) else {
        return Err(Box::new(invalid_link_page(ctx, Route::OAuthStart)));
    };
    let key = format!("{}{flow_id}", keys::FLOW);
    let Some(mut flow) = env.get_json(&key).await? else {
        return Err(page(ctx, 400, "This sign-in link was already used", "This link has expired or was already used. Close this window and start the connection again."));
    };
    if flow.get("started").and_then(Value::as_bool) == Some(true) {
        return Err(page(ctx, 400, "This sign-in link was already used", "Each sign-in link can be opened once. Close this window and start the connection again."));
    }
    let exp = flow.get("exp").and_then(Value::as_u64).unwrap_or(0);
    let redirect_url = str_at(&flow, "redirect_url").unwrap_or_default().to_owned();
    if !redirect_host_allowed(&redirect_url, &env.gw.config, &ctx.own_origin) {
        return Err(page(ctx, 502, "The connect page is not on an allowed host", "The connection service returned a link that this gateway does not trust. Nothing was opened."));
    }
    let mut nonce = [0u8; 32];
    env.rt.fill_random(&mut nonce);
    let nonce = crate::encoding::base64url_encode(&nonce);
    set(&mut flow, "started", Value::Bool(true));
    set(
        &mut flow,
        "cookie_hash",
        Value::String(sha256_hex(nonce.as_bytes())),
    );
    env.put_json(&key, &flow).await?;
    let cookie = respond::flow_cookie(
        &respond::flow_cookie_name(&flow_id),
        &nonce,
        exp.saturating_sub(now_s),
    );
    let mut res = respond::redirect(ctx, &redirect_url, Some(&cookie));
    *res.status_mut() = http::StatusCode::FOUND;
    Ok(res)
}

/// `GET /oauth/callback?state=…&status=…&connected_account_id=…` (SEC-06…09, SEC-12…18,
/// SEC-27): check cookie and state, read the account from the API, then consume the state
/// atomically and record the outcome.
async fn oauth_callback<S: Store, T: Transport, R: Runtime>(
    env: &Env<'_, S, T, R>,
    req: &HttpRequest,
) -> Res {
    let ctx = env.ctx;
    let now_s = env.now() / 1000;
    let Some(flow_id) = flow_id_of(env.gw, req, "state", now_s) else {
        return Err(Box::new(invalid_link_page(ctx, Route::OAuthCallback)));
    };
    let key = format!("{}{flow_id}", keys::FLOW);
    let cookie_name = respond::flow_cookie_name(&flow_id);
    let clear = respond::flow_cookie(&cookie_name, "", 0);
    let fail = |status: u16, title: &str, text: &str| page(ctx, status, title, text);
    let Some(flow) = env.get_json(&key).await? else {
        return Err(fail(
            400,
            "This connection was already completed",
            "The state was already used or has expired. Nothing was changed.",
        ));
    };
    // 1. Browser binding (SEC-06): the cookie set by /oauth/start in this browser.
    let expected = str_at(&flow, "cookie_hash").unwrap_or("");
    let given = respond::cookie(req, &cookie_name).map(|c| sha256_hex(c.as_bytes()));
    match given {
        None => return Err(fail(400, "Connection could not be verified", "The flow cookie is missing: finish the connection in the same browser window that started it. Nothing was connected.")),
        Some(g) if expected.is_empty() || !crate::secret::constant_time_eq(g.as_bytes(), expected.as_bytes()) => {
            return Err(fail(400, "Connection could not be verified", "This browser did not start this connection. Nothing was connected."))
        }
        Some(_) => {}
    }
    let toolkit = str_at(&flow, "toolkit").unwrap_or_default().to_owned();
    let owner = str_at(&flow, "user_id").unwrap_or_default().to_owned();
    let opener = str_at(&flow, "opener_origin")
        .unwrap_or(&ctx.own_origin)
        .to_owned();
    let q = req.uri().query().unwrap_or("");
    let reported = crate::encoding::query_param(q, "status");
    let account_id = crate::encoding::query_param(q, "connected_account_id")
        .or_else(|| crate::encoding::query_param(q, "connectedAccountId"))
        .or_else(|| str_at(&flow, "connected_account_id").map(str::to_owned));
    let Some(account_id) = account_id.filter(|a| super::name_like(a, 128)) else {
        return Err(fail(
            400,
            "Connection could not be verified",
            "The callback names no valid connected account. Nothing was connected.",
        ));
    };

    // 2. Never trust the query (SEC-09): read the account, polling briefly while INITIATED.
    let mut account = Box::<Value>::default();
    for i in 0..CALLBACK_POLLS {
        account = match env.up.connected_account(&account_id).await {
            Ok(a) => a,
            Err(e) if e.is_not_found() => {
                return Err(fail(400, "Connection could not be verified", "The connected account does not exist. Nothing was connected."))
            }
            Err(_) => {
                return Err(fail(502, "Connection could not be confirmed", "The connection service could not be reached to confirm the account. Reload this page to try again."))
            }
        };
        let st = str_at(&account, "status").unwrap_or("");
        if !matches!(st, "INITIATED" | "INITIALIZING")
            || reported.as_deref() == Some("failed")
            || i + 1 == CALLBACK_POLLS
        {
            break;
        }
        env.rt.sleep(CALLBACK_POLL_MS).await;
    }
    let acct_user = str_at(&account, "user_id").unwrap_or("");
    let acct_toolkit = account
        .get("toolkit")
        .and_then(|t| str_at(t, "slug").or_else(|| t.as_str()))
        .unwrap_or("")
        .to_ascii_lowercase();
    if acct_user != owner || acct_toolkit != toolkit {
        return Err(fail(
            400,
            "Connection could not be verified",
            "The connected account does not belong to this sign-in. Nothing was connected.",
        ));
    }
    let status = str_at(&account, "status").unwrap_or("").to_owned();
    let outcome = match status.as_str() {
        "ACTIVE" => "active",
        "FAILED" | "EXPIRED" | "REVOKED" | "INACTIVE" => "failed",
        _ if reported.as_deref() == Some("failed") => "failed",
        _ => {
            return Err(fail(
                504,
                "Connection still pending",
                "The account is not active yet. Reload this page in a moment.",
            ));
        }
    };

    // 3. Consume atomically (SEC-07, SEC-27): the state may have been used while we read.
    if env.get_json(&key).await?.is_none() {
        return Err(fail(
            400,
            "This connection was already completed",
            "The state was already used. Nothing was changed.",
        ));
    }
    env.delete(&key).await?;
    let mut record = json!({
        "status": outcome,
        "toolkit": toolkit,
        "connected_account_id": account_id,
        "completed_at": crate::transport::rfc3339(env.now()),
        "exp": flow.get("exp").cloned().unwrap_or(Value::Null),
    });
    if outcome == "failed" {
        let reason = str_at(&account, "status_reason")
            .map(str::to_owned)
            .unwrap_or_else(|| format!("connection status {}", status.to_ascii_lowercase()));
        set(
            &mut record,
            "reason",
            Value::String(reason.chars().take(200).collect()),
        );
    }
    env.put_json(&format!("{}{flow_id}", keys::CONN), &record)
        .await?;

    let message = json!({"type": "composio-edge:connect", "connection_id": flow_id, "status": outcome, "toolkit": toolkit, "connected_account_id": account_id});
    if let Some(rt) = str_at(&flow, "return_to") {
        // Validated at connect time; validated again in case the configuration changed.
        if let Some(to) = validate_return_to(rt, &env.gw.config, &ctx.own_origin) {
            return Ok(respond::redirect(ctx, &to, Some(&clear)));
        }
    }
    let (title, text) = if outcome == "active" {
        (
            "Connected",
            format!("Your {toolkit} account is connected. You can close this window."),
        )
    } else {
        (
            "Connection failed",
            format!("Connecting {toolkit} did not succeed. Close this window and try again."),
        )
    };
    let res = respond::page(ctx, 200, title, &text, Some((&message, &opener)));
    Ok(respond::with_cookie(res, &clear))
}

#[cfg(test)]
mod tests {
    use super::{successful, tool_of};
    use crate::json;
    use crate::json::Value;
    use crate::wire::{ExecuteResponse, Tool};

    /// The direct read of a tool agrees with serde's (and fails where it fails).
    #[test]
    fn tool_of_matches_serde() {
        let full = json!({"slug": "GMAIL_SEND_EMAIL", "name": "Send", "description": "d",
            "toolkit": {"slug": "gmail", "name": "Gmail", "logo": "https://l", "x": 1},
            "input_parameters": {"type": "object"}, "output_parameters": {"type": "object"},
            "no_auth": true, "available_versions": ["1", "2"], "version": "2", "scopes": ["s"],
            "tags": ["readOnlyHint"], "is_deprecated": false, "extra_b": [1], "extra_a": {"k": null}});
        let mut cases = vec![
            full.clone(),
            json!({"slug": "X"}),
            json!({"slug": "X", "toolkit": null, "version": null, "logo": null}),
            json!({"slug": "X", "toolkit": {"slug": "t"}}),
            json!({"slug": "X", "toolkit": {"slug": "t", "logo": null}}),
            json!({"slug": "X", "toolkit": {"name": "t"}}),
            json!({"slug": "X", "toolkit": ["t", "T", "l"]}),
            json!({"slug": "X", "toolkit": ["t"]}),
            json!({"slug": "X", "toolkit": ["t", "T", "l", "extra"]}),
            json!({"slug": "X", "toolkit": []}),
            json!({"slug": "X", "toolkit": "gmail"}),
            json!({"slug": "X", "input_parameters": null, "output_parameters": 3}),
            json!({"slug": 5}),
            json!({"slug": null}),
            json!({"name": "no slug"}),
            json!({"slug": "X", "name": null}),
            json!({"slug": "X", "description": 1}),
            json!({"slug": "X", "no_auth": null}),
            json!({"slug": "X", "no_auth": "true"}),
            json!({"slug": "X", "is_deprecated": 1}),
            json!({"slug": "X", "scopes": null}),
            json!({"slug": "X", "scopes": ["a", 1]}),
            json!({"slug": "X", "tags": "a"}),
            json!({"slug": "X", "available_versions": []}),
            json!({"slug": "X", "version": 2}),
            json!([1, 2]),
            json!("X"),
            Value::Null,
        ];
        for k in ["toolkit", "scopes", "version", "name"] {
            let mut v = full.clone();
            v[k] = json!(true);
            cases.push(v);
        }
        for v in cases {
            let typed: Option<Tool> = crate::json::from_value(v.clone()).ok();
            assert_eq!(tool_of(&v), typed, "{v}");
        }
    }

    /// The direct read agrees with the typed one (and its default) on every shape.
    #[test]
    fn successful_matches_the_typed_response() {
        let cases = [
            json!({"result_type": "completed", "data": {}, "error": null, "log_id": "l"}),
            json!({"result_type": "failed", "data": {}, "error": "x", "log_id": "l"}),
            json!({"result_type": "input_required"}),
            json!({"data": {}, "error": null, "log_id": "l"}),
            json!({"data": {}, "error": "boom", "log_id": "l"}),
            json!({"error": "boom"}),
            json!({"result_type": null, "error": "boom"}),
            json!({"result_type": 3, "error": "boom"}),
            json!({"error": 5}),
            json!({"error": "boom", "log_id": null}),
            json!({"error": "boom", "log_id": 7}),
            json!({"error": "boom", "extra": {"a": 1}}),
            json!({}),
            json!([1, 2]),
            json!("text"),
            Value::Null,
        ];
        for v in cases {
            let typed: ExecuteResponse = crate::json::from_value(v.clone()).unwrap_or_default();
            assert_eq!(successful(&v), typed.successful(), "{v}");
        }
    }
}

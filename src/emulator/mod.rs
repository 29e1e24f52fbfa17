//! A local, stateful emulator of the Tool Router v3.1 API.
//!
//! Contract (shared with the Worker shell and the gateway): [`Emulator::handle`] is a pure
//! `http` request → response handler over a [`Store`] and a [`Runtime`]. Requests carry an
//! absolute URI so the emulator knows its own public origin (for connect links). A response with
//! the header [`DROP_CONNECTION_HEADER`] asks the shell to drop the connection instead.
//!
//! All state lives in the store under per-entity keys (`session/<id>`, `account/<id>`,
//! `link/<token>`, `user/<uid>/<toolkit>`, `emulator/faults` …) and is loaded per request, so
//! the emulator works unchanged inside a Durable Object. Ids and time come from the runtime, so
//! native tests with [`crate::runtime::TestRuntime`] are deterministic.
//!
//! Routes:
//! - `/api/v3.1/…` (and `/api/v3/…`): every session endpoint of the wire reference §2;
//! - `/link/{token}`: the hosted consent page (GET) and its form (POST `decision=allow|deny`);
//! - `/tool_router/{session_id}/mcp`: a minimal MCP endpoint (JSON-RPC over POST: `initialize`,
//!   `tools/list`, `tools/call`);
//! - `/__emulator/faults` (POST queue, GET list, DELETE clear), `/__emulator/reset` (POST),
//!   `/__emulator/files/{token}` (presigned-URL stand-in for file mounts).
//!
//! ```
//! use composio_edge::http;
//! use composio_edge::emulator::Emulator;
//! use composio_edge::runtime::{block_on, TestRuntime};
//! use composio_edge::store::MemoryStore;
//! let (emu, store, rt) = (Emulator::new(), MemoryStore::default(), TestRuntime::new(1_700_000_000_000));
//! let req = http::Request::post("http://127.0.0.1:8787/api/v3.1/tool_router/session")
//!     .header("x-api-key", "ak_dev")
//!     .body(br#"{"user_id":"u1"}"#.to_vec())
//!     .unwrap();
//! let res = block_on(emu.handle(req, &store, &rt));
//! assert_eq!(res.status(), 201);
//! let body: composio_edge::json::Value = serde_json::from_slice(res.body()).unwrap();
//! assert!(body["session_id"].as_str().unwrap().starts_with("trs_"));
//! ```

use crate::json;
use crate::json::{Map, Value};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::http;
use crate::runtime::Runtime;
use crate::store::Store;
use crate::transport::{json_response, HttpRequest, HttpResponse, Transport};
use crate::Error;

mod apps;
pub mod catalog;
mod connect;
mod exec;
mod faults;
mod files;
mod mcp;
mod search;
mod session;

/// Response header by which fault injection asks a shell to drop the connection.
pub const DROP_CONNECTION_HEADER: &str = "x-emulator-fault";

/// Largest request body the emulator accepts (bytes).
pub const MAX_BODY: usize = 2 * 1024 * 1024;

/// Largest JSON value stored under one key (a Durable Object value holds at most 128 KiB).
pub const MAX_VALUE: usize = 120 * 1024;

/// The Tool Router emulator.
#[derive(Clone, Debug, Default)]
pub struct Emulator {}

impl Emulator {
    /// A new emulator with the built-in catalog.
    pub fn new() -> Self {
        Self {}
    }

    /// Handles one request.
    pub async fn handle<S: Store, R: Runtime>(
        &self,
        req: HttpRequest,
        store: &S,
        rt: &R,
    ) -> HttpResponse {
        let request_id = request_id(&req, rt);
        let ctx = Ctx {
            store,
            rt,
            origin: origin_of(&req),
            request_id: request_id.clone(),
        };
        let mut res = match route(&ctx, req).await {
            Ok(res) => res,
            Err(e) => e.into_response(&request_id),
        };
        if let Ok(v) = http::HeaderValue::from_str(&request_id) {
            res.headers_mut().insert("x-request-id", v);
        }
        res
    }
}

/// A [`Transport`] that calls an [`Emulator`] in-process (native tests, benchmarks).
pub struct InProcess<S, R> {
    /// The emulator.
    pub emulator: Emulator,
    /// Its state.
    pub store: S,
    /// Clock and entropy.
    pub runtime: R,
}

impl<S: Store, R: Runtime> Transport for InProcess<S, R> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        let res = self
            .emulator
            .handle(request, &self.store, &self.runtime)
            .await;
        if res
            .headers()
            .get(DROP_CONNECTION_HEADER)
            .is_some_and(|v| v == "drop")
        {
            return Err(crate::transport::transport_error(
                crate::error::TransportErrorKind::Connect,
                "connection dropped",
            ));
        }
        Ok(res)
    }
}

// ---------------------------------------------------------------------------------------------
// Request context and helpers shared by the submodules.

pub(crate) struct Ctx<'a, S, R> {
    pub store: &'a S,
    pub rt: &'a R,
    /// `scheme://host[:port]` of the request.
    pub origin: String,
    pub request_id: String,
}

impl<S: Store, R: Runtime> Ctx<'_, S, R> {
    pub fn now_ms(&self) -> u64 {
        self.rt.now_ms()
    }

    /// `prefix` + 12 url-safe random characters.
    pub fn new_id(&self, prefix: &str) -> String {
        format!("{prefix}{}", random_chars(self.rt, 12))
    }

    pub async fn get_json<T: DeserializeOwned>(&self, key: &str) -> Res<Option<T>> {
        match self.store.get(key).await.map_err(ApiErr::storage)? {
            None => Ok(None),
            Some(s) => serde_json::from_str(&s)
                .map(Some)
                .map_err(|e| ApiErr::internal(format!("corrupt state at {key}: {e}"))),
        }
    }

    pub async fn put_json<T: Serialize>(&self, key: &str, value: &T) -> Res<()> {
        let s = serde_json::to_string(value).map_err(|e| ApiErr::internal(e.to_string()))?;
        if s.len() > MAX_VALUE {
            return Err(ApiErr::new(
                413,
                "Emulator_StateTooLarge",
                "this change would exceed the emulator's per-entity storage limit",
            )
            .fix("Reset the emulator with POST /__emulator/reset, or keep sessions and tool state smaller."));
        }
        self.store.put(key, s).await.map_err(ApiErr::storage)
    }

    /// Every value under `prefix` that decodes as `T` (others are skipped).
    pub async fn list_json<T: DeserializeOwned>(&self, prefix: &str) -> Res<Vec<T>> {
        let rows = self.store.list(prefix).await.map_err(ApiErr::storage)?;
        Ok(rows
            .into_iter()
            .filter_map(|(_, v)| serde_json::from_str(&v).ok())
            .collect())
    }
}

pub(crate) fn random_chars<R: Runtime>(rt: &R, n: usize) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut buf = vec![0u8; n];
    rt.fill_random(&mut buf);
    buf.iter().map(|b| A[(b & 63) as usize] as char).collect()
}

fn request_id<R: Runtime>(req: &HttpRequest, rt: &R) -> String {
    let incoming = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    match incoming {
        Some(v) => v.to_owned(),
        None => {
            let mut b = [0u8; 16];
            rt.fill_random(&mut b);
            crate::encoding::hex(&b)
        }
    }
}

fn origin_of(req: &HttpRequest) -> String {
    let uri = req.uri();
    let scheme = uri.scheme_str().unwrap_or("http");
    let host = uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| {
            req.headers()
                .get(http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{scheme}://{host}")
}

/// Result type of the handlers.
pub(crate) type Res<T> = Result<T, ApiErr>;

/// An error answered with the §1.5 envelope (boxed: it travels in every `Result`).
#[derive(Debug)]
pub(crate) struct ApiErr(Box<ApiErrData>);

impl std::ops::Deref for ApiErr {
    type Target = ApiErrData;
    fn deref(&self) -> &ApiErrData {
        &self.0
    }
}

impl std::ops::DerefMut for ApiErr {
    fn deref_mut(&mut self) -> &mut ApiErrData {
        &mut self.0
    }
}

#[derive(Debug)]
pub(crate) struct ApiErrData {
    pub status: u16,
    pub slug: String,
    pub message: String,
    pub suggested_fix: Option<String>,
    pub errors: Vec<String>,
    pub headers: Vec<(String, String)>,
}

impl ApiErr {
    pub fn new(status: u16, slug: &str, message: impl Into<String>) -> Self {
        Self(Box::new(ApiErrData {
            status,
            slug: slug.to_owned(),
            message: message.into(),
            suggested_fix: None,
            errors: Vec::new(),
            headers: Vec::new(),
        }))
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message).fix("Please check the payload.")
    }
    pub fn not_found(slug: &str, message: impl Into<String>) -> Self {
        Self::new(404, slug, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalServerError", message)
    }
    pub fn storage(e: Error) -> Self {
        Self::internal(format!("emulator state unavailable: {e}"))
    }
    pub fn fix(mut self, fix: &str) -> Self {
        self.suggested_fix = Some(fix.to_owned());
        self
    }
    pub fn with_errors(mut self, errors: Vec<String>) -> Self {
        self.errors = errors;
        self
    }

    pub fn envelope(&self, request_id: &str) -> Value {
        let mut e = Map::new();
        e.insert("message".into(), json!(self.message));
        e.insert("code".into(), json!(10_000 + u64::from(self.status)));
        e.insert("slug".into(), json!(self.slug));
        e.insert("status".into(), json!(self.status));
        e.insert("request_id".into(), json!(request_id));
        if let Some(f) = &self.suggested_fix {
            e.insert("suggested_fix".into(), json!(f));
        }
        if !self.errors.is_empty() {
            e.insert("errors".into(), json!(self.errors));
        }
        json!({ "error": e })
    }

    pub fn into_response(self, request_id: &str) -> HttpResponse {
        let mut res = json_response(self.status, &self.envelope(request_id));
        for (k, v) in &self.headers {
            if let (Ok(k), Ok(v)) = (
                http::HeaderName::from_bytes(k.as_bytes()),
                http::HeaderValue::from_str(v),
            ) {
                res.headers_mut().insert(k, v);
            }
        }
        res
    }
}

/// A JSON success response.
pub(crate) fn ok(status: u16, body: &Value) -> Res<HttpResponse> {
    Ok(json_response(status, body))
}

/// Sets static headers on a response.
fn set_headers(res: &mut HttpResponse, headers: &[(&'static str, &'static str)]) {
    for (k, v) in headers {
        res.headers_mut()
            .insert(*k, http::HeaderValue::from_static(v));
    }
}

/// An HTML response with a strict content-security policy.
pub(crate) fn html_response(status: u16, body: String) -> HttpResponse {
    let mut res = http::Response::new(body.into_bytes());
    *res.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
    set_headers(
        &mut res,
        &[
            ("content-type", "text/html; charset=utf-8"),
            ("cache-control", "no-store"),
            (
                "content-security-policy",
                "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
            ),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "no-referrer"),
        ],
    );
    res
}

pub(crate) use crate::encoding::escape_html;

/// Parses a JSON request body: empty → `{}`; anything but an object → 400.
pub(crate) fn json_body(body: &[u8]) -> Res<Map> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiErr::bad_request("request body must be a JSON object")),
        Err(e) => Err(ApiErr::bad_request(format!("malformed JSON body: {e}"))
            .fix("Send a valid JSON object with content-type: application/json.")),
    }
}

/// A string field, if present and a string.
pub(crate) fn str_field<'a>(m: &'a Map, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Value::as_str)
}

/// Encodes an offset-based page position as an opaque cursor.
pub(crate) fn encode_cursor(offset: usize, limit: usize) -> String {
    crate::encoding::base64url_encode(format!("{offset}:{limit}").as_bytes())
}

/// Decodes a cursor made by [`encode_cursor`] into its offset.
pub(crate) fn decode_cursor(cursor: &str) -> Res<usize> {
    crate::encoding::base64url_decode(cursor.trim_end_matches('='))
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split(':').next().and_then(|o| o.parse().ok()))
        .ok_or_else(|| {
            ApiErr::bad_request("invalid cursor").fix("Pass back next_cursor unchanged.")
        })
}

/// Pages `items` from a query's `cursor` and `limit` (default `default`, at most `max`).
pub(crate) fn paginate(
    items: Vec<Value>,
    query: &[(String, String)],
    default: usize,
    max: usize,
) -> Res<Value> {
    let limit = match qp(query, "limit") {
        Some(l) => l
            .parse::<usize>()
            .map_err(|_| ApiErr::bad_request("limit must be a positive integer"))?
            .clamp(1, max),
        None => default,
    };
    let offset = match qp(query, "cursor").filter(|c| !c.is_empty()) {
        Some(c) => decode_cursor(c)?,
        None => 0,
    };
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
    let end = offset + page.len();
    let next = if end < total {
        json!(encode_cursor(end, limit))
    } else {
        Value::Null
    };
    Ok(json!({
        "items": page,
        "next_cursor": next,
        "total_pages": total.div_ceil(limit).max(1),
        "current_page": offset / limit + 1,
        "total_items": total,
    }))
}

/// The first value of a query parameter.
pub(crate) fn qp<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

// ---------------------------------------------------------------------------------------------
// Routing.

async fn route<S: Store, R: Runtime>(ctx: &Ctx<'_, S, R>, req: HttpRequest) -> Res<HttpResponse> {
    let path = req.uri().path().to_owned();
    if let Some(rest) = path.strip_prefix("/__emulator") {
        return faults::control(ctx, req, rest).await;
    }
    if req.body().len() > MAX_BODY {
        return Err(ApiErr::new(
            413,
            "PayloadTooLarge",
            "request body too large",
        ));
    }
    let fault = faults::take(ctx, &path).await?;
    if let Some(ms) = fault.as_ref().and_then(|f| f.latency_ms) {
        ctx.rt.sleep(ms).await;
    }
    if let Some(f) = &fault {
        if let Some(res) = f.immediate(ctx) {
            return Ok(res);
        }
    }
    let res = match dispatch(ctx, req, &path).await {
        Ok(r) => r,
        Err(e) => e.into_response(&ctx.request_id),
    };
    Ok(match fault {
        Some(f) => f.mangle(res),
        None => res,
    })
}

async fn dispatch<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    req: HttpRequest,
    path: &str,
) -> Res<HttpResponse> {
    if let Some(token) = path.strip_prefix("/link/") {
        return connect::link_page(ctx, req, token).await;
    }
    if let Some(id) = path
        .strip_prefix("/tool_router/")
        .and_then(|p| p.strip_suffix("/mcp"))
        .filter(|id| !id.contains('/'))
    {
        authenticate(&req)?;
        return mcp::handle(ctx, req, id).await;
    }
    let api = path
        .strip_prefix("/api/v3.1/")
        .or_else(|| path.strip_prefix("/api/v3/"));
    let Some(api) = api else {
        return Err(not_found_route(path));
    };
    if req.method() == http::Method::OPTIONS {
        return Ok(preflight());
    }
    authenticate(&req)?;
    let segs: Vec<&str> = api.trim_end_matches('/').split('/').collect();
    let method = req.method().clone();
    let query = crate::encoding::parse_query(req.uri().query().unwrap_or(""));
    let body = req.into_body();
    use crate::http::Method as M;
    let allow = |allowed: &[M]| -> Res<()> {
        if allowed.contains(&method) {
            Ok(())
        } else {
            let names: Vec<&str> = allowed.iter().map(M::as_str).collect();
            let mut e = ApiErr::new(
                405,
                "HTTP_MethodNotAllowed",
                format!("method {method} is not allowed on this route"),
            );
            e.headers.push(("allow".into(), names.join(", ")));
            Err(e)
        }
    };
    let mut res = match segs.as_slice() {
        ["tool_router", "session"] => {
            allow(&[M::POST])?;
            session::create(ctx, json_body(&body)?).await?
        }
        ["tool_router", "session", id] => {
            allow(&[M::GET, M::PATCH, M::DELETE])?;
            match method {
                M::GET => session::retrieve(ctx, id).await?,
                M::PATCH => session::patch(ctx, id, json_body(&body)?).await?,
                _ => session::delete(ctx, id).await?,
            }
        }
        ["tool_router", "session", id, op] => {
            let op = *op;
            let get_ops = ["config_history", "tools", "toolkits"];
            let post_ops = [
                "attach",
                "search",
                "execute",
                "execute_meta",
                "link",
                "proxy_execute",
            ];
            if get_ops.contains(&op) {
                allow(&[M::GET])?;
            } else if post_ops.contains(&op) {
                allow(&[M::POST])?;
            } else {
                return Err(not_found_route(path));
            }
            let sess = session::load(ctx, id).await?;
            match op {
                "config_history" => session::config_history(&sess, &query)?,
                "tools" => session::tools(&sess, &query)?,
                "toolkits" => session::toolkits(ctx, &sess, &query).await?,
                "attach" => session::attach(ctx, &sess, json_body(&body)?)?,
                "search" => search::search_endpoint(ctx, &sess, json_body(&body)?).await?,
                "execute" => exec::execute_endpoint(ctx, &sess, json_body(&body)?, false).await?,
                "execute_meta" => {
                    exec::execute_endpoint(ctx, &sess, json_body(&body)?, true).await?
                }
                "link" => connect::session_link(ctx, &sess, json_body(&body)?).await?,
                _ => exec::proxy_execute(ctx, &sess, json_body(&body)?).await?,
            }
        }
        ["tool_router", "session", id, "mounts", mount, op] => {
            match *op {
                "items" => allow(&[M::GET])?,
                "upload_url" | "download_url" | "delete" => allow(&[M::POST])?,
                _ => return Err(not_found_route(path)),
            }
            let sess = session::load(ctx, id).await?;
            files::mount_op(ctx, &sess, mount, op, &query, &body).await?
        }
        ["connected_accounts"] => {
            allow(&[M::GET])?;
            connect::list_accounts(ctx, &query).await?
        }
        ["connected_accounts", "link"] => {
            allow(&[M::POST])?;
            connect::account_link(ctx, json_body(&body)?).await?
        }
        ["connected_accounts", id] => {
            allow(&[M::GET])?;
            connect::retrieve_account(ctx, id).await?
        }
        ["session_configs"] => {
            allow(&[M::GET])?;
            paginate(Vec::new(), &query, 20, 100).map(|v| json_response(200, &v))?
        }
        ["session_configs", id] => {
            allow(&[M::GET])?;
            return Err(ApiErr::not_found(
                "SessionConfig_NotFound",
                format!("session config {id} not found"),
            ));
        }
        _ => return Err(not_found_route(path)),
    };
    res.headers_mut().insert(
        "access-control-allow-origin",
        http::HeaderValue::from_static("*"),
    );
    Ok(res)
}

fn not_found_route(path: &str) -> ApiErr {
    let shown: String = path.chars().take(200).collect();
    ApiErr::not_found("HTTP_NotFound", format!("route not found: {shown}"))
        .fix("See the Tool Router v3.1 API reference for the available routes.")
}

fn preflight() -> HttpResponse {
    let mut res = http::Response::new(Vec::new());
    *res.status_mut() = http::StatusCode::NO_CONTENT;
    set_headers(
        &mut res,
        &[
            ("access-control-allow-origin", "*"),
            (
                "access-control-allow-methods",
                "GET, POST, PATCH, DELETE, OPTIONS",
            ),
            (
                "access-control-allow-headers",
                "content-type, x-api-key, x-user-api-key, x-request-id",
            ),
            ("access-control-max-age", "600"),
        ],
    );
    res
}

fn authenticate(req: &HttpRequest) -> Res<()> {
    let present = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| !v.trim().is_empty())
    };
    let modes = ["x-api-key", "x-user-api-key", "x-org-api-key"]
        .iter()
        .filter(|h| present(h))
        .count();
    if modes > 1 {
        return Err(ApiErr::new(
            401,
            "HTTP_Unauthorized",
            "Multiple authentication modes were provided. Provide exactly one authentication mode per request: x-api-key, x-user-api-key or x-org-api-key.",
        )
        .fix("Send exactly one credential header."));
    }
    if present("x-api-key") || present("x-user-api-key") {
        return Ok(());
    }
    Err(ApiErr::new(
        401,
        "HTTP_Unauthorized",
        "Missing API key. Pass a project API key in the x-api-key header.",
    )
    .fix("The local emulator accepts any non-empty x-api-key."))
}

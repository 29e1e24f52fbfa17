//! The client of the gateway's `/v1` API (what the browser package wraps): tokens, session,
//! search, execute with browser-local custom tools, toolkits and connection status.
//!
//! Pure Rust: HTTP goes through a [`Transport`], time and entropy come from a [`Runtime`], and the
//! bearer token from a [`TokenProvider`]. The browser shell plugs in the global `fetch`, JS timers
//! and an async JS `getToken`; native tests plug in a recording fake or the gateway in-process.
//!
//! ```
//! use composio_edge::edge::{EdgeClient, StaticToken};
//! use composio_edge::runtime::{block_on, TestRuntime};
//! use composio_edge::transport::{json_response, RecordingTransport};
//!
//! let t = std::rc::Rc::new(RecordingTransport::new());
//! t.push(json_response(200, &composio_edge::json!({"session_id": "trs_1"})));
//! let client = EdgeClient::new("https://gw.example", t.clone(), TestRuntime::new(0), StaticToken::new("tok")).unwrap();
//! let session = block_on(client.session()).unwrap();
//! assert_eq!(session.session_id, "trs_1");
//! assert_eq!(t.requests()[0].uri(), "https://gw.example/v1/session");
//! ```

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::http;
use crate::http::Method;
use crate::json;
use crate::json::{Map, Value};

use crate::error::TransportErrorKind;
use crate::provider::Provider;
use crate::runtime::Runtime;
use crate::tools::args::normalize_arguments;
use crate::tools::multi::{merge_multi_execute, plan_multi_execute, MultiPlan};
use crate::tools::schema::check_arguments;
use crate::transport::{
    retry_delay_ms, should_retry, transport_error, HttpResponse, RetryPolicy, Timeout, Transport,
};
use crate::wire::{api_error_from_response, ExecuteResponse, Tool};
use crate::Error;

#[cfg(all(target_arch = "wasm32", feature = "wasm"))]
pub(crate) mod js;
mod local;
pub mod ops;
mod token;
mod types;

pub use local::{LocalFuture, LocalHandler, LocalTool, LocalTools};
pub use token::{AccessToken, StaticToken, TokenProvider, REFRESH_MARGIN_MS};
pub use types::{
    ConnectLink, ConnectionState, ConnectionStatus, ExecuteOptions, ExecuteResult, SearchQuery,
    SearchRequest, SessionInfo, ToolkitConnection, ToolkitsQuery,
};

use token::TokenCache;

/// The meta tool whose `tools[]` items may name browser-local tools (wire §5.3, §6.7).
pub const MULTI_EXECUTE: &str = crate::tools::multi::MULTI_EXECUTE_TOOL;

/// Provider formats `GET /v1/tools?provider=` accepts.
pub const PROVIDERS: [&str; 5] = [
    "openai",
    "openai-responses",
    "anthropic",
    "gemini",
    "vercel",
];

/// [`PROVIDERS`] as the error message lists them.
const PROVIDER_LIST: &str = "openai, openai-responses, anthropic, gemini, vercel";

/// The error for a provider name not in [`PROVIDERS`].
fn unknown_provider(p: &str) -> Error {
    Error::InvalidRequest(format!(
        "unknown provider \"{p}\"; use one of {PROVIDER_LIST}"
    ))
}

/// Default time [`EdgeClient::wait_for_connection`] waits (as the official SDK: 60 s).
pub const DEFAULT_WAIT_MS: u64 = 60_000;

/// Default time a popup connection flow may take (a person is signing in).
pub const DEFAULT_AUTHORIZE_MS: u64 = 300_000;

/// Interval between two polls of a connection's status.
pub const POLL_INTERVAL_MS: u64 = 1_000;

/// A client of one gateway, for one user (the token's subject). Cheap to clone: clones share
/// the token cache, the session, the local tools and the schema cache.
pub struct EdgeClient<T, R, P = StaticToken> {
    inner: Rc<Inner<T, R, P>>,
}

impl<T, R, P> Clone for EdgeClient<T, R, P> {
    fn clone(&self) -> Self {
        Self {
            inner: Rc::clone(&self.inner),
        }
    }
}

struct Inner<T, R, P> {
    base: String,
    origin: String,
    transport: T,
    runtime: R,
    tokens: TokenCache<P>,
    retry: RetryPolicy,
    session: RefCell<Option<SessionInfo>>,
    local: LocalTools,
    schemas: RefCell<BTreeMap<String, Value>>,
}

/// Splits a gateway URL into `(base without trailing slash, origin)`. Plain `http` is accepted
/// only for loopback hosts, because every request carries the bearer token.
///
/// ```
/// use composio_edge::edge::parse_gateway_url;
/// assert_eq!(parse_gateway_url("https://GW.example:443/edge/").unwrap(),
///            ("https://gw.example/edge".to_string(), "https://gw.example".to_string()));
/// assert!(parse_gateway_url("http://gw.example").is_err());
/// assert!(parse_gateway_url("http://127.0.0.1:8787").is_ok());
/// ```
pub fn parse_gateway_url(url: &str) -> Result<(String, String), Error> {
    let bad = || Error::InvalidRequest("gateway url must be an absolute http(s) url".into());
    let uri: http::Uri = url.trim().parse().map_err(|_| bad())?;
    let scheme = uri.scheme_str().ok_or_else(bad)?.to_ascii_lowercase();
    let host = uri.host().ok_or_else(bad)?.to_ascii_lowercase();
    if uri.query().is_some() || uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err(Error::InvalidRequest(
            "gateway url must not carry credentials or a query".into(),
        ));
    }
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return Err(bad()),
    };
    let loopback = host == "localhost"
        || host.ends_with(".localhost")
        || host.starts_with("127.")
        || host == "[::1]";
    if scheme == "http" && !loopback {
        return Err(Error::InsecureTransport(format!(
            "gateway host {host} must use https"
        )));
    }
    let origin = match uri.port_u16() {
        Some(p) if p != default_port => format!("{scheme}://{host}:{p}"),
        _ => format!("{scheme}://{host}"),
    };
    let path = uri.path().trim_end_matches('/');
    Ok((format!("{origin}{path}"), origin))
}

/// An [`Error::Api`] from a gateway error response: `{"error":{"code":"<string>","message",
/// "request_id"}}` keeps its string code in `slug` (core envelopes keep theirs).
pub fn gateway_error(res: &HttpResponse) -> Error {
    with_gateway_code(api_error_from_response(res), res.body())
}

/// `e` with the gateway's string `error.code` from `body` as its `slug`, when the core envelope
/// gave none (shared by [`gateway_error`] and the browser's [`ops`]).
pub(crate) fn with_gateway_code(mut e: crate::ApiError, body: &[u8]) -> Error {
    if e.slug.is_none() {
        let body: Option<Value> = crate::wire::json::parse_bytes(body).ok();
        e.slug = body
            .as_ref()
            .and_then(|b| b.pointer("/error/code"))
            .and_then(Value::as_str)
            .map(str::to_owned);
    }
    Error::Api(Box::new(e))
}

/// Decodes a gateway response body: non-2xx and 2xx error envelopes → [`gateway_error`].
fn decode(res: &HttpResponse) -> Result<Value, Error> {
    if !res.status().is_success() {
        return Err(gateway_error(res));
    }
    if res.body().is_empty() {
        return Ok(Value::Null);
    }
    let v: Value = serde_json::from_slice(res.body()).map_err(|e| Error::Decode {
        status: res.status().as_u16(),
        // line/column only: formatting serde_json's error pulls in a lot of code (size budget)
        message: format!("invalid json at line {} column {}", e.line(), e.column()),
        body: String::from_utf8_lossy(res.body())
            .chars()
            .take(512)
            .collect(),
    })?;
    if v.pointer("/error/message").is_some() {
        return Err(gateway_error(res));
    }
    Ok(v)
}

/// `Retry-After-Ms` / `Retry-After` (whole seconds) when under 60 s, else the backoff of wire
/// §1.6. Integer parsing only: float parsing would add its tables to the browser package.
fn retry_delay(attempt: u32, res: Option<&HttpResponse>, jitter: f64) -> u64 {
    let header = |name: &str| {
        res.and_then(|r| r.headers().get(name))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    header("retry-after-ms")
        .or_else(|| header("retry-after").map(|s| s.saturating_mul(1000)))
        .filter(|ms| *ms < 60_000)
        .unwrap_or_else(|| retry_delay_ms(attempt, None, jitter, 0))
}

impl<T: Transport, R: Runtime, P: TokenProvider> EdgeClient<T, R, P> {
    /// A client of the gateway at `gateway_url` (absolute; `https`, or `http` on loopback).
    pub fn new(gateway_url: &str, transport: T, runtime: R, tokens: P) -> Result<Self, Error> {
        let (base, origin) = parse_gateway_url(gateway_url)?;
        Ok(Self {
            inner: Rc::new(Inner {
                base,
                origin,
                transport,
                runtime,
                tokens: TokenCache::new(tokens),
                retry: RetryPolicy::default(),
                session: RefCell::new(None),
                local: LocalTools::default(),
                schemas: RefCell::new(BTreeMap::new()),
            }),
        })
    }

    /// Replaces the retry policy (reads and idempotent writes only; see [`EdgeClient::execute`]).
    pub fn with_retry(self, retry: RetryPolicy) -> Self {
        match Rc::try_unwrap(self.inner) {
            Ok(mut inner) => {
                inner.retry = retry;
                Self {
                    inner: Rc::new(inner),
                }
            }
            Err(inner) => Self { inner },
        }
    }

    /// The gateway's origin (`https://host[:port]`), the only origin popup messages are
    /// accepted from (SEC-19).
    pub fn gateway_origin(&self) -> &str {
        &self.inner.origin
    }

    /// The runtime (clock, sleep, entropy) this client was given.
    pub fn runtime(&self) -> &R {
        &self.inner.runtime
    }

    /// The session, once [`EdgeClient::session`] succeeded.
    pub fn current_session(&self) -> Option<SessionInfo> {
        self.inner.session.borrow().clone()
    }

    /// The registry of browser-local tools.
    pub fn local_tools(&self) -> &LocalTools {
        &self.inner.local
    }

    /// Registers a browser-local tool (replacing one with the same slug).
    pub fn register_tool(&self, tool: LocalTool) -> Result<(), Error> {
        self.inner.local.register(tool)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
        retryable: bool,
    ) -> Result<HttpResponse, Error> {
        let inner = &*self.inner;
        let url = format!("{}{}", inner.base, path);
        let body = match body {
            Some(b) => serde_json::to_vec(b)
                .map_err(|_| Error::InvalidRequest("unserializable request body".into()))?,
            None => Vec::new(),
        };
        let mut attempt = 0u32;
        let mut refreshed = false;
        loop {
            let token = inner.tokens.get(inner.runtime.now_ms()).await?;
            let mut b = http::Request::builder()
                .method(method.clone())
                .uri(&url)
                .header("accept", "application/json")
                .header("authorization", format!("Bearer {}", token.expose_secret()));
            if !body.is_empty() {
                b = b.header("content-type", "application/json");
            }
            if let Some(k) = idempotency_key {
                b = b.header("idempotency-key", k);
            }
            let mut req = b
                .body(body.clone())
                .map_err(|_| Error::InvalidRequest("could not build the request".into()))?;
            req.extensions_mut().insert(Timeout(inner.retry.timeout_ms));
            let outcome = inner.transport.send(req).await;
            if let Ok(res) = &outcome {
                if res.status() == http::StatusCode::UNAUTHORIZED
                    && !refreshed
                    && inner.tokens.invalidate()
                {
                    refreshed = true;
                    continue;
                }
            }
            if retryable && attempt < inner.retry.max_retries && should_retry(&outcome) {
                let delay = retry_delay(attempt, outcome.as_ref().ok(), inner.runtime.random_f64());
                attempt += 1;
                inner.runtime.sleep(delay).await;
                continue;
            }
            return outcome;
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        retryable: bool,
    ) -> Result<Value, Error> {
        let res = self.send(method, path, body, None, retryable).await?;
        decode(&res)
    }

    /// `POST /v1/session`: creates or resumes this user's session.
    pub async fn session(&self) -> Result<SessionInfo, Error> {
        let v = self
            .call(Method::POST, "/v1/session", Some(&json!({})), true)
            .await?;
        let info = SessionInfo::from_value(v).ok_or_else(|| Error::Decode {
            status: 200,
            message: "session response has no session id".into(),
            body: String::new(),
        })?;
        *self.inner.session.borrow_mut() = Some(info.clone());
        Ok(info)
    }

    /// The session's tools, formatted for `provider` (one of [`PROVIDERS`]; `None` = the raw
    /// tool list), with the preloaded local tools after them: `GET /v1/tools?provider=…`, or
    /// `POST` with the preloaded tools' definitions when there are any. The gateway formats
    /// them all; the input schemas it returns beside them are remembered, to check arguments
    /// and restore the property keys a provider format renamed.
    pub async fn tools(&self, provider: Option<&str>) -> Result<Value, Error> {
        let (path, body) = tools_request(provider, &self.inner.local)?;
        let method = if body.is_some() {
            Method::POST
        } else {
            Method::GET
        };
        let mut v = self.call(method, &path, body.as_ref(), true).await?;
        if let Some(Value::Object(found)) = v.get_mut("schemas").map(Value::take) {
            self.inner.schemas.borrow_mut().extend(found);
        }
        // The gateway answers `{provider, tools, total, schemas}`; callers get the tools.
        Ok(v.get_mut("tools").map(Value::take).unwrap_or(v))
    }

    /// `POST /v1/search` (with the local tools inline, so search can find them).
    pub async fn search(&self, request: &SearchRequest) -> Result<Value, Error> {
        request.validate()?;
        let mut body = crate::json::to_value(request)
            .map_err(|_| Error::InvalidRequest("unserializable search".into()))?;
        if let Some(c) = self.inner.local.wire() {
            body["custom_tools"] = c;
        }
        let v = self
            .call(Method::POST, "/v1/search", Some(&body), true)
            .await?;
        if let Some(Value::Object(schemas)) = v
            .get("tool_schemas")
            .or_else(|| v.pointer("/data/tool_schemas"))
        {
            let mut cache = self.inner.schemas.borrow_mut();
            for (slug, s) in schemas {
                if s.get("hasFullSchema").and_then(Value::as_bool) == Some(false) {
                    continue;
                }
                if let Some(schema) = s.get("input_schema").filter(|x| x.is_object()) {
                    cache.insert(slug.to_ascii_uppercase(), schema.clone());
                }
            }
        }
        Ok(v)
    }

    /// Executes a tool: browser-local tools run here, `COMPOSIO_MULTI_EXECUTE_TOOL` calls that
    /// name local tools are split (wire §6.7), everything else goes to `POST /v1/execute`.
    ///
    /// Arguments are normalized (`null`/`""` → `{}`, JSON strings parsed) and checked against
    /// the tool's schema when known, before anything is sent. Without an idempotency key the
    /// request is never retried; with one, transport failures and 5xx are retried (the gateway
    /// returns the first result for a repeated key).
    pub async fn execute(
        &self,
        slug: &str,
        arguments: &Value,
        options: &ExecuteOptions,
    ) -> Result<ExecuteResult, Error> {
        let slug = slug.trim();
        if slug.is_empty() {
            return Err(Error::InvalidRequest("tool slug must not be empty".into()));
        }
        let args = normalize_arguments(arguments)?;
        if let Some(tool) = self.inner.local.find(slug) {
            return Ok(self.run_local(&tool, args).await);
        }
        if slug.eq_ignore_ascii_case(MULTI_EXECUTE) && !self.inner.local.is_empty() {
            return self.route_multi(args, options).await;
        }
        self.execute_remote(slug, args, options).await
    }

    async fn run_local(&self, tool: &LocalTool, args: Map) -> ExecuteResult {
        let args = Value::Object(args);
        if let Err(e) = check_arguments(&tool.final_slug(), &tool.normalized_schema(), &args) {
            return ExecuteResult::failed(format!("Input validation failed: {e}"));
        }
        match (tool.handler)(args).await {
            Ok(data) => ExecuteResult::ok(data),
            Err(message) => ExecuteResult::failed(message),
        }
    }

    async fn execute_remote(
        &self,
        slug: &str,
        args: Map,
        options: &ExecuteOptions,
    ) -> Result<ExecuteResult, Error> {
        let body = self.execute_remote_value(slug, args, options).await?;
        Ok(ExecuteResult::from_wire_value(body))
    }

    /// `POST /v1/execute`, returning the decoded body.
    async fn execute_remote_value(
        &self,
        slug: &str,
        args: Map,
        options: &ExecuteOptions,
    ) -> Result<Value, Error> {
        let args = Value::Object(args);
        let schema = self
            .inner
            .schemas
            .borrow()
            .get(&slug.to_ascii_uppercase())
            .cloned();
        if let Some(schema) = schema {
            check_arguments(slug, &schema, &args)?;
        }
        let mut body = json!({"tool_slug": slug, "arguments": args});
        if let Some(a) = &options.account {
            body["account"] = json!(a);
        }
        if let Some(c) = self.inner.local.wire() {
            body["custom_tools"] = c;
        }
        let key = options.idempotency_key.as_deref();
        let res = self
            .send(Method::POST, "/v1/execute", Some(&body), key, key.is_some())
            .await?;
        decode(&res)
    }

    /// Splits a multi-execute between local tools and one remote call, and merges the results
    /// exactly as wire §6.7 describes ([`crate::tools::multi`]).
    async fn route_multi(
        &self,
        input: Map,
        options: &ExecuteOptions,
    ) -> Result<ExecuteResult, Error> {
        let input = Value::Object(input);
        let local = &self.inner.local;
        let plan = match plan_multi_execute(&input, |slug| local.find(slug).is_some()) {
            MultiPlan::Split(plan) => plan,
            MultiPlan::Forward => {
                let Value::Object(input) = input else {
                    return Err(Error::InvalidRequest(
                        "multi-execute input must be an object".into(),
                    ));
                };
                return self.execute_remote(MULTI_EXECUTE, input, options).await;
            }
        };
        let local_futs: Vec<BoxFuture<'_, ExecuteResult>> = plan
            .locals
            .iter()
            .map(|call| {
                let fut: BoxFuture<'_, ExecuteResult> = match local.find(&call.tool_slug) {
                    Some(tool) => Box::pin(async move {
                        match normalize_arguments(&call.arguments) {
                            Ok(args) => self.run_local(&tool, args).await,
                            Err(e) => ExecuteResult::failed(e.to_string()),
                        }
                    }),
                    None => Box::pin(std::future::ready(ExecuteResult::failed("tool not found"))),
                };
                fut
            })
            .collect();
        let remote = async {
            let Some(Value::Object(remote_input)) = plan.remote_input.clone() else {
                return None;
            };
            Some(
                self.execute_remote_value(MULTI_EXECUTE, remote_input, options)
                    .await
                    .map(wire_response)
                    .map_err(|e| e.to_string()),
            )
        };
        let (local_results, remote_result) = join(join_all(local_futs), remote).await;
        let outcomes = local_results
            .iter()
            .map(ExecuteResult::to_outcome)
            .collect();
        let merged = merge_multi_execute(&plan, outcomes, remote_result);
        Ok(ExecuteResult::from_outcome(merged))
    }

    /// Executes a tool call an agent made. Failures the model can act on (bad arguments, unknown
    /// tool, a 4xx about the call) become a failed [`ExecuteResult`]; failures it cannot
    /// (transport, 401/403, rate limits, 5xx) are returned as errors.
    pub async fn execute_call(
        &self,
        slug: &str,
        arguments: &Value,
    ) -> Result<ExecuteResult, Error> {
        match self
            .execute(slug, arguments, &ExecuteOptions::default())
            .await
        {
            Ok(r) => Ok(r),
            Err(
                e @ (Error::InvalidToolArguments(_)
                | Error::ArgumentValidation { .. }
                | Error::InvalidRequest(_)
                | Error::ToolNotFound(_)
                | Error::AmbiguousToolSlug { .. }),
            ) => Ok(ExecuteResult::failed(e.to_string())),
            Err(Error::Api(a)) if matches!(a.status, 400 | 404 | 409 | 422) => {
                Ok(ExecuteResult::failed(Error::Api(a).to_string()))
            }
            Err(e) => Err(e),
        }
    }

    /// Runs every tool call in a model response (sequentially, like the SDK) and returns the
    /// tool-result messages to append. `provider` is detected from the shape when `None`.
    pub async fn handle_tool_calls(
        &self,
        response: &Value,
        provider: Option<Provider>,
    ) -> Result<Vec<Value>, Error> {
        let provider = provider
            .or_else(|| detect_provider(response))
            .ok_or_else(|| {
                Error::InvalidRequest(
                    "unrecognized model response; pass the provider explicitly".into(),
                )
            })?;
        let known: Vec<Tool> = self
            .inner
            .schemas
            .borrow()
            .iter()
            .map(|(slug, schema)| Tool {
                slug: slug.clone(),
                input_parameters: schema.clone(),
                ..Default::default()
            })
            .collect();
        let calls = provider.parse_tool_calls(response, &known)?;
        let mut results = Vec::with_capacity(calls.len());
        for call in calls {
            let r = self
                .execute_call(&call.name, &Value::Object(call.arguments.clone()))
                .await?;
            results.push((call, r.to_outcome()));
        }
        Ok(provider.result_messages(&results))
    }

    /// The session's tools as plain definitions `{name, description, parameters}` (JSON
    /// Schema), for agent frameworks that wrap tools themselves (Vercel AI SDK).
    pub async fn tool_definitions(&self) -> Result<Vec<Value>, Error> {
        let listed = self.tools(Some("openai")).await?;
        let defs = match ops::definitions(&listed) {
            Value::Array(a) => a,
            _ => Vec::new(),
        };
        Ok(defs)
    }

    /// `GET /v1/toolkits`: a page of toolkits with this user's connection state.
    pub async fn toolkits(&self, query: &ToolkitsQuery) -> Result<Value, Error> {
        let q = query.to_query();
        let path = if q.is_empty() {
            "/v1/toolkits".to_owned()
        } else {
            format!("/v1/toolkits?{q}")
        };
        self.call(Method::GET, &path, None, true).await
    }

    /// Whether `toolkit` is usable now (no auth needed, or an active account).
    pub async fn toolkit_connection(&self, toolkit: &str) -> Result<ToolkitConnection, Error> {
        let page = self
            .toolkits(&ToolkitsQuery {
                toolkits: vec![toolkit.to_owned()],
                ..Default::default()
            })
            .await?;
        Ok(
            ToolkitConnection::find(&page, toolkit).unwrap_or(ToolkitConnection {
                toolkit: toolkit.to_owned(),
                connected: false,
                no_auth: false,
                connected_account_id: None,
            }),
        )
    }

    /// `POST /v1/connect`: starts a connection flow. The returned `connect_url` is resolved and
    /// checked to be on the gateway's own origin, so a popup is only ever sent there.
    pub async fn connect(
        &self,
        toolkit: &str,
        return_to: Option<&str>,
    ) -> Result<ConnectLink, Error> {
        if toolkit.trim().is_empty() {
            return Err(Error::InvalidRequest("toolkit must not be empty".into()));
        }
        let mut body = json!({"toolkit": toolkit});
        if let Some(r) = return_to {
            body["return_to"] = json!(r);
        }
        let v = self
            .call(Method::POST, "/v1/connect", Some(&body), false)
            .await?;
        let field = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let (Some(url), Some(id)) = (
            field("connect_url").or_else(|| field("redirect_url")),
            field("connection_id").or_else(|| field("id")),
        ) else {
            return Err(Error::Decode {
                status: 200,
                message: "connect response lacks connect_url or connection_id".into(),
                body: String::new(),
            });
        };
        let connect_url = self.same_origin_url(&url)?;
        Ok(ConnectLink {
            connect_url,
            connection_id: id,
        })
    }

    /// Resolves `url` against the gateway and refuses any other origin.
    fn same_origin_url(&self, url: &str) -> Result<String, Error> {
        let origin = &self.inner.origin;
        let url = url.trim();
        let resolved = if url.starts_with('/') && !url.starts_with("//") && !url.contains('\\') {
            format!("{origin}{url}")
        } else {
            let (_, o) = parse_gateway_url(url.split(['?', '#']).next().unwrap_or(""))
                .map_err(|_| Error::InvalidRequest("connect url is not a gateway url".into()))?;
            if &o != origin {
                return Err(Error::InvalidRequest(
                    "connect url is not on the gateway origin".into(),
                ));
            }
            url.to_owned()
        };
        Ok(resolved)
    }

    /// `GET /v1/connect/{id}`: the state of a connection flow.
    pub async fn connection_status(&self, connection_id: &str) -> Result<ConnectionStatus, Error> {
        if connection_id.is_empty() {
            return Err(Error::InvalidRequest(
                "connection id must not be empty".into(),
            ));
        }
        let path = format!(
            "/v1/connect/{}",
            crate::encoding::encode_component(connection_id)
        );
        let v = self.call(Method::GET, &path, None, true).await?;
        ConnectionStatus::from_value(connection_id, &v).ok_or_else(|| Error::Decode {
            status: 200,
            message: "connection status response has no status".into(),
            body: String::new(),
        })
    }

    /// Polls [`EdgeClient::connection_status`] every [`POLL_INTERVAL_MS`] until the flow is
    /// active (Ok), failed ([`Error::ConnectionFailed`]) or `timeout_ms` passed
    /// ([`Error::ConnectionTimeout`]). A 404 on the first poll is
    /// [`Error::ConnectedAccountNotFound`]; transient errors keep polling. `cancelled` is asked
    /// before every poll; when it says `true` the wait ends with an `aborted` error.
    pub async fn wait_for_connection(
        &self,
        connection_id: &str,
        timeout_ms: u64,
        cancelled: impl Fn() -> bool,
    ) -> Result<ConnectionStatus, Error> {
        let rt = &self.inner.runtime;
        let deadline = rt.now_ms().saturating_add(timeout_ms);
        let mut first = true;
        loop {
            if cancelled() {
                return Err(transport_error(
                    TransportErrorKind::Aborted,
                    "wait for connection cancelled",
                ));
            }
            match self.connection_status(connection_id).await {
                Ok(s) => match s.state {
                    ConnectionState::Active => return Ok(s),
                    ConnectionState::Failed => {
                        return Err(Error::ConnectionFailed {
                            id: connection_id.to_owned(),
                            status: s.status,
                            reason: s.reason,
                        })
                    }
                    ConnectionState::Pending => {}
                },
                Err(Error::Api(e)) if e.status == 404 && first => {
                    return Err(Error::ConnectedAccountNotFound(connection_id.to_owned()))
                }
                Err(e) if e.is_retryable() => {}
                Err(e) => return Err(e),
            }
            first = false;
            let now = rt.now_ms();
            if now >= deadline {
                return Err(Error::ConnectionTimeout(connection_id.to_owned()));
            }
            rt.sleep(POLL_INTERVAL_MS.min(deadline - now)).await;
        }
    }

    /// `DELETE /v1/session`: ends this user's session.
    pub async fn delete_session(&self) -> Result<(), Error> {
        let res = self
            .send(Method::DELETE, "/v1/session", None, None, false)
            .await?;
        if !res.status().is_success() {
            return Err(gateway_error(&res));
        }
        *self.inner.session.borrow_mut() = None;
        Ok(())
    }
}

/// The path and (with preloaded local tools) the body of a tool listing: `POST` carries the
/// preloaded tools' definitions as `custom_tools`, for the gateway to list them too.
pub(crate) fn tools_request(
    provider: Option<&str>,
    local: &LocalTools,
) -> Result<(String, Option<Value>), Error> {
    let path = match provider {
        None => "/v1/tools".to_owned(),
        Some(p) if PROVIDERS.contains(&p) => format!("/v1/tools?provider={p}"),
        Some(p) => return Err(unknown_provider(p)),
    };
    let mut preloaded = Vec::new();
    for t in local.all() {
        if t.preload {
            preloaded.push(t.to_wire());
        }
    }
    let body = (!preloaded.is_empty()).then(|| json!({"custom_tools": preloaded}));
    Ok((path, body))
}

/// The name of a tool in any provider format.
fn tool_name(t: &Value) -> Option<&str> {
    let f = t.get("function").unwrap_or(t);
    f.get("slug")
        .or_else(|| f.get("name"))
        .and_then(Value::as_str)
}

/// `composio_edge::json::to_value(tool)` by hand (no serde `Serializer` in the browser wasm).
pub(crate) fn tool_json(t: &Tool) -> Value {
    use crate::wire::json::ToJson;
    let mut m = crate::wire::json::new_map();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_owned(), v);
    };
    put("slug", t.slug.to_json());
    put("name", t.name.to_json());
    put("description", t.description.to_json());
    if let Some(k) = &t.toolkit {
        let mut r = crate::wire::json::new_map();
        crate::wire::json::put(&mut r, "slug", k.slug.to_json());
        crate::wire::json::put(&mut r, "name", k.name.to_json());
        if let Some(logo) = &k.logo {
            crate::wire::json::put(&mut r, "logo", logo.to_json());
        }
        put("toolkit", Value::Object(r));
    }
    put("input_parameters", t.input_parameters.clone());
    put("output_parameters", t.output_parameters.clone());
    put("no_auth", Value::Bool(t.no_auth));
    put("available_versions", t.available_versions.to_json());
    if let Some(v) = &t.version {
        put("version", v.to_json());
    }
    put("scopes", t.scopes.to_json());
    put("tags", t.tags.to_json());
    put("is_deprecated", Value::Bool(t.is_deprecated));
    for (k, v) in &t.extra {
        put(k, v.clone());
    }
    Value::Object(m)
}

/// The provider whose tool-call format `response` has (OpenAI chat, responses, Anthropic).
///
/// ```
/// use composio_edge::edge::detect_provider;
/// use composio_edge::provider::Provider;
/// use composio_edge::json;
/// assert_eq!(detect_provider(&json!({"choices": []})), Some(Provider::OpenAi));
/// assert_eq!(detect_provider(&json!({"output": []})), Some(Provider::OpenAiResponses { strict: false }));
/// assert_eq!(detect_provider(&json!({"content": [], "role": "assistant"})), Some(Provider::Anthropic { cache_control: false }));
/// ```
pub fn detect_provider(response: &Value) -> Option<Provider> {
    if response.get("choices").is_some() {
        return Some(Provider::OpenAi);
    }
    if response.get("output").is_some() {
        return Some(Provider::OpenAiResponses { strict: false });
    }
    if response.get("content").is_some_and(Value::is_array) {
        return Some(Provider::Anthropic {
            cache_control: false,
        });
    }
    let first_type = response
        .as_array()
        .and_then(|a| a.first())
        .and_then(|i| i.get("type"))
        .and_then(Value::as_str);
    match first_type {
        Some("function_call" | "message" | "reasoning") => {
            Some(Provider::OpenAiResponses { strict: false })
        }
        _ => None,
    }
}

/// A decoded execute body as [`ExecuteResponse`] (built by hand: typed deserialization would
/// add serde's error machinery to the browser package).
fn wire_response(v: Value) -> ExecuteResponse {
    let Value::Object(mut o) = v else {
        return ExecuteResponse::default();
    };
    let text = |o: &mut Map, k: &str| match o.remove(k) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    ExecuteResponse {
        result_type: text(&mut o, "result_type"),
        error: text(&mut o, "error"),
        log_id: text(&mut o, "log_id").unwrap_or_default(),
        data: o.remove("data").unwrap_or(Value::Null),
        extra: o,
    }
}

type BoxFuture<'a, O> = Pin<Box<dyn Future<Output = O> + 'a>>;

/// Runs futures concurrently on the current task; results in input order.
async fn join_all<'a, O>(futs: Vec<BoxFuture<'a, O>>) -> Vec<O> {
    let mut slots: Vec<(BoxFuture<'a, O>, Option<O>)> =
        futs.into_iter().map(|f| (f, None)).collect();
    std::future::poll_fn(move |cx: &mut Context<'_>| {
        let mut pending = false;
        for (f, out) in slots.iter_mut() {
            if out.is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => *out = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(slots.iter_mut().filter_map(|(_, o)| o.take()).collect())
        }
    })
    .await
}

/// Runs two futures concurrently.
async fn join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(move |cx| {
        if ra.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        match (ra.take(), rb.take()) {
            (Some(x), Some(y)) => Poll::Ready((x, y)),
            (x, y) => {
                ra = x;
                rb = y;
                Poll::Pending
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_list_names_every_provider() {
        assert_eq!(PROVIDER_LIST, PROVIDERS.join(", "));
        assert_eq!(
            unknown_provider("x").to_string(),
            "invalid request: unknown provider \"x\"; use one of openai, openai-responses, anthropic, gemini, vercel"
        );
    }

    #[test]
    fn tool_json_matches_serde() {
        let mut t: Tool = crate::json::from_value(json!({"slug": "A", "name": "n",
            "description": "d", "toolkit": {"slug": "g", "name": "G", "logo": "l"},
            "input_parameters": {"type": "object"}, "no_auth": true, "version": "1",
            "scopes": ["s"], "tags": ["t"], "x_extra": [1, {"b": 2}], "name_2": null}))
        .unwrap();
        assert_eq!(
            tool_json(&t).to_string(),
            crate::json::to_value(&t).unwrap().to_string()
        );
        t.toolkit.as_mut().unwrap().logo = None;
        t.version = None;
        assert_eq!(
            tool_json(&t).to_string(),
            crate::json::to_value(&t).unwrap().to_string()
        );
        let t = Tool::default();
        assert_eq!(
            tool_json(&t).to_string(),
            crate::json::to_value(&t).unwrap().to_string()
        );
    }
}

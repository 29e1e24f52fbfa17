//! The browser package (feature `browser`): wasm-bindgen exports around [`crate::edge`], over the
//! global-`fetch` transport and the JS runtime.
//!
//! The public ES module (`js/index.js`) wraps [`EdgeCore`] into the `createClient` /
//! `EdgeSession` API and keeps the popup code; decisions (token refresh, routing, status
//! interpretation, timeouts, origin checks) stay in Rust. Data crosses the boundary with
//! `serde-wasm-bindgen`'s JSON-compatible serializer; errors become JS `Error`s with `.code`,
//! `.status` and `.requestId`.
//!
//! There is deliberately no way to hand this package a Composio API key: it only speaks the
//! gateway's `/v1` API with a short-lived bearer token.

use js_sys::{Function, Promise, Reflect};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use crate::edge::{
    AccessToken, EdgeClient, ExecuteOptions, LocalTool, SearchQuery, SearchRequest, TokenProvider,
    ToolkitsQuery, DEFAULT_AUTHORIZE_MS, DEFAULT_WAIT_MS, POLL_INTERVAL_MS,
};
use crate::platform::{FetchTransport, JsRuntime};
use crate::provider::Provider;
use crate::secret::SecretString;
use crate::Error;

type Client = EdgeClient<FetchTransport, JsRuntime, JsTokens>;

/// A fixed token, or an async JS function returning `string | {token, expiresAt}`.
pub struct JsTokens {
    fixed: Option<SecretString>,
    provider: Option<Function>,
}

impl TokenProvider for JsTokens {
    fn can_refresh(&self) -> bool {
        self.provider.is_some()
    }

    async fn token(&self) -> Result<AccessToken, Error> {
        if let Some(f) = &self.provider {
            let out = f.call0(&JsValue::UNDEFINED).map_err(|e| token_error(&e))?;
            let out = match out.dyn_into::<Promise>() {
                Ok(p) => JsFuture::from(p).await.map_err(|e| token_error(&e))?,
                Err(v) => v,
            };
            if let Some(t) = out.as_string() {
                return Ok(AccessToken::new(t, None));
            }
            let token = Reflect::get(&out, &"token".into())
                .ok()
                .and_then(|t| t.as_string())
                .ok_or_else(|| {
                    Error::InvalidRequest(
                        "getToken must return a string or {token, expiresAt}".into(),
                    )
                })?;
            let expires = Reflect::get(&out, &"expiresAt".into())
                .ok()
                .or_else(|| Reflect::get(&out, &"expires_at".into()).ok())
                .and_then(|v| v.as_f64())
                .filter(|v| v.is_finite() && *v > 0.0)
                .map(|v| v as u64);
            return Ok(AccessToken::new(token, expires));
        }
        match &self.fixed {
            Some(t) => Ok(AccessToken {
                token: t.clone(),
                expires_at_ms: None,
            }),
            None => Err(Error::InvalidRequest("no token configured".into())),
        }
    }
}

fn token_error(e: &JsValue) -> Error {
    Error::Transport {
        kind: crate::error::TransportErrorKind::Connect,
        message: format!("getToken failed: {}", js_message(e)),
    }
}

/// The message of a thrown JS value (`err.message`, or its string form).
fn js_message(e: &JsValue) -> String {
    Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// The JS-facing code of an error: the gateway's own code when it sent one, else
/// [`Error::code`].
fn error_code(e: &Error) -> String {
    match e {
        Error::Api(a) => a.slug.clone().unwrap_or_else(|| e.code().to_owned()),
        _ => e.code().to_owned(),
    }
}

/// Converts an [`Error`] into a JS `Error` with `name = "ComposioEdgeError"`, `.code`,
/// `.status`, `.requestId` (when known) and `.violations` (argument validation).
pub fn to_js_error(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("ComposioEdgeError");
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&err, &JsValue::from_str(k), &v);
    };
    set("code", JsValue::from_str(&error_code(e)));
    set("status", JsValue::from_f64(f64::from(e.http_status())));
    if let Some(id) = e.request_id() {
        set("requestId", JsValue::from_str(id));
    }
    if let Error::ArgumentValidation { violations, .. } = e {
        let list: Vec<Value> = violations
            .iter()
            .map(|(path, message)| serde_json::json!({"path": path, "message": message}))
            .collect();
        set("violations", to_js(&list));
    }
    err.into()
}

fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    serde_json::to_string(v)
        .ok()
        .and_then(|s| js_sys::JSON::parse(&s).ok())
        .unwrap_or(JsValue::NULL)
}

fn from_js(v: JsValue) -> Result<Value, Error> {
    if v.is_undefined() || v.is_null() {
        return Ok(Value::Null);
    }
    let s = js_sys::JSON::stringify(&v)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| Error::InvalidRequest("value is not json-compatible".into()))?;
    serde_json::from_str(&s)
        .map_err(|_| Error::InvalidRequest("value is not json-compatible".into()))
}

type JsFutureResult =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<JsValue, JsValue>>>>;

/// Runs `f` as a JS promise; errors reject with [`to_js_error`].
fn promise<F, T>(f: F) -> Promise
where
    F: std::future::Future<Output = Result<T, Error>> + 'static,
    T: Serialize,
{
    spawn(Box::pin(async move {
        match f.await {
            Ok(v) => Ok(to_js(&v)),
            Err(e) => Err(to_js_error(&e)),
        }
    }))
}

/// One non-generic instantiation of `future_to_promise` for every export (binary size).
#[inline(never)]
fn spawn(f: JsFutureResult) -> Promise {
    future_to_promise(f)
}

fn opt_str(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_owned)
}

/// `search` input: a string, `{query, toolkits?}` or `{queries, toolkits?}`.
fn search_request(v: Value) -> Result<SearchRequest, Error> {
    let bad = || Error::InvalidRequest("search takes a string or {queries, toolkits?}".into());
    let mut req = match &v {
        Value::String(s) => return Ok(SearchRequest::query(s.clone())),
        Value::Object(o) => match (o.get("queries"), o.get("query")) {
            (Some(Value::Array(qs)), _) => SearchRequest {
                queries: qs
                    .iter()
                    .map(|q| match q {
                        Value::String(s) => Ok(SearchQuery {
                            use_case: s.clone(),
                            known_fields: None,
                        }),
                        _ => Ok(SearchQuery {
                            use_case: opt_str(q, "use_case").ok_or_else(bad)?,
                            known_fields: opt_str(q, "known_fields"),
                        }),
                    })
                    .collect::<Result<_, _>>()?,
                toolkits: Vec::new(),
            },
            (_, Some(Value::String(q))) => SearchRequest::query(q.clone()),
            _ => return Err(bad()),
        },
        _ => return Err(bad()),
    };
    if let Some(Value::Array(t)) = v.get("toolkits") {
        req.toolkits = t
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
    }
    Ok(req)
}

/// `toolkits` input in `@composio/core` names (`isConnected` …).
fn toolkits_query(v: &Value) -> ToolkitsQuery {
    ToolkitsQuery {
        limit: v
            .get("limit")
            .and_then(Value::as_f64)
            .filter(|l| *l >= 1.0)
            .map(|l| l.min(1000.0) as u32),
        cursor: opt_str(v, "cursor"),
        is_connected: v
            .get("isConnected")
            .or_else(|| v.get("is_connected"))
            .and_then(Value::as_bool),
        search: opt_str(v, "search"),
        toolkits: match v.get("toolkits") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        },
    }
}

/// The Rust core of one client, exported to JS. The public wrapper (`index.js`) builds
/// `EdgeClient`/`EdgeSession` on it; use that instead of this class directly.
#[wasm_bindgen]
pub struct EdgeCore {
    client: Client,
}

#[wasm_bindgen]
impl EdgeCore {
    /// `new EdgeCore(gatewayUrl, token?, getToken?)`. `gatewayUrl` must be absolute (`https`, or
    /// `http` on a loopback host); exactly one of `token` / `getToken` is required.
    #[wasm_bindgen(constructor)]
    pub fn new(
        gateway_url: &str,
        token: Option<String>,
        get_token: Option<Function>,
    ) -> Result<EdgeCore, JsValue> {
        let tokens = match (token.filter(|t| !t.is_empty()), get_token) {
            (Some(_), Some(_)) => {
                return Err(to_js_error(&Error::InvalidRequest(
                    "pass either token or getToken, not both".into(),
                )))
            }
            (None, None) => {
                return Err(to_js_error(&Error::InvalidRequest(
                    "a token or a getToken function is required".into(),
                )))
            }
            (t, f) => JsTokens {
                fixed: t.map(SecretString::new),
                provider: f,
            },
        };
        let client = EdgeClient::new(gateway_url, FetchTransport::new(), JsRuntime::new(), tokens)
            .map_err(|e| to_js_error(&e))?;
        Ok(EdgeCore { client })
    }

    /// The gateway origin popup messages must come from.
    #[wasm_bindgen(getter, js_name = gatewayOrigin)]
    pub fn gateway_origin(&self) -> String {
        self.client.gateway_origin().to_owned()
    }

    /// `POST /v1/session` → `{session_id, …}`.
    pub fn session(&self) -> Promise {
        let c = self.client.clone();
        promise(async move { c.session().await })
    }

    /// `GET /v1/tools?provider=` (plus preloaded local tools).
    pub fn tools(&self, provider: Option<String>) -> Promise {
        let c = self.client.clone();
        promise(async move { c.tools(provider.as_deref()).await })
    }

    /// `[{name, description, parameters}]` for frameworks that wrap tools themselves.
    #[wasm_bindgen(js_name = toolDefinitions)]
    pub fn tool_definitions(&self) -> Promise {
        let c = self.client.clone();
        promise(async move { c.tool_definitions().await })
    }

    /// `POST /v1/search` with a string, `{query}` or `{queries, toolkits?}`.
    pub fn search(&self, query: JsValue) -> Promise {
        let c = self.client.clone();
        promise(async move {
            let req = search_request(from_js(query)?)?;
            c.search(&req).await
        })
    }

    /// Executes a tool (local, split multi-execute, or `POST /v1/execute`) →
    /// `{data, error, successful, logId}`.
    pub fn execute(
        &self,
        slug: String,
        args: JsValue,
        account: Option<String>,
        idempotency_key: Option<String>,
    ) -> Promise {
        let c = self.client.clone();
        promise(async move {
            let args = from_js(args)?;
            let opts = ExecuteOptions {
                account,
                idempotency_key,
            };
            c.execute(&slug, &args, &opts).await
        })
    }

    /// Executes an agent's tool call: argument/tool failures resolve as a failed result.
    #[wasm_bindgen(js_name = executeCall)]
    pub fn execute_call(&self, slug: String, args: JsValue) -> Promise {
        let c = self.client.clone();
        promise(async move {
            let args = from_js(args)?;
            c.execute_call(&slug, &args).await
        })
    }

    /// Runs the tool calls of a model response; resolves to the messages to append.
    #[wasm_bindgen(js_name = handleToolCalls)]
    pub fn handle_tool_calls(&self, response: JsValue, provider: Option<String>) -> Promise {
        let c = self.client.clone();
        promise(async move {
            let provider = match provider.as_deref() {
                None => None,
                Some(p) => Some(Provider::parse(p)?),
            };
            let response = from_js(response)?;
            c.handle_tool_calls(&response, provider).await
        })
    }

    /// `GET /v1/toolkits` with `{limit, cursor, isConnected, search, toolkits}`.
    pub fn toolkits(&self, opts: JsValue) -> Promise {
        let c = self.client.clone();
        promise(async move {
            let q = toolkits_query(&from_js(opts)?);
            c.toolkits(&q).await
        })
    }

    /// `{toolkit, connected, noAuth, connectedAccountId}` for one toolkit.
    #[wasm_bindgen(js_name = toolkitConnection)]
    pub fn toolkit_connection(&self, toolkit: String) -> Promise {
        let c = self.client.clone();
        promise(async move { c.toolkit_connection(&toolkit).await })
    }

    /// `POST /v1/connect` → `{connect_url, connection_id}` (URL checked to be on the gateway).
    pub fn connect(&self, toolkit: String, return_to: Option<String>) -> Promise {
        let c = self.client.clone();
        promise(async move { c.connect(&toolkit, return_to.as_deref()).await })
    }

    /// `GET /v1/connect/{id}` → `{connectionId, status, state, toolkit, connectedAccountId, reason}`.
    #[wasm_bindgen(js_name = connectionStatus)]
    pub fn connection_status(&self, connection_id: String) -> Promise {
        let c = self.client.clone();
        promise(async move { c.connection_status(&connection_id).await })
    }

    /// Polls until active / failed / `timeoutMs` (default 60 s); stops when `signal` aborts.
    #[wasm_bindgen(js_name = waitForConnection)]
    pub fn wait_for_connection(
        &self,
        connection_id: String,
        timeout_ms: Option<f64>,
        signal: Option<web_sys::AbortSignal>,
    ) -> Promise {
        let c = self.client.clone();
        let timeout = timeout_ms
            .filter(|t| t.is_finite() && *t >= 0.0)
            .map(|t| t as u64)
            .unwrap_or(DEFAULT_WAIT_MS);
        promise(async move {
            c.wait_for_connection(&connection_id, timeout, || {
                signal.as_ref().is_some_and(|s| s.aborted())
            })
            .await
        })
    }

    /// `DELETE /v1/session`.
    #[wasm_bindgen(js_name = deleteSession)]
    pub fn delete_session(&self) -> Promise {
        let c = self.client.clone();
        promise(async move { c.delete_session().await })
    }

    /// Registers a browser-local tool; `execute(args)` may return a value or a promise.
    #[wasm_bindgen(js_name = registerTool)]
    pub fn register_tool(
        &self,
        slug: String,
        name: Option<String>,
        description: String,
        input_schema: JsValue,
        preload: bool,
        execute: Function,
    ) -> Result<(), JsValue> {
        let schema = from_js(input_schema).map_err(|e| to_js_error(&e))?;
        let mut tool = LocalTool::new(slug, description, schema, move |args: Value| {
            let f = execute.clone();
            async move {
                let out = f
                    .call1(&JsValue::UNDEFINED, &to_js(&args))
                    .map_err(|e| js_message(&e))?;
                let out = match out.dyn_into::<Promise>() {
                    Ok(p) => JsFuture::from(p).await.map_err(|e| js_message(&e))?,
                    Err(v) => v,
                };
                from_js(out).map_err(|e| e.to_string())
            }
        });
        if let Some(n) = name.filter(|n| !n.is_empty()) {
            tool.name = n;
        }
        tool.preload = preload;
        self.client.register_tool(tool).map_err(|e| to_js_error(&e))
    }

    /// Removes a local tool; `true` if it was registered.
    #[wasm_bindgen(js_name = unregisterTool)]
    pub fn unregister_tool(&self, slug: &str) -> bool {
        self.client.local_tools().unregister(slug)
    }

    /// Final slugs (`LOCAL_…`) of the registered local tools.
    #[wasm_bindgen(js_name = localToolSlugs)]
    pub fn local_tool_slugs(&self) -> Vec<String> {
        self.client
            .local_tools()
            .all()
            .iter()
            .map(LocalTool::final_slug)
            .collect()
    }
}

/// Timing constants shared with the JS wrapper: `{defaultWaitMs, defaultAuthorizeMs,
/// pollIntervalMs}`.
#[wasm_bindgen(js_name = edgeDefaults)]
pub fn edge_defaults() -> JsValue {
    to_js(&serde_json::json!({
        "defaultWaitMs": DEFAULT_WAIT_MS,
        "defaultAuthorizeMs": DEFAULT_AUTHORIZE_MS,
        "pollIntervalMs": POLL_INTERVAL_MS,
    }))
}

/// Builds a `ComposioEdgeError`-shaped JS error (used by the wrapper for popup errors, so every
/// error of the package has the same shape).
#[wasm_bindgen(js_name = edgeError)]
pub fn edge_error(code: &str, message: &str, status: Option<u16>) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("ComposioEdgeError");
    let _ = Reflect::set(&err, &"code".into(), &JsValue::from_str(code));
    let _ = Reflect::set(
        &err,
        &"status".into(),
        &JsValue::from_f64(f64::from(status.unwrap_or(0))),
    );
    err.into()
}

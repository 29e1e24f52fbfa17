//! The Tool Router client: configuration, headers, retries, and every session operation.
//!
//! ```
//! use composio_edge::client::{Client, ClientConfig, CreateSession};
//! use composio_edge::runtime::{block_on, TestRuntime};
//! use composio_edge::secret::ApiKey;
//! use composio_edge::transport::{json_response, RecordingTransport};
//! use std::rc::Rc;
//!
//! let transport = Rc::new(RecordingTransport::new());
//! transport.push(json_response(201, &composio_edge::json!({"session_id": "trs_1", "config": {}})));
//! let client = Client::new(ClientConfig::new(ApiKey::new("ak_test")), transport.clone(), TestRuntime::new(0)).unwrap();
//! let session = block_on(client.create_session(&CreateSession::new("user_123"))).unwrap();
//! assert_eq!(session.id(), "trs_1");
//! assert_eq!(transport.json_body(0), composio_edge::json!({"user_id": "user_123", "manage_connections": {"enable": true}}));
//! ```

pub mod custom;
pub mod options;
mod session;

use std::rc::Rc;

use crate::http;
use crate::http::{HeaderMap, HeaderName, HeaderValue, Method};
use crate::json::Value;
use serde::de::DeserializeOwned;

use crate::encoding::encode_component;
use crate::error::{Error, Result};
use crate::runtime::Runtime;
use crate::secret::ApiKey;
use crate::transport::{
    clone_request, retry_delay_ms, should_retry, HttpRequest, HttpResponse, RetryPolicy, Timeout,
    Transport,
};
use crate::wire::{decode_json, ConnectedAccount, ConnectionRequest, LinkResponse, SessionInfo};

pub use custom::{
    CustomRoutes, CustomTool, CustomToolkit, Customs, LocalRoute, ToolContext, ToolHandler,
};
pub use options::*;
pub use session::{Files, Session};

/// Production base URL.
pub const DEFAULT_BASE_URL: &str = "https://backend.composio.dev";
/// API path prefix.
pub const API_PREFIX: &str = "/api/v3.1";
/// This crate's version, sent as `x-sdk-version`.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");
/// Default `wait_for_connection` timeout.
pub const DEFAULT_CONNECTION_TIMEOUT_MS: u64 = 60_000;
/// `wait_for_connection` poll interval.
pub const CONNECTION_POLL_INTERVAL_MS: u64 = 1_000;

/// The honest `user-agent` of this client.
pub fn user_agent() -> String {
    format!("composio-edge/{SDK_VERSION} (rust)")
}

const CREDENTIAL_HEADERS: [&str; 3] = ["x-api-key", "x-user-api-key", "x-org-api-key"];
const IDENTITY_HEADERS: [&str; 7] = [
    "accept",
    "user-agent",
    "x-source",
    "x-sdk-version",
    "x-runtime",
    "x-framework",
    "content-type",
];

/// Client configuration.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Base URL (default `https://backend.composio.dev`); a trailing `/` is collapsed.
    pub base_url: String,
    /// Project API key, sent only as `x-api-key`.
    pub api_key: ApiKey,
    /// Retries and per-attempt timeout.
    pub retry: RetryPolicy,
    /// `x-runtime` (default `UNKNOWN`).
    pub runtime_name: String,
    /// `x-framework`, when set.
    pub framework: Option<String>,
    /// Extra default headers (never credential headers; identity headers win).
    pub extra_headers: Vec<(String, String)>,
}

impl ClientConfig {
    /// Defaults with `api_key`.
    pub fn new(api_key: ApiKey) -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.into(),
            api_key,
            retry: RetryPolicy::default(),
            runtime_name: "UNKNOWN".into(),
            framework: None,
            extra_headers: Vec::new(),
        }
    }
    /// Sets the base URL.
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }
    /// Sets the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
    /// Sets `x-runtime`.
    pub fn with_runtime_name(mut self, name: impl Into<String>) -> Self {
        self.runtime_name = name.into();
        self
    }
    /// Sets `x-framework`.
    pub fn with_framework(mut self, framework: impl Into<String>) -> Self {
        self.framework = Some(framework.into());
        self
    }
    /// Adds a default header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_headers.push((name.into(), value.into()));
        self
    }
}

/// Whether `host` (as in a URL authority, IPv6 in brackets or not) is loopback.
///
/// ```
/// use composio_edge::client::is_loopback_host;
/// assert!(is_loopback_host("localhost") && is_loopback_host("api.localhost"));
/// assert!(is_loopback_host("127.3.4.5") && is_loopback_host("[::1]"));
/// assert!(!is_loopback_host("127.0.0.1.evil.com") && !is_loopback_host("example.com"));
/// ```
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    if h == "localhost" || h.ends_with(".localhost") || h == "[::1]" || h == "::1" {
        return true;
    }
    let parts: Vec<&str> = h.split('.').collect();
    parts.len() == 4
        && parts.first() == Some(&"127")
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())
}

/// Checks the credential-transport rule of wire §1.1 for `url`: `https`, or `http` to loopback.
///
/// ```
/// use composio_edge::client::check_credential_url;
/// assert!(check_credential_url("https://backend.composio.dev").is_ok());
/// assert!(check_credential_url("http://127.0.0.1:9900").is_ok());
/// assert!(check_credential_url("http://backend.composio.dev").is_err());
/// ```
pub fn check_credential_url(url: &str) -> Result<http::Uri> {
    let uri: http::Uri = url
        .parse()
        .map_err(|_| Error::InvalidRequest("base url is not a valid url".into()))?;
    let host = uri.host().unwrap_or_default().to_owned();
    if host.is_empty() {
        return Err(Error::InvalidRequest("base url has no host".into()));
    }
    match uri.scheme_str() {
        Some("https") => Ok(uri),
        Some("http") if is_loopback_host(&host) => Ok(uri),
        Some("http") => Err(Error::InsecureTransport(format!(
            "http://{host} is not loopback; use https"
        ))),
        _ => Err(Error::InvalidRequest(
            "base url must use https or http".into(),
        )),
    }
}

/// Percent-encodes a path parameter (RFC 3986 pchar-safe characters kept); rejects empty,
/// `.` and `..`.
///
/// ```
/// use composio_edge::client::encode_path_param;
/// assert_eq!(encode_path_param("trs_a/b c").unwrap(), "trs_a%2Fb%20c");
/// assert!(encode_path_param("..").is_err());
/// ```
pub fn encode_path_param(s: &str) -> Result<String> {
    if s.is_empty() || s == "." || s == ".." {
        return Err(Error::InvalidRequest(
            "path parameter must not be empty, '.' or '..'".into(),
        ));
    }
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
            );
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(out)
}

/// A query string built per wire §1.4: omitted values dropped, `null` → `key=`, arrays
/// comma-joined into one parameter, everything `encodeURIComponent`-encoded.
///
/// ```
/// use composio_edge::client::Query;
/// let q = Query::new().num("limit", Some(10)).list("toolkits", Some(&["gmail".to_string(), "github".to_string()]))
///     .bool("is_connected", Some(true)).null("x").str("skip", None::<String>);
/// assert_eq!(q.encode(), "limit=10&toolkits=gmail%2Cgithub&is_connected=true&x=");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// Empty.
    pub fn new() -> Self {
        Self::default()
    }
    /// A string value.
    pub fn str(mut self, key: &str, v: Option<impl Into<String>>) -> Self {
        if let Some(v) = v {
            self.0.push((key.into(), v.into()));
        }
        self
    }
    /// A number.
    pub fn num(mut self, key: &str, v: Option<impl Into<f64>>) -> Self {
        if let Some(v) = v {
            let f: f64 = v.into();
            let s = if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", f as i64)
            } else {
                f.to_string()
            };
            self.0.push((key.into(), s));
        }
        self
    }
    /// A boolean.
    pub fn bool(mut self, key: &str, v: Option<bool>) -> Self {
        if let Some(v) = v {
            self.0.push((key.into(), v.to_string()));
        }
        self
    }
    /// An array, comma-joined.
    pub fn list(mut self, key: &str, v: Option<&[String]>) -> Self {
        if let Some(v) = v {
            self.0.push((key.into(), v.join(",")));
        }
        self
    }
    /// An explicit `null` (`key=`).
    pub fn null(mut self, key: &str) -> Self {
        self.0.push((key.into(), String::new()));
        self
    }
    /// `true` when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The encoded query (without `?`).
    pub fn encode(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Whether an operation may be retried automatically (wire §1.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retry {
    /// GETs, create, link.
    Yes,
    /// execute, execute_meta, proxy_execute, PATCH, presigned transfers.
    Never,
}

struct Inner<T, R> {
    config: ClientConfig,
    base: String,
    headers: HeaderMap,
    transport: T,
    runtime: R,
}

/// The Tool Router client. Cheap to clone (shared inside).
pub struct Client<T, R> {
    inner: Rc<Inner<T, R>>,
}

impl<T, R> Clone for Client<T, R> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<T, R> std::fmt::Debug for Client<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base)
            .finish_non_exhaustive()
    }
}

fn header_value(v: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(v).map_err(|_| Error::InvalidRequest("invalid header value".into()))
}

impl<T: Transport + 'static, R: Runtime + 'static> Client<T, R> {
    /// Builds a client. Fails with [`Error::InsecureTransport`] when the base URL is plain http
    /// to a non-loopback host, [`Error::InvalidRequest`] for a malformed URL or header.
    pub fn new(config: ClientConfig, transport: T, runtime: R) -> Result<Self> {
        let base = config.base_url.trim_end_matches('/').to_owned();
        let uri = check_credential_url(&base)?;
        if uri.query().is_some() {
            return Err(Error::InvalidRequest(
                "base url must not have a query".into(),
            ));
        }
        if config.api_key.expose_secret().is_empty() {
            return Err(Error::InvalidRequest("api key must not be empty".into()));
        }
        let mut headers = HeaderMap::new();
        for (k, v) in &config.extra_headers {
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| Error::InvalidRequest(format!("invalid header name {k}")))?;
            if CREDENTIAL_HEADERS.contains(&name.as_str()) {
                return Err(Error::InvalidRequest(format!(
                    "extra header {name} would add a second credential"
                )));
            }
            if IDENTITY_HEADERS.contains(&name.as_str()) {
                continue;
            }
            headers.append(name, header_value(v)?);
        }
        headers.insert("accept", HeaderValue::from_static("application/json"));
        headers.insert("user-agent", header_value(&user_agent())?);
        headers.insert("x-source", HeaderValue::from_static("RUST_SDK"));
        headers.insert("x-sdk-version", HeaderValue::from_static(SDK_VERSION));
        headers.insert("x-runtime", header_value(&config.runtime_name)?);
        if let Some(fw) = &config.framework {
            headers.insert("x-framework", header_value(fw)?);
        }
        let mut key = header_value(config.api_key.expose_secret())
            .map_err(|_| Error::InvalidRequest("api key is not a valid header value".into()))?;
        key.set_sensitive(true);
        headers.insert("x-api-key", key);
        Ok(Self {
            inner: Rc::new(Inner {
                config,
                base,
                headers,
                transport,
                runtime,
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The base URL (without trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// The runtime.
    pub fn runtime(&self) -> &R {
        &self.inner.runtime
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.inner.transport
    }

    /// Builds an authenticated API request for `path` (starting with `/`).
    pub fn build_request(
        &self,
        method: Method,
        path: &str,
        query: &Query,
        body: Option<&Value>,
    ) -> Result<HttpRequest> {
        let mut url = format!("{}{}", self.inner.base, path);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query.encode());
        }
        let bytes = match body {
            Some(b) => serde_json::to_vec(b)
                .map_err(|e| Error::InvalidRequest(format!("cannot encode body: {e}")))?,
            None => Vec::new(),
        };
        let mut req = http::Request::new(bytes);
        *req.method_mut() = method;
        *req.uri_mut() = url
            .parse()
            .map_err(|_| Error::InvalidRequest("request url is invalid".into()))?;
        *req.headers_mut() = self.inner.headers.clone();
        if body.is_some() {
            req.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        req.extensions_mut()
            .insert(Timeout(self.inner.config.retry.timeout_ms));
        Ok(req)
    }

    /// Sends `req` with the retry policy of wire §1.6 when `retry` allows it.
    pub(crate) async fn send(&self, req: HttpRequest, retry: Retry) -> Result<HttpResponse> {
        let max = match retry {
            Retry::Yes => self.inner.config.retry.max_retries,
            Retry::Never => 0,
        };
        let mut attempt: u32 = 0;
        loop {
            let mut r = clone_request(&req);
            r.extensions_mut()
                .insert(Timeout(self.inner.config.retry.timeout_ms));
            let outcome = self.inner.transport.send(r).await;
            // A success is final, whatever `x-should-retry` says.
            let retryable = match &outcome {
                Ok(res) if res.status().is_success() => false,
                _ => should_retry(&outcome),
            };
            if attempt < max && retryable {
                let delay = retry_delay_ms(
                    attempt,
                    outcome.as_ref().ok().map(|r| r.headers()),
                    self.inner.runtime.random_f64(),
                    self.inner.runtime.now_ms(),
                );
                self.inner.runtime.sleep(delay).await;
                attempt += 1;
                continue;
            }
            return outcome;
        }
    }

    /// One API call: build, send (with retries when allowed), decode.
    pub(crate) async fn call<D: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &Query,
        body: Option<&Value>,
        retry: Retry,
    ) -> Result<D> {
        let req = self.build_request(method, path, query, body)?;
        let res = self.send(req, retry).await?;
        if res.status().is_success() && res.body().is_empty() {
            // 204 / empty success: decode as `{}` so all-optional responses still work.
            return crate::json::from_value(Value::Object(crate::json::Map::new())).map_err(|e| {
                Error::Decode {
                    status: res.status().as_u16(),
                    message: e.to_string(),
                    body: String::new(),
                }
            });
        }
        decode_json(&res)
    }

    /// Sends a request to a presigned URL (file mounts) **without** any Composio header.
    pub(crate) async fn send_presigned(
        &self,
        method: Method,
        url: &str,
        body: Vec<u8>,
        content_type: Option<&str>,
    ) -> Result<HttpResponse> {
        let uri = check_credential_url(url).map_err(|e| match e {
            Error::InsecureTransport(m) => Error::InsecureTransport(m),
            _ => Error::InvalidRequest("presigned url is invalid".into()),
        })?;
        let mut req = http::Request::new(body);
        *req.method_mut() = method;
        *req.uri_mut() = uri;
        if let Some(ct) = content_type {
            req.headers_mut()
                .insert(http::header::CONTENT_TYPE, header_value(ct)?);
        }
        req.extensions_mut()
            .insert(Timeout(self.inner.config.retry.timeout_ms));
        let res = self.send(req, Retry::Never).await?;
        if !res.status().is_success() {
            return Err(Error::Api(Box::new(crate::wire::api_error_from_response(
                &res,
            ))));
        }
        Ok(res)
    }

    /// `POST /api/v3.1/tool_router/session` → a session with its routing map (wire §3.1).
    pub async fn create_session(&self, opts: &CreateSession) -> Result<Session<T, R>> {
        let body = opts.to_wire()?;
        let info: SessionInfo = self
            .call(
                Method::POST,
                &format!("{API_PREFIX}/tool_router/session"),
                &Query::new(),
                Some(&body),
                Retry::Yes,
            )
            .await?;
        let default_all = opts.effective_preload() == Some(Preload::All);
        Session::from_info(
            self.clone(),
            info,
            Some(opts.user_id.clone()),
            opts.customs(),
            default_all,
        )
    }

    /// `GET /api/v3.1/tool_router/session/{id}` (no customs, wire §3.2).
    pub async fn use_session(&self, id: &str) -> Result<Session<T, R>> {
        let path = format!(
            "{API_PREFIX}/tool_router/session/{}",
            encode_path_param(id)?
        );
        let info: SessionInfo = self
            .call(Method::GET, &path, &Query::new(), None, Retry::Yes)
            .await?;
        let preload_all = info.config.preload.is_all();
        let user = info.config.user_id.clone();
        Session::from_info(self.clone(), info, user, Customs::default(), preload_all)
    }

    /// `POST /api/v3.1/tool_router/session/{id}/attach` with custom tools (wire §3.2). The user
    /// comes from `config.user_id`.
    /// Without customs this is [`Client::use_session`] (a GET), as in the SDKs.
    pub async fn attach_session(&self, id: &str, customs: Customs) -> Result<Session<T, R>> {
        if customs.is_empty() {
            return self.use_session(id).await;
        }
        let path = format!(
            "{API_PREFIX}/tool_router/session/{}/attach",
            encode_path_param(id)?
        );
        let body = crate::json!({ "experimental": customs.to_wire(false) });
        let info: SessionInfo = self
            .call(Method::POST, &path, &Query::new(), Some(&body), Retry::Yes)
            .await?;
        let preload_all = info.config.preload.is_all();
        let user = info.config.user_id.clone();
        Session::from_info(self.clone(), info, user, customs, preload_all)
    }

    /// A handle on an existing session **without any request** (e.g. a stored session id).
    pub fn session(&self, id: impl Into<String>, user_id: Option<String>) -> Session<T, R> {
        Session::bare(self.clone(), id.into(), user_id)
    }

    /// A handle rebuilt from a stored create/attach response and the same customs, without any
    /// request; the routing map comes from the stored echo.
    pub fn session_from_info(&self, info: SessionInfo, customs: Customs) -> Result<Session<T, R>> {
        let preload_all = info.config.preload.is_all();
        let user = info.config.user_id.clone();
        Session::from_info(self.clone(), info, user, customs, preload_all)
    }

    /// `GET /api/v3.1/session_configs?limit=&cursor=` (experimental saved session configs).
    pub async fn list_session_configs(
        &self,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<crate::wire::Page<Value>> {
        let q = Query::new().num("limit", limit).str("cursor", cursor);
        self.call(
            Method::GET,
            &format!("{API_PREFIX}/session_configs"),
            &q,
            None,
            Retry::Yes,
        )
        .await
    }

    /// `GET /api/v3.1/session_configs/{id}` (experimental).
    pub async fn get_session_config(&self, id: &str) -> Result<Value> {
        let path = format!("{API_PREFIX}/session_configs/{}", encode_path_param(id)?);
        self.call(Method::GET, &path, &Query::new(), None, Retry::Yes)
            .await
    }

    /// `GET /api/v3.1/connected_accounts/{id}`.
    pub async fn get_connected_account(&self, id: &str) -> Result<ConnectedAccount> {
        let path = format!("{API_PREFIX}/connected_accounts/{}", encode_path_param(id)?);
        self.call(Method::GET, &path, &Query::new(), None, Retry::Yes)
            .await
    }

    /// `POST /api/v3.1/connected_accounts/link` (outside a session, wire §9.2).
    pub async fn create_link(&self, link: &ConnectedAccountLink) -> Result<LinkResponse> {
        let body = link.to_wire()?;
        self.call(
            Method::POST,
            &format!("{API_PREFIX}/connected_accounts/link"),
            &Query::new(),
            Some(&body),
            Retry::Yes,
        )
        .await
    }

    /// Polls the connected account until it is `ACTIVE` (wire §9.4): an immediate GET, then one
    /// every second until `timeout_ms` (default 60 000) has passed on the runtime's clock.
    pub async fn wait_for_connection(
        &self,
        id: &str,
        timeout_ms: Option<u64>,
    ) -> Result<ConnectedAccount> {
        let timeout = timeout_ms.unwrap_or(DEFAULT_CONNECTION_TIMEOUT_MS);
        let rt = &self.inner.runtime;
        let start = rt.now_ms();
        let mut first = true;
        loop {
            match self.get_connected_account(id).await {
                Ok(acc) => match acc.status.as_str() {
                    "ACTIVE" => return Ok(acc),
                    "FAILED" | "EXPIRED" | "REVOKED" => {
                        return Err(Error::ConnectionFailed {
                            id: id.to_owned(),
                            status: acc.status.clone(),
                            reason: acc.status_reason.clone(),
                        })
                    }
                    _ => {}
                },
                Err(Error::Api(e)) if first && e.status == 404 => {
                    return Err(Error::ConnectedAccountNotFound(id.to_owned()))
                }
                Err(e) if e.is_retryable() => {}
                Err(e) => return Err(e),
            }
            first = false;
            let elapsed = rt.now_ms().saturating_sub(start);
            if elapsed >= timeout {
                return Err(Error::ConnectionTimeout(id.to_owned()));
            }
            rt.sleep(CONNECTION_POLL_INTERVAL_MS.min(timeout - elapsed))
                .await;
        }
    }
}

/// The connection request `authorize` returns for a link response.
pub fn connection_request(link: &LinkResponse) -> ConnectionRequest {
    ConnectionRequest {
        id: link.connected_account_id.clone(),
        status: "INITIATED".into(),
        redirect_url: link.redirect_url.clone(),
    }
}

//! Calls to the Tool Router API on behalf of one user, and the mapping of their failures to
//! gateway errors. Reads are retried per wire §1.6; execute, link and proxy never are.
//!
//! Why not [`crate::client::Client`]: it owns a `'static` transport and runtime, while a
//! Durable Object lends the gateway borrowed ones per request; and the gateway passes the
//! API's JSON through to the browser verbatim (search results, toolkit pages, execute results),
//! so it works on `composio_edge::json::Value` rather than typed responses. It shares the client's
//! building blocks: [`crate::client::encode_path_param`], [`crate::client::user_agent`], the
//! retry policy and backoff of [`crate::transport`] and the envelope decoding of
//! [`crate::wire`].

use crate::json::Value;

use crate::error::{Error, TransportErrorKind};
use crate::http;
use crate::runtime::Runtime;
use crate::secret::ApiKey;
use crate::transport::{
    retry_delay_ms, should_retry, HttpResponse, RetryPolicy, Timeout, Transport,
};
use crate::wire::envelope::decode_value;

use super::respond::{self, Ctx};

/// Prefix of every session path.
const SESSION_PATH: &str = "/api/v3.1/tool_router/session";

/// An upstream failure, with the `retry-after` the API gave (seconds).
#[derive(Debug)]
pub struct UpstreamError {
    /// What went wrong.
    pub error: Error,
    /// `retry-after` of a 429/503, in seconds.
    pub retry_after: Option<u64>,
}

impl From<Error> for UpstreamError {
    fn from(error: Error) -> Self {
        Self {
            error,
            retry_after: None,
        }
    }
}

/// Boxed like the values: an upstream call's `Result` stays two pointers wide through the
/// state machines that await it.
impl From<Error> for Box<UpstreamError> {
    fn from(error: Error) -> Self {
        Box::new(UpstreamError::from(error))
    }
}

/// What an upstream call gives: the decoded JSON, or why not (both boxed).
pub type UpstreamResult<T = Box<Value>> = Result<T, Box<UpstreamError>>;

impl UpstreamError {
    /// The upstream answered 404.
    pub fn is_not_found(&self) -> bool {
        matches!(&self.error, Error::Api(e) if e.status == 404)
    }
}

/// The Tool Router API as seen by the gateway.
pub struct Upstream<'a, T, R> {
    /// Base URL without trailing slash.
    pub base: String,
    /// Project key.
    pub key: &'a ApiKey,
    /// Transport to the API (or the emulator).
    pub transport: &'a T,
    /// Clock and entropy for backoff.
    pub rt: &'a R,
    /// Retry budget and per-attempt timeout.
    pub policy: RetryPolicy,
}

impl<T: Transport, R: Runtime> Upstream<'_, T, R> {
    async fn call(
        &self,
        method: http::Method,
        path_and_query: &str,
        body: Option<&Value>,
        retry: bool,
    ) -> UpstreamResult {
        let uri = format!("{}{path_and_query}", self.base);
        let mut attempt = 0u32;
        loop {
            let mut builder = http::Request::builder()
                .method(method.clone())
                .uri(&uri)
                .header("accept", "application/json")
                // (`&str` like the other headers: one `header` instance.)
                .header("user-agent", crate::client::user_agent().as_str())
                .header("x-api-key", self.key.expose_secret());
            let bytes = match body {
                Some(b) => {
                    builder = builder.header("content-type", "application/json");
                    crate::wire::json::to_text(b).into_bytes()
                }
                None => Vec::new(),
            };
            let mut req = builder.body(bytes).map_err(|_| {
                Error::InvalidRequest("could not build the upstream request".into())
            })?;
            req.extensions_mut().insert(Timeout(self.policy.timeout_ms));
            let outcome = self.transport.send(req).await;
            // A success is final, whatever `x-should-retry` says.
            let retryable = match &outcome {
                Ok(res) if res.status().is_success() => false,
                _ => should_retry(&outcome),
            };
            if retry && attempt < self.policy.max_retries && retryable {
                let headers = outcome.as_ref().ok().map(|r| r.headers());
                let delay =
                    retry_delay_ms(attempt, headers, self.rt.random_f64(), self.rt.now_ms());
                self.rt.sleep(delay).await;
                attempt += 1;
                continue;
            }
            let res = outcome?;
            return decode(&res);
        }
    }

    fn session_path(id: &str, tail: &str) -> UpstreamResult<String> {
        Ok(format!(
            "{SESSION_PATH}/{}{tail}",
            crate::client::encode_path_param(id)?
        ))
    }

    /// `POST /tool_router/session`.
    pub async fn create_session(&self, body: &Value) -> UpstreamResult {
        self.call(http::Method::POST, SESSION_PATH, Some(body), true)
            .await
    }

    /// `DELETE /tool_router/session/{id}`.
    pub async fn delete_session(&self, id: &str) -> UpstreamResult {
        self.call(
            http::Method::DELETE,
            &Self::session_path(id, "")?,
            None,
            true,
        )
        .await
    }

    /// Every tool of the session (`GET …/tools`, following cursors, at most 20 pages).
    pub async fn tools(&self, id: &str) -> UpstreamResult<Vec<Value>> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..20 {
            let mut path = Self::session_path(id, "/tools?limit=500")?;
            if let Some(c) = &cursor {
                path.push_str("&cursor=");
                path.push_str(&crate::encoding::encode_component(c));
            }
            let page = self.call(http::Method::GET, &path, None, true).await?;
            if let Some(Value::Array(a)) = page.get("items") {
                items.extend(a.iter().cloned());
            }
            cursor = page
                .get("next_cursor")
                .and_then(Value::as_str)
                .filter(|c| !c.is_empty())
                .map(str::to_owned);
            if cursor.is_none() {
                break;
            }
        }
        Ok(items)
    }

    /// A call under the session's path (`…/session/{id}{tail}`): one function for every
    /// session-scoped call of the gateway, so its callers share one state machine.
    pub async fn in_session(
        &self,
        id: &str,
        method: http::Method,
        tail: &str,
        body: Option<&Value>,
        retry: bool,
    ) -> UpstreamResult {
        self.call(method, &Self::session_path(id, tail)?, body, retry)
            .await
    }

    /// `POST …/search`.
    pub async fn search(&self, id: &str, body: &Value) -> UpstreamResult {
        self.call(
            http::Method::POST,
            &Self::session_path(id, "/search")?,
            Some(body),
            true,
        )
        .await
    }

    /// `POST …/execute` — never retried.
    pub async fn execute(&self, id: &str, body: &Value) -> UpstreamResult {
        self.call(
            http::Method::POST,
            &Self::session_path(id, "/execute")?,
            Some(body),
            false,
        )
        .await
    }

    /// `GET …/toolkits?{query}` (`query` already encoded).
    pub async fn toolkits(&self, id: &str, query: &str) -> UpstreamResult {
        let tail = if query.is_empty() {
            "/toolkits".to_owned()
        } else {
            format!("/toolkits?{query}")
        };
        self.call(
            http::Method::GET,
            &Self::session_path(id, &tail)?,
            None,
            true,
        )
        .await
    }

    /// `POST …/link` — never retried (each call starts a new flow).
    pub async fn link(&self, id: &str, body: &Value) -> UpstreamResult {
        self.call(
            http::Method::POST,
            &Self::session_path(id, "/link")?,
            Some(body),
            false,
        )
        .await
    }

    /// `POST …/proxy_execute` — never retried.
    pub async fn proxy(&self, id: &str, body: &Value) -> UpstreamResult {
        self.call(
            http::Method::POST,
            &Self::session_path(id, "/proxy_execute")?,
            Some(body),
            false,
        )
        .await
    }

    /// `GET /connected_accounts/{id}`.
    pub async fn connected_account(&self, id: &str) -> UpstreamResult {
        let path = format!(
            "/api/v3.1/connected_accounts/{}",
            crate::client::encode_path_param(id)?
        );
        self.call(http::Method::GET, &path, None, true).await
    }
}

fn decode(res: &HttpResponse) -> UpstreamResult {
    let retry_after = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .or_else(|| {
            res.headers()
                .get("retry-after-ms")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|ms| ms.div_ceil(1000))
        });
    decode_value(res)
        .map(Box::new)
        .map_err(|error| Box::new(UpstreamError { error, retry_after }))
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(300).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// Maps an upstream failure to a gateway error response (SEC-23: a rejected key is a typed,
/// actionable error, never a 401 the browser would read as "your token is bad").
pub fn error_response(ctx: &Ctx, e: &UpstreamError) -> HttpResponse {
    let (status, code, message) = match &e.error {
        Error::Api(a) | Error::SessionConfigConflict(a) => match a.status {
            401 => (
                502,
                "upstream_auth_failed",
                "the composio api rejected the gateway's api key (check COMPOSIO_API_KEY)"
                    .to_owned(),
            ),
            403 => (
                502,
                "upstream_permission_denied",
                "the gateway's composio api key lacks permission for this operation".to_owned(),
            ),
            404 => (404, "upstream_not_found", short(&a.message)),
            408 => (
                504,
                "upstream_timeout",
                "the composio api timed out".to_owned(),
            ),
            429 => (
                429,
                "upstream_rate_limited",
                "the composio api is rate limiting this project; retry later".to_owned(),
            ),
            400..=499 => (400, "upstream_rejected", short(&a.message)),
            _ => (
                502,
                "upstream_error",
                format!("the composio api failed with status {}", a.status),
            ),
        },
        Error::Transport {
            kind: TransportErrorKind::Timeout,
            ..
        } => (
            504,
            "upstream_timeout",
            "the composio api timed out".to_owned(),
        ),
        Error::Transport { .. } => (
            502,
            "upstream_unavailable",
            "the composio api could not be reached".to_owned(),
        ),
        Error::Decode { status, .. } => (
            502,
            "upstream_bad_response",
            format!("the composio api sent a response that is not valid json (status {status})"),
        ),
        other => (502, "upstream_error", short(&other.to_string())),
    };
    let res = respond::error(ctx, status, code, &message);
    match (status, e.retry_after) {
        (429, r) => respond::with_retry_after(res, r.unwrap_or(1).min(3600)),
        (502 | 504, Some(r)) => respond::with_retry_after(res, r.min(3600)),
        _ => res,
    }
}

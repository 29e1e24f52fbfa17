//! HTTP as the core sees it: `http` requests and responses with byte bodies, a tiny
//! [`Transport`] trait, a recording fake for tests, and the retry policy of wire §1.6.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::rc::Rc;

use crate::error::{Error, TransportErrorKind};

/// An outgoing request.
pub type HttpRequest = http::Request<Vec<u8>>;
/// A received response.
pub type HttpResponse = http::Response<Vec<u8>>;

/// Per-attempt timeout in milliseconds, carried as a request extension. Transports honour it
/// (the wasm transport with an `AbortSignal`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeout(pub u64);

/// Sends one HTTP request. Implementations never retry; the client does.
///
/// Any `Fn(HttpRequest) -> impl Future<Output = Result<HttpResponse, Error>>` is a transport:
///
/// ```
/// use composio_edge::transport::{HttpRequest, HttpResponse, Transport};
/// let t = |req: HttpRequest| async move {
///     Ok::<_, composio_edge::Error>(HttpResponse::new(req.uri().path().as_bytes().to_vec()))
/// };
/// let req = http::Request::get("http://127.0.0.1/x").body(Vec::new()).unwrap();
/// let res = composio_edge::runtime::block_on(t.send(req)).unwrap();
/// assert_eq!(res.body(), b"/x");
/// ```
pub trait Transport {
    /// Sends `request`; an `Err` is always [`Error::Transport`].
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, Error>>;
}

impl<F, Fut> Transport for F
where
    F: Fn(HttpRequest) -> Fut,
    Fut: Future<Output = Result<HttpResponse, Error>>,
{
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, Error>> {
        self(request)
    }
}

impl<T: Transport> Transport for Rc<T> {
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, Error>> {
        (**self).send(request)
    }
}

/// A transport error of the given kind.
pub fn transport_error(kind: TransportErrorKind, message: impl Into<String>) -> Error {
    Error::Transport {
        kind,
        message: message.into(),
    }
}

/// A fake transport: records every request and answers from a queue (then with a 500).
///
/// ```
/// use composio_edge::transport::{json_response, RecordingTransport, Transport};
/// let t = RecordingTransport::new();
/// t.push(json_response(200, &serde_json::json!({"ok": true})));
/// let req = http::Request::get("https://x/").body(Vec::new()).unwrap();
/// let res = composio_edge::runtime::block_on(t.send(req)).unwrap();
/// assert_eq!(res.status(), 200);
/// assert_eq!(t.requests().len(), 1);
/// ```
#[derive(Default)]
pub struct RecordingTransport {
    requests: RefCell<Vec<HttpRequest>>,
    responses: RefCell<VecDeque<Result<HttpResponse, Error>>>,
}

impl RecordingTransport {
    /// An empty fake.
    pub fn new() -> Self {
        Self::default()
    }
    /// Queues a response.
    pub fn push(&self, response: HttpResponse) {
        self.responses.borrow_mut().push_back(Ok(response));
    }
    /// Queues a transport failure.
    pub fn push_error(&self, error: Error) {
        self.responses.borrow_mut().push_back(Err(error));
    }
    /// Clones of every request sent so far.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.requests.borrow().iter().map(clone_request).collect()
    }
    /// The body of request `i` parsed as JSON (`Null` when empty).
    pub fn json_body(&self, i: usize) -> serde_json::Value {
        let reqs = self.requests.borrow();
        let body = reqs.get(i).map(|r| r.body().as_slice()).unwrap_or_default();
        if body.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(body).unwrap_or(serde_json::Value::Null)
        }
    }
}

impl Transport for RecordingTransport {
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, Error>> {
        self.requests.borrow_mut().push(request);
        let next = self.responses.borrow_mut().pop_front();
        std::future::ready(next.unwrap_or_else(|| Ok(json_response(500, &serde_json::json!({"error": {"message": "no response queued", "code": 0, "slug": "Test", "status": 500}})))))
    }
}

/// Copies a request (method, uri, headers, body, and the [`Timeout`] extension).
pub fn clone_request(r: &HttpRequest) -> HttpRequest {
    let mut out = http::Request::new(r.body().clone());
    *out.method_mut() = r.method().clone();
    *out.uri_mut() = r.uri().clone();
    *out.headers_mut() = r.headers().clone();
    if let Some(t) = r.extensions().get::<Timeout>() {
        out.extensions_mut().insert(*t);
    }
    out
}

/// A JSON response with `content-type: application/json`.
pub fn json_response(status: u16, body: &serde_json::Value) -> HttpResponse {
    let mut res = http::Response::new(serde_json::to_vec(body).unwrap_or_default());
    *res.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    res.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    res
}

/// Retry policy of wire §1.6 (mirrors both official kernels).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 2, i.e. three attempts).
    pub max_retries: u32,
    /// Per-attempt timeout in milliseconds (default 60 000).
    pub timeout_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            timeout_ms: 60_000,
        }
    }
}

/// Whether an attempt that ended this way should be retried (ignoring the retry budget).
///
/// `x-should-retry: true|false` wins; otherwise connection errors, timeouts, 408, 409, 429 and
/// 5xx are retried.
///
/// ```
/// use composio_edge::transport::{should_retry, json_response};
/// let r = json_response(503, &serde_json::json!({}));
/// assert!(should_retry(&Ok(r)));
/// ```
pub fn should_retry(outcome: &Result<HttpResponse, Error>) -> bool {
    match outcome {
        Err(e) => e.is_retryable(),
        Ok(res) => {
            match res
                .headers()
                .get("x-should-retry")
                .and_then(|v| v.to_str().ok())
            {
                Some("true") => return true,
                Some("false") => return false,
                _ => {}
            }
            matches!(res.status().as_u16(), 408 | 409 | 429 | 500..=599)
        }
    }
}

/// Milliseconds to wait before retry number `retry` (0 for the first retry).
///
/// `retry-after-ms`, then `retry-after` (seconds or an HTTP date), are used when they give a
/// delay in `[0, 60 s)`; otherwise `min(0.5 · 2^retry, 8) s × (1 − jitter · 0.25)` with
/// `jitter ∈ [0, 1)`.
///
/// ```
/// use composio_edge::transport::retry_delay_ms;
/// let h = http::HeaderMap::new();
/// assert_eq!(retry_delay_ms(0, Some(&h), 0.0, 0), 500);
/// assert_eq!(retry_delay_ms(5, Some(&h), 0.0, 0), 8_000);
/// assert_eq!(retry_delay_ms(1, Some(&h), 0.5, 0), 875);
/// ```
pub fn retry_delay_ms(
    retry: u32,
    headers: Option<&http::HeaderMap>,
    jitter: f64,
    now_ms: u64,
) -> u64 {
    if let Some(h) = headers {
        if let Some(ms) = header_f64(h, "retry-after-ms") {
            if (0.0..60_000.0).contains(&ms) {
                return ms as u64;
            }
        }
        if let Some(v) = h.get("retry-after").and_then(|v| v.to_str().ok()) {
            let delay = match v.trim().parse::<f64>() {
                Ok(s) => Some(s * 1000.0),
                Err(_) => parse_http_date_ms(v).map(|at| at as f64 - now_ms as f64),
            };
            if let Some(d) = delay {
                if (0.0..60_000.0).contains(&d) {
                    return d as u64;
                }
            }
        }
    }
    let base = (0.5 * 2f64.powi(retry.min(16) as i32)).min(8.0);
    // A NaN jitter (a broken entropy source) must not turn the backoff into no wait at all.
    let jitter = if jitter.is_nan() {
        0.0
    } else {
        jitter.clamp(0.0, 1.0)
    };
    (base * (1.0 - jitter * 0.25) * 1000.0) as u64
}

fn header_f64(h: &http::HeaderMap, name: &str) -> Option<f64> {
    h.get(name)?
        .to_str()
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) into Unix milliseconds.
///
/// ```
/// assert_eq!(composio_edge::transport::parse_http_date_ms("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777_000));
/// assert_eq!(composio_edge::transport::parse_http_date_ms("soon"), None);
/// ```
pub fn parse_http_date_ms(s: &str) -> Option<u64> {
    let mut parts = s.split_whitespace();
    let _weekday = parts.next()?;
    let day: u64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    // IMF-fixdate years have four digits; anything wider would overflow the day arithmetic.
    if !(1..=9999).contains(&year) {
        return None;
    }
    let mut hms = parts.next()?.split(':');
    let (h, m, sec): (u64, u64, u64) = (
        hms.next()?.parse().ok()?,
        hms.next()?.parse().ok()?,
        hms.next()?.parse().ok()?,
    );
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day as i64);
    if days < 0 {
        return None;
    }
    Some(((days as u64 * 86_400) + h * 3600 + m * 60 + sec) * 1000)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats Unix milliseconds as RFC 3339 UTC with millisecond precision (`2026-11-22T03:00:00.000Z`).
///
/// ```
/// assert_eq!(composio_edge::transport::rfc3339(784_111_777_000), "1994-11-06T08:49:37.000Z");
/// ```
pub fn rfc3339(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // civil_from_days
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60,
        ms % 1000
    )
}

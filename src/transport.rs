//! HTTP as the core sees it: [`crate::http`] requests and responses with byte bodies, a tiny
//! [`Transport`] trait, a recording fake for tests, and the retry policy of wire §1.6.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::rc::Rc;

use crate::error::{Error, TransportErrorKind};
use crate::http;

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
/// use composio_edge::http;
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
/// use composio_edge::http;
/// use composio_edge::transport::{json_response, RecordingTransport, Transport};
/// let t = RecordingTransport::new();
/// t.push(json_response(200, &composio_edge::json!({"ok": true})));
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
    pub fn json_body(&self, i: usize) -> crate::json::Value {
        let reqs = self.requests.borrow();
        let body = reqs.get(i).map(|r| r.body().as_slice()).unwrap_or_default();
        if body.is_empty() {
            crate::json::Value::Null
        } else {
            crate::wire::json::parse_bytes(body).unwrap_or(crate::json::Value::Null)
        }
    }
}

impl Transport for RecordingTransport {
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, Error>> {
        self.requests.borrow_mut().push(request);
        let next = self.responses.borrow_mut().pop_front();
        std::future::ready(next.unwrap_or_else(|| Ok(json_response(500, &crate::json!({"error": {"message": "no response queued", "code": 0, "slug": "Test", "status": 500}})))))
    }
}

/// Copies a request (method, uri, headers, body, and the [`Timeout`] extension).
pub fn clone_request(r: &HttpRequest) -> HttpRequest {
    r.clone()
}

/// A JSON response with `content-type: application/json`.
pub fn json_response(status: u16, body: &crate::json::Value) -> HttpResponse {
    let mut res = http::Response::new(crate::wire::json::to_text(body).into_bytes());
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
/// let r = json_response(503, &composio_edge::json!({}));
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
/// use composio_edge::http;
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
            let delay = match parse_f64(v.trim()) {
                Some(s) => Some(s * 1000.0),
                None => parse_http_date_ms(v).map(|at| at as f64 - now_ms as f64),
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
    parse_f64(h.get(name)?.to_str().ok()?.trim()).filter(|v| v.is_finite())
}

/// `str::parse::<f64>` for retry headers, without core's float parser (its 10 KB table of
/// powers of five is the largest table in the wasm): the same grammar (sign, digits with an
/// optional point and exponent, `inf`/`infinity`/`nan`), and the same correctly rounded value
/// whenever the digits fit 2^53 and the exponent is within ±22 (every retry header in
/// practice); beyond that the value may differ in its last bit.
fn parse_f64(s: &str) -> Option<f64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let signed = |v: f64| if neg { -v } else { v };
    if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        return Some(signed(f64::INFINITY));
    }
    if body.eq_ignore_ascii_case("nan") {
        return Some(f64::NAN);
    }
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return None;
    }
    let mut e10: i64 = match exp {
        None => 0,
        Some(e) => {
            let (eneg, ed) = match e.as_bytes().first() {
                Some(b'-') => (true, &e[1..]),
                Some(b'+') => (false, &e[1..]),
                _ => (false, e),
            };
            if ed.is_empty() || !digits(ed) {
                return None;
            }
            // Saturates: any exponent this large is out of every range anyway.
            let n = ed
                .bytes()
                .take(6)
                .fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
            let n = if ed.len() > 6 { 1_000_000 } else { n };
            if eneg {
                -n
            } else {
                n
            }
        }
    };
    // Significant digits (at most 19 kept, the rest only move the exponent).
    let mut w: u64 = 0;
    let mut kept = 0;
    for (i, b) in int.bytes().chain(frac.bytes()).enumerate() {
        let fractional = i >= int.len();
        if w == 0 && b == b'0' {
            if fractional {
                e10 -= 1;
            }
            continue;
        }
        if kept < 19 {
            w = w * 10 + u64::from(b - b'0');
            kept += 1;
            if fractional {
                e10 -= 1;
            }
        } else if !fractional {
            e10 += 1;
        }
    }
    if w == 0 {
        return Some(signed(0.0));
    }
    while w.is_multiple_of(10) && kept > 0 {
        w /= 10;
        e10 += 1;
        kept -= 1;
    }
    let v = w as f64;
    let v = if w <= 1 << 53 && (-22..=22).contains(&e10) {
        // Exact operands, one rounding: what core's fast path computes.
        let p = 10f64.powi(e10.unsigned_abs() as i32);
        if e10 < 0 {
            v / p
        } else {
            v * p
        }
    } else if e10 > 400 {
        f64::INFINITY
    } else if e10 < -400 {
        0.0
    } else {
        // Two steps, so that neither power overflows or underflows on its own.
        let half = (e10 / 2) as i32;
        v * 10f64.powi(half) * 10f64.powi(e10 as i32 - half)
    };
    Some(signed(v))
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

#[cfg(test)]
mod parse_f64_tests {
    use super::{parse_f64, retry_delay_ms};
    use crate::http;

    /// Same value as `str::parse::<f64>` (bit for bit within the exact range) and the same
    /// retry delay for every spelling.
    #[test]
    fn parse_f64_matches_core() {
        let cases = [
            "0",
            "1",
            "2",
            "5",
            "30",
            "59.999",
            "60",
            "0.5",
            ".5",
            "5.",
            "1.5",
            "1.001",
            "0.001",
            "1e3",
            "1E3",
            "1e-3",
            "1.5e1",
            "+1",
            "-1",
            "-0",
            "+0.0",
            "00012",
            "0012.50",
            "12.345e2",
            "1e22",
            "1e23",
            "123456789012345",
            "9007199254740992",
            "0.1",
            "0.3",
            "2.675",
            "59999e-3",
            "inf",
            "-inf",
            "Infinity",
            "NaN",
            "nan",
            "",
            ".",
            "e3",
            "1e",
            "1e+",
            "1.2.3",
            "1,5",
            " 1",
            "1 ",
            "--1",
            "+-1",
            "0x10",
            "1_000",
            "١",
            "1e400",
            "1e-400",
            "4.9e-324",
            "0.000000000000000000000000001",
            "100000000000000000000000000000",
            "1.0000000000000000000001",
        ];
        for c in cases {
            let core = c.parse::<f64>().ok();
            let ours = parse_f64(c);
            match (core, ours) {
                (Some(a), Some(b)) if a.is_nan() => assert!(b.is_nan(), "{c}"),
                (Some(a), Some(b)) => {
                    let tiny = a.abs() < 1e-300 && b.abs() < 1e-300;
                    let close = a == b || tiny || ((a - b) / a).abs() < 1e-15;
                    assert!(close, "{c}: {a} vs {b}");
                    if c.len() <= 15 && !c.contains(['e', 'E']) {
                        assert_eq!(a.to_bits(), b.to_bits(), "{c}: exact");
                    }
                }
                (a, b) => assert_eq!(a.is_some(), b.is_some(), "{c}"),
            }
            for name in ["retry-after", "retry-after-ms"] {
                let mut h = http::HeaderMap::new();
                if let Ok(v) = http::HeaderValue::from_str(c) {
                    h.insert(name, v);
                }
                let core_delay = {
                    // The reference: the rule computed with core's parser.
                    let p = |v: &str| v.trim().parse::<f64>().ok();
                    let ms = p(c).filter(|v| v.is_finite());
                    match (name, ms, p(c)) {
                        ("retry-after-ms", Some(ms), _) if (0.0..60_000.0).contains(&ms) => {
                            ms as u64
                        }
                        ("retry-after", _, Some(s)) if (0.0..60_000.0).contains(&(s * 1000.0)) => {
                            (s * 1000.0) as u64
                        }
                        _ => retry_delay_ms(0, None, 0.0, 0),
                    }
                };
                if h.is_empty() {
                    continue;
                }
                assert_eq!(
                    retry_delay_ms(0, Some(&h), 0.0, 0),
                    core_delay,
                    "{name}: {c}"
                );
            }
        }
    }
}

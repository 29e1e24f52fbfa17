//! Response building: JSON errors, common headers, CORS, cookies and the HTML pages of the
//! OAuth flow (SEC-15, SEC-17, SEC-18, SEC-19).

use crate::http;
use crate::http::header::{HeaderName, HeaderValue};
use crate::json;
use crate::json::Value;

use crate::transport::{json_response, HttpRequest, HttpResponse};

/// Header that marks every response of a gateway running on the embedded emulator.
pub const MODE_HEADER: &str = "x-composio-edge-mode";
/// Response header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// Name prefix of the OAuth flow cookie (SEC-17); the flow id's first 8 characters follow.
pub const FLOW_COOKIE_PREFIX: &str = "__Host-edge_flow_";
/// Methods a browser may use on `/v1/…`.
pub const CORS_METHODS: &str = "GET, POST, DELETE, OPTIONS";
/// Request headers a browser may send on `/v1/…`.
pub const CORS_HEADERS: &str = "authorization, content-type, idempotency-key";

/// Per-request facts every response needs.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// `req_…`, from the runtime's entropy.
    pub request_id: String,
    /// The gateway's public origin (`scheme://host[:port]`).
    pub own_origin: String,
    /// Whether the gateway runs on the emulator.
    pub emulator_mode: bool,
    /// An allowed browser origin to answer with CORS headers.
    pub cors_origin: Option<String>,
}

fn set(res: &mut HttpResponse, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        res.headers_mut().insert(HeaderName::from_static(name), v);
    }
}

fn append(res: &mut HttpResponse, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        res.headers_mut().append(HeaderName::from_static(name), v);
    }
}

/// A JSON error `{"error":{"code","message","request_id"}}`.
pub fn error(ctx: &Ctx, status: u16, code: &str, message: &str) -> HttpResponse {
    let res = json_response(
        status,
        &json!({"error": {"code": code, "message": message, "request_id": ctx.request_id}}),
    );
    finish(res, ctx)
}

/// A JSON success body.
pub fn ok(ctx: &Ctx, status: u16, body: &Value) -> HttpResponse {
    finish(json_response(status, body), ctx)
}

/// Adds the headers every response carries: request id, emulator mode, no caching,
/// `nosniff`, and CORS for an allowed origin.
pub fn finish(mut res: HttpResponse, ctx: &Ctx) -> HttpResponse {
    set(&mut res, "x-request-id", &ctx.request_id);
    if ctx.emulator_mode {
        set(&mut res, "x-composio-edge-mode", "emulator");
    }
    if !res.headers().contains_key("cache-control") {
        set(&mut res, "cache-control", "no-store");
    }
    set(&mut res, "x-content-type-options", "nosniff");
    if let Some(origin) = &ctx.cors_origin {
        set(&mut res, "access-control-allow-origin", origin);
        set(
            &mut res,
            "access-control-expose-headers",
            "x-request-id, x-composio-edge-mode, retry-after, idempotent-replayed",
        );
    }
    append(&mut res, "vary", "Origin");
    res
}

/// The answer to a CORS preflight from an allowed origin.
pub fn preflight(ctx: &Ctx) -> HttpResponse {
    let mut res = http::Response::new(Vec::new());
    *res.status_mut() = http::StatusCode::NO_CONTENT;
    set(&mut res, "access-control-allow-methods", CORS_METHODS);
    set(&mut res, "access-control-allow-headers", CORS_HEADERS);
    set(&mut res, "access-control-max-age", "600");
    finish(res, ctx)
}

/// A header value as a string.
pub fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The value of cookie `name` from the request's `Cookie` headers.
pub fn cookie(req: &HttpRequest, name: &str) -> Option<String> {
    for v in req.headers().get_all(http::header::COOKIE) {
        let Ok(v) = v.to_str() else {
            continue;
        };
        for pair in v.split(';') {
            if let Some((k, v)) = pair.trim().split_once('=') {
                if k == name {
                    return Some(v.trim().to_owned());
                }
            }
        }
    }
    None
}

/// The name of the flow cookie of `flow_id`.
pub fn flow_cookie_name(flow_id: &str) -> String {
    let short: String = flow_id.chars().take(8).collect();
    format!("{FLOW_COOKIE_PREFIX}{short}")
}

/// `Set-Cookie` for the flow cookie (SEC-17): `__Host-`, `Secure; HttpOnly; Path=/;
/// SameSite=Lax; Max-Age ≤ 600`. `max_age` 0 clears it.
pub fn flow_cookie(name: &str, value: &str, max_age: u64) -> String {
    format!(
        "{name}={value}; Secure; HttpOnly; Path=/; SameSite=Lax; Max-Age={}",
        max_age.min(600)
    )
}

pub use crate::encoding::escape_html;

/// JSON embedded in a `<script>`: `<`, `>`, `&` and line separators escaped.
fn script_json(v: &Value) -> String {
    // One pass (no `str::replace` instance in the Worker for it).
    let text = crate::wire::json::to_text(v);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Standard base64 with padding (for CSP hashes).
fn base64_std(data: &[u8]) -> String {
    let mut s = String::new();
    for c in crate::encoding::base64url_encode(data).chars() {
        s.push(match c {
            '-' => '+',
            '_' => '/',
            c => c,
        });
    }
    while !s.len().is_multiple_of(4) {
        s.push('=');
    }
    s
}

/// Headers of the OAuth pages and redirects (SEC-18).
pub fn page_headers(res: &mut HttpResponse, script_hash: Option<&str>) {
    let script = match script_hash {
        Some(h) => format!("script-src 'sha256-{h}'"),
        None => "script-src 'none'".to_owned(),
    };
    set(
        res,
        "content-security-policy",
        &format!(
            "default-src 'none'; {script}; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        ),
    );
    set(res, "referrer-policy", "no-referrer");
    set(res, "cache-control", "no-store");
    set(res, "x-frame-options", "DENY");
}

/// An HTML page of the OAuth flow whose first script strips the query
/// (`history.replaceState`) before anything else runs (SEC-18). `message` is posted to the
/// opener with `target_origin` pinned (SEC-19), never `*`.
pub fn page(
    ctx: &Ctx,
    status: u16,
    title: &str,
    text: &str,
    message: Option<(&Value, &str)>,
) -> HttpResponse {
    let mut script = String::from("history.replaceState(null,'',location.pathname);");
    if let Some((msg, target_origin)) = message {
        script.push_str(&format!(
            "if(window.opener&&!window.opener.closed){{window.opener.postMessage({},{});setTimeout(function(){{window.close()}},50);}}",
            script_json(msg),
            script_json(&Value::String(target_origin.to_owned()))
        ));
    }
    let hash = {
        use sha2::Digest;
        base64_std(&sha2::Sha256::digest(script.as_bytes()))
    };
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{t}</title><script>{script}</script></head><body style=\"font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem\"><h1 style=\"font-size:1.3rem\">{t}</h1><p>{x}</p><p style=\"color:#666;font-size:.85rem\">Request id: {rid}</p></body></html>",
        t = escape_html(title),
        x = escape_html(text),
        rid = escape_html(&ctx.request_id),
    );
    let mut res = http::Response::new(body.into_bytes());
    *res.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_REQUEST);
    set(&mut res, "content-type", "text/html; charset=utf-8");
    page_headers(&mut res, Some(&hash));
    let ctx = Ctx {
        cors_origin: None,
        ..ctx.clone()
    };
    finish(res, &ctx)
}

/// A redirect (303 See Other, SEC-16) with the page headers of SEC-18.
pub fn redirect(ctx: &Ctx, location: &str, set_cookie: Option<&str>) -> HttpResponse {
    let mut res = http::Response::new(Vec::new());
    *res.status_mut() = http::StatusCode::SEE_OTHER;
    set(&mut res, "location", location);
    if let Some(c) = set_cookie {
        append(&mut res, "set-cookie", c);
    }
    page_headers(&mut res, None);
    let ctx = Ctx {
        cors_origin: None,
        ..ctx.clone()
    };
    finish(res, &ctx)
}

/// Adds a `Set-Cookie`.
pub fn with_cookie(mut res: HttpResponse, cookie: &str) -> HttpResponse {
    append(&mut res, "set-cookie", cookie);
    res
}

/// Adds `retry-after` (seconds).
pub fn with_retry_after(mut res: HttpResponse, seconds: u64) -> HttpResponse {
    let mut text = String::new();
    crate::wire::json::write_u64(&mut text, seconds.max(1));
    set(&mut res, "retry-after", &text);
    res
}

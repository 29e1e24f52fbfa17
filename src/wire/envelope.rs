//! The error envelope (wire §1.5) and body decoding that keeps what it could not read.

use serde::de::DeserializeOwned;

use crate::error::{ApiError, Error};
use crate::transport::HttpResponse;

/// Longest body prefix kept in [`Error::Decode`].
pub const MAX_KEPT_BODY: usize = 2048;

fn kept_body(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(body);
    s.chars().take(MAX_KEPT_BODY).collect()
}

/// Builds an [`ApiError`] from a non-success response (or a 2xx whose body carries an
/// `error` envelope). Accepts the full envelope, a top-level `message`, or anything else.
///
/// ```
/// use composio_edge::http;
/// use composio_edge::wire::api_error_from_response;
/// let mut res = http::Response::new(br#"{"error":{"message":"bad","code":10400,"slug":"X","status":400,"request_id":"r1"}}"#.to_vec());
/// *res.status_mut() = http::StatusCode::BAD_REQUEST;
/// let e = api_error_from_response(&res);
/// assert_eq!((e.status, e.message.as_str(), e.request_id.as_deref()), (400, "bad", Some("r1")));
/// ```
pub fn api_error_from_response(res: &HttpResponse) -> ApiError {
    let header_request_id = res
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let reason = res.status().canonical_reason().unwrap_or("error");
    api_error_from_parts(res.status().as_u16(), header_request_id, res.body(), reason)
}

/// [`api_error_from_response`] from the parts of a response (no `http` types): the status, the
/// `x-request-id` header, the body, and the status's reason phrase (used when the body has no
/// message).
pub fn api_error_from_parts(
    status: u16,
    header_request_id: Option<String>,
    body: &[u8],
    reason: &str,
) -> ApiError {
    let parsed: Option<crate::json::Value> = super::json::parse_bytes(body).ok();
    let mut e = ApiError {
        status,
        request_id: header_request_id,
        ..Default::default()
    };
    let env = parsed.as_ref().and_then(|v| v.get("error"));
    match (env, parsed.as_ref()) {
        (Some(crate::json::Value::Object(o)), _) => {
            e.message = o
                .get("message")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_owned();
            e.api_code = o.get("code").and_then(|v| v.as_i64());
            e.slug = o.get("slug").and_then(|v| v.as_str()).map(str::to_owned);
            if e.request_id.is_none() {
                e.request_id = o
                    .get("request_id")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned);
            }
            e.suggested_fix = o
                .get("suggested_fix")
                .and_then(|v| v.as_str())
                .map(str::to_owned);
            e.errors = o
                .get("errors")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .map(|x| {
                            x.as_str()
                                .map(str::to_owned)
                                .unwrap_or_else(|| super::json::to_text(x))
                        })
                        .collect()
                })
                .unwrap_or_default();
            if let Some(st) = o.get("status").and_then(|v| v.as_u64()) {
                // A 200 carrying an envelope reports the envelope's status.
                if status < 300 {
                    e.status = st.clamp(400, 599) as u16;
                }
            }
        }
        (Some(crate::json::Value::String(m)), _) => e.message = m.clone(),
        (_, Some(v)) if v.get("message").and_then(|m| m.as_str()).is_some() => {
            e.message = v["message"].as_str().unwrap_or_default().to_owned();
        }
        _ => e.message = reason.to_ascii_lowercase(),
    }
    if e.message.is_empty() {
        e.message = reason.to_ascii_lowercase();
    }
    if status < 300 && e.status < 400 {
        e.status = 502;
    }
    e
}

/// Decodes a response body as `T`: non-2xx → [`Error::Api`]; a 2xx whose body is an error
/// envelope (`{"error": {"message": …}}`) → [`Error::Api`]; a body that is not `T` →
/// [`Error::Decode`] keeping the body.
pub fn decode_json<T: DeserializeOwned>(res: &HttpResponse) -> Result<T, Error> {
    let value = decode_value(res)?;
    crate::json::from_value(value).map_err(|e| Error::Decode {
        status: res.status().as_u16(),
        message: e.to_string(),
        body: kept_body(res.body()),
    })
}

/// [`decode_json`] into a `Value` (what `decode_json::<Value>` gives: reading a `Value` back
/// as a `Value` never fails), without serde's typed decoding.
pub(crate) fn decode_value(res: &HttpResponse) -> Result<crate::json::Value, Error> {
    let status = res.status().as_u16();
    if !res.status().is_success() {
        return Err(Error::Api(Box::new(api_error_from_response(res))));
    }
    let value: crate::json::Value = if res.body().is_empty() {
        crate::json::Value::Null
    } else {
        crate::wire::json::parse_bytes(res.body()).map_err(|e| Error::Decode {
            status,
            message: e.to_string(),
            body: kept_body(res.body()),
        })?
    };
    if let Some(crate::json::Value::Object(env)) = value.get("error") {
        if env.contains_key("message") && (env.contains_key("code") || env.contains_key("status")) {
            return Err(Error::Api(Box::new(api_error_from_response(res))));
        }
    }
    Ok(value)
}

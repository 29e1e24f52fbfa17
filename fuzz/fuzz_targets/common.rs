//! Helpers shared by the fuzz targets (included with `#[path]`).
#![allow(dead_code)]

/// Splits `data` at the first NUL byte (JSON text never contains one), so seed files read as
/// `first\0second`.
use composio_edge::http;
pub fn split2(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

/// Parses JSON, or falls back to the bytes as a JSON string.
pub fn json_or_string(b: &[u8]) -> composio_edge::json::Value {
    serde_json::from_slice(b)
        .unwrap_or_else(|_| composio_edge::json::Value::String(String::from_utf8_lossy(b).into_owned()))
}

/// A response with this status, headers and body.
pub fn response(
    status: u16,
    headers: &[(&'static str, &[u8])],
    body: &[u8],
) -> http::Response<Vec<u8>> {
    let mut res = http::Response::new(body.to_vec());
    *res.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
    for (k, v) in headers {
        if let Ok(v) = http::HeaderValue::from_bytes(v) {
            res.headers_mut().append(*k, v);
        }
    }
    res
}

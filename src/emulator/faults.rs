//! Fault injection and the emulator's control routes (`/__emulator/…`).
//!
//! `POST /__emulator/faults` with
//! `{"path_prefix": "/api/v3.1/tool_router", "count": 2, "status": 503, "retry_after": 1,
//!   "retry_after_ms": 250, "latency_ms": 100, "body": "truncated" | "not_json", "drop": true}`
//! (only `path_prefix` is required; `count` defaults to 1) queues a fault for the next `count`
//! requests whose path starts with `path_prefix`. Faults are matched in the order they were
//! queued. `DELETE /__emulator/faults` clears them, `GET` lists them, and
//! `POST /__emulator/reset` empties all emulator state.

use crate::json;
use crate::json::Value;
use serde::{Deserialize, Serialize};

use super::{ok, ApiErr, Ctx, Res};
use crate::http;
use crate::runtime::Runtime;
use crate::store::Store;
use crate::transport::{json_response, HttpRequest, HttpResponse};

const FAULTS_KEY: &str = "emulator/faults";

/// One queued fault.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub(crate) struct Fault {
    pub path_prefix: String,
    pub count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drop: bool,
}

impl Fault {
    /// The response that replaces the real one (a drop, or an injected status), if any.
    pub fn immediate<S: Store, R: Runtime>(&self, ctx: &Ctx<'_, S, R>) -> Option<HttpResponse> {
        if self.drop {
            let mut res = http::Response::new(Vec::new());
            *res.status_mut() = http::StatusCode::BAD_GATEWAY;
            res.headers_mut().insert(
                super::DROP_CONNECTION_HEADER,
                http::HeaderValue::from_static("drop"),
            );
            return Some(res);
        }
        let status = self.status?;
        let slug = match status {
            408 => "HTTP_RequestTimeout",
            429 => "HTTP_TooManyRequests",
            500..=599 => "HTTP_UpstreamError",
            _ => "EmulatorFault",
        };
        let mut e = ApiErr::new(status, slug, format!("injected fault: status {status}"));
        if let Some(ra) = &self.retry_after {
            let v = match ra {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            e.headers.push(("retry-after".into(), v));
        }
        if let Some(ms) = self.retry_after_ms {
            e.headers.push(("retry-after-ms".into(), ms.to_string()));
        }
        Some(self.mangle(e.into_response(&ctx.request_id)))
    }

    /// Applies a body fault (`truncated`, `not_json`) to a response.
    pub fn mangle(&self, mut res: HttpResponse) -> HttpResponse {
        match self.body.as_deref() {
            Some("truncated") => {
                let body = res.body_mut();
                let keep = body.len() / 2;
                body.truncate(keep);
            }
            Some("not_json") => {
                *res.body_mut() =
                    b"<html><body><h1>502 Bad Gateway</h1><p>injected fault</p></body></html>"
                        .to_vec();
                res.headers_mut().insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static("text/html"),
                );
            }
            _ => {}
        }
        res
    }
}

/// Takes (and counts down) the first queued fault matching `path`.
pub(crate) async fn take<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    path: &str,
) -> Res<Option<Fault>> {
    let Some(mut faults) = ctx.get_json::<Vec<Fault>>(FAULTS_KEY).await? else {
        return Ok(None);
    };
    let Some(pos) = faults
        .iter()
        .position(|f| f.count > 0 && path.starts_with(&f.path_prefix))
    else {
        return Ok(None);
    };
    let mut taken = None;
    if let Some(f) = faults.get_mut(pos) {
        f.count -= 1;
        taken = Some(f.clone());
    }
    faults.retain(|f| f.count > 0);
    if faults.is_empty() {
        ctx.store
            .delete(FAULTS_KEY)
            .await
            .map_err(ApiErr::storage)?;
    } else {
        ctx.put_json(FAULTS_KEY, &faults).await?;
    }
    Ok(taken)
}

fn parse_fault(v: &Value) -> Res<Fault> {
    let m = v
        .as_object()
        .ok_or_else(|| ApiErr::bad_request("a fault must be a JSON object"))?;
    let path_prefix = m
        .get("path_prefix")
        .and_then(Value::as_str)
        .filter(|p| p.starts_with('/'))
        .ok_or_else(|| ApiErr::bad_request("path_prefix must be a path starting with /"))?;
    let count = match m.get("count") {
        None | Some(Value::Null) => 1,
        Some(c) => c
            .as_u64()
            .filter(|c| (1..=10_000).contains(c))
            .ok_or_else(|| ApiErr::bad_request("count must be an integer from 1 to 10000"))?
            as u32,
    };
    let status = match m.get("status") {
        None | Some(Value::Null) => None,
        Some(s) => Some(
            s.as_u64()
                .filter(|s| (200..=599).contains(s))
                .ok_or_else(|| {
                    ApiErr::bad_request("status must be an HTTP status from 200 to 599")
                })? as u16,
        ),
    };
    let uint = |key: &str| -> Res<Option<u64>> {
        match m.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .filter(|v| *v <= 600_000)
                .map(Some)
                .ok_or_else(|| {
                    ApiErr::bad_request(format!("{key} must be an integer from 0 to 600000"))
                }),
        }
    };
    let body = match m.get("body") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "truncated" || s == "not_json" => Some(s.clone()),
        Some(_) => {
            return Err(ApiErr::bad_request(
                "body must be \"truncated\" or \"not_json\"",
            ))
        }
    };
    let retry_after = match m.get("retry_after") {
        None | Some(Value::Null) => None,
        Some(v @ (Value::String(_) | Value::Number(_))) => Some(v.clone()),
        Some(_) => {
            return Err(ApiErr::bad_request(
                "retry_after must be seconds or an HTTP date",
            ))
        }
    };
    Ok(Fault {
        path_prefix: path_prefix.to_owned(),
        count,
        status,
        retry_after,
        retry_after_ms: uint("retry_after_ms")?,
        latency_ms: uint("latency_ms")?,
        body,
        drop: m.get("drop").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// `/__emulator/…` routes (no credential needed: the emulator is a development tool).
pub(crate) async fn control<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    req: HttpRequest,
    rest: &str,
) -> Res<HttpResponse> {
    use crate::http::Method as M;
    let method = req.method().clone();
    let rest = rest.trim_end_matches('/');
    if let Some(token) = rest.strip_prefix("/files/") {
        return super::files::presigned(ctx, req, token).await;
    }
    match (rest, &method) {
        ("" | "/health", &M::GET) => ok(
            200,
            &json!({
                "ok": true,
                "emulator": "composio-edge",
                "toolkits": super::catalog::TOOLKITS.len(),
                "tools": super::catalog::tools().len(),
            }),
        ),
        ("/faults", &M::POST) => {
            let body: Value = serde_json::from_slice(req.body())
                .map_err(|e| ApiErr::bad_request(format!("malformed JSON body: {e}")))?;
            let new: Vec<Fault> = match &body {
                Value::Array(a) => a.iter().map(parse_fault).collect::<Res<_>>()?,
                other => vec![parse_fault(other)?],
            };
            let mut faults = ctx
                .get_json::<Vec<Fault>>(FAULTS_KEY)
                .await?
                .unwrap_or_default();
            faults.extend(new.iter().cloned());
            ctx.put_json(FAULTS_KEY, &faults).await?;
            ok(
                201,
                &json!({
                    "queued": crate::json::to_value(&new).unwrap_or_default(),
                    "pending": crate::json::to_value(&faults).unwrap_or_default(),
                }),
            )
        }
        ("/faults", &M::GET) => {
            let faults = ctx
                .get_json::<Vec<Fault>>(FAULTS_KEY)
                .await?
                .unwrap_or_default();
            ok(
                200,
                &json!({ "pending": crate::json::to_value(&faults).unwrap_or_default() }),
            )
        }
        ("/faults", &M::DELETE) => {
            let faults = ctx
                .get_json::<Vec<Fault>>(FAULTS_KEY)
                .await?
                .unwrap_or_default();
            ctx.store
                .delete(FAULTS_KEY)
                .await
                .map_err(ApiErr::storage)?;
            ok(200, &json!({ "cleared": faults.len() }))
        }
        ("/reset", &M::POST) => {
            let keys = ctx.store.list("").await.map_err(ApiErr::storage)?;
            for (k, _) in &keys {
                ctx.store.delete(k).await.map_err(ApiErr::storage)?;
            }
            ok(200, &json!({ "reset": true, "deleted_keys": keys.len() }))
        }
        ("/faults" | "/reset" | "" | "/health", _) => {
            let mut res = json_response(
                405,
                &ApiErr::new(
                    405,
                    "HTTP_MethodNotAllowed",
                    format!("method {method} is not allowed on this route"),
                )
                .envelope(&ctx.request_id),
            );
            res.headers_mut()
                .insert("allow", http::HeaderValue::from_static("GET, POST, DELETE"));
            Ok(res)
        }
        _ => Err(ApiErr::not_found(
            "HTTP_NotFound",
            "no such emulator control route",
        )),
    }
}

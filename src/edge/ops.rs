//! Sans-IO decisions of the edge client, one JSON string in and one out: the browser package's
//! wasm exports only [`dispatch`], and its ES module (`js/index.js`) does the fetches, token
//! calls and popup around it. The native [`EdgeClient`](super::EdgeClient) makes the same
//! decisions with the same helpers (types, local tools, multi-execute, providers, schemas).
//!
//! Every answer is `{"ok": value}` or `{"err": {code, message, status, requestId?,
//! violations?, retryable, api, call}}`, where `call` tells whether an agent's tool call
//! (`executeCall`) turns the error into a failed result instead of throwing.

use crate::json::{Map, Value};

use crate::json;
use crate::wire::json::ToJson;

use super::{
    detect_provider, tool_name, wire_response, AccessToken, ConnectionState, ConnectionStatus,
    ExecuteResult, LocalTool, LocalTools, SearchQuery, SearchRequest, SessionInfo,
    ToolkitConnection, ToolkitsQuery, DEFAULT_AUTHORIZE_MS, DEFAULT_WAIT_MS, MULTI_EXECUTE,
    POLL_INTERVAL_MS, REFRESH_MARGIN_MS,
};
use crate::error::TransportErrorKind;
use crate::provider::Provider;
use crate::tools::args::normalize_arguments;
use crate::tools::multi::{merge_multi_execute, plan_multi_execute, MultiPlan};
use crate::tools::schema::check_arguments;
use crate::transport::{transport_error, RetryPolicy};
use crate::wire::{api_error_from_parts, Tool};
use crate::Error;

/// Runs operation `op` on the JSON `input` and answers `{"ok": …}` or `{"err": …}` (never
/// panics, whatever the input).
///
/// ```
/// let out = composio_edge::edge::ops::dispatch("gateway", r#"{"url":"https://GW.example/x/"}"#);
/// assert_eq!(out, r#"{"ok":{"base":"https://gw.example/x","origin":"https://gw.example"}}"#);
/// ```
pub fn dispatch(op: &str, input: &str) -> String {
    let out = json::parse(input)
        .map_err(|_| Error::InvalidRequest("value is not json-compatible".into()))
        .and_then(|v| run(op, &v));
    let (key, v) = match out {
        Ok(v) => ("{\"ok\":", v),
        Err(e) => ("{\"err\":", error_json(&e)),
    };
    let mut text = String::from(key);
    json::write(&mut text, &v);
    text.push('}');
    text
}

/// The JSON form of an error handed to JavaScript.
pub fn error_json(e: &Error) -> Value {
    let code = match e {
        Error::Api(a) => a.slug.clone().unwrap_or_else(|| e.code().to_owned()),
        _ => e.code().to_owned(),
    };
    let call = match e {
        Error::InvalidToolArguments(_)
        | Error::ArgumentValidation { .. }
        | Error::InvalidRequest(_)
        | Error::ToolNotFound(_)
        | Error::AmbiguousToolSlug { .. } => true,
        Error::Api(a) => matches!(a.status, 400 | 404 | 409 | 422),
        _ => false,
    };
    let mut o = json!({
        "code": code,
        "message": e.to_string(),
        "status": e.http_status(),
        "retryable": e.is_retryable(),
        "api": matches!(e, Error::Api(_)),
        "call": call,
    });
    if let Some(id) = e.request_id() {
        crate::wire::json::set(&mut o, "requestId", json!(id));
    }
    if let Error::ArgumentValidation { violations, .. } = e {
        let list = violations
            .iter()
            .map(|(path, message)| json!({"path": path, "message": message}))
            .collect();
        crate::wire::json::set(&mut o, "violations", list);
    }
    o
}

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

fn get<'a>(v: &'a Value, k: &str) -> &'a Value {
    v.get(k).unwrap_or(&Value::Null)
}

fn bad(m: &str) -> Error {
    Error::InvalidRequest(m.to_owned())
}

fn run(op: &str, v: &Value) -> Result<Value, Error> {
    match op {
        "defaults" => {
            let r = RetryPolicy::default();
            Ok(json!({
                "defaultWaitMs": DEFAULT_WAIT_MS,
                "defaultAuthorizeMs": DEFAULT_AUTHORIZE_MS,
                "pollIntervalMs": POLL_INTERVAL_MS,
                "maxRetries": r.max_retries,
                "timeoutMs": r.timeout_ms,
            }))
        }
        "gateway" => {
            let (base, origin) = gateway_url(s(v, "url").unwrap_or(""))?;
            Ok(json!({"base": base, "origin": origin}))
        }
        "token" => token(v),
        "session" => {
            let info =
                SessionInfo::from_value(get(v, "value").clone()).ok_or_else(|| Error::Decode {
                    status: 200,
                    message: "session response has no session id".into(),
                    body: String::new(),
                })?;
            Ok(info.to_json())
        }
        "attempt" => Ok(attempt(v)),
        "decode" => decode(v),
        "error" => Err(make_error(v)),
        "register" => {
            let t = LocalTool::from_json(v)?;
            t.validate()?;
            Ok(json!({"slug": t.slug, "finalSlug": t.final_slug()}))
        }
        "tools" => {
            let (path, body) = super::tools_request(s(v, "provider"), &local_tools(v)?)?;
            let mut r = json!({ "path": path });
            if let Some(b) = body {
                crate::wire::json::set(&mut r, "body", b);
            }
            Ok(r)
        }
        "definitions" => Ok(definitions(get(v, "tools"))),
        "search" => {
            let req = search_request(get(v, "query"))?;
            req.validate()?;
            let mut body = req.to_json();
            if let Some(c) = local_tools(v)?.wire() {
                crate::wire::json::set(&mut body, "custom_tools", c);
            }
            Ok(body)
        }
        "searched" => Ok(searched_schemas(get(v, "value"))),
        "execute" => execute(v),
        "merge" => merge(v),
        "result" => Ok(ExecuteResult::from_wire_value(get(v, "value").clone()).to_json()),
        "calls" => {
            let (provider, calls) = tool_calls(v)?;
            let _ = provider;
            Ok(calls
                .into_iter()
                .map(|c| json!({"name": c.name, "arguments": c.arguments}))
                .collect())
        }
        "messages" => {
            let (provider, calls) = tool_calls(v)?;
            let results = results_of(v);
            let pairs: Vec<_> = calls
                .into_iter()
                .zip(results.iter().map(ExecuteResult::to_outcome))
                .collect();
            Ok(Value::Array(provider.result_messages(&pairs)))
        }
        "toolkits" => {
            let q = toolkits_query(get(v, "opts")).to_query();
            Ok(json!(if q.is_empty() {
                "/v1/toolkits".to_owned()
            } else {
                format!("/v1/toolkits?{q}")
            }))
        }
        "toolkitConnection" => {
            let toolkit = s(v, "toolkit").unwrap_or("");
            let c = ToolkitConnection::find(get(v, "page"), toolkit).unwrap_or(ToolkitConnection {
                toolkit: toolkit.to_owned(),
                connected: false,
                no_auth: false,
                connected_account_id: None,
            });
            Ok(c.to_json())
        }
        "connect" => {
            let toolkit = s(v, "toolkit").unwrap_or("");
            if toolkit.trim().is_empty() {
                return Err(bad("toolkit must not be empty"));
            }
            let mut body = json!({ "toolkit": toolkit });
            if let Some(r) = s(v, "returnTo") {
                crate::wire::json::set(&mut body, "return_to", json!(r));
            }
            Ok(body)
        }
        "connected" => connected(v),
        "status" => {
            let id = s(v, "id").unwrap_or("");
            if id.is_empty() {
                return Err(bad("connection id must not be empty"));
            }
            Ok(json!(format!(
                "/v1/connect/{}",
                crate::encoding::encode_component(id)
            )))
        }
        "statusOf" => {
            let id = s(v, "id").unwrap_or("");
            let st =
                ConnectionStatus::from_value(id, get(v, "value")).ok_or_else(|| Error::Decode {
                    status: 200,
                    message: "connection status response has no status".into(),
                    body: String::new(),
                })?;
            Ok(st.to_json())
        }
        "waitStep" => wait_step(v),
        _ => Err(bad("unknown operation")),
    }
}

/// `(base, origin)` of an absolute `http(s)` URL, with the rules of
/// [`parse_gateway_url`](super::parse_gateway_url) and no `http` types.
fn gateway_url(url: &str) -> Result<(String, String), Error> {
    let bad_url = || bad("gateway url must be an absolute http(s) url");
    let url = url.trim();
    let (scheme, rest) = url.split_once("://").ok_or_else(bad_url)?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return Err(bad_url()),
    };
    let rest = rest.split('#').next().unwrap_or("");
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    if path.contains('?') || authority.contains('@') {
        return Err(bad("gateway url must not carry credentials or a query"));
    }
    if authority.contains('\\') || path.contains('\\') {
        return Err(bad_url());
    }
    let (host, port) = match authority.rfind(':') {
        Some(i) if authority.get(i..).is_some_and(|x| !x.contains(']')) => {
            let p = authority.get(i + 1..).unwrap_or("");
            let port = if p.is_empty() {
                None
            } else {
                Some(p.parse::<u16>().map_err(|_| bad_url())?)
            };
            (authority.get(..i).unwrap_or(""), port)
        }
        _ => (authority, None),
    };
    let host = host.to_ascii_lowercase();
    if host.is_empty() {
        return Err(bad_url());
    }
    let loopback = host == "localhost"
        || host.ends_with(".localhost")
        || host.starts_with("127.")
        || host == "[::1]";
    if scheme == "http" && !loopback {
        return Err(Error::InsecureTransport(format!(
            "gateway host {host} must use https"
        )));
    }
    let origin = match port {
        Some(p) if p != default_port => format!("{scheme}://{host}:{p}"),
        _ => format!("{scheme}://{host}"),
    };
    Ok((format!("{origin}{}", path.trim_end_matches('/')), origin))
}

/// `getToken`'s answer (a string or `{token, expiresAt}` in seconds or ms) → `{token,
/// expiresAtMs, refreshAtMs}`; `refreshAtMs` is when it stops being fresh.
fn token(v: &Value) -> Result<Value, Error> {
    let value = get(v, "value");
    let t = match value {
        Value::String(t) => AccessToken::new(t.clone(), None),
        _ => {
            let token = s(value, "token")
                .ok_or_else(|| bad("getToken must return a string or {token, expiresAt}"))?;
            let expires = value
                .get("expiresAt")
                .or_else(|| value.get("expires_at"))
                .and_then(Value::as_f64)
                .filter(|v| v.is_finite() && *v > 0.0)
                .map(|v| v as u64);
            AccessToken::new(token, expires)
        }
    };
    let at = t.expires_at_ms;
    Ok(json!({
        "token": t.token.expose_secret(),
        "expiresAtMs": at,
        "refreshAtMs": at.map(|a| a.saturating_sub(REFRESH_MARGIN_MS)),
    }))
}

/// What to do after one attempt: `{action: "refresh" | "retry" | "done", delayMs}`.
/// Input: `{status?, error?, shouldRetry?, retryAfterMs?, retryAfter?, attempt, jitter,
/// retryable, canRefresh, refreshed}` (`status` absent: the fetch failed with `error`).
fn attempt(v: &Value) -> Value {
    let status = v.get("status").and_then(Value::as_u64);
    let flag = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
    if status == Some(401) && !flag("refreshed") && flag("canRefresh") {
        return json!({"action": "refresh"});
    }
    let n = v.get("attempt").and_then(Value::as_u64).unwrap_or(0) as u32;
    let should = match status {
        None => get(v, "error").get("retryable").and_then(Value::as_bool) == Some(true),
        Some(st) => match s(v, "shouldRetry") {
            Some("true") => true,
            Some("false") => false,
            _ => matches!(st, 408 | 409 | 429 | 500..=599),
        },
    };
    if flag("retryable") && n < RetryPolicy::default().max_retries && should {
        let header = |k: &str| s(v, k).and_then(|h| h.trim().parse::<u64>().ok());
        let jitter = v.get("jitter").and_then(Value::as_f64).unwrap_or(0.0);
        let delay = header("retryAfterMs")
            .or_else(|| header("retryAfter").map(|x| x.saturating_mul(1000)))
            .filter(|ms| *ms < 60_000)
            .unwrap_or_else(|| backoff_ms(n, jitter));
        return json!({"action": "retry", "delayMs": delay});
    }
    json!({"action": "done"})
}

/// `min(0.5 · 2^n, 8) s × (1 − jitter · 0.25)`, as [`crate::transport::retry_delay_ms`]
/// without headers (no `http` types, integer arithmetic).
fn backoff_ms(n: u32, jitter: f64) -> u64 {
    let base = 500u64.saturating_mul(1u64 << n.min(16)).min(8_000);
    let j = if jitter.is_nan() {
        0.0
    } else {
        jitter.clamp(0.0, 1.0)
    };
    let keep = 1000 - (j * 250.0) as u64;
    base * keep / 1000
}

fn reason(status: u64) -> &'static str {
    match status {
        400 => "bad request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not found",
        405 => "method not allowed",
        408 => "request timeout",
        409 => "conflict",
        413 => "payload too large",
        422 => "unprocessable entity",
        429 => "too many requests",
        500 => "internal server error",
        501 => "not implemented",
        502 => "bad gateway",
        503 => "service unavailable",
        504 => "gateway timeout",
        _ => "error",
    }
}

fn gateway_error(status: u64, request_id: Option<String>, body: &str) -> Error {
    let st = u16::try_from(status).unwrap_or(500);
    let e = api_error_from_parts(st, request_id, body.as_bytes(), reason(status));
    super::with_gateway_code(e, body.as_bytes())
}

/// A gateway response `{status, body, requestId?}` → its JSON value, or the gateway's error.
fn decode(v: &Value) -> Result<Value, Error> {
    let status = v.get("status").and_then(Value::as_u64).unwrap_or(0);
    let body = s(v, "body").unwrap_or("");
    let rid = s(v, "requestId").map(str::to_owned);
    if !(200..300).contains(&status) {
        return Err(gateway_error(status, rid, body));
    }
    if body.is_empty() {
        return Ok(Value::Null);
    }
    let value: Value = json::parse(body).map_err(|e| Error::Decode {
        status: u16::try_from(status).unwrap_or(200),
        // The browser's JSON.parse gives no position (line 0).
        message: match e.line() {
            0 => "invalid json".to_owned(),
            l => format!("invalid json at line {l} column {}", e.column()),
        },
        body: body.chars().take(512).collect(),
    })?;
    if value.pointer("/error/message").is_some() {
        return Err(gateway_error(status, rid, body));
    }
    Ok(value)
}

/// Errors the JS side raises itself: `{kind, id?, ms?, message?}`.
fn make_error(v: &Value) -> Error {
    let id = s(v, "id").unwrap_or("").to_owned();
    match s(v, "kind").unwrap_or("") {
        "abort" => transport_error(TransportErrorKind::Aborted, "request aborted"),
        "aborted" => transport_error(TransportErrorKind::Aborted, "wait for connection cancelled"),
        "timeout" => transport_error(
            TransportErrorKind::Timeout,
            format!(
                "request timed out after {} ms",
                v.get("ms").and_then(Value::as_u64).unwrap_or(0)
            ),
        ),
        "connect" => transport_error(TransportErrorKind::Connect, "connection failed"),
        "token" => Error::Transport {
            kind: TransportErrorKind::Connect,
            message: format!(
                "getToken failed: {}",
                s(v, "message").unwrap_or("unknown error")
            ),
        },
        "connection_timeout" => Error::ConnectionTimeout(id),
        "invalid" => bad(s(v, "message").unwrap_or("invalid request")),
        _ => Error::Decode {
            status: 200,
            message: s(v, "message").unwrap_or("unexpected response").to_owned(),
            body: String::new(),
        },
    }
}

/// The registry of `v.local` (the JS side's registered tools, without their handlers).
fn local_tools(v: &Value) -> Result<LocalTools, Error> {
    let reg = LocalTools::default();
    for t in get(v, "local").as_array().into_iter().flatten() {
        reg.register(LocalTool::from_json(t)?)?;
    }
    Ok(reg)
}

fn searched_schemas(v: &Value) -> Value {
    let mut out = Map::new();
    if let Some(Value::Object(schemas)) = v
        .get("tool_schemas")
        .or_else(|| v.pointer("/data/tool_schemas"))
    {
        for (slug, sc) in schemas {
            if sc.get("hasFullSchema").and_then(Value::as_bool) == Some(false) {
                continue;
            }
            if let Some(schema) = sc.get("input_schema").filter(|x| x.is_object()) {
                out.insert(slug.to_ascii_uppercase(), schema.clone());
            }
        }
    }
    Value::Object(out)
}

/// Name, description and JSON Schema of each tool in an OpenAI-formatted tool list.
pub(crate) fn definitions(listed: &Value) -> Value {
    listed
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| {
                    let f = t.get("function").unwrap_or(t);
                    let name = tool_name(t)?;
                    let params = f
                        .get("parameters")
                        .or_else(|| f.get("input_parameters"))
                        .cloned()
                        .unwrap_or_else(|| json!({"type": "object", "properties": {}}));
                    Some(json!({"name": name,
                        "description": f.get("description").cloned().unwrap_or(json!("")),
                        "parameters": params}))
                })
                .collect()
        })
        .unwrap_or_else(|| json!([]))
}

fn search_request(v: &Value) -> Result<SearchRequest, Error> {
    let bad_q = || bad("search takes a string or {queries, toolkits?}");
    let opt = |q: &Value, k: &str| s(q, k).map(str::to_owned);
    let mut req = match v {
        Value::String(q) => return Ok(SearchRequest::query(q.clone())),
        Value::Object(o) => match (o.get("queries"), o.get("query")) {
            (Some(Value::Array(qs)), _) => SearchRequest {
                queries: qs
                    .iter()
                    .map(|q| match q {
                        Value::String(x) => Ok(SearchQuery {
                            use_case: x.clone(),
                            known_fields: None,
                        }),
                        _ => Ok(SearchQuery {
                            use_case: opt(q, "use_case").ok_or_else(bad_q)?,
                            known_fields: opt(q, "known_fields"),
                        }),
                    })
                    .collect::<Result<_, _>>()?,
                toolkits: Vec::new(),
            },
            (_, Some(Value::String(q))) => SearchRequest::query(q.clone()),
            _ => return Err(bad_q()),
        },
        _ => return Err(bad_q()),
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

fn toolkits_query(v: &Value) -> ToolkitsQuery {
    ToolkitsQuery {
        limit: v
            .get("limit")
            .and_then(Value::as_f64)
            .filter(|l| *l >= 1.0)
            .map(|l| l.min(1000.0) as u32),
        cursor: s(v, "cursor").map(str::to_owned),
        is_connected: v
            .get("isConnected")
            .or_else(|| v.get("is_connected"))
            .and_then(Value::as_bool),
        search: s(v, "search").map(str::to_owned),
        toolkits: match v.get("toolkits") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            Some(Value::String(x)) => vec![x.clone()],
            _ => Vec::new(),
        },
    }
}

/// The body of a remote execute (schema-checked when the schema is known).
fn remote_body(slug: &str, args: Value, v: &Value, local: &LocalTools) -> Result<Value, Error> {
    if let Some(schema) = get(v, "schemas").get(slug.to_ascii_uppercase()) {
        check_arguments(slug, schema, &args)?;
    }
    let mut body = json!({"tool_slug": slug, "arguments": args});
    if let Some(a) = s(v, "account") {
        crate::wire::json::set(&mut body, "account", json!(a));
    }
    if let Some(c) = local.wire() {
        crate::wire::json::set(&mut body, "custom_tools", c);
    }
    Ok(body)
}

/// A local call's arguments, validated: `{slug, args}` to run, or `{result}` (failed).
fn local_call(tool: &LocalTool, raw: &Value) -> Value {
    let args = match normalize_arguments(raw) {
        Ok(a) => Value::Object(a),
        Err(e) => return json!({"result": ExecuteResult::failed(e.to_string())}),
    };
    match check_arguments(&tool.final_slug(), &tool.normalized_schema(), &args) {
        Ok(()) => json!({"slug": tool.final_slug(), "args": args}),
        Err(e) => json!({"result": ExecuteResult::failed(format!("Input validation failed: {e}"))}),
    }
}

/// Routes an execute: `{local: {slug, args} | {result}}`, `{multi: {locals, remote}}` or
/// `{remote: body}`.
fn execute(v: &Value) -> Result<Value, Error> {
    let slug = s(v, "slug").unwrap_or("").trim();
    if slug.is_empty() {
        return Err(bad("tool slug must not be empty"));
    }
    let args = normalize_arguments(get(v, "args"))?;
    let local = local_tools(v)?;
    if let Some(tool) = local.find(slug) {
        return Ok(json!({"local": local_call(&tool, &Value::Object(args))}));
    }
    let input = Value::Object(args);
    if slug.eq_ignore_ascii_case(MULTI_EXECUTE) && !local.is_empty() {
        if let MultiPlan::Split(plan) = plan_multi_execute(&input, |x| local.find(x).is_some()) {
            let locals: Vec<Value> = plan
                .locals
                .iter()
                .map(|c| match local.find(&c.tool_slug) {
                    Some(t) => local_call(&t, &c.arguments),
                    None => json!({"result": ExecuteResult::failed("tool not found")}),
                })
                .collect();
            let remote = match plan.remote_input {
                Some(ri) => match remote_body(MULTI_EXECUTE, ri, v, &local) {
                    Ok(b) => json!({ "body": b }),
                    Err(e) => json!({ "error": e.to_string() }),
                },
                None => Value::Null,
            };
            return Ok(json!({"multi": {"input": input, "locals": locals, "remote": remote}}));
        }
        return Ok(json!({"remote": remote_body(MULTI_EXECUTE, input, v, &local)?}));
    }
    Ok(json!({"remote": remote_body(slug, input, v, &local)?}))
}

/// Merges a split multi-execute: `{input, local, results, remote: {value} | {error} | null}`.
fn merge(v: &Value) -> Result<Value, Error> {
    let local = local_tools(v)?;
    let MultiPlan::Split(plan) = plan_multi_execute(get(v, "input"), |x| local.find(x).is_some())
    else {
        return Err(bad("multi-execute input has no local tools"));
    };
    let results = results_of(v);
    let outcomes = results.iter().map(ExecuteResult::to_outcome).collect();
    let remote = match get(v, "remote") {
        Value::Null => None,
        r => match (r.get("value"), s(r, "error")) {
            (Some(val), _) => Some(Ok(wire_response(val.clone()))),
            (None, e) => Some(Err(e.unwrap_or("").to_owned())),
        },
    };
    Ok(ExecuteResult::from_outcome(merge_multi_execute(&plan, outcomes, remote)).to_json())
}

/// `v.results` as [`ExecuteResult`]s, read by hand (serde's typed errors would link float
/// formatting into the wasm).
fn results_of(v: &Value) -> Vec<ExecuteResult> {
    get(v, "results")
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| ExecuteResult {
            data: get(r, "data").clone(),
            error: s(r, "error").map(str::to_owned),
            successful: r
                .get("successful")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            log_id: s(r, "logId").unwrap_or("").to_owned(),
        })
        .collect()
}

fn tool_calls(v: &Value) -> Result<(Provider, Vec<crate::provider::ToolCall>), Error> {
    let response = get(v, "response");
    let provider = match s(v, "provider") {
        Some(p) => Provider::parse(p)?,
        None => detect_provider(response)
            .ok_or_else(|| bad("unrecognized model response; pass the provider explicitly"))?,
    };
    let known: Vec<Tool> = get(v, "schemas")
        .as_object()
        .into_iter()
        .flatten()
        .map(|(slug, schema)| Tool {
            slug: slug.clone(),
            input_parameters: schema.clone(),
            ..Default::default()
        })
        .collect();
    let calls = provider.parse_tool_calls(response, &known)?;
    Ok((provider, calls))
}

fn connected(v: &Value) -> Result<Value, Error> {
    let value = get(v, "value");
    let field = |k: &str| s(value, k).map(str::to_owned);
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
    let origin = s(v, "origin").unwrap_or("");
    let url = url.trim();
    let resolved = if url.starts_with('/') && !url.starts_with("//") && !url.contains('\\') {
        format!("{origin}{url}")
    } else {
        let (_, o) = gateway_url(url.split(['?', '#']).next().unwrap_or(""))
            .map_err(|_| bad("connect url is not a gateway url"))?;
        if o != origin {
            return Err(bad("connect url is not on the gateway origin"));
        }
        url.to_owned()
    };
    Ok(json!({"connect_url": resolved, "connection_id": id}))
}

/// One poll of `waitForConnection`: `{id, first, ok: status} | {id, first, err}` →
/// `{done: status}`, `{pending: true}`, `{rethrow: true}` or an error.
fn wait_step(v: &Value) -> Result<Value, Error> {
    let id = s(v, "id").unwrap_or("").to_owned();
    if let Some(e) = v.get("err") {
        let first = v.get("first").and_then(Value::as_bool).unwrap_or(false);
        if first
            && get(e, "api") == &json!(true)
            && e.get("status").and_then(Value::as_u64) == Some(404)
        {
            return Err(Error::ConnectedAccountNotFound(id));
        }
        return Ok(if get(e, "retryable") == &json!(true) {
            json!({"pending": true})
        } else {
            json!({"rethrow": true})
        });
    }
    let st = get(v, "ok");
    let status = s(st, "status").unwrap_or("").to_owned();
    match ConnectionState::of(&status) {
        ConnectionState::Active => Ok(json!({ "done": st })),
        ConnectionState::Failed => Err(Error::ConnectionFailed {
            id,
            status,
            reason: s(st, "reason").map(str::to_owned),
        }),
        ConnectionState::Pending => Ok(json!({"pending": true})),
    }
}

//! A minimal MCP (Streamable HTTP, JSON responses) endpoint at the session's `mcp.url`
//! (`/tool_router/{session_id}/mcp`): `initialize`, `ping`, `tools/list` (the session's meta
//! tools and preloaded tools) and `tools/call` (the same execution as `…/execute`).

use crate::json;
use crate::json::Value;

use super::session::{self, Session};
use super::{catalog, exec, ApiErr, Ctx, Res};
use crate::http;
use crate::runtime::Runtime;
use crate::store::Store;
use crate::transport::{json_response, HttpRequest, HttpResponse};

const PROTOCOL: &str = "2025-06-18";

fn rpc_error(id: &Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

fn tool_list(sess: &Session) -> Vec<Value> {
    let mut tools: Vec<Value> = session::meta_tools(&sess.config)
        .into_iter()
        .filter_map(catalog::meta_tool)
        .collect();
    tools.extend(session::preloaded(sess).into_iter().map(|d| d.to_wire()));
    tools
        .into_iter()
        .map(|t| {
            let tags: Vec<&str> = t["tags"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            json!({
                "name": t["slug"],
                "title": t["name"],
                "description": t["description"],
                "inputSchema": t["input_parameters"],
                "annotations": {
                    "readOnlyHint": tags.contains(&"readOnlyHint"),
                    "destructiveHint": tags.contains(&"destructiveHint"),
                    "idempotentHint": tags.contains(&"idempotentHint"),
                    "openWorldHint": tags.contains(&"openWorldHint"),
                },
            })
        })
        .collect()
}

async fn one<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    sess: &Session,
    msg: &Value,
) -> Res<Option<Value>> {
    let id = msg.get("id").cloned().unwrap_or(Value::Null);
    let Some(method) = msg.get("method").and_then(Value::as_str) else {
        return Ok(Some(rpc_error(&id, -32600, "invalid request")));
    };
    if msg.get("id").is_none() {
        return Ok(None); // a notification
    }
    let params = msg.get("params").cloned().unwrap_or(Value::Null);
    let result = match method {
        "initialize" => json!({
            "protocolVersion": params.get("protocolVersion").and_then(Value::as_str).unwrap_or(PROTOCOL),
            "capabilities": {"tools": {"listChanged": false}},
            "serverInfo": {"name": "composio-edge-emulator", "version": env!("CARGO_PKG_VERSION")},
        }),
        "ping" => json!({}),
        "tools/list" => json!({ "tools": tool_list(sess) }),
        "tools/call" => {
            let Some(name) = params.get("name").and_then(Value::as_str) else {
                return Ok(Some(rpc_error(&id, -32602, "params.name is required")));
            };
            let args = match exec::normalize_args(params.get("arguments")) {
                Ok(a) => a,
                Err(m) => return Ok(Some(rpc_error(&id, -32602, &m))),
            };
            let out = exec::run_tool(ctx, sess, name, args, None, &[]).await?;
            let body =
                json!({"data": out.data, "error": out.error, "successful": out.error.is_none()});
            json!({
                "content": [{"type": "text", "text": body.to_string()}],
                "structuredContent": body,
                "isError": out.error.is_some(),
            })
        }
        _ => return Ok(Some(rpc_error(&id, -32601, "method not found"))),
    };
    Ok(Some(json!({"jsonrpc": "2.0", "id": id, "result": result})))
}

/// `POST /tool_router/{session_id}/mcp`.
pub(crate) async fn handle<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    req: HttpRequest,
    session_id: &str,
) -> Res<HttpResponse> {
    if req.method() != http::Method::POST {
        let mut e = ApiErr::new(
            405,
            "HTTP_MethodNotAllowed",
            "the emulator's MCP endpoint answers POST only (no SSE stream)",
        );
        e.headers.push(("allow".into(), "POST".into()));
        return Err(e);
    }
    let sess = session::load(ctx, session_id).await?;
    let msg: Value = match serde_json::from_slice(req.body()) {
        Ok(v) => v,
        Err(_) => {
            return Ok(json_response(
                400,
                &rpc_error(&Value::Null, -32700, "parse error"),
            ))
        }
    };
    let reply = match &msg {
        Value::Array(batch) => {
            let mut out = Vec::new();
            for m in batch.iter().take(50) {
                if let Some(r) = one(ctx, &sess, m).await? {
                    out.push(r);
                }
            }
            (!out.is_empty()).then_some(Value::Array(out))
        }
        m => one(ctx, &sess, m).await?,
    };
    Ok(match reply {
        Some(v) => json_response(200, &v),
        None => {
            let mut res = http::Response::new(Vec::new());
            *res.status_mut() = http::StatusCode::ACCEPTED;
            res
        }
    })
}

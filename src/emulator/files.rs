//! Session file mounts (`…/mounts/{mount}/items|upload_url|download_url|delete`) with
//! presigned-URL stand-ins served at `/__emulator/files/{token}`.

use crate::json;
use crate::json::Value;
use serde::{Deserialize, Serialize};

use super::session::Session;
use super::{json_body, ok, paginate, qp, str_field, ApiErr, Ctx, Res};
use crate::encoding::{base64url_decode, base64url_encode};
use crate::http;
use crate::runtime::Runtime;
use crate::store::Store;
use crate::transport::{rfc3339, HttpRequest, HttpResponse};

const SANDBOX_PREFIX: &str = "/mnt/files";
const URL_TTL_MS: u64 = 15 * 60 * 1000;
/// Largest file the emulator stores.
const MAX_FILE: usize = 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct FileRec {
    size: usize,
    last_modified: u64,
    mimetype: String,
    content: String,
}

#[derive(Serialize, Deserialize)]
struct UrlGrant {
    key: String,
    upload: bool,
    mimetype: String,
    expires_at: u64,
}

fn clean_path(p: Option<&str>) -> Res<String> {
    let p = p
        .map(|p| p.trim_start_matches('/'))
        .filter(|p| !p.is_empty() && p.len() <= 512)
        .ok_or_else(|| ApiErr::bad_request("mount_relative_path is required"))?;
    if p.split('/').any(|s| s == ".." || s == ".") || p.contains('\\') {
        return Err(ApiErr::bad_request(
            "mount_relative_path must not contain . or .. segments",
        ));
    }
    Ok(p.to_owned())
}

fn check_mount(mount: &str) -> Res<()> {
    if mount.is_empty()
        || mount.len() > 64
        || !mount
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(ApiErr::not_found("Mount_NotFound", "mount not found"));
    }
    Ok(())
}

/// `…/mounts/{mount}/{op}`.
pub(crate) async fn mount_op<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    sess: &Session,
    mount: &str,
    op: &str,
    query: &[(String, String)],
    body: &[u8],
) -> Res<HttpResponse> {
    check_mount(mount)?;
    let prefix = format!("file/{}/{mount}/", sess.id);
    match op {
        "items" => {
            let sub = qp(query, "mount_relative_prefix")
                .map(|p| p.trim_start_matches('/'))
                .unwrap_or("");
            let rows = ctx
                .store
                .list(&format!("{prefix}{sub}"))
                .await
                .map_err(ApiErr::storage)?;
            let items: Vec<Value> = rows
                .into_iter()
                .filter_map(|(k, v)| {
                    let f: FileRec = serde_json::from_str(&v).ok()?;
                    let path = k.strip_prefix(&prefix)?.to_owned();
                    Some(
                        json!({"mount_relative_path": path, "sandbox_mount_prefix": SANDBOX_PREFIX,
                                "size": f.size, "last_modified": rfc3339(f.last_modified)}),
                    )
                })
                .collect();
            let mut page = paginate(items, query, 100, 500)?;
            if let Some(o) = page.as_object_mut() {
                o.retain(|k, _| k == "items" || k == "next_cursor");
            }
            ok(200, &page)
        }
        "upload_url" | "download_url" => {
            let b = json_body(body)?;
            let path = clean_path(str_field(&b, "mount_relative_path"))?;
            let key = format!("{prefix}{path}");
            let upload = op == "upload_url";
            if !upload
                && ctx
                    .store
                    .get(&key)
                    .await
                    .map_err(ApiErr::storage)?
                    .is_none()
            {
                return Err(ApiErr::not_found(
                    "File_NotFound",
                    "file not found in the mount",
                ));
            }
            let token = ctx.new_id("fu_");
            let expires_at = ctx.now_ms() + URL_TTL_MS;
            let grant = UrlGrant {
                key,
                upload,
                mimetype: str_field(&b, "mimetype")
                    .unwrap_or("application/octet-stream")
                    .to_owned(),
                expires_at,
            };
            ctx.put_json(&format!("fileurl/{token}"), &grant).await?;
            let url = format!("{}/__emulator/files/{token}", ctx.origin);
            let name = if upload { "upload_url" } else { "download_url" };
            ok(
                201,
                &json!({name: url, "mount_relative_path": path,
                        "sandbox_mount_prefix": SANDBOX_PREFIX, "expires_at": rfc3339(expires_at)}),
            )
        }
        _ => {
            let b = json_body(body)?;
            let path = clean_path(str_field(&b, "mount_relative_path"))?;
            let existed = ctx
                .store
                .delete(&format!("{prefix}{path}"))
                .await
                .map_err(ApiErr::storage)?;
            if !existed {
                return Err(ApiErr::not_found(
                    "File_NotFound",
                    "file not found in the mount",
                ));
            }
            ok(
                200,
                &json!({"mount_relative_path": path, "sandbox_mount_prefix": SANDBOX_PREFIX}),
            )
        }
    }
}

/// `PUT|GET /__emulator/files/{token}`: the presigned upload/download URLs.
pub(crate) async fn presigned<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    req: HttpRequest,
    token: &str,
) -> Res<HttpResponse> {
    let grant: Option<UrlGrant> = if token.starts_with("fu_") && token.len() <= 64 {
        ctx.get_json(&format!("fileurl/{token}")).await?
    } else {
        None
    };
    let grant = grant
        .filter(|g| ctx.now_ms() <= g.expires_at)
        .ok_or_else(|| {
            ApiErr::new(
                403,
                "SignatureDoesNotMatch",
                "presigned URL is invalid or expired",
            )
        })?;
    if grant.upload {
        if req.method() != http::Method::PUT {
            return Err(ApiErr::new(
                405,
                "HTTP_MethodNotAllowed",
                "use PUT to upload",
            ));
        }
        if req.body().len() > MAX_FILE {
            return Err(ApiErr::new(
                413,
                "PayloadTooLarge",
                "the emulator stores files up to 1 MiB",
            ));
        }
        let mimetype = req
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(&grant.mimetype)
            .to_owned();
        let rec = FileRec {
            size: req.body().len(),
            last_modified: ctx.now_ms(),
            mimetype,
            content: base64url_encode(req.body()),
        };
        ctx.put_json(&grant.key, &rec).await?;
        let mut res = http::Response::new(Vec::new());
        *res.status_mut() = http::StatusCode::OK;
        return Ok(res);
    }
    if req.method() != http::Method::GET {
        return Err(ApiErr::new(
            405,
            "HTTP_MethodNotAllowed",
            "use GET to download",
        ));
    }
    let rec: FileRec = ctx
        .get_json(&grant.key)
        .await?
        .ok_or_else(|| ApiErr::not_found("File_NotFound", "file not found in the mount"))?;
    let mut res = http::Response::new(base64url_decode(&rec.content).unwrap_or_default());
    if let Ok(v) = http::HeaderValue::from_str(&rec.mimetype) {
        res.headers_mut().insert(http::header::CONTENT_TYPE, v);
    }
    Ok(res)
}

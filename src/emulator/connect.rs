//! Connected accounts and the connect flow: link creation, the hosted consent page at
//! `/link/{token}`, and `GET /api/v3.1/connected_accounts/{id}`.

use crate::json;
use crate::json::{Map, Value};
use serde::{Deserialize, Serialize};

use super::catalog::{self, Toolkit};
use super::session::Session;
use super::{escape_html, html_response, ok, str_field, ApiErr, Ctx, Res};
use crate::encoding::{encode_component, parse_query};
use crate::http;
use crate::runtime::Runtime;
use crate::store::Store;
use crate::transport::{rfc3339, HttpRequest, HttpResponse};

/// How long a link token is valid.
pub const LINK_TTL_MS: u64 = 10 * 60 * 1000;

/// A stored connected account.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct Account {
    pub id: String,
    pub user_id: String,
    pub toolkit: String,
    pub status: String,
    #[serde(default)]
    pub status_reason: Option<String>,
    #[serde(default)]
    pub alias: Option<String>,
    pub created_at: u64,
    pub updated_at: u64,
    #[serde(default)]
    pub word_id: String,
}

/// A stored link token.
#[derive(Serialize, Deserialize, Clone, Debug)]
struct Link {
    token: String,
    account_id: String,
    expires_at: u64,
    #[serde(default)]
    used: bool,
    #[serde(default)]
    callback_url: Option<String>,
}

/// Accounts live under `account/<user>/<id>` (so a user's accounts are one prefix scan) with a
/// pointer `ca/<id>` → `<user>` for lookups by id.
fn account_key(user_id: &str, id: &str) -> String {
    format!("account/{}/{id}", encode_component(user_id))
}

fn pointer_key(id: &str) -> String {
    format!("ca/{id}")
}

async fn save_account<S: Store, R: Runtime>(ctx: &Ctx<'_, S, R>, a: &Account) -> Res<()> {
    ctx.put_json(&account_key(&a.user_id, &a.id), a).await?;
    ctx.put_json(&pointer_key(&a.id), &a.user_id).await
}

async fn load_account<S: Store, R: Runtime>(ctx: &Ctx<'_, S, R>, id: &str) -> Res<Option<Account>> {
    if id.is_empty() || id.len() > 64 {
        return Ok(None);
    }
    match ctx.get_json::<String>(&pointer_key(id)).await? {
        Some(user) => ctx.get_json(&account_key(&user, id)).await,
        None => Ok(None),
    }
}

/// Orders accounts newest first (ties by id), in place.
pub(crate) fn newest_first(accounts: &mut [&Account]) {
    accounts.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
}

/// Every account of a user.
pub(crate) async fn user_accounts<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    user_id: &str,
) -> Res<Vec<Account>> {
    ctx.list_json(&format!("account/{}/", encode_component(user_id)))
        .await
}

/// Rejects callback URLs that are not absolute http(s) URLs.
pub(crate) fn check_callback_url(url: &str) -> Res<()> {
    let parsed: Option<http::Uri> = url.parse().ok();
    let fine = parsed.is_some_and(|u| {
        matches!(u.scheme_str(), Some("http" | "https")) && u.authority().is_some()
    }) && url.len() <= 2048;
    if fine {
        Ok(())
    } else {
        Err(ApiErr::bad_request(
            "callback_url must be an absolute http or https URL",
        ))
    }
}

/// What a new link answers.
pub(crate) struct NewLink {
    pub account: Account,
    pub token: String,
    pub redirect_url: String,
    pub expires_at: u64,
}

impl NewLink {
    /// The link response body (`link_token`, `redirect_url`, `connected_account_id`, `expires_at`).
    fn wire(&self) -> Value {
        json!({
            "link_token": self.token,
            "redirect_url": self.redirect_url,
            "connected_account_id": self.account.id,
            "expires_at": rfc3339(self.expires_at),
        })
    }
}

/// Creates an INITIATED account and a link token for it.
pub(crate) async fn create_link<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    user_id: &str,
    tk: &Toolkit,
    callback_url: Option<String>,
    alias: Option<String>,
    link_base: Option<&str>,
) -> Res<NewLink> {
    if let Some(u) = &callback_url {
        check_callback_url(u)?;
    }
    let now = ctx.now_ms();
    let id = ctx.new_id("ca_");
    let word_id = format!(
        "{}_{}",
        tk.slug,
        id.trim_start_matches("ca_").to_ascii_lowercase()
    );
    let account = Account {
        id: id.clone(),
        user_id: user_id.to_owned(),
        toolkit: tk.slug.to_owned(),
        status: "INITIATED".into(),
        status_reason: None,
        alias,
        created_at: now,
        updated_at: now,
        word_id,
    };
    save_account(ctx, &account).await?;
    let token = ctx.new_id("ln_");
    let link = Link {
        token: token.clone(),
        account_id: id,
        expires_at: now + LINK_TTL_MS,
        used: false,
        callback_url,
    };
    ctx.put_json(&format!("link/{token}"), &link).await?;
    let base = link_base
        .map(|b| b.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| ctx.origin.clone());
    Ok(NewLink {
        account,
        redirect_url: format!("{base}/link/{token}"),
        token,
        expires_at: now + LINK_TTL_MS,
    })
}

fn auth_toolkit(slug: Option<&str>) -> Res<&'static Toolkit> {
    let slug = slug
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiErr::bad_request("toolkit is required"))?;
    let tk = catalog::toolkit(slug).ok_or_else(|| {
        let shown: String = slug.chars().take(64).collect();
        ApiErr::bad_request(format!("toolkit {shown} is not in the emulator's catalog"))
    })?;
    if tk.no_auth() {
        return Err(ApiErr::bad_request(format!(
            "toolkit {} does not need authentication; its tools run without a connected account",
            tk.slug
        )));
    }
    Ok(tk)
}

fn optional_string(m: &Map, key: &str) -> Res<Option<String>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiErr::bad_request(format!("{key} must be a string"))),
    }
}

/// The session's white-label link base (`experimental.link_url_overwrite`), if any.
pub(crate) fn link_base(sess: &Session) -> Option<&str> {
    sess.experimental
        .get("link_url_overwrite")
        .and_then(Value::as_str)
        .filter(|s| s.starts_with("http://") || s.starts_with("https://"))
}

/// `POST …/session/{id}/link`.
pub(crate) async fn session_link<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    sess: &Session,
    body: Map,
) -> Res<HttpResponse> {
    let tk = auth_toolkit(str_field(&body, "toolkit"))?;
    let callback = optional_string(&body, "callback_url")?.or_else(|| {
        sess.config
            .get("manage_connections")
            .and_then(|m| m.get("callback_url"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let alias = optional_string(&body, "alias")?;
    let account_type = body
        .get("experimental")
        .and_then(|e| e.get("account_type"))
        .and_then(Value::as_str)
        .unwrap_or("PRIVATE")
        .to_owned();
    let link = create_link(ctx, &sess.user_id, tk, callback, alias, link_base(sess)).await?;
    let mut body = link.wire();
    body["experimental"] = json!({ "account_type": account_type });
    ok(201, &body)
}

/// `POST /api/v3.1/connected_accounts/link`.
pub(crate) async fn account_link<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    body: Map,
) -> Res<HttpResponse> {
    let ac = str_field(&body, "auth_config_id")
        .ok_or_else(|| ApiErr::bad_request("auth_config_id is required"))?;
    let tk = ac
        .strip_prefix("ac_")
        .and_then(catalog::toolkit)
        .filter(|t| !t.no_auth())
        .ok_or_else(|| {
            ApiErr::not_found(
                "AuthConfig_NotFound",
                "auth config not found; the emulator's auth configs are ac_<toolkit>, e.g. ac_gmail",
            )
        })?;
    let user_id = str_field(&body, "user_id")
        .filter(|u| !u.is_empty())
        .ok_or_else(|| ApiErr::bad_request("user_id is required"))?;
    let callback = optional_string(&body, "callback_url")?;
    let alias = optional_string(&body, "alias")?;
    let link = create_link(ctx, user_id, tk, callback, alias, None).await?;
    ok(201, &link.wire())
}

/// The §9.4 shape of an account.
pub(crate) fn account_wire(a: &Account) -> Value {
    let tk = catalog::toolkit(&a.toolkit);
    let scheme = tk.and_then(|t| t.auth.scheme()).unwrap_or("OAUTH2");
    let ac = tk.map(Toolkit::auth_config_id).unwrap_or_default();
    let mut val = json!({"status": a.status});
    if a.status == "ACTIVE" {
        if let Some(o) = val.as_object_mut() {
            if scheme == "API_KEY" {
                o.insert("api_key".into(), json!("emulated-api-key"));
            } else {
                o.insert("access_token".into(), json!("emulated-access-token"));
                o.insert("token_type".into(), json!("Bearer"));
            }
        }
    }
    json!({
        "id": a.id,
        "status": a.status,
        "status_reason": a.status_reason,
        "alias": a.alias,
        "word_id": a.word_id,
        "user_id": a.user_id,
        "toolkit": {"slug": a.toolkit},
        "auth_config": {"id": ac, "auth_scheme": scheme, "is_composio_managed": true, "is_disabled": false},
        "state": {"authScheme": scheme, "val": val},
        "data": {},
        "params": {},
        "is_disabled": false,
        "created_at": rfc3339(a.created_at),
        "updated_at": rfc3339(a.updated_at),
        "experimental": {"account_type": "PRIVATE"},
        "requested_scopes": [],
        "test_request_endpoint": "",
    })
}

/// `GET /api/v3.1/connected_accounts?user_ids=&auth_config_ids=&toolkit_slugs=&statuses=`
/// (comma-joined lists), newest first, paginated.
pub(crate) async fn list_accounts<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    query: &[(String, String)],
) -> Res<HttpResponse> {
    let list = |name: &str| -> Option<Vec<String>> {
        super::qp(query, name)
            .filter(|v| !v.is_empty())
            .map(|v| v.split(',').map(|x| x.trim().to_owned()).collect())
    };
    let (users, configs, toolkits, statuses) = (
        list("user_ids"),
        list("auth_config_ids"),
        list("toolkit_slugs"),
        list("statuses"),
    );
    let mut accounts: Vec<Account> = match &users {
        Some(us) => {
            let mut all = Vec::new();
            for u in us.iter().take(100) {
                all.extend(user_accounts(ctx, u).await?);
            }
            all
        }
        None => ctx.list_json("account/").await?,
    };
    accounts.retain(|a| {
        let ac = catalog::toolkit(&a.toolkit)
            .map(Toolkit::auth_config_id)
            .unwrap_or_default();
        users.as_ref().is_none_or(|u| u.contains(&a.user_id))
            && configs.as_ref().is_none_or(|c| c.contains(&ac))
            && toolkits
                .as_ref()
                .is_none_or(|t| t.iter().any(|x| x.eq_ignore_ascii_case(&a.toolkit)))
            && statuses.as_ref().is_none_or(|s| s.contains(&a.status))
    });
    let mut refs: Vec<&Account> = accounts.iter().collect();
    newest_first(&mut refs);
    let items: Vec<Value> = refs.into_iter().map(account_wire).collect();
    ok(200, &super::paginate(items, query, 20, 1000)?)
}

/// `GET /api/v3.1/connected_accounts/{id}`.
pub(crate) async fn retrieve_account<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    id: &str,
) -> Res<HttpResponse> {
    let found = load_account(ctx, id).await?;
    match found {
        Some(a) => ok(200, &account_wire(&a)),
        None => {
            let shown: String = id.chars().take(64).collect();
            Err(ApiErr::not_found(
                "ConnectedAccount_NotFound",
                format!("connected account {shown} not found"),
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The hosted consent page.

fn page(status: u16, title: &str, inner: &str) -> HttpResponse {
    let body = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Composio emulator</title>
<style>
body{{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f5f7;color:#1d1f24;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}}
main{{background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08);padding:2rem;max-width:28rem;width:calc(100% - 2rem)}}
h1{{font-size:1.35rem;margin:0 0 1rem}}
.logo{{display:inline-flex;align-items:center;justify-content:center;width:40px;height:40px;border-radius:10px;background:#2855d8;color:#fff;font-weight:700;vertical-align:middle;margin-right:.6rem}}
p{{line-height:1.5}}
.who{{background:#f0f2f5;border-radius:6px;padding:.6rem .8rem}}
.actions{{display:flex;gap:.75rem;margin-top:1.5rem}}
button{{flex:1;font:inherit;font-weight:600;padding:.7rem 1rem;border-radius:8px;border:1px solid #c9ccd3;background:#fff;cursor:pointer}}
button[value=allow]{{background:#2855d8;border-color:#2855d8;color:#fff}}
button:focus-visible{{outline:3px solid #f5a623;outline-offset:2px}}
label{{display:block;margin-top:1rem;font-weight:600}}
input{{font:inherit;width:100%;box-sizing:border-box;padding:.5rem;margin-top:.3rem;border:1px solid #c9ccd3;border-radius:6px}}
small{{color:#5b616e}}
</style>
</head>
<body>
<main>
{inner}
<p><small>Local Composio Tool Router emulator (composio-edge). No real account is contacted.</small></p>
</main>
</body>
</html>
"#,
        title = escape_html(title)
    );
    html_response(status, body)
}

fn message_page(status: u16, title: &str, text: &str) -> HttpResponse {
    page(
        status,
        title,
        &format!(
            "<h1>{}</h1>\n<p role=\"status\">{}</p>",
            escape_html(title),
            escape_html(text)
        ),
    )
}

/// Appends `status` and `connected_account_id` to a callback URL, keeping its query.
pub(crate) fn callback_with(url: &str, status: &str, account_id: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let sep = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    let mut out = format!(
        "{base}{sep}status={}&connected_account_id={}",
        encode_component(status),
        encode_component(account_id)
    );
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// `GET|POST /link/{token}`.
pub(crate) async fn link_page<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    req: HttpRequest,
    token: &str,
) -> Res<HttpResponse> {
    let method = req.method().clone();
    if method != http::Method::GET && method != http::Method::POST {
        let mut res = message_page(405, "Method not allowed", "Use GET to view this page.");
        res.headers_mut()
            .insert("allow", http::HeaderValue::from_static("GET, POST"));
        return Ok(res);
    }
    let link: Option<Link> =
        if token.starts_with("ln_") && token.len() <= 64 && !token.contains('/') {
            ctx.get_json(&format!("link/{token}")).await?
        } else {
            None
        };
    let Some(mut link) = link else {
        return Ok(message_page(
            404,
            "Link not found",
            "This connection link does not exist. Ask the app to start the connection again.",
        ));
    };
    if link.used {
        return Ok(message_page(
            409,
            "Link already used",
            "This connection link was already used. Ask the app to start a new connection.",
        ));
    }
    if ctx.now_ms() > link.expires_at {
        return Ok(message_page(
            410,
            "Link expired",
            "This connection link has expired (links are valid for 10 minutes). Ask the app to start the connection again.",
        ));
    }
    let Some(mut account) = load_account(ctx, &link.account_id).await? else {
        return Ok(message_page(
            404,
            "Connection not found",
            "The connection this link belongs to no longer exists.",
        ));
    };
    let tk = catalog::toolkit(&account.toolkit);
    let tk_name = tk.map(|t| t.name).unwrap_or(account.toolkit.as_str());
    if method == http::Method::GET {
        let api_key_field = if tk.is_some_and(|t| t.auth == catalog::Auth::ApiKey) {
            "<label for=\"api_key\">API key <small>(optional in the emulator)</small></label>\n<input id=\"api_key\" name=\"api_key\" type=\"password\" autocomplete=\"off\">\n"
        } else {
            ""
        };
        let initial: String = tk_name.chars().take(1).collect();
        let inner = format!(
            r#"<h1><span class="logo" aria-hidden="true">{initial}</span>Connect {name}</h1>
<p>An app wants to connect your <strong>{name}</strong> account.</p>
<p class="who">User: <strong>{user}</strong></p>
<form method="post" action="/link/{token}">
{api_key_field}<div class="actions">
<button type="submit" name="decision" value="deny">Deny</button>
<button type="submit" name="decision" value="allow">Allow</button>
</div>
</form>"#,
            initial = escape_html(&initial),
            name = escape_html(tk_name),
            user = escape_html(&account.user_id),
            token = escape_html(&link.token),
        );
        return Ok(page(200, &format!("Connect {tk_name}"), &inner));
    }
    let form = parse_query(std::str::from_utf8(req.body()).unwrap_or(""));
    let decision = form
        .iter()
        .find(|(k, _)| k == "decision")
        .map(|(_, v)| v.as_str());
    let allow = match decision {
        Some("allow") => true,
        Some("deny") => false,
        _ => {
            return Ok(message_page(
                400,
                "Invalid request",
                "The form must send decision=allow or decision=deny.",
            ))
        }
    };
    let now = ctx.now_ms();
    account.status = if allow { "ACTIVE" } else { "FAILED" }.into();
    account.status_reason = (!allow).then(|| "User denied the connection request".to_owned());
    account.updated_at = now;
    save_account(ctx, &account).await?;
    link.used = true;
    ctx.put_json(&format!("link/{}", link.token), &link).await?;
    let status = if allow { "success" } else { "failed" };
    match &link.callback_url {
        Some(cb) => {
            let location = callback_with(cb, status, &account.id);
            let mut res = http::Response::new(Vec::new());
            *res.status_mut() = http::StatusCode::SEE_OTHER;
            if let Ok(v) = http::HeaderValue::from_str(&location) {
                res.headers_mut().insert(http::header::LOCATION, v);
            }
            res.headers_mut().insert(
                http::header::CACHE_CONTROL,
                http::HeaderValue::from_static("no-store"),
            );
            Ok(res)
        }
        None if allow => Ok(message_page(
            200,
            &format!("{tk_name} connected"),
            "Your account is connected. You can close this window and return to the app.",
        )),
        None => Ok(message_page(
            200,
            "Connection denied",
            "You denied the connection. You can close this window and return to the app.",
        )),
    }
}

//! The Worker gateway as pure handlers: tokens, sessions, search/execute/connect, OAuth callback.
//!
//! Contract (shared with the Worker shell): [`Gateway::front`] runs statelessly in the Worker's
//! fetch handler and either answers or names the user whose Durable Object must handle the
//! request; [`Gateway::user`] runs inside that Durable Object with its storage and an upstream
//! [`Transport`] (the Composio API, or the embedded emulator's Durable Object).
//!
//! The shell must hand [`Gateway::user`] only requests that [`Gateway::front`] dispatched:
//! `front` strips every incoming `x-edge-*` header and replaces it with the verified identity.
//!
//! # Routes
//! | Route | Auth | Does |
//! |---|---|---|
//! | `POST /v1/tokens` | `Bearer EDGE_ADMIN_KEY` | `{user_id, ttl_seconds?, scopes?, origins?}` → `{token, expires_at, expires_in, …}` |
//! | `POST /v1/dev/token` | none, emulator mode only | same body and answer |
//! | `POST /v1/session` | token | create (201) or resume (200, no upstream request) the user's session |
//! | `DELETE /v1/session` | token | end it |
//! | `GET /v1/tools?provider=` (or `POST` with `{custom_tools}`) | `search` or `execute` | the session's tools and the preloaded custom tools, raw or formatted (`openai`, `openai-responses`, `anthropic`, `gemini`, `vercel`), with their input schemas |
//! | `POST /v1/search` | `search` | `{query \| queries, toolkits?, custom_tools?}` → the search result |
//! | `POST /v1/execute` | `execute` | `{tool_slug, arguments, account?, custom_tools?}`, optional `Idempotency-Key`; schema-checked first, never retried |
//! | `GET /v1/toolkits` | token | a page of toolkits with `connection: {state, connected, connected_account_id?}` |
//! | `POST /v1/connect` | `connect` | `{toolkit, return_to?, alias?}` → `{connection_id, connect_url}` (201) |
//! | `GET /v1/connect/{id}` | `connect` | `{status: pending\|active\|failed\|expired, toolkit, connected_account_id?}` |
//! | `POST /v1/proxy` | `proxy`, `EDGE_PROXY_ENABLED` | `{toolkit, endpoint, method, body?, parameters?}` |
//! | `GET /oauth/start?ticket=` | sealed ticket | sets the `__Host-` flow cookie, 302 to the checked connect link |
//! | `GET /oauth/callback` | sealed state + cookie | verifies the account with the API, records the outcome, completion page or 303 to `return_to` |
//!
//! Errors are `{"error": {"code", "message", "request_id"}}` with stable snake_case codes; the
//! configuration variables are listed in [`config::VARIABLES`].
//!
//! ```
//! use composio_edge::http;
//! use composio_edge::gateway::{Dispatch, Gateway, GatewayConfig};
//! use composio_edge::runtime::{block_on, TestRuntime};
//! let gw = Gateway::new(GatewayConfig::from_vars(|_| None).unwrap());
//! let rt = TestRuntime::new(1_700_000_000_000);
//! let req = http::Request::get("http://127.0.0.1:8787/v1/nope").body(Vec::new()).unwrap();
//! let Dispatch::Respond(res) = block_on(gw.front(req, &rt)) else { panic!() };
//! assert_eq!(res.status(), 404);
//! assert_eq!(res.headers()["x-composio-edge-mode"], "emulator");
//! ```

// Handlers answer early with a ready response as the `Err` of a `Result`.
#![allow(clippy::result_large_err)]

pub mod config;
pub mod idtoken;
pub mod redirect;
pub mod respond;
mod routes;
pub mod token;
pub mod upstream;

use crate::http;
use crate::http::Method;
use crate::json;
use crate::json::Value;

use crate::encoding::{decode_component, encode_component, hex};
use crate::runtime::Runtime;
use crate::secret::constant_time_eq;
use crate::store::Store;
use crate::transport::{HttpRequest, HttpResponse, Transport};

pub use config::GatewayConfig;
use respond::{header, Ctx};
use token::{sha256_hex, Claims, AUDIENCE, ISSUER, SCOPES};

/// Which face of the Worker serves a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Face {
    /// The embedded emulator (`/api/…`, `/link/…`, `/__emulator/…`), in emulator mode only.
    Emulator,
    /// The gateway API (`/v1/…`, `/oauth/…`).
    Gateway,
    /// Static assets (the demo page).
    Asset,
}

/// Routes a request path to a face.
///
/// ```
/// use composio_edge::gateway::{face, Face};
/// assert_eq!(face("/v1/search", true), Face::Gateway);
/// assert_eq!(face("/api/v3.1/tool_router/session", true), Face::Emulator);
/// assert_eq!(face("/api/v3.1/tool_router/session", false), Face::Gateway);
/// assert_eq!(face("/", true), Face::Asset);
/// ```
pub fn face(path: &str, emulator_mode: bool) -> Face {
    let under = |p: &str| path == p || path.starts_with(&format!("{p}/"));
    if emulator_mode && (under("/api") || under("/link") || under("/__emulator")) {
        Face::Emulator
    } else if under("/v1") || under("/oauth") || under("/api") || under("/__emulator") {
        Face::Gateway
    } else {
        Face::Asset
    }
}

/// What the stateless front decided.
#[derive(Debug)]
pub enum Dispatch {
    /// Answer this directly.
    Respond(HttpResponse),
    /// Forward to the Durable Object of this user key.
    User {
        /// Durable Object name (partitioned by tenant and user).
        user_key: String,
        /// The request to hand it.
        request: HttpRequest,
    },
}

/// The gateway.
#[derive(Clone, Debug)]
pub struct Gateway {
    /// Its configuration.
    pub config: GatewayConfig,
    /// Verifies app ID token signatures (RS256/ES256), injected by the shell.
    pub id_verifier: Option<idtoken::Verifier>,
}

/// Internal headers set by `front` for `user` (incoming ones are always stripped).
pub(crate) mod internal {
    /// The verified user id (percent-encoded).
    pub const USER: &str = "x-edge-user";
    /// The Durable Object name.
    pub const USER_KEY: &str = "x-edge-user-key";
    /// Space-separated scopes of the token.
    pub const SCOPES: &str = "x-edge-scopes";
    /// The validated browser origin, when the request had one.
    pub const ORIGIN: &str = "x-edge-origin";
    /// The request id chosen by `front`.
    pub const REQUEST_ID: &str = "x-edge-request-id";
}

/// A gateway route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    Tokens,
    DevToken,
    Session,
    Tools,
    Search,
    Execute,
    Toolkits,
    Connect,
    ConnectStatus,
    Proxy,
    OAuthStart,
    OAuthCallback,
}

impl Route {
    fn find(path: &str) -> Option<(Route, &'static [Method])> {
        const POST: &[Method] = &[Method::POST];
        const GET: &[Method] = &[Method::GET];
        Some(match path {
            "/v1/tokens" => (Route::Tokens, POST),
            "/v1/dev/token" => (Route::DevToken, POST),
            "/v1/session" => (Route::Session, &[Method::POST, Method::DELETE]),
            "/v1/tools" => (Route::Tools, &[Method::GET, Method::POST]),
            "/v1/search" => (Route::Search, POST),
            "/v1/execute" => (Route::Execute, POST),
            "/v1/toolkits" => (Route::Toolkits, GET),
            "/v1/connect" => (Route::Connect, POST),
            "/v1/proxy" => (Route::Proxy, POST),
            "/oauth/start" => (Route::OAuthStart, GET),
            "/oauth/callback" => (Route::OAuthCallback, GET),
            p => {
                let id = p.strip_prefix("/v1/connect/")?;
                if id.is_empty() || id.contains('/') {
                    return None;
                }
                (Route::ConnectStatus, GET)
            }
        })
    }

    /// Scopes of which the token needs at least one.
    fn scopes(self) -> &'static [&'static str] {
        match self {
            Route::Search => &["search"],
            Route::Execute => &["execute"],
            Route::Connect | Route::ConnectStatus => &["connect"],
            Route::Proxy => &["proxy"],
            Route::Tools => &["search", "execute"],
            _ => SCOPES,
        }
    }

    /// Routes whose POST body is JSON.
    fn json_body(self) -> bool {
        matches!(
            self,
            Route::Tokens
                | Route::DevToken
                | Route::Session
                | Route::Tools
                | Route::Search
                | Route::Execute
                | Route::Connect
                | Route::Proxy
        )
    }
}

/// `scheme://authority` of an absolute request URI.
fn own_origin(req: &HttpRequest) -> Option<String> {
    let uri = req.uri();
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let authority = uri.authority()?.as_str().to_ascii_lowercase();
    let parsed = redirect::parse_origin(&format!("{scheme}://{authority}"))?;
    Some(parsed.origin())
}

/// A fresh request id from the runtime's entropy.
pub(crate) fn new_request_id<R: Runtime>(rt: &R) -> String {
    let mut b = [0u8; 12];
    rt.fill_random(&mut b);
    format!("req_{}", hex(&b))
}

/// `n` random bytes, base64url.
pub(crate) fn random_id<R: Runtime>(rt: &R, n: usize) -> String {
    // A stack buffer (at most 32 bytes; the gateway asks for 16).
    let mut buf = [0u8; 32];
    let b = buf.get_mut(..n.min(32)).unwrap_or_default();
    rt.fill_random(b);
    crate::encoding::base64url_encode(b)
}

/// 1 to `max` bytes of ASCII letters, digits, `_` or `-` (slugs, ids, the tenant): one shared
/// check.
pub(crate) fn name_like(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && all_bytes(s, |b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whether every byte of `s` passes `ok`: one loop for every byte-class check of the gateway
/// (a predicate per check, not a copy of the iterator code per check).
pub(crate) fn all_bytes(s: &str, ok: fn(u8) -> bool) -> bool {
    for b in s.bytes() {
        if !ok(b) {
            return false;
        }
    }
    true
}

/// Checks a user id: 1–256 characters, no control characters.
pub(crate) fn valid_user_id(s: &str) -> bool {
    !s.is_empty() && crate::encoding::char_count(s) <= 256 && !s.chars().any(char::is_control)
}

/// Content type and JSON syntax of a route's body (after authentication).
fn check_body(req: &HttpRequest, ctx: &Ctx, route: Route) -> Result<(), HttpResponse> {
    if route.json_body() && !blank(req.body()) {
        let ct = header(req, "content-type")
            .unwrap_or("")
            .to_ascii_lowercase();
        let mime = ct.split(';').next().unwrap_or("").trim();
        if mime != "application/json" {
            return Err(respond::error(
                ctx,
                415,
                "unsupported_media_type",
                "request body must be application/json",
            ));
        }
        json_body(req, ctx)?;
    }
    Ok(())
}

/// Whether a body is empty or ASCII whitespace only.
fn blank(body: &[u8]) -> bool {
    for b in body {
        if !b.is_ascii_whitespace() {
            return false;
        }
    }
    true
}

/// The bearer credential of `Authorization`.
fn bearer(req: &HttpRequest) -> Option<&str> {
    let v = header(req, "authorization")?.trim();
    let (scheme, rest) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim())
        .filter(|t| !t.is_empty())
}

/// The JSON object body of a request (`{}` when empty), or an error response.
pub(crate) fn json_body(req: &HttpRequest, ctx: &Ctx) -> Result<crate::json::Map, HttpResponse> {
    if blank(req.body()) {
        return Ok(crate::json::Map::new());
    }
    match crate::wire::json::parse_bytes(req.body()) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(respond::error(
            ctx,
            400,
            "invalid_json",
            "request body must be a json object",
        )),
        Err(_) => Err(respond::error(
            ctx,
            400,
            "invalid_json",
            "request body is not valid json",
        )),
    }
}

impl Gateway {
    /// A gateway with this configuration.
    pub fn new(config: GatewayConfig) -> Self {
        Self {
            config,
            id_verifier: None,
        }
    }

    /// Accepts app ID tokens (`EDGE_JWT_ISSUER`, `EDGE_JWT_AUDIENCE`, `EDGE_JWKS`) whose
    /// signatures `verifier` checks (the Worker shell passes a WebCrypto verifier).
    pub fn with_signature_verifier(
        mut self,
        verifier: impl idtoken::SignatureVerifier + 'static,
    ) -> Self {
        self.id_verifier = Some(idtoken::Verifier(std::rc::Rc::new(verifier)));
        self
    }

    /// Scopes a token gets when none are asked for.
    fn default_scopes(&self) -> Vec<String> {
        let mut s = vec![
            "search".to_owned(),
            "execute".to_owned(),
            "connect".to_owned(),
        ];
        if self.config.proxy_enabled {
            s.push("proxy".into());
        }
        s
    }

    /// Origins a token gets when none are asked for.
    fn default_origins(&self, ctx: &Ctx) -> Vec<String> {
        let mut o = self.config.allowed_origins.clone();
        if self.config.emulator_mode && !o.contains(&ctx.own_origin) {
            o.push(ctx.own_origin.clone());
        }
        o
    }

    /// Verifies a bearer token: a gateway token (HS256), or an app ID token (RS256/ES256)
    /// when a JWKS and a verifier are configured.
    async fn authenticate(
        &self,
        token: &str,
        now: u64,
        ctx: &Ctx,
    ) -> Result<Claims, token::TokenError> {
        let alg = idtoken::header_alg(token);
        if let (Some("RS256" | "ES256"), Some(settings), Some(v)) =
            (alg.as_deref(), &self.config.jwt, &self.id_verifier)
        {
            let id = idtoken::verify_id_token(settings, v.0.as_ref(), token, now).await?;
            return Ok(Claims {
                sub: id.sub,
                aud: AUDIENCE.into(),
                iss: ISSUER.into(),
                iat: now,
                nbf: None,
                exp: id.exp,
                scopes: self.default_scopes(),
                origins: self.default_origins(ctx),
                jti: String::new(),
            });
        }
        token::verify_token(self.signing_key(), token, now)
    }

    /// The Durable Object name of a user: tenant plus a hash of the user id (SEC-11).
    ///
    /// ```
    /// use composio_edge::gateway::{Gateway, GatewayConfig};
    /// let gw = Gateway::new(GatewayConfig::from_vars(|_| None).unwrap());
    /// assert_ne!(gw.user_key("alice"), gw.user_key("bob"));
    /// assert!(gw.user_key("alice").starts_with("default:"));
    /// ```
    pub fn user_key(&self, user_id: &str) -> String {
        let h = sha256_hex(format!("{}\0{user_id}", self.config.tenant).as_bytes());
        format!("{}:{}", self.config.tenant, &h[..32])
    }

    fn base_ctx<R: Runtime>(&self, req: &HttpRequest, rt: &R) -> Ctx {
        Ctx {
            request_id: new_request_id(rt),
            own_origin: own_origin(req).unwrap_or_default(),
            emulator_mode: self.config.emulator_mode,
            cors_origin: None,
        }
    }

    /// Stateless front: configuration, CORS and preflight, routing (404/405), size and
    /// content-type limits, tokens (`/v1/tokens`, `/v1/dev/token`), token verification, and
    /// the OAuth ticket/state seals; everything per-user is dispatched to the user's Durable
    /// Object.
    pub async fn front<R: Runtime>(&self, req: HttpRequest, rt: &R) -> Dispatch {
        let mut ctx = self.base_ctx(&req, rt);
        // Boxed: the shell's fetch future holds a pointer, not this whole state machine.
        let inner: std::pin::Pin<Box<dyn std::future::Future<Output = _> + '_>> =
            Box::pin(self.front_inner(req, rt, &mut ctx));
        let res = inner.await;
        match res {
            Ok(d) => d,
            Err(res) => Dispatch::Respond(self.scrub(res, &ctx)),
        }
    }

    async fn front_inner<R: Runtime>(
        &self,
        mut req: HttpRequest,
        rt: &R,
        ctx: &mut Ctx,
    ) -> Result<Dispatch, HttpResponse> {
        let cfg = &self.config;
        if ctx.own_origin.is_empty() {
            return Err(respond::error(
                ctx,
                400,
                "bad_request",
                "request uri must be absolute",
            ));
        }
        if let Some(p) = &cfg.problem {
            return Err(respond::error(
                ctx,
                500,
                "config_error",
                &format!("gateway configuration error: {p}"),
            ));
        }
        let path = req.uri().path().to_owned();
        let method = req.method().clone();
        let is_api = path == "/v1" || path.starts_with("/v1/");

        // CORS: only allowed origins ever get CORS headers, and never on /v1/tokens.
        let origin = header(&req, "origin").map(str::to_owned);
        let origin_ok = origin
            .as_deref()
            .map(|o| cfg.origin_allowed(o, &ctx.own_origin));
        if is_api && path != "/v1/tokens" && origin_ok == Some(true) {
            ctx.cors_origin = origin.as_deref().map(str::to_ascii_lowercase);
        }

        let found = Route::find(&path);
        if method == Method::OPTIONS && is_api {
            return match (&found, origin_ok, path.as_str()) {
                (_, _, "/v1/tokens") => Err(respond::error(
                    ctx,
                    405,
                    "method_not_allowed",
                    "preflight is not served for this route",
                )),
                (Some(_), Some(true), _) => Err(respond::preflight(ctx)),
                (None, _, _) => Err(respond::error(ctx, 404, "not_found", "no such route")),
                _ => Err(respond::error(
                    ctx,
                    403,
                    "origin_not_allowed",
                    "this origin is not allowed",
                )),
            };
        }
        let Some((route, methods)) = found else {
            return Err(respond::error(ctx, 404, "not_found", "no such route"));
        };
        if !methods.contains(&method) {
            let mut allow = String::new();
            for m in methods {
                if !allow.is_empty() {
                    allow.push_str(", ");
                }
                allow.push_str(m.as_str());
            }
            let mut res = respond::error(
                ctx,
                405,
                "method_not_allowed",
                "method not allowed on this route",
            );
            if let Ok(v) = http::HeaderValue::from_str(&allow) {
                res.headers_mut().insert(http::header::ALLOW, v);
            }
            return Err(res);
        }
        let declared_len =
            header(&req, "content-length").and_then(|v| v.trim().parse::<u64>().ok());
        if req.body().len() > cfg.max_body_bytes
            || declared_len.is_some_and(|n| n > cfg.max_body_bytes as u64)
        {
            return Err(respond::error(
                ctx,
                413,
                "payload_too_large",
                &format!("request body is larger than {} bytes", cfg.max_body_bytes),
            ));
        }
        // Strip anything that could impersonate front's verdict.
        let mut forged: Vec<String> = Vec::new();
        for (k, _) in req.headers() {
            if k.as_str().starts_with("x-edge-") {
                forged.push(k.as_str().to_owned());
            }
        }
        for k in &forged {
            req.headers_mut().remove(k);
        }

        match route {
            Route::Tokens => Err(self.mint_admin(&req, rt, ctx)),
            Route::DevToken => {
                if !cfg.emulator_mode {
                    return Err(respond::error(ctx, 404, "not_found", "no such route"));
                }
                check_body(&req, ctx, route)?;
                let body = json_body(&req, ctx)?;
                Err(self.mint(&body, rt, ctx))
            }
            Route::OAuthStart | Route::OAuthCallback => {
                let (purpose, param) = if route == Route::OAuthStart {
                    ("ticket", "ticket")
                } else {
                    ("state", "state")
                };
                let user_key = self.unseal_param(&req, purpose, param, rt);
                let Some(user_key) = user_key else {
                    return Err(routes::invalid_link_page(ctx, route));
                };
                req.headers_mut().remove(http::header::AUTHORIZATION);
                self.forward(req, ctx, &user_key, None)
            }
            _ => {
                if origin_ok == Some(false) {
                    return Err(respond::error(
                        ctx,
                        403,
                        "origin_not_allowed",
                        "this origin is not allowed",
                    ));
                }
                let Some(token) = bearer(&req) else {
                    let res = respond::error(
                        ctx,
                        401,
                        "missing_token",
                        "an authorization bearer token is required",
                    );
                    return Err(www_authenticate(res, None));
                };
                let claims = match self.authenticate(token, rt.now_ms() / 1000, ctx).await {
                    Ok(c) => c,
                    Err(e) => {
                        let res = respond::error(ctx, 401, "invalid_token", e.message());
                        return Err(www_authenticate(res, Some("invalid_token")));
                    }
                };
                if let Some(o) = origin.as_deref() {
                    let o = o.to_ascii_lowercase();
                    if !claims.origins.contains(&o) {
                        return Err(respond::error(
                            ctx,
                            403,
                            "origin_not_allowed",
                            "the token is not valid for this origin",
                        ));
                    }
                }
                if !route.scopes().iter().any(|s| claims.has_scope(s)) {
                    return Err(respond::error(
                        ctx,
                        403,
                        "insufficient_scope",
                        &format!(
                            "the token lacks the {} scope",
                            crate::encoding::join(route.scopes(), " or ")
                        ),
                    ));
                }
                if route == Route::Proxy && !cfg.proxy_enabled {
                    return Err(respond::error(
                        ctx,
                        404,
                        "proxy_disabled",
                        "the proxy route is not enabled (EDGE_PROXY_ENABLED)",
                    ));
                }
                check_body(&req, ctx, route)?;
                req.headers_mut().remove(http::header::AUTHORIZATION);
                req.headers_mut().remove(http::header::COOKIE);
                let user_key = self.user_key(&claims.sub);
                self.forward(req, ctx, &user_key, Some(&claims))
            }
        }
    }

    fn forward(
        &self,
        mut req: HttpRequest,
        ctx: &Ctx,
        user_key: &str,
        claims: Option<&Claims>,
    ) -> Result<Dispatch, HttpResponse> {
        let mut set = |name: &'static str, value: &str| {
            if let Ok(v) = http::HeaderValue::from_str(value) {
                req.headers_mut().insert(name, v);
            }
        };
        set(internal::USER_KEY, user_key);
        set(internal::REQUEST_ID, &ctx.request_id);
        if let Some(o) = &ctx.cors_origin {
            set(internal::ORIGIN, o);
        }
        if let Some(c) = claims {
            set(internal::USER, &encode_component(&c.sub));
            set(internal::SCOPES, &crate::encoding::join(&c.scopes, " "));
        }
        Ok(Dispatch::User {
            user_key: user_key.to_owned(),
            request: req,
        })
    }

    fn unseal_param<R: Runtime>(
        &self,
        req: &HttpRequest,
        purpose: &str,
        param: &str,
        rt: &R,
    ) -> Option<String> {
        let q = req.uri().query()?;
        let v = crate::encoding::query_param(q, param)?;
        let p = token::unseal(self.signing_key(), purpose, &v, rt.now_ms() / 1000)?;
        p.get("k").and_then(Value::as_str).map(str::to_owned)
    }

    pub(crate) fn signing_key(&self) -> &crate::secret::SigningKey {
        static FALLBACK: std::sync::OnceLock<crate::secret::SigningKey> =
            std::sync::OnceLock::new();
        // A config without a problem always has a key; the fallback never signs anything that
        // verifies elsewhere because `front` refuses to run with a configuration problem.
        self.config.signing_key.as_ref().unwrap_or_else(|| {
            FALLBACK.get_or_init(|| crate::secret::SigningKey::new(config::DEV_SIGNING_KEY))
        })
    }

    /// `POST /v1/tokens` with the admin key.
    fn mint_admin<R: Runtime>(&self, req: &HttpRequest, rt: &R, ctx: &Ctx) -> HttpResponse {
        let Some(admin) = &self.config.admin_key else {
            return respond::error(
                ctx,
                401,
                "unauthorized",
                "no admin key is configured (EDGE_ADMIN_KEY)",
            );
        };
        let given = bearer(req).unwrap_or("");
        if !constant_time_eq(given.as_bytes(), admin.expose_secret().as_bytes()) {
            return www_authenticate(
                respond::error(
                    ctx,
                    401,
                    "unauthorized",
                    "the admin key is missing or wrong",
                ),
                None,
            );
        }
        match check_body(req, ctx, Route::Tokens).and_then(|()| json_body(req, ctx)) {
            Ok(body) => self.mint(&body, rt, ctx),
            Err(res) => res,
        }
    }

    /// Mints a token from `{user_id, ttl_seconds?, scopes?, origins?}`.
    fn mint<R: Runtime>(&self, body: &crate::json::Map, rt: &R, ctx: &Ctx) -> HttpResponse {
        let cfg = &self.config;
        let Some(user_id) = body
            .get("user_id")
            .and_then(Value::as_str)
            .filter(|u| valid_user_id(u))
        else {
            return respond::error(
                ctx,
                400,
                "invalid_request",
                "user_id must be a string of 1 to 256 characters",
            );
        };
        let ttl = match body.get("ttl_seconds") {
            None | Some(Value::Null) => token::DEFAULT_TTL_SECONDS,
            Some(v) => match v.as_u64() {
                Some(n) => n.clamp(60, token::MAX_TTL_SECONDS),
                None => {
                    return respond::error(
                        ctx,
                        400,
                        "invalid_request",
                        "ttl_seconds must be a positive integer",
                    )
                }
            },
        };
        let scopes: Vec<String> = match body.get("scopes") {
            None | Some(Value::Null) => self.default_scopes(),
            Some(Value::Array(a)) => {
                let mut out = Vec::new();
                for s in a {
                    match s.as_str().filter(|s| SCOPES.contains(s)) {
                        Some(s) if !out.iter().any(|x: &String| x == s) => out.push(s.to_owned()),
                        Some(_) => {}
                        None => {
                            return respond::error(
                                ctx,
                                400,
                                "invalid_scope",
                                "scopes must be a subset of search, execute, connect, proxy",
                            )
                        }
                    }
                }
                out
            }
            Some(_) => return respond::error(ctx, 400, "invalid_scope", "scopes must be an array"),
        };
        let origins: Vec<String> = match body.get("origins") {
            None | Some(Value::Null) => self.default_origins(ctx),
            Some(Value::Array(a)) => {
                let mut out = Vec::new();
                for o in a {
                    let parsed = o
                        .as_str()
                        .and_then(redirect::parse_origin)
                        .filter(|p| p.rest.is_empty())
                        .map(|p| p.origin());
                    match parsed {
                        Some(p) if cfg.origin_allowed(&p, &ctx.own_origin) => out.push(p),
                        _ => return respond::error(ctx, 400, "origin_not_allowed", "every origin must be one of the allowed origins (EDGE_ALLOWED_ORIGINS)"),
                    }
                }
                out
            }
            Some(_) => {
                return respond::error(ctx, 400, "invalid_request", "origins must be an array")
            }
        };
        let now = rt.now_ms() / 1000;
        let mut jti = [0u8; 16];
        rt.fill_random(&mut jti);
        let claims = Claims {
            sub: user_id.to_owned(),
            aud: AUDIENCE.into(),
            iss: ISSUER.into(),
            iat: now,
            nbf: None,
            exp: now + ttl,
            scopes,
            origins,
            jti: hex(&jti),
        };
        let Some(token) = token::sign_token(self.signing_key(), &claims) else {
            return respond::error(ctx, 500, "internal_error", "could not sign the token");
        };
        respond::ok(
            ctx,
            200,
            &json!({
                "token": token,
                "token_type": "Bearer",
                "expires_at": crate::transport::rfc3339(claims.exp * 1000),
                "expires_in": ttl,
                "user_id": claims.sub,
                "scopes": claims.scopes,
                "origins": claims.origins,
            }),
        )
    }

    /// Per-user handler inside the user's Durable Object: rate limit, session
    /// create-or-resume, tools, search, execute (schema check, idempotency), toolkits, connect
    /// and its status, proxy, session delete, and the OAuth start and callback.
    pub async fn user<S: Store, T: Transport, R: Runtime>(
        &self,
        req: HttpRequest,
        store: &S,
        upstream: &T,
        rt: &R,
    ) -> HttpResponse {
        let ctx = Ctx {
            request_id: header(&req, internal::REQUEST_ID)
                .map(str::to_owned)
                .unwrap_or_else(|| new_request_id(rt)),
            own_origin: own_origin(&req).unwrap_or_default(),
            emulator_mode: self.config.emulator_mode,
            cors_origin: header(&req, internal::ORIGIN).map(str::to_owned),
        };
        let res = routes::handle(self, req, store, upstream, rt, &ctx).await;
        self.scrub(res, &ctx)
    }

    /// Last line of defence (SEC-22, SEC-24): a response that would contain the Composio key
    /// is replaced by an error.
    fn scrub(&self, res: HttpResponse, ctx: &Ctx) -> HttpResponse {
        let key = match &self.config.api_key {
            Some(k) if !self.config.emulator_mode && k.expose_secret().len() >= 8 => {
                k.expose_secret()
            }
            _ => return res,
        };
        let leaks = |hay: &[u8]| hay.windows(key.len()).any(|w| w == key.as_bytes());
        let mut leaked = leaks(res.body());
        for (_, v) in res.headers() {
            leaked |= leaks(v.as_bytes());
        }
        if leaked {
            return respond::error(
                ctx,
                500,
                "internal_error",
                "the response was withheld because it contained a secret",
            );
        }
        res
    }
}

fn www_authenticate(mut res: HttpResponse, error: Option<&str>) -> HttpResponse {
    let v = match error {
        Some(e) => format!("Bearer error=\"{e}\""),
        None => "Bearer".to_owned(),
    };
    if let Ok(v) = http::HeaderValue::from_str(&v) {
        res.headers_mut().insert(http::header::WWW_AUTHENTICATE, v);
    }
    res
}

/// The verified user id that `front` attached.
pub(crate) fn user_of(req: &HttpRequest) -> Option<String> {
    header(req, internal::USER)
        .map(|u| decode_component(u, false))
        .filter(|u| valid_user_id(u))
}

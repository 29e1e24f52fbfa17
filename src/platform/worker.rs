//! The Cloudflare Worker shell (workers-rs): converts types, reads `env`, routes by
//! [`face`], and hosts the two Durable Objects. All behaviour lives in the core
//! ([`Gateway`], [`Emulator`]).
//!
//! - [`Face::Asset`] → the `ASSETS` binding (the static `www/` demo).
//! - [`Face::Emulator`] (emulator mode only) → the single [`EmulatorObject`] named `"default"`,
//!   which runs [`Emulator::handle`] over its storage.
//! - [`Face::Gateway`] → [`Gateway::front`]; a [`Dispatch::User`] goes to the [`UserObject`] named by
//!   the user key, which runs [`Gateway::user`] over its storage and the upstream: the global
//!   `fetch` in production, or the emulator's Durable Object in emulator mode (no subrequest).
//!
//! Every failure of the shell itself is a JSON error (`{"error":{"code","message","request_id"}}`)
//! with a stable code, and a log line that carries no value from the request or the environment.

use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::worker_sys::DurableObjectState;
use worker::worker_sys::{DurableObject as JsStub, DurableObjectNamespace, DurableObjectStorage};
use worker::{console_error, Env};

#[cfg(feature = "emulator")]
use crate::emulator::{Emulator, DROP_CONNECTION_HEADER};
use crate::error::Error;
#[cfg(feature = "emulator")]
use crate::error::TransportErrorKind;
use crate::gateway::{face, Dispatch, Face, Gateway, GatewayConfig};
use crate::http;
use crate::platform::fetch::{headers_from_web, read_body, to_web_request, FetchTransport};
#[cfg(feature = "emulator")]
use crate::platform::fetch::{response_from_web, select, Either};
#[cfg(feature = "emulator")]
use crate::platform::js_runtime::sleep;
use crate::platform::js_runtime::JsRuntime;
use crate::platform::webcrypto::WebCryptoVerifier;
use crate::runtime::Runtime;
use crate::store::{Store, VOLATILE_PREFIX};
#[cfg(feature = "emulator")]
use crate::transport::{transport_error, Timeout, Transport};
use crate::transport::{HttpRequest, HttpResponse};
use std::cell::RefCell;
use std::rc::Rc;

/// Durable Object namespace binding of the per-user objects.
pub const USERS_BINDING: &str = "USERS";
/// Durable Object namespace binding of the emulator object.
pub const EMULATOR_BINDING: &str = "EMULATOR";
/// Static assets binding.
pub const ASSETS_BINDING: &str = "ASSETS";
/// Name of the one emulator object.
pub const EMULATOR_OBJECT_NAME: &str = "default";

/// Largest request body the shell reads into memory (the gateway applies its own, smaller limit).
const MAX_BODY_BYTES: u64 = 8 * 1024 * 1024;

/// A failure of the shell itself: answered as a JSON error, logged without values.
#[derive(Debug)]
struct Failure {
    status: u16,
    code: &'static str,
    message: &'static str,
}

impl Failure {
    const fn new(status: u16, code: &'static str, message: &'static str) -> Self {
        Self {
            status,
            code,
            message,
        }
    }

    fn into_response(self, request_id: &str) -> Result<web_sys::Response, JsValue> {
        console_error!("composio-edge worker: {} ({})", self.message, self.code);
        let body = crate::json!({"error": {
            "code": self.code,
            "message": self.message,
            "request_id": request_id,
        }});
        let headers = web_sys::Headers::new()?;
        headers.set("content-type", "application/json")?;
        headers.set("cache-control", "no-store")?;
        if !request_id.is_empty() {
            headers.set("x-request-id", request_id)?;
        }
        web_response(
            self.status,
            &headers,
            crate::wire::json::to_text(&body).into_bytes(),
        )
    }
}

const INTERNAL: Failure = Failure::new(
    500,
    "internal_error",
    "the worker could not handle the request",
);

/// The request id shell errors report: Cloudflare's `cf-ray` when present, else a fresh
/// `req_…` id like the gateway's.
fn request_id(req: &web_sys::Request) -> String {
    if let Some(ray) = req
        .headers()
        .get("cf-ray")
        .ok()
        .flatten()
        .filter(|v| v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    {
        return ray;
    }
    let rt = JsRuntime::new();
    if !rt.has_crypto() {
        return String::new();
    }
    let mut b = [0u8; 12];
    rt.fill_random(&mut b);
    format!("req_{}", crate::encoding::hex(&b))
}

/// Reads an environment value (a var or a secret) as a string; object and array vars are
/// JSON-encoded, so JSON vars may be written as TOML tables or as JSON strings.
fn env_value(env: &Env, name: &str) -> Option<String> {
    let value = js_sys::Reflect::get(env, &JsValue::from_str(name)).ok()?;
    if value.is_undefined() || value.is_null() {
        None
    } else if let Some(s) = value.as_string() {
        Some(s)
    } else {
        // Numbers, booleans, objects and arrays: as JavaScript writes them (`60`, `true`, JSON).
        js_sys::JSON::stringify(&value).ok()?.as_string()
    }
}

/// The gateway configuration from `env`. A problem is logged once per isolate, naming the
/// variable and never its value (the gateway answers `config_error` until it is fixed).
fn read_config(env: &Env) -> Result<GatewayConfig, Failure> {
    static LOGGED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let config = GatewayConfig::from_vars(|name| env_value(env, name));
    if let Ok(GatewayConfig {
        problem: Some(p), ..
    }) = &config
    {
        if !LOGGED.swap(true, std::sync::atomic::Ordering::Relaxed) {
            console_error!("composio-edge worker: configuration problem: {p}");
        }
    }
    // A production build (without the `emulator` feature) has nothing to serve without a key.
    if let Ok(c) = &config {
        if c.emulator_mode && !cfg!(feature = "emulator") {
            console_error!("composio-edge worker: configuration problem: COMPOSIO_API_KEY is not set and this build has no embedded emulator");
            return Err(Failure::new(
                500,
                "config_error",
                "COMPOSIO_API_KEY is not set and this build has no embedded emulator",
            ));
        }
    }
    config.map_err(|e| {
        console_error!(
            "composio-edge worker: invalid configuration ({}): {e}",
            e.code()
        );
        Failure::new(
            500,
            "config_error",
            "the gateway configuration is invalid; see the worker log",
        )
    })
}

fn runtime() -> Result<JsRuntime, Failure> {
    let rt = JsRuntime::new();
    if rt.has_crypto() {
        Ok(rt)
    } else {
        Err(Failure::new(
            500,
            "runtime_unavailable",
            "crypto.getRandomValues is unavailable",
        ))
    }
}

/// Whether an emulator response asks to drop the connection.
#[cfg(feature = "emulator")]
fn wants_drop(headers: &http::HeaderMap) -> bool {
    headers
        .get(DROP_CONNECTION_HEADER)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"drop"))
}

/// Reads an incoming request (method, `url` already parsed, headers, whole body) into an
/// [`HttpRequest`], straight from the `web_sys::Request`.
async fn to_http_request(web: &web_sys::Request, uri: http::Uri) -> Result<HttpRequest, Failure> {
    let too_large = Failure::new(413, "payload_too_large", "request body too large");
    let headers = headers_from_web(&web.headers());
    let declared = headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(too_large);
    }
    let method = http::Method::from_bytes(web.method().as_bytes())
        .map_err(|_| Failure::new(405, "method_not_allowed", "unsupported http method"))?;
    let body = if web.body().is_some() {
        read_body(web.array_buffer())
            .await
            .map_err(|_| Failure::new(400, "bad_request", "could not read the request body"))?
    } else {
        Vec::new()
    };
    if body.len() as u64 > MAX_BODY_BYTES {
        return Err(too_large);
    }
    let mut out = http::Request::new(body);
    *out.method_mut() = method;
    *out.uri_mut() = uri;
    *out.headers_mut() = headers;
    Ok(out)
}

/// The request's absolute URL, parsed.
fn request_uri(req: &web_sys::Request) -> Result<http::Uri, Failure> {
    req.url()
        .parse()
        .map_err(|_| Failure::new(400, "bad_request", "malformed request url"))
}

/// A JS `Response` with this status, headers and body (none for the null-body statuses, whose
/// constructor throws on a body).
fn web_response(
    status: u16,
    headers: &web_sys::Headers,
    mut body: Vec<u8>,
) -> Result<web_sys::Response, JsValue> {
    let init = web_sys::ResponseInit::new();
    init.set_status(status);
    init.set_headers(headers);
    let body = (!matches!(status, 204 | 205 | 304)).then_some(body.as_mut_slice());
    web_sys::Response::new_with_opt_u8_array_and_init(body, &init)
}

/// Turns an `http` response into a JS response (never panics on odd statuses).
fn to_web_response(res: HttpResponse) -> Result<web_sys::Response, Failure> {
    let (parts, body) = res.into_parts();
    let status = parts.status.as_u16();
    if !(200..=599).contains(&status) {
        return Err(Failure::new(
            500,
            "internal_error",
            "handler answered an unsupported status",
        ));
    }
    let headers = web_sys::Headers::new().map_err(|_| INTERNAL)?;
    for (name, value) in &parts.headers {
        let Ok(value) = value.to_str() else {
            return Err(Failure::new(
                500,
                "internal_error",
                "handler answered a non-ascii header",
            ));
        };
        headers
            .append(name.as_str(), value)
            .map_err(|_| Failure::new(500, "internal_error", "handler answered a bad header"))?;
    }
    web_response(status, &headers, body).map_err(|_| INTERNAL)
}

fn stub_failure(binding: &'static str) -> Failure {
    match binding {
        USERS_BINDING => Failure::new(
            500,
            "binding_missing",
            "durable object binding USERS is not configured",
        ),
        _ => Failure::new(
            500,
            "binding_missing",
            "durable object binding EMULATOR is not configured",
        ),
    }
}

/// The same request with `redirect: "manual"`: a binding's `fetch` must hand a 3xx back to the
/// client, not follow it (into the same object) itself.
fn manual_redirects(req: &web_sys::Request) -> Result<web_sys::Request, Failure> {
    let init = web_sys::RequestInit::new();
    js_sys::Reflect::set(
        &init,
        &JsValue::from_str("redirect"),
        &JsValue::from_str("manual"),
    )
    .map_err(|_| INTERNAL)?;
    web_sys::Request::new_with_request_and_init(req, &init).map_err(|_| INTERNAL)
}

/// The `env` binding `name`, when it is set.
fn binding(env: &Env, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(env, &JsValue::from_str(name))
        .ok()
        .filter(|v| v.is_object())
}

/// The stub of the Durable Object `name` in namespace `binding`, as its raw JS object.
fn stub(env: &Env, ns: &'static str, name: &str) -> Result<JsStub, Failure> {
    binding(env, ns)
        .map(JsCast::unchecked_into::<DurableObjectNamespace>)
        .and_then(|ns| ns.get_by_name(name).ok())
        .ok_or_else(|| stub_failure(ns))
}

/// `stub.fetch(request)` on the raw objects: no workers-rs `Request`/`Response` wrappers (which
/// read `request.cf` and rebuild the response once more on the way out).
async fn stub_fetch(stub: &JsStub, req: &web_sys::Request) -> Result<web_sys::Response, JsValue> {
    JsFuture::from(stub.fetch_with_request(req)?)
        .await?
        .dyn_into()
}

/// The Worker's `fetch` handler (worker-build's shim calls this export), on the raw `web_sys`
/// request and response: no workers-rs `Request`/`Response`/`Error` (which would read
/// `request.cf`, rebuild a forwarded response once more, and link their conversions).
#[wasm_bindgen]
pub async fn fetch(
    req: web_sys::Request,
    env: Env,
    _ctx: JsValue,
) -> Result<web_sys::Response, JsValue> {
    match front(&req, &env).await {
        Ok(res) => Ok(res),
        #[cfg(feature = "emulator")]
        Err(Outcome::Drop) => {
            Err(js_sys::Error::new("connection dropped (emulator fault injection)").into())
        }
        Err(Outcome::Fail(f)) => f.into_response(&request_id(&req)),
    }
}

enum Outcome {
    Fail(Failure),
    /// The emulator asked to drop the connection: the handler throws.
    #[cfg(feature = "emulator")]
    Drop,
}

impl From<Failure> for Outcome {
    fn from(f: Failure) -> Self {
        Outcome::Fail(f)
    }
}

async fn front(req: &web_sys::Request, env: &Env) -> Result<web_sys::Response, Outcome> {
    let config = read_config(env)?;
    let uri = request_uri(req)?;
    match face(uri.path(), config.emulator_mode) {
        Face::Asset => {
            let assets = binding(env, ASSETS_BINDING)
                .map(JsCast::unchecked_into::<worker::worker_sys::Fetcher>)
                .ok_or(Failure::new(
                    500,
                    "binding_missing",
                    "assets binding ASSETS is not configured",
                ))?;
            let call = async {
                JsFuture::from(
                    assets
                        .fetch(&manual_redirects(req)?)
                        .map_err(|_| INTERNAL)?,
                )
                .await
                .and_then(JsCast::dyn_into::<web_sys::Response>)
                .map_err(|_| Failure::new(502, "assets_unavailable", "static assets failed"))
            };
            Ok(call.await?)
        }
        #[cfg(feature = "emulator")]
        Face::Emulator => {
            let res = stub_fetch(
                &stub(env, EMULATOR_BINDING, EMULATOR_OBJECT_NAME)?,
                &manual_redirects(req)?,
            )
            .await
            .map_err(|_| Failure::new(502, "emulator_unavailable", "the emulator failed"))?;
            let dropped = res
                .headers()
                .get(DROP_CONNECTION_HEADER)
                .ok()
                .flatten()
                .is_some_and(|v| v.eq_ignore_ascii_case("drop"));
            if dropped {
                return Err(Outcome::Drop);
            }
            Ok(res)
        }
        // A production build has no emulator face (`read_config` refuses emulator mode).
        #[cfg(not(feature = "emulator"))]
        Face::Emulator => Err(INTERNAL.into()),
        Face::Gateway => {
            let rt = runtime()?;
            let request = to_http_request(req, uri).await?;
            let mut gateway = Gateway::new(config);
            if gateway.config.jwt.is_some() {
                gateway = gateway.with_signature_verifier(WebCryptoVerifier);
            }
            match gateway.front(request, &rt).await {
                Dispatch::Respond(res) => Ok(to_web_response(res)?),
                Dispatch::User { user_key, request } => {
                    let web = to_web_request(&request, None, true).map_err(|_| INTERNAL)?;
                    Ok(stub_fetch(&stub(env, USERS_BINDING, &user_key)?, &web)
                        .await
                        .map_err(|_| {
                            Failure::new(502, "user_object_unavailable", "the user object failed")
                        })?)
                }
            }
        }
    }
}

/// A [`Store`] over a Durable Object's storage (string values under string keys), on the raw
/// `DurableObjectStorage` (workers-rs' `Storage` wraps single-key reads in arrays and serialises
/// list options through serde_wasm_bindgen).
pub struct DoStore {
    storage: Option<DurableObjectStorage>,
    volatile: Volatile,
}

/// The object's in-memory values for [`VOLATILE_PREFIX`] keys (lost when the object is evicted).
pub type Volatile = Rc<RefCell<Vec<(String, String)>>>;

impl DoStore {
    /// The store over `storage` (`None`: every durable operation fails), with the object's
    /// in-memory volatile values.
    pub fn new(storage: Option<&DurableObjectStorage>, volatile: &Volatile) -> Self {
        Self {
            storage: storage.map(|s| JsValue::clone(s).unchecked_into()),
            volatile: Rc::clone(volatile),
        }
    }

    /// Runs one storage operation to its promise's value.
    async fn call(
        &self,
        op: &'static str,
        f: impl FnOnce(&DurableObjectStorage) -> Result<Promise, JsValue>,
    ) -> Result<JsValue, Error> {
        let promise = self
            .storage
            .as_ref()
            .ok_or_else(|| storage_error(op))
            .and_then(|s| f(s).map_err(|_| storage_error(op)))?;
        JsFuture::from(promise).await.map_err(|_| storage_error(op))
    }

    fn volatile_get(&self, key: &str) -> Option<String> {
        let v = self.volatile.borrow();
        v.iter().find(|(k, _)| k == key).map(|(_, x)| x.clone())
    }
}

fn storage_error(op: &str) -> Error {
    Error::Storage(format!("durable object storage {op} failed"))
}

impl Store for DoStore {
    // `get`/`put` move JS strings directly (as `list` does): workers-rs' typed `get::<String>`
    // and `put` go through serde_wasm_bindgen, which links serde's error text and with it
    // core's float formatter.
    async fn get(&self, key: &str) -> Result<Option<String>, Error> {
        if key.starts_with(VOLATILE_PREFIX) {
            return Ok(self.volatile_get(key));
        }
        let found = self.call("get", |s| s.get(key)).await?;
        if found.is_undefined() {
            Ok(None)
        } else {
            found
                .as_string()
                .map(Some)
                .ok_or_else(|| storage_error("get"))
        }
    }

    async fn put(&self, key: &str, value: String) -> Result<(), Error> {
        if key.starts_with(VOLATILE_PREFIX) {
            let mut v = self.volatile.borrow_mut();
            match v.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value,
                None => v.push((key.to_owned(), value)),
            }
            return Ok(());
        }
        self.call("put", |s| s.put(key, JsValue::from_str(&value)))
            .await
            .map(|_| ())
    }

    async fn delete(&self, key: &str) -> Result<bool, Error> {
        if key.starts_with(VOLATILE_PREFIX) {
            let mut v = self.volatile.borrow_mut();
            let before = v.len();
            v.retain(|(k, _)| k != key);
            return Ok(v.len() != before);
        }
        self.call("delete", |s| s.delete(key))
            .await?
            .as_bool()
            .ok_or_else(|| storage_error("delete"))
    }

    async fn list(&self, prefix: &str) -> Result<Vec<(String, String)>, Error> {
        let options = js_sys::Object::new();
        js_sys::Reflect::set(
            &options,
            &JsValue::from_str("prefix"),
            &JsValue::from_str(prefix),
        )
        .map_err(|_| storage_error("list"))?;
        let map: js_sys::Map = self
            .call("list", |s| s.list_with_options(options))
            .await?
            .dyn_into()
            .map_err(|_| storage_error("list"))?;
        let mut out = Vec::with_capacity(map.size() as usize);
        let mut bad = false;
        map.for_each(
            &mut |value, key| match (key.as_string(), value.as_string()) {
                (Some(k), Some(v)) => out.push((k, v)),
                _ => bad = true,
            },
        );
        if bad {
            return Err(storage_error("list"));
        }
        // Durable Object storage lists in ascending UTF-8 byte order of the keys, which is
        // `String`'s order: the `Store` contract holds without a sort (and its code) here.
        Ok(out)
    }
}

/// The upstream of a user object: the Composio API over the global `fetch`, or the emulator's
/// Durable Object (emulator mode; a stub call, not a network subrequest).
#[cfg(feature = "emulator")]
enum Upstream {
    Fetch(FetchTransport),
    Emulator(Env),
}

#[cfg(feature = "emulator")]
impl Transport for Upstream {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        match self {
            Upstream::Fetch(t) => t.send(request).await,
            Upstream::Emulator(env) => send_to_emulator(env, request).await,
        }
    }
}

#[cfg(feature = "emulator")]
fn connect_error(message: &str) -> Error {
    transport_error(TransportErrorKind::Connect, message)
}

#[cfg(feature = "emulator")]
async fn send_to_emulator(env: &Env, request: HttpRequest) -> Result<HttpResponse, Error> {
    let timeout_ms = request.extensions().get::<Timeout>().map(|t| t.0);
    let stub = stub(env, EMULATOR_BINDING, EMULATOR_OBJECT_NAME)
        .map_err(|_| connect_error("emulator binding is not configured"))?;
    let web = to_web_request(&request, None, true)
        .map_err(|_| connect_error("request could not be built"))?;
    let call = async {
        let res = stub_fetch(&stub, &web)
            .await
            .map_err(|_| connect_error("emulator unreachable"))?;
        response_from_web(res).await
    };
    let res = match timeout_ms {
        Some(ms) => match select(call, sleep(ms)).await {
            Either::Left(r) => r?,
            Either::Right(()) => {
                return Err(transport_error(
                    TransportErrorKind::Timeout,
                    format!("request timed out after {ms} ms"),
                ))
            }
        },
        None => call.await?,
    };
    if wants_drop(res.headers()) {
        return Err(connect_error("connection dropped"));
    }
    Ok(res)
}

pub use objects::{EmulatorObject, UserObject};

/// The Durable Object classes, exported with wasm-bindgen as workerd expects them: a
/// constructor `(state, env)` and an async `fetch(request)`.
mod objects {
    use super::*;

    /// The per-user Durable Object: runs [`Gateway::user`] with this object's storage.
    #[wasm_bindgen]
    pub struct UserObject {
        storage: Option<DurableObjectStorage>,
        env: Env,
        volatile: Volatile,
    }

    #[wasm_bindgen]
    impl UserObject {
        /// Called by workerd when the object starts.
        #[wasm_bindgen(constructor)]
        pub fn new(state: DurableObjectState, env: Env) -> Self {
            Self {
                storage: state.storage().ok(),
                env,
                volatile: Volatile::default(),
            }
        }

        /// Handles one request forwarded by the front Worker.
        pub async fn fetch(&self, req: web_sys::Request) -> Result<web_sys::Response, JsValue> {
            match self.handle(&req).await {
                Ok(res) => Ok(res),
                Err(f) => f.into_response(&request_id(&req)),
            }
        }
    }

    impl UserObject {
        async fn handle(&self, req: &web_sys::Request) -> Result<web_sys::Response, Failure> {
            let config = read_config(&self.env)?;
            let rt = runtime()?;
            let request = to_http_request(req, request_uri(req)?).await?;
            #[cfg(feature = "emulator")]
            let upstream = if config.emulator_mode {
                Upstream::Emulator(self.env.clone())
            } else {
                Upstream::Fetch(FetchTransport::new())
            };
            // A production build serves only with a key (`read_config` refuses emulator mode).
            #[cfg(not(feature = "emulator"))]
            let upstream = FetchTransport::new();
            let store = DoStore::new(self.storage.as_ref(), &self.volatile);
            let res = Gateway::new(config)
                .user(request, &store, &upstream, &rt)
                .await;
            to_web_response(res)
        }
    }

    /// The emulator's Durable Object (one instance, `"default"`): runs [`Emulator::handle`] with
    /// this object's storage. A fault-injection drop travels back as the response header; the caller
    /// turns it into a dropped connection.
    #[wasm_bindgen]
    pub struct EmulatorObject {
        storage: Option<DurableObjectStorage>,
        volatile: Volatile,
    }

    #[wasm_bindgen]
    impl EmulatorObject {
        /// Called by workerd when the object starts.
        #[wasm_bindgen(constructor)]
        pub fn new(state: DurableObjectState, _env: Env) -> Self {
            Self {
                storage: state.storage().ok(),
                volatile: Volatile::default(),
            }
        }

        /// Handles one request forwarded by the front Worker.
        pub async fn fetch(&self, req: web_sys::Request) -> Result<web_sys::Response, JsValue> {
            match self.handle(&req).await {
                Ok(res) => Ok(res),
                Err(f) => f.into_response(&request_id(&req)),
            }
        }
    }

    impl EmulatorObject {
        async fn handle(&self, req: &web_sys::Request) -> Result<web_sys::Response, Failure> {
            #[cfg(feature = "emulator")]
            {
                let rt = runtime()?;
                let request = to_http_request(req, request_uri(req)?).await?;
                let store = DoStore::new(self.storage.as_ref(), &self.volatile);
                let res = Emulator::new().handle(request, &store, &rt).await;
                to_web_response(res)
            }
            #[cfg(not(feature = "emulator"))]
            {
                let _ = (req, &self.storage, &self.volatile);
                Err(Failure::new(
                    404,
                    "emulator_not_built",
                    "this build has no embedded emulator",
                ))
            }
        }
    }
}

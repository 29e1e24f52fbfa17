//! A [`Transport`] over the global `fetch`, shared by the Worker and the browser package.
//!
//! `fetch` is bound on the global scope (not on `window`), so the same code runs in the Workers
//! runtime, a page, a dedicated Web Worker and Node. The [`Timeout`] extension becomes an
//! `AbortSignal`; failures map to [`Error::Transport`] with kind `Connect`, `Timeout` or `Aborted`.

use std::future::Future;

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::error::{Error, TransportErrorKind};
use crate::http;
use crate::transport::{transport_error, HttpRequest, HttpResponse, Timeout, Transport};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(input: &web_sys::Request) -> Result<Promise, JsValue>;

    #[wasm_bindgen(js_namespace = AbortSignal, js_name = timeout, catch)]
    fn abort_signal_timeout(ms: f64) -> Result<web_sys::AbortSignal, JsValue>;
}

/// The global-`fetch` transport.
///
/// One request per [`Transport::send`]; it never retries (the client does). The whole exchange,
/// body included, is bounded by the request's [`Timeout`] extension when it has one.
#[derive(Clone, Copy, Debug, Default)]
pub struct FetchTransport {
    _private: (),
}

impl FetchTransport {
    /// A transport over the global `fetch`.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Transport for FetchTransport {
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, Error>> {
        send(request)
    }
}

async fn send(request: HttpRequest) -> Result<HttpResponse, Error> {
    let timeout_ms = request.extensions().get::<Timeout>().map(|t| t.0);
    let signal = match timeout_ms {
        Some(ms) => abort_signal_timeout(ms as f64).ok(),
        None => None,
    };
    let web_req = to_web_request(&request, signal.as_ref(), false)?;
    let promise = global_fetch(&web_req).map_err(|e| failure(&e, timeout_ms))?;
    let response = match (timeout_ms, &signal) {
        // `AbortSignal.timeout` is missing (very old runtimes): race the fetch against a timer.
        (Some(ms), None) => {
            match select(
                JsFuture::from(promise),
                crate::platform::js_runtime::sleep(ms),
            )
            .await
            {
                Either::Left(r) => r,
                Either::Right(()) => {
                    return Err(transport_error(
                        TransportErrorKind::Timeout,
                        format!("request timed out after {ms} ms"),
                    ))
                }
            }
        }
        _ => JsFuture::from(promise).await,
    }
    .map_err(|e| failure(&e, timeout_ms))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| transport_error(TransportErrorKind::Connect, "fetch returned no response"))?;
    read_response(response, timeout_ms).await
}

/// Maps a rejected `fetch` (or body read) to a transport error. Never echoes the URL.
fn failure(e: &JsValue, timeout_ms: Option<u64>) -> Error {
    let name = js_sys::Reflect::get(e, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "TimeoutError" => transport_error(
            TransportErrorKind::Timeout,
            format!("request timed out after {} ms", timeout_ms.unwrap_or(0)),
        ),
        "AbortError" => transport_error(TransportErrorKind::Aborted, "request aborted"),
        _ => transport_error(TransportErrorKind::Connect, "connection failed"),
    }
}

/// Builds a `web_sys::Request` from an `http` request (method, absolute URL, headers, body).
///
/// `manual_redirects` sets `redirect: "manual"`, so a 3xx comes back as it is. The Worker needs
/// it for Durable Object stubs, whose `fetch` would otherwise follow a redirect *into the same
/// object*; the browser keeps the default, as `manual` there yields an opaque response.
pub(crate) fn to_web_request(
    request: &HttpRequest,
    signal: Option<&web_sys::AbortSignal>,
    manual_redirects: bool,
) -> Result<web_sys::Request, Error> {
    let headers = web_sys::Headers::new().map_err(|_| invalid("could not create headers"))?;
    for (name, value) in request.headers() {
        // Not `to_str` (visible ASCII only): incoming values are JS ByteStrings, so a client's
        // Latin-1 header (say an `Idempotency-Key` with an `é`) arrives as UTF-8 and must reach
        // the user object, whose routes refuse it with a typed 400, not fail here with a 500.
        let value = std::str::from_utf8(value.as_bytes())
            .map_err(|_| invalid("header value is not text"))?;
        headers
            .append(name.as_str(), value)
            .map_err(|_| invalid("header rejected by fetch"))?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(request.method().as_str());
    init.set_headers(&headers);
    if !request.body().is_empty() {
        let body = Uint8Array::from(request.body().as_slice());
        init.set_body(&body);
    }
    if let Some(signal) = signal {
        init.set_signal(Some(signal));
    }
    if manual_redirects {
        js_sys::Reflect::set(
            &init,
            &JsValue::from_str("redirect"),
            &JsValue::from_str("manual"),
        )
        .map_err(|_| invalid("could not set the redirect mode"))?;
    }
    let uri = request.uri().to_string();
    web_sys::Request::new_with_str_and_init(&uri, &init)
        .map_err(|_| invalid("request rejected by fetch (relative or malformed url?)"))
}

fn invalid(message: &str) -> Error {
    Error::InvalidRequest(message.to_owned())
}

/// Copies a `web_sys::Headers` into a [`HeaderMap`](crate::http::HeaderMap), dropping invalid pairs.
///
/// Three calls into JS for the whole set (`Array.from(headers).flat(1).join("\n")`), not a few
/// per header: names are tokens and fetch refuses CR, LF and NUL in values, so `\n` separates
/// names and values unambiguously.
pub(crate) fn headers_from_web(headers: &web_sys::Headers) -> http::HeaderMap {
    let text = String::from(js_sys::Array::from(headers).flat(1).join("\n"));
    let mut out = http::HeaderMap::new();
    let mut parts = text.split('\n');
    while let (Some(name), Some(value)) = (parts.next(), parts.next()) {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            out.append(name, value);
        }
    }
    out
}

/// Reads a `web_sys::Response` (status, headers, whole body) into an [`HttpResponse`].
#[cfg_attr(not(all(feature = "worker", feature = "emulator")), allow(dead_code))]
pub(crate) async fn response_from_web(response: web_sys::Response) -> Result<HttpResponse, Error> {
    read_response(response, None).await
}

async fn read_response(
    response: web_sys::Response,
    timeout_ms: Option<u64>,
) -> Result<HttpResponse, Error> {
    let status = http::StatusCode::from_u16(response.status())
        .map_err(|_| transport_error(TransportErrorKind::Connect, "invalid response status"))?;
    let headers = headers_from_web(&response.headers());
    let body = read_body(response.array_buffer())
        .await
        .map_err(|e| failure(&e, timeout_ms))?;
    let mut out = http::Response::new(body);
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    Ok(out)
}

/// Awaits an `arrayBuffer()` call into bytes (none when the call itself threw).
pub(crate) async fn read_body(array_buffer: Result<Promise, JsValue>) -> Result<Vec<u8>, JsValue> {
    match array_buffer {
        Ok(promise) => JsFuture::from(promise)
            .await
            .map(|buf| Uint8Array::new(&buf).to_vec()),
        Err(_) => Ok(Vec::new()),
    }
}

pub(crate) enum Either<A, B> {
    Left(A),
    Right(B),
}

/// Polls two futures and returns the first to finish.
pub(crate) async fn select<A: Future, B: Future>(a: A, b: B) -> Either<A::Output, B::Output> {
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    std::future::poll_fn(|cx| {
        if let std::task::Poll::Ready(v) = a.as_mut().poll(cx) {
            return std::task::Poll::Ready(Either::Left(v));
        }
        if let std::task::Poll::Ready(v) = b.as_mut().poll(cx) {
            return std::task::Poll::Ready(Either::Right(v));
        }
        std::task::Poll::Pending
    })
    .await
}

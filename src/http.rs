//! The HTTP vocabulary of the crate: requests, responses, headers, methods, status codes and
//! URIs, in place of the `http` crate.
//!
//! The names and signatures mirror the subset of `http` 1.x the crate uses (so code written
//! against `http` mostly changes its `use` line only), with a much smaller implementation: a
//! [`HeaderMap`] is a `Vec` of (lowercase name, value) pairs, a [`Uri`] is its normalised text
//! plus offsets, and the only request extension is the transport [`Timeout`].
//! Parsing follows `http` 1.x: the same URI grammar, header-name tokens and header-value bytes.
//! Nothing here panics: where `http` panics (`from_static` with an invalid value, indexing a
//! [`HeaderMap`] by a missing name) this module stays lenient instead.
//!
//! ```
//! use composio_edge::http::{Method, Request, StatusCode};
//! let req = Request::post("https://api.example/v1/x?y=1")
//!     .header("Content-Type", "application/json")
//!     .body(b"{}".to_vec())
//!     .unwrap();
//! assert_eq!(req.method(), Method::POST);
//! assert_eq!((req.uri().path(), req.uri().query()), ("/v1/x", Some("y=1")));
//! assert_eq!(req.headers()["content-type"], "application/json");
//! assert!(StatusCode::from_u16(204).unwrap().is_success());
//! ```

use std::any::Any;
use std::borrow::Cow;
use std::fmt;

use crate::transport::Timeout;

/// An invalid method, URI, header name, header value or status code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error(&'static str);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Error {}

impl From<std::convert::Infallible> for Error {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

/// The `Result` of this module.
pub type Result<T> = std::result::Result<T, Error>;

/// A header value is not visible ASCII ([`HeaderValue::to_str`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ToStrError;

impl fmt::Display for ToStrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("header value is not visible ascii")
    }
}

impl std::error::Error for ToStrError {}

// ---------------------------------------------------------------------------------------------
// Method

/// An HTTP method: the standard ones, or an extension token (case-sensitive, as in `http`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Method(Verb);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Verb {
    Options,
    Get,
    Post,
    Put,
    Delete,
    Head,
    Trace,
    Connect,
    Patch,
    Other(Box<str>),
}

impl Method {
    /// `GET`
    pub const GET: Method = Method(Verb::Get);
    /// `POST`
    pub const POST: Method = Method(Verb::Post);
    /// `PUT`
    pub const PUT: Method = Method(Verb::Put);
    /// `DELETE`
    pub const DELETE: Method = Method(Verb::Delete);
    /// `HEAD`
    pub const HEAD: Method = Method(Verb::Head);
    /// `OPTIONS`
    pub const OPTIONS: Method = Method(Verb::Options);
    /// `CONNECT`
    pub const CONNECT: Method = Method(Verb::Connect);
    /// `PATCH`
    pub const PATCH: Method = Method(Verb::Patch);
    /// `TRACE`
    pub const TRACE: Method = Method(Verb::Trace);

    /// Parses a method: a standard name (exact case) or any other non-empty token.
    pub fn from_bytes(src: &[u8]) -> Result<Method> {
        Ok(Method(match src {
            b"GET" => Verb::Get,
            b"POST" => Verb::Post,
            b"PUT" => Verb::Put,
            b"DELETE" => Verb::Delete,
            b"HEAD" => Verb::Head,
            b"OPTIONS" => Verb::Options,
            b"CONNECT" => Verb::Connect,
            b"PATCH" => Verb::Patch,
            b"TRACE" => Verb::Trace,
            _ => {
                let text = std::str::from_utf8(src).map_err(|_| Error("invalid http method"))?;
                if text.is_empty() || !text.bytes().all(is_tchar) {
                    return Err(Error("invalid http method"));
                }
                Verb::Other(text.into())
            }
        }))
    }

    /// The method's name.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Verb::Options => "OPTIONS",
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Put => "PUT",
            Verb::Delete => "DELETE",
            Verb::Head => "HEAD",
            Verb::Trace => "TRACE",
            Verb::Connect => "CONNECT",
            Verb::Patch => "PATCH",
            Verb::Other(s) => s,
        }
    }
}

impl Default for Method {
    fn default() -> Self {
        Method::GET
    }
}

impl AsRef<str> for Method {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'a> PartialEq<&'a Method> for Method {
    fn eq(&self, other: &&'a Method) -> bool {
        self == *other
    }
}

impl PartialEq<Method> for &Method {
    fn eq(&self, other: &Method) -> bool {
        *self == other
    }
}

impl PartialEq<str> for Method {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Method {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl From<&Method> for Method {
    fn from(m: &Method) -> Self {
        m.clone()
    }
}

impl TryFrom<&str> for Method {
    type Error = Error;
    fn try_from(s: &str) -> Result<Self> {
        Method::from_bytes(s.as_bytes())
    }
}

impl TryFrom<&[u8]> for Method {
    type Error = Error;
    fn try_from(s: &[u8]) -> Result<Self> {
        Method::from_bytes(s)
    }
}

impl std::str::FromStr for Method {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Method::from_bytes(s.as_bytes())
    }
}

// ---------------------------------------------------------------------------------------------
// StatusCode

/// An HTTP status code (`100..=999`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StatusCode(u16);

macro_rules! statuses {
    ($($code:literal $name:ident $reason:literal;)*) => {
        impl StatusCode {
            $(
                #[doc = concat!("`", $code, " ", $reason, "`")]
                pub const $name: StatusCode = StatusCode($code);
            )*
        }

        /// (code, reason phrase), searched linearly: smaller in wasm than a `match`, which
        /// becomes a jump table over `100..=511`.
        const REASONS: &[(u16, &str)] = &[$(($code, $reason)),*];
    };
}

statuses! {
    100 CONTINUE "Continue";
    101 SWITCHING_PROTOCOLS "Switching Protocols";
    102 PROCESSING "Processing";
    103 EARLY_HINTS "Early Hints";
    200 OK "OK";
    201 CREATED "Created";
    202 ACCEPTED "Accepted";
    203 NON_AUTHORITATIVE_INFORMATION "Non Authoritative Information";
    204 NO_CONTENT "No Content";
    205 RESET_CONTENT "Reset Content";
    206 PARTIAL_CONTENT "Partial Content";
    207 MULTI_STATUS "Multi-Status";
    208 ALREADY_REPORTED "Already Reported";
    226 IM_USED "IM Used";
    300 MULTIPLE_CHOICES "Multiple Choices";
    301 MOVED_PERMANENTLY "Moved Permanently";
    302 FOUND "Found";
    303 SEE_OTHER "See Other";
    304 NOT_MODIFIED "Not Modified";
    305 USE_PROXY "Use Proxy";
    307 TEMPORARY_REDIRECT "Temporary Redirect";
    308 PERMANENT_REDIRECT "Permanent Redirect";
    400 BAD_REQUEST "Bad Request";
    401 UNAUTHORIZED "Unauthorized";
    402 PAYMENT_REQUIRED "Payment Required";
    403 FORBIDDEN "Forbidden";
    404 NOT_FOUND "Not Found";
    405 METHOD_NOT_ALLOWED "Method Not Allowed";
    406 NOT_ACCEPTABLE "Not Acceptable";
    407 PROXY_AUTHENTICATION_REQUIRED "Proxy Authentication Required";
    408 REQUEST_TIMEOUT "Request Timeout";
    409 CONFLICT "Conflict";
    410 GONE "Gone";
    411 LENGTH_REQUIRED "Length Required";
    412 PRECONDITION_FAILED "Precondition Failed";
    413 PAYLOAD_TOO_LARGE "Payload Too Large";
    414 URI_TOO_LONG "URI Too Long";
    415 UNSUPPORTED_MEDIA_TYPE "Unsupported Media Type";
    416 RANGE_NOT_SATISFIABLE "Range Not Satisfiable";
    417 EXPECTATION_FAILED "Expectation Failed";
    418 IM_A_TEAPOT "I'm a teapot";
    421 MISDIRECTED_REQUEST "Misdirected Request";
    422 UNPROCESSABLE_ENTITY "Unprocessable Entity";
    423 LOCKED "Locked";
    424 FAILED_DEPENDENCY "Failed Dependency";
    425 TOO_EARLY "Too Early";
    426 UPGRADE_REQUIRED "Upgrade Required";
    428 PRECONDITION_REQUIRED "Precondition Required";
    429 TOO_MANY_REQUESTS "Too Many Requests";
    431 REQUEST_HEADER_FIELDS_TOO_LARGE "Request Header Fields Too Large";
    451 UNAVAILABLE_FOR_LEGAL_REASONS "Unavailable For Legal Reasons";
    500 INTERNAL_SERVER_ERROR "Internal Server Error";
    501 NOT_IMPLEMENTED "Not Implemented";
    502 BAD_GATEWAY "Bad Gateway";
    503 SERVICE_UNAVAILABLE "Service Unavailable";
    504 GATEWAY_TIMEOUT "Gateway Timeout";
    505 HTTP_VERSION_NOT_SUPPORTED "HTTP Version Not Supported";
    506 VARIANT_ALSO_NEGOTIATES "Variant Also Negotiates";
    507 INSUFFICIENT_STORAGE "Insufficient Storage";
    508 LOOP_DETECTED "Loop Detected";
    510 NOT_EXTENDED "Not Extended";
    511 NETWORK_AUTHENTICATION_REQUIRED "Network Authentication Required";
}

impl StatusCode {
    /// The status `code`, when it is within `100..=999`.
    pub fn from_u16(code: u16) -> Result<StatusCode> {
        if (100..1000).contains(&code) {
            Ok(StatusCode(code))
        } else {
            Err(Error("invalid status code"))
        }
    }

    /// The numeric code.
    pub fn as_u16(&self) -> u16 {
        self.0
    }

    /// The standard reason phrase (`"Not Found"`), when the code has one.
    pub fn canonical_reason(&self) -> Option<&'static str> {
        REASONS.iter().find(|(c, _)| *c == self.0).map(|(_, r)| *r)
    }

    /// `1xx`
    pub fn is_informational(&self) -> bool {
        (100..200).contains(&self.0)
    }

    /// `2xx`
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.0)
    }

    /// `3xx`
    pub fn is_redirection(&self) -> bool {
        (300..400).contains(&self.0)
    }

    /// `4xx`
    pub fn is_client_error(&self) -> bool {
        (400..500).contains(&self.0)
    }

    /// `5xx`
    pub fn is_server_error(&self) -> bool {
        (500..600).contains(&self.0)
    }
}

impl Default for StatusCode {
    fn default() -> Self {
        StatusCode::OK
    }
}

impl fmt::Debug for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = self.canonical_reason().unwrap_or("<unknown status code>");
        write!(f, "{} {reason}", self.0)
    }
}

impl PartialEq<u16> for StatusCode {
    fn eq(&self, other: &u16) -> bool {
        self.0 == *other
    }
}

impl PartialEq<StatusCode> for u16 {
    fn eq(&self, other: &StatusCode) -> bool {
        *self == other.0
    }
}

impl TryFrom<u16> for StatusCode {
    type Error = Error;
    fn try_from(code: u16) -> Result<Self> {
        StatusCode::from_u16(code)
    }
}

impl From<StatusCode> for u16 {
    fn from(s: StatusCode) -> u16 {
        s.0
    }
}

// ---------------------------------------------------------------------------------------------
// Headers

/// RFC 9110 `tchar`: the bytes of a token (header names, methods).
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// A header name, always lowercase.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HeaderName(Cow<'static, str>);

impl HeaderName {
    /// A header name from a lowercase token (not checked: `http` would panic on a bad one;
    /// lookups here compare ASCII-case-insensitively either way).
    pub const fn from_static(name: &'static str) -> HeaderName {
        HeaderName(Cow::Borrowed(name))
    }

    /// Parses a header name: a non-empty token, lowercased.
    pub fn from_bytes(src: &[u8]) -> Result<HeaderName> {
        if src.is_empty() || src.len() > 64 * 1024 || !src.iter().all(|&b| is_tchar(b)) {
            return Err(Error("invalid header name"));
        }
        let lower: String = src
            .iter()
            .map(|&b| char::from(b.to_ascii_lowercase()))
            .collect();
        Ok(HeaderName(Cow::Owned(lower)))
    }

    /// The name, lowercase.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for HeaderName {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq<str> for HeaderName {
    fn eq(&self, other: &str) -> bool {
        self.as_str().eq_ignore_ascii_case(other)
    }
}

impl PartialEq<&str> for HeaderName {
    fn eq(&self, other: &&str) -> bool {
        self.as_str().eq_ignore_ascii_case(other)
    }
}

impl PartialEq<HeaderName> for &str {
    fn eq(&self, other: &HeaderName) -> bool {
        other.as_str().eq_ignore_ascii_case(self)
    }
}

impl From<&HeaderName> for HeaderName {
    fn from(n: &HeaderName) -> Self {
        n.clone()
    }
}

impl TryFrom<&str> for HeaderName {
    type Error = Error;
    fn try_from(s: &str) -> Result<Self> {
        HeaderName::from_bytes(s.as_bytes())
    }
}

impl TryFrom<&String> for HeaderName {
    type Error = Error;
    fn try_from(s: &String) -> Result<Self> {
        HeaderName::from_bytes(s.as_bytes())
    }
}

impl TryFrom<String> for HeaderName {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        HeaderName::from_bytes(s.as_bytes())
    }
}

impl std::str::FromStr for HeaderName {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        HeaderName::from_bytes(s.as_bytes())
    }
}

/// A header value: bytes that are visible ASCII, space, tab or obs-text (`0x80..=0xff`), as
/// `http` accepts them.
#[derive(Clone, Eq)]
pub struct HeaderValue {
    bytes: Cow<'static, [u8]>,
    sensitive: bool,
}

/// What `headers[name]` gives for a missing name (instead of a panic).
static EMPTY_VALUE: HeaderValue = HeaderValue::from_static("");

fn is_value_byte(b: u8) -> bool {
    (b >= 32 && b != 127) || b == b'\t'
}

impl HeaderValue {
    /// A header value from a static string (not checked: `http` would panic on a bad one).
    pub const fn from_static(value: &'static str) -> HeaderValue {
        HeaderValue {
            bytes: Cow::Borrowed(value.as_bytes()),
            sensitive: false,
        }
    }

    /// A header value from text; control characters other than tab are refused.
    #[allow(clippy::should_implement_trait)] // `http`'s name; `FromStr` is implemented too
    pub fn from_str(value: &str) -> Result<HeaderValue> {
        HeaderValue::from_bytes(value.as_bytes())
    }

    /// A header value from bytes; control characters other than tab are refused.
    pub fn from_bytes(value: &[u8]) -> Result<HeaderValue> {
        if !value.iter().all(|&b| is_value_byte(b)) {
            return Err(Error("invalid header value"));
        }
        Ok(HeaderValue {
            bytes: Cow::Owned(value.to_vec()),
            sensitive: false,
        })
    }

    fn from_string(value: String) -> Result<HeaderValue> {
        if !value.bytes().all(is_value_byte) {
            return Err(Error("invalid header value"));
        }
        Ok(HeaderValue {
            bytes: Cow::Owned(value.into_bytes()),
            sensitive: false,
        })
    }

    /// The value as text when it is visible ASCII (space and tab included).
    pub fn to_str(&self) -> std::result::Result<&str, ToStrError> {
        if !self
            .bytes
            .iter()
            .all(|&b| (32..127).contains(&b) || b == b'\t')
        {
            return Err(ToStrError);
        }
        std::str::from_utf8(&self.bytes).map_err(|_| ToStrError)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Marks the value as secret: its `Debug` output becomes `Sensitive`.
    pub fn set_sensitive(&mut self, sensitive: bool) {
        self.sensitive = sensitive;
    }

    /// Whether the value is marked secret.
    pub fn is_sensitive(&self) -> bool {
        self.sensitive
    }
}

impl fmt::Debug for HeaderValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.sensitive {
            f.write_str("Sensitive")
        } else {
            fmt::Debug::fmt(&String::from_utf8_lossy(&self.bytes), f)
        }
    }
}

impl PartialEq for HeaderValue {
    fn eq(&self, other: &HeaderValue) -> bool {
        self.bytes == other.bytes
    }
}

impl std::hash::Hash for HeaderValue {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.bytes.hash(state);
    }
}

impl PartialEq<str> for HeaderValue {
    fn eq(&self, other: &str) -> bool {
        *self.bytes == *other.as_bytes()
    }
}

impl PartialEq<&str> for HeaderValue {
    fn eq(&self, other: &&str) -> bool {
        *self.bytes == *other.as_bytes()
    }
}

impl PartialEq<[u8]> for HeaderValue {
    fn eq(&self, other: &[u8]) -> bool {
        *self.bytes == *other
    }
}

impl PartialEq<String> for HeaderValue {
    fn eq(&self, other: &String) -> bool {
        *self.bytes == *other.as_bytes()
    }
}

impl PartialEq<HeaderValue> for &str {
    fn eq(&self, other: &HeaderValue) -> bool {
        other == self
    }
}

impl PartialEq<HeaderValue> for str {
    fn eq(&self, other: &HeaderValue) -> bool {
        other == self
    }
}

impl From<&HeaderValue> for HeaderValue {
    fn from(v: &HeaderValue) -> Self {
        v.clone()
    }
}

impl TryFrom<&str> for HeaderValue {
    type Error = Error;
    fn try_from(s: &str) -> Result<Self> {
        HeaderValue::from_str(s)
    }
}

impl TryFrom<&String> for HeaderValue {
    type Error = Error;
    fn try_from(s: &String) -> Result<Self> {
        HeaderValue::from_str(s)
    }
}

impl TryFrom<String> for HeaderValue {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        HeaderValue::from_string(s)
    }
}

impl TryFrom<&[u8]> for HeaderValue {
    type Error = Error;
    fn try_from(s: &[u8]) -> Result<Self> {
        HeaderValue::from_bytes(s)
    }
}

impl std::str::FromStr for HeaderValue {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        HeaderValue::from_str(s)
    }
}

/// A header name to look up: `&str` (any case), `String`, or a [`HeaderName`].
pub trait AsHeaderName {
    /// The name to compare (ASCII-case-insensitively).
    fn header_name(&self) -> &str;
}

impl AsHeaderName for &str {
    fn header_name(&self) -> &str {
        self
    }
}

impl AsHeaderName for String {
    fn header_name(&self) -> &str {
        self
    }
}

impl AsHeaderName for &String {
    fn header_name(&self) -> &str {
        self
    }
}

impl AsHeaderName for HeaderName {
    fn header_name(&self) -> &str {
        self.as_str()
    }
}

impl AsHeaderName for &HeaderName {
    fn header_name(&self) -> &str {
        self.as_str()
    }
}

/// A header name to store: a [`HeaderName`] or a static lowercase token.
pub trait IntoHeaderName {
    /// The name.
    fn into_header_name(self) -> HeaderName;
}

impl IntoHeaderName for HeaderName {
    fn into_header_name(self) -> HeaderName {
        self
    }
}

impl IntoHeaderName for &HeaderName {
    fn into_header_name(self) -> HeaderName {
        self.clone()
    }
}

impl IntoHeaderName for &'static str {
    fn into_header_name(self) -> HeaderName {
        if self.bytes().any(|b| b.is_ascii_uppercase()) {
            HeaderName(Cow::Owned(self.to_ascii_lowercase()))
        } else {
            HeaderName(Cow::Borrowed(self))
        }
    }
}

/// Request or response headers: (lowercase name, value) pairs, the values of one name kept
/// together in insertion order (as `http`'s `HeaderMap` iterates them).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct HeaderMap {
    entries: Vec<(HeaderName, HeaderValue)>,
}

impl HeaderMap {
    /// No headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Room for `n` values.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            entries: Vec::with_capacity(n),
        }
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
    }

    /// The first value of `key`.
    pub fn get<K: AsHeaderName>(&self, key: K) -> Option<&HeaderValue> {
        self.position(key.header_name())
            .and_then(|i| self.entries.get(i))
            .map(|(_, v)| v)
    }

    /// Every value of `key`, in order.
    pub fn get_all<K: AsHeaderName>(&self, key: K) -> GetAll<'_> {
        let name = key.header_name();
        GetAll(
            self.entries
                .iter()
                .filter(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
                .collect(),
        )
    }

    /// Whether `key` has a value.
    pub fn contains_key<K: AsHeaderName>(&self, key: K) -> bool {
        self.position(key.header_name()).is_some()
    }

    /// Sets `key` to `value` alone (in place of its first value); returns the previous first
    /// value.
    pub fn insert<K: IntoHeaderName>(&mut self, key: K, value: HeaderValue) -> Option<HeaderValue> {
        self.insert_name(key.into_header_name(), value)
    }

    fn insert_name(&mut self, name: HeaderName, value: HeaderValue) -> Option<HeaderValue> {
        let Some(i) = self.position(name.as_str()) else {
            self.entries.push((name, value));
            return None;
        };
        let old = self
            .entries
            .get_mut(i)
            .map(|slot| std::mem::replace(&mut slot.1, value));
        let mut j = 0;
        self.entries.retain(|(n, _)| {
            j += 1;
            j - 1 <= i || !n.as_str().eq_ignore_ascii_case(name.as_str())
        });
        old
    }

    /// Adds `value` after the values `key` already has; returns whether it had any.
    pub fn append<K: IntoHeaderName>(&mut self, key: K, value: HeaderValue) -> bool {
        self.append_name(key.into_header_name(), value)
    }

    fn append_name(&mut self, name: HeaderName, value: HeaderValue) -> bool {
        let same =
            |(n, _): &(HeaderName, HeaderValue)| n.as_str().eq_ignore_ascii_case(name.as_str());
        match self.entries.iter().rposition(same) {
            Some(i) => {
                self.entries.insert(i + 1, (name, value));
                true
            }
            None => {
                self.entries.push((name, value));
                false
            }
        }
    }

    /// Removes every value of `key`; returns the first.
    pub fn remove<K: AsHeaderName>(&mut self, key: K) -> Option<HeaderValue> {
        let name = key.header_name();
        let i = self.position(name)?;
        let first = self.entries.remove(i).1;
        self.entries
            .retain(|(n, _)| !n.as_str().eq_ignore_ascii_case(name));
        Some(first)
    }

    /// Number of values (a name with two values counts twice).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes every header.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Every (name, value) pair, the values of one name together.
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.entries.iter())
    }

    /// Each name once.
    pub fn keys(&self) -> impl Iterator<Item = &HeaderName> {
        let mut prev: Option<&HeaderName> = None;
        self.entries.iter().filter_map(move |(n, _)| {
            let fresh = prev != Some(n);
            prev = Some(n);
            fresh.then_some(n)
        })
    }

    /// Every value.
    pub fn values(&self) -> impl Iterator<Item = &HeaderValue> {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl fmt::Debug for HeaderMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: AsHeaderName> std::ops::Index<K> for HeaderMap {
    type Output = HeaderValue;
    /// The first value of `key`, or an empty value when it has none (`http` panics instead).
    fn index(&self, key: K) -> &HeaderValue {
        self.get(key).unwrap_or(&EMPTY_VALUE)
    }
}

impl<'a> IntoIterator for &'a HeaderMap {
    type Item = (&'a HeaderName, &'a HeaderValue);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<K: IntoHeaderName> Extend<(K, HeaderValue)> for HeaderMap {
    fn extend<I: IntoIterator<Item = (K, HeaderValue)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.append(k, v);
        }
    }
}

impl<K: IntoHeaderName> FromIterator<(K, HeaderValue)> for HeaderMap {
    fn from_iter<I: IntoIterator<Item = (K, HeaderValue)>>(iter: I) -> Self {
        let mut map = HeaderMap::new();
        map.extend(iter);
        map
    }
}

/// The (name, value) pairs of a [`HeaderMap`].
#[derive(Clone, Debug)]
pub struct Iter<'a>(std::slice::Iter<'a, (HeaderName, HeaderValue)>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a HeaderName, &'a HeaderValue);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(n, v)| (n, v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

/// The values of one header name ([`HeaderMap::get_all`]).
#[derive(Clone, Debug)]
pub struct GetAll<'a>(Vec<&'a HeaderValue>);

impl<'a> GetAll<'a> {
    /// The values, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a HeaderValue> + '_ {
        self.0.iter().copied()
    }
}

impl<'a> IntoIterator for GetAll<'a> {
    type Item = &'a HeaderValue;
    type IntoIter = std::vec::IntoIter<&'a HeaderValue>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Header names and the header types, as `http::header` has them.
pub mod header {
    pub use super::{AsHeaderName, GetAll, HeaderMap, HeaderName, HeaderValue, IntoHeaderName};

    macro_rules! names {
        ($($name:ident $text:literal;)*) => {
            $(
                #[doc = concat!("`", $text, "`")]
                pub const $name: HeaderName = HeaderName::from_static($text);
            )*
        };
    }

    names! {
        ACCEPT "accept";
        ALLOW "allow";
        AUTHORIZATION "authorization";
        CACHE_CONTROL "cache-control";
        CONTENT_LENGTH "content-length";
        CONTENT_TYPE "content-type";
        COOKIE "cookie";
        HOST "host";
        LOCATION "location";
        ORIGIN "origin";
        RETRY_AFTER "retry-after";
        SET_COOKIE "set-cookie";
        USER_AGENT "user-agent";
        WWW_AUTHENTICATE "www-authenticate";
    }
}

// ---------------------------------------------------------------------------------------------
// Uri

/// Longest URI accepted (as in `http`).
const MAX_URI_LEN: usize = (u16::MAX - 1) as usize;

/// A request target: absolute (`https://host:port/path?query`), origin-form (`/path?query`),
/// authority-form (`host:port`) or `*`, parsed with `http` 1.x's grammar. The fragment is
/// dropped; an absolute URI without a path gets `/`; `http`/`https` schemes are lowercased.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Uri {
    /// The normalised text (what `Display` prints).
    text: String,
    /// Length of the scheme (0: none); `://` follows it.
    scheme_len: usize,
    /// Where the authority starts and ends (equal: none).
    authority: (usize, usize),
    /// Where the path ends (at the `?` of the query, or the end).
    path_end: usize,
}

/// The authority (`user@host:port`) of a [`Uri`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Authority<'a>(&'a str);

impl<'a> Authority<'a> {
    /// The whole authority.
    pub fn as_str(&self) -> &'a str {
        self.0
    }

    /// The host (an IPv6 literal keeps its brackets).
    pub fn host(&self) -> &'a str {
        let host_port = self.0.rsplit('@').next().unwrap_or(self.0);
        if host_port.starts_with('[') {
            match host_port.find(']') {
                Some(i) => host_port.get(..=i).unwrap_or(host_port),
                None => host_port,
            }
        } else {
            host_port.split(':').next().unwrap_or(host_port)
        }
    }

    /// The port, when the text after the last `:` is one.
    pub fn port_u16(&self) -> Option<u16> {
        let i = self.0.rfind(':')?;
        self.0.get(i + 1..)?.parse().ok()
    }
}

impl fmt::Display for Authority<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Default for Uri {
    fn default() -> Self {
        Uri {
            text: "/".into(),
            scheme_len: 0,
            authority: (0, 0),
            path_end: 1,
        }
    }
}

/// `http`'s URI_CHARS minus the delimiters the authority scan stops at: bytes allowed in an
/// authority.
fn is_authority_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!$&'()*+,-.:;=@[]_~".contains(&b)
}

/// Validates the authority at the start of `s`; returns where it ends (at `/`, `?`, `#` or
/// the end). `http`'s rules: URI characters only, `%` only in user info or an IPv6 zone, at
/// most one port colon outside brackets, balanced brackets, something after an `@`.
fn authority_end(s: &[u8]) -> Result<usize> {
    let bad = Err(Error("invalid uri authority"));
    if s.is_empty() {
        return bad;
    }
    let mut colons = 0u32;
    let (mut open, mut close, mut percent) = (false, false, false);
    let mut end = s.len();
    let mut at = s.len();
    for (i, &b) in s.iter().enumerate() {
        match b {
            b'/' | b'?' | b'#' => {
                end = i;
                break;
            }
            b'%' => percent = true,
            b':' => {
                if colons >= 8 {
                    return bad;
                }
                colons += 1;
            }
            b'[' => {
                if percent || open {
                    return bad;
                }
                open = true;
            }
            b']' => {
                if !open || close {
                    return bad;
                }
                close = true;
                colons = 0;
                percent = false;
            }
            b'@' => {
                at = i;
                colons = 0;
                percent = false;
            }
            _ if is_authority_byte(b) => {}
            _ => return bad,
        }
    }
    if open != close || colons > 1 || (end > 0 && at == end - 1) || percent {
        return bad;
    }
    Ok(end)
}

/// Scans a path-and-query (starting with `/`, `?` or `#`): the text without its fragment, and
/// where its query's `?` is.
fn path_and_query(s: &str) -> Result<(&str, Option<usize>)> {
    let bad = Err(Error("invalid uri character"));
    let b = s.as_bytes();
    if !matches!(b.first(), Some(b'/' | b'?' | b'#')) {
        return bad;
    }
    let mut query = None;
    for (i, &c) in b.iter().enumerate() {
        if c == b'#' {
            return Ok((s.get(..i).unwrap_or(""), query));
        }
        let ok = if query.is_none() {
            if c == b'?' {
                query = Some(i);
                continue;
            }
            // WHATWG path bytes, plus `"`, `{` and `}` (as `http` accepts them).
            matches!(c, 0x21..=0x3B | 0x3D | 0x40..=0x5F | 0x61..=0x7E | 0x80..)
        } else {
            matches!(c, 0x21 | 0x24..=0x3B | 0x3D | 0x3F..=0x7E | 0x80..)
        };
        if !ok {
            return bad;
        }
    }
    Ok((s, query))
}

/// The scheme at the start of `s` (`http`'s rule: `http://`, `https://` in any case, or scheme
/// characters followed by `://`): (scheme as kept, bytes to skip).
fn scheme(s: &str) -> Result<Option<(&str, usize)>> {
    let b = s.as_bytes();
    if b.len() >= 7 && b[..7].eq_ignore_ascii_case(b"http://") {
        return Ok(Some(("http", 7)));
    }
    if b.len() >= 8 && b[..8].eq_ignore_ascii_case(b"https://") {
        return Ok(Some(("https", 8)));
    }
    if b.len() > 3 {
        for (i, &c) in b.iter().enumerate() {
            if c == b':' {
                if b.get(i + 1..i + 3) != Some(b"//".as_slice()) {
                    break;
                }
                if i > 64 {
                    return Err(Error("uri scheme is too long"));
                }
                return Ok(s.get(..i).map(|name| (name, i + 3)));
            }
            if !(c.is_ascii_alphanumeric() || b"+-.~".contains(&c)) {
                break;
            }
        }
    }
    Ok(None)
}

impl Uri {
    fn parse(s: &str) -> Result<Uri> {
        if s.is_empty() || s.len() > MAX_URI_LEN {
            return Err(Error("invalid uri length"));
        }
        if s == "*" {
            return Ok(Uri {
                text: "*".into(),
                scheme_len: 0,
                authority: (0, 0),
                path_end: 1,
            });
        }
        if s.starts_with('/') {
            let (text, query) = path_and_query(s)?;
            return Ok(Uri {
                text: text.to_owned(),
                scheme_len: 0,
                authority: (0, 0),
                path_end: query.unwrap_or(text.len()),
            });
        }
        let (scheme, skip) = match scheme(s)? {
            Some((name, skip)) => (Some(name), skip),
            None => (None, 0),
        };
        let rest = s.get(skip..).unwrap_or("");
        let end = authority_end(rest.as_bytes())?;
        let authority = rest.get(..end).unwrap_or("");
        let Some(scheme) = scheme else {
            // Authority-form: nothing may follow the authority.
            if end != rest.len() {
                return Err(Error("invalid uri"));
            }
            return Ok(Uri {
                text: authority.to_owned(),
                scheme_len: 0,
                authority: (0, authority.len()),
                path_end: authority.len(),
            });
        };
        if end == 0 {
            return Err(Error("invalid uri authority"));
        }
        let (tail, query) = match rest.get(end..).unwrap_or("") {
            "" => ("", None),
            tail => path_and_query(tail)?,
        };
        let path = match query {
            Some(q) => tail.get(..q).unwrap_or(""),
            None => tail,
        };
        let mut text = String::with_capacity(scheme.len() + 4 + authority.len() + tail.len());
        text.push_str(scheme);
        text.push_str("://");
        text.push_str(authority);
        let authority = (scheme.len() + 3, text.len());
        text.push_str(if path.is_empty() { "/" } else { path });
        let path_end = text.len();
        if let Some(q) = query {
            text.push_str(tail.get(q..).unwrap_or(""));
        }
        Ok(Uri {
            text,
            scheme_len: scheme.len(),
            authority,
            path_end,
        })
    }

    /// The scheme (`http`, `https` lowercased; others as written), when absolute.
    pub fn scheme_str(&self) -> Option<&str> {
        (self.scheme_len > 0).then(|| self.text.get(..self.scheme_len).unwrap_or(""))
    }

    /// The authority, when the URI has one.
    pub fn authority(&self) -> Option<Authority<'_>> {
        let (start, end) = self.authority;
        (end > start).then(|| Authority(self.text.get(start..end).unwrap_or("")))
    }

    /// The host, when the URI has an authority.
    pub fn host(&self) -> Option<&str> {
        self.authority().map(|a| a.host())
    }

    /// The port, when the authority names one.
    pub fn port_u16(&self) -> Option<u16> {
        self.authority().and_then(|a| a.port_u16())
    }

    /// The path (`/` at least for an absolute URI, empty for the authority form).
    pub fn path(&self) -> &str {
        self.text.get(self.authority.1..self.path_end).unwrap_or("")
    }

    /// The query, without its `?`.
    pub fn query(&self) -> Option<&str> {
        self.text.get(self.path_end..)?.strip_prefix('?')
    }

    /// The path and query (`/a?b`).
    pub fn path_and_query(&self) -> &str {
        self.text.get(self.authority.1..).unwrap_or("")
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq<str> for Uri {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for Uri {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl std::str::FromStr for Uri {
    type Err = Error;
    fn from_str(s: &str) -> Result<Uri> {
        Uri::parse(s)
    }
}

impl TryFrom<&str> for Uri {
    type Error = Error;
    fn try_from(s: &str) -> Result<Uri> {
        Uri::parse(s)
    }
}

impl TryFrom<&String> for Uri {
    type Error = Error;
    fn try_from(s: &String) -> Result<Uri> {
        Uri::parse(s)
    }
}

impl TryFrom<String> for Uri {
    type Error = Error;
    fn try_from(s: String) -> Result<Uri> {
        Uri::parse(&s)
    }
}

impl From<&Uri> for Uri {
    fn from(u: &Uri) -> Self {
        u.clone()
    }
}

// ---------------------------------------------------------------------------------------------
// Extensions

/// What travels with a request besides its head and body: only the transport
/// [`Timeout`] (the one extension the crate uses).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Extensions {
    timeout: Option<Timeout>,
}

impl Extensions {
    /// No extensions.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the timeout; returns the previous one.
    pub fn insert(&mut self, timeout: Timeout) -> Option<Timeout> {
        self.timeout.replace(timeout)
    }

    /// The extension of type `T` (`Some` only for a set [`Timeout`]).
    pub fn get<T: Any>(&self) -> Option<&T> {
        (self.timeout.as_ref()? as &dyn Any).downcast_ref()
    }
}

// ---------------------------------------------------------------------------------------------
// Request and Response

/// Request heads and their builder.
pub mod request {
    use super::{Error, Extensions, HeaderMap, HeaderName, HeaderValue, Method, Request, Uri};

    /// The head of a request.
    #[derive(Clone, Debug, Default)]
    pub struct Parts {
        /// Method.
        pub method: Method,
        /// Target.
        pub uri: Uri,
        /// Headers.
        pub headers: HeaderMap,
        /// Extensions (the transport timeout).
        pub extensions: Extensions,
    }

    /// Builds a [`Request`]; the first invalid part makes [`Builder::body`] fail.
    #[derive(Debug)]
    pub struct Builder {
        parts: Result<Parts, Error>,
    }

    impl Default for Builder {
        fn default() -> Self {
            Builder {
                parts: Ok(Parts::default()),
            }
        }
    }

    impl Builder {
        /// A `GET /` builder.
        pub fn new() -> Self {
            Self::default()
        }

        /// Applies `value` to the parts, or keeps the first error (one instance per value type,
        /// not per call site).
        fn set<V>(self, value: Result<V, Error>, apply: fn(&mut Parts, V)) -> Self {
            Builder {
                parts: match (self.parts, value) {
                    (Ok(mut p), Ok(v)) => {
                        apply(&mut p, v);
                        Ok(p)
                    }
                    (Err(e), _) | (_, Err(e)) => Err(e),
                },
            }
        }

        /// Sets the method.
        pub fn method<T>(self, method: T) -> Self
        where
            T: TryInto<Method>,
            T::Error: Into<Error>,
        {
            self.set(method.try_into().map_err(Into::into), |p, m| p.method = m)
        }

        /// Sets the target.
        pub fn uri<T>(self, uri: T) -> Self
        where
            T: TryInto<Uri>,
            T::Error: Into<Error>,
        {
            self.set(uri.try_into().map_err(Into::into), |p, u| p.uri = u)
        }

        /// Appends a header.
        pub fn header<K, V>(self, name: K, value: V) -> Self
        where
            K: TryInto<HeaderName>,
            K::Error: Into<Error>,
            V: TryInto<HeaderValue>,
            V::Error: Into<Error>,
        {
            let pair = name
                .try_into()
                .map_err(Into::into)
                .and_then(|n| Ok((n, value.try_into().map_err(Into::into)?)));
            self.set(pair, |p, (n, v)| {
                p.headers.append_name(n, v);
            })
        }

        /// Sets the transport timeout.
        pub fn extension(self, timeout: crate::transport::Timeout) -> Self {
            self.set(Ok(timeout), |p, t| {
                p.extensions.insert(t);
            })
        }

        /// The headers so far (`None` after an error).
        pub fn headers_mut(&mut self) -> Option<&mut HeaderMap> {
            self.parts.as_mut().ok().map(|p| &mut p.headers)
        }

        /// The request with `body`, or the first error.
        pub fn body<T>(self, body: T) -> Result<Request<T>, Error> {
            self.parts.map(|head| Request { head, body })
        }
    }
}

/// Response heads and their builder.
pub mod response {
    use super::{Error, HeaderMap, HeaderName, HeaderValue, Response, StatusCode};

    /// The head of a response.
    #[derive(Clone, Debug, Default)]
    pub struct Parts {
        /// Status.
        pub status: StatusCode,
        /// Headers.
        pub headers: HeaderMap,
    }

    /// Builds a [`Response`]; the first invalid part makes [`Builder::body`] fail.
    #[derive(Debug)]
    pub struct Builder {
        parts: Result<Parts, Error>,
    }

    impl Default for Builder {
        fn default() -> Self {
            Builder {
                parts: Ok(Parts::default()),
            }
        }
    }

    impl Builder {
        /// A `200` builder.
        pub fn new() -> Self {
            Self::default()
        }

        /// Sets the status.
        pub fn status<T>(self, status: T) -> Self
        where
            T: TryInto<StatusCode>,
            T::Error: Into<Error>,
        {
            Builder {
                parts: self.parts.and_then(|mut p| {
                    p.status = status.try_into().map_err(Into::into)?;
                    Ok(p)
                }),
            }
        }

        /// Appends a header.
        pub fn header<K, V>(self, name: K, value: V) -> Self
        where
            K: TryInto<HeaderName>,
            K::Error: Into<Error>,
            V: TryInto<HeaderValue>,
            V::Error: Into<Error>,
        {
            Builder {
                parts: self.parts.and_then(|mut p| {
                    let name = name.try_into().map_err(Into::into)?;
                    let value = value.try_into().map_err(Into::into)?;
                    p.headers.append(name, value);
                    Ok(p)
                }),
            }
        }

        /// The response with `body`, or the first error.
        pub fn body<T>(self, body: T) -> Result<Response<T>, Error> {
            self.parts.map(|head| Response { head, body })
        }
    }
}

/// An HTTP request with a body of type `T` (the crate uses `Vec<u8>`).
#[derive(Clone, Debug, Default)]
pub struct Request<T> {
    head: request::Parts,
    body: T,
}

impl Request<()> {
    /// A request builder (`GET /`).
    pub fn builder() -> request::Builder {
        request::Builder::new()
    }

    /// A `GET` builder for `uri`.
    pub fn get<U>(uri: U) -> request::Builder
    where
        U: TryInto<Uri>,
        U::Error: Into<Error>,
    {
        request::Builder::new().method(Method::GET).uri(uri)
    }

    /// A `POST` builder for `uri`.
    pub fn post<U>(uri: U) -> request::Builder
    where
        U: TryInto<Uri>,
        U::Error: Into<Error>,
    {
        request::Builder::new().method(Method::POST).uri(uri)
    }

    /// A `PUT` builder for `uri`.
    pub fn put<U>(uri: U) -> request::Builder
    where
        U: TryInto<Uri>,
        U::Error: Into<Error>,
    {
        request::Builder::new().method(Method::PUT).uri(uri)
    }

    /// A `DELETE` builder for `uri`.
    pub fn delete<U>(uri: U) -> request::Builder
    where
        U: TryInto<Uri>,
        U::Error: Into<Error>,
    {
        request::Builder::new().method(Method::DELETE).uri(uri)
    }

    /// A `PATCH` builder for `uri`.
    pub fn patch<U>(uri: U) -> request::Builder
    where
        U: TryInto<Uri>,
        U::Error: Into<Error>,
    {
        request::Builder::new().method(Method::PATCH).uri(uri)
    }
}

impl<T> Request<T> {
    /// `GET /` with `body` and no headers.
    pub fn new(body: T) -> Self {
        Request {
            head: request::Parts::default(),
            body,
        }
    }

    /// A request from its head and body.
    pub fn from_parts(head: request::Parts, body: T) -> Self {
        Request { head, body }
    }

    /// The head and the body.
    pub fn into_parts(self) -> (request::Parts, T) {
        (self.head, self.body)
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.head.method
    }

    /// The method, mutably.
    pub fn method_mut(&mut self) -> &mut Method {
        &mut self.head.method
    }

    /// The target.
    pub fn uri(&self) -> &Uri {
        &self.head.uri
    }

    /// The target, mutably.
    pub fn uri_mut(&mut self) -> &mut Uri {
        &mut self.head.uri
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.head.headers
    }

    /// The headers, mutably.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.head.headers
    }

    /// The extensions (the transport timeout).
    pub fn extensions(&self) -> &Extensions {
        &self.head.extensions
    }

    /// The extensions, mutably.
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.head.extensions
    }

    /// The body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The body, mutably.
    pub fn body_mut(&mut self) -> &mut T {
        &mut self.body
    }

    /// The body, consuming the request.
    pub fn into_body(self) -> T {
        self.body
    }
}

/// An HTTP response with a body of type `T` (the crate uses `Vec<u8>`).
#[derive(Clone, Debug, Default)]
pub struct Response<T> {
    head: response::Parts,
    body: T,
}

impl Response<()> {
    /// A response builder (`200`).
    pub fn builder() -> response::Builder {
        response::Builder::new()
    }
}

impl<T> Response<T> {
    /// `200` with `body` and no headers.
    pub fn new(body: T) -> Self {
        Response {
            head: response::Parts::default(),
            body,
        }
    }

    /// A response from its head and body.
    pub fn from_parts(head: response::Parts, body: T) -> Self {
        Response { head, body }
    }

    /// The head and the body.
    pub fn into_parts(self) -> (response::Parts, T) {
        (self.head, self.body)
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.head.status
    }

    /// The status, mutably.
    pub fn status_mut(&mut self) -> &mut StatusCode {
        &mut self.head.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.head.headers
    }

    /// The headers, mutably.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.head.headers
    }

    /// The body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The body, mutably.
    pub fn body_mut(&mut self) -> &mut T {
        &mut self.body
    }

    /// The body, consuming the response.
    pub fn into_body(self) -> T {
        self.body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_forms() {
        let u: Uri = "HTTPS://Host.example:8443/a/b?x=1&y#frag".parse().unwrap();
        assert_eq!(u.scheme_str(), Some("https"));
        assert_eq!(u.host(), Some("Host.example"));
        assert_eq!(u.port_u16(), Some(8443));
        assert_eq!(u.path(), "/a/b");
        assert_eq!(u.query(), Some("x=1&y"));
        assert_eq!(u.to_string(), "https://Host.example:8443/a/b?x=1&y");

        let u: Uri = "http://h".parse().unwrap();
        assert_eq!(
            (u.path(), u.query(), u.to_string().as_str()),
            ("/", None, "http://h/")
        );
        let u: Uri = "http://h?q".parse().unwrap();
        assert_eq!(
            (u.path(), u.query(), u.to_string().as_str()),
            ("/", Some("q"), "http://h/?q")
        );
        let u: Uri = "/p?q=1".parse().unwrap();
        assert_eq!(
            (u.scheme_str(), u.host(), u.path(), u.query()),
            (None, None, "/p", Some("q=1"))
        );
        let u: Uri = "localhost:8080".parse().unwrap();
        assert_eq!(
            (u.scheme_str(), u.host(), u.port_u16(), u.path()),
            (None, Some("localhost"), Some(8080), "")
        );
        let u: Uri = "http://u:p@[::1]:80/x".parse().unwrap();
        assert_eq!((u.host(), u.port_u16()), (Some("[::1]"), Some(80)));
        assert_eq!(u.authority().map(|a| a.as_str()), Some("u:p@[::1]:80"));
        let u: Uri = "ftp://x/y".parse().unwrap();
        assert_eq!(u.scheme_str(), Some("ftp"));
        let u: Uri = "*".parse().unwrap();
        assert_eq!(u.path(), "*");
        let u: Uri = "/é".parse().unwrap();
        assert_eq!(u.path(), "/é");

        for bad in [
            "",
            "http://",
            "http:///x",
            "http://a b/",
            "http://h/a b",
            "http://h/<",
            "/x?\"",
            "relative/path",
            "?q",
            "http://a:1:2/",
            "http://[::1/",
            "http://a@/",
            "http://a%20b/",
        ] {
            assert!(bad.parse::<Uri>().is_err(), "{bad:?}");
        }
        assert!("http://u%20x@h/".parse::<Uri>().is_ok());
        assert!("/a{\"b\"}|^".parse::<Uri>().is_ok());
    }

    #[test]
    fn headers() {
        let mut h = HeaderMap::new();
        h.insert("x-a", HeaderValue::from_static("1"));
        h.append(
            HeaderName::from_bytes(b"Set-Cookie").unwrap(),
            HeaderValue::from_static("a"),
        );
        h.append(header::SET_COOKIE, HeaderValue::from_static("b"));
        h.append("x-a", HeaderValue::from_static("2"));
        let pairs: Vec<(&str, &str)> = h
            .iter()
            .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("x-a", "1"),
                ("x-a", "2"),
                ("set-cookie", "a"),
                ("set-cookie", "b")
            ]
        );
        assert_eq!(h.keys().count(), 2);
        assert_eq!(h.get("X-A").unwrap(), "1");
        assert_eq!(h.get_all("set-cookie").iter().count(), 2);
        assert_eq!(h.insert("x-a", HeaderValue::from_static("3")).unwrap(), "1");
        assert_eq!(h.get_all("x-a").iter().count(), 1);
        assert_eq!(h.remove("SET-COOKIE").unwrap(), "a");
        assert_eq!(h.len(), 1);
        assert_eq!(h["missing"], "");

        assert!(HeaderName::from_bytes(b"").is_err());
        assert!(HeaderName::from_bytes(b"a b").is_err());
        assert!(HeaderName::from_bytes("é".as_bytes()).is_err());
        assert!(HeaderValue::from_str("a\nb").is_err());
        let v = HeaderValue::from_str("café").unwrap();
        assert!(v.to_str().is_err());
        assert_eq!(v.as_bytes(), "café".as_bytes());
        let mut s = HeaderValue::from_static("secret");
        s.set_sensitive(true);
        assert_eq!(format!("{s:?}"), "Sensitive");
    }

    #[test]
    fn methods_and_builders() {
        assert_eq!(Method::from_bytes(b"PATCH").unwrap(), Method::PATCH);
        assert_eq!(Method::from_bytes(b"get").unwrap().as_str(), "get");
        assert!(Method::from_bytes(b"").is_err());
        assert!(Method::from_bytes(b"G T").is_err());
        assert!(matches!(Method::from_bytes(b"GET").unwrap(), Method::GET));

        let req = Request::builder()
            .method("PUT")
            .uri("https://x/y")
            .header("X-Multi", "a")
            .header("x-multi", String::from("b"))
            .body(Vec::<u8>::new())
            .unwrap();
        assert_eq!(req.method(), "PUT");
        assert_eq!(req.headers().get_all("x-multi").iter().count(), 2);
        assert!(Request::get("nope nope").body(()).is_err());
        assert!(Request::get("/x").header("bad name", "v").body(()).is_err());
        assert!(Request::get("/x").header("n", "a\rb").body(()).is_err());

        let mut req = Request::new(());
        assert!(req.extensions().get::<Timeout>().is_none());
        req.extensions_mut().insert(Timeout(5));
        assert_eq!(req.extensions().get::<Timeout>(), Some(&Timeout(5)));
        assert_eq!(req.extensions().get::<u64>(), None);

        let s = StatusCode::from_u16(404).unwrap();
        assert_eq!(
            (s.canonical_reason(), s.is_client_error()),
            (Some("Not Found"), true)
        );
        assert!(StatusCode::from_u16(99).is_err() && StatusCode::from_u16(1000).is_err());
        assert_eq!(StatusCode::from_u16(599).unwrap().canonical_reason(), None);
        assert_eq!(Response::new(()).status(), 200);
    }
}

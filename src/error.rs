//! One error type for the whole crate, with a stable [`Error::code`], the HTTP status it maps to
//! and [`Error::is_retryable`].
//!
//! Messages are lowercase, carry no trailing period, and never contain a secret, a token or a full
//! query string.

use std::fmt;

/// The error envelope the Tool Router API answers with (`{"error": {…}}`, wire §1.5).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ApiError {
    /// HTTP status of the response.
    pub status: u16,
    /// Numeric API error code (`error.code`), when the body carried the envelope.
    pub api_code: Option<i64>,
    /// Machine slug (`error.slug`), e.g. `ConnectedAccount_BadRequest`.
    pub slug: Option<String>,
    /// Human message (`error.message`), or a short description of the body.
    pub message: String,
    /// Request id: the `x-request-id` header, else `error.request_id`.
    pub request_id: Option<String>,
    /// `error.suggested_fix`.
    pub suggested_fix: Option<String>,
    /// `error.errors[]`: field-level details.
    pub errors: Vec<String>,
}

/// Why a request never produced an HTTP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportErrorKind {
    /// The connection could not be made or was dropped.
    Connect,
    /// The attempt took longer than its timeout.
    Timeout,
    /// The request was aborted by the caller.
    Aborted,
}

/// Every error composio-edge can return.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with a non-success status or an error envelope.
    Api(Box<ApiError>),
    /// `PATCH` session with a stale `expected_config_version` (HTTP 409).
    SessionConfigConflict(Box<ApiError>),
    /// No HTTP response: connection failure, timeout or abort.
    Transport {
        /// What went wrong.
        kind: TransportErrorKind,
        /// A short description, never containing a secret.
        message: String,
    },
    /// The response could not be decoded; `body` keeps (a prefix of) what was received.
    Decode {
        /// HTTP status of the undecodable response.
        status: u16,
        /// What the decoder said.
        message: String,
        /// The first bytes of the body, for debugging (bodies never carry our secrets).
        body: String,
    },
    /// Model output for tool arguments was not null, `""`, a JSON object or a JSON string of one.
    InvalidToolArguments(String),
    /// Tool arguments do not satisfy the tool's JSON Schema; `path` is a JSON pointer-like path.
    ArgumentValidation {
        /// Tool being called.
        tool_slug: String,
        /// Every violation, `(path, message)`, e.g. `("$.to", "is required")`.
        violations: Vec<(String, String)>,
    },
    /// A request the client refuses to build (bad slug, conflicting options, missing field …).
    InvalidRequest(String),
    /// A tool slug matches no known tool.
    ToolNotFound(String),
    /// An original custom-tool slug matches tools in several custom toolkits.
    AmbiguousToolSlug {
        /// The slug that was asked for.
        slug: String,
        /// The final slugs it could mean.
        candidates: Vec<String>,
    },
    /// A credential would be sent over plain http to a non-loopback host.
    InsecureTransport(String),
    /// `wait_for_connection`: the first poll answered 404.
    ConnectedAccountNotFound(String),
    /// `wait_for_connection`: the account reached a terminal failure status.
    ConnectionFailed {
        /// Connected account id.
        id: String,
        /// Terminal status (`FAILED`, `EXPIRED`, `REVOKED`).
        status: String,
        /// `status_reason`, when the API gave one.
        reason: Option<String>,
    },
    /// `wait_for_connection` ran out of time.
    ConnectionTimeout(String),
    /// A storage backend (Durable Object, memory) failed.
    Storage(String),
    /// A local custom tool failed while executing.
    LocalTool(String),
}

impl Error {
    /// A stable snake_case code that JS and logs can branch on.
    ///
    /// ```
    /// use composio_edge::Error;
    /// assert_eq!(Error::ToolNotFound("X".into()).code(), "tool_not_found");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Error::Api(e) => match e.status {
                400 => "bad_request",
                401 => "unauthorized",
                403 => "permission_denied",
                404 => "not_found",
                408 => "request_timeout",
                409 => "conflict",
                422 => "unprocessable_entity",
                429 => "rate_limited",
                500..=599 => "upstream_error",
                _ => "api_error",
            },
            Error::SessionConfigConflict(_) => "session_config_conflict",
            Error::Transport { kind, .. } => match kind {
                TransportErrorKind::Connect => "connection_error",
                TransportErrorKind::Timeout => "timeout",
                TransportErrorKind::Aborted => "aborted",
            },
            Error::Decode { .. } => "decode_error",
            Error::InvalidToolArguments(_) => "invalid_tool_arguments",
            Error::ArgumentValidation { .. } => "argument_validation_failed",
            Error::InvalidRequest(_) => "invalid_request",
            Error::ToolNotFound(_) => "tool_not_found",
            Error::AmbiguousToolSlug { .. } => "ambiguous_tool_slug",
            Error::InsecureTransport(_) => "insecure_transport",
            Error::ConnectedAccountNotFound(_) => "connected_account_not_found",
            Error::ConnectionFailed { .. } => "connection_failed",
            Error::ConnectionTimeout(_) => "connection_timeout",
            Error::Storage(_) => "storage_error",
            Error::LocalTool(_) => "local_tool_failed",
        }
    }

    /// The HTTP status this error is best reported with.
    ///
    /// ```
    /// use composio_edge::Error;
    /// assert_eq!(Error::InvalidRequest("bad".into()).http_status(), 400);
    /// ```
    pub fn http_status(&self) -> u16 {
        match self {
            Error::Api(e) | Error::SessionConfigConflict(e) => e.status,
            Error::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            } => 504,
            Error::Transport { .. } | Error::Decode { .. } => 502,
            Error::InvalidToolArguments(_)
            | Error::ArgumentValidation { .. }
            | Error::InvalidRequest(_)
            | Error::AmbiguousToolSlug { .. } => 400,
            Error::ToolNotFound(_) | Error::ConnectedAccountNotFound(_) => 404,
            Error::InsecureTransport(_) => 400,
            Error::ConnectionFailed { .. } => 424,
            Error::ConnectionTimeout(_) => 408,
            Error::Storage(_) | Error::LocalTool(_) => 500,
        }
    }

    /// Whether a *read* that failed this way may be retried (wire §1.6): connection errors,
    /// timeouts, HTTP 408, 409, 429 and 5xx.
    ///
    /// ```
    /// use composio_edge::{ApiError, Error};
    /// let e = Error::Api(Box::new(ApiError { status: 503, ..Default::default() }));
    /// assert!(e.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => matches!(e.status, 408 | 409 | 429 | 500..=599),
            Error::Transport { kind, .. } => *kind != TransportErrorKind::Aborted,
            _ => false,
        }
    }

    /// The request id the API gave, if any.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) | Error::SessionConfigConflict(e) => e.request_id.as_deref(),
            _ => None,
        }
    }

    /// `true` for a timeout without a response.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            Error::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            }
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => {
                write!(f, "api error {}: {}", e.status, e.message)?;
                if let Some(fix) = &e.suggested_fix {
                    write!(f, " ({fix})")?;
                }
                Ok(())
            }
            Error::SessionConfigConflict(e) => {
                write!(
                    f,
                    "session config changed concurrently (409): {}",
                    e.message
                )
            }
            Error::Transport { message, .. } => write!(f, "transport error: {message}"),
            Error::Decode {
                status, message, ..
            } => {
                write!(f, "could not decode response (status {status}): {message}")
            }
            Error::InvalidToolArguments(m) => write!(f, "invalid tool arguments: {m}"),
            Error::ArgumentValidation {
                tool_slug,
                violations,
            } => {
                write!(f, "arguments for {tool_slug} do not match its schema: ")?;
                for (i, (path, msg)) in violations.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{path} {msg}")?;
                }
                Ok(())
            }
            Error::InvalidRequest(m) => write!(f, "invalid request: {m}"),
            Error::ToolNotFound(s) => write!(f, "tool not found: {s}"),
            Error::AmbiguousToolSlug { slug, candidates } => {
                write!(
                    f,
                    "tool slug {slug} is ambiguous; use one of: {}",
                    crate::encoding::join(candidates, ", ")
                )
            }
            Error::InsecureTransport(m) => {
                write!(f, "refusing to send a credential over plain http: {m}")
            }
            Error::ConnectedAccountNotFound(id) => write!(f, "connected account not found: {id}"),
            Error::ConnectionFailed { id, status, reason } => {
                write!(f, "connection request {id} failed with status: {status}")?;
                if let Some(r) = reason {
                    write!(f, ", reason: {r}")?;
                }
                Ok(())
            }
            Error::ConnectionTimeout(id) => write!(f, "timed out waiting for connection {id}"),
            Error::Storage(m) => write!(f, "storage error: {m}"),
            Error::LocalTool(m) => write!(f, "local tool failed: {m}"),
        }
    }
}

impl std::error::Error for Error {}

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

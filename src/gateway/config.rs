//! Gateway configuration, read from the Worker's environment through a `get(name)` closure.
//!
//! Invalid configuration never panics and never fails start-up: [`GatewayConfig::from_vars`]
//! records the first problem (naming the variable, never its value) and the gateway answers
//! every request with a `config_error` until it is fixed.

use crate::json::{Map, Value};

use crate::secret::{ApiKey, SecretString, SigningKey};

use super::redirect::{parse_origin, validate_allowed_url};

/// The production Tool Router base URL.
pub const DEFAULT_BASE_URL: &str = "https://backend.composio.dev";
/// Signing key used in emulator mode when `EDGE_SIGNING_KEY` is not set. Public on purpose:
/// tokens signed with it are only accepted by gateways running on the emulator.
pub const DEV_SIGNING_KEY: &str = "composio-edge-emulator-development-signing-key-not-secret";
/// Default request-body limit (256 KiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;
/// Default per-user rate limit (requests per minute).
pub const DEFAULT_RATE_LIMIT_PER_MINUTE: u32 = 120;

/// Every environment variable the gateway reads.
pub const VARIABLES: &[&str] = &[
    "COMPOSIO_API_KEY",
    "COMPOSIO_BASE_URL",
    "EDGE_SIGNING_KEY",
    "EDGE_ADMIN_KEY",
    "EDGE_ALLOWED_ORIGINS",
    "EDGE_RETURN_URLS",
    "EDGE_REDIRECT_HOSTS",
    "EDGE_SESSION_DEFAULTS",
    "EDGE_PROXY_ENABLED",
    "EDGE_RATE_LIMIT_PER_MINUTE",
    "EDGE_MAX_BODY_BYTES",
    "EDGE_TENANT",
    "EDGE_JWT_ISSUER",
    "EDGE_JWT_AUDIENCE",
    "EDGE_JWKS",
];

/// A configuration problem: which variable, and what is wrong with it (never its value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// What is wrong, lowercase, without the value.
    pub message: String,
}

impl std::fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.variable, self.message)
    }
}

/// Settings for app ID tokens (OIDC) verified against a JWKS.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JwtSettings {
    /// Expected `iss`.
    pub issuer: String,
    /// Expected `aud`.
    pub audience: String,
    /// The JWKS document (`{"keys": […]}`).
    pub jwks: Value,
}

/// Gateway configuration, read from the Worker's environment.
///
/// ```
/// use composio_edge::gateway::GatewayConfig;
/// let cfg = GatewayConfig::from_vars(|_| None).unwrap();
/// assert!(cfg.emulator_mode);
/// assert!(cfg.problem.is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct GatewayConfig {
    /// `true` when no `COMPOSIO_API_KEY` is set: the embedded emulator is the upstream.
    pub emulator_mode: bool,
    /// The Composio project key (`COMPOSIO_API_KEY`; a placeholder in emulator mode).
    pub api_key: Option<ApiKey>,
    /// Upstream base URL; `None` in emulator mode (the request's own origin is used).
    pub base_url: Option<String>,
    /// Key that signs tokens and seals OAuth tickets and state (`EDGE_SIGNING_KEY`).
    pub signing_key: Option<SigningKey>,
    /// Bearer key of `POST /v1/tokens` (`EDGE_ADMIN_KEY`).
    pub admin_key: Option<SecretString>,
    /// Browser origins allowed by CORS and in tokens (`EDGE_ALLOWED_ORIGINS`).
    pub allowed_origins: Vec<String>,
    /// Absolute URLs allowed as `return_to`, matched exactly (`EDGE_RETURN_URLS`).
    pub return_urls: Vec<String>,
    /// Extra hosts that Composio `redirect_url`s may point at (`EDGE_REDIRECT_HOSTS`,
    /// e.g. a white-label connect domain), besides `*.composio.dev`.
    pub redirect_hosts: Vec<String>,
    /// Session create defaults (`EDGE_SESSION_DEFAULTS`, wire names: `toolkits`, `tools`,
    /// `tags`, `auth_configs`, `manage_connections` …).
    pub session_defaults: Map,
    /// Whether `POST /v1/proxy` is served (`EDGE_PROXY_ENABLED`).
    pub proxy_enabled: bool,
    /// Requests per minute per user (`EDGE_RATE_LIMIT_PER_MINUTE`, 0 disables).
    pub rate_limit_per_minute: u32,
    /// Request-body limit in bytes (`EDGE_MAX_BODY_BYTES`).
    pub max_body_bytes: usize,
    /// Tenant name that partitions Durable Objects (`EDGE_TENANT`, default `default`).
    pub tenant: String,
    /// App ID token settings (`EDGE_JWT_ISSUER`, `EDGE_JWT_AUDIENCE`, `EDGE_JWKS`).
    pub jwt: Option<JwtSettings>,
    /// The first configuration problem found; while set, every request answers `config_error`.
    pub problem: Option<ConfigProblem>,
}

/// The environment reader, behind one pointer: the caller's closure is compiled once, not
/// inlined at each variable.
type Get<'a> = &'a dyn Fn(&str) -> Option<String>;

fn non_empty(get: Get<'_>, name: &str) -> Option<String> {
    get(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Parses a list given as a JSON array of strings or as comma-separated values.
fn parse_list(raw: &str) -> Result<Vec<String>, String> {
    let raw = raw.trim();
    if raw.starts_with('[') {
        // Read as a `Value` (one JSON parser in the Worker: bytes into `Value`).
        let bad = || "is not a json array of strings".to_owned();
        let Ok(Value::Array(v)) = crate::wire::json::parse_bytes(raw.as_bytes()) else {
            return Err(bad());
        };
        let mut out = Vec::new();
        for s in &v {
            let s = s.as_str().ok_or_else(bad)?.trim();
            if !s.is_empty() {
                out.push(s.to_owned());
            }
        }
        Ok(out)
    } else {
        let mut out = Vec::new();
        for s in raw.split(',') {
            let s = s.trim();
            if !s.is_empty() {
                out.push(s.to_owned());
            }
        }
        Ok(out)
    }
}

/// A problem with `variable` (one shared copy, not one per check).
#[inline(never)]
fn bad(variable: &'static str, message: &str) -> ConfigProblem {
    ConfigProblem {
        variable,
        message: message.to_owned(),
    }
}

fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" | "" => Some(false),
        _ => None,
    }
}

impl GatewayConfig {
    /// Reads the configuration through `get(name)`.
    ///
    /// Never fails: an invalid or missing variable is recorded in [`GatewayConfig::problem`]
    /// (naming the variable, never the value) and the gateway then answers `config_error`.
    /// The `Result` is kept for the shell contract.
    ///
    /// ```
    /// use composio_edge::gateway::GatewayConfig;
    /// let cfg = GatewayConfig::from_vars(|name| match name {
    ///     "COMPOSIO_API_KEY" => Some("ak_live".into()),
    ///     _ => None,
    /// })
    /// .unwrap();
    /// assert!(!cfg.emulator_mode);
    /// assert_eq!(cfg.problem.unwrap().variable, "EDGE_SIGNING_KEY");
    /// ```
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Self, crate::Error> {
        let mut cfg = GatewayConfig {
            rate_limit_per_minute: DEFAULT_RATE_LIMIT_PER_MINUTE,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            tenant: "default".into(),
            ..Default::default()
        };
        if let Err(problem) = cfg.read(&get) {
            cfg.problem = Some(problem);
        }
        Ok(cfg)
    }

    fn read(&mut self, get: Get<'_>) -> Result<(), ConfigProblem> {
        let api_key = non_empty(get, "COMPOSIO_API_KEY");
        self.emulator_mode = api_key.is_none();
        self.api_key = Some(ApiKey::new(
            api_key.unwrap_or_else(|| "emulator".to_owned()),
        ));

        if let Some(url) = non_empty(get, "COMPOSIO_BASE_URL") {
            let url = url.trim_end_matches('/').to_owned();
            let origin = parse_origin(&url)
                .ok_or_else(|| bad("COMPOSIO_BASE_URL", "is not an absolute http(s) url"))?;
            if origin.scheme == "http" && !origin.is_loopback() {
                return Err(bad(
                    "COMPOSIO_BASE_URL",
                    "must use https (plain http only for loopback hosts)",
                ));
            }
            if !self.emulator_mode {
                self.base_url = Some(url);
            }
        } else if !self.emulator_mode {
            self.base_url = Some(DEFAULT_BASE_URL.to_owned());
        }

        match non_empty(get, "EDGE_SIGNING_KEY") {
            Some(k) if k.len() < 32 => {
                return Err(bad("EDGE_SIGNING_KEY", "must be at least 32 characters"))
            }
            Some(k) => self.signing_key = Some(SigningKey::new(k)),
            None if self.emulator_mode => {
                self.signing_key = Some(SigningKey::new(DEV_SIGNING_KEY));
            }
            None => return Err(bad(
                "EDGE_SIGNING_KEY",
                "is required when COMPOSIO_API_KEY is set (wrangler secret put EDGE_SIGNING_KEY)",
            )),
        }

        match non_empty(get, "EDGE_ADMIN_KEY") {
            Some(k) if k.len() < 16 => {
                return Err(bad("EDGE_ADMIN_KEY", "must be at least 16 characters"))
            }
            Some(k) => self.admin_key = Some(SecretString::new(k)),
            None if self.emulator_mode => {}
            None => {
                return Err(bad(
                    "EDGE_ADMIN_KEY",
                    "is required when COMPOSIO_API_KEY is set (wrangler secret put EDGE_ADMIN_KEY)",
                ))
            }
        }

        if let Some(raw) = non_empty(get, "EDGE_ALLOWED_ORIGINS") {
            let list = parse_list(&raw).map_err(|m| bad("EDGE_ALLOWED_ORIGINS", &m))?;
            for o in list {
                let parsed = parse_origin(&o).filter(|p| p.rest.is_empty()).ok_or_else(|| {
                    bad(
                        "EDGE_ALLOWED_ORIGINS",
                        "every entry must be an origin such as https://app.example.com (no path, no wildcard)",
                    )
                })?;
                self.allowed_origins.push(parsed.origin());
            }
        }

        if let Some(raw) = non_empty(get, "EDGE_RETURN_URLS") {
            let list = parse_list(&raw).map_err(|m| bad("EDGE_RETURN_URLS", &m))?;
            for u in list {
                if !validate_allowed_url(&u) {
                    return Err(bad(
                        "EDGE_RETURN_URLS",
                        "every entry must be an absolute https url without credentials or fragment",
                    ));
                }
                self.return_urls.push(u);
            }
        }

        if let Some(raw) = non_empty(get, "EDGE_REDIRECT_HOSTS") {
            let list = parse_list(&raw).map_err(|m| bad("EDGE_REDIRECT_HOSTS", &m))?;
            for h in list {
                let h = h.to_ascii_lowercase();
                if h.is_empty() || !super::all_bytes(&h, super::redirect::host_byte) {
                    return Err(bad(
                        "EDGE_REDIRECT_HOSTS",
                        "every entry must be a plain host name",
                    ));
                }
                self.redirect_hosts.push(h);
            }
        }

        if let Some(raw) = non_empty(get, "EDGE_SESSION_DEFAULTS") {
            match crate::wire::json::parse_bytes(raw.as_bytes()) {
                Ok(Value::Object(mut m)) => {
                    // The gateway owns these: the user comes from the token.
                    if m.contains_key("user_id") {
                        return Err(bad(
                            "EDGE_SESSION_DEFAULTS",
                            "must not set user_id (it comes from the token)",
                        ));
                    }
                    // Accept the SDK's array shorthand for toolkits and tags.
                    // (Built by hand: `crate::json!` would link serde's value serializer.)
                    for key in ["toolkits", "tags", "manage_connections"] {
                        let shorthand = match m.get(key) {
                            Some(Value::Array(_)) => key != "manage_connections",
                            Some(Value::Bool(_)) => key == "manage_connections",
                            _ => false,
                        };
                        if let (true, Some(v)) = (shorthand, m.get_mut(key)) {
                            let mut o = Map::new();
                            o.insert("enable".into(), v.take());
                            *v = Value::Object(o);
                        }
                    }
                    self.session_defaults = m;
                }
                _ => return Err(bad("EDGE_SESSION_DEFAULTS", "is not a json object")),
            }
        }

        if let Some(raw) = non_empty(get, "EDGE_PROXY_ENABLED") {
            self.proxy_enabled = parse_bool(&raw)
                .ok_or_else(|| bad("EDGE_PROXY_ENABLED", "must be true or false"))?;
        }

        if let Some(raw) = non_empty(get, "EDGE_RATE_LIMIT_PER_MINUTE") {
            // Parsed as u64 (one integer parser in the Worker), then narrowed.
            self.rate_limit_per_minute = raw
                .parse::<u64>()
                .ok()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| {
                    bad(
                        "EDGE_RATE_LIMIT_PER_MINUTE",
                        "must be a non-negative integer",
                    )
                })?;
        }

        if let Some(raw) = non_empty(get, "EDGE_MAX_BODY_BYTES") {
            self.max_body_bytes = raw
                .parse::<u64>()
                .ok()
                .filter(|n| (1024..=8 * 1024 * 1024).contains(n))
                .map(|n| n as usize)
                .ok_or_else(|| {
                    bad(
                        "EDGE_MAX_BODY_BYTES",
                        "must be an integer between 1024 and 8388608",
                    )
                })?;
        }

        if let Some(raw) = non_empty(get, "EDGE_TENANT") {
            if !super::name_like(&raw, 64) {
                return Err(bad(
                    "EDGE_TENANT",
                    "must be 1-64 characters of a-z, 0-9, - or _",
                ));
            }
            self.tenant = raw;
        }

        let issuer = non_empty(get, "EDGE_JWT_ISSUER");
        let audience = non_empty(get, "EDGE_JWT_AUDIENCE");
        let jwks = non_empty(get, "EDGE_JWKS");
        match (issuer, audience, jwks) {
            (None, None, None) => {}
            (Some(issuer), Some(audience), Some(jwks)) => {
                let jwks: Value = crate::wire::json::parse_bytes(jwks.as_bytes())
                    .ok()
                    .filter(|v: &Value| v.get("keys").is_some_and(Value::is_array))
                    .ok_or_else(|| {
                        bad("EDGE_JWKS", "is not a json web key set ({\"keys\": […]})")
                    })?;
                self.jwt = Some(JwtSettings {
                    issuer,
                    audience,
                    jwks,
                });
            }
            (None, _, _) => {
                return Err(bad(
                    "EDGE_JWT_ISSUER",
                    "is required with EDGE_JWT_AUDIENCE and EDGE_JWKS",
                ))
            }
            (_, None, _) => {
                return Err(bad(
                    "EDGE_JWT_AUDIENCE",
                    "is required with EDGE_JWT_ISSUER and EDGE_JWKS",
                ))
            }
            (_, _, None) => {
                return Err(bad(
                    "EDGE_JWKS",
                    "is required with EDGE_JWT_ISSUER and EDGE_JWT_AUDIENCE",
                ))
            }
        }
        Ok(())
    }

    /// Whether `origin` (a normalized `scheme://host[:port]`) may call the API from a browser.
    /// In emulator mode the gateway's own origin is always allowed.
    pub fn origin_allowed(&self, origin: &str, own_origin: &str) -> bool {
        let origin = origin.to_ascii_lowercase();
        (self.emulator_mode && origin == own_origin.to_ascii_lowercase())
            || self.allowed_origins.contains(&origin)
    }

    /// The upstream base URL for a request whose gateway origin is `own_origin`.
    pub fn upstream_base(&self, own_origin: &str) -> String {
        match &self.base_url {
            Some(b) => b.clone(),
            None => own_origin.to_owned(),
        }
    }
}

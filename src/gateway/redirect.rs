//! Strict URL checks for redirects (SEC-12, SEC-13, SEC-14).
//!
//! The parser is deliberately narrower than WHATWG URL: anything a browser might read
//! differently (backslashes, whitespace, control characters, userinfo, non-ASCII, odd
//! schemes) is refused instead of normalized, so what we check is what the browser navigates.

use super::config::GatewayConfig;
use crate::encoding::decode_component;

/// An absolute `http(s)` URL split at its authority.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedUrl {
    /// `http` or `https`, lowercase.
    pub scheme: String,
    /// Lowercase host (IPv6 literals keep their brackets).
    pub host: String,
    /// Explicit non-default port.
    pub port: Option<u16>,
    /// Everything after the authority (path, query, fragment), as given.
    pub rest: String,
}

impl ParsedUrl {
    /// `scheme://host[:port]`, the default port omitted.
    pub fn origin(&self) -> String {
        match self.port {
            Some(p) => format!("{}://{}:{p}", self.scheme, self.host),
            None => format!("{}://{}", self.scheme, self.host),
        }
    }

    /// `localhost`, `*.localhost`, `127.0.0.0/8` or `[::1]`.
    pub fn is_loopback(&self) -> bool {
        self.host == "localhost"
            || self.host.ends_with(".localhost")
            || self.host == "[::1]"
            || self.host.starts_with("127.")
                && self.host.split('.').count() == 4
                && self.host.split('.').all(|p| p.parse::<u8>().is_ok())
    }
}

/// `true` when every byte is printable ASCII other than space and backslash.
fn clean_ascii(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
}

/// Parses an absolute `http://` or `https://` URL strictly; `None` for anything else
/// (other schemes, userinfo, whitespace, backslashes, control or non-ASCII characters,
/// an empty or malformed host, a bad port).
///
/// ```
/// use composio_edge::gateway::redirect::parse_origin;
/// assert_eq!(parse_origin("https://App.Example.com:443/x").unwrap().origin(), "https://app.example.com");
/// assert!(parse_origin("https://good.com@evil.com/").is_none());
/// assert!(parse_origin("javascript:alert(1)").is_none());
/// ```
pub fn parse_origin(s: &str) -> Option<ParsedUrl> {
    if !clean_ascii(s) {
        return None;
    }
    let (scheme, after) = s.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, rest) = after.split_at(end);
    if authority.is_empty() || authority.contains('@') || authority.contains('%') {
        return None;
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (inner, tail) = v6.split_once(']')?;
        if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return None;
        }
        let port = match tail {
            "" => None,
            t => Some(t.strip_prefix(':')?),
        };
        (format!("[{}]", inner.to_ascii_lowercase()), port)
    } else {
        let (h, p) = match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let h = h.to_ascii_lowercase();
        if h.is_empty()
            || h.starts_with('.')
            || h.starts_with('-')
            || h.contains("..")
            || !h
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        {
            return None;
        }
        (h.trim_end_matches('.').to_owned(), p)
    };
    let port = match port {
        None => None,
        Some(p) => {
            if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let n: u16 = p.parse().ok()?;
            let default = if scheme == "https" { 443 } else { 80 };
            (n != default).then_some(n)
        }
    };
    Some(ParsedUrl {
        scheme,
        host,
        port,
        rest: rest.to_owned(),
    })
}

/// Whether `s` may be configured as an allowed return URL: absolute, `https` (or `http` on a
/// loopback host), no credentials, no fragment.
pub fn validate_allowed_url(s: &str) -> bool {
    match parse_origin(s) {
        Some(u) => {
            (u.scheme == "https" || u.is_loopback())
                && !u.rest.contains('#')
                && (u.rest.is_empty() || u.rest.starts_with('/'))
        }
        None => false,
    }
}

/// `true` when `p` is a safe same-origin path: starts with a single `/`, only path and query
/// characters, no fragment, no `..`/`.` segment, no encoded slash, backslash, dot or percent.
fn safe_relative_path(p: &str) -> bool {
    if !p.starts_with('/') || p.starts_with("//") || !clean_ascii(p) {
        return false;
    }
    if p.bytes().any(|b| {
        matches!(
            b,
            b'#' | b'"' | b'<' | b'>' | b'`' | b'{' | b'}' | b'|' | b'^' | b'@' | b'\''
        )
    }) {
        return false;
    }
    let lower = p.to_ascii_lowercase();
    for bad in [
        "%2f", "%5c", "%2e", "%25", "%00", "%09", "%0a", "%0d", "%20",
    ] {
        if lower.contains(bad) {
            return false;
        }
    }
    let decoded = decode_component(p, false);
    if !clean_ascii(&decoded) || decoded.starts_with("//") {
        return false;
    }
    let path = decoded.split('?').next().unwrap_or("");
    !path.split('/').any(|seg| seg == ".." || seg == ".")
}

/// Validates a `return_to` (SEC-12, SEC-13): exactly one of the configured
/// `EDGE_RETURN_URLS`, a same-origin relative path, or an absolute URL on the gateway's own
/// origin (spelled exactly) with a safe path. Returns the absolute URL to redirect
/// to, or `None`.
///
/// ```
/// use composio_edge::gateway::{GatewayConfig, redirect::validate_return_to};
/// let cfg = GatewayConfig::from_vars(|n| (n == "EDGE_RETURN_URLS").then(|| "https://app.example.com/done".into())).unwrap();
/// let own = "https://edge.example.com";
/// assert_eq!(validate_return_to("/settings?tab=apps", &cfg, own).as_deref(), Some("https://edge.example.com/settings?tab=apps"));
/// assert_eq!(validate_return_to("https://app.example.com/done", &cfg, own).as_deref(), Some("https://app.example.com/done"));
/// assert_eq!(validate_return_to("https://app.example.com/done/", &cfg, own), None);
/// assert_eq!(validate_return_to("https://edge.example.com/done", &cfg, own).as_deref(), Some("https://edge.example.com/done"));
/// assert_eq!(validate_return_to("https://edge.example.com@evil.com/", &cfg, own), None);
/// assert_eq!(validate_return_to("//evil.com", &cfg, own), None);
/// ```
pub fn validate_return_to(raw: &str, cfg: &GatewayConfig, own_origin: &str) -> Option<String> {
    if raw.len() > 2048 {
        return None;
    }
    if cfg.return_urls.iter().any(|u| u == raw) && validate_allowed_url(raw) {
        return Some(raw.to_owned());
    }
    if safe_relative_path(raw) {
        return Some(format!("{own_origin}{raw}"));
    }
    // An absolute URL on the gateway's own origin, spelled exactly, with a safe path.
    if let Some(rest) = raw.strip_prefix(own_origin) {
        let path = if rest.is_empty() { "/" } else { rest };
        if safe_relative_path(path) {
            return Some(format!("{own_origin}{path}"));
        }
    }
    None
}

/// Whether a `redirect_url` from the API may be navigated to (SEC-14): `https` on
/// `composio.dev` or a subdomain, or a configured host; in emulator mode also the gateway's
/// own origin (the emulator's connect page).
///
/// ```
/// use composio_edge::gateway::{GatewayConfig, redirect::redirect_host_allowed};
/// let cfg = GatewayConfig::from_vars(|_| None).unwrap();
/// assert!(redirect_host_allowed("https://connect.composio.dev/link/ln_1", &cfg, "http://127.0.0.1:8787"));
/// assert!(redirect_host_allowed("http://127.0.0.1:8787/link/ln_1", &cfg, "http://127.0.0.1:8787"));
/// assert!(!redirect_host_allowed("https://connect.composio.dev.evil.com/", &cfg, "http://127.0.0.1:8787"));
/// ```
pub fn redirect_host_allowed(url: &str, cfg: &GatewayConfig, own_origin: &str) -> bool {
    let Some(u) = parse_origin(url) else {
        return false;
    };
    if cfg.emulator_mode && u.origin() == own_origin.to_ascii_lowercase() {
        return true;
    }
    u.scheme == "https"
        && (u.host == "composio.dev"
            || u.host.ends_with(".composio.dev")
            || cfg.redirect_hosts.contains(&u.host))
}

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
                && self
                    .host
                    .split('.')
                    .all(|p| p.parse::<u16>().is_ok_and(|n| n <= 255))
    }
}

/// `true` when every byte is printable ASCII other than space and backslash.
/// Whether `h` is an IPv4 address in canonical dotted decimal (what `std::net::Ipv4Addr`
/// parses and prints back unchanged), without linking `std::net` into the Worker.
fn ipv4_canonical(h: &str) -> bool {
    let parts: Vec<&str> = h.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// The RFC 5952 spelling of an IPv6 address of hex groups and colons, as
/// `std::net::Ipv6Addr` prints it; `None` when it does not parse, or prints with a dotted
/// IPv4 tail (IPv4-mapped), which such a spelling can never equal.
fn ipv6_canonical(s: &str) -> Option<String> {
    fn groups(p: &str) -> Option<Vec<u16>> {
        if p.is_empty() {
            return Some(Vec::new());
        }
        p.split(':')
            .map(|g| {
                let hex = (1..=4).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_hexdigit());
                hex.then(|| u16::from_str_radix(g, 16).ok()).flatten()
            })
            .collect()
    }
    let mut seg = [0u16; 8];
    match s.split_once("::") {
        None => {
            let g = groups(s)?;
            if g.len() != 8 {
                return None;
            }
            seg.copy_from_slice(&g);
        }
        Some((head, tail)) => {
            let (h, t) = (groups(head)?, groups(tail)?);
            if h.len() + t.len() > 7 {
                return None;
            }
            for (i, v) in h.iter().enumerate() {
                seg[i] = *v;
            }
            for (i, v) in t.iter().enumerate() {
                seg[8 - t.len() + i] = *v;
            }
        }
    }
    if seg[..5].iter().all(|&g| g == 0) && seg[5] == 0xffff {
        return None;
    }
    // The longest run of two or more zero groups (the first of equals) becomes `::`.
    let (mut best, mut cur) = ((0, 0), (0, 0));
    for (i, &g) in seg.iter().enumerate() {
        if g == 0 {
            if cur.1 == 0 {
                cur.0 = i;
            }
            cur.1 += 1;
            if cur.1 > best.1 {
                best = cur;
            }
        } else {
            cur = (0, 0);
        }
    }
    let hex = |gs: &[u16]| {
        gs.iter()
            .map(|g| format!("{g:x}"))
            .collect::<Vec<_>>()
            .join(":")
    };
    Some(if best.1 > 1 {
        format!("{}::{}", hex(&seg[..best.0]), hex(&seg[best.0 + best.1..]))
    } else {
        hex(&seg)
    })
}

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
        // Only a valid address already in its canonical (RFC 5952) spelling, which is how a
        // browser serializes it: anything else is refused rather than normalized.
        if ipv6_canonical(inner)? != inner.to_ascii_lowercase() {
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
        let h = h.trim_end_matches('.');
        // A browser reads a host whose last label is a number (`1`, `0x7f`) as an IPv4
        // address, in decimal, octal or hex: only canonical dotted-decimal IPv4 is accepted.
        let last = h.rsplit('.').next().unwrap_or_default();
        let numeric = !last.is_empty()
            && (last.bytes().all(|b| b.is_ascii_digit())
                || (last.starts_with("0x") && last.bytes().skip(2).all(|b| b.is_ascii_hexdigit())));
        if numeric && !ipv4_canonical(h) {
            return None;
        }
        (h.to_owned(), p)
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

#[cfg(test)]
mod tests {
    use super::{ipv4_canonical, ipv6_canonical};

    /// Agrees with `std::net` on every spelling the origin parser can hand it.
    #[test]
    fn ip_spellings_match_std_net() {
        for h in [
            "1.2.3.4",
            "0.0.0.0",
            "255.255.255.255",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3",
            "1.2.3.4.5",
            "1..3.4",
            "127.0.0.1",
            "1.2.3.04",
            "1000.1.1.1",
            "0.0.0.00",
            "a.b.c.d",
            "",
        ] {
            let std = h
                .parse::<std::net::Ipv4Addr>()
                .is_ok_and(|a| a.to_string() == h);
            assert_eq!(ipv4_canonical(h), std, "{h}");
        }
        for s in [
            "::",
            "::1",
            "1::",
            "1::1",
            "2001:db8::1",
            "2001:db8:0:0:1:0:0:1",
            "2001:db8::1:0:0:1",
            "2001:0db8::1",
            "2001:DB8::1",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:8:9",
            "1::2::3",
            ":1::2",
            "1:::2",
            ":::",
            "::ffff:102:304",
            "::ffff:0:1",
            "0:0:0:0:0:ffff:1:2",
            "1:0:0:2:0:0:0:3",
            "1:0:0:2:0:0:3:4",
            "0:0:1:0:0:1:0:0",
            "::0:1",
            "12345::1",
            "fe80::",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1:2:3:4:5:6::7:8",
            "0::",
            "1:0:2:0:3:0:4:0",
        ] {
            let std = s.parse::<std::net::Ipv6Addr>().ok().map(|a| a.to_string());
            let std = std.filter(|c| !c.contains('.'));
            assert_eq!(ipv6_canonical(s), std, "{s}");
        }
    }
}

//! Redirect and return-to validation (`gateway::redirect`, SEC-12/13/14), checked against a
//! WHATWG URL parser (the `url` crate) standing in for the browser: whatever is accepted
//! resolves, in the browser's reading, to the gateway's own origin or to exactly one
//! configured URL; a parsed origin is the origin the browser sees; an allowed `redirect_url`
//! host is `composio.dev`, one of its subdomains or a configured host.
//!
//! Input: `candidate\0configured-return-url\0redirect-host`.
#![no_main]

#[path = "common.rs"]
mod common;

use composio_edge::gateway::redirect::{
    parse_origin, redirect_host_allowed, validate_allowed_url, validate_return_to,
};
use composio_edge::gateway::GatewayConfig;
use libfuzzer_sys::fuzz_target;
use url::Url;

const OWN: &str = "https://edge.example.com";

/// The origin a browser sees, with a trailing dot on the host dropped: `parse_origin` folds
/// `host.` into `host` on purpose (the same DNS name), which is safe for every use it has.
fn browser_origin(u: &str) -> Option<String> {
    let mut u = Url::parse(u).ok()?;
    if let Some(h) = u
        .host_str()
        .filter(|h| h.ends_with('.'))
        .map(|h| h.trim_end_matches('.').to_owned())
    {
        u.set_host(Some(&h)).ok()?;
    }
    Some(u.origin().ascii_serialization())
}

fuzz_target!(|data: &[u8]| {
    let (cand, rest) = common::split2(data);
    let (ret, host) = common::split2(rest);
    let cand = String::from_utf8_lossy(cand).into_owned();
    let ret = String::from_utf8_lossy(ret).into_owned();
    let host = String::from_utf8_lossy(host).into_owned();
    let vars = |n: &str| match n {
        "EDGE_RETURN_URLS" => Some(format!("[{}]", composio_edge::json::Value::from(ret.clone()))),
        "EDGE_REDIRECT_HOSTS" => Some(format!("[{}]", composio_edge::json::Value::from(host.clone()))),
        _ => None,
    };
    let cfg = GatewayConfig::from_vars(vars).expect("never fails");

    // parse_origin agrees with the browser on the origin.
    // (A URL the browser cannot parse at all, e.g. a bad `xn--` label, cannot be navigated to
    // and is harmless; it is only required that no parse disagrees.)
    if let (Some(p), Some(b)) = (parse_origin(&cand), browser_origin(&cand)) {
        assert_eq!(p.origin(), b, "origin of {cand:?}");
    }

    // return_to: the own origin (relative or spelled exactly) or exactly a configured URL.
    if let Some(target) = validate_return_to(&cand, &cfg, OWN) {
        let base = Url::parse(OWN).expect("own origin parses");
        // What the browser does with the raw value if it were used as a Location.
        let resolved = base
            .join(&cand)
            .unwrap_or_else(|_| panic!("browser cannot resolve {cand:?}"));
        let configured = cfg.return_urls.iter().any(|u| *u == cand);
        if configured {
            assert_eq!(target, cand);
            assert!(validate_allowed_url(&cand));
            assert_eq!(
                resolved.origin(),
                Url::parse(&cand).expect("configured parses").origin()
            );
        } else {
            assert_eq!(
                resolved.origin().ascii_serialization(),
                OWN,
                "{cand:?} leaves the origin"
            );
            assert_eq!(browser_origin(&target).as_deref(), Some(OWN), "{target:?}");
            assert!(target.starts_with(&format!("{OWN}/")));
            assert!(resolved.fragment().is_none());
        }
        assert!(
            !target.contains(['\\', '\t', '\n', '\r', ' ', '#']),
            "{target:?}"
        );
    }

    // redirect_url from the API.
    for emulator in [false, true] {
        let mut c = cfg.clone();
        c.emulator_mode = emulator;
        if redirect_host_allowed(&cand, &c, OWN) {
            let Ok(u) = Url::parse(&cand) else { continue };
            let h = u
                .host_str()
                .unwrap_or_default()
                .trim_end_matches('.')
                .to_ascii_lowercase();
            let own = browser_origin(&cand).as_deref() == Some(OWN);
            let composio =
                u.scheme() == "https" && (h == "composio.dev" || h.ends_with(".composio.dev"));
            let configured = u.scheme() == "https" && c.redirect_hosts.iter().any(|x| *x == h);
            assert!(
                composio || configured || (emulator && own),
                "{cand:?} allowed"
            );
            assert!(u.username().is_empty() && u.password().is_none());
        }
    }
});

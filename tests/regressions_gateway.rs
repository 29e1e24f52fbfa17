//! Regressions found by fuzzing the gateway's URL checks against a WHATWG URL parser
//! (fuzz target `redirect`).

use composio_edge::gateway::redirect::{parse_origin, redirect_host_allowed, validate_allowed_url};
use composio_edge::gateway::GatewayConfig;

/// fuzz/redirect: `https://[:21]:8787/lk` was accepted although no browser can parse that
/// host; non-canonical IPv6 spellings gave an origin the browser spells differently.
#[test]
fn invalid_or_non_canonical_ipv6_hosts_are_refused() {
    for url in [
        "https://[:21]:8787/lk",
        "https://[1:2:3]/",
        "https://[::1::2]/",
        "http://[0:0:0:0:0:0:0:1]:8787/",
        "http://[::FFFF:C000:280]/",
        "http://[::ffff:c000:280]/",
    ] {
        assert_eq!(parse_origin(url), None, "{url}");
        assert!(!validate_allowed_url(url), "{url}");
    }
    let p = parse_origin("http://[::1]:8787/cb").unwrap();
    assert_eq!(p.origin(), "http://[::1]:8787");
    assert!(p.is_loopback());
    assert!(validate_allowed_url("http://[::1]:8787/cb"));
    assert_eq!(
        parse_origin("https://[2001:db8::1]/").unwrap().origin(),
        "https://[2001:db8::1]"
    );
}

/// An emulator-mode redirect to a malformed IPv6 own origin is not allowed.
#[test]
fn malformed_ipv6_redirect_is_not_allowed() {
    let cfg = GatewayConfig::from_vars(|_| None).unwrap();
    assert!(!redirect_host_allowed(
        "http://[:21]:8787/link/x",
        &cfg,
        "http://[:21]:8787"
    ));
    assert!(redirect_host_allowed(
        "http://[::1]:8787/link/x",
        &cfg,
        "http://[::1]:8787"
    ));
}

/// fuzz/redirect: hosts ending in a number were accepted as names although a browser reads
/// them as IPv4 in decimal, octal or hex (`0x7f.1` is 127.0.0.1, `white.0` is invalid).
#[test]
fn numeric_hosts_must_be_canonical_ipv4() {
    for url in [
        "https://white.0",
        "http://0x7f.1/",
        "http://2130706433/",
        "http://127.1/",
        "http://127.010.0.1/",
        "https://a.0x10/",
        "http://1.2.3.4.5/",
    ] {
        assert_eq!(parse_origin(url), None, "{url}");
    }
    let p = parse_origin("http://127.0.0.1:8787/").unwrap();
    assert!(p.is_loopback());
    assert_eq!(p.origin(), "http://127.0.0.1:8787");
    assert!(parse_origin("https://10.0.0.1/").is_some());
    assert!(parse_origin("https://app1.example.com/").is_some());
    assert!(parse_origin("https://0x.example/").is_some());
}

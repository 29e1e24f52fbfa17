//! `crate::encoding`: base64url is a canonical bijection, percent-encoding round-trips, and
//! query parsing never panics on arbitrary text.
#![no_main]

use composio_edge::encoding::{
    base64url_decode, base64url_encode, decode_component, encode_component, hex, parse_query,
    query_param,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Bytes → base64url → bytes.
    let enc = base64url_encode(data);
    assert!(enc
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    assert_eq!(enc.len(), (data.len() * 4).div_ceil(3));
    assert_eq!(base64url_decode(&enc).as_deref(), Some(data));
    assert_eq!(hex(data).len(), data.len() * 2);

    let s = String::from_utf8_lossy(data);
    // Anything accepted by the decoder is canonical: it re-encodes to the same text.
    if let Some(bytes) = base64url_decode(&s) {
        assert_eq!(base64url_encode(&bytes), s);
    }
    // encodeURIComponent then decode gives the text back, with either `+` rule.
    let c = encode_component(&s);
    assert!(c
        .bytes()
        .all(|b| b.is_ascii() && b != b'&' && b != b'=' && b != b'+' && b != b' '));
    assert_eq!(decode_component(&c, false), s);
    assert_eq!(decode_component(&c, true), s);
    // Arbitrary text decodes without panic; text without `%` and `+` is unchanged.
    let d = decode_component(&s, true);
    if !s.contains(['%', '+']) {
        assert_eq!(d, s);
    }
    let _ = decode_component(&s, false);
    // Queries: every pair comes back from its encoded form.
    let pairs = parse_query(&s);
    let rebuilt: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
        .collect();
    let reparsed = parse_query(&rebuilt.join("&"));
    assert_eq!(reparsed, pairs);
    if let Some((k, v)) = pairs.first() {
        assert_eq!(query_param(&s, k).as_deref(), Some(v.as_str()));
    }
});

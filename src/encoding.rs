//! Small encoders shared by every face: base64url (no padding), hex, percent-encoding with the
//! `encodeURIComponent` set, and `application/x-www-form-urlencoded` / query parsing.

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5).
///
/// ```
/// assert_eq!(composio_edge::encoding::base64url_encode(b"\xfb\xff"), "-_8");
/// ```
pub fn base64url_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(B64URL[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes base64url without padding; `None` on any other character, on padding or on a
/// non-canonical tail.
///
/// ```
/// use composio_edge::encoding::{base64url_decode, base64url_encode};
/// assert_eq!(base64url_decode(&base64url_encode(b"hello")).as_deref(), Some(&b"hello"[..]));
/// assert_eq!(base64url_decode("a+b="), None);
/// ```
pub fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let v = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'-' => 62,
                b'_' => 63,
                _ => return None,
            };
            n |= u32::from(v) << (18 - 6 * i);
        }
        let full = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        let take = chunk.len() - 1;
        // Reject non-zero bits past the end (canonical encoding only).
        let tail_mask = match take {
            1 => 0xFFFF,
            2 => 0xFF,
            _ => 0,
        };
        if n & tail_mask != 0 {
            return None;
        }
        out.extend_from_slice(&full[..take]);
    }
    Some(out)
}

/// Lowercase hex.
///
/// ```
/// assert_eq!(composio_edge::encoding::hex(&[0, 255]), "00ff");
/// ```
pub fn hex(data: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(data.len() * 2);
    for b in data {
        s.push(H[(b >> 4) as usize] as char);
        s.push(H[(b & 15) as usize] as char);
    }
    s
}

/// Percent-encodes like JavaScript's `encodeURIComponent` (keeps `A-Z a-z 0-9 - _ . ! ~ * ' ( )`).
///
/// ```
/// assert_eq!(composio_edge::encoding::encode_component("gmail,github"), "gmail%2Cgithub");
/// assert_eq!(composio_edge::encoding::encode_component("a b/é"), "a%20b%2F%C3%A9");
/// ```
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push_str(&hex(&[b]).to_ascii_uppercase());
        }
    }
    out
}

/// Percent-decodes; with `plus_as_space` a `+` means a space (form encoding). Invalid escapes
/// are kept literally; invalid UTF-8 is replaced.
///
/// ```
/// assert_eq!(composio_edge::encoding::decode_component("a%20b+c", true), "a b c");
/// ```
pub fn decode_component(s: &str, plus_as_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex_val(b[i + 1]), hex_val(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_as_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Parses a query string or form body (`a=1&b=x%20y`) into pairs, in order.
///
/// ```
/// let q = composio_edge::encoding::parse_query("a=1&b=x%20y&c&&d=");
/// assert_eq!(q, vec![("a".into(), "1".into()), ("b".into(), "x y".into()), ("c".into(), "".into()), ("d".into(), "".into())]);
/// ```
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode_component(k, true), decode_component(v, true)),
            None => (decode_component(p, true), String::new()),
        })
        .collect()
}

/// The first value of `name` in a query string.
///
/// ```
/// assert_eq!(composio_edge::encoding::query_param("x=1&state=abc", "state").as_deref(), Some("abc"));
/// ```
pub fn query_param(q: &str, name: &str) -> Option<String> {
    parse_query(q)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Escapes text for HTML element content and attribute values (`& < > " '`).
///
/// ```
/// assert_eq!(composio_edge::encoding::escape_html("<a href='x'>&"), "&lt;a href=&#39;x&#39;&gt;&amp;");
/// ```
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `parts.join(sep)`, with far less code in the wasm than std's vectorized `join`.
///
/// ```
/// assert_eq!(composio_edge::encoding::join(&["a", "b", "c"], ", "), "a, b, c");
/// assert_eq!(composio_edge::encoding::join::<String>(&[], ", "), "");
/// ```
pub fn join<S: AsRef<str>>(parts: &[S], sep: &str) -> String {
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(part.as_ref());
    }
    out
}

/// Number of Unicode scalar values in `s` (what `s.chars().count()` gives), counted on the bytes:
/// every byte that does not continue a UTF-8 sequence starts a character. Far less code in the
/// wasm than core's vectorized counter.
///
/// ```
/// assert_eq!(composio_edge::encoding::char_count("añ€😀"), 4);
/// ```
pub fn char_count(s: &str) -> usize {
    s.bytes().filter(|b| b & 0xC0 != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_every_length() {
        for n in 0..40u8 {
            let data: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(base64url_decode(&base64url_encode(&data)), Some(data));
        }
    }

    #[test]
    fn decode_component_keeps_bad_escapes() {
        assert_eq!(decode_component("%", false), "%");
        assert_eq!(decode_component("%4", false), "%4");
        assert_eq!(decode_component("%zz", false), "%zz");
        assert_eq!(decode_component("%41", false), "A");
        assert_eq!(decode_component("a+b", false), "a+b");
    }
}

//! `wire::json` against serde_json on random documents: the same values (numbers, key order),
//! the same error messages and positions, the same compact text. No proptest: a seeded
//! xorshift generator, so a failure prints the input that broke it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use composio_edge::wire::json::{parse, parse_bytes, to_text};
use serde_json::Value;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "12",
    "1.5",
    "-0.0",
    "1e5",
    "1E+5",
    "1e-5",
    "2.5e-3",
    "123456789012345678",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999",
    "1.7976931348623157e308",
    "1e309",
    "-1e309",
    "5e-324",
    "1e-400",
    "0.1",
    "0.30000000000000004",
    "2.0555555555555558e+28",
    "123456789012345678901234567890.123456789",
    "1.00000000000000000000001",
    "1e2147483648",
    "0e2147483648",
    "1e-2147483648",
    "01",
    "1.",
    "-",
    "1e",
    "1e+",
    ".5",
    "+1",
    "1.e3",
    "00",
    "-01",
    "1ee3",
    "4.9e-325",
    "3.14159265358979323846",
    "1e22",
    "1e23",
    "9007199254740993",
];

const STRINGS: &[&str] = &[
    r#""""#,
    r#""a""#,
    r#""\"\\\/\b\f\n\r\t""#,
    r#""\u00e9\u0041""#,
    r#""\ud83d\ude00""#,
    r#""\ud83d""#,
    r#""\ude00""#,
    r#""\ud83dx""#,
    r#""\ud83d\n""#,
    r#""\ud83d\u0041""#,
    r#""\u12""#,
    r#""\uZZZZ""#,
    r#""\x""#,
    "\"é ü 😀\"",
    "\"tab\there\"",
    "\"nl\nx\"",
    "\"\u{7f}\"",
    r#""abc"#,
    r#""\"#,
    r#""\u"#,
    r#""\ud83d\"#,
    r#""\ud83d\u"#,
];

fn gen_value(r: &mut Rng, depth: u32, out: &mut String) {
    let ws = [" ", "\n", "\t", "\r", "", "", "", ""];
    out.push_str(ws[r.below(ws.len() as u64) as usize]);
    match if depth > 4 { r.below(5) } else { r.below(8) } {
        0 => out.push_str(r.pick(&["null", "true", "false", "nul", "tru", "fals", "nulx"])),
        1 | 2 => out.push_str(r.pick(NUMBERS)),
        3 | 4 => out.push_str(r.pick(STRINGS)),
        5 | 6 => {
            out.push('[');
            let n = r.below(4);
            for i in 0..n {
                if i > 0 {
                    out.push_str(r.pick(&[",", ",", ",", ", ", ""]));
                }
                gen_value(r, depth + 1, out);
            }
            out.push_str(r.pick(&["]", "]", "]", "]", ",]", ""]));
        }
        _ => {
            out.push('{');
            let n = r.below(4);
            for i in 0..n {
                if i > 0 {
                    out.push_str(r.pick(&[",", ",", ",", " ,", ""]));
                }
                out.push_str(r.pick(&[r#""a""#, r#""b""#, r#""a""#, r#""\u0061""#, "1", r#""k"#]));
                out.push_str(r.pick(&[":", ":", ":", " : ", ""]));
                gen_value(r, depth + 1, out);
            }
            out.push_str(r.pick(&["}", "}", "}", "}", ",}", ""]));
        }
    }
    out.push_str(ws[r.below(ws.len() as u64) as usize]);
}

/// Compares both parsers on `input`; `true` when it is valid JSON.
fn same(input: &str) -> bool {
    let ours = parse(input);
    let theirs = serde_json::from_str::<Value>(input);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "value of {input:?}");
            // Value equality ignores key order and conflates nothing else; the text shows
            // order and the exact float.
            assert_eq!(a.to_string(), b.to_string(), "text of {input:?}");
            assert_eq!(to_text(a), b.to_string(), "writer on {input:?}");
            // The own Value through serde's data model (serde_json's reader) agrees too.
            let via = serde_json::from_str::<composio_edge::json::Value>(input);
            assert_eq!(via.ok().as_ref(), Some(a), "serde path of {input:?}");
            assert_eq!(
                serde_json::Value::from(a.clone()),
                *b,
                "conversion of {input:?}"
            );
        }
        (Err(a), Err(b)) => {
            assert_eq!(a.to_string(), b.to_string(), "error of {input:?}");
            assert_eq!((a.line(), a.column()), (b.line(), b.column()), "{input:?}");
        }
        _ => panic!("{input:?}: ours {ours:?}, serde_json {theirs:?}"),
    }
    assert_eq!(
        parse_bytes(input.as_bytes()).is_ok(),
        serde_json::from_slice::<Value>(input.as_bytes()).is_ok(),
        "bytes of {input:?}"
    );
    ours.is_ok()
}

#[test]
fn random_documents_match_serde_json() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let mut valid = 0;
    for _ in 0..40_000 {
        let mut doc = String::new();
        gen_value(&mut r, 0, &mut doc);
        if r.below(10) == 0 {
            doc.push_str(r.pick(&["x", " 1", "]", "}", ","]));
        }
        valid += usize::from(same(&doc));
        // Every prefix of a short document: the EOF errors.
        if doc.len() < 40 {
            for (i, _) in doc.char_indices() {
                same(&doc[..i]);
            }
        }
    }
    // Both sides of the comparison are exercised.
    assert!((4_000..36_000).contains(&valid), "{valid} valid documents");
}

#[test]
fn fixed_cases_match_serde_json() {
    for s in NUMBERS.iter().chain(STRINGS) {
        let ok = same(s);
        assert_eq!(same(&format!("[{s}]")), ok);
        assert_eq!(same(&format!("{{\"k\":{s}}}")), ok);
    }
    for s in [
        "",
        " ",
        "\n\n  x",
        "[",
        "{",
        "[1 2]",
        "{\"a\" 1}",
        "{\"a\":1 \"b\":2}",
        "{1:2}",
        "{\"a\":1,}",
        "[1,]",
        "[,1]",
        "{,}",
        "\"\u{1}\"",
        "[1]x",
        "{\"a\":1,\"a\":2,\"b\":3}",
        "{\"b\":1,\"a\":2,\"b\":3}",
        "\u{feff}1",
        "[\n1,\n2\n,]",
    ] {
        same(s);
    }
    assert!(same("{\"b\":1,\"a\":2,\"b\":3}"));
    assert!(!same("[1,]"));
}

#[test]
fn nesting_limit_matches_serde_json() {
    for n in [126, 127, 128, 129, 400] {
        assert_eq!(
            same(&format!("{}{}", "[".repeat(n), "]".repeat(n))),
            n < 128
        );
        same(&format!(
            "{}1{}",
            "{\"a\":[".repeat(n / 2),
            "]}".repeat(n / 2)
        ));
        same(&"[".repeat(n));
    }
    // Deep input is an error, not a stack overflow.
    assert!(parse(&"[".repeat(100_000)).is_err());
}

#[test]
fn writer_matches_serde_json() {
    let mut r = Rng(42);
    for _ in 0..2_000 {
        let mut s = String::new();
        for _ in 0..r.below(12) {
            let c = match r.below(4) {
                0 => char::from_u32(r.below(0x80) as u32).unwrap_or('a'),
                1 => char::from_u32(r.below(0x20) as u32).unwrap_or('a'),
                2 => ['"', '\\', '\u{7f}', 'é', '😀', '\u{2028}'][r.below(6) as usize],
                _ => char::from_u32(r.below(0x11_0000) as u32).unwrap_or('x'),
            };
            s.push(c);
        }
        let f = f64::from_bits(r.next());
        let v = serde_json::json!({ s.clone(): [s, f, r.next(), -(r.below(1 << 40) as i64), 0.1, 1e300, -0.0] });
        let ours = composio_edge::json::Value::from(v.clone());
        assert_eq!(to_text(&ours), v.to_string());
        assert_eq!(ours.to_string(), v.to_string());
        assert_eq!(serde_json::to_string(&ours).ok(), Some(v.to_string()));
    }
}

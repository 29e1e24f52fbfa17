//! `wire::json` (the browser package's JSON reader and writer) against serde_json: on any text
//! the same value or the same error (message and position); the writer gives
//! `Value::to_string`'s text. Floats are compared within 64 ULPs only: this fuzz build turns on
//! serde_json's `float_roundtrip` (see Cargo.toml), so serde_json reads floats exactly here,
//! while `wire::json` keeps serde_json's default (inexact) reading, which the main crate uses;
//! there the two agree bit for bit (`tests/json_equiv.rs`).
#![no_main]

use composio_edge::wire::json::{parse, parse_bytes, to_text};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn close(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() && y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            x == y || (x.to_bits() as i64 - y.to_bits() as i64).abs() <= 64
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| close(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((ka, a), (kb, b))| ka == kb && close(a, b))
        }
        _ => a == b,
    }
}

fuzz_target!(|data: &[u8]| {
    let ours = parse_bytes(data);
    let theirs = serde_json::from_slice::<Value>(data);
    assert_eq!(ours.is_ok(), theirs.is_ok());
    if let Ok(s) = std::str::from_utf8(data) {
        match (parse(s), serde_json::from_str::<Value>(s)) {
            (Ok(ours), Ok(b)) => {
                // The crate's own Value, compared through the serde_json conversion.
                let a = Value::from(ours.clone());
                assert!(close(&a, &b), "{a} != {b}");
                assert_eq!(to_text(&ours), a.to_string());
                assert_eq!(ours.to_string(), a.to_string());
                let b_ours = composio_edge::json::Value::from(b.clone());
                assert_eq!(to_text(&b_ours), b.to_string());
                // What the writer prints reads back as serde_json reads it. (Not always to
                // the same float: serde_json's default float reading is not exact either.)
                let back = to_text(&ours);
                let again = Value::from(parse(&back).unwrap());
                assert!(close(&again, &serde_json::from_str(&back).unwrap()));
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("ours {a:?}, serde_json {b:?}"),
        }
    }
});

//! `tools::args::normalize_arguments(_str)` over arbitrary text and JSON: never panics, accepts
//! exactly null / "" / whitespace / an object / a JSON string of an object.
#![no_main]

use composio_edge::tools::args::{normalize_arguments, normalize_arguments_str};
use composio_edge::Error;
use libfuzzer_sys::fuzz_target;
use composio_edge::json::Value;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    match normalize_arguments_str(&s) {
        Ok(m) => {
            if s.trim().is_empty() {
                assert!(m.is_empty());
            } else {
                assert!(matches!(
                    serde_json::from_str::<Value>(&s),
                    Ok(Value::Object(_))
                ));
            }
        }
        Err(Error::InvalidToolArguments(msg)) => assert!(!msg.is_empty()),
        Err(e) => panic!("unexpected error {}", e.code()),
    }
    // The same text as a JSON string value gives the same answer.
    let as_string = normalize_arguments(&Value::String(s.to_string()));
    assert_eq!(as_string.is_ok(), normalize_arguments_str(&s).is_ok());

    if let Ok(v) = serde_json::from_slice::<Value>(data) {
        let r = normalize_arguments(&v);
        match &v {
            Value::Null => assert!(r.as_ref().is_ok_and(|m| m.is_empty())),
            Value::Object(o) => assert_eq!(r.as_ref().ok(), Some(o)),
            Value::String(_) => {}
            _ => assert!(matches!(r, Err(Error::InvalidToolArguments(_)))),
        }
        if let Err(e) = r {
            let _ = (e.to_string(), e.code());
        }
    }
});

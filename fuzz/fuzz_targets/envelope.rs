//! The error envelope (wire §1.5) and `decode_json` over arbitrary statuses and bodies.
#![no_main]

#[path = "common.rs"]
mod common;

use composio_edge::wire::{api_error_from_response, decode_json, envelope::MAX_KEPT_BODY};
use composio_edge::{wire, Error};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let status = 100 + u16::from_le_bytes([data[0], data[1]]) % 500;
    let with_header = data[2] & 1 == 1;
    let (rid, body) = if with_header {
        common::split2(&data[3..])
    } else {
        (&b""[..], &data[3..])
    };
    let headers: Vec<(&'static str, &[u8])> = if with_header {
        vec![("x-request-id", rid)]
    } else {
        vec![]
    };
    let res = common::response(status, &headers, body);

    let e = api_error_from_response(&res);
    // A 2xx that reaches the envelope is always reported as a failure status.
    if status < 300 {
        assert!(
            (400..=599).contains(&e.status),
            "2xx envelope status {}",
            e.status
        );
    } else {
        assert_eq!(e.status, status);
    }
    assert!(!e.message.is_empty());
    // Display and code never panic.
    let err = Error::Api(Box::new(e));
    let _ = (
        err.to_string(),
        err.code(),
        err.http_status(),
        err.is_retryable(),
    );

    for r in [
        decode_json::<composio_edge::json::Value>(&res).map(|_| ()),
        decode_json::<wire::Tool>(&res).map(|_| ()),
        decode_json::<Vec<wire::Tool>>(&res).map(|_| ()),
        decode_json::<wire::ExecuteResponse>(&res).map(|_| ()),
    ] {
        match r {
            Ok(()) => assert!(res.status().is_success()),
            Err(Error::Api(a)) => assert!(a.status >= 300),
            Err(Error::Decode {
                status: s, body, ..
            }) => {
                assert_eq!(s, status);
                assert!(body.chars().count() <= MAX_KEPT_BODY);
            }
            Err(other) => panic!("unexpected error kind {}", other.code()),
        }
    }
});

//! `transport::{retry_delay_ms, parse_http_date_ms, should_retry}` with arbitrary headers: the
//! delay is always below the 60 s cap, header delays are honoured only inside `[0, 60 s)`, and
//! date parsing never overflows.
#![no_main]

#[path = "common.rs"]
mod common;

use arbitrary::Arbitrary;
use composio_edge::transport::{parse_http_date_ms, retry_delay_ms, rfc3339, should_retry};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    retry: u32,
    jitter: f64,
    now_ms: u64,
    status: u16,
    retry_after_ms: Option<Vec<u8>>,
    retry_after: Option<Vec<u8>>,
    should_retry: Option<Vec<u8>>,
    date: String,
}

fuzz_target!(|inp: Input| {
    let mut headers: Vec<(&'static str, &[u8])> = Vec::new();
    if let Some(v) = &inp.retry_after_ms {
        headers.push(("retry-after-ms", v));
    }
    if let Some(v) = &inp.retry_after {
        headers.push(("retry-after", v));
    }
    if let Some(v) = &inp.should_retry {
        headers.push(("x-should-retry", v));
    }
    let res = common::response(100 + inp.status % 500, &headers, b"");
    let d = retry_delay_ms(inp.retry, Some(res.headers()), inp.jitter, inp.now_ms);
    assert!(d < 60_000, "delay {d}");
    let no_headers = retry_delay_ms(inp.retry, None, inp.jitter, inp.now_ms);
    assert!((375..=8_000).contains(&no_headers), "backoff {no_headers}");
    if inp.retry_after_ms.is_none() && inp.retry_after.is_none() {
        assert_eq!(d, no_headers);
    }
    let _ = should_retry(&Ok(res));

    // Dates: anything accepted formats back to a valid RFC 3339 timestamp.
    if let Some(ms) = parse_http_date_ms(&inp.date) {
        let t = rfc3339(ms);
        assert!(t.ends_with('Z'));
    }
    let _ = rfc3339(inp.now_ms);
});

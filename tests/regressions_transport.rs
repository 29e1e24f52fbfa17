//! Crash regressions found by fuzzing `transport` (fuzz target `retry`).

use composio_edge::http;
use composio_edge::transport::{parse_http_date_ms, retry_delay_ms};

/// fuzz/retry: a `retry-after` date with a year wider than four digits overflowed the day
/// arithmetic (a panic in debug builds, a wrapped timestamp in release).
#[test]
fn http_date_with_huge_year_is_rejected_not_overflowed() {
    for s in [
        "Sun, 06 Nov 99999999999999999 08:49:37 GMT",
        "Sun, 06 Nov -99999999999999999 08:49:37 GMT",
        "Sun, 06 Nov 9223372036854775807 08:49:37 GMT",
        "Sun, 06 Nov 10000 08:49:37 GMT",
        "Sun, 06 Nov 0 08:49:37 GMT",
    ] {
        assert_eq!(parse_http_date_ms(s), None, "{s}");
    }
    assert_eq!(
        parse_http_date_ms("Fri, 31 Dec 9999 23:59:59 GMT"),
        Some(253_402_300_799_000)
    );
}

/// The same date in a `retry-after` header falls back to the computed backoff.
#[test]
fn retry_after_with_huge_year_falls_back_to_backoff() {
    let mut h = http::HeaderMap::new();
    h.insert(
        "retry-after",
        http::HeaderValue::from_static("Sun, 06 Nov 99999999999999999 08:49:37 GMT"),
    );
    assert_eq!(retry_delay_ms(0, Some(&h), 0.0, 0), 500);
}

/// fuzz/retry: a NaN jitter made the backoff 0 ms (retry at once, hammering the upstream).
#[test]
fn nan_jitter_keeps_the_full_backoff() {
    let h = http::HeaderMap::new();
    assert_eq!(retry_delay_ms(0, Some(&h), f64::NAN, 0), 500);
    assert_eq!(retry_delay_ms(3, None, f64::NAN, 0), 4_000);
    for j in [f64::INFINITY, f64::NEG_INFINITY, -1.0, 2.0] {
        let d = retry_delay_ms(0, None, j, 0);
        assert!((375..=500).contains(&d), "{j} → {d}");
    }
}

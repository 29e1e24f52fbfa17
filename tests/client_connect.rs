//! `wait_for_connection` (wire §9.4) on the fake clock, and `ensure_connected` (§4.6).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_support;

use std::cell::RefCell;
use std::rc::Rc;

use client_support::*;
use composio_edge::client::*;
use composio_edge::json;
use composio_edge::runtime::{block_on, Runtime};
use composio_edge::Error;

fn account(status: &str) -> composio_edge::transport::HttpResponse {
    ok(
        200,
        json!({"id": "ca_1", "status": status, "status_reason": if status == "FAILED" { json!("user denied") } else { json!(null) }}),
    )
}

#[test]
fn active_on_the_first_poll_returns_immediately() {
    let (c, t) = client();
    t.push(account("ACTIVE"));
    let a = block_on(c.wait_for_connection("ca_1", None)).unwrap();
    assert_eq!(a.id, "ca_1");
    assert_eq!(t.requests().len(), 1);
    assert!(c.runtime().sleeps().is_empty());
}

#[test]
fn pending_statuses_keep_polling_every_second() {
    let (c, t) = client();
    for s in ["INITIALIZING", "INITIATED", "INACTIVE", "INITIATED"] {
        t.push(account(s));
    }
    t.push(account("ACTIVE"));
    block_on(c.wait_for_connection("ca_1", None)).unwrap();
    assert_eq!(t.requests().len(), 5);
    assert_eq!(c.runtime().sleeps(), vec![1000; 4]);
    for r in t.requests() {
        assert_eq!(r.uri().path(), "/api/v3.1/connected_accounts/ca_1");
    }
}

#[test]
fn each_terminal_status_fails_with_its_reason() {
    for status in ["FAILED", "EXPIRED", "REVOKED"] {
        let (c, t) = client();
        t.push(account("INITIATED"));
        t.push(account(status));
        let e = block_on(c.wait_for_connection("ca_1", None)).unwrap_err();
        match &e {
            Error::ConnectionFailed {
                id,
                status: s,
                reason,
            } => {
                assert_eq!(id, "ca_1");
                assert_eq!(s, status);
                assert_eq!(reason.is_some(), status == "FAILED");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(e.code(), "connection_failed");
        assert_eq!(t.requests().len(), 2);
    }
}

#[test]
fn not_found_on_the_first_poll() {
    let (c, t) = client();
    t.push(envelope(404, "not found"));
    let e = block_on(c.wait_for_connection("ca_missing", None)).unwrap_err();
    assert_eq!(e, Error::ConnectedAccountNotFound("ca_missing".into()));
    assert_eq!(t.requests().len(), 1);
}

#[test]
fn not_found_later_is_an_api_error() {
    let (c, t) = client();
    t.push(account("INITIATED"));
    t.push(envelope(404, "gone"));
    let e = block_on(c.wait_for_connection("ca_1", None)).unwrap_err();
    assert_eq!(e.code(), "not_found");
}

#[test]
fn times_out_on_the_fake_clock() {
    let (c, t) = client();
    for _ in 0..100 {
        t.push(account("INITIATED"));
    }
    let start = c.runtime().now_ms();
    let e = block_on(c.wait_for_connection("ca_1", Some(5_000))).unwrap_err();
    assert_eq!(e, Error::ConnectionTimeout("ca_1".into()));
    assert_eq!(c.runtime().now_ms() - start, 5_000);
    assert_eq!(c.runtime().sleeps(), vec![1000; 5]);
    assert_eq!(t.requests().len(), 6, "polls at 0,1,2,3,4,5 s");
}

#[test]
fn default_timeout_is_sixty_seconds() {
    let (c, t) = client();
    for _ in 0..100 {
        t.push(account("INITIATED"));
    }
    let start = c.runtime().now_ms();
    assert_eq!(
        block_on(c.wait_for_connection("ca_1", None))
            .unwrap_err()
            .code(),
        "connection_timeout"
    );
    assert_eq!(c.runtime().now_ms() - start, 60_000);
    assert_eq!(t.requests().len(), 61);
}

#[test]
fn ensure_connected_no_auth_active_and_new_connection() {
    let (c, t) = client();
    let s = c.session(SID, Some("u".into()));
    t.push(ok(
        200,
        json!({"items": [{"slug": "hackernews", "is_no_auth": true, "connected_account": null}]}),
    ));
    let r = block_on(s.ensure_connected("hackernews", &EnsureOptions::default())).unwrap();
    assert!(r.was_connected && r.connected_account.is_none());
    assert_eq!(t.requests()[0].uri().query(), Some("toolkits=hackernews"));

    t.push(ok(200, fixture("toolkits.json")));
    let r = block_on(s.ensure_connected("gmail", &EnsureOptions::default())).unwrap();
    assert!(r.was_connected);
    assert_eq!(
        r.connected_account,
        Some(("ca_123".into(), "ACTIVE".into()))
    );

    // github is not connected: link, callback, wait
    t.push(ok(200, fixture("toolkits.json")));
    t.push(ok(201, json!({"redirect_url": "https://connect.composio.dev/link/ln_1", "connected_account_id": "ca_9"})));
    t.push(ok(200, json!({"id": "ca_9", "status": "INITIATED"})));
    t.push(ok(200, json!({"id": "ca_9", "status": "ACTIVE"})));
    let seen = Rc::new(RefCell::new(None));
    let seen2 = seen.clone();
    let opts = EnsureOptions {
        link: LinkOptions {
            callback_url: Some("https://app/cb".into()),
            ..Default::default()
        },
        timeout_ms: Some(10_000),
        on_redirect: Some(Rc::new(move |cr| {
            *seen2.borrow_mut() = cr.redirect_url.clone()
        })),
    };
    let r = block_on(s.ensure_connected("github", &opts)).unwrap();
    assert!(!r.was_connected);
    assert_eq!(r.connected_account, Some(("ca_9".into(), "ACTIVE".into())));
    assert_eq!(
        seen.borrow().as_deref(),
        Some("https://connect.composio.dev/link/ln_1")
    );
    assert_eq!(
        t.json_body(3),
        json!({"toolkit": "github", "callback_url": "https://app/cb"})
    );

    t.push(ok(200, json!({"items": []})));
    assert_eq!(
        block_on(s.ensure_connected("nope", &EnsureOptions::default()))
            .unwrap_err()
            .code(),
        "invalid_request"
    );
}

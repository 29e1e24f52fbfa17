//! The connect flow: `/v1/connect` → `/oauth/start` → Composio → `/oauth/callback`
//! (SEC-06…09, SEC-12…20, SEC-27).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod gateway_support;

use composio_edge::gateway::Dispatch;
use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::runtime::block_on;
use composio_edge::transport::{HttpRequest, HttpResponse};
use gateway_support::*;

struct Flow {
    connection_id: String,
    connect_url: String,
    callback_url: String,
    account: String,
}

fn start_flow(h: &Harness<FakeApi>, token: &str, req_body: &Value) -> Flow {
    let res = h.send(with_header(
        post("/v1/connect", Some(token), req_body),
        "origin",
        APP,
    ));
    assert_eq!(res.status(), 201, "{}", text(&res));
    let b = body(&res);
    let link =
        h.up.calls
            .borrow()
            .iter()
            .rev()
            .find(|c| c.1.ends_with("/link"))
            .cloned()
            .unwrap();
    let account = format!("ca_{:04}", h.up.accounts.borrow().len());
    Flow {
        connection_id: b["connection_id"].as_str().unwrap().to_owned(),
        connect_url: b["connect_url"].as_str().unwrap().to_owned(),
        callback_url: link.2["callback_url"].as_str().unwrap().to_owned(),
        account,
    }
}

/// Opens the connect URL; returns the response and the `name=value` cookie it set.
fn open_start(h: &Harness<FakeApi>, flow: &Flow) -> (HttpResponse, String) {
    let res = h.send(get(&local(&flow.connect_url), None));
    let cookie = hdr(&res, "set-cookie").unwrap_or_default();
    let pair = cookie.split(';').next().unwrap_or("").to_owned();
    (res, pair)
}

fn callback_req(url: &str, cookie: Option<&str>) -> HttpRequest {
    let req = get(&local(url), None);
    match cookie {
        Some(c) => with_header(req, "cookie", c),
        None => req,
    }
}

fn callback(h: &Harness<FakeApi>, url: &str, cookie: Option<&str>) -> HttpResponse {
    h.send(callback_req(url, cookie))
}

fn success_url(flow: &Flow, account: &str) -> String {
    format!(
        "{}&status=success&connected_account_id={account}",
        flow.callback_url
    )
}

fn status(h: &Harness<FakeApi>, token: &str, flow: &Flow) -> Value {
    body(&h.send(get(
        &format!("/v1/connect/{}", flow.connection_id),
        Some(token),
    )))
}

fn assert_failure_page(res: &HttpResponse, needle: &str) {
    assert_eq!(res.status().as_u16() / 100, 4, "{}", text(res));
    assert!(
        hdr(res, "location").is_none(),
        "failures never redirect (SEC-15)"
    );
    assert_eq!(
        hdr(res, "content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert!(text(res).contains(needle), "{}", text(res));
    assert_page_headers(res);
}

fn assert_page_headers(res: &HttpResponse) {
    assert_eq!(hdr(res, "referrer-policy").as_deref(), Some("no-referrer"));
    assert_eq!(hdr(res, "cache-control").as_deref(), Some("no-store"));
    assert!(hdr(res, "content-security-policy")
        .unwrap()
        .contains("frame-ancestors 'none'"));
}

#[test]
fn connect_start_callback_happy_path() {
    let h = emulator_harness();
    let t = h.token("alice");
    let flow = start_flow(&h, &t, &json!({"toolkit": "GitHub"}));
    assert!(flow
        .connect_url
        .starts_with(&format!("{ORIGIN}/oauth/start?ticket=")));
    assert!(flow
        .callback_url
        .starts_with(&format!("{ORIGIN}/oauth/callback?state=")));
    assert_eq!(status(&h, &t, &flow)["status"], "pending");

    let (res, cookie) = open_start(&h, &flow);
    assert_eq!(res.status(), 302);
    assert!(hdr(&res, "location")
        .unwrap()
        .starts_with("https://connect.composio.dev/link/"));
    assert_page_headers(&res);
    // SEC-17: the exact cookie attributes.
    let set = hdr(&res, "set-cookie").unwrap();
    assert!(set.starts_with("__Host-edge_flow_"), "{set}");
    assert!(
        set.ends_with("; Secure; HttpOnly; Path=/; SameSite=Lax; Max-Age=600"),
        "{set}"
    );
    assert!(!set.contains("Domain"));

    // Composio's consent happens; the account becomes ACTIVE; the browser returns.
    h.up.account_status(&flow.account, "ACTIVE");
    let res = callback(&h, &success_url(&flow, &flow.account), Some(&cookie));
    assert_eq!(res.status(), 200, "{}", text(&res));
    assert_page_headers(&res);
    assert!(hdr(&res, "location").is_none());
    let html = text(&res);
    // The query is stripped before anything else runs, and the opener gets a pinned origin.
    let script_start = html.find("<script>").unwrap() + "<script>".len();
    assert!(html[script_start..].starts_with("history.replaceState(null,'',location.pathname);"));
    assert!(html.contains(&format!("\"{APP}\")")), "{html}");
    assert!(!html.contains("'*'") && !html.contains("\"*\""));
    assert!(!html.contains("state="), "the state is not in the page");
    // The CSP allows exactly this inline script by hash.
    assert!(hdr(&res, "content-security-policy")
        .unwrap()
        .contains("script-src 'sha256-"));
    // Cookie cleared.
    let cleared = hdr(&res, "set-cookie").unwrap();
    assert!(
        cleared.contains("Max-Age=0") && cleared.starts_with(cookie.split('=').next().unwrap())
    );

    let s = status(&h, &t, &flow);
    assert_eq!(s["status"], "active");
    assert_eq!(s["toolkit"], "github");
    assert_eq!(s["connected_account_id"], flow.account.as_str());

    // Replaying the same callback (SEC-06 single use).
    let res = callback(&h, &success_url(&flow, &flow.account), Some(&cookie));
    assert_failure_page(&res, "already");
}

#[test]
fn callback_without_or_with_another_cookie_is_rejected_and_records_nothing() {
    let h = emulator_harness();
    let t = h.token("alice");
    let flow = start_flow(&h, &t, &json!({"toolkit": "github"}));
    let (_, cookie) = open_start(&h, &flow);
    h.up.account_status(&flow.account, "ACTIVE");
    let url = success_url(&flow, &flow.account);

    assert_failure_page(&callback(&h, &url, None), "cookie is missing");
    let name = cookie.split('=').next().unwrap();
    assert_failure_page(
        &callback(&h, &url, Some(&format!("{name}=forged-value"))),
        "did not start",
    );
    // A cookie of another flow of the same user.
    let other = start_flow(&h, &t, &json!({"toolkit": "github"}));
    let (_, other_cookie) = open_start(&h, &other);
    assert_failure_page(
        &callback(&h, &url, Some(&other_cookie)),
        "cookie is missing",
    );
    assert_eq!(
        status(&h, &t, &flow)["status"],
        "pending",
        "nothing recorded"
    );

    // The real browser still completes (the failures did not burn the state).
    let res = callback(&h, &url, Some(&cookie));
    assert_eq!(res.status(), 200, "{}", text(&res));
    assert_eq!(status(&h, &t, &flow)["status"], "active");
}

#[test]
fn forged_or_missing_state_never_burns_a_valid_one() {
    let h = emulator_harness();
    let t = h.token("alice");
    let flow = start_flow(&h, &t, &json!({"toolkit": "github"}));
    let (_, cookie) = open_start(&h, &flow);
    h.up.account_status(&flow.account, "ACTIVE");
    let state = param(&flow.callback_url, "state").unwrap();
    let (payload, mac) = state.split_once('.').unwrap();
    let bad_states = [
        String::new(),
        "garbage".into(),
        format!("{payload}.AAAA"),
        format!("{payload}x.{mac}"),
        format!(
            "{}.{mac}",
            composio_edge::encoding::base64url_encode(
                br#"{"k":"default:x","f":"f","x":9999999999}"#
            )
        ),
    ];
    for s in &bad_states {
        let res = callback(
            &h,
            &format!(
                "/oauth/callback?state={s}&status=success&connected_account_id={}",
                flow.account
            )
            .replace("/oauth", &format!("{ORIGIN}/oauth")),
            Some(&cookie),
        );
        assert_failure_page(&res, "state");
    }
    // No state at all (SEC-08).
    let res = callback(
        &h,
        &format!(
            "{ORIGIN}/oauth/callback?status=success&connected_account_id={}",
            flow.account
        ),
        Some(&cookie),
    );
    assert_failure_page(&res, "missing its state");
    // A ticket is not a state.
    let ticket = param(&flow.connect_url, "ticket").unwrap();
    let res = callback(
        &h,
        &format!("{ORIGIN}/oauth/callback?state={ticket}&status=success"),
        Some(&cookie),
    );
    assert_failure_page(&res, "state");
    assert_eq!(status(&h, &t, &flow)["status"], "pending");
    // The real one still completes (SEC-07).
    assert_eq!(
        callback(&h, &success_url(&flow, &flow.account), Some(&cookie)).status(),
        200
    );
}

#[test]
fn callback_rejects_forged_account() {
    let h = emulator_harness();
    let t = h.token("alice");
    let flow = start_flow(&h, &t, &json!({"toolkit": "github"}));
    let (_, cookie) = open_start(&h, &flow);
    // Another user's ACTIVE github account, and alice's own account of another toolkit.
    h.up.set_account("ca_bob", "bob", "github", "ACTIVE");
    h.up.set_account("ca_alice_slack", "alice", "slack", "ACTIVE");
    for forged in ["ca_bob", "ca_alice_slack"] {
        let res = callback(&h, &success_url(&flow, forged), Some(&cookie));
        assert_failure_page(&res, "does not belong");
    }
    let res = callback(&h, &success_url(&flow, "ca_does_not_exist"), Some(&cookie));
    assert_failure_page(&res, "does not exist");
    let res = callback(&h, &success_url(&flow, "ca_%3Cscript%3E"), Some(&cookie));
    assert_failure_page(&res, "no valid connected account");
    assert_eq!(
        status(&h, &t, &flow)["status"],
        "pending",
        "nothing recorded"
    );
    // status=success in the query is not believed while the account is not active.
    let res = callback(&h, &success_url(&flow, &flow.account), Some(&cookie));
    assert_eq!(res.status(), 504);
    assert!(hdr(&res, "location").is_none());
    assert_eq!(
        h.rt.sleeps(),
        vec![1000; 4],
        "a short bounded poll while INITIATED"
    );
    assert_eq!(status(&h, &t, &flow)["status"], "pending");
    // Once really active, the same callback (a reload) completes.
    h.up.account_status(&flow.account, "ACTIVE");
    assert_eq!(
        callback(&h, &success_url(&flow, &flow.account), Some(&cookie)).status(),
        200
    );
}

#[test]
fn failed_connection_is_recorded_as_failed() {
    let h = emulator_harness();
    let t = h.token("alice");
    let flow = start_flow(&h, &t, &json!({"toolkit": "github"}));
    let (_, cookie) = open_start(&h, &flow);
    h.up.account_status(&flow.account, "FAILED");
    let url = format!(
        "{}&status=failed&connected_account_id={}",
        flow.callback_url, flow.account
    );
    let res = callback(&h, &url, Some(&cookie));
    assert_eq!(res.status(), 200);
    assert!(text(&res).contains("did not succeed"));
    let s = status(&h, &t, &flow);
    assert_eq!(s["status"], "failed");
    assert!(s["reason"].as_str().unwrap().contains("failed"));
}

#[test]
fn ticket_is_single_use_and_expires() {
    let h = emulator_harness();
    let t = h.token("alice");
    let flow = start_flow(&h, &t, &json!({"toolkit": "github"}));
    let (res, _) = open_start(&h, &flow);
    assert_eq!(res.status(), 302);
    let (again, cookie) = open_start(&h, &flow);
    assert_failure_page(&again, "already used");
    assert!(cookie.is_empty(), "no second cookie");
    let res = h.send(get("/oauth/start?ticket=nope", None));
    assert_failure_page(&res, "not valid");
    let res = h.send(get("/oauth/start", None));
    assert_failure_page(&res, "not valid");

    let late = start_flow(&h, &t, &json!({"toolkit": "github"}));
    h.rt.advance(601_000);
    assert_failure_page(&open_start(&h, &late).0, "not valid");
    assert_eq!(status(&h, &t, &late)["status"], "expired");
}

#[test]
fn expired_state_is_rejected() {
    let h = emulator_harness();
    let t = h.token("alice");
    let flow = start_flow(&h, &t, &json!({"toolkit": "github"}));
    let (_, cookie) = open_start(&h, &flow);
    h.up.account_status(&flow.account, "ACTIVE");
    h.rt.advance(10 * 60 * 1000 + 1000);
    assert_failure_page(
        &callback(&h, &success_url(&flow, &flow.account), Some(&cookie)),
        "expired",
    );
}

#[test]
fn callback_of_one_user_cannot_complete_in_another_users_object() {
    let h = emulator_harness();
    let ta = h.token("alice");
    let flow = start_flow(&h, &ta, &json!({"toolkit": "github"}));
    let (_, cookie) = open_start(&h, &flow);
    h.up.account_status(&flow.account, "ACTIVE");
    // The state routes to alice's object; even handed to bob's object directly it is refused.
    let req = callback_req(&success_url(&flow, &flow.account), Some(&cookie));
    let Dispatch::User {
        user_key,
        mut request,
    } = block_on(h.gw.front(req, &*h.rt))
    else {
        panic!()
    };
    assert_eq!(user_key, h.gw.user_key("alice"));
    let bob_key = h.gw.user_key("bob");
    request
        .headers_mut()
        .insert("x-edge-user-key", bob_key.parse().unwrap());
    let res = block_on(h.gw.user(request, &h.store(&bob_key), &h.up, &*h.rt));
    assert_eq!(res.status(), 400);
    assert_eq!(status(&h, &ta, &flow)["status"], "pending");
    // Bob cannot read alice's connection status.
    let tb = h.token("bob");
    let res = h.send(get(
        &format!("/v1/connect/{}", flow.connection_id),
        Some(&tb),
    ));
    assert_eq!(
        (st(&res), code(&res).as_str()),
        (404, "connection_not_found")
    );
}

#[test]
fn return_to_redirects_only_to_allowed_targets_with_303() {
    let h = Harness::new(
        config(&[
            ("EDGE_ALLOWED_ORIGINS", APP),
            ("EDGE_RETURN_URLS", "https://app.example.com/connected"),
        ]),
        FakeApi::new(),
    );
    let t = h.token("alice");
    for (return_to, expected) in [
        (
            "/settings/apps?tab=1",
            format!("{ORIGIN}/settings/apps?tab=1"),
        ),
        ("https://edge.test/done", format!("{ORIGIN}/done")),
        ("https://edge.test", format!("{ORIGIN}/")),
        (
            "https://app.example.com/connected",
            "https://app.example.com/connected".to_owned(),
        ),
    ] {
        let flow = start_flow(
            &h,
            &t,
            &json!({"toolkit": "github", "return_to": return_to}),
        );
        let (_, cookie) = open_start(&h, &flow);
        h.up.account_status(&flow.account, "ACTIVE");
        let res = callback(&h, &success_url(&flow, &flow.account), Some(&cookie));
        assert_eq!(res.status(), 303, "{}", text(&res));
        assert_eq!(hdr(&res, "location").unwrap(), expected);
        assert!(hdr(&res, "set-cookie").unwrap().contains("Max-Age=0"));
        assert_eq!(hdr(&res, "referrer-policy").as_deref(), Some("no-referrer"));
    }
    // The SEC-12/13 bypass corpus is refused at connect time, before any upstream call.
    let links_before = h.up.count("POST", "/link");
    for bad in BYPASS_CORPUS {
        let res = h.send(post(
            "/v1/connect",
            Some(&t),
            &json!({"toolkit": "github", "return_to": bad}),
        ));
        assert_eq!(
            (st(&res), code(&res).as_str()),
            (400, "invalid_return_to"),
            "{bad:?}"
        );
    }
    assert_eq!(h.up.count("POST", "/link"), links_before);
}

/// Open-redirect bypasses (workers-oauth-provider#97, openauth#299, zitadel#12559).
const BYPASS_CORPUS: &[&str] = &[
    "JaVaScRiPt:alert(1)",
    "javascript:alert(1)",
    "data:text/html,x",
    " https://app.example.com/connected",
    "https://app.example.com/connected ",
    "\thttps://app.example.com/connected",
    "https://app.example.com/connected\t",
    "https:evil.com",
    "https:/evil.com",
    "//evil.com",
    "///evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "/%5Cevil.com",
    "/%2F%2Fevil.com",
    "https://app.example.com@evil.com/connected",
    "https://app.example.com%25@evil.com/connected",
    "/%25@evil.com",
    "https://evil.com/connected",
    "https://app.example.com/connected/",
    "https://app.example.com/connected?x=1",
    "https://app.example.com/connected#frag",
    "/ok#https://evil.com",
    "http://app.example.com/connected",
    "https://APP.example.com/connected",
    "https://app.example.com:443/connected",
    "https://app.example.com.evil.com/connected",
    "/..//evil.com",
    "/../evil",
    "/./x",
    "/%2e%2e/evil",
    "/x\r\nLocation: https://evil.com",
    "/ok\u{0}",
    "/caf\u{e9}",
    "",
    "evil.com",
    "../x",
    // The workerd corpus, and tricks on the gateway's own origin.
    "////evil.example/",
    "\\/evil.example",
    "/\\/evil.example",
    "vbscript:msgbox(1)",
    "http://localhost@evil.example",
    "/%2f%2fevil.example",
    "/%5c%5cevil.example",
    "/./evil/../..//evil.example",
    " //evil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "http:\\\\evil.example",
    "https://evil.example\\@127.0.0.1/",
    "http://0x7f000001/",
    "http://[::ffff:7f00:1]/",
    "/%09/evil.example",
    "/%00//evil.example",
    "/\u{3002}evil.example",
    "//evil%2eexample",
    "https://edge.test@evil.example/",
    "https://edge.test.evil.example/",
    "https://edge.test:444/done",
    "http://edge.test/done",
    "https://EDGE.test/done",
    "https://edge.test//evil.example",
    "https://edge.test/..//evil.example",
    "https://edge.test#@evil.example",
    "https://edge.test?@evil.example",
];

#[test]
fn connect_url_hosts_are_checked() {
    // Production: only *.composio.dev and configured hosts.
    let h = production_harness(&[("EDGE_REDIRECT_HOSTS", "connect.example.com")]);
    let t = h.token("alice");
    for (base, ok) in [
        ("https://connect.composio.dev", true),
        ("https://connect.example.com", true),
        ("https://connect.composio.dev.evil.com", false),
        ("http://connect.composio.dev", false),
        ("https://evil.com", false),
        (ORIGIN, false),
    ] {
        *h.up.redirect_base.borrow_mut() = Some(base.to_owned());
        let res = h.send(post("/v1/connect", Some(&t), &json!({"toolkit": "github"})));
        if ok {
            assert_eq!(res.status(), 201, "{base}");
        } else {
            assert_eq!(
                (st(&res), code(&res).as_str()),
                (502, "upstream_bad_redirect"),
                "{base}"
            );
        }
    }
    // Emulator mode: the gateway's own origin (the emulator's consent page).
    let e = emulator_harness();
    *e.up.redirect_base.borrow_mut() = Some(ORIGIN.to_owned());
    let t = e.token("alice");
    let flow = start_flow(&e, &t, &json!({"toolkit": "github"}));
    let (res, _) = open_start(&e, &flow);
    assert_eq!(
        hdr(&res, "location").unwrap(),
        format!("{ORIGIN}/link/ln_1")
    );
}

#[test]
fn concurrent_callbacks_for_one_state_exactly_one_succeeds() {
    let h = emulator_harness();
    let t = h.token("alice");
    let flow = start_flow(&h, &t, &json!({"toolkit": "github"}));
    let (_, cookie) = open_start(&h, &flow);
    h.up.account_status(&flow.account, "ACTIVE");
    let url = success_url(&flow, &flow.account);
    let dispatch = |req| match block_on(h.gw.front(req, &*h.rt)) {
        Dispatch::User { user_key, request } => (user_key, request),
        Dispatch::Respond(_) => panic!("expected dispatch"),
    };
    let (k1, r1) = dispatch(callback_req(&url, Some(&cookie)));
    let (_, r2) = dispatch(callback_req(&url, Some(&cookie)));
    let store = h.store(&k1);
    let up = Yielding(&h.up);
    let (a, b) = join(
        h.gw.user(r1, &store, &up, &*h.rt),
        h.gw.user(r2, &store, &up, &*h.rt),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 400], "{} / {}", text(&a), text(&b));
    let loser = if a.status() == 400 { &a } else { &b };
    assert!(text(loser).contains("already used"));
    assert_eq!(status(&h, &t, &flow)["status"], "active");
}

#[test]
fn connect_validates_its_input() {
    let h = emulator_harness();
    let t = h.token("alice");
    for bad in [
        json!({}),
        json!({"toolkit": ""}),
        json!({"toolkit": "git hub"}),
        json!({"toolkit": "github", "alias": 3}),
        json!({"toolkit": "github", "return_to": 3}),
    ] {
        let res = h.send(post("/v1/connect", Some(&t), &bad));
        assert_eq!(st(&res), 400, "{bad}");
    }
    let res = h.send(get("/v1/connect/unknown", Some(&t)));
    assert_eq!(
        (st(&res), code(&res).as_str()),
        (404, "connection_not_found")
    );
    let res = h.send(get("/v1/connect/..%2F..", Some(&t)));
    assert_eq!(st(&res), 404);
}

#[test]
fn old_flows_are_purged_but_recent_outcomes_stay_readable() {
    let h = emulator_harness();
    let t = h.token("alice");
    let done = start_flow(&h, &t, &json!({"toolkit": "github"}));
    let (_, cookie) = open_start(&h, &done);
    h.up.account_status(&done.account, "ACTIVE");
    assert_eq!(
        callback(&h, &success_url(&done, &done.account), Some(&cookie)).status(),
        200
    );
    let abandoned = start_flow(&h, &t, &json!({"toolkit": "github"}));
    let store = h.store(&h.gw.user_key("alice"));
    let flows = || {
        composio_edge::runtime::block_on(composio_edge::store::Store::list(&store, "flow/"))
            .unwrap()
            .len()
    };
    assert_eq!(flows(), 1);
    h.rt.advance(11 * 60 * 1000);
    let t = h.token("alice");
    start_flow(&h, &t, &json!({"toolkit": "github"}));
    assert_eq!(flows(), 1, "the abandoned flow was purged");
    assert_eq!(status(&h, &t, &done)["status"], "active");
    assert_eq!(status(&h, &t, &abandoned)["status"], "expired");
    h.rt.advance(25 * 60 * 60 * 1000);
    let t = h.token("alice");
    start_flow(&h, &t, &json!({"toolkit": "github"}));
    let res = h.send(get(
        &format!("/v1/connect/{}", done.connection_id),
        Some(&t),
    ));
    assert_eq!(st(&res), 404, "outcomes expire after a day");
}

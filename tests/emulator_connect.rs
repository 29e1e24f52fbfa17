//! The connect flow: links, the hosted consent page, callbacks and connected accounts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod emulator_support;

use composio_edge::json;
use emulator_support::{form, get_page, Emu, ORIGIN};

fn link(emu: &Emu, sid: &str, body: composio_edge::json::Value) -> composio_edge::json::Value {
    let r = emu.api(
        "POST",
        &format!("/tool_router/session/{sid}/link"),
        Some(body),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    r.json
}

fn path_of(url: &str) -> String {
    url.strip_prefix(ORIGIN).unwrap().to_owned()
}

#[test]
fn link_creates_an_initiated_account_and_a_consent_page() {
    let emu = Emu::new();
    let sid = emu.session("user_<script>");
    let l = link(
        &emu,
        &sid,
        json!({"toolkit": "github", "callback_url": "https://app.example/cb?x=1", "alias": "work"}),
    );
    let token = l["link_token"].as_str().unwrap();
    assert!(token.starts_with("ln_"));
    assert_eq!(l["redirect_url"], format!("{ORIGIN}/link/{token}"));
    let ca = l["connected_account_id"].as_str().unwrap();
    assert!(ca.starts_with("ca_"));
    assert_eq!(l["expires_at"], "2026-11-22T03:10:00.000Z");

    let acc = emu.api("GET", &format!("/connected_accounts/{ca}"), None);
    assert_eq!(acc.status, 200);
    assert_eq!(acc.json["status"], "INITIATED");
    assert_eq!(acc.json["toolkit"]["slug"], "github");
    assert_eq!(acc.json["alias"], "work");
    assert_eq!(acc.json["user_id"], "user_<script>");
    assert_eq!(acc.json["auth_config"]["auth_scheme"], "OAUTH2");

    let page = emu.send(get_page(&format!("/link/{token}")));
    assert_eq!(page.status, 200);
    assert!(page.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(page.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    assert!(page
        .text
        .contains(r#"<button type="submit" name="decision" value="allow">Allow</button>"#));
    assert!(page.text.contains(r#"value="deny">Deny</button>"#));
    assert!(page
        .text
        .contains(&format!(r#"<form method="post" action="/link/{token}">"#)));
    assert!(page.text.contains("GitHub"));
    assert!(
        page.text.contains("user_&lt;script&gt;"),
        "user id must be escaped"
    );
    assert!(!page.text.contains("user_<script>"));
}

#[test]
fn allow_marks_active_and_redirects_303_with_appended_query() {
    let emu = Emu::new();
    let sid = emu.session("u");
    let l = link(
        &emu,
        &sid,
        json!({"toolkit": "gmail", "callback_url": "https://app.example/cb?user_id=u&source=onboarding#frag"}),
    );
    let ca = l["connected_account_id"].as_str().unwrap();
    let res = emu.send(form(
        &path_of(l["redirect_url"].as_str().unwrap()),
        "decision=allow",
    ));
    assert_eq!(res.status, 303);
    assert_eq!(
        res.headers["location"].to_str().unwrap(),
        format!("https://app.example/cb?user_id=u&source=onboarding&status=success&connected_account_id={ca}#frag")
    );
    let acc = emu.api("GET", &format!("/connected_accounts/{ca}"), None);
    assert_eq!(acc.json["status"], "ACTIVE");
    assert_eq!(acc.json["state"]["val"]["status"], "ACTIVE");
    // The token is single-use: a reused link is a clear page, not a redirect.
    let again = emu.send(form(
        &path_of(l["redirect_url"].as_str().unwrap()),
        "decision=allow",
    ));
    assert_eq!(again.status, 409);
    assert!(again.headers.get("location").is_none());
    assert!(again.text.contains("already used"));
}

#[test]
fn deny_marks_failed_and_redirects_with_failed_status() {
    let emu = Emu::new();
    let sid = emu.create(
        json!({"user_id": "u", "manage_connections": {"callback_url": "https://app.example/done"}}),
    )["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let l = link(&emu, &sid, json!({"toolkit": "slack"}));
    let ca = l["connected_account_id"].as_str().unwrap();
    let res = emu.send(form(
        &path_of(l["redirect_url"].as_str().unwrap()),
        "decision=deny",
    ));
    assert_eq!(res.status, 303);
    assert_eq!(
        res.headers["location"].to_str().unwrap(),
        format!("https://app.example/done?status=failed&connected_account_id={ca}")
    );
    let acc = emu.api("GET", &format!("/connected_accounts/{ca}"), None);
    assert_eq!(acc.json["status"], "FAILED");
    assert!(acc.json["status_reason"]
        .as_str()
        .unwrap()
        .contains("denied"));
}

#[test]
fn without_callback_a_done_page_is_shown() {
    let emu = Emu::new();
    let sid = emu.session("u");
    let l = link(&emu, &sid, json!({"toolkit": "linear"}));
    let page = emu.send(get_page(&path_of(l["redirect_url"].as_str().unwrap())));
    assert!(
        page.text.contains(r#"name="api_key""#),
        "API-key toolkits show a key field"
    );
    let res = emu.send(form(
        &path_of(l["redirect_url"].as_str().unwrap()),
        "api_key=lin_x&decision=allow",
    ));
    assert_eq!(res.status, 200);
    assert!(res.text.contains("Linear connected"));
}

#[test]
fn expired_unknown_and_malformed_links_get_clear_pages() {
    let emu = Emu::new();
    let sid = emu.session("u");
    let l = link(
        &emu,
        &sid,
        json!({"toolkit": "notion", "callback_url": "https://app.example/cb"}),
    );
    let p = path_of(l["redirect_url"].as_str().unwrap());
    emu.rt.advance(10 * 60 * 1000 + 1);
    let page = emu.send(get_page(&p));
    assert_eq!(page.status, 410);
    assert!(page.text.contains("expired"));
    let post = emu.send(form(&p, "decision=allow"));
    assert_eq!(post.status, 410);
    assert!(post.headers.get("location").is_none());
    assert_eq!(emu.send(get_page("/link/ln_doesnotexist")).status, 404);
    let l = link(&emu, &sid, json!({"toolkit": "notion"}));
    let bad = emu.send(form(
        &path_of(l["redirect_url"].as_str().unwrap()),
        "decision=maybe",
    ));
    assert_eq!(bad.status, 400);
}

#[test]
fn link_validation() {
    let emu = Emu::new();
    let sid = emu.session("u");
    for body in [
        json!({}),
        json!({"toolkit": "nope"}),
        json!({"toolkit": "hackernews"}),
        json!({"toolkit": "gmail", "callback_url": "javascript:alert(1)"}),
    ] {
        let r = emu.api(
            "POST",
            &format!("/tool_router/session/{sid}/link"),
            Some(body.clone()),
        );
        assert_eq!(r.status, 400, "{body}");
    }
}

#[test]
fn connected_accounts_link_outside_sessions() {
    let emu = Emu::new();
    let r = emu.api("POST", "/connected_accounts/link", Some(json!({"auth_config_id": "ac_github", "user_id": "u9", "callback_url": "https://a.example/cb"})));
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.json["redirect_url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{ORIGIN}/link/ln_")));
    assert!(r.json["expires_at"].is_string());
    let r = emu.api(
        "POST",
        "/connected_accounts/link",
        Some(json!({"auth_config_id": "ac_nope", "user_id": "u9"})),
    );
    assert_eq!(r.status, 404);
    let r = emu.api("GET", "/connected_accounts/ca_missing", None);
    assert_eq!(r.status, 404);
    assert_eq!(r.json["error"]["slug"], "ConnectedAccount_NotFound");
}

#[test]
fn link_url_overwrite_white_labels_the_redirect() {
    let emu = Emu::new();
    let sid = emu.create(json!({"user_id": "u", "experimental": {"link_url_overwrite": "https://connect.example.com"}}))["session_id"].as_str().unwrap().to_owned();
    let l = link(&emu, &sid, json!({"toolkit": "gmail"}));
    assert_eq!(
        l["redirect_url"],
        format!(
            "https://connect.example.com/link/{}",
            l["link_token"].as_str().unwrap()
        )
    );
}

#[test]
fn connected_accounts_are_listed_with_filters() {
    let emu = Emu::new();
    let a = emu.session("ann");
    let b = emu.session("ben");
    let gh = emu.connect(&a, "github");
    link(&emu, &a, json!({"toolkit": "gmail"}));
    emu.connect(&b, "github");
    let r = emu.api("GET", "/connected_accounts?user_ids=ann", None);
    assert_eq!(r.status, 200);
    assert_eq!(r.json["total_items"], 2);
    let r = emu.api(
        "GET",
        "/connected_accounts?user_ids=ann&statuses=ACTIVE&auth_config_ids=ac_github",
        None,
    );
    let items = r.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], gh.as_str());
    let r = emu.api("GET", "/connected_accounts?toolkit_slugs=github", None);
    assert_eq!(r.json["total_items"], 2);
}

//! The crate's own client drives the emulator in-process through a whole session:
//! create → tools → search → execute (custom tool in a multi-execute) → link → consent →
//! wait → toolkits → update → delete.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::rc::Rc;

use composio_edge::client::{
    Client, ClientConfig, CreateSession, CustomTool, LinkOptions, ManageConnections, Patch,
    ProxyRequest, SearchRequest, TagFilter, ToolkitsQuery, UpdateSession,
};
use composio_edge::emulator::{Emulator, InProcess};
use composio_edge::http;
use composio_edge::json;
use composio_edge::runtime::{block_on, TestRuntime};
use composio_edge::secret::ApiKey;
use composio_edge::store::MemoryStore;
use composio_edge::transport::Transport;
use composio_edge::Error;

const BASE: &str = "http://127.0.0.1:8787";
const START: u64 = 1_795_316_400_000;

#[test]
fn the_client_runs_a_whole_session_against_the_emulator() {
    let upstream = Rc::new(InProcess {
        emulator: Emulator::new(),
        store: MemoryStore::default(),
        runtime: TestRuntime::new(START),
    });
    let config = ClientConfig::new(ApiKey::new("ak_e2e")).with_base_url(BASE);
    let client = Client::new(config, upstream.clone(), TestRuntime::new(START)).unwrap();
    let grep = CustomTool::new(
        "GREP",
        "Grep",
        "Find the lines of the local notes that contain a pattern",
        json!({"type": "object", "properties": {"pattern": {"type": "string"}}, "required": ["pattern"]}),
        |args, _ctx| async move {
            let p = args["pattern"].as_str().unwrap_or_default().to_owned();
            let lines: Vec<&str> = ["alpha", "beta", "alphabet"].into_iter().filter(|l| l.contains(&p)).collect();
            Ok(json!({ "matches": lines }))
        },
    )
    .unwrap();

    block_on(async {
        // create
        let session = client
            .create_session(
                &CreateSession::new("e2e_user")
                    .with_toolkits(["github", "hackernews", "weathermap"])
                    .with_manage_connections(ManageConnections::callback(
                        "https://app.example/cb?from=e2e",
                    ))
                    .with_custom_tool(grep),
            )
            .await
            .unwrap();
        assert!(session.id().starts_with("trs_"));
        let info = session.info().unwrap();
        assert_eq!(info.config_version, Some(1));
        assert_eq!(
            session.mcp().unwrap().url,
            format!("{BASE}/tool_router/{}/mcp", session.id())
        );
        assert!(session.routes().is_local("LOCAL_GREP"));

        // tools
        let tools = session.tools().await.unwrap();
        let slugs: Vec<&str> = tools.iter().map(|t| t.slug.as_str()).collect();
        assert!(
            slugs.contains(&"COMPOSIO_SEARCH_TOOLS")
                && slugs.contains(&"COMPOSIO_MULTI_EXECUTE_TOOL"),
            "{slugs:?}"
        );

        // search (the inline custom tool is searchable too)
        let found = session
            .search(&SearchRequest::new("open a new issue on github"))
            .await
            .unwrap();
        assert_eq!(
            found.results[0].primary_tool_slugs[0],
            "GITHUB_CREATE_AN_ISSUE"
        );
        assert!(found.tool_schemas.contains_key("GITHUB_CREATE_AN_ISSUE"));
        let gh = found
            .toolkit_connection_statuses
            .iter()
            .find(|s| s.toolkit == "github")
            .unwrap();
        assert!(!gh.has_active_connection);
        let local = session
            .search(&SearchRequest::new("grep the notes for a pattern"))
            .await
            .unwrap();
        assert_eq!(local.results[0].primary_tool_slugs[0], "LOCAL_GREP");

        // execute: a custom tool inside a multi-execute (local part in-process, remote part upstream)
        let multi = session
            .execute_tool_call(
                "COMPOSIO_MULTI_EXECUTE_TOOL",
                json!({"tools": [
                    {"tool_slug": "LOCAL_GREP", "arguments": {"pattern": "bet"}},
                    {"tool_slug": "HACKERNEWS_GET_TOP_STORIES", "arguments": {"limit": 2}},
                    {"tool_slug": "WEATHERMAP_GET_CURRENT_WEATHER", "arguments": {"location": "Lisbon"}}
                ], "sync_response_to_workbench": false}),
            )
            .await
            .unwrap();
        assert!(multi.successful(), "{:?}", multi.error);
        let results = multi.data["results"].as_array().unwrap();
        let order: Vec<&str> = results
            .iter()
            .map(|r| r["tool_slug"].as_str().unwrap())
            .collect();
        assert_eq!(
            order,
            vec![
                "LOCAL_GREP",
                "HACKERNEWS_GET_TOP_STORIES",
                "WEATHERMAP_GET_CURRENT_WEATHER"
            ]
        );
        assert_eq!(
            results[0]["response"]["data"]["matches"],
            json!(["beta", "alphabet"])
        );
        assert_eq!(
            results[1]["response"]["data"]["stories"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(multi.data["total_count"], 3);
        assert_eq!(multi.data["success_count"], 3);

        // an auth tool before connecting fails clearly
        let before = session
            .execute(
                "GITHUB_CREATE_AN_ISSUE",
                json!({"owner": "acme", "repo": "web", "title": "t"}),
                None,
            )
            .await
            .unwrap();
        assert!(!before.successful());
        assert!(before
            .error
            .as_deref()
            .unwrap()
            .contains("No active connected account found for toolkit: github"));

        // link → consent (the browser's form POST, straight into handle()) → wait
        let req = session
            .authorize(
                "github",
                &LinkOptions {
                    callback_url: Some("https://app.example/cb?x=1".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(req.status, "INITIATED");
        let link = req.redirect_url.clone().unwrap();
        assert!(link.starts_with(&format!("{BASE}/link/ln_")), "{link}");
        let page = upstream
            .emulator
            .handle(
                http::Request::get(&link).body(Vec::new()).unwrap(),
                &upstream.store,
                &upstream.runtime,
            )
            .await;
        assert!(String::from_utf8_lossy(page.body()).contains(r#"name="decision" value="allow""#));
        let consent = upstream
            .send(
                http::Request::post(&link)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(b"decision=allow".to_vec())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(consent.status(), 303);
        assert_eq!(
            consent.headers()["location"].to_str().unwrap(),
            format!(
                "https://app.example/cb?x=1&status=success&connected_account_id={}",
                req.id
            )
        );
        let account = session
            .wait_for_connection(&req.id, Some(10_000))
            .await
            .unwrap();
        assert_eq!(account.status, "ACTIVE");

        // the connected tool now works and keeps state
        let created = session
            .execute(
                "GITHUB_CREATE_AN_ISSUE",
                json!({"owner": "acme", "repo": "web", "title": "Login is broken"}),
                None,
            )
            .await
            .unwrap();
        assert!(created.successful(), "{:?}", created.error);
        let listed = session
            .execute(
                "GITHUB_LIST_ISSUES",
                json!({"owner": "acme", "repo": "web"}),
                None,
            )
            .await
            .unwrap();
        assert_eq!(listed.data["issues"][0]["title"], "Login is broken");

        // toolkits
        let connected = session
            .toolkits(&ToolkitsQuery {
                is_connected: Some(true),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(connected.items.len(), 1);
        assert_eq!(connected.items[0].slug, "github");
        assert!(connected.items[0].is_active());
        let all = session
            .all_toolkits(&ToolkitsQuery {
                limit: Some(3),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            all.len(),
            3,
            "the session's toolkit policy lists github, hackernews, weathermap"
        );

        // proxy
        let proxied = session
            .proxy_execute(&ProxyRequest::new("github", "/user", "GET"))
            .await
            .unwrap();
        assert_eq!(proxied.status, 200);
        assert_eq!(proxied.data["login"], "e2e_user");

        // update with optimistic concurrency
        let updated = session
            .update(&UpdateSession {
                tags: Patch::Value(TagFilter::list(["readOnlyHint"])),
                expected_config_version: Some(1),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(updated.config_version, Some(2));
        let stale = session
            .update(&UpdateSession {
                tags: Patch::Null,
                expected_config_version: Some(1),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert!(
            matches!(stale, Error::SessionConfigConflict(_)),
            "{stale:?}"
        );

        // delete → gone
        let deleted = session.delete().await.unwrap();
        assert!(deleted.deleted);
        let gone = client.use_session(session.id()).await.unwrap_err();
        assert_eq!(gone.http_status(), 404, "{gone:?}");
    });
}

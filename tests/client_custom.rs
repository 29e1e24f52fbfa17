//! Custom local tools (wire §6): slug rules, preload serialization, routing from the echo,
//! ambiguity, local execution and the tool context.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_support;

use client_support::*;
use composio_edge::client::custom::{expected_final_slug, normalize_input_schema};
use composio_edge::client::*;
use composio_edge::json;
use composio_edge::json::Value;
use composio_edge::runtime::block_on;
use composio_edge::Error;

fn noop(slug: &str) -> Result<CustomTool, Error> {
    CustomTool::new(slug, "Name", "desc", json!({}), |_, _| async {
        Ok(json!({}))
    })
}

#[test]
fn slug_rules() {
    for good in ["GREP", "grep", "a-b_c9", "X"] {
        assert!(noop(good).is_ok(), "{good}");
    }
    for bad in [
        "",
        "a b",
        "a.b",
        "LOCAL_X",
        "local_x",
        "Composio_x",
        "COMPOSIO_SEARCH",
        "é",
    ] {
        assert_eq!(noop(bad).unwrap_err().code(), "invalid_request", "{bad}");
    }
    // final slug ≤ 60: LOCAL_ + 54 chars ok, 55 not
    assert!(noop(&"A".repeat(54)).is_ok());
    assert!(noop(&"A".repeat(55)).is_err());
    // extends_toolkit counts towards the final length
    let t = noop(&"A".repeat(40)).unwrap();
    assert!(t.clone().with_extends_toolkit("meta_ads").is_ok());
    assert!(t.with_extends_toolkit("x".repeat(14)).is_err());
    assert_eq!(
        expected_final_slug("GET_AD_ACCOUNTS", Some("meta_ads")),
        "LOCAL_META_ADS_GET_AD_ACCOUNTS"
    );
    // name and description lengths
    let f = |_: Value, _: ToolContext| async { Ok(json!({})) };
    assert!(CustomTool::new("A", "", "d", json!({}), f).is_err());
    assert!(CustomTool::new("A", "n".repeat(129), "d", json!({}), f).is_err());
    assert!(CustomTool::new("A", "n".repeat(128), "d".repeat(5120), json!({}), f).is_ok());
    assert!(CustomTool::new("A", "n", "d".repeat(5121), json!({}), f).is_err());
    assert!(CustomTool::new("A", "n", "", json!({}), f).is_err());
}

#[test]
fn toolkit_rules() {
    let t = || noop("GREP").unwrap();
    assert!(CustomToolkit::new("DEV_TOOLS", "Dev", "d", vec![t()]).is_ok());
    assert!(CustomToolkit::new("DEV_TOOLS", "Dev", "d", vec![]).is_err());
    assert!(
        CustomToolkit::new("DEV_TOOLS", "Dev", "d", vec![t(); 101]).is_err(),
        "also duplicate"
    );
    let many: Vec<CustomTool> = (0..100).map(|i| noop(&format!("T{i}")).unwrap()).collect();
    assert!(CustomToolkit::new("DEV", "Dev", "d", many).is_ok());
    assert!(CustomToolkit::new("DEV", "Dev", "d".repeat(2049), vec![t()]).is_err());
    assert!(CustomToolkit::new("LOCAL_DEV", "Dev", "d", vec![t()]).is_err());
    let ext = t().with_extends_toolkit("gmail").unwrap();
    assert!(CustomToolkit::new("DEV", "Dev", "d", vec![ext]).is_err());
    assert!(CustomToolkit::new("DEV", "Dev", "d", vec![t(), noop("grep").unwrap()]).is_err());
    assert!(CustomToolkit::new(
        "D".repeat(30),
        "Dev",
        "d",
        vec![noop(&"G".repeat(30)).unwrap()]
    )
    .is_err());
}

#[test]
fn input_schema_is_normalized() {
    assert_eq!(
        normalize_input_schema(json!({})).unwrap(),
        json!({"type": "object", "properties": {}})
    );
    assert_eq!(
        normalize_input_schema(json!({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
            "properties": {"a": {"type": "integer"}}, "required": ["a"], "additionalProperties": false})).unwrap(),
        json!({"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"], "additionalProperties": false})
    );
    for bad in [
        json!({"type": "string"}),
        json!([]),
        json!({"properties": []}),
        json!({"required": "a"}),
    ] {
        assert!(normalize_input_schema(bad).is_err());
    }
}

#[test]
fn preload_serialization_rules() {
    let t = || noop("GREP").unwrap();
    let wire = |tool: CustomTool, default: bool| Customs::new(vec![tool], vec![]).to_wire(default);
    // explicit true always sent
    assert_eq!(
        wire(t().with_preload(true), false)["custom_tools"][0]["preload"],
        json!(true)
    );
    // redundant false omitted; false kept when the default is "all"
    assert!(wire(t().with_preload(false), false)["custom_tools"][0]
        .get("preload")
        .is_none());
    assert_eq!(
        wire(t().with_preload(false), true)["custom_tools"][0]["preload"],
        json!(false)
    );
    // unset never sent
    assert!(wire(t(), true)["custom_tools"][0].get("preload").is_none());

    // toolkit inheritance
    let tk = |tk_preload: Option<bool>, tool_preload: Option<bool>| {
        let mut tool = t();
        if let Some(p) = tool_preload {
            tool = tool.with_preload(p);
        }
        let mut k = CustomToolkit::new("DEV_TOOLS", "Dev Tools", "d", vec![tool]).unwrap();
        if let Some(p) = tk_preload {
            k = k.with_preload(p);
        }
        Customs::new(vec![], vec![k]).to_wire(false)["custom_toolkits"][0].clone()
    };
    let w = tk(Some(true), Some(false));
    assert_eq!(w["preload"], json!(true));
    assert_eq!(
        w["tools"][0]["preload"],
        json!(false),
        "false matters under a preloading toolkit"
    );
    let w = tk(Some(false), Some(false));
    assert!(
        w.get("preload").is_none(),
        "redundant toolkit false omitted"
    );
    assert!(w["tools"][0].get("preload").is_none());
    let w = tk(None, Some(true));
    assert_eq!(w["tools"][0]["preload"], json!(true));
    assert_eq!(
        w,
        json!({"slug":"DEV_TOOLS","name":"Dev Tools","description":"d",
               "tools":[{"slug":"GREP","name":"Name","description":"desc","input_schema":{"type":"object","properties":{}},"preload":true}]})
    );
    // output schema and extends_toolkit only when set; empty lists not sent
    let w = wire(
        t().with_output_schema(json!({"type":"object"}))
            .with_extends_toolkit("gmail")
            .unwrap(),
        false,
    );
    assert_eq!(
        w["custom_tools"][0]["output_schema"],
        json!({"type":"object"})
    );
    assert_eq!(w["custom_tools"][0]["extends_toolkit"], json!("gmail"));
    assert!(w.get("custom_toolkits").is_none());
}

#[test]
fn preload_all_default_makes_false_explicit_on_create() {
    let body = CreateSession::new("u")
        .with_toolkits(["gmail"])
        .with_preload(Preload::All)
        .with_custom_tool(grep_tool().with_preload(false))
        .to_wire()
        .unwrap();
    assert_eq!(
        body["experimental"]["custom_tools"][0]["preload"],
        json!(false)
    );
}

fn dev_toolkits() -> (CustomToolkit, CustomToolkit) {
    let a = CustomToolkit::new(
        "A",
        "A",
        "a",
        vec![CustomTool::new("X", "X", "x", json!({}), |_, _| async {
            Ok(json!({"from": "a"}))
        })
        .unwrap()],
    )
    .unwrap();
    let b = CustomToolkit::new(
        "B",
        "B",
        "b",
        vec![CustomTool::new("X", "X", "x", json!({}), |_, _| async {
            Ok(json!({"from": "b"}))
        })
        .unwrap()],
    )
    .unwrap();
    (a, b)
}

#[test]
fn routing_comes_only_from_the_echo() {
    let (c, t) = client();
    let extra = noop("OTHER").unwrap();
    t.push(ok(
        201,
        session_response(
            json!([{"slug":"LOCAL_GREP","original_slug":"GREP"}]),
            json!([]),
        ),
    ));
    let s = block_on(
        c.create_session(
            &CreateSession::new("u")
                .with_custom_tool(grep_tool())
                .with_custom_tool(extra),
        ),
    )
    .unwrap();
    let routes = s.routes();
    assert_eq!(routes.len(), 1);
    assert!(routes.find("LOCAL_GREP").unwrap().is_some());
    assert!(
        routes.find("local_grep").unwrap().is_some(),
        "case-insensitive"
    );
    assert!(routes.find("grep").unwrap().is_some(), "original slug");
    assert!(
        routes.find("OTHER").unwrap().is_none(),
        "not echoed → not routable"
    );
    assert!(routes.find("GMAIL_SEND_EMAIL").unwrap().is_none());

    // the un-echoed tool goes to the backend
    t.push(execute_ok(json!({}), "l"));
    block_on(s.execute("OTHER", json!({}), None)).unwrap();
    assert_eq!(t.json_body(1)["tool_slug"], "OTHER");
}

#[test]
fn ambiguous_original_slug_is_an_error_and_final_slugs_work() {
    let (c, t) = client();
    let (a, b) = dev_toolkits();
    t.push(ok(
        201,
        session_response(
            json!([]),
            json!([
        {"slug":"A","tools":[{"slug":"LOCAL_A_X","original_slug":"X"}]},
        {"slug":"B","tools":[{"slug":"LOCAL_B_X","original_slug":"X"}]}]),
        ),
    ));
    let s = block_on(
        c.create_session(
            &CreateSession::new("u")
                .with_custom_toolkit(a)
                .with_custom_toolkit(b),
        ),
    )
    .unwrap();
    match block_on(s.execute("x", json!({}), None)).unwrap_err() {
        Error::AmbiguousToolSlug { slug, candidates } => {
            assert_eq!(slug, "x");
            assert_eq!(candidates, ["LOCAL_A_X", "LOCAL_B_X"]);
        }
        e => panic!("{e:?}"),
    }
    let r = block_on(s.execute("local_b_x", json!({}), None)).unwrap();
    assert_eq!(r.data, json!({"from": "b"}));
    assert_eq!(t.requests().len(), 1, "local tools never hit the network");
}

#[test]
fn colliding_final_slugs_are_rejected() {
    let (c, t) = client();
    let (a, b) = dev_toolkits();
    t.push(ok(
        201,
        session_response(
            json!([]),
            json!([
        {"slug":"A","tools":[{"slug":"LOCAL_X","original_slug":"X"}]},
        {"slug":"B","tools":[{"slug":"local_x","original_slug":"X"}]}]),
        ),
    ));
    let e = block_on(
        c.create_session(
            &CreateSession::new("u")
                .with_custom_toolkit(a)
                .with_custom_toolkit(b),
        ),
    )
    .unwrap_err();
    assert_eq!(e.code(), "invalid_request");
}

fn grep_session() -> (
    TestClient,
    std::rc::Rc<composio_edge::transport::RecordingTransport>,
    Session<
        std::rc::Rc<composio_edge::transport::RecordingTransport>,
        composio_edge::runtime::TestRuntime,
    >,
) {
    let (c, t) = client();
    t.push(ok(
        201,
        session_response(
            json!([{"slug":"LOCAL_GREP","original_slug":"GREP"}]),
            json!([]),
        ),
    ));
    let s =
        block_on(c.create_session(&CreateSession::new("user_123").with_custom_tool(grep_tool())))
            .unwrap();
    (c, t, s)
}

#[test]
fn local_execution_semantics() {
    let (_c, t, s) = grep_session();
    let r = block_on(s.execute("GREP", json!({"pattern": "p"}), None)).unwrap();
    assert_eq!(r.data, json!({"matches": ["p"]}));
    assert_eq!(r.error, None);
    assert_eq!(r.log_id, "");
    assert!(r.successful());
    // validation failure: no handler call, typed result
    let r = block_on(s.execute("LOCAL_GREP", json!({}), None)).unwrap();
    assert_eq!(r.data, json!({}));
    assert!(
        r.error
            .as_deref()
            .unwrap()
            .starts_with("Input validation failed: "),
        "{:?}",
        r.error
    );
    assert!(!r.successful());
    let r = block_on(s.execute("GREP", json!({"pattern": 5}), None)).unwrap();
    assert!(
        r.error
            .as_deref()
            .unwrap()
            .starts_with("Input validation failed: $.pattern "),
        "{:?}",
        r.error
    );
    assert_eq!(t.requests().len(), 1);
}

#[test]
fn handler_errors_and_null_results() {
    let boom = CustomTool::new("BOOM", "Boom", "fails", json!({}), |_, _| async {
        Err("boom".to_string())
    })
    .unwrap();
    let nothing = CustomTool::new(
        "NOTHING",
        "Nothing",
        "returns null",
        json!({}),
        |_, _| async { Ok(Value::Null) },
    )
    .unwrap();
    let (c, t) = client();
    t.push(ok(201, session_response(json!([{"slug":"LOCAL_BOOM","original_slug":"BOOM"},{"slug":"LOCAL_NOTHING","original_slug":"NOTHING"}]), json!([]))));
    let s = block_on(
        c.create_session(
            &CreateSession::new("u")
                .with_custom_tool(boom)
                .with_custom_tool(nothing),
        ),
    )
    .unwrap();
    let r = block_on(s.execute("BOOM", Value::Null, None)).unwrap();
    assert_eq!(
        (r.data.clone(), r.error.as_deref(), r.successful()),
        (json!({}), Some("boom"), false)
    );
    let r = block_on(s.execute("nothing", Value::Null, None)).unwrap();
    assert_eq!(
        (r.data.clone(), r.error.as_deref(), r.successful()),
        (json!({}), None, true)
    );
    assert_eq!(t.requests().len(), 1);
}

#[test]
fn context_gives_user_and_runs_siblings_locally_and_others_remotely() {
    let caller = CustomTool::new("CALLER", "Caller", "calls others", json!({}), |_, ctx: ToolContext| async move {
        let user = ctx.user_id().unwrap_or_default().to_owned();
        let sib = ctx.execute("GREP", json!({"pattern": "q"})).await.map_err(|e| e.to_string())?;
        let remote = ctx.execute("GMAIL_SEND_EMAIL", json!({"to": "x"})).await.map_err(|e| e.to_string())?;
        let proxy = ctx
            .proxy_execute(&ProxyRequest::new("github", "/user", "GET"))
            .await
            .map_err(|e| e.to_string())?;
        Ok(json!({"user": user, "sibling": sib.data, "remote": remote.data, "proxy": proxy.status}))
    })
    .unwrap();
    let (c, t) = client();
    t.push(ok(201, session_response(json!([{"slug":"LOCAL_GREP","original_slug":"GREP"},{"slug":"LOCAL_CALLER","original_slug":"CALLER"}]), json!([]))));
    let s = block_on(
        c.create_session(
            &CreateSession::new("user_123")
                .with_custom_tool(grep_tool())
                .with_custom_tool(caller),
        ),
    )
    .unwrap();
    t.push(execute_ok(json!({"sent": true}), "log_r"));
    t.push(ok(200, json!({"status": 201, "data": {}, "headers": {}})));
    let r = block_on(s.execute("CALLER", json!({}), None)).unwrap();
    assert_eq!(r.error, None);
    assert_eq!(
        r.data,
        json!({"user": "user_123", "sibling": {"matches": ["q"]}, "remote": {"sent": true}, "proxy": 201})
    );
    let reqs = t.requests();
    assert_eq!(
        reqs.len(),
        3,
        "create + remote execute + proxy; the sibling ran in-process"
    );
    let body = t.json_body(1);
    assert_eq!(body["tool_slug"], "GMAIL_SEND_EMAIL");
    assert_eq!(body["arguments"], json!({"to": "x"}));
    assert!(body["experimental"]["custom_tools"].is_array());
    assert_eq!(
        reqs[2].uri().path(),
        format!("/api/v3.1/tool_router/session/{SID}/proxy_execute")
    );

    let detached = ToolContext::detached(None);
    assert!(block_on(detached.execute("X", json!({}))).is_err());
}

#[test]
fn preloaded_custom_tools_are_appended_to_tools() {
    let (c, t) = client();
    let pre = grep_tool().with_preload(true);
    let other = noop("OTHER").unwrap();
    let tk = CustomToolkit::new("DEV_TOOLS", "Dev", "d", vec![noop("LINT").unwrap()])
        .unwrap()
        .with_preload(true);
    t.push(ok(201, session_response(
        json!([{"slug":"LOCAL_GREP","original_slug":"GREP"},{"slug":"LOCAL_OTHER","original_slug":"OTHER"}]),
        json!([{"slug":"DEV_TOOLS","tools":[{"slug":"LOCAL_DEV_TOOLS_LINT","original_slug":"LINT"}]}]))));
    let s = block_on(
        c.create_session(
            &CreateSession::new("u")
                .with_custom_tool(pre)
                .with_custom_tool(other)
                .with_custom_toolkit(tk),
        ),
    )
    .unwrap();
    t.push(ok(
        200,
        json!({"items": [{"slug": "COMPOSIO_SEARCH_TOOLS"}], "next_cursor": null}),
    ));
    let tools = block_on(s.tools()).unwrap();
    let slugs: Vec<&str> = tools.iter().map(|t| t.slug.as_str()).collect();
    assert_eq!(
        slugs,
        [
            "COMPOSIO_SEARCH_TOOLS",
            "LOCAL_GREP",
            "LOCAL_DEV_TOOLS_LINT"
        ]
    );
    let grep = &tools[1];
    assert_eq!(
        grep.description,
        "[Direct tool - call directly, no search needed beforehand.]\ngrep files"
    );
    assert_eq!(grep.toolkit_slug(), "custom");
    assert!(grep.no_auth);
    assert_eq!(grep.input_parameters, grep_schema());
    assert_eq!(tools[2].toolkit_slug(), "DEV_TOOLS");
    // custom_tools() lists every routable tool with final slugs
    assert_eq!(s.custom_tools().len(), 3);
}

#[test]
fn preload_all_session_defaults_customs_to_preloaded() {
    let (c, t) = client();
    let mut resp = session_response(
        json!([{"slug":"LOCAL_GREP","original_slug":"GREP"}]),
        json!([]),
    );
    resp["config"]["preload"] = json!({"tools": "all"});
    t.push(ok(200, resp));
    let s = block_on(c.attach_session(SID, Customs::new(vec![grep_tool()], vec![]))).unwrap();
    t.push(ok(200, json!({"items": []})));
    let tools = block_on(s.tools()).unwrap();
    assert_eq!(tools.len(), 1);
    assert_eq!(tools[0].slug, "LOCAL_GREP");
}

#[test]
fn session_from_stored_info_routes_without_a_request() {
    let (c, t) = client();
    let info: composio_edge::wire::SessionInfo = composio_edge::json::from_value(session_response(
        json!([{"slug":"LOCAL_GREP","original_slug":"GREP"}]),
        json!([]),
    ))
    .unwrap();
    let s = c
        .session_from_info(info, Customs::new(vec![grep_tool()], vec![]))
        .unwrap();
    let r = block_on(s.execute("grep", json!({"pattern": "z"}), None)).unwrap();
    assert_eq!(r.data, json!({"matches": ["z"]}));
    assert!(t.requests().is_empty());
}

#[test]
fn runaway_recursion_between_custom_tools_is_cut() {
    let looping = CustomTool::new(
        "LOOP",
        "Loop",
        "calls itself",
        json!({}),
        |_, ctx: ToolContext| async move {
            match ctx.execute("LOOP", json!({})).await {
                Ok(r) => match r.error {
                    Some(e) => Err(e),
                    None => Ok(r.data),
                },
                Err(e) => Err(e.to_string()),
            }
        },
    )
    .unwrap();
    let (c, t) = client();
    t.push(ok(
        201,
        session_response(
            json!([{"slug":"LOCAL_LOOP","original_slug":"LOOP"}]),
            json!([]),
        ),
    ));
    let s = block_on(c.create_session(&CreateSession::new("u").with_custom_tool(looping))).unwrap();
    let r = block_on(s.execute("LOOP", json!({}), None)).unwrap();
    // the innermost call fails; each level reports it upwards
    assert!(
        r.error.is_some() || r.data.to_string().contains("nested too deeply"),
        "{r:?}"
    );
    assert!(format!("{r:?}").contains("nested too deeply"));
    assert_eq!(t.requests().len(), 1);
}

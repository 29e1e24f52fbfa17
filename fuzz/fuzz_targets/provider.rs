//! The provider formats of `crate::provider` over arbitrary tools and model responses, as
//! `tools\0response`: formatting and tool-call parsing never panic, and where a format
//! sanitizes property names (Anthropic, Gemini) a call using the sanitized names comes back
//! with exactly the original names.
#![no_main]

#[path = "common.rs"]
mod common;

use std::collections::BTreeSet;

use composio_edge::provider::{anthropic, dedupe_required, deref_schema, gemini, Provider};
use composio_edge::tools::multi::ToolOutcome;
use composio_edge::wire::Tool;
use libfuzzer_sys::fuzz_target;
use composio_edge::json;
use composio_edge::json::{Map, Value};

const PROVIDERS: [Provider; 7] = [
    Provider::OpenAi,
    Provider::OpenAiResponses { strict: false },
    Provider::OpenAiResponses { strict: true },
    Provider::Anthropic {
        cache_control: false,
    },
    Provider::Anthropic {
        cache_control: true,
    },
    Provider::Gemini,
    Provider::Vercel,
];

/// The top-level property names of a plain object schema (no composition at the top).
fn plain_props(schema: &Value) -> Option<BTreeSet<String>> {
    let m = schema.as_object()?;
    if ["$ref", "allOf", "anyOf", "oneOf"]
        .iter()
        .any(|k| m.contains_key(*k))
    {
        return None;
    }
    Some(m.get("properties")?.as_object()?.keys().cloned().collect())
}

fn sanitized_round_trip(tool: &Tool, formatted_props: Option<&Value>, provider: Provider) {
    let Some(orig) = plain_props(&tool.input_parameters) else {
        return;
    };
    let Some(props) = formatted_props.and_then(Value::as_object) else {
        return;
    };
    assert_eq!(
        props.len(),
        orig.len(),
        "{provider:?} lost or invented a property"
    );
    let args: Map = props
        .keys()
        .enumerate()
        .map(|(i, k)| (k.clone(), Value::from(i)))
        .collect();
    let response = match provider {
        Provider::Gemini => json!({"candidates":[{"content":{"parts":[
            {"functionCall":{"name": tool.slug, "args": args}}]}}]}),
        _ => json!({"content":[{"type":"tool_use","id":"t1","name": tool.slug, "input": args}]}),
    };
    // Only the first tool with a slug is used to restore, as the parsers do.
    let calls = provider
        .parse_tool_calls(&response, std::slice::from_ref(tool))
        .expect("parses");
    assert_eq!(calls.len(), 1);
    let back: BTreeSet<String> = calls[0].arguments.keys().cloned().collect();
    assert_eq!(
        back, orig,
        "{provider:?} did not restore the original names"
    );
}

fuzz_target!(|data: &[u8]| {
    let (t, r) = common::split2(data);
    let tools: Vec<Tool> = match serde_json::from_slice::<Value>(t) {
        Ok(Value::Array(a)) => a
            .into_iter()
            .filter_map(|v| composio_edge::json::from_value(v).ok())
            .collect(),
        Ok(v) => composio_edge::json::from_value::<Tool>(v)
            .map(|t| vec![t])
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let response = common::json_or_string(r);

    for p in PROVIDERS {
        let _ = p.format_tools(&tools);
        if let Ok(calls) = p.parse_tool_calls(&response, &tools) {
            let results: Vec<_> = calls
                .into_iter()
                .enumerate()
                .map(|(i, c)| {
                    let o = if i % 2 == 0 {
                        ToolOutcome::ok(json!({"i": i}))
                    } else {
                        ToolOutcome::failed("x")
                    };
                    (c, o)
                })
                .collect();
            let _ = p.result_messages(&results);
        }
    }
    for tool in &tools {
        let mut s = tool.input_parameters.clone();
        dedupe_required(&mut s);
        let _ = deref_schema(&s);
        let _ = gemini::to_gemini_schema(&tool.input_parameters);
        // Distinct slugs only: the parsers restore with the first tool of a slug.
        if tools.iter().filter(|x| x.slug == tool.slug).count() == 1 {
            let (a, _) = anthropic::format_tool(tool, false);
            sanitized_round_trip(
                tool,
                a["input_schema"].get("properties"),
                Provider::Anthropic {
                    cache_control: false,
                },
            );
            let g = gemini::function_declaration(tool);
            sanitized_round_trip(tool, g.pointer("/parameters/properties"), Provider::Gemini);
        }
    }
});

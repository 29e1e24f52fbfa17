//! Tool search: BM25 over slug, name, description and tags (plus toolkit names), honouring the
//! session's filters and the custom tools sent inline; and `COMPOSIO_GET_TOOL_SCHEMAS`.

use std::collections::{BTreeMap, BTreeSet};

use crate::json;
use crate::json::{Map, Value};

use super::catalog;
use super::connect;
use super::session::{self, CustomTool, Session};
use super::{ok, ApiErr, Ctx, Res};
use crate::runtime::Runtime;
use crate::store::Store;
use crate::transport::{rfc3339, HttpResponse};

const STOP: &[&str] = &[
    "a", "an", "the", "to", "of", "for", "in", "on", "and", "or", "with", "my", "me", "i", "is",
    "it", "from", "by", "this", "that", "be", "all", "some", "please", "can", "you", "at", "as",
    "into", "about", "want", "need", "would", "like", "using", "use", "via", "your", "our", "new",
];

const SYNONYMS: &[(&str, &str)] = &[
    ("meeting", "event calendar"),
    ("appointment", "event calendar"),
    ("schedule", "event calendar"),
    ("ticket", "issue"),
    ("bug", "issue"),
    ("mail", "email"),
    ("inbox", "email fetch"),
    ("outbox", "email sent"),
    ("note", "page notion"),
    ("doc", "page"),
    ("document", "page"),
    ("forecast", "weather"),
    ("temperature", "weather"),
    ("rain", "weather"),
    ("news", "story hacker"),
    ("dm", "message"),
    ("chat", "message slack"),
    ("post", "send message"),
    ("repo", "repository"),
    ("task", "issue"),
    ("reply", "message send"),
];

/// Stems a lowercase word (a light Porter-style suffix strip).
fn stem(w: &str) -> String {
    let mut s = w.to_owned();
    if s.len() > 4 && s.ends_with("ies") {
        s.truncate(s.len() - 3);
        s.push('y');
    } else if s.len() > 5 && s.ends_with("ing") {
        s.truncate(s.len() - 3);
    } else if s.len() > 4
        && (s.ends_with("ed") || s.ends_with("ches") || s.ends_with("shes") || s.ends_with("xes"))
    {
        s.truncate(s.len() - 2);
    } else if s.len() > 3 && s.ends_with('s') && !s.ends_with("ss") && s != "news" {
        s.truncate(s.len() - 1);
    }
    if s.len() > 3 && s.ends_with('e') {
        s.truncate(s.len() - 1);
    }
    s
}

/// Lowercase stemmed tokens; splits on non-alphanumerics and camelCase.
pub(crate) fn tokenize(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_lowercase() || c.is_numeric();
            cur.extend(c.to_lowercase());
        } else {
            prev_lower = false;
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
        .into_iter()
        .filter(|w| !STOP.contains(&w.as_str()))
        .map(|w| stem(&w))
        .collect()
}

fn query_tokens(text: &str) -> Vec<String> {
    let mut out = tokenize(text);
    let raw: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .collect();
    for (word, extra) in SYNONYMS {
        if raw.iter().any(|r| r == word || stem(r) == stem(word)) {
            out.extend(tokenize(extra));
        }
    }
    out
}

/// A searchable tool.
pub(crate) struct Doc {
    pub slug: String,
    pub toolkit: String,
    pub description: String,
    pub input_schema: Value,
    pub output_schema: Option<Value>,
    tokens: Vec<String>,
}

/// Searchable words for tag letters (`openWorldHint` must not match "open").
fn tag_words(letters: &str) -> String {
    let mut out = Vec::new();
    for (l, w) in [
        ('R', "readonly read"),
        ('D', "destructive"),
        ('I', "idempotent"),
        ('O', "openworld"),
    ] {
        if letters.contains(l) {
            out.push(w);
        }
    }
    out.join(" ")
}

fn app_doc(d: &catalog::ToolDef) -> Doc {
    let tk_name = d.toolkit().map(|t| t.name).unwrap_or_default();
    let text = format!(
        "{slug} {slug} {name} {name} {desc} {tags} {tk} {tk_name}",
        slug = d.slug.replace('_', " "),
        name = d.name,
        desc = d.description,
        tags = tag_words(d.tags),
        tk = d.toolkit,
    );
    Doc {
        slug: d.slug.to_owned(),
        toolkit: d.toolkit.to_owned(),
        description: d.description.to_owned(),
        input_schema: d.input_schema().clone(),
        output_schema: Some(d.output_schema().clone()),
        tokens: tokenize(&text),
    }
}

fn custom_doc(t: &CustomTool) -> Doc {
    let text = format!(
        "{s} {s} {o} {n} {n} {d} {tk}",
        s = t.slug.replace('_', " "),
        o = t.original_slug.replace('_', " "),
        n = t.name,
        d = t.description,
        tk = t.toolkit(),
    );
    Doc {
        slug: t.slug.clone(),
        toolkit: t.toolkit(),
        description: t.description.clone(),
        input_schema: t.input_schema.clone(),
        output_schema: t.output_schema.clone(),
        tokens: tokenize(&text),
    }
}

/// The catalog's documents, tokenized once per isolate (same order as `catalog::tools()`).
fn catalog_docs() -> &'static [Doc] {
    static D: std::sync::OnceLock<Vec<Doc>> = std::sync::OnceLock::new();
    D.get_or_init(|| catalog::tools().iter().map(app_doc).collect())
}

/// The inline custom tools as documents.
pub(crate) fn custom_docs(customs: &[CustomTool]) -> Vec<Doc> {
    customs.iter().map(custom_doc).collect()
}

/// Every tool the session may use (filters applied), plus the given custom documents.
pub(crate) fn corpus<'a>(sess: &Session, customs: &'a [Doc]) -> Vec<&'a Doc> {
    catalog::tools()
        .iter()
        .zip(catalog_docs())
        .filter(|(d, _)| session::def_allowed(sess, d))
        .map(|(_, doc)| doc)
        .chain(customs.iter())
        .collect()
}

/// BM25 scores of `docs` for `query`, best first, positive scores only.
pub(crate) fn rank(docs: &[&Doc], query: &str) -> Vec<(usize, f64)> {
    let q = query_tokens(query);
    let n = docs.len() as f64;
    if docs.is_empty() || q.is_empty() {
        return Vec::new();
    }
    let avgdl = docs.iter().map(|d| d.tokens.len() as f64).sum::<f64>() / n;
    let mut df: BTreeMap<&str, f64> = BTreeMap::new();
    for d in docs {
        let uniq: BTreeSet<&str> = d.tokens.iter().map(String::as_str).collect();
        for t in uniq {
            *df.entry(t).or_default() += 1.0;
        }
    }
    let (k1, b) = (1.2, 0.75);
    let mut scores: Vec<(usize, f64)> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let dl = d.tokens.len() as f64;
            let mut s = 0.0;
            for t in &q {
                let f = d.tokens.iter().filter(|x| *x == t).count() as f64;
                if f == 0.0 {
                    continue;
                }
                let dfi = df.get(t.as_str()).copied().unwrap_or(0.0);
                let idf = (1.0 + (n - dfi + 0.5) / (dfi + 0.5)).ln();
                s += idf * f * (k1 + 1.0) / (f + k1 * (1.0 - b + b * dl / avgdl.max(1.0)));
            }
            (i, s)
        })
        .filter(|(_, s)| *s > 0.0)
        .collect();
    scores.sort_by(|a, b| {
        b.1.partial_cmp(&a.1)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.0.cmp(&b.0))
    });
    scores
}

/// Close catalog slugs for a mistyped one.
pub(crate) fn suggest(slug: &str) -> Vec<String> {
    let docs: Vec<&Doc> = catalog_docs().iter().collect();
    rank(&docs, &slug.replace('_', " "))
        .into_iter()
        .take(3)
        .filter_map(|(i, _)| docs.get(i).map(|d| d.slug.clone()))
        .collect()
}

fn required_only(schema: &Value) -> Value {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut props = Map::new();
    if let Some(p) = schema.get("properties").and_then(Value::as_object) {
        for (k, v) in p {
            if required.contains(&k.as_str()) {
                props.insert(k.clone(), v.clone());
            }
        }
    }
    json!({"type": "object", "properties": props, "required": required})
}

fn schema_entry(d: &Doc, full: bool) -> Value {
    if full {
        json!({
            "toolkit": d.toolkit, "tool_slug": d.slug, "description": d.description,
            "input_schema": d.input_schema, "hasFullSchema": true,
        })
    } else {
        json!({
            "toolkit": d.toolkit, "tool_slug": d.slug, "description": d.description,
            "input_schema": required_only(&d.input_schema), "hasFullSchema": false,
            "schemaRef": {"tool": "COMPOSIO_GET_TOOL_SCHEMAS", "args": {"tool_slugs": [d.slug]},
                          "message": "Only required parameters are shown; call COMPOSIO_GET_TOOL_SCHEMAS for the full schema."},
        })
    }
}

fn hash_hex(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The §4.2 search body.
pub(crate) async fn search<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    sess: &Session,
    args: &Map,
    customs: &[CustomTool],
    toolkits: Option<Vec<String>>,
) -> Res<Value> {
    let queries = args
        .get("queries")
        .and_then(Value::as_array)
        .filter(|q| !q.is_empty() && q.len() <= 7)
        .ok_or_else(|| ApiErr::bad_request("queries must hold 1 to 7 items"))?;
    let mut uses = Vec::new();
    for q in queries {
        let use_case = q
            .get("use_case")
            .and_then(Value::as_str)
            .filter(|u| !u.trim().is_empty() && u.chars().count() <= 1024)
            .ok_or_else(|| {
                ApiErr::bad_request("every query needs a use_case of 1 to 1024 characters")
            })?;
        let known = match q.get("known_fields") {
            None | Some(Value::Null) => "",
            Some(Value::String(k)) if k.chars().count() <= 500 => k.as_str(),
            Some(_) => {
                return Err(ApiErr::bad_request(
                    "known_fields must be a string of at most 500 characters",
                ))
            }
        };
        uses.push((use_case.to_owned(), known.to_owned()));
    }
    let custom = custom_docs(customs);
    let mut docs = corpus(sess, &custom);
    if let Some(tks) = toolkits.filter(|t| !t.is_empty()) {
        docs.retain(|d| tks.iter().any(|t| t.eq_ignore_ascii_case(&d.toolkit)));
    }
    let mut results = Vec::new();
    let mut schemas = Map::new();
    let mut all_toolkits: Vec<String> = Vec::new();
    for (i, (use_case, known)) in uses.iter().enumerate() {
        let ranked = rank(&docs, &format!("{use_case} {known}"));
        let top = ranked.first().map(|r| r.1).unwrap_or(0.0);
        let primary: Vec<&Doc> = ranked
            .iter()
            .take(3)
            .filter(|(_, s)| *s >= top * 0.6)
            .filter_map(|(i, _)| docs.get(*i).copied())
            .collect();
        let related: Vec<&Doc> = ranked
            .iter()
            .skip(primary.len())
            .take(4)
            .filter(|(_, s)| *s >= top * 0.2)
            .filter_map(|(i, _)| docs.get(*i).copied())
            .collect();
        let mut tks: Vec<String> = Vec::new();
        for d in primary.iter().chain(related.iter()) {
            if !tks.contains(&d.toolkit) {
                tks.push(d.toolkit.clone());
            }
            if !all_toolkits.contains(&d.toolkit) {
                all_toolkits.push(d.toolkit.clone());
            }
        }
        for d in &primary {
            schemas.insert(d.slug.clone(), schema_entry(d, true));
        }
        for d in &related {
            schemas
                .entry(d.slug.clone())
                .or_insert_with(|| schema_entry(d, false));
        }
        let primary_slugs: Vec<&str> = primary.iter().map(|d| d.slug.as_str()).collect();
        let guidance = match primary_slugs.first() {
            Some(first) => format!(
                "Use {first} for this task{}. Check toolkit_connection_statuses before executing; run the tools with COMPOSIO_MULTI_EXECUTE_TOOL.",
                if primary_slugs.len() > 1 { format!(" (alternatives: {})", primary_slugs.get(1..).unwrap_or_default().join(", ")) } else { String::new() }
            ),
            None => "No tool in this session matches the use case; rephrase it, or check the session's toolkit filters.".to_owned(),
        };
        let steps: Vec<String> = primary_slugs
            .first()
            .map(|s| {
                vec![
                    "Make sure the toolkit is connected (COMPOSIO_MANAGE_CONNECTIONS).".to_owned(),
                    format!("Call {s} with the required arguments."),
                ]
            })
            .unwrap_or_default();
        results.push(json!({
            "index": i + 1,
            "use_case": use_case,
            "primary_tool_slugs": primary_slugs,
            "related_tool_slugs": related.iter().map(|d| d.slug.as_str()).collect::<Vec<_>>(),
            "toolkits": tks,
            "execution_guidance": guidance,
            "difficulty": if primary.is_empty() { "unknown" } else { "easy - a single tool call" },
            "recommended_plan_steps": steps,
            "known_pitfalls": ["Arguments are validated against the input schema; missing required fields fail the call."],
            "reference_workbench_snippets": [],
            "plan_id": format!("plan_{}", hash_hex(use_case).get(..12).unwrap_or_default()),
            "cached_plan_usecase": null,
            "error": null,
            "memory": {},
        }));
    }
    let statuses = connection_statuses(ctx, sess, &all_toolkits).await?;
    let sess_arg = args.get("session");
    let generate = sess_arg
        .and_then(|s| s.get("generate_id"))
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let wf_id = match sess_arg.and_then(|s| s.get("id")).and_then(Value::as_str) {
        Some(id) if !id.is_empty() && !generate => id.to_owned(),
        _ => ctx.new_id("wf_"),
    };
    let now = ctx.now_ms();
    Ok(json!({
        "success": true,
        "error": null,
        "results": results,
        "toolkit_connection_statuses": statuses,
        "tool_schemas": schemas,
        "time_info": {
            "current_time_utc": rfc3339(now),
            "current_time_utc_epoch_seconds": now / 1000,
            "message": "Current UTC time; use it to resolve relative dates such as today or next week.",
        },
        "session": {"id": wf_id, "generate_id": generate,
                    "instructions": "Pass this id as session_id in the following meta tool calls of this workflow."},
        "next_steps_guidance": [
            "If a toolkit has no active connection, call COMPOSIO_MANAGE_CONNECTIONS and share the redirect_url with the user.",
            "Execute the primary tools with COMPOSIO_MULTI_EXECUTE_TOOL, using the input schemas above.",
            "For tools whose schema has hasFullSchema=false, call COMPOSIO_GET_TOOL_SCHEMAS first.",
        ],
    }))
}

async fn connection_statuses<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    sess: &Session,
    toolkits: &[String],
) -> Res<Vec<Value>> {
    let accounts = connect::user_accounts(ctx, &sess.user_id).await?;
    let mut out = Vec::new();
    for slug in toolkits {
        let Some(tk) = catalog::toolkit(slug) else {
            out.push(json!({
                "toolkit": slug, "description": "Custom tools defined by the client",
                "has_active_connection": true, "connection_details": {}, "current_user_info": {},
                "account_type": null, "accounts": [],
                "status_message": "Custom tools run in the client and need no connection.",
            }));
            continue;
        };
        if tk.no_auth() {
            out.push(json!({
                "toolkit": tk.slug, "description": tk.description, "has_active_connection": true,
                "connection_details": {}, "current_user_info": {}, "account_type": null, "accounts": [],
                "status_message": format!("{} needs no authentication.", tk.name),
            }));
            continue;
        }
        let mine: Vec<&connect::Account> = accounts
            .iter()
            .filter(|a| a.toolkit == tk.slug && a.status == "ACTIVE")
            .collect();
        let default_id = session::best_account(&accounts, tk.slug)
            .filter(|a| a.status == "ACTIVE")
            .map(|a| a.id.clone());
        let list: Vec<Value> = mine
            .iter()
            .map(|a| {
                json!({"id": a.id, "alias": a.alias, "user_info": {"user_id": a.user_id},
                       "status": "active", "created_at": rfc3339(a.created_at),
                       "is_default": Some(&a.id) == default_id.as_ref(), "account_type": "PRIVATE"})
            })
            .collect();
        let active = !mine.is_empty();
        out.push(json!({
            "toolkit": tk.slug,
            "description": tk.description,
            "has_active_connection": active,
            "connection_details": if active { json!({"auth_scheme": tk.auth.scheme(), "auth_config_id": tk.auth_config_id()}) } else { json!({}) },
            "current_user_info": if active { json!({"user_id": sess.user_id}) } else { json!({}) },
            "account_type": if active { json!("PRIVATE") } else { Value::Null },
            "accounts": list,
            "status_message": if active {
                format!("{} is connected.", tk.name)
            } else {
                format!("{} is not connected. Call COMPOSIO_MANAGE_CONNECTIONS with toolkits [\"{}\"] to get a connect link.", tk.name, tk.slug)
            },
        }));
    }
    Ok(out)
}

/// `POST …/search`.
pub(crate) async fn search_endpoint<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    sess: &Session,
    body: Map,
) -> Res<HttpResponse> {
    let customs = session::custom_tools(body.get("experimental"))?;
    let toolkits = match body.get("toolkits") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) => Some(
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        ),
        Some(_) => return Err(ApiErr::bad_request("toolkits must be a list of strings")),
    };
    let out = search(ctx, sess, &body, &customs, toolkits).await?;
    ok(200, &out)
}

/// `COMPOSIO_GET_TOOL_SCHEMAS`.
pub(crate) fn get_tool_schemas(sess: &Session, args: &Map, customs: &[CustomTool]) -> Value {
    let want_output = args
        .get("include")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|x| x == "output_schema"));
    let custom = custom_docs(customs);
    let docs = corpus(sess, &custom);
    let mut schemas = Map::new();
    let mut not_found = Vec::new();
    let mut suggestions = Map::new();
    for slug in args
        .get("tool_slugs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        match docs.iter().find(|d| d.slug.eq_ignore_ascii_case(slug)) {
            Some(d) => {
                let mut e = json!({"toolkit": d.toolkit, "tool_slug": d.slug,
                                   "description": d.description, "input_schema": d.input_schema});
                if want_output {
                    if let (Some(o), Some(m)) = (&d.output_schema, e.as_object_mut()) {
                        m.insert("output_schema".into(), o.clone());
                    }
                }
                schemas.insert(d.slug.clone(), e);
            }
            None => {
                not_found.push(json!(slug));
                let close: Vec<String> = rank(&docs, &slug.replace('_', " "))
                    .into_iter()
                    .take(3)
                    .filter_map(|(i, _)| docs.get(i).map(|d| d.slug.clone()))
                    .collect();
                suggestions.insert(slug.to_owned(), json!(close));
            }
        }
    }
    let msg = if not_found.is_empty() {
        Value::Null
    } else {
        json!("Some tools were not found or are not enabled in this session; see suggestions.")
    };
    json!({
        "success": not_found.is_empty(),
        "tool_schemas": schemas,
        "not_found": not_found,
        "suggestions": suggestions,
        "not_found_message": msg,
    })
}

//! Provider formats: OpenAI chat and responses, Anthropic, Google Gemini, Vercel AI SDK (wire §7).
//!
//! Pure functions only: tools are formatted from [`crate::wire::Tool`], model responses are parsed
//! into [`ToolCall`]s (arguments normalized as §7 says) and results are turned back into the
//! messages each API expects. Executing the calls is the session client's job.
//!
//! ```
//! use composio_edge::provider::Provider;
//! use composio_edge::wire::Tool;
//! let tool = Tool { slug: "GMAIL_SEND_EMAIL".into(), description: "Send".into(), ..Default::default() };
//! let tools = Provider::parse("openai").unwrap().format_tools(&[tool]);
//! assert_eq!(tools[0]["function"]["name"], "GMAIL_SEND_EMAIL");
//! ```

use crate::json::{Map, Value};

use crate::json;

use crate::tools::multi::ToolOutcome;
use crate::wire::Tool;
use crate::Error;

pub mod anthropic;
pub mod gemini;
pub mod openai;
pub mod openai_responses;
pub mod vercel;

/// A tool call a model asked for.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ToolCall {
    /// The provider's call id (`tool_call_id`, `call_id`, `tool_use_id`; Gemini: `id` or the name).
    pub id: String,
    /// Tool slug.
    pub name: String,
    /// Normalized arguments (property keys restored where the format sanitized them).
    pub arguments: Map,
}

/// A provider format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    /// OpenAI chat completions.
    OpenAi,
    /// OpenAI responses API; `strict` turns on strict function schemas.
    OpenAiResponses {
        /// Strict mode.
        strict: bool,
    },
    /// Anthropic messages; `cache_control` marks the tool list for prompt caching.
    Anthropic {
        /// Add `cache_control: {"type":"ephemeral"}` to the last tool.
        cache_control: bool,
    },
    /// Google Gemini function declarations.
    Gemini,
    /// Vercel AI SDK tool JSON.
    Vercel,
}

impl Provider {
    /// Parses `openai`, `openai-responses` (`openai-responses-strict`), `anthropic`
    /// (`anthropic-cache`), `gemini` or `vercel` (case-insensitive).
    ///
    /// ```
    /// use composio_edge::provider::Provider;
    /// assert_eq!(Provider::parse("openai-responses").unwrap(), Provider::OpenAiResponses { strict: false });
    /// assert!(Provider::parse("cohere").is_err());
    /// ```
    pub fn parse(name: &str) -> Result<Provider, Error> {
        Ok(match name.trim().to_ascii_lowercase().as_str() {
            "openai" => Provider::OpenAi,
            "openai-responses" => Provider::OpenAiResponses { strict: false },
            "openai-responses-strict" => Provider::OpenAiResponses { strict: true },
            "anthropic" => Provider::Anthropic {
                cache_control: false,
            },
            "anthropic-cache" => Provider::Anthropic {
                cache_control: true,
            },
            "gemini" | "google" => Provider::Gemini,
            "vercel" => Provider::Vercel,
            _ => return Err(Error::InvalidRequest(
                "unknown provider; expected openai, openai-responses, anthropic, gemini or vercel"
                    .into(),
            )),
        })
    }

    /// Formats tools for this provider: a JSON array for OpenAI and Anthropic, the Gemini
    /// `{"functionDeclarations": […]}` tool object, the Vercel `{slug: tool}` object.
    pub fn format_tools(&self, tools: &[Tool]) -> Value {
        match *self {
            Provider::OpenAi | Provider::OpenAiResponses { .. } => {
                let mut out = Vec::with_capacity(tools.len());
                for t in tools {
                    out.push(match *self {
                        Provider::OpenAiResponses { strict } => {
                            openai_responses::format_tool(t, strict)
                        }
                        _ => openai::format_tool(t),
                    });
                }
                Value::Array(out)
            }
            Provider::Anthropic { cache_control } => anthropic::format_tools(tools, cache_control),
            Provider::Gemini => gemini::format_tools(tools),
            Provider::Vercel => vercel::format_tools(tools),
        }
    }

    /// Parses the tool calls in a model response (OpenAI chat completion, responses `output`
    /// or whole response, Anthropic message, Gemini response/candidate, Vercel tool calls).
    /// `tools` are the tools that were formatted, used to restore sanitized property keys.
    pub fn parse_tool_calls(
        &self,
        response: &Value,
        tools: &[Tool],
    ) -> Result<Vec<ToolCall>, Error> {
        match self {
            Provider::OpenAi => openai::parse_tool_calls(response),
            Provider::OpenAiResponses { .. } => openai_responses::parse_tool_calls(response),
            Provider::Anthropic { .. } => anthropic::parse_tool_uses_restored(response, tools),
            Provider::Gemini => gemini::parse_function_calls_restored(response, tools),
            Provider::Vercel => vercel::parse_tool_calls(response),
        }
    }

    /// The messages (or input items) that carry tool results back to the model: one `tool`
    /// message per call (OpenAI), one `function_call_output` item per call (responses), one
    /// `user` message with every `tool_result` (Anthropic), one `user` content with every
    /// `functionResponse` (Gemini), the result objects themselves (Vercel).
    pub fn result_messages(&self, results: &[(ToolCall, ToolOutcome)]) -> Vec<Value> {
        let mut out = Vec::with_capacity(results.len());
        match self {
            Provider::Anthropic { .. } => out.push(anthropic::tool_results_message(results)),
            Provider::Gemini => out.push(gemini::function_response_content(results)),
            _ => {
                for (c, o) in results {
                    out.push(match self {
                        Provider::OpenAi => openai::tool_message(&c.id, o),
                        Provider::OpenAiResponses { .. } => {
                            openai_responses::function_call_output(&c.id, Ok(o))
                        }
                        _ => o.to_json(),
                    });
                }
            }
        }
        out
    }
}

/// Where one provider keeps its tool calls: one table entry per format instead of five
/// hand-written walkers (smaller wasm; the behaviour of each parser is pinned by its tests).
pub(crate) struct CallShape {
    /// JSON pointers tried in order; the first that names an array is the list of entries.
    pub lists: &'static [&'static str],
    /// The `type` an entry must have (`""`: any).
    pub kind: &'static str,
    /// `true`: an entry without `type` passes too (only a different `type` is skipped).
    pub kind_optional: bool,
    /// The member holding name and arguments (`""`: the entry itself).
    pub inner: &'static str,
    /// Gemini: entries without `inner` are skipped, and the id is `inner.id` or the name.
    pub gemini: bool,
    /// The id member of the entry.
    pub id: &'static str,
    /// The name member.
    pub name: &'static str,
    /// The arguments member, then a fallback one (`""`: none).
    pub args: [&'static str; 2],
}

/// The tool calls `v` holds in `shape`'s layout, arguments normalized.
pub(crate) fn extract_calls(v: &Value, shape: &CallShape) -> Result<Vec<ToolCall>, Error> {
    let mut list = None;
    for p in shape.lists {
        list = v.pointer(p).and_then(Value::as_array);
        if list.is_some() {
            break;
        }
    }
    let mut out = Vec::new();
    for c in list.into_iter().flatten() {
        if !shape.kind.is_empty() {
            let skip = match c.get("type") {
                None => !shape.kind_optional,
                Some(t) => t.as_str() != Some(shape.kind),
            };
            if skip {
                continue;
            }
        }
        let f = if shape.inner.is_empty() {
            c
        } else {
            match c.get(shape.inner) {
                Some(f) => f,
                None if shape.gemini => continue,
                None => &Value::Null,
            }
        };
        let name = openai::str_of(f.get(shape.name));
        let id = if shape.gemini {
            f.get(shape.id)
                .and_then(Value::as_str)
                .map_or_else(|| name.clone(), String::from)
        } else {
            openai::str_of(c.get(shape.id))
        };
        let mut args = f.get(shape.args[0]);
        if args.is_none() && !shape.args[1].is_empty() {
            args = f.get(shape.args[1]);
        }
        out.push(ToolCall {
            id,
            name,
            arguments: crate::tools::args::normalize_arguments(args.unwrap_or(&Value::Null))?,
        });
    }
    Ok(out)
}

/// Restores the original property keys of every call whose tool is in `tools`.
pub(crate) fn restore_calls(
    mut calls: Vec<ToolCall>,
    tools: &[Tool],
    key_map: fn(&Tool) -> KeyMap,
) -> Vec<ToolCall> {
    for c in &mut calls {
        if let Some(t) = tools.iter().find(|t| t.slug == c.name) {
            let args = std::mem::take(&mut c.arguments);
            c.arguments = key_map(t).restore_map(args);
        }
    }
    calls
}

/// `{"type":"object","properties":{}}`, used when a tool has no input schema.
pub(crate) fn input_schema(tool: &Tool) -> Value {
    match &tool.input_parameters {
        Value::Object(m) if !m.is_empty() => tool.input_parameters.clone(),
        _ => json!({"type": "object", "properties": {}}),
    }
}

/// Applies `f` to every direct sub-schema of a schema object.
pub(crate) fn for_each_subschema(s: &mut Map, f: &mut dyn FnMut(&mut Value)) {
    for (k, v) in s.iter_mut() {
        match k.as_str() {
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
                if let Value::Object(m) = v {
                    m.values_mut().for_each(&mut *f);
                }
            }
            "items" | "prefixItems" | "anyOf" | "oneOf" | "allOf" => match v {
                Value::Array(a) => a.iter_mut().for_each(&mut *f),
                x => f(x),
            },
            "additionalProperties"
            | "not"
            | "if"
            | "then"
            | "else"
            | "contains"
            | "additionalItems"
            | "propertyNames"
            | "unevaluatedProperties"
            | "unevaluatedItems" => f(v),
            _ => {}
        }
    }
}

/// Removes duplicate entries from every `required` array in the schema (first one wins).
pub fn dedupe_required(schema: &mut Value) {
    if let Value::Object(m) = schema {
        if let Some(Value::Array(req)) = m.get_mut("required") {
            // A JSON object used as a set (no BTreeSet and its sort in the wasm).
            let mut seen = crate::wire::json::new_map();
            let mut kept = Vec::with_capacity(req.len());
            for r in std::mem::take(req) {
                if seen.insert(json_text(&r), Value::Null).is_none() {
                    kept.push(r);
                }
            }
            *req = kept;
        }
        for_each_subschema(m, &mut |x| dedupe_required(x));
    }
}

/// Inlines local `$ref`s (`#`, `#/$defs/…`, `#/definitions/…`) and drops the definitions.
/// Recursive references are cut at a depth limit (replaced by `{}`), and expansion is bounded
/// so a hostile schema cannot blow up.
pub fn deref_schema(schema: &Value) -> Value {
    let mut budget = 20_000usize;
    expand(schema, schema, 0, &mut budget)
}

fn expand(root: &Value, v: &Value, depth: usize, budget: &mut usize) -> Value {
    *budget = budget.saturating_sub(1);
    let Value::Object(src) = v else {
        return v.clone();
    };
    if depth > 32 || *budget == 0 {
        return json!({});
    }
    let mut m = src.clone();
    m.remove("$defs");
    m.remove("definitions");
    let target = match m.remove("$ref") {
        Some(Value::String(r)) => match r.strip_prefix('#') {
            Some("") => Some(root),
            Some(p) => root.pointer(p),
            None => None,
        },
        _ => None,
    };
    for_each_subschema(&mut m, &mut |x| {
        let e = expand(root, x, depth + 1, budget);
        *x = e;
    });
    if let Some(Value::Object(t)) = target.map(|t| expand(root, t, depth + 1, budget)) {
        for (k, x) in t {
            if !m.contains_key(&k) {
                m.insert(k, x);
            }
        }
    }
    Value::Object(m)
}

/// How sanitized property keys map back to the originals, per schema level.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeyMap {
    /// `(sanitized, original, nested)`, in schema order (a list, not a BTreeMap: smaller wasm).
    renames: Vec<(String, String, KeyMap)>,
    items: Option<Box<KeyMap>>,
}

impl KeyMap {
    /// `true` when no key anywhere was renamed.
    pub fn is_empty(&self) -> bool {
        self.renames.is_empty() && self.items.is_none()
    }

    fn get(&self, k: &str) -> Option<&(String, String, KeyMap)> {
        self.renames.iter().find(|r| r.0 == k)
    }

    fn merge(&mut self, other: KeyMap) {
        for (k, orig, sub) in other.renames {
            match self.renames.iter_mut().find(|r| r.0 == k) {
                Some((_, _, mine)) => mine.merge(sub),
                None => self.renames.push((k, orig, sub)),
            }
        }
        if let Some(it) = other.items {
            match &mut self.items {
                Some(mine) => mine.merge(*it),
                None => self.items = Some(it),
            }
        }
    }

    /// Restores original property keys in model-produced arguments.
    pub fn restore(&self, v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut out = crate::wire::json::new_map();
                for (k, x) in m {
                    match self.get(k) {
                        Some((_, orig, sub)) => out.insert(orig.clone(), sub.restore(x)),
                        None => out.insert(k.clone(), x.clone()),
                    };
                }
                Value::Object(out)
            }
            Value::Array(a) => match &self.items {
                Some(it) => {
                    let mut out = Vec::with_capacity(a.len());
                    for x in a {
                        out.push(it.restore(x));
                    }
                    Value::Array(out)
                }
                None => v.clone(),
            },
            _ => v.clone(),
        }
    }

    /// [`KeyMap::restore`] for an argument map.
    pub fn restore_map(&self, args: Map) -> Map {
        if self.is_empty() {
            return args;
        }
        match self.restore(&Value::Object(args)) {
            Value::Object(m) => m,
            _ => crate::wire::json::new_map(),
        }
    }
}

/// Renames property keys that `clean` changes (collision-safe: `_2`, `_3`… suffixes within one
/// `properties` object, at most `max` chars) throughout the schema, updating `required`, and
/// returns the map that restores them. `clean` must return a valid key for any input.
pub(crate) fn sanitize_keys(
    schema: &mut Value,
    clean: &dyn Fn(&str) -> String,
    max: usize,
) -> KeyMap {
    let mut km = KeyMap::default();
    let Value::Object(m) = schema else {
        return km;
    };
    if let Some(Value::Object(props)) = m.remove("properties") {
        // JSON objects used as a set and a map (no BTreeSet/BTreeMap in the wasm).
        let mut used = crate::wire::json::new_map();
        for k in props.keys() {
            if clean(k) == *k {
                used.insert(k.clone(), Value::Null);
            }
        }
        let mut renamed = crate::wire::json::new_map();
        let mut out = crate::wire::json::new_map();
        for (k, mut v) in props {
            let mut name = clean(&k);
            if name != k {
                let base = name.clone();
                let mut n = 2;
                while used.contains_key(&name) {
                    let suffix = format!("_{n}");
                    let keep = max.saturating_sub(suffix.len());
                    name = String::new();
                    for c in base.chars().take(keep) {
                        name.push(c);
                    }
                    name.push_str(&suffix);
                    n += 1;
                }
                used.insert(name.clone(), Value::Null);
                renamed.insert(k.clone(), Value::from(name.as_str()));
            }
            let sub = sanitize_keys(&mut v, clean, max);
            if name != k || !sub.is_empty() {
                // Names are unique within one `properties` object.
                km.renames.push((name.clone(), k, sub));
            }
            out.insert(name, v);
        }
        if let Some(Value::Array(req)) = m.get_mut("required") {
            for r in req.iter_mut() {
                if let Some(n) = r.as_str().and_then(|s| renamed.get(s)) {
                    *r = n.clone();
                }
            }
        }
        crate::wire::json::put(m, "properties", Value::Object(out));
    }
    if let Some(items) = m.get_mut("items") {
        let sub = sanitize_keys(items, clean, max);
        if !sub.is_empty() {
            km.items = Some(Box::new(sub));
        }
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(branches)) = m.get_mut(key) {
            for b in branches {
                let sub = sanitize_keys(b, clean, max);
                km.merge(sub);
            }
        }
    }
    km
}

/// Compact JSON text of a value (what `JSON.stringify` gives).
pub(crate) fn json_text(v: &Value) -> String {
    crate::wire::json::to_text(v)
}

//! JSON Schema validation of tool arguments, without code generation.
//!
//! Covers what tool schemas use in practice (drafts 4 to 2020-12 and the OpenAPI `nullable`):
//! `type`, `required`, `properties`, `additionalProperties`, `patternProperties`,
//! `min/maxProperties`, `enum`, `const`, `items` (schema or tuple), `prefixItems`,
//! `additionalItems`, `contains`, `min/maxItems`, `uniqueItems`, `min/maxLength`, `pattern`,
//! `format` (`email`, `date`, `date-time`, `uri`, loosely), `minimum`/`maximum`/exclusive forms
//! (numeric and draft-4 boolean), `multipleOf`, `allOf`/`anyOf`/`oneOf`/`not`, `if`/`then`/`else`
//! and local `$ref`s (`#`, `#/$defs/…`, `#/definitions/…`). Unknown keywords, remote `$ref`s and
//! unsupported `pattern` syntax are ignored rather than rejected. Nesting is limited to
//! [`MAX_DEPTH`] and total work is bounded, so hostile schemas cannot overflow the stack or spin.

use crate::json::{Map, Value};

use super::args::type_name;
// ECMA-262 `pattern`s: the platform's RegExp in the browser, the crate's bounded matcher
// elsewhere (the gateway must bound backtracking on patterns from browser-registered tools).
#[cfg(not(all(target_arch = "wasm32", feature = "browser")))]
use super::regex::is_match;
#[cfg(all(target_arch = "wasm32", feature = "browser"))]
use crate::edge::js::is_match;
use crate::wire::json::to_text as json_text;
use crate::Error;

/// Deepest schema nesting followed (including `$ref` hops) before validation reports an error.
pub const MAX_DEPTH: usize = 64;
const MAX_STEPS: u32 = 100_000;
const MAX_VIOLATIONS: usize = 100;

/// One way an instance fails its schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Where, e.g. `$.to` or `$.items[2].name`.
    pub path: String,
    /// What, e.g. `is required`, `expected string, got number`.
    pub message: String,
}

/// Validates `instance` against `schema`; an empty result means valid. Never panics.
///
/// ```
/// use composio_edge::tools::schema::validate;
/// use composio_edge::json;
/// let schema = json!({"type":"object","required":["to"],"properties":{"to":{"type":"string"}}});
/// let v = validate(&schema, &json!({"cc": 1}));
/// assert_eq!((v[0].path.as_str(), v[0].message.as_str()), ("$.to", "is required"));
/// ```
pub fn validate(schema: &Value, instance: &Value) -> Vec<Violation> {
    let mut v = Validator {
        root: schema,
        out: Vec::new(),
        steps: 0,
    };
    v.check(schema, instance, &mut String::from("$"), 0);
    v.out.truncate(MAX_VIOLATIONS);
    v.out
}

/// Checks tool arguments against the tool's input schema. A `null` or empty schema accepts
/// anything; otherwise violations become [`Error::ArgumentValidation`].
///
/// ```
/// use composio_edge::tools::schema::check_arguments;
/// use composio_edge::json;
/// let schema = json!({"type":"object","properties":{"n":{"type":"integer"}}});
/// assert!(check_arguments("T", &schema, &json!({"n": 2})).is_ok());
/// assert!(check_arguments("T", &schema, &json!({"n": 2.5})).is_err());
/// ```
pub fn check_arguments(tool_slug: &str, schema: &Value, args: &Value) -> Result<(), Error> {
    if schema.is_null() || schema.as_object().is_some_and(Map::is_empty) {
        return Ok(());
    }
    let v = validate(schema, args);
    if v.is_empty() {
        return Ok(());
    }
    Err(Error::ArgumentValidation {
        tool_slug: tool_slug.to_string(),
        violations: {
            let mut out = Vec::with_capacity(v.len());
            for x in v {
                out.push((x.path, x.message));
            }
            out
        },
    })
}

struct Validator<'a> {
    root: &'a Value,
    out: Vec<Violation>,
    steps: u32,
}

/// JSON equality where `1` equals `1.0`.
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_eq(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn is_integer(v: &Value) -> bool {
    v.as_f64().is_some_and(|f| f.fract() == 0.0)
}

fn type_ok(t: &Value, i: &Value) -> bool {
    let one = |t: &str| match t {
        "integer" => is_integer(i),
        "number" => i.is_number(),
        "null" | "boolean" | "string" | "array" | "object" => t == type_name(i),
        _ => true,
    };
    match t {
        Value::String(t) => one(t),
        Value::Array(ts) => ts.is_empty() || ts.iter().filter_map(Value::as_str).any(one),
        _ => true,
    }
}

fn types_str(t: &Value) -> String {
    match t {
        Value::Array(ts) => {
            let mut out = String::new();
            for t in ts.iter().filter_map(Value::as_str) {
                if !out.is_empty() {
                    out.push_str(" or ");
                }
                out.push_str(t);
            }
            out
        }
        other => other.as_str().unwrap_or_default().to_string(),
    }
}

/// Appends `.key` for an ASCII name (letters, digits, `_`, `-`), else `["key"]`, to `path`,
/// returning the previous length.
fn push_key(path: &mut String, key: &str) -> usize {
    let n = path.len();
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        path.push('.');
        path.push_str(key);
    } else {
        path.push('[');
        path.push_str(&json_text(&Value::from(key)));
        path.push(']');
    }
    n
}

fn push_index(path: &mut String, i: usize) -> usize {
    let n = path.len();
    path.push('[');
    crate::wire::json::write_u64(path, i as u64);
    path.push(']');
    n
}

fn compact(v: &Value) -> String {
    let mut s = json_text(v);
    if s.len() > 200 {
        let mut end = 197;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push_str("...");
    }
    s
}

fn date_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| {
        b.get(r)
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .map(|d| d.iter().fold(0u32, |n, c| n * 10 + u32::from(c - b'0')))
    };
    b.len() == 10
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && num(0..4).is_some()
        && num(5..7).is_some_and(|m| (1..=12).contains(&m))
        && num(8..10).is_some_and(|d| (1..=31).contains(&d))
}

fn format_ok(format: &str, s: &str) -> bool {
    let no_space = !s.contains(char::is_whitespace);
    match format {
        "email" => s
            .rsplit_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && !d.is_empty() && !d.contains('@') && no_space),
        "date" => date_ok(s),
        "date-time" => {
            let t = s.get(11..).unwrap_or_default().as_bytes();
            s.get(..10).is_some_and(date_ok)
                && matches!(s.as_bytes().get(10), Some(b'T' | b't' | b' '))
                && t.len() >= 5
                && t.get(2) == Some(&b':')
                && t.iter().all(|c| b"0123456789:.+-Zz".contains(c))
        }
        "uri" => s.split_once(':').is_some_and(|(scheme, rest)| {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
                && !rest.is_empty()
                && no_space
        }),
        _ => true,
    }
}

impl<'a> Validator<'a> {
    fn fail(&mut self, path: &str, message: impl Into<String>) {
        self.out.push(Violation {
            path: path.to_string(),
            message: message.into(),
        });
    }

    /// `min<what>` / `max<what>` against a length: "must have at least/most {n} {unit}".
    fn bounds(&mut self, s: &Map, what: &str, len: u64, unit: &str, path: &str) {
        for (min, word) in [(true, "least"), (false, "most")] {
            let mut key = String::from(if min { "min" } else { "max" });
            key.push_str(what);
            let Some(n) = s.get(&key).and_then(Value::as_u64) else {
                continue;
            };
            if (min && len < n) || (!min && len > n) {
                self.fail(path, format!("must have at {word} {n} {unit}"));
            }
        }
    }

    /// Validates against a sub-schema and returns (instead of reporting) its violations.
    fn sub(&mut self, s: &'a Value, i: &Value, path: &mut String, depth: usize) -> Vec<Violation> {
        let n = self.out.len();
        self.check(s, i, path, depth);
        self.out.split_off(n)
    }

    fn check(&mut self, s: &'a Value, i: &Value, path: &mut String, depth: usize) {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return;
        }
        let s = match s {
            Value::Object(s) => s,
            Value::Bool(false) => return self.fail(path, "is not allowed"),
            _ => return,
        };
        if depth > MAX_DEPTH {
            return self.fail(path, "schema nesting is too deep");
        }
        let num = |k: &str| s.get(k).and_then(Value::as_f64);
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            let target = match r.strip_prefix('#') {
                Some("") => Some(self.root),
                Some(p) => self.root.pointer(p),
                None => None,
            };
            if let Some(t) = target {
                self.check(t, i, path, depth + 1);
            }
        }
        if i.is_null() && s.get("nullable") == Some(&Value::Bool(true)) {
            return;
        }
        if let Some(t) = s.get("type") {
            if !type_ok(t, i) {
                let msg = format!("expected {}, got {}", types_str(t), type_name(i));
                return self.fail(path, msg);
            }
        }
        if let Some(e) = s.get("enum") {
            if e.as_array()
                .is_some_and(|e| !e.iter().any(|x| json_eq(x, i)))
            {
                self.fail(path, format!("must be one of {}", compact(e)));
            }
        }
        if let Some(c) = s.get("const") {
            if !json_eq(c, i) {
                self.fail(path, format!("must be equal to {}", compact(c)));
            }
        }
        match i {
            Value::Object(o) => self.object(s, o, path, depth),
            Value::Array(a) => self.array(s, a, path, depth),
            Value::String(st) => {
                if s.contains_key("minLength") || s.contains_key("maxLength") {
                    let len = crate::encoding::char_count(st) as u64;
                    self.bounds(s, "Length", len, "characters", path);
                }
                if let Some(p) = s.get("pattern").and_then(Value::as_str) {
                    if is_match(p, st) == Some(false) {
                        self.fail(
                            path,
                            format!("must match pattern {}", json_text(&Value::from(p))),
                        );
                    }
                }
                if let Some(f) = s.get("format").and_then(Value::as_str) {
                    if !format_ok(f, st) {
                        self.fail(path, format!("must be a valid {f}"));
                    }
                }
            }
            Value::Number(n) => {
                let x = n.as_f64().unwrap_or_default();
                let shown = |k: &str| s.get(k).map(json_text).unwrap_or_default();
                // (keyword, draft-4 boolean that makes it exclusive ("": always), lower bound)
                for (k, flag, low) in [
                    ("minimum", "exclusiveMinimum", true),
                    ("maximum", "exclusiveMaximum", false),
                    ("exclusiveMinimum", "", true),
                    ("exclusiveMaximum", "", false),
                ] {
                    let Some(m) = num(k) else {
                        continue;
                    };
                    let excl = flag.is_empty() || s.get(flag) == Some(&Value::Bool(true));
                    let op = if low {
                        if excl && x <= m {
                            ">"
                        } else if x < m {
                            ">="
                        } else {
                            continue;
                        }
                    } else if excl && x >= m {
                        "<"
                    } else if x > m {
                        "<="
                    } else {
                        continue;
                    };
                    self.fail(path, format!("must be {op} {}", shown(k)));
                }
                if let Some(m) = num("multipleOf").filter(|&m| m > 0.0) {
                    let q = x / m;
                    if q.is_finite() && (q - q.round()).abs() > 1e-9 * q.abs().max(1.0) {
                        self.fail(
                            path,
                            format!("must be a multiple of {}", shown("multipleOf")),
                        );
                    }
                }
            }
            _ => {}
        }
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            for b in all {
                self.check(b, i, path, depth + 1);
            }
        }
        for (key, one) in [("anyOf", false), ("oneOf", true)] {
            if let Some(list) = s.get(key).and_then(Value::as_array) {
                self.any_of(list, one, i, path, depth);
            }
        }
        if let Some(not) = s.get("not") {
            if self.sub(not, i, path, depth + 1).is_empty() {
                self.fail(path, "must not match the schema in not");
            }
        }
        if let Some(cond) = s.get("if") {
            let branch = if self.sub(cond, i, path, depth + 1).is_empty() {
                s.get("then")
            } else {
                s.get("else")
            };
            if let Some(b) = branch {
                self.check(b, i, path, depth + 1);
            }
        }
    }

    fn any_of(&mut self, list: &'a [Value], one: bool, i: &Value, path: &mut String, d: usize) {
        if list.is_empty() {
            return;
        }
        let mut fails = Vec::new();
        let mut passed = 0;
        for b in list {
            let v = self.sub(b, i, path, d + 1);
            if !v.is_empty() {
                fails.push(v);
            } else if !one {
                return;
            } else {
                passed += 1;
            }
        }
        if passed == 1 {
            return;
        }
        if passed > 1 {
            let msg = format!("must match exactly one allowed schema, matched {passed}");
            return self.fail(path, msg);
        }
        // Every branch failed: report the most specific reason we can.
        let top_type = |v: &Vec<Violation>| match v.as_slice() {
            [x] if x.path == *path => x
                .message
                .strip_prefix("expected ")
                .and_then(|m| m.split_once(", got "))
                .map(|(t, _)| t.to_string()),
            _ => None,
        };
        let mut types = String::new();
        let mut deep = None;
        let mut deep_count = 0;
        for v in fails {
            match top_type(&v) {
                Some(t) => {
                    if !types.is_empty() {
                        types.push_str(" or ");
                    }
                    types.push_str(&t);
                }
                None => {
                    deep_count += 1;
                    deep = Some(v);
                }
            }
        }
        match (deep, deep_count) {
            (Some(mut only), 1) => self.out.append(&mut only),
            (None, _) => {
                let msg = format!("expected {types}, got {}", type_name(i));
                self.fail(path, msg);
            }
            _ => self.fail(path, "must match one of the allowed schemas"),
        }
    }

    fn object(&mut self, s: &'a Map, o: &Map, path: &mut String, d: usize) {
        if let Some(req) = s.get("required").and_then(Value::as_array) {
            for r in req.iter().filter_map(Value::as_str) {
                if !o.contains_key(r) {
                    let n = push_key(path, r);
                    self.fail(path, "is required");
                    path.truncate(n);
                }
            }
        }
        self.bounds(s, "Properties", o.len() as u64, "properties", path);
        let props = s.get("properties").and_then(Value::as_object);
        let pats = s.get("patternProperties").and_then(Value::as_object);
        let extra = s.get("additionalProperties");
        for (k, v) in o {
            let n = push_key(path, k);
            let mut known = false;
            if let Some(ps) = props.and_then(|p| p.get(k)) {
                known = true;
                self.check(ps, v, path, d + 1);
            }
            for (p, ps) in pats.into_iter().flatten() {
                if is_match(p, k) == Some(true) {
                    known = true;
                    self.check(ps, v, path, d + 1);
                }
            }
            match extra {
                Some(Value::Bool(false)) if !known => {
                    path.truncate(n);
                    let msg = format!(
                        "additional property {} is not allowed",
                        json_text(&Value::from(k.as_str()))
                    );
                    self.fail(path, msg);
                }
                Some(e @ Value::Object(_)) if !known => self.check(e, v, path, d + 1),
                _ => {}
            }
            path.truncate(n);
        }
    }

    fn array(&mut self, s: &'a Map, a: &[Value], path: &mut String, d: usize) {
        self.bounds(s, "Items", a.len() as u64, "items", path);
        let items = s.get("items");
        let (tuple, rest) = match (s.get("prefixItems").and_then(Value::as_array), items) {
            (Some(t), _) => (t.as_slice(), items),
            (None, Some(Value::Array(t))) => (t.as_slice(), s.get("additionalItems")),
            (None, _) => (&[][..], items),
        };
        for (idx, item) in a.iter().enumerate() {
            if let Some(sch) = tuple.get(idx).or(rest) {
                let n = push_index(path, idx);
                self.check(sch, item, path, d + 1);
                path.truncate(n);
            }
        }
        if s.get("uniqueItems") == Some(&Value::Bool(true)) && a.len() <= 2_000 {
            let dup = (1..a.len()).find(|&j| {
                a.iter()
                    .take(j)
                    .any(|x| a.get(j).is_some_and(|y| json_eq(x, y)))
            });
            if let Some(j) = dup {
                self.fail(
                    path,
                    format!("items must be unique (item {j} is a duplicate)"),
                );
            }
        }
        if let Some(c) = s.get("contains") {
            let any = a.iter().any(|x| self.sub(c, x, path, d + 1).is_empty());
            if !any {
                self.fail(path, "must contain a matching item");
            }
        }
    }
}

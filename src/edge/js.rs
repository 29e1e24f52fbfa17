//! What the wasm builds take from the platform instead of carrying it in their wasm (size
//! budgets, issue 6): the shortest round-trip digits of a float (both builds), and in the browser
//! build ECMA-262 regular expressions for JSON Schema `pattern`s (which ARE ECMA-262, so this is
//! also the exact semantics). Native builds keep core's float formatter; native builds and the
//! Worker keep the crate's own bounded matcher (the gateway must bound backtracking on patterns
//! from browser-registered tools).

use wasm_bindgen::prelude::*;

#[cfg(feature = "browser")]
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = RegExp)]
    type JsRegExp;

    #[wasm_bindgen(catch, constructor, js_class = "RegExp")]
    fn new(pattern: &str, flags: &str) -> Result<JsRegExp, JsValue>;

    #[wasm_bindgen(method)]
    fn test(this: &JsRegExp, text: &str) -> bool;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["Number", "prototype", "toExponential"], js_name = call)]
    fn to_exponential(x: f64) -> String;
}

#[cfg(feature = "browser")]
/// `RegExp.test` of `pattern` (with the `u` flag) on `text`; `None` when the pattern does not
/// compile (the caller then skips the check, as for the native matcher's unsupported syntax).
pub(crate) fn is_match(pattern: &str, text: &str) -> Option<bool> {
    JsRegExp::new(pattern, "u").ok().map(|re| re.test(text))
}

/// `x.toExponential()`: the shortest digits that read back as `x`, as `d.ddde±n`.
pub(crate) fn exponential(x: f64) -> String {
    to_exponential(x)
}

#[cfg(all(feature = "browser", not(feature = "worker")))]
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse(text: &str) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = JSON, js_name = stringify)]
    fn json_stringify(v: &JsValue) -> String;
}

/// Nesting depth accepted from `JSON.parse`, as the crate's own reader (no stack overflow).
#[cfg(all(feature = "browser", not(feature = "worker")))]
const MAX_DEPTH: usize = 128;

/// `JSON.parse` of `text` as a [`Value`] (`None`: not JSON, or nested deeper than 128). The
/// browser package reads JSON with the platform's parser instead of carrying one (size budget);
/// numbers are what the crate's reader gives for `JSON.stringify`'s output of the same number.
#[cfg(all(feature = "browser", not(feature = "worker")))]
pub(crate) fn parse(text: &str) -> Option<crate::json::Value> {
    from_js(&json_parse(text).ok()?, 0)
}

/// `JSON.stringify` of `v` (the platform's writer).
#[cfg(all(feature = "browser", not(feature = "worker")))]
pub(crate) fn stringify(v: &crate::json::Value) -> String {
    json_stringify(&to_js(v))
}

#[cfg(all(feature = "browser", not(feature = "worker")))]
fn from_js(v: &JsValue, depth: usize) -> Option<crate::json::Value> {
    use crate::json::{Map, Number, Value};
    use wasm_bindgen::JsCast;
    if let Some(s) = v.as_string() {
        return Some(Value::String(s));
    }
    if let Some(x) = v.as_f64() {
        // What the crate's reader gives for JSON.stringify(x): integers below 1e21 are written
        // without a fraction or exponent and read as u64 / i64 when they fit.
        const TWO_64: f64 = 18_446_744_073_709_551_616.0;
        let n = if x.fract() == 0.0 && (0.0..TWO_64).contains(&x) {
            Value::from(x as u64)
        } else if x.fract() == 0.0 && (-9_223_372_036_854_775_808.0..0.0).contains(&x) {
            Value::from(x as i64)
        } else {
            Number::from_f64(x).map_or(Value::Null, Value::Number)
        };
        return Some(n);
    }
    if let Some(b) = v.as_bool() {
        return Some(Value::Bool(b));
    }
    if !v.is_object() {
        return Some(Value::Null);
    }
    if depth >= MAX_DEPTH {
        return None;
    }
    if js_sys::Array::is_array(v) {
        let mut out = Vec::new();
        for x in v.unchecked_ref::<js_sys::Array>().iter() {
            out.push(from_js(&x, depth + 1)?);
        }
        return Some(Value::Array(out));
    }
    let mut out = Map::new();
    for k in js_sys::Object::keys(v.unchecked_ref::<js_sys::Object>()).iter() {
        let x = js_sys::Reflect::get(v, &k).ok()?;
        out.insert(k.as_string()?, from_js(&x, depth + 1)?);
    }
    Some(Value::Object(out))
}

#[cfg(all(feature = "browser", not(feature = "worker")))]
fn to_js(v: &crate::json::Value) -> JsValue {
    use crate::json::Value;
    use wasm_bindgen::JsCast;
    match v {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => JsValue::from_f64(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => JsValue::from_str(s),
        Value::Array(a) => {
            let out = js_sys::Array::new();
            for x in a {
                out.push(&to_js(x));
            }
            out.into()
        }
        Value::Object(m) => {
            // Only ever handed to JSON.stringify: a null-prototype object, so a `__proto__`
            // member is an own property like any other (not the prototype setter).
            let out = js_sys::Object::create(JsValue::NULL.unchecked_ref::<js_sys::Object>());
            for (k, x) in m {
                let _ = js_sys::Reflect::set(&out, &JsValue::from_str(k), &to_js(x));
            }
            out.into()
        }
    }
}

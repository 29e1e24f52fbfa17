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

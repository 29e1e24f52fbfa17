//! A small JSON reader and writer for the crate's [`Value`], used wherever the crate parses and
//! prints JSON (gateway bodies, tool-call arguments, token claims) so no wasm links serde_json's
//! `Deserializer` or text `Serializer`. The browser package goes further: there [`parse`] and
//! [`write()`] hand the text to the page's own `JSON.parse`/`JSON.stringify` (nesting capped at
//! 128, integers as JavaScript reads them), and its wasm carries no reader or writer at all.
//!
//! It is exact: on every input it gives what `serde_json::from_str::<Value>` gives (the same
//! value with the same numbers: `u64`, `i64`, `f64` with serde_json's default float reading;
//! keys in document order, a repeated key keeping its first position and its last value) or
//! the same error message and position; the nesting limit is serde_json's (127 levels). The
//! writer gives `Value::to_string`'s compact text, byte for byte. Both are checked against
//! serde_json by `tests/json_equiv.rs` and the `json` fuzz target.
//!
//! ```
//! use composio_edge::wire::json::{parse, to_text};
//! let v = parse(r#"{"a":[1,-2,3.5e0,"\u00e9\n"],"b":null}"#).unwrap();
//! assert_eq!(v, serde_json::json!({"a": [1, -2, 3.5, "é\n"], "b": null}));
//! assert_eq!(to_text(&v), r#"{"a":[1,-2,3.5,"é\n"],"b":null}"#);
//! assert_eq!(parse("[1,]").unwrap_err().to_string(), "trailing comma at line 1 column 4");
//! ```

use std::fmt;

use crate::json::{Map, Number, Value};

/// A syntax error, displayed as serde_json displays it (`expected value at line 1 column 1`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    code: &'static str,
    line: usize,
    column: usize,
}

impl JsonError {
    /// One-based line of the error.
    pub fn line(&self) -> usize {
        self.line
    }

    /// Column (bytes into the line) of the error.
    pub fn column(&self) -> usize {
        self.column
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            // No position (the browser package's `JSON.parse` does not give one).
            return f.write_str(self.code);
        }
        write!(
            f,
            "{} at line {} column {}",
            self.code, self.line, self.column
        )
    }
}

impl std::error::Error for JsonError {}

const EOF_LIST: &str = "EOF while parsing a list";
const EOF_OBJECT: &str = "EOF while parsing an object";
const EOF_STRING: &str = "EOF while parsing a string";
const EOF_VALUE: &str = "EOF while parsing a value";
const EXPECTED_COLON: &str = "expected `:`";
const EXPECTED_LIST_END: &str = "expected `,` or `]`";
const EXPECTED_OBJECT_END: &str = "expected `,` or `}`";
const EXPECTED_IDENT: &str = "expected ident";
const EXPECTED_VALUE: &str = "expected value";
const INVALID_ESCAPE: &str = "invalid escape";
const INVALID_NUMBER: &str = "invalid number";
const OUT_OF_RANGE: &str = "number out of range";
const CONTROL_CHAR: &str = "control character (\\u0000-\\u001F) found while parsing a string";
const KEY_NOT_STRING: &str = "key must be a string";
const LONE_SURROGATE: &str = "lone leading surrogate in hex escape";
const TRAILING_COMMA: &str = "trailing comma";
const TRAILING: &str = "trailing characters";
const HEX_END: &str = "unexpected end of hex escape";
const RECURSION: &str = "recursion limit exceeded";

/// Parses one JSON document (surrounding whitespace allowed), like
/// `serde_json::from_str::<Value>`.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    // The browser package reads with the platform's `JSON.parse` (no reader in its wasm).
    #[cfg(all(target_arch = "wasm32", feature = "browser", not(feature = "worker")))]
    return crate::edge::js::parse(text).ok_or(JsonError {
        code: "syntax error",
        line: 0,
        column: 0,
    });
    #[cfg(not(all(target_arch = "wasm32", feature = "browser", not(feature = "worker"))))]
    parse_exact(text)
}

/// The crate's own reader ([`parse`] everywhere but in the browser package).
#[cfg_attr(
    all(target_arch = "wasm32", feature = "browser", not(feature = "worker")),
    allow(dead_code)
)]
fn parse_exact(text: &str) -> Result<Value, JsonError> {
    let mut p = Parser {
        s: text,
        b: text.as_bytes(),
        i: 0,
        depth: 128,
    };
    let v = p.value()?;
    match p.ws() {
        Some(_) => Err(p.peek_err(TRAILING)),
        None => Ok(v),
    }
}

/// [`parse`] for bytes, like `serde_json::from_slice::<Value>` (invalid UTF-8 is an error).
pub fn parse_bytes(bytes: &[u8]) -> Result<Value, JsonError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => parse(s),
        Err(e) => {
            let p = Parser {
                s: "",
                b: bytes,
                i: e.valid_up_to() + 1,
                depth: 128,
            };
            Err(p.err("invalid unicode code point"))
        }
    }
}

/// Compact JSON text of a value, byte for byte what `Value::to_string` gives.
pub fn to_text(v: &Value) -> String {
    let mut out = String::new();
    write(&mut out, v);
    out
}

/// Appends the compact JSON text of `v` to `out`.
pub fn write(out: &mut String, v: &Value) {
    // The browser package writes with the platform's `JSON.stringify` (no writer in its wasm).
    #[cfg(all(target_arch = "wasm32", feature = "browser", not(feature = "worker")))]
    out.push_str(&crate::edge::js::stringify(v));
    #[cfg(not(all(target_arch = "wasm32", feature = "browser", not(feature = "worker"))))]
    write_exact(out, v);
}

/// The crate's own writer ([`write`] everywhere but in the browser package).
#[cfg_attr(
    all(target_arch = "wasm32", feature = "browser", not(feature = "worker")),
    allow(dead_code)
)]
fn write_exact(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_str(out, s),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_exact(out, x);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, k);
                out.push(':');
                write_exact(out, x);
            }
            out.push('}');
        }
    }
}

fn write_number(out: &mut String, n: &Number) {
    crate::json::number::write_number(out, n);
}

/// Lays out shortest float digits given as `[-]d[.ddd]e[+|-]n` (JavaScript's `toExponential()`,
/// Rust's `{:e}`) the way serde_json's `Display` for a float `Number` does: plain decimals with
/// a `.0` for exponents -5 to 15, else `d.ddde+n` / `d.ddde-n`. Zero is the caller's case.
#[cfg_attr(not(all(target_arch = "wasm32", feature = "wasm")), allow(dead_code))]
pub(crate) fn write_exponential(out: &mut String, text: &str) {
    let (mantissa, exp) = text.split_once(['e', 'E']).unwrap_or((text, "0"));
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let (exp_neg, exp_digits) = match exp.strip_prefix('-') {
        Some(e) => (true, e),
        None => (false, exp.trim_start_matches('+')),
    };
    let mut e: i64 = 0;
    for b in exp_digits.bytes() {
        e = e
            .saturating_mul(10)
            .saturating_add(i64::from(b.wrapping_sub(b'0')));
    }
    if exp_neg {
        e = -e;
    }
    if neg {
        out.push('-');
    }
    let n = digits.len() as i64;
    let (head, tail) = digits.split_at(1);
    if (-5..=15).contains(&e) {
        if n - 1 <= e {
            out.push_str(digits);
            for _ in 0..(e - (n - 1)) {
                out.push('0');
            }
            out.push_str(".0");
        } else if e >= 0 {
            let (int, frac) = digits.split_at(e as usize + 1);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        } else {
            out.push_str("0.");
            for _ in 0..(-e - 1) {
                out.push('0');
            }
            out.push_str(digits);
        }
    } else {
        out.push_str(head);
        if !tail.is_empty() {
            out.push('.');
            out.push_str(tail);
        }
        out.push_str(if e < 0 { "e-" } else { "e+" });
        write_u64(out, e.unsigned_abs());
    }
}

/// Decimal digits of `u` (no `fmt` machinery).
pub(crate) fn write_u64(out: &mut String, mut u: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(d) = buf.get_mut(i) {
            *d = b'0' + (u % 10) as u8;
        }
        u /= 10;
        if u == 0 || i == 0 {
            break;
        }
    }
    for &d in buf.get(i..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (i, &c) in s.as_bytes().iter().enumerate() {
        let esc = match c {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(s.get(start..i).unwrap_or_default());
        start = i + 1;
        if esc.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(c >> 4)]));
            out.push(char::from(HEX[usize::from(c & 15)]));
        } else {
            out.push_str(esc);
        }
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

/// A value as `serde_json::to_value` gives it, without serde's `Serializer` (what the [`json!`](crate::json!)
/// of this module calls on its leaves).
pub trait ToJson {
    /// The JSON value.
    fn to_json(&self) -> Value;
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn to_json(&self) -> Value {
        (**self).to_json()
    }
}

impl ToJson for Value {
    fn to_json(&self) -> Value {
        self.clone()
    }
}

impl ToJson for str {
    fn to_json(&self) -> Value {
        Value::String(self.to_owned())
    }
}

impl ToJson for String {
    fn to_json(&self) -> Value {
        Value::String(self.clone())
    }
}

impl ToJson for bool {
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
}

impl ToJson for f64 {
    fn to_json(&self) -> Value {
        Number::from_f64(*self).map_or(Value::Null, Value::Number)
    }
}

macro_rules! to_json_int {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn to_json(&self) -> Value {
                Value::from(*self)
            }
        }
    )*};
}
to_json_int!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize, f32);

impl<T: ToJson> ToJson for std::collections::BTreeMap<String, T> {
    fn to_json(&self) -> Value {
        Value::Object(self.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
    }
}

impl ToJson for crate::json::Number {
    fn to_json(&self) -> Value {
        Value::Number(*self)
    }
}

impl ToJson for () {
    fn to_json(&self) -> Value {
        Value::Null
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToJson::to_json)
    }
}

impl<T: ToJson> ToJson for [T] {
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(ToJson::to_json).collect())
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Value {
        self.as_slice().to_json()
    }
}

impl ToJson for Map {
    fn to_json(&self) -> Value {
        Value::Object(self.clone())
    }
}

/// `serde_json::json!` with [`ToJson`] leaves instead of `serde_json::to_value(…).unwrap()`
/// (which links serde's value `Serializer` and `serde_json::Error`'s `Debug` into the wasm).
/// Same syntax for what the crate uses: `null`, `true`, `false`, arrays, objects with
/// string-literal keys, and any expression whose type implements [`ToJson`].
#[macro_export]
macro_rules! json {
    (@array [$($elems:expr,)*]) => { vec![$($elems,)*] };
    (@array [$($elems:expr),*]) => { vec![$($elems),*] };
    (@array [$($elems:expr,)*] null $($rest:tt)*) => {
        $crate::json!(@array [$($elems,)* $crate::json::Value::Null] $($rest)*)
    };
    (@array [$($elems:expr,)*] true $($rest:tt)*) => {
        $crate::json!(@array [$($elems,)* $crate::json::Value::Bool(true)] $($rest)*)
    };
    (@array [$($elems:expr,)*] false $($rest:tt)*) => {
        $crate::json!(@array [$($elems,)* $crate::json::Value::Bool(false)] $($rest)*)
    };
    (@array [$($elems:expr,)*] [$($array:tt)*] $($rest:tt)*) => {
        $crate::json!(@array [$($elems,)* $crate::json!([$($array)*])] $($rest)*)
    };
    (@array [$($elems:expr,)*] {$($map:tt)*} $($rest:tt)*) => {
        $crate::json!(@array [$($elems,)* $crate::json!({$($map)*})] $($rest)*)
    };
    (@array [$($elems:expr,)*] $next:expr, $($rest:tt)*) => {
        $crate::json!(@array [$($elems,)* $crate::json!($next),] $($rest)*)
    };
    (@array [$($elems:expr,)*] $last:expr) => {
        $crate::json!(@array [$($elems,)* $crate::json!($last)])
    };
    (@array [$($elems:expr),*] , $($rest:tt)*) => {
        $crate::json!(@array [$($elems,)*] $($rest)*)
    };
    (@object $object:ident () () ()) => {};
    (@object $object:ident [$($key:tt)+] ($value:expr) , $($rest:tt)*) => {
        $crate::json::__put(&mut $object, &($($key)+), $value);
        $crate::json!(@object $object () ($($rest)*) ($($rest)*));
    };
    (@object $object:ident [$($key:tt)+] ($value:expr)) => {
        $crate::json::__put(&mut $object, &($($key)+), $value);
    };
    (@object $object:ident ($($key:tt)+) (: null $($rest:tt)*) $copy:tt) => {
        $crate::json!(@object $object [$($key)+] ($crate::json::Value::Null) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: true $($rest:tt)*) $copy:tt) => {
        $crate::json!(@object $object [$($key)+] ($crate::json::Value::Bool(true)) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: false $($rest:tt)*) $copy:tt) => {
        $crate::json!(@object $object [$($key)+] ($crate::json::Value::Bool(false)) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: [$($array:tt)*] $($rest:tt)*) $copy:tt) => {
        $crate::json!(@object $object [$($key)+] ($crate::json!([$($array)*])) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: {$($map:tt)*} $($rest:tt)*) $copy:tt) => {
        $crate::json!(@object $object [$($key)+] ($crate::json!({$($map)*})) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: $value:expr , $($rest:tt)*) $copy:tt) => {
        $crate::json!(@object $object [$($key)+] ($crate::json!($value)) , $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: $value:expr) $copy:tt) => {
        $crate::json!(@object $object [$($key)+] ($crate::json!($value)));
    };
    (@object $object:ident ($($key:tt)*) ($tt:tt $($rest:tt)*) $copy:tt) => {
        $crate::json!(@object $object ($($key)* $tt) ($($rest)*) ($($rest)*));
    };
    (null) => { $crate::json::Value::Null };
    (true) => { $crate::json::Value::Bool(true) };
    (false) => { $crate::json::Value::Bool(false) };
    ([]) => { $crate::json::Value::Array(vec![]) };
    ([ $($tt:tt)+ ]) => {
        $crate::json::Value::Array($crate::json!(@array [] $($tt)+))
    };
    ({}) => { $crate::json::Value::Object($crate::json::Map::new()) };
    ({ $($tt:tt)+ }) => {
        $crate::json::Value::Object({
            let mut object = $crate::json::__new_map();
            $crate::json!(@object object () ($($tt)+) ($($tt)+));
            object
        })
    };
    ($other:expr) => { $crate::json::ToJson::to_json(&$other) };
}

/// An empty object map for [`json!`] and hand-built objects: one shared, never-inlined copy of
/// its construction (inlined at every site, each wasm grows by about 0.4 KB gzip).
#[doc(hidden)]
#[inline(never)]
pub fn new_map() -> Map {
    Map::new()
}

/// `m[key] = x` for [`json!`]: one shared copy of the key allocation, the insert and the drop
/// of a replaced value, so each `json!({…})` site is only its values.
#[doc(hidden)]
#[inline(never)]
pub fn put(m: &mut Map, key: &str, x: Value) {
    m.insert(key.to_owned(), x);
}

/// `v[key] = x` for an object `v` (nothing otherwise), without `IndexMut`'s panic path and its
/// formatting code in the wasm.
pub(crate) fn set(v: &mut Value, key: &str, x: Value) {
    if let Value::Object(m) = v {
        m.insert(key.to_owned(), x);
    }
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    depth: u8,
}

/// `a * 10 + b` would exceed `max` (serde_json's `overflow!`).
macro_rules! overflow {
    ($a:ident * 10 + $b:ident, $c:expr) => {
        $a >= $c / 10 && ($a > $c / 10 || $b > $c % 10)
    };
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn peek0(&self) -> u8 {
        self.peek().unwrap_or(0)
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn at(&self, i: usize, code: &'static str) -> JsonError {
        let before = self.b.get(..i).unwrap_or(self.b);
        let start = before
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |p| p + 1);
        let line = 1 + before
            .get(..start)
            .unwrap_or_default()
            .iter()
            .filter(|&&c| c == b'\n')
            .count();
        JsonError {
            code,
            line,
            column: i - start,
        }
    }

    /// An error about the byte just consumed.
    fn err(&self, code: &'static str) -> JsonError {
        self.at(self.i, code)
    }

    /// An error about the byte about to be consumed.
    fn peek_err(&self, code: &'static str) -> JsonError {
        self.at((self.i + 1).min(self.b.len()), code)
    }

    fn ws(&mut self) -> Option<u8> {
        while let Some(c) = self.peek() {
            if !matches!(c, b' ' | b'\n' | b'\t' | b'\r') {
                return Some(c);
            }
            self.i += 1;
        }
        None
    }

    fn value(&mut self) -> Result<Value, JsonError> {
        let Some(c) = self.ws() else {
            return Err(self.peek_err(EOF_VALUE));
        };
        match c {
            b'n' => self.ident(b"null", Value::Null),
            b't' => self.ident(b"true", Value::Bool(true)),
            b'f' => self.ident(b"false", Value::Bool(false)),
            b'-' => {
                self.i += 1;
                self.integer(false)
            }
            b'0'..=b'9' => self.integer(true),
            b'"' => {
                self.i += 1;
                Ok(Value::String(self.string()?))
            }
            b'[' | b'{' => {
                self.depth -= 1;
                if self.depth == 0 {
                    return Err(self.peek_err(RECURSION));
                }
                self.i += 1;
                let v = if c == b'[' {
                    self.array().map(Value::Array)
                } else {
                    self.object().map(Value::Object)
                };
                self.depth += 1;
                // The closing bracket, seen (not consumed) by `array`/`object`.
                self.i += 1;
                v
            }
            _ => Err(self.peek_err(EXPECTED_VALUE)),
        }
    }

    fn ident(&mut self, word: &[u8], v: Value) -> Result<Value, JsonError> {
        self.i += 1;
        for &expected in word.get(1..).unwrap_or_default() {
            match self.next() {
                None => return Err(self.err(EOF_VALUE)),
                Some(c) if c != expected => return Err(self.err(EXPECTED_IDENT)),
                Some(_) => {}
            }
        }
        Ok(v)
    }

    fn array(&mut self) -> Result<Vec<Value>, JsonError> {
        let mut out = Vec::new();
        loop {
            let Some(c) = self.ws() else {
                return Err(self.peek_err(EOF_LIST));
            };
            if c == b']' {
                return Ok(out);
            }
            if !out.is_empty() {
                if c != b',' {
                    return Err(self.peek_err(EXPECTED_LIST_END));
                }
                self.i += 1;
                match self.ws() {
                    Some(b']') => return Err(self.peek_err(TRAILING_COMMA)),
                    Some(_) => {}
                    None => return Err(self.peek_err(EOF_VALUE)),
                }
            }
            out.push(self.value()?);
        }
    }

    fn object(&mut self) -> Result<Map, JsonError> {
        // Entries in document order; the map (duplicates, index) is built once at the end.
        let mut out: Vec<(String, Value)> = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.ws() else {
                return Err(self.peek_err(EOF_OBJECT));
            };
            if c == b'}' {
                return Ok(Map::from_entries(out));
            }
            if first {
                first = false;
                if c != b'"' {
                    return Err(self.peek_err(KEY_NOT_STRING));
                }
            } else if c == b',' {
                self.i += 1;
                match self.ws() {
                    Some(b'"') => {}
                    Some(b'}') => return Err(self.peek_err(TRAILING_COMMA)),
                    Some(_) => return Err(self.peek_err(KEY_NOT_STRING)),
                    None => return Err(self.peek_err(EOF_VALUE)),
                }
            } else {
                return Err(self.peek_err(EXPECTED_OBJECT_END));
            }
            self.i += 1;
            let key = self.string()?;
            match self.ws() {
                Some(b':') => self.i += 1,
                Some(_) => return Err(self.peek_err(EXPECTED_COLON)),
                None => return Err(self.peek_err(EOF_OBJECT)),
            }
            let v = self.value()?;
            out.push((key, v));
        }
    }

    /// The rest of a string whose opening quote was consumed.
    fn string(&mut self) -> Result<String, JsonError> {
        let mut out = String::new();
        let mut start = self.i;
        loop {
            let Some(c) = self.next() else {
                return Err(self.err(EOF_STRING));
            };
            match c {
                b'"' | b'\\' => {
                    // Quotes and backslashes are ASCII: the slice ends on a char boundary.
                    out.push_str(self.s.get(start..self.i - 1).unwrap_or_default());
                    if c == b'"' {
                        return Ok(out);
                    }
                    self.escape(&mut out)?;
                    start = self.i;
                }
                0..=0x1f => return Err(self.err(CONTROL_CHAR)),
                _ => {}
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let Some(c) = self.next() else {
            return Err(self.err(EOF_STRING));
        };
        out.push(match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode(out),
            _ => return Err(self.err(INVALID_ESCAPE)),
        });
        Ok(())
    }

    fn unicode(&mut self, out: &mut String) -> Result<(), JsonError> {
        let n = self.hex4()?;
        if (0xDC00..=0xDFFF).contains(&n) {
            return Err(self.err(LONE_SURROGATE));
        }
        let cp = if (0xD800..=0xDBFF).contains(&n) {
            for want in [b'\\', b'u'] {
                match self.next() {
                    None => return Err(self.err(EOF_STRING)),
                    Some(c) if c != want => return Err(self.err(HEX_END)),
                    Some(_) => {}
                }
            }
            let n2 = self.hex4()?;
            if !(0xDC00..=0xDFFF).contains(&n2) {
                return Err(self.err(LONE_SURROGATE));
            }
            (((n - 0xD800) << 10) | (n2 - 0xDC00)) + 0x1_0000
        } else {
            n
        };
        out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let Some(digits) = self.b.get(self.i..self.i + 4) else {
            self.i = self.b.len();
            return Err(self.err(EOF_STRING));
        };
        self.i += 4;
        let mut n = 0;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(self.err(INVALID_ESCAPE)),
            };
            n = n * 16 + u32::from(v);
        }
        Ok(n)
    }

    fn float(f: f64) -> Value {
        Number::from_f64(f).map_or(Value::Null, Value::Number)
    }

    /// A number after its optional `-` (serde_json's `parse_integer`).
    fn integer(&mut self, positive: bool) -> Result<Value, JsonError> {
        let Some(c) = self.next() else {
            return Err(self.err(EOF_VALUE));
        };
        let mut sig = match c {
            b'0' => {
                if self.peek0().is_ascii_digit() {
                    return Err(self.peek_err(INVALID_NUMBER));
                }
                0
            }
            b'1'..=b'9' => u64::from(c - b'0'),
            _ => return Err(self.err(INVALID_NUMBER)),
        };
        if c != b'0' {
            while let c @ b'0'..=b'9' = self.peek0() {
                let d = u64::from(c - b'0');
                if overflow!(sig * 10 + d, u64::MAX) {
                    return self.long_integer(positive, sig).map(Self::float);
                }
                self.i += 1;
                sig = sig * 10 + d;
            }
        }
        Ok(match self.peek0() {
            b'.' => Self::float(self.decimal(positive, sig, 0)?),
            b'e' | b'E' => Self::float(self.exponent(positive, sig, 0)?),
            _ if positive => Value::from(sig),
            _ => {
                let neg = (sig as i64).wrapping_neg();
                if neg >= 0 {
                    // `-0`, or below `i64::MIN`.
                    Self::float(-(sig as f64))
                } else {
                    Value::from(neg)
                }
            }
        })
    }

    fn long_integer(&mut self, positive: bool, sig: u64) -> Result<f64, JsonError> {
        let mut exponent = 0i32;
        loop {
            match self.peek0() {
                b'0'..=b'9' => {
                    self.i += 1;
                    exponent = exponent.wrapping_add(1);
                }
                b'.' => return self.decimal(positive, sig, exponent),
                b'e' | b'E' => return self.exponent(positive, sig, exponent),
                _ => return self.f64_from_parts(positive, sig, exponent),
            }
        }
    }

    fn decimal(&mut self, positive: bool, mut sig: u64, before: i32) -> Result<f64, JsonError> {
        self.i += 1;
        let mut after = 0i32;
        while let c @ b'0'..=b'9' = self.peek0() {
            let d = u64::from(c - b'0');
            if overflow!(sig * 10 + d, u64::MAX) {
                // Further digits are ignored.
                while self.peek0().is_ascii_digit() {
                    self.i += 1;
                }
                let exponent = before.wrapping_add(after);
                return match self.peek0() {
                    b'e' | b'E' => self.exponent(positive, sig, exponent),
                    _ => self.f64_from_parts(positive, sig, exponent),
                };
            }
            self.i += 1;
            sig = sig * 10 + d;
            after = after.wrapping_sub(1);
        }
        if after == 0 {
            return Err(match self.peek() {
                Some(_) => self.peek_err(INVALID_NUMBER),
                None => self.peek_err(EOF_VALUE),
            });
        }
        let exponent = before.wrapping_add(after);
        match self.peek0() {
            b'e' | b'E' => self.exponent(positive, sig, exponent),
            _ => self.f64_from_parts(positive, sig, exponent),
        }
    }

    fn exponent(&mut self, positive: bool, sig: u64, starting: i32) -> Result<f64, JsonError> {
        self.i += 1;
        let positive_exp = match self.peek0() {
            b'+' => {
                self.i += 1;
                true
            }
            b'-' => {
                self.i += 1;
                false
            }
            _ => true,
        };
        let mut exp = match self.next() {
            None => return Err(self.err(EOF_VALUE)),
            Some(c @ b'0'..=b'9') => i32::from(c - b'0'),
            Some(_) => return Err(self.err(INVALID_NUMBER)),
        };
        while let c @ b'0'..=b'9' = self.peek0() {
            self.i += 1;
            let d = i32::from(c - b'0');
            if overflow!(exp * 10 + d, i32::MAX) {
                if sig != 0 && positive_exp {
                    return Err(self.err(OUT_OF_RANGE));
                }
                while self.peek0().is_ascii_digit() {
                    self.i += 1;
                }
                return Ok(if positive { 0.0 } else { -0.0 });
            }
            exp = exp * 10 + d;
        }
        let exponent = if positive_exp {
            starting.saturating_add(exp)
        } else {
            starting.saturating_sub(exp)
        };
        self.f64_from_parts(positive, sig, exponent)
    }

    /// serde_json's `f64_from_parts` (without `float_roundtrip`).
    fn f64_from_parts(
        &self,
        positive: bool,
        sig: u64,
        mut exponent: i32,
    ) -> Result<f64, JsonError> {
        let mut f = sig as f64;
        loop {
            match POW10.get(exponent.wrapping_abs() as usize) {
                Some(&pow) => {
                    if exponent >= 0 {
                        f *= pow;
                        if f.is_infinite() {
                            return Err(self.err(OUT_OF_RANGE));
                        }
                    } else {
                        f /= pow;
                    }
                    break;
                }
                None => {
                    if f == 0.0 {
                        break;
                    }
                    if exponent >= 0 {
                        return Err(self.err(OUT_OF_RANGE));
                    }
                    f /= 1e308;
                    exponent += 308;
                }
            }
        }
        Ok(if positive { f } else { -f })
    }
}

#[rustfmt::skip]
static POW10: [f64; 309] = [
    1e000, 1e001, 1e002, 1e003, 1e004, 1e005, 1e006, 1e007, 1e008, 1e009,
    1e010, 1e011, 1e012, 1e013, 1e014, 1e015, 1e016, 1e017, 1e018, 1e019,
    1e020, 1e021, 1e022, 1e023, 1e024, 1e025, 1e026, 1e027, 1e028, 1e029,
    1e030, 1e031, 1e032, 1e033, 1e034, 1e035, 1e036, 1e037, 1e038, 1e039,
    1e040, 1e041, 1e042, 1e043, 1e044, 1e045, 1e046, 1e047, 1e048, 1e049,
    1e050, 1e051, 1e052, 1e053, 1e054, 1e055, 1e056, 1e057, 1e058, 1e059,
    1e060, 1e061, 1e062, 1e063, 1e064, 1e065, 1e066, 1e067, 1e068, 1e069,
    1e070, 1e071, 1e072, 1e073, 1e074, 1e075, 1e076, 1e077, 1e078, 1e079,
    1e080, 1e081, 1e082, 1e083, 1e084, 1e085, 1e086, 1e087, 1e088, 1e089,
    1e090, 1e091, 1e092, 1e093, 1e094, 1e095, 1e096, 1e097, 1e098, 1e099,
    1e100, 1e101, 1e102, 1e103, 1e104, 1e105, 1e106, 1e107, 1e108, 1e109,
    1e110, 1e111, 1e112, 1e113, 1e114, 1e115, 1e116, 1e117, 1e118, 1e119,
    1e120, 1e121, 1e122, 1e123, 1e124, 1e125, 1e126, 1e127, 1e128, 1e129,
    1e130, 1e131, 1e132, 1e133, 1e134, 1e135, 1e136, 1e137, 1e138, 1e139,
    1e140, 1e141, 1e142, 1e143, 1e144, 1e145, 1e146, 1e147, 1e148, 1e149,
    1e150, 1e151, 1e152, 1e153, 1e154, 1e155, 1e156, 1e157, 1e158, 1e159,
    1e160, 1e161, 1e162, 1e163, 1e164, 1e165, 1e166, 1e167, 1e168, 1e169,
    1e170, 1e171, 1e172, 1e173, 1e174, 1e175, 1e176, 1e177, 1e178, 1e179,
    1e180, 1e181, 1e182, 1e183, 1e184, 1e185, 1e186, 1e187, 1e188, 1e189,
    1e190, 1e191, 1e192, 1e193, 1e194, 1e195, 1e196, 1e197, 1e198, 1e199,
    1e200, 1e201, 1e202, 1e203, 1e204, 1e205, 1e206, 1e207, 1e208, 1e209,
    1e210, 1e211, 1e212, 1e213, 1e214, 1e215, 1e216, 1e217, 1e218, 1e219,
    1e220, 1e221, 1e222, 1e223, 1e224, 1e225, 1e226, 1e227, 1e228, 1e229,
    1e230, 1e231, 1e232, 1e233, 1e234, 1e235, 1e236, 1e237, 1e238, 1e239,
    1e240, 1e241, 1e242, 1e243, 1e244, 1e245, 1e246, 1e247, 1e248, 1e249,
    1e250, 1e251, 1e252, 1e253, 1e254, 1e255, 1e256, 1e257, 1e258, 1e259,
    1e260, 1e261, 1e262, 1e263, 1e264, 1e265, 1e266, 1e267, 1e268, 1e269,
    1e270, 1e271, 1e272, 1e273, 1e274, 1e275, 1e276, 1e277, 1e278, 1e279,
    1e280, 1e281, 1e282, 1e283, 1e284, 1e285, 1e286, 1e287, 1e288, 1e289,
    1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298, 1e299,
    1e300, 1e301, 1e302, 1e303, 1e304, 1e305, 1e306, 1e307, 1e308,
];

#[cfg(test)]
mod tests {
    use super::write_exponential;

    /// The browser's float layout from shortest digits equals serde_json's `Display`.
    #[test]
    fn exponential_layout_matches_serde_json() {
        let mut xs = vec![
            1.5,
            -1.5,
            0.1,
            1e-5,
            1e-6,
            1.5e-7,
            123.456,
            1e15,
            1e16,
            9.999e15,
            1e21,
            1e22,
            -2.5e-300,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            0.3,
            2.0 / 3.0,
            100.0,
            12345678.9,
            1234567890123456.0,
            0.000123,
            4.0e-5,
            1e100,
            -7e-10,
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let x = f64::from_bits(seed);
            if x.is_finite() && x != 0.0 {
                xs.push(x);
            }
            // Also values in the plain-decimal range, with few digits.
            xs.push((seed % 2_000_000) as f64 / 10f64.powi((seed % 23) as i32) - 1.0);
        }
        for x in xs {
            let Some(want) = serde_json::Number::from_f64(x).map(|n| n.to_string()) else {
                continue;
            };
            if x == 0.0 {
                continue;
            }
            // The same digits as JavaScript's `toExponential()` writes them.
            let mut got = String::new();
            write_exponential(&mut got, &to_exponential(&want));
            assert_eq!(got, want);
            // Rust's `{:e}` (which breaks ties differently) still reads back as `x`.
            let mut rust = String::new();
            write_exponential(&mut rust, &format!("{x:e}"));
            assert_eq!(rust.parse::<f64>().ok(), Some(x), "{x:e}");
        }
    }

    /// `1234.5` → `1.2345e+3`, `1e-7` → `1e-7`, as JavaScript's `toExponential()`.
    fn to_exponential(serde: &str) -> String {
        let (neg, t) = match serde.strip_prefix('-') {
            Some(t) => ("-", t),
            None => ("", serde),
        };
        if let Some((m, e)) = t.split_once('e') {
            let e = e.trim_start_matches('+');
            let sign = if e.starts_with('-') { "" } else { "+" };
            return format!("{neg}{m}e{sign}{e}");
        }
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        let all = format!("{int}{frac}");
        let lead = all.len() - all.trim_start_matches('0').len();
        let digits = all.trim_matches('0');
        let exp = int.len() as i64 - 1 - lead as i64;
        let (h, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        let sign = if exp < 0 { "-" } else { "+" };
        format!("{neg}{h}{dot}{rest}e{sign}{}", exp.abs())
    }
}

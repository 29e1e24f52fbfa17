//! The crate's JSON value: [`Value`], [`Number`], [`Map`], the [`json!`](crate::json!) macro,
//! and the exact reader/writer of [`crate::wire::json`] ([`parse`], [`to_text`]).
//!
//! It has serde_json's `Value` API where the crate uses it, with the same semantics (numbers
//! `u64`/`i64`/`f64`, objects in insertion order as with serde_json's `preserve_order`,
//! `Display` = compact JSON text byte for byte), but no hashing and no map crate, so the wasm
//! builds do not carry indexmap, hashbrown and SipHash. It converts both ways with
//! `serde_json::Value` (`From`) and compares with it (`PartialEq`).
//!
//! ```
//! use composio_edge::json::{self, Value};
//! let v = composio_edge::json!({"a": [1, -2, 3.5], "b": null, "c": "x"});
//! assert_eq!(v["a"][1], -2);
//! assert_eq!(v["c"], "x");
//! assert!(v["missing"].is_null());
//! assert_eq!(v.to_string(), r#"{"a":[1,-2,3.5],"b":null,"c":"x"}"#);
//! assert_eq!(json::parse(&v.to_string()).unwrap(), v);
//! let theirs: serde_json::Value = v.clone().into();
//! assert_eq!(v, theirs);
//! ```

mod map;
pub(crate) mod number;
mod serde_impl;

use std::fmt;

pub use map::{Entry, Iter, IterMut, Map, OccupiedEntry, VacantEntry};
pub use number::Number;
pub use serde_impl::{from_value, to_value};

#[doc(hidden)]
pub use crate::wire::json::{new_map as __new_map, put as __put};
pub use crate::wire::json::{parse, parse_bytes, to_text, write, JsonError, ToJson};

/// A JSON value.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Map),
}

pub(crate) static NULL: Value = Value::Null;

/// What [`Value::get`] and `value[…]` accept: `&str`/`String` keys for objects, `usize`
/// positions for arrays.
pub trait ValueIndex {
    /// The element of `v` this designates.
    fn index_into<'a>(&self, v: &'a Value) -> Option<&'a Value>;
    /// The element of `v` this designates, mutable.
    fn index_into_mut<'a>(&self, v: &'a mut Value) -> Option<&'a mut Value>;
}

impl ValueIndex for str {
    fn index_into<'a>(&self, v: &'a Value) -> Option<&'a Value> {
        v.as_object().and_then(|m| m.get(self))
    }
    fn index_into_mut<'a>(&self, v: &'a mut Value) -> Option<&'a mut Value> {
        v.as_object_mut().and_then(|m| m.get_mut(self))
    }
}

impl ValueIndex for String {
    fn index_into<'a>(&self, v: &'a Value) -> Option<&'a Value> {
        self.as_str().index_into(v)
    }
    fn index_into_mut<'a>(&self, v: &'a mut Value) -> Option<&'a mut Value> {
        self.as_str().index_into_mut(v)
    }
}

impl ValueIndex for usize {
    fn index_into<'a>(&self, v: &'a Value) -> Option<&'a Value> {
        v.as_array().and_then(|a| a.get(*self))
    }
    fn index_into_mut<'a>(&self, v: &'a mut Value) -> Option<&'a mut Value> {
        v.as_array_mut().and_then(|a| a.get_mut(*self))
    }
}

impl<T: ValueIndex + ?Sized> ValueIndex for &T {
    fn index_into<'a>(&self, v: &'a Value) -> Option<&'a Value> {
        (**self).index_into(v)
    }
    fn index_into_mut<'a>(&self, v: &'a mut Value) -> Option<&'a mut Value> {
        (**self).index_into_mut(v)
    }
}

impl Value {
    /// The member `key` of an object or the element `i` of an array.
    pub fn get<I: ValueIndex>(&self, index: I) -> Option<&Value> {
        index.index_into(self)
    }

    /// [`Value::get`], mutable.
    pub fn get_mut<I: ValueIndex>(&mut self, index: I) -> Option<&mut Value> {
        index.index_into_mut(self)
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether this is a boolean.
    pub fn is_boolean(&self) -> bool {
        matches!(self, Value::Bool(_))
    }

    /// Whether this is a number.
    pub fn is_number(&self) -> bool {
        matches!(self, Value::Number(_))
    }

    /// Whether this is a string.
    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    /// Whether this is an array.
    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(_))
    }

    /// Whether this is an object.
    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    /// Whether this is a number representable as `u64`.
    pub fn is_u64(&self) -> bool {
        self.as_number().is_some_and(Number::is_u64)
    }

    /// Whether this is a number representable as `i64`.
    pub fn is_i64(&self) -> bool {
        self.as_number().is_some_and(Number::is_i64)
    }

    /// Whether this is a float number.
    pub fn is_f64(&self) -> bool {
        self.as_number().is_some_and(Number::is_f64)
    }

    /// `Some(())` for `null`.
    pub fn as_null(&self) -> Option<()> {
        self.is_null().then_some(())
    }

    /// The boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as `u64` (non-negative integers only).
    pub fn as_u64(&self) -> Option<u64> {
        self.as_number().and_then(Number::as_u64)
    }

    /// The number as `i64` (integers in range only).
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The number as `f64`.
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().and_then(Number::as_f64)
    }

    /// The string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The array.
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The array, mutable.
    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The object.
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The object, mutable.
    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Takes the value out, leaving `null`.
    pub fn take(&mut self) -> Value {
        std::mem::take(self)
    }

    /// The value at a JSON Pointer (RFC 6901), as serde_json's `pointer`.
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        let mut target = self;
        for token in rest.split('/') {
            let token = unescape_token(token);
            target = match target {
                Value::Object(m) => m.get(&token)?,
                Value::Array(a) => a.get(parse_index(&token)?)?,
                _ => return None,
            };
        }
        Some(target)
    }

    /// [`Value::pointer`], mutable.
    pub fn pointer_mut(&mut self, pointer: &str) -> Option<&mut Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        let mut target = self;
        for token in rest.split('/') {
            let token = unescape_token(token);
            target = match target {
                Value::Object(m) => m.get_mut(&token)?,
                Value::Array(a) => a.get_mut(parse_index(&token)?)?,
                _ => return None,
            };
        }
        Some(target)
    }
}

/// `~1` → `/`, then `~0` → `~` (RFC 6901), in one pass without substring search.
fn unescape_token(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        let swap = match (c, chars.peek()) {
            ('~', Some('1')) => Some('/'),
            ('~', Some('0')) => Some('~'),
            _ => None,
        };
        match swap {
            Some(x) => {
                chars.next();
                out.push(x);
            }
            None => out.push(c),
        }
    }
    out
}

fn parse_index(s: &str) -> Option<usize> {
    if s.starts_with('+') || (s.starts_with('0') && s.len() != 1) {
        return None;
    }
    s.parse().ok()
}

impl<I: ValueIndex> std::ops::Index<I> for Value {
    type Output = Value;
    /// The member or element, `Null` when absent (never panics).
    fn index(&self, index: I) -> &Value {
        index.index_into(self).unwrap_or(&NULL)
    }
}

impl std::ops::IndexMut<&str> for Value {
    /// The member `key`, inserted as `null` when absent; `null` becomes an empty object first.
    /// Unlike serde_json this never panics: any other non-object value is replaced by an
    /// empty object.
    fn index_mut(&mut self, key: &str) -> &mut Value {
        if !self.is_object() {
            *self = Value::Object(Map::new());
        }
        match self {
            Value::Object(m) => m.entry(key).or_insert(Value::Null),
            // Unreachable: made an object above.
            other => other,
        }
    }
}

impl fmt::Display for Value {
    /// Compact JSON text, byte for byte serde_json's.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&to_text(self))
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("Null"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Number(n) => fmt::Debug::fmt(n, f),
            Value::String(s) => write!(f, "String({s:?})"),
            Value::Array(a) => {
                f.write_str("Array ")?;
                f.debug_list().entries(a).finish()
            }
            Value::Object(m) => {
                f.write_str("Object ")?;
                fmt::Debug::fmt(m, f)
            }
        }
    }
}

impl std::str::FromStr for Value {
    type Err = JsonError;
    fn from_str(s: &str) -> Result<Self, JsonError> {
        parse(s)
    }
}

// ---- From ----

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::String(s.clone())
    }
}

impl From<std::borrow::Cow<'_, str>> for Value {
    fn from(s: std::borrow::Cow<'_, str>) -> Self {
        Value::String(s.into_owned())
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Object(m)
    }
}

impl From<()> for Value {
    fn from(_: ()) -> Self {
        Value::Null
    }
}

impl From<f64> for Value {
    /// A float; `null` when not finite (as serde_json).
    fn from(f: f64) -> Self {
        Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

impl From<f32> for Value {
    /// A float; `null` when not finite (as serde_json).
    fn from(f: f32) -> Self {
        Number::from_f64(f64::from(f)).map_or(Value::Null, Value::Number)
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Self {
                Value::Number(Number::from(n))
            }
        }
    )*};
}
from_int!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Self {
        Value::Array(v.into_iter().map(Into::into).collect())
    }
}

impl<T: Clone + Into<Value>> From<&[T]> for Value {
    fn from(v: &[T]) -> Self {
        Value::Array(v.iter().cloned().map(Into::into).collect())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

impl<T: Into<Value>> FromIterator<T> for Value {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Value::Array(iter.into_iter().map(Into::into).collect())
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Value {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Value::Object(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

// ---- PartialEq with primitives, as serde_json ----

impl PartialEq<str> for Value {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Value {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<String> for Value {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == Some(other.as_str())
    }
}

impl PartialEq<bool> for Value {
    fn eq(&self, other: &bool) -> bool {
        self.as_bool() == Some(*other)
    }
}

impl PartialEq<f64> for Value {
    fn eq(&self, other: &f64) -> bool {
        self.as_f64() == Some(*other)
    }
}

/// `x == value` for every `value == x` above (one mirror impl per type).
macro_rules! eq_mirror {
    ($($t:ty),*) => {$(
        impl PartialEq<Value> for $t {
            fn eq(&self, other: &Value) -> bool {
                other == self
            }
        }
    )*};
}
eq_mirror!(str, &str, String, bool, f64);

macro_rules! eq_int {
    ($($t:ty => $as:ident $w:ty),*) => {$(
        impl PartialEq<$t> for Value {
            fn eq(&self, other: &$t) -> bool {
                self.$as().is_some_and(|n| n == *other as $w)
            }
        }
        eq_mirror!($t);
    )*};
}
eq_int!(u8 => as_u64 u64, u16 => as_u64 u64, u32 => as_u64 u64, u64 => as_u64 u64,
    usize => as_u64 u64, i8 => as_i64 i64, i16 => as_i64 i64, i32 => as_i64 i64,
    i64 => as_i64 i64, isize => as_i64 i64);

// ---- serde_json interop ----

impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Number(n.into()),
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(a) => Value::Array(a.into_iter().map(Value::from).collect()),
            serde_json::Value::Object(m) => Value::Object(m.into()),
        }
    }
}

impl From<Value> for serde_json::Value {
    fn from(v: Value) -> Self {
        match v {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(b),
            Value::Number(n) => serde_json::Value::Number(n.into()),
            Value::String(s) => serde_json::Value::String(s),
            Value::Array(a) => serde_json::Value::Array(a.into_iter().map(Into::into).collect()),
            Value::Object(m) => serde_json::Value::Object(m.into()),
        }
    }
}

impl From<serde_json::Map<String, serde_json::Value>> for Map {
    fn from(m: serde_json::Map<String, serde_json::Value>) -> Self {
        m.into_iter().map(|(k, v)| (k, Value::from(v))).collect()
    }
}

impl From<Map> for serde_json::Map<String, serde_json::Value> {
    fn from(m: Map) -> Self {
        m.into_iter().map(|(k, v)| (k, v.into())).collect()
    }
}

impl PartialEq<serde_json::Value> for Value {
    fn eq(&self, other: &serde_json::Value) -> bool {
        match (self, other) {
            (Value::Null, serde_json::Value::Null) => true,
            (Value::Bool(a), serde_json::Value::Bool(b)) => a == b,
            (Value::Number(a), serde_json::Value::Number(b)) => *a == Number::from(b.clone()),
            (Value::String(a), serde_json::Value::String(b)) => a == b,
            (Value::Array(a), serde_json::Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
            }
            (Value::Object(a), serde_json::Value::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v == w))
            }
            _ => false,
        }
    }
}

impl PartialEq<Value> for serde_json::Value {
    fn eq(&self, other: &Value) -> bool {
        other == self
    }
}

#[cfg(test)]
mod tests;

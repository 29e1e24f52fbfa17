//! [`Number`]: a JSON number as serde_json keeps it (`u64`, `i64` or finite `f64`).

use std::fmt;

#[derive(Clone, Copy, PartialEq)]
enum N {
    PosInt(u64),
    /// Always negative.
    NegInt(i64),
    /// Always finite.
    Float(f64),
}

/// A JSON number: a non-negative integer (`u64`), a negative integer (`i64`) or a finite
/// float, with serde_json's equality, conversions and `Display`.
#[derive(Clone, Copy, PartialEq)]
pub struct Number(N);

// Floats are always finite, so equality is reflexive.
impl Eq for Number {}

impl Number {
    /// A float number; `None` when not finite.
    pub fn from_f64(f: f64) -> Option<Number> {
        f.is_finite().then_some(Number(N::Float(f)))
    }

    /// Whether this is an integer representable as `u64`.
    pub fn is_u64(&self) -> bool {
        matches!(self.0, N::PosInt(_))
    }

    /// Whether this is an integer representable as `i64`.
    pub fn is_i64(&self) -> bool {
        match self.0 {
            N::PosInt(u) => u <= i64::MAX as u64,
            N::NegInt(_) => true,
            N::Float(_) => false,
        }
    }

    /// Whether this is a float.
    pub fn is_f64(&self) -> bool {
        matches!(self.0, N::Float(_))
    }

    /// The integer as `u64`.
    pub fn as_u64(&self) -> Option<u64> {
        match self.0 {
            N::PosInt(u) => Some(u),
            _ => None,
        }
    }

    /// The integer as `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self.0 {
            N::PosInt(u) => i64::try_from(u).ok(),
            N::NegInt(i) => Some(i),
            N::Float(_) => None,
        }
    }

    /// The number as `f64` (integers converted).
    pub fn as_f64(&self) -> Option<f64> {
        Some(match self.0 {
            N::PosInt(u) => u as f64,
            N::NegInt(i) => i as f64,
            N::Float(f) => f,
        })
    }
}

macro_rules! from_unsigned {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(n: $t) -> Self {
                Number(N::PosInt(n as u64))
            }
        }
    )*};
}
from_unsigned!(u8, u16, u32, u64, usize);

macro_rules! from_signed {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(n: $t) -> Self {
                if n < 0 {
                    Number(N::NegInt(n as i64))
                } else {
                    Number(N::PosInt(n as u64))
                }
            }
        }
    )*};
}
from_signed!(i8, i16, i32, i64, isize);

impl fmt::Display for Number {
    /// serde_json's text: integers in decimal, floats in their shortest round-trip form
    /// (`1.0`, `0.1`, `1e20`, `1.5e-7`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        write_number(&mut out, self);
        f.write_str(&out)
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({self})")
    }
}

/// Appends serde_json's text of `n` to `out`.
pub(crate) fn write_number(out: &mut String, n: &Number) {
    match n.0 {
        N::PosInt(u) => crate::wire::json::write_u64(out, u),
        N::NegInt(i) => {
            out.push('-');
            crate::wire::json::write_u64(out, i.unsigned_abs());
        }
        N::Float(x) => {
            if x == 0.0 {
                out.push_str(if x.is_sign_negative() { "-0.0" } else { "0.0" });
                return;
            }
            // serde_json's own float text (ryu) natively: Rust's `{:e}` can pick another of two
            // equally short digit strings (1844674546745516.2 vs .3). The wasm builds take the
            // shortest digits from the platform (`toExponential`) and lay them out as serde_json
            // does, instead of linking a float formatter.
            #[cfg(not(all(target_arch = "wasm32", feature = "wasm")))]
            if let Some(n) = serde_json::Number::from_f64(x) {
                use std::fmt::Write;
                let _ = write!(out, "{n}");
            }
            #[cfg(all(target_arch = "wasm32", feature = "wasm"))]
            crate::wire::json::write_exponential(out, &crate::edge::js::exponential(x));
        }
    }
}

impl From<serde_json::Number> for Number {
    fn from(n: serde_json::Number) -> Self {
        if let Some(u) = n.as_u64() {
            Number(N::PosInt(u))
        } else if let Some(i) = n.as_i64() {
            Number(N::NegInt(i))
        } else {
            Number(N::Float(n.as_f64().unwrap_or(0.0)))
        }
    }
}

impl From<Number> for serde_json::Number {
    fn from(n: Number) -> Self {
        match n.0 {
            N::PosInt(u) => u.into(),
            N::NegInt(i) => i.into(),
            N::Float(f) => serde_json::Number::from_f64(f).unwrap_or_else(|| 0.into()),
        }
    }
}

impl serde::Serialize for Number {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            N::PosInt(u) => s.serialize_u64(u),
            N::NegInt(i) => s.serialize_i64(i),
            N::Float(f) => s.serialize_f64(f),
        }
    }
}

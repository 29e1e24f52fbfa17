//! Secret newtypes: redacted `Debug`, no `Display`, an explicit accessor, constant-time compare.

use std::fmt;

macro_rules! secret_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name(String);

        /// Equality in constant time (for equal lengths), like [`constant_time_eq`].
        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                constant_time_eq(self.0.as_bytes(), other.0.as_bytes())
            }
        }

        impl Eq for $name {}

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret itself. Call this only where the value leaves for its one destination.
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret_type!(
    /// A Composio project API key (`ak_…`), sent only as `x-api-key`.
    ///
    /// ```
    /// let key = composio_edge::secret::ApiKey::new("ak_live_123");
    /// assert_eq!(format!("{key:?}"), "ApiKey([redacted])");
    /// assert_eq!(key.expose_secret(), "ak_live_123");
    /// ```
    ApiKey
);
secret_type!(
    /// A key used to sign and seal gateway tokens and OAuth state.
    SigningKey
);
secret_type!(
    /// A bearer token, cookie value or sealed state: anything a log must never show.
    SecretString
);

/// Compares two byte strings in time that depends only on their lengths.
///
/// ```
/// use composio_edge::secret::constant_time_eq;
/// assert!(constant_time_eq(b"abc", b"abc"));
/// assert!(!constant_time_eq(b"abc", b"abd"));
/// assert!(!constant_time_eq(b"abc", b"ab"));
/// ```
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    // Keep the optimiser from turning the fold into an early exit.
    std::hint::black_box(diff) == 0
}

//! Gateway tokens (SEC-21): compact JWS, HS256 only, and HMAC-sealed blobs for OAuth tickets
//! and state (SEC-06).
//!
//! Keys are separated by purpose: tokens and seals use different HMAC sub-keys derived from
//! `EDGE_SIGNING_KEY`, and every seal names its purpose, so a ticket is never a valid state.

use crate::json::Value;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::encoding::{base64url_decode, base64url_encode};
use crate::secret::{constant_time_eq, SigningKey};

/// `aud` of every gateway token.
pub const AUDIENCE: &str = "composio-edge";
/// `iss` of every gateway token (SEC-10: checked on verify).
pub const ISSUER: &str = "composio-edge";
/// Longest token lifetime (15 minutes).
pub const MAX_TTL_SECONDS: u64 = 900;
/// Default token lifetime.
pub const DEFAULT_TTL_SECONDS: u64 = 600;
/// Tolerated clock skew on `exp`, `nbf` and `iat`.
pub const CLOCK_SKEW_SECONDS: u64 = 30;
/// Every scope a token may carry.
pub const SCOPES: &[&str] = &["search", "execute", "connect", "proxy"];

/// The claims of a gateway token.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Claims {
    /// The user id (Composio `user_id`).
    pub sub: String,
    /// Always [`AUDIENCE`].
    pub aud: String,
    /// Always [`ISSUER`].
    pub iss: String,
    /// Issued at, Unix seconds.
    pub iat: u64,
    /// Not before, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// Expires at, Unix seconds (at most [`MAX_TTL_SECONDS`] after `iat`).
    pub exp: u64,
    /// Allowed operations, a subset of [`SCOPES`].
    pub scopes: Vec<String>,
    /// Browser origins the token may be used from.
    pub origins: Vec<String>,
    /// Unique token id.
    pub jti: String,
}

/// Claims read from a verified payload object (what `Claims`' `Deserialize` accepts from an
/// object; a typed decode would add a second JSON reader to the Worker).
fn claims_of(v: &Value) -> Option<Claims> {
    let m = v.as_object()?;
    let text = |k: &str| m.get(k)?.as_str().map(str::to_owned);
    let list = |k: &str| -> Option<Vec<String>> {
        let mut out = Vec::new();
        for s in m.get(k)?.as_array()? {
            out.push(s.as_str()?.to_owned());
        }
        Some(out)
    };
    Some(Claims {
        sub: text("sub")?,
        aud: text("aud")?,
        iss: text("iss")?,
        iat: m.get("iat")?.as_u64()?,
        nbf: match m.get("nbf") {
            None | Some(Value::Null) => None,
            Some(n) => Some(n.as_u64()?),
        },
        exp: m.get("exp")?.as_u64()?,
        scopes: list("scopes")?,
        origins: list("origins")?,
        jti: text("jti")?,
    })
}

impl Claims {
    /// Whether the token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// Why a token was refused. Every variant maps to HTTP 401 `invalid_token`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not three base64url parts of JSON.
    Malformed,
    /// The header's `alg` is not exactly `HS256` (e.g. `none`).
    Algorithm,
    /// The MAC does not verify under our key.
    Signature,
    /// `exp` is in the past.
    Expired,
    /// `nbf`/`iat` is in the future.
    NotYetValid,
    /// `aud` is not ours.
    Audience,
    /// `iss` is not ours.
    Issuer,
    /// A claim is missing or out of range (lifetime, scopes, subject).
    Claims,
}

impl TokenError {
    /// A lowercase description, never containing the token.
    pub fn message(self) -> &'static str {
        match self {
            TokenError::Malformed => "token is malformed",
            TokenError::Algorithm => "token algorithm is not accepted",
            TokenError::Signature => "token signature is invalid",
            TokenError::Expired => "token has expired",
            TokenError::NotYetValid => "token is not valid yet",
            TokenError::Audience => "token audience is wrong",
            TokenError::Issuer => "token issuer is wrong",
            TokenError::Claims => "token claims are invalid",
        }
    }
}

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 over the concatenation of `parts`; `None` only if the key is refused (never
/// for HMAC, but no panic either way).
fn mac(key: &[u8], parts: &[&[u8]]) -> Option<[u8; 32]> {
    let mut m = HmacSha256::new_from_slice(key).ok()?;
    for p in parts {
        m.update(p);
    }
    Some(m.finalize().into_bytes().into())
}

/// A purpose-bound sub-key of the signing key.
fn subkey(key: &SigningKey, label: &str) -> Option<[u8; 32]> {
    mac(
        key.expose_secret().as_bytes(),
        &[b"composio-edge/", label.as_bytes()],
    )
}

/// SHA-256, hex.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    crate::encoding::hex(&Sha256::digest(data))
}

const JWS_HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// Signs `claims` as a compact JWS (HS256).
///
/// ```
/// use composio_edge::gateway::token::{sign_token, verify_token, Claims, AUDIENCE, ISSUER};
/// use composio_edge::secret::SigningKey;
/// let key = SigningKey::new("k".repeat(32));
/// let claims = Claims { sub: "u1".into(), aud: AUDIENCE.into(), iss: ISSUER.into(), iat: 100, nbf: None,
///     exp: 700, scopes: vec!["search".into()], origins: vec![], jti: "j".into() };
/// let token = sign_token(&key, &claims).unwrap();
/// assert_eq!(verify_token(&key, &token, 200).unwrap(), claims);
/// assert!(verify_token(&key, &token, 800).is_err());
/// ```
pub fn sign_token(key: &SigningKey, claims: &Claims) -> Option<String> {
    let header = base64url_encode(JWS_HEADER.as_bytes());
    let payload = base64url_encode(claims_json(claims).as_bytes());
    let signing_input = format!("{header}.{payload}");
    let sig = mac(&subkey(key, "token")?, &[signing_input.as_bytes()])?;
    Some(format!("{signing_input}.{}", base64url_encode(&sig)))
}

/// The compact JSON of `claims`, byte for byte what `serde_json::to_vec(claims)` gives (field
/// order, `nbf` left out when `None`), without linking serde_json's serializer.
fn claims_json(c: &Claims) -> String {
    let text = |s: &str| Value::String(s.to_owned());
    let list = |v: &[String]| {
        let mut out = Vec::new();
        for s in v {
            out.push(text(s));
        }
        Value::Array(out)
    };
    let mut m = crate::json::Map::new();
    m.insert("sub".into(), text(&c.sub));
    m.insert("aud".into(), text(&c.aud));
    m.insert("iss".into(), text(&c.iss));
    m.insert("iat".into(), c.iat.into());
    if let Some(nbf) = c.nbf {
        m.insert("nbf".into(), nbf.into());
    }
    m.insert("exp".into(), c.exp.into());
    m.insert("scopes".into(), list(&c.scopes));
    m.insert("origins".into(), list(&c.origins));
    m.insert("jti".into(), text(&c.jti));
    crate::wire::json::to_text(&Value::Object(m))
}

/// Splits a compact JWS (at most `max_len` bytes) into its decoded header and the three encoded
/// parts; anything else is [`TokenError::Malformed`].
pub(crate) fn split_jws(
    token: &str,
    max_len: usize,
) -> Result<(Value, &str, &str, &str), TokenError> {
    if token.len() > max_len {
        return Err(TokenError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let header: Value = base64url_decode(h)
        .and_then(|b| crate::wire::json::parse_bytes(&b).ok())
        .ok_or(TokenError::Malformed)?;
    Ok((header, h, p, s))
}

/// Verifies a compact JWS at time `now` (Unix seconds): `alg` exactly `HS256`, MAC in constant
/// time, then `aud`, `iss`, `exp`/`nbf`/`iat` with [`CLOCK_SKEW_SECONDS`], lifetime ≤
/// [`MAX_TTL_SECONDS`], known scopes and a non-empty subject.
pub fn verify_token(key: &SigningKey, token: &str, now: u64) -> Result<Claims, TokenError> {
    let (header, h, p, s) = split_jws(token, 8192)?;
    if header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return Err(TokenError::Algorithm);
    }
    if header.get("crit").is_some() {
        return Err(TokenError::Malformed);
    }
    let sig = base64url_decode(s).ok_or(TokenError::Malformed)?;
    let expected = subkey(key, "token")
        .and_then(|k| mac(&k, &[h.as_bytes(), b".", p.as_bytes()]))
        .ok_or(TokenError::Signature)?;
    if !constant_time_eq(&sig, &expected) {
        return Err(TokenError::Signature);
    }
    let claims = base64url_decode(p)
        .and_then(|b| crate::wire::json::parse_bytes(&b).ok())
        .as_ref()
        .and_then(claims_of)
        .ok_or(TokenError::Malformed)?;
    if claims.aud != AUDIENCE {
        return Err(TokenError::Audience);
    }
    if claims.iss != ISSUER {
        return Err(TokenError::Issuer);
    }
    if now >= claims.exp.saturating_add(CLOCK_SKEW_SECONDS) {
        return Err(TokenError::Expired);
    }
    if claims.iat > now.saturating_add(CLOCK_SKEW_SECONDS)
        || claims
            .nbf
            .is_some_and(|nbf| nbf > now.saturating_add(CLOCK_SKEW_SECONDS))
    {
        return Err(TokenError::NotYetValid);
    }
    if claims.exp <= claims.iat
        || claims.exp - claims.iat > MAX_TTL_SECONDS
        || claims.sub.is_empty()
        || claims.scopes.iter().any(|s| !SCOPES.contains(&s.as_str()))
    {
        return Err(TokenError::Claims);
    }
    Ok(claims)
}

/// Seals `payload` for `purpose`: `base64url(json) "." base64url(HMAC)`. The payload must
/// carry `x`, its expiry in Unix seconds. Sealed values are signed, not encrypted: they hold
/// no secret, only identifiers.
pub fn seal(key: &SigningKey, purpose: &str, payload: &Value) -> Option<String> {
    let body = base64url_encode(crate::wire::json::to_text(payload).as_bytes());
    let tag = mac(
        &subkey(key, "seal")?,
        &[purpose.as_bytes(), b".", body.as_bytes()],
    )?;
    Some(format!("{body}.{}", base64url_encode(&tag)))
}

/// Opens a value sealed by [`seal`] for the same `purpose`, if its MAC verifies (in constant
/// time) and its `x` is not past `now` (Unix seconds).
///
/// ```
/// use composio_edge::gateway::token::{seal, unseal};
/// use composio_edge::secret::SigningKey;
/// let key = SigningKey::new("k".repeat(32));
/// let s = seal(&key, "state", &composio_edge::json!({"f": "abc", "x": 1000})).unwrap();
/// assert_eq!(unseal(&key, "state", &s, 999).unwrap()["f"], "abc");
/// assert!(unseal(&key, "ticket", &s, 999).is_none());
/// assert!(unseal(&key, "state", &s, 1000).is_none());
/// ```
pub fn unseal(key: &SigningKey, purpose: &str, sealed: &str, now: u64) -> Option<Value> {
    if sealed.len() > 4096 {
        return None;
    }
    let (body, tag) = sealed.split_once('.')?;
    let tag = base64url_decode(tag)?;
    let expected = mac(
        &subkey(key, "seal")?,
        &[purpose.as_bytes(), b".", body.as_bytes()],
    )?;
    if !constant_time_eq(&tag, &expected) {
        return None;
    }
    let payload: Value = crate::wire::json::parse_bytes(&base64url_decode(body)?).ok()?;
    let exp = payload.get("x")?.as_u64()?;
    (now < exp).then_some(payload)
}

#[cfg(test)]
mod tests {
    use super::{claims_json, claims_of, Claims};
    use crate::json;
    use crate::json::Value;

    /// The direct writer is serde's serialization, byte for byte.
    #[test]
    fn claims_json_matches_serde() {
        let mut c = Claims {
            sub: "u\"1\\\n\u{1}é😀".into(),
            aud: "composio-edge".into(),
            iss: "i".into(),
            iat: 0,
            nbf: None,
            exp: u64::MAX,
            scopes: vec!["search".into(), "execute".into()],
            origins: vec![],
            jti: "j\u{7f}</".into(),
        };
        assert_eq!(claims_json(&c), serde_json::to_string(&c).unwrap());
        c.nbf = Some(17);
        c.origins = vec!["https://a.example".into()];
        assert_eq!(claims_json(&c), serde_json::to_string(&c).unwrap());
    }

    /// The direct read agrees with `Claims`' `Deserialize` on objects.
    #[test]
    fn claims_of_matches_serde() {
        let good = json!({"sub": "u", "aud": "a", "iss": "i", "iat": 1, "exp": 2,
            "scopes": ["search"], "origins": [], "jti": "j", "other": {"x": 1}});
        let mut cases = vec![good.clone(), json!({}), json!([]), Value::Null];
        for k in [
            "sub", "aud", "iss", "iat", "nbf", "exp", "scopes", "origins", "jti",
        ] {
            for bad in [
                Value::Null,
                json!(-1),
                json!(1.5),
                json!("s"),
                json!(["s", 1]),
                json!(7),
            ] {
                let mut v = good.clone();
                v[k] = bad;
                cases.push(v);
            }
            let mut v = good.clone();
            if let Some(m) = v.as_object_mut() {
                m.remove(k);
            }
            cases.push(v);
        }
        for v in cases {
            let typed: Option<Claims> = crate::json::from_value(v.clone()).ok();
            assert_eq!(claims_of(&v), typed, "{v}");
        }
    }
}

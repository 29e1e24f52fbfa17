//! App ID tokens (OIDC, RS256/ES256) verified against the configured JWKS, so apps on
//! Auth0/Clerk/Supabase need no token endpoint of their own.
//!
//! The RSA/ECDSA arithmetic stays out of the core (and out of the wasm): the shell injects a
//! [`SignatureVerifier`] (WebCrypto `crypto.subtle.verify` in the Worker). The core does
//! everything else: algorithm allow-list, key selection by `kid`/`kty`/`crv`/`use`/`alg`,
//! `iss`, `aud`, `exp`/`nbf`/`iat` with skew, and the subject.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use crate::json::Value;

use super::config::JwtSettings;
use super::token::{TokenError, CLOCK_SKEW_SECONDS};
use crate::encoding::base64url_decode;

/// Verifies one JWS signature with one JWK. Implemented by the shell (WebCrypto).
pub trait SignatureVerifier {
    /// Whether `signature` is valid for `signing_input` (`header.payload`) under `jwk` with
    /// `alg` (`RS256`: RSASSA-PKCS1-v1_5 SHA-256; `ES256`: ECDSA P-256 SHA-256, signature in
    /// the JOSE `r‖s` form).
    fn verify<'a>(
        &'a self,
        alg: &'a str,
        jwk: &'a Value,
        signing_input: &'a [u8],
        signature: &'a [u8],
    ) -> Pin<Box<dyn Future<Output = bool> + 'a>>;
}

/// A shared [`SignatureVerifier`] with a `Debug` that shows nothing.
#[derive(Clone)]
pub struct Verifier(pub Rc<dyn SignatureVerifier>);

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Verifier(..)")
    }
}

/// The verified identity of an ID token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdIdentity {
    /// `sub`.
    pub sub: String,
    /// `exp`, Unix seconds.
    pub exp: u64,
}

/// The `alg` of a compact JWS header, if readable.
pub fn header_alg(token: &str) -> Option<String> {
    let h = token.split('.').next()?;
    let v: Value = crate::wire::json::parse_bytes(&base64url_decode(h)?).ok()?;
    v.get("alg").and_then(Value::as_str).map(str::to_owned)
}

fn key_matches(jwk: &Value, alg: &str, kid: Option<&str>) -> bool {
    let s = |k: &str| jwk.get(k).and_then(Value::as_str);
    let kty_ok = match alg {
        "RS256" => s("kty") == Some("RSA"),
        "ES256" => s("kty") == Some("EC") && s("crv") == Some("P-256"),
        _ => false,
    };
    kty_ok
        && s("use").is_none_or(|u| u == "sig")
        && s("alg").is_none_or(|a| a == alg)
        && kid.is_none_or(|k| s("kid") == Some(k))
}

/// Verifies an app ID token at `now` (Unix seconds).
pub async fn verify_id_token(
    settings: &JwtSettings,
    verifier: &dyn SignatureVerifier,
    token: &str,
    now: u64,
) -> Result<IdIdentity, TokenError> {
    let (header, h, p, s) = super::token::split_jws(token, 16 * 1024)?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    if alg != "RS256" && alg != "ES256" {
        return Err(TokenError::Algorithm);
    }
    if header.get("crit").is_some() {
        return Err(TokenError::Malformed);
    }
    let kid = header.get("kid").and_then(Value::as_str);
    let claims: Value = base64url_decode(p)
        .and_then(|b| crate::wire::json::parse_bytes(&b).ok())
        .ok_or(TokenError::Malformed)?;
    let signature = base64url_decode(s).ok_or(TokenError::Malformed)?;

    // Signature first: nothing from an unverified payload is trusted.
    let signing_input = format!("{h}.{p}");
    let keys = settings
        .jwks
        .get("keys")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut verified = false;
    for jwk in keys.iter().filter(|k| key_matches(k, alg, kid)) {
        if verifier
            .verify(alg, jwk, signing_input.as_bytes(), &signature)
            .await
        {
            verified = true;
            break;
        }
    }
    if !verified {
        return Err(TokenError::Signature);
    }

    if claims.get("iss").and_then(Value::as_str) != Some(settings.issuer.as_str()) {
        return Err(TokenError::Issuer);
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => *a == settings.audience,
        Some(Value::Array(a)) => a
            .iter()
            .any(|x| x.as_str() == Some(settings.audience.as_str())),
        _ => false,
    };
    if !aud_ok {
        return Err(TokenError::Audience);
    }
    let exp = claims
        .get("exp")
        .and_then(Value::as_u64)
        .ok_or(TokenError::Claims)?;
    if now >= exp.saturating_add(CLOCK_SKEW_SECONDS) {
        return Err(TokenError::Expired);
    }
    let future = |k: &str| {
        claims
            .get(k)
            .and_then(Value::as_u64)
            .is_some_and(|t| t > now.saturating_add(CLOCK_SKEW_SECONDS))
    };
    if future("nbf") || future("iat") {
        return Err(TokenError::NotYetValid);
    }
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .filter(|s| super::valid_user_id(s))
        .ok_or(TokenError::Claims)?;
    Ok(IdIdentity {
        sub: sub.to_owned(),
        exp,
    })
}

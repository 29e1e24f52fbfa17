//! [`SignatureVerifier`] over WebCrypto (`crypto.subtle`): the Worker shell's half of app ID
//! tokens. The core picks the key and checks every claim; this only answers "is this RS256 or
//! ES256 signature valid under this JWK". Any failure (an unusable key, a missing
//! `crypto.subtle`, a rejected promise) is "not valid".

use std::future::Future;
use std::pin::Pin;

use crate::json::{Map, Value};
use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::gateway::idtoken::SignatureVerifier;

/// Verifies JWS signatures with `crypto.subtle.importKey("jwk", …)` + `crypto.subtle.verify`.
#[derive(Clone, Copy, Debug, Default)]
pub struct WebCryptoVerifier;

impl SignatureVerifier for WebCryptoVerifier {
    fn verify<'a>(
        &'a self,
        alg: &'a str,
        jwk: &'a Value,
        signing_input: &'a [u8],
        signature: &'a [u8],
    ) -> Pin<Box<dyn Future<Output = bool> + 'a>> {
        Box::pin(async move {
            verify(alg, jwk, signing_input, signature)
                .await
                .unwrap_or(false)
        })
    }
}

fn obj(pairs: &[(&str, &str)]) -> Result<Object, JsValue> {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v))?;
    }
    Ok(o)
}

/// Only the public-key members WebCrypto needs: `use`, `key_ops`, `alg` or `ext` that disagree
/// with the import below would make `importKey` throw for a key the core already selected.
fn public_jwk(jwk: &Value, members: &[&str]) -> Option<String> {
    let mut out = Map::new();
    for m in members {
        out.insert(
            (*m).to_owned(),
            Value::String(jwk.get(*m)?.as_str()?.to_owned()),
        );
    }
    Some(crate::wire::json::to_text(&Value::Object(out)))
}

async fn call(subtle: &JsValue, method: &str, args: &Array) -> Result<JsValue, JsValue> {
    let f: js_sys::Function = Reflect::get(subtle, &JsValue::from_str(method))?.dyn_into()?;
    let promise: Promise = f.apply(subtle, args)?.dyn_into()?;
    JsFuture::from(promise).await
}

async fn verify(
    alg: &str,
    jwk: &Value,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<bool, JsValue> {
    let (import_alg, verify_alg, members): (Object, Object, &[&str]) = match alg {
        "RS256" => (
            obj(&[("name", "RSASSA-PKCS1-v1_5"), ("hash", "SHA-256")])?,
            obj(&[("name", "RSASSA-PKCS1-v1_5")])?,
            &["kty", "n", "e"],
        ),
        "ES256" => (
            obj(&[("name", "ECDSA"), ("namedCurve", "P-256")])?,
            obj(&[("name", "ECDSA"), ("hash", "SHA-256")])?,
            &["kty", "crv", "x", "y"],
        ),
        _ => return Ok(false),
    };
    let Some(text) = public_jwk(jwk, members) else {
        return Ok(false);
    };
    let key_data = js_sys::JSON::parse(&text)?;
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))?;
    let subtle = Reflect::get(&crypto, &JsValue::from_str("subtle"))?;
    let usages = Array::of1(&JsValue::from_str("verify"));
    let import = Array::of5(
        &JsValue::from_str("jwk"),
        &key_data,
        &import_alg,
        &JsValue::FALSE,
        &usages,
    );
    let key = call(&subtle, "importKey", &import).await?;
    let args = Array::of4(
        &verify_alg,
        &key,
        &Uint8Array::from(signature),
        &Uint8Array::from(signing_input),
    );
    Ok(call(&subtle, "verify", &args).await?.as_bool() == Some(true))
}

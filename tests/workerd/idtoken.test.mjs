// App ID tokens in a real workerd: the Worker shell checks RS256 and ES256 signatures with
// WebCrypto (`src/platform/webcrypto.rs`) against EDGE_JWKS, and the core checks the claims.
// Keys and tokens are made here with node:crypto, as an identity provider would.

import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { after, before, describe, test } from "node:test";

import { startWorker } from "./harness.mjs";

const ISS = "https://idp.example.test/";
const AUD = "composio-edge-app";

const b64url = (buf) => Buffer.from(buf).toString("base64url");

function keyPair(type, kid, alg) {
  const { privateKey, publicKey } =
    type === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : generateKeyPairSync("ec", { namedCurve: "P-256" });
  // The members an IdP publishes, including ones WebCrypto would refuse if passed through.
  const jwk = { ...publicKey.export({ format: "jwk" }), kid, alg, use: "sig" };
  return { privateKey, jwk, alg, kid };
}

function idToken(key, claims, { kid = key.kid, alg = key.alg } = {}) {
  const input = `${b64url(JSON.stringify({ alg, kid, typ: "JWT" }))}.${b64url(JSON.stringify(claims))}`;
  const sig =
    alg === "RS256"
      ? sign("sha256", Buffer.from(input), key.privateKey)
      : sign("sha256", Buffer.from(input), { key: key.privateKey, dsaEncoding: "ieee-p1363" });
  return `${input}.${b64url(sig)}`;
}

function claims(sub, extra = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISS, aud: [AUD], sub, iat: now - 5, exp: now + 600, ...extra };
}

describe("app ID tokens (EDGE_JWKS) verified with WebCrypto", () => {
  const rsa = keyPair("rsa", "rsa-1", "RS256");
  const ec = keyPair("ec", "ec-1", "ES256");
  const stranger = keyPair("rsa", "rsa-1", "RS256"); // same kid, another key
  let w;

  before(async () => {
    w = await startWorker({
      vars: {
        EDGE_JWT_ISSUER: ISS,
        EDGE_JWT_AUDIENCE: AUD,
        EDGE_JWKS: JSON.stringify({ keys: [rsa.jwk, ec.jwk] }),
      },
    });
  });
  after(async () => {
    await w?.stop();
  });

  async function session(token) {
    const res = await fetch(`${w.url}/v1/session`, {
      method: "POST",
      headers: {
        origin: w.url,
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
      },
      body: "{}",
    });
    const text = await res.text();
    return { status: res.status, text, json: text ? JSON.parse(text) : null, res };
  }

  test("RS256 and ES256 tokens from the identity provider open the user's session", async () => {
    for (const [key, sub] of [
      [rsa, "idp-user-rsa"],
      [ec, "idp-user-ec"],
    ]) {
      const r = await session(idToken(key, claims(sub)));
      assert.ok(r.status === 200 || r.status === 201, `${key.alg}: ${r.status} ${r.text.slice(0, 300)}`);
      assert.equal(r.json.user_id, sub);
    }
  });

  test("a bad signature, another key, a wrong audience or an expired token is refused", async () => {
    const good = idToken(rsa, claims("u1"));
    const [h, p, s] = good.split(".");
    const flipped = `${h}.${p}.${s[0] === "A" ? "B" : "A"}${s.slice(1)}`;
    const cases = {
      "tampered signature": flipped,
      "tampered payload": `${h}.${b64url(JSON.stringify(claims("someone-else")))}.${s}`,
      "same kid, another key": idToken(stranger, claims("u1")),
      "ES256 header on the RSA key": idToken(ec, claims("u1"), { kid: "rsa-1" }),
      "wrong audience": idToken(rsa, claims("u1", { aud: "another-app" })),
      "wrong issuer": idToken(rsa, claims("u1", { iss: "https://evil.example/" })),
      expired: idToken(ec, claims("u1", { iat: 1_000, exp: 2_000 })),
    };
    for (const [name, token] of Object.entries(cases)) {
      const r = await session(token);
      assert.equal(r.status, 401, `${name}: ${r.status} ${r.text.slice(0, 200)}`);
      assert.equal(r.json.error.code, "invalid_token", name);
      assert.match(r.res.headers.get("www-authenticate") ?? "", /invalid_token/, name);
    }
  });
});

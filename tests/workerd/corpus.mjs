// Attack corpora shared by the workerd tests: the SEC-12 open-redirect corpus for `return_to`
// (flow.test.mjs, faults.test.mjs) and request-level attack cases against the gateway API
// (faults.test.mjs "leak suite"). Each attack case names the status the gateway must answer; none
// of them may reach an upstream execute or record anything.

import { createHmac } from "node:crypto";

/** Hostile `return_to` values for a Worker at `workerUrl`: every one must be refused with 400. */
export function openRedirectCorpus(workerUrl) {
  const host = new URL(workerUrl).host;
  const w = { url: workerUrl };
  return [
  "https://evil.example/",
  "http://evil.example",
  "//evil.example",
  "///evil.example",
  "////evil.example/",
  "/\\evil.example",
  "\\\\evil.example",
  "\\/evil.example",
  "/\\/evil.example",
  "https:evil.example",
  "https:/evil.example",
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "vbscript:msgbox(1)",
  `http://${host}@evil.example/`,
  `http://${host}.evil.example/`,
  `http://evil.example/${w.url}`,
  "http://localhost@evil.example",
  "/%2F%2Fevil.example",
  "/%2f%2fevil.example",
  "/%5Cevil.example",
  "/%5c%5cevil.example",
  "/..//evil.example",
  "/./evil/../..//evil.example",
  " //evil.example",
  "\t//evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r\n/evil.example",
  "/done#//evil.example",
  "evil.example",
  "http:\\\\evil.example",
  "https://evil.example\\@127.0.0.1/",
  "http://0x7f000001/",
  "http://[::ffff:7f00:1]/",
  "/%09/evil.example",
  "/%00//evil.example",
  "/\u3002evil.example",
  "//evil%2eexample",
  "https://127.0.0.1.nip.io/",
  "",
  ];
}

const b64url = (s) => Buffer.from(s).toString("base64url");

/** Variants of a valid HS256 token `token` that must never verify. */
export function tamperedTokens(token, { signingKey } = {}) {
  const [h, p, s] = token.split(".");
  const claims = JSON.parse(Buffer.from(p, "base64url").toString());
  const flip = (x) => x.slice(0, -2) + (x.at(-2) === "A" ? "B" : "A") + x.at(-1);
  const out = {
    "signature changed": `${h}.${p}.${flip(s)}`,
    "signature removed": `${h}.${p}.`,
    "alg none": `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${p}.`,
    "sub swapped, old signature": `${h}.${b64url(JSON.stringify({ ...claims, sub: "someone-else" }))}.${s}`,
    "scopes widened, old signature": `${h}.${b64url(JSON.stringify({ ...claims, scope: "admin execute search" }))}.${s}`,
    "truncated": token.slice(0, token.length - 10),
    "two segments": `${h}.${p}`,
    "garbage": "not-a-token",
  };
  const sign = (hdr, body, key) =>
    createHmac("sha256", key).update(`${hdr}.${body}`).digest("base64url");
  {
    const body = b64url(JSON.stringify(claims));
    out["signed with another key"] = `${h}.${body}.${sign(h, body, "another-key-0123456789abcdef0123")}`;
  }
  if (signingKey) {
    const expired = b64url(JSON.stringify({ ...claims, iat: 1_600_000_000, exp: 1_600_000_600 }));
    out["expired (validly signed)"] = `${h}.${expired}.${sign(h, expired, signingKey)}`;
    const hs512 = b64url(JSON.stringify({ alg: "HS512", typ: "JWT" }));
    out["alg HS512 (validly MACed)"] = `${hs512}.${p}.${createHmac("sha512", signingKey).update(`${hs512}.${p}`).digest("base64url")}`;
  }
  return out;
}

/**
 * Request-level attack cases for a gateway at `url`, given a valid `token` (and the Worker's
 * signing key, to forge validly-MACed bad tokens). Each: `{ name, method, path, headers, body,
 * status }` where `status` is the expected status (a number, or a list of acceptable ones), and
 * `noCors` asks that the answer carries no `access-control-allow-origin`. `schemaLookup` marks the
 * one case that may send an upstream execute: the schema lookup of an unknown slug
 * (COMPOSIO_GET_TOOL_SCHEMAS), never the tool itself.
 */
export function attackCases(url, token, { signingKey } = {}) {
  const evil = "https://evil.example";
  const json = { "content-type": "application/json" };
  const auth = { authorization: `Bearer ${token}` };
  const exec = JSON.stringify({ tool_slug: "HACKERNEWS_GET_TOP_STORIES", arguments: { limit: 1 } });
  const cases = [
    { name: "execute without a token", method: "POST", path: "/v1/execute", headers: json, body: exec, status: 401 },
    { name: "token in the query string", method: "POST", path: `/v1/execute?token=${token}`, headers: json, body: exec, status: 401 },
    { name: "token with another scheme", method: "POST", path: "/v1/execute", headers: { ...json, authorization: `Basic ${token}` }, body: exec, status: 401 },
  ];
  for (const [what, bad] of Object.entries(tamperedTokens(token, { signingKey }))) {
    cases.push({ name: `tampered token: ${what}`, method: "POST", path: "/v1/execute", headers: { ...json, authorization: `Bearer ${bad}` }, body: exec, status: 401 });
  }
  cases.push(
    { name: "malformed JSON body", method: "POST", path: "/v1/execute", headers: { ...json, ...auth }, body: '{"tool_slug": ', status: 400 },
    { name: "JSON array body", method: "POST", path: "/v1/execute", headers: { ...json, ...auth }, body: "[]", status: 400 },
    { name: "text/plain body", method: "POST", path: "/v1/execute", headers: { "content-type": "text/plain", ...auth }, body: exec, status: 415 },
    { name: "form body", method: "POST", path: "/v1/execute", headers: { "content-type": "application/x-www-form-urlencoded", ...auth }, body: "tool_slug=HACKERNEWS_GET_TOP_STORIES", status: 415 },
    { name: "oversized body (1 MiB)", method: "POST", path: "/v1/execute", headers: { ...json, ...auth }, body: JSON.stringify({ tool_slug: "HACKERNEWS_GET_TOP_STORIES", arguments: { pad: "x".repeat(1 << 20) } }), status: 413 },
    { name: "deeply nested arguments", method: "POST", path: "/v1/execute", headers: { ...json, ...auth }, body: `{"tool_slug":"HACKERNEWS_GET_TOP_STORIES","arguments":${"[".repeat(5000)}${"]".repeat(5000)}}`, status: 400 },
    { name: "tool slug with a path", method: "POST", path: "/v1/execute", headers: { ...json, ...auth }, body: JSON.stringify({ tool_slug: "../../admin", arguments: {} }), status: 400 },
    { name: "arguments of the wrong type", method: "POST", path: "/v1/execute", headers: { ...json, ...auth }, body: JSON.stringify({ tool_slug: "HACKERNEWS_GET_TOP_STORIES", arguments: { limit: "many" } }), status: 400 },
    { name: "unknown tool", method: "POST", path: "/v1/execute", headers: { ...json, ...auth }, body: JSON.stringify({ tool_slug: "NOSUCHAPP_DO_THINGS", arguments: {} }), status: 404, schemaLookup: true },
    { name: "idempotency key with a space", method: "POST", path: "/v1/execute", headers: { ...json, ...auth, "idempotency-key": "a b" }, body: exec, status: 400 },
    { name: "idempotency key with latin-1", method: "POST", path: "/v1/execute", headers: { ...json, ...auth, "idempotency-key": "caf\u00e9" }, body: exec, status: 400 },
    { name: "authorization with latin-1", method: "POST", path: "/v1/execute", headers: { ...json, authorization: `Bearer ${token}\u00e9` }, body: exec, status: 401 },
    { name: "latin-1 in an ignored header", method: "POST", path: "/v1/search", headers: { ...json, ...auth, "x-note": "na\u00efve" }, body: JSON.stringify({ query: "hacker news" }), status: 200 },
    { name: "GET on execute", method: "GET", path: "/v1/execute", headers: auth, status: 405 },
    { name: "PUT on search", method: "PUT", path: "/v1/search", headers: { ...json, ...auth }, body: "{}", status: 405 },
    { name: "DELETE on tools", method: "DELETE", path: "/v1/tools", headers: auth, status: 405 },
    { name: "POST on the callback", method: "POST", path: "/oauth/callback?state=x", headers: json, body: "{}", status: 405 },
    { name: "unknown route", method: "GET", path: "/v1/admin", headers: auth, status: 404 },
    { name: "encoded traversal", method: "GET", path: "/v1/%2e%2e/api/v3.1/tool_router/session", headers: auth, status: 404 },
    { name: "forged internal headers are ignored", method: "POST", path: "/v1/search", headers: { ...json, ...auth, "x-edge-user": "someone-else", "x-edge-user-key": "default/0000", "x-edge-scopes": "admin" }, body: JSON.stringify({ query: "hacker news" }), status: 200 },
    { name: "tokens endpoint without the admin key", method: "POST", path: "/v1/tokens", headers: { ...json, ...auth }, body: JSON.stringify({ user_id: "x" }), status: 401 },
    { name: "tokens endpoint with a near-miss admin key", method: "POST", path: "/v1/tokens", headers: { ...json, authorization: "Bearer admin" }, body: JSON.stringify({ user_id: "x" }), status: 401 },
    { name: "dev token in production", method: "POST", path: "/v1/dev/token", headers: json, body: JSON.stringify({ user_id: "x" }), status: 404 },
    { name: "CORS preflight from a foreign origin", method: "OPTIONS", path: "/v1/execute", headers: { origin: evil, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" }, status: [204, 403], noCors: true },
    { name: "execute from a foreign origin", method: "POST", path: "/v1/execute", headers: { ...json, ...auth, origin: evil }, body: exec, status: 403, noCors: true },
    { name: "null origin", method: "POST", path: "/v1/execute", headers: { ...json, ...auth, origin: "null" }, body: exec, status: 403, noCors: true },
    { name: "forged state", method: "GET", path: "/oauth/callback?state=forged.state.value&connected_account_id=ca_x&status=success", status: 400 },
    { name: "empty state", method: "GET", path: "/oauth/callback?state=", status: 400 },
    { name: "forged ticket", method: "GET", path: "/oauth/start?ticket=forged.ticket.value", status: 400 },
    { name: "missing ticket", method: "GET", path: "/oauth/start", status: 400 },
    { name: "emulator control route in production", method: "POST", path: "/__emulator/faults", headers: json, body: JSON.stringify({ path_prefix: "/", drop: true }), status: [404, 401] },
  );
  return cases;
}

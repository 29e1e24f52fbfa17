// Production mode in a real workerd: COMPOSIO_API_KEY is set, so the user objects reach the
// Tool Router API over the Worker's global `fetch` (platform::fetch), here pointed at the emulator
// running as a separate plain HTTP server (examples/emulator_server) on another loopback origin.
// Covers: admin-minted tokens, session/search/execute through real subrequests, the https-only
// rule for connect links, and an unreachable upstream.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, test } from "node:test";

import { EMULATOR_SERVER as SERVER, startEmulatorServer, startWorker } from "./harness.mjs";

const ADMIN = "admin-key-for-tests-0123456789";
const API_KEY = "ak_production_mode_test_SECRET";

async function call(w, token, method, p, body, headers = {}) {
  const init = { method, headers: { ...headers }, redirect: "manual" };
  if (token) init.headers.authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(`${w.url}${p}`, init);
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { res, status: res.status, json, text };
}

function ok(r, what) {
  assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}

async function mint(w, userId) {
  const r = await call(w, ADMIN, "POST", "/v1/tokens", { user_id: userId });
  return ok(r, "mint").token;
}

const skip = !existsSync(SERVER) && "needs: cargo build --example emulator_server";

describe("production mode over the global fetch", { skip, timeout: 120_000 }, () => {
  let upstream;
  let w;
  before(async () => {
    upstream = await startEmulatorServer();
    const host = new URL(upstream.url).hostname;
    w = await startWorker({
      vars: {
        COMPOSIO_API_KEY: API_KEY,
        COMPOSIO_BASE_URL: upstream.url,
        EDGE_SIGNING_KEY: "production-test-signing-key-0123456789abcdef",
        EDGE_ADMIN_KEY: ADMIN,
        EDGE_REDIRECT_HOSTS: host,
      },
    });
  });
  after(async () => {
    await w?.stop();
    upstream?.stop();
  });

  test("dev tokens do not exist; /v1/tokens needs the admin key", async () => {
    const dev = await call(w, null, "POST", "/v1/dev/token", { user_id: "x" });
    assert.equal(dev.status, 404);
    const noAdmin = await call(w, "wrong-admin-key-000000", "POST", "/v1/tokens", { user_id: "x" });
    assert.equal(noAdmin.status, 401);
  });

  test("session, search and execute reach the upstream through real subrequests", async () => {
    const token = await mint(w, "prod-user@example.com");
    const s = ok(await call(w, token, "POST", "/v1/session"), "session");
    assert.equal(typeof s.session_id, "string");
    const again = ok(await call(w, token, "POST", "/v1/session"), "session again");
    assert.equal(again.session_id, s.session_id);
    const found = ok(await call(w, token, "POST", "/v1/search", { query: "top stories on hacker news" }), "search");
    assert.match(JSON.stringify(found), /HACKERNEWS_/);
    const ex = ok(
      await call(w, token, "POST", "/v1/execute", { tool_slug: "HACKERNEWS_GET_TOP_STORIES", arguments: { limit: 2 } }),
      "execute",
    );
    assert.equal(ex.successful, true);
    assert.doesNotMatch(w.logs(), /ak_production_mode_test_SECRET/);
  });

  test("a connect link on a plain-http host is refused in production (SEC-14)", async () => {
    // The upstream here is http://127.0.0.1:…; production only follows https links on
    // *.composio.dev or EDGE_REDIRECT_HOSTS, so the flow stops before any redirect.
    const token = await mint(w, "prod-connect@example.com");
    const r = await call(w, token, "POST", "/v1/connect", { toolkit: "github" });
    assert.equal(r.status, 502, r.text.slice(0, 300));
    assert.equal(r.json?.error?.code, "upstream_bad_redirect");
    assert.equal(r.res.headers.get("location"), null);
  });

  test("an unreachable upstream is a JSON error with a stable code, quickly", async () => {
    const w2 = await startWorker({
      vars: {
        COMPOSIO_API_KEY: API_KEY,
        COMPOSIO_BASE_URL: "http://127.0.0.1:9",
        EDGE_SIGNING_KEY: "production-test-signing-key-0123456789abcdef",
        EDGE_ADMIN_KEY: ADMIN,
      },
    });
    try {
      const token = await mint(w2, "nobody@example.com");
      const t0 = Date.now();
      const r = await call(w2, token, "POST", "/v1/session");
      assert.ok(r.status >= 500, `status ${r.status}`);
      assert.match(r.json?.error?.code ?? "", /^[a-z_]+$/);
      assert.ok(Date.now() - t0 < 20_000, "connection errors do not wait for the timeout");
      assert.doesNotMatch(r.text + w2.logs(), /ak_production_mode_test_SECRET/);
    } finally {
      await w2.stop();
    }
  });
});

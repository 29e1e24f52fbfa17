// Smoke tests of the Worker shell in a real workerd (`wrangler dev`): routing by face, JSON errors,
// the emulator's Durable Object, assets, and a clean stop/restart. They hold with any gateway and
// emulator behind the shell (the contract stubs or the real thing).

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { ROOT, startWorker } from "./harness.mjs";

async function json(res) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    assert.fail(`expected JSON, got ${res.status} ${res.headers.get("content-type")}: ${text.slice(0, 200)}`);
  }
}

describe("emulator mode (no COMPOSIO_API_KEY)", () => {
  let w;
  before(async () => {
    w = await startWorker();
  });
  after(async () => {
    await w?.stop();
  });

  test("an unknown /v1 route answers a JSON error with a stable code", async () => {
    const res = await fetch(`${w.url}/v1/no-such-route`, { method: "POST", body: "{}" });
    assert.ok(res.status >= 400 && res.status < 600, `status ${res.status}`);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const body = await json(res);
    assert.equal(typeof body.error?.code, "string");
    assert.match(body.error.code, /^[a-z_]+$/);
    assert.equal(typeof body.error.message, "string");
  });

  test("the emulator API is served on the Worker's own origin", async () => {
    const res = await fetch(`${w.url}/api/v3.1/tool_router/session/does-not-exist`, {
      headers: { "x-api-key": "anything" },
    });
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const body = await json(res);
    // The Tool Router error envelope (wire §1.5): error.message plus a numeric code or slug.
    assert.equal(typeof body.error?.message, "string");
    assert.ok(res.status >= 400, `status ${res.status}`);
  });

  test("emulator requests with a body reach the Durable Object intact", async () => {
    const res = await fetch(`${w.url}/api/v3.1/tool_router/session`, {
      method: "POST",
      headers: { "x-api-key": "anything", "content-type": "application/json" },
      body: JSON.stringify({ user_id: "shell-smoke" }),
    });
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    await json(res);
  });

  test("assets answer paths outside the API", async (t) => {
    const res = await fetch(`${w.url}/definitely-not-an-asset.txt`);
    await res.arrayBuffer();
    assert.equal(res.status, 404);
    assert.doesNotMatch(res.headers.get("content-type") ?? "", /application\/json/);
    if (!existsSync(path.join(ROOT, "www", "index.html"))) {
      t.diagnostic("www/index.html is not built; skipping the page check");
      return;
    }
    const page = await fetch(`${w.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await page.text(), /<html/i);
  });

  test("a body over the shell's hard limit is refused with 413 JSON before it is read", async () => {
    const res = await fetch(`${w.url}/v1/execute`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Uint8Array(9 * 1024 * 1024),
    });
    assert.equal(res.status, 413);
    const body = await json(res);
    assert.equal(body.error.code, "payload_too_large");
    assert.match(body.error.request_id, /^req_[0-9a-f]{24}$/);
    assert.equal(res.headers.get("x-request-id"), body.error.request_id);
  });

  test("no response or log line carries a secret-looking value", async () => {
    const res = await fetch(`${w.url}/v1/search`, {
      method: "POST",
      headers: { authorization: "Bearer tok_SHOULD_NOT_LEAK", "content-type": "application/json" },
      body: JSON.stringify({ query: "x" }),
    });
    const text = await res.text();
    assert.doesNotMatch(text, /tok_SHOULD_NOT_LEAK/);
    assert.doesNotMatch(w.logs(), /tok_SHOULD_NOT_LEAK/);
  });
});

describe("production mode (COMPOSIO_API_KEY set)", () => {
  let w;
  before(async () => {
    w = await startWorker({
      vars: {
        COMPOSIO_API_KEY: "ak_test_not_real_SECRET",
        EDGE_SIGNING_KEY: "test-signing-key-0123456789abcdef0123456789",
        EDGE_ADMIN_KEY: "test-admin-key-0123456789",
        COMPOSIO_BASE_URL: "http://127.0.0.1:9",
      },
    });
  });
  after(async () => {
    await w?.stop();
  });

  test("the emulator is not exposed: /link is an asset path, /api is the gateway", async () => {
    const link = await fetch(`${w.url}/link/anything`);
    await link.arrayBuffer();
    assert.equal(link.status, 404);
    assert.doesNotMatch(link.headers.get("content-type") ?? "", /application\/json/);

    const api = await fetch(`${w.url}/api/v3.1/tool_router/session`, { method: "POST", body: "{}" });
    const body = await json(api);
    // The gateway's error shape ({error:{code,message,request_id}}), not the emulator's.
    assert.equal(typeof body.error?.code, "string");
    assert.match(body.error.code, /^[a-z_]+$/);
  });

  test("the API key never appears in a response or the log", async () => {
    for (const p of ["/v1/session", "/v1/search", "/api/x", "/oauth/callback?state=x"]) {
      const res = await fetch(`${w.url}${p}`, { method: p.startsWith("/oauth") ? "GET" : "POST" });
      assert.doesNotMatch(await res.text(), /ak_test_not_real_SECRET/);
    }
    assert.doesNotMatch(w.logs(), /ak_test_not_real_SECRET|test-signing-key|test-admin-key/);
  });
});

describe("bad configuration", () => {
  let w;
  before(async () => {
    w = await startWorker({ vars: { EDGE_SIGNING_KEY: "short-SECRETVALUE" } });
  });
  after(async () => {
    await w?.stop();
  });

  test("is a JSON config_error and a log line naming the variable, never its value", async () => {
    const res = await fetch(`${w.url}/v1/dev/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user_id: "u" }),
    });
    const body = await json(res);
    assert.equal(res.status, 500);
    assert.equal(body.error.code, "config_error");
    assert.match(body.error.message, /EDGE_SIGNING_KEY/);
    assert.doesNotMatch(JSON.stringify(body), /SECRETVALUE/);
    // The log line is written once per isolate; give the runtime a moment to flush it.
    for (let i = 0; i < 20 && !/configuration problem/.test(w.logs()); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(w.logs(), /configuration problem: EDGE_SIGNING_KEY/);
    assert.doesNotMatch(w.logs(), /SECRETVALUE/);
  });
});

describe("wrangler dev lifecycle", () => {
  test("stops cleanly on SIGINT and restarts on the same port and state", async () => {
    const w = await startWorker();
    const w2 = await w.restart();
    try {
      assert.equal(w2.url, w.url);
      assert.equal(w2.persistTo, w.persistTo);
      const res = await fetch(`${w2.url}/v1/no-such-route`);
      await res.arrayBuffer();
      assert.ok(res.status >= 400);
    } finally {
      await w2.stop();
    }
    assert.equal(existsSync(w.persistTo), false, "the temporary state directory is removed");
  });
});

describe("per-user rate limit (EDGE_RATE_LIMIT_PER_MINUTE), kept in the user object's memory", () => {
  let w;
  before(async () => {
    w = await startWorker({ vars: { EDGE_RATE_LIMIT_PER_MINUTE: "3" } });
  });
  after(async () => {
    await w?.stop();
  });

  async function token(user) {
    const res = await fetch(`${w.url}/v1/dev/token`, {
      method: "POST",
      headers: { origin: w.url, "content-type": "application/json" },
      body: JSON.stringify({ user_id: user }),
    });
    assert.equal(res.status, 200);
    return (await res.json()).token;
  }
  const toolkits = (t) =>
    fetch(`${w.url}/v1/toolkits`, { headers: { origin: w.url, authorization: `Bearer ${t}` } });

  test("the fourth request in a minute is 429 rate_limited with retry-after; other users are not affected", async () => {
    const alice = await token("rl-alice");
    for (let i = 1; i <= 3; i++) {
      const res = await toolkits(alice);
      assert.equal(res.status, 200, `request ${i}: ${(await res.text()).slice(0, 200)}`);
      await res.arrayBuffer().catch(() => {});
    }
    const limited = await toolkits(alice);
    assert.equal(limited.status, 429);
    assert.equal((await json(limited)).error.code, "rate_limited");
    const wait = Number(limited.headers.get("retry-after"));
    assert.ok(wait >= 1 && wait <= 60, `retry-after ${wait}`);
    const bob = await toolkits(await token("rl-bob"));
    assert.equal(bob.status, 200);
  });
});

// The gateway end to end in a real workerd (`wrangler dev`) on the embedded emulator, over HTTP
// only (issue 4, "Proof"): dev token → session → search → execute → connect → /oauth/start →
// emulator consent page → /oauth/callback with the flow cookie → ACTIVE → an auth-requiring
// tool; forged, replayed and cookie-less callbacks; an open-redirect corpus; session resume
// across requests and across a `wrangler dev` restart; 200 concurrent executes from 20 users.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { openRedirectCorpus } from "./corpus.mjs";
import { CookieJar, startWorker } from "./harness.mjs";

/** A small client of the gateway API for one worker. */
function client(w) {
  const origin = w.url;
  async function call(token, method, path, body, headers = {}) {
    const init = { method, headers: { origin, ...headers }, redirect: "manual" };
    if (token) init.headers.authorization = `Bearer ${token}`;
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetch(`${w.url}${path}`, init);
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = undefined;
    }
    return { res, status: res.status, json, text };
  }
  async function devToken(userId) {
    const r = await call(null, "POST", "/v1/dev/token", { user_id: userId });
    assert.equal(r.status, 200, `dev token: ${r.status} ${r.text.slice(0, 300)}`);
    assert.equal(typeof r.json.token, "string");
    assert.ok(r.json.expires_at, "expires_at");
    return r.json.token;
  }
  async function execute(token, tool_slug, args, headers) {
    return call(token, "POST", "/v1/execute", { tool_slug, arguments: args }, headers);
  }
  return { call, devToken, execute };
}

/** The worker's log without per-request lines, for failure messages. */
function logTail(w, n = 3000) {
  return w
    .logs()
    .split("\n")
    .filter((l) => !/\[wrangler:info\] (GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD) /.test(l))
    .join("\n")
    .slice(-n);
}

function ok(r, what) {
  assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${r.text.slice(0, 500)}`);
  assert.ok(r.json && typeof r.json === "object", `${what}: not JSON: ${r.text.slice(0, 200)}`);
  return r.json;
}

function succeeded(r, what) {
  const body = ok(r, what);
  assert.equal(body.successful, true, `${what}: not successful: ${r.text.slice(0, 500)}`);
  return body;
}

/**
 * Starts a connection and walks it up to the callback URL the emulator's consent page redirects
 * to (after Allow). Returns what the test needs to finish (or forge) the callback.
 */
async function startConnect(w, api, token, toolkit, extra = {}) {
  const c = ok(await api.call(token, "POST", "/v1/connect", { toolkit, ...extra }), "connect");
  assert.equal(typeof c.connection_id, "string");
  assert.ok(
    c.connect_url.startsWith(`${w.url}/oauth/start?ticket=`),
    `connect_url is on the Worker's own origin: ${c.connect_url}`,
  );
  const jar = new CookieJar();
  const start = await fetch(c.connect_url, { redirect: "manual" });
  await start.arrayBuffer();
  assert.ok([302, 303].includes(start.status), `/oauth/start: ${start.status}`);
  jar.store(start);
  assert.equal(jar.size, 1, "one flow cookie");
  const cookieLine = start.headers.getSetCookie()[0];
  assert.match(cookieLine, /^__Host-/);
  assert.match(cookieLine, /;\s*Secure/i);
  assert.match(cookieLine, /;\s*HttpOnly/i);
  assert.match(cookieLine, /;\s*Path=\//i);
  assert.match(cookieLine, /;\s*SameSite=Lax/i);
  const linkUrl = new URL(start.headers.get("location"), w.url);
  assert.equal(linkUrl.origin, w.url, "the emulator's connect page is on the Worker's origin");
  assert.ok(linkUrl.pathname.startsWith("/link/"), `consent page path: ${linkUrl.pathname}`);

  const page = await fetch(linkUrl, { headers: { cookie: jar.header() } });
  const html = await page.text();
  assert.equal(page.status, 200, `consent page: ${page.status} ${html.slice(0, 300)}`);
  assert.match(page.headers.get("content-type") ?? "", /text\/html/);
  const action = html.match(/<form[^>]*action="([^"]+)"/i)?.[1];
  assert.ok(action, "the consent page has a form");
  assert.match(html, /name="decision"[^>]*value="allow"|value="allow"[^>]*name="decision"/);

  const decision = await fetch(new URL(action.replaceAll("&amp;", "&"), linkUrl), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header() },
    body: "decision=allow",
    redirect: "manual",
  });
  await decision.arrayBuffer();
  assert.equal(decision.status, 303, "Allow redirects with 303");
  const callbackUrl = new URL(decision.headers.get("location"), w.url);
  assert.equal(callbackUrl.origin, w.url);
  assert.equal(callbackUrl.pathname, "/oauth/callback");
  assert.ok(callbackUrl.searchParams.get("state"), "the callback carries our state");
  const accountId = callbackUrl.searchParams.get("connected_account_id");
  assert.ok(accountId, "the callback names the connected account");
  return { connectionId: c.connection_id, connectUrl: c.connect_url, jar, callbackUrl, accountId };
}

async function callback(url, jar) {
  const headers = jar && jar.size ? { cookie: jar.header() } : {};
  const res = await fetch(url, { headers, redirect: "manual" });
  const text = await res.text();
  return { res, status: res.status, text };
}

async function connectionStatus(api, token, id) {
  return ok(await api.call(token, "GET", `/v1/connect/${encodeURIComponent(id)}`), "connect status");
}

/** A whole connection, Allow included; returns the connected account id. */
async function connectFully(w, api, token, toolkit) {
  const flow = await startConnect(w, api, token, toolkit);
  const cb = await callback(flow.callbackUrl, flow.jar);
  assert.ok(cb.status < 400, `callback: ${cb.status} ${cb.text.slice(0, 300)}`);
  const st = await connectionStatus(api, token, flow.connectionId);
  assert.equal(String(st.status).toUpperCase(), "ACTIVE");
  return { ...flow, status: st };
}

async function listIssueTitles(api, token, owner, repo) {
  const args = { owner, repo, state: "all", per_page: 100 };
  let res = await api.execute(token, "GITHUB_LIST_ISSUES", args);
  // A read-only tool: safe to re-send after a dev-proxy 503 (see the concurrency test).
  for (let i = 0; i < 5 && res.status === 503 && /restarted mid-request/.test(res.text); i++) {
    await new Promise((r) => setTimeout(r, 500));
    res = await api.execute(token, "GITHUB_LIST_ISSUES", args);
  }
  const r = succeeded(res, "list issues");
  const issues = r.data?.issues ?? r.data?.data?.issues;
  assert.ok(Array.isArray(issues), `issues list: ${JSON.stringify(r).slice(0, 300)}`);
  return issues.map((i) => i.title);
}

describe("gateway flow on the emulator", { timeout: 180_000 }, () => {
  let w;
  let api;
  let alice; // token
  let aliceAccount;
  let aliceConnection;
  before(async () => {
    w = await startWorker();
    api = client(w);
  });
  after(async () => {
    await w?.stop();
  });

  test("dev token → session → search → execute → connect → consent → callback → ACTIVE → auth tool", async () => {
    alice = await api.devToken("alice@example.com");

    const s1 = ok(await api.call(alice, "POST", "/v1/session"), "session");
    assert.equal(typeof s1.session_id, "string");
    assert.doesNotMatch(JSON.stringify(s1), /x-api-key/i, "no upstream credential (SEC-22)");
    assert.equal(s1.mcp, undefined, "no MCP url or headers (SEC-22)");
    // A reload (second tab) resumes the same session.
    const s2 = ok(await api.call(alice, "POST", "/v1/session"), "session again");
    assert.equal(s2.session_id, s1.session_id);

    const search = ok(
      await api.call(alice, "POST", "/v1/search", { query: "create an issue in a github repository" }),
      "search",
    );
    assert.match(JSON.stringify(search), /GITHUB_CREATE_AN_ISSUE/);

    // A no-auth tool works before any connection.
    const hn = succeeded(await api.execute(alice, "HACKERNEWS_GET_TOP_STORIES", { limit: 3 }), "hackernews");
    assert.ok(hn.data, "execute data");

    // Arguments are checked against the schema before anything is sent.
    const bad = await api.execute(alice, "GITHUB_CREATE_AN_ISSUE", { owner: "acme" });
    assert.equal(bad.status, 400);
    assert.equal(bad.json?.error?.code, "argument_validation_failed");

    // An auth tool fails clearly without a connected account.
    const before = await api.execute(alice, "GITHUB_CREATE_AN_ISSUE", {
      owner: "acme",
      repo: "demo",
      title: "before connecting",
    });
    assert.ok(!(before.status === 200 && before.json?.successful === true), "needs a connection first");

    const flow = await startConnect(w, api, alice, "github");
    const pending = await connectionStatus(api, alice, flow.connectionId);
    assert.notEqual(String(pending.status).toUpperCase(), "ACTIVE");

    const cb = await callback(flow.callbackUrl, flow.jar);
    assert.equal(cb.status, 200, `callback page: ${cb.status} ${cb.text.slice(0, 300)}`);
    assert.match(cb.res.headers.get("content-type") ?? "", /text\/html/);
    assert.equal(cb.res.headers.get("referrer-policy"), "no-referrer");
    assert.match(cb.res.headers.get("cache-control") ?? "", /no-store/);
    assert.match(cb.res.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
    const cleared = cb.res.headers.getSetCookie().join("\n");
    assert.match(cleared, /__Host-[^=]+=;|Max-Age=0/i, "the flow cookie is cleared");

    const st = await connectionStatus(api, alice, flow.connectionId);
    assert.equal(String(st.status).toUpperCase(), "ACTIVE");
    assert.equal(st.toolkit, "github");
    assert.equal(st.connected_account_id, flow.accountId);
    aliceAccount = flow.accountId;
    aliceConnection = flow.connectionId;

    const created = succeeded(
      await api.execute(alice, "GITHUB_CREATE_AN_ISSUE", {
        owner: "acme",
        repo: "demo",
        title: "hello from the edge",
        body: "created through the gateway",
      }),
      "create issue",
    );
    assert.equal(typeof created.data.number, "number");
    assert.ok((await listIssueTitles(api, alice, "acme", "demo")).includes("hello from the edge"));
  });

  test("a repeated Idempotency-Key returns the first result without executing again", async () => {
    assert.ok(alice, "needs the first test");
    const headers = { "idempotency-key": "idem-test-0001" };
    const args = { owner: "acme", repo: "idem", title: "only once" };
    const a = succeeded(await api.execute(alice, "GITHUB_CREATE_AN_ISSUE", args, headers), "first");
    const b = succeeded(await api.execute(alice, "GITHUB_CREATE_AN_ISSUE", args, headers), "repeat");
    assert.deepEqual(b.data, a.data);
    const titles = await listIssueTitles(api, alice, "acme", "idem");
    assert.equal(titles.filter((t) => t === "only once").length, 1);
  });

  test("/oauth/start is single use", async () => {
    const token = await api.devToken("erin@example.com");
    const flow = await startConnect(w, api, token, "github");
    const again = await fetch(flow.connectUrl, { redirect: "manual" });
    await again.arrayBuffer();
    assert.ok(again.status >= 400, `second /oauth/start: ${again.status}`);
    assert.equal(again.headers.get("location"), null);
  });

  test("a forged callback naming another user's account is refused; the real one still works", async () => {
    assert.ok(aliceAccount, "needs the first test");
    const bob = await api.devToken("bob@example.com");
    const flow = await startConnect(w, api, bob, "github");
    const forged = new URL(flow.callbackUrl);
    forged.searchParams.set("connected_account_id", aliceAccount);
    forged.searchParams.set("status", "success");
    const r = await callback(forged, flow.jar);
    assert.ok(r.status >= 400, `forged callback: ${r.status}`);
    assert.equal(r.res.headers.get("location"), null, "no redirect on failure");
    let st = await connectionStatus(api, bob, flow.connectionId);
    assert.notEqual(String(st.status).toUpperCase(), "ACTIVE");
    assert.notEqual(st.connected_account_id, aliceAccount);

    // Bob cannot read Alice's connection either (per-user Durable Objects).
    const steal = await api.call(bob, "GET", `/v1/connect/${encodeURIComponent(aliceConnection)}`);
    assert.equal(steal.status, 404);

    const real = await callback(flow.callbackUrl, flow.jar);
    assert.equal(real.status, 200, `genuine callback: ${real.status} ${real.text.slice(0, 200)}`);
    st = await connectionStatus(api, bob, flow.connectionId);
    assert.equal(String(st.status).toUpperCase(), "ACTIVE");
    assert.equal(st.connected_account_id, flow.accountId);
    assert.notEqual(flow.accountId, aliceAccount);
  });

  test("a replayed state is refused", async () => {
    const carol = await api.devToken("carol@example.com");
    const flow = await startConnect(w, api, carol, "github");
    const savedCookie = flow.jar.header();
    const first = await callback(flow.callbackUrl, flow.jar);
    assert.equal(first.status, 200);
    const replay = await fetch(flow.callbackUrl, { headers: { cookie: savedCookie }, redirect: "manual" });
    const text = await replay.text();
    assert.ok(replay.status >= 400, `replayed state: ${replay.status} ${text.slice(0, 200)}`);
    assert.equal(replay.headers.get("location"), null);
    const st = await connectionStatus(api, carol, flow.connectionId);
    assert.equal(String(st.status).toUpperCase(), "ACTIVE");
  });

  test("a callback without the flow cookie (another browser) connects nothing", async () => {
    const dan = await api.devToken("dan@example.com");
    const flow = await startConnect(w, api, dan, "github");
    const r = await callback(flow.callbackUrl, null);
    assert.ok(r.status >= 400, `cookie-less callback: ${r.status}`);
    assert.equal(r.res.headers.get("location"), null);
    let st = await connectionStatus(api, dan, flow.connectionId);
    assert.notEqual(String(st.status).toUpperCase(), "ACTIVE");

    const wrong = new CookieJar();
    const name = [...flow.jar.cookies.keys()][0];
    wrong.cookies.set(name, "A".repeat(43));
    const r2 = await callback(flow.callbackUrl, wrong);
    assert.ok(r2.status >= 400, `wrong cookie: ${r2.status}`);
    st = await connectionStatus(api, dan, flow.connectionId);
    assert.notEqual(String(st.status).toUpperCase(), "ACTIVE");

    // The same browser can still finish.
    const real = await callback(flow.callbackUrl, flow.jar);
    assert.equal(real.status, 200);
    st = await connectionStatus(api, dan, flow.connectionId);
    assert.equal(String(st.status).toUpperCase(), "ACTIVE");
  });

  test("tampered or missing state and ticket are refused without a redirect", async () => {
    for (const p of [
      "/oauth/callback",
      "/oauth/callback?state=",
      "/oauth/callback?state=not-a-state&connected_account_id=ca_x",
      "/oauth/start",
      "/oauth/start?ticket=forged.ticket.value",
    ]) {
      const res = await fetch(`${w.url}${p}`, { redirect: "manual" });
      await res.arrayBuffer();
      assert.ok(res.status >= 400 && res.status < 500, `${p}: ${res.status}`);
      assert.equal(res.headers.get("location"), null, `${p} must not redirect`);
    }
  });

  test("open-redirect corpus: return_to accepts only same-origin paths and configured URLs", async () => {
    const token = await api.devToken("frank@example.com");
    const refused = openRedirectCorpus(w.url);
    const accepted = [];
    for (const r of refused) {
      const res = await api.call(token, "POST", "/v1/connect", { toolkit: "github", return_to: r });
      if (res.status !== 400) accepted.push(`${JSON.stringify(r)} → ${res.status}`);
      else assert.equal(res.json?.error?.code, "invalid_return_to", `code for ${JSON.stringify(r)}`);
    }
    assert.deepEqual(accepted, [], "every hostile return_to is refused");
    for (const good of ["/done", "/done?tab=1", `${w.url}/`]) {
      const res = await api.call(token, "POST", "/v1/connect", { toolkit: "github", return_to: good });
      assert.equal(res.status, 201, `${good}: ${res.status} ${res.text.slice(0, 200)}`);
    }
  });

  test("the callback redirects only to the validated same-origin return_to", async () => {
    const token = await api.devToken("grace@example.com");
    const flow = await startConnect(w, api, token, "github", { return_to: "/done?from=connect" });
    const r = await callback(flow.callbackUrl, flow.jar);
    assert.ok([302, 303].includes(r.status), `callback with return_to: ${r.status}`);
    const to = new URL(r.res.headers.get("location"), w.url);
    assert.equal(to.origin, w.url);
    assert.equal(`${to.pathname}${to.search}`, "/done?from=connect");
    const st = await connectionStatus(api, token, flow.connectionId);
    assert.equal(String(st.status).toUpperCase(), "ACTIVE");
  });

  test("200 concurrent executes from 20 users: nothing lost, nothing mixed up", { timeout: 150_000 }, async (t) => {
    const users = Array.from({ length: 20 }, (_, i) => `load-user-${i}@example.com`);
    const tokens = await Promise.all(users.map((u) => api.devToken(u)));
    await Promise.all(tokens.map((t) => connectFully(w, api, t, "github")));

    // Each execute carries an Idempotency-Key, so a client may safely re-send it. Under heavy load
    // wrangler's dev proxy (not part of a deployed Worker) sometimes loses its connection to the
    // runtime and answers 503 "Your worker restarted mid-request" for POSTs; the test re-sends
    // those with the same key, and the per-user counts below prove nothing ran twice.
    let resent = 0;
    async function executeOnce(token, args, key) {
      for (let attempt = 1; ; attempt++) {
        const r = await api.execute(token, "GITHUB_CREATE_AN_ISSUE", args, { "idempotency-key": key });
        const proxyLost = r.status === 503 && /restarted mid-request/.test(r.text);
        const inProgress = r.status === 409 && r.json?.error?.code === "idempotency_key_in_progress";
        if ((!proxyLost && !inProgress) || attempt === 20) return r;
        resent++;
        await new Promise((res) => setTimeout(res, 250 * Math.min(attempt, 8)));
      }
    }
    const jobs = [];
    for (let u = 0; u < users.length; u++) {
      for (let j = 0; j < 10; j++) {
        const args = { owner: "acme", repo: `load-${u}`, title: `user ${u} issue ${j}` };
        jobs.push(executeOnce(tokens[u], args, `load-${u}-${j}`).then((r) => ({ u, j, r })));
      }
    }
    const results = await Promise.all(jobs);
    const failed = results.filter(({ r }) => !(r.status === 200 && r.json?.successful === true));
    assert.deepEqual(
      failed.map(({ u, j, r }) => `user ${u} #${j}: ${r.status} ${r.text.slice(0, 160)}`),
      [],
      `every execute succeeded; worker log:\n${failed.length ? logTail(w) : ""}`,
    );
    if (resent) t.diagnostic(`${resent} executes were re-sent after a dev-proxy 503`);

    for (let u = 0; u < users.length; u++) {
      const titles = await listIssueTitles(api, tokens[u], "acme", `load-${u}`);
      const mine = titles.filter((t) => t.startsWith(`user ${u} issue `));
      assert.equal(new Set(mine).size, 10, `user ${u} has all 10 issues: ${JSON.stringify(titles)}`);
      assert.equal(titles.length, 10, `user ${u} sees only their own issues`);
      const numbers = results.filter((x) => x.u === u).map((x) => x.r.json.data.number);
      assert.equal(new Set(numbers).size, 10, `user ${u}: distinct issue numbers`);
    }
  });
});

describe("session resume across a wrangler dev restart", { timeout: 120_000 }, () => {
  let w;
  after(async () => {
    await w?.stop();
  });

  test("session, connection and tool state survive a restart on the same persist dir", async () => {
    w = await startWorker();
    let api = client(w);
    const token = await api.devToken("restart@example.com");
    const s1 = ok(await api.call(token, "POST", "/v1/session"), "session");
    const flow = await connectFully(w, api, token, "github");
    succeeded(
      await api.execute(token, "GITHUB_CREATE_AN_ISSUE", { owner: "acme", repo: "persist", title: "before restart" }),
      "create before restart",
    );

    w = await w.restart();
    api = client(w);
    const s2 = ok(await api.call(token, "POST", "/v1/session"), "session after restart");
    assert.equal(s2.session_id, s1.session_id, "the same session resumes");
    const st = await connectionStatus(api, token, flow.connectionId);
    assert.equal(String(st.status).toUpperCase(), "ACTIVE");
    succeeded(
      await api.execute(token, "GITHUB_CREATE_AN_ISSUE", { owner: "acme", repo: "persist", title: "after restart" }),
      "create after restart",
    );
    const titles = await listIssueTitles(api, token, "acme", "persist");
    assert.deepEqual([...titles].sort(), ["after restart", "before restart"]);

    // A fresh token for the same user resumes it too.
    const again = await api.devToken("restart@example.com");
    const s3 = ok(await api.call(again, "POST", "/v1/session"), "session with a new token");
    assert.equal(s3.session_id, s1.session_id);
  });
});

describe("upstream faults through the Durable Objects", { timeout: 120_000 }, () => {
  let w;
  let api;
  before(async () => {
    w = await startWorker();
    api = client(w);
  });
  after(async () => {
    await w?.stop();
  });

  async function fault(spec) {
    const res = await fetch(`${w.url}/__emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "any" },
      body: JSON.stringify(spec),
    });
    const text = await res.text();
    assert.ok(res.status < 300, `queue fault: ${res.status} ${text.slice(0, 200)}`);
  }

  test("a dropped upstream connection on execute is a clear gateway error and is never re-sent", async () => {
    const token = await api.devToken("faults@example.com");
    const { session_id } = ok(await api.call(token, "POST", "/v1/session"), "session");
    // Warm up (the gateway may read tool schemas before executing).
    succeeded(await api.execute(token, "HACKERNEWS_GET_TOP_STORIES", { limit: 1 }), "warm-up");
    await fault({ path_prefix: `/api/v3.1/tool_router/session/${session_id}/execute`, drop: true, count: 1 });
    const r = await api.execute(token, "HACKERNEWS_GET_TOP_STORIES", { limit: 1 });
    assert.ok(r.status >= 500, `dropped execute: ${r.status} ${r.text.slice(0, 200)}`);
    assert.match(r.res.headers.get("content-type") ?? "", /application\/json/);
    assert.match(r.json?.error?.code ?? "", /^[a-z_]+$/);
    // Had the gateway retried the execute, the (single) fault would have been consumed by the
    // first attempt and the retry would have succeeded.
    const after = await api.execute(token, "HACKERNEWS_GET_TOP_STORIES", { limit: 1 });
    succeeded(after, "execute after the fault");
  });

  test("injected 503s on a read become a gateway error with a stable code, then recover", async () => {
    const token = await api.devToken("faults2@example.com");
    ok(await api.call(token, "POST", "/v1/session"), "session");
    await fault({ path_prefix: "/api/v3.1/tool_router/session", status: 503, count: 10 });
    const r = await api.call(token, "POST", "/v1/search", { query: "hacker news" });
    assert.ok(r.status >= 500 || r.status === 429, `search under 503s: ${r.status}`);
    assert.match(r.json?.error?.code ?? "", /^[a-z_]+$/);
    await fetch(`${w.url}/__emulator/faults`, { method: "DELETE", headers: { "x-api-key": "any" } });
    ok(await api.call(token, "POST", "/v1/search", { query: "hacker news" }), "search after clearing");
  });

  test("a drop fault on the emulator's own face drops (or fails) the client's request", async () => {
    const path = "/api/v3.1/tool_router/session/trs_no_such_session";
    await fault({ path_prefix: path, drop: true, count: 1 });
    let status;
    try {
      const res = await fetch(`${w.url}${path}`, { headers: { "x-api-key": "any" } });
      await res.arrayBuffer();
      status = res.status;
    } catch {
      status = "network error";
    }
    assert.ok(status === "network error" || status >= 500, `dropped: ${status}`);
    // The fault is used up: the emulator answers again (its real 404 envelope).
    const again = await fetch(`${w.url}${path}`, { headers: { "x-api-key": "any" } });
    const body = await again.json();
    assert.equal(again.status, 404);
    assert.equal(typeof body.error?.message, "string");
  });
});

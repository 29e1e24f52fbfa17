// Tests of the public ES module (pkg/index.js) in Node: the JS API, error classes, local tools,
// Vercel tools, and the popup logic of `authorize` against a fake window and a fake gateway.
// Run after scripts/build-browser.sh:  node --test js/test/wrapper.test.mjs
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const pkg = new URL("../../pkg/", import.meta.url);
const { default: init, createClient, ComposioEdgeError } = await import(new URL("index.js", pkg));
await init({ module_or_path: readFileSync(new URL("composio_edge_bg.wasm", pkg)) });

const GW = "https://gw.example";
let gw;

function fakeGateway() {
  const state = { calls: [], status: "INITIATED", toolkitConnected: false };
  const json = (status, obj) =>
    new Response(JSON.stringify(obj), { status, headers: { "content-type": "application/json" } });
  globalThis.fetch = async (req) => {
    const url = new URL(req.url);
    const text = ["GET", "DELETE"].includes(req.method) ? "" : await req.text();
    const body = text ? JSON.parse(text) : null;
    state.calls.push({ method: req.method, path: url.pathname + url.search, headers: req.headers, body });
    if (req.headers.get("authorization") === "Bearer stale")
      return json(401, { error: { code: "token_expired", message: "token expired", request_id: "req_401" } });
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case "POST /v1/session":
        return json(200, { session_id: "trs_js" });
      case "GET /v1/tools":
      case "POST /v1/tools": {
        // The gateway's answer: the tools (OpenAI format here), the preloaded custom tools
        // after them, and every input schema by slug.
        const gmail = { type: "object", properties: { to: { type: "string" } }, required: ["to"] };
        const tools = [{ type: "function", function: { name: "GMAIL_SEND_EMAIL", description: "Send an email", parameters: gmail } }];
        const schemas = { GMAIL_SEND_EMAIL: gmail };
        for (const t of body?.custom_tools ?? []) {
          if (!t.preload) continue;
          const name = "LOCAL_" + t.slug.toUpperCase();
          tools.push({ type: "function", function: { name, description: t.description, parameters: t.input_schema } });
          schemas[name] = t.input_schema;
        }
        return json(200, { provider: url.searchParams.get("provider") ?? "composio", tools, total: tools.length, schemas });
      }
      case "POST /v1/search":
        return json(200, { results: [], tool_schemas: { GMAIL_SEND_EMAIL: { input_schema: {
          type: "object", required: ["to"], properties: { to: { type: "string" } } } } } });
      case "POST /v1/execute":
        if (body.tool_slug === "COMPOSIO_MULTI_EXECUTE_TOOL") {
          const results = body.arguments.tools.map((t, i) => ({
            response: { successful: true, data: { remote: t.tool_slug } }, tool_slug: t.tool_slug, index: i }));
          return json(200, { result_type: "completed", error: null, log_id: "log_multi",
            data: { results, total_count: results.length, success_count: results.length, error_count: 0 } });
        }
        if (body.tool_slug === "FORBIDDEN_TOOL")
          return json(403, { error: { code: "scope_denied", message: "no execute scope", request_id: "req_9" } });
        return json(200, { result_type: "completed", data: { echo: body.arguments, slug: body.tool_slug }, error: null, log_id: "log_js" });
      case "POST /v1/connect":
        return json(200, { connect_url: "/oauth/start?ticket=t1", connection_id: "cn_1" });
      case "GET /v1/connect/cn_1":
        return json(200, { status: state.status, toolkit: "gmail", connected_account_id: state.status === "ACTIVE" ? "ca_1" : null });
      case "GET /v1/toolkits":
        return json(200, { items: [{ slug: "gmail", is_no_auth: false,
          connected_account: state.toolkitConnected ? { id: "ca_0", status: "ACTIVE" } : null }] });
      default:
        return json(404, { error: { code: "not_found", message: "no route", request_id: "req_404" } });
    }
  };
  return state;
}

function fakeWindow({ blocked = false } = {}) {
  const listeners = new Set();
  const w = {
    popups: [],
    open(url) {
      if (blocked) return null;
      const p = { closed: false, location: { href: url }, close() { p.closed = true; } };
      w.popups.push(p);
      return p;
    },
    addEventListener(type, f) { if (type === "message") listeners.add(f); },
    removeEventListener(type, f) { if (type === "message") listeners.delete(f); },
    dispatch(ev) { for (const f of [...listeners]) f(ev); },
    get listeners() { return listeners.size; },
  };
  globalThis.window = w;
  return w;
}

const statusCalls = () => gw.calls.filter((c) => c.path.startsWith("/v1/connect/")).length;
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));
async function session() {
  const client = await createClient({ gatewayUrl: GW, token: "tok" });
  return client.session();
}

beforeEach(() => {
  gw = fakeGateway();
  delete globalThis.window;
});

test("session, execute and typed errors; never an x-api-key", async () => {
  const client = await createClient({ gatewayUrl: GW + "/", token: "tok", apiKey: "ak_should_be_ignored" });
  assert.equal(client.gatewayOrigin, GW);
  const s = await client.session();
  assert.equal(s.sessionId, "trs_js");
  const r = await s.execute("GMAIL_SEND_EMAIL", { to: "a@b.c" }, { idempotencyKey: "k1" });
  assert.deepEqual(r, { data: { echo: { to: "a@b.c" }, slug: "GMAIL_SEND_EMAIL" }, error: null, successful: true, logId: "log_js" });
  for (const c of gw.calls) {
    assert.equal(c.headers.get("x-api-key"), null);
    assert.equal(c.headers.get("authorization"), "Bearer tok");
  }
  const e = await s.execute("FORBIDDEN_TOOL").catch((x) => x);
  assert.ok(e instanceof ComposioEdgeError);
  assert.ok(e instanceof Error);
  assert.deepEqual([e.code, e.status, e.requestId], ["scope_denied", 403, "req_9"]);
  const bad = await createClient({ gatewayUrl: "http://gw.example", token: "t" }).catch((x) => x);
  assert.ok(bad instanceof ComposioEdgeError);
  assert.equal(bad.code, "insecure_transport");
});

test("a registered local tool runs in the page and can call the session", async () => {
  const s = await session();
  s.registerTool({
    slug: "PAGE_TITLE",
    description: "Reads the page title",
    inputSchema: { type: "object", properties: { suffix: { type: "string" } } },
    execute: async (args, ctx) => {
      const sent = await ctx.execute("GMAIL_SEND_EMAIL", { to: "me@x.y" });
      return { title: "Home" + (args.suffix ?? ""), sent: sent.successful };
    },
  });
  const r = await s.execute("LOCAL_PAGE_TITLE", { suffix: "!" });
  assert.deepEqual(r.data, { title: "Home!", sent: true });
  assert.equal(r.logId, "");
  assert.throws(() => s.registerTool({ slug: "COMPOSIO_X", description: "d", inputSchema: {}, execute: async () => 1 }),
    (e) => e instanceof ComposioEdgeError && e.code === "invalid_request");
});

test("vercelTools wraps definitions with the caller's jsonSchema and executes through the session", async () => {
  const s = await session();
  const tools = await s.vercelTools({ jsonSchema: (schema) => ({ wrapped: schema }) });
  assert.deepEqual(Object.keys(tools), ["GMAIL_SEND_EMAIL"]);
  assert.equal(tools.GMAIL_SEND_EMAIL.description, "Send an email");
  assert.deepEqual(tools.GMAIL_SEND_EMAIL.inputSchema.wrapped.required, ["to"]);
  const r = await tools.GMAIL_SEND_EMAIL.execute({ to: "x@y.z" });
  assert.equal(r.successful, true);
  // a model's bad arguments come back as a failed result, not a throw
  const bad = await tools.GMAIL_SEND_EMAIL.execute({ cc: 1 });
  assert.equal(bad.successful, false);
  assert.match(bad.error, /to/);
});

test("tools(): preloaded local tools are listed by the gateway, and its schemas check arguments", async () => {
  const s = await session();
  assert.deepEqual((await s.tools({ provider: "openai" })).map((t) => t.function.name), ["GMAIL_SEND_EMAIL"]);
  assert.equal(gw.calls.at(-1).method, "GET");
  s.registerTool({ slug: "hidden", description: "Not listed", inputSchema: { type: "object" }, execute: async () => 1 });
  s.registerTool({
    slug: "page_title",
    description: "Reads the page title",
    inputSchema: { type: "object", properties: { suffix: { type: "string" } }, required: ["suffix"] },
    preload: true,
    execute: async ({ suffix }) => ({ title: "Home" + suffix }),
  });
  const names = (await s.tools({ provider: "openai" })).map((t) => t.function.name);
  assert.deepEqual(names, ["GMAIL_SEND_EMAIL", "LOCAL_PAGE_TITLE"]);
  const call = gw.calls.at(-1);
  assert.deepEqual([call.method, call.path], ["POST", "/v1/tools?provider=openai"]);
  assert.deepEqual(call.body.custom_tools.map((t) => [t.slug, t.preload]), [["page_title", true]]);
  const sent = gw.calls.length;
  const bad = await s.execute("GMAIL_SEND_EMAIL", { cc: "x" }).catch((e) => e);
  assert.equal(bad.code, "argument_validation_failed");
  assert.equal(gw.calls.length, sent, "checked against the listed schema before sending");
  assert.deepEqual((await s.execute("LOCAL_PAGE_TITLE", { suffix: "!" })).data, { title: "Home!" });
});

test("handleToolCalls restores the keys Gemini renamed, for a tool listed by tools()", async () => {
  const s = await session();
  s.registerTool({
    slug: "read_file",
    description: "Reads a file",
    inputSchema: { type: "object", properties: { "file-name": { type: "string" } }, required: ["file-name"] },
    preload: true,
    execute: async (args) => ({ read: args["file-name"] }),
  });
  await s.tools({ provider: "gemini" });
  const msgs = await s.handleToolCalls(
    { candidates: [{ content: { role: "model", parts: [{ functionCall: { name: "LOCAL_READ_FILE", args: { file_name: "a.txt" } } }] } }] },
    { provider: "gemini" },
  );
  const part = msgs[0].parts[0].functionResponse;
  assert.equal(part.name, "LOCAL_READ_FILE");
  assert.deepEqual(part.response.output, { read: "a.txt" });
});

test("handleToolCalls returns tool messages for an OpenAI completion", async () => {
  const s = await session();
  const msgs = await s.handleToolCalls({ choices: [{ message: { role: "assistant", tool_calls: [
    { id: "c1", type: "function", function: { name: "GMAIL_SEND_EMAIL", arguments: "{\"to\":\"a@b.c\"}" } }] } }] });
  assert.equal(msgs.length, 1);
  assert.equal(msgs[0].role, "tool");
  assert.equal(JSON.parse(msgs[0].content).logId, "log_js");
});

test("authorize: a blocked popup is popup_blocked and nothing is started", async () => {
  fakeWindow({ blocked: true });
  const s = await session();
  const req = s.authorize("gmail");
  assert.equal(req.popup, null);
  const e = await req.done.catch((x) => x);
  assert.equal(e.code, "popup_blocked");
  assert.ok(!gw.calls.some((c) => c.path === "/v1/connect"));
});

test("authorize: opens about:blank synchronously, navigates it, accepts only the gateway popup's message", async () => {
  const w = fakeWindow();
  const s = await session();
  const req = s.authorize("gmail", { returnTo: "/done" });
  assert.equal(w.popups.length, 1, "opened before anything was awaited");
  assert.equal(req.popup.location.href, "about:blank");
  const link = await req.link;
  assert.equal(link.connectionId, "cn_1");
  await tick(50);
  assert.equal(req.popup.location.href, "https://gw.example/oauth/start?ticket=t1");
  gw.status = "ACTIVE";
  const before = statusCalls();
  w.dispatch({ origin: "https://evil.example", source: req.popup, data: { status: "success" } });
  w.dispatch({ origin: GW, source: {}, data: { status: "success" } });
  await tick();
  assert.equal(statusCalls(), before, "foreign origin or foreign source: ignored");
  w.dispatch({ origin: GW, source: req.popup, data: { status: "success" } });
  const st = await req.done;
  assert.equal(st.state, "active");
  assert.equal(st.connectedAccountId, "ca_1");
  assert.equal(w.listeners, 0, "listener removed");
});

test("authorize: the user closing the popup is popup_closed", async () => {
  fakeWindow();
  const s = await session();
  const req = s.authorize("gmail");
  await req.link;
  await tick(3200);
  req.popup.closed = true;
  const e = await req.done.catch((x) => x);
  assert.equal(e.code, "popup_closed");
});

test("authorize: a popup cut off by COOP falls back to polling", async () => {
  fakeWindow();
  const s = await session();
  const req = s.authorize("gmail");
  await req.link;
  await tick(10);
  req.popup.closed = true; // severed right after navigating
  setTimeout(() => (gw.status = "ACTIVE"), 600);
  const st = await req.done;
  assert.equal(st.state, "active");
});

test("authorize: failed and timed-out flows have distinct codes", async () => {
  fakeWindow();
  const s = await session();
  gw.status = "FAILED";
  const failed = await s.authorize("gmail").done.catch((x) => x);
  assert.equal(failed.code, "connection_failed");
  gw.status = "INITIATED";
  const slow = await s.authorize("gmail", { timeoutMs: 1200 }).done.catch((x) => x);
  assert.equal(slow.code, "connection_timeout");
});

test("authorize in a worker (no window): no popup, a link, completion by polling", async () => {
  const s = await session();
  const req = s.authorize("gmail");
  assert.equal(req.popup, null);
  assert.equal((await req.link).connectUrl, "https://gw.example/oauth/start?ticket=t1");
  gw.status = "ACTIVE";
  assert.equal((await req.done).state, "active");
});

test("ensureConnected: an already connected toolkit opens no popup", async () => {
  const w = fakeWindow();
  gw.toolkitConnected = true;
  const s = await session();
  const r = await s.ensureConnected("gmail");
  assert.deepEqual(r, { toolkit: "gmail", wasConnected: true, connectedAccountId: "ca_0" });
  assert.equal(w.popups.length, 0);
});

test("authorize: a popup closed while the flow starts is popup_closed at once", async () => {
  fakeWindow();
  const s = await session();
  const req = s.authorize("gmail");
  req.popup.closed = true;
  const e = await req.done.catch((x) => x);
  assert.equal(e.code, "popup_closed");
  assert.equal(req.popup.location.href, "about:blank", "never navigated");
});

test("getToken is asked again after a 401, once", async () => {
  let n = 0;
  const client = await createClient({
    gatewayUrl: GW,
    getToken: async () => (++n === 1 ? { token: "stale", expiresAt: Math.floor(Date.now() / 1000) + 3600 } : "fresh"),
  });
  const s = await client.session();
  assert.equal(s.sessionId, "trs_js");
  assert.equal(n, 2);
  assert.deepEqual(gw.calls.map((c) => c.headers.get("authorization")), ["Bearer stale", "Bearer fresh"]);
  await s.execute("GMAIL_SEND_EMAIL", { to: "x" });
  assert.equal(n, 2, "a fresh token is cached");
  const fixed = await createClient({ gatewayUrl: GW, token: "stale" });
  const e = await fixed.session().catch((x) => x);
  assert.deepEqual([e.code, e.status, e.requestId], ["token_expired", 401, "req_401"]);
  const both = await createClient({ gatewayUrl: GW, token: "t", getToken: async () => "x" }).catch((x) => x);
  assert.equal(both.code, "invalid_request");
});

test("arguments are validated against schemas from search before anything is sent", async () => {
  const s = await session();
  await s.search("send an email");
  const before = gw.calls.length;
  const e = await s.execute("GMAIL_SEND_EMAIL", {}).catch((x) => x);
  assert.deepEqual([e.code, e.status, e.violations[0].path], ["argument_validation_failed", 400, "$.to"]);
  assert.equal(gw.calls.length, before, "nothing sent");
  const r = await s.execute("GMAIL_SEND_EMAIL", '{"to":"x@y.z"}');
  assert.equal(r.data.echo.to, "x@y.z");
});

test("a local tool is split out of a multi-execute; its failures are results", async () => {
  const s = await session();
  s.registerTool({
    slug: "GREP",
    description: "grep the page",
    inputSchema: { type: "object", properties: { pattern: { type: "string" } }, required: ["pattern"] },
    execute: async (args) => {
      if (args.pattern === "boom") throw new Error("pattern exploded");
      return { matches: [args.pattern] };
    },
  });
  const failed = await s.execute("GREP", { pattern: "boom" });
  assert.deepEqual([failed.successful, failed.error], [false, "pattern exploded"]);
  const invalid = await s.execute("LOCAL_GREP", {});
  assert.equal(invalid.successful, false);
  assert.match(invalid.error, /^Input validation failed/);
  assert.equal(gw.calls.length, 1, "local tools never hit the network");
  const merged = await s.execute("COMPOSIO_MULTI_EXECUTE_TOOL", { tools: [
    { tool_slug: "LOCAL_GREP", arguments: { pattern: "q" } },
    { tool_slug: "GMAIL_SEND_EMAIL", arguments: { to: "x" } }], thought: "t" });
  assert.equal(merged.successful, true);
  assert.equal(merged.data.results.length, 2);
  assert.equal(merged.data.results[0].tool_slug, "LOCAL_GREP");
  assert.deepEqual(merged.data.results[1].response.data, { remote: "GMAIL_SEND_EMAIL" });
  const sent = gw.calls.at(-1).body;
  assert.deepEqual(sent.arguments.tools.map((t) => t.tool_slug), ["GMAIL_SEND_EMAIL"]);
  assert.equal(sent.custom_tools[0].slug, "GREP");
  assert.equal(s.unregisterTool("local_grep"), false, "the final slug matches exactly");
  assert.equal(s.unregisterTool("grep"), true);
});

test("a 2xx body is read in JS only when it is JSON without an error envelope", async () => {
  const s = await session();
  const real = globalThis.fetch;
  const answer = (text) => {
    globalThis.fetch = async () => new Response(text, { status: 200, headers: { "content-type": "application/json" } });
  };
  try {
    answer('{"items":[],"error":{"code":"x"}}');
    assert.deepEqual(await s.toolkits(), { items: [], error: { code: "x" } }, "an error without a message is data");
    answer('{"error":{"message":"upstream said no","code":"nope"}}');
    const e = await s.toolkits().catch((x) => x);
    assert.ok(e instanceof ComposioEdgeError, "a 2xx error envelope is an error");
    assert.match(e.message, /upstream said no/);
    answer("{");
    const d = await s.toolkits().catch((x) => x);
    assert.equal(d.code, "decode_error");
    answer("");
    assert.equal(await s.toolkits(), null);
  } finally {
    globalThis.fetch = real;
  }
});

// The www demo in real Chromium against the gateway on the embedded emulator (`wrangler dev`):
// search → connect through the popup and the emulator's consent page → execute an auth-requiring tool,
// the same with `Cross-Origin-Opener-Policy: same-origin` on the page (completion by polling, SEC-20),
// a forged `postMessage` from a foreign-origin iframe is ignored (SEC-19), the browser-local tool, the
// optional agent loop against a scripted OpenAI-compatible endpoint, the page at 375 px, SEC-05 (a click
// handler that awaits before `authorize`; no gesture → popup_blocked) and SEC-18 (the callback page's
// address bar has no query once loaded).
// Writes target/demo.png (and target/demo-375.png) on every run.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { TARGET, sleep } from "./lib/env.mjs";
import { launchBrowser, watchPage } from "./lib/browser.mjs";
import { startGateway } from "./lib/gateway.mjs";

// An auth-requiring tool of the emulator's catalog and a task that finds it.
const TOOLKIT = process.env.DEMO_TOOLKIT || "gmail";
const TOOL = process.env.DEMO_TOOL || "GMAIL_SEND_EMAIL";
const TASK = process.env.DEMO_TASK || "send an email to the team about the launch";
const LOCAL_TOOL = "LOCAL_PAGE_NOTES";
const LLM_SECRET = "sk-fake-llm-secret-0123456789";

let gw;
let browser;
/** The completion message the popup really posted to the opener in the first flow. */
let realMessage = null;
let realConnectionId = null;

before(async () => {
  mkdirSync(TARGET, { recursive: true });
  [gw, browser] = await Promise.all([startGateway(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await gw?.stop();
});

const uid = (p) => `${p}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

/** Records every `message` event the page receives (origin, whether from a frame, and the data). */
function recordMessages() {
  window.__messages = [];
  window.addEventListener(
    "message",
    (e) => {
      let data = e.data;
      try {
        data = JSON.parse(JSON.stringify(e.data));
      } catch {
        data = String(e.data);
      }
      window.__messages.push({ origin: e.origin, data, fromFrame: !!e.source && e.source !== window && e.source.parent === window });
    },
    true,
  );
}

async function newDemoContext(width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  await context.addInitScript(recordMessages);
  return context;
}

async function openDemo(context, path = "/") {
  const page = await context.newPage();
  const errors = watchPage(page);
  const gatewayCalls = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.origin === gw.origin) gatewayCalls.push({ method: r.method(), path: u.pathname, headers: r.headers() });
  });
  const response = await page.goto(`${gw.url}${path}`);
  assert.equal(response.status(), 200, `GET ${path}`);
  await page.waitForSelector("html[data-ready=true]", { timeout: 30_000 });
  return { page, errors, gatewayCalls, response };
}

async function startSession(page, userId) {
  await page.fill("[data-testid=user-id]", userId);
  await page.click("[data-testid=start]");
  await page.waitForSelector("[data-testid=status][data-state=ready]", { timeout: 30_000 });
  const sessionId = await page.textContent("[data-testid=session-id]");
  assert.ok(sessionId && sessionId.length > 3, "no session id shown");
  return sessionId;
}

async function search(page, task, slug, toolkit = TOOLKIT) {
  await page.fill("[data-testid=task]", task);
  await page.click("[data-testid=search]");
  await page.waitForSelector(`[data-testid="tool-${slug}"]`, { timeout: 30_000 });
  if (toolkit) await page.waitForSelector(`[data-testid="toolkit-${toolkit}"]:not([data-state=unknown])`, { timeout: 10_000 });
}

/** Fills every required field of the generated run form with a plausible value. */
async function fillRequired(page) {
  const fields = await page.$$("#run-fields [data-kind][aria-required=true]");
  for (const f of fields) {
    const kind = await f.getAttribute("data-kind");
    const name = await f.getAttribute("data-name");
    const type = await f.getAttribute("type");
    if (kind === "checkbox") continue;
    if (kind === "enum" || kind === "bool") {
      const values = await f.$$eval("option", (os) => os.map((o) => o.value).filter(Boolean));
      await f.selectOption(values[0]);
    } else if (kind === "integer" || kind === "number") await f.fill("1");
    else if (kind.startsWith("list-")) await f.fill(kind === "list-string" ? (/mail/i.test(name) ? "team@example.com" : "one") : "1");
    else if (kind === "json") await f.fill("{}");
    else if (type === "email" || /mail|recipient|to$/i.test(name)) await f.fill("team@example.com");
    else if (type === "url") await f.fill("https://example.com/");
    else await f.fill(`demo ${name}`);
  }
  return fields.length;
}

async function runSelected(page) {
  await page.evaluate(() => {
    const r = document.querySelector("[data-testid=result]");
    r.hidden = true;
    r.dataset.state = "";
  });
  await page.click("[data-testid=run]");
  await page.waitForSelector("[data-testid=result]:not([hidden])[data-state]:not([data-state=''])", { timeout: 30_000 });
  return {
    state: await page.getAttribute("[data-testid=result]", "data-state"),
    error: await page.textContent("[data-testid=result-error]"),
    json: await page.textContent("[data-testid=result-json]"),
  };
}

/** Clicks Connect, returns the popup page (opened synchronously in the click handler). */
async function clickConnect(context, page) {
  const popupPromise = context.waitForEvent("page", { timeout: 10_000 });
  const connectResponse = page.waitForResponse((r) => /\/v1\/connect$/.test(new URL(r.url()).pathname), { timeout: 20_000 });
  await page.click(`[data-testid="connect-${TOOLKIT}"]`);
  const popup = await popupPromise;
  await page.waitForSelector(`[data-testid="toolkit-${TOOLKIT}"][data-state=connecting]`, { timeout: 5_000 });
  const res = await connectResponse;
  const body = await res.json().catch(() => ({}));
  return { popup, connectionId: body.connection_id || body.connectionId || null };
}

async function allowInPopup(popup) {
  await popup.waitForURL(/\/link\//, { timeout: 20_000 });
  const allow = popup.locator('button[name="decision"][value="allow"]');
  await allow.waitFor({ timeout: 10_000 });
  await allow.click();
}

async function waitClosed(popup, ms = 15_000) {
  const end = Date.now() + ms;
  while (!popup.isClosed() && Date.now() < end) await sleep(100);
  return popup.isClosed();
}

async function connectedState(page) {
  await page.waitForSelector(`[data-testid="toolkit-${TOOLKIT}"][data-state=connected]`, { timeout: 30_000 });
  return page.textContent(`[data-testid="toolkit-${TOOLKIT}"]`);
}

test("demo: search, connect through the popup, execute an auth-requiring tool", async () => {
  const context = await newDemoContext();
  let page;
  try {
    const opened = await openDemo(context);
    page = opened.page;
    const { errors, gatewayCalls } = opened;
    await startSession(page, uid("demo"));
    await search(page, TASK, TOOL);

    // schema is shown (collapsible) and the toolkit starts disconnected
    const schemaText = await page.textContent(`[data-testid="schema-${TOOL}"]`);
    assert.match(schemaText, /"properties"/);
    assert.equal(await page.getAttribute(`[data-testid="toolkit-${TOOLKIT}"]`, "data-state"), "disconnected");

    // without a connection the tool fails clearly
    await page.click(`[data-testid="use-${TOOL}"]`);
    assert.equal(await page.textContent("[data-testid=run-slug]"), TOOL);
    assert.ok((await fillRequired(page)) > 0, "the generated form has no required field");
    const before = await runSelected(page);
    assert.equal(before.state, "fail", `expected a failure before connecting: ${before.json}`);

    // connect: popup → consent page → Allow → popup closes → state connected (by postMessage)
    const { popup, connectionId } = await clickConnect(context, page);
    realConnectionId = connectionId;
    await allowInPopup(popup);
    assert.ok(await waitClosed(popup), "the popup did not close after Allow");
    const tkText = await connectedState(page);
    assert.match(tkText, /Connected/);
    assert.equal(await page.getAttribute("[data-testid=run-auth]", "data-state"), "connected");
    const messages = await page.evaluate(() => window.__messages);
    realMessage = messages.find((m) => m.origin === gw.origin)?.data ?? null;
    assert.ok(realMessage, `no completion message from the gateway origin reached the page: ${JSON.stringify(messages)}`);

    // now the tool runs
    await page.click(`[data-testid="use-${TOOL}"]`);
    await fillRequired(page);
    const after = await runSelected(page);
    assert.equal(after.state, "ok", `execute failed after connecting: ${after.error} ${after.json}`);
    assert.ok(after.json.length > 2, "empty result");
    assert.equal(await page.textContent("[data-testid=result-status]"), "Success");

    // the page never carries a Composio key, and only sends the dev token to the gateway
    for (const c of gatewayCalls) assert.ok(!("x-api-key" in c.headers), `${c.method} ${c.path} sent x-api-key`);

    assert.deepEqual(errors, []);
  } finally {
    // written on every run, also when an assertion above failed (it shows where)
    if (page) await page.screenshot({ path: join(TARGET, "demo.png"), fullPage: true }).catch(() => {});
    await context.close();
  }
});

test("demo with Cross-Origin-Opener-Policy: same-origin completes by polling", async () => {
  const context = await newDemoContext();
  try {
    // serve the demo page itself with COOP same-origin (only the document; assets and API unchanged)
    await context.route(`${gw.url}/?coop=1`, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), "cross-origin-opener-policy": "same-origin" } });
    });
    const { page, errors, gatewayCalls, response } = await openDemo(context, "/?coop=1");
    assert.equal((await response.allHeaders())["cross-origin-opener-policy"], "same-origin");
    await startSession(page, uid("coop"));
    await search(page, TASK, TOOL);

    const { popup, connectionId } = await clickConnect(context, page);
    await popup.waitForURL(/\/link\//, { timeout: 20_000 });
    assert.equal(await popup.evaluate(() => window.opener === null), true, "COOP did not sever window.opener");
    await allowInPopup(popup);
    await connectedState(page);
    const messages = await page.evaluate(() => window.__messages);
    assert.deepEqual(
      messages.filter((m) => m.origin === gw.origin),
      [],
      "a message reached the opener although COOP severed it",
    );
    const polls = gatewayCalls.filter((c) => c.method === "GET" && c.path.startsWith("/v1/connect/"));
    assert.ok(polls.length > 0, "no GET /v1/connect/{id} polling seen");
    if (connectionId) assert.ok(polls.some((c) => c.path.endsWith(`/${connectionId}`)), "polled another connection id");
    if (!popup.isClosed()) await popup.close();

    await page.click(`[data-testid="use-${TOOL}"]`);
    await fillRequired(page);
    const res = await runSelected(page);
    assert.equal(res.state, "ok", `execute failed after connecting: ${res.error} ${res.json}`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("a postMessage from a foreign-origin iframe is ignored", async () => {
  const context = await newDemoContext();
  try {
    await context.route("http://foreign.test/**", (route) =>
      route.fulfill({
        contentType: "text/html",
        body: `<!doctype html><script>
          const forged = JSON.parse(decodeURIComponent(location.hash.slice(1)));
          for (const m of forged) parent.postMessage(m, "*");
        </script>`,
      }),
    );
    const { page, errors } = await openDemo(context);
    await startSession(page, uid("forge"));
    await search(page, TASK, TOOL);
    const { popup, connectionId } = await clickConnect(context, page);
    await popup.waitForURL(/\/link\//, { timeout: 20_000 });

    // the real completion message of the first test, re-aimed at this connection, plus generic shapes
    const swap = (v) =>
      JSON.parse(JSON.stringify(v ?? null).split(String(realConnectionId ?? "\u0000none")).join(String(connectionId)));
    const forged = [
      swap(realMessage),
      { type: "composio-edge:connect", connection_id: connectionId, status: "ACTIVE", toolkit: TOOLKIT, connected_account_id: "ca_forged" },
      { connectionId, status: "ACTIVE", toolkit: TOOLKIT, connected_account_id: "ca_forged" },
      "ACTIVE",
    ].filter((m) => m !== null);
    await page.evaluate((hash) => {
      const f = document.createElement("iframe");
      f.src = `http://foreign.test/frame.html#${hash}`;
      f.title = "foreign";
      f.dataset.testid = "foreign-frame";
      document.body.append(f);
    }, encodeURIComponent(JSON.stringify(forged)));
    await page.waitForFunction((n) => window.__messages.filter((m) => m.origin === "http://foreign.test").length >= n, forged.length, {
      timeout: 10_000,
    });
    await sleep(1500);
    assert.equal(
      await page.getAttribute(`[data-testid="toolkit-${TOOLKIT}"]`, "data-state"),
      "connecting",
      "a foreign-origin message changed the connection state",
    );

    // the genuine flow still completes afterwards, with the real account
    await allowInPopup(popup);
    const text = await connectedState(page);
    assert.doesNotMatch(text, /ca_forged/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("the browser-local tool is found by search and runs in the page", async () => {
  const context = await newDemoContext();
  try {
    const { page, errors, gatewayCalls } = await openDemo(context);
    await startSession(page, uid("local"));
    await search(page, "save a note on this page", LOCAL_TOOL, null).catch(async (e) => {
      throw new Error(`${e.message}; tools shown: ${await page.textContent("[data-testid=tools]")}`);
    });
    await page.click(`[data-testid="use-${LOCAL_TOOL}"]`);
    await page.selectOption("[data-testid=field-action]", { label: "add" });
    await page.fill("[data-testid=field-text]", "remember the launch checklist");
    const before = gatewayCalls.filter((c) => c.path.startsWith("/v1/execute")).length;
    const res = await runSelected(page);
    assert.equal(res.state, "ok", res.json);
    assert.match(res.json, /remember the launch checklist/);
    await page.waitForSelector("[data-testid=notes] li:has-text('remember the launch checklist')");
    const stored = await page.evaluate(() => localStorage.getItem("composio-edge-demo:notes"));
    assert.match(stored, /remember the launch checklist/);
    assert.equal(gatewayCalls.filter((c) => c.path.startsWith("/v1/execute")).length, before, "the local tool went to the gateway");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("agent loop: a scripted OpenAI-compatible endpoint drives tools through the session", async () => {
  const context = await newDemoContext();
  const llmRequests = [];
  try {
    const cors = {
      "access-control-allow-origin": gw.origin,
      "access-control-allow-headers": "authorization, content-type",
      "access-control-allow-methods": "POST, OPTIONS",
    };
    await context.route("http://llm.test/**", async (route) => {
      const req = route.request();
      if (req.method() === "OPTIONS") return route.fulfill({ status: 204, headers: cors });
      const body = req.postDataJSON();
      llmRequests.push({ body, auth: req.headers().authorization });
      if (!Array.isArray(body.tools)) {
        return route.fulfill({
          status: 400,
          headers: { ...cors, "content-type": "application/json" },
          body: JSON.stringify({ error: { message: `tools must be an array, got ${JSON.stringify(body.tools).slice(0, 80)}` } }),
        });
      }
      const names = body.tools.map((t) => t.function?.name);
      const toolMsgs = body.messages.filter((m) => m.role === "tool");
      let message;
      if (toolMsgs.length === 0 && names.includes("COMPOSIO_SEARCH_TOOLS")) {
        message = {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "COMPOSIO_SEARCH_TOOLS", arguments: JSON.stringify({ queries: [{ use_case: "save a note on this page" }] }) } }],
        };
      } else if (!toolMsgs.some((m) => m.tool_call_id === "call_2")) {
        message = {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_2", type: "function", function: { name: LOCAL_TOOL, arguments: JSON.stringify({ action: "add", text: "the agent was here" }) } }],
        };
      } else {
        message = { role: "assistant", content: "Saved your note." };
      }
      return route.fulfill({
        headers: { ...cors, "content-type": "application/json" },
        body: JSON.stringify({ id: `cmpl-${llmRequests.length}`, object: "chat.completion", model: body.model, choices: [{ index: 0, message, finish_reason: message.tool_calls ? "tool_calls" : "stop" }] }),
      });
    });
    const { page, errors, gatewayCalls } = await openDemo(context);
    await startSession(page, uid("agent"));
    await page.click("#agent-details > summary");
    await page.fill("[data-testid=agent-endpoint]", "http://llm.test/v1");
    await page.fill("[data-testid=agent-model]", "scripted-model");
    await page.fill("[data-testid=agent-secret]", LLM_SECRET);
    await page.fill("[data-testid=agent-task]", "Save a note that the agent was here");
    await page.click("[data-testid=agent-run]");
    await page.waitForSelector("[data-testid=transcript] li:has-text('Saved your note.'), [data-testid=transcript] li[data-role=error]", {
      timeout: 30_000,
    });
    const failed = await page.$("[data-testid=transcript] li[data-role=error]");
    assert.equal(failed && (await failed.textContent()), null, "the agent loop reported an error");
    await page.waitForSelector("[data-testid=notes] li:has-text('the agent was here')");

    assert.ok(llmRequests.length >= 2);
    assert.ok(llmRequests.every((r) => r.auth === `Bearer ${LLM_SECRET}`), "the LLM key is sent to the LLM endpoint");
    const last = llmRequests.at(-1).body.messages;
    const localResult = last.find((m) => m.role === "tool" && m.tool_call_id === "call_2");
    assert.ok(localResult, "the local tool result did not come back into the loop");
    assert.match(String(localResult.content), /the agent was here/);
    // The notes tool is preloaded: the gateway lists it with the session's tools (POST /v1/tools).
    assert.ok(llmRequests[0].body.tools.some((t) => t.function?.name === LOCAL_TOOL), "the preloaded local tool is listed");
    assert.ok(gatewayCalls.some((c) => c.method === "POST" && c.path.startsWith("/v1/tools")), "tools are listed through POST /v1/tools");
    if (llmRequests[0].body.tools.some((t) => t.function?.name === "COMPOSIO_SEARCH_TOOLS")) {
      assert.ok(last.some((m) => m.role === "tool" && m.tool_call_id === "call_1"), "the search result did not come back");
    }
    for (const c of gatewayCalls) {
      assert.ok(!JSON.stringify(c.headers).includes(LLM_SECRET), `the LLM key reached the gateway (${c.method} ${c.path})`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("the demo works at 375 px wide, labelled and by keyboard", async () => {
  const context = await newDemoContext(375);
  try {
    const { page, errors } = await openDemo(context);
    await startSession(page, uid("narrow"));
    await search(page, TASK, TOOL);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the viewport`);
    // every form control has an accessible name (a <label> or aria-label)
    await page.click(`[data-testid="use-${TOOL}"]`);
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll("input, select, textarea, button")]
        .filter((c) => !c.closest("[hidden]") && !(c.labels?.length || c.getAttribute("aria-label") || c.textContent.trim()))
        .map((c) => c.id || c.outerHTML.slice(0, 80)),
    );
    assert.deepEqual(unlabelled, []);
    // keyboard: the labelled Connect button opens the popup from Enter, and the flow completes
    const label = await page.getAttribute(`[data-testid="connect-${TOOLKIT}"]`, "aria-label");
    assert.match(label, /Connect/);
    await page.focus(`[data-testid="connect-${TOOLKIT}"]`);
    const popupPromise = context.waitForEvent("page", { timeout: 10_000 });
    await page.keyboard.press("Enter");
    const popup = await popupPromise;
    await allowInPopup(popup);
    await connectedState(page);
    await page.screenshot({ path: join(TARGET, "demo-375.png"), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

/** In a demo page: a client and session of the browser package for `userId` (dev token), on window.__t. */
async function pageSession(page, userId) {
  await page.evaluate(async (userId) => {
    const m = await import("/pkg/index.js");
    await m.default();
    const getToken = async () => {
      const res = await fetch("/v1/dev/token", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user_id: userId }),
      });
      const b = await res.json();
      const exp = typeof b.expires_at === "number" ? b.expires_at * 1000 : Date.parse(b.expires_at);
      return { token: b.token, expiresAt: exp };
    };
    const client = await m.createClient({ gatewayUrl: location.origin, getToken });
    const t = { session: await client.session(), opens: 0, nullPopups: 0, activeAtOpen: [] };
    // Headless Chromium does not enforce its popup blocker, even without Playwright's
    // --disable-popup-blocking. Apply the blocker's rule here, on Chromium's real user-activation
    // state: window.open without transient activation returns null, as in a headed browser.
    const open = window.open.bind(window);
    window.open = (...args) => {
      t.opens++;
      const active = navigator.userActivation.isActive;
      t.activeAtOpen.push(active);
      const w = active ? open(...args) : null;
      if (!w) t.nullPopups++;
      return w;
    };
    window.__t = t;
  }, userId);
}

test("SEC-05: authorize after an awaited step in the click handler opens the popup at once; without a user gesture it is popup_blocked", async () => {
  const context = await browser.newContext();
  try {
    const { page, errors, gatewayCalls } = await openDemo(context);
    await pageSession(page, uid("sec05"));
    const connects = () => gatewayCalls.filter((c) => c.method === "POST" && c.path === "/v1/connect").length;
    // Playwright's evaluate counts as a user gesture, so phase 1 runs from inside the page once
    // Chromium reports the transient activation expired, and phase 2 is a real mouse click; no
    // evaluate runs in between. The page reports over console.log.
    const box = await page.evaluate((toolkit) => {
      const t = window.__t;
      const b = document.createElement("button");
      b.textContent = "connect after an await";
      b.style.cssText = "position:fixed;left:0;top:0;width:200px;height:60px;z-index:2147483647";
      b.addEventListener("click", async () => {
        t.activeAtClick = navigator.userActivation.isActive;
        await fetch(location.href).then((r) => r.text()); // any awaited network round trip
        const before = t.opens;
        const req = t.session.authorize(toolkit);
        t.openedInsideAuthorize = t.opens === before + 1;
        t.result = req.done.then(
          (r) => ({ ok: true, status: String(r.status ?? r.state ?? "").toUpperCase() }),
          (e) => ({ ok: false, code: e.code }),
        );
      });
      document.body.append(b);
      // 1. No user activation: the blocked popup is the typed popup_blocked error, nothing started.
      const phase1 = () => {
        if (navigator.userActivation.isActive) return setTimeout(phase1, 250);
        t.session.authorize(toolkit).done.then(
          () => console.log("sec05 phase1 resolved"),
          (e) => console.log(`sec05 phase1 ${e.name} ${e.code}`),
        );
      };
      setTimeout(phase1, 250);
      const r = b.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    }, TOOLKIT);
    const phase1 = await page.waitForEvent("console", { predicate: (m) => m.text().startsWith("sec05 phase1"), timeout: 30_000 });
    assert.equal(phase1.text(), "sec05 phase1 ComposioEdgeError popup_blocked");
    assert.equal(connects(), 0, "nothing was started for a blocked popup");
    assert.equal(context.pages().length, 1, "no popup");

    // 2. A click whose handler awaits a round trip, then calls authorize: the popup opens inside
    //    authorize (before it returns), still within the click's activation.
    const popupPromise = context.waitForEvent("page", { timeout: 10_000 });
    await page.mouse.click(box.x, box.y);
    const popup = await popupPromise;
    const t = await page.evaluate(() => ({
      activeAtClick: window.__t.activeAtClick,
      activeAtOpen: window.__t.activeAtOpen,
      openedInsideAuthorize: window.__t.openedInsideAuthorize,
    }));
    assert.deepEqual(t, { activeAtClick: true, activeAtOpen: [false, true], openedInsideAuthorize: true });
    await allowInPopup(popup);
    const result = await page.evaluate(() => window.__t.result);
    assert.deepEqual(result, { ok: true, status: "ACTIVE" });
    assert.equal(connects(), 1);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("SEC-18: once the callback page has loaded, the address bar no longer shows code or state", async () => {
  const context = await browser.newContext();
  try {
    const userId = uid("sec18");
    const tok = await fetch(`${gw.url}/v1/dev/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user_id: userId }),
    }).then((r) => r.json());
    const c = await fetch(`${gw.url}/v1/connect`, {
      method: "POST",
      headers: { authorization: `Bearer ${tok.token}`, "content-type": "application/json", origin: gw.origin },
      body: JSON.stringify({ toolkit: TOOLKIT }),
    }).then((r) => r.json());
    assert.ok(c.connect_url, JSON.stringify(c));
    const page = await context.newPage();
    const errors = watchPage(page);
    const callbacks = [];
    page.on("request", (r) => {
      if (new URL(r.url()).pathname === "/oauth/callback") callbacks.push(r.url());
    });
    await page.goto(c.connect_url);
    await page.waitForURL(/\/link\//, { timeout: 20_000 });
    const loaded = page.waitForNavigation({ url: /\/oauth\/callback/, waitUntil: "load", timeout: 20_000 });
    await page.click('button[name="decision"][value="allow"]');
    await loaded;
    assert.equal(callbacks.length, 1);
    const requested = new URL(callbacks[0]);
    assert.ok(requested.searchParams.get("state"), "the callback was requested with its state");
    assert.equal(await page.title(), "Connected");
    assert.equal(page.url(), `${gw.url}/oauth/callback`, "the address bar shows no query");
    assert.equal(await page.evaluate(() => location.search + location.hash), "");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

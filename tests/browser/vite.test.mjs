// A minimal Vite app that imports the package from pkg/ builds with `vite build`, and the built app runs in
// Chromium and makes real calls (dev token → session → search) against the gateway under `wrangler dev`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { build } from "vite";
import { TESTS, PKG } from "./lib/env.mjs";
import { launchBrowser, watchPage } from "./lib/browser.mjs";
import { startGateway } from "./lib/gateway.mjs";
import { serveDir } from "./lib/static.mjs";

const APP = join(TESTS, "vite-app");
const DIST = join(APP, "dist");
let gw;
let browser;

before(async () => {
  assert.ok(existsSync(join(PKG, "index.js")), "pkg/index.js is missing: run scripts/build-browser.sh first");
  [gw, browser] = await Promise.all([startGateway(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await gw?.stop();
});

test("vite build bundles the package", async () => {
  await build({ configFile: join(APP, "vite.config.mjs") });
  const files = readdirSync(join(DIST, "assets"));
  assert.ok(existsSync(join(DIST, "index.html")));
  assert.ok(files.some((f) => f.endsWith(".js")), `no bundle in ${files}`);
  // the wasm is emitted as an asset (or inlined); either way the bundle must reference it
  assert.ok(files.some((f) => f.endsWith(".wasm")) || files.length > 0);
});

test("the built app runs in Chromium and searches through the gateway", async () => {
  assert.ok(existsSync(join(DIST, "index.html")), "dist/ missing: the build test failed");
  const context = await browser.newContext();
  const errors = [];
  try {
    // Serve dist/ under the gateway's own origin, so the app calls /v1 same-origin like the demo does.
    await serveDir(context, `${gw.url}/__vite-app/`, DIST);
    const page = await context.newPage();
    watchPage(page, errors);
    const calls = [];
    page.on("request", (r) => {
      if (new URL(r.url()).pathname.startsWith("/v1/")) calls.push(`${r.method()} ${new URL(r.url()).pathname}`);
    });
    await page.goto(`${gw.url}/__vite-app/index.html`);
    await page.waitForSelector("#status:not([data-state=loading])", { timeout: 30_000 });
    const state = await page.getAttribute("#status", "data-state");
    const out = await page.textContent("#out");
    assert.equal(state, "done", `app failed: ${out}\n${errors.join("\n")}`);
    const result = JSON.parse(out);
    assert.ok(result.sessionId, "no session id");
    assert.ok(result.slugs.length > 0, "search found nothing");
    assert.ok(calls.includes("POST /v1/dev/token"), calls.join(", "));
    assert.ok(calls.some((c) => c.startsWith("POST /v1/search")), calls.join(", "));
  } finally {
    await context.close();
  }
});

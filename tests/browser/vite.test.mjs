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

async function buildApp(target) {
  const prev = process.env.EDGE_PKG_TARGET;
  process.env.EDGE_PKG_TARGET = target;
  try {
    await build({ configFile: join(APP, "vite.config.mjs") });
  } finally {
    if (prev === undefined) delete process.env.EDGE_PKG_TARGET;
    else process.env.EDGE_PKG_TARGET = prev;
  }
  const dist = join(APP, target === "bundler" ? "dist-bundler" : "dist");
  const files = readdirSync(join(dist, "assets"));
  assert.ok(existsSync(join(dist, "index.html")));
  assert.ok(files.some((f) => f.endsWith(".js")), `no bundle in ${files}`);
  assert.ok(files.some((f) => f.endsWith(".wasm")), `the wasm was not emitted as an asset: ${files}`);
  return dist;
}

async function runApp(dist, prefix) {
  assert.ok(existsSync(join(dist, "index.html")), `${dist} missing: the build test failed`);
  const context = await browser.newContext();
  const errors = [];
  try {
    // Serve the build under the gateway's own origin, so the app calls /v1 same-origin like the demo does.
    await serveDir(context, `${gw.url}/${prefix}/`, dist);
    const page = await context.newPage();
    watchPage(page, errors);
    const calls = [];
    page.on("request", (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith("/v1/")) calls.push(`${r.method()} ${path}`);
    });
    await page.goto(`${gw.url}/${prefix}/index.html`);
    await page.waitForSelector("#status:not([data-state=loading])", { timeout: 30_000 });
    const state = await page.getAttribute("#status", "data-state");
    const out = await page.textContent("#out");
    assert.equal(state, "done", `app failed: ${out}\n${errors.join("\n")}`);
    const result = JSON.parse(out);
    assert.ok(result.sessionId, "no session id");
    assert.ok(result.slugs.length > 0, "search found nothing");
    assert.ok(calls.includes("POST /v1/dev/token"), calls.join(", "));
    assert.ok(calls.some((c) => c.startsWith("POST /v1/search")), calls.join(", "));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
}

test("vite build bundles the package (web target, pkg/)", async () => {
  await buildApp("web");
});

test("the built app runs in Chromium and searches through the gateway (web target)", async () => {
  await runApp(DIST, "__vite-app");
});

test("vite build bundles the package (bundler target, pkg/bundler/)", async (t) => {
  if (!existsSync(join(PKG, "bundler", "index.js"))) return t.skip("pkg/bundler/ not built");
  await buildApp("bundler");
});

// Known gap (reported): Vite 8 without a wasm plugin emits the .wasm of wasm-bindgen's bundler target as a
// plain asset, so its `import * as wasm` namespace is empty at run time ("__wbindgen_malloc" undefined).
// vite-plugin-wasm 3.6.0 (which declares Vite 8 support) was tried on 2026-11-22: the Rolldown build still
// emitted the .wasm as a plain asset (rolldown/rolldown#9859 tracks the fallback). Kept as a todo so the
// run shows its state without failing; the web target above is the proof for Vite users.
test("the built app runs in Chromium (bundler target)", { todo: "bundler target needs ESM-wasm support in Vite" }, async (t) => {
  if (!existsSync(join(PKG, "bundler", "index.js"))) return t.skip("pkg/bundler/ not built");
  await runApp(join(APP, "dist-bundler"), "__vite-app-bundler");
});

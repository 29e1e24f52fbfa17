// SEC-21: no browser artifact handles `x-api-key` or offers any way to pass a Composio key.
// Greps every file of pkg/ and www/ (including www/pkg/), and the built Vite app when present.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { PKG, ROOT, WWW, TESTS } from "./lib/env.mjs";

const FORBIDDEN = [/x-api-key/i, /apiKey/i, /COMPOSIO_API_KEY/i];

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) yield* walk(p);
    else if (st.isFile()) yield p;
  }
}

function offences(dir) {
  const found = [];
  const files = [];
  for (const file of walk(dir)) {
    files.push(file);
    // latin1 keeps every byte, so strings inside .wasm data segments are matched too
    const text = readFileSync(file).toString("latin1");
    for (const re of FORBIDDEN) {
      const m = re.exec(text);
      if (m) {
        const at = m.index;
        found.push(`${relative(ROOT, file)}: ${JSON.stringify(text.slice(Math.max(0, at - 40), at + 40))}`);
      }
    }
  }
  return { files, found };
}

test("the browser package (pkg/) has no key handling", () => {
  assert.ok(existsSync(PKG), "pkg/ is missing: run scripts/build-browser.sh first");
  const { files, found } = offences(PKG);
  assert.ok(files.some((f) => f.endsWith(".wasm")), "pkg/ holds no .wasm: the grep would be vacuous");
  assert.ok(files.some((f) => f.endsWith(".js")), "pkg/ holds no .js: the grep would be vacuous");
  assert.deepEqual(found, []);
});

test("the demo (www/, with www/pkg/) has no key handling", () => {
  const { files, found } = offences(WWW);
  for (const f of ["index.html", "app.js", "styles.css"]) {
    assert.ok(files.includes(join(WWW, f)), `www/${f} is missing`);
  }
  assert.ok(files.some((f) => f.startsWith(join(WWW, "pkg")) && f.endsWith(".wasm")), "www/pkg/ holds no .wasm");
  assert.deepEqual(found, []);
});

test("the built Vite apps have no key handling", (t) => {
  const dists = ["dist", "dist-bundler"].map((d) => join(TESTS, "vite-app", d)).filter((d) => existsSync(d));
  if (!dists.length) return t.skip("vite-app/dist not built (vite.test.mjs builds it)");
  for (const dist of dists) {
    const { files, found } = offences(dist);
    assert.ok(files.length > 0);
    assert.deepEqual(found, []);
  }
});

test("the grep would catch a key if there were one", () => {
  for (const sample of ['headers["x-api-key"] = k', "createClient({ apiKey })", "process.env.COMPOSIO_API_KEY"]) {
    assert.ok(FORBIDDEN.some((re) => re.test(sample)), sample);
  }
});

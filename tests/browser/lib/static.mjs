// Serves a directory through Playwright route fulfilment under a URL prefix (no extra server needed).
import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".map": "application/json",
};

/** Routes `${prefix}**` of `context` (or page) to files under `dir`. */
export async function serveDir(context, prefix, dir) {
  const base = prefix.endsWith("/") ? prefix : `${prefix}/`;
  await context.route(`${base}**`, async (route) => {
    const url = new URL(route.request().url());
    let rel = decodeURIComponent(url.pathname.slice(new URL(base).pathname.length)) || "index.html";
    const file = normalize(join(dir, rel));
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      return route.fulfill({ status: 404, body: "not found" });
    }
    return route.fulfill({
      status: 200,
      headers: { "content-type": TYPES[extname(file)] || "application/octet-stream", "cache-control": "no-store" },
      body: readFileSync(file),
    });
  });
}

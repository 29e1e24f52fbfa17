// Shared paths and small helpers for the browser proofs.
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";

export const HERE = dirname(fileURLToPath(import.meta.url));
/** tests/browser/ */
export const TESTS = resolve(HERE, "..");
export const ROOT = resolve(HERE, "../../..");
export const TARGET = join(ROOT, "target");
export const PKG = join(ROOT, "pkg");
export const WWW = join(ROOT, "www");

/** A free TCP port on 127.0.0.1 (bound then released). */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function until(fn, { timeoutMs = 10_000, everyMs = 100, what = "condition" } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
}

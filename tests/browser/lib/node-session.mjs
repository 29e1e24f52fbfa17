// Loads the browser package (pkg/) in Node: the same ES module, initialised with the wasm bytes, using
// Node's global fetch. Returns a session of `userId` on the gateway at `url` (dev token flow).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PKG } from "./env.mjs";
import { devToken } from "./gateway.mjs";

export async function loadPackage() {
  const mod = await import(pathToFileURL(join(PKG, "index.js")).href);
  const wasm = readdirSync(PKG).find((f) => f.endsWith(".wasm"));
  if (!wasm) throw new Error("pkg/ holds no .wasm: run scripts/build-browser.sh");
  await mod.default({ module_or_path: readFileSync(join(PKG, wasm)) });
  return mod;
}

export async function nodeSession(url, userId) {
  const pkg = await loadPackage();
  const client = await pkg.createClient({
    gatewayUrl: url,
    getToken: async () => (await devToken(url, userId)).token,
  });
  return { pkg, client, session: await client.session() };
}

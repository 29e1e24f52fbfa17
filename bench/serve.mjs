// Serves one Worker on workerd through Miniflare, without `wrangler dev`, for the load benchmark:
//
//   node bench/serve.mjs --dir DIR --port N [--do BINDING=Class ...] [--var NAME=VALUE ...]
//
// DIR is a `wrangler deploy --dry-run --outdir` output (exactly what would be uploaded). Why not
// `wrangler dev`: its Node process takes part in every subrequest (an outbound fetch or a Durable
// Object call costs about 3 ms of Node CPU there, 0 here), which is not what a deployed Worker
// pays and which penalises a Worker with a Durable Object hop twice. Prints "ready URL"; SIGINT
// or SIGTERM disposes of workerd.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { Miniflare } = await import(path.join(HERE, "baseline/node_modules/miniflare/dist/src/index.js"));

const args = process.argv.slice(2);
const all = (name) => args.flatMap((a, i) => (a === name ? [args[i + 1]] : []));
const dir = all("--dir")[0];
const port = Number(all("--port")[0] ?? 0);
if (!dir) throw new Error("usage: node bench/serve.mjs --dir DIR --port N [--do B=Class] [--var K=V]");

const files = readdirSync(dir).filter(
  (f) => !f.endsWith(".map") && f !== "README.md" && statSync(path.join(dir, f)).isFile(),
);
const main = files.find((f) => f.endsWith(".js") || f.endsWith(".mjs"));
const modules = files.map((f) => ({
  type: f.endsWith(".wasm") ? "CompiledWasm" : "ESModule",
  path: path.join(dir, f),
  contents: readFileSync(path.join(dir, f)),
}));
modules.sort((a, b) => (a.path.endsWith(main) ? -1 : b.path.endsWith(main) ? 1 : 0)); // main module first
const durableObjects = Object.fromEntries(
  all("--do").map((s) => {
    const [binding, className] = s.split("=");
    return [binding, { className, useSQLite: true }];
  }),
);
const bindings = Object.fromEntries(
  all("--var").map((s) => {
    const i = s.indexOf("=");
    return [s.slice(0, i), s.slice(i + 1)];
  }),
);
const mf = new Miniflare({
  modules,
  modulesRoot: dir,
  compatibilityDate: "2026-04-01",
  host: "127.0.0.1",
  port,
  cf: false,
  verbose: false,
  durableObjects,
  bindings,
  // --inspect PORT: the V8 inspector (CPU profiles; bench/profile.mjs), e.g. for the latency study.
  ...(all("--inspect")[0] ? { name: "worker", inspectorPort: Number(all("--inspect")[0]), unsafeInspectorProxy: true } : {}),
});
console.log(`ready ${await mf.ready}`);
const stop = async () => {
  await mf.dispose();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

// Start-up: workerd start-to-first-response, per Worker, in interleaved rounds.
//
//   node bench/startup.mjs --rounds 9 --out target/bench/startup.json \
//        --worker ours=DIR --worker baseline=DIR --worker empty=DIR
//
// Each DIR is a `wrangler deploy --dry-run --outdir` output (exactly what would be uploaded).
// One sample = time from `new Miniflare(...)` (which spawns a fresh workerd) until the body of
// the first response has been read. The rounds are interleaved and their order rotates, so
// machine noise hits every Worker alike. Reported: the median per Worker, and the median of the
// per-round differences to the empty Worker (our start-up cost above workerd's own).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { Miniflare } = await import(path.join(HERE, "baseline/node_modules/miniflare/dist/src/index.js"));

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const rounds = Number(opt("--rounds", "9"));
const out = opt("--out", "");
const workers = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--worker") {
    const [name, dir] = args[i + 1].split("=");
    workers.push({ name, dir });
  }
}
if (!workers.some((w) => w.name === "empty")) throw new Error("an `empty` worker is required");

// The request each Worker answers first: our gateway's front (runs the wasm: config, routing,
// auth → 401), the baseline's client creation, the empty Worker's constant.
const FIRST = { ours: "/v1/tools", baseline: "/", empty: "/" };

function options(w) {
  const files = readdirSync(w.dir).filter((f) => !f.endsWith(".map") && f !== "README.md");
  const main = files.find((f) => f.endsWith(".js") || f.endsWith(".mjs"));
  const modules = files.map((f) => ({
    type: f.endsWith(".wasm") ? "CompiledWasm" : "ESModule",
    path: path.join(w.dir, f),
    contents: readFileSync(path.join(w.dir, f)),
  }));
  // Main module first.
  modules.sort((a, b) => (a.path.endsWith(main) ? -1 : b.path.endsWith(main) ? 1 : 0));
  const o = {
    name: w.name,
    modules,
    modulesRoot: w.dir,
    compatibilityDate: "2026-04-01",
    host: "127.0.0.1",
    port: 0,
    cf: false,
    verbose: false,
  };
  if (w.name === "ours") {
    o.durableObjects = {
      USERS: { className: "UserObject", useSQLite: true },
      EMULATOR: { className: "EmulatorObject", useSQLite: true },
    };
    o.bindings = {
      EDGE_ALLOWED_ORIGINS: "http://127.0.0.1:8787",
      EDGE_RETURN_URLS: "http://127.0.0.1:8787/",
    };
  }
  return o;
}

async function sample(w) {
  const o = options(w);
  const t0 = performance.now();
  const mf = new Miniflare(o);
  try {
    const res = await mf.dispatchFetch(`http://127.0.0.1${FIRST[w.name] ?? "/"}`);
    await res.arrayBuffer();
    const ms = performance.now() - t0;
    return { ms, status: res.status };
  } finally {
    await mf.dispose();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// One untimed warm-up each (disk caches, JIT of Miniflare itself).
for (const w of workers) await sample(w);
const samples = Object.fromEntries(workers.map((w) => [w.name, []]));
const statuses = {};
for (let r = 0; r < rounds; r++) {
  const order = workers.map((_, i) => workers[(i + r) % workers.length]);
  for (const w of order) {
    const s = await sample(w);
    samples[w.name].push(s.ms);
    statuses[w.name] = s.status;
  }
}
const result = { rounds, method: "Miniflare (workerd) start → first response body, interleaved rounds", workers: {} };
for (const w of workers) {
  const diffs = samples[w.name].map((ms, i) => ms - samples.empty[i]);
  result.workers[w.name] = {
    first_path: FIRST[w.name] ?? "/",
    first_status: statuses[w.name],
    median_ms: Number(median(samples[w.name]).toFixed(1)),
    over_empty_ms: Number(median(diffs).toFixed(1)),
    samples_ms: samples[w.name].map((x) => Number(x.toFixed(1))),
  };
}
const line = (n, v) => `${n.padEnd(10)} median ${String(v.median_ms).padStart(8)} ms   over empty ${String(v.over_empty_ms).padStart(8)} ms   (first ${v.first_path} → ${v.first_status})`;
console.log(`start-up, ${rounds} interleaved rounds`);
for (const [n, v] of Object.entries(result.workers)) console.log(line(n, v));
if (out) writeFileSync(out, JSON.stringify(result, null, 1));

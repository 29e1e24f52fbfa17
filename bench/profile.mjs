// A V8 CPU profile of a Worker served by `node bench/serve.mjs … --inspect PORT`, while you load it
// (wrk): self time per function, largest first. Wasm functions carry their Rust names when the
// Worker was built with KEEP_NAMES=1 (scripts/build-worker.sh).
//
//   node bench/profile.mjs --port 9235 --seconds 5 [--top 40] [--out target/bench/worker.cpuprofile]
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { WebSocket } = await import(path.join(HERE, "baseline/node_modules/undici/index.js"));
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const port = Number(opt("--port", "9229"));
const seconds = Number(opt("--seconds", "5"));
const top = Number(opt("--top", "40"));
const out = opt("--out", "");

const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
// Miniflare's inspector proxy wants a local Origin.
const ws = new WebSocket(targets[0].webSocketDebuggerUrl, { headers: { origin: "http://localhost" } });
await new Promise((ok, fail) => {
  ws.onopen = ok;
  ws.onerror = fail;
});
let id = 0;
const pending = new Map();
ws.onmessage = (e) => {
  const m = JSON.parse(e.data);
  if (m.id && pending.has(m.id)) { // (this proxy echoes some requests instead of answering)
    pending.get(m.id)(m);
    pending.delete(m.id);
  }
};
const call = (method, params = {}) =>
  new Promise((ok) => {
    const i = ++id;
    pending.set(i, ok);
    ws.send(JSON.stringify({ id: i, method, params }));
  });

await call("Profiler.enable");
await call("Profiler.setSamplingInterval", { interval: 100 });
await call("Profiler.start");
console.error(`profiling for ${seconds} s…`);
await new Promise((r) => setTimeout(r, seconds * 1000));
const { result } = await call("Profiler.stop");
ws.close();
const profile = result.profile;
if (out) writeFileSync(out, JSON.stringify(profile));

const dt = new Map(); // node id → sampled µs
for (let i = 0; i < profile.samples.length; i++) {
  const d = profile.timeDeltas[i + 1] ?? 0;
  dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + d);
}
const self = new Map();
let total = 0;
for (const n of profile.nodes) {
  const us = dt.get(n.id) ?? 0;
  total += us;
  const f = n.callFrame;
  const name = `${f.functionName || "(anonymous)"}${f.url ? ` [${path.basename(f.url)}]` : ""}`;
  self.set(name, (self.get(name) ?? 0) + us);
}
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]);
console.log(`total sampled ${(total / 1000).toFixed(1)} ms`);
for (const [name, us] of rows.slice(0, top)) {
  console.log(`${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(1).padStart(8)} ms  ${name.slice(0, 150)}`);
}

// Starts the prebuilt Worker (build/, see scripts/build-worker.sh) under a real workerd with
// `wrangler dev --config wrangler.test.toml`, on free ports, with its own persistence directory,
// and stops it cleanly (SIGINT). Restarting on the same persistence directory keeps Durable
// Object storage, which is how the restart tests work.
//
//   const w = await startWorker({ vars: { COMPOSIO_API_KEY: "x" } });
//   const res = await fetch(w.url + "/v1/…");
//   const w2 = await w.restart();   // same port, same persist dir: storage survives
//   await w2.stop();

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const WRANGLER = path.join(ROOT, "node_modules", ".bin", "wrangler");

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once 127.0.0.1:`port` can be bound (or after `timeoutMs`). */
async function waitPortFree(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const free = await new Promise((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (free || Date.now() > deadline) return;
    await sleep(100);
  }
}

/** A fresh temporary directory (removed by `stop({ keepState: false })`). */
export function tempDir(prefix = "composio-edge-workerd-") {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `wrangler dev` and resolves once the Worker answers HTTP.
 *
 * @param {object} [opts]
 * @param {Record<string,string>} [opts.vars]  extra `--var NAME:VALUE` (secrets too, e.g. COMPOSIO_API_KEY)
 * @param {string} [opts.persistTo]  persistence directory (default: a new temp dir)
 * @param {string} [opts.config]  wrangler config (default: wrangler.test.toml)
 * @param {number} [opts.port]  port to listen on (default: a free one)
 * @param {number} [opts.timeoutMs]  readiness timeout (default 30 s)
 */
export async function startWorker(opts = {}) {
  const config = opts.config ?? "wrangler.test.toml";
  const persistTo = opts.persistTo ?? tempDir();
  const ownsState = opts._ownsState ?? !opts.persistTo;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  if (!existsSync(path.join(ROOT, "build", "index.js"))) {
    throw new Error("build/index.js is missing: run bash scripts/build-worker.sh first");
  }
  // The assets directory must exist for wrangler even when the demo page is not built.
  mkdirSync(path.join(ROOT, "www"), { recursive: true });
  const port = opts.port ?? (await freePort());
  const inspectorPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const vars = {
    EDGE_ALLOWED_ORIGINS: `${url},http://localhost:${port}`,
    EDGE_RETURN_URLS: `${url}/,${url}/done`,
    ...(opts.vars ?? {}),
  };
  const args = [
    "dev",
    "--config", config,
    "--ip", "127.0.0.1",
    "--port", String(port),
    "--inspector-port", String(inspectorPort),
    "--show-interactive-dev-session=false",
    "--persist-to", persistTo,
    "--log-level", opts.logLevel ?? process.env.WORKERD_LOG_LEVEL ?? "log",
  ];
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  const env = {
    ...process.env,
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    WRANGLER_HIDE_BANNER: "true",
    // Tests never edit the config; a reload mid-test would fail in-flight POSTs with a 503.
    WRANGLER_CI_DISABLE_CONFIG_WATCHING: "true",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
  };
  const child = spawn(WRANGLER, args, {
    cwd: ROOT,
    env,
    detached: true, // own process group, so a stuck workerd can be killed with it
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk) => {
    output += chunk.toString();
    if (output.length > 1_000_000) output = output.slice(-500_000);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  let dead = null;
  exited.then((e) => (dead = e));

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (dead) {
      throw new Error(`wrangler dev exited early (${JSON.stringify(dead)}):\n${output.slice(-4000)}`);
    }
    try {
      const res = await fetch(`${url}/__workerd_harness_ready`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      killGroup(child, "SIGKILL");
      throw new Error(`wrangler dev was not ready after ${timeoutMs} ms:\n${output.slice(-4000)}`);
    }
    await sleep(150);
  }

  const worker = {
    url,
    port,
    persistTo,
    vars,
    logs: () => output,
    /**
     * Stops with SIGINT (then SIGKILL after 10 s). Removes the persist dir unless keepState.
     * With WORKERD_TEST_LOGS=<dir>, the whole wrangler/workerd output is saved there.
     */
    async stop({ keepState = false } = {}) {
      if (process.env.WORKERD_TEST_LOGS) {
        mkdirSync(process.env.WORKERD_TEST_LOGS, { recursive: true });
        const file = path.join(process.env.WORKERD_TEST_LOGS, `wrangler-${port}-${Date.now()}.log`);
        writeFileSync(file, output);
      }
      if (!dead) {
        killGroupLeader(child, "SIGINT");
        const t = setTimeout(() => killGroup(child, "SIGKILL"), 10_000);
        await exited;
        clearTimeout(t);
        // workerd may outlive wrangler for a moment; make sure the group is gone.
        killGroup(child, "SIGKILL");
      }
      if (!keepState && ownsState) rmSync(persistTo, { recursive: true, force: true });
    },
    /** Stops and starts again on the same port and persistence directory. */
    async restart() {
      await this.stop({ keepState: true });
      // A killed workerd may hold the port for a moment (more so on a loaded machine): wait for
      // it, and start again if the bind still lost the race.
      for (let attempt = 1; ; attempt++) {
        await waitPortFree(port, 10_000);
        try {
          return await startWorker({ ...opts, port, persistTo, _ownsState: ownsState });
        } catch (e) {
          if (attempt >= 3 || !/Address already in use/.test(String(e?.message))) throw e;
          await sleep(500);
        }
      }
    },
  };
  return worker;
}

function killGroupLeader(child, signal) {
  try {
    process.kill(child.pid, signal);
  } catch {
    // already gone
  }
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Minimal cookie jar: name → value from Set-Cookie headers. */
export class CookieJar {
  constructor() {
    this.cookies = new Map();
  }
  /** Stores every cookie of a response (a Max-Age=0 or past Expires deletes it). */
  store(res) {
    for (const line of res.headers.getSetCookie?.() ?? []) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a)) || value === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  get size() {
    return this.cookies.size;
  }
}

/** The plain-HTTP emulator (`cargo build --example emulator_server`) used as a "real" upstream. */
export const EMULATOR_SERVER = path.join(ROOT, "target", "debug", "examples", "emulator_server");

/**
 * Starts examples/emulator_server on a free loopback port. Resolves `{ url, pid, output, stop }`.
 * Its `/__emulator/faults` queues upstream faults and `/__emulator/requests?prefix=` counts the
 * requests it received (see examples/emulator_server.rs).
 */
export function startEmulatorServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(EMULATOR_SERVER, ["0"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`emulator_server did not start: ${out}`)), 15_000);
    child.stdout.on("data", (c) => {
      out += c;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], pid: child.pid, output: () => out, stop: () => child.kill("SIGTERM") });
      }
    });
    child.stderr.on("data", (c) => (out += c));
    child.on("exit", (code) => reject(new Error(`emulator_server exited (${code}): ${out}`)));
  });
}

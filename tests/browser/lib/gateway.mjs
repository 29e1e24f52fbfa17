// Starts the Worker gateway (emulator mode: no COMPOSIO_API_KEY) under `wrangler dev` on free loopback
// ports with a fresh state directory, and stops it again. `GATEWAY_URL` in the environment skips the start
// and uses an already running gateway instead.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, freePort, until } from "./env.mjs";

const QUIET_ENV = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_COLOR: "1",
};

// wrangler runs in its own process group; make sure no group outlives this process, even on a signal.
const live = new Set();
/** Stop functions of gateways started through the Worker shell's harness (pids not exposed). */
const harnessStops = new Set();
function killAll(signal) {
  for (const pid of live) {
    try {
      process.kill(-pid, signal);
    } catch {
      /* already gone */
    }
  }
}
process.on("exit", () => killAll("SIGKILL"));
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(sig, () => {
    killAll("SIGINT");
    const stops = Promise.allSettled([...harnessStops].map((stop) => stop()));
    const bail = setTimeout(() => {
      killAll("SIGKILL");
      process.exit(130);
    }, 5000);
    stops.then(() => {
      killAll("SIGKILL");
      clearTimeout(bail);
      process.exit(130);
    });
  });
}

function wranglerConfig() {
  for (const name of ["wrangler.test.toml", "wrangler.toml"]) {
    const p = join(ROOT, name);
    if (existsSync(p)) return p;
  }
  throw new Error("no wrangler.toml in the repository root: the Worker shell is not there yet");
}

/**
 * Starts the gateway: through the Worker shell's harness (tests/workerd/harness.mjs, `wrangler dev
 * --config wrangler.test.toml` over the prebuilt build/) when it is there, else with the same recipe here.
 * @returns {Promise<{url: string, origin: string, stop: () => Promise<void>, logs: () => string}>}
 */
export async function startGateway({ readyTimeoutMs = 90_000 } = {}) {
  if (process.env.GATEWAY_URL) {
    const url = process.env.GATEWAY_URL.replace(/\/+$/, "");
    return { url, origin: new URL(url).origin, stop: async () => {}, logs: () => "" };
  }
  const harness = join(ROOT, "tests", "workerd", "harness.mjs");
  if (existsSync(harness)) {
    const { startWorker } = await import(pathToFileURL(harness).href);
    const w = await startWorker({ timeoutMs: readyTimeoutMs, logLevel: "warn" });
    const stop = async () => {
      harnessStops.delete(stop);
      await w.stop();
    };
    harnessStops.add(stop);
    return { url: w.url, origin: new URL(w.url).origin, stop, logs: () => w.logs() };
  }
  return startOwn({ readyTimeoutMs });
}

async function startOwn({ readyTimeoutMs }) {
  const port = await freePort();
  const inspector = await freePort();
  const persist = mkdtempSync(join(tmpdir(), "edge-www-state-"));
  const bin = join(ROOT, "node_modules", ".bin", "wrangler");
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm install in the repository root`);
  const args = [
    "dev",
    "--config", wranglerConfig(),
    "--ip", "127.0.0.1",
    "--port", String(port),
    "--inspector-port", String(inspector),
    "--persist-to", persist,
    "--show-interactive-dev-session=false",
    "--log-level", "warn",
  ];
  let out = "";
  const child = spawn(bin, args, {
    cwd: ROOT,
    env: { ...process.env, ...QUIET_ENV },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const keep = (b) => {
    out += b.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  live.add(child.pid);
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let exited = null;
  const exit = new Promise((r) =>
    child.on("exit", (code, sig) => {
      exited = { code, sig };
      r(exited);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-child.pid, "SIGINT");
    } catch {
      /* already gone */
    }
    const t = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }, 5000);
    await exit;
    clearTimeout(t);
    try {
      process.kill(-child.pid, "SIGKILL"); // workerd children of this group, if wrangler left any
    } catch {
      /* the group is empty */
    }
    live.delete(child.pid);
    rmSync(persist, { recursive: true, force: true });
  };
  try {
    await until(
      async () => {
        if (exited) return "exited";
        const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        return res.status < 500;
      },
      { timeoutMs: readyTimeoutMs, everyMs: 250, what: `wrangler dev on ${url}` },
    );
    if (exited) throw new Error(`wrangler dev exited early (${exited.code ?? exited.sig})`);
  } catch (e) {
    await stop();
    e.message += `\n--- wrangler output ---\n${out.slice(-4000)}`;
    throw e;
  }
  return { url, origin: url, stop, logs: () => out };
}

/** POST /v1/dev/token (emulator mode only) → {token, expires_at}. */
export async function devToken(url, userId) {
  const res = await fetch(`${url}/v1/dev/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user_id: userId }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`dev token: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body;
}

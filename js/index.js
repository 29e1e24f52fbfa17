// composio-edge browser package: the public ES module.
//
// Wraps the wasm-bindgen output (`./composio_edge.js`) into the `createClient` / `EdgeSession`
// API. Decisions (token refresh, routing of local tools, multi-execute split, status
// interpretation, timeouts, origin checks) live in Rust; this file only holds what is inherently
// JavaScript: the popup and `message` events of `authorize`, and error classes.
//
// The package talks to a composio-edge gateway with a short-lived user token. It has no way to
// take a Composio API key, by design.

import initWasm, { EdgeCore, edgeDefaults } from "./composio_edge.js";

let ready = null;

/**
 * Loads and instantiates the WebAssembly module. Optional: `createClient` calls it.
 * `input` is anything wasm-bindgen's web-target init accepts (URL, Response, bytes, Module).
 */
export default function init(input) {
  if (!ready) {
    const arg =
      input === undefined || (input && typeof input === "object" && "module_or_path" in input)
        ? input
        : { module_or_path: input };
    ready = Promise.resolve(initWasm(arg)).then(
      () => undefined,
      (e) => {
        ready = null;
        throw e;
      },
    );
  }
  return ready;
}

/** Errors of this package: `.code` (stable, snake_case), `.status`, `.requestId`. */
export class ComposioEdgeError extends Error {
  constructor(code, message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "ComposioEdgeError";
    this.code = code;
    this.status = details.status ?? 0;
    if (details.requestId !== undefined) this.requestId = details.requestId;
    if (details.violations !== undefined) this.violations = details.violations;
  }
}

function toEdgeError(e) {
  if (e instanceof ComposioEdgeError) return e;
  if (e && typeof e === "object" && typeof e.code === "string") {
    return new ComposioEdgeError(e.code, e.message ?? String(e.code), {
      status: e.status,
      requestId: e.requestId,
      violations: e.violations,
    });
  }
  return new ComposioEdgeError("internal_error", e instanceof Error ? e.message : String(e), {
    cause: e,
  });
}

const wrap = (p) =>
  Promise.resolve(p).catch((e) => {
    throw toEdgeError(e);
  });

/**
 * Creates a client of a composio-edge gateway. `gatewayUrl` may be relative to the page.
 * Pass `token` (fixed) or `getToken` (called again when the token is within 60 s of expiry, and
 * after a 401); `getToken` may resolve to a string or `{ token, expiresAt }` (seconds or ms).
 */
export async function createClient(opts) {
  await init();
  if (!opts || typeof opts.gatewayUrl !== "string") {
    throw new ComposioEdgeError("invalid_request", "createClient needs { gatewayUrl }", { status: 400 });
  }
  const base = globalThis.location && globalThis.location.href ? globalThis.location.href : undefined;
  let url;
  try {
    url = new URL(opts.gatewayUrl, base).href;
  } catch (e) {
    throw new ComposioEdgeError("invalid_request", "gatewayUrl is not a valid url", { status: 400, cause: e });
  }
  let core;
  try {
    core = new EdgeCore(url, opts.token ?? undefined, opts.getToken ?? undefined);
  } catch (e) {
    throw toEdgeError(e);
  }
  return new EdgeClient(core);
}

export class EdgeClient {
  /** @internal */
  constructor(core) {
    this._core = core;
  }
  /** The gateway's origin; popup messages are only accepted from it. */
  get gatewayOrigin() {
    return this._core.gatewayOrigin;
  }
  /** Creates or resumes this user's session (`POST /v1/session`). */
  async session() {
    const info = await wrap(this._core.session());
    return new EdgeSession(this._core, info);
  }
}

const SEVERED_MS = 3000; // a popup "closed" this soon after navigating was cut off by COOP (SEC-20)
const CLOSED_POLL_MS = 400;

export class EdgeSession {
  /** @internal */
  constructor(core, info) {
    this._core = core;
    this.sessionId = info.session_id;
    this.info = info;
    Object.defineProperty(this, "_core", { enumerable: false });
  }

  tools(opts = {}) {
    return wrap(this._core.tools(opts.provider ?? undefined));
  }

  search(q) {
    return wrap(this._core.search(q));
  }

  execute(slug, args, opts = {}) {
    return wrap(
      this._core.execute(slug, args ?? {}, opts.account ?? undefined, opts.idempotencyKey ?? undefined),
    );
  }

  toolkits(opts = {}) {
    return wrap(this._core.toolkits(opts));
  }

  handleToolCalls(response, opts = {}) {
    return wrap(this._core.handleToolCalls(response, opts.provider ?? undefined));
  }

  /** Tools for the Vercel AI SDK: pass `{ jsonSchema }` from the `ai` package. */
  async vercelTools(opts) {
    if (!opts || typeof opts.jsonSchema !== "function") {
      throw new ComposioEdgeError("invalid_request", "vercelTools needs { jsonSchema } from the ai package", {
        status: 400,
      });
    }
    const defs = await wrap(this._core.toolDefinitions());
    const out = {};
    for (const d of defs) {
      out[d.name] = {
        description: d.description,
        inputSchema: opts.jsonSchema(d.parameters),
        execute: (args) => wrap(this._core.executeCall(d.name, args ?? {})),
      };
    }
    return out;
  }

  registerTool(def) {
    if (!def || typeof def.execute !== "function") {
      throw new ComposioEdgeError("invalid_request", "registerTool needs { slug, description, inputSchema, execute }", {
        status: 400,
      });
    }
    const ctx = { execute: (slug, args) => this.execute(slug, args) };
    try {
      this._core.registerTool(
        def.slug,
        def.name ?? undefined,
        def.description,
        def.inputSchema ?? { type: "object", properties: {} },
        def.preload === true,
        async (args) => def.execute(args, ctx),
      );
    } catch (e) {
      throw toEdgeError(e);
    }
  }

  unregisterTool(slug) {
    return this._core.unregisterTool(slug);
  }

  connectionStatus(connectionId) {
    return wrap(this._core.connectionStatus(connectionId));
  }

  waitForConnection(connectionId, timeoutMs) {
    return wrap(this._core.waitForConnection(connectionId, timeoutMs ?? undefined, undefined));
  }

  /**
   * Connects an account. SYNCHRONOUS: call it straight from a click handler. It opens the popup
   * (about:blank) before anything is awaited (SEC-05), then navigates it to the gateway.
   * Completion: a `message` from the gateway origin AND from that popup (SEC-19), confirmed with
   * the gateway; or polling `GET /v1/connect/{id}` when the opener link is gone (COOP, SEC-20).
   */
  authorize(toolkit, opts = {}) {
    const core = this._core;
    const defaults = edgeDefaults();
    const timeoutMs = opts.timeoutMs ?? defaults.defaultAuthorizeMs;
    const hasWindow = typeof window !== "undefined" && typeof window.open === "function";
    let popup = null;
    if (hasWindow) {
      const name = "composio-connect-" + Math.random().toString(36).slice(2);
      try {
        popup = window.open("about:blank", name, "popup=yes,width=520,height=720");
      } catch {
        popup = null;
      }
    }
    const abort = new AbortController();
    let resolveLink, rejectLink;
    const link = new Promise((res, rej) => {
      resolveLink = res;
      rejectLink = rej;
    });
    link.catch(() => {});
    const done = (async () => {
      if (hasWindow && !popup) {
        throw new ComposioEdgeError(
          "popup_blocked",
          "the browser blocked the connect popup; call authorize() directly in a click handler",
          { status: 0 },
        );
      }
      let started;
      try {
        started = await core.connect(toolkit, opts.returnTo ?? undefined);
      } catch (e) {
        if (popup && !popup.closed) popup.close();
        throw toEdgeError(e);
      }
      const id = started.connection_id;
      resolveLink({ connectUrl: started.connect_url, connectionId: id });
      if (popup && popup.closed) {
        throw new ComposioEdgeError("popup_closed", "the connect popup was closed before completing", {
          status: 0,
        });
      }
      if (popup) popup.location.href = started.connect_url;
      const navigatedAt = Date.now();
      return await new Promise((resolve, reject) => {
        let settled = false;
        let closedTimer = null;
        const cleanup = () => {
          abort.abort();
          if (closedTimer !== null) clearInterval(closedTimer);
          if (hasWindow) window.removeEventListener("message", onMessage);
        };
        const finish = (err, status) => {
          if (settled) return;
          settled = true;
          cleanup();
          if (popup && !popup.closed) popup.close();
          if (err) reject(toEdgeError(err));
          else resolve(status);
        };
        const settleFrom = (s, orElse) => {
          if (s.state === "active") finish(null, s);
          else if (s.state === "failed")
            finish(
              new ComposioEdgeError("connection_failed", `connection ${id} failed with status: ${s.status}`, {
                status: 424,
              }),
            );
          else if (orElse) finish(orElse);
        };
        // Polling in Rust: status interpretation, interval and timeout live there.
        core.waitForConnection(id, timeoutMs, abort.signal).then(
          (s) => finish(null, s),
          (e) => {
            if (e && e.code === "aborted") return;
            finish(e);
          },
        );
        // The popup's completion message: only from the gateway origin and from our popup.
        function onMessage(ev) {
          if (ev.origin !== core.gatewayOrigin || popup === null || ev.source !== popup) return;
          core.connectionStatus(id).then((s) => settleFrom(s, null), () => {});
        }
        if (hasWindow) window.addEventListener("message", onMessage);
        // The user closing the popup. A popup that reads as closed right after navigating was
        // severed by Cross-Origin-Opener-Policy: keep polling instead.
        if (popup) {
          closedTimer = setInterval(() => {
            if (!popup.closed) return;
            clearInterval(closedTimer);
            closedTimer = null;
            if (Date.now() - navigatedAt < SEVERED_MS) return;
            const closed = new ComposioEdgeError("popup_closed", "the connect popup was closed before completing", {
              status: 0,
            });
            core.connectionStatus(id).then(
              (s) => settleFrom(s, closed),
              () => finish(closed),
            );
          }, CLOSED_POLL_MS);
        }
      });
    })();
    done.catch((e) => rejectLink(e)); // a flow that never started rejects `link` too
    return {
      popup,
      done,
      link,
      waitForConnection(ms) {
        if (ms === undefined) return done;
        let t;
        const timer = new Promise((_, reject) => {
          t = setTimeout(
            () =>
              reject(
                new ComposioEdgeError("connection_timeout", `timed out waiting for connection after ${ms} ms`, {
                  status: 408,
                }),
              ),
            ms,
          );
        });
        return Promise.race([done, timer]).finally(() => clearTimeout(t));
      },
    };
  }

  /**
   * Resolves when `toolkit` is usable: at once if it needs no auth or has an active account,
   * else after `authorize` completes. The status check is awaited before the popup opens, which
   * stays within the click's user activation in Chromium; in stricter browsers call
   * `authorize` from the click handler instead.
   */
  async ensureConnected(toolkit, opts = {}) {
    const c = await wrap(this._core.toolkitConnection(toolkit));
    if (c.connected) {
      const out = { toolkit, wasConnected: true };
      if (c.connectedAccountId) out.connectedAccountId = c.connectedAccountId;
      return out;
    }
    const s = await this.authorize(toolkit, opts).done;
    const out = { toolkit, wasConnected: false };
    if (s.connectedAccountId) out.connectedAccountId = s.connectedAccountId;
    return out;
  }

  /** Ends this user's session (`DELETE /v1/session`). */
  delete() {
    return wrap(this._core.deleteSession());
  }
}

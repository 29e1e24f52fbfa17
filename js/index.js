// composio-edge browser package: the public ES module.
//
// The wasm (`./composio_edge.js`) holds only synchronous, sans-IO decisions behind one export,
// `edge(op, json)`: gateway url and origin, token freshness, retry and 401 refresh, gateway error
// bodies, argument validation, local-tool routing, multi-execute split and merge, provider tool
// calls and result messages, connection states. This file does the I/O around them: `fetch`,
// `getToken`, timers, local tool handlers, and the popup and `message` events of `authorize`.
// (The native Rust `EdgeClient` in src/edge makes the same decisions with the same code.)
//
// The package talks to a composio-edge gateway with a short-lived user token. It has no way to
// take a Composio API key, by design.

import initWasm, { edge } from "./composio_edge.js";

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

// One decision of the wasm core: throws its error as a ComposioEdgeError (the raw form kept in
// the non-enumerable `_edge`: retryable, api, call).
function op(name, input) {
  const out = JSON.parse(edge(name, JSON.stringify(input === undefined ? null : input)));
  if (out.err) throw fromWire(out.err);
  return out.ok;
}

function fromWire(w) {
  const e = new ComposioEdgeError(w.code, w.message, {
    status: w.status,
    requestId: w.requestId,
    violations: w.violations,
  });
  Object.defineProperty(e, "_edge", { value: w });
  return e;
}

// A 2xx body that parses and is not an error envelope is the answer itself, read by the
// platform's JSON.parse alone (large tool lists and results never cross into the wasm); any
// other response goes to the wasm, which maps it to its typed error.
function decode(res) {
  if (res.status > 199 && res.status < 300) {
    if (!res.body) return null;
    try {
      const v = JSON.parse(res.body);
      if (v?.error?.message === undefined) return v;
    } catch {}
  }
  return op("decode", res);
}

// An execute response as a result. Its `data` (often the bulk of it) is passed through as is,
// without a round trip through the wasm.
function result(value) {
  if (value === null || typeof value !== "object" || Array.isArray(value) || !("data" in value))
    return op("result", { value });
  const r = op("result", { value: { ...value, data: null } });
  r.data = value.data;
  return r;
}

function opError(input) {
  try {
    op("error", input);
  } catch (e) {
    return e;
  }
  return new ComposioEdgeError("internal_error", "unexpected", { status: 500 });
}

function jsMessage(e) {
  if (e && typeof e.message === "string") return e.message;
  return typeof e === "string" ? e : "unknown error";
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const lowerAscii = (s) => String(s).replace(/[A-Z]/g, (c) => c.toLowerCase());
const failed = (error) => ({ data: {}, error, successful: false, logId: "" });

let defaults = null;
function edgeDefaults() {
  if (!defaults) defaults = op("defaults");
  return defaults;
}

// The client's I/O around the wasm decisions (what `EdgeCore` was in Rust).
class Core {
  constructor(gatewayUrl, token, getToken) {
    token = token || undefined;
    if (token !== undefined && getToken !== undefined) {
      throw opError({ kind: "invalid", message: "pass either token or getToken, not both" });
    }
    if (token === undefined && getToken === undefined) {
      throw opError({ kind: "invalid", message: "a token or a getToken function is required" });
    }
    if (getToken !== undefined && typeof getToken !== "function") {
      throw opError({ kind: "invalid", message: "getToken must be a function" });
    }
    const g = op("gateway", { url: gatewayUrl });
    this.base = g.base;
    this.gatewayOrigin = g.origin;
    this.fixed = token;
    this.getToken = getToken;
    this.cached = null;
    this.refreshing = null;
    this.local = new Map(); // final slug -> { def, execute }
    this.schemas = Object.create(null); // upper-cased slug -> input schema
  }

  localDefs() {
    return [...this.local.values()].map((t) => t.def);
  }

  token() {
    if (!this.getToken) return Promise.resolve(this.fixed);
    const c = this.cached;
    if (c && (c.refreshAtMs == null || Date.now() < c.refreshAtMs)) return Promise.resolve(c.token);
    if (!this.refreshing) {
      this.refreshing = (async () => {
        let v;
        try {
          v = await this.getToken();
        } catch (e) {
          throw opError({ kind: "token", message: jsMessage(e) });
        }
        this.cached = op("token", { value: v });
        return this.cached.token;
      })().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  async fetchOnce(url, method, headers, body) {
    const ms = edgeDefaults().timeoutMs;
    const signal = typeof AbortSignal !== "undefined" && AbortSignal.timeout ? AbortSignal.timeout(ms) : undefined;
    const init = { method, headers };
    if (body !== undefined) init.body = body;
    if (signal) init.signal = signal;
    try {
      const res = await globalThis.fetch(new Request(url, init));
      return {
        status: res.status,
        body: await res.text(),
        requestId: res.headers.get("x-request-id") ?? undefined,
        shouldRetry: res.headers.get("x-should-retry") ?? undefined,
        retryAfterMs: res.headers.get("retry-after-ms") ?? undefined,
        retryAfter: res.headers.get("retry-after") ?? undefined,
      };
    } catch (e) {
      const name = e && e.name;
      if (name === "TimeoutError") throw opError({ kind: "timeout", ms });
      if (name === "AbortError") throw opError({ kind: "abort" });
      throw opError({ kind: "connect" });
    }
  }

  // One request with the bearer token; 401 → one token refresh; retries per the wasm.
  async send(method, path, body, key, retryable) {
    const url = this.base + path;
    const data = body === undefined ? undefined : JSON.stringify(body);
    let attempt = 0;
    let refreshed = false;
    for (;;) {
      const token = await this.token();
      const headers = { accept: "application/json", authorization: "Bearer " + token };
      if (data) headers["content-type"] = "application/json";
      if (key != null) headers["idempotency-key"] = key;
      let res;
      let error;
      try {
        res = await this.fetchOnce(url, method, headers, data);
      } catch (e) {
        error = e;
      }
      const d = op("attempt", {
        status: res && res.status,
        error: error && error._edge,
        shouldRetry: res && res.shouldRetry,
        retryAfterMs: res && res.retryAfterMs,
        retryAfter: res && res.retryAfter,
        attempt,
        jitter: Math.random(),
        retryable,
        canRefresh: !!this.getToken,
        refreshed,
      });
      if (d.action === "refresh") {
        refreshed = true;
        this.cached = null;
        continue;
      }
      if (d.action === "retry") {
        attempt++;
        await sleep(d.delayMs);
        continue;
      }
      if (error) throw error;
      return res;
    }
  }

  async call(method, path, body, retryable) {
    return decode(await this.send(method, path, body, undefined, retryable));
  }

  async session() {
    return op("session", { value: await this.call("POST", "/v1/session", {}, true) });
  }

  async tools(provider) {
    // The gateway formats the session's tools and the preloaded local ones, and returns the
    // input schemas beside them (argument checks, restoring keys a provider format renamed).
    const r = op("tools", { provider, local: this.localDefs() });
    const value = await this.call(r.body ? "POST" : "GET", r.path, r.body, true);
    Object.assign(this.schemas, value.schemas);
    return value.tools;
  }

  async toolDefinitions() {
    return op("definitions", { tools: await this.tools("openai") });
  }

  async search(query) {
    const body = op("search", { query, local: this.localDefs() });
    const v = await this.call("POST", "/v1/search", body, true);
    Object.assign(this.schemas, op("searched", { value: v }));
    return v;
  }

  remote(body, key) {
    return this.send("POST", "/v1/execute", body, key, key != null).then(decode);
  }

  async runLocal(l) {
    if (l.result) return l.result;
    const t = this.local.get(l.slug);
    if (!t) return failed("tool not found");
    let data;
    try {
      data = await t.execute(l.args);
    } catch (e) {
      return failed(jsMessage(e));
    }
    try {
      data = data === undefined ? {} : JSON.parse(JSON.stringify(data));
    } catch {
      return failed("invalid request: value is not json-compatible");
    }
    return { data: data === null ? {} : data, error: null, successful: true, logId: "" };
  }

  async execute(slug, args, account, key) {
    const local = this.localDefs();
    // Only the called tool's schema crosses into the wasm (the cache grows with every search).
    const k = typeof slug === "string" ? slug.trim().toUpperCase() : "";
    const schemas = Object.hasOwn(this.schemas, k) ? { [k]: this.schemas[k] } : {};
    const r = op("execute", { slug, args, local, schemas, account });
    if (r.local) return this.runLocal(r.local);
    if (r.remote) return result(await this.remote(r.remote, key));
    const m = r.multi;
    const remote =
      m.remote === null
        ? null
        : m.remote.body === undefined
          ? { error: m.remote.error }
          : this.remote(m.remote.body, key).then(
              (value) => ({ value }),
              (e) => ({ error: jsMessage(e) }),
            );
    const [results, rem] = await Promise.all([Promise.all(m.locals.map((l) => this.runLocal(l))), remote]);
    return op("merge", { input: m.input, local, results, remote: rem });
  }

  async executeCall(slug, args) {
    try {
      return await this.execute(slug, args);
    } catch (e) {
      if (e && e._edge && e._edge.call) return failed(e.message);
      throw e;
    }
  }

  async handleToolCalls(response, provider) {
    // The schemas restore renamed argument keys; result messages need only ids and names.
    const calls = op("calls", { response, provider, schemas: this.schemas });
    const results = [];
    for (const c of calls) results.push(await this.executeCall(c.name, c.arguments));
    return op("messages", { response, provider, results });
  }

  async toolkits(opts) {
    return this.call("GET", op("toolkits", { opts: opts ?? {} }), undefined, true);
  }

  async toolkitConnection(toolkit) {
    const page = await this.toolkits({ toolkits: [toolkit] });
    return op("toolkitConnection", { page, toolkit });
  }

  async connect(toolkit, returnTo) {
    const body = op("connect", { toolkit, returnTo });
    const value = await this.call("POST", "/v1/connect", body, false);
    return op("connected", { value, origin: this.gatewayOrigin });
  }

  async connectionStatus(id) {
    const value = await this.call("GET", op("status", { id }), undefined, true);
    return op("statusOf", { id, value });
  }

  async waitForConnection(id, timeoutMs, signal) {
    const d = edgeDefaults();
    const t = Number.isFinite(timeoutMs) && timeoutMs >= 0 ? Math.floor(timeoutMs) : d.defaultWaitMs;
    const deadline = Date.now() + t;
    let first = true;
    for (;;) {
      if (signal && signal.aborted) throw opError({ kind: "aborted" });
      let input;
      let saved;
      try {
        input = { id, first, ok: await this.connectionStatus(id) };
      } catch (e) {
        if (!e || !e._edge) throw e;
        saved = e;
        input = { id, first, err: e._edge };
      }
      const step = op("waitStep", input);
      if (step.done) return step.done;
      if (step.rethrow) throw saved;
      first = false;
      const now = Date.now();
      if (now >= deadline) throw opError({ kind: "connection_timeout", id });
      await sleep(Math.min(d.pollIntervalMs, deadline - now));
    }
  }

  async deleteSession() {
    const res = await this.send("DELETE", "/v1/session", undefined, undefined, false);
    if (res.status < 200 || res.status > 299) op("decode", res);
    return null;
  }

  registerTool(slug, name, description, inputSchema, preload, execute) {
    const def = { slug, name, description, inputSchema, preload };
    const r = op("register", def);
    this.unregisterTool(r.slug);
    this.local.set(r.finalSlug, { def, execute });
  }

  unregisterTool(slug) {
    let found = false;
    for (const [k, t] of this.local) {
      if (k === slug || lowerAscii(t.def.slug) === lowerAscii(slug)) {
        this.local.delete(k);
        found = true;
      }
    }
    return found;
  }
}

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
    core = new Core(url, opts.token ?? undefined, opts.getToken ?? undefined);
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

// composio-edge agent console: plain ES module, no framework. It talks only to the gateway (same origin
// by default) through the browser package; an optional LLM endpoint gets only what the user types in.
import init, { createClient } from "./pkg/index.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const gatewayUrl = (params.get("gateway") || location.origin).replace(/\/+$/, "");
const NOTES_KEY = "composio-edge-demo:notes";
const USER_KEY = "composio-edge-demo:user";
const AGENT_KEY = "composio-edge-demo:agent";
const LOCAL_SLUG = "PAGE_NOTES";

const state = {
  client: null,
  session: null,
  userId: "",
  tokenExpiresAt: 0,
  /** slug → {slug, toolkit, description, input_schema, kind} */
  tools: new Map(),
  /** toolkit slug → {slug, name, state, message, accountId} */
  toolkits: new Map(),
  selected: null,
};

// ---------------------------------------------------------------------------------------------
// small helpers

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function pretty(value) {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

const FRIENDLY = {
  popup_blocked: "The browser blocked the popup. Allow popups for this site, then click Connect again.",
  popup_closed: "The popup was closed before the connection finished.",
  connection_failed: "The connection was denied or failed.",
  connection_timeout: "Timed out waiting for the connection.",
};

function describe(err) {
  if (!err) return "unknown error";
  const code = err.code;
  let text = (code && FRIENDLY[code]) || err.message || String(err);
  const bits = [];
  if (code) bits.push(code);
  if (err.status) bits.push(`HTTP ${err.status}`);
  if (err.requestId) bits.push(`request ${err.requestId}`);
  if (bits.length) text += ` (${bits.join(", ")})`;
  return text;
}

function log(message, level = "info") {
  const list = $("log");
  const now = new Date();
  const item = el(
    "li",
    { "data-level": level },
    el("time", { datetime: now.toISOString(), text: now.toLocaleTimeString([], { hour12: false }) }),
    el("span", { text: message }),
  );
  list.prepend(item);
  while (list.children.length > 80) list.lastElementChild.remove();
}

function setStatus(text, kind) {
  const s = $("status");
  s.textContent = text;
  s.dataset.state = kind;
}

function busy(button, on) {
  if (!button) return;
  button.setAttribute("aria-busy", on ? "true" : "false");
  button.disabled = on;
}

function banner(text) {
  const b = $("banner");
  b.textContent = text || "";
  b.hidden = !text;
}

function toMillis(expiresAt) {
  if (typeof expiresAt === "number") return expiresAt < 1e11 ? expiresAt * 1000 : expiresAt;
  if (typeof expiresAt === "string") {
    const n = Number(expiresAt);
    if (Number.isFinite(n)) return toMillis(n);
    const t = Date.parse(expiresAt);
    return Number.isFinite(t) ? t : 0;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// session

async function devToken(userId) {
  const res = await fetch(`${gatewayUrl}/v1/dev/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user_id: userId }),
  });
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok || !body || typeof body.token !== "string") {
    const msg = body?.error?.message || `the gateway answered HTTP ${res.status}`;
    const e = new Error(`could not get a dev token: ${msg}`);
    e.code = body?.error?.code || "dev_token_failed";
    e.status = res.status;
    throw e;
  }
  return body;
}

async function startSession(event) {
  event.preventDefault();
  const input = $("user-id");
  if (!input.checkValidity()) {
    input.setAttribute("aria-invalid", "true");
    input.reportValidity();
    return;
  }
  input.removeAttribute("aria-invalid");
  const userId = input.value.trim();
  const button = $("start");
  busy(button, true);
  setStatus("Starting session…", "busy");
  try {
    if (state.session) await endSession({ quiet: true });
    state.userId = userId;
    localStorage.setItem(USER_KEY, userId);
    const getToken = async () => {
      const t = await devToken(userId);
      state.tokenExpiresAt = toMillis(t.expires_at);
      renderTokenExpiry();
      return { token: t.token, expiresAt: state.tokenExpiresAt };
    };
    state.client = await createClient({ gatewayUrl, getToken });
    state.session = await state.client.session();
    registerLocalTools(state.session);
    $("session-id").textContent = state.session.sessionId;
    $("session-user").textContent = userId;
    $("session-meta").hidden = false;
    $("session-actions").hidden = false;
    for (const id of ["search", "agent-run", "use-notes"]) $(id).disabled = false;
    setStatus(`Session ready · ${userId}`, "ready");
    $("start").textContent = "Switch user";
    log(`session ${state.session.sessionId} ready for ${userId}`, "ok");
    banner("");
    $("task").focus();
  } catch (err) {
    state.session = null;
    setStatus("Session failed", "error");
    banner(`Could not start a session: ${describe(err)}`);
    log(`session failed: ${describe(err)}`, "error");
  } finally {
    busy(button, false);
  }
}

function renderTokenExpiry() {
  const exp = state.tokenExpiresAt;
  $("token-exp").textContent = exp
    ? `expires ${new Date(exp).toLocaleTimeString([], { hour12: false })} (refreshed automatically)`
    : "short-lived, refreshed automatically";
}

async function endSession({ quiet = false } = {}) {
  const session = state.session;
  state.session = null;
  state.client = null;
  for (const id of ["search", "agent-run", "use-notes"]) $(id).disabled = true;
  $("session-meta").hidden = true;
  $("session-actions").hidden = true;
  $("found").hidden = true;
  $("search-summary").textContent = "";
  state.tools.clear();
  state.toolkits.clear();
  selectTool(null);
  if (session) {
    try {
      await session.delete();
      if (!quiet) log("session ended", "ok");
    } catch (err) {
      log(`ending the session failed: ${describe(err)}`, "error");
    }
  }
  if (!quiet) setStatus("No session", "idle");
  $("start").textContent = "Start session";
}

// ---------------------------------------------------------------------------------------------
// the browser-local tool

const NOTES_SCHEMA = {
  type: "object",
  properties: {
    action: { type: "string", enum: ["add", "list", "clear"], description: "What to do with the page notes." },
    text: { type: "string", description: "The note to save (only for add).", maxLength: 500 },
  },
  required: ["action"],
};
const NOTES_DESCRIPTION =
  "Save, list or clear short notes kept in this browser's local storage (they never leave the device). " +
  "Use it to remember something for the user on this page, or to read back what was saved.";

function readNotes() {
  try {
    const notes = JSON.parse(localStorage.getItem(NOTES_KEY) || "[]");
    return Array.isArray(notes) ? notes.filter((n) => n && typeof n.text === "string") : [];
  } catch {
    return [];
  }
}

function writeNotes(notes) {
  localStorage.setItem(NOTES_KEY, JSON.stringify(notes.slice(-50)));
  renderNotes();
}

function renderNotes() {
  const list = $("notes");
  list.replaceChildren();
  const notes = readNotes();
  if (!notes.length) {
    list.append(el("li", { class: "none", text: "No notes yet. Run the tool with action “add”." }));
    return;
  }
  for (const n of notes.slice().reverse()) {
    const at = new Date(n.at || 0);
    list.append(
      el("li", {}, el("time", { datetime: at.toISOString(), text: at.toLocaleString([], { hour12: false }) }), n.text),
    );
  }
}

async function notesTool(args) {
  const action = args?.action;
  if (action === "add") {
    const text = String(args.text ?? "").trim();
    if (!text) throw new Error("text is required to add a note");
    const notes = readNotes();
    notes.push({ text, at: Date.now() });
    writeNotes(notes);
    log(`local tool saved a note (${text.length} chars)`, "ok");
    return { saved: text, count: readNotes().length, storage: "localStorage" };
  }
  if (action === "list") return { notes: readNotes(), storage: "localStorage" };
  if (action === "clear") {
    const count = readNotes().length;
    writeNotes([]);
    log("local tool cleared the notes", "ok");
    return { cleared: count };
  }
  throw new Error(`unknown action ${JSON.stringify(action)}: use add, list or clear`);
}

function registerLocalTools(session) {
  session.registerTool({
    slug: LOCAL_SLUG,
    name: "Page notes",
    description: NOTES_DESCRIPTION,
    inputSchema: NOTES_SCHEMA,
    // Listed by tools() directly: the agent loop can use the page's own notes without a search.
    preload: true,
    execute: (args) => notesTool(args),
  });
  state.tools.set(`LOCAL_${LOCAL_SLUG}`, {
    slug: `LOCAL_${LOCAL_SLUG}`,
    toolkit: "local",
    description: NOTES_DESCRIPTION,
    input_schema: NOTES_SCHEMA,
    kind: "local",
  });
}

// ---------------------------------------------------------------------------------------------
// search

async function search(event) {
  event.preventDefault();
  const task = $("task").value.trim();
  if (!task || !state.session) {
    $("task").reportValidity();
    return;
  }
  const button = $("search");
  busy(button, true);
  $("search-summary").textContent = "Searching…";
  try {
    const res = await state.session.search(task);
    renderSearch(res, task);
    await refreshToolkits();
  } catch (err) {
    $("search-summary").textContent = `Search failed: ${describe(err)}`;
    log(`search failed: ${describe(err)}`, "error");
  } finally {
    busy(button, false);
  }
}

function pick(obj, ...keys) {
  for (const k of keys) if (obj && obj[k] !== undefined) return obj[k];
  return undefined;
}

function renderSearch(res, task) {
  const results = pick(res, "results") || [];
  const schemas = pick(res, "tool_schemas", "toolSchemas") || {};
  const statuses = pick(res, "toolkit_connection_statuses", "toolkitConnectionStatuses") || [];

  // tools: primary first, then related, in result order, without duplicates
  const order = [];
  const kind = new Map();
  for (const r of results) {
    for (const s of pick(r, "primary_tool_slugs", "primaryToolSlugs") || []) {
      if (!kind.has(s)) order.push(s);
      kind.set(s, "primary");
    }
  }
  for (const r of results) {
    for (const s of pick(r, "related_tool_slugs", "relatedToolSlugs") || []) {
      if (!kind.has(s)) {
        order.push(s);
        kind.set(s, "related");
      }
    }
  }
  const localSlug = `LOCAL_${LOCAL_SLUG}`;
  const local = state.tools.get(localSlug);
  state.tools.clear();
  for (const slug of order) {
    const s = schemas[slug] || {};
    const isLocal = slug.toUpperCase().startsWith("LOCAL_");
    state.tools.set(slug, {
      slug,
      toolkit: pick(s, "toolkit") || (isLocal ? "local" : slug.split("_")[0].toLowerCase()),
      description: pick(s, "description") || (isLocal && local ? local.description : ""),
      input_schema: pick(s, "input_schema", "inputSchema") || (isLocal && local ? local.input_schema : null),
      kind: isLocal ? "local" : kind.get(slug),
      fromSearch: true,
    });
  }
  if (local && !state.tools.has(localSlug)) state.tools.set(localSlug, { ...local, fromSearch: false });

  state.toolkits.clear();
  for (const st of statuses) {
    const slug = pick(st, "toolkit");
    if (!slug) continue;
    const connected = !!pick(st, "has_active_connection", "hasActiveConnection");
    state.toolkits.set(slug, {
      slug,
      name: slug,
      state: connected ? "connected" : "disconnected",
      message: pick(st, "status_message", "statusMessage") || pick(st, "description") || "",
      accountId: (pick(st, "accounts") || []).find((a) => a && a.status === "active")?.id,
    });
  }
  for (const t of state.tools.values()) {
    if (t.kind !== "local" && t.toolkit && !state.toolkits.has(t.toolkit)) {
      state.toolkits.set(t.toolkit, { slug: t.toolkit, name: t.toolkit, state: "unknown", message: "" });
    }
  }

  const n = order.length;
  const err = pick(res, "error");
  $("search-summary").textContent =
    `${n} tool${n === 1 ? "" : "s"} for “${task}” across ${state.toolkits.size} toolkit${state.toolkits.size === 1 ? "" : "s"}.` +
    (err ? ` ${err}` : "");
  log(`search “${task}” → ${order.slice(0, 4).join(", ")}${n > 4 ? ", …" : ""}`, "ok");
  $("found").hidden = false;
  renderToolkits();
  renderTools();
  const first = order.find((s) => kind.get(s) === "primary") || order[0];
  if (first) selectTool(first, { focus: false });
}

async function refreshToolkits() {
  const slugs = [...state.toolkits.keys()];
  if (!slugs.length || !state.session) return;
  try {
    const page = await state.session.toolkits({ toolkits: slugs, limit: 50 });
    for (const item of page?.items || []) {
      const slug = pick(item, "slug");
      const tk = state.toolkits.get(slug);
      if (!tk) continue;
      tk.name = pick(item, "name") || slug;
      const account = pick(item, "connected_account", "connectedAccount");
      if (pick(item, "is_no_auth", "isNoAuth")) {
        tk.state = "noauth";
      } else if (account && String(account.status).toUpperCase() === "ACTIVE") {
        tk.state = "connected";
        tk.accountId = account.id;
      } else if (tk.state !== "connecting") {
        tk.state = "disconnected";
      }
    }
    renderToolkits();
    renderTools();
  } catch (err) {
    log(`toolkit states unavailable: ${describe(err)}`, "error");
  }
}

const STATE_TEXT = {
  connected: "Connected",
  disconnected: "Not connected",
  connecting: "Connecting…",
  failed: "Failed",
  noauth: "No auth needed",
  unknown: "Unknown",
};

function renderToolkits() {
  const list = $("toolkits");
  list.replaceChildren();
  for (const tk of state.toolkits.values()) {
    const canConnect = tk.state !== "noauth";
    const button = canConnect
      ? el("button", {
          type: "button",
          class: tk.state === "connected" ? "small ghost" : "small primary",
          "data-testid": `connect-${tk.slug}`,
          "data-toolkit": tk.slug,
          "aria-label": `${tk.state === "connected" ? "Reconnect" : "Connect"} ${tk.name}`,
          disabled: tk.state === "connecting",
          onclick: onConnectClick,
          text: tk.state === "connected" ? "Reconnect" : "Connect",
        })
      : null;
    const msg =
      tk.state === "connected" && tk.accountId ? `account ${tk.accountId}` : tk.state === "connecting" || tk.state === "failed" ? tk.message : "";
    list.append(
      el(
        "li",
        { class: "toolkit", "data-testid": `toolkit-${tk.slug}`, "data-state": tk.state },
        el("span", { class: "tk-logo", "aria-hidden": "true", text: tk.slug.slice(0, 2) }),
        el(
          "div",
          { class: "tk-body" },
          el("span", { class: "tk-name", text: tk.name }),
          " ",
          el("span", { class: "state", "data-testid": `toolkit-state-${tk.slug}`, text: STATE_TEXT[tk.state] || tk.state }),
          msg ? el("div", { class: "tk-msg", text: msg }) : null,
        ),
        button,
      ),
    );
  }
  if (!state.toolkits.size) list.append(el("li", { class: "empty", text: "No toolkit involved." }));
  renderRunAuth();
}

// The popup must open in the same task as the click: authorize() is called before any await.
function onConnectClick(event) {
  const toolkit = event.currentTarget.dataset.toolkit;
  const tk = state.toolkits.get(toolkit);
  if (!state.session || !tk) return;
  let request;
  try {
    request = state.session.authorize(toolkit, { timeoutMs: 5 * 60 * 1000 });
  } catch (err) {
    connectionFailed(tk, err);
    return;
  }
  tk.state = "connecting";
  tk.message = "Finish in the popup window…";
  renderToolkits();
  renderTools();
  log(`connecting ${toolkit}: consent popup opened`);
  request.done.then(
    (res) => {
      const status = String(res?.status || "").toUpperCase();
      if (res?.state === "active" || status === "ACTIVE") {
        tk.state = "connected";
        tk.accountId = res.connected_account_id || res.connectedAccountId;
        tk.message = "";
        log(`${toolkit} connected${tk.accountId ? ` (${tk.accountId})` : ""}`, "ok");
      } else {
        tk.state = "failed";
        tk.message = `connection ended with status ${status || "unknown"}`;
        log(`${toolkit}: ${tk.message}`, "error");
      }
      renderToolkits();
      renderTools();
      focusConnect(toolkit);
    },
    (err) => {
      connectionFailed(tk, err);
      focusConnect(toolkit);
    },
  );
}

function connectionFailed(tk, err) {
  tk.state = "failed";
  tk.message = describe(err);
  log(`connecting ${tk.slug} failed: ${describe(err)}`, "error");
  renderToolkits();
  renderTools();
}

function focusConnect(toolkit) {
  const b = document.querySelector(`[data-testid="connect-${CSS.escape(toolkit)}"]`);
  if (b && document.activeElement === document.body) b.focus();
}

function renderTools() {
  const list = $("tools");
  list.replaceChildren();
  for (const t of state.tools.values()) {
    if (!t.fromSearch) continue;
    const tk = state.toolkits.get(t.toolkit);
    const tag = t.kind === "local" ? "local" : t.kind;
    const item = el(
      "li",
      { class: "tool", "data-testid": `tool-${t.slug}`, "data-slug": t.slug, "aria-current": state.selected === t.slug ? "true" : null },
      el(
        "div",
        { class: "tool-head" },
        el("code", { text: t.slug }),
        el("span", { class: `tag ${tag}`, text: tag }),
        t.kind !== "local" && t.toolkit ? el("span", { class: "tag", text: t.toolkit }) : null,
        tk ? el("span", { class: "state", "data-state": tk.state, text: STATE_TEXT[tk.state] || tk.state }) : null,
      ),
      t.description ? el("p", { text: t.description }) : null,
      el(
        "div",
        { class: "tool-foot" },
        el(
          "details",
          { class: "schema" },
          el("summary", { text: "Input schema" }),
          el("pre", { "data-testid": `schema-${t.slug}`, tabindex: "0", text: pretty(t.input_schema ?? {}) }),
        ),
        el("button", {
          type: "button",
          class: "small",
          "data-testid": `use-${t.slug}`,
          "aria-label": `Use ${t.slug}`,
          onclick: () => selectTool(t.slug, { focus: true }),
          text: "Use",
        }),
      ),
    );
    list.append(item);
  }
  if (!list.children.length) list.append(el("li", { class: "empty", text: "No tools found. Try another task." }));
}

// ---------------------------------------------------------------------------------------------
// run form generated from the tool's JSON Schema

function typeOf(schema) {
  if (!schema || typeof schema !== "object") return "json";
  let t = schema.type;
  if (Array.isArray(t)) t = t.find((x) => x !== "null") ?? t[0];
  if (!t) {
    const alts = schema.anyOf || schema.oneOf;
    if (Array.isArray(alts)) {
      const nonNull = alts.filter((a) => a && a.type !== "null");
      if (nonNull.length === 1) return typeOf(nonNull[0]);
    }
    if (Array.isArray(schema.enum)) return "string";
    if (schema.properties) return "object";
    return "json";
  }
  return t;
}

function unwrap(schema) {
  const alts = schema && (schema.anyOf || schema.oneOf);
  if (!schema?.type && Array.isArray(alts)) {
    const nonNull = alts.filter((a) => a && a.type !== "null");
    if (nonNull.length === 1) return { ...nonNull[0], description: schema.description ?? nonNull[0].description };
  }
  return schema || {};
}

let fieldSeq = 0;

function buildField(name, rawSchema, required) {
  const schema = unwrap(rawSchema);
  const type = typeOf(schema);
  const id = `f-${++fieldSeq}`;
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  const enumValues = Array.isArray(schema.enum) ? schema.enum : null;
  let kind;
  let control;
  let typeLabel = type;

  if (enumValues) {
    kind = "enum";
    control = el("select", { id });
    if (!required || schema.default === undefined) control.append(el("option", { value: "", text: required ? "Choose…" : "(not set)" }));
    enumValues.forEach((v, i) => control.append(el("option", { value: String(i), text: String(v) })));
    if (schema.default !== undefined) {
      const i = enumValues.indexOf(schema.default);
      if (i >= 0) control.value = String(i);
    }
    typeLabel = "choice";
  } else if (type === "boolean") {
    if (required) {
      kind = "checkbox";
      control = el("input", { id, type: "checkbox" });
      control.checked = schema.default === true;
    } else {
      kind = "bool";
      control = el("select", { id }, el("option", { value: "", text: "(not set)" }), el("option", { value: "true", text: "true" }), el("option", { value: "false", text: "false" }));
      if (typeof schema.default === "boolean") control.value = String(schema.default);
    }
  } else if (type === "integer" || type === "number") {
    kind = type;
    control = el("input", {
      id,
      type: "number",
      inputmode: type === "integer" ? "numeric" : "decimal",
      step: type === "integer" ? "1" : "any",
      min: schema.minimum,
      max: schema.maximum,
    });
    if (typeof schema.default === "number") control.value = String(schema.default);
  } else if (type === "array" && ["string", "number", "integer"].includes(typeOf(unwrap(schema.items)))) {
    kind = `list-${typeOf(unwrap(schema.items))}`;
    control = el("textarea", { id, rows: 3, placeholder: "one item per line" });
    if (Array.isArray(schema.default)) control.value = schema.default.join("\n");
    typeLabel = `list of ${typeOf(unwrap(schema.items))}s`;
  } else if (type === "string") {
    kind = "string";
    const long = (schema.maxLength ?? 0) > 200 || /body|content|text|message|description|markdown|html|comment/i.test(name);
    const inputType = schema.format === "email" ? "email" : schema.format === "uri" || schema.format === "url" ? "url" : "text";
    control = long
      ? el("textarea", { id, rows: 4, maxlength: schema.maxLength })
      : el("input", { id, type: inputType, maxlength: schema.maxLength, spellcheck: "false" });
    if (typeof schema.default === "string") control.value = schema.default;
    const example = Array.isArray(schema.examples) ? schema.examples[0] : schema.example;
    if (example !== undefined && typeof example !== "object") control.placeholder = String(example);
    if (schema.format) typeLabel = `string, ${schema.format}`;
  } else {
    kind = "json";
    control = el("textarea", { id, rows: 4, class: "code", spellcheck: "false", placeholder: type === "array" ? "[ ]" : "{ }" });
    if (schema.default !== undefined) control.value = pretty(schema.default);
    typeLabel = type === "json" ? "JSON" : `${type}, JSON`;
  }

  control.dataset.name = name;
  control.dataset.kind = kind;
  control.setAttribute("data-testid", `field-${name}`);
  control.setAttribute("name", name);
  if (required) {
    control.setAttribute("aria-required", "true");
    if (kind !== "checkbox") control.required = true;
  }
  const described = [];
  if (schema.description) described.push(hintId);
  described.push(errId);
  control.setAttribute("aria-describedby", described.join(" "));
  if (enumValues) control._enum = enumValues;

  const label = el(
    "label",
    { for: id },
    name,
    required ? el("abbr", { class: "req", title: "required", text: "*" }) : null,
    el("span", { class: "type", text: typeLabel }),
  );
  const hint = schema.description ? el("p", { class: "hint", id: hintId, text: schema.description }) : null;
  const err = el("p", { class: "err", id: errId, hidden: true });
  if (kind === "checkbox") return el("div", { class: "field check" }, control, el("div", {}, label, hint, err));
  return el("div", { class: "field" }, label, control, hint, err);
}

function selectTool(slug, { focus = false } = {}) {
  state.selected = slug;
  for (const li of document.querySelectorAll(".tool")) {
    if (li.dataset.slug === slug) li.setAttribute("aria-current", "true");
    else li.removeAttribute("aria-current");
  }
  const form = $("run-form");
  const t = slug ? state.tools.get(slug) : null;
  $("run-empty").hidden = !!t;
  form.hidden = !t;
  $("result").hidden = true;
  if (!t) return;
  $("run-slug").textContent = t.slug;
  $("run-toolkit").textContent = t.kind === "local" ? "runs in this browser" : t.toolkit;
  renderRunAuth();
  $("run-desc").textContent = t.description || "";
  const fields = $("run-fields");
  fields.replaceChildren();
  const schema = unwrap(t.input_schema || {});
  const props = schema.properties || {};
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const names = Object.keys(props).sort((a, b) => Number(required.has(b)) - Number(required.has(a)));
  for (const name of names) fields.append(buildField(name, props[name], required.has(name)));
  if (!names.length) fields.append(el("p", { class: "hint", text: "This tool takes no arguments." }));
  if (focus) {
    const first = fields.querySelector("input, select, textarea");
    (first || $("run")).focus();
    $("run-card").scrollIntoView({ block: "nearest", behavior: "smooth" });
  }
}

/** The connection state of the selected tool's toolkit, next to its slug in the run form. */
function renderRunAuth() {
  const t = state.selected ? state.tools.get(state.selected) : null;
  const tk = t ? state.toolkits.get(t.toolkit) : null;
  const auth = $("run-auth");
  auth.hidden = !tk;
  if (tk) {
    auth.dataset.state = tk.state;
    auth.textContent = STATE_TEXT[tk.state] || tk.state;
  }
}

function fieldError(control, message) {
  const err = document.getElementById(`${control.id}-err`);
  if (message) {
    control.setAttribute("aria-invalid", "true");
    if (err) {
      err.textContent = message;
      err.hidden = false;
    }
  } else {
    control.removeAttribute("aria-invalid");
    if (err) {
      err.textContent = "";
      err.hidden = true;
    }
  }
}

/** Reads the generated form into an arguments object; returns {args, errors}. */
function collectArgs() {
  const args = {};
  const errors = [];
  for (const c of $("run-fields").querySelectorAll("[data-kind]")) {
    const name = c.dataset.name;
    const required = c.getAttribute("aria-required") === "true";
    const raw = c.type === "checkbox" ? null : String(c.value ?? "");
    fieldError(c, "");
    let value;
    let empty = raw !== null && raw.trim() === "";
    try {
      switch (c.dataset.kind) {
        case "checkbox":
          value = c.checked;
          empty = false;
          break;
        case "bool":
          value = raw === "true";
          break;
        case "enum":
          value = c._enum[Number(raw)];
          break;
        case "integer":
        case "number": {
          value = Number(raw);
          if (!empty && !Number.isFinite(value)) throw new Error("enter a number");
          if (!empty && c.dataset.kind === "integer" && !Number.isInteger(value)) throw new Error("enter a whole number");
          break;
        }
        case "list-string":
        case "list-number":
        case "list-integer": {
          const items = raw.split("\n").map((s) => s.trim()).filter(Boolean);
          value = c.dataset.kind === "list-string" ? items : items.map(Number);
          if (value.some((v) => typeof v === "number" && !Number.isFinite(v))) throw new Error("every line must be a number");
          empty = items.length === 0;
          break;
        }
        case "json":
          if (!empty) value = JSON.parse(raw);
          break;
        default:
          value = raw;
      }
    } catch (e) {
      const msg = e instanceof SyntaxError ? "not valid JSON" : e.message;
      errors.push([c, msg]);
      continue;
    }
    if (empty) {
      if (required) errors.push([c, "required"]);
      continue;
    }
    args[name] = value;
  }
  for (const [c, msg] of errors) fieldError(c, msg);
  return { args, errors };
}

async function runTool(event) {
  event.preventDefault();
  const t = state.tools.get(state.selected);
  if (!t || !state.session) return;
  const { args, errors } = collectArgs();
  if (errors.length) {
    errors[0][0].focus();
    log(`${t.slug}: fix ${errors.length} field${errors.length === 1 ? "" : "s"} first`, "error");
    return;
  }
  const button = $("run");
  busy(button, true);
  const started = performance.now();
  try {
    const res = await state.session.execute(t.slug, args);
    const ms = Math.round(performance.now() - started);
    showResult(res.successful ? "ok" : "fail", res.successful ? "Success" : "Failed", res.error, res.data, `${ms} ms${res.logId ? ` · ${res.logId}` : ""}`);
    log(`${t.slug} ${res.successful ? "succeeded" : `failed: ${res.error}`}`, res.successful ? "ok" : "error");
  } catch (err) {
    showResult("fail", "Error", describe(err), { code: err?.code, status: err?.status, requestId: err?.requestId }, "");
    log(`${t.slug} error: ${describe(err)}`, "error");
  } finally {
    busy(button, false);
  }
}

function showResult(kind, title, error, data, meta) {
  const box = $("result");
  box.dataset.state = kind;
  $("result-status").textContent = title;
  $("result-meta").textContent = meta || "";
  const e = $("result-error");
  e.textContent = error || "";
  e.hidden = !error;
  $("result-json").textContent = pretty(data ?? null);
  box.hidden = false;
}

// ---------------------------------------------------------------------------------------------
// optional LLM agent loop (OpenAI chat completions format)

function loadAgentSettings() {
  try {
    const s = JSON.parse(sessionStorage.getItem(AGENT_KEY) || "{}");
    if (s.endpoint) $("agent-endpoint").value = s.endpoint;
    if (s.model) $("agent-model").value = s.model;
    if (s.secret) $("agent-secret").value = s.secret;
  } catch {
    /* ignore */
  }
}

function saveAgentSettings() {
  sessionStorage.setItem(
    AGENT_KEY,
    JSON.stringify({ endpoint: $("agent-endpoint").value.trim(), model: $("agent-model").value.trim(), secret: $("agent-secret").value }),
  );
}

function chatUrl(endpoint) {
  const base = endpoint.replace(/\/+$/, "");
  return /\/chat\/completions$/.test(base) ? base : `${base}/chat/completions`;
}

function say(role, text, detail) {
  const labels = { user: "You", assistant: "Model", tool: "Tool", error: "Error" };
  $("transcript").append(
    el("li", { "data-role": role }, el("span", { class: "who", text: labels[role] || role }), text ? el("span", { text }) : null, detail !== undefined ? el("pre", { text: pretty(detail) }) : null),
  );
}

async function runAgent(event) {
  event.preventDefault();
  if (!state.session) return;
  const form = $("agent-form");
  if (!form.reportValidity()) return;
  saveAgentSettings();
  const endpoint = $("agent-endpoint").value.trim();
  const model = $("agent-model").value.trim();
  const secret = $("agent-secret").value;
  const task = $("agent-task").value.trim();
  const button = $("agent-run");
  busy(button, true);
  $("transcript").replaceChildren();
  say("user", task);
  try {
    const listed = await state.session.tools({ provider: "openai" });
    const tools = Array.isArray(listed) ? listed : listed?.tools || [];
    const messages = [
      {
        role: "system",
        content:
          "You are an agent running in the user's browser. Use the tools to search for the right tool, then execute it. " +
          "If a toolkit needs a connection, tell the user to press its Connect button.",
      },
      { role: "user", content: task },
    ];
    for (let step = 0; step < 8; step++) {
      const headers = { "content-type": "application/json" };
      if (secret) headers.authorization = `Bearer ${secret}`;
      const res = await fetch(chatUrl(endpoint), {
        method: "POST",
        headers,
        body: JSON.stringify({ model, messages, tools, tool_choice: "auto" }),
      });
      const completion = await res.json().catch(() => null);
      if (!res.ok || !completion) throw new Error(completion?.error?.message || `the model endpoint answered HTTP ${res.status}`);
      const message = completion.choices?.[0]?.message;
      if (!message) throw new Error("the model answered no message");
      messages.push(message);
      const calls = message.tool_calls || [];
      if (message.content) say("assistant", message.content);
      if (!calls.length) break;
      for (const c of calls) say("assistant", `calls ${c.function?.name}`, safeParse(c.function?.arguments));
      const results = await state.session.handleToolCalls(completion, { provider: "openai" });
      for (const r of results) {
        messages.push(r);
        say("tool", r.tool_call_id ? `result for ${r.tool_call_id}` : "result", safeParse(r.content));
      }
      if (step === 7) say("error", "stopped after 8 steps");
    }
    log("agent loop finished", "ok");
  } catch (err) {
    say("error", describe(err));
    log(`agent loop failed: ${describe(err)}`, "error");
  } finally {
    busy(button, false);
  }
}

function safeParse(text) {
  if (typeof text !== "string") return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------------------------
// wiring

function wire() {
  $("gateway-origin").textContent = gatewayUrl;
  const saved = localStorage.getItem(USER_KEY);
  if (saved) $("user-id").value = saved;
  $("session-form").addEventListener("submit", startSession);
  $("end").addEventListener("click", () => endSession());
  $("search-form").addEventListener("submit", search);
  for (const chip of document.querySelectorAll("#examples .chip")) {
    chip.addEventListener("click", () => {
      $("task").value = chip.dataset.task;
      if (state.session) $("search-form").requestSubmit();
      else $("task").focus();
    });
  }
  $("run-form").addEventListener("submit", runTool);
  $("run-reset").addEventListener("click", () => selectTool(state.selected, { focus: true }));
  $("use-notes").addEventListener("click", () => {
    if (!state.tools.has(`LOCAL_${LOCAL_SLUG}`)) return;
    selectTool(`LOCAL_${LOCAL_SLUG}`, { focus: true });
  });
  $("agent-form").addEventListener("submit", runAgent);
  $("agent-forget").addEventListener("click", () => {
    $("agent-secret").value = "";
    sessionStorage.removeItem(AGENT_KEY);
    log("LLM key forgotten");
  });
  window.addEventListener("storage", (e) => {
    if (e.key === NOTES_KEY) renderNotes();
  });
  loadAgentSettings();
  renderNotes();
}

async function main() {
  wire();
  try {
    await init();
  } catch (err) {
    setStatus("Package failed to load", "error");
    banner(`The browser package did not load (${describe(err)}). Build it with scripts/build-browser.sh.`);
    return;
  }
  $("start").disabled = false;
  setStatus("No session", "idle");
  document.documentElement.dataset.ready = "true";
}

main();

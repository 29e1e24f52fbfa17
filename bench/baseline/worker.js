// The benchmark baseline: what a developer would deploy without composio-edge, a small Worker
// that imports the official TypeScript SDK (@composio/core) and talks to the Tool Router.
//
//   GET  /             creates a client (start-up measurement) and answers "ok"
//   POST /search       {"query": "..."}                  → session.search(...)
//   POST /execute      {"tool_slug": "...", "arguments"} → session.execute(...)
//
// One session per isolate and user, created lazily (the gateway keeps one per user in a Durable
// Object; this is the closest stateless equivalent). COMPOSIO_BASE_URL points at the emulator.
import { Composio } from "@composio/core";

let client;
const sessions = new Map();

function composio(env) {
  client ??= new Composio({
    apiKey: env.COMPOSIO_API_KEY ?? "ak_bench",
    baseURL: env.COMPOSIO_BASE_URL ?? "http://127.0.0.1:9",
    allowTracking: false,
    disableVersionCheck: true,
  });
  return client;
}

async function session(env, userId) {
  let s = sessions.get(userId);
  if (!s) {
    s = composio(env).create(userId);
    sessions.set(userId, s);
    s.catch(() => sessions.delete(userId));
  }
  return s;
}

const json = (v, status = 200) =>
  new Response(JSON.stringify(v), { status, headers: { "content-type": "application/json" } });

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    try {
      if (url.pathname === "/") {
        composio(env);
        return new Response("ok");
      }
      const user = request.headers.get("x-user") ?? "bench-user";
      if (url.pathname === "/search" && request.method === "POST") {
        const body = await request.json();
        const s = await session(env, user);
        return json(await s.search({ query: body.query }));
      }
      if (url.pathname === "/execute" && request.method === "POST") {
        const body = await request.json();
        const s = await session(env, user);
        return json(await s.execute(body.tool_slug, body.arguments ?? {}));
      }
      return json({ error: "not found" }, 404);
    } catch (e) {
      return json({ error: String(e?.message ?? e) }, 502);
    }
  },
};

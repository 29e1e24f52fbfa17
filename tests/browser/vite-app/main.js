// A minimal bundled app: imports the browser package from pkg/ like an npm dependency, gets a dev token
// from the gateway (same origin unless ?gateway= is given), opens the session and searches once.
import init, { createClient } from "../../../pkg/index.js";

const status = document.getElementById("status");
const out = document.getElementById("out");
const gatewayUrl = new URLSearchParams(location.search).get("gateway") || location.origin;

async function run() {
  await init();
  const client = await createClient({
    gatewayUrl,
    getToken: async () => {
      const res = await fetch(`${gatewayUrl}/v1/dev/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user_id: "vite-user" }),
      });
      if (!res.ok) throw new Error(`dev token: HTTP ${res.status}`);
      return (await res.json()).token;
    },
  });
  const session = await client.session();
  const found = await session.search("send an email");
  const slugs = (found.results || []).flatMap((r) => r.primary_tool_slugs || []);
  out.textContent = JSON.stringify({ sessionId: session.sessionId, slugs }, null, 2);
  status.textContent = `found ${slugs.length} tools`;
  status.dataset.state = "done";
}

run().catch((err) => {
  out.textContent = `${err && err.code ? `${err.code}: ` : ""}${err && err.message ? err.message : err}`;
  status.textContent = "failed";
  status.dataset.state = "error";
});

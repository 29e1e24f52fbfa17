// Type-level test of index.d.ts (compiled with tsc --noEmit --strict when TypeScript is available).
import init, { createClient, ComposioEdgeError, type ExecuteResult, type OpenAITool, type SearchResult } from "../index";

async function main() {
  await init();
  const client = await createClient({ gatewayUrl: "/", getToken: async () => ({ token: "t", expiresAt: 1 }) });
  const s = await client.session();
  const id: string = s.sessionId;
  const openai: OpenAITool[] = await s.tools({ provider: "openai" });
  const name: string = openai[0].function.name;
  const gemini = await s.tools({ provider: "gemini" });
  const decl: string = gemini.functionDeclarations[0].name;
  const r: SearchResult = await s.search("x");
  const slugs: string[] = r.results[0].primary_tool_slugs;
  const e: ExecuteResult<{ id: string }> = await s.execute<{ id: string }>("X", { a: 1 }, { idempotencyKey: "k" });
  const data: string = e.data.id;
  s.registerTool<{ q: string }>({ slug: "A", description: "d", inputSchema: {}, execute: async (a, ctx) => { await ctx.execute("B"); return a.q; } });
  const req = s.authorize("gmail", { returnTo: "/" });
  const popup: Window | null = req.popup;
  req.done.then((st) => st.connectedAccountId?.toUpperCase());
  const t = await s.vercelTools({ jsonSchema: (x) => x });
  await t["X"].execute({});
  const msgs = await s.handleToolCalls({}, { provider: "anthropic" });
  try { await s.delete(); } catch (err) { if (err instanceof ComposioEdgeError) { const c: string = err.code; const st: number = err.status; } }
  const ens = await s.ensureConnected("gmail");
  const b: boolean = ens.wasConnected;
  return [id, name, slugs, data, popup, msgs, b];
}
main();

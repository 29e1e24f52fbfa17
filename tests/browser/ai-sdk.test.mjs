// The Vercel AI SDK (`ai`) runs an agent loop with a scripted mock model: the model calls one of the
// session's tools, the tool executes through the browser package against the gateway (on the emulator,
// under `wrangler dev`), and the tool result comes back into the loop, where the model reads it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { generateText, jsonSchema, stepCountIs } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { startGateway } from "./lib/gateway.mjs";
import { nodeSession } from "./lib/node-session.mjs";

let gw;
before(async () => {
  gw = await startGateway();
});
after(async () => {
  await gw?.stop();
});

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};

/** Every slug-looking string inside a JSON value. */
function slugsIn(value) {
  const out = new Set();
  JSON.stringify(value ?? null).replace(/"([A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+)"/g, (_, s) => out.add(s));
  return [...out];
}

test("generateText with a scripted model calls a session tool and reads its result", async () => {
  // record what goes over the wire: the tool must really execute through the gateway
  const calls = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    // read url and method without constructing a Request (that would consume the body)
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = init?.method ?? (typeof input === "object" && "method" in input ? input.method : "GET");
    if (url.startsWith(gw.url)) calls.push(`${method} ${new URL(url).pathname}`);
    return realFetch(input, init);
  };
  try {
    const { session } = await nodeSession(gw.url, `ai-sdk-${Date.now().toString(36)}`);
    const tools = await session.vercelTools({ jsonSchema });
    const names = Object.keys(tools);
    assert.ok(names.includes("COMPOSIO_SEARCH_TOOLS"), `tools: ${names.join(", ")}`);
    for (const t of Object.values(tools)) {
      assert.equal(typeof t.description, "string");
      assert.equal(typeof t.execute, "function");
      assert.ok(t.inputSchema, "no inputSchema");
    }

    const prompts = [];
    let foundSlug = null;
    const model = new MockLanguageModelV3({
      doGenerate: async ({ prompt, tools: offered }) => {
        prompts.push(prompt);
        const results = prompt.filter((m) => m.role === "tool").flatMap((m) => m.content);
        if (results.length === 0) {
          assert.ok(offered.some((t) => t.name === "COMPOSIO_SEARCH_TOOLS"), "the model was not offered the tool");
          return {
            content: [
              {
                type: "tool-call",
                toolCallId: "call-search-1",
                toolName: "COMPOSIO_SEARCH_TOOLS",
                input: JSON.stringify({ queries: [{ use_case: "send an email to the team" }] }),
              },
            ],
            finishReason: { unified: "tool-calls", raw: "tool_calls" },
            usage,
            warnings: [],
          };
        }
        // the model reads the tool result it was given and answers with a slug found in it
        const result = results.find((r) => r.toolCallId === "call-search-1");
        foundSlug = slugsIn(result?.output).find((s) => !s.startsWith("COMPOSIO_")) ?? null;
        return {
          content: [{ type: "text", text: foundSlug ? `Use ${foundSlug} to send the email.` : "I found nothing." }],
          finishReason: { unified: "stop", raw: "stop" },
          usage,
          warnings: [],
        };
      },
    });

    const result = await generateText({
      model,
      tools,
      stopWhen: stepCountIs(4),
      prompt: "Find the tool to send an email to the team.",
    });

    assert.equal(result.steps.length, 2, "expected a tool step and an answer step");
    const toolResults = result.steps[0].toolResults;
    assert.equal(toolResults.length, 1);
    assert.equal(toolResults[0].toolName, "COMPOSIO_SEARCH_TOOLS");
    const output = toolResults[0].output;
    assert.ok(output && typeof output === "object", `tool output: ${JSON.stringify(output)}`);
    // what the model saw in its second call is exactly the tool's output
    const seen = prompts[1].filter((m) => m.role === "tool").flatMap((m) => m.content)[0];
    assert.deepEqual(seen.output.value ?? seen.output, JSON.parse(JSON.stringify(output)));
    assert.ok(foundSlug, `no tool slug in the search result: ${JSON.stringify(output).slice(0, 500)}`);
    assert.equal(result.text, `Use ${foundSlug} to send the email.`);
    assert.ok(calls.some((c) => c.startsWith("POST /v1/execute") || c.startsWith("POST /v1/search")), calls.join(", "));
  } finally {
    globalThis.fetch = realFetch;
  }
});

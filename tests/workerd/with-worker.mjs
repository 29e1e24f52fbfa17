// Runs a command against the Worker in a real workerd: starts `wrangler dev` (see harness.mjs)
// with no Composio key, exports its URL as COMPOSIO_BASE_URL and EDGE_URL, runs the command,
// stops the Worker, and exits with the command's status.
//
//   node tests/workerd/with-worker.mjs bash tests/sdk/run.sh     # the official SDKs vs the Worker

import { spawn } from "node:child_process";

import { ROOT, startWorker } from "./harness.mjs";

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error("usage: node tests/workerd/with-worker.mjs <command> [args…]");
  process.exit(2);
}

const worker = await startWorker();
console.error(`with-worker: the Worker is at ${worker.url} (emulator mode)`);
let status = 1;
try {
  status = await new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      stdio: "inherit",
      env: { ...process.env, COMPOSIO_BASE_URL: worker.url, EDGE_URL: worker.url },
    });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on("error", () => resolve(127));
  });
} finally {
  await worker.stop();
}
process.exit(status);

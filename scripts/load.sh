#!/usr/bin/env bash
# Bounded load run of the gateway under `wrangler dev` (issue 7 "Load"); not part of the test command.
#
#   bash scripts/load.sh                       # 64 connections, 60 s, 200 users
#   CONNECTIONS=128 DURATION=30 USERS=500 bash scripts/load.sh
#   MODE=emulator bash scripts/load.sh         # the embedded emulator instead of emulator_server
#
# What it does (scripts/load.py): starts examples/emulator_server on a loopback port and the
# Worker (build/, `wrangler dev --config wrangler.test.toml`, loopback only) in production mode
# against it (COMPOSIO_API_KEY set, COMPOSIO_BASE_URL = the emulator server; MODE=emulator runs
# the Worker without a key, on its embedded emulator Durable Object, with dev tokens). It mints a
# token per user (POST /v1/tokens with the admin key), opens each user's session and warms the
# schema cache, then runs wrk (one thread per core, a Lua script that picks a random user and a
# weighted operation per request: 50% search, 30% execute HACKERNEWS_GET_TOP_STORIES, 20%
# toolkits) and samples the workerd process's VmRSS (/proc/PID/status) at the start, every 10 s
# and at the end. EDGE_RATE_LIMIT_PER_MINUTE is set far above what a user can reach, so every
# non-2xx answer is an error; our limiter's 429s (code rate_limited) would be counted apart.
#
# Output: a summary on stdout, target/load.json (every figure) and target/load.md (a markdown
# table). The wrangler/workerd output is kept in target/load-wrangler.log.
# Needs: bash scripts/build-worker.sh, cargo build --example emulator_server, wrk (apt-get install wrk).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
command -v wrk >/dev/null || { echo "load.sh: wrk is missing (apt-get install wrk)" >&2; exit 1; }
[ -f build/index.js ] || { echo "load.sh: build/ is missing: bash scripts/build-worker.sh" >&2; exit 1; }
[ -x node_modules/.bin/wrangler ] || { echo "load.sh: wrangler is missing: npm install" >&2; exit 1; }
if [ "${MODE:-production}" != emulator ] && [ ! -x target/debug/examples/emulator_server ] \
  && [ ! -x target/release/examples/emulator_server ]; then
  step cargo build -q --example emulator_server
fi
exec python3 scripts/load.py

#!/usr/bin/env bash
# The main command: runs the composio-edge Worker locally — the gateway API, the demo page and the
# embedded Tool Router emulator — in a real workerd (`wrangler dev`), with no Composio key needed.
# On a fresh machine it first installs what it needs (wasm target, cargo tools, npm packages).
#
#   bash scripts/dev.sh                 # http://127.0.0.1:8787
#   PORT=9000 bash scripts/dev.sh       # another port
#   WATCH=1 bash scripts/dev.sh         # rebuild on source changes (wrangler.toml [build])
#
# State (sessions, connected accounts, emulator data) persists in .wrangler/state between runs.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
PORT="${PORT:-8787}"
HOST=127.0.0.1
URL="http://$HOST:$PORT"

bash scripts/setup.sh rust tools npm
step bash scripts/build-worker.sh
if [ -f scripts/build-browser.sh ]; then
  # The demo page needs the browser package; the gateway and the emulator run without it.
  echo "::: bash scripts/build-browser.sh"
  if ! bash scripts/build-browser.sh; then
    echo "warning: scripts/build-browser.sh failed; the demo page may not work (the API does)" >&2
  fi
fi
mkdir -p www # wrangler needs the assets directory even before the demo page is built

if [ -f .dev.vars ] && grep -q '^[[:space:]]*COMPOSIO_API_KEY[[:space:]]*=' .dev.vars; then
  echo "note: .dev.vars sets COMPOSIO_API_KEY, so this runs against the real Composio API, not the emulator" >&2
fi

cat <<MSG

  composio-edge on the embedded emulator (no COMPOSIO_API_KEY)
    demo page        $URL/
    gateway API      $URL/v1/…          (dev tokens: POST $URL/v1/dev/token {"user_id": "…"})
    emulator API     $URL/api/v3.1/…    (point an SDK here: baseURL / base_url = $URL, any API key)
    connect pages    $URL/link/…
  Ctrl-C stops it.

MSG

config=wrangler.test.toml # serves the build/ made above; no second build
if [ "${WATCH:-0}" = 1 ]; then
  config=wrangler.toml # runs scripts/build-worker.sh itself and rebuilds when src/ changes
  export PRODUCTION=0   # … with the embedded emulator, like the build above
fi
exec wrangler dev --config "$config" --ip "$HOST" --port "$PORT" \
  --show-interactive-dev-session=false --inspector-port "$(free_port)" \
  --var "EDGE_ALLOWED_ORIGINS:$URL,http://localhost:$PORT" \
  --var "EDGE_RETURN_URLS:$URL/,http://localhost:$PORT/"

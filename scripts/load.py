#!/usr/bin/env python3
"""The load run of scripts/load.sh (read its header). Env: CONNECTIONS (64), DURATION (60 s),
USERS (200), MODE (production | emulator), THREADS (cores)."""
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from load import free_port, http, start, stop_all, wait_http  # noqa: E402  (bench/load.py)

WRANGLER = os.path.join(ROOT, "node_modules", ".bin", "wrangler")
API_KEY = "ak_load_run_project_key"
ADMIN_KEY = "load-admin-key-0123456789abcdef"
SIGNING_KEY = "load-signing-key-0123456789abcdef0123456789abcdef"
TOOL = "HACKERNEWS_GET_TOP_STORIES"
QUERY = "get the top stories from hacker news"

LUA = r"""
local tokens = {%(tokens)s}
local search = [[%(search)s]]
local execute = [[%(execute)s]]
local threads = {}
local n = 0
counts = {}

function setup(thread)
  n = n + 1
  thread:set("id", n)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id * 7919)
end

function request()
  local h = { ["authorization"] = "Bearer " .. tokens[math.random(#tokens)] }
  local r = math.random(100)
  if r <= 50 then
    h["content-type"] = "application/json"
    return wrk.format("POST", "/v1/search", h, search)
  elseif r <= 80 then
    h["content-type"] = "application/json"
    return wrk.format("POST", "/v1/execute", h, execute)
  else
    return wrk.format("GET", "/v1/toolkits?limit=20", h)
  end
end

function response(status, headers, body)
  local key = tostring(status)
  if status >= 300 then
    local code = body and body:match('"code"%%s*:%%s*"([a-z_]+)"')
    if code then
      key = key .. " " .. code
    elseif body and body:find("restarted mid%%-request") then
      key = key .. " wrangler: worker restarted mid-request"
    end
  end
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c) do merged[k] = (merged[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(merged) do table.insert(parts, string.format('"%%s": %%d', k, v)) end
  io.write(string.format(
    'LOADJSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, ' ..
    '"socket_errors": {"connect": %%d, "read": %%d, "write": %%d, "timeout": %%d}, "non_2xx_or_3xx": %%d, ' ..
    '"latency_us": {"p50": %%d, "p90": %%d, "p99": %%d, "p999": %%d, "mean": %%.1f, "max": %%d}, ' ..
    '"by_status": {%%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.mean, latency.max, table.concat(parts, ", ")))
end
"""


def descendants(pid):
    """Every process below pid (from /proc)."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in children.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            m = re.search(rf"^{field}:\s+(\d+) kB", f.read(), re.M)
            return int(m.group(1)) if m else None
    except OSError:
        return None


def cpu_s(pid):
    """User + system CPU seconds of one process (0 when gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    connections = int(os.environ.get("CONNECTIONS", "64"))
    duration = int(os.environ.get("DURATION", "60"))
    users = int(os.environ.get("USERS", "200"))
    mode = os.environ.get("MODE", "production")
    threads = int(os.environ.get("THREADS", str(os.cpu_count() or 2)))
    out_dir = os.path.join(ROOT, "target")
    os.makedirs(out_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="edge-load-")
    try:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        vars_ = {
            "EDGE_ALLOWED_ORIGINS": url,
            "EDGE_RETURN_URLS": f"{url}/",
            "EDGE_SIGNING_KEY": SIGNING_KEY,
            "EDGE_ADMIN_KEY": ADMIN_KEY,
            # Far above what one user reaches here (~2 req/s each): any 429 is someone's error.
            "EDGE_RATE_LIMIT_PER_MINUTE": "100000",
        }
        emulator_bin = None
        if mode != "emulator":
            for profile in ("release", "debug"):
                b = os.path.join(ROOT, "target", profile, "examples", "emulator_server")
                if os.path.exists(b):
                    emulator_bin = b
                    break
            ep = free_port()
            emu = start([emulator_bin, str(ep)], ROOT, log=os.path.join(out_dir, "load-emulator.log"))
            upstream = f"http://127.0.0.1:{ep}"
            wait_http(upstream + "/", 30, emu)
            vars_.update({"COMPOSIO_API_KEY": API_KEY, "COMPOSIO_BASE_URL": upstream})
        args = [WRANGLER, "dev", "--config", "wrangler.test.toml", "--ip", "127.0.0.1", "--port", str(port),
                "--inspector-port", str(free_port()), "--show-interactive-dev-session=false",
                "--persist-to", os.path.join(tmp, "state"), "--log-level", "warn"]
        for k, v in vars_.items():
            args += ["--var", f"{k}:{v}"]
        env = {"CLOUDFLARE_CF_FETCH_ENABLED": "false", "WRANGLER_SEND_METRICS": "false",
               "WRANGLER_SEND_ERROR_REPORTS": "false", "WRANGLER_HIDE_BANNER": "true", "NO_COLOR": "1",
               "WRANGLER_CI_DISABLE_CONFIG_WATCHING": "true"}
        wr = start(args, ROOT, env, os.path.join(out_dir, "load-wrangler.log"))
        wait_http(url + "/v1/tools", 90, wr)
        workerd = [p for p in descendants(wr.pid) if comm(p) == "workerd"]
        if not workerd:
            raise RuntimeError("no workerd process under wrangler dev")
        wpid = workerd[0]

        # Tokens, sessions and the schema cache of every user (in parallel, before the clock).
        def prepare(i):
            uid = f"load-user-{i:04d}@example.com"
            if mode == "emulator":
                st, tok = http("POST", url + "/v1/dev/token", {"user_id": uid})
            else:
                st, tok = http("POST", url + "/v1/tokens", {"user_id": uid},
                               {"authorization": f"Bearer {ADMIN_KEY}"})
            assert st == 200, (st, tok)
            auth = {"authorization": f"Bearer {tok['token']}"}
            st, s = http("POST", url + "/v1/session", {}, auth, timeout=60)
            assert st in (200, 201), (st, s)
            st, r = http("POST", url + "/v1/execute", {"tool_slug": TOOL, "arguments": {}}, auth, timeout=60)
            assert st == 200 and r.get("successful") is True, (st, str(r)[:300])
            return tok["token"]

        t0 = time.time()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            tokens = list(pool.map(prepare, range(users)))
        prep_s = round(time.time() - t0, 1)

        script = os.path.join(tmp, "mixed.lua")
        with open(script, "w") as f:
            f.write(LUA % {
                "tokens": ",".join(f'"{t}"' for t in tokens),
                "search": json.dumps({"query": QUERY}),
                "execute": json.dumps({"tool_slug": TOOL, "arguments": {"limit": 5}}),
            })

        samples = []
        stop = threading.Event()

        def sample(label):
            samples.append({"t_s": label, "rss_kb": status_kb(wpid, "VmRSS"), "hwm_kb": status_kb(wpid, "VmHWM"),
                            "loadavg": loadavg()})

        def sampler():
            start_t = time.time()
            while not stop.wait(10):
                sample(round(time.time() - start_t))

        # CPU time per process over the run: where the two cores went.
        procs = {"workerd": [wpid], "wrangler (node, dev proxy)": [p for p in [wr.pid] + descendants(wr.pid)
                                                                    if comm(p) in ("node", "wrangler")]}
        if emulator_bin:
            procs["emulator_server"] = [emu.pid]
        cpu0 = {k: sum(cpu_s(p) for p in v) for k, v in procs.items()}
        sample("start")
        th = threading.Thread(target=sampler, daemon=True)
        th.start()
        load_before = loadavg()
        run = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
                              "-s", script, url], capture_output=True, text=True, timeout=duration + 60)
        stop.set()
        th.join()
        sample("end")
        cpu = {k: round(sum(cpu_s(p) for p in v) - cpu0[k], 1) for k, v in procs.items()}
        m = re.search(r"^LOADJSON (.*)$", run.stdout, re.M)
        if not m:
            raise RuntimeError(f"wrk said:\n{run.stdout}\n{run.stderr}")
        w = json.loads(m.group(1))
        secs = w["duration_us"] / 1e6
        by_status = dict(sorted(w["by_status"].items()))
        ok = sum(v for k, v in by_status.items() if k.startswith("2"))
        limiter = sum(v for k, v in by_status.items() if k == "429 rate_limited")
        errors = {k: v for k, v in by_status.items() if not k.startswith("2") and k != "429 rate_limited"}
        socket = w["socket_errors"]
        with open(os.path.join(out_dir, "load-wrangler.log"), errors="replace") as f:
            wlog = f.read()
        result = {
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "command": "bash scripts/load.sh" + (" (MODE=emulator)" if mode == "emulator" else ""),
            "mode": mode,
            "upstream": os.path.relpath(emulator_bin, ROOT) if emulator_bin else "embedded emulator Durable Object",
            "users": users, "connections": connections, "wrk_threads": threads, "duration_s": round(secs, 1),
            "mix": "50% POST /v1/search, 30% POST /v1/execute HACKERNEWS_GET_TOP_STORIES, 20% GET /v1/toolkits",
            "prepare_s": prep_s,
            "requests": w["requests"], "rps": round(w["requests"] / secs, 1),
            "latency_ms": {k: round(v / 1000, 1) for k, v in w["latency_us"].items()},
            "ok_2xx": ok, "rate_limited_429_ours": limiter, "errors_by_status": errors,
            "socket_errors": socket,
            "worker_log_errors": len(re.findall(r"panicked|RuntimeError|Uncaught|✘ \[ERROR\]", wlog)),
            "workerd_pid": wpid, "memory": samples, "cpu_seconds_during_run": cpu,
            "loadavg_before_after": [load_before, loadavg()], "cores": os.cpu_count(),
        }
        with open(os.path.join(out_dir, "load.json"), "w") as f:
            json.dump(result, f, indent=1)
        lat = result["latency_ms"]
        rss = " → ".join(f"{s['rss_kb'] // 1024 if s['rss_kb'] else '?'}" for s in samples)
        md = "\n".join([
            f"Load run {result['date']}, `{result['command']}`: {mode} mode, {users} users, "
            f"{connections} connections, {threads} wrk threads, {result['duration_s']} s, {result['mix']}; "
            f"{os.cpu_count()} cores, load average {load_before} before, {loadavg()} after.",
            "",
            "| requests | req/s | p50 ms | p90 ms | p99 ms | max ms | 2xx | errors | our 429s | socket errors |",
            "|---|---|---|---|---|---|---|---|---|---|",
            f"| {w['requests']} | {result['rps']} | {lat['p50']} | {lat['p90']} | {lat['p99']} | {lat['max']} | {ok} | "
            f"{sum(errors.values())} {json.dumps(errors) if errors else ''} | {limiter} | "
            f"{sum(socket.values())} |",
            "",
            f"workerd VmRSS (MiB) at start, every 10 s, end: {rss}; peak (VmHWM) "
            f"{max((s['hwm_kb'] or 0) for s in samples) // 1024} MiB. CPU seconds during the run: "
            + ", ".join(f"{k} {v}" for k, v in cpu.items()) + ".",
        ])
        with open(os.path.join(out_dir, "load.md"), "w") as f:
            f.write(md + "\n")
        print(md)
        print(json.dumps(result, indent=1))
        return 0 if not errors and not any(socket.values()) else 1
    finally:
        stop_all()


if __name__ == "__main__":
    sys.exit(main())

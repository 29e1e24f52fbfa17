#!/usr/bin/env python3
"""Edge overhead and throughput: search and execute, three ways, with wrk (bounded in time).

    python3 bench/load.py --duration 10 --connections 4 --out target/bench/load.json

  direct    wrk → emulator_server (the upstream itself, examples/emulator_server.rs)
  ours      wrk → our Worker on workerd (production mode: COMPOSIO_API_KEY set,
            COMPOSIO_BASE_URL = the emulator) → its user Durable Object → emulator
  baseline  wrk → the JS Worker on @composio/core (bench/baseline) → emulator

Both Workers are what `wrangler deploy --dry-run` would upload, served on workerd by Miniflare
(bench/serve.mjs), not by `wrangler dev`, whose Node process takes part in every subrequest
(about 3 ms of Node CPU per outbound fetch or Durable Object call; --server wrangler measures
that way). Besides wrk's latency and throughput, the CPU time the serving process group used
per request is recorded: on a shared machine it is much steadier than wall-clock times.

Every process is started in its own process group and stopped by that group id. Each target is
checked with one request (status 200 and a sane body) before it is loaded; non-2xx responses
under load are counted and reported.
"""
import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
WRANGLER = os.path.join(ROOT, "bench", "baseline", "node_modules", ".bin", "wrangler")
API_KEY = "ak_bench_project_key"
ADMIN_KEY = "bench-admin-key-0123456789abcdef"
SIGNING_KEY = "bench-signing-key-0123456789abcdef0123456789abcdef"
TOOL = "HACKERNEWS_GET_TOP_STORIES"
QUERY = "get the top stories from hacker news"
PROCS = []


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def start(cmd, cwd, env=None, log=None):
    f = open(log, "w") if log else subprocess.DEVNULL
    p = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=f, stderr=subprocess.STDOUT,
                         start_new_session=True)
    PROCS.append(p)
    return p


def stop_all():
    for p in PROCS:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGINT)
            except ProcessLookupError:
                pass
    deadline = time.time() + 5
    for p in PROCS:
        try:
            p.wait(max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def http(method, url, body=None, headers=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            try:
                return r.status, json.loads(raw or b"null")
            except ValueError:
                return r.status, raw.decode(errors="replace")[:300]
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw.decode(errors="replace")[:300]


def wait_http(url, timeout=60, proc=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited early")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except urllib.error.HTTPError:
            return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"{url} not ready after {timeout}s")


def dry_run(config_dir, config, outdir):
    """What `wrangler deploy` would upload, into outdir (no login needed)."""
    env = {**os.environ, "CLOUDFLARE_CF_FETCH_ENABLED": "false", "WRANGLER_SEND_METRICS": "false",
           "WRANGLER_SEND_ERROR_REPORTS": "false", "NO_COLOR": "1"}
    r = subprocess.run([WRANGLER, "deploy", "--dry-run", "--outdir", outdir, "--config", config], cwd=config_dir,
                       env=env, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"wrangler deploy --dry-run in {config_dir} failed: {r.stdout[-500:]} {r.stderr[-500:]}")
    return outdir


def miniflare(bundle, port, vars_, log, durable_objects=()):
    args = ["node", os.path.join(ROOT, "bench", "serve.mjs"), "--dir", bundle, "--port", str(port)]
    for d in durable_objects:
        args += ["--do", d]
    for k, v in vars_.items():
        args += ["--var", f"{k}={v}"]
    return start(args, ROOT, None, log)


TICK = os.sysconf("SC_CLK_TCK")


def group_cpu_s(pgid):
    """CPU seconds (user + system) used so far by the live processes of a process group."""
    total = 0.0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        if int(fields[2]) == pgid:
            total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def wrangler_dev(config_dir, config, port, vars_, log):
    args = [WRANGLER, "dev", "--config", config, "--ip", "127.0.0.1", "--port", str(port),
            "--inspector-port", str(free_port()), "--show-interactive-dev-session=false",
            "--persist-to", tempfile.mkdtemp(prefix="bench-persist-"), "--log-level", "warn"]
    for k, v in vars_.items():
        args += ["--var", f"{k}:{v}"]
    env = {"CLOUDFLARE_CF_FETCH_ENABLED": "false", "WRANGLER_SEND_METRICS": "false",
           "WRANGLER_SEND_ERROR_REPORTS": "false", "WRANGLER_HIDE_BANNER": "true", "NO_COLOR": "1"}
    return start(args, config_dir, env, log)


LUA = """
wrk.method = "POST"
wrk.body = [[%s]]
wrk.headers["content-type"] = "application/json"
%s
"""


def wrk(url, body, headers, duration, connections, tmp):
    script = os.path.join(tmp, f"s{time.time_ns()}.lua")
    hdrs = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
    with open(script, "w") as f:
        f.write(LUA % (json.dumps(body), hdrs))
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s", "-s", script, url],
                         capture_output=True, text=True, timeout=duration + 30).stdout

    def ms(label):
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return None
        v = float(m.group(1))
        return round(v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v, 3)

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {"p50_ms": ms("50"), "p90_ms": ms("90"), "p99_ms": ms("99"),
            "rps": float(rps.group(1)) if rps else None, "requests": int(total.group(1)) if total else 0,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0, "socket_errors": errors.group(0) if errors else None}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--out", default="target/bench/load.json")
    ap.add_argument("--emulator-bin", default=os.path.join(ROOT, "target", "release", "examples", "emulator_server"))
    ap.add_argument("--worker-root", default=ROOT, help="directory with wrangler.test.toml and build/")
    ap.add_argument("--server", default="miniflare", choices=["miniflare", "wrangler"],
                    help="serve the Workers with Miniflare (workerd only, default) or wrangler dev")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-load-")
    logs = os.path.join(ROOT, "target", "bench")
    os.makedirs(logs, exist_ok=True)
    try:
        # Upstream: the emulator on its own loopback port.
        ep = free_port()
        emu = start([a.emulator_bin, str(ep)], ROOT, log=os.path.join(logs, "emulator.log"))
        upstream = f"http://127.0.0.1:{ep}"
        wait_http(upstream + "/", 30, emu)

        # Our Worker, production mode against the emulator; and the baseline Worker.
        op, bp = free_port(), free_port()
        ours_vars = {
            "COMPOSIO_API_KEY": API_KEY, "COMPOSIO_BASE_URL": upstream, "EDGE_ADMIN_KEY": ADMIN_KEY,
            "EDGE_SIGNING_KEY": SIGNING_KEY, "EDGE_RATE_LIMIT_PER_MINUTE": "0",
            "EDGE_ALLOWED_ORIGINS": f"http://127.0.0.1:{op}", "EDGE_RETURN_URLS": f"http://127.0.0.1:{op}/"}
        base_vars = {"COMPOSIO_API_KEY": API_KEY, "COMPOSIO_BASE_URL": upstream}
        base_root = os.path.join(ROOT, "bench", "baseline")
        if a.server == "wrangler":
            ours = wrangler_dev(a.worker_root, "wrangler.test.toml", op, ours_vars, os.path.join(logs, "server-ours.log"))
            base = wrangler_dev(base_root, "wrangler.toml", bp, base_vars, os.path.join(logs, "server-baseline.log"))
        else:
            os.makedirs(os.path.join(a.worker_root, "www"), exist_ok=True)  # the assets directory the config names
            ours = miniflare(dry_run(a.worker_root, "wrangler.test.toml", os.path.join(tmp, "ours")), op, ours_vars,
                             os.path.join(logs, "server-ours.log"), ["USERS=UserObject", "EMULATOR=EmulatorObject"])
            base = miniflare(dry_run(base_root, "wrangler.toml", os.path.join(tmp, "baseline")), bp, base_vars,
                             os.path.join(logs, "server-baseline.log"))
        ours_url, base_url = f"http://127.0.0.1:{op}", f"http://127.0.0.1:{bp}"
        wait_http(ours_url + "/v1/tools", 90, ours)  # front answers 401: up
        wait_http(base_url + "/", 90, base)

        # Direct: a session on the emulator.
        key = {"x-api-key": API_KEY}
        st, sess = http("POST", upstream + "/api/v3.1/tool_router/session", {"user_id": "bench-user"}, key)
        assert st in (200, 201), (st, sess)
        sid = sess["session_id"]
        direct = {
            "search": (f"{upstream}/api/v3.1/tool_router/session/{sid}/search", {"queries": [{"use_case": QUERY}]}, key),
            "execute": (f"{upstream}/api/v3.1/tool_router/session/{sid}/execute", {"tool_slug": TOOL, "arguments": {}}, key),
        }
        # Ours: a user token from the admin endpoint, the session created once.
        st, tok = http("POST", ours_url + "/v1/tokens", {"user_id": "bench-user"}, {"authorization": f"Bearer {ADMIN_KEY}"})
        assert st == 200, (st, tok)
        auth = {"authorization": f"Bearer {tok['token']}"}
        st, s = http("POST", ours_url + "/v1/session", {}, auth)
        assert st in (200, 201), (st, s)
        gw = {
            "search": (ours_url + "/v1/search", {"query": QUERY}, auth),
            "execute": (ours_url + "/v1/execute", {"tool_slug": TOOL, "arguments": {}}, auth),
        }
        bl = {
            "search": (base_url + "/search", {"query": QUERY}, {}),
            "execute": (base_url + "/execute", {"tool_slug": TOOL, "arguments": {}}, {}),
        }
        targets = {"direct": direct, "ours": gw, "baseline": bl}
        groups = {"direct": emu.pid, "ours": ours.pid, "baseline": base.pid}
        results = {"duration_s": a.duration, "connections": a.connections, "tool": TOOL, "query": QUERY,
                   "server": "miniflare (workerd)" if a.server == "miniflare" else "wrangler dev", "cases": {}}
        for op_name in ["search", "execute"]:
            for tname, t in targets.items():
                url, body, headers = t[op_name]
                # Check (and warm: session, schema cache, JIT) before loading.
                for _ in range(3):
                    st, res = http("POST", url, body, headers)
                if st != 200:
                    raise RuntimeError(f"{tname} {op_name}: HTTP {st}: {str(res)[:300]}")
                cpu0 = group_cpu_s(groups[tname])
                r = wrk(url, body, headers, a.duration, a.connections, tmp)
                cpu = group_cpu_s(groups[tname]) - cpu0
                r["cpu_ms_per_request"] = round(1000 * cpu / r["requests"], 3) if r["requests"] else None
                results["cases"][f"{op_name}/{tname}"] = r
                print(f"{op_name:<8} {tname:<9} p50 {r['p50_ms']} ms  p99 {r['p99_ms']} ms  {r['rps']} req/s  "
                      f"{r['cpu_ms_per_request']} ms CPU/request  ({r['requests']} requests, {r['non_2xx']} non-2xx)", flush=True)
        with open(a.out, "w") as f:
            json.dump(results, f, indent=1)
    finally:
        stop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())

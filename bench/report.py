#!/usr/bin/env python3
"""Assembles the benchmark parts in target/bench/ into one table (Markdown, printed and written
to target/bench/table.md), one JSON document (target/bench/results.json) and an SVG chart of
the side-by-side comparison (bench/chart.svg). Standard library only.

    python3 bench/report.py [--dir target/bench] [--chart bench/chart.svg]
"""
import argparse
import datetime
import json
import os
import platform
import subprocess


def load(d, name):
    p = os.path.join(d, name)
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return json.load(f)


def machine():
    cpu = "unknown cpu"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    distro = ""
    try:
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                distro = line.split("=", 1)[1].strip().strip('"') + ", "
    except OSError:
        pass
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory": mem, "os": f"{distro}{platform.system()} {platform.release()}",
        "load_average": [round(x, 2) for x in os.getloadavg()], "node": node, "rustc": rustc,
        "load_average_at_start": start_load(),
    }


def start_load():
    """The load average bench.sh recorded when it started (target/bench/loadavg-start), if any."""
    try:
        with open(os.path.join(ARGS_DIR[0], "loadavg-start")) as f:
            return [float(x) for x in f.read().split()[:3]]
    except (OSError, ValueError):
        return None


ARGS_DIR = ["target/bench"]


def kb(b):
    return f"{b / 1024:.1f} KB" if b is not None else "n/a"


def fmt(v, unit="", nd=1):
    if v is None:
        return "n/a"
    return f"{v:.{nd}f}{unit}"


def table(r):
    L = []
    m = r["machine"]
    L.append(f"Benchmark of {r['date']} on {m['cpu']} ({m['cores']} cores, {m['memory']}), {m['os']}, "
             f"{m['rustc']}, node {m['node']}; load average (1, 5, 15 min) at the start "
             f"{m.get('load_average_at_start')}, at the end {m['load_average']}.")
    L.append("")
    s = r.get("size") or {}
    L.append("| Size (gzip) | composio-edge | `@composio/core` baseline | budget |")
    L.append("|---|---|---|---|")
    b = s.get("budgets") or {}
    bl = s.get("baseline") or {}
    base_cell = f"{kb(bl.get('minified_gzip'))} minified ({kb(bl.get('default_gzip'))} unminified)"
    if b.get("worker_production"):
        L.append(f"| Worker bundle, production (`wrangler deploy --dry-run`, no emulator) | {kb(b['worker_production'].get('gzip'))} "
                 f"| {base_cell} | 150 KB |")
        L.append(f"| Worker bundle, default (with the embedded emulator) | {kb((b.get('worker') or {}).get('gzip'))} | | |")
    else:
        L.append(f"| Worker bundle (`wrangler deploy --dry-run`) | {kb((b.get('worker') or {}).get('gzip'))} | {base_cell} | 150 KB |")
    L.append(f"| Browser package (wasm + JS glue) | {kb((b.get('browser') or {}).get('gzip'))} | none (issue 6: its browser build fails) | 60 KB |")
    if s.get("emulator_share"):
        e = s["emulator_share"]
        L.append(f"| of which the embedded emulator (code, from the name section) | {kb(e.get('bytes'))} raw ({e.get('percent_of_code')} % of code) | | |")
    L.append("")
    st = r.get("startup")
    if st:
        w = st["workers"]
        o, bb, e = w.get("ours", {}), w.get("baseline", {}), w.get("empty", {})
        ratio = (o.get("over_empty_ms") / bb.get("over_empty_ms")) if o and bb and bb.get("over_empty_ms") else None
        L.append(f"| Start-up (workerd start → first response, median of {st['rounds']} interleaved rounds) | composio-edge | baseline | empty Worker |")
        L.append("|---|---|---|---|")
        L.append(f"| total | {fmt(o.get('median_ms'), ' ms')} | {fmt(bb.get('median_ms'), ' ms')} | {fmt(e.get('median_ms'), ' ms')} |")
        L.append(f"| above the empty Worker | **{fmt(o.get('over_empty_ms'), ' ms')}** | **{fmt(bb.get('over_empty_ms'), ' ms')}** | 0 |")
        L.append(f"| ratio composio-edge / baseline (above empty) | {fmt(ratio, '', 2)} | 1 | |")
        L.append("")
    sub = r.get("subrequests")
    if sub:
        L.append("| Subrequests per operation (budget, enforced by `cargo test --test subrequests`) | budget | status |")
        L.append("|---|---|---|")
        for k, v in sub["budgets"].items():
            L.append(f"| {k} | {v} | {sub['status']} |")
        L.append("")
    ld = r.get("load")
    if ld:
        L.append(f"| Load ({ld['connections']} connections, {ld['duration_s']} s each, wrk; Workers on {ld.get('server', 'workerd')}) "
                 f"| p50 | p99 | req/s | CPU/request | p50 overhead vs direct | req/s vs direct | p50, CPU vs `@composio/core` |")
        L.append("|---|---|---|---|---|---|---|---|")
        names = {"direct": "upstream emulator, direct", "ours": "composio-edge gateway (workerd)", "baseline": "`@composio/core` Worker (workerd)"}
        for op in ["search", "execute"]:
            d = ld["cases"].get(f"{op}/direct") or {}
            for t in ["direct", "ours", "baseline"]:
                c = ld["cases"].get(f"{op}/{t}")
                if not c:
                    continue
                over = (c["p50_ms"] - d["p50_ms"]) if t != "direct" and c.get("p50_ms") is not None and d.get("p50_ms") is not None else None
                rr = (c["rps"] / d["rps"]) if t != "direct" and c.get("rps") and d.get("rps") else None
                errs = f" ({c['non_2xx']} non-2xx)" if c.get("non_2xx") else ""
                b = ld["cases"].get(f"{op}/baseline") or {}
                vs = "—"
                if t == "ours" and c.get("p50_ms") and b.get("p50_ms"):
                    vs = f"{c['p50_ms'] / b['p50_ms']:.2f}×"
                    if c.get("cpu_ms_per_request") and b.get("cpu_ms_per_request"):
                        vs += f", {c['cpu_ms_per_request'] / b['cpu_ms_per_request']:.2f}×"
                L.append(f"| {op}: {names[t]} | {fmt(c.get('p50_ms'), ' ms', 2)} | {fmt(c.get('p99_ms'), ' ms', 2)} | {fmt(c.get('rps'), '', 0)}{errs} "
                         f"| {fmt(c.get('cpu_ms_per_request'), ' ms', 2)} "
                         f"| {('+' + fmt(over, ' ms', 2)) if over is not None else '—'} | {fmt(rr, '×', 2) if rr is not None else '—'} | {vs} |")
        L.append("")
    core = r.get("core") or {}
    if core.get("native") or core.get("wasm"):
        L.append("| Core micro-benchmark (ratio to `serde_json` parsing the same bytes, same run) | native | wasm32 (Node) |")
        L.append("|---|---|---|")
        nat = {c["name"]: c for c in (core.get("native") or {}).get("cases", [])}
        was = {c["name"]: c for c in (core.get("wasm") or {}).get("cases", [])}
        for name in list(nat) + [n for n in was if n not in nat]:
            n, w = nat.get(name), was.get(name)
            cell = lambda c: f"{c['ratio']:.2f}× ({c['median_us'] / 1000:.2f} ms)" if c else "n/a"
            L.append(f"| {name} | {cell(n)} | {cell(w)} |")
        L.append("")
    return "\n".join(L)


ORANGE, GREY, LIGHT = "#f38020", "#4b5563", "#b6bcc6"


def svg(r):
    """Panels of horizontal bars: composio-edge beside the @composio/core baseline (and the
    upstream called directly, or the budget), with units, the date, the machine and the method."""
    s = r.get("size") or {}
    b = s.get("budgets") or {}
    bl = s.get("baseline") or {}
    kb = lambda v: v / 1024 if v else None
    worker = b.get("worker_production") or b.get("worker") or {}
    size_bars = [
        ("composio-edge Worker" + (" (production)" if b.get("worker_production") else ""), kb(worker.get("gzip")), ORANGE),
        ("@composio/core Worker (minified)", kb(bl.get("minified_gzip")), GREY),
        ("composio-edge browser package", kb((b.get("browser") or {}).get("gzip")), ORANGE),
    ]
    panels = [("Size, KB gzip (smaller is better; budgets: Worker 150, browser 60)", "KB", 1, size_bars)]
    st = (r.get("startup") or {}).get("workers") or {}
    panels.append(("Start-up above an empty Worker, ms (workerd start to first response; smaller is better)", "ms", 1, [
        ("composio-edge", (st.get("ours") or {}).get("over_empty_ms"), ORANGE),
        ("@composio/core", (st.get("baseline") or {}).get("over_empty_ms"), GREY),
    ]))
    ld = r.get("load") or {}
    cases = ld.get("cases") or {}
    who = [("direct", "upstream, direct", LIGHT), ("ours", "composio-edge gateway", ORANGE), ("baseline", "@composio/core Worker", GREY)]
    for metric, title, unit, nd in [
        ("p50_ms", "p50 latency, ms (smaller is better)", "ms", 2),
        ("p99_ms", "p99 latency, ms (smaller is better)", "ms", 1),
        ("rps", "throughput, requests/s (larger is better)", "req/s", 0),
        ("cpu_ms_per_request", "CPU per request, ms (serving processes; smaller is better)", "ms", 2),
    ]:
        bars = []
        for op in ["search", "execute"]:
            for t, label, color in who:
                c = cases.get(f"{op}/{t}")
                if c and c.get(metric) is not None:
                    bars.append((f"{op}: {label}", c[metric], color))
        if bars:
            panels.append((title, unit, nd, bars))
    W, left, barh, gap = 860, 260, 16, 5
    y = 119
    out = []
    for title, unit, nd, bars in panels:
        out.append(f'<text x="12" y="{y}" font-size="13" font-weight="bold">{esc(title)}</text>')
        y += 8
        vals = [v for _, v, _ in bars if v is not None]
        mx = max(vals + [1e-9])
        for label, v, color in bars:
            w = (W - left - 110) * (v or 0) / mx
            out.append(f'<text x="{left - 8}" y="{y + barh - 4}" font-size="11.5" text-anchor="end">{esc(label)}</text>')
            out.append(f'<rect x="{left}" y="{y}" width="{max(w, 0.5):.1f}" height="{barh}" fill="{color}"/>')
            txt = "n/a" if v is None else f"{v:,.{nd}f} {unit}"
            out.append(f'<text x="{left + w + 6:.1f}" y="{y + barh - 4}" font-size="11.5">{esc(txt)}</text>')
            y += barh + gap
        y += 22
    m = r["machine"]
    method = ""
    if ld:
        method = (f"Load: wrk, {ld.get('connections')} connections, {ld.get('duration_s')} s per case, "
                  f"Workers on {ld.get('server', 'workerd')} in front of the emulator on loopback. ")
    lines = [
        f"{r['date']} · {m['cpu']}, {m['cores']} cores, {m['memory']} · {m['os']}",
        f"load average {load_text(m)} · command: bash scripts/bench.sh",
        method.strip(),
        "Timings are noisy on shared machines: compare the bars within a panel, not across runs.",
    ]
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{y + 10}" viewBox="0 0 {W} {y + 10}" '
            f'font-family="system-ui, -apple-system, Segoe UI, sans-serif">'
            f'<rect width="100%" height="100%" fill="white"/>'
            f'<text x="12" y="24" font-size="16" font-weight="bold">composio-edge vs the official @composio/core SDK on workerd</text>'
            + "".join(f'<text x="12" y="{44 + 15 * i}" font-size="11" fill="#374151">{esc(t)}</text>' for i, t in enumerate(lines)))
    return head + "".join(out) + "</svg>\n"


def load_text(m):
    start = m.get("load_average_at_start")
    end = m["load_average"][0]
    return f"{start[0]} at the start, {end} at the end" if start else f"{end} at the end"


def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="target/bench")
    ap.add_argument("--chart", default="bench/chart.svg")
    ap.add_argument("--subrequests", default="unknown")
    a = ap.parse_args()
    d = a.dir
    ARGS_DIR[0] = d
    budgets = load(d, "budgets.json")
    worker_wasm = load(d, "worker-wasm.json")
    emu = None
    if worker_wasm and worker_wasm.get("code_bytes"):
        eb = (worker_wasm.get("shares") or {}).get("composio_edge::emulator")
        if eb:
            emu = {"bytes": eb, "percent_of_code": round(100 * eb / worker_wasm["code_bytes"], 1)}
    r = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "size": {"budgets": budgets, "baseline": load(d, "baseline-size.json"), "emulator_share": emu,
                 "worker_wasm": worker_wasm},
        "startup": load(d, "startup.json"),
        "subrequests": {"status": a.subrequests, "budgets": {
            "create a session": 1, "resume a session (reload, new token)": 0, "search": 1,
            "execute (schema known)": 1, "multi-execute of 50 tools": 1,
            "execute of a never-seen tool (cold schema lookup, then execute)": 2,
            "emulator mode: network subrequests": 0}},
        "load": load(d, "load.json"),
        "core": {"native": load(d, "core-native.json"), "wasm": load(d, "core-wasm.json")},
    }
    t = table(r)
    print(t)
    with open(os.path.join(d, "table.md"), "w") as f:
        f.write(t + "\n")
    with open(os.path.join(d, "results.json"), "w") as f:
        json.dump(r, f, indent=1)
    with open(a.chart, "w") as f:
        f.write(svg(r))
    print(f"\nwrote {os.path.join(d, 'results.json')}, {os.path.join(d, 'table.md')} and {a.chart}")


if __name__ == "__main__":
    main()

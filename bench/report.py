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
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory": mem, "os": f"{platform.system()} {platform.release()}",
        "load_average": [round(x, 2) for x in os.getloadavg()], "node": node, "rustc": rustc,
    }


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
             f"{m['rustc']}, node {m['node']}; load average at the end {m['load_average']}.")
    L.append("")
    s = r.get("size") or {}
    L.append("| Size (gzip) | composio-edge | `@composio/core` baseline | budget |")
    L.append("|---|---|---|---|")
    b = s.get("budgets") or {}
    bl = s.get("baseline") or {}
    L.append(f"| Worker bundle (`wrangler deploy --dry-run`) | {kb((b.get('worker') or {}).get('gzip'))} "
             f"| {kb(bl.get('minified_gzip'))} minified ({kb(bl.get('default_gzip'))} unminified) | 150 KB |")
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
        L.append(f"| Load ({ld['connections']} connections, {ld['duration_s']} s each, wrk) | p50 | p99 | req/s | p50 overhead vs direct | req/s vs direct |")
        L.append("|---|---|---|---|---|---|")
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
                L.append(f"| {op}: {names[t]} | {fmt(c.get('p50_ms'), ' ms', 2)} | {fmt(c.get('p99_ms'), ' ms', 2)} | {fmt(c.get('rps'), '', 0)}{errs} "
                         f"| {('+' + fmt(over, ' ms', 2)) if over is not None else '—'} | {fmt(rr, '×', 2) if rr is not None else '—'} |")
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


def svg(r):
    """Four panels of horizontal bars, composio-edge beside the baseline (and direct/empty)."""
    panels = []
    s = r.get("size") or {}
    b = s.get("budgets") or {}
    bl = s.get("baseline") or {}
    panels.append(("Worker bundle, gzip KB (smaller is better)", [
        ("composio-edge", ((b.get("worker") or {}).get("gzip") or 0) / 1024, "#f38020"),
        ("@composio/core (minified)", (bl.get("minified_gzip") or 0) / 1024, "#6b7280"),
    ]))
    st = (r.get("startup") or {}).get("workers") or {}
    panels.append(("Start-up above an empty Worker, ms (smaller is better)", [
        ("composio-edge", (st.get("ours") or {}).get("over_empty_ms") or 0, "#f38020"),
        ("@composio/core", (st.get("baseline") or {}).get("over_empty_ms") or 0, "#6b7280"),
    ]))
    ld = (r.get("load") or {}).get("cases") or {}
    for metric, title in [("p50_ms", "p50 latency, ms (smaller is better)"), ("rps", "requests/s (larger is better)")]:
        for op in ["search", "execute"]:
            bars = []
            for t, label, color in [("direct", "upstream, direct", "#9ca3af"), ("ours", "composio-edge", "#f38020"), ("baseline", "@composio/core", "#6b7280")]:
                c = ld.get(f"{op}/{t}")
                if c and c.get(metric) is not None:
                    bars.append((label, c[metric], color))
            if bars:
                panels.append((f"{op}: {title}", bars))
    W, left, barh, gap = 760, 230, 18, 6
    y = 50
    out = []
    for title, bars in panels:
        out.append(f'<text x="10" y="{y}" font-size="14" font-weight="bold">{esc(title)}</text>')
        y += 10
        mx = max([v for _, v, _ in bars] + [1e-9])
        for label, v, color in bars:
            w = (W - left - 90) * v / mx
            out.append(f'<text x="{left - 8}" y="{y + barh - 5}" font-size="12" text-anchor="end">{esc(label)}</text>')
            out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{barh}" fill="{color}"/>')
            out.append(f'<text x="{left + w + 6:.1f}" y="{y + barh - 5}" font-size="12">{v:,.1f}</text>')
            y += barh + gap
        y += 28
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{y}" viewBox="0 0 {W} {y}" '
            f'font-family="system-ui, -apple-system, Segoe UI, sans-serif">'
            f'<rect width="100%" height="100%" fill="white"/>'
            f'<text x="10" y="20" font-size="15" font-weight="bold">composio-edge vs the official @composio/core SDK on workerd — {esc(r["date"])}</text>')
    return head + "".join(out) + "</svg>\n"


def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="target/bench")
    ap.add_argument("--chart", default="bench/chart.svg")
    ap.add_argument("--subrequests", default="unknown")
    a = ap.parse_args()
    d = a.dir
    budgets = load(d, "budgets.json")
    worker_wasm = load(d, "worker-wasm.json")
    emu = None
    if worker_wasm and worker_wasm.get("code_bytes"):
        eb = (worker_wasm.get("shares") or {}).get("composio_edge::emulator")
        if eb is not None:
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
            "execute of a never-seen tool (cold schema lookup)": "≤ 3",
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

#!/usr/bin/env python3
"""Where the bytes of a .wasm file go: sections, and code size per crate/module and per function,
read from the wasm `name` section (no external tools).

    python3 bench/wasm_sizes.py build/index_bg.wasm [--top 15] [--depth 2] [--json out.json]
    python3 bench/wasm_sizes.py FILE --share composio_edge::emulator   # bytes of code under a path

Function names come from the name section (wasm-ld writes demangled Rust paths; worker-build
keeps them because it runs wasm-opt with --debuginfo). Without a name section only the section
table is printed. Data segments (string constants, tables) are not attributable to functions.
"""
import argparse
import gzip
import json
import re
import sys

SECTION_NAMES = {
    0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory", 6: "global",
    7: "export", 8: "start", 9: "element", 10: "code", 11: "data", 12: "datacount", 13: "tag",
}


def leb(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def name_str(buf, pos):
    n, pos = leb(buf, pos)
    return buf[pos:pos + n].decode("utf-8", "replace"), pos + n


def parse(buf):
    if buf[:4] != b"\0asm":
        raise ValueError("not a wasm module")
    pos = 8
    sections = []  # (label, size)
    imported_funcs = 0
    bodies = []  # sizes of defined functions, in order
    names = {}
    while pos < len(buf):
        sid = buf[pos]
        size, body = leb(buf, pos + 1)
        end = body + size
        label = SECTION_NAMES.get(sid, f"unknown{sid}")
        if sid == 0:
            cname, p = name_str(buf, body)
            label = f"custom:{cname}"
            if cname == "name":
                while p < end:
                    sub = buf[p]
                    sub_size, q = leb(buf, p + 1)
                    if sub == 1:  # function names
                        count, r = leb(buf, q)
                        for _ in range(count):
                            idx, r = leb(buf, r)
                            nm, r = name_str(buf, r)
                            names[idx] = nm
                    p = q + sub_size
        elif sid == 2:
            count, p = leb(buf, body)
            for _ in range(count):
                _, p = name_str(buf, p)
                _, p = name_str(buf, p)
                kind = buf[p]
                p += 1
                if kind == 0:
                    _, p = leb(buf, p)
                    imported_funcs += 1
                elif kind == 1:  # table: reftype + limits
                    p += 1
                    flags, p = leb(buf, p)
                    _, p = leb(buf, p)
                    if flags & 1:
                        _, p = leb(buf, p)
                elif kind == 2:  # memory: limits
                    flags, p = leb(buf, p)
                    _, p = leb(buf, p)
                    if flags & 1:
                        _, p = leb(buf, p)
                elif kind == 3:  # global: valtype + mut
                    p += 2
                elif kind == 4:  # tag
                    p += 1
                    _, p = leb(buf, p)
        elif sid == 10:
            count, p = leb(buf, body)
            for _ in range(count):
                fsize, q = leb(buf, p)
                bodies.append(q - p + fsize)
                p = q + fsize
        sections.append((label, end - pos))
        pos = end
    funcs = []
    for i, size in enumerate(bodies):
        idx = imported_funcs + i
        funcs.append((demangle(names.get(idx, f"func[{idx}]")), size))
    return sections, funcs, bool(names)


LEGACY_ESCAPES = [("$LT$", "<"), ("$GT$", ">"), ("$RF$", "&"), ("$BP$", "*"), ("$C$", ","),
                  ("$SP$", "@"), ("$u20$", " "), ("$u27$", "'"), ("$u5b$", "["), ("$u5d$", "]"),
                  ("$u7b$", "{"), ("$u7d$", "}"), ("$u7e$", "~"), ("..", "::")]


def idents(s, pos, stop):
    """Length-prefixed identifiers from `pos` until `stop` (or the end)."""
    out = []
    while pos < len(s) and s[pos] != stop:
        m = re.match(r"\d+", s[pos:])
        if not m:
            pos += 1
            continue
        n = int(m.group(0))
        pos += len(m.group(0))
        if n == 0 or pos + n > len(s):
            continue
        out.append(s[pos:pos + n])
        pos += n
    return out


def demangle(name):
    """Rust legacy (`_ZN…E`) names fully, v0 (`_R…`) names as a best-effort path."""
    if name.startswith("_ZN"):
        parts = idents(name, 3, "E")
        if parts and re.fullmatch(r"h[0-9a-f]{16}", parts[-1]):
            parts = parts[:-1]
        out = []
        for p in parts:
            if p.startswith("_$"):
                p = p[1:]
            for a, b in LEGACY_ESCAPES:
                p = p.replace(a, b)
            out.append(p)
        return "::".join(out)
    if name.startswith("_R"):
        # Skip crate disambiguators (`Cs<base62>_`) so they are not read as lengths.
        s = re.sub(r"Cs[0-9A-Za-z]*_", "C", name[2:])
        parts = [p for p in idents(s, 0, "\0") if not p.startswith("_") or len(p) > 1]
        return "::".join(parts) or name
    return name


def owner(name, depth):
    """The module path a function belongs to: `<a::b::C as d::E>::f` → `a::b`, `memcpy` → `(unpathed)`."""
    if name.startswith("__wbg") or name.startswith("__externref") or re.search(r"_[0-9a-f]{16}$", name):
        return "(wasm-bindgen glue)"
    # `<T as a::b::Trait>::f` with an unpathed T (a primitive, a generic): the trait's path.
    m = re.match(r"<([^<>:]+(?:<[^<>]*>)?) as ([A-Za-z_][\w:]*)", name)
    if m and "::" not in m.group(1):
        name = m.group(2) + "::f"
    n = name
    while True:
        m = re.sub(r"^(?:[<&*\[( ]+|dyn |mut |const )", "", n)
        if m == n:
            break
        n = m
    m = re.match(r"[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*", n)
    if not m:
        return "(other)"
    parts = m.group(0).split("::")
    if len(parts) == 1:
        return "(unpathed)"
    mods = []
    for p in parts[:-1]:
        if p[0].isupper():
            break
        mods.append(p)
    return "::".join((mods or parts[:1])[:depth])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("wasm")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--json")
    ap.add_argument("--share", action="append", default=[], help="report code bytes under this path prefix")
    args = ap.parse_args()
    buf = open(args.wasm, "rb").read()
    sections, funcs, has_names = parse(buf)
    total = len(buf)
    code_total = sum(s for _, s in funcs)
    print(f"{args.wasm}: {total} bytes, {len(gzip.compress(buf, 9))} gzip -9, {len(funcs)} functions")
    print(f"  {'section':<28} {'bytes':>9} {'share':>7}")
    for label, size in sorted(sections, key=lambda s: -s[1]):
        print(f"  {label:<28} {size:>9} {100 * size / total:>6.1f}%")
    groups = {}
    for name, size in funcs:
        g = owner(name, args.depth)
        groups[g] = groups.get(g, 0) + size
    shares = {}
    for prefix in args.share:
        shares[prefix] = sum(s for n, s in funcs if prefix in n.split(" as ")[0] or n.lstrip("<").startswith(prefix))
    if has_names and args.top > 0:
        print(f"  largest contributors to code ({code_total} bytes), by module path (depth {args.depth}):")
        for g, size in sorted(groups.items(), key=lambda kv: -kv[1])[: args.top]:
            print(f"    {g[:60]:<60} {size:>8} {100 * size / max(code_total, 1):>5.1f}%")
        print(f"  largest functions:")
        for name, size in sorted(funcs, key=lambda f: -f[1])[: args.top]:
            print(f"    {name[:90]:<90} {size:>7}")
        for prefix, size in shares.items():
            print(f"  code under {prefix}: {size} bytes ({100 * size / max(code_total, 1):.1f}% of code)")
    elif not has_names:
        print("  (no name section here)")
    if args.json:
        out = {
            "file": args.wasm,
            "bytes": total,
            "gzip": len(gzip.compress(buf, 9)),
            "sections": dict(sections),
            "code_bytes": code_total,
            "modules": dict(sorted(groups.items(), key=lambda kv: -kv[1])[:40]),
            "functions": [{"name": n, "bytes": s} for n, s in sorted(funcs, key=lambda f: -f[1])[:40]],
            "shares": shares,
        }
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

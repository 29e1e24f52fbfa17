#!/usr/bin/env python3
"""Drop the wasm-bindgen classes a Worker build exports but never uses, from the wasm and the JS.

    python3 scripts/worker_prune.py build/index.js build/index_bg.wasm --keep UserObject,EmulatorObject

Why: every `#[wasm_bindgen]` struct of a dependency is exported, used or not, and an export keeps
its code alive through LTO and wasm-opt. The `worker` crate exports `R2Range`, `MinifyConfig` and
`ContainerStartupOptions`, and `wasm-streams` exports `IntoUnderlyingSource`, `…Sink` and
`…ByteSource` (with their async pull/write machinery). This Worker uses none of them: it has no
R2 binding, no containers, and builds every response body from bytes.

What it does, on worker-build's unminified output (`NO_MINIFY=1`):
- the wasm: removes the exports of every class not in --keep (`__wbg_<c>_free`, `<c>_<method>`,
  `__wbg_get_<c>_<field>`, `__wbg_set_<c>_<field>`), so the next `wasm-opt` drops their code;
- the JS: removes those classes, their FinalizationRegistry and Proxy wrappers, and their names
  from the module's export list (a Worker's main module should export only its entry points).

It refuses (exit 1) when the Rust side may create an instance of a dropped class (the JS glue then
calls `<Class>.__wrap`), and when the JS is not laid out as expected (a worker-build or
wasm-bindgen upgrade): the build then fails loudly instead of shipping a broken Worker.
Prints what it removed.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wasm_snip import leb, sections, uleb  # noqa: E402


def fail(message):
    print(f"worker_prune: {message}", file=sys.stderr)
    sys.exit(1)


def js_classes(js):
    return re.findall(r"^var (\w+) = class \{$", js, re.M)


def prune_js(js, drop):
    for name in drop:
        if re.search(rf"\b{name}\.__wrap\(", js):
            fail(f"{name} is created from Rust ({name}.__wrap); it cannot be dropped")
        patterns = [
            # the class body, up to its Symbol.dispose line
            rf"^var {name} = class \{{\n.*?^if \(Symbol\.dispose\) {name}\.prototype\[Symbol\.dispose\] = {name}\.prototype\.free;\n",
            # its FinalizationRegistry
            rf"^var {name}Finalization = typeof FinalizationRegistry === \"undefined\" \? .*?^\}}\);\n",
            # its Proxy wrapper and its entry in the export list
            rf"^var {name}2 = new Proxy\({name}, classProxyHooks\);\n",
            rf"^  {name}2 as {name},\n",
        ]
        for i, pattern in enumerate(patterns):
            js, n = re.subn(pattern, "", js, count=1, flags=re.M | re.S)
            # The last two exist only for classes the shim re-exports (not wasm-streams').
            if n == 0 and i < 2:
                fail(f"class {name}: unexpected JS layout (pattern {i}); update this script")
        if re.search(rf"\b{name}\b", js):
            fail(f"class {name} is still referenced after pruning; update this script")
        print(f"worker_prune: dropped class {name} from the JS")
    return js


def prune_wasm(buf, drop):
    lowered = "|".join(re.escape(name.lower()) for name in drop)
    export = re.compile(rf"^(?:__wbg_(?:get_|set_)?)?(?:{lowered})(?:_|$)")
    out = bytearray(buf[:8])
    dropped = 0
    for sid, pos, start, end in sections(buf):
        body = buf[start:end]
        if sid == 7:
            count, p = leb(body, 0)
            kept = []
            for _ in range(count):
                entry = p
                length, p = leb(body, p)
                name = body[p:p + length].decode("utf-8")
                p += length + 1  # name, kind
                _, p = leb(body, p)
                if export.match(name):
                    dropped += 1
                else:
                    kept.append(body[entry:p])
            body = uleb(len(kept)) + b"".join(kept)
        out.append(sid)
        out += uleb(len(body))
        out += body
    print(f"worker_prune: dropped {dropped} wasm exports")
    return bytes(out)


def main():
    args = sys.argv[1:]
    if len(args) != 4 or args[2] != "--keep":
        print(__doc__, file=sys.stderr)
        return 2
    js_path, wasm_path, keep = args[0], args[1], set(args[3].split(","))
    js = open(js_path, encoding="utf-8").read()
    classes = js_classes(js)
    missing = keep - set(classes)
    if missing:
        fail(f"kept classes not found in {js_path}: {', '.join(sorted(missing))}")
    drop = [c for c in classes if c not in keep and c != "Entrypoint"]
    if not drop:
        print("worker_prune: nothing to drop")
        return 0
    js = prune_js(js, drop)
    wasm = prune_wasm(open(wasm_path, "rb").read(), drop)
    open(js_path, "w", encoding="utf-8").write(js)
    open(wasm_path, "wb").write(wasm)
    return 0


if __name__ == "__main__":
    sys.exit(main())

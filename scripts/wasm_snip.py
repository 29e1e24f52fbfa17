#!/usr/bin/env python3
"""Replace the bodies of Rust's panic-reporting functions with a bare `unreachable` (a trap), so
that wasm-opt can drop the message formatting they alone keep alive. Used by the browser package
and the production Worker.

    python3 scripts/wasm_snip.py IN.wasm OUT.wasm

Why it is sound: the crate is built with `panic = "abort"` (a panic ends in a trap either way); the
library code has no panicking paths by design (clippy's unwrap/expect/panic lints), these are the
compiler's bounds checks.
- Browser: the package installs no panic hook, so std's default hook formats the message only to
  write it to a stderr that does not exist on wasm32-unknown-unknown. The observable behaviour of
  a panic (a `RuntimeError: unreachable` in JS) is unchanged.
- Production Worker: workers-rs's hook would log "Rust panic: <message>"; without it the trap is
  still caught by worker-build's panic recovery (the instance is reinitialized) and workerd logs
  "Critical RuntimeError: unreachable" with the wasm stack. scripts/build-worker.sh skips this
  step for the dev build and with KEEP_PANIC_MESSAGES=1.

Needs the wasm `name` section (wasm-bindgen keeps it; run before `wasm-opt`, which drops it).
Prints what it replaced; exits 1 if nothing matched (a toolchain change renamed them).
"""
import re
import sys

# Entry points of the panic machinery (std, core, alloc, hashbrown). A `[hash]` may follow the
# crate name in wasm-ld's demangled names.
PATTERNS = [
    r"\bpanicking::",
    r"::rust_begin_unwind\b",
    r"::panic_bounds_check\b",
    r"::slice_error_fail",
    r"::slice_(?:start_|end_)?index_(?:len_|order_)?fail",
    r"::slice_index_fail\b",
    r"::len_mismatch_fail\b",
    r"::unwrap_failed\b",
    r"::expect_failed\b",
    r"::panic_already_(?:mutably_)?borrowed\b",
    r"::capacity_overflow\b",
    r"::handle_alloc_error\b",
    r"raw_vec::handle_error\b",
    r"__rust_end_short_backtrace",
    # `Debug` impls only panic messages format (an assertion's operands, a slice range, a
    # thread-local access error). Their vtables die with the functions above, but the functions
    # stay in the indirect-call table, which wasm-opt keeps whole. The crate formats nothing with
    # `{:?}` outside tests, so nothing else reaches them.
    r"^<char as core(?:\[[0-9a-f]+\])?::fmt::Debug>::fmt$",
    r"^<core(?:\[[0-9a-f]+\])?::ops::range::Range<usize> as core(?:\[[0-9a-f]+\])?::fmt::Debug>::fmt$",
    r"thread::local::AccessError as core(?:\[[0-9a-f]+\])?::fmt::Debug>::fmt$",
]
UNREACHABLE_BODY = b"\x03\x00\x00\x0b"  # size 3: no locals, `unreachable`, `end`


def leb(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def uleb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def sections(buf):
    pos = 8
    while pos < len(buf):
        sid = buf[pos]
        size, start = leb(buf, pos + 1)
        yield sid, pos, start, start + size
        pos = start + size


def imported_functions(buf, start):
    count, pos = leb(buf, start)
    functions = 0
    for _ in range(count):
        for _ in range(2):  # module, name
            n, pos = leb(buf, pos)
            pos += n
        kind = buf[pos]
        pos += 1
        if kind == 0:  # function: type index
            _, pos = leb(buf, pos)
            functions += 1
        elif kind == 1:  # table: reftype, limits
            pos += 1
            flags, pos = leb(buf, pos)
            _, pos = leb(buf, pos)
            if flags & 1:
                _, pos = leb(buf, pos)
        elif kind == 2:  # memory: limits
            flags, pos = leb(buf, pos)
            _, pos = leb(buf, pos)
            if flags & 1:
                _, pos = leb(buf, pos)
        elif kind == 3:  # global: valtype, mutability
            pos += 2
        elif kind == 4:  # tag: attribute, type index
            pos += 1
            _, pos = leb(buf, pos)
        else:
            raise ValueError(f"unknown import kind {kind}")
    return functions


def function_names(buf, start, end):
    n, pos = leb(buf, start)
    if buf[pos:pos + n] != b"name":
        return None
    pos += n
    names = {}
    while pos < end:
        sub = buf[pos]
        size, body = leb(buf, pos + 1)
        if sub == 1:
            count, p = leb(buf, body)
            for _ in range(count):
                index, p = leb(buf, p)
                length, p = leb(buf, p)
                names[index] = buf[p:p + length].decode("utf-8", "replace")
                p += length
        pos = body + size
    return names


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    buf = open(sys.argv[1], "rb").read()
    if buf[:4] != b"\0asm":
        print("wasm_snip: not a wasm module", file=sys.stderr)
        return 2
    secs = list(sections(buf))
    imports = 0
    names = None
    for sid, _, start, end in secs:
        if sid == 2:
            imports = imported_functions(buf, start)
        elif sid == 0 and names is None:
            names = function_names(buf, start, end)
    if not names:
        print("wasm_snip: no name section (run before wasm-opt)", file=sys.stderr)
        return 1
    matcher = re.compile("|".join(PATTERNS))
    out = bytearray(buf[:8])
    snipped = []
    for sid, pos, start, end in secs:
        if sid != 10:
            out += buf[pos:end]
            continue
        count, p = leb(buf, start)
        code = bytearray(uleb(count))
        for i in range(count):
            size, body = leb(buf, p)
            name = names.get(imports + i, "")
            if matcher.search(name):
                code += UNREACHABLE_BODY
                snipped.append(name)
            else:
                code += buf[p:body + size]
            p = body + size
        out += bytes([10]) + uleb(len(code)) + code
    if not snipped:
        print("wasm_snip: no panic function matched; nothing replaced", file=sys.stderr)
        return 1
    open(sys.argv[2], "wb").write(out)
    print(f"wasm_snip: {len(snipped)} panic-reporting functions replaced by a trap", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

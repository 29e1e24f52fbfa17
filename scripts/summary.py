"""Prints the closing line of scripts/test.sh: every test counted by every runner in its log.

Reached only when every stage passed (the script stops at the first failure), so failed is 0.
Counts cargo/wasm-bindgen-test ("test result: ok. N passed"), node:test ("# pass N" / "ℹ pass N")
and pytest ("N passed in").
"""
import re
import sys

text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
n = sum(int(x) for x in re.findall(r"test result: ok\. (\d+) passed", text))
n += sum(int(x) for x in re.findall(r"^(?:# |ℹ )pass (\d+)", text, re.M))
n += sum(int(x) for x in re.findall(r"^(\d+) passed in ", text, re.M))
print(f"{n} passed, 0 failed")

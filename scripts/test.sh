#!/usr/bin/env bash
# Runs every test of composio-edge on a fresh machine (does its own set-up).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
mkdir -p target

step bash scripts/setup.sh rust

# Gates: formatting, lints natively and for wasm32 with each feature, docs.
step cargo fmt --all -- --check
step cargo clippy --all-targets -- -D warnings
step cargo clippy --lib --target wasm32-unknown-unknown --features worker -- -D warnings
step cargo clippy --lib --target wasm32-unknown-unknown --features browser -- -D warnings
RUSTDOCFLAGS="-D warnings" step cargo doc --no-deps --lib

# Native tests: unit, integration (tests/), and doc tests.
step cargo test

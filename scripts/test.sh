#!/usr/bin/env bash
# Sets up everything the tests need (the pinned Python venv) and runs every check and test.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-python.sh
export BRINE_PYTHON="$PWD/.venv/bin/python"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked

#!/usr/bin/env bash
# The whole test suite, as a newcomer and CI run it: formatting, lints, then every unit,
# property, integration and crash-recovery test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> cargo test"
cargo test --workspace --locked

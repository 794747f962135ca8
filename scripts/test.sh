#!/usr/bin/env bash
# The whole test suite, as a newcomer and CI run it: formatting, lints, then every unit,
# property, integration and crash-recovery test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> python3 -m pip install aiosmtpd (the SMTP test's server)"
if command -v python3 >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check aiosmtpd
else
  echo "!!! python3 is missing: the SMTP test will be SKIPPED !!!"
fi

echo "==> cargo test"
cargo test --workspace --locked

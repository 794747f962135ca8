#!/usr/bin/env bash
# The whole test suite, as a newcomer and CI run it: formatting, lints, then every unit,
# property, integration, crash-recovery and browser test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

# A fresh build of every test binary takes about 3.6 GB under target/ (debug line tables
# only, see Cargo.toml); say so plainly up front rather than fail at a link step later.
mkdir -p target
free_kib=$(df -Pk target | awk 'NR == 2 { print $4 }')
if [ -n "$free_kib" ] && [ "$free_kib" -lt $((4 * 1024 * 1024)) ]; then
  echo "!!! only $((free_kib / 1024)) MiB free under target/: the build needs about 4 GB !!!"
fi

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

# The browser tests (gateway/tests/browser) drive Debian's chromium through chromium-driver
# and run axe-core (from the npm registry) on every page type.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "==> apt-get install ${need[*]} (the browser tests)"
  sudo=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
if [ ! -f target/web-tools/node_modules/axe-core/axe.min.js ]; then
  echo "==> npm install axe-core (accessibility checks) into target/web-tools"
  npm install --silent --no-audit --no-fund --prefix target/web-tools axe-core@4
fi

echo "==> cargo test"
cargo test --workspace --locked

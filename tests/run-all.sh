#!/usr/bin/env bash
# Runs every test liangbiao has: the Rust unit, integration and CLI tests, then the
# real-browser suite (nginx + Debian chromium + axe-core + Nu HTML Checker).
# On a fresh Debian machine, run as root, it installs the system packages the browser
# suite needs; elsewhere it says which are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/sbin/nginx ] || need+=(nginx)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then need+=(fonts-noto-cjk); fi
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing system packages for the browser tests: ${need[*]} (Debian: apt-get install ${need[*]})" >&2
    exit 1
  fi
fi

echo "== Rust tests"
cargo test --release --locked

# Vendored Pagefind's own unit tests: some pin liangbiao's patches to it (PATCHES.md).
echo "== vendored Pagefind unit tests"
cargo test --release --locked -p pagefind --lib

echo "== browser tests"
cargo build --release --locked --quiet
LIANGBIAO="$PWD/target/release/liangbiao" bash tests/browser/run.sh

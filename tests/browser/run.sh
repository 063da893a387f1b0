#!/usr/bin/env bash
# Real-browser tests of the site liangbiao builds. Usage: bash tests/browser/run.sh
#
# Needs Debian's chromium, nginx and a Java runtime (CI: apt-get install -y chromium
# nginx default-jre-headless; fonts-noto-cjk makes the screenshots readable),
# Node 20+ with npm, and cargo. Screenshots go to test-output/screenshots/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"
NGINX_BIN="${NGINX_BIN:-/usr/sbin/nginx}"
export CHROMIUM_BIN NGINX_BIN

missing=()
[ -x "$CHROMIUM_BIN" ] || missing+=("chromium ($CHROMIUM_BIN; Debian: apt-get install chromium)")
[ -x "$NGINX_BIN" ] || missing+=("nginx ($NGINX_BIN; Debian: apt-get install nginx)")
command -v java >/dev/null 2>&1 || missing+=("java (Debian: apt-get install default-jre-headless)")
command -v node >/dev/null 2>&1 || missing+=("node 20+ (Debian: apt-get install nodejs npm)")
command -v npm >/dev/null 2>&1 || missing+=("npm (Debian: apt-get install npm)")
if [ "${#missing[@]}" -gt 0 ]; then
  echo "browser tests: missing tools:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "browser tests: node 20 or newer is needed, found $(node --version)" >&2
  exit 1
fi
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  echo "browser tests: note: no Chinese font installed; screenshots will show boxes (apt-get install fonts-noto-cjk)" >&2
fi

cd "$here"
if [ ! -d node_modules ]; then
  # vnu-jar's install script would try to download a Java runtime; the system one is used.
  npm ci --ignore-scripts --no-audit --no-fund
fi

if [ -z "${LIANGBIAO:-}" ]; then
  # cargo does nothing when the debug binary is up to date.
  (cd "$repo" && cargo build --locked --quiet)
  export LIANGBIAO="$repo/target/debug/liangbiao"
fi

exec node --test --test-reporter=tap html.test.mjs site.test.mjs elder.test.mjs phone.test.mjs serve.test.mjs search.test.mjs scale.test.mjs

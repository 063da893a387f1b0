#!/bin/sh
# The vendored forks are what their pristine copies and patch series say they are
# (issue 26). Cheap: no build. The unpatched-Pagefind build is scripts/pristine-pagefind.sh.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/vendor/apply-patches.sh" pagefind --check
"$root/vendor/apply-patches.sh" tera --check

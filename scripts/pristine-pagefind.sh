#!/bin/sh
# The unpatched-Pagefind path (issue 26): liangbiao still builds against pagefind as
# published (vendor/pagefind-<version>/), without vendor/pagefind's patches, and writes a working index, the same as
# the patched build's once unzipped (only slower).
#
#   scripts/pristine-pagefind.sh
#
# In a copy of the repository's tracked files, [patch.crates-io] points pagefind at
# vendor/pagefind-<version> (the crate as published) and liangbiao is built with the feature
# `pristine-pagefind` (src/search.rs then gives Pagefind each record as HTML through
# add_html_file). Cargo.lock may lose only what the patches added (libdeflater,
# libdeflate-sys). Both builds then write the bundled site; every file must be equal,
# those of pagefind/ once unzipped (the patched build gzips at another level).
#
# It builds in CARGO_TARGET_DIR (default: the repository's target/), so that only
# pagefind and liangbiao are compiled again, and rebuilds the patched binary at the end,
# so that target/release/liangbiao is the patched one again. Needs python3 and git.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
export CARGO_TARGET_DIR="$target"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== the patched build"
(cd "$root" && cargo build --release --locked --quiet)
cp "$target/release/liangbiao" "$tmp/liangbiao-patched"

set -- "$root"/vendor/pagefind-[0-9]*/
[ $# -eq 1 ] && [ -f "$1/Cargo.toml" ] || { echo "want one pristine copy vendor/pagefind-<version>/, found: $*" >&2; exit 1; }
pristine=$(basename "$1")
echo "== a copy of the repository against $pristine as published"
mkdir "$tmp/repo"
(cd "$root" && git ls-files -z | tar --null --no-recursion -T - -cf -) | tar -xf - -C "$tmp/repo"
sed -i.orig "s|^pagefind = { path = \"vendor/pagefind\" }\$|pagefind = { path = \"vendor/$pristine\" }|" "$tmp/repo/Cargo.toml"
if cmp -s "$tmp/repo/Cargo.toml" "$tmp/repo/Cargo.toml.orig"; then
    echo "Cargo.toml has no [patch.crates-io] line 'pagefind = { path = \"vendor/pagefind\" }' to replace" >&2
    exit 1
fi
rm "$tmp/repo/Cargo.toml.orig"

echo "== building it with --features pristine-pagefind"
(cd "$tmp/repo" && cargo build --release --quiet --features pristine-pagefind)
cp "$target/release/liangbiao" "$tmp/liangbiao-pristine"

python3 - "$root/Cargo.lock" "$tmp/repo/Cargo.lock" <<'PY'
import re, sys
def packages(path):
    return set(re.findall(r'^name = "([^"]+)"\nversion = "([^"]+)"', open(path).read(), re.M))
before, after = packages(sys.argv[1]), packages(sys.argv[2])
gone = {name for name, _ in before - after}
if after - before or gone - {"libdeflater", "libdeflate-sys"}:
    sys.exit(f"Cargo.lock changed beyond the patches' own dependencies: added {sorted(after - before)}, removed {sorted(before - after)}")
print(f"Cargo.lock: only {', '.join(sorted(gone)) or 'nothing'} left out")
PY

echo "== the bundled site, built by each"
"$tmp/liangbiao-patched" build --root "$tmp/repo" --output "$tmp/patched" --quiet
"$tmp/liangbiao-pristine" build --root "$tmp/repo" --output "$tmp/pristine" --quiet

python3 - "$tmp/patched" "$tmp/pristine" <<'PY'
import gzip, os, sys
a, b = sys.argv[1], sys.argv[2]
def files(root):
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)
fa, fb = files(a), files(b)
if fa != fb:
    sys.exit(f"the two builds wrote different files: only patched {sorted(set(fa) - set(fb))[:10]}, only pristine {sorted(set(fb) - set(fa))[:10]}")
def read(path):
    data = open(path, "rb").read()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
index = [f for f in fa if f.startswith("pagefind" + os.sep)]
if not any(f.endswith(".pf_meta") for f in index) or not any("index" + os.sep in f for f in index):
    sys.exit("the pristine build wrote no search index")
differ = [f for f in fa if read(os.path.join(a, f)) != read(os.path.join(b, f))]
if differ:
    sys.exit(f"{len(differ)} files differ, among them {differ[:10]}")
print(f"{len(fa)} files, {len(index)} of the index: the same (the index once unzipped)")
PY

echo "== the patched binary back in place"
(cd "$root" && cargo build --release --locked --quiet)

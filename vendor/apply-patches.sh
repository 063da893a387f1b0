#!/bin/sh
# A forked dependency here is a pristine copy, vendor/NAME-VERSION/ (the crate as published
# on crates.io), and a patched tree, vendor/NAME/: the pristine copy with the patches in
# vendor/NAME/patches/ applied in the order of their numbers. Both trees are committed, so
# that a fresh clone builds with `cargo build --locked` and nothing to run first; this
# script makes the patched tree from the pristine one and the series, or checks that the
# committed tree is exactly that.
#
#   vendor/apply-patches.sh NAME          rewrite vendor/NAME from pristine + patches
#   vendor/apply-patches.sh NAME --check  exit 1, with the difference, if it is not that
#
# The series' own files (PATCHES.md, UPSTREAM.md, patches/) are not part of the tree and
# are left alone. There must be one pristine copy, vendor/NAME-<version>/. Needs git (for
# `git apply`, which refuses fuzz).
set -eu

vendor=$(cd "$(dirname "$0")" && pwd)
usage="usage: $0 NAME [--check]"
name=${1:?$usage}
case "${2:-}" in
    "") check=false ;;
    --check) check=true ;;
    *) echo "$usage" >&2; exit 2 ;;
esac
series_files="PATCHES.md UPSTREAM.md patches"

patched="$vendor/$name"
set -- "$vendor/$name"-[0-9]*/
if [ $# -ne 1 ] || [ ! -f "$1/Cargo.toml" ]; then
    echo "want one pristine copy vendor/$name-<version>/, found: $*" >&2
    exit 1
fi
pristine=${1%/}
[ -d "$patched/patches" ] || { echo "no series at $patched/patches" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -R "$pristine" "$tmp/tree"
# A repository of its own, so that git apply reads the patches' paths from the tree's
# root whatever repository the caller stands in.
git -C "$tmp/tree" init -q
count=0
for patch in "$patched"/patches/[0-9]*.patch; do
    [ -f "$patch" ] || continue
    if ! git -C "$tmp/tree" apply --whitespace=nowarn "$patch"; then
        echo "$(basename "$patch") does not apply to $(basename "$pristine") + the patches before it" >&2
        exit 1
    fi
    count=$((count + 1))
done
rm -rf "$tmp/tree/.git"

if $check; then
    excludes=""
    for f in $series_files; do excludes="$excludes -x $f"; done
    # shellcheck disable=SC2086 # the excludes are meant to split
    if diff -r $excludes "$tmp/tree" "$patched" >"$tmp/diff"; then
        echo "vendor/$name is vendor/$(basename "$pristine") + $count patches"
    else
        echo "vendor/$name is not vendor/$(basename "$pristine") + its patches (left: pristine + patches, right: committed):" >&2
        cat "$tmp/diff" >&2
        echo "Run vendor/apply-patches.sh $name to rewrite the tree, or make the change a patch (see vendor/$name/PATCHES.md)." >&2
        exit 1
    fi
else
    for entry in "$patched"/* "$patched"/.[!.]*; do
        [ -e "$entry" ] || continue
        case " $series_files " in *" $(basename "$entry") "*) continue ;; esac
        rm -rf "$entry"
    done
    cp -R "$tmp/tree/." "$patched/"
    echo "vendor/$name rewritten from vendor/$(basename "$pristine") + $count patches"
fi

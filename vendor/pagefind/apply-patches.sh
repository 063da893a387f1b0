#!/bin/sh
# vendor/pagefind is vendor/pagefind-1.6.0 (pagefind as published on crates.io) with the
# patches in vendor/pagefind/patches/ applied in the order of their numbers. Both trees
# are committed, so that a fresh clone builds with `cargo build --locked` and nothing to
# run first; this script makes the patched tree from the pristine one and the series.
#
#   vendor/pagefind/apply-patches.sh          rewrite vendor/pagefind from pristine + patches
#   vendor/pagefind/apply-patches.sh --check  exit 1, with the difference, if the committed
#                                             tree is not pristine + patches
#
# The series' own files (PATCHES.md, UPSTREAM.md, patches/, this script) are not part of
# the tree and are left alone. Needs git (for `git apply`, which refuses fuzz).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
pristine="$here/../pagefind-1.6.0"
series_files="PATCHES.md UPSTREAM.md patches apply-patches.sh"

case "${1:-}" in
    "") check=false ;;
    --check) check=true ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

[ -f "$pristine/Cargo.toml" ] || { echo "no pristine copy at $pristine" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -R "$pristine" "$tmp/tree"
# A repository of its own, so that git apply reads the patches' paths from the tree's
# root whatever repository the caller stands in.
git -C "$tmp/tree" init -q
for patch in "$here"/patches/[0-9]*.patch; do
    if ! git -C "$tmp/tree" apply --whitespace=nowarn "$patch"; then
        echo "$(basename "$patch") does not apply to pristine + the patches before it" >&2
        exit 1
    fi
done
rm -rf "$tmp/tree/.git"

excludes=""
for f in $series_files; do excludes="$excludes -x $f"; done

if $check; then
    # shellcheck disable=SC2086 # the excludes are meant to split
    if diff -r $excludes "$tmp/tree" "$here" >"$tmp/diff"; then
        echo "vendor/pagefind is vendor/pagefind-1.6.0 + $(ls "$here"/patches/[0-9]*.patch | wc -l | tr -d ' ') patches"
    else
        echo "vendor/pagefind differs from vendor/pagefind-1.6.0 + patches/ (left: pristine + patches, right: committed):" >&2
        cat "$tmp/diff" >&2
        echo "Run vendor/pagefind/apply-patches.sh to rewrite the tree, or turn the change into a patch (see PATCHES.md)." >&2
        exit 1
    fi
else
    for entry in "$here"/* "$here"/.[!.]*; do
        [ -e "$entry" ] || continue
        case " $series_files " in *" $(basename "$entry") "*) continue ;; esac
        rm -rf "$entry"
    done
    cp -R "$tmp/tree/." "$here/"
    echo "vendor/pagefind rewritten from vendor/pagefind-1.6.0 + patches/"
fi

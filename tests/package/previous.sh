#!/usr/bin/env bash
# The previous release, for the upgrade test: RELEASES/<version>/ holds its .deb and its
# `relais` (0.1.0's package has no CLI; a later one's is the same binary). "Previous" is the
# newest tag vX.Y.Z reachable from HEAD that is not this VERSION. Built once, from the tag, in
# a temporary clone of this repository (offline: the clone is local, the build shares the cargo
# target dir, so only the workspace's own crates are compiled again); kept afterwards.
# Prints the directory.
set -euo pipefail
releases=${1:?usage: previous.sh RELEASES VERSION}
current=${2:?usage: previous.sh RELEASES VERSION}

repo=$(git rev-parse --show-toplevel)
tag=$(git -C "$repo" tag --list 'v[0-9]*' --merged HEAD --sort=-v:refname | grep -vx "v$current" | head -n1)
[ -n "$tag" ] || { echo "previous.sh: no tag v* before v$current in $repo (git fetch --tags?)" >&2; exit 1; }
version=${tag#v}
out=$releases/$version
if [ -f "$out/ok" ]; then
  echo "Version précédente / previous version $version: $out (déjà construite / already built)"
  exit 0
fi

echo "Construction de / building $tag (once) into $out"
target=${CARGO_TARGET_DIR:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/relais-$tag.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
git -c advice.detachedHead=false clone --quiet --branch "$tag" "$repo" "$tmp/src"
arch=$(dpkg --print-architecture)
deb=$target/release/bundle/deb/Relais_${version}_$arch.deb
rm -f "$deb"
make -C "$tmp/src" --no-print-directory package
(cd "$tmp/src" && cargo build --release --locked -p relais-cli --bin relais)
rm -rf "$out" && mkdir -p "$out"
cp "$deb" "$out/"
cp "$target/release/relais" "$out/relais"
"$out/relais" --version | grep -qx "relais $version" || { echo "previous.sh: $out/relais is not $version" >&2; exit 1; }
git -C "$tmp/src" rev-parse HEAD >"$out/commit"
touch "$out/ok"
echo "Version précédente / previous version $version: $out"

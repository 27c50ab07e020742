#!/usr/bin/env bash
# `make test`'s check of the package's metadata, in a second and without building anything: the
# AppStream metainfo (appstreamcli --strict, without network: a hint is a failure too) and the desktop entry (desktop-file-validate,
# on the template rendered as Tauri's bundler renders it), the screenshot the metainfo names
# being one of docs/screenshots/. `make package` checks the same files again inside the .deb.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

metainfo=$here/ca.relais.desktop.metainfo.xml
appstreamcli validate --no-net --strict "$metainfo"
sed -e 's/{{exec}}/relais-app/g' -e 's/{{icon}}/relais-app/g' -e 's/{{categories}}/Office;/g' \
  "$here/relais.desktop.hbs" >"$work/Relais.desktop"
! grep -n '{{' "$work/Relais.desktop" || { echo "check.sh: a template variable Tauri does not fill" >&2; exit 1; }
desktop-file-validate "$work/Relais.desktop"
grep -o '<image>[^<]*</image>' "$metainfo" | sed 's/<[^>]*>//g' | while read -r url; do
  [ -f "$repo/docs/screenshots/$(basename "$url")" ] || { echo "check.sh: $url is not in docs/screenshots/" >&2; exit 1; }
done
echo "métadonnées du paquet valides / package metadata valid"

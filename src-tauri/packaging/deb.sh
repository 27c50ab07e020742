#!/usr/bin/env bash
# `make package`'s last step, on the .deb Tauri's bundler just made: add /usr/bin/relais, a link
# to relais-app (which is the CLI under that name: Tauri's deb.files copies files, it makes no
# link), recompress with xz (Tauri's bundler offers gzip only), check, and say what it holds.
# Fails on a program not stripped or holding the end-to-end hooks (RELAIS_E2E), a CLI that does
# not answer with the package's version, a missing manual page or completion, or a desktop entry
# or AppStream metadata that desktop-file-validate or appstreamcli refuses.
set -euo pipefail

deb=${1:?usage: deb.sh PACKAGE.deb}
[ -f "$deb" ] || { echo "deb.sh: $deb missing" >&2; exit 1; }
fail() { echo "make package: $*" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
gzip_bytes=$(stat -c %s "$deb")
dpkg-deb -R "$deb" "$root"

app=$root/usr/bin/relais-app
[ -x "$app" ] || fail "usr/bin/relais-app missing"
! grep -aq RELAIS_E2E "$app" || fail "usr/bin/relais-app holds the end-to-end hooks (feature e2e)"
! readelf -S --wide "$app" | grep -q ' \.symtab ' || fail "usr/bin/relais-app is not stripped"
[ ! -e "$root/usr/bin/relais" ] || fail "usr/bin/relais is already there"
ln -s relais-app "$root/usr/bin/relais"
# A program linked with its relocations packed (src-tauri/build.rs, on glibc 2.36 and later) does
# not start on an older glibc: the package says so, and apt refuses it there instead.
if readelf -d "$app" | grep -q '(RELR)'; then
  grep -q '^Depends: ' "$root/DEBIAN/control" || fail "the control file names no dependency"
  sed -i 's/^Depends: .*/&, libc6 (>= 2.36)/' "$root/DEBIAN/control"
fi
version=$(dpkg-deb -f "$deb" Version)
# Started as relais, the program is the CLI: no window, no display needed.
env -u DISPLAY -u WAYLAND_DISPLAY "$root/usr/bin/relais" --version | grep -qx "relais $version" \
  || fail "usr/bin/relais does not answer as the CLI of version $version"
for f in usr/share/man/man1/relais.1.gz usr/share/bash-completion/completions/relais \
         usr/share/zsh/vendor-completions/_relais usr/share/fish/vendor_completions.d/relais.fish; do
  [ -s "$root/$f" ] || fail "$f missing"
done
desktop=("$root"/usr/share/applications/*.desktop)
[ ${#desktop[@]} = 1 ] && [ -f "${desktop[0]}" ] || fail "not one desktop entry: ${desktop[*]}"
desktop-file-validate "${desktop[0]}" || fail "desktop-file-validate refuses $(basename "${desktop[0]}")"
appstreamcli validate --no-net --strict "$root/usr/share/metainfo/ca.relais.desktop.metainfo.xml" >"$work/as.txt" \
  || { cat "$work/as.txt"; fail "appstreamcli refuses the metainfo"; }
grep -q "<launchable type=\"desktop-id\">$(basename "${desktop[0]}")</launchable>" \
  "$root/usr/share/metainfo/ca.relais.desktop.metainfo.xml" || fail "the metainfo does not launch $(basename "${desktop[0]}")"

# xz -9: about a third smaller than gzip on this program.
dpkg-deb --root-owner-group -Zxz -z9 -Sextreme --build "$root" "$work/new.deb" >/dev/null
mv "$work/new.deb" "$deb"

size() { numfmt --to=iec-i --suffix=B --format=%.1f "$1"; }
bytes=$(stat -c %s "$deb")
echo
echo "== $(basename "$deb"): $(size "$bytes") ($bytes bytes; $(size "$gzip_bytes") as Tauri's bundler made it)"
dpkg-deb -f "$deb" Package Version Architecture Installed-Size Depends | sed 's/^/   /'
echo "   Installed-Size is in KiB. Contents (dpkg-deb -c, directories and the subcommands' pages left out):"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ && $6 !~ /man1\/relais-/ { printf "   %10s  %s\n", $3, substr($0, index($0, "./") + 1) }'
pages=$(dpkg-deb -c "$deb" | awk '$6 ~ /man1\/relais-/ { n++ } END { print n + 0 }')
echo "   and $pages manual pages of subcommands (relais-person-add.1.gz, …)"

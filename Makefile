# bouncedesk: `make run` builds and serves the dashboard; `make test` runs every test.
# Both install what is missing first and skip what is there.
#
# The build uses plain cargo + the wasm-bindgen CLI + npm binaryen's wasm-opt
# (see docs/architecture.md, "Build"), so no cargo-leptos install is needed;
# `cargo leptos watch` still works from [workspace.metadata.leptos].

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

# Build artefacts live outside the clone, so fresh clones reuse them.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/bouncedesk/target
# Leptos bakes the output name into both builds: it must be set at compile time.
export LEPTOS_OUTPUT_NAME := bouncedesk
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

NAME      := bouncedesk
SITE      := target/site
# The browser bundle's budget: 250 KB of wasm, gzipped (docs/performance.md).
WASM_BUDGET := 250000
PKG       := $(SITE)/pkg
DATABASE_URL ?= sqlite://data/bouncedesk.db
ADDR      ?= 127.0.0.1:3000
CRATES    := -p bounce -p store -p app -p server
WASM_BINDGEN_VERSION = $(shell awk '/^name = "wasm-bindgen"$$/{getline; gsub(/"/,"",$$3); print $$3}' Cargo.lock)

.PHONY: run build release site tools browser test lint unit e2e bench clean-site checkout

## run: build in release and serve http://127.0.0.1:3000 (SQLite at ./data, demo data on first start)
run: build
	"$(CARGO_TARGET_DIR)/release/$(NAME)" serve --addr "$(ADDR)" --database-url "$(DATABASE_URL)"

## build: release server binary and the optimised front end in target/site
build: tools
	cargo build -p server --release --locked
	$(MAKE) --no-print-directory site

## release: the binary to deploy, optimised with a profile of its own work
## (PGO, scripts/build-release.sh: two builds of their own, the second of every
## crate, so it takes much longer than `build`; docs/performance.md measures
## what it gains)
release: tools
	scripts/build-release.sh
	$(MAKE) --no-print-directory site

## site: the wasm front end (release profile, wasm-opt), JS glue, CSS and static files
site: tools
	cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release --locked
	mkdir -p "$(PKG)"
	wasm-bindgen --target web --out-name "$(NAME)" --out-dir "$(PKG)" \
	  "$(CARGO_TARGET_DIR)/wasm32-unknown-unknown/wasm-release/frontend.wasm"
	mv -f "$(PKG)/$(NAME)_bg.wasm" "$(PKG)/$(NAME).wasm"
	wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
	  "$(PKG)/$(NAME).wasm" -o "$(PKG)/$(NAME).wasm"
	cp style/main.css "$(PKG)/$(NAME).css"
	cp -r public/. "$(SITE)/"
	@gz=$$(gzip -9 -c "$(PKG)/$(NAME).wasm" | wc -c); \
	  echo "front end: $$(stat -c %s "$(PKG)/$(NAME).wasm") bytes of wasm, $$gz gzipped (budget $(WASM_BUDGET))"; \
	  [ "$$gz" -le $(WASM_BUDGET) ] || { echo "the front end is over its budget of $(WASM_BUDGET) bytes gzipped (issue 10)" >&2; exit 1; }

## checkout: the shared target folder serves several clones. Cargo judges a
## workspace crate fresh when its artifact is newer than its sources, so after
## another clone built, this clone's older sources would be taken as built and
## the other clone's code served (its server-function URLs, too, which then do
## not match). When the last build came from elsewhere, this clone's sources are
## touched, so its own crates are rebuilt; dependencies are unaffected.
checkout:
	@mkdir -p "$(CARGO_TARGET_DIR)"
	@if [ "$$(cat "$(CARGO_TARGET_DIR)/.last-checkout" 2>/dev/null)" != "$(CURDIR)" ]; then \
	  find bounce store app frontend server migrations -type f -exec touch {} + ; \
	  echo "$(CURDIR)" > "$(CARGO_TARGET_DIR)/.last-checkout"; \
	fi

## tools: wasm target, wasm-bindgen CLI pinned to Cargo.lock, npm packages (wasm-opt, Playwright)
tools: checkout
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown
	@wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $(WASM_BINDGEN_VERSION)" \
	  || cargo install wasm-bindgen-cli --version "$(WASM_BINDGEN_VERSION)"
	@[ -x node_modules/.bin/wasm-opt ] && [ -x node_modules/.bin/playwright ] && [ -d node_modules/@axe-core/playwright ] \
	  || npm ci --no-audit --no-fund

## browser: Debian's Chromium for Playwright (a downloaded browser is impossible here)
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

## test: format, lints, unit + store + HTTP tests on SQLite and PostgreSQL, then Playwright
test: tools browser lint unit e2e

lint: checkout
	for script in scripts/*.sh .ci/run; do bash -n "$$script"; done
	cargo fmt --all --check
	cargo clippy $(CRATES) --all-targets --locked -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown --locked -- -D warnings

# The IMAP test reads a real Dovecot on loopback (scripts/ensure-dovecot.sh
# installs and starts a private one: its URL, then `CA=` its certificate).
unit: checkout
	imap="$$(scripts/ensure-dovecot.sh)"; \
	export TEST_IMAP_URL="$$(sed -n 1p <<<"$$imap")" TEST_IMAP_CA="$$(sed -n 's/^CA=//p' <<<"$$imap")"; \
	TEST_DATABASE_URL="$$(scripts/ensure-postgres.sh)" cargo test $(CRATES) --locked
	@echo "--- classifier agreement with the labelled corpus (BOUNCEDESK_CORPUS, default ../shared/corpus; labels from Sisimai) ---"
	cargo test -p bounce --test corpus --test provider_docs --locked -q -- --nocapture

## e2e: Playwright in Chromium against the server (debug build) and the release front end
e2e: site browser
	cargo build -p server --locked
	BOUNCEDESK_BIN="$(CARGO_TARGET_DIR)/debug/$(NAME)" npx playwright test --config end2end/playwright.config.ts

## bench: the Errors tab at a million events and the classifier (figures in docs/performance.md)
bench: checkout
	cargo build -p server --release --locked
	"$(CARGO_TARGET_DIR)/release/$(NAME)" bench errors --events 1000000
	"$(CARGO_TARGET_DIR)/release/$(NAME)" bench classify --corpus ../shared/corpus/messages --repeat 50

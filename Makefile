# spotcheck — `make run` and `make test` install what is missing themselves.
GO      ?= go
BIN     ?= $(shell $(GO) env GOPATH)/bin/spotcheck
CHROME  ?= $(or $(SPOTCHECK_CHROME),/usr/bin/chromium)

# rod must never read --rod flags from a test binary's arguments.
export DISABLE_ROD_FLAG := 1

NODE_CLIENTS := cmd/spotcheck/testdata/clients/node

.PHONY: run test bench lint build chromium tools clients

build:
	$(GO) build -o $(BIN) ./cmd/spotcheck

# Chromium comes from Debian, never from a download at run time.
chromium:
	@if [ -x "$(CHROME)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium (needed for the consent-page tests)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "Chromium is missing: install it with 'sudo apt-get install -y chromium' (or set SPOTCHECK_CHROME)" >&2; exit 2; \
	fi

# Test-only tools: xmllint checks the JUnit reports against the Jenkins/Surefire XSD.
tools: chromium
	@if command -v xmllint >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's libxml2-utils (xmllint, for the JUnit schema test)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libxml2-utils >/dev/null; \
	else \
		echo "xmllint is missing: install it with 'sudo apt-get install -y libxml2-utils'" >&2; exit 2; \
	fi

# Real client libraries the client specs run unmodified against the fake:
# Debian's node, npm, python3-requests, python3-authlib, curl and iproute2
# (the TLS + hosts spec brings up loopback in its own namespace), and
# spotify-web-api-node and @spotify/web-api-ts-sdk from the committed lockfile, installed again only when the lockfile is
# newer than what npm last installed. Nothing is downloaded at test time.
clients:
	@missing=""; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	command -v curl >/dev/null || missing="$$missing curl"; \
	command -v ip >/dev/null || missing="$$missing iproute2"; \
	command -v unshare >/dev/null || missing="$$missing util-linux"; \
	/usr/bin/python3 -c 'import requests' 2>/dev/null || missing="$$missing python3-requests"; \
	/usr/bin/python3 -c 'import authlib' 2>/dev/null || missing="$$missing python3-authlib"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing Debian's$$missing (for the client-library specs)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "missing for the client-library specs:$$missing: install them with 'sudo apt-get install -y$$missing'" >&2; exit 2; \
		fi; \
	fi
	@if [ ! -f $(NODE_CLIENTS)/node_modules/.package-lock.json ] || [ $(NODE_CLIENTS)/package-lock.json -nt $(NODE_CLIENTS)/node_modules/.package-lock.json ]; then \
		echo "installing the Node client libraries from $(NODE_CLIENTS)/package-lock.json"; \
		cd $(NODE_CLIENTS) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; \
	fi

run: chromium build
	$(BIN) run

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

test: tools clients lint
	$(GO) test -race -count=1 ./...

# Load benchmarks run for fixed durations (one iteration each); the
# micro-benchmarks get Go's usual iteration counts.
bench: chromium
	$(GO) test -run '^$$' -bench . -benchmem ./...

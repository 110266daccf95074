# spotcheck — `make run` and `make test` install what is missing themselves.
GO      ?= go
BIN     ?= $(shell $(GO) env GOPATH)/bin/spotcheck
CHROME  ?= $(or $(SPOTCHECK_CHROME),/usr/bin/chromium)

# rod must never read --rod flags from a test binary's arguments.
export DISABLE_ROD_FLAG := 1

NODE_CLIENTS := cmd/spotcheck/testdata/clients/node

.PHONY: run test bench bench-cli bench-tools soak lint build chromium tools clients fuzz image image-tools dist-tools release-check

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/spotcheck

# What `spotcheck --version` prints (cmd/spotcheck/version.go); without a
# v* tag the version is "dev". GoReleaser stamps release builds the same way.
VERSION ?= $(shell git describe --tags --match 'v*' 2>/dev/null | sed 's/^v//')
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS  = -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)

# GoReleaser is pinned in its own module so that its dependencies stay out
# of go.mod. release-check validates .goreleaser.yaml and builds every
# release archive into .build/dist (git-ignored), publishing nothing.
GORELEASER = $(GO) tool -modfile=.tools/go.mod goreleaser
release-check:
	$(GORELEASER) check
	$(GORELEASER) release --snapshot --clean --skip=publish

# The container image (.container/Containerfile): FROM scratch around the
# static binary built here, so the image build needs no network. podman or
# buildah, whichever is present (podman preferred: it can also run it).
# IMAGE_ARCH=arm64 builds the other platform (no emulation: nothing runs
# inside the build). --format docker keeps the HEALTHCHECK, which the OCI
# image format has no field for.
IMAGE      ?= localhost/spotcheck:dev
IMAGE_ARCH ?= $(shell $(GO) env GOARCH)
image: image-tools
	mkdir -p .build/image
	CGO_ENABLED=0 GOOS=linux GOARCH=$(IMAGE_ARCH) $(GO) build -trimpath -ldflags "-s -w $(LDFLAGS)" -o .build/image/spotcheck ./cmd/spotcheck
	@tool=$$(command -v podman || command -v buildah); set -x; \
	"$$tool" build --format docker --platform linux/$(IMAGE_ARCH) --build-arg VERSION=$(or $(VERSION),dev) \
		-f .container/Containerfile -t $(IMAGE) .build/image

# podman or buildah builds the image; Debian's podman when neither is there.
image-tools:
	@if command -v podman >/dev/null || command -v buildah >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's podman (to build the container image)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman >/dev/null; \
	else \
		echo "podman or buildah is needed: install one with 'sudo apt-get install -y podman'" >&2; exit 2; \
	fi

# The distribution tests also need runc, which runs the image where crun
# cannot (crun refuses hosts with hybrid cgroup v1/v2, as this project's CI
# machines have), and curl, which the GitHub Action's script downloads with.
dist-tools: image-tools
	@missing=""; for t in runc curl; do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's$$missing (for the container and GitHub Action tests)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null; \
	else \
		echo "missing:$$missing — install with 'sudo apt-get install -y$$missing'" >&2; exit 2; \
	fi

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
tools: chromium dist-tools
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
# micro-benchmarks get Go's usual iteration counts. Then bench-cli.
bench: chromium bench-cli
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The fake as users run it (cmd/spotcheck/internal/clibench): the built
# binary with default flags, its request log in a file, beside an empty
# net/http handler in the same run, driven by hey with 32 keep-alive
# connections. BENCH_FLAGS passes more, e.g. -tls, -rounds 3, -duration 10s.
BENCH_FLAGS ?=
bench-cli: bench-tools
	mkdir -p .build/bench
	$(GO) build -o .build/bench/spotcheck ./cmd/spotcheck
	$(GO) build -o .build/bench/clibench ./cmd/spotcheck/internal/clibench
	.build/bench/clibench -spotcheck .build/bench/spotcheck $(BENCH_FLAGS)

# A bounded soak of spotcheck fake as users start it (.bench/soak.sh): hey
# drives client-credentials tokens at full throttle for SOAK_DURATION over
# loopback, beside bench-cli's empty net/http handler measured in the same
# run; RSS is sampled every 15 s and must stay within ±10 % of the first
# sample after the warm-up; tokens taken at the start must still work and
# a revocation must stop them. Not part of make test: it takes
# SOAK_DURATION.
SOAK_DURATION ?= 10m
soak: bench-tools
	mkdir -p .build/soak
	$(GO) build -o .build/soak/spotcheck ./cmd/spotcheck
	$(GO) build -o .build/soak/clibench ./cmd/spotcheck/internal/clibench
	SOAK_DURATION=$(SOAK_DURATION) sh .bench/soak.sh .build/soak/spotcheck .build/soak/clibench

# hey, the external load generator, from Debian.
bench-tools:
	@if command -v hey >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's hey (the load generator of make bench-cli)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hey >/dev/null; \
	else \
		echo "hey is missing: install it with 'sudo apt-get install -y hey'" >&2; exit 2; \
	fi

# Every fuzz target in the repository, one after the other (go test -fuzz
# takes one target per run), FUZZTIME each; FUZZ picks targets by a regular
# expression. The first failure stops it and names the file that holds the
# failing input (a regression seed once committed). A nightly job:
# 33 targets x 60 s is about 35 minutes.
FUZZTIME ?= 60s
FUZZ     ?= .
fuzz:
	@list=$$($(GO) test -list '^Fuzz' ./...) || { echo "$$list"; exit 1; }; \
	echo "$$list" | awk '/^Fuzz/ { t[n++] = $$1; next } /^ok/ { for (i = 0; i < n; i++) print $$2, t[i]; n = 0 }' | \
	grep -E -- '$(FUZZ)' | while read -r pkg target; do \
		echo "== $$target ($$pkg) for $(FUZZTIME)"; \
		log=$$(mktemp); \
		if ! $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) "$$pkg" > "$$log" 2>&1; then \
			cat "$$log"; \
			dir=$$($(GO) list -f '{{.Dir}}' "$$pkg"); \
			input=$$(sed -n -e 's/.*Failing input written to \(testdata\/fuzz\/[^ ]*\).*/\1/p' \
				-e 's/.*failure while testing seed corpus entry: \(Fuzz[^/]*\)\/\([^ ]*\).*/testdata\/fuzz\/\1\/\2/p' "$$log" | head -1); \
			rm -f "$$log"; \
			if [ -n "$$input" ]; then echo "fuzz: $$target failed; its input is $$dir/$$input" >&2; \
			else echo "fuzz: $$target failed (no input was written: see the output above)" >&2; fi; \
			exit 1; \
		fi; \
		grep '^fuzz: elapsed' "$$log" | tail -n 1; rm -f "$$log"; \
	done

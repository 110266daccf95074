# spotcheck — `make run` and `make test` install what is missing themselves.
GO      ?= go
BIN     ?= $(shell $(GO) env GOPATH)/bin/spotcheck
CHROME  ?= $(or $(SPOTCHECK_CHROME),/usr/bin/chromium)

# rod must never read --rod flags from a test binary's arguments.
export DISABLE_ROD_FLAG := 1

.PHONY: run test bench lint build chromium tools fuzz

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

run: chromium build
	$(BIN) run

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

test: tools lint
	$(GO) test -race -count=1 ./...

# Load benchmarks run for fixed durations (one iteration each); the
# micro-benchmarks get Go's usual iteration counts.
bench: chromium
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Every fuzz target in the repository, one after the other (go test -fuzz
# takes one target per run), FUZZTIME each; FUZZ picks targets by a regular
# expression. The first failure stops it and names the file that holds the
# failing input (a regression seed once committed). A nightly job:
# 26 targets x 60 s is about half an hour.
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

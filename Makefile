# lakemap — the two commands a new machine needs are `make run` and `make test`.
GO      ?= go
BIN     := bin/lakemap
ADDR    ?= 127.0.0.1:8080
PKGS    := ./...
STATICCHECK := v0.8.2

# The catalog's SQLite (github.com/mattn/go-sqlite3) is C, compiled by cgo,
# with its full-text search (FTS5) only under this build tag. Every go
# command below, go vet and staticcheck included, sees it through GOFLAGS;
# a go command run by hand needs -tags sqlite_fts5: without it everything
# compiles, but opening a catalog fails and says how to rebuild.
export GOFLAGS := $(strip $(GOFLAGS) -tags=sqlite_fts5)
export CGO_ENABLED := 1

.PHONY: run build test check tools cc postgres bench clean fuzz fuzz-short fuzz-run screenshots

run: build ## build and serve the catalog in ./lakemap.db
	$(BIN) serve --addr $(ADDR)

build: cc
	$(GO) build -o $(BIN) ./cmd/lakemap

# Everything the tests need, the whole suite, then each fuzz target for a
# bounded few seconds.
test: tools check
	LAKEMAP_INSPECTOR_DIR=$(CURDIR)/$(INSPECTOR_DIR) LAKEMAP_AXE=$(CURDIR)/$(AXE_JS) $(GO) test -count=1 -timeout 30m $(PKGS)
	@$(MAKE) --no-print-directory fuzz-short

# The MCP Inspector (a third-party MCP client the tests drive) and the
# Node.js 22 it needs, from the npm registry, installed once into .tools/.
# Inspector 2.x: the first line whose CLI has --strict (tool-schema
# portability), which the Inspector test runs. The marker names the version,
# so a new pin reinstalls.
INSPECTOR_DIR := .tools/inspector
INSPECTOR_VERSION := 2.12.0
INSPECTOR_PKGS := node@22.23.3 @modelcontextprotocol/inspector@$(INSPECTOR_VERSION)
$(INSPECTOR_DIR)/.installed-$(INSPECTOR_VERSION):
	@if command -v npm >/dev/null 2>&1; then \
	  mkdir -p $(INSPECTOR_DIR) && \
	  npm install --no-audit --no-fund --silent --prefix $(INSPECTOR_DIR) $(INSPECTOR_PKGS) && touch $@; \
	else echo "note: npm not found; the MCP Inspector test will skip (CI requires it)"; fi

# axe-core, the accessibility checker the browser tests inject into every
# page (internal/web/axe_test.go), from the npm registry into .tools/.
AXE_DIR := .tools/axe
AXE_JS  := $(AXE_DIR)/node_modules/axe-core/axe.min.js
$(AXE_DIR)/.installed:
	@if command -v npm >/dev/null 2>&1; then \
	  mkdir -p $(AXE_DIR) && \
	  npm install --no-audit --no-fund --silent --prefix $(AXE_DIR) axe-core@4.11.0 && touch $@; \
	else echo "note: npm not found; the accessibility check will skip (CI requires it)"; fi

# The emulators and linters the tests drive. moto_server and cfn-lint come
# from Python (pip install "moto[server]" cfn-lint); PyPI is not reachable on
# every build machine, so they are checked here rather than installed.
tools: $(INSPECTOR_DIR)/.installed-$(INSPECTOR_VERSION) $(AXE_DIR)/.installed postgres cc
	@$(GO) mod download
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else echo "note: chromium not found and not root; the browser tests will skip (CI requires them)"; fi; \
	fi
	@scripts/check-tools.sh

# PostgreSQL for the PostgreSQL store's tests (internal/testenv/pgtest starts
# a throw-away cluster from these binaries): Debian's package, installed when
# missing and we are root, as CI is.
postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; \
	else echo "note: PostgreSQL not found; its tests will skip (CI requires them): apt-get install postgresql"; fi

# A C compiler for cgo (SQLite): Debian's gcc, installed when missing and we
# are root, as CI is.
cc:
	@if command -v $${CC:-gcc} >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q gcc libc6-dev; \
	else echo "lakemap builds SQLite from C: install a C compiler (apt-get install gcc libc6-dev)"; exit 1; fi

check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK) $(PKGS)

# The performance targets of the issues, at their full sizes (a few minutes;
# the 1M-entity catalog the MCP, REST and web benchmarks read, internal/testenv/benchcat,
# is built once under $TMPDIR). The jobs benchmark is the ingest with the
# server's queue idle and with ten scheduled connections; the SQLite one,
# search at 1M entities for a project owning 1% of them. The store benchmark
# (internal/store/postgres) builds 1M entities in SQLite and in PostgreSQL;
# for the 5M figure: LAKEMAP_BENCH_STORE_ENTITIES=5000000 LAKEMAP_BENCH_BACKENDS=postgres \
#   go test -run '^$$' -bench Backends -benchtime 1x -timeout 60m ./internal/store/postgres/
bench:
	LAKEMAP_BENCH_OBJECTS=2000000 LAKEMAP_BENCH_PREFIXES=2000 \
	  $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m -v \
	  ./internal/ingest/ ./internal/jobs/ ./internal/store/sqlite/ ./internal/store/postgres/ \
	  ./internal/source/glue/ ./internal/source/s3/ ./internal/source/datazone/ \
	  ./internal/mcpserver/ ./internal/server/ ./internal/web/

# Fuzz targets, as package:FuzzName. Each must also pass as a plain
# `go test` (its seeds). `make fuzz` runs each for FUZZTIME; `make
# fuzz-short` for FUZZTIME_SHORT, a bounded step for CI. A failing input is
# written under the package's testdata/fuzz/ (commit it with the fix).
FUZZ_TARGETS := \
	./internal/workflow:FuzzParse \
	./internal/source/s3/manifest:FuzzParse \
	./internal/source/s3/manifest:FuzzGlob \
	./internal/catalog:FuzzSplitFQN \
	./internal/catalog:FuzzContentHash \
	./internal/lineage/sqlparse:FuzzParse \
	./internal/lineage/sqlparse:FuzzDecodeView \
	./internal/store/sqlite:FuzzSearchText \
	./internal/awsconn/s3list:FuzzDecode
FUZZTIME       ?= 60s
# A count, not a duration: a duration-bounded run can end with a spurious
# "context deadline exceeded" when time runs out mid-input on a loaded machine.
FUZZTIME_SHORT ?= 20000x

fuzz:
	@$(MAKE) --no-print-directory fuzz-run FUZZ_FOR=$(FUZZTIME)

fuzz-short:
	@$(MAKE) --no-print-directory fuzz-run FUZZ_FOR=$(FUZZTIME_SHORT)

fuzz-run:
	@set -e; for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; name=$${t##*:}; \
	  echo "fuzz $$pkg $$name ($(FUZZ_FOR))"; \
	  $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZ_FOR) $$pkg; \
	done

# PNGs of every web page at desktop (1280 px) and phone (375 px) width, for
# the README; they need Chromium (make tools).
screenshots:
	LAKEMAP_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run '^TestScreenshots$$' ./internal/web/

clean:
	rm -rf bin

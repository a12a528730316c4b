# lakemap — the two commands a new machine needs are `make run` and `make test`.
GO      ?= go
BIN     := bin/lakemap
ADDR    ?= 127.0.0.1:8080
PKGS    := ./...
STATICCHECK := v0.8.2

.PHONY: run build test check tools bench clean

run: build ## build and serve the catalog in ./lakemap.db
	$(BIN) serve --addr $(ADDR)

build:
	$(GO) build -o $(BIN) ./cmd/lakemap

# Everything the tests need, then the whole suite.
test: tools check
	LAKEMAP_INSPECTOR_DIR=$(CURDIR)/$(INSPECTOR_DIR) $(GO) test -count=1 -timeout 30m $(PKGS)

# The MCP Inspector (a third-party MCP client the tests drive) and the
# Node.js 22 it needs, from the npm registry, installed once into .tools/.
INSPECTOR_DIR := .tools/inspector
INSPECTOR_PKGS := node@22.23.3 @modelcontextprotocol/inspector@0.15.0
$(INSPECTOR_DIR)/.installed:
	@if command -v npm >/dev/null 2>&1; then \
	  mkdir -p $(INSPECTOR_DIR) && \
	  npm install --no-audit --no-fund --silent --prefix $(INSPECTOR_DIR) $(INSPECTOR_PKGS) && touch $@; \
	else echo "note: npm not found; the MCP Inspector test will skip (CI requires it)"; fi

# The emulators and linters the tests drive. moto_server and cfn-lint come
# from Python (pip install "moto[server]" cfn-lint); PyPI is not reachable on
# every build machine, so they are checked here rather than installed.
tools: $(INSPECTOR_DIR)/.installed
	@$(GO) mod download
	@scripts/check-tools.sh

check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK) $(PKGS)

# The performance targets of the issues, at their full sizes (a few minutes;
# the MCP benchmark's 1M-entity catalog is built once under $TMPDIR).
bench:
	LAKEMAP_BENCH_OBJECTS=2000000 LAKEMAP_BENCH_PREFIXES=2000 \
	  $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m -v \
	  ./internal/ingest/ ./internal/source/glue/ ./internal/source/s3/ ./internal/mcpserver/

clean:
	rm -rf bin

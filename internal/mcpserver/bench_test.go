package mcpserver

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/testenv/benchcat"
)

// Benchmark sizes, from the environment:
//
//	LAKEMAP_BENCH_ENTITIES  catalog size (default 1,000,000)
//	LAKEMAP_BENCH_CALLS     calls per tool (default 300)
//	LAKEMAP_BENCH_DB        catalog file to build once and reuse (default
//	                        $TMPDIR/lakemap-mcp-bench-<entities>.db)
var (
	envInt     = benchcat.EnvInt
	benchWords = benchcat.Words
)

// benchCatalog builds (or reuses) the shared bench catalog of about n
// entities (internal/testenv/benchcat).
func benchCatalog(b *testing.B, n int) (catalog.Store, []string) {
	b.Helper()
	path := benchcat.Path("mcp", n)
	fqns := benchcat.Build(b, path, n)
	return openStore(b, path), fqns
}

// BenchmarkCatalogToolsHTTP measures search_catalog and get_entity over
// the streamable HTTP transport, token auth included, and prints p50/p99
// latency and response sizes.
//
//	go test ./internal/mcpserver -run '^$' -bench CatalogToolsHTTP -benchtime 1x
func BenchmarkCatalogToolsHTTP(b *testing.B) {
	n := envInt("LAKEMAP_BENCH_ENTITIES", 1_000_000)
	calls := envInt("LAKEMAP_BENCH_CALLS", 300)
	st, fqns := benchCatalog(b, n)
	box, _ := secrets.NewBox("bench")
	e := &env{t: b, ctx: context.Background(), store: st, tokens: st, box: box}
	e.srv = New(Options{Store: st, Secrets: box, Logger: quietLogger()})
	url, token := e.serveHTTP(b, Scope{Name: "bench"})
	cs := connectHTTPWith(b, url, token)
	rng := rand.New(rand.NewPCG(1, 2))

	ops := []struct {
		label, tool string
		args        func() map[string]any
	}{
		{"search_catalog", "search_catalog", func() map[string]any {
			return map[string]any{"query": benchWords[rng.IntN(len(benchWords))] + " " + benchWords[rng.IntN(len(benchWords))]}
		}},
		{"search_catalog kinds=table", "search_catalog", func() map[string]any {
			return map[string]any{"query": benchWords[rng.IntN(len(benchWords))], "kinds": []string{"table"}}
		}},
		// Issue 16: a word inside names ("rders"), and words that only
		// partly match, which run the in-word and partial passes.
		{"search_catalog in-word", "search_catalog", func() map[string]any {
			return map[string]any{"query": benchWords[rng.IntN(len(benchWords))][1:]}
		}},
		{"search_catalog partial", "search_catalog", func() map[string]any {
			return map[string]any{"query": benchWords[rng.IntN(len(benchWords))] + " nosuchword"}
		}},
		{"search_catalog list kind", "search_catalog", func() map[string]any {
			return map[string]any{"kinds": []string{"database"}}
		}},
		{"get_entity", "get_entity", func() map[string]any { return map[string]any{"fqn": fqns[rng.IntN(len(fqns))]} }},
		{"get_table_schema", "get_table_schema", func() map[string]any { return map[string]any{"fqn": fqns[rng.IntN(len(fqns))]} }},
	}
	b.ResetTimer()
	for range b.N {
		fmt.Fprintf(os.Stderr, "\n%d entities, %d calls per tool, HTTP transport with bearer token\n", n, calls)
		fmt.Fprintf(os.Stderr, "%-28s %9s %9s %9s %12s\n", "tool", "p50", "p99", "max", "avg bytes")
		for _, op := range ops {
			lat := make([]time.Duration, 0, calls)
			size := 0
			for range calls {
				start := time.Now()
				res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: op.tool, Arguments: op.args()})
				lat = append(lat, time.Since(start))
				if err != nil || res.IsError {
					b.Fatalf("%s: %v %v", op.label, err, res)
				}
				size += resultSize(res)
			}
			slices.Sort(lat)
			p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
			fmt.Fprintf(os.Stderr, "%-28s %9s %9s %9s %12d\n", op.label, p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond), size/calls)
			b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms/"+strings.ReplaceAll(op.label, " ", "-"))
		}
	}
}

package sqlite

import (
	"context"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// BenchmarkSearchFile measures one client's search latency on an existing
// catalog file, $LAKEMAP_BENCH_DB: the 1,000,000-entity catalog the MCP and
// REST benchmarks build (internal/testenv/benchcat) is the usual one. The
// query mix is theirs: two words, one word, a word's inside ("rders",
// which only the in-word index finds), a word and a word nowhere (the
// partial pass, then in-word), a table name's inside, and "adresse" (a
// column comment's inside, where columns have comments). It reports wall
// and searching-thread CPU p50 and p99, CPU being what a shared machine's
// load does not inflate.
//
//	LAKEMAP_BENCH_DB=$TMPDIR/lakemap-mcp-bench-1000000.db go test -run '^$' -bench SearchFile -benchtime 1x ./internal/store/sqlite/
func BenchmarkSearchFile(b *testing.B) {
	path := os.Getenv("LAKEMAP_BENCH_DB")
	if path == "" {
		b.Skip("LAKEMAP_BENCH_DB names no catalog file")
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	queries := []string{"orders customers", "ledger", "rders", "ustomers", "payments nosuchword", "region daily", "invoices_refunds", "hipment", "adresse"}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var wall, cpu []time.Duration
	perQuery := map[string]time.Duration{}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < 400; j++ {
			q := queries[j%len(queries)]
			t0, c0 := time.Now(), threadCPU()
			if _, err := s.Search(context.Background(), catalog.SearchQuery{Text: q, Limit: 20}); err != nil {
				b.Fatal(err)
			}
			wall = append(wall, time.Since(t0))
			cpu = append(cpu, threadCPU()-c0)
			perQuery[q] += cpu[len(cpu)-1]
		}
	}
	slices.Sort(wall)
	slices.Sort(cpu)
	pct := func(d []time.Duration, p int) float64 { return float64(d[len(d)*p/100].Microseconds()) / 1000 }
	b.ReportMetric(pct(wall, 50), "p50-ms")
	b.ReportMetric(pct(wall, 99), "p99-ms")
	b.ReportMetric(pct(cpu, 50), "cpu-p50-ms")
	b.ReportMetric(pct(cpu, 99), "cpu-p99-ms")
	mean := map[string]time.Duration{}
	for q, d := range perQuery {
		mean[q] = (d / time.Duration(len(cpu)/len(queries))).Round(10 * time.Microsecond)
	}
	b.Logf("mean CPU per query %v", mean)
}

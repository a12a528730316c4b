package ingest_test

import (
	"context"
	"fmt"
	"github.com/lakemap/lakemap/internal/testenv/benchproc"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/ingest"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/testenv/synthglue"
	"github.com/lakemap/lakemap/internal/workflow"
)

// BenchmarkGlueScan scans a synthetic catalog (default 10,000 tables × 50
// columns: LAKEMAP_BENCH_TABLES, LAKEMAP_BENCH_COLUMNS) from a local paged
// endpoint into SQLite, then measures search latency on the result and
// reports the catalog's size. LAKEMAP_BENCH_KEEP names a file to write the
// catalog to and keep (to measure its indexes with sqlite3's dbstat).
//
//	go test -run '^$' -bench GlueScan -benchtime 1x ./internal/ingest/
func BenchmarkGlueScan(b *testing.B) {
	tables := envInt("LAKEMAP_BENCH_TABLES", 10000)
	columns := envInt("LAKEMAP_BENCH_COLUMNS", 50)
	dbs := max(1, tables/500)
	cat := &synthglue.Catalog{Databases: dbs, TablesPerDB: tables / dbs, ColumnsPerTable: columns}
	endpoint := cat.Start(b)
	wf := benchWorkflow(b, endpoint)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		path := filepath.Join(b.TempDir(), "bench.db")
		if keep := os.Getenv("LAKEMAP_BENCH_KEEP"); keep != "" {
			path = keep
			os.Remove(keep)
		}
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		cpuBefore := processCPU()
		start := time.Now()
		sum, err := ingest.Run(ctx, st, wf, ingest.Options{})
		if err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		// CPU time does not depend on what else loads the machine, as
		// wall time does: compare commits by it on a shared machine.
		cpu := processCPU() - cpuBefore
		written := int64(0)
		for _, c := range sum.Stats {
			written += c.Added + c.Updated + c.Unchanged
		}
		p50, p99 := searchLatency(b, st)
		rss := benchproc.PeakRSS()
		b.ReportMetric(float64(written)/elapsed.Seconds(), "entities/s")
		b.ReportMetric(float64(written)/cpu.Seconds(), "entities/cpu-s")
		b.ReportMetric(rss, "peakRSS-MiB")
		b.ReportMetric(float64(p50.Microseconds())/1000, "search-p50-ms")
		b.ReportMetric(float64(p99.Microseconds())/1000, "search-p99-ms")
		fmt.Fprintf(os.Stderr, "\nglue scan: %d tables x %d columns -> %d entities in %s (%.0f entities/s, %.0f per CPU second, %d calls); peak RSS %.0f MiB; search p50 %s p99 %s\n",
			tables, columns, written, elapsed.Round(time.Millisecond), float64(written)/elapsed.Seconds(), float64(written)/cpu.Seconds(), cat.Calls(), rss, p50, p99)
		st.Close()
		if fi, err := os.Stat(path); err == nil {
			b.ReportMetric(float64(fi.Size())/(1<<20), "catalog-MiB")
		}
	}
}

func benchWorkflow(tb testing.TB, endpoint string) *workflow.Workflow {
	yaml := fmt.Sprintf(`source:
  type: glue
  serviceName: bench
  serviceConnection:
    config:
      type: Glue
      awsConfig: {awsAccessKeyId: AKIABENCH, awsSecretAccessKey: bench, endPointURL: %q}
  sourceConfig:
    config: {type: DatabaseMetadata, includePartitions: false, includeColumnStatistics: false, includeFunctions: false, includeAthena: false}
sink: {type: metadata-rest}
`, endpoint)
	wf, err := workflow.Parse("bench.yaml", []byte(yaml), all.NewRegistry())
	if err != nil {
		tb.Fatal(err)
	}
	return wf
}

// searchLatency runs a realistic mix of queries and returns p50 and p99.
func searchLatency(tb testing.TB, st catalog.Store) (time.Duration, time.Duration) {
	queries := []string{"orders_daily_00042", "customer", "payment amount", "order_ts", "invoices", "db_003", "refund_sku", "ledger hist", "shipments raw", "email"}
	var lat []time.Duration
	for i := 0; i < 300; i++ {
		q := queries[i%len(queries)]
		t0 := time.Now()
		if _, err := st.Search(context.Background(), catalog.SearchQuery{Text: q, Limit: 20}); err != nil {
			tb.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return lat[len(lat)/2], lat[len(lat)*99/100]
}

// processCPU is the user and system CPU time of this process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

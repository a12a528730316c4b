package glue

import (
	"context"
	"fmt"
	"github.com/lakemap/lakemap/internal/testenv/backends"
	"github.com/lakemap/lakemap/internal/testenv/benchproc"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/source/athena/athenascan"
)

// benchSize reads a size from the environment, so CI can run small:
//
//	LAKEMAP_BENCH_TABLES=1000 LAKEMAP_BENCH_PARTITIONS=500000 LAKEMAP_BENCH_LATENCY=30ms \
//	  go test -run '^$' -bench BenchmarkScan -benchtime 1x ./internal/source/glue/
func benchSize(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		b.Fatalf("%s=%q: want a non-negative integer", name, v)
	}
	return n
}

// benchCatalog spreads the partitions over the tables: half over all but
// two tables (a few hundred each, one page), half over two big tables (read
// in segments), since real catalogs have both and the big ones decide the
// wall time.
func benchCatalog(tables, partitions int) func(d, t int) int {
	const perDB = 100
	big := map[int]bool{0: true, tables / 2: true}
	if tables < 4 {
		big = map[int]bool{}
	}
	bigShare := 0
	if len(big) > 0 {
		bigShare = partitions / 2 / len(big)
	}
	rest := partitions - bigShare*len(big)
	small := tables - len(big)
	return func(d, t int) int {
		i := d*perDB + t
		if big[i] {
			return bigShare
		}
		// Spread rest evenly, the first tables taking the remainder.
		k := i
		for b := range big {
			if b < i {
				k--
			}
		}
		n := rest / max(small, 1)
		if k < rest%max(small, 1) {
			n++
		}
		return n
	}
}

// discardWriter is a catalog.ScanWriter that only counts: the benchmark
// measures the scanner and the runner, not a database.
type discardWriter struct{ entities atomic.Int64 }

func (d *discardWriter) BeginScan(context.Context, catalog.ScanStart) (catalog.Scan, error) {
	return catalog.Scan{ID: 1}, nil
}
func (d *discardWriter) Upsert(_ context.Context, _ int64, batch []catalog.Entity) (catalog.WriteStats, error) {
	d.entities.Add(int64(len(batch)))
	return catalog.WriteStats{}, nil
}
func (d *discardWriter) Write(_ context.Context, _ int64, w catalog.ScanWrite) (catalog.WriteStats, error) {
	d.entities.Add(int64(len(w.Batch)))
	for _, p := range w.Parts {
		d.entities.Add(int64(len(p.Entities)))
	}
	return catalog.WriteStats{}, nil
}
func (d *discardWriter) MarkMissing(context.Context, int64, string, []catalog.Kind) (catalog.WriteStats, error) {
	return catalog.WriteStats{}, nil
}
func (d *discardWriter) FinishScan(context.Context, int64, catalog.ScanResult) error { return nil }

// countingWriter writes through to a store and counts like discardWriter.
type countingWriter struct {
	catalog.ScanWriter
	counter *discardWriter
}

func (c countingWriter) Upsert(ctx context.Context, id int64, batch []catalog.Entity) (catalog.WriteStats, error) {
	c.counter.entities.Add(int64(len(batch)))
	return c.ScanWriter.Upsert(ctx, id, batch)
}

func (c countingWriter) Write(ctx context.Context, id int64, w catalog.ScanWrite) (catalog.WriteStats, error) {
	c.counter.entities.Add(int64(len(w.Batch)))
	for _, p := range w.Parts {
		c.counter.entities.Add(int64(len(p.Entities)))
	}
	return c.ScanWriter.Write(ctx, id, w)
}

// benchWriter is where a benchmark's scan writes: nowhere (counting what
// it would write), or into the catalog LAKEMAP_BENCH_STORE names
// (backends.ForBench); w counts the entities either way.
func benchWriter(b *testing.B, ctx context.Context) (catalog.ScanWriter, *discardWriter) {
	w := &discardWriter{}
	if st := backends.ForBench(b); st != nil {
		return countingWriter{st, w}, w
	}
	return w, w
}

// BenchmarkScan scans a synthetic catalog. LAKEMAP_BENCH_STORE=sqlite writes
// into the embedded store instead of discarding, to see the whole ingest.
func BenchmarkScan(b *testing.B) {
	tables := benchSize(b, "LAKEMAP_BENCH_TABLES", 1000)
	partitions := benchSize(b, "LAKEMAP_BENCH_PARTITIONS", 500_000)
	latency := 30 * time.Millisecond
	if v := os.Getenv("LAKEMAP_BENCH_LATENCY"); v != "" {
		var err error
		if latency, err = time.ParseDuration(v); err != nil {
			b.Fatalf("LAKEMAP_BENCH_LATENCY=%q: %v", v, err)
		}
	}
	const perDB = 100
	g := &syntheticGlue{
		databases: (tables + perDB - 1) / perDB, tablesPerDB: min(tables, perDB), columnsPerTable: 20,
		partitions:     benchCatalog(tables, partitions),
		functionsPerDB: 3, statsColumns: 10,
		workgroups: 2, queriesPerWG: 500,
		latency: latency,
	}
	srv := g.start(b)
	want := minCalls(g)
	concurrency := awsconn.DefaultMaxConcurrency

	for range b.N {
		g.calls.Store(0)
		g.conns.Store(0)
		benchproc.ResetPeakRSS()
		ctx := context.Background()
		sess, err := awsconn.NewSession(ctx, awsconn.Config{
			AccessKeyID: "AKIDBENCH", SecretAccessKey: "secret", Region: "us-east-1", EndpointURL: srv.URL,
		}, awsconn.Options{ServiceName: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		cfg := DefaultSourceConfig()
		cfg.QueryLogDuration = 1
		s, err := NewScanner(sess.Glue(), "bench", *cfg, nil)
		if err != nil {
			b.Fatal(err)
		}
		if s.Athena, err = athenascan.New(sess.Athena(), "bench", cfg.Options, nil); err != nil {
			b.Fatal(err)
		}
		s.Athena.Now = func() time.Time { return g.now }
		writer, w := benchWriter(b, ctx)
		start := time.Now()
		var traceMu sync.Mutex
		buckets := map[int][]int64{}
		g.trace = func(f int64) {
			traceMu.Lock()
			k := int(time.Since(start) / (100 * time.Millisecond))
			buckets[k] = append(buckets[k], f)
			traceMu.Unlock()
		}
		sum, err := (&scan.Runner{Store: writer}).Run(ctx, "bench", "glue", s)
		wall := time.Since(start)
		if err != nil || sum.Status != catalog.ScanSucceeded {
			b.Fatalf("scan: %v, %s %v", err, sum.Status, sum.Errors)
		}
		calls := g.calls.Load()
		floor := time.Duration(want) * latency / time.Duration(concurrency)
		rss := benchproc.PeakRSS()
		b.ReportMetric(float64(calls), "calls")
		b.ReportMetric(float64(want), "min-calls")
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(floor.Seconds(), "floor-s")
		b.ReportMetric(rss, "peak-MB")
		var out strings.Builder
		fmt.Fprintf(&out, "\nGlue+Athena scan: %d tables, %d partitions, %d entities, latency %s, concurrency %d, GOMAXPROCS %d\n",
			tables, partitions, w.entities.Load(), latency, concurrency, runtime.GOMAXPROCS(0))
		fmt.Fprintf(&out, "  connections opened: %d\n", g.conns.Load())
		fmt.Fprintf(&out, "  %-28s %12s %12s %8s %s\n", "measure", "value", "target", "ratio", "")
		row := func(name string, v, target float64, unit string, ratio float64, limit float64) {
			verdict := "ok"
			if ratio > limit {
				verdict = "OVER"
			}
			fmt.Fprintf(&out, "  %-28s %10.2f%-2s %10.2f%-2s %8.3f %s\n", name, v, unit, target, unit, ratio, verdict)
		}
		row("calls made / minimum", float64(calls), float64(want), "", float64(calls)/float64(want), 1.05)
		row("wall / floor", wall.Seconds(), floor.Seconds(), "s", wall.Seconds()/floor.Seconds(), 1.25)
		if rss > 0 {
			row("peak RSS (VmHWM) / 300 MB", rss, 300, "MB", rss/300, 1)
		}
		for _, op := range []string{"GetDatabases", "GetTables", "GetPartitions", "GetColumnStatisticsForTable", "GetUserDefinedFunctions",
			"ListDataCatalogs", "GetDataCatalog", "ListWorkGroups", "GetWorkGroup", "ListQueryExecutions", "BatchGetQueryExecution"} {
			fmt.Fprintf(&out, "    %-30s %d\n", op, g.count(op))
			g.mu.Lock()
			g.ops[op] = 0
			g.mu.Unlock()
		}
		if os.Getenv("LAKEMAP_BENCH_TRACE") != "" {
			for k := 0; k <= int(wall/(100*time.Millisecond)); k++ {
				v := buckets[k]
				var sum int64
				for _, x := range v {
					sum += x
				}
				fmt.Fprintf(&out, "    t=%4dms calls=%3d mean-inflight=%.1f\n", k*100, len(v), float64(sum)/float64(max(len(v), 1)))
			}
		}
		b.Log(out.String())
	}
}

// minCalls is what a perfect scanner needs: every page once, one statistics
// call per table (up to 100 columns), one batch per page of 50 query ids.
func minCalls(g *syntheticGlue) int64 {
	pages := func(n, size int) int64 { return int64(max((n+size-1)/size, 1)) }
	var n int64 = pages(g.databases, g.pageSize)
	for d := range g.databases {
		n += pages(g.tablesPerDB, g.pageSize)
		n += pages(g.functionsPerDB, g.pageSize)
		for t := range g.tablesPerDB {
			n += pages(g.partitionCount(d, t), g.partitionPageSize)
			n += pages(g.columnsPerTable, StatsColumnsPerCall)
		}
	}
	// ListDataCatalogs, GetDataCatalog, ListWorkGroups, then per workgroup
	// GetWorkGroup, the id pages and as many batches.
	n += 3
	n += int64(g.workgroups) * (1 + 2*pages(g.queriesPerWG, athenascan.BatchSize))
	return n
}

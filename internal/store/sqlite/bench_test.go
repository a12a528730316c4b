package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// BenchmarkUpsert writes a first scan of tables × 50 columns in batches of
// 1,000, as the scan runner does, and reports entities per second.
func BenchmarkUpsert(b *testing.B) {
	const tables, columns = 2000, 50
	batches := syntheticBatches(tables, columns, 1000)
	for i := 0; i < b.N; i++ {
		s, err := Open(context.Background(), filepath.Join(b.TempDir(), "b.db"))
		if err != nil {
			b.Fatal(err)
		}
		sc, _ := s.BeginScan(context.Background(), catalog.ScanStart{Service: "bench", Started: time.Now()})
		start := time.Now()
		n := 0
		for _, batch := range batches {
			if _, err := s.Upsert(context.Background(), sc.ID, batch); err != nil {
				b.Fatal(err)
			}
			n += len(batch)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "entities/s")
		s.Close()
	}
}

func syntheticBatches(tables, columns, size int) [][]catalog.Entity {
	var all []catalog.Entity
	for t := range tables {
		tfqn := fmt.Sprintf("bench.db_%02d.orders_%05d", t/500, t)
		all = append(all, catalog.Entity{FQN: tfqn, Kind: catalog.KindTable, Description: "synthetic orders table",
			Attrs: map[string]any{"location": "s3://lake/" + tfqn, "columnCount": int64(columns), "format": "parquet"}})
		for c := range columns {
			all = append(all, catalog.Entity{FQN: fmt.Sprintf("%s.col_%02d", tfqn, c), Kind: catalog.KindColumn, Description: "synthetic column",
				Attrs: map[string]any{"dataType": "bigint", "ordinal": int64(c)}})
		}
	}
	var out [][]catalog.Entity
	for len(all) > 0 {
		n := min(size, len(all))
		out = append(out, all[:n])
		all = all[n:]
	}
	return out
}

// BenchmarkSearch measures search latency over two services of 1,000
// tables × 50 columns each (about 100,000 entities), each the connection of
// its own project, reporting p50 and p99 of a realistic query mix: without
// tenancy, and through readers scoped to every project, to one (half the
// catalog is filtered out in SQL) and to both.
//
//	go test -run '^$' -bench Search -benchtime 1x ./internal/store/sqlite/
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var projects []catalog.Project
	for _, svc := range []string{"bench_a", "bench_b", "bench_empty"} {
		p, err := catalog.NewProject("project_"+svc, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		projects = append(projects, p)
		if err := s.CreateProject(ctx, p); err != nil {
			b.Fatal(err)
		}
		if err := s.PutConnection(ctx, catalog.Connection{Name: svc, ProjectID: p.ID, SourceType: "glue", Region: "eu-west-1"}); err != nil {
			b.Fatal(err)
		}
		if svc == "bench_empty" {
			continue // a project with nothing scanned yet: every match is another's
		}
		sc, _ := s.BeginScan(ctx, catalog.ScanStart{Service: svc, Started: time.Now()})
		for _, batch := range syntheticServiceBatches(svc, 1000, 50, 1000) {
			if _, err := s.Upsert(ctx, sc.ID, batch); err != nil {
				b.Fatal(err)
			}
		}
	}
	// The readers take turns query by query, so that load from elsewhere on
	// the machine weighs on each alike.
	searchLatency(b, []namedSearcher{
		{"unscoped", s},
		{"all-projects", s.Scoped(catalog.AllProjects())},
		{"one-project", s.Scoped(catalog.Projects(projects[0].ID))},
		{"two-projects", s.Scoped(catalog.Projects(projects[0].ID, projects[1].ID))},
		{"empty-project", s.Scoped(catalog.Projects(projects[2].ID))},
	})
}

type namedSearcher struct {
	name string
	r    catalog.Searcher
}

// searchLatency reports p50 and p99 per reader and returns the p99s.
func searchLatency(b *testing.B, readers []namedSearcher) map[string]time.Duration {
	queries := []string{"orders_00042", "synthetic", "orders column", "col_07", "db_01", "missing_word", "orders_0004", "synthetic orders table"}
	lat := make([][]time.Duration, len(readers))
	cpu := make([][]time.Duration, len(readers))
	// SQLite runs on the calling goroutine: with it locked to its thread,
	// the thread's CPU time is the search's own, whatever else loads the
	// machine (wall times are not, on a shared machine).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// perQuery sums each reader's CPU time per query, to name the
	// queries a p99 comes from.
	perQuery := make([]map[string]time.Duration, len(readers))
	for k := range perQuery {
		perQuery[k] = map[string]time.Duration{}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < 400; j++ {
			for k, r := range readers {
				q := queries[j%len(queries)]
				t0, c0 := time.Now(), threadCPU()
				if _, err := r.r.Search(context.Background(), catalog.SearchQuery{Text: q, Limit: 20}); err != nil {
					b.Fatal(err)
				}
				d := time.Since(t0)
				lat[k] = append(lat[k], d)
				cpu[k] = append(cpu[k], threadCPU()-c0)
				perQuery[k][q] += cpu[k][len(cpu[k])-1]
			}
		}
	}
	p99 := map[string]time.Duration{}
	for k, r := range readers {
		slices.Sort(lat[k])
		p50 := lat[k][len(lat[k])/2]
		p99[r.name] = lat[k][len(lat[k])*99/100]
		b.ReportMetric(float64(p50.Microseconds())/1000, r.name+"-p50-ms")
		b.ReportMetric(float64(p99[r.name].Microseconds())/1000, r.name+"-p99-ms")
		slices.Sort(cpu[k])
		b.ReportMetric(float64(cpu[k][len(cpu[k])*99/100].Microseconds())/1000, r.name+"-cpu-p99-ms")
		mean := map[string]time.Duration{}
		for q, d := range perQuery[k] {
			mean[q] = (d / time.Duration(len(lat[k])/len(queries))).Round(10 * time.Microsecond)
		}
		b.Logf("%s: search p50 %s p99 %s (CPU p50 %s p99 %s); mean CPU per query %v", r.name, p50, p99[r.name],
			cpu[k][len(cpu[k])/2], cpu[k][len(cpu[k])*99/100], mean)
	}
	return p99
}

// syntheticServiceBatches is syntheticBatches under service svc.
func syntheticServiceBatches(svc string, tables, columns, size int) [][]catalog.Entity {
	batches := syntheticBatches(tables, columns, size)
	for _, batch := range batches {
		for i := range batch {
			batch[i].FQN = svc + strings.TrimPrefix(batch[i].FQN, "bench")
			batch[i].Service = svc
		}
	}
	return batches
}

// BenchmarkSearchSparseTenant measures search over a catalog of about
// 1,000,000 entities (LAKEMAP_BENCH_ENTITIES) in which the searching
// project owns 1%: tables of 50 columns, a big project's connection
// holding 99% of them, written before and after the small project's. It
// reports p50 and p99 unscoped, for a reader of every project, of the big
// project and of the small one, and each scoped p99 over the unscoped one.
// The small project's matches must come from the index, not from reading
// everyone's and dropping 99% of them.
//
//	go test -run '^$' -bench SearchSparseTenant -benchtime 1x ./internal/store/sqlite/
func BenchmarkSearchSparseTenant(b *testing.B) {
	ctx := context.Background()
	total := envInt("LAKEMAP_BENCH_ENTITIES", 1_000_000)
	const columns = 50
	tables := max(100, total/(columns+1))
	small := max(1, tables/100)
	s, err := Open(ctx, filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	projects := map[string]catalog.Project{}
	write := func(svc string, tables int) {
		sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: svc, Started: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		for _, batch := range syntheticServiceBatches(svc, tables, columns, 20000) {
			if _, err := s.Upsert(ctx, sc.ID, batch); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, svc := range []string{"big_a", "small", "big_b"} {
		p, err := catalog.NewProject("project_"+strings.TrimSuffix(strings.TrimSuffix(svc, "_a"), "_b"), time.Now())
		if err != nil {
			b.Fatal(err)
		}
		if old, ok := projects[p.Name]; ok {
			p = old
		} else if err := s.CreateProject(ctx, p); err != nil {
			b.Fatal(err)
		}
		projects[p.Name] = p
		if err := s.PutConnection(ctx, catalog.Connection{Name: svc, ProjectID: p.ID, SourceType: "glue", Region: "eu-west-1"}); err != nil {
			b.Fatal(err)
		}
	}
	// The small project's rows sit between the big one's, as when several
	// connections are scanned over time.
	write("big_a", (tables-small)/2)
	write("small", small)
	write("big_b", tables-small-(tables-small)/2)
	var n int64
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM entities`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	b.Logf("catalog: %d entities (small project: %d tables x %d columns) written in %s", n, small, columns, time.Since(start).Round(time.Second))
	p99 := searchLatency(b, []namedSearcher{
		{"unscoped", s},
		{"all-projects", s.Scoped(catalog.AllProjects())},
		{"big-project-99pct", s.Scoped(catalog.Projects(projects["project_big"].ID))},
		{"small-project-1pct", s.Scoped(catalog.Projects(projects["project_small"].ID))},
	})
	for _, name := range []string{"all-projects", "big-project-99pct", "small-project-1pct"} {
		b.ReportMetric(float64(p99[name])/float64(p99["unscoped"]), name+"-p99/unscoped")
	}
}

// threadCPU is the CPU time of the calling thread so far.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rusageThread is Linux's RUSAGE_THREAD.
const rusageThread = 1

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

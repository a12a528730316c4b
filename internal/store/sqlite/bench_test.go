package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
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

func searchLatency(b *testing.B, readers []namedSearcher) {
	queries := []string{"orders_00042", "synthetic", "orders column", "col_07", "db_01", "missing_word", "orders_0004", "synthetic orders table"}
	lat := make([][]time.Duration, len(readers))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < 400; j++ {
			for k, r := range readers {
				t0 := time.Now()
				if _, err := r.r.Search(context.Background(), catalog.SearchQuery{Text: queries[j%len(queries)], Limit: 20}); err != nil {
					b.Fatal(err)
				}
				lat[k] = append(lat[k], time.Since(t0))
			}
		}
	}
	for k, r := range readers {
		slices.Sort(lat[k])
		b.ReportMetric(float64(lat[k][len(lat[k])/2].Microseconds())/1000, r.name+"-p50-ms")
		b.ReportMetric(float64(lat[k][len(lat[k])*99/100].Microseconds())/1000, r.name+"-p99-ms")
	}
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

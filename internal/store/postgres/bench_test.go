package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// BenchmarkUpsert writes a first scan of tables × 50 columns in batches of
// 1,000, as the scan runner does, and reports entities per second — the
// same load as the SQLite store's BenchmarkUpsert.
func BenchmarkUpsert(b *testing.B) {
	const tables, columns = 2000, 50
	batches := syntheticBatches(tables, columns, 1000)
	for i := 0; i < b.N; i++ {
		s := open(b)
		ctx := context.Background()
		sc, _ := s.BeginScan(ctx, catalog.ScanStart{Service: "bench", Started: time.Now()})
		start := time.Now()
		n := 0
		for _, batch := range batches {
			if _, err := s.Upsert(ctx, sc.ID, batch); err != nil {
				b.Fatal(err)
			}
			n += len(batch)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "entities/s")
		// A rescan: everything unchanged.
		sc, _ = s.BeginScan(ctx, catalog.ScanStart{Service: "bench", Started: time.Now()})
		start = time.Now()
		for _, batch := range batches {
			if _, err := s.Upsert(ctx, sc.ID, batch); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rescan-entities/s")
		start = time.Now()
		const searches = 200
		for j := range searches {
			if _, err := s.Search(ctx, catalog.SearchQuery{Text: fmt.Sprintf("orders_%05d", j*7)}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/searches/1000, "ms/search")
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

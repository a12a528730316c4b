package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
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

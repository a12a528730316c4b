package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// BenchmarkStagePublish is the catalog writer's share of the throttled
// Glue benchmark (internal/source/glue BenchmarkScanThrottled), without
// the scan: 250 tables × 2,000 sealed partitions, staged 1,250 a write
// (the scan runner's op) as four workers' pages of 1,000 interleave, each
// table written, with its 20 columns, in the write after its last part.
// It reports parts per second of a first scan and of the next one, which
// finds them unchanged; a throttled scan on SQLite is bound by them.
// Compare variants with -count.
//
//	go test ./internal/store/sqlite -run '^$' -bench StagePublish -count 5
func BenchmarkStagePublish(b *testing.B) {
	const tables, perTable, perPage, perWrite, workers = 250, 2000, 1000, 1250, 4
	writes := partWrites(b, tables, perTable, perPage, perWrite, workers)
	ctx := context.Background()
	scan := func(s *Store) time.Duration {
		sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: "bench", Started: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for _, w := range writes {
			// Write owns what it is given, as it does the runner's ops.
			w.Batch = append([]catalog.Entity(nil), w.Batch...)
			if _, err := s.Write(ctx, sc.ID, w); err != nil {
				b.Fatal(err)
			}
		}
		took := time.Since(start)
		if err := s.FinishScan(ctx, sc.ID, catalog.ScanResult{Status: catalog.ScanSucceeded, Finished: time.Now()}); err != nil {
			b.Fatal(err)
		}
		return took
	}
	// first: a new catalog; again: the same partitions, unchanged.
	for _, c := range []struct {
		name  string
		again bool
	}{{"first", false}, {"again", true}} {
		b.Run(c.name, func(b *testing.B) {
			b.StopTimer()
			for range b.N {
				s, err := Open(ctx, filepath.Join(b.TempDir(), "b.db"))
				if err != nil {
					b.Fatal(err)
				}
				if c.again {
					scan(s)
				}
				b.StartTimer()
				took := scan(s)
				b.StopTimer()
				b.ReportMetric(float64(tables*perTable)/took.Seconds(), "parts/s")
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// partWrites are the writes of a first scan of tables × perTable
// partitions: workers list a table each, a page at a time and taking
// turns; a write stages perWrite parts and carries the tables whose last
// page it holds, with their columns.
func partWrites(b *testing.B, tables, perTable, perPage, perWrite, workers int) []catalog.ScanWrite {
	table := func(t int) string { return fmt.Sprintf("bench.db_%03d.orders_%05d", t%5, t) }
	first := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	var writes []catalog.ScanWrite
	var cur catalog.ScanWrite
	staged := 0
	tableOf, next := make([]int, workers), make([]int, workers)
	for w := range workers {
		tableOf[w] = w
	}
	for busy := true; busy; {
		busy = false
		for w := range workers {
			t := tableOf[w]
			if t >= tables {
				continue
			}
			busy = true
			tfqn := table(t)
			page := catalog.Parts{Owner: tfqn}
			for p := next[w]; p < min(next[w]+perPage, perTable); p++ {
				day := first.AddDate(0, 0, p)
				name := "dt=" + day.Format(time.DateOnly)
				e := catalog.Entity{FQN: catalog.Child(tfqn, name), Kind: catalog.KindPartition, Service: "bench", ParentFQN: tfqn, Name: name,
					SourceCreated: &day, Attrs: map[string]any{
						"values": []any{day.Format(time.DateOnly)}, "location": "s3://lake/" + tfqn + "/" + name + "/", "format": "parquet",
						"parameters": map[string]any{"numRows": fmt.Sprint(p * 10)},
					}}
				if err := e.Seal(); err != nil {
					b.Fatal(err)
				}
				page.Entities = append(page.Entities, e)
			}
			next[w] += len(page.Entities)
			cur.Parts = append(cur.Parts, page)
			staged += len(page.Entities)
			if next[w] == perTable {
				cur.Publish = append(cur.Publish, tfqn)
				cur.Batch = append(cur.Batch, catalog.Entity{FQN: tfqn, Kind: catalog.KindTable, Attrs: map[string]any{"format": "parquet"}})
				for c := range 20 {
					cur.Batch = append(cur.Batch, catalog.Entity{FQN: catalog.Child(tfqn, fmt.Sprintf("col_%02d", c)), Kind: catalog.KindColumn,
						Attrs: map[string]any{"dataType": "bigint", "ordinal": c}})
				}
				tableOf[w], next[w] = t+workers, 0
			}
			if staged >= perWrite {
				writes = append(writes, cur)
				cur, staged = catalog.ScanWrite{}, 0
			}
		}
	}
	return append(writes, cur)
}

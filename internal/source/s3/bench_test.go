package s3

import (
	"context"
	"fmt"
	"github.com/lakemap/lakemap/internal/testenv/benchproc"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	scanrunner "github.com/lakemap/lakemap/internal/scan"
)

// genSpace is a bucket of prefixes × files generated on demand: the keys
// are never held in memory, so the benchmark measures the scanner's
// memory, not the fake's.
type genSpace struct {
	prefixes, perPrefix int
	// csv makes the files small CSV files with bytes behind them (the
	// scanner samples them); else they are virtual Parquet files.
	csv bool
}

// genCSV is every generated CSV file's content.
var genCSV = []byte("order_id,customer,amount,created_at\n1,alice,12.50,2024-01-02T03:04:05Z\n2,bob,7.25,2024-01-02T04:05:06Z\n")

func (g genSpace) ext() string {
	if g.csv {
		return ".csv"
	}
	return ".parquet"
}

func (g genSpace) prefix(i int) string { return fmt.Sprintf("d%05d/", i) }

// object names file j under a prefix; the fake's CPU time counts against
// the scanner's on a small machine, so keys are built without fmt.
func (g genSpace) object(prefix string, j int) fakeObject {
	if g.csv {
		return fakeObject{key: prefix + "part-" + strconv.Itoa(1000000 + j)[1:] + ".csv", size: int64(len(genCSV)), modified: t0, data: genCSV}
	}
	return fakeObject{key: prefix + "part-" + strconv.Itoa(1000000 + j)[1:] + ".parquet", size: 1024, modified: t0}
}

func (g genSpace) get(key string) (fakeObject, bool) {
	var p, j int
	if _, err := fmt.Sscanf(strings.TrimSuffix(key, g.ext()), "d%05d/part-%06d", &p, &j); err != nil || p >= g.prefixes || j >= g.perPrefix {
		return fakeObject{}, false
	}
	return g.object(g.prefix(p), j), true
}

func (g genSpace) list(prefix, delim, token string, max int) ([]fakeObject, []string, string) {
	after := strings.TrimPrefix(strings.TrimPrefix(token, "k:"), "p:")
	switch {
	case prefix == "" && delim == "/":
		start := 0
		if after != "" {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(after, "d"), "/"))
			start = n + 1
		}
		var out []string
		for i := start; i < g.prefixes && len(out) < max; i++ {
			out = append(out, g.prefix(i))
		}
		next := ""
		if start+len(out) < g.prefixes {
			next = "p:" + out[len(out)-1]
		}
		return nil, out, next
	case strings.HasPrefix(prefix, "d") && strings.HasSuffix(prefix, "/"):
		p, err := strconv.Atoi(strings.TrimSuffix(prefix[1:], "/"))
		if err != nil || p >= g.prefixes {
			return nil, nil, ""
		}
		start := 0
		if after != "" {
			var pp, j int
			if _, err := fmt.Sscanf(strings.TrimSuffix(after, g.ext()), "d%05d/part-%06d", &pp, &j); err == nil {
				start = j + 1
			}
		}
		out := make([]fakeObject, 0, min(max, g.perPrefix-start))
		for j := start; j < g.perPrefix && len(out) < max; j++ {
			out = append(out, g.object(prefix, j))
		}
		next := ""
		if start+len(out) < g.perPrefix {
			next = "k:" + out[len(out)-1].key
		}
		return out, nil, next
	}
	return nil, nil, ""
}

// discardStore is a catalog.ScanWriter that counts: the benchmark measures
// the scanner and the runner's batching, not a database.
type discardStore struct {
	entities atomic.Int64
}

func (d *discardStore) BeginScan(context.Context, catalog.ScanStart) (catalog.Scan, error) {
	return catalog.Scan{ID: 1}, nil
}

func (d *discardStore) Upsert(_ context.Context, _ int64, batch []catalog.Entity) (catalog.WriteStats, error) {
	d.entities.Add(int64(len(batch)))
	return catalog.WriteStats{}, nil
}

func (d *discardStore) Write(_ context.Context, _ int64, w catalog.ScanWrite) (catalog.WriteStats, error) {
	d.entities.Add(int64(len(w.Batch)))
	for _, p := range w.Parts {
		d.entities.Add(int64(len(p.Entities)))
	}
	return catalog.WriteStats{}, nil
}
func (d *discardStore) MarkMissing(context.Context, int64, string, []catalog.Kind) (catalog.WriteStats, error) {
	return catalog.WriteStats{}, nil
}

func (d *discardStore) FinishScan(context.Context, int64, catalog.ScanResult) error { return nil }

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkInventory scans one bucket of LAKEMAP_BENCH_OBJECTS objects
// under LAKEMAP_BENCH_PREFIXES prefixes, served 1,000 keys a page with
// LAKEMAP_BENCH_LATENCY_MS of latency per call, discovery and inventory on
// (schema sampling off: the floor counts listings only). The full
// size: LAKEMAP_BENCH_OBJECTS=2000000 LAKEMAP_BENCH_PREFIXES=2000.
//
//	go test ./internal/source/s3 -run '^$' -bench Inventory -benchtime 1x
func BenchmarkInventory(b *testing.B) {
	objects := envInt("LAKEMAP_BENCH_OBJECTS", 20000)
	prefixes := envInt("LAKEMAP_BENCH_PREFIXES", 20)
	latency := time.Duration(envInt("LAKEMAP_BENCH_LATENCY_MS", 30)) * time.Millisecond
	space := genSpace{prefixes: prefixes, perPrefix: objects / prefixes}
	for range b.N {
		f := newFakeS3(b)
		f.latency = latency
		f.addBucket(&fakeBucket{name: "bench", space: space})
		srv := f.start()
		cfg := DefaultSourceConfig()
		cfg.IncludeObjects, cfg.MaxObjectsPerBucket, cfg.SampleFiles = true, 0, 0
		s := testScanner(b, srv.URL, f, cfg)
		store := &discardStore{}
		runner := &scanrunner.Runner{Store: store}
		runtime.GC()
		benchproc.ResetPeakRSS()
		// RSS keeps what the runtime once mapped; the heap's peak says
		// whether memory grows with the bucket.
		heapPeaks := benchproc.SampleHeap()
		start := time.Now()
		sum, err := runner.Run(context.Background(), "svc", Type, s)
		wall := time.Since(start)
		peakHeap := heapPeaks().InUse
		if err != nil || len(sum.Errors) > 0 {
			b.Fatalf("scan: %v %v", err, sum.Errors)
		}
		pages := f.listCalls.Load()
		parallel := cfg.ListThreads
		floor := time.Duration(float64(pages) / float64(parallel) * float64(latency))
		got := store.entities.Load()
		want := int64(space.prefixes*space.perPrefix + space.prefixes + 2) // objects, containers, bucket, service
		if got != want {
			b.Fatalf("wrote %d entities, want %d", got, want)
		}
		rss := benchproc.PeakRSS()
		b.ReportMetric(float64(f.calls.Load()), "calls")
		b.ReportMetric(wall.Seconds(), "wall_s")
		b.ReportMetric(floor.Seconds(), "floor_s")
		b.ReportMetric(wall.Seconds()/floor.Seconds(), "wall/floor")
		b.ReportMetric(float64(space.prefixes*space.perPrefix)/wall.Seconds(), "objects/s")
		b.ReportMetric(rss, "peakRSS_MiB")
		b.ReportMetric(peakHeap, "peakHeap_MiB")
		b.Logf("objects %d prefixes %d latency %v | calls %d (list pages %d) | wall %v | floor %v (pages %d / %d parallel × %v) | %.2f× floor | %.0f objects/s | peak RSS %.0f MiB, heap in use %.0f MiB",
			space.prefixes*space.perPrefix, space.prefixes, latency, f.calls.Load(), pages, wall.Round(time.Millisecond),
			floor.Round(time.Millisecond), pages, parallel, latency, wall.Seconds()/floor.Seconds(),
			float64(space.prefixes*space.perPrefix)/wall.Seconds(), rss, peakHeap)
	}
}

package s3

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/awsconn"
	scanrunner "github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/testenv/throttle"
)

// BenchmarkInventoryThrottled is issue 14's throttled account for S3: one
// bucket of 200 prefixes × 100 CSV files (20k objects) and × 1,000 (200k),
// discovery and inventory on, three files sampled per dataset, 1,000 keys a
// page, 30 ms of latency and a token bucket of 100 calls a second (burst
// 100) answering 503 SlowDown past it, through an awsconn.Session as in
// production. The floor is the minimum calls ÷ 100 calls/s; targets: wall
// ≤ 1.25× the floor, throttled calls ≤ 5% of all calls, calls answered ≤
// 1.02× the minimum, peak RSS ≤ 128 MB and at 200k within 15% of 20k.
// LAKEMAP_BENCH_BATCH sets the runner's write batch (default
// scan.DefaultBatchSize), which decides most of the memory held.
//
//	go test ./internal/source/s3 -run '^$' -bench InventoryThrottled -benchtime 1x
func BenchmarkInventoryThrottled(b *testing.B) {
	for _, perPrefix := range []int{100, 1000} {
		space := genSpace{prefixes: 200, perPrefix: perPrefix, csv: true}
		b.Run(fmt.Sprintf("objects=%d", space.prefixes*perPrefix), func(b *testing.B) {
			for range b.N {
				runThrottled(b, space)
			}
		})
	}
}

func runThrottled(b *testing.B, space genSpace) {
	bucket := throttle.New(100, 100)
	f := newFakeS3(b)
	f.latency = 30 * time.Millisecond
	f.throttle = bucket
	f.addBucket(&fakeBucket{name: "bench", space: space})
	srv := f.start()
	ctx := context.Background()
	sess, err := awsconn.NewSession(ctx, awsconn.Config{
		AccessKeyID: "AKIDBENCH", SecretAccessKey: "secret", Region: "us-east-1", EndpointURL: srv.URL,
	}, awsconn.Options{ServiceName: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	cfg := DefaultSourceConfig()
	cfg.IncludeObjects, cfg.MaxObjectsPerBucket, cfg.IncludeMetrics = true, 0, false
	s, err := NewScanner(newSessionClients(sess), "svc", *cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	store := &discardStore{}
	runtime.GC()
	resetPeakRSS()
	stop, heap := make(chan struct{}), make(chan [2]float64)
	go func() {
		// Heap in use counts what the collector has not yet reclaimed
		// (GOGC lets it reach twice the live heap); the live heap, as the
		// last collection marked it, is what the scan holds.
		var peak, live uint64
		marked := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			metrics.Read(marked)
			live = max(live, marked[0].Value.Uint64())
			select {
			case <-tick.C:
			case <-stop:
				heap <- [2]float64{float64(peak) / (1 << 20), float64(live) / (1 << 20)}
				return
			}
		}
	}()
	start := time.Now()
	sum, err := (&scanrunner.Runner{Store: store, BatchSize: envInt("LAKEMAP_BENCH_BATCH", 0)}).Run(ctx, "svc", Type, s)
	wall := time.Since(start)
	close(stop)
	heaps := <-heap
	peakHeap, peakLive := heaps[0], heaps[1]
	if err != nil || len(sum.Errors) > 0 {
		b.Fatalf("scan: %v %v", err, sum.Errors)
	}
	// The least a scan can do: list the buckets and read the bucket's
	// details, list the top level and every dataset's keys a page at a
	// time, and sample cfg.SampleFiles files of each dataset.
	pages := int64((space.perPrefix + 999) / 1000)
	want := 1 + 4 + 1 + int64(space.prefixes)*pages + int64(space.prefixes*cfg.SampleFiles)
	calls, answered, throttled := f.calls.Load(), bucket.Allowed(), bucket.Throttled()
	floor := bucket.Floor(want)
	rss := peakRSS()
	var out strings.Builder
	fmt.Fprintf(&out, "\nS3, one bucket, %d prefixes × %d CSV files (%d objects), discovery and inventory on (GOMAXPROCS %d)\n",
		space.prefixes, space.perPrefix, space.prefixes*space.perPrefix, runtime.GOMAXPROCS(0))
	bucket.WriteTargets(&out, calls, want, wall)
	throttle.Row(&out, "peak RSS MB", rss, 128, rss <= 128)
	throttle.Row(&out, "peak heap in use MB", peakHeap, 0, true)
	throttle.Row(&out, "peak live heap MB", peakLive, 0, true)
	bucket.WriteCalls(&out, calls, want, wall)
	out.WriteString("   ")
	for _, op := range []string{"ListBuckets", "GetBucketLocation", "GetBucketVersioning", "GetBucketTagging", "GetBucketPolicy", "ListObjectsV2", "GetObject", "HeadObject", "GetObjectTagging"} {
		fmt.Fprintf(&out, " %s %d", op, f.count(op))
	}
	b.Log(out.String())
	b.ReportMetric(wall.Seconds()/floor.Seconds(), "wall/floor")
	b.ReportMetric(float64(throttled)/float64(calls), "throttled/calls")
	b.ReportMetric(float64(answered)/float64(want), "answered/min")
	b.ReportMetric(rss, "peakRSS_MiB")
	b.ReportMetric(peakHeap, "peakHeap_MiB")
	b.ReportMetric(peakLive, "peakLive_MiB")
}

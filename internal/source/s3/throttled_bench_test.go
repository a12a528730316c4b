package s3

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/testenv/backends"
	"github.com/lakemap/lakemap/internal/testenv/benchproc"
	"net/http"
	"net/http/httptest"
	"runtime"
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
// LAKEMAP_BENCH_STORE=sqlite writes into a SQLite catalog rather than
// discarding (the longest write transaction is then the bucket's
// publication of its objects). LAKEMAP_BENCH_BATCH sets the runner's
// write batch (default scan.DefaultBatchSize), which decides most of the
// memory held. LAKEMAP_BENCH_PER_PREFIX runs one size instead, e.g. 5000
// (a million objects) to see the peak stay where 200k put it.
//
//	go test ./internal/source/s3 -run '^$' -bench InventoryThrottled -benchtime 1x
func BenchmarkInventoryThrottled(b *testing.B) {
	sizes := []int{100, 1000}
	if n := envInt("LAKEMAP_BENCH_PER_PREFIX", 0); n > 0 {
		sizes = []int{n}
	}
	for _, perPrefix := range sizes {
		space := genSpace{prefixes: 200, perPrefix: perPrefix, csv: true}
		b.Run(fmt.Sprintf("objects=%d", space.prefixes*perPrefix), func(b *testing.B) {
			for range b.N {
				runThrottled(b, space)
			}
		})
	}
}

// throttledFakeEnv holds the throttled fake's shape (JSON) in the child
// process that serves it: in the benchmark's process, the fake's pages and
// garbage would count in the scanner's peak RSS.
const throttledFakeEnv = "LAKEMAP_S3FAKE_PROCESS"

// throttledShape is what the child serves.
type throttledShape struct {
	Prefixes, PerPrefix int
	Latency             time.Duration
	Rate, Burst         float64
}

// throttledStats are the child's counts at the end of a run.
type throttledStats struct {
	Calls  int64
	Ops    map[string]int64
	Bucket throttle.Counts
}

var s3Ops = []string{"ListBuckets", "GetBucketLocation", "GetBucketVersioning", "GetBucketTagging", "GetBucketPolicy", "ListObjectsV2", "GetObject", "HeadObject", "GetObjectTagging"}

// TestS3ThrottledFakeProcess is BenchmarkInventoryThrottled's fake when
// throttledFakeEnv is set, and passes at once otherwise.
func TestS3ThrottledFakeProcess(t *testing.T) {
	var sh throttledShape
	if !benchproc.Shape(t, throttledFakeEnv, &sh) {
		return
	}
	bucket := throttle.New(sh.Rate, sh.Burst)
	f := newFakeS3(t)
	f.latency = sh.Latency
	f.throttle = bucket
	f.addBucket(&fakeBucket{name: "bench", space: genSpace{prefixes: sh.Prefixes, perPrefix: sh.PerPrefix, csv: true}})
	mux := http.NewServeMux()
	mux.HandleFunc(benchproc.StatsPath, func(w http.ResponseWriter, _ *http.Request) {
		st := throttledStats{Calls: f.calls.Load(), Ops: map[string]int64{}, Bucket: bucket.Counts()}
		for _, op := range s3Ops {
			st.Ops[op] = f.count(op)
		}
		_ = json.NewEncoder(w).Encode(st)
	})
	mux.HandleFunc("/", f.serve)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	benchproc.Serve(srv.URL)
}

func runThrottled(b *testing.B, space genSpace) {
	url := benchproc.Start(b, "TestS3ThrottledFakeProcess", throttledFakeEnv, throttledShape{
		Prefixes: space.prefixes, PerPrefix: space.perPrefix, Latency: 30 * time.Millisecond, Rate: 100, Burst: 100,
	})
	ctx := context.Background()
	sess, err := awsconn.NewSession(ctx, awsconn.Config{
		AccessKeyID: "AKIDBENCH", SecretAccessKey: "secret", Region: "us-east-1", EndpointURL: url,
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
	var store catalog.ScanWriter = &discardStore{}
	if st := backends.ForBench(b); st != nil {
		store = st
	}
	timed := &timedWriter{ScanWriter: store}
	runtime.GC()
	benchproc.ResetPeakRSS()
	heapPeaks := benchproc.SampleHeap()
	start := time.Now()
	sum, err := (&scanrunner.Runner{Store: timed, BatchSize: envInt("LAKEMAP_BENCH_BATCH", 0)}).Run(ctx, "svc", Type, s)
	wall := time.Since(start)
	heap := heapPeaks()
	peakHeap, peakLive := heap.InUse, heap.Live
	if err != nil || len(sum.Errors) > 0 {
		b.Fatalf("scan: %v %v", err, sum.Errors)
	}
	// The least a scan can do: list the buckets and read the bucket's
	// details, list the top level and every dataset's keys a page at a
	// time, and sample cfg.SampleFiles files of each dataset.
	pages := int64((space.perPrefix + 999) / 1000)
	want := 1 + 4 + 1 + int64(space.prefixes)*pages + int64(space.prefixes*cfg.SampleFiles)
	rss := benchproc.PeakRSS()
	st := fetchStats(b, url)
	calls, answered, throttled := st.Calls, st.Bucket.Allowed, st.Bucket.Throttled
	floor := st.Bucket.Floor(want)
	var out strings.Builder
	fmt.Fprintf(&out, "\nS3, one bucket, %d prefixes × %d CSV files (%d objects), discovery and inventory on (GOMAXPROCS %d)\n",
		space.prefixes, space.perPrefix, space.prefixes*space.perPrefix, runtime.GOMAXPROCS(0))
	st.Bucket.WriteTargets(&out, calls, want, wall)
	throttle.Info(&out, "calls made / minimum", float64(calls)/float64(want))
	throttle.Row(&out, "peak RSS MB", rss, 128, rss <= 128)
	throttle.Info(&out, "longest write transaction s", timed.longest.Seconds())
	throttle.Info(&out, "peak heap in use MB", peakHeap)
	throttle.Info(&out, "peak live heap MB", peakLive)
	st.Bucket.WriteCalls(&out, calls, want, wall)
	out.WriteString("   ")
	for _, op := range s3Ops {
		fmt.Fprintf(&out, " %s %d", op, st.Ops[op])
	}
	b.Log(out.String())
	b.ReportMetric(wall.Seconds()/floor.Seconds(), "wall/floor")
	b.ReportMetric(float64(throttled)/float64(calls), "throttled/calls")
	b.ReportMetric(float64(answered)/float64(want), "answered/min")
	b.ReportMetric(rss, "peakRSS_MiB")
	b.ReportMetric(peakHeap, "peakHeap_MiB")
	b.ReportMetric(peakLive, "peakLive_MiB")
}

func fetchStats(b *testing.B, url string) throttledStats {
	var st throttledStats
	benchproc.GetJSON(b, url+benchproc.StatsPath, &st)
	return st
}

// timedWriter times each write transaction.
type timedWriter struct {
	catalog.ScanWriter
	longest time.Duration
}

func (t *timedWriter) Write(ctx context.Context, id int64, w catalog.ScanWrite) (catalog.WriteStats, error) {
	start := time.Now()
	st, err := t.ScanWriter.Write(ctx, id, w)
	t.longest = max(t.longest, time.Since(start)) // the runner writes from one goroutine
	return st, err
}

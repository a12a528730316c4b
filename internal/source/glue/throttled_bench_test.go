package glue

import (
	"context"
	"fmt"
	"github.com/lakemap/lakemap/internal/testenv/benchproc"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/testenv/throttle"
)

// BenchmarkScanThrottled is issue 14's throttled account: 250 tables of
// 2,000 partitions each, column statistics and functions on, behind AWS's
// page caps, 30 ms of latency and a token bucket of 100 calls a second
// (burst 100) answering ThrottlingException past it. The floor is the
// minimum calls ÷ 100 calls/s; targets: wall ≤ 1.25× the floor, throttled
// calls ≤ 5% of all calls, calls answered ≤ 1.02× the minimum, peak RSS
// ≤ 160 MB. LAKEMAP_BENCH_STORE=sqlite writes into a SQLite catalog, as
// BenchmarkScan does, rather than discarding.
//
//	go test ./internal/source/glue -run '^$' -bench ScanThrottled -benchtime 1x
func BenchmarkScanThrottled(b *testing.B) {
	shape := throttledGlueShape{PerTable: benchSize(b, "LAKEMAP_BENCH_PARTITIONS_PER_TABLE", 2000), Rate: 100, Burst: 100}
	if os.Getenv("LAKEMAP_BENCH_NO_THROTTLE") != "" {
		shape.Rate, shape.Burst = 1e9, 1e9
	}
	g := throttledGlue(shape.PerTable, nil)
	want := minCalls(g) - 3 // no Athena: minCalls counts its catalogs, and workgroups are 0
	for range b.N {
		url := benchproc.Start(b, "TestGlueThrottledFakeProcess", throttledGlueEnv, shape)
		runtime.GC()
		benchproc.ResetPeakRSS()
		ctx := context.Background()
		sess, err := awsconn.NewSession(ctx, awsconn.Config{
			AccessKeyID: "AKIDBENCH", SecretAccessKey: "secret", Region: "us-east-1", EndpointURL: url,
		}, awsconn.Options{ServiceName: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		s, err := NewScanner(sess.Glue(), "bench", *DefaultSourceConfig(), nil)
		if err != nil {
			b.Fatal(err)
		}
		writer, _ := benchWriter(b, ctx)
		heapPeaks := benchproc.SampleHeap()
		start := time.Now()
		sum, err := (&scan.Runner{Store: writer}).Run(ctx, "bench", "glue", s)
		wall := time.Since(start)
		heap := heapPeaks()
		if err != nil || sum.Status != catalog.ScanSucceeded {
			b.Fatalf("scan: %v, %s %v", err, sum.Status, sum.Errors)
		}
		rss := benchproc.PeakRSS()
		st := fetchGlueStats(b, url)
		b.Log(throttledTable(fmt.Sprintf("Glue, %d tables × %d partitions, statistics and functions on", g.databases*g.tablesPerDB, shape.PerTable),
			st.Bucket, st.Calls, want, wall, rss, 160, heap))
		reportThrottled(b, st.Bucket, st.Calls, want, wall, rss)
	}
}

// throttledGlue is the throttled account's catalog, answering
// ThrottlingException when bucket (if any) refuses a call.
func throttledGlue(perTable int, bucket *throttle.Bucket) *syntheticGlue {
	g := &syntheticGlue{
		databases: 5, tablesPerDB: 50, columnsPerTable: 20,
		partitions:     func(int, int) int { return perTable },
		functionsPerDB: 3, statsColumns: 10,
		pageSize: 100, partitionPageSize: 1000, // as start sets them; minCalls counts by them
		latency: 30 * time.Millisecond,
	}
	if bucket != nil {
		g.fault = func(string, int64, []byte) *fakeFault {
			if bucket.Take() {
				return nil
			}
			return &fakeFault{code: "ThrottlingException", status: http.StatusBadRequest}
		}
	}
	return g
}

// throttledGlueEnv holds the throttled fake's shape (JSON) in the child
// process that serves it: in the benchmark's process, the fake's pages
// and garbage would count in the scanner's peak RSS.
const throttledGlueEnv = "LAKEMAP_GLUEFAKE_PROCESS"

type throttledGlueShape struct {
	PerTable    int
	Rate, Burst float64
}

type throttledGlueStats struct {
	Calls  int64
	Bucket throttle.Counts
}

// TestGlueThrottledFakeProcess is BenchmarkScanThrottled's fake when
// throttledGlueEnv is set, and passes at once otherwise.
func TestGlueThrottledFakeProcess(t *testing.T) {
	var sh throttledGlueShape
	if !benchproc.Shape(t, throttledGlueEnv, &sh) {
		return
	}
	bucket := throttle.New(sh.Rate, sh.Burst)
	g := throttledGlue(sh.PerTable, bucket)
	g.stats = map[string]func() any{benchproc.StatsPath: func() any {
		return throttledGlueStats{Calls: g.calls.Load(), Bucket: bucket.Counts()}
	}}
	benchproc.Serve(g.start(t).URL)
}

func fetchGlueStats(b *testing.B, url string) throttledGlueStats {
	var st throttledGlueStats
	benchproc.GetJSON(b, url+benchproc.StatsPath, &st)
	return st
}

// throttledTable is the table of figures for one throttled run.
func throttledTable(title string, bucket throttle.Counts, calls, want int64, wall time.Duration, rss, rssTarget float64, heap benchproc.HeapPeaks) string {
	var out strings.Builder
	fmt.Fprintf(&out, "\n%s (GOMAXPROCS %d)\n", title, runtime.GOMAXPROCS(0))
	fmt.Fprintf(&out, "  %-34s %10s %10s %8s\n", "measure", "value", "target", "")
	bucket.WriteTargets(&out, calls, want, wall)
	throttle.Info(&out, "calls made / minimum", float64(calls)/float64(want))
	throttle.Row(&out, "peak RSS MB", rss, rssTarget, rss <= rssTarget)
	throttle.Info(&out, "peak heap in use MB", heap.InUse)
	throttle.Info(&out, "peak live heap MB", heap.Live)
	bucket.WriteCalls(&out, calls, want, wall)
	return out.String()
}

func reportThrottled(b *testing.B, bucket throttle.Counts, calls, want int64, wall time.Duration, rss float64) {
	b.ReportMetric(wall.Seconds()/bucket.Floor(want).Seconds(), "wall/floor")
	b.ReportMetric(float64(bucket.Throttled)/float64(calls), "throttled/calls")
	b.ReportMetric(float64(bucket.Allowed)/float64(want), "answered/min")
	b.ReportMetric(rss, "peak-MB")
}

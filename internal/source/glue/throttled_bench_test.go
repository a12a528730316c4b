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
	rate, burst := 100.0, 100.0
	if os.Getenv("LAKEMAP_BENCH_NO_THROTTLE") != "" {
		rate, burst = 1e9, 1e9
	}
	bucket := throttle.New(rate, burst)
	perTable := benchSize(b, "LAKEMAP_BENCH_PARTITIONS_PER_TABLE", 2000)
	g := &syntheticGlue{
		databases: 5, tablesPerDB: 50, columnsPerTable: 20,
		partitions:     func(int, int) int { return perTable },
		functionsPerDB: 3, statsColumns: 10,
		latency: 30 * time.Millisecond,
		fault: func(string, int64, []byte) *fakeFault {
			if bucket.Take() {
				return nil
			}
			return &fakeFault{code: "ThrottlingException", status: http.StatusBadRequest}
		},
	}
	srv := g.start(b)
	want := minCalls(g) - 3 // no Athena: minCalls counts its catalogs, and workgroups are 0
	for range b.N {
		g.calls.Store(0)
		bucket.Reset()
		runtime.GC()
		benchproc.ResetPeakRSS()
		ctx := context.Background()
		sess, err := awsconn.NewSession(ctx, awsconn.Config{
			AccessKeyID: "AKIDBENCH", SecretAccessKey: "secret", Region: "us-east-1", EndpointURL: srv.URL,
		}, awsconn.Options{ServiceName: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		s, err := NewScanner(sess.Glue(), "bench", *DefaultSourceConfig(), nil)
		if err != nil {
			b.Fatal(err)
		}
		writer, _ := benchWriter(b, ctx)
		start := time.Now()
		sum, err := (&scan.Runner{Store: writer}).Run(ctx, "bench", "glue", s)
		wall := time.Since(start)
		if err != nil || sum.Status != catalog.ScanSucceeded {
			b.Fatalf("scan: %v, %s %v", err, sum.Status, sum.Errors)
		}
		b.Log(throttledTable(fmt.Sprintf("Glue, %d tables × %d partitions, statistics and functions on", g.databases*g.tablesPerDB, perTable),
			bucket, g.calls.Load(), want, wall, benchproc.PeakRSS(), 160))
		reportThrottled(b, bucket, g.calls.Load(), want, wall, benchproc.PeakRSS())
	}
}

// throttledTable is the table of figures for one throttled run.
func throttledTable(title string, bucket *throttle.Bucket, calls, want int64, wall time.Duration, rss, rssTarget float64) string {
	var out strings.Builder
	fmt.Fprintf(&out, "\n%s (GOMAXPROCS %d)\n", title, runtime.GOMAXPROCS(0))
	fmt.Fprintf(&out, "  %-34s %10s %10s %8s\n", "measure", "value", "target", "")
	bucket.WriteTargets(&out, calls, want, wall)
	throttle.Row(&out, "calls made / minimum", float64(calls)/float64(want), 0, true)
	throttle.Row(&out, "peak RSS MB", rss, rssTarget, rss <= rssTarget)
	bucket.WriteCalls(&out, calls, want, wall)
	return out.String()
}

func reportThrottled(b *testing.B, bucket *throttle.Bucket, calls, want int64, wall time.Duration, rss float64) {
	b.ReportMetric(wall.Seconds()/bucket.Floor(want).Seconds(), "wall/floor")
	b.ReportMetric(float64(bucket.Throttled())/float64(calls), "throttled/calls")
	b.ReportMetric(float64(bucket.Allowed())/float64(want), "answered/min")
	b.ReportMetric(rss, "peak-MB")
}

package datazone

import (
	"context"
	"fmt"
	"github.com/lakemap/lakemap/internal/testenv/benchproc"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/testenv/datazonefake"
)

// The benchmark's DataZone runs in a child process (this test binary,
// running TestDataZoneFakeProcess), so that the peak RSS measured is the
// scanner's, not the fake's 50,000 assets.
const (
	fakeProcessEnv = "LAKEMAP_DZFAKE_PROCESS"
	benchKey       = "ASIAQAAAAAAAGXYZ7ABC" // any ASIA key names an account (datazonefake.AccountOf)
	benchPage      = 50                     // AWS's cap on maxResults for SearchListings, ListProjects...
	benchProjects  = 50                     // per domain
	benchDomains   = 3
)

// benchShape is what the child serves, passed as JSON in fakeProcessEnv.
type benchShape struct {
	Scale   datazonefake.Scale
	Latency time.Duration
	Rate    float64
	Burst   int
}

// TestDataZoneFakeProcess is the benchmark's fake when fakeProcessEnv is
// set, and passes at once otherwise. It prints its URL, then serves until
// its standard input closes (the benchmark ended) or an hour passes.
func TestDataZoneFakeProcess(t *testing.T) {
	var sh benchShape
	if !benchproc.Shape(t, fakeProcessEnv, &sh) {
		return
	}
	f := datazonefake.New(t, "", benchPage)
	account := datazonefake.AccountOf(benchKey)
	f.Edit(account, func(e *datazonefake.Estate) { *e = *datazonefake.SeedScale(account, sh.Scale) })
	f.Allow(account, datazonefake.GuideReadOnly)
	f.Pace(sh.Latency, sh.Rate, sh.Burst)
	benchproc.Serve(f.URL())
}

// minCalls is what the guide's ReadOnly policy forces for sh: each listing
// paged once, each item's Get once, three calls per published asset
// (GetAsset, ListAssetRevisions of one page, GetListing) and GetFormType
// once per form type and domain. The scanner's census pages SearchListings
// a second time; that is counted as made, not as needed.
func minCalls(sh datazonefake.Scale) int64 {
	pages := func(n int) int64 { return int64(max((n+benchPage-1)/benchPage, 1)) }
	n := pages(sh.Domains) // ListDomains
	perDomain := sh.Assets / sh.Domains
	for range sh.Domains {
		n += 1                                     // GetDomain
		n += pages(sh.ProjectsPerDomain)           // ListProjects
		n += 2                                     // ListEnvironmentProfiles, GetEnvironmentProfile (one profile)
		n += 5 * int64(sh.ProjectsPerDomain)       // GetProject, ListEnvironments, GetEnvironment, ListDataSources, GetDataSource
		n += pages(perDomain) + 3*int64(perDomain) // SearchListings; per asset
		n += datazonefake.ScaleFormTypes           // GetFormType
	}
	return n
}

// BenchmarkScan scans 5,000 and 50,000 published assets over three domains
// from a DataZone answering in 30 ms and throttling beyond a token bucket
// (LAKEMAP_BENCH_DZ_RATE calls a second, default 300; burst a tenth of
// it), as the guide's ReadOnly role. The floor is the minimum calls ÷ the
// rate. LAKEMAP_BENCH_DZ_ASSETS sets the big size.
//
//	go test -run '^$' -bench BenchmarkScan -benchtime 1x ./internal/source/datazone/
func BenchmarkScan(b *testing.B) {
	big := 50_000
	if v := os.Getenv("LAKEMAP_BENCH_DZ_ASSETS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < benchDomains {
			b.Fatalf("LAKEMAP_BENCH_DZ_ASSETS=%q: want an integer ≥ %d", v, benchDomains)
		}
		big = n
	}
	rate := 300.0
	if v := os.Getenv("LAKEMAP_BENCH_DZ_RATE"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r <= 0 {
			b.Fatalf("LAKEMAP_BENCH_DZ_RATE=%q: want a positive number", v)
		}
		rate = r
	}
	for _, n := range []int{big / 10, big} {
		b.Run(fmt.Sprintf("assets=%d", n), func(b *testing.B) {
			sh := benchShape{Scale: datazonefake.Scale{Domains: benchDomains, ProjectsPerDomain: benchProjects, Assets: n},
				Latency: 30 * time.Millisecond, Rate: rate, Burst: max(int(rate/10), 1)}
			for range b.N {
				benchScan(b, sh)
			}
		})
	}
}

func benchScan(b *testing.B, sh benchShape) {
	url := benchproc.Start(b, "TestDataZoneFakeProcess", fakeProcessEnv, sh)
	ctx := context.Background()
	sess, err := awsconn.NewSession(ctx, awsconn.Config{AccessKeyID: benchKey, SecretAccessKey: "secret", SessionToken: "token",
		Region: "us-east-1", EndpointURL: url}, awsconn.Options{ServiceName: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	cfg := DefaultSourceConfig()
	// The guide's role may neither Search nor GetLineageNode; not probing
	// (one denied call each) keeps the count exact.
	cfg.UseSearch, cfg.UseLineage = false, false
	s, err := NewScanner(sess.DataZone(), "bench", *cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	benchproc.ResetPeakRSS()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peakHeap atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peakHeap.Load() {
				peakHeap.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	w := &discardWriter{}
	start := time.Now()
	// Small batches: the runner holds up to three of them (DefaultBatchSize
	// is 20,000 entities, a constant of its own); the scanner's memory is
	// what this measures.
	sum, err := (&scan.Runner{Store: w, BatchSize: 1000}).Run(ctx, "bench", "datazone", s)
	wall := time.Since(start)
	close(stop)
	wg.Wait()
	if err != nil || sum.Status != catalog.ScanSucceeded {
		b.Errorf("scan: %v, %s, %d errors, first: %v", err, sum.Status, len(sum.Errors), first(sum.Errors))
	}
	st := fakeStats(b, url)
	want := minCalls(sh.Scale)
	floor := time.Duration(float64(want) / sh.Rate * float64(time.Second))
	rss := benchproc.PeakRSS()
	b.ReportMetric(float64(st.Requests), "calls")
	b.ReportMetric(float64(want), "min-calls")
	b.ReportMetric(float64(st.Throttled), "throttled")
	b.ReportMetric(wall.Seconds(), "wall-s")
	b.ReportMetric(floor.Seconds(), "floor-s")
	b.ReportMetric(wall.Seconds()/floor.Seconds(), "wall/floor")
	b.ReportMetric(rss, "peakRSS-MiB")
	b.ReportMetric(float64(peakHeap.Load())/(1<<20), "peakHeap-MiB")
	var out strings.Builder
	fmt.Fprintf(&out, "\nDataZone scan: %d assets, %d domains × %d projects, latency %s, throttle %.0f/s (burst %d), GOMAXPROCS %d, %d entities written\n",
		sh.Scale.Assets, sh.Scale.Domains, sh.Scale.ProjectsPerDomain, sh.Latency, sh.Rate, sh.Burst, runtime.GOMAXPROCS(0), w.entities.Load())
	fmt.Fprintf(&out, "  calls made %d (throttled %d, answered %d) / minimum %d = %.3f\n", st.Requests, st.Throttled, st.Requests-st.Throttled, want, float64(st.Requests)/float64(want))
	fmt.Fprintf(&out, "  wall %.1fs / floor %.1fs (minimum calls ÷ rate) = %.3f (target ≤ 1.25)\n", wall.Seconds(), floor.Seconds(), wall.Seconds()/floor.Seconds())
	fmt.Fprintf(&out, "  peak RSS (VmHWM) %.1f MiB, peak heap in use %.1f MiB (%.1f MiB before the scan)\n",
		rss, float64(peakHeap.Load())/(1<<20), float64(base.HeapInuse)/(1<<20))
	for _, op := range []string{"SearchListings", "GetAsset", "ListAssetRevisions", "GetListing", "GetFormType", "GetProject"} {
		fmt.Fprintf(&out, "    %-20s %d\n", op, st.Ops[op])
	}
	b.Log(out.String())
}

func first(errs []string) string {
	if len(errs) == 0 {
		return ""
	}
	return errs[0]
}

func fakeStats(b *testing.B, url string) datazonefake.Stats {
	var st datazonefake.Stats
	benchproc.GetJSON(b, url+datazonefake.StatsPath, &st)
	return st
}

// discardWriter is a catalog.ScanWriter that only counts: the benchmark
// measures the scanner, not a database.
type discardWriter struct{ entities atomic.Int64 }

func (d *discardWriter) BeginScan(context.Context, catalog.ScanStart) (catalog.Scan, error) {
	return catalog.Scan{ID: 1}, nil
}
func (d *discardWriter) Upsert(_ context.Context, _ int64, batch []catalog.Entity) (catalog.WriteStats, error) {
	d.entities.Add(int64(len(batch)))
	return catalog.WriteStats{}, nil
}
func (d *discardWriter) Write(_ context.Context, _ int64, w catalog.ScanWrite) (catalog.WriteStats, error) {
	d.entities.Add(int64(len(w.Batch)))
	for _, p := range w.Parts {
		d.entities.Add(int64(len(p.Entities)))
	}
	return catalog.WriteStats{}, nil
}
func (d *discardWriter) MarkMissing(context.Context, int64, string, []catalog.Kind) (catalog.WriteStats, error) {
	return catalog.WriteStats{}, nil
}
func (d *discardWriter) FinishScan(context.Context, int64, catalog.ScanResult) error { return nil }

package jobs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/ingest"
	"github.com/lakemap/lakemap/internal/jobs"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/testenv/synthglue"
	"github.com/lakemap/lakemap/internal/workflow"
)

var _ jobs.ScanRecords = (*sqlite.Store)(nil)

// BenchmarkIngestBesideQueue runs the ingest benchmark's Glue scan
// (internal/ingest BenchmarkGlueScan: LAKEMAP_BENCH_TABLES x
// LAKEMAP_BENCH_COLUMNS) into a SQLite catalog with no queue, and with a
// queue in a sibling file or inside the catalog file, running ten
// connections scheduled every minute (the shortest schedule the server
// accepts) or, as a stress, every second. The scans themselves do nothing:
// what shows is what the queue's own work costs the catalog's writes.
//
//	go test -run '^$' -bench IngestBesideQueue -benchtime 1x ./internal/jobs/
func BenchmarkIngestBesideQueue(b *testing.B) {
	tables := envInt("LAKEMAP_BENCH_TABLES", 10000)
	columns := envInt("LAKEMAP_BENCH_COLUMNS", 50)
	dbs := max(1, tables/500)
	cat := &synthglue.Catalog{Databases: dbs, TablesPerDB: tables / dbs, ColumnsPerTable: columns}
	endpoint := cat.Start(b)
	wf := benchWorkflow(b, endpoint)
	type mode struct {
		queue string // "", "sibling-file", "same-file"
		every time.Duration
	}
	for _, m := range []mode{{"", 0}, {"sibling-file", time.Minute}, {"same-file", time.Minute}, {"sibling-file", time.Second}, {"same-file", time.Second}} {
		name := "no-queue"
		if m.queue != "" {
			name = fmt.Sprintf("queue-%s/10-schedules-every-%s", m.queue, m.every)
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				runIngestBesideQueue(b, wf, name, m.queue, m.every)
			}
		})
	}
}

func runIngestBesideQueue(b *testing.B, wf *workflow.Workflow, name, queue string, every time.Duration) {
	ctx := context.Background()
	catPath := filepath.Join(b.TempDir(), "bench.db")
	st, err := sqlite.Open(ctx, catPath)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var ran atomic.Int64
	if queue != "" {
		qpath := jobs.QueuePath(catPath)
		if queue == "same-file" {
			qpath = catPath
		}
		be, err := jobs.OpenSQLite(ctx, qpath)
		if err != nil {
			b.Fatal(err)
		}
		defer be.Close()
		s, err := jobs.New(be, jobs.Config{
			Scan:        func(ctx context.Context, j jobs.ScanJob) (int64, error) { ran.Add(1); return 0, nil },
			Records:     st,
			MinInterval: time.Second,
			Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		if err != nil {
			b.Fatal(err)
		}
		for i := range 10 {
			if err := s.SetSchedule(ctx, jobs.Target{Connection: fmt.Sprintf("conn-%d", i)}, jobs.Schedule{Interval: every}); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Start(ctx); err != nil {
			b.Fatal(err)
		}
		defer func() {
			if err := s.Stop(ctx); err != nil {
				b.Error(err)
			}
		}()
		// Measure a queue in its steady state: its worker running ten scans
		// (and, on short schedules, periodic jobs firing: River staggers
		// its services' start by a few seconds).
		for i := range 10 {
			if _, err := s.StartScan(ctx, jobs.Target{Connection: fmt.Sprintf("conn-%d", i)}, jobs.TriggerManual); err != nil {
				b.Fatal(err)
			}
		}
		want := int64(10)
		if every < 5*time.Second {
			want = 20
		}
		for deadline := time.Now().Add(30 * time.Second); ran.Load() < want; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				b.Fatalf("the queue ran %d scans in 30 s, want %d", ran.Load(), want)
			}
		}
	}
	ranBefore := ran.Load()
	cpuBefore := processCPU()
	start := time.Now()
	sum, err := ingest.Run(ctx, st, wf, ingest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	// The process's CPU time (ingest, queue and fake endpoint alike) does
	// not depend on what else loads the machine, as wall time does: the
	// queue's own cost shows as CPU; waits for the write lock, as wall.
	cpu := processCPU() - cpuBefore
	written := int64(0)
	for _, c := range sum.Stats {
		written += c.Added + c.Updated + c.Unchanged
	}
	b.ReportMetric(float64(written)/elapsed.Seconds(), "entities/s")
	during := ran.Load() - ranBefore
	b.ReportMetric(float64(during), "queued-scans-run")
	b.ReportMetric(cpu.Seconds(), "process-cpu-s")
	fmt.Fprintf(os.Stderr, "\n%s: %d entities in %s (%.0f entities/s, process CPU %s); %d scheduled scans ran meanwhile\n",
		name, written, elapsed.Round(time.Millisecond), float64(written)/elapsed.Seconds(), cpu.Round(time.Millisecond), during)
}

func benchWorkflow(tb testing.TB, endpoint string) *workflow.Workflow {
	yaml := fmt.Sprintf(`source:
  type: glue
  serviceName: bench
  serviceConnection:
    config:
      type: Glue
      awsConfig: {awsAccessKeyId: AKIABENCH, awsSecretAccessKey: bench, endPointURL: %q}
  sourceConfig:
    config: {type: DatabaseMetadata, includePartitions: false, includeColumnStatistics: false, includeFunctions: false, includeAthena: false}
sink: {type: metadata-rest}
`, endpoint)
	wf, err := workflow.Parse("bench.yaml", []byte(yaml), all.NewRegistry())
	if err != nil {
		tb.Fatal(err)
	}
	return wf
}

// processCPU is the user and system CPU time of this process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// TestWithSQLiteStore runs the scheduler on the real catalog store: a scan
// cut short by Stop is recorded interrupted in the catalog, and a record a
// crash left running is marked interrupted at the next start.
func TestWithSQLiteStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "cat.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	crashed, err := st.BeginScan(ctx, catalog.ScanStart{Service: "old", SourceType: "glue", Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	be, err := jobs.OpenSQLite(ctx, jobs.QueuePath(filepath.Join(dir, "cat.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	started := make(chan int64, 1)
	scan := func(ctx context.Context, j jobs.ScanJob) (int64, error) {
		rec, err := st.BeginScan(ctx, catalog.ScanStart{Service: j.Target.Connection, SourceType: "glue", Started: time.Now()})
		if err != nil {
			return 0, err
		}
		j.Started(rec.ID)
		started <- rec.ID
		<-ctx.Done()
		// As the scan runner does on cancellation.
		err = st.FinishScan(context.WithoutCancel(ctx), rec.ID, catalog.ScanResult{Status: catalog.ScanFailed, Finished: time.Now(), Errors: []string{ctx.Err().Error()}})
		return rec.ID, err
	}
	s, err := jobs.New(be, jobs.Config{Scan: scan, Records: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if sc, err := st.GetScan(ctx, crashed.ID); err != nil || sc.Status != jobs.ScanInterrupted {
		t.Fatalf("crashed scan = %+v %v, want interrupted", sc, err)
	}
	if _, err := s.StartScan(ctx, jobs.Target{Connection: "glue-prod"}, jobs.TriggerManual); err != nil {
		t.Fatal(err)
	}
	var id int64
	select {
	case id = <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("scan did not start")
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if sc, err := st.GetScan(ctx, id); err != nil || sc.Status != jobs.ScanInterrupted || sc.Finished == nil {
		t.Fatalf("stopped scan = %+v %v, want interrupted with an end time", sc, err)
	}
}

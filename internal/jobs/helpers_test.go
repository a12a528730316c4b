package jobs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// fakeRecords keeps scan records in memory.
type fakeRecords struct {
	mu     sync.Mutex
	next   int64
	status map[int64]catalog.ScanStatus
}

func newFakeRecords() *fakeRecords { return &fakeRecords{status: map[int64]catalog.ScanStatus{}} }

func (r *fakeRecords) begin() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.next++
	r.status[r.next] = catalog.ScanRunning
	return r.next
}

func (r *fakeRecords) finish(id int64, st catalog.ScanStatus) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status[id] = st
}

func (r *fakeRecords) get(id int64) catalog.ScanStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status[id]
}

func (r *fakeRecords) MarkRunningInterrupted(ctx context.Context, at time.Time) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for id, st := range r.status {
		if st == catalog.ScanRunning {
			r.status[id] = ScanInterrupted
			n++
		}
	}
	return n, nil
}

func (r *fakeRecords) SetScanStatus(ctx context.Context, id int64, st catalog.ScanStatus, at time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.status[id]; !ok {
		return apperr.New(apperr.NotFound, "no scan %d", id)
	}
	r.status[id] = st
	return nil
}

// scanCall is one call of the fake ScanFunc.
type scanCall struct {
	job    ScanJob
	scanID int64
}

// fakeScans is a ScanFunc whose scans block until released (or cancelled),
// so tests can hold scans running.
type fakeScans struct {
	rec     *fakeRecords
	block   bool
	calls   chan scanCall
	release chan struct{}

	mu      sync.Mutex
	running int
	peak    int
	byConn  map[string]int
}

func newFakeScans(rec *fakeRecords, block bool) *fakeScans {
	return &fakeScans{rec: rec, block: block, calls: make(chan scanCall, 100), release: make(chan struct{}), byConn: map[string]int{}}
}

func (f *fakeScans) scan(ctx context.Context, job ScanJob) (int64, error) {
	id := f.rec.begin()
	job.Started(id)
	f.mu.Lock()
	f.running++
	f.peak = max(f.peak, f.running)
	f.byConn[job.Target.Connection]++
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running--
		f.mu.Unlock()
	}()
	f.calls <- scanCall{job: job, scanID: id}
	if f.block {
		select {
		case <-f.release:
		case <-ctx.Done():
			f.rec.finish(id, catalog.ScanFailed) // as the runner does
			return id, ctx.Err()
		}
	}
	f.rec.finish(id, catalog.ScanSucceeded)
	return id, nil
}

func (f *fakeScans) count(conn string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.byConn[conn]
}

func (f *fakeScans) peakRunning() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.peak
}

func (f *fakeScans) next(t *testing.T, within time.Duration) scanCall {
	t.Helper()
	select {
	case c := <-f.calls:
		return c
	case <-time.After(within):
		t.Fatalf("no scan started within %s", within)
	}
	return scanCall{}
}

// noScan asserts that no scan starts for d.
func (f *fakeScans) noScan(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case c := <-f.calls:
		t.Fatalf("unexpected scan of %q (trigger %s)", c.job.Target.Connection, c.job.Trigger)
	case <-time.After(d):
	}
}

type env struct {
	path  string
	b     *Backend
	s     *Scheduler
	rec   *fakeRecords
	scans *fakeScans
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newEnv opens a queue at path (a fresh one when empty) with a scheduler
// that is not started yet.
func newEnv(t *testing.T, path string, block bool, tweak func(*Config)) *env {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "queue.db")
	}
	b, err := OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{path: path, b: b, rec: newFakeRecords()}
	e.scans = newFakeScans(e.rec, block)
	cfg := Config{Scan: e.scans.scan, Records: e.rec, PollInterval: 100 * time.Millisecond, MinInterval: time.Second, Logger: quietLogger(), fastStart: true}
	if tweak != nil {
		tweak(&cfg)
	}
	s, err := New(b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.s = s
	return e
}

func (e *env) start(t *testing.T) {
	t.Helper()
	if err := e.s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.stop(t) })
}

func (e *env) stop(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if e.s != nil {
		if err := e.s.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
		e.s = nil
	}
	if e.b != nil {
		if err := e.b.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		e.b = nil
	}
}

// waitJob polls until the job reaches state.
func waitJob(t *testing.T, s *Scheduler, id int64, state string) Job {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		j, err := s.GetJob(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == state {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d: state %s, want %s", id, j.State, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func target(i int) Target {
	return Target{Connection: fmt.Sprintf("conn-%d", i), ProjectID: "p1"}
}

package jobs

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

func TestStartScanRunsScanFunc(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", false, nil)
	e.start(t)
	ctx := context.Background()
	j, err := e.s.StartScan(ctx, target(1), TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	c := e.scans.next(t, 5*time.Second)
	if c.job.JobID != j.ID || c.job.Target != target(1) || c.job.Trigger != TriggerManual {
		t.Fatalf("scan got %+v, want job %d for %+v manual", c.job, j.ID, target(1))
	}
	done := waitJob(t, e.s, j.ID, "completed")
	if done.ScanID != c.scanID {
		t.Errorf("job's scan id = %d, want %d", done.ScanID, c.scanID)
	}
	if got := e.rec.get(c.scanID); got != catalog.ScanSucceeded {
		t.Errorf("scan record = %s, want succeeded", got)
	}
	// A finished scan does not block the next one.
	if _, err := e.s.StartScan(ctx, target(1), TriggerManual); err != nil {
		t.Fatalf("second scan after the first ended: %v", err)
	}
	e.scans.next(t, 5*time.Second)
}

func TestStartScanRejectsBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", false, nil)
	t.Cleanup(func() { e.stop(t) })
	for name, tc := range map[string]struct {
		t       Target
		trigger Trigger
		field   string
	}{
		"no connection": {Target{}, TriggerManual, "connection"},
		"bad trigger":   {target(1), "cron", "trigger"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.s.StartScan(context.Background(), tc.t, tc.trigger)
			if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("err = %v, want Invalid naming %s", err, tc.field)
			}
		})
	}
}

func TestSecondStartConflicts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", true, func(c *Config) { c.MaxScans = 1 })
	e.start(t)
	ctx := context.Background()

	running, err := e.s.StartScan(ctx, target(1), TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	c := e.scans.next(t, 5*time.Second)
	// The queued case: with one worker busy, conn-2 waits in the queue.
	queued, err := e.s.StartScan(ctx, target(2), TriggerManual)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name       string
		t          Target
		trigger    Trigger
		wantJob    int64
		wantScan   int64
		wantStates []string
	}{
		{"running, manual again", target(1), TriggerManual, running.ID, c.scanID, []string{"running"}},
		{"running, scheduled", target(1), TriggerSchedule, running.ID, c.scanID, []string{"running"}},
		{"queued", target(2), TriggerManual, queued.ID, 0, []string{"available"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.s.StartScan(ctx, tc.t, tc.trigger)
			if !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("err = %v, want Conflict", err)
			}
			var ce *ConflictError
			if !errors.As(err, &ce) {
				t.Fatalf("err %v carries no *ConflictError", err)
			}
			if ce.JobID != tc.wantJob || ce.ScanID != tc.wantScan || ce.State != tc.wantStates[0] {
				t.Fatalf("conflict = %+v, want job %d scan %d state %s", ce, tc.wantJob, tc.wantScan, tc.wantStates[0])
			}
		})
	}
	if a, ok, err := e.s.Active(ctx, "conn-1"); err != nil || !ok || a.ID != running.ID || a.ScanID != c.scanID {
		t.Fatalf("Active(conn-1) = %+v %v %v", a, ok, err)
	}
	close(e.scans.release)
}

func TestMaxScansBound(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", true, func(c *Config) { c.MaxScans = 2 })
	e.start(t)
	ctx := context.Background()
	var ids []int64
	for i := range 5 {
		j, err := e.s.StartScan(ctx, target(i), TriggerManual)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	e.scans.next(t, 5*time.Second)
	e.scans.next(t, 5*time.Second)
	e.scans.noScan(t, 500*time.Millisecond) // a third would break the bound
	close(e.scans.release)
	for range 3 {
		e.scans.next(t, 5*time.Second)
	}
	for _, id := range ids {
		waitJob(t, e.s, id, "completed")
	}
	if p := e.scans.peakRunning(); p != 2 {
		t.Fatalf("peak concurrent scans = %d, want 2", p)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", true, nil)
	e.start(t)
	ctx := context.Background()

	t.Run("by scan id", func(t *testing.T) {
		j, err := e.s.StartScan(ctx, target(1), TriggerManual)
		if err != nil {
			t.Fatal(err)
		}
		c := e.scans.next(t, 5*time.Second)
		if _, err := e.s.CancelScan(ctx, c.scanID); err != nil {
			t.Fatal(err)
		}
		waitJob(t, e.s, j.ID, "cancelled")
		if got := e.rec.get(c.scanID); got != ScanCancelled {
			t.Fatalf("scan record = %s, want cancelled", got)
		}
		// The connection is free again.
		if _, err := e.s.StartScan(ctx, target(1), TriggerManual); err != nil {
			t.Fatalf("start after cancel: %v", err)
		}
		c2 := e.scans.next(t, 5*time.Second)
		if _, err := e.s.CancelJob(ctx, c2.job.JobID); err != nil {
			t.Fatal(err)
		}
		waitJob(t, e.s, c2.job.JobID, "cancelled")
	})
	t.Run("queued job", func(t *testing.T) {
		// Fill both workers, then cancel a job still waiting.
		for i := 10; i < 12; i++ {
			if _, err := e.s.StartScan(ctx, target(i), TriggerManual); err != nil {
				t.Fatal(err)
			}
			e.scans.next(t, 5*time.Second)
		}
		j, err := e.s.StartScan(ctx, target(12), TriggerManual)
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.s.CancelJob(ctx, j.ID)
		if err != nil || got.State != "cancelled" {
			t.Fatalf("cancel queued job: %+v %v", got, err)
		}
	})
	t.Run("unknown ids", func(t *testing.T) {
		if _, err := e.s.CancelScan(ctx, 999999); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("CancelScan(unknown) = %v, want NotFound", err)
		}
		if _, err := e.s.CancelJob(ctx, 999999); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("CancelJob(unknown) = %v, want NotFound", err)
		}
	})
}

func TestStopMarksRunningInterrupted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", true, nil)
	if err := e.s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	j, err := e.s.StartScan(context.Background(), target(1), TriggerSchedule)
	if err != nil {
		t.Fatal(err)
	}
	c := e.scans.next(t, 5*time.Second)
	e.stop(t) // Stop, then Close
	if got := e.rec.get(c.scanID); got != ScanInterrupted {
		t.Fatalf("scan record after stop = %s, want interrupted", got)
	}
	// The job ended (not left to be retried behind the user's back).
	b, err := OpenSQLite(context.Background(), e.path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s2, err := New(b, Config{Scan: e.scans.scan, Records: e.rec, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s2.GetJob(context.Background(), j.ID)
	if err != nil || got.State != "cancelled" {
		t.Fatalf("job after stop = %+v %v, want cancelled", got, err)
	}
}

func TestRunStopsWhenContextEnds(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", true, nil)
	defer func() { e.s = nil; e.stop(t) }()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.s.Run(ctx, 5*time.Second) }()
	var j Job
	deadline := time.Now().Add(5 * time.Second)
	for {
		var err error
		if j, err = e.s.StartScan(context.Background(), target(1), TriggerManual); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	c := e.scans.next(t, 5*time.Second)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := e.rec.get(c.scanID); got != ScanInterrupted {
		t.Fatalf("scan %d (job %d) after shutdown = %s, want interrupted", c.scanID, j.ID, got)
	}
}

// TestStartRecoversFromCrash leaves the queue and the records as a killed
// server would: a job "running" with no process behind it and its scan
// record "running".
func TestStartRecoversFromCrash(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/queue.db"
	e := newEnv(t, path, false, nil)
	ctx := context.Background()
	j, err := e.s.StartScan(ctx, target(1), TriggerSchedule)
	if err != nil {
		t.Fatal(err)
	}
	db := e.b.runs.(*sqliteRunLog).db
	if _, err := db.ExecContext(ctx, `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = strftime('%Y-%m-%d %H:%M:%f', 'now'), attempted_by = json('["dead-client"]') WHERE id = ?`, j.ID); err != nil {
		t.Fatal(err)
	}
	stale := e.rec.begin()
	e.s = nil
	e.stop(t)

	e2 := newEnv(t, path, false, nil)
	e2.rec = e.rec
	e2.scans.rec = e.rec
	e2.s.cfg.Records = e.rec
	// Before the restart, the dead job still blocks the connection.
	if _, err := e2.s.StartScan(ctx, target(1), TriggerManual); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("start before recovery = %v, want Conflict", err)
	}
	e2.start(t)
	if got := e.rec.get(stale); got != ScanInterrupted {
		t.Fatalf("stale scan record = %s, want interrupted", got)
	}
	if got, err := e2.s.GetJob(ctx, j.ID); err != nil || got.State != "cancelled" {
		t.Fatalf("stale job = %+v %v, want cancelled", got, err)
	}
	if _, err := e2.s.StartScan(ctx, target(1), TriggerManual); err != nil {
		t.Fatalf("start after recovery: %v", err)
	}
	e2.scans.next(t, 5*time.Second)
}

func TestNewRequiresScanAndRecords(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", false, nil)
	t.Cleanup(func() { e.s = nil; e.stop(t) })
	if _, err := New(e.b, Config{Records: e.rec}); err == nil {
		t.Fatal("New without Scan succeeded")
	}
	if _, err := New(e.b, Config{Scan: e.scans.scan}); err == nil {
		t.Fatal("New without Records succeeded")
	}
}

func TestOpenSQLiteRejectsMemory(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", ":memory:"} {
		if _, err := OpenSQLite(context.Background(), p); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("OpenSQLite(%q) = %v, want Invalid", p, err)
		}
	}
}

func TestQueuePath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"lakemap.db": "lakemap-queue.db", "/x/cat.sqlite": "/x/cat-queue.sqlite", "cat": "cat-queue.db"} {
		if got := QueuePath(in); got != want {
			t.Errorf("QueuePath(%q) = %q, want %q", in, got, want)
		}
	}
}

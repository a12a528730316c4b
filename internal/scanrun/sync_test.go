package scanrun

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/jobs"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/store/sqlite/sqlitetest"
)

// SyncSchedules follows the store: a schedule added, changed or removed
// by another process (the CLI) reaches the scheduler; one it refuses is
// logged once.
func TestSyncSchedules(t *testing.T) {
	ctx := context.Background()
	st := sqlitetest.Open(t)
	p, _ := catalog.NewProject("acme", time.Now())
	if err := st.CreateProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	svc := connections.New(st, all.NewRegistry(), nil)
	for _, name := range []string{"lake", "vault"} {
		if _, err := svc.Create(ctx, p.ID, connections.Input{Name: name, SourceType: "glue",
			RoleARN: "arn:aws:iam::210987654321:role/LakemapAccess", Schedule: connections.Schedule{Interval: "6h"}}); err != nil {
			t.Fatal(err)
		}
	}
	b, err := jobs.OpenSQLite(ctx, filepath.Join(t.TempDir(), "queue.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	noScan := func(context.Context, jobs.ScanJob) (int64, error) { return 0, nil }
	sched, err := jobs.New(b, jobs.Config{Scan: noScan, Records: st})
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	sync := SyncSchedules(st, slog.New(slog.NewTextHandler(&log, nil)))
	run := func() map[string]jobs.Schedule {
		t.Helper()
		if err := sync(ctx, sched); err != nil {
			t.Fatal(err)
		}
		return sched.Schedules()
	}
	if got := run(); len(got) != 2 || got["lake"].Interval != 6*time.Hour {
		t.Fatalf("after the first sync: %v", got)
	}
	cron := "0 3 * * *"
	if _, err := svc.Update(ctx, p.ID, "lake", connections.Patch{Schedule: &connections.Schedule{Cron: cron}}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Delete(ctx, p.ID, "vault"); err != nil {
		t.Fatal(err)
	}
	if got := run(); len(got) != 1 || got["lake"].Cron != cron {
		t.Fatalf("after an edit and a delete: %v", got)
	}
	// A schedule the scheduler refuses (stored by an older version, say).
	c, err := st.GetConnection(ctx, "lake")
	if err != nil {
		t.Fatal(err)
	}
	c.Schedule = catalog.Schedule{Interval: time.Second}
	if err := st.PutConnection(ctx, c); err != nil {
		t.Fatal(err)
	}
	run()
	got := run()
	if got["lake"].Cron != cron {
		t.Errorf("a refused schedule replaced the running one: %v", got)
	}
	if n := strings.Count(log.String(), "schedule of connection not registered"); n != 1 {
		t.Errorf("refusal logged %d times, want once:\n%s", n, log.String())
	}
}

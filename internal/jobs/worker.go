package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/lakemap/lakemap/internal/catalog"
)

type scanWorker struct {
	river.WorkerDefaults[ScanArgs]
	s *Scheduler
}

func (w *scanWorker) Work(ctx context.Context, job *river.Job[ScanArgs]) error {
	s := w.s
	start := s.now()
	t := Target{Connection: job.Args.Connection, ProjectID: job.Args.ProjectID}
	var scanID atomic.Int64
	started := func(id int64) {
		if id == 0 || scanID.Swap(id) == id {
			return
		}
		// Written now, not when the job ends, so that a conflicting start
		// and CancelScan can name the scan while it runs.
		if _, err := s.client.JobUpdate(context.WithoutCancel(ctx), job.ID, &river.JobUpdateParams{Output: output{ScanID: id}}); err != nil {
			s.log.Warn("record scan id on its job", "job", job.ID, "scan", id, "err", err)
		}
	}
	id, scanErr := s.cfg.Scan(ctx, ScanJob{JobID: job.ID, Target: t, Trigger: job.Args.Trigger, Started: started})
	if id != 0 {
		started(id)
	} else {
		id = scanID.Load()
	}
	if id != 0 {
		// Also kept when the job ends (River merges it into the job row).
		_ = river.RecordOutput(ctx, output{ScanID: id})
	}

	var status catalog.ScanStatus
	switch {
	case ctx.Err() == nil:
	case s.stopping.Load():
		status = ScanInterrupted
	case errors.Is(context.Cause(ctx), rivertype.ErrJobCancelledRemotely):
		status = ScanCancelled
	}
	if status == "" {
		// The scan ran to its end (or to its timeout): it counts as the
		// connection's run for the missed-schedule check.
		if err := s.b.runs.record(context.WithoutCancel(ctx), t.Connection, start); err != nil {
			s.log.Warn("record scan run", "connection", t.Connection, "err", err)
		}
		if scanErr != nil {
			return fmt.Errorf("scan connection %q: %w", t.Connection, scanErr)
		}
		return nil
	}
	if id != 0 {
		if err := s.cfg.Records.SetScanStatus(context.WithoutCancel(ctx), id, status, s.now()); err != nil {
			s.log.Error("record scan end", "scan", id, "status", status, "err", err)
		}
	}
	s.log.Info("scan stopped", "connection", t.Connection, "job", job.ID, "scan", id, "status", status)
	// Cancelled, not retried: an interrupted scheduled scan is made up by
	// the missed-schedule check at the next start.
	return river.JobCancel(fmt.Errorf("scan of connection %q %s", t.Connection, status))
}

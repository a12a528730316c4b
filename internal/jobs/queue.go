package jobs

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river"
)

// Queue is the scan queue seen from a process that works no jobs (the CLI
// beside a running `lakemap serve`): it queues, reads and cancels scans,
// and the server's Scheduler runs them. It never recovers jobs a crash left
// running, as Scheduler.Start does, because the server that owns them may
// be alive.
type Queue struct{ s *Scheduler }

// NewQueue opens an insert-only view of the queue in b.
func NewQueue(b *Backend, logger *slog.Logger) (*Queue, error) {
	if logger == nil {
		logger = slog.Default()
	}
	c, err := b.newClient(&river.Config{Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("open job queue on %s: %w", b.name, err)
	}
	return &Queue{s: &Scheduler{b: b, client: c, log: logger, schedules: map[string]*scheduled{}}}, nil
}

// StartScan queues a scan of t, as Scheduler.StartScan.
func (q *Queue) StartScan(ctx context.Context, t Target, trigger Trigger) (Job, error) {
	return q.s.StartScan(ctx, t, trigger)
}

// ActiveScans lists every queued or running scan.
func (q *Queue) ActiveScans(ctx context.Context) ([]Job, error) { return q.s.listActive(ctx) }

// GetJob reads one scan job.
func (q *Queue) GetJob(ctx context.Context, jobID int64) (Job, error) { return q.s.GetJob(ctx, jobID) }

// CancelJob cancels a queued or running scan job; the server running it
// sees the cancellation at its next poll (about a second).
func (q *Queue) CancelJob(ctx context.Context, jobID int64) (Job, error) {
	return q.s.CancelJob(ctx, jobID)
}

// CancelScan cancels the running scan whose catalog record is scanID.
func (q *Queue) CancelScan(ctx context.Context, scanID int64) (Job, error) {
	return q.s.CancelScan(ctx, scanID)
}

package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Schedules live in the catalog and change through the API, the web UI and
// the CLI, which runs in another process and cannot reach this scheduler.
// A periodic job re-reads them (Config.SyncSchedules), so a schedule set
// from the shell takes effect within Config.SyncInterval.

const (
	syncKind  = "lakemap_schedule_sync"
	syncQueue = "lakemap_sync" // its own queue: running scans never hold it up
)

type syncArgs struct{}

// Kind implements river.JobArgs.
func (syncArgs) Kind() string { return syncKind }

type syncWorker struct {
	river.WorkerDefaults[syncArgs]
	s *Scheduler
}

// Timeout bounds one sync: it reads the catalog and updates memory.
func (w *syncWorker) Timeout(*river.Job[syncArgs]) time.Duration { return time.Minute }

func (w *syncWorker) Work(ctx context.Context, _ *river.Job[syncArgs]) error {
	return w.s.cfg.SyncSchedules(ctx, w.s)
}

// syncPeriodic is the periodic job of the schedule sync; one at a time.
func syncPeriodic(every time.Duration) *river.PeriodicJob {
	opts := &river.InsertOpts{Queue: syncQueue, MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateScheduled}}}
	return river.NewPeriodicJob(intervalSchedule(every), func() (river.JobArgs, *river.InsertOpts) { return syncArgs{}, opts }, nil)
}

package scanrun

import (
	"context"
	"strconv"
	"time"

	"github.com/lakemap/lakemap/internal/jobs"
)

// JobReader reads a scan job (jobs.Scheduler).
type JobReader interface {
	GetJob(ctx context.Context, jobID int64) (jobs.Job, error)
}

// AwaitScanID polls a queued job until its scan has a catalog record, for
// up to wait, so that a start can answer with the scan's id.
func AwaitScanID(ctx context.Context, r JobReader, j jobs.Job, wait time.Duration) jobs.Job {
	deadline := time.Now().Add(wait)
	for j.ScanID == 0 && j.Finished == nil && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return j
		case <-time.After(25 * time.Millisecond):
		}
		next, err := r.GetJob(ctx, j.ID)
		if err != nil {
			return j
		}
		j = next
	}
	return j
}

// EventsPath is the API path of a scan's server-sent events.
func EventsPath(scanID int64) string {
	return "/api/v1/scans/" + strconv.FormatInt(scanID, 10) + "/events"
}

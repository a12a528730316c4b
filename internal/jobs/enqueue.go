package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/lakemap/lakemap/internal/apperr"
)

// Job is a scan job as the API shows it.
type Job struct {
	ID      int64   `json:"jobId"`
	Target  Target  `json:"-"`
	Trigger Trigger `json:"trigger"`
	// State is River's: available, scheduled, running, completed,
	// cancelled, discarded, ...
	State string `json:"state"`
	// ScanID is the catalog scan record, once the scan has begun (0 before).
	ScanID   int64      `json:"scanId,omitempty"`
	Created  time.Time  `json:"created"`
	Started  *time.Time `json:"started,omitempty"`
	Finished *time.Time `json:"finished,omitempty"`
}

// ConflictError is the cause of the Conflict a start gets while the
// connection's scan is queued or running.
type ConflictError struct {
	Connection string
	JobID      int64
	ScanID     int64 // 0 while the scan is queued and has no record yet
	State      string
}

func (e *ConflictError) Error() string {
	if e.ScanID != 0 {
		return fmt.Sprintf("connection %q is already being scanned (scan %d, job %d)", e.Connection, e.ScanID, e.JobID)
	}
	return fmt.Sprintf("connection %q already has a scan %s (job %d)", e.Connection, e.State, e.JobID)
}

// uniqueness: one job per connection among the states of a job that has not
// ended; ended ones (completed, cancelled, discarded) do not block a new scan.
func scanInsertOpts() *river.InsertOpts {
	return &river.InsertOpts{
		MaxAttempts: 1,
		UniqueOpts: river.UniqueOpts{
			ByArgs: true,
			ByState: []rivertype.JobState{
				rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
				rivertype.JobStateRetryable, rivertype.JobStateScheduled,
			},
		},
	}
}

// StartScan queues a scan of t. When the connection already has a scan
// queued or running, it returns an apperr Conflict whose chain holds a
// *ConflictError naming that scan.
func (s *Scheduler) StartScan(ctx context.Context, t Target, trigger Trigger) (Job, error) {
	if t.Connection == "" {
		return Job{}, apperr.New(apperr.Invalid, "connection: required to start a scan")
	}
	if trigger != TriggerManual && trigger != TriggerSchedule {
		return Job{}, apperr.New(apperr.Invalid, "trigger: %q is not manual or schedule", trigger)
	}
	res, err := s.client.Insert(ctx, ScanArgs{Connection: t.Connection, ProjectID: t.ProjectID, Trigger: trigger}, scanInsertOpts())
	if err != nil {
		return Job{}, fmt.Errorf("queue scan of connection %q: %w", t.Connection, err)
	}
	j := jobFromRow(res.Job)
	if res.UniqueSkippedAsDuplicate {
		return j, &apperr.Error{
			Kind:   apperr.Conflict,
			Err:    &ConflictError{Connection: t.Connection, JobID: j.ID, ScanID: j.ScanID, State: j.State},
			Advice: []string{"wait for the running scan to end, or cancel it first"},
		}
	}
	return j, nil
}

// Active returns the connection's queued or running scan, if any.
func (s *Scheduler) Active(ctx context.Context, connection string) (Job, bool, error) {
	jobs, err := s.listActive(ctx)
	if err != nil {
		return Job{}, false, err
	}
	for _, j := range jobs {
		if j.Target.Connection == connection {
			return j, true, nil
		}
	}
	return Job{}, false, nil
}

// ActiveScans lists every queued or running scan.
func (s *Scheduler) ActiveScans(ctx context.Context) ([]Job, error) { return s.listActive(ctx) }

func (s *Scheduler) listActive(ctx context.Context) ([]Job, error) {
	p := river.NewJobListParams().Kinds(ScanKind).First(10000).States(
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled)
	res, err := s.client.JobList(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("list queued scans: %w", err)
	}
	out := make([]Job, 0, len(res.Jobs))
	for _, r := range res.Jobs {
		out = append(out, jobFromRow(r))
	}
	return out, nil
}

// GetJob reads one scan job.
func (s *Scheduler) GetJob(ctx context.Context, jobID int64) (Job, error) {
	r, err := s.client.JobGet(ctx, jobID)
	if errors.Is(err, river.ErrNotFound) || (err == nil && r.Kind != ScanKind) {
		return Job{}, apperr.New(apperr.NotFound, "no scan job %d", jobID)
	}
	if err != nil {
		return Job{}, fmt.Errorf("read scan job %d: %w", jobID, err)
	}
	return jobFromRow(r), nil
}

// CancelJob cancels a queued or running scan job. A running scan's context
// is cancelled (on every replica) and the scan is recorded as cancelled;
// cancelling a job that has ended changes nothing.
func (s *Scheduler) CancelJob(ctx context.Context, jobID int64) (Job, error) {
	if _, err := s.GetJob(ctx, jobID); err != nil {
		return Job{}, err
	}
	r, err := s.client.JobCancel(ctx, jobID)
	if err != nil {
		return Job{}, fmt.Errorf("cancel scan job %d: %w", jobID, err)
	}
	return jobFromRow(r), nil
}

// CancelScan cancels the running scan whose catalog record is scanID.
func (s *Scheduler) CancelScan(ctx context.Context, scanID int64) (Job, error) {
	jobs, err := s.listActive(ctx)
	if err != nil {
		return Job{}, err
	}
	for _, j := range jobs {
		if j.ScanID == scanID {
			return s.CancelJob(ctx, j.ID)
		}
	}
	return Job{}, apperr.New(apperr.NotFound, "scan %d is not running", scanID)
}

// output is what a scan job records in the queue (River's job output).
type output struct {
	ScanID int64 `json:"scanId"`
}

func jobFromRow(r *rivertype.JobRow) Job {
	j := Job{ID: r.ID, State: string(r.State), Created: r.CreatedAt, Started: r.AttemptedAt, Finished: r.FinalizedAt}
	var a ScanArgs
	if err := json.Unmarshal(r.EncodedArgs, &a); err == nil {
		j.Target, j.Trigger = Target{Connection: a.Connection, ProjectID: a.ProjectID}, a.Trigger
	}
	if raw := r.Output(); len(raw) > 0 {
		var o output
		if err := json.Unmarshal(raw, &o); err == nil {
			j.ScanID = o.ScanID
		}
	}
	return j
}

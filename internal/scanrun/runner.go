// Package scanrun runs the server's scans: the jobs.ScanFunc that turns a
// queued scan of a stored connection into an ingest run, and the broker
// that streams its progress to the API's server-sent events.
package scanrun

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/conntest"
	"github.com/lakemap/lakemap/internal/ingest"
	"github.com/lakemap/lakemap/internal/jobs"
	"github.com/lakemap/lakemap/internal/scan"
)

// Runner scans stored connections for the scheduler.
type Runner struct {
	Store       catalog.Store
	Connections *connections.Service
	Events      *Broker
	Logger      *slog.Logger
}

// Scan is a jobs.ScanFunc: it rebuilds the connection's workflow from the
// store and runs it, telling the job its scan id as soon as the record
// exists. The connection is not remembered again: it is already stored, and
// re-saving would race an edit made while the scan runs.
func (r *Runner) Scan(ctx context.Context, job jobs.ScanJob) (int64, error) {
	logger := r.Logger
	if logger == nil {
		logger = slog.Default()
	}
	c, err := r.connection(ctx, job.Target)
	if err != nil {
		return 0, err
	}
	wf, err := r.Connections.Workflow(ctx, c)
	if err != nil {
		return 0, err
	}
	var scanID atomic.Int64
	start := time.Now()
	st := &startedStore{Store: r.Store, started: func(id int64) {
		scanID.Store(id)
		r.Events.begin(Event{ScanID: id, Connection: c.Name, ProjectID: c.ProjectID})
		if job.Started != nil {
			job.Started(id)
		}
	}}
	res, err := ingest.Run(ctx, st, wf, ingest.Options{
		Logger:     logger.With("job", job.JobID, "trigger", job.Trigger),
		OnProgress: func(p scan.Progress) { r.Events.progress(scanID.Load(), p) },
	})
	id := scanID.Load()
	if id == 0 {
		id = res.ScanID
	}
	status, msg := res.Status, ""
	switch {
	case ctx.Err() != nil:
		status, msg = jobs.ScanCancelled, "the scan was stopped"
		if errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
			msg = "the scan ran past its time limit"
		}
	case err != nil:
		status, msg = catalog.ScanFailed, err.Error()
	case status == "":
		status = catalog.ScanSucceeded
	}
	r.Events.finish(id, status, msg, time.Since(start))
	if err != nil {
		return id, fmt.Errorf("scan connection %q: %w", c.Name, err)
	}
	return id, nil
}

func (r *Runner) connection(ctx context.Context, t jobs.Target) (catalog.Connection, error) {
	if t.ProjectID == "" {
		return r.Connections.Find(ctx, t.Connection)
	}
	return r.Connections.Record(ctx, t.ProjectID, t.Connection)
}

// startedStore reports the scan record's id the moment it exists.
type startedStore struct {
	catalog.Store
	started func(id int64)
}

func (s *startedStore) BeginScan(ctx context.Context, start catalog.ScanStart) (catalog.Scan, error) {
	sc, err := s.Store.BeginScan(ctx, start)
	if err == nil {
		s.started(sc.ID)
	}
	return sc, err
}

// Schedule is the scheduler's form of a stored schedule.
func Schedule(s catalog.Schedule) jobs.Schedule {
	return jobs.Schedule{Cron: s.Cron, Interval: s.Interval}
}

// Target is the scheduler's target for a stored connection.
func Target(c catalog.Connection) jobs.Target {
	return jobs.Target{Connection: c.Name, ProjectID: c.ProjectID}
}

// RegisterSchedules puts every stored connection that has a schedule on it.
// Call it before the scheduler starts, so a schedule missed while the server
// was down runs once.
func RegisterSchedules(ctx context.Context, store catalog.ConnectionStore, s *jobs.Scheduler, logger *slog.Logger) error {
	conns, err := store.ListConnections(ctx)
	if err != nil {
		return fmt.Errorf("list connections to schedule: %w", err)
	}
	for _, c := range conns {
		if c.Schedule.IsZero() {
			continue
		}
		if err := s.SetSchedule(ctx, Target(c), Schedule(c.Schedule)); err != nil {
			// One bad stored schedule must not keep the server down.
			logger.Error("schedule of connection not registered: edit it to fix", "connection", c.Name, "err", err)
		}
	}
	return nil
}

// Test runs the connection test of a project's stored connection: the same
// permission-group report as `lakemap connection test NAME`.
func Test(ctx context.Context, svc *connections.Service, projectID, name string, logger *slog.Logger) (conntest.Report, error) {
	c, err := svc.Record(ctx, projectID, name)
	if err != nil {
		return conntest.Report{}, err
	}
	wf, err := svc.Workflow(ctx, c)
	if err != nil {
		return conntest.Report{}, err
	}
	rep := conntest.Report{Connection: wf.Source.ServiceName}
	p, err := ingest.Params(ctx, wf, ingest.Options{Logger: logger})
	if err != nil {
		rep.Results = []conntest.Result{{Check: "build AWS session", Status: conntest.Fail, Error: err.Error(), Advice: apperr.AdviceOf(err)}}
		return rep, nil
	}
	return conntest.RunSource(ctx, wf.Source.ServiceName, wf.Source.Spec, wf.Source.Connection, p.AWS), nil
}

package cli

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/jobs"
	"github.com/lakemap/lakemap/internal/scanrun"
)

// scanGrace is how long a stopping server gives running scans to record
// themselves as interrupted.
const scanGrace = 20 * time.Second

// scanService is the server's scan machinery: the queue beside the catalog,
// its scheduler and the progress broker.
type scanService struct {
	sched   *jobs.Scheduler
	backend *jobs.Backend
	events  *scanrun.Broker
}

// openScans opens the job queue beside the SQLite catalog file db and builds
// the scheduler; it registers the stored schedules but does not start.
// It returns nil (no scans in this server) for an in-memory catalog.
func openScans(ctx context.Context, db string, st catalog.Store, svc *connections.Service, logger *slog.Logger) (*scanService, error) {
	if db == "" || strings.HasPrefix(db, ":memory:") || strings.HasPrefix(db, "file::memory:") {
		logger.Warn("in-memory catalog: the server runs no scans")
		return nil, nil
	}
	records, ok := st.(jobs.ScanRecords)
	if !ok {
		return nil, fmt.Errorf("catalog %s cannot record interrupted scans: use a SQLite catalog", db)
	}
	b, err := jobs.OpenSQLite(ctx, jobs.QueuePath(db))
	if err != nil {
		return nil, err
	}
	events := scanrun.NewBroker()
	run := &scanrun.Runner{Store: st, Connections: svc, Events: events, Logger: logger}
	sched, err := jobs.New(b, jobs.Config{Scan: run.Scan, Records: records, Logger: logger,
		SyncSchedules: scanrun.SyncSchedules(st, logger)})
	if err != nil {
		b.Close()
		return nil, err
	}
	if err := scanrun.RegisterSchedules(ctx, st, sched, logger); err != nil {
		b.Close()
		return nil, err
	}
	return &scanService{sched: sched, backend: b, events: events}, nil
}

// stop cancels running scans (recorded as interrupted) and closes the queue.
func (s *scanService) stop(ctx context.Context, logger *slog.Logger) {
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), scanGrace)
	defer cancel()
	if err := s.sched.Stop(stopCtx); err != nil {
		logger.Error("stop scans", "err", err)
	}
	if err := s.backend.Close(); err != nil {
		logger.Error("close job queue", "err", err)
	}
}

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
	"github.com/lakemap/lakemap/internal/store/postgres"
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
	relay   *scanrun.Relay // nil on SQLite
}

// close releases the queue and the relay, once the scheduler is stopped
// (or was never started).
func (s *scanService) close() error {
	if s.relay != nil {
		s.relay.Close()
	}
	return s.backend.Close()
}

// openScans opens the job queue (beside the SQLite catalog file db, or in
// the PostgreSQL catalog's database) and builds
// the scheduler; it registers the stored schedules but does not start.
// It returns nil (no scans in this server) for an in-memory catalog.
func openScans(ctx context.Context, db string, st catalog.Store, svc *connections.Service, logger *slog.Logger) (*scanService, error) {
	if db == "" || strings.HasPrefix(db, ":memory:") || strings.HasPrefix(db, "file::memory:") {
		logger.Warn("in-memory catalog: the server runs no scans")
		return nil, nil
	}
	records, ok := st.(jobs.ScanRecords)
	if !ok {
		return nil, fmt.Errorf("catalog %s cannot record interrupted scans", db)
	}
	var err error
	var b *jobs.Backend
	if postgres.IsURL(db) {
		// The queue lives in the catalog's database, shared by every replica.
		b, err = jobs.OpenPostgres(ctx, db)
	} else {
		b, err = jobs.OpenSQLite(ctx, jobs.QueuePath(db))
	}
	if err != nil {
		return nil, err
	}
	events := scanrun.NewBroker()
	cfg := jobs.Config{Records: records, Logger: logger, SyncSchedules: scanrun.SyncSchedules(st, logger)}
	var relay *scanrun.Relay
	if postgres.IsURL(db) {
		// Other replicas' scans stream here too.
		if relay, err = scanrun.StartRelay(ctx, db, events, logger); err != nil {
			b.Close()
			return nil, err
		}
		cfg.Interrupted = relay.Interrupted
	}
	fail := func(err error) (*scanService, error) {
		if relay != nil {
			relay.Close()
		}
		b.Close()
		return nil, err
	}
	run := &scanrun.Runner{Store: st, Connections: svc, Events: events, Logger: logger}
	cfg.Scan = run.Scan
	sched, err := jobs.New(b, cfg)
	if err != nil {
		return fail(err)
	}
	if err := scanrun.RegisterSchedules(ctx, st, sched, logger); err != nil {
		return fail(err)
	}
	return &scanService{sched: sched, backend: b, events: events, relay: relay}, nil
}

// stop cancels running scans (recorded as interrupted) and closes the queue.
func (s *scanService) stop(ctx context.Context, logger *slog.Logger) {
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), scanGrace)
	defer cancel()
	if err := s.sched.Stop(stopCtx); err != nil {
		logger.Error("stop scans", "err", err)
	}
	if err := s.close(); err != nil {
		logger.Error("close job queue", "err", err)
	}
}

// Package jobs runs the server's scans through a job queue (River): one scan
// per connection at a time, a bounded number at once, cron and interval
// schedules, cancellation, and honest records when the server stops or dies
// mid-scan. The queue's rows are the truth about what runs where, so
// several servers on one PostgreSQL can later share them.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/lakemap/lakemap/internal/catalog"
)

// Scan statuses this package records beside the runner's own.
// (They belong in catalog beside ScanRunning; they live here until the
// catalog contract names them.)
const (
	// ScanInterrupted: the server stopped or died while the scan ran.
	ScanInterrupted catalog.ScanStatus = "interrupted"
	// ScanCancelled: a user cancelled the scan.
	ScanCancelled catalog.ScanStatus = "cancelled"
)

// Trigger says why a scan runs.
type Trigger string

const (
	TriggerManual   Trigger = "manual"
	TriggerSchedule Trigger = "schedule"
)

// Target names the connection a scan is for.
type Target struct {
	Connection string // connection name (or id): one scan at a time per value
	ProjectID  string
}

// ScanArgs are a scan job's arguments as stored in the queue. Only the
// connection takes part in uniqueness: a manual start and a scheduled one
// for the same connection are the same scan.
type ScanArgs struct {
	Connection string  `json:"connection" river:"unique"`
	ProjectID  string  `json:"projectId"`
	Trigger    Trigger `json:"trigger"`
}

// ScanKind is the queue's job kind for scans.
const ScanKind = "lakemap_scan"

// Kind implements river.JobArgs.
func (ScanArgs) Kind() string { return ScanKind }

// ScanJob is what the worker hands ScanFunc.
type ScanJob struct {
	JobID   int64
	Target  Target
	Trigger Trigger
	// Started must be called once the catalog's scan record exists, with
	// its id: from then on a conflicting start names the scan, CancelScan
	// finds it, and a stop marks it interrupted. Safe to call more than once.
	Started func(scanID int64)
}

// ScanFunc runs one scan and returns its catalog scan id (0 when no record
// was made). It must stop promptly when ctx is cancelled.
type ScanFunc func(ctx context.Context, job ScanJob) (scanID int64, err error)

// ScanRecords is the part of the catalog store the scheduler needs to keep
// scan records honest when a scan does not end by itself.
type ScanRecords interface {
	// MarkRunningInterrupted marks every scan record still "running" as
	// interrupted, ending at `at`, and says how many it marked.
	MarkRunningInterrupted(ctx context.Context, at time.Time) (int, error)
	// SetScanStatus overrides one scan's status (the runner records a
	// cancelled scan as failed); its end time is set to `at` when missing.
	SetScanStatus(ctx context.Context, scanID int64, status catalog.ScanStatus, at time.Time) error
}

// Config configures a Scheduler.
type Config struct {
	Scan    ScanFunc    // required
	Records ScanRecords // required
	// MaxScans is how many scans run at once in this process (default 2).
	MaxScans int
	// ScanTimeout cancels a scan that runs longer (default 24h). With several
	// replicas it is also how long a dead replica's scan blocks its
	// connection: River rescues a job once it has run this long plus an hour.
	ScanTimeout time.Duration
	// MinInterval is the shortest schedule accepted (default one minute).
	MinInterval time.Duration
	// PollInterval is how often the queue looks for work it was not told
	// about (default 1s, River's own).
	PollInterval time.Duration
	Logger       *slog.Logger
	// SyncSchedules, when set, runs every SyncInterval (default 30s) to
	// bring the schedules in line with where they are stored (SetSchedule,
	// RemoveSchedule), for changes made by another process.
	SyncSchedules func(ctx context.Context, s *Scheduler) error
	SyncInterval  time.Duration
	// ReapInterval is how often, with several replicas, this one looks for
	// scans whose replica died (default 5s): it records them interrupted
	// and frees their connections for the next scan.
	ReapInterval time.Duration
	// Interrupted, when set, hears of each scan recorded interrupted
	// because its replica died (so progress streams can end).
	Interrupted func(scanID int64, connection string)
	// Now is the clock for schedules and River; nil means time.Now.
	Now func() time.Time

	// fastStart skips River's jittered start of its maintenance services
	// (periodic jobs among them): tests only.
	fastStart bool
}

// Scheduler runs scans from the queue.
type Scheduler struct {
	cfg    Config
	b      *Backend
	client queueClient
	log    *slog.Logger

	mu        sync.Mutex
	schedules map[string]*scheduled // by connection
	started   bool

	stopReaper context.CancelFunc
	reaperDone chan struct{}

	// stopping tells workers that a cancelled context means shutdown, so
	// their scans are recorded as interrupted rather than cancelled.
	stopping atomic.Bool
}

// New builds a Scheduler on backend b. Register schedules (SetSchedule),
// then Start.
func New(b *Backend, cfg Config) (*Scheduler, error) {
	if cfg.Scan == nil || cfg.Records == nil {
		return nil, errors.New("jobs: Config.Scan and Config.Records are required")
	}
	if cfg.MaxScans <= 0 {
		cfg.MaxScans = 2
	}
	if cfg.ScanTimeout <= 0 {
		cfg.ScanTimeout = 24 * time.Hour
	}
	if cfg.MinInterval <= 0 {
		cfg.MinInterval = time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.SyncInterval <= 0 {
		cfg.SyncInterval = 30 * time.Second
	}
	if cfg.ReapInterval <= 0 {
		cfg.ReapInterval = 5 * time.Second
	}
	s := &Scheduler{cfg: cfg, b: b, log: cfg.Logger, schedules: map[string]*scheduled{}}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &scanWorker{s: s}); err != nil {
		return nil, fmt.Errorf("register scan worker: %w", err)
	}
	queues := map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.MaxScans}}
	var periodic []*river.PeriodicJob
	if cfg.SyncSchedules != nil {
		if err := river.AddWorkerSafely(workers, &syncWorker{s: s}); err != nil {
			return nil, fmt.Errorf("register schedule sync worker: %w", err)
		}
		queues[syncQueue] = river.QueueConfig{MaxWorkers: 1}
		periodic = append(periodic, syncPeriodic(cfg.SyncInterval))
	}
	rc := &river.Config{
		Queues:       queues,
		PeriodicJobs: periodic,
		Workers:      workers,
		Logger:       cfg.Logger,
		MaxAttempts:  1, // a failed scan is reported, not retried behind the user's back
		JobTimeout:   cfg.ScanTimeout,
		// Well past the timeout, so a live scan is never "rescued" twice.
		RescueStuckJobsAfter: cfg.ScanTimeout + time.Hour,
		FetchPollInterval:    cfg.PollInterval,
		TestOnly:             cfg.fastStart,
	}
	if cfg.Now != nil {
		rc.Test.Time = clock(cfg.Now)
	}
	c, err := b.newClient(rc)
	if err != nil {
		return nil, fmt.Errorf("create job queue client on %s: %w", b.name, err)
	}
	s.client = c
	return s, nil
}

func (s *Scheduler) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now()
	}
	return time.Now()
}

// Start recovers from a previous process's death, runs each missed schedule
// once, and starts working the queue. It returns once the queue runs; only
// Stop (or Run's context) ends it.
func (s *Scheduler) Start(ctx context.Context) error {
	now := s.now()
	if s.b.exclusive {
		if err := s.cancelStaleJobs(ctx, now); err != nil {
			return err
		}
		n, err := s.cfg.Records.MarkRunningInterrupted(ctx, now)
		if err != nil {
			return fmt.Errorf("mark scans left running as interrupted: %w", err)
		}
		if n > 0 {
			s.log.Warn("scans left running by a previous server were marked interrupted", "count", n)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("jobs: scheduler already started")
	}
	if err := s.catchUpLocked(ctx, now); err != nil {
		return err
	}
	// River ties its workers to the start context; detached, a cancelled
	// ctx cannot cancel scans before Stop has said that this is a shutdown.
	if err := s.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start job queue on %s: %w", s.b.name, err)
	}
	s.started = true
	s.log.Info("job queue started", "queue", s.b.name, "client", s.b.clientID)
	if s.b.alive != nil {
		rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		s.stopReaper, s.reaperDone = cancel, make(chan struct{})
		go s.reapLoop(rctx)
	}
	return nil
}

// Stop cancels running scans, waits for them to record themselves as
// interrupted, and stops the queue. Jobs still queued stay queued for the
// next start.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.stopping.Store(true)
	if s.stopReaper != nil {
		s.stopReaper()
		<-s.reaperDone
	}
	if err := s.client.StopAndCancel(ctx); err != nil {
		return fmt.Errorf("stop job queue: %w", err)
	}
	return nil
}

// Run starts the scheduler and stops it when ctx is cancelled, giving running
// scans up to grace to record themselves.
func (s *Scheduler) Run(ctx context.Context, grace time.Duration) error {
	if err := s.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	return s.Stop(stopCtx)
}

// cancelStaleJobs finalizes scan jobs a dead process left "running": with one
// process per queue, no live worker holds them.
func (s *Scheduler) cancelStaleJobs(ctx context.Context, now time.Time) error {
	res, err := s.client.JobList(ctx, river.NewJobListParams().Kinds(ScanKind, syncKind).States(rivertype.JobStateRunning).First(10000))
	if err != nil {
		return fmt.Errorf("list scans left running: %w", err)
	}
	ids := make([]int64, 0, len(res.Jobs))
	for _, j := range res.Jobs {
		ids = append(ids, j.ID)
	}
	if err := s.client.cancelStale(ctx, ids, now); err != nil {
		return fmt.Errorf("release %d scan jobs left running: %w", len(ids), err)
	}
	return nil
}

// clock adapts Config.Now to River's time generator.
type clock func() time.Time

func (c clock) Now() time.Time { return c() }

func (c clock) NowOrNil() *time.Time {
	t := c()
	return &t
}

package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/sqlitedb"
)

// Backend is the database the queue lives in. It is the one place that
// knows the River driver: SQLite now; PostgreSQL (riverpgxv5) gets a second
// constructor beside OpenSQLite and nothing else in this package changes.
type Backend struct {
	name      string
	newClient func(cfg *river.Config) (queueClient, error)
	runs      runLog
	// exclusive is true when one process owns the queue (SQLite): at start,
	// a job still "running" can only be left by a process that died. With
	// several replicas (PostgreSQL) that is not true, and River's rescuer,
	// after Config.ScanTimeout, is what frees a dead replica's job.
	exclusive bool
	close     func() error

	// With several replicas: this replica's River client id, and whether
	// the replica that holds a client id still lives.
	clientID  string
	alive     func(ctx context.Context, client string) (bool, error)
	stillLive func(ctx context.Context) bool
}

// Close releases the database. Stop the Scheduler first.
func (b *Backend) Close() error { return b.close() }

// QueuePath is where the queue of the catalog at catalogPath lives: a sibling
// file, so River's polling and bookkeeping writes never wait for (or make
// wait) a scan's write transaction on SQLite's single writer lock. Measured
// (BenchmarkIngestBesideQueue, 520,021 entities, 2 shared cores): no queue
// 13,377 entities/s; ten connections scheduled every minute with the queue
// in a sibling file 13,517/s, inside the catalog file 11,977/s (-10%).
// Inside the catalog the queue also starves: under a one-second stress
// schedule it ran 164 scans during the ingest against 607 from a sibling.
func QueuePath(catalogPath string) string {
	ext := filepath.Ext(catalogPath)
	return strings.TrimSuffix(catalogPath, ext) + "-queue" + cmpOr(ext, ".db")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// OpenSQLite opens (creating if needed) a queue in the SQLite file at path
// and brings River's tables and lakemap's schedule table up to date.
func OpenSQLite(ctx context.Context, path string) (*Backend, error) {
	if path == "" || strings.HasPrefix(path, ":memory:") {
		return nil, apperr.New(apperr.Invalid, "queue path %q: give a file path", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolve queue path %q: %w", path, err)
	}
	// Immediate transactions take the write lock up front, so a transaction
	// that reads and then writes waits on busy_timeout instead of failing
	// with SQLITE_BUSY when it tries to upgrade.
	db, err := sqlitedb.Open(abs, sqlitedb.Options{Immediate: true, Pragmas: []string{"busy_timeout=10000", "journal_mode=WAL", "synchronous=NORMAL"}})
	if err != nil {
		return nil, fmt.Errorf("open queue %s: %w", abs, err)
	}
	// River's SQLite driver asks for one connection: its maintenance
	// services run in parallel and SQLite has one writer anyway.
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	driver := riversqlite.New(db)
	if err := migrateRiver(ctx, driver); err != nil {
		db.Close()
		return nil, fmt.Errorf("open queue %s: %w", abs, err)
	}
	runs := &sqliteRunLog{db: db}
	if err := runs.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open queue %s: %w", abs, err)
	}
	return &Backend{
		name:      "sqlite:" + abs,
		exclusive: true,
		runs:      runs,
		close:     db.Close,
		newClient: func(cfg *river.Config) (queueClient, error) {
			c, err := river.NewClient(driver, cfg)
			if err != nil {
				return nil, err
			}
			return riverQueue[*sql.Tx]{c}, nil
		},
	}, nil
}

func migrateRiver[TTx any](ctx context.Context, driver riverdriver.Driver[TTx]) error {
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return fmt.Errorf("prepare job queue migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate job queue tables: %w", err)
	}
	return nil
}

// queueClient is the part of river.Client the scheduler uses; it hides the
// driver's transaction type.
type queueClient interface {
	Start(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	JobCancel(ctx context.Context, id int64) (*rivertype.JobRow, error)
	JobGet(ctx context.Context, id int64) (*rivertype.JobRow, error)
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
	JobUpdate(ctx context.Context, id int64, params *river.JobUpdateParams) (*rivertype.JobRow, error)
	PeriodicJobs() *river.PeriodicJobBundle
	// cancelStale finalizes jobs left running by a process that died, so the
	// connection's next scan is not refused as a duplicate.
	cancelStale(ctx context.Context, ids []int64, now time.Time) error
}

type riverQueue[TTx any] struct{ *river.Client[TTx] }

func (q riverQueue[TTx]) cancelStale(ctx context.Context, ids []int64, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	n := len(ids)
	p := &riverdriver.JobSetStateIfRunningManyParams{
		ID: ids, Now: &now, Schema: q.Schema(),
		Attempt: make([]*int, n), ErrData: make([][]byte, n), FinalizedAt: make([]*time.Time, n),
		MetadataDoMerge: make([]bool, n), MetadataUpdates: make([][]byte, n), ScheduledAt: make([]*time.Time, n),
		State: make([]rivertype.JobState, n),
	}
	for i := range ids {
		p.FinalizedAt[i] = &now
		p.MetadataUpdates[i] = []byte("{}")
		p.State[i] = rivertype.JobStateCancelled
	}
	_, err := q.Driver().GetExecutor().JobSetStateIfRunningMany(ctx, p)
	return err
}

// runLog remembers, per scheduled connection, when its last scan began, so
// a schedule missed while the server was down runs once at start.
type runLog interface {
	// baseline records t for conn unless a time is already recorded.
	baseline(ctx context.Context, conn string, t time.Time) error
	// lastRun is the recorded time for conn; ok is false when there is none.
	lastRun(ctx context.Context, conn string) (t time.Time, ok bool, err error)
	// record moves a scheduled conn's time forward to t (never back).
	record(ctx context.Context, conn string, t time.Time) error
	forget(ctx context.Context, conn string) error
}

type sqliteRunLog struct{ db *sql.DB }

func (l *sqliteRunLog) migrate(ctx context.Context) error {
	_, err := l.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS lakemap_schedule_run (
    connection TEXT PRIMARY KEY,
    last_run   INTEGER NOT NULL
)`)
	if err != nil {
		return fmt.Errorf("create schedule table: %w", err)
	}
	return nil
}

func (l *sqliteRunLog) baseline(ctx context.Context, conn string, t time.Time) error {
	_, err := l.db.ExecContext(ctx, `INSERT INTO lakemap_schedule_run (connection, last_run) VALUES (?, ?) ON CONFLICT (connection) DO NOTHING`, conn, t.UnixNano())
	if err != nil {
		return fmt.Errorf("record schedule of connection %q: %w", conn, err)
	}
	return nil
}

func (l *sqliteRunLog) lastRun(ctx context.Context, conn string) (time.Time, bool, error) {
	var n int64
	err := l.db.QueryRowContext(ctx, `SELECT last_run FROM lakemap_schedule_run WHERE connection = ?`, conn).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read last scheduled run of connection %q: %w", conn, err)
	}
	return time.Unix(0, n), true, nil
}

func (l *sqliteRunLog) record(ctx context.Context, conn string, t time.Time) error {
	// Only scheduled connections have a row: a manual scan of an
	// unscheduled connection leaves nothing for a later schedule to read.
	_, err := l.db.ExecContext(ctx, `UPDATE lakemap_schedule_run SET last_run = max(last_run, ?) WHERE connection = ?`, t.UnixNano(), conn)
	if err != nil {
		return fmt.Errorf("record run of connection %q: %w", conn, err)
	}
	return nil
}

func (l *sqliteRunLog) forget(ctx context.Context, conn string) error {
	if _, err := l.db.ExecContext(ctx, `DELETE FROM lakemap_schedule_run WHERE connection = ?`, conn); err != nil {
		return fmt.Errorf("forget schedule of connection %q: %w", conn, err)
	}
	return nil
}

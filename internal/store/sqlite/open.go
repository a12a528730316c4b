// Package sqlite is the embedded catalog store: one file, WAL mode, one
// writer connection and a pool of readers, so searches never wait for a scan.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/sqlitedb"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store implements catalog.Store on SQLite.
type Store struct {
	path  string
	write writePool // exactly one connection: SQLite has one writer anyway
	read  *sql.DB
	// stmts holds the read pool's prepared hot statements.
	stmts *stmtCache
	ckpt  *checkpointer
	// now stamps history, last-seen times and lineage edges without one.
	now func() time.Time
	// busyWait bounds a wait for another process's write.
	busyWait time.Duration
}

// Option changes how Open sets up a store.
type Option func(*Store)

// WithClock makes the store read the time from now instead of the system
// clock, so that tests can pin the times history records.
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// WithBusyWait changes how long a write waits for another process's
// write transaction on the same catalog before it fails (default 10 s).
func WithBusyWait(d time.Duration) Option {
	return func(s *Store) { s.busyWait = d }
}

var _ catalog.Store = (*Store)(nil)

// Open opens (creating if needed) the catalog at path and migrates it.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if path == "" || strings.HasPrefix(path, ":memory:") {
		return nil, apperr.New(apperr.Invalid, "catalog path %q: give a file path (readers and the writer share the file)", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolve catalog path %q: %w", path, err)
	}
	s := &Store{path: abs, now: time.Now, busyWait: defaultBusyWait}
	for _, o := range opts {
		o(s)
	}
	// The WAL is checkpointed beside the writer (checkpointer); the
	// writer's own automatic checkpoint is only a safety net.
	//
	// The writer keeps a 12 MiB page cache and its temporary files on
	// disk; readers share 256 MiB (readerCacheBudget) and keep their
	// temporary data in memory. A scan's writes walk the hot index pages
	// and otherwise touch each page once: Glue ingest was as fast at 12 or
	// 16 MiB as at 32 (16.4k and 16.9k entities/s, within this machine's
	// noise). The cache fills as a scan grows and caps there, and a
	// catalog too small to fill it makes memory look as if it grew with
	// the scan: a throttled 20k-object bucket used ~12 MiB of it,
	// a 200k one all of it. At 16 MiB that put the 200k scan 4 MB further
	// above the 20k one than at 12; at 32 MiB the 200k scan peaked at
	// 123 MB, and at 64 MiB with temporary storage in memory at 370 MB.
	// (Measured with the earlier driver, modernc.org/sqlite; with this one
	// the 200k scan peaks 9–11 % above the 20k one.) Searches reread the
	// same index pages and sort in memory, so readers keep both.
	readers := max(4, runtime.NumCPU()*2)
	pool := func(writer bool) (*sql.DB, error) {
		cache, temp := "cache_size=-"+strconv.Itoa(readerCacheKiB(readers)), "temp_store=MEMORY"
		if writer {
			cache, temp = "cache_size=-12288", "temp_store=FILE"
		}
		return sqlitedb.Open(abs, sqlitedb.Options{Immediate: writer, Pragmas: []string{"busy_timeout=" + strconv.FormatInt(s.busyWait.Milliseconds(), 10), "journal_mode=WAL",
			"foreign_keys=1", "synchronous=NORMAL", cache, temp, "wal_autocheckpoint=" + strconv.Itoa(walSafetyPages)}})
	}
	if err := sqlitedb.RequireFTS5(); err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "open catalog %s", abs)
	}
	if err := createPrivate(abs); err != nil {
		return nil, err
	}
	w, err := pool(true)
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", abs, err)
	}
	s.write = writePool{DB: w, path: abs, wait: s.busyWait}
	s.write.SetMaxOpenConns(1)
	s.write.SetConnMaxIdleTime(0)
	if err := s.migrate(ctx); err != nil {
		s.write.Close()
		return nil, err
	}
	if s.read, err = pool(false); err != nil {
		s.write.Close()
		return nil, fmt.Errorf("open catalog %s: %w", abs, err)
	}
	s.read.SetMaxOpenConns(readers)
	// Every reader stays open once opened (database/sql keeps two idle by
	// default): under load the pool closed and reopened readers, and a new
	// one starts with an empty page cache, no prepared statements, and pays
	// the pragmas and the schema again.
	s.read.SetMaxIdleConns(readers)
	s.stmts = newStmtCache(s.read, maxCachedStmts)
	s.ckpt = startCheckpointer(s.read)
	return s, nil
}

// readerCacheBudget is the page cache of all readers together, each
// reader keeping its share and at least minReaderCache. With the four
// readers of a 2-core machine that is the 64 MiB each that searches were
// measured with; a reader per CPU twice over on a 32-core server would
// otherwise hold 4 GiB.
const (
	readerCacheBudget = 256 << 20
	minReaderCache    = 8 << 20
)

// readerCacheKiB is one reader's page cache, in the KiB cache_size takes.
func readerCacheKiB(readers int) int {
	return max(readerCacheBudget/max(readers, 1), minReaderCache) >> 10
}

// createPrivate creates a missing catalog file readable by its owner only.
// SQLite gives the -wal and -shm files the mode of the database file, so
// they are 0600 too: the catalog holds sealed secrets and the names of a
// customer's data. An existing file keeps its mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		return nil
	case err != nil:
		return fmt.Errorf("create catalog %s: %w", path, err)
	}
	return f.Close()
}

// Close closes the checkpointer, the cached statements and both pools.
func (s *Store) Close() error {
	s.ckpt.close()
	s.stmts.close()
	return errors.Join(s.read.Close(), s.write.Close())
}

// Path is the catalog file.
func (s *Store) Path() string { return s.path }

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("open catalog %s: %w (is it a lakemap catalog?)", s.path, err)
	}
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := filepath.Base(name)
		num, _, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return fmt.Errorf("migration %s: name must start with a number and an underscore", base)
		}
		var applied int
		if err := s.write.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&applied); err != nil {
			return fmt.Errorf("read migrations: %w", err)
		}
		if applied > 0 {
			continue
		}
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return err
		}
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			if after := migrationSteps[version]; after != nil {
				if err := after(ctx, tx); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)`, version, base, time.Now().UnixNano())
			return err
		})
		if err != nil {
			return fmt.Errorf("apply catalog migration %s: %w", base, err)
		}
	}
	return nil
}

// migrationSteps are Go steps run after a migration's SQL, in its
// transaction, for what SQL alone cannot derive.
var migrationSteps = map[int]func(context.Context, *sql.Tx) error{
	10: reindexSearch,
	11: reindexDescriptions,
}

// inTx runs fn in a write transaction.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if s.ckpt != nil { // nil while Open migrates
		s.ckpt.nudge()
	}
	return nil
}

func nanos(t time.Time) int64 { return t.UTC().UnixNano() }

func nullNanos(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: nanos(*t), Valid: true}
}

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

func fromNullNanos(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromNanos(n.Int64)
	return &t
}

// Package postgres is the catalog store on PostgreSQL, for catalogs that
// outgrow one process on one disk: several lakemap servers share one
// database. It passes the same conformance suite as the SQLite store
// (internal/store/storetest) and keeps the same tables, so `lakemap migrate`
// copies a SQLite catalog row for row.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the advisory lock key migrations run under, so that
// replicas starting together migrate once: the first takes the lock and
// migrates, the others wait and then find nothing left to do.
const migrationLock int64 = 0x6c616b656d6170 // "lakemap"

// Store implements catalog.Store and catalog.IdentityStore on PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
	// now stamps history, last-seen times and lineage edges without one.
	now func() time.Time
	// written counts the entities each running scan of this process wrote
	// or changed, so that FinishScan can tidy the indexes after a big one.
	written sync.Map // scan id -> *atomic.Int64
}

var (
	_ catalog.Store         = (*Store)(nil)
	_ catalog.IdentityStore = (*Store)(nil)
)

// Option changes how Open sets up a store.
type Option func(*Store)

// WithClock makes the store read the time from now instead of the system
// clock, so that tests can pin the times history records.
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// IsURL reports whether a --db value names a PostgreSQL database rather
// than a SQLite file.
func IsURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// Open connects to the database at url (postgres://user@host/db) and
// migrates it.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL, password included.
		return nil, apperr.New(apperr.Invalid, "catalog URL is not a PostgreSQL connection URL: use postgres://user@host:5432/dbname")
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	// Search reads past rankCap matches in table order, page after page:
	// a sequential scan joining one already under way starts mid-table,
	// and would show a match on two pages or on none.
	cfg.ConnConfig.RuntimeParams["synchronize_seqscans"] = "off"
	cfg.AfterConnect = keepBackendMemory
	s := &Store{now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("connect to catalog database %s: %w", where(cfg.ConnConfig), err)
	}
	if err := s.migrate(ctx); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("catalog database %s: %w", where(cfg.ConnConfig), err)
	}
	return s, nil
}

// backendMemory is the size of the block keepBackendMemory has a new
// connection's server process allocate and free: glibc then serves
// allocations up to this size from its heap, and returns freed memory to
// the kernel only past twice as much. A search's largest allocations stay
// well under it: the page table of a TID bitmap of a word common in
// datasets is 0.8 MB at 5M entities (10,000 heap pages), and a prefix
// pass holds two (measured: 2 MB sufficed at 5M; this leaves room for
// catalogs twice that size).
const backendMemory = 4 << 20

// keepBackendMemory has the server process behind a new connection
// allocate and free a block of backendMemory bytes. Until a process has
// freed a block that large, glibc's malloc hands large blocks back to the
// kernel when freed, so every search built its TID bitmaps (a GIN scan
// reads a word's every match into one before any LIMIT, its page table
// grown by doubling) in fresh memory, one page fault per 4 kB: measured at
// 5M entities, 340 faults and half the time of a common word's scan
// ("orders" 5.7 ms, 2.3 ms after this; the prefix "paym" 11 ms, 4 ms).
// Costs about 25 ms per connection; servers on other allocators lose only
// that.
func keepBackendMemory(ctx context.Context, c *pgx.Conn) error {
	// The simple protocol: one round trip, and no prepared statement
	// left in the connection's cache. Sixty-four bytes a step: repeat
	// copies its string once per repetition.
	const unit = "                                                                "
	sql := `SELECT octet_length(repeat('` + unit + `', ` + strconv.Itoa(backendMemory/len(unit)) + `))`
	if err := c.PgConn().Exec(ctx, sql).Close(); err != nil {
		return fmt.Errorf("prepare the connection's server process: %w", err)
	}
	return nil
}

// where names a database in messages without its password.
func where(c *pgx.ConnConfig) string {
	return fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

type migration struct {
	version int
	name    string
	body    string
}

func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []migration
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and an underscore", base)
		}
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version, base, string(body)})
	}
	return out, nil
}

// migrate applies the migrations not yet applied, each in its own
// transaction, holding a session advisory lock throughout.
func (s *Store) migrate(ctx context.Context) error {
	all, err := migrations()
	if err != nil {
		return err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("wait for the migration lock: %w", err)
	}
	defer func() {
		// A fresh context: the caller's may be done, and a lock left held
		// would block every other replica until this connection closes.
		unlockCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := conn.Exec(unlockCtx, `SELECT pg_advisory_unlock($1)`, migrationLock); err != nil {
			conn.Conn().Close(unlockCtx) // closing the session releases the lock
		}
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("create the migrations table (does the user own the database?): %w", err)
	}
	applied := map[int]bool{}
	rows, err := conn.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	for _, v := range versions {
		applied[v] = true
	}
	for _, m := range all {
		if applied[m.version] {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.body); err != nil {
				return err
			}
			if after := afterMigration[m.version]; after != nil {
				if err := after(ctx, tx); err != nil {
					return err
				}
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied) VALUES ($1, $2, $3)`, m.version, m.name, time.Now().UnixNano())
			return err
		})
		if err != nil {
			return fmt.Errorf("apply catalog migration %s: %w", m.name, err)
		}
	}
	return nil
}

// inTx runs fn in a transaction.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback(ctx)
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// SQLSTATE codes the store turns into apperr kinds.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
	programLimit        = "54000" // e.g. an index row too big
)

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func isUnique(err error) bool     { return sqlState(err) == uniqueViolation }
func isForeignKey(err error) bool { return sqlState(err) == foreignKeyViolation }

func nanos(t time.Time) int64 { return t.UTC().UnixNano() }

func nullNanos(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	n := nanos(*t)
	return &n
}

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

func fromNullNanos(n *int64) *time.Time {
	if n == nil {
		return nil
	}
	t := fromNanos(*n)
	return &t
}

// updateOne runs a statement that must change exactly one row; none is
// apperr.NotFound with the given message.
func (s *Store) updateOne(ctx context.Context, doing, notFound, query string, args ...any) error {
	tag, err := s.pool.Exec(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", doing, err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.New(apperr.NotFound, "%s", notFound)
	}
	return nil
}

// arg appends v to args and returns its placeholder, for queries built
// clause by clause.
func arg(args *[]any, v any) string {
	*args = append(*args, v)
	return "$" + strconv.Itoa(len(*args))
}

// kindNames turns kinds into the text[] a "kind = ANY(...)" compares with.
func kindNames(kinds []catalog.Kind) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}

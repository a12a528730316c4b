// Package sqlitedb opens the SQLite files lakemap keeps (the catalog, the
// job queue, and migrate's read of a catalog) through one driver,
// github.com/mattn/go-sqlite3: SQLite itself compiled with cgo.
//
// It replaced modernc.org/sqlite, SQLite translated to Go, because a scan
// into the catalog is bound by its one writer connection: the same writes
// (BenchmarkStagePublish in internal/store/sqlite) ran at ~98k partitions/s
// against ~61k, and the throttled Glue scan met its 1.25 × target where it
// had measured 1.5 ×. The price is a C compiler at build time and the
// sqlite_fts5 build tag (the catalog's search is FTS5). A build without
// either still compiles, so that go vet, gopls and go test work with no
// flags, but it cannot keep a catalog: Open and RequireFTS5 say so in
// words, where SQLite would say "no such module: fts5".
package sqlitedb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// Options say how every connection of a pool is set up.
type Options struct {
	// Pragmas run on each new connection, in order, as "name=value".
	Pragmas []string
	// Immediate makes BEGIN take the write lock at once, so a transaction
	// that reads and then writes waits on busy_timeout instead of failing
	// with SQLITE_BUSY when it upgrades.
	Immediate bool
	// ReadOnly opens the file read-only.
	ReadOnly bool
}

// Open returns a pool on the SQLite file at path (made absolute). The file
// is created if missing unless ReadOnly; nothing is opened until first use.
func Open(path string, o Options) (*sql.DB, error) {
	if err := cgoProblem(cgoBuilt); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolve %q: %w", path, err)
	}
	q := url.Values{}
	if o.ReadOnly {
		q.Set("mode", "ro")
	}
	if o.Immediate {
		q.Set("_txlock", "immediate")
	}
	// SQLite reads "file:" names as URIs: a path holding '?', '#' or '%'
	// must be escaped, or it names another file.
	dsn := "file:" + (&url.URL{Path: abs}).EscapedPath()
	if len(q) > 0 {
		dsn += "?" + q.Encode()
	}
	pragmas := append([]string(nil), o.Pragmas...)
	drv := &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		for _, p := range pragmas {
			if _, err := c.Exec("PRAGMA "+p, nil); err != nil {
				return fmt.Errorf("set up SQLite connection to %s: PRAGMA %s: %w", abs, p, err)
			}
		}
		return nil
	}}
	return sql.OpenDB(connector{drv: drv, dsn: dsn}), nil
}

// RequireFTS5 fails when this binary's SQLite has no full-text search,
// which every catalog's search needs.
func RequireFTS5() error { return fts5Problem(fts5Built) }

func cgoProblem(built bool) error {
	if built {
		return nil
	}
	return errors.New("this lakemap was built without cgo, and its SQLite is C: build it with a C compiler and CGO_ENABLED=1 (make build installs gcc)")
}

func fts5Problem(built bool) error {
	if built {
		return nil
	}
	return errors.New("this lakemap was built without SQLite's full-text search, which the catalog needs: build it with -tags sqlite_fts5 (make build does)")
}

// connector hands database/sql the driver with this pool's set-up, so
// that pools with different pragmas need no globally registered names.
type connector struct {
	drv *sqlite3.SQLiteDriver
	dsn string
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.drv }

// IsUniqueViolation says err is SQLite refusing a row that breaks a UNIQUE
// or PRIMARY KEY constraint.
func IsUniqueViolation(err error) bool {
	return hasExtendedCode(err, sqlite3.ErrConstraintUnique, sqlite3.ErrConstraintPrimaryKey)
}

// IsForeignKeyViolation says err is SQLite refusing a row whose foreign key
// names no row.
func IsForeignKeyViolation(err error) bool {
	return hasExtendedCode(err, sqlite3.ErrConstraintForeignKey)
}

// IsBusy says err is SQLite giving up on a lock that another connection,
// usually another process's, held past the busy timeout ("database is
// locked").
func IsBusy(err error) bool {
	var e sqlite3.Error
	return errors.As(err, &e) && (e.Code == sqlite3.ErrBusy || e.Code == sqlite3.ErrLocked)
}

func hasExtendedCode(err error, codes ...sqlite3.ErrNoExtended) bool {
	var e sqlite3.Error
	if !errors.As(err, &e) {
		return false
	}
	for _, c := range codes {
		if e.ExtendedCode == c {
			return true
		}
	}
	return false
}

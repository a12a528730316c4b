// Package migrate copies a SQLite catalog into PostgreSQL: every table the
// two stores share, rows as they are (ids, times, sealed secrets), then a
// count of each table on both sides. A copy cut short can be run again: rows
// already copied are skipped, the rest are added.
package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/sqlitedb"
	"github.com/lakemap/lakemap/internal/store/postgres"
)

// SQLiteSchema is the SQLite catalog schema this copy reads: the newest
// migration of internal/store/sqlite (a test keeps the two in step).
// Schema 12 added staged_entities, which is not copied: it holds only
// the unpublished parts of running scans, and in the copy no scan runs
// to publish them (a running scan is recorded interrupted on start).
// Schema 13 changed an index only.
const SQLiteSchema = 13

// batchRows is how many rows go to PostgreSQL in one transaction.
const batchRows = 5000

// TableCount is one table's rows in the source and the target.
type TableCount struct {
	Table  string `json:"table"`
	Source int64  `json:"source"`
	Added  int64  `json:"added"`
	Target int64  `json:"target"`
}

// Report is what a copy did.
type Report struct {
	Tables []TableCount `json:"tables"`
	// Resumed says the target held part of this catalog from an earlier run.
	Resumed bool `json:"resumed"`
}

// Options tune a copy.
type Options struct {
	// Progress, when set, hears after each batch: table, rows read so far.
	Progress func(table string, rows int64)
}

// Copy copies the SQLite catalog at from into the PostgreSQL store to (which
// Open has migrated). The target must be empty or hold an earlier,
// unfinished or finished, copy of the same catalog.
func Copy(ctx context.Context, from string, to *postgres.Store, opts Options) (Report, error) {
	src, origin, err := openSource(ctx, from)
	if err != nil {
		return Report{}, err
	}
	defer src.Close()
	resumed, err := to.BeginImport(ctx, origin, from)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Resumed: resumed}
	for _, t := range postgres.ImportTables() {
		added, read, err := copyTable(ctx, src, to, t, opts)
		if err != nil {
			return rep, fmt.Errorf("copy table %s (after %d rows; run the same command again to go on): %w", t.Name, read, err)
		}
		rep.Tables = append(rep.Tables, TableCount{Table: t.Name, Added: added})
	}
	if err := to.ImportDone(ctx); err != nil {
		return rep, err
	}
	var wrong []string
	for i := range rep.Tables {
		tc := &rep.Tables[i]
		if err := src.QueryRowContext(ctx, "SELECT count(*) FROM "+tc.Table).Scan(&tc.Source); err != nil {
			return rep, fmt.Errorf("count rows of %s in %s: %w", tc.Table, from, err)
		}
		if tc.Target, err = to.Count(ctx, tc.Table); err != nil {
			return rep, err
		}
		if tc.Source != tc.Target {
			wrong = append(wrong, fmt.Sprintf("%s: %d in SQLite, %d in PostgreSQL", tc.Table, tc.Source, tc.Target))
		}
	}
	if len(wrong) > 0 {
		// More rows in the target: something wrote to it since the copy began
		// (a server already running on it). Fewer: rows were skipped as
		// duplicates of other rows.
		return rep, apperr.New(apperr.Conflict, "the copy does not match the source (%s): was a server running on either catalog? Stop every server, then copy into an empty database",
			strings.Join(wrong, "; "))
	}
	if err := to.FinishImport(ctx, origin); err != nil {
		return rep, err
	}
	return rep, nil
}

// openSource opens the SQLite catalog read-only and checks its schema. It
// returns the catalog's origin: when its first migration ran (to the
// nanosecond), which tells two catalogs apart wherever their files move.
func openSource(ctx context.Context, path string) (*sql.DB, string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, "", fmt.Errorf("resolve %q: %w", path, err)
	}
	if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
		return nil, "", apperr.New(apperr.NotFound, "SQLite catalog %s does not exist: give --from the path of the lakemap.db to copy", abs)
	} else if err != nil {
		return nil, "", fmt.Errorf("read SQLite catalog %s: %w", abs, err)
	}
	db, err := sqlitedb.Open(abs, sqlitedb.Options{ReadOnly: true, Pragmas: []string{"busy_timeout=10000"}})
	if err != nil {
		return nil, "", fmt.Errorf("open SQLite catalog %s: %w", abs, err)
	}
	// One connection: every read sees the same snapshot as far as SQLite
	// allows, and a read-only handle needs no more.
	db.SetMaxOpenConns(1)
	var v, origin sql.NullInt64
	err = db.QueryRowContext(ctx, `SELECT max(version), min(applied) FROM schema_migrations`).Scan(&v, &origin)
	version := int(v.Int64)
	if err != nil {
		db.Close()
		return nil, "", apperr.Wrap(apperr.Invalid, err, "%s is not a lakemap SQLite catalog (no readable schema_migrations table)", abs)
	}
	switch {
	case version < SQLiteSchema:
		db.Close()
		return nil, "", apperr.New(apperr.Invalid, "SQLite catalog %s has schema version %d, this lakemap copies version %d: upgrade it first by running any command on it (for example `lakemap search x --db %s`), then migrate",
			abs, version, SQLiteSchema, abs)
	case version > SQLiteSchema:
		db.Close()
		return nil, "", apperr.New(apperr.Invalid, "SQLite catalog %s has schema version %d, newer than this lakemap knows (%d): migrate with the lakemap that wrote it",
			abs, version, SQLiteSchema)
	}
	return db, fmt.Sprintf("sqlite:%d", origin.Int64), nil
}

func copyTable(ctx context.Context, src *sql.DB, to *postgres.Store, t postgres.ImportTable, opts Options) (added, read int64, err error) {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	rows, err := src.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM %s", strings.Join(names, ", "), t.Name))
	if err != nil {
		return 0, 0, fmt.Errorf("read: %w", err)
	}
	defer rows.Close()
	batch := make([][]any, 0, batchRows)
	flush := func() error {
		n, err := to.Import(ctx, t, batch)
		if err != nil {
			return err
		}
		added += n
		read += int64(len(batch))
		batch = batch[:0]
		if opts.Progress != nil {
			opts.Progress(t.Name, read)
		}
		return nil
	}
	for rows.Next() {
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return added, read, fmt.Errorf("read: %w", err)
		}
		batch = append(batch, vals)
		if len(batch) == batchRows {
			if err := flush(); err != nil {
				return added, read, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return added, read, fmt.Errorf("read: %w", err)
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return added, read, err
		}
	}
	return added, read, nil
}

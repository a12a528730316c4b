package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func open(t *testing.T, path string, o Options) *sql.DB {
	t.Helper()
	db, err := Open(path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Every connection of a pool, not only the first, runs the pragmas: a
// reader opened under load must have the same cache and timeout.
func TestPragmasApplyToEveryConnection(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "p.db"), Options{Pragmas: []string{"busy_timeout=4321", "cache_size=-2048", "foreign_keys=1"}})
	db.SetMaxOpenConns(3)
	var conns []*sql.Conn
	for range 3 {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for i, c := range conns {
		var timeout, cache, fk int
		for _, q := range []struct {
			pragma string
			into   *int
		}{{"busy_timeout", &timeout}, {"cache_size", &cache}, {"foreign_keys", &fk}} {
			if err := c.QueryRowContext(ctx, "PRAGMA "+q.pragma).Scan(q.into); err != nil {
				t.Fatal(err)
			}
		}
		if timeout != 4321 || cache != -2048 || fk != 1 {
			t.Errorf("connection %d: busy_timeout %d, cache_size %d, foreign_keys %d; want 4321, -2048, 1", i, timeout, cache, fk)
		}
		c.Close()
	}
}

// A path SQLite would read as URI syntax ('?', '#', '%') or that is not
// ASCII names exactly that file, not another.
func TestOddPathsNameTheirFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, name := range []string{"a?b=c.db", "hash#part.db", "100%.db", "späť 目録.db", "sp ace.db"} {
		path := filepath.Join(dir, name)
		db := open(t, path, Options{})
		if _, err := db.ExecContext(ctx, `CREATE TABLE t (x)`); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		db.Close()
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: the file is not where asked: %v", name, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if n := e.Name(); !strings.HasSuffix(n, ".db") && !strings.HasSuffix(n, "-wal") && !strings.HasSuffix(n, "-shm") && !strings.HasSuffix(n, "-journal") {
			t.Errorf("stray file %q", n)
		}
	}
}

func TestReadOnlyRefusesWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ro.db")
	rw := open(t, path, Options{})
	if _, err := rw.ExecContext(ctx, `CREATE TABLE t (x); INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	ro := open(t, path, Options{ReadOnly: true})
	var n int
	if err := ro.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("read: %d, %v", n, err)
	}
	if _, err := ro.ExecContext(ctx, `INSERT INTO t VALUES (2)`); err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Errorf("write through a read-only pool: %v; want a read-only error", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.db"), Options{ReadOnly: true}); err != nil {
		t.Fatal(err) // opening is lazy; the first use fails
	}
}

// A pragma SQLite refuses fails the connection with a message naming it,
// not a pool that runs without it.
func TestBadPragmaFailsTheConnection(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "bad.db"), Options{Pragmas: []string{"journal_mode=WAL", "cache_size=(1"}})
	err := db.PingContext(context.Background())
	if err == nil || !strings.Contains(err.Error(), "PRAGMA cache_size=(1") {
		t.Fatalf("ping: %v; want the refused pragma named", err)
	}
}

// Immediate transactions take the write lock at BEGIN: a second writer
// waits (here: fails at once, with no busy timeout) at its BEGIN, before
// it has read anything it could not then upgrade.
func TestImmediateTakesTheWriteLockAtBegin(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "imm.db")
	a := open(t, path, Options{Immediate: true, Pragmas: []string{"journal_mode=WAL"}})
	b := open(t, path, Options{Immediate: true, Pragmas: []string{"busy_timeout=0"}})
	if _, err := a.ExecContext(ctx, `CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	tx, err := a.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	_, err = b.BeginTx(ctx, nil)
	if err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("second immediate BEGIN: %v; want database is locked", err)
	}
	if !IsBusy(err) || !IsBusy(fmt.Errorf("save: %w", err)) {
		t.Errorf("IsBusy(%v) = false, wrapped or not", err)
	}
	if _, err := b.ExecContext(ctx, `INSERT INTO t VALUES (1)`); !IsBusy(err) {
		t.Errorf("a write outside a transaction: %v; want it recognised as busy", err)
	}
	if IsBusy(errors.New("database is locked")) || IsBusy(nil) {
		t.Error("IsBusy recognised an error SQLite did not return")
	}
}

func TestConstraintViolationsAreRecognised(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "c.db"), Options{Pragmas: []string{"foreign_keys=1"}})
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT UNIQUE);
		CREATE TABLE c (p INTEGER REFERENCES p (id)); INSERT INTO p VALUES (1, 'a')`); err != nil {
		t.Fatal(err)
	}
	_, dupName := db.ExecContext(ctx, `INSERT INTO p VALUES (2, 'a')`)
	_, dupKey := db.ExecContext(ctx, `INSERT INTO p VALUES (1, 'b')`)
	_, orphan := db.ExecContext(ctx, `INSERT INTO c VALUES (9)`)
	for _, c := range []struct {
		name         string
		err          error
		unique, fkey bool
	}{
		{"duplicate unique column", dupName, true, false},
		{"duplicate primary key", dupKey, true, false},
		{"orphan foreign key", orphan, false, true},
		{"wrapped", errors.Join(errors.New("save"), dupName), true, false},
		{"other error", errors.New("UNIQUE constraint failed: but not from SQLite"), false, false},
		{"nil", nil, false, false},
	} {
		if got := IsUniqueViolation(c.err); got != c.unique {
			t.Errorf("%s: IsUniqueViolation(%v) = %v", c.name, c.err, got)
		}
		if got := IsForeignKeyViolation(c.err); got != c.fkey {
			t.Errorf("%s: IsForeignKeyViolation(%v) = %v", c.name, c.err, got)
		}
	}
}

// The catalog's search needs FTS5 with the trigram tokenizer, and JSON.
func TestBuiltWithWhatTheCatalogNeeds(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "f.db"), Options{})
	if _, err := db.ExecContext(ctx, `CREATE VIRTUAL TABLE s USING fts5 (x, tokenize = 'trigram');
		INSERT INTO s VALUES ('orders_daily')`); err != nil {
		t.Fatalf("FTS5 trigram: %v", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM s WHERE s MATCH 'der'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("trigram match: %d, %v", n, err)
	}
	var v string
	if err := db.QueryRowContext(ctx, `SELECT json_extract('{"a":{"b":"c"}}', '$.a.b')`).Scan(&v); err != nil || v != "c" {
		t.Errorf("json: %q, %v", v, err)
	}
}

// A binary built without cgo or without the tag says what to rebuild with,
// instead of SQLite's "no such module: fts5" or the driver's stub error.
func TestBuildProblemsSayHowToRebuild(t *testing.T) {
	if cgoProblem(true) != nil || fts5Problem(true) != nil {
		t.Fatal("a complete build reports a problem")
	}
	if err := cgoProblem(false); err == nil || !strings.Contains(err.Error(), "CGO_ENABLED=1") {
		t.Errorf("without cgo: %v", err)
	}
	if err := fts5Problem(false); err == nil || !strings.Contains(err.Error(), "-tags sqlite_fts5") {
		t.Errorf("without FTS5: %v", err)
	}
	if err := RequireFTS5(); err != nil {
		t.Errorf("this test binary: %v", err)
	}
}

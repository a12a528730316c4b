package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

func TestStmtCacheBoundedAndSafeUnderEviction(t *testing.T) {
	ctx := context.Background()
	s := emptyStore(t)
	c := newStmtCache(s.read, 4)
	defer c.close()

	// Twenty texts through a cache of four, from eight goroutines: every
	// call must succeed although its statement may be evicted (and closed)
	// by another goroutine between its query and its scan.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				want := (g*200 + i) % 20
				var got int
				if err := c.queryRow(ctx, fmt.Sprintf("SELECT %d + ?", want), 0).Scan(&got); err != nil {
					errs <- err
					return
				}
				rows, err := c.query(ctx, fmt.Sprintf("SELECT %d + ? UNION ALL SELECT 1", want), 0)
				if err != nil {
					errs <- err
					return
				}
				n := 0
				for rows.Next() {
					n++
				}
				rows.Close()
				if got != want || n != 2 || rows.Err() != nil {
					errs <- fmt.Errorf("text %d: got %d and %d rows (%v)", want, got, n, rows.Err())
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := c.len(); n > 4 {
		t.Fatalf("cache holds %d statements, bound is 4", n)
	}
}

func TestStmtCacheAfterClose(t *testing.T) {
	ctx := context.Background()
	s := emptyStore(t)
	c := newStmtCache(s.read, 4)
	var n int
	if err := c.queryRow(ctx, "SELECT 1").Scan(&n); err != nil {
		t.Fatal(err)
	}
	c.close()
	if c.len() != 0 {
		t.Fatalf("closed cache holds %d statements", c.len())
	}
	// Once closed, calls run unprepared and cache nothing.
	if err := c.queryRow(ctx, "SELECT 2").Scan(&n); err != nil || n != 2 {
		t.Fatalf("after close: %d, %v", n, err)
	}
	if c.len() != 0 {
		t.Fatalf("closed cache cached a statement")
	}
	// A statement that does not prepare reports its own error.
	if err := c.queryRow(ctx, "SELECT nope FROM nowhere").Scan(&n); err == nil {
		t.Fatal("a bad statement ran")
	}
}

func TestStoreCloseClosesCachedStatements(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "svc.db.t"); err == nil {
		t.Fatal("found an entity in an empty catalog")
	}
	if s.stmts.len() == 0 {
		t.Fatal("Get cached no statement")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s.stmts.len() != 0 {
		t.Fatalf("Close left %d statements cached", s.stmts.len())
	}
}

// emptyStore opens a new catalog, closed when the test ends.
func emptyStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

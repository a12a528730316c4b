package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/sqlitedb"
)

// Another process holding the catalog's write lock past the wait makes a
// write fail with a message naming the file and what to do, as
// "unavailable"; nothing either side wrote is lost, and the write
// succeeds once the lock is released.
func TestBusyCatalogSaysWhatToDo(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "busy.db")
	s, err := Open(ctx, path, WithBusyWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: "svc", SourceType: "glue", Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	table := catalog.Entity{FQN: "svc.db.orders", Kind: catalog.KindTable}
	if _, err := s.Upsert(ctx, sc.ID, []catalog.Entity{{FQN: "svc.db", Kind: catalog.KindDatabase}}); err != nil {
		t.Fatal(err)
	}

	// The other process: a connection of its own, in a write transaction.
	other, err := sqlitedb.Open(path, sqlitedb.Options{Immediate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO projects (id, name, external_id, created) VALUES ('p1', 'other', 'lakemap-x', 1)`); err != nil {
		t.Fatal(err)
	}

	_, inTx := s.Upsert(ctx, sc.ID, []catalog.Entity{table})
	_, outsideTx := s.BeginScan(ctx, catalog.ScanStart{Service: "svc", SourceType: "glue", Started: time.Now()})
	for name, err := range map[string]error{"a write transaction": inTx, "a single statement": outsideTx} {
		if err == nil {
			t.Fatalf("%s succeeded while another process held the write lock", name)
		}
		p := apperr.Present(err)
		if p.Kind != apperr.Unavailable || p.ExitCode != 5 || !strings.Contains(p.Message, path) ||
			!strings.Contains(p.Message, "busy") || !strings.Contains(p.Message, "100ms") || len(p.Advice) != 2 {
			t.Errorf("%s: %s %d %q %q; want unavailable, exit 5, the path, the wait and advice", name, p.Kind, p.ExitCode, p.Message, p.Advice)
		}
	}

	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Upsert(ctx, sc.ID, []catalog.Entity{table}); err != nil {
		t.Fatalf("the write once the lock was released: %v", err)
	}
	for _, fqn := range []string{"svc.db", "svc.db.orders"} {
		if _, err := s.Get(ctx, fqn); err != nil {
			t.Errorf("%s: %v", fqn, err)
		}
	}
	if _, err := s.GetProject(ctx, "other"); err != nil {
		t.Errorf("the other process's project: %v", err)
	}
}

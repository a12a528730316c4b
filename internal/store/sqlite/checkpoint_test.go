package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// TestWritesAreCheckpointedBesideTheWriter: what a scan commits reaches the
// database file without the writer's own checkpoint, which a WAL this
// small never triggers.
func TestWritesAreCheckpointedBesideTheWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: "svc"})
	if err != nil {
		t.Fatal(err)
	}
	batch := []catalog.Entity{{FQN: "svc", Kind: catalog.KindService}}
	for i := range 3000 {
		batch = append(batch, catalog.Entity{FQN: fmt.Sprintf("svc.db%04d", i), Kind: catalog.KindDatabase, Description: "a database described at some length"})
	}
	if _, err := s.Upsert(ctx, sc.ID, batch); err != nil {
		t.Fatal(err)
	}
	var pages, pageSize int64
	if err := s.read.QueryRowContext(ctx, `SELECT page_count, page_size FROM pragma_page_count(), pragma_page_size()`).Scan(&pages, &pageSize); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() == pages*pageSize {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("database file holds %d bytes, the catalog %d pages of %d: the WAL was never checkpointed", fi.Size(), pages, pageSize)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCloseStopsTheCheckpointer: Close waits for the checkpointer, and the
// catalog opens again at once.
func TestCloseStopsTheCheckpointer(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	for range 3 {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: "svc"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Upsert(ctx, sc.ID, []catalog.Entity{{FQN: "svc", Kind: catalog.KindService}}); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

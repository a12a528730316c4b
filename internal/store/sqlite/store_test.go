package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) catalog.Store {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestReopenKeepsDataAndMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := s.BeginScan(ctx, catalog.ScanStart{Service: "svc"})
	if _, err := s.Upsert(ctx, sc.ID, []catalog.Entity{{FQN: "svc", Kind: catalog.KindService}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if _, err := s.Get(ctx, "svc"); err != nil {
		t.Fatalf("entity lost on reopen: %v", err)
	}
}

func TestOpenRejectsMemoryAndGarbage(t *testing.T) {
	ctx := context.Background()
	if _, err := Open(ctx, ":memory:"); err == nil {
		t.Error("Open(:memory:) succeeded")
	}
	if _, err := Open(ctx, filepath.Join(t.TempDir(), "missing-dir", "x", "c.db")); err == nil {
		t.Error("Open in a missing directory succeeded")
	}
}

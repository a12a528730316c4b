package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/lineage/lineagetest"
)

func TestLineageConformance(t *testing.T) {
	lineagetest.RunConformance(t, func(t *testing.T) catalog.LineageStore {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

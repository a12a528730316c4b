package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// Projects survive a reopen: the migration is applied once and the rows stay.
func TestProjectsSurviveReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := catalog.NewProject("alpha", time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	list, err := s.ListProjects(ctx)
	if err != nil || len(list) != 1 || list[0] != p {
		t.Errorf("after reopen: %+v, %v; want [%+v]", list, err, p)
	}
}

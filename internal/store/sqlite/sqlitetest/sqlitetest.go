// Package sqlitetest gives tests above the store a real catalog: the
// SQLite store in a temporary directory, and helpers that read a whole
// catalog through the catalog.Store interface. Only tests import it; the
// store itself must never import a package that imports this one.
package sqlitetest

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/store/sqlite"
)

// Open returns an empty catalog in t.TempDir(), closed when the test ends.
func Open(t testing.TB, opts ...sqlite.Option) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"), opts...)
	if err != nil {
		t.Fatalf("open test catalog: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close test catalog: %v", err)
		}
	})
	return s
}

// Entities returns every entity of the catalog, deleted ones included,
// ordered by FQN. It walks the tree from the services down with List, so
// an entity whose parent is not in the catalog is missing from it: tests
// notice such orphans rather than count them.
func Entities(t testing.TB, r catalog.EntityReader) []catalog.Entity {
	t.Helper()
	ctx := context.Background()
	var out []catalog.Entity
	parents := []string{""}
	for len(parents) > 0 {
		parent := parents[0]
		parents = parents[1:]
		q := catalog.ListQuery{ParentFQN: parent, IncludeDeleted: true, Limit: catalog.MaxLimit}
		for {
			page, err := r.List(ctx, q)
			if err != nil {
				t.Fatalf("list the children of %q: %v", parent, err)
			}
			for _, e := range page.Entities {
				out = append(out, e)
				parents = append(parents, e.FQN)
			}
			if page.Next == "" {
				break
			}
			q.After = page.Next
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FQN < out[j].FQN })
	return out
}

// Live returns the live entities of one kind, by FQN.
func Live(t testing.TB, r catalog.EntityReader, kind catalog.Kind) []catalog.Entity {
	t.Helper()
	var out []catalog.Entity
	for _, e := range Entities(t, r) {
		if !e.Deleted && e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// Snapshot maps every entity's FQN to its deletion flag and content hash,
// for comparing two catalogs.
func Snapshot(t testing.TB, r catalog.EntityReader) map[string]string {
	t.Helper()
	es := Entities(t, r)
	out := make(map[string]string, len(es))
	for _, e := range es {
		out[e.FQN] = fmt.Sprintf("%v %s", e.Deleted, e.ContentHash())
	}
	return out
}

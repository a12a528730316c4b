package sqlitetest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/store/sqlite/sqlitetest"
)

func TestEntitiesWalkTheWholeCatalog(t *testing.T) {
	ctx := context.Background()
	s := sqlitetest.Open(t)
	ents := []catalog.Entity{
		{FQN: "a", Kind: catalog.KindService, Service: "a"},
		{FQN: "b", Kind: catalog.KindService, Service: "b"},
		{FQN: "b.old", Kind: catalog.KindDatabase, Service: "b", ParentFQN: "b"},
		{FQN: "b.old.t", Kind: catalog.KindTable, Service: "b", ParentFQN: "b.old"},
	}
	// More tables than one List page holds, so the walk must follow cursors.
	for i := range catalog.MaxLimit + 5 {
		ents = append(ents, catalog.Entity{FQN: fmt.Sprintf("a.db%04d", i), Kind: catalog.KindDatabase, Service: "a", ParentFQN: "a"})
	}
	sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: "svc", Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Upsert(ctx, sc.ID, ents); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkMissing(ctx, sc.ID+1, "b", []catalog.Kind{catalog.KindDatabase}); err != nil {
		t.Fatal(err)
	}

	all := sqlitetest.Entities(t, s)
	if len(all) != len(ents) {
		t.Errorf("%d entities, want %d", len(all), len(ents))
	}
	for _, tt := range []struct {
		kind catalog.Kind
		want int
	}{
		{catalog.KindService, 2},
		{catalog.KindDatabase, catalog.MaxLimit + 5}, // b.old is deleted
		{catalog.KindTable, 0},                       // b.old.t went with it
	} {
		if got := len(sqlitetest.Live(t, s, tt.kind)); got != tt.want {
			t.Errorf("%d live %s, want %d", got, tt.kind, tt.want)
		}
	}
	snap := sqlitetest.Snapshot(t, s)
	if !strings.HasPrefix(snap["b.old.t"], "true ") || !strings.HasPrefix(snap["a"], "false ") {
		t.Errorf("snapshot of b.old.t = %q, of a = %q", snap["b.old.t"], snap["a"])
	}
}

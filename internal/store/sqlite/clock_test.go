package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// WithClock stamps everything the store dates itself: history, last-seen
// times, deletions and lineage edges recorded without a time.
func TestWithClock(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := Open(ctx, filepath.Join(t.TempDir(), "catalog.db"), WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: "svc", Started: clock})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Upsert(ctx, sc.ID, []catalog.Entity{
		{FQN: "svc", Kind: catalog.KindService, Service: "svc"},
		{FQN: "svc.db", Kind: catalog.KindDatabase, Service: "svc", ParentFQN: "svc"},
	}); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(time.Hour)
	if _, err := s.MarkMissing(ctx, sc.ID+1, "svc", []catalog.Kind{catalog.KindDatabase}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceEdges(ctx, sc.ID, catalog.EdgeView, []string{"svc.v"}, []catalog.Edge{{From: "svc.db", To: "svc.v", Kind: catalog.EdgeView, Origin: "svc.v", Service: "svc"}}); err != nil {
		t.Fatal(err)
	}

	hist, err := s.History(ctx, "svc.db", 0)
	if err != nil || len(hist) != 2 {
		t.Fatalf("history = %+v, %v", hist, err)
	}
	for _, tt := range []struct {
		name string
		got  time.Time
		want time.Time
	}{
		{"deleted at", hist[0].At, clock},
		{"added at", hist[1].At, clock.Add(-time.Hour)},
	} {
		if !tt.got.Equal(tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	e, err := s.Get(ctx, "svc.db")
	if err != nil || !e.FirstSeen.Equal(clock.Add(-time.Hour)) {
		t.Errorf("first seen = %v, %v", e.FirstSeen, err)
	}
	edges, err := s.Edges(ctx, "svc.v", catalog.Upstream, 1)
	if err != nil || len(edges) != 1 || !edges[0].At.Equal(clock) {
		t.Errorf("edge without a time = %+v, %v", edges, err)
	}
}

package lineagetest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// RunConformance checks a catalog.LineageStore against the contract every
// backend must keep. newStore returns an empty store.
func RunConformance(t *testing.T, newStore func(t *testing.T) catalog.LineageStore) {
	ctx := context.Background()
	at := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	edge := func(from, to string, kind catalog.EdgeKind, origin string) catalog.Edge {
		return catalog.Edge{From: from, To: to, Kind: kind, Origin: origin, Evidence: "ev " + origin, Service: "svc", At: at}
	}
	lines := func(edges []catalog.Edge) string {
		var out []string
		for _, e := range edges {
			out = append(out, fmt.Sprintf("%d %s>%s %s@%s", e.Hop, e.From, e.To, e.Kind, e.Origin))
		}
		sort.Strings(out)
		return strings.Join(out, ", ")
	}

	t.Run("replace per origin", func(t *testing.T) {
		s := newStore(t)
		must(t, s.ReplaceEdges(ctx, 1, catalog.EdgeQuery, []string{"q1", "q2"}, []catalog.Edge{
			edge("a", "b", catalog.EdgeQuery, "q1"), edge("c", "b", catalog.EdgeQuery, "q1"), edge("a", "b", catalog.EdgeQuery, "q2"),
		}))
		must(t, s.ReplaceEdges(ctx, 1, catalog.EdgeView, []string{"v"}, []catalog.Edge{edge("a", "b", catalog.EdgeView, "v")}))
		got, err := s.Edges(ctx, "b", catalog.Upstream, 1)
		must(t, err)
		if want := "1 a>b query@q1, 1 a>b query@q2, 1 a>b view@v, 1 c>b query@q1"; lines(got) != want {
			t.Errorf("edges = %s, want %s", lines(got), want)
		}
		// Replacing q1 leaves q2 and the view's edge alone; q3 adds.
		must(t, s.ReplaceEdges(ctx, 2, catalog.EdgeQuery, []string{"q1", "q3"}, []catalog.Edge{edge("d", "b", catalog.EdgeQuery, "q3")}))
		got, err = s.Edges(ctx, "b", catalog.Upstream, 1)
		must(t, err)
		if want := "1 a>b query@q2, 1 a>b view@v, 1 d>b query@q3"; lines(got) != want {
			t.Errorf("after replace = %s, want %s", lines(got), want)
		}
		for _, e := range got {
			if e.Origin == "q3" && (e.ScanID != 2 || e.Evidence != "ev q3" || !e.At.Equal(at) || e.Service != "svc") {
				t.Errorf("edge read back as %+v", e)
			}
		}
	})

	t.Run("walk", func(t *testing.T) {
		s := newStore(t)
		// a -> b -> c -> d, and a cycle d -> a through a view.
		must(t, s.ReplaceEdges(ctx, 1, catalog.EdgeQuery, []string{"q"}, []catalog.Edge{
			edge("a", "b", catalog.EdgeQuery, "q"), edge("b", "c", catalog.EdgeQuery, "q"), edge("c", "d", catalog.EdgeQuery, "q"),
		}))
		must(t, s.ReplaceEdges(ctx, 1, catalog.EdgeView, []string{"d"}, []catalog.Edge{
			{From: "d", To: "a", Kind: catalog.EdgeView, Origin: "d", Service: "svc", Columns: map[string][]string{"x": {"y", "z"}}},
		}))
		for _, tt := range []struct {
			fqn   string
			dir   catalog.Direction
			depth int
			want  string
		}{
			{"d", catalog.Upstream, 2, "1 c>d query@q, 2 b>c query@q"},
			{"a", catalog.Downstream, 1, "1 a>b query@q"},
			{"b", catalog.Both, 1, "1 a>b query@q, 1 b>c query@q"},
			// The cycle ends: every edge once.
			{"a", catalog.Downstream, 10, "1 a>b query@q, 2 b>c query@q, 3 c>d query@q, 4 d>a view@d"},
			{"zz", catalog.Both, 3, ""},
		} {
			got, err := s.Edges(ctx, tt.fqn, tt.dir, tt.depth)
			must(t, err)
			if lines(got) != tt.want {
				t.Errorf("Edges(%s, %s, %d) = %s, want %s", tt.fqn, tt.dir, tt.depth, lines(got), tt.want)
			}
		}
		got, err := s.Edges(ctx, "a", catalog.Upstream, 1)
		must(t, err)
		if len(got) != 1 || len(got[0].Columns["x"]) != 2 {
			t.Errorf("column lineage read back as %+v", got)
		}
	})

	t.Run("invalid", func(t *testing.T) {
		s := newStore(t)
		for _, tt := range []struct {
			name    string
			kind    catalog.EdgeKind
			origins []string
			edges   []catalog.Edge
			want    string
		}{
			{"kind", "bogus", []string{"o"}, nil, `unknown lineage edge kind "bogus"`},
			{"mixed kinds", catalog.EdgeView, []string{"o"}, []catalog.Edge{edge("a", "b", catalog.EdgeQuery, "o")}, `edge a -> b has kind "query"`},
			{"foreign origin", catalog.EdgeView, []string{"o"}, []catalog.Edge{edge("a", "b", catalog.EdgeView, "p")}, `has origin "p", not among the origins replaced`},
			{"no end", catalog.EdgeView, []string{"o"}, []catalog.Edge{edge("", "b", catalog.EdgeView, "o")}, "lacks an end"},
		} {
			err := s.ReplaceEdges(ctx, 1, tt.kind, tt.origins, tt.edges)
			if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: error = %v, want Invalid containing %q", tt.name, err, tt.want)
			}
		}
		if _, err := s.Edges(ctx, "", catalog.Both, 1); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Edges of an empty FQN: %v", err)
		}
		if _, err := s.Edges(ctx, "a", "sideways", 1); !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), `unknown lineage direction "sideways"`) {
			t.Errorf("Edges sideways: %v", err)
		}
	})

	t.Run("locations", func(t *testing.T) {
		s := newStore(t)
		must(t, s.ReplaceLocations(ctx, "glue", []catalog.Location{
			{FQN: "glue.db.t", Kind: catalog.KindTable, Service: "glue", Bucket: "lake", Prefix: "t/"},
			{FQN: "glue.db.u", Kind: catalog.KindTable, Service: "glue", Bucket: "other", Prefix: ""},
		}))
		must(t, s.ReplaceLocations(ctx, "s3", []catalog.Location{
			{FQN: "s3.lake", Kind: catalog.KindBucket, Service: "s3", Bucket: "lake"},
			{FQN: "s3.lake.t", Kind: catalog.KindContainer, Service: "s3", Bucket: "lake", Prefix: "t/"},
		}))
		got, err := s.LocationsInBucket(ctx, "lake")
		must(t, err)
		var fqns []string
		for _, l := range got {
			fqns = append(fqns, l.FQN+":"+string(l.Kind)+":"+l.Prefix)
		}
		if strings.Join(fqns, " ") != "glue.db.t:table:t/ s3.lake:bucket: s3.lake.t:container:t/" {
			t.Errorf("locations in lake = %v", fqns)
		}
		// Replacing a service's set drops what it no longer has.
		must(t, s.ReplaceLocations(ctx, "glue", []catalog.Location{{FQN: "glue.db.u", Kind: catalog.KindTable, Service: "glue", Bucket: "other"}}))
		got, err = s.LocationsInBucket(ctx, "lake")
		must(t, err)
		if len(got) != 2 {
			t.Errorf("after replace: %+v", got)
		}
		err = s.ReplaceLocations(ctx, "glue", []catalog.Location{{FQN: "s3.x", Kind: catalog.KindBucket, Service: "s3", Bucket: "x"}})
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), `s3.x belongs to service "s3"`) {
			t.Errorf("foreign location: %v", err)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

package storetest

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

var lineageAt = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func edge(from, to string, kind catalog.EdgeKind, origin string) catalog.Edge {
	return catalog.Edge{From: from, To: to, Kind: kind, Origin: origin, Evidence: "ev " + origin, Service: "svc", At: lineageAt}
}

// edgeLines prints edges as "hop from>to kind@origin", sorted, so that a
// walk's result compares as one string whatever order ties come in.
func edgeLines(edges []catalog.Edge) string {
	out := make([]string, 0, len(edges))
	for _, e := range edges {
		out = append(out, fmt.Sprintf("%d %s>%s %s@%s", e.Hop, e.From, e.To, e.Kind, e.Origin))
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// testLineageReplace: edges are replaced per (kind, origin), leaving other
// origins and kinds alone, and read back whole.
func testLineageReplace(t *testing.T, s catalog.Store) {
	must(t, s.ReplaceEdges(ctx, 1, catalog.EdgeQuery, []string{"q1", "q2"}, []catalog.Edge{
		edge("a", "b", catalog.EdgeQuery, "q1"), edge("c", "b", catalog.EdgeQuery, "q1"), edge("a", "b", catalog.EdgeQuery, "q2"),
	}))
	must(t, s.ReplaceEdges(ctx, 1, catalog.EdgeView, []string{"v"}, []catalog.Edge{edge("a", "b", catalog.EdgeView, "v")}))
	got, err := s.Edges(ctx, "b", catalog.Upstream, 1)
	must(t, err)
	if want := "1 a>b query@q1, 1 a>b query@q2, 1 a>b view@v, 1 c>b query@q1"; edgeLines(got) != want {
		t.Errorf("edges = %s, want %s", edgeLines(got), want)
	}
	// Replacing q1 leaves q2 and the view's edge alone; q3 adds. The edge
	// without a scan id takes the call's; the one without a time gets one.
	q3 := edge("d", "b", catalog.EdgeQuery, "q3")
	noTime := edge("e", "b", catalog.EdgeQuery, "q3")
	noTime.At = time.Time{}
	must(t, s.ReplaceEdges(ctx, 2, catalog.EdgeQuery, []string{"q1", "q3"}, []catalog.Edge{q3, noTime}))
	got, err = s.Edges(ctx, "b", catalog.Upstream, 1)
	must(t, err)
	if want := "1 a>b query@q2, 1 a>b view@v, 1 d>b query@q3, 1 e>b query@q3"; edgeLines(got) != want {
		t.Errorf("after replace = %s, want %s", edgeLines(got), want)
	}
	for _, e := range got {
		switch e.From {
		case "d":
			if e.ScanID != 2 || e.Evidence != "ev q3" || !e.At.Equal(lineageAt) || e.Service != "svc" {
				t.Errorf("edge read back as %+v", e)
			}
		case "e":
			if e.At.IsZero() {
				t.Errorf("edge without a time read back without one: %+v", e)
			}
		}
	}
	// An origin replaced with no edges is cleared.
	must(t, s.ReplaceEdges(ctx, 3, catalog.EdgeView, []string{"v"}, nil))
	got, err = s.Edges(ctx, "b", catalog.Upstream, 1)
	must(t, err)
	if strings.Contains(edgeLines(got), "view@v") {
		t.Errorf("cleared origin still has edges: %s", edgeLines(got))
	}
}

// testLineageWalk: Edges walks rings up to a depth, each edge once, and
// ends on cycles.
func testLineageWalk(t *testing.T, s catalog.Store) {
	// a -> b -> c -> d, and a cycle d -> a through a view.
	must(t, s.ReplaceEdges(ctx, 1, catalog.EdgeQuery, []string{"q"}, []catalog.Edge{
		edge("a", "b", catalog.EdgeQuery, "q"), edge("b", "c", catalog.EdgeQuery, "q"), edge("c", "d", catalog.EdgeQuery, "q"),
	}))
	must(t, s.ReplaceEdges(ctx, 1, catalog.EdgeView, []string{"d"}, []catalog.Edge{
		{From: "d", To: "a", Kind: catalog.EdgeView, Origin: "d", Service: "svc", Columns: map[string][]string{"x": {"y", "z"}}},
	}))
	for _, tt := range []struct {
		name  string
		fqn   string
		dir   catalog.Direction
		depth int
		want  string
	}{
		{"upstream two hops", "d", catalog.Upstream, 2, "1 c>d query@q, 2 b>c query@q"},
		{"downstream one hop", "a", catalog.Downstream, 1, "1 a>b query@q"},
		{"both", "b", catalog.Both, 1, "1 a>b query@q, 1 b>c query@q"},
		{"empty direction is both", "b", "", 1, "1 a>b query@q, 1 b>c query@q"},
		{"cycle ends", "a", catalog.Downstream, 10, "1 a>b query@q, 2 b>c query@q, 3 c>d query@q, 4 d>a view@d"},
		{"depth 0 is the default", "a", catalog.Downstream, 0, "1 a>b query@q, 2 b>c query@q, 3 c>d query@q"},
		{"unknown entity", "zz", catalog.Both, 3, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Edges(ctx, tt.fqn, tt.dir, tt.depth)
			must(t, err)
			if edgeLines(got) != tt.want {
				t.Errorf("Edges(%s, %s, %d) = %s, want %s", tt.fqn, tt.dir, tt.depth, edgeLines(got), tt.want)
			}
		})
	}
	got, err := s.Edges(ctx, "a", catalog.Upstream, 1)
	must(t, err)
	if len(got) != 1 || len(got[0].Columns["x"]) != 2 {
		t.Errorf("column lineage read back as %+v", got)
	}
}

// testLineageBadInput: every malformed call is apperr.Invalid and says what
// is wrong.
func testLineageBadInput(t *testing.T, s catalog.Store) {
	for _, tt := range []struct {
		name    string
		kind    catalog.EdgeKind
		origins []string
		edges   []catalog.Edge
		want    string
	}{
		{"unknown kind", "bogus", []string{"o"}, nil, `unknown lineage edge kind "bogus"`},
		{"mixed kinds", catalog.EdgeView, []string{"o"}, []catalog.Edge{edge("a", "b", catalog.EdgeQuery, "o")}, `edge a -> b has kind "query"`},
		{"foreign origin", catalog.EdgeView, []string{"o"}, []catalog.Edge{edge("a", "b", catalog.EdgeView, "p")}, `has origin "p", not among the origins replaced`},
		{"no from", catalog.EdgeView, []string{"o"}, []catalog.Edge{edge("", "b", catalog.EdgeView, "o")}, "lacks an end"},
		{"no to", catalog.EdgeView, []string{"o"}, []catalog.Edge{edge("a", "", catalog.EdgeView, "o")}, "lacks an end"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := s.ReplaceEdges(ctx, 1, tt.kind, tt.origins, tt.edges)
			if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want Invalid containing %q", err, tt.want)
			}
		})
	}
	t.Run("walk from no entity", func(t *testing.T) {
		if _, err := s.Edges(ctx, "", catalog.Both, 1); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Edges of an empty FQN: %v", err)
		}
	})
	t.Run("unknown direction", func(t *testing.T) {
		_, err := s.Edges(ctx, "a", "sideways", 1)
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), `unknown lineage direction "sideways"`) {
			t.Errorf("Edges sideways: %v", err)
		}
	})
	t.Run("locations without a service", func(t *testing.T) {
		if err := s.ReplaceLocations(ctx, "", nil); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("ReplaceLocations without a service: %v", err)
		}
	})
	t.Run("location of another service", func(t *testing.T) {
		err := s.ReplaceLocations(ctx, "glue", []catalog.Location{{FQN: "s3.x", Kind: catalog.KindBucket, Service: "s3", Bucket: "x"}})
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), `s3.x belongs to service "s3"`) {
			t.Errorf("foreign location: %v", err)
		}
	})
}

// testLineageLocations: locations are replaced per service and found by
// bucket across services.
func testLineageLocations(t *testing.T, s catalog.Store) {
	must(t, s.ReplaceLocations(ctx, "glue", []catalog.Location{
		{FQN: "glue.db.t", Kind: catalog.KindTable, Service: "glue", Bucket: "lake", Prefix: "t/"},
		{FQN: "glue.db.u", Kind: catalog.KindTable, Service: "glue", Bucket: "other", Prefix: ""},
	}))
	must(t, s.ReplaceLocations(ctx, "s3", []catalog.Location{
		{FQN: "s3.lake", Kind: catalog.KindBucket, Service: "s3", Bucket: "lake"},
		{FQN: "s3.lake.t", Kind: catalog.KindContainer, Service: "s3", Bucket: "lake", Prefix: "t/"},
	}))
	locations := func(bucket string) string {
		t.Helper()
		got, err := s.LocationsInBucket(ctx, bucket)
		must(t, err)
		var out []string
		for _, l := range got {
			out = append(out, l.FQN+":"+string(l.Kind)+":"+l.Service+":"+l.Prefix)
		}
		return strings.Join(out, " ")
	}
	if got, want := locations("lake"), "glue.db.t:table:glue:t/ s3.lake:bucket:s3: s3.lake.t:container:s3:t/"; got != want {
		t.Errorf("locations in lake = %s, want %s", got, want)
	}
	// Replacing a service's set drops what it no longer has, and leaves
	// the other services' alone.
	must(t, s.ReplaceLocations(ctx, "glue", []catalog.Location{{FQN: "glue.db.u", Kind: catalog.KindTable, Service: "glue", Bucket: "other"}}))
	if got, want := locations("lake"), "s3.lake:bucket:s3: s3.lake.t:container:s3:t/"; got != want {
		t.Errorf("after replace: %s, want %s", got, want)
	}
	if got := locations("nowhere"); got != "" {
		t.Errorf("unknown bucket: %s", got)
	}
}

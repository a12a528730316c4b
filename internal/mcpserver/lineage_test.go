package mcpserver

import (
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

func TestGetLineage(t *testing.T) {
	e := newCatalogEnv(t)
	at := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	for _, ed := range []catalog.Edge{
		{From: "lake.landing", To: "prod.sales.orders", Kind: catalog.EdgeStorage, Origin: "prod.sales.orders", Evidence: "s3://landing/orders/", At: at},
		{From: "prod.sales.orders", To: `prod.sales."daily.totals"`, Kind: catalog.EdgeQuery, Origin: "prod.q1234", Evidence: "query 1234", At: at,
			Columns: map[string][]string{"total": {"amount"}}},
		{From: "prod-ro.sales.orders", To: "prod.sales.orders", Kind: catalog.EdgeView, Origin: "prod.sales.orders", At: at},
	} {
		ed.Service = serviceOf(ed.To)
		if err := e.store.ReplaceEdges(e.ctx, 1, ed.Kind, []string{ed.Origin}, []catalog.Edge{ed}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			cs := tr.connect(t, e, Scope{Name: "test"})
			if listTools(t, cs)["get_lineage"] == nil {
				t.Fatal("no get_lineage tool")
			}
			var out LineageOutput
			mustCall(t, cs, "get_lineage", map[string]any{"fqn": "prod.sales.orders"}, &out)
			if out.Total != 3 || out.Direction != catalog.Both || out.Depth != catalog.DefaultLineageDepth || out.Edges[0].Hop != 1 {
				t.Fatalf("lineage = %+v", out)
			}
			out = LineageOutput{}
			mustCall(t, cs, "get_lineage", map[string]any{"fqn": "prod.sales.daily.totals", "direction": "upstream", "depth": 1}, &out)
			if out.Total != 1 || out.Edges[0].From != "prod.sales.orders" || out.Edges[0].Columns["total"][0] != "amount" {
				t.Errorf("upstream of daily.totals, 1 hop = %+v", out)
			}
			out = LineageOutput{}
			mustCall(t, cs, "get_lineage", map[string]any{"fqn": `prod.sales."daily.totals"`, "direction": "upstream", "depth": 50}, &out)
			if out.Depth != catalog.MaxLineageDepth || out.Total != 3 {
				t.Errorf("depth 50: %+v", out)
			}
		})
	}
	t.Run("scope hides edges into other connections", func(t *testing.T) {
		cs := connectInMemory(t, e, Scope{Name: "prod only", Connections: []string{connGlue}})
		var out LineageOutput
		mustCall(t, cs, "get_lineage", map[string]any{"fqn": "prod.sales.orders"}, &out)
		for _, ed := range out.Edges {
			if serviceOf(ed.From) != connGlue || serviceOf(ed.To) != connGlue {
				t.Errorf("edge outside the scope: %+v", ed)
			}
		}
	})
	t.Run("bad input", func(t *testing.T) {
		cs := connectInMemory(t, e, Scope{Name: "test"})
		wantToolError(t, call(t, cs, "get_lineage", map[string]any{"fqn": "prod.sales.orders", "direction": "sideways"}, nil), "invalid", `unknown lineage direction "sideways"`)
		wantToolError(t, call(t, cs, "get_lineage", map[string]any{"fqn": "prod.sales.orders", "depth": -1}, nil), "invalid", "depth -1")
		wantToolError(t, call(t, cs, "get_lineage", map[string]any{"fqn": "prod.sales.ordrs"}, nil), "not_found", "did you mean", "prod.sales.orders")
	})
}

// TestGetLineageSQLite reads lineage the SQLite store recorded.
func TestGetLineageSQLite(t *testing.T) {
	e := newCatalogEnv(t)
	sc, err := e.store.BeginScan(e.ctx, catalog.ScanStart{Service: connGlue, SourceType: "glue", Started: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	view := `prod.sales."daily.totals"`
	if err := e.store.ReplaceEdges(e.ctx, sc.ID, catalog.EdgeView, []string{view}, []catalog.Edge{
		{From: "prod.sales.orders", To: view, Kind: catalog.EdgeView, Origin: view, Evidence: view, Service: connGlue, At: time.Now().UTC()},
	}); err != nil {
		t.Fatal(err)
	}
	cs := connectHTTP(t, e, Scope{Name: "test"})
	var out LineageOutput
	mustCall(t, cs, "get_lineage", map[string]any{"fqn": "prod.sales.orders", "direction": "downstream"}, &out)
	if out.Total != 1 || out.Edges[0].To != view || out.Edges[0].Kind != catalog.EdgeView {
		t.Errorf("lineage = %+v", out)
	}
}
